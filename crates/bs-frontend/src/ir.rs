//! The typed intermediate representation: what the checker produces and the C back end consumes.
//!
//! Invariants (checked by construction in `check`):
//! - every expression carries its static type, and every implicit conversion is an explicit
//!   `Convert` node, so the back end never decides a coercion itself;
//! - operands of an arithmetic `Binary` node have the same type as the node (integer or float);
//!   comparisons have operands of one type and type `boolean`;
//! - every operation that can fail at run time carries a site number unique in the session.

use crate::span::Span;
pub use crate::symbol::Symbol;
use crate::types::{FnSig, Type};

/// The built-in operations a program reaches through the language's own syntax (`s.length`,
/// `a.push(x)`, `time.now()`, `new Uint8Array(n, v)`, `x instanceof C`, …). The IR names them by
/// meaning; each back end maps them to its own code, so that a back end that forgets one fails
/// to compile instead of failing at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `s.length` of a string: (string) → integer.
    StringLength,
    /// `a.length` of any array: (array) → integer.
    ArrayLength,
    /// `s.startsWith(t)`: (string, string) → boolean.
    StringStartsWith,
    /// `s.endsWith(t)`: (string, string) → boolean.
    StringEndsWith,
    /// `s.substring(start, end)`: (string, integer, integer) → string.
    StringSubstring,
    /// `a.push(v)` on a growable array: (array, boxed value) → new length.
    VectorPush,
    /// `a.unshift(v)`: (array, boxed value) → new length.
    VectorUnshift,
    /// `a.push(v)` through the `any[]` view, which may hold an array of another element type:
    /// (any[] view, boxed value, site) → new length; the value is checked against the array's
    /// element type.
    ViewPush,
    /// `a.unshift(v)` through the `any[]` view: as `ViewPush`.
    ViewUnshift,
    /// `a.pop()`: (array) → boxed value.
    VectorPop,
    /// `a.shift()`: (array) → boxed value.
    VectorShift,
    /// `time.now()`: () → float milliseconds.
    TimeNow,
    /// `time.delay(ms)`: (integer) → void.
    TimeDelay,
    /// `setInterval(cb, ms)`: (() => void, integer, site) → integer id.
    SetInterval,
    /// `setTimeout(cb, ms)`: (() => void, integer, site) → integer id.
    SetTimeout,
    /// `clearInterval(id)` and `clearTimeout(id)`: (integer) → void.
    ClearTimer,
    /// `new Uint8Array(length, init)`: (integer, integer, site) → Uint8Array.
    Uint8ArrayNew,
    /// `new FixedArray(length, init)`: (integer, any, site) → FixedArray.
    FixedArrayNew,
    /// `x instanceof Array`: (any) → boolean.
    IsArray,
    /// `x instanceof string`: (any) → boolean.
    IsString,
    /// `x instanceof C`: (any, class id) → boolean.
    InstanceOf,
    /// `new Array<T>(other)`: (any array as any, class id of `T[]`, element check, undefined
    /// allowed, also a length, site) → `T[]`. The check is a `BS_TYPE_*` code or
    /// `BS_TYPE_CLASS_BASE` plus a class id; with "also a length" an integer makes an array of
    /// that many zero values.
    ArrayCopy,
}

/// A local variable or parameter of one function (or of a unit's top-level code).
#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Type,
    /// Captured by a closure: the C variable holds a cell (see bs.h) and every access goes
    /// through it.
    pub captured: bool,
}

impl Local {
    pub fn new(name: impl Into<String>, ty: Type) -> Local {
        Local {
            name: name.into(),
            ty,
            captured: false,
        }
    }
}

/// Where a closure finds a variable it captures when it is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureFrom {
    /// A (captured) local of the enclosing body: its cell.
    Local(LocalId),
    /// A variable the enclosing closure captured itself: its capture slot.
    Outer(u32),
}

/// Index into the enclosing function's `locals`.
pub type LocalId = usize;

