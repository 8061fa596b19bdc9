//! The data the linker exchanges with its caller: the two device regions, the [`Placer`] that
//! chooses addresses in them, the [`SymbolResolver`] that knows the addresses of earlier units
//! and of the runtime, and the [`LinkedUnit`] the linker hands back.

use std::fmt;

/// The device memory region a section is loaded into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionKind {
    /// Executable memory: `.text*` and the linker's veneers.
    Code,
    /// Everything else that is loaded: `.rodata*`, `.data*`, `.bss*`.
    Data,
}

impl RegionKind {
    /// Both kinds, in the order the linker places them.
    pub const ALL: [RegionKind; 2] = [RegionKind::Code, RegionKind::Data];

    /// `"code"` or `"data"`.
    pub const fn name(self) -> &'static str {
        match self {
            RegionKind::Code => "code",
            RegionKind::Data => "data",
        }
    }
}

impl fmt::Display for RegionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Chooses where a unit's bytes go on the device (the host's shadow machine implements it).
///
/// [`link_object`](crate::link_object) calls [`Placer::place`] at most once per region kind,
/// with the unit's combined size (never 0) and the largest alignment any of its sections
/// needs, and rejects an answer that is not aligned as asked.
pub trait Placer {
    /// Reserves `size` bytes aligned to `align` (a power of two) in region `kind` and returns
    /// the address of the first byte. The whole range must lie inside the region.
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, crate::PlaceError>;
}

/// Knows the addresses of symbols defined outside the unit being linked: the runtime's, and
/// those of units loaded earlier.
pub trait SymbolResolver {
    /// The address of `name`, or `None` if it is not defined. Thumb function addresses carry
    /// bit 0, as in ELF symbol tables.
    fn resolve(&self, name: &str) -> Option<u64>;
}

impl<R: SymbolResolver + ?Sized> SymbolResolver for &R {
    fn resolve(&self, name: &str) -> Option<u64> {
        (**self).resolve(name)
    }
}

impl SymbolResolver for std::collections::HashMap<String, u64> {
    fn resolve(&self, name: &str) -> Option<u64> {
        self.get(name).copied()
    }
}

/// Bytes to copy to the device at one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Device address of the first byte.
    pub addr: u64,
    /// The bytes, relocated; `.bss` and alignment padding are zeros.
    pub bytes: Vec<u8>,
    /// The region the chunk lies in.
    pub kind: RegionKind,
}

impl Chunk {
    /// One past the last byte.
    pub fn end(&self) -> u64 {
        self.addr + self.bytes.len() as u64
    }
}

/// Where one input section (or the linker's veneers) ended up, for listings and for mapping a
/// device address back to a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedSection {
    /// The section's name (`.text`, `.rodata.str1.1`, …); the linker's own veneers are
    /// `.bs.veneers`.
    pub name: String,
    /// The region it lies in.
    pub kind: RegionKind,
    /// Device address of its first byte.
    pub addr: u64,
    /// Its size in bytes.
    pub size: u64,
    /// True for a section the program writes (`SHF_WRITE`: `.data`, `.bss`), false for code
    /// and read-only data.
    pub writable: bool,
}

/// The name [`PlacedSection`] uses for the veneers the linker adds.
pub const VENEER_SECTION: &str = ".bs.veneers";

/// The read-only section of program class tables (descriptors, vtables, reference bitmaps,
/// member tables; bs-cgen puts them there): it is placed in the code region, which is larger
/// than the data region on the host and is not scanned by the collector, since those tables
/// hold no heap references. Units that define classes are never freed, so neither are they.
pub const CLASS_TABLE_SECTION: &str = ".rodata.bs_class";

/// A unit ready to be copied to the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedUnit {
    /// The bytes to load: at most one chunk per region kind, code first.
    pub chunks: Vec<Chunk>,
    /// The unit's global (and weak) defined symbols with their device addresses, in symbol
    /// table order. Thumb function addresses carry bit 0.
    pub symbols: Vec<(String, u64)>,
    /// Bytes placed in the code region (including alignment padding and veneers).
    pub code_size: u64,
    /// Bytes placed in the data region (including `.bss` and alignment padding).
    pub data_size: u64,
    /// Where each loaded section went.
    pub sections: Vec<PlacedSection>,
    /// Which source line each code address came from, from the object's debug information
    /// (which is not loaded).
    pub lines: crate::LineTable,
}

impl LinkedUnit {
    /// The address of global symbol `name` defined by this unit.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.symbols
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, addr)| addr)
    }

    /// The chunk placed in region `kind`, if the unit has bytes there.
    pub fn chunk(&self, kind: RegionKind) -> Option<&Chunk> {
        self.chunks.iter().find(|c| c.kind == kind)
    }

    /// The placed section named `name` (the first, if several share the name).
    pub fn section(&self, name: &str) -> Option<&PlacedSection> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The bytes at device addresses `addr .. addr + len`, if they all lie in one chunk.
    pub fn bytes_at(&self, addr: u64, len: u64) -> Option<&[u8]> {
        let chunk = self
            .chunks
            .iter()
            .find(|c| addr >= c.addr && addr.checked_add(len).is_some_and(|e| e <= c.end()))?;
        let start = usize::try_from(addr - chunk.addr).ok()?;
        let len = usize::try_from(len).ok()?;
        Some(&chunk.bytes[start..start + len])
    }
}
