//! The memory layout of a runtime image: the sizes of the stack and of the code, data and heap
//! regions, when they differ from the port's defaults (`bs_port_config.h`). A board with more RAM
//! than the default budget assumes can run bigger programs this way: `--memory heap=1M,data=64K`.

use std::fmt;
use std::str::FromStr;

use crate::Port;

/// Sizes in KiB; `None` keeps the port's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MemoryLayout {
    pub stack_kib: Option<u32>,
    pub code_kib: Option<u32>,
    pub data_kib: Option<u32>,
    pub heap_kib: Option<u32>,
}

/// The parts of a layout: (name in `--memory`, macro of `bs_port_config.h`, smallest size in KiB).
///
/// The smallest stack: before each call the runtime clears `BS_GC_STACK_SCRUB` (4 KiB,
/// `runtime/core/bs_config.h`) below its own frame, so the stack needs that much plus the
/// runtime's frames and the program's. 4K overflows on `print(1)` on qemu-mps2-an385; 5K runs it
/// and a few nested calls.
const PARTS: [(&str, &str, u32); 4] = [
    ("stack", "BS_PORT_STACK_KIB", MIN_STACK_KIB),
    ("code", "BS_PORT_CODE_KIB", 1),
    ("data", "BS_PORT_DATA_KIB", 1),
    ("heap", "BS_PORT_HEAP_KIB", 4),
];

/// The smallest stack `--memory` accepts, in KiB (see [`PARTS`]).
pub const MIN_STACK_KIB: u32 = 5;

impl MemoryLayout {
    fn parts(&self) -> [Option<u32>; 4] {
        [self.stack_kib, self.code_kib, self.data_kib, self.heap_kib]
    }

    fn part_mut(&mut self, index: usize) -> &mut Option<u32> {
        match index {
            0 => &mut self.stack_kib,
            1 => &mut self.code_kib,
            2 => &mut self.data_kib,
            _ => &mut self.heap_kib,
        }
    }

    /// Whether every size is the port's default.
    pub fn is_default(&self) -> bool {
        self.parts().iter().all(Option::is_none)
    }

    /// The sizes of `self`, and those of `fallback` where `self` keeps the default.
    pub fn or(&self, fallback: &MemoryLayout) -> MemoryLayout {
        MemoryLayout {
            stack_kib: self.stack_kib.or(fallback.stack_kib),
            code_kib: self.code_kib.or(fallback.code_kib),
            data_kib: self.data_kib.or(fallback.data_kib),
            heap_kib: self.heap_kib.or(fallback.heap_kib),
        }
    }

    /// The compiler switches that build an image with this layout.
    pub(crate) fn defines(&self) -> Vec<String> {
        PARTS
            .iter()
            .zip(self.parts())
            .filter_map(|((_, name, _), kib)| kib.map(|k| format!("-D{name}={k}")))
            .collect()
    }

    /// Checks that `port` can be built with this layout.
    pub fn check(&self, port: &Port) -> Result<(), String> {
        if self.is_default() {
            return Ok(());
        }
        let Some(limits) = port.layout else {
            return Err(format!(
                "the memory layout of the {} device is fixed",
                port.name
            ));
        };
        let total_kib = limits.total_kib(port);
        for ((what, _, _), (kib, max)) in PARTS
            .iter()
            .zip(self.parts().into_iter().zip(limits.max_kib))
        {
            let max = max.unwrap_or(total_kib);
            match kib {
                Some(_) if max == 0 => {
                    return Err(format!(
                        "the {what} of the {} device cannot be changed",
                        port.name
                    ));
                }
                Some(k) if k > max => {
                    return Err(format!(
                        "the {what} of the {} device can be at most {max}K (--memory asks for {k}K)",
                        port.name
                    ));
                }
                _ => {}
            }
        }
        // Parts left at their defaults (bs_port_config.h) take their room too.
        let total: u64 = self
            .parts()
            .iter()
            .zip(PARTS)
            .map(|(kib, (_, name, _))| match kib {
                Some(k) => u64::from(*k),
                None => crate::port_config_value(port, name).unwrap_or(0),
            })
            .sum();
        if total > u64::from(total_kib) {
            return Err(format!(
                "--memory {self} comes to {total} KiB with the defaults of the parts it does not \
                 name, but the {} device has {} KiB for the stack and the regions",
                port.name, total_kib
            ));
        }
        Ok(())
    }
}

