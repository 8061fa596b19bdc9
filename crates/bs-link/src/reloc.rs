//! Computing and patching one relocation, given the symbol's address `S`, the addend `A` and the
//! place's address `P`: pure functions over byte slices, ISA-neutral through
//! [`RelocKind`](crate::RelocKind).
//!
//! Every value is computed in `i128`, so no intermediate can overflow, and is checked against
//! the range of the field it goes into before a single byte is written; a value that does not
//! fit leaves the place untouched and is reported as [`Overflow`].

use crate::RelocKind;

/// A computed relocation value that does not fit its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overflow {
    /// The value that was computed.
    pub value: i128,
    /// The range it had to fit, for messages.
    pub range: &'static str,
}

/// The symbol a relocation refers to, as the relocation formulas need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    /// `S`: the symbol's address (for a local Thumb function, without the Thumb bit).
    pub addr: u64,
    /// `T`: the symbol is a Thumb function whose address must carry bit 0.
    pub thumb: bool,
}

fn read_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn write_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn read_u32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn write_u32(b: &mut [u8], v: u32) {
    b[..4].copy_from_slice(&v.to_le_bytes());
}

/// Sign-extends the low `bits` bits of `v`.
fn sign_extend(v: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((v << shift) as i64) >> shift
}

/// Decodes the branch offset of a Thumb-2 `BL` / `B.W` (encoding T1 / T4): `S:I1:I2:imm10:imm11:0`.
pub(crate) fn thumb_branch_offset(hw1: u16, hw2: u16) -> i64 {
    let s = u64::from((hw1 >> 10) & 1);
    let imm10 = u64::from(hw1 & 0x3ff);
    let j1 = u64::from((hw2 >> 13) & 1);
    let j2 = u64::from((hw2 >> 11) & 1);
    let imm11 = u64::from(hw2 & 0x7ff);
    let i1 = !(j1 ^ s) & 1;
    let i2 = !(j2 ^ s) & 1;
    let imm = (s << 24) | (i1 << 23) | (i2 << 22) | (imm10 << 12) | (imm11 << 1);
    sign_extend(imm, 25)
}

/// Encodes branch offset `offset` (even, within ±16 MiB) into a Thumb-2 `BL` / `B.W` pair,
/// keeping the opcode bits. `force_bl` turns a `BLX` into a `BL` (M-profile cores are Thumb-only).
fn encode_thumb_branch(hw1: u16, hw2: u16, offset: i64, force_bl: bool) -> (u16, u16) {
    let v = offset as u64;
    let s = (v >> 24) & 1;
    let i1 = (v >> 23) & 1;
    let i2 = (v >> 22) & 1;
    let imm10 = (v >> 12) & 0x3ff;
    let imm11 = (v >> 1) & 0x7ff;
    let j1 = !(i1 ^ s) & 1;
    let j2 = !(i2 ^ s) & 1;
    let hw1 = (hw1 & 0xf800) | ((s as u16) << 10) | imm10 as u16;
    let mut hw2 = (hw2 & 0xd000) | ((j1 as u16) << 13) | ((j2 as u16) << 11) | imm11 as u16;
    if force_bl {
        hw2 |= 1 << 12;
    }
    (hw1, hw2)
}

/// Decodes the 16-bit immediate of a Thumb-2 `MOVW` / `MOVT` (encoding T3 / T1):
/// `imm4:i:imm3:imm8`.
pub(crate) fn thumb_mov_imm16(hw1: u16, hw2: u16) -> u16 {
    let imm4 = hw1 & 0xf;
    let i = (hw1 >> 10) & 1;
    let imm3 = (hw2 >> 12) & 7;
    let imm8 = hw2 & 0xff;
    (imm4 << 12) | (i << 11) | (imm3 << 8) | imm8
}

fn encode_thumb_mov(hw1: u16, hw2: u16, imm16: u16) -> (u16, u16) {
    let hw1 = (hw1 & 0xfbf0) | ((imm16 >> 12) & 0xf) | (((imm16 >> 11) & 1) << 10);
    let hw2 = (hw2 & 0x8f00) | (((imm16 >> 8) & 7) << 12) | (imm16 & 0xff);
    (hw1, hw2)
}

