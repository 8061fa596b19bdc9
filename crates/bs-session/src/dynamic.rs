//! The host's half of the dynamic compiler (`docs/dynamic.md`): it keeps the profiled
//! definitions of the main module, answers the device's PROFILE reports by checking and compiling
//! a copy of the function specialised to the observed types (the C compiler runs on a thread of
//! its own while the device goes on), and installs the copy's guard in the function's slot: in
//! the middle of the running call when the device reaches a profiled call (PATCH), else right
//! after the call.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bs_cgen::c_symbol;
use bs_frontend::check::ProfileThresholds;
use bs_frontend::{Env, Symbol, Type};
use bs_link::{Arch, LinkedUnit, PlaceError, Placer, RegionKind, SymbolResolver};
use bs_toolchain::{BackgroundCompile, UnitCompiler};
use bs_transport::{Patch, ProfileReport, Swap};

/// How the dynamic compiler works, or whether at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DynamicOptions {
    /// Profile untyped functions and specialise them (`--no-dynamic` turns it off: the code is
    /// then generated exactly as without a dynamic compiler).
    pub enabled: bool,
    /// When the device reports a signature.
    pub thresholds: ProfileThresholds,
    /// Compile specialised copies. Without it every report turns the function back to its
    /// generic body: what profiling alone costs.
    pub specialise: bool,
    /// Guard failures after which a specialised function is profiled again (the failing calls
    /// only), for a further copy.
    pub reprofile_after: u32,
    /// Specialised copies per definition at most.
    pub max_versions: u32,
}

impl Default for DynamicOptions {
    fn default() -> Self {
        DynamicOptions {
            enabled: true,
            thresholds: ProfileThresholds::default(),
            specialise: true,
            reprofile_after: 64,
            max_versions: 2,
        }
    }
}

impl DynamicOptions {
    /// The dynamic compiler off.
    pub fn off() -> DynamicOptions {
        DynamicOptions {
            enabled: false,
            ..DynamicOptions::default()
        }
    }
}

/// What became of one profiled definition, for `.jit` and `--jit-report`.
#[derive(Clone, Debug)]
pub struct JitEntry {
    /// The function's name.
    pub function: String,
    /// The input or file that defined it.
    pub defined_in: String,
    /// Where it stands now.
    pub state: String,
    /// Its specialised copies, oldest first.
    pub versions: Vec<JitVersion>,
}

/// One specialised copy.
#[derive(Clone, Debug)]
pub struct JitVersion {
    /// 1, 2, …
    pub version: u32,
    /// The parameter types it was compiled for, e.g. `(a: integer, b: float[])`.
    pub signature: String,
    /// When it was installed, from the start of the session.
    pub installed_at: Duration,
    /// Installed while the device ran the call that profiled it (else after that call).
    pub during_call: bool,
    /// Calls whose arguments failed its guard (read from the device; `None` when it could not
    /// be read).
    pub guard_failures: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Profiling,
    Compiling,
    Specialised,
    /// Back on its generic body, and why.
    Generic(String),
    /// A later definition replaced it.
    Redefined,
    /// The input that defined it stopped with an error, so the definition never took effect.
    Failed,
}

struct Version {
    number: u32,
    signature: String,
    guard: u64,
    failures: u64,
    installed_at: Duration,
    during_call: bool,
    /// The copy's unit, freed with the definition.
    own_unit: u32,
}

/// A definition of a profiled function, found by its profile record's address.
struct Profiled {
    name: String,
    unit: u32,
    unit_name: String,
    source: Arc<str>,
    untyped: Vec<usize>,
    params: usize,
    /// Its own unit calls it (directly, so that the C compiler may inline its generic body).
    called_in_own_unit: bool,
    thresholds: ProfileThresholds,
    slot: u64,
    wrapper: u64,
    body: u64,
    record: u64,
    state: State,
    versions: Vec<Version>,
}

impl Profiled {
    /// The address the slot holds now.
    fn slot_value(&self) -> u64 {
        match self.state {
            State::Generic(_) => self.body,
            _ => self.versions.last().map_or(self.wrapper, |v| v.guard),
        }
    }

