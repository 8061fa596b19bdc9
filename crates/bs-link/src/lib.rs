//! BlueScript's linker: it turns one unit's relocatable ELF object (the output of `gcc -c` on the
//! C the host generated) into bytes at fixed device addresses, ready to be sent with LOAD frames.
//! It is data in, data out: [`link_object`] reads a byte slice, asks a [`Placer`] (the host's
//! shadow machine) where each region's bytes go, asks a [`SymbolResolver`] (earlier units and the
//! runtime, see [`read_runtime_elf`]) for the symbols the unit does not define, and returns a
//! [`LinkedUnit`] ([`link_object_with`] takes one value that is both, such as the shadow
//! machine's unit transaction). Per-ISA facts live in [`Arch`]: x86-64 (the `host` device) and ARM Thumb-2
//! (Cortex-M).
//!
//! # Rules
//!
//! - Loaded sections are the `SHF_ALLOC` ones except notes. Executable sections go to the code
//!   region, all others (`.rodata*`, `.data*`, `.bss*`, `.eh_frame`, `.ARM.exidx`) to the data
//!   region. `SHT_NOBITS` sections are laid out last and sent as zero bytes. Sections that are
//!   not loaded (debug information, `.comment`, `.note.GNU-stack`, …) are ignored, and so are
//!   their relocations. Thread-local sections and constructor tables (`.init_array`, `.ctors`)
//!   are refused, since nothing would honour them.
//! - Each region kind gets one chunk: one [`Placer::place`] call with the combined size and the
//!   largest section alignment, the sections laid out inside it in file order.
//! - A symbol defined in the object resolves to its section's address plus its value, even when
//!   another unit or the runtime defines the same name (no interposition); section and local
//!   symbols always resolve within the object. An undefined symbol goes to the resolver; an
//!   undefined weak symbol it does not know is 0. Every missing symbol is reported at once in
//!   [`LinkError::Undefined`]. Common symbols are refused (compile with `-fno-common`).
//! - `R_X86_64_PLT32` is applied as `R_X86_64_PC32` to the symbol itself: there is no PLT.
//! - On Thumb-2, each distinct target outside the unit of a `BL` / `B.W` gets a veneer slot
//!   (8 bytes after the unit's code, [`VENEER_SECTION`]), and a branch is routed through it when
//!   the target is out of the ±16 MiB branch range (RAM at `0x2000_0000` calling flash near 0).
//!   The unit's address is only known after its size is, so slots are reserved for every such
//!   target, including near ones that end up branched to directly.
//!
//! # Invariants
//!
//! - **Every relocation is range-checked before patching.** Its value is computed in `i128` and
//!   compared with the range of its field (e.g. `i32` for `R_X86_64_PC32`/`32S`, `u32` for
//!   `R_X86_64_32`, ±16 MiB for Thumb branches); a value that does not fit is a
//!   [`LinkError::OutOfRange`] and no byte of the place is written. Every place lies inside its
//!   section's bytes, or the object is refused with [`LinkError::BadRelocationOffset`].
//! - **Every placement lies inside its region.** The [`Placer`] owns the regions and answers
//!   only with ranges inside them (the shadow machine checks this); the linker asks at most once
//!   per region kind, places every section and veneer within the returned range, and refuses an
//!   answer that is misaligned or runs past the target's address space
//!   ([`LinkError::BadPlacement`]).
//! - Nothing is returned unless the whole unit linked: a [`LinkedUnit`] is complete, or there is
//!   an error and nothing to send (the caller rolls the placement back).

#![forbid(unsafe_code)]

mod arch;
mod error;
mod lines;
mod link;
mod model;
mod reloc;
mod runtime;

pub use arch::{Arch, RelocKind, RelocSpec};
pub use error::{LinkError, PlaceError, RuntimeError, UndefinedSymbol};
pub use lines::{LineRow, LineTable};
pub use link::{link_object, link_object_with};
pub use model::{
    CLASS_TABLE_SECTION, Chunk, LinkedUnit, PlacedSection, Placer, RegionKind, SymbolResolver,
    VENEER_SECTION,
};
pub use runtime::{BUILD_ID_SYMBOL, RuntimeImage, read_runtime_elf};