/// The addend stored in the place itself, for REL relocations (ARM). `place` holds at least
/// [`RelocKind::width`] bytes.
pub(crate) fn implicit_addend(kind: RelocKind, place: &[u8]) -> i64 {
    match kind {
        RelocKind::None => 0,
        RelocKind::Abs64 | RelocKind::Pc64 => {
            let mut b = [0; 8];
            b.copy_from_slice(&place[..8]);
            i64::from_le_bytes(b)
        }
        RelocKind::Abs32
        | RelocKind::Abs32S
        | RelocKind::Pc32
        | RelocKind::Word32
        | RelocKind::PcWord32 => i64::from(read_u32(place) as i32),
        RelocKind::Prel31 => sign_extend(u64::from(read_u32(place)), 31),
        RelocKind::ThumbCall | RelocKind::ThumbJump24 => {
            thumb_branch_offset(read_u16(place, 0), read_u16(place, 2))
        }
        RelocKind::ThumbMovwAbsNc | RelocKind::ThumbMovtAbs => {
            i64::from(thumb_mov_imm16(read_u16(place, 0), read_u16(place, 2)) as i16)
        }
    }
}

fn check(value: i128, lo: i128, hi: i128, range: &'static str) -> Result<i128, Overflow> {
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(Overflow { value, range })
    }
}

const I32: (i128, i128, &str) = (i32::MIN as i128, i32::MAX as i128, "signed 32 bits");
const U32: (i128, i128, &str) = (0, u32::MAX as i128, "unsigned 32 bits");
const WORD32: (i128, i128, &str) = (i32::MIN as i128, u32::MAX as i128, "32 bits");
const WORD64: (i128, i128, &str) = (i64::MIN as i128, u64::MAX as i128, "64 bits");

