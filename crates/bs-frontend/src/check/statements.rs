//! Statements: blocks and their scopes, local declarations, control flow (carrying the
//! narrowing of `flow` through branches and loops) and `return`.

use std::collections::HashMap;

use oxc_ast::ast;
use oxc_span::GetSpan;

use super::flow::{Flow, Scan};
use super::{Checker, CoerceCtx, ast_expr_span, sp};
use crate::diag;
use crate::ir::*;
use crate::span::Span;
use crate::types::Type;

impl<'a> Checker<'_, 'a> {
    pub(super) fn block(&mut self, stmts: &'a [ast::Statement<'a>]) -> Vec<Stmt> {
        self.f.scopes.push(HashMap::new());
        let out = stmts.iter().filter_map(|s| self.check_stmt(s)).collect();
        self.f.scopes.pop();
        out
    }

    /// A statement used as the body of `if`, `while` or `for`: a block of its own.
    pub(super) fn body(&mut self, stmt: &'a ast::Statement<'a>) -> Vec<Stmt> {
        match stmt {
            ast::Statement::BlockStatement(b) => self.block(&b.body),
            other => self.block(std::slice::from_ref(other)),
        }
    }

    pub(super) fn check_stmt(&mut self, stmt: &'a ast::Statement<'a>) -> Option<Stmt> {
        self.nested(sp(stmt.span()), |c| c.stmt_kind(stmt))
    }

    fn stmt_kind(&mut self, stmt: &'a ast::Statement<'a>) -> Option<Stmt> {
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
                // `if (x !== undefined)` narrows a nullable variable in the branch where it is
                // not `undefined`; after the `if`, what holds at the end of both branches.
                let (cond, when_true, when_false) = self.test(&s.test);
                self.set_flow(when_true);
                let then = self.body(&s.consequent);
                let after_then = self.set_flow(when_false);
                let otherwise = s
                    .alternate
                    .as_ref()
                    .map(|a| self.body(a))
                    .unwrap_or_default();
                let after_else = self.flow();
                self.set_flow(Flow::join(after_then, after_else));
                Some(Stmt::If {
                    cond: cond?,
                    then,
                    otherwise,
                })
            }
            S::WhileStatement(s) => {
                let mut scan = Scan::default();
                scan.expr(&s.test);
                scan.stmt(&s.body);
                self.loop_head(&scan);
                let head = self.flow();
                let (cond, when_true, when_false) = self.test(&s.test);
                self.set_flow(when_true);
                self.f.loop_depth += 1;
                let body = self.body(&s.body);
                self.f.loop_depth -= 1;
                self.after_loop(&scan, head, when_false);
                Some(Stmt::While { cond: cond?, body })
            }
            S::DoWhileStatement(s) => {
                let mut scan = Scan::default();
                scan.stmt(&s.body);
                scan.expr(&s.test);
                self.loop_head(&scan);
                let head = self.flow();
                self.f.loop_depth += 1;
                let body = self.body(&s.body);
                self.f.loop_depth -= 1;
                if scan.continues {
                    let end = self.flow();
                    self.set_flow(Flow::join(end, head.clone()));
                }
                let (cond, _, when_false) = self.test(&s.test);
                self.after_loop(&scan, head, when_false);
                Some(Stmt::DoWhile { body, cond: cond? })
            }
            S::ForStatement(s) => self.for_stmt(s),
            S::BreakStatement(b) => {
                if b.label.is_some() {
                    self.error(diag::unsupported_syntax(sp(b.span), "LabeledStatement"));
                }
                if self.f.loop_depth == 0 {
                    self.error(diag::break_outside_loop(sp(b.span), "break"));
                }
                self.end_path();
                Some(Stmt::Break)
            }
            S::ContinueStatement(c) => {
                if c.label.is_some() {
                    self.error(diag::unsupported_syntax(sp(c.span), "LabeledStatement"));
                }
                if self.f.loop_depth == 0 {
                    self.error(diag::break_outside_loop(sp(c.span), "continue"));
                }
                self.end_path();
                Some(Stmt::Continue)
            }
            S::ReturnStatement(r) => {
                let out = self.return_stmt(r);
                self.end_path();
                out
            }
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

    /// `for (init; test; update) body`; a declaration in `init` is scoped to the loop.
    fn for_stmt(&mut self, s: &'a ast::ForStatement<'a>) -> Option<Stmt> {
        self.f.scopes.push(HashMap::new());
        let mut init = Vec::new();
        let mut ok = true;
        match &s.init {
            None => {}
            Some(ast::ForStatementInit::VariableDeclaration(d)) => match self.local_decl(d) {
                Some(st) => init.push(st),
                None => ok = false,
            },
            Some(other) => match other.as_expression() {
                Some(e) => match self.expr_allow_void(e) {
                    Some(e) => init.push(Stmt::Expr(e)),
                    None => ok = false,
                },
                None => ok = false,
            },
        }
        let mut scan = Scan::default();
        if let Some(t) = &s.test {
            scan.expr(t);
        }
        if let Some(u) = &s.update {
            scan.expr(u);
        }
        scan.stmt(&s.body);
        self.loop_head(&scan);
        let head = self.flow();
        let (cond, when_true, when_false) = match &s.test {
            Some(t) => {
                let (c, t, f) = self.test(t);
                (Some(c), t, f)
            }
            None => (None, head.clone(), Flow::default()),
        };
        let mut when_false = when_false;
        when_false.dead |= s.test.is_none();
        // The update runs after the body or a `continue`: where the facts of the loop's start
        // hold (nothing the loop assigns has one).
        self.set_flow(head.clone());
        let update = s.update.as_ref().map(|u| self.expr_allow_void(u));
        self.set_flow(when_true);
        self.f.loop_depth += 1;
        let body = self.body(&s.body);
        self.f.loop_depth -= 1;
        self.after_loop(&scan, head, when_false);
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

    /// The flow after a loop: where its condition is false, or, when a `break` leaves it, the
    /// facts of its start (which hold everywhere in the loop).
    fn after_loop(&mut self, scan: &Scan, head: Flow, when_false: Flow) {
        let after = if scan.breaks {
            Flow::join(head, when_false)
        } else {
            when_false
        };
        self.set_flow(after);
    }

    pub(super) fn local_decl(&mut self, decl: &'a ast::VariableDeclaration<'a>) -> Option<Stmt> {
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
            let init_ty = init.as_ref().map(|e| e.ty.clone());
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
            if let Some(local) =
                self.declare_local(id.name.as_str(), ty.clone(), mutable, sp(id.span))
            {
                // `let x: T|undefined = new T()` holds a `T` until it is assigned; without an
                // initial value it holds `undefined`.
                self.assigned(id.name.as_str(), &ty, &init_ty.unwrap_or(Type::Null));
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

    pub(super) fn return_stmt(&mut self, r: &'a ast::ReturnStatement<'a>) -> Option<Stmt> {
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

    /// `let`/`const` only; reports `var` and friends.
    pub(super) fn check_decl_kind(&mut self, decl: &ast::VariableDeclaration<'_>) -> bool {
        match decl.kind {
            ast::VariableDeclarationKind::Let | ast::VariableDeclarationKind::Const => true,
            _ => {
                self.error(diag::only_const_and_let(sp(decl.span)));
                false
            }
        }
    }

    pub(super) fn check_mixed(&mut self, first: &mut Option<Type>, ty: &Type, span: Span) -> bool {
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
}

pub(super) fn has_zero_value(ty: &Type) -> bool {
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

pub(super) fn stmt_span(s: &ast::Statement<'_>) -> oxc_span::Span {
    s.span()
}

/// The ESTree name of a statement, for `unsupported syntax` messages.
pub(super) fn stmt_name(s: &ast::Statement<'_>) -> &'static str {
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
