//! Expressions in general: literals, identifiers, unary and binary operators (the typed rule
//! and its `any` twin side by side), `as` conversions and the implicit coercions.

use bs_abi::{ClassId, OpCode};
use oxc_ast::ast;
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

use super::{Checker, Name, ast_expr_span, sp};
use crate::diag;
use crate::ir::*;
use crate::span::Span;
use crate::types::{Coercion, Type, assignable, common_super_type};

#[derive(Clone, Copy)]
pub(super) enum CoerceCtx {
    Assign,
    Argument,
    Return,
}

impl<'a> Checker<'_, 'a> {
    /// An expression that must have a value.
    pub(super) fn expr(&mut self, e: &'a ast::Expression<'a>) -> Option<Expr> {
        let out = self.expr_allow_void(e)?;
        if out.ty == Type::Void {
            self.error(diag::void_operand(out.span));
            return None;
        }
        Some(out)
    }

    /// A condition: any non-void value, tested for truthiness.
    pub(super) fn condition(&mut self, e: &'a ast::Expression<'a>) -> Option<Expr> {
        let e = self.expr(e)?;
        Some(truthy(e))
    }

    pub(super) fn expr_allow_void(&mut self, e: &'a ast::Expression<'a>) -> Option<Expr> {
        let span = sp(ast_expr_span(e));
        self.nested(span, |c| c.expr_kind(e, span))
    }

    fn expr_kind(&mut self, e: &'a ast::Expression<'a>, span: Span) -> Option<Expr> {
        use ast::Expression as E;
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
                // The right operand sees the narrowing of the left one (see `flow`).
                self.logical_value(l)
            }
            E::ConditionalExpression(c) => {
                let (cond, a, b) = self.conditional_parts(c);
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
            E::CallExpression(c) => {
                let call = self.call(c);
                self.after_call(call.as_ref());
                call
            }
            E::AssignmentExpression(a) => self.assignment(a),
            E::UpdateExpression(u) => self.update(u),
            E::TSAsExpression(a) => self.as_expr(a),
            E::StaticMemberExpression(m) => self.member(m),
            E::ComputedMemberExpression(m) => {
                let (place, ty) = self.index_place(m)?;
                Some(Expr::new(ExprKind::Read(place), ty, span))
            }
            E::ArrayExpression(a) => self.array_literal(a, None),
            E::NewExpression(n) => {
                let object = self.new_expr(n);
                self.after_call(object.as_ref());
                object
            }
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

    pub(super) fn number(&mut self, n: &ast::NumericLiteral<'_>, negated: bool) -> Option<Expr> {
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

    pub(super) fn identifier(&mut self, id: &ast::IdentifierReference<'_>) -> Option<Expr> {
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
                self.note_extern_global(external, &symbol, &ty);
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
                self.note_extern_slot(external, &slot, &sig);
                Some(self.function_value(name, &slot, &sig, span))
            }
            None if name == "undefined" => Some(Expr::new(ExprKind::Null, Type::Null, span)),
            None => {
                // A name still being inferred is not unknown: stay silent in that case.
                if !self.decls.inferring.contains(name) {
                    self.error(diag::unknown_name(span, name));
                }
                None
            }
        }
    }

    pub(super) fn unary(&mut self, u: &'a ast::UnaryExpression<'a>) -> Option<Expr> {
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

    pub(super) fn binary(&mut self, b: &'a ast::BinaryExpression<'a>) -> Option<Expr> {
        let span = sp(b.span);
        if b.operator == BinaryOperator::Instanceof {
            return self.instance_of(b);
        }
        let left = self.expr(&b.left);
        let right = self.expr(&b.right);
        let (left, right) = (left?, right?);
        // `x !== undefined` compares `x` at its declared type, narrowed or not.
        let (left, right) = self.declared_in_null_test(b, left, right);
        self.binary_op(b.operator, left, right, span)
    }

    /// Types one binary operation on two checked operands. With an `int32` operand (spec 3.3)
    /// an `any` operand is converted to `int32` (checked at run time) and an integer result is
    /// an `int32`; otherwise [`Checker::binary_op_rules`].
    pub(super) fn binary_op(
        &mut self,
        op: BinaryOperator,
        left: Expr,
        right: Expr,
        span: Span,
    ) -> Option<Expr> {
        if !left.ty.is_int32() && !right.ty.is_int32() {
            return self.binary_op_rules(op, left, right, span);
        }
        // No string concatenation either: it would box the int32 (the rules below see it as an
        // integer).
        if op == BinaryOperator::Addition && (left.ty == Type::String || right.ty == Type::String) {
            let int32 = if left.ty.is_int32() { &left } else { &right };
            self.error(diag::incompatible_argument(
                int32.span,
                &int32.ty,
                &Type::Any,
            ));
            return None;
        }
        let to_int32 = |this: &mut Self, e: Expr| {
            if e.ty == Type::Any {
                this.coerce(e, &Type::int32(), CoerceCtx::Assign)
            } else {
                Some(e)
            }
        };
        let left = to_int32(self, left);
        let right = to_int32(self, right);
        let out = self.binary_op_rules(op, left?, right?, span)?;
        Some(if out.ty == Type::Integer {
            Expr {
                ty: Type::int32(),
                ..out
            }
        } else {
            out
        })
    }

    /// Types one binary operation on two checked operands: with an `any` operand, the rule of
    /// `any_binary_op`; otherwise the typed rule below.
    fn binary_op_rules(
        &mut self,
        op: BinaryOperator,
        left: Expr,
        right: Expr,
        span: Span,
    ) -> Option<Expr> {
        let text = op.as_str();
        if let Some(e) = self.any_binary_op(op, &left, &right, span) {
            return e;
        }
        // Enums take part in arithmetic and comparisons as integers.
        let (left, right) = (as_integer(left), as_integer(right));
        let Some(ir_op) = typed_binary_op(op) else {
            self.error(diag::unsupported_operator(span, text));
            return None;
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
                self.arithmetic(ir_op, text, left, right, span)
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
                self.comparison(ir_op, text, left, right, span)
            }
        }
    }

    /// A binary operation with an `any` operand, decided at run time; `None` when neither
    /// operand is `any` (or for `+` with a string, which concatenates).
    pub(super) fn any_binary_op(
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
        let code = |o: BinaryOperator| {
            match o {
                B::Addition => OpCode::Add,
                B::Subtraction => OpCode::Sub,
                B::Multiplication => OpCode::Mul,
                B::Division => OpCode::Div,
                B::Remainder => OpCode::Rem,
                B::Exponential => OpCode::Pow,
                B::LessThan => OpCode::Lt,
                B::LessEqualThan => OpCode::Le,
                B::GreaterThan => OpCode::Gt,
                _ => OpCode::Ge,
            }
            .code()
        };
        let (any_op, ty) = match op {
            // As in JavaScript, `+` concatenates when either side is a string at run time,
            // whatever the other operand is (`'a' + true`); otherwise the numeric rules apply,
            // or a run-time `bad operand` error.
            B::Addition if *other != Type::Void => (AnyOp::Arith(code(op)), Type::Any),
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

    /// `+ - * / **` on numbers: float when either operand is, integer otherwise (an integer
    /// division or power has a run-time check site).
    fn arithmetic(
        &mut self,
        ir_op: BinOp,
        text: &str,
        left: Expr,
        right: Expr,
        span: Span,
    ) -> Option<Expr> {
        let (lt, rt) = (left.ty.clone(), right.ty.clone());
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

    /// `== != < <= > >=`: the operands are compared as numbers, strings, booleans, or references
    /// (identity), as their types allow.
    fn comparison(
        &mut self,
        ir_op: BinOp,
        text: &str,
        left: Expr,
        right: Expr,
        span: Span,
    ) -> Option<Expr> {
        let (lt, rt) = (left.ty.clone(), right.ty.clone());
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
            && ((is_stringish(&lt)
                && is_stringish(&rt)
                && (matches!(lt, Type::Nullable(_)) || matches!(rt, Type::Nullable(_))))
                || ((lt == Type::Object || rt == Type::Object)
                    && is_object_like(&lt)
                    && is_object_like(&rt)))
        {
            // A nullable string, or an `object` (which may hold a string): compare boxed,
            // strings by content, objects by identity.
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

    /// Whether two reference types may be compared for identity: one is assignable to the
    /// other, or one is null and the other nullable.
    pub(super) fn comparable_references(&self, a: &Type, b: &Type) -> bool {
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

    pub(super) fn as_expr(&mut self, a: &'a ast::TSAsExpression<'a>) -> Option<Expr> {
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
                if matches!(
                    t,
                    Type::Class(_)
                        | Type::Array(_)
                        | Type::String
                        | Type::Object
                        | Type::Uint8Array
                        | Type::FixedArray
                ) && (**inner == *t
                    || matches!((&**inner, t), (Type::Class(f), Type::Class(c)) if crate::types::is_subclass(&*self, c, f))) =>
            {
                // From a nullable type to its non-null type (or a subclass), checked at run time.
                let class_id = self.check_class_id(&to);
                let site = self.site(span);
                ExprKind::Convert(Conv::Check { site, class_id }, Box::new(value))
            }
            (Type::Class(f), Type::Class(t)) if crate::types::is_subclass(&*self, t, f) => {
                self.downcast(value, &to, span)
            }
            (Type::Object, Type::Class(_) | Type::String) => self.downcast(value, &to, span),
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

    /// `value as to` from a super type (a class, `object`) to a subtype, checked at run time.
    fn downcast(&mut self, value: Expr, to: &Type, span: Span) -> ExprKind {
        let class_id = self.check_class_id(to);
        let site = self.site(span);
        let boxed_value = Expr::new(
            ExprKind::Convert(Conv::Box, Box::new(value)),
            Type::Any,
            span,
        );
        ExprKind::Convert(Conv::Check { site, class_id }, Box::new(boxed_value))
    }

    /// The class id a run-time check against `ty` needs (0 when none).
    pub(super) fn check_class_id(&mut self, ty: &Type) -> u32 {
        match ty {
            Type::Uint8Array => ClassId::Uint8Array.code(),
            Type::FixedArray => ClassId::FixedArray.code(),
            Type::Class(c) => self.class_info(c).map_or(0, |c| c.id),
            Type::Nullable(t) => self.check_class_id(t),
            Type::Array(_) => self.array_class_id(ty),
            _ => 0,
        }
    }

    /// Converts a checked expression to the target type, or reports why it cannot be.
    pub(super) fn coerce(&mut self, e: Expr, to: &Type, ctx: CoerceCtx) -> Option<Expr> {
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

/// The IR operator of a typed binary operation (`None` for `in` and `instanceof`).
fn typed_binary_op(op: BinaryOperator) -> Option<BinOp> {
    use BinaryOperator as B;
    Some(match op {
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
        B::In | B::Instanceof => return None,
    })
}

/// A type whose values an `object` may equal: `object`, a class or `string`.
fn is_object_like(t: &Type) -> bool {
    matches!(t, Type::Object | Type::Class(_) | Type::String)
}

/// A string, a nullable string, or null.
pub(super) fn is_stringish(t: &Type) -> bool {
    match t {
        Type::String | Type::Null => true,
        Type::Nullable(inner) => **inner == Type::String,
        _ => false,
    }
}

/// An enum value seen as an integer.
pub(super) fn as_integer(e: Expr) -> Expr {
    match e.ty {
        Type::Enum(_) => Expr {
            ty: Type::Integer,
            ..e
        },
        _ => e,
    }
}

/// Converts a numeric expression to `ty` (integer to float; anything else unchanged).
pub(super) fn to_type(e: Expr, ty: &Type) -> Expr {
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
pub(super) fn boxed(e: Expr) -> Expr {
    if e.ty.is_boxed_repr() {
        return e;
    }
    let span = e.span;
    Expr::new(ExprKind::Convert(Conv::Box, Box::new(e)), Type::Any, span)
}

/// The truthiness of a value, as a boolean.
pub(super) fn truthy(e: Expr) -> Expr {
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

pub(super) fn is_legacy_octal(lower: &str) -> bool {
    lower.len() > 1 && lower.starts_with('0') && lower.as_bytes()[1].is_ascii_digit()
}

/// The ESTree name of an expression, for `unsupported syntax` messages.
pub(super) fn expr_name(e: &ast::Expression<'_>) -> &'static str {
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
