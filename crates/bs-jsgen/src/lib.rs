//! A JavaScript back end for BlueScript: checks one program with `bs-frontend` exactly as the
//! compiler does and emits the typed IR (`bs_frontend::ir::Unit`) as one standalone ES5
//! program that runs on both `node FILE.js` and `duk FILE.js` (Debian's duktape). It exists so
//! that the benchmark suite can compare BlueScript with an embedded JavaScript interpreter and
//! with a JIT on the same programs. Entry point: [`to_javascript`]; from the command line,
//! `cargo run -p bs-jsgen --example bs2js -- FILE.bs [OUT.js]`.
//!
//! The output is one function expression run at once: `"use strict"`, the prelude of run-time
//! helpers (`src/prelude.js`, every helper's name starts with `$`, which no symbol of the
//! compiler contains), signature and class descriptors, the globals, one JavaScript function per
//! BlueScript function, and `$run($main)`, which runs the top-level code, flushes the output and
//! reports a run-time error on standard error (exit status 1 on node; on duktape the error is
//! rethrown, which also ends with a non-zero status).
//!
//! # Mapping of the constructs
//!
//! Every operation follows the static types of the IR, so BlueScript's semantics hold where they
//! differ from JavaScript's:
//!
//! | BlueScript | JavaScript |
//! | --- | --- |
//! | `integer`, enums | numbers holding int32 values; `a + b` → `((a + b) \| 0)`, `-` likewise, `*` → `Math.imul`, `/` and `%` → `$idiv`/`$imod` (truncate, division by zero is a run-time error; by a non-zero constant inline `((a / c) \| 0)`), `**` → `$ipow` (exact modulo 2^32), `>>>` → `((a >>> b) \| 0)`; other bitwise operators and shifts as they are (JavaScript masks shift counts with 31 too) |
//! | `float` | numbers holding binary32 values: every `+ - * /` is wrapped in `Math.fround` (a polyfill through a `Float32Array` where missing, as in duktape), `**` → `Math.fround(Math.pow(a, b))`, literals are emitted with their exact binary32 value, `integer` → `float` is `Math.fround`, `float as integer` is `$f2i` (truncation with saturation, NaN → 0) |
//! | `boolean` | `true` / `false` |
//! | `string` | a JavaScript string with one character per byte (literals are UTF-8 encoded), so that `length`, `substring`, `<` and `==` work on bytes like the C runtime; output turns the characters back into bytes |
//! | `null` / `undefined` | `undefined` |
//! | `integer[]`, enum arrays, `float[]`, `Uint8Array` | `Int32Array`, `Float32Array`, `Uint8Array` (their prototypes carry the class descriptor `$k`) |
//! | `boolean[]`, `any[]`, `string[]`, `C[]`, `T[][]`, `FixedArray` | an `Array` whose own property `$k` is the descriptor of its exact array class (`$vlit`, `$vnew`); `push`/`pop`/`shift`/`unshift` are JavaScript's (through `any[]`, `$push` etc. first check that the array is growable) |
//! | `a[i]` | an inline bounds check `(i >>> 0 < a.length ? a[i] : $oob(…))`; operands that are not pure are evaluated once into temporaries `$tN`; through the `any[]` view: `$aget`/`$aset` (box the element, convert and check the stored value) |
//! | `new Array<T>(n, init)` | `$inew`, `$fnew`, `$vnew`: `n` copies of `init` (evaluated once) |
//! | class `C` (class id N) | constructor `$CN` that sets every field (inherited ones too) to its zero value, prototype chained to the superclass's, methods `M_name` on the prototype (so calls dispatch through the prototype chain), fields `F_name`; `new C(a)` → `$NN(a)`, which runs the init function with the new object as `this`; descriptor `$DN` with the class name, the superclass and the field and method tables used through `any` |
//! | methods, constructors | `function SYMBOL(params)` using `this` for local 0; `super.m()` and `super()` → `SYMBOL.call(this, …)`; static methods and fields are plain functions and variables |
//! | top-level functions | `function SLOT(params)`; globals are variables of the enclosing function, set to their zero value first |
//! | locals | `var lN_name` (declared at the start of the function); a local captured by an arrow function holds a cell `{v: value}` created by its `let` (so a `let` in a loop body is fresh in every iteration) |
//! | arrow functions | a factory `SYMBOL$mk($c0, …)` taking the cells the arrow captures and returning a JavaScript function tagged with its signature descriptor `$s`; a top-level function used as a value gets a wrapper made by its trampoline's factory |
//! | `any` | integers are numbers boxed to 30 bits (`$bi`), floats are `$F` boxes whose value went through the 6-bit exponent of the device (`$bf`), everything else is itself; conversions from `any` are checked (`$toi`, `$tof`, `$tos`, `$tocls`, …); `+ - * / % **` → `$arith`, comparisons → `$cmp`, `==` → `$eq` (word equality: a boxed `1` is not a boxed `1.0`; strings by content), `o.f` → `$pget`/`$pset`, `o.m(…)` → `$mcall`, `f(…)` → `$call` (arguments converted by the callee's signature, result boxed) |
//! | `+` with a string | the other operand converted as the runtime does (integers after boxing, floats in the short format `$fs`, objects as `<class NAME>`) |
//! | `print`, `console.log`, `console.error` | `$print` / `$eprint`: the boxed value in print format (`%f`-like floats with exactly six decimals, ties to even, computed exactly); stdout is buffered and written as bytes (`Buffer` on node, `print` of a `Uint8Array` on duktape) |
//! | `time.now()`, `time.delay(ms)` | `performance.now()` (or `Date.now()`) since the first call; a busy wait |
//! | run-time errors | a thrown `$Err` with the message of the C runtime and the check's site, reported as `FILE:LINE:COLUMN: runtime error: MESSAGE`; JavaScript's own `RangeError` (too deep recursion) is reported as a stack overflow |
//!
//! JavaScript evaluates operands left to right, as BlueScript does, so the order of effects is
//! kept without the temporaries the C back end needs. One exception is duktape's: it reads a
//! local variable that is the left operand of a binary operator only after evaluating the right
//! operand (`x + (x = 2)` gives 4), so when the right operand assigns that variable, the left
//! one is first copied into a temporary.
//!
//! # Known differences
//!
//! - Inline C (the `code` tag) cannot be translated: `to_javascript` returns an error.
//! - Imports: a single file is translated; a program that imports a module is rejected by the
//!   checker (no module is loaded).
//! - There is no heap limit: programs that exhaust the device's heap run on; there is no
//!   `memory exhausted` error, and how deep recursion may go depends on the engine.
//! - `float ** float` is `pow` in binary64 rounded to binary32, which may differ from the C
//!   library's `powf` in the last bit.
//! - A JavaScript `RangeError` (too deep recursion) has no location and no function name; on
//!   duktape the rethrown error adds duktape's own lines to standard error.
//! - `o.f++` with `o: any` evaluates `o` once; the C back end evaluates it twice (the IR leaves
//!   the object in the place).
//! - Timing: `time.now()` has the engine's clock resolution.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use bs_abi::{ClassId, OpCode, TypeCode};
use bs_cgen::mangle;
use bs_frontend::env::ClassInfo;
use bs_frontend::ir::{
    AnyOp, BinOp, Builtin, CaptureFrom, ClassDef, Conv, ElemKind, Expr, ExprKind, Function, Local,
    Place, Stmt, Symbol, UnOp, Unit, Walked,
};
use bs_frontend::types::{FnSig, Type};
use bs_frontend::{Counters, Env, check_unit, line_col};