/// One compilation unit: a file or a REPL input.
#[derive(Clone, Debug)]
pub struct Unit {
    pub id: u32,
    /// The entry function that runs the top-level code.
    pub entry_symbol: Symbol,
    /// Globals this unit declares (and defines).
    pub globals: Vec<GlobalDef>,
    /// Functions this unit defines.
    pub functions: Vec<FuncDef>,
    /// Globals and function slots of earlier units that this unit refers to.
    pub externs: Vec<ExternRef>,
    /// Classes this unit declares.
    pub classes: Vec<ClassDef>,
    /// Array types that got a class id in this unit (defined at the start of its entry): id,
    /// type, and the class id its elements must have (0: no check).
    pub array_classes: Vec<(u32, Type, u32)>,
    /// Bodies of the arrow functions of the unit: symbol, signature of the body (the function
    /// value first), code.
    pub arrows: Vec<(Symbol, FnSig, Function)>,
    /// Trampolines that let a top-level function be a value: symbol, slot, signature.
    pub trampolines: Vec<(Symbol, Symbol, FnSig)>,
    /// Inline C at the unit's top level, emitted at file scope, with the span of its text in the
    /// unit's source (inside the backticks), to map the C compiler's messages back to it.
    pub native_top: Vec<(String, Span)>,
    /// Property names given an id by this unit (for access through `any`).
    pub names: Vec<(String, u32)>,
    /// The class id of each parameter type that the unit's entries for calls through `any`
    /// (methods of its classes, its arrow functions and function values) check an argument
    /// against, where the check needs one (see `Conv::Check`).
    pub dyn_checks: Vec<(Type, u32)>,
    /// The top-level code.
    pub body: Function,
    /// Run-time check sites: number and span.
    pub sites: Vec<(u32, Span)>,
    /// Specialised copies of a function's body (docs/dynamic.md): symbol, signature, code.
    pub specialised: Vec<(Symbol, FnSig, Function)>,
    /// The guards in front of the specialised copies.
    pub guards: Vec<Guard>,
    /// Small functions of the same source that the specialised copies call, compiled into the
    /// unit as local bodies (docs/dynamic.md, "What a copy inlines").
    pub inlined: Vec<InlineCopy>,
}

/// A function that a specialised copy calls, compiled into the copy's unit: a call through
/// `slot` calls `symbol` (a local body the C compiler may inline) while the slot holds `body`,
/// the generic body that `symbol` copies, and goes through the slot otherwise (the function was
/// redefined).
#[derive(Clone, Debug)]
pub struct InlineCopy {
    /// `Symbol::InlineCopy`.
    pub symbol: Symbol,
    /// The function's slot (`Symbol::FnSlot`).
    pub slot: Symbol,
    /// The body the slot holds while the function is not redefined (`Symbol::FnBody`).
    pub body: Symbol,
    /// The function's signature (the slot's).
    pub sig: FnSig,
    /// The local body's signature: `sig` for a function with annotated parameters; for an
    /// untyped (profiled) one, the types of the arguments the copy passes it, and its result.
    /// Calls of such a local body are `ExprKind::Call { slot: symbol, sig: local_sig, .. }`
    /// with the arguments typed; the call's value has the slot's result type.
    pub local_sig: FnSig,
    /// The profiling wrapper of an untyped function: the slot holds it (or `body`) while the
    /// function is not redefined.
    pub wrapper: Option<Symbol>,
    pub func: Function,
}

/// The guard of a specialised copy (docs/dynamic.md): it has the signature of the function's
/// slot; when every argument passes its check it converts the arguments, calls the copy and
/// converts the result back, else it counts the failure and calls the fallback.
#[derive(Clone, Debug)]
pub struct Guard {
    pub symbol: Symbol,
    /// The count of failed checks (a `uint32_t` the unit defines).
    pub failures: Symbol,
    /// The signature of the function's slot (the generic one).
    pub slot_sig: FnSig,
    pub copy: Symbol,
    pub copy_sig: FnSig,
    /// Per parameter: the test an argument must pass (`None`: passed on as it is).
    pub checks: Vec<Option<ArgCheck>>,
    /// What the guard calls, with the original arguments, when a test fails.
    pub fallback: Symbol,
}

/// The run-time test of a boxed argument in a guard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgCheck {
    Integer,
    Float,
    Boolean,
    String,
    /// An object of exactly this class (array kinds).
    ExactClass(u32),
    /// An instance of this class or of a subclass.
    Instance(u32),
}

