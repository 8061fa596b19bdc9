//! The [`Shadow`] itself: the bump pointers and free ranges of the code and data regions, the
//! committed units and the symbol table (with the history of redefinitions), plus the queries
//! on them.

use std::collections::{BTreeMap, HashMap};

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
/// Units are allocated first-fit from the ranges given back with [`Shadow::release_code`], and
/// otherwise with a bump pointer per region; [`Shadow::reset`] (after a RESET of the device)
/// empties the regions.
#[derive(Debug, Clone)]
pub struct Shadow {
    pub(crate) map: MemoryMap,
    pub(crate) runtime: RuntimeImage,
    /// Next free address of the code region.
    pub(crate) code_top: u64,
    /// Next free address of the data region.
    pub(crate) data_top: u64,
    /// Free ranges below the bump pointer (start → length), per region kind
    /// ([`region_slot`]); neighbours are always merged, and none ends at the bump pointer.
    pub(crate) free: [BTreeMap<u64, u64>; 2],
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
            free: [BTreeMap::new(), BTreeMap::new()],
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
        let free = |kind| -> u64 { self.free[region_slot(kind)].values().sum() };
        Usage {
            code_used: self.code_top - self.map.code.base - free(RegionKind::Code),
            code_size: self.map.code.size,
            data_used: self.data_top - self.map.data.base - free(RegionKind::Data),
            data_size: self.map.data.size,
        }
    }

    /// The placements of unit `id`, committed or discarded.
    fn placements_mut(&mut self, id: u32) -> Option<&mut Vec<Placement>> {
        if let Some(u) = self.units.iter_mut().find(|u| u.record.id == id) {
            Some(&mut u.placements)
        } else {
            let u = self.discarded.iter_mut().find(|u| u.id == id)?;
            Some(&mut u.placements)
        }
    }

    /// Frees the code of unit `id` (committed or discarded) for later units, and returns how
    /// many bytes that was. The caller must know that nothing on the device can still run it
    /// or hold its address. Its data stays: values on the device may point into it.
    pub fn release_code(&mut self, id: u32) -> u64 {
        let Some(placements) = self.placements_mut(id) else {
            return 0;
        };
        let (code, rest): (Vec<Placement>, Vec<Placement>) = placements
            .drain(..)
            .partition(|p| p.kind == RegionKind::Code);
        *placements = rest;
        let mut freed = 0;
        for p in code.iter().rev() {
            self.release(p.kind, p.addr, p.size);
            freed += p.size;
        }
        freed
    }

    /// Frees unit `id`'s data but for the ranges `keep` (address, size), and returns how many
    /// bytes that was; alignment padding between kept ranges goes too. For a unit whose code
    /// was freed and whose other data no one can reach any more (see
    /// [`Shadow::release_code`] for the caller's duty).
    pub fn release_data(&mut self, id: u32, keep: &[(u64, u64)]) -> u64 {
        let Some(placements) = self.placements_mut(id) else {
            return 0;
        };
        let mut keep: Vec<(u64, u64)> = keep.iter().copied().filter(|r| r.1 > 0).collect();
        keep.sort_unstable();
        let (data, rest): (Vec<Placement>, Vec<Placement>) = placements
            .drain(..)
            .partition(|p| p.kind == RegionKind::Data);
        *placements = rest;
        let mut freed = Vec::new();
        for p in data {
            let mut at = p.addr;
            let end = p.addr + p.size;
            for &(addr, size) in keep.iter().filter(|&&(a, _)| a >= p.addr && a < end) {
                if addr > at {
                    freed.push((at, addr - at));
                }
                let kept_end = (addr + size).min(end);
                placements.push(Placement {
                    kind: RegionKind::Data,
                    addr,
                    size: kept_end - addr,
                });
                at = at.max(kept_end);
            }
            if end > at {
                freed.push((at, end - at));
            }
        }
        let mut total = 0;
        for (addr, size) in freed.into_iter().rev() {
            self.release(RegionKind::Data, addr, size);
            total += size;
        }
        total
    }

    /// Forgets unit `id` (committed or discarded) for good, once its code is freed and what is
    /// left of its data ([`Shadow::release_data`]) stays until the next reset: its record and
    /// placements go (that memory stays allocated), and so do its symbols, but for those at an
    /// address in what is left (variables and string literals that later units link
    /// against). A long session then keeps only what live units need. Returns whether there
    /// was such a unit.
    pub fn retire(&mut self, id: u32) -> bool {
        let left = if let Some(i) = self.units.iter().position(|u| u.record.id == id) {
            self.units.remove(i).placements
        } else if let Some(i) = self.discarded.iter().position(|u| u.id == id) {
            self.discarded.remove(i).placements
        } else {
            return false;
        };
        self.table.retain(|_, defs| {
            defs.retain(|d| d.unit != id || left.iter().any(|p| p.contains(d.addr)));
            !defs.is_empty()
        });
        true
    }

    /// Returns `addr .. addr + size` of region `kind` to its free ranges, merged with its
    /// neighbours; a range that reaches the bump pointer lowers it instead.
    pub(crate) fn release(&mut self, kind: RegionKind, addr: u64, size: u64) {
        if size == 0 {
            return;
        }
        let top = match kind {
            RegionKind::Code => self.code_top,
            RegionKind::Data => self.data_top,
        };
        let free = &mut self.free[region_slot(kind)];
        let (mut start, mut end) = (addr, addr + size);
        if let Some((&s, &len)) = free.range(..start).next_back() {
            if s + len == start {
                free.remove(&s);
                start = s;
            }
        }
        if let Some(len) = free.remove(&end) {
            end += len;
        }
        if end == top {
            *self.top_mut(kind) = start;
        } else {
            free.insert(start, end - start);
        }
    }

    /// Takes `size` bytes aligned to `align` from the first free range of region `kind` that
    /// holds them, if any.
    pub(crate) fn take_free(&mut self, kind: RegionKind, size: u64, align: u64) -> Option<u64> {
        if size == 0 {
            return None;
        }
        let free = &mut self.free[region_slot(kind)];
        let (start, len, addr, end) = free.iter().find_map(|(&s, &len)| {
            let addr = s.checked_next_multiple_of(align)?;
            let end = addr.checked_add(size)?;
            (end <= s + len).then_some((s, len, addr, end))
        })?;
        free.remove(&start);
        if addr > start {
            free.insert(start, addr - start);
        }
        if end < start + len {
            free.insert(end, start + len - end);
        }
        Some(addr)
    }

    /// Forgets every unit and symbol and empties the regions, as a device RESET does. The
    /// memory map and the runtime stay.
    pub fn reset(&mut self) {
        self.code_top = self.map.code.base;
        self.data_top = self.map.data.base;
        self.free = [BTreeMap::new(), BTreeMap::new()];
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

/// The index of region `kind` in [`Shadow::free`].
pub(crate) const fn region_slot(kind: RegionKind) -> usize {
    match kind {
        RegionKind::Code => 0,
        RegionKind::Data => 1,
    }
}

impl SymbolResolver for Shadow {
    fn resolve(&self, name: &str) -> Option<u64> {
        self.symbol(name)
    }
}
