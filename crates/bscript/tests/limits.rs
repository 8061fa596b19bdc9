//! Deeply nested and very long inputs: each gives a result or a clear diagnostic, never a crash
//! of the compiler (a stack overflow aborts it with a signal), and nested arrow functions and
//! array literals are checked in time linear in their depth, not exponential or cubic.
//!
//! The programs are generated into a temporary folder and run with the real `bscript` binary
//! on the host device and, when QEMU and the ARM compiler are installed, on
//! `qemu-mps2-an385` (one session per case).

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

const QEMU_TARGET: &str = "qemu-mps2-an385";

/// A fresh folder for one case's program.
fn case_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bscript-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    dir
}

/// Writes `source` as `NAME.bs` in a fresh folder and runs `bscript ARGS… NAME.bs` there.
fn run_source(name: &str, args: &[&str], source: &str) -> Output {
    let dir = case_dir(name);
    let file = format!("{name}.bs");
    std::fs::write(dir.join(&file), source).expect("write the program");
    let mut all: Vec<&str> = args.to_vec();
    all.push(&file);
    let start = Instant::now();
    let out = common::bscript(&dir, &all, None);
    eprintln!("{name} ({}): {:.2?}", args.join(" "), start.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// Asserts that the compiler ended normally (a result, exit 0, or diagnostics, exit 1) and
/// did not abort; returns its standard output.
fn ended_normally(name: &str, out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for word in ["panicked", "overflow", "fatal runtime error"] {
        assert!(
            !stderr.contains(word),
            "{name}: the compiler crashed ({word}):\n{stderr}"
        );
    }
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{name}: ended with {:?} (a signal or an unexpected status)\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    stdout
}

/// Runs `source` and asserts that it printed `expected`.
fn runs_to(name: &str, args: &[&str], source: &str, expected: &str) {
    let out = run_source(name, args, source);
    let stdout = ended_normally(name, &out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim_end(), expected, "{name}: wrong output");
}

fn nested_parens(n: usize) -> String {
    format!("print({}1{});\n", "(".repeat(n), ")".repeat(n))
}

fn nested_blocks(n: usize) -> String {
    format!("{}print(1);{}\n", "{".repeat(n), "}".repeat(n))
}

fn long_sum(n: usize) -> String {
    format!("print({});\n", vec!["1"; n].join(" + "))
}

fn long_array(n: usize) -> String {
    let elements: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    format!(
        "let a = [{}];\nprint(a.length);\nprint(a[{}]);\n",
        elements.join(", "),
        n - 1
    )
}

fn nested_arrows(n: usize) -> String {
    format!("let f = {}1;\nprint(1);\n", "() => ".repeat(n))
}

fn nested_array_literals(n: usize) -> String {
    format!("let a = {}1{};\nprint(1);\n", "[".repeat(n), "]".repeat(n))
}

#[test]
fn host_10000_nested_parentheses() {
    runs_to("parens", &["run"], &nested_parens(10_000), "1");
}

#[test]
fn host_5000_nested_blocks() {
    runs_to("blocks", &["run"], &nested_blocks(5_000), "1");
}

#[test]
fn host_20000_term_sum() {
    runs_to("sum", &["run"], &long_sum(20_000), "20000");
}

#[test]
fn host_5000_element_array_literal() {
    runs_to("array", &["run"], &long_array(5_000), "5000\n4999");
}

/// Past the nesting bound, a diagnostic that points at where the bound is passed.
#[test]
fn nesting_past_the_bound_is_a_diagnostic() {
    let n = bs_frontend::MAX_NESTING as usize + 5_000;
    for (name, source) in [
        ("deep-sum", long_sum(n)),
        ("deep-parens", nested_parens(n)),
        ("deep-blocks", nested_blocks(n)),
    ] {
        let out = run_source(name, &["check"], &source);
        ended_normally(name, &out);
        assert_eq!(out.status.code(), Some(1), "{name}: should not compile");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("BS0127") && stderr.contains(&format!("{name}.bs:1:")),
            "{name}: expected the nesting diagnostic with its place:\n{stderr}"
        );
    }
}

/// Whether the QEMU target's tools are installed (else its cases are skipped).
fn qemu_installed() -> bool {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return false;
        }
    }
    true
}

