//! [`Device`]: the host side of the protocol over a [`Link`]: the HELLO handshake, chunked LOADs,
//! CALLs that stream OUTPUT before their RESULT or ERROR, RESET and MEMINFO, over the reliable
//! link of `docs/protocol.md` (section 2): every request gets the next sequence number and is sent
//! again until the device acknowledges it; every reply from the device is acknowledged, and a
//! repeated one (its ACK was lost) is recognised by its sequence number and dropped. The session
//! id in the device's acknowledgements reveals a device that was reset. While a CALL runs, the
//! host may install a patch (`docs/dynamic.md`): PATCH until the device pauses, then LOADs,
//! SWAPs and RESUME as ordinary requests, then the CALL's replies again.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bs_protocol::auth::{AUTH_TRAILER_LEN, AuthRefusal, Key};
use bs_protocol::{
    Deframer, DeviceAuth, DeviceError, DeviceInfo, ErrorCode, EventsReport, Frame, Kind,
    MAX_PAYLOAD, MemInfo, PROTOCOL_VERSION, Reply, Request, Segment, encode_frame,
};

use crate::patch::OutputOnly;
use crate::{CallEvents, Link, LinkError, Patch, PatchResult, ProfileReport, Swap, SwapResult};

/// The default time a device has to answer HELLO, LOAD, RESET and MEMINFO (and to finish a frame
/// it has started sending).
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one `recv` waits when there is no deadline (it returns early when bytes arrive).
const IDLE_POLL: Duration = Duration::from_secs(1);

/// The longest wait between two sendings of an unacknowledged request (the wait doubles after
/// each one, starting at the link's [retransmission timeout](Link::retransmit_timeout)); a slow
/// link whose first wait is longer keeps that one.
const MAX_RTO: Duration = Duration::from_secs(1);

/// How long a device has to stop a CALL after the first INTERRUPT before it counts as
/// unresponsive.
pub const DEFAULT_INTERRUPT_GRACE: Duration = Duration::from_secs(2);

/// While a CALL runs, the host sends PING after this much silence from the device (and again
/// at this interval while the silence lasts), at the least; slow links take longer (see
/// [`CallLimits`]).
const PING_AFTER: Duration = Duration::from_secs(1);

/// A device that sent nothing at all (not even PONG) for this long during a CALL is taken for
/// gone, at the least; also at least half the reply timeout (a slow device, such as one run under
/// valgrind, gets more time with a longer one) and 16 retransmission timeouts (a slow link).
const SILENCE_LIMIT: Duration = Duration::from_secs(4);

/// How often the host looks at the clock and at the interrupt request while it waits for the end
/// of a CALL.
const WATCH_TICK: Duration = Duration::from_millis(20);

/// The shortest read: long enough for a link that delivers held-back bytes only while it is
/// read (a fault injector) to hand over what is waiting.
const MIN_READ: Duration = Duration::from_millis(1);

/// While a CALL runs, [`CallEvents::patch`] is asked at least this often.
const PATCH_POLL: Duration = Duration::from_millis(10);

/// A request to stop the running CALL, shared with whoever may ask for it (a Ctrl-C handler, a
/// timer): [`Device::call`] sends INTERRUPT when it sees it, and clears it once the CALL ended.
#[derive(Clone, Debug, Default)]
pub struct Interrupter(Arc<AtomicBool>);

impl Interrupter {
    /// A request that is not made yet.
    pub fn new() -> Interrupter {
        Interrupter::default()
    }

    /// Asks to stop the running CALL (or the next one, if none runs).
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for and not yet carried out.
    pub fn is_requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Forgets the request.
    pub fn clear(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// What a running CALL is watched for: an interrupt request, and a device that falls silent.
#[derive(Debug, Clone, Copy)]
struct CallLimits {
    /// The CALL is interrupted when it has run this long.
    time_limit: Option<Duration>,
    interrupt_grace: Duration,
    ping_after: Duration,
    silence_limit: Duration,
}

/// The state of the watch over one CALL (`docs/protocol.md`, section 2.4).
#[derive(Debug)]
struct CallWatch {
    /// The CALL's seq, which INTERRUPT and PING carry.
    seq: u8,
    limits: CallLimits,
    interrupter: Interrupter,
    /// When the CALL was sent.
    started: Instant,
    /// It was interrupted because it reached its time limit.
    timed_out: bool,
    /// When the last byte came from the device (or the CALL was sent).
    last_heard: Instant,
    /// When the last PING was sent.
    last_ping: Option<Instant>,
    /// When the first and the last INTERRUPT were sent.
    interrupt_first: Option<Instant>,
    interrupt_last: Option<Instant>,
}

/// How a CALL ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The code returned normally after `micros` microseconds.
    Finished {
        /// Run time reported by the device.
        micros: u32,
    },
    /// The code stopped with a run-time error (division by zero, out of memory, a fault, …).
    Failed(DeviceError),
}

/// What went over the link so far, and what the reliable link had to do: the counts of
/// repetitions, damaged, repeated and late frames are all zero on a clean link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Frames written (requests, their repetitions and acknowledgements).
    pub frames_sent: u64,
    /// Bytes written: every frame the host sent, whole.
    pub bytes_sent: u64,
    /// Bytes read from the device, frames or not.
    pub bytes_received: u64,
    /// Requests sent again because no acknowledgement came in time.
    pub retransmissions: u64,
    /// Damaged frames skipped (bad CRC or length, or a frame that stopped half-way).
    pub corrupt_frames: u64,
    /// Replies the device sent again after its acknowledgement was lost, dropped.
    pub duplicates: u64,
    /// Replies to an earlier request that arrived late, dropped.
    pub stale: u64,
}

/// A frame from the device, sorted.
enum Incoming {
    /// The device received the request sent with `seq`; its session id was `session`.
    Ack { seq: u8, session: u32 },
    /// A new reply to the current request.
    Reply { reply: Reply },
}