/// The run-time helpers every generated program starts with.
const PRELUDE: &str = include_str!("prelude.js");

/// The runtime's numbers the prelude uses (`any` operator codes and their symbols, field type
/// codes), spelled from bs-abi's tables so that they are written once.
fn abi_constants() -> String {
    let mut out = String::from("// ---- numbers shared with the device runtime (bs-abi) ----\n");
    for op in OpCode::ALL {
        let _ = writeln!(out, "var $OP_{} = {};", op.name(), op.code());
    }
    let symbols: Vec<String> = (0..=OpCode::ALL.iter().map(|o| o.code()).max().unwrap_or(0))
        .map(|code| {
            let symbol = OpCode::from_code(code).map_or("", OpCode::description);
            format!("{symbol:?}")
        })
        .collect();
    let _ = writeln!(out, "var $OPS = [{}];", symbols.join(", "));
    for ty in TypeCode::ALL {
        let _ = writeln!(out, "var $TYPE_{} = {};", ty.name(), ty.code());
    }
    out
}

/// Parses and checks `source` (named `file_name` in messages) as the compiler does, and returns
/// one standalone JavaScript program for node and duktape, or the compile errors (one per line,
/// `FILE:LINE:COLUMN: error: MESSAGE`) or the reason the program cannot be translated.
pub fn to_javascript(source: &str, file_name: &str) -> Result<String, String> {
    let env = Env::new();
    let mut counters = Counters::default();
    let checked = check_unit(source, &env, 1, &mut counters).map_err(|diags| {
        diags
            .iter()
            .map(|d| {
                let at = line_col(source, d.span.start);
                format!(
                    "{file_name}:{}:{}: error: {}",
                    at.line, at.column, d.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Emitter::new(&checked.unit, source, file_name).program()
}

/// How a JavaScript function receives BlueScript's local 0.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Parameters are locals 0…n-1.
    Plain,
    /// Local 0 is the receiver (`this`); parameters follow.
    Method,
    /// Local 0 is the function value itself (`$self`); captured variables are `$cK`.
    Arrow,
}

/// The state of the function being emitted.
struct FnState {
    locals: Vec<Local>,
    kind: Kind,
    temps: usize,
}

struct Emitter<'u> {
    unit: &'u Unit,
    source: &'u str,
    file_name: &'u str,
    classes: HashMap<&'u str, &'u ClassInfo>,
    /// Symbols of init functions and method bodies: called with the receiver as `this`.
    receiver_symbols: HashSet<&'u Symbol>,
    /// Property names by id (for access through `any`).
    names: HashMap<u32, String>,
    /// Signature descriptors, by display text: index and JavaScript literal.
    sigs: Vec<String>,
    sig_ids: HashMap<String, usize>,
    f: FnState,
    /// The first construct that cannot be translated.
    error: Option<String>,
}

impl<'u> Emitter<'u> {
    fn new(unit: &'u Unit, source: &'u str, file_name: &'u str) -> Emitter<'u> {
        let mut classes = HashMap::new();
        let mut receiver_symbols = HashSet::new();
        for c in &unit.classes {
            classes.insert(c.info.name.as_str(), &c.info);
            receiver_symbols.insert(&c.info.init_symbol);
            for m in &c.info.methods {
                receiver_symbols.insert(&m.body);
            }
        }
        let mut names: HashMap<u32, String> = bs_frontend::BUILTIN_NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u32, n.to_string()))
            .collect();
        for (n, id) in &unit.names {
            names.insert(*id, n.clone());
        }
        Emitter {
            unit,
            source,
            file_name,
            classes,
            receiver_symbols,
            names,
            sigs: Vec::new(),
            sig_ids: HashMap::new(),
            f: FnState {
                locals: Vec::new(),
                kind: Kind::Plain,
                temps: 0,
            },
            error: None,
        }
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn fail_at(&mut self, span: bs_frontend::Span, what: &str) {
        let at = line_col(self.source, span.start);
        let message = format!(
            "{}:{}:{}: error: {what} cannot be translated to JavaScript",
            self.file_name, at.line, at.column
        );
        self.fail(message);
    }

    /// The whole program.
    fn program(mut self) -> Result<String, String> {
        let unit = self.unit;
        if !unit.native_top.is_empty() {
            self.fail(format!(
                "{}: error: inline C (the code tag) cannot be translated to JavaScript",
                self.file_name
            ));
        }
        let mut functions = String::new();
        for f in &unit.functions {
            let slot = js_name(&f.slot_symbol);
            let text = self.function(&slot, f.sig.params.len(), &f.func, Kind::Plain);
            functions.push_str(&text);
        }
        let classes = self.class_order();
        for c in &classes {
            let init = self.function(
                &js_name(&c.info.init_symbol),
                c.info.ctor.len() + 1,
                &c.init,
                Kind::Method,
            );
            functions.push_str(&init);
            for (symbol, sig, func) in &c.methods {
                let text = self.function(&js_name(symbol), sig.params.len(), func, Kind::Method);
                functions.push_str(&text);
            }
            for (symbol, sig, func) in &c.static_methods {
                let text = self.function(&js_name(symbol), sig.params.len(), func, Kind::Plain);
                functions.push_str(&text);
            }
        }
        for (symbol, sig, func) in &unit.arrows {
            let text = self.arrow_factory(&js_name(symbol), sig, func);
            functions.push_str(&text);
        }
        for (symbol, slot, sig) in &unit.trampolines {
            let (symbol, slot) = (js_name(symbol), js_name(slot));
            let args: Vec<String> = (0..sig.params.len()).map(|i| format!("a{i}")).collect();
            let s = self.sig(sig);
            let _ = writeln!(
                functions,
                "function {symbol}() {{\n  var g = function ({a}) {{ return {slot}({a}); }};\n  g.$s = {s};\n  return g;\n}}\n",
                a = args.join(", ")
            );
        }
        let main = self.function("$main", 0, &unit.body, Kind::Plain);
        functions.push_str(&main);

        // Descriptors and setup of the classes.
        let mut decls = String::new();
        let mut setup = String::new();
        for c in &classes {
            self.class_decl(c, &mut decls, &mut setup);
        }
        for (id, ty, elem) in &unit.array_classes {
            let _ = writeln!(
                decls,
                "var $D{id} = new $D({}, true, true);",
                js_str(&ty.to_string())
            );
            // The element type (`element_id` in bs.h): a class, a function signature (taken
            // from the array's name, as the runtime does), and whether undefined may be one.
            let nullable = elem & bs_abi::ELEMENT_NULLABLE != 0;
            let elem = elem & !bs_abi::ELEMENT_NULLABLE;
            if elem != 0 {
                let _ = writeln!(setup, "$D{id}.e = $D{elem}; $D{id}.en = {nullable};");
            }
            if let Type::Array(e) = ty {
                if let Type::Function(sig) = &**e {
                    let _ = writeln!(setup, "$D{id}.ef = {};", js_str(&sig.to_string()));
                }
            }
        }
        for (i, s) in self.sigs.iter().enumerate() {
            let _ = writeln!(decls, "var $S{i} = {s};");
        }
        // Globals and static fields, at their zero values.
        for g in &unit.globals {
            let _ = writeln!(decls, "var {} = {};", js_name(&g.symbol), zero(&g.ty));
        }
        for c in &classes {
            for (symbol, ty) in &c.static_fields {
                let _ = writeln!(decls, "var {} = {};", js_name(symbol), zero(ty));
            }
        }
        // Where the run-time checks are, for error messages.
        let mut sites = String::from("var $SITES = {");
        for (k, (site, span)) in unit.sites.iter().enumerate() {
            let at = line_col(self.source, span.start);
            if k > 0 {
                sites.push_str(", ");
            }
            let place = format!("{}:{}:{}", self.file_name, at.line, at.column);
            let _ = write!(sites, "{site}: {}", js_str(&place));
        }
        sites.push_str("};\n");

        if let Some(e) = self.error {
            return Err(e);
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "// {} translated to JavaScript by bs-jsgen (generated).",
            self.file_name.replace('\n', " ")
        );
        out.push_str("(function () {\n\"use strict\";\n");
        out.push_str(&abi_constants());
        out.push_str(PRELUDE);
        out.push_str("\n// ---- the program ----\n");
        out.push_str(&sites);
        out.push_str(&decls);
        out.push_str(&setup);
        out.push('\n');
        out.push_str(&functions);
        out.push_str("$run($main);\n})();\n");
        Ok(out)
    }

    /// The unit's classes, every superclass before its subclasses.
    fn class_order(&self) -> Vec<&'u ClassDef> {
        let mut done: HashSet<&str> = HashSet::new();
        let mut out = Vec::new();
        let mut pending: Vec<&ClassDef> = self.unit.classes.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|c| {
                let ready = match &c.info.superclass {
                    Some(s) => done.contains(s.as_str()) || !self.classes.contains_key(s.as_str()),
                    None => true,
                };
                if ready {
                    done.insert(c.info.name.as_str());
                    out.push(*c);
                }
                !ready
            });
            if pending.len() == before {
                out.append(&mut pending);
            }
        }
        out
    }

    /// The constructor, allocation helper and descriptor of a class.
    fn class_decl(&mut self, c: &ClassDef, decls: &mut String, setup: &mut String) {
        let id = c.info.id;
        let _ = writeln!(
            decls,
            "var $D{id} = new $D({}, false, false);",
            js_str(&c.info.name)
        );
        // Constructor: every field at its zero value, in word order.
        let mut fields: Vec<_> = c.info.fields.iter().collect();
        fields.sort_by_key(|f| f.word);
        let mut ctor = format!("function $C{id}() {{");
        for f in &fields {
            let _ = write!(ctor, " this.F_{} = {};", mangle(&f.name), zero(&f.ty));
        }
        ctor.push_str(" }\n");
        decls.push_str(&ctor);
        let params: Vec<String> = (0..c.info.ctor.len()).map(|i| format!("a{i}")).collect();
        let mut call_args = vec!["o".to_string()];
        call_args.extend(params.iter().cloned());
        let _ = writeln!(
            decls,
            "function $N{id}({}) {{ var o = new $C{id}(); {}.call({}); return o; }}",
            params.join(", "),
            js_name(&c.info.init_symbol),
            call_args.join(", ")
        );
        // Prototype chain, descriptor links, methods.
        if c.super_id != 0 {
            let _ = writeln!(
                setup,
                "$C{id}.prototype = Object.create($C{}.prototype);",
                c.super_id
            );
            let _ = writeln!(setup, "$D{id}.sup = $D{};", c.super_id);
        }
        let _ = writeln!(setup, "$C{id}.prototype.$k = $D{id};");
        for (symbol, _, _) in &c.methods {
            if let Some(m) = c.info.methods.iter().find(|m| &m.body == symbol) {
                let _ = writeln!(
                    setup,
                    "$C{id}.prototype.M_{} = {};",
                    mangle(&m.name),
                    js_name(symbol)
                );
            }
        }
        // Members for access through `any`.
        let mut fl = Vec::new();
        for (name_id, word, code, class_id, nullable) in &c.dyn_fields {
            let name = self.names.get(name_id).cloned().unwrap_or_default();
            let Some(f) = c.info.fields.iter().find(|f| f.word == *word) else {
                continue;
            };
            let check = if *class_id != 0 {
                format!("$D{class_id}")
            } else {
                "null".to_string()
            };
            let signature = match &f.ty {
                Type::Function(sig) => js_str(&sig.to_string()),
                _ => "null".to_string(),
            };
            fl.push(format!(
                "{}: [\"F_{}\", {code}, {check}, {nullable}, {signature}]",
                js_str(&format!("#{name}")),
                mangle(&f.name)
            ));
        }
        let _ = writeln!(setup, "$D{id}.fl = {{{}}};", fl.join(", "));
        let mut ml = Vec::new();
        for (name_id, slot, sig) in &c.dyn_methods {
            let name = self.names.get(name_id).cloned().unwrap_or_default();
            let Some(m) = c.info.methods.iter().find(|m| m.slot == *slot) else {
                continue;
            };
            let s = self.sig(sig);
            ml.push(format!(
                "{}: [\"M_{}\", {s}]",
                js_str(&format!("#{name}")),
                mangle(&m.name)
            ));
        }
        let _ = writeln!(setup, "$D{id}.ml = {{{}}};", ml.join(", "));
    }

    /// The descriptor of a signature (for checks of function values and calls through `any`).
    fn sig(&mut self, sig: &FnSig) -> String {
        let text = sig.to_string();
        if let Some(k) = self.sig_ids.get(&text) {
            return format!("$S{k}");
        }
        // A parameter that a call through `any` checks beyond its type code (a class, an array
        // kind, a nullable or function type) has a function doing the check instead.
        let params: Vec<String> = sig
            .params
            .iter()
            .map(|p| {
                let class_id = self
                    .unit
                    .dyn_checks
                    .iter()
                    .find(|(t, _)| t == p)
                    .map_or(0, |(_, id)| *id);
                match p {
                    Type::Class(_)
                    | Type::Array(_)
                    | Type::Nullable(_)
                    | Type::Function(_)
                    | Type::Uint8Array
                    | Type::FixedArray => format!(
                        "function (v, s) {{ return {}; }}",
                        check_from_any(p, "v", "s", class_id)
                    ),
                    _ => format!("\"{}\"", type_code(p)),
                }
            })
            .collect();
        let literal = format!(
            "{{n: {}, p: [{}], r: \"{}\"}}",
            js_str(&text),
            params.join(", "),
            type_code(&sig.ret)
        );
        let k = self.sigs.len();
        self.sigs.push(literal);
        self.sig_ids.insert(text, k);
        format!("$S{k}")
    }

    // ---- functions ----------------------------------------------------------------------------

    /// A function whose first `n_params` locals are its parameters (the receiver included for
    /// methods).
    fn function(&mut self, name: &str, n_params: usize, func: &Function, kind: Kind) -> String {
        let (head, body) = self.function_parts(n_params, func, kind);
        format!("function {name}({head}) {{\n{body}}}\n\n")
    }

    /// The parameter list and the body (declarations included) of a function.
    fn function_parts(&mut self, n_params: usize, func: &Function, kind: Kind) -> (String, String) {
        self.f = FnState {
            locals: func.locals.clone(),
            kind,
            temps: 0,
        };
        let first = if kind == Kind::Plain { 0 } else { 1 };
        let n_params = n_params.max(first).min(func.locals.len().max(first));
        let params: Vec<String> = (first..n_params).map(|id| self.local_name(id)).collect();
        let mut code = String::new();
        self.stmts(&func.body, 1, &mut code);
        let mut head = String::new();
        if kind == Kind::Method && !func.locals.is_empty() {
            let this = self.local_name(0);
            if func.locals[0].captured {
                let _ = writeln!(head, "  var {this} = {{v: this}};");
            } else {
                let _ = writeln!(head, "  var {this} = this;");
            }
        }
        let mut vars: Vec<String> = (n_params..func.locals.len())
            .map(|id| self.local_name(id))
            .collect();
        vars.extend((0..self.f.temps).map(|k| format!("$t{k}")));
        if !vars.is_empty() {
            let _ = writeln!(head, "  var {};", vars.join(", "));
        }
        for id in first..n_params {
            if func.locals[id].captured {
                let name = self.local_name(id);
                let _ = writeln!(head, "  {name} = {{v: {name}}};");
            }
        }
        head.push_str(&code);
        (params.join(", "), head)
    }

    /// The factory of an arrow function: takes the cells it captures, returns the function.
    fn arrow_factory(&mut self, symbol: &str, c_sig: &FnSig, func: &Function) -> String {
        let mut sig = c_sig.clone();
        if !sig.params.is_empty() {
            sig.params.remove(0);
        }
        let n_captures = count_captures(&func.body);
        let (params, body) = self.function_parts(c_sig.params.len(), func, Kind::Arrow);
        let s = self.sig(&sig);
        let cells: Vec<String> = (0..n_captures).map(|k| format!("$c{k}")).collect();
        format!(
            "function {symbol}$mk({}) {{\n  var $self = function ({params}) {{\n{body}}};\n  $self.$s = {s};\n  return $self;\n}}\n\n",
            cells.join(", ")
        )
    }

    fn local_name(&self, id: usize) -> String {
        if id == 0 && self.f.kind == Kind::Arrow {
            return "$self".to_string();
        }
        match self.f.locals.get(id) {
            Some(l) => format!("l{id}_{}", mangle(&l.name)),
            None => format!("l{id}"),
        }
    }

    fn temp(&mut self) -> String {
        let t = format!("$t{}", self.f.temps);
        self.f.temps += 1;
        t
    }

    // ---- statements ---------------------------------------------------------------------------

    fn stmts(&mut self, stmts: &[Stmt], depth: usize, out: &mut String) {
        for s in stmts {
            self.stmt(s, depth, out);
        }
    }

    fn stmt(&mut self, s: &Stmt, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        match s {
            Stmt::Expr(e) => {
                let text = self.expr_stmt(e);
                let _ = writeln!(out, "{pad}{text};");
            }
            Stmt::Let { local, init } => {
                let ty = self.f.locals[*local].ty.clone();
                let value = match init {
                    Some(e) => self.expr(e),
                    None => zero(&ty).to_string(),
                };
                let name = self.local_name(*local);
                if self.f.locals[*local].captured {
                    let _ = writeln!(out, "{pad}{name} = {{v: {value}}};");
                } else {
                    let _ = writeln!(out, "{pad}{name} = {value};");
                }
            }
            Stmt::InitGlobal { symbol, value } => {
                let v = self.expr(value);
                let _ = writeln!(out, "{pad}{} = {v};", js_name(symbol));
            }
            Stmt::Block(b) => {
                let _ = writeln!(out, "{pad}{{");
                self.stmts(b, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Stmt::Seq(b) => self.stmts(b, depth, out),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                let _ = writeln!(out, "{pad}if ({}) {{", strip(&c));
                self.stmts(then, depth + 1, out);
                if otherwise.is_empty() {
                    let _ = writeln!(out, "{pad}}}");
                } else {
                    let _ = writeln!(out, "{pad}}} else {{");
                    self.stmts(otherwise, depth + 1, out);
                    let _ = writeln!(out, "{pad}}}");
                }
            }
            Stmt::While { cond, body } => {
                let c = self.expr(cond);
                let _ = writeln!(out, "{pad}while ({}) {{", strip(&c));
                self.stmts(body, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Stmt::DoWhile { body, cond } => {
                let _ = writeln!(out, "{pad}do {{");
                self.stmts(body, depth + 1, out);
                let c = self.expr(cond);
                let _ = writeln!(out, "{pad}}} while ({});", strip(&c));
            }
            Stmt::For {
                init,
                cond,
                update,
                body,
            } => {
                self.stmts(init, depth, out);
                let c = cond.as_ref().map(|c| self.expr(c)).unwrap_or_default();
                // A captured variable of the initialisation gets a new cell for every iteration
                // (before the update), as JavaScript's own `for (let …)` does.
                let mut parts = Vec::new();
                self.per_iteration_cells(init, &mut parts);
                parts.extend(
                    update
                        .as_ref()
                        .map(|u| strip(&self.expr_stmt(u)).to_string()),
                );
                let u = parts.join(", ");
                let _ = writeln!(out, "{pad}for (; {}; {}) {{", strip(&c), u);
                self.stmts(body, depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
            Stmt::Break => {
                let _ = writeln!(out, "{pad}break;");
            }
            Stmt::Continue => {
                let _ = writeln!(out, "{pad}continue;");
            }
            Stmt::Return(v) => match v {
                Some(e) => {
                    let v = self.expr(e);
                    let _ = writeln!(out, "{pad}return {};", strip(&v));
                }
                None => {
                    let _ = writeln!(out, "{pad}return;");
                }
            },
            Stmt::Native(..) => {
                self.fail(format!(
                    "{}: error: inline C (the code tag) cannot be translated to JavaScript",
                    self.file_name
                ));
            }
        }
    }

    /// An expression whose value is not used.
    fn expr_stmt(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Update {
                place,
                increment,
                prefix: _,
                site,
            } => self.update(place, *increment, true, *site, &e.ty, false),
            ExprKind::With { temps, body } => {
                let mut parts = Vec::new();
                for (id, value) in temps {
                    let v = self.expr(value);
                    parts.push(format!("{} = {v}", self.local_name(*id)));
                }
                parts.push(self.expr_stmt(body));
                format!("({})", parts.join(", "))
            }
            _ => self.expr(e),
        }
    }

    // ---- expressions --------------------------------------------------------------------------

    fn exprs(&mut self, es: &[Expr]) -> Vec<String> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(v) => int_lit(*v),
            ExprKind::Float(v) => float_lit(*v),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Str(bytes) => js_bytes(bytes),
            ExprKind::Null => "undefined".to_string(),
            ExprKind::Read(p) => self.read(p),
            ExprKind::Unary(op, a) => {
                let x = self.expr(a);
                match op {
                    UnOp::Neg if a.ty == Type::Float => format!("(-{x})"),
                    UnOp::Neg => format!("((-{x}) | 0)"),
                    UnOp::BitNot => format!("(~{x})"),
                    UnOp::Not => format!("(!{x})"),
                }
            }
            ExprKind::Binary {
                op,
                left,
                right,
                site,
            } => self.binary(*op, left, right, *site),
            ExprKind::Concat(l, r) => {
                let a = self.str_part(l);
                let a = self.left_operand(l, r, a);
                let b = self.str_part(r);
                format!("({a} + {b})")
            }
            ExprKind::Logical { and, left, right } => {
                let l = self.expr(left);
                let r = self.expr(right);
                format!("({l} {} {r})", if *and { "&&" } else { "||" })
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                let a = self.expr(then);
                let b = self.expr(otherwise);
                format!("({c} ? {a} : {b})")
            }
            ExprKind::Convert(conv, a) => self.convert(*conv, a, &e.ty),
            ExprKind::Call { slot, args, .. } => {
                let a = self.exprs(args);
                format!("{}({})", js_name(slot), a.join(", "))
            }
            ExprKind::Print { stream, args } => {
                let a: Vec<String> = args
                    .iter()
                    .map(|a| strip(&self.expr(a)).to_string())
                    .collect();
                let f = if *stream == 0 { "$print" } else { "$eprint" };
                match &a[..] {
                    [one] => format!("{f}({one})"),
                    _ => format!("{f}v([{}])", a.join(", ")),
                }
            }
            ExprKind::Assign { place, value } => self.assign(place, value),
            ExprKind::Update {
                place,
                increment,
                prefix,
                site,
            } => self.update(place, *increment, *prefix, *site, &e.ty, true),
            ExprKind::AnyBinary {
                op,
                left,
                right,
                site,
            } => {
                let l = self.expr(left);
                let r = self.expr(right);
                match op {
                    AnyOp::Arith(code) => format!("$arith({code}, {l}, {r}, {site})"),
                    AnyOp::Compare(code) => format!("$cmp({code}, {l}, {r}, {site})"),
                    AnyOp::Equal => format!("$eq({l}, {r})"),
                    AnyOp::NotEqual => format!("(!$eq({l}, {r}))"),
                }
            }
            ExprKind::AnyNegate { arg, site } => {
                let a = self.expr(arg);
                format!("$neg({a}, {site})")
            }
            ExprKind::Builtin { op, args } => self.builtin(*op, args),
            ExprKind::With { temps, body } => {
                let mut parts = Vec::new();
                for (id, value) in temps {
                    let v = self.expr(value);
                    parts.push(format!("{} = {v}", self.local_name(*id)));
                }
                parts.push(self.expr(body));
                format!("({})", parts.join(", "))
            }
            ExprKind::ArrayLit {
                elem,
                class_id,
                elements,
            } => {
                let items = self.exprs(elements);
                let list = items.join(", ");
                match elem {
                    ElemKind::Int if items.is_empty() => "new Int32Array(0)".to_string(),
                    ElemKind::Float if items.is_empty() => "new Float32Array(0)".to_string(),
                    ElemKind::Int => format!("new Int32Array([{list}])"),
                    ElemKind::Float => format!("new Float32Array([{list}])"),
                    ElemKind::Bool => {
                        format!("$vlit($D{}, [{list}])", ClassId::BoolArray.code())
                    }
                    _ => format!("$vlit($D{class_id}, [{list}])"),
                }
            }
            ExprKind::NewArray {
                elem,
                class_id,
                length,
                init,
                site,
            } => {
                let n = self.expr(length);
                let v = self.expr(init);
                match elem {
                    ElemKind::Int => format!("$inew({n}, {v}, {site})"),
                    ElemKind::Float => format!("$fnew({n}, {v}, {site})"),
                    ElemKind::Bool => {
                        let id = ClassId::BoolArray.code();
                        format!("$vnew($D{id}, {n}, {v}, {site})")
                    }
                    ElemKind::Uint8 => format!("$u8new({n}, {v}, {site})"),
                    ElemKind::Fixed => {
                        let id = ClassId::FixedArray.code();
                        format!("$vnew($D{id}, {n}, {v}, {site})")
                    }
                    _ => format!("$vnew($D{class_id}, {n}, {v}, {site})"),
                }
            }
            ExprKind::New { class_id, args, .. } => {
                let a = self.exprs(args);
                format!("$N{class_id}({})", a.join(", "))
            }
            ExprKind::DirectCall { symbol, args, .. } => {
                let a = self.exprs(args);
                let name = js_name(symbol);
                if self.receiver_symbols.contains(symbol) {
                    format!("{name}.call({})", a.join(", "))
                } else {
                    format!("{name}({})", a.join(", "))
                }
            }
            ExprKind::MethodCall {
                receiver,
                slot,
                args,
                ..
            } => {
                let r = self.expr(receiver);
                let name = self.method_name(&receiver.ty, *slot, e);
                let a = self.exprs(args);
                format!("{r}.{name}({})", a.join(", "))
            }
            ExprKind::Closure {
                symbol, captures, ..
            } => {
                let cells: Vec<String> = captures
                    .iter()
                    .map(|c| match c {
                        CaptureFrom::Local(id) => self.local_name(*id),
                        CaptureFrom::Outer(j) => format!("$c{j}"),
                    })
                    .collect();
                format!("{}$mk({})", js_name(symbol), cells.join(", "))
            }
            ExprKind::FuncValue { trampoline, .. } => format!("{}()", js_name(trampoline)),
            ExprKind::CallValue { callee, args, .. } => {
                let f = self.expr(callee);
                let a = self.exprs(args);
                format!("{f}({})", a.join(", "))
            }
            ExprKind::AnyCall {
                target,
                name_id,
                args,
                site,
            } => {
                let t = self.expr(target);
                let a = self.exprs(args);
                match name_id {
                    Some(id) => {
                        let name = self.names.get(id).cloned().unwrap_or_default();
                        format!("$mcall({t}, {}, [{}], {site})", js_str(&name), a.join(", "))
                    }
                    None => format!("$call({t}, [{}], {site})", a.join(", ")),
                }
            }
        }
    }

    fn binary(&mut self, op: BinOp, left: &Expr, right: &Expr, site: u32) -> String {
        let l = self.expr(left);
        let l = self.left_operand(left, right, l);
        let r = self.expr(right);
        let nonzero_constant = matches!(right.kind, ExprKind::Int(c) if c != 0);
        match &left.ty {
            Type::Integer | Type::Enum(_) => match op {
                BinOp::Add => format!("(({l} + {r}) | 0)"),
                BinOp::Sub => format!("(({l} - {r}) | 0)"),
                BinOp::Mul => format!("Math.imul({l}, {r})"),
                BinOp::Div if nonzero_constant => format!("(({l} / {r}) | 0)"),
                BinOp::Div => format!("$idiv({l}, {r}, {site})"),
                BinOp::Rem if nonzero_constant => format!("(({l} % {r}) | 0)"),
                BinOp::Rem => format!("$imod({l}, {r}, {site})"),
                BinOp::Pow => format!("$ipow({l}, {r}, {site})"),
                BinOp::UShr => format!("(({l} >>> {r}) | 0)"),
                _ => format!("({l} {} {r})", js_operator(op)),
            },
            Type::Float => match op {
                BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                    format!("Math.fround({l} {} {r})", js_operator(op))
                }
                BinOp::Pow => format!("$fpow({l}, {r})"),
                _ => format!("({l} {} {r})", js_operator(op)),
            },
            _ => format!("({l} {} {r})", js_operator(op)),
        }
    }

    /// The left operand `text` of a binary operator, copied into a temporary when it is a local
    /// variable that the right operand assigns: duktape reads a variable held in a register
    /// only after evaluating the right operand (`x + (x = 2)` is 4 there, 3 in JavaScript).
    fn left_operand(&mut self, left: &Expr, right: &Expr, text: String) -> String {
        let Some(id) = register_local(left, &self.f.locals) else {
            return text;
        };
        if !right.writes_local(id) {
            return text;
        }
        let t = self.temp();
        format!("({t} = {text}, {t})")
    }

    /// An operand of string concatenation (boxed in the IR) as a JavaScript value that `+`
    /// with a string turns into BlueScript's text.
    fn str_part(&mut self, e: &Expr) -> String {
        if e.ty == Type::String {
            return self.expr(e);
        }
        if let ExprKind::Convert(Conv::Box, inner) = &e.kind {
            match inner.ty {
                Type::Integer | Type::Enum(_) => {
                    if let ExprKind::Int(v) = inner.kind {
                        return js_str(&box_int(v).to_string());
                    }
                    let x = self.expr(inner);
                    return format!("$bi({x})");
                }
                Type::Float => {
                    let x = self.expr(inner);
                    return format!("$fs({x})");
                }
                Type::Boolean => return self.expr(inner),
                _ => {}
            }
        }
        let x = self.expr(e);
        format!("$str({x})")
    }

    fn convert(&mut self, conv: Conv, a: &Expr, to: &Type) -> String {
        match conv {
            Conv::IntToFloat => {
                if let ExprKind::Int(v) = a.kind {
                    return float_lit(v as f32);
                }
                let x = self.expr(a);
                format!("Math.fround({x})")
            }
            Conv::FloatToInt => {
                let x = self.expr(a);
                format!("$f2i({x})")
            }
            Conv::Box => match a.ty {
                Type::Integer | Type::Enum(_) => {
                    if let ExprKind::Int(v) = a.kind {
                        return int_lit(box_int(v));
                    }
                    let x = self.expr(a);
                    format!("$bi({x})")
                }
                Type::Float => {
                    let x = self.expr(a);
                    format!("$bf({x})")
                }
                _ => self.expr(a),
            },
            Conv::Truthy => {
                let x = self.expr(a);
                match a.ty {
                    Type::Integer | Type::Enum(_) | Type::Float => format!("({x} !== 0)"),
                    Type::Boolean => x,
                    _ => format!("$truthy({x})"),
                }
            }
            Conv::Check { site, class_id } => {
                let x = self.expr(a);
                check_from_any(to, &x, site, class_id)
            }
            // Only specialised copies have these (the dynamic compiler, on devices only).
            Conv::WrapBoxedInt => {
                let x = self.expr(a);
                format!("$bi({x})")
            }
            Conv::RoundBoxedFloat => {
                let x = self.expr(a);
                format!("$bf({x}).f")
            }
        }
    }

    fn builtin(&mut self, op: Builtin, args: &[Expr]) -> String {
        let a = self.exprs(args);
        let arg = |k: usize| a.get(k).cloned().unwrap_or_else(|| "undefined".to_string());
        let through_view = args
            .first()
            .is_some_and(|x| x.ty == Type::Array(Box::new(Type::Any)));
        match op {
            Builtin::StringLength | Builtin::ArrayLength => format!("{}.length", arg(0)),
            Builtin::StringStartsWith => format!("$sw({}, {})", arg(0), arg(1)),
            Builtin::StringEndsWith => format!("$ew({}, {})", arg(0), arg(1)),
            Builtin::StringSubstring => {
                format!("{}.substring({}, {})", arg(0), arg(1), arg(2))
            }
            Builtin::VectorPush if through_view => format!("$push({}, {})", arg(0), arg(1)),
            Builtin::VectorUnshift if through_view => {
                format!("$unshift({}, {})", arg(0), arg(1))
            }
            Builtin::ViewPush => format!("$push({}, {}, {})", arg(0), arg(1), arg(2)),
            Builtin::ViewUnshift => format!("$unshift({}, {}, {})", arg(0), arg(1), arg(2)),
            Builtin::VectorPop if through_view => format!("$pop({})", arg(0)),
            Builtin::VectorShift if through_view => format!("$shift({})", arg(0)),
            Builtin::VectorPush => format!("{}.push({})", arg(0), arg(1)),
            Builtin::VectorUnshift => format!("{}.unshift({})", arg(0), arg(1)),
            Builtin::VectorPop => format!("{}.pop()", arg(0)),
            Builtin::VectorShift => format!("{}.shift()", arg(0)),
            Builtin::TimeNow => "$now()".to_string(),
            Builtin::TimeDelay => format!("$delay({})", arg(0)),
            Builtin::SetInterval | Builtin::SetTimeout | Builtin::ClearTimer => {
                "$no_timers()".to_string()
            }
            Builtin::Uint8ArrayNew => format!("$u8new({}, {}, {})", arg(0), arg(1), arg(2)),
            Builtin::FixedArrayNew => {
                format!(
                    "$vnew($D{}, {}, {}, {})",
                    ClassId::FixedArray.code(),
                    arg(0),
                    arg(1),
                    arg(2)
                )
            }
            Builtin::IsArray => format!("$isarr({})", arg(0)),
            Builtin::IsString => format!("(typeof {} === \"string\")", arg(0)),
            Builtin::InstanceOf => format!("$isinst({}, $D{})", arg(0), arg(1)),
            Builtin::ArrayCopy => {
                // The element check: a type code, or a class's descriptor.
                let check = match args.get(2).map(|e| &e.kind) {
                    Some(ExprKind::Int(c)) if *c as u32 >= bs_abi::TYPE_CLASS_BASE => {
                        format!("$D{}", *c as u32 - bs_abi::TYPE_CLASS_BASE)
                    }
                    _ => arg(2),
                };
                format!(
                    "$acopy({}, $D{}, {check}, {}, {}, {})",
                    arg(0),
                    arg(1),
                    arg(3),
                    arg(4),
                    arg(5)
                )
            }
        }
    }

    /// `name = {v: name.v}` for each captured variable a `for` loop's initialisation declares.
    fn per_iteration_cells(&self, init: &[Stmt], out: &mut Vec<String>) {
        for s in init {
            match s {
                Stmt::Let { local, .. } if self.f.locals[*local].captured => {
                    let name = self.local_name(*local);
                    out.push(format!("{name} = {{v: {name}.v}}"));
                }
                Stmt::Seq(inner) => self.per_iteration_cells(inner, out),
                _ => {}
            }
        }
    }

    // ---- places -------------------------------------------------------------------------------

    /// A local variable as a JavaScript lvalue (through its cell when captured).
    fn local_ref(&self, id: usize) -> String {
        let name = self.local_name(id);
        let captured = self.f.locals.get(id).is_some_and(|l| l.captured)
            && !(id == 0 && self.f.kind == Kind::Arrow);
        if captured { format!("{name}.v") } else { name }
    }

    /// The class of a value of type `ty` (a class, or a nullable class), if this unit knows it.
    fn class_info(&self, ty: &Type) -> Option<&'u ClassInfo> {
        let name = match ty {
            Type::Class(c) => c,
            Type::Nullable(t) => match &**t {
                Type::Class(c) => c,
                _ => return None,
            },
            _ => return None,
        };
        self.classes.get(name.as_str()).copied()
    }

    fn field_name(&mut self, object_ty: &Type, word: u32, at: &Expr) -> String {
        let field = self
            .class_info(object_ty)
            .and_then(|info| info.fields.iter().find(|f| f.word == word));
        match field {
            Some(f) => format!("F_{}", mangle(&f.name)),
            None => {
                self.fail_at(at.span, "a field of an unknown class");
                format!("F_{word}")
            }
        }
    }

    fn method_name(&mut self, receiver_ty: &Type, slot: u32, at: &Expr) -> String {
        let method = self
            .class_info(receiver_ty)
            .and_then(|info| info.methods.iter().find(|m| m.slot == slot));
        match method {
            Some(m) => format!("M_{}", mangle(&m.name)),
            None => {
                self.fail_at(at.span, "a method of an unknown class");
                format!("M_{slot}")
            }
        }
    }

    fn prop_name(&self, name_id: u32) -> String {
        js_str(&self.names.get(&name_id).cloned().unwrap_or_default())
    }

    /// The value of a place.
    fn read(&mut self, p: &Place) -> String {
        match p {
            Place::Local(id) => self.local_ref(*id),
            Place::Global { symbol } => js_name(symbol),
            Place::Captured { index } => format!("$c{index}.v"),
            Place::Field { object, word } => {
                let o = self.expr(object);
                let name = self.field_name(&object.ty, *word, object);
                format!("{o}.{name}")
            }
            Place::Index {
                array,
                index,
                elem: ElemKind::AnyView,
                site,
            } => {
                let a = self.expr(array);
                let i = self.expr(index);
                format!("$aget({a}, {i}, {site})")
            }
            Place::Index {
                array, index, site, ..
            } => {
                let mut pre = Vec::new();
                let a = self.operand(array, &mut pre);
                let i = self.operand(index, &mut pre);
                pre.push(format!(
                    "{i} >>> 0 < {a}.length ? {a}[{i}] : $oob({i}, {a}, {site})"
                ));
                format!("({})", pre.join(", "))
            }
            Place::AnyProp {
                object,
                name_id,
                site,
            } => {
                let o = self.expr(object);
                format!("$pget({o}, {}, {site})", self.prop_name(*name_id))
            }
        }
    }

    /// An operand that is used more than once: pure ones as they are, others through a
    /// temporary assigned in `pre`.
    fn operand(&mut self, e: &Expr, pre: &mut Vec<String>) -> String {
        let x = self.expr(e);
        if is_pure(e) {
            return x;
        }
        let t = self.temp();
        pre.push(format!("{t} = {x}"));
        t
    }

    /// `place = value`, yielding the value.
    fn assign(&mut self, place: &Place, value: &Expr) -> String {
        match place {
            Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => {
                let p = self.read(place);
                let v = self.expr(value);
                format!("({p} = {})", strip(&v))
            }
            Place::Field { object, word } => {
                let o = self.expr(object);
                let name = self.field_name(&object.ty, *word, object);
                let v = self.expr(value);
                format!("({o}.{name} = {})", strip(&v))
            }
            Place::Index {
                array,
                index,
                elem: ElemKind::AnyView,
                site,
            } => {
                let a = self.expr(array);
                let i = self.expr(index);
                let v = self.expr(value);
                format!("$aset({a}, {i}, {v}, {site})")
            }
            Place::Index {
                array, index, site, ..
            } => {
                let mut pre = Vec::new();
                if value.has_effects() {
                    // The bounds check comes after the value, as in the C runtime.
                    let a = self.expr(array);
                    let i = self.expr(index);
                    let v = self.expr(value);
                    let (ta, ti, tv) = (self.temp(), self.temp(), self.temp());
                    return format!(
                        "({ta} = {a}, {ti} = {i}, {tv} = {v}, {ti} >>> 0 < {ta}.length ? ({ta}[{ti}] = {tv}) : $oob({ti}, {ta}, {site}))"
                    );
                }
                let a = self.operand(array, &mut pre);
                let i = self.operand(index, &mut pre);
                let v = self.expr(value);
                pre.push(format!(
                    "{i} >>> 0 < {a}.length ? ({a}[{i}] = {}) : $oob({i}, {a}, {site})",
                    strip(&v)
                ));
                format!("({})", pre.join(", "))
            }
            Place::AnyProp {
                object,
                name_id,
                site,
            } => {
                let o = self.expr(object);
                let v = self.expr(value);
                format!("$pset({o}, {}, {v}, {site})", self.prop_name(*name_id))
            }
        }
    }

    /// `++`/`--` on a place of type `ty`; `want` is false when the value is not used.
    fn update(
        &mut self,
        place: &Place,
        increment: bool,
        prefix: bool,
        site: u32,
        ty: &Type,
        want: bool,
    ) -> String {
        let next = |x: &str| -> String {
            let sign = if increment { "+" } else { "-" };
            match ty {
                Type::Float => format!("Math.fround({x} {sign} 1)"),
                Type::Any => {
                    let op = if increment { "$OP_INC" } else { "$OP_DEC" };
                    format!("$incdec({op}, {x}, {site})")
                }
                _ => format!("(({x} {sign} 1) | 0)"),
            }
        };
        let result = |old: &str, new: &str| -> String {
            if prefix {
                new.to_string()
            } else {
                old.to_string()
            }
        };
        match place {
            Place::AnyProp {
                object,
                name_id,
                site: at,
            } => {
                let o = self.expr(object);
                let name = self.prop_name(*name_id);
                let (to, told, tnew) = (self.temp(), self.temp(), self.temp());
                format!(
                    "({to} = {o}, {told} = $pget({to}, {name}, {at}), {tnew} = {}, $pset({to}, {name}, {tnew}, {at}), {})",
                    next(&told),
                    result(&told, &tnew)
                )
            }
            Place::Index {
                array,
                index,
                elem: ElemKind::AnyView,
                site: at,
            } => {
                let a = self.expr(array);
                let i = self.expr(index);
                let (ta, ti, told, tnew) = (self.temp(), self.temp(), self.temp(), self.temp());
                format!(
                    "({ta} = {a}, {ti} = {i}, {told} = $aget({ta}, {ti}, {at}), {tnew} = {}, $aset({ta}, {ti}, {tnew}, {at}), {})",
                    next(&told),
                    result(&told, &tnew)
                )
            }
            Place::Index {
                array,
                index,
                site: at,
                elem: kind,
            } => {
                let mut pre = Vec::new();
                let a = self.operand(array, &mut pre);
                let i = self.operand(index, &mut pre);
                let elem = format!("{a}[{i}]");
                let body = if want && prefix && *kind == ElemKind::Uint8 {
                    // `++u[i]` yields the byte stored, not the sum.
                    format!("({elem} = {}, {elem})", next(&elem))
                } else if want && !prefix || *ty == Type::Any {
                    let (told, tnew) = (self.temp(), self.temp());
                    format!(
                        "({told} = {elem}, {tnew} = {}, {elem} = {tnew}, {})",
                        next(&told),
                        result(&told, &tnew)
                    )
                } else {
                    format!("({elem} = {})", next(&elem))
                };
                pre.push(format!(
                    "{i} >>> 0 < {a}.length ? {body} : $oob({i}, {a}, {at})"
                ));
                format!("({})", pre.join(", "))
            }
            Place::Field { object, word } => {
                let mut pre = Vec::new();
                let o = self.operand(object, &mut pre);
                let name = self.field_name(&object.ty, *word, object);
                let lv = format!("{o}.{name}");
                pre.push(self.update_lvalue(
                    &lv,
                    want && !prefix || *ty == Type::Any,
                    &next,
                    &result,
                ));
                format!("({})", pre.join(", "))
            }
            Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => {
                let lv = self.read(place);
                let text =
                    self.update_lvalue(&lv, want && !prefix || *ty == Type::Any, &next, &result);
                format!("({text})")
            }
        }
    }

    /// `++`/`--` on a JavaScript lvalue that may be evaluated more than once.
    fn update_lvalue(
        &mut self,
        lv: &str,
        with_temps: bool,
        next: &dyn Fn(&str) -> String,
        result: &dyn Fn(&str, &str) -> String,
    ) -> String {
        if with_temps {
            let (told, tnew) = (self.temp(), self.temp());
            format!(
                "{told} = {lv}, {tnew} = {}, {lv} = {tnew}, {}",
                next(&told),
                result(&told, &tnew)
            )
        } else {
            format!("{lv} = {}", next(lv))
        }
    }
}

