//! The C back end: turns one checked unit (`bs_frontend::ir::Unit`) into one C file that includes
//! only the runtime's `bs.h`. It does no IO and knows nothing of devices.
//!
//! Layout of the generated file: string literals, declarations of what earlier units define
//! (globals and function slots), this unit's globals, prototypes, the slots of functions first
//! defined here (initialised with their bodies), the bodies, and the entry function
//! `bs_unit_N`, which first points redefined slots at their new bodies and then runs the unit's
//! top-level code.
//!
//! Invariant: JavaScript evaluates operands left to right, C leaves the order open. Whenever a
//! later operand has effects, the operands are evaluated into temporaries first, in order.

use std::fmt::Write;

use bs_frontend::ir::*;
use bs_frontend::types::{FnSig, Type};

/// Generates the C source of a unit.
pub fn emit_unit(unit: &Unit) -> String {
    let mut g = Gen {
        direct: unit
            .functions
            .iter()
            .map(|f| (f.slot_symbol.clone(), f.body_symbol.clone()))
            .collect(),
        ..Gen::default()
    };
    let mut out = String::new();
    let mut decls = String::new();
    let mut bodies = String::new();
    let mut declared = std::collections::HashSet::new();

    // Declarations of what earlier units define.
    for e in &unit.externs {
        match e {
            ExternRef::Global { symbol, ty } => {
                if declared.insert(symbol.clone()) {
                    let _ = writeln!(decls, "extern {} {symbol};", c_type(ty));
                }
            }
            ExternRef::FnSlot { symbol, sig } => {
                if declared.insert(symbol.clone()) {
                    let _ = writeln!(decls, "extern {};", slot_decl(symbol, sig));
                }
            }
            ExternRef::Func { symbol, sig } => {
                if declared.insert(symbol.clone()) {
                    let _ = writeln!(decls, "{};", prototype(symbol, sig, None));
                }
            }
        }
    }
    for f in &unit.functions {
        if f.redefines && declared.insert(f.slot_symbol.clone()) {
            let _ = writeln!(decls, "extern {};", slot_decl(&f.slot_symbol, &f.sig));
        }
    }
    // This unit's globals, static fields included.
    for gl in &unit.globals {
        let _ = writeln!(
            decls,
            "{} {}{};",
            c_type(&gl.ty),
            gl.symbol,
            global_init(&gl.ty)
        );
    }
    for c in &unit.classes {
        for (symbol, ty) in &c.static_fields {
            let _ = writeln!(decls, "{} {symbol}{};", c_type(ty), global_init(ty));
        }
    }
    // Prototypes, then slots.
    for f in &unit.functions {
        let _ = writeln!(decls, "{};", prototype(&f.body_symbol, &f.sig, None));
    }
    for c in &unit.classes {
        for (symbol, sig) in class_functions(c) {
            g.methods.insert(symbol.clone());
            if declared.insert(symbol.clone()) {
                let _ = writeln!(decls, "{};", prototype(&symbol, &sig, None));
            }
        }
        for (symbol, sig) in &c.vtable_externs {
            g.methods.insert(symbol.clone());
            if declared.insert(symbol.clone()) {
                let _ = writeln!(decls, "{};", prototype(symbol, sig, None));
            }
        }
    }
    for f in &unit.functions {
        if !f.redefines {
            let _ = writeln!(
                decls,
                "{} = {};",
                slot_decl(&f.slot_symbol, &f.sig),
                f.body_symbol
            );
        }
    }
    // Arrow functions and the trampolines of functions used as values.
    for (symbol, sig, _) in &unit.arrows {
        let _ = writeln!(decls, "{};", prototype(symbol, sig, None));
    }
    for (symbol, slot, sig) in &unit.trampolines {
        let mut c_sig = sig.clone();
        c_sig.params.insert(0, Type::Any);
        let names: Vec<String> = (0..c_sig.params.len()).map(|i| format!("a{i}")).collect();
        let call = format!("{slot}({})", names[1..].join(", "));
        let body = if sig.ret == Type::Void {
            format!("(void)a0; {call};")
        } else {
            format!("(void)a0; return {call};")
        };
        let _ = writeln!(
            decls,
            "static {} {{ {body} }}",
            prototype(symbol, &c_sig, Some(&names))
        );
        fn_info(symbol, sig, &mut decls);
    }
    for (symbol, sig, _) in &unit.arrows {
        // The arrow's own signature is its C one without the function value.
        let mut own = sig.clone();
        own.params.remove(0);
        fn_info(symbol, &own, &mut decls);
    }
    // Class descriptors.
    for c in &unit.classes {
        class_descriptor(c, &mut decls);
    }
    for (id, ty, elem) in &unit.array_classes {
        let name = ty.to_string().replace('"', "'");
        let _ = writeln!(
            decls,
            "static const bs_class bs_class_{id} = {{\"{name}\", BS_KIND_REF_ARRAY, 0, 0, 0, {elem}u, 0, 0, 0, 0, 0, 0}};"
        );
    }
    // Bodies.
    for (symbol, sig, func) in &unit.arrows {
        g.function(symbol, sig, func, &mut bodies);
    }
    for f in &unit.functions {
        // `inline` (after a plain prototype: still an external definition) lets the C compiler
        // inline the body into this unit's direct calls more readily.
        bodies.push_str("\ninline");
        g.function(&f.body_symbol, &f.sig, &f.func, &mut bodies);
    }
    for c in &unit.classes {
        let mut init_sig = FnSig {
            params: c.info.ctor.clone(),
            ret: Type::Void,
        };
        init_sig.params.insert(0, Type::Class(c.info.name.clone()));
        bodies.push_str("\ninline");
        g.function(&c.info.init_symbol, &init_sig, &c.init, &mut bodies);
        for (symbol, sig, func) in c.methods.iter().chain(&c.static_methods) {
            bodies.push_str("\ninline");
            g.function(symbol, sig, func, &mut bodies);
        }
    }
    // Entry: define classes, point redefined slots at their new bodies, run the top level.
    g.locals = unit.body.locals.clone();
    let _ = writeln!(bodies, "\nvoid {}(void) {{", unit.entry_symbol);
    for (id, _, _) in &unit.array_classes {
        let _ = writeln!(bodies, "    bs_class_define({id}u, &bs_class_{id});");
    }
    for c in &unit.classes {
        let _ = writeln!(
            bodies,
            "    bs_class_define({}u, &bs_class_{});",
            c.info.id, c.info.id
        );
    }
    for f in &unit.functions {
        if f.redefines {
            let _ = writeln!(bodies, "    {} = {};", f.slot_symbol, f.body_symbol);
        }
    }
    g.stmts(&unit.body.body, 1, &mut bodies);
    bodies.push_str("}\n");

    let _ = writeln!(out, "/* BlueScript unit {} (generated) */", unit.id);
    out.push_str("#include \"bs.h\"\n\n");
    for text in &unit.native_top {
        out.push_str(text);
        out.push('\n');
    }
    out.push_str(&g.literals);
    out.push_str(&decls);
    out.push_str(&bodies);
    out
}

/// The init function, methods and static methods a class defines, with their C signatures
/// (receiver first for the init function and methods).
fn class_functions(c: &ClassDef) -> Vec<(String, FnSig)> {
    let mut init = FnSig {
        params: c.info.ctor.clone(),
        ret: Type::Void,
    };
    init.params.insert(0, Type::Class(c.info.name.clone()));
    let mut out = vec![(c.info.init_symbol.clone(), init)];
    for (symbol, sig, _) in c.methods.iter().chain(&c.static_methods) {
        out.push((symbol.clone(), sig.clone()));
    }
    out
}

