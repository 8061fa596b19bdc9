//! `bscript board`: the known targets and serial ports (`list`), what a device says about itself
//! (`info`), and pairing a device with the project in the current folder (`pair`).

use std::process::ExitCode;

use crate::{Cli, EXIT_DEVICE, project, start_session};

#[derive(clap::Subcommand, Debug)]
pub enum BoardCommand {
    /// The known targets with their memory budgets, and the serial ports of this computer.
    List,
    /// Start (or, with --port, connect to) the device of --target and show what it reports:
    /// protocol version, runtime build id, session, architecture, memory regions and use.
    Info,
    /// Pair the device of --target with the project in this folder, so that it runs only
    /// requests authenticated with the project's key: makes the key (kept in your configuration
    /// folder, ~/.config/bscript/keys, never in the project; bsconfig.json names only its id),
    /// builds the runtime image that holds it, and checks that the device runs authenticated
    /// requests. With --port, the image must be flashed onto the board first.
    Pair {
        /// Make a new key even if the project has one (devices paired with the old key then
        /// refuse this project's requests until they are paired again).
        #[arg(long)]
        new_key: bool,
    },
}

pub fn run(cli: &Cli, what: &BoardCommand) -> anyhow::Result<ExitCode> {
    match what {
        BoardCommand::List => {
            list();
            Ok(ExitCode::SUCCESS)
        }
        BoardCommand::Info => Ok(info(cli)),
        BoardCommand::Pair { new_key } => pair(cli, *new_key),
    }
}

fn pair(cli: &Cli, new_key: bool) -> anyhow::Result<ExitCode> {
    let pairing = project::pair(std::path::Path::new("."), new_key)?;
    let id = pairing.key.id();
    if pairing.created {
        println!(
            "made key {id} for this project: the key is in {} (readable by you only); {} names \
             its id",
            pairing.key_file.display(),
            pairing.config.display()
        );
    } else {
        println!(
            "this project's key is {id} (in {})",
            pairing.key_file.display()
        );
    }
    let image = bs_session::keyed_runtime_image(&crate::session_options(cli), &pairing.key)?;
    println!(
        "the {} runtime image with the key: {}",
        cli.target,
        image.display()
    );
    if let Some(path) = &cli.port {
        println!(
            "the device on {path} must run this image: flash it onto the board (or start its \
             QEMU with it) if it does not yet"
        );
    } else {
        println!(
            "bscript starts the {} device from it whenever it runs in this folder",
            cli.target
        );
    }
    // Check the pairing as every session will: HELLO, then an authenticated request.
    let Ok(session) = start_session(cli) else {
        return Ok(ExitCode::from(EXIT_DEVICE));
    };
    let info = session.device_info();
    println!(
        "checked: the device holds key {} and runs this project's authenticated requests \
         (session 0x{:08x})",
        info.auth
            .map_or_else(|| "?".to_owned(), |a| a.key_id.to_string()),
        info.session_id
    );
    Ok(ExitCode::SUCCESS)
}

/// A byte count in KiB when it is a whole number of them.
fn size(bytes: u64) -> String {
    if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

fn list() {
    println!("targets:");
    let targets = bs_session::board::targets();
    let width = targets.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for t in &targets {
        println!("  {:width$}  {}", t.name, t.device);
        if !t.budget.is_empty() {
            let budget: Vec<String> = t
                .budget
                .iter()
                .map(|(what, bytes)| format!("{what} {}", size(*bytes)))
                .collect();
            println!("  {:width$}  memory: {}", "", budget.join(", "));
        }
    }
    println!(
        "  (defaults; --memory stack=…,code=…,data=…,heap=… builds a device with other sizes)"
    );
    println!("serial ports:");
    let ports = bs_session::board::serial_ports();
    if ports.is_empty() {
        println!("  (none found)");
    }
    for (path, what) in ports {
        println!("  {path}  {what}");
    }
}

fn info(cli: &Cli) -> ExitCode {
    let Ok(mut session) = start_session(cli) else {
        return ExitCode::from(EXIT_DEVICE);
    };
    let info = *session.device_info();
    let region = |r: &bs_protocol::Region| {
        format!(
            "0x{:08x}..0x{:08x} ({})",
            r.base,
            r.base as u64 + r.size as u64,
            size(r.size as u64)
        )
    };
    println!("target: {}", session.target());
    println!("device: {}", session.device_description());
    println!("runtime image: {}", session.runtime_image().display());
    println!("protocol version: {}", info.version);
    println!(
        "runtime build id: {:016x}",
        u64::from_le_bytes(info.build_id)
    );
    println!("session id: 0x{:08x}", info.session_id);
    println!(
        "architecture: {} ({}-byte pointers)",
        info.arch, info.ptr_size
    );
    println!("largest payload: {} bytes", info.max_payload);
    match info.auth {
        Some(auth) => println!(
            "pairing: paired with key {} (runs only authenticated requests; the last one it ran \
             had counter {})",
            auth.key_id, auth.last_counter
        ),
        None => println!("pairing: not paired (runs every request; `bscript board pair` pairs it)"),
    }
    println!("code region: {}", region(&info.code));
    println!("data region: {}", region(&info.data));
    println!("heap region: {}", region(&info.heap));
    match session.memory(false) {
        Ok((heap, usage)) => {
            println!(
                "heap: {} of {} bytes in use ({} blocks), {} free",
                heap.heap_used, heap.heap_size, heap.live_blocks, heap.heap_free
            );
            println!("code: {} of {} bytes", usage.code_used, usage.code_size);
            println!("data: {} of {} bytes", usage.data_used, usage.data_size);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bscript: cannot read the device's memory use: {e}");
            ExitCode::from(EXIT_DEVICE)
        }
    }
}