    /// No (further) copy for this definition, because of `why`. Without a copy, the patch that
    /// puts the generic body back in the slot; with one, the copy stays in place (the calls its
    /// guard turns away go to the generic body through the profiling wrapper, whose record
    /// stays quiet now) and there is nothing to patch.
    fn give_up(&mut self, why: String) -> Option<Patch> {
        if !self.versions.is_empty() {
            self.state = State::Specialised;
            return None;
        }
        let from = self.slot_value();
        self.state = State::Generic(why);
        Some(Patch {
            loads: Vec::new(),
            swaps: vec![Swap {
                addr: self.slot as u32,
                expected: from as u32,
                new: self.body as u32,
            }],
        })
    }

    /// The symbol a new copy's guard falls back to: the newest guard, or the profiling
    /// wrapper (whose record, reset, then profiles the calls that fail the guard).
    fn fallback(&self) -> Symbol {
        match self.versions.last() {
            Some(v) => Symbol::Guard {
                name: self.name.clone(),
                unit: self.unit,
                version: v.number,
            },
            None => Symbol::ProfileWrapper {
                name: self.name.clone(),
                unit: self.unit,
            },
        }
    }
}

/// A copy on its way: compiling, or compiled and waiting to be linked.
pub(crate) struct Job {
    record: u64,
    version: u32,
    pub(crate) unit_id: u32,
    signature: String,
    unit: bs_frontend::ir::Unit,
    c_source: String,
    compile: Option<BackgroundCompile>,
}

/// A copy linked and sent (or to be sent): what to remember once it is installed.
pub(crate) struct Linked {
    record: u64,
    version: u32,
    pub(crate) unit_id: u32,
    /// Its function's unit's name and source, which its run-time errors point into.
    pub(crate) unit_name: String,
    pub(crate) source: Arc<str>,
    signature: String,
    guard: u64,
    failures: u64,
    pub(crate) unit: bs_frontend::ir::Unit,
    pub(crate) c_source: String,
    pub(crate) linked: LinkedUnit,
    pub(crate) patch: Patch,
}

/// The dynamic compiler's state in a session.
pub(crate) struct Dynamic {
    pub(crate) options: DynamicOptions,
    started: Instant,
    functions: HashMap<u64, Profiled>,
    /// Slot (C name) → record of the definition it belongs to now.
    by_slot: HashMap<String, u64>,
    /// Symbols of the copies on the device (guards, copies, failure counters), which later
    /// copies link against.
    pub(crate) symbols: HashMap<String, u64>,
    jobs: Vec<Job>,
    /// Linked copies the device did not install during the call: installed after it.
    pub(crate) after_call: Vec<Linked>,
    /// Units of copies the device loaded during a call but did not swap in (their slot had
    /// changed): nothing points at them, and they are freed after the call.
    pub(crate) discarded: Vec<u32>,
}

/// What a report needs from the session to check and compile a copy.
pub(crate) struct Context<'a> {
    pub env: &'a Env,
    pub counters: &'a mut bs_frontend::Counters,
    pub next_unit: &'a mut u32,
    pub compiler: &'a UnitCompiler,
}

impl Dynamic {
    pub(crate) fn new(options: DynamicOptions) -> Dynamic {
        Dynamic {
            options,
            started: Instant::now(),
            functions: HashMap::new(),
            by_slot: HashMap::new(),
            symbols: HashMap::new(),
            jobs: Vec::new(),
            after_call: Vec::new(),
            discarded: Vec::new(),
        }
    }

    /// Forgets everything (the device was reset or restarted).
    pub(crate) fn clear(&mut self) {
        let options = self.options;
        let started = self.started;
        *self = Dynamic::new(options);
        self.started = started;
    }

    /// The thresholds a unit is checked with: `None` when nothing is profiled.
    pub(crate) fn profile(&self) -> Option<ProfileThresholds> {
        self.options.enabled.then_some(self.options.thresholds)
    }

