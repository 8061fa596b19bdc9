//! A static checker for the reference AST: name resolution, BlueScript's typing rules for the
//! subset, and the structural rules the compiler enforces (`break` only in loops, non-void
//! functions end with a `return`, no redeclaration in one scope, constructors assign every
//! field, overrides keep their signature). Every generated program must pass it, and shrinking
//! only tries candidates that pass it, so that a smaller failing program is still a valid one.

use std::collections::HashMap;

use crate::ast::{
    BinOp, ClassDecl, Expr, ExprKind, FuncDecl, Item, Param, Program, Stmt, Ty, UnOp, binary_type,
};

/// Checks a whole program; the error names the first problem found.
pub fn program(p: &Program) -> Result<(), String> {
    let mut c = Checker::default();
    c.scopes.push(Vec::new());
    for item in &p.items {
        match item {
            Item::Func(f) => c.func_decl(f)?,
            Item::Class(k) => c.class_decl(k)?,
            Item::Stmt(s) => c.stmt(s)?,
        }
    }
    Ok(())
}

#[derive(Clone, Debug)]
struct Sig {
    params: Vec<Ty>,
    ret: Ty,
}

#[derive(Clone, Debug)]
struct ClassInfo {
    parent: Option<String>,
    fields: Vec<Param>,
    methods: HashMap<String, Sig>,
    ctor: Vec<Ty>,
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    ty: Ty,
    mutable: bool,
    /// Declared but its initialiser is being checked (temporal dead zone).
    pending: bool,
    /// A nullable variable narrowed to its non-null part: the declared type.
    narrowed_from: Option<Ty>,
    /// Declared at top level: a call of program code may assign it, so a call ends its
    /// narrowing (when it is mutable).
    global: bool,
}

/// The start of the errors for nullable values used without (or after the end of) narrowing;
/// the generator makes such programs on purpose, and the compiler must reject them too.
pub const NARROWING_ERROR: &str = "narrowing: ";

#[derive(Default)]
struct Checker {
    funcs: HashMap<String, Sig>,
    classes: HashMap<String, ClassInfo>,
    /// Scope 0 holds the globals; inside a function the scopes below `base` are hidden
    /// except scope 0.
    scopes: Vec<Vec<Var>>,
    base: usize,
    /// The result type of the function being checked; `None` at top level.
    ret: Option<Ty>,
    loops: usize,
    /// The class whose method or constructor is being checked.
    class: Option<String>,
    /// The first scope of the innermost arrow function being checked (0 outside arrows):
    /// narrowing from outside does not apply inside.
    arrow_base: usize,
    /// The expression being checked stands where a value converts to a declared type, so it
    /// may be an implicit conversion from `any`.
    conv_ctx: bool,
}

/// `v === undefined` and its variants: the variable and whether the `then` branch is the one
/// where it is not undefined.
pub(crate) fn narrow_test(c: &Expr) -> Option<(String, bool)> {
    let ExprKind::Binary(op, l, r) = &c.kind else {
        return None;
    };
    let non_null_then = match op {
        BinOp::Ne | BinOp::StrictNe => true,
        BinOp::Eq | BinOp::StrictEq => false,
        _ => return None,
    };
    match (&l.kind, &r.kind) {
        (ExprKind::Var(n), ExprKind::Undefined) | (ExprKind::Undefined, ExprKind::Var(n))
            if matches!(l.ty, Ty::Opt(_)) || matches!(r.ty, Ty::Opt(_)) =>
        {
            Some((n.clone(), non_null_then))
        }
        _ => None,
    }
}

/// What [`assigned_in`] lists for a call of program code (no variable has this name).
const A_CALL: &str = "(call)";

