//! A random generator of well-typed, terminating BlueScript programs of the reference subset.
//!
//! Generation is type-directed: every expression is built for a wanted static type from the
//! variables, functions, fields and methods in scope. Termination is guaranteed by
//! construction: loops are counted with read-only counters, a function calls only functions
//! declared before it (and, if it is recursive, itself with a read-only depth `n - 1` after an
//! `if (n <= 0) return …` guard, outside loops), a method calls only object-free functions
//! declared before its class and methods of `this` that come earlier in a program-wide order,
//! and methods do not touch other objects. The evaluator's step limit catches the rest
//! (exponential call trees), and such programs are rejected rather than run.
//!
//! Integer division, remainder and negative powers get a non-zero operand (`e | 1`,
//! `(e & 7) + 1`, a non-zero literal) and array indexes are reduced into range, except for rare
//! deliberate unguarded ones when [`GenConfig::errors`] is on, which test run-time errors.

use std::collections::HashSet;

use proptest::prelude::RngCore;

use crate::ast::{
    BinOp, ClassDecl, Expr, ExprKind, FuncDecl, Item, LoopKind, Param, Program, Stmt, Ty, UnOp,
};

/// Size and feature settings of the generator.
#[derive(Clone, Debug)]
pub struct GenConfig {
    /// The most top-level items (declarations and statements).
    pub max_items: u32,
    /// The most top-level functions.
    pub max_funcs: u32,
    /// The most classes (0 disables classes).
    pub max_classes: u32,
    /// The deepest statement nesting.
    pub max_stmt_depth: u32,
    /// The deepest expression nesting.
    pub max_expr_depth: u32,
    /// The most statements in one block.
    pub max_block: u32,
    /// The most statements in the whole program.
    pub max_statements: u32,
    /// Whether `integer[]` and `float[]` values are generated.
    pub arrays: bool,
    /// Whether rare unguarded divisions and indexes (possible run-time errors) are generated.
    pub errors: bool,
    /// Whether `**` with a float operand is generated.
    pub float_pow: bool,
    /// Whether classes are generated.
    pub classes: bool,
    /// Whether the operands of string concatenations may have side effects (assignments,
    /// calls), which makes their evaluation order visible.
    pub effects_in_concat: bool,
    /// Whether the left operand of `/`, `%`, `<<`, `>>`, `>>>` and `**`, and every call
    /// argument but the last, may have side effects, which makes their order with the later
    /// operands visible.
    pub effects_in_earlier_operands: bool,
    /// Whether `0.0 - e` with an integer `e` is generated (a float zero literal minus an
    /// integer operand).
    pub zero_minus_int: bool,
    /// Whether `any` values are generated (boxing, conversions back, arithmetic and
    /// comparisons on `any`).
    pub any: bool,
    /// Whether nullable class types (`C | undefined`) and narrowing by `if` are generated.
    pub nullable: bool,
    /// Whether arrow functions (closures) are generated.
    pub closures: bool,
    /// Whether variables declared at top level are narrowed (globals, and locals of top-level
    /// blocks). Off by default: a call of program code ends the narrowing of a mutable global
    /// (the checker knows this rule), but the generator does not yet keep the uses of a
    /// narrowed global before the first call in its block, so most such programs would be
    /// rejected.
    pub narrow_globals: bool,
    /// Whether narrowing after `if (v === undefined) { return … }` is generated.
    pub early_return: bool,
    /// Whether programs that use a narrowed variable after assigning it (which the compiler
    /// must reject) are generated, now and then. Off by default, since those programs do not
    /// run; the differential test turns it on.
    pub narrow_end: bool,
    /// Whether closures created in a `for` loop may capture its counter (a fresh variable per
    /// iteration).
    pub for_capture: bool,
    /// Whether `++` and `--` are applied to `any` variables (which may hold non-numbers).
    pub any_inc_dec: bool,
    /// Whether arrow functions created where a variable is narrowed use that variable (as the
    /// nullable variable it is inside them).
    pub closure_narrowing: bool,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            max_items: 16,
            max_funcs: 4,
            max_classes: 3,
            max_stmt_depth: 3,
            max_expr_depth: 3,
            max_block: 5,
            max_statements: 90,
            arrays: true,
            errors: true,
            float_pow: true,
            classes: true,
            effects_in_concat: true,
            effects_in_earlier_operands: true,
            zero_minus_int: true,
            any: true,
            nullable: true,
            closures: true,
            narrow_globals: false,
            early_return: true,
            narrow_end: false,
            for_capture: true,
            any_inc_dec: true,
            closure_narrowing: true,
        }
    }
}

/// Generates one program from `rng`.
pub fn generate<R: RngCore + ?Sized>(rng: &mut R, config: &GenConfig) -> Program {
    let mut g = Gen {
        rng,
        cfg: config.clone(),
        next_name: 0,
        used_odd: HashSet::new(),
        scopes: vec![Vec::new()],
        base: 0,
        hidden: None,
        funcs: Vec::new(),
        classes: Vec::new(),
        next_order: 0,
        ret: None,
        loops: 0,
        this_class: None,
        method_order: None,
        in_ctor: false,
        object_free: false,
        touched: false,
        pure: false,
        current_fn: None,
        stmts_left: config.max_statements,
        arrow_base: 0,
        reject: false,
    };
    g.program()
}

#[derive(Clone, Debug)]
struct VarInfo {
    name: String,
    ty: Ty,
    mutable: bool,
    /// The length of an array variable.
    len: u32,
    /// The values a loop counter can take.
    range: Option<(i64, i64)>,
    /// A nullable variable narrowed to its class type in this scope.
    narrowed: bool,
    /// The counter of a `for` loop.
    for_counter: bool,
}

#[derive(Clone, Debug)]
struct FnInfo {
    name: String,
    params: Vec<Ty>,
    ret: Ty,
    touches_objects: bool,
    /// The first parameter is a read-only depth `n`; the body starts with
    /// `if (n <= 0) return …` and calls the function itself only with `n - 1`.
    recursive: bool,
}

#[derive(Clone, Debug)]
struct MethodInfo {
    name: String,
    params: Vec<Ty>,
    ret: Ty,
    order: u32,
}

#[derive(Clone, Debug)]
struct ClassInfo {
    name: String,
    parent: Option<String>,
    fields: Vec<Param>,
    ctor: Vec<Ty>,
    methods: Vec<MethodInfo>,
}

struct Gen<'r, R: RngCore + ?Sized> {
    rng: &'r mut R,
    cfg: GenConfig,
    next_name: u32,
    used_odd: HashSet<&'static str>,
    /// Scope 0 holds the globals; inside a function only scopes from `base` on (and scope 0)
    /// are visible.
    scopes: Vec<Vec<VarInfo>>,
    base: usize,
    /// A name that must not be used (the variable being declared shadows it).
    hidden: Option<String>,
    funcs: Vec<FnInfo>,
    classes: Vec<ClassInfo>,
    next_order: u32,
    /// The result type of the function or method being generated.
    ret: Option<Ty>,
    loops: u32,
    this_class: Option<String>,
    /// The order of the method being generated: only earlier methods of `this` are called.
    method_order: Option<u32>,
    in_ctor: bool,
    /// In a method or constructor: no objects other than `this`, and only object-free functions.
    object_free: bool,
    /// Whether the function being generated has used an object.
    touched: bool,
    /// Generating an expression without side effects: no assignments and no calls.
    pure: bool,
    /// The recursive function being generated (it may call itself with `n - 1`).
    current_fn: Option<FnInfo>,
    stmts_left: u32,
    /// The first scope of the innermost arrow function being generated (0 outside arrows).
    arrow_base: usize,
    /// A deliberate use of a variable whose narrowing ended has been generated.
    reject: bool,
}

const INTERESTING_INTS: &[i32] = &[
    0,
    1,
    -1,
    2,
    3,
    7,
    10,
    31,
    32,
    33,
    100,
    255,
    256,
    1000,
    65535,
    65536,
    1_000_000,
    16_777_217,
    536_870_911,
    536_870_912,
    -536_870_912,
    -536_870_913,
    1_073_741_823,
    1_073_741_824,
    2_147_483_647,
    -2_147_483_648,
    -2_147_483_647,
];

const FLOAT_LITERALS: &[&str] = &[
    "0.0",
    "0.5",
    "1.0",
    "1.5",
    "2.0",
    "0.1",
    "0.2",
    "0.3",
    "2.5",
    "3.14159",
    "100.07",
    "123456.789",
    "16777217.0",
    "1e10",
    "1.0e-7",
    "3.4e38",
    "1e-40",
    "4294967295.0",
    "4294967040.0",
    "65536.0",
    "2147483648.0",
    "0.000001",
    "1e3",
    "2E-2",
    "1.0000001",
    "0.99999994",
    "9.313225746154785e-10",
    "0.0078125",
    "0.0234375",
    "1e-9",
    "12.000001",
    "5.",
    ".5",
];

/// Identifiers that are valid in BlueScript but special in C.
const ODD_NAMES: &[&str] = &[
    "int", "char", "long", "short", "double", "unsigned", "signed", "auto", "register", "volatile",
    "struct", "union", "goto", "sizeof", "extern", "typedef", "inline", "restrict", "main",
    "printf", "malloc", "free", "exit", "abs", "pow", "sqrt", "NULL", "errno", "stdout", "memcpy",
    "strlen", "value_t", "$", "$a", "a$b", "_", "__x", "_Bool",
];

const LABELS: &[&str] = &["", "a", "x=", " ", "|", "v:", "n ", ",", "="];

impl<'r, R: RngCore + ?Sized> Gen<'r, R> {
    // ----- randomness -----

