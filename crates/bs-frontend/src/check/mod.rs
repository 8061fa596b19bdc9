//! The checker: lowers oxc's AST of one unit into the typed IR, checking every rule of the
//! language on the way. It carries on after an error so that one run reports every independent
//! error of the unit; an expression that failed to check yields `None` and errors that would
//! only follow from it are not reported.
//!
//! Order of work for a unit:
//! 1. collect the unit's top-level functions and variables (so that function bodies may use
//!    names declared later in the file);
//! 2. infer, on demand, the result type of functions without an annotation and the type of
//!    top-level variables without one (with diagnostics switched off);
//! 3. check every statement in source order, producing the IR.
//!
//! This file holds the public entry points and the checker's state. Its methods are spread over
//! the folder by the part of the language they check: `program` (the unit as a whole),
//! `statements`, `expressions`, `calls`, `assignment`, `members` (properties, methods, indexing,
//! `new`, array literals), `classes` (classes and enums) and `closures` (arrow functions and
//! inline C), with `names` (scopes and name lookup), `flow` (narrowing along the control flow)
//! and `annotations` (type annotations).

use std::collections::{HashMap, HashSet};

use oxc_allocator::Allocator;
use oxc_ast::ast;
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

mod angles;
mod annotations;
mod assignment;
mod calls;
mod classes;
mod closures;
mod expressions;
mod flow;
mod members;
mod names;
mod profile;
mod program;
mod specialise;
mod statements;

use crate::diag::{self, Diagnostic};
use crate::env::{Env, Global};
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};

pub use crate::ir::ProfileThresholds;
use expressions::{CoerceCtx, boxed};
use names::{LocalBinding, Name};
pub use profile::CheckOptions;
pub use program::imported_names;
use program::{TopItem, UnitName, always_returns};
pub use specialise::{SpecialiseRequest, specialise};
use statements::has_zero_value;

/// What a successful check produces.
#[derive(Clone, Debug)]
pub struct Checked {
    pub unit: Unit,
    /// Top-level names the unit exports (`export function …`).
    pub exported: Vec<String>,
    /// The names this unit adds to (or replaces in) the session's environment.
    pub declared: Vec<(String, Global)>,
}

/// Session-wide numbers the checker hands out: run-time check sites and class ids.
#[derive(Clone, Copy, Debug)]
pub struct Counters {
    pub next_site: u32,
    pub next_class: u32,
    /// The next id for a property name used through `any`.
    pub next_name: u32,
}

impl Default for Counters {
    fn default() -> Self {
        Counters {
            next_site: 1,
            next_class: FIRST_PROGRAM_CLASS,
            next_name: BUILTIN_NAMES.len() as u32,
        }
    }
}

/// Property names with fixed ids (bs_dynamic.c in the runtime), in id order.
pub const BUILTIN_NAMES: &[&str] = &bs_abi::BuiltinName::NAMES;

/// How deeply expressions and statements may nest in one unit (see docs/semantics.md). The
/// checker itself copes with any depth; the bound is for the C compiler, whose time grows with
/// the square of the nesting depth of the C it is given.
pub const MAX_NESTING: u32 = 25_000;

/// The stack the checker keeps free before going one level deeper, and the size of each
/// segment it adds when less is left.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// The stack oxc's recursive-descent parser is given: enough for the deepest nesting a source
/// of this length can hold (each level takes at least one character).
fn parse_stack_size(source: &str) -> usize {
    const PER_CHAR: usize = 2 * 1024;
    (source.len().saturating_mul(PER_CHAR)).clamp(STACK_SEGMENT, 1 << 36)
}

/// The first class id the host gives out (`BS_FIRST_PROGRAM_CLASS` in bs.h).
pub const FIRST_PROGRAM_CLASS: u32 = bs_abi::FIRST_PROGRAM_CLASS;

/// Checks one unit against the session environment. Site numbers and class ids are taken from
/// `counters`, which is advanced past the ones used when the unit checks.
pub fn check_unit(
    source: &str,
    env: &Env,
    unit_id: u32,
    counters: &mut Counters,
) -> Result<Checked, Vec<Diagnostic>> {
    check_unit_with(source, env, unit_id, counters, &CheckOptions::default())
}

