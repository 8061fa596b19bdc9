//! The device runtime's executable as the host sees it: its defined global symbols (what units
//! may call and use) and its build id (the 8 bytes of the object `bs_build_id`, compared with the
//! id the device reports in HELLO_REPLY so that stale symbol addresses are never used).
//!
//! The runtime must be a static, non-PIE executable (`ET_EXEC`): only then are its symbol values
//! the addresses the code has on the device.

use std::collections::HashMap;

use object::LittleEndian;
use object::elf::{self, FileHeader32, FileHeader64};
use object::read::elf::{FileHeader, SectionHeader, Sym};

use crate::arch::describe_machine;
use crate::link::aligned;
use crate::{Arch, RuntimeError, SymbolResolver};

/// The name of the runtime object holding its 8-byte build id.
pub const BUILD_ID_SYMBOL: &str = "bs_build_id";

/// The name of a port's optional table of exported C library functions: pairs of pointers
/// (a name, an address) ending with a null name. An entry makes NAME resolve to its address,
/// which is how a port exports functions whose own symbol cannot be called (glibc's indirect
/// functions; runtime/ports/host/exports.c).
pub const EXPORTS_SYMBOL: &str = "bs_port_exports";

/// What the host needs to know about the device runtime's executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeImage {
    /// Every defined global or weak function, object or untyped symbol (including absolute
    /// ones such as `_end`) and its device address; Thumb function addresses carry bit 0.
    /// GNU indirect functions (`STT_GNU_IFUNC`, e.g. glibc's `memcpy` in a static x86-64 build)
    /// are left out: their symbol is the resolver, not the function, so calling it directly
    /// would be wrong.
    pub symbols: HashMap<String, u64>,
    /// The contents of `bs_build_id`.
    pub build_id: [u8; 8],
    /// The executable's architecture.
    pub arch: Arch,
}

impl RuntimeImage {
    /// The address of runtime symbol `name`.
    pub fn symbol(&self, name: &str) -> Option<u64> {
        self.symbols.get(name).copied()
    }
}

impl SymbolResolver for RuntimeImage {
    fn resolve(&self, name: &str) -> Option<u64> {
        self.symbol(name)
    }
}

/// Reads the runtime's static non-PIE executable: its architecture, its defined global and weak
/// symbols, and the 8 bytes of `bs_build_id` from the file.
pub fn read_runtime_elf(bytes: &[u8]) -> Result<RuntimeImage, RuntimeError> {
    if bytes.len() < 20 || bytes[..4] != elf::ELFMAG {
        return Err(RuntimeError::Malformed("not an ELF file".into()));
    }
    let is_64 = bytes[4] == elf::ELFCLASS64.0;
    let machine = u16::from_le_bytes([bytes[18], bytes[19]]);
    let arch = [Arch::X86_64, Arch::Thumb2]
        .into_iter()
        .find(|a| a.is_elf64() == is_64 && a.elf_machine() == machine);
    let Some(arch) = arch.filter(|_| bytes[5] == elf::ELFDATA2LSB.0) else {
        return Err(RuntimeError::UnsupportedArch {
            found: describe_machine(is_64, machine),
        });
    };
    let data = aligned(bytes);
    match arch {
        Arch::X86_64 => read::<FileHeader64<LittleEndian>>(data.bytes(), arch),
        Arch::Thumb2 => read::<FileHeader32<LittleEndian>>(data.bytes(), arch),
    }
}

