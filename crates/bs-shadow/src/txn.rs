//! [`UnitTxn`]: placing one unit. It hands out memory (as the linker's
//! [`Placer`]) and answers symbol look-ups (as its [`SymbolResolver`]); then exactly one of
//! three things happens to it:
//!
//! - [`UnitTxn::commit`]: the unit ran, its memory stays and its symbols become visible;
//! - [`UnitTxn::abort`] or dropping it: nothing of the unit reached the device, and its ranges
//!   are free again (the bump pointers go back to where they were);
//! - [`UnitTxn::keep_memory_but_discard`]: the bytes were sent but the unit failed; its memory
//!   stays allocated (the device may still point into it) but its symbols are not committed.

use bs_link::{PlaceError, Placer, RegionKind, SymbolResolver};
use thiserror::Error;

use crate::{DiscardedUnit, Placement, Shadow, SymbolDef, Unit, UnitRecord};

/// Why [`UnitTxn::commit`] refused a record. The unit's memory stays allocated either way.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommitError {
    /// The record's id is not the id the transaction was begun with.
    #[error("unit record {record} committed in the transaction of unit {txn}")]
    IdMismatch {
        /// The transaction's unit id.
        txn: u32,
        /// The record's id.
        record: u32,
    },
    /// A unit with this id is already committed.
    #[error("unit {id} is already committed")]
    DuplicateUnit {
        /// The id.
        id: u32,
    },
}

/// The placement of one unit in progress; see the module documentation.
#[derive(Debug)]
pub struct UnitTxn<'a> {
    shadow: &'a mut Shadow,
    unit_id: u32,
    placements: Vec<Placement>,
    finished: bool,
}

impl<'a> UnitTxn<'a> {
    pub(crate) fn new(shadow: &'a mut Shadow, unit_id: u32) -> UnitTxn<'a> {
        UnitTxn {
            shadow,
            unit_id,
            placements: Vec::new(),
            finished: false,
        }
    }

    /// The id of the unit being placed.
    pub fn unit_id(&self) -> u32 {
        self.unit_id
    }

    /// The ranges placed so far, in order.
    pub fn placements(&self) -> &[Placement] {
        &self.placements
    }

    /// A transaction for another unit, placed while this one is still open: the dynamic
    /// compiler places a specialised copy while the unit that profiled it runs. It commits or
    /// aborts on its own; this transaction's placements are not affected either way.
    pub fn nested(&mut self, unit_id: u32) -> UnitTxn<'_> {
        UnitTxn::new(self.shadow, unit_id)
    }

    /// The shadow as it was before this unit (plus what it has placed so far).
    pub fn shadow(&self) -> &Shadow {
        self.shadow
    }

    /// Records the unit and makes its symbols visible: a name a committed unit already
    /// defines now resolves to this unit's address (the old definition stays in
    /// [`Shadow::symbol_history`]). On error the unit's memory is kept, as by
    /// [`UnitTxn::keep_memory_but_discard`], since its bytes may already be on the device.
    pub fn commit(mut self, record: UnitRecord) -> Result<(), CommitError> {
        self.finished = true;
        let placements = std::mem::take(&mut self.placements);
        let error = if record.id != self.unit_id {
            Some(CommitError::IdMismatch {
                txn: self.unit_id,
                record: record.id,
            })
        } else if self.shadow.unit(record.id).is_some() {
            Some(CommitError::DuplicateUnit { id: record.id })
        } else {
            None
        };
        if let Some(error) = error {
            self.shadow.discarded.push(DiscardedUnit {
                id: self.unit_id,
                placements,
            });
            return Err(error);
        }
        for (name, addr) in &record.symbols {
            self.shadow
                .table
                .entry(name.clone())
                .or_default()
                .push(SymbolDef {
                    addr: *addr,
                    unit: record.id,
                });
        }
        self.shadow.units.push(Unit { record, placements });
        Ok(())
    }

    /// Gives the unit's memory back: nothing of it was sent to the device. Same as dropping
    /// the transaction.
    pub fn abort(self) {}

    /// Keeps the unit's memory allocated but does not commit its symbols: for a unit whose
    /// bytes were sent but that failed at run time, since something on the device may still
    /// point into it. It stays findable with [`Shadow::find_discarded_by_address`].
    pub fn keep_memory_but_discard(self) {
        self.keep_memory_and_symbols(Vec::new());
    }

    /// As [`UnitTxn::keep_memory_but_discard`], but `symbols` (name, address) become visible
    /// as a committed unit's would: for definitions that stay valid whatever the unit did
    /// (content-named constants such as string literals), so that later units use them
    /// instead of making copies of their own.
    pub fn keep_memory_and_symbols(mut self, symbols: Vec<(String, u64)>) {
        self.finished = true;
        let placements = std::mem::take(&mut self.placements);
        for (name, addr) in symbols {
            self.shadow.table.entry(name).or_default().push(SymbolDef {
                addr,
                unit: self.unit_id,
            });
        }
        self.shadow.discarded.push(DiscardedUnit {
            id: self.unit_id,
            placements,
        });
    }
}

impl Drop for UnitTxn<'_> {
    fn drop(&mut self) {
        if !self.finished {
            for p in std::mem::take(&mut self.placements).iter().rev() {
                self.shadow.release(p.kind, p.addr, p.size);
            }
        }
    }
}

impl Placer for UnitTxn<'_> {
    /// Allocates `size` bytes aligned to `align` in region `kind`, from the first free range
    /// that holds them or else at the bump pointer; fails with
    /// [`PlaceError::RegionFull`] (naming the region, the request and the free bytes) when the
    /// rest of the region is too small. Every range it returns lies inside the region.
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError> {
        let region = self.shadow.map.region(kind);
        let align = align.max(1);
        if !align.is_power_of_two() {
            return Err(PlaceError::BadAlignment {
                region: kind,
                align,
            });
        }
        if let Some(addr) = self.shadow.take_free(kind, size, align) {
            self.placements.push(Placement { kind, addr, size });
            return Ok(addr);
        }
        let free_ranges: u64 = self.shadow.free[crate::shadow::region_slot(kind)]
            .values()
            .sum();
        let top = self.shadow.top_mut(kind);
        let free = region.end().saturating_sub(*top) + free_ranges;
        let fits = top
            .checked_next_multiple_of(align)
            .and_then(|addr| Some((addr, addr.checked_add(size)?)))
            .filter(|&(_, end)| end <= region.end());
        let Some((addr, end)) = fits else {
            return Err(PlaceError::RegionFull {
                region: kind,
                requested: size,
                align,
                free,
            });
        };
        assert!(
            region.contains_range(addr, size),
            "placement {addr:#x}+{size:#x} outside the {kind} region {region:x?}"
        );
        let padding = (*top, addr - *top);
        *top = end;
        // The alignment padding is free for a later, smaller placement; and when this one is
        // released, it merges with it, so that the bump pointer goes back exactly.
        self.shadow.release(kind, padding.0, padding.1);
        self.placements.push(Placement { kind, addr, size });
        Ok(addr)
    }
}

impl SymbolResolver for UnitTxn<'_> {
    /// Committed units' symbols first (the latest definition), then the runtime's.
    fn resolve(&self, name: &str) -> Option<u64> {
        self.shadow.symbol(name)
    }
}
