//! The REPL on a real terminal: `script` (util-linux) runs `bscript repl` on a pseudo-terminal,
//! so the REPL uses its line editor, and the test types into it. Lines typed ahead, or pasted
//! without bracketed paste, arrive in one burst; every one of them must run, in order, on the
//! host device and on `qemu-mps2-an385`.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs `bscript [args] repl` on a pseudo-terminal, types `keys` at once, and returns what the
/// terminal showed once `expect` appeared (or everything after `limit`).
fn type_ahead(args: &[&str], keys: &str, expect: &str, limit: Duration) -> String {
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
    let mut stdin = child.stdin.take().unwrap();
    // Wait for the banner, so that the keys arrive while the REPL waits for its first line.
    let mut shown = Vec::new();
    let start = Instant::now();
    let mut typed = false;
    while start.elapsed() < limit {
        if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(50)) {
            shown.extend(bytes);
        }
        let text = String::from_utf8_lossy(&shown);
        if !typed && text.contains("Type .help") {
            stdin.write_all(keys.as_bytes()).unwrap();
            stdin.flush().unwrap();
            typed = true;
        }
        if typed && text.contains(expect) {
            break;
        }
    }
    let _ = stdin.write_all(b".quit\r");
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    while let Ok(bytes) = rx.try_recv() {
        shown.extend(bytes);
    }
    String::from_utf8_lossy(&shown).into_owned()
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
