//! `bscript bench awfy` and `bscript bench dsp`: the benchmark programs of `benchmarks/` run by
//! every system that is installed — BlueScript typed and untyped on the chosen device, C, and
//! (on the host) MicroPython, CPython and JavaScript engines — each result checked by the program
//! itself, and one table of times per iteration with the ratios that matter.
//!
//! How a time is taken: every program runs `benchmark()` as many times as its iteration line says
//! (`const iterations = N`, `#define ITERATIONS N`, `iterations = N`); the harness rewrites that
//! line. BlueScript's time is the call's run time measured by the device (compilation is not
//! included); C and Python print the microseconds of their loop; the JavaScript (made from the
//! typed program by `bs-jsgen`) that duktape and node run reports
//! nothing, so their time per iteration is the difference of two runs of different lengths
//! divided by the difference of their lengths (start-up cancels out). A first run of one
//! iteration checks the result and estimates the time; the measured runs then last about
//! `--seconds` each, and the table gives the median of `--runs` of them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, bail};
use bs_session::{Outcome, Session, find_program};

use crate::Cli;

/// Which suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suite {
    /// The Are We Fast Yet programs (`benchmarks/awfy`).
    Awfy,
    /// The embedded DSP kernels (`benchmarks/dsp`).
    Dsp,
}

impl Suite {
    fn folder(self) -> &'static str {
        match self {
            Suite::Awfy => "awfy",
            Suite::Dsp => "dsp",
        }
    }
}

/// A system that runs the programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum System {
    /// BlueScript, typed, on the chosen device.
    Typed,
    /// BlueScript, untyped (annotations removed where the language allows), on the chosen device.
    Untyped,
    /// C: gcc -O2 on the host device; arm-none-eabi-gcc -O2 bare-metal under QEMU for
    /// qemu-mps2-an385.
    C,
    /// MicroPython's unix port (`micropython`).
    Micropython,
    /// CPython (`python3`), for scale.
    Cpython,
    /// Duktape (`duk`), an embedded JavaScript interpreter, on JavaScript made from the typed
    /// BlueScript program by bs-jsgen.
    Duktape,
    /// Node.js (`node`), a JIT, on the same JavaScript, for reference.
    Node,
}

impl System {
    fn label(self) -> &'static str {
        match self {
            System::Typed => "BlueScript typed",
            System::Untyped => "BlueScript untyped",
            System::C => "C",
            System::Micropython => "MicroPython",
            System::Cpython => "CPython",
            System::Duktape => "duktape",
            System::Node => "node",
        }
    }

    fn key(self) -> &'static str {
        match self {
            System::Typed => "typed",
            System::Untyped => "untyped",
            System::C => "c",
            System::Micropython => "micropython",
            System::Cpython => "cpython",
            System::Duktape => "duktape",
            System::Node => "node",
        }
    }

    /// A JavaScript engine: timed from outside (two runs of different lengths).
    fn is_javascript(self) -> bool {
        matches!(self, System::Duktape | System::Node)
    }

    const ALL: [System; 7] = [
        System::Typed,
        System::Untyped,
        System::C,
        System::Micropython,
        System::Cpython,
        System::Duktape,
        System::Node,
    ];
}

/// Options of `bench awfy` / `bench dsp`.
#[derive(clap::Args, Debug, Clone)]
pub struct SuiteArgs {
    /// Only these programs (file names without `.bs`, e.g. `sieve,richards`).
    #[arg(long, value_delimiter = ',')]
    programs: Vec<String>,
    /// Only these systems.
    #[arg(long, value_enum, value_delimiter = ',')]
    systems: Vec<System>,
    /// Measured runs per program and system; the table shows their median.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Roughly how long one measured run should take, in seconds.
    #[arg(long, default_value_t = 0.3)]
    seconds: f64,
    /// Check every program once, at two iterations, and measure nothing more (for CI).
    #[arg(long)]
    tiny: bool,
    /// Also count the instructions of an iteration of typed BlueScript and C with valgrind's
    /// callgrind (host device only; repeatable where times are noisy).
    #[arg(long)]
    instructions: bool,
    /// The benchmarks folder.
    #[arg(long, default_value = "benchmarks")]
    dir: PathBuf,
    /// Folder for the results (Markdown and JSON).
    #[arg(long, default_value = "benchmarks/results")]
    out: PathBuf,
}

/// One benchmark program and its versions.
struct Program {
    /// File stem, e.g. `deltablue`.
    stem: String,
    typed: PathBuf,
    untyped: Option<PathBuf>,
    c: Option<PathBuf>,
    python: Option<PathBuf>,
}

/// What one system did with one program.
#[derive(Clone, Debug)]
enum Cell {
    /// Microseconds per iteration (the median), and the iterations of one measured run.
    Time { us: f64, iterations: u64 },
    /// The system is not installed, or the program has no version for it.
    Absent(String),
    /// It ran and failed: a wrong result, an error, a crash.
    Failed(String),
}

