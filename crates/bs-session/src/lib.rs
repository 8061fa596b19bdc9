//! A BlueScript session: one device and everything the host knows about it. It drives one input
//! through every stage — check, C generation, C compiler, link, transfer, run — and keeps the
//! session consistent: a unit's declarations enter the environment and the shadow machine only
//! after the device ran it successfully.
//!
//! The CLI and the tests both use [`Session`]; nothing here prints.

pub mod board;
mod c_files;
mod device;
mod dynamic;
mod inline_c;
mod modules;
mod outcome;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bs_cgen::c_symbol;
use bs_frontend::{Diagnostic, Env, Global, Span, Symbol, line_col};
use bs_link::{Arch, RuntimeImage};
use bs_protocol::{DeviceInfo, MemInfo};
use bs_shadow::{MemoryMap, Region, Shadow};
use bs_toolchain::{Port, RuntimeBuild, UnitCompiler};
use bs_transport::{CallOutcome, LinkError};

pub use bs_toolchain::{MemoryLayout, Variant};
pub use bs_transport::{FaultRates, FaultStats, Interrupter, LinkStats};
pub use device::{DeviceHandle, LinkShaping, SessionError, find_program};
pub use dynamic::{DynamicOptions, JitEntry, JitVersion};
pub use modules::{ModuleRoots, Package, check_program};
pub use outcome::{Location, Outcome, RuntimeFailure, Stage, Timings};

/// How to start a session.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// The target device (`host`, `qemu-mps2-an385`).
    pub target: String,
    /// Run this runtime executable (or, for QEMU, image) instead of the one built from the
    /// embedded sources (its build id must still match the image the host links against).
    pub runtime_override: Option<PathBuf>,
    /// How long to wait for replies other than a call's end.
    pub reply_timeout: Duration,
    /// Use the runtime variant that collects garbage at every allocation.
    pub gc_stress: bool,
    /// Sizes of the device's stack and regions other than its port's defaults (boards with a
    /// memory budget only).
    pub memory: bs_toolchain::MemoryLayout,
    /// Connect to a device that already runs on this serial port (a board, or QEMU started with
    /// `-serial pty`) instead of starting one. The target still names the port of the runtime
    /// it runs, whose image the host links against; the handshake refuses another build. Such a
    /// device cannot be restarted by the session.
    pub serial_port: Option<String>,
    /// The baud rate of [`serial_port`](SessionOptions::serial_port).
    pub baud: u32,
    /// Damage the frames on the link on purpose (to test the reliable link).
    pub faults: Option<bs_transport::FaultRates>,
    /// Move the link's bytes, both ways, no faster than a UART at this many baud (10 bits a
    /// byte), so that latency is measured as a board on a serial line would see it.
    pub link_rate: Option<u32>,
    /// On a QEMU target: the guest's clock counts instructions (`-icount shift=0`), so the run
    /// times the device reports are repeatable (1 µs = 1000 instructions).
    pub qemu_icount: bool,
    /// Interrupt every call of a unit's code on the device that runs longer than this (the
    /// failure says it timed out).
    pub run_timeout: Option<Duration>,
    /// The pairing key of the project (`docs/protocol.md`, section 6): requests are
    /// authenticated with it, and a device the session starts runs the keyed runtime image
    /// (unless [`runtime_override`](SessionOptions::runtime_override) names another program).
    pub key: Option<bs_protocol::auth::Key>,
    /// The dynamic compiler (docs/dynamic.md): on unless turned off.
    pub dynamic: DynamicOptions,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            target: "host".to_string(),
            runtime_override: None,
            reply_timeout: Duration::from_secs(10),
            gc_stress: false,
            memory: bs_toolchain::MemoryLayout::default(),
            serial_port: None,
            baud: bs_transport::DEFAULT_BAUD,
            faults: None,
            link_rate: None,
            qemu_icount: false,
            run_timeout: None,
            key: None,
            dynamic: DynamicOptions::default(),
        }
    }
}

/// What the session keeps of each unit that ran: its name and source, to map run-time errors
/// back to source lines.
#[derive(Clone, Debug)]
struct UnitSource {
    name: String,
    text: String,
}

/// What the host made of a unit before the device is involved: what [`Session::compile`]
/// hands to the link and run step.
struct Compiled {
    checked: bs_frontend::Checked,
    /// The unit's C source, compiled again for size if its object does not fit.
    c_source: String,
    /// The relocatable object the C compiler produced.
    object: Vec<u8>,
}

/// What the session knows of the units it sent to the device: their sources, their check sites
/// and their functions, to map run-time errors back to source lines.
#[derive(Default)]
struct UnitIndex {
    /// Site number → (unit id, span).
    sites: HashMap<u32, (u32, Span)>,
    /// Unit id → its source, for every unit that was sent to the device.
    sources: HashMap<u32, UnitSource>,
    /// Every function body sent to the device, and the units' entry functions → (unit id,
    /// function name (empty for an entry function), span of the name), to name the function a
    /// fault happened in.
    functions: HashMap<Symbol, (u32, String, Span)>,
    /// Start address → symbol, for every function body sent to the device.
    code_symbols: std::collections::BTreeMap<u64, Symbol>,
    /// Units whose code stays on the device only for the functions they define (see
    /// [`bs_frontend::ir::Unit::code_is_reclaimable`]): unit id → those functions' slots and
    /// the unit's data that stays when the code goes ([`lasting_data`]).
    reclaimable: HashMap<u32, (Vec<String>, Vec<AddressRange>)>,
    /// Function slot (its C name: functions of different modules may share a name) → the unit
    /// that defined its current body.
    body_unit: HashMap<String, u32>,
    /// Start address of each unit's code sent to the device → what maps its code addresses to
    /// statements.
    code: std::collections::BTreeMap<u64, UnitCode>,
}

/// A unit's code on the device and how its addresses map to its source.
struct UnitCode {
    /// The address after its code.
    end: u64,
    unit: u32,
    /// Code address → line of its generated C (or of inline C), from the object's line table.
    lines: bs_link::LineTable,
    /// Line of its generated C → span of the statement in the unit's source, and the C
    /// function it is in.
    c_lines: bs_cgen::SourceLines,
}

impl UnitIndex {
    /// Forgets unit `id`, whose code was freed: no address maps to its functions or statements
    /// any more, and its source, sites and functions go too (no code of it can fail again), so
    /// that a long session keeps only what live code needs.
    fn forget_code(&mut self, id: u32) {
        let functions = &self.functions;
        self.code_symbols
            .retain(|_, symbol| functions.get(symbol).is_none_or(|(unit, _, _)| *unit != id));
        self.code.retain(|_, code| code.unit != id);
        self.reclaimable.remove(&id);
        self.functions.retain(|_, (unit, _, _)| *unit != id);
        self.sites.retain(|_, (unit, _)| *unit != id);
        self.sources.remove(&id);
    }