    /// Learns the profiled definitions of a unit that was linked (before it runs: its records
    /// may report during its own call).
    pub(crate) fn add_unit(
        &mut self,
        unit: &bs_frontend::ir::Unit,
        unit_name: &str,
        source: &Arc<str>,
        linked: &LinkedUnit,
        c_source: &str,
        resolve: &dyn Fn(&str) -> Option<u64>,
    ) {
        for f in &unit.functions {
            let Some(profile) = &f.profile else { continue };
            let find = |s: &Symbol| {
                let name = c_symbol(s);
                linked.symbol(&name).or_else(|| resolve(&name))
            };
            let (Some(slot), Some(wrapper), Some(body), Some(record)) = (
                find(&f.slot_symbol),
                find(&profile.wrapper),
                find(&f.body_symbol),
                find(&profile.record),
            ) else {
                continue;
            };
            self.functions.insert(
                record,
                Profiled {
                    name: f.name.clone(),
                    unit: unit.id,
                    unit_name: unit_name.to_string(),
                    source: Arc::clone(source),
                    untyped: profile.untyped.clone(),
                    params: f.sig.params.len(),
                    called_in_own_unit: c_source.contains(&format!(
                        "{} == {}",
                        c_symbol(&f.slot_symbol),
                        c_symbol(&f.body_symbol)
                    )),
                    thresholds: profile.thresholds,
                    slot,
                    wrapper,
                    body,
                    record,
                    state: State::Profiling,
                    versions: Vec::new(),
                },
            );
        }
    }

    /// The unit that defined these functions ran to its end: its definitions replace earlier
    /// ones of the same names. Returns the units of earlier definitions' copies, which nothing
    /// can run any more.
    pub(crate) fn commit_unit(&mut self, unit: &bs_frontend::ir::Unit) -> Vec<u32> {
        let mut free = Vec::new();
        for f in &unit.functions {
            let slot = c_symbol(&f.slot_symbol);
            if let Some(old) = self.by_slot.remove(&slot) {
                if let Some(p) = self.functions.get_mut(&old) {
                    p.state = State::Redefined;
                    free.extend(p.versions.iter().map(|v| v.own_unit));
                }
            }
            let record = f.profile.as_ref().and_then(|_| {
                self.functions
                    .iter()
                    .find(|(_, p)| p.unit == unit.id && p.name == f.name)
                    .map(|(r, _)| *r)
            });
            if let Some(record) = record {
                self.by_slot.insert(slot, record);
            }
        }
        free
    }

    /// The unit failed: its definitions never took effect.
    pub(crate) fn drop_unit(&mut self, unit_id: u32) {
        for p in self.functions.values_mut().filter(|p| p.unit == unit_id) {
            p.state = State::Failed;
        }
        let functions = &self.functions;
        let live = |record: &u64| {
            functions
                .get(record)
                .is_some_and(|p| p.state != State::Failed)
        };
        self.jobs.retain(|j| live(&j.record));
        self.after_call.retain(|l| live(&l.record));
    }

