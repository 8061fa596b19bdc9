//! `bscript notebook`: a web notebook on a local server. The browser shows cells; each cell runs
//! on the device as one REPL input would (one [`Session`], the same `eval_program`), its output
//! streamed to the page over a WebSocket as it arrives, followed by its outcome (rendered errors,
//! the places to underline, the stage times) and the device's memory.
//!
//! Threads: this one (the work thread, which has the big stack the compiler needs) owns the
//! session and runs the cells one after another from a queue; a thread accepts connections and
//! one thread serves each of them (`server.rs`).
//!
//! Safety: the server listens on 127.0.0.1 only, every request (pages and the WebSocket upgrade)
//! must carry the random token of the URL it printed, and a request from a page of another
//! origin (its `Origin` header) or naming another host (`Host`, against DNS rebinding) is
//! refused, so that no other web page can drive the device.

mod document;
mod server;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use bs_session::{Interrupter, Outcome, Session, Timings};
use serde_json::{Value, json};

use crate::render::{self, ErrorFormat};
use crate::{Cli, start_session};
pub use document::Document;

/// What the session thread is asked to do.
enum Job {
    /// Run a cell's code. `epoch` is the reset count when it was queued: a reset drops the
    /// cells queued before it.
    Run {
        cell: u64,
        label: String,
        code: String,
        epoch: u64,
    },
    Reset,
    Memory,
}

/// What the session thread and the connections share.
pub(crate) struct Shared {
    /// The secret every request must carry.
    token: String,
    /// `http://127.0.0.1:PORT`: the only origin allowed to talk to the server.
    origin: String,
    /// The `Host` header a request must name.
    host: String,
    jobs: Mutex<Sender<Job>>,
    /// Connections that receive the session's events (JSON texts).
    listeners: Mutex<Vec<Sender<String>>>,
    /// The interrupter of the cell that runs, while one runs.
    running: Mutex<Option<Interrupter>>,
    /// Resets so far (see [`Job::Run`]).
    epoch: AtomicU64,
    /// The notebook file (save writes it) and what it held when the server started.
    file: Mutex<Option<PathBuf>>,
    document: Mutex<Document>,
    target: String,
}

impl Shared {
    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends an event to every open page.
    fn broadcast(&self, event: &Value) {
        let text = event.to_string();
        Self::lock(&self.listeners).retain(|l| l.send(text.clone()).is_ok());
    }

    fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = std::sync::mpsc::channel();
        Self::lock(&self.listeners).push(tx);
        rx
    }

    fn submit(&self, job: Job) {
        let _ = Self::lock(&self.jobs).send(job);
    }

    /// The page's request to stop the running cell (the REPL's Ctrl-C).
    fn interrupt(&self) {
        if let Some(i) = Self::lock(&self.running).as_ref() {
            i.interrupt();
        }
    }

    /// The first message a page gets: the notebook's cells and where they are kept.
    fn hello(&self) -> Value {
        let doc = Self::lock(&self.document).clone();
        let file = Self::lock(&self.file)
            .as_ref()
            .map(|p| p.display().to_string());
        json!({
            "type": "hello",
            "target": self.target,
            "file": file,
            "cells": doc.cells,
            "version": env!("CARGO_PKG_VERSION"),
        })
    }

    /// Handles one message from a page; answers that concern only this page go to `reply`.
    fn handle(&self, text: &str, reply: &mut dyn FnMut(Value)) {
        let Ok(msg) = serde_json::from_str::<Value>(text) else {
            reply(json!({"type": "error", "message": "a message that is not JSON"}));
            return;
        };
        let str_of = |k: &str| msg.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        match msg.get("type").and_then(Value::as_str).unwrap_or("") {
            "run" => {
                let cell = msg.get("cell").and_then(Value::as_u64).unwrap_or(0);
                self.broadcast(&json!({"type": "queued", "cell": cell}));
                self.submit(Job::Run {
                    cell,
                    label: str_of("label"),
                    code: str_of("code"),
                    epoch: self.epoch.load(Ordering::SeqCst),
                });
            }
            "interrupt" => self.interrupt(),
            "reset" => {
                // Queued cells are dropped, the running one stopped, then the device emptied.
                self.epoch.fetch_add(1, Ordering::SeqCst);
                self.interrupt();
                self.submit(Job::Reset);
            }
            "memory" => self.submit(Job::Memory),
            "save" => reply(self.save(&msg)),
            "export" => reply(self.export(&msg)),
            other => {
                reply(json!({"type": "error", "message": format!("unknown request `{other}`")}))
            }
        }
    }

    fn cells_of(msg: &Value) -> Document {
        let cells = msg
            .get("cells")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|c| c.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        Document {
            preface: String::new(),
            cells,
        }
    }

    /// Writes the notebook to its file (`path` in the message, else the file it was started
    /// with), keeping the Markdown before the first cell.
    fn save(&self, msg: &Value) -> Value {
        let given = msg
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
            .map(PathBuf::from);
        let mut file = Self::lock(&self.file);
        let Some(path) = given.or_else(|| file.clone()) else {
            return json!({"type": "error", "message": "no file to save to: name one"});
        };
        let mut doc = Self::cells_of(msg);
        doc.preface = Self::lock(&self.document).preface.clone();
        match std::fs::write(&path, doc.render()) {
            Ok(()) => {
                *file = Some(path.clone());
                *Self::lock(&self.document) = doc;
                json!({"type": "saved", "path": path.display().to_string()})
            }
            Err(e) => {
                json!({"type": "error", "message": format!("cannot write {}: {e}", path.display())})
            }
        }
    }

    /// Writes the cells as a project: `bsconfig.json` and `src/index.bs` holding the cells in
    /// order, in a folder that must not exist yet.
    fn export(&self, msg: &Value) -> Value {
        let dir = PathBuf::from(msg.get("dir").and_then(Value::as_str).unwrap_or(""));
        if dir.as_os_str().is_empty() {
            return json!({"type": "error", "message": "name a folder to export to"});
        }
        match export_project(&dir, &Self::cells_of(msg), &self.target) {
            Ok(()) => json!({"type": "exported", "dir": dir.display().to_string()}),
            Err(e) => json!({"type": "error", "message": format!("{e:#}")}),
        }
    }
}