    /// Records a unit that is on the device: its source, sites and functions, its entry
    /// function (the unit's top-level code) at `entry`, and its code's line table (with
    /// `c_source`, the generated C it was compiled from).
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        unit_id: u32,
        name: &str,
        source: &str,
        c_source: &str,
        unit: &bs_frontend::ir::Unit,
        linked: &bs_link::LinkedUnit,
        entry: Option<u64>,
    ) {
        if let Some(code) = linked.chunk(bs_link::RegionKind::Code) {
            self.code.insert(
                code.addr,
                UnitCode {
                    end: code.addr + code.bytes.len() as u64,
                    unit: unit_id,
                    lines: linked.lines.clone(),
                    c_lines: bs_cgen::source_lines(c_source),
                },
            );
        }
        self.sources.insert(
            unit_id,
            UnitSource {
                name: name.to_string(),
                text: source.to_string(),
            },
        );
        for (site, span) in &unit.sites {
            self.sites.insert(*site, (unit_id, *span));
        }
        for f in &unit.functions {
            if let Some(addr) = linked.symbol(&c_symbol(&f.body_symbol)) {
                self.code_symbols.insert(addr, f.body_symbol.clone());
                self.functions
                    .insert(f.body_symbol.clone(), (unit_id, f.name.clone(), f.span));
            }
        }
        for (symbol, _, _) in &unit.arrows {
            if let Some(addr) = linked.symbol(&c_symbol(symbol)) {
                self.code_symbols.insert(addr, symbol.clone());
            }
        }
        if let Some(entry) = entry {
            self.code_symbols.insert(entry, unit.entry_symbol.clone());
            self.functions.insert(
                unit.entry_symbol.clone(),
                (unit_id, String::new(), Span::default()),
            );
        }
    }

    /// The statement whose code lies at address `addr` of a unit's code: the unit, the
    /// statement's span in its source, and the C name of the function whose body the statement
    /// is in (which may have been inlined elsewhere). `None` when `addr` is in no unit, or its
    /// code comes from no statement (a function's prologue, say).
    fn statement_at(&self, addr: u64) -> Option<(u32, Span, Option<&str>)> {
        let (_, code) = self.code.range(..=addr).next_back()?;
        if addr >= code.end {
            return None;
        }
        let source = &self.sources.get(&code.unit)?.text;
        let span = code.lines.find(addr, |file, line| {
            let name = file.rsplit('/').next().unwrap_or(file);
            if name == bs_cgen::UNIT_C_FILE {
                // The statement of this line of the generated C, or none (stop looking).
                let index = (line as usize).checked_sub(1)?;
                let (span, function) = code.c_lines.lines.get(index).copied()?;
                return Some(span.map(|span| (span, function)));
            }
            if let Some(offset) = name
                .strip_prefix(bs_cgen::INLINE_C_FILE)
                .and_then(|o| o.parse::<usize>().ok())
            {
                let line = (line as usize).max(1);
                return Some(Some((
                    inline_c::inline_c_span(source, offset, line, 1),
                    None,
                )));
            }
            // Code of a function inlined from another file (bs.h): the statement that used it
            // comes before it.
            None
        })??;
        let function = span.1.and_then(|f| code.c_lines.functions.get(f as usize));
        Some((code.unit, span.0, function.map(String::as_str)))
    }
}

/// A range of device memory: its address and size in bytes.
type AddressRange = (u64, u64);

/// The data of a unit that must stay when its code is freed, as (address, size): its string
/// literals (values may hold them; they are in `bs_cgen::LITERAL_SECTION`), all its read-only
/// data if it registers array classes (the runtime's class table points at their descriptors),
/// and, unless it failed (`failed`: its variables were never declared), its variables. The
/// rest (constants only its code used, alignment padding) goes with the code.
fn lasting_data(
    unit: &bs_frontend::ir::Unit,
    linked: &bs_link::LinkedUnit,
    failed: bool,
) -> Vec<AddressRange> {
    linked
        .sections
        .iter()
        .filter(|s| s.kind == bs_link::RegionKind::Data)
        .filter(|s| {
            s.name == bs_cgen::LITERAL_SECTION
                || (s.writable && !failed && s.name != bs_cgen::PROFILE_SECTION)
                || (!s.writable && !unit.array_classes.is_empty())
        })
        .map(|s| (s.addr, s.size))
        .collect()
}

/// Program output as it arrives: stream 0 is standard output, 1 standard error.
pub type OutputSink<'o> = dyn FnMut(u8, &[u8]) + 'o;

/// The runtime image of `options`' target (and variant) with `key` written into it: the image a
/// paired device runs (`bscript board pair`). Built, and keyed, unless the cache holds it.
pub fn keyed_runtime_image(
    options: &SessionOptions,
    key: &bs_protocol::auth::Key,
) -> Result<PathBuf, SessionError> {
    let port = bs_toolchain::port(&options.target)
        .ok_or_else(|| SessionError::UnknownTarget(options.target.clone()))?;
    let runtime = bs_toolchain::ensure_runtime_variant(port, &variant_of(options))?;
    Ok(bs_toolchain::ensure_keyed_image(
        &runtime,
        key.bytes(),
        &key.id().0,
    )?)
}

fn variant_of(options: &SessionOptions) -> bs_toolchain::Variant {
    bs_toolchain::Variant {
        gc_stress: options.gc_stress,
        memory: options.memory,
    }
}

pub struct Session {
    port: &'static Port,
    runtime: RuntimeBuild,
    image: RuntimeImage,
    device: DeviceHandle,
    shadow: Shadow,
    env: Env,
    compiler: UnitCompiler,
    next_unit: u32,
    /// Site numbers and class ids handed out so far.
    counters: bs_frontend::Counters,
    /// Where the units sent to the device came from, to locate run-time errors.
    units: UnitIndex,
    keep_c: bool,
    /// Modules loaded in this session.
    modules: modules::ModuleTable,
    /// The unit being evaluated: its namespace and imports, and the environment it is checked
    /// in when that is not `env` itself.
    job: modules::UnitJob,
    job_env: Option<Env>,
    /// Errors of the unit's imports, reported with the errors of its check.
    job_errors: Vec<Diagnostic>,
    /// What the last unit that ran declared.
    last_declared: Option<bs_frontend::ModuleInfo>,
    /// The project's C files, once they compiled (`c_files.rs`), keyed by the folders they
    /// are under: the project's (`ModuleRoots::c_dirs`), and each bundled package's source
    /// folder once the package was imported.
    c_files: HashMap<Vec<PathBuf>, c_files::CFiles>,
    /// The dynamic compiler's profiled functions and specialised copies.
    dynamic: dynamic::Dynamic,
    /// Set while a unit is checked, generated and compiled (steps 1–3), for a progress display.
    compiling: Arc<std::sync::atomic::AtomicBool>,
    /// What the host last learnt of the device's timers (see [`Session::events_active`]).
    events_active: bool,
}

/// What one [`Session::poll_events`] found.
#[derive(Clone, Debug, Default)]
pub struct EventPoll {
    /// Timers active on the device after the poll.
    pub timers: u32,
    /// Timers are active, or a driver on the device may post events (a pin watch): the device
    /// may produce more, so polling should go on.
    pub active: bool,
    /// Callbacks that stopped with a run-time error, in order, each an
    /// [`Outcome::RuntimeError`] located at its source line as a unit's error is (render it
    /// the same way). An interval whose callback failed has been cleared.
    pub errors: Vec<Outcome>,
    /// Callbacks lost since the last poll because the device's event queue was full.
    pub dropped_events: u32,
    /// Bytes of callback output (and error records) lost since the last poll because the
    /// device's event buffer was full.
    pub dropped_output_bytes: u32,
}