fn read<Elf: FileHeader<Endian = LittleEndian>>(
    data: &[u8],
    arch: Arch,
) -> Result<RuntimeImage, RuntimeError> {
    let header = Elf::parse(data)?;
    let endian = header.endian()?;
    let e_type = header.e_type(endian);
    if e_type != elf::ET_EXEC {
        return Err(RuntimeError::NotExecutable { e_type: e_type.0 });
    }
    let sections = header.sections(endian, data)?;
    let symtab = sections.symbols(endian, data, elf::SHT_SYMTAB)?;
    if symtab.is_empty() {
        return Err(RuntimeError::NoSymbols);
    }

    let mut symbols = HashMap::new();
    let mut build_id = None;
    let mut exports = None;
    for (index, sym) in symtab.enumerate() {
        let shndx = sym.st_shndx(endian);
        if shndx == elf::SHN_UNDEF || shndx == elf::SHN_COMMON {
            continue;
        }
        let name = symtab.symbol_name(endian, sym)?;
        if name.is_empty() {
            continue;
        }
        if name == BUILD_ID_SYMBOL.as_bytes() {
            build_id = Some((index, sym));
        }
        if name == EXPORTS_SYMBOL.as_bytes() {
            exports = Some((index, sym));
        }
        let bind = sym.st_bind();
        if !matches!(bind, elf::STB_GLOBAL | elf::STB_WEAK)
            || !matches!(
                sym.st_type(),
                elf::STT_FUNC | elf::STT_OBJECT | elf::STT_NOTYPE
            )
        {
            continue;
        }
        let name = String::from_utf8_lossy(name).into_owned();
        let value: u64 = sym.st_value(endian).into();
        if bind == elf::STB_GLOBAL {
            symbols.insert(name, value);
        } else {
            symbols.entry(name).or_insert(value);
        }
    }

    if let Some((index, sym)) = exports {
        let sh = symtab
            .symbol_section(endian, sym, index)?
            .map(|sec| sections.section(sec))
            .transpose()?;
        let table = sh
            .and_then(|sh| section_bytes_at::<Elf>(sh, endian, data, sym.st_value(endian).into()));
        let word = if Elf::is_type_64_sized() { 8 } else { 4 };
        let mut at = 0;
        while let Some(entry) = table.and_then(|t| t.get(at..at + 2 * word)) {
            let read = |b: &[u8]| {
                b.iter()
                    .rev()
                    .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte))
            };
            let (name_at, address) = (read(&entry[..word]), read(&entry[word..]));
            if name_at == 0 {
                break;
            }
            if let Some(name) = c_string_at(&sections, endian, data, name_at) {
                symbols.insert(name, address);
            }
            at += 2 * word;
        }
    }

    let (index, sym) = build_id.ok_or(RuntimeError::MissingBuildId)?;
    let bad = |reason: &str| RuntimeError::BadBuildId {
        reason: reason.to_owned(),
    };
    let size: u64 = sym.st_size(endian).into();
    if size != 0 && size < 8 {
        return Err(bad(&format!("the symbol is {size} bytes long, not 8")));
    }
    let Some(sec) = symtab.symbol_section(endian, sym, index)? else {
        return Err(bad("the symbol is not defined in a section"));
    };
    let sh = sections.section(sec)?;
    if sh.sh_type(endian) == elf::SHT_NOBITS {
        return Err(bad(
            "the symbol is in a section without file contents (.bss)",
        ));
    }
    let offset = sym
        .st_value(endian)
        .into()
        .wrapping_sub(sh.sh_addr(endian).into());
    let contents = sh.data(endian, data)?;
    let id = usize::try_from(offset)
        .ok()
        .and_then(|start| contents.get(start..start.checked_add(8)?))
        .ok_or_else(|| bad("the symbol lies outside its section"))?;
    Ok(RuntimeImage {
        symbols,
        build_id: id.try_into().expect("an 8-byte slice"),
        arch,
    })
}

/// The bytes of section `sh` from address `addr` on (`None` for a section without contents or
/// an address outside it).
fn section_bytes_at<'d, Elf: FileHeader<Endian = LittleEndian>>(
    sh: &Elf::SectionHeader,
    endian: LittleEndian,
    data: &'d [u8],
    addr: u64,
) -> Option<&'d [u8]> {
    if sh.sh_type(endian) == elf::SHT_NOBITS {
        return None;
    }
    let offset = usize::try_from(addr.checked_sub(sh.sh_addr(endian).into())?).ok()?;
    sh.data(endian, data).ok()?.get(offset..)
}

/// The NUL-terminated string at address `addr` of the executable's loaded sections.
fn c_string_at<Elf: FileHeader<Endian = LittleEndian>>(
    sections: &object::read::elf::SectionTable<'_, Elf>,
    endian: LittleEndian,
    data: &[u8],
    addr: u64,
) -> Option<String> {
    sections.iter().find_map(|sh| {
        let start: u64 = sh.sh_addr(endian).into();
        let size: u64 = sh.sh_size(endian).into();
        if !sh.sh_flags(endian).contains(elf::SHF_ALLOC) || addr < start || addr >= start + size {
            return None;
        }
        let bytes = section_bytes_at::<Elf>(sh, endian, data, addr)?;
        let end = bytes.iter().position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&bytes[..end]).into_owned())
    })
}
