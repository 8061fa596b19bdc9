//! A device on a serial port, without hardware: QEMU runs the `qemu-mps2-an385` (and for the reset
//! test also the `stm32f405`) runtime image
//! with its UART on a pseudo-terminal (`-serial pty`), and the host opens that terminal with
//! [`SerialLink`] as it would a board's port. QEMU's monitor listens on a Unix socket, so a
//! test can press the board's reset button (`system_reset`). Skipped, with a message, when `qemu-system-arm` or
//! `arm-none-eabi-gcc` is not installed. QEMU is killed at the end of every test, even a failed
//! one.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use bs_protocol::Arch;
use bs_session::{Outcome, Session, SessionOptions};
use bs_transport::{DEFAULT_BAUD, Device, SerialLink};

const TARGET: &str = "qemu-mps2-an385";

fn installed(program: &str) -> bool {
    bs_session::find_program(program).is_some()
}

/// QEMU running the target's runtime image with its UART on a pseudo-terminal; killed on drop.
struct PtyQemu {
    child: Child,
    /// The pseudo-terminal, e.g. `/dev/pts/3`.
    pty: String,
    build_id: u64,
    /// The monitor's socket (removed on drop).
    monitor: std::path::PathBuf,
}

impl PtyQemu {
    /// Starts it, or returns `None` (after saying so) without the tools.
    fn start() -> Option<PtyQemu> {
        PtyQemu::start_target(TARGET)
    }

    /// Starts QEMU as the port table describes the target's machine.
    fn start_target(target: &str) -> Option<PtyQemu> {
        for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
            if !installed(tool) {
                eprintln!("skipped: {tool} is not installed");
                return None;
            }
        }
        let port = bs_toolchain::port(target).unwrap();
        let runtime = bs_toolchain::ensure_runtime(port).expect("the runtime image builds");
        let bs_toolchain::Launch::Qemu(machine) = port.launch else {
            panic!("{target} does not run in QEMU");
        };
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let socket = std::env::temp_dir().join(format!(
            "bs-serial-monitor-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let monitor = format!("unix:{},server=on,wait=off", socket.display());
        let mut child = Command::new(machine.program)
            .args(["-M", machine.machine, "-cpu", machine.cpu, "-kernel"])
            .arg(&runtime.image)
            .args([
                "-nographic",
                "-semihosting-config",
                "enable=on,target=native",
                "-serial",
                "pty",
                "-monitor",
            ])
            .arg(&monitor)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("QEMU starts");
        // QEMU names the terminal on its standard output (or error, in some versions).
        let (tx, rx) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut qemu = PtyQemu {
            child,
            pty: String::new(),
            build_id: runtime.build_id,
            monitor: socket,
        };
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
            if let Some(rest) = line.split("redirected to ").nth(1) {
                qemu.pty = rest.split_whitespace().next().unwrap_or("").to_owned();
                break;
            }
        }
        assert!(
            qemu.pty.starts_with("/dev/"),
            "QEMU did not name its pseudo-terminal"
        );
        Some(qemu)
    }
}

impl PtyQemu {
    /// Gives QEMU's monitor a command (e.g. `system_reset`).
    fn monitor(&self, command: &str) {
        use std::io::Write;
        let mut socket =
            std::os::unix::net::UnixStream::connect(&self.monitor).expect("the monitor listens");
        socket
            .write_all(format!("{command}\n").as_bytes())
            .expect("the monitor takes the command");
        // Wait for the monitor's answer (its prompt after the command), so the command ran.
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a read timeout");
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = std::io::Read::read(&mut socket, &mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&seen).matches("(qemu)").count() >= 2 {
                break;
            }
        }
    }
}

impl Drop for PtyQemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.monitor);
    }
}

#[test]
fn hello_over_a_pseudo_terminal() {
    let Some(qemu) = PtyQemu::start() else { return };
    let link = SerialLink::open(&qemu.pty, DEFAULT_BAUD).expect("the pseudo-terminal opens");
    assert!(
        bs_transport::Link::describe(&link).contains(&qemu.pty),
        "the description names the port"
    );
    let (mut device, info) =
        Device::connect(link, Duration::from_secs(10)).expect("the device answers HELLO");
    assert_eq!(info.arch, Arch::Thumb2);
    assert_eq!(info.ptr_size, 4);
    assert_eq!(info.version, bs_protocol::PROTOCOL_VERSION);
    assert_eq!(u64::from_le_bytes(info.build_id), qemu.build_id);
    let mem = device.meminfo(false).expect("MEMINFO");
    assert_eq!(mem.heap_size, mem.heap_used + mem.heap_free);
}

#[test]
fn a_session_on_a_serial_port_runs_code_and_reports_a_dead_device() {
    let Some(mut qemu) = PtyQemu::start() else {
        return;
    };
    let options = SessionOptions {
        target: TARGET.to_string(),
        serial_port: Some(qemu.pty.clone()),
        ..Default::default()
    };
    let mut session = Session::start(&options).expect("the session attaches");
    assert_eq!(session.device_process_id(), 0);
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<a>", "let x = 6\nprint(x * 7)", &mut |_, b| {
        out.extend_from_slice(b)
    });
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(String::from_utf8_lossy(&out), "42\n");

    // The device dies: the session says so and does not pretend to restart it.
    let _ = qemu.child.kill();
    let _ = qemu.child.wait();
    let (outcome, _) = session.eval("<b>", "print(x)", &mut |_, _| {});
    match outcome {
        Outcome::DeviceError { message, restarted } => {
            assert!(!restarted);
            assert!(message.contains("cannot be restarted"), "{message}");
            assert!(message.contains(&qemu.pty), "{message}");
        }
        other => panic!("expected a device error, got {other:?}"),
    }
}

#[test]
fn a_board_reset_is_detected_and_the_session_starts_afresh() {
    board_reset_is_detected(TARGET);
}

#[test]
fn an_stm32f405_reset_is_detected_and_the_session_starts_afresh() {
    board_reset_is_detected("stm32f405");
}

fn board_reset_is_detected(target: &str) {
    let Some(qemu) = PtyQemu::start_target(target) else {
        return;
    };
    let options = SessionOptions {
        target: target.to_string(),
        serial_port: Some(qemu.pty.clone()),
        ..Default::default()
    };
    let mut session = Session::start(&options).expect("the session attaches");
    let before = session.device_info().session_id;
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<a>", "let kept = 41\nprint(kept + 1)", &mut |_, b| {
        out.extend_from_slice(b)
    });
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(String::from_utf8_lossy(&out), "42\n");

    // The reset button: the board restarts with empty memory and a new session id.
    qemu.monitor("system_reset");
    let (outcome, _) = session.eval("<b>", "print(kept + 2)", &mut |_, _| {});
    match outcome {
        Outcome::DeviceError { message, restarted } => {
            assert!(restarted, "a new session started: {message}");
            assert!(message.contains("was reset"), "{message}");
        }
        other => panic!("expected the reset to be reported, got {other:?}"),
    }
    assert_ne!(session.device_info().session_id, before);

    // The new session knows nothing of the old one, and works.
    let (outcome, _) = session.eval("<c>", "print(kept)", &mut |_, _| {});
    assert!(matches!(outcome, Outcome::CompileError(_)), "{outcome:?}");
    let mut out = Vec::new();
    let (outcome, _) = session.eval("<d>", "let kept = 7\nprint(kept * 6)", &mut |_, b| {
        out.extend_from_slice(b)
    });
    assert!(matches!(outcome, Outcome::Ok), "{outcome:?}");
    assert_eq!(String::from_utf8_lossy(&out), "42\n");
}
