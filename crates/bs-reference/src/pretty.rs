//! Turns the reference AST into BlueScript source text. Parentheses follow TypeScript's
//! precedence and associativity, so that the compiler's parser is exercised too: only the
//! operands that need them get parentheses, except that `as` expressions, assignments and
//! nested sign operators are always parenthesised when they are operands. Every statement ends
//! with `;`, so automatic semicolon insertion never matters.

use crate::ast::{BinOp, ClassDecl, Expr, ExprKind, FuncDecl, Item, LoopKind, Program, Stmt, UnOp};

/// The source text of a program.
pub fn program(p: &Program) -> String {
    let mut w = Writer::default();
    for item in &p.items {
        match item {
            Item::Func(f) => w.func("function ", f),
            Item::Class(c) => w.class(c),
            Item::Stmt(s) => w.stmt(s),
        }
    }
    w.out
}

/// The source text of one expression.
pub fn expr(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(e, 0, &mut s);
    s
}

const ASSIGN: u8 = 1;
const COND: u8 = 2;
const UNARY: u8 = 14;
const POSTFIX: u8 = 15;
const PRIMARY: u8 = 17;

fn binary_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 3,
        BinOp::And => 4,
        BinOp::BitOr => 5,
        BinOp::BitXor => 6,
        BinOp::BitAnd => 7,
        BinOp::Eq | BinOp::StrictEq | BinOp::Ne | BinOp::StrictNe => 8,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 9,
        BinOp::Shl | BinOp::Shr | BinOp::UShr => 10,
        BinOp::Add | BinOp::Sub => 11,
        BinOp::Mul | BinOp::Div | BinOp::Rem => 12,
        BinOp::Pow => 13,
    }
}

/// The precedence of an expression as printed (higher binds tighter).
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Assign(..) => ASSIGN,
        ExprKind::Arrow(..) => COND,
        ExprKind::Unbox(x) => prec(x),
        ExprKind::Cond(..) => COND,
        ExprKind::Binary(op, ..) => binary_prec(*op),
        ExprKind::Unary(..) => UNARY,
        ExprKind::IncDec { prefix: true, .. } => UNARY,
        ExprKind::IncDec { prefix: false, .. } => POSTFIX,
        // Printed with its own parentheses.
        ExprKind::As(..) => PRIMARY,
        _ => PRIMARY,
    }
}

fn write_wrapped(e: &Expr, min: u8, out: &mut String) {
    if prec(e) < min {
        out.push('(');
        write_expr(e, 0, out);
        out.push(')');
    } else {
        write_expr(e, min, out);
    }
}

fn write_list(es: &[Expr], out: &mut String) {
    for (i, a) in es.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_wrapped(a, COND, out);
    }
}