impl Session {
    /// Builds (or finds) the runtime, starts the device and shakes hands with it.
    pub fn start(options: &SessionOptions) -> Result<Session, SessionError> {
        let port = bs_toolchain::port(&options.target)
            .ok_or_else(|| SessionError::UnknownTarget(options.target.clone()))?;
        let runtime = bs_toolchain::ensure_runtime_variant(port, &variant_of(options))?;
        let elf = std::fs::read(&runtime.image).map_err(|source| SessionError::Io {
            path: runtime.image.clone(),
            source,
        })?;
        let image = bs_link::read_runtime_elf(&elf)?;
        let program = match (&options.runtime_override, &options.key) {
            (Some(program), _) => program.clone(),
            (None, Some(key)) => {
                bs_toolchain::ensure_keyed_image(&runtime, key.bytes(), &key.id().0)?
            }
            (None, None) => runtime.image.clone(),
        };
        let shaping = LinkShaping {
            faults: options.faults,
            rate: options.link_rate,
        };
        let (device, info) = match &options.serial_port {
            Some(path) => DeviceHandle::attach(
                path,
                options.baud,
                options.reply_timeout,
                &image,
                shaping,
                options.key.clone(),
            )?,
            None => DeviceHandle::start(
                port.launch,
                program,
                options.reply_timeout,
                &image,
                shaping,
                options.qemu_icount,
                options.key.clone(),
            )?,
        };
        let mut device = device;
        device.set_call_time_limit(options.run_timeout);
        let shadow = Shadow::new(memory_map(&info), image.clone());
        let compiler = UnitCompiler::new(port, &runtime)?;
        Ok(Session {
            port,
            runtime,
            image,
            device,
            shadow,
            env: Env::new(),
            compiler,
            next_unit: 1,
            counters: bs_frontend::Counters::default(),
            units: UnitIndex::default(),
            keep_c: false,
            modules: modules::ModuleTable::default(),
            job: modules::UnitJob::default(),
            job_env: None,
            job_errors: Vec::new(),
            last_declared: None,
            c_files: HashMap::new(),
            dynamic: dynamic::Dynamic::new(options.dynamic),
            compiling: Arc::default(),
            events_active: false,
        })
    }

    /// Keeps the C source of every unit in the work folder, and the folder itself.
    pub fn keep_c(&mut self) {
        self.keep_c = true;
        self.compiler.keep_files = true;
    }

    /// A flag that is set while a unit is being compiled (checked, turned into C and compiled
    /// into an object) and clear while it is linked and runs, for a progress display on another
    /// thread.
    pub fn compiling_flag(&self) -> Arc<std::sync::atomic::AtomicBool> {
        self.compiling.clone()
    }

    /// Compiles every unit, never taking a big unit's object from the cache of earlier runs
    /// (for measuring the C compiler).
    pub fn no_object_cache(&mut self) {
        self.compiler.object_cache = false;
    }

    /// The folder where units are compiled.
    pub fn work_dir(&self) -> &std::path::Path {
        self.compiler.work_dir()
    }

    /// The device's description from the handshake.
    pub fn device_info(&self) -> &DeviceInfo {
        self.device.info()
    }

    /// The process id of the device: the host device's runtime, or the QEMU running the target;
    /// 0 for a device on a serial port, which the session did not start.
    pub fn device_process_id(&self) -> u32 {
        self.device.process_id()
    }

    /// What the reliable link had to do since the device was last started: repetitions,
    /// damaged and repeated frames.
    pub fn link_stats(&self) -> LinkStats {
        self.device.link_stats()
    }

