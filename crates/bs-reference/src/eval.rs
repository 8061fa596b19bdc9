//! The reference interpreter: runs a program of the subset and yields exactly what
//! `bscript run` should write to standard output, and whether the run ends with a run-time error.
//! It follows the specification directly: left-to-right evaluation of operands and arguments,
//! JavaScript order for assignments (target, then old value, then right side), 32-bit wrapping
//! integers, binary32 floats, boxing at `print` and in string concatenation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{
    BinOp, ClassDecl, Expr, ExprKind, FuncDecl, Item, LoopKind, Param, Program, Stmt, Ty, UnOp,
};
use crate::num;

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The program ran to its end (exit status 0).
    Success,
    /// A run-time error stopped it (exit status 2); the text says which.
    RuntimeError(String),
    /// The evaluator gave up: the program ran more steps or printed more than the limits allow.
    TooLong,
}

/// The result of running a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Everything `print` wrote, each line ending with `\n`.
    pub stdout: String,
    /// How the run ended.
    pub status: Status,
}

/// Limits on a run.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most evaluation steps (statements and expressions) allowed.
    pub steps: u64,
    /// The most output bytes allowed.
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            steps: 2_000_000,
            output: 256 * 1024,
        }
    }
}

/// Runs `p` with the default limits.
pub fn run(p: &Program) -> Outcome {
    run_with(p, Limits::default())
}

/// Runs `p` with the given limits. The evaluator recurses along the program's calls and
/// expressions, so it runs on a thread of its own with a large stack.
pub fn run_with(p: &Program, limits: Limits) -> Outcome {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("bs-reference-eval".to_string())
            .stack_size(256 << 20)
            .spawn_scoped(scope, || run_here(p, limits))
            .expect("an evaluator thread")
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

fn run_here(p: &Program, limits: Limits) -> Outcome {
    let mut it = Interp::new(p, limits);
    let status = match it.top_level() {
        Ok(()) => Status::Success,
        Err(Stop::Error(m)) => Status::RuntimeError(m),
        Err(Stop::TooLong) => Status::TooLong,
    };
    Outcome {
        stdout: it.out,
        status,
    }
}

#[derive(Debug)]
struct Object {
    class: String,
    fields: HashMap<String, Value>,
}

type ObjRef = Rc<RefCell<Object>>;

#[derive(Clone, Debug)]
enum Value {
    Int(i32),
    Float(f32),
    Bool(bool),
    Str(String),
    IntArr(Rc<RefCell<Vec<i32>>>),
    FloatArr(Rc<RefCell<Vec<f32>>>),
    Obj(ObjRef),
    /// A closure: an arrow function with the variables it captures.
    Func(Rc<Closure>),
    /// `undefined` (and the result of a void function).
    Void,
}

/// A variable's storage, shared by the body that declares it and every closure capturing it.
type Cell = Rc<RefCell<Value>>;

type Scope = Vec<(String, Ty, Cell)>;

#[derive(Debug)]
struct Closure {
    params: Vec<Param>,
    ret: Ty,
    body: Vec<Stmt>,
    /// The scopes visible where the arrow was evaluated (sharing their cells).
    env: Vec<Scope>,
    this: Option<ObjRef>,
    class: Option<String>,
}

/// What a boxed value is, as the device's type errors describe it.
fn describe(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Bool(_) => "a boolean",
        Value::Void => "undefined",
        _ => "an object",
    }
}

fn type_error(expected: &Ty, v: &Value) -> Stop {
    Stop::Error(format!(
        "type error: expected {}, found {}",
        expected.unwrap_opt(),
        describe(v)
    ))
}

fn bad_operand(op: &str, v: &Value) -> Stop {
    Stop::Error(format!("type error: bad operand for {op}: {}", describe(v)))
}

/// The truthiness of a boxed value (spec 4.9): false only for `undefined`, `false`, integer 0
/// and float +0.0.
fn any_truthy(v: &Value) -> bool {
    match v {
        Value::Int(i) => *i != 0,
        Value::Float(f) => f.to_bits() != 0,
        Value::Bool(b) => *b,
        Value::Void => false,
        _ => true,
    }
}

/// The truthiness of a value of static type `ty`.
fn truthy_as(v: &Value, ty: &Ty) -> bool {
    match ty {
        Ty::Int | Ty::Float | Ty::Bool => v.truthy(),
        _ => any_truthy(v),
    }
}

