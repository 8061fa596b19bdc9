//! The x86-64 linker on real objects: each test compiles a C (or assembly) snippet with the
//! system gcc and the host's unit flags, links it, and checks the patched bytes against the
//! relocations the object states.

mod common;

use bs_link::{
    Arch, LinkError, LinkedUnit, RegionKind, SymbolResolver, link_object, read_runtime_elf,
};
use common::*;

const R_X86_64_64: u32 = 1;
const R_X86_64_PC32: u32 = 2;
const R_X86_64_PLT32: u32 = 4;
const R_X86_64_32: u32 = 10;

fn link(obj: &[u8], placer: &mut TestPlacer, symbols: &[(&str, u64)]) -> LinkedUnit {
    link_object(obj, Arch::X86_64, placer, &resolver(symbols)).expect("link")
}

/// The address a relocation patched.
fn place(unit: &LinkedUnit, r: &RawReloc) -> u64 {
    unit.section(&r.section).expect("section placed").addr + r.offset
}

#[test]
fn call_to_external_symbol_is_patched() {
    let obj = compile("extern int ext(int);\nint f(int x) { return ext(x * 3) + 1; }\n");
    let mut placer = TestPlacer::default();
    let ext = 0x40_1230;
    let unit = link(&obj, &mut placer, &[("ext", ext)]);

    let relocs = relocs_against(&obj, "ext");
    assert_eq!(relocs.len(), 1, "{relocs:?}");
    let r = &relocs[0];
    assert!(matches!(r.r_type, R_X86_64_PLT32 | R_X86_64_PC32));
    let p = place(&unit, r);
    let disp = read_u32(unit.bytes_at(p, 4).unwrap()) as i32;
    assert_eq!(i64::from(disp), ext as i64 + r.addend - p as i64);
    // The call lands on ext: the next instruction's address plus the displacement.
    assert_eq!(p as i64 + 4 + i64::from(disp), ext as i64);
    assert_eq!(unit.bytes_at(p - 1, 1).unwrap(), [0xe8], "a direct call");

    let code = unit.chunk(RegionKind::Code).unwrap();
    assert_eq!(code.addr, 0x1000_0000);
    assert_eq!(unit.symbol("f"), Some(code.addr));
    assert_eq!(unit.code_size, code.bytes.len() as u64);
    assert_eq!(placer.calls.len(), 1, "no data, one placement");
}

#[test]
fn data_pointer_to_function_is_absolute() {
    let obj = compile(
        "extern int ext(int);\n\
         int g(int x) { return x + 1; }\n\
         int (*ext_ptr)(int) = ext;\n\
         int (*g_ptr)(int) = g;\n",
    );
    let mut placer = TestPlacer::default();
    let unit = link(&obj, &mut placer, &[("ext", 0x40_5678)]);
    for r in relocations(&obj) {
        assert_eq!(r.r_type, R_X86_64_64, "{r:?}");
    }
    let ext_ptr = unit.symbol("ext_ptr").unwrap();
    let g_ptr = unit.symbol("g_ptr").unwrap();
    assert_eq!(read_u64(unit.bytes_at(ext_ptr, 8).unwrap()), 0x40_5678);
    assert_eq!(
        read_u64(unit.bytes_at(g_ptr, 8).unwrap()),
        unit.symbol("g").unwrap()
    );
    assert!(unit.chunk(RegionKind::Data).unwrap().addr >= 0x2000_0000);
}

