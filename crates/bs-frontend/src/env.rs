//! The session's environment: every top-level name that earlier units declared, with its type
//! and the C symbols that hold it. The checker reads it; the session extends it only after a
//! unit has run successfully.

use std::collections::HashMap;

use crate::types::{FnSig, Type};

/// A top-level name.
#[derive(Clone, Debug, PartialEq)]
pub enum Global {
    Var {
        ty: Type,
        mutable: bool,
        symbol: String,
    },
    Func {
        sig: FnSig,
        slot: String,
        body: String,
    },
}

/// The names visible to the next unit.
#[derive(Clone, Debug, Default)]
pub struct Env {
    globals: HashMap<String, Global>,
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    pub fn get(&self, name: &str) -> Option<&Global> {
        self.globals.get(name)
    }

    /// Adds or replaces a name (a redefined function replaces its earlier entry).
    pub fn insert(&mut self, name: String, global: Global) {
        self.globals.insert(name, global);
    }

    pub fn len(&self) -> usize {
        self.globals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.globals.is_empty()
    }
}

/// Turns a BlueScript identifier into a C identifier fragment: ASCII letters and digits stay,
/// `_` becomes `__`, any other character becomes `_` + its hexadecimal code point + `_`.
/// The mapping is one-to-one, so distinct names never collide.
pub fn mangle(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '_' {
            out.push_str("__");
        } else {
            out.push_str(&format!("_{:x}_", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mangle;

    #[test]
    fn mangling_is_injective_on_tricky_names() {
        assert_eq!(mangle("abc"), "abc");
        assert_eq!(mangle("a_b"), "a__b");
        assert_eq!(mangle("$x"), "_24_x");
        assert_ne!(mangle("a__24_"), mangle("a$"));
        assert_eq!(mangle("é"), "_e9_");
    }
}
