//! Per-ISA facts, in one place: the ELF machine and class of each target, its pointer size, and
//! the table of ELF relocation types the linker understands, each mapped to an ISA-neutral
//! [`RelocKind`] that says how to compute and patch it (see `reloc.rs`).
//!
//! Adding a relocation type means adding one row to the target's table (and, for a new kind of
//! patch, one arm in `reloc.rs`); everything else in the linker is table-driven.

use std::fmt;

/// The instruction set a unit is linked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64 (the `host` device): ELF64, RELA relocations, 8-byte pointers.
    X86_64,
    /// ARMv7-M Thumb-2 (Cortex-M3 and up): ELF32, REL relocations, 4-byte pointers.
    Thumb2,
}

/// How a relocation computes its value and where it writes it, independent of the ELF number.
///
/// `S` is the symbol's address, `A` the addend, `P` the address of the patched place; `T` is 1
/// when the target is a Thumb function (ARM only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelocKind {
    /// Nothing to patch (`R_X86_64_NONE`, `R_ARM_NONE`, `R_ARM_V4BX`).
    None,
    /// `S + A`, 64 bits.
    Abs64,
    /// `S + A - P`, 64 bits.
    Pc64,
    /// `S + A`, 32 bits, must zero-extend to the 64-bit value (`R_X86_64_32`).
    Abs32,
    /// `S + A`, 32 bits, must sign-extend to the 64-bit value (`R_X86_64_32S`).
    Abs32S,
    /// `S + A - P`, signed 32 bits (`R_X86_64_PC32`, and `R_X86_64_PLT32`: there is no PLT).
    Pc32,
    /// `(S + A) | T` as a 32-bit word (`R_ARM_ABS32`, `R_ARM_TARGET1`).
    Word32,
    /// `((S + A) | T) - P` as a 32-bit word (`R_ARM_REL32`).
    PcWord32,
    /// `((S + A) | T) - P`, signed 31 bits; bit 31 of the place is kept (`R_ARM_PREL31`).
    Prel31,
    /// Thumb-2 `BL`: `((S + A) | T) - P`, signed 25 bits, even (`R_ARM_THM_CALL`).
    ThumbCall,
    /// Thumb-2 `B.W`: like [`RelocKind::ThumbCall`] (`R_ARM_THM_JUMP24`).
    ThumbJump24,
    /// Thumb-2 `MOVW`: the low 16 bits of `(S + A) | T`, unchecked (`R_ARM_THM_MOVW_ABS_NC`).
    ThumbMovwAbsNc,
    /// Thumb-2 `MOVT`: bits 16–31 of `S + A` (`R_ARM_THM_MOVT_ABS`).
    ThumbMovtAbs,
}

impl RelocKind {
    /// Number of bytes the relocation reads and writes at its place.
    pub const fn width(self) -> u64 {
        match self {
            RelocKind::None => 0,
            RelocKind::Abs64 | RelocKind::Pc64 => 8,
            RelocKind::Abs32
            | RelocKind::Abs32S
            | RelocKind::Pc32
            | RelocKind::Word32
            | RelocKind::PcWord32
            | RelocKind::Prel31
            | RelocKind::ThumbCall
            | RelocKind::ThumbJump24
            | RelocKind::ThumbMovwAbsNc
            | RelocKind::ThumbMovtAbs => 4,
        }
    }

    /// True for branch instructions whose target may be too far away for a direct branch, so
    /// the linker may route them through a veneer.
    pub const fn is_thumb_branch(self) -> bool {
        matches!(self, RelocKind::ThumbCall | RelocKind::ThumbJump24)
    }
}

/// One row of a target's relocation table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelocSpec {
    /// The ELF `r_type` number.
    pub r_type: u32,
    /// Its name in the psABI.
    pub name: &'static str,
    /// How the linker applies it.
    pub kind: RelocKind,
}

const fn spec(r_type: u32, name: &'static str, kind: RelocKind) -> RelocSpec {
    RelocSpec { r_type, name, kind }
}

/// Relocations the x86-64 linker applies.
const X86_64_RELOCS: &[RelocSpec] = &[
    spec(0, "R_X86_64_NONE", RelocKind::None),
    spec(1, "R_X86_64_64", RelocKind::Abs64),
    spec(2, "R_X86_64_PC32", RelocKind::Pc32),
    spec(4, "R_X86_64_PLT32", RelocKind::Pc32),
    spec(10, "R_X86_64_32", RelocKind::Abs32),
    spec(11, "R_X86_64_32S", RelocKind::Abs32S),
    spec(24, "R_X86_64_PC64", RelocKind::Pc64),
];

