//! The C file of a unit as a whole: declarations of what earlier units define, this unit's
//! globals, prototypes and function slots, function values (trampolines and arrow functions),
//! class descriptors with their vtables and entries for calls through `any`, the bodies, and the
//! entry function `bs_unit_N`.

use std::collections::HashSet;
use std::fmt::Write;

use bs_frontend::ir::{ClassDef, ExternRef, FuncDef, Stmt, Symbol, Unit};
use bs_frontend::types::{FnSig, Type};

use crate::Gen;
use crate::expressions::check_from_any;
use crate::loops::has_loop;
use crate::spelling::{c_type, fn_pointer_type, global_init, prototype, slot_decl};
use crate::symbols::c_symbol;

/// Generates the C source of `unit` (see the crate's documentation for its layout).
pub(crate) fn emit(unit: &Unit, defined: &dyn Fn(&str) -> bool) -> String {
    emit_split(unit, defined, 1).0
}

/// A unit whose function bodies add up to fewer bytes of C than this many per part is not split
/// further: each part repeats the declarations, and the parts' objects are merged afterwards.
const SPLIT_BYTES: usize = 96 * 1024;

/// Generates the C source of `unit` as one file and, when it is large and can be split, as up
/// to `max_parts` files that compile separately (in parallel) into objects that, merged,
/// are the unit: each part holds some of the bodies, the first also every definition of the
/// unit's data and its entry function, the others declarations of them. The parts'
/// bodies keep the line numbers they have in the whole file (`#line`), so that the line
/// table of the merged object maps code to the whole file's lines. The second value is empty
/// when the unit is not split.
pub(crate) fn emit_split(
    unit: &Unit,
    defined: &dyn Fn(&str) -> bool,
    max_parts: usize,
) -> (String, Vec<String>) {
    let mut g = Gen {
        direct: unit
            .functions
            .iter()
            .map(|f| (f.slot_symbol.clone(), f.body_symbol.clone()))
            .collect(),
        // While a profiled function's slot holds its wrapper, a direct call calls the wrapper.
        wrappers: unit
            .functions
            .iter()
            .filter_map(|f| Some((f.slot_symbol.clone(), f.profile.as_ref()?.wrapper.clone())))
            .collect(),
        inlined: unit
            .inlined
            .iter()
            .filter(|c| c.wrapper.is_none())
            .map(|c| (c.slot.clone(), (c.body.clone(), c.symbol.clone())))
            .collect(),
        untyped_inlined: unit
            .inlined
            .iter()
            .filter(|c| c.wrapper.is_some())
            .map(|c| (c.symbol.clone(), c.clone()))
            .collect(),
        ..Gen::default()
    };
    let chunks = top_level_chunks(&unit.body.body);
    let entry = c_symbol(&unit.entry_symbol);
    let mut decls = String::new();
    let mut declared = HashSet::new();
    extern_declarations(unit, &mut declared, &mut decls);
    // What a part other than the first declares: the same, but the unit's data and slots as
    // external.
    let mut part_decls = decls.clone();
    global_definitions(unit, &mut decls);
    global_declarations(unit, &mut part_decls);
    let mut part_declared = declared.clone();
    prototypes_and_slots(unit, &mut g, &mut declared, &mut decls);
    prototypes_and_extern_slots(unit, &mut part_declared, &mut part_decls);
    chunk_prototypes(&entry, chunks.len(), &mut decls);
    chunk_prototypes(&entry, chunks.len(), &mut part_decls);
    function_values(unit, &mut decls);
    crate::guards::declarations(unit, &mut decls);
    for c in &unit.classes {
        class_descriptor(unit, c, &mut decls);
    }
    for (id, ty, elem) in &unit.array_classes {
        let name = ty.to_string().replace('"', "'");
        let _ = writeln!(
            decls,
            "static const bs_class bs_class_{id} = {{\"{name}\", BS_KIND_REF_ARRAY, 0, 0, 0, {elem}u, 0, 0, 0, 0, 0, 0}};"
        );
    }
    // The bodies, one piece per function; the entry (with the chunks of its top level) last.
    let mut pieces = Vec::new();
    g.bodies(unit, &mut pieces);
    let mut specialised = String::new();
    g.specialised_bodies(unit, &mut specialised);
    pieces.push(specialised);
    g.entry(unit, &chunks, &mut pieces);

    let mut head = String::new();
    let _ = writeln!(head, "/* BlueScript unit {} (generated) */", unit.id);
    head.push_str("#include \"bs.h\"\n\n");
    let mut out = head.clone();
    for (text, at) in &unit.native_top {
        crate::inline_c(&mut out, *at, |out| out.push_str(text));
    }
    let mut part_literals = String::new();
    for (name, bytes) in &g.literals {
        let len = bytes.len();
        let _ = writeln!(part_literals, "BS_STRING_LITERAL_EXTERN({name}, {len});");
        if defined(name) {
            let _ = writeln!(out, "BS_STRING_LITERAL_EXTERN({name}, {len});");
        } else {
            let body = crate::spelling::c_string_body(bytes);
            let _ = writeln!(out, "BS_STRING_LITERAL_SHARED({name}, {len}, \"{body}\");");
        }
    }
    out.push_str(&g.tables);
    out.push_str(&decls);
    let preamble_len = out.len();
    let preamble_lines = out.matches('\n').count();
    for piece in &pieces {
        out.push_str(piece);
    }

    let body_bytes = out.len() - preamble_len;
    let n = max_parts.min(body_bytes / SPLIT_BYTES).max(1);
    if n < 2 || !splittable(unit, &out) {
        return (out, Vec::new());
    }
    // Contiguous groups of pieces of about equal size; the last (with the entry) goes to the
    // first part, with the definitions.
    let per_part = body_bytes.div_ceil(n);
    let mut groups: Vec<(usize, String)> = Vec::new();
    let mut line = preamble_lines + 1;
    for piece in &pieces {
        let full = groups.len() == n;
        match groups.last_mut() {
            Some((_, text)) if text.len() < per_part || full => text.push_str(piece),
            _ => groups.push((line, piece.clone())),
        }
        line += piece.matches('\n').count();
    }
    let mut parts: Vec<String> = Vec::new();
    let count = groups.len();
    for (k, (first_line, text)) in groups.into_iter().enumerate().rev() {
        let mut part = if k + 1 == count {
            out[..preamble_len].to_string()
        } else {
            let mut part = head.clone();
            part.push_str(&part_literals);
            part.push_str(&g.tables);
            part.push_str(&part_decls);
            part
        };
        // `#line N` numbers the line after it: the piece's text starts with its own newline.
        let _ = writeln!(part, "#line {} \"{}\"", first_line, crate::UNIT_C_FILE);
        part.push_str(&text);
        parts.push(part);
    }
    (out, parts)
}