/// How many capture slots an arrow body uses (the highest `Captured` index + 1).
/// The JavaScript name of a symbol: the C back end's name for it (a valid JavaScript identifier
/// too), so that the JavaScript and the C of a program name their functions and globals alike.
fn js_name(s: &Symbol) -> String {
    bs_cgen::c_symbol(s)
}

fn count_captures(stmts: &[Stmt]) -> usize {
    let mut n = 0;
    for s in stmts {
        s.walk(&mut |w| {
            let Walked::Expr(e) = w else { return };
            if let ExprKind::Read(Place::Captured { index })
            | ExprKind::Assign {
                place: Place::Captured { index },
                ..
            }
            | ExprKind::Update {
                place: Place::Captured { index },
                ..
            } = &e.kind
            {
                n = n.max(*index as usize + 1);
            }
            if let ExprKind::Closure { captures, .. } = &e.kind {
                for c in captures {
                    if let CaptureFrom::Outer(j) = c {
                        n = n.max(*j as usize + 1);
                    }
                }
            }
        });
    }
    n
}

/// The local an expression reads as a plain JavaScript variable (not through a cell), if any.
fn register_local(e: &Expr, locals: &[Local]) -> Option<usize> {
    match &e.kind {
        ExprKind::Read(Place::Local(id)) if locals.get(*id).is_some_and(|l| !l.captured) => {
            Some(*id)
        }
        ExprKind::With { body, .. } => register_local(body, locals),
        _ => None,
    }
}

