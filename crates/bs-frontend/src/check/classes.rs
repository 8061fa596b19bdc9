//! Enums and classes: collecting their declarations (names first, so that every type annotation
//! of the unit can name them), laying out fields and vtables, and checking constructors,
//! methods and static members.

use std::collections::HashMap;

use bs_abi::{ClassId, TypeCode};
use oxc_ast::ast;
use oxc_span::GetSpan;

use super::{Checker, FnCtx, sp};
use crate::diag;
use crate::env::{ClassInfo, FieldInfo, Global, MethodInfo, StaticMember};
use crate::ir::*;
use crate::span::Span;
use crate::types::{ClassHierarchy, FnSig, Type};

const RESERVED_TYPE_NAMES: &[&str] = &[
    "integer",
    "int32",
    "float",
    "number",
    "boolean",
    "string",
    "void",
    "null",
    "undefined",
    "any",
    "object",
    "Array",
    "Uint8Array",
    "FixedArray",
];

impl ClassHierarchy for Checker<'_, '_> {
    fn superclass(&self, name: &str) -> Option<String> {
        self.class_info(name).and_then(|c| c.superclass.clone())
    }
}

fn key_name(key: &ast::PropertyKey<'_>) -> Option<String> {
    match key {
        ast::PropertyKey::StaticIdentifier(id) => Some(id.name.as_str().to_string()),
        _ => None,
    }
}

