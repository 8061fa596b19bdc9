//! The unit as a whole: its top-level items and names, the declarations of its functions and
//! variables (with their types inferred on demand), and the `ir::Unit` built from them.

use std::collections::HashMap;

use oxc_ast::ast;

use super::{Checker, CoerceCtx, FnCtx, ast_expr_span, has_zero_value, sp};
use crate::diag;
use crate::env::Global;
use crate::ir::*;
use crate::types::{FnSig, Type};

/// A top-level item of a unit, with `export` looked through.
#[derive(Clone, Copy)]
pub(super) enum TopItem<'a> {
    Func(&'a ast::Function<'a>),
    Var(&'a ast::VariableDeclaration<'a>),
    Class(&'a ast::Class<'a>),
    Enum(&'a ast::TSEnumDeclaration<'a>),
    Import(&'a ast::ImportDeclaration<'a>),
    Stmt(&'a ast::Statement<'a>),
}

/// A top-level name declared by the unit being checked.
#[derive(Clone, Debug)]
pub(super) enum UnitName<'a> {
    Var {
        ty: Option<Type>,
        mutable: bool,
        symbol: Symbol,
        decl: &'a ast::VariableDeclarator<'a>,
    },
    Func {
        params: Vec<Type>,
        ret: Option<Type>,
        slot: Symbol,
        body: Symbol,
        redefines: bool,
        decl: &'a ast::Function<'a>,
    },
}

/// The names each import declaration of a unit asks for: (module path, local names with their
/// spans), in order; `import type` declarations ask for none. Syntax errors and unsupported
/// forms are left to `check_unit`.
pub fn imported_names(source: &str) -> Vec<(String, Vec<(String, crate::Span)>)> {
    if super::angles::check(source).is_some() {
        return Vec::new();
    }
    let allocator = oxc_allocator::Allocator::default();
    let parsed = stacker::grow(super::parse_stack_size(source), || {
        oxc_parser::Parser::new(&allocator, source, oxc_span::SourceType::ts()).parse()
    });
    let mut out = Vec::new();
    for stmt in &parsed.program.body {
        let ast::Statement::ImportDeclaration(i) = stmt else {
            continue;
        };
        if i.import_kind.is_type() {
            continue;
        }
        let names = i
            .specifiers
            .iter()
            .flatten()
            .filter_map(|s| match s {
                ast::ImportDeclarationSpecifier::ImportSpecifier(s) if !s.import_kind.is_type() => {
                    Some((s.local.name.as_str().to_string(), sp(s.span)))
                }
                _ => None,
            })
            .collect();
        out.push((i.source.value.as_str().to_string(), names));
    }
    out
}

