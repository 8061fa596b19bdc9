//! Proptest integration: a [`Strategy`] that generates programs with [`crate::generator`], and a
//! [`ValueTree`] that shrinks a failing program by AST reductions — removing top-level items,
//! methods and statements, unwrapping `if`s, loops and blocks, replacing an expression by a
//! sub-expression of the same type or by a plain literal, and simplifying literals. Only
//! candidates that pass [`crate::check`] are tried, so every shrunk program is still valid,
//! well typed and terminating.

use proptest::strategy::{NewTree, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use crate::ast::{ClassDecl, Expr, ExprKind, Item, Program, Stmt, Ty};
use crate::generator::{GenConfig, generate};

/// Generates programs with the given configuration, shrinking by AST reductions.
#[derive(Clone, Debug, Default)]
pub struct ProgramStrategy {
    /// The generator's settings.
    pub config: GenConfig,
}

impl Strategy for ProgramStrategy {
    type Tree = ProgramTree;
    type Value = Program;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let p = generate(runner.rng(), &self.config);
        if let Err(e) = crate::check::program(&p)
            && !e.starts_with(crate::check::NARROWING_ERROR)
        {
            panic!(
                "bs-reference generated an invalid program ({e}):\n{}",
                crate::pretty::program(&p)
            );
        }
        Ok(ProgramTree::new(p))
    }
}

/// Whether a program is valid (`Some(true)`), rejected for a deliberate narrowing error
/// (`Some(false)`), or invalid otherwise (`None`). Shrinking keeps the first of these.
fn validity(p: &Program) -> Option<bool> {
    match crate::check::program(p) {
        Ok(()) => Some(true),
        Err(e) if e.starts_with(crate::check::NARROWING_ERROR) => Some(false),
        Err(_) => None,
    }
}

/// A program being shrunk: the smallest failing program so far (`base`), the candidate being
/// tried (`current`), and the position in the list of `base`'s reductions.
#[derive(Clone, Debug)]
pub struct ProgramTree {
    base: Program,
    current: Program,
    next: usize,
    /// A candidate is being tried (so a failure makes it the new base).
    trying: bool,
    /// The pass over the reductions made progress, so another pass is worth it.
    progress: bool,
}

impl ProgramTree {
    /// A tree whose value is `p`.
    pub fn new(p: Program) -> Self {
        ProgramTree {
            base: p.clone(),
            current: p,
            next: 0,
            trying: false,
            progress: false,
        }
    }

    /// Moves to the next valid candidate from position `next`.
    fn advance(&mut self) -> bool {
        loop {
            match candidate(&self.base, self.next) {
                Some(c) => {
                    if c != self.base && validity(&c) == validity(&self.base) {
                        self.current = c;
                        self.trying = true;
                        return true;
                    }
                    self.next += 1;
                }
                None if self.progress => {
                    self.progress = false;
                    self.next = 0;
                }
                None => {
                    self.current = self.base.clone();
                    self.trying = false;
                    return false;
                }
            }
        }
    }
}

impl ValueTree for ProgramTree {
    type Value = Program;

    fn current(&self) -> Program {
        self.current.clone()
    }

    /// The current value fails: keep it and try a reduction of it.
    fn simplify(&mut self) -> bool {
        if self.trying {
            self.base = self.current.clone();
            self.progress = true;
        }
        self.advance()
    }

    /// The current value passes: go back to the base and try its next reduction.
    fn complicate(&mut self) -> bool {
        if !self.trying {
            return false;
        }
        self.current = self.base.clone();
        self.next += 1;
        self.advance()
    }
}

