//! `bscript`, the BlueScript command-line tool: runs files and an interactive REPL on a device,
//! and measures itself. It only parses arguments and presents results; the work is done by
//! `bs-session` and the crates below it.

mod bench;
mod board;
mod bundled;
mod notebook;
mod pins;
mod progress;
mod project;
mod render;
mod repl;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use render::ErrorFormat;

#[derive(Parser, Debug)]
#[command(
    name = "bscript",
    version,
    about = "BlueScript: a typed TypeScript-like language for microcontrollers, compiled on the host and run as native code on the device"
)]
struct Cli {
    /// The device to run on.
    #[arg(long, global = true, default_value = "host", value_name = "TARGET")]
    target: String,
    /// How errors are shown.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Rich)]
    error_format: ErrorFormat,
    /// Collect garbage at every allocation on the device (slow; for testing the collector).
    #[arg(long, global = true)]
    gc_stress: bool,
    /// Sizes of the device's stack and of its code, data and heap regions, where they should
    /// differ from its board's defaults (`bscript board list`), e.g. `heap=1M,data=64K`. For
    /// boards with a memory budget; the runtime image is rebuilt with these sizes.
    #[arg(long, global = true, value_name = "SIZES")]
    memory: Option<bs_session::MemoryLayout>,
    /// Connect to a device already running on this serial port (a board, or QEMU started with
    /// `-serial pty`) instead of starting one; --target names the runtime it runs.
    #[arg(long, global = true, value_name = "DEVICE")]
    port: Option<String>,
    /// The baud rate of --port.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 115_200,
        requires = "port"
    )]
    baud: u32,
    /// Damage frames on the link on purpose, to see the reliable link at work, e.g.
    /// `drop=5%,corrupt=5%,duplicate=1%,delay=1%,max-delay=100ms,seed=7`.
    #[arg(long, global = true, value_name = "FAULTS")]
    inject_faults: Option<bs_session::FaultRates>,
    /// Move the link's bytes, both ways, no faster than a UART at this many baud (10 bits a
    /// byte; e.g. 115200), so that a device on a fast link (the host device's pipes, QEMU's
    /// socket) answers as a board on a serial line would.
    #[arg(long, global = true, value_name = "BAUD", value_parser = parse_link_rate)]
    link_rate: Option<u32>,
    /// Start this runtime executable instead of the one built from bscript's own sources.
    #[arg(long, global = true, value_name = "PATH", hide = true)]
    runtime_exe: Option<PathBuf>,
    /// Turn the dynamic compiler off: untyped functions are neither profiled nor specialised.
    #[arg(long, global = true)]
    no_dynamic: bool,
    /// The dynamic compiler's thresholds: calls of an untyped function before the device
    /// records its argument types, and times one signature must be seen before it is reported
    /// (`1,1` specialises at the first call).
    #[arg(long, global = true, value_name = "CALLS,REPEATS", default_value = "5,5",
          value_parser = parse_jit_thresholds)]
    jit_thresholds: (u32, u8),
    /// Profile, but answer every report by putting the generic body back (no specialised
    /// copies): what profiling alone costs.
    #[arg(long, global = true, hide = true)]
    jit_profile_only: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile and run a BlueScript file.
    Run {
        /// The program (`-` reads it from standard input); without it, the entry file of the
        /// project in this folder (bsconfig.json).
        file: Option<PathBuf>,
        /// Keep the generated C files in the work folder and print its path.
        #[arg(long)]
        keep_c: bool,
        /// Stop the program when its code has run on the device for this many seconds (e.g.
        /// `1` or `0.5`): it ends with the run-time error `interrupted`, exit status 2.
        #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
        timeout: Option<std::time::Duration>,
        /// After the program, list on standard error what the dynamic compiler specialised.
        #[arg(long)]
        jit_report: bool,
    },
    /// An interactive session: each input is compiled and run on the device at once.
    Repl,
    /// A web notebook: cells run one after another on the device, with their output, stage
    /// times, live plots and the device's memory, in the browser.
    Notebook {
        /// The notebook file (Markdown; each ```bs code block is a cell); created when saved.
        file: Option<PathBuf>,
        /// Print the address but do not open a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Projects: several files with a bsconfig.json.
    Project {
        #[command(subcommand)]
        what: project::ProjectCommand,
    },
    /// Type-check a BlueScript program and the modules it imports without running it (no
    /// device needed).
    Check {
        /// The program (`-` reads it from standard input); without it, the entry file of the
        /// project in this folder (bsconfig.json).
        file: Option<PathBuf>,
    },
    /// Boards: the known targets and serial ports (`list`), and what a device reports (`info`).
    Board {
        #[command(subcommand)]
        what: board::BoardCommand,
    },
    /// Measure bscript.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

/// A positive number of seconds.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() && s < 1e9 => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err(format!(
            "`{text}` is not a number of seconds greater than 0 (e.g. 1 or 0.5)"
        )),
    }
}

