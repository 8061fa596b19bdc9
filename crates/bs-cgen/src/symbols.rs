//! How the front end's symbols are named in C: [`c_symbol`] gives the C identifier of every
//! [`Symbol`], [`mangle`] turns a BlueScript name into a fragment of one. The names this back end
//! makes up itself (vtables, field and method tables, dynamic-call entries, string literals) are
//! built where they are used, from these.
//!
//! The names are part of the session's ABI: a later unit refers to what an earlier one defined
//! by the same name, and the session finds a unit's entry function and bodies in the linked
//! object by them.

use bs_frontend::Symbol;

/// The C identifier of a symbol.
///
/// | symbol | C name |
/// |---|---|
/// | `UnitEntry` | `bs_unit_UNIT` |
/// | `Global` | `bs_g_NAME` |
/// | `FnSlot` | `bs_fp_NAME` |
/// | `FnBody` | `bs_f_NAME_UNIT` |
/// | `Arrow` | `bs_arrow_UNIT_INDEX` |
/// | `Trampoline` | `bs_tramp_NAME_UNIT` |
/// | `ClassInit` | `bs_init_CLASS_UNIT` |
/// | `StaticField` | `bs_st_CLASS_FIELD` |
/// | `StaticMethod` | `bs_sm_CLASS_METHOD_UNIT` |
/// | `Method` | `bs_m_CLASS_METHOD_UNIT` |
/// | `ProfileRecord` | `bs_pr_NAME_UNIT` |
/// | `ProfileWrapper` | `bs_pw_NAME_UNIT` |
/// | `Specialised` | `bs_fs_NAME_UNIT_VERSION` |
/// | `Guard` | `bs_fg_NAME_UNIT_VERSION` |
/// | `GuardFailures` | `bs_gf_NAME_UNIT_VERSION` |
/// | `InlineCopy` | `bs_fl_NAME_UNIT_VERSION` (static) |
///
/// BlueScript names (NAME, CLASS, FIELD, METHOD) are [`mangle`]d.
pub fn c_symbol(s: &Symbol) -> String {
    match s {
        Symbol::UnitEntry { unit } => format!("bs_unit_{unit}"),
        Symbol::Global { name } => format!("bs_g_{}", mangle(name)),
        Symbol::FnSlot { name } => format!("bs_fp_{}", mangle(name)),
        Symbol::FnBody { name, unit } => format!("bs_f_{}_{unit}", mangle(name)),
        Symbol::Arrow { unit, index } => format!("bs_arrow_{unit}_{index}"),
        Symbol::Trampoline { name, unit } => format!("bs_tramp_{}_{unit}", mangle(name)),
        Symbol::ClassInit { class, unit } => format!("bs_init_{}_{unit}", mangle(class)),
        Symbol::StaticField { class, field } => {
            format!("bs_st_{}_{}", mangle(class), mangle(field))
        }
        Symbol::StaticMethod {
            class,
            method,
            unit,
        } => format!("bs_sm_{}_{}_{unit}", mangle(class), mangle(method)),
        Symbol::Method {
            class,
            method,
            unit,
        } => format!("bs_m_{}_{}_{unit}", mangle(class), mangle(method)),
        Symbol::ProfileRecord { name, unit } => format!("bs_pr_{}_{unit}", mangle(name)),
        Symbol::ProfileWrapper { name, unit } => format!("bs_pw_{}_{unit}", mangle(name)),
        Symbol::Specialised {
            name,
            unit,
            version,
        } => format!("bs_fs_{}_{unit}_{version}", mangle(name)),
        Symbol::Guard {
            name,
            unit,
            version,
        } => format!("bs_fg_{}_{unit}_{version}", mangle(name)),
        Symbol::GuardFailures {
            name,
            unit,
            version,
        } => format!("bs_gf_{}_{unit}_{version}", mangle(name)),
        Symbol::InlineCopy {
            name,
            unit,
            version,
        } => format!("bs_fl_{}_{unit}_{version}", mangle(name)),
    }
}

/// Turns a BlueScript identifier into a C identifier fragment: ASCII letters and digits stay,
/// `_` becomes `__`, any other character becomes `_` + its hexadecimal code point + `_`.
/// The mapping is one-to-one, so distinct names never collide.
pub fn mangle(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '_' {
            out.push_str("__");
        } else {
            out.push_str(&format!("_{:x}_", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{c_symbol, mangle};
    use bs_frontend::Symbol;

    #[test]
    fn mangling_is_injective_on_tricky_names() {
        assert_eq!(mangle("abc"), "abc");
        assert_eq!(mangle("a_b"), "a__b");
        assert_eq!(mangle("$x"), "_24_x");
        assert_ne!(mangle("a__24_"), mangle("a$"));
        assert_eq!(mangle("é"), "_e9_");
    }

    #[test]
    fn every_kind_of_symbol_has_its_prefix() {
        let s = |name: &str| name.to_string();
        let cases = [
            (Symbol::UnitEntry { unit: 3 }, "bs_unit_3"),
            (Symbol::Global { name: s("a_b") }, "bs_g_a__b"),
            (Symbol::FnSlot { name: s("$f") }, "bs_fp__24_f"),
            (
                Symbol::FnBody {
                    name: s("f"),
                    unit: 2,
                },
                "bs_f_f_2",
            ),
            (Symbol::Arrow { unit: 4, index: 0 }, "bs_arrow_4_0"),
            (
                Symbol::Trampoline {
                    name: s("f"),
                    unit: 5,
                },
                "bs_tramp_f_5",
            ),
            (
                Symbol::ClassInit {
                    class: s("Point"),
                    unit: 1,
                },
                "bs_init_Point_1",
            ),
            (
                Symbol::StaticField {
                    class: s("C"),
                    field: s("n_0"),
                },
                "bs_st_C_n__0",
            ),
            (
                Symbol::StaticMethod {
                    class: s("C"),
                    method: s("make"),
                    unit: 7,
                },
                "bs_sm_C_make_7",
            ),
            (
                Symbol::Method {
                    class: s("C"),
                    method: s("get"),
                    unit: 7,
                },
                "bs_m_C_get_7",
            ),
        ];
        for (symbol, name) in cases {
            assert_eq!(c_symbol(&symbol), name, "{symbol:?}");
        }
    }
}