impl Unit {
    /// True when the unit's entry has work to do before its code may run: array types or
    /// classes to define, property names to register. A specialised copy that needs it is
    /// installed between inputs, after its entry ran, never in the middle of a call.
    pub fn needs_entry(&self) -> bool {
        !self.array_classes.is_empty() || !self.names.is_empty() || !self.classes.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct GlobalDef {
    pub name: String,
    pub symbol: Symbol,
    pub ty: Type,
}

#[derive(Clone, Debug)]
pub enum ExternRef {
    Global {
        symbol: Symbol,
        ty: Type,
    },
    FnSlot {
        symbol: Symbol,
        sig: FnSig,
    },
    /// A function called directly (methods, constructors' init functions, static methods).
    Func {
        symbol: Symbol,
        sig: FnSig,
    },
}

/// A class declared by the unit, with the code of its members.
#[derive(Clone, Debug)]
pub struct ClassDef {
    pub info: crate::env::ClassInfo,
    /// Class id of the superclass, 0 if none.
    pub super_id: u32,
    /// The init function: receiver first, then the constructor's parameters.
    pub init: Function,
    /// Methods declared (or overridden) by this class: (body symbol, signature with the
    /// receiver first, code).
    pub methods: Vec<(Symbol, FnSig, Function)>,
    /// Static methods: (symbol, signature, code).
    pub static_methods: Vec<(Symbol, FnSig, Function)>,
    /// Static fields: (symbol, type).
    pub static_fields: Vec<(Symbol, Type)>,
    /// Symbols of inherited method bodies the vtable refers to (declared in other units or
    /// earlier in this one).
    pub vtable_externs: Vec<(Symbol, FnSig)>,
    /// Fields for access through `any`: name id, word, type code (`BS_TYPE_*`), the class id
    /// a stored reference must have (0: none), and whether undefined may be stored.
    pub dyn_fields: Vec<(u32, u32, u32, u32, bool)>,
    /// Methods for calls through `any`: name id, vtable slot, signature (without receiver).
    pub dyn_methods: Vec<(u32, u32, FnSig)>,
}

#[derive(Clone, Debug)]
pub struct FuncDef {
    pub name: String,
    /// Where the function's name is declared.
    pub span: Span,
    /// This definition's body.
    pub body_symbol: Symbol,
    /// The session-wide slot that holds the current body's address.
    pub slot_symbol: Symbol,
    /// True when the slot belongs to an earlier unit (this is a redefinition).
    pub redefines: bool,
    pub sig: FnSig,
    /// The first `sig.params.len()` locals are the parameters.
    pub func: Function,
    /// How the device profiles this definition for the dynamic compiler (`docs/dynamic.md`);
    /// `None` when it is not profiled.
    pub profile: Option<Profile>,
}

/// When a profiled function reports (`docs/dynamic.md`): after `calls` calls the device starts
/// recording the signatures of the untyped arguments, and reports the first one it sees
/// `signature` times (the fields `countdown` and `needed` of the profile record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileThresholds {
    pub calls: u32,
    pub signature: u8,
}

impl Default for ProfileThresholds {
    fn default() -> Self {
        ProfileThresholds {
            calls: 5,
            signature: 5,
        }
    }
}

/// The profiling of one function definition: its record and its wrapper, which the unit's entry
/// puts in the function's slot in place of the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// The indexes of the parameters the device records, in order: those without an annotation
    /// (1 to `BS_PROFILE_MAX_ARGS` of them).
    pub untyped: Vec<usize>,
    /// The profile record (`Symbol::ProfileRecord`).
    pub record: Symbol,
    /// The profiling wrapper (`Symbol::ProfileWrapper`).
    pub wrapper: Symbol,
    pub thresholds: ProfileThresholds,
}

