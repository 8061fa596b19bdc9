//! The choice of the functions the device profiles for the dynamic compiler (`docs/dynamic.md`):
//! top-level functions of the main module with 1 to `BS_PROFILE_MAX_ARGS` parameters without a
//! type annotation. An explicit `: any` is a choice of the program and is not profiled;
//! methods, arrow functions, functions of imported modules and functions whose body holds
//! inline C (which names its parameters with their C types) are not profiled either.

use oxc_ast::ast;

use super::Checker;
use crate::ir::{Profile, ProfileThresholds, Stmt, Symbol};

/// How a unit is checked, beyond what the session's environment says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Profile the unit's untyped functions with these thresholds (`None`: no profiling, and
    /// the IR is what it was before the dynamic compiler).
    pub profile: Option<ProfileThresholds>,
}

/// The indexes of the parameters of `func` that have no type annotation.
fn unannotated(func: &ast::Function<'_>) -> Vec<usize> {
    func.params
        .items
        .iter()
        .enumerate()
        .filter(|(_, p)| p.type_annotation.is_none())
        .map(|(i, _)| i)
        .collect()
}

impl Checker<'_, '_> {
    /// The profiling of top-level function `name` (declared by `func`, with the checked body
    /// `body`), if the unit is profiled and the function qualifies.
    pub(super) fn profile_of(
        &self,
        name: &str,
        func: &ast::Function<'_>,
        body: &[Stmt],
    ) -> Option<Profile> {
        let thresholds = self.profile?;
        // Only the main module (whose namespace is empty) is profiled.
        if !self.env.namespace.is_empty() || func.declare || func.body.is_none() {
            return None;
        }
        let untyped = unannotated(func);
        if untyped.is_empty()
            || untyped.len() > bs_abi::PROFILE_MAX_ARGS
            || body.iter().any(Stmt::has_inline_c)
        {
            return None;
        }
        Some(Profile {
            untyped,
            record: Symbol::ProfileRecord {
                name: name.to_string(),
                unit: self.unit_id,
            },
            wrapper: Symbol::ProfileWrapper {
                name: name.to_string(),
                unit: self.unit_id,
            },
            thresholds,
        })
    }
}
