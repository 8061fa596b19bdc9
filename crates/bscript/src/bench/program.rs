//! A benchmark program as the suites find it: its versions for each kind of system, the line
//! that sets its iterations, and the line by which it reports its result.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Which suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// The Are We Fast Yet programs (`benchmarks/awfy`).
    Awfy,
    /// The embedded DSP kernels (`benchmarks/dsp`).
    Dsp,
}

impl Suite {
    pub fn folder(self) -> &'static str {
        match self {
            Suite::Awfy => "awfy",
            Suite::Dsp => "dsp",
        }
    }
}

/// One benchmark program and its versions.
pub struct Program {
    /// File stem, e.g. `deltablue`.
    pub stem: String,
    pub typed: PathBuf,
    pub untyped: Option<PathBuf>,
    pub c: Option<PathBuf>,
    pub python: Option<PathBuf>,
}

/// The programs of `suite` in `dir`, in name order.
pub fn programs(dir: &Path, suite: Suite, only: &[String]) -> anyhow::Result<Vec<Program>> {
    let folder = dir.join(suite.folder());
    let mut found = Vec::new();
    let entries = std::fs::read_dir(&folder)
        .with_context(|| format!("cannot read the benchmark folder {}", folder.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "bs") {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !only.is_empty() && !only.contains(&stem) {
                continue;
            }
            let exists = |p: PathBuf| p.is_file().then_some(p);
            found.push(Program {
                untyped: exists(folder.join("untyped").join(format!("{stem}.bs"))),
                c: exists(dir.join("peers/c").join(format!("{stem}.c"))),
                python: exists(dir.join("peers/python").join(format!("{stem}.py"))),
                typed: path,
                stem,
            });
        }
    }
    found.sort_by(|a, b| a.stem.cmp(&b.stem));
    if found.is_empty() {
        bail!("no programs found in {}", folder.display());
    }
    for name in only {
        if !found.iter().any(|p| &p.stem == name) {
            bail!("no program `{name}` in {}", folder.display());
        }
    }
    Ok(found)
}

/// A program's source with its iteration line (`PREFIX N` at the start of a line) set to
/// `iterations`.
pub fn sized_source(
    path: &Path,
    iterations_prefix: &str,
    iterations: u64,
) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (text, found) = set_line(&text, iterations_prefix, iterations);
    if !found {
        return Err(format!(
            "{} has no `{iterations_prefix}N` line",
            path.display()
        ));
    }
    Ok(text)
}

/// A BlueScript program's source with its iteration count set.
pub fn bluescript_source(path: &Path, iterations: u64) -> Result<String, String> {
    sized_source(path, "const iterations = ", iterations)
}

/// The line of a source file that sets `key` (at the start of a line) rewritten to `value`.
fn set_line(text: &str, prefix: &str, value: u64) -> (String, bool) {
    let mut found = false;
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        if !found && line.starts_with(prefix) {
            let rest = line[prefix.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            let _ = write!(out, "{prefix}{value}{rest}");
            found = true;
        } else {
            out.push_str(line);
        }
    }
    (out, found)
}

/// Parses `NAME: ok MICROS` (C, Python) or `NAME: ok` (BlueScript) from a program's output.
pub fn ok_line(output: &str) -> Result<Option<f64>, String> {
    for line in output.lines() {
        if line.contains(": WRONG") {
            return Err(line.trim().to_string());
        }
        if let Some((_, rest)) = line.split_once(": ok") {
            let micros = rest.trim();
            if micros.is_empty() {
                return Ok(None);
            }
            return micros
                .parse::<f64>()
                .map(Some)
                .map_err(|_| format!("unreadable time in `{}`", line.trim()));
        }
    }
    Err(format!(
        "no `: ok` line in the output: {}",
        output.lines().last().unwrap_or("(none)")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iteration_lines_are_rewritten_once() {
        let (t, found) = set_line(
            "a\nconst iterations = 3\nconst iterations = 4\n",
            "const iterations = ",
            250,
        );
        assert!(found);
        assert_eq!(t, "a\nconst iterations = 250\nconst iterations = 4\n");
        let (t, found) = set_line("#define ITERATIONS 3\n", "const iterations = ", 9);
        assert!(!found);
        assert_eq!(t, "#define ITERATIONS 3\n");
    }

    #[test]
    fn ok_lines_give_the_time_or_the_failure() {
        assert_eq!(ok_line("Sieve: ok 1234\n"), Ok(Some(1234.0)));
        assert_eq!(ok_line("Sieve: ok\n"), Ok(None));
        assert!(ok_line("Sieve: WRONG got 1 expected 2\n").is_err());
        assert!(ok_line("something else\n").is_err());
    }
}
