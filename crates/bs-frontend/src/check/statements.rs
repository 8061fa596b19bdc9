//! Statements: blocks and their scopes, local declarations, control flow (with the narrowing of
//! `if (x != null)`) and `return`.

use std::collections::HashMap;

use oxc_ast::ast;
use oxc_span::GetSpan;
use oxc_syntax::operator::BinaryOperator;

use super::{Checker, CoerceCtx, LocalBinding, Name, ast_expr_span, sp};
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

    /// For `x == null` / `x != null` (and `===`, `!==`, `undefined`, either order) on a local of
    /// nullable type: the local's name, binding, its non-null type, and whether the test is
    /// true when `x` is not null.
    pub(super) fn null_test(
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
    pub(super) fn narrowed_body(
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
            S::ForStatement(s) => self.for_stmt(s),
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