/// Names of x86-64 relocations the linker refuses, for error messages.
const X86_64_UNSUPPORTED_NAMES: &[(u32, &str)] = &[
    (3, "R_X86_64_GOT32"),
    (5, "R_X86_64_COPY"),
    (6, "R_X86_64_GLOB_DAT"),
    (7, "R_X86_64_JUMP_SLOT"),
    (8, "R_X86_64_RELATIVE"),
    (9, "R_X86_64_GOTPCREL"),
    (12, "R_X86_64_16"),
    (13, "R_X86_64_PC16"),
    (14, "R_X86_64_8"),
    (15, "R_X86_64_PC8"),
    (19, "R_X86_64_TLSGD"),
    (20, "R_X86_64_TLSLD"),
    (21, "R_X86_64_DTPOFF32"),
    (22, "R_X86_64_GOTTPOFF"),
    (23, "R_X86_64_TPOFF32"),
    (25, "R_X86_64_GOTOFF64"),
    (26, "R_X86_64_GOTPC32"),
    (41, "R_X86_64_GOTPCRELX"),
    (42, "R_X86_64_REX_GOTPCRELX"),
];

/// Relocations the Thumb-2 linker applies.
const THUMB2_RELOCS: &[RelocSpec] = &[
    spec(0, "R_ARM_NONE", RelocKind::None),
    spec(2, "R_ARM_ABS32", RelocKind::Word32),
    spec(3, "R_ARM_REL32", RelocKind::PcWord32),
    spec(10, "R_ARM_THM_CALL", RelocKind::ThumbCall),
    spec(30, "R_ARM_THM_JUMP24", RelocKind::ThumbJump24),
    // TARGET1 is ABS32 or REL32 by platform convention; bare-metal toolchains use ABS32.
    spec(38, "R_ARM_TARGET1", RelocKind::Word32),
    spec(40, "R_ARM_V4BX", RelocKind::None),
    spec(42, "R_ARM_PREL31", RelocKind::Prel31),
    spec(47, "R_ARM_THM_MOVW_ABS_NC", RelocKind::ThumbMovwAbsNc),
    spec(48, "R_ARM_THM_MOVT_ABS", RelocKind::ThumbMovtAbs),
];

/// Names of ARM relocations the linker refuses, for error messages.
const THUMB2_UNSUPPORTED_NAMES: &[(u32, &str)] = &[
    (1, "R_ARM_PC24"),
    (5, "R_ARM_ABS16"),
    (8, "R_ARM_ABS8"),
    (26, "R_ARM_GOT_BREL"),
    (28, "R_ARM_CALL"),
    (29, "R_ARM_JUMP24"),
    (41, "R_ARM_TARGET2"),
    (43, "R_ARM_MOVW_ABS_NC"),
    (44, "R_ARM_MOVT_ABS"),
    (49, "R_ARM_THM_MOVW_PREL_NC"),
    (50, "R_ARM_THM_MOVT_PREL"),
    (51, "R_ARM_THM_JUMP19"),
    (102, "R_ARM_THM_JUMP11"),
    (103, "R_ARM_THM_JUMP8"),
    (104, "R_ARM_TLS_GD32"),
    (107, "R_ARM_TLS_IE32"),
    (108, "R_ARM_TLS_LE32"),
];

/// Size in bytes of one Thumb-2 long-branch veneer: `ldr.w pc, [pc, #0]` then the target word.
pub(crate) const THUMB2_VENEER_SIZE: u64 = 8;

impl Arch {
    /// Pointer size on the device, in bytes.
    pub const fn pointer_size(self) -> u8 {
        match self {
            Arch::X86_64 => 8,
            Arch::Thumb2 => 4,
        }
    }

    /// The architecture number in the protocol's HELLO_REPLY (`docs/protocol.md`).
    pub const fn protocol_id(self) -> u8 {
        match self {
            Arch::X86_64 => 1,
            Arch::Thumb2 => 2,
        }
    }

    /// The inverse of [`Arch::protocol_id`].
    pub const fn from_protocol_id(id: u8) -> Option<Arch> {
        match id {
            1 => Some(Arch::X86_64),
            2 => Some(Arch::Thumb2),
            _ => None,
        }
    }

    /// The ELF `e_machine` of objects and executables for this target.
    pub const fn elf_machine(self) -> u16 {
        match self {
            Arch::X86_64 => object::elf::EM_X86_64.0,
            Arch::Thumb2 => object::elf::EM_ARM.0,
        }
    }

