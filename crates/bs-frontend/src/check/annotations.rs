//! Type annotations: the types written in the source, resolved into `Type`s.

use oxc_ast::ast;
use oxc_span::GetSpan;

use super::{Checker, sp};
use crate::diag;
use crate::span::Span;
use crate::types::{FnSig, Type};

impl<'a> Checker<'_, 'a> {
    pub(super) fn resolve_type(&mut self, t: &ast::TSType<'_>) -> Option<Type> {
        match t {
            ast::TSType::TSNumberKeyword(_) => Some(Type::Integer),
            ast::TSType::TSBooleanKeyword(_) => Some(Type::Boolean),
            ast::TSType::TSStringKeyword(_) => Some(Type::String),
            ast::TSType::TSVoidKeyword(_) => Some(Type::Void),
            ast::TSType::TSAnyKeyword(_) => Some(Type::Any),
            ast::TSType::TSObjectKeyword(_) => Some(Type::Object),
            ast::TSType::TSNullKeyword(_) | ast::TSType::TSUndefinedKeyword(_) => Some(Type::Null),
            ast::TSType::TSParenthesizedType(p) => self.resolve_type(&p.type_annotation),
            ast::TSType::TSTypeReference(r) => {
                let ast::TSTypeName::IdentifierReference(id) = &r.type_name else {
                    self.error(diag::not_supported_type(sp(r.span)));
                    return None;
                };
                match id.name.as_str() {
                    "integer" => Some(Type::Integer),
                    "int32" => Some(Type::int32()),
                    "Uint8Array" => Some(Type::Uint8Array),
                    "FixedArray" => Some(Type::FixedArray),
                    "float" => Some(Type::Float),
                    "Array" => {
                        self.error(diag::array_generic_type(sp(r.span)));
                        None
                    }
                    // By their names in types (an imported class's or enum's is qualified).
                    other if let Some(c) = self.class_info(other) => {
                        Some(Type::Class(c.name.clone()))
                    }
                    other if self.enum_members(other).is_some() => {
                        Some(Type::Enum(self.enum_type_name(other)))
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
}

pub(super) fn ts_type_span(t: &ast::TSType<'_>) -> Span {
    sp(t.span())
}
