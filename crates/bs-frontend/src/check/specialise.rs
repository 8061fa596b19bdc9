//! Specialisation (docs/dynamic.md): a copy of a top-level function checked again with the
//! argument types a device observed in place of `any`, and the guard in front of it.
//!
//! The copy must compute what the generic body computes. A value the generic body keeps in
//! `any` follows the rules of boxed values: an integer keeps 30 bits, a float has a 6-bit
//! exponent, `==` compares words, truthiness is that of the boxed word. So the generic
//! declaration is checked too (its diagnostics dropped), and every node of the copy whose span had type `any`
//! there gets a conversion that gives it the boxed value (`Conv::WrapBoxedInt`,
//! `Conv::RoundBoxedFloat`); `==`, truthiness and `++`/`--` are rewritten where their typed rule
//! differs, and a copy whose meaning would still differ (an integer that the generic body kept as
//! an integer becoming a float, a compound assignment that would truncate, a run-time type check
//! the generic body does not make) is refused. Calls of the function itself whose arguments
//! have the copy's types call the copy directly, and the small typed functions of the same
//! source that the copy calls, and the small untyped ones whose body is one `return`
//! (specialised to the argument types the copy passes them), get local copies in its unit
//! (`inline_callees`).

use std::collections::{HashMap, HashSet};

use oxc_allocator::Allocator;
use oxc_ast::ast;
use oxc_parser::Parser;
use oxc_span::SourceType;

use super::{Checker, Counters, FnCtx, STACK_RED_ZONE, STACK_SEGMENT, always_returns, sp};
use crate::diag::{self, Diagnostic};
use crate::env::{Env, Global};
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};

/// What the session asks to specialise.
#[derive(Clone, Debug)]
pub struct SpecialiseRequest<'a> {
    /// The full source of the unit that defined the function.
    pub source: &'a str,
    /// The top-level function's name in that source.
    pub name: &'a str,
    /// The unit that defined it (for the symbols).
    pub generic_unit: u32,
    /// The specialised copy's number: 1, 2, ...
    pub version: u32,
    /// Per parameter: the observed type of a profiled parameter without annotation, or `None`
    /// to keep the declared type.
    pub params: Vec<Option<Type>>,
    /// What the guard calls when a check fails: the generic body or a previous guard.
    pub fallback: Symbol,
}

/// Checks the function `req.name` of `req.source` again with the observed parameter types and
/// returns a unit that defines the copy and its guard and declares nothing. Site numbers (and
/// class ids of new array types) come from `counters`, advanced only on success. Spans are
/// those of `req.source`.
pub fn specialise(
    req: &SpecialiseRequest,
    env: &Env,
    unit_id: u32,
    counters: &mut Counters,
) -> Result<Unit, Vec<Diagnostic>> {
    if let Some(d) = super::angles::check(req.source) {
        return Err(vec![d]);
    }
    let allocator = Allocator::default();
    let parsed = stacker::grow(super::parse_stack_size(req.source), || {
        Parser::new(&allocator, req.source, SourceType::ts()).parse()
    });
    let refuse = |span: Span, why: &str| Err(vec![diag::cannot_specialise(span, why)]);
    if !parsed.diagnostics.is_empty() || parsed.panicked {
        return refuse(Span::default(), "its source does not parse");
    }
    let Some(func) = find_function(&parsed.program.body, req.name) else {
        return refuse(
            Span::default(),
            &format!("no top-level function '{}' in its source", req.name),
        );
    };
    let at = func.id.as_ref().map_or(sp(func.span), |id| sp(id.span));
    let Some(Global::Func { sig: slot_sig, .. }) = env.get(req.name).cloned() else {
        return refuse(at, &format!("'{}' is not a function", req.name));
    };
    if slot_sig.params.len() != req.params.len() || func.params.items.len() != req.params.len() {
        return refuse(
            at,
            "the number of observed types differs from its parameters",
        );
    }
    if contains_inline_c(req.source, func) {
        return refuse(at, "it contains inline C");
    }
    let mut params = Vec::new();
    for (i, (declared, observed)) in slot_sig.params.iter().zip(&req.params).enumerate() {
        match observed {
            None => params.push(declared.clone()),
            Some(t) if *declared != Type::Any => {
                return refuse(
                    sp(func.params.items[i].span),
                    &format!(
                        "parameter {} is declared '{declared}', not 'any' ('{t}' observed)",
                        i + 1
                    ),
                );
            }
            Some(t) if !observable(t) || !known(env, t) => {
                return refuse(
                    sp(func.params.items[i].span),
                    &format!("arguments of type '{t}' are not checked by guards"),
                );
            }
            Some(t) => params.push(t.clone()),
        }
    }

    // The generic body, for the types its nodes had (a checker of its own, whose diagnostics are
    // dropped; not a quiet one, which would not keep the bodies of arrow functions).
    let mut generic = Checker::new(env, unit_id, *counters);
    let generic_body = generic.check_alone(func, &slot_sig.params, &slot_sig.ret);
    let generic_arrows: Vec<Function> = generic.out.arrows.iter().map(|a| a.2.clone()).collect();
    let Some(generic_body) = generic_body else {
        return refuse(at, "its generic body does not check");
    };
    let mut facts = GenericFacts::default();
    facts.learn(&generic_body);
    for a in &generic_arrows {
        facts.learn(a);
    }

    // The copy's result type: the slot's, unless that is `any`; then inferred from the copy.
    let ret = if slot_sig.ret == Type::Any {
        let mut infer = Checker::new(env, unit_id, *counters);
        infer.diags.quiet += 1;
        infer.infer_result(func, &params).unwrap_or(Type::Any)
    } else {
        slot_sig.ret.clone()
    };
    let ret = if ret == Type::Null { Type::Any } else { ret };
    if !result_converts(&ret, &slot_sig.ret) {
        return refuse(
            at,
            &format!(
                "its result would be '{ret}' where the function returns '{}'",
                slot_sig.ret
            ),
        );
    }

    let copy = Symbol::Specialised {
        name: req.name.to_string(),
        unit: req.generic_unit,
        version: req.version,
    };
    let shared = Shared {
        req,
        program: &parsed.program.body,
        func,
        at,
        slot_sig: &slot_sig,
        copy: &copy,
        facts: &facts,
        generic_body: &generic_body,
        generic_arrows: &generic_arrows,
    };
    let inferred = FnSig { params, ret };
    // Calls of the function itself call the copy directly when their arguments have the
    // copy's types (every copy computes what the generic body computes, so a copy that keeps
    // running after the slot moved on to another one still does).
    if inferred.ret != Type::Any && mentions_itself(req.source, func, req.name) {
        let mut own = env.clone();
        own.insert(
            req.name.to_string(),
            Global::Func {
                sig: inferred.clone(),
                slot: copy.clone(),
                body: copy.clone(),
            },
        );
        let mut trial = *counters;
        if let Ok(unit) = build(&shared, &inferred, &own, unit_id, &mut trial) {
            if unit.trampolines.is_empty() {
                *counters = trial;
                return Ok(unit);
            }
        }
    }
    let first = build(&shared, &inferred, env, unit_id, counters);
    if first.is_err() && inferred.ret != slot_sig.ret {
        // A typed result would check values the generic body returns unchecked: return `any`.
        let boxed = FnSig {
            params: inferred.params.clone(),
            ret: slot_sig.ret.clone(),
        };
        if let Ok(unit) = build(&shared, &boxed, env, unit_id, counters) {
            return Ok(unit);
        }
    }
    first
}

