//! Errors of the C compiler inside inline C (`code` templates) mapped back to the user's source:
//! bs-cgen wraps each template's text in `#line` directives naming its offset in the source,
//! and this module turns the compiler's messages at those places into diagnostics.

use bs_frontend::{Diagnostic, Span};

/// The C compiler's errors about inline C (the `code` tag) in `stderr`, as diagnostics at their
/// places in the unit's `source`: bs-cgen names inline C `bs-inline-c@OFFSET` in `#line`
/// directives (OFFSET is where its text starts in the source), so the compiler's
/// `bs-inline-c@OFFSET:LINE:COLUMN: error: MESSAGE` counts from there. Errors elsewhere in the
/// generated C are bscript's own and are not returned.
pub(crate) fn inline_c_errors(source: &str, stderr: &str) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix(bs_cgen::INLINE_C_FILE) else {
            continue;
        };
        let mut fields = rest.splitn(4, ':');
        let (Some(offset), Some(line_no), Some(column), Some(message)) = (
            fields.next().and_then(|f| f.parse::<usize>().ok()),
            fields.next().and_then(|f| f.parse::<usize>().ok()),
            fields.next().and_then(|f| f.parse::<usize>().ok()),
            fields.next(),
        ) else {
            continue;
        };
        let message = message.trim_start();
        let Some(message) = message
            .strip_prefix("error:")
            .or_else(|| message.strip_prefix("fatal error:"))
        else {
            continue;
        };
        // The compiler quotes with typographic quotes in some locales.
        let message = message.trim().replace(['\u{2018}', '\u{2019}'], "'");
        let span = inline_c_span(source, offset, line_no, column);
        let diag = bs_frontend::diag::inline_c_rejected(span, &message);
        if !diags
            .iter()
            .any(|d| d.span == diag.span && d.message == diag.message)
        {
            diags.push(diag);
        }
    }
    diags.sort_by_key(|d| d.span.start);
    diags
}

/// The span in `source` of the C compiler's LINE:COLUMN (both from 1, the column in bytes) in the
/// inline C whose text starts at byte `offset`: the word there, or one character. A place past
/// the text (the compiler may complain at the `;` bs-cgen adds after it) is the closing backtick.
pub(crate) fn inline_c_span(source: &str, offset: usize, line: usize, column: usize) -> Span {
    let bytes = source.as_bytes();
    let mut pos = offset.min(bytes.len());
    // The text ends at the template's closing backtick (the first one not escaped).
    let mut text_end = bytes.len();
    let mut i = pos;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'`' => {
                text_end = i;
                break;
            }
            _ => {}
        }
        i += 1;
    }
    for _ in 1..line {
        match source[pos..text_end].find('\n') {
            Some(i) => pos += i + 1,
            // Past the text: its end, the closing backtick.
            None => return Span::new(text_end as u32, (text_end + 1).min(bytes.len()) as u32),
        }
    }
    let line_end = source[pos..text_end]
        .find('\n')
        .map_or(text_end, |i| pos + i);
    let mut start = (pos + column.saturating_sub(1)).min(line_end);
    while start > 0 && !source.is_char_boundary(start) {
        start -= 1;
    }
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let mut end = start;
    while end < line_end && word(&bytes[end]) {
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

/// Functions of C's standard input and output: no device offers them to units (on the host
/// device standard output is the link; a board has no operating system behind them).
const STDIO: &[&str] = &[
    "printf", "puts", "putchar", "fputs", "fputc", "putc", "fprintf", "vprintf", "vfprintf",
    "fwrite", "fflush", "perror", "getchar", "scanf", "fgets", "gets", "fopen", "fclose", "write",
    "read",
];

/// The message of a link error, with a hint when inline C called C's standard input or output.
pub(crate) fn link_error_message(e: &bs_link::LinkError) -> String {
    let mut message = e.to_string();
    if let bs_link::LinkError::Undefined { symbols } = e
        && symbols.iter().any(|s| STDIO.contains(&s.symbol.as_str()))
    {
        message.push_str("; C standard input and output are not available to inline C (use print)");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use bs_frontend::line_col;

    const SOURCE: &str = "let a = 1\nfunction f() {\n  code`int x = 1;\n  nope = 2;`\n}\n";

    fn text_start() -> usize {
        SOURCE.find("int x").unwrap()
    }

    #[test]
    fn the_compilers_places_map_to_the_template() {
        let start = text_start();
        let stderr = format!(
            "unit.c: In function 'f':\n{0}{start}:2:3: error: \u{2018}nope\u{2019} undeclared\n\
             {0}{start}:2:3: note: each undeclared identifier is reported only once\n\
             unit.c:40:1: warning: unused\n",
            bs_cgen::INLINE_C_FILE
        );
        let diags = inline_c_errors(SOURCE, &stderr);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "inline C: 'nope' undeclared");
        let span = diags[0].span;
        assert_eq!(&SOURCE[span.start as usize..span.end as usize], "nope");
        let lc = line_col(SOURCE, span.start);
        assert_eq!((lc.line, lc.column), (4, 3));
    }

    #[test]
    fn errors_outside_inline_c_are_not_the_users() {
        let stderr = "unit.c:12:5: error: 'bs_x' undeclared\n";
        assert!(inline_c_errors(SOURCE, stderr).is_empty());
    }

    #[test]
    fn a_place_past_the_text_is_its_closing_backtick() {
        let span = inline_c_span(SOURCE, text_start(), 3, 1);
        assert_eq!(&SOURCE[span.start as usize..span.end as usize], "`");
    }
}