/// A body of code with its locals.
#[derive(Clone, Debug, Default)]
pub struct Function {
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Expr(Expr),
    /// Declares a local (and initialises it; locals without initial value get their zero value).
    Let {
        local: LocalId,
        init: Option<Expr>,
    },
    /// Initialises a global declared by this unit.
    InitGlobal {
        symbol: Symbol,
        value: Expr,
    },
    /// A block with its own scope.
    Block(Vec<Stmt>),
    /// Statements in the enclosing scope (`let a = 1, b = 2`).
    Seq(Vec<Stmt>),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
    While {
        cond: Expr,
        body: Vec<Stmt>,
    },
    DoWhile {
        body: Vec<Stmt>,
        cond: Expr,
    },
    For {
        init: Vec<Stmt>,
        cond: Option<Expr>,
        update: Option<Expr>,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    /// Inline C (the `code` tag) inside a body, with the span of its text in the unit's source
    /// (inside the backticks), to map the C compiler's messages back to it.
    Native(Vec<NativePart>, Span),
}

/// A piece of an inline C statement: text, or a BlueScript variable as a C lvalue.
#[derive(Clone, Debug)]
pub enum NativePart {
    Text(String),
    Place(Place, Type),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    Shl,
    Shr,
    UShr,
    BitAnd,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    BitNot,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conv {
    IntToFloat,
    /// `float as integer`: truncation with saturation.
    FloatToInt,
    /// To the `any` representation.
    Box,
    /// A value's truthiness as a boolean.
    Truthy,
    /// From `any` (or an array's `any[]` view) to the expression's type, checked at run time.
    Check {
        site: u32,
        class_id: u32,
    },
    /// An integer as a boxed integer holds it: wrapped to 30 bits (`any` arithmetic wraps
    /// there). Only in specialised copies (docs/dynamic.md), where a value the generic body kept
    /// in `any` is an integer.
    WrapBoxedInt,
    /// A float as a boxed float holds it (6-bit exponent: magnitudes of 2^32 and above become
    /// infinities, tiny ones lose precision). Only in specialised copies, as `WrapBoxedInt`.
    RoundBoxedFloat,
}

/// Operators on `any` values, decided at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnyOp {
    /// `bs_any_arith(op, …)` with a BS_OP_* code.
    Arith(u32),
    /// `bs_any_compare(op, …)` with a BS_OP_* code.
    Compare(u32),
    Equal,
    NotEqual,
}

/// How the elements of an array are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElemKind {
    /// Raw int32_t (integer[], enum arrays).
    Int,
    /// Raw binary32.
    Float,
    /// One byte, 0 or 1.
    Bool,
    /// Boxed words in a growable store (any[], string[], C[], T[][]).
    Vector,
    /// Bytes of a Uint8Array: read as 0…255, a write keeps the low 8 bits.
    Uint8,
    /// Boxed slots of a FixedArray.
    Fixed,
    /// Through the `any[]` view, which may hold an array of any kind: element access goes
    /// through the runtime (`bs_array_get` / `bs_array_set`).
    AnyView,
}

/// A place that can be assigned.
#[derive(Clone, Debug)]
pub enum Place {
    Local(LocalId),
    Global {
        symbol: Symbol,
    },
    /// Element `index` of `array`; reading or writing checks the bounds (`site`).
    Index {
        array: Box<Expr>,
        index: Box<Expr>,
        elem: ElemKind,
        site: u32,
    },
    /// A property of an `any` value, by name id (read and written through the runtime).
    AnyProp {
        object: Box<Expr>,
        name_id: u32,
        site: u32,
    },
    /// A variable captured by the closure being run: its slot in the function value (local 0).
    Captured {
        index: u32,
    },
    /// Word `word` of object `object`.
    Field {
        object: Box<Expr>,
        word: u32,
    },
}

