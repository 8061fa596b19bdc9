//! What the `board` commands show: the known targets with their memory budgets, the serial ports
//! of this computer, and the runtime image of a target (to flash a board, or to start QEMU by
//! hand with `-serial pty`).

use std::path::PathBuf;

use bs_toolchain::Launch;

use crate::SessionError;

/// A target as `bscript board list` shows it.
#[derive(Clone, Debug)]
pub struct TargetSummary {
    /// The target's name (`--target`).
    pub name: &'static str,
    /// How its device runs, in a few words.
    pub device: String,
    /// Its memory budget from the port's `bs_port_config.h`: (what, bytes), e.g. ("heap", 32768).
    pub budget: Vec<(&'static str, u64)>,
}

/// What a tool that measures a target's device (the benchmarks) needs to know of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetInfo {
    /// The device is a process of this computer: programs built for this computer (C by gcc,
    /// Python, JavaScript engines) run beside it on the same processor, and valgrind's callgrind
    /// can count its instructions. Otherwise it is a board: emulated by QEMU (whose `-icount`
    /// clock counts instructions) or on a serial port.
    pub native_process: bool,
    /// The device's image carries a memory budget: by default the sizes of a small
    /// microcontroller, which `--memory` may enlarge up to what the board has.
    pub memory_budget: bool,
}

impl TargetInfo {
    /// The facts of the target named `target`; `None` for an unknown target.
    pub fn of(target: &str) -> Option<TargetInfo> {
        let port = bs_toolchain::port(target)?;
        Some(TargetInfo {
            native_process: port.launch == Launch::Process,
            memory_budget: port.memory_budget,
        })
    }
}

/// The sizes `board list` shows, by the macro of `bs_port_config.h` that holds each.
const BUDGET_MACROS: &[(&str, &str)] = &[
    ("flash", "BS_PORT_FLASH_KIB"),
    ("stack", "BS_PORT_STACK_KIB"),
    ("statics", "BS_PORT_STATIC_KIB"),
    ("code", "BS_CODE_SIZE"),
    ("data", "BS_DATA_SIZE"),
    ("heap", "BS_HEAP_SIZE"),
];

/// Every known target, the default (`host`) first.
pub fn targets() -> Vec<TargetSummary> {
    bs_toolchain::PORTS
        .iter()
        .map(|port| {
            let device = match port.launch {
                Launch::Process => "the runtime as a process of this computer".to_owned(),
                Launch::Qemu(m) => format!("{} on {} ({})", m.cpu, m.machine, m.program),
            };
            let budget = BUDGET_MACROS
                .iter()
                .filter_map(|(what, name)| {
                    let value = bs_toolchain::port_config_value(port, name)?;
                    let bytes = if name.ends_with("_KIB") {
                        value * 1024
                    } else {
                        value
                    };
                    Some((*what, bytes))
                })
                .collect();
            TargetSummary {
                name: port.name,
                device,
                budget,
            }
        })
        .collect()
}

/// The serial ports of this computer: (path, what it is). Empty when there are none.
pub fn serial_ports() -> Vec<(String, String)> {
    bs_transport::serial_ports()
}

/// Builds (or finds in the cache) the runtime image of `target`: what a device of that target
/// must run for a session to accept it.
pub fn runtime_image(
    target: &str,
    variant: &bs_toolchain::Variant,
) -> Result<PathBuf, SessionError> {
    let port =
        bs_toolchain::port(target).ok_or_else(|| SessionError::UnknownTarget(target.to_owned()))?;
    let runtime = bs_toolchain::ensure_runtime_variant(port, variant)?;
    Ok(runtime.image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_code_data_and_heap_sizes() {
        let targets = targets();
        assert_eq!(targets[0].name, "host");
        for t in &targets {
            for what in ["code", "data", "heap"] {
                assert!(
                    t.budget.iter().any(|(w, n)| *w == what && *n > 0),
                    "{} has no {what} size: {:?}",
                    t.name,
                    t.budget
                );
            }
        }
        let qemu = targets
            .iter()
            .find(|t| t.name == "qemu-mps2-an385")
            .unwrap();
        assert!(qemu.budget.contains(&("heap", 32 * 1024)));
        assert!(qemu.budget.contains(&("flash", 36 * 1024)));
    }
}
