//! The one reader of C `#define NAME VALUE` lines, for the runtime's headers and ports'
//! `bs_port_config.h`: object-like macros whose values are integer expressions (literals with
//! `u`/`l` suffixes, other macros, casts such as `((bs_value)3)`, `+ - * / % << >> & | ^ ~`,
//! comparisons and parentheses, over several lines joined by `\`). Conditionals (`#if`, `#ifdef`,
//! `#ifndef`, `#elif`, `#else`, `#endif`, with `defined`) are followed as the C preprocessor
//! would, given the macros set on the command line (`-D`); function-like macros are skipped.

use std::collections::HashMap;

/// The object-like macros of a C file, as the preprocessor leaves them at its end.
#[derive(Clone, Debug, Default)]
pub struct Defines {
    macros: HashMap<String, String>,
}

impl Defines {
    /// The macros of `text` with nothing set on the command line.
    pub fn parse(text: &str) -> Defines {
        Defines::parse_with(text, &[])
    }

    /// The macros of `text` when compiled with `-DNAME=VALUE` for each of `predefined`.
    pub fn parse_with(text: &str, predefined: &[(&str, u64)]) -> Defines {
        let mut defines = Defines::default();
        for (name, value) in predefined {
            defines.macros.insert((*name).to_owned(), value.to_string());
        }
        // One entry per open conditional: (this branch is active, some branch was taken).
        let mut stack: Vec<(bool, bool)> = Vec::new();
        for line in logical_lines(&strip_comments(text)) {
            let Some(directive) = line.trim_start().strip_prefix('#') else {
                continue;
            };
            let directive = directive.trim_start();
            let (word, rest) = directive
                .split_once(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .map_or((directive, ""), |(w, _)| (w, &directive[w.len()..]));
            let rest = rest.trim();
            let outer = stack.iter().all(|(active, _)| *active);
            match word {
                "if" | "ifdef" | "ifndef" => {
                    let cond = outer
                        && match word {
                            "ifdef" => defines.macros.contains_key(rest),
                            "ifndef" => !defines.macros.contains_key(rest),
                            _ => defines.condition(rest),
                        };
                    stack.push((cond, cond));
                }
                "elif" => {
                    if let Some(&(_, taken)) = stack.last() {
                        let cond = outer_of(&stack) && !taken && defines.condition(rest);
                        *stack.last_mut().expect("checked") = (cond, taken || cond);
                    }
                }
                "else" => {
                    if let Some(&(_, taken)) = stack.last() {
                        let cond = outer_of(&stack) && !taken;
                        *stack.last_mut().expect("checked") = (cond, true);
                    }
                }
                "endif" => {
                    stack.pop();
                }
                "define" if outer => {
                    let name_len = rest
                        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                        .unwrap_or(rest.len());
                    let (name, value) = rest.split_at(name_len);
                    if !name.is_empty() && !value.starts_with('(') {
                        defines
                            .macros
                            .insert(name.to_owned(), value.trim().to_owned());
                    }
                }
                "undef" if outer => {
                    defines.macros.remove(rest);
                }
                _ => {}
            }
        }
        defines
    }

    /// The integer value of macro `name`, when it has one (a macro it uses that is not defined
    /// makes it `None`, as does a negative value).
    pub fn value(&self, name: &str) -> Option<u64> {
        let value = self.eval_macro(name, 0, false)?;
        u64::try_from(value).ok()
    }

    /// The text of macro `name` (comments removed).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.macros.get(name).map(String::as_str)
    }

