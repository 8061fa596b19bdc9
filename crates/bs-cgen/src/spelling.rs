//! How the generated C spells types, declarations, locals, lvalues and constants: small
//! functions of their arguments only, shared by the unit, statement and expression printers.

use std::fmt::Write;

use bs_frontend::ir::{Builtin, ElemKind, Local, LocalId};
use bs_frontend::types::{FnSig, Type};

/// Past this depth, nested statements are not indented further (so that the size of the C file
/// grows with the program's, not with its size times its nesting depth).
const MAX_INDENT: usize = 64;

/// Indents a line of a body by `depth` levels of four spaces (at most `MAX_INDENT`).
pub(crate) fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth.min(MAX_INDENT) {
        out.push_str("    ");
    }
}

/// The C type of a value of type `ty`: numbers and booleans are raw, everything else is boxed.
pub(crate) fn c_type(ty: &Type) -> &'static str {
    match ty {
        Type::Integer | Type::Boolean | Type::Enum(_) => "int32_t",
        Type::Float => "float",
        Type::Void => "void",
        _ => "bs_value",
    }
}

fn param_list(sig: &FnSig, names: Option<&[String]>) -> String {
    if sig.params.is_empty() {
        return "void".to_string();
    }
    sig.params
        .iter()
        .enumerate()
        .map(|(i, t)| match names {
            Some(n) => format!("{} {}", c_type(t), n[i]),
            None => c_type(t).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The head of a C function `symbol` with signature `sig` (with parameter names if given).
pub(crate) fn prototype(symbol: &str, sig: &FnSig, names: Option<&[String]>) -> String {
    format!("{} {symbol}({})", c_type(&sig.ret), param_list(sig, names))
}

/// The declaration of the function slot (pointer) `symbol`.
pub(crate) fn slot_decl(symbol: &str, sig: &FnSig) -> String {
    format!(
        "{} (*{symbol})({})",
        c_type(&sig.ret),
        param_list(sig, None)
    )
}

/// The C type of a pointer to a function with this signature.
pub(crate) fn fn_pointer_type(sig: &FnSig) -> String {
    let params: Vec<&str> = sig.params.iter().map(c_type).collect();
    format!(
        "{} (*)({})",
        c_type(&sig.ret),
        if params.is_empty() {
            "void".to_string()
        } else {
            params.join(", ")
        }
    )
}

/// The C name of local `id`.
pub(crate) fn local_name(locals: &[Local], id: LocalId) -> String {
    format!("l{id}_{}", crate::symbols::mangle(&locals[id].name))
}

/// The initialiser of a global of type `ty` (boxed globals start as null).
pub(crate) fn global_init(ty: &Type) -> &'static str {
    if ty.is_boxed_repr() { " = BS_NULL" } else { "" }
}

/// The value of a local declared without an initial value.
pub(crate) fn zero_value(ty: &Type) -> &'static str {
    match ty {
        Type::Integer | Type::Boolean => "0",
        Type::Float => "0.0f",
        _ => "BS_NULL",
    }
}

/// A new cell holding `value` of type `ty` (raw for numbers and booleans).
pub(crate) fn new_cell(ty: &Type, value: &str) -> String {
    match ty {
        Type::Integer | Type::Boolean | Type::Enum(_) => {
            format!(
                "({{ bs_value c_ = bs_raw_cell_new(0); ((int32_t *)bs_words(c_))[1] = {value}; c_; }})"
            )
        }
        Type::Float => format!(
            "({{ bs_value c_ = bs_raw_cell_new(0); ((float *)bs_words(c_))[1] = {value}; c_; }})"
        ),
        _ => format!("bs_cell_new({value})"),
    }
}

/// The lvalue of the value in cell `cell`, of type `ty`.
pub(crate) fn cell_lvalue(cell: &str, ty: &Type) -> String {
    field_lvalue(cell, 1, ty)
}

/// The lvalue of word `word` of object `o`, holding a value of type `ty`.
pub(crate) fn field_lvalue(o: &str, word: u32, ty: &Type) -> String {
    match ty {
        Type::Integer | Type::Boolean | Type::Enum(_) => {
            format!("((int32_t *)bs_words({o}))[{word}]")
        }
        Type::Float => format!("((float *)bs_words({o}))[{word}]"),
        _ => format!("bs_words({o})[{word}]"),
    }
}

/// The accessor of bs.h for an element kind, and the C type of an element.
pub(crate) fn elem_access(elem: ElemKind) -> (&'static str, &'static str) {
    match elem {
        ElemKind::Int => ("bs_int_at", "int32_t"),
        ElemKind::Float => ("bs_float_at", "float"),
        ElemKind::Bool => ("bs_byte_at", "uint8_t"),
        ElemKind::Vector | ElemKind::AnyView => ("bs_vector_at", "bs_value"),
        ElemKind::Uint8 => ("bs_byte_at", "uint8_t"),
        ElemKind::Fixed => ("bs_fixed_at", "bs_value"),
    }
}

/// A C `int32_t` constant (the minimum spelled without overflowing `int`).
pub(crate) fn int_literal(v: i32) -> String {
    if v == i32::MIN {
        "(-2147483647 - 1)".to_string()
    } else if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

/// A C `float` literal with exactly the value `v` (Rust's `{:e}` is the shortest text that
/// reads back to the same binary32).
pub(crate) fn float_literal(v: f32) -> String {
    if v.is_infinite() {
        return if v > 0.0 {
            "__builtin_inff()"
        } else {
            "(-__builtin_inff())"
        }
        .to_string();
    }
    if v.is_nan() {
        return "__builtin_nanf(\"\")".to_string();
    }
    let text = format!("{v:e}f");
    if v.is_sign_negative() {
        format!("({text})")
    } else {
        text
    }
}

/// The body of a C string literal for arbitrary bytes: printable ASCII stays, everything else
/// becomes a three-digit octal escape (which, unlike `\x`, cannot swallow a following digit).
pub(crate) fn c_string_body(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'?' => s.push_str("\\?"), // no trigraphs
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s
}

/// The function of bs.h that carries out a built-in operation (its arguments are the IR's, in
/// order).
pub(crate) fn builtin_function(op: Builtin) -> &'static str {
    match op {
        Builtin::StringLength => "bs_string_length",
        Builtin::ArrayLength => "bs_array_length",
        Builtin::StringStartsWith => "bs_string_starts_with",
        Builtin::StringEndsWith => "bs_string_ends_with",
        Builtin::StringSubstring => "bs_string_substring",
        Builtin::VectorPush => "bs_vector_push",
        Builtin::VectorUnshift => "bs_vector_unshift",
        Builtin::ViewPush => "bs_view_push",
        Builtin::ViewUnshift => "bs_view_unshift",
        Builtin::VectorPop => "bs_vector_pop",
        Builtin::VectorShift => "bs_vector_shift",
        Builtin::TimeNow => "bs_time_now",
        Builtin::TimeDelay => "bs_time_delay",
        Builtin::SetInterval => "bs_set_interval",
        Builtin::SetTimeout => "bs_set_timeout",
        Builtin::ClearTimer => "bs_timer_clear",
        Builtin::Uint8ArrayNew => "bs_uint8_array_new",
        Builtin::FixedArrayNew => "bs_fixed_array_new",
        Builtin::IsArray => "bs_is_array",
        Builtin::IsString => "bs_is_string",
        Builtin::InstanceOf => "bs_instance_of_fast",
        Builtin::ArrayCopy => "bs_array_copy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_literals_read_back_exactly() {
        assert_eq!(float_literal(0.1), "1e-1f");
        assert_eq!(float_literal(3.0), "3e0f");
        assert_eq!(float_literal(-2.5), "(-2.5e0f)");
        assert_eq!(float_literal(16777216.0), "1.6777216e7f");
    }

    #[test]
    fn string_bodies_escape_what_c_would_misread() {
        assert_eq!(c_string_body(b"a\"b\\c"), "a\\\"b\\\\c");
        assert_eq!(c_string_body(b"\n1"), "\\0121");
        assert_eq!(c_string_body("é".as_bytes()), "\\303\\251");
    }

    #[test]
    fn the_minimum_integer_is_spelled_without_overflow() {
        assert_eq!(int_literal(i32::MIN), "(-2147483647 - 1)");
        assert_eq!(int_literal(-5), "(-5)");
    }
}
