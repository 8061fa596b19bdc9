//! What the data-driven test runners share: finding the cases, running `bscript`, and
//! comparing its output with the expected files.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Whether `program` is on the `PATH`.
pub fn installed(program: &str) -> bool {
    bs_session::find_program(program).is_some()
}

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// Takes `--target NAME` (or `--target=NAME`) out of the arguments, so that the rest can go to
/// libtest-mimic; the default is `$BSCRIPT_TARGET` or `host`.
pub fn split_target_arg() -> (String, Vec<String>) {
    let mut target = std::env::var("BSCRIPT_TARGET").unwrap_or_else(|_| "host".to_string());
    let mut rest = Vec::new();
    let mut args = std::env::args();
    while let Some(a) = args.next() {
        if a == "--target" {
            if let Some(t) = args.next() {
                target = t;
            }
        } else if let Some(t) = a.strip_prefix("--target=") {
            target = t.to_string();
        } else {
            rest.push(a);
        }
    }
    (target, rest)
}

/// Files in `dir` with extension `ext`, sorted by name.
pub fn cases(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        .collect();
    v.sort();
    v
}

/// Runs `bscript` with `args` in `cwd`, feeding `stdin`. With `BSCRIPT_GC_STRESS=1` in the
/// environment, the device collects garbage at every allocation; `BSCRIPT_DYNAMIC=off` turns
/// the dynamic compiler off, `BSCRIPT_DYNAMIC=eager` makes it specialise at the first call.
pub fn bscript(cwd: &Path, args: &[&str], stdin: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bscript"));
    if std::env::var("BSCRIPT_GC_STRESS").is_ok_and(|v| v == "1") {
        cmd.arg("--gc-stress");
    }
    match std::env::var("BSCRIPT_DYNAMIC").as_deref() {
        Ok("off") => {
            cmd.arg("--no-dynamic");
        }
        Ok("eager") => {
            cmd.args(["--jit-thresholds", "1,1"]);
        }
        _ => {}
    }
    cmd.args(args).current_dir(cwd);
    match stdin {
        Some(p) => cmd.stdin(std::fs::File::open(p).expect("stdin file")),
        None => cmd.stdin(Stdio::null()),
    };
    output_within(cmd, CASE_TIMEOUT)
}

/// The longest one case may run: a case that hangs fails instead of stalling the suite.
pub const CASE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// Runs `cmd` to the end and collects its output, killing it (and saying so on its standard
/// error) when it runs longer than `limit`.
pub fn output_within(mut cmd: Command, limit: std::time::Duration) -> Output {
    use std::io::Read;
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("bscript runs");
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = std::time::Instant::now() + limit;
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("wait for bscript") {
            break (status, false);
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            break (child.wait().expect("wait for bscript"), true);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let mut stderr = err_reader.join().unwrap_or_default();
    if timed_out {
        stderr
            .extend_from_slice(format!("\n(killed after {limit:?}: the case hangs)\n").as_bytes());
    }
    Output {
        status,
        stdout,
        stderr,
    }
}

/// Whether the runners bless (`BSCRIPT_BLESS=1` in the environment): they then write the actual
/// output into the expected files instead of comparing.
pub fn bless() -> bool {
    std::env::var("BSCRIPT_BLESS").is_ok_and(|v| v == "1")
}

/// Checks `actual` against the expected file `path` (absent means empty) with [`compare`]. When
/// blessing, writes `actual` into `path` instead (removing the file when `actual` is empty, since
/// an absent file expects nothing); only a failed write is an error then.
pub fn check_expected(what: &str, path: &Path, actual: &str) -> Result<(), String> {
    if !bless() {
        return compare(what, &expected(path), actual);
    }
    if actual.is_empty() {
        if path.exists() {
            std::fs::remove_file(path)
                .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
        return Ok(());
    }
    if expected(path) != actual {
        std::fs::write(path, actual)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The expected contents of `path`, or "" when it does not exist.
pub fn expected(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Compares `actual` with `expected` and describes the difference line by line.
pub fn compare(what: &str, expected: &str, actual: &str) -> Result<(), String> {
    if expected == actual {
        return Ok(());
    }
    let mut msg = format!("{what} differs (- expected, + actual):\n");
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => msg.push_str(&format!("  {x}\n")),
            (x, y) => {
                if let Some(x) = x {
                    msg.push_str(&format!("- {x}\n"));
                }
                if let Some(y) = y {
                    msg.push_str(&format!("+ {y}\n"));
                }
            }
        }
    }
    if expected.lines().eq(actual.lines()) {
        msg.push_str("(the difference is in line endings or a final newline)\n");
    }
    Err(msg)
}

/// A fresh, empty scratch folder for test `test` of the suite `suite`.
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bscript-{suite}-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs bscript in `dir` with no input: (exit status, standard output, standard error).
pub fn bscript_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `text` to `path`, making its folder first.
pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