/// [`check_unit`] with options: with `options.profile`, the unit's untyped top-level functions
/// get profile records and wrappers (`ir::FuncDef::profile`, see `profile.rs`).
pub fn check_unit_with(
    source: &str,
    env: &Env,
    unit_id: u32,
    counters: &mut Counters,
    options: &CheckOptions,
) -> Result<Checked, Vec<Diagnostic>> {
    if let Some(d) = angles::check(source) {
        return Err(vec![d]);
    }
    let allocator = Allocator::default();
    let parsed = stacker::grow(parse_stack_size(source), || {
        Parser::new(&allocator, source, SourceType::ts()).parse()
    });
    if !parsed.diagnostics.is_empty() || parsed.panicked {
        let mut diags: Vec<Diagnostic> = parsed
            .diagnostics
            .iter()
            .map(|d| {
                let span = d.labels.first().map_or(Span::default(), |l| {
                    Span::new(l.offset(), l.offset() + l.len())
                });
                diag::syntax(span, &d.message, d.help.as_deref())
            })
            .collect();
        if diags.is_empty() {
            diags.push(diag::syntax(Span::default(), "the parser gave up", None));
        }
        diags.sort_by_key(|d| d.span.start);
        return Err(diags);
    }
    let mut checker = Checker::new(env, unit_id, *counters);
    checker.profile = options.profile;
    let unit = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
        checker.check_program(&parsed.program)
    });
    checker.int32_never_boxed(&unit);
    if checker.diags.found.is_empty() {
        *counters = checker.ids;
        Ok(Checked {
            unit,
            exported: checker.out.exported.clone(),
            declared: checker.declared(),
        })
    } else {
        let mut diags = checker.diags.found;
        diags.sort_by_key(|d| d.span.start);
        diags.dedup();
        Err(diags)
    }
}

fn sp(s: oxc_span::Span) -> Span {
    Span::from(s)
}

/// The state of the body being checked.
#[derive(Default)]
struct FnCtx {
    locals: Vec<Local>,
    scopes: Vec<HashMap<String, LocalBinding>>,
    /// The declared or inferred result type; `None` for top-level code.
    ret: Option<Type>,
    /// While inferring a result type: the type of the first `return`.
    first_return: Option<Option<Type>>,
    loop_depth: u32,
    top_level: bool,
    /// The class whose method or constructor is being checked (`this` is local 0).
    this_class: Option<String>,
    /// Inside a constructor.
    in_ctor: bool,
    /// The body is an arrow function (local 0 is the function value itself).
    is_arrow: bool,
    /// Variables of enclosing bodies this arrow function captures, by slot.
    captures: Vec<closures::Capture>,
    /// What is known about nullable variables at the point reached (see `flow`).
    narrowing: flow::Narrowing,
}

/// The checker's state for one unit. Apart from the session's view (`env`, `unit_id`, `ids`),
/// it is in four parts: the diagnostics, the unit's own declarations, what the unit produces
/// besides its bodies, and the bodies being checked (`f` and the ones enclosing it).
struct Checker<'e, 'a> {
    /// The session's environment, read only.
    env: &'e Env,
    unit_id: u32,
    /// Session-wide numbers, advanced past the ones this unit hands out.
    ids: Counters,
    diags: Diags,
    decls: UnitDecls<'a>,
    out: UnitOut,
    /// The body being checked.
    f: FnCtx,
    /// Bodies enclosing the arrow function being checked, innermost last.
    outer: Vec<FnCtx>,
    /// Result types inferred for arrow functions without an annotation, by the arrow's span:
    /// each arrow's body is inferred once, not once per enclosing arrow's pass (which made
    /// nested arrows exponential). An entry holds only while what the arrow sees is unchanged:
    /// the table is emptied when the outermost arrow is done and around each inference of a
    /// top-level name, a method's result or an initial value's type (whose cycle guards make
    /// names look untyped for a while).
    arrow_results: HashMap<(u32, u32), Type>,
    /// How deeply the expression or statement being checked is nested.
    depth: u32,
    /// Whether `depth` has gone past `MAX_NESTING` (reported once).
    too_deep: bool,
    /// The thresholds of profiled functions, when the unit is profiled (`profile.rs`).
    profile: Option<crate::ir::ProfileThresholds>,
}

/// The diagnostics found so far, and the quiet mode of type inference.
#[derive(Default)]
struct Diags {
    found: Vec<Diagnostic>,
    /// Non-zero while a type is being inferred: diagnostics are dropped, and so is what the unit
    /// would otherwise keep (arrow functions, trampolines, inline C, external references).
    quiet: u32,
    /// Whether the innermost quiet inference also takes back the class ids handed out during
    /// it (an arrow function's, an initial value's or a method's result; not a top-level
    /// function's or variable's, which keep them). Inside such an inference an arrow function
    /// whose result type is known needs no second look at its body: nothing of it is kept.
    discards_classes: bool,
}

