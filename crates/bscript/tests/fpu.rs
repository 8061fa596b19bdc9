//! The Cortex-M4F's FPU on `stm32f405` (skipped, with a message, without QEMU or the ARM
//! compiler): a fault or a stack overflow in code that has used the FPU (whose exception frame is
//! the extended one) is a run-time error and the session goes on computing floats; a timeout
//! stops a float loop in a function; and float results are the host device's.

mod common;

const TARGET: &str = "stm32f405";

fn installed() -> bool {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return false;
        }
    }
    true
}

fn run_repl(target: &str, name: &str, source: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("bscript-fpu-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.bs");
    std::fs::write(&input, source).unwrap();
    let out = common::bscript(
        &common::workspace_root(),
        &["--target", target, "--error-format", "short", "repl"],
        Some(&input),
    );
    let _ = std::fs::remove_dir_all(&dir);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn faults_in_float_code_are_errors_and_floats_go_on() {
    if !installed() {
        return;
    }
    let source = "let a: float = 1.5\n\
        function crash(x: float): float { let r: float = x * 3.0\n\
          code`volatile float f = ${r} * 2.0f; *(volatile int *)0 = (int)f;`\n\
          return r }\n\
        function deep(x: float): float { return deep(x * 1.5 + 0.25) + 1.0 }\n\
        print(a * 2.0)\n\
        crash(a)\n\
        let s: float = 0.25\n\
        for (let i = 0; i < 100; i++) { s = s * 1.5 + 0.125 }\n\
        print(s)\n\
        deep(a)\n\
        crash(s)\n\
        for (let i = 0; i < 100; i++) { s = s / 1.5 - 0.125 }\n\
        print(s, a / 3.0)\n";
    let (stdout, stderr) = run_repl(TARGET, "faults", source);
    let (host, host_err) = run_repl("host", "faults-host", source);
    assert_eq!(stdout, host, "{stderr}\n{host_err}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert_eq!(stderr.matches("memory fault").count(), 2, "{stderr}");
    assert_eq!(stderr.matches("stack overflow").count(), 1, "{stderr}");
    for gone in ["gone", "reset", "afresh", "killed"] {
        assert!(!stderr.contains(gone), "{stderr}");
    }
}

#[test]
fn a_timeout_stops_a_float_loop_in_a_function() {
    if !installed() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("bscript-fpu-loop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("spin.bs");
    std::fs::write(
        &file,
        "let t: float = 0.0\n\
         function spin() { let x: float = 0.5\n  while (true) { x = x * 1.0001 + 1.5; t = x } }\n\
         spin()\n",
    )
    .unwrap();
    let out = common::bscript(
        &dir,
        &["--target", TARGET, "run", "--timeout", "1", "spin.bs"],
        None,
    );
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Located in `spin` or at its call (which of the two depends on where the loop was when the
    // interrupt came, on qemu-mps2-an385 too).
    assert!(
        stderr.contains("interrupted") && stderr.contains("timed out"),
        "{stderr}"
    );
    assert!(
        stderr.contains("spin.bs:2:10") || stderr.contains("spin.bs:4:1"),
        "{stderr}"
    );
}
