//! Function bodies, statement by statement. Loops consult the analyses of [`crate::loops`]:
//! they load the views of the arrays they index before they start, and a counted loop whose
//! accesses pass their bounds tests gets an unchecked copy, run when the tests hold.

use std::fmt::Write;

use bs_frontend::ir::{Function, LocalId, NativePart, Stmt};
use bs_frontend::types::FnSig;

use crate::loops::view_c_type;
use crate::spelling::{c_type, indent, local_name, new_cell, prototype, zero_value};
use crate::symbols::c_symbol;
use crate::{FastCopy, Gen};

impl Gen {
    /// A C function for one body: its parameters are its first locals.
    pub(crate) fn function(
        &mut self,
        symbol: &str,
        sig: &FnSig,
        func: &Function,
        out: &mut String,
    ) {
        self.locals = func.locals.clone();
        self.views.clear();
        self.scopes = vec![Vec::new()];
        self.ret_c_type = c_type(&sig.ret);
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
        let _ = writeln!(
            out,
            "\n{}{} {{",
            crate::NO_SOURCE_MARK,
            prototype(symbol, sig, Some(&params))
        );
        if self.mark_used && !params.is_empty() {
            let used: Vec<String> = params.iter().map(|p| format!("(void){p};")).collect();
            let _ = writeln!(out, "    {}", used.join(" "));
        }
        for id in 0..sig.params.len() {
            if func.locals[id].captured {
                let name = local_name(&func.locals, id);
                let cell = new_cell(&func.locals[id].ty, &format!("p_{name}"));
                let _ = writeln!(out, "    bs_value {name} = {cell};");
            }
        }
        self.stmts(&func.body, 1, out);
        self.forget_scope(&func.body, 1, out);
        out.push_str("}\n");
    }

    pub(crate) fn stmts(&mut self, stmts: &[Stmt], depth: usize, out: &mut String) {
        for s in stmts {
            self.stmt(s, depth, out);
        }
    }

    /// Statements in a scope of their own: the references its locals held are forgotten where
    /// it ends (see [`Gen::forget_scope`]).
    fn scoped_stmts(&mut self, stmts: &[Stmt], depth: usize, out: &mut String) {
        self.scopes.push(Vec::new());
        self.stmts(stmts, depth, out);
        self.forget_scope(stmts, depth, out);
        self.scopes.pop();
    }

    /// Where the innermost scope ends after `stmts` (unless they end in a jump): `BS_FORGET`s
    /// its locals that may hold large objects ([`holds_large_objects`]). The collector scans registers and the stack
    /// conservatively, and a dead reference the C compiler left in a register (say, across a
    /// loop's back edge, until the next iteration's allocation assigns it) would keep its
    /// object alive.
    pub(crate) fn forget_scope(&mut self, stmts: &[Stmt], depth: usize, out: &mut String) {
        if matches!(
            stmts.last(),
            Some(Stmt::Break | Stmt::Continue | Stmt::Return(_))
        ) {
            return;
        }
        for name in self.scopes.last().into_iter().flatten() {
            indent(out, depth);
            let _ = writeln!(out, "BS_FORGET({name});");
        }
    }

    /// Every local in scope that may hold a large object, innermost first, as `BS_FORGET`s on one line (before a
    /// return).
    fn forget_all(&self) -> String {
        self.scopes
            .iter()
            .rev()
            .flatten()
            .map(|name| format!(" BS_FORGET({name});"))
            .collect()
    }

