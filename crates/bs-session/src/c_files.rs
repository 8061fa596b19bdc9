//! The C files of a project: every `.c` file under the project's source folder and under each
//! installed package's source folder is compiled with the device's C compiler, the objects are
//! merged into one (`cc -r`, so that the files may call each other), and that object is linked
//! into the session like a unit with no entry function, before the program's first unit runs:
//! its code lands in the unit code region, its variables in the data region, and its global
//! symbols are there for the inline C of every later unit.
//!
//! **C per port.** A folder named `ports` inside a source folder holds one folder per port
//! (`ports/host/`, `ports/qemu-mps2-an385/`): only the folder of the session's port is
//! compiled, so that a package can carry the C of each device it supports beside C that is the
//! same for all. Files directly in `ports/` are compiled for every port.
//!
//! The files are compiled once per session, when its first input runs (a REPL does not see
//! later edits). A session whose files did not compile tries again with its next input. A
//! device that was restarted or reset gets the same object linked again.

use std::path::{Path, PathBuf};

use bs_frontend::{Diagnostic, Span};

use crate::Outcome;

/// The project's C files, compiled and merged.
pub(crate) struct CFiles {
    /// The merged object, `None` when the project has no C files.
    pub object: Option<Vec<u8>>,
    /// Whether the object is linked into the device's current session.
    pub linked: bool,
}

/// A C file found in a source folder: the path it is shown with and its absolute path (which
/// the C compiler is given, and names in its messages).
pub(crate) struct CFile {
    pub shown: PathBuf,
    pub absolute: PathBuf,
}

/// The `.c` files under `dirs` for the port `port` (recursively, skipping folders whose names
/// start with `.`, and the folders of other ports under a `ports` folder), in name order, each
/// once even when the folders overlap (a project whose source folder holds its `packages/`).
pub(crate) fn find(dirs: &[PathBuf], port: &str) -> Vec<CFile> {
    let mut found: Vec<CFile> = Vec::new();
    for dir in dirs {
        let mut files = Vec::new();
        walk(dir, port, &mut files);
        files.sort();
        for shown in files {
            let absolute = shown
                .canonicalize()
                .unwrap_or_else(|_| absolute_path(&shown));
            if !found.iter().any(|f| f.absolute == absolute) {
                found.push(CFile { shown, absolute });
            }
        }
    }
    found
}

fn absolute_path(path: &Path) -> PathBuf {
    std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
}

/// The name of the folder that holds one folder of C files per port.
pub const PORTS_FOLDER: &str = "ports";

fn walk(dir: &Path, port: &str, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let in_ports = dir.file_name().is_some_and(|n| n == PORTS_FOLDER);
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let kind = if kind.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(m) => m.file_type(),
                Err(_) => continue,
            }
        } else {
            kind
        };
        if kind.is_dir() {
            if !name.starts_with('.') && (!in_ports || name == port) {
                walk(&path, port, files);
            }
        } else if kind.is_file() && name.ends_with(".c") {
            files.push(path);
        }
    }
}

/// The refusal of a C file named `bs_*.c`, or `None` for any other name.
pub(crate) fn reserved_name(file: &CFile) -> Option<Outcome> {
    let name = file.shown.file_name()?.to_string_lossy().into_owned();
    if !name.starts_with("bs_") {
        return None;
    }
    let source = std::fs::read_to_string(&file.absolute).unwrap_or_default();
    let end = source.chars().next().map_or(0, char::len_utf8) as u32;
    Some(in_file(
        &file.shown,
        source,
        vec![bs_frontend::diag::c_file_reserved_name(
            Span::new(0, end),
            &name,
        )],
    ))
}

/// A compile error `diags` in `file` whose text is `source`.
fn in_file(file: &Path, source: String, diags: Vec<Diagnostic>) -> Outcome {
    Outcome::InModule {
        file: file.display().to_string(),
        source,
        outcome: Box::new(Outcome::CompileError(diags)),
    }
}

