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
    /// An enum, by name: an integer at run time.
    Enum(String),
    /// `T[]`.
    Array(Box<Type>),
    /// A class of the program, by name.
    Class(String),
    /// `T | null` for a class, string or array type `T`.
    Nullable(Box<Type>),
    /// A function value `(A, B) => R`.
    Function(Box<FnSig>),
    /// The built-in `Uint8Array`: bytes, read as integers 0…255.
    Uint8Array,
    /// The built-in `FixedArray`: a fixed number of `any` slots.
    FixedArray,
    /// `object`: the super type of every class type and of `string` (section 3.12); its
    /// values are class instances and strings, never undefined.
    Object,
}

impl Type {
    /// True for `integer` and `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Integer | Type::Float)
    }

    /// True for `integer` and enums (integer-like values).
    pub fn is_integer_like(&self) -> bool {
        matches!(self, Type::Integer | Type::Enum(_))
    }

    /// True for types whose values are boxed words in C (`bs_value`): everything except the raw
    /// numbers and booleans.
    pub fn is_boxed_repr(&self) -> bool {
        !matches!(
            self,
            Type::Integer | Type::Float | Type::Boolean | Type::Enum(_) | Type::Void
        )
    }

    /// True for references to heap objects (strings, arrays, class instances, nullable ones).
    pub fn is_reference(&self) -> bool {
        matches!(
            self,
            Type::String
                | Type::Array(_)
                | Type::Class(_)
                | Type::Nullable(_)
                | Type::Function(_)
                | Type::Uint8Array
                | Type::FixedArray
                | Type::Object
        )
    }

    /// The type after numeric widening of enums (an enum behaves as an integer in arithmetic).
    pub fn arith(&self) -> Type {
        match self {
            Type::Enum(_) => Type::Integer,
            t => t.clone(),
        }
    }

    /// `int32` (spec 3.3): a 32-bit integer that is never boxed. It is the enum type named
    /// `int32` (a reserved type name, so no program enum has it): like an enum it is an integer
    /// at run time, converts implicitly to `integer` and `float`, and takes part in arithmetic as
    /// an integer; unlike one, `integer` converts to it implicitly, and no conversion to `any`
    /// is allowed (the checker reports every one it finds in a unit's IR).
    pub fn int32() -> Type {
        Type::Enum(INT32.to_string())
    }

    /// True for `int32`.
    pub fn is_int32(&self) -> bool {
        matches!(self, Type::Enum(n) if n == INT32)
    }

    /// The name used in messages and by `typeof`.
    pub fn name(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Integer => f.write_str("integer"),
            Type::Float => f.write_str("float"),
            Type::Boolean => f.write_str("boolean"),
            Type::String => f.write_str("string"),
            Type::Void => f.write_str("void"),
            Type::Null => f.write_str("undefined"),
            Type::Any => f.write_str("any"),
            // A module's class or enum is `NAMESPACE:Name` inside the compiler (see
            // `Env::qualify`); users see its own name.
            Type::Enum(n) | Type::Class(n) => f.write_str(n.rsplit(':').next().unwrap_or(n)),
            Type::Function(sig) => write!(f, "{sig}"),
            Type::Uint8Array => f.write_str("Uint8Array"),
            Type::FixedArray => f.write_str("FixedArray"),
            Type::Object => f.write_str("object"),
            Type::Array(e) => match **e {
                Type::Nullable(_) | Type::Function(_) => write!(f, "({e})[]"),
                _ => write!(f, "{e}[]"),
            },
            Type::Nullable(t) => write!(f, "{t}|undefined"),
        }
    }
}

/// The name of the `int32` type (see [`Type::int32`]).
pub const INT32: &str = "int32";

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
    /// A raw value to `any` (or a boxed one, which is already a word).
    Box,
    /// From `any` (or an `any[]` view) to a more precise type, checked at run time.
    Check,
}

/// What the checker needs to know about classes to decide subtyping.
pub trait ClassHierarchy {
    /// The superclass of class `name`, if any.
    fn superclass(&self, name: &str) -> Option<String>;
}

/// True when class `sub` is `sup` or one of its subclasses.
pub fn is_subclass(classes: &dyn ClassHierarchy, sub: &str, sup: &str) -> bool {
    let mut current = Some(sub.to_string());
    let mut steps = 0;
    while let Some(c) = current {
        if c == sup {
            return true;
        }
        steps += 1;
        if steps > 10_000 {
            return false;
        }
        current = classes.superclass(&c);
    }
    false
}

