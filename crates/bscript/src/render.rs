//! Presentation of errors: compile diagnostics and run-time errors, either rendered with a source
//! excerpt (ariadne) or in the one-line short form `FILE:LINE:COLUMN: error: MESSAGE` that
//! editors and the conformance suite read.

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use bs_frontend::Diagnostic;
use bs_session::{Location, Outcome, RuntimeFailure};

/// How errors are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// A source excerpt with a caret, a label and a hint.
    Rich,
    /// One line per error.
    Short,
}

/// Renders everything an outcome has to say on standard error (nothing for success).
pub fn outcome(
    file: &str,
    source: &str,
    outcome: &Outcome,
    format: ErrorFormat,
    color: bool,
) -> String {
    match outcome {
        Outcome::Ok => String::new(),
        Outcome::CompileError(diags) => diags
            .iter()
            .map(|d| compile_error(file, source, d, format, color))
            .collect(),
        Outcome::RuntimeError(f) => runtime_error(file, f, format, color),
        Outcome::LinkError(m) => format!("{file}: link error: {m}\n"),
        Outcome::DeviceError { message, restarted } => {
            let tail = if *restarted {
                "\nnote: the session starts afresh; everything declared before is gone\n"
            } else {
                "\nnote: the device could not be restarted\n"
            };
            format!("device error: {message}{tail}")
        }
        Outcome::Internal { stage, message } => {
            format!("internal error in stage {stage:?} (please report it): {message}\n")
        }
        Outcome::InModule {
            file,
            source,
            outcome,
        } => self::outcome(file, source, outcome, format, color),
    }
}

fn compile_error(
    file: &str,
    source: &str,
    d: &Diagnostic,
    format: ErrorFormat,
    color: bool,
) -> String {
    let loc = bs_session::locate(file, source, d);
    match format {
        ErrorFormat::Short => format!("{file}:{}:{}: error: {}\n", loc.line, loc.column, d.message),
        ErrorFormat::Rich => {
            let label = d.label.clone().unwrap_or_default();
            excerpt(
                &loc,
                Some(d.code),
                &d.message,
                &label,
                d.hint.as_deref(),
                ReportKind::Error,
                color,
            )
        }
    }
}

fn runtime_error(file: &str, f: &RuntimeFailure, format: ErrorFormat, color: bool) -> String {
    match (&f.location, format) {
        (Some(loc), ErrorFormat::Short) => {
            format!(
                "{}:{}:{}: runtime error: {}\n",
                loc.file, loc.line, loc.column, f.message
            )
        }
        (None, ErrorFormat::Short) => format!("{file}: runtime error: {}\n", f.message),
        (Some(loc), ErrorFormat::Rich) => excerpt(
            loc,
            None,
            &f.message,
            f.label,
            None,
            ReportKind::Custom("Runtime error", ariadne::Color::Red),
            color,
        ),
        // "... in the top-level code of FILE" names the file already.
        (None, ErrorFormat::Rich) if f.message.contains(file) => {
            format!("runtime error: {}\n", f.message)
        }
        (None, ErrorFormat::Rich) => format!("runtime error: {} (in {file})\n", f.message),
    }
}

fn excerpt(
    loc: &Location,
    code: Option<&str>,
    headline: &str,
    label: &str,
    hint: Option<&str>,
    kind: ReportKind<'_>,
    color: bool,
) -> String {
    // The span must lie inside the source, on character boundaries (an error at the end of the
    // input points at its last character).
    let text = &loc.source;
    if text.is_empty() {
        return format!("{}:{}:{}: {headline}\n", loc.file, loc.line, loc.column);
    }
    let mut start = (loc.span.start as usize).min(text.len() - 1);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (loc.span.end as usize).clamp(start + 1, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let id = loc.file.clone();
    let mut label_item = Label::new((id.clone(), start..end));
    // Every excerpt gets a caret line with a label, so that the offending part is marked.
    label_item = label_item.with_message(if label.is_empty() { "here" } else { label });
    let mut report = Report::build(kind, (id.clone(), start..end))
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_message(headline)
        .with_label(label_item);
    if let Some(code) = code {
        report = report.with_code(code);
    }
    if let Some(h) = hint {
        report = report.with_help(h);
    }
    let mut buf = Vec::new();
    let source = Source::from(loc.source.clone());
    if report
        .finish()
        .write((id.clone(), source), &mut buf)
        .is_err()
    {
        return format!("{id}:{}:{}: {headline}\n", loc.line, loc.column);
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    if color { text } else { strip_ansi(&text) }
}

/// Removes terminal colour sequences (`ESC [ … m`), which ariadne writes for custom report
/// kinds even when colours are off.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn colour_sequences_are_removed() {
        assert_eq!(
            super::strip_ansi("\u{1b}[31mRuntime error:\u{1b}[0m x"),
            "Runtime error: x"
        );
    }
}