/// A program's source with its iteration line (`PREFIX N` at the start of a line) set to
/// `iterations`.
fn sized_source(path: &Path, iterations_prefix: &str, iterations: u64) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (text, found) = set_line(&text, iterations_prefix, iterations);
    if !found {
        return Err(format!(
            "{} has no `{iterations_prefix}N` line",
            path.display()
        ));
    }
    Ok(text)
}

/// A BlueScript program's source with its iteration count set.
fn bluescript_source(path: &Path, iterations: u64) -> Result<String, String> {
    sized_source(path, "const iterations = ", iterations)
}

/// The line of a source file that sets `key` (at the start of a line) rewritten to `value`.
fn set_line(text: &str, prefix: &str, value: u64) -> (String, bool) {
    let mut found = false;
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive('\n') {
        if !found && line.starts_with(prefix) {
            let rest = line[prefix.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            let _ = write!(out, "{prefix}{value}{rest}");
            found = true;
        } else {
            out.push_str(line);
        }
    }
    (out, found)
}

/// MicroPython: `micropython` on the PATH, else the one `scripts/setup.sh` puts in
/// `.venv-bench` (beside the benchmarks folder).
fn micropython(dir: &Path) -> Option<PathBuf> {
    find_program("micropython").or_else(|| {
        let venv = dir
            .parent()
            .unwrap_or(Path::new("."))
            .join(".venv-bench/bin/micropython");
        venv.is_file().then_some(venv)
    })
}

/// Parses `NAME: ok MICROS` (C, Python) or `NAME: ok` (BlueScript) from a program's output.
fn ok_line(output: &str) -> Result<Option<f64>, String> {
    for line in output.lines() {
        if line.contains(": WRONG") {
            return Err(line.trim().to_string());
        }
        if let Some((_, rest)) = line.split_once(": ok") {
            let micros = rest.trim();
            if micros.is_empty() {
                return Ok(None);
            }
            return micros
                .parse::<f64>()
                .map(Some)
                .map_err(|_| format!("unreadable time in `{}`", line.trim()));
        }
    }
    Err(format!(
        "no `: ok` line in the output: {}",
        output.lines().last().unwrap_or("(none)")
    ))
}

/// The runners of one bench invocation: a session per BlueScript system, scratch space.
struct Bench<'c> {
    cli: &'c Cli,
    target: String,
    sessions: BTreeMap<System, Session>,
    scratch: PathBuf,
    /// One iteration, one run: a check, not a measurement.
    tiny: bool,
    /// The benchmarks folder, and its C programs' folder.
    dir: PathBuf,
    c_dir: PathBuf,
    /// The device's stack and regions (see [`bench_memory`]).
    memory: bs_session::MemoryLayout,
}

/// The iterations of a `--tiny` run.
const TINY_ITERATIONS: u64 = 2;

/// The memory of a QEMU board for the benchmarks: the heap of the host device (1 MiB), room for
/// the largest program's code and constants (Json's text is 20 KB), and a stack for the deepest
/// recursion. The board has 4 MiB of RAM; the default budget is that of a small microcontroller.
const QEMU_BENCH_MEMORY: bs_session::MemoryLayout = bs_session::MemoryLayout {
    stack_kib: Some(64),
    code_kib: Some(256),
    data_kib: Some(256),
    heap_kib: Some(1024),
};

/// The memory layout the benchmarks run with: `--memory`, filled in on a QEMU board with
/// [`QEMU_BENCH_MEMORY`] so that every program runs at the host device's sizes. A board on a
/// serial port runs what it was flashed with.
fn bench_memory(cli: &Cli) -> bs_session::MemoryLayout {
    let given = cli.memory.unwrap_or_default();
    if cli.target == "host" || cli.port.is_some() {
        given
    } else {
        given.or(&QEMU_BENCH_MEMORY)
    }
}

