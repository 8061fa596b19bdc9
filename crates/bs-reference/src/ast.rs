//! The reference evaluator's own abstract syntax for the BlueScript subset it understands: typed
//! top-level functions, simple classes with one or more levels of inheritance, `integer[]` and
//! `float[]` arrays, structured loops with read-only counters, and every numeric, logical and
//! bitwise operator. Every expression carries its static type, so that the evaluator can apply
//! the conversions the type checker would insert (integer to float, truncation of compound
//! assignments) without a type checker of its own.

use std::fmt;

/// A static type of the subset.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `integer`: 32-bit two's complement, wrapping.
    Int,
    /// `float`: IEEE binary32.
    Float,
    /// `boolean`.
    Bool,
    /// `string`; only the argument of `print` has this type.
    Str,
    /// `void`: the result of a function without a value.
    Void,
    /// `integer[]`.
    IntArr,
    /// `float[]`.
    FloatArr,
    /// An instance of the named class (or of one of its subclasses).
    Class(String),
    /// `any`: a boxed value of any type (integers keep 30 bits, floats a 6-bit exponent).
    Any,
    /// `T | undefined` for a class or array type `T`.
    Opt(Box<Ty>),
    /// A function type `(p0: A, p1: B) => R`.
    Func(Vec<Ty>, Box<Ty>),
}

impl Ty {
    /// Whether the type is `integer` or `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// The non-nullable part of a nullable type.
    pub fn unwrap_opt(&self) -> &Ty {
        match self {
            Ty::Opt(t) => t,
            t => t,
        }
    }

    /// The element type of an array type.
    pub fn elem(&self) -> Option<Ty> {
        match self {
            Ty::IntArr => Some(Ty::Int),
            Ty::FloatArr => Some(Ty::Float),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Int => f.write_str("integer"),
            Ty::Float => f.write_str("float"),
            Ty::Bool => f.write_str("boolean"),
            Ty::Str => f.write_str("string"),
            Ty::Void => f.write_str("void"),
            Ty::IntArr => f.write_str("integer[]"),
            Ty::FloatArr => f.write_str("float[]"),
            Ty::Class(c) => f.write_str(c),
            Ty::Any => f.write_str("any"),
            Ty::Opt(t) => write!(f, "{t} | undefined"),
            Ty::Func(ps, r) => {
                f.write_str("(")?;
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "p{i}: {p}")?;
                }
                write!(f, ") => {r}")
            }
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
    /// `~x`
    BitNot,
    /// `!x`
    Not,
}

/// Binary operators (also the operator part of compound assignments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+` (also string concatenation when one side is a string)
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `**`
    Pow,
    /// `&`
    BitAnd,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `>>>`
    UShr,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `===`
    StrictEq,
    /// `!=`
    Ne,
    /// `!==`
    StrictNe,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl BinOp {
    /// The operator's spelling.
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Pow => "**",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::UShr => ">>>",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::StrictEq => "===",
            BinOp::Ne => "!=",
            BinOp::StrictNe => "!==",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }

    /// Whether the operator compares and yields a boolean.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge
                | BinOp::Eq
                | BinOp::StrictEq
                | BinOp::Ne
                | BinOp::StrictNe
        )
    }

    /// Whether the operator needs integer operands.
    pub fn is_integer_only(self) -> bool {
        matches!(
            self,
            BinOp::Rem
                | BinOp::BitAnd
                | BinOp::BitOr
                | BinOp::BitXor
                | BinOp::Shl
                | BinOp::Shr
                | BinOp::UShr
        )
    }
}

