//! [`ProcessLink`]: a device that is a child process (the `host` runtime), spoken to over its
//! standard input and output. Its standard output is read on a background thread so `recv` can
//! time out, and the last few KiB of its standard error are kept for error messages.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::Link;
use crate::link::{ChunkQueue, Received};

/// How many bytes of the child's standard error [`ProcessLink`] keeps.
pub const STDERR_TAIL_BYTES: usize = 4096;

/// How long to wait for a child whose output closed to exit, so its status can be reported.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// How long a child may take to exit after its input closed before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// A link to a child process over its standard input and output.
///
/// The child is killed when the link is dropped. When the child's output closes, `recv` fails
/// with `UnexpectedEof` (and `send` with `BrokenPipe`), and the error's message names the
/// program, its exit status and the tail of its standard error.
#[derive(Debug)]
pub struct ProcessLink {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChunkQueue,
    stderr_tail: Arc<Mutex<VecDeque<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
    description: String,
}

impl ProcessLink {
    /// Starts `program` with `args`.
    pub fn spawn<I, S>(program: impl AsRef<Path>, args: I) -> io::Result<ProcessLink>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(program.as_ref());
        command.args(args);
        ProcessLink::from_command(command)
    }

    /// Starts a prepared command (for its environment or working directory); its standard
    /// input, output and error are replaced by pipes.
    pub fn from_command(mut command: Command) -> io::Result<ProcessLink> {
        let mut description = format!("process `{}", command.get_program().to_string_lossy());
        for arg in command.get_args() {
            description.push(' ');
            description.push_str(&arg.to_string_lossy());
        }
        description.push('`');

        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // In a process group of its own, so that Ctrl-C on the terminal (SIGINT to the
        // foreground group) reaches bscript, which interrupts the running code, and not the
        // device, which would die.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot start {description}: {e}")))?;
        description.push_str(&format!(" (pid {})", child.id()));

        let (Some(stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!(
                "{description}: its standard streams were not piped"
            )));
        };

        let (tx, rx) = mpsc::channel();
        thread::Builder::new()
            .name("bs-device-stdout".to_owned())
            .spawn(move || {
                let mut buf = vec![0u8; 4096];
                loop {
                    match stdout.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if tx.send(buf[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            })?;

        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL_BYTES)));
        let tail_writer = Arc::clone(&tail);
        let stderr_reader = thread::Builder::new()
            .name("bs-device-stderr".to_owned())
            .spawn(move || {
                let mut buf = [0u8; 1024];
                loop {
                    match stderr.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            let mut tail =
                                tail_writer.lock().unwrap_or_else(PoisonError::into_inner);
                            tail.extend(&buf[..n]);
                            let excess = tail.len().saturating_sub(STDERR_TAIL_BYTES);
                            tail.drain(..excess);
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
            })?;

        Ok(ProcessLink {
            child,
            stdin: Some(stdin),
            stdout: ChunkQueue::new(rx),
            stderr_tail: tail,
            stderr_reader: Some(stderr_reader),
            description,
        })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The child's exit status if it has exited, without waiting.
    pub fn try_exit_status(&mut self) -> io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Waits up to `timeout` for the child to exit; `None` if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
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

    /// The last [`STDERR_TAIL_BYTES`] bytes the child wrote to standard error (lossy UTF-8).
    pub fn stderr_tail(&self) -> String {
        let tail = self
            .stderr_tail
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (a, b) = tail.as_slices();
        String::from_utf8_lossy(&[a, b].concat()).into_owned()
    }

    /// Kills the child (if it is still running) and reaps it.
    pub fn kill(&mut self) -> io::Result<()> {
        // Closing its input asks the runtime to exit; a moment for that lets a tool wrapped
        // around it (a profiler) finish its work. Only a child that does not exit is killed.
        self.stdin = None;
        if self.wait_exit(STOP_GRACE)?.is_none() {
            // It may exit between the check and the kill; that is fine.
            let _ = self.child.kill();
        }
        self.child.wait().map(|_| ())
    }

    /// The error for a child whose output or input closed (`what` happened): its exit status
    /// (waiting briefly for it) and the tail of its standard error.
    fn closed_error(&mut self, kind: io::ErrorKind, what: &str) -> io::Error {
        let status = self.wait_exit(EXIT_GRACE);
        // Give the stderr reader a moment to collect the last words of an exited child.
        if let Some(reader) = &self.stderr_reader {
            let deadline = Instant::now() + Duration::from_millis(500);
            while !reader.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(2));
            }
        }
        let status = match status {
            Ok(Some(status)) => match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => format!("was killed ({status})"),
            },
            Ok(None) => "is still running".to_owned(),
            Err(e) => format!("is in an unknown state ({e})"),
        };
        let tail = self.stderr_tail();
        let tail = tail.trim_end();
        let stderr = if tail.is_empty() {
            "it wrote nothing to standard error".to_owned()
        } else {
            format!("the end of its standard error:\n{tail}")
        };
        io::Error::new(
            kind,
            format!("{} {what}: it {status}; {stderr}", self.description),
        )
    }
}

impl Link for ProcessLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = match &mut self.stdin {
            Some(stdin) => stdin.write_all(bytes).and_then(|()| stdin.flush()),
            None => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.stdin = None;
                Err(self.closed_error(io::ErrorKind::BrokenPipe, "stopped reading its input"))
            }
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!("cannot send to {}: {e}", self.description),
            )),
        }
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self.stdout.recv(buf, timeout) {
            Received::Bytes(n) => Ok(n),
            Received::Disconnected => {
                Err(self.closed_error(io::ErrorKind::UnexpectedEof, "closed its output"))
            }
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

impl Drop for ProcessLink {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}
