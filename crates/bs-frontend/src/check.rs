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
use oxc_syntax::operator::{
    AssignmentOperator, BinaryOperator, LogicalOperator, UnaryOperator, UpdateOperator,
};

mod classes;
mod closures;
mod members;

use crate::diag::{self, Diagnostic};
use crate::env::{Env, Global, mangle};
use crate::ir::*;
use crate::span::Span;
use crate::types::{Coercion, FnSig, Type, assignable, common_super_type};

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

/// A top-level item of a unit, with `export` looked through.
#[derive(Clone, Copy)]
enum TopItem<'a> {
    Func(&'a ast::Function<'a>),
    Var(&'a ast::VariableDeclaration<'a>),
    Class(&'a ast::Class<'a>),
    Enum(&'a ast::TSEnumDeclaration<'a>),
    Import(&'a ast::ImportDeclaration<'a>),
    Stmt(&'a ast::Statement<'a>),
}

/// A top-level name declared by the unit being checked.
#[derive(Clone, Debug)]
enum UnitName<'a> {
    Var {
        ty: Option<Type>,
        mutable: bool,
        symbol: String,
        decl: &'a ast::VariableDeclarator<'a>,
    },
    Func {
        params: Vec<Type>,
        ret: Option<Type>,
        slot: String,
        body: String,
        redefines: bool,
        decl: &'a ast::Function<'a>,
    },
}

#[derive(Clone, Debug)]
struct LocalBinding {
    id: LocalId,
    mutable: bool,
    /// A narrower type than the local's own (inside `if (x != null)`).
    narrowed: Option<Type>,
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

#[derive(Clone, Copy)]
enum CoerceCtx {
    Assign,
    Argument,
    Return,
}

enum Name {
    Local(LocalBinding, Type),
    Var {
        ty: Type,
        mutable: bool,
        symbol: String,
        external: bool,
    },
    Func {
        sig: FnSig,
        slot: String,
        external: bool,
    },
    /// A variable of an enclosing body, captured by the arrow function being checked.
    Captured {
        index: u32,
        ty: Type,
        mutable: bool,
    },
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

    fn declared(&self) -> Vec<(String, Global)> {
        let mut out = Vec::new();
        for name in &self.order {
            match &self.names[name] {
                UnitName::Var {
                    ty,
                    mutable,
                    symbol,
                    ..
                } => out.push((
                    name.clone(),
                    Global::Var {
                        ty: ty.clone().unwrap_or(Type::Any),
                        mutable: *mutable,
                        symbol: symbol.clone(),
                    },
                )),
                UnitName::Func {
                    params,
                    ret,
                    slot,
                    body,
                    ..
                } => out.push((
                    name.clone(),
                    Global::Func {
                        sig: FnSig {
                            params: params.clone(),
                            ret: ret.clone().unwrap_or(Type::Void),
                        },
                        slot: slot.clone(),
                        body: body.clone(),
                    },
                )),
            }
        }
        let mut enums: Vec<_> = self.enums.iter().collect();
        enums.sort();
        for (name, members) in enums {
            out.push((
                name.clone(),
                Global::Enum {
                    members: members.clone(),
                },
            ));
        }
        let mut classes: Vec<_> = self.classes.values().collect();
        classes.sort_by_key(|c| c.id);
        for c in classes {
            out.push((c.name.clone(), Global::Class(c.clone())));
        }
        out
    }

    // ---------------------------------------------------------------------------------------
    // The program
    // ---------------------------------------------------------------------------------------

