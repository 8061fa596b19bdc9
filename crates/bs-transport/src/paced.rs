//! [`PacedLink`]: a link that moves bytes no faster than a UART at a given baud rate, in both
//! directions, so that a device on a fast link (the host device's pipes, QEMU's UART on a
//! socket) is measured as a board on a serial line would be.
//!
//! A UART sends 10 bits per byte (a start bit, 8 data bits, a stop bit), so a frame of `n`
//! bytes takes `n * 10 / baud` seconds to arrive. Each direction is a line of its own (a UART is
//! full duplex) that carries one byte after another:
//!
//! - **to the device**: `send` returns when the last byte would have arrived, and hands the
//!   bytes to the inner link as they arrive, in pieces every few milliseconds (a device that
//!   takes its bytes one at a time, as QEMU's UART does, reads them while the rest are on their
//!   way, as from a real line). While it waits, it keeps reading what the device sends, so
//!   that those bytes are timed from when they were sent.
//! - **from the device**: bytes read from the inner link join the line behind those still on
//!   their way, and `recv` hands each out once its time has come.

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

use crate::Link;

/// Bits a UART sends per byte: a start bit, 8 data bits and a stop bit (8N1).
pub const BITS_PER_BYTE: u64 = 10;

/// How often `recv` hands out what arrived of a frame that is still coming: often enough that
/// a reader never takes the frame for one that stopped half-way.
const TRICKLE: Duration = Duration::from_millis(2);

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// The time `bytes` bytes take on a UART line at `baud` bits per second (10 bits per byte),
/// rounded up to a whole nanosecond.
pub fn line_time(bytes: u64, baud: u32) -> Duration {
    let bits = u128::from(bytes) * u128::from(BITS_PER_BYTE) * NANOS_PER_SEC;
    let nanos = bits.div_ceil(u128::from(baud.max(1)));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// The first wait for an acknowledgement on a line at `baud`: `base` (what the link needs
/// without pacing) plus twice the time the longest frame takes on the wire, so that the request
/// and the device's answer both have time to cross.
pub(crate) fn line_retransmit_timeout(base: Duration, baud: u32) -> Duration {
    base + line_time(bs_protocol::MAX_FRAME_LEN as u64, baud) * 2
}

/// Bytes from the device that were read together: byte `i` arrives at `start + (i + 1)` byte
/// times.
struct Segment {
    start: Instant,
    bytes: Vec<u8>,
    /// How many were handed out.
    taken: usize,
}

/// A [`Link`] around another that paces both directions to a UART at `baud` bits per second.
pub struct PacedLink<L: Link> {
    inner: L,
    baud: u32,
    /// Bytes from the device still on their way, oldest first.
    incoming: VecDeque<Segment>,
    /// When the last byte from the device read so far arrives.
    incoming_free: Instant,
    /// When the last byte sent to the device arrives.
    outgoing_free: Instant,
    /// An error the inner link reported while bytes before it were still on their way: given
    /// out once they were.
    failed: Option<io::Error>,
    buf: Vec<u8>,
}

impl<L: Link> PacedLink<L> {
    /// Wraps `inner`, pacing it to `baud` bits per second (at least 1).
    pub fn new(inner: L, baud: u32) -> PacedLink<L> {
        let now = Instant::now();
        PacedLink {
            inner,
            baud: baud.max(1),
            incoming: VecDeque::new(),
            incoming_free: now,
            outgoing_free: now,
            failed: None,
            buf: vec![0; 4096],
        }
    }

    /// The baud rate the link is paced to.
    pub fn baud(&self) -> u32 {
        self.baud
    }

    /// The wrapped link.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    fn arrival(&self, start: Instant, bytes: usize) -> Instant {
        start + line_time(bytes as u64, self.baud)
    }

    /// Reads what the inner link has within `wait` and puts it on the line from the device.
    fn pull(&mut self, wait: Duration) {
        if self.failed.is_some() {
            std::thread::sleep(wait);
            return;
        }
        match self.inner.recv(&mut self.buf, wait) {
            Ok(0) => {}
            Ok(n) => {
                let start = Instant::now().max(self.incoming_free);
                self.incoming_free = self.arrival(start, n);
                self.incoming.push_back(Segment {
                    start,
                    bytes: self.buf[..n].to_vec(),
                    taken: 0,
                });
            }
            Err(e) => self.failed = Some(e),
        }
    }

    /// Copies into `buf` the bytes from the device that have arrived by `now`.
    fn take_arrived(&mut self, buf: &mut [u8], now: Instant) -> usize {
        let mut n = 0;
        while n < buf.len() {
            let Some(seg) = self.incoming.front_mut() else {
                break;
            };
            let elapsed = now.saturating_duration_since(seg.start).as_nanos();
            let arrived = usize::try_from(
                elapsed * u128::from(self.baud) / (u128::from(BITS_PER_BYTE) * NANOS_PER_SEC),
            )
            .unwrap_or(usize::MAX)
            .min(seg.bytes.len());
            let ready = arrived.saturating_sub(seg.taken).min(buf.len() - n);
            if ready == 0 {
                break;
            }
            buf[n..n + ready].copy_from_slice(&seg.bytes[seg.taken..seg.taken + ready]);
            seg.taken += ready;
            n += ready;
            if seg.taken == seg.bytes.len() {
                self.incoming.pop_front();
            }
        }
        n
    }

    /// When `recv` should look again while bytes are on their way: when the front segment has
    /// all arrived, or a [`TRICKLE`] from now, but not before its next byte arrives.
    fn next_look(&self, now: Instant) -> Option<Instant> {
        let seg = self.incoming.front()?;
        let next_byte = self.arrival(seg.start, seg.taken + 1);
        let all = self.arrival(seg.start, seg.bytes.len());
        Some(all.min(now + TRICKLE).max(next_byte))
    }
}

