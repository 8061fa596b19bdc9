//! The sizes a port sets in its `bs_port_config.h`, read from the header itself, so that the
//! host never keeps a second copy of them.

use bs_abi::Defines;

use crate::Port;

/// The value of macro `name` in the port's `bs_port_config.h` as its defaults leave it, when it
/// is an integer expression (see [`Defines`]); `None` otherwise, or when the header does not
/// define it.
pub fn port_config_value(port: &Port, name: &str) -> Option<u64> {
    port_config_value_with(port, name, &[])
}

/// [`port_config_value`] for an image built with `-DNAME=VALUE` for each of `defines` (the
/// switches of a `--memory` layout, e.g. `BS_PORT_HEAP_KIB`).
pub fn port_config_value_with(port: &Port, name: &str, defines: &[(&str, u64)]) -> Option<u64> {
    Defines::parse_with(crate::port_config(port)?, defines).value(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ports_sizes() {
        let qemu = &crate::QEMU_MPS2_AN385;
        assert_eq!(port_config_value(qemu, "BS_PORT_HEAP_KIB"), Some(32));
        assert_eq!(port_config_value(qemu, "BS_HEAP_SIZE"), Some(32 * 1024));
        // A sum, through a macro defined in both branches of an #if.
        assert_eq!(port_config_value(qemu, "BS_PORT_STATIC_KIB"), Some(12));
        let big_heap = [("BS_PORT_HEAP_KIB", 1024)];
        assert_eq!(
            port_config_value_with(qemu, "BS_PORT_STATIC_KIB", &big_heap),
            Some(27)
        );
        assert_eq!(
            port_config_value_with(qemu, "BS_HEAP_SIZE", &big_heap),
            Some(1024 * 1024)
        );
        // Continued over several lines: 8 + 1 + 12 + 16 + 16 + 32.
        assert_eq!(port_config_value(qemu, "BS_PORT_RAM_KIB"), Some(85));
        assert_eq!(
            port_config_value(&crate::HOST, "BS_PORT_HEAP_KIB"),
            Some(1024)
        );
        assert_eq!(port_config_value(&crate::HOST, "BS_PORT_STACK_KIB"), None);
        assert_eq!(port_config_value(qemu, "BS_NO_SUCH_MACRO"), None);
    }
}