/// What both ways of building the copy share.
struct Shared<'s, 'a> {
    req: &'s SpecialiseRequest<'s>,
    /// The top-level statements of the source (for the functions the copy inlines).
    program: &'a [ast::Statement<'a>],
    func: &'a ast::Function<'a>,
    at: Span,
    slot_sig: &'s FnSig,
    copy: &'s Symbol,
    facts: &'s GenericFacts,
    generic_body: &'s Function,
    generic_arrows: &'s [Function],
}

/// Checks the copy against `env` and makes its unit.
fn build(
    sh: &Shared<'_, '_>,
    copy_sig: &FnSig,
    env: &Env,
    unit_id: u32,
    counters: &mut Counters,
) -> Result<Unit, Vec<Diagnostic>> {
    let (req, func, at, facts) = (sh.req, sh.func, sh.at, sh.facts);
    let refuse = |span: Span, why: &str| Err(vec![diag::cannot_specialise(span, why)]);
    let (params, ret) = (&copy_sig.params, &copy_sig.ret);
    let mut checker = Checker::new(env, unit_id, *counters);
    let body = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
        checker.check_alone(func, params, ret)
    });
    let mut checks = Vec::new();
    for (declared, observed) in sh.slot_sig.params.iter().zip(&req.params) {
        checks.push(match observed {
            Some(t) if *declared == Type::Any => Some(checker.arg_check(t)),
            _ => None,
        });
    }
    if !checker.diags.found.is_empty() {
        let mut diags = checker.diags.found;
        diags.sort_by_key(|d| d.span.start);
        diags.dedup();
        return Err(diags);
    }
    let Some(mut body) = body else {
        return refuse(at, "it does not check with the observed types");
    };

    // Give every value the generic body kept in `any` its boxed value.
    let mut problems = Vec::new();
    facts.fix(&mut body, 0..params.len(), &mut problems, sh.generic_body);
    let mut arrows = std::mem::take(&mut checker.out.arrows);
    for (k, (_, _, f)) in arrows.iter_mut().enumerate() {
        let before = sh.generic_arrows.get(k).cloned().unwrap_or_default();
        facts.fix(f, 0..0, &mut problems, &before);
    }
    if !problems.is_empty() {
        problems.sort_by_key(|d| d.span.start);
        problems.dedup();
        return Err(problems);
    }

    let inlined = inline_callees(sh, env, unit_id, &mut checker, &mut body, &mut arrows);

    let (copy, copy_sig) = (sh.copy.clone(), copy_sig.clone());
    let guard = Guard {
        symbol: Symbol::Guard {
            name: req.name.to_string(),
            unit: req.generic_unit,
            version: req.version,
        },
        failures: Symbol::GuardFailures {
            name: req.name.to_string(),
            unit: req.generic_unit,
            version: req.version,
        },
        slot_sig: sh.slot_sig.clone(),
        copy: copy.clone(),
        copy_sig: copy_sig.clone(),
        checks: checks.into_iter().map(|c| c.flatten()).collect(),
        fallback: req.fallback.clone(),
    };
    let dyn_checks = checker.dyn_checks(&[]);
    let array_classes = checker
        .out
        .array_classes
        .clone()
        .into_iter()
        .map(|(id, ty)| {
            let elem = match &ty {
                Type::Array(e) => checker.element_class_id(e),
                _ => 0,
            };
            (id, ty, elem)
        })
        .collect();
    *counters = checker.ids;
    Ok(Unit {
        id: unit_id,
        entry_symbol: Symbol::UnitEntry { unit: unit_id },
        globals: Vec::new(),
        functions: Vec::new(),
        externs: std::mem::take(&mut checker.out.externs)
            .into_iter()
            .filter(|e| !matches!(e, ExternRef::FnSlot { symbol, .. } if *symbol == copy))
            .collect(),
        classes: Vec::new(),
        array_classes,
        arrows,
        trampolines: std::mem::take(&mut checker.out.trampolines),
        native_top: Vec::new(),
        names: checker.out.prop_names.clone(),
        dyn_checks,
        body: Function::default(),
        sites: std::mem::take(&mut checker.out.sites),
        specialised: vec![(copy, copy_sig, body)],
        guards: vec![guard],
        inlined,
    })
}

