//! The loop analyses. They read the IR and the printer's views, never print, and produce what
//! the statement and expression printers consume:
//!
//! - **Views**: a loop that indexes or measures an array of fixed length (numbers, booleans,
//!   enums, `Uint8Array`) held in a local it never assigns loads the array's length and element
//!   pointer once before the loop ([`LoopAnalysis::view_candidates`], [`Views`]); accesses then
//!   use the view (`hl{n}`, `hd{n}`).
//! - **Counted loops**: a `for (let i = start; i < bound; i++)` (or `i += step`, or a
//!   `while (i < bound)` loop whose body ends with `i += step`) holding no loop that holds a
//!   loop, whose body assigns neither `i` nor what its bound and step read
//!   ([`LoopAnalysis::counted_loop`], [`Counted`]). A counted loop's unchecked copy may hold
//!   those of the counted loops inside it.
//! - **Affine indices**: an index of the form `mul * i + add` with `add` invariant in the loop
//!   ([`LoopAnalysis::affine`]).
//! - **Masked indices**: an index `e & k` (`k >= 0` a constant) lies in [0, k] whatever `e`
//!   is, so one test of the array's length covers it.
//! - **Scaled indices**: an index `i * v` (`v` an invariant local or viewed length) is linear
//!   in `i`: its values at the ends of the range are its extremes, whatever the sign of `v`.
//! - **The bounds test**: the condition under which such an access to a view stays in the array
//!   on every pass ([`LoopAnalysis::bounds_test`]); the printer generates an unchecked copy of
//!   the loop, run when all its accesses' tests hold.

use std::collections::{BTreeSet, HashMap, HashSet};

use bs_frontend::ir::{
    BinOp, Builtin, ElemKind, Expr, ExprKind, Local, LocalId, Place, Stmt, Walked,
};
use bs_frontend::types::Type;

use crate::spelling::{cell_lvalue, local_name, new_cell};

/// The arrays of fixed length held in locals that the loops being generated index but never
/// assign: local → the number of its view (`hl{n}`, its length, and `hd{n}`, its elements,
/// loaded once before the outermost such loop). Numbers are unique in the unit.
#[derive(Default)]
pub(crate) struct Views {
    by_local: HashMap<LocalId, usize>,
    count: usize,
}

impl Views {
    /// The view of the array `array` reads, if it has one.
    pub(crate) fn of(&self, array: &Expr) -> Option<usize> {
        read_local(array).and_then(|id| self.by_local.get(&id).copied())
    }

    /// Gives local `id` a view; returns its number.
    pub(crate) fn open(&mut self, id: LocalId) -> usize {
        let n = self.count;
        self.count += 1;
        self.by_local.insert(id, n);
        n
    }

    /// How many views were opened so far in the unit: views opened later have this number or
    /// a greater one.
    pub(crate) fn opened(&self) -> usize {
        self.count
    }

    /// Ends the views of `ids`.
    pub(crate) fn close(&mut self, ids: &[LocalId]) {
        for id in ids {
            self.by_local.remove(id);
        }
    }

    /// Ends every view (a new function starts).
    pub(crate) fn clear(&mut self) {
        self.by_local.clear();
    }

    fn contains(&self, id: LocalId) -> bool {
        self.by_local.contains_key(&id)
    }
}

/// A `for (let i = start; i < bound; i++)` holding at most innermost loops (or `<=`, or
/// `i += step`, or the `while`
/// loop of [`LoopAnalysis::counted_shape`]) whose body assigns neither `i` nor the locals its
/// bound and step read. Under its `guard`, its index is in [`lo`, `hi`] on every pass (C expressions of
/// 64-bit integers, valid once the loop's initialisation has run); when `lo > hi` the loop does not
/// run at all.
pub(crate) struct Counted {
    index: LocalId,
    pub(crate) lo: String,
    pub(crate) hi: String,
    /// A condition the unchecked copy also needs (C, checked once before the loop): that the
    /// index grows and never wraps around, when its step or bound alone do not show it.
    pub(crate) guard: Option<String>,
    /// Locals the loop assigns (or declares): an index offset read from one is not invariant.
    written: HashSet<LocalId>,
    /// Integer locals the body declares once and never assigns, bound to an affine function of
    /// the index (see [`LoopAnalysis::affine`]).
    affine: HashMap<LocalId, (i64, String)>,
}

