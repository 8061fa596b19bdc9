//! What the fuzz targets share: a session's front end without a device ([`Units`]).

use bs_frontend::{Checked, Counters, Env};

/// At most this many units per input.
pub const MAX_UNITS: usize = 8;

/// The front end's part of a session: the environment and counters that units are checked in,
/// one after another.
pub struct Units {
    env: Env,
    counters: Counters,
    next_id: u32,
}

impl Default for Units {
    fn default() -> Self {
        Self::new()
    }
}

impl Units {
    pub fn new() -> Units {
        Units {
            env: Env::new(),
            counters: Counters::default(),
            next_id: 1,
        }
    }

    /// Checks the next unit. A unit that does not check must say why, at places inside it.
    pub fn check(&mut self, source: &str) -> Option<Checked> {
        let id = self.next_id;
        self.next_id += 1;
        match bs_frontend::check_unit(source, &self.env, id, &mut self.counters) {
            Ok(checked) => Some(checked),
            Err(diags) => {
                assert!(
                    !diags.is_empty(),
                    "a unit failed without a diagnostic:\n{source}"
                );
                for d in &diags {
                    assert!(
                        d.span.start <= d.span.end && d.span.end as usize <= source.len(),
                        "diagnostic {} `{}` has span {:?} outside the unit of {} bytes:\n{source}",
                        d.code,
                        d.message,
                        d.span,
                        source.len()
                    );
                    assert!(
                        !d.message.is_empty(),
                        "diagnostic {} without a message",
                        d.code
                    );
                    let _ = bs_frontend::line_col(source, d.span.start);
                }
                None
            }
        }
    }

    /// Enters what a unit that ran declared into the environment (as the session does).
    pub fn declare(&mut self, checked: Checked) {
        for (name, global) in checked.declared {
            self.env.insert(name, global);
        }
        for (id, ty, _) in &checked.unit.array_classes {
            self.env.insert_array_class(ty.clone(), *id);
        }
        for (name, id) in &checked.unit.names {
            self.env.insert_name(name.clone(), *id);
        }
    }
}

pub mod compile;
pub mod deframe;
pub mod script;