/// The largest body, in IR nodes (expressions and local declarations, their parts included),
/// of a function that a copy inlines.
pub const INLINE_MAX_NODES: usize = 40;

/// The functions of the same source that `body` (the copy) and `arrows` (its arrow functions)
/// call through their slots and that the copy's unit gets a local body of (docs/dynamic.md,
/// "What a copy inlines"): each is a top-level function the generic unit defined and whose
/// body the slot still names in `env`, with every parameter annotated (so not profiled: its
/// slot holds the body) or untyped with a body of one `return` (then checked as a copy with the
/// types of the arguments of its first call, and the calls with those argument types retargeted
/// at the local body, see [`inline_untyped`] and [`retarget_calls`]), small (at most [`INLINE_MAX_NODES`]), not naming itself or the specialised
/// function, without inline C, and needing nothing of the unit's entry (new array types,
/// property names) nor arrow functions or function values. It is checked with its declared
/// types, as the generic unit checked it, so it computes what the generic body computes; its
/// run-time check sites are new ones (from `checker`'s counters) at its own spans.
fn inline_callees<'a>(
    sh: &Shared<'_, 'a>,
    env: &Env,
    unit_id: u32,
    checker: &mut Checker<'_, '_>,
    body: &mut Function,
    arrows: &mut [(Symbol, FnSig, Function)],
) -> Vec<InlineCopy> {
    let req = sh.req;
    // Each function called through its slot, with the argument types of its first call (for
    // an untyped callee: the types of the values the copy boxes for it).
    let mut calls: Vec<(String, Vec<Type>)> = Vec::new();
    {
        let mut callers: Vec<&Function> = vec![body];
        callers.extend(arrows.iter().map(|(_, _, f)| f));
        for f in callers {
            for s in &f.body {
                s.walk(&mut |w| {
                    if let Walked::Expr(Expr {
                        kind:
                            ExprKind::Call {
                                slot: Symbol::FnSlot { name },
                                sig,
                                args,
                            },
                        ..
                    }) = w
                    {
                        if !calls.iter().any(|(n, _)| n == name) {
                            calls.push((name.clone(), arg_types(env, sig, args)));
                        }
                    }
                });
            }
        }
    }
    let mut out = Vec::new();
    for (name, types) in calls {
        let name = name.as_str();
        if name == req.name {
            continue;
        }
        let Some(callee) = find_function(sh.program, name) else {
            continue;
        };
        let Some(Global::Func {
            sig,
            slot,
            body: held,
        }) = env.get(name)
        else {
            continue;
        };
        let generic_body = Symbol::FnBody {
            name: name.to_string(),
            unit: req.generic_unit,
        };
        if *held != generic_body
            || *slot
                != (Symbol::FnSlot {
                    name: name.to_string(),
                })
            || sig.params.len() != callee.params.items.len()
            || callee.params.rest.is_some()
            || contains_inline_c(req.source, callee)
            || names_identifier(req.source, callee, name)
            || names_identifier(req.source, callee, req.name)
        {
            continue;
        }
        let untyped = callee
            .params
            .items
            .iter()
            .filter(|p| p.type_annotation.is_none())
            .count();
        let symbol = Symbol::InlineCopy {
            name: name.to_string(),
            unit: req.generic_unit,
            version: req.version,
        };
        if untyped == 0 {
            if let Some(func) = inline_typed(env, unit_id, checker, callee, sig) {
                out.push(InlineCopy {
                    symbol,
                    slot: slot.clone(),
                    body: generic_body,
                    sig: sig.clone(),
                    local_sig: sig.clone(),
                    wrapper: None,
                    func,
                });
            }
            continue;
        }
        // A profiled function (docs/dynamic.md): its slot holds its wrapper, its generic body or
        // a guard of its own copy, all of which run this source.
        if untyped > bs_abi::PROFILE_MAX_ARGS || callee.declare || !one_return(callee) {
            continue;
        }
        let Some((local_sig, func)) = inline_untyped(env, unit_id, checker, callee, sig, &types)
        else {
            continue;
        };
        retarget_calls(body, slot, &symbol, &local_sig, env);
        for (_, _, f) in arrows.iter_mut() {
            retarget_calls(f, slot, &symbol, &local_sig, env);
        }
        out.push(InlineCopy {
            symbol,
            slot: slot.clone(),
            body: generic_body,
            sig: sig.clone(),
            local_sig,
            wrapper: Some(Symbol::ProfileWrapper {
                name: name.to_string(),
                unit: req.generic_unit,
            }),
            func,
        });
    }
    out
}

/// Whether the body of `func` is a single `return` statement.
fn one_return(func: &ast::Function<'_>) -> bool {
    func.body.as_ref().is_some_and(|b| {
        matches!(
            b.statements.as_slice(),
            [ast::Statement::ReturnStatement(_)]
        )
    })
}

/// Checks a callee with annotated parameters with its declared types, as the generic unit
/// checked it; on success its sites and externs become `checker`'s.
fn inline_typed<'a>(
    env: &Env,
    unit_id: u32,
    checker: &mut Checker<'_, '_>,
    callee: &'a ast::Function<'a>,
    sig: &FnSig,
) -> Option<Function> {
    let mut trial = Checker::new(env, unit_id, checker.ids);
    let func = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
        trial.check_alone(callee, &sig.params, &sig.ret)
    })?;
    if !trial.diags.found.is_empty()
        || !trial.out.arrows.is_empty()
        || !trial.out.trampolines.is_empty()
        || !trial.out.array_classes.is_empty()
        || !trial.out.prop_names.is_empty()
        || func.body.iter().any(Stmt::has_inline_c)
        || size(&func) > INLINE_MAX_NODES
    {
        return None;
    }
    checker.ids = trial.ids;
    checker.out.sites.append(&mut trial.out.sites);
    for e in std::mem::take(&mut trial.out.externs) {
        checker.note_extern(e);
    }
    Some(func)
}

