//! Which of the subset's newer features a program uses, for the histogram the differential test
//! prints: `any` values and conversions, nullable types and narrowing, closures.

use std::collections::BTreeSet;

use crate::ast::{Expr, ExprKind, FuncDecl, Item, LoopKind, Program, Stmt, Ty};

thread_local! {
    /// The counters of the `for` loops around the code being looked at, and those around the
    /// arrow function being looked at.
    static COUNTERS: std::cell::RefCell<(Vec<String>, Vec<String>)> = Default::default();
}

/// The names of the features `p` uses (each once).
pub fn of(p: &Program) -> BTreeSet<&'static str> {
    let mut f = BTreeSet::new();
    for item in &p.items {
        match item {
            Item::Func(d) => func(d, &mut f),
            Item::Class(c) => {
                for m in &c.methods {
                    func(m, &mut f);
                }
                c.field_inits.iter().for_each(|e| expr(e, &mut f));
                stmts(&c.ctor_body, &mut f);
            }
            Item::Stmt(s) => stmts(std::slice::from_ref(s), &mut f),
        }
    }
    if crate::check::program(p).is_err() {
        f.insert("rejected (narrowing ended)");
    }
    f
}

fn ty(t: &Ty, f: &mut BTreeSet<&'static str>) {
    match t {
        Ty::Any => {
            f.insert("any");
        }
        Ty::Opt(_) => {
            f.insert("nullable");
        }
        Ty::Func(..) => {
            f.insert("function type");
        }
        _ => {}
    }
}

fn func(d: &FuncDecl, f: &mut BTreeSet<&'static str>) {
    for p in &d.params {
        ty(&p.ty, f);
    }
    ty(&d.ret, f);
    stmts(&d.body, f);
}

fn stmts(body: &[Stmt], f: &mut BTreeSet<&'static str>) {
    for s in body {
        match s {
            Stmt::Let { annot, init, .. } => {
                if let Some(t) = annot {
                    ty(t, f);
                }
                expr(init, f);
            }
            Stmt::Expr(e) | Stmt::Print { arg: e, .. } | Stmt::Return(Some(e)) => expr(e, f),
            Stmt::If(c, a, b) => {
                if let ExprKind::Binary(_, l, r) = &c.kind
                    && (matches!(l.kind, ExprKind::Undefined)
                        || matches!(r.kind, ExprKind::Undefined))
                    && (matches!(l.ty, Ty::Opt(_)) || matches!(r.ty, Ty::Opt(_)))
                {
                    f.insert("narrowing if");
                    if b.is_none() && matches!(a.last(), Some(Stmt::Return(_))) {
                        f.insert("narrowing by early return");
                    }
                }
                expr(c, f);
                stmts(a, f);
                if let Some(b) = b {
                    stmts(b, f);
                }
            }
            Stmt::Loop {
                kind: LoopKind::ForUp | LoopKind::ForDown,
                var,
                body,
                ..
            } => {
                COUNTERS.with(|c| c.borrow_mut().0.push(var.clone()));
                stmts(body, f);
                COUNTERS.with(|c| c.borrow_mut().0.pop());
            }
            Stmt::Loop { body, .. } | Stmt::Block(body) => stmts(body, f),
            _ => {}
        }
    }
}

fn expr(e: &Expr, f: &mut BTreeSet<&'static str>) {
    ty(&e.ty, f);
    match &e.kind {
        ExprKind::Unbox(x) => {
            f.insert("conversion from any");
            expr(x, f);
        }
        ExprKind::As(x) if x.ty == Ty::Any => {
            f.insert("conversion from any");
            expr(x, f);
        }
        ExprKind::Binary(_, l, r) if l.ty == Ty::Any || r.ty == Ty::Any => {
            f.insert("operator on any");
            expr(l, f);
            expr(r, f);
        }
        ExprKind::Arrow(ps, body) => {
            f.insert("arrow function");
            for p in ps {
                ty(&p.ty, f);
            }
            let saved = COUNTERS.with(|c| {
                let mut c = c.borrow_mut();
                let outer = c.0.clone();
                std::mem::replace(&mut c.1, outer)
            });
            stmts(body, f);
            COUNTERS.with(|c| c.borrow_mut().1 = saved);
        }
        ExprKind::Var(n) if COUNTERS.with(|c| c.borrow().1.contains(n)) => {
            f.insert("closure captures a for counter");
        }
        ExprKind::CallValue(c, args) => {
            f.insert("closure call");
            expr(c, f);
            args.iter().for_each(|a| expr(a, f));
        }
        ExprKind::Assign(_, t, v) => {
            if matches!(v.kind, ExprKind::Arrow(..)) {
                f.insert("closure reassigned");
            }
            expr(t, f);
            expr(v, f);
        }
        ExprKind::Unary(_, x) | ExprKind::As(x) | ExprKind::Length(x) | ExprKind::Field(x, _) => {
            expr(x, f)
        }
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            expr(a, f);
            expr(b, f);
        }
        ExprKind::Cond(a, b, c) => {
            expr(a, f);
            expr(b, f);
            expr(c, f);
        }
        ExprKind::Call(_, args)
        | ExprKind::SuperCall(_, args)
        | ExprKind::New(_, args)
        | ExprKind::ArrayLit(args) => args.iter().for_each(|a| expr(a, f)),
        ExprKind::MethodCall(r, _, args) => {
            expr(r, f);
            args.iter().for_each(|a| expr(a, f));
        }
        ExprKind::NewArray(n, i) => {
            expr(n, f);
            if let Some(i) = i {
                expr(i, f);
            }
        }
        ExprKind::IncDec { target, .. } => expr(target, f),
        _ => {}
    }
}