/// An expression with its static type.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Its static type.
    pub ty: Ty,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal token (never negative; a minus sign is a unary operator). `value` is at
    /// most 2147483647 for a decimal literal, or 2147483648 directly under a unary minus; a
    /// hexadecimal literal may be any 32-bit pattern.
    Int {
        /// The literal's value as written.
        value: u32,
        /// Written in hexadecimal.
        hex: bool,
    },
    /// A float literal, as written (it contains `.` or an exponent).
    Float(String),
    /// `true` / `false`.
    Bool(bool),
    /// A string literal (only simple printable characters, no quotes or backslashes).
    Str(String),
    /// A variable (local, parameter, loop counter or global).
    Var(String),
    /// `this`.
    This,
    /// A unary operator.
    Unary(UnOp, Box<Expr>),
    /// A binary operator, including `&&` and `||`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A call of a top-level function.
    Call(String, Vec<Expr>),
    /// `recv.name(args)`, dispatched on the receiver's class at run time.
    MethodCall(Box<Expr>, String, Vec<Expr>),
    /// `super.name(args)` inside a method: the superclass's implementation.
    SuperCall(String, Vec<Expr>),
    /// `recv.name` for a field.
    Field(Box<Expr>, String),
    /// `array[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `array.length`.
    Length(Box<Expr>),
    /// `new C(args)`.
    New(String, Vec<Expr>),
    /// `new Array<T>(n, init)` (or `new Array<T>(n)` when `init` is absent); `ty` says `T`.
    NewArray(Box<Expr>, Option<Box<Expr>>),
    /// `[e1, e2, …]`; `ty` says the array type.
    ArrayLit(Vec<Expr>),
    /// `e as T` for a numeric `T` (`ty`), or from `any` to `integer`, `float` or `boolean`.
    As(Box<Expr>),
    /// `undefined` (of type `any` or a nullable type).
    Undefined,
    /// The implicit run-time checked conversion of an `any` operand to `ty` (`integer`, `float`,
    /// `boolean`, a class, an array or a nullable type). It is printed as the operand alone, so
    /// it may only stand where the context converts: an initial value with a declared type, the
    /// right side of `=`, an argument or a returned value.
    Unbox(Box<Expr>),
    /// An arrow function `(p: T, …): R => { body }`; `ty` is its function type.
    Arrow(Vec<Param>, Vec<Stmt>),
    /// A call of a function value (a variable of function type).
    CallValue(Box<Expr>, Vec<Expr>),
    /// `target = value` (`None`) or `target op= value`.
    Assign(Option<BinOp>, Box<Expr>, Box<Expr>),
    /// `++x`, `x++`, `--x`, `x--`.
    IncDec {
        /// `++x` / `--x` rather than `x++` / `x--`.
        prefix: bool,
        /// `++` rather than `--`.
        inc: bool,
        /// The variable, field or element updated.
        target: Box<Expr>,
    },
}

impl Expr {
    /// An expression of kind `kind` and type `ty`.
    pub fn new(kind: ExprKind, ty: Ty) -> Expr {
        Expr { kind, ty }
    }

    /// A decimal integer literal for a non-negative value.
    pub fn int_lit(value: u32) -> Expr {
        Expr::new(ExprKind::Int { value, hex: false }, Ty::Int)
    }

    /// An integer expression for any `i32`: a literal, or a negated literal.
    pub fn int(v: i32) -> Expr {
        if v >= 0 {
            Expr::int_lit(v as u32)
        } else {
            Expr::unary(UnOp::Neg, Expr::int_lit(v.unsigned_abs()))
        }
    }

    /// A float literal written as `text`.
    pub fn float_lit(text: &str) -> Expr {
        Expr::new(ExprKind::Float(text.to_string()), Ty::Float)
    }

    /// `true` / `false`.
    pub fn bool_lit(b: bool) -> Expr {
        Expr::new(ExprKind::Bool(b), Ty::Bool)
    }

    /// A string literal.
    pub fn str_lit(s: &str) -> Expr {
        Expr::new(ExprKind::Str(s.to_string()), Ty::Str)
    }

    /// A variable of type `ty`.
    pub fn var(name: &str, ty: Ty) -> Expr {
        Expr::new(ExprKind::Var(name.to_string()), ty)
    }

    /// A unary operator; the type follows the operand (`!` gives boolean, `~` integer).
    pub fn unary(op: UnOp, e: Expr) -> Expr {
        let ty = match op {
            UnOp::Not => Ty::Bool,
            UnOp::BitNot => Ty::Int,
            UnOp::Neg | UnOp::Plus => e.ty.clone(),
        };
        Expr::new(ExprKind::Unary(op, Box::new(e)), ty)
    }

    /// A binary operator with the result type BlueScript gives it.
    pub fn binary(op: BinOp, l: Expr, r: Expr) -> Expr {
        let ty = binary_type(op, &l.ty, &r.ty);
        Expr::new(ExprKind::Binary(op, Box::new(l), Box::new(r)), ty)
    }

    /// `c ? a : b`; integer and float branches give a float.
    pub fn cond(c: Expr, a: Expr, b: Expr) -> Expr {
        let ty = if a.ty == b.ty {
            a.ty.clone()
        } else {
            Ty::Float
        };
        Expr::new(ExprKind::Cond(Box::new(c), Box::new(a), Box::new(b)), ty)
    }

    /// A call of a top-level function returning `ty`.
    pub fn call(name: &str, args: Vec<Expr>, ty: Ty) -> Expr {
        Expr::new(ExprKind::Call(name.to_string(), args), ty)
    }

    /// `recv.name(args)` returning `ty`.
    pub fn method_call(recv: Expr, name: &str, args: Vec<Expr>, ty: Ty) -> Expr {
        Expr::new(
            ExprKind::MethodCall(Box::new(recv), name.to_string(), args),
            ty,
        )
    }

    /// `recv.name` of type `ty`.
    pub fn field(recv: Expr, name: &str, ty: Ty) -> Expr {
        Expr::new(ExprKind::Field(Box::new(recv), name.to_string()), ty)
    }

    /// `a[i]`.
    pub fn index(a: Expr, i: Expr) -> Expr {
        let ty = a.ty.elem().expect("indexing an array");
        Expr::new(ExprKind::Index(Box::new(a), Box::new(i)), ty)
    }

