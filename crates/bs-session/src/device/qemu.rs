//! [`QemuLink`]: a device that is a QEMU system emulator running the runtime image, spoken to
//! over its UART on a loopback TCP connection.
//!
//! The host binds the listening socket itself (127.0.0.1, a port the kernel picks) and hands it
//! to QEMU as its standard input (`-chardev socket,fd=0,server=on,wait=on`): no other process
//! can take the port between choosing it and QEMU listening on it, and the connection is ours
//! even when many sessions start at once. QEMU waits for the connection before the CPU starts, so
//! nothing the device sends is lost. `setpriv --pdeathsig KILL` (util-linux), when present,
//! makes the kernel kill QEMU if bscript dies without cleaning up; dropping the link kills it too.
//! (The kernel sends that signal when the *thread* that started QEMU ends: a session moved to
//! another thread loses its device when the starting thread ends, and restarts it.)

use std::collections::VecDeque;
use std::io::{self, Read};
use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bs_toolchain::QemuMachine;
use bs_transport::{Link, TcpLink};

/// How many bytes of QEMU's output (standard output and error, e.g. semihosting messages of a
/// runtime that panicked) are kept for error messages.
const OUTPUT_TAIL_BYTES: usize = 4096;

/// How long to wait for QEMU to exit after its connection broke, so its status can be reported.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// How long QEMU has to accept the connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A QEMU process and the TCP connection to its UART.
pub(crate) struct QemuLink {
    child: Child,
    link: TcpLink,
    output: Arc<Mutex<VecDeque<u8>>>,
    readers: Vec<JoinHandle<()>>,
    description: String,
}

/// The first `name` on the PATH, if any.
/// The program `name` (a path when it holds a `/`, else looked up on the `PATH`), if it exists.
pub fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let p = PathBuf::from(name);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Keeps the last [`OUTPUT_TAIL_BYTES`] bytes read from `stream` in `tail`.
fn collect_tail(
    mut stream: impl Read + Send + 'static,
    tail: Arc<Mutex<VecDeque<u8>>>,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("bs-qemu-output".to_owned())
        .spawn(move || {
            let mut buf = [0u8; 1024];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
                        tail.extend(&buf[..n]);
                        let excess = tail.len().saturating_sub(OUTPUT_TAIL_BYTES);
                        tail.drain(..excess);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        })
}

impl QemuLink {
    /// Starts `machine` with the runtime image `kernel` and connects to its UART. With `icount`
    /// the guest's clock counts instructions (one per nanosecond): run times become repeatable
    /// instruction counts (1 µs = 1000 instructions).
    pub(crate) fn start(
        machine: &QemuMachine,
        kernel: &Path,
        icount: bool,
    ) -> io::Result<QemuLink> {
        let qemu = find_program(machine.program).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "cannot find `{}` on the PATH (is it installed? scripts/setup.sh installs it)",
                    machine.program
                ),
            )
        })?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;

        let mut command = match find_program("setpriv") {
            Some(setpriv) => {
                let mut c = Command::new(setpriv);
                c.args(["--pdeathsig", "KILL", "--"]).arg(&qemu);
                c
            }
            None => Command::new(&qemu),
        };
        command
            .args(["-M", machine.machine, "-cpu", machine.cpu])
            // QEMU keeps translated code in a cache of 1 GiB by default, which it fills a bit
            // more with each new unit: bounded at 4 MiB (ample for a microcontroller's code),
            // it is flushed when full, and a long session's QEMU stays small.
            .args(["-accel", "tcg,tb-size=4", "-kernel"])
            .arg(kernel)
            .args([
                "-nographic",
                "-monitor",
                "none",
                "-semihosting-config",
                "enable=on,target=native",
                "-chardev",
                "socket,id=link,fd=0,server=on,wait=on,nodelay=on",
                "-serial",
                "chardev:link",
            ])
            .args(if icount {
                &["-icount", "shift=0"][..]
            } else {
                &[][..]
            })
            // Its own process group: Ctrl-C on the terminal is bscript's, to interrupt the
            // running code, not QEMU's.
            .process_group(0)
            .stdin(Stdio::from(OwnedFd::from(listener)))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| {
            io::Error::new(e.kind(), format!("cannot start {}: {e}", machine.program))
        })?;
        // The command holds our copy of the listening socket: only QEMU's copy may remain, so
        // that the connection breaks when QEMU dies.
        drop(command);
        let description = format!(
            "QEMU {} (pid {}), UART on {addr}",
            machine.machine,
            child.id()
        );

        let output = Arc::new(Mutex::new(VecDeque::with_capacity(OUTPUT_TAIL_BYTES)));
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(collect_tail(stdout, Arc::clone(&output))?);
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(collect_tail(stderr, Arc::clone(&output))?);
        }
        // The socket listens already, so this connects at once; QEMU accepts when it is ready.
        let link = match TcpLink::connect(addr, CONNECT_TIMEOUT) {
            Ok(link) => link,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        Ok(QemuLink {
            child,
            link,
            output,
            readers,
            description,
        })
    }

    /// QEMU's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_exit(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            thread::sleep((deadline - now).min(Duration::from_millis(5)));
        }
    }

    /// The error for a broken connection: QEMU's exit status (waiting briefly for it) and the
    /// end of its output.
    fn closed_error(&mut self, error: io::Error) -> io::Error {
        let status = match self.wait_exit(EXIT_GRACE) {
            Ok(Some(status)) => match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => format!("was killed ({status})"),
            },
            Ok(None) => "is still running".to_owned(),
            Err(e) => format!("is in an unknown state ({e})"),
        };
        // Let the readers collect the last words of an exited QEMU.
        let deadline = Instant::now() + Duration::from_millis(500);
        while self.readers.iter().any(|r| !r.is_finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(2));
        }
        let tail = {
            let tail = self.output.lock().unwrap_or_else(PoisonError::into_inner);
            let (a, b) = tail.as_slices();
            String::from_utf8_lossy(&[a, b].concat()).into_owned()
        };
        // QEMU's notice that it waits for the connection is not worth repeating.
        let tail: Vec<&str> = tail
            .lines()
            .filter(|l| !l.contains("QEMU waiting for connection"))
            .collect();
        let output = if tail.is_empty() {
            "it wrote nothing".to_owned()
        } else {
            format!("the end of its output:\n{}", tail.join("\n"))
        };
        io::Error::new(
            error.kind(),
            format!("{}: {error}; QEMU {status}; {output}", self.description),
        )
    }
}

fn is_closed(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
    )
}

impl Link for QemuLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.link.send(bytes) {
            Err(e) if is_closed(e.kind()) => Err(self.closed_error(e)),
            other => other,
        }
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self.link.recv(buf, timeout) {
            Err(e) if is_closed(e.kind()) => Err(self.closed_error(e)),
            other => other,
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }

    /// An emulated board answers more slowly than a process when the machine is busy: more
    /// patience saves needless repetitions.
    fn retransmit_timeout(&self) -> Duration {
        Duration::from_millis(100)
    }
}

impl Drop for QemuLink {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // It may exit between the check and the kill; that is fine.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}