impl Bench<'_> {
    /// Runs a BlueScript program with `iterations`; returns the device's run time in µs.
    /// The session that runs `system`'s programs, started on first use.
    fn session(&mut self, system: System) -> Result<&mut Session, String> {
        if !self.sessions.contains_key(&system) {
            // On QEMU the guest clock counts instructions, like the bare-metal C runs.
            let options = bs_session::SessionOptions {
                qemu_icount: true,
                memory: self.memory,
                ..crate::session_options(self.cli)
            };
            let session = Session::start(&options)
                .map_err(|e| format!("cannot start the {} device: {e}", self.target))?;
            self.sessions.insert(system, session);
        }
        Ok(self.sessions.get_mut(&system).expect("just inserted"))
    }

    fn bluescript(&mut self, system: System, path: &Path, iterations: u64) -> Result<f64, String> {
        let text = bluescript_source(path, iterations)?;
        let session = self.session(system)?;
        session
            .reset()
            .map_err(|e| format!("cannot reset the device: {e}"))?;
        let mut output = Vec::new();
        let name = path.display().to_string();
        let (outcome, timings) =
            session.eval(&name, &text, &mut |_, b| output.extend_from_slice(b));
        let output = String::from_utf8_lossy(&output);
        if !matches!(outcome, Outcome::Ok) {
            let message = crate::render::outcome(
                &name,
                &text,
                &outcome,
                crate::render::ErrorFormat::Short,
                false,
            );
            if matches!(outcome, Outcome::DeviceError { .. }) {
                self.sessions.remove(&system);
            }
            return Err(message.lines().next().unwrap_or("failed").to_string());
        }
        ok_line(&output)?;
        Ok(timings.device_run.as_secs_f64() * 1e6)
    }

    /// Compiles a C program for the host with `iterations`.
    fn compile_c(&self, path: &Path, iterations: u64) -> Result<PathBuf, String> {
        let exe = self.scratch.join(format!(
            "{}-{iterations}",
            path.file_stem().unwrap_or_default().to_string_lossy()
        ));
        let cc = Command::new("gcc")
            .args(["-std=c11", "-O2", "-w", "-I"])
            .arg(&self.c_dir)
            .arg(format!("-DITERATIONS={iterations}"))
            .arg(path)
            .arg("-o")
            .arg(&exe)
            .arg("-lm")
            .output()
            .map_err(|e| format!("cannot run gcc: {e}"))?;
        if !cc.status.success() {
            return Err(format!(
                "gcc failed: {}",
                String::from_utf8_lossy(&cc.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            ));
        }
        Ok(exe)
    }

    /// Compiles and runs a C program with `iterations`; returns the µs it printed.
    fn c(&mut self, path: &Path, iterations: u64) -> Result<f64, String> {
        let output = if self.target == "host" {
            let exe = self.compile_c(path, iterations)?;
            Command::new(&exe)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?
        } else {
            let script = self.c_dir.join("baremetal/run.sh");
            if !script.is_file() {
                return Err(format!("{} is missing", script.display()));
            }
            let mut cmd = Command::new("bash");
            cmd.arg(&script).arg(path).arg(iterations.to_string());
            // The same heap and stack as the BlueScript device.
            if let Some(kib) = self.memory.heap_kib {
                cmd.env("HEAP_KB", kib.to_string());
            }
            if let Some(kib) = self.memory.stack_kib {
                cmd.env("STACK_KB", kib.to_string());
            }
            cmd.output()
                .map_err(|e| format!("cannot run {}: {e}", script.display()))?
        };
        let text = String::from_utf8_lossy(&output.stdout);
        let micros = ok_line(&text)?;
        if !output.status.success() {
            return Err(format!("exit status {}", output.status));
        }
        micros.ok_or_else(|| "the C program printed no time".to_string())
    }

    /// Runs a Python program with `iterations` under `interpreter`; returns the µs it printed.
    fn python(&mut self, interpreter: &Path, path: &Path, iterations: u64) -> Result<f64, String> {
        let text = sized_source(path, "iterations = ", iterations)?;
        let file = self.scratch.join(path.file_name().unwrap_or_default());
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
        let output = Command::new(interpreter)
            .arg(&file)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", interpreter.display()))?;
        let micros = ok_line(&String::from_utf8_lossy(&output.stdout)).map_err(|e| {
            let err = String::from_utf8_lossy(&output.stderr);
            match err.lines().last() {
                Some(last) => format!("{e} ({last})"),
                None => e,
            }
        })?;
        if !output.status.success() {
            return Err(format!("exit status {}", output.status));
        }
        micros.ok_or_else(|| "the program printed no time".to_string())
    }

    /// Translates the typed program to JavaScript with `iterations` and runs it on `engine`;
    /// returns the wall time of the whole process in µs (it checks its result like the others).
    fn javascript(&mut self, engine: &Path, path: &Path, iterations: u64) -> Result<f64, String> {
        let text = bluescript_source(path, iterations)?;
        let js = bs_jsgen::to_javascript(&text, &path.display().to_string())
            .map_err(|e| format!("cannot translate to JavaScript: {e}"))?;
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let file = self.scratch.join(format!("{stem}-{iterations}.js"));
        std::fs::write(&file, js).map_err(|e| format!("{}: {e}", file.display()))?;
        let started = Instant::now();
        let output = Command::new(engine)
            .arg(&file)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", engine.display()))?;
        let elapsed = started.elapsed().as_secs_f64() * 1e6;
        ok_line(&String::from_utf8_lossy(&output.stdout)).map_err(|e| {
            let err = String::from_utf8_lossy(&output.stderr);
            match err.lines().next() {
                Some(first) => format!("{e} ({first})"),
                None => e,
            }
        })?;
        if !output.status.success() {
            return Err(format!("exit status {}", output.status));
        }
        Ok(elapsed)
    }

    /// MicroPython for the Cortex-M column: Debian's firmware for the BBC micro:bit (a Cortex-M0
    /// with 16 KB of RAM) under QEMU with -icount, through `peers/python/microbit/run.sh`. Most
    /// programs do not fit it; that is reported as a missing cell with the reason, not a failure.
    fn microbit(&mut self, program: &Program, iterations: u64) -> Result<f64, String> {
        const FIRMWARE: &str = "/usr/share/firmware-microbit-micropython/firmware.hex";
        if self.tiny {
            return Err("not run with --tiny".into());
        }
        if !Path::new(FIRMWARE).is_file() || find_program("qemu-system-arm").is_none() {
            return Err("firmware-microbit-micropython is not installed".into());
        }
        let script = self.dir.join("peers/python/microbit/run.sh");
        let path = program.python.clone().ok_or("no Python version")?;
        let mut cmd = Command::new("sh");
        cmd.arg(&script).arg(&path).arg(iterations.to_string());
        let output = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        match ok_line(&text) {
            Ok(Some(us)) if output.status.success() => Ok(us),
            Ok(_) => Err("no time printed".into()),
            Err(e) => {
                let err = String::from_utf8_lossy(&output.stderr);
                let why = err
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or(&e)
                    .trim()
                    .to_string();
                Err(format!(
                    "does not run on the micro:bit's MicroPython: {why}"
                ))
            }
        }
    }

    /// One run of `program` on `system` with `iterations`: the µs of the whole loop.
    fn run_once(
        &mut self,
        system: System,
        program: &Program,
        iterations: u64,
    ) -> Result<f64, Cell> {
        let absent = |what: &str| Cell::Absent(what.to_string());
        let result = match system {
            System::Typed => self.bluescript(system, &program.typed.clone(), iterations),
            System::Untyped => {
                let path = program
                    .untyped
                    .clone()
                    .ok_or_else(|| absent("no untyped version"))?;
                self.bluescript(system, &path, iterations)
            }
            System::C => {
                let path = program.c.clone().ok_or_else(|| absent("no C version"))?;
                self.c(&path, iterations)
            }
            System::Micropython if self.target != "host" => {
                return self.microbit(program, iterations).map_err(Cell::Absent);
            }
            System::Micropython | System::Cpython => {
                if self.target != "host" {
                    return Err(absent("host only"));
                }
                let path = program
                    .python
                    .clone()
                    .ok_or_else(|| absent("no Python version"))?;
                let interpreter = if system == System::Micropython {
                    micropython(&self.dir).ok_or_else(|| absent("micropython is not installed"))?
                } else {
                    find_program("python3").ok_or_else(|| absent("python3 is not installed"))?
                };
                self.python(&interpreter, &path, iterations)
            }
            System::Duktape | System::Node => {
                if self.target != "host" {
                    return Err(absent("host only"));
                }
                let name = if system == System::Duktape {
                    "duk"
                } else {
                    "node"
                };
                let engine = find_program(name)
                    .ok_or_else(|| absent(&format!("{name} is not installed")))?;
                self.javascript(&engine, &program.typed.clone(), iterations)
            }
        };
        result.map_err(Cell::Failed)
    }

    /// Checks and measures `program` on `system`.
    fn measure(&mut self, system: System, program: &Program, args: &SuiteArgs) -> Cell {
        // The first run checks the result and tells how long one iteration takes. With --tiny
        // it is all there is, and it has two iterations: the second one runs on what the first
        // left behind, which is where memory that is never freed shows.
        let n = if args.tiny { TINY_ITERATIONS } else { 1 };
        let first = match self.run_once(system, program, n) {
            Ok(us) => us / n as f64,
            Err(cell) => return cell,
        };
        if args.tiny {
            return Cell::Time {
                us: first,
                iterations: n,
            };
        }
        let target_us = args.seconds * 1e6;
        if system.is_javascript() {
            return self.measure_from_outside(system, program, args, first);
        }
        let iterations = ((target_us / first.max(1.0)).ceil() as u64).clamp(1, 1_000_000);
        let mut times = Vec::with_capacity(args.runs);
        for _ in 0..args.runs.max(1) {
            match self.run_once(system, program, iterations) {
                Ok(us) => times.push(us / iterations as f64),
                Err(cell) => return cell,
            }
        }
        times.sort_by(f64::total_cmp);
        Cell::Time {
            us: times[times.len() / 2],
            iterations,
        }
    }
}

