//! Narrowing: what the checker knows, at the point it has reached in a body, about variables of
//! a nullable type `T|undefined` that hold a `T` there (see docs/semantics.md, "Narrowing").
//!
//! The facts are found by tests (`x !== undefined`, `x != null`, `x`, their negations and `&&`
//! / `||` chains) and by assignments of a value that is not `undefined`. They follow the
//! control flow as the checker walks it in source order: an assignment replaces the fact of
//! its variable, the two branches of an `if` or `?:` are joined (a fact holds after them when it
//! holds at the end of both; a branch that ends in `return`, `break` or `continue` does not
//! count), and a loop starts from the facts of its entry minus those of every variable the loop
//! assigns anywhere (found by [`Scan`] before its body is checked).
//!
//! Variables that code elsewhere may assign while the body runs are *volatile*: mutable
//! top-level variables (any function may assign them), variables an arrow function captured
//! (inside that arrow) and locals that some arrow function assigns. Their facts end at every
//! call of a function, method, constructor or function value, and at inline C.

use std::collections::{HashMap, HashSet};

use oxc_ast::ast;
use oxc_span::GetSpan;
use oxc_syntax::operator::{BinaryOperator, LogicalOperator, UnaryOperator};

use super::expressions::truthy;
use super::{Checker, Name, sp};
use crate::ir::*;
use crate::types::Type;

/// A variable that can be narrowed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Key {
    /// A local of the body being checked.
    Local(LocalId),
    /// A top-level variable, by name.
    Global(String),
    /// A variable the arrow function being checked captured, by slot.
    Captured(u32),
}

/// What is known about a variable: it holds a value of `ty` (narrower than its declared type).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Fact {
    pub(super) ty: Type,
    /// Whether the variable can be assigned at all (the fact of a `const` never ends).
    pub(super) mutable: bool,
}

/// The facts at one point of a body.
#[derive(Clone, Debug, Default)]
pub(super) struct Flow {
    pub(super) facts: HashMap<Key, Fact>,
    /// The point cannot be reached (it follows a `return`, `break` or `continue`).
    pub(super) dead: bool,
}

impl Flow {
    /// The facts that hold where two paths meet.
    pub(super) fn join(a: Flow, b: Flow) -> Flow {
        if a.dead {
            return b;
        }
        if b.dead {
            return a;
        }
        let facts = a
            .facts
            .into_iter()
            .filter(|(k, f)| b.facts.get(k) == Some(f))
            .collect();
        Flow { facts, dead: false }
    }

    fn with(mut self, facts: Vec<(Key, Fact)>) -> Flow {
        self.facts.extend(facts);
        self
    }
}

/// The narrowing state of a body.
#[derive(Clone, Debug, Default)]
pub(super) struct Narrowing {
    pub(super) flow: Flow,
    /// Names of locals that an arrow function assigns (or may assign): volatile.
    pub(super) closure_assigned: HashSet<String>,
    /// Some arrow function does something the scan does not understand: every mutable local
    /// is volatile.
    pub(super) all_volatile: bool,
}

