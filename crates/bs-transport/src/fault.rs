//! [`FaultLink`]: a link that loses, damages, repeats and delays frames on purpose, in both
//! directions, at configurable rates ([`FaultRates`]), to test the reliable link against what
//! real UARTs do. It is deterministic for a given seed.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bs_protocol::{Deframer, encode_frame};

use crate::Link;

/// How often each fault happens, as probabilities per frame (0 to 1), and the seed of the
/// pseudo-random choices. Faults are independent: a frame may be both repeated and delayed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultRates {
    /// A frame is lost.
    pub drop: f64,
    /// One bit of a frame is flipped (its CRC no longer matches).
    pub corrupt: f64,
    /// A frame arrives twice.
    pub duplicate: f64,
    /// A frame is held back for up to [`max_delay`](FaultRates::max_delay), so later frames
    /// overtake it.
    pub delay: f64,
    /// The longest delay.
    pub max_delay: Duration,
    /// The seed of the pseudo-random choices.
    pub seed: u64,
}

impl Default for FaultRates {
    fn default() -> Self {
        FaultRates {
            drop: 0.0,
            corrupt: 0.0,
            duplicate: 0.0,
            delay: 0.0,
            max_delay: Duration::from_millis(100),
            seed: 1,
        }
    }
}

impl fmt::Display for FaultRates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "drop={}%,corrupt={}%,duplicate={}%,delay={}%,max-delay={}ms,seed={}",
            self.drop * 100.0,
            self.corrupt * 100.0,
            self.duplicate * 100.0,
            self.delay * 100.0,
            self.max_delay.as_millis(),
            self.seed
        )
    }
}

impl FromStr for FaultRates {
    type Err = String;