/// Whether a unit's C can be split into parts: not when it has inline C (which may define
/// anything, once), function values (whose descriptions are static in the file), profiled
/// functions or specialised copies (their records and guards are defined with them).
fn splittable(unit: &Unit, c: &str) -> bool {
    unit.native_top.is_empty()
        && !c.contains(crate::INLINE_C_FILE)
        && unit.arrows.is_empty()
        && unit.trampolines.is_empty()
        && unit.specialised.is_empty()
        && unit.guards.is_empty()
        && unit.inlined.is_empty()
        && unit.functions.iter().all(|f| f.profile.is_none())
}

/// The unit's globals as external declarations (for a part that does not define them).
fn global_declarations(unit: &Unit, decls: &mut String) {
    for gl in &unit.globals {
        let _ = writeln!(decls, "extern {} {};", c_type(&gl.ty), c_symbol(&gl.symbol));
    }
    for c in &unit.classes {
        for (symbol, ty) in &c.static_fields {
            let _ = writeln!(decls, "extern {} {};", c_type(ty), c_symbol(symbol));
        }
    }
}

/// Prototypes of the unit's bodies and class functions, and its slots as external
/// declarations (for a part that does not define them).
fn prototypes_and_extern_slots(unit: &Unit, declared: &mut HashSet<String>, decls: &mut String) {
    for f in &unit.functions {
        let body = c_symbol(&f.body_symbol);
        let _ = writeln!(decls, "{};", prototype(&body, &f.sig, None));
    }
    for c in &unit.classes {
        for (symbol, sig) in class_functions(c).iter().chain(&c.vtable_externs) {
            let name = c_symbol(symbol);
            if declared.insert(name.clone()) {
                let _ = writeln!(decls, "{};", prototype(&name, sig, None));
            }
        }
    }
    for f in &unit.functions {
        let slot = c_symbol(&f.slot_symbol);
        if declared.insert(slot.clone()) {
            let _ = writeln!(decls, "extern {};", slot_decl(&slot, &f.sig));
        }
    }
}