fn export_project(dir: &Path, doc: &Document, board: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    if dir.exists() {
        anyhow::bail!("{} exists already", dir.display());
    }
    std::fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "notebook".to_string());
    let config = json!({
        "projectName": name,
        "boardName": board,
        "version": "1.0.0",
        "srcDir": "./src",
        "entryFile": "./src/index.bs",
        "dependencies": {},
    });
    std::fs::write(
        dir.join("bsconfig.json"),
        serde_json::to_string_pretty(&config)? + "\n",
    )?;
    std::fs::write(dir.join("src/index.bs"), doc.program())?;
    Ok(())
}

/// A random token of 128 bits, in hex.
fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random numbers: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `bscript notebook [FILE]`.
pub fn run(cli: &Cli, file: Option<&Path>, no_browser: bool) -> anyhow::Result<ExitCode> {
    let document = match file {
        Some(path) if path.exists() => Document::parse(
            &std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?,
        ),
        _ => Document::default(),
    };
    let Ok(mut session) = start_session(cli) else {
        return Ok(ExitCode::from(crate::EXIT_DEVICE));
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1: {e}"))?;
    let port = listener.local_addr()?.port();
    let (jobs, queue) = std::sync::mpsc::channel();
    let shared = Arc::new(Shared {
        token: new_token()?,
        origin: format!("http://127.0.0.1:{port}"),
        host: format!("127.0.0.1:{port}"),
        jobs: Mutex::new(jobs),
        listeners: Mutex::new(Vec::new()),
        running: Mutex::new(None),
        epoch: AtomicU64::new(0),
        file: Mutex::new(file.map(Path::to_path_buf)),
        document: Mutex::new(document),
        target: session.target().to_string(),
    });
    let url = format!("{}/?token={}", shared.origin, shared.token);
    {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("notebook-server".to_string())
            .spawn(move || server::serve(listener, shared))?;
    }
    println!("notebook: {url}");
    println!("(Ctrl-C ends the notebook)");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if !no_browser {
        open_browser(&url);
    }
    let roots = crate::project::roots_for(PathBuf::from("."));
    // Timer callbacks print while no cell runs: their output goes to the last cell run.
    let mut last_cell: Option<u64> = None;
    loop {
        let job = match queue.recv_timeout(EVENT_POLL) {
            Ok(job) => job,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if let Some(cell) = last_cell.filter(|_| session.events_active()) {
                    poll_events(&mut session, &shared, cell);
                }
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match job {
            Job::Run {
                cell,
                label,
                code,
                epoch,
            } => {
                if epoch != shared.epoch.load(Ordering::SeqCst) {
                    shared.broadcast(&json!({"type": "dropped", "cell": cell}));
                    continue;
                }
                run_cell(&mut session, &shared, &roots, cell, &label, &code);
                last_cell = Some(cell);
                send_memory(&mut session, &shared);
            }
            Job::Reset => {
                let event = match session.reset() {
                    Ok(()) => json!({"type": "reset"}),
                    Err(e) => {
                        json!({"type": "error", "message": format!("cannot reset the device: {e}")})
                    }
                };
                shared.broadcast(&event);
                send_memory(&mut session, &shared);
            }
            Job::Memory => send_memory(&mut session, &shared),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How often the notebook asks the device for its timer callbacks' output while no cell runs.
const EVENT_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Fetches what timer callbacks printed and how they failed, and shows it under `cell` (its
/// `name: number` lines feed the plots as a running cell's do).
fn poll_events(session: &mut Session, shared: &Shared, cell: u64) {
    let mut output = CellOutput::new(shared, cell);
    let mut out = |stream: u8, bytes: &[u8]| output.send(stream, bytes);
    // The Interrupt button stops a callback that keeps the device busy.
    let interrupter = session.interrupter();
    *Shared::lock(&shared.running) = Some(interrupter.clone());
    let polled = session.poll_events(&mut out);
    *Shared::lock(&shared.running) = None;
    interrupter.clear();
    let mut notes: String = polled
        .errors
        .iter()
        .map(|e| render::outcome("<callback>", "", e, ErrorFormat::Rich, false))
        .collect();
    notes += &crate::event_losses(&polled);
    if !notes.is_empty() && !notes.ends_with('\n') {
        notes.push('\n');
    }
    if !notes.is_empty() {
        shared.broadcast(&json!({"type": "output", "cell": cell, "stream": 1, "text": notes}));
    }
}

/// Opens the default browser on `url` (xdg-open on Linux, open on macOS), without waiting.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("bscript: cannot open a browser ({opener}: {e}); open the address above");
    }
}

/// Output bytes as text: a character split between two pieces waits for its other part.
#[derive(Default)]
struct Utf8Pieces {
    pending: Vec<u8>,
}

impl Utf8Pieces {
    fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // An incomplete character at the end waits; invalid bytes are replaced.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let rest = self.pending.split_off(valid);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        text
    }
}

/// A cell's output on its way to the page: `output` messages of whole characters, sent as the
/// bytes arrive.
struct CellOutput<'s> {
    shared: &'s Shared,
    cell: u64,
    pieces: [Utf8Pieces; 2],
}

impl CellOutput<'_> {
    fn new(shared: &Shared, cell: u64) -> CellOutput<'_> {
        CellOutput {
            shared,
            cell,
            pieces: [Utf8Pieces::default(), Utf8Pieces::default()],
        }
    }

    fn send(&mut self, stream: u8, bytes: &[u8]) {
        let text = self.pieces[usize::from(stream.min(1))].push(bytes);
        if !text.is_empty() {
            self.shared.broadcast(
                &json!({"type": "output", "cell": self.cell, "stream": stream, "text": text}),
            );
        }
    }
}

