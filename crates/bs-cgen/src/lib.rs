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
    let mut g = Gen::default();
    let mut out = String::new();
    let mut decls = String::new();
    let mut bodies = String::new();

    // Declarations of what earlier units define.
    let mut declared_slots = std::collections::HashSet::new();
    for e in &unit.externs {
        match e {
            ExternRef::Global { symbol, ty } => {
                let _ = writeln!(decls, "extern {} {symbol};", c_type(ty));
            }
            ExternRef::FnSlot { symbol, sig } => {
                declared_slots.insert(symbol.clone());
                let _ = writeln!(decls, "extern {};", slot_decl(symbol, sig));
            }
        }
    }
    for f in &unit.functions {
        if f.redefines && declared_slots.insert(f.slot_symbol.clone()) {
            let _ = writeln!(decls, "extern {};", slot_decl(&f.slot_symbol, &f.sig));
        }
    }
    // This unit's globals.
    for gl in &unit.globals {
        let init = if gl.ty.is_boxed_repr() {
            " = BS_NULL"
        } else {
            ""
        };
        let _ = writeln!(decls, "{} {}{init};", c_type(&gl.ty), gl.symbol);
    }
    // Prototypes, then slots.
    for f in &unit.functions {
        let _ = writeln!(decls, "{};", prototype(&f.body_symbol, &f.sig, None));
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
    // Bodies.
    for f in &unit.functions {
        g.locals = f.func.locals.clone();
        let params: Vec<String> = (0..f.sig.params.len())
            .map(local_name_of(&f.func.locals))
            .collect();
        let _ = writeln!(
            bodies,
            "\n{} {{",
            prototype(&f.body_symbol, &f.sig, Some(&params))
        );
        g.stmts(&f.func.body, 1, &mut bodies);
        bodies.push_str("}\n");
    }
    // Entry.
    g.locals = unit.body.locals.clone();
    let _ = writeln!(bodies, "\nvoid {}(void) {{", unit.entry_symbol);
    for f in &unit.functions {
        if f.redefines {
            let _ = writeln!(bodies, "    {} = {};", f.slot_symbol, f.body_symbol);
        }
    }
    g.stmts(&unit.body.body, 1, &mut bodies);
    bodies.push_str("}\n");

    let _ = writeln!(out, "/* BlueScript unit {} (generated) */", unit.id);
    out.push_str("#include \"bs.h\"\n\n");
    out.push_str(&g.literals);
    out.push_str(&decls);
    out.push_str(&bodies);
    out
}

fn c_type(ty: &Type) -> &'static str {
    match ty {
        Type::Integer | Type::Boolean => "int32_t",
        Type::Float => "float",
        Type::Void => "void",
        Type::String | Type::Null | Type::Any => "bs_value",
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

fn local_name_of(locals: &[Local]) -> impl Fn(usize) -> String + '_ {
    move |id| local_name(locals, id)
}

#[derive(Default)]
struct Gen {
    locals: Vec<Local>,
    literals: String,
    n_literals: usize,
    n_temps: usize,
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
                let _ = writeln!(
                    out,
                    "{} {} = {value};",
                    c_type(&ty),
                    local_name(&self.locals, *local)
                );
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
            Stmt::While { cond, body } => {
                indent(out, depth);
                let _ = writeln!(out, "while ({}) {{", self.expr(cond));
                self.stmts(body, depth + 1, out);
                indent(out, depth);
                out.push_str("}\n");
            }
            Stmt::DoWhile { body, cond } => {
                indent(out, depth);
                out.push_str("do {\n");
                self.stmts(body, depth + 1, out);
                indent(out, depth);
                let _ = writeln!(out, "}} while ({});", self.expr(cond));
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
                let cond = cond.as_ref().map(|c| self.expr(c)).unwrap_or_default();
                let update = update.as_ref().map(|u| self.expr(u)).unwrap_or_default();
                indent(out, depth + 1);
                let _ = writeln!(out, "for (; {cond}; {update}) {{");
                self.stmts(body, depth + 2, out);
                indent(out, depth + 1);
                out.push_str("}\n");
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

    fn place(&self, p: &Place) -> String {
        match p {
            Place::Local(id) => local_name(&self.locals, *id),
            Place::Global { symbol } => symbol.clone(),
        }
    }

    /// Evaluates `operands` left to right and passes their C forms to `build`. When a later
    /// operand has effects, earlier ones are first stored in temporaries, in a GNU statement
    /// expression, so that C evaluates them in source order.
    fn sequenced(&mut self, operands: &[&Expr], build: impl FnOnce(&[String]) -> String) -> String {
        let needs_order = operands.iter().skip(1).any(|e| e.has_effects())
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
            ExprKind::Read(p) => self.place(p),
            ExprKind::Unary(op, a) => {
                let a = self.expr(a);
                match op {
                    UnOp::Neg => format!("(-({a}))"),
                    UnOp::BitNot => format!("(~({a}))"),
                    UnOp::Not => format!("(!({a}))"),
                }
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
                        Type::Integer => format!("bs_box_int({inner})"),
                        Type::Float => format!("bs_box_float({inner})"),
                        Type::Boolean => format!("bs_box_bool({inner})"),
                        _ => inner,
                    },
                    Conv::Truthy => match from {
                        Type::Integer => format!("(({inner}) != 0)"),
                        Type::Float => format!("(({inner}) != 0.0f)"),
                        Type::Boolean => inner,
                        _ => format!("bs_truthy({inner})"),
                    },
                }
            }
            ExprKind::Call { slot, args, .. } => {
                let refs: Vec<&Expr> = args.iter().collect();
                self.sequenced(&refs, |p| format!("{slot}({})", p.join(", ")))
            }
            ExprKind::Print { stream, arg } => {
                let a = self.expr(arg);
                if *stream == 0 {
                    format!("bs_print({a})")
                } else {
                    format!("bs_print_error({a})")
                }
            }
            ExprKind::Assign { place, value } => {
                let p = self.place(place);
                let v = self.expr(value);
                format!("({p} = {v})")
            }
            ExprKind::Update {
                place,
                increment,
                prefix,
            } => {
                let p = self.place(place);
                let op = if *increment { "++" } else { "--" };
                if *prefix {
                    format!("({op}{p})")
                } else {
                    format!("({p}{op})")
                }
            }
        }
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
            BinOp::Eq => format!("bs_string_equal({l}, {r})"),
            BinOp::Ne => format!("(!bs_string_equal({l}, {r}))"),
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