/// Boxes a value (spec 3.2, 3.4): integers keep 30 bits, floats the boxed exponent range.
fn boxed(v: Value) -> Value {
    match v {
        Value::Int(i) => Value::Int(num::box_int(i)),
        Value::Float(f) => Value::Float(num::boxed_float(f)),
        v => v,
    }
}

impl Value {
    fn int(&self) -> i32 {
        match self {
            Value::Int(v) => *v,
            other => panic!("expected an integer, found {other:?}"),
        }
    }

    /// The value as a float (integers convert).
    fn float(&self) -> f32 {
        match self {
            Value::Int(v) => *v as f32,
            Value::Float(v) => *v,
            other => panic!("expected a number, found {other:?}"),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Value::Int(v) => *v != 0,
            Value::Float(v) => *v != 0.0,
            Value::Bool(b) => *b,
            Value::Void => false,
            _ => true,
        }
    }

    fn obj(&self) -> ObjRef {
        match self {
            Value::Obj(o) => o.clone(),
            other => panic!("expected an object, found {other:?}"),
        }
    }

    /// Converts a value to a target of static type `ty` (integer to float is the only
    /// conversion the subset has).
    fn convert_to(self, ty: &Ty) -> Value {
        match (ty, &self) {
            (Ty::Float, Value::Int(v)) => Value::Float(*v as f32),
            (Ty::Any, _) => boxed(self),
            _ => self,
        }
    }

    /// Converts a boxed value to `ty` with the run-time check of spec 3.16.
    fn unbox(self, ty: &Ty, classes: &HashMap<&str, &ClassDecl>) -> R<Value> {
        let ok = match (ty.unwrap_opt(), &self) {
            (Ty::Any, _) | (Ty::Bool, _) => true,
            (_, Value::Void) => matches!(ty, Ty::Opt(_)),
            (Ty::Int, Value::Int(_)) | (Ty::Float, Value::Int(_) | Value::Float(_)) => true,
            (Ty::IntArr, Value::IntArr(_)) | (Ty::FloatArr, Value::FloatArr(_)) => true,
            (Ty::Class(c), Value::Obj(o)) => {
                let mut k = Some(o.borrow().class.clone());
                let mut found = false;
                while let Some(n) = k {
                    if n == *c {
                        found = true;
                        break;
                    }
                    k = classes[n.as_str()].parent.clone();
                }
                found
            }
            _ => false,
        };
        if !ok {
            return Err(type_error(ty, &self));
        }
        Ok(match ty {
            Ty::Bool => Value::Bool(any_truthy(&self)),
            _ => self.convert_to(ty),
        })
    }

    /// `print`'s text (spec 13.1).
    fn print_text(&self) -> String {
        match self {
            Value::Int(v) => num::print_int(*v),
            Value::Float(v) => num::print_float(*v),
            Value::Bool(b) => b.to_string(),
            Value::Str(s) => s.clone(),
            Value::IntArr(_) => "<class integer[]>".to_string(),
            Value::FloatArr(_) => "<class float[]>".to_string(),
            Value::Obj(o) => format!("<class {}>", o.borrow().class),
            Value::Func(_) => "<class #Function>".to_string(),
            Value::Void => "undefined".to_string(),
        }
    }

    /// The text in a string concatenation (spec 4.6).
    fn concat_text(&self) -> String {
        match self {
            Value::Float(v) => num::short_float(*v),
            other => other.print_text(),
        }
    }
}

fn zero(ty: &Ty) -> Value {
    match ty {
        Ty::Int => Value::Int(0),
        Ty::Float => Value::Float(0.0),
        Ty::Bool => Value::Bool(false),
        _ => Value::Void,
    }
}

enum Stop {
    Error(String),
    TooLong,
}

enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

struct Frame {
    scopes: Vec<Scope>,
    this: Option<ObjRef>,
    /// The class whose method or constructor is running (for `super.m()`).
    class: Option<String>,
    /// The top-level frame: its outermost declarations are globals.
    top: bool,
}

enum Place {
    Var(String),
    Field(ObjRef, String),
    IntElem(Rc<RefCell<Vec<i32>>>, i32),
    FloatElem(Rc<RefCell<Vec<f32>>>, i32),
}

type R<T> = Result<T, Stop>;

struct Interp<'p> {
    prog: &'p Program,
    funcs: HashMap<&'p str, &'p FuncDecl>,
    classes: HashMap<&'p str, &'p ClassDecl>,
    globals: HashMap<String, (Ty, Value)>,
    frames: Vec<Frame>,
    out: String,
    steps: u64,
    limits: Limits,
}

