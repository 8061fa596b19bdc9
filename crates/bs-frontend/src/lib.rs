//! The BlueScript front end: parses one unit with `oxc_parser`, checks it against the session's
//! environment and lowers it into the typed IR (`ir`). It knows nothing of C, devices or IO.
//!
//! Entry points: [`check_unit`], and [`check_unit_with`] for a unit checked with options (the
//! dynamic compiler's profiling). Broken input is normal: it yields a list of [`Diagnostic`]s,
//! never a panic.

pub mod check;
pub mod diag;
pub mod env;
pub mod ir;
pub mod span;
pub mod symbol;
pub mod types;

pub use check::{
    BUILTIN_NAMES, CheckOptions, Checked, Counters, FIRST_PROGRAM_CLASS, MAX_NESTING,
    ProfileThresholds, SpecialiseRequest, check_unit, check_unit_with, import_sources, specialise,
};
pub use diag::Diagnostic;
pub use env::{Env, Global, ModuleInfo};
pub use span::{LineCol, Span, line_col};
pub use symbol::Symbol;
pub use types::{FnSig, Type};
