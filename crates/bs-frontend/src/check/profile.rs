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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Counters, check_unit_with};
    use crate::env::Env;
    use crate::ir::FuncDef;

    fn profiled(env: &Env, source: &str) -> Vec<FuncDef> {
        let options = CheckOptions {
            profile: Some(ProfileThresholds {
                calls: 1,
                signature: 2,
            }),
        };
        let checked = check_unit_with(source, env, 3, &mut Counters::default(), &options)
            .unwrap_or_else(|d| panic!("{d:?}"));
        checked.unit.functions
    }

    fn untyped_of(functions: &[FuncDef], name: &str) -> Option<Vec<usize>> {
        let f = functions.iter().find(|f| f.name == name).expect("defined");
        f.profile.as_ref().map(|p| p.untyped.clone())
    }

    #[test]
    fn which_functions_are_profiled() {
        let source = "
            function a(x, y) { return x }
            function b(n: integer, v, s: string, w) { return v }
            function c(x: any) { return x }
            function d() { return 1 }
            function e(p1, p2, p3, p4, p5, p6, p7, p8) { return p1 }
            function f(p1, p2, p3, p4, p5, p6, p7, p8, p9) { return p1 }
            function g(x) { code`(void)${x};` }
            class K { m(x) { return x } }
            const h = (x) => x
        ";
        let fs = profiled(&Env::new(), source);
        assert_eq!(untyped_of(&fs, "a"), Some(vec![0, 1]));
        assert_eq!(untyped_of(&fs, "b"), Some(vec![1, 3]));
        assert_eq!(untyped_of(&fs, "c"), None);
        assert_eq!(untyped_of(&fs, "d"), None);
        assert_eq!(untyped_of(&fs, "e"), Some((0..8).collect()));
        assert_eq!(untyped_of(&fs, "f"), None);
        assert_eq!(untyped_of(&fs, "g"), None);
        // Methods and arrow functions are not FuncDefs; only the top-level functions are.
        let names: Vec<&str> = fs.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f", "g"]);
        let a = fs[0].profile.as_ref().expect("profiled");
        assert_eq!(
            a.record,
            Symbol::ProfileRecord {
                name: "a".to_string(),
                unit: 3
            }
        );
        assert_eq!(
            a.wrapper,
            Symbol::ProfileWrapper {
                name: "a".to_string(),
                unit: 3
            }
        );
        assert_eq!(
            a.thresholds,
            ProfileThresholds {
                calls: 1,
                signature: 2
            }
        );
    }

    #[test]
    fn imported_modules_and_plain_checks_are_not_profiled() {
        let source = "function a(x) { return x }";
        let module = Env::new().for_module("m");
        assert_eq!(untyped_of(&profiled(&module, source), "a"), None);
        let plain = crate::check::check_unit(source, &Env::new(), 1, &mut Counters::default())
            .expect("checks");
        assert!(plain.unit.functions[0].profile.is_none());
    }
}