    /// The device reported a profile. Returns a patch to install at once when the answer is
    /// only to put the generic body back; a copy to compile is started in the background.
    pub(crate) fn report(&mut self, report: &ProfileReport, cx: &mut Context<'_>) -> Option<Patch> {
        let options = self.options;
        let elapsed = self.started.elapsed();
        let record = u64::from(report.record);
        let p = self.functions.get_mut(&record)?;
        if matches!(
            p.state,
            State::Redefined | State::Generic(_) | State::Failed
        ) {
            return None;
        }
        let Some(row) = report.row else {
            return p.give_up("no argument types dominate".to_string());
        };
        let _ = row;
        if !options.specialise {
            return p.give_up("profiling only (no specialisation)".to_string());
        }
        if p.versions.len() as u32 >= options.max_versions {
            return p.give_up("it has the most specialised copies allowed".to_string());
        }
        let mut params: Vec<Option<Type>> = vec![None; p.params];
        for (k, &index) in p.untyped.iter().enumerate() {
            let observed = report.sig.get(k).and_then(|&s| cx.env.observed_type(s));
            if let Some(slot) = params.get_mut(index) {
                *slot = observed;
            }
        }
        if params.iter().all(Option::is_none) {
            return p.give_up("its arguments have no type better than any".to_string());
        }
        let signature = signature_text(&p.source, &p.name, &params);
        let version = p.versions.len() as u32 + 1;
        let unit_id = *cx.next_unit;
        *cx.next_unit += 1;
        let request = bs_frontend::SpecialiseRequest {
            source: &p.source,
            name: &p.name,
            generic_unit: p.unit,
            version,
            params,
            fallback: p.fallback(),
        };
        let counters_before = *cx.counters;
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            bs_frontend::specialise(&request, cx.env, unit_id, cx.counters)
        }));
        let unit = match checked {
            Ok(Ok(unit)) => unit,
            Ok(Err(diags)) => {
                *cx.counters = counters_before;
                let first = diags.first().map_or(String::new(), |d| d.message.clone());
                return p.give_up(format!("the copy for {signature} does not check: {first}"));
            }
            Err(_) => {
                *cx.counters = counters_before;
                return p.give_up("the specialiser failed (a compiler bug)".to_string());
            }
        };
        if p.called_in_own_unit && is_one_return(&unit) {
            *cx.counters = counters_before;
            return p.give_up(
                "its body is one return, inlined where its own unit calls it: a copy would save \
                 less than calls through its guard cost"
                    .to_string(),
            );
        }
        let symbols = &self.symbols;
        let c_source = match std::panic::catch_unwind(|| {
            bs_cgen::emit_unit_sharing(&unit, &|s| symbols.contains_key(s))
        }) {
            Ok(c) => c,
            Err(_) => return p.give_up("the C generator failed (a compiler bug)".to_string()),
        };
        p.state = State::Compiling;
        let _ = elapsed;
        self.jobs.push(Job {
            record,
            version,
            unit_id,
            signature,
            unit,
            c_source,
            compile: None,
        });
        self.start_next(cx.compiler);
        None
    }

    /// Starts the C compiler on the first copy waiting for it, unless one is compiling: one
    /// at a time, so that on the host device the compiler takes at most the core the device
    /// does not use.
    fn start_next(&mut self, compiler: &UnitCompiler) {
        if self.jobs.iter().any(|j| j.compile.is_some()) {
            return;
        }
        if let Some(job) = self.jobs.first_mut() {
            let name = format!("spec-{}", job.unit_id);
            job.compile = Some(compiler.compile_in_background(&name, &job.c_source));
        }
    }

    /// The copy whose compiler has finished (with `wait`, the next copy, waiting for its
    /// compiler), taken off the list of jobs to be linked with [`Dynamic::link_job`].
    pub(crate) fn next_ready(&mut self, wait: bool, compiler: &UnitCompiler) -> Option<Job> {
        self.start_next(compiler);
        let index = self
            .jobs
            .iter()
            .position(|j| j.compile.as_ref().is_some_and(|c| wait || c.is_finished()))?;
        Some(self.jobs.remove(index))
    }

    /// Links a compiled copy with `env` (which places it and resolves what it refers to besides
    /// the copies' own symbols). `None` when its function is gone; `Err` with the patch that
    /// puts the generic body back when the copy failed to compile or link.
    pub(crate) fn link_job(
        &mut self,
        mut job: Job,
        arch: Arch,
        env: &mut dyn PlaceResolve,
    ) -> Option<Result<Linked, Patch>> {
        let object = job.compile.take().map(|c| c.wait());
        let fail = |this: &mut Dynamic, why: String| -> Option<Result<Linked, Patch>> {
            let p = this.functions.get_mut(&job.record)?;
            if matches!(p.state, State::Redefined | State::Failed) {
                return None;
            }
            p.give_up(why).map(Err)
        };
        let object = match object {
            Some(Ok(o)) => o,
            Some(Err(e)) => return fail(self, format!("the C compiler failed: {e}")),
            None => return fail(self, "nothing was compiled".to_string()),
        };
        let mut spec_env = SpecEnv {
            env,
            copies: &self.symbols,
        };
        let linked = match bs_link::link_object_with(&object, arch, &mut spec_env) {
            Ok(l) => l,
            Err(e) => return fail(self, format!("the copy does not link: {e}")),
        };
        let p = self.functions.get(&job.record)?;
        if matches!(p.state, State::Redefined | State::Failed) {
            return None;
        }
        let guard = linked.symbol(&c_symbol(&Symbol::Guard {
            name: p.name.clone(),
            unit: p.unit,
            version: job.version,
        }));
        let failures = linked.symbol(&c_symbol(&Symbol::GuardFailures {
            name: p.name.clone(),
            unit: p.unit,
            version: job.version,
        }));
        let (Some(guard), Some(failures)) = (guard, failures) else {
            return fail(self, "the copy has no guard".to_string());
        };
        let mut loads: Vec<(u32, Vec<u8>)> = linked
            .chunks
            .iter()
            .map(|c| (c.addr as u32, c.bytes.clone()))
            .collect();
        if (job.version) < self.options.max_versions {
            // Profile again the calls the guard turns away (they reach the wrapper).
            loads.push((
                p.record as u32,
                record_head(self.options.reprofile_after, p),
            ));
        }
        let patch = Patch {
            loads,
            swaps: vec![Swap {
                addr: p.slot as u32,
                expected: p.slot_value() as u32,
                new: guard as u32,
            }],
        };
        Some(Ok(Linked {
            record: job.record,
            version: job.version,
            unit_id: job.unit_id,
            unit_name: p.unit_name.clone(),
            source: Arc::clone(&p.source),
            signature: job.signature,
            guard,
            failures,
            unit: job.unit,
            c_source: job.c_source,
            linked,
            patch,
        }))
    }

    /// A copy's guard is in its slot now.
    pub(crate) fn installed(&mut self, l: &Linked, during_call: bool) {
        for (name, addr) in &l.linked.symbols {
            self.symbols.insert(name.clone(), *addr);
        }
        let at = self.started.elapsed();
        if let Some(p) = self.functions.get_mut(&l.record) {
            p.state = State::Specialised;
            p.versions.push(Version {
                number: l.version,
                signature: l.signature.clone(),
                guard: l.guard,
                failures: l.failures,
                installed_at: at,
                during_call,
                own_unit: l.unit_id,
            });
        }
    }

    /// The copy was not installed: its slot no longer held what it expected (the function was
    /// redefined meanwhile).
    pub(crate) fn not_installed(&mut self, l: &Linked) {
        if let Some(p) = self.functions.get_mut(&l.record) {
            if p.state == State::Compiling {
                p.state = State::Generic("its slot changed before the copy came".to_string());
            }
        }
    }

    /// The definitions and copies so far, oldest first; `failures` reads a guard's failure
    /// count from the device.
    pub(crate) fn report_entries(
        &self,
        failures: &mut dyn FnMut(u64) -> Option<u32>,
    ) -> Vec<JitEntry> {
        let mut all: Vec<&Profiled> = self.functions.values().collect();
        all.sort_by_key(|p| (p.unit, p.record));
        all.into_iter()
            .map(|p| JitEntry {
                function: p.name.clone(),
                defined_in: p.unit_name.clone(),
                state: match &p.state {
                    State::Profiling => "profiling".to_string(),
                    State::Compiling => "compiling a copy".to_string(),
                    State::Specialised => "specialised".to_string(),
                    State::Generic(why) => format!("generic: {why}"),
                    State::Redefined => "redefined".to_string(),
                    State::Failed => "gone: its input stopped with an error".to_string(),
                },
                versions: p
                    .versions
                    .iter()
                    .map(|v| JitVersion {
                        version: v.number,
                        signature: v.signature.clone(),
                        installed_at: v.installed_at,
                        during_call: v.during_call,
                        guard_failures: if matches!(p.state, State::Redefined | State::Failed) {
                            None
                        } else {
                            failures(v.failures)
                        },
                    })
                    .collect(),
            })
            .collect()
    }

    /// The profiling wrapper's symbol of the live definition in `slot`, if it is profiled.
    pub(crate) fn slot_value(&self, slot: &str) -> Option<u64> {
        let record = self.by_slot.get(slot)?;
        self.functions.get(record).map(Profiled::slot_value)
    }
}