    /// One statement, on a stack grown as deeply nested blocks need.
    fn stmt(&mut self, s: &Stmt, depth: usize, out: &mut String) {
        stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            self.stmt_here(s, depth, out)
        })
    }

    fn stmt_here(&mut self, s: &Stmt, depth: usize, out: &mut String) {
        match s {
            Stmt::Expr(e) => {
                indent(out, depth);
                crate::mark_source(out, e.span);
                let _ = writeln!(out, "{};", self.expr(e));
            }
            Stmt::Let { local, init } => {
                let ty = self.locals[*local].ty.clone();
                let value = match init {
                    Some(e) => self.expr(e),
                    None => zero_value(&ty).to_string(),
                };
                indent(out, depth);
                if let Some(e) = init {
                    crate::mark_source(out, e.span);
                }
                let name = local_name(&self.locals, *local);
                if holds_large_objects(&ty) {
                    if let Some(scope) = self.scopes.last_mut() {
                        scope.push(name.clone());
                    }
                }
                let used = if self.mark_used {
                    format!(" (void){name};")
                } else {
                    String::new()
                };
                if self.locals[*local].captured {
                    let _ = writeln!(out, "bs_value {name} = {};{used}", new_cell(&ty, &value));
                } else {
                    let _ = writeln!(out, "{} {name} = {value};{used}", c_type(&ty));
                }
            }
            Stmt::InitGlobal { symbol, value } => {
                indent(out, depth);
                crate::mark_source(out, value.span);
                let _ = writeln!(out, "{} = {};", c_symbol(symbol), self.expr(value));
            }
            Stmt::Block(b) => {
                indent(out, depth);
                out.push_str("{\n");
                self.scoped_stmts(b, depth + 1, out);
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
                crate::mark_source(out, cond.span);
                let _ = writeln!(out, "if ({}) {{", self.expr(cond));
                self.scoped_stmts(then, depth + 1, out);
                indent(out, depth);
                if otherwise.is_empty() {
                    out.push_str("}\n");
                } else {
                    out.push_str("} else {\n");
                    self.scoped_stmts(otherwise, depth + 1, out);
                    indent(out, depth);
                    out.push_str("}\n");
                }
            }
            Stmt::While { .. } | Stmt::DoWhile { .. } => self.while_loop(s, depth, out),
            Stmt::For { .. } => self.for_loop(s, depth, out),
            Stmt::Break => {
                indent(out, depth);
                out.push_str("break;\n");
            }
            Stmt::Continue => {
                indent(out, depth);
                out.push_str("continue;\n");
            }
            Stmt::Native(parts, at) => {
                indent(out, depth);
                crate::mark_source(out, *at);
                out.push_str("{\n");
                crate::inline_c(out, *at, |out| {
                    for p in parts {
                        match p {
                            NativePart::Text(t) => out.push_str(t),
                            NativePart::Place(place, ty) => {
                                let lv = self.place(place, ty);
                                out.push_str(&format!("({lv})"));
                            }
                        }
                    }
                    // On a line of its own, so that a preprocessor line at the end stays whole.
                    out.push_str("\n;");
                });
                indent(out, depth);
                out.push_str("}\n");
            }
            Stmt::Return(v) => {
                indent(out, depth);
                let forget = self.forget_all();
                match v {
                    Some(e) if !forget.is_empty() && self.ret_c_type != "void" => {
                        crate::mark_source(out, e.span);
                        let value = self.expr(e);
                        let _ = writeln!(
                            out,
                            "{{ {} bs_ret = {value};{forget} return bs_ret; }}",
                            self.ret_c_type
                        );
                    }
                    Some(e) => {
                        crate::mark_source(out, e.span);
                        let _ = writeln!(out, "return {};", self.expr(e));
                    }
                    None if !forget.is_empty() => {
                        let _ = writeln!(out, "{{{forget} return; }}");
                    }
                    None => out.push_str("return;\n"),
                }
            }
        }
    }

    /// A `while` or `do … while` loop `s`, in a block of its own with its views when it has any.
    fn while_loop(&mut self, s: &Stmt, depth: usize, out: &mut String) {
        let views = self.open_views(s, depth, out);
        let inner = depth + usize::from(!views.is_empty());
        match s {
            Stmt::While { cond, body } => {
                let mut header = String::new();
                crate::mark_source(&mut header, cond.span);
                let _ = writeln!(header, "while ({}) {{", self.expr(cond));
                // A counted `while` loop runs its unchecked copy when the test allows, in a
                // block of its own holding both copies.
                let copies = self.unchecked_copy(s, body, &header, inner.saturating_sub(1), out);
                if copies != Copies::Unchecked {
                    let fast = copies == Copies::Both;
                    let at = inner + usize::from(fast);
                    indent(out, at);
                    out.push_str(&header);
                    self.scoped_stmts(body, at + 1, out);
                    indent(out, at);
                    out.push_str("}\n");
                    if fast {
                        indent(out, inner);
                        out.push_str("}\n");
                    }
                }
            }
            Stmt::DoWhile { body, cond } => {
                indent(out, inner);
                out.push_str("do {\n");
                self.scoped_stmts(body, inner + 1, out);
                indent(out, inner);
                crate::mark_source(out, cond.span);
                let _ = writeln!(out, "}} while ({});", self.expr(cond));
            }
            _ => unreachable!("a loop"),
        }
        self.close_views(&views, depth, out);
    }

    /// A `for` loop `s`, in a block holding its initialisation and views. A counted loop whose
    /// array accesses stay in bounds when a condition checked once holds runs a copy without
    /// their checks then (see [`crate::loops::Counted`]).
    fn for_loop(&mut self, s: &Stmt, depth: usize, out: &mut String) {
        let Stmt::For {
            init,
            cond,
            update,
            body,
        } = s
        else {
            unreachable!("a for loop");
        };
        indent(out, depth);
        out.push_str("{\n");
        // The initialisation's locals belong to the loop's block.
        self.scopes.push(Vec::new());
        self.stmts(init, depth + 1, out);
        let views = self.loop_analysis().view_candidates(s);
        self.open_loop_views(&views, depth + 1, out);
        let cond_c = cond.as_ref().map(|c| self.expr(c)).unwrap_or_default();
        let mut update_parts = crate::loops::per_iteration_cells(init, &self.locals);
        update_parts.extend(update.as_ref().map(|u| self.expr(u)));
        let update_c = update_parts.join(", ");
        let mut header = String::new();
        if let Some(at) = cond.as_ref().or(update.as_ref()) {
            crate::mark_source(&mut header, at.span);
        }
        let _ = writeln!(header, "for (; {cond_c}; {update_c}) {{");
        let copies = self.unchecked_copy(s, body, &header, depth, out);
        if copies != Copies::Unchecked {
            let fast = copies == Copies::Both;
            let inner = depth + 1 + usize::from(fast);
            indent(out, inner);
            out.push_str(&header);
            self.scoped_stmts(body, inner + 1, out);
            indent(out, inner);
            out.push_str("}\n");
            if fast {
                indent(out, depth + 1);
                out.push_str("}\n");
            }
        }
        self.views.close(&views);
        self.forget_scope(&[], depth + 1, out);
        self.scopes.pop();
        indent(out, depth);
        out.push_str("}\n");
    }

    /// When `s` (with `body`, inside fewer than [`MAX_FAST_COPIES`] unchecked copies) is a
    /// counted loop with
    /// accesses that need no check under a test made once: prints `if (test) { the loop with
    /// those accesses unchecked } else {` and returns [`Copies::Both`]; the caller prints the
    /// checked loop and closes the `else`. When the test of the loop holding `s` covers every
    /// access it leaves unchecked, prints that loop alone ([`Copies::Unchecked`]). `header` is
    /// the loop's `for (…) {` line.
    fn unchecked_copy(
        &mut self,
        s: &Stmt,
        body: &[Stmt],
        header: &str,
        depth: usize,
        out: &mut String,
    ) -> Copies {
        if self.fast_copy.len() >= MAX_FAST_COPIES {
            return Copies::Checked;
        }
        let Some(plan) = self.loop_analysis().counted_loop(s) else {
            return Copies::Checked;
        };
        let outside = self
            .fast_copy
            .last()
            .and_then(|outer| self.loop_analysis().counted_from_outside(s, &outer.plan));
        self.fast_copy.push(FastCopy {
            plan,
            views_before: self.views.opened(),
            checks: Vec::new(),
            outside,
            covered_outside: false,
        });
        let mut fast = String::new();
        self.scoped_stmts(body, depth + 3, &mut fast);
        let FastCopy {
            plan,
            checks,
            covered_outside,
            ..
        } = self.fast_copy.pop().expect("pushed above");
        if checks.is_empty() && covered_outside {
            // Every access it leaves unchecked is covered by the test of the loop holding it:
            // the unchecked copy is the loop.
            indent(out, depth + 1);
            out.push_str(header);
            out.push_str(&fast);
            indent(out, depth + 1);
            out.push_str("}\n");
            return Copies::Unchecked;
        }
        if checks.is_empty() {
            return Copies::Checked;
        }
        indent(out, depth + 1);
        let test = format!("{} > {} || ({})", plan.lo, plan.hi, checks.join(" && "));
        let _ = match &plan.guard {
            Some(guard) => writeln!(out, "if ({guard} && ({test})) {{"),
            None => writeln!(out, "if ({test}) {{"),
        };
        indent(out, depth + 2);
        out.push_str(header);
        out.push_str(&fast);
        indent(out, depth + 2);
        out.push_str("}\n");
        indent(out, depth + 1);
        out.push_str("} else {\n");
        Copies::Both
    }

    /// Loads the length and elements of the arrays `ids` (from
    /// [`crate::loops::LoopAnalysis::view_candidates`]), at `depth` in the block that holds the
    /// loop.
    fn open_loop_views(&mut self, ids: &[LocalId], depth: usize, out: &mut String) {
        for &id in ids {
            let n = self.views.open(id);
            let name = local_name(&self.locals, id);
            let ct = view_c_type(&self.locals[id].ty).expect("a candidate");
            indent(out, depth);
            let _ = writeln!(
                out,
                "bs_array *hv{n} = (bs_array *)bs_ptr({name}); uint32_t hl{n} = hv{n}->length; \
                 {ct} *hd{n} = ({ct} *)hv{n}->data;"
            );
        }
    }

    /// The views of loop `s` in a block of their own, opened when there is a view. Returns
    /// their locals, for [`Gen::close_views`].
    fn open_views(&mut self, s: &Stmt, depth: usize, out: &mut String) -> Vec<LocalId> {
        let ids = self.loop_analysis().view_candidates(s);
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
        self.views.close(ids);
        indent(out, depth);
        out.push_str("}\n");
    }
}

/// How many unchecked copies nest: a counted loop's copy, and the copies of the counted loops
/// inside it. A loop inside both is printed four times, so no deeper.
const MAX_FAST_COPIES: usize = 2;

/// What [`Gen::unchecked_copy`] printed of a loop.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Copies {
    /// Nothing: the caller prints the loop, with its checks.
    Checked,
    /// `if (test) { unchecked loop } else {`: the caller prints the checked loop and `}`.
    Both,
    /// The whole loop, unchecked under the test of the loop holding it.
    Unchecked,
}

/// Whether a local of type `ty` may hold an object that can be large: an array of any kind, or
/// any value. Only such locals get a `BS_FORGET` (see [`Gen::forget_scope`]): forgetting keeps
/// the variable alive to the end of its scope, which costs registers in hot code, and the
/// objects of program classes are small.
fn holds_large_objects(ty: &bs_frontend::types::Type) -> bool {
    use bs_frontend::types::Type;
    match ty {
        Type::Any | Type::Array(_) | Type::Uint8Array | Type::FixedArray => true,
        Type::Nullable(inner) => holds_large_objects(inner),
        _ => false,
    }
}
