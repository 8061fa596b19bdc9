//! The `compile` target's session without a device: the host port's compiler, the runtime image
//! and a shadow machine to link into.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use bs_link::{Arch, PlaceError, RuntimeImage};
use bs_shadow::{MemoryMap, Region, Shadow, UnitRecord};
use bs_toolchain::UnitCompiler;

use crate::{MAX_UNITS, Units};

/// Objects of C that compiled, by the C's hash: mutants often produce the same C again.
const CACHE_LIMIT: usize = 4096;

pub struct Tools {
    compiler: UnitCompiler,
    image: RuntimeImage,
    map: MemoryMap,
    objects: HashMap<u64, Vec<u8>>,
}

impl Default for Tools {
    fn default() -> Self {
        Self::new()
    }
}

impl Tools {
    pub fn new() -> Tools {
        let port = &bs_toolchain::HOST;
        let runtime = bs_toolchain::ensure_runtime(port).expect("the host runtime builds");
        let elf = std::fs::read(&runtime.image).expect("the host runtime image");
        let image = bs_link::read_runtime_elf(&elf).expect("a runtime image");
        let compiler = UnitCompiler::new(port, &runtime).expect("a work folder");
        // The host port's regions (runtime/ports/host/bs_port_config.h, default sizes).
        let map = MemoryMap {
            code: Region {
                base: 0x2000_0000,
                size: 1 << 20,
            },
            data: Region {
                base: 0x2040_0000,
                size: 256 << 10,
            },
            heap: Region {
                base: 0x2080_0000,
                size: 1 << 20,
            },
        };
        Tools {
            compiler,
            image,
            map,
            objects: HashMap::new(),
        }
    }

    fn compile(&mut self, c: &str, source: &str) -> Vec<u8> {
        let mut h = DefaultHasher::new();
        c.hash(&mut h);
        let key = h.finish();
        if let Some(object) = self.objects.get(&key) {
            return object.clone();
        }
        let object = match self.compiler.compile(c) {
            Ok(object) => object,
            Err(e) => panic!(
                "a unit that checks does not compile:\n--- unit\n{source}\n--- C\n{c}\n--- compiler\n{e}"
            ),
        };
        if self.objects.len() >= CACHE_LIMIT {
            self.objects.clear();
        }
        self.objects.insert(key, object.clone());
        object
    }

    /// Checks, compiles and links the units of `text` (separated by NUL bytes).
    pub fn run(&mut self, text: &str) {
        let mut units = Units::new();
        let mut shadow = Shadow::new(self.map, self.image.clone());
        for (i, source) in text.split('\0').take(MAX_UNITS).enumerate() {
            let Some(checked) = units.check(source) else {
                continue;
            };
            let c = bs_cgen::emit_unit(&checked.unit);
            if c.contains(bs_cgen::INLINE_C_FILE) {
                continue;
            }
            let object = self.compile(&c, source);
            let id = i as u32 + 1;
            let mut txn = shadow.begin_unit(id);
            let linked = match bs_link::link_object_with(&object, Arch::X86_64, &mut txn) {
                Ok(linked) => linked,
                Err(bs_link::LinkError::Place(PlaceError::RegionFull { .. })) => return,
                Err(e) => panic!(
                    "a unit that checks and compiles does not link: {e}\n--- unit\n{source}\n--- C\n{c}"
                ),
            };
            let entry = bs_cgen::c_symbol(&checked.unit.entry_symbol);
            let entry = linked
                .symbol(&entry)
                .unwrap_or_else(|| panic!("no entry function {entry} in the linked unit"));
            let record = UnitRecord {
                id,
                name: format!("<unit {id}>"),
                source: source.to_string(),
                symbols: linked.symbols.clone(),
                entry: Some(entry),
            };
            txn.commit(record).expect("the unit commits");
            units.declare(checked);
        }
    }
}