/// The prototypes of the chunks of a long top level, and the default of [`ONCE_OPTIMIZE`].
fn chunk_prototypes(entry: &str, chunks: usize, decls: &mut String) {
    if chunks == 0 {
        return;
    }
    let _ = writeln!(
        decls,
        "#ifndef {ONCE_OPTIMIZE}\n#define {ONCE_OPTIMIZE} \"O1\"\n#endif"
    );
    for k in 0..chunks {
        let _ = writeln!(decls, "void {entry}_{k}(void);");
    }
}

/// Declarations of what earlier units define, each once, and of the slots this unit's
/// functions redefine.
fn extern_declarations(unit: &Unit, declared: &mut HashSet<String>, decls: &mut String) {
    for e in &unit.externs {
        match e {
            ExternRef::Global { symbol, ty } => {
                let symbol = c_symbol(symbol);
                if declared.insert(symbol.clone()) {
                    let _ = writeln!(decls, "extern {} {symbol};", c_type(ty));
                }
            }
            ExternRef::FnSlot { symbol, sig } => {
                let symbol = c_symbol(symbol);
                if declared.insert(symbol.clone()) {
                    let _ = writeln!(decls, "extern {};", slot_decl(&symbol, sig));
                }
            }
            ExternRef::Func { symbol, sig } => {
                let symbol = c_symbol(symbol);
                if declared.insert(symbol.clone()) {
                    let _ = writeln!(decls, "{};", prototype(&symbol, sig, None));
                }
            }
        }
    }
    for f in &unit.functions {
        let slot = c_symbol(&f.slot_symbol);
        if f.redefines && declared.insert(slot.clone()) {
            let _ = writeln!(decls, "extern {};", slot_decl(&slot, &f.sig));
        }
    }
}

/// This unit's globals, static fields included.
fn global_definitions(unit: &Unit, decls: &mut String) {
    for gl in &unit.globals {
        let _ = writeln!(
            decls,
            "{} {}{};",
            c_type(&gl.ty),
            c_symbol(&gl.symbol),
            global_init(&gl.ty)
        );
    }
    for c in &unit.classes {
        for (symbol, ty) in &c.static_fields {
            let symbol = c_symbol(symbol);
            let _ = writeln!(decls, "{} {symbol}{};", c_type(ty), global_init(ty));
        }
    }
}

/// Prototypes of the bodies this unit defines and of the methods its vtables name (which
/// method calls may then call directly), then the slots of functions first defined here.
fn prototypes_and_slots(
    unit: &Unit,
    g: &mut Gen,
    declared: &mut HashSet<String>,
    decls: &mut String,
) {
    for f in &unit.functions {
        let body = c_symbol(&f.body_symbol);
        let _ = writeln!(decls, "{};", prototype(&body, &f.sig, None));
    }
    profile_out(unit, decls);
    for f in &unit.functions {
        profile_wrapper(f, decls);
    }
    for c in &unit.classes {
        for (symbol, sig) in class_functions(c) {
            let name = c_symbol(&symbol);
            g.methods.insert(symbol);
            if declared.insert(name.clone()) {
                let _ = writeln!(decls, "{};", prototype(&name, &sig, None));
            }
        }
        for (symbol, sig) in &c.vtable_externs {
            g.methods.insert(symbol.clone());
            let name = c_symbol(symbol);
            if declared.insert(name.clone()) {
                let _ = writeln!(decls, "{};", prototype(&name, sig, None));
            }
        }
    }
    for f in &unit.functions {
        if !f.redefines {
            let _ = writeln!(
                decls,
                "{} = {};",
                slot_decl(&c_symbol(&f.slot_symbol), &f.sig),
                slot_value(f)
            );
        }
    }
}