/// The reliable framed request/reply channel under a [`Device`].
struct Channel<L: Link> {
    link: L,
    deframer: Deframer,
    /// The sequence number of the last request.
    seq: u8,
    /// The sequence number of the last reply to the current request taken from the device.
    last_device_seq: Option<u8>,
    /// The sequence number of the last reply taken (to any request), to count repetitions.
    last_taken: Option<u8>,
    /// This host's id in HELLO (chosen at random): the device starts counting requests afresh
    /// when a HELLO comes with another one.
    host_id: u32,
    /// The device's session id, once HELLO_REPLY gave it.
    session: Option<u32>,
    /// The key this host authenticates its requests with (`docs/protocol.md`, section 6).
    key: Option<Key>,
    /// What the device said of its key in the last HELLO_REPLY (`None`: it is not paired).
    device_auth: Option<DeviceAuth>,
    /// The counter of the last authenticated request.
    counter: u32,
    reply_timeout: Duration,
    /// The first wait for an acknowledgement.
    rto: Duration,
    buf: Vec<u8>,
    stats: LinkStats,
    /// While a CALL runs: what it is watched for.
    watch: Option<CallWatch>,
    /// While a CALL is paused for a patch: the replies to it that come meanwhile.
    call_side: Option<CallSide>,
    /// Since when a partial frame has waited for its next bytes.
    stalled_since: Option<Instant>,
}

/// The replies to a CALL paused for a patch that come while the host's patch requests are
/// outstanding: only its end (an INTERRUPT stopped it while it was paused), in practice.
#[derive(Debug)]
struct CallSide {
    /// The CALL's seq.
    seq: u8,
    replies: VecDeque<Reply>,
}

impl CallSide {
    /// Whether the CALL's RESULT or ERROR came.
    fn ended(&self) -> bool {
        self.replies
            .iter()
            .any(|r| matches!(r, Reply::Result { .. } | Reply::Error(_)))
    }
}

/// A patch whose PATCH frames are sent until the device pauses.
struct Pending {
    patch: Patch,
    last_sent: Instant,
}

impl<L: Link> Channel<L> {
    fn new(link: L, reply_timeout: Duration, key: Option<Key>) -> Channel<L> {
        let rto = link.retransmit_timeout();
        Channel {
            link,
            deframer: Deframer::new(),
            // A host that starts afresh should not reuse the last seq of the one before it (a
            // device takes a request with the seq it saw last for a repetition).
            seq: random_u8(),
            last_device_seq: None,
            last_taken: None,
            host_id: random_u32(),
            session: None,
            key,
            device_auth: None,
            counter: 0,
            reply_timeout,
            rto,
            buf: vec![0; 4096],
            stats: LinkStats::default(),
            watch: None,
            call_side: None,
            stalled_since: None,
        }
    }

    fn io_error(&self, e: std::io::Error) -> LinkError {
        LinkError::from_io(self.link.describe(), e)
    }

    fn write(&mut self, frame: &Frame) -> Result<(), LinkError> {
        let bytes = encode_frame(frame).map_err(|e| LinkError::InvalidRequest {
            detail: e.to_string(),
        })?;
        self.link.send(&bytes).map_err(|e| self.io_error(e))?;
        self.stats.frames_sent += 1;
        self.stats.bytes_sent += bytes.len() as u64;
        Ok(())
    }

    /// The next intact frame, or `None` when `until` passes first. Damaged frames are skipped
    /// and counted; a frame that stops half-way for half the retransmission timeout is given up
    /// (its length field was damaged; the device sends it again). That pause is measured across
    /// calls (callers often wait in short slices), and both it and the silence of a running CALL
    /// are judged only after a read found nothing: bytes that waited in the link while the host
    /// was busy elsewhere are not a pause of the device's.
    fn read_frame(&mut self, until: Instant) -> Result<Option<Frame>, LinkError> {
        loop {
            match self.deframer.next_frame() {
                Some(Ok(frame)) => return Ok(Some(frame)),
                Some(Err(_)) => {
                    self.stats.corrupt_frames += 1;
                    continue;
                }
                None => {}
            }
            let now = Instant::now();
            if now >= until {
                return Ok(None);
            }
            let mut wait = (until - now).min(IDLE_POLL);
            if self.watch.is_some() {
                wait = wait.min(WATCH_TICK);
            }
            let give_up = if self.deframer.buffered() > 0 {
                let give_up = *self.stalled_since.get_or_insert(now) + self.rto / 2;
                // At least a short read, so that bytes already waiting are seen first.
                wait = wait.min(give_up.saturating_duration_since(now).max(MIN_READ));
                Some(give_up)
            } else {
                self.stalled_since = None;
                None
            };
            let n = self
                .link
                .recv(&mut self.buf, wait)
                .map_err(|e| LinkError::from_io(self.link.describe(), e))?;
            let now = Instant::now();
            if n > 0 {
                self.deframer.push(&self.buf[..n]);
                self.stats.bytes_received += n as u64;
                self.stalled_since = None;
                if let Some(watch) = &mut self.watch {
                    watch.last_heard = now;
                }
            } else if give_up.is_some_and(|g| now >= g) {
                self.deframer.drop_partial();
                self.stats.corrupt_frames += 1;
                self.stalled_since = None;
            }
            if self.watch.is_some() {
                self.check_watch(now)?;
            }
        }
    }

