//! The REPL on a real terminal: `script` (util-linux) runs `bscript repl` on a pseudo-terminal,
//! so the REPL uses its line editor, and the test types into it. Lines typed ahead, or pasted
//! without bracketed paste, arrive in one burst; every one of them must run, in order, on the
//! host device and on `qemu-mps2-an385`. Ctrl-C (the byte 0x03, which the terminal turns into
//! SIGINT while an input runs) stops a running loop within 500 ms and the REPL goes on with
//! everything declared before; at the prompt it clears the line. `bscript run --timeout` stops a
//! program that runs too long, with status 2.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs `bscript [args] repl` on a pseudo-terminal, types `keys` at once, and returns what the
/// terminal showed once `expect` appeared (or everything after `limit`).
fn type_ahead(args: &[&str], keys: &str, expect: &str, limit: Duration) -> String {
    let mut terminal = Terminal::start(args);
    let start = Instant::now();
    // Wait for the banner, so that the keys arrive while the REPL waits for its first line.
    if terminal.wait_for(0, "Type .help", limit) {
        terminal.type_keys(keys.as_bytes());
        terminal.wait_for(0, expect, limit.saturating_sub(start.elapsed()));
    }
    terminal.finish()
}

/// A REPL on a pseudo-terminal: everything it showed so far, and keys to type into it.
struct Terminal {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    rx: mpsc::Receiver<Vec<u8>>,
    shown: Vec<u8>,
}