/// The class descriptor of `c` (see `bs_class` in bs.h): reference bitmap, vtable, descriptor.
fn class_descriptor(c: &ClassDef, out: &mut String) {
    let id = c.info.id;
    let words = c.info.words as usize;
    let mut bits = vec![0u32; words.div_ceil(32).max(1)];
    for f in &c.info.fields {
        if f.ty.is_boxed_repr() {
            bits[f.word as usize / 32] |= 1 << (f.word % 32);
        }
    }
    let bits: Vec<String> = bits.iter().map(|b| format!("0x{b:08x}u")).collect();
    let _ = writeln!(
        out,
        "static const uint32_t bs_refs_{id}[] = {{{}}};",
        bits.join(", ")
    );
    let vtable = if c.info.methods.is_empty() {
        "0".to_string()
    } else {
        let entries: Vec<String> = c
            .info
            .methods
            .iter()
            .map(|m| format!("(void *){}", m.body))
            .collect();
        let _ = writeln!(
            out,
            "static void *const bs_vt_{id}[] = {{{}}};",
            entries.join(", ")
        );
        format!("bs_vt_{id}")
    };
    let super_id = c.super_id;
    // Members for access through `any`.
    let fields = if c.dyn_fields.is_empty() {
        "0".to_string()
    } else {
        let rows: Vec<String> = c
            .dyn_fields
            .iter()
            .map(|(name, word, ty, class_id, nullable)| {
                format!(
                    "{{{name}u, {word}u, {ty}u, {class_id}u, {}u}}",
                    u32::from(*nullable)
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "static const bs_field bs_fields_{id}[] = {{{}}};",
            rows.join(", ")
        );
        format!("bs_fields_{id}")
    };
    let methods = if c.dyn_methods.is_empty() {
        "0".to_string()
    } else {
        let mut rows = Vec::new();
        for (name, slot, sig) in &c.dyn_methods {
            let entry = format!("bs_dyn_{id}_{slot}");
            let mut c_sig = sig.clone();
            c_sig.params.insert(0, Type::Any);
            let target = format!("(({})bs_vtable(self)[{slot}])", fn_pointer_type(&c_sig));
            dyn_entry(&entry, sig, &target, out);
            rows.push(format!("{{{name}u, {}u, {entry}}}", sig.params.len()));
        }
        let _ = writeln!(
            out,
            "static const bs_method bs_methods_{id}[] = {{{}}};",
            rows.join(", ")
        );
        format!("bs_methods_{id}")
    };
    let _ = writeln!(
        out,
        "static const bs_class bs_class_{id} = {{\"{}\", BS_KIND_OBJECT, {super_id}u, {}u, bs_refs_{id}, 0, {}u, {vtable}, {}u, {fields}, {}u, {methods}}};",
        c.info.name,
        c.info.words,
        c.info.methods.len(),
        c.dyn_fields.len(),
        c.dyn_methods.len()
    );
}

/// The C type of a pointer to a function with this signature.
fn fn_pointer_type(sig: &FnSig) -> String {
    let params: Vec<&str> = sig.params.iter().map(c_type).collect();
    format!(
        "{} (*)({})",
        c_type(&sig.ret),
        if params.is_empty() {
            "void".to_string()
        } else {
            params.join(", ")
        }
    )
}

/// An entry for calls through `any` (bs_dyn_entry): converts the boxed arguments to the
/// parameter types (with run-time checks for numbers, booleans and strings), calls `target`
/// with the receiver or function value first, and boxes the result.
fn dyn_entry(name: &str, sig: &FnSig, target: &str, out: &mut String) {
    let mut args = vec!["self".to_string()];
    for (k, p) in sig.params.iter().enumerate() {
        let a = format!("args[{k}]");
        args.push(match p {
            Type::Integer | Type::Enum(_) => format!("bs_any_to_int({a}, site)"),
            Type::Float => format!("bs_any_to_float({a}, site)"),
            Type::Boolean => format!("bs_truthy({a})"),
            Type::String => format!("bs_any_to_string({a}, site)"),
            _ => a,
        });
    }
    let call = format!("{target}({})", args.join(", "));
    let body = match &sig.ret {
        Type::Void => format!("{call}; return BS_NULL;"),
        Type::Integer | Type::Enum(_) => format!("return bs_box_int({call});"),
        Type::Float => format!("return bs_box_float({call});"),
        Type::Boolean => format!("return bs_box_bool({call});"),
        _ => format!("return {call};"),
    };
    let _ = writeln!(
        out,
        "static bs_value {name}(bs_value self, const bs_value *args, uint32_t site) {{ (void)args; (void)site; {body} }}"
    );
}

/// The description of a function value's code (`bs_fn_info`), with its entry for calls
/// through `any`.
fn fn_info(symbol: &str, sig: &FnSig, out: &mut String) {
    let mut c_sig = sig.clone();
    c_sig.params.insert(0, Type::Any);
    let target = format!("(({}){symbol})", fn_pointer_type(&c_sig));
    dyn_entry(&format!("bs_dyn_{symbol}"), sig, &target, out);
    let _ = writeln!(
        out,
        "static const bs_fn_info bs_fi_{symbol} = {{\"{sig}\", {}u, bs_dyn_{symbol}}};",
        sig.params.len()
    );
}

fn global_init(ty: &Type) -> &'static str {
    if ty.is_boxed_repr() { " = BS_NULL" } else { "" }
}

fn c_type(ty: &Type) -> &'static str {
    match ty {
        Type::Integer | Type::Boolean | Type::Enum(_) => "int32_t",
        Type::Float => "float",
        Type::Void => "void",
        _ => "bs_value",
    }
}