/// The deepest call nesting the evaluator follows; generated programs stay far below it, so a
/// deeper one (an endless recursion left by shrinking) counts as running too long.
const MAX_FRAMES: usize = 1000;

/// The scope of a call's parameters.
fn bind(params: &[Param], args: Vec<Value>) -> Scope {
    params
        .iter()
        .zip(args)
        .map(|(p, v)| {
            let v = v.convert_to(&p.ty);
            (p.name.clone(), p.ty.clone(), Rc::new(RefCell::new(v)))
        })
        .collect()
}

fn index_error(i: i32, len: usize) -> Stop {
    Stop::Error(format!("array index out of range: {i} (len: {len})"))
}

fn div_zero() -> Stop {
    Stop::Error("division by zero".to_string())
}

impl<'p> Interp<'p> {
    fn new(prog: &'p Program, limits: Limits) -> Self {
        let mut funcs = HashMap::new();
        let mut classes = HashMap::new();
        for item in &prog.items {
            match item {
                Item::Func(f) => {
                    funcs.insert(f.name.as_str(), f);
                }
                Item::Class(c) => {
                    classes.insert(c.name.as_str(), c);
                }
                Item::Stmt(_) => {}
            }
        }
        Interp {
            prog,
            funcs,
            classes,
            globals: HashMap::new(),
            frames: Vec::new(),
            out: String::new(),
            steps: 0,
            limits,
        }
    }

    fn tick(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > self.limits.steps || self.out.len() > self.limits.output {
            Err(Stop::TooLong)
        } else {
            Ok(())
        }
    }

    fn top_level(&mut self) -> R<()> {
        self.frames.push(Frame {
            scopes: Vec::new(),
            this: None,
            class: None,
            top: true,
        });
        let prog = self.prog;
        for item in &prog.items {
            if let Item::Stmt(s) = item {
                match self.exec(s)? {
                    Flow::Normal => {}
                    _ => panic!("break, continue or return at top level"),
                }
            }
        }
        Ok(())
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame")
    }

    fn declare(&mut self, name: &str, ty: &Ty, v: Value) {
        let v = v.convert_to(ty);
        let f = self.frame();
        if f.top && f.scopes.is_empty() {
            self.globals.insert(name.to_string(), (ty.clone(), v));
        } else {
            f.scopes.last_mut().expect("a scope").push((
                name.to_string(),
                ty.clone(),
                Rc::new(RefCell::new(v)),
            ));
        }
    }

    /// The local variable `name` (its type and cell), if it is not a global.
    fn local(&self, name: &str) -> Option<(Ty, Cell)> {
        let f = self.frames.last().expect("a frame");
        for scope in f.scopes.iter().rev() {
            if let Some((_, t, c)) = scope.iter().rev().find(|(n, _, _)| n == name) {
                return Some((t.clone(), c.clone()));
            }
        }
        None
    }

    fn read_var(&mut self, name: &str) -> Value {
        if let Some((_, c)) = self.local(name) {
            return c.borrow().clone();
        }
        match self.globals.get(name) {
            Some((_, v)) => v.clone(),
            None => panic!("unknown variable {name}"),
        }
    }

    fn write_var(&mut self, name: &str, v: Value) {
        if let Some((t, c)) = self.local(name) {
            *c.borrow_mut() = v.convert_to(&t);
        } else {
            let slot = self.globals.get_mut(name).expect("a global");
            slot.1 = v.convert_to(&slot.0);
        }
    }

    fn exec_block(&mut self, body: &[Stmt]) -> R<Flow> {
        self.frame().scopes.push(Vec::new());
        let r = self.exec_seq(body);
        self.frame().scopes.pop();
        r
    }