/// What the entry puts in a function's slot: its profiling wrapper when it is profiled, else
/// its body.
fn slot_value(f: &FuncDef) -> String {
    c_symbol(slot_symbol_value(f))
}

fn slot_symbol_value(f: &FuncDef) -> &Symbol {
    f.profile.as_ref().map_or(&f.body_symbol, |p| &p.wrapper)
}

/// The unit's one out-of-line copy of `bs_profile_hit` (static inline in bs.h), which the
/// profiling wrappers call when a call is not merely counted: inlined into every wrapper, it
/// would make each some hundreds of bytes of code.
const PROFILE_OUT: &str = "bs_profile_out";

/// The definition of [`PROFILE_OUT`], in a unit that profiles a function.
fn profile_out(unit: &Unit, out: &mut String) {
    if unit.functions.iter().any(|f| f.profile.is_some()) {
        let _ = writeln!(
            out,
            "static __attribute__((noinline)) void {PROFILE_OUT}(bs_profile *p, uint32_t n, const bs_value *args) {{ bs_profile_hit(p, n, args); }}"
        );
    }
}

/// The profile record (in the unit's data: the device writes it) and the profiling wrapper of a
/// profiled function (`docs/dynamic.md`). The wrapper has the slot's signature. It does
/// inline what `bs_profile_hit` does with the calls of the steady states: a call that only
/// counts down (state COUNTING, `countdown` above 1) decrements the count, and one after the
/// report (REPORTED, OFF) while `bs_patch_wanted` is clear does nothing; every other call passes
/// the untyped arguments to `bs_profile_hit` (through [`PROFILE_OUT`]). Then the wrapper
/// tail-calls the body, so that it adds no stack frame (sibling calls are otherwise off in
/// units, see bs-toolchain).
fn profile_wrapper(f: &FuncDef, out: &mut String) {
    let Some(p) = &f.profile else { return };
    let record = c_symbol(&p.record);
    // `bs_profile_hit` counts down to 0 before it records: `calls` calls in all, the last one
    // recorded. The record's countdown is an int32_t.
    let countdown = p.thresholds.calls.min(i32::MAX as u32);
    let needed = p.thresholds.signature.max(1);
    let nargs = p.untyped.len();
    let _ = writeln!(
        out,
        "__attribute__((section(\".data.bs_profile\"))) bs_profile {record} = {{{countdown}, BS_PROFILE_COUNTING, {nargs}u, {needed}u, 0u, {{0}}, {{{{0}}}}}};"
    );
    let names: Vec<String> = (0..f.sig.params.len()).map(|i| format!("a{i}")).collect();
    let untyped: Vec<&str> = p.untyped.iter().map(|&i| names[i].as_str()).collect();
    let call = format!("{}({})", c_symbol(&f.body_symbol), names.join(", "));
    let call = if f.sig.ret == Type::Void {
        format!("{call};")
    } else {
        format!("return {call};")
    };
    let _ = writeln!(
        out,
        "__attribute__((optimize(\"optimize-sibling-calls\"))) {} {{ if (__builtin_expect({record}.state == BS_PROFILE_COUNTING && {record}.countdown > 1, 1)) {record}.countdown--; else if ({record}.state < BS_PROFILE_REPORTED || bs_patch_wanted) {PROFILE_OUT}(&{record}, {nargs}u, (const bs_value[]){{{}}}); {call} }}",
        prototype(&c_symbol(&p.wrapper), &f.sig, Some(&names)),
        untyped.join(", ")
    );
}