#[test]
fn string_literal_in_rodata() {
    let obj = compile(
        "const char *greeting(void) { return \"hello, world\"; }\n\
         const char *const farewell = \"goodbye\";\n",
    );
    let mut placer = TestPlacer::default();
    let unit = link(&obj, &mut placer, &[]);

    let rodata = unit
        .sections
        .iter()
        .find(|s| s.name.starts_with(".rodata"))
        .expect("a .rodata section");
    assert_eq!(rodata.kind, RegionKind::Data);

    // The code loads the literal's address as an immediate (R_X86_64_32 with -mcmodel=small).
    let code_refs: Vec<_> = relocations(&obj)
        .into_iter()
        .filter(|r| r.section == ".text")
        .collect();
    assert_eq!(code_refs.len(), 1, "{code_refs:?}");
    let r = &code_refs[0];
    assert_eq!(r.r_type, R_X86_64_32);
    assert!(r.symbol.starts_with(".rodata"), "{r:?}");
    let literal = u64::from(read_u32(unit.bytes_at(place(&unit, r), 4).unwrap()));
    assert_eq!(unit.bytes_at(literal, 13).unwrap(), b"hello, world\0");

    // A pointer in (read-only) data to another literal.
    let farewell = unit.symbol("farewell").unwrap();
    let literal = read_u64(unit.bytes_at(farewell, 8).unwrap());
    assert_eq!(unit.bytes_at(literal, 8).unwrap(), b"goodbye\0");
}

#[test]
fn bss_is_sent_as_zeros() {
    let obj = compile(
        "static int zeros[100];\n\
         int more_zeros[64];\n\
         int answer = 42;\n\
         int *get(int i) { zeros[i] = i; return i ? zeros : more_zeros; }\n",
    );
    let mut placer = TestPlacer::default();
    let unit = link(&obj, &mut placer, &[]);
    let bss = unit.section(".bss").expect(".bss placed");
    assert!(bss.size >= 4 * 164, "{bss:?}");
    let bytes = unit
        .bytes_at(bss.addr, bss.size)
        .expect("bss bytes are sent");
    assert!(bytes.iter().all(|&b| b == 0));
    let more = unit.symbol("more_zeros").unwrap();
    assert!(more >= bss.addr && more + 256 <= bss.addr + bss.size);
    let answer = unit.symbol("answer").unwrap();
    assert_eq!(read_u32(unit.bytes_at(answer, 4).unwrap()), 42);
    // .data and .bss share one chunk, .bss last.
    let data = unit.chunk(RegionKind::Data).unwrap();
    assert_eq!(data.end(), bss.addr + bss.size);
    assert_eq!(unit.data_size, data.bytes.len() as u64);
    assert_eq!(placer.calls.len(), 2, "one placement per region kind");
}

#[test]
fn every_undefined_symbol_is_reported() {
    let obj = compile(
        "extern int alpha(void), beta(int);\n\
         extern int gamma_count;\n\
         extern int delta_table[];\n\
         int (*keep)(void) = alpha;\n\
         int f(void) { return alpha() + beta(gamma_count) + delta_table[2]; }\n",
    );
    let mut placer = TestPlacer::default();
    // One symbol is known: it must not be reported.
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut placer,
        &resolver(&[("beta", 0x40_0000)]),
    )
    .unwrap_err();
    let LinkError::Undefined { symbols } = &err else {
        panic!("{err:?}")
    };
    let mut names: Vec<&str> = symbols.iter().map(|s| s.symbol.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["alpha", "delta_table", "gamma_count"]);
    for s in symbols {
        assert!(s.section == ".text" || s.section == ".data", "{s:?}");
    }
    let message = err.to_string();
    for name in ["alpha", "gamma_count", "delta_table"] {
        assert!(message.contains(name), "{message}");
    }
    assert!(
        placer.calls.is_empty(),
        "nothing placed for a unit that cannot link"
    );
}

#[test]
fn pc32_out_of_range_is_refused() {
    let obj = compile("extern int far_away(void);\nint f(void) { return far_away() + 1; }\n");
    let mut placer = TestPlacer::default();
    // More than 4 GiB above the code.
    let far = 0x1000_0000 + 0x1_2000_0000;
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut placer,
        &resolver(&[("far_away", far)]),
    )
    .unwrap_err();
    match &err {
        LinkError::OutOfRange {
            kind,
            section,
            symbol,
            range,
            ..
        } => {
            assert!(matches!(*kind, R_X86_64_PLT32 | R_X86_64_PC32));
            assert_eq!(section, ".text");
            assert_eq!(symbol, "far_away");
            assert_eq!(*range, "signed 32 bits");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("R_X86_64_"), "{err}");
}