/// Offset in UTF-16 code units (the editor's positions) of byte `offset` of `text`.
fn utf16_offset(text: &str, offset: u32) -> usize {
    let mut at = (offset as usize).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    text[..at].encode_utf16().count()
}

fn status_of(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::CompileError(_) => "compile-error",
        Outcome::LinkError(_) => "link-error",
        Outcome::RuntimeError(_) => "runtime-error",
        Outcome::DeviceError { .. } => "device-error",
        Outcome::Internal { .. } => "internal-error",
        Outcome::InModule { outcome, .. } => status_of(outcome),
    }
}

fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn times_json(t: &Timings) -> Value {
    // A unit's bytes travel in the call that runs it: what the host waited for the call beyond
    // the run time the device measured (when it reported one) is the link's.
    let (transfer, run) = if t.device_run.is_zero() {
        (t.transfer, t.run)
    } else {
        let run = t.device_run.min(t.run);
        (t.transfer + (t.run - run), run)
    };
    json!({
        "compile": millis(t.parse_check + t.cgen + t.cc),
        "link": millis(t.link),
        "transfer": millis(transfer),
        "run": millis(run),
    })
}

/// Compiles and runs one cell, streaming its output, then reports how it ended.
fn run_cell(
    session: &mut Session,
    shared: &Shared,
    roots: &bs_session::ModuleRoots,
    cell: u64,
    label: &str,
    code: &str,
) {
    let name = if label.trim().is_empty() {
        format!("cell {cell}")
    } else {
        label.to_string()
    };
    shared.broadcast(&json!({"type": "start", "cell": cell}));
    let interrupter = session.interrupter();
    interrupter.clear();
    *Shared::lock(&shared.running) = Some(interrupter);
    let mut output = CellOutput::new(shared, cell);
    let mut out = |stream: u8, bytes: &[u8]| output.send(stream, bytes);
    let (outcome, times) = session.eval_program(&name, code, None, roots, &mut out);
    *Shared::lock(&shared.running) = None;
    let rendered = render::outcome(&name, code, &outcome, ErrorFormat::Rich, false);
    let mut marks = Vec::new();
    match &outcome {
        Outcome::CompileError(diags) => {
            for d in diags {
                let loc = bs_session::locate(&name, code, d);
                marks.push(json!({
                    "from": utf16_offset(code, loc.span.start),
                    "to": utf16_offset(code, loc.span.end.max(loc.span.start)),
                    "line": loc.line,
                    "column": loc.column,
                    "message": d.message,
                    "code": d.code,
                    "severity": "error",
                }));
            }
        }
        Outcome::RuntimeError(f) => {
            if let Some(loc) = f.location.as_ref().filter(|l| l.file == name) {
                marks.push(json!({
                    "from": utf16_offset(code, loc.span.start),
                    "to": utf16_offset(code, loc.span.end.max(loc.span.start)),
                    "line": loc.line,
                    "column": loc.column,
                    "message": f.message,
                    "severity": "runtime",
                }));
            }
        }
        _ => {}
    }
    let runtime_place = match &outcome {
        Outcome::RuntimeError(f) => f
            .location
            .as_ref()
            .map(|l| json!({"file": l.file, "line": l.line, "column": l.column})),
        _ => None,
    };
    shared.broadcast(&json!({
        "type": "done",
        "cell": cell,
        "name": name,
        "status": status_of(&outcome),
        "error": rendered,
        "marks": marks,
        "runtime": runtime_place,
        "times": times_json(&times),
    }));
}

