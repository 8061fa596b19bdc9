//! The command line as a user meets it: help, exit statuses, rendered errors, and the REPL's
//! commands in a scripted session.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn scratch(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bscript-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repl(input: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = extra.to_vec();
    args.push("repl");
    run_piped(&std::env::current_dir().unwrap(), &args, input)
}

#[test]
fn help_lists_the_commands_and_the_target_option() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for word in ["run", "repl", "bench", "--target", "--error-format"] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
}

#[test]
fn output_closed_early_stops_quietly() {
    // A pipe whose reading end is closed before bscript writes: as `bscript board list | head -0`.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(["board", "list"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.status.code(), Some(141));
}

#[test]
fn exit_statuses_follow_the_outcome() {
    let ok = scratch("ok.bs", "print(6 * 7)\n");
    let (code, out, err) = run(&["run", ok.to_str().unwrap()]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "42\n", ""));

    let compile = scratch("compile.bs", "let x: integer = 'no'\n");
    assert_eq!(run(&["run", compile.to_str().unwrap()]).0, 1);

    let runtime = scratch("runtime.bs", "let z = 0\nprint(1)\nprint(5 % z)\n");
    let (code, out, _) = run(&["run", runtime.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (2, "1\n"));

    let (code, _, err) = run(&["run", "/nonexistent/x.bs"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read"), "{err}");

    let (code, _, err) = run(&["--runtime-exe", "/bin/false", "run", ok.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("cannot start the host device"), "{err}");
}

#[test]
fn a_compile_error_shows_file_line_column_excerpt_and_hint() {
    let f = scratch("rich.bs", "let a = 1\nlet b: integer = 2.5\n");
    let (code, _, err) = run(&["run", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("rich.bs:2:18"), "{err}");
    assert!(err.contains("let b: integer = 2.5"), "{err}");
    assert!(
        err.contains("Type 'float' is not assignable to type 'integer'"),
        "{err}"
    );
    assert!(err.contains("as integer"), "the hint is missing:\n{err}");
    assert!(err.contains("BS0020"), "{err}");
}

#[test]
fn a_runtime_error_shows_the_source_line() {
    let f = scratch(
        "rt.bs",
        "function half(n: integer): integer {\n  return 10 / n\n}\nprint(half(0))\n",
    );
    let (code, _, err) = run(&["run", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("division by zero"), "{err}");
    assert!(err.contains("rt.bs:2:10"), "{err}");
    assert!(err.contains("return 10 / n"), "{err}");
}

#[test]
fn all_independent_errors_are_reported_at_once() {
    let f = scratch(
        "many.bs",
        "let a: integer = true\nprint(nope)\nlet c: string = 3\n",
    );
    let (_, _, err) = run(&["--error-format", "short", "run", f.to_str().unwrap()]);
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn the_repl_reads_a_pipe_quietly_and_knows_its_commands() {
    let (code, out, err) = repl("let n = 20\n.mem\nprint(n + 1)\n.help\n.bogus\n", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("heap: "),
        "no banner or prompt before the first output:\n{out}"
    );
    assert!(out.contains("code: ") && out.contains("data: "), "{out}");
    assert!(out.contains("21\n"), "{out}");
    assert!(out.contains(".quit"), "help text:\n{out}");
    assert!(err.contains("unknown command .bogus"), "{err}");
}

#[test]
fn the_repl_exit_status_is_that_of_the_last_input() {
    assert_eq!(repl("print(1)\nlet x: integer = 'a'\n", &[]).0, 1);
    assert_eq!(repl("let x: integer = 'a'\nprint(1)\n", &[]).0, 0);
    assert_eq!(repl("print(1 / 0)\n", &[]).0, 2);
    assert_eq!(repl("print(1)\n.quit\nprint(2)\n", &[]).1, "1\n");
}

#[test]
fn the_repl_continues_an_input_while_brackets_are_open() {
    let (_, out, err) = repl(
        "function sq(x: integer): integer {\n  return x * x\n}\nprint(sq(9))\n",
        &[],
    );
    assert_eq!(out, "81\n", "{err}");
}

#[test]
fn check_type_checks_without_a_device() {
    let good = scratch(
        "good.bs",
        "function f(x: integer): integer { return x * 2 }\nprint(f(4))\n",
    );
    let (code, out, err) = run(&[
        "--runtime-exe",
        "/bin/false",
        "check",
        good.to_str().unwrap(),
    ]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "", ""),
        "no device is started"
    );
    let bad = scratch("bad.bs", "print(1 / 'x')\n");
    let (code, _, err) = run(&["--error-format", "short", "check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.bs:1:7: error: invalid operands to / (integer and string)"),
        "{err}"
    );
}

#[test]
fn a_created_project_runs_with_its_modules() {
    let base = std::env::temp_dir().join(format!("bscript-project-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let bscript = env!("CARGO_BIN_EXE_bscript");
    let created = Command::new(bscript)
        .args(["project", "create", "demo"])
        .current_dir(&base)
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let dir = base.join("demo");
    let config = std::fs::read_to_string(dir.join("bsconfig.json")).unwrap();
    assert!(
        config.contains("\"projectName\": \"demo\"") && config.contains("\"boardName\": \"host\""),
        "{config}"
    );
    let run = |dir: &std::path::Path, args: &[&str]| {
        let out = Command::new(bscript)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert_eq!(
        run(&dir, &["run"]),
        (Some(0), "Hello, BlueScript!\n".to_string(), String::new())
    );

    // A module imported twice runs once, before its importers; imported variables are live.
    std::fs::write(dir.join("src/counter.bs"), "export let count = 0\nexport function bump(): integer { count++; return count }\nprint('counter loaded')\n").unwrap();
    std::fs::create_dir_all(dir.join("src/lib")).unwrap();
    std::fs::write(dir.join("src/lib/twice.bs"), "import { bump } from '../counter'\nexport function twice(): integer { bump(); return bump() }\n").unwrap();
    std::fs::write(dir.join("src/index.bs"), "import { count, bump } from './counter'\nimport { twice } from './lib/twice'\nprint(twice())\nprint(bump())\nprint(count)\n").unwrap();
    assert_eq!(
        run(&dir, &["run"]),
        (
            Some(0),
            "counter loaded\n2\n3\n3\n".to_string(),
            String::new()
        )
    );

    // What a module does not export, or does not have, cannot be imported; cycles are errors.
    std::fs::write(
        dir.join("src/private.bs"),
        "function hidden(): integer { return 1 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/index.bs"),
        "import { hidden } from './private'\nimport { nothing } from './counter'\n",
    )
    .unwrap();
    let (code, _, err) = run(&dir, &["--error-format", "short", "run"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains(
            "src/index.bs:1:10: error: 'hidden' is declared but not exported in ./private"
        ),
        "{err}"
    );
    assert!(
        err.contains("src/index.bs:2:10: error: 'nothing' is not found in ./counter"),
        "{err}"
    );
    std::fs::write(
        dir.join("src/a.bs"),
        "import { b } from './b'\nexport let a = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/b.bs"),
        "import { a } from './a'\nexport let b = 2\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/index.bs"), "import { a } from './a'\n").unwrap();
    let (code, _, err) = run(&dir, &["--error-format", "short", "run"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("circular import"), "{err}");
    std::fs::write(dir.join("src/index.bs"), "import { x } from './missing'\n").unwrap();
    let (_, _, err) = run(&dir, &["--error-format", "short", "run"]);
    assert!(err.contains("Cannot find a module ./missing"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn reset_empties_the_device_and_the_session() {
    let (code, out, err) = repl(
        "let kept = 5\nprint(kept)\n.reset\nlet kept = 6\nprint(kept)\n",
        &["--error-format", "short"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "5\nthe device is empty; everything declared before is gone\n6\n"
    );
    assert_eq!(err, "");
}

/// Runs `bscript` in `cwd` with `input` on its standard input (a pipe).
fn run_piped(cwd: &std::path::Path, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_dash_reads_the_program_from_standard_input_once() {
    let module = scratch(
        "stdin_module.bs",
        "export function g(): integer { return 42 }\n",
    );
    let dir = module.parent().unwrap();
    // `-` is standard input; its imports resolve from the working folder.
    let (code, out, err) = run_piped(
        dir,
        &["run", "-"],
        "import { g } from './stdin_module'\nprint(g())\n",
    );
    assert_eq!((code, out.as_str()), (0, "42\n"), "{err}");
    // /dev/stdin is read once too, and as a pipe its imports also resolve from the working
    // folder.
    let (code, out, err) = run_piped(
        dir,
        &["run", "/dev/stdin"],
        "import { g } from './stdin_module'\nprint(g() + 1)\n",
    );
    assert_eq!((code, out.as_str()), (0, "43\n"), "{err}");
    // Errors name it <stdin>.
    let bad = "let x: integer = 1.5\n";
    for command in ["run", "check"] {
        let (code, _, err) = run_piped(dir, &["--error-format", "short", command, "-"], bad);
        assert_eq!(code, 1, "{command}: {err}");
        assert_eq!(
            err, "<stdin>:1:18: error: Type 'float' is not assignable to type 'integer'\n",
            "{command}"
        );
    }
    let (code, _, err) = run_piped(dir, &["check", "-"], "print(1)\n");
    assert_eq!(code, 0, "{err}");
}
