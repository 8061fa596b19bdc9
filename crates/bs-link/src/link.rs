//! [`link_object`]: one relocatable ELF object in, one [`LinkedUnit`] out.
//!
//! The steps, in order (each fails before anything later is done):
//! 1. check the ELF header (class, endianness and machine of the device, `ET_REL`);
//! 2. collect the loaded sections (`SHF_ALLOC`, minus notes) and reject those the loader cannot
//!    honour (thread-local storage, constructors) and common symbols;
//! 3. collect the relocations of loaded sections, rejecting unknown types and places outside
//!    their section;
//! 4. resolve every symbol a relocation uses: the object's own definitions first, then the
//!    [`SymbolResolver`]; all the missing ones are reported together;
//! 5. lay out each region kind (sections in file order, `SHT_NOBITS` last, each aligned; on
//!    Thumb-2 a veneer slot per distinct external branch target after the code) and place it
//!    with a single [`Placer`] call;
//! 6. copy the section bytes and apply every relocation, range-checked before patching; a Thumb
//!    branch that cannot reach its external target goes through the target's veneer.

use std::collections::{HashMap, HashSet};

use object::LittleEndian;
use object::elf::{self, FileHeader32, FileHeader64};
use object::read::SymbolIndex;
use object::read::elf::{FileHeader, Rel, Rela, SectionHeader, SectionTable, Sym, SymbolTable};

use crate::arch::describe_machine;
use crate::lines::LineTable;
use crate::model::{CLASS_TABLE_SECTION, VENEER_SECTION};
use crate::reloc::{self, Target};
use crate::{
    Arch, Chunk, LinkError, LinkedUnit, PlaceError, PlacedSection, Placer, RegionKind, RelocKind,
    SymbolResolver, UndefinedSymbol,
};

/// Links one relocatable ELF object (as produced by `gcc -c`) for `arch`: places its loaded
/// sections with `placer` (one call per region kind), resolves the symbols it does not define
/// with `resolver`, and applies its relocations. See the crate documentation for the rules.
pub fn link_object(
    object: &[u8],
    arch: Arch,
    placer: &mut dyn Placer,
    resolver: &dyn SymbolResolver,
) -> Result<LinkedUnit, LinkError> {
    link(object, arch, &mut Split { placer, resolver })
}

/// [`link_object`] for a caller whose placer is also its resolver (such as the shadow
/// machine's unit transaction), which cannot be lent mutably and shared at once.
pub fn link_object_with<E: Placer + SymbolResolver + ?Sized>(
    object: &[u8],
    arch: Arch,
    env: &mut E,
) -> Result<LinkedUnit, LinkError> {
    link(object, arch, &mut Joint(env))
}

/// What the linker needs from its caller: placement and symbol look-up.
trait Env {
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError>;
    fn resolve(&self, name: &str) -> Option<u64>;
}

struct Split<'a> {
    placer: &'a mut dyn Placer,
    resolver: &'a dyn SymbolResolver,
}

impl Env for Split<'_> {
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError> {
        self.placer.place(kind, size, align)
    }
    fn resolve(&self, name: &str) -> Option<u64> {
        self.resolver.resolve(name)
    }
}

struct Joint<'a, E: ?Sized>(&'a mut E);

impl<E: Placer + SymbolResolver + ?Sized> Env for Joint<'_, E> {
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError> {
        self.0.place(kind, size, align)
    }
    fn resolve(&self, name: &str) -> Option<u64> {
        self.0.resolve(name)
    }
}

fn link(object: &[u8], arch: Arch, env: &mut dyn Env) -> Result<LinkedUnit, LinkError> {
    check_ident(object, arch)?;
    let data = aligned(object);
    match arch {
        Arch::X86_64 => link_elf::<FileHeader64<LittleEndian>>(data.bytes(), arch, env),
        Arch::Thumb2 => link_elf::<FileHeader32<LittleEndian>>(data.bytes(), arch, env),
    }
}