/// The `k`-th reduction of `p`, or `None` when `p` has fewer reductions. Reductions that cut
/// more come first.
pub fn candidate(p: &Program, k: usize) -> Option<Program> {
    let mut q = p.clone();
    let mut r = Reducer {
        target: k,
        seen: 0,
        done: false,
    };
    r.items(&mut q.items);
    for pass in [Pass::Statements, Pass::Expressions, Pass::Literals] {
        if r.done {
            break;
        }
        for item in &mut q.items {
            r.item(item, pass);
        }
        if pass == Pass::Statements && !r.done {
            r.top_level_splices(&mut q.items);
        }
    }
    r.done.then_some(q)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pass {
    Statements,
    Expressions,
    Literals,
}

struct Reducer {
    target: usize,
    seen: usize,
    done: bool,
}

impl Reducer {
    /// Counts one reduction opportunity; true when it is the one to apply.
    fn hit(&mut self) -> bool {
        if self.done {
            return false;
        }
        let h = self.seen == self.target;
        self.seen += 1;
        if h {
            self.done = true;
        }
        h
    }

    /// Removing whole top-level items, then methods and constructor statements.
    fn items(&mut self, items: &mut Vec<Item>) {
        // Larger chunks first: halves, then single items.
        let n = items.len();
        if n >= 4 {
            for (lo, hi) in [(0, n / 2), (n / 2, n)] {
                if self.hit() {
                    items.drain(lo..hi);
                    return;
                }
            }
        }
        for i in (0..items.len()).rev() {
            if self.hit() {
                items.remove(i);
                return;
            }
        }
        for item in items.iter_mut() {
            if let Item::Class(c) = item {
                for i in (0..c.methods.len()).rev() {
                    if self.hit() {
                        c.methods.remove(i);
                        return;
                    }
                }
            }
        }
    }

    /// Replacing an `if`, loop or block at top level by its statements.
    fn top_level_splices(&mut self, items: &mut Vec<Item>) {
        for i in 0..items.len() {
            let Item::Stmt(s) = &items[i] else { continue };
            let opts = splice_options(s);
            for body in opts {
                if self.hit() {
                    let new: Vec<Item> = body.into_iter().map(Item::Stmt).collect();
                    items.splice(i..=i, new);
                    return;
                }
            }
        }
    }

    fn item(&mut self, item: &mut Item, pass: Pass) {
        match item {
            Item::Func(f) => self.block(&mut f.body, pass),
            Item::Class(c) => self.class(c, pass),
            Item::Stmt(s) => self.stmt(s, pass),
        }
    }

    fn class(&mut self, c: &mut ClassDecl, pass: Pass) {
        for a in &mut c.super_args {
            self.expr(a, pass, true);
        }
        for v in &mut c.field_inits {
            self.expr(v, pass, true);
        }
        self.block(&mut c.ctor_body, pass);
        for m in &mut c.methods {
            self.block(&mut m.body, pass);
        }
    }

    fn block(&mut self, body: &mut Vec<Stmt>, pass: Pass) {
        if self.done {
            return;
        }
        if pass == Pass::Statements {
            for i in (0..body.len()).rev() {
                if self.hit() {
                    body.remove(i);
                    return;
                }
            }
            for i in 0..body.len() {
                for opt in splice_options(&body[i]) {
                    if self.hit() {
                        body.splice(i..=i, opt);
                        return;
                    }
                }
                if let Stmt::If(_, _, els @ Some(_)) = &mut body[i]
                    && self.hit()
                {
                    *els = None;
                    return;
                }
            }
        }
        for s in body.iter_mut() {
            self.stmt(s, pass);
            if self.done {
                return;
            }
        }
    }

    fn stmt(&mut self, s: &mut Stmt, pass: Pass) {
        if self.done {
            return;
        }
        match s {
            Stmt::Let { init, .. } => self.expr(init, pass, true),
            // The root of an expression statement stays (a bare literal statement is useless).
            Stmt::Expr(e) => self.children(e, pass),
            Stmt::Print { arg, .. } => self.expr(arg, pass, true),
            Stmt::If(c, a, b) => {
                self.expr(c, pass, true);
                self.block(a, pass);
                if let Some(b) = b {
                    self.block(b, pass);
                }
            }
            Stmt::Loop { limit, body, .. } => {
                if pass == Pass::Literals && *limit > 1 && self.hit() {
                    *limit = 1;
                    return;
                }
                self.block(body, pass);
            }
            Stmt::Return(Some(e)) => self.expr(e, pass, true),
            Stmt::Block(b) => self.block(b, pass),
            Stmt::Break | Stmt::Continue | Stmt::Return(None) => {}
        }
    }

    /// Reductions of `e` itself (when `replaceable`) and of its sub-expressions.
    fn expr(&mut self, e: &mut Expr, pass: Pass, replaceable: bool) {
        if self.done {
            return;
        }
        let primitive = matches!(e.ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Str);
        if replaceable && primitive {
            match pass {
                Pass::Expressions => {
                    let subs: Vec<Expr> = direct_children(e)
                        .into_iter()
                        .filter(|c| c.ty == e.ty && !matches!(c.kind, ExprKind::Str(_)))
                        .cloned()
                        .collect();
                    for c in subs {
                        if self.hit() {
                            *e = c;
                            return;
                        }
                    }
                    if !is_literal(e) && self.hit() {
                        *e = simplest(&e.ty);
                        return;
                    }
                }
                Pass::Literals => {
                    if let Some(simpler) = simpler_literal(e)
                        && self.hit()
                    {
                        *e = simpler;
                        return;
                    }
                }
                Pass::Statements => {}
            }
        }
        self.children(e, pass);
    }

    fn children(&mut self, e: &mut Expr, pass: Pass) {
        match &mut e.kind {
            ExprKind::Int { .. }
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Var(_)
            | ExprKind::Undefined
            | ExprKind::This => {}
            ExprKind::Arrow(_, body) => self.block(body, pass),
            ExprKind::CallValue(_, args) => {
                for a in args {
                    self.expr(a, pass, true);
                }
            }
            ExprKind::Unary(_, x) | ExprKind::As(x) | ExprKind::Unbox(x) | ExprKind::Length(x) => {
                self.expr(x, pass, true)
            }
            ExprKind::Binary(_, l, r) => {
                self.expr(l, pass, true);
                self.expr(r, pass, true);
            }
            ExprKind::Cond(c, a, b) => {
                self.expr(c, pass, true);
                self.expr(a, pass, true);
                self.expr(b, pass, true);
            }
            ExprKind::Call(_, args)
            | ExprKind::SuperCall(_, args)
            | ExprKind::New(_, args)
            | ExprKind::ArrayLit(args) => {
                for a in args {
                    self.expr(a, pass, true);
                }
            }
            ExprKind::MethodCall(r, _, args) => {
                self.expr(r, pass, false);
                for a in args {
                    self.expr(a, pass, true);
                }
            }
            ExprKind::Field(r, _) => self.expr(r, pass, false),
            ExprKind::Index(a, i) => {
                self.expr(a, pass, false);
                self.expr(i, pass, true);
            }
            ExprKind::NewArray(n, init) => {
                self.expr(n, pass, false);
                if let Some(i) = init {
                    self.expr(i, pass, true);
                }
            }
            ExprKind::Assign(_, t, v) => {
                // The target stays a place; only its index (if any) and the value shrink.
                self.children(t, pass);
                self.expr(v, pass, true);
            }
            ExprKind::IncDec { target, .. } => self.children(target, pass),
        }
    }
}

/// The statement lists a compound statement can be replaced by.
fn splice_options(s: &Stmt) -> Vec<Vec<Stmt>> {
    match s {
        Stmt::If(_, a, b) => {
            let mut v = vec![a.clone()];
            if let Some(b) = b {
                v.push(b.clone());
            }
            v
        }
        Stmt::Loop { body, .. } => vec![body.clone()],
        Stmt::Block(b) => vec![b.clone()],
        _ => Vec::new(),
    }
}

fn direct_children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Unary(_, x) | ExprKind::As(x) => vec![x],
        ExprKind::Binary(_, l, r) => vec![l, r],
        ExprKind::Cond(c, a, b) => vec![c, a, b],
        ExprKind::Call(_, args)
        | ExprKind::SuperCall(_, args)
        | ExprKind::CallValue(_, args)
        | ExprKind::MethodCall(_, _, args) => args.iter().collect(),
        ExprKind::Assign(_, _, v) => vec![v],
        ExprKind::Index(_, i) => vec![i],
        _ => Vec::new(),
    }
}