impl Terminal {
    /// Starts `bscript [args] repl` under `script`.
    fn start(args: &[&str]) -> Terminal {
        let mut command = vec![env!("CARGO_BIN_EXE_bscript").to_string()];
        command.extend(args.iter().map(|a| a.to_string()));
        command.push("repl".into());
        let mut child = Command::new("script")
            .args(["-q", "-f", "-e", "-c", &command.join(" "), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script runs");
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Terminal {
            child,
            stdin,
            rx,
            shown: Vec::new(),
        }
    }

    /// How much was shown so far, to look for what comes after it.
    fn mark(&self) -> usize {
        self.shown.len()
    }

    /// Waits up to `limit` for `text` to show after `from`; true when it did.
    fn wait_for(&mut self, from: usize, text: &str, limit: Duration) -> bool {
        let start = Instant::now();
        loop {
            if String::from_utf8_lossy(&self.shown[from.min(self.shown.len())..]).contains(text) {
                return true;
            }
            if start.elapsed() >= limit {
                return false;
            }
            if let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(5)) {
                self.shown.extend(bytes);
            }
        }
    }

    fn type_keys(&mut self, keys: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(keys).unwrap();
        stdin.flush().unwrap();
    }

    /// Types `keys` and asserts that `text` shows after them within 30 s (`what` says what
    /// that means when it does not).
    fn typed_shows(&mut self, keys: &[u8], text: &str, what: &str) {
        let from = self.mark();
        self.type_keys(keys);
        assert!(
            self.wait_for(from, text, Duration::from_secs(30)),
            "{what}; the terminal showed:\n{}",
            String::from_utf8_lossy(&self.shown)
        );
    }

    /// Types `.quit`, waits for the end and returns everything the terminal showed.
    fn finish(mut self) -> String {
        let _ = self.stdin.as_mut().unwrap().write_all(b".quit\r");
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(bytes) = self.rx.try_recv() {
            self.shown.extend(bytes);
        }
        String::from_utf8_lossy(&self.shown).into_owned()
    }
}

/// The longest time from Ctrl-C to the error on the terminal.
const STOP_WITHIN: Duration = Duration::from_millis(500);

/// Types `input`, which prints `start` and then `ready` (that second line sends both) and then
/// loops, presses Ctrl-C once `ready` shows, and returns how long `interrupted` took to show.
fn ctrl_c(t: &mut Terminal, input: &str, shown: impl Fn(&Terminal) -> String) -> Duration {
    let from = t.mark();
    t.type_keys(format!("print('start'); time.delay(30); print('ready'); {input}\r").as_bytes());
    // The output line, not the echo of the input.
    assert!(
        t.wait_for(from, "\nready\r", Duration::from_secs(60)),
        "the input should run; the terminal showed:\n{}",
        shown(t)
    );
    let from = t.mark();
    let pressed = Instant::now();
    t.type_keys(b"\x03");
    assert!(
        t.wait_for(from, "interrupted", Duration::from_secs(10)),
        "Ctrl-C should stop `{input}`; the terminal showed:\n{}",
        shown(t)
    );
    pressed.elapsed()
}

fn ctrl_c_stops_a_loop_and_the_repl_goes_on(args: &[&str]) {
    if !common::installed("script") {
        eprintln!("skipped: script (util-linux) is not installed");
        return;
    }
    let mut t = Terminal::start(args);
    let all = |t: &Terminal| String::from_utf8_lossy(&t.shown).into_owned();
    assert!(
        t.wait_for(0, "Type .help", Duration::from_secs(60)),
        "no banner: {}",
        all(&t)
    );
    t.type_keys(b"let y = 41\r");
    for input in ["let x = 0; while (true) { x++ }", "while (true) {}"] {
        let took = ctrl_c(&mut t, input, all);
        eprintln!("Ctrl-C stopped `{input}` in {took:?}");
        assert!(
            took <= STOP_WITHIN,
            "`{input}` stopped {took:?} after Ctrl-C"
        );
    }
    // The REPL goes on, with what was declared before.
    t.typed_shows(b"print(y + 1)\r", "\n42\r", "the next input should see `y`");
    // At the prompt, Ctrl-C drops the line typed so far.
    let from = t.mark();
    t.type_keys(b"print(1000 +");
    std::thread::sleep(Duration::from_millis(200));
    t.type_keys(b"\x03");
    std::thread::sleep(Duration::from_millis(200));
    t.type_keys(b"print(y)\r");
    assert!(
        t.wait_for(from, "\n41\r", Duration::from_secs(30)),
        "Ctrl-C at the prompt should clear the line only; the terminal showed:\n{}",
        all(&t)
    );
    let shown = t.finish();
    assert!(
        !shown.contains("1041"),
        "the cleared line must not run:\n{shown}"
    );
}

#[test]
fn ctrl_c_stops_a_loop_and_the_repl_goes_on_on_the_host_device() {
    ctrl_c_stops_a_loop_and_the_repl_goes_on(&[]);
}

#[test]
fn ctrl_c_stops_a_loop_and_the_repl_goes_on_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    ctrl_c_stops_a_loop_and_the_repl_goes_on(&["--target", "qemu-mps2-an385"]);
}

/// `bscript run --timeout 1` on a program that never ends: status 2 and a message that says so.
fn run_times_out(args: &[&str]) {
    let dir = std::env::temp_dir().join(format!(
        "bscript-timeout-{}-{}",
        std::process::id(),
        args.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("forever.bs");
    std::fs::write(&file, "let n = 0\nprint('on')\nwhile (true) { n++ }\n").unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(args)
        .args(["run", "--timeout", "1"])
        .arg(&file)
        .output()
        .expect("bscript runs");
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "on\n");
    assert!(
        stderr.contains("interrupted") && stderr.contains("timed out"),
        "{stderr}"
    );
    eprintln!("run --timeout 1 ended after {took:?}: {stderr}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn run_timeout_stops_a_program_on_the_host_device() {
    run_times_out(&[]);
}

#[test]
fn run_timeout_stops_a_program_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    run_times_out(&["--target", "qemu-mps2-an385"]);
}

fn typed_ahead_lines_all_run(args: &[&str]) {
    if !common::installed("script") {
        eprintln!("skipped: script (util-linux) is not installed");
        return;
    }
    // Three lines in one burst, each ended by Enter (a carriage return on a terminal), then a
    // slow input with two more lines typed while it runs.
    let keys = "let b1 = 19\rlet b2 = 23\rprint(b1 + b2)\r\
                let s = 0; for (let i = 0; i < 2000000; i++) { s += i % 3 }; print(s)\r\
                print(b1 * 1000)\rprint(b2 * 1000)\r";
    let shown = type_ahead(args, keys, "23000", Duration::from_secs(60));
    let lines: Vec<&str> = shown.lines().map(str::trim).collect();
    let position = |want: &str| lines.iter().position(|l| *l == want);
    let found: Vec<Option<usize>> = ["42", "1999999", "19000", "23000"]
        .iter()
        .map(|w| position(w))
        .collect();
    assert!(
        found.iter().all(Option::is_some) && found.windows(2).all(|w| w[0] < w[1]),
        "every typed-ahead line should run, in order; the terminal showed:\n{shown}"
    );
}

#[test]
fn typed_ahead_lines_all_run_on_the_host_device() {
    typed_ahead_lines_all_run(&[]);
}

#[test]
fn typed_ahead_lines_all_run_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    typed_ahead_lines_all_run(&["--target", "qemu-mps2-an385"]);
}