/// Checks the ELF identification and machine before parsing, for a precise error.
fn check_ident(object: &[u8], arch: Arch) -> Result<(), LinkError> {
    if object.len() < 20 || object[..4] != elf::ELFMAG {
        return Err(LinkError::Malformed("not an ELF file".into()));
    }
    let is_64 = object[4] == elf::ELFCLASS64.0;
    if object[5] != elf::ELFDATA2LSB.0 {
        return Err(LinkError::WrongArch {
            expected: arch,
            found: "a big-endian ELF file".into(),
        });
    }
    let machine = u16::from_le_bytes([object[18], object[19]]);
    if is_64 != arch.is_elf64() || machine != arch.elf_machine() {
        return Err(LinkError::WrongArch {
            expected: arch,
            found: describe_machine(is_64, machine),
        });
    }
    Ok(())
}

/// Bytes the ELF reader can parse: its header structs must be aligned, and a caller's slice
/// may not be.
pub(crate) enum AlignedBytes<'a> {
    Borrowed(&'a [u8]),
    /// A copy in 8-aligned storage, and its length in bytes.
    Copied(Vec<u64>, usize),
}

impl AlignedBytes<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            AlignedBytes::Borrowed(b) => b,
            AlignedBytes::Copied(words, len) => &object::pod::bytes_of_slice(words)[..*len],
        }
    }
}

pub(crate) fn aligned(bytes: &[u8]) -> AlignedBytes<'_> {
    if bytes.as_ptr().align_offset(8) == 0 {
        return AlignedBytes::Borrowed(bytes);
    }
    let mut words = vec![0u64; bytes.len().div_ceil(8)];
    object::pod::bytes_of_slice_mut(&mut words)[..bytes.len()].copy_from_slice(bytes);
    AlignedBytes::Copied(words, bytes.len())
}

/// A loaded input section.
struct Input<'d> {
    name: String,
    kind: RegionKind,
    size: u64,
    align: u64,
    /// The file bytes; `None` for `SHT_NOBITS`.
    bytes: Option<&'d [u8]>,
    /// `SHF_WRITE`.
    writable: bool,
    /// Offset within its region's chunk, set by the layout.
    offset: u64,
}

/// A relocation of a loaded section, waiting for addresses.
struct Pending {
    input: usize,
    offset: u64,
    r_type: u32,
    kind: RelocKind,
    /// Symbol table index; 0 means "no symbol" (`S` = 0).
    sym: usize,
    /// `None` for REL relocations: the addend is read from the place.
    addend: Option<i64>,
}

/// Where a symbol's address comes from.
#[derive(Clone, Copy)]
enum SymAddr {
    /// Defined in a loaded section, `value` bytes from its start.
    Local { input: usize, value: u64 },
    /// `SHN_ABS`, or an undefined weak symbol (0).
    Absolute(u64),
    /// Defined outside the unit; the resolver's answer.
    External(u64),
}

struct Resolved {
    name: String,
    addr: SymAddr,
    /// A local Thumb function (its `value` has bit 0 cleared).
    thumb: bool,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn malformed(what: impl Into<String>) -> LinkError {
    LinkError::Malformed(what.into())
}

fn align_up(value: u64, align: u64) -> Result<u64, LinkError> {
    value
        .checked_next_multiple_of(align)
        .ok_or_else(|| malformed("the unit's sections are too large"))
}

fn region_index(kind: RegionKind) -> usize {
    match kind {
        RegionKind::Code => 0,
        RegionKind::Data => 1,
    }
}

/// The steps of the module documentation, one function each, in order.
fn link_elf<Elf: FileHeader<Endian = LittleEndian>>(
    data: &[u8],
    arch: Arch,
    env: &mut dyn Env,
) -> Result<LinkedUnit, LinkError> {
    let mut object = Object::<Elf>::read(data, arch)?;
    let pending = object.relocations()?;
    let resolved = object.resolve_symbols(&pending, env)?;
    let veneers = Veneers::assign(arch, &pending, &resolved);
    let layout = Layout::assign_offsets(arch, &mut object.inputs, &veneers)?;
    let mut image = layout.place(env)?;
    image.copy_bytes(&object.inputs, &veneers);
    image.relocate(&object.inputs, &pending, &resolved, &veneers)?;
    let symbols = object.exported_symbols(&image.layout)?;
    let lines = object.line_table(&image.layout);
    Ok(image.into_unit(&object.inputs, &veneers, symbols, lines))
}

/// The parsed object (steps 1 and 2): its section and symbol tables and its loaded sections.
struct Object<'d, Elf: FileHeader<Endian = LittleEndian>> {
    arch: Arch,
    data: &'d [u8],
    endian: LittleEndian,
    sections: SectionTable<'d, Elf>,
    symtab: SymbolTable<'d, Elf>,
    inputs: Vec<Input<'d>>,
    /// The loaded section (index into `inputs`) of each ELF section, by section index.
    input_of: Vec<Option<usize>>,
}

