//! A look at a unit's text before it goes to the parser, for the shapes that make oxc's
//! TypeScript parser take exponential or quadratic time and memory.
//!
//! After an expression, `<` may open type arguments (`f<T>(x)`), and where an expression starts
//! it may open an arrow function's type parameters (`<T>(x: T) => x`), so the parser tries to
//! read types from there and goes back when that fails. Two shapes make that blow up:
//!
//! - a `<` followed by a bracket, nested in the brackets of another such `<` (`{[s<[(` many
//!   times): every level tries the levels below it more than once, so the work grows
//!   exponentially with the nesting (14 levels, 84 characters, took 4 s and 1.7 GB);
//! - a long run of `<` with nothing between them that ends a type (`s<s<s<…`): every `<` reads
//!   types up to the end of the run, so the work grows with the square of its length (8,000
//!   of them took over 20 s and 4 GB).
//!
//! Real programs nest a handful of such brackets and close their type arguments, so both get a
//! bound far above what they use, and an input past it gets a diagnostic instead of a parse.

use crate::diag::{self, Diagnostic};
use crate::span::Span;

/// How many nested brackets (the unit's top level counts as one) may each hold a `<` that may
/// open type arguments and that nothing has ended yet.
pub const MAX_ANGLE_LEVELS: usize = 8;

/// How many `<` that may open type arguments may follow one another without a `>` or an
/// operator that no type contains.
pub const MAX_ANGLE_RUN: usize = 64;

