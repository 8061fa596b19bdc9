//! The C back end: turns one checked unit (`bs_frontend::ir::Unit`) into one C file that includes
//! only the runtime's `bs.h`. It does no IO and knows nothing of devices.
//!
//! Layout of the generated file: string literals, declarations of what earlier units define
//! (globals and function slots), this unit's globals, prototypes, the slots of functions first
//! defined here (initialised with their bodies), the bodies, and the entry function
//! `bs_unit_N`, which first points redefined slots at their new bodies and then runs the unit's
//! top-level code.
//!
//! Invariant: JavaScript evaluates operands left to right, C leaves the order open. Whenever a
//! later operand has effects, the operands are evaluated into temporaries first, in order.
//!
//! Modules:
//! - `unit.rs`: the file as a whole (declarations, class descriptors, bodies, the entry function);
//! - `statements.rs`: one function body, statement by statement, loops included;
//! - `expressions.rs`: expressions, places and calls;
//! - `loops.rs`: the loop analyses (which arrays get views, counted loops, affine indices and the
//!   bounds test that lets a counted loop skip its checks), which the printer consumes;
//! - `spelling.rs`: how types, declarations and constants are written in C;
//! - `guards.rs`: specialised copies of a function and the guards in front of them (the dynamic
//!   compiler, docs/dynamic.md);
//! - `symbols.rs`: the C names of the front end's symbols (`c_symbol`) and name mangling.

mod expressions;
mod guards;
mod loops;
mod spelling;
mod statements;
mod symbols;
mod unit;

use bs_frontend::ir::{Local, Symbol, Unit};

pub use symbols::{c_symbol, mangle};

/// The file name that `#line` directives give inline C (the `code` tag), followed by the byte
/// offset of the C text in the unit's source: `bs-inline-c@120`. The C compiler's messages about
/// inline C name it, with lines and columns counted from the start of the C text, so that the
/// session can report them at the template in the program. Only units with inline C have
/// `#line` directives; other units' C is unchanged by them.
pub const INLINE_C_FILE: &str = "bs-inline-c@";

/// The name the generated C file has when it is compiled (bs-toolchain's `unit.c`): after inline
/// C, a `#line` directive gives the rest of the file back its own name and line numbers.
pub const UNIT_C_FILE: &str = "unit.c";

/// The line that stands for the `#line` directive after inline C until the file is complete and
/// its line numbers are known.
const RESUME_MARK: &str = "#line BS_RESUME_UNIT_C";

/// Writes inline C text between `#line` directives: the text is named after its place in the
/// unit's source, and the lines after it get their own name and numbers back.
fn inline_c(out: &mut String, at: bs_frontend::Span, text: impl FnOnce(&mut String)) {
    use std::fmt::Write;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "#line 1 \"{INLINE_C_FILE}{}\"", at.start);
    text(out);
    out.push('\n');
    out.push_str(RESUME_MARK);
    out.push('\n');
}

