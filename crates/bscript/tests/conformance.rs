//! The conformance suite: every `tests/conformance/NAME.bs` runs with `bscript run` on the chosen
//! target (`--target NAME`, default `host`); its standard output must equal `NAME.out` and its
//! standard error `NAME.err` (short error format), each empty when the file is absent. The exit
//! status must be 2 when a run-time error is expected, 1 for a compile error, 3 for a link
//! error, else 0. A case whose result differs on one target (such as a program that fits the
//! host's memory but not a small device's) has `NAME.TARGET.out` / `NAME.TARGET.err` beside the
//! others: on that target they replace `NAME.out` and `NAME.err`.
//!
//! With `BSCRIPT_BLESS=1` the actual standard output and error are written into `NAME.out` and
//! `NAME.err` instead (an empty one removes the file); the exit status is still checked, against
//! the new `NAME.err`.

mod common;

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let (target, args) = common::split_target_arg();
    let args = Arguments::from_iter(args);
    let dir = common::workspace_root().join("tests/conformance");
    let trials = common::cases(&dir, "bs")
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let dir = dir.clone();
            let target = target.clone();
            Trial::test(name.clone(), move || run_case(&dir, &name, &target))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn run_case(dir: &std::path::Path, name: &str, target: &str) -> Result<(), Failed> {
    let file = format!("{name}.bs");
    let out = common::bscript(
        dir,
        &["--target", target, "--error-format", "short", "run", &file],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The target's own expected files, when the case has any.
    let (err_path, out_path) = {
        let own = |ext: &str| dir.join(format!("{name}.{target}.{ext}"));
        if own("out").exists() || own("err").exists() {
            (own("err"), own("out"))
        } else {
            (
                dir.join(format!("{name}.err")),
                dir.join(format!("{name}.out")),
            )
        }
    };
    let mut problems = Vec::new();
    if let Err(e) = common::check_expected("stdout", &out_path, &stdout) {
        problems.push(e);
    }
    if let Err(e) = common::check_expected("stderr", &err_path, &stderr) {
        problems.push(e);
    }
    // Read after the check: when blessing, the status must match the new expectation, so that
    // a crash (an unexpected status) still fails.
    let want_err = common::expected(&err_path);
    let want_status = if want_err.contains(": runtime error: ") {
        2
    } else if want_err.contains(": error: ") {
        1
    } else if want_err.contains(": link error: ") {
        3
    } else {
        0
    };
    if out.status.code() != Some(want_status) {
        problems.push(format!(
            "exit status {:?}, expected {want_status}",
            out.status.code()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}