impl Place {
    /// True when the place can be evaluated twice without a difference.
    pub fn is_simple(&self) -> bool {
        match self {
            Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => true,
            Place::Index { array, index, .. } => {
                matches!(array.kind, ExprKind::Read(Place::Local(_)))
                    && matches!(
                        index.kind,
                        ExprKind::Read(Place::Local(_)) | ExprKind::Int(_)
                    )
            }
            Place::Field { object, .. } | Place::AnyProp { object, .. } => {
                matches!(object.kind, ExprKind::Read(Place::Local(_)))
            }
        }
    }
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Int(i32),
    Float(f32),
    Bool(bool),
    /// A string literal's bytes.
    Str(Vec<u8>),
    Null,
    Read(Place),
    Unary(UnOp, Box<Expr>),
    /// Arithmetic, bitwise or comparison on two operands of one type; `site` is set for the
    /// operations that can fail (integer `/`, `%`, `**`).
    Binary {
        op: BinOp,
        left: Box<Expr>,
        right: Box<Expr>,
        site: u32,
    },
    /// `+` with a string operand: both operands are boxed.
    Concat(Box<Expr>, Box<Expr>),
    /// `&&` (true) or `||` (false) on two booleans.
    Logical {
        and: bool,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    Cond {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Convert(Conv, Box<Expr>),
    /// A call through a function's slot.
    Call {
        slot: Symbol,
        sig: FnSig,
        args: Vec<Expr>,
    },
    /// `print`/`console.log` (stream 0) or `console.error` (stream 1) of boxed values: written
    /// separated by single spaces, then a newline (none at all: an empty line).
    Print {
        stream: u8,
        args: Vec<Expr>,
    },
    /// `place = value` (the value already has the place's type); yields the new value.
    Assign {
        place: Place,
        value: Box<Expr>,
    },
    /// `++`/`--` on a numeric or `any` place (`site` for `any`).
    Update {
        place: Place,
        increment: bool,
        prefix: bool,
        site: u32,
    },
    /// An operation on two `any` values.
    AnyBinary {
        op: AnyOp,
        left: Box<Expr>,
        right: Box<Expr>,
        site: u32,
    },
    /// Unary minus of an `any` value.
    AnyNegate {
        arg: Box<Expr>,
        site: u32,
    },
    /// A built-in operation of the runtime with these arguments, evaluated in order (the back
    /// end decides how it is done: a function of bs.h for C).
    Builtin {
        op: Builtin,
        args: Vec<Expr>,
    },
    /// Evaluates the expressions into the locals, then `body`.
    With {
        temps: Vec<(LocalId, Expr)>,
        body: Box<Expr>,
    },
    /// An array literal of class `class_id`.
    ArrayLit {
        elem: ElemKind,
        class_id: u32,
        elements: Vec<Expr>,
    },
    /// `new Array<T>(length, init)`; `init` has the element's representation.
    NewArray {
        elem: ElemKind,
        class_id: u32,
        length: Box<Expr>,
        init: Box<Expr>,
        site: u32,
    },
    /// `new C(args)`: allocate, then run the init function. `words` is the size of an instance
    /// (header included) and `ref_words` the words of its fields that hold references (they
    /// start as null).
    New {
        class_id: u32,
        init: Symbol,
        sig: FnSig,
        args: Vec<Expr>,
        words: u32,
        ref_words: Vec<u32>,
    },
    /// A direct call of a function known by symbol (static methods, `super.m()`); for `super`
    /// calls the receiver is the first argument.
    DirectCall {
        symbol: Symbol,
        sig: FnSig,
        args: Vec<Expr>,
    },
    /// A call through the vtable of `receiver`'s class. `known` is the receiver's static class
    /// (its class id) and the body that class dispatches to: when the receiver is of exactly
    /// that class (no subclass), the body can be called directly.
    MethodCall {
        receiver: Box<Expr>,
        slot: u32,
        sig: FnSig,
        args: Vec<Expr>,
        known: Option<(u32, Symbol)>,
    },
    /// An arrow function: a function value running `symbol`, with the variables it captures.
    Closure {
        symbol: Symbol,
        sig: FnSig,
        captures: Vec<CaptureFrom>,
    },
    /// A top-level function as a value, through its trampoline.
    FuncValue {
        trampoline: Symbol,
        sig: FnSig,
    },
    /// A call of a function value.
    CallValue {
        callee: Box<Expr>,
        sig: FnSig,
        args: Vec<Expr>,
    },
    /// A call through `any`: of method `name_id` of `target`, or of `target` itself; the
    /// arguments are boxed.
    AnyCall {
        target: Box<Expr>,
        name_id: Option<u32>,
        args: Vec<Expr>,
        site: u32,
    },
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Type, span: Span) -> Expr {
        Expr { kind, ty, span }
    }

    /// True when evaluating the expression may have an effect (a call, an assignment, output or
    /// a run-time error), so that its order relative to its siblings matters.
    pub fn has_effects(&self) -> bool {
        self.has_effects_by(&mut |e| e.has_effects())
    }

    /// `has_effects`, asking `part` about the expression's parts (so that a caller asking about
    /// every level of a deep expression can remember the answers instead of walking each part
    /// again at every level).
    pub fn has_effects_by(&self, part: &mut dyn FnMut(&Expr) -> bool) -> bool {
        match &self.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Null
            | ExprKind::Read(Place::Local(_) | Place::Global { .. }) => false,
            ExprKind::Convert(Conv::Check { .. }, _) => true,
            ExprKind::Unary(_, e) | ExprKind::Convert(_, e) => part(e),
            ExprKind::Binary {
                op, left, right, ..
            } => {
                matches!(op, BinOp::Div | BinOp::Rem | BinOp::Pow) && self.ty == Type::Integer
                    || part(left)
                    || part(right)
            }
            ExprKind::Concat(..) => true,
            ExprKind::Logical { left, right, .. } => part(left) || part(right),
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => part(cond) || part(then) || part(otherwise),
            ExprKind::Read(Place::Index { .. } | Place::AnyProp { .. }) => true,
            ExprKind::Read(Place::Field { object, .. }) => part(object),
            ExprKind::Read(Place::Captured { .. }) => false,
            ExprKind::Call { .. }
            | ExprKind::Print { .. }
            | ExprKind::Assign { .. }
            | ExprKind::Update { .. }
            | ExprKind::AnyBinary { .. }
            | ExprKind::AnyNegate { .. }
            | ExprKind::Builtin { .. }
            | ExprKind::With { .. }
            | ExprKind::ArrayLit { .. }
            | ExprKind::NewArray { .. }
            | ExprKind::New { .. }
            | ExprKind::DirectCall { .. }
            | ExprKind::MethodCall { .. }
            | ExprKind::Closure { .. }
            | ExprKind::FuncValue { .. }
            | ExprKind::CallValue { .. }
            | ExprKind::AnyCall { .. } => true,
        }
    }
}