    /// While a CALL runs: sends INTERRUPT when asked to (again at every retransmission timeout
    /// until the CALL ends) and PING when the device has been silent for a while, and gives up
    /// on a device that does not stop in time after an INTERRUPT, or that sent nothing at all
    /// for too long.
    fn check_watch(&mut self, now: Instant) -> Result<(), LinkError> {
        let Some(watch) = &self.watch else {
            return Ok(());
        };
        if self.call_side.as_ref().is_some_and(CallSide::ended) {
            // The CALL ended while it was paused; the rest of its patch is being sent.
            return Ok(());
        }
        let seq = watch.seq;
        let limits = watch.limits;
        let mut send = Vec::new();
        if let Some(first) = watch.interrupt_first {
            if now.duration_since(first) >= limits.interrupt_grace {
                return Err(LinkError::Unresponsive {
                    link: self.link.describe(),
                    detail: format!(
                        "it did not stop the running code within {} s of the interrupt",
                        limits.interrupt_grace.as_secs_f64()
                    ),
                });
            }
            if watch
                .interrupt_last
                .is_none_or(|last| now.duration_since(last) >= self.rto)
            {
                send.push(Request::Interrupt);
            }
        } else if watch.interrupter.is_requested() {
            send.push(Request::Interrupt);
        } else if limits
            .time_limit
            .is_some_and(|limit| now.duration_since(watch.started) >= limit)
        {
            send.push(Request::Interrupt);
            if let Some(watch) = &mut self.watch {
                watch.timed_out = true;
            }
        }
        let Some(watch) = &self.watch else {
            return Ok(());
        };
        let silent = now.duration_since(watch.last_heard);
        if silent >= limits.silence_limit {
            return Err(LinkError::Unresponsive {
                link: self.link.describe(),
                detail: format!(
                    "it sent nothing for {:.1} s while a call ran, not even an answer to PING \
                     (the link is broken, or the device hangs)",
                    silent.as_secs_f64()
                ),
            });
        }
        if silent >= limits.ping_after
            && watch
                .last_ping
                .is_none_or(|last| now.duration_since(last) >= limits.ping_after)
        {
            send.push(Request::Ping);
        }
        for request in send {
            let kind = request.kind();
            self.write(&request.encode(seq))?;
            if let Some(watch) = &mut self.watch {
                if kind == Kind::Ping {
                    watch.last_ping = Some(now);
                } else {
                    watch.interrupt_first.get_or_insert(now);
                    watch.interrupt_last = Some(now);
                }
            }
        }
        Ok(())
    }

    /// Sorts a frame from the device while the request sent with `current` is outstanding:
    /// acknowledgements are passed on with their session id; replies are acknowledged, and
    /// dropped (`None`) unless they answer `current` and are new. The device numbers its replies
    /// one after another, so a reply whose seq is not ahead of the last one taken (mod 256, by
    /// less than 128) repeats it or is a late copy of an earlier one.
    fn sort(&mut self, frame: Frame, current: u8) -> Result<Option<Incoming>, LinkError> {
        let reply = Reply::decode(&frame).map_err(|e| LinkError::Protocol {
            detail: format!("undecodable frame from {}: {e}", self.link.describe()),
        })?;
        if let Reply::DeviceAck { session_id } = reply {
            return Ok(Some(Incoming::Ack {
                seq: frame.seq,
                session: session_id,
            }));
        }
        if let Reply::Pong = reply {
            // Not acknowledged; its only news is that the device is alive (read_frame noted it).
            return Ok(None);
        }
        // A link that fails now fails the next read too; the reply in hand is still good (the
        // last output of a device that then died, say).
        let _ = self.write(&Request::Ack.encode(frame.seq));
        if frame.reply_to != current {
            // A new reply to a CALL paused for a patch (the device numbers all its replies one
            // after another, so a new one is ahead of the last one taken).
            if let Some(side) = &mut self.call_side {
                let new = self.last_taken.is_none_or(|last| {
                    let ahead = frame.seq.wrapping_sub(last);
                    ahead != 0 && ahead < 128
                });
                if frame.reply_to == side.seq && new {
                    self.last_taken = Some(frame.seq);
                    side.replies.push_back(reply);
                    return Ok(None);
                }
            }
            if self.last_taken == Some(frame.seq) {
                self.stats.duplicates += 1;
            } else {
                self.stats.stale += 1;
            }
            return Ok(None);
        }
        if let Some(last) = self.last_device_seq {
            let ahead = frame.seq.wrapping_sub(last);
            if ahead == 0 || ahead >= 128 {
                self.stats.duplicates += 1;
                return Ok(None);
            }
        }
        self.last_device_seq = Some(frame.seq);
        self.last_taken = Some(frame.seq);
        Ok(Some(Incoming::Reply { reply }))
    }

    /// A session id other than the one HELLO_REPLY gave means the device started afresh.
    fn check_session(&mut self, session_id: u32) -> Result<(), LinkError> {
        match self.session {
            Some(known) if known != session_id => Err(self.device_reset(Some(session_id))),
            _ => Ok(()),
        }
    }

    /// Forgets the session of a device that was reset, and says so.
    fn device_reset(&mut self, now: Option<u32>) -> LinkError {
        let was = self.session.take();
        self.last_device_seq = None;
        self.last_taken = None;
        LinkError::DeviceReset {
            link: self.link.describe(),
            was,
            now,
        }
    }