    fn exec_seq(&mut self, body: &[Stmt]) -> R<Flow> {
        for s in body {
            match self.exec(s)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, s: &Stmt) -> R<Flow> {
        self.tick()?;
        match s {
            Stmt::Let {
                name, annot, init, ..
            } => {
                let v = self.eval(init)?;
                let ty = annot.clone().unwrap_or_else(|| init.ty.clone());
                self.declare(name, &ty, v);
                Ok(Flow::Normal)
            }
            Stmt::Expr(e) => {
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            Stmt::Print { arg, .. } => {
                let v = self.eval(arg)?;
                let t = v.print_text();
                self.out.push_str(&t);
                self.out.push('\n');
                Ok(Flow::Normal)
            }
            Stmt::If(c, then, els) => {
                if truthy_as(&self.eval(c)?, &c.ty) {
                    self.exec_block(then)
                } else if let Some(els) = els {
                    self.exec_block(els)
                } else {
                    Ok(Flow::Normal)
                }
            }
            Stmt::Loop {
                kind,
                var,
                limit,
                body,
            } => self.exec_loop(*kind, var, *limit, body),
            Stmt::Break => Ok(Flow::Break),
            Stmt::Continue => Ok(Flow::Continue),
            Stmt::Return(None) => Ok(Flow::Return(Value::Void)),
            Stmt::Return(Some(e)) => Ok(Flow::Return(self.eval(e)?)),
            Stmt::Block(b) => self.exec_block(b),
        }
    }

    fn exec_loop(&mut self, kind: LoopKind, var: &str, limit: u32, body: &[Stmt]) -> R<Flow> {
        let limit = limit as i32;
        // The counter lives in a scope of its own around the body's scope.
        self.frame().scopes.push(Vec::new());
        let start = if kind == LoopKind::ForDown { limit } else { 0 };
        self.declare(var, &Ty::Int, Value::Int(start));
        let mut result = Ok(Flow::Normal);
        let mut first = true;
        loop {
            if let Err(e) = self.tick() {
                result = Err(e);
                break;
            }
            let i = self.read_var(var).int();
            let go = match kind {
                LoopKind::ForUp | LoopKind::While => i < limit,
                LoopKind::ForDown => i > 0,
                LoopKind::DoWhile => first || i < limit,
            };
            first = false;
            if !go {
                break;
            }
            if matches!(kind, LoopKind::While | LoopKind::DoWhile) {
                self.write_var(var, Value::Int(i + 1));
            }
            match self.exec_block(body) {
                Err(e) => {
                    result = Err(e);
                    break;
                }
                Ok(Flow::Break) => break,
                Ok(Flow::Return(v)) => {
                    result = Ok(Flow::Return(v));
                    break;
                }
                Ok(Flow::Normal | Flow::Continue) => {}
            }
            // A `for (let …)` counter is a fresh variable in every iteration (JavaScript's
            // rule): closures created in the body keep that iteration's value.
            if matches!(kind, LoopKind::ForUp | LoopKind::ForDown) {
                let step = if kind == LoopKind::ForUp { 1 } else { -1 };
                let scope = self.frame().scopes.last_mut().expect("the counter's scope");
                scope[0].2 = Rc::new(RefCell::new(Value::Int(i + step)));
            }
        }
        self.frame().scopes.pop();
        result
    }

    fn eval_args(&mut self, args: &[Expr]) -> R<Vec<Value>> {
        let mut vs = Vec::with_capacity(args.len());
        for a in args {
            vs.push(self.eval(a)?);
        }
        Ok(vs)
    }

    fn call_body(
        &mut self,
        f: &FuncDecl,
        args: Vec<Value>,
        this: Option<ObjRef>,
        class: Option<String>,
    ) -> R<Value> {
        if self.frames.len() > MAX_FRAMES {
            return Err(Stop::TooLong);
        }
        let scope = bind(&f.params, args);
        self.frames.push(Frame {
            scopes: vec![scope],
            this,
            class,
            top: false,
        });
        let r = self.exec_seq(&f.body);
        self.frames.pop();
        match r? {
            Flow::Return(v) => Ok(v.convert_to(&f.ret)),
            _ => Ok(Value::Void),
        }
    }

    fn call_closure(&mut self, c: &Closure, args: Vec<Value>) -> R<Value> {
        if self.frames.len() > MAX_FRAMES {
            return Err(Stop::TooLong);
        }
        let mut scopes = c.env.clone();
        scopes.push(bind(&c.params, args));
        self.frames.push(Frame {
            scopes,
            this: c.this.clone(),
            class: c.class.clone(),
            top: false,
        });
        let r = self.exec_seq(&c.body);
        self.frames.pop();
        match r? {
            Flow::Return(v) => Ok(v.convert_to(&c.ret)),
            _ => Ok(Value::Void),
        }
    }

    /// Finds method `name` starting at class `class`, returning the method and the class that
    /// declares it.
    fn find_method(&self, class: &str, name: &str) -> (&'p FuncDecl, String) {
        let mut c = self.classes[class];
        loop {
            if let Some(m) = c.methods.iter().find(|m| m.name == name) {
                return (m, c.name.clone());
            }
            c = self.classes[c.parent.as_deref().expect("method exists")];
        }
    }

    fn field_type(&self, class: &str, name: &str) -> Ty {
        let mut c = self.classes[class];
        loop {
            if let Some(f) = c.fields.iter().find(|f| f.name == name) {
                return f.ty.clone();
            }
            c = self.classes[c.parent.as_deref().expect("field exists")];
        }
    }

    fn construct(&mut self, class: &'p ClassDecl, obj: &ObjRef, args: Vec<Value>) -> R<()> {
        if self.frames.len() > MAX_FRAMES {
            return Err(Stop::TooLong);
        }
        let scope = bind(&class.ctor_params, args);
        self.frames.push(Frame {
            scopes: vec![scope],
            this: Some(obj.clone()),
            class: Some(class.name.clone()),
            top: false,
        });
        let r = self.construct_body(class, obj);
        self.frames.pop();
        r
    }

    fn construct_body(&mut self, class: &'p ClassDecl, obj: &ObjRef) -> R<()> {
        if let Some(parent) = &class.parent {
            let vs = self.eval_args(&class.super_args)?;
            let pc = self.classes[parent.as_str()];
            self.construct(pc, obj, vs)?;
        }
        for (f, init) in class.fields.iter().zip(&class.field_inits) {
            let v = self.eval(init)?.convert_to(&f.ty);
            obj.borrow_mut().fields.insert(f.name.clone(), v);
        }
        match self.exec_seq(&class.ctor_body)? {
            Flow::Normal | Flow::Return(_) => Ok(()),
            _ => panic!("break or continue in a constructor"),
        }
    }

    fn new_object(&mut self, name: &str, args: Vec<Value>) -> R<Value> {
        let class = self.classes[name];
        let mut fields = HashMap::new();
        let mut c = Some(class);
        while let Some(k) = c {
            for f in &k.fields {
                fields.insert(f.name.clone(), zero(&f.ty));
            }
            c = k.parent.as_deref().map(|p| self.classes[p]);
        }
        let obj = Rc::new(RefCell::new(Object {
            class: name.to_string(),
            fields,
        }));
        self.construct(class, &obj, args)?;
        Ok(Value::Obj(obj))
    }

    fn this(&mut self) -> ObjRef {
        self.frame().this.clone().expect("this")
    }

    fn place(&mut self, e: &Expr) -> R<Place> {
        match &e.kind {
            ExprKind::Var(n) => Ok(Place::Var(n.clone())),
            ExprKind::Field(recv, name) => {
                let o = self.eval(recv)?.obj();
                Ok(Place::Field(o, name.clone()))
            }
            ExprKind::Index(a, i) => {
                let a = self.eval(a)?;
                let i = self.eval(i)?.int();
                match a {
                    Value::IntArr(v) => Ok(Place::IntElem(v, i)),
                    Value::FloatArr(v) => Ok(Place::FloatElem(v, i)),
                    other => panic!("indexing {other:?}"),
                }
            }
            _ => panic!("not a place: {e:?}"),
        }
    }

    fn read(&mut self, p: &Place) -> R<Value> {
        match p {
            Place::Var(n) => Ok(self.read_var(n)),
            Place::Field(o, n) => Ok(o.borrow().fields[n].clone()),
            Place::IntElem(a, i) => {
                let a = a.borrow();
                match usize::try_from(*i).ok().and_then(|k| a.get(k)) {
                    Some(v) => Ok(Value::Int(*v)),
                    None => Err(index_error(*i, a.len())),
                }
            }
            Place::FloatElem(a, i) => {
                let a = a.borrow();
                match usize::try_from(*i).ok().and_then(|k| a.get(k)) {
                    Some(v) => Ok(Value::Float(*v)),
                    None => Err(index_error(*i, a.len())),
                }
            }
        }
    }

    /// Stores `v` (already of the place's type) and returns it.
    fn write(&mut self, p: &Place, v: Value) -> R<Value> {
        match p {
            Place::Var(n) => {
                self.write_var(n, v.clone());
                Ok(self.read_var(n))
            }
            Place::Field(o, n) => {
                let class = o.borrow().class.clone();
                let ty = self.field_type(&class, n);
                let v = v.convert_to(&ty);
                o.borrow_mut().fields.insert(n.clone(), v.clone());
                Ok(v)
            }
            Place::IntElem(a, i) => {
                let mut a = a.borrow_mut();
                let len = a.len();
                match usize::try_from(*i).ok().and_then(|k| a.get_mut(k)) {
                    Some(slot) => {
                        *slot = v.int();
                        Ok(Value::Int(*slot))
                    }
                    None => Err(index_error(*i, len)),
                }
            }
            Place::FloatElem(a, i) => {
                let mut a = a.borrow_mut();
                let len = a.len();
                match usize::try_from(*i).ok().and_then(|k| a.get_mut(k)) {
                    Some(slot) => {
                        *slot = v.float();
                        Ok(Value::Float(*slot))
                    }
                    None => Err(index_error(*i, len)),
                }
            }
        }
    }

    fn eval(&mut self, e: &Expr) -> R<Value> {
        self.tick()?;
        match &e.kind {
            ExprKind::Int { value, .. } => Ok(Value::Int(*value as i32)),
            ExprKind::Float(t) => Ok(Value::Float(num::parse_float_literal(t))),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::Var(n) => Ok(self.read_var(n)),
            ExprKind::This => Ok(Value::Obj(self.this())),
            ExprKind::Unary(op, x) => {
                let v = self.eval(x)?;
                Ok(match (op, v) {
                    (UnOp::Not, v) => Value::Bool(!truthy_as(&v, &x.ty)),
                    (UnOp::Neg, v) if x.ty == Ty::Any => match v {
                        Value::Int(i) => boxed(Value::Int(i.wrapping_neg())),
                        Value::Float(f) => boxed(Value::Float(-f)),
                        v => return Err(bad_operand("unary minus", &v)),
                    },
                    (UnOp::Neg, Value::Int(i)) => Value::Int(i.wrapping_neg()),
                    (UnOp::Neg, Value::Float(f)) => Value::Float(-f),
                    (UnOp::Plus, v) => v,
                    (UnOp::BitNot, Value::Int(i)) => Value::Int(!i),
                    (op, v) => panic!("bad operand for {op:?}: {v:?}"),
                })
            }
            ExprKind::Binary(BinOp::And, l, r) => {
                if !truthy_as(&self.eval(l)?, &l.ty) {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(truthy_as(&self.eval(r)?, &r.ty)))
            }
            ExprKind::Binary(BinOp::Or, l, r) => {
                if truthy_as(&self.eval(l)?, &l.ty) {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(truthy_as(&self.eval(r)?, &r.ty)))
            }
            ExprKind::Binary(op, l, r) => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                binary(*op, &a, &b, &e.ty, dynamic(&l.ty, &r.ty))
            }
            ExprKind::Cond(c, a, b) => {
                let v = if truthy_as(&self.eval(c)?, &c.ty) {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                };
                Ok(v.convert_to(&e.ty))
            }
            ExprKind::Call(name, args) => {
                let vs = self.eval_args(args)?;
                let f = self.funcs[name.as_str()];
                self.call_body(f, vs, None, None)
            }
            ExprKind::MethodCall(recv, name, args) => {
                let o = self.eval(recv)?.obj();
                let vs = self.eval_args(args)?;
                let class = o.borrow().class.clone();
                let (m, owner) = self.find_method(&class, name);
                self.call_body(m, vs, Some(o), Some(owner))
            }
            ExprKind::SuperCall(name, args) => {
                let o = self.this();
                let vs = self.eval_args(args)?;
                let current = self.frame().class.clone().expect("in a method");
                let parent = self.classes[current.as_str()]
                    .parent
                    .clone()
                    .expect("a superclass");
                let (m, owner) = self.find_method(&parent, name);
                self.call_body(m, vs, Some(o), Some(owner))
            }
            ExprKind::Field(..) | ExprKind::Index(..) => {
                let p = self.place(e)?;
                self.read(&p)
            }
            ExprKind::Length(a) => Ok(Value::Int(match self.eval(a)? {
                Value::IntArr(v) => v.borrow().len() as i32,
                Value::FloatArr(v) => v.borrow().len() as i32,
                other => panic!("length of {other:?}"),
            })),
            ExprKind::New(c, args) => {
                let vs = self.eval_args(args)?;
                self.new_object(c, vs)
            }
            ExprKind::NewArray(n, init) => {
                let n = self.eval(n)?.int();
                let init = match init {
                    Some(i) => Some(self.eval(i)?),
                    None => None,
                };
                let n = usize::try_from(n).expect("a non-negative array length");
                Ok(match e.ty {
                    Ty::IntArr => {
                        let v = init.map(|v| v.int()).unwrap_or(0);
                        Value::IntArr(Rc::new(RefCell::new(vec![v; n])))
                    }
                    Ty::FloatArr => {
                        let v = init.map(|v| v.float()).unwrap_or(0.0);
                        Value::FloatArr(Rc::new(RefCell::new(vec![v; n])))
                    }
                    _ => panic!("array type"),
                })
            }
            ExprKind::ArrayLit(es) => {
                let vs = self.eval_args(es)?;
                Ok(match e.ty {
                    Ty::IntArr => {
                        Value::IntArr(Rc::new(RefCell::new(vs.iter().map(Value::int).collect())))
                    }
                    Ty::FloatArr => Value::FloatArr(Rc::new(RefCell::new(
                        vs.iter().map(Value::float).collect(),
                    ))),
                    _ => panic!("array type"),
                })
            }
            ExprKind::Undefined => Ok(Value::Void),
            ExprKind::Unbox(x) => {
                let v = self.eval(x)?;
                v.unbox(&e.ty, &self.classes)
            }
            ExprKind::As(x) if x.ty == Ty::Any => {
                let v = self.eval(x)?;
                v.unbox(&e.ty, &self.classes)
            }
            ExprKind::Arrow(params, body) => {
                let Ty::Func(_, ret) = &e.ty else {
                    panic!("an arrow of a non-function type")
                };
                let f = self.frame();
                Ok(Value::Func(Rc::new(Closure {
                    params: params.clone(),
                    ret: (**ret).clone(),
                    body: body.clone(),
                    env: f.scopes.clone(),
                    this: f.this.clone(),
                    class: f.class.clone(),
                })))
            }
            ExprKind::CallValue(callee, args) => {
                let Value::Func(c) = self.eval(callee)? else {
                    panic!("calling a non-function")
                };
                let vs = self.eval_args(args)?;
                self.call_closure(&c, vs)
            }
            ExprKind::As(x) => {
                let v = self.eval(x)?;
                Ok(match (&e.ty, v) {
                    (Ty::Int, Value::Float(f)) => Value::Int(num::float_to_int(f)),
                    (Ty::Float, Value::Int(i)) => Value::Float(i as f32),
                    (_, v) => v,
                })
            }
            ExprKind::Assign(op, target, value) => {
                let p = self.place(target)?;
                let v = match op {
                    None => self.eval(value)?,
                    Some(op) => {
                        let old = self.read(&p)?;
                        let r = self.eval(value)?;
                        let rty = crate::ast::binary_type(*op, &target.ty, &value.ty);
                        let dynamic = dynamic(&target.ty, &value.ty);
                        let v = binary(*op, &old, &r, &rty, dynamic)?;
                        match (&target.ty, v) {
                            // `i += f` truncates back to integer.
                            (Ty::Int, Value::Float(f)) => Value::Int(num::float_to_int(f)),
                            (_, v) => v,
                        }
                    }
                };
                self.write(&p, v)
            }
            ExprKind::IncDec {
                prefix,
                inc,
                target,
            } => {
                let p = self.place(target)?;
                let old = self.read(&p)?;
                let new = match (&old, inc) {
                    (Value::Int(i), true) => Value::Int(i.wrapping_add(1)),
                    (Value::Int(i), false) => Value::Int(i.wrapping_sub(1)),
                    (Value::Float(f), true) => Value::Float(f + 1.0),
                    (Value::Float(f), false) => Value::Float(f - 1.0),
                    (v, _) => return Err(bad_operand(if *inc { "++" } else { "--" }, v)),
                };
                let new = self.write(&p, new)?;
                Ok(if *prefix { new } else { old })
            }
        }
    }
}

/// `a op b` where `ty` is the static result type (it decides integer versus float arithmetic
/// and string concatenation).
fn binary(op: BinOp, a: &Value, b: &Value, ty: &Ty, dynamic: bool) -> R<Value> {
    if *ty == Ty::Str {
        return Ok(Value::Str(a.concat_text() + &b.concat_text()));
    }
    if dynamic {
        return any_binary(op, &boxed(a.clone()), &boxed(b.clone()));
    }
    if op.is_comparison() {
        let r = match (a, b) {
            (Value::Int(x), Value::Int(y)) => compare(op, x, y),
            (Value::Bool(x), Value::Bool(y)) => compare(op, x, y),
            _ => {
                let (x, y) = (a.float(), b.float());
                match op {
                    BinOp::Lt => x < y,
                    BinOp::Le => x <= y,
                    BinOp::Gt => x > y,
                    BinOp::Ge => x >= y,
                    BinOp::Eq | BinOp::StrictEq => x == y,
                    _ => x != y,
                }
            }
        };
        return Ok(Value::Bool(r));
    }
    if *ty == Ty::Int {
        let (x, y) = (a.int(), b.int());
        let v = match op {
            BinOp::Add => x.wrapping_add(y),
            BinOp::Sub => x.wrapping_sub(y),
            BinOp::Mul => x.wrapping_mul(y),
            BinOp::Div => num::int_div(x, y).ok_or_else(div_zero)?,
            BinOp::Rem => num::int_rem(x, y).ok_or_else(div_zero)?,
            BinOp::Pow => num::int_pow(x, y).ok_or_else(div_zero)?,
            BinOp::BitAnd => x & y,
            BinOp::BitOr => x | y,
            BinOp::BitXor => x ^ y,
            BinOp::Shl => num::shl(x, y),
            BinOp::Shr => num::shr(x, y),
            BinOp::UShr => num::ushr(x, y),
            _ => unreachable!("{op:?}"),
        };
        return Ok(Value::Int(v));
    }
    let (x, y) = (a.float(), b.float());
    let v = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => x.powf(y),
        _ => unreachable!("{op:?} on floats"),
    };
    Ok(Value::Float(v))
}