/// Whether the copy in `unit` is a single `return` statement: such a function is inlined into
/// its callers in its own unit, and calling a copy through the slot and the guard instead costs
/// more than its typed code saves.
fn is_one_return(unit: &bs_frontend::ir::Unit) -> bool {
    unit.specialised
        .iter()
        .all(|(_, _, f)| matches!(f.body.as_slice(), [bs_frontend::ir::Stmt::Return(_)]))
}

/// The first 8 bytes of a profile record that start profiling afresh: `countdown` calls, state
/// COUNTING, no rows (`bs_profile` in bs.h; little-endian on every target).
fn record_head(countdown: u32, p: &Profiled) -> Vec<u8> {
    let mut head = countdown.max(1).to_le_bytes().to_vec();
    head.extend([0, p.untyped.len() as u8, p.thresholds.signature.max(1), 0]);
    head
}

/// `(a: integer, b)`: the parameters of `name` in `source` with the observed types.
fn signature_text(source: &str, name: &str, params: &[Option<Type>]) -> String {
    let names = parameter_names(source, name).unwrap_or_default();
    let parts: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let n = names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("#{}", i + 1));
            match ty {
                Some(t) => format!("{n}: {t}"),
                None => n,
            }
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// The parameter names of top-level `function name(…)` in `source`, read from the text.
fn parameter_names(source: &str, name: &str) -> Option<Vec<String>> {
    let needle = format!("function {name}");
    let mut from = 0;
    while let Some(at) = source[from..].find(&needle) {
        let start = from + at + needle.len();
        let rest = source[start..].trim_start();
        if let Some(list) = rest.strip_prefix('(') {
            let end = list.find(')')?;
            return Some(
                list[..end]
                    .split(',')
                    .map(|p| {
                        p.split(':')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .trim_start_matches("...")
                            .to_string()
                    })
                    .filter(|p| !p.is_empty())
                    .collect(),
            );
        }
        from = start;
    }
    None
}

