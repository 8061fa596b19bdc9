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
}

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
    matches!(t, Ty::Int | Ty::Float | Ty::Bool)
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
            _ => false,
        }
    }

    fn type_exists(&self, t: &Ty) -> Result<(), String> {
        match t {
            Ty::Class(c) if !self.classes.contains_key(c) => Err(format!("unknown class {c}")),
            _ => Ok(()),
        }
    }

    fn visible_scopes(&self) -> impl Iterator<Item = &Vec<Var>> {
        let inner = self.scopes[self.base.max(1)..].iter().rev();
        inner.chain(std::iter::once(&self.scopes[0]))
    }

    fn lookup(&self, name: &str) -> Result<&Var, String> {
        for scope in self.visible_scopes() {
            if let Some(v) = scope.iter().rev().find(|v| v.name == name) {
                if v.pending {
                    return Err(format!("{name} used in its own initialiser"));
                }
                return Ok(v);
            }
        }
        Err(format!("unknown name {name}"))
    }

    fn declare(&mut self, name: &str, ty: Ty, mutable: bool) -> Result<(), String> {
        let scope = self.scopes.last_mut().expect("a scope");
        if scope.iter().any(|v| v.name == name) {
            return Err(format!("{name} declared twice in one scope"));
        }
        scope.push(Var {
            name: name.to_string(),
            ty,
            mutable,
            pending: false,
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
            self.expr(a)?;
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
                self.expr(v)?;
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
        }
        Ok(())
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
                let r = self.expr(init);
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
                self.scoped(a)?;
                if let Some(b) = b {
                    self.scoped(b)?;
                }
                Ok(())
            }
            Stmt::Loop { var, body, .. } => {
                if self.lookup(var).is_ok() {
                    return Err(format!("loop counter {var} shadows"));
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
                        self.expr(e)?;
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
        match &e.kind {
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
                let ty = v.ty.clone();
                self.expect(e, ty)
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
                let ok = match op {
                    BinOp::Add if *a == Ty::Str || *b == Ty::Str => {
                        matches!(a, Ty::Int | Ty::Float | Ty::Bool | Ty::Str)
                            && matches!(b, Ty::Int | Ty::Float | Ty::Bool | Ty::Str)
                    }
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Pow => {
                        a.is_numeric() && b.is_numeric()
                    }
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        a.is_numeric() && b.is_numeric()
                    }
                    BinOp::Eq | BinOp::StrictEq | BinOp::Ne | BinOp::StrictNe => {
                        (a.is_numeric() && b.is_numeric()) || (*a == Ty::Bool && *b == Ty::Bool)
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
                if !matches!(ty, Ty::Int | Ty::Float | Ty::Bool) {
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
                self.expect(e, sig.ret)
            }
            ExprKind::MethodCall(recv, name, args) => {
                self.expr(recv)?;
                let Ty::Class(c) = &recv.ty else {
                    return Err("method call on a non-object".to_string());
                };
                let sig = self
                    .method(c, name)
                    .ok_or_else(|| format!("unknown method {name}"))?;
                self.args(&sig.params, args)?;
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
                self.expect(e, sig.ret)
            }
            ExprKind::Field(recv, name) => {
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
                if x.ty.is_numeric() && e.ty.is_numeric() {
                    Ok(())
                } else {
                    Err("bad as".to_string())
                }
            }
            ExprKind::Assign(op, t, v) => {
                self.place(t)?;
                self.expr(v)?;
                let ok = match op {
                    None => self.assignable(&v.ty, &t.ty),
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
                if !target.ty.is_numeric() {
                    return Err("++ on a non-number".to_string());
                }
                self.expect(e, target.ty.clone())
            }
        }
    }

    /// Checks an assignment target.
    fn place(&mut self, t: &Expr) -> Result<(), String> {
        self.expr(t)?;
        match &t.kind {
            ExprKind::Var(n) => {
                if self.lookup(n)?.mutable {
                    Ok(())
                } else {
                    Err(format!("assignment to constant {n}"))
                }
            }
            ExprKind::Field(..) | ExprKind::Index(..) => Ok(()),
            _ => Err("not assignable".to_string()),
        }
    }
}
