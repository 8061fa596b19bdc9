//! An independent reference implementation of a subset of BlueScript, written from the language
//! specification and the project's `docs/semantics.md`, with
//! no dependency on the compiler's crates. It exists for differential testing: [`generator`] makes
//! random well-typed, terminating programs, [`pretty`] prints them as BlueScript source,
//! [`eval`] computes the exact standard output and exit status the compiler must produce, and
//! [`shrink`] plugs the generator into proptest with AST-level shrinking. [`check`] validates
//! programs (generated and shrunk) and [`num`] holds the number rules: 32-bit wrapping integers,
//! binary32 floats, boxing, and the two float output formats.
//!
//! The subset: typed top-level functions with `integer`, `float`, `boolean`, `integer[]`,
//! `float[]` and class-typed parameters and results (including bounded self-recursion);
//! `let`/`const` with or without annotations; `if`/`else`, counted `for`, `while` and
//! `do`/`while` loops, `break`/`continue`, `return`, blocks with shadowing; every arithmetic,
//! comparison, logical, bitwise and shift operator; `?:`; `as integer` / `as float`;
//! assignments, compound assignments and `++`/`--` as expressions; `integer[]` and `float[]`
//! arrays (literals, `new Array<T>(n[, init])`, indexing, `length`, element assignment and
//! compound assignment); classes with `integer`, `float` and `boolean` fields, a constructor,
//! methods, inheritance, overriding, `super.m()` calls and dynamic dispatch; `print` /
//! `console.log` of numbers, booleans, objects, arrays and string concatenations. Integer
//! division by zero and out-of-range indexes are run-time errors (the generator makes them
//! rare and deliberate).
//!
//! Beyond that: `any` (boxing of integers to 30 bits and of floats to the boxed exponent range,
//! strings, arrays, objects and `undefined` in `any`; arithmetic, `%`, `**`, unary minus,
//! compound assignments and comparisons decided from the tags at run time; conversions back
//! to `integer`, `float`, `boolean`, classes and nullable types, implicit or with `as`, whose
//! failures are `type error: expected T, found …`); nullable class types `C | undefined` with
//! narrowing by `if (v !== undefined)` and its variants (narrowing ends at an assignment, does
//! not hold in a loop that assigns the variable, and does not reach into arrow functions,
//! where captured variables are not narrowed either) and, behind flags, after
//! `if (v === undefined) return …`; and arrow functions with block bodies that capture the
//! variables around them by reference, stored in `const` or reassignable function-typed
//! variables and called through them, including closures created in loops (a `let` in the
//! body is a fresh variable per iteration, and so is a `for (let …)` counter, JavaScript's
//! rule). [`features`] names the features a program uses, for a histogram.

pub mod ast;
pub mod check;
pub mod eval;
pub mod features;
pub mod generator;
pub mod num;
pub mod pretty;
pub mod shrink;

#[cfg(test)]
mod spec_examples;

pub use ast::Program;
pub use eval::{Outcome, Status, run};
pub use generator::{GenConfig, generate};
pub use shrink::ProgramStrategy;

/// The proptest version this crate's strategy is built for, for users of [`ProgramStrategy`].
pub use proptest;
