//! The dynamic compiler end to end (docs/dynamic.md): untyped functions are profiled on the
//! device, specialised on the host and swapped in while the program runs; a redefinition drops
//! the copies; arguments of another type fall back to the generic body and get a copy of their
//! own; and the copies compute what the generic body computes (30-bit boxed integers, boxed
//! floats).
//!
//! Every case runs the real `bscript` on the host device and, when QEMU and the ARM compiler
//! are installed, on `qemu-mps2-an385`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

const TARGETS: [&str; 2] = ["host", "qemu-mps2-an385"];

fn available(target: &str) -> bool {
    target == "host"
        || ["qemu-system-arm", "arm-none-eabi-gcc"]
            .iter()
            .all(|tool| common::installed(tool))
}

/// A fresh folder for one case.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bscript-dynamic-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    dir
}

/// `bscript --target TARGET ARGS… run --jit-report NAME.bs` on `source`.
fn run(target: &str, name: &str, args: &[&str], source: &str) -> Output {
    let dir = folder(name);
    let file = format!("{name}.bs");
    std::fs::write(dir.join(&file), source).expect("write the program");
    let mut all: Vec<&str> = vec!["--target", target, "--error-format", "short"];
    all.extend(args);
    all.extend(["run", "--jit-report", &file]);
    let out = common::bscript(&dir, &all, None);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// `bscript --target TARGET repl` with `input` on a pipe.
fn repl(target: &str, name: &str, input: &str) -> Output {
    let dir = folder(name);
    let path = dir.join("input.txt");
    std::fs::write(&path, input).expect("write the input");
    let out = common::bscript(
        &dir,
        &["--target", target, "--error-format", "short", "repl"],
        Some(Path::new(&path)),
    );
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A hot untyped function called in a loop of one unit: its copy for integers is installed
/// while the program runs, and the result is right.
#[test]
fn a_hot_function_is_specialised_while_the_program_runs() {
    let program = "\
function mix(a, b) {
  let s = 0
  for (let i = 0; i < 100; i++) s = s + a * i - b
  return s
}
let total = 0
for (let k = 0; k < 100000; k++) total = (total + mix(k, 3)) % 1000003
print(total)
";
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let plain = run(target, "plain", &["--no-dynamic"], program);
        let (expected, _) = text(&plain);
        assert!(plain.status.success(), "{target}: {plain:?}");
        let out = run(target, "hot", &[], program);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{target}: {stderr}");
        assert_eq!(stdout, expected, "{target}: the copy computes another result");
        assert!(
            stderr.contains("mix (hot.bs): specialised")
                && stderr.contains("copy 1 for (a: integer, b: integer)")
                && stderr.contains("while the program ran"),
            "{target}: {stderr}"
        );
    }
}

/// Redefining a specialised function in the REPL: the new body runs, and its old copies are
/// gone.
#[test]
fn a_redefinition_drops_the_copies() {
    let input = "\
function scale(a) { return a * 2 }
let s = 0
for (let i = 0; i < 200; i++) s += scale(i)
print(s)
.jit
function scale(a) { return a * 3 }
print(scale(7))
let t = 0
for (let i = 0; i < 200; i++) t += scale(i)
print(t)
.jit
";
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let out = repl(target, "redefine", input);
        let (stdout, stderr) = text(&out);
        assert!(stderr.is_empty(), "{target}: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.first(), Some(&"39800"), "{target}: {stdout}");
        assert!(stdout.contains("\n21\n59700\n"), "{target}: {stdout}");
        // The first report: the first definition specialised; the second: it is redefined and
        // the new one specialised.
        let reports: Vec<&str> = stdout.split("dynamic compiler:").skip(1).collect();
        assert_eq!(reports.len(), 2, "{target}: {stdout}");
        assert!(
            reports[0].contains("scale (<input 1>): specialised")
                && reports[0].contains("copy 1 for (a: integer)"),
            "{target}: {stdout}"
        );
        assert!(
            reports[1].contains("scale (<input 1>): redefined")
                && reports[1].contains("scale (<input 5>): specialised"),
            "{target}: {stdout}"
        );
    }
}

/// One type, then another: the copy for integers turns strings away to the generic body, which
/// gives the right result; once they keep coming, they get a copy of their own. (REPL inputs,
/// so that each copy is in place before the next input, however long its compiler takes.)
#[test]
fn arguments_of_another_type_fall_back_and_get_their_own_copy() {
    let input = "\
function twice(a) { return a + a }
let n = 0
for (let i = 0; i < 100; i++) n += twice(i)
print(n)
let s = ''
for (let i = 0; i < 300; i++) s = twice('ab')
print(s)
print(twice(1.5))
print(twice(3))
.jit
";
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let out = repl(target, "types", input);
        let (stdout, stderr) = text(&out);
        assert!(stderr.is_empty(), "{target}: {stderr}");
        assert!(
            stdout.starts_with("9900\nabab\n3.000000\n6\n"),
            "{target}: {stdout}"
        );
        assert!(
            stdout.contains("copy 1 for (a: integer)") && stdout.contains("copy 2 for (a: string)"),
            "{target}: {stdout}"
        );
        let failed = stdout
            .lines()
            .find(|l| l.contains("copy 1 for"))
            .and_then(|l| l.split("guard failed ").nth(1))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse::<u32>().ok());
        assert!(
            failed.is_some_and(|n| n >= 64),
            "{target}: the guard's failures are not counted: {stdout}"
        );
    }
}

/// A copy computes with the boxed values' rules, not the wider typed ones: products that leave
/// 30 bits wrap as the generic body's do, and tiny floats lose what boxed floats lose.
#[test]
fn copies_keep_the_rules_of_boxed_values() {
    let program = "\
function grow(a, b) {
  let x = a * b
  x = x * b + a
  return x
}
function shrink(f, g) { return (f * g) * 1000000.0 }
let out = 0
for (let i = 0; i < 100; i++) out = grow(40000 + i, 30000)
print(out)
let r = 0.0
for (let i = 0; i < 100; i++) r = shrink(0.0000001, 0.000003)
print(r)
";
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let plain = run(target, "boxed-plain", &["--no-dynamic"], program);
        let eager = run(target, "boxed-eager", &["--jit-thresholds", "1,1"], program);
        let (expected, _) = text(&plain);
        let (stdout, stderr) = text(&eager);
        assert!(plain.status.success() && eager.status.success(), "{target}: {stderr}");
        assert_eq!(stdout, expected, "{target}: {stderr}");
        assert!(stderr.contains("grow (boxed-eager.bs): specialised"), "{target}: {stderr}");
    }
}

/// `--no-dynamic` profiles nothing.
#[test]
fn no_dynamic_profiles_nothing() {
    let out = run(
        "host",
        "off",
        &["--no-dynamic"],
        "function f(a) { return a }\nfor (let i = 0; i < 100; i++) f(i)\nprint(f(2))\n",
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(stdout, "2\n");
    assert!(
        stderr.contains("no untyped functions were profiled"),
        "{stderr}"
    );
}
