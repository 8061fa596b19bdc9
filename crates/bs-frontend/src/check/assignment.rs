//! Assignment, compound assignment and update (`++`/`--`), and the places they write.

use oxc_ast::ast;
use oxc_span::GetSpan;
use oxc_syntax::operator::{AssignmentOperator, BinaryOperator, UpdateOperator};

use super::{Checker, CoerceCtx, Name, sp};
use crate::diag;
use crate::ir::*;
use crate::types::Type;

impl<'a> Checker<'_, 'a> {
    /// The place an identifier names, for assignment.
    pub(super) fn place(&mut self, id: &ast::IdentifierReference<'_>) -> Option<(Place, Type)> {
        let span = sp(id.span);
        // An assignment is checked against the declared type, not a narrowed one.
        match self.lookup_declared(id.name.as_str()) {
            Some(Name::Local(b, ty)) => {
                if !b.mutable {
                    self.error(diag::assign_to_const(span));
                    return None;
                }
                Some((Place::Local(b.id), ty))
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
                self.note_extern_global(external, &symbol, &ty);
                Some((Place::Global { symbol }, ty))
            }
            Some(Name::Captured { index, ty, mutable }) => {
                if !mutable {
                    self.error(diag::assign_to_const(span));
                    return None;
                }
                // Enclosing bodies cannot tell when this arrow runs: narrowing of the variable
                // there ends at calls.
                self.note_closure_assigns(id.name.as_str());
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

    pub(super) fn assignment(&mut self, a: &'a ast::AssignmentExpression<'a>) -> Option<Expr> {
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
        let value_ty = value.ty.clone();
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
        if let ast::AssignmentTarget::AssignmentTargetIdentifier(id) = &a.left {
            // The variable holds the assigned value from here on (see `flow`).
            self.assigned(id.name.as_str(), &ty, &value_ty);
        }
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
    pub(super) fn stable(&mut self, place: Place) -> (Vec<(LocalId, Expr)>, Place) {
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

    pub(super) fn update(&mut self, u: &'a ast::UpdateExpression<'a>) -> Option<Expr> {
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
        if let ast::SimpleAssignmentTarget::AssignmentTargetIdentifier(id) = &u.argument {
            self.forget_fact(id.name.as_str());
        }
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
}

/// Evaluates `temps` before `body` (nothing to do when there are none).
pub(super) fn with_temps(temps: Vec<(LocalId, Expr)>, body: Expr) -> Expr {
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
