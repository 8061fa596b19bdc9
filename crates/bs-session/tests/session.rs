//! Sessions on the real host device: the handshake's build-id check, recovery from a dead
//! device, the rollback of a failed unit, and memory reports.

use bs_session::{Outcome, Session, SessionOptions};

fn eval(session: &mut Session, source: &str) -> (Outcome, String) {
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<test>", source, &mut |_, b| out.extend_from_slice(b));
    (outcome, String::from_utf8_lossy(&out).into_owned())
}

fn start() -> Session {
    Session::start(&SessionOptions::default()).expect("the host device starts")
}

#[test]
fn a_runtime_built_from_other_sources_is_refused() {
    let runtime = bs_toolchain::ensure_runtime(&bs_toolchain::HOST).unwrap();
    let src = runtime.include_dir.parent().unwrap();
    let out = std::env::temp_dir().join(format!("bs-runtime-other-{}", std::process::id()));
    let mut args: Vec<String> = bs_toolchain::HOST
        .runtime_flags
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(format!("-DBS_BUILD_ID=0x{:016x}ULL", runtime.build_id ^ 1));
    args.extend(["-Icore".into(), "-Iports/host".into()]);
    for dir in ["core", "ports/host"] {
        for e in std::fs::read_dir(src.join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "c") {
                args.push(format!("{dir}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    args.extend(["-o".into(), out.display().to_string(), "-lm".into()]);
    let status = std::process::Command::new("gcc")
        .args(&args)
        .current_dir(src)
        .status()
        .unwrap();
    assert!(status.success());

    let options = SessionOptions {
        runtime_override: Some(out.clone()),
        ..Default::default()
    };
    let error = match Session::start(&options) {
        Ok(_) => panic!("a runtime with another build id was accepted"),
        Err(e) => e.to_string(),
    };
    let _ = std::fs::remove_file(&out);
    assert!(error.contains("built from other sources"), "{error}");
    assert!(
        error.contains(&format!("{:016x}", runtime.build_id ^ 1)),
        "{error}"
    );
}

#[test]
fn a_dead_device_is_restarted_and_the_session_goes_on() {
    let mut s = start();
    assert!(matches!(eval(&mut s, "let kept = 1").0, Outcome::Ok));
    let pid = s.device_process_id();
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    match eval(&mut s, "print(2)").0 {
        Outcome::DeviceError {
            restarted: true,
            message,
        } => {
            assert!(
                message.contains("gone") || message.contains("closed"),
                "{message}"
            )
        }
        other => panic!("expected a device error, got {other:?}"),
    }
    assert_ne!(s.device_process_id(), pid);
    let (outcome, out) = eval(&mut s, "print(3)");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "3\n");
    // The restarted device is empty, and the host knows it.
    assert!(matches!(
        eval(&mut s, "print(kept)").0,
        Outcome::CompileError(_)
    ));
}

#[test]
fn a_unit_that_fails_at_run_time_leaves_no_declarations_and_restores_redefinitions() {
    let mut s = start();
    assert!(matches!(
        eval(&mut s, "function f(): integer { return 1 }").0,
        Outcome::Ok
    ));
    let (outcome, out) = eval(
        &mut s,
        "function f(): integer { return 2 }\nlet fresh = 5\nprint(f())\nprint(1 / (fresh - 5))",
    );
    assert_eq!(out, "2\n", "the new body ran until the error");
    match outcome {
        Outcome::RuntimeError(f) => {
            assert_eq!(f.message, "division by zero");
            let loc = f.location.expect("located");
            assert_eq!((loc.line, loc.column), (4, 7));
        }
        other => panic!("expected a run-time error, got {other:?}"),
    }
    let (outcome, out) = eval(&mut s, "print(f())");
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "1\n", "the earlier body is back");
    assert!(matches!(
        eval(&mut s, "print(fresh)").0,
        Outcome::CompileError(_)
    ));
    assert!(matches!(eval(&mut s, "let fresh = 6").0, Outcome::Ok));
}

#[test]
fn memory_use_is_reported() {
    let mut s = start();
    let (_, before) = s.memory(false).unwrap();
    assert!(matches!(
        eval(&mut s, "function g(x: integer): integer { return x + 1 }").0,
        Outcome::Ok
    ));
    let (heap, after) = s.memory(false).unwrap();
    assert!(heap.heap_size >= 32 * 1024, "{heap:?}");
    assert!(after.code_used > before.code_used, "{before:?} → {after:?}");
    assert!(after.code_size > 0 && after.data_size > 0);
    let (_, out) = eval(&mut s, "print('x' + g(1))");
    assert_eq!(out, "x2\n");
    let (heap2, _) = s.memory(false).unwrap();
    assert!(
        heap2.heap_used > heap.heap_used,
        "the concatenation allocated: {heap:?} → {heap2:?}"
    );
}

#[test]
fn a_collection_before_the_count_leaves_only_live_data() {
    let mut s = start();
    assert!(matches!(
        eval(&mut s, "let keep: integer[] = [1, 2, 3]").0,
        Outcome::Ok
    ));
    let (_, out) = eval(
        &mut s,
        "let t = 0; for (let i = 0; i < 50; i++) { t += ('n' + i).length } print(t)",
    );
    assert_eq!(out, "140\n");
    let (with_garbage, _) = s.memory(false).unwrap();
    let (live, _) = s.memory(true).unwrap();
    assert!(
        live.heap_used < with_garbage.heap_used,
        "{with_garbage:?} → {live:?}"
    );
    // The array `keep` stays: its header block and its elements.
    assert!(live.live_blocks >= 1, "{live:?}");
    assert_eq!(s.memory(true).unwrap().0, live);
}

/// The code region in use, in bytes.
fn code_used(s: &mut Session) -> u64 {
    s.memory(false).unwrap().1.code_used
}

/// A failed input keeps its string literals and array types on the device (values may still
/// hold them); the next inputs must use those rather than copies of their own, so that a
/// session of failing inputs does not fill the data region.
#[test]
fn failed_inputs_leave_no_data_behind() {
    let mut s = start();
    let failing = "{ let a: string[] = ['leaks ' + a0]; print(a[0]); print(a[5]) }";
    assert!(matches!(eval(&mut s, "let a0 = 1").0, Outcome::Ok));
    let mut data = Vec::new();
    for _ in 0..6 {
        let (outcome, out) = eval(&mut s, failing);
        assert!(matches!(outcome, Outcome::RuntimeError(_)), "{outcome:?}");
        assert_eq!(out, "leaks 1\n");
        data.push(s.memory(false).unwrap().1.data_used);
    }
    assert!(data[1..].iter().all(|d| *d == data[1]), "{data:?}");
    // The array type registered by a failed input still works.
    assert_eq!(
        eval(&mut s, "let b: string[] = ['ok']\nprint(b[0])").1,
        "ok\n"
    );
}

#[test]
fn code_nothing_can_run_again_is_freed() {
    let mut s = start();
    // Top-level code runs once: a session of statements keeps no code.
    for i in 0..50 {
        let (outcome, out) = eval(&mut s, &format!("print({i} * 2)"));
        assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
        assert_eq!(out, format!("{}\n", i * 2));
    }
    assert!(matches!(
        eval(&mut s, "print([1][3])").0,
        Outcome::RuntimeError(_)
    ));
    assert_eq!(code_used(&mut s), 0);
    // A declaration that fails at run time leaves no variable behind.
    let data = s.memory(false).unwrap().1.data_used;
    for i in 0..20 {
        let failing = format!("let lost{i}: integer[] = [1, 2]\nprint(lost{i}[5])");
        assert!(matches!(eval(&mut s, &failing).0, Outcome::RuntimeError(_)));
    }
    assert_eq!(s.memory(false).unwrap().1.data_used, data);
    // A function's code stays while it is in use, and goes when every function of its unit
    // has been redefined.
    assert!(matches!(
        eval(&mut s, "function f(x: integer): integer { return x + 1 }").0,
        Outcome::Ok
    ));
    let one = code_used(&mut s);
    assert!(one > 0);
    for i in 2..40 {
        let src = format!("function f(x: integer): integer {{ return x + {i} }}");
        assert!(matches!(eval(&mut s, &src).0, Outcome::Ok));
        assert_eq!(eval(&mut s, "print(f(1))").1, format!("{}\n", i + 1));
    }
    assert!(
        code_used(&mut s) <= one + 16,
        "{} vs {one}",
        code_used(&mut s)
    );
    // A redefinition that fails at run time leaves the previous body in use.
    let failing = "function f(x: integer): integer { return x * 100 }\nprint([1][3])";
    assert!(matches!(eval(&mut s, failing).0, Outcome::RuntimeError(_)));
    assert_eq!(eval(&mut s, "print(f(1))").1, "40\n");
    // A function value is code that may run later: the unit that made it keeps its code, and
    // the value still calls the current body.
    assert!(matches!(eval(&mut s, "let g = f").0, Outcome::Ok));
    let with_value = code_used(&mut s);
    assert!(with_value > one + 16, "{with_value}");
    assert!(matches!(
        eval(
            &mut s,
            "function f(x: integer): integer { return x * 1000 }"
        )
        .0,
        Outcome::Ok
    ));
    assert_eq!(eval(&mut s, "print(g(2) + f(1))").1, "3000\n");
}

#[test]
fn running_out_of_memory_names_the_function_and_the_session_goes_on() {
    let mut s = start();
    let program = "function grow(): integer {\n  let keep: string[] = []\n  let s = 'x'\n  while (true) { s = s + s; keep.push(s) }\n  return 0\n}\nprint(1)\ngrow()\n";
    match eval(&mut s, program) {
        (Outcome::RuntimeError(f), out) => {
            assert_eq!(out, "1\n");
            assert!(
                f.message.starts_with("memory exhausted (allocating "),
                "{}",
                f.message
            );
            assert!(f.message.ends_with(" in function 'grow'"), "{}", f.message);
            let loc = f.location.expect("the function is located");
            // The statement that allocated, in the function it names.
            assert_eq!((loc.line, loc.column), (4, 18));
        }
        other => panic!("expected a run-time error, got {other:?}"),
    }
    // The garbage of the failed unit is collected: the next input has the heap again.
    let (outcome, out) = eval(
        &mut s,
        "let t = ''\nfor (let i = 0; i < 1000; i++) t = t + 'ab'\nprint(t.length)",
    );
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(out, "2000\n");
}

/// Makes a folder in the sessions' work folder that looks `age_secs` old.
fn work_folder(name: &str, age_secs: u64) -> std::path::PathBuf {
    let dir = bs_toolchain::cache_dir().join("work").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("unit.c"), "int x;\n").unwrap();
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs);
    std::fs::File::open(&dir)
        .unwrap()
        .set_modified(then)
        .unwrap();
    dir
}

#[test]
fn a_session_clears_out_the_work_folders_of_crashed_sessions() {
    let own = std::process::id();
    let Some(started) = bs_toolchain::process_start_time(own) else {
        eprintln!("skipped: no /proc");
        return;
    };
    let old = bs_toolchain::STALE_GRACE.as_secs() + 60;
    // A process id above Linux's largest pid_max: its session can only have crashed.
    let stale = work_folder(&format!("999999999-{started}-{own}"), old);
    let young = work_folder(&format!("999999998-{started}-{own}"), 0);
    let live = work_folder(&format!("{own}-{started}-{own}"), old);
    let session = start();
    assert!(!stale.exists(), "{} stayed", stale.display());
    assert!(
        young.exists(),
        "a folder within the grace period was removed"
    );
    assert!(live.exists(), "a live session's folder was removed");
    assert!(session.work_dir().exists());
    drop(session);
    for dir in [young, live] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