/// Arrow functions' prototypes, and the trampolines of functions used as values, with the
/// descriptions (`bs_fn_info`) of both.
fn function_values(unit: &Unit, decls: &mut String) {
    for (symbol, sig, _) in &unit.arrows {
        let _ = writeln!(decls, "{};", prototype(&c_symbol(symbol), sig, None));
    }
    for (symbol, slot, sig) in &unit.trampolines {
        let (symbol, slot) = (c_symbol(symbol), c_symbol(slot));
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
            prototype(&symbol, &c_sig, Some(&names))
        );
        fn_info(unit, &symbol, sig, decls);
    }
    for (symbol, sig, _) in &unit.arrows {
        // The arrow's own signature is its C one without the function value.
        let mut own = sig.clone();
        own.params.remove(0);
        fn_info(unit, &c_symbol(symbol), &own, decls);
    }
}

impl Gen {
    /// The bodies of the unit's arrow functions, functions, class init functions and methods,
    /// one piece each.
    fn bodies(&mut self, unit: &Unit, pieces: &mut Vec<String>) {
        for (symbol, sig, func) in &unit.arrows {
            let mut body = String::new();
            self.function(&c_symbol(symbol), sig, func, &mut body);
            pieces.push(body);
        }
        for f in &unit.functions {
            // `inline` (after a plain prototype: still an external definition) lets the C
            // compiler inline the body into this unit's direct calls more readily.
            let mut body = String::from("\ninline");
            self.function(&c_symbol(&f.body_symbol), &f.sig, &f.func, &mut body);
            pieces.push(body);
        }
        for c in &unit.classes {
            let mut init_sig = FnSig {
                params: c.info.ctor.clone(),
                ret: Type::Void,
            };
            init_sig.params.insert(0, Type::Class(c.info.name.clone()));
            let mut body = String::from("\ninline");
            self.function(
                &c_symbol(&c.info.init_symbol),
                &init_sig,
                &c.init,
                &mut body,
            );
            for (symbol, sig, func) in c.methods.iter().chain(&c.static_methods) {
                body.push_str("\ninline");
                self.function(&c_symbol(symbol), sig, func, &mut body);
            }
            pieces.push(body);
        }
    }

    /// The entry function: defines the classes, points redefined slots at their new bodies and
    /// runs the top level. A long top level is split into chunk functions (`chunks`, see
    /// [`top_level_chunks`]) that the entry calls in order. One piece per chunk, then the entry.
    fn entry(&mut self, unit: &Unit, chunks: &[Chunk], pieces: &mut Vec<String>) {
        self.locals = unit.body.locals.clone();
        self.scopes = vec![Vec::new()];
        self.ret_c_type = "void";
        let entry = c_symbol(&unit.entry_symbol);
        for (k, chunk) in chunks.iter().enumerate() {
            let mut body = String::new();
            let attributes = if chunk.once {
                format!("noinline, optimize({ONCE_OPTIMIZE})")
            } else {
                "noinline".to_string()
            };
            let _ = writeln!(
                body,
                "\n{}__attribute__(({attributes})) void {entry}_{k}(void) {{",
                crate::NO_SOURCE_MARK,
            );
            self.stmts(&unit.body.body[chunk.start..chunk.end], 1, &mut body);
            body.push_str("}\n");
            pieces.push(body);
        }
        let mut bodies = String::new();
        let bodies = &mut bodies;
        let _ = writeln!(bodies, "\n{}void {entry}(void) {{", crate::NO_SOURCE_MARK);
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
                let _ = writeln!(
                    bodies,
                    "    {} = {};",
                    c_symbol(&f.slot_symbol),
                    slot_value(f)
                );
            }
        }
        if chunks.is_empty() {
            self.stmts(&unit.body.body, 1, bodies);
            self.forget_scope(&unit.body.body, 1, bodies);
        }
        for k in 0..chunks.len() {
            let _ = writeln!(bodies, "    {entry}_{k}();");
        }
        bodies.push_str("}\n");
        pieces.push(std::mem::take(bodies));
    }
}

/// The macro that names the optimisation level (a string for GCC's `optimize` attribute) of
/// the chunks of a long top level that run once; a port may define it (bs-toolchain), else it
/// is `"O1"`.
const ONCE_OPTIMIZE: &str = "BS_ONCE_OPTIMIZE";

/// A top level longer than this many statements is split into chunks of at most this many.
const CHUNK_STATEMENTS: usize = 64;