/// The variables a statement list assigns anywhere inside it, and [`A_CALL`] if it calls
/// program code anywhere (in arrow functions too).
fn assigned_in(body: &[Stmt], out: &mut Vec<String>) {
    fn expr(e: &Expr, out: &mut Vec<String>) {
        match &e.kind {
            ExprKind::Assign(_, t, v) => {
                if let ExprKind::Var(n) = &t.kind {
                    out.push(n.clone());
                }
                expr(t, out);
                expr(v, out);
            }
            ExprKind::IncDec { target, .. } => expr(target, out),
            ExprKind::Arrow(_, b) => assigned_in(b, out),
            ExprKind::Unary(_, x)
            | ExprKind::As(x)
            | ExprKind::Unbox(x)
            | ExprKind::Length(x)
            | ExprKind::Field(x, _) => expr(x, out),
            ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
                expr(a, out);
                expr(b, out);
            }
            ExprKind::Cond(a, b, c) => {
                expr(a, out);
                expr(b, out);
                expr(c, out);
            }
            ExprKind::Call(_, args) | ExprKind::SuperCall(_, args) | ExprKind::New(_, args) => {
                out.push(A_CALL.to_string());
                args.iter().for_each(|a| expr(a, out));
            }
            ExprKind::ArrayLit(args) => args.iter().for_each(|a| expr(a, out)),
            ExprKind::MethodCall(r, _, args) | ExprKind::CallValue(r, args) => {
                out.push(A_CALL.to_string());
                expr(r, out);
                args.iter().for_each(|a| expr(a, out));
            }
            ExprKind::NewArray(n, i) => {
                expr(n, out);
                if let Some(i) = i {
                    expr(i, out);
                }
            }
            _ => {}
        }
    }
    for s in body {
        match s {
            Stmt::Let { init, .. } => expr(init, out),
            Stmt::Expr(e) | Stmt::Print { arg: e, .. } | Stmt::Return(Some(e)) => expr(e, out),
            Stmt::If(c, a, b) => {
                expr(c, out);
                assigned_in(a, out);
                if let Some(b) = b {
                    assigned_in(b, out);
                }
            }
            Stmt::Loop { body, .. } | Stmt::Block(body) => assigned_in(body, out),
            Stmt::Break | Stmt::Continue | Stmt::Return(None) => {}
        }
    }
}

fn sig_of(f: &FuncDecl) -> Sig {
    Sig {
        params: f.params.iter().map(|p| p.ty.clone()).collect(),
        ret: f.ret.clone(),
    }
}

fn ends_with_return(body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Return(Some(_))) => true,
        Some(Stmt::If(_, a, Some(b))) => ends_with_return(a) && ends_with_return(b),
        Some(Stmt::Block(b)) => ends_with_return(b),
        _ => false,
    }
}

fn truth_type(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Any | Ty::Opt(_))
}

impl Checker {
    fn is_subclass(&self, sub: &str, sup: &str) -> bool {
        let mut c = Some(sub.to_string());
        while let Some(n) = c {
            if n == sup {
                return true;
            }
            c = self.classes.get(&n).and_then(|k| k.parent.clone());
        }
        false
    }

    fn assignable(&self, from: &Ty, to: &Ty) -> bool {
        match (from, to) {
            (a, b) if a == b => true,
            (Ty::Int, Ty::Float) => true,
            (Ty::Class(a), Ty::Class(b)) => self.is_subclass(a, b),
            (Ty::Void, Ty::Any) => false,
            (_, Ty::Any) => true,
            (Ty::Opt(a), Ty::Opt(b)) => self.assignable(a, b),
            (a, Ty::Opt(b)) => self.assignable(a, b),
            _ => false,
        }
    }

    fn type_exists(&self, t: &Ty) -> Result<(), String> {
        match t {
            Ty::Class(c) if !self.classes.contains_key(c) => Err(format!("unknown class {c}")),
            Ty::Opt(t) if matches!(**t, Ty::Class(_) | Ty::IntArr | Ty::FloatArr) => {
                self.type_exists(t)
            }
            Ty::Opt(_) => Err("a nullable type of a primitive".to_string()),
            Ty::Func(ps, r) => {
                for p in ps {
                    self.type_exists(p)?;
                }
                self.type_exists(r)
            }
            _ => Ok(()),
        }
    }

    /// Checks `e` where it converts to a declared type (so it may be an implicit conversion
    /// from `any`).
    fn converted(&mut self, e: &Expr) -> Result<(), String> {
        self.conv_ctx = true;
        self.expr(e)
    }

    /// Narrows variable `name` in the current scope.
    fn narrow(&mut self, name: &str) -> Result<(), String> {
        let v = self.lookup(name)?;
        let own = self.scopes[self.arrow_base..]
            .iter()
            .any(|s| s.iter().any(|v| v.name == name));
        // A captured variable may change behind the arrow function's back: a test in the
        // arrow does not narrow it.
        if self.arrow_base > 0 && !own {
            return Ok(());
        }
        let Ty::Opt(t) = &v.ty else {
            return Err(format!("{NARROWING_ERROR}{name} is not nullable"));
        };
        if v.narrowed_from.is_some() {
            return Err(format!("{name} is already narrowed"));
        }
        self.scopes.last_mut().expect("a scope").push(Var {
            name: name.to_string(),
            ty: (**t).clone(),
            mutable: v.mutable,
            pending: false,
            narrowed_from: Some(v.ty.clone()),
            global: v.global,
        });
        Ok(())
    }

