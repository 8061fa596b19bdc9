//! Helpers shared by the linker's integration tests: compiling C (and assembly) with the system
//! toolchain into a unique temporary directory, a bump-allocating test [`Placer`], and reading a
//! relocation's place back out of an object with the `object` crate.

#![allow(dead_code)] // each test binary uses its own subset

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use bs_link::{PlaceError, Placer, RegionKind};
use object::read::elf::{ElfFile32, ElfFile64};
use object::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};

/// The flags the host compiles units with.
pub const UNIT_FLAGS: &[&str] = &[
    "-O2",
    "-fno-pic",
    "-fno-pie",
    "-mcmodel=small",
    "-fno-asynchronous-unwind-tables",
    "-fno-stack-protector",
    "-fcf-protection=none",
];

/// A fresh directory under the system temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("bs-link-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiles C `source` with `gcc -c` and the unit flags plus `extra`, returning the object.
pub fn compile_with(source: &str, extra: &[&str]) -> Vec<u8> {
    let dir = TempDir::new("cc");
    let c = dir.path("unit.c");
    let o = dir.path("unit.o");
    std::fs::write(&c, source).unwrap();
    run(Command::new("gcc")
        .arg("-c")
        .args(UNIT_FLAGS)
        .args(extra)
        .arg(&c)
        .arg("-o")
        .arg(&o));
    std::fs::read(&o).unwrap()
}

/// Compiles C `source` as a unit.
pub fn compile(source: &str) -> Vec<u8> {
    compile_with(source, &[])
}

/// Assembles x86-64 GNU assembler `source` into an object.
pub fn assemble(source: &str) -> Vec<u8> {
    let dir = TempDir::new("as");
    let s = dir.path("unit.s");
    let o = dir.path("unit.o");
    std::fs::write(&s, source).unwrap();
    run(Command::new("gcc").arg("-c").arg(&s).arg("-o").arg(&o));
    std::fs::read(&o).unwrap()
}

/// Builds a static non-PIE executable from C `source` into `dir`, returning its path.
pub fn build_static_exe(dir: &TempDir, source: &str) -> PathBuf {
    let c = dir.path("prog.c");
    let exe = dir.path("prog");
    std::fs::write(&c, source).unwrap();
    run(Command::new("gcc")
        .args(["-O2", "-static", "-no-pie"])
        .arg(&c)
        .arg("-o")
        .arg(&exe));
    exe
}

/// A bump allocator over two regions that records every call.
#[derive(Debug)]
pub struct TestPlacer {
    pub code: (u64, u64),
    pub data: (u64, u64),
    pub code_top: u64,
    pub data_top: u64,
    pub calls: Vec<(RegionKind, u64, u64)>,
}

impl TestPlacer {
    pub fn new(code: (u64, u64), data: (u64, u64)) -> TestPlacer {
        TestPlacer {
            code,
            data,
            code_top: code.0,
            data_top: data.0,
            calls: Vec::new(),
        }
    }
}

impl Default for TestPlacer {
    fn default() -> Self {
        TestPlacer::new((0x1000_0000, 0x10_0000), (0x2000_0000, 0x10_0000))
    }
}

impl Placer for TestPlacer {
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError> {
        self.calls.push((kind, size, align));
        let ((base, len), top) = match kind {
            RegionKind::Code => (self.code, &mut self.code_top),
            RegionKind::Data => (self.data, &mut self.data_top),
        };
        let addr = top.next_multiple_of(align);
        if addr + size > base + len {
            return Err(PlaceError::RegionFull {
                region: kind,
                requested: size,
                align,
                free: base + len - *top,
            });
        }
        *top = addr + size;
        Ok(addr)
    }
}

/// A resolver from a list of names and addresses.
pub fn resolver(symbols: &[(&str, u64)]) -> HashMap<String, u64> {
    symbols.iter().map(|&(n, a)| (n.to_owned(), a)).collect()
}

/// A relocation as the object file states it.
#[derive(Debug, Clone)]
pub struct RawReloc {
    pub section: String,
    pub offset: u64,
    pub r_type: u32,
    /// The symbol's name (for a section symbol, the section's name).
    pub symbol: String,
    pub addend: i64,
}

/// Every relocation of every section of an ELF object (64- or 32-bit).
pub fn relocations(obj: &[u8]) -> Vec<RawReloc> {
    if obj[4] == 2 {
        relocations_of(&ElfFile64::<object::LittleEndian>::parse(obj).unwrap())
    } else {
        relocations_of(&ElfFile32::<object::LittleEndian>::parse(obj).unwrap())
    }
}

fn relocations_of<'d>(file: &impl Object<'d>) -> Vec<RawReloc> {
    let mut out = Vec::new();
    for section in file.sections() {
        for (offset, r) in section.relocations() {
            let RelocationFlags::Elf { r_type } = r.flags() else {
                panic!("not ELF")
            };
            let symbol = match r.target() {
                RelocationTarget::Symbol(i) => {
                    let s = file.symbol_by_index(i).unwrap();
                    match s.section_index() {
                        Some(si) if s.kind() == object::SymbolKind::Section => file
                            .section_by_index(si)
                            .unwrap()
                            .name()
                            .unwrap()
                            .to_owned(),
                        _ => s.name().unwrap().to_owned(),
                    }
                }
                _ => String::new(),
            };
            out.push(RawReloc {
                section: section.name().unwrap().to_owned(),
                offset,
                r_type: r_type.0,
                symbol,
                addend: r.addend(),
            });
        }
    }
    out
}

/// The relocations against `symbol`.
pub fn relocs_against(obj: &[u8], symbol: &str) -> Vec<RawReloc> {
    relocations(obj)
        .into_iter()
        .filter(|r| r.symbol == symbol)
        .collect()
}

pub fn read_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().unwrap())
}

pub fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().unwrap())
}

/// Whether a program is on the PATH.
pub fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}