#[test]
fn abs32_out_of_range_is_refused() {
    let obj = compile("extern int big[];\nint *f(void) { return big; }\n");
    let mut placer = TestPlacer::default();
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut placer,
        &resolver(&[("big", 0x1_0000_0000)]),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            LinkError::OutOfRange {
                kind: R_X86_64_32,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn placement_honours_alignment() {
    let obj = compile(
        "__attribute__((aligned(64))) int table[4] = {1, 2, 3, 4};\n\
         char flag = 1;\n\
         __attribute__((aligned(32))) static char buffer[100];\n\
         __attribute__((aligned(32))) int f(int i) { buffer[i] = 1; return table[1] + buffer[3] + flag; }\n",
    );
    let mut placer = TestPlacer::default();
    // Leave the bump pointers misaligned.
    placer.code_top += 3;
    placer.data_top += 5;
    let unit = link(&obj, &mut placer, &[]);
    let code_call = placer
        .calls
        .iter()
        .find(|c| c.0 == RegionKind::Code)
        .unwrap();
    let data_call = placer
        .calls
        .iter()
        .find(|c| c.0 == RegionKind::Data)
        .unwrap();
    assert!(code_call.2 >= 32, "{code_call:?}");
    assert!(data_call.2 >= 64, "{data_call:?}");
    assert_eq!(unit.symbol("f").unwrap() % 32, 0);
    assert_eq!(unit.symbol("table").unwrap() % 64, 0);
    let buffer = unit.section(".bss").unwrap();
    assert_eq!(buffer.addr % 32, 0);
    for chunk in &unit.chunks {
        let (kind, size, align) = placer.calls.iter().find(|c| c.0 == chunk.kind).unwrap();
        assert_eq!(chunk.addr % align, 0);
        assert_eq!(chunk.bytes.len() as u64, *size, "{kind}");
    }
    // Every section lies inside its chunk.
    for s in &unit.sections {
        let chunk = unit.chunk(s.kind).unwrap();
        assert!(
            s.addr >= chunk.addr && s.addr + s.size <= chunk.end(),
            "{s:?}"
        );
    }
}

#[test]
fn region_full_is_a_placement_error() {
    let obj = compile("int big[4096] = {1};\nint f(void) { return big[0]; }\n");
    let mut placer = TestPlacer::new((0x1000_0000, 0x1000), (0x2000_0000, 0x1000));
    let err = link_object(&obj, Arch::X86_64, &mut placer, &resolver(&[])).unwrap_err();
    match err {
        LinkError::Place(bs_link::PlaceError::RegionFull {
            region, requested, ..
        }) => {
            assert_eq!(region, RegionKind::Data);
            assert_eq!(requested, 4 * 4096);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn local_definitions_win_over_the_resolver() {
    let obj = compile(
        "int helper(int x) { return x * 2; }\n\
         int (*const use)(int) = helper;\n",
    );
    let mut placer = TestPlacer::default();
    let unit = link(&obj, &mut placer, &[("helper", 0xdead_0000)]);
    let ptr = unit.symbol("use").unwrap();
    assert_eq!(
        read_u64(unit.bytes_at(ptr, 8).unwrap()),
        unit.symbol("helper").unwrap()
    );
}

#[test]
fn unaligned_input_slice_links() {
    let obj = compile("extern int ext(void);\nint f(void) { return ext(); }\n");
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(&obj);
    let mut placer = TestPlacer::default();
    let a = link(&obj, &mut placer, &[("ext", 0x40_0000)]);
    let mut placer = TestPlacer::default();
    let b = link(&shifted[1..], &mut placer, &[("ext", 0x40_0000)]);
    assert_eq!(a, b);
}

#[test]
fn wrong_architecture_is_refused() {
    let obj = compile("int f(void) { return 1; }\n");
    let err = link_object(
        &obj,
        Arch::Thumb2,
        &mut TestPlacer::default(),
        &resolver(&[]),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LinkError::WrongArch { expected: Arch::Thumb2, found } if found == "ELF64 x86-64"),
        "{err:?}"
    );
    let err = link_object(
        b"not an object",
        Arch::X86_64,
        &mut TestPlacer::default(),
        &resolver(&[]),
    )
    .unwrap_err();
    assert!(matches!(err, LinkError::Malformed(_)));
}

#[test]
fn common_symbols_are_refused() {
    let obj = compile_with(
        "int shared;\nint f(void) { return shared; }\n",
        &["-fcommon"],
    );
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut TestPlacer::default(),
        &resolver(&[]),
    )
    .unwrap_err();
    assert_eq!(
        err,
        LinkError::Common {
            symbol: "shared".into()
        }
    );
}

#[test]
fn got_relocations_are_unsupported() {
    let obj = compile_with(
        "extern int counter;\nint f(void) { return counter; }\n",
        &["-fPIC"],
    );
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut TestPlacer::default(),
        &resolver(&[("counter", 0x40_0000)]),
    )
    .unwrap_err();
    match &err {
        LinkError::Unsupported {
            kind,
            section,
            offset,
            ..
        } => {
            assert_eq!(section, ".text");
            let r = relocs_against(&obj, "counter");
            assert_eq!(r[0].r_type, *kind);
            assert_eq!(r[0].offset, *offset);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("GOTPCREL"), "{err}");
}

#[test]
fn pc64_abs32_and_32s_from_assembly() {
    let obj = assemble(
        "    .text\n\
         .globl f\n\
         f:  movl $target, %eax\n\
             movq $target, %rax\n\
             ret\n\
             .data\n\
         .globl diff\n\
         diff: .quad target - .\n\
         .globl back\n\
         back: .long local - . + 8\n\
         local: .byte 1\n",
    );
    let target = 0x30_0000;
    let mut placer = TestPlacer::default();
    let unit = link(&obj, &mut placer, &[("target", target)]);
    let diff = unit.symbol("diff").unwrap();
    assert_eq!(
        read_u64(unit.bytes_at(diff, 8).unwrap()) as i64,
        target as i64 - diff as i64
    );
    let back = unit.symbol("back").unwrap();
    // `local` is 4 bytes after `back`.
    assert_eq!(read_u32(unit.bytes_at(back, 4).unwrap()), 4 + 8);
    let f = unit.symbol("f").unwrap();
    // movl $imm32, %eax: b8 imm32; movq $simm32, %rax: 48 c7 c0 imm32.
    assert_eq!(unit.bytes_at(f, 1).unwrap(), [0xb8]);
    assert_eq!(read_u32(unit.bytes_at(f + 1, 4).unwrap()), target as u32);
    assert_eq!(unit.bytes_at(f + 5, 3).unwrap(), [0x48, 0xc7, 0xc0]);
    assert_eq!(read_u32(unit.bytes_at(f + 8, 4).unwrap()), target as u32);
}

#[test]
fn constructors_and_tls_are_refused() {
    let obj = compile(
        "static int ready;\n\
         __attribute__((constructor)) static void init(void) { ready = 1; }\n\
         int get(void) { return ready; }\n",
    );
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut TestPlacer::default(),
        &resolver(&[]),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LinkError::UnsupportedSection { section, .. } if section == ".init_array"),
        "{err:?}"
    );
    let obj = compile("__thread int t;\nint *f(void) { return &t; }\n");
    let err = link_object(
        &obj,
        Arch::X86_64,
        &mut TestPlacer::default(),
        &resolver(&[]),
    )
    .unwrap_err();
    assert!(
        matches!(err, LinkError::UnsupportedSection { .. }),
        "{err:?}"
    );
}

#[test]
fn undefined_weak_symbol_is_zero() {
    let obj = compile(
        "extern int maybe(void) __attribute__((weak));\n\
         int (*p)(void) = maybe;\n",
    );
    let unit = link(&obj, &mut TestPlacer::default(), &[]);
    let p = unit.symbol("p").unwrap();
    assert_eq!(read_u64(unit.bytes_at(p, 8).unwrap()), 0);
}

#[test]
fn debug_sections_are_not_loaded() {
    let obj = compile_with("int f(int x) { return x + 1; }\n", &["-g"]);
    let unit = link(&obj, &mut TestPlacer::default(), &[]);
    assert!(unit.sections.iter().all(|s| !s.name.starts_with(".debug")));
    assert_eq!(unit.chunks.len(), 1);
}

/// The runtime used by the tests below.
const RUNTIME: &str = r#"
#include <stdio.h>
#include <stdlib.h>
const unsigned char bs_build_id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
int bs_counter = 5;
__attribute__((noinline)) int bs_add(int a, int b) { return a + b; }
int main(int argc, char **argv) { printf("%d\n", bs_add(argc, bs_counter)); return 0; }
"#;

#[test]
fn runtime_elf_symbols_and_build_id() {
    let dir = TempDir::new("rt");
    let exe = build_static_exe(&dir, RUNTIME);
    let runtime = read_runtime_elf(&std::fs::read(&exe).unwrap()).expect("read runtime");
    assert_eq!(runtime.build_id, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(runtime.arch, Arch::X86_64);
    for name in ["bs_add", "bs_counter", "main", "bs_build_id", "printf"] {
        assert!(runtime.symbol(name).is_some(), "{name}");
    }
    // Static non-PIE: code is at its link address, below 4 GiB.
    assert!(runtime.symbol("bs_add").unwrap() < 0x1_0000_0000);
    // glibc's memcpy is an IFUNC in static builds: its symbol is the resolver, so it is left out.
    assert_eq!(runtime.symbol("memcpy"), None);

    // Link a unit against it.
    let obj = compile(
        "extern int bs_add(int, int);\n\
         extern int bs_counter;\n\
         int entry(void) { return bs_add(bs_counter, 37); }\n",
    );
    let mut placer = TestPlacer::default();
    let unit = link_object(&obj, Arch::X86_64, &mut placer, &runtime).expect("link");
    for r in relocations(&obj) {
        let expected = runtime.resolve(&r.symbol).unwrap() as i64 + r.addend;
        let p = place(&unit, &r);
        let got = match r.r_type {
            R_X86_64_PC32 | R_X86_64_PLT32 => {
                read_u32(unit.bytes_at(p, 4).unwrap()) as i32 as i64 + p as i64
            }
            R_X86_64_32 | 11 => read_u32(unit.bytes_at(p, 4).unwrap()) as i64,
            other => panic!("unexpected relocation {other}"),
        };
        assert_eq!(got, expected, "{r:?}");
    }
}

#[test]
fn runtime_without_build_id_or_pie_is_refused() {
    let dir = TempDir::new("rt-bad");
    let exe = build_static_exe(&dir, "int main(void) { return 0; }\n");
    let err = read_runtime_elf(&std::fs::read(exe).unwrap()).unwrap_err();
    assert_eq!(err, bs_link::RuntimeError::MissingBuildId);

    let obj = compile("const unsigned char bs_build_id[8] = {1};\n");
    let err = read_runtime_elf(&obj).unwrap_err();
    assert!(
        matches!(err, bs_link::RuntimeError::NotExecutable { e_type: 1 }),
        "{err:?}"
    );
}

/// A tiny loader, linked statically like the runtime: it maps the code and data regions at fixed
/// addresses, copies chunks from a file into them and calls the entry. This runs linked bytes
/// for real.
const LOADER: &str = r#"
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
const unsigned char bs_build_id[8] = {8, 7, 6, 5, 4, 3, 2, 1};
int bs_counter = 5;
__attribute__((noinline)) int bs_add(int a, int b) { return a + b; }
__attribute__((noinline)) void bs_print(const char *s) { printf("print:%s\n", s); }
int main(int argc, char **argv) {
    void *code = mmap((void *)0x10000000, 0x100000, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    void *data = mmap((void *)0x20000000, 0x100000, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code != (void *)0x10000000 || data != (void *)0x20000000) { puts("SKIP mmap"); return 0; }
    FILE *f = fopen(argv[1], "rb");
    unsigned long addr, len;
    while (fread(&addr, 8, 1, f) == 1 && fread(&len, 8, 1, f) == 1) {
        if (fread((void *)addr, 1, len, f) != len) { puts("short read"); return 1; }
    }
    for (int i = 2; i < argc; i++) {
        int (*entry)(void) = (int (*)(void))strtoul(argv[i], 0, 0);
        printf("result:%d\n", entry());
    }
    return 0;
}
"#;

#[test]
fn linked_units_run() {
    let dir = TempDir::new("run");
    let exe = build_static_exe(&dir, LOADER);
    let runtime = read_runtime_elf(&std::fs::read(&exe).unwrap()).expect("read runtime");
    assert_eq!(runtime.build_id, [8, 7, 6, 5, 4, 3, 2, 1]);
    let mut placer = TestPlacer::default();

    // Unit 1 defines data, a function and a table of function pointers, and calls the runtime.
    let unit1 = link_object(
        &compile(
            "extern int bs_add(int, int);\n\
             extern int bs_counter;\n\
             extern void bs_print(const char *);\n\
             static int calls;\n\
             int twice(int x) { calls++; return bs_add(x, x); }\n\
             int (*const ops[2])(int) = { twice, 0 };\n\
             const char *name = \"unit one\";\n\
             int entry1(void) { bs_print(name); return ops[0](bs_counter) + calls; }\n",
        ),
        Arch::X86_64,
        &mut placer,
        &runtime,
    )
    .expect("link unit 1");
    // Unit 2 uses unit 1's symbols through the resolver, like a later REPL input.
    let mut earlier = runtime.symbols.clone();
    earlier.extend(unit1.symbols.iter().cloned());
    let unit2 = link_object(
        &compile(
            "extern int twice(int);\n\
             extern const char *name;\n\
             extern void bs_print(const char *);\n\
             int entry2(void) { bs_print(name + 5); return twice(100); }\n",
        ),
        Arch::X86_64,
        &mut placer,
        &earlier,
    )
    .expect("link unit 2");

    let mut image = Vec::new();
    for chunk in unit1.chunks.iter().chain(&unit2.chunks) {
        image.extend_from_slice(&chunk.addr.to_le_bytes());
        image.extend_from_slice(&(chunk.bytes.len() as u64).to_le_bytes());
        image.extend_from_slice(&chunk.bytes);
    }
    let image_path = dir.path("image.bin");
    std::fs::write(&image_path, image).unwrap();
    let out = std::process::Command::new(&exe)
        .arg(&image_path)
        .arg(format!("{:#x}", unit1.symbol("entry1").unwrap()))
        .arg(format!("{:#x}", unit2.symbol("entry2").unwrap()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.starts_with("SKIP") {
        eprintln!("skipped: cannot map the regions at fixed addresses here");
        return;
    }
    assert!(out.status.success(), "{out:?}");
    // entry1: twice(5) = 10, calls = 1 -> 11. entry2: twice(100) = 200.
    assert_eq!(
        stdout, "print:unit one\nresult:11\nprint:one\nresult:200\n",
        "{out:?}"
    );
}

#[test]
fn line_table_maps_placed_code_to_source_lines() {
    let obj = compile_with(
        "int g(int);\n\
         int f(int x) {\n\
         \x20   int a = g(x);\n\
         \x20   int b = g(a * 3);\n\
         \x20   return a + b;\n\
         }\n",
        &["-g1"],
    );
    let mut placer = TestPlacer::default();
    let unit = link(&obj, &mut placer, &[("g", 0x40_1230)]);
    let code = unit.chunk(RegionKind::Code).unwrap();
    // Debug information is read, never loaded.
    assert!(unit.sections.iter().all(|s| !s.name.starts_with(".debug")));
    assert!(!unit.lines.rows.is_empty());
    for row in &unit.lines.rows {
        assert!(
            row.address >= code.addr && row.address <= code.end(),
            "{row:?} outside the placed code"
        );
    }
    let line_at = |addr: u64| {
        unit.lines
            .find(addr, |file, line| file.ends_with("unit.c").then_some(line))
    };
    // Each call (its last byte) belongs to the line that makes it.
    let calls = relocs_against(&obj, "g");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(line_at(place(&unit, &calls[0]) + 3), Some(3));
    assert_eq!(line_at(place(&unit, &calls[1]) + 3), Some(4));
    // Addresses outside the unit's code are in no sequence.
    assert_eq!(line_at(code.addr - 1), None);
    assert_eq!(line_at(code.end() + 0x100), None);
}

#[test]
fn an_object_without_debug_information_has_an_empty_line_table() {
    let obj = compile("int f(int x) { return x + 1; }\n");
    let unit = link(&obj, &mut TestPlacer::default(), &[]);
    assert!(unit.lines.rows.is_empty());
}

/// A port's table of exported functions (`bs_port_exports`, as runtime/ports/host/exports.c):
/// glibc's indirect functions, which the symbol table leaves out, resolve to the table's
/// addresses, and a unit that calls them through those addresses runs.
#[test]
fn exported_indirect_functions_resolve_and_run() {
    let dir = TempDir::new("exports");
    let source = format!(
        "{LOADER}\n\
         struct bs_port_export {{ const char *name; void (*address)(void); }};\n\
         const struct bs_port_export bs_port_exports[] = {{\n\
             {{\"memcpy\", (void (*)(void))memcpy}},\n\
             {{\"strlen\", (void (*)(void))strlen}},\n\
             {{0, 0}},\n\
         }};\n"
    );
    let exe = build_static_exe(&dir, &source);
    let bytes = std::fs::read(&exe).unwrap();
    let runtime = read_runtime_elf(&bytes).expect("read runtime");
    let memcpy = runtime.symbol("memcpy").expect("memcpy exported");
    let strlen = runtime.symbol("strlen").expect("strlen exported");
    assert_ne!(memcpy, strlen);
    assert!(memcpy < 0x1_0000_0000 && strlen < 0x1_0000_0000);

    let mut placer = TestPlacer::default();
    let unit = link_object(
        &compile(
            "extern void *memcpy(void *, const void *, unsigned long);\n\
             extern unsigned long strlen(const char *);\n\
             static volatile unsigned long n = 7;\n\
             int entry(void) { char b[16]; memcpy(b, \"bluesc\", n); return (int)strlen(b); }\n",
        ),
        Arch::X86_64,
        &mut placer,
        &runtime,
    )
    .expect("link");
    let mut image = Vec::new();
    for chunk in &unit.chunks {
        image.extend_from_slice(&chunk.addr.to_le_bytes());
        image.extend_from_slice(&(chunk.bytes.len() as u64).to_le_bytes());
        image.extend_from_slice(&chunk.bytes);
    }
    let image_path = dir.path("image.bin");
    std::fs::write(&image_path, image).unwrap();
    let out = std::process::Command::new(&exe)
        .arg(&image_path)
        .arg(format!("{:#x}", unit.symbol("entry").unwrap()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if stdout.starts_with("SKIP") {
        eprintln!("skipped: cannot map the regions at fixed addresses here");
        return;
    }
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout, "result:6\n", "{out:?}");
}
