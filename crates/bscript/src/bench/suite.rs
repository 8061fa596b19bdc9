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
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::Context;
use bs_session::board::TargetInfo;
use bs_session::{Outcome, Session, find_program};

use super::peers::{Peers, micropython};
use super::program::{Program, Suite, bluescript_source, ok_line, programs};
use super::report::{self, Header};
use super::table::{Cell, Results, Row, System};
use crate::Cli;

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

/// The runners of one bench invocation: a session per BlueScript system, and the other systems.
struct Bench<'c> {
    cli: &'c Cli,
    target: String,
    /// What the target's device is.
    info: TargetInfo,
    sessions: BTreeMap<System, Session>,
    peers: Peers,
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

/// The memory of a board with little RAM (the STM32F405's 128 KiB) for the benchmarks: as much
/// code, data and heap as fits beside the runtime's variables (12 KiB) and the handlers' stack.
const SMALL_BENCH_MEMORY: bs_session::MemoryLayout = bs_session::MemoryLayout {
    stack_kib: Some(8),
    code_kib: Some(32),
    data_kib: Some(24),
    heap_kib: Some(48),
};

/// The KiB a layout's stack and regions take.
fn layout_kib(m: &bs_session::MemoryLayout) -> u64 {
    [m.stack_kib, m.code_kib, m.data_kib, m.heap_kib]
        .iter()
        .map(|k| k.map_or(0, u64::from))
        .sum()
}

/// The memory layout the benchmarks run with: `--memory`, filled in on a board with a memory
/// budget (a QEMU board) with [`QEMU_BENCH_MEMORY`] so that every program runs at the host
/// device's sizes, or with [`SMALL_BENCH_MEMORY`] on a board whose RAM (the port table's) is too
/// small for that. A board on a serial port runs what it was flashed with.
fn bench_memory(cli: &Cli, info: TargetInfo) -> bs_session::MemoryLayout {
    let given = cli.memory.unwrap_or_default();
    if !info.memory_budget || cli.port.is_some() {
        return given;
    }
    let ram_kib = bs_toolchain::port(&cli.target)
        .and_then(|p| p.layout)
        .map_or(u64::MAX, |l| u64::from(l.ram_kib));
    // The handlers' stack and the runtime's variables need about 16 KiB beside the layout.
    if layout_kib(&QEMU_BENCH_MEMORY) + 16 <= ram_kib {
        given.or(&QEMU_BENCH_MEMORY)
    } else {
        given.or(&SMALL_BENCH_MEMORY)
    }
}