/// What [`Stmt::walk`] meets: every expression (parents before their parts), every local a
/// statement declares, and every place inline C can write.
#[derive(Clone, Copy, Debug)]
pub enum Walked<'a> {
    Expr(&'a Expr),
    Let(LocalId),
    Native(&'a Place),
}

impl Unit {
    /// True when, once the unit's top-level code has run, only the slots of the functions it
    /// defines can hold an address in its code: it declares no classes (whose vtables point at
    /// methods), no arrow functions and no function values (closures and trampolines), and has
    /// no inline C (which could keep a pointer to anything). The session then frees the unit's
    /// code as soon as every function it defines has been redefined, and at once if it
    /// defines none.
    ///
    /// A unit with guards (a specialised copy) is not: a slot holds its guard, which no
    /// function of the unit names, so the session must follow that slot itself.
    pub fn code_is_reclaimable(&self) -> bool {
        self.guards.is_empty()
            && self.classes.is_empty()
            && self.arrows.is_empty()
            && self.trampolines.is_empty()
            && self.native_top.is_empty()
            && !self.body.body.iter().any(Stmt::has_inline_c)
            && !self
                .functions
                .iter()
                .any(|f| f.func.body.iter().any(Stmt::has_inline_c))
    }
}

impl Stmt {
    /// True if the statement is, or contains, inline C.
    pub fn has_inline_c(&self) -> bool {
        let any = |stmts: &[Stmt]| stmts.iter().any(Stmt::has_inline_c);
        match self {
            Stmt::Native(..) => true,
            Stmt::Block(b) | Stmt::Seq(b) => any(b),
            Stmt::If {
                then, otherwise, ..
            } => any(then) || any(otherwise),
            Stmt::While { body, .. } | Stmt::DoWhile { body, .. } => any(body),
            Stmt::For { init, body, .. } => any(init) || any(body),
            Stmt::Expr(_)
            | Stmt::Let { .. }
            | Stmt::InitGlobal { .. }
            | Stmt::Break
            | Stmt::Continue
            | Stmt::Return(_) => false,
        }
    }

    /// Walks the statement, the statements inside it and their expressions (not the bodies of
    /// nested functions, which are functions of their own).
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(Walked<'a>)) {
        let exprs =
            |e: &'a Expr, f: &mut dyn FnMut(Walked<'a>)| e.walk(&mut |x| f(Walked::Expr(x)));
        match self {
            Stmt::Expr(e) | Stmt::InitGlobal { value: e, .. } => exprs(e, f),
            Stmt::Return(e) => {
                if let Some(e) = e {
                    exprs(e, f);
                }
            }
            Stmt::Let { local, init } => {
                if let Some(e) = init {
                    exprs(e, f);
                }
                f(Walked::Let(*local));
            }
            Stmt::Block(b) | Stmt::Seq(b) => b.iter().for_each(|s| s.walk(f)),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                exprs(cond, f);
                then.iter().chain(otherwise).for_each(|s| s.walk(f));
            }
            Stmt::While { cond, body } | Stmt::DoWhile { body, cond } => {
                exprs(cond, f);
                body.iter().for_each(|s| s.walk(f));
            }
            Stmt::For {
                init,
                cond,
                update,
                body,
            } => {
                init.iter().for_each(|s| s.walk(f));
                for e in cond.iter().chain(update) {
                    exprs(e, f);
                }
                body.iter().for_each(|s| s.walk(f));
            }
            Stmt::Break | Stmt::Continue => {}
            Stmt::Native(parts, _) => {
                for p in parts {
                    if let NativePart::Place(place, _) = p {
                        place.walk(&mut |x| f(Walked::Expr(x)));
                        f(Walked::Native(place));
                    }
                }
            }
        }
    }
}