/// The parts of a counted loop (see [`LoopAnalysis::counted_shape`]).
struct Shape<'s> {
    index: LocalId,
    op: BinOp,
    bound: &'s Expr,
    /// The step, when it is not `++`.
    step: Option<&'s Expr>,
    /// The statements run on each pass with the index in [start, bound]: for a `while` loop,
    /// all but the step.
    body: &'s [Stmt],
}

/// The step of `update` when it increases local `index`: `Some(None)` for `index++` (or
/// `++index`), `Some(Some(step))` for `index += step` (`index = index + step`).
fn step_of(update: &Expr, index: LocalId) -> Option<Option<&Expr>> {
    match &update.kind {
        ExprKind::Update {
            place: Place::Local(id),
            increment: true,
            ..
        } if *id == index => Some(None),
        ExprKind::Assign {
            place: Place::Local(id),
            value,
        } if *id == index => match &value.kind {
            ExprKind::Binary {
                op: BinOp::Add,
                left,
                right,
                ..
            } if read_local(left) == Some(index) && value.ty == Type::Integer => Some(Some(right)),
            _ => None,
        },
        _ => None,
    }
}

/// The loop analyses over the function being generated: its locals and the views open where
/// the analysed loop stands.
pub(crate) struct LoopAnalysis<'a> {
    pub(crate) locals: &'a [Local],
    pub(crate) views: &'a Views,
}

