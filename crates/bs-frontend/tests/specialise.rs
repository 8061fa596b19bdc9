//! `specialise`: a function checked again with observed argument types (docs/dynamic.md).

use bs_frontend::ir::{ArgCheck, Conv, Expr, ExprKind, Stmt, Unit, Walked};
use bs_frontend::{Counters, Diagnostic, Env, SpecialiseRequest, Symbol, Type, specialise};

/// A session after `source` ran as unit 1, with its counters.
fn session(source: &str) -> (Env, Counters) {
    let mut env = Env::new();
    let mut counters = Counters::default();
    let checked = bs_frontend::check_unit(source, &env, 1, &mut counters)
        .unwrap_or_else(|d| panic!("the program does not check: {d:?}"));
    for (name, global) in &checked.declared {
        env.insert(name.clone(), global.clone());
    }
    for (id, ty, _) in &checked.unit.array_classes {
        env.insert_array_class(ty.clone(), *id);
    }
    for (name, id) in &checked.unit.names {
        env.insert_name(name.clone(), *id);
    }
    (env, counters)
}

fn request<'a>(source: &'a str, name: &'a str, params: Vec<Option<Type>>) -> SpecialiseRequest<'a> {
    SpecialiseRequest {
        source,
        name,
        generic_unit: 1,
        version: 1,
        params,
        fallback: Symbol::FnBody {
            name: name.to_string(),
            unit: 1,
        },
    }
}

fn run(source: &str, name: &str, params: Vec<Option<Type>>) -> Result<Unit, Vec<Diagnostic>> {
    let (env, mut counters) = session(source);
    specialise(&request(source, name, params), &env, 2, &mut counters)
}

fn conversions(unit: &Unit) -> Vec<Conv> {
    let mut out = Vec::new();
    for s in &unit.specialised[0].2.body {
        s.walk(&mut |w| {
            if let Walked::Expr(Expr {
                kind: ExprKind::Convert(c, _),
                ..
            }) = w
            {
                out.push(*c);
            }
        });
    }
    out
}

#[test]
fn locals_and_the_result_follow_the_observed_types() {
    let src = "function f(a, b) {\n  let s = a * b;\n  return s + 1;\n}\n";
    let unit = run(src, "f", vec![Some(Type::Integer), Some(Type::Integer)]).unwrap();
    let (symbol, sig, body) = &unit.specialised[0];
    assert_eq!(
        *symbol,
        Symbol::Specialised {
            name: "f".into(),
            unit: 1,
            version: 1
        }
    );
    assert_eq!(sig.params, vec![Type::Integer, Type::Integer]);
    assert_eq!(sig.ret, Type::Integer);
    assert_eq!(body.locals[2].name, "s");
    assert_eq!(body.locals[2].ty, Type::Integer);
    let g = &unit.guards[0];
    assert_eq!(g.slot_sig.params, vec![Type::Any, Type::Any]);
    assert_eq!(g.slot_sig.ret, Type::Any);
    assert_eq!(
        g.checks,
        vec![Some(ArgCheck::Integer), Some(ArgCheck::Integer)]
    );
    assert_eq!(
        g.failures,
        Symbol::GuardFailures {
            name: "f".into(),
            unit: 1,
            version: 1
        }
    );
    assert!(unit.functions.is_empty() && unit.globals.is_empty() && unit.body.body.is_empty());
    assert!(!unit.needs_entry());
    assert!(!unit.code_is_reclaimable());
    // `a * b` and `s + 1` were `any` arithmetic: both wrap at 30 bits.
    assert_eq!(
        conversions(&unit)
            .iter()
            .filter(|c| **c == Conv::WrapBoxedInt)
            .count(),
        2
    );
}

#[test]
fn typed_code_is_left_alone_and_declared_parameters_stay() {
    let src = "function f(a, n: integer) {\n  let k = n * n;\n  return a + k;\n}\n";
    let unit = run(src, "f", vec![Some(Type::Float), None]).unwrap();
    let (_, sig, _) = &unit.specialised[0];
    assert_eq!(sig.params, vec![Type::Float, Type::Integer]);
    assert_eq!(sig.ret, Type::Float);
    assert_eq!(unit.guards[0].checks, vec![Some(ArgCheck::Float), None]);
    // `n * n` is typed in the generic body too; `k` is boxed (wrapped) as an operand of
    // `a + k`, whose float result is rounded as a boxed float.
    let convs = conversions(&unit);
    assert_eq!(
        convs.iter().filter(|c| **c == Conv::WrapBoxedInt).count(),
        1
    );
    assert!(convs.contains(&Conv::RoundBoxedFloat));
}