/// True for an expression without effects that is cheap to evaluate twice.
fn is_pure(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Int(_) => true,
        ExprKind::Read(Place::Local(_) | Place::Global { .. } | Place::Captured { .. }) => true,
        ExprKind::Read(Place::Field { object, .. }) => is_pure(object),
        ExprKind::Binary {
            op, left, right, ..
        } => {
            e.ty == Type::Integer
                && matches!(
                    op,
                    BinOp::Add
                        | BinOp::Sub
                        | BinOp::Mul
                        | BinOp::BitAnd
                        | BinOp::BitOr
                        | BinOp::BitXor
                        | BinOp::Shl
                        | BinOp::Shr
                        | BinOp::UShr
                )
                && is_pure(left)
                && is_pure(right)
        }
        _ => false,
    }
}

/// A checked conversion of the boxed JavaScript value `x` to type `to`.
fn check_from_any(to: &Type, x: &str, site: impl std::fmt::Display, class_id: u32) -> String {
    let class = |nullable: bool| {
        if class_id == 0 {
            x.to_string()
        } else {
            format!("$tocls({x}, $D{class_id}, {nullable}, {site})")
        }
    };
    match to {
        Type::Integer | Type::Enum(_) => format!("$toi({x}, {site})"),
        Type::Float => format!("$tof({x}, {site})"),
        Type::Boolean => format!("$truthy({x})"),
        Type::String => format!("$tos({x}, {site})"),
        Type::Null => format!("$ton({x}, {site})"),
        Type::Any | Type::Void => x.to_string(),
        Type::Array(e) if **e == Type::Any => format!("$toarr({x}, {site})"),
        Type::Class(_) | Type::Array(_) | Type::Uint8Array | Type::FixedArray => class(false),
        Type::Nullable(inner) => match **inner {
            Type::String => format!("$tosn({x}, {site})"),
            Type::Object => format!("$toobjn({x}, {site})"),
            _ => class(true),
        },
        Type::Function(sig) => format!("$tofn({x}, {}, {site})", js_str(&sig.to_string())),
        Type::Object => format!("$toobj({x}, {site})"),
    }
}