impl<'d, Elf: FileHeader<Endian = LittleEndian>> Object<'d, Elf> {
    /// Steps 1 and 2: the header, the loaded sections and the absence of common symbols.
    fn read(data: &'d [u8], arch: Arch) -> Result<Self, LinkError> {
        let header = Elf::parse(data)?;
        let endian = header.endian()?;
        let e_type = header.e_type(endian);
        if e_type != elf::ET_REL {
            return Err(LinkError::NotRelocatable { e_type: e_type.0 });
        }
        let sections = header.sections(endian, data)?;
        let mut inputs: Vec<Input<'_>> = Vec::new();
        let mut input_of: Vec<Option<usize>> = vec![None; sections.len()];
        for (index, sh) in sections.enumerate() {
            let flags = sh.sh_flags(endian);
            let sh_type = sh.sh_type(endian);
            // Notes (e.g. .note.gnu.property) describe the object; no code refers to them.
            if !flags.contains(elf::SHF_ALLOC) || sh_type == elf::SHT_NOTE {
                continue;
            }
            let name = section_name::<Elf>(&sections, endian, sh);
            if flags.contains(elf::SHF_TLS) {
                return Err(LinkError::UnsupportedSection {
                    section: name,
                    reason: "thread-local storage is not supported",
                });
            }
            if matches!(
                sh_type,
                elf::SHT_INIT_ARRAY | elf::SHT_FINI_ARRAY | elf::SHT_PREINIT_ARRAY
            ) || name.starts_with(".ctors")
                || name.starts_with(".dtors")
            {
                return Err(LinkError::UnsupportedSection {
                    section: name,
                    reason: "static constructors and destructors are never run by the loader",
                });
            }
            let size: u64 = sh.sh_size(endian).into();
            let align: u64 = sh.sh_addralign(endian).into().max(1);
            if !align.is_power_of_two() {
                return Err(malformed(format!(
                    "section {name} has alignment {align}, not a power of two"
                )));
            }
            let bytes = if sh_type == elf::SHT_NOBITS {
                None
            } else {
                Some(sh.data(endian, data)?)
            };
            // Class tables are constants that hold no heap references: they go with the code,
            // whose region the collector does not scan, rather than fill the data region.
            let kind = if flags.contains(elf::SHF_EXECINSTR)
                || (name == CLASS_TABLE_SECTION && !flags.contains(elf::SHF_WRITE))
            {
                RegionKind::Code
            } else {
                RegionKind::Data
            };
            input_of[index.0] = Some(inputs.len());
            inputs.push(Input {
                name,
                kind,
                size,
                align,
                bytes,
                writable: flags.contains(elf::SHF_WRITE),
                offset: 0,
            });
        }

        let symtab = sections.symbols(endian, data, elf::SHT_SYMTAB)?;
        for sym in symtab.iter() {
            if sym.st_shndx(endian) == elf::SHN_COMMON {
                return Err(LinkError::Common {
                    symbol: lossy(symtab.symbol_name(endian, sym)?),
                });
            }
        }
        Ok(Object {
            arch,
            data,
            endian,
            sections,
            symtab,
            inputs,
            input_of,
        })
    }