/// How far a port's memory layout can be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutLimits {
    /// The memory the stack, the code, data and heap regions and the runtime's own memory
    /// share, in KiB.
    pub ram_kib: u32,
    /// Macros of the port's `bs_port_config.h` (in KiB) for the runtime's own part of that
    /// memory, which the stack and regions cannot have; taken at their largest (with a heap as
    /// large as all the memory).
    pub reserved: &'static [&'static str],
    /// The most each of stack, code, data and heap may take, in KiB: `Some(0)` when it is
    /// fixed, `None` up to [`total_kib`](LayoutLimits::total_kib).
    pub max_kib: [Option<u32>; 4],
}

impl LayoutLimits {
    /// The most the stack, code, data and heap may take together, in KiB: the memory less the
    /// runtime's own part.
    pub fn total_kib(&self, port: &Port) -> u32 {
        let largest = [("BS_PORT_HEAP_KIB", u64::from(self.ram_kib))];
        let reserved: u64 = self
            .reserved
            .iter()
            .map(|name| crate::port_config_value_with(port, name, &largest).unwrap_or(0))
            .sum();
        u32::try_from(u64::from(self.ram_kib).saturating_sub(reserved)).unwrap_or(0)
    }
}

impl fmt::Display for MemoryLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for ((what, _, _), kib) in PARTS.iter().zip(self.parts()) {
            let Some(kib) = kib else { continue };
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if kib % 1024 == 0 {
                write!(f, "{what}={}M", kib / 1024)?;
            } else {
                write!(f, "{what}={kib}K")?;
            }
        }
        if first {
            f.write_str("default")?;
        }
        Ok(())
    }
}

/// A size such as `64K`, `64KiB`, `1M`, `1MiB` or `65536` (bytes), in KiB.
fn parse_size(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    if unit.starts_with(['.', ',']) {
        return Err(format!(
            "`{text}`: write a whole number of K or M (1536K, not 1.5M)"
        ));
    }
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (write e.g. 64K or 1M)"))?;
    let bytes = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => n,
        "k" | "kb" | "kib" => n.saturating_mul(1024),
        "m" | "mb" | "mib" => n.saturating_mul(1024 * 1024),
        _ => return Err(format!("`{text}`: the unit must be K or M")),
    };
    if bytes % 1024 != 0 {
        return Err(format!("`{text}` is not a whole number of KiB"));
    }
    u32::try_from(bytes / 1024).map_err(|_| format!("`{text}` is too big"))
}

impl FromStr for MemoryLayout {
    type Err = String;

