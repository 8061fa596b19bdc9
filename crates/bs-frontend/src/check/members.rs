//! Member access, element access, method calls, `new`, array literals, `this`, `super`,
//! `typeof` and `instanceof`: everything that reaches into an object, an array or a string.

use oxc_ast::ast;
use oxc_span::GetSpan;

use super::{Checker, CoerceCtx, Name, boxed, sp};
use crate::diag;
use crate::env::StaticMember;
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};
use bs_abi::{ClassId, TypeCode};

/// How the elements of an array of element type `elem` are stored.
pub(super) fn elem_kind(elem: &Type) -> ElemKind {
    match elem {
        Type::Integer | Type::Enum(_) => ElemKind::Int,
        Type::Float => ElemKind::Float,
        Type::Boolean => ElemKind::Bool,
        _ => ElemKind::Vector,
    }
}

/// True for the types of arrays of every kind (`T[]`, `Uint8Array`, `FixedArray`).
fn is_array_type(t: &Type) -> bool {
    matches!(t, Type::Array(_) | Type::Uint8Array | Type::FixedArray)
}

/// The type of a value taken out of a growable array by `pop`/`shift` (undefined when empty).
fn popped(elem: &Type) -> Type {
    match elem {
        Type::Any => Type::Any,
        Type::Nullable(_) => elem.clone(),
        t => Type::Nullable(Box::new(t.clone())),
    }
}