/// Where Ctrl-C goes: while an input is compiled and run, to the session's interrupter (the
/// running code stops with the run-time error `interrupted`); at other times it ends bscript, as
/// it would without a handler (a REPL on a terminal reads Ctrl-C as a key at its prompt).
static CTRL_C_TARGET: std::sync::Mutex<Option<bs_session::Interrupter>> =
    std::sync::Mutex::new(None);

/// Exit status after Ctrl-C ended bscript (as a shell reports SIGINT: 128 + 2).
const EXIT_CTRL_C: i32 = 130;

/// Installs the Ctrl-C handler (once); see [`CTRL_C_TARGET`].
pub(crate) fn handle_ctrl_c() {
    // The handler runs on a thread of its own, so it may take the lock.
    let _ = ctrlc::set_handler(|| {
        let target = CTRL_C_TARGET
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        match target {
            Some(interrupter) => interrupter.interrupt(),
            None => std::process::exit(EXIT_CTRL_C),
        }
    });
}

/// While it lives, Ctrl-C interrupts the code that `interrupter` stops.
pub(crate) struct CtrlCInterrupts;

impl CtrlCInterrupts {
    pub(crate) fn new(interrupter: bs_session::Interrupter) -> CtrlCInterrupts {
        *CTRL_C_TARGET
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(interrupter);
        CtrlCInterrupts
    }
}