impl Bench<'_> {
    /// A system that reports no time of its own: runs of one iteration and of `n` iterations,
    /// the medians of each, and the difference per extra iteration (start-up cancels out).
    fn measure_from_outside(
        &mut self,
        system: System,
        program: &Program,
        args: &SuiteArgs,
        first: f64,
    ) -> Cell {
        let median = |bench: &mut Self, iterations: u64| -> Result<f64, Cell> {
            let mut times = Vec::new();
            for _ in 0..args.runs.max(1) {
                times.push(bench.run_once(system, program, iterations)?);
            }
            times.sort_by(f64::total_cmp);
            Ok(times[times.len() / 2])
        };
        let base = match median(self, 1) {
            Ok(t) => t,
            Err(cell) => return cell,
        };
        // One iteration is hidden in the start-up: estimate it from a run of a few (unless one
        // iteration alone already takes the time a run should take).
        let target_us = args.seconds * 1e6;
        let n = if first >= target_us {
            2
        } else {
            // Lengthen the probe until its extra iterations stand out of the start-up's noise.
            let mut probe_n = 4u64;
            let per_iteration = loop {
                let probe = match self.run_once(system, program, probe_n) {
                    Ok(t) => t,
                    Err(cell) => return cell,
                };
                let extra = probe - base.min(first);
                if extra >= (base * 0.5).max(50_000.0) || probe_n >= 1_000_000 {
                    break (extra / (probe_n - 1) as f64).max(0.01);
                }
                probe_n *= 8;
            };
            ((target_us / per_iteration).ceil() as u64).clamp(2, 1_000_000)
        };
        let long = match median(self, n) {
            Ok(t) => t,
            Err(cell) => return cell,
        };
        Cell::Time {
            us: ((long - base) / (n - 1) as f64).max(0.0),
            iterations: n,
        }
    }
}