    /// True when this target's objects are ELF64 (else ELF32).
    pub const fn is_elf64(self) -> bool {
        matches!(self, Arch::X86_64)
    }

    /// The largest address the target can reach: placements must end at or below it + 1.
    pub const fn max_address(self) -> u64 {
        match self {
            Arch::X86_64 => u64::MAX,
            Arch::Thumb2 => u32::MAX as u64,
        }
    }

    /// Every relocation type this target's linker applies.
    pub const fn supported_relocations(self) -> &'static [RelocSpec] {
        match self {
            Arch::X86_64 => X86_64_RELOCS,
            Arch::Thumb2 => THUMB2_RELOCS,
        }
    }

    /// How to apply relocation type `r_type`, or `None` if the linker does not support it.
    pub fn relocation(self, r_type: u32) -> Option<RelocSpec> {
        self.supported_relocations()
            .iter()
            .copied()
            .find(|s| s.r_type == r_type)
    }

    /// The psABI name of relocation type `r_type`, if known (supported or not).
    pub fn relocation_name(self, r_type: u32) -> Option<&'static str> {
        if let Some(spec) = self.relocation(r_type) {
            return Some(spec.name);
        }
        let unsupported = match self {
            Arch::X86_64 => X86_64_UNSUPPORTED_NAMES,
            Arch::Thumb2 => THUMB2_UNSUPPORTED_NAMES,
        };
        unsupported
            .iter()
            .find(|(t, _)| *t == r_type)
            .map(|(_, name)| *name)
    }

    /// Size of one long-branch veneer the linker adds to a unit's code for a branch whose
    /// target is out of the branch instruction's range, or `None` if the target needs none.
    pub const fn veneer_size(self) -> Option<u64> {
        match self {
            Arch::X86_64 => None,
            Arch::Thumb2 => Some(THUMB2_VENEER_SIZE),
        }
    }

    /// True if a veneer can reach `to` (it holds the target as a pointer-sized word).
    pub(crate) fn can_veneer_to(self, to: u64) -> bool {
        self.veneer_size().is_some() && to <= self.max_address()
    }

    /// Writes a veneer to `to` into `out` (at least [`Arch::veneer_size`] bytes, at an address
    /// aligned to 4); false if this target has no veneers or `to` is out of their reach.
    pub(crate) fn write_veneer(self, out: &mut [u8], to: u64) -> bool {
        match self {
            Arch::X86_64 => false,
            Arch::Thumb2 => crate::reloc::write_thumb_veneer(out, to),
        }
    }

    /// A short human-readable name.
    pub const fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86-64",
            Arch::Thumb2 => "ARM Thumb-2",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Describes an ELF file's class and machine for error messages.
pub(crate) fn describe_machine(is_64: bool, machine: u16) -> String {
    let class = if is_64 { "ELF64" } else { "ELF32" };
    let arch = [Arch::X86_64, Arch::Thumb2]
        .into_iter()
        .find(|a| a.elf_machine() == machine)
        .map_or_else(|| format!("machine {machine}"), |a| a.name().to_owned());
    format!("{class} {arch}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_unique_types_and_names() {
        for arch in [Arch::X86_64, Arch::Thumb2] {
            let table = arch.supported_relocations();
            for (i, a) in table.iter().enumerate() {
                for b in &table[i + 1..] {
                    assert_ne!(a.r_type, b.r_type, "{arch}: duplicate {}", a.name);
                }
                assert_eq!(arch.relocation(a.r_type), Some(*a));
                assert_eq!(arch.relocation_name(a.r_type), Some(a.name));
            }
        }
    }

    #[test]
    fn plt32_is_pc32() {
        assert_eq!(Arch::X86_64.relocation(4).unwrap().kind, RelocKind::Pc32);
        assert_eq!(Arch::X86_64.relocation(9), None);
        assert_eq!(Arch::X86_64.relocation_name(9), Some("R_X86_64_GOTPCREL"));
    }

    #[test]
    fn facts() {
        assert_eq!(Arch::X86_64.pointer_size(), 8);
        assert_eq!(Arch::Thumb2.pointer_size(), 4);
        for arch in [Arch::X86_64, Arch::Thumb2] {
            assert_eq!(Arch::from_protocol_id(arch.protocol_id()), Some(arch));
        }
        assert_eq!(describe_machine(false, 40), "ELF32 ARM Thumb-2");
        assert_eq!(describe_machine(true, 3), "ELF64 machine 3");
    }
}