/// The first place where `source` passes one of the bounds, as a diagnostic.
pub fn check(source: &str) -> Option<Diagnostic> {
    let bytes = source.as_bytes();
    // `<` not yet ended, per open bracket; the first entry is the top level.
    let mut levels: Vec<u32> = vec![0];
    // How many entries of `levels` are not 0.
    let mut active = 0;
    // `<` since the last `>` or type-ending operator, at any level.
    let mut run = 0;
    // The last byte that was not white space or part of a comment.
    let mut last = b' ';
    // The depth of `levels` at each open `${` of a template.
    let mut templates: Vec<usize> = Vec::new();
    let mut i = 0;
    // Ends the `<` of the innermost level: a speculation stops at what no type contains.
    let end_level = |levels: &mut Vec<u32>, active: &mut usize| {
        if let Some(top) = levels.last_mut() {
            if *top > 0 {
                *top = 0;
                *active -= 1;
            }
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if next == b'/' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if next == b'*' => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'\'' | b'"' => {
                // A string ends at its quote or, unterminated, at the end of the line (where
                // the parser ends it too).
                i += 1;
                while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                i = template_text(bytes, i + 1, &mut levels, &mut templates);
                last = b'`';
                continue;
            }
            b'(' | b'[' | b'{' => levels.push(0),
            b')' | b']' | b'}' => {
                if levels.len() > 1 && levels.pop().is_some_and(|n| n > 0) {
                    active -= 1;
                }
                if c == b'}' && templates.last() == Some(&levels.len()) {
                    // The end of a template's `${…}`: its text goes on.
                    templates.pop();
                    i = template_text(bytes, i + 1, &mut levels, &mut templates);
                    last = b'`';
                    continue;
                }
                // A block or an object ends a type unless an operator on types follows it (a
                // name after `}`, as after `if (a < b) {}`, cannot continue one).
                let after = bytes[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
                if c == b'}'
                    && !matches!(after, Some(b'|' | b'&' | b'[' | b',' | b'>' | b'=' | b'.'))
                {
                    run = 0;
                    end_level(&mut levels, &mut active);
                }
            }
            // After a name or a bracket, `<` may open type arguments; where an expression
            // starts, type parameters of an arrow function (`<T>(x: T) => x`) or a type
            // assertion: either way a speculation.
            b'<' if next != b'=' && next != b'<' && last != b'<' => {
                let at = Span::new(i as u32, i as u32 + 1);
                run += 1;
                if run > MAX_ANGLE_RUN {
                    return Some(diag::angle_run_too_long(at, MAX_ANGLE_RUN));
                }
                let top = levels.last_mut().expect("the top level stays");
                *top += 1;
                if *top == 1 {
                    active += 1;
                    if active > MAX_ANGLE_LEVELS {
                        return Some(diag::angles_too_deep(at, MAX_ANGLE_LEVELS));
                    }
                }
            }
            b'>' if next != b'=' => {
                run = run.saturating_sub(1);
                if let Some(top) = levels.last_mut() {
                    if *top > 0 {
                        *top -= 1;
                        if *top == 0 {
                            active -= 1;
                        }
                    }
                }
            }
            // No type holds these: a speculation stops at them.
            b'+' | b'*' | b'/' | b'%' | b'!' | b';' | b'^' | b'~' => {
                run = 0;
                end_level(&mut levels, &mut active);
            }
            b'=' if next != b'>' => {
                run = 0;
                end_level(&mut levels, &mut active);
            }
            b'&' | b'|' if next == c => {
                run = 0;
                end_level(&mut levels, &mut active);
            }
            _ => {}
        }
        last = c;
        i += 1;
    }
    None
}

/// Skips a template's text from `i`, up to its closing backquote or a `${`; at a `${` the code
/// in it starts a level of its own (`templates` says where: its `}` goes back to the text).
/// Returns the index after the backquote or the `${` (or the end of `bytes`).
fn template_text(
    bytes: &[u8],
    mut i: usize,
    levels: &mut Vec<u32>,
    templates: &mut Vec<usize>,
) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return i + 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                templates.push(levels.len());
                levels.push(0);
                return i + 2;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_programs_pass() {
        for source in [
            "let a = new Array<integer[]>(3, [])\nif (a.length < (b + 1)) { print(a) }",
            "const m: Map<string, Array<Map<string, integer>>> = x",
            "for (let i = 0; i < n; i++) { if (a[i] < (b[i] < (c[i] < 2 ? 1 : 0) ? 1 : 0)) {} }",
            "// s<[s<[s<[s<[s<[s<[s<[s<[s<[s<[\nlet s = 's<[s<[s<[s<[s<[s<[s<[s<[s<[s<['",
            "let t = `a ${x < y ? `b ${p < q} c` : 'd'} e ${[1].length < 2}` + f < g",
        ] {
            assert!(check(source).is_none(), "{source}");
        }
        let many: String = (0..200).map(|i| format!("if (x < y{i}) {{}}\n")).collect();
        assert!(check(&many).is_none());
    }

    #[test]
    fn nested_brackets_holding_angles_are_refused_where_they_pass_the_bound() {
        let source = "{[s<[(".repeat(MAX_ANGLE_LEVELS + 1);
        let d = check(&source).expect("refused");
        let last = source.rfind('<').unwrap() as u32;
        assert_eq!(d.span, Span::new(last, last + 1));
        assert!(check(&"{[s<[(".repeat(MAX_ANGLE_LEVELS)).is_none());
        // Code in a template counts, and an unterminated string ends at its line.
        let t = format!("`${{{}", "{[s<[(".repeat(MAX_ANGLE_LEVELS + 1));
        assert!(check(&t).is_some());
        let q = format!("'\n{}", "{[s<[(".repeat(MAX_ANGLE_LEVELS + 1));
        assert!(check(&q).is_some());
        // A fuzz finding: `<` where an expression starts (`[<[(`) speculates too.
        assert!(check(&"([[[{[[<[(".repeat(MAX_ANGLE_LEVELS + 1)).is_some());
        // A fuzz finding: the bracket comes after a name after the `<`.
        assert!(check(&"Y<h[!prate[[[{[s<<s[{[".repeat(MAX_ANGLE_LEVELS + 1)).is_some());
        // Closed ones do not count.
        assert!(check(&"a < (1) + ".repeat(100)).is_none());
    }

    #[test]
    fn long_runs_of_angles_are_refused() {
        assert!(check(&"s<".repeat(MAX_ANGLE_RUN + 1)).is_some());
        assert!(check(&"(s<".repeat(MAX_ANGLE_RUN + 1)).is_some());
        assert!(check(&"s<".repeat(MAX_ANGLE_RUN)).is_none());
        assert!(check(&"a < b + ".repeat(1000)).is_none());
        assert!(check(&("Array<".repeat(40) + &">".repeat(40))).is_none());
    }
}