/// The code of a type in signature descriptors.
fn type_code(t: &Type) -> &'static str {
    match t {
        Type::Integer | Type::Enum(_) => "i",
        Type::Float => "f",
        Type::Boolean => "b",
        Type::String => "s",
        Type::Void => "v",
        _ => "a",
    }
}

fn zero(ty: &Type) -> &'static str {
    match ty {
        Type::Integer | Type::Enum(_) | Type::Float => "0",
        Type::Boolean => "false",
        _ => "undefined",
    }
}

fn js_operator(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::Pow => "**",
        BinOp::Shl => "<<",
        BinOp::Shr => ">>",
        BinOp::UShr => ">>>",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::Eq => "===",
        BinOp::Ne => "!==",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
    }
}

/// An integer as it is after boxing (30 bits, sign-extended).
fn box_int(v: i32) -> i32 {
    v.wrapping_shl(2) >> 2
}

fn int_lit(v: i32) -> String {
    if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

/// A JavaScript number with exactly the binary32 value `v`.
fn float_lit(v: f32) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "(-Infinity)" }.to_string()
    } else if v == 0.0 {
        if v.is_sign_negative() { "(-0)" } else { "0" }.to_string()
    } else if v < 0.0 {
        format!("({:e})", v as f64)
    } else {
        format!("{:e}", v as f64)
    }
}