impl<'a> Checker<'_, 'a> {
    fn arguments(&mut self, args: &'a [ast::Argument<'a>]) -> Option<Vec<Expr>> {
        self.arguments_for(args, &[])
    }

    /// Checks arguments; `hints` (parameter types, when known) type array literals.
    fn arguments_for(
        &mut self,
        args: &'a [ast::Argument<'a>],
        hints: &[Type],
    ) -> Option<Vec<Expr>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (k, a) in args.iter().enumerate() {
            match a.as_expression() {
                Some(e) => match self.expr_hint(e, hints.get(k)) {
                    Some(e) => out.push(e),
                    None => ok = false,
                },
                None => {
                    self.error(diag::unsupported_syntax(sp(a.span()), "SpreadElement"));
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Checks arguments against parameter types.
    pub(super) fn coerce_args(
        &mut self,
        args: Vec<Expr>,
        params: &[Type],
        span: Span,
    ) -> Option<Vec<Expr>> {
        if args.len() != params.len() {
            self.error(diag::wrong_argument_count(span, params.len(), args.len()));
            return None;
        }
        let coerced: Vec<Option<Expr>> = args
            .into_iter()
            .zip(params)
            .map(|(a, p)| self.coerce(a, p, CoerceCtx::Argument))
            .collect();
        coerced.into_iter().collect()
    }

    pub(super) fn this_expr(&mut self, span: Span) -> Option<Expr> {
        if self.f.is_arrow && self.f.this_class.is_some() {
            let (index, ty, _) = self.find_capture("this")?;
            return Some(Expr::new(
                ExprKind::Read(Place::Captured { index }),
                ty,
                span,
            ));
        }
        match &self.f.this_class {
            Some(c) => Some(Expr::new(
                ExprKind::Read(Place::Local(0)),
                Type::Class(c.clone()),
                span,
            )),
            None => {
                self.error(diag::this_not_available(span));
                None
            }
        }
    }

    /// A class named by an identifier that no variable shadows.
    fn class_named(&mut self, e: &ast::Expression<'_>) -> Option<String> {
        let ast::Expression::Identifier(id) = e else {
            return None;
        };
        let name = id.name.as_str();
        if self.lookup(name).is_some() {
            return None;
        }
        self.class_info(name).map(|c| c.name.clone())
    }

    /// `o.name` as a value.
    pub(super) fn member(&mut self, m: &'a ast::StaticMemberExpression<'a>) -> Option<Expr> {
        let span = sp(m.span);
        let prop = m.property.name.as_str();
        // Enum members and static fields.
        if let ast::Expression::Identifier(id) = &m.object {
            if self.lookup(id.name.as_str()).is_none() {
                if let Some(members) = self.enum_members(id.name.as_str()).cloned() {
                    return match members.iter().find(|(n, _)| n == prop) {
                        Some((_, v)) => Some(Expr::new(
                            ExprKind::Int(*v),
                            Type::Enum(self.enum_type_name(id.name.as_str())),
                            span,
                        )),
                        None => {
                            self.error(diag::unknown_enum_member(sp(m.property.span), prop));
                            None
                        }
                    };
                }
            }
        }
        let prop_span = sp(m.property.span);
        if let Some(class) = self.class_named(&m.object) {
            let (place, ty) = self.static_field(&class, prop, prop_span)?;
            return Some(Expr::new(ExprKind::Read(place), ty, span));
        }
        let object = match &m.object {
            ast::Expression::Super(_) => self.this_expr(span)?,
            other => self.expr(other)?,
        };
        match &object.ty {
            Type::String | Type::Array(_) | Type::Uint8Array | Type::FixedArray
                if prop == "length" =>
            {
                let op = if object.ty == Type::String {
                    Builtin::StringLength
                } else {
                    Builtin::ArrayLength
                };
                Some(Expr::new(
                    ExprKind::Builtin {
                        op,
                        args: vec![object],
                    },
                    Type::Integer,
                    span,
                ))
            }
            Type::Class(_) => {
                let (place, ty) = self.field_place(object, prop, prop_span)?;
                Some(Expr::new(ExprKind::Read(place), ty, span))
            }
            Type::Any => {
                let (place, ty) = self.any_prop(object, prop, prop_span, span)?;
                Some(Expr::new(ExprKind::Read(place), ty, span))
            }
            _ => {
                self.error(diag::unknown_property_of(prop_span, prop, &object.ty));
                None
            }
        }
    }

    /// `o.name` as a place to assign: a field or a static field.
    pub(super) fn member_place(
        &mut self,
        m: &'a ast::StaticMemberExpression<'a>,
    ) -> Option<(Place, Type)> {
        let span = sp(m.span);
        let prop = m.property.name.as_str();
        let prop_span = sp(m.property.span);
        if let ast::Expression::Identifier(id) = &m.object {
            if !self.is_variable(id.name.as_str()) && self.enum_members(id.name.as_str()).is_some()
            {
                self.error(diag::enum_assignment(span));
                return None;
            }
        }
        if let Some(class) = self.class_named(&m.object) {
            return self.static_field(&class, prop, prop_span);
        }
        let object = match &m.object {
            ast::Expression::Super(_) => self.this_expr(span)?,
            other => self.expr(other)?,
        };
        match &object.ty {
            Type::Class(_) => self.field_place(object, prop, prop_span),
            Type::String | Type::Array(_) if prop == "length" => {
                self.error(diag::cannot_change_length(span));
                None
            }
            Type::Any => self.any_prop(object, prop, prop_span, span),
            _ => {
                self.error(diag::unknown_property_of(prop_span, prop, &object.ty));
                None
            }
        }
    }

    fn field_place(&mut self, object: Expr, prop: &str, span: Span) -> Option<(Place, Type)> {
        let Type::Class(c) = &object.ty else {
            return None;
        };
        let info = self.class_info(c)?.clone();
        match info.field(prop) {
            Some(f) => Some((
                Place::Field {
                    object: Box::new(object),
                    word: f.word,
                },
                f.ty.clone(),
            )),
            None if info.method(prop).is_some() => {
                self.error(diag::method_not_a_property(span, prop));
                None
            }
            None => {
                self.error(diag::unknown_property(span, prop));
                None
            }
        }
    }

    fn static_field(&mut self, class: &str, prop: &str, span: Span) -> Option<(Place, Type)> {
        let info = self.class_info(class)?.clone();
        match info.static_member(prop) {
            Some(StaticMember::Field { ty, symbol }) => {
                if self.env.class(class).is_some() {
                    self.note_extern(ExternRef::Global {
                        symbol: symbol.clone(),
                        ty: ty.clone(),
                    });
                }
                Some((
                    Place::Global {
                        symbol: symbol.clone(),
                    },
                    ty.clone(),
                ))
            }
            Some(StaticMember::Method { .. }) => {
                self.error(diag::method_not_a_property(span, prop));
                None
            }
            None => {
                // Static members are looked up through subclasses too.
                if let Some(sup) = info.superclass.clone() {
                    return self.static_field(&sup, prop, span);
                }
                self.error(diag::unknown_property(span, prop));
                None
            }
        }
    }

    /// The id of a property used through `any`; some class (or a built-in object) must declare
    /// a member of that name.
    pub(super) fn any_member_id(&mut self, prop: &str, span: Span) -> Option<u32> {
        let declared = crate::check::BUILTIN_NAMES.contains(&prop)
            || self.env.any_class_has_member(prop)
            || self
                .decls
                .classes
                .values()
                .any(|c| c.field(prop).is_some() || c.method(prop).is_some());
        if !declared {
            self.error(diag::no_class_declares(span, prop));
            return None;
        }
        Some(self.prop_name_id(prop))
    }

    /// The program-wide id of a property name (given out on first use).
    pub(super) fn prop_name_id(&mut self, name: &str) -> u32 {
        if let Some(i) = crate::check::BUILTIN_NAMES.iter().position(|n| *n == name) {
            return i as u32;
        }
        if let Some(id) = self.env.name_id(name) {
            return id;
        }
        if let Some((_, id)) = self.out.prop_names.iter().find(|(n, _)| n == name) {
            return *id;
        }
        let id = self.ids.next_name;
        self.ids.next_name += 1;
        self.out.prop_names.push((name.to_string(), id));
        id
    }

    /// `o.name` with `o: any`: a property found at run time.
    fn any_prop(
        &mut self,
        object: Expr,
        prop: &str,
        prop_span: Span,
        span: Span,
    ) -> Option<(Place, Type)> {
        let name_id = self.any_member_id(prop, prop_span)?;
        let site = self.site(span);
        Some((
            Place::AnyProp {
                object: Box::new(object),
                name_id,
                site,
            },
            Type::Any,
        ))
    }

    /// `a[i]` as a place.
    pub(super) fn index_place(
        &mut self,
        m: &'a ast::ComputedMemberExpression<'a>,
    ) -> Option<(Place, Type)> {
        let span = sp(m.span);
        let array = self.expr(&m.object);
        let index = self.expr(&m.expression);
        let (array, index) = (array?, index?);
        // Element access on an `any` value goes through its any[] view (checked to be an array).
        let array = if array.ty == Type::Any {
            self.coerce(array, &Type::Array(Box::new(Type::Any)), CoerceCtx::Assign)?
        } else {
            array
        };
        let index = match index.ty.arith() {
            Type::Integer => index,
            Type::Any => self.coerce(index, &Type::Integer, CoerceCtx::Assign)?,
            _ => {
                self.error(diag::array_index_type(index.span));
                return None;
            }
        };
        if matches!(array.ty, Type::Uint8Array | Type::FixedArray) {
            let (elem, ty) = if array.ty == Type::Uint8Array {
                (ElemKind::Uint8, Type::Integer)
            } else {
                (ElemKind::Fixed, Type::Any)
            };
            let site = self.site(span);
            return Some((
                Place::Index {
                    array: Box::new(array),
                    index: Box::new(index),
                    elem,
                    site,
                },
                ty,
            ));
        }
        let Type::Array(elem) = array.ty.clone() else {
            if array.ty == Type::Any {
                self.error(diag::any_not_supported(span, "element access"));
            } else {
                self.error(diag::element_access_non_array(span));
            }
            return None;
        };
        let site = self.site(span);
        Some((
            Place::Index {
                array: Box::new(array),
                index: Box::new(index),
                elem: if *elem == Type::Any {
                    ElemKind::AnyView
                } else {
                    elem_kind(&elem)
                },
                site,
            },
            *elem,
        ))
    }

    /// A call whose callee is `o.name` (methods, static methods, string and array members).
    pub(super) fn member_call(
        &mut self,
        c: &'a ast::CallExpression<'a>,
        m: &'a ast::StaticMemberExpression<'a>,
    ) -> Option<Expr> {
        let span = sp(c.span);
        let prop = m.property.name.as_str();
        let prop_span = sp(m.property.span);
        // The built-in time object.
        if matches!(&m.object, ast::Expression::Identifier(o) if o.name.as_str() == "time")
            && !self.is_variable("time")
        {
            let args = self.arguments(&c.arguments)?;
            return self.time_call(prop, args, span, prop_span);
        }
        // Static methods.
        if let Some(class) = self.class_named(&m.object) {
            let args = self.arguments(&c.arguments)?;
            return self.static_call(&class, prop, args, span, prop_span);
        }
        if let ast::Expression::Super(_) = &m.object {
            return self.super_method_call(c, m, span, prop_span);
        }
        let object = self.expr(&m.object)?;
        // A method's parameter types type array literal arguments.
        let hints: Vec<Type> = match &object.ty {
            Type::Class(cname) => self
                .class_info(cname)
                .and_then(|i| i.method(prop))
                .map(|m| m.sig.params.clone())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let args = self.arguments_for(&c.arguments, &hints)?;
        self.method_call(object, prop, args, span, prop_span)
    }

    /// `time.now()`, `time.delay(ms)`.
    fn time_call(
        &mut self,
        prop: &str,
        args: Vec<Expr>,
        span: Span,
        prop_span: Span,
    ) -> Option<Expr> {
        match prop {
            "now" => {
                self.coerce_args(args, &[], span)?;
                Some(Expr::new(
                    ExprKind::Builtin {
                        op: Builtin::TimeNow,
                        args: vec![],
                    },
                    Type::Float,
                    span,
                ))
            }
            "delay" => {
                let args = self.coerce_args(args, &[Type::Integer], span)?;
                Some(Expr::new(
                    ExprKind::Builtin {
                        op: Builtin::TimeDelay,
                        args,
                    },
                    Type::Void,
                    span,
                ))
            }
            _ => {
                self.error(diag::unknown_property(prop_span, prop));
                None
            }
        }
    }

    /// `super.m(…)`: the superclass's body, called directly with `this` as its receiver.
    fn super_method_call(
        &mut self,
        c: &'a ast::CallExpression<'a>,
        m: &'a ast::StaticMemberExpression<'a>,
        span: Span,
        prop_span: Span,
    ) -> Option<Expr> {
        let prop = m.property.name.as_str();
        let this = self.this_expr(sp(m.object.span()))?;
        let Type::Class(cname) = &this.ty else {
            return None;
        };
        let sup = self.class_info(cname).and_then(|i| i.superclass.clone());
        let Some(mi) = sup
            .as_ref()
            .and_then(|s| self.class_info(s))
            .and_then(|i| i.method(prop))
            .cloned()
        else {
            self.error(diag::unknown_property(prop_span, prop));
            return None;
        };
        let args = self.arguments(&c.arguments)?;
        let mut args = self.coerce_args(args, &mi.sig.params, span)?;
        let mut sig = mi.sig.clone();
        sig.params
            .insert(0, Type::Class(sup.clone().unwrap_or_default()));
        args.insert(0, this);
        self.note_extern(ExternRef::Func {
            symbol: mi.body.clone(),
            sig: sig.clone(),
        });
        let ret = sig.ret.clone();
        Some(Expr::new(
            ExprKind::DirectCall {
                symbol: mi.body,
                sig,
                args,
            },
            ret,
            span,
        ))
    }

    /// `object.prop(args)` on a value: a method of its class (through the vtable, or directly
    /// when the object is of exactly that class), a member of a string or growable array, or a
    /// call through `any`.
    fn method_call(
        &mut self,
        object: Expr,
        prop: &str,
        args: Vec<Expr>,
        span: Span,
        prop_span: Span,
    ) -> Option<Expr> {
        match object.ty.clone() {
            Type::Class(cname) => {
                let info = self.class_info(&cname)?.clone();
                let Some(mi) = info.method(prop).cloned() else {
                    if info.field(prop).is_some() {
                        self.error(diag::unsupported_syntax(prop_span, "call of a field"));
                    } else {
                        self.error(diag::unknown_property(prop_span, prop));
                    }
                    return None;
                };
                let args = self.coerce_args(args, &mi.sig.params, span)?;
                let ret = mi.sig.ret.clone();
                Some(Expr::new(
                    ExprKind::MethodCall {
                        receiver: Box::new(object),
                        slot: mi.slot,
                        sig: mi.sig,
                        args,
                        known: Some((info.id, mi.body)),
                    },
                    ret,
                    span,
                ))
            }
            Type::String => {
                let (op, params, ret): (Builtin, Vec<Type>, Type) = match prop {
                    "startsWith" => (Builtin::StringStartsWith, vec![Type::String], Type::Boolean),
                    "endsWith" => (Builtin::StringEndsWith, vec![Type::String], Type::Boolean),
                    "substring" => (
                        Builtin::StringSubstring,
                        vec![Type::Integer, Type::Integer],
                        Type::String,
                    ),
                    _ => {
                        self.error(diag::unknown_property(prop_span, prop));
                        return None;
                    }
                };
                let mut args = self.coerce_args(args, &params, span)?;
                args.insert(0, object);
                Some(Expr::new(ExprKind::Builtin { op, args }, ret, span))
            }
            Type::Array(elem) if elem_kind(&elem) == ElemKind::Vector => {
                let (op, params, ret): (Builtin, Vec<Type>, Type) = match prop {
                    "push" => (Builtin::VectorPush, vec![(*elem).clone()], Type::Integer),
                    "unshift" => (Builtin::VectorUnshift, vec![(*elem).clone()], Type::Integer),
                    "pop" => (Builtin::VectorPop, vec![], popped(&elem)),
                    "shift" => (Builtin::VectorShift, vec![], popped(&elem)),
                    _ => {
                        self.error(diag::unknown_property(prop_span, prop));
                        return None;
                    }
                };
                let args = self.coerce_args(args, &params, span)?;
                let mut all = vec![object];
                all.extend(args.into_iter().map(boxed));
                // The any[] view may hold a string[], C[], …: what is stored is checked.
                let op = match op {
                    Builtin::VectorPush if *elem == Type::Any => Builtin::ViewPush,
                    Builtin::VectorUnshift if *elem == Type::Any => Builtin::ViewUnshift,
                    op => op,
                };
                if matches!(op, Builtin::ViewPush | Builtin::ViewUnshift) {
                    let site = self.site(span);
                    all.push(Expr::new(ExprKind::Int(site as i32), Type::Integer, span));
                }
                Some(Expr::new(ExprKind::Builtin { op, args: all }, ret, span))
            }
            Type::Any => {
                let name_id = self.any_member_id(prop, prop_span)?;
                let site = self.site(span);
                let args = args.into_iter().map(boxed).collect();
                Some(Expr::new(
                    ExprKind::AnyCall {
                        target: Box::new(object),
                        name_id: Some(name_id),
                        args,
                        site,
                    },
                    Type::Any,
                    span,
                ))
            }
            _ => {
                self.error(diag::unknown_property(prop_span, prop));
                None
            }
        }
    }

    fn static_call(
        &mut self,
        class: &str,
        prop: &str,
        args: Vec<Expr>,
        span: Span,
        prop_span: Span,
    ) -> Option<Expr> {
        let info = self.class_info(class)?.clone();
        match info.static_member(prop) {
            Some(StaticMember::Method { sig, symbol }) => {
                let args = self.coerce_args(args, &sig.params, span)?;
                self.note_extern(ExternRef::Func {
                    symbol: symbol.clone(),
                    sig: sig.clone(),
                });
                Some(Expr::new(
                    ExprKind::DirectCall {
                        symbol: symbol.clone(),
                        sig: sig.clone(),
                        args,
                    },
                    sig.ret.clone(),
                    span,
                ))
            }
            _ => match info.superclass.clone() {
                Some(sup) => self.static_call(&sup, prop, args, span, prop_span),
                None => {
                    self.error(diag::unknown_property(prop_span, prop));
                    None
                }
            },
        }
    }

    /// `super(args)` in a constructor.
    pub(super) fn super_call(&mut self, c: &'a ast::CallExpression<'a>) -> Option<Expr> {
        let span = sp(c.span);
        let Some(class) = self.f.this_class.clone().filter(|_| self.f.in_ctor) else {
            self.error(diag::super_call_here(span));
            return None;
        };
        let Some(sup) = self
            .class_info(&class)
            .and_then(|i| i.superclass.clone())
            .and_then(|s| self.class_info(&s))
            .cloned()
        else {
            self.error(diag::super_call_here(span));
            return None;
        };
        let args = self.arguments(&c.arguments)?;
        let mut args = self.coerce_args(args, &sup.ctor, span)?;
        args.insert(
            0,
            Expr::new(ExprKind::Read(Place::Local(0)), Type::Class(class), span),
        );
        let mut params = sup.ctor.clone();
        params.insert(0, Type::Class(sup.name.clone()));
        let sig = FnSig {
            params,
            ret: Type::Void,
        };
        self.note_extern(ExternRef::Func {
            symbol: sup.init_symbol.clone(),
            sig: sig.clone(),
        });
        Some(Expr::new(
            ExprKind::DirectCall {
                symbol: sup.init_symbol.clone(),
                sig,
                args,
            },
            Type::Void,
            span,
        ))
    }

    /// `new C(args)` and `new Array<T>(…)`.
    pub(super) fn new_expr(&mut self, n: &'a ast::NewExpression<'a>) -> Option<Expr> {
        let span = sp(n.span);
        let ast::Expression::Identifier(id) = &n.callee else {
            self.error(diag::unsupported_syntax(span, "NewExpression"));
            return None;
        };
        let name = id.name.as_str();
        if name == "Uint8Array" || name == "FixedArray" {
            // new Uint8Array(n, init) / new FixedArray(n, init): both arguments are required.
            let args = self.arguments(&n.arguments)?;
            let (elem, op) = if name == "Uint8Array" {
                (Type::Integer, Builtin::Uint8ArrayNew)
            } else {
                (Type::Any, Builtin::FixedArrayNew)
            };
            let mut args = self.coerce_args(args, &[Type::Integer, elem], span)?;
            let site = self.site(span);
            args.push(Expr::new(ExprKind::Int(site as i32), Type::Integer, span));
            let ty = if name == "Uint8Array" {
                Type::Uint8Array
            } else {
                Type::FixedArray
            };
            return Some(Expr::new(ExprKind::Builtin { op, args }, ty, span));
        }
        if name == "Array" {
            let elem = match n.type_arguments.as_ref().and_then(|t| t.params.first()) {
                Some(t) => self.resolve_type(t)?,
                None => Type::Any,
            };
            return self.new_array(elem, &n.arguments, span);
        }
        let Some(info) = self.class_info(name).cloned() else {
            self.error(diag::not_a_class(sp(id.span), name));
            return None;
        };
        let args = self.arguments_for(&n.arguments, &info.ctor)?;
        let args = self.coerce_args(args, &info.ctor, span)?;
        let mut params = info.ctor.clone();
        params.insert(0, Type::Class(info.name.clone()));
        let sig = FnSig {
            params,
            ret: Type::Void,
        };
        if self.env.class(name).is_some() {
            self.note_extern(ExternRef::Func {
                symbol: info.init_symbol.clone(),
                sig: sig.clone(),
            });
        }
        Some(Expr::new(
            ExprKind::New {
                class_id: info.id,
                init: info.init_symbol.clone(),
                sig,
                args,
                words: info.words,
                ref_words: info
                    .fields
                    .iter()
                    .filter(|f| f.ty.is_boxed_repr())
                    .map(|f| f.word)
                    .collect(),
            },
            Type::Class(info.name.clone()),
            span,
        ))
    }

    fn new_array(&mut self, elem: Type, args: &'a [ast::Argument<'a>], span: Span) -> Option<Expr> {
        let array_ty = Type::Array(Box::new(elem.clone()));
        // new Array<T>([…]): a literal with T as its element type.
        if let [a] = args {
            if let Some(ast::Expression::ArrayExpression(lit)) =
                a.as_expression().map(|e| e.without_parentheses())
            {
                let mut e = self.array_literal(lit, Some(&array_ty))?;
                e.span = span;
                return Some(e);
            }
        }
        // The initial value is typed by T, so that `new Array<integer[]>(n, [])` fills the
        // array with an `integer[]`.
        let args = self.arguments_for(args, &[Type::Integer, elem.clone()])?;
        if let [source] = &args[..] {
            if is_array_type(&source.ty) || source.ty == Type::Any {
                let source = args.into_iter().next()?;
                return self.array_copy(elem, array_ty, source, span);
            }
        }
        let mut args = args.into_iter();
        let length = args.next();
        let init = args.next();
        if args.next().is_some() || length.is_none() {
            self.error(diag::wrong_argument_count(span, 2, 0));
            return None;
        }
        let length = self.coerce(length?, &Type::Integer, CoerceCtx::Argument)?;
        let init = match init {
            Some(v) => self.coerce(v, &elem, CoerceCtx::Argument)?,
            None => {
                let zero = match elem {
                    Type::Integer | Type::Enum(_) => ExprKind::Int(0),
                    Type::Float => ExprKind::Float(0.0),
                    Type::Boolean => ExprKind::Bool(false),
                    Type::Any => ExprKind::Null,
                    _ => {
                        self.error(diag::array_needs_initial_value(span, &elem));
                        return None;
                    }
                };
                Expr::new(zero, elem.clone(), span)
            }
        };
        let kind = elem_kind(&elem);
        let init = if kind == ElemKind::Vector {
            boxed(init)
        } else {
            init
        };
        let class_id = self.array_class_id(&array_ty);
        let site = self.site(span);
        Some(Expr::new(
            ExprKind::NewArray {
                elem: kind,
                class_id,
                length: Box::new(length),
                init: Box::new(init),
                site,
            },
            array_ty,
            span,
        ))
    }

    /// `new Array<T>(other)`: a new `T[]` holding the elements of any array `other`, each
    /// converted to `T` with a run-time check. With `other: any` the value may also be a length
    /// (for the `T` that have a zero value), decided at run time.
    fn array_copy(&mut self, elem: Type, array_ty: Type, source: Expr, span: Span) -> Option<Expr> {
        let by_length = source.ty == Type::Any
            && matches!(
                elem,
                Type::Integer | Type::Enum(_) | Type::Float | Type::Boolean | Type::Any
            );
        // An array of exactly this type needs no check of its elements.
        let check = if source.ty == array_ty {
            Some((TypeCode::Any.code(), true))
        } else {
            self.element_check(&elem)
        };
        let Some((check, nullable)) = check else {
            self.error(diag::array_copy_unchecked(
                source.span,
                &source.ty,
                &array_ty,
            ));
            return None;
        };
        let class_id = self.array_class_id(&array_ty);
        let site = self.site(span);
        let int = |v: u32| Expr::new(ExprKind::Int(v as i32), Type::Integer, span);
        Some(Expr::new(
            ExprKind::Builtin {
                op: Builtin::ArrayCopy,
                args: vec![
                    boxed(source),
                    int(class_id),
                    int(check),
                    int(u32::from(nullable)),
                    int(u32::from(by_length)),
                    int(site),
                ],
            },
            array_ty,
            span,
        ))
    }

    /// How the run-time copy checks one element of a growable array of element type `elem`
    /// (a `BS_TYPE_*` code, or `BS_TYPE_CLASS_BASE` plus a class id) and whether `undefined`
    /// fits; `None` for elements no run-time check can tell (function values). Arrays of
    /// numbers and booleans convert with the checks of their element kind.
    fn element_check(&mut self, elem: &Type) -> Option<(u32, bool)> {
        Some(match elem {
            Type::Integer | Type::Enum(_) => (TypeCode::Integer.code(), false),
            Type::Float => (TypeCode::Float.code(), false),
            Type::Boolean => (TypeCode::Boolean.code(), false),
            Type::Any => (TypeCode::Any.code(), true),
            Type::String => (TypeCode::String.code(), false),
            Type::Object => (TypeCode::Object.code(), false),
            Type::Array(e) if **e == Type::Any => (TypeCode::Array.code(), false),
            Type::Array(_) | Type::Class(_) | Type::Uint8Array | Type::FixedArray => {
                (bs_abi::TYPE_CLASS_BASE + self.check_class_id(elem), false)
            }
            Type::Nullable(t) => (self.element_check(t)?.0, true),
            Type::Function(_) | Type::Null | Type::Void => return None,
        })
    }

    /// `[a, b, …]`, typed by `hint` (the declared type it initialises) when that is an array
    /// type, else by the common super type of its elements (`any[]` when there is none).
    pub(super) fn array_literal(
        &mut self,
        a: &'a ast::ArrayExpression<'a>,
        hint: Option<&Type>,
    ) -> Option<Expr> {
        let span = sp(a.span);
        let mut elements = Vec::new();
        let mut ok = true;
        for el in &a.elements {
            match el.as_expression() {
                Some(e) => {
                    let inner_hint = match hint {
                        Some(Type::Array(t)) => Some((**t).clone()),
                        _ => None,
                    };
                    match self.expr_hint(e, inner_hint.as_ref()) {
                        Some(e) => elements.push(e),
                        None => ok = false,
                    }
                }
                None => {
                    self.error(diag::unsupported_syntax(sp(el.span()), "SpreadElement"));
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let elem = match hint {
            Some(Type::Array(t)) => (**t).clone(),
            _ => {
                let mut common: Option<Type> = None;
                for e in &elements {
                    common = Some(match common {
                        None => e.ty.clone(),
                        Some(c) => {
                            crate::types::common_super_type(&*self, &c, &e.ty).unwrap_or(Type::Any)
                        }
                    });
                }
                match common {
                    Some(Type::Null) | None => Type::Any,
                    Some(t) => t,
                }
            }
        };
        let kind = elem_kind(&elem);
        let mut coerced = Vec::new();
        for e in elements {
            let e = self.coerce(e, &elem, CoerceCtx::Assign)?;
            coerced.push(if kind == ElemKind::Vector {
                boxed(e)
            } else {
                e
            });
        }
        let array_ty = Type::Array(Box::new(elem));
        let class_id = self.array_class_id(&array_ty);
        Some(Expr::new(
            ExprKind::ArrayLit {
                elem: kind,
                class_id,
                elements: coerced,
            },
            array_ty,
            span,
        ))
    }

    /// An expression whose type may follow from where it goes (array literals).
    pub(super) fn expr_hint(
        &mut self,
        e: &'a ast::Expression<'a>,
        hint: Option<&Type>,
    ) -> Option<Expr> {
        match (e.without_parentheses(), hint) {
            (ast::Expression::ArrayExpression(a), Some(h @ Type::Array(_))) => {
                self.array_literal(a, Some(h))
            }
            _ => self.expr(e),
        }
    }

    /// Like `expr_hint`, for an initial value that may be void (reported by the caller).
    pub(super) fn expr_hint_allow_void(
        &mut self,
        e: &'a ast::Expression<'a>,
        hint: Option<&Type>,
    ) -> Option<Expr> {
        match (e.without_parentheses(), hint) {
            (ast::Expression::ArrayExpression(a), Some(h @ Type::Array(_))) => {
                self.array_literal(a, Some(h))
            }
            _ => self.expr_allow_void(e),
        }
    }

    /// `e instanceof C`.
    pub(super) fn instance_of(&mut self, b: &'a ast::BinaryExpression<'a>) -> Option<Expr> {
        let span = sp(b.span);
        let left = self.expr(&b.left)?;
        if matches!(
            left.ty,
            Type::Integer | Type::Float | Type::Boolean | Type::Enum(_)
        ) {
            self.error(diag::instanceof_primitive(span));
            return None;
        }
        let ast::Expression::Identifier(id) = &b.right else {
            self.error(diag::not_a_class(sp(b.right.span()), "?"));
            return None;
        };
        let left = boxed(left);
        let kind = match id.name.as_str() {
            "Array" => ExprKind::Builtin {
                op: Builtin::IsArray,
                args: vec![left],
            },
            "string" => ExprKind::Builtin {
                op: Builtin::IsString,
                args: vec![left],
            },
            name => match builtin_class_id(name).or_else(|| self.class_info(name).map(|c| c.id)) {
                Some(class_id) => {
                    let id = Expr::new(ExprKind::Int(class_id as i32), Type::Integer, span);
                    ExprKind::Builtin {
                        op: Builtin::InstanceOf,
                        args: vec![left, id],
                    }
                }
                None => {
                    self.error(diag::not_a_class(sp(id.span), name));
                    return None;
                }
            },
        };
        Some(Expr::new(kind, Type::Boolean, span))
    }

    /// Whether `name` is a local or global variable (so it shadows classes and enums).
    pub(super) fn is_variable(&mut self, name: &str) -> bool {
        matches!(self.lookup(name), Some(Name::Local(..) | Name::Var { .. }))
    }
}

/// The class id of a built-in class that `instanceof` accepts on its right: `Uint8Array` and
/// `FixedArray` (unless a program class has that name, which the checker refuses).
fn builtin_class_id(name: &str) -> Option<u32> {
    match name {
        "Uint8Array" => Some(ClassId::Uint8Array.code()),
        "FixedArray" => Some(ClassId::FixedArray.code()),
        _ => None,
    }
}