/// Iterations of the longer of the two runs whose difference gives the instructions of one.
const COUNT_ITERATIONS: u64 = 3;

impl Bench<'_> {
    /// Instructions of one iteration of `program` on `system` (typed BlueScript or C on the host
    /// device), by callgrind: the difference of a run of [`COUNT_ITERATIONS`] and one of 1.
    fn instructions(&mut self, system: System, program: &Program) -> Result<f64, String> {
        let one = self.count_once(system, program, 1)?;
        let more = self.count_once(system, program, COUNT_ITERATIONS)?;
        Ok(((more - one) / (COUNT_ITERATIONS - 1) as f64).max(0.0))
    }

    /// The instructions callgrind counted in one whole run.
    fn count_once(
        &mut self,
        system: System,
        program: &Program,
        iterations: u64,
    ) -> Result<f64, String> {
        let out = self
            .scratch
            .join(format!("callgrind-{}-{iterations}.out", program.stem));
        let _ = std::fs::remove_file(&out);
        let callgrind = |exe: &Path| -> Command {
            let mut c = Command::new("valgrind");
            c.arg("--tool=callgrind")
                .arg(format!("--callgrind-out-file={}", out.display()))
                .arg(exe);
            c
        };
        match system {
            System::C => {
                let path = program.c.clone().ok_or("no C version")?;
                let exe = self.compile_c(&path, iterations)?;
                let run = callgrind(&exe)
                    .output()
                    .map_err(|e| format!("cannot run valgrind: {e}"))?;
                ok_line(&String::from_utf8_lossy(&run.stdout))?;
            }
            System::Typed => {
                // The runtime of the host device, started under callgrind by a small script.
                let image = {
                    let session = self.session(System::Typed)?;
                    session.runtime_image().to_path_buf()
                };
                let wrapper = self.scratch.join("callgrind-runtime.sh");
                let script = format!(
                    "#!/bin/sh\nexec valgrind --tool=callgrind --smc-check=all --callgrind-out-file='{}' '{}'\n",
                    out.display(),
                    image.display()
                );
                std::fs::write(&wrapper, script)
                    .map_err(|e| format!("{}: {e}", wrapper.display()))?;
                make_executable(&wrapper)?;
                let options = bs_session::SessionOptions {
                    runtime_override: Some(wrapper),
                    reply_timeout: std::time::Duration::from_secs(60),
                    memory: self.memory,
                    ..crate::session_options(self.cli)
                };
                let mut session =
                    Session::start(&options).map_err(|e| format!("cannot start callgrind: {e}"))?;
                let text = bluescript_source(&program.typed, iterations)?;
                let mut output = Vec::new();
                let (outcome, _) =
                    session.eval("count", &text, &mut |_, b| output.extend_from_slice(b));
                if !matches!(outcome, Outcome::Ok) {
                    return Err(format!("failed under callgrind: {outcome:?}"));
                }
                ok_line(&String::from_utf8_lossy(&output))?;
                drop(session); // the runtime exits and callgrind writes its counts
            }
            _ => return Err(format!("no instruction counts for {}", system.label())),
        }
        let text = std::fs::read_to_string(&out)
            .map_err(|e| format!("no callgrind output {}: {e}", out.display()))?;
        text.lines()
            .find_map(|l| l.strip_prefix("totals: "))
            .or_else(|| text.lines().find_map(|l| l.strip_prefix("summary: ")))
            .and_then(|n| n.split_whitespace().next()?.parse::<f64>().ok())
            .ok_or_else(|| format!("no totals in {}", out.display()))
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), String> {
    Ok(())
}