    /// Sends `request` with the next sequence number and returns that number and the first
    /// reply to it. The request is sent again, with a doubling wait, until the device
    /// acknowledges it (or replies). `timeout` bounds the whole wait (`None`: no limit); with
    /// `patient` the request is repeated for as long as that allows, else at most until the
    /// reply timeout passes.
    fn transact(
        &mut self,
        request: &Request,
        timeout: Option<Duration>,
        patient: bool,
        expecting: &str,
    ) -> Result<(u8, Reply), LinkError> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        self.last_device_seq = None;
        let kind = request.kind();
        let frame = self.authenticated(request.encode(seq))?;
        let started = Instant::now();
        let deadline = timeout.map(|t| started + t);
        let give_up_sending = if patient {
            deadline
        } else {
            Some(started + self.reply_timeout)
        };
        let mut rto = self.rto;
        self.write(&frame)?;
        let mut resend_at = Some(Instant::now() + rto);
        loop {
            let now = Instant::now();
            let until = [deadline, resend_at]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + IDLE_POLL);
            match self.read_frame(until)? {
                Some(frame) => match self.sort(frame, seq)? {
                    // Only the acknowledgement of this request speaks for the device now: a late
                    // one (of an earlier request, or of the HELLO that chose the session id)
                    // may carry an older session id.
                    Some(Incoming::Ack {
                        seq: acked,
                        session,
                    }) if acked == seq => {
                        self.check_session(session)?;
                        resend_at = None;
                    }
                    Some(Incoming::Reply { reply }) => {
                        return self.first_reply(kind, seq, reply);
                    }
                    Some(Incoming::Ack { .. }) | None => {}
                },
                None => {
                    let now = Instant::now();
                    if deadline.is_some_and(|d| now >= d) {
                        return Err(self.timeout(expecting, kind, seq, started));
                    }
                    if resend_at.is_some_and(|r| now >= r) {
                        if give_up_sending.is_some_and(|g| now >= g) {
                            return Err(self.timeout(expecting, kind, seq, started));
                        }
                        self.write(&frame)?;
                        self.stats.retransmissions += 1;
                        rto = (rto * 2).min(MAX_RTO.max(self.rto));
                        resend_at = Some(now + rto);
                    }
                }
            }
        }
    }

    /// A NO_SESSION error means the device was reset before it saw this request; an AUTH error
    /// that the device refused it as not authenticated.
    fn first_reply(&mut self, kind: Kind, seq: u8, reply: Reply) -> Result<(u8, Reply), LinkError> {
        if let Reply::Error(e) = &reply {
            if e.error_code() == ErrorCode::NoSession && kind != Kind::Hello {
                return Err(self.device_reset(None));
            }
            if e.error_code() == ErrorCode::Auth {
                return Err(self.unauthorized(kind, e));
            }
        }
        Ok((seq, reply))
    }

    /// The frame of a request as it goes out: with a key, every request but HELLO (which starts
    /// the exchange and tells the device's nonce) and ACK carries the next counter and a MAC.
    fn authenticated(&mut self, frame: Frame) -> Result<Frame, LinkError> {
        let Some(key) = &self.key else {
            return Ok(frame);
        };
        if frame.kind == Kind::Hello.code() || frame.kind == Kind::Ack.code() {
            return Ok(frame);
        }
        // An unpaired device tells no nonce; it refuses the request as NOT_PAIRED.
        let nonce = self.device_auth.map(|a| a.nonce).unwrap_or_default();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| LinkError::InvalidRequest {
                detail:
                    "the device ran 2^32 - 1 authenticated requests since it started, the most \
                     its counter allows; restart it"
                        .to_owned(),
            })?;
        Ok(bs_protocol::auth::seal(&frame, key, &nonce, self.counter))
    }

    /// The error for a request the device refused as not authenticated, with what this host
    /// knows of the keys and what to do.
    fn unauthorized(&self, request: Kind, e: &DeviceError) -> LinkError {
        let refusal = AuthRefusal::from_code(e.detail1);
        let device_key = self.device_auth.map(|a| a.key_id.to_string());
        let host_key = self.key.as_ref().map(|k| k.id().to_string());
        let pair = "pair it with this project's key: `bscript board pair` in the project's folder";
        let message = match refusal {
            Some(AuthRefusal::Missing) => format!(
                "the device is paired with a key (id {}) and runs only authenticated requests, \
                 but this host has no key for it; run bscript in the folder of the project it \
                 was paired from (its bsconfig.json names the key), or {pair}",
                device_key.as_deref().unwrap_or("unknown")
            ),
            Some(AuthRefusal::BadMac) => match (&device_key, &host_key) {
                (Some(d), Some(h)) if d != h => format!(
                    "wrong key: the device holds key {d}, this project's key is {h}; use the \
                     project the device was paired from, or {pair}"
                ),
                _ => "its MAC does not verify with the device's key: it was altered on the way, \
                      or made for an earlier start of the device (a frame recorded before a \
                      reset and replayed)"
                    .to_owned(),
            },
            Some(AuthRefusal::Replayed) => format!(
                "a replayed frame: its counter {} is not above the last one the device ran",
                e.address
            ),
            Some(AuthRefusal::NotPaired) => format!(
                "the device is not paired, but this project is (key {}): start the device from \
                 the keyed runtime image (`bscript board pair` builds it and says where it is), \
                 or remove \"pairing\" from bsconfig.json to use an unpaired device",
                host_key.as_deref().unwrap_or("unknown")
            ),
            None => e.message(),
        };
        LinkError::Unauthorized {
            request,
            refusal,
            message,
        }
    }

    fn timeout(&self, expecting: &str, kind: Kind, seq: u8, started: Instant) -> LinkError {
        LinkError::Timeout {
            waiting_for: format!(
                "{expecting} to {kind} (seq {seq}) from {} for {:.1?}",
                self.link.describe(),
                started.elapsed()
            ),
        }
    }

    /// The error for a reply that makes no sense for `request`.
    fn unexpected(&self, reply: &Reply, request: Kind, expecting: &str) -> LinkError {
        LinkError::Protocol {
            detail: format!(
                "{} replied {} to {request}, expected {expecting}",
                self.link.describe(),
                reply.kind()
            ),
        }
    }

    /// Sends a request that must be answered with OK.
    fn request_ok(&mut self, request: &Request) -> Result<(), LinkError> {
        let kind = request.kind();
        let timeout = Some(self.reply_timeout);
        match self.transact(request, timeout, false, "OK")? {
            (_, Reply::Ok { kind: acked }) if acked == kind.code() => Ok(()),
            (seq, Reply::Ok { kind: acked }) => Err(LinkError::Protocol {
                detail: format!(
                    "{} acknowledged kind 0x{acked:02x} in its reply to {kind} (seq {seq})",
                    self.link.describe()
                ),
            }),
            (_, Reply::Error(error)) => Err(LinkError::Refused {
                request: kind,
                error,
            }),
            (_, other) => Err(self.unexpected(&other, kind, "OK")),
        }
    }

    /// HELLO: checks the version and returns the device's description; its session id is the
    /// one later acknowledgements must carry.
    fn hello(&mut self) -> Result<DeviceInfo, LinkError> {
        let request = Request::Hello {
            version: PROTOCOL_VERSION,
            host: self.host_id,
        };
        let expecting = "HELLO_REPLY";
        let timeout = Some(self.reply_timeout);
        match self.transact(&request, timeout, false, expecting)?.1 {
            Reply::HelloReply(info) if info.version != PROTOCOL_VERSION => {
                Err(LinkError::BadVersion {
                    device: info.version,
                    host: PROTOCOL_VERSION,
                })
            }
            Reply::HelloReply(info) => {
                if usize::from(info.max_payload) <= 4 {
                    return Err(LinkError::Protocol {
                        detail: format!(
                            "{} accepts payloads of at most {} bytes: too small for LOAD",
                            self.link.describe(),
                            info.max_payload
                        ),
                    });
                }
                self.session = Some(info.session_id);
                self.device_auth = info.auth;
                // The device runs only counters above the last one it ran.
                self.counter = info.auth.map_or(0, |a| a.last_counter);
                Ok(info)
            }
            Reply::Error(e) if e.error_code() == ErrorCode::BadVersion => {
                Err(LinkError::BadVersion {
                    device: u16::try_from(e.detail1).unwrap_or(u16::MAX),
                    host: PROTOCOL_VERSION,
                })
            }
            Reply::Error(error) => Err(LinkError::Refused {
                request: Kind::Hello,
                error,
            }),
            other => Err(self.unexpected(&other, Kind::Hello, expecting)),
        }
    }
}

