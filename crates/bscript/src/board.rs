//! `bscript board`: the known targets and serial ports (`list`), what a device says about itself
//! (`info`), pairing a device with the project in the current folder (`pair`), and writing the
//! runtime image to a board's flash (`flash`).

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
    /// Write the runtime image of --target (with --memory's sizes, and the project's key when
    /// this folder's project is paired) to a board connected to this computer, with the first
    /// of st-flash (stlink-tools), dfu-util and openocd found on the PATH; without any, say
    /// how to install and run one.
    Flash {
        /// Show the command that would write the image instead of running it.
        #[arg(long)]
        dry_run: bool,
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
        BoardCommand::Flash { dry_run } => flash(cli, *dry_run),
    }
}

/// The tools that write a board's flash, in the order they are looked for: (program, Debian
/// package).
const FLASH_TOOLS: [(&str, &str); 3] = [
    ("st-flash", "stlink-tools"),
    ("dfu-util", "dfu-util"),
    ("openocd", "openocd"),
];

/// The command line that writes `elf` (or its raw binary `bin`) with `tool`, and what the board
/// must be doing meanwhile.
fn flash_command(
    tool: &str,
    flash: &bs_toolchain::BoardFlash,
    elf: &std::path::Path,
    bin: &std::path::Path,
) -> Option<(Vec<String>, &'static str)> {
    let address = format!("0x{:08x}", flash.address);
    match tool {
        "st-flash" => Some((
            vec![
                "--reset".into(),
                "write".into(),
                bin.display().to_string(),
                address,
            ],
            "the board's ST-LINK connected over USB",
        )),
        "dfu-util" if flash.dfu => Some((
            vec![
                "-a".into(),
                "0".into(),
                "-s".into(),
                format!("{address}:leave"),
                "-D".into(),
                bin.display().to_string(),
            ],
            "the board on USB in its ROM bootloader (BOOT0 high during reset)",
        )),
        "openocd" => Some((
            vec![
                "-f".into(),
                "interface/stlink.cfg".into(),
                "-f".into(),
                flash.openocd_target.into(),
                "-c".into(),
                format!("program {} verify reset exit", elf.display()),
            ],
            "an ST-LINK probe connected to the board's SWD pins",
        )),
        _ => None,
    }
}

/// A shell word: quoted when it holds anything but plain characters.
fn shell_word(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@".contains(c))
    {
        w.to_owned()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

fn flash(cli: &Cli, dry_run: bool) -> anyhow::Result<ExitCode> {
    let port = bs_toolchain::port(&cli.target)
        .ok_or_else(|| anyhow::anyhow!("unknown target `{}`", cli.target))?;
    let Some(flash) = port.flash else {
        let boards: Vec<&str> = bs_toolchain::PORTS
            .iter()
            .filter(|p| p.flash.is_some())
            .map(|p| p.name)
            .collect();
        anyhow::bail!(
            "the {} target has no board to flash (targets with one: {})",
            cli.target,
            boards.join(", ")
        );
    };
    let options = crate::session_options(cli);
    let elf = match project::session_key(std::path::Path::new("."))? {
        Some(key) => bs_session::keyed_runtime_image(&options, &key)?,
        None => bs_session::board::runtime_image(
            &cli.target,
            &bs_session::Variant {
                gc_stress: options.gc_stress,
                memory: options.memory,
            },
        )?,
    };
    let bin = elf.with_extension("bin");
    let (out, _) = bs_toolchain::run_tool(
        flash.objcopy,
        &[
            "-O".into(),
            "binary".into(),
            elf.display().to_string(),
            bin.display().to_string(),
        ],
        std::path::Path::new("."),
    )?;
    if !out.status.success() {
        anyhow::bail!(
            "{} could not make the raw image {}: {}",
            flash.objcopy,
            bin.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    println!("the {} runtime image: {}", cli.target, elf.display());
    println!(
        "raw binary for address 0x{:08x}: {} ({} bytes)",
        flash.address,
        bin.display(),
        std::fs::metadata(&bin).map(|m| m.len()).unwrap_or(0)
    );
    let found = FLASH_TOOLS
        .iter()
        .filter_map(|(tool, _)| {
            let path = bs_session::find_program(tool)?;
            let (args, needs) = flash_command(tool, &flash, &elf, &bin)?;
            Some((path, tool, args, needs))
        })
        .next();
    let Some((path, tool, args, needs)) = found else {
        println!(
            "no flashing tool is installed (looked for st-flash, dfu-util and openocd on the PATH)."
        );
        println!("install one (Debian) and run it:");
        for (tool, package) in FLASH_TOOLS {
            if let Some((args, needs)) = flash_command(tool, &flash, &elf, &bin) {
                let line: Vec<String> = std::iter::once(tool.to_string())
                    .chain(args.iter().map(|a| shell_word(a)))
                    .collect();
                println!("  sudo apt-get install {package}");
                println!("  {}    # {needs}", line.join(" "));
            }
        }
        return Ok(ExitCode::from(EXIT_DEVICE));
    };
    let line: Vec<String> = std::iter::once(tool.to_string())
        .chain(args.iter().map(|a| shell_word(a)))
        .collect();
    if dry_run {
        println!("would run ({needs}): {}", line.join(" "));
        return Ok(ExitCode::SUCCESS);
    }
    println!("running ({needs}): {}", line.join(" "));
    let status = std::process::Command::new(&path).args(&args).status()?;
    if status.success() {
        println!(
            "flashed; the board runs the image after its reset (bscript --target {} --port \
             /dev/ttyUSB0 … talks to it over its USART)",
            cli.target
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("bscript: {tool} failed ({status})");
        Ok(ExitCode::from(EXIT_DEVICE))
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