impl<'a> Checker<'_, 'a> {
    /// The key of a name and whether it is mutable, if it names a variable.
    fn narrow_key(&self, name: &str, n: &Name) -> Option<(Key, bool)> {
        match n {
            Name::Local(b, _) => Some((Key::Local(b.id), b.mutable)),
            Name::Var { mutable, .. } => Some((Key::Global(name.to_string()), *mutable)),
            Name::Captured { index, mutable, .. } => Some((Key::Captured(*index), *mutable)),
            Name::Func { .. } => None,
        }
    }

    /// `n` with its narrowed type where a fact holds for it.
    pub(super) fn apply_facts(&self, name: &str, n: Name) -> Name {
        let Some((key, _)) = self.narrow_key(name, &n) else {
            return n;
        };
        let Some(fact) = self.f.narrowing.flow.facts.get(&key) else {
            return n;
        };
        let ty = fact.ty.clone();
        match n {
            Name::Local(b, _) => Name::Local(b, ty),
            Name::Var {
                mutable,
                symbol,
                external,
                ..
            } => Name::Var {
                ty,
                mutable,
                symbol,
                external,
            },
            Name::Captured { index, mutable, .. } => Name::Captured { index, ty, mutable },
            other => other,
        }
    }

    /// The fact that variable `name` is not `undefined`, if it has a nullable type.
    fn not_null_fact(&mut self, name: &str) -> Option<(Key, Fact)> {
        let n = self.lookup_declared(name)?;
        let (key, mutable) = self.narrow_key(name, &n)?;
        let ty = match &n {
            Name::Local(_, ty) | Name::Var { ty, .. } | Name::Captured { ty, .. } => ty,
            Name::Func { .. } => return None,
        };
        match ty {
            Type::Nullable(inner) => Some((
                key,
                Fact {
                    ty: (**inner).clone(),
                    mutable,
                },
            )),
            _ => None,
        }
    }

    /// After an assignment of a value of type `value` to variable `name` (declared `declared`):
    /// its fact is that of the value.
    pub(super) fn assigned(&mut self, name: &str, declared: &Type, value: &Type) {
        let Some(n) = self.lookup_declared(name) else {
            return;
        };
        let Some((key, mutable)) = self.narrow_key(name, &n) else {
            return;
        };
        let flow = &mut self.f.narrowing.flow;
        flow.facts.remove(&key);
        if let Type::Nullable(inner) = declared {
            if !matches!(
                value,
                Type::Null | Type::Nullable(_) | Type::Any | Type::Void
            ) {
                flow.facts.insert(
                    key,
                    Fact {
                        ty: (**inner).clone(),
                        mutable,
                    },
                );
            }
        }
    }

    /// Ends the fact of variable `name`, if it has one.
    pub(super) fn forget_fact(&mut self, name: &str) {
        self.assigned(name, &Type::Void, &Type::Void);
    }

    /// After a call (or anything else that may run code elsewhere): the facts of volatile
    /// variables end. `Print` and the built-in operations run no program code.
    pub(super) fn after_call(&mut self, call: Option<&Expr>) {
        if let Some(Expr {
            kind: ExprKind::Print { .. } | ExprKind::Builtin { .. },
            ..
        }) = call
        {
            return;
        }
        self.forget_volatile();
    }

    pub(super) fn forget_volatile(&mut self) {
        let n = &mut self.f.narrowing;
        let locals = &self.f.locals;
        n.flow.facts.retain(|k, f| {
            !f.mutable
                || match k {
                    Key::Local(id) => {
                        !n.all_volatile && !n.closure_assigned.contains(&locals[*id].name)
                    }
                    Key::Global(_) | Key::Captured(_) => false,
                }
        });
    }

    /// An arrow function assigns the captured variable `name`: in every enclosing body, a
    /// local of that name is volatile.
    pub(super) fn note_closure_assigns(&mut self, name: &str) {
        for o in &mut self.outer {
            o.narrowing.closure_assigned.insert(name.to_string());
        }
    }

    /// Replaces the flow, returning the one there was.
    pub(super) fn set_flow(&mut self, flow: Flow) -> Flow {
        std::mem::replace(&mut self.f.narrowing.flow, flow)
    }

    pub(super) fn flow(&self) -> Flow {
        self.f.narrowing.flow.clone()
    }

    /// Where a `return`, `break` or `continue` leaves the path.
    pub(super) fn end_path(&mut self) {
        self.f.narrowing.flow.dead = true;
    }

    /// A condition, with the flows where it is true and where it is false. `&&` and `||` are
    /// followed operand by operand, so `x !== undefined && x.n > 0` narrows `x` on the right.
    pub(super) fn test(&mut self, e: &'a ast::Expression<'a>) -> (Option<Expr>, Flow, Flow) {
        if let ast::Expression::LogicalExpression(l) = e.without_parentheses() {
            if l.operator != LogicalOperator::Coalesce {
                let span = sp(e.span());
                let mut flows = None;
                let out = self.nested(span, |c| {
                    let (expr, t, f) = c.logical_test(l, span);
                    flows = Some((t, f));
                    expr
                });
                let (t, f) = flows.unwrap_or_else(|| (self.flow(), self.flow()));
                return (out, t, f);
            }
        }
        let cond = self.condition(e);
        let here = self.flow();
        let when_true = self.leaf_facts(e, true);
        let when_false = self.leaf_facts(e, false);
        (cond, here.clone().with(when_true), here.with(when_false))
    }

    fn logical_test(
        &mut self,
        l: &'a ast::LogicalExpression<'a>,
        span: crate::span::Span,
    ) -> (Option<Expr>, Flow, Flow) {
        let and = l.operator == LogicalOperator::And;
        let (left, lt, lf) = self.test(&l.left);
        // The right operand runs where the left one is true (`&&`) or false (`||`).
        let (short, run) = if and { (lf, lt) } else { (lt, lf) };
        self.set_flow(run);
        let (right, rt, rf) = self.test(&l.right);
        let (t, f) = if and {
            (rt, Flow::join(short, rf))
        } else {
            (Flow::join(short, rt), rf)
        };
        let expr = match (left, right) {
            (Some(left), Some(right)) => Some(Expr::new(
                ExprKind::Logical {
                    and,
                    left: Box::new(left),
                    right: Box::new(right),
                },
                Type::Boolean,
                span,
            )),
            _ => None,
        };
        (expr, t, f)
    }

    /// `a && b` or `a || b` as a value: a boolean, with the narrowing of `test`.
    pub(super) fn logical_value(&mut self, l: &'a ast::LogicalExpression<'a>) -> Option<Expr> {
        let span = sp(l.span);
        let (expr, t, f) = self.logical_test(l, span);
        self.set_flow(Flow::join(t, f));
        expr.map(truthy)
    }

    /// `c ? a : b`: the parts, each checked with the narrowing of the condition.
    pub(super) fn conditional_parts(
        &mut self,
        c: &'a ast::ConditionalExpression<'a>,
    ) -> (Option<Expr>, Option<Expr>, Option<Expr>) {
        let (cond, t, f) = self.test(&c.test);
        self.set_flow(t);
        let a = self.expr(&c.consequent);
        let after_a = self.set_flow(f);
        let b = self.expr(&c.alternate);
        let after_b = self.flow();
        self.set_flow(Flow::join(after_a, after_b));
        (cond, a, b)
    }

    /// In `x == undefined` and the other equality tests against `undefined` or `null`, a
    /// variable `x` read at a narrowed type is typed with its declared type again (so that the
    /// test stays valid where `x` is known not to be `undefined`).
    pub(super) fn declared_in_null_test(
        &mut self,
        b: &ast::BinaryExpression<'_>,
        mut left: Expr,
        mut right: Expr,
    ) -> (Expr, Expr) {
        if !matches!(
            b.operator,
            BinaryOperator::Equality
                | BinaryOperator::Inequality
                | BinaryOperator::StrictEquality
                | BinaryOperator::StrictInequality
        ) {
            return (left, right);
        }
        let (left_null, right_null) = (left.ty == Type::Null, right.ty == Type::Null);
        if right_null {
            self.declared_operand(&b.left, &mut left);
        }
        if left_null {
            self.declared_operand(&b.right, &mut right);
        }
        (left, right)
    }

    fn declared_operand(&mut self, var: &ast::Expression<'_>, operand: &mut Expr) {
        let ast::Expression::Identifier(id) = var.without_parentheses() else {
            return;
        };
        if !matches!(operand.kind, ExprKind::Read(_)) {
            return;
        }
        let declared = match self.lookup_declared(id.name.as_str()) {
            Some(Name::Local(_, ty) | Name::Var { ty, .. }) => ty,
            Some(Name::Captured { ty, .. }) => {
                self.declared_capture_type(id.name.as_str()).unwrap_or(ty)
            }
            _ => return,
        };
        if matches!(declared, Type::Nullable(_)) {
            operand.ty = declared;
        }
    }

    /// The facts a test that is not `&&`/`||` establishes where it is `when`.
    fn leaf_facts(&mut self, e: &ast::Expression<'_>, when: bool) -> Vec<(Key, Fact)> {
        match e.without_parentheses() {
            ast::Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                self.leaf_facts(&u.argument, !when)
            }
            ast::Expression::Identifier(id) if when => {
                self.not_null_fact(id.name.as_str()).into_iter().collect()
            }
            ast::Expression::BinaryExpression(b) => {
                let not_null_when_true = match b.operator {
                    BinaryOperator::Inequality | BinaryOperator::StrictInequality => true,
                    BinaryOperator::Equality | BinaryOperator::StrictEquality => false,
                    _ => return Vec::new(),
                };
                if not_null_when_true != when {
                    return Vec::new();
                }
                let is_null = |e: &ast::Expression<'_>| match e.without_parentheses() {
                    ast::Expression::NullLiteral(_) => true,
                    ast::Expression::Identifier(id) => id.name.as_str() == "undefined",
                    _ => false,
                };
                let var = if is_null(&b.right) {
                    &b.left
                } else if is_null(&b.left) {
                    &b.right
                } else {
                    return Vec::new();
                };
                match var.without_parentheses() {
                    ast::Expression::Identifier(id) => {
                        self.not_null_fact(id.name.as_str()).into_iter().collect()
                    }
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// The flow at the start of a loop whose parts `scan` found, entered with the current flow:
    /// the facts of the variables it assigns end (and with a call in it, those of volatile
    /// variables), since the loop comes back to its start after running them.
    pub(super) fn loop_head(&mut self, scan: &Scan) {
        let n = &mut self.f.narrowing;
        n.closure_assigned.extend(scan.in_closures.iter().cloned());
        n.all_volatile |= scan.unknown_in_closure;
        let locals = &self.f.locals;
        let captures = &self.f.captures;
        n.flow.facts.retain(|k, f| {
            if !f.mutable {
                return true;
            }
            if scan.unknown {
                return false;
            }
            let name = match k {
                Key::Local(id) => locals[*id].name.as_str(),
                Key::Global(name) => name.as_str(),
                Key::Captured(index) => captures[*index as usize].name.as_str(),
            };
            !scan.assigned.contains(name)
        });
        let print_shadowed = self.lookup("print").is_some() || self.is_variable("console");
        if scan.may_call(print_shadowed) {
            self.forget_volatile();
        }
    }
}

/// What a loop (its condition, update and body) may do to narrowing, found from its syntax
/// before it is checked.
#[derive(Default, Debug)]
pub(super) struct Scan {
    /// Names it assigns, in arrow functions too.
    pub(super) assigned: HashSet<String>,
    /// Names arrow functions in it assign.
    pub(super) in_closures: HashSet<String>,
    /// It calls something or runs inline C.
    pub(super) calls: bool,
    /// It calls `print`, `console.log` or `console.error`, which run no program code unless
    /// a variable of that name shadows the built-in one.
    pub(super) prints: bool,
    /// It declares a variable named `print` or `console`.
    pub(super) shadows_print: bool,
    /// It has a `break` that leaves this loop.
    pub(super) breaks: bool,
    /// It has a `continue` of this loop.
    pub(super) continues: bool,
    /// It has a form the scan does not know: assume it assigns everything.
    pub(super) unknown: bool,
    unknown_in_closure: bool,
}

impl Scan {
    pub(super) fn stmt(&mut self, s: &ast::Statement<'_>) {
        self.stmt_in(s, 0, false);
    }

    pub(super) fn expr(&mut self, e: &ast::Expression<'_>) {
        self.expr_in(e, false);
    }

    fn unknown(&mut self, closure: bool) {
        self.unknown = true;
        self.calls = true;
        self.unknown_in_closure |= closure;
    }

    fn assign(&mut self, name: &str, closure: bool) {
        self.assigned.insert(name.to_string());
        if closure {
            self.in_closures.insert(name.to_string());
        }
    }

    /// `loops` counts the loops inside the scanned one around `s`; `closure` is whether `s`
    /// is in an arrow function.
    fn stmt_in(&mut self, s: &ast::Statement<'_>, loops: u32, closure: bool) {
        stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
            self.stmt_here(s, loops, closure)
        })
    }

    fn stmt_here(&mut self, s: &ast::Statement<'_>, loops: u32, closure: bool) {
        use ast::Statement as S;
        match s {
            S::ExpressionStatement(e) => self.expr_in(&e.expression, closure),
            S::VariableDeclaration(d) => self.declaration(d, closure),
            S::BlockStatement(b) => {
                for s in &b.body {
                    self.stmt_in(s, loops, closure);
                }
            }
            S::IfStatement(i) => {
                self.expr_in(&i.test, closure);
                self.stmt_in(&i.consequent, loops, closure);
                if let Some(a) = &i.alternate {
                    self.stmt_in(a, loops, closure);
                }
            }
            S::WhileStatement(w) => {
                self.expr_in(&w.test, closure);
                self.stmt_in(&w.body, loops + 1, closure);
            }
            S::DoWhileStatement(w) => {
                self.stmt_in(&w.body, loops + 1, closure);
                self.expr_in(&w.test, closure);
            }
            S::ForStatement(f) => {
                match &f.init {
                    Some(ast::ForStatementInit::VariableDeclaration(d)) => {
                        self.declaration(d, closure)
                    }
                    Some(other) => match other.as_expression() {
                        Some(e) => self.expr_in(e, closure),
                        None => self.unknown(closure),
                    },
                    None => {}
                }
                if let Some(t) = &f.test {
                    self.expr_in(t, closure);
                }
                if let Some(u) = &f.update {
                    self.expr_in(u, closure);
                }
                self.stmt_in(&f.body, loops + 1, closure);
            }
            S::BreakStatement(_) => self.breaks |= loops == 0 && !closure,
            S::ContinueStatement(_) => self.continues |= loops == 0 && !closure,
            S::ReturnStatement(r) => {
                if let Some(e) = &r.argument {
                    self.expr_in(e, closure);
                }
            }
            S::EmptyStatement(_) | S::TSTypeAliasDeclaration(_) => {}
            _ => self.unknown(closure),
        }
    }

    fn declaration(&mut self, d: &ast::VariableDeclaration<'_>, closure: bool) {
        for d in &d.declarations {
            if let ast::BindingPattern::BindingIdentifier(id) = &d.id {
                self.shadows_print |= matches!(id.name.as_str(), "print" | "console");
            }
            if let Some(e) = &d.init {
                self.expr_in(e, closure);
            }
        }
    }

    fn expr_in(&mut self, e: &ast::Expression<'_>, closure: bool) {
        stacker::maybe_grow(super::STACK_RED_ZONE, super::STACK_SEGMENT, || {
            self.expr_here(e, closure)
        })
    }

    fn expr_here(&mut self, e: &ast::Expression<'_>, closure: bool) {
        use ast::Expression as E;
        match e {
            E::BooleanLiteral(_)
            | E::NullLiteral(_)
            | E::NumericLiteral(_)
            | E::BigIntLiteral(_)
            | E::StringLiteral(_)
            | E::Identifier(_)
            | E::ThisExpression(_)
            | E::Super(_) => {}
            E::ParenthesizedExpression(p) => self.expr_in(&p.expression, closure),
            E::UnaryExpression(u) => self.expr_in(&u.argument, closure),
            E::BinaryExpression(b) => {
                self.expr_in(&b.left, closure);
                self.expr_in(&b.right, closure);
            }
            E::LogicalExpression(l) => {
                self.expr_in(&l.left, closure);
                self.expr_in(&l.right, closure);
            }
            E::ConditionalExpression(c) => {
                self.expr_in(&c.test, closure);
                self.expr_in(&c.consequent, closure);
                self.expr_in(&c.alternate, closure);
            }
            E::TSAsExpression(a) => self.expr_in(&a.expression, closure),
            E::StaticMemberExpression(m) => self.expr_in(&m.object, closure),
            E::ComputedMemberExpression(m) => {
                self.expr_in(&m.object, closure);
                self.expr_in(&m.expression, closure);
            }
            E::ArrayExpression(a) => {
                for el in &a.elements {
                    match el.as_expression() {
                        Some(e) => self.expr_in(e, closure),
                        None => self.unknown(closure),
                    }
                }
            }
            E::CallExpression(c) => {
                if is_print(&c.callee) {
                    self.prints = true;
                } else {
                    self.calls = true;
                }
                self.expr_in(&c.callee, closure);
                self.arguments(&c.arguments, closure);
            }
            E::NewExpression(n) => {
                self.calls = true;
                self.expr_in(&n.callee, closure);
                self.arguments(&n.arguments, closure);
            }
            E::AssignmentExpression(a) => {
                match &a.left {
                    ast::AssignmentTarget::AssignmentTargetIdentifier(id) => {
                        self.assign(id.name.as_str(), closure)
                    }
                    other => match other.as_member_expression() {
                        Some(m) => self.member(m, closure),
                        None => self.unknown(closure),
                    },
                }
                self.expr_in(&a.right, closure);
            }
            E::UpdateExpression(u) => match &u.argument {
                ast::SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => {
                    self.assign(id.name.as_str(), closure)
                }
                other => match other.as_member_expression() {
                    Some(m) => self.member(m, closure),
                    None => self.unknown(closure),
                },
            },
            E::ArrowFunctionExpression(a) => match &a.body {
                ast::ArrowFunctionBody::FunctionBody(b) => {
                    for s in &b.statements {
                        self.stmt_in(s, 0, true);
                    }
                }
                other => match other.as_expression() {
                    Some(e) => self.expr_in(e, true),
                    None => self.unknown(true),
                },
            },
            E::TaggedTemplateExpression(t) => {
                // Inline C may write the variables it embeds, and call anything.
                self.calls = true;
                self.expr_in(&t.tag, closure);
                for e in &t.quasi.expressions {
                    match e.without_parentheses() {
                        E::Identifier(id) => self.assign(id.name.as_str(), closure),
                        other => self.expr_in(other, closure),
                    }
                }
            }
            _ => self.unknown(closure),
        }
    }

    fn member(&mut self, m: &ast::MemberExpression<'_>, closure: bool) {
        match m {
            ast::MemberExpression::ComputedMemberExpression(c) => {
                self.expr_in(&c.object, closure);
                self.expr_in(&c.expression, closure);
            }
            ast::MemberExpression::StaticMemberExpression(s) => self.expr_in(&s.object, closure),
            ast::MemberExpression::PrivateFieldExpression(p) => self.expr_in(&p.object, closure),
        }
    }

    /// Whether its calls may run program code, for the checker at the loop (where `print`
    /// means the built-in unless a variable of that name is in scope).
    pub(super) fn may_call(&self, print_shadowed: bool) -> bool {
        self.calls || (self.prints && (self.shadows_print || print_shadowed))
    }

    fn arguments(&mut self, args: &[ast::Argument<'_>], closure: bool) {
        for a in args {
            match a.as_expression() {
                Some(e) => self.expr_in(e, closure),
                None => self.unknown(closure),
            }
        }
    }
}

/// `print(…)`, `console.log(…)` or `console.error(…)` by their syntax.
fn is_print(callee: &ast::Expression<'_>) -> bool {
    match callee.without_parentheses() {
        ast::Expression::Identifier(id) => id.name.as_str() == "print",
        ast::Expression::StaticMemberExpression(m) => {
            matches!(m.property.name.as_str(), "log" | "error")
                && matches!(&m.object, ast::Expression::Identifier(o) if o.name.as_str() == "console")
        }
        _ => false,
    }
}