    /// The unit's line table, its addresses where `layout` placed the code (empty when the
    /// object has no readable `.debug_line`: it only helps error reports).
    fn line_table(&self, layout: &Layout) -> LineTable {
        let Some(line) = self.debug_section(".debug_line", layout) else {
            return LineTable::default();
        };
        let line_str = self
            .debug_section(".debug_line_str", layout)
            .unwrap_or_default();
        let strings = self.debug_section(".debug_str", layout).unwrap_or_default();
        let address_size = if self.arch.is_elf64() { 8 } else { 4 };
        crate::lines::read(&line, &line_str, &strings, address_size).unwrap_or_default()
    }

    /// The entries of a SHT_REL or SHT_RELA section: (offset, type, symbol index, addend, which
    /// SHT_REL entries do not carry).
    #[allow(clippy::type_complexity)]
    fn relocation_entries(
        &self,
        sh: &Elf::SectionHeader,
    ) -> Result<Vec<(u64, u32, u32, Option<i64>)>, object::read::Error> {
        let (endian, data) = (self.endian, self.data);
        let mut raw = Vec::new();
        if let Some((rels, _)) = sh.rel(endian, data)? {
            raw.extend(rels.iter().map(|r| {
                (
                    r.r_offset(endian).into(),
                    r.r_type(endian).0,
                    r.r_sym(endian),
                    None,
                )
            }));
        }
        if let Some((relas, _)) = sh.rela(endian, data)? {
            raw.extend(relas.iter().map(|r| {
                (
                    r.r_offset(endian).into(),
                    r.r_type(endian, false).0,
                    r.r_sym(endian, false),
                    Some(r.r_addend(endian).into()),
                )
            }));
        }
        Ok(raw)
    }

    /// A copy of the unloaded section `name` with its absolute relocations applied: a symbol in
    /// a loaded section at the address `layout` gave it, one in an unloaded section (such as a
    /// string in `.debug_line_str`) at its offset there. `None` if there is no such section or
    /// it cannot be read.
    fn debug_section(&self, name: &str, layout: &Layout) -> Option<Vec<u8>> {
        let (endian, data) = (self.endian, self.data);
        let (index, sh) = self
            .sections
            .enumerate()
            .find(|(_, sh)| self.section_name(sh) == name)?;
        if sh.sh_type(endian) == elf::SHT_NOBITS {
            return None;
        }
        let mut bytes = sh.data(endian, data).ok()?.to_vec();
        for (_, rsh) in self.sections.enumerate() {
            if !matches!(rsh.sh_type(endian), elf::SHT_REL | elf::SHT_RELA)
                || rsh.info_link(endian) != index
                || rsh.link(endian) != self.symtab.section()
            {
                continue;
            }
            let Ok(raw) = self.relocation_entries(rsh) else {
                continue;
            };
            for (offset, r_type, sym, addend) in raw {
                let Some(kind) = self.arch.relocation(r_type).map(|s| s.kind) else {
                    continue;
                };
                if !matches!(
                    kind,
                    RelocKind::Abs64 | RelocKind::Abs32 | RelocKind::Word32
                ) {
                    continue;
                }
                let width = kind.width() as usize;
                let start = usize::try_from(offset).ok()?;
                let place = bytes.get_mut(start..start.checked_add(width)?)?;
                let index = SymbolIndex(sym as usize);
                let symbol = self.symtab.symbol(index).ok()?;
                let value: u64 = symbol.st_value(endian).into();
                let base = match self.symtab.symbol_section(endian, symbol, index).ok()? {
                    Some(sec) => self
                        .input_of(sec.0)
                        .map_or(0, |input| layout.at(&self.inputs[input])),
                    None => 0,
                };
                let addend = addend.unwrap_or_else(|| reloc::implicit_addend(kind, place));
                let target = base.wrapping_add(value).wrapping_add(addend as u64);
                place.copy_from_slice(&target.to_le_bytes()[..width]);
            }
        }
        Some(bytes)
    }

