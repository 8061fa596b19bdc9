//! Sessions on the `qemu-mps2-an385` target (a Cortex-M3 in QEMU, over its UART on TCP): the
//! handshake and memory budget, code larger than one LOAD frame, faults and stack overflows that
//! the device survives, the restart of a killed QEMU, and no QEMU left behind. Skipped, with a
//! message, when `qemu-system-arm` or `arm-none-eabi-gcc` is not installed.

use std::path::Path;
use std::time::{Duration, Instant};

use bs_protocol::Arch;
use bs_session::{Outcome, Session, SessionOptions};

const TARGET: &str = "qemu-mps2-an385";

fn installed(program: &str) -> bool {
    bs_session::find_program(program).is_some()
}

/// A session on the QEMU target, or `None` (after saying so) without the tools.
fn start() -> Option<Session> {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return None;
        }
    }
    let options = SessionOptions {
        target: TARGET.to_string(),
        ..Default::default()
    };
    Some(Session::start(&options).expect("the QEMU device starts"))
}

fn eval(session: &mut Session, source: &str) -> (Outcome, String) {
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<test>", source, &mut |_, b| out.extend_from_slice(b));
    (outcome, String::from_utf8_lossy(&out).into_owned())
}

fn alive(pid: u32) -> bool {
    // A zombie still has its /proc entry; QEMU is reaped by the session, so it has none.
    Path::new(&format!("/proc/{pid}")).exists()
}

fn wait_gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

#[test]
fn the_device_is_a_cortex_m3_with_the_port_budget() {
    let started = Instant::now();
    let Some(mut s) = start() else { return };
    eprintln!(
        "session start (QEMU boot and handshake): {:?}",
        started.elapsed()
    );
    let info = *s.device_info();
    assert_eq!(info.arch, Arch::Thumb2);
    assert_eq!(info.ptr_size, 4);
    assert_eq!(
        (info.code.size, info.data.size, info.heap.size),
        (16 * 1024, 16 * 1024, 32 * 1024)
    );
    for r in [info.code, info.data, info.heap] {
        assert!(
            r.base >= 0x2000_0000 && r.base + r.size <= 0x2040_0000,
            "{r:?}"
        );
    }
    let (outcome, out) = eval(&mut s, "let x = 6\nprint(x * 7)\nprint(1.5 * x)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "42\n9.000000\n");
    let (heap, usage) = s.memory(false).unwrap();
    // The allocator's blocks cover the region but for alignment and the collector's tables.
    assert!(
        (28 * 1024..=32 * 1024).contains(&heap.heap_size),
        "{heap:?}"
    );
    // The unit's global stays in the data region; its top-level code, which ran and which
    // nothing can call again, was freed.
    assert!(usage.data_used > 0, "{usage:?}");
    assert_eq!(usage.code_used, 0, "{usage:?}");
}

#[test]
fn code_larger_than_one_frame_is_loaded_and_runs() {
    let Some(mut s) = start() else { return };
    let mut source = String::from("function big(x: integer): integer {\n");
    for i in 0..300 {
        source.push_str(&format!("  x = (x * {}) ^ (x >> {});\n", i + 3, i % 7 + 1));
    }
    source.push_str("  return x\n}\nprint(big(12345))\n");
    let (before, _) = s.memory(false).unwrap();
    let (outcome, out) = eval(&mut s, &source);
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    let (_, usage) = s.memory(false).unwrap();
    assert!(usage.code_used > 2048, "{usage:?}");
    assert!(before.heap_size > 0);
    // The same program on the host device gives the same number: 32-bit wrapping everywhere.
    let mut host = Session::start(&SessionOptions::default()).unwrap();
    let (_, expected) = eval(&mut host, &source);
    assert_eq!(out, expected);
}

#[test]
fn faults_are_run_time_errors_and_the_device_goes_on() {
    let Some(mut s) = start() else { return };
    let pid = s.device_process_id();
    let (outcome, _) = eval(
        &mut s,
        "function down(n: integer): integer { return down(n + 1) + 1 }\nprint(down(0))",
    );
    match outcome {
        Outcome::RuntimeError(f) => {
            assert_eq!(
                f.message,
                "stack overflow (too deep recursion) in function 'down'"
            );
        }
        other => panic!("expected a stack overflow, got {other:?}"),
    }
    // The same device (no restart) still runs code, and its stack is whole again.
    let (outcome, out) = eval(
        &mut s,
        "function depth(n: integer): integer { if (n == 0) return 0; return depth(n - 1) + 1 }\nprint(depth(100))",
    );
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "100\n");
    assert_eq!(s.device_process_id(), pid);
}

#[test]
fn a_killed_qemu_is_restarted_and_none_is_left_behind() {
    let Some(mut s) = start() else { return };
    assert!(matches!(eval(&mut s, "let kept = 1").0, Outcome::Ok));
    let pid = s.device_process_id();
    assert!(alive(pid));
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    match eval(&mut s, "print(2)").0 {
        Outcome::DeviceError {
            restarted: true,
            message,
        } => assert!(message.contains("QEMU"), "{message}"),
        other => panic!("expected a device error, got {other:?}"),
    }
    let restarted = s.device_process_id();
    assert_ne!(restarted, pid);
    assert!(wait_gone(pid), "the killed QEMU {pid} was not reaped");
    let (outcome, out) = eval(&mut s, "print(3)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "3\n");
    assert!(matches!(
        eval(&mut s, "print(kept)").0,
        Outcome::CompileError(_)
    ));
    drop(s);
    assert!(
        wait_gone(restarted),
        "QEMU {restarted} outlived its session"
    );
}
