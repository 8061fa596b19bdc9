//! The Thumb-2 linker on objects assembled by `llvm-mc` for a Cortex-M3 (skipped, with a
//! message, when no `llvm-mc` is installed): branch, `MOVW`/`MOVT` and data relocations with
//! implicit addends, and veneers for calls from RAM to runtime code in flash.

mod common;

use std::process::Command;

use bs_link::{Arch, LinkError, LinkedUnit, RegionKind, VENEER_SECTION, link_object};
use common::*;

/// The first `llvm-mc` on the PATH, if any.
fn llvm_mc() -> Option<String> {
    std::iter::once("llvm-mc".to_owned())
        .chain((14..=22).rev().map(|v| format!("llvm-mc-{v}")))
        .find(|p| have(p))
}

/// Assembles Thumb-2 `source` for a Cortex-M3, or `None` (after saying so) without `llvm-mc`.
fn assemble_thumb(source: &str) -> Option<Vec<u8>> {
    let Some(mc) = llvm_mc() else {
        eprintln!("skipped: llvm-mc is not installed");
        return None;
    };
    let dir = TempDir::new("thumb");
    let s = dir.path("unit.s");
    let o = dir.path("unit.o");
    std::fs::write(&s, source).unwrap();
    let out = Command::new(mc)
        .args([
            "-triple=thumbv7m-none-eabi",
            "-mcpu=cortex-m3",
            "-filetype=obj",
        ])
        .arg(&s)
        .arg("-o")
        .arg(&o)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(std::fs::read(&o).unwrap())
}

fn hw(unit: &LinkedUnit, addr: u64) -> (u16, u16) {
    let b = unit.bytes_at(addr, 4).unwrap();
    (
        u16::from_le_bytes([b[0], b[1]]),
        u16::from_le_bytes([b[2], b[3]]),
    )
}

/// Where the `BL` / `B.W` at `addr` goes.
fn branch_target(unit: &LinkedUnit, addr: u64) -> u64 {
    let (h1, h2) = hw(unit, addr);
    let s = u32::from((h1 >> 10) & 1);
    let j1 = u32::from((h2 >> 13) & 1);
    let j2 = u32::from((h2 >> 11) & 1);
    let i1 = !(j1 ^ s) & 1;
    let i2 = !(j2 ^ s) & 1;
    let imm = (s << 24)
        | (i1 << 23)
        | (i2 << 22)
        | (u32::from(h1 & 0x3ff) << 12)
        | (u32::from(h2 & 0x7ff) << 1);
    let off = ((imm << 7) as i32) >> 7;
    (addr as i64 + 4 + i64::from(off)) as u64
}

/// The 16-bit immediate of the `MOVW` / `MOVT` at `addr`.
fn mov_imm(unit: &LinkedUnit, addr: u64) -> u32 {
    let (h1, h2) = hw(unit, addr);
    u32::from(h1 & 0xf) << 12
        | u32::from((h1 >> 10) & 1) << 11
        | u32::from((h2 >> 12) & 7) << 8
        | u32::from(h2 & 0xff)
}

const UNIT: &str = r#"
    .syntax unified
    .thumb
    .text
    .globl entry
    .type entry, %function
    .p2align 2
    .thumb_func
entry:
    push {r7, lr}
call_far:
    bl flash_fn
call_near:
    bl ram_fn
mov_lo:
    movw r0, #:lower16:ext_data
mov_hi:
    movt r0, #:upper16:ext_data
    ldr r1, =ext_data
    bl helper
    pop {r7, pc}
    .type helper, %function
    .thumb_func
helper:
jump_far:
    b.w flash_fn
    .ltorg
    .data
    .p2align 2
    .globl ptr
ptr: .word entry
    .globl rel
rel: .word ram_fn - .
    .globl tgt
tgt: .word helper(target1)
"#;

const FLASH_FN: u64 = 0x0000_1001; // a Thumb function in flash
const RAM_FN: u64 = 0x2000_8001; // a Thumb function of an earlier unit, in RAM
const EXT_DATA: u64 = 0x2003_1234;

fn thumb_placer() -> TestPlacer {
    TestPlacer::new((0x2000_0000, 0x1_0000), (0x2001_0000, 0x1_0000))
}