    /// After a call of program code, which may assign any top-level variable: the narrowing of
    /// mutable top-level variables ends (in the body being checked; an arrow function's calls
    /// run when it is called, which is a call where it is called).
    fn end_global_narrowing(&mut self) {
        let lo = self.base.max(self.arrow_base);
        for scope in self.scopes[lo..].iter_mut() {
            for v in scope.iter_mut().filter(|v| v.global && v.mutable) {
                if let Some(t) = v.narrowed_from.take() {
                    v.ty = t;
                }
            }
        }
    }

    /// Ends the narrowing of `name` (it is assigned).
    fn end_narrowing(&mut self, name: &str) {
        for scope in self.scopes.iter_mut() {
            for v in scope.iter_mut().filter(|v| v.name == name) {
                if let Some(t) = v.narrowed_from.take() {
                    v.ty = t;
                }
            }
        }
    }

    fn lookup(&self, name: &str) -> Result<Var, String> {
        let lo = self.base.max(1);
        for index in (lo..self.scopes.len()).rev().chain(std::iter::once(0)) {
            let scope = &self.scopes[index];
            if let Some(v) = scope.iter().rev().find(|v| v.name == name) {
                if v.pending {
                    return Err(format!("{name} used in its own initialiser"));
                }
                let mut v = v.clone();
                // Narrowing outside an arrow function does not hold inside it.
                if index < self.arrow_base
                    && let Some(t) = v.narrowed_from.take()
                {
                    v.ty = t;
                }
                return Ok(v);
            }
        }
        Err(format!("unknown name {name}"))
    }

    fn declare(&mut self, name: &str, ty: Ty, mutable: bool) -> Result<(), String> {
        let global = self.scopes.len() == 1;
        let scope = self.scopes.last_mut().expect("a scope");
        if scope.iter().any(|v| v.name == name) {
            return Err(format!("{name} declared twice in one scope"));
        }
        scope.push(Var {
            name: name.to_string(),
            ty,
            mutable,
            pending: false,
            narrowed_from: None,
            global,
        });
        Ok(())
    }

    fn field(&self, class: &str, name: &str) -> Option<Ty> {
        let mut c = Some(class.to_string());
        while let Some(n) = c {
            let k = self.classes.get(&n)?;
            if let Some(f) = k.fields.iter().find(|f| f.name == name) {
                return Some(f.ty.clone());
            }
            c = k.parent.clone();
        }
        None
    }

    fn method(&self, class: &str, name: &str) -> Option<Sig> {
        let mut c = Some(class.to_string());
        while let Some(n) = c {
            let k = self.classes.get(&n)?;
            if let Some(m) = k.methods.get(name) {
                return Some(m.clone());
            }
            c = k.parent.clone();
        }
        None
    }

    fn args(&mut self, params: &[Ty], args: &[Expr]) -> Result<(), String> {
        if params.len() != args.len() {
            return Err("wrong number of arguments".to_string());
        }
        for (p, a) in params.iter().zip(args) {
            self.converted(a)?;
            if !self.assignable(&a.ty, p) {
                return Err(format!("argument of type {} for {}", a.ty, p));
            }
        }
        Ok(())
    }

    /// Checks a function or method body in a fresh set of scopes.
    fn body(&mut self, f: &FuncDecl, class: Option<String>) -> Result<(), String> {
        self.type_exists(&f.ret)?;
        let saved = (
            self.base,
            self.ret.take(),
            self.loops,
            self.class.take(),
            self.scopes.len(),
        );
        self.scopes.push(Vec::new());
        self.base = self.scopes.len() - 1;
        self.ret = Some(f.ret.clone());
        self.loops = 0;
        self.class = class;
        let r = (|| {
            for p in &f.params {
                self.type_exists(&p.ty)?;
                self.declare(&p.name, p.ty.clone(), true)?;
            }
            self.stmts(&f.body)?;
            if f.ret != Ty::Void && !ends_with_return(&f.body) {
                return Err(format!("{} does not end with a return", f.name));
            }
            Ok(())
        })();
        self.scopes.truncate(saved.4);
        self.base = saved.0;
        self.ret = saved.1;
        self.loops = saved.2;
        self.class = saved.3;
        r
    }

