//! Builds (or finds in the cache) the runtime image of each target named on the command line,
//! or of every target with a memory budget, and prints its flash and RAM use. Fails when a
//! target is unknown or its image does not fit its budget.
//!
//! `cargo run --release -p bs-toolchain --example runtime_size -- qemu-mps2-an385`

use std::process::ExitCode;

fn main() -> ExitCode {
    let names: Vec<String> = std::env::args().skip(1).collect();
    let ports: Vec<&bs_toolchain::Port> = if names.is_empty() {
        bs_toolchain::PORTS
            .iter()
            .copied()
            .filter(|p| p.memory_budget)
            .collect()
    } else {
        let mut ports = Vec::new();
        for name in &names {
            match bs_toolchain::port(name) {
                Some(p) => ports.push(p),
                None => {
                    eprintln!("runtime_size: unknown target `{name}`");
                    return ExitCode::FAILURE;
                }
            }
        }
        ports
    };
    for port in ports {
        match bs_toolchain::ensure_runtime(port) {
            Ok(build) => match build.size {
                Some(size) => println!("{} runtime image: {size}", port.name),
                None => println!("{} runtime image: no memory budget", port.name),
            },
            Err(e) => {
                eprintln!("runtime_size: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