    /// Every macro's name, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.macros.keys().map(String::as_str)
    }

    /// An `#if` condition: undefined names count as 0, as in C; one that cannot be read is false.
    fn condition(&self, text: &str) -> bool {
        let tokens = tokenize(text);
        let mut parser = Parser {
            defines: self,
            tokens: &tokens,
            pos: 0,
            depth: 0,
            in_condition: true,
        };
        matches!(parser.expr(), Some(v) if v != 0) && parser.pos == tokens.len()
    }

    fn eval_macro(&self, name: &str, depth: u32, in_condition: bool) -> Option<i128> {
        if depth > 16 {
            return None;
        }
        let tokens = tokenize(self.macros.get(name)?);
        let mut parser = Parser {
            defines: self,
            tokens: &tokens,
            pos: 0,
            depth: depth + 1,
            in_condition,
        };
        let value = parser.expr()?;
        (parser.pos == tokens.len()).then_some(value)
    }
}

fn outer_of(stack: &[(bool, bool)]) -> bool {
    stack[..stack.len() - 1].iter().all(|(active, _)| *active)
}

/// `text` with comments replaced by a space (newlines inside block comments kept).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' | '\'' => {
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c || d == '\n' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The lines of `text` with those ending in `\` joined to the next.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(i128),
    Ident(String),
    Punct(&'static str),
    /// Something the reader does not understand (a string, an unknown character).
    Other,
}

const PUNCTS: [&str; 22] = [
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "+", "-", "*", "/", "%", "<", ">",
    "!", "~", "&", "|", "^",
];

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let c = rest.chars().next().expect("not empty");
        let len = if c.is_ascii_alphanumeric() || c == '_' {
            let len = rest
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(rest.len());
            let word = &rest[..len];
            tokens.push(if c.is_ascii_digit() {
                parse_number(word).map_or(Token::Other, Token::Number)
            } else {
                Token::Ident(word.to_owned())
            });
            len
        } else if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            tokens.push(Token::Punct(p));
            p.len()
        } else {
            tokens.push(Token::Other);
            c.len_utf8()
        };
        rest = rest[len..].trim_start();
    }
    tokens
}

/// A C integer literal: decimal, `0x` hexadecimal or octal, with `u`/`l` suffixes.
fn parse_number(word: &str) -> Option<i128> {
    let digits = word.trim_end_matches(['u', 'U', 'l', 'L']);
    if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i128::from_str_radix(hex, 16).ok()
    } else if digits.len() > 1 && digits.starts_with('0') {
        i128::from_str_radix(&digits[1..], 8).ok()
    } else {
        digits.parse().ok()
    }
}

/// Precedence climbing over C's binary operators (all values as `i128`).
struct Parser<'a> {
    defines: &'a Defines,
    tokens: &'a [Token],
    pos: usize,
    depth: u32,
    in_condition: bool,
}

/// Binary operators from the loosest to the tightest binding.
const LEVELS: [&[&str]; 9] = [
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["<<", ">>"],
    &["+", "-"],
];

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<i128> {
        self.binary(0)
    }

    fn binary(&mut self, level: usize) -> Option<i128> {
        if level == LEVELS.len() {
            return self.product();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(Token::Punct(op)) = self.peek() {
            let op = *op;
            if !LEVELS[level].contains(&op) {
                break;
            }
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = match op {
                "||" => i128::from(left != 0 || right != 0),
                "&&" => i128::from(left != 0 && right != 0),
                "|" => left | right,
                "^" => left ^ right,
                "&" => left & right,
                "==" => i128::from(left == right),
                "!=" => i128::from(left != right),
                "<" => i128::from(left < right),
                "<=" => i128::from(left <= right),
                ">" => i128::from(left > right),
                ">=" => i128::from(left >= right),
                "<<" => left.checked_shl(u32::try_from(right).ok()?)?,
                ">>" => left.checked_shr(u32::try_from(right).ok()?)?,
                "+" => left.checked_add(right)?,
                _ => left.checked_sub(right)?,
            };
        }
        Some(left)
    }

    fn product(&mut self) -> Option<i128> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Token::Punct(op @ ("*" | "/" | "%"))) => *op,
                _ => return Some(left),
            };
            self.pos += 1;
            let right = self.unary()?;
            left = match op {
                "*" => left.checked_mul(right)?,
                "/" => left.checked_div(right)?,
                _ => left.checked_rem(right)?,
            };
        }
    }

    fn unary(&mut self) -> Option<i128> {
        if self.eat("-") {
            return self.unary()?.checked_neg();
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("!") {
            return Some(i128::from(self.unary()? == 0));
        }
        if self.eat("~") {
            return Some(!self.unary()?);
        }
        // A cast, `(type) operand`: a name in parentheses that is not a macro, before an operand.
        if let [
            Token::Punct("("),
            Token::Ident(name),
            Token::Punct(")"),
            Token::Number(_) | Token::Ident(_) | Token::Punct("("),
            ..,
        ] = &self.tokens[self.pos..]
            && !self.defines.macros.contains_key(name)
        {
            self.pos += 3;
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<i128> {
        let token = self.peek()?.clone();
        self.pos += 1;
        match token {
            Token::Number(n) => Some(n),
            Token::Punct("(") => {
                let value = self.expr()?;
                self.eat(")").then_some(value)
            }
            Token::Ident(name) if self.in_condition && name == "defined" => {
                let paren = self.eat("(");
                let Some(Token::Ident(name)) = self.peek().cloned() else {
                    return None;
                };
                self.pos += 1;
                if paren && !self.eat(")") {
                    return None;
                }
                Some(i128::from(self.defines.macros.contains_key(&name)))
            }
            Token::Ident(name) => {
                match self
                    .defines
                    .eval_macro(&name, self.depth, self.in_condition)
                {
                    Some(value) => Some(value),
                    None if self.in_condition && !self.defines.macros.contains_key(&name) => {
                        Some(0)
                    }
                    None => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, name: &str) -> Option<u64> {
        Defines::parse(text).value(name)
    }

    #[test]
    fn literals_casts_and_expressions() {
        let text = "#define A 0x01\n#define B 1024 /* bytes */\n#define C 0xB5u // magic\n\
                    #define D ((bs_value)3)\n#define E (16u * 1024u)\n#define F (11 + A)\n\
                    #define G (A << 8) | 2\n#define H 0x10000u\n#define I FOO\n#define J(x) x\n";
        assert_eq!(value(text, "A"), Some(1));
        assert_eq!(value(text, "B"), Some(1024));
        assert_eq!(value(text, "C"), Some(0xB5));
        assert_eq!(value(text, "D"), Some(3));
        assert_eq!(value(text, "E"), Some(16 * 1024));
        assert_eq!(value(text, "F"), Some(12));
        assert_eq!(value(text, "G"), Some(0x102));
        assert_eq!(value(text, "H"), Some(0x10000));
        assert_eq!(value(text, "I"), None);
        assert_eq!(value(text, "J"), None);
        assert_eq!(value(text, "K"), None);
    }

    #[test]
    fn conditionals_and_continued_lines() {
        let text = "/* #define X 9 */\n#ifndef HEAP\n#define HEAP 32\n#endif\n\
                    #if HEAP >= 512\n#define MARK 16\n#elif defined(SMALL)\n#define MARK 0\n\
                    #else\n#define MARK 1\n#endif\n#define TOTAL \\\n    (HEAP + \\\n     MARK)\n\
                    #if 0\n#define HIDDEN 1\n#endif\n";
        let plain = Defines::parse(text);
        assert_eq!(plain.value("HEAP"), Some(32));
        assert_eq!(plain.value("MARK"), Some(1));
        assert_eq!(plain.value("TOTAL"), Some(33));
        assert_eq!(plain.value("X"), None);
        assert_eq!(plain.value("HIDDEN"), None);
        let big = Defines::parse_with(text, &[("HEAP", 1024)]);
        assert_eq!(big.value("MARK"), Some(16));
        assert_eq!(big.value("TOTAL"), Some(1040));
        let small = Defines::parse_with(text, &[("SMALL", 1)]);
        assert_eq!(small.value("MARK"), Some(0));
    }
}