/// The text the terminal showed after `from`.
fn shown_after(t: &Terminal, from: usize) -> String {
    String::from_utf8_lossy(&t.shown[from.min(t.shown.len())..]).into_owned()
}

/// An interval's output shows above the prompt while the user types; the half-typed line is
/// drawn again below it and still runs; later inputs run while the interval goes on, and
/// `clearInterval` stops it.
fn an_interval_counts_while_the_user_types(args: &[&str]) {
    if !common::installed("script") {
        eprintln!("skipped: script (util-linux) is not installed");
        return;
    }
    let mut t = Terminal::start(args);
    let all = |t: &Terminal| String::from_utf8_lossy(&t.shown).into_owned();
    assert!(
        t.wait_for(0, "Type .help", Duration::from_secs(60)),
        "no banner: {}",
        all(&t)
    );
    t.type_keys(b"let n = 0; const id = setInterval(() => { n++; print('tick', n) }, 100)\r");
    assert!(
        t.wait_for(0, "tick 2", Duration::from_secs(30)),
        "the interval's output should show at the prompt; the terminal showed:\n{}",
        all(&t)
    );
    // Half a line typed: the ticks go on above it, and it is drawn again below each one.
    let half = "function sq(x: integer) { return x *";
    let from = t.mark();
    t.type_keys(half.as_bytes());
    assert!(
        t.wait_for(from, "tick", Duration::from_secs(10)),
        "ticks should show while a line is typed; the terminal showed:\n{}",
        all(&t)
    );
    let redrawn = Instant::now();
    loop {
        let after = shown_after(&t, from);
        let last_tick = after.rfind("tick").unwrap();
        if after[last_tick..].contains(half) {
            break;
        }
        assert!(
            redrawn.elapsed() < Duration::from_secs(5),
            "the half-typed line should be drawn again below the ticks; the terminal showed:\n{}",
            all(&t)
        );
        t.wait_for(t.mark(), "\u{0}", Duration::from_millis(20));
    }
    t.typed_shows(
        b" x }\rprint(sq(7))\r",
        "\n49\r",
        "the line finished after the ticks should run",
    );
    let from = t.mark();
    assert!(
        t.wait_for(from, "tick", Duration::from_secs(10)),
        "the interval should go on after other inputs; the terminal showed:\n{}",
        all(&t)
    );
    t.typed_shows(
        b"clearInterval(id); print('stopped')\r",
        "\nstopped\r",
        "clearInterval should run",
    );
    let from = t.mark();
    assert!(
        !t.wait_for(from, "tick", Duration::from_millis(600)),
        "clearInterval should stop the ticks; the terminal showed:\n{}",
        all(&t)
    );
    t.finish();
}

#[test]
fn an_interval_counts_while_the_user_types_on_the_host_device() {
    an_interval_counts_while_the_user_types(&[]);
}

#[test]
fn an_interval_counts_while_the_user_types_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    an_interval_counts_while_the_user_types(&["--target", "qemu-mps2-an385"]);
}