/// A run of top-level statements that becomes a function of its own.
struct Chunk {
    start: usize,
    end: usize,
    /// No statement of the chunk contains a loop: its code runs once, and it is compiled with
    /// the cheaper optimisation of [`ONCE_OPTIMIZE`].
    once: bool,
}

/// How a long top level is split into functions (none for a short one). The C compiler's
/// time on one function grows faster than its length (dead store elimination and CSE walk
/// the stores of a long straight block), so a long top level is split into chunks of at most
/// [`CHUNK_STATEMENTS`] statements; a chunk holds either statements with a loop (compiled as
/// the unit's functions are) or statements without one (code that runs once, compiled more
/// cheaply). A top level that declares locals of its own (which later statements would see)
/// stays whole.
fn top_level_chunks(body: &[Stmt]) -> Vec<Chunk> {
    if body.len() <= CHUNK_STATEMENTS || body.iter().any(declares_local) {
        return Vec::new();
    }
    let mut chunks: Vec<Chunk> = Vec::new();
    for (i, s) in body.iter().enumerate() {
        let once = !has_loop(s);
        match chunks.last_mut() {
            Some(c) if c.once == once && c.end - c.start < CHUNK_STATEMENTS => c.end = i + 1,
            _ => chunks.push(Chunk {
                start: i,
                end: i + 1,
                once,
            }),
        }
    }
    chunks
}

/// Whether a top-level statement declares a local in the top level's scope.
fn declares_local(s: &Stmt) -> bool {
    match s {
        Stmt::Let { .. } => true,
        Stmt::Seq(b) => b.iter().any(declares_local),
        _ => false,
    }
}

/// Where a program class's tables go: a section that bs-link places in the code region
/// (`bs_link::CLASS_TABLE_SECTION`), not the data region, which is smaller on the host and
/// scanned by the collector; the tables are constants without heap references.
const CLASS_TABLE: &str = "__attribute__((section(\".rodata.bs_class\")))";

/// The init function, methods and static methods a class defines, with their C signatures
/// (receiver first for the init function and methods).
fn class_functions(c: &ClassDef) -> Vec<(Symbol, FnSig)> {
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

/// The class descriptor of `c` (see `bs_class` in bs.h): reference bitmap, vtable, members for
/// access through `any`, descriptor.
fn class_descriptor(unit: &Unit, c: &ClassDef, out: &mut String) {
    let id = c.info.id;
    reference_bitmap(c, out);
    let vtable = if c.info.methods.is_empty() {
        "0".to_string()
    } else {
        let entries: Vec<String> = c
            .info
            .methods
            .iter()
            .map(|m| format!("(void *){}", c_symbol(&m.body)))
            .collect();
        let _ = writeln!(
            out,
            "{CLASS_TABLE} static void *const bs_vt_{id}[] = {{{}}};",
            entries.join(", ")
        );
        format!("bs_vt_{id}")
    };
    let super_id = c.super_id;
    let fields = dyn_field_table(c, out);
    let methods = dyn_method_table(unit, c, out);
    let signatures = field_signatures(c, out);
    let _ = writeln!(
        out,
        "{CLASS_TABLE} static const bs_class bs_class_{id} = {{\"{}\", BS_KIND_OBJECT, {super_id}u, {}u, bs_refs_{id}, 0, {}u, {vtable}, {}u, {fields}, {}u, {methods}{signatures}}};",
        c.info.name,
        c.info.words,
        c.info.methods.len(),
        c.dyn_fields.len(),
        c.dyn_methods.len()
    );
}

/// `bs_refs_ID`: one bit per word of an instance, set for the words holding references.
fn reference_bitmap(c: &ClassDef, out: &mut String) {
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
        "{CLASS_TABLE} static const uint32_t bs_refs_{id}[] = {{{}}};",
        bits.join(", ")
    );
}

/// The fields of `c` for access through `any` (`bs_field` rows); returns the table's name, or
/// `0` when there is none.
fn dyn_field_table(c: &ClassDef, out: &mut String) -> String {
    if c.dyn_fields.is_empty() {
        return "0".to_string();
    }
    let id = c.info.id;
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
        "{CLASS_TABLE} static const bs_field bs_fields_{id}[] = {{{}}};",
        rows.join(", ")
    );
    format!("bs_fields_{id}")
}