fn param_list(sig: &FnSig, names: Option<&[String]>) -> String {
    if sig.params.is_empty() {
        return "void".to_string();
    }
    sig.params
        .iter()
        .enumerate()
        .map(|(i, t)| match names {
            Some(n) => format!("{} {}", c_type(t), n[i]),
            None => c_type(t).to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn prototype(symbol: &str, sig: &FnSig, names: Option<&[String]>) -> String {
    format!("{} {symbol}({})", c_type(&sig.ret), param_list(sig, names))
}

fn slot_decl(symbol: &str, sig: &FnSig) -> String {
    format!(
        "{} (*{symbol})({})",
        c_type(&sig.ret),
        param_list(sig, None)
    )
}

fn local_name(locals: &[Local], id: LocalId) -> String {
    format!("l{id}_{}", bs_frontend::env::mangle(&locals[id].name))
}

#[derive(Default)]
struct Gen {
    /// Slot → body of the functions this unit defines: a call through such a slot checks
    /// whether the slot still holds this body and then calls it directly, so that the C
    /// compiler can inline it (a later input may redefine the function: then the slot is used).
    direct: std::collections::HashMap<String, String>,
    /// Method bodies declared in this unit's C file (a method call may name them directly).
    methods: std::collections::HashSet<String>,
    locals: Vec<Local>,
    literals: String,
    n_literals: usize,
    n_temps: usize,
    /// Arrays of fixed length held in locals that the loops being generated index but never
    /// assign: local → the number of its view (`hl{n}`, its length, and `hd{n}`, its elements,
    /// loaded once before the outermost such loop).
    views: std::collections::HashMap<LocalId, usize>,
    n_views: usize,
    /// While the unchecked copy of a counted loop is generated: the loop, and the conditions
    /// (C expressions) under which the accesses left unchecked stay in bounds.
    counted: Option<Counted>,
}

/// An innermost `for (let i = start; i < bound; i++)` (or `<=`) whose body assigns neither `i`
/// nor the locals its bound reads. Its index is in [`lo`, `hi`] on every pass (C expressions of
/// 64-bit integers, valid once the loop's initialisation has run); when `lo > hi` the loop does not
/// run at all.
struct Counted {
    index: LocalId,
    lo: String,
    hi: String,
    /// Locals the loop assigns (or declares): an index offset read from one is not invariant.
    written: std::collections::HashSet<LocalId>,
    /// Integer locals the body declares once and never assigns, bound to an affine function of
    /// the index (see [`Gen::affine`]).
    affine: std::collections::HashMap<LocalId, (i64, String)>,
    /// The accesses' conditions.
    checks: Vec<String>,
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

impl Gen {
    fn stmts(&mut self, stmts: &[Stmt], depth: usize, out: &mut String) {
        for s in stmts {
            self.stmt(s, depth, out);
        }
    }

    fn stmt(&mut self, s: &Stmt, depth: usize, out: &mut String) {
        match s {
            Stmt::Expr(e) => {
                indent(out, depth);
                let _ = writeln!(out, "{};", self.expr(e));
            }
            Stmt::Let { local, init } => {
                let ty = self.locals[*local].ty.clone();
                let value = match init {
                    Some(e) => self.expr(e),
                    None => zero_value(&ty).to_string(),
                };
                indent(out, depth);
                let name = local_name(&self.locals, *local);
                if self.locals[*local].captured {
                    let _ = writeln!(out, "bs_value {name} = {};", new_cell(&ty, &value));
                } else {
                    let _ = writeln!(out, "{} {name} = {value};", c_type(&ty));
                }
            }
            Stmt::InitGlobal { symbol, value } => {
                indent(out, depth);
                let _ = writeln!(out, "{symbol} = {};", self.expr(value));
            }
            Stmt::Block(b) => {
                indent(out, depth);
                out.push_str("{\n");
                self.stmts(b, depth + 1, out);
                indent(out, depth);
                out.push_str("}\n");
            }
            Stmt::Seq(b) => self.stmts(b, depth, out),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                indent(out, depth);
                let _ = writeln!(out, "if ({}) {{", self.expr(cond));
                self.stmts(then, depth + 1, out);
                indent(out, depth);
                if otherwise.is_empty() {
                    out.push_str("}\n");
                } else {
                    out.push_str("} else {\n");
                    self.stmts(otherwise, depth + 1, out);
                    indent(out, depth);
                    out.push_str("}\n");
                }
            }
            Stmt::While { .. } | Stmt::DoWhile { .. } => {
                let views = self.open_views(s, depth, out);
                let inner = depth + usize::from(!views.is_empty());
                indent(out, inner);
                match s {
                    Stmt::While { cond, body } => {
                        let _ = writeln!(out, "while ({}) {{", self.expr(cond));
                        self.stmts(body, inner + 1, out);
                        indent(out, inner);
                        out.push_str("}\n");
                    }
                    Stmt::DoWhile { body, cond } => {
                        out.push_str("do {\n");
                        self.stmts(body, inner + 1, out);
                        indent(out, inner);
                        let _ = writeln!(out, "}} while ({});", self.expr(cond));
                    }
                    _ => unreachable!("a loop"),
                }
                self.close_views(&views, depth, out);
            }
            Stmt::For {
                init,
                cond,
                update,
                body,
            } => {
                indent(out, depth);
                out.push_str("{\n");
                self.stmts(init, depth + 1, out);
                let views = self.loop_view_candidates(s);
                self.open_loop_views(&views, depth + 1, out);
                let cond_c = cond.as_ref().map(|c| self.expr(c)).unwrap_or_default();
                let update_c = update.as_ref().map(|u| self.expr(u)).unwrap_or_default();
                let header = format!("for (; {cond_c}; {update_c}) {{\n");
                // A counted loop whose array accesses stay in bounds when a condition checked
                // once holds runs a copy without their checks then (see `Counted`).
                let mut fast = String::new();
                if self.counted.is_none() {
                    if let Some(counted) = self.counted_loop(s) {
                        self.counted = Some(counted);
                        self.stmts(body, depth + 3, &mut fast);
                        let counted = self.counted.take().expect("set above");
                        if counted.checks.is_empty() {
                            fast.clear();
                        } else {
                            indent(out, depth + 1);
                            let _ = writeln!(
                                out,
                                "if ({} > {} || ({})) {{",
                                counted.lo,
                                counted.hi,
                                counted.checks.join(" && ")
                            );
                            indent(out, depth + 2);
                            out.push_str(&header);
                            out.push_str(&fast);
                            indent(out, depth + 2);
                            out.push_str("}\n");
                            indent(out, depth + 1);
                            out.push_str("} else {\n");
                        }
                    }
                }
                let inner = depth + 1 + usize::from(!fast.is_empty());
                indent(out, inner);
                out.push_str(&header);
                self.stmts(body, inner + 1, out);
                indent(out, inner);
                out.push_str("}\n");
                if !fast.is_empty() {
                    indent(out, depth + 1);
                    out.push_str("}\n");
                }
                for id in &views {
                    self.views.remove(id);
                }
                indent(out, depth);
                out.push_str("}\n");
            }
            Stmt::Break => {
                indent(out, depth);
                out.push_str("break;\n");
            }
            Stmt::Continue => {
                indent(out, depth);
                out.push_str("continue;\n");
            }
            Stmt::Native(parts) => {
                indent(out, depth);
                out.push_str("{ ");
                for p in parts {
                    match p {
                        NativePart::Text(t) => out.push_str(t),
                        NativePart::Place(place, ty) => {
                            let lv = self.place(place, ty);
                            out.push_str(&format!("({lv})"));
                        }
                    }
                }
                out.push_str(" ;}\n");
            }
            Stmt::Return(v) => {
                indent(out, depth);
                match v {
                    Some(e) => {
                        let _ = writeln!(out, "return {};", self.expr(e));
                    }
                    None => out.push_str("return;\n"),
                }
            }
        }
    }

    fn literal(&mut self, bytes: &[u8]) -> String {
        let name = format!("bs_s_{}", self.n_literals);
        self.n_literals += 1;
        let _ = writeln!(
            self.literals,
            "BS_STRING_LITERAL({name}, {}, \"{}\");",
            bytes.len(),
            c_string_body(bytes)
        );
        format!("bs_ref(&{name})")
    }

    /// The fixed-length arrays in locals that loop `s` indexes or measures and never assigns,
    /// not captured and without a view yet: their length and elements can be loaded once.
    fn loop_view_candidates(&self, s: &Stmt) -> Vec<LocalId> {
        let mut used = std::collections::BTreeSet::new();
        s.walk(&mut |w| match w {
            Walked::Expr(e) => match &e.kind {
                ExprKind::Read(Place::Index { array, .. })
                | ExprKind::Update {
                    place: Place::Index { array, .. },
                    ..
                }
                | ExprKind::Assign {
                    place: Place::Index { array, .. },
                    ..
                } => used.extend(read_local(array)),
                ExprKind::Builtin {
                    op: Builtin::ArrayLength,
                    args,
                } => used.extend(args.first().and_then(read_local)),
                _ => {}
            },
            Walked::Let(_) | Walked::Native(_) => {}
        });
        let written = Stmt::local_writes(std::slice::from_ref(s));
        used.into_iter()
            .filter(|id| {
                !written.contains_key(id)
                    && !self.locals[*id].captured
                    && !self.views.contains_key(id)
                    && view_c_type(&self.locals[*id].ty).is_some()
            })
            .collect()
    }

    /// Loads the length and elements of the arrays `ids` (from
    /// [`Gen::loop_view_candidates`]), at `depth` in the block that holds the loop.
    fn open_loop_views(&mut self, ids: &[LocalId], depth: usize, out: &mut String) {
        for &id in ids {
            let n = self.n_views;
            self.n_views += 1;
            let name = local_name(&self.locals, id);
            let ct = view_c_type(&self.locals[id].ty).expect("a candidate");
            indent(out, depth);
            let _ = writeln!(
                out,
                "bs_array *hv{n} = (bs_array *)bs_ptr({name}); uint32_t hl{n} = hv{n}->length; \
                 {ct} *hd{n} = ({ct} *)hv{n}->data;"
            );
            self.views.insert(id, n);
        }
    }

    /// The views of loop `s` in a block of their own, opened when there is a view. Returns
    /// their locals, for [`Gen::close_views`].
    fn open_views(&mut self, s: &Stmt, depth: usize, out: &mut String) -> Vec<LocalId> {
        let ids = self.loop_view_candidates(s);
        if !ids.is_empty() {
            indent(out, depth);
            out.push_str("{\n");
            self.open_loop_views(&ids, depth + 1, out);
        }
        ids
    }

    /// Ends the views of [`Gen::open_views`] and their block.
    fn close_views(&mut self, ids: &[LocalId], depth: usize, out: &mut String) {
        if ids.is_empty() {
            return;
        }
        for id in ids {
            self.views.remove(id);
        }
        indent(out, depth);
        out.push_str("}\n");
    }

    /// `s` as a counted loop (see [`Counted`]), if it is one.
    fn counted_loop(&self, s: &Stmt) -> Option<Counted> {
        let Stmt::For {
            init,
            cond: Some(cond),
            update: Some(update),
            body,
        } = s
        else {
            return None;
        };
        let [
            Stmt::Let {
                local: index,
                init: Some(_),
            },
        ] = init.as_slice()
        else {
            return None;
        };
        let index = *index;
        if self.locals[index].captured || self.locals[index].ty != Type::Integer {
            return None;
        }
        if body.iter().any(has_loop) {
            return None;
        }
        match &update.kind {
            ExprKind::Update {
                place: Place::Local(id),
                increment: true,
                ..
            } if *id == index => {}
            _ => return None,
        }
        let ExprKind::Binary {
            op: op @ (BinOp::Lt | BinOp::Le),
            left,
            right: bound,
            ..
        } = &cond.kind
        else {
            return None;
        };
        if read_local(left) != Some(index) {
            return None;
        }
        // How often the body writes each local (a declaration counts as one write).
        let writes = Stmt::local_writes(body);
        let written: std::collections::HashSet<LocalId> = writes.keys().copied().collect();
        if written.contains(&index) {
            return None;
        }
        let bound = self.invariant(bound, &written)?;
        let i = local_name(&self.locals, index);
        let hi = if *op == BinOp::Lt {
            format!("({bound} - 1)")
        } else {
            bound
        };
        let mut counted = Counted {
            index,
            lo: format!("(int64_t){i}"),
            hi,
            written,
            affine: Default::default(),
            checks: Vec::new(),
        };
        // The body's integer constants bound to affine functions of the index, in order.
        let mut lets = Vec::new();
        collect_lets(body, &mut lets);
        for (id, init) in lets {
            let local = &self.locals[id];
            if writes.get(&id) == Some(&1) && !local.captured && local.ty == Type::Integer {
                if let Some(a) = self.affine(init, &counted) {
                    counted.affine.insert(id, a);
                }
            }
        }
        Some(counted)
    }

    /// `e` as a 64-bit C expression, when it is an integer constant, a local the loop does not
    /// assign, or the length of an array the loop views.
    fn invariant(&self, e: &Expr, written: &std::collections::HashSet<LocalId>) -> Option<String> {
        match &e.kind {
            ExprKind::Int(k) => Some(format!("(int64_t){k}")),
            ExprKind::Read(Place::Local(id))
                if !written.contains(id)
                    && !self.locals[*id].captured
                    && self.locals[*id].ty == Type::Integer =>
            {
                Some(format!("(int64_t){}", local_name(&self.locals, *id)))
            }
            ExprKind::Builtin {
                op: Builtin::ArrayLength,
                args,
            } if args.len() == 1 => {
                let n = self.view_of(&args[0])?;
                Some(format!("(int64_t)hl{n}"))
            }
            // Sums and differences of those, in 64 bits (so without the 32-bit wrap-around;
            // the checks that use them then fail, and the accesses stay checked).
            ExprKind::Binary {
                op: op @ (BinOp::Add | BinOp::Sub),
                left,
                right,
                ..
            } => {
                let l = self.invariant(left, written)?;
                let r = self.invariant(right, written)?;
                let sign = if *op == BinOp::Add { '+' } else { '-' };
                Some(format!("({l} {sign} {r})"))
            }
            _ => None,
        }
    }

    /// `e` as `mul * i + add` for the index `i` of the counted loop being generated (`add` a
    /// 64-bit C expression of invariants), if it is one: sums, differences and products by
    /// constants of `i`, invariants, and the loop's locals bound to such an expression.
    fn affine(&self, e: &Expr, counted: &Counted) -> Option<(i64, String)> {
        const MAX_MUL: i64 = 1 << 20;
        match &e.kind {
            ExprKind::Read(Place::Local(id)) if *id == counted.index => {
                Some((1, "(int64_t)0".to_string()))
            }
            ExprKind::Read(Place::Local(id)) if counted.affine.contains_key(id) => {
                counted.affine.get(id).cloned()
            }
            ExprKind::Binary {
                op: op @ (BinOp::Add | BinOp::Sub),
                left,
                right,
                ..
            } => {
                let (lm, la) = self.affine(left, counted)?;
                let (rm, ra) = self.affine(right, counted)?;
                let (mul, sign) = if *op == BinOp::Add {
                    (lm + rm, '+')
                } else {
                    (lm - rm, '-')
                };
                (mul.abs() <= MAX_MUL).then(|| (mul, format!("({la} {sign} {ra})")))
            }
            ExprKind::Binary {
                op: BinOp::Mul,
                left,
                right,
                ..
            } => {
                let (k, x) = match (&left.kind, &right.kind) {
                    (ExprKind::Int(k), _) => (*k, right),
                    (_, ExprKind::Int(k)) => (*k, left),
                    _ => return None,
                };
                let (m, a) = self.affine(x, counted)?;
                let mul = m.checked_mul(i64::from(k))?;
                (mul.abs() <= MAX_MUL && i64::from(k).abs() <= MAX_MUL)
                    .then(|| (mul, format!("({k} * {a})")))
            }
            _ => self.invariant(e, &counted.written).map(|a| (0, a)),
        }
    }

    /// In the unchecked copy of a counted loop: the C index of an access to view `n` that needs
    /// no check there, with the condition for that recorded: the index is an affine function of
    /// the loop's index (see [`Gen::affine`]) whose least and greatest values over the loop lie
    /// in the array.
    fn unchecked_index(&mut self, n: usize, index: &Expr) -> Option<String> {
        let counted = self.counted.as_ref()?;
        let (mul, add) = self.affine(index, counted)?;
        let (lo, hi) = (&counted.lo, &counted.hi);
        let (min, max) = match mul.cmp(&0) {
            std::cmp::Ordering::Greater => (
                format!("{mul} * {lo} + {add}"),
                format!("{mul} * {hi} + {add}"),
            ),
            std::cmp::Ordering::Less => (
                format!("{mul} * {hi} + {add}"),
                format!("{mul} * {lo} + {add}"),
            ),
            std::cmp::Ordering::Equal => (add.clone(), add),
        };
        let check = format!("{min} >= 0 && {max} < (int64_t)hl{n}");
        let c_index = self.expr(index);
        let counted = self.counted.as_mut().expect("checked above");
        if !counted.checks.contains(&check) {
            counted.checks.push(check);
        }
        Some(c_index)
    }

    /// The view of the array `array` reads, if it has one.
    fn view_of(&self, array: &Expr) -> Option<usize> {
        read_local(array).and_then(|id| self.views.get(&id).copied())
    }

    /// A C function for one body: its parameters are its first locals.
    fn function(&mut self, symbol: &str, sig: &FnSig, func: &Function, out: &mut String) {
        self.locals = func.locals.clone();
        self.views.clear();
        // A captured parameter arrives under another name and moves into a cell.
        let params: Vec<String> = (0..sig.params.len())
            .map(|id| {
                let name = local_name(&func.locals, id);
                if func.locals[id].captured {
                    format!("p_{name}")
                } else {
                    name
                }
            })
            .collect();
        let _ = writeln!(out, "\n{} {{", prototype(symbol, sig, Some(&params)));
        for id in 0..sig.params.len() {
            if func.locals[id].captured {
                let name = local_name(&func.locals, id);
                let cell = new_cell(&func.locals[id].ty, &format!("p_{name}"));
                let _ = writeln!(out, "    bs_value {name} = {cell};");
            }
        }
        self.stmts(&func.body, 1, out);
        out.push_str("}\n");
    }

    /// An lvalue for a place whose value has type `ty`. Parts of index and field places are
    /// evaluated here, once: callers evaluate a place once, or make its parts temporaries.
    fn place(&mut self, p: &Place, ty: &Type) -> String {
        match p {
            Place::AnyProp {
                object,
                name_id,
                site,
            } => {
                format!("bs_any_get({}, {name_id}u, {site}u)", self.expr(object))
            }
            Place::Local(id) if self.locals[*id].captured => {
                cell_lvalue(&local_name(&self.locals, *id), ty)
            }
            Place::Local(id) => local_name(&self.locals, *id),
            Place::Captured { index } => cell_lvalue(
                &format!(
                    "bs_function_capture({}, {index})",
                    local_name(&self.locals, 0)
                ),
                ty,
            ),
            Place::Global { symbol } => symbol.clone(),
            Place::Index {
                array,
                index,
                elem: ElemKind::AnyView,
                site,
            } => self.sequenced(&[array, index], |p| {
                format!("bs_array_get({}, {}, {site}u)", p[0], p[1])
            }),
            Place::Index {
                array,
                index,
                elem,
                site,
            } => {
                if let (Some(n), Some(at)) = (self.view_of(array), view_access(*elem)) {
                    if let Some(i) = self.unchecked_index(n, index) {
                        return format!("hd{n}[{i}]");
                    }
                    let i = self.expr(index);
                    return format!("(*{at}(hd{n}, hl{n}, {i}, {site}u))");
                }
                let (e, _) = elem_access(*elem);
                self.sequenced(&[array, index], |p| {
                    format!("(*{e}({}, {}, {site}u))", p[0], p[1])
                })
            }
            Place::Field { object, word } => {
                let o = self.expr(object);
                field_lvalue(&o, *word, ty)
            }
        }
    }

    /// `place = value`, evaluating the place's parts, then the value, then storing.
    fn assign(&mut self, place: &Place, value: &Expr) -> String {
        match place {
            Place::AnyProp {
                object,
                name_id,
                site,
            } => {
                let (name_id, site) = (*name_id, *site);
                self.sequenced(&[object, value], |p| {
                    format!("bs_any_set({}, {name_id}u, {}, {site}u)", p[0], p[1])
                })
            }
            Place::Local(_) | Place::Global { .. } | Place::Captured { .. } => {
                let p = self.place(place, &value.ty);
                let v = self.expr(value);
                format!("({p} = {v})")
            }
            Place::Index {
                array,
                index,
                elem,
                site,
            } => {
                let t = self.n_temps;
                self.n_temps += 1;
                if let (Some(n), Some(at)) = (self.view_of(array), view_access(*elem)) {
                    let vt = c_type(&value.ty);
                    if let Some(i) = self.unchecked_index(n, index) {
                        let v = self.expr(value);
                        return format!(
                            "({{ int32_t ti{t} = {i}; {vt} tv{t} = {v}; hd{n}[ti{t}] = tv{t}; tv{t}; }})"
                        );
                    }
                    let i = self.expr(index);
                    let v = self.expr(value);
                    return format!(
                        "({{ int32_t ti{t} = {i}; {vt} tv{t} = {v}; *{at}(hd{n}, hl{n}, ti{t}, {site}u) = tv{t}; tv{t}; }})"
                    );
                }
                let (at, _) = elem_access(*elem);
                let a = self.expr(array);
                let i = self.expr(index);
                let v = self.expr(value);
                let vt = c_type(&value.ty);
                let store = if *elem == ElemKind::AnyView {
                    format!("bs_array_set(ta{t}, ti{t}, tv{t}, {site}u)")
                } else {
                    format!("*{at}(ta{t}, ti{t}, {site}u) = tv{t}")
                };
                format!(
                    "({{ bs_value ta{t} = {a}; int32_t ti{t} = {i}; {vt} tv{t} = {v}; {store}; tv{t}; }})"
                )
            }
            Place::Field { object, word } => {
                let ty = value.ty.clone();
                let word = *word;
                self.sequenced(&[object, value], |p| {
                    format!("({} = {})", field_lvalue(&p[0], word, &ty), p[1])
                })
            }
        }
    }

    /// `x == 'c'` (or `!=`) against a one-byte string literal: the byte is compared inline.
    fn char_test(&mut self, equal: bool, left: &Expr, right: &Expr) -> String {
        let (other, byte) = one_byte_pair(left, right).expect("checked by the caller");
        let test = format!("bs_string_is_char({}, {byte}u)", self.expr(other));
        if equal { test } else { format!("(!{test})") }
    }

    /// Evaluates `operands` left to right and passes their C forms to `build`. When a later
    /// operand has effects, earlier ones are first stored in temporaries, in a GNU statement
    /// expression, so that C evaluates them in source order.
    fn sequenced(&mut self, operands: &[&Expr], build: impl FnOnce(&[String]) -> String) -> String {
        // C may evaluate operands in any order: as soon as one of them has an effect, a read in
        // another could see it too early or too late.
        let needs_order = operands.iter().any(|e| e.has_effects())
            && operands.iter().filter(|e| !is_pure_constant(e)).count() > 1;
        if !needs_order {
            let parts: Vec<String> = operands.iter().map(|e| self.expr(e)).collect();
            return build(&parts);
        }
        let mut text = String::from("({ ");
        let mut parts = Vec::new();
        for e in operands {
            if is_pure_constant(e) {
                parts.push(self.expr(e));
                continue;
            }
            let t = format!("t{}", self.n_temps);
            self.n_temps += 1;
            let _ = write!(text, "{} {t} = {}; ", c_type(&e.ty), self.expr(e));
            parts.push(t);
        }
        let _ = write!(text, "{}; }})", build(&parts));
        text
    }

    fn expr(&mut self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(v) => int_literal(*v),
            ExprKind::Float(v) => float_literal(*v),
            ExprKind::Bool(b) => if *b { "1" } else { "0" }.to_string(),
            ExprKind::Str(bytes) => self.literal(bytes),
            ExprKind::Null => "BS_NULL".to_string(),
            ExprKind::Read(p) => self.place(p, &e.ty),
            ExprKind::Unary(op, a) => {
                let a = self.expr(a);
                match op {
                    UnOp::Neg => format!("(-({a}))"),
                    UnOp::BitNot => format!("(~({a}))"),
                    UnOp::Not => format!("(!({a}))"),
                }
            }
            ExprKind::Binary {
                op: op @ (BinOp::Eq | BinOp::Ne),
                left,
                right,
                ..
            } if left.ty == Type::String && one_byte_pair(left, right).is_some() => {
                self.char_test(*op == BinOp::Eq, left, right)
            }
            ExprKind::Binary {
                op,
                left,
                right,
                site,
            } => {
                let operand_ty = left.ty.clone();
                let (op, site) = (*op, *site);
                self.sequenced(&[left, right], |p| {
                    binary(op, &operand_ty, &p[0], &p[1], site)
                })
            }
            ExprKind::Concat(l, r) => {
                self.sequenced(&[l, r], |p| format!("bs_string_concat({}, {})", p[0], p[1]))
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
            ExprKind::Convert(conv, a) => {
                let from = a.ty.clone();
                let inner = self.expr(a);
                match conv {
                    Conv::IntToFloat => format!("((float)({inner}))"),
                    Conv::FloatToInt => format!("bs_f2i({inner})"),
                    Conv::Box => match from {
                        Type::Integer | Type::Enum(_) => format!("bs_box_int({inner})"),
                        Type::Float => format!("bs_box_float({inner})"),
                        Type::Boolean => format!("bs_box_bool({inner})"),
                        _ => inner,
                    },
                    Conv::Truthy => match from {
                        Type::Integer | Type::Enum(_) => format!("(({inner}) != 0)"),
                        Type::Float => format!("(({inner}) != 0.0f)"),
                        Type::Boolean => inner,
                        _ => format!("bs_truthy({inner})"),
                    },
                    Conv::Check { site, class_id } => {
                        check_from_any(&e.ty, &inner, *site, *class_id, self)
                    }
                }
            }
            ExprKind::Call { slot, args, .. } => {
                let refs: Vec<&Expr> = args.iter().collect();
                let body = self.direct.get(slot).cloned();
                self.sequenced(&refs, |p| {
                    let a = p.join(", ");
                    match &body {
                        Some(body) => format!(
                            "(__builtin_expect({slot} == {body}, 1) ? {body}({a}) : {slot}({a}))"
                        ),
                        None => format!("{slot}({a})"),
                    }
                })
            }
            ExprKind::Print { stream, arg } => {
                let a = self.expr(arg);
                if *stream == 0 {
                    format!("bs_print({a})")
                } else {
                    format!("bs_print_error({a})")
                }
            }
            ExprKind::Assign { place, value } => self.assign(place, value),
            ExprKind::Update {
                place:
                    Place::AnyProp {
                        object,
                        name_id,
                        site: at_site,
                    },
                increment,
                prefix,
                site,
            } => {
                // Through `any`: the object is evaluated once, into a temporary.
                let o = self.expr(object);
                let t = self.n_temps;
                self.n_temps += 1;
                let obj = format!("tp{t}");
                let get = format!("bs_any_get({obj}, {name_id}u, {at_site}u)");
                let set = |n: &str| format!("bs_any_set({obj}, {name_id}u, {n}, {at_site}u)");
                let update = self.any_update(&get, set, *increment, *prefix, *site);
                format!("({{ bs_value {obj} = {o}; {update}; }})")
            }
            ExprKind::Update {
                place:
                    Place::Index {
                        array,
                        index,
                        elem: ElemKind::AnyView,
                        site: at_site,
                    },
                increment,
                prefix,
                site,
            } => {
                // Through the any[] view (the parts are temporaries).
                let (a, i) = (self.expr(array), self.expr(index));
                let get = format!("bs_array_get({a}, {i}, {at_site}u)");
                let set = |n: &str| format!("bs_array_set({a}, {i}, {n}, {at_site}u)");
                self.any_update(&get, set, *increment, *prefix, *site)
            }
            ExprKind::Update {
                place,
                increment,
                prefix,
                site,
            } => {
                let p = self.place(place, &e.ty);
                if e.ty == Type::Any {
                    let set = |n: &str| format!("{p} = {n}");
                    return self.any_update(&p, set, *increment, *prefix, *site);
                }
                let op = if *increment { "++" } else { "--" };
                if *prefix {
                    format!("({op}{p})")
                } else {
                    format!("({p}{op})")
                }
            }
            ExprKind::AnyBinary {
                op: op @ (AnyOp::Equal | AnyOp::NotEqual),
                left,
                right,
                ..
            } if one_byte_pair(left, right).is_some() => {
                self.char_test(*op == AnyOp::Equal, left, right)
            }
            ExprKind::AnyBinary {
                op,
                left,
                right,
                site,
            } => {
                let site = *site;
                let op = *op;
                self.sequenced(&[left, right], |p| match op {
                    AnyOp::Arith(code) => {
                        format!("bs_any_arith({code}u, {}, {}, {site}u)", p[0], p[1])
                    }
                    AnyOp::Compare(code) => {
                        format!("bs_any_compare({code}u, {}, {}, {site}u)", p[0], p[1])
                    }
                    AnyOp::Equal => format!("bs_string_equal_fast({}, {})", p[0], p[1]),
                    AnyOp::NotEqual => format!("(!bs_string_equal_fast({}, {}))", p[0], p[1]),
                })
            }
            ExprKind::AnyNegate { arg, site } => {
                format!("bs_any_negate({}, {site}u)", self.expr(arg))
            }
            ExprKind::Builtin {
                op: Builtin::ArrayLength,
                args,
            } if args.len() == 1 && self.view_of(&args[0]).is_some() => {
                let n = self.view_of(&args[0]).expect("checked");
                format!("((int32_t)hl{n})")
            }
            ExprKind::Builtin { op, args } => {
                let refs: Vec<&Expr> = args.iter().collect();
                let func = builtin_function(*op);
                self.sequenced(&refs, |p| format!("{func}({})", p.join(", ")))
            }
            ExprKind::With { temps, body } => {
                let mut text = String::from("({ ");
                for (id, value) in temps {
                    let v = self.expr(value);
                    let _ = write!(
                        text,
                        "{} {} = {v}; ",
                        c_type(&value.ty),
                        local_name(&self.locals, *id)
                    );
                }
                let _ = write!(text, "{}; }})", self.expr(body));
                text
            }
            ExprKind::ArrayLit {
                elem,
                class_id,
                elements,
            } => {
                let refs: Vec<&Expr> = elements.iter().collect();
                let n = elements.len();
                let class_id = *class_id;
                let elem = *elem;
                self.sequenced(&refs, |p| {
                    let (func, c_elem) = match elem {
                        ElemKind::Int => ("bs_int_array_of", "int32_t"),
                        ElemKind::Float => ("bs_float_array_of", "float"),
                        ElemKind::Bool => ("bs_bool_array_of", "int32_t"),
                        ElemKind::Vector
                        | ElemKind::AnyView
                        | ElemKind::Uint8
                        | ElemKind::Fixed => ("bs_vector_of", "bs_value"),
                    };
                    let data = if n == 0 {
                        format!("(const {c_elem} *)0")
                    } else {
                        format!("(const {c_elem}[]){{{}}}", p.join(", "))
                    };
                    if matches!(elem, ElemKind::Vector | ElemKind::AnyView) {
                        format!("{func}({class_id}u, {n}, {data})")
                    } else {
                        format!("{func}({n}, {data})")
                    }
                })
            }
            ExprKind::NewArray {
                elem,
                class_id,
                length,
                init,
                site,
            } => {
                let (elem, class_id, site) = (*elem, *class_id, *site);
                self.sequenced(&[length, init], |p| match elem {
                    ElemKind::Int => format!("bs_int_array_new({}, {}, {site}u)", p[0], p[1]),
                    ElemKind::Float => format!("bs_float_array_new({}, {}, {site}u)", p[0], p[1]),
                    ElemKind::Bool => format!("bs_bool_array_new({}, {}, {site}u)", p[0], p[1]),
                    ElemKind::Vector | ElemKind::AnyView | ElemKind::Uint8 | ElemKind::Fixed => {
                        format!("bs_vector_new({class_id}u, {}, {}, {site}u)", p[0], p[1])
                    }
                })
            }
            ExprKind::New {
                class_id,
                init,
                args,
                words,
                ref_words,
                ..
            } => {
                let t = self.n_temps;
                self.n_temps += 1;
                let mut text = String::from("({ ");
                let mut names = vec![format!("to{t}")];
                for (k, a) in args.iter().enumerate() {
                    let v = self.expr(a);
                    let _ = write!(text, "{} ta{t}_{k} = {v}; ", c_type(&a.ty));
                    names.push(format!("ta{t}_{k}"));
                }
                // Allocated and its reference fields set to null here, where the layout is
                // known, rather than by reading the class descriptor at run time.
                let _ = write!(
                    text,
                    "bs_value to{t} = bs_object_alloc({class_id}u, {words}u); "
                );
                for w in ref_words {
                    let _ = write!(text, "bs_words(to{t})[{w}] = BS_NULL; ");
                }
                let _ = write!(text, "{init}({}); to{t}; }})", names.join(", "));
                text
            }
            ExprKind::DirectCall { symbol, args, .. } => {
                let refs: Vec<&Expr> = args.iter().collect();
                self.sequenced(&refs, |p| format!("{symbol}({})", p.join(", ")))
            }
            ExprKind::Closure {
                symbol,
                sig,
                captures,
            } => {
                let t = self.n_temps;
                self.n_temps += 1;
                let mut text = format!(
                    "({{ bs_value tf{t} = bs_function_new((uint32_t)(uintptr_t){symbol}, &bs_fi_{symbol}, {}u); ",
                    captures.len()
                );
                let _ = sig;
                for (k, from) in captures.iter().enumerate() {
                    let cell = match from {
                        CaptureFrom::Local(id) => local_name(&self.locals, *id),
                        CaptureFrom::Outer(j) => {
                            format!("bs_function_capture({}, {j})", local_name(&self.locals, 0))
                        }
                    };
                    let _ = write!(text, "bs_words(tf{t})[{}] = {cell}; ", 3 + k);
                }
                let _ = write!(text, "tf{t}; }})");
                text
            }
            ExprKind::FuncValue { trampoline, .. } => {
                format!(
                    "bs_function_new((uint32_t)(uintptr_t){trampoline}, &bs_fi_{trampoline}, 0u)"
                )
            }
            ExprKind::AnyCall {
                target,
                name_id,
                args,
                site,
            } => {
                let t = self.n_temps;
                self.n_temps += 1;
                let mut text = format!("({{ bs_value tt{t} = {}; ", self.expr(target));
                let mut names = Vec::new();
                for (k, a) in args.iter().enumerate() {
                    let v = self.expr(a);
                    let _ = write!(text, "bs_value ta{t}_{k} = {v}; ");
                    names.push(format!("ta{t}_{k}"));
                }
                let n = names.len();
                let array = if n == 0 {
                    "(const bs_value *)0".to_string()
                } else {
                    format!("(const bs_value[]){{{}}}", names.join(", "))
                };
                let call = match name_id {
                    Some(id) => format!("bs_any_call_method(tt{t}, {id}u, {n}u, {array}, {site}u)"),
                    None => format!("bs_any_call(tt{t}, {n}u, {array}, {site}u)"),
                };
                let _ = write!(text, "{call}; }})");
                text
            }
            ExprKind::CallValue { callee, sig, args } => {
                self.call_through(callee, sig, args, |f| format!("bs_function_code({f})"))
            }
            ExprKind::MethodCall {
                receiver,
                slot,
                sig,
                args,
                known,
            } => {
                // An object of exactly the static class runs the body that class dispatches
                // to: called directly (and inlined where GCC likes), after a check of the class
                // id; objects of subclasses go through the vtable.
                let direct = known
                    .as_ref()
                    .filter(|(_, body)| self.methods.contains(body))
                    .cloned();
                self.call_through_guarded(
                    receiver,
                    sig,
                    args,
                    |r| format!("bs_vtable({r})[{slot}]"),
                    direct,
                )
            }
        }
    }

    /// `++`/`--` on an `any` value read by `get` and stored by `set(new value)`: the arithmetic
    /// is decided at run time; the prefix form yields the new value, the postfix the old one.
    fn any_update(
        &mut self,
        get: &str,
        set: impl FnOnce(&str) -> String,
        increment: bool,
        prefix: bool,
        site: u32,
    ) -> String {
        let t = self.n_temps;
        self.n_temps += 1;
        let op = if increment { 1 } else { 2 };
        let result = if prefix {
            format!("tn{t}")
        } else {
            format!("tu{t}")
        };
        let store = set(&format!("tn{t}"));
        format!(
            "({{ bs_value tu{t} = {get}; bs_value tn{t} = bs_any_arith({op}u, tu{t}, bs_box_int(1), {site}u); {store}; {result}; }})"
        )
    }

    /// A call through a code address found at run time (a function value's code, a vtable
    /// slot): `first` (the function value or the receiver) is evaluated once, then the
    /// arguments in order; `code` gives the address from the temporary holding `first`.
    fn call_through(
        &mut self,
        first: &Expr,
        sig: &FnSig,
        args: &[Expr],
        code: impl FnOnce(&str) -> String,
    ) -> String {
        self.call_through_guarded(first, sig, args, code, None)
    }

    /// [`call_through`](Gen::call_through), calling `direct.1` instead when the class id of
    /// `first` is `direct.0`.
    fn call_through_guarded(
        &mut self,
        first: &Expr,
        sig: &FnSig,
        args: &[Expr],
        code: impl FnOnce(&str) -> String,
        direct: Option<(u32, String)>,
    ) -> String {
        let t = self.n_temps;
        self.n_temps += 1;
        let head = format!("tc{t}");
        let mut text = format!("({{ bs_value {head} = {}; ", self.expr(first));
        let mut names = vec![head.clone()];
        for (k, a) in args.iter().enumerate() {
            let v = self.expr(a);
            let _ = write!(text, "{} ta{t}_{k} = {v}; ", c_type(&a.ty));
            names.push(format!("ta{t}_{k}"));
        }
        let mut with_first = sig.clone();
        with_first.params.insert(0, Type::Any);
        let through = format!(
            "(({}){})({})",
            fn_pointer_type(&with_first),
            code(&head),
            names.join(", ")
        );
        match direct {
            Some((class_id, body)) => {
                let _ = write!(
                    text,
                    "(__builtin_expect(bs_class_id_of({head}) == {class_id}u, 1) ? {body}({}) : {through}); }})",
                    names.join(", ")
                );
            }
            None => {
                let _ = write!(text, "{through}; }})");
            }
        }
        text
    }
}

/// A new cell holding `value` of type `ty` (raw for numbers and booleans).
fn new_cell(ty: &Type, value: &str) -> String {
    match ty {
        Type::Integer | Type::Boolean | Type::Enum(_) => {
            format!(
                "({{ bs_value c_ = bs_raw_cell_new(0); ((int32_t *)bs_words(c_))[1] = {value}; c_; }})"
            )
        }
        Type::Float => format!(
            "({{ bs_value c_ = bs_raw_cell_new(0); ((float *)bs_words(c_))[1] = {value}; c_; }})"
        ),
        _ => format!("bs_cell_new({value})"),
    }
}

/// The lvalue of the value in cell `cell`, of type `ty`.
fn cell_lvalue(cell: &str, ty: &Type) -> String {
    field_lvalue(cell, 1, ty)
}

/// The accessor of bs.h for an element kind, and the C type of an element.
fn elem_access(elem: ElemKind) -> (&'static str, &'static str) {
    match elem {
        ElemKind::Int => ("bs_int_at", "int32_t"),
        ElemKind::Float => ("bs_float_at", "float"),
        ElemKind::Bool => ("bs_byte_at", "uint8_t"),
        ElemKind::Vector | ElemKind::AnyView => ("bs_vector_at", "bs_value"),
        ElemKind::Uint8 => ("bs_byte_at", "uint8_t"),
        ElemKind::Fixed => ("bs_fixed_at", "bs_value"),
    }
}

/// The lvalue of word `word` of object `o`, holding a value of type `ty`.
fn field_lvalue(o: &str, word: u32, ty: &Type) -> String {
    match ty {
        Type::Integer | Type::Boolean | Type::Enum(_) => {
            format!("((int32_t *)bs_words({o}))[{word}]")
        }
        Type::Float => format!("((float *)bs_words({o}))[{word}]"),
        _ => format!("bs_words({o})[{word}]"),
    }
}

/// A checked conversion of the boxed value `v` to type `to`.
fn check_from_any(to: &Type, v: &str, site: u32, class_id: u32, g: &mut Gen) -> String {
    match to {
        Type::Integer | Type::Enum(_) => format!("bs_any_to_int({v}, {site}u)"),
        Type::Float => format!("bs_any_to_float({v}, {site}u)"),
        Type::Boolean => format!("bs_truthy({v})"),
        Type::String => format!("bs_any_to_string({v}, {site}u)"),
        Type::Null => format!("bs_any_to_null({v}, {site}u)"),
        Type::Any => v.to_string(),
        Type::Array(e) if **e == Type::Any => format!("bs_any_to_array({v}, {site}u)"),
        Type::Class(_) | Type::Array(_) => {
            format!("bs_any_to_class_fast({v}, {class_id}u, 0, {site}u)")
        }
        Type::Nullable(inner) => match **inner {
            Type::String => {
                let t = g.n_temps;
                g.n_temps += 1;
                format!(
                    "({{ bs_value tn{t} = {v}; tn{t} == BS_NULL ? tn{t} : bs_any_to_string(tn{t}, {site}u); }})"
                )
            }
            _ => format!("bs_any_to_class_fast({v}, {class_id}u, 1, {site}u)"),
        },
        Type::Function(sig) => format!("bs_any_to_function({v}, \"{sig}\", {site}u)"),
        Type::Uint8Array => format!("bs_any_to_class({v}, 5u, 0, {site}u)"),
        Type::FixedArray => format!("bs_any_to_class({v}, 6u, 0, {site}u)"),
        Type::Void => v.to_string(),
    }
}

/// The byte of a one-byte string literal (also as `any`).
fn one_byte_literal(e: &Expr) -> Option<u8> {
    match &e.kind {
        ExprKind::Str(bytes) if bytes.len() == 1 => Some(bytes[0]),
        ExprKind::Convert(Conv::Box, inner) => one_byte_literal(inner),
        _ => None,
    }
}

/// `(other operand, byte)` when one operand of an equality is a one-byte string literal.
fn one_byte_pair<'e>(left: &'e Expr, right: &'e Expr) -> Option<(&'e Expr, u8)> {
    match (one_byte_literal(left), one_byte_literal(right)) {
        (_, Some(b)) => Some((left, b)),
        (Some(b), _) => Some((right, b)),
        _ => None,
    }
}

/// The declarations with an initial value in `stmts` and the blocks and branches inside them,
/// in order.
fn collect_lets<'a>(stmts: &'a [Stmt], out: &mut Vec<(LocalId, &'a Expr)>) {
    for s in stmts {
        match s {
            Stmt::Let {
                local,
                init: Some(e),
            } => out.push((*local, e)),
            Stmt::Block(b) | Stmt::Seq(b) => collect_lets(b, out),
            Stmt::If {
                then, otherwise, ..
            } => {
                collect_lets(then, out);
                collect_lets(otherwise, out);
            }
            _ => {}
        }
    }
}

/// Whether a statement is or holds a loop.
fn has_loop(s: &Stmt) -> bool {
    match s {
        Stmt::While { .. } | Stmt::DoWhile { .. } | Stmt::For { .. } => true,
        Stmt::Block(b) | Stmt::Seq(b) => b.iter().any(has_loop),
        Stmt::If {
            then, otherwise, ..
        } => then.iter().chain(otherwise).any(has_loop),
        _ => false,
    }
}

/// The local an expression only reads.
fn read_local(e: &Expr) -> Option<LocalId> {
    match e.kind {
        ExprKind::Read(Place::Local(id)) => Some(id),
        _ => None,
    }
}

/// The C type of the elements of a fixed-length array type (arrays of numbers, booleans and
/// enums, and `Uint8Array`: they never grow, so a loop can load their length once).
fn view_c_type(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Array(elem) => match **elem {
            Type::Integer | Type::Enum(_) => Some("int32_t"),
            Type::Float => Some("float"),
            Type::Boolean => Some("uint8_t"),
            _ => None,
        },
        Type::Uint8Array => Some("uint8_t"),
        _ => None,
    }
}

/// The accessor of bs.h for an element of a loop's view of an array.
fn view_access(elem: ElemKind) -> Option<&'static str> {
    match elem {
        ElemKind::Int => Some("bs_int_in"),
        ElemKind::Float => Some("bs_float_in"),
        ElemKind::Bool | ElemKind::Uint8 => Some("bs_byte_in"),
        _ => None,
    }
}