/// A number that differs between runs (the clock's nanoseconds and the process id, mixed): the
/// first sequence number and the host id.
fn random_u32() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
        .unwrap_or(0);
    let mut x = nanos
        ^ std::process::id().rotate_left(16)
        ^ CALLS
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9);
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846C_A68B);
    x ^ (x >> 16)
}

/// A first sequence number that differs between runs: a host that starts afresh should not
/// reuse the last seq of the one before it.
fn random_u8() -> u8 {
    random_u32() as u8
}

/// A connected device: the client side of the protocol.
///
/// Requests are answered one at a time. HELLO, LOAD, RESET and MEMINFO replies must come within
/// the [reply timeout](Device::set_reply_timeout); a CALL may run as long as it likes unless a
/// [call timeout](Device::set_call_timeout) is set. Lost, damaged and repeated frames are
/// handled by the link layer ([`LinkStats`] counts them); a device that was reset is reported as
/// [`LinkError::DeviceReset`].
pub struct Device<L: Link> {
    channel: Channel<L>,
    info: DeviceInfo,
    call_timeout: Option<Duration>,
    interrupter: Interrupter,
    interrupt_grace: Duration,
    call_time_limit: Option<Duration>,
    last_call_timed_out: bool,
    last_result_flags: u8,
}

/// How a CALL or an EVENTS request ended.
enum Ended {
    Call(CallOutcome),
    Events(EventsReport),
}

impl<L: Link> Device<L> {
    /// Says HELLO over `link` and checks the device's protocol version. `reply_timeout` bounds
    /// the wait for this and every later non-CALL reply.
    pub fn connect(link: L, reply_timeout: Duration) -> Result<(Device<L>, DeviceInfo), LinkError> {
        Device::connect_with_key(link, reply_timeout, None)
    }

    /// Like [`connect`](Device::connect), for a host that holds a pairing `key`: every request
    /// after HELLO is then authenticated (`docs/protocol.md`, section 6). Without a key, a paired
    /// device refuses every request but HELLO.
    pub fn connect_with_key(
        link: L,
        reply_timeout: Duration,
        key: Option<Key>,
    ) -> Result<(Device<L>, DeviceInfo), LinkError> {
        let mut channel = Channel::new(link, reply_timeout, key);
        let info = channel.hello()?;
        let device = Device {
            channel,
            info,
            call_timeout: None,
            interrupter: Interrupter::new(),
            interrupt_grace: DEFAULT_INTERRUPT_GRACE,
            call_time_limit: None,
            last_call_timed_out: false,
            last_result_flags: 0,
        };
        Ok((device, info))
    }

    /// What the device said in its last HELLO_REPLY.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// What the reliable link had to do so far.
    pub fn stats(&self) -> LinkStats {
        self.channel.stats
    }

    /// Says HELLO again (e.g. to learn the new session id after [`reset`](Device::reset), or to
    /// start a new session with a device that reported [`LinkError::DeviceReset`]).
    pub fn hello(&mut self) -> Result<DeviceInfo, LinkError> {
        self.info = self.channel.hello()?;
        Ok(self.info)
    }

    /// The time the device has for non-CALL replies.
    pub fn reply_timeout(&self) -> Duration {
        self.channel.reply_timeout
    }

