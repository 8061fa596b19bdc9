//! The sizes a port sets in its `bs_port_config.h`, read from the header itself, so that the
//! host never keeps a second copy of them.

use std::collections::HashMap;

use crate::Port;

/// The value of macro `name` in the port's `bs_port_config.h`, when it is an integer, another
/// macro, or sums of products of those (what the ports' size macros are); `None` otherwise, or
/// when the header does not define it. Of a macro defined in both branches of an `#if`, the last
/// definition counts (the ports put their defaults there).
pub fn port_config_value(port: &Port, name: &str) -> Option<u64> {
    let defines = parse_defines(crate::port_config(port)?);
    eval(&defines, name, 0)
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

/// The value of macro `name` (see [`port_config_value`]).
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
    fn reads_the_ports_sizes() {
        let qemu = &crate::QEMU_MPS2_AN385;
        assert_eq!(port_config_value(qemu, "BS_PORT_HEAP_KIB"), Some(32));
        assert_eq!(port_config_value(qemu, "BS_HEAP_SIZE"), Some(32 * 1024));
        // A sum, through a macro defined in both branches of an #if (the default comes last).
        assert_eq!(port_config_value(qemu, "BS_PORT_STATIC_KIB"), Some(12));
        assert_eq!(
            port_config_value(&crate::HOST, "BS_PORT_HEAP_KIB"),
            Some(1024)
        );
        assert_eq!(port_config_value(&crate::HOST, "BS_PORT_STACK_KIB"), None);
        assert_eq!(port_config_value(qemu, "BS_NO_SUCH_MACRO"), None);
    }
}
