//! `bscript repl`: reads inputs (with line editing and history on a terminal, line by line from
//! a pipe), sends each one to the session as a unit, and shows its output and errors. An input
//! continues on the next line while its brackets are open.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bs_session::{Outcome, Session};
use rustyline::error::ReadlineError;
use rustyline::{DefaultEditor, ExternalPrinter};

use crate::{Cli, render, start_session, write_output};

const HELP: &str = "\
Type BlueScript code; each input is compiled and runs on the device at once.
An input goes on over several lines while a bracket is open.
Names declared by an input (variables, functions) stay visible to later inputs;
a function may be redefined with the same type.

Ctrl-C stops the running input (a run-time error); at the prompt it clears the line.
Timers (setInterval, setTimeout) go on between inputs: what their callbacks print
shows above the prompt, and .reset stops them.

Commands:
  .help   this text
  .mem    memory use of the device (heap, code and data regions)
  .jit    what the dynamic compiler profiled and specialised, and how often each
          specialised copy's guard failed (--no-dynamic turns it off)
  .reset  empty the device and forget every declaration
  .pins   the pins a program set up with the gpio package: mode and level
  .pin N 0|1  drive input pin N of the host device's simulated pins low or high
  .quit   leave (also Ctrl-D)
";

/// Where inputs come from.
enum Reader {
    Terminal(Box<DefaultEditor>),
    Pipe,
}

impl Reader {
    fn line(&mut self, prompt: &str, ctrl_c: &dyn Fn()) -> Option<String> {
        match self {
            Reader::Terminal(ed) => loop {
                match ed.readline(prompt) {
                    Ok(line) => return Some(line),
                    // Ctrl-C drops the current line, as in a shell (and stops a callback that
                    // keeps the device busy).
                    Err(ReadlineError::Interrupted) => ctrl_c(),
                    Err(_) => return None,
                }
            },
            Reader::Pipe => {
                let mut line = String::new();
                match std::io::stdin().lock().read_line(&mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => {
                        while line.ends_with('\n') || line.ends_with('\r') {
                            line.pop();
                        }
                        Some(line)
                    }
                }
            }
        }
    }

    /// One whole input: lines are joined while brackets stay open.
    fn input(&mut self, ctrl_c: &dyn Fn()) -> Option<String> {
        let mut text = self.line("> ", ctrl_c)?;
        while needs_more(&text) {
            match self.line(". ", ctrl_c) {
                Some(more) => {
                    text.push('\n');
                    text.push_str(&more);
                }
                None => break,
            }
        }
        if let Reader::Terminal(ed) = self {
            if !text.trim().is_empty() {
                let _ = ed.add_history_entry(text.as_str());
            }
        }
        Some(text)
    }
}

fn history_path() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".bscript_history"))
}

pub fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal();
    crate::handle_ctrl_c();
    let Ok(mut session) = start_session(cli) else {
        return Ok(ExitCode::from(crate::EXIT_DEVICE));
    };
    // Inputs are read on a thread of their own, so that this one can fetch what the device's
    // callbacks print while the user types.
    let (reader, printer) = if interactive {
        let mut ed = DefaultEditor::new()?;
        if let Some(p) = history_path() {
            let _ = ed.load_history(&p);
        }
        let info = session.device_info();
        println!(
            "BlueScript {} on the {} device (protocol {}, runtime {:016x}). Type .help for help.",
            env!("CARGO_PKG_VERSION"),
            session.target(),
            info.version,
            u64::from_le_bytes(info.build_id)
        );
        let printer: Option<Box<dyn ExternalPrinter + Send>> = match ed.create_external_printer() {
            Ok(p) => Some(Box::new(p)),
            Err(_) => None,
        };
        (Reader::Terminal(Box::new(ed)), printer)
    } else {
        (Reader::Pipe, None)
    };
    let mut events = EventPrinter::new(printer);
    let mut inputs = Inputs::start(reader, events.ctrl_c(session.interrupter()));
    let color = std::io::stderr().is_terminal();
    let roots = crate::project::roots_for(std::path::PathBuf::from("."));
    let mut n_inputs = 0u32;
    let mut last_status = 0u8;
    while let Some(input) = inputs.next(|| events.poll(&mut session, cli, color)) {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('.') && !trimmed.starts_with("..") {
            match trimmed {
                ".quit" | ".exit" => break,
                ".help" => print!("{HELP}"),
                ".mem" => print_memory(&mut session),
                ".jit" => match session.jit_report() {
                    Ok(entries) => print!("{}", crate::jit_report_text(&entries)),
                    Err(e) => eprintln!("cannot read the dynamic compiler's state: {e}"),
                },
                ".reset" => match session.reset() {
                    Ok(()) => println!("the device is empty; everything declared before is gone"),
                    Err(e) => eprintln!("cannot reset the device: {e}"),
                },
                ".pins" => crate::pins::show(cli, &mut session, &roots),
                other if other == ".pin" || other.starts_with(".pin ") => {
                    crate::pins::drive(cli, &mut session, &roots, &other[4..])
                }
                other => eprintln!("unknown command {other}; .help lists the commands"),
            }
            continue;
        }
        n_inputs += 1;
        let name = format!("<input {n_inputs}>");
        // Ctrl-C from here on stops this input (a request left from an earlier one is void).
        let interrupter = session.interrupter();
        interrupter.clear();
        let ctrl_c = crate::CtrlCInterrupts::new(interrupter);
        // Imports resolve from the working folder, packages from its project.
        let (outcome, _) = session.eval_program(&name, &input, None, &roots, &mut write_output);
        drop(ctrl_c);
        if interactive && interrupted(&outcome) {
            // The terminal echoed ^C where the cursor was.
            eprintln!();
        }
        eprint!(
            "{}",
            render::outcome(&name, &input, &outcome, cli.error_format, color)
        );
        last_status = outcome.exit_code() as u8;
        if let Outcome::DeviceError {
            restarted: false, ..
        } = outcome
        {
            break;
        }
    }
    let typed = inputs.finish();
    if !typed && session.events_active() {
        // Like `bscript run`: the end of piped input leaves timers running until they end.
        let ctrl_c = crate::CtrlCInterrupts::new(session.interrupter());
        let status = crate::run_timers(&mut session, None, &mut |outcome| {
            eprint!(
                "{}",
                render::outcome("<callback>", "", outcome, cli.error_format, color)
            );
        });
        drop(ctrl_c);
        last_status = last_status.max(status as u8);
    }
    if typed {
        return Ok(ExitCode::SUCCESS);
    }
    Ok(ExitCode::from(last_status))
}

