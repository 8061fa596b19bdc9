//! Calls of functions by name and of function values, with their arguments, and the built-in
//! `print`, `console.log` and `console.error`. Method calls are in `members`.

use oxc_ast::ast;
use oxc_span::GetSpan;

use super::{Checker, CoerceCtx, Name, boxed, sp};
use crate::diag;
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};

impl<'a> Checker<'_, 'a> {
    pub(super) fn call(&mut self, c: &'a ast::CallExpression<'a>) -> Option<Expr> {
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
        if let ast::Expression::Identifier(id) = &c.callee {
            let name = id.name.as_str();
            if matches!(
                name,
                "setInterval" | "setTimeout" | "clearInterval" | "clearTimeout"
            ) && self.lookup(name).is_none()
            {
                return self.timer_call(c, name, span);
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
        let (args, ok) = self.call_arguments(&c.arguments, &hints);
        if let Some(stream) = self.builtin_stream(&c.callee)? {
            return self.print(c, stream, args, ok, span);
        }
        let ast::Expression::Identifier(id) = &c.callee else {
            // A call of a computed function value, e.g. f(7)(8).
            let callee = self.expr(&c.callee)?;
            if !ok {
                return None;
            }
            return self.call_value(callee, args, span);
        };
        self.call_named(c, id, args, ok, span)
    }

    /// The arguments of a call, each typed with its hint when there is one; also whether they
    /// all checked.
    fn call_arguments(
        &mut self,
        arguments: &'a [ast::Argument<'a>],
        hints: &[Type],
    ) -> (Vec<Expr>, bool) {
        let mut args = Vec::new();
        let mut ok = true;
        for (k, a) in arguments.iter().enumerate() {
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
        (args, ok)
    }

    /// Which built-in output a callee is: `Some(0)` for `print` and `console.log`, `Some(1)` for
    /// `console.error`, `Some(None)` for none of them; `None` (reported) for another property of
    /// `console`.
    fn builtin_stream(&mut self, callee: &ast::Expression<'_>) -> Option<Option<u8>> {
        Some(match callee {
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
        })
    }

    /// `setInterval(cb, ms)` and `setTimeout(cb, ms)` (the callback a `() => void`, the result
    /// the timer's id), `clearInterval(id)` and `clearTimeout(id)`: built-in unless the program
    /// declares a function of that name.
    fn timer_call(
        &mut self,
        c: &'a ast::CallExpression<'a>,
        name: &str,
        span: Span,
    ) -> Option<Expr> {
        let callback = Type::Function(Box::new(FnSig {
            params: vec![],
            ret: Type::Void,
        }));
        let set = name.starts_with("set");
        let params = if set {
            vec![callback, Type::Integer]
        } else {
            vec![Type::Integer]
        };
        let (args, ok) = self.call_arguments(&c.arguments, &params);
        if !ok {
            return None;
        }
        let mut args = self.coerce_args(args, &params, span)?;
        if !set {
            return Some(Expr::new(
                ExprKind::Builtin {
                    op: Builtin::ClearTimer,
                    args,
                },
                Type::Void,
                span,
            ));
        }
        let site = self.site(span);
        args.push(Expr::new(ExprKind::Int(site as i32), Type::Integer, span));
        let op = if name == "setInterval" {
            Builtin::SetInterval
        } else {
            Builtin::SetTimeout
        };
        Some(Expr::new(
            ExprKind::Builtin { op, args },
            Type::Integer,
            span,
        ))
    }

    /// `print(a, …)`, `console.log(…)` or `console.error(…)`: the arguments printed boxed,
    /// separated by spaces. `print` needs at least one (section 11); the `console` methods print
    /// an empty line without any, as in JavaScript.
    fn print(
        &mut self,
        c: &ast::CallExpression<'_>,
        stream: u8,
        args: Vec<Expr>,
        ok: bool,
        span: Span,
    ) -> Option<Expr> {
        let is_print = matches!(&c.callee, ast::Expression::Identifier(_));
        if is_print && c.arguments.is_empty() {
            self.error(diag::print_argument_count(span));
            return None;
        }
        if !ok {
            return None;
        }
        Some(Expr::new(
            ExprKind::Print {
                stream,
                args: args.into_iter().map(boxed).collect(),
            },
            Type::Void,
            span,
        ))
    }

    /// A call of a name: a function of the unit or the session (its arguments coerced to its
    /// parameters), or a variable holding a function value.
    fn call_named(
        &mut self,
        c: &ast::CallExpression<'_>,
        id: &ast::IdentifierReference<'_>,
        args: Vec<Expr>,
        ok: bool,
        span: Span,
    ) -> Option<Expr> {
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
                self.note_extern_slot(external, &slot, &sig);
                (sig, slot)
            }
            Some(_) => {
                self.error(diag::the_callee_is_not_a_function(sp(id.span)));
                return None;
            }
            None => {
                if !self.decls.inferring.contains(id.name.as_str()) {
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

    /// `int32` values are never boxed (spec 3.3): every conversion of one to `any` in `unit` (an
    /// assignment, argument, return or array element of type `any`, `print`, string
    /// concatenation, `as any`) is an error. Each is a `Convert(Box)` node of the finished IR.
    pub(super) fn int32_never_boxed(&mut self, unit: &Unit) {
        let mut found = Vec::new();
        let mut visit = |w: Walked<'_>| {
            if let Walked::Expr(e) = w {
                if let ExprKind::Convert(Conv::Box, inner) = &e.kind {
                    if inner.ty.is_int32() {
                        found.push(inner.span);
                    }
                }
            }
        };
        let mut bodies: Vec<&Function> = vec![&unit.body];
        bodies.extend(unit.functions.iter().map(|f| &f.func));
        bodies.extend(unit.arrows.iter().map(|(_, _, f)| f));
        for c in &unit.classes {
            bodies.push(&c.init);
            bodies.extend(c.methods.iter().chain(&c.static_methods).map(|(_, _, f)| f));
        }
        for body in bodies {
            for s in &body.body {
                s.walk(&mut visit);
            }
        }
        for span in found {
            self.error(diag::incompatible_argument(
                span,
                &Type::int32(),
                &Type::Any,
            ));
        }
    }

    /// The class ids the unit's entries for calls through `any` need to check their arguments
    /// against the parameter types: of the methods of `classes`, of the arrow functions and of
    /// the top-level functions used as values (see `Unit::dyn_checks`).
    pub(super) fn dyn_checks(&mut self, classes: &[ClassDef]) -> Vec<(Type, u32)> {
        let mut sigs: Vec<FnSig> = Vec::new();
        for c in classes {
            sigs.extend(c.dyn_methods.iter().map(|(_, _, sig)| sig.clone()));
        }
        sigs.extend(self.out.trampolines.iter().map(|(_, _, sig)| sig.clone()));
        // An arrow's signature starts with the function value itself.
        sigs.extend(
            self.out
                .arrows
                .iter()
                .map(|(_, sig, _)| sig.params.iter().skip(1).cloned().collect::<Vec<_>>())
                .map(|params| FnSig {
                    params,
                    ret: Type::Void,
                }),
        );
        let mut checks: Vec<(Type, u32)> = Vec::new();
        for ty in sigs.iter().flat_map(|s| &s.params) {
            if checks.iter().any(|(t, _)| t == ty) {
                continue;
            }
            let id = self.check_class_id(ty);
            if id != 0 {
                checks.push((ty.clone(), id));
            }
        }
        checks
    }
}