/// Whether a value of type `from` may be assigned to a target of type `to`, and how.
/// Returns `None` when it may not.
pub fn assignable(classes: &dyn ClassHierarchy, from: &Type, to: &Type) -> Option<Coercion> {
    use Type::*;
    match (from, to) {
        (Void, _) | (_, Void) => None,
        (a, b) if a == b => Some(Coercion::None),
        (Integer | Enum(_), Float) => Some(Coercion::IntToFloat),
        (Enum(_), Integer) => Some(Coercion::None),
        (Integer, t) if t.is_int32() => Some(Coercion::None),
        (_, Any) => Some(Coercion::Box),
        (Any, _) => Some(Coercion::Check),
        (Class(s), Class(t)) if is_subclass(classes, s, t) => Some(Coercion::None),
        (Class(_) | String, Object) => Some(Coercion::None),
        (Null, Nullable(_)) => Some(Coercion::None),
        (s, Nullable(t)) if assignable(classes, s, t) == Some(Coercion::None) => {
            Some(Coercion::None)
        }
        (Nullable(s), Nullable(t)) if assignable(classes, s, t) == Some(Coercion::None) => {
            Some(Coercion::None)
        }
        // Arrays are invariant, except that every array has an `any[]` view.
        (Array(_), Array(e)) if **e == Any => Some(Coercion::None),
        (Array(e), Array(_)) if **e == Any => Some(Coercion::Check),
        _ => None,
    }
}

/// The common super type of the two branches of `?:` (section 3.17).
pub fn common_super_type(classes: &dyn ClassHierarchy, a: &Type, b: &Type) -> Option<Type> {
    use Type::*;
    match (a, b) {
        (x, y) if x == y => Some(x.clone()),
        (Integer | Enum(_), Float) | (Float, Integer | Enum(_)) => Some(Float),
        (Enum(_), Integer) | (Integer, Enum(_)) => Some(Integer),
        (Null, t) | (t, Null) if t.is_reference() => Some(match t {
            Nullable(_) => t.clone(),
            _ => Nullable(Box::new(t.clone())),
        }),
        _ => {
            if assignable(classes, a, b) == Some(Coercion::None) {
                Some(b.clone())
            } else if assignable(classes, b, a) == Some(Coercion::None) {
                Some(a.clone())
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tree;
    impl ClassHierarchy for Tree {
        fn superclass(&self, name: &str) -> Option<String> {
            (name == "Square").then(|| "Shape".to_string())
        }
    }

    #[test]
    fn names_follow_typeof() {
        assert_eq!(
            Type::Array(Box::new(Type::Array(Box::new(Type::Float)))).to_string(),
            "float[][]"
        );
        assert_eq!(
            Type::Nullable(Box::new(Type::Class("Foo".into()))).to_string(),
            "Foo|undefined"
        );
    }

    #[test]
    fn subclasses_are_assignable_and_arrays_are_invariant() {
        let sq = Type::Class("Square".into());
        let sh = Type::Class("Shape".into());
        assert_eq!(assignable(&Tree, &sq, &sh), Some(Coercion::None));
        assert_eq!(assignable(&Tree, &sh, &sq), None);
        let arr = |t: &Type| Type::Array(Box::new(t.clone()));
        assert_eq!(assignable(&Tree, &arr(&sq), &arr(&sh)), None);
        assert_eq!(
            assignable(&Tree, &arr(&Type::Integer), &arr(&Type::Any)),
            Some(Coercion::None)
        );
        assert_eq!(
            assignable(&Tree, &arr(&Type::Any), &arr(&Type::Integer)),
            Some(Coercion::Check)
        );
        assert_eq!(
            assignable(&Tree, &Type::Null, &Type::Nullable(Box::new(sh.clone()))),
            Some(Coercion::None)
        );
        assert_eq!(assignable(&Tree, &Type::Null, &sh), None);
    }

    #[test]
    fn object_takes_classes_and_strings_only() {
        let sq = Type::Class("Square".into());
        for t in [&sq, &Type::String] {
            assert_eq!(assignable(&Tree, t, &Type::Object), Some(Coercion::None));
        }
        for t in [
            Type::Array(Box::new(Type::Integer)),
            Type::Uint8Array,
            Type::Integer,
            Type::Null,
            Type::Nullable(Box::new(sq.clone())),
        ] {
            assert_eq!(assignable(&Tree, &t, &Type::Object), None, "{t}");
        }
        assert_eq!(assignable(&Tree, &Type::Object, &sq), None);
        assert_eq!(
            assignable(&Tree, &Type::Any, &Type::Object),
            Some(Coercion::Check)
        );
        assert_eq!(
            assignable(&Tree, &Type::Object, &Type::Any),
            Some(Coercion::Box)
        );
        assert_eq!(Type::Object.to_string(), "object");
    }
}