    /// `stack=16K,code=64K,data=64K,heap=1M`; any subset, in any order.
    fn from_str(text: &str) -> Result<MemoryLayout, String> {
        let mut layout = MemoryLayout::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}`: write NAME=SIZE, e.g. heap=256K"))?;
            let key = key.trim();
            let index = PARTS
                .iter()
                .position(|(what, _, _)| *what == key)
                .ok_or_else(|| {
                    format!("`{key}` is not a part of the memory: stack, code, data or heap")
                })?;
            let kib = parse_size(value)?;
            let min = PARTS[index].2;
            if kib < min {
                return Err(if index == 0 {
                    format!(
                        "the stack must be at least {min}K (--memory asks for {kib}K): the \
                         runtime clears 4 KiB of stack below its own frame before each call, and \
                         the program needs room of its own"
                    )
                } else {
                    format!("the {key} must be at least {min}K (--memory asks for {kib}K)")
                });
            }
            let slot = layout.part_mut(index);
            if slot.is_some() {
                return Err(format!("{key} is given twice"));
            }
            *slot = Some(kib);
        }
        if layout.is_default() {
            return Err("give at least one size, e.g. heap=256K".to_string());
        }
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_sizes() {
        let l: MemoryLayout = "heap=1M, code=64K,data=65536".parse().unwrap();
        assert_eq!(l.heap_kib, Some(1024));
        assert_eq!(l.code_kib, Some(64));
        assert_eq!(l.data_kib, Some(64));
        assert_eq!(l.stack_kib, None);
        assert_eq!(l.to_string(), "code=64K,data=64K,heap=1M");
        assert_eq!(
            l.defines(),
            [
                "-DBS_PORT_CODE_KIB=64",
                "-DBS_PORT_DATA_KIB=64",
                "-DBS_PORT_HEAP_KIB=1024"
            ]
        );
    }

    #[test]
    fn refuses_bad_layouts() {
        for bad in [
            "",
            "heap",
            "heap=1.5M",
            "heap=1000",
            "heap=2K",
            "rom=4K",
            "heap=4X",
            "heap=8K,heap=16K",
        ] {
            assert!(bad.parse::<MemoryLayout>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn refuses_a_stack_too_small_to_run_anything() {
        let err = "stack=4K".parse::<MemoryLayout>().unwrap_err();
        assert!(
            err.starts_with("the stack must be at least 5K (--memory asks for 4K)"),
            "{err}"
        );
        let ok: MemoryLayout = "stack=5K".parse().unwrap();
        assert_eq!(ok.stack_kib, Some(MIN_STACK_KIB));
        assert!(ok.check(&crate::QEMU_MPS2_AN385).is_ok());
        assert_eq!(
            "heap=2K".parse::<MemoryLayout>().unwrap_err(),
            "the heap must be at least 4K (--memory asks for 2K)"
        );
    }

    #[test]
    fn limits_come_from_the_port_config() {
        // 4 MiB less the handlers' stack (1 KiB) and the runtime's variables with a large heap
        // (27 KiB), both from qemu-mps2-an385's bs_port_config.h.
        let qemu = &crate::QEMU_MPS2_AN385;
        assert_eq!(qemu.layout.unwrap().total_kib(qemu), 4096 - 1 - 27);
        assert_eq!(
            crate::HOST.layout.unwrap().total_kib(&crate::HOST),
            256 * 1024
        );
        let over: MemoryLayout = "heap=4069K".parse().unwrap();
        assert_eq!(
            over.check(qemu).unwrap_err(),
            "the heap of the qemu-mps2-an385 device can be at most 4068K (--memory asks for 4069K)"
        );
    }

    #[test]
    fn layouts_stay_within_the_ports_limits() {
        let big: MemoryLayout = "heap=1M".parse().unwrap();
        assert!(big.check(&crate::QEMU_MPS2_AN385).is_ok());
        assert!(big.check(&crate::HOST).is_ok());
        let stack: MemoryLayout = "stack=64K".parse().unwrap();
        assert!(stack.check(&crate::QEMU_MPS2_AN385).is_ok());
        assert!(
            stack.check(&crate::HOST).is_err(),
            "the host's stack is fixed"
        );
        let code: MemoryLayout = "code=8M".parse().unwrap();
        assert!(
            code.check(&crate::HOST).is_err(),
            "the host's data region starts at +4M"
        );
        let huge: MemoryLayout = "heap=4M,code=64K".parse().unwrap();
        assert!(huge.check(&crate::QEMU_MPS2_AN385).is_err());
        // 4064 KiB asked for, and the default stack and data region do not fit beside them.
        let tight: MemoryLayout = "heap=4000K,code=64K".parse().unwrap();
        assert!(tight.check(&crate::QEMU_MPS2_AN385).is_err());
    }

    #[test]
    fn fills_in_from_a_fallback() {
        let mine: MemoryLayout = "heap=64K".parse().unwrap();
        let bench: MemoryLayout = "heap=1M,data=256K".parse().unwrap();
        assert_eq!(mine.or(&bench).to_string(), "data=256K,heap=64K");
    }
}