/// What links a copy: a placer that also resolves symbols (a unit transaction, with the
/// running unit's symbols when the copy joins it).
pub(crate) trait PlaceResolve: Placer + SymbolResolver {}
impl<T: Placer + SymbolResolver + ?Sized> PlaceResolve for T {}

/// The linker's view while a copy is linked: the copies' own symbols first.
struct SpecEnv<'a> {
    env: &'a mut dyn PlaceResolve,
    copies: &'a HashMap<String, u64>,
}

impl Placer for SpecEnv<'_> {
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError> {
        self.env.place(kind, size, align)
    }
}

impl SymbolResolver for SpecEnv<'_> {
    fn resolve(&self, name: &str) -> Option<u64> {
        self.copies
            .get(name)
            .copied()
            .or_else(|| self.env.resolve(name))
    }
}

/// A unit transaction with the symbols of the unit it places, which is running: a copy linked
/// during its call joins it (its memory is the running unit's, and lives and dies with it).
pub(crate) struct Running<'a, 'b> {
    pub txn: &'a mut bs_shadow::UnitTxn<'b>,
    pub symbols: &'a [(String, u64)],
}

impl Placer for Running<'_, '_> {
    fn place(&mut self, kind: RegionKind, size: u64, align: u64) -> Result<u64, PlaceError> {
        self.txn.place(kind, size, align)
    }
}

impl SymbolResolver for Running<'_, '_> {
    fn resolve(&self, name: &str) -> Option<u64> {
        self.symbols
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| *a)
            .or_else(|| self.txn.resolve(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_are_read_from_the_declaration() {
        let src = "let f = 1\nfunction g(a, b: integer, ...c) { return a }\n";
        assert_eq!(
            parameter_names(src, "g"),
            Some(vec!["a".to_string(), "b".to_string(), "c".to_string()])
        );
        assert_eq!(
            signature_text(src, "g", &[Some(Type::Integer), None, None]),
            "(a: integer, b, c)"
        );
    }
}
