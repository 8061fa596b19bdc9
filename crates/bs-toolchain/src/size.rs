//! The memory a runtime image takes on its device, read from the absolute symbols its linker
//! script defines, and the check against the budget of its port (bs_port_config.h).

use std::collections::HashMap;
use std::fmt;

use object::elf;
use object::read::elf::{ElfFile32, ElfFile64};
use object::{Object, ObjectSymbol};

/// How much flash and RAM a runtime image uses, and its port's budget for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageSize {
    /// Flash: code, constants and the initial values of variables (`__bs_flash_end` −
    /// `__bs_flash_start`).
    pub flash: u64,
    /// `__bs_flash_budget`.
    pub flash_budget: u64,
    /// RAM: stacks, the runtime's variables and the code, data and heap regions
    /// (`__bs_ram_end` − `__bs_ram_start`).
    pub ram: u64,
    /// `__bs_ram_budget`.
    pub ram_budget: u64,
    /// The runtime's own variables, `.data` and `.bss` (`__bs_static_size`).
    pub statics: u64,
    /// `__bs_static_budget`.
    pub statics_budget: u64,
}

impl ImageSize {
    /// The first budget the image exceeds, as a sentence, or `None`.
    pub fn excess(&self) -> Option<String> {
        let over = |what: &str, used: u64, budget: u64| {
            (used > budget)
                .then(|| format!("{what} takes {used} bytes, over its budget of {budget}"))
        };
        over("the runtime in flash", self.flash, self.flash_budget)
            .or_else(|| over("the image in RAM", self.ram, self.ram_budget))
            .or_else(|| over("the runtime's variables", self.statics, self.statics_budget))
    }
}

impl fmt::Display for ImageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let percent = |used: u64, budget: u64| (used * 100).checked_div(budget).unwrap_or(0);
        write!(
            f,
            "flash {} of {} bytes ({}%), RAM {} of {} bytes ({}%; the runtime's variables {} of {})",
            self.flash,
            self.flash_budget,
            percent(self.flash, self.flash_budget),
            self.ram,
            self.ram_budget,
            percent(self.ram, self.ram_budget),
            self.statics,
            self.statics_budget,
        )
    }
}

/// The symbols [`image_size`] reads.
const SYMBOLS: [&str; 8] = [
    "__bs_flash_start",
    "__bs_flash_end",
    "__bs_flash_budget",
    "__bs_ram_start",
    "__bs_ram_end",
    "__bs_ram_budget",
    "__bs_static_size",
    "__bs_static_budget",
];

/// Reads the size of a runtime image from its symbols; `Err` names what is missing.
pub fn image_size(elf_bytes: &[u8]) -> Result<ImageSize, String> {
    let mut values: HashMap<&str, u64> = HashMap::new();
    let mut collect = |symbols: &mut dyn Iterator<Item = (String, u64)>| {
        for (name, value) in symbols {
            if let Some(wanted) = SYMBOLS.iter().find(|s| **s == name) {
                values.insert(wanted, value);
            }
        }
    };
    let is_64 = elf_bytes.get(4) == Some(&elf::ELFCLASS64.0); // e_ident[EI_CLASS]
    if is_64 {
        let file =
            ElfFile64::<object::LittleEndian>::parse(elf_bytes).map_err(|e| e.to_string())?;
        collect(
            &mut file
                .symbols()
                .map(|s| (s.name().unwrap_or("").to_owned(), s.address())),
        );
    } else {
        let file =
            ElfFile32::<object::LittleEndian>::parse(elf_bytes).map_err(|e| e.to_string())?;
        collect(
            &mut file
                .symbols()
                .map(|s| (s.name().unwrap_or("").to_owned(), s.address())),
        );
    }
    let get = |name: &str| {
        values
            .get(name)
            .copied()
            .ok_or_else(|| format!("the image defines no symbol `{name}`"))
    };
    Ok(ImageSize {
        flash: get("__bs_flash_end")?.wrapping_sub(get("__bs_flash_start")?),
        flash_budget: get("__bs_flash_budget")?,
        ram: get("__bs_ram_end")?.wrapping_sub(get("__bs_ram_start")?),
        ram_budget: get("__bs_ram_budget")?,
        statics: get("__bs_static_size")?,
        statics_budget: get("__bs_static_budget")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(flash: u64, ram: u64, statics: u64) -> ImageSize {
        ImageSize {
            flash,
            flash_budget: 32768,
            ram,
            ram_budget: 90112,
            statics,
            statics_budget: 8192,
        }
    }

    #[test]
    fn the_first_exceeded_budget_is_named() {
        assert_eq!(size(32768, 90112, 8192).excess(), None);
        let e = size(32769, 1, 1).excess().unwrap();
        assert!(e.contains("flash") && e.contains("32769"), "{e}");
        let e = size(1, 90113, 1).excess().unwrap();
        assert!(e.contains("RAM"), "{e}");
        let e = size(1, 1, 9000).excess().unwrap();
        assert!(e.contains("variables"), "{e}");
    }

    #[test]
    fn the_report_gives_use_and_budget() {
        let text = size(16384, 45056, 4096).to_string();
        assert!(text.contains("flash 16384 of 32768 bytes (50%)"), "{text}");
        assert!(text.contains("RAM 45056 of 90112 bytes (50%"), "{text}");
    }

    #[test]
    fn an_image_without_the_symbols_is_refused() {
        assert!(image_size(b"not an elf file").is_err());
    }
}