    /// What the injected faults did so far ([`SessionOptions::faults`]), if any are injected.
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.device.fault_stats()
    }

    /// The request that stops the running input on the device (e.g. from a Ctrl-C handler or a
    /// timer, on another thread): it ends with the run-time error `interrupted`, and everything
    /// declared before stays. A device that does not stop in time is restarted (the session
    /// starts afresh). A request made while no input runs stops the next one.
    pub fn interrupter(&self) -> Interrupter {
        self.device.interrupter().clone()
    }

    /// The target's name.
    pub fn target(&self) -> &str {
        self.port.name
    }

    /// What the session is connected to, for messages (e.g. "serial port /dev/ttyACM0 at 115200
    /// baud").
    pub fn device_description(&self) -> String {
        self.device.describe()
    }

    /// The runtime image the host links against.
    pub fn runtime_image(&self) -> &std::path::Path {
        &self.runtime.image
    }

    /// Heap use reported by the device, and code/data use known to the shadow machine.
    /// Empties the device (RESET) and forgets everything the session declared.
    pub fn reset(&mut self) -> Result<(), SessionError> {
        self.events_active = false;
        let info = self.device.reset()?;
        self.shadow = Shadow::new(memory_map(&info), self.image.clone());
        self.env = Env::new();
        self.units = UnitIndex::default();
        self.modules.clear();
        self.forget_c_files_link();
        self.dynamic.clear();
        Ok(())
    }

    /// Whether the device may have timer output or errors to fetch, as last learnt (from the
    /// end of the last input, or the last [`poll_events`](Session::poll_events)); no device
    /// traffic. True after an input that failed at run time (it may have set timers before),
    /// false after [`reset`](Session::reset) and a restart of the device. A poller calls
    /// `poll_events` while this holds.
    pub fn events_active(&self) -> bool {
        self.events_active
    }

    /// Fetches what timer callbacks printed while no input ran (passed to `out` as
    /// `(stream, bytes)`, stream 0 standard output, 1 standard error, in order) and how
    /// callbacks failed, with one EVENTS request, or more while the device says it holds more
    /// records. Cheap when nothing happened: one request and its short reply. The device answers
    /// between callbacks: while a callback runs for long, this waits (the
    /// [`interrupter`](Session::interrupter) stops that callback, which then is among the
    /// errors as `interrupted`, and the interrupter is cleared; an interrupt requested while no
    /// callback ran stays requested, for the caller to act on and clear). Updates
    /// [`events_active`](Session::events_active). When the link fails or the device is gone,
    /// the device is started afresh as after a failed input and `errors` ends with the
    /// [`Outcome::DeviceError`] that says so (everything declared before is gone).
    pub fn poll_events(&mut self, out: &mut OutputSink<'_>) -> EventPoll {
        let mut poll = EventPoll::default();
        loop {
            let report = match self.device.events() {
                Ok(report) => report,
                Err(e) => {
                    poll.errors.push(self.device_failed(e));
                    poll.active = false;
                    self.events_active = false;
                    return poll;
                }
            };
            poll.timers = u32::from(report.timers);
            poll.dropped_events = poll.dropped_events.saturating_add(report.dropped_events);
            poll.dropped_output_bytes = poll
                .dropped_output_bytes
                .saturating_add(report.dropped_bytes);
            for record in report.records {
                match record {
                    bs_protocol::EventRecord::Stdout(text) => out(0, &text),
                    bs_protocol::EventRecord::Stderr(text) => out(1, &text),
                    bs_protocol::EventRecord::Error(err) => {
                        if err.error_code() == bs_protocol::ErrorCode::Interrupted {
                            // The interrupt was carried out.
                            self.device.interrupter().clear();
                        }
                        poll.errors
                            .push(Outcome::RuntimeError(self.describe_failure(&err, &[])));
                    }
                }
            }
            poll.active = report.flags & bs_abi::EVENTS_ACTIVE != 0;
            if report.flags & bs_abi::EVENTS_MORE == 0 {
                break;
            }
        }
        self.events_active = poll.active;
        poll
    }

    /// The device's heap figures and the shadow's code and data regions. With `collect`, the
    /// device collects garbage first, so that the heap figures count live data only.
    pub fn memory(&mut self, collect: bool) -> Result<(MemInfo, bs_shadow::Usage), SessionError> {
        let info = self.device.meminfo(collect)?;
        Ok((info, self.shadow.usage()))
    }

    /// The shadow machine: the units on the device, their placements and symbols (for
    /// displays such as the notebook's memory panel).
    pub fn shadow(&self) -> &Shadow {
        &self.shadow
    }

    /// Number of names the session has declared.
    pub fn declared_names(&self) -> usize {
        self.env.len()
    }

    /// Compiles and runs one unit (a file or a REPL input) named `name`, passing its output to
    /// `out` as it arrives.
    pub fn eval(
        &mut self,
        name: &str,
        source: &str,
        out: &mut OutputSink<'_>,
    ) -> (Outcome, Timings) {
        let mut t = Timings::default();
        if let Err(e) = self.install_between_calls(false) {
            return (self.device_failed(e), t);
        }
        let unit_id = self.next_unit;
        self.next_unit += 1;
        use std::sync::atomic::Ordering;
        self.compiling.store(true, Ordering::Relaxed);
        let compiled = self.compile(unit_id, source, &mut t);
        self.compiling.store(false, Ordering::Relaxed);
        let outcome = compiled
            .and_then(|compiled| self.link_and_run(unit_id, name, source, compiled, out, &mut t))
            .err()
            .unwrap_or(Outcome::Ok);
        (outcome, t)
    }

    /// Steps 1–3 (parse and check, C generation, C compiler): everything the host does before
    /// the shadow machine or the device is touched. The stages' times go to `t` as they finish.
    fn compile(
        &mut self,
        unit_id: u32,
        source: &str,
        t: &mut Timings,
    ) -> Result<Compiled, Outcome> {
        // 1. Parse and check.
        let clock = Instant::now();
        // A bug in the compiler must not end the session: it is reported and the input dropped.
        let counters_before = self.counters;
        let env = self.job_env.as_ref().unwrap_or(&self.env);
        // Only the main module's functions are profiled.
        let options = bs_frontend::check::CheckOptions {
            profile: self
                .dynamic
                .profile()
                .filter(|_| self.job.namespace.is_none()),
        };
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            bs_frontend::check::check_unit_with(source, env, unit_id, &mut self.counters, &options)
        }))
        .map_err(|panic| {
            self.counters = counters_before;
            internal(Stage::ParseCheck, panic_message(&panic))
        })?;
        t.parse_check = clock.elapsed();
        let checked = modules::with_import_errors(checked, &self.job_errors)
            .map_err(Outcome::CompileError)?;

        // 2. C generation.
        let clock = Instant::now();
        // A string literal that a unit on the device defines already is shared, not copied.
        let shadow = &self.shadow;
        let defined = |symbol: &str| shadow.unit_symbol(symbol).is_some();
        // A large unit comes in parts that compile in parallel, one per core.
        static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        let cores = *CORES.get_or_init(|| {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_PARTS))
        });
        let (c_source, parts) =
            std::panic::catch_unwind(|| bs_cgen::emit_unit_parts(&checked.unit, &defined, cores))
                .map_err(|panic| internal(Stage::CGen, panic_message(&panic)))?;
        t.cgen = clock.elapsed();
        if self.keep_c {
            let path = self.compiler.work_dir().join(format!("unit-{unit_id}.c"));
            let _ = std::fs::write(path, &c_source);
        }

        // 3. C compiler.
        let clock = Instant::now();
        let object = if parts.is_empty() {
            self.compiler.compile(&c_source)
        } else {
            self.compiler.compile_parts(&parts)
        };
        t.cc = clock.elapsed();
        let object = object.map_err(|e| match &e {
            bs_toolchain::ToolchainError::Compile { stderr } => {
                let diags = inline_c::inline_c_errors(source, stderr);
                if diags.is_empty() {
                    internal(Stage::CCompiler, e.to_string())
                } else {
                    Outcome::CompileError(diags)
                }
            }
            _ => internal(Stage::CCompiler, e.to_string()),
        })?;
        Ok(Compiled {
            checked,
            c_source,
            object,
        })
    }

    /// Steps 4–6 (link, transfer, run) and the commit: links the unit in a transaction of the
    /// shadow machine, sends it to the device and runs it. The transaction is committed, and
    /// the unit's declarations enter the environment, only when the run finished; `Ok` is that
    /// case.
    ///
    /// The link belongs here rather than in [`Session::compile`]: its transaction borrows the
    /// shadow machine until the run decides between commit and discard.
    fn link_and_run(
        &mut self,
        unit_id: u32,
        name: &str,
        source: &str,
        compiled: Compiled,
        out: &mut OutputSink<'_>,
        t: &mut Timings,
    ) -> Result<(), Outcome> {
        let Compiled {
            checked,
            c_source,
            object,
        } = compiled;

        // 4. Link against the runtime and earlier units.
        let clock = Instant::now();
        let arch = arch_of(self.device.info());
        let mut txn = self.shadow.begin_unit(unit_id);
        let mut linked = bs_link::link_object_with(&object, arch, &mut txn);
        if let Err(bs_link::LinkError::Place(bs_link::PlaceError::RegionFull { .. })) = &linked {
            // The code optimised for speed does not fit: try it optimised for size.
            drop(txn);
            let cc = Instant::now();
            let small = self.compiler.compile_small(&c_source);
            t.cc += cc.elapsed();
            txn = self.shadow.begin_unit(unit_id);
            if let Ok(small) = small {
                linked = bs_link::link_object_with(&small, arch, &mut txn);
            }
        }
        // The unit may call the C library beyond what the device has.
        let cc = Instant::now();
        let merged = with_c_library(&mut self.compiler, &object, &linked, &txn);
        t.cc += cc.elapsed();
        if let Some(merged) = merged.map_err(|e| Outcome::LinkError(e.to_string()))? {
            drop(txn);
            txn = self.shadow.begin_unit(unit_id);
            linked = bs_link::link_object_with(&merged, arch, &mut txn);
        }
        t.link = clock.elapsed();
        let linked = linked.map_err(|e| Outcome::LinkError(inline_c::link_error_message(&e)))?;
        let entry = linked
            .symbol(&c_symbol(&checked.unit.entry_symbol))
            .ok_or_else(|| internal(Stage::Link, "the unit has no entry function".into()))?;

        // 5. Transfer: the unit's bytes travel with the CALL that runs it (step 6), in one
        // request when they fit in its frame.
        let loads: Vec<(u32, &[u8])> = linked
            .chunks
            .iter()
            .map(|chunk| (chunk.addr as u32, &chunk.bytes[..]))
            .collect();
        self.units.record(
            unit_id,
            name,
            source,
            &c_source,
            &checked.unit,
            &linked,
            Some(entry),
        );

        // The unit's profiled functions: their records may report during this very call.
        let source_text: Arc<str> = Arc::from(source);
        self.dynamic.add_unit(
            &checked.unit,
            name,
            &source_text,
            &linked,
            &c_source,
            &|s| bs_link::SymbolResolver::resolve(&txn, s),
        );

        // 6. Run, answering the device's profiles meanwhile.
        let clock = Instant::now();
        let base_env = self.job_env.as_ref().unwrap_or(&self.env);
        let mut driver = CallDriver {
            out,
            dynamic: &mut self.dynamic,
            base_env,
            checked: &checked,
            job: &self.job,
            env: None,
            counters: &mut self.counters,
            next_unit: &mut self.next_unit,
            compiler: &self.compiler,
            txn: &mut txn,
            running: &linked.symbols,
            arch,
            units: &mut self.units,
            pending: None,
            quick: Vec::new(),
            left: Vec::new(),
        };
        let result = self.device.load_and_call(&loads, entry as u32, &mut driver);
        let left = std::mem::take(&mut driver.left);
        t.run = clock.elapsed();
        match result {
            Ok(CallOutcome::Finished { micros }) => {
                self.events_active = self.device.last_result_flags()
                    & (bs_abi::EVENTS_ACTIVE | bs_abi::EVENTS_WAITING)
                    != 0;
                t.device_run = Duration::from_micros(micros as u64);
                let record = bs_shadow::UnitRecord {
                    id: unit_id,
                    name: name.to_string(),
                    source: source.to_string(),
                    symbols: linked.symbols.clone(),
                    entry: Some(entry),
                };
                txn.commit(record)
                    .map_err(|e| internal(Stage::Run, e.to_string()))?;
                for copy in self.dynamic.commit_unit(&checked.unit) {
                    self.free_unit(copy);
                }
                self.reclaim(unit_id, &checked.unit, &linked, true);
                self.declare(checked);
                // What the device did not take during the call is installed now.
                self.install_after_call(left)
                    .map_err(|e| self.device_failed(e))?;
                Ok(())
            }
            Ok(CallOutcome::Failed(err)) => {
                // Timers the unit set before it failed may run, and callbacks that ran inside
                // it may have failed: the next poll tells.
                self.events_active = true;
                self.dynamic.drop_unit(unit_id);
                // The unit's bytes stay where they are (the device may still point into them),
                // but none of its declarations survive, and redefined functions get their
                // previous bodies back.
                // Its string literals stay (see `lasting_data`) and are named after their
                // content: later units use them rather than copies of their own.
                let literals = linked
                    .symbols
                    .iter()
                    .filter(|(name, _)| bs_cgen::is_literal_symbol(name))
                    .cloned()
                    .collect();
                txn.keep_memory_and_symbols(literals);
                let mut failure = self.runtime_failure(&checked.unit, &err);
                if self.array_classes_registered(&err) {
                    // The device knows the unit's array types now: later units use the same
                    // ids (whose descriptors stay) instead of registering them again.
                    // (A module's under the qualified names of its classes, like its commit.)
                    let renamed = self
                        .job
                        .namespace
                        .as_deref()
                        .map(|ns| modules::Renamer::of(ns, &checked.declared));
                    for (id, ty, _) in &checked.unit.array_classes {
                        let ty = renamed.as_ref().map_or_else(|| ty.clone(), |r| r.ty(ty));
                        self.env.insert_array_class(ty, *id);
                    }
                }
                if let (Outcome::RuntimeError(f), Some(limit)) =
                    (&mut failure, self.device.timed_out())
                {
                    f.message.push_str(&format!(
                        " (timed out: it ran longer than {})",
                        seconds(limit)
                    ));
                }
                if matches!(failure, Outcome::RuntimeError(_)) {
                    // The slots point at the previous bodies again.
                    self.reclaim(unit_id, &checked.unit, &linked, false);
                    if let Err(e) = self.install_after_call(left) {
                        return Err(self.device_failed(e));
                    }
                }
                Err(failure)
            }
            Err(e) => {
                drop(txn);
                Err(self.device_failed(e))
            }
        }
    }

    /// Frees what no one can use any more once unit `unit_id` has run (`committed`: it ran to
    /// the end; otherwise it failed and its declarations never took effect), for a unit whose
    /// code only function slots can reach ([`bs_frontend::ir::Unit::code_is_reclaimable`]):
    /// its code and the data only its code used when it defines no function that is in use
    /// (and, if it failed, its variables too); and the same of earlier such units all of
    /// whose functions this unit redefined.
    fn reclaim(
        &mut self,
        unit_id: u32,
        unit: &bs_frontend::ir::Unit,
        linked: &bs_link::LinkedUnit,
        committed: bool,
    ) {
        let mut free: Vec<(u32, Vec<AddressRange>)> = Vec::new();
        if committed {
            for f in &unit.functions {
                let Some(old) = self
                    .units
                    .body_unit
                    .insert(c_symbol(&f.slot_symbol), unit_id)
                else {
                    continue;
                };
                let superseded = self.units.reclaimable.get(&old).is_some_and(|(names, _)| {
                    names
                        .iter()
                        .all(|n| self.units.body_unit.get(n) != Some(&old))
                });
                if superseded {
                    if let Some((_, data)) = self.units.reclaimable.remove(&old) {
                        free.push((old, data));
                    }
                }
            }
        }
        if unit.code_is_reclaimable() {
            let data = lasting_data(unit, linked, !committed);
            if committed && !unit.functions.is_empty() {
                let names = unit
                    .functions
                    .iter()
                    .map(|f| c_symbol(&f.slot_symbol))
                    .collect();
                self.units.reclaimable.insert(unit_id, (names, data));
            } else {
                free.push((unit_id, data));
            }
        }
        for (id, data) in free {
            self.shadow.release_code(id);
            self.shadow.release_data(id, &data);
            self.shadow.retire(id);
            self.units.forget_code(id);
        }
    }

    /// Frees a unit that nothing can run any more (a specialised copy of a function that was
    /// redefined).
    fn free_unit(&mut self, id: u32) {
        self.shadow.release_code(id);
        self.shadow.release_data(id, &[]);
        self.shadow.retire(id);
        self.units.forget_code(id);
    }

    /// Installs what the dynamic compiler has ready between two calls: the patches the device
    /// did not take during the last call, the copies linked for it, and copies whose compiler
    /// finished since (with `wait`, every copy still compiling).
    fn install_after_call(&mut self, left: Vec<bs_transport::Patch>) -> Result<(), SessionError> {
        for unit in std::mem::take(&mut self.dynamic.discarded) {
            self.free_unit(unit);
        }
        for patch in &left {
            self.apply_patch(patch)?;
        }
        for copy in std::mem::take(&mut self.dynamic.after_call) {
            self.install_copy(copy)?;
        }
        self.install_between_calls(false)
    }

    /// Links and installs the copies whose compiler has finished (with `wait`, all of them).
    fn install_between_calls(&mut self, wait: bool) -> Result<(), SessionError> {
        let arch = arch_of(self.device.info());
        while let Some(job) = self.dynamic.next_ready(wait, &self.compiler) {
            let mut txn = self.shadow.begin_unit(job.unit_id);
            let result = {
                let mut env = dynamic::Running {
                    txn: &mut txn,
                    symbols: &[],
                };
                self.dynamic.link_job(job, arch, &mut env)
            };
            match result {
                None => drop(txn),
                Some(Err(patch)) => {
                    drop(txn);
                    self.apply_patch(&patch)?;
                }
                Some(Ok(copy)) => {
                    let record = copy_record(&copy);
                    if txn.commit(record).is_ok() {
                        self.install_copy(copy)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends a copy that is placed (its unit committed in the shadow machine) and points its
    /// function's slot at its guard, unless the slot changed meanwhile.
    fn install_copy(&mut self, copy: dynamic::Linked) -> Result<(), SessionError> {
        if self.apply_patch(&copy.patch)? {
            self.dynamic.installed(&copy, false);
            record_copy(&mut self.units, &copy);
        } else {
            self.dynamic.not_installed(&copy);
            self.free_unit(copy.unit_id);
        }
        Ok(())
    }

    fn apply_patch(&mut self, patch: &bs_transport::Patch) -> Result<bool, SessionError> {
        for (addr, bytes) in &patch.loads {
            self.device.load(*addr, bytes)?;
        }
        self.apply_swaps(patch)
    }

    /// Whether every swap of `patch` found what it expected.
    fn apply_swaps(&mut self, patch: &bs_transport::Patch) -> Result<bool, SessionError> {
        let mut all = true;
        for swap in &patch.swaps {
            all &= matches!(self.device.swap(swap)?, bs_transport::SwapResult::Swapped);
        }
        Ok(all)
    }

    /// What the dynamic compiler did so far (`.jit`, `--jit-report`): every profiled
    /// definition and its specialised copies, with the guards' failure counts read from the
    /// device. Copies still compiling are waited for and installed first.
    pub fn jit_report(&mut self) -> Result<Vec<JitEntry>, SessionError> {
        self.install_between_calls(true)?;
        let device = &mut self.device;
        Ok(self.dynamic.report_entries(&mut |addr| {
            let bytes = device.peek(addr as u32, 4).ok()?;
            Some(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
        }))
    }

    /// Whether a unit that failed with `err` got past its first lines, which register its
    /// array types on the device: every error but an interrupt comes from a statement, and an
    /// interrupt counts when the code it stopped (or the innermost call into the runtime) is a
    /// statement's. An interrupt that came before them, or where the device could not say,
    /// does not count.
    fn array_classes_registered(&self, err: &bs_protocol::DeviceError) -> bool {
        if bs_protocol::ErrorCode::from_u16(err.code) != bs_protocol::ErrorCode::Interrupted {
            return true;
        }
        outcome::code_address(err).is_some_and(|addr| self.units.statement_at(addr).is_some())
    }

    /// The commit's other half: the names a unit that ran declared enter the environment (a
    /// module's variables and functions stay with the module).
    fn declare(&mut self, checked: bs_frontend::Checked) {
        self.last_declared = Some(modules::commit(&mut self.env, &checked, &self.job));
    }

    /// A unit that failed on the device: its redefined functions get their previous bodies
    /// back, and the failure is described (naming the unit's own classes and array types, which
    /// are not in the environment).
    fn runtime_failure(
        &mut self,
        unit: &bs_frontend::ir::Unit,
        err: &bs_protocol::DeviceError,
    ) -> Outcome {
        let restore = self.restore_slots(unit);
        let mut unit_classes: Vec<(u32, String)> = unit
            .classes
            .iter()
            .map(|c| (c.info.id, c.info.name.clone()))
            .collect();
        unit_classes.extend(
            unit.names
                .iter()
                .map(|(n, id)| (outcome::PROPERTY_NAME_BASE + *id, n.clone())),
        );
        unit_classes.extend(
            unit.array_classes
                .iter()
                .map(|(id, ty, _)| (*id, ty.to_string())),
        );
        let failure = self.describe_failure(err, &unit_classes);
        if let Err(e) = restore {
            return self.device_failed(e);
        }
        Outcome::RuntimeError(failure)
    }

    /// Compiles and runs a program file, after the modules it imports (each once per session,
    /// depth first, in import order). Imports are resolved as [`ModuleRoots`] says. Every file
    /// is read once.
    pub fn eval_file(
        &mut self,
        path: &std::path::Path,
        roots: &ModuleRoots,
        out: &mut OutputSink<'_>,
    ) -> (Outcome, Timings) {
        let name = path.display().to_string();
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                return (
                    Outcome::Internal {
                        stage: Stage::ParseCheck,
                        message: format!("cannot read {name}: {e}"),
                    },
                    Timings::default(),
                );
            }
        };
        self.eval_program(&name, &source, Some(path), roots, out)
    }

    /// Compiles and runs a unit of the main module whose text the caller has read already
    /// (a program, or a REPL input), named `name` in messages, after the modules it imports
    /// that the session has not loaded yet: the text of the file `path`, or of standard input
    /// or the REPL when `path` is `None`. Its relative imports are resolved from the file's
    /// folder (else the working folder) and must stay inside `roots.src_dir`; other imports
    /// name packages of `roots`.
    pub fn eval_program(
        &mut self,
        name: &str,
        source: &str,
        path: Option<&std::path::Path>,
        roots: &ModuleRoots,
        out: &mut OutputSink<'_>,
    ) -> (Outcome, Timings) {
        let mut c_time = Timings::default();
        if let Err(outcome) = self.link_c_files(&roots.c_dirs, "the project's C files", &mut c_time)
        {
            return (outcome, c_time);
        }
        let (outcome, t, _) = modules::load_program(self, name, source, path, roots, out);
        (outcome, t.add(&c_time))
    }

    /// Makes sure the project's C files (the `.c` files under `dirs`) are linked into the
    /// device's session: compiled and merged the first time (once per session; again later
    /// only if they failed to compile), linked again after the device was restarted or reset.
    /// The stages' times go to `t`.
    fn link_c_files(
        &mut self,
        dirs: &[PathBuf],
        what: &str,
        t: &mut Timings,
    ) -> Result<(), Outcome> {
        if !self.c_files.contains_key(dirs) {
            if dirs.is_empty() {
                return Ok(());
            }
            let clock = Instant::now();
            let compiled = self.compile_c_files(dirs);
            t.cc += clock.elapsed();
            self.c_files.insert(dirs.to_vec(), compiled?);
        }
        let Some(files) = self.c_files.get(dirs) else {
            return Ok(());
        };
        if files.linked {
            return Ok(());
        }
        let Some(object) = files.object.clone() else {
            return Ok(());
        };
        let clock = Instant::now();
        let unit_id = self.next_unit;
        self.next_unit += 1;
        let arch = arch_of(self.device.info());
        let mut txn = self.shadow.begin_unit(unit_id);
        let mut linked = bs_link::link_object_with(&object, arch, &mut txn);
        // The C files may call the C library beyond what the device has.
        let merged = with_c_library(&mut self.compiler, &object, &linked, &txn)
            .map_err(|e| Outcome::LinkError(format!("{what}: {e}")))?;
        if let Some(merged) = merged {
            drop(txn);
            txn = self.shadow.begin_unit(unit_id);
            linked = bs_link::link_object_with(&merged, arch, &mut txn);
        }
        t.link += clock.elapsed();
        let linked = linked.map_err(|e| {
            Outcome::LinkError(format!("{what}: {}", inline_c::link_error_message(&e)))
        })?;
        let clock = Instant::now();
        let loaded = linked
            .chunks
            .iter()
            .try_for_each(|chunk| self.device.load(chunk.addr as u32, &chunk.bytes));
        t.transfer += clock.elapsed();
        if let Err(e) = loaded {
            drop(txn);
            return Err(self.device_failed(e));
        }
        let record = bs_shadow::UnitRecord {
            id: unit_id,
            name: what.to_string(),
            source: String::new(),
            symbols: linked.symbols.clone(),
            entry: None,
        };
        txn.commit(record)
            .map_err(|e| internal(Stage::Link, e.to_string()))?;
        if let Some(files) = self.c_files.get_mut(dirs) {
            files.linked = true;
        }
        Ok(())
    }

    /// Compiles the `.c` files under `dirs` and merges their objects into one; a file named
    /// `bs_*.c`, or one the C compiler rejects, is reported as a compile error in that file.
    fn compile_c_files(&mut self, dirs: &[PathBuf]) -> Result<c_files::CFiles, Outcome> {
        let files = c_files::find(dirs, self.target());
        if let Some(refusal) = files.iter().find_map(c_files::reserved_name) {
            return Err(refusal);
        }
        let mut objects = Vec::new();
        for (i, file) in files.iter().enumerate() {
            match self.compiler.compile_c_file(&file.absolute, i) {
                Ok(object) => objects.push(object),
                Err(bs_toolchain::ToolchainError::CFile { stderr, .. }) => {
                    return Err(c_files::compile_errors(file, &stderr));
                }
                Err(e) => return Err(internal(Stage::CCompiler, e.to_string())),
            }
        }
        let object = if objects.is_empty() {
            None
        } else {
            Some(
                self.compiler
                    .merge_objects(&objects)
                    .map_err(|e| Outcome::LinkError(e.to_string()))?,
            )
        };
        Ok(c_files::CFiles {
            object,
            linked: false,
        })
    }

    /// The device's session started afresh: the project's C files are linked again before the
    /// next input.
    fn forget_c_files_link(&mut self) {
        for files in self.c_files.values_mut() {
            files.linked = false;
        }
    }

    /// Points every slot that `unit` redefined back at the body it had before.
    fn restore_slots(&mut self, unit: &bs_frontend::ir::Unit) -> Result<(), SessionError> {
        let ptr_size = self.device.info().ptr_size as usize;
        for f in unit.functions.iter().filter(|f| f.redefines) {
            let Some(Global::Func { body, .. }) = self.env.get(&f.name) else {
                continue;
            };
            let slot_name = c_symbol(&f.slot_symbol);
            let (Some(slot), Some(old)) = (
                self.shadow.symbol(&slot_name),
                self.dynamic
                    .slot_value(&slot_name)
                    .or_else(|| self.shadow.symbol(&c_symbol(body))),
            ) else {
                continue;
            };
            let bytes = old.to_le_bytes();
            self.device.load(slot as u32, &bytes[..ptr_size])?;
        }
        Ok(())
    }

    fn describe_failure(
        &self,
        err: &bs_protocol::DeviceError,
        unit_classes: &[(u32, String)],
    ) -> RuntimeFailure {
        let class_name = |id: u32| {
            unit_classes
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, n)| n.clone())
                .or_else(|| self.class_name(id))
        };
        let mut message = outcome::runtime_message(err, &class_name);
        if bs_protocol::ErrorCode::from_u16(err.code) == bs_protocol::ErrorCode::NoPin {
            message.push_str(&format!(" on {}", self.target()));
        }
        let located = |unit: &u32, span: &Span| {
            let src = self.units.sources.get(unit)?;
            let lc = line_col(&src.text, span.start);
            Some(Location {
                file: src.name.clone(),
                source: src.text.clone(),
                span: *span,
                line: lc.line,
                column: lc.column,
            })
        };
        let mut location = self
            .units
            .sites
            .get(&err.site)
            .and_then(|(unit, span)| located(unit, span));
        let mut label = "this check failed";
        // An error in compiled code without a site (a fault, memory exhausted) carries a code
        // address: the statement there, and the function it is in.
        let code_address = outcome::code_address(err).filter(|_| location.is_none());
        if let Some(addr) = code_address {
            if let Some((unit, span, c_function)) = self.units.statement_at(addr) {
                location = located(&unit, &span);
                label = "here";
                let function = self
                    .units
                    .functions
                    .iter()
                    .find(|(symbol, _)| c_function == Some(c_symbol(symbol).as_str()));
                if let Some((_, (_, name, _))) = function.filter(|(_, (_, n, _))| !n.is_empty()) {
                    message.push_str(&format!(" in function '{name}'"));
                }
            }
        }
        if let Some(addr) = code_address.filter(|_| location.is_none()) {
            // No statement: name the function it happened in.
            // Thumb function symbols have their low bit set; a program counter at a function's
            // first instruction is that symbol's address less one.
            let mut pc = addr;
            if arch_of(self.device.info()) == Arch::Thumb2 {
                pc |= 1;
            }
            if let Some((_, symbol)) = self.units.code_symbols.range(..=pc).next_back() {
                match self.units.functions.get(symbol) {
                    // The unit's top-level code.
                    Some((unit, name, _)) if name.is_empty() => {
                        let file = self
                            .units
                            .sources
                            .get(unit)
                            .map_or("the input", |s| s.name.as_str());
                        message.push_str(&format!(" in the top-level code of {file}"));
                    }
                    Some((unit, name, span)) => {
                        message.push_str(&format!(" in function '{name}'"));
                        location = located(unit, span);
                        label = "in this function";
                    }
                    None if matches!(symbol, Symbol::Arrow { .. }) => {
                        message.push_str(" in an arrow function")
                    }
                    None => {}
                }
            }
        }
        RuntimeFailure {
            message,
            label,
            code: err.code,
            location,
        }
    }

    /// A link failure or a dead device: report it, start the device afresh, and forget
    /// everything the session had declared (it is gone from the device).
    fn device_failed(&mut self, error: SessionError) -> Outcome {
        // A device that refused a request as not authenticated is well and keeps its session;
        // starting it again would not change its mind.
        if matches!(error, SessionError::Link(LinkError::Unauthorized { .. })) {
            return Outcome::DeviceError {
                message: error.to_string(),
                restarted: false,
            };
        }
        // A device that was reset still runs: a new session with it is enough.
        let was_reset = matches!(error, SessionError::Link(LinkError::DeviceReset { .. }));
        let fresh = if was_reset {
            self.device.resume()
        } else {
            self.device.restart()
        };
        let restarted = match fresh {
            Ok(info) => {
                self.events_active = false;
                self.shadow = Shadow::new(memory_map(&info), self.image.clone());
                self.env = Env::new();
                self.units = UnitIndex::default();
                self.modules.clear();
                self.forget_c_files_link();
                self.dynamic.clear();
                true
            }
            Err(restart_error @ SessionError::NoRestart { .. }) => {
                return Outcome::DeviceError {
                    message: format!("{error}\n{restart_error}"),
                    restarted: false,
                };
            }
            Err(_) => false,
        };
        Outcome::DeviceError {
            message: error.to_string(),
            restarted,
        }
    }
}

impl modules::UnitHost for Session {
    fn modules(&mut self) -> &mut modules::ModuleTable {
        &mut self.modules
    }

    fn unit(
        &mut self,
        name: &str,
        source: &str,
        job: modules::UnitJob,
        out: &mut OutputSink<'_>,
    ) -> (Outcome, Timings, Option<bs_frontend::ModuleInfo>) {
        let (env, errors) = modules::unit_env(&self.env, &job, &modules::import_spans(source));
        self.job = job;
        self.job_env = env;
        self.job_errors = errors;
        self.last_declared = None;
        // Quoted includes of its inline C are relative to the file's folder.
        self.compiler
            .set_source_dir(self.job.dir.clone().as_deref());
        let (outcome, t) = self.eval(name, source, out);
        self.compiler.set_source_dir(None);
        self.job = modules::UnitJob::default();
        self.job_env = None;
        self.job_errors.clear();
        (outcome, t, self.last_declared.take())
    }

    fn link_package_c(&mut self, name: &str, dir: &std::path::Path) -> Result<Timings, Outcome> {
        let mut t = Timings::default();
        let what = format!("the C files of package {name}");
        self.link_c_files(&[dir.to_path_buf()], &what, &mut t)?;
        Ok(t)
    }
}

impl Session {
    /// The name of a program class or array type by its class id.
    fn class_name(&self, id: u32) -> Option<String> {
        if id >= outcome::PROPERTY_NAME_BASE {
            let id = id - outcome::PROPERTY_NAME_BASE;
            return bs_abi::BuiltinName::from_code(id)
                .map(|n| n.description().to_string())
                .or_else(|| self.env.name_of(id));
        }
        // A module's class is qualified in the environment; users know it by its own name.
        self.env
            .class_name(id)
            .map(|n| n.rsplit(':').next().unwrap_or(&n).to_string())
    }
}

/// The most parts a large unit's C is split into, to compile in parallel (fewer when the host
/// has fewer cores).
const MAX_PARTS: usize = 4;

/// A failure of the host's own machinery at `stage`.
fn internal(stage: Stage, message: String) -> Outcome {
    Outcome::Internal { stage, message }
}

/// The text of a caught panic.
fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}