impl<'a> Checker<'_, 'a> {
    pub(super) fn declared(&self) -> Vec<(String, Global)> {
        let mut out = Vec::new();
        for name in &self.decls.order {
            match &self.decls.names[name] {
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
        let mut enums: Vec<_> = self.decls.enums.iter().collect();
        enums.sort();
        for (name, members) in enums {
            out.push((
                name.clone(),
                Global::Enum {
                    name: name.clone(),
                    members: members.clone(),
                },
            ));
        }
        let mut classes: Vec<_> = self.decls.classes.values().collect();
        classes.sort_by_key(|c| c.id);
        for c in classes {
            out.push((c.name.clone(), Global::Class(c.clone())));
        }
        out
    }

    /// The unit's top-level items, exported declarations unwrapped (their names are recorded
    /// as exported).
    pub(super) fn top_items(&mut self, body: &'a [ast::Statement<'a>]) -> Vec<TopItem<'a>> {
        let mut items = Vec::new();
        for stmt in body {
            let item = match stmt {
                ast::Statement::FunctionDeclaration(f) => TopItem::Func(f),
                ast::Statement::VariableDeclaration(v) => TopItem::Var(v),
                ast::Statement::ClassDeclaration(c) => TopItem::Class(c),
                ast::Statement::TSEnumDeclaration(e) => TopItem::Enum(e),
                // `import type …` is ignored (section 5.3).
                ast::Statement::ImportDeclaration(i) if i.import_kind.is_type() => continue,
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

    pub(super) fn export(&mut self, name: Option<&str>) {
        if let Some(n) = name {
            self.out.exported.push(n.to_string());
        }
    }

    /// `import { a, b } from './m'`: the module must declare and export each name.
    pub(super) fn check_import(&mut self, import: &'a ast::ImportDeclaration<'a>) {
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
            // `import { type T }`: a name for types only, ignored like `import type`.
            if s.import_kind.is_type() {
                continue;
            }
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

    pub(super) fn check_program(&mut self, program: &'a ast::Program<'a>) -> Unit {
        let items = self.top_items(&program.body);
        self.collect(&items);
        // Infer every missing type now, in source order, so that errors and results do not
        // depend on the order of use.
        for name in self.decls.order.clone() {
            match &self.decls.names[&name] {
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
        let dyn_checks = self.dyn_checks(&classes);
        Unit {
            id: self.unit_id,
            entry_symbol: Symbol::UnitEntry { unit: self.unit_id },
            globals,
            functions,
            externs: std::mem::take(&mut self.out.externs),
            classes,
            arrows: std::mem::take(&mut self.out.arrows),
            native_top: std::mem::take(&mut self.out.native_top),
            names: self.out.prop_names.clone(),
            dyn_checks,
            trampolines: std::mem::take(&mut self.out.trampolines),
            array_classes: {
                let arrays = self.out.array_classes.clone();
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
            sites: std::mem::take(&mut self.out.sites),
            specialised: Vec::new(),
            guards: Vec::new(),
            inlined: Vec::new(),
        }
    }

    /// Step 1: the unit's top-level names.
    pub(super) fn collect(&mut self, items: &[TopItem<'a>]) {
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
                        if self.env.get(&name).is_some() || self.decls.names.contains_key(&name) {
                            self.error(diag::already_declared(sp(id.span), &name));
                            continue;
                        }
                        let ty = match &d.type_annotation {
                            Some(t) => self.resolve_type(&t.type_annotation),
                            None if d.init.is_none() => Some(Type::Any),
                            None => None,
                        };
                        let symbol = Symbol::Global {
                            name: self.env.qualify(&name),
                        };
                        self.decls.order.push(name.clone());
                        self.decls.names.insert(
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

    pub(super) fn collect_function(&mut self, func: &'a ast::Function<'a>) {
        let Some(id) = &func.id else { return };
        if is_code_declaration(func) {
            return;
        }
        let name = id.name.as_str().to_string();
        if self.decls.names.contains_key(&name) {
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
        let body = Symbol::FnBody {
            name: name.clone(),
            unit: self.unit_id,
        };
        let (slot, redefines) = match self.env.get(&name) {
            None => (
                Symbol::FnSlot {
                    name: self.env.qualify(&name),
                },
                false,
            ),
            // A function of this module's own (an imported one cannot be redefined).
            Some(Global::Func {
                slot: slot @ Symbol::FnSlot { name: slot_name },
                ..
            }) if self.env.is_own(slot_name) => (slot.clone(), true),
            Some(_) => {
                self.error(diag::already_declared(sp(id.span), &name));
                return;
            }
        };
        if self.decls.classes.contains_key(&name) || self.decls.enums.contains_key(&name) {
            self.error(diag::already_declared(sp(id.span), &name));
            return;
        }
        self.decls.order.push(name.clone());
        self.decls.names.insert(
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
    pub(super) fn func_sig(&mut self, name: &str) -> Option<FnSig> {
        let UnitName::Func {
            params, ret, decl, ..
        } = self.decls.names.get(name)?.clone()
        else {
            return None;
        };
        if let Some(ret) = ret {
            return Some(FnSig { params, ret });
        }
        if !self.decls.inferring.insert(name.to_string()) {
            // A recursive use while its own result type is being inferred.
            return None;
        }
        let saved_f = std::mem::take(&mut self.f);
        let saved_sites = (self.ids.next_site, self.out.sites.len());
        self.diags.quiet += 1;
        let discards_classes = std::mem::replace(&mut self.diags.discards_classes, false);
        self.forget_arrow_results();
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
        self.diags.quiet -= 1;
        self.diags.discards_classes = discards_classes;
        self.forget_arrow_results();
        self.f = saved_f;
        self.ids.next_site = saved_sites.0;
        self.out.sites.truncate(saved_sites.1);
        self.decls.inferring.remove(name);
        if let Some(UnitName::Func { ret, .. }) = self.decls.names.get_mut(name) {
            *ret = Some(inferred.clone());
        }
        Some(FnSig {
            params,
            ret: inferred,
        })
    }

    /// The type of a top-level variable of this unit, inferring it from its initial value.
    pub(super) fn var_type(&mut self, name: &str) -> Option<Type> {
        let UnitName::Var { ty, decl, .. } = self.decls.names.get(name)?.clone() else {
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
            if let Some(UnitName::Var { ty, .. }) = self.decls.names.get_mut(name) {
                *ty = Some(t.clone());
            }
            return Some(t);
        }
        if !self.decls.inferring.insert(name.to_string()) {
            return None;
        }
        let saved_f = std::mem::take(&mut self.f);
        let saved_sites = (self.ids.next_site, self.out.sites.len());
        let saved_visible = self.decls.visible.clone();
        self.diags.quiet += 1;
        let discards_classes = std::mem::replace(&mut self.diags.discards_classes, false);
        self.forget_arrow_results();
        // Inference looks at every unit variable, declared before or after.
        self.f = FnCtx::default();
        self.f.scopes.push(HashMap::new());
        let inferred = decl
            .init
            .as_ref()
            .and_then(|e| self.expr_allow_void(e))
            .map(|e| e.ty);
        self.diags.quiet -= 1;
        self.diags.discards_classes = discards_classes;
        self.forget_arrow_results();
        self.f = saved_f;
        self.decls.visible = saved_visible;
        self.ids.next_site = saved_sites.0;
        self.out.sites.truncate(saved_sites.1);
        self.decls.inferring.remove(name);
        let inferred = inferred?;
        if let Some(UnitName::Var { ty, .. }) = self.decls.names.get_mut(name) {
            *ty = Some(inferred.clone());
        }
        Some(inferred)
    }

    pub(super) fn check_function(&mut self, func: &'a ast::Function<'a>) -> Option<FuncDef> {
        let id = func.id.as_ref()?;
        let name = id.name.as_str().to_string();
        let Some(UnitName::Func {
            slot,
            body,
            redefines,
            decl,
            ..
        }) = self.decls.names.get(&name).cloned()
        else {
            return None;
        };
        if !std::ptr::eq(decl, func) {
            return None; // a duplicate, already reported
        }
        self.check_function_shape(func);
        if func.body.is_none() {
            self.error(diag::missing_body(
                sp(id.span),
                &format!("function '{name}'"),
            ));
        }
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
        let profile = self.profile_of(&name, func, &stmts);
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
            profile,
        })
    }

    /// Reports the function features BlueScript does not have.
    pub(super) fn check_function_shape(&mut self, func: &ast::Function<'_>) {
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

    pub(super) fn check_global_decl(
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
            }) = self.decls.names.get(name).cloned()
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
            let mut init_ty = None;
            if let Some(init) = &d.init {
                if let Some(value) = self.expr_hint(init, Some(&ty)) {
                    init_ty = Some(value.ty.clone());
                    if let Some(value) = self.coerce(value, &ty, CoerceCtx::Assign) {
                        body.push(Stmt::InitGlobal { symbol, value });
                    }
                }
            }
            self.decls.visible.insert(name.to_string());
            // Narrowed by its initial value, as a local is (see `flow`).
            if let Some(init_ty) = init_ty {
                self.assigned(name, &ty, &init_ty);
            }
        }
    }
}

/// `function code(strings: any, ...keys: any[]) {}`, which editors need for the `code` tag of
/// inline C: accepted and ignored (section 5.3 of the specification).
pub(super) fn is_code_declaration(f: &ast::Function<'_>) -> bool {
    f.id.as_ref().is_some_and(|id| id.name.as_str() == "code") && f.params.rest.is_some()
}

/// The syntactic rule of section 6.1: the last statement returns, or is an `if`/`else` whose
/// branches both do (blocks are looked into).
pub(super) fn always_returns(stmts: &[ast::Statement<'_>]) -> bool {
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