    fn section_name(&self, sh: &Elf::SectionHeader) -> String {
        section_name::<Elf>(&self.sections, self.endian, sh)
    }

    /// The loaded section that ELF section `index` became, if it is loaded.
    fn input_of(&self, index: usize) -> Option<usize> {
        self.input_of.get(index).copied().flatten()
    }

    /// Step 3: the relocations of loaded sections.
    fn relocations(&self) -> Result<Vec<Pending>, LinkError> {
        let (arch, endian) = (self.arch, self.endian);
        let mut pending = Vec::new();
        for (_, sh) in self.sections.enumerate() {
            let sh_type = sh.sh_type(endian);
            if !matches!(sh_type, elf::SHT_REL | elf::SHT_RELA | elf::SHT_CREL) {
                continue;
            }
            let Some(input) = self.input_of(sh.info_link(endian).0) else {
                continue; // relocations of debug information and other unloaded sections
            };
            let section = &self.inputs[input];
            if sh_type == elf::SHT_CREL {
                return Err(malformed(format!(
                    "compact relocations (SHT_CREL) for {} are not supported",
                    section.name
                )));
            }
            if sh.link(endian) != self.symtab.section() {
                return Err(malformed(format!(
                    "relocations for {} do not use the object's symbol table",
                    section.name
                )));
            }
            let raw = self.relocation_entries(sh)?;
            for (offset, r_type, sym, addend) in raw {
                let Some(spec) = arch.relocation(r_type) else {
                    return Err(LinkError::Unsupported {
                        arch,
                        kind: r_type,
                        section: section.name.clone(),
                        offset,
                    });
                };
                if spec.kind == RelocKind::None {
                    continue;
                }
                let fits = offset
                    .checked_add(spec.kind.width())
                    .is_some_and(|end| end <= section.size);
                if section.bytes.is_none() || !fits {
                    return Err(LinkError::BadRelocationOffset {
                        arch,
                        kind: r_type,
                        section: section.name.clone(),
                        offset,
                        size: section.size,
                    });
                }
                pending.push(Pending {
                    input,
                    offset,
                    r_type,
                    kind: spec.kind,
                    sym: sym as usize,
                    addend,
                });
            }
        }
        Ok(pending)
    }

    /// Step 4: where each symbol a relocation uses lives, by symbol index; all the missing
    /// ones are reported together.
    fn resolve_symbols(
        &self,
        pending: &[Pending],
        env: &dyn Env,
    ) -> Result<HashMap<usize, Resolved>, LinkError> {
        let (endian, symtab) = (self.endian, &self.symtab);
        let mut resolved: HashMap<usize, Resolved> = HashMap::new();
        let mut missing: Vec<UndefinedSymbol> = Vec::new();
        let mut missing_idx: HashSet<usize> = HashSet::new();
        for p in pending {
            if p.sym == 0 || resolved.contains_key(&p.sym) || missing_idx.contains(&p.sym) {
                continue;
            }
            let index = SymbolIndex(p.sym);
            let sym = symtab.symbol(index)?;
            let shndx = sym.st_shndx(endian);
            let defined_in = symtab.symbol_section(endian, sym, index)?;
            let name = match (sym.st_type(), defined_in) {
                (elf::STT_SECTION, Some(sec)) => self.section_name(self.sections.section(sec)?),
                _ => lossy(symtab.symbol_name(endian, sym)?),
            };
            let value: u64 = sym.st_value(endian).into();
            let mut thumb = false;
            let addr = if shndx == elf::SHN_ABS {
                SymAddr::Absolute(value)
            } else if let Some(sec) = defined_in {
                let Some(input) = self.input_of(sec.0) else {
                    return Err(LinkError::NotLoaded {
                        symbol: name,
                        section: self.section_name(self.sections.section(sec)?),
                    });
                };
                let mut value = value;
                if self.arch == Arch::Thumb2 && sym.st_type() == elf::STT_FUNC && value & 1 == 1 {
                    value &= !1;
                    thumb = true;
                }
                SymAddr::Local { input, value }
            } else if let Some(addr) = env.resolve(&name) {
                SymAddr::External(addr)
            } else if sym.st_bind() == elf::STB_WEAK {
                SymAddr::Absolute(0)
            } else {
                missing_idx.insert(p.sym);
                if !missing.iter().any(|m| m.symbol == name) {
                    missing.push(UndefinedSymbol {
                        symbol: name,
                        section: self.inputs[p.input].name.clone(),
                    });
                }
                continue;
            };
            resolved.insert(p.sym, Resolved { name, addr, thumb });
        }
        if !missing.is_empty() {
            return Err(LinkError::Undefined { symbols: missing });
        }
        Ok(resolved)
    }