fn is_pure_constant(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Null
    )
}

fn binary(op: BinOp, operand_ty: &Type, l: &str, r: &str, site: u32) -> String {
    match operand_ty {
        Type::Integer => match op {
            BinOp::Div => format!("bs_idiv({l}, {r}, {site}u)"),
            BinOp::Rem => format!("bs_imod({l}, {r}, {site}u)"),
            BinOp::Pow => format!("bs_ipow({l}, {r}, {site}u)"),
            BinOp::Shl => format!("bs_shl({l}, {r})"),
            BinOp::Shr => format!("bs_shr({l}, {r})"),
            BinOp::UShr => format!("bs_ushr({l}, {r})"),
            _ => format!("({l} {} {r})", c_operator(op)),
        },
        Type::Float => match op {
            BinOp::Pow => format!("bs_fpow({l}, {r})"),
            _ => format!("({l} {} {r})", c_operator(op)),
        },
        Type::String => match op {
            BinOp::Eq => format!("bs_string_equal_fast({l}, {r})"),
            BinOp::Ne => format!("(!bs_string_equal_fast({l}, {r}))"),
            _ => format!("(bs_string_compare({l}, {r}) {} 0)", c_operator(op)),
        },
        _ => format!("({l} {} {r})", c_operator(op)),
    }
}

