//! Names in scope: the locals of the body being checked and their scopes, variables captured
//! from enclosing bodies, the unit's top-level names and the session's globals.

use super::{Checker, UnitName};
use crate::diag;
use crate::env::Global;
use crate::ir::*;
use crate::span::Span;
use crate::types::{FnSig, Type};

#[derive(Clone, Debug)]
pub(super) struct LocalBinding {
    pub(super) id: LocalId,
    pub(super) mutable: bool,
}

pub(super) enum Name {
    Local(LocalBinding, Type),
    Var {
        ty: Type,
        mutable: bool,
        symbol: Symbol,
        external: bool,
    },
    Func {
        sig: FnSig,
        slot: Symbol,
        external: bool,
    },
    /// A variable of an enclosing body, captured by the arrow function being checked.
    Captured {
        index: u32,
        ty: Type,
        mutable: bool,
    },
}

impl<'a> Checker<'_, 'a> {
    pub(super) fn declare_local(
        &mut self,
        name: &str,
        ty: Type,
        mutable: bool,
        span: Span,
    ) -> Option<LocalId> {
        let scope = self.f.scopes.last_mut().expect("a scope is open");
        if scope.contains_key(name) {
            self.error(diag::already_declared(span, name));
            return None;
        }
        let id = self.f.locals.len();
        self.f.locals.push(Local::new(name, ty));
        scope.insert(name.to_string(), LocalBinding { id, mutable });
        Some(id)
    }

    /// What `name` names here, with the narrowed type of a variable where narrowing holds (see
    /// `flow`).
    pub(super) fn lookup(&mut self, name: &str) -> Option<Name> {
        let n = self.lookup_declared(name)?;
        Some(self.apply_facts(name, n))
    }

    /// What `name` names here, variables with their declared types (for assignment).
    pub(super) fn lookup_declared(&mut self, name: &str) -> Option<Name> {
        for scope in self.f.scopes.iter().rev() {
            if let Some(b) = scope.get(name) {
                let ty = self.f.locals[b.id].ty.clone();
                return Some(Name::Local(b.clone(), ty));
            }
        }
        if let Some((index, ty, mutable)) = self.find_capture(name) {
            return Some(Name::Captured { index, ty, mutable });
        }
        if let Some(n) = self.decls.names.get(name).cloned() {
            match n {
                UnitName::Var {
                    mutable, symbol, ..
                } => {
                    // Top-level code sees a unit variable only after its declaration.
                    if self.f.top_level && !self.decls.visible.contains(name) {
                        return None;
                    }
                    let ty = self.var_type(name)?;
                    return Some(Name::Var {
                        ty,
                        mutable,
                        symbol,
                        external: false,
                    });
                }
                UnitName::Func {
                    slot, redefines, ..
                } => {
                    let sig = self.func_sig(name)?;
                    return Some(Name::Func {
                        sig,
                        slot,
                        external: redefines,
                    });
                }
            }
        }
        match self.env.get(name) {
            Some(Global::Var {
                ty,
                mutable,
                symbol,
            }) => Some(Name::Var {
                ty: ty.clone(),
                mutable: *mutable,
                symbol: symbol.clone(),
                external: true,
            }),
            Some(Global::Func { sig, slot, .. }) => Some(Name::Func {
                sig: sig.clone(),
                slot: slot.clone(),
                external: true,
            }),
            Some(Global::Enum { .. } | Global::Class(_)) | None => None,
        }
    }

    pub(super) fn note_extern(&mut self, r: ExternRef) {
        let sym = match &r {
            ExternRef::Global { symbol, .. }
            | ExternRef::FnSlot { symbol, .. }
            | ExternRef::Func { symbol, .. } => symbol.clone(),
        };
        if self.diags.quiet == 0 && self.out.extern_set.insert(sym) {
            self.out.externs.push(r);
        }
    }

    /// Notes a use of a global variable that an earlier unit defined (`external`).
    pub(super) fn note_extern_global(&mut self, external: bool, symbol: &Symbol, ty: &Type) {
        if external {
            self.note_extern(ExternRef::Global {
                symbol: symbol.clone(),
                ty: ty.clone(),
            });
        }
    }

    /// Notes a use of the slot of a function that an earlier unit defined (`external`).
    pub(super) fn note_extern_slot(&mut self, external: bool, slot: &Symbol, sig: &FnSig) {
        if external {
            self.note_extern(ExternRef::FnSlot {
                symbol: slot.clone(),
                sig: sig.clone(),
            });
        }
    }
}
