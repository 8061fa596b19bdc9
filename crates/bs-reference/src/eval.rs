//! The reference interpreter: runs a program of the subset and yields exactly what
//! `bscript run` should write to standard output, and whether the run ends with a run-time error.
//! It follows the specification directly: left-to-right evaluation of operands and arguments,
//! JavaScript order for assignments (target, then old value, then right side), 32-bit wrapping
//! integers, binary32 floats, boxing at `print` and in string concatenation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{
    BinOp, ClassDecl, Expr, ExprKind, FuncDecl, Item, LoopKind, Program, Stmt, Ty, UnOp,
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
    Void,
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
            _ => self,
        }
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
    scopes: Vec<Vec<(String, Ty, Value)>>,
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
            f.scopes
                .last_mut()
                .expect("a scope")
                .push((name.to_string(), ty.clone(), v));
        }
    }

    fn lookup(&mut self, name: &str) -> &mut (String, Ty, Value) {
        let f = self.frames.last_mut().expect("a frame");
        for scope in f.scopes.iter_mut().rev() {
            if let Some(slot) = scope.iter_mut().rev().find(|(n, _, _)| n == name) {
                return slot;
            }
        }
        panic!("unknown variable {name}")
    }

    fn read_var(&mut self, name: &str) -> Value {
        let f = self.frames.last().expect("a frame");
        for scope in f.scopes.iter().rev() {
            if let Some((_, _, v)) = scope.iter().rev().find(|(n, _, _)| n == name) {
                return v.clone();
            }
        }
        match self.globals.get(name) {
            Some((_, v)) => v.clone(),
            None => panic!("unknown variable {name}"),
        }
    }

    fn write_var(&mut self, name: &str, v: Value) {
        let f = self.frames.last().expect("a frame");
        let local = f.scopes.iter().any(|s| s.iter().any(|(n, _, _)| n == name));
        if local {
            let slot = self.lookup(name);
            slot.2 = v.convert_to(&slot.1);
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
                if self.eval(c)?.truthy() {
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
            match kind {
                LoopKind::ForUp => self.write_var(var, Value::Int(i + 1)),
                LoopKind::ForDown => self.write_var(var, Value::Int(i - 1)),
                LoopKind::While | LoopKind::DoWhile => {}
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
        let scope = f
            .params
            .iter()
            .zip(args)
            .map(|(p, v)| (p.name.clone(), p.ty.clone(), v.convert_to(&p.ty)))
            .collect();
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
        let scope = class
            .ctor_params
            .iter()
            .zip(args)
            .map(|(p, v)| (p.name.clone(), p.ty.clone(), v.convert_to(&p.ty)))
            .collect();
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
                    (UnOp::Not, v) => Value::Bool(!v.truthy()),
                    (UnOp::Neg, Value::Int(i)) => Value::Int(i.wrapping_neg()),
                    (UnOp::Neg, Value::Float(f)) => Value::Float(-f),
                    (UnOp::Plus, v) => v,
                    (UnOp::BitNot, Value::Int(i)) => Value::Int(!i),
                    (op, v) => panic!("bad operand for {op:?}: {v:?}"),
                })
            }
            ExprKind::Binary(BinOp::And, l, r) => {
                if !self.eval(l)?.truthy() {
                    return Ok(Value::Bool(false));
                }
                Ok(Value::Bool(self.eval(r)?.truthy()))
            }
            ExprKind::Binary(BinOp::Or, l, r) => {
                if self.eval(l)?.truthy() {
                    return Ok(Value::Bool(true));
                }
                Ok(Value::Bool(self.eval(r)?.truthy()))
            }
            ExprKind::Binary(op, l, r) => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                binary(*op, &a, &b, &e.ty)
            }
            ExprKind::Cond(c, a, b) => {
                let v = if self.eval(c)?.truthy() {
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
                        let v = binary(*op, &old, &r, &rty)?;
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
                    (v, _) => panic!("++/-- on {v:?}"),
                };
                let new = self.write(&p, new)?;
                Ok(if *prefix { new } else { old })
            }
        }
    }
}

/// `a op b` where `ty` is the static result type (it decides integer versus float arithmetic
/// and string concatenation).
fn binary(op: BinOp, a: &Value, b: &Value, ty: &Ty) -> R<Value> {
    if *ty == Ty::Str {
        return Ok(Value::Str(a.concat_text() + &b.concat_text()));
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