fn c_operator(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Pow | BinOp::Shl | BinOp::Shr | BinOp::UShr => {
            unreachable!("handled by a runtime helper")
        }
    }
}

fn zero_value(ty: &Type) -> &'static str {
    match ty {
        Type::Integer | Type::Boolean => "0",
        Type::Float => "0.0f",
        _ => "BS_NULL",
    }
}

fn int_literal(v: i32) -> String {
    if v == i32::MIN {
        "(-2147483647 - 1)".to_string()
    } else if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

/// A C `float` literal with exactly the value `v` (Rust's `{:e}` is the shortest text that
/// reads back to the same binary32).
fn float_literal(v: f32) -> String {
    if v.is_infinite() {
        return if v > 0.0 {
            "__builtin_inff()"
        } else {
            "(-__builtin_inff())"
        }
        .to_string();
    }
    if v.is_nan() {
        return "__builtin_nanf(\"\")".to_string();
    }
    let text = format!("{v:e}f");
    if v.is_sign_negative() {
        format!("({text})")
    } else {
        text
    }
}

/// The body of a C string literal for arbitrary bytes: printable ASCII stays, everything else
/// becomes a three-digit octal escape (which, unlike `\x`, cannot swallow a following digit).
fn c_string_body(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'?' => s.push_str("\\?"), // no trigraphs
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s
}

/// The function of bs.h that carries out a built-in operation (its arguments are the IR's, in
/// order).
fn builtin_function(op: Builtin) -> &'static str {
    match op {
        Builtin::StringLength => "bs_string_length",
        Builtin::ArrayLength => "bs_array_length",
        Builtin::StringStartsWith => "bs_string_starts_with",
        Builtin::StringEndsWith => "bs_string_ends_with",
        Builtin::StringSubstring => "bs_string_substring",
        Builtin::VectorPush => "bs_vector_push",
        Builtin::VectorUnshift => "bs_vector_unshift",
        Builtin::VectorPop => "bs_vector_pop",
        Builtin::VectorShift => "bs_vector_shift",
        Builtin::TimeNow => "bs_time_now",
        Builtin::TimeDelay => "bs_time_delay",
        Builtin::Uint8ArrayNew => "bs_uint8_array_new",
        Builtin::FixedArrayNew => "bs_fixed_array_new",
        Builtin::IsArray => "bs_is_array",
        Builtin::IsString => "bs_is_string",
        Builtin::InstanceOf => "bs_instance_of_fast",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_literals_read_back_exactly() {
        assert_eq!(float_literal(0.1), "1e-1f");
        assert_eq!(float_literal(3.0), "3e0f");
        assert_eq!(float_literal(-2.5), "(-2.5e0f)");
        assert_eq!(float_literal(16777216.0), "1.6777216e7f");
    }

    #[test]
    fn string_bodies_escape_what_c_would_misread() {
        assert_eq!(c_string_body(b"a\"b\\c"), "a\\\"b\\\\c");
        assert_eq!(c_string_body(b"\n1"), "\\0121");
        assert_eq!(c_string_body("é".as_bytes()), "\\303\\251");
    }

    #[test]
    fn the_minimum_integer_is_spelled_without_overflow() {
        assert_eq!(int_literal(i32::MIN), "(-2147483647 - 1)");
        assert_eq!(int_literal(-5), "(-5)");
    }
}