impl Drop for CtrlCInterrupts {
    fn drop(&mut self) {
        *CTRL_C_TARGET
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// Exit status when the device or the link fails.
const EXIT_DEVICE: u8 = 3;

pub(crate) fn session_options(cli: &Cli) -> bs_session::SessionOptions {
    bs_session::SessionOptions {
        target: cli.target.clone(),
        runtime_override: cli.runtime_exe.clone(),
        gc_stress: cli.gc_stress,
        memory: cli.memory.unwrap_or_default(),
        serial_port: cli.port.clone(),
        baud: cli.baud,
        faults: cli.inject_faults,
        link_rate: cli.link_rate,
        dynamic: dynamic_options(cli),
        ..Default::default()
    }
}

/// The dynamic compiler as the command line sets it.
pub(crate) fn dynamic_options(cli: &Cli) -> bs_session::DynamicOptions {
    if cli.no_dynamic {
        return bs_session::DynamicOptions::off();
    }
    let (calls, signature) = cli.jit_thresholds;
    bs_session::DynamicOptions {
        thresholds: bs_frontend::check::ProfileThresholds { calls, signature },
        specialise: !cli.jit_profile_only,
        ..Default::default()
    }
}

/// The lowest and highest rates `--link-rate` takes: what UARTs are run at, down to where a
/// byte takes 8 ms (a device gives a frame up after a pause of 20 ms between its bytes).
const LINK_RATES: std::ops::RangeInclusive<u32> = 1_200..=10_000_000;

/// A baud rate for `--link-rate`.
fn parse_link_rate(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(baud) if LINK_RATES.contains(&baud) => Ok(baud),
        _ => Err(format!(
            "`{text}` is not a baud rate from {} to {} (e.g. 115200)",
            LINK_RATES.start(),
            LINK_RATES.end()
        )),
    }
}

/// `CALLS,REPEATS` of `--jit-thresholds`.
fn parse_jit_thresholds(text: &str) -> Result<(u32, u8), String> {
    let (calls, repeats) = text
        .split_once(',')
        .ok_or_else(|| "expected CALLS,REPEATS, e.g. 5,5".to_string())?;
    let calls: u32 = calls
        .trim()
        .parse()
        .map_err(|_| format!("`{calls}` is not a number of calls"))?;
    let repeats: u8 = repeats
        .trim()
        .parse()
        .map_err(|_| format!("`{repeats}` is not a number from 1 to 255"))?;
    if calls == 0 || repeats == 0 {
        return Err("both thresholds must be at least 1".to_string());
    }
    Ok((calls, repeats))
}

/// The dynamic compiler's report (`--jit-report`, `.jit`), one line per definition and one
/// per specialised copy.
pub(crate) fn jit_report_text(entries: &[bs_session::JitEntry]) -> String {
    use std::fmt::Write;
    if entries.is_empty() {
        return "dynamic compiler: no untyped functions were profiled\n".to_string();
    }
    let mut out = String::from("dynamic compiler:\n");
    for e in entries {
        let _ = writeln!(out, "  {} ({}): {}", e.function, e.defined_in, e.state);
        for v in &e.versions {
            let failures = v
                .guard_failures
                .map_or_else(|| "unknown".to_string(), |n| n.to_string());
            let _ = writeln!(
                out,
                "    copy {} for {}: installed at {:.3} s {}, guard failed {} times",
                v.version,
                v.signature,
                v.installed_at.as_secs_f64(),
                if v.during_call {
                    "while the program ran"
                } else {
                    "between calls"
                },
                failures
            );
        }
    }
    out
}

/// The pairing key of the project in the current folder, if it is paired; an error (reported
/// here) when its key is missing or unreadable.
pub(crate) fn project_key() -> Result<Option<bs_protocol::auth::Key>, ExitCode> {
    project::session_key(std::path::Path::new(".")).map_err(|e| {
        eprintln!("bscript: {e:#}");
        ExitCode::from(EXIT_DEVICE)
    })
}

fn start_session(cli: &Cli) -> Result<bs_session::Session, ExitCode> {
    start_session_with(cli, &session_options(cli))
}

/// Starts a session with `options`, authenticating its requests with the project's pairing key
/// if the project has one.
fn start_session_with(
    cli: &Cli,
    options: &bs_session::SessionOptions,
) -> Result<bs_session::Session, ExitCode> {
    let options = bs_session::SessionOptions {
        key: project_key()?,
        ..options.clone()
    };
    match bs_session::Session::start(&options) {
        Ok(s) => Ok(s),
        Err(e) => {
            match &cli.port {
                Some(port) => eprintln!(
                    "bscript: cannot connect to the {} device on {port}: {e}",
                    cli.target
                ),
                None => eprintln!("bscript: cannot start the {} device: {e}", cli.target),
            }
            Err(ExitCode::from(EXIT_DEVICE))
        }
    }
}

/// Writes program output as it arrives.
pub fn write_output(stream: u8, bytes: &[u8]) {
    if stream == 0 {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        let _ = out.flush();
    } else {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(bytes);
        let _ = err.flush();
    }
}

/// Exit status when the program cannot be compiled (compile errors, an unreadable file).
const EXIT_COMPILE: u8 = 1;

/// The name standard input has in messages.
const STDIN_NAME: &str = "<stdin>";

/// A program's text, read once: from the file, or from standard input for `-`. Returns its name
/// for messages, its path (`None` for standard input) and its text; an unreadable file is
/// reported here.
fn read_program(
    file: &std::path::Path,
) -> Result<(String, Option<&std::path::Path>, String), ExitCode> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        return match std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
            Ok(_) => Ok((STDIN_NAME.to_string(), None, text)),
            Err(e) => {
                eprintln!("bscript: cannot read standard input: {e}");
                Err(ExitCode::from(EXIT_COMPILE))
            }
        };
    }
    match std::fs::read_to_string(file) {
        Ok(text) => Ok((file.display().to_string(), Some(file), text)),
        Err(e) => {
            eprintln!("bscript: cannot read {}: {e}", file.display());
            Err(ExitCode::from(EXIT_COMPILE))
        }
    }
}

/// The program to run or check and where its imports are looked for: a file given on the
/// command line (standard input for `-`, whose imports resolve from the working folder), or the
/// entry file of the project in the current folder. A failure is reported here.
fn program_and_roots(
    file: Option<&PathBuf>,
) -> Result<(PathBuf, bs_session::ModuleRoots), ExitCode> {
    let (file, roots) = match file {
        Some(f) => {
            let dir = f.parent().map_or_else(|| PathBuf::from("."), PathBuf::from);
            (f.clone(), project::roots_for(dir))
        }
        None => match project::find(std::path::Path::new(".")) {
            Ok(p) => (p.entry, p.roots),
            Err(e) => {
                eprintln!("bscript: {e:#}");
                return Err(ExitCode::from(EXIT_COMPILE));
            }
        },
    };
    let mut roots = roots;
    if roots.src_dir.as_os_str().is_empty() {
        roots.src_dir = PathBuf::from(".");
    }
    Ok((file, roots))
}