/// The device's memory as the REPL's `.mem` shows it (after a collection), the units in the
/// code and data regions, and the dynamic compiler's report.
fn send_memory(session: &mut Session, shared: &Shared) {
    let event = match session.memory(true) {
        Ok((heap, usage)) => {
            let units: Vec<Value> = session
                .shadow()
                .units()
                .iter()
                .map(|u| {
                    let mut code = 0;
                    let mut data = 0;
                    for p in &u.placements {
                        if format!("{:?}", p.kind) == "Code" {
                            code += p.size;
                        } else {
                            data += p.size;
                        }
                    }
                    let functions: Vec<String> = u
                        .record
                        .symbols
                        .iter()
                        .filter_map(|(s, _)| function_name(s))
                        .collect();
                    json!({"id": u.id(), "name": u.record.name, "code": code, "data": data,
                           "functions": functions})
                })
                .collect();
            let jit = session
                .jit_report()
                .map(|e| crate::jit_report_text(&e))
                .unwrap_or_else(|e| format!("cannot read the dynamic compiler's state: {e}\n"));
            json!({
                "type": "memory",
                "heap": {"used": heap.heap_used, "size": heap.heap_size,
                         "free": heap.heap_free, "blocks": heap.live_blocks},
                "code": {"used": usage.code_used, "size": usage.code_size},
                "data": {"used": usage.data_used, "size": usage.data_size},
                "units": units,
                "jit": jit,
            })
        }
        Err(e) => {
            json!({"type": "error", "message": format!("cannot read the device's memory use: {e}")})
        }
    };
    shared.broadcast(&event);
}

/// The BlueScript name of a function body's symbol `bs_f_NAME_UNIT`.
fn function_name(symbol: &str) -> Option<String> {
    let rest = symbol.strip_prefix("bs_f_")?;
    let (name, unit) = rest.rsplit_once('_')?;
    unit.chars()
        .all(|c| c.is_ascii_digit())
        .then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::{Utf8Pieces, function_name, utf16_offset};

    #[test]
    fn split_characters_wait_for_their_rest() {
        let mut p = Utf8Pieces::default();
        let bytes = "aé".as_bytes();
        assert_eq!(p.push(&bytes[..2]), "a");
        assert_eq!(p.push(&bytes[2..]), "é");
    }

    #[test]
    fn offsets_count_utf16_units() {
        assert_eq!(utf16_offset("é😀x", 6), 3);
        assert_eq!(utf16_offset("abc", 99), 3);
    }

    #[test]
    fn function_symbols_name_functions() {
        assert_eq!(function_name("bs_f_blink_3").as_deref(), Some("blink"));
        assert_eq!(function_name("bs_g_x"), None);
    }
}