/// Checks an untyped callee as a specialised body whose parameters have `types` (the copy's
/// argument types; `any` where the copy passes `any`), with the rules that keep what its
/// generic body computes on `any` (`GenericFacts::fix`). Its result type is inferred as for a
/// copy, else the slot's. On success its sites and externs become `checker`'s.
fn inline_untyped<'a>(
    env: &Env,
    unit_id: u32,
    checker: &mut Checker<'_, '_>,
    callee: &'a ast::Function<'a>,
    slot_sig: &FnSig,
    types: &[Type],
) -> Option<(FnSig, Function)> {
    if types.len() != slot_sig.params.len() {
        return None;
    }
    let mut generic = Checker::new(env, unit_id, checker.ids);
    let generic_body = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
        generic.check_alone(callee, &slot_sig.params, &slot_sig.ret)
    })?;
    if !generic.out.arrows.is_empty() || size(&generic_body) > INLINE_MAX_NODES {
        return None;
    }
    let mut facts = GenericFacts::default();
    facts.learn(&generic_body);
    let inferred = if slot_sig.ret == Type::Any {
        let mut infer = Checker::new(env, unit_id, checker.ids);
        infer.diags.quiet += 1;
        infer.infer_result(callee, types).unwrap_or(Type::Any)
    } else {
        slot_sig.ret.clone()
    };
    let inferred = if inferred == Type::Null {
        Type::Any
    } else {
        inferred
    };
    let mut rets = vec![inferred.clone()];
    if inferred != slot_sig.ret {
        rets.push(slot_sig.ret.clone());
    }
    for ret in rets {
        if !result_converts(&ret, &slot_sig.ret) {
            continue;
        }
        let mut trial = Checker::new(env, unit_id, checker.ids);
        let func = stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || {
            trial.check_alone(callee, types, &ret)
        });
        let Some(mut func) = func else { continue };
        if !trial.diags.found.is_empty()
            || !trial.out.arrows.is_empty()
            || !trial.out.trampolines.is_empty()
            || !trial.out.array_classes.is_empty()
            || !trial.out.prop_names.is_empty()
            || func.body.iter().any(Stmt::has_inline_c)
        {
            continue;
        }
        let mut problems = Vec::new();
        facts.fix(&mut func, 0..types.len(), &mut problems, &generic_body);
        if !problems.is_empty() || size(&func) > INLINE_MAX_NODES {
            continue;
        }
        checker.ids = trial.ids;
        checker.out.sites.append(&mut trial.out.sites);
        for e in std::mem::take(&mut trial.out.externs) {
            checker.note_extern(e);
        }
        let sig = FnSig {
            params: types.to_vec(),
            ret,
        };
        return Some((sig, func));
    }
    None
}

/// The types of the arguments of a call through a slot of signature `sig`: a parameter's
/// declared type, or for an `any` parameter the type of the value the copy boxes for it when
/// a guard could test it (else `any`).
fn arg_types(env: &Env, sig: &FnSig, args: &[Expr]) -> Vec<Type> {
    sig.params
        .iter()
        .zip(args)
        .map(|(p, a)| match (&a.kind, p) {
            (ExprKind::Convert(Conv::Box, inner), Type::Any)
                if observable(&inner.ty) && known(env, &inner.ty) =>
            {
                inner.ty.clone()
            }
            _ => p.clone(),
        })
        .collect()
}

/// Makes the calls of `f` through `slot` whose arguments have the types of `local_sig` calls of
/// its local body `symbol`, with the arguments unboxed (the C back end boxes them again for
/// the slot when the slot holds something else).
fn retarget_calls(f: &mut Function, slot: &Symbol, symbol: &Symbol, local_sig: &FnSig, env: &Env) {
    let mut visit = |e: &mut Expr| {
        let ExprKind::Call { slot: s, sig, args } = &mut e.kind else {
            return;
        };
        if s != slot || arg_types(env, sig, args) != local_sig.params {
            return;
        }
        for (a, p) in args.iter_mut().zip(&sig.params) {
            if *p != Type::Any {
                continue;
            }
            if let ExprKind::Convert(Conv::Box, inner) = &mut a.kind {
                if observable(&inner.ty) {
                    let inner = std::mem::replace(
                        &mut **inner,
                        Expr::new(ExprKind::Null, Type::Null, Span::default()),
                    );
                    *a = inner;
                }
            }
        }
        *s = symbol.clone();
        *sig = local_sig.clone();
    };
    for s in &mut f.body {
        each_expr_mut_stmt(s, &mut visit);
    }
}

/// Calls `visit` on every expression of `s`, parts first.
fn each_expr_mut_stmt(s: &mut Stmt, visit: &mut dyn FnMut(&mut Expr)) {
    match s {
        Stmt::Expr(e) | Stmt::InitGlobal { value: e, .. } => each_expr_mut(e, visit),
        Stmt::Return(e) => {
            if let Some(e) = e {
                each_expr_mut(e, visit);
            }
        }
        Stmt::Let { init, .. } => {
            if let Some(e) = init {
                each_expr_mut(e, visit);
            }
        }
        Stmt::Block(b) | Stmt::Seq(b) => b.iter_mut().for_each(|s| each_expr_mut_stmt(s, visit)),
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            each_expr_mut(cond, visit);
            then.iter_mut()
                .chain(otherwise)
                .for_each(|s| each_expr_mut_stmt(s, visit));
        }
        Stmt::While { cond, body } | Stmt::DoWhile { body, cond } => {
            each_expr_mut(cond, visit);
            body.iter_mut().for_each(|s| each_expr_mut_stmt(s, visit));
        }
        Stmt::For {
            init,
            cond,
            update,
            body,
        } => {
            init.iter_mut().for_each(|s| each_expr_mut_stmt(s, visit));
            if let Some(c) = cond {
                each_expr_mut(c, visit);
            }
            if let Some(u) = update {
                each_expr_mut(u, visit);
            }
            body.iter_mut().for_each(|s| each_expr_mut_stmt(s, visit));
        }
        Stmt::Break | Stmt::Continue | Stmt::Native(..) => {}
    }
}