/// Reads the program and where its imports resolve: a pipe given by name (`/dev/stdin`,
/// `<(…)`) is standard input in all but name, so its imports resolve from the working folder.
#[allow(clippy::type_complexity)]
fn read_program_and_roots(
    file: &std::path::Path,
    roots: bs_session::ModuleRoots,
) -> Result<
    (
        String,
        Option<&std::path::Path>,
        String,
        bs_session::ModuleRoots,
    ),
    ExitCode,
> {
    // Every file is read once: this text is the one that runs and the one errors quote.
    let (name, mut path, source) = read_program(file)?;
    let mut roots = roots;
    if path.is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_file())) {
        path = None;
        roots.src_dir = PathBuf::from(".");
    }
    Ok((name, path, source, roots))
}

fn run_file(
    cli: &Cli,
    file: Option<&PathBuf>,
    keep_c: bool,
    timeout: Option<std::time::Duration>,
    jit_report: bool,
) -> anyhow::Result<ExitCode> {
    let (file, roots) = match program_and_roots(file) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let (name, path, source, roots) = match read_program_and_roots(&file, roots) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    // Every file is read once: this text is the one that runs and the one errors quote.
    handle_ctrl_c();
    let options = bs_session::SessionOptions {
        run_timeout: timeout,
        ..session_options(cli)
    };
    let Ok(mut session) = start_session_with(cli, &options) else {
        return Ok(ExitCode::from(EXIT_DEVICE));
    };
    if keep_c {
        session.keep_c();
    }
    let ctrl_c = CtrlCInterrupts::new(session.interrupter());
    let started = std::time::Instant::now();
    let progress = progress::CompileProgress::start(&name, session.compiling_flag());
    let (outcome, _) = session.eval_program(&name, &source, path, &roots, &mut |stream, bytes| {
        progress.clear();
        write_output(stream, bytes)
    });
    drop(progress);
    let color = std::io::stderr().is_terminal();
    eprint!(
        "{}",
        render::outcome(&name, &source, &outcome, cli.error_format, color)
    );
    let mut status = outcome.exit_code();
    if matches!(outcome, bs_session::Outcome::Ok) {
        let deadline = timeout.map(|t| started + t);
        status = run_timers(&mut session, deadline, &mut |outcome| {
            eprint!(
                "{}",
                render::outcome(&name, &source, outcome, cli.error_format, color)
            );
        });
    }
    drop(ctrl_c);
    if jit_report {
        match session.jit_report() {
            Ok(entries) => eprint!("{}", jit_report_text(&entries)),
            Err(e) => eprintln!("bscript: no report from the dynamic compiler: {e}"),
        }
    }
    if keep_c {
        eprintln!(
            "bscript: generated C kept in {}",
            session.work_dir().display()
        );
    }
    Ok(ExitCode::from(status as u8))
}

/// What a poll of the device's events says was lost (one line each), or nothing.
pub(crate) fn event_losses(poll: &bs_session::EventPoll) -> String {
    let mut text = String::new();
    if poll.dropped_events > 0 {
        text += &format!(
            "bscript: {} timer or event callbacks were dropped (the device's event queue was full)\n",
            poll.dropped_events
        );
    }
    if poll.dropped_output_bytes > 0 {
        text += &format!(
            "bscript: {} bytes of callback output were dropped (the device's event buffer was full)\n",
            poll.dropped_output_bytes
        );
    }
    text
}