/// The C compiler's errors (`stderr`) about `file`, as an outcome about the file they are in:
/// the C file itself, or a header it includes (the first file an error names). Every
/// `FILE:LINE:COLUMN: error: MESSAGE` line about that file becomes a diagnostic at its place;
/// when the compiler names no place, its first message is shown at the start of the C file.
pub(crate) fn compile_errors(file: &CFile, stderr: &str) -> Outcome {
    let mut errors: Vec<(String, usize, usize, String)> = Vec::new();
    for line in stderr.lines() {
        if let Some(error) = parse_error(line) {
            errors.push(error);
        }
    }
    let Some(first) = errors.first().map(|e| e.0.clone()) else {
        let source = std::fs::read_to_string(&file.absolute).unwrap_or_default();
        let message = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("the C compiler failed")
            .trim()
            .to_string();
        return in_file(
            &file.shown,
            source,
            vec![bs_frontend::diag::c_file_rejected(
                Span::new(0, 0),
                &message,
            )],
        );
    };
    let path = PathBuf::from(&first);
    let (shown, source) = if path == file.absolute {
        (
            file.shown.clone(),
            std::fs::read_to_string(&file.absolute).unwrap_or_default(),
        )
    } else {
        (
            shown_path(&path),
            std::fs::read_to_string(&path).unwrap_or_default(),
        )
    };
    let mut diags: Vec<Diagnostic> = Vec::new();
    for (_, line, column, message) in errors.iter().filter(|e| e.0 == first) {
        let span = span_at(&source, *line, *column);
        if !diags
            .iter()
            .any(|d| d.span == span && d.message == *message)
        {
            diags.push(bs_frontend::diag::c_file_rejected(span, message));
        }
    }
    in_file(&shown, source, diags)
}

/// A path relative to the working folder when it is under it, for messages.
fn shown_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// `FILE:LINE:COLUMN: error: MESSAGE` (or `fatal error:`) as its parts.
fn parse_error(line: &str) -> Option<(String, usize, usize, String)> {
    let (place, message) = line
        .split_once(": error: ")
        .or_else(|| line.split_once(": fatal error: "))?;
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line_no = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    // The compiler quotes with typographic quotes in some locales.
    let message = message.trim().replace(['\u{2018}', '\u{2019}'], "'");
    Some((file, line_no, column, message))
}

/// The span of the word at LINE:COLUMN (both from 1, the column in bytes) of `source`, or of
/// one character there; the end of the text when the place lies past it.
fn span_at(source: &str, line: usize, column: usize) -> Span {
    let mut pos = 0;
    for _ in 1..line {
        match source[pos..].find('\n') {
            Some(i) => pos += i + 1,
            None => return Span::new(source.len() as u32, source.len() as u32),
        }
    }
    let line_end = source[pos..].find('\n').map_or(source.len(), |i| pos + i);
    let mut start = (pos + column.saturating_sub(1)).min(line_end);
    while start > 0 && !source.is_char_boundary(start) {
        start -= 1;
    }
    let bytes = source.as_bytes();
    let mut end = start;
    while end < line_end && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    if end == start {
        end = source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
    }
    Span::new(start as u32, end as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sessions_port_folder_is_compiled() {
        let dir = std::env::temp_dir().join(format!("bs-c-files-ports-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in [
            "src/common.c",
            "src/ports/all.c",
            "src/ports/host/h.c",
            "src/ports/host/sub/h2.c",
            "src/ports/qemu-mps2-an385/q.c",
            "src/ports/qemu-mps2-an385/sub/q2.c",
            "src/lib/ports/host/deep.c",
            "src/other/host/not_a_port.c",
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let names = |port: &str| -> Vec<String> {
            find(&[dir.join("src")], port)
                .iter()
                .map(|f| {
                    f.shown
                        .strip_prefix(dir.join("src"))
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(
            names("host"),
            [
                "common.c",
                "lib/ports/host/deep.c",
                "other/host/not_a_port.c",
                "ports/all.c",
                "ports/host/h.c",
                "ports/host/sub/h2.c",
            ]
        );
        assert_eq!(
            names("qemu-mps2-an385"),
            [
                "common.c",
                "other/host/not_a_port.c",
                "ports/all.c",
                "ports/qemu-mps2-an385/q.c",
                "ports/qemu-mps2-an385/sub/q2.c",
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn compiler_errors_are_parsed_with_their_place() {
        assert_eq!(
            parse_error("/p/src/util.c:3:12: error: expected ';' before '}' token"),
            Some((
                "/p/src/util.c".to_string(),
                3,
                12,
                "expected ';' before '}' token".to_string()
            ))
        );
        assert_eq!(
            parse_error("/p/a.c:1:10: fatal error: nope.h: No such file or directory")
                .map(|e| (e.1, e.2)),
            Some((1, 10))
        );
        assert_eq!(
            parse_error("/p/a.c:2:5: warning: unused variable 'x'"),
            None
        );
        assert_eq!(parse_error("/p/a.c: In function 'f':"), None);
    }

    #[test]
    fn a_place_is_the_word_there() {
        let src = "int f(void) {\n  return nope;\n}\n";
        let span = span_at(src, 2, 10);
        assert_eq!(&src[span.start as usize..span.end as usize], "nope");
        let span = span_at(src, 2, 14);
        assert_eq!(&src[span.start as usize..span.end as usize], ";");
        assert_eq!(span_at(src, 9, 1).start as usize, src.len());
    }
}