    /// The unit's top-level items, exported declarations unwrapped (their names are recorded
    /// as exported).
    fn top_items(&mut self, body: &'a [ast::Statement<'a>]) -> Vec<TopItem<'a>> {
        let mut items = Vec::new();
        for stmt in body {
            let item = match stmt {
                ast::Statement::FunctionDeclaration(f) => TopItem::Func(f),
                ast::Statement::VariableDeclaration(v) => TopItem::Var(v),
                ast::Statement::ClassDeclaration(c) => TopItem::Class(c),
                ast::Statement::TSEnumDeclaration(e) => TopItem::Enum(e),
                ast::Statement::ImportDeclaration(i) => TopItem::Import(i),
                ast::Statement::ExportDeclaration(e) => match &e.declaration {
                    ast::Declaration::FunctionDeclaration(f) => {
                        self.export(f.id.as_ref().map(|i| i.name.as_str()));
                        TopItem::Func(f)
                    }
                    ast::Declaration::VariableDeclaration(v) => {
                        for d in &v.declarations {
                            if let ast::BindingPattern::BindingIdentifier(id) = &d.id {
                                self.export(Some(id.name.as_str()));
                            }
                        }
                        TopItem::Var(v)
                    }
                    ast::Declaration::ClassDeclaration(c) => {
                        self.export(c.id.as_ref().map(|i| i.name.as_str()));
                        TopItem::Class(c)
                    }
                    ast::Declaration::TSEnumDeclaration(en) => {
                        self.export(Some(en.id.name.as_str()));
                        TopItem::Enum(en)
                    }
                    ast::Declaration::TSTypeAliasDeclaration(_) => continue,
                    _ => {
                        self.error(diag::unsupported_syntax(sp(e.span), "ExportDeclaration"));
                        continue;
                    }
                },
                other => TopItem::Stmt(other),
            };
            items.push(item);
        }
        items
    }

    fn export(&mut self, name: Option<&str>) {
        if let Some(n) = name {
            self.exported.push(n.to_string());
        }
    }

    /// `import { a, b } from './m'`: the module must declare and export each name.
    fn check_import(&mut self, import: &'a ast::ImportDeclaration<'a>) {
        let source = import.source.value.as_str();
        let Some(module) = self.env.modules.get(source).cloned() else {
            self.error(diag::module_not_found(sp(import.source.span), source));
            return;
        };
        for spec in import.specifiers.iter().flatten() {
            let ast::ImportDeclarationSpecifier::ImportSpecifier(s) = spec else {
                self.error(diag::unsupported_import(sp(import.span)));
                continue;
            };
            let imported = match &s.imported {
                ast::ModuleExportName::IdentifierName(n) => n.name.as_str(),
                ast::ModuleExportName::IdentifierReference(n) => n.name.as_str(),
                ast::ModuleExportName::StringLiteral(l) => l.value.as_str(),
            };
            if s.local.name.as_str() != imported {
                self.error(diag::import_rename(sp(s.span)));
                continue;
            }
            if !module.declared.iter().any(|n| n == imported) {
                self.error(diag::import_not_found(sp(s.span), imported, &module.name));
            } else if !module.exported.iter().any(|n| n == imported) {
                self.error(diag::import_not_exported(
                    sp(s.span),
                    imported,
                    &module.name,
                ));
            }
        }
    }

    fn check_program(&mut self, program: &'a ast::Program<'a>) -> Unit {
        let items = self.top_items(&program.body);
        self.collect(&items);
        // Infer every missing type now, in source order, so that errors and results do not
        // depend on the order of use.
        for name in self.order.clone() {
            match &self.names[&name] {
                UnitName::Func { ret: None, .. } => {
                    self.func_sig(&name);
                }
                UnitName::Var { ty: None, .. } => {
                    self.var_type(&name);
                }
                _ => {}
            }
        }

        let mut functions = Vec::new();
        let mut globals = Vec::new();
        let mut classes = Vec::new();
        self.f = FnCtx {
            top_level: true,
            ..FnCtx::default()
        };
        self.f.scopes.push(HashMap::new());
        let mut body = Vec::new();
        for item in &items {
            let stmt = match *item {
                TopItem::Func(func) if is_code_declaration(func) => continue,
                TopItem::Func(func) => {
                    if let Some(def) = self.check_function(func) {
                        functions.push(def);
                    }
                    continue;
                }
                TopItem::Var(decl) => {
                    self.check_global_decl(decl, &mut globals, &mut body);
                    continue;
                }
                TopItem::Class(class) => {
                    if let Some(def) = self.check_class(class, &mut body) {
                        classes.push(def);
                    }
                    continue;
                }
                TopItem::Enum(_) => continue,
                TopItem::Import(import) => {
                    self.check_import(import);
                    continue;
                }
                TopItem::Stmt(stmt) => stmt,
            };
            if let Some(s) = self.check_stmt(stmt) {
                body.push(s);
            }
        }
        let top = std::mem::take(&mut self.f);
        Unit {
            id: self.unit_id,
            entry_symbol: format!("bs_unit_{}", self.unit_id),
            globals,
            functions,
            externs: std::mem::take(&mut self.externs),
            classes,
            arrows: std::mem::take(&mut self.arrows),
            native_top: std::mem::take(&mut self.native_top),
            names: self.prop_names.clone(),
            trampolines: std::mem::take(&mut self.trampolines),
            array_classes: {
                let arrays = self.array_classes.clone();
                arrays
                    .into_iter()
                    .map(|(id, ty)| {
                        let elem = match &ty {
                            Type::Array(e) => self.element_class_id(e),
                            _ => 0,
                        };
                        (id, ty, elem)
                    })
                    .collect()
            },
            body: Function {
                locals: top.locals,
                body,
            },
            sites: std::mem::take(&mut self.sites),
        }
    }

    /// Step 1: the unit's top-level names.
    fn collect(&mut self, items: &[TopItem<'a>]) {
        self.collect_types(items);
        for item in items {
            match *item {
                TopItem::Func(func) => self.collect_function(func),
                TopItem::Var(decl) => {
                    if decl.kind != ast::VariableDeclarationKind::Let
                        && decl.kind != ast::VariableDeclarationKind::Const
                    {
                        continue; // reported when the statement is checked
                    }
                    for d in &decl.declarations {
                        let ast::BindingPattern::BindingIdentifier(id) = &d.id else {
                            continue;
                        };
                        let name = id.name.as_str().to_string();
                        if self.env.get(&name).is_some() || self.names.contains_key(&name) {
                            self.error(diag::already_declared(sp(id.span), &name));
                            continue;
                        }
                        let ty = match &d.type_annotation {
                            Some(t) => self.resolve_type(&t.type_annotation),
                            None if d.init.is_none() => Some(Type::Any),
                            None => None,
                        };
                        let symbol = format!("bs_g_{}", mangle(&name));
                        self.order.push(name.clone());
                        self.names.insert(
                            name,
                            UnitName::Var {
                                ty,
                                mutable: decl.kind == ast::VariableDeclarationKind::Let,
                                symbol,
                                decl: d,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_function(&mut self, func: &'a ast::Function<'a>) {
        let Some(id) = &func.id else { return };
        if is_code_declaration(func) {
            return;
        }
        let name = id.name.as_str().to_string();
        if self.names.contains_key(&name) {
            self.error(diag::already_declared(sp(id.span), &name));
            return;
        }
        let mut params = Vec::new();
        for p in &func.params.items {
            let ty = match &p.type_annotation {
                Some(t) => self.resolve_type(&t.type_annotation).unwrap_or(Type::Any),
                None => Type::Any,
            };
            params.push(ty);
        }
        let ret = func
            .return_type
            .as_ref()
            .map(|t| self.resolve_type(&t.type_annotation).unwrap_or(Type::Any));
        let mangled = mangle(&name);
        let body = format!("bs_f_{}_{}", mangled, self.unit_id);
        let (slot, redefines) = match self.env.get(&name) {
            None => (format!("bs_fp_{mangled}"), false),
            Some(Global::Func { slot, .. }) => (slot.clone(), true),
            Some(Global::Var { .. } | Global::Enum { .. } | Global::Class(_)) => {
                self.error(diag::already_declared(sp(id.span), &name));
                return;
            }
        };
        if self.classes.contains_key(&name) || self.enums.contains_key(&name) {
            self.error(diag::already_declared(sp(id.span), &name));
            return;
        }
        self.order.push(name.clone());
        self.names.insert(
            name,
            UnitName::Func {
                params,
                ret,
                slot,
                body,
                redefines,
                decl: func,
            },
        );
    }

    /// The signature of a function of this unit, inferring its result type if needed.
    fn func_sig(&mut self, name: &str) -> Option<FnSig> {
        let UnitName::Func {
            params, ret, decl, ..
        } = self.names.get(name)?.clone()
        else {
            return None;
        };
        if let Some(ret) = ret {
            return Some(FnSig { params, ret });
        }
        if !self.inferring.insert(name.to_string()) {
            // A recursive use while its own result type is being inferred.
            return None;
        }
        let saved_f = std::mem::take(&mut self.f);
        let saved_sites = (self.next_site, self.sites.len());
        self.quiet += 1;
        self.f = FnCtx {
            first_return: Some(None),
            ..FnCtx::default()
        };
        self.f.scopes.push(HashMap::new());
        for (p, ty) in decl.params.items.iter().zip(&params) {
            if let ast::BindingPattern::BindingIdentifier(id) = &p.pattern {
                self.declare_local(id.name.as_str(), ty.clone(), true, sp(id.span));
            }
        }
        if let Some(body) = &decl.body {
            for s in &body.statements {
                self.check_stmt(s);
            }
        }
        let inferred = self.f.first_return.take().flatten().unwrap_or(Type::Void);
        self.quiet -= 1;
        self.f = saved_f;
        self.next_site = saved_sites.0;
        self.sites.truncate(saved_sites.1);
        self.inferring.remove(name);
        if let Some(UnitName::Func { ret, .. }) = self.names.get_mut(name) {
            *ret = Some(inferred.clone());
        }
        Some(FnSig {
            params,
            ret: inferred,
        })
    }

    /// The type of a top-level variable of this unit, inferring it from its initial value.
    fn var_type(&mut self, name: &str) -> Option<Type> {
        let UnitName::Var { ty, decl, .. } = self.names.get(name)?.clone() else {
            return None;
        };
        if let Some(ty) = ty {
            return Some(ty);
        }
        // A fully annotated arrow function has its type without looking at its body (so that it
        // can call itself).
        if let Some(t) = decl
            .init
            .as_ref()
            .and_then(|e| self.annotated_arrow_type(e))
        {
            if let Some(UnitName::Var { ty, .. }) = self.names.get_mut(name) {
                *ty = Some(t.clone());
            }
            return Some(t);
        }
        if !self.inferring.insert(name.to_string()) {
            return None;
        }
        let saved_f = std::mem::take(&mut self.f);
        let saved_sites = (self.next_site, self.sites.len());
        let saved_visible = self.visible.clone();
        self.quiet += 1;
        // Inference looks at every unit variable, declared before or after.
        self.f = FnCtx::default();
        self.f.scopes.push(HashMap::new());
        let inferred = decl
            .init
            .as_ref()
            .and_then(|e| self.expr_allow_void(e))
            .map(|e| e.ty);
        self.quiet -= 1;
        self.f = saved_f;
        self.visible = saved_visible;
        self.next_site = saved_sites.0;
        self.sites.truncate(saved_sites.1);
        self.inferring.remove(name);
        let inferred = inferred?;
        if let Some(UnitName::Var { ty, .. }) = self.names.get_mut(name) {
            *ty = Some(inferred.clone());
        }
        Some(inferred)
    }

    fn check_function(&mut self, func: &'a ast::Function<'a>) -> Option<FuncDef> {
        let id = func.id.as_ref()?;
        let name = id.name.as_str().to_string();
        let Some(UnitName::Func {
            slot,
            body,
            redefines,
            decl,
            ..
        }) = self.names.get(&name).cloned()
        else {
            return None;
        };
        if !std::ptr::eq(decl, func) {
            return None; // a duplicate, already reported
        }
        self.check_function_shape(func);
        let sig = self.func_sig(&name)?;
        if redefines {
            if let Some(Global::Func { sig: old, .. }) = self.env.get(&name) {
                if *old != sig {
                    self.error(diag::redefined_with_other_type(
                        sp(id.span),
                        &name,
                        &old.to_string(),
                        &sig.to_string(),
                    ));
                }
            }
        }
        let saved = std::mem::replace(
            &mut self.f,
            FnCtx {
                ret: Some(sig.ret.clone()),
                ..FnCtx::default()
            },
        );
        self.f.scopes.push(HashMap::new());
        for (p, ty) in func.params.items.iter().zip(&sig.params) {
            match &p.pattern {
                ast::BindingPattern::BindingIdentifier(pid) => {
                    self.declare_local(pid.name.as_str(), ty.clone(), true, sp(pid.span));
                }
                _ => self.error(diag::destructuring(sp(p.span))),
            }
        }
        let mut stmts = Vec::new();
        if let Some(b) = &func.body {
            for s in &b.statements {
                if let Some(s) = self.check_stmt(s) {
                    stmts.push(s);
                }
            }
            if sig.ret != Type::Void && !always_returns(&b.statements) {
                self.error(diag::missing_return(sp(id.span)));
            }
        }
        let ctx = std::mem::replace(&mut self.f, saved);
        Some(FuncDef {
            name,
            span: sp(id.span),
            body_symbol: body,
            slot_symbol: slot,
            redefines,
            sig,
            func: Function {
                locals: ctx.locals,
                body: stmts,
            },
        })
    }

    /// Reports the function features BlueScript does not have.
    fn check_function_shape(&mut self, func: &ast::Function<'_>) {
        if func.r#async {
            self.error(diag::async_function(sp(func.span)));
        }
        if func.generator {
            self.error(diag::generator_function(sp(func.span)));
        }
        if let Some(rest) = &func.params.rest {
            self.error(diag::rest_parameter(sp(rest.span)));
        }
        for p in &func.params.items {
            if let Some(init) = &p.initializer {
                self.error(diag::default_parameter(sp(ast_expr_span(init))));
            }
        }
    }

    fn check_global_decl(
        &mut self,
        decl: &'a ast::VariableDeclaration<'a>,
        globals: &mut Vec<GlobalDef>,
        body: &mut Vec<Stmt>,
    ) {
        if !self.check_decl_kind(decl) {
            return;
        }
        let mut first_ty: Option<Type> = None;
        for d in &decl.declarations {
            let ast::BindingPattern::BindingIdentifier(id) = &d.id else {
                self.error(diag::destructuring(sp(d.span)));
                continue;
            };
            let name = id.name.as_str();
            let Some(UnitName::Var {
                symbol,
                decl: owner,
                ..
            }) = self.names.get(name).cloned()
            else {
                continue;
            };
            if !std::ptr::eq(owner, d) {
                continue; // a duplicate, already reported
            }
            let Some(ty) = self.var_type(name) else {
                // Inference failed: check the initial value again to report why.
                if let Some(init) = &d.init {
                    self.expr(init);
                }
                continue;
            };
            if !self.check_mixed(&mut first_ty, &ty, sp(decl.span)) {
                continue;
            }
            if ty == Type::Void {
                self.error(diag::void_initial_value(sp(d
                    .init
                    .as_ref()
                    .map_or(d.span, ast_expr_span))));
                continue;
            }
            if d.init.is_none() && !has_zero_value(&ty) {
                self.error(diag::must_have_initial_value(sp(id.span)));
            }
            globals.push(GlobalDef {
                name: name.to_string(),
                symbol: symbol.clone(),
                ty: ty.clone(),
            });
            if let Some(init) = &d.init {
                if let Some(value) = self.expr_hint(init, Some(&ty)) {
                    if let Some(value) = self.coerce(value, &ty, CoerceCtx::Assign) {
                        body.push(Stmt::InitGlobal { symbol, value });
                    }
                }
            }
            self.visible.insert(name.to_string());
        }
    }

    /// `let`/`const` only; reports `var` and friends.
    fn check_decl_kind(&mut self, decl: &ast::VariableDeclaration<'_>) -> bool {
        match decl.kind {
            ast::VariableDeclarationKind::Let | ast::VariableDeclarationKind::Const => true,
            _ => {
                self.error(diag::only_const_and_let(sp(decl.span)));
                false
            }
        }
    }

    fn check_mixed(&mut self, first: &mut Option<Type>, ty: &Type, span: Span) -> bool {
        match first {
            None => {
                *first = Some(ty.clone());
                true
            }
            Some(f) if f == ty => true,
            Some(_) => {
                self.error(diag::mixed_declaration(span));
                false
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------

    fn resolve_type(&mut self, t: &ast::TSType<'_>) -> Option<Type> {
        match t {
            ast::TSType::TSNumberKeyword(_) => Some(Type::Integer),
            ast::TSType::TSBooleanKeyword(_) => Some(Type::Boolean),
            ast::TSType::TSStringKeyword(_) => Some(Type::String),
            ast::TSType::TSVoidKeyword(_) => Some(Type::Void),
            ast::TSType::TSAnyKeyword(_) => Some(Type::Any),
            ast::TSType::TSNullKeyword(_) | ast::TSType::TSUndefinedKeyword(_) => Some(Type::Null),
            ast::TSType::TSParenthesizedType(p) => self.resolve_type(&p.type_annotation),
            ast::TSType::TSTypeReference(r) => {
                let ast::TSTypeName::IdentifierReference(id) = &r.type_name else {
                    self.error(diag::not_supported_type(sp(r.span)));
                    return None;
                };
                match id.name.as_str() {
                    "integer" | "int32" => Some(Type::Integer),
                    "Uint8Array" => Some(Type::Uint8Array),
                    "FixedArray" => Some(Type::FixedArray),
                    "float" => Some(Type::Float),
                    "Array" => {
                        self.error(diag::array_generic_type(sp(r.span)));
                        None
                    }
                    other if self.class_info(other).is_some() => {
                        Some(Type::Class(other.to_string()))
                    }
                    other if self.enum_members(other).is_some() => {
                        Some(Type::Enum(other.to_string()))
                    }
                    other => {
                        self.error(diag::unknown_type_name(sp(id.span), other));
                        None
                    }
                }
            }
            ast::TSType::TSFunctionType(ft) => {
                let params = ft
                    .params
                    .items
                    .iter()
                    .map(|p| match &p.type_annotation {
                        Some(t) => self.resolve_type(&t.type_annotation).unwrap_or(Type::Any),
                        None => Type::Any,
                    })
                    .collect();
                let ret = self.resolve_type(&ft.return_type.type_annotation)?;
                Some(Type::Function(Box::new(FnSig { params, ret })))
            }
            ast::TSType::TSArrayType(a) => {
                let elem = self.resolve_type(&a.element_type)?;
                if elem == Type::Void || elem == Type::Null {
                    self.error(diag::not_supported_type(sp(a.span)));
                    return None;
                }
                Some(Type::Array(Box::new(elem)))
            }
            ast::TSType::TSUnionType(u) => {
                let mut inner = None;
                let mut has_null = false;
                for t in &u.types {
                    match self.resolve_type(t)? {
                        Type::Null => has_null = true,
                        other if inner.is_none() => inner = Some(other),
                        _ => {
                            self.error(diag::not_supported_union(sp(u.span)));
                            return None;
                        }
                    }
                }
                match inner {
                    Some(Type::Any) if has_null => Some(Type::Any),
                    Some(t) if has_null && t.is_reference() => Some(match t {
                        Type::Nullable(_) => t,
                        t => Type::Nullable(Box::new(t)),
                    }),
                    Some(t) if !has_null => Some(t),
                    None => Some(Type::Null),
                    _ => {
                        self.error(diag::not_supported_union(sp(u.span)));
                        None
                    }
                }
            }
            other => {
                self.error(diag::not_supported_type(ts_type_span(other)));
                None
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Statements
    // ---------------------------------------------------------------------------------------

    fn declare_local(
        &mut self,
        name: &str,
        ty: Type,
        mutable: bool,
        span: Span,
    ) -> Option<LocalId> {
        let scope = self.f.scopes.last_mut().expect("a scope is open");
        if scope.contains_key(name) {
            self.error(diag::already_declared(span, name));
            return None;
        }
        let id = self.f.locals.len();
        self.f.locals.push(Local::new(name, ty));
        scope.insert(
            name.to_string(),
            LocalBinding {
                id,
                mutable,
                narrowed: None,
            },
        );
        Some(id)
    }

    fn block(&mut self, stmts: &'a [ast::Statement<'a>]) -> Vec<Stmt> {
        self.f.scopes.push(HashMap::new());
        let out = stmts.iter().filter_map(|s| self.check_stmt(s)).collect();
        self.f.scopes.pop();
        out
    }

    /// A statement used as the body of `if`, `while` or `for`: a block of its own.
    fn body(&mut self, stmt: &'a ast::Statement<'a>) -> Vec<Stmt> {
        match stmt {
            ast::Statement::BlockStatement(b) => self.block(&b.body),
            other => self.block(std::slice::from_ref(other)),
        }
    }

    /// For `x == null` / `x != null` (and `===`, `!==`, `undefined`, either order) on a local of
    /// nullable type: the local's name, binding, its non-null type, and whether the test is
    /// true when `x` is not null.
    fn null_test(
        &mut self,
        test: &ast::Expression<'_>,
    ) -> Option<(String, LocalBinding, Type, bool)> {
        let ast::Expression::BinaryExpression(b) = test.without_parentheses() else {
            return None;
        };
        let not_null_when_true = match b.operator {
            BinaryOperator::Inequality | BinaryOperator::StrictInequality => true,
            BinaryOperator::Equality | BinaryOperator::StrictEquality => false,
            _ => return None,
        };
        let is_null = |e: &ast::Expression<'_>| match e.without_parentheses() {
            ast::Expression::NullLiteral(_) => true,
            ast::Expression::Identifier(id) => id.name.as_str() == "undefined",
            _ => false,
        };
        let var = if is_null(&b.right) {
            &b.left
        } else if is_null(&b.left) {
            &b.right
        } else {
            return None;
        };
        let ast::Expression::Identifier(id) = var.without_parentheses() else {
            return None;
        };
        let name = id.name.as_str().to_string();
        match self.lookup(&name) {
            Some(Name::Local(binding, Type::Nullable(inner))) => {
                Some((name, binding, *inner, not_null_when_true))
            }
            _ => None,
        }
    }

    /// A branch of an `if`, with the narrowing of `null_test` applied when it holds there.
    fn narrowed_body(
        &mut self,
        stmt: &'a ast::Statement<'a>,
        narrowing: Option<&(String, LocalBinding, Type, bool)>,
        then_branch: bool,
    ) -> Vec<Stmt> {
        match narrowing {
            Some((name, binding, inner, not_null_when_true))
                if *not_null_when_true == then_branch =>
            {
                let mut scope = HashMap::new();
                scope.insert(
                    name.clone(),
                    LocalBinding {
                        narrowed: Some(inner.clone()),
                        ..binding.clone()
                    },
                );
                self.f.scopes.push(scope);
                let out = self.body(stmt);
                self.f.scopes.pop();
                out
            }
            _ => self.body(stmt),
        }
    }

    fn check_stmt(&mut self, stmt: &'a ast::Statement<'a>) -> Option<Stmt> {
        use ast::Statement as S;
        match stmt {
            S::ExpressionStatement(e) => match &e.expression {
                ast::Expression::TaggedTemplateExpression(t) => self.native(t),
                other => self.expr_allow_void(other).map(Stmt::Expr),
            },
            S::VariableDeclaration(decl) => self.local_decl(decl),
            S::BlockStatement(b) => Some(Stmt::Block(self.block(&b.body))),
            S::EmptyStatement(_) => None,
            S::IfStatement(s) => {
                let cond = self.condition(&s.test);
                // `if (x != null)` narrows a nullable local in the branch where it is not null.
                let narrowing = self.null_test(&s.test);
                let then = self.narrowed_body(&s.consequent, narrowing.as_ref(), true);
                let otherwise = s
                    .alternate
                    .as_ref()
                    .map(|a| self.narrowed_body(a, narrowing.as_ref(), false))
                    .unwrap_or_default();
                Some(Stmt::If {
                    cond: cond?,
                    then,
                    otherwise,
                })
            }
            S::WhileStatement(s) => {
                let cond = self.condition(&s.test);
                self.f.loop_depth += 1;
                let body = self.body(&s.body);
                self.f.loop_depth -= 1;
                Some(Stmt::While { cond: cond?, body })
            }
            S::DoWhileStatement(s) => {
                self.f.loop_depth += 1;
                let body = self.body(&s.body);
                self.f.loop_depth -= 1;
                let cond = self.condition(&s.test);
                Some(Stmt::DoWhile { body, cond: cond? })
            }
            S::ForStatement(s) => {
                self.f.scopes.push(HashMap::new());
                let mut init = Vec::new();
                let mut ok = true;
                match &s.init {
                    None => {}
                    Some(ast::ForStatementInit::VariableDeclaration(d)) => {
                        match self.local_decl(d) {
                            Some(st) => init.push(st),
                            None => ok = false,
                        }
                    }
                    Some(other) => match other.as_expression() {
                        Some(e) => match self.expr_allow_void(e) {
                            Some(e) => init.push(Stmt::Expr(e)),
                            None => ok = false,
                        },
                        None => ok = false,
                    },
                }
                let cond = s.test.as_ref().map(|t| self.condition(t));
                let update = s.update.as_ref().map(|u| self.expr_allow_void(u));
                self.f.loop_depth += 1;
                let body = self.body(&s.body);
                self.f.loop_depth -= 1;
                self.f.scopes.pop();
                let cond = match cond {
                    Some(c) => Some(c?),
                    None => None,
                };
                let update = match update {
                    Some(u) => Some(u?),
                    None => None,
                };
                ok.then_some(Stmt::For {
                    init,
                    cond,
                    update,
                    body,
                })
            }
            S::BreakStatement(b) => {
                if b.label.is_some() {
                    self.error(diag::unsupported_syntax(sp(b.span), "LabeledStatement"));
                }
                if self.f.loop_depth == 0 {
                    self.error(diag::break_outside_loop(sp(b.span), "break"));
                }
                Some(Stmt::Break)
            }
            S::ContinueStatement(c) => {
                if c.label.is_some() {
                    self.error(diag::unsupported_syntax(sp(c.span), "LabeledStatement"));
                }
                if self.f.loop_depth == 0 {
                    self.error(diag::break_outside_loop(sp(c.span), "continue"));
                }
                Some(Stmt::Continue)
            }
            S::ReturnStatement(r) => self.return_stmt(r),
            S::FunctionDeclaration(f) => {
                self.error(diag::nested_function(sp(f.span)));
                None
            }
            S::ClassDeclaration(c) => {
                self.error(diag::not_top_level(sp(c.span), "a class"));
                None
            }
            S::TSEnumDeclaration(e) => {
                self.error(diag::not_top_level(sp(e.span), "an enum"));
                None
            }
            S::TSTypeAliasDeclaration(t) => {
                // `type integer = number` and friends are accepted so that files also
                // type-check as TypeScript.
                let name = t.id.name.as_str();
                let ok = matches!(name, "integer" | "float" | "int32")
                    && matches!(t.type_annotation, ast::TSType::TSNumberKeyword(_));
                if !ok {
                    self.error(diag::unsupported_syntax(
                        sp(t.span),
                        "TSTypeAliasDeclaration",
                    ));
                }
                None
            }
            other => {
                self.error(diag::unsupported_syntax(
                    sp(stmt_span(other)),
                    stmt_name(other),
                ));
                None
            }
        }
    }

    fn local_decl(&mut self, decl: &'a ast::VariableDeclaration<'a>) -> Option<Stmt> {
        if !self.check_decl_kind(decl) {
            return None;
        }
        let mutable = decl.kind == ast::VariableDeclarationKind::Let;
        let mut out = Vec::new();
        let mut first_ty: Option<Type> = None;
        let mut ok = true;
        for d in &decl.declarations {
            let ast::BindingPattern::BindingIdentifier(id) = &d.id else {
                self.error(diag::destructuring(sp(d.span)));
                ok = false;
                continue;
            };
            let annotated = match &d.type_annotation {
                Some(t) => match self.resolve_type(&t.type_annotation) {
                    Some(t) => Some(t),
                    None => {
                        ok = false;
                        continue;
                    }
                },
                None => None,
            };
            let init = match &d.init {
                Some(e) => match self.expr_hint_allow_void(e, annotated.as_ref()) {
                    Some(e) => Some(e),
                    None => {
                        ok = false;
                        // Still declare the name so later uses do not report it unknown.
                        if let Some(t) = annotated {
                            self.declare_local(id.name.as_str(), t, mutable, sp(id.span));
                        }
                        continue;
                    }
                },
                None => None,
            };
            let ty = match (&annotated, &init) {
                (Some(t), _) => t.clone(),
                (None, Some(e)) => e.ty.clone(),
                (None, None) => Type::Any,
            };
            if ty == Type::Void {
                self.error(diag::void_initial_value(sp(d
                    .init
                    .as_ref()
                    .map_or(d.span, ast_expr_span))));
                ok = false;
                continue;
            }
            if !self.check_mixed(&mut first_ty, &ty, sp(decl.span)) {
                ok = false;
                continue;
            }
            if init.is_none() && !has_zero_value(&ty) {
                self.error(diag::must_have_initial_value(sp(id.span)));
                ok = false;
            }
            let init = match init {
                Some(e) => match self.coerce(e, &ty, CoerceCtx::Assign) {
                    Some(e) => Some(e),
                    None => {
                        ok = false;
                        None
                    }
                },
                None => None,
            };
            if let Some(local) = self.declare_local(id.name.as_str(), ty, mutable, sp(id.span)) {
                out.push(Stmt::Let { local, init });
            } else {
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        if out.len() == 1 {
            out.pop()
        } else {
            Some(Stmt::Seq(out))
        }
    }

    fn return_stmt(&mut self, r: &'a ast::ReturnStatement<'a>) -> Option<Stmt> {
        if self.f.top_level {
            self.error(diag::return_outside_function(sp(r.span)));
            return None;
        }
        let value = match &r.argument {
            Some(e) => match self.expr_allow_void(e) {
                Some(v) => Some(v),
                None => {
                    // While inferring a result type, a first `return` whose value cannot be typed
                    // yet (it uses a name declared later) makes the result `any`, rather than
                    // letting a later `return` decide.
                    if let Some(first @ None) = &mut self.f.first_return {
                        *first = Some(Type::Any);
                    }
                    return None;
                }
            },
            None => None,
        };
        if let Some(first) = &mut self.f.first_return {
            // Inferring the result type: the first return decides it.
            if first.is_none() {
                *first = Some(value.as_ref().map_or(Type::Void, |v| v.ty.clone()));
            }
            return None;
        }
        let ret = self.f.ret.clone().unwrap_or(Type::Void);
        match value {
            None if ret == Type::Void => Some(Stmt::Return(None)),
            None => {
                self.error(diag::return_mismatch(sp(r.span), &Type::Void, &ret));
                None
            }
            Some(v) if ret == Type::Void => {
                if v.ty == Type::Void {
                    // `return f()` with a void `f`: run it, return nothing.
                    return Some(Stmt::Block(vec![Stmt::Expr(v), Stmt::Return(None)]));
                }
                self.error(diag::void_return_value(v.span));
                None
            }
            Some(v) => {
                let v = self.coerce(v, &ret, CoerceCtx::Return)?;
                Some(Stmt::Return(Some(v)))
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Expressions
    // ---------------------------------------------------------------------------------------

    /// An expression that must have a value.
    fn expr(&mut self, e: &'a ast::Expression<'a>) -> Option<Expr> {
        let out = self.expr_allow_void(e)?;
        if out.ty == Type::Void {
            self.error(diag::void_operand(out.span));
            return None;
        }
        Some(out)
    }

    /// A condition: any non-void value, tested for truthiness.
    fn condition(&mut self, e: &'a ast::Expression<'a>) -> Option<Expr> {
        let e = self.expr(e)?;
        Some(truthy(e))
    }

    fn expr_allow_void(&mut self, e: &'a ast::Expression<'a>) -> Option<Expr> {
        use ast::Expression as E;
        let span = sp(ast_expr_span(e));
        match e {
            E::NumericLiteral(n) => self.number(n, false),
            E::StringLiteral(s) => Some(Expr::new(
                ExprKind::Str(s.value.as_str().as_bytes().to_vec()),
                Type::String,
                span,
            )),
            E::BooleanLiteral(b) => Some(Expr::new(ExprKind::Bool(b.value), Type::Boolean, span)),
            E::NullLiteral(_) => Some(Expr::new(ExprKind::Null, Type::Null, span)),
            E::ParenthesizedExpression(p) => {
                let mut inner = self.expr_allow_void(&p.expression)?;
                inner.span = span;
                Some(inner)
            }
            E::Identifier(id) => self.identifier(id),
            E::UnaryExpression(u) => self.unary(u),
            E::BinaryExpression(b) => self.binary(b),
            E::LogicalExpression(l) => {
                if l.operator == LogicalOperator::Coalesce {
                    self.error(diag::unsupported_operator(span, "??"));
                    return None;
                }
                let left = self.expr(&l.left);
                let right = self.expr(&l.right);
                Some(Expr::new(
                    ExprKind::Logical {
                        and: l.operator == LogicalOperator::And,
                        left: Box::new(truthy(left?)),
                        right: Box::new(truthy(right?)),
                    },
                    Type::Boolean,
                    span,
                ))
            }
            E::ConditionalExpression(c) => {
                let cond = self.condition(&c.test);
                let a = self.expr(&c.consequent);
                let b = self.expr(&c.alternate);
                let (cond, a, b) = (cond?, a?, b?);
                let Some(ty) = common_super_type(&*self, &a.ty, &b.ty) else {
                    self.error(diag::no_common_super_type(span, &a.ty, &b.ty));
                    return None;
                };
                let a = self.coerce(a, &ty, CoerceCtx::Assign)?;
                let b = self.coerce(b, &ty, CoerceCtx::Assign)?;
                Some(Expr::new(
                    ExprKind::Cond {
                        cond: Box::new(cond),
                        then: Box::new(a),
                        otherwise: Box::new(b),
                    },
                    ty,
                    span,
                ))
            }
            E::CallExpression(c) => self.call(c),
            E::AssignmentExpression(a) => self.assignment(a),
            E::UpdateExpression(u) => self.update(u),
            E::TSAsExpression(a) => self.as_expr(a),
            E::StaticMemberExpression(m) => self.member(m),
            E::ComputedMemberExpression(m) => {
                let (place, ty) = self.index_place(m)?;
                Some(Expr::new(ExprKind::Read(place), ty, span))
            }
            E::ArrayExpression(a) => self.array_literal(a, None),
            E::NewExpression(n) => self.new_expr(n),
            E::ThisExpression(_) => self.this_expr(span),
            E::ArrowFunctionExpression(a) => self.arrow(a),
            E::TaggedTemplateExpression(_) => {
                self.error(diag::tagged_template(span));
                None
            }
            other => {
                self.error(diag::unsupported_syntax(span, expr_name(other)));
                None
            }
        }
    }

    fn number(&mut self, n: &ast::NumericLiteral<'_>, negated: bool) -> Option<Expr> {
        let span = sp(n.span);
        let raw = n
            .raw
            .map(|r| r.as_str().to_string())
            .unwrap_or_else(|| n.value.to_string());
        let lower = raw.to_ascii_lowercase();
        if lower.contains('_') || lower.starts_with("0o") || is_legacy_octal(&lower) {
            self.error(diag::bad_numeric_literal(span));
            return None;
        }
        if lower.starts_with("0x") || lower.starts_with("0b") {
            let radix = if lower.starts_with("0x") { 16 } else { 2 };
            return match u64::from_str_radix(&lower[2..], radix) {
                Ok(v) if v <= u32::MAX as u64 => Some(Expr::new(
                    ExprKind::Int(v as u32 as i32),
                    Type::Integer,
                    span,
                )),
                _ => {
                    self.error(diag::integer_literal_out_of_range(span, &raw));
                    None
                }
            };
        }
        if lower.contains('.') || lower.contains('e') {
            let v: f32 = lower.parse().unwrap_or(n.value as f32);
            return Some(Expr::new(ExprKind::Float(v), Type::Float, span));
        }
        match lower.parse::<u64>() {
            Ok(v) if v <= i32::MAX as u64 => {
                Some(Expr::new(ExprKind::Int(v as i32), Type::Integer, span))
            }
            Ok(2_147_483_648) if negated => {
                Some(Expr::new(ExprKind::Int(i32::MIN), Type::Integer, span))
            }
            _ => {
                self.error(diag::integer_literal_out_of_range(span, &raw));
                None
            }
        }
    }

    fn lookup(&mut self, name: &str) -> Option<Name> {
        for scope in self.f.scopes.iter().rev() {
            if let Some(b) = scope.get(name) {
                let ty = b
                    .narrowed
                    .clone()
                    .unwrap_or_else(|| self.f.locals[b.id].ty.clone());
                return Some(Name::Local(b.clone(), ty));
            }
        }
        if let Some((index, ty, mutable)) = self.find_capture(name) {
            return Some(Name::Captured { index, ty, mutable });
        }
        if let Some(n) = self.names.get(name).cloned() {
            match n {
                UnitName::Var {
                    mutable, symbol, ..
                } => {
                    // Top-level code sees a unit variable only after its declaration.
                    if self.f.top_level && !self.visible.contains(name) {
                        return None;
                    }
                    let ty = self.var_type(name)?;
                    return Some(Name::Var {
                        ty,
                        mutable,
                        symbol,
                        external: false,
                    });
                }
                UnitName::Func {
                    slot, redefines, ..
                } => {
                    let sig = self.func_sig(name)?;
                    return Some(Name::Func {
                        sig,
                        slot,
                        external: redefines,
                    });
                }
            }
        }
        match self.env.get(name) {
            Some(Global::Var {
                ty,
                mutable,
                symbol,
            }) => Some(Name::Var {
                ty: ty.clone(),
                mutable: *mutable,
                symbol: symbol.clone(),
                external: true,
            }),
            Some(Global::Func { sig, slot, .. }) => Some(Name::Func {
                sig: sig.clone(),
                slot: slot.clone(),
                external: true,
            }),
            Some(Global::Enum { .. } | Global::Class(_)) | None => None,
        }
    }

    fn note_extern(&mut self, r: ExternRef) {
        let sym = match &r {
            ExternRef::Global { symbol, .. }
            | ExternRef::FnSlot { symbol, .. }
            | ExternRef::Func { symbol, .. } => symbol.clone(),
        };
        if self.quiet == 0 && self.extern_set.insert(sym) {
            self.externs.push(r);
        }
    }

    fn identifier(&mut self, id: &ast::IdentifierReference<'_>) -> Option<Expr> {
        let span = sp(id.span);
        let name = id.name.as_str();
        match self.lookup(name) {
            Some(Name::Local(b, ty)) => {
                Some(Expr::new(ExprKind::Read(Place::Local(b.id)), ty, span))
            }
            Some(Name::Var {
                ty,
                symbol,
                external,
                ..
            }) => {
                if external {
                    self.note_extern(ExternRef::Global {
                        symbol: symbol.clone(),
                        ty: ty.clone(),
                    });
                }
                Some(Expr::new(
                    ExprKind::Read(Place::Global { symbol }),
                    ty,
                    span,
                ))
            }
            Some(Name::Captured { index, ty, .. }) => Some(Expr::new(
                ExprKind::Read(Place::Captured { index }),
                ty,
                span,
            )),
            Some(Name::Func {
                sig,
                slot,
                external,
            }) => {
                if external {
                    self.note_extern(ExternRef::FnSlot {
                        symbol: slot.clone(),
                        sig: sig.clone(),
                    });
                }
                Some(self.function_value(name, &slot, &sig, span))
            }
            None if name == "undefined" => Some(Expr::new(ExprKind::Null, Type::Null, span)),
            None => {
                // A name still being inferred is not unknown: stay silent in that case.
                if !self.inferring.contains(name) {
                    self.error(diag::unknown_name(span, name));
                }
                None
            }
        }
    }

    fn unary(&mut self, u: &'a ast::UnaryExpression<'a>) -> Option<Expr> {
        let span = sp(u.span);
        if u.operator == UnaryOperator::UnaryNegation {
            if let ast::Expression::NumericLiteral(n) = &u.argument {
                let lit = self.number(n, true)?;
                return Some(match lit.kind {
                    ExprKind::Int(v) => {
                        Expr::new(ExprKind::Int(v.wrapping_neg()), Type::Integer, span)
                    }
                    ExprKind::Float(v) => Expr::new(ExprKind::Float(-v), Type::Float, span),
                    _ => unreachable!("a numeric literal is an integer or a float"),
                });
            }
        }
        let op_text = u.operator.as_str();
        match u.operator {
            UnaryOperator::UnaryNegation | UnaryOperator::UnaryPlus => {
                let a = as_integer(self.expr(&u.argument)?);
                if a.ty == Type::Any {
                    if u.operator == UnaryOperator::UnaryPlus {
                        return Some(Expr { span, ..a });
                    }
                    let site = self.site(span);
                    return Some(Expr::new(
                        ExprKind::AnyNegate {
                            arg: Box::new(a),
                            site,
                        },
                        Type::Any,
                        span,
                    ));
                }
                if !a.ty.is_numeric() {
                    self.error(diag::invalid_operand(span, op_text, &a.ty));
                    return None;
                }
                if u.operator == UnaryOperator::UnaryPlus {
                    let mut a = a;
                    a.span = span;
                    return Some(a);
                }
                let ty = a.ty.clone();
                Some(Expr::new(ExprKind::Unary(UnOp::Neg, Box::new(a)), ty, span))
            }
            UnaryOperator::BitwiseNot => {
                let a = as_integer(self.expr(&u.argument)?);
                let a = if a.ty == Type::Any {
                    self.coerce(a, &Type::Integer, CoerceCtx::Assign)?
                } else {
                    a
                };
                if a.ty != Type::Integer {
                    self.error(diag::invalid_operand(span, op_text, &a.ty));
                    return None;
                }
                Some(Expr::new(
                    ExprKind::Unary(UnOp::BitNot, Box::new(a)),
                    Type::Integer,
                    span,
                ))
            }
            UnaryOperator::LogicalNot => {
                let a = self.expr(&u.argument)?;
                Some(Expr::new(
                    ExprKind::Unary(UnOp::Not, Box::new(truthy(a))),
                    Type::Boolean,
                    span,
                ))
            }
            UnaryOperator::Typeof => {
                // The static type's name; the operand is checked but not evaluated.
                let a = self.expr(&u.argument)?;
                let name = a.ty.to_string();
                Some(Expr::new(
                    ExprKind::Str(name.into_bytes()),
                    Type::String,
                    span,
                ))
            }
            UnaryOperator::Void | UnaryOperator::Delete => {
                self.error(diag::unsupported_operator(span, op_text));
                None
            }
        }
    }

    fn binary(&mut self, b: &'a ast::BinaryExpression<'a>) -> Option<Expr> {
        let span = sp(b.span);
        if b.operator == BinaryOperator::Instanceof {
            return self.instance_of(b);
        }
        let left = self.expr(&b.left);
        let right = self.expr(&b.right);
        let (left, right) = (left?, right?);
        self.binary_op(b.operator, left, right, span)
    }

    /// Types one binary operation on two checked operands.
    fn binary_op(
        &mut self,
        op: BinaryOperator,
        left: Expr,
        right: Expr,
        span: Span,
    ) -> Option<Expr> {
        use BinaryOperator as B;
        let text = op.as_str();
        if let Some(e) = self.any_binary_op(op, &left, &right, span) {
            return e;
        }
        // Enums take part in arithmetic and comparisons as integers.
        let (left, right) = (as_integer(left), as_integer(right));
        let ir_op = match op {
            B::Addition => BinOp::Add,
            B::Subtraction => BinOp::Sub,
            B::Multiplication => BinOp::Mul,
            B::Division => BinOp::Div,
            B::Remainder => BinOp::Rem,
            B::Exponential => BinOp::Pow,
            B::ShiftLeft => BinOp::Shl,
            B::ShiftRight => BinOp::Shr,
            B::ShiftRightZeroFill => BinOp::UShr,
            B::BitwiseAnd => BinOp::BitAnd,
            B::BitwiseOR => BinOp::BitOr,
            B::BitwiseXOR => BinOp::BitXor,
            B::Equality | B::StrictEquality => BinOp::Eq,
            B::Inequality | B::StrictInequality => BinOp::Ne,
            B::LessThan => BinOp::Lt,
            B::LessEqualThan => BinOp::Le,
            B::GreaterThan => BinOp::Gt,
            B::GreaterEqualThan => BinOp::Ge,
            B::In | B::Instanceof => {
                self.error(diag::unsupported_operator(span, text));
                return None;
            }
        };
        let (lt, rt) = (left.ty.clone(), right.ty.clone());
        match ir_op {
            BinOp::Add if lt == Type::String || rt == Type::String => {
                let l = boxed(left);
                let r = boxed(right);
                Some(Expr::new(
                    ExprKind::Concat(Box::new(l), Box::new(r)),
                    Type::String,
                    span,
                ))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                if !lt.is_numeric() || !rt.is_numeric() {
                    self.error(diag::invalid_operands(span, text, &lt, &rt));
                    return None;
                }
                let ty = if lt == Type::Float || rt == Type::Float {
                    Type::Float
                } else {
                    Type::Integer
                };
                let left = to_type(left, &ty);
                let right = to_type(right, &ty);
                let site = if ty == Type::Integer && matches!(ir_op, BinOp::Div | BinOp::Pow) {
                    self.site(span)
                } else {
                    0
                };
                Some(Expr::new(
                    ExprKind::Binary {
                        op: ir_op,
                        left: Box::new(left),
                        right: Box::new(right),
                        site,
                    },
                    ty,
                    span,
                ))
            }
            BinOp::Rem => {
                if lt != Type::Integer || rt != Type::Integer {
                    self.error(diag::invalid_remainder_operands(span));
                    return None;
                }
                let site = self.site(span);
                Some(Expr::new(
                    ExprKind::Binary {
                        op: ir_op,
                        left: Box::new(left),
                        right: Box::new(right),
                        site,
                    },
                    Type::Integer,
                    span,
                ))
            }
            BinOp::Shl
            | BinOp::Shr
            | BinOp::UShr
            | BinOp::BitAnd
            | BinOp::BitOr
            | BinOp::BitXor => {
                if lt != Type::Integer || rt != Type::Integer {
                    self.error(diag::invalid_operands(span, text, &lt, &rt));
                    return None;
                }
                Some(Expr::new(
                    ExprKind::Binary {
                        op: ir_op,
                        left: Box::new(left),
                        right: Box::new(right),
                        site: 0,
                    },
                    Type::Integer,
                    span,
                ))
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let equality = matches!(ir_op, BinOp::Eq | BinOp::Ne);
                let operand_ty = if lt.is_numeric() && rt.is_numeric() {
                    if lt == Type::Float || rt == Type::Float {
                        Type::Float
                    } else {
                        Type::Integer
                    }
                } else if lt == Type::String && rt == Type::String {
                    Type::String
                } else if equality
                    && is_stringish(&lt)
                    && is_stringish(&rt)
                    && (matches!(lt, Type::Nullable(_)) || matches!(rt, Type::Nullable(_)))
                {
                    // A nullable string: compare boxed, strings by content.
                    let op = if ir_op == BinOp::Eq {
                        AnyOp::Equal
                    } else {
                        AnyOp::NotEqual
                    };
                    return Some(Expr::new(
                        ExprKind::AnyBinary {
                            op,
                            left: Box::new(left),
                            right: Box::new(right),
                            site: 0,
                        },
                        Type::Boolean,
                        span,
                    ));
                } else if lt == Type::String || rt == Type::String {
                    self.error(diag::string_compared(span));
                    return None;
                } else if lt == Type::Boolean && rt == Type::Boolean && equality {
                    Type::Boolean
                } else if (lt == Type::Boolean || rt == Type::Boolean) && equality {
                    self.error(diag::boolean_compared(span));
                    return None;
                } else if lt == Type::Null && rt == Type::Null && equality {
                    Type::Null
                } else if equality && self.comparable_references(&lt, &rt) {
                    // Identity of objects, arrays, or null.
                    Type::Null
                } else {
                    self.error(diag::invalid_operands(span, text, &lt, &rt));
                    return None;
                };
                let left = to_type(left, &operand_ty);
                let right = to_type(right, &operand_ty);
                Some(Expr::new(
                    ExprKind::Binary {
                        op: ir_op,
                        left: Box::new(left),
                        right: Box::new(right),
                        site: 0,
                    },
                    Type::Boolean,
                    span,
                ))
            }
        }
    }

    fn call(&mut self, c: &'a ast::CallExpression<'a>) -> Option<Expr> {
        let span = sp(c.span);
        if let ast::Expression::Super(_) = &c.callee {
            return self.super_call(c);
        }
        if let ast::Expression::StaticMemberExpression(m) = &c.callee {
            let is_console = matches!(&m.object, ast::Expression::Identifier(o)
                if o.name.as_str() == "console" && !self.is_variable("console"));
            if !is_console {
                return self.member_call(c, m);
            }
        }
        // Parameter types, when the callee is known, type array literal arguments.
        let hints: Vec<Type> = match &c.callee {
            ast::Expression::Identifier(id) => match self.lookup(id.name.as_str()) {
                Some(Name::Func { sig, .. }) => sig.params,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        let mut args = Vec::new();
        let mut ok = true;
        for (k, a) in c.arguments.iter().enumerate() {
            match a.as_expression() {
                Some(e) => match self.expr_hint(e, hints.get(k)) {
                    Some(e) => args.push(e),
                    None => ok = false,
                },
                None => {
                    self.error(diag::unsupported_syntax(sp(a.span()), "SpreadElement"));
                    ok = false;
                }
            }
        }
        // Built-ins: print, console.log, console.error.
        let builtin_stream = match &c.callee {
            ast::Expression::Identifier(id)
                if id.name.as_str() == "print" && self.lookup("print").is_none() =>
            {
                Some(0)
            }
            ast::Expression::StaticMemberExpression(m) => {
                match (&m.object, m.property.name.as_str()) {
                    (ast::Expression::Identifier(o), "log") if o.name.as_str() == "console" => {
                        Some(0)
                    }
                    (ast::Expression::Identifier(o), "error") if o.name.as_str() == "console" => {
                        Some(1)
                    }
                    _ => {
                        self.error(diag::unknown_property(
                            sp(m.property.span),
                            m.property.name.as_str(),
                        ));
                        return None;
                    }
                }
            }
            _ => None,
        };
        if let Some(stream) = builtin_stream {
            if c.arguments.len() != 1 {
                self.error(diag::print_argument_count(span, c.arguments.len()));
                return None;
            }
            if !ok {
                return None;
            }
            let arg = boxed(args.pop().expect("one argument"));
            return Some(Expr::new(
                ExprKind::Print {
                    stream,
                    arg: Box::new(arg),
                },
                Type::Void,
                span,
            ));
        }
        let ast::Expression::Identifier(id) = &c.callee else {
            // A call of a computed function value, e.g. f(7)(8).
            let callee = self.expr(&c.callee)?;
            if !ok {
                return None;
            }
            return self.call_value(callee, args, span);
        };
        let (sig, slot) = match self.lookup(id.name.as_str()) {
            Some(
                Name::Local(_, Type::Function(_) | Type::Any)
                | Name::Var {
                    ty: Type::Function(_) | Type::Any,
                    ..
                }
                | Name::Captured {
                    ty: Type::Function(_) | Type::Any,
                    ..
                },
            ) => {
                let callee = self.identifier(id)?;
                if !ok {
                    return None;
                }
                return self.call_value(callee, args, span);
            }
            Some(Name::Func {
                sig,
                slot,
                external,
            }) => {
                if external {
                    self.note_extern(ExternRef::FnSlot {
                        symbol: slot.clone(),
                        sig: sig.clone(),
                    });
                }
                (sig, slot)
            }
            Some(_) => {
                self.error(diag::the_callee_is_not_a_function(sp(id.span)));
                return None;
            }
            None => {
                if !self.inferring.contains(id.name.as_str()) {
                    self.error(diag::unknown_name(sp(id.span), id.name.as_str()));
                }
                return None;
            }
        };
        if c.arguments.len() != sig.params.len() {
            self.error(diag::wrong_argument_count(
                span,
                sig.params.len(),
                c.arguments.len(),
            ));
            return None;
        }
        if !ok {
            return None;
        }
        let mut coerced = Vec::new();
        for (a, p) in args.into_iter().zip(&sig.params) {
            coerced.push(self.coerce(a, p, CoerceCtx::Argument));
        }
        let args: Option<Vec<Expr>> = coerced.into_iter().collect();
        let ret = sig.ret.clone();
        Some(Expr::new(
            ExprKind::Call {
                slot,
                sig,
                args: args?,
            },
            ret,
            span,
        ))
    }

    /// The place an identifier names, for assignment.
    fn place(&mut self, id: &ast::IdentifierReference<'_>) -> Option<(Place, Type)> {
        let span = sp(id.span);
        match self.lookup(id.name.as_str()) {
            Some(Name::Local(b, ty)) => {
                if !b.mutable {
                    self.error(diag::assign_to_const(span));
                    return None;
                }
                // An assignment is checked against the declared type, not a narrowed one.
                let _ = ty;
                Some((Place::Local(b.id), self.f.locals[b.id].ty.clone()))
            }
            Some(Name::Var {
                ty,
                mutable,
                symbol,
                external,
            }) => {
                if !mutable {
                    self.error(diag::assign_to_const(span));
                    return None;
                }
                if external {
                    self.note_extern(ExternRef::Global {
                        symbol: symbol.clone(),
                        ty: ty.clone(),
                    });
                }
                Some((Place::Global { symbol }, ty))
            }
            Some(Name::Captured { index, ty, mutable }) => {
                if !mutable {
                    self.error(diag::assign_to_const(span));
                    return None;
                }
                Some((Place::Captured { index }, ty))
            }
            Some(Name::Func { .. }) => {
                self.error(diag::assign_to_function(span));
                None
            }
            None => {
                self.error(diag::unknown_name(span, id.name.as_str()));
                None
            }
        }
    }

    fn assignment(&mut self, a: &'a ast::AssignmentExpression<'a>) -> Option<Expr> {
        let span = sp(a.span);
        let target_span = sp(a.left.span());
        let place = match &a.left {
            ast::AssignmentTarget::AssignmentTargetIdentifier(id) => self.place(id),
            ast::AssignmentTarget::StaticMemberExpression(m) => self.member_place(m),
            ast::AssignmentTarget::ComputedMemberExpression(m) => self.index_place(m),
            _ => {
                self.error(diag::invalid_assignment_target(span));
                return None;
            }
        };
        let hint = place.as_ref().map(|(_, t)| t.clone());
        let value = self.expr_hint(&a.right, hint.as_ref());
        let ((place, ty), value) = (place?, value?);
        use AssignmentOperator as A;
        let op = match a.operator {
            A::Assign => None,
            A::Addition => Some(BinaryOperator::Addition),
            A::Subtraction => Some(BinaryOperator::Subtraction),
            A::Multiplication => Some(BinaryOperator::Multiplication),
            A::Division => Some(BinaryOperator::Division),
            A::Remainder => Some(BinaryOperator::Remainder),
            A::ShiftLeft => Some(BinaryOperator::ShiftLeft),
            A::ShiftRight => Some(BinaryOperator::ShiftRight),
            A::BitwiseOR => Some(BinaryOperator::BitwiseOR),
            A::BitwiseXOR => Some(BinaryOperator::BitwiseXOR),
            A::BitwiseAnd => Some(BinaryOperator::BitwiseAnd),
            other => {
                self.error(diag::unsupported_operator(span, other.as_str()));
                return None;
            }
        };
        let mut temps = Vec::new();
        let mut place = place;
        let value = match op {
            None => self.coerce(value, &ty, CoerceCtx::Assign)?,
            Some(op) => {
                // The target is read and written: evaluate its parts once.
                (temps, place) = self.stable(place);
                let current = Expr::new(ExprKind::Read(place.clone()), ty.clone(), target_span);
                let result = self.binary_op(op, current, value, span)?;
                // `i += 1.5` on an integer truncates back (section 3.15).
                if ty == Type::Integer && result.ty == Type::Float {
                    Expr::new(
                        ExprKind::Convert(Conv::FloatToInt, Box::new(result)),
                        Type::Integer,
                        span,
                    )
                } else {
                    self.coerce(result, &ty, CoerceCtx::Assign)?
                }
            }
        };
        let assign = Expr::new(
            ExprKind::Assign {
                place,
                value: Box::new(value),
            },
            ty.clone(),
            span,
        );
        Some(with_temps(temps, assign))
    }

    /// Splits a place into temporaries holding its parts (array and index, object) and a place
    /// that reads them, so that it can be read and written without evaluating them twice.
    fn stable(&mut self, place: Place) -> (Vec<(LocalId, Expr)>, Place) {
        if place.is_simple() {
            return (Vec::new(), place);
        }
        let mut temps = Vec::new();
        let mut temp = |this: &mut Self, e: Expr| -> Box<Expr> {
            let id = this.f.locals.len();
            this.f.locals.push(Local::new("tmp", e.ty.clone()));
            let read = Expr::new(ExprKind::Read(Place::Local(id)), e.ty.clone(), e.span);
            temps.push((id, e));
            Box::new(read)
        };
        let place = match place {
            Place::Index {
                array,
                index,
                elem,
                site,
            } => {
                let array = temp(self, *array);
                let index = temp(self, *index);
                Place::Index {
                    array,
                    index,
                    elem,
                    site,
                }
            }
            Place::Field { object, word } => Place::Field {
                object: temp(self, *object),
                word,
            },
            Place::AnyProp {
                object,
                name_id,
                site,
            } => Place::AnyProp {
                object: temp(self, *object),
                name_id,
                site,
            },
            other => other,
        };
        (temps, place)
    }

    fn update(&mut self, u: &'a ast::UpdateExpression<'a>) -> Option<Expr> {
        let span = sp(u.span);
        let (place, ty) = match &u.argument {
            ast::SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => self.place(id)?,
            ast::SimpleAssignmentTarget::StaticMemberExpression(m) => self.member_place(m)?,
            ast::SimpleAssignmentTarget::ComputedMemberExpression(m) => self.index_place(m)?,
            _ => {
                self.error(diag::invalid_assignment_target(span));
                return None;
            }
        };
        let (temps, place) = self.stable(place);
        let text = if u.operator == UpdateOperator::Increment {
            "++"
        } else {
            "--"
        };
        if !ty.is_numeric() && ty != Type::Any && !matches!(ty, Type::Enum(_)) {
            self.error(diag::invalid_operand(span, text, &ty));
            return None;
        }
        let site = if ty == Type::Any { self.site(span) } else { 0 };
        let update = Expr::new(
            ExprKind::Update {
                place,
                increment: u.operator == UpdateOperator::Increment,
                prefix: u.prefix,
                site,
            },
            ty,
            span,
        );
        Some(with_temps(temps, update))
    }

    fn as_expr(&mut self, a: &'a ast::TSAsExpression<'a>) -> Option<Expr> {
        let span = sp(a.span);
        let value = self.expr(&a.expression);
        let to = self.resolve_type(&a.type_annotation);
        let (value, to) = (value?, to?);
        let from = value.ty.clone();
        let kind = match (&from, &to) {
            (f, t) if f == t => return Some(Expr { span, ..value }),
            (Type::Float, Type::Integer) => ExprKind::Convert(Conv::FloatToInt, Box::new(value)),
            (Type::Integer, Type::Float) => ExprKind::Convert(Conv::IntToFloat, Box::new(value)),
            (_, Type::Any) if from != Type::Void => ExprKind::Convert(Conv::Box, Box::new(value)),
            (Type::Enum(_), Type::Integer) | (Type::Integer, Type::Enum(_)) => {
                return Some(Expr {
                    span,
                    ty: to,
                    ..value
                });
            }
            (Type::Enum(_), Type::Float) => ExprKind::Convert(Conv::IntToFloat, Box::new(value)),
            (Type::Any, t) if *t != Type::Void => {
                let class_id = self.check_class_id(t);
                let site = self.site(span);
                ExprKind::Convert(Conv::Check { site, class_id }, Box::new(value))
            }
            (Type::Nullable(inner), t)
                if matches!(t, Type::Class(_) | Type::Array(_))
                    && (**inner == *t
                        || matches!((&**inner, t), (Type::Class(f), Type::Class(c)) if crate::types::is_subclass(&*self, c, f))) =>
            {
                // From a nullable type to its non-null type (or a subclass), checked at run time.
                let class_id = self.check_class_id(&to);
                let site = self.site(span);
                ExprKind::Convert(Conv::Check { site, class_id }, Box::new(value))
            }
            (Type::Class(f), Type::Class(t)) if crate::types::is_subclass(&*self, t, f) => {
                // A downcast, checked at run time.
                let class_id = self.check_class_id(&to);
                let site = self.site(span);
                let boxed_value = Expr::new(
                    ExprKind::Convert(Conv::Box, Box::new(value)),
                    Type::Any,
                    span,
                );
                ExprKind::Convert(Conv::Check { site, class_id }, Box::new(boxed_value))
            }
            _ if crate::types::assignable(&*self, &from, &to) == Some(Coercion::None) => {
                return Some(Expr {
                    span,
                    ty: to,
                    ..value
                });
            }
            _ => {
                self.error(diag::invalid_as(span, &from, &to));
                return None;
            }
        };
        Some(Expr::new(kind, to, span))
    }

    /// Converts a checked expression to the target type, or reports why it cannot be.
    fn coerce(&mut self, e: Expr, to: &Type, ctx: CoerceCtx) -> Option<Expr> {
        match assignable(&*self, &e.ty, to) {
            Some(Coercion::None) => Some(Expr {
                ty: to.clone(),
                ..e
            }),
            Some(Coercion::IntToFloat) => Some(to_type(e, &Type::Float)),
            Some(Coercion::Box) => Some(boxed(e)),
            Some(Coercion::Check) => {
                let class_id = self.check_class_id(to);
                let site = self.site(e.span);
                let span = e.span;
                Some(Expr::new(
                    ExprKind::Convert(Conv::Check { site, class_id }, Box::new(e)),
                    to.clone(),
                    span,
                ))
            }
            None => {
                let d = match ctx {
                    CoerceCtx::Assign => diag::not_assignable(e.span, &e.ty, to),
                    CoerceCtx::Argument => diag::incompatible_argument(e.span, &e.ty, to),
                    CoerceCtx::Return => diag::return_mismatch(e.span, &e.ty, to),
                };
                self.error(d);
                None
            }
        }
    }
}

impl Checker<'_, '_> {
    /// Whether two reference types may be compared for identity: one is assignable to the
    /// other, or one is null and the other nullable.
    fn comparable_references(&self, a: &Type, b: &Type) -> bool {
        let reference = |t: &Type| {
            matches!(
                t,
                Type::Class(_) | Type::Array(_) | Type::Nullable(_) | Type::Null
            )
        };
        if !reference(a) || !reference(b) {
            return false;
        }
        match (a, b) {
            (Type::Null, t) | (t, Type::Null) => matches!(t, Type::Nullable(_)),
            _ => {
                assignable(self, a, b) == Some(Coercion::None)
                    || assignable(self, b, a) == Some(Coercion::None)
            }
        }
    }

    /// The class id a run-time check against `ty` needs (0 when none).
    fn check_class_id(&mut self, ty: &Type) -> u32 {
        match ty {
            Type::Uint8Array => 5,
            Type::FixedArray => 6,
            Type::Class(c) => self.class_info(c).map_or(0, |c| c.id),
            Type::Nullable(t) => self.check_class_id(t),
            Type::Array(_) => self.array_class_id(ty),
            _ => 0,
        }
    }

    /// A binary operation with an `any` operand, decided at run time; `None` when neither
    /// operand is `any` (or for `+` with a string, which concatenates).
    fn any_binary_op(
        &mut self,
        op: BinaryOperator,
        left: &Expr,
        right: &Expr,
        span: Span,
    ) -> Option<Option<Expr>> {
        use BinaryOperator as B;
        if left.ty != Type::Any && right.ty != Type::Any {
            return None;
        }
        if op == B::Addition && (left.ty == Type::String || right.ty == Type::String) {
            return None;
        }
        let other = if left.ty == Type::Any {
            &right.ty
        } else {
            &left.ty
        };
        let numeric_or_any = other.is_numeric() || matches!(other, Type::Any | Type::Enum(_));
        let code = |o: BinaryOperator| match o {
            B::Addition => 1,
            B::Subtraction => 2,
            B::Multiplication => 3,
            B::Division => 4,
            B::Remainder => 5,
            B::Exponential => 6,
            B::LessThan => 7,
            B::LessEqualThan => 8,
            B::GreaterThan => 9,
            _ => 10,
        };
        let (any_op, ty) = match op {
            B::Addition
            | B::Subtraction
            | B::Multiplication
            | B::Division
            | B::Remainder
            | B::Exponential
                if numeric_or_any =>
            {
                (AnyOp::Arith(code(op)), Type::Any)
            }
            B::LessThan | B::LessEqualThan | B::GreaterThan | B::GreaterEqualThan
                if numeric_or_any || *other == Type::String =>
            {
                (AnyOp::Compare(code(op)), Type::Boolean)
            }
            B::Equality | B::StrictEquality if *other != Type::Void => {
                (AnyOp::Equal, Type::Boolean)
            }
            B::Inequality | B::StrictInequality if *other != Type::Void => {
                (AnyOp::NotEqual, Type::Boolean)
            }
            _ => {
                self.error(diag::invalid_operands(
                    span,
                    op.as_str(),
                    &left.ty,
                    &right.ty,
                ));
                return Some(None);
            }
        };
        let site = if matches!(any_op, AnyOp::Arith(_) | AnyOp::Compare(_)) {
            self.site(span)
        } else {
            0
        };
        Some(Some(Expr::new(
            ExprKind::AnyBinary {
                op: any_op,
                left: Box::new(boxed(left.clone())),
                right: Box::new(boxed(right.clone())),
                site,
            },
            ty,
            span,
        )))
    }
}

/// Evaluates `temps` before `body` (nothing to do when there are none).
fn with_temps(temps: Vec<(LocalId, Expr)>, body: Expr) -> Expr {
    if temps.is_empty() {
        return body;
    }
    let (ty, span) = (body.ty.clone(), body.span);
    Expr::new(
        ExprKind::With {
            temps,
            body: Box::new(body),
        },
        ty,
        span,
    )
}

/// `function code(strings: any, ...keys: any[]) {}`, which editors need for the `code` tag of
/// inline C: accepted and ignored (section 5.3 of the specification).
fn is_code_declaration(f: &ast::Function<'_>) -> bool {
    f.id.as_ref().is_some_and(|id| id.name.as_str() == "code") && f.params.rest.is_some()
}

/// A string, a nullable string, or null.
fn is_stringish(t: &Type) -> bool {
    match t {
        Type::String | Type::Null => true,
        Type::Nullable(inner) => **inner == Type::String,
        _ => false,
    }
}

/// An enum value seen as an integer.
fn as_integer(e: Expr) -> Expr {
    match e.ty {
        Type::Enum(_) => Expr {
            ty: Type::Integer,
            ..e
        },
        _ => e,
    }
}

/// Converts a numeric expression to `ty` (integer to float; anything else unchanged).
fn to_type(e: Expr, ty: &Type) -> Expr {
    let e = as_integer(e);
    if e.ty == Type::Integer && *ty == Type::Float {
        if let ExprKind::Int(v) = e.kind {
            return Expr::new(ExprKind::Float(v as f32), Type::Float, e.span);
        }
        let span = e.span;
        return Expr::new(
            ExprKind::Convert(Conv::IntToFloat, Box::new(e)),
            Type::Float,
            span,
        );
    }
    e
}

/// The boxed (`any`) form of a value; strings and `any` are already boxed words.
fn boxed(e: Expr) -> Expr {
    if e.ty.is_boxed_repr() {
        return e;
    }
    let span = e.span;
    Expr::new(ExprKind::Convert(Conv::Box, Box::new(e)), Type::Any, span)
}

/// The truthiness of a value, as a boolean.
fn truthy(e: Expr) -> Expr {
    if e.ty == Type::Boolean {
        return e;
    }
    let span = e.span;
    Expr::new(
        ExprKind::Convert(Conv::Truthy, Box::new(e)),
        Type::Boolean,
        span,
    )
}

fn has_zero_value(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Integer
            | Type::Float
            | Type::Boolean
            | Type::Any
            | Type::Null
            | Type::Nullable(_)
            | Type::Enum(_)
    )
}

fn is_legacy_octal(lower: &str) -> bool {
    lower.len() > 1 && lower.starts_with('0') && lower.as_bytes()[1].is_ascii_digit()
}

/// The syntactic rule of section 6.1: the last statement returns, or is an `if`/`else` whose
/// branches both do (blocks are looked into).
fn always_returns(stmts: &[ast::Statement<'_>]) -> bool {
    match stmts.last() {
        Some(ast::Statement::ReturnStatement(_)) => true,
        Some(ast::Statement::BlockStatement(b)) => always_returns(&b.body),
        Some(ast::Statement::IfStatement(i)) => match &i.alternate {
            Some(alt) => {
                always_returns(std::slice::from_ref(&i.consequent))
                    && always_returns(std::slice::from_ref(alt))
            }
            None => false,
        },
        _ => false,
    }
}

fn ast_expr_span(e: &ast::Expression<'_>) -> oxc_span::Span {
    e.span()
}

fn ts_type_span(t: &ast::TSType<'_>) -> Span {
    sp(t.span())
}

fn stmt_span(s: &ast::Statement<'_>) -> oxc_span::Span {
    s.span()
}

/// The ESTree name of a statement, for `unsupported syntax` messages.
fn stmt_name(s: &ast::Statement<'_>) -> &'static str {
    use ast::Statement as S;
    match s {
        S::SwitchStatement(_) => "SwitchStatement",
        S::ForInStatement(_) => "ForInStatement",
        S::ForOfStatement(_) => "ForOfStatement",
        S::TryStatement(_) => "TryStatement",
        S::ThrowStatement(_) => "ThrowStatement",
        S::LabeledStatement(_) => "LabeledStatement",
        S::WithStatement(_) => "WithStatement",
        S::DebuggerStatement(_) => "DebuggerStatement",
        S::ClassDeclaration(_) => "ClassDeclaration",
        S::TSInterfaceDeclaration(_) => "TSInterfaceDeclaration",
        S::TSEnumDeclaration(_) => "TSEnumDeclaration",
        S::ImportDeclaration(_) => "ImportDeclaration",
        S::ExportNamedDeclaration(_) => "ExportNamedDeclaration",
        S::ExportDefaultDeclaration(_) => "ExportDefaultDeclaration",
        S::ExportAllDeclaration(_) => "ExportAllDeclaration",
        _ => "Statement",
    }
}

/// The ESTree name of an expression, for `unsupported syntax` messages.
fn expr_name(e: &ast::Expression<'_>) -> &'static str {
    use ast::Expression as E;
    match e {
        E::ArrayExpression(_) => "ArrayExpression",
        E::ArrowFunctionExpression(_) => "ArrowFunctionExpression",
        E::FunctionExpression(_) => "FunctionExpression",
        E::ObjectExpression(_) => "ObjectExpression",
        E::TemplateLiteral(_) => "TemplateLiteral",
        E::TaggedTemplateExpression(_) => "TaggedTemplateExpression",
        E::SequenceExpression(_) => "SequenceExpression",
        E::NewExpression(_) => "NewExpression",
        E::ThisExpression(_) => "ThisExpression",
        E::ComputedMemberExpression(_) => "ComputedMemberExpression",
        E::ChainExpression(_) => "OptionalMemberExpression",
        E::TSNonNullExpression(_) => "TSNonNullExpression",
        E::TSTypeAssertion(_) => "TSTypeAssertion",
        E::TSSatisfiesExpression(_) => "TSSatisfiesExpression",
        E::RegExpLiteral(_) => "RegExpLiteral",
        E::BigIntLiteral(_) => "BigIntLiteral",
        E::AwaitExpression(_) => "AwaitExpression",
        E::YieldExpression(_) => "YieldExpression",
        E::ClassExpression(_) => "ClassExpression",
        E::Super(_) => "Super",
        _ => "Expression",
    }
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