    /// The unit's exported symbols and their addresses, once the layout is placed.
    fn exported_symbols(&self, layout: &Layout) -> Result<Vec<(String, u64)>, LinkError> {
        let (endian, symtab) = (self.endian, &self.symtab);
        let mut symbols = Vec::new();
        for (index, sym) in symtab.enumerate() {
            if !matches!(sym.st_bind(), elf::STB_GLOBAL | elf::STB_WEAK)
                || matches!(
                    sym.st_type(),
                    elf::STT_SECTION | elf::STT_FILE | elf::STT_TLS
                )
            {
                continue;
            }
            let value: u64 = sym.st_value(endian).into();
            let addr = if sym.st_shndx(endian) == elf::SHN_ABS {
                value
            } else {
                match symtab.symbol_section(endian, sym, index)? {
                    Some(sec) => match self.input_of(sec.0) {
                        Some(input) => layout.at(&self.inputs[input]) + value,
                        None => continue,
                    },
                    None => continue,
                }
            };
            symbols.push((lossy(symtab.symbol_name(endian, sym)?), addr));
        }
        Ok(symbols)
    }
}

fn section_name<Elf: FileHeader<Endian = LittleEndian>>(
    sections: &SectionTable<'_, Elf>,
    endian: LittleEndian,
    sh: &Elf::SectionHeader,
) -> String {
    sections
        .section_name(endian, sh)
        .map_or_else(|_| "<unnamed section>".to_owned(), lossy)
}

/// Veneer slots: one per distinct address that an external Thumb branch targets.
struct Veneers {
    /// The target of each slot.
    targets: Vec<u64>,
    /// The slot of each symbol (by symbol index) that an external Thumb branch uses.
    slot_of_sym: HashMap<usize, usize>,
}

impl Veneers {
    /// First half of step 5: a slot per distinct external branch target (Thumb-2 only).
    fn assign(arch: Arch, pending: &[Pending], resolved: &HashMap<usize, Resolved>) -> Self {
        let mut targets: Vec<u64> = Vec::new();
        let mut slot_of_sym: HashMap<usize, usize> = HashMap::new();
        if arch.veneer_size().is_some() {
            for p in pending.iter().filter(|p| p.kind.is_thumb_branch()) {
                let Some(r) = resolved.get(&p.sym) else {
                    continue;
                };
                let (SymAddr::External(to) | SymAddr::Absolute(to)) = r.addr else {
                    continue; // targets inside the unit are always within ±16 MiB
                };
                if !arch.can_veneer_to(to) {
                    continue; // the direct branch will be reported out of range
                }
                let slot = match targets.iter().position(|&v| v == to) {
                    Some(slot) => slot,
                    None => {
                        targets.push(to);
                        targets.len() - 1
                    }
                };
                slot_of_sym.insert(p.sym, slot);
            }
        }
        Veneers {
            targets,
            slot_of_sym,
        }
    }
}