/// The programs of `suite` in `dir`, in name order.
fn programs(dir: &Path, suite: Suite, only: &[String]) -> anyhow::Result<Vec<Program>> {
    let folder = dir.join(suite.folder());
    let mut found = Vec::new();
    let entries = std::fs::read_dir(&folder)
        .with_context(|| format!("cannot read the benchmark folder {}", folder.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "bs") {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if !only.is_empty() && !only.contains(&stem) {
                continue;
            }
            let exists = |p: PathBuf| p.is_file().then_some(p);
            found.push(Program {
                untyped: exists(folder.join("untyped").join(format!("{stem}.bs"))),
                c: exists(dir.join("peers/c").join(format!("{stem}.c"))),
                python: exists(dir.join("peers/python").join(format!("{stem}.py"))),
                typed: path,
                stem,
            });
        }
    }
    found.sort_by(|a, b| a.stem.cmp(&b.stem));
    if found.is_empty() {
        bail!("no programs found in {}", folder.display());
    }
    for name in only {
        if !found.iter().any(|p| &p.stem == name) {
            bail!("no program `{name}` in {}", folder.display());
        }
    }
    Ok(found)
}

fn geomean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// One program's results.
struct Row {
    name: String,
    cells: BTreeMap<System, Cell>,
    /// Instructions per iteration (callgrind), where counted.
    instructions: BTreeMap<System, f64>,
}

/// A ratio column: `num / den` per program, and its geometric mean.
struct Ratio {
    title: &'static str,
    key: &'static str,
    num: System,
    den: System,
}

const RATIOS: &[Ratio] = &[
    Ratio {
        title: "BlueScript ÷ C",
        key: "typed_over_c",
        num: System::Typed,
        den: System::C,
    },
    Ratio {
        title: "MicroPython ÷ BlueScript",
        key: "micropython_over_typed",
        num: System::Micropython,
        den: System::Typed,
    },
    Ratio {
        title: "CPython ÷ BlueScript",
        key: "cpython_over_typed",
        num: System::Cpython,
        den: System::Typed,
    },
    Ratio {
        title: "duktape ÷ BlueScript",
        key: "duktape_over_typed",
        num: System::Duktape,
        den: System::Typed,
    },
    Ratio {
        title: "untyped ÷ typed",
        key: "untyped_over_typed",
        num: System::Untyped,
        den: System::Typed,
    },
];

fn time_of(cells: &BTreeMap<System, Cell>, s: System) -> Option<f64> {
    match cells.get(&s) {
        Some(Cell::Time { us, .. }) => Some(*us),
        _ => None,
    }
}

fn format_us(us: f64) -> String {
    if us >= 100.0 {
        format!("{us:.0}")
    } else if us >= 10.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.2}")
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