    /// Parses `drop=5%,corrupt=5%,duplicate=1%,delay=1%,max-delay=100ms,seed=7`: any subset, in
    /// any order; a rate is a percentage (`5%`) or a fraction (`0.05`).
    fn from_str(text: &str) -> Result<FaultRates, String> {
        let mut rates = FaultRates::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}` is not KEY=VALUE"))?;
            let rate = || -> Result<f64, String> {
                let (number, scale) = match value.strip_suffix('%') {
                    Some(n) => (n, 0.01),
                    None => (value, 1.0),
                };
                let r = number
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("`{value}` is not a rate (say 5% or 0.05)"))?
                    * scale;
                if (0.0..=1.0).contains(&r) {
                    Ok(r)
                } else {
                    Err(format!("the rate `{value}` is not between 0% and 100%"))
                }
            };
            match key.trim() {
                "drop" => rates.drop = rate()?,
                "corrupt" => rates.corrupt = rate()?,
                "duplicate" => rates.duplicate = rate()?,
                "delay" => rates.delay = rate()?,
                "max-delay" => {
                    let ms = value.trim().trim_end_matches("ms");
                    let ms = ms
                        .parse::<u64>()
                        .map_err(|_| format!("`{value}` is not a delay in milliseconds"))?;
                    rates.max_delay = Duration::from_millis(ms);
                }
                "seed" => {
                    rates.seed = value
                        .trim()
                        .parse()
                        .map_err(|_| format!("`{value}` is not a seed (a whole number)"))?
                }
                other => {
                    return Err(format!(
                        "unknown fault `{other}` (known: drop, corrupt, duplicate, delay, \
                         max-delay, seed)"
                    ));
                }
            }
        }
        Ok(rates)
    }
}

/// What a [`FaultLink`] did so far, both directions together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Frames that passed through.
    pub frames: u64,
    /// Frames lost.
    pub dropped: u64,
    /// Frames damaged.
    pub corrupted: u64,
    /// Frames sent twice.
    pub duplicated: u64,
    /// Frames held back.
    pub delayed: u64,
}

/// Frames on their way in one direction: bytes and the time they may be delivered.
#[derive(Default)]
struct Lane {
    deframer: Deframer,
    queue: VecDeque<(Instant, Vec<u8>)>,
}

impl Lane {
    /// Takes every frame due by `now`, in the order it was queued.
    fn take_due(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut due = Vec::new();
        let mut i = 0;
        while i < self.queue.len() {
            if self.queue[i].0 <= now {
                if let Some((_, bytes)) = self.queue.remove(i) {
                    due.push(bytes);
                }
            } else {
                i += 1;
            }
        }
        due
    }

    fn next_due(&self) -> Option<Instant> {
        self.queue.iter().map(|(t, _)| *t).min()
    }
}

/// A [`Link`] around another that damages the frames going through it, in both directions.
///
/// Bytes are cut into frames with the protocol's [`Deframer`]; bytes outside frames (boot
/// messages on a UART) are dropped. A delayed frame is held until its time comes and is
/// delivered by a later `send` or `recv`.
pub struct FaultLink<L: Link> {
    inner: L,
    rates: FaultRates,
    rng: u64,
    to_device: Lane,
    from_device: Lane,
    /// Bytes from the device ready for the caller.
    ready: VecDeque<u8>,
    buf: Vec<u8>,
    stats: Arc<Mutex<FaultStats>>,
}

impl<L: Link> FaultLink<L> {
    /// Wraps `inner`.
    pub fn new(inner: L, rates: FaultRates) -> FaultLink<L> {
        FaultLink::with_stats(inner, rates, Arc::default())
    }

    /// Wraps `inner`, adding what it does to `stats` (shared with whoever wants to see them).
    pub fn with_stats(inner: L, rates: FaultRates, stats: Arc<Mutex<FaultStats>>) -> FaultLink<L> {
        FaultLink {
            inner,
            rates,
            rng: rates.seed ^ 0x9E37_79B9_7F4A_7C15,
            to_device: Lane::default(),
            from_device: Lane::default(),
            ready: VecDeque::new(),
            buf: vec![0; 4096],
            stats,
        }
    }

    /// What was done to the frames so far.
    pub fn stats(&self) -> FaultStats {
        *self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A handle that keeps showing [`stats`](FaultLink::stats) after the link was boxed.
    pub fn stats_handle(&self) -> Arc<Mutex<FaultStats>> {
        Arc::clone(&self.stats)
    }

    fn count(&self, what: impl FnOnce(&mut FaultStats)) {
        what(&mut self.stats.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The wrapped link.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// A pseudo-random number in [0, 1) (SplitMix64).
    fn random(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The frames going to the device, or those coming from it.
    fn lane(&mut self, to_device: bool) -> &mut Lane {
        if to_device {
            &mut self.to_device
        } else {
            &mut self.from_device
        }
    }

    /// Decides the fate of each complete frame in `lane` and queues what survives.
    fn judge(&mut self, to_device: bool) {
        let now = Instant::now();
        loop {
            let frame = match self.lane(to_device).deframer.next_frame() {
                Some(Ok(frame)) => frame,
                Some(Err(_)) => continue,
                None => return,
            };
            let Ok(mut bytes) = encode_frame(&frame) else {
                continue;
            };
            self.count(|s| s.frames += 1);
            if self.random() < self.rates.drop {
                self.count(|s| s.dropped += 1);
                continue;
            }
            if self.random() < self.rates.corrupt {
                self.count(|s| s.corrupted += 1);
                let bit = (self.random() * (bytes.len() * 8) as f64) as usize;
                bytes[bit / 8] ^= 1 << (bit % 8);
            }
            let copies = if self.random() < self.rates.duplicate {
                self.count(|s| s.duplicated += 1);
                2
            } else {
                1
            };
            let mut at = now;
            if self.random() < self.rates.delay {
                self.count(|s| s.delayed += 1);
                at += self.rates.max_delay.mul_f64(self.random());
            }
            let lane = self.lane(to_device);
            for _ in 0..copies {
                lane.queue.push_back((at, bytes.clone()));
            }
        }
    }

    /// Sends the frames to the device whose time has come, and readies those from it.
    fn deliver(&mut self) -> io::Result<()> {
        let now = Instant::now();
        for bytes in self.to_device.take_due(now) {
            self.inner.send(&bytes)?;
        }
        for bytes in self.from_device.take_due(now) {
            self.ready.extend(bytes);
        }
        Ok(())
    }
}

impl<L: Link> Link for FaultLink<L> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.to_device.deframer.push(bytes);
        self.judge(true);
        self.deliver()
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let deadline = Instant::now() + timeout;
        loop {
            self.deliver()?;
            if !self.ready.is_empty() {
                let n = buf.len().min(self.ready.len());
                for (slot, byte) in buf.iter_mut().zip(self.ready.drain(..n)) {
                    *slot = byte;
                }
                return Ok(n);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(0);
            }
            let next = [
                Some(deadline),
                self.to_device.next_due(),
                self.from_device.next_due(),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(deadline);
            let wait = next.saturating_duration_since(now);
            let mut inner_buf = std::mem::take(&mut self.buf);
            let got = self.inner.recv(&mut inner_buf, wait);
            if let Ok(n) = got {
                self.from_device.deframer.push(&inner_buf[..n]);
            }
            self.buf = inner_buf;
            got?;
            self.judge(false);
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (with injected faults: {})",
            self.inner.describe(),
            self.rates
        )
    }

    fn retransmit_timeout(&self) -> Duration {
        self.inner.retransmit_timeout()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_in_percent_or_fractions() {
        let r: FaultRates = "drop=5%, corrupt=0.05,duplicate=1%,delay=2%,max-delay=30ms,seed=9"
            .parse()
            .unwrap();
        assert!((r.drop - 0.05).abs() < 1e-12);
        assert!((r.corrupt - 0.05).abs() < 1e-12);
        assert!((r.duplicate - 0.01).abs() < 1e-12);
        assert!((r.delay - 0.02).abs() < 1e-12);
        assert_eq!(r.max_delay, Duration::from_millis(30));
        assert_eq!(r.seed, 9);
        assert_eq!("".parse::<FaultRates>().unwrap(), FaultRates::default());
    }

    #[test]
    fn bad_rates_are_refused_with_a_reason() {
        let err = "drop=150%".parse::<FaultRates>().unwrap_err();
        assert!(err.contains("between"), "{err}");
        let err = "lose=1%".parse::<FaultRates>().unwrap_err();
        assert!(err.contains("unknown fault"), "{err}");
        let err = "drop".parse::<FaultRates>().unwrap_err();
        assert!(err.contains("KEY=VALUE"), "{err}");
    }
}
