//! [`MemLink`]: an in-memory link pair, for tests that put a fake device on the other end.

use std::io;
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use crate::Link;
use crate::link::{ChunkQueue, Received};

/// One end of an in-memory byte pipe; [`MemLink::pair`] makes both ends. Dropping one end closes
/// the link: the other end's `recv` (once it has read everything sent before) and `send` fail
/// with `UnexpectedEof` / `BrokenPipe`.
#[derive(Debug)]
pub struct MemLink {
    tx: Sender<Vec<u8>>,
    rx: ChunkQueue,
    name: String,
}

impl MemLink {
    /// Two connected ends, named "host" and "device" in [`describe`](Link::describe).
    pub fn pair() -> (MemLink, MemLink) {
        let (to_device, from_host) = mpsc::channel();
        let (to_host, from_device) = mpsc::channel();
        (
            MemLink {
                tx: to_device,
                rx: ChunkQueue::new(from_device),
                name: "in-memory link (host end)".to_owned(),
            },
            MemLink {
                tx: to_host,
                rx: ChunkQueue::new(from_host),
                name: "in-memory link (device end)".to_owned(),
            },
        )
    }
}

impl Link for MemLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.tx.send(bytes.to_vec()).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("{}: the other end is closed", self.name),
            )
        })
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self.rx.recv(buf, timeout) {
            Received::Bytes(n) => Ok(n),
            Received::Disconnected => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{}: the other end is closed", self.name),
            )),
        }
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_in_both_directions_and_in_pieces() {
        let (mut a, mut b) = MemLink::pair();
        a.send(b"hello").unwrap();
        a.send(b" world").unwrap();
        let mut buf = [0u8; 3];
        let mut got = Vec::new();
        while got.len() < 11 {
            let n = b.recv(&mut buf, Duration::from_secs(1)).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"hello world");
        b.send(b"back").unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(a.recv(&mut buf, Duration::from_secs(1)).unwrap(), 4);
        assert_eq!(&buf[..4], b"back");
    }

    #[test]
    fn timeout_gives_zero() {
        let (mut a, _b) = MemLink::pair();
        let mut buf = [0u8; 4];
        assert_eq!(a.recv(&mut buf, Duration::from_millis(10)).unwrap(), 0);
    }

    #[test]
    fn dropped_end_closes_after_pending_bytes() {
        let (mut a, mut b) = MemLink::pair();
        b.send(b"last words").unwrap();
        drop(b);
        let mut buf = [0u8; 64];
        assert_eq!(a.recv(&mut buf, Duration::from_secs(1)).unwrap(), 10);
        let e = a.recv(&mut buf, Duration::from_secs(1)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let e = a.send(b"anyone?").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    }
}