fn each_expr_mut_place(p: &mut Place, visit: &mut dyn FnMut(&mut Expr)) {
    match p {
        Place::Index { array, index, .. } => {
            each_expr_mut(array, visit);
            each_expr_mut(index, visit);
        }
        Place::AnyProp { object, .. } | Place::Field { object, .. } => each_expr_mut(object, visit),
        Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => {}
    }
}

fn each_expr_mut(e: &mut Expr, visit: &mut dyn FnMut(&mut Expr)) {
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Null
        | ExprKind::Closure { .. }
        | ExprKind::FuncValue { .. } => {}
        ExprKind::Read(p) | ExprKind::Update { place: p, .. } => each_expr_mut_place(p, visit),
        ExprKind::Unary(_, a) | ExprKind::AnyNegate { arg: a, .. } | ExprKind::Convert(_, a) => {
            each_expr_mut(a, visit)
        }
        ExprKind::Binary { left, right, .. }
        | ExprKind::AnyBinary { left, right, .. }
        | ExprKind::Logical { left, right, .. }
        | ExprKind::Concat(left, right) => {
            each_expr_mut(left, visit);
            each_expr_mut(right, visit);
        }
        ExprKind::Cond {
            cond,
            then,
            otherwise,
        } => {
            each_expr_mut(cond, visit);
            each_expr_mut(then, visit);
            each_expr_mut(otherwise, visit);
        }
        ExprKind::Call { args, .. }
        | ExprKind::DirectCall { args, .. }
        | ExprKind::New { args, .. }
        | ExprKind::Builtin { args, .. }
        | ExprKind::Print { args, .. }
        | ExprKind::ArrayLit { elements: args, .. } => {
            args.iter_mut().for_each(|a| each_expr_mut(a, visit))
        }
        ExprKind::Assign { place, value } => {
            each_expr_mut_place(place, visit);
            each_expr_mut(value, visit);
        }
        ExprKind::With { temps, body } => {
            temps.iter_mut().for_each(|(_, t)| each_expr_mut(t, visit));
            each_expr_mut(body, visit);
        }
        ExprKind::NewArray { length, init, .. } => {
            each_expr_mut(length, visit);
            each_expr_mut(init, visit);
        }
        ExprKind::MethodCall {
            receiver: t, args, ..
        }
        | ExprKind::CallValue {
            callee: t, args, ..
        }
        | ExprKind::AnyCall {
            target: t, args, ..
        } => {
            each_expr_mut(t, visit);
            args.iter_mut().for_each(|a| each_expr_mut(a, visit));
        }
    }
    visit(e);
}

/// The size of a body in IR nodes: its expressions (parts included) and local declarations.
fn size(f: &Function) -> usize {
    let mut n = 0;
    for s in &f.body {
        s.walk(&mut |w| {
            if !matches!(w, Walked::Native(_)) {
                n += 1;
            }
        });
    }
    n
}

