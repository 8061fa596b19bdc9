//! The [`Link`] trait, a byte pipe to a device with a receive timeout, and the chunk queue the
//! thread-backed links share.

use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// A byte pipe to a device.
///
/// Errors whose [`io::ErrorKind`] is `UnexpectedEof`, `BrokenPipe`, `ConnectionReset` or
/// `ConnectionAborted` mean the other end is gone; [`Device`](crate::Device) reports them as
/// [`LinkError::Closed`](crate::LinkError::Closed) with the error's message as the detail, so a
/// link should put what it knows of the cause (an exit status, the last output) in that message.
pub trait Link: Send {
    /// Sends all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Waits up to `timeout` for bytes and copies what arrived into `buf`; `Ok(0)` means the
    /// timeout passed with nothing received.
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// What the link is connected to, for messages (e.g. "process `bs-host` (pid 42)").
    fn describe(&self) -> String;
    /// How long to wait for the device to acknowledge a request before sending it again (the
    /// first time; the wait doubles after each repetition). Slow links need longer: the request
    /// itself must have time to arrive.
    fn retransmit_timeout(&self) -> Duration {
        DEFAULT_RETRANSMIT_TIMEOUT
    }
}

/// The first wait for an acknowledgement on a fast link (a pipe, a socket).
pub const DEFAULT_RETRANSMIT_TIMEOUT: Duration = Duration::from_millis(50);

impl<L: Link + ?Sized> Link for Box<L> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        (**self).send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        (**self).recv(buf, timeout)
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn retransmit_timeout(&self) -> Duration {
        (**self).retransmit_timeout()
    }
}

/// Whether an IO error means the other end of a link is gone.
pub(crate) fn is_closed(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::UnexpectedEof
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
    )
}

/// Receives chunks of bytes from a channel and hands them out in pieces of any size.
#[derive(Debug)]
pub(crate) struct ChunkQueue {
    rx: Receiver<Vec<u8>>,
    pending: Vec<u8>,
    pos: usize,
}

/// What [`ChunkQueue::recv`] found.
pub(crate) enum Received {
    /// This many bytes were copied (0 = timed out).
    Bytes(usize),
    /// The sender is gone and everything it sent was handed out.
    Disconnected,
}

impl ChunkQueue {
    pub(crate) fn new(rx: Receiver<Vec<u8>>) -> ChunkQueue {
        ChunkQueue {
            rx,
            pending: Vec::new(),
            pos: 0,
        }
    }

    pub(crate) fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> Received {
        if buf.is_empty() {
            return Received::Bytes(0);
        }
        if self.pos == self.pending.len() {
            match self.rx.recv_timeout(timeout) {
                Ok(chunk) => {
                    self.pending = chunk;
                    self.pos = 0;
                }
                Err(RecvTimeoutError::Timeout) => return Received::Bytes(0),
                Err(RecvTimeoutError::Disconnected) => return Received::Disconnected,
            }
        }
        let n = buf.len().min(self.pending.len() - self.pos);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Received::Bytes(n)
    }
}