/// Replaces each [`RESUME_MARK`] line with the `#line` directive that gives the next line its
/// number in the whole file.
fn resolve_line_marks(c: String) -> String {
    if !c.contains(RESUME_MARK) {
        return c;
    }
    let mut out = String::with_capacity(c.len() + 64);
    for (index, line) in c.split_inclusive('\n').enumerate() {
        if line.trim_end() == RESUME_MARK {
            // `#line N` numbers the line after the directive; lines count from 1.
            out.push_str(&format!("#line {} \"{UNIT_C_FILE}\"\n", index + 2));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// How the generated C says where its code comes from: the line of each statement starts (after
/// its indentation) with `/*@START,END*/`, the span in the unit's source of the expression the
/// statement evaluates, and each function's first line with [`NO_SOURCE_MARK`]. The C compiler's
/// line table maps code addresses to lines of `unit.c`, and [`source_lines`] maps those to
/// the source.
const SOURCE_MARK: &str = "/*@";

/// The mark of code that comes from no statement: a function's first line (its prologue),
/// followed by its prototype.
pub(crate) const NO_SOURCE_MARK: &str = "/*@-*/";

/// Writes the mark of a statement at `at` (see [`SOURCE_MARK`]).
pub(crate) fn mark_source(out: &mut String, at: bs_frontend::Span) {
    use std::fmt::Write;
    let _ = write!(out, "{SOURCE_MARK}{},{}*/", at.start, at.end);
}

/// Where the code of each line of a unit's generated C comes from (see [`source_lines`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceLines {
    /// Index: line number in [`UNIT_C_FILE`] less one. The span in the unit's source of the
    /// statement the line's code belongs to (that of the nearest mark at or before it, `None`
    /// before the first mark and at a function's start), and the C function the line is in (an
    /// index into `functions`).
    pub lines: Vec<(Option<bs_frontend::Span>, Option<u32>)>,
    /// The C names of the unit's function bodies, in the order they appear.
    pub functions: Vec<String>,
}

/// Reads the marks of a unit's generated C `c`. Lines of inline C carry their own file name in
/// the line table (see [`INLINE_C_FILE`]) and set nothing.
pub fn source_lines(c: &str) -> SourceLines {
    let mut map = SourceLines::default();
    let mut current = None;
    let mut function = None;
    let mut in_inline_c = false;
    for line in c.lines() {
        let text = line.trim_start();
        if text.starts_with("#line ") {
            in_inline_c = text.contains(INLINE_C_FILE);
        } else if let Some(prototype) = text.strip_prefix(NO_SOURCE_MARK).filter(|_| !in_inline_c) {
            current = None;
            let name = prototype.split('(').next().unwrap_or("");
            let name = name.split_whitespace().last().unwrap_or("");
            function = Some(map.functions.len() as u32);
            map.functions.push(name.trim_start_matches('*').to_string());
        } else if let Some(rest) = text.strip_prefix(SOURCE_MARK).filter(|_| !in_inline_c) {
            if let Some((mark, _)) = rest.split_once("*/") {
                current = mark.split_once(',').and_then(|(start, end)| {
                    Some(bs_frontend::Span::new(
                        start.parse().ok()?,
                        end.parse().ok()?,
                    ))
                });
            }
        }
        map.lines.push((current, function));
    }
    map
}

/// Generates the C source of a unit that shares no string literal with earlier units.
pub fn emit_unit(unit: &Unit) -> String {
    emit_unit_sharing(unit, &|_| false)
}

/// Generates the C source of a unit. A string literal is a global symbol named after its
/// content ([`literal_symbol`]); `defined(symbol)` tells whether an earlier unit on the device
/// defines it already, and then the unit refers to that copy instead of making its own, so that
/// a session that types the same strings again and again does not fill the data region.
pub fn emit_unit_sharing(unit: &Unit, defined: &dyn Fn(&str) -> bool) -> String {
    resolve_line_marks(unit::emit(unit, defined))
}

/// The C source of a unit as [`emit_unit_sharing`] makes it, and, when the unit is large and
/// can be split, up to `max_parts` C files (the second value, else empty) that compile
/// separately, in parallel, into objects that merged (`cc -r`) are the unit: the first part
/// defines the unit's data and holds its entry function, every part some of the bodies, at
/// the line numbers they have in the whole file.
pub fn emit_unit_parts(
    unit: &Unit,
    defined: &dyn Fn(&str) -> bool,
    max_parts: usize,
) -> (String, Vec<String>) {
    let (whole, parts) = unit::emit_split(unit, defined, max_parts);
    (resolve_line_marks(whole), parts)
}

/// The symbol of the string literal with these bytes: `bs_lit_` and a 128-bit FNV-1a hash of
/// the bytes (two different strings get the same name with a chance of about 2^-128).
pub fn literal_symbol(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let hash = bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    format!("bs_lit_{hash:032x}")
}

/// The section of the string literals (`BS_STRING_LITERAL_SHARED` in `bs.h`): values on the
/// device may point into it, so it stays when the rest of a unit's constants are freed.
pub const LITERAL_SECTION: &str = ".rodata.bs_lit";

/// The section of the dynamic compiler's profile records: only their unit's profiling wrappers
/// use them, so they go when its code goes, although they are writable data.
pub const PROFILE_SECTION: &str = ".data.bs_profile";

/// Whether `symbol` names a string literal ([`literal_symbol`]).
pub fn is_literal_symbol(symbol: &str) -> bool {
    symbol.starts_with("bs_lit_")
}

/// The printer's state while one unit is generated.
#[derive(Default)]
struct Gen {
    /// Slot → body of the functions this unit defines: a call through such a slot checks
    /// whether the slot still holds this body and then calls it directly, so that the C
    /// compiler can inline it (a later input may redefine the function, or the dynamic compiler
    /// install a specialised copy: then the slot is used).
    direct: std::collections::HashMap<Symbol, Symbol>,
    /// Slot → profiling wrapper of the profiled functions this unit defines: while the slot
    /// holds the wrapper, a direct call calls it (and once the dynamic compiler has put the
    /// generic body back, the body, inlined, as without profiling).
    wrappers: std::collections::HashMap<Symbol, Symbol>,
    /// Slot → (body, local copy) of the functions a specialised copy's unit inlines
    /// (`Unit::inlined`): a call through such a slot checks whether the slot still holds the
    /// body and then calls the local copy, as a call in `direct` calls the body.
    inlined: std::collections::HashMap<Symbol, (Symbol, Symbol)>,
    /// Local copies of untyped (profiled) functions a specialised copy's unit inlines, by
    /// their symbol (`Symbol::InlineCopy`): a call of one checks whether the slot holds the
    /// function's generic body or profiling wrapper and then calls the local copy with the
    /// typed arguments, else calls the slot with them boxed.
    untyped_inlined: std::collections::HashMap<Symbol, bs_frontend::ir::InlineCopy>,
    /// Method bodies declared in this unit's C file (a method call may name them directly).
    methods: std::collections::HashSet<Symbol>,
    /// The locals of the function being generated.
    locals: Vec<Local>,
    /// The string literals the unit uses, by symbol: their bytes, in order of first use.
    literals: Vec<(String, Vec<u8>)>,
    /// The constant tables of long array literals, placed before everything that uses them.
    tables: String,
    n_tables: usize,
    n_temps: usize,
    /// Arrays of fixed length whose length and elements the loops being generated load once.
    views: loops::Views,
    /// While unchecked copies of counted loops are generated, outermost first (a counted loop
    /// and a counted loop inside it): each loop's plan, and the conditions (C expressions) under
    /// which the accesses it leaves unchecked stay in bounds.
    fast_copy: Vec<FastCopy>,
    /// The C names of the locals that may hold large objects declared in each open scope of the
    /// function being generated, outermost first (see [`Gen::forget_scope`]).
    scopes: Vec<Vec<String>>,
    /// The C type the function being generated returns.
    ret_c_type: &'static str,
    /// While a specialised copy is generated: each parameter and local is marked used (`(void)x;`)
    /// after its declaration, so that the copy compiles with `-Wall -Wextra -Werror` whatever the
    /// program leaves unused.
    mark_used: bool,
    /// `Expr::has_effects` of the expressions asked about, by address (the unit is borrowed,
    /// unchanged, while it is generated).
    effects: std::collections::HashMap<usize, bool>,
}

/// The stack the printer keeps free before going one level deeper into an expression or a
/// statement, and the size of each segment it adds when less is left.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The unchecked copy of a counted loop being generated.
struct FastCopy {
    plan: loops::Counted,
    /// The views opened before the loop (numbered below this): only accesses through them can
    /// be covered by the test before the loop.
    views_before: usize,
    /// The bounds tests of the accesses left unchecked, each once, in the order they appear.
    checks: Vec<String>,
    /// The loop seen from before the counted loop whose unchecked copy holds it (the one below
    /// on the stack), when its index's range is the same on every pass of that loop
    /// ([`loops::LoopAnalysis::counted_from_outside`]): accesses in it can be covered by that
    /// loop's test, made once.
    outside: Option<loops::Counted>,
    /// Whether an access in the loop was covered by the test of the loop holding it.
    covered_outside: bool,
}

impl Gen {
    /// The loop analyses over the function being generated, with the views open here.
    fn loop_analysis(&self) -> loops::LoopAnalysis<'_> {
        loops::LoopAnalysis {
            locals: &self.locals,
            views: &self.views,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bs_frontend::Span;

    #[test]
    fn source_lines_follow_the_marks() {
        let c = "int32_t g;\n\
                 /*@-*/int32_t bs_f_f_1(int32_t l0_x) {\n\
                 \x20   /*@10,20*/g = 1;\n\
                 \x20   {\n\
                 #line 1 \"bs-inline-c@30\"\n\
                 /*@99,100*/ x++;\n\
                 #line 7 \"unit.c\"\n\
                 \x20   }\n\
                 }\n\
                 /*@-*/void bs_unit_1(void) {\n\
                 \x20   /*@40,45*/bs_print(g);\n\
                 }\n";
        let map = source_lines(c);
        let s = |a, b| Some(Span::new(a, b));
        assert_eq!(map.functions, ["bs_f_f_1", "bs_unit_1"]);
        assert_eq!(
            map.lines,
            [
                (None, None),
                (None, Some(0)),
                (s(10, 20), Some(0)),
                (s(10, 20), Some(0)),
                (s(10, 20), Some(0)),
                (s(10, 20), Some(0)),
                (s(10, 20), Some(0)),
                (s(10, 20), Some(0)),
                (s(10, 20), Some(0)),
                (None, Some(1)),
                (s(40, 45), Some(1)),
                (s(40, 45), Some(1)),
            ]
        );
    }
}