fn write_expr(e: &Expr, _ctx: u8, out: &mut String) {
    match &e.kind {
        ExprKind::Int { value, hex } => {
            if *hex {
                out.push_str(&format!("0x{value:X}"));
            } else {
                out.push_str(&value.to_string());
            }
        }
        ExprKind::Float(t) => out.push_str(t),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Str(s) => {
            out.push('\'');
            out.push_str(s);
            out.push('\'');
        }
        ExprKind::Var(n) => out.push_str(n),
        ExprKind::This => out.push_str("this"),
        ExprKind::Unary(op, x) => {
            out.push_str(match op {
                UnOp::Neg => "-",
                UnOp::Plus => "+",
                UnOp::BitNot => "~",
                UnOp::Not => "!",
            });
            let nested_sign = matches!(
                x.kind,
                ExprKind::Unary(..) | ExprKind::IncDec { prefix: true, .. }
            );
            if nested_sign {
                out.push('(');
                write_expr(x, 0, out);
                out.push(')');
            } else {
                write_wrapped(x, UNARY, out);
            }
        }
        ExprKind::Binary(op, l, r) => {
            let p = binary_prec(*op);
            if *op == BinOp::Pow {
                // `-a ** b` is a syntax error and `**` is right-associative.
                write_wrapped(l, POSTFIX, out);
                out.push_str(" ** ");
                write_wrapped(r, p, out);
            } else {
                write_wrapped(l, p, out);
                out.push(' ');
                out.push_str(op.text());
                out.push(' ');
                write_wrapped(r, p + 1, out);
            }
        }
        ExprKind::Cond(c, a, b) => {
            write_wrapped(c, COND + 1, out);
            out.push_str(" ? ");
            write_wrapped(a, COND, out);
            out.push_str(" : ");
            write_wrapped(b, COND, out);
        }
        ExprKind::Call(name, args) => {
            out.push_str(name);
            out.push('(');
            write_list(args, out);
            out.push(')');
        }
        ExprKind::MethodCall(recv, name, args) => {
            write_wrapped(recv, PRIMARY, out);
            out.push('.');
            out.push_str(name);
            out.push('(');
            write_list(args, out);
            out.push(')');
        }
        ExprKind::SuperCall(name, args) => {
            out.push_str("super.");
            out.push_str(name);
            out.push('(');
            write_list(args, out);
            out.push(')');
        }
        ExprKind::Field(recv, name) => {
            write_wrapped(recv, PRIMARY, out);
            out.push('.');
            out.push_str(name);
        }
        ExprKind::Index(a, i) => {
            write_wrapped(a, PRIMARY, out);
            out.push('[');
            write_expr(i, 0, out);
            out.push(']');
        }
        ExprKind::Length(a) => {
            write_wrapped(a, PRIMARY, out);
            out.push_str(".length");
        }
        ExprKind::New(c, args) => {
            out.push_str("new ");
            out.push_str(c);
            out.push('(');
            write_list(args, out);
            out.push(')');
        }
        ExprKind::NewArray(n, init) => {
            let elem = e.ty.elem().expect("array type");
            out.push_str(&format!("new Array<{elem}>("));
            write_wrapped(n, COND, out);
            if let Some(init) = init {
                out.push_str(", ");
                write_wrapped(init, COND, out);
            }
            out.push(')');
        }
        ExprKind::ArrayLit(es) => {
            out.push('[');
            write_list(es, out);
            out.push(']');
        }
        ExprKind::As(x) => {
            out.push('(');
            write_wrapped(x, 10, out);
            out.push_str(" as ");
            out.push_str(&e.ty.to_string());
            out.push(')');
        }
        ExprKind::Undefined => out.push_str("undefined"),
        ExprKind::Unbox(x) => write_expr(x, _ctx, out),
        ExprKind::Arrow(params, body) => {
            let ret = match &e.ty {
                crate::ast::Ty::Func(_, r) => r.to_string(),
                _ => "void".to_string(),
            };
            let ps: Vec<String> = params
                .iter()
                .map(|p| format!("{}: {}", p.name, p.ty))
                .collect();
            out.push_str(&format!("({}): {ret} => {{ ", ps.join(", ")));
            let mut w = Writer::default();
            for s in body {
                w.stmt(s);
            }
            // The body on one line, so that the arrow fits wherever an expression does.
            for line in w.out.lines() {
                out.push_str(line.trim());
                out.push(' ');
            }
            out.push('}');
        }
        ExprKind::CallValue(callee, args) => {
            write_wrapped(callee, PRIMARY, out);
            out.push('(');
            write_list(args, out);
            out.push(')');
        }
        ExprKind::Assign(op, t, v) => {
            write_expr(t, 0, out);
            out.push(' ');
            if let Some(op) = op {
                out.push_str(op.text());
            }
            out.push_str("= ");
            write_wrapped(v, COND, out);
        }
        ExprKind::IncDec {
            prefix,
            inc,
            target,
        } => {
            let o = if *inc { "++" } else { "--" };
            if *prefix {
                out.push_str(o);
                write_expr(target, 0, out);
            } else {
                write_expr(target, 0, out);
                out.push_str(o);
            }
        }
    }
}

#[derive(Default)]
struct Writer {
    out: String,
    indent: usize,
}

