//! REPL transcript tests: every `tests/repl/NAME.in` is typed into `bscript repl` through a pipe;
//! standard output must equal `NAME.out` and standard error `NAME.err` (short error format),
//! each empty when the file is absent. As for the conformance cases, `NAME.TARGET.out` and
//! `NAME.TARGET.err` replace them on target TARGET when the transcript has either.
//!
//! With `BSCRIPT_BLESS=1` the actual standard output and error are written into `NAME.out` and
//! `NAME.err` instead (an empty one removes the file).

mod common;

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let (target, args) = common::split_target_arg();
    let args = Arguments::from_iter(args);
    let dir = common::workspace_root().join("tests/repl");
    let trials = common::cases(&dir, "in")
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
    let input = dir.join(format!("{name}.in"));
    let out = common::bscript(
        dir,
        &["--target", target, "--error-format", "short", "repl"],
        Some(&input),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems = Vec::new();
    // The target's own expected files, when the transcript has any.
    let own = |ext: &str| dir.join(format!("{name}.{target}.{ext}"));
    let suffix = if own("out").exists() || own("err").exists() {
        format!(".{target}")
    } else {
        String::new()
    };
    let out_path = dir.join(format!("{name}{suffix}.out"));
    if let Err(e) = common::check_expected("stdout", &out_path, &stdout) {
        problems.push(e);
    }
    let err_path = dir.join(format!("{name}{suffix}.err"));
    if let Err(e) = common::check_expected("stderr", &err_path, &stderr) {
        problems.push(e);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}