/// Computes relocation `kind` for symbol `target`, addend `a` and place address `p`, checks
/// that the value fits, and only then writes it into `place` (which holds at least
/// [`RelocKind::width`] bytes). Returns the value written (before truncation to the field).
pub(crate) fn apply(
    kind: RelocKind,
    target: Target,
    a: i64,
    p: u64,
    place: &mut [u8],
) -> Result<i128, Overflow> {
    let sa = i128::from(target.addr) + i128::from(a);
    let sa_t = if target.thumb { sa | 1 } else { sa };
    let pc = i128::from(p);
    let within = |v: i128, (lo, hi, range): (i128, i128, &'static str)| check(v, lo, hi, range);
    match kind {
        RelocKind::None => Ok(0),
        RelocKind::Abs64 | RelocKind::Pc64 => {
            let v = if kind == RelocKind::Abs64 {
                sa
            } else {
                sa - pc
            };
            let v = within(v, WORD64)?;
            place[..8].copy_from_slice(&(v as u64).to_le_bytes());
            Ok(v)
        }
        RelocKind::Abs32 | RelocKind::Abs32S | RelocKind::Pc32 => {
            let (v, range) = match kind {
                RelocKind::Abs32 => (sa, U32),
                RelocKind::Abs32S => (sa, I32),
                _ => (sa - pc, I32),
            };
            let v = within(v, range)?;
            write_u32(place, v as u32);
            Ok(v)
        }
        RelocKind::Word32 => {
            let v = within(sa_t, WORD32)?;
            write_u32(place, v as u32);
            Ok(v)
        }
        RelocKind::PcWord32 => {
            // The difference of two 32-bit addresses: correct modulo 2^32 either way.
            let v = check(sa_t - pc, -(u32::MAX as i128), u32::MAX as i128, "32 bits")?;
            write_u32(place, v as u32);
            Ok(v)
        }
        RelocKind::Prel31 => {
            let v = check(sa_t - pc, -(1 << 30), (1 << 30) - 1, "signed 31 bits")?;
            let old = read_u32(place);
            write_u32(place, (old & 0x8000_0000) | (v as u32 & 0x7fff_ffff));
            Ok(v)
        }
        RelocKind::ThumbCall | RelocKind::ThumbJump24 => {
            // Bit 0 only selects the instruction set, which is always Thumb on M-profile.
            let v = check(
                (sa_t - pc) & !1,
                -(1 << 24),
                (1 << 24) - 2,
                "±16 MiB branch",
            )?;
            let (hw1, hw2) = encode_thumb_branch(
                read_u16(place, 0),
                read_u16(place, 2),
                v as i64,
                kind == RelocKind::ThumbCall,
            );
            write_u16(place, 0, hw1);
            write_u16(place, 2, hw2);
            Ok(v)
        }
        RelocKind::ThumbMovwAbsNc | RelocKind::ThumbMovtAbs => {
            let imm16 = if kind == RelocKind::ThumbMovwAbsNc {
                (sa_t & 0xffff) as u16
            } else {
                ((within(sa, WORD32)? as u32) >> 16) as u16
            };
            let (hw1, hw2) = encode_thumb_mov(read_u16(place, 0), read_u16(place, 2), imm16);
            write_u16(place, 0, hw1);
            write_u16(place, 2, hw2);
            Ok(sa_t)
        }
    }
}

/// Writes a Thumb-2 long-branch veneer to `to` (a Thumb function) into `out` (8 bytes at a
/// 4-aligned address): `ldr.w pc, [pc, #0]` followed by the target address with bit 0 set.
/// Returns false if `to` is not a 32-bit address.
pub(crate) fn write_thumb_veneer(out: &mut [u8], to: u64) -> bool {
    let Ok(to) = u32::try_from(to) else {
        return false;
    };
    write_u16(out, 0, 0xf8df);
    write_u16(out, 2, 0xf000);
    write_u32(&mut out[4..], to | 1);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(addr: u64) -> Target {
        Target { addr, thumb: false }
    }

    #[test]
    fn pc32_displacement_and_range() {
        let mut b = [0u8; 4];
        // call at 0x1000 (place 0x1001), target 0x2000, addend -4: 0x2000 - 4 - 0x1001.
        apply(RelocKind::Pc32, t(0x2000), -4, 0x1001, &mut b).unwrap();
        assert_eq!(i32::from_le_bytes(b), 0x2000 - 4 - 0x1001);
        let far = apply(
            RelocKind::Pc32,
            t(0x1_0000_0000 + 0x1000),
            -4,
            0x1000,
            &mut b,
        );
        assert!(far.is_err());
        // The place is untouched after an overflow.
        assert_eq!(i32::from_le_bytes(b), 0x2000 - 4 - 0x1001);
        // Backwards just inside the range.
        apply(RelocKind::Pc32, t(0), 0, 0x8000_0000, &mut b).unwrap();
        assert_eq!(i32::from_le_bytes(b), i32::MIN);
        assert!(apply(RelocKind::Pc32, t(0), 0, 0x8000_0001, &mut b).is_err());
    }

    #[test]
    fn abs32_and_abs32s() {
        let mut b = [0u8; 4];
        apply(RelocKind::Abs32, t(0xffff_fff0), 0xf, 0, &mut b).unwrap();
        assert_eq!(u32::from_le_bytes(b), 0xffff_ffff);
        assert!(apply(RelocKind::Abs32, t(0xffff_fff0), 0x10, 0, &mut b).is_err());
        assert!(apply(RelocKind::Abs32, t(0), -1, 0, &mut b).is_err());
        assert!(apply(RelocKind::Abs32S, t(0x8000_0000), 0, 0, &mut b).is_err());
        apply(RelocKind::Abs32S, t(0x7fff_ffff), 0, 0, &mut b).unwrap();
        assert_eq!(u32::from_le_bytes(b), 0x7fff_ffff);
        let e = apply(RelocKind::Abs32S, t(0x8000_0000), 0, 0, &mut b).unwrap_err();
        assert_eq!(e.value, 0x8000_0000);
    }

    #[test]
    fn abs64_and_pc64() {
        let mut b = [0u8; 8];
        apply(RelocKind::Abs64, t(0x1234_5678_9abc), 4, 0, &mut b).unwrap();
        assert_eq!(u64::from_le_bytes(b), 0x1234_5678_9ac0);
        apply(RelocKind::Pc64, t(0x1000), 0, 0x3000, &mut b).unwrap();
        assert_eq!(i64::from_le_bytes(b), -0x2000);
        assert!(apply(RelocKind::Abs64, t(u64::MAX), 1, 0, &mut b).is_err());
        assert_eq!(
            implicit_addend(RelocKind::Abs64, &(-8i64).to_le_bytes()),
            -8
        );
    }

    #[test]
    fn thumb_branch_round_trip() {
        // `bl .` with the assembler's implicit addend -4: f7ff fffe.
        assert_eq!(thumb_branch_offset(0xf7ff, 0xfffe), -4);
        for off in [
            -4i64,
            0,
            2,
            0x1000,
            -0x1000,
            (1 << 24) - 2,
            -(1 << 24),
            0x00ab_cdee,
        ] {
            let (h1, h2) = encode_thumb_branch(0xf000, 0xd000, off, true);
            assert_eq!(thumb_branch_offset(h1, h2), off, "{off:#x}");
            assert_eq!(h1 & 0xf800, 0xf000);
            assert_eq!(h2 & 0xd000, 0xd000);
        }
        // B.W keeps its opcode bits (10x1).
        let (_, h2) = encode_thumb_branch(0xf000, 0x9000, 8, false);
        assert_eq!(h2 & 0xd000, 0x9000);
    }

    #[test]
    fn thumb_call_patch_and_range() {
        // bl at 0x2000_0010 to 0x0000_0101 (a Thumb function in flash): far out of range.
        let mut b = [0xff, 0xf7, 0xfe, 0xff];
        let far = Target {
            addr: 0x101,
            thumb: false,
        };
        assert!(apply(RelocKind::ThumbCall, far, -4, 0x2000_0010, &mut b).is_err());
        let near = Target {
            addr: 0x2000_0101,
            thumb: false,
        };
        apply(RelocKind::ThumbCall, near, -4, 0x2000_0010, &mut b).unwrap();
        let off = thumb_branch_offset(read_u16(&b, 0), read_u16(&b, 2));
        // Target = P + 4 + offset.
        assert_eq!(0x2000_0010 + 4 + off, 0x2000_0100);
    }

    #[test]
    fn thumb_movw_movt() {
        // movw r0, #0 ; movt r0, #0
        let mut lo = [0x40, 0xf2, 0x00, 0x00];
        let mut hi = [0xc0, 0xf2, 0x00, 0x00];
        let sym = Target {
            addr: 0x2000_1234,
            thumb: false,
        };
        apply(RelocKind::ThumbMovwAbsNc, sym, 0, 0, &mut lo).unwrap();
        apply(RelocKind::ThumbMovtAbs, sym, 0, 0, &mut hi).unwrap();
        assert_eq!(thumb_mov_imm16(read_u16(&lo, 0), read_u16(&lo, 2)), 0x1234);
        assert_eq!(thumb_mov_imm16(read_u16(&hi, 0), read_u16(&hi, 2)), 0x2000);
        // Opcode and register bits are kept: movw r0, #0x1234 is f241 2034.
        assert_eq!(lo, [0x41, 0xf2, 0x34, 0x20]);
        // An implicit addend is sign-extended.
        let (h1, h2) = encode_thumb_mov(0xf240, 0x0000, 0xfffc);
        let mut neg = [0u8; 4];
        write_u16(&mut neg, 0, h1);
        write_u16(&mut neg, 2, h2);
        assert_eq!(implicit_addend(RelocKind::ThumbMovwAbsNc, &neg), -4);
    }

    #[test]
    fn prel31_keeps_bit31() {
        let mut b = 0x8000_0000u32.to_le_bytes();
        apply(RelocKind::Prel31, t(0x100), 0, 0x200, &mut b).unwrap();
        assert_eq!(
            u32::from_le_bytes(b),
            0x8000_0000 | (0x7fff_ffff & (-0x100i32 as u32))
        );
        assert!(apply(RelocKind::Prel31, t(0x4000_0000), 0, 0, &mut b).is_err());
    }

    #[test]
    fn word32_sets_thumb_bit() {
        let mut b = [0u8; 4];
        let f = Target {
            addr: 0x2000_0040,
            thumb: true,
        };
        apply(RelocKind::Word32, f, 0, 0, &mut b).unwrap();
        assert_eq!(u32::from_le_bytes(b), 0x2000_0041);
        assert!(apply(RelocKind::Word32, t(0x1_0000_0000), 0, 0, &mut b).is_err());
    }

    #[test]
    fn veneer_encoding() {
        let mut v = [0u8; 8];
        assert!(write_thumb_veneer(&mut v, 0x1234));
        assert_eq!(v, [0xdf, 0xf8, 0x00, 0xf0, 0x35, 0x12, 0x00, 0x00]);
        assert!(!write_thumb_veneer(&mut v, 0x1_0000_0000));
    }
}