impl<'a> Checker<'_, 'a> {
    /// A class of this unit or of an earlier one.
    pub(super) fn class_info(&self, name: &str) -> Option<&ClassInfo> {
        self.decls
            .classes
            .get(name)
            .or_else(|| self.env.class(name))
    }

    /// The members of an enum of this unit or of an earlier one.
    pub(super) fn enum_members(&self, name: &str) -> Option<&Vec<(String, i32)>> {
        self.decls.enums.get(name).or(match self.env.get(name) {
            Some(Global::Enum { members, .. }) => Some(members),
            _ => None,
        })
    }

    /// The name of enum `name` in types: its own for this unit's, else the environment's
    /// (qualified for a module's enum).
    pub(super) fn enum_type_name(&self, name: &str) -> String {
        match self.env.get(name) {
            Some(Global::Enum { name: n, .. }) if !self.decls.enums.contains_key(name) => n.clone(),
            _ => name.to_string(),
        }
    }

    /// The class id of an array type (built-in ids for integer[], float[], boolean[], any[]);
    /// a new id is given out the first time the session meets the type.
    pub(super) fn array_class_id(&mut self, array: &Type) -> u32 {
        let Type::Array(elem) = array else { return 0 };
        match &**elem {
            Type::Integer | Type::Enum(_) => return ClassId::IntArray.code(),
            Type::Float => return ClassId::FloatArray.code(),
            Type::Boolean => return ClassId::BoolArray.code(),
            Type::Any => return ClassId::AnyArray.code(),
            _ => {}
        }
        if let Some(id) = self.env.array_class(array) {
            return id;
        }
        if let Some(id) = self.out.array_class_index.get(array) {
            return *id;
        }
        let id = self.ids.next_class;
        self.ids.next_class += 1;
        self.out.array_classes.push((id, array.clone()));
        self.out.array_class_index.insert(array.clone(), id);
        id
    }

    /// What the elements of a growable array must be (`element_id` of its class in bs.h): the
    /// class id of the element type (0: no check), the function class for function values, and
    /// `ELEMENT_NULLABLE` when undefined may be an element too.
    pub(super) fn element_class_id(&mut self, elem: &Type) -> u32 {
        match elem {
            Type::String => ClassId::String.code(),
            Type::Function(_) => ClassId::Function.code(),
            Type::Nullable(t) => self.element_class_id(t) | bs_abi::ELEMENT_NULLABLE,
            _ => self.check_class_id(elem),
        }
    }

    /// Step 1a: enum and class names of the unit, before anything refers to them.
    pub(super) fn collect_types(&mut self, items: &[super::TopItem<'a>]) {
        for item in items {
            match *item {
                super::TopItem::Enum(e) => self.collect_enum(e),
                super::TopItem::Class(c) => {
                    let Some(id) = &c.id else { continue };
                    let name = id.name.as_str().to_string();
                    if RESERVED_TYPE_NAMES.contains(&name.as_str()) {
                        self.error(diag::bad_class_name(sp(id.span), &name));
                        continue;
                    }
                    if self.env.class(&name).is_some() || self.decls.classes.contains_key(&name) {
                        self.error(diag::class_already_declared(sp(id.span), &name));
                        continue;
                    }
                    if self.env.get(&name).is_some() || self.decls.enums.contains_key(&name) {
                        self.error(diag::already_declared(sp(id.span), &name));
                        continue;
                    }
                    if let Some(tp) = &c.type_parameters {
                        self.error(diag::unsupported_syntax(
                            sp(tp.span),
                            "TSTypeParameterDeclaration",
                        ));
                    }
                    let superclass = match &c.heritage {
                        Some(h) => match &h.expression {
                            // An earlier unit's class by its name in types (an imported
                            // class's is qualified).
                            ast::Expression::Identifier(s) => {
                                Some(self.env.class(s.name.as_str()).map_or_else(
                                    || s.name.as_str().to_string(),
                                    |c| c.name.clone(),
                                ))
                            }
                            other => {
                                self.error(diag::invalid_super_class(sp(other.span()), "?"));
                                None
                            }
                        },
                        None => None,
                    };
                    let class_id = self.ids.next_class;
                    self.ids.next_class += 1;
                    self.decls.classes.insert(
                        name.clone(),
                        ClassInfo {
                            name: name.clone(),
                            id: class_id,
                            superclass,
                            fields: Vec::new(),
                            methods: Vec::new(),
                            ctor: Vec::new(),
                            init_symbol: Symbol::ClassInit {
                                class: name.clone(),
                                unit: self.unit_id,
                            },
                            words: 1,
                            statics: Vec::new(),
                        },
                    );
                    self.decls.class_decls.push(c);
                }
                _ => {}
            }
        }
        // Members, superclasses first.
        let decls = self.decls.class_decls.clone();
        let mut done = std::collections::HashSet::new();
        for c in &decls {
            self.collect_members(c, &decls, &mut done, 0);
        }
    }

    fn collect_enum(&mut self, e: &'a ast::TSEnumDeclaration<'a>) {
        let name = e.id.name.as_str().to_string();
        if self.env.get(&name).is_some() || self.decls.enums.contains_key(&name) {
            self.error(diag::enum_already_declared(sp(e.id.span), &name));
            return;
        }
        let mut members: Vec<(String, i32)> = Vec::new();
        for m in &e.body.members {
            let member = match &m.id {
                ast::TSEnumMemberName::Identifier(id) => id.name.as_str().to_string(),
                ast::TSEnumMemberName::String(s) => {
                    // Reported, but kept as a member so that its uses report nothing more.
                    self.error(diag::enum_member_string_name(sp(s.span), s.value.as_str()));
                    s.value.as_str().to_string()
                }
                _ => {
                    self.error(diag::unsupported_syntax(sp(m.span), "TSEnumMember"));
                    continue;
                }
            };
            let value = m.initializer.as_ref().and_then(enum_value);
            let Some(value) = value else {
                self.error(diag::enum_initializer(sp(m.span), &member));
                continue;
            };
            if members.iter().any(|(n, _)| *n == member) {
                self.error(diag::duplicate_enum_member(sp(m.span), &member));
                continue;
            }
            members.push((member, value));
        }
        self.decls.enums.insert(name, members);
    }

    /// Collects a class's members into its `ClassInfo` (its superclass's first): the inherited
    /// fields and methods, its own fields, static fields and constructor signature, then its
    /// methods' signatures and slots.
    fn collect_members(
        &mut self,
        c: &'a ast::Class<'a>,
        decls: &[&'a ast::Class<'a>],
        done: &mut std::collections::HashSet<String>,
        depth: u32,
    ) {
        let Some(id) = &c.id else { return };
        let name = id.name.as_str().to_string();
        if !done.insert(name.clone()) || depth > 1000 {
            return;
        }
        let Some(mut info) = self.decls.classes.get(&name).cloned() else {
            return;
        };
        let inherited_ctor = self.inherit(c, id, &mut info, decls, done, depth);
        self.collect_fields(c, id, &mut info, &inherited_ctor);
        // Store what exists so far: method bodies may use the fields and earlier methods.
        self.decls.classes.insert(name.clone(), info);
        self.collect_methods(c, &name);
    }

    /// Starts `info` from its superclass (a class of this unit, collected first, or of an
    /// earlier unit): its fields and methods. Returns the superclass's constructor parameters.
    fn inherit(
        &mut self,
        c: &'a ast::Class<'a>,
        id: &ast::BindingIdentifier<'a>,
        info: &mut ClassInfo,
        decls: &[&'a ast::Class<'a>],
        done: &mut std::collections::HashSet<String>,
        depth: u32,
    ) -> Vec<Type> {
        let name = id.name.as_str();
        let mut inherited_ctor = Vec::new();
        if let Some(sup) = &info.superclass {
            if let Some(sdecl) = decls
                .iter()
                .find(|d| d.id.as_ref().is_some_and(|i| i.name.as_str() == sup))
            {
                self.collect_members(sdecl, decls, done, depth + 1);
            }
            match self.class_info(sup).cloned() {
                Some(s) if s.name != name => {
                    info.fields = s.fields.clone();
                    info.methods = s.methods.clone();
                    inherited_ctor = s.ctor.clone();
                }
                _ => {
                    let span = c
                        .heritage
                        .as_ref()
                        .map_or(sp(id.span), |h| sp(h.expression.span()));
                    self.error(diag::invalid_super_class(span, sup));
                    info.superclass = None;
                }
            }
        }
        inherited_ctor
    }

    /// The class's own fields and static fields, and its constructor's parameters.
    fn collect_fields(
        &mut self,
        c: &'a ast::Class<'a>,
        id: &ast::BindingIdentifier<'a>,
        info: &mut ClassInfo,
        inherited_ctor: &[Type],
    ) {
        let name = id.name.as_str();
        let mut own_fields = Vec::new();
        let mut has_ctor = false;
        // Fields and static fields.
        for el in &c.body.body {
            match el {
                ast::ClassElement::PropertyDefinition(p) => {
                    let Some(pname) = key_name(&p.key) else {
                        self.error(diag::unsupported_syntax(sp(p.span), "computed property"));
                        continue;
                    };
                    if p.accessibility.is_some() {
                        self.error(diag::accessibility(sp(p.span)));
                    }
                    let ty = match (&p.type_annotation, &p.value) {
                        (Some(t), _) => match self.resolve_type(&t.type_annotation) {
                            Some(t) => t,
                            None => continue,
                        },
                        // A static field's type follows from its initial value.
                        (None, Some(v)) if p.r#static => self.infer_type(v).unwrap_or(Type::Any),
                        (None, _) => Type::Any,
                    };
                    if p.r#static {
                        if info.statics.iter().any(|(n, _)| *n == pname) {
                            self.error(diag::duplicate_property(sp(p.key.span()), &pname));
                            continue;
                        }
                        if p.value.is_none() && !super::has_zero_value(&ty) {
                            self.error(diag::static_needs_initial_value(sp(p.span)));
                        }
                        let symbol = Symbol::StaticField {
                            class: self.env.qualify(name),
                            field: pname.clone(),
                        };
                        info.statics
                            .push((pname, StaticMember::Field { ty, symbol }));
                        continue;
                    }
                    if p.value.is_some() {
                        self.error(diag::field_initializer(sp(p.span)));
                    }
                    if info.fields.iter().any(|f| f.name == pname) {
                        self.error(diag::duplicate_property(sp(p.key.span()), &pname));
                        continue;
                    }
                    let word = info.fields.len() as u32 + 1;
                    own_fields.push(pname.clone());
                    info.fields.push(FieldInfo {
                        name: pname,
                        ty,
                        word,
                    });
                }
                ast::ClassElement::MethodDefinition(md) => {
                    if md.kind == ast::MethodDefinitionKind::Constructor {
                        if md.r#static {
                            self.error(diag::unsupported_syntax(sp(md.span), "static constructor"));
                            continue;
                        }
                        has_ctor = true;
                        info.ctor = self.param_types(&md.value);
                    }
                }
                other => self.error(diag::unsupported_syntax(sp(other.span()), "class element")),
            }
        }
        info.words = info.fields.len() as u32 + 1;
        if !has_ctor {
            if !own_fields.is_empty() || !inherited_ctor.is_empty() {
                self.error(diag::missing_constructor(sp(id.span), name));
            }
            info.ctor = Vec::new();
        }
    }

    /// The class's methods: signatures (annotated result types first, then inferred ones in
    /// order), overrides checked against the inherited signature, slots for new ones.
    fn collect_methods(&mut self, c: &'a ast::Class<'a>, name: &str) {
        let mut pending = Vec::new();
        for el in &c.body.body {
            let ast::ClassElement::MethodDefinition(md) = el else {
                continue;
            };
            if md.kind == ast::MethodDefinitionKind::Constructor {
                continue;
            }
            if matches!(
                md.kind,
                ast::MethodDefinitionKind::Get | ast::MethodDefinitionKind::Set
            ) {
                self.error(diag::unsupported_syntax(sp(md.span), "getter/setter"));
                continue;
            }
            if md.accessibility.is_some() {
                self.error(diag::accessibility(sp(md.span)));
            }
            let Some(mname) = key_name(&md.key) else {
                self.error(diag::unsupported_syntax(
                    sp(md.span),
                    "computed method name",
                ));
                continue;
            };
            pending.push((md, mname));
        }
        pending.sort_by_key(|(md, _)| md.value.return_type.is_none());
        let mut own_methods = std::collections::HashSet::new();
        for (md, mname) in pending {
            if !own_methods.insert((md.r#static, mname.clone())) {
                self.error(diag::duplicate_method(sp(md.key.span()), &mname));
                continue;
            }
            let params = self.param_types(&md.value);
            let ret = match &md.value.return_type {
                Some(t) => self.resolve_type(&t.type_annotation).unwrap_or(Type::Any),
                None => self.infer_method_return(name, md, &params),
            };
            let sig = FnSig { params, ret };
            let mut info = self.decls.classes[name].clone();
            if md.r#static {
                let symbol = Symbol::StaticMethod {
                    class: name.to_string(),
                    method: mname.clone(),
                    unit: self.unit_id,
                };
                info.statics
                    .push((mname, StaticMember::Method { sig, symbol }));
            } else {
                let body = Symbol::Method {
                    class: name.to_string(),
                    method: mname.clone(),
                    unit: self.unit_id,
                };
                if let Some(existing) = info.methods.iter_mut().find(|x| x.name == mname) {
                    if existing.sig != sig {
                        self.error(diag::incompatible_override(sp(md.key.span()), &mname));
                    }
                    existing.body = body;
                } else {
                    let slot = info.methods.len() as u32;
                    info.methods.push(MethodInfo {
                        name: mname,
                        sig,
                        slot,
                        body,
                    });
                }
            }
            self.decls.classes.insert(name.to_string(), info);
        }
    }

    /// The type of an expression, without reporting anything or keeping what it produced.
    fn infer_type(&mut self, e: &'a ast::Expression<'a>) -> Option<Type> {
        let saved_f = std::mem::take(&mut self.f);
        let saved = (
            self.ids.next_site,
            self.out.sites.len(),
            self.ids.next_class,
            self.out.array_classes.len(),
        );
        self.diags.quiet += 1;
        let discards_classes = std::mem::replace(&mut self.diags.discards_classes, true);
        self.forget_arrow_results();
        self.f.scopes.push(HashMap::new());
        let ty = self.expr(e).map(|e| e.ty);
        self.diags.quiet -= 1;
        self.diags.discards_classes = discards_classes;
        self.forget_arrow_results();
        self.f = saved_f;
        self.ids.next_site = saved.0;
        self.out.sites.truncate(saved.1);
        self.ids.next_class = saved.2;
        self.truncate_array_classes(saved.3);
        ty
    }

    fn param_types(&mut self, f: &ast::Function<'_>) -> Vec<Type> {
        f.params
            .items
            .iter()
            .map(|p| match &p.type_annotation {
                Some(t) => self.resolve_type(&t.type_annotation).unwrap_or(Type::Any),
                None => Type::Any,
            })
            .collect()
    }

    /// The result type of a method without an annotation: the type of its first `return`.
    fn infer_method_return(
        &mut self,
        class: &str,
        md: &'a ast::MethodDefinition<'a>,
        params: &[Type],
    ) -> Type {
        let saved_f = std::mem::take(&mut self.f);
        let saved_sites = (
            self.ids.next_site,
            self.out.sites.len(),
            self.ids.next_class,
            self.out.array_classes.len(),
        );
        self.diags.quiet += 1;
        let discards_classes = std::mem::replace(&mut self.diags.discards_classes, true);
        self.forget_arrow_results();
        self.f = FnCtx {
            first_return: Some(None),
            this_class: (!md.r#static).then(|| class.to_string()),
            ..FnCtx::default()
        };
        self.f.scopes.push(HashMap::new());
        if !md.r#static {
            self.declare_local(
                "this",
                Type::Class(class.to_string()),
                false,
                Span::default(),
            );
        }
        for (p, ty) in md.value.params.items.iter().zip(params) {
            if let ast::BindingPattern::BindingIdentifier(id) = &p.pattern {
                self.declare_local(id.name.as_str(), ty.clone(), true, sp(id.span));
            }
        }
        if let Some(body) = &md.value.body {
            for s in &body.statements {
                self.check_stmt(s);
            }
        }
        let inferred = self.f.first_return.take().flatten().unwrap_or(Type::Void);
        self.diags.quiet -= 1;
        self.diags.discards_classes = discards_classes;
        self.forget_arrow_results();
        self.f = saved_f;
        self.ids.next_site = saved_sites.0;
        self.out.sites.truncate(saved_sites.1);
        self.ids.next_class = saved_sites.2;
        self.truncate_array_classes(saved_sites.3);
        inferred
    }

    /// Step 3 for a class: the code of its constructor, methods and static members; static
    /// fields are initialised where the declaration stands in the top-level code.
    pub(super) fn check_class(
        &mut self,
        c: &'a ast::Class<'a>,
        top: &mut Vec<Stmt>,
    ) -> Option<ClassDef> {
        let id = c.id.as_ref()?;
        let name = id.name.as_str().to_string();
        if !self.decls.class_decls.iter().any(|d| std::ptr::eq(*d, c)) {
            return None;
        }
        let info = self.decls.classes.get(&name)?.clone();
        let this_ty = Type::Class(name.clone());
        let mut methods = Vec::new();
        let mut static_methods = Vec::new();
        let mut static_fields = Vec::new();
        let mut init = None;

        for el in &c.body.body {
            match el {
                ast::ClassElement::PropertyDefinition(p) if p.r#static => {
                    let Some(pname) = key_name(&p.key) else {
                        continue;
                    };
                    let Some(StaticMember::Field { ty, symbol }) =
                        info.static_member(&pname).cloned()
                    else {
                        continue;
                    };
                    static_fields.push((symbol.clone(), ty.clone()));
                    if let Some(v) = &p.value {
                        if let Some(value) = self
                            .expr_hint(v, Some(&ty))
                            .and_then(|e| self.coerce(e, &ty, super::CoerceCtx::Assign))
                        {
                            top.push(Stmt::InitGlobal { symbol, value });
                        }
                    }
                }
                ast::ClassElement::MethodDefinition(md) => {
                    if md.kind == ast::MethodDefinitionKind::Constructor {
                        init = Some(self.check_constructor(&info, md));
                        continue;
                    }
                    let Some(mname) = key_name(&md.key) else {
                        continue;
                    };
                    if md.r#static {
                        let Some(StaticMember::Method { sig, symbol }) =
                            info.static_member(&mname).cloned()
                        else {
                            continue;
                        };
                        let func = self.check_body(&md.value, None, &sig, &mname, md.key.span());
                        static_methods.push((symbol, sig, func));
                    } else {
                        let Some(mi) = info.method(&mname).cloned() else {
                            continue;
                        };
                        let func =
                            self.check_body(&md.value, Some(&name), &mi.sig, &mname, md.key.span());
                        let mut full = mi.sig.clone();
                        full.params.insert(0, this_ty.clone());
                        methods.push((mi.body.clone(), full, func));
                    }
                }
                _ => {}
            }
        }
        let init = match init {
            Some(f) => f,
            None => self.default_constructor(&info),
        };
        // Inherited bodies that the vtable names but this unit does not define.
        let own: std::collections::HashSet<&Symbol> = methods.iter().map(|(s, _, _)| s).collect();
        let mut vtable_externs = Vec::new();
        for m in &info.methods {
            if !own.contains(&m.body) {
                let mut sig = m.sig.clone();
                sig.params.insert(0, this_ty.clone());
                vtable_externs.push((m.body.clone(), sig));
            }
        }
        let super_id = info
            .superclass
            .as_ref()
            .and_then(|s| self.class_info(s))
            .map_or(0, |s| s.id);
        let mut dyn_fields = Vec::new();
        for f in &info.fields {
            let name_id = self.prop_name_id(&f.name);
            let (code, nullable) = match &f.ty {
                Type::Integer | Type::Enum(_) => (TypeCode::Integer, false),
                Type::Float => (TypeCode::Float, false),
                Type::Boolean => (TypeCode::Boolean, false),
                Type::String => (TypeCode::String, false),
                Type::Nullable(t) if **t == Type::String => (TypeCode::String, true),
                Type::Nullable(_) => (TypeCode::Object, true),
                Type::Any => (TypeCode::Any, true),
                _ => (TypeCode::Object, false),
            };
            let code = code.code();
            let class_id = match &f.ty {
                Type::Function(_) => ClassId::Function.code(),
                t => self.check_class_id(t),
            };
            dyn_fields.push((name_id, f.word, code, class_id, nullable));
        }
        let dyn_methods = info
            .methods
            .clone()
            .iter()
            .map(|m| (self.prop_name_id(&m.name), m.slot, m.sig.clone()))
            .collect();
        Some(ClassDef {
            info,
            super_id,
            init,
            methods,
            static_methods,
            static_fields,
            vtable_externs,
            dyn_fields,
            dyn_methods,
        })
    }

    /// Checks a method or static method body. `class` is the receiver's class for methods.
    fn check_body(
        &mut self,
        f: &'a ast::Function<'a>,
        class: Option<&str>,
        sig: &FnSig,
        name: &str,
        name_span: oxc_span::Span,
    ) -> Function {
        self.check_function_shape(f);
        if f.body.is_none() {
            self.error(diag::missing_body(
                sp(name_span),
                &format!("method '{name}'"),
            ));
        }
        let saved = std::mem::replace(
            &mut self.f,
            FnCtx {
                ret: Some(sig.ret.clone()),
                this_class: class.map(str::to_string),
                ..FnCtx::default()
            },
        );
        self.f.scopes.push(HashMap::new());
        if let Some(c) = class {
            self.declare_local("this", Type::Class(c.to_string()), false, Span::default());
        }
        self.declare_params(f, &sig.params);
        let mut stmts = Vec::new();
        if let Some(b) = &f.body {
            for s in &b.statements {
                if let Some(s) = self.check_stmt(s) {
                    stmts.push(s);
                }
            }
            if sig.ret != Type::Void && !super::always_returns(&b.statements) {
                let _ = name;
                self.error(diag::missing_return(sp(name_span)));
            }
        }
        let ctx = std::mem::replace(&mut self.f, saved);
        Function {
            locals: ctx.locals,
            body: stmts,
        }
    }

    pub(super) fn declare_params(&mut self, f: &ast::Function<'_>, params: &[Type]) {
        for (p, ty) in f.params.items.iter().zip(params) {
            match &p.pattern {
                ast::BindingPattern::BindingIdentifier(pid) => {
                    self.declare_local(pid.name.as_str(), ty.clone(), true, sp(pid.span));
                }
                _ => self.error(diag::destructuring(sp(p.span))),
            }
        }
    }

    fn check_constructor(
        &mut self,
        info: &ClassInfo,
        md: &'a ast::MethodDefinition<'a>,
    ) -> Function {
        let f = &md.value;
        self.check_function_shape(f);
        if f.body.is_none() {
            self.error(diag::missing_body(sp(md.key.span()), "constructor"));
        }
        let saved = std::mem::replace(
            &mut self.f,
            FnCtx {
                ret: Some(Type::Void),
                this_class: Some(info.name.clone()),
                in_ctor: true,
                ..FnCtx::default()
            },
        );
        self.f.scopes.push(HashMap::new());
        self.declare_local(
            "this",
            Type::Class(info.name.clone()),
            false,
            Span::default(),
        );
        self.declare_params(f, &info.ctor);
        let mut stmts = Vec::new();
        let mut super_calls = 0;
        let mut assigned = std::collections::HashSet::new();
        if let Some(b) = &f.body {
            for s in &b.statements {
                if is_super_call(s) {
                    super_calls += 1;
                }
                collect_assigned_fields(s, &mut assigned);
                if let Some(s) = self.check_stmt(s) {
                    stmts.push(s);
                }
            }
        }
        if info.superclass.is_some() && super_calls != 1 {
            self.error(diag::super_not_called(sp(md.key.span())));
        }
        let inherited = info
            .superclass
            .as_ref()
            .and_then(|s| self.class_info(s))
            .map_or(0, |s| s.fields.len());
        for field in &info.fields[inherited..] {
            if !assigned.contains(&field.name) {
                self.error(diag::uninitialized_property(sp(md.key.span()), &field.name));
            }
        }
        let ctx = std::mem::replace(&mut self.f, saved);
        Function {
            locals: ctx.locals,
            body: stmts,
        }
    }

    /// The constructor of a class without one: it only runs the superclass's.
    fn default_constructor(&mut self, info: &ClassInfo) -> Function {
        let mut locals = vec![Local::new("this", Type::Class(info.name.clone()))];
        let mut body = Vec::new();
        if let Some(sup) = info
            .superclass
            .as_ref()
            .and_then(|s| self.class_info(s))
            .cloned()
        {
            let sig = FnSig {
                params: vec![Type::Class(sup.name.clone())],
                ret: Type::Void,
            };
            self.note_extern(ExternRef::Func {
                symbol: sup.init_symbol.clone(),
                sig: sig.clone(),
            });
            let this = Expr::new(
                ExprKind::Read(Place::Local(0)),
                Type::Class(info.name.clone()),
                Span::default(),
            );
            body.push(Stmt::Expr(Expr::new(
                ExprKind::DirectCall {
                    symbol: sup.init_symbol.clone(),
                    sig,
                    args: vec![this],
                },
                Type::Void,
                Span::default(),
            )));
        }
        locals.truncate(1);
        Function { locals, body }
    }
}