impl Stmt {
    /// How often `stmts` (and the statements and expressions inside them) write each local: a
    /// declaration, an assignment, `++`/`--`, a temporary of `With`, and inline C each count once.
    pub fn local_writes(stmts: &[Stmt]) -> std::collections::HashMap<LocalId, usize> {
        let mut writes = std::collections::HashMap::new();
        for s in stmts {
            s.walk(&mut |w| {
                let mut count = |id: LocalId| *writes.entry(id).or_insert(0) += 1;
                match w {
                    Walked::Let(id) => count(id),
                    Walked::Native(Place::Local(id)) => count(*id),
                    Walked::Native(_) => {}
                    Walked::Expr(e) => e.locals_written_here(&mut count),
                }
            });
        }
        writes
    }
}

impl Place {
    /// Walks the expressions of the place (an element's array and index, an object).
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match self {
            Place::Index { array, index, .. } => {
                array.walk(f);
                index.walk(f);
            }
            Place::AnyProp { object, .. } | Place::Field { object, .. } => object.walk(f),
            Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => {}
        }
    }
}

impl Expr {
    /// Calls `f` with each local this expression itself writes (not its parts): the target of an
    /// assignment or of `++`/`--`, and the temporaries of `With`.
    pub fn locals_written_here(&self, f: &mut dyn FnMut(LocalId)) {
        match &self.kind {
            ExprKind::Assign {
                place: Place::Local(id),
                ..
            }
            | ExprKind::Update {
                place: Place::Local(id),
                ..
            } => f(*id),
            ExprKind::With { temps, .. } => temps.iter().for_each(|(id, _)| f(*id)),
            _ => {}
        }
    }

    /// Whether evaluating the expression may write local `id`.
    pub fn writes_local(&self, id: LocalId) -> bool {
        let mut found = false;
        self.walk(&mut |x| x.locals_written_here(&mut |l| found |= l == id));
        found
    }

    /// Calls `f` on this expression and every expression inside it, parents first (not inside
    /// the bodies of closures, which are functions of their own).
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Null
            | ExprKind::Closure { .. }
            | ExprKind::FuncValue { .. } => {}
            ExprKind::Read(p) | ExprKind::Update { place: p, .. } => p.walk(f),
            ExprKind::Unary(_, a)
            | ExprKind::Convert(_, a)
            | ExprKind::AnyNegate { arg: a, .. } => a.walk(f),
            ExprKind::Binary { left, right, .. }
            | ExprKind::AnyBinary { left, right, .. }
            | ExprKind::Logical { left, right, .. }
            | ExprKind::Concat(left, right) => {
                left.walk(f);
                right.walk(f);
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => {
                cond.walk(f);
                then.walk(f);
                otherwise.walk(f);
            }
            ExprKind::Call { args, .. }
            | ExprKind::DirectCall { args, .. }
            | ExprKind::New { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Print { args, .. }
            | ExprKind::ArrayLit { elements: args, .. } => args.iter().for_each(|a| a.walk(f)),
            ExprKind::Assign { place, value } => {
                place.walk(f);
                value.walk(f);
            }
            ExprKind::With { temps, body } => {
                temps.iter().for_each(|(_, e)| e.walk(f));
                body.walk(f);
            }
            ExprKind::NewArray { length, init, .. } => {
                length.walk(f);
                init.walk(f);
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
                t.walk(f);
                args.iter().for_each(|a| a.walk(f));
            }
        }
    }
}
