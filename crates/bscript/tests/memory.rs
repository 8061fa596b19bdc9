//! Memory that tells the truth: a program whose live data fits the heap does not run out of
//! memory because a dead reference was left in a register or on the stack, and `--memory`
//! refuses a stack too small to run anything.
//!
//! Each case runs the real `bscript` with a 32 KiB heap on the host device and, when QEMU and
//! the ARM compiler are installed, on `qemu-mps2-an385`.

mod common;

use std::path::PathBuf;
use std::process::Output;

const TARGETS: [&str; 2] = ["host", "qemu-mps2-an385"];

/// Whether `target`'s tools are installed (else its cases are skipped).
fn available(target: &str) -> bool {
    if target == "host" {
        return true;
    }
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped on {target}: {tool} is not installed");
            return false;
        }
    }
    true
}

/// Writes `source` as `NAME.bs` in a fresh folder and runs `bscript ARGS… run NAME.bs` there.
fn run(name: &str, args: &[&str], source: &str) -> Output {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("bscript-memory-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let file = format!("{name}.bs");
    std::fs::write(dir.join(&file), source).expect("write the program");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--error-format", "short", "run", &file]);
    let out = common::bscript(&dir, &all, None);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

fn assert_prints(name: &str, out: &Output, expected: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout == expected,
        "{name}: status {:?}\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
}

/// The untyped Sieve of the benchmarks: every iteration allocates an `any[]` of 5,000 boxed
/// values (20 KB), so two never fit a 32 KiB heap together: each iteration's array must be
/// collected once it is dead, although `benchmark` is inlined into the loop and the array's
/// register is reused only after the next allocation.
const UNTYPED_SIEVE: &str = "\
function sieve(flags, size) {
  let primeCount = 0
  for (let i = 2; i <= size; i++) {
    if (flags[i - 1]) {
      primeCount++
      let k = i + i
      while (k <= size) {
        flags[k - 1] = false
        k += i
      }
    }
  }
  return primeCount
}
function benchmark() {
  const flags = new Array(5000, true)
  return sieve(flags, 5000)
}
let total = 0
for (let it = 0; it < 30; it++) {
  total += benchmark()
}
print(total)
";

/// The same with the array declared in the loop's body.
const LOOP_LOCAL: &str = "\
function count(flags) {
  let n = 0
  for (let i = 0; i < flags.length; i++) {
    if (flags[i]) n++
  }
  return n
}
let total = 0
for (let it = 0; it < 30; it++) {
  const flags = new Array(5000, true)
  flags[it] = false
  total += count(flags)
}
print(total)
";

/// With the dynamic compiler off: its profiling wrapper keeps the untyped function out of line,
/// and a copy of the dead array's pointer left in that frame's stack slots is then found by the
/// conservative scan (see the ignored test below).
#[test]
fn dead_arrays_are_collected_in_a_small_heap() {
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let args = ["--target", target, "--memory", "heap=32K", "--no-dynamic"];
        let out = run(&format!("sieve-{target}"), &args, UNTYPED_SIEVE);
        assert_prints("untyped sieve", &out, &format!("{}\n", 669 * 30));
        let out = run(&format!("loop-{target}"), &args, LOOP_LOCAL);
        assert_prints("array local to a loop", &out, &format!("{}\n", 4999 * 30));
    }
}

/// Not yet: with the dynamic compiler on, `sieve` is called through its profiling wrapper (and
/// later its guard) instead of being inlined into the loop, and a stale copy of the previous
/// iteration's array pointer in the stack the out-of-line call used keeps that array alive for
/// the conservative scan; the second iteration runs out of memory. Precise roots would fix it.
#[test]
#[ignore = "a stale pointer in a dead frame's stack slots keeps the dead array alive"]
fn dead_arrays_are_collected_with_the_dynamic_compiler() {
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let args = ["--target", target, "--memory", "heap=32K"];
        let out = run(&format!("sieve-dyn-{target}"), &args, UNTYPED_SIEVE);
        assert_prints("untyped sieve", &out, &format!("{}\n", 669 * 30));
        let out = run(&format!("loop-dyn-{target}"), &args, LOOP_LOCAL);
        assert_prints("array local to a loop", &out, &format!("{}\n", 4999 * 30));
    }
}

/// Not yet: when `count` is typed, GCC inlines it into the loop and keeps a pointer derived
/// from the array (its address without the tag, to read its length) in a callee-saved
/// register, which no `BS_FORGET` names; the second iteration then runs out of memory.
#[test]
#[ignore = "a derived pointer in a callee-saved register still keeps the dead array alive"]
fn dead_arrays_behind_derived_pointers_are_collected() {
    let source = LOOP_LOCAL.replace(
        "function count(flags) {",
        "function count(flags: any[]): integer {",
    );
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let args = ["--target", target, "--memory", "heap=32K"];
        let out = run(&format!("derived-{target}"), &args, &source);
        assert_prints("typed count", &out, &format!("{}\n", 4999 * 30));
    }
}

#[test]
fn a_stack_too_small_for_print_is_refused() {
    for target in TARGETS.into_iter().filter(|t| available(t)) {
        let out = run(
            &format!("stack-{target}"),
            &["--target", target, "--memory", "stack=4K"],
            "print(1)\n",
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("the stack must be at least 5K"),
            "{target}: stack=4K accepted:\n{stderr}"
        );
    }
    // The smallest stack accepted runs print(1) (the host device's stack is the process's own).
    let target = "qemu-mps2-an385";
    if available(target) {
        let args = ["--target", target, "--memory", "stack=5K"];
        let out = run("stack-5k", &args, "print(1)\nprint('a' + 2.5)\n");
        assert_prints("print with a 5K stack", &out, "1\na2.5\n");
    }
}