    fn func_decl(&mut self, f: &FuncDecl) -> Result<(), String> {
        if self.funcs.contains_key(&f.name) || self.lookup(&f.name).is_ok() {
            return Err(format!("{} declared twice", f.name));
        }
        if self.scopes.len() != 1 {
            return Err("nested function".to_string());
        }
        // Declared before its body is checked, so that it may call itself.
        self.funcs.insert(f.name.clone(), sig_of(f));
        let r = self.body(f, None);
        if r.is_err() {
            self.funcs.remove(&f.name);
        }
        r
    }

    fn class_decl(&mut self, k: &ClassDecl) -> Result<(), String> {
        if self.classes.contains_key(&k.name) {
            return Err(format!("class {} declared twice", k.name));
        }
        let parent_ctor = match &k.parent {
            Some(p) => {
                let info = self
                    .classes
                    .get(p)
                    .ok_or_else(|| format!("unknown superclass {p}"))?;
                Some(info.ctor.clone())
            }
            None => None,
        };
        for (i, f) in k.fields.iter().enumerate() {
            if !matches!(f.ty, Ty::Int | Ty::Float | Ty::Bool) {
                return Err("only primitive fields".to_string());
            }
            if k.fields[..i].iter().any(|g| g.name == f.name) {
                return Err(format!("duplicate field {}", f.name));
            }
            if let Some(p) = &k.parent
                && self.field(p, &f.name).is_some()
            {
                return Err(format!("field {} redeclared", f.name));
            }
        }
        let mut methods = HashMap::new();
        for m in &k.methods {
            if methods.insert(m.name.clone(), sig_of(m)).is_some() {
                return Err(format!("duplicate method {}", m.name));
            }
            if let Some(p) = &k.parent
                && let Some(s) = self.method(p, &m.name)
                && (s.params != sig_of(m).params || s.ret != m.ret)
            {
                return Err(format!("override {} changes the signature", m.name));
            }
        }
        self.classes.insert(
            k.name.clone(),
            ClassInfo {
                parent: k.parent.clone(),
                fields: k.fields.clone(),
                methods,
                ctor: k.ctor_params.iter().map(|p| p.ty.clone()).collect(),
            },
        );
        let r = self.class_bodies(k, parent_ctor);
        if r.is_err() {
            self.classes.remove(&k.name);
        }
        r
    }