#[test]
fn thumb_relocations_and_veneers() {
    let Some(obj) = assemble_thumb(UNIT) else {
        return;
    };
    let mut placer = thumb_placer();
    let symbols = [
        ("flash_fn", FLASH_FN),
        ("ram_fn", RAM_FN),
        ("ext_data", EXT_DATA),
    ];
    let unit = link_object(&obj, Arch::Thumb2, &mut placer, &resolver(&symbols)).expect("link");
    let text = unit.section(".text").unwrap().addr;
    assert_eq!(text, 0x2000_0000);
    let entry = unit.symbol("entry").unwrap();
    assert_eq!(entry, text | 1, "exported Thumb functions carry bit 0");

    // Offsets of the labelled instructions within .text (entry: push is 2 bytes).
    let (call_far, call_near, mov_lo, mov_hi) = (text + 2, text + 6, text + 10, text + 14);

    // A call to flash is out of BL range from RAM: it goes through a veneer.
    let veneers = unit.section(VENEER_SECTION).expect("veneers placed");
    assert_eq!(veneers.kind, RegionKind::Code);
    let via = branch_target(&unit, call_far);
    assert!(
        via >= veneers.addr && via < veneers.addr + veneers.size,
        "{via:#x}"
    );
    assert_eq!(via % 4, 0);
    let v = unit.bytes_at(via, 8).unwrap();
    assert_eq!(&v[..4], [0xdf, 0xf8, 0x00, 0xf0], "ldr.w pc, [pc, #0]");
    assert_eq!(read_u32(&v[4..]), FLASH_FN as u32);

    // A call within RAM is direct.
    assert_eq!(branch_target(&unit, call_near), RAM_FN & !1);
    assert_eq!(hw(&unit, call_near).1 & 0xd000, 0xd000, "still a BL");

    // MOVW/MOVT build the address.
    assert_eq!(mov_imm(&unit, mov_lo), (EXT_DATA & 0xffff) as u32);
    assert_eq!(mov_imm(&unit, mov_hi), (EXT_DATA >> 16) as u32);

    // The tail call from helper shares the veneer of flash_fn.
    let helper = unit.sections[0].addr; // .text
    let jump = (helper..helper + 0x40)
        .step_by(2)
        .find(|&a| {
            let (h1, h2) = hw(&unit, a);
            h1 & 0xf800 == 0xf000 && h2 & 0xd000 == 0x9000
        })
        .expect("a B.W");
    assert_eq!(branch_target(&unit, jump), via);

    // The literal pool word (ABS32) holds the data address.
    let pool = (text..text + unit.section(".text").unwrap().size)
        .step_by(4)
        .find(|&a| u64::from(read_u32(unit.bytes_at(a, 4).unwrap())) == EXT_DATA);
    assert!(pool.is_some(), "literal pool patched");

    // Data: a pointer to a local Thumb function carries bit 0; REL32; TARGET1 as ABS32.
    let ptr = unit.symbol("ptr").unwrap();
    assert_eq!(u64::from(read_u32(unit.bytes_at(ptr, 4).unwrap())), entry);
    let rel = unit.symbol("rel").unwrap();
    assert_eq!(
        read_u32(unit.bytes_at(rel, 4).unwrap()),
        (RAM_FN as u32).wrapping_sub(rel as u32)
    );
    let tgt = unit.symbol("tgt").unwrap();
    let helper_addr = read_u32(unit.bytes_at(tgt, 4).unwrap());
    assert_eq!(helper_addr & 1, 1);
    assert_eq!(u64::from(helper_addr & !1), jump);

    // Every placement is inside what the placer handed out.
    assert_eq!(
        unit.code_size,
        unit.chunk(RegionKind::Code).unwrap().bytes.len() as u64
    );
    assert_eq!(
        veneers.addr + veneers.size,
        unit.chunk(RegionKind::Code).unwrap().end()
    );
}

#[test]
fn thumb_undefined_symbols() {
    let Some(obj) = assemble_thumb(UNIT) else {
        return;
    };
    let err = link_object(
        &obj,
        Arch::Thumb2,
        &mut thumb_placer(),
        &resolver(&[("ram_fn", RAM_FN)]),
    )
    .unwrap_err();
    let LinkError::Undefined { symbols } = err else {
        panic!("{err:?}")
    };
    let names: Vec<_> = symbols.iter().map(|s| s.symbol.as_str()).collect();
    assert_eq!(names, ["flash_fn", "ext_data"]);
}

#[test]
fn thumb_placement_must_fit_32_bits() {
    let Some(obj) = assemble_thumb(UNIT) else {
        return;
    };
    let mut placer = TestPlacer::new((0xffff_fff0, 0x1000), (0x2001_0000, 0x1_0000));
    let err = link_object(
        &obj,
        Arch::Thumb2,
        &mut placer,
        &resolver(&[
            ("flash_fn", FLASH_FN),
            ("ram_fn", RAM_FN),
            ("ext_data", EXT_DATA),
        ]),
    )
    .unwrap_err();
    assert!(matches!(err, LinkError::BadPlacement { .. }), "{err:?}");
}

#[test]
fn x86_object_is_not_thumb() {
    let Some(obj) = assemble_thumb(UNIT) else {
        return;
    };
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut TestPlacer::default(),
        &resolver(&[]),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LinkError::WrongArch { found, .. } if found == "ELF32 ARM Thumb-2"),
        "{err:?}"
    );
}

#[test]
fn thumb_branch_beyond_32_bits_is_out_of_range() {
    let Some(obj) = assemble_thumb(UNIT) else {
        return;
    };
    let err = link_object(
        &obj,
        Arch::Thumb2,
        &mut thumb_placer(),
        &resolver(&[
            ("flash_fn", 0x1_0000_1001),
            ("ram_fn", RAM_FN),
            ("ext_data", EXT_DATA),
        ]),
    )
    .unwrap_err();
    match err {
        LinkError::OutOfRange {
            kind,
            symbol,
            section,
            ..
        } => {
            assert_eq!(kind, 10, "R_ARM_THM_CALL");
            assert_eq!(symbol, "flash_fn");
            assert_eq!(section, ".text");
        }
        other => panic!("{other:?}"),
    }
}