/// The unit's own top-level declarations.
#[derive(Default)]
struct UnitDecls<'a> {
    /// Functions and variables, by name.
    names: HashMap<String, UnitName<'a>>,
    /// The names of `names` in source order.
    order: Vec<String>,
    /// Unit variables whose declaration top-level code has passed.
    visible: HashSet<String>,
    /// Names whose type is being inferred (to stop cycles).
    inferring: HashSet<String>,
    /// Classes declared by this unit (filled in as their members are collected).
    classes: HashMap<String, crate::env::ClassInfo>,
    class_decls: Vec<&'a ast::Class<'a>>,
    /// Enums declared by this unit.
    enums: HashMap<String, Vec<(String, i32)>>,
}

/// What the unit produces besides the bodies it checks: the other parts of its `ir::Unit`.
#[derive(Default)]
struct UnitOut {
    /// Run-time check sites handed out, with their spans.
    sites: Vec<(u32, Span)>,
    /// Array types given a class id by this unit.
    array_classes: Vec<(u32, Type)>,
    /// `array_classes` by type, so that finding a type's id does not compare it with every
    /// array type given out before (nested array literals would make that cubic).
    array_class_index: HashMap<Type, u32>,
    /// Property names given an id by this unit.
    prop_names: Vec<(String, u32)>,
    /// Arrow functions of the unit (lifted to functions of their own).
    arrows: Vec<(Symbol, FnSig, Function)>,
    /// Trampolines for top-level functions used as values: symbol, slot, signature.
    trampolines: Vec<(Symbol, Symbol, FnSig)>,
    /// Inline C at the top level of the unit.
    native_top: Vec<(String, Span)>,
    /// Names the unit exports.
    exported: Vec<String>,
    /// Names of other units this unit uses, each once (`extern_set` holds their symbols).
    externs: Vec<ExternRef>,
    extern_set: HashSet<Symbol>,
}

impl<'e> Checker<'e, '_> {
    fn new(env: &'e Env, unit_id: u32, counters: Counters) -> Self {
        Checker {
            env,
            unit_id,
            ids: counters,
            diags: Diags::default(),
            decls: UnitDecls::default(),
            out: UnitOut::default(),
            f: FnCtx::default(),
            outer: Vec::new(),
            arrow_results: HashMap::new(),
            depth: 0,
            too_deep: false,
            profile: None,
        }
    }

    fn error(&mut self, d: Diagnostic) {
        if self.diags.quiet == 0 {
            self.diags.found.push(d);
        }
    }

    fn forget_arrow_results(&mut self) {
        self.arrow_results.clear();
    }

    /// Forgets the array classes given out after the first `len` (after a quiet inference).
    fn truncate_array_classes(&mut self, len: usize) {
        for (_, t) in self.out.array_classes.drain(len..) {
            self.out.array_class_index.remove(&t);
        }
    }

    /// Runs `f` one nesting level deeper: on a stack grown as needed, and with an error once the
    /// nesting passes `MAX_NESTING` (which bounds the depth of the IR for the later stages).
    fn nested<R>(&mut self, span: Span, f: impl FnOnce(&mut Self) -> Option<R>) -> Option<R> {
        if self.depth >= MAX_NESTING {
            if !self.too_deep {
                self.too_deep = true;
                self.diags
                    .found
                    .push(diag::nesting_too_deep(span, MAX_NESTING));
            }
            return None;
        }
        self.depth += 1;
        let out = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || f(self));
        self.depth -= 1;
        out
    }

    fn site(&mut self, span: Span) -> u32 {
        let n = self.ids.next_site;
        self.ids.next_site += 1;
        self.out.sites.push((n, span));
        n
    }
}

fn ast_expr_span(e: &ast::Expression<'_>) -> oxc_span::Span {
    e.span()
}

/// The module paths a unit imports (`import … from 'PATH'`), in order, with their spans; syntax
/// errors are left to `check_unit`.
pub fn import_sources(source: &str) -> Vec<(String, Span)> {
    if angles::check(source).is_some() {
        return Vec::new();
    }
    let allocator = Allocator::default();
    let parsed = stacker::grow(parse_stack_size(source), || {
        Parser::new(&allocator, source, SourceType::ts()).parse()
    });
    parsed
        .program
        .body
        .iter()
        .filter_map(|s| match s {
            // `import type …` is ignored: it loads no module (section 5.3).
            ast::Statement::ImportDeclaration(i) if !i.import_kind.is_type() => {
                Some((i.source.value.as_str().to_string(), sp(i.source.span)))
            }
            _ => None,
        })
        .collect()
}