pub fn run(cli: &Cli, suite: Suite, args: &SuiteArgs) -> anyhow::Result<ExitCode> {
    let programs = programs(&args.dir, suite, &args.programs)?;
    let systems: Vec<System> = if args.systems.is_empty() {
        System::ALL.to_vec()
    } else {
        let mut s = args.systems.clone();
        s.sort();
        s.dedup();
        s
    };
    let scratch = std::env::temp_dir().join(format!("bscript-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let mut bench = Bench {
        cli,
        target: cli.target.clone(),
        sessions: BTreeMap::new(),
        scratch: scratch.clone(),
        tiny: args.tiny,
        dir: args.dir.clone(),
        c_dir: args.dir.join("peers/c"),
        memory: bench_memory(cli),
    };

    let total = (programs.len() * systems.len()) as u64;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("bench {prefix}: [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(suite.folder());
    let started = Instant::now();
    let mut table: Vec<Row> = Vec::new();
    let mut failures = Vec::new();
    for program in &programs {
        let mut cells = BTreeMap::new();
        for &system in &systems {
            bar.set_message(format!("{} ({})", program.stem, system.label()));
            let cell = bench.measure(system, program, args);
            if let Cell::Failed(why) = &cell {
                bar.println(format!(
                    "bench {}: {} on {}: FAILED: {why}",
                    suite.folder(),
                    program.stem,
                    system.label()
                ));
                failures.push(format!("{} ({})", program.stem, system.label()));
            }
            cells.insert(system, cell);
            bar.inc(1);
        }
        let mut instructions = BTreeMap::new();
        if args.instructions && bench.target == "host" {
            for system in [System::Typed, System::C] {
                let measured = matches!(cells.get(&system), Some(Cell::Time { .. }));
                if systems.contains(&system) && measured {
                    bar.set_message(format!("{} ({}, callgrind)", program.stem, system.label()));
                    match bench.instructions(system, program) {
                        Ok(n) => {
                            instructions.insert(system, n);
                        }
                        Err(why) => bar.println(format!(
                            "bench {}: {} on {}: no instruction count: {why}",
                            suite.folder(),
                            program.stem,
                            system.label()
                        )),
                    }
                }
            }
        }
        table.push(Row {
            name: program.stem.clone(),
            cells,
            instructions,
        });
    }
    bar.finish_and_clear();
    drop(bench);
    let _ = std::fs::remove_dir_all(&scratch);

    let (md, json) = report(cli, suite, args, &systems, &table, started.elapsed());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let stem = format!("{}-{}", suite.folder(), cli.target);
    let md_path = args.out.join(format!("{stem}.md"));
    let json_path = args.out.join(format!("{stem}.json"));
    std::fs::write(&md_path, &md).with_context(|| format!("cannot write {}", md_path.display()))?;
    std::fs::write(&json_path, &json)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    print!("{md}");
    eprintln!(
        "bench {}: results written to {} and {}",
        suite.folder(),
        md_path.display(),
        json_path.display()
    );
    if !failures.is_empty() {
        eprintln!(
            "bench {}: {} failed: {}",
            suite.folder(),
            failures.len(),
            failures.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn report(
    cli: &Cli,
    suite: Suite,
    args: &SuiteArgs,
    systems: &[System],
    table: &[Row],
    elapsed: std::time::Duration,
) -> (String, String) {
    let date = crate::bench::command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let machine = crate::bench::machine_description();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let target = &cli.target;
    let memory = bench_memory(cli);
    let ratios: Vec<&Ratio> = RATIOS
        .iter()
        .filter(|r| systems.contains(&r.num) && systems.contains(&r.den))
        .collect();
    let counted = table.iter().any(|r| !r.instructions.is_empty());

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# `bench {}` on the `{target}` device\n",
        suite.folder()
    );
    let _ = writeln!(md, "- date: {date}");
    let _ = writeln!(md, "- machine: {machine}");
    let _ = writeln!(md, "- command: `{command}`");
    let _ = writeln!(
        md,
        "- method: microseconds per iteration, median of {} runs of about {} s each{}; BlueScript \
         times are the device's run time of the call (no compilation); C {}; ratios > 1 mean \
         the second system is faster",
        args.runs,
        args.seconds,
        if args.tiny {
            " (tiny: two iterations, one run: not a measurement)"
        } else {
            ""
        },
        if target == "host" {
            "is gcc -O2"
        } else {
            "is arm-none-eabi-gcc -O2, bare-metal in the same QEMU machine; QEMU runs with \
             -icount shift=0 for both, so 1 µs is 1000 instructions (not a Cortex-M3's time)"
        },
    );
    if !memory.is_default() {
        let _ = writeln!(
            md,
            "- device memory: {memory} (`--memory`; the C programs get the same heap and stack)"
        );
    }
    let _ = writeln!(
        md,
        "- wall time of the whole benchmark: {:.0} s\n",
        elapsed.as_secs_f64()
    );
    md.push_str("| program |");
    for s in systems {
        let _ = write!(md, " {} (µs) |", s.label());
    }
    for r in &ratios {
        let _ = write!(md, " {} |", r.title);
    }
    if counted {
        md.push_str(
            " BlueScript typed (instructions) | C (instructions) | BlueScript ÷ C (instructions) |",
        );
    }
    md.push_str("\n|---|");
    for _ in 0..systems.len() + ratios.len() + if counted { 3 } else { 0 } {
        md.push_str("---:|");
    }
    md.push('\n');
    let mut ratio_values: Vec<Vec<f64>> = vec![Vec::new(); ratios.len()];
    let mut instruction_ratios = Vec::new();
    let mut notes = Vec::new();
    for Row {
        name,
        cells,
        instructions,
    } in table
    {
        let _ = write!(md, "| {name} |");
        for s in systems {
            match cells.get(s) {
                Some(Cell::Time { us, .. }) => {
                    let _ = write!(md, " {} |", format_us(*us));
                }
                Some(Cell::Absent(why)) => {
                    let _ = write!(md, " – |");
                    notes.push(format!("{name}, {}: {why}", s.label()));
                }
                Some(Cell::Failed(why)) => {
                    let _ = write!(md, " FAILED |");
                    notes.push(format!("{name}, {}: FAILED: {why}", s.label()));
                }
                None => md.push_str(" |"),
            }
        }
        for (i, r) in ratios.iter().enumerate() {
            match (time_of(cells, r.num), time_of(cells, r.den)) {
                (Some(a), Some(b)) if b > 0.0 => {
                    ratio_values[i].push(a / b);
                    let _ = write!(md, " {:.2} |", a / b);
                }
                _ => md.push_str(" – |"),
            }
        }
        if counted {
            let typed = instructions.get(&System::Typed);
            let c = instructions.get(&System::C);
            for n in [typed, c] {
                match n {
                    Some(n) => {
                        let _ = write!(md, " {:.0} |", n);
                    }
                    None => md.push_str(" – |"),
                }
            }
            match (typed, c) {
                (Some(a), Some(b)) if *b > 0.0 => {
                    instruction_ratios.push(a / b);
                    let _ = write!(md, " {:.2} |", a / b);
                }
                _ => md.push_str(" – |"),
            }
        }
        md.push('\n');
    }
    md.push_str("| **geometric mean** |");
    for _ in systems {
        md.push_str(" |");
    }
    let means: Vec<Option<f64>> = ratio_values.iter().map(|v| geomean(v)).collect();
    for (m, v) in means.iter().zip(&ratio_values) {
        match m {
            Some(m) => {
                let _ = write!(md, " **{m:.2}** ({} programs) |", v.len());
            }
            None => md.push_str(" – |"),
        }
    }
    let instruction_mean = geomean(&instruction_ratios);
    if counted {
        md.push_str(" | |");
        match instruction_mean {
            Some(m) => {
                let _ = write!(md, " **{m:.2}** ({} programs) |", instruction_ratios.len());
            }
            None => md.push_str(" – |"),
        }
    }
    md.push('\n');
    if !notes.is_empty() {
        md.push_str("\nMissing and failed cells:\n\n");
        for n in &notes {
            let _ = writeln!(md, "- {n}");
        }
    }

    let mut json = String::from("{\n");
    let _ = writeln!(json, "  \"benchmark\": {},", json_str(suite.folder()));
    let _ = writeln!(json, "  \"target\": {},", json_str(target));
    let _ = writeln!(json, "  \"memory\": {},", json_str(&memory.to_string()));
    let _ = writeln!(json, "  \"date\": {},", json_str(&date));
    let _ = writeln!(json, "  \"machine\": {},", json_str(&machine));
    let _ = writeln!(json, "  \"command\": {},", json_str(&command));
    let _ = writeln!(
        json,
        "  \"runs\": {},\n  \"tiny\": {},",
        args.runs, args.tiny
    );
    json.push_str("  \"programs\": {\n");
    for (i, row) in table.iter().enumerate() {
        let (name, cells) = (&row.name, &row.cells);
        let _ = write!(json, "    {}: {{", json_str(name));
        let mut fields: Vec<String> = cells
            .iter()
            .map(|(s, c)| match c {
                Cell::Time { us, iterations } => format!(
                    "{}: {{ \"us_per_iteration\": {us:.3}, \"iterations\": {iterations} }}",
                    json_str(s.key())
                ),
                Cell::Absent(why) => {
                    format!("{}: {{ \"absent\": {} }}", json_str(s.key()), json_str(why))
                }
                Cell::Failed(why) => {
                    format!("{}: {{ \"failed\": {} }}", json_str(s.key()), json_str(why))
                }
            })
            .collect();
        if !row.instructions.is_empty() {
            let counts: Vec<String> = row
                .instructions
                .iter()
                .map(|(s, n)| format!("{}: {n:.0}", json_str(s.key())))
                .collect();
            fields.push(format!(
                "\"instructions_per_iteration\": {{ {} }}",
                counts.join(", ")
            ));
        }
        let _ = write!(json, " {} }}", fields.join(", "));
        json.push_str(if i + 1 < table.len() { ",\n" } else { "\n" });
    }
    json.push_str("  },\n  \"geometric_means\": {");
    let gm: Vec<String> = ratios
        .iter()
        .zip(&means)
        .filter_map(|(r, m)| m.map(|m| format!(" {}: {m:.4}", json_str(r.key))))
        .collect();
    json.push_str(&gm.join(","));
    if let Some(m) = instruction_mean {
        let _ = write!(
            json,
            "{} \"typed_over_c_instructions\": {m:.4}",
            if gm.is_empty() { "" } else { "," }
        );
    }
    json.push_str(" }\n}\n");
    (md, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iteration_lines_are_rewritten_once() {
        let (t, found) = set_line(
            "a\nconst iterations = 3\nconst iterations = 4\n",
            "const iterations = ",
            250,
        );
        assert!(found);
        assert_eq!(t, "a\nconst iterations = 250\nconst iterations = 4\n");
        let (t, found) = set_line("#define ITERATIONS 3\n", "const iterations = ", 9);
        assert!(!found);
        assert_eq!(t, "#define ITERATIONS 3\n");
    }

    #[test]
    fn ok_lines_give_the_time_or_the_failure() {
        assert_eq!(ok_line("Sieve: ok 1234\n"), Ok(Some(1234.0)));
        assert_eq!(ok_line("Sieve: ok\n"), Ok(None));
        assert!(ok_line("Sieve: WRONG got 1 expected 2\n").is_err());
        assert!(ok_line("something else\n").is_err());
    }

    #[test]
    fn geometric_mean_of_ratios() {
        let m = geomean(&[2.0, 8.0]).unwrap();
        assert!((m - 4.0).abs() < 1e-9);
        assert_eq!(geomean(&[]), None);
    }
}
