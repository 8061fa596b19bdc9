//! Names of the things a unit defines or refers to that a back end must name in its output:
//! globals, function slots and bodies, entry functions, arrow functions, trampolines and the
//! members of classes. A [`Symbol`] says what a thing is, in BlueScript names (unmangled) and
//! unit ids; how it is spelled is the back end's business (the C back end's `c_symbol`).
//!
//! Two symbols are equal exactly when they name the same thing, so the checker compares and
//! deduplicates them as values.

/// What a back end must name: a piece of code or data of the session.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    /// The entry function of unit `unit`, which runs its top-level code.
    UnitEntry { unit: u32 },
    /// The storage of the top-level variable `name`.
    Global { name: String },
    /// The session-wide slot that holds the address of the current body of function `name`.
    FnSlot { name: String },
    /// The body of function `name` as defined by unit `unit`.
    FnBody { name: String, unit: u32 },
    /// The body of the arrow function number `index` (from 0) of unit `unit`.
    Arrow { unit: u32, index: u32 },
    /// The trampoline, made by unit `unit`, that lets top-level function `name` be a value.
    Trampoline { name: String, unit: u32 },
    /// The init function of class `class` (declared by unit `unit`): it runs the constructor's
    /// body on a new instance.
    ClassInit { class: String, unit: u32 },
    /// The storage of static field `field` of class `class`.
    StaticField { class: String, field: String },
    /// Static method `method` of class `class`, declared by unit `unit`.
    StaticMethod {
        class: String,
        method: String,
        unit: u32,
    },
    /// The body of method `method` as declared (or overridden) by class `class` in unit `unit`.
    Method {
        class: String,
        method: String,
        unit: u32,
    },
    /// The profile record (`bs_profile`) of function `name` as defined by unit `unit`
    /// (docs/dynamic.md).
    ProfileRecord { name: String, unit: u32 },
    /// The profiling wrapper of function `name` as defined by unit `unit`: counts the call and
    /// calls the body.
    ProfileWrapper { name: String, unit: u32 },
    /// Specialised copy number `version` of the body of function `name` from unit `unit`.
    Specialised {
        name: String,
        unit: u32,
        version: u32,
    },
    /// The guard of specialised copy `version`: checks the arguments' types, then calls the copy
    /// or falls back.
    Guard {
        name: String,
        unit: u32,
        version: u32,
    },
    /// The guard's count of failed checks (a `uint32_t`).
    GuardFailures {
        name: String,
        unit: u32,
        version: u32,
    },
    /// The local (static) copy of the body of function `name` from unit `unit` that the unit of
    /// specialised copy `version` (of another function of the same unit) calls inline.
    InlineCopy {
        name: String,
        unit: u32,
        version: u32,
    },
}
