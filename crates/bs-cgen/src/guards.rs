//! Specialised copies and their guards (docs/dynamic.md): the copy is an ordinary body with
//! typed parameters; the guard has the signature of the function's slot, tests the boxed
//! arguments, unboxes them, calls the copy and converts its result back, or counts the failure
//! and calls its fallback with the original arguments. Small functions of the same source that
//! the copy calls are compiled into its unit as `static inline` bodies (`Unit::inlined`).

use std::fmt::Write;

use bs_frontend::ir::{ArgCheck, Guard, Unit};
use bs_frontend::types::Type;

use crate::Gen;
use crate::spelling::prototype;
use crate::symbols::c_symbol;

/// Prototypes of the copies, the guards and their fallbacks, and the failure counters.
pub(crate) fn declarations(unit: &Unit, decls: &mut String) {
    for c in &unit.inlined {
        // The generic body (and profiling wrapper), whose addresses the calls compare the slot
        // with.
        let _ = writeln!(decls, "{};", prototype(&c_symbol(&c.body), &c.sig, None));
        if let Some(w) = &c.wrapper {
            let _ = writeln!(decls, "{};", prototype(&c_symbol(w), &c.sig, None));
        }
        let _ = writeln!(
            decls,
            "static inline {};",
            prototype(&c_symbol(&c.symbol), &c.local_sig, None)
        );
    }
    for (symbol, sig, _) in &unit.specialised {
        let _ = writeln!(decls, "{};", prototype(&c_symbol(symbol), sig, None));
    }
    for g in &unit.guards {
        let _ = writeln!(
            decls,
            "{};",
            prototype(&c_symbol(&g.fallback), &g.slot_sig, None)
        );
        let _ = writeln!(
            decls,
            "{};",
            prototype(&c_symbol(&g.symbol), &g.slot_sig, None)
        );
        let _ = writeln!(decls, "uint32_t {} = 0;", c_symbol(&g.failures));
    }
}

impl Gen {
    /// The local copies of the functions the copies inline, the bodies of the copies, then the
    /// guards.
    pub(crate) fn specialised_bodies(&mut self, unit: &Unit, bodies: &mut String) {
        for c in &unit.inlined {
            bodies.push_str("\nstatic inline");
            self.mark_used = true;
            self.function(&c_symbol(&c.symbol), &c.local_sig, &c.func, bodies);
            self.mark_used = false;
        }
        for (symbol, sig, func) in &unit.specialised {
            // Inlined into its guard where the C compiler finds it worth it.
            bodies.push_str("\ninline");
            self.mark_used = true;
            self.function(&c_symbol(symbol), sig, func, bodies);
            self.mark_used = false;
        }
        for g in &unit.guards {
            guard(g, bodies);
        }
    }
}

/// The test a boxed argument `a` must pass.
fn test(check: ArgCheck, a: &str) -> String {
    match check {
        ArgCheck::Integer => format!("bs_is_int({a})"),
        ArgCheck::Float => format!("bs_is_float({a})"),
        ArgCheck::Boolean => format!("({a} == BS_TRUE || {a} == BS_FALSE)"),
        ArgCheck::String => format!("bs_is_string({a})"),
        ArgCheck::ExactClass(id) => format!("bs_is_exactly({a}, {id}u)"),
        ArgCheck::Instance(id) => format!("bs_instance_of_fast({a}, {id}u)"),
    }
}

/// A boxed value `a` as a value of type `to`, once its test passed.
fn unbox(to: &Type, a: &str) -> String {
    match to {
        Type::Integer => format!("bs_unbox_int({a})"),
        Type::Float => format!("bs_unbox_float({a})"),
        Type::Boolean => format!("bs_unbox_bool({a})"),
        _ => a.to_string(),
    }
}

/// The value `v` of type `from` (a copy's result) as a value of the slot's result type `to`
/// (an expression).
pub(crate) fn result_as(to: &Type, from: &Type, v: &str) -> String {
    match (to, from) {
        (Type::Void, Type::Void) => v.to_string(),
        (Type::Void, _) => format!("((void)({v}))"),
        (Type::Any, Type::Void) => format!("({v}, BS_NULL)"),
        (Type::Any, Type::Integer | Type::Enum(_)) => format!("bs_box_int({v})"),
        (Type::Any, Type::Float) => format!("bs_box_float({v})"),
        (Type::Any, Type::Boolean) => format!("bs_box_bool({v})"),
        _ => v.to_string(),
    }
}

/// An argument `a` of type `from` as a value of a slot's parameter type `to`.
pub(crate) fn arg_as(to: &Type, from: &Type, a: &str) -> String {
    match (to, from) {
        (Type::Any, Type::Integer | Type::Enum(_)) => format!("bs_box_int({a})"),
        (Type::Any, Type::Float) => format!("bs_box_float({a})"),
        (Type::Any, Type::Boolean) => format!("bs_box_bool({a})"),
        _ => a.to_string(),
    }
}

fn guard(g: &Guard, out: &mut String) {
    let names: Vec<String> = (0..g.slot_sig.params.len())
        .map(|k| format!("a{k}"))
        .collect();
    let _ = writeln!(
        out,
        "\n{}{} {{",
        crate::NO_SOURCE_MARK,
        prototype(&c_symbol(&g.symbol), &g.slot_sig, Some(&names))
    );
    let tests: Vec<String> = g
        .checks
        .iter()
        .zip(&names)
        .filter_map(|(c, a)| c.map(|c| test(c, a)))
        .collect();
    let args: Vec<String> = g
        .checks
        .iter()
        .zip(&names)
        .zip(&g.copy_sig.params)
        .map(|((c, a), ty)| match c {
            Some(_) => unbox(ty, a),
            None => a.clone(),
        })
        .collect();
    let call = format!("{}({})", c_symbol(&g.copy), args.join(", "));
    let success = match (&g.slot_sig.ret, &g.copy_sig.ret) {
        (Type::Void, _) => format!("{call}; return;"),
        (Type::Any, Type::Void) => format!("{call}; return BS_NULL;"),
        (to, from) => format!("return {};", result_as(to, from, &call)),
    };
    let condition = if tests.is_empty() {
        "1".to_string()
    } else {
        tests.join(" && ")
    };
    let _ = writeln!(out, "    if (__builtin_expect({condition}, 1)) {{");
    let _ = writeln!(out, "        {success}");
    out.push_str("    }\n");
    let _ = writeln!(out, "    {}++;", c_symbol(&g.failures));
    out.push_str("    if (bs_patch_wanted)\n        bs_runtime_patch_point();\n");
    let fallback = format!("{}({})", c_symbol(&g.fallback), names.join(", "));
    if g.slot_sig.ret == Type::Void {
        let _ = writeln!(out, "    {fallback};");
    } else {
        let _ = writeln!(out, "    return {fallback};");
    }
    out.push_str("}\n");
}
