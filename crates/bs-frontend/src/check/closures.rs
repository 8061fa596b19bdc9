//! Arrow functions, function values and calls through them.
//!
//! An arrow function becomes a function of its own (`Symbol::Arrow`) that takes the function
//! value as a hidden first argument (local 0). A variable of an enclosing body that it uses is
//! *captured*: the enclosing body keeps that variable in a heap cell (its `Local` is marked
//! `captured`, so every access there goes through the cell too), and the function value holds
//! the cell, so updates are seen on both sides (capture by reference). An arrow nested in an
//! arrow captures through the enclosing arrow's own capture slots.

use std::collections::HashMap;

use oxc_ast::ast;

use super::{Checker, FnCtx, sp};
use crate::diag;
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};

/// A variable an arrow function captures.
#[derive(Clone, Debug)]
pub(super) struct Capture {
    pub name: String,
    pub from: CaptureFrom,
    pub ty: Type,
    pub mutable: bool,
}

impl FnCtx {
    fn add_capture(&mut self, name: &str, from: CaptureFrom, ty: &Type, mutable: bool) -> u32 {
        if let Some(k) = self.captures.iter().position(|c| c.name == name) {
            return k as u32;
        }
        self.captures.push(Capture {
            name: name.to_string(),
            from,
            ty: ty.clone(),
            mutable,
        });
        (self.captures.len() - 1) as u32
    }

    /// A local of this body by name, as an arrow function created here sees it: its id, type
    /// and mutability. The type is the declared one, except for a `const` narrowed here: the
    /// arrow may run after any later assignment of a `let`.
    fn find_local(&self, name: &str) -> Option<(LocalId, Type, bool)> {
        for scope in self.scopes.iter().rev() {
            if let Some(b) = scope.get(name) {
                let narrowed = self
                    .narrowing
                    .flow
                    .facts
                    .get(&super::flow::Key::Local(b.id))
                    .filter(|_| !b.mutable);
                let ty = narrowed.map_or_else(|| self.locals[b.id].ty.clone(), |f| f.ty.clone());
                return Some((b.id, ty, b.mutable));
            }
        }
        None
    }
}