/// Whether the body of `func` holds the identifier `name` (a call, or the function as a value).
fn names_identifier(source: &str, func: &ast::Function<'_>, name: &str) -> bool {
    let Some(b) = &func.body else { return false };
    let text = &source[b.span.start as usize..b.span.end as usize];
    let part = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

/// The top-level declaration `function name`, looking through `export`.
fn find_function<'a>(body: &'a [ast::Statement<'a>], name: &str) -> Option<&'a ast::Function<'a>> {
    body.iter().find_map(|s| {
        let f = match s {
            ast::Statement::FunctionDeclaration(f) => f,
            ast::Statement::ExportDeclaration(e) => match &e.declaration {
                ast::Declaration::FunctionDeclaration(f) => f,
                _ => return None,
            },
            _ => return None,
        };
        (f.id.as_ref()?.name.as_str() == name && f.body.is_some()).then_some(&**f)
    })
}

/// Whether the function's body names the function (a recursive call, most likely).
fn mentions_itself(source: &str, func: &ast::Function<'_>, name: &str) -> bool {
    func.body.as_ref().is_some_and(|b| {
        source[b.span.start as usize..b.span.end as usize].contains(&format!("{name}("))
    })
}

/// Whether the function's text holds a `code` template (inline C), whose C would see other
/// types in the copy.
fn contains_inline_c(source: &str, func: &ast::Function<'_>) -> bool {
    let text = &source[func.span.start as usize..func.span.end as usize];
    text.contains("code`")
}

/// The types a guard can test a boxed argument against.
fn observable(t: &Type) -> bool {
    matches!(
        t,
        Type::Integer
            | Type::Float
            | Type::Boolean
            | Type::String
            | Type::Array(_)
            | Type::Class(_)
            | Type::Uint8Array
            | Type::FixedArray
    )
}

/// Whether every class `t` names is one of the session's.
fn known(env: &Env, t: &Type) -> bool {
    match t {
        Type::Class(name) => env.class(name).is_some(),
        Type::Array(elem) | Type::Nullable(elem) => known(env, elem),
        _ => true,
    }
}

/// Whether the guard can turn a result of type `from` into the slot's result type `to`.
fn result_converts(from: &Type, to: &Type) -> bool {
    from == to || *to == Type::Any && *from != Type::Void || *to == Type::Void
}

impl<'a> Checker<'_, 'a> {
    /// Checks `func` alone, with these parameter types and result type; `None` when the body
    /// could not be checked at all.
    fn check_alone(
        &mut self,
        func: &'a ast::Function<'a>,
        params: &[Type],
        ret: &Type,
    ) -> Option<Function> {
        self.check_function_shape(func);
        self.f = FnCtx {
            ret: Some(ret.clone()),
            ..FnCtx::default()
        };
        self.f.scopes.push(HashMap::new());
        for (p, ty) in func.params.items.iter().zip(params) {
            match &p.pattern {
                ast::BindingPattern::BindingIdentifier(pid) => {
                    self.declare_local(pid.name.as_str(), ty.clone(), true, sp(pid.span));
                }
                _ => {
                    self.error(diag::destructuring(sp(p.span)));
                    return None;
                }
            }
        }
        let b = func.body.as_ref()?;
        let mut stmts = Vec::new();
        for s in &b.statements {
            if let Some(s) = self.check_stmt(s) {
                stmts.push(s);
            }
        }
        if *ret != Type::Void && !always_returns(&b.statements) {
            if let Some(id) = &func.id {
                self.error(diag::missing_return(sp(id.span)));
            }
        }
        let ctx = std::mem::take(&mut self.f);
        Some(Function {
            locals: ctx.locals,
            body: stmts,
        })
    }

    /// The result type `func` has with these parameter types (the type of its first `return`).
    fn infer_result(&mut self, func: &'a ast::Function<'a>, params: &[Type]) -> Option<Type> {
        self.f = FnCtx {
            first_return: Some(None),
            ..FnCtx::default()
        };
        self.f.scopes.push(HashMap::new());
        for (p, ty) in func.params.items.iter().zip(params) {
            if let ast::BindingPattern::BindingIdentifier(id) = &p.pattern {
                self.declare_local(id.name.as_str(), ty.clone(), true, sp(id.span));
            }
        }
        for s in &func.body.as_ref()?.statements {
            self.check_stmt(s);
        }
        Some(self.f.first_return.take().flatten().unwrap_or(Type::Void))
    }

    /// The guard's test of an argument observed to have type `t` (one of `observable`).
    fn arg_check(&mut self, t: &Type) -> Option<ArgCheck> {
        Some(match t {
            Type::Integer => ArgCheck::Integer,
            Type::Float => ArgCheck::Float,
            Type::Boolean => ArgCheck::Boolean,
            Type::String => ArgCheck::String,
            Type::Class(_) => ArgCheck::Instance(self.check_class_id(t)),
            Type::Array(_) | Type::Uint8Array | Type::FixedArray => {
                ArgCheck::ExactClass(self.check_class_id(t))
            }
            _ => return None,
        })
    }
}

/// What the generic body's IR says about each span of the source.
#[derive(Default)]
struct GenericFacts {
    /// Spans where some node had type `any`: the value there was boxed.
    any: HashSet<Span>,
    /// The type of the outermost node at each span.
    outer: HashMap<Span, Type>,
    /// Spans of operations on `any` values (arithmetic, comparisons, equality, negation,
    /// `++`/`--`).
    any_ops: HashSet<Span>,
    /// Spans of `==`/`!=` on `any` values (word equality).
    any_equal: HashSet<Span>,
    /// The type of the value boxed at each span (`Conv::Box`).
    boxed_from: HashMap<Span, Type>,
}

impl GenericFacts {
    fn learn(&mut self, f: &Function) {
        for s in &f.body {
            s.walk(&mut |w| {
                let Walked::Expr(e) = w else { return };
                self.outer.entry(e.span).or_insert_with(|| e.ty.clone());
                if e.ty == Type::Any {
                    self.any.insert(e.span);
                }
                match &e.kind {
                    ExprKind::Convert(Conv::Box, inner) => {
                        self.boxed_from
                            .entry(e.span)
                            .or_insert_with(|| inner.ty.clone());
                    }
                    ExprKind::AnyBinary { op, .. } => {
                        self.any_ops.insert(e.span);
                        if matches!(op, AnyOp::Equal | AnyOp::NotEqual) {
                            self.any_equal.insert(e.span);
                        }
                    }
                    ExprKind::AnyNegate { .. } => {
                        self.any_ops.insert(e.span);
                    }
                    ExprKind::Update { .. } if e.ty == Type::Any => {
                        self.any_ops.insert(e.span);
                    }
                    _ => {}
                }
            });
        }
    }

    /// Rewrites the copy `f` (see the module's documentation). `params`: the copy's parameters,
    /// whose values the guard unboxed. `generic`: the same body as the generic check made it.
    fn fix(
        &self,
        f: &mut Function,
        params: std::ops::Range<usize>,
        problems: &mut Vec<Diagnostic>,
        generic: &Function,
    ) {
        // Locals that held `any` in the generic body hold boxed values in the copy too: every
        // write to them is converted, so their reads need not be.
        let mut boxed_locals: HashSet<LocalId> = params.collect();
        for (id, (g, c)) in generic.locals.iter().zip(&f.locals).enumerate() {
            if g.ty == Type::Any && g.name == c.name && !c.captured {
                boxed_locals.insert(id);
            }
        }
        let mut fixer = Fixer {
            facts: self,
            boxed_locals,
            problems,
        };
        for s in &mut f.body {
            fixer.stmt(s);
        }
    }
}

struct Fixer<'f> {
    facts: &'f GenericFacts,
    boxed_locals: HashSet<LocalId>,
    problems: &'f mut Vec<Diagnostic>,
}

/// Wraps `e` in conversion `conv` (same type and span).
fn convert(e: &mut Expr, conv: Conv) {
    let (ty, span) = (e.ty.clone(), e.span);
    let inner = std::mem::replace(e, Expr::new(ExprKind::Null, Type::Null, span));
    *e = Expr::new(ExprKind::Convert(conv, Box::new(inner)), ty, span);
}