#[test]
fn qemu_deep_inputs() {
    if !qemu_installed() {
        return;
    }
    let target = ["run", "--target", QEMU_TARGET];
    runs_to("qemu-parens", &target, &nested_parens(10_000), "1");
    runs_to("qemu-blocks", &target, &nested_blocks(5_000), "1");
    runs_to("qemu-sum", &target, &long_sum(20_000), "20000");
    // 5,000 integers do not fit the board's 16 KiB data region: a bigger device.
    let bigger = ["run", "--target", QEMU_TARGET, "--memory", "data=64K"];
    runs_to("qemu-array", &bigger, &long_array(5_000), "5000\n4999");
}

/// Checks `source` in-process on a thread of its own, failing when that takes longer than
/// `limit` (the thread of a check that never ends is left behind); returns the time taken.
fn check_within(name: &str, source: String, limit: Duration) -> Duration {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let start = Instant::now();
        let env = bs_frontend::Env::new();
        let mut counters = bs_frontend::Counters::default();
        let result = bs_frontend::check_unit(&source, &env, 1, &mut counters);
        let _ = tx.send((start.elapsed(), result.is_ok()));
    });
    match rx.recv_timeout(limit) {
        Ok((took, ok)) => {
            eprintln!("{name}: checked in {took:.2?}");
            assert!(ok, "{name}: should check");
            took
        }
        Err(_) => panic!("{name}: checking took longer than {limit:?}"),
    }
}

/// Generous bounds: the point is linear against exponential or cubic time, not speed.
const CHECK_LIMIT: Duration = Duration::from_secs(5);

#[test]
fn forty_nested_arrows_check_quickly() {
    check_within("40 nested arrows", nested_arrows(40), CHECK_LIMIT);
}

#[test]
fn thousand_nested_array_literals_check_quickly() {
    check_within(
        "1000 nested array literals",
        nested_array_literals(1_000),
        CHECK_LIMIT,
    );
}

#[test]
fn deep_inputs_check_with_the_cli() {
    for (name, source) in [
        ("check-parens", nested_parens(10_000)),
        ("check-sum", long_sum(20_000)),
        ("check-arrows", nested_arrows(40)),
    ] {
        let out = run_source(name, &["check"], &source);
        ended_normally(name, &out);
        assert_eq!(out.status.code(), Some(0), "{name}: should check");
    }
}

/// Inputs that once made the parser take exponential time and gigabytes of memory (a fuzz
/// finding: `{[s<[(` nested), or quadratic time (a long run of `s<`): each gets its diagnostic at
/// once, with the place where the bound was passed.
#[test]
fn angle_brackets_that_would_make_the_parser_backtrack_are_refused_at_once() {
    for (name, source, message, column) in [
        (
            "angles-nested",
            "{[s<[(".repeat(14),
            "nested brackets each hold a `<`",
            52,
        ),
        (
            "angles-run",
            format!("let v = {}1\n", "s<".repeat(8_000)),
            "`<` follow one another",
            138,
        ),
    ] {
        let start = Instant::now();
        let out = run_source(name, &["--error-format", "short", "check"], &source);
        let took = start.elapsed();
        ended_normally(name, &out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{name}.bs:1:{column}: error: ")) && stderr.contains(message),
            "{name}: {stderr}"
        );
        assert!(took < Duration::from_secs(2), "{name}: took {took:?}");
    }
}

/// Twenty thousand errors on one long line render with short excerpts, each cut around its
/// place, in bounded time and memory (each used to show the whole line: minutes and gigabytes).
#[test]
fn many_errors_on_one_long_line_render_quickly() {
    let name = "many-errors";
    let source = format!(
        "function f(): integer {{ return 0 }}\nlet z = {}\n",
        vec!["f(1)"; 20_000].join(" + ")
    );
    let start = Instant::now();
    let out = run_source(name, &["check"], &source);
    let took = start.elapsed();
    ended_normally(name, &out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.matches("wrong number of arguments").count(), 20_000);
    // The last error's heading names its real column; its excerpt is cut to a short window.
    let last = 9 + 7 * 19_999;
    assert!(
        stderr.contains(&format!("{name}.bs:2:{last} ]")),
        "no heading for column {last}"
    );
    let widest = stderr.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest < 200, "an excerpt line of {widest} characters");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