/// The value of an enum member's initialiser: an integer literal, optionally under `-`, `+` or `~`.
fn enum_value(e: &ast::Expression<'_>) -> Option<i32> {
    match e {
        ast::Expression::NumericLiteral(n) => {
            let raw = n.raw.map(|r| r.as_str().to_ascii_lowercase())?;
            if raw.contains('.')
                || (raw.contains('e') && !raw.starts_with("0x"))
                || raw.contains('_')
            {
                return None;
            }
            let v = if let Some(h) = raw.strip_prefix("0x") {
                u64::from_str_radix(h, 16).ok()?
            } else if let Some(b) = raw.strip_prefix("0b") {
                u64::from_str_radix(b, 2).ok()?
            } else {
                raw.parse::<u64>().ok()?
            };
            (v <= u32::MAX as u64).then_some(v as u32 as i32)
        }
        ast::Expression::UnaryExpression(u) => {
            let v = enum_value(&u.argument)?;
            match u.operator {
                oxc_syntax::operator::UnaryOperator::UnaryNegation => Some(v.wrapping_neg()),
                oxc_syntax::operator::UnaryOperator::UnaryPlus => Some(v),
                oxc_syntax::operator::UnaryOperator::BitwiseNot => Some(!v),
                _ => None,
            }
        }
        ast::Expression::ParenthesizedExpression(p) => enum_value(&p.expression),
        _ => None,
    }
}