fn is_literal(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Int { .. } | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_)
    )
}

fn simplest(ty: &Ty) -> Expr {
    match ty {
        Ty::Int => Expr::int(0),
        Ty::Float => Expr::float_lit("0.0"),
        Ty::Bool => Expr::bool_lit(false),
        _ => Expr::str_lit(""),
    }
}

fn simpler_literal(e: &Expr) -> Option<Expr> {
    match &e.kind {
        ExprKind::Int { value, hex } => {
            if *hex && *value <= i32::MAX as u32 {
                Some(Expr::int_lit(*value))
            } else if !*hex && *value > 1 {
                Some(Expr::int_lit(1))
            } else {
                None
            }
        }
        ExprKind::Float(t) if t != "1.0" && t != "0.0" => Some(Expr::float_lit("1.0")),
        ExprKind::Bool(true) => Some(Expr::bool_lit(false)),
        ExprKind::Str(s) if !s.is_empty() => Some(Expr::str_lit("")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError};

    /// Shrinking keeps valid programs and reaches a small one for a simple property.
    #[test]
    fn shrinks_to_a_small_valid_program() {
        for seed in 0..12 {
            let mut runner = TestRunner::new(Config {
                cases: 64,
                failure_persistence: None,
                rng_seed: RngSeed::Fixed(seed),
                ..Config::default()
            });
            let strategy = ProgramStrategy::default();
            // "Fails" whenever the program prints a line containing 7.
            let result = runner.run(&strategy, |p| {
                let out = crate::eval::run(&p);
                if out.status == crate::eval::Status::TooLong {
                    return Err(TestCaseError::reject("too long"));
                }
                if out.stdout.lines().any(|l| l.contains('7')) {
                    Err(TestCaseError::fail("has a 7"))
                } else {
                    Ok(())
                }
            });
            match result {
                Err(TestError::Fail(_, p)) => {
                    crate::check::program(&p).expect("valid");
                    let src = crate::pretty::program(&p);
                    assert!(src.lines().count() <= 20, "seed {seed}: not small:\n{src}");
                    assert!(crate::eval::run(&p).stdout.contains('7'));
                }
                other => panic!("expected a failure, got {other:?}"),
            }
        }
    }
}