    /// Sets the time the device has for non-CALL replies (and to finish a started frame).
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.channel.reply_timeout = timeout;
    }

    /// The limit on a whole CALL, if any.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.call_timeout
    }

    /// Limits how long a CALL may take to finish; `None` (the default) waits forever.
    pub fn set_call_timeout(&mut self, timeout: Option<Duration>) {
        self.call_timeout = timeout;
    }

    /// Makes `interrupter` the request that stops this device's CALLs (each device has one of its
    /// own until then).
    pub fn set_interrupter(&mut self, interrupter: Interrupter) {
        self.interrupter = interrupter;
    }

    /// The request that stops this device's CALLs.
    pub fn interrupter(&self) -> &Interrupter {
        &self.interrupter
    }

    /// How long the device has to stop a CALL after the first INTERRUPT before [`call`](Device::call)
    /// gives up on it with [`LinkError::Unresponsive`].
    pub fn set_interrupt_grace(&mut self, grace: Duration) {
        self.interrupt_grace = grace;
    }

    /// Interrupts every CALL that runs longer than `limit` (`None`, the default: no limit), as
    /// the [`Interrupter`] would; [`last_call_timed_out`](Device::last_call_timed_out) tells
    /// afterwards.
    pub fn set_call_time_limit(&mut self, limit: Option<Duration>) {
        self.call_time_limit = limit;
    }

    /// Whether the last CALL was interrupted because it reached the
    /// [time limit](Device::set_call_time_limit).
    pub fn last_call_timed_out(&self) -> bool {
        self.last_call_timed_out
    }

    /// The flags of the last RESULT (`bs_abi::EVENTS_ACTIVE`: timers are active on the device;
    /// `bs_abi::EVENTS_WAITING`: [`events`](Device::events) has something to fetch); 0 before
    /// the first.
    pub fn last_result_flags(&self) -> u8 {
        self.last_result_flags
    }

    /// Fetches what callbacks printed while no CALL ran, their errors and the counts of what was
    /// lost (EVENTS, `docs/protocol.md` section 3). The device answers between callbacks, so
    /// the wait is watched as a CALL's is (PING when the device is silent, and the
    /// [`Interrupter`] sends INTERRUPT, which stops a callback that runs); the reply timeout
    /// does not bound it.
    pub fn events(&mut self) -> Result<EventsReport, LinkError> {
        match self.watched(Request::Events, &mut OutputOnly(&mut |_, _| {}))? {
            Ended::Events(report) => Ok(report),
            Ended::Call(CallOutcome::Failed(error)) => Err(LinkError::Refused {
                request: Kind::Events,
                error,
            }),
            Ended::Call(CallOutcome::Finished { .. }) => Err(LinkError::Protocol {
                detail: format!(
                    "{} answered EVENTS with RESULT",
                    self.channel.link.describe()
                ),
            }),
        }
    }

    /// The most bytes one LOAD frame carries for this device (less with a key: the trailer of
    /// an authenticated request takes room too).
    pub fn load_chunk_size(&self) -> usize {
        let trailer = if self.channel.key.is_some() {
            AUTH_TRAILER_LEN
        } else {
            0
        };
        usize::from(self.info.max_payload)
            .min(MAX_PAYLOAD)
            .saturating_sub(4 + trailer)
            .max(1)
    }

    /// Copies `bytes` to `addr` on the device, in as many LOAD frames as needed, each of which
    /// must be acknowledged. Nothing is sent for empty `bytes`.
    pub fn load(&mut self, addr: u32, bytes: &[u8]) -> Result<(), LinkError> {
        if u64::from(addr) + bytes.len() as u64 > 1 << 32 {
            return Err(LinkError::InvalidRequest {
                detail: format!(
                    "a load of {} bytes at 0x{addr:08x} passes the end of the 32-bit address space",
                    bytes.len()
                ),
            });
        }
        let mut at = addr;
        for chunk in bytes.chunks(self.load_chunk_size()) {
            self.channel.request_ok(&Request::Load {
                addr: at,
                bytes: chunk.to_vec(),
            })?;
            // Cannot overflow past the last chunk's end, checked above; wraps to 0 only after it.
            at = at.wrapping_add(chunk.len() as u32);
        }
        Ok(())
    }

    /// Runs the code at `entry`. Program output is passed to `on_output(stream, text)` as it
    /// arrives (stream 0 = standard output, 1 = standard error). A run-time error in the program
    /// is [`CallOutcome::Failed`], not an `Err`.
    pub fn call(
        &mut self,
        entry: u32,
        on_output: &mut dyn FnMut(u8, &[u8]),
    ) -> Result<CallOutcome, LinkError> {
        self.call_with(entry, &mut OutputOnly(on_output))
    }

    /// Runs the code at `entry` as [`call`](Device::call) does, and tells `events` of its output
    /// and profile reports. While it runs, `events.patch()` is asked for a patch (at least every
    /// 10 ms, while none is pending); the device is asked to pause (PATCH, repeated every
    /// retransmission timeout), and when it does (PAUSED) the patch's loads, then its swaps,
    /// then RESUME are sent, and the call goes on. `events.patched` says what became of each
    /// patch: installed, or not, when the call ended before the device paused.
    pub fn call_with(
        &mut self,
        entry: u32,
        events: &mut dyn CallEvents,
    ) -> Result<CallOutcome, LinkError> {
        self.load_and_call(&[], entry, events)
    }

    /// Writes `loads` (address and bytes each) and runs the code at `entry`, as
    /// [`call_with`](Device::call_with) does: the bytes travel in the CALL itself as far as
    /// they fit (`docs/protocol.md`, section 3), runs of zeros as zero segments, so that a
    /// small unit costs one request; what does not fit goes first in LOAD frames.
    pub fn load_and_call(
        &mut self,
        loads: &[(u32, &[u8])],
        entry: u32,
        events: &mut dyn CallEvents,
    ) -> Result<CallOutcome, LinkError> {
        let mut room = self.load_chunk_size();
        let mut carried = Vec::new();
        for &(addr, bytes) in loads {
            for segment in Segment::split(addr, bytes) {
                let len = segment.encoded_len();
                if len <= room {
                    room -= len;
                    carried.push(segment);
                    continue;
                }
                match segment {
                    Segment::Bytes { addr, bytes } => self.load(addr, &bytes)?,
                    Segment::Zeros { addr, len } => self.load(addr, &vec![0; usize::from(len)])?,
                }
            }
        }
        match self.watched(
            Request::Call {
                entry,
                loads: carried,
            },
            events,
        )? {
            Ended::Call(outcome) => Ok(outcome),
            Ended::Events(_) => Err(LinkError::Protocol {
                detail: format!(
                    "{} answered CALL with EVENTS_REPLY",
                    self.channel.link.describe()
                ),
            }),
        }
    }

    /// Sends `request` (a CALL or EVENTS) and waits for its end, watched: PING when the device
    /// is silent, INTERRUPT when the interrupter asks, patches offered to `events`.
    fn watched(
        &mut self,
        request: Request,
        events: &mut dyn CallEvents,
    ) -> Result<Ended, LinkError> {
        // A slow link needs longer for a PING and its PONG to cross it.
        let rto = self.channel.rto;
        let limits = CallLimits {
            time_limit: self.call_time_limit,
            interrupt_grace: self.interrupt_grace,
            ping_after: PING_AFTER.max(rto * 4),
            silence_limit: SILENCE_LIMIT
                .max(rto * 16)
                .max(self.channel.reply_timeout / 2),
        };
        self.channel.watch = Some(CallWatch {
            // run_call gives the CALL the next seq.
            seq: self.channel.seq.wrapping_add(1),
            limits,
            interrupter: self.interrupter.clone(),
            started: Instant::now(),
            timed_out: false,
            last_heard: Instant::now(),
            last_ping: None,
            interrupt_first: None,
            interrupt_last: None,
        });
        let mut pending = None;
        let result = self.run_call(request, events, &mut pending);
        if let Some(p) = pending {
            events.patched(p.patch, PatchResult::NotInstalled);
        }
        self.channel.call_side = None;
        self.last_call_timed_out = false;
        if let Some(watch) = self.channel.watch.take() {
            self.last_call_timed_out = watch.timed_out;
            if watch.interrupt_first.is_some() && !watch.timed_out {
                // The request was for this CALL, which has ended.
                self.interrupter.clear();
            }
        }
        result
    }

    fn run_call(
        &mut self,
        request: Request,
        events: &mut dyn CallEvents,
        pending: &mut Option<Pending>,
    ) -> Result<Ended, LinkError> {
        let kind = request.kind();
        let expecting = if kind == Kind::Events {
            "EVENTS_REPLY"
        } else {
            "OUTPUT, PROFILE, PAUSED, RESULT or ERROR"
        };
        let deadline = self.call_timeout.map(|t| Instant::now() + t);
        let ch = &mut self.channel;
        ch.seq = ch.seq.wrapping_add(1);
        let seq = ch.seq;
        ch.last_device_seq = None;
        let call_frame = ch.authenticated(request.encode(seq))?;
        let started = Instant::now();
        let mut rto = ch.rto;
        ch.write(&call_frame)?;
        let mut resend_at = Some(started + rto);
        let mut first = true;
        let mut queued: VecDeque<Reply> = VecDeque::new();
        loop {
            self.offer_patch(seq, events, pending)?;
            let reply = match queued.pop_front() {
                Some(reply) => reply,
                None => {
                    let ch = &mut self.channel;
                    let now = Instant::now();
                    let until = [deadline, resend_at, Some(now + PATCH_POLL)]
                        .into_iter()
                        .flatten()
                        .min()
                        .unwrap_or(now + PATCH_POLL);
                    match ch.read_frame(until)? {
                        Some(frame) => match ch.sort(frame, seq)? {
                            Some(Incoming::Ack {
                                seq: acked,
                                session,
                            }) if acked == seq => {
                                ch.check_session(session)?;
                                resend_at = None;
                                continue;
                            }
                            Some(Incoming::Reply { reply }) => {
                                resend_at = None;
                                if std::mem::take(&mut first) {
                                    ch.first_reply(kind, seq, reply)?.1
                                } else {
                                    reply
                                }
                            }
                            Some(Incoming::Ack { .. }) | None => continue,
                        },
                        None => {
                            let now = Instant::now();
                            if deadline.is_some_and(|d| now >= d) {
                                return Err(ch.timeout(expecting, kind, seq, started));
                            }
                            if resend_at.is_some_and(|r| now >= r) {
                                // A CALL is repeated for as long as the call may take.
                                ch.write(&call_frame)?;
                                ch.stats.retransmissions += 1;
                                rto = (rto * 2).min(MAX_RTO.max(ch.rto));
                                resend_at = Some(now + rto);
                            }
                            continue;
                        }
                    }
                }
            };
            match reply {
                Reply::Output { stream, text } => events.output(stream, &text),
                Reply::Profile { record, row, sig } => events.profile(ProfileReport {
                    record,
                    row: (row != bs_protocol::PROFILE_NO_ROW).then_some(row),
                    sig,
                }),
                Reply::Paused => {
                    // A patch that waits for this pause, else one asked for now (a PATCH that
                    // came late may pause the device when none waits: it is resumed at once).
                    let patch = match pending.take() {
                        Some(p) => Some(p.patch),
                        None => events.patch(),
                    };
                    queued.extend(self.serve_pause(seq, patch, events)?);
                    // The CALL's next replies follow those of the patch's requests.
                    self.channel.last_device_seq = self.channel.last_taken;
                }
                Reply::Result { micros, flags } if kind == Kind::Call => {
                    self.last_result_flags = flags;
                    return Ok(Ended::Call(CallOutcome::Finished { micros }));
                }
                Reply::Events(report) if kind == Kind::Events => return Ok(Ended::Events(report)),
                Reply::Error(error) => return Ok(Ended::Call(CallOutcome::Failed(error))),
                other => return Err(self.channel.unexpected(&other, kind, expecting)),
            }
        }
    }

    /// Asks `events` for a patch when none is pending, and sends PATCH for a pending one (again
    /// every retransmission timeout).
    fn offer_patch(
        &mut self,
        call_seq: u8,
        events: &mut dyn CallEvents,
        pending: &mut Option<Pending>,
    ) -> Result<(), LinkError> {
        let now = Instant::now();
        let send = match pending {
            None => match events.patch() {
                Some(patch) => {
                    *pending = Some(Pending {
                        patch,
                        last_sent: now,
                    });
                    true
                }
                None => false,
            },
            Some(p) if now.duration_since(p.last_sent) >= self.channel.rto => {
                p.last_sent = now;
                true
            }
            Some(_) => false,
        };
        if send {
            self.channel.write(&bs_protocol::patch_frame(call_seq))?;
        }
        Ok(())
    }

    /// The device paused the CALL sent with `call_seq`: installs `patch` (if any) and resumes
    /// the CALL. Returns the CALL's replies that came meanwhile (its end, if an INTERRUPT
    /// stopped it while it was paused: then the rest of the patch is installed between calls,
    /// and RESUME is not sent).
    fn serve_pause(
        &mut self,
        call_seq: u8,
        patch: Option<Patch>,
        events: &mut dyn CallEvents,
    ) -> Result<VecDeque<Reply>, LinkError> {
        self.channel.call_side = Some(CallSide {
            seq: call_seq,
            replies: VecDeque::new(),
        });
        let installed = self.install(patch.as_ref());
        let resumed = match &installed {
            Ok(_) => self.resume(),
            // Best effort: a device left paused would wait for RESUME until the session gives
            // up on it.
            Err(_) => {
                let _ = self.resume();
                Ok(())
            }
        };
        let side = self.channel.call_side.take();
        let swaps = installed?;
        resumed?;
        if let Some(patch) = patch {
            events.patched(patch, PatchResult::Installed(swaps));
        }
        Ok(side.map(|s| s.replies).unwrap_or_default())
    }

    fn install(&mut self, patch: Option<&Patch>) -> Result<Vec<SwapResult>, LinkError> {
        let mut swaps = Vec::new();
        if let Some(patch) = patch {
            for (addr, bytes) in &patch.loads {
                self.load(*addr, bytes)?;
            }
            for swap in &patch.swaps {
                swaps.push(self.swap(swap)?);
            }
        }
        Ok(swaps)
    }

    /// RESUME, unless the paused CALL already ended (the device refuses RESUME then).
    fn resume(&mut self) -> Result<(), LinkError> {
        let ended = |ch: &Channel<L>| ch.call_side.as_ref().is_some_and(CallSide::ended);
        if ended(&self.channel) {
            return Ok(());
        }
        match self.channel.request_ok(&Request::Resume) {
            Err(LinkError::Refused { .. }) if ended(&self.channel) => Ok(()),
            other => other,
        }
    }

    /// Writes `swap.new` into the data word at `swap.addr` if it holds `swap.expected` (SWAP).
    /// The word must be 4-byte aligned and in the data region (else [`LinkError::Refused`]).
    /// On a device with 8-byte pointers a function slot's low word is swapped: every address on
    /// the device is below 4 GB, so its high word is 0.
    pub fn swap(&mut self, swap: &Swap) -> Result<SwapResult, LinkError> {
        let request = Request::Swap {
            addr: swap.addr,
            expected: swap.expected,
            new: swap.new,
        };
        let timeout = Some(self.channel.reply_timeout);
        match self.channel.transact(&request, timeout, false, "OK")? {
            (_, Reply::Ok { kind }) if kind == Kind::Swap.code() => Ok(SwapResult::Swapped),
            (_, Reply::Error(e)) if e.error_code() == ErrorCode::SwapMismatch => {
                Ok(SwapResult::Mismatch { found: e.detail1 })
            }
            (_, Reply::Error(error)) => Err(LinkError::Refused {
                request: Kind::Swap,
                error,
            }),
            (_, other) => Err(self.channel.unexpected(&other, Kind::Swap, "OK")),
        }
    }

    /// Reads `len` bytes at `addr` in the device's code or data region, in as many PEEKs as
    /// needed.
    pub fn peek(&mut self, addr: u32, len: usize) -> Result<Vec<u8>, LinkError> {
        if u64::from(addr) + len as u64 > 1 << 32 {
            return Err(LinkError::InvalidRequest {
                detail: format!(
                    "a peek of {len} bytes at 0x{addr:08x} passes the end of the 32-bit address space"
                ),
            });
        }
        let chunk = usize::from(self.info.max_payload)
            .saturating_sub(4)
            .clamp(1, bs_protocol::MAX_PEEK);
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let n = chunk.min(len - out.len());
            let at = addr.wrapping_add(out.len() as u32);
            let request = Request::Peek {
                addr: at,
                len: n as u16,
            };
            let timeout = Some(self.channel.reply_timeout);
            let expecting = "PEEK_REPLY";
            match self
                .channel
                .transact(&request, timeout, false, expecting)?
                .1
            {
                Reply::PeekReply { bytes } if bytes.len() == n => out.extend_from_slice(&bytes),
                Reply::PeekReply { bytes } => {
                    return Err(LinkError::Protocol {
                        detail: format!(
                            "{} sent {} bytes for a PEEK of {n} bytes at 0x{at:08x}",
                            self.channel.link.describe(),
                            bytes.len()
                        ),
                    });
                }
                Reply::Error(error) => {
                    return Err(LinkError::Refused {
                        request: Kind::Peek,
                        error,
                    });
                }
                other => return Err(self.channel.unexpected(&other, Kind::Peek, expecting)),
            }
        }
        Ok(out)
    }

    /// Clears the device's heap, code and data. The device picks a new session id; call
    /// [`hello`](Device::hello) to learn it.
    pub fn reset(&mut self) -> Result<(), LinkError> {
        // The device chooses its new session id when it carries RESET out, before its OK: the
        // DEVICE_ACK of a repeated RESET (the first one's was lost) already carries the new id.
        self.channel.session = None;
        self.channel.request_ok(&Request::Reset)
    }

    /// The device's memory usage; with `collect`, after a garbage collection.
    pub fn meminfo(&mut self, collect: bool) -> Result<MemInfo, LinkError> {
        let expecting = "MEMINFO_REPLY";
        let timeout = Some(self.channel.reply_timeout);
        match self
            .channel
            .transact(&Request::MemInfo { collect }, timeout, false, expecting)?
            .1
        {
            Reply::MemInfo(info) => Ok(info),
            Reply::Error(error) => Err(LinkError::Refused {
                request: Kind::MemInfo,
                error,
            }),
            other => Err(self.channel.unexpected(&other, Kind::MemInfo, expecting)),
        }
    }

    /// The link, e.g. to ask a [`ProcessLink`](crate::ProcessLink) for its exit status.
    pub fn link(&self) -> &L {
        &self.channel.link
    }

    /// The link, mutably.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.channel.link
    }

    /// Gives the link back.
    pub fn into_link(self) -> L {
        self.channel.link
    }

    /// What the link is connected to.
    pub fn describe(&self) -> String {
        self.channel.link.describe()
    }
}

impl<L: Link> std::fmt::Debug for Device<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("link", &self.channel.link.describe())
            .field("info", &self.info)
            .field("seq", &self.channel.seq)
            .field("stats", &self.channel.stats)
            .field("reply_timeout", &self.channel.reply_timeout)
            .field("call_timeout", &self.call_timeout)
            .finish()
    }
}