fn compare<T: PartialOrd>(op: BinOp, x: T, y: T) -> bool {
    match op {
        BinOp::Lt => x < y,
        BinOp::Le => x <= y,
        BinOp::Gt => x > y,
        BinOp::Ge => x >= y,
        BinOp::Eq | BinOp::StrictEq => x == y,
        _ => x != y,
    }
}

/// Whether an operator on operands of these static types is decided at run time from the
/// values (an `any` operand, or a comparison of references).
fn dynamic(l: &Ty, r: &Ty) -> bool {
    let plain = |t: &Ty| matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Str);
    !plain(l) || !plain(r)
}

/// Whether two boxed values are the same tagged word (spec 4.4): numbers by tag and bits, strings
/// by content, everything else by identity.
fn same_word(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => num::box_float(*x) == num::box_float(*y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::IntArr(x), Value::IntArr(y)) => Rc::ptr_eq(x, y),
        (Value::FloatArr(x), Value::FloatArr(y)) => Rc::ptr_eq(x, y),
        (Value::Obj(x), Value::Obj(y)) => Rc::ptr_eq(x, y),
        (Value::Func(x), Value::Func(y)) => Rc::ptr_eq(x, y),
        (Value::Void, Value::Void) => true,
        _ => false,
    }
}

/// `a op b` on boxed values, decided from their tags (spec 4.1, 4.4, 4.6).
fn any_binary(op: BinOp, a: &Value, b: &Value) -> R<Value> {
    match op {
        BinOp::Eq | BinOp::StrictEq => return Ok(Value::Bool(same_word(a, b))),
        BinOp::Ne | BinOp::StrictNe => return Ok(Value::Bool(!same_word(a, b))),
        _ => {}
    }
    let number = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
    if op == BinOp::Add && (matches!(a, Value::Str(_)) || matches!(b, Value::Str(_))) {
        return Ok(Value::Str(a.concat_text() + &b.concat_text()));
    }
    if op.is_comparison() {
        // A string on the left asks for a string on the right.
        if let Value::Str(x) = a {
            return match b {
                Value::Str(y) => Ok(Value::Bool(compare(op, x.as_bytes(), y.as_bytes()))),
                _ => Err(bad_operand(op.text(), b)),
            };
        }
    }
    if !number(a) {
        return Err(bad_operand(op.text(), a));
    }
    if !number(b) {
        return Err(bad_operand(op.text(), b));
    }
    if op.is_comparison() {
        return Ok(Value::Bool(match (a, b) {
            (Value::Int(x), Value::Int(y)) => compare(op, x, y),
            _ => compare(op, a.float(), b.float()),
        }));
    }
    let ty = match (a, b) {
        (Value::Int(_), Value::Int(_)) => Ty::Int,
        _ if op == BinOp::Rem => {
            let v = if matches!(a, Value::Float(_)) { a } else { b };
            return Err(bad_operand("%", v));
        }
        _ => Ty::Float,
    };
    Ok(boxed(binary(op, a, b, &ty, false)?))
}