    /// `a.length`.
    pub fn length(a: Expr) -> Expr {
        Expr::new(ExprKind::Length(Box::new(a)), Ty::Int)
    }

    /// `e as ty`.
    pub fn cast(e: Expr, ty: Ty) -> Expr {
        Expr::new(ExprKind::As(Box::new(e)), ty)
    }

    /// `target = value` or `target op= value`; the type is the target's.
    pub fn assign(op: Option<BinOp>, target: Expr, value: Expr) -> Expr {
        let ty = target.ty.clone();
        Expr::new(ExprKind::Assign(op, Box::new(target), Box::new(value)), ty)
    }

    /// `++x` / `x++` / `--x` / `x--`.
    pub fn inc_dec(prefix: bool, inc: bool, target: Expr) -> Expr {
        let ty = target.ty.clone();
        Expr::new(
            ExprKind::IncDec {
                prefix,
                inc,
                target: Box::new(target),
            },
            ty,
        )
    }

    /// Whether the expression can be assigned to (variable, field or element).
    pub fn is_place(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Var(_) | ExprKind::Field(..) | ExprKind::Index(..)
        )
    }
}

/// The static type of `l op r` (both operands well typed for `op`).
pub fn binary_type(op: BinOp, l: &Ty, r: &Ty) -> Ty {
    if op.is_comparison() || matches!(op, BinOp::And | BinOp::Or) {
        Ty::Bool
    } else if op == BinOp::Add && (*l == Ty::Str || *r == Ty::Str) {
        Ty::Str
    } else if *l == Ty::Any || *r == Ty::Any {
        Ty::Any
    } else if op.is_integer_only() || (*l == Ty::Int && *r == Ty::Int) {
        Ty::Int
    } else {
        Ty::Float
    }
}

/// The kind of a counted loop. Counters are read-only in the body, so every loop ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    /// `for (let i = 0; i < n; i++) body`
    ForUp,
    /// `for (let i = n; i > 0; i--) body`
    ForDown,
    /// `let i = 0; while (i < n) { i++; body }`
    While,
    /// `let i = 0; do { i++; body } while (i < n)` (runs at least once)
    DoWhile,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `let name: T = init` / `const name = init`.
    Let {
        /// The variable.
        name: String,
        /// `const` rather than `let`.
        constant: bool,
        /// The declared type; `None` writes no annotation (the type is the initialiser's).
        annot: Option<Ty>,
        /// The initial value.
        init: Expr,
    },
    /// An expression statement.
    Expr(Expr),
    /// `print(e)` or `console.log(e)`.
    Print {
        /// The value printed.
        arg: Expr,
        /// Spelled `console.log`.
        console: bool,
    },
    /// `if (c) { … } else { … }`.
    If(Expr, Vec<Stmt>, Option<Vec<Stmt>>),
    /// A counted loop with a read-only counter `var` running `limit` times (at least once for
    /// `do`/`while`).
    Loop {
        /// The loop's shape.
        kind: LoopKind,
        /// The counter's name.
        var: String,
        /// The number of iterations.
        limit: u32,
        /// The body.
        body: Vec<Stmt>,
    },
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `return` / `return e`.
    Return(Option<Expr>),
    /// `{ … }`.
    Block(Vec<Stmt>),
}

/// A parameter or a field.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
}

impl Param {
    /// A parameter or field `name: ty`.
    pub fn new(name: &str, ty: Ty) -> Param {
        Param {
            name: name.to_string(),
            ty,
        }
    }
}

/// A top-level function or a method.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncDecl {
    /// Its name.
    pub name: String,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Its declared result type.
    pub ret: Ty,
    /// Its body.
    pub body: Vec<Stmt>,
}

/// A class declaration. The constructor calls `super(…)` first when there is a superclass, then
/// assigns every field the class declares (`this.f = e`, in order), then runs `ctor_body`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassDecl {
    /// The class name.
    pub name: String,
    /// The superclass.
    pub parent: Option<String>,
    /// The fields this class declares (not the inherited ones).
    pub fields: Vec<Param>,
    /// The constructor's parameters.
    pub ctor_params: Vec<Param>,
    /// The arguments of `super(…)` (empty without a superclass).
    pub super_args: Vec<Expr>,
    /// The value of each declared field, in `fields` order.
    pub field_inits: Vec<Expr>,
    /// Further constructor statements.
    pub ctor_body: Vec<Stmt>,
    /// The methods (new ones and overrides).
    pub methods: Vec<FuncDecl>,
}

/// A top-level item. A `Stmt::Let` directly at top level declares a global.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A function declaration.
    Func(FuncDecl),
    /// A class declaration.
    Class(ClassDecl),
    /// A top-level statement.
    Stmt(Stmt),
}

/// A whole program (one `.bs` file).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Program {
    /// The items in source order.
    pub items: Vec<Item>,
}
