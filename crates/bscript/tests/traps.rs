//! A breakpoint instruction in loaded code (inline C) is a run-time fault like any other: it is
//! reported, and the session goes on with the next input. On the host device `int3` raises
//! SIGTRAP; on a Cortex-M a `bkpt` without a debugger escalates to HardFault (only `bkpt 0xab`
//! is a semihosting call under QEMU).

mod common;

fn breakpoint_is_a_fault(target: &str, instruction: &str) {
    let dir = std::env::temp_dir().join(format!("bscript-trap-{target}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.bs");
    std::fs::write(
        &input,
        format!(
            "function brk() {{ code`__asm__ volatile(\"{instruction}\");` }}\n\
             print(1)\nbrk()\nprint(2)\nbrk()\nprint(3)\n"
        ),
    )
    .unwrap();
    let out = common::bscript(
        &common::workspace_root(),
        &["--target", target, "--error-format", "short", "repl"],
        Some(&input),
    );
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout, "1\n2\n3\n", "{stderr}");
    assert_eq!(stderr.matches("fault").count(), 2, "{stderr}");
    for gone in ["gone", "reset", "afresh", "killed"] {
        assert!(!stderr.contains(gone), "{stderr}");
    }
}

#[test]
fn int3_on_the_host_device_is_a_fault_and_the_session_goes_on() {
    breakpoint_is_a_fault("host", "int3");
}

#[test]
fn bkpt_on_qemu_is_a_fault_and_the_session_goes_on() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    breakpoint_is_a_fault("qemu-mps2-an385", "bkpt #1");
}
