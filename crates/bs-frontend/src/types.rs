//! BlueScript's static types as the checker sees them, with their display names and the
//! assignability rules of the language (section 3.15 of the specification).

use std::fmt;

/// A static type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Integer,
    Float,
    Boolean,
    String,
    Void,
    /// The type of `null` / `undefined`.
    Null,
    Any,
}

impl Type {
    /// True for `integer` and `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Integer | Type::Float)
    }

    /// True for types whose values are boxed words in C (`bs_value`).
    pub fn is_boxed_repr(&self) -> bool {
        matches!(self, Type::String | Type::Null | Type::Any)
    }

    /// The name used in messages and by `typeof`.
    pub fn name(&self) -> &'static str {
        match self {
            Type::Integer => "integer",
            Type::Float => "float",
            Type::Boolean => "boolean",
            Type::String => "string",
            Type::Void => "void",
            Type::Null => "undefined",
            Type::Any => "any",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A function's parameter and result types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnSig {
    pub params: Vec<Type>,
    pub ret: Type,
}

impl fmt::Display for FnSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{p}")?;
        }
        write!(f, ") => {}", self.ret)
    }
}

/// How a value of one type becomes a value of another when assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coercion {
    /// Same representation: nothing to do.
    None,
    /// `integer` to `float`.
    IntToFloat,
    /// Any non-boxed value to `any` (or a boxed one, which is already a word).
    Box,
}

/// Whether a value of type `from` may be assigned to a target of type `to`, and how.
/// Returns `None` when it may not.
pub fn assignable(from: &Type, to: &Type) -> Option<Coercion> {
    use Type::*;
    match (from, to) {
        (a, b) if a == b && *a != Void => Some(Coercion::None),
        (Integer, Float) => Some(Coercion::IntToFloat),
        (Void, _) | (_, Void) => None,
        (_, Any) => Some(Coercion::Box),
        _ => None,
    }
}

/// The common super type of the two branches of `?:` (section 3.17).
pub fn common_super_type(a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    match (a, b) {
        (x, y) if x == y => Some(x.clone()),
        (Integer, Float) | (Float, Integer) => Some(Float),
        _ => None,
    }
}