/// A duration in seconds, as a person would write it ("1 s", "2.5 s").
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

fn memory_map(info: &DeviceInfo) -> MemoryMap {
    let r = |r: &bs_protocol::Region| Region {
        base: r.base as u64,
        size: r.size as u64,
    };
    MemoryMap {
        code: r(&info.code),
        data: r(&info.data),
        heap: r(&info.heap),
    }
}

/// When `linked` left symbols undefined: `object` with the members of the C library that define
/// them merged in (libraries.rs in bs-toolchain), to be linked again; `None` when there is
/// nothing to merge.
fn with_c_library(
    compiler: &mut UnitCompiler,
    object: &[u8],
    linked: &Result<bs_link::LinkedUnit, bs_link::LinkError>,
    txn: &bs_shadow::UnitTxn<'_>,
) -> Result<Option<Vec<u8>>, bs_toolchain::ToolchainError> {
    let Err(bs_link::LinkError::Undefined { symbols }) = linked else {
        return Ok(None);
    };
    let needed: Vec<String> = symbols.iter().map(|s| s.symbol.clone()).collect();
    compiler.with_libraries(object, &needed, &|name| {
        bs_link::SymbolResolver::resolve(txn, name).is_some()
    })
}

fn arch_of(info: &DeviceInfo) -> Arch {
    match info.arch {
        bs_protocol::Arch::Thumb2 => Arch::Thumb2,
        _ => Arch::X86_64,
    }
}