    fn below(&mut self, n: u32) -> u32 {
        if n <= 1 { 0 } else { self.rng.next_u32() % n }
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// An index into `weights`, chosen with those weights (all zero gives 0).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            return 0;
        }
        let mut r = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        let i = self.below(xs.len() as u32) as usize;
        xs[i].clone()
    }

    /// A name not used before in the program: usually `prefix` and a number, sometimes a name
    /// that is a C keyword or a C library name, or one with `$`, which the compiler must not
    /// pass to C unchanged.
    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        if self.chance(4) {
            let name = self.pick(ODD_NAMES);
            if self.used_odd.insert(name) {
                return name.to_string();
            }
        }
        format!("{prefix}{}", self.next_name)
    }

    // ----- scopes -----

    fn visible(&self) -> Vec<VarInfo> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let lo = self.base.max(1);
        for index in (lo..self.scopes.len()).rev().chain(std::iter::once(0)) {
            let outside_arrow = index < self.arrow_base;
            for v in self.scopes[index].iter().rev() {
                // Narrowing does not hold inside an arrow function; there the variable is
                // the nullable one further out.
                if outside_arrow && v.narrowed {
                    if !self.cfg.closure_narrowing {
                        // Leave the variable out of the arrow function altogether.
                        seen.insert(v.name.clone());
                    }
                    continue;
                }
                if !seen.insert(v.name.clone()) {
                    continue;
                }
                // A narrowed variable that must not be used (nor tested again) here.
                if v.narrowed && v.ty == Ty::Void {
                    continue;
                }
                if self.hidden.as_deref() == Some(v.name.as_str()) {
                    continue;
                }
                if self.object_free
                    && matches!(v.ty, Ty::Class(_) | Ty::Opt(_) | Ty::Any | Ty::Func(..))
                {
                    continue;
                }
                if outside_arrow && v.for_counter && !self.cfg.for_capture {
                    continue;
                }
                let mut v = v.clone();
                // An arrow function does not assign nullable variables it captures (that
                // would end a narrowing outside it behind the checker's back).
                if outside_arrow && matches!(v.ty, Ty::Opt(_)) {
                    v.mutable = false;
                }
                out.push(v);
            }
        }
        out
    }

    fn vars_of(&self, ty: &Ty) -> Vec<VarInfo> {
        self.visible().into_iter().filter(|v| v.ty == *ty).collect()
    }

    fn declare(&mut self, v: VarInfo) {
        if let Ty::Class(_) = v.ty {
            self.touched = true;
        }
        self.scopes.last_mut().expect("a scope").push(v);
    }

    fn var_expr(&mut self, v: &VarInfo) -> Expr {
        if let Ty::Class(_) = v.ty {
            self.touched = true;
        }
        Expr::var(&v.name, v.ty.clone())
    }

    // ----- classes -----

    fn class(&self, name: &str) -> &ClassInfo {
        self.classes
            .iter()
            .find(|c| c.name == name)
            .expect("a known class")
    }

    fn chain(&self, name: &str) -> Vec<ClassInfo> {
        let mut out = Vec::new();
        let mut c = Some(name.to_string());
        while let Some(n) = c {
            let k = self.class(&n).clone();
            c = k.parent.clone();
            out.push(k);
        }
        out.reverse();
        out
    }

    fn all_fields(&self, name: &str) -> Vec<Param> {
        self.chain(name)
            .into_iter()
            .flat_map(|k| k.fields.into_iter())
            .collect()
    }

    fn all_methods(&self, name: &str) -> Vec<MethodInfo> {
        let mut out: Vec<MethodInfo> = Vec::new();
        for k in self.chain(name) {
            for m in k.methods {
                if let Some(slot) = out.iter_mut().find(|x| x.name == m.name) {
                    *slot = m;
                } else {
                    out.push(m);
                }
            }
        }
        out
    }

    fn subclasses_of(&self, name: &str) -> Vec<String> {
        self.classes
            .iter()
            .filter(|c| self.chain(&c.name).iter().any(|k| k.name == name))
            .map(|c| c.name.clone())
            .collect()
    }

    /// Receivers whose fields and methods may be used here: object variables, and `this`.
    fn receivers(&mut self) -> Vec<Expr> {
        let mut out: Vec<Expr> = self
            .visible()
            .into_iter()
            .filter(|v| matches!(v.ty, Ty::Class(_)))
            .map(|v| Expr::var(&v.name, v.ty.clone()))
            .collect();
        if let Some(c) = &self.this_class {
            out.push(Expr::new(ExprKind::This, Ty::Class(c.clone())));
        }
        out
    }

    fn mark_receiver(&mut self, recv: &Expr) {
        if !matches!(recv.kind, ExprKind::This) {
            self.touched = true;
        }
    }

    // ----- literals -----

    fn int_literal(&mut self) -> Expr {
        match self.below(12) {
            0..=3 => Expr::int(self.below(11) as i32),
            4 => Expr::int(self.below(256) as i32),
            5 | 6 => {
                let v = self.pick(INTERESTING_INTS);
                Expr::int(v)
            }
            7 => Expr::int(self.rng.next_u32() as i32),
            8 => Expr::new(
                ExprKind::Int {
                    value: self.rng.next_u32(),
                    hex: true,
                },
                Ty::Int,
            ),
            9 => {
                let k = self.below(32);
                let d = self.below(3) as i64 - 1;
                Expr::int(((1i64 << k) + d) as i32)
            }
            10 => Expr::int(-(self.below(20) as i32)),
            _ => Expr::new(
                ExprKind::Int {
                    value: self.below(256),
                    hex: true,
                },
                Ty::Int,
            ),
        }
    }

    fn float_literal(&mut self) -> Expr {
        let text = match self.below(6) {
            0..=2 => self.pick(FLOAT_LITERALS).to_string(),
            3 => {
                // Decimal digits, possibly more than binary32 holds.
                let int_digits = self.below(7);
                let frac_digits = 1 + self.below(12);
                let mut s = String::new();
                for i in 0..int_digits.max(1) {
                    let d = if i == 0 && int_digits > 1 {
                        1 + self.below(9)
                    } else {
                        self.below(10)
                    };
                    s.push(char::from(b'0' + d as u8));
                }
                s.push('.');
                for _ in 0..frac_digits {
                    s.push(char::from(b'0' + self.below(10) as u8));
                }
                s
            }
            4 => {
                // The shortest text of a random binary32 of moderate magnitude.
                let exp = 127 - 40 + self.below(80);
                let bits = (exp << 23) | (self.rng.next_u32() & 0x007F_FFFF);
                format!("{:e}", f32::from_bits(bits))
            }
            _ => format!("{}.{}", self.below(100), self.below(100)),
        };
        Expr::float_lit(&text)
    }

    fn literal(&mut self, ty: &Ty) -> Expr {
        match ty {
            Ty::Int => self.int_literal(),
            Ty::Float => {
                let e = self.float_literal();
                if self.chance(15) {
                    Expr::unary(UnOp::Neg, e)
                } else {
                    e
                }
            }
            Ty::Bool => Expr::bool_lit(self.chance(50)),
            _ => unreachable!("no literal of type {ty}"),
        }
    }

    // ----- expressions -----

    /// An expression of a type assignable to `ty` (an integer one for a float, sometimes).
    fn assignable_expr(&mut self, ty: &Ty, depth: u32) -> Expr {
        match ty {
            Ty::Float if self.chance(25) => self.expr(&Ty::Int, depth),
            Ty::Int | Ty::Float | Ty::Bool => self.expr(ty, depth),
            Ty::Any => self.any_value(depth),
            Ty::Opt(t) => self.opt_value(t, ty),
            Ty::Func(ps, r) => self.func_value(ps, r),
            _ => self.ref_expr(ty),
        }
    }

    /// An expression assignable to `ty` where the context converts (an initial value with a
    /// declared type, an argument, a returned value): sometimes an `any` value converted with
    /// a run-time check.
    fn converted_expr(&mut self, ty: &Ty, depth: u32) -> Expr {
        let convertible = matches!(
            ty,
            Ty::Int | Ty::Float | Ty::Bool | Ty::Class(_) | Ty::Opt(_)
        );
        if convertible && self.cfg.any && self.chance(8) {
            let anys = self.vars_of(&Ty::Any);
            if !anys.is_empty() {
                // Mostly a conversion that succeeds for numbers.
                let v = self.pick(&anys);
                return Expr::new(ExprKind::Unbox(Box::new(self.var_expr(&v))), ty.clone());
            }
        }
        self.assignable_expr(ty, depth)
    }

    // ----- any -----

    /// A value converted to `any`: a number, boolean, string, `undefined`, an array or object,
    /// or an `any` expression.
    fn any_value(&mut self, depth: u32) -> Expr {
        let refs: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| matches!(v.ty, Ty::IntArr | Ty::FloatArr | Ty::Class(_) | Ty::Opt(_)))
            .collect();
        let has_any = !self.vars_of(&Ty::Any).is_empty();
        let w = [
            30,
            20,
            8,
            6,
            3,
            if has_any { 25 } else { 0 },
            if refs.is_empty() { 0 } else { 6 },
        ];
        let d = depth.min(2);
        match self.weighted(&w) {
            1 => self.expr(&Ty::Float, d),
            2 => self.expr(&Ty::Bool, d),
            3 => {
                let l = self.pick(&["", "a", "xy", "0", "1.5"]);
                Expr::str_lit(l)
            }
            4 => Expr::new(ExprKind::Undefined, Ty::Any),
            5 => self.any_expr(d),
            6 => {
                let v = self.pick(&refs);
                self.var_expr(&v)
            }
            _ => self.expr(&Ty::Int, d),
        }
    }

    /// An expression of type `any`.
    fn any_expr(&mut self, depth: u32) -> Expr {
        // Callers make sure that there is an `any` variable.
        let vars = self.vars_of(&Ty::Any);
        if depth == 0 {
            let v = self.pick(&vars);
            return self.var_expr(&v);
        }
        let d = depth - 1;
        let funcs = self.callable_funcs(&Ty::Any);
        let w = [
            if vars.is_empty() { 0 } else { 30 },
            30,
            5,
            4,
            if funcs.is_empty() || self.pure { 0 } else { 6 },
            if self.pure || vars.iter().all(|v| !v.mutable) {
                0
            } else {
                6
            },
            6,
        ];
        match self.weighted(&w) {
            1 => {
                let op = self.pick(&[
                    BinOp::Add,
                    BinOp::Add,
                    BinOp::Sub,
                    BinOp::Mul,
                    BinOp::Div,
                    BinOp::Div,
                    BinOp::Rem,
                    BinOp::Pow,
                ]);
                let l = self.any_expr(d);
                let r = match op {
                    BinOp::Div | BinOp::Rem if self.chance(80) => self.nonzero(d.min(1)),
                    BinOp::Pow => Expr::int(self.below(4) as i32),
                    _ if self.chance(50) => self.any_expr(d),
                    _ => self.num_expr(d.min(1)),
                };
                if self.chance(50) && !matches!(op, BinOp::Div | BinOp::Rem | BinOp::Pow) {
                    Expr::binary(op, r, l)
                } else {
                    Expr::binary(op, l, r)
                }
            }
            2 => Expr::unary(UnOp::Neg, self.any_expr(d)),
            3 => {
                let c = self.truth_expr(d.min(1));
                let a = self.any_expr(d);
                let b = self.any_expr(d);
                Expr::cond(c, a, b)
            }
            4 => {
                let f = self.pick(&funcs);
                self.call(&f)
            }
            5 => self.any_update(d),
            6 => self.closure_call(&Ty::Any).unwrap_or_else(|| {
                let v = self.pick(&vars);
                self.var_expr(&v)
            }),
            _ => {
                let v = self.pick(&vars);
                self.var_expr(&v)
            }
        }
    }

    /// An assignment, compound assignment or `++`/`--` of an `any` variable.
    fn any_update(&mut self, d: u32) -> Expr {
        let targets: Vec<VarInfo> = self
            .vars_of(&Ty::Any)
            .into_iter()
            .filter(|v| v.mutable)
            .collect();
        let t = self.pick(&targets);
        let target = self.var_expr(&t);
        let k = if self.cfg.any_inc_dec {
            self.below(4)
        } else {
            self.below(2)
        };
        match k {
            0 => Expr::assign(None, target, self.any_value(d)),
            1 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]);
                let v = if self.chance(50) {
                    self.num_expr(d.min(1))
                } else {
                    self.any_expr(d)
                };
                Expr::assign(Some(op), target, v)
            }
            _ => Expr::inc_dec(self.chance(50), self.chance(50), target),
        }
    }

    /// A typed expression computed from `any` values, if there are any: an explicit
    /// conversion, or a comparison.
    fn typed_of_any(&mut self, ty: &Ty, d: u32) -> Option<Expr> {
        if !self.cfg.any {
            return None;
        }
        if self.vars_of(&Ty::Any).is_empty() {
            return None;
        }
        Some(match ty {
            Ty::Int | Ty::Float => Expr::cast(self.any_expr(d.min(2)), ty.clone()),
            _ => {
                let l = self.any_expr(d.min(2));
                let op = self.pick(&[
                    BinOp::StrictEq,
                    BinOp::StrictNe,
                    BinOp::Eq,
                    BinOp::Ne,
                    BinOp::Lt,
                    BinOp::Le,
                    BinOp::Gt,
                    BinOp::Ge,
                ]);
                let r = match self.below(6) {
                    0 if equality(op) => Expr::new(ExprKind::Undefined, Ty::Any),
                    1 if equality(op) => self.expr(&Ty::Bool, 0),
                    2 | 3 => self.any_expr(d.min(1)),
                    _ => self.num_expr(d.min(1)),
                };
                if self.chance(30) {
                    Expr::binary(op, r, l)
                } else {
                    Expr::binary(op, l, r)
                }
            }
        })
    }

    // ----- nullable types -----

    /// A value of nullable type `opt` (`t | undefined`).
    fn opt_value(&mut self, t: &Ty, opt: &Ty) -> Expr {
        let vars: Vec<VarInfo> = self.vars_of(opt);
        if !vars.is_empty() && self.chance(30) {
            let v = self.pick(&vars);
            return self.var_expr(&v);
        }
        if self.object_free || self.chance(35) {
            return Expr::new(ExprKind::Undefined, opt.clone());
        }
        self.ref_expr(t)
    }

    /// Nullable variables that may be narrowed here.
    fn narrowable(&self) -> Vec<VarInfo> {
        let top_level = self.ret.is_none();
        // Inside an arrow function only its own variables: captured ones may change behind
        // its back.
        let own: HashSet<String> = self.scopes[self.arrow_base.max(self.base)..]
            .iter()
            .flatten()
            .map(|v| v.name.clone())
            .collect();
        self.visible()
            .into_iter()
            .filter(|v| matches!(v.ty, Ty::Opt(_)))
            .filter(|v| self.arrow_base == 0 || own.contains(&v.name))
            .filter(|v| {
                self.cfg.narrow_globals
                    || (!top_level && !self.scopes[0].iter().any(|g| g.name == v.name))
            })
            .collect()
    }

    /// The narrowed form of nullable variable `v`.
    fn narrowed(v: &VarInfo) -> VarInfo {
        VarInfo {
            name: v.name.clone(),
            ty: v.ty.unwrap_opt().clone(),
            mutable: false,
            len: 0,
            range: None,
            narrowed: true,
            for_counter: false,
        }
    }

    /// `v === undefined` (or a variant) for nullable `v`; `non_null` says whether the test is
    /// true when `v` holds an object.
    fn undefined_test(&mut self, v: &VarInfo, non_null: bool) -> Expr {
        let op = match (non_null, self.chance(70)) {
            (true, true) => BinOp::StrictNe,
            (true, false) => BinOp::Ne,
            (false, true) => BinOp::StrictEq,
            (false, false) => BinOp::Eq,
        };
        let var = self.var_expr(v);
        let u = Expr::new(ExprKind::Undefined, v.ty.clone());
        if self.chance(25) {
            Expr::binary(op, u, var)
        } else {
            Expr::binary(op, var, u)
        }
    }

    /// A use of narrowed variable `v`: print a field, call a method or print the object.
    fn narrowed_use(&mut self, v: &VarInfo) -> Stmt {
        let Ty::Class(c) = v.ty.unwrap_opt().clone() else {
            unreachable!("a nullable class")
        };
        let recv = Expr::var(&v.name, Ty::Class(c.clone()));
        self.touched = true;
        let fields = self.all_fields(&c);
        if !fields.is_empty() && self.chance(80) {
            let f = self.pick(&fields);
            return Stmt::Print {
                arg: Expr::field(recv, &f.name, f.ty.clone()),
                console: false,
            };
        }
        Stmt::Print {
            arg: recv,
            console: false,
        }
    }

    /// `print(v.f)` for a field `f` of nullable variable `v`'s class (which has one).
    fn field_use(&mut self, v: &VarInfo) -> Stmt {
        let Ty::Class(c) = v.ty.unwrap_opt().clone() else {
            unreachable!("a nullable class")
        };
        let fields = self.all_fields(&c);
        let f = self.pick(&fields);
        Stmt::Print {
            arg: Expr::field(Expr::var(&v.name, Ty::Class(c)), &f.name, f.ty.clone()),
            console: false,
        }
    }

    /// `if (v !== undefined) { … v used as an object … } else { … }` or the reverse test.
    fn narrowing_if(&mut self, depth: u32) -> Option<Stmt> {
        let vars = self.narrowable();
        if vars.is_empty() {
            return None;
        }
        let v = self.pick(&vars);
        let non_null_then = self.chance(60);
        let test = self.undefined_test(&v, non_null_then);
        let mut narrowed = Vec::new();
        self.scopes.push(vec![Self::narrowed(&v)]);
        narrowed.push(self.narrowed_use(&v));
        if depth < self.cfg.max_stmt_depth && self.stmts_left > 3 {
            narrowed.extend(self.stmts(depth + 1, self.cfg.max_block));
            if matches!(
                narrowed.last(),
                Some(Stmt::Return(_) | Stmt::Break | Stmt::Continue)
            ) {
                narrowed.pop();
            }
        }
        self.scopes.pop();
        // Now and then: assign the variable, which ends the narrowing, and use it as an
        // object again, which the compiler must reject.
        let has_field = match v.ty.unwrap_opt() {
            Ty::Class(c) => !self.all_fields(c).is_empty(),
            _ => false,
        };
        if self.cfg.narrow_end && v.mutable && has_field && !self.reject && self.chance(60) {
            self.reject = true;
            let target = self.var_expr(&v);
            let assign = Stmt::Expr(Expr::assign(
                None,
                target,
                Expr::new(ExprKind::Undefined, v.ty.clone()),
            ));
            let use_ = self.field_use(&v);
            if self.chance(50) {
                narrowed.push(assign);
                narrowed.push(use_);
            } else {
                // In a loop, the assignment after the use ends the narrowing for the next
                // iteration.
                let var = self.fresh("i");
                narrowed.push(Stmt::Loop {
                    kind: LoopKind::ForUp,
                    var,
                    limit: 2,
                    body: vec![use_, assign],
                });
            }
        }
        let other = if self.chance(50) && self.stmts_left > 3 {
            Some(self.block(depth + 1, 2))
        } else {
            None
        };
        Some(if non_null_then {
            Stmt::If(test, narrowed, other)
        } else {
            Stmt::If(test, other.unwrap_or_default(), Some(narrowed))
        })
    }

    /// `if (v === undefined) { return …; }`, after which `v` is narrowed in the rest of the
    /// block.
    fn early_return(&mut self) -> Option<Stmt> {
        if !self.cfg.early_return || self.in_ctor {
            return None;
        }
        self.ret.as_ref()?;
        let vars = self.narrowable();
        if vars.is_empty() {
            return None;
        }
        let v = self.pick(&vars);
        let test = self.undefined_test(&v, false);
        let r = self.return_stmt();
        // `stmts` narrows the variable after this statement.
        Some(Stmt::If(test, vec![r], None))
    }

    /// Assigns a nullable variable (`undefined` or an object).
    fn nullable_assign(&mut self) -> Option<Stmt> {
        let targets: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| v.mutable && matches!(v.ty, Ty::Opt(_)))
            .collect();
        if targets.is_empty() {
            return None;
        }
        let t = self.pick(&targets);
        let target = self.var_expr(&t);
        let inner = t.ty.unwrap_opt().clone();
        let value = self.opt_value(&inner, &t.ty);
        Some(Stmt::Expr(Expr::assign(None, target, value)))
    }

    // ----- closures -----

    /// A function type for an arrow function.
    fn func_type(&mut self) -> Ty {
        let n = self.below(3);
        let prims = [Ty::Int, Ty::Int, Ty::Float, Ty::Bool, Ty::Any];
        let params = (0..n).map(|_| self.pick(&prims)).collect();
        let ret = self.pick(&[Ty::Int, Ty::Int, Ty::Float, Ty::Bool, Ty::Any, Ty::Void]);
        Ty::Func(params, Box::new(ret))
    }

    /// An arrow function of type `(ps) => ret`; its body sees (and may update) the variables
    /// around it.
    fn arrow(&mut self, ps: &[Ty], ret: &Ty) -> Expr {
        let params: Vec<Param> = ps
            .iter()
            .map(|t| Param::new(&self.fresh("a"), t.clone()))
            .collect();
        let saved = (
            self.arrow_base,
            self.ret.take(),
            self.loops,
            self.current_fn.take(),
            self.in_ctor,
            self.pure,
        );
        self.scopes.push(
            params
                .iter()
                .map(|p| VarInfo {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                    mutable: true,
                    len: 0,
                    range: None,
                    narrowed: false,
                    for_counter: false,
                })
                .collect(),
        );
        self.arrow_base = self.scopes.len() - 1;
        self.ret = Some(ret.clone());
        self.loops = 0;
        self.in_ctor = false;
        self.pure = false;
        let max = self.cfg.max_block.min(3);
        let mut body = if self.stmts_left > 2 {
            self.stmts(1, max)
        } else {
            Vec::new()
        };
        if matches!(
            body.last(),
            Some(Stmt::Return(_) | Stmt::Break | Stmt::Continue)
        ) {
            body.pop();
        }
        if *ret != Ty::Void {
            let d = self.below(3);
            body.push(Stmt::Return(Some(self.converted_expr(ret, d))));
        }
        self.scopes.pop();
        self.arrow_base = saved.0;
        self.ret = saved.1;
        self.loops = saved.2;
        self.current_fn = saved.3;
        self.in_ctor = saved.4;
        self.pure = saved.5;
        Expr::new(
            ExprKind::Arrow(params, body),
            Ty::Func(ps.to_vec(), Box::new(ret.clone())),
        )
    }

    /// A value of function type: a function variable or a new arrow function.
    fn func_value(&mut self, ps: &[Ty], ret: &Ty) -> Expr {
        let ty = Ty::Func(ps.to_vec(), Box::new(ret.clone()));
        let vars = self.vars_of(&ty);
        if !vars.is_empty() && self.chance(30) {
            let v = self.pick(&vars);
            return self.var_expr(&v);
        }
        self.arrow(ps, ret)
    }

    /// Function variables that may be called here with result `ret`. Reassignable ones only
    /// at top level outside arrow functions, so that no closure calls itself through them.
    fn callable_closures(&self, ret: &Ty) -> Vec<VarInfo> {
        let top = self.ret.is_none();
        self.visible()
            .into_iter()
            .filter(|v| matches!(&v.ty, Ty::Func(_, r) if **r == *ret))
            .filter(|v| top || !v.mutable)
            .collect()
    }

    /// A call of a function variable with result `ret`, if there is one.
    fn closure_call(&mut self, ret: &Ty) -> Option<Expr> {
        if self.pure || !self.cfg.closures {
            return None;
        }
        let fs = self.callable_closures(ret);
        if fs.is_empty() {
            return None;
        }
        let f = self.pick(&fs);
        let Ty::Func(ps, _) = &f.ty else {
            unreachable!("a function type")
        };
        let args = self.call_args(ps);
        let callee = self.var_expr(&f);
        Some(Expr::new(
            ExprKind::CallValue(Box::new(callee), args),
            ret.clone(),
        ))
    }

    /// Reassigns a function variable to a new arrow function (in a loop: a closure of this
    /// iteration's variables).
    /// Only variables declared in scopes before `outside_of` are assigned, when it is given.
    fn closure_assign(&mut self, outside_of: Option<usize>) -> Option<(Stmt, String, Ty)> {
        let outer: HashSet<String> = self.scopes[..outside_of.unwrap_or(self.scopes.len())]
            .iter()
            .flatten()
            .map(|v| v.name.clone())
            .collect();
        let targets: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| v.mutable && matches!(v.ty, Ty::Func(..)) && outer.contains(&v.name))
            .collect();
        if targets.is_empty() {
            return None;
        }
        let t = self.pick(&targets);
        let Ty::Func(ps, r) = t.ty.clone() else {
            unreachable!("a function type")
        };
        let target = self.var_expr(&t);
        let value = self.arrow(&ps, &r);
        Some((Stmt::Expr(Expr::assign(None, target, value)), t.name, t.ty))
    }

    /// A declaration of one of the new kinds: `any`, a conversion from `any`, a nullable
    /// object, or a function (`const f = …` or `let f: T = …`).
    fn new_kind_decl(&mut self, name: String, mut constant: bool) -> Option<Stmt> {
        let has_classes = !self.classes.is_empty() && !self.object_free;
        let w = [
            if self.cfg.any { 30 } else { 0 },
            if self.cfg.any { 10 } else { 0 },
            if self.cfg.nullable && has_classes {
                if self.ret.is_some() { 50 } else { 25 }
            } else {
                0
            },
            if self.cfg.closures && !self.object_free {
                25
            } else {
                0
            },
        ];
        if w.iter().all(|x| *x == 0) {
            return None;
        }
        let d = self.expr_depth();
        let (ty, init, annot) = match self.weighted(&w) {
            0 => (Ty::Any, self.any_value(d), true),
            1 => {
                let anys = self.vars_of(&Ty::Any);
                if anys.is_empty() {
                    return None;
                }
                let ty = self.pick(&[Ty::Float, Ty::Float, Ty::Bool, Ty::Int]);
                let v = self.pick(&anys);
                let e = self.var_expr(&v);
                (
                    ty.clone(),
                    Expr::new(ExprKind::Unbox(Box::new(e)), ty),
                    true,
                )
            }
            2 => {
                let c = self.pick(&self.classes.clone()).name;
                let inner = Ty::Class(c);
                let ty = Ty::Opt(Box::new(inner.clone()));
                (ty.clone(), self.opt_value(&inner, &ty), true)
            }
            _ => {
                // Mostly `const`: those may be called anywhere.
                constant = constant || self.chance(50);
                let ty = self.func_type();
                let Ty::Func(ps, r) = &ty else {
                    unreachable!("a function type")
                };
                let init = self.arrow(ps, r);
                (ty, init, !constant)
            }
        };
        self.declare(VarInfo {
            name: name.clone(),
            ty: ty.clone(),
            mutable: !constant,
            len: 0,
            range: None,
            narrowed: false,
            for_counter: false,
        });
        Some(Stmt::Let {
            name,
            constant,
            annot: if annot { Some(ty) } else { None },
            init,
        })
    }

    /// A statement of one of the new kinds, if one fits here.
    fn new_kind_stmt(&mut self, depth: u32) -> Option<Stmt> {
        let narrowing = if self.narrowable().is_empty() { 0 } else { 60 };
        let w = [
            if self.cfg.nullable { narrowing } else { 0 },
            if self.cfg.nullable && self.cfg.early_return {
                narrowing / 3
            } else {
                0
            },
            if self.cfg.nullable { 10 } else { 0 },
            if self.cfg.closures { 15 } else { 0 },
            if self.cfg.any { 15 } else { 0 },
            if self.cfg.any { 15 } else { 0 },
            if self.cfg.closures { 20 } else { 0 },
        ];
        if w.iter().all(|x| *x == 0) {
            return None;
        }
        match self.weighted(&w) {
            6 => {
                let ret = self.pick(&[Ty::Void, Ty::Int, Ty::Float, Ty::Bool, Ty::Any]);
                let call = self.closure_call(&ret)?;
                Some(if ret == Ty::Void {
                    Stmt::Expr(call)
                } else {
                    Stmt::Print {
                        arg: call,
                        console: false,
                    }
                })
            }
            0 => self.narrowing_if(depth),
            1 => self.early_return(),
            2 => self.nullable_assign(),
            3 => self.closure_assign(None).map(|(s, _, _)| s),
            4 => {
                if self.pure || self.vars_of(&Ty::Any).iter().all(|v| !v.mutable) {
                    return None;
                }
                let d = self.expr_depth();
                Some(Stmt::Expr(self.any_update(d)))
            }
            _ => {
                if self.vars_of(&Ty::Any).is_empty() {
                    return None;
                }
                let d = self.expr_depth();
                let arg = self.any_expr(d);
                Some(Stmt::Print {
                    arg,
                    console: false,
                })
            }
        }
    }

    /// An array or object value of a type assignable to `ty`: a variable, a call, or a new
    /// array or object.
    fn ref_expr(&mut self, ty: &Ty) -> Expr {
        match ty {
            Ty::IntArr | Ty::FloatArr => {
                let vars = self.vars_of(ty);
                if !vars.is_empty() && (self.pure || self.chance(75)) {
                    let v = self.pick(&vars);
                    return self.var_expr(&v);
                }
                let n = 1 + self.below(4);
                let elem = ty.elem().expect("an array type");
                let v = self.assignable_expr(&elem, 0);
                Expr::new(
                    ExprKind::NewArray(Box::new(Expr::int(n as i32)), Some(Box::new(v))),
                    ty.clone(),
                )
            }
            Ty::Class(c) => {
                self.touched = true;
                let subs = self.subclasses_of(c);
                let vars: Vec<VarInfo> = self
                    .visible()
                    .into_iter()
                    .filter(|v| matches!(&v.ty, Ty::Class(k) if subs.contains(k)))
                    .collect();
                let funcs: Vec<FnInfo> = if self.pure {
                    Vec::new()
                } else {
                    self.funcs
                        .iter()
                        .filter(|f| matches!(&f.ret, Ty::Class(k) if subs.contains(k)))
                        .cloned()
                        .collect()
                };
                if !vars.is_empty() && (self.pure || self.chance(55)) {
                    let v = self.pick(&vars);
                    return self.var_expr(&v);
                }
                if !funcs.is_empty() && self.chance(40) {
                    let f = self.pick(&funcs);
                    return self.call(&f);
                }
                let k = self.pick(&subs);
                self.new_object(&k)
            }
            _ => unreachable!("no value of type {ty}"),
        }
    }

    /// The left operand of an operator, without side effects when
    /// [`GenConfig::effects_in_earlier_operands`] is off.
    fn helper_left(&mut self, ty: &Ty, depth: u32) -> Expr {
        let saved = self.pure;
        self.pure = saved || !self.cfg.effects_in_earlier_operands;
        let e = self.expr(ty, depth);
        self.pure = saved;
        e
    }

    /// A numeric expression of either type.
    fn num_expr(&mut self, depth: u32) -> Expr {
        if self.chance(55) {
            self.expr(&Ty::Int, depth)
        } else {
            self.expr(&Ty::Float, depth)
        }
    }

    /// An expression of exactly type `ty` (`integer`, `float` or `boolean`).
    fn expr(&mut self, ty: &Ty, depth: u32) -> Expr {
        if depth == 0 {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Int => self.int_expr(d),
            Ty::Float => self.float_expr(d),
            Ty::Bool => self.bool_expr(d),
            Ty::Any => self.any_expr(depth),
            _ => unreachable!("expression of type {ty}"),
        }
    }

    /// A literal, variable, element, field or length of type `ty`.
    fn leaf(&mut self, ty: &Ty) -> Expr {
        let vars = self.vars_of(ty);
        let arrays: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| v.ty.elem().as_ref() == Some(ty))
            .collect();
        let fields = self.field_refs(ty);
        let any_array: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| v.ty.elem().is_some())
            .collect();
        let w = [
            30,
            if vars.is_empty() { 0 } else { 45 },
            if arrays.is_empty() { 0 } else { 12 },
            if fields.is_empty() { 0 } else { 12 },
            if *ty == Ty::Int && !any_array.is_empty() {
                4
            } else {
                0
            },
        ];
        match self.weighted(&w) {
            1 => {
                let v = self.pick(&vars);
                self.var_expr(&v)
            }
            2 => {
                let a = self.pick(&arrays);
                self.element(&a, true)
            }
            3 => {
                let (recv, name) = self.pick(&fields);
                self.mark_receiver(&recv);
                Expr::field(recv, &name, ty.clone())
            }
            4 => {
                let a = self.pick(&any_array);
                Expr::length(Expr::var(&a.name, a.ty.clone()))
            }
            _ => self.literal(ty),
        }
    }

    /// `(receiver, field)` pairs of type `ty`.
    fn field_refs(&mut self, ty: &Ty) -> Vec<(Expr, String)> {
        let mut out = Vec::new();
        for r in self.receivers() {
            let Ty::Class(c) = &r.ty else { continue };
            for f in self.all_fields(c) {
                if f.ty == *ty {
                    out.push((r.clone(), f.name.clone()));
                }
            }
        }
        out
    }

    /// `a[index]` with an index that is in range (unless `reading` and an error case is wanted).
    fn element(&mut self, a: &VarInfo, reading: bool) -> Expr {
        let arr = Expr::var(&a.name, a.ty.clone());
        let idx = self.index_for(a, reading);
        Expr::index(arr, idx)
    }

    fn index_for(&mut self, a: &VarInfo, reading: bool) -> Expr {
        let len = a.len.max(1);
        let arr = Expr::var(&a.name, a.ty.clone());
        let counters: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| matches!(v.range, Some((lo, hi)) if lo >= 0 && hi < len as i64))
            .collect();
        let w = [
            20,
            if counters.is_empty() { 0 } else { 30 },
            20,
            10,
            10,
            if reading && self.cfg.errors { 1 } else { 0 },
        ];
        match self.weighted(&w) {
            1 => {
                let c = self.pick(&counters);
                Expr::var(&c.name, Ty::Int)
            }
            2 => {
                // ((e % L) + L) % L
                let e = self.expr(&Ty::Int, 1);
                let l = Expr::int(len as i32);
                let inner = Expr::binary(
                    BinOp::Add,
                    Expr::binary(BinOp::Rem, e, l.clone()),
                    l.clone(),
                );
                Expr::binary(BinOp::Rem, inner, l)
            }
            3 => {
                // ((e % a.length) + a.length) % a.length
                let e = self.expr(&Ty::Int, 1);
                let l = Expr::length(arr);
                let inner = Expr::binary(
                    BinOp::Add,
                    Expr::binary(BinOp::Rem, e, l.clone()),
                    l.clone(),
                );
                Expr::binary(BinOp::Rem, inner, l)
            }
            4 => {
                // e & (2^k - 1) with 2^k <= L
                let mut mask = 1u32;
                while mask * 2 <= len {
                    mask *= 2;
                }
                let e = self.expr(&Ty::Int, 1);
                Expr::binary(BinOp::BitAnd, e, Expr::int(mask as i32 - 1))
            }
            5 => self.expr(&Ty::Int, 1),
            _ => Expr::int(self.below(len) as i32),
        }
    }

    /// An integer expression that is never zero (or, rarely, one that may be).
    fn nonzero(&mut self, depth: u32) -> Expr {
        let w = [40, 20, 15, 8, if self.cfg.errors { 2 } else { 0 }];
        match self.weighted(&w) {
            1 => loop {
                let v = self.int_literal();
                if let Some(n) = int_value(&v)
                    && n != 0
                {
                    break v;
                }
            },
            2 => {
                let e = self.expr(&Ty::Int, depth);
                Expr::binary(
                    BinOp::Add,
                    Expr::binary(BinOp::BitAnd, e, Expr::int(7)),
                    Expr::int(1),
                )
            }
            3 => Expr::int(-1),
            4 => self.expr(&Ty::Int, depth),
            _ => {
                let e = self.expr(&Ty::Int, depth);
                Expr::binary(BinOp::BitOr, e, Expr::int(1))
            }
        }
    }

    fn callable_funcs(&self, ret: &Ty) -> Vec<FnInfo> {
        self.funcs
            .iter()
            .filter(|f| f.ret == *ret && !(self.object_free && f.touches_objects))
            .cloned()
            .collect()
    }

    fn call_args(&mut self, params: &[Ty]) -> Vec<Expr> {
        let d = self.below(3);
        let saved = self.pure;
        let mut args = Vec::new();
        for (i, p) in params.iter().enumerate() {
            self.pure = saved || (i + 1 < params.len() && !self.cfg.effects_in_earlier_operands);
            args.push(self.converted_expr(p, d));
        }
        self.pure = saved;
        args
    }

    fn call(&mut self, f: &FnInfo) -> Expr {
        if f.touches_objects {
            self.touched = true;
        }
        if !f.recursive {
            let args = self.call_args(&f.params);
            return Expr::call(&f.name, args, f.ret.clone());
        }
        // A small recursion depth.
        let depth = if self.chance(50) {
            Expr::int(self.below(7) as i32)
        } else {
            let saved = self.pure;
            self.pure = saved || (f.params.len() > 1 && !self.cfg.effects_in_earlier_operands);
            let e = self.expr(&Ty::Int, 1);
            self.pure = saved;
            Expr::binary(BinOp::BitAnd, e, Expr::int(7))
        };
        let mut args = vec![depth];
        args.extend(self.call_args(&f.params[1..]));
        Expr::call(&f.name, args, f.ret.clone())
    }

    /// A call of the recursive function being generated, one level deeper.
    fn self_call(&mut self, f: &FnInfo, n: &str) -> Expr {
        let mut args = vec![Expr::binary(
            BinOp::Sub,
            Expr::var(n, Ty::Int),
            Expr::int(1),
        )];
        args.extend(self.call_args(&f.params[1..]));
        Expr::call(&f.name, args, f.ret.clone())
    }

    /// Method calls available here with result `ret`: `(receiver, method)`.
    fn method_refs(&mut self, ret: &Ty) -> Vec<(Expr, MethodInfo)> {
        let mut out = Vec::new();
        for r in self.receivers() {
            let Ty::Class(c) = &r.ty else { continue };
            let is_this = matches!(r.kind, ExprKind::This);
            if is_this && (self.in_ctor || self.method_order.is_none()) {
                continue;
            }
            for m in self.all_methods(c) {
                if m.ret != *ret {
                    continue;
                }
                if is_this && Some(m.order) >= self.method_order {
                    continue;
                }
                out.push((r.clone(), m));
            }
        }
        out
    }

    /// `super.m(…)` calls available in the method being generated.
    fn super_refs(&self, ret: &Ty) -> Vec<MethodInfo> {
        let (Some(c), Some(order)) = (&self.this_class, self.method_order) else {
            return Vec::new();
        };
        let Some(parent) = self.class(c).parent.clone() else {
            return Vec::new();
        };
        self.all_methods(&parent)
            .into_iter()
            .filter(|m| m.ret == *ret && m.order <= order)
            .collect()
    }

    fn method_call(&mut self, recv: Expr, m: &MethodInfo) -> Expr {
        self.mark_receiver(&recv);
        let args = self.call_args(&m.params);
        Expr::method_call(recv, &m.name, args, m.ret.clone())
    }

    /// Calls with result `ret`, as a list of generators' choices: 0 none.
    fn some_call(&mut self, ret: &Ty) -> Option<Expr> {
        if self.pure {
            return None;
        }
        if self.chance(30)
            && let Some(c) = self.closure_call(ret)
        {
            return Some(c);
        }
        let funcs = self.callable_funcs(ret);
        let methods = self.method_refs(ret);
        let supers = self.super_refs(ret);
        let itself = self
            .current_fn
            .clone()
            .filter(|f| f.ret == *ret && self.loops == 0);
        // `f(…).m(…)` on a function returning an object.
        let mut chained = Vec::new();
        if !self.object_free {
            for f in &self.funcs {
                if let Ty::Class(c) = &f.ret {
                    for m in self.all_methods(c) {
                        if m.ret == *ret {
                            chained.push((f.clone(), m));
                        }
                    }
                }
            }
        }
        let w = [
            if funcs.is_empty() { 0 } else { 10 },
            if methods.is_empty() { 0 } else { 8 },
            if supers.is_empty() { 0 } else { 3 },
            if itself.is_some() { 6 } else { 0 },
            if chained.is_empty() { 0 } else { 3 },
        ];
        if w.iter().all(|x| *x == 0) {
            return None;
        }
        Some(match self.weighted(&w) {
            0 => {
                let f = self.pick(&funcs);
                self.call(&f)
            }
            1 => {
                let (r, m) = self.pick(&methods);
                self.method_call(r, &m)
            }
            3 => {
                let f = itself.expect("a recursive function");
                let n = self.current_depth_param();
                self.self_call(&f, &n)
            }
            4 => {
                let (f, m) = self.pick(&chained);
                let recv = self.call(&f);
                self.method_call(recv, &m)
            }
            _ => {
                let m = self.pick(&supers);
                let args = self.call_args(&m.params);
                Expr::new(ExprKind::SuperCall(m.name.clone(), args), m.ret.clone())
            }
        })
    }

    /// Assignable places of type `ty`: variables, elements and fields.
    fn places(&mut self, ty: &Ty) -> Vec<Expr> {
        let mut out: Vec<Expr> = Vec::new();
        let vars = self.visible();
        for v in &vars {
            if v.ty == *ty && v.mutable {
                out.push(Expr::var(&v.name, v.ty.clone()));
            }
        }
        let arrays: Vec<VarInfo> = vars
            .into_iter()
            .filter(|v| v.ty.elem().as_ref() == Some(ty))
            .collect();
        for a in arrays {
            let e = self.element(&a, false);
            out.push(e);
        }
        for (r, f) in self.field_refs(ty) {
            out.push(Expr::field(r, &f, ty.clone()));
        }
        out
    }

    fn mark_place(&mut self, p: &Expr) {
        match &p.kind {
            ExprKind::Field(r, _) => self.mark_receiver(r),
            ExprKind::Var(_) if matches!(p.ty, Ty::Class(_)) => self.touched = true,
            _ => {}
        }
    }

    /// An assignment, compound assignment or `++`/`--` on a numeric or boolean place.
    fn update(&mut self, ty: &Ty, depth: u32) -> Option<Expr> {
        if self.pure {
            return None;
        }
        let places = self.places(ty);
        if places.is_empty() {
            return None;
        }
        let p = self.pick(&places);
        self.mark_place(&p);
        if *ty == Ty::Bool {
            let v = self.expr(&Ty::Bool, depth);
            return Some(Expr::assign(None, p, v));
        }
        let k = self.below(10);
        if k < 2 {
            let prefix = self.chance(50);
            let inc = self.chance(60);
            return Some(Expr::inc_dec(prefix, inc, p));
        }
        if k < 4 {
            let v = self.assignable_expr(ty, depth);
            return Some(Expr::assign(None, p, v));
        }
        let ops: &[BinOp] = if *ty == Ty::Int {
            &[
                BinOp::Add,
                BinOp::Sub,
                BinOp::Mul,
                BinOp::Div,
                BinOp::Rem,
                BinOp::BitAnd,
                BinOp::BitOr,
                BinOp::BitXor,
                BinOp::Shl,
                BinOp::Shr,
            ]
        } else {
            &[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]
        };
        let op = self.pick(ops);
        let v = match op {
            BinOp::Div | BinOp::Rem if *ty == Ty::Int => {
                if op == BinOp::Div && self.chance(20) {
                    self.expr(&Ty::Float, depth)
                } else {
                    self.nonzero(depth)
                }
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul if *ty == Ty::Int && self.chance(15) => {
                // `i += f` truncates the float result back to integer.
                self.expr(&Ty::Float, depth)
            }
            _ if *ty == Ty::Float => self.assignable_expr(ty, depth),
            _ => self.expr(&Ty::Int, depth),
        };
        Some(Expr::assign(Some(op), p, v))
    }

    fn int_expr(&mut self, d: u32) -> Expr {
        if self.chance(4)
            && let Some(e) = self.typed_of_any(&Ty::Int, d)
        {
            return e;
        }
        let w = [15, 6, 20, 8, 3, 8, 8, 4, 4, 8, 3, 3];
        match self.weighted(&w) {
            1 => {
                let op = self.pick(&[UnOp::Neg, UnOp::Neg, UnOp::BitNot, UnOp::Plus]);
                Expr::unary(op, self.expr(&Ty::Int, d))
            }
            2 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul]);
                let l = self.expr(&Ty::Int, d);
                let r = self.expr(&Ty::Int, d);
                Expr::binary(op, l, r)
            }
            3 => {
                let op = self.pick(&[BinOp::Div, BinOp::Rem]);
                let l = self.helper_left(&Ty::Int, d);
                let r = self.nonzero(d);
                Expr::binary(op, l, r)
            }
            4 => {
                if self.chance(50) {
                    let b = self.helper_left(&Ty::Int, d);
                    let e = self.expr(&Ty::Int, d);
                    Expr::binary(BinOp::Pow, b, Expr::binary(BinOp::BitAnd, e, Expr::int(15)))
                } else {
                    let saved = self.pure;
                    self.pure = saved || !self.cfg.effects_in_earlier_operands;
                    let b = self.nonzero(d);
                    self.pure = saved;
                    let e = self.expr(&Ty::Int, d);
                    Expr::binary(BinOp::Pow, b, e)
                }
            }
            5 => {
                let op = self.pick(&[BinOp::BitAnd, BinOp::BitOr, BinOp::BitXor]);
                let l = self.expr(&Ty::Int, d);
                let r = self.expr(&Ty::Int, d);
                Expr::binary(op, l, r)
            }
            6 => {
                let op = self.pick(&[BinOp::Shl, BinOp::Shr, BinOp::UShr]);
                let l = self.helper_left(&Ty::Int, d);
                let r = self.expr(&Ty::Int, d);
                Expr::binary(op, l, r)
            }
            7 => Expr::cast(self.expr(&Ty::Float, d), Ty::Int),
            8 => self.conditional(&Ty::Int, d),
            9 => self
                .some_call(&Ty::Int)
                .unwrap_or_else(|| self.leaf(&Ty::Int)),
            10 => self
                .update(&Ty::Int, d)
                .unwrap_or_else(|| self.leaf(&Ty::Int)),
            11 => {
                if self.chance(50) {
                    Expr::cast(self.expr(&Ty::Int, d), Ty::Int)
                } else {
                    self.leaf(&Ty::Int)
                }
            }
            _ => self.leaf(&Ty::Int),
        }
    }

    fn float_expr(&mut self, d: u32) -> Expr {
        if self.chance(4)
            && let Some(e) = self.typed_of_any(&Ty::Float, d)
        {
            return e;
        }
        let w = [
            15,
            25,
            if self.cfg.float_pow { 3 } else { 0 },
            5,
            4,
            8,
            2,
            3,
        ];
        match self.weighted(&w) {
            1 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
                let (l, r) = match self.below(3) {
                    0 => (self.expr(&Ty::Float, d), self.expr(&Ty::Float, d)),
                    1 => (self.expr(&Ty::Float, d), self.expr(&Ty::Int, d)),
                    _ => (self.expr(&Ty::Int, d), self.expr(&Ty::Float, d)),
                };
                let zero_left = matches!(&l.kind, ExprKind::Float(t) if crate::num::parse_float_literal(t) == 0.0);
                if op == BinOp::Sub && zero_left && r.ty == Ty::Int && !self.cfg.zero_minus_int {
                    return Expr::binary(BinOp::Add, l, r);
                }
                Expr::binary(op, l, r)
            }
            2 => {
                let (b, e) = match self.below(3) {
                    0 => (
                        self.helper_left(&Ty::Float, d),
                        Expr::int(self.below(5) as i32),
                    ),
                    1 => (self.helper_left(&Ty::Int, d), self.literal(&Ty::Float)),
                    _ => (self.helper_left(&Ty::Float, d), self.expr(&Ty::Float, d)),
                };
                Expr::binary(BinOp::Pow, b, e)
            }
            3 => {
                let op = self.pick(&[UnOp::Neg, UnOp::Neg, UnOp::Plus]);
                Expr::unary(op, self.expr(&Ty::Float, d))
            }
            4 => self.conditional(&Ty::Float, d),
            5 => self
                .some_call(&Ty::Float)
                .unwrap_or_else(|| self.leaf(&Ty::Float)),
            6 => Expr::cast(self.expr(&Ty::Int, d), Ty::Float),
            7 => self
                .update(&Ty::Float, d)
                .unwrap_or_else(|| self.leaf(&Ty::Float)),
            _ => self.leaf(&Ty::Float),
        }
    }

    fn truth_expr(&mut self, d: u32) -> Expr {
        match self.below(10) {
            0 | 1 => self.expr(&Ty::Int, d),
            2 => self.expr(&Ty::Float, d),
            _ => self.expr(&Ty::Bool, d),
        }
    }

    fn bool_expr(&mut self, d: u32) -> Expr {
        if self.chance(8)
            && let Some(e) = self.typed_of_any(&Ty::Bool, d)
        {
            return e;
        }
        if self.chance(5) {
            let opts: Vec<VarInfo> = self
                .visible()
                .into_iter()
                .filter(|v| matches!(v.ty, Ty::Opt(_)))
                .collect();
            if !opts.is_empty() {
                let v = self.pick(&opts);
                let non_null = self.chance(50);
                return self.undefined_test(&v, non_null);
            }
        }
        let w = [8, 22, 15, 4, 12, 6, 3, 6, 2];
        match self.weighted(&w) {
            1 => {
                let op = self.comparison();
                let l = self.expr(&Ty::Int, d);
                let r = self.expr(&Ty::Int, d);
                Expr::binary(op, l, r)
            }
            2 => {
                let op = self.comparison();
                let (l, r) = match self.below(3) {
                    0 => (self.expr(&Ty::Float, d), self.expr(&Ty::Float, d)),
                    1 => (self.expr(&Ty::Float, d), self.expr(&Ty::Int, d)),
                    _ => (self.expr(&Ty::Int, d), self.expr(&Ty::Float, d)),
                };
                Expr::binary(op, l, r)
            }
            3 => {
                let op = self.pick(&[BinOp::Eq, BinOp::Ne, BinOp::StrictEq, BinOp::StrictNe]);
                let l = self.expr(&Ty::Bool, d);
                let r = self.expr(&Ty::Bool, d);
                Expr::binary(op, l, r)
            }
            4 => {
                let op = self.pick(&[BinOp::And, BinOp::Or]);
                let l = self.truth_expr(d);
                let r = self.truth_expr(d);
                Expr::binary(op, l, r)
            }
            5 => Expr::unary(UnOp::Not, self.truth_expr(d)),
            6 => self.conditional(&Ty::Bool, d),
            7 => self
                .some_call(&Ty::Bool)
                .unwrap_or_else(|| self.leaf(&Ty::Bool)),
            8 => self
                .update(&Ty::Bool, d)
                .unwrap_or_else(|| self.leaf(&Ty::Bool)),
            _ => self.leaf(&Ty::Bool),
        }
    }

    fn comparison(&mut self) -> BinOp {
        self.pick(&[
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Eq,
            BinOp::StrictEq,
            BinOp::Ne,
            BinOp::StrictNe,
        ])
    }

    fn conditional(&mut self, ty: &Ty, d: u32) -> Expr {
        let c = self.truth_expr(d);
        if *ty == Ty::Float && self.chance(40) {
            // One integer branch: the result is a float.
            let (a, b) = if self.chance(50) {
                (self.expr(&Ty::Int, d), self.expr(&Ty::Float, d))
            } else {
                (self.expr(&Ty::Float, d), self.expr(&Ty::Int, d))
            };
            return Expr::cond(c, a, b);
        }
        let a = self.expr(ty, d);
        let b = self.expr(ty, d);
        Expr::cond(c, a, b)
    }

    /// The argument of a `print`.
    fn print_arg(&mut self) -> Expr {
        let depth = self.expr_depth();
        if self.cfg.any && self.chance(10) && !self.vars_of(&Ty::Any).is_empty() {
            return self.any_expr(depth);
        }
        let objects: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| !matches!(v.ty, Ty::Int | Ty::Float | Ty::Bool))
            .collect();
        let w = [30, 25, 12, 18, if objects.is_empty() { 0 } else { 2 }];
        match self.weighted(&w) {
            1 => self.expr(&Ty::Float, depth),
            2 => self.expr(&Ty::Bool, depth),
            3 => self.concat(depth),
            4 => {
                let v = self.pick(&objects);
                self.var_expr(&v)
            }
            _ => self.expr(&Ty::Int, depth),
        }
    }

    /// A string concatenation of labels and values.
    fn concat(&mut self, depth: u32) -> Expr {
        let saved = self.pure;
        self.pure = saved || !self.cfg.effects_in_concat;
        let e = self.concat_parts(depth);
        self.pure = saved;
        e
    }

    fn concat_parts(&mut self, depth: u32) -> Expr {
        let d = depth.min(2);
        let parts = 2 + self.below(3);
        let mut acc = if self.chance(50) {
            let l = self.pick(LABELS);
            Expr::str_lit(l)
        } else {
            self.num_expr(d)
        };
        for _ in 1..parts {
            let next = if acc.ty == Ty::Str {
                match self.below(7) {
                    0 => {
                        let l = self.pick(LABELS);
                        Expr::str_lit(l)
                    }
                    6 if self.cfg.any && !self.vars_of(&Ty::Any).is_empty() => self.any_expr(d),
                    1 => self.expr(&Ty::Bool, d),
                    _ => self.num_expr(d),
                }
            } else if self.chance(60) {
                let l = self.pick(LABELS);
                Expr::str_lit(l)
            } else {
                self.num_expr(d)
            };
            acc = Expr::binary(BinOp::Add, acc, next);
        }
        if acc.ty != Ty::Str {
            let l = self.pick(LABELS);
            acc = Expr::binary(BinOp::Add, acc, Expr::str_lit(l));
        }
        acc
    }

    fn expr_depth(&mut self) -> u32 {
        1 + self.below(self.cfg.max_expr_depth)
    }

    // ----- statements -----

    fn block(&mut self, depth: u32, max: u32) -> Vec<Stmt> {
        self.scopes.push(Vec::new());
        let body = self.stmts(depth, max);
        self.scopes.pop();
        body
    }

    /// A block whose scope starts with `entry` (a narrowed variable).
    fn block_with(&mut self, depth: u32, max: u32, entry: Option<VarInfo>) -> Vec<Stmt> {
        self.scopes.push(entry.into_iter().collect());
        let body = self.stmts(depth, max);
        self.scopes.pop();
        body
    }

    /// If `c` is a test that narrows a nullable variable (for the checker, and for the
    /// compiler), the variable as it is in the narrowed branch and whether that branch is the
    /// `then` branch. The variable is usable as an object there when the generator may narrow
    /// it (or, for `after_return`, when narrowing after an early return is on); otherwise it is
    /// hidden, so that nothing tests it again.
    fn narrowing_by(&self, c: &Expr, usable: bool) -> Option<(VarInfo, bool)> {
        let (n, then) = crate::check::narrow_test(c)?;
        let v = self
            .visible()
            .into_iter()
            .find(|v| v.name == n && matches!(v.ty, Ty::Opt(_)))?;
        let own = self.scopes[self.arrow_base.max(self.base)..]
            .iter()
            .flatten()
            .any(|x| x.name == n);
        if self.arrow_base > 0 && !own {
            // The checker does not narrow a captured variable in an arrow function.
            return None;
        }
        let usable = usable && self.narrowable().iter().any(|x| x.name == n);
        let mut entry = Self::narrowed(&v);
        if !usable {
            entry.ty = Ty::Void;
        }
        Some((entry, then))
    }

    /// Statements for the current (already pushed) scope.
    fn stmts(&mut self, depth: u32, max: u32) -> Vec<Stmt> {
        let n = 1 + self.below(max.max(1));
        let mut out = Vec::new();
        for _ in 0..n {
            if self.stmts_left == 0 {
                break;
            }
            let s = self.stmt(depth);
            // `if (v === undefined) { …; return }` narrows `v` after it.
            if let Stmt::If(c, a, None) = &s
                && matches!(a.last(), Some(Stmt::Return(_)))
                && let Some((entry, false)) = self.narrowing_by(c, self.cfg.early_return)
            {
                self.declare(entry);
            }
            // Call a new function variable at once now and then, so that its body runs.
            let call = match &s {
                Stmt::Let { name, init, .. }
                    if matches!(init.kind, ExprKind::Arrow(..)) && self.chance(60) =>
                {
                    Some(self.call_of_var(name, &init.ty))
                }
                _ => None,
            };
            let ends = matches!(s, Stmt::Break | Stmt::Continue | Stmt::Return(_));
            out.push(s);
            if ends {
                break;
            }
            out.extend(call);
        }
        out
    }

    /// A statement calling function variable `name` of type `ty` (printing its result).
    fn call_of_var(&mut self, name: &str, ty: &Ty) -> Stmt {
        let Ty::Func(ps, r) = ty else {
            unreachable!("a function type")
        };
        let args = self.call_args(ps);
        let call = Expr::new(
            ExprKind::CallValue(Box::new(Expr::var(name, ty.clone())), args),
            (**r).clone(),
        );
        if **r == Ty::Void {
            Stmt::Expr(call)
        } else {
            Stmt::Print {
                arg: call,
                console: false,
            }
        }
    }

    fn stmt(&mut self, depth: u32) -> Stmt {
        self.stmts_left = self.stmts_left.saturating_sub(1);
        let p = if self.cfg.nullable && !self.narrowable().is_empty() {
            35
        } else {
            15
        };
        if self.chance(p)
            && let Some(s) = self.new_kind_stmt(depth)
        {
            return s;
        }
        let nest = depth < self.cfg.max_stmt_depth && self.stmts_left > 3;
        let w = [
            16,
            18,
            22,
            if nest { 10 } else { 0 },
            if nest && self.loops < 2 { 8 } else { 0 },
            if self.loops > 0 { 4 } else { 0 },
            if self.ret.is_some() && !self.in_ctor {
                3
            } else {
                0
            },
            6,
            if nest { 2 } else { 0 },
        ];
        match self.weighted(&w) {
            0 => self.let_stmt(),
            1 => {
                if self.chance(8)
                    && let Some(s) = self.object_assign()
                {
                    return s;
                }
                let ty = self.pick(&[Ty::Int, Ty::Int, Ty::Float, Ty::Float, Ty::Bool]);
                let d = self.expr_depth();
                match self.update(&ty, d) {
                    Some(e) => Stmt::Expr(e),
                    None => self.print_stmt(),
                }
            }
            3 => {
                let d = self.expr_depth();
                let c = self.truth_expr(d);
                // A test of a nullable variable narrows it in one branch, as the checker does.
                let narrowed = self.narrowing_by(&c, true);
                let (in_then, in_else) = match narrowed {
                    Some((v, true)) => (Some(v), None),
                    Some((v, false)) => (None, Some(v)),
                    None => (None, None),
                };
                let then = self.block_with(depth + 1, self.cfg.max_block, in_then);
                let els = if self.chance(40) {
                    Some(self.block_with(depth + 1, self.cfg.max_block, in_else))
                } else {
                    None
                };
                Stmt::If(c, then, els)
            }
            4 => self.loop_stmt(depth),
            5 => {
                let s = if self.chance(50) {
                    Stmt::Break
                } else {
                    Stmt::Continue
                };
                if self.chance(80) {
                    let d = self.expr_depth();
                    let c = self.truth_expr(d);
                    Stmt::If(c, vec![s], None)
                } else {
                    s
                }
            }
            6 => {
                let r = self.return_stmt();
                if self.chance(85) {
                    let d = self.expr_depth();
                    let c = self.truth_expr(d);
                    Stmt::If(c, vec![r], None)
                } else {
                    r
                }
            }
            7 => self.call_stmt(),
            8 => {
                self.scopes.push(Vec::new());
                let mut body = Vec::new();
                if let Some(s) = self.shadow_decl() {
                    body.push(s);
                }
                body.extend(self.stmts(depth + 1, self.cfg.max_block));
                self.scopes.pop();
                Stmt::Block(body)
            }
            _ => self.print_stmt(),
        }
    }

    fn print_stmt(&mut self) -> Stmt {
        let arg = self.print_arg();
        Stmt::Print {
            arg,
            console: self.chance(10),
        }
    }

    fn return_stmt(&mut self) -> Stmt {
        let ret = self.ret.clone().expect("in a function");
        if ret == Ty::Void {
            Stmt::Return(None)
        } else {
            let d = self.expr_depth();
            Stmt::Return(Some(self.converted_expr(&ret, d)))
        }
    }

    fn call_stmt(&mut self) -> Stmt {
        let ret = self.pick(&[Ty::Void, Ty::Void, Ty::Int, Ty::Float, Ty::Bool]);
        match self.some_call(&ret) {
            Some(c) => Stmt::Expr(c),
            None => self.print_stmt(),
        }
    }

    fn loop_stmt(&mut self, depth: u32) -> Stmt {
        let kind = self.pick(&[
            LoopKind::ForUp,
            LoopKind::ForUp,
            LoopKind::ForDown,
            LoopKind::While,
            LoopKind::DoWhile,
        ]);
        let limit = match self.below(10) {
            0 => 0,
            1..=7 => 1 + self.below(4),
            _ => 5 + self.below(4),
        };
        let var = self.fresh(match kind {
            LoopKind::ForUp | LoopKind::ForDown => "i",
            _ => "w",
        });
        let range = match kind {
            LoopKind::ForUp => (0, limit as i64 - 1),
            LoopKind::ForDown => (1, limit as i64),
            LoopKind::While | LoopKind::DoWhile => (1, limit.max(1) as i64),
        };
        self.scopes.push(vec![VarInfo {
            name: var.clone(),
            ty: Ty::Int,
            mutable: false,
            len: 0,
            range: Some(range),
            narrowed: false,
            for_counter: matches!(kind, LoopKind::ForUp | LoopKind::ForDown),
        }]);
        self.loops += 1;
        let mut body = self.stmts(depth + 1, self.cfg.max_block);
        // Now and then a closure of this iteration's variables escapes the loop, and is called
        // after it (at top level, where reassignable function variables may be called).
        let mut escaped = None;
        if self.cfg.closures
            && self.chance(30)
            && let Some((assign, name, ty)) = self.closure_assign(Some(self.scopes.len() - 1))
        {
            let at = match body.last() {
                Some(Stmt::Break | Stmt::Continue | Stmt::Return(_)) => body.len() - 1,
                _ => body.len(),
            };
            body.insert(at, assign);
            escaped = Some((name, ty));
        }
        self.loops -= 1;
        self.scopes.pop();
        let l = Stmt::Loop {
            kind,
            var,
            limit,
            body,
        };
        match escaped {
            Some((name, ty)) if self.ret.is_none() => {
                let call = self.call_of_var(&name, &ty);
                Stmt::Block(vec![l, call])
            }
            _ => l,
        }
    }

    /// A declaration shadowing a variable of an outer scope, if there is one to shadow.
    fn shadow_decl(&mut self) -> Option<Stmt> {
        let innermost: HashSet<String> = self
            .scopes
            .last()
            .map(|s| s.iter().map(|v| v.name.clone()).collect())
            .unwrap_or_default();
        let candidates: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| {
                v.range.is_none()
                    && v.mutable
                    && matches!(v.ty, Ty::Int | Ty::Float)
                    && !innermost.contains(&v.name)
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let old = self.pick(&candidates);
        let ty = self.pick(&[Ty::Int, Ty::Float, Ty::Bool]);
        self.hidden = Some(old.name.clone());
        let d = self.expr_depth();
        let init = self.expr(&ty, d);
        self.hidden = None;
        self.declare(VarInfo {
            name: old.name.clone(),
            ty: ty.clone(),
            mutable: true,
            len: 0,
            range: None,
            narrowed: false,
            for_counter: false,
        });
        Some(Stmt::Let {
            name: old.name,
            constant: false,
            annot: Some(ty),
            init,
        })
    }

    fn let_stmt(&mut self) -> Stmt {
        let has_classes = !self.classes.is_empty() && !self.object_free;
        let w = [
            35,
            25,
            10,
            if self.cfg.arrays { 10 } else { 0 },
            if self.cfg.arrays { 8 } else { 0 },
            if has_classes { 12 } else { 0 },
        ];
        let global = self.scopes.len() == 1;
        let name = self.fresh(if global { "g" } else { "v" });
        let constant = self.chance(20);
        if self.chance(30)
            && let Some(s) = self.new_kind_decl(name.clone(), constant)
        {
            return s;
        }
        match self.weighted(&w) {
            3 => self.array_decl(name, Ty::IntArr, constant),
            4 => self.array_decl(name, Ty::FloatArr, constant),
            5 => self.object_decl(name, constant),
            k => {
                let ty = [Ty::Int, Ty::Float, Ty::Bool][k.min(2)].clone();
                let d = self.expr_depth();
                let init = self.assignable_expr(&ty, d);
                let annot = if init.ty != ty || self.chance(60) {
                    Some(ty.clone())
                } else {
                    None
                };
                self.declare(VarInfo {
                    name: name.clone(),
                    ty,
                    mutable: !constant,
                    len: 0,
                    range: None,
                    narrowed: false,
                    for_counter: false,
                });
                Stmt::Let {
                    name,
                    constant,
                    annot,
                    init,
                }
            }
        }
    }

    fn array_decl(&mut self, name: String, ty: Ty, constant: bool) -> Stmt {
        let elem = ty.elem().expect("an array type");
        let same: Vec<VarInfo> = self.vars_of(&ty);
        let (init, len) = match self.below(10) {
            0..=3 => {
                let n = 1 + self.below(6);
                let d = self.below(2);
                let es = (0..n).map(|_| self.assignable_expr(&elem, d)).collect();
                (Expr::new(ExprKind::ArrayLit(es), ty.clone()), n)
            }
            4..=6 => {
                // Now and then a large one, so that the collector has work to do.
                let n = if self.chance(15) {
                    16 + self.below(600)
                } else {
                    1 + self.below(8)
                };
                let d = self.below(2);
                let v = self.assignable_expr(&elem, d);
                (
                    Expr::new(
                        ExprKind::NewArray(Box::new(Expr::int(n as i32)), Some(Box::new(v))),
                        ty.clone(),
                    ),
                    n,
                )
            }
            7 => {
                let n = 1 + self.below(8);
                (
                    Expr::new(
                        ExprKind::NewArray(Box::new(Expr::int(n as i32)), None),
                        ty.clone(),
                    ),
                    n,
                )
            }
            _ if !same.is_empty() => {
                let a = self.pick(&same);
                (Expr::var(&a.name, ty.clone()), a.len)
            }
            _ => {
                let d = self.below(2);
                let v = self.assignable_expr(&elem, d);
                (Expr::new(ExprKind::ArrayLit(vec![v]), ty.clone()), 1)
            }
        };
        // An unannotated literal takes the common type of its elements.
        let natural = match &init.kind {
            ExprKind::ArrayLit(es) if es.iter().all(|e| e.ty == Ty::Int) => Ty::IntArr,
            _ => ty.clone(),
        };
        let annot = if natural != ty || self.chance(60) {
            Some(ty.clone())
        } else {
            None
        };
        self.declare(VarInfo {
            name: name.clone(),
            ty,
            mutable: false,
            len,
            range: None,
            narrowed: false,
            for_counter: false,
        });
        Stmt::Let {
            name,
            constant,
            annot,
            init,
        }
    }

    fn new_object(&mut self, class: &str) -> Expr {
        self.touched = true;
        let ctor = self.class(class).ctor.clone();
        let args = self.call_args(&ctor);
        Expr::new(
            ExprKind::New(class.to_string(), args),
            Ty::Class(class.to_string()),
        )
    }

    fn object_decl(&mut self, name: String, constant: bool) -> Stmt {
        let static_class = self.pick(&self.classes.clone()).name;
        let subs = self.subclasses_of(&static_class);
        let same: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| matches!(&v.ty, Ty::Class(c) if subs.contains(c)))
            .collect();
        let init = if !same.is_empty() && self.chance(20) {
            let v = self.pick(&same);
            self.var_expr(&v)
        } else if self.chance(25) {
            self.ref_expr(&Ty::Class(static_class.clone()))
        } else {
            let dynamic = self.pick(&subs);
            self.new_object(&dynamic)
        };
        let annot = if init.ty != Ty::Class(static_class.clone()) || self.chance(50) {
            Some(Ty::Class(static_class.clone()))
        } else {
            None
        };
        let ty = annot.clone().unwrap_or_else(|| init.ty.clone());
        self.declare(VarInfo {
            name: name.clone(),
            ty,
            mutable: !constant,
            len: 0,
            range: None,
            narrowed: false,
            for_counter: false,
        });
        Stmt::Let {
            name,
            constant,
            annot,
            init,
        }
    }

    /// Reassigns an object variable (to a new object or another variable).
    fn object_assign(&mut self) -> Option<Stmt> {
        let targets: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| v.mutable && matches!(v.ty, Ty::Class(_)))
            .collect();
        if targets.is_empty() {
            return None;
        }
        let t = self.pick(&targets);
        let Ty::Class(c) = &t.ty else { return None };
        let subs = self.subclasses_of(c);
        let sources: Vec<VarInfo> = self
            .visible()
            .into_iter()
            .filter(|v| matches!(&v.ty, Ty::Class(k) if subs.contains(k)) && v.name != t.name)
            .collect();
        let value = if !sources.is_empty() && self.chance(40) {
            let v = self.pick(&sources);
            self.var_expr(&v)
        } else {
            let k = self.pick(&subs);
            self.new_object(&k)
        };
        let target = self.var_expr(&t);
        Some(Stmt::Expr(Expr::assign(None, target, value)))
    }

    // ----- declarations -----

    /// A parameter or result type of a top-level function.
    fn signature_type(&mut self, result: bool) -> Ty {
        let class = if self.classes.is_empty() {
            None
        } else {
            Some(Ty::Class(self.pick(&self.classes.clone()).name))
        };
        let w = [
            20,
            15,
            6,
            if result { 8 } else { 0 },
            if self.cfg.arrays { 2 } else { 0 },
            if self.cfg.arrays { 2 } else { 0 },
            if class.is_some() { 3 } else { 0 },
            if self.cfg.any { 4 } else { 0 },
            if self.cfg.nullable && class.is_some() && !result {
                10
            } else {
                0
            },
        ];
        match self.weighted(&w) {
            1 => Ty::Float,
            2 => Ty::Bool,
            3 => Ty::Void,
            4 => Ty::IntArr,
            5 => Ty::FloatArr,
            6 => class.expect("a class"),
            7 => Ty::Any,
            8 => Ty::Opt(Box::new(class.expect("a class"))),
            _ => Ty::Int,
        }
    }

    fn current_depth_param(&self) -> String {
        self.scopes[self.base]
            .first()
            .map(|v| v.name.clone())
            .expect("a depth parameter")
    }

    fn function(&mut self) -> FuncDecl {
        let name = self.fresh("f");
        let recursive = self.chance(20);
        let n = self.below(4);
        let mut params: Vec<Param> = Vec::new();
        if recursive {
            params.push(Param::new(&self.fresh("n"), Ty::Int));
        }
        for _ in 0..n {
            let ty = self.signature_type(false);
            params.push(Param::new(&self.fresh("p"), ty));
        }
        let ret = self.signature_type(true);
        self.touched = params
            .iter()
            .map(|p| &p.ty)
            .chain(std::iter::once(&ret))
            .any(|t| matches!(t, Ty::Class(_) | Ty::Opt(_) | Ty::Any));
        let mut info = FnInfo {
            name: name.clone(),
            params: params.iter().map(|p| p.ty.clone()).collect(),
            ret: ret.clone(),
            touches_objects: false,
            recursive,
        };
        let body = if recursive {
            self.recursive_body(&params, &ret, &info)
        } else {
            self.body(&params, &ret)
        };
        info.touches_objects = self.touched;
        self.touched = false;
        self.funcs.push(info);
        FuncDecl {
            name,
            params,
            ret,
            body,
        }
    }

    /// The body of a recursive function: `if (n <= 0) return base;`, then statements that may
    /// call the function with `n - 1`.
    fn recursive_body(&mut self, params: &[Param], ret: &Ty, info: &FnInfo) -> Vec<Stmt> {
        let n = params[0].name.clone();
        let saved_base = self.base;
        self.scopes.push(Vec::new());
        self.base = self.scopes.len() - 1;
        for (i, p) in params.iter().enumerate() {
            self.declare(VarInfo {
                name: p.name.clone(),
                ty: p.ty.clone(),
                mutable: i > 0,
                len: 0,
                range: None,
                narrowed: false,
                for_counter: false,
            });
        }
        self.ret = Some(ret.clone());
        let base = if *ret == Ty::Void {
            Stmt::Return(None)
        } else {
            let d = self.below(2);
            Stmt::Return(Some(self.assignable_expr(ret, d)))
        };
        let guard = Stmt::If(
            Expr::binary(BinOp::Le, Expr::var(&n, Ty::Int), Expr::int(0)),
            vec![base],
            None,
        );
        self.current_fn = Some(info.clone());
        let mut body = vec![guard];
        body.extend(self.stmts(0, self.cfg.max_block));
        if *ret != Ty::Void && !matches!(body.last(), Some(Stmt::Return(Some(_)))) {
            if matches!(
                body.last(),
                Some(Stmt::Return(_) | Stmt::Break | Stmt::Continue)
            ) {
                body.pop();
            }
            let d = self.expr_depth();
            body.push(Stmt::Return(Some(self.assignable_expr(ret, d))));
        }
        self.current_fn = None;
        self.ret = None;
        self.scopes.pop();
        self.base = saved_base;
        body
    }

    /// A function or method body with `params` in scope; a non-void one ends with a `return`.
    fn body(&mut self, params: &[Param], ret: &Ty) -> Vec<Stmt> {
        let saved_base = self.base;
        self.scopes.push(
            params
                .iter()
                .map(|p| VarInfo {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                    mutable: true,
                    len: 0,
                    range: None,
                    narrowed: false,
                    for_counter: false,
                })
                .collect(),
        );
        self.base = self.scopes.len() - 1;
        self.ret = Some(ret.clone());
        let mut body = self.stmts(0, self.cfg.max_block + 1);
        if *ret != Ty::Void && !matches!(body.last(), Some(Stmt::Return(Some(_)))) {
            if matches!(
                body.last(),
                Some(Stmt::Return(_) | Stmt::Break | Stmt::Continue)
            ) {
                body.pop();
            }
            let d = self.expr_depth();
            body.push(Stmt::Return(Some(self.assignable_expr(ret, d))));
        }
        self.ret = None;
        self.scopes.pop();
        self.base = saved_base;
        body
    }

    fn class_decl(&mut self) -> ClassDecl {
        let name = format!("C{}", self.classes.len());
        let parent = if !self.classes.is_empty() && self.chance(65) {
            Some(self.pick(&self.classes.clone()).name)
        } else {
            None
        };
        let n_fields = 1 + self.below(3);
        let fields: Vec<Param> = (0..n_fields)
            .map(|_| {
                let ty = self.pick(&[Ty::Int, Ty::Int, Ty::Float, Ty::Float, Ty::Bool]);
                Param::new(&self.fresh("x"), ty)
            })
            .collect();
        let n_params = self.below(4);
        let ctor_params: Vec<Param> = (0..n_params)
            .map(|_| {
                let ty = self.pick(&[Ty::Int, Ty::Float, Ty::Bool]);
                Param::new(&self.fresh("p"), ty)
            })
            .collect();
        self.classes.push(ClassInfo {
            name: name.clone(),
            parent: parent.clone(),
            fields: Vec::new(),
            ctor: ctor_params.iter().map(|p| p.ty.clone()).collect(),
            methods: Vec::new(),
        });
        self.object_free = true;

        // The constructor: super arguments and field values see only the parameters and
        // globals; the further statements see `this` too.
        let saved_base = self.base;
        self.scopes.push(
            ctor_params
                .iter()
                .map(|p| VarInfo {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                    mutable: true,
                    len: 0,
                    range: None,
                    narrowed: false,
                    for_counter: false,
                })
                .collect(),
        );
        self.base = self.scopes.len() - 1;
        self.ret = Some(Ty::Void);
        self.in_ctor = true;
        let super_args = match &parent {
            Some(p) => {
                let ctor = self.class(p).ctor.clone();
                self.call_args(&ctor)
            }
            None => Vec::new(),
        };
        let field_inits: Vec<Expr> = fields
            .iter()
            .map(|f| {
                let d = self.below(3);
                self.assignable_expr(&f.ty, d)
            })
            .collect();
        self.classes.last_mut().unwrap().fields = fields.clone();
        self.this_class = Some(name.clone());
        let ctor_body = if self.chance(40) {
            let n = 1 + self.below(2);
            (0..n)
                .map(|_| {
                    if self.chance(50) {
                        self.print_stmt()
                    } else {
                        let ty = self.pick(&[Ty::Int, Ty::Float]);
                        match self.update(&ty, 1) {
                            Some(e) => Stmt::Expr(e),
                            None => self.print_stmt(),
                        }
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        self.in_ctor = false;
        self.ret = None;
        self.scopes.pop();
        self.base = saved_base;

        // Overrides first (they keep the overridden method's order), then new methods.
        let mut methods = Vec::new();
        if let Some(p) = &parent {
            let inherited = self.all_methods(p);
            for m in inherited {
                if self.chance(60) {
                    let params: Vec<Param> = m
                        .params
                        .iter()
                        .map(|t| Param::new(&self.fresh("p"), t.clone()))
                        .collect();
                    methods.push(self.method(&m.name, params, m.ret.clone(), m.order));
                }
            }
        }
        let n_methods = 1 + self.below(3);
        for _ in 0..n_methods {
            let mname = self.fresh("m");
            let n = self.below(3);
            let params: Vec<Param> = (0..n)
                .map(|_| {
                    let ty = self.pick(&[Ty::Int, Ty::Float, Ty::Bool]);
                    Param::new(&self.fresh("p"), ty)
                })
                .collect();
            let ret = self.pick(&[Ty::Int, Ty::Int, Ty::Float, Ty::Bool, Ty::Void]);
            self.next_order += 1;
            let order = self.next_order;
            methods.push(self.method(&mname, params, ret, order));
        }
        self.this_class = None;
        self.object_free = false;
        ClassDecl {
            name,
            parent,
            fields,
            ctor_params,
            super_args,
            field_inits,
            ctor_body,
            methods,
        }
    }

    fn method(&mut self, name: &str, params: Vec<Param>, ret: Ty, order: u32) -> FuncDecl {
        self.method_order = Some(order);
        let body = self.body(&params, &ret);
        self.method_order = None;
        let info = MethodInfo {
            name: name.to_string(),
            params: params.iter().map(|p| p.ty.clone()).collect(),
            ret: ret.clone(),
            order,
        };
        self.classes.last_mut().unwrap().methods.push(info);
        FuncDecl {
            name: name.to_string(),
            params,
            ret,
            body,
        }
    }

    fn program(&mut self) -> Program {
        let mut items = Vec::new();
        let n = 4 + self.below(self.cfg.max_items.saturating_sub(3).max(1));
        for _ in 0..n {
            if self.stmts_left == 0 {
                break;
            }
            let w = [
                20,
                if (self.funcs.len() as u32) < self.cfg.max_funcs {
                    14
                } else {
                    0
                },
                if self.cfg.classes && (self.classes.len() as u32) < self.cfg.max_classes {
                    8
                } else {
                    0
                },
                40,
                if self.funcs.is_empty() { 0 } else { 12 },
                if self.classes.is_empty() { 0 } else { 4 },
            ];
            match self.weighted(&w) {
                0 => {
                    let s = self.let_stmt();
                    let call = match &s {
                        Stmt::Let { name, init, .. }
                            if matches!(init.kind, ExprKind::Arrow(..)) && self.chance(70) =>
                        {
                            Some(self.call_of_var(name, &init.ty))
                        }
                        _ => None,
                    };
                    items.push(Item::Stmt(s));
                    items.extend(call.map(Item::Stmt));
                }
                1 => {
                    let f = self.function();
                    items.push(Item::Func(f));
                    // Call it at once, so that its code runs.
                    items.push(Item::Stmt(self.call_of_last_function()));
                }
                2 => {
                    let c = self.class_decl();
                    let cname = c.name.clone();
                    items.push(Item::Class(c));
                    let g = self.fresh("g");
                    items.push(Item::Stmt(self.object_decl_of(g, &cname)));
                }
                3 => items.push(Item::Stmt(self.stmt(0))),
                4 => {
                    let ret = self.pick(&[Ty::Int, Ty::Float, Ty::Bool]);
                    if let Some(c) = self.some_call(&ret) {
                        items.push(Item::Stmt(Stmt::Print {
                            arg: c,
                            console: false,
                        }));
                    }
                }
                _ => {
                    if let Some(s) = self.object_assign() {
                        items.push(Item::Stmt(s));
                    }
                }
            }
        }
        // Show the final values of the numeric globals.
        for v in self.scopes[0].clone() {
            if matches!(v.ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Any) && self.chance(50) {
                items.push(Item::Stmt(Stmt::Print {
                    arg: Expr::var(&v.name, v.ty.clone()),
                    console: false,
                }));
            }
        }
        Program { items }
    }

    fn call_of_last_function(&mut self) -> Stmt {
        let f = self.funcs.last().expect("a function").clone();
        let call = self.call(&f);
        if f.ret == Ty::Void {
            Stmt::Expr(call)
        } else {
            Stmt::Print {
                arg: call,
                console: false,
            }
        }
    }

    /// A global object of class `class` (or a subclass), right after its declaration.
    fn object_decl_of(&mut self, name: String, class: &str) -> Stmt {
        let subs = self.subclasses_of(class);
        let dynamic = self.pick(&subs);
        let init = self.new_object(&dynamic);
        let parent = self.class(class).parent.clone();
        // Sometimes hold it in a superclass variable, so that calls dispatch dynamically.
        let static_class = match parent {
            Some(p) if self.chance(50) => p,
            _ => class.to_string(),
        };
        self.declare(VarInfo {
            name: name.clone(),
            ty: Ty::Class(static_class.clone()),
            mutable: true,
            len: 0,
            range: None,
            narrowed: false,
            for_counter: false,
        });
        Stmt::Let {
            name,
            constant: false,
            annot: Some(Ty::Class(static_class)),
            init,
        }
    }
}

fn equality(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::StrictEq | BinOp::StrictNe | BinOp::Eq | BinOp::Ne
    )
}

/// The value of an integer literal expression (possibly negated).
fn int_value(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int { value, .. } => Some(*value as i32 as i64),
        ExprKind::Unary(UnOp::Neg, x) => int_value(x).map(|v| -v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{RngAlgorithm, TestRng};

    fn rng(seed: u64) -> TestRng {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_le_bytes());
        TestRng::from_seed(RngAlgorithm::ChaCha, &s)
    }

    /// With [`GenConfig::narrow_end`], some programs use a variable after its narrowing ended,
    /// and the checker rejects exactly those for that reason.
    #[test]
    fn deliberately_ended_narrowing_is_rejected() {
        let cfg = GenConfig {
            narrow_end: true,
            ..GenConfig::default()
        };
        let mut rejected = 0;
        for seed in 0..1000 {
            let p = generate(&mut rng(seed), &cfg);
            match crate::check::program(&p) {
                Ok(()) => {}
                Err(e) if e.starts_with(crate::check::NARROWING_ERROR) => rejected += 1,
                Err(e) => panic!("seed {seed}: {e}\n{}", crate::pretty::program(&p)),
            }
        }
        assert!(
            rejected >= 5,
            "only {rejected} programs of 400 were rejected"
        );
    }

    #[test]
    fn generated_programs_are_well_typed_and_terminate() {
        let cfg = GenConfig::default();
        let mut too_long = 0;
        for seed in 0..1500 {
            let p = generate(&mut rng(seed), &cfg);
            if let Err(e) = crate::check::program(&p) {
                panic!("seed {seed}: {e}\n{}", crate::pretty::program(&p));
            }
            let out = crate::eval::run(&p);
            if out.status == crate::eval::Status::TooLong {
                too_long += 1;
            }
        }
        assert!(too_long < 150, "{too_long} programs ran too long");
    }
}