fn is_super_call(s: &ast::Statement<'_>) -> bool {
    matches!(s, ast::Statement::ExpressionStatement(e)
        if matches!(&e.expression, ast::Expression::CallExpression(c) if matches!(c.callee, ast::Expression::Super(_))))
}

/// Fields assigned with `this.f = …` (also in a chain, `this.f = this.g = …`) at the top level
/// of a constructor, or in both branches of a top-level `if`/`else`.
fn collect_assigned_fields(s: &ast::Statement<'_>, out: &mut std::collections::HashSet<String>) {
    match s {
        ast::Statement::ExpressionStatement(e) => {
            let mut e = &e.expression;
            while let ast::Expression::AssignmentExpression(a) = e.without_parentheses() {
                if let ast::AssignmentTarget::StaticMemberExpression(m) = &a.left {
                    if matches!(m.object, ast::Expression::ThisExpression(_)) {
                        out.insert(m.property.name.as_str().to_string());
                    }
                }
                e = &a.right;
            }
        }
        ast::Statement::BlockStatement(b) => {
            for s in &b.body {
                collect_assigned_fields(s, out);
            }
        }
        ast::Statement::IfStatement(i) => {
            if let Some(alt) = &i.alternate {
                let mut a = std::collections::HashSet::new();
                let mut b = std::collections::HashSet::new();
                collect_assigned_fields(&i.consequent, &mut a);
                collect_assigned_fields(alt, &mut b);
                out.extend(a.intersection(&b).cloned());
            }
        }
        _ => {}
    }
}