/// How often `bscript run` fetches the output of timer callbacks once the program's top level
/// has ended.
const TIMER_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// After a program's top level ran: while timers are active on the device, fetch and print
/// their callbacks' output every [`TIMER_POLL`] and render their errors with `render`, until
/// none remain, Ctrl-C, or `deadline` (`--timeout`, from the start of the run). The exit status:
/// 0, or 2 (a run-time error's) when a callback failed, Ctrl-C or the deadline stopped it, or 3
/// when the device failed.
pub(crate) fn run_timers(
    session: &mut bs_session::Session,
    deadline: Option<std::time::Instant>,
    render: &mut dyn FnMut(&bs_session::Outcome),
) -> i32 {
    let interrupter = session.interrupter();
    let mut status = 0;
    while session.events_active() {
        // Ctrl-C while waiting: one more poll (which also stops a callback that runs), then stop.
        let ctrl_c = interrupter.is_requested();
        let poll = session.poll_events(&mut write_output);
        let mut interrupted = false;
        for error in &poll.errors {
            render(error);
            status = status.max(error.exit_code());
            interrupted |= matches!(error, bs_session::Outcome::RuntimeError(f)
                if f.code == bs_protocol::ErrorCode::Interrupted.code());
        }
        eprint!("{}", event_losses(&poll));
        if !poll.active {
            break;
        }
        if ctrl_c || interrupted || interrupter.is_requested() {
            interrupter.clear();
            eprintln!("bscript: interrupted with {} timers active", poll.timers);
            return status.max(2);
        }
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            eprintln!(
                "bscript: stopped by --timeout with {} timers active",
                poll.timers
            );
            return status.max(2);
        }
        std::thread::sleep(TIMER_POLL);
    }
    status
}

/// `bscript check`: the program and its modules are checked as `run` would check them before
/// running each (imports resolved the same way), with no device.
fn check_file(cli: &Cli, file: Option<&PathBuf>) -> anyhow::Result<ExitCode> {
    let (file, roots) = match program_and_roots(file) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let (name, path, source, roots) = match read_program_and_roots(&file, roots) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let outcome = bs_session::check_program(&name, &source, path, &roots);
    if matches!(outcome, bs_session::Outcome::Ok) {
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stderr().is_terminal();
    eprint!(
        "{}",
        render::outcome(&name, &source, &outcome, cli.error_format, color)
    );
    Ok(ExitCode::from(outcome.exit_code() as u8))
}

/// Exit status when standard output was closed before bscript finished writing to it (as a shell
/// reports a program that SIGPIPE ended: 128 + 13).
const EXIT_CLOSED_OUTPUT: i32 = 141;

/// Standard output (or error) closed early (`bscript board list | head -1`) makes `println!`
/// panic. That is no error of bscript's: it stops quietly, as a program ended by SIGPIPE would. (bscript
/// keeps SIGPIPE ignored, because it writes to a device's pipe and reports a device that died.)
fn stop_quietly_when_output_closes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout")
            || message.starts_with("failed printing to stderr")
        {
            std::process::exit(EXIT_CLOSED_OUTPUT);
        }
        default(info)
    }));
}

/// The stack of the thread that does the work. The front end nests up to
/// `bs_frontend::MAX_NESTING` levels deep, and what it produces is walked, turned into C
/// and finally dropped by recursive code on this stack; only the pages used are ever touched.
const WORK_STACK: usize = 1 << 30;

fn main() -> ExitCode {
    stop_quietly_when_output_closes();
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // In a project's folder, its `boardName` is the default target of the commands that use
    // a device; `--target` still wins.
    let target_given =
        matches.value_source("target") == Some(clap::parser::ValueSource::CommandLine);
    if !target_given
        && matches!(
            cli.command,
            Command::Run { .. } | Command::Repl | Command::Notebook { .. } | Command::Board { .. }
        )
    {
        match project::board_of(std::path::Path::new(".")) {
            Ok(Some(board)) => cli.target = board,
            Ok(None) => {}
            Err(e) => {
                eprintln!("bscript: {e:#}");
                return ExitCode::from(EXIT_COMPILE);
            }
        }
    }
    let worker = std::thread::Builder::new()
        .name("bscript".to_string())
        .stack_size(WORK_STACK)
        .spawn(move || work(&cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        // The panic has been reported by the hook.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("bscript: cannot start the work thread: {e}");
            ExitCode::from(EXIT_DEVICE)
        }
    }
}

fn work(cli: &Cli) -> ExitCode {
    let result = match &cli.command {
        Command::Run {
            file,
            keep_c,
            timeout,
            jit_report,
        } => run_file(cli, file.as_ref(), *keep_c, *timeout, *jit_report),
        Command::Project { what } => project::run(what),
        Command::Repl => repl::run(cli),
        Command::Notebook { file, no_browser } => notebook::run(cli, file.as_deref(), *no_browser),
        Command::Check { file } => check_file(cli, file.as_ref()),
        Command::Board { what } => board::run(cli, what),
        Command::Bench { what } => bench::run(cli, what),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bscript: {e:#}");
            ExitCode::from(EXIT_DEVICE)
        }
    }
}
