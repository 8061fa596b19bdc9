//! The `qemu-mps2-an385` runtime image: it fits its memory budget, and it defines every helper
//! that compiled units call (soft float, division, block moves), so that the host linker can
//! resolve units against it. Skipped, with a message, when `arm-none-eabi-gcc` is not installed.

use std::collections::HashSet;

use bs_toolchain::{QEMU_MPS2_AN385, UnitCompiler, ensure_runtime};
use object::{Object, ObjectSymbol};

fn have_cc() -> bool {
    let found = std::process::Command::new(QEMU_MPS2_AN385.cc)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: {} is not installed", QEMU_MPS2_AN385.cc);
    }
    found
}

/// The global symbols an ELF file defines, and those it leaves undefined.
fn symbols(elf: &[u8]) -> (HashSet<String>, HashSet<String>) {
    let file = object::File::parse(elf).unwrap();
    let mut defined = HashSet::new();
    let mut undefined = HashSet::new();
    for sym in file.symbols() {
        let name = sym.name().unwrap().to_owned();
        if sym.is_undefined() {
            undefined.insert(name);
        } else if sym.is_global() {
            defined.insert(name);
        }
    }
    (defined, undefined)
}

#[test]
fn the_image_fits_its_budget() {
    if !have_cc() {
        return;
    }
    let runtime = ensure_runtime(&QEMU_MPS2_AN385).unwrap();
    let size = runtime.size.expect("the port has a memory budget");
    eprintln!("qemu-mps2-an385 runtime: {size}");
    assert_eq!(size.flash_budget, 40 * 1024);
    assert!(
        size.flash > 4 * 1024 && size.flash <= size.flash_budget,
        "{size}"
    );
    // Stack 8 KiB, code 16 KiB, data 16 KiB, heap 32 KiB, plus handlers and variables.
    assert!(
        size.ram >= 72 * 1024 && size.ram <= size.ram_budget,
        "{size}"
    );
    assert_eq!(size.excess(), None);
}

#[test]
fn the_image_defines_every_helper_of_its_export_list() {
    if !have_cc() {
        return;
    }
    let runtime = ensure_runtime(&QEMU_MPS2_AN385).unwrap();
    let (defined, _) = symbols(&std::fs::read(&runtime.image).unwrap());
    let exports = runtime
        .include_dir
        .parent()
        .unwrap()
        .join("ports/qemu-mps2-an385/exports.ld");
    let text = std::fs::read_to_string(exports).unwrap();
    let mut names = 0;
    for line in text.lines().filter(|l| l.starts_with("EXTERN(")) {
        let inner = line.trim_start_matches("EXTERN(").trim_end_matches(')');
        for name in inner.split_whitespace() {
            assert!(defined.contains(name), "the image does not define {name}");
            names += 1;
        }
    }
    assert!(names > 30, "only {names} names in exports.ld");
    for api in [
        "bs_print_values",
        "bs_string_concat",
        "bs_error",
        "bs_fpow",
        "bs_ipow",
    ] {
        assert!(defined.contains(api), "the image does not define {api}");
    }
}

#[test]
fn a_unit_using_floats_and_division_links_against_the_image() {
    if !have_cc() {
        return;
    }
    let runtime = ensure_runtime(&QEMU_MPS2_AN385).unwrap();
    let (defined, _) = symbols(&std::fs::read(&runtime.image).unwrap());
    let mut compiler = UnitCompiler::new(&QEMU_MPS2_AN385, &runtime).unwrap();
    let object = compiler
        .compile(
            r#"#include "bs.h"
int32_t g_i = 7;
float g_f = 2.5f;
int64_t g_l = 3;
void bs_unit_1(void) {
    float f = g_f * (float)g_i / 3.0f - g_f + (float)(uint32_t)g_i;
    int32_t i = bs_f2i(f) / g_i % 5 + (int32_t)((uint32_t)g_i / 3u);
    g_l = g_l * g_l / (g_l + 1) + (g_l >> g_i) + (int64_t)(f < g_f) + (int64_t)(f >= 1.0f);
    uint8_t block[64] = {0};
    block[i & 63] = (uint8_t)bs_fpow(f, 2.0f);
    bs_print(bs_box_int(i + block[3] + __builtin_popcount((uint32_t)g_i)));
    bs_print(bs_box_float(f));
}
"#,
        )
        .unwrap();
    let (_, undefined) = symbols(&object);
    assert!(
        undefined.iter().any(|s| s.starts_with("__aeabi_f")),
        "the unit calls no soft-float helper: {undefined:?}"
    );
    let missing: Vec<_> = undefined
        .iter()
        .filter(|s| !s.is_empty() && !defined.contains(*s))
        .collect();
    assert!(missing.is_empty(), "the image lacks {missing:?}");
}

/// The C library for units: `pow` and the double-precision helpers it needs come from the
/// port's libraries with everything they need; what the device has (here `memcpy`, as if the
/// runtime defined it) is not copied; `puts`, whose members need system calls that nothing
/// defines, is not taken at all.
#[test]
fn library_members_are_merged_into_a_unit() {
    if !have_cc() {
        return;
    }
    let runtime = ensure_runtime(&QEMU_MPS2_AN385).unwrap();
    let (image_defines, _) = symbols(&std::fs::read(&runtime.image).unwrap());
    let mut compiler = UnitCompiler::new(&QEMU_MPS2_AN385, &runtime).unwrap();
    let object = compiler
        .compile(
            "#include <math.h>\n#include <stdio.h>\n#include <string.h>\n\
             double p(double x, double y) { return pow(x, y) * 3.0; }\n\
             void s(char *d, const char *t, unsigned n) { memcpy(d, t, n); puts(d); }\n",
        )
        .unwrap();
    let (_, needed) = symbols(&object);
    for name in ["pow", "puts", "memcpy", "__aeabi_dmul"] {
        assert!(needed.contains(name), "{name} is not needed: {needed:?}");
    }
    let mut needed: Vec<String> = needed.into_iter().collect();
    needed.sort();
    let available = |name: &str| image_defines.contains(name);
    let merged = compiler
        .with_libraries(&object, &needed, &available)
        .unwrap()
        .expect("members were merged");
    let (defined, undefined) = symbols(&merged);
    assert!(defined.contains("pow") && defined.contains("__aeabi_dmul"));
    assert!(!defined.contains("memcpy") && undefined.contains("memcpy"));
    assert!(!defined.contains("puts") && undefined.contains("puts"));
    // Everything else the merged object needs, the device has.
    for name in &undefined {
        assert!(available(name) || name == "puts", "{name} stays undefined");
    }
    // Nothing to take: no merge.
    assert!(
        compiler
            .with_libraries(&object, &["puts".to_string()], &available)
            .unwrap()
            .is_none()
    );
}