impl<'a> Checker<'_, 'a> {
    /// A variable of an enclosing body, seen from the arrow function being checked: its capture
    /// slot, type and mutability. Every arrow between the variable's body and this one captures
    /// it too.
    pub(super) fn find_capture(&mut self, name: &str) -> Option<(u32, Type, bool)> {
        if !self.f.is_arrow {
            return None;
        }
        if let Some(k) = self.f.captures.iter().position(|c| c.name == name) {
            let c = &self.f.captures[k];
            return Some((k as u32, c.ty.clone(), c.mutable));
        }
        let n = self.outer.len();
        for j in (0..n).rev() {
            let found = if let Some((id, ty, mutable)) = self.outer[j].find_local(name) {
                self.outer[j].locals[id].captured = true;
                Some((CaptureFrom::Local(id), ty, mutable))
            } else {
                self.outer[j]
                    .captures
                    .iter()
                    .position(|c| c.name == name)
                    .map(|k| {
                        (
                            CaptureFrom::Outer(k as u32),
                            self.outer[j].captures[k].ty.clone(),
                            self.outer[j].captures[k].mutable,
                        )
                    })
            };
            if let Some((mut from, ty, mutable)) = found {
                for i in j + 1..n {
                    from = CaptureFrom::Outer(self.outer[i].add_capture(name, from, &ty, mutable));
                }
                let k = self.f.add_capture(name, from, &ty, mutable);
                return Some((k, ty, mutable));
            }
            if !self.outer[j].is_arrow {
                break;
            }
        }
        None
    }

    /// The declared type of a variable an arrow function captures (its capture slot may have a
    /// narrowed type: a `const` narrowed where the arrow was made).
    pub(super) fn declared_capture_type(&self, name: &str) -> Option<Type> {
        for outer in self.outer.iter().rev() {
            for scope in outer.scopes.iter().rev() {
                if let Some(b) = scope.get(name) {
                    return Some(outer.locals[b.id].ty.clone());
                }
            }
            if !outer.is_arrow {
                break;
            }
        }
        None
    }

    /// The parameter and result types of an arrow function from its annotations (`None` for a
    /// result type that must be inferred).
    fn arrow_types(
        &mut self,
        a: &'a ast::ArrowFunctionExpression<'a>,
    ) -> (Vec<Type>, Option<Type>) {
        let params = a
            .params
            .items
            .iter()
            .map(|p| match &p.type_annotation {
                Some(t) => self.resolve_type(&t.type_annotation).unwrap_or(Type::Any),
                None => Type::Any,
            })
            .collect();
        let ret = a
            .return_type
            .as_ref()
            .map(|t| self.resolve_type(&t.type_annotation).unwrap_or(Type::Any));
        (params, ret)
    }

    /// The type of an arrow function without checking its body when it is fully annotated (so
    /// that `const f = (n: integer): integer => … f(n - 1) …` can refer to itself).
    pub(super) fn annotated_arrow_type(&mut self, e: &'a ast::Expression<'a>) -> Option<Type> {
        let ast::Expression::ArrowFunctionExpression(a) = e.without_parentheses() else {
            return None;
        };
        if a.return_type.is_none() || a.params.items.iter().any(|p| p.type_annotation.is_none()) {
            return None;
        }
        let (params, ret) = self.arrow_types(a);
        Some(Type::Function(Box::new(FnSig { params, ret: ret? })))
    }

    /// Checks the body of an arrow function in a fresh context: the function value is local 0,
    /// the parameters follow. `first_return` infers the result type.
    fn arrow_body(
        &mut self,
        a: &'a ast::ArrowFunctionExpression<'a>,
        params: &[Type],
        ret: Option<Type>,
    ) -> (FnCtx, Vec<Stmt>, Option<Type>) {
        let this_class = self.f.this_class.clone();
        let ctx = FnCtx {
            ret: ret.clone(),
            first_return: if ret.is_none() { Some(None) } else { None },
            is_arrow: true,
            this_class,
            ..FnCtx::default()
        };
        let saved = std::mem::replace(&mut self.f, ctx);
        self.outer.push(saved);
        self.f.scopes.push(HashMap::new());
        self.f.locals.push(Local::new("<closure>", Type::Any));
        for (p, ty) in a.params.items.iter().zip(params) {
            match &p.pattern {
                ast::BindingPattern::BindingIdentifier(id) => {
                    self.declare_local(id.name.as_str(), ty.clone(), true, sp(id.span));
                }
                _ => self.error(diag::destructuring(sp(p.span))),
            }
        }
        let mut body = Vec::new();
        let mut expr_type = None;
        let is_expression = !matches!(a.body, ast::ArrowFunctionBody::FunctionBody(_));
        match &a.body {
            ast::ArrowFunctionBody::FunctionBody(block) => {
                for s in &block.statements {
                    if let Some(s) = self.check_stmt(s) {
                        body.push(s);
                    }
                }
            }
            // `(x) => expr`: the body is one expression, returned.
            other => {
                let expression = other
                    .as_expression()
                    .expect("an arrow body is a block or an expression");
                if let Some(e) = self.expr_allow_void(expression) {
                    expr_type = Some(e.ty.clone());
                    match &self.f.ret {
                        Some(Type::Void) | None if e.ty == Type::Void => body.push(Stmt::Expr(e)),
                        Some(r) => {
                            let r = r.clone();
                            if let Some(e) = self.coerce(e, &r, super::CoerceCtx::Return) {
                                body.push(Stmt::Return(Some(e)));
                            }
                        }
                        None => body.push(Stmt::Return(Some(e))),
                    }
                }
            }
        }
        let inferred = if is_expression {
            expr_type
        } else {
            self.f.first_return.take().flatten()
        };
        let ctx = std::mem::replace(&mut self.f, self.outer.pop().expect("pushed above"));
        (ctx, body, inferred)
    }

    /// `(params) => body`.
    pub(super) fn arrow(&mut self, a: &'a ast::ArrowFunctionExpression<'a>) -> Option<Expr> {
        let span = sp(a.span);
        if a.r#async {
            self.error(diag::async_function(span));
            return None;
        }
        let (params, declared_ret) = self.arrow_types(a);
        let inferred_here = declared_ret.is_none();
        let ret = match declared_ret {
            Some(r) => r,
            None if self.arrow_results.contains_key(&(span.start, span.end)) => {
                self.arrow_results[&(span.start, span.end)].clone()
            }
            None => {
                // Infer the result type quietly, then check for real with it.
                let saved = (
                    self.ids.next_site,
                    self.out.sites.len(),
                    self.ids.next_class,
                    self.out.array_classes.len(),
                    self.out.arrows.len(),
                );
                self.diags.quiet += 1;
                let discards_classes = std::mem::replace(&mut self.diags.discards_classes, true);
                let (_, _, inferred) = self.arrow_body(a, &params, None);
                self.diags.quiet -= 1;
                self.diags.discards_classes = discards_classes;
                self.ids.next_site = saved.0;
                self.out.sites.truncate(saved.1);
                self.ids.next_class = saved.2;
                self.truncate_array_classes(saved.3);
                self.out.arrows.truncate(saved.4);
                let ret = inferred.unwrap_or(Type::Void);
                self.arrow_results
                    .insert((span.start, span.end), ret.clone());
                ret
            }
        };
        if inferred_here && self.diags.quiet > 0 && self.diags.discards_classes {
            // Only the type is wanted, and it is known: checking the body again with it would
            // make each level of nested arrows check the levels inside it once more.
            let sig = FnSig { params, ret };
            let symbol = Symbol::Arrow {
                unit: self.unit_id,
                index: self.out.arrows.len() as u32,
            };
            return Some(Expr::new(
                ExprKind::Closure {
                    symbol,
                    sig: sig.clone(),
                    captures: Vec::new(),
                },
                Type::Function(Box::new(sig)),
                span,
            ));
        }
        let (ctx, body, _) = self.arrow_body(a, &params, Some(ret.clone()));
        if self.outer.is_empty() {
            self.forget_arrow_results();
        }
        if let ast::ArrowFunctionBody::FunctionBody(block) = &a.body {
            if ret != Type::Void && !super::always_returns(&block.statements) {
                self.error(diag::missing_return(span));
            }
        }
        let sig = FnSig { params, ret };
        let symbol = Symbol::Arrow {
            unit: self.unit_id,
            index: self.out.arrows.len() as u32,
        };
        let mut c_sig = sig.clone();
        c_sig.params.insert(0, Type::Any);
        let captures = ctx.captures.iter().map(|c| c.from).collect();
        // While inferring types (quiet), nothing produced is kept.
        if self.diags.quiet == 0 {
            self.out.arrows.push((
                symbol.clone(),
                c_sig,
                Function {
                    locals: ctx.locals,
                    body,
                },
            ));
        }
        Some(Expr::new(
            ExprKind::Closure {
                symbol,
                sig: sig.clone(),
                captures,
            },
            Type::Function(Box::new(sig)),
            span,
        ))
    }

    /// A top-level function used as a value: a function value running a trampoline that calls
    /// the function's slot (so that a later redefinition is followed).
    pub(super) fn function_value(
        &mut self,
        name: &str,
        slot: &Symbol,
        sig: &FnSig,
        span: Span,
    ) -> Expr {
        let trampoline = Symbol::Trampoline {
            name: name.to_string(),
            unit: self.unit_id,
        };
        if self.diags.quiet == 0
            && !self
                .out
                .trampolines
                .iter()
                .any(|(t, _, _)| *t == trampoline)
        {
            self.out
                .trampolines
                .push((trampoline.clone(), slot.clone(), sig.clone()));
        }
        Expr::new(
            ExprKind::FuncValue {
                trampoline,
                sig: sig.clone(),
            },
            Type::Function(Box::new(sig.clone())),
            span,
        )
    }

    /// A call of a function value.
    pub(super) fn call_value(&mut self, callee: Expr, args: Vec<Expr>, span: Span) -> Option<Expr> {
        if callee.ty == Type::Any {
            // A call through `any`: arguments are boxed, checked by the callee's entry.
            let site = self.site(span);
            let args = args.into_iter().map(super::boxed).collect();
            return Some(Expr::new(
                ExprKind::AnyCall {
                    target: Box::new(callee),
                    name_id: None,
                    args,
                    site,
                },
                Type::Any,
                span,
            ));
        }
        let Type::Function(sig) = callee.ty.clone() else {
            self.error(diag::the_callee_is_not_a_function(callee.span));
            return None;
        };
        if args.len() != sig.params.len() {
            self.error(diag::wrong_argument_count(
                span,
                sig.params.len(),
                args.len(),
            ));
            return None;
        }
        let coerced: Vec<Option<Expr>> = args
            .into_iter()
            .zip(&sig.params)
            .map(|(a, p)| self.coerce(a, p, super::CoerceCtx::Argument))
            .collect();
        let args: Vec<Expr> = coerced.into_iter().collect::<Option<_>>()?;
        let ret = sig.ret.clone();
        Some(Expr::new(
            ExprKind::CallValue {
                callee: Box::new(callee),
                sig: *sig,
                args,
            },
            ret,
            span,
        ))
    }
}