/// A poll that has waited this long (milliseconds) waits for a callback that runs and runs.
const STUCK_POLL_MS: u64 = 200;

/// How often the REPL asks the device for its callbacks' output while it waits for an input.
const EVENT_POLL: Duration = Duration::from_millis(50);

/// The thread that reads inputs. It reads one input at a time, when asked, so that the prompt
/// shows only once the previous input has finished.
struct Inputs {
    ask: Option<mpsc::Sender<()>>,
    inputs: mpsc::Receiver<Option<String>>,
    thread: Option<std::thread::JoinHandle<()>>,
    typed: bool,
    asked: bool,
}

impl Inputs {
    /// Starts reading; `ctrl_c` runs when Ctrl-C is typed at the prompt.
    fn start(mut reader: Reader, ctrl_c: Box<dyn Fn() + Send>) -> Inputs {
        let typed = matches!(reader, Reader::Terminal(_));
        let (ask, asks) = mpsc::channel::<()>();
        let (send, inputs) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            for () in asks {
                let input = reader.input(&*ctrl_c);
                let end = input.is_none();
                if send.send(input).is_err() || end {
                    break;
                }
            }
            if let Reader::Terminal(mut ed) = reader {
                if let Some(p) = history_path() {
                    let _ = ed.save_history(&p);
                }
            }
        });
        Inputs {
            ask: Some(ask),
            inputs,
            thread: Some(thread),
            typed,
            asked: false,
        }
    }

    /// The next input, or `None` at the end of the inputs; `idle` runs every [`EVENT_POLL`]
    /// while the user has not finished one.
    fn next(&mut self, mut idle: impl FnMut()) -> Option<String> {
        if !self.asked {
            self.ask.as_ref()?.send(()).ok()?;
            self.asked = true;
        }
        loop {
            match self.inputs.recv_timeout(EVENT_POLL) {
                Ok(input) => {
                    self.asked = false;
                    return input;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => idle(),
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Stops the reading thread (which saves the history); true when inputs came from a
    /// terminal.
    fn finish(mut self) -> bool {
        self.ask = None;
        if !self.asked {
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
        // A thread still waiting in the line editor ends with the process.
        self.typed
    }
}

/// Shows what the device's callbacks printed while no input ran: above the prompt on a
/// terminal (the line being typed is drawn again below it), else on standard output and error.
struct EventPrinter {
    printer: Option<Box<dyn ExternalPrinter + Send>>,
    /// Text of each stream after its last line end, held until the line is complete (a
    /// terminal shows each message on lines of its own).
    partial: [Vec<u8>; 2],
    /// When the poll that is waiting for the device started (milliseconds since `epoch`, 0:
    /// none): Ctrl-C at the prompt stops a callback that keeps it waiting.
    polling_since: Arc<AtomicU64>,
    epoch: Instant,
}

impl EventPrinter {
    fn new(printer: Option<Box<dyn ExternalPrinter + Send>>) -> EventPrinter {
        EventPrinter {
            printer,
            partial: [Vec::new(), Vec::new()],
            polling_since: Arc::new(AtomicU64::new(0)),
            epoch: Instant::now(),
        }
    }

    /// What Ctrl-C at the prompt does besides clearing the line: when a poll has waited for
    /// the device for a while (a callback runs and runs), it stops that callback.
    fn ctrl_c(&self, interrupter: bs_session::Interrupter) -> Box<dyn Fn() + Send> {
        let since = Arc::clone(&self.polling_since);
        let epoch = self.epoch;
        Box::new(move || {
            let started = since.load(Ordering::SeqCst);
            let now = epoch.elapsed().as_millis() as u64 + 1;
            if started != 0 && now.saturating_sub(started) >= STUCK_POLL_MS {
                interrupter.interrupt();
            }
        })
    }

    /// Fetches and shows what the callbacks did, if the device may have timers.
    fn poll(&mut self, session: &mut Session, cli: &Cli, color: bool) {
        if !session.events_active() {
            return;
        }
        let now = self.epoch.elapsed().as_millis() as u64 + 1;
        self.polling_since.store(now, Ordering::SeqCst);
        let mut texts: Vec<(u8, Vec<u8>)> = Vec::new();
        let poll = session.poll_events(&mut |stream, bytes| texts.push((stream, bytes.to_vec())));
        self.polling_since.store(0, Ordering::SeqCst);
        for (stream, bytes) in texts {
            self.text(stream, &bytes, false);
        }
        // A device that failed was started afresh: its DeviceError says so.
        for error in &poll.errors {
            self.flush();
            let shown = render::outcome("<callback>", "", error, cli.error_format, color);
            self.text(1, shown.as_bytes(), true);
        }
        let losses = crate::event_losses(&poll);
        if !losses.is_empty() {
            self.text(1, losses.as_bytes(), true);
        }
        if !poll.active {
            self.flush();
        }
    }

    /// Shows `bytes` of `stream`: whole lines at once; the rest too when `whole`.
    fn text(&mut self, stream: u8, bytes: &[u8], whole: bool) {
        let Some(printer) = self.printer.as_mut() else {
            write_output(stream, bytes);
            return;
        };
        let partial = &mut self.partial[usize::from(stream.min(1))];
        partial.extend_from_slice(bytes);
        let end = if whole {
            partial.len()
        } else {
            match partial.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None => return,
            }
        };
        let lines: Vec<u8> = partial.drain(..end).collect();
        let mut message = String::from_utf8_lossy(&lines).into_owned();
        if !message.ends_with('\n') {
            message.push('\n');
        }
        let _ = printer.print(message);
    }

    /// Shows what is held of unfinished lines.
    fn flush(&mut self) {
        for stream in 0..2u8 {
            if !self.partial[usize::from(stream)].is_empty() {
                self.text(stream, &[], true);
            }
        }
    }
}

/// Whether the input was stopped by an interrupt.
fn interrupted(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::RuntimeError(f)
        if bs_protocol::ErrorCode::from_u16(f.code) == bs_protocol::ErrorCode::Interrupted)
}

fn print_memory(session: &mut Session) {
    // Collect first: the figures then count live data, not garbage waiting for a collection.
    match session.memory(true) {
        Ok((heap, usage)) => {
            println!(
                "heap: {} of {} bytes live ({} blocks), {} free",
                heap.heap_used, heap.heap_size, heap.live_blocks, heap.heap_free
            );
            println!("code: {} of {} bytes", usage.code_used, usage.code_size);
            println!("data: {} of {} bytes", usage.data_used, usage.data_size);
        }
        Err(e) => eprintln!("cannot read the device's memory use: {e}"),
    }
}

/// True while `text` has an open bracket or an unterminated block comment or string, so the
/// input continues on the next line.
pub fn needs_more(text: &str) -> bool {
    let mut depth = 0i32;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut closed = false;
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        closed = true;
                        break;
                    }
                    prev = c;
                }
                if !closed {
                    return true;
                }
            }
            '"' | '\'' | '`' => {
                let quote = c;
                let mut closed = false;
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        chars.next();
                    } else if c == quote {
                        closed = true;
                        break;
                    } else if c == '\n' && quote != '`' {
                        break;
                    }
                }
                if !closed && quote == '`' {
                    return true;
                }
            }
            _ => {}
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::needs_more;

    #[test]
    fn open_brackets_continue_the_input() {
        assert!(needs_more("function f() {"));
        assert!(needs_more("print((1 +"));
        assert!(!needs_more("print(1)"));
        assert!(!needs_more("let s = '{'"));
        assert!(!needs_more("let x = 1 // {"));
        assert!(needs_more("/* open"));
        assert!(
            !needs_more("}"),
            "a stray closing bracket is the checker's to report"
        );
    }
}
