//! Expressions, places (lvalues) and calls. Every operand list goes through
//! [`Gen::sequenced`], which keeps JavaScript's left-to-right order where C would not. Accesses
//! to an array a loop views use the view, unchecked in the unchecked copy of a counted loop
//! when [`crate::loops::LoopAnalysis::bounds_test`] gives their test.

use std::fmt::Write;

use bs_abi::{ClassId, ErrorCode, OpCode, TypeCode};
use bs_frontend::ir::{
    AnyOp, BinOp, Builtin, CaptureFrom, Conv, ElemKind, Expr, ExprKind, LocalId, Place, Symbol,
    UnOp,
};
use bs_frontend::types::{FnSig, Type};

use crate::Gen;
use crate::loops::view_access;
use crate::spelling::{
    builtin_function, c_type, cell_lvalue, elem_access, field_lvalue, float_literal,
    fn_pointer_type, int_literal, local_name,
};
use crate::symbols::c_symbol;

impl Gen {
    /// The C form of `e`, on a stack grown as deep expressions need.
    pub(crate) fn expr(&mut self, e: &Expr) -> String {
        stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            self.expr_here(e)
        })
    }

    /// Whether `e` has effects (`Expr::has_effects`), remembered for each expression so that
    /// asking at every level of a deep expression stays linear.
    fn effects(&mut self, e: &Expr) -> bool {
        let key = std::ptr::from_ref(e) as usize;
        if let Some(&known) = self.effects.get(&key) {
            return known;
        }
        let known = stacker::maybe_grow(crate::STACK_RED_ZONE, crate::STACK_SEGMENT, || {
            e.has_effects_by(&mut |part| self.effects(part))
        });
        self.effects.insert(key, known);
        known
    }

    fn expr_here(&mut self, e: &Expr) -> String {
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
            ExprKind::Convert(conv, a) => self.convert(*conv, a, &e.ty),
            ExprKind::Call { slot, args, .. } => match self.untyped_inlined.get(slot).cloned() {
                Some(c) => self.untyped_inline_call(&c, args),
                None => self.slot_call(slot, args),
            },
            ExprKind::Print { stream, args } => match &args[..] {
                [arg] => {
                    let a = self.expr(arg);
                    if *stream == 0 {
                        format!("bs_print({a})")
                    } else {
                        format!("bs_print_error({a})")
                    }
                }
                [] => format!("bs_print_values({stream}u, 0, 0)"),
                _ => {
                    // Every argument is evaluated (in order) before anything is written.
                    let refs: Vec<&Expr> = args.iter().collect();
                    let n = args.len();
                    self.sequenced(&refs, |p| {
                        format!(
                            "bs_print_values({stream}u, {n}, (const bs_value[]){{{}}})",
                            p.join(", ")
                        )
                    })
                }
            },
            ExprKind::Assign { place, value } => self.assign(place, value),
            ExprKind::Update {
                place,
                increment,
                prefix,
                site,
            } => self.update(place, &e.ty, *increment, *prefix, *site),
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
            } => self.any_binary(*op, left, right, *site),
            ExprKind::AnyNegate { arg, site } => {
                format!("bs_any_negate({}, {site}u)", self.expr(arg))
            }
            ExprKind::Builtin {
                op: Builtin::ArrayLength,
                args,
            } if args.len() == 1 && self.views.of(&args[0]).is_some() => {
                let n = self.views.of(&args[0]).expect("checked");
                format!("((int32_t)hl{n})")
            }
            ExprKind::Builtin { op, args } => {
                let refs: Vec<&Expr> = args.iter().collect();
                let func = builtin_function(*op);
                self.sequenced(&refs, |p| format!("{func}({})", p.join(", ")))
            }
            ExprKind::With { temps, body } => self.with_temps(temps, body),
            ExprKind::ArrayLit {
                elem,
                class_id,
                elements,
            } => self.array_literal(*elem, *class_id, elements),
            ExprKind::NewArray {
                elem,
                class_id,
                length,
                init,
                site,
            } => self.new_array(*elem, *class_id, length, init, *site),
            ExprKind::New { .. } => self.new_object(e),
            ExprKind::DirectCall { symbol, args, .. } => {
                let symbol = c_symbol(symbol);
                let refs: Vec<&Expr> = args.iter().collect();
                self.sequenced(&refs, |p| format!("{symbol}({})", p.join(", ")))
            }
            ExprKind::Closure {
                symbol, captures, ..
            } => self.closure(symbol, captures),
            ExprKind::FuncValue { trampoline, .. } => {
                let trampoline = c_symbol(trampoline);
                format!(
                    "bs_function_new((uint32_t)(uintptr_t){trampoline}, &bs_fi_{trampoline}, 0u)"
                )
            }
            ExprKind::AnyCall {
                target,
                name_id,
                args,
                site,
            } => self.any_call(target, *name_id, args, *site),
            ExprKind::CallValue { callee, sig, args } => {
                self.call_through(callee, sig, args, |f| format!("bs_function_code({f})"))
            }
            ExprKind::MethodCall {
                receiver,
                slot,
                sig,
                args,
                known,
            } => self.method_call(receiver, *slot, sig, args, known.as_ref()),
        }
    }

    /// A string literal: recorded once among the unit's literals, referenced here.
    fn literal(&mut self, bytes: &[u8]) -> String {
        let name = crate::literal_symbol(bytes);
        if !self.literals.iter().any(|(n, _)| *n == name) {
            self.literals.push((name.clone(), bytes.to_vec()));
        }
        format!("bs_ref(&{name})")
    }

    /// An lvalue for a place whose value has type `ty`. Parts of index and field places are
    /// evaluated here, once: callers evaluate a place once, or make its parts temporaries.
    pub(crate) fn place(&mut self, p: &Place, ty: &Type) -> String {
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
            Place::Global { symbol } => c_symbol(symbol),
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
                if let (Some(n), Some(at)) = (self.views.of(array), view_access(*elem)) {
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

    /// In the unchecked copy of a counted loop: the C index of an access to view `n` that needs
    /// no check there, with its bounds test recorded for the test before the loop.
    fn unchecked_index(&mut self, n: usize, index: &Expr) -> Option<String> {
        // The outermost loop whose test can cover the access takes its check (its test runs
        // once, an inner loop's at each of its starts).
        // A loop's test also covers an access in the loop it holds (the next on the stack) when
        // that loop's index has the same range on every pass: the access's test, in terms of
        // that range, then holds on every pass too.
        let analysis = self.loop_analysis();
        let (level, check, inner) = self
            .fast_copy
            .iter()
            .enumerate()
            .filter(|(_, fast)| n < fast.views_before)
            .find_map(|(level, fast)| {
                if let Some(check) = analysis.bounds_test(&fast.plan, n, index) {
                    return Some((level, check, None));
                }
                let outside = self.fast_copy.get(level + 1)?.outside.as_ref()?;
                let test = analysis.bounds_test(outside, n, index)?;
                let check = match &outside.guard {
                    Some(guard) => format!("{guard} && {test}"),
                    None => test,
                };
                // Its range may read the lengths of views opened inside this loop.
                views_open_before(&check, fast.views_before).then_some((
                    level,
                    check,
                    Some(level + 1),
                ))
            })?;
        let c_index = self.expr(index);
        if let Some(inner) = inner {
            self.fast_copy[inner].covered_outside = true;
        }
        let fast = &mut self.fast_copy[level];
        if !fast.checks.contains(&check) {
            fast.checks.push(check);
        }
        Some(c_index)
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
            } => self.assign_element(array, index, *elem, *site, value),
            Place::Field { object, word } => {
                let ty = value.ty.clone();
                let word = *word;
                self.sequenced(&[object, value], |p| {
                    format!("({} = {})", field_lvalue(&p[0], word, &ty), p[1])
                })
            }
        }
    }

    /// `array[index] = value` for an array of element kind `elem`: through the loop's view of
    /// the array when it has one (unchecked where the counted loop's test covers it).
    fn assign_element(
        &mut self,
        array: &Expr,
        index: &Expr,
        elem: ElemKind,
        site: u32,
        value: &Expr,
    ) -> String {
        let t = self.n_temps;
        self.n_temps += 1;
        if let (Some(n), Some(at)) = (self.views.of(array), view_access(elem)) {
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
        let (at, _) = elem_access(elem);
        let a = self.expr(array);
        let i = self.expr(index);
        let v = self.expr(value);
        let vt = c_type(&value.ty);
        let store = if elem == ElemKind::AnyView {
            format!("bs_array_set(ta{t}, ti{t}, tv{t}, {site}u)")
        } else {
            format!("*{at}(ta{t}, ti{t}, {site}u) = tv{t}")
        };
        format!(
            "({{ bs_value ta{t} = {a}; int32_t ti{t} = {i}; {vt} tv{t} = {v}; {store}; tv{t}; }})"
        )
    }

    /// `++`/`--` on `place`, whose value has type `ty`.
    fn update(
        &mut self,
        place: &Place,
        ty: &Type,
        increment: bool,
        prefix: bool,
        site: u32,
    ) -> String {
        match place {
            Place::AnyProp {
                object,
                name_id,
                site: at_site,
            } => {
                // Through `any`: the object is evaluated once, into a temporary.
                let o = self.expr(object);
                let t = self.n_temps;
                self.n_temps += 1;
                let obj = format!("tp{t}");
                let get = format!("bs_any_get({obj}, {name_id}u, {at_site}u)");
                let set = |n: &str| format!("bs_any_set({obj}, {name_id}u, {n}, {at_site}u)");
                let update = self.any_update(&get, set, increment, prefix, site);
                format!("({{ bs_value {obj} = {o}; {update}; }})")
            }
            Place::Index {
                array,
                index,
                elem: ElemKind::AnyView,
                site: at_site,
            } => {
                // Through the any[] view (the parts are temporaries).
                let (a, i) = (self.expr(array), self.expr(index));
                let get = format!("bs_array_get({a}, {i}, {at_site}u)");
                let set = |n: &str| format!("bs_array_set({a}, {i}, {n}, {at_site}u)");
                self.any_update(&get, set, increment, prefix, site)
            }
            _ => {
                let p = self.place(place, ty);
                if *ty == Type::Any {
                    let set = |n: &str| format!("{p} = {n}");
                    return self.any_update(&p, set, increment, prefix, site);
                }
                let op = if increment { "++" } else { "--" };
                if prefix {
                    format!("({op}{p})")
                } else {
                    format!("({p}{op})")
                }
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
        let op = if increment { OpCode::Add } else { OpCode::Sub }.code();
        // Only a number may be updated (a string must not be concatenated with 1); the type
        // error names `++` or `--`.
        let named = if increment { OpCode::Inc } else { OpCode::Dec }.code();
        let bad = TypeCode::Any.code() + (named << 8);
        let err = ErrorCode::TypeError.code();
        let result = if prefix {
            format!("tn{t}")
        } else {
            format!("tu{t}")
        };
        let store = set(&format!("tn{t}"));
        format!(
            "({{ bs_value tu{t} = {get}; if (!bs_is_int(tu{t}) && !bs_is_float(tu{t})) bs_error({err}u, {site}u, {bad}u, tu{t}); bs_value tn{t} = bs_any_arith({op}u, tu{t}, bs_box_int(1), {site}u); {store}; {result}; }})"
        )
    }

    /// `x == 'c'` (or `!=`) against a one-byte string literal: the byte is compared inline.
    fn char_test(&mut self, equal: bool, left: &Expr, right: &Expr) -> String {
        let (other, byte) = one_byte_pair(left, right).expect("checked by the caller");
        let test = format!("bs_string_is_char({}, {byte}u)", self.expr(other));
        if equal { test } else { format!("(!{test})") }
    }

    /// The conversion `conv` of `a` to type `to`.
    fn convert(&mut self, conv: Conv, a: &Expr, to: &Type) -> String {
        let from = a.ty.clone();
        let inner = self.expr(a);
        match conv {
            Conv::IntToFloat => format!("((float)({inner}))"),
            Conv::FloatToInt => format!("bs_f2i({inner})"),
            Conv::WrapBoxedInt => format!("bs_unbox_int(bs_box_int({inner}))"),
            Conv::RoundBoxedFloat => format!("bs_round_boxed_float({inner})"),
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
                let t = self.n_temps;
                self.n_temps += 1;
                check_from_any(to, &inner, &format!("{site}u"), class_id, &format!("tn{t}"))
            }
        }
    }

    /// A call of a top-level function through its slot; for a function this unit defines, its
    /// body is called directly while the slot still holds it.
    fn slot_call(&mut self, slot: &Symbol, args: &[Expr]) -> String {
        let refs: Vec<&Expr> = args.iter().collect();
        // The body the slot holds while the function is not redefined, and what to call then.
        let direct = match (self.direct.get(slot), self.inlined.get(slot)) {
            (Some(body), _) => Some((c_symbol(body), c_symbol(body))),
            (None, Some((body, copy))) => Some((c_symbol(body), c_symbol(copy))),
            (None, None) => None,
        };
        let wrapper = self.wrappers.get(slot).map(c_symbol);
        let slot = c_symbol(slot);
        self.sequenced(&refs, |p| {
            let a = p.join(", ");
            match (&direct, &wrapper) {
                (Some((body, call)), Some(wrapper)) => format!(
                    "(__builtin_expect({slot} == {body}, 1) ? {call}({a}) : {slot} == {wrapper} ? \
                     {wrapper}({a}) : {slot}({a}))"
                ),
                (Some((body, call)), None) => {
                    format!("(__builtin_expect({slot} == {body}, 1) ? {call}({a}) : {slot}({a}))")
                }
                _ => format!("{slot}({a})"),
            }
        })
    }

    /// A call of the local copy `c` of an untyped function (typed arguments `args`) while the
    /// function's slot holds its generic body or its profiling wrapper (both run the same
    /// source as the local copy); else a call through the slot, the arguments boxed. The value
    /// has the slot's result type.
    fn untyped_inline_call(&mut self, c: &bs_frontend::ir::InlineCopy, args: &[Expr]) -> String {
        let refs: Vec<&Expr> = args.iter().collect();
        let slot = c_symbol(&c.slot);
        let body = c_symbol(&c.body);
        let wrapper = c
            .wrapper
            .as_ref()
            .map(c_symbol)
            .unwrap_or_else(|| body.clone());
        let local = c_symbol(&c.symbol);
        self.sequenced(&refs, |p| {
            let typed = p.join(", ");
            let boxed: Vec<String> = p
                .iter()
                .zip(c.sig.params.iter().zip(&c.local_sig.params))
                .map(|(a, (to, from))| crate::guards::arg_as(to, from, a))
                .collect();
            let call = crate::guards::result_as(
                &c.sig.ret,
                &c.local_sig.ret,
                &format!("{local}({typed})"),
            );
            format!(
                "(__builtin_expect({slot} == {body} || {slot} == {wrapper}, 1) ? {call} : {slot}({}))",
                boxed.join(", ")
            )
        })
    }

    /// A binary operation on `any` values, decided at run time.
    fn any_binary(&mut self, op: AnyOp, left: &Expr, right: &Expr, site: u32) -> String {
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

    /// `body` after the temporaries `temps` (locals of the function) are set, in order.
    fn with_temps(&mut self, temps: &[(LocalId, Expr)], body: &Expr) -> String {
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

    /// `new Array<T>(length, init)` for element kind `elem` (class `class_id` for arrays of
    /// references).
    fn new_array(
        &mut self,
        elem: ElemKind,
        class_id: u32,
        length: &Expr,
        init: &Expr,
        site: u32,
    ) -> String {
        self.sequenced(&[length, init], |p| match elem {
            ElemKind::Int => format!("bs_int_array_new({}, {}, {site}u)", p[0], p[1]),
            ElemKind::Float => format!("bs_float_array_new({}, {}, {site}u)", p[0], p[1]),
            ElemKind::Bool => format!("bs_bool_array_new({}, {}, {site}u)", p[0], p[1]),
            ElemKind::Vector | ElemKind::AnyView | ElemKind::Uint8 | ElemKind::Fixed => {
                format!("bs_vector_new({class_id}u, {}, {}, {site}u)", p[0], p[1])
            }
        })
    }

    /// A call of the method in vtable slot `slot` of `receiver`. An object of exactly the
    /// static class runs the body that class dispatches to (`known`, when this unit's C file
    /// declares it): called directly (and inlined where GCC likes), after a check of the class
    /// id; objects of subclasses go through the vtable.
    fn method_call(
        &mut self,
        receiver: &Expr,
        slot: u32,
        sig: &FnSig,
        args: &[Expr],
        known: Option<&(u32, Symbol)>,
    ) -> String {
        let direct = known
            .filter(|(_, body)| self.methods.contains(body))
            .map(|(class_id, body)| (*class_id, c_symbol(body)));
        self.call_through_guarded(
            receiver,
            sig,
            args,
            |r| format!("bs_vtable({r})[{slot}]"),
            direct,
        )
    }

    /// An array literal of element kind `elem` (class `class_id` for arrays of references).
    fn array_literal(&mut self, elem: ElemKind, class_id: u32, elements: &[Expr]) -> String {
        let refs: Vec<&Expr> = elements.iter().collect();
        let n = elements.len();
        if let Some(table) = self.constant_table(elem, elements) {
            return table;
        }
        self.sequenced(&refs, |p| {
            let (func, c_elem) = match elem {
                ElemKind::Int => ("bs_int_array_of", "int32_t"),
                ElemKind::Float => ("bs_float_array_of", "float"),
                ElemKind::Bool => ("bs_bool_array_of", "int32_t"),
                ElemKind::Vector | ElemKind::AnyView | ElemKind::Uint8 | ElemKind::Fixed => {
                    ("bs_vector_of", "bs_value")
                }
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

    /// A long literal of numbers or booleans, made from a table among the unit's literals: as
    /// a compound literal in the function, GCC would build it on the stack (a stack of a few
    /// KiB on a small device cannot hold 3,000 elements) with a store per element or a call of
    /// `memcpy`. Elements that are not constants are 0 in the table: they are evaluated in
    /// order into temporaries (they cannot refer to the array, which does not exist yet) and
    /// stored into the new array.
    fn constant_table(&mut self, elem: ElemKind, elements: &[Expr]) -> Option<String> {
        const MIN_TABLE: usize = 16;
        let (func, c_elem, stored) = match elem {
            ElemKind::Int => ("bs_int_array_of", "int32_t", "int32_t"),
            ElemKind::Float => ("bs_float_array_of", "float", "float"),
            ElemKind::Bool => ("bs_bool_array_of", "int32_t", "uint8_t"),
            _ => return None,
        };
        if elements.len() <= MIN_TABLE {
            return None;
        }
        let zero = if c_elem == "float" { "0.0f" } else { "0" };
        let mut parts: Vec<String> = Vec::with_capacity(elements.len());
        let mut later: Vec<(usize, String)> = Vec::new();
        let mut text = String::from("({ ");
        for (i, e) in elements.iter().enumerate() {
            if is_pure_constant(e) {
                parts.push(self.expr(e));
            } else {
                let t = format!("t{}", self.n_temps);
                self.n_temps += 1;
                let _ = write!(text, "{} {t} = {}; ", c_type(&e.ty), self.expr(e));
                later.push((i, t));
                parts.push(zero.to_string());
            }
        }
        let name = format!("bs_t_{}", self.n_tables);
        self.n_tables += 1;
        let n = elements.len();
        let _ = writeln!(
            self.tables,
            "static const {c_elem} {name}[{n}] = {{{}}};",
            parts.join(", ")
        );
        if later.is_empty() {
            return Some(format!("{func}({n}, {name})"));
        }
        let a = format!("t{}", self.n_temps);
        self.n_temps += 1;
        let _ = write!(
            text,
            "bs_value {a} = {func}({n}, {name}); {stored} *{a}d = ({stored} *)((bs_array *)bs_ptr({a}))->data; "
        );
        for (i, t) in later {
            let value = if stored == "uint8_t" {
                format!("{t} != 0")
            } else {
                t
            };
            let _ = write!(text, "{a}d[{i}] = {value}; ");
        }
        let _ = write!(text, "{a}; }})");
        Some(text)
    }

    /// `new C(…)` (the expression `e`): the arguments in order, then the allocation, then the
    /// class's init function.
    fn new_object(&mut self, e: &Expr) -> String {
        let ExprKind::New {
            class_id,
            init,
            args,
            words,
            ref_words,
            ..
        } = &e.kind
        else {
            unreachable!("a new expression");
        };
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
        let _ = write!(text, "{}({}); to{t}; }})", c_symbol(init), names.join(", "));
        text
    }

    /// An arrow function value running `symbol`, holding the cells it captures.
    fn closure(&mut self, symbol: &Symbol, captures: &[CaptureFrom]) -> String {
        let symbol = c_symbol(symbol);
        let t = self.n_temps;
        self.n_temps += 1;
        let mut text = format!(
            "({{ bs_value tf{t} = bs_function_new((uint32_t)(uintptr_t){symbol}, &bs_fi_{symbol}, {}u); ",
            captures.len()
        );
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

    /// A call of an `any` value (`name_id` set: of its method by that name), checked at run
    /// time; the target and the boxed arguments are evaluated in order into temporaries.
    fn any_call(
        &mut self,
        target: &Expr,
        name_id: Option<u32>,
        args: &[Expr],
        site: u32,
    ) -> String {
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

    /// Evaluates `operands` left to right and passes their C forms to `build`. When a later
    /// operand has effects, earlier ones are first stored in temporaries, in a GNU statement
    /// expression, so that C evaluates them in source order.
    fn sequenced(&mut self, operands: &[&Expr], build: impl FnOnce(&[String]) -> String) -> String {
        // C may evaluate operands in any order: as soon as one of them has an effect, a read in
        // another could see it too early or too late.
        let needs_order = operands.iter().filter(|e| !is_pure_constant(e)).count() > 1
            && operands.iter().any(|e| self.effects(e));
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

fn is_pure_constant(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Null
    )
}

/// The binary operation `op` on operands of type `operand_ty` spelled `l` and `r`.
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

/// A checked conversion of the boxed value `v` to type `to`, failing at site `site` (C text);
/// `class_id` is the id the check of a class or array type needs, and `temp` a name for a
/// temporary the check may declare.
pub(crate) fn check_from_any(to: &Type, v: &str, site: &str, class_id: u32, temp: &str) -> String {
    match to {
        Type::Integer | Type::Enum(_) => format!("bs_any_to_int({v}, {site})"),
        Type::Float => format!("bs_any_to_float({v}, {site})"),
        Type::Boolean => format!("bs_truthy({v})"),
        Type::String => format!("bs_any_to_string({v}, {site})"),
        Type::Null => format!("bs_any_to_null({v}, {site})"),
        Type::Any => v.to_string(),
        Type::Array(e) if **e == Type::Any => format!("bs_any_to_array({v}, {site})"),
        Type::Class(_) | Type::Array(_) => {
            format!("bs_any_to_class_fast({v}, {class_id}u, 0, {site})")
        }
        Type::Nullable(inner) => match **inner {
            Type::String => format!(
                "({{ bs_value {temp} = {v}; {temp} == BS_NULL ? {temp} : bs_any_to_string({temp}, {site}); }})"
            ),
            Type::Object => format!(
                "({{ bs_value {temp} = {v}; {temp} == BS_NULL ? {temp} : bs_any_to_object({temp}, {site}); }})"
            ),
            _ => format!("bs_any_to_class_fast({v}, {class_id}u, 1, {site})"),
        },
        Type::Function(sig) => format!("bs_any_to_function({v}, \"{sig}\", {site})"),
        Type::Uint8Array => format!(
            "bs_any_to_class({v}, {}u, 0, {site})",
            ClassId::Uint8Array.code()
        ),
        Type::FixedArray => format!(
            "bs_any_to_class({v}, {}u, 0, {site})",
            ClassId::FixedArray.code()
        ),
        Type::Object => format!("bs_any_to_object({v}, {site})"),
        Type::Void => v.to_string(),
    }
}

/// Whether every view length `hl<n>` the C condition `check` reads has a number below
/// `before` (was opened before the loop whose test it joins).
fn views_open_before(check: &str, before: usize) -> bool {
    let bytes = check.as_bytes();
    let mut at = 0;
    while let Some(found) = check[at..].find("hl") {
        let start = at + found;
        at = start + 2;
        let ident_before = start > 0 && {
            let c = bytes[start - 1];
            c.is_ascii_alphanumeric() || c == b'_'
        };
        let digits: String = check[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if ident_before || digits.is_empty() {
            continue;
        }
        match digits.parse::<usize>() {
            Ok(n) if n < before => {}
            _ => return false,
        }
    }
    true
}
