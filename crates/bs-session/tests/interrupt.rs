//! Interrupting running code (`docs/protocol.md`, section 2.4), on the host device and on
//! `qemu-mps2-an385`: loops with no call in them (typed, untyped, in a function, in inline C),
//! loops that mostly run the runtime's code (output, allocation) stop within 500 ms of the
//! request, and what was declared before stays; a device that does not stop in time, or stops
//! answering during a call, is restarted within a stated bound. The QEMU tests are skipped, with
//! a message, when `qemu-system-arm` or `arm-none-eabi-gcc` is not installed.

use std::process::Command;
use std::time::{Duration, Instant};

use bs_protocol::ErrorCode;
use bs_session::{Outcome, Session, SessionOptions};

const QEMU: &str = "qemu-mps2-an385";

/// How soon a loop must stop after the request.
const STOP_WITHIN: Duration = Duration::from_millis(500);

fn start(target: &str) -> Option<Session> {
    if target == QEMU {
        for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
            if bs_session::find_program(tool).is_none() {
                eprintln!("skipped: {tool} is not installed");
                return None;
            }
        }
    }
    let options = SessionOptions {
        target: target.to_string(),
        ..Default::default()
    };
    Some(Session::start(&options).expect("the device starts"))
}

fn eval(session: &mut Session, source: &str) -> (Outcome, String) {
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<test>", source, &mut |_, b| out.extend_from_slice(b));
    (outcome, String::from_utf8_lossy(&out).into_owned())
}

/// Runs `source`, which prints `running` and then loops forever, asks to stop it `after` that
/// much time since `running` arrived, and returns the outcome and how long it took from the
/// request to the end.
fn interrupt_after(session: &mut Session, source: &str, after: Duration) -> (Outcome, Duration) {
    let interrupter = session.interrupter();
    let asker = interrupter.clone();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let timer = std::thread::spawn(move || {
        rx.recv().ok()?;
        std::thread::sleep(after);
        asker.interrupt();
        Some(Instant::now())
    });
    let mut tx = Some(tx);
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<test>", source, &mut |_, b| {
        out.extend_from_slice(b);
        if String::from_utf8_lossy(&out).contains("running") {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        }
    });
    drop(tx);
    let asked = timer.join().unwrap();
    let took = asked.map(|a| a.elapsed()).unwrap_or(Duration::MAX);
    (outcome, took)
}

fn interrupt(session: &mut Session, source: &str) -> (Outcome, Duration) {
    interrupt_after(session, source, Duration::ZERO)
}

fn assert_interrupted(outcome: &Outcome, took: Duration, what: &str) {
    match outcome {
        Outcome::RuntimeError(f) => {
            assert_eq!(
                ErrorCode::from_u16(f.code),
                ErrorCode::Interrupted,
                "{what}: {f:?}"
            );
            assert!(
                f.message.starts_with("interrupted"),
                "{what}: {}",
                f.message
            );
        }
        other => panic!("{what}: expected the run-time error `interrupted`, got {other:?}"),
    }
    eprintln!("{what}: stopped {took:?} after the request");
    assert!(
        took <= STOP_WITHIN,
        "{what}: stopped {took:?} after the request"
    );
}

/// The first print flushes only with the second, 30 ms later (output is sent at a newline 20 ms
/// after the last sending): when `running` arrives, the loop is about to start.
const PRELUDE: &str = "print('start'); time.delay(30); print('running');";