impl<'a> Checker<'_, 'a> {
    /// ``code`…` ``: C text, with `${variable}` and `${this.field}` as C lvalues. At the top
    /// level of a unit a text without `${…}` goes to file scope (includes, helpers, C globals);
    /// one with `${…}` runs in place among the top-level statements.
    pub(super) fn native(&mut self, t: &'a ast::TaggedTemplateExpression<'a>) -> Option<Stmt> {
        let span = sp(t.span);
        if !matches!(&t.tag, ast::Expression::Identifier(id) if id.name.as_str() == "code") {
            self.error(diag::tagged_template(span));
            return None;
        }
        // At the top level a template that embeds nothing is file-scope C (includes, helpers);
        // one that embeds variables is a statement of the unit's top-level code, like any other.
        let top = self.f.top_level
            && self.f.scopes.len() == 1
            && self.outer.is_empty()
            && t.quasi.expressions.is_empty();
        // The C text: the template literal without its backticks.
        let quasi = sp(t.quasi.span);
        let text_span = Span {
            start: (quasi.start + 1).min(quasi.end),
            end: quasi.end.saturating_sub(1).max(quasi.start),
        };
        let mut parts = Vec::new();
        let mut ok = true;
        for (i, q) in t.quasi.quasis.iter().enumerate() {
            // The text as written: C has its own escapes (`"\n"` must reach the C compiler as
            // a backslash and an `n`, not as a line break).
            let text = q.value.raw.as_str().to_string();
            parts.push(NativePart::Text(text));
            let Some(e) = t.quasi.expressions.get(i) else {
                continue;
            };
            let place = match e.without_parentheses() {
                ast::Expression::Identifier(id) if !top => {
                    match self.lookup_declared(id.name.as_str()) {
                        Some(super::Name::Local(b, ty)) => Some((Place::Local(b.id), ty)),
                        Some(super::Name::Var {
                            ty,
                            symbol,
                            external,
                            ..
                        }) => {
                            self.note_extern_global(external, &symbol, &ty);
                            Some((Place::Global { symbol }, ty))
                        }
                        Some(super::Name::Captured { index, ty, .. }) => {
                            // The C code may write it: as for an assignment in an arrow.
                            self.note_closure_assigns(id.name.as_str());
                            Some((Place::Captured { index }, ty))
                        }
                        _ => {
                            self.error(diag::unknown_variable(sp(id.span), id.name.as_str()));
                            None
                        }
                    }
                }
                ast::Expression::StaticMemberExpression(m)
                    if !top && matches!(m.object, ast::Expression::ThisExpression(_)) =>
                {
                    self.member_place(m)
                }
                other => {
                    self.error(diag::native_embed(sp(oxc_span::GetSpan::span(other))));
                    None
                }
            };
            match place {
                Some((p, ty)) => parts.push(NativePart::Place(p, ty)),
                None => ok = false,
            }
        }
        // The C code may write the variables it embeds, and call anything.
        for e in &t.quasi.expressions {
            if let ast::Expression::Identifier(id) = e.without_parentheses() {
                self.forget_fact(id.name.as_str());
            }
        }
        self.forget_volatile();
        if !ok {
            return None;
        }
        if top {
            let text: String = parts
                .into_iter()
                .map(|p| match p {
                    NativePart::Text(t) => t,
                    NativePart::Place(..) => String::new(),
                })
                .collect();
            if self.diags.quiet == 0 {
                self.out.native_top.push((text, text_span));
            }
            return None;
        }
        Some(Stmt::Native(parts, text_span))
    }
}
