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

use std::collections::{HashMap, HashSet};

use oxc_allocator::Allocator;
use oxc_ast::ast;
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

mod annotations;
mod assignment;
mod calls;
mod classes;
mod closures;
mod expressions;
mod members;
mod names;
mod program;
mod statements;

use crate::diag::{self, Diagnostic};
use crate::env::{Env, Global};
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};

use expressions::{CoerceCtx, boxed};
use names::{LocalBinding, Name};
use program::{TopItem, UnitName, always_returns};
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

/// Property names with fixed ids (bs_dynamic.c in the runtime).
pub const BUILTIN_NAMES: &[&str] = &[
    "length",
    "startsWith",
    "endsWith",
    "substring",
    "push",
    "pop",
    "unshift",
    "shift",
];

/// The first class id the host gives out (`BS_FIRST_PROGRAM_CLASS` in bs.h).
pub const FIRST_PROGRAM_CLASS: u32 = 16;

/// Checks one unit against the session environment. Site numbers and class ids are taken from
/// `counters`, which is advanced past the ones used when the unit checks.
pub fn check_unit(
    source: &str,
    env: &Env,
    unit_id: u32,
    counters: &mut Counters,
) -> Result<Checked, Vec<Diagnostic>> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::ts()).parse();
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
    let unit = checker.check_program(&parsed.program);
    if checker.diags.is_empty() {
        counters.next_site = checker.next_site;
        counters.next_class = checker.next_class;
        counters.next_name = checker.next_name;
        Ok(Checked {
            unit,
            exported: checker.exported.clone(),
            declared: checker.declared(),
        })
    } else {
        let mut diags = checker.diags;
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
}

struct Checker<'e, 'a> {
    env: &'e Env,
    unit_id: u32,
    diags: Vec<Diagnostic>,
    /// Diagnostics are dropped while this is non-zero (type inference).
    quiet: u32,
    next_site: u32,
    next_class: u32,
    sites: Vec<(u32, Span)>,
    names: HashMap<String, UnitName<'a>>,
    /// Classes declared by this unit (filled in as their members are collected).
    classes: HashMap<String, crate::env::ClassInfo>,
    class_decls: Vec<&'a ast::Class<'a>>,
    /// Enums declared by this unit.
    enums: HashMap<String, Vec<(String, i32)>>,
    /// Array types given a class id by this unit.
    array_classes: Vec<(u32, Type)>,
    /// Bodies enclosing the arrow function being checked, innermost last.
    outer: Vec<FnCtx>,
    /// Arrow functions of the unit (lifted to C functions).
    arrows: Vec<(String, FnSig, Function)>,
    /// Trampolines for top-level functions used as values: symbol, slot, signature.
    trampolines: Vec<(String, String, FnSig)>,
    /// Inline C at the top level of the unit.
    native_top: Vec<String>,
    /// Names the unit exports.
    exported: Vec<String>,
    next_name: u32,
    /// Property names given an id by this unit.
    prop_names: Vec<(String, u32)>,
    order: Vec<String>,
    /// Unit variables whose declaration top-level code has passed.
    visible: HashSet<String>,
    /// Names whose type is being inferred (to stop cycles).
    inferring: HashSet<String>,
    externs: Vec<ExternRef>,
    extern_set: HashSet<String>,
    f: FnCtx,
}

impl<'e, 'a> Checker<'e, 'a> {
    fn new(env: &'e Env, unit_id: u32, counters: Counters) -> Self {
        Checker {
            env,
            unit_id,
            diags: Vec::new(),
            quiet: 0,
            next_site: counters.next_site,
            next_class: counters.next_class,
            next_name: counters.next_name,
            prop_names: Vec::new(),
            sites: Vec::new(),
            names: HashMap::new(),
            classes: HashMap::new(),
            class_decls: Vec::new(),
            enums: HashMap::new(),
            array_classes: Vec::new(),
            outer: Vec::new(),
            arrows: Vec::new(),
            trampolines: Vec::new(),
            native_top: Vec::new(),
            exported: Vec::new(),
            order: Vec::new(),
            visible: HashSet::new(),
            inferring: HashSet::new(),
            externs: Vec::new(),
            extern_set: HashSet::new(),
            f: FnCtx::default(),
        }
    }

    fn error(&mut self, d: Diagnostic) {
        if self.quiet == 0 {
            self.diags.push(d);
        }
    }

    fn site(&mut self, span: Span) -> u32 {
        let n = self.next_site;
        self.next_site += 1;
        self.sites.push((n, span));
        n
    }
}

fn ast_expr_span(e: &ast::Expression<'_>) -> oxc_span::Span {
    e.span()
}

/// The module paths a unit imports (`import … from 'PATH'`), in order, with their spans; syntax
/// errors are left to `check_unit`.
pub fn import_sources(source: &str) -> Vec<(String, Span)> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::ts()).parse();
    parsed
        .program
        .body
        .iter()
        .filter_map(|s| match s {
            ast::Statement::ImportDeclaration(i) => {
                Some((i.source.value.as_str().to_string(), sp(i.source.span)))
            }
            _ => None,
        })
        .collect()
}