impl Writer {
    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn block(&mut self, body: &[Stmt]) {
        self.indent += 1;
        for s in body {
            self.stmt(s);
        }
        self.indent -= 1;
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let {
                name,
                constant,
                annot,
                init,
            } => {
                let kw = if *constant { "const" } else { "let" };
                let annot = annot.as_ref().map(|t| format!(": {t}")).unwrap_or_default();
                let mut v = String::new();
                write_wrapped(init, COND, &mut v);
                self.line(&format!("{kw} {name}{annot} = {v};"));
            }
            Stmt::Expr(e) => {
                let t = expr(e);
                self.line(&format!("{t};"));
            }
            Stmt::Print { arg, console } => {
                let f = if *console { "console.log" } else { "print" };
                let mut v = String::new();
                write_wrapped(arg, COND, &mut v);
                self.line(&format!("{f}({v});"));
            }
            Stmt::If(c, then, els) => {
                self.line(&format!("if ({}) {{", expr(c)));
                self.block(then);
                if let Some(els) = els {
                    self.line("} else {");
                    self.block(els);
                }
                self.line("}");
            }
            Stmt::Loop {
                kind,
                var,
                limit,
                body,
            } => match kind {
                LoopKind::ForUp => {
                    self.line(&format!("for (let {var} = 0; {var} < {limit}; {var}++) {{"));
                    self.block(body);
                    self.line("}");
                }
                LoopKind::ForDown => {
                    self.line(&format!("for (let {var} = {limit}; {var} > 0; {var}--) {{"));
                    self.block(body);
                    self.line("}");
                }
                LoopKind::While => {
                    self.line(&format!("let {var} = 0;"));
                    self.line(&format!("while ({var} < {limit}) {{"));
                    self.indent += 1;
                    self.line(&format!("{var}++;"));
                    self.indent -= 1;
                    self.block(body);
                    self.line("}");
                }
                LoopKind::DoWhile => {
                    self.line(&format!("let {var} = 0;"));
                    self.line("do {");
                    self.indent += 1;
                    self.line(&format!("{var}++;"));
                    self.indent -= 1;
                    self.block(body);
                    self.line(&format!("}} while ({var} < {limit});"));
                }
            },
            Stmt::Break => self.line("break;"),
            Stmt::Continue => self.line("continue;"),
            Stmt::Return(None) => self.line("return;"),
            Stmt::Return(Some(e)) => {
                let t = expr(e);
                self.line(&format!("return {t};"));
            }
            Stmt::Block(b) => {
                self.line("{");
                self.block(b);
                self.line("}");
            }
        }
    }

    fn func(&mut self, keyword: &str, f: &FuncDecl) {
        let params: Vec<String> = f
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        self.line(&format!(
            "{keyword}{}({}): {} {{",
            f.name,
            params.join(", "),
            f.ret
        ));
        self.block(&f.body);
        self.line("}");
    }

    fn class(&mut self, c: &ClassDecl) {
        match &c.parent {
            Some(p) => self.line(&format!("class {} extends {p} {{", c.name)),
            None => self.line(&format!("class {} {{", c.name)),
        }
        self.indent += 1;
        for f in &c.fields {
            self.line(&format!("{}: {};", f.name, f.ty));
        }
        let params: Vec<String> = c
            .ctor_params
            .iter()
            .map(|p| format!("{}: {}", p.name, p.ty))
            .collect();
        self.line(&format!("constructor({}) {{", params.join(", ")));
        self.indent += 1;
        if c.parent.is_some() {
            let mut a = String::new();
            write_list(&c.super_args, &mut a);
            self.line(&format!("super({a});"));
        }
        for (f, v) in c.fields.iter().zip(&c.field_inits) {
            let mut t = String::new();
            write_wrapped(v, COND, &mut t);
            self.line(&format!("this.{} = {t};", f.name));
        }
        self.indent -= 1;
        self.block(&c.ctor_body);
        self.line("}");
        for m in &c.methods {
            self.func("", m);
        }
        self.indent -= 1;
        self.line("}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Ty;

    fn v(n: &str) -> Expr {
        Expr::var(n, Ty::Int)
    }

    #[test]
    fn parenthesises_by_precedence() {
        let e = Expr::binary(
            BinOp::Mul,
            Expr::binary(BinOp::Add, v("a"), v("b")),
            Expr::binary(BinOp::Mul, v("c"), v("d")),
        );
        assert_eq!(expr(&e), "(a + b) * (c * d)");
        let e = Expr::binary(BinOp::Sub, v("a"), Expr::binary(BinOp::Sub, v("b"), v("c")));
        assert_eq!(expr(&e), "a - (b - c)");
        let e = Expr::binary(
            BinOp::Pow,
            Expr::unary(UnOp::Neg, v("a")),
            Expr::binary(BinOp::Pow, v("b"), Expr::int(-1)),
        );
        assert_eq!(expr(&e), "(-a) ** b ** -1");
        let e = Expr::unary(UnOp::Neg, Expr::int(-5));
        assert_eq!(expr(&e), "-(-5)");
        let e = Expr::binary(
            BinOp::Add,
            Expr::str_lit("s"),
            Expr::binary(BinOp::Add, v("a"), v("b")),
        );
        assert_eq!(expr(&e), "'s' + (a + b)");
        let e = Expr::binary(
            BinOp::Lt,
            Expr::cast(Expr::var("f", Ty::Float), Ty::Int),
            v("b"),
        );
        assert_eq!(expr(&e), "(f as integer) < b");
        let e = Expr::cond(
            Expr::binary(BinOp::Or, v("a"), v("b")),
            Expr::assign(Some(BinOp::Add), v("x"), v("y")),
            v("c"),
        );
        assert_eq!(expr(&e), "a || b ? (x += y) : c");
    }
}
