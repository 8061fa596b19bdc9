//! [`TcpLink`]: a device behind a TCP connection, such as QEMU's UART on a loopback port. The
//! socket is read on a background thread so that `recv` can time out; connecting retries until
//! something listens on the address or a deadline passes, because an emulator starting up opens
//! its port some time after it was launched.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::Link;
use crate::link::{ChunkQueue, Received};

/// The first pause between two connection attempts; it doubles up to [`MAX_RETRY_PAUSE`].
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(2);
const MAX_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// A link over a TCP connection.
///
/// `TCP_NODELAY` is set: frames are small and each waits for its reply, so Nagle's algorithm
/// would only add delay. When the other end closes the connection, `recv` fails with
/// `UnexpectedEof` (or `ConnectionReset`) once everything it sent has been read, and `send`
/// with `BrokenPipe` or `ConnectionReset`. Dropping the link closes the connection.
#[derive(Debug)]
pub struct TcpLink {
    stream: TcpStream,
    rx: ChunkQueue,
    /// How the reader thread ended: `None` for an orderly close.
    ended: Arc<Mutex<Option<io::Error>>>,
    reader: Option<JoinHandle<()>>,
    description: String,
}

impl TcpLink {
    /// Connects to `addr`, trying again while nothing listens there, until `timeout` has passed.
    pub fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<TcpLink> {
        TcpLink::connect_while(addr, timeout, &mut || Ok(()))
    }

    /// Like [`connect`](TcpLink::connect), but calls `keep_trying` before every attempt after the
    /// first and gives up with its error: e.g. when the process that should open the port died.
    pub fn connect_while(
        addr: SocketAddr,
        timeout: Duration,
        keep_trying: &mut dyn FnMut() -> io::Result<()>,
    ) -> io::Result<TcpLink> {
        let deadline = Instant::now() + timeout;
        let mut pause = FIRST_RETRY_PAUSE;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let attempt =
                TcpStream::connect_timeout(&addr, remaining.max(Duration::from_millis(1)));
            let error = match attempt {
                Ok(stream) => return TcpLink::from_stream(stream),
                Err(e) => e,
            };
            let retry = matches!(
                error.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::TimedOut
                    | io::ErrorKind::WouldBlock
                    | io::ErrorKind::Interrupted
            );
            let now = Instant::now();
            if !retry || now >= deadline {
                return Err(io::Error::new(
                    if retry {
                        io::ErrorKind::TimedOut
                    } else {
                        error.kind()
                    },
                    format!(
                        "cannot connect to {addr} within {} ms: {error}",
                        timeout.as_millis()
                    ),
                ));
            }
            thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(MAX_RETRY_PAUSE);
            keep_trying()?;
        }
    }

    /// Wraps a connected stream.
    pub fn from_stream(stream: TcpStream) -> io::Result<TcpLink> {
        stream.set_nodelay(true)?;
        let peer = stream.peer_addr()?;
        let description = format!("TCP connection to {peer}");
        let mut reading = stream.try_clone()?;
        let ended = Arc::new(Mutex::new(None));
        let ended_by_reader = Arc::clone(&ended);
        let (tx, rx) = mpsc::channel();
        let reader = thread::Builder::new()
            .name("bs-device-tcp".to_owned())
            .spawn(move || {
                let mut buf = vec![0u8; 4096];
                loop {
                    match reading.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if tx.send(buf[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            *ended_by_reader
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner) = Some(e);
                            break;
                        }
                    }
                }
            })?;
        Ok(TcpLink {
            stream,
            rx: ChunkQueue::new(rx),
            ended,
            reader: Some(reader),
            description,
        })
    }

    /// The address of the other end.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.stream.peer_addr()
    }
}

impl Link for TcpLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot send to {}: {e}", self.description),
            )
        })
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self.rx.recv(buf, timeout) {
            Received::Bytes(n) => Ok(n),
            Received::Disconnected => {
                let ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
                Err(match &*ended {
                    Some(e) => io::Error::new(e.kind(), format!("{}: {e}", self.description)),
                    None => io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("{} was closed by the other end", self.description),
                    ),
                })
            }
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

impl Drop for TcpLink {
    fn drop(&mut self) {
        // Wakes the reader thread, which then ends.
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}