#[test]
fn arrays_are_checked_by_exact_class_and_instances_by_class() {
    let src = "class P {\n  x: integer;\n  constructor(x: integer) { this.x = x; }\n}\n\
               function f(xs, p) {\n  let t = 0.0;\n  for (let i = 0; i < xs.length; i++) t += xs[i];\n  return t + p.x;\n}\n";
    let unit = run(
        src,
        "f",
        vec![
            Some(Type::Array(Box::new(Type::Float))),
            Some(Type::Class("P".into())),
        ],
    )
    .unwrap();
    let checks = &unit.guards[0].checks;
    assert_eq!(
        checks[0],
        Some(ArgCheck::ExactClass(bs_abi::ClassId::FloatArray.code()))
    );
    assert_eq!(
        checks[1],
        Some(ArgCheck::Instance(bs_frontend::FIRST_PROGRAM_CLASS))
    );
    assert!(!unit.needs_entry());
}

#[test]
fn a_new_array_type_needs_the_entry() {
    let src = "function f(xs) {\n  return xs.length;\n}\n";
    let unit = run(
        src,
        "f",
        vec![Some(Type::Array(Box::new(Type::Array(Box::new(
            Type::String,
        )))))],
    )
    .unwrap();
    assert!(unit.needs_entry());
}

#[test]
fn a_copy_that_does_not_check_fails_with_the_source_location() {
    let src = "function f(a) {\n  let s = a;\n  s = 'text';\n  return s;\n}\n";
    let (env, mut counters) = session(src);
    let before = counters.next_site;
    let err = specialise(
        &request(src, "f", vec![Some(Type::Integer)]),
        &env,
        2,
        &mut counters,
    )
    .unwrap_err();
    let at = bs_frontend::line_col(src, err[0].span.start);
    assert_eq!(at.line, 3, "{err:?}");
    assert_eq!(
        counters.next_site, before,
        "counters advance only on success"
    );
}

#[test]
fn a_copy_that_would_change_the_output_is_refused() {
    // The generic `x` becomes a float; the copy's integer `x` would truncate.
    let src = "function f(a) {\n  let x = a;\n  x += 0.5;\n  return x;\n}\n";
    let err = run(src, "f", vec![Some(Type::Integer)]).unwrap_err();
    assert_eq!(err[0].code, "BS0140", "{err:?}");
    // The generic `x` stays an integer; the copy's float `x` would print as a float.
    let src = "function g(a) {\n  let x = a;\n  x = 1;\n  print(x);\n}\n";
    let err = run(src, "g", vec![Some(Type::Float)]).unwrap_err();
    assert_eq!(err[0].code, "BS0140", "{err:?}");
    assert_eq!(bs_frontend::line_col(src, err[0].span.start).line, 3);
}

#[test]
fn only_untyped_parameters_of_known_kinds_are_specialised() {
    let src = "function f(a: integer, b) {\n  return b;\n}\n";
    let err = run(src, "f", vec![Some(Type::Integer), None]).unwrap_err();
    assert_eq!(err[0].code, "BS0140");
    let err = run(src, "f", vec![None, Some(Type::Null)]).unwrap_err();
    assert_eq!(err[0].code, "BS0140");
    let err = run(src, "f", vec![None, Some(Type::Class("Nowhere".into()))]).unwrap_err();
    assert_eq!(err[0].code, "BS0140");
    let err = run(src, "nothing", vec![None, None]).unwrap_err();
    assert!(err[0].message.contains("no top-level function"), "{err:?}");
}

/// The symbols of the calls through slots (or directly of the copy) in the copy's body.
fn called(unit: &Unit) -> Vec<Symbol> {
    let mut out = Vec::new();
    for s in &unit.specialised[0].2.body {
        s.walk(&mut |w| {
            if let Walked::Expr(Expr {
                kind: ExprKind::Call { slot, .. },
                ..
            }) = w
            {
                out.push(slot.clone());
            }
        });
    }
    out
}

#[test]
fn recursive_calls_of_the_same_types_call_the_copy() {
    let src = "function fib(n) {\n  if (n < 2) return n;\n  return fib(n - 1) + fib(n - 2);\n}\n";
    let unit = run(src, "fib", vec![Some(Type::Integer)]).unwrap();
    let copy = Symbol::Specialised {
        name: "fib".into(),
        unit: 1,
        version: 1,
    };
    assert_eq!(called(&unit), vec![copy.clone(), copy.clone()]);
    assert_eq!(unit.specialised[0].1.ret, Type::Integer);
    assert!(matches!(unit.specialised[0].2.body[0], Stmt::If { .. }));
    // No slot of its own to declare.
    assert!(unit.externs.is_empty(), "{:?}", unit.externs);
}

#[test]
fn recursive_calls_of_other_types_go_through_the_slot() {
    // `f(n + 0.5)` passes a float: through the slot, whose result is `any`; a typed result
    // would check it where the generic body does not, so the copy returns `any` too.
    let src = "function f(n) {\n  if (n > 10) return n;\n  return f(n + 0.5);\n}\n";
    let unit = run(src, "f", vec![Some(Type::Integer)]).unwrap();
    assert_eq!(called(&unit), vec![Symbol::FnSlot { name: "f".into() }]);
    assert_eq!(unit.specialised[0].1.ret, Type::Any);
}