    fn class_bodies(&mut self, k: &ClassDecl, parent_ctor: Option<Vec<Ty>>) -> Result<(), String> {
        // The constructor, checked as a void function with the super call and field values.
        if k.field_inits.len() != k.fields.len() {
            return Err("a field without a value".to_string());
        }
        let ctor = FuncDecl {
            name: "constructor".to_string(),
            params: k.ctor_params.clone(),
            ret: Ty::Void,
            body: Vec::new(),
        };
        let saved = (
            self.base,
            self.ret.take(),
            self.loops,
            self.class.take(),
            self.scopes.len(),
        );
        self.scopes.push(Vec::new());
        self.base = self.scopes.len() - 1;
        self.ret = Some(Ty::Void);
        self.loops = 0;
        let r = (|| {
            for p in &ctor.params {
                self.declare(&p.name, p.ty.clone(), true)?;
            }
            match parent_ctor {
                Some(pc) => self.args(&pc, &k.super_args)?,
                None if !k.super_args.is_empty() => return Err("super without superclass".into()),
                None => {}
            }
            for (f, v) in k.fields.iter().zip(&k.field_inits) {
                self.converted(v)?;
                if !self.assignable(&v.ty, &f.ty) {
                    return Err(format!("field {} gets a {}", f.name, v.ty));
                }
            }
            self.class = Some(k.name.clone());
            if k.ctor_body.iter().any(|s| matches!(s, Stmt::Return(_))) {
                return Err("return in a constructor".to_string());
            }
            self.stmts(&k.ctor_body)
        })();
        self.scopes.truncate(saved.4);
        self.base = saved.0;
        self.ret = saved.1;
        self.loops = saved.2;
        self.class = saved.3;
        r?;
        for m in &k.methods {
            self.body(m, Some(k.name.clone()))?;
        }
        Ok(())
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<(), String> {
        for s in body {
            self.stmt(s)?;
            // `if (v === undefined) { …; return }` narrows `v` after it.
            if let Stmt::If(c, a, None) = s
                && let Some((n, false)) = narrow_test(c)
                && matches!(a.last(), Some(Stmt::Return(_)))
            {
                self.narrow(&n)?;
            }
        }
        Ok(())
    }

    /// A branch in which `narrowed` (if any) is known not to be undefined.
    fn branch(&mut self, body: &[Stmt], narrowed: Option<&str>) -> Result<(), String> {
        self.scopes.push(Vec::new());
        let r = match narrowed {
            Some(n) => self.narrow(n).and_then(|()| self.stmts(body)),
            None => self.stmts(body),
        };
        self.scopes.pop();
        r
    }

    fn scoped(&mut self, body: &[Stmt]) -> Result<(), String> {
        self.scopes.push(Vec::new());
        let r = self.stmts(body);
        self.scopes.pop();
        r
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), String> {
        match s {
            Stmt::Let {
                name,
                constant,
                annot,
                init,
            } => {
                if self.funcs.contains_key(name) || self.classes.contains_key(name) {
                    return Err(format!("{name} is a function or class"));
                }
                // The name is in scope (but unusable) while its initialiser is checked.
                self.declare(name, Ty::Void, false)?;
                self.scopes.last_mut().unwrap().last_mut().unwrap().pending = true;
                let r = if annot.is_some() {
                    self.converted(init)
                } else {
                    self.expr(init)
                };
                self.scopes.last_mut().unwrap().pop();
                r?;
                if let (None, ExprKind::ArrayLit(es)) = (annot, &init.kind) {
                    let natural = if es.iter().all(|e| e.ty == Ty::Int) {
                        Ty::IntArr
                    } else {
                        Ty::FloatArr
                    };
                    if natural != init.ty {
                        return Err(format!("{name}: the literal is a {natural}"));
                    }
                }
                let ty = match annot {
                    Some(t) => {
                        self.type_exists(t)?;
                        if !self.assignable(&init.ty, t) {
                            return Err(format!("{name}: {} is not a {t}", init.ty));
                        }
                        t.clone()
                    }
                    None => init.ty.clone(),
                };
                if matches!(ty, Ty::Void | Ty::Str) {
                    return Err(format!("{name} has type {ty}"));
                }
                self.declare(name, ty, !constant)
            }
            Stmt::Expr(e) => self.expr(e),
            Stmt::Print { arg, .. } => {
                self.expr(arg)?;
                if arg.ty == Ty::Void {
                    return Err("printing void".to_string());
                }
                Ok(())
            }
            Stmt::If(c, a, b) => {
                self.expr(c)?;
                if !truth_type(&c.ty) {
                    return Err("bad condition".to_string());
                }
                let test = narrow_test(c);
                let (then_n, else_n) = match &test {
                    Some((n, true)) => (Some(n.as_str()), None),
                    Some((n, false)) => (None, Some(n.as_str())),
                    None => (None, None),
                };
                self.branch(a, then_n)?;
                if let Some(b) = b {
                    self.branch(b, else_n)?;
                }
                Ok(())
            }
            Stmt::Loop { var, body, .. } => {
                if self.lookup(var).is_ok() {
                    return Err(format!("loop counter {var} shadows"));
                }
                // A variable assigned in the body is not narrowed anywhere in it.
                let mut assigned = Vec::new();
                assigned_in(body, &mut assigned);
                for n in assigned {
                    if n == A_CALL {
                        self.end_global_narrowing();
                    } else {
                        self.end_narrowing(&n);
                    }
                }
                self.scopes.push(Vec::new());
                self.loops += 1;
                let r = self
                    .declare(var, Ty::Int, false)
                    .and_then(|()| self.stmts(body));
                self.loops -= 1;
                self.scopes.pop();
                r
            }
            Stmt::Break | Stmt::Continue => {
                if self.loops == 0 {
                    return Err("break or continue outside a loop".to_string());
                }
                Ok(())
            }
            Stmt::Return(v) => {
                let Some(ret) = self.ret.clone() else {
                    return Err("return at top level".to_string());
                };
                match v {
                    None if ret == Ty::Void => Ok(()),
                    None => Err("return without a value".to_string()),
                    Some(_) if ret == Ty::Void => Err("return with a value".to_string()),
                    Some(e) => {
                        self.converted(e)?;
                        if self.assignable(&e.ty, &ret) {
                            Ok(())
                        } else {
                            Err(format!("returning {} from {ret}", e.ty))
                        }
                    }
                }
            }
            Stmt::Block(b) => self.scoped(b),
        }
    }

    fn expect(&self, e: &Expr, ty: Ty) -> Result<(), String> {
        if e.ty == ty {
            Ok(())
        } else {
            Err(format!(
                "{} has type {}, expected {ty}",
                crate::pretty::expr(e),
                e.ty
            ))
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), String> {
        let conv_ctx = std::mem::take(&mut self.conv_ctx);
        match &e.kind {
            ExprKind::Undefined => match e.ty {
                Ty::Any | Ty::Opt(_) => Ok(()),
                _ => Err("undefined of a non-nullable type".to_string()),
            },
            ExprKind::Unbox(x) => {
                if !conv_ctx {
                    return Err("an implicit conversion from any outside a declared type".into());
                }
                self.expr(x)?;
                self.expect(x, Ty::Any)?;
                self.type_exists(&e.ty)?;
                match e.ty {
                    Ty::Int | Ty::Float | Ty::Bool | Ty::Class(_) | Ty::IntArr | Ty::FloatArr => {
                        Ok(())
                    }
                    Ty::Opt(_) => Ok(()),
                    _ => Err(format!("conversion of any to {}", e.ty)),
                }
            }
            ExprKind::Arrow(params, body) => {
                let Ty::Func(ps, ret) = &e.ty else {
                    return Err("an arrow of a non-function type".to_string());
                };
                if ps.len() != params.len() || ps.iter().zip(params).any(|(t, p)| *t != p.ty) {
                    return Err("arrow parameters differ from its type".to_string());
                }
                self.type_exists(&e.ty)?;
                let saved = (
                    self.arrow_base,
                    self.ret.take(),
                    self.loops,
                    self.scopes.len(),
                );
                self.scopes.push(Vec::new());
                self.arrow_base = self.scopes.len() - 1;
                self.ret = Some((**ret).clone());
                self.loops = 0;
                let r = (|| {
                    for p in params {
                        self.declare(&p.name, p.ty.clone(), true)?;
                    }
                    self.stmts(body)?;
                    if **ret != Ty::Void && !ends_with_return(body) {
                        return Err("an arrow function does not end with a return".to_string());
                    }
                    Ok(())
                })();
                self.scopes.truncate(saved.3);
                self.arrow_base = saved.0;
                self.ret = saved.1;
                self.loops = saved.2;
                r
            }
            ExprKind::CallValue(callee, args) => {
                self.expr(callee)?;
                let Ty::Func(ps, ret) = &callee.ty else {
                    return Err("calling a non-function".to_string());
                };
                if !matches!(callee.kind, ExprKind::Var(_)) {
                    return Err("calling an expression".to_string());
                }
                self.args(ps, args)?;
                self.end_global_narrowing();
                self.expect(e, (**ret).clone())
            }
            ExprKind::Int { value, hex } => {
                if !hex && *value > i32::MAX as u32 {
                    return Err(format!("integer literal out of range: {value}"));
                }
                self.expect(e, Ty::Int)
            }
            ExprKind::Float(t) => {
                let ok = (t.contains('.') || t.contains(['e', 'E']))
                    && t.parse::<f32>().is_ok()
                    && t.chars().all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
                    && t.starts_with(|c: char| c.is_ascii_digit() || c == '.');
                if !ok {
                    return Err(format!("bad float literal {t}"));
                }
                self.expect(e, Ty::Float)
            }
            ExprKind::Bool(_) => self.expect(e, Ty::Bool),
            ExprKind::Str(s) => {
                if s.contains(['\'', '\\', '\n']) {
                    return Err("bad string literal".to_string());
                }
                self.expect(e, Ty::Str)
            }
            ExprKind::Var(n) => {
                let v = self.lookup(n)?;
                if v.narrowed_from.as_ref() == Some(&e.ty) {
                    return Ok(());
                }
                if let Ty::Opt(t) = &v.ty
                    && **t == e.ty
                {
                    return Err(format!("{n} is not narrowed here"));
                }
                self.expect(e, v.ty)
            }
            ExprKind::This => match &self.class {
                Some(c) => self.expect(e, Ty::Class(c.clone())),
                None => Err("this outside a class".to_string()),
            },
            ExprKind::Unary(op, x) => {
                let min_literal = *op == UnOp::Neg
                    && matches!(
                        x.kind,
                        ExprKind::Int {
                            value: 0x8000_0000,
                            hex: false
                        }
                    );
                if !min_literal {
                    self.expr(x)?;
                }
                let ok = match op {
                    UnOp::Neg if x.ty == Ty::Any => e.ty == Ty::Any,
                    UnOp::Neg | UnOp::Plus => x.ty.is_numeric() && e.ty == x.ty,
                    UnOp::BitNot => x.ty == Ty::Int && e.ty == Ty::Int,
                    UnOp::Not => truth_type(&x.ty) && e.ty == Ty::Bool,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("bad unary operand in {}", crate::pretty::expr(e)))
                }
            }
            ExprKind::Binary(op, l, r) => {
                self.expr(l)?;
                self.expr(r)?;
                let (a, b) = (&l.ty, &r.ty);
                let num_or_any = |t: &Ty| t.is_numeric() || *t == Ty::Any;
                let dynamic = *a == Ty::Any || *b == Ty::Any;
                let ok = match op {
                    BinOp::Add if *a == Ty::Str || *b == Ty::Str => {
                        matches!(a, Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Any)
                            && matches!(b, Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Any)
                    }
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                        num_or_any(a) && num_or_any(b)
                    }
                    BinOp::Rem if dynamic => num_or_any(a) && num_or_any(b),
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => num_or_any(a) && num_or_any(b),
                    BinOp::Eq | BinOp::StrictEq | BinOp::Ne | BinOp::StrictNe => {
                        let plain = |t: &Ty| matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Str);
                        (a.is_numeric() && b.is_numeric())
                            || (*a == Ty::Bool && *b == Ty::Bool)
                            || (dynamic && (plain(a) || plain(b) || a == b))
                            || (matches!(a, Ty::Opt(_))
                                && a == b
                                && (matches!(l.kind, ExprKind::Undefined)
                                    || matches!(r.kind, ExprKind::Undefined)))
                    }
                    BinOp::And | BinOp::Or => truth_type(a) && truth_type(b),
                    _ => *a == Ty::Int && *b == Ty::Int,
                };
                if !ok {
                    return Err(format!("bad operands in {}", crate::pretty::expr(e)));
                }
                self.expect(e, binary_type(*op, a, b))
            }
            ExprKind::Cond(c, a, b) => {
                self.expr(c)?;
                self.expr(a)?;
                self.expr(b)?;
                if !truth_type(&c.ty) {
                    return Err("bad condition".to_string());
                }
                let ty = if a.ty == b.ty {
                    a.ty.clone()
                } else if a.ty.is_numeric() && b.ty.is_numeric() {
                    Ty::Float
                } else {
                    return Err("no common super type".to_string());
                };
                if !matches!(ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Any) {
                    return Err("conditional of a non-primitive type".to_string());
                }
                self.expect(e, ty)
            }
            ExprKind::Call(name, args) => {
                let sig = self
                    .funcs
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("unknown function {name}"))?;
                self.args(&sig.params, args)?;
                self.end_global_narrowing();
                self.expect(e, sig.ret)
            }
            ExprKind::MethodCall(recv, name, args) => {
                self.member_receiver(recv)?;
                self.expr(recv)?;
                let Ty::Class(c) = &recv.ty else {
                    return Err("method call on a non-object".to_string());
                };
                let sig = self
                    .method(c, name)
                    .ok_or_else(|| format!("unknown method {name}"))?;
                self.args(&sig.params, args)?;
                self.end_global_narrowing();
                self.expect(e, sig.ret)
            }
            ExprKind::SuperCall(name, args) => {
                let c = self.class.clone().ok_or("super outside a class")?;
                let parent = self.classes[&c]
                    .parent
                    .clone()
                    .ok_or("super without parent")?;
                if self.ret.is_none() {
                    return Err("super call outside a method".to_string());
                }
                let sig = self
                    .method(&parent, name)
                    .ok_or_else(|| format!("unknown super method {name}"))?;
                self.args(&sig.params, args)?;
                self.end_global_narrowing();
                self.expect(e, sig.ret)
            }
            ExprKind::Field(recv, name) => {
                self.member_receiver(recv)?;
                self.expr(recv)?;
                let Ty::Class(c) = &recv.ty else {
                    return Err("field of a non-object".to_string());
                };
                let ty = self
                    .field(c, name)
                    .ok_or_else(|| format!("unknown field {name}"))?;
                self.expect(e, ty)
            }
            ExprKind::Index(a, i) => {
                self.expr(a)?;
                self.expr(i)?;
                let elem = a.ty.elem().ok_or("indexing a non-array")?;
                self.expect(i, Ty::Int)?;
                self.expect(e, elem)
            }
            ExprKind::Length(a) => {
                self.expr(a)?;
                a.ty.elem().ok_or("length of a non-array")?;
                self.expect(e, Ty::Int)
            }
            ExprKind::New(c, args) => {
                let ctor = self
                    .classes
                    .get(c)
                    .map(|k| k.ctor.clone())
                    .ok_or_else(|| format!("unknown class {c}"))?;
                self.args(&ctor, args)?;
                self.end_global_narrowing();
                self.expect(e, Ty::Class(c.clone()))
            }
            ExprKind::NewArray(n, init) => {
                let elem = e.ty.elem().ok_or("new Array of a non-array type")?;
                self.expr(n)?;
                self.expect(n, Ty::Int)?;
                if let Some(init) = init {
                    self.expr(init)?;
                    if !self.assignable(&init.ty, &elem) {
                        return Err("bad array initial value".to_string());
                    }
                }
                Ok(())
            }
            ExprKind::ArrayLit(es) => {
                let elem = e.ty.elem().ok_or("array literal of a non-array type")?;
                if es.is_empty() {
                    return Err("empty array literal".to_string());
                }
                for x in es {
                    self.expr(x)?;
                    if !self.assignable(&x.ty, &elem) {
                        return Err("bad array element".to_string());
                    }
                }
                Ok(())
            }
            ExprKind::As(x) => {
                self.expr(x)?;
                if (x.ty.is_numeric() || x.ty == Ty::Any) && e.ty.is_numeric() {
                    Ok(())
                } else {
                    Err("bad as".to_string())
                }
            }
            ExprKind::Assign(op, t, v) => {
                self.place(t)?;
                if op.is_none() {
                    self.converted(v)?;
                } else {
                    self.expr(v)?;
                }
                let ok = match op {
                    None => self.assignable(&v.ty, &t.ty),
                    Some(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) if t.ty == Ty::Any => {
                        v.ty.is_numeric() || v.ty == Ty::Any
                    }
                    Some(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) => {
                        t.ty.is_numeric() && v.ty.is_numeric()
                    }
                    Some(
                        BinOp::Rem
                        | BinOp::BitAnd
                        | BinOp::BitOr
                        | BinOp::BitXor
                        | BinOp::Shl
                        | BinOp::Shr,
                    ) => t.ty == Ty::Int && v.ty == Ty::Int,
                    Some(_) => false,
                };
                if !ok {
                    return Err(format!("bad assignment {}", crate::pretty::expr(e)));
                }
                self.expect(e, t.ty.clone())
            }
            ExprKind::IncDec { target, .. } => {
                self.place(target)?;
                if !target.ty.is_numeric() && target.ty != Ty::Any {
                    return Err("++ on a non-number".to_string());
                }
                self.expect(e, target.ty.clone())
            }
        }
    }

    /// A member access on a nullable variable that is not narrowed (any more) is the error
    /// the generator makes on purpose.
    fn member_receiver(&self, recv: &Expr) -> Result<(), String> {
        if let ExprKind::Var(n) = &recv.kind
            && let Ok(v) = self.lookup(n)
            && let Ty::Opt(t) = &v.ty
            && **t == recv.ty
        {
            return Err(format!(
                "{NARROWING_ERROR}member access on {n}, which is not narrowed here"
            ));
        }
        Ok(())
    }

    /// Checks an assignment target.
    fn place(&mut self, t: &Expr) -> Result<(), String> {
        self.expr(t)?;
        match &t.kind {
            ExprKind::Var(n) => {
                let v = self.lookup(n)?;
                if !v.mutable {
                    return Err(format!("assignment to constant {n}"));
                }
                if v.narrowed_from.is_some() {
                    if v.narrowed_from.as_ref() != Some(&t.ty) {
                        return Err(format!("{n} is assigned as its narrowed type"));
                    }
                    // The assignment ends the narrowing.
                    self.end_narrowing(n);
                }
                Ok(())
            }
            ExprKind::Field(..) | ExprKind::Index(..) => Ok(()),
            _ => Err("not assignable".to_string()),
        }
    }
}