/// The conversion that gives a value of type `ty` its boxed value, if any changes it.
fn boxed_value_conv(ty: &Type) -> Option<Conv> {
    match ty {
        Type::Integer => Some(Conv::WrapBoxedInt),
        Type::Float => Some(Conv::RoundBoxedFloat),
        _ => None,
    }
}

impl Fixer<'_> {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Expr(e) | Stmt::InitGlobal { value: e, .. } => {
                value_unused(e);
                self.expr(e, false)
            }
            Stmt::Return(e) => {
                if let Some(e) = e {
                    self.expr(e, false);
                }
            }
            Stmt::Let { init, .. } => {
                if let Some(e) = init {
                    self.expr(e, false);
                }
            }
            Stmt::Block(b) | Stmt::Seq(b) => b.iter_mut().for_each(|s| self.stmt(s)),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond, false);
                then.iter_mut().chain(otherwise).for_each(|s| self.stmt(s));
            }
            Stmt::While { cond, body } | Stmt::DoWhile { body, cond } => {
                self.expr(cond, false);
                body.iter_mut().for_each(|s| self.stmt(s));
            }
            Stmt::For {
                init,
                cond,
                update,
                body,
            } => {
                init.iter_mut().for_each(|s| self.stmt(s));
                if let Some(c) = cond {
                    self.expr(c, false);
                }
                if let Some(u) = update {
                    value_unused(u);
                    self.expr(u, false);
                }
                body.iter_mut().for_each(|s| self.stmt(s));
            }
            Stmt::Break | Stmt::Continue => {}
            Stmt::Native(_, span) => {
                let span = *span;
                self.problems
                    .push(diag::cannot_specialise(span, "it contains inline C"));
            }
        }
    }

    fn place(&mut self, p: &mut Place) {
        match p {
            Place::Index { array, index, .. } => {
                self.expr(array, false);
                self.expr(index, false);
            }
            Place::AnyProp { object, .. } | Place::Field { object, .. } => self.expr(object, false),
            Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => {}
        }
    }

    /// Fixes `e` and its parts. `operand`: `e` is an operand of an operation that was on `any`
    /// in the generic body (which converts an integer operand to float the same way).
    fn expr(&mut self, e: &mut Expr, operand: bool) {
        let any_op = self.facts.any_ops.contains(&e.span);
        match &mut e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Null
            | ExprKind::Closure { .. }
            | ExprKind::FuncValue { .. } => {}
            ExprKind::Read(p) => self.place(p),
            ExprKind::Update { place, .. } => self.place(place),
            ExprKind::Unary(_, a) => self.expr(a, any_op),
            ExprKind::AnyNegate { arg, .. } => self.expr(arg, false),
            ExprKind::Convert(_, a) => self.expr(a, operand),
            ExprKind::Binary { left, right, .. } => {
                self.expr(left, any_op);
                self.expr(right, any_op);
            }
            ExprKind::AnyBinary { left, right, .. }
            | ExprKind::Logical { left, right, .. }
            | ExprKind::Concat(left, right) => {
                self.expr(left, false);
                self.expr(right, false);
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond, false);
                self.expr(then, false);
                self.expr(otherwise, false);
            }
            ExprKind::Call { args, .. }
            | ExprKind::DirectCall { args, .. }
            | ExprKind::New { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Print { args, .. }
            | ExprKind::ArrayLit { elements: args, .. } => {
                args.iter_mut().for_each(|a| self.expr(a, false))
            }
            ExprKind::Assign { place, value } => {
                self.place(place);
                self.expr(value, false);
            }
            ExprKind::With { temps, body } => {
                temps.iter_mut().for_each(|(_, t)| self.expr(t, false));
                self.expr(body, false);
            }
            ExprKind::NewArray { length, init, .. } => {
                self.expr(length, false);
                self.expr(init, false);
            }
            ExprKind::MethodCall {
                receiver: t, args, ..
            }
            | ExprKind::CallValue {
                callee: t, args, ..
            }
            | ExprKind::AnyCall {
                target: t, args, ..
            } => {
                self.expr(t, false);
                args.iter_mut().for_each(|a| self.expr(a, false));
            }
        }
        self.node(e, operand);
    }

    /// The rules for the node itself, its parts being fixed.
    fn node(&mut self, e: &mut Expr, operand: bool) {
        let span = e.span;
        let was_any = self.facts.any.contains(&span);
        match &mut e.kind {
            // `++`/`--` on a variable the generic body kept in `any`: the new value is boxed.
            ExprKind::Update {
                place,
                increment,
                prefix,
                ..
            } if self.facts.any_ops.contains(&span) && e.ty.is_numeric() => {
                let (place, increment, prefix) = (place.clone(), *increment, *prefix);
                self.rewrite_update(e, place, increment, prefix);
                return;
            }
            // `x += 0.5` truncates into an integer variable; the generic body's `any` variable
            // became a float instead.
            ExprKind::Convert(Conv::FloatToInt, _) if was_any => {
                self.problems.push(diag::cannot_specialise(
                    span,
                    "here the value would be truncated to an integer, where the generic body keeps a float",
                ));
                return;
            }
            // An integer the generic body kept as an integer (in `any`) must not become a float.
            ExprKind::Convert(Conv::IntToFloat, inner)
                if !operand && self.facts.outer.get(&inner.span) == Some(&Type::Any) =>
            {
                self.problems.push(diag::cannot_specialise(
                    span,
                    "here an integer would become a float, where the generic body keeps an integer",
                ));
                return;
            }
            // A run-time check the generic body does not make (a value it keeps in `any` stored
            // into a variable the copy types, or returned as a typed result).
            ExprKind::Convert(Conv::Check { .. }, _)
                if self.facts.outer.get(&span) == Some(&Type::Any) =>
            {
                self.problems.push(diag::cannot_specialise(
                    span,
                    "here the copy would check a value's type at run time, where the generic body keeps it in `any`",
                ));
                return;
            }
            // The checker writes an integer literal that becomes a float as a float literal.
            ExprKind::Float(_)
                if !operand && self.facts.boxed_from.get(&span) == Some(&Type::Integer) =>
            {
                self.problems.push(diag::cannot_specialise(
                    span,
                    "here an integer would become a float, where the generic body keeps an integer",
                ));
                return;
            }
            // `==` on `any` compares boxed words (-0 and 0 differ, NaN equals itself, an integer
            // never equals a float).
            ExprKind::Binary {
                op: op @ (BinOp::Eq | BinOp::Ne),
                left,
                right,
                ..
            } if self.facts.any_equal.contains(&span)
                && (left.ty == Type::Float || right.ty == Type::Float) =>
            {
                let op = if *op == BinOp::Eq {
                    AnyOp::Equal
                } else {
                    AnyOp::NotEqual
                };
                let boxed_from = &self.facts.boxed_from;
                let boxed = |x: &Expr| {
                    let mut x = strip_int_to_float(x).clone();
                    if let ExprKind::Float(v) = x.kind {
                        if boxed_from.get(&x.span) == Some(&Type::Integer) {
                            x = Expr::new(ExprKind::Int(v as i32), Type::Integer, x.span);
                        }
                    }
                    let span = x.span;
                    Box::new(Expr::new(
                        ExprKind::Convert(Conv::Box, Box::new(x)),
                        Type::Any,
                        span,
                    ))
                };
                e.kind = ExprKind::AnyBinary {
                    op,
                    left: boxed(left),
                    right: boxed(right),
                    site: 0,
                };
                return;
            }
            // The truthiness of a boxed float (-0 is true).
            ExprKind::Convert(Conv::Truthy, inner)
                if inner.ty == Type::Float && self.facts.any.contains(&inner.span) =>
            {
                convert(inner, Conv::Box);
                inner.ty = Type::Any;
                return;
            }
            _ => {}
        }
        if !was_any {
            return;
        }
        let Some(conv) = boxed_value_conv(&e.ty) else {
            return;
        };
        let needless = match &e.kind {
            ExprKind::Read(Place::Local(id)) => self.boxed_locals.contains(id),
            ExprKind::Convert(Conv::WrapBoxedInt | Conv::RoundBoxedFloat, _) => true,
            // An integer (below 2^31) as a float is a boxed float already, and `any` arithmetic
            // converts its integer operands the same way.
            ExprKind::Convert(Conv::IntToFloat, _) => true,
            // The copy calling itself: it returns what the generic body boxes for its result.
            ExprKind::Call {
                slot: Symbol::Specialised { .. },
                ..
            } => true,
            ExprKind::Int(v) => (*v << 2) >> 2 == *v,
            ExprKind::Assign { value, .. } => matches!(
                value.kind,
                ExprKind::Convert(Conv::WrapBoxedInt | Conv::RoundBoxedFloat, _)
            ),
            ExprKind::With { body, .. } => matches!(
                body.kind,
                ExprKind::Convert(Conv::WrapBoxedInt | Conv::RoundBoxedFloat, _)
            ),
            _ => false,
        };
        if !needless {
            convert(e, conv);
        }
    }

    /// `++x` as `x = boxed(x + 1)`, `x++` as `boxed((x = boxed(x + 1)) - 1)` (the old value
    /// again: it was a boxed integer); the same for `--`. A float `x++` whose value is used
    /// has no such form and is refused.
    fn rewrite_update(&mut self, e: &mut Expr, place: Place, increment: bool, prefix: bool) {
        let (ty, span) = (e.ty.clone(), e.span);
        if !matches!(place, Place::Local(_) | Place::Captured { .. }) {
            self.problems.push(diag::cannot_specialise(
                span,
                "`++`/`--` of a property or element the generic body reads through `any`",
            ));
            return;
        }
        let Some(conv) = boxed_value_conv(&ty) else {
            return;
        };
        if !prefix && ty == Type::Float {
            self.problems.push(diag::cannot_specialise(
                span,
                "the value of a float's `++`/`--` after the variable",
            ));
            return;
        }
        let one = || match ty {
            Type::Float => Expr::new(ExprKind::Float(1.0), Type::Float, span),
            _ => Expr::new(ExprKind::Int(1), Type::Integer, span),
        };
        let step = |left: Expr, up: bool| {
            let sum = Expr::new(
                ExprKind::Binary {
                    op: if up { BinOp::Add } else { BinOp::Sub },
                    left: Box::new(left),
                    right: Box::new(one()),
                    site: 0,
                },
                ty.clone(),
                span,
            );
            Expr::new(ExprKind::Convert(conv, Box::new(sum)), ty.clone(), span)
        };
        let read = Expr::new(ExprKind::Read(place.clone()), ty.clone(), span);
        let assign = Expr::new(
            ExprKind::Assign {
                place,
                value: Box::new(step(read, increment)),
            },
            ty.clone(),
            span,
        );
        *e = if prefix {
            assign
        } else {
            step(assign, !increment)
        };
    }
}

/// Marks `x++` whose value nobody uses as `++x`, which means the same there.
fn value_unused(e: &mut Expr) {
    if let ExprKind::Update { prefix, .. } = &mut e.kind {
        *prefix = true;
    }
}

/// `x` without the `IntToFloat` and `RoundBoxedFloat` conversions around it.
fn strip_int_to_float(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Convert(Conv::IntToFloat | Conv::RoundBoxedFloat, inner) => {
            strip_int_to_float(inner)
        }
        _ => e,
    }
}