/// Turns compile diagnostics into the located form used for reporting.
pub fn locate(file: &str, source: &str, d: &Diagnostic) -> Location {
    let lc = line_col(source, d.span.start);
    Location {
        file: file.to_string(),
        source: source.to_string(),
        span: d.span,
        line: lc.line,
        column: lc.column,
    }
}

/// A specialised copy that is installed, in the index that maps run-time errors to source (its
/// sites point into its function's unit's source).
fn record_copy(units: &mut UnitIndex, copy: &dynamic::Linked) {
    units.record(
        copy.unit_id,
        &copy.unit_name,
        &copy.source,
        &copy.c_source,
        &copy.unit,
        &copy.linked,
        None,
    );
}

/// The shadow machine's record of a specialised copy's unit.
fn copy_record(copy: &dynamic::Linked) -> bs_shadow::UnitRecord {
    bs_shadow::UnitRecord {
        id: copy.unit_id,
        name: copy.unit_name.clone(),
        source: String::new(),
        symbols: copy.linked.symbols.clone(),
        entry: None,
    }
}

/// What the device asks and is given while a unit's call runs: its output goes to the sink,
/// its profiles to the dynamic compiler, whose copies are linked (each a unit of its own,
/// placed while the running unit's transaction is open) and handed to the device as patches.
struct CallDriver<'a, 'b, 'o> {
    out: &'a mut OutputSink<'o>,
    dynamic: &'a mut dynamic::Dynamic,
    base_env: &'a Env,
    checked: &'a bs_frontend::Checked,
    job: &'a modules::UnitJob,
    /// The environment with the running unit's declarations, made at the first profile.
    env: Option<Env>,
    counters: &'a mut bs_frontend::Counters,
    next_unit: &'a mut u32,
    compiler: &'a UnitCompiler,
    txn: &'a mut bs_shadow::UnitTxn<'b>,
    running: &'a [(String, u64)],
    arch: Arch,
    units: &'a mut UnitIndex,
    /// The patch the device has now.
    pending: Option<Pending>,
    /// Patches that only put a generic body back, waiting for their turn.
    quick: Vec<bs_transport::Patch>,
    /// Patches the device did not take before the call ended.
    left: Vec<bs_transport::Patch>,
}

