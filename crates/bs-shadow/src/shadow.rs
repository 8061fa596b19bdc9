//! The [`Shadow`] itself: the bump pointers of the code and data regions, the committed units
//! and the symbol table (with the history of redefinitions), plus the queries on them.

use std::collections::HashMap;

use bs_link::{RegionKind, RuntimeImage, SymbolResolver};

use crate::{MemoryMap, Placement, UnitTxn, Usage};

/// What the host records about a unit that loaded and ran (given to [`UnitTxn::commit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    /// The unit's id; must be the id the transaction was begun with.
    pub id: u32,
    /// A display name (`<repl:3>`, a file name, …).
    pub name: String,
    /// The BlueScript source of the unit.
    pub source: String,
    /// The unit's global symbols and their device addresses (usually
    /// [`LinkedUnit::symbols`](bs_link::LinkedUnit)).
    pub symbols: Vec<(String, u64)>,
    /// The address the host called to run the unit, if any.
    pub entry: Option<u64>,
}

/// A committed unit: its record and the memory it occupies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// What the host said about it.
    pub record: UnitRecord,
    /// The ranges placed for it, in the order they were placed.
    pub placements: Vec<Placement>,
}

impl Unit {
    /// The unit's id.
    pub fn id(&self) -> u32 {
        self.record.id
    }

    /// True if `addr` lies in memory placed for this unit.
    pub fn contains(&self, addr: u64) -> bool {
        self.placements.iter().any(|p| p.contains(addr))
    }
}

/// A unit whose memory stays allocated although it was not committed (see
/// [`UnitTxn::keep_memory_but_discard`]): something on the device may still point into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscardedUnit {
    /// The id the transaction was begun with.
    pub id: u32,
    /// The ranges placed for it.
    pub placements: Vec<Placement>,
}

impl DiscardedUnit {
    /// True if `addr` lies in memory placed for this unit.
    pub fn contains(&self, addr: u64) -> bool {
        self.placements.iter().any(|p| p.contains(addr))
    }
}

/// One definition of a symbol by a committed unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SymbolDef {
    /// Its device address.
    pub addr: u64,
    /// The unit that defined it.
    pub unit: u32,
}

/// The host's mirror of device memory: where every unit lives and which symbols are defined.
///
/// Units are allocated with a bump pointer per region and never freed one by one; only
/// [`Shadow::reset`] (after a RESET of the device) empties the regions.
#[derive(Debug, Clone)]
pub struct Shadow {
    pub(crate) map: MemoryMap,
    pub(crate) runtime: RuntimeImage,
    /// Next free address of the code region.
    pub(crate) code_top: u64,
    /// Next free address of the data region.
    pub(crate) data_top: u64,
    pub(crate) units: Vec<Unit>,
    pub(crate) discarded: Vec<DiscardedUnit>,
    /// Every definition of each unit symbol, oldest first; the last one is current.
    pub(crate) table: HashMap<String, Vec<SymbolDef>>,
}

impl Shadow {
    /// An empty shadow of a device with memory `map` running `runtime`.
    pub fn new(map: MemoryMap, runtime: RuntimeImage) -> Shadow {
        Shadow {
            map,
            runtime,
            code_top: map.code.base,
            data_top: map.data.base,
            units: Vec::new(),
            discarded: Vec::new(),
            table: HashMap::new(),
        }
    }

    /// The device's memory map.
    pub fn map(&self) -> &MemoryMap {
        &self.map
    }

    /// The runtime image symbols resolve against after units'.
    pub fn runtime(&self) -> &RuntimeImage {
        &self.runtime
    }

    /// Starts placing unit `unit_id`. The transaction is the [`Placer`](bs_link::Placer) and
    /// [`SymbolResolver`] to link the unit with; commit it once the unit has run, or drop it
    /// (or [`UnitTxn::abort`]) to give its memory back.
    pub fn begin_unit(&mut self, unit_id: u32) -> UnitTxn<'_> {
        UnitTxn::new(self, unit_id)
    }

    /// The address of `name`: the latest definition by a committed unit, else the runtime's.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.unit_symbol(name)
            .map(|d| d.addr)
            .or_else(|| self.runtime.symbol(name))
    }

    /// The current definition of `name` by a committed unit, if any.
    pub fn unit_symbol(&self, name: &str) -> Option<SymbolDef> {
        self.table.get(name).and_then(|defs| defs.last()).copied()
    }

    /// Every definition of `name` by committed units, oldest first (the last is current).
    pub fn symbol_history(&self, name: &str) -> &[SymbolDef] {
        self.table.get(name).map_or(&[], Vec::as_slice)
    }

    /// The committed unit with id `id`.
    pub fn unit(&self, id: u32) -> Option<&Unit> {
        self.units.iter().find(|u| u.record.id == id)
    }

    /// The committed units, in commit order.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Units whose memory was kept without committing them, in order.
    pub fn discarded(&self) -> &[DiscardedUnit] {
        &self.discarded
    }

    /// The committed unit whose memory contains `addr` (e.g. a faulting address).
    pub fn find_unit_by_address(&self, addr: u64) -> Option<&Unit> {
        self.units.iter().find(|u| u.contains(addr))
    }

    /// The discarded unit whose memory contains `addr`.
    pub fn find_discarded_by_address(&self, addr: u64) -> Option<&DiscardedUnit> {
        self.discarded.iter().find(|u| u.contains(addr))
    }

    /// How much of the code and data regions is allocated.
    pub fn usage(&self) -> Usage {
        Usage {
            code_used: self.code_top - self.map.code.base,
            code_size: self.map.code.size,
            data_used: self.data_top - self.map.data.base,
            data_size: self.map.data.size,
        }
    }

    /// Forgets every unit and symbol and empties the regions, as a device RESET does. The
    /// memory map and the runtime stay.
    pub fn reset(&mut self) {
        self.code_top = self.map.code.base;
        self.data_top = self.map.data.base;
        self.units.clear();
        self.discarded.clear();
        self.table.clear();
    }

    /// The bump pointer of region `kind`.
    pub(crate) fn top_mut(&mut self, kind: RegionKind) -> &mut u64 {
        match kind {
            RegionKind::Code => &mut self.code_top,
            RegionKind::Data => &mut self.data_top,
        }
    }
}

impl SymbolResolver for Shadow {
    fn resolve(&self, name: &str) -> Option<u64> {
        self.symbol(name)
    }
}
