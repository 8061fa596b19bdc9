//! Calls of functions by name and of function values, with their arguments, and the built-in
//! `print`, `console.log` and `console.error`. Method calls are in `members`.

use oxc_ast::ast;
use oxc_span::GetSpan;

use super::{Checker, CoerceCtx, Name, boxed, sp};
use crate::diag;
use crate::ir::*;
use crate::types::Type;

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
}
