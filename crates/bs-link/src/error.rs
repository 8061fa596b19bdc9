//! The linker's errors. Every variant carries what a caller needs to act on it: the symbol and
//! the section that wanted it, the address and region of a bad placement, the relocation type,
//! section and offset of a relocation that cannot be applied.

use std::fmt;

use thiserror::Error;

use crate::{Arch, RegionKind};

/// A [`Placer`](crate::Placer) could not find room for a unit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlaceError {
    /// The region has fewer free bytes than requested (after aligning).
    #[error(
        "the device's {region} region is full: {requested} bytes requested (aligned to \
         {align}), {free} bytes free"
    )]
    RegionFull {
        /// Which region.
        region: RegionKind,
        /// Bytes requested.
        requested: u64,
        /// Alignment requested.
        align: u64,
        /// Bytes still free at the end of the region (before aligning).
        free: u64,
    },
    /// The requested alignment is not a power of two.
    #[error("invalid alignment {align} requested in the {region} region (not a power of two)")]
    BadAlignment {
        /// Which region.
        region: RegionKind,
        /// The alignment requested.
        align: u64,
    },
}

/// An undefined symbol that a unit needs, and where the first need was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndefinedSymbol {
    /// The symbol's name.
    pub symbol: String,
    /// The section whose relocation first refers to it (e.g. `.text`).
    pub section: String,
}

impl fmt::Display for UndefinedSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` (referenced from {})", self.symbol, self.section)
    }
}

/// Lists undefined symbols for [`LinkError::Undefined`]'s message.
fn list(symbols: &[UndefinedSymbol]) -> String {
    symbols
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why [`link_object`](crate::link_object) failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// The object is not a well-formed ELF file (or uses a feature this reader rejects).
    #[error("malformed object file: {0}")]
    Malformed(String),
    /// The object is for another instruction set than the device's.
    #[error("the object is {found}, but the device is {expected}")]
    WrongArch {
        /// The device's architecture.
        expected: Arch,
        /// What the object's header says.
        found: String,
    },
    /// The object is not a relocatable object (`ET_REL`).
    #[error("the object is not a relocatable object file (ELF type {e_type})")]
    NotRelocatable {
        /// The ELF `e_type`.
        e_type: u16,
    },
    /// Symbols the unit refers to are neither defined in it nor known to the resolver. Lists
    /// every such symbol, in the order of first reference.
    #[error("undefined symbols: {}", list(.symbols))]
    Undefined {
        /// Every unresolved symbol, each with the section that first referred to it.
        symbols: Vec<UndefinedSymbol>,
    },
    /// A common symbol (`SHN_COMMON`): units must be compiled with `-fno-common`.
    #[error("`{symbol}` is a common symbol; compile units with -fno-common")]
    Common {
        /// The symbol's name.
        symbol: String,
    },
    /// A symbol used by a relocation is defined in a section that is not loaded.
    #[error("`{symbol}` is defined in section {section}, which is not loaded on the device")]
    NotLoaded {
        /// The symbol's name.
        symbol: String,
        /// The section it is defined in.
        section: String,
    },
    /// An allocated section of a kind the loader cannot honour.
    #[error("cannot load section {section}: {reason}")]
    UnsupportedSection {
        /// The section's name.
        section: String,
        /// Why.
        reason: &'static str,
    },
    /// A relocation type the linker does not implement for this architecture.
    #[error(
        "unsupported relocation {} in {section} at offset {offset:#x}",
        reloc_label(*.arch, *.kind)
    )]
    Unsupported {
        /// The architecture whose relocation table was consulted.
        arch: Arch,
        /// The ELF relocation type number (`r_type`).
        kind: u32,
        /// The section being patched.
        section: String,
        /// Offset of the place within that section.
        offset: u64,
    },
    /// A relocation's place is not inside its section's bytes.
    #[error(
        "relocation {} in {section} at offset {offset:#x} patches outside the section \
         ({size} bytes)",
        reloc_label(*.arch, *.kind)
    )]
    BadRelocationOffset {
        /// The architecture.
        arch: Arch,
        /// The ELF relocation type number.
        kind: u32,
        /// The section being patched.
        section: String,
        /// Offset of the place within that section.
        offset: u64,
        /// The section's size.
        size: u64,
    },
    /// A relocation's value does not fit the field it is written to.
    #[error(
        "relocation {} in {section} at offset {offset:#x} against `{symbol}` ({target:#x}) \
         from {place:#x}: value {value:#x} is out of range ({range})",
        reloc_label(*.arch, *.kind)
    )]
    OutOfRange {
        /// The architecture.
        arch: Arch,
        /// The ELF relocation type number.
        kind: u32,
        /// The section being patched.
        section: String,
        /// Offset of the place within that section.
        offset: u64,
        /// The symbol the relocation refers to.
        symbol: String,
        /// The symbol's address plus addend.
        target: i128,
        /// The address of the place.
        place: u64,
        /// The value that does not fit.
        value: i128,
        /// What would have fitted.
        range: &'static str,
    },
    /// The placer could not find room.
    #[error(transparent)]
    Place(#[from] PlaceError),
    /// The placer returned an address that breaks the requested alignment or wraps around
    /// the target's address space.
    #[error(
        "the placer returned {addr:#x} for {size} bytes of {region} aligned to {align}, which \
         is misaligned or beyond the {arch} address space"
    )]
    BadPlacement {
        /// The architecture.
        arch: Arch,
        /// Which region.
        region: RegionKind,
        /// The address returned.
        addr: u64,
        /// Bytes requested.
        size: u64,
        /// Alignment requested.
        align: u64,
    },
}

/// `R_X86_64_PC32 (2)` or `relocation type 99` for messages.
fn reloc_label(arch: Arch, kind: u32) -> String {
    match arch.relocation_name(kind) {
        Some(name) => format!("{name} ({kind})"),
        None => format!("type {kind} ({arch})"),
    }
}

impl From<object::read::Error> for LinkError {
    fn from(e: object::read::Error) -> Self {
        LinkError::Malformed(e.to_string())
    }
}

/// Why [`read_runtime_elf`](crate::read_runtime_elf) failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuntimeError {
    /// The file is not a well-formed ELF file.
    #[error("malformed runtime executable: {0}")]
    Malformed(String),
    /// The file is for an architecture the linker does not support.
    #[error("the runtime executable is {found}, which is not a supported device architecture")]
    UnsupportedArch {
        /// What the header says.
        found: String,
    },
    /// The file is not a static, non-PIE executable (`ET_EXEC`), so its symbol values are not
    /// the device addresses.
    #[error(
        "the runtime is not a static non-PIE executable (ELF type {e_type}); link it with \
         -static -no-pie"
    )]
    NotExecutable {
        /// The ELF `e_type`.
        e_type: u16,
    },
    /// The executable has no symbol table (it was stripped).
    #[error("the runtime executable has no symbol table (was it stripped?)")]
    NoSymbols,
    /// `bs_build_id` is not defined.
    #[error("the runtime executable does not define `bs_build_id`")]
    MissingBuildId,
    /// `bs_build_id` is defined but its 8 bytes cannot be read from the file.
    #[error("cannot read the 8 bytes of `bs_build_id`: {reason}")]
    BadBuildId {
        /// Why.
        reason: String,
    },
}

impl From<object::read::Error> for RuntimeError {
    fn from(e: object::read::Error) -> Self {
        RuntimeError::Malformed(e.to_string())
    }
}