/// A JavaScript string literal holding the bytes one character each.
fn js_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    s
}

fn js_str(text: &str) -> String {
    js_bytes(text.as_bytes())
}

/// An expression without its outer parentheses, where the context already delimits it.
fn strip(x: &str) -> &str {
    if x.starts_with('(') && x.ends_with(')') && balanced_inside(&x[1..x.len() - 1]) {
        &x[1..x.len() - 1]
    } else {
        x
    }
}

/// True when the brackets of `s` never close more than they opened and no comma stands outside
/// them (strings ignored).
fn balanced_inside(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ',' if depth == 0 => return false,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_literals_are_exact_binary32_values() {
        assert_eq!(float_lit(0.5), "5e-1");
        assert_eq!(float_lit(0.1), "1.0000000149011612e-1");
        assert_eq!(float_lit(-2.5), "(-2.5e0)");
        assert_eq!(float_lit(-0.0), "(-0)");
    }

    #[test]
    fn strings_hold_one_character_per_byte() {
        assert_eq!(js_bytes(b"a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(js_str("\u{e9}\n"), "\"\\xc3\\xa9\\x0a\"");
    }

    #[test]
    fn outer_parentheses_are_stripped_only_when_they_match() {
        assert_eq!(strip("(a + b)"), "a + b");
        assert_eq!(strip("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip("(\")\" + b)"), "\")\" + b");
        assert_eq!(strip("($t0 = a, $t0)"), "($t0 = a, $t0)");
    }

    #[test]
    fn boxing_keeps_thirty_bits() {
        assert_eq!(box_int(536870912), -536870912);
        assert_eq!(box_int(-1), -1);
        assert_eq!(box_int(2147483647), -1);
    }

    #[test]
    fn a_left_operand_assigned_on_the_right_is_copied_first() {
        let js = to_javascript(
            "function f(): integer {\n  let x = 1\n  return x + (x = 2)\n}\nprint(f())\n",
            "t.bs",
        )
        .unwrap();
        assert!(js.contains("(($t0 = l0_x, $t0) + (l0_x = 2)) | 0"), "{js}");
    }

    #[test]
    fn a_small_program_translates() {
        let js = to_javascript("let x = 1 + 2\nprint(x * 3.5)\n", "t.bs").unwrap();
        assert!(js.contains("$run($main)"));
        assert!(
            to_javascript("let x: integer = 'a'\n", "t.bs")
                .unwrap_err()
                .starts_with("t.bs:1:18: error:")
        );
    }
}
