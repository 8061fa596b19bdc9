//! What the `board` commands show: the known targets with their memory budgets, the serial ports
//! of this computer, and the runtime image of a target (to flash a board, or to start QEMU by
//! hand with `-serial pty`).

use std::collections::HashMap;
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
            let defines = bs_toolchain::port_config(port)
                .map(parse_defines)
                .unwrap_or_default();
            let budget = BUDGET_MACROS
                .iter()
                .filter_map(|(what, name)| {
                    let value = eval(&defines, name, 0)?;
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

/// The object-like macros of a C header: name → its text (comments removed).
fn parse_defines(text: &str) -> HashMap<&str, String> {
    let mut defines = HashMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix("#define") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some((name, value)) = rest.split_once(char::is_whitespace) else {
            continue;
        };
        let value = value.split("/*").next().unwrap_or("").trim();
        defines.insert(name, value.to_owned());
    }
    defines
}

/// The value of a macro that is an integer, another macro, or sums of products of those (what
/// the ports' size macros are); `None` for anything else. Of a macro defined in both branches of
/// an `#if`, the last definition counts (the ports put their defaults there).
fn eval(defines: &HashMap<&str, String>, name: &str, depth: u32) -> Option<u64> {
    if depth > 8 {
        return None;
    }
    let text = defines.get(name)?;
    let text = text.trim().trim_start_matches('(').trim_end_matches(')');
    let mut sum = 0u64;
    for term in text.split('+') {
        sum = sum.checked_add(eval_product(defines, term, depth)?)?;
    }
    Some(sum)
}

fn eval_product(defines: &HashMap<&str, String>, text: &str, depth: u32) -> Option<u64> {
    let mut product = 1u64;
    for factor in text.split('*') {
        let factor = factor.trim();
        let literal = factor.trim_end_matches(['u', 'U', 'l', 'L']);
        let value = if let Some(hex) = literal
            .strip_prefix("0x")
            .or_else(|| literal.strip_prefix("0X"))
        {
            u64::from_str_radix(hex, 16).ok()
        } else if literal.starts_with(|c: char| c.is_ascii_digit()) {
            literal.parse().ok()
        } else {
            eval(defines, factor, depth + 1)
        }?;
        product = product.checked_mul(value)?;
    }
    Some(product)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_defaults_are_those_of_the_headers() {
        let macros = [
            "BS_PORT_STACK_KIB",
            "BS_PORT_CODE_KIB",
            "BS_PORT_DATA_KIB",
            "BS_PORT_HEAP_KIB",
        ];
        for port in bs_toolchain::PORTS {
            let Some(limits) = port.layout else { continue };
            let text = bs_toolchain::port_config(port).expect("the port has a config");
            let defines = parse_defines(text);
            for (macro_name, (default, max)) in macros
                .iter()
                .zip(limits.default_kib.iter().zip(limits.max_kib))
            {
                if max == 0 {
                    continue; // fixed
                }
                assert_eq!(
                    eval(&defines, macro_name, 0),
                    Some(u64::from(*default)),
                    "{}: {macro_name}",
                    port.name
                );
            }
        }
    }

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
        assert!(qemu.budget.contains(&("flash", 32 * 1024)));
    }
}