impl Bench<'_> {
    /// Runs a BlueScript program with `iterations`; returns the device's run time in µs.
    /// The session that runs `system`'s programs, started on first use.
    fn session(&mut self, system: System) -> Result<&mut Session, String> {
        if !self.sessions.contains_key(&system) {
            // On QEMU the guest clock counts instructions, like the bare-metal C runs.
            let mut options = bs_session::SessionOptions {
                qemu_icount: true,
                memory: self.peers.memory,
                ..crate::session_options(self.cli)
            };
            if system == System::UntypedNoDynamic {
                options.dynamic = bs_session::DynamicOptions::off();
            }
            let session = Session::start(&options)
                .map_err(|e| format!("cannot start the {} device: {e}", self.target))?;
            self.sessions.insert(system, session);
        }
        Ok(self.sessions.get_mut(&system).expect("just inserted"))
    }

    fn bluescript(&mut self, system: System, path: &Path, iterations: u64) -> Result<f64, String> {
        let untyped = matches!(system, System::Untyped | System::UntypedNoDynamic);
        let text = if untyped {
            // Steady state, as Are We Fast Yet measures a JIT: a warm-up run of the whole
            // program (its untyped functions profiled, and their copies compiled and
            // installed), then the timed iterations in a later input.
            self.eval_checked(system, path, &bluescript_source(path, WARM_UP)?, true)?;
            self.session(system)?
                .jit_report()
                .map_err(|e| format!("the dynamic compiler failed: {e}"))?;
            harness_block(&bluescript_source(path, iterations)?)?
        } else {
            bluescript_source(path, iterations)?
        };
        self.eval_checked(system, path, &text, !untyped)
    }

    /// Runs `text` (on a device reset first, with `reset`), checks its `NAME: ok` line and
    /// returns the device's run time in µs.
    fn eval_checked(
        &mut self,
        system: System,
        path: &Path,
        text: &str,
        reset: bool,
    ) -> Result<f64, String> {
        let session = self.session(system)?;
        if reset {
            session
                .reset()
                .map_err(|e| format!("cannot reset the device: {e}"))?;
        }
        let mut output = Vec::new();
        let name = path.display().to_string();
        let (outcome, timings) = session.eval(&name, text, &mut |_, b| output.extend_from_slice(b));
        let output = String::from_utf8_lossy(&output);
        if !matches!(outcome, Outcome::Ok) {
            let message = crate::render::outcome(
                &name,
                text,
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
            System::Untyped | System::UntypedNoDynamic => {
                let path = program
                    .untyped
                    .clone()
                    .ok_or_else(|| absent("no untyped version"))?;
                self.bluescript(system, &path, iterations)
            }
            System::C => {
                let path = program.c.clone().ok_or_else(|| absent("no C version"))?;
                if !self.peers.c_runs_here() {
                    return Err(absent("no bare-metal C build for this QEMU machine"));
                }
                self.peers.c(&path, iterations)
            }
            System::Micropython if !self.info.native_process => {
                return self
                    .peers
                    .microbit(program, iterations)
                    .map_err(Cell::Absent);
            }
            System::Micropython | System::Cpython => {
                if !self.info.native_process {
                    return Err(absent("host only"));
                }
                let path = program
                    .python
                    .clone()
                    .ok_or_else(|| absent("no Python version"))?;
                let interpreter = if system == System::Micropython {
                    micropython(&self.peers.dir)
                        .ok_or_else(|| absent("micropython is not installed"))?
                } else {
                    find_program("python3").ok_or_else(|| absent("python3 is not installed"))?
                };
                self.peers.python(&interpreter, &path, iterations)
            }
            System::Duktape | System::Node => {
                if !self.info.native_process {
                    return Err(absent("host only"));
                }
                let name = if system == System::Duktape {
                    "duk"
                } else {
                    "node"
                };
                let engine = find_program(name)
                    .ok_or_else(|| absent(&format!("{name} is not installed")))?;
                self.peers
                    .javascript(&engine, &program.typed.clone(), iterations)
            }
        };
        result.map_err(|why| {
            // A board with too little RAM for a program's data at this size: it does not run
            // there, which is the board's limit, not a wrong result.
            if self.peers.memory == SMALL_BENCH_MEMORY
                && matches!(
                    system,
                    System::Typed | System::Untyped | System::UntypedNoDynamic
                )
                && why.contains("memory exhausted")
            {
                Cell::Absent(format!(
                    "does not fit the board's RAM ({}): {why}",
                    SMALL_BENCH_MEMORY
                ))
            } else {
                Cell::Failed(why)
            }
        })
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

/// Iterations of the warm-up run of an untyped program, before its timed iterations.
const WARM_UP: u64 = 2;

/// The harness of a benchmark program (from its `const iterations = ` line on: the loop that
/// calls `benchmark()` and prints the verdict) in a block of its own, to run again in the
/// session that ran the whole program.
fn harness_block(text: &str) -> Result<String, String> {
    let at = text
        .find("\nconst iterations = ")
        .ok_or("the program has no `const iterations = ` line")?;
    Ok(format!("{{\n{}\n}}\n", &text[at + 1..]))
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
            .peers
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
                let exe = self.peers.compile_c(&path, iterations)?;
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
                let wrapper = self.peers.scratch.join("callgrind-runtime.sh");
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
                    memory: self.peers.memory,
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
    let info = TargetInfo::of(&cli.target)
        .ok_or_else(|| bs_session::SessionError::UnknownTarget(cli.target.clone()))?;
    let scratch = std::env::temp_dir().join(format!("bscript-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let memory = bench_memory(cli, info);
    let mut bench = Bench {
        cli,
        target: cli.target.clone(),
        info,
        sessions: BTreeMap::new(),
        peers: Peers {
            scratch: scratch.clone(),
            dir: args.dir.clone(),
            c_dir: args.dir.join("peers/c"),
            memory,
            native: info.native_process,
            tiny: args.tiny,
            machine: qemu_machine(&cli.target),
        },
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
        if args.instructions && info.native_process {
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

    let results = Results {
        suite,
        target: &cli.target,
        native: info.native_process,
        memory,
        runs: args.runs,
        seconds: args.seconds,
        tiny: args.tiny,
        systems: &systems,
        table: &table,
        elapsed: started.elapsed(),
    };
    let (md, json) = results.report(&Header::now());
    let stem = format!("{}-{}", suite.folder(), cli.target);
    report::write(&args.out, &stem, suite.folder(), &md, &json)?;
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

/// The QEMU machine that runs `target`'s device, from the port table; `None` for a process.
fn qemu_machine(target: &str) -> Option<&'static str> {
    match bs_toolchain::port(target)?.launch {
        bs_toolchain::Launch::Qemu(m) => Some(m.machine),
        bs_toolchain::Launch::Process => None,
    }
}