impl LoopAnalysis<'_> {
    /// The fixed-length arrays in locals that loop `s` indexes or measures and never assigns,
    /// not captured and without a view yet: their length and elements can be loaded once.
    pub(crate) fn view_candidates(&self, s: &Stmt) -> Vec<LocalId> {
        let mut used = BTreeSet::new();
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
                    && !self.views.contains(*id)
                    && view_c_type(&self.locals[*id].ty).is_some()
            })
            .collect()
    }

    /// `s` as a counted loop (see [`Counted`]), if it is one.
    pub(crate) fn counted_loop(&self, s: &Stmt) -> Option<Counted> {
        self.counted_in(s, None)
    }

    /// `s`, a counted loop inside the counted loop `outer`, seen from before `outer`: its
    /// index's range when its start, bound and step are invariant in `outer` too (a `for` loop
    /// declaring its index), so that the range is the same on every pass of `outer` and a
    /// test before `outer` can cover its accesses. Its C reads only locals declared before
    /// `outer` (and views' lengths, which the caller must check were open before `outer`).
    pub(crate) fn counted_from_outside(&self, s: &Stmt, outer: &Counted) -> Option<Counted> {
        self.counted_in(s, Some(outer))
    }

    fn counted_in(&self, s: &Stmt, outer: Option<&Counted>) -> Option<Counted> {
        let Shape {
            index,
            op,
            bound,
            step,
            body,
        } = self.counted_shape(s)?;
        // How often the body writes each local (a declaration counts as one write). The step
        // of a `while` loop is not part of `body`.
        let writes = Stmt::local_writes(body);
        let mut written: HashSet<LocalId> = writes.keys().copied().collect();
        if written.contains(&index) {
            return None;
        }
        // The index changes from pass to pass: neither the bound nor the step may read it.
        written.insert(index);
        let i = local_name(self.locals, index);
        let lo = match outer {
            None => format!("(int64_t){i}"),
            Some(outer) => {
                // Seen from before the outer loop: what the outer loop writes is not invariant,
                // and the index starts at its initial value, which must be invariant too.
                written.extend(outer.written.iter().copied());
                let Stmt::For { init, .. } = s else {
                    return None;
                };
                let [
                    Stmt::Let {
                        init: Some(start), ..
                    },
                ] = init.as_slice()
                else {
                    return None;
                };
                self.invariant(start, &written)?
            }
        };
        let bound = self.invariant(bound, &written)?;
        let step = match step {
            Some(e) => Some(self.invariant(e, &written)?),
            None => None,
        };
        let hi = if op == BinOp::Lt {
            format!("({bound} - 1)")
        } else {
            bound
        };
        // The index stays in [lo, hi] on every pass only while it grows and never wraps
        // around: a step of at least 1, and no pass that could step past the 32-bit range.
        let guard = match &step {
            Some(k) => Some(format!("{k} >= 1 && {hi} + {k} <= (int64_t)INT32_MAX")),
            None if op == BinOp::Le => Some(format!("{hi} < (int64_t)INT32_MAX")),
            None => None,
        };
        let mut counted = Counted {
            index,
            lo,
            hi,
            guard,
            written,
            affine: Default::default(),
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

    /// The parts of `s` when it has the form of a counted loop over an integer `i` that is not
    /// captured, with no loop in its body that holds a loop: `for (let i = …; i < bound; i++)`, or with the
    /// update `i += step`, or `while (i < bound) { …; i += step }` (the step the body's last
    /// statement, `i` declared before the loop); also with `<=`.
    fn counted_shape<'s>(&self, s: &'s Stmt) -> Option<Shape<'s>> {
        let (index, cond, step, body) = match s {
            Stmt::For {
                init,
                cond: Some(cond),
                update: Some(update),
                body,
            } => {
                let [
                    Stmt::Let {
                        local: index,
                        init: Some(_),
                    },
                ] = init.as_slice()
                else {
                    return None;
                };
                let step = step_of(update, *index)?;
                (*index, cond, step, body.as_slice())
            }
            Stmt::While { cond, body } => {
                let (Stmt::Expr(update), body) = body.split_last()? else {
                    return None;
                };
                let index = match &update.kind {
                    ExprKind::Assign {
                        place: Place::Local(id),
                        ..
                    }
                    | ExprKind::Update {
                        place: Place::Local(id),
                        ..
                    } => *id,
                    _ => return None,
                };
                let step = step_of(update, index)?;
                (index, cond, step, body)
            }
            _ => return None,
        };
        if self.locals[index].captured || self.locals[index].ty != Type::Integer {
            return None;
        }
        // Loops inside are fine when they hold no loop themselves: the unchecked copies nest
        // at most two deep.
        if body.iter().any(has_nested_loop) {
            return None;
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
        Some(Shape {
            index,
            op: *op,
            bound,
            step,
            body,
        })
    }

    /// `e` as a 64-bit C expression, when it is an integer constant, a local the loop does not
    /// assign, or the length of an array the loop views.
    fn invariant(&self, e: &Expr, written: &HashSet<LocalId>) -> Option<String> {
        match &e.kind {
            ExprKind::Int(k) => Some(format!("(int64_t){k}")),
            ExprKind::Read(Place::Local(id))
                if !written.contains(id)
                    && !self.locals[*id].captured
                    && self.locals[*id].ty == Type::Integer =>
            {
                Some(format!("(int64_t){}", local_name(self.locals, *id)))
            }
            ExprKind::Builtin {
                op: Builtin::ArrayLength,
                args,
            } if args.len() == 1 => {
                let n = self.views.of(&args[0])?;
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

    /// `e` as `mul * i + add` for the index `i` of the counted loop `counted` (`add` a 64-bit C
    /// expression of invariants), if it is one: sums, differences and products by constants of
    /// `i`, invariants, and the loop's locals bound to such an expression.
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

    /// The bounds test of an access at `index` to view `view` inside counted loop `counted`:
    /// a C condition under which the access stays in the array on every pass, when the index
    /// is an affine function of the loop's index (its least and greatest values over the loop
    /// must lie in the array). `None` when the access must stay checked.
    pub(crate) fn bounds_test(
        &self,
        counted: &Counted,
        view: usize,
        index: &Expr,
    ) -> Option<String> {
        // `e & k` with a constant `k >= 0` lies in [0, k] whatever `e` is (a table lookup such
        // as CRC-32's `table[(c ^ b) & 0xFF]`): the array needs more than `k` elements.
        if let Some(k) = mask_bound(index) {
            return Some(format!("(int64_t){k} < (int64_t)hl{view}"));
        }
        if let Some(test) = self.scaled_test(counted, view, index) {
            return Some(test);
        }
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
        Some(format!("{min} >= 0 && {max} < (int64_t)hl{view}"))
    }
}

impl LoopAnalysis<'_> {
    /// The bounds test of an index `i * v` (or `v * i`) with `i` the loop's index and `v` an
    /// integer local the loop does not assign or a viewed array's length (FFT's
    /// `cosTable[m * step]`): linear in `i`, so its extremes are its values at the ends of the
    /// range, whatever the sign of `v`. The products are computed in 64 bits once the range's
    /// ends are known to fit in 32 (`v` does), so they cannot overflow; the index itself is
    /// computed in 32 bits, wrapping, which gives the same value when that value is in range.
    fn scaled_test(&self, counted: &Counted, view: usize, index: &Expr) -> Option<String> {
        let ExprKind::Binary {
            op: BinOp::Mul,
            left,
            right,
            ..
        } = &index.kind
        else {
            return None;
        };
        let factor = if read_local(left) == Some(counted.index) {
            right
        } else if read_local(right) == Some(counted.index) {
            left
        } else {
            return None;
        };
        let plain = matches!(
            factor.kind,
            ExprKind::Read(Place::Local(_))
                | ExprKind::Builtin {
                    op: Builtin::ArrayLength,
                    ..
                }
        );
        if !plain {
            return None;
        }
        let v = self.invariant(factor, &counted.written)?;
        let (lo, hi) = (&counted.lo, &counted.hi);
        Some(format!(
            "{lo} >= (int64_t)INT32_MIN && {lo} <= (int64_t)INT32_MAX \
             && {hi} >= (int64_t)INT32_MIN && {hi} <= (int64_t)INT32_MAX \
             && {lo} * {v} >= 0 && {lo} * {v} < (int64_t)hl{view} \
             && {hi} * {v} >= 0 && {hi} * {v} < (int64_t)hl{view}"
        ))
    }
}

/// `k` when `e` is `x & k` or `k & x` with an integer constant `k >= 0`: the value is then in
/// [0, k] (two's complement: `k` has no sign bit to keep).
fn mask_bound(e: &Expr) -> Option<i64> {
    let ExprKind::Binary {
        op: BinOp::BitAnd,
        left,
        right,
        ..
    } = &e.kind
    else {
        return None;
    };
    if e.ty != Type::Integer {
        return None;
    }
    match (&left.kind, &right.kind) {
        (ExprKind::Int(k), _) | (_, ExprKind::Int(k)) if *k >= 0 => Some(i64::from(*k)),
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
pub(crate) fn has_loop(s: &Stmt) -> bool {
    match s {
        Stmt::While { .. } | Stmt::DoWhile { .. } | Stmt::For { .. } => true,
        Stmt::Block(b) | Stmt::Seq(b) => b.iter().any(has_loop),
        Stmt::If {
            then, otherwise, ..
        } => then.iter().chain(otherwise).any(has_loop),
        _ => false,
    }
}

/// Whether a statement is or holds a loop that holds a loop.
fn has_nested_loop(s: &Stmt) -> bool {
    match s {
        Stmt::While { body, .. } | Stmt::DoWhile { body, .. } | Stmt::For { body, .. } => {
            body.iter().any(has_loop)
        }
        Stmt::Block(b) | Stmt::Seq(b) => b.iter().any(has_nested_loop),
        Stmt::If {
            then, otherwise, ..
        } => then.iter().chain(otherwise).any(has_nested_loop),
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
pub(crate) fn view_c_type(ty: &Type) -> Option<&'static str> {
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
pub(crate) fn view_access(elem: ElemKind) -> Option<&'static str> {
    match elem {
        ElemKind::Int => Some("bs_int_in"),
        ElemKind::Float => Some("bs_float_in"),
        ElemKind::Bool | ElemKind::Uint8 => Some("bs_byte_in"),
        _ => None,
    }
}

/// The C expressions that give every captured variable a `for` loop's initialisation declares
/// a cell of its own for the next iteration, holding the variable's current value, as
/// JavaScript gives each iteration its own binding: closures created in one iteration keep
/// seeing that iteration's value. They run after the body (or a `continue`) and before the
/// update. None when no such variable is captured, so that other loops stay as they were.
pub(crate) fn per_iteration_cells(init: &[Stmt], locals: &[Local]) -> Vec<String> {
    let mut out = Vec::new();
    for s in init {
        match s {
            Stmt::Let { local, .. } if locals[*local].captured => {
                let name = local_name(locals, *local);
                let ty = &locals[*local].ty;
                let value = cell_lvalue(&name, ty);
                out.push(format!("{name} = {}", new_cell(ty, &value)));
            }
            Stmt::Seq(inner) => out.extend(per_iteration_cells(inner, locals)),
            _ => {}
        }
    }
    out
}
