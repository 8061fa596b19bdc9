//! BlueScript's shadow machine: the host-side mirror of the device's memory. It decides where
//! each unit's code and data go (bump allocation in the code and data regions the device
//! reported; units are never unloaded one by one) and knows every symbol loaded so far, so that
//! the linker can place and resolve a new unit without asking the device anything. It is data in,
//! data out: no IO.
//!
//! A unit is placed inside a transaction, [`Shadow::begin_unit`], which is the
//! [`bs_link::Placer`] and [`bs_link::SymbolResolver`] to link it with. Committing the
//! transaction records the unit and publishes its global symbols (a later definition of a name
//! replaces the earlier one, which is kept as history); aborting or dropping it rolls the bump
//! pointers back; [`UnitTxn::keep_memory_but_discard`] keeps the memory of a unit that was sent
//! but failed, without its symbols.
//!
//! Invariants: every placement lies inside its region (checked on every allocation); the
//! committed units' placements never overlap, and neither do those of discarded units; after an
//! abort the regions are exactly as before the transaction began.

#![forbid(unsafe_code)]

mod region;
mod shadow;
mod txn;

pub use region::{MemoryMap, Placement, Region, Usage};
pub use shadow::{DiscardedUnit, Shadow, SymbolDef, Unit, UnitRecord};
pub use txn::{CommitError, UnitTxn};

#[cfg(test)]
mod tests;