fn loops_stop_and_the_session_stays(target: &str) {
    let Some(mut s) = start(target) else { return };
    let (outcome, _) = eval(
        &mut s,
        "let x = 0\nlet y = 41\nlet u: any = 0\nlet a: number[] = []\n\
         function spin() { while (true) { x++ } }\n\
         function cspin() { code`for (;;) {}` }",
    );
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    let cases = [
        ("an empty loop", "while (true) {}"),
        ("a loop that counts", "while (true) { x++ }"),
        ("a loop in a function", "spin()"),
        ("an untyped loop", "while (true) { u = u + 1 }"),
        ("a loop in inline C", "cspin()"),
        (
            "a loop that allocates",
            "while (true) { a = [x, x + 1, x + 2] }",
        ),
        ("a loop that prints", "while (true) { print(x) }"),
    ];
    for (what, body) in cases {
        let source = format!("{PRELUDE}\n{body}");
        let (outcome, took) = interrupt(&mut s, &source);
        assert_interrupted(&outcome, took, what);
    }
    // Everything declared before is still there, and the device runs the next input.
    let (outcome, out) = eval(&mut s, "print(y + 1)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "42\n");
    // A request made while nothing runs stops the next input at once.
    s.interrupter().interrupt();
    let (outcome, _) = eval(&mut s, "while (true) {}");
    assert!(
        matches!(&outcome, Outcome::RuntimeError(f) if f.message.starts_with("interrupted")),
        "{outcome:?}"
    );
    let (outcome, out) = eval(&mut s, "print(y)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "41\n");
}

#[test]
fn loops_stop_and_the_session_stays_on_the_host_device() {
    loops_stop_and_the_session_stays("host");
}

#[test]
fn loops_stop_and_the_session_stays_on_qemu() {
    loops_stop_and_the_session_stays(QEMU);
}

#[test]
fn a_time_limit_interrupts_and_says_so() {
    let options = SessionOptions {
        run_timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let mut s = Session::start(&options).expect("the device starts");
    let started = Instant::now();
    let (outcome, _) = eval(&mut s, "let n = 0\nwhile (true) { n++ }");
    match &outcome {
        Outcome::RuntimeError(f) => assert!(
            f.message.starts_with("interrupted") && f.message.contains("timed out"),
            "{}",
            f.message
        ),
        other => panic!("expected a run-time error, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    let (outcome, out) = eval(&mut s, "print(6 * 7)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "42\n");
}

/// Stops (SIGSTOP) the device's process once its call runs: it neither answers PING nor closes
/// the link. The session must give it up within the bound (5 s of silence with the default reply
/// timeout of 10 s, plus a tick) and start a fresh device (which takes up to a second more here).
fn a_device_that_hangs_is_restarted(target: &str) {
    let Some(mut s) = start(target) else { return };
    let (outcome, _) = eval(&mut s, "let kept = 1");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    let pid = s.device_process_id();
    let mut stopped_at: Option<Instant> = None;
    let mut out = Vec::new();
    let source = format!("{PRELUDE}\nwhile (true) {{}}");
    let (outcome, _) = s.eval("<test>", &source, &mut |_, b| {
        out.extend_from_slice(b);
        if stopped_at.is_none() && String::from_utf8_lossy(&out).contains("running") {
            let status = Command::new("kill")
                .args(["-STOP", &pid.to_string()])
                .status()
                .expect("kill runs");
            assert!(status.success());
            stopped_at = Some(Instant::now());
        }
    });
    let noticed = stopped_at.expect("the call ran").elapsed();
    match &outcome {
        Outcome::DeviceError { message, restarted } => {
            assert!(message.contains("does not respond"), "{message}");
            assert!(*restarted, "{message}");
        }
        other => panic!("expected a device error, got {other:?}"),
    }
    eprintln!("{target}: a stopped device was given up {noticed:?} after it stopped");
    assert!(noticed < Duration::from_secs(7), "{noticed:?}");
    assert_ne!(s.device_process_id(), pid, "a new device runs");
    let (outcome, out) = eval(&mut s, "print(2)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "2\n");
    let (outcome, _) = eval(&mut s, "print(kept)");
    assert!(
        matches!(outcome, Outcome::CompileError(_)),
        "the session started afresh: {outcome:?}"
    );
}

#[test]
fn a_device_that_hangs_during_a_call_is_restarted_on_the_host_device() {
    a_device_that_hangs_is_restarted("host");
}

#[test]
fn a_device_that_hangs_during_a_call_is_restarted_on_qemu() {
    a_device_that_hangs_is_restarted(QEMU);
}

/// Inline C that masks interrupts and loops cannot be stopped: after 2 s the device is
/// restarted, and says so.
#[test]
fn a_device_that_does_not_stop_is_restarted_on_qemu() {
    let Some(mut s) = start(QEMU) else { return };
    let (outcome, _) = eval(
        &mut s,
        "function wedge() { code`__asm__ volatile(\"cpsid i\"); for (;;) {}` }",
    );
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    let source = format!("{PRELUDE}\nwedge()");
    // By then it masked interrupts.
    let (outcome, took) = interrupt_after(&mut s, &source, Duration::from_millis(300));
    match &outcome {
        Outcome::DeviceError { message, restarted } => {
            assert!(
                message.contains("did not stop the running code within 2 s"),
                "{message}"
            );
            assert!(*restarted, "{message}");
        }
        other => panic!("expected a device error, got {other:?}"),
    }
    eprintln!("an unstoppable device was restarted {took:?} after the request");
    assert!(took < Duration::from_secs(3), "{took:?}");
    let (outcome, out) = eval(&mut s, "print(3)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "3\n");
}