enum Pending {
    Quick,
    Copy(Box<dynamic::Linked>),
}

impl bs_transport::CallEvents for CallDriver<'_, '_, '_> {
    fn output(&mut self, stream: u8, text: &[u8]) {
        (self.out)(stream, text);
    }

    fn profile(&mut self, report: bs_transport::ProfileReport) {
        let env = self.env.get_or_insert_with(|| {
            let mut env = self.base_env.clone();
            modules::commit(&mut env, self.checked, self.job);
            env
        });
        let mut cx = dynamic::Context {
            env,
            counters: self.counters,
            next_unit: self.next_unit,
            compiler: self.compiler,
        };
        if let Some(patch) = self.dynamic.report(&report, &mut cx) {
            self.quick.push(patch);
        }
    }

    fn patch(&mut self) -> Option<bs_transport::Patch> {
        if self.pending.is_some() {
            return None;
        }
        if let Some(patch) = self.quick.pop() {
            self.pending = Some(Pending::Quick);
            return Some(patch);
        }
        let job = self.dynamic.next_ready(false, self.compiler)?;
        let mut nested = self.txn.nested(job.unit_id);
        let result = {
            let mut env = dynamic::Running {
                txn: &mut nested,
                symbols: self.running,
            };
            self.dynamic.link_job(job, self.arch, &mut env)
        };
        match result? {
            Err(patch) => {
                drop(nested);
                self.pending = Some(Pending::Quick);
                Some(patch)
            }
            Ok(copy) => {
                nested.commit(copy_record(&copy)).ok()?;
                let patch = copy.patch.clone();
                self.pending = Some(Pending::Copy(Box::new(copy)));
                Some(patch)
            }
        }
    }

    fn patched(&mut self, patch: bs_transport::Patch, result: bs_transport::PatchResult) {
        use bs_transport::{PatchResult, SwapResult};
        match (self.pending.take(), result) {
            (Some(Pending::Copy(copy)), PatchResult::Installed(swaps)) => {
                if swaps.iter().all(|s| matches!(s, SwapResult::Swapped)) {
                    self.dynamic.installed(&copy, true);
                    record_copy(self.units, &copy);
                } else {
                    self.dynamic.not_installed(&copy);
                    self.dynamic.discarded.push(copy.unit_id);
                }
            }
            (Some(Pending::Copy(copy)), PatchResult::NotInstalled) => {
                // Its unit is placed already: only the bytes and the swap remain.
                self.dynamic.after_call.push(*copy);
            }
            (_, PatchResult::NotInstalled) => self.left.push(patch),
            (_, PatchResult::Installed(_)) => {}
        }
    }
}