impl<L: Link> Link for PacedLink<L> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let start = Instant::now().max(self.outgoing_free);
        let done = self.arrival(start, bytes.len());
        self.outgoing_free = done;
        // The bytes are on the line until `done`: they are handed over as they arrive (every
        // TRICKLE at most), so that the device reads them while the rest are on their way, as
        // it would from a UART; what the device sends meanwhile is read now, so that it is
        // timed from when it was sent.
        let mut handed = 0;
        loop {
            let now = Instant::now();
            let elapsed = now.saturating_duration_since(start).as_nanos();
            let arrived = usize::try_from(
                elapsed * u128::from(self.baud) / (u128::from(BITS_PER_BYTE) * NANOS_PER_SEC),
            )
            .unwrap_or(usize::MAX)
            .min(bytes.len());
            if arrived > handed {
                self.inner.send(&bytes[handed..arrived])?;
                handed = arrived;
            }
            if handed == bytes.len() {
                return Ok(());
            }
            let next = self
                .arrival(start, handed + 1)
                .max((now + TRICKLE).min(done));
            self.pull(next.saturating_duration_since(now));
        }
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            let n = self.take_arrived(buf, now);
            if n > 0 {
                return Ok(n);
            }
            if self.incoming.is_empty() {
                if let Some(e) = self.failed.take() {
                    return Err(e);
                }
            }
            if now >= deadline || buf.is_empty() {
                return Ok(0);
            }
            let until = self.next_look(now).map_or(deadline, |t| t.min(deadline));
            self.pull(until.saturating_duration_since(now));
        }
    }

    fn describe(&self) -> String {
        format!("{} (paced to {} baud)", self.inner.describe(), self.baud)
    }

    /// The inner link's, plus twice the longest frame's time on the line (as for a serial port).
    fn retransmit_timeout(&self) -> Duration {
        line_retransmit_timeout(self.inner.retransmit_timeout(), self.baud)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemLink;

    const BAUD: u32 = 115_200;

    /// Reads `count` bytes from `link`, with the time each read returned.
    fn read_all(link: &mut impl Link, count: usize) -> Vec<(Instant, Vec<u8>)> {
        let mut got = Vec::new();
        let mut total = 0;
        let mut buf = [0u8; 64];
        let give_up = Instant::now() + Duration::from_secs(5);
        while total < count {
            assert!(
                Instant::now() < give_up,
                "only {total} of {count} bytes came"
            );
            let n = link.recv(&mut buf, Duration::from_millis(50)).unwrap();
            if n > 0 {
                got.push((Instant::now(), buf[..n].to_vec()));
                total += n;
            }
        }
        got
    }

    /// `got` (from [`read_all`]) is `expected`, in order, no byte of it came before its time on
    /// a line of `baud` that began at `started`, and it came in at least 10 pieces (as the
    /// bytes arrived, not all at the end).
    fn assert_arrived_in_time(
        got: &[(Instant, Vec<u8>)],
        expected: &[u8],
        started: Instant,
        baud: u32,
    ) {
        let joined: Vec<u8> = got.iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(joined, expected);
        let mut count = 0;
        for (at, piece) in got {
            count += piece.len();
            let due = line_time(count as u64, baud);
            assert!(at.duration_since(started) >= due, "{count} bytes by {at:?}");
        }
        assert!(got.len() >= 10, "the bytes came in {} pieces", got.len());
    }

    fn bytes(count: usize) -> Vec<u8> {
        (0..count).map(|i| (i * 7 + i / 256) as u8).collect()
    }

    #[test]
    fn line_time_is_ten_bits_per_byte() {
        assert_eq!(line_time(1152, 115_200), Duration::from_millis(100));
        assert_eq!(line_time(96, 9_600), Duration::from_millis(100));
        assert_eq!(line_time(0, 9_600), Duration::ZERO);
    }

    #[test]
    fn bytes_from_the_device_arrive_at_the_line_rate_in_order() {
        let (host, mut device) = MemLink::pair();
        let mut host = PacedLink::new(host, BAUD);
        // 1152 bytes take 100 ms at 115200 baud, sent in pieces as a device might.
        let data = bytes(1152);
        let started = Instant::now();
        for piece in data.chunks(100) {
            device.send(piece).unwrap();
        }
        let got = read_all(&mut host, data.len());
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(100), "took {took:?}");
        assert!(took < Duration::from_millis(250), "took {took:?}");
        // No byte came before its time, and they trickled in rather than all at the end.
        assert_arrived_in_time(&got, &data, started, BAUD);
    }

    #[test]
    fn bytes_to_the_device_arrive_at_the_line_rate_in_order() {
        let (host, mut device) = MemLink::pair();
        let mut host = PacedLink::new(host, 9_600);
        let started = Instant::now();
        let reader = std::thread::spawn(move || read_all(&mut device, 96 + 48));
        // 96 bytes take 100 ms at 9600 baud; two frames one after the other take 150 ms.
        host.send(&bytes(96)).unwrap();
        let first = started.elapsed();
        host.send(&bytes(96)[..48]).unwrap();
        let second = started.elapsed();
        assert!(first >= Duration::from_millis(100), "{first:?}");
        assert!(first < Duration::from_millis(150), "{first:?}");
        assert!(second >= Duration::from_millis(150), "{second:?}");
        assert!(second < Duration::from_millis(250), "{second:?}");
        let got = reader.join().unwrap();
        let mut expected = bytes(96);
        expected.extend_from_slice(&bytes(96)[..48]);
        // No byte reached the device before its time, and they came in pieces as they arrived.
        assert_arrived_in_time(&got, &expected, started, 9_600);
    }

    #[test]
    fn what_the_device_sends_while_the_host_sends_is_timed_from_when_it_was_sent() {
        let (host, mut device) = MemLink::pair();
        let mut host = PacedLink::new(host, 9_600);
        // The device answers at once (48 bytes: 50 ms) while the host's 96 bytes take 100 ms:
        // both lines are busy at the same time, so the answer is there when the send returns.
        device.send(&bytes(48)).unwrap();
        let started = Instant::now();
        host.send(&bytes(96)).unwrap();
        let mut buf = [0u8; 64];
        let n = host.recv(&mut buf, Duration::ZERO).unwrap();
        assert_eq!(n, 48, "after {:?}", started.elapsed());
        assert_eq!(&buf[..n], &bytes(48)[..]);
    }

    #[test]
    fn a_closed_link_is_reported_after_the_bytes_before_it() {
        let (host, mut device) = MemLink::pair();
        let mut host = PacedLink::new(host, BAUD);
        device.send(b"last words").unwrap();
        drop(device);
        let got = read_all(&mut host, 10);
        let joined: Vec<u8> = got.iter().flat_map(|(_, b)| b.clone()).collect();
        assert_eq!(joined, b"last words");
        let mut buf = [0u8; 16];
        let e = host.recv(&mut buf, Duration::from_secs(1)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn the_retransmission_timeout_grows_as_the_rate_falls() {
        let (host, _device) = MemLink::pair();
        let fast = PacedLink::new(host, 115_200).retransmit_timeout();
        let (host, _device) = MemLink::pair();
        let slow = PacedLink::new(host, 9_600).retransmit_timeout();
        // 50 ms, plus twice 1034 bytes' time: about 180 ms at 115200, 2154 ms at 9600.
        assert!(fast > Duration::from_millis(225) && fast < Duration::from_millis(235));
        assert!(slow > Duration::from_millis(2200) && slow < Duration::from_millis(2210));
    }
}