/// `bs_fsig_ID`: the signature of each field of `c`'s table for access through `any` that has
/// a function type (a value set through `any` must have it), NULL for the others; returns the
/// initialiser's last part (`, bs_fsig_ID`), or nothing when no field has a function type.
fn field_signatures(c: &ClassDef, out: &mut String) -> String {
    let signatures: Vec<String> = c
        .dyn_fields
        .iter()
        .map(
            |(_, word, _, _, _)| match c.info.fields.iter().find(|f| f.word == *word) {
                Some(f) => match &f.ty {
                    Type::Function(sig) => format!("\"{sig}\""),
                    _ => "0".to_string(),
                },
                None => "0".to_string(),
            },
        )
        .collect();
    if signatures.iter().all(|s| s == "0") {
        return String::new();
    }
    let id = c.info.id;
    let _ = writeln!(
        out,
        "{CLASS_TABLE} static const char *const bs_fsig_{id}[] = {{{}}};",
        signatures.join(", ")
    );
    format!(", bs_fsig_{id}")
}

/// The methods of `c` for calls through `any` (`bs_method` rows, each with its entry calling
/// through the vtable); returns the table's name, or `0` when there is none.
fn dyn_method_table(unit: &Unit, c: &ClassDef, out: &mut String) -> String {
    if c.dyn_methods.is_empty() {
        return "0".to_string();
    }
    let id = c.info.id;
    let mut rows = Vec::new();
    for (name, slot, sig) in &c.dyn_methods {
        let entry = format!("bs_dyn_{id}_{slot}");
        let mut c_sig = sig.clone();
        c_sig.params.insert(0, Type::Any);
        let target = format!("(({})bs_vtable(self)[{slot}])", fn_pointer_type(&c_sig));
        dyn_entry(unit, &entry, sig, &target, out);
        rows.push(format!("{{{name}u, {}u, {entry}}}", sig.params.len()));
    }
    let _ = writeln!(
        out,
        "{CLASS_TABLE} static const bs_method bs_methods_{id}[] = {{{}}};",
        rows.join(", ")
    );
    format!("bs_methods_{id}")
}

/// An entry for calls through `any` (bs_dyn_entry): converts the boxed arguments to the
/// parameter types with the checks of a conversion from `any` (`expressions::check_from_any`:
/// numbers, booleans, strings, classes with their subclasses, exact array kinds, function
/// signatures, undefined for nullable types), calls `target` with the receiver or function value
/// first, and boxes the result. The caller has checked the number of arguments.
fn dyn_entry(unit: &Unit, name: &str, sig: &FnSig, target: &str, out: &mut String) {
    // The arguments are converted in order, into locals, so that the first wrong one is the
    // one reported.
    let mut convert = String::new();
    let mut args = vec!["self".to_string()];
    for (k, p) in sig.params.iter().enumerate() {
        let class_id = unit
            .dyn_checks
            .iter()
            .find(|(t, _)| t == p)
            .map_or(0, |(_, id)| *id);
        let value = check_from_any(
            p,
            &format!("args[{k}]"),
            "site",
            class_id,
            &format!("tn{k}"),
        );
        let _ = write!(convert, "{} a{k} = {value}; ", c_type(p));
        args.push(format!("a{k}"));
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
        "static bs_value {name}(bs_value self, const bs_value *args, uint32_t site) {{ (void)args; (void)site; {convert}{body} }}"
    );
}

/// The description of a function value's code (`bs_fn_info`), with its entry for calls
/// through `any`.
fn fn_info(unit: &Unit, symbol: &str, sig: &FnSig, out: &mut String) {
    let mut c_sig = sig.clone();
    c_sig.params.insert(0, Type::Any);
    let target = format!("(({}){symbol})", fn_pointer_type(&c_sig));
    dyn_entry(unit, &format!("bs_dyn_{symbol}"), sig, &target, out);
    let _ = writeln!(
        out,
        "static const bs_fn_info bs_fi_{symbol} = {{\"{sig}\", {}u, bs_dyn_{symbol}}};",
        sig.params.len()
    );
}
