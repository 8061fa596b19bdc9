//! The dynamic compiler's profiling on a real device (`docs/dynamic.md`): each
//! `tests/profiling/NAME.bs` runs with `bscript run` and profiling on (with the thresholds of
//! [`CASES`] in `--jit-thresholds`) on the chosen target (`--target NAME`,
//! default `host`); its standard output must equal `NAME.out`. The programs read their profile
//! records with inline C, so they show that calls are counted and signatures recorded; they do
//! not link without profiling.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};

/// Each case and its thresholds (`--jit-thresholds CALLS,REPEATS`).
const CASES: &[(&str, &str)] = &[("routes", "100,5"), ("report", "1,1")];

fn main() {
    let (target, args) = common::split_target_arg();
    let args = Arguments::from_iter(args);
    let trials = CASES
        .iter()
        .map(|&(name, thresholds)| {
            let target = target.clone();
            Trial::test(name, move || run_case(name, thresholds, &target))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn run_case(name: &str, thresholds: &str, target: &str) -> Result<(), Failed> {
    let dir = common::workspace_root().join("tests/profiling");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_bscript"));
    cmd.args(["--target", target, "--error-format", "short"])
        .args(["--jit-thresholds", thresholds, "run"])
        .arg(format!("{name}.bs"))
        .current_dir(&dir)
        .stdin(std::process::Stdio::null());
    let out = common::output_within(cmd, std::time::Duration::from_secs(120));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("exit status {:?}: {stderr}", out.status.code()).into());
    }
    common::check_expected("stdout", &dir.join(format!("{name}.out")), &stdout)
        .map_err(Failed::from)
}
