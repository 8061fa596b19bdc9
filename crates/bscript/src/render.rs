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
    // Only the lines of the span are given to ariadne, and a long line is cut around the span:
    // a unit with thousands of errors on one long line renders each in time of a short excerpt.
    let shown = Shown::of(text, start, end);
    let (start, end) = (
        shown.start + shown.line_offset,
        shown.end + shown.line_offset,
    );
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
    // The lines before the shown ones are left empty: ariadne's gutter numbers lines from the
    // start of what it is given.
    let padded = "\n".repeat(shown.line_offset) + &shown.text;
    let source = Source::from(padded);
    if report
        .finish()
        .write((id.clone(), source), &mut buf)
        .is_err()
    {
        return format!("{id}:{}:{}: {headline}\n", loc.line, loc.column);
    }
    let mut text = String::from_utf8_lossy(&buf).into_owned();
    if let Some(column) = shown.column {
        // ariadne counts the column in the cut line; the heading names the real one.
        let line = shown.line_offset + 1;
        text = text.replacen(
            &format!("{id}:{line}:{column}"),
            &format!("{id}:{line}:{}", loc.column),
            1,
        );
    }
    if color { text } else { strip_ansi(&text) }
}

/// The part of a source an excerpt shows: whole lines around a span, or a window of one long
/// line, with the span's offsets in it.
struct Shown {
    text: String,
    start: usize,
    end: usize,
    /// Lines before the shown ones.
    line_offset: usize,
    /// When the line was cut: the span's column (from 1) in the cut text.
    column: Option<usize>,
}

impl Shown {
    /// A line wider than this is cut around the span.
    const WIDE: usize = 200;
    /// Characters of context kept on each side of the span in a cut line.
    const CONTEXT: usize = 60;
    /// The most of a span shown in a cut line.
    const SPAN: usize = 80;

    fn of(text: &str, start: usize, end: usize) -> Shown {
        let first = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let last = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let line_offset = text.as_bytes()[..first]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        let whole = Shown {
            text: text[first..last].to_string(),
            start: start - first,
            end: end - first,
            line_offset,
            column: None,
        };
        if last - first <= Self::WIDE || text[start..end].contains('\n') {
            return whole;
        }
        let floor = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let ceil = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i += 1;
            }
            i
        };
        let from = floor(start.saturating_sub(Self::CONTEXT).max(first));
        let end = ceil(end.min(start + Self::SPAN)).max(start + 1);
        let to = ceil((end + Self::CONTEXT).min(last));
        let head = if from > first { "…" } else { "" };
        let tail = if to < last { "…" } else { "" };
        let shown = format!("{head}{}{tail}", &text[from..to]);
        let start = head.len() + start - from;
        let column = shown[..start].chars().count() + 1;
        Shown {
            text: shown,
            end: head.len() + end - from,
            start,
            line_offset,
            column: Some(column),
        }
    }
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
    use super::Shown;

    #[test]
    fn an_excerpt_shows_only_the_lines_of_its_span() {
        let text = "let a = 1\nlet b = 'x' +\n  2\nprint(b)\n";
        let start = text.find("'x'").unwrap();
        let end = text.find("2\n").unwrap() + 1;
        let shown = Shown::of(text, start, end);
        assert_eq!(shown.text, "let b = 'x' +\n  2");
        assert_eq!(&shown.text[shown.start..shown.end], "'x' +\n  2");
        assert_eq!(shown.line_offset, 1);
        assert_eq!(shown.column, None);
    }

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let text = format!(
            "let a = [{}'é', 7{}]\n",
            "1, ".repeat(300),
            ", 2".repeat(300)
        );
        let start = text.find("'é'").unwrap();
        let shown = Shown::of(&text, start, start + "'é'".len());
        assert!(shown.text.starts_with('…') && shown.text.ends_with('…'));
        assert_eq!(&shown.text[shown.start..shown.end], "'é'");
        assert!(shown.text.chars().count() < 140, "{}", shown.text);
        assert_eq!(shown.column, Some(62));
        assert_eq!(shown.line_offset, 0);
    }

    #[test]
    fn rendering_a_cut_line_names_the_real_column() {
        let source = format!("let a: integer[] = [{}'s']\n", "1, ".repeat(300));
        let start = source.find("'s'").unwrap();
        let loc = bs_session::Location {
            file: "f.bs".into(),
            source: source.clone(),
            span: bs_frontend::Span::new(start as u32, start as u32 + 3),
            line: 1,
            column: start as u32 + 1,
        };
        let text = super::excerpt(
            &loc,
            None,
            "bad",
            "this",
            None,
            ariadne::ReportKind::Error,
            false,
        );
        assert!(text.contains(&format!("f.bs:1:{}", start + 1)), "{text}");
        assert!(text.lines().all(|l| l.chars().count() < 160), "{text}");
    }

    #[test]
    fn colour_sequences_are_removed() {
        assert_eq!(
            super::strip_ansi("\u{1b}[31mRuntime error:\u{1b}[0m x"),
            "Runtime error: x"
        );
    }
}