/// The size, alignment and address of each region kind (indexed by [`region_index`]), and
/// where the veneers are in the code region.
struct Layout {
    arch: Arch,
    size: [u64; 2],
    align: [u64; 2],
    /// Offset of the first veneer slot in the code region.
    veneer_offset: u64,
    /// The region addresses, set by [`Layout::place`].
    base: [u64; 2],
}

impl Layout {
    /// Second half of step 5: the offset of each input in its region (sections in file order,
    /// `SHT_NOBITS` last, each aligned) and the veneer slots after the code.
    fn assign_offsets(
        arch: Arch,
        inputs: &mut [Input<'_>],
        veneers: &Veneers,
    ) -> Result<Self, LinkError> {
        let mut size = [0u64; 2];
        let mut align = [1u64; 2];
        let mut veneer_offset = 0;
        for kind in RegionKind::ALL {
            let k = region_index(kind);
            let mut offset = 0u64;
            for nobits in [false, true] {
                for input in inputs
                    .iter_mut()
                    .filter(|i| i.kind == kind && i.bytes.is_none() == nobits)
                {
                    offset = align_up(offset, input.align)?;
                    input.offset = offset;
                    offset = offset
                        .checked_add(input.size)
                        .ok_or_else(|| malformed("the unit's sections are too large"))?;
                    align[k] = align[k].max(input.align);
                }
            }
            if kind == RegionKind::Code && !veneers.targets.is_empty() {
                let veneer_size = arch.veneer_size().unwrap_or(0);
                offset = align_up(offset, 4)?;
                veneer_offset = offset;
                offset += veneer_size * veneers.targets.len() as u64;
                align[k] = align[k].max(4);
            }
            size[k] = offset;
        }
        Ok(Layout {
            arch,
            size,
            align,
            veneer_offset,
            base: [0; 2],
        })
    }

    /// Places each non-empty region with one call to the caller, checking the answer, and
    /// allocates its (zeroed) bytes.
    fn place(mut self, env: &mut dyn Env) -> Result<Image, LinkError> {
        let arch = self.arch;
        let mut buffers: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        for kind in RegionKind::ALL {
            let k = region_index(kind);
            let (size, align) = (self.size[k], self.align[k]);
            if size == 0 {
                continue;
            }
            let addr = env.place(kind, size, align)?;
            let end_ok = addr
                .checked_add(size - 1)
                .is_some_and(|last| last <= arch.max_address());
            if addr % align != 0 || !end_ok {
                return Err(LinkError::BadPlacement {
                    arch,
                    region: kind,
                    addr,
                    size,
                    align,
                });
            }
            self.base[k] = addr;
            let len = usize::try_from(size).map_err(|_| malformed("unit too large"))?;
            buffers[k] = vec![0; len];
        }
        Ok(Image {
            layout: self,
            buffers,
        })
    }

    /// The address of a loaded section.
    fn at(&self, input: &Input<'_>) -> u64 {
        self.base[region_index(input.kind)] + input.offset
    }

    fn veneer_size(&self) -> u64 {
        self.arch.veneer_size().unwrap_or(0)
    }

    /// The offset of veneer slot `slot` in the code region.
    fn veneer_offset(&self, slot: usize) -> u64 {
        self.veneer_offset + self.veneer_size() * slot as u64
    }

    /// The address of veneer slot `slot`.
    fn veneer_addr(&self, slot: usize) -> u64 {
        self.base[0] + self.veneer_offset(slot)
    }
}

/// The placed regions' bytes (step 6).
struct Image {
    layout: Layout,
    /// The bytes of each region kind, indexed by [`region_index`].
    buffers: [Vec<u8>; 2],
}

impl Image {
    /// Copies the section bytes and writes the veneers.
    fn copy_bytes(&mut self, inputs: &[Input<'_>], veneers: &Veneers) {
        for input in inputs {
            if let Some(bytes) = input.bytes {
                let start = input.offset as usize;
                self.buffers[region_index(input.kind)][start..start + bytes.len()]
                    .copy_from_slice(bytes);
            }
        }
        for (slot, &to) in veneers.targets.iter().enumerate() {
            let start = self.layout.veneer_offset(slot) as usize;
            let written = self
                .layout
                .arch
                .write_veneer(&mut self.buffers[0][start..], to);
            debug_assert!(
                written,
                "veneer targets are checked when slots are assigned"
            );
        }
    }

    /// Applies every relocation, range-checked before patching; a Thumb branch that cannot
    /// reach its external target goes through the target's veneer.
    fn relocate(
        &mut self,
        inputs: &[Input<'_>],
        pending: &[Pending],
        resolved: &HashMap<usize, Resolved>,
        veneers: &Veneers,
    ) -> Result<(), LinkError> {
        let layout = &self.layout;
        for p in pending {
            let input = &inputs[p.input];
            let k = region_index(input.kind);
            let start = (input.offset + p.offset) as usize;
            let place_addr = layout.at(input) + p.offset;
            let (target, symbol) = match resolved.get(&p.sym) {
                None => (
                    Target {
                        addr: 0,
                        thumb: false,
                    },
                    "<no symbol>",
                ),
                Some(r) => {
                    let addr = match r.addr {
                        SymAddr::Local { input, value } => layout.at(&inputs[input]) + value,
                        SymAddr::Absolute(a) | SymAddr::External(a) => a,
                    };
                    (
                        Target {
                            addr,
                            thumb: r.thumb,
                        },
                        r.name.as_str(),
                    )
                }
            };
            let place = &mut self.buffers[k][start..start + p.kind.width() as usize];
            let addend = match p.addend {
                Some(a) => a,
                None => reloc::implicit_addend(p.kind, place),
            };
            let direct = reloc::apply(p.kind, target, addend, place_addr, place);
            let result = match (direct, veneers.slot_of_sym.get(&p.sym)) {
                (Err(_), Some(&slot)) => {
                    let veneer = Target {
                        addr: layout.veneer_addr(slot),
                        thumb: true,
                    };
                    reloc::apply(p.kind, veneer, addend, place_addr, place)
                }
                (result, _) => result,
            };
            if let Err(overflow) = result {
                return Err(LinkError::OutOfRange {
                    arch: layout.arch,
                    kind: p.r_type,
                    section: input.name.clone(),
                    offset: p.offset,
                    symbol: symbol.to_owned(),
                    target: i128::from(target.addr) + i128::from(addend),
                    place: place_addr,
                    value: overflow.value,
                    range: overflow.range,
                });
            }
        }
        Ok(())
    }

    /// The result: the chunks, the exported symbols and where each section went.
    fn into_unit(
        self,
        inputs: &[Input<'_>],
        veneers: &Veneers,
        symbols: Vec<(String, u64)>,
        lines: LineTable,
    ) -> LinkedUnit {
        let layout = self.layout;
        let mut placed: Vec<PlacedSection> = inputs
            .iter()
            .map(|i| PlacedSection {
                name: i.name.clone(),
                kind: i.kind,
                addr: layout.at(i),
                size: i.size,
                writable: i.writable,
            })
            .collect();
        if !veneers.targets.is_empty() {
            placed.push(PlacedSection {
                name: VENEER_SECTION.to_owned(),
                kind: RegionKind::Code,
                addr: layout.veneer_addr(0),
                size: layout.veneer_size() * veneers.targets.len() as u64,
                writable: false,
            });
        }
        let [code, data] = self.buffers;
        let chunks = [(RegionKind::Code, code), (RegionKind::Data, data)]
            .into_iter()
            .filter(|(_, bytes)| !bytes.is_empty())
            .map(|(kind, bytes)| Chunk {
                addr: layout.base[region_index(kind)],
                bytes,
                kind,
            })
            .collect();
        LinkedUnit {
            chunks,
            symbols,
            code_size: layout.size[0],
            data_size: layout.size[1],
            sections: placed,
            lines,
        }
    }
}
