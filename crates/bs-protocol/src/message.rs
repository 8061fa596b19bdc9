//! Typed messages (`docs/protocol.md`, section 3): [`Request`]s from the host and [`Reply`]s from
//! the device, each encoded into and decoded from a [`Frame`]. Decoding checks payload lengths
//! exactly, so a short or long payload is a [`DecodeError`], never a panic.

use std::fmt;

use crate::auth::KeyId;
use crate::{DeviceError, Frame, Kind, MAX_PAYLOAD};

/// The most code or data bytes one LOAD frame can carry (the payload less the u32 address).
pub const MAX_LOAD_CHUNK: usize = MAX_PAYLOAD - 4;

/// A host → device message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Request {
    /// Start a session with this protocol version.
    Hello {
        /// The host's protocol version.
        version: u16,
        /// A number the host chose at random when it started: a HELLO with another one comes
        /// from a new host, whose sequence numbers start afresh.
        host: u32,
    },
    /// Copy `bytes` to `addr` (at most [`MAX_LOAD_CHUNK`] bytes per frame).
    Load {
        /// Destination address on the device.
        addr: u32,
        /// The bytes to copy.
        bytes: Vec<u8>,
    },
    /// Write `loads`, in order, then run the code at `entry`: a unit's bytes travel with the
    /// call that runs it, in one frame and one round trip.
    Call {
        /// Entry address.
        entry: u32,
        /// What to write before the call (nothing, for a plain call).
        loads: Vec<Segment>,
    },
    /// Clear the heap, code and data regions.
    Reset,
    /// Ask for memory usage; with `collect`, after a garbage collection (so that the heap
    /// figures count live data only).
    MemInfo {
        /// Collect garbage first.
        collect: bool,
    },
    /// Acknowledge the device frame whose seq this frame carries.
    Ack,
    /// Stop the CALL whose seq this frame carries (not acknowledged; repeated until the CALL
    /// ends).
    Interrupt,
    /// Ask the device, while the CALL whose seq this frame carries runs, to answer with PONG.
    Ping,
    /// Ask the device to pause the CALL whose seq this frame carries at its next patch point
    /// and answer PAUSED (`docs/dynamic.md`; not acknowledged, repeated until PAUSED comes or the
    /// CALL ends).
    Patch,
    /// Write `new` into the data word at `addr` if it holds `expected` (OK, or ERROR
    /// SWAP_MISMATCH with the value found).
    Swap {
        /// The word's address: 4-byte aligned, in the data region.
        addr: u32,
        /// The value it must hold.
        expected: u32,
        /// The value to write.
        new: u32,
    },
    /// Go on with the CALL paused for a patch (answered OK).
    Resume,
    /// Read `len` bytes at `addr` in the code or data region (answered PEEK_REPLY); `len` is at
    /// most [`MAX_PEEK`] and what the device's maximum payload allows.
    Peek {
        /// First address.
        addr: u32,
        /// How many bytes.
        len: u16,
    },
    /// Fetch what callbacks printed while no CALL ran, their errors, and the counts of what was
    /// lost (answered EVENTS_REPLY; `docs/protocol.md`, section 3.3).
    Events,
}

/// Bytes a CALL writes before it runs (`docs/protocol.md`, section 3): on the wire, a u32
/// address and a u16 length, then the bytes; bit 15 of the length ([`SEGMENT_ZEROS`]) says
/// that the device writes that many zeros instead, and no bytes follow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Copy `bytes` to `addr`.
    Bytes {
        /// Destination address on the device.
        addr: u32,
        /// The bytes (at most [`SEGMENT_MAX_LEN`], and what fits in the frame).
        bytes: Vec<u8>,
    },
    /// Write `len` zero bytes at `addr`.
    Zeros {
        /// Destination address on the device.
        addr: u32,
        /// How many (at most [`SEGMENT_MAX_LEN`]).
        len: u16,
    },
}

/// The bytes of a segment's address and length.
pub const SEGMENT_HEADER_LEN: usize = 6;
/// The flag of a segment's length that makes it zeros.
pub const SEGMENT_ZEROS: u16 = 0x8000;
/// The longest segment.
pub const SEGMENT_MAX_LEN: usize = 0x7FFF;

impl Segment {
    /// Its bytes in a frame's payload.
    pub fn encoded_len(&self) -> usize {
        SEGMENT_HEADER_LEN
            + match self {
                Segment::Bytes { bytes, .. } => bytes.len(),
                Segment::Zeros { .. } => 0,
            }
    }

    /// The segments that write `bytes` at `addr`, as few bytes as they take: a run of zeros
    /// becomes a zero segment where that is shorter than sending it (a segment's header costs
    /// [`SEGMENT_HEADER_LEN`] bytes, and one in the middle splits the bytes around it in two);
    /// none for no bytes.
    pub fn split(addr: u32, bytes: &[u8]) -> Vec<Segment> {
        let mut out = Vec::new();
        let at = |i: usize| addr.wrapping_add(i as u32);
        let push_bytes = |out: &mut Vec<Segment>, from: usize, to: usize| {
            for (k, piece) in bytes[from..to].chunks(SEGMENT_MAX_LEN).enumerate() {
                out.push(Segment::Bytes {
                    addr: at(from + k * SEGMENT_MAX_LEN),
                    bytes: piece.to_vec(),
                });
            }
        };
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != 0 {
                i += 1;
                continue;
            }
            let run = bytes[i..].iter().take_while(|&&b| b == 0).count();
            let at_an_end = i == 0 || i + run == bytes.len();
            let worth = if at_an_end {
                SEGMENT_HEADER_LEN
            } else {
                2 * SEGMENT_HEADER_LEN
            };
            if run > worth || run == bytes.len() {
                if start < i {
                    push_bytes(&mut out, start, i);
                }
                let mut from = i;
                while from < i + run {
                    let len = (i + run - from).min(SEGMENT_MAX_LEN);
                    out.push(Segment::Zeros {
                        addr: at(from),
                        len: len as u16,
                    });
                    from += len;
                }
                start = i + run;
            }
            i += run;
        }
        if start < bytes.len() {
            push_bytes(&mut out, start, bytes.len());
        }
        out
    }
}

/// The most bytes one PEEK asks for (the largest payload less 4, as for LOAD).
pub const MAX_PEEK: usize = MAX_PAYLOAD - 4;

/// The PATCH frame for the CALL sent with `call_seq`: an empty payload, like INTERRUPT and PING.
pub fn patch_frame(call_seq: u8) -> Frame {
    Request::Patch.encode(call_seq)
}

/// The CPU architecture in HELLO_REPLY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 1: x86-64 (the `host` device).
    X86_64,
    /// 2: ARM Thumb-2 (Cortex-M).
    Thumb2,
    /// Any other number.
    Unknown(u8),
}

impl Arch {
    /// The number on the wire.
    pub const fn code(self) -> u8 {
        match self {
            Arch::X86_64 => 1,
            Arch::Thumb2 => 2,
            Arch::Unknown(code) => code,
        }
    }

    /// The architecture for a number.
    pub const fn from_u8(code: u8) -> Arch {
        match code {
            1 => Arch::X86_64,
            2 => Arch::Thumb2,
            other => Arch::Unknown(other),
        }
    }
}

impl From<u8> for Arch {
    fn from(code: u8) -> Arch {
        Arch::from_u8(code)
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arch::X86_64 => f.write_str("x86-64"),
            Arch::Thumb2 => f.write_str("Thumb-2"),
            Arch::Unknown(code) => write!(f, "unknown architecture {code}"),
        }
    }
}

/// A memory region of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Region {
    /// First address.
    pub base: u32,
    /// Size in bytes.
    pub size: u32,
}

impl Region {
    /// One past the last address (may be 2^32).
    pub const fn end(&self) -> u64 {
        self.base as u64 + self.size as u64
    }

    /// True when the `len` bytes at `addr` lie inside the region.
    pub const fn contains(&self, addr: u32, len: u32) -> bool {
        addr >= self.base && addr as u64 + len as u64 <= self.end()
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "0x{:08x}..0x{:08x} ({} bytes)",
            self.base,
            self.end(),
            self.size
        )
    }
}

/// The payload of HELLO_REPLY: what the host needs to know about the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceInfo {
    /// The device's protocol version.
    pub version: u16,
    /// Pointer size in bytes (4 or 8).
    pub ptr_size: u8,
    /// CPU architecture.
    pub arch: Arch,
    /// Chosen by the device at start and at every RESET.
    pub session_id: u32,
    /// The runtime's build id (the symbol `bs_build_id` in its ELF).
    pub build_id: [u8; 8],
    /// Where code is loaded.
    pub code: Region,
    /// Where data is loaded.
    pub data: Region,
    /// The runtime's heap.
    pub heap: Region,
    /// The largest payload the device accepts.
    pub max_payload: u16,
    /// A paired device's auth fields (`docs/protocol.md`, section 6); `None` when it is not
    /// paired (auth mode 0).
    pub auth: Option<DeviceAuth>,
}

impl DeviceInfo {
    /// Length of the HELLO_REPLY payload.
    pub const ENCODED_LEN: usize = bs_abi::HELLO_REPLY_LEN;
}

/// What a paired device says of its key in HELLO_REPLY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeviceAuth {
    /// How requests are authenticated ([`AUTH_MODE_HMAC_SHA256`](crate::auth::AUTH_MODE_HMAC_SHA256)).
    pub mode: u8,
    /// The id of the device's key.
    pub key_id: KeyId,
    /// Chosen once per start of the device; every MAC covers it.
    pub nonce: [u8; bs_abi::AUTH_NONCE_LEN],
    /// The counter of the last request the device ran (0: none since it started).
    pub last_counter: u32,
}

/// The payload of MEMINFO_REPLY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MemInfo {
    /// Heap size in bytes.
    pub heap_size: u32,
    /// Heap bytes in use.
    pub heap_used: u32,
    /// Heap bytes free.
    pub heap_free: u32,
    /// Number of live heap blocks.
    pub live_blocks: u32,
    /// High-water mark of loads into the code region.
    pub code_used: u32,
    /// High-water mark of loads into the data region.
    pub data_used: u32,
}

impl MemInfo {
    /// Length of the MEMINFO_REPLY payload.
    pub const ENCODED_LEN: usize = 24;
}

/// A device → host message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reply {
    /// The answer to HELLO.
    HelloReply(DeviceInfo),
    /// A request was carried out.
    Ok {
        /// The kind byte of the acknowledged request.
        kind: u8,
    },
    /// Program output during a CALL.
    Output {
        /// 0 = standard output, 1 = standard error.
        stream: u8,
        /// The bytes written.
        text: Vec<u8>,
    },
    /// A CALL finished.
    Result {
        /// Its run time in microseconds.
        micros: u32,
        /// `bs_abi::EVENTS_ACTIVE` (timers are active), `bs_abi::EVENTS_WAITING` (EVENTS has
        /// something to fetch).
        flags: u8,
    },
    /// A request failed, or a CALL stopped with a run-time error.
    Error(DeviceError),
    /// The answer to MEMINFO.
    MemInfo(MemInfo),
    /// The host frame whose seq this frame carries arrived (sent before the request is carried
    /// out, and again for every duplicate).
    DeviceAck {
        /// The device's current session id: a different one than HELLO_REPLY gave means the
        /// device was reset.
        session_id: u32,
    },
    /// The answer to PING: the device is alive and its CALL still runs (sent from its receive
    /// path, not acknowledged).
    Pong,
    /// A reply of the running CALL: a profile record saw a signature often enough (or none
    /// dominates: `row` is [`PROFILE_NO_ROW`](bs_abi::PROFILE_NO_ROW) and `sig` is empty).
    Profile {
        /// The profile record's address in the data region.
        record: u32,
        /// The record's row of the signature; 0xFF: no signature dominates.
        row: u8,
        /// One code per untyped argument: `bs_abi::SIG_*`, else a class id.
        sig: Vec<u16>,
    },
    /// A reply of the running CALL: it is paused for a patch and serves LOAD, SWAP, PEEK and
    /// MEMINFO until RESUME.
    Paused,
    /// The answer to PEEK: the bytes read.
    PeekReply {
        /// The bytes, as many as PEEK asked for.
        bytes: Vec<u8>,
    },
    /// The answer to EVENTS.
    Events(EventsReport),
}

/// EVENTS_REPLY's payload: u8 flags, u8 active timers, u32 dropped events, u32 dropped bytes,
/// then records (u8 kind, u16 length, bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EventsReport {
    /// `bs_abi::EVENTS_ACTIVE`, `EVENTS_WAITING` (after this reply), `EVENTS_MORE` (the device
    /// holds more records than this reply carried).
    pub flags: u8,
    /// Timers active on the device.
    pub timers: u8,
    /// Events lost to a full queue since the last report.
    pub dropped_events: u32,
    /// Bytes of callback output (and error records) lost to a full event buffer since the last
    /// report.
    pub dropped_bytes: u32,
    /// In the order they happened.
    pub records: Vec<EventRecord>,
}

/// One record of the device's event buffer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventRecord {
    /// What callbacks wrote to standard output (kind 0).
    Stdout(Vec<u8>),
    /// ... to standard error (kind 1).
    Stderr(Vec<u8>),
    /// A callback stopped with this run-time error (kind 2, ERROR's 18-byte payload).
    Error(DeviceError),
}

/// The expected payload length in a [`DecodeError::BadLength`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedLen {
    /// The payload must have exactly this length.
    Exactly(usize),
    /// The payload must have at least this length.
    AtLeast(usize),
}

impl ExpectedLen {
    fn admits(self, len: usize) -> bool {
        match self {
            ExpectedLen::Exactly(n) => len == n,
            ExpectedLen::AtLeast(n) => len >= n,
        }
    }
}

impl fmt::Display for ExpectedLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedLen::Exactly(n) => write!(f, "exactly {n}"),
            ExpectedLen::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}

/// A frame that is not a valid message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The kind byte is not a known message.
    #[error("unknown message kind 0x{kind:02x}")]
    UnknownKind {
        /// The kind byte.
        kind: u8,
    },
    /// A device → host kind where a request was expected.
    #[error("{kind} is a device reply, not a request")]
    NotARequest {
        /// The kind received.
        kind: Kind,
    },
    /// A host → device kind where a reply was expected.
    #[error("{kind} is a host request, not a reply")]
    NotAReply {
        /// The kind received.
        kind: Kind,
    },
    /// The payload has the wrong length for its kind.
    #[error("{kind} payload of {actual} bytes, expected {expected} bytes")]
    BadLength {
        /// The message kind.
        kind: Kind,
        /// What its layout requires.
        expected: ExpectedLen,
        /// The payload length received.
        actual: usize,
    },
}

/// Little-endian payload writer.
struct Writer(Vec<u8>);

impl Writer {
    fn with_capacity(n: usize) -> Writer {
        Writer(Vec::with_capacity(n))
    }
    fn u8(mut self, v: u8) -> Writer {
        self.0.push(v);
        self
    }
    fn u16(mut self, v: u16) -> Writer {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(mut self, v: u32) -> Writer {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn bytes(mut self, v: &[u8]) -> Writer {
        self.0.extend_from_slice(v);
        self
    }
    /// HELLO_REPLY's auth fields: mode, key id, nonce, last counter (all zero when unpaired).
    fn auth(self, auth: Option<&DeviceAuth>) -> Writer {
        match auth {
            None => self.bytes(&[0; 1 + bs_abi::AUTH_KEY_ID_LEN + bs_abi::AUTH_NONCE_LEN + 4]),
            Some(a) => self
                .u8(a.mode)
                .bytes(&a.key_id.0)
                .bytes(&a.nonce)
                .u32(a.last_counter),
        }
    }
}

/// Little-endian payload reader over a payload whose length was checked against its layout.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `frame`'s payload, if its length is as `expected`.
    fn new(
        kind: Kind,
        payload: &'a [u8],
        expected: ExpectedLen,
    ) -> Result<Reader<'a>, DecodeError> {
        if expected.admits(payload.len()) {
            Ok(Reader {
                bytes: payload,
                pos: 0,
            })
        } else {
            Err(DecodeError::BadLength {
                kind,
                expected,
                actual: payload.len(),
            })
        }
    }

    /// The next `N` bytes. The length check in `new` guarantees they exist; if a layout were
    /// wrong, missing bytes read as zero rather than panicking.
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let end = self.pos + N;
        debug_assert!(
            end <= self.bytes.len(),
            "layout reads past the checked length"
        );
        if let Some(src) = self.bytes.get(self.pos..end) {
            out.copy_from_slice(src);
        }
        self.pos = end;
        out
    }
    fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }
    fn region(&mut self) -> Region {
        Region {
            base: self.u32(),
            size: self.u32(),
        }
    }
    fn auth(&mut self) -> Option<DeviceAuth> {
        let mode = self.u8();
        let auth = DeviceAuth {
            mode,
            key_id: KeyId(self.array()),
            nonce: self.array(),
            last_counter: self.u32(),
        };
        (mode != 0).then_some(auth)
    }
    fn rest(&mut self) -> &'a [u8] {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = self.bytes.len();
        rest
    }
}

/// A CALL whose last segment is cut short: `needed` bytes would complete it.
fn bad_segment(kind: Kind, actual: usize, needed: usize) -> DecodeError {
    DecodeError::BadLength {
        kind,
        expected: ExpectedLen::AtLeast(needed),
        actual,
    }
}

fn known_kind(frame: &Frame) -> Result<Kind, DecodeError> {
    Kind::try_from(frame.kind).map_err(|e| DecodeError::UnknownKind { kind: e.0 })
}

impl Request {
    /// The message kind.
    pub const fn kind(&self) -> Kind {
        match self {
            Request::Hello { .. } => Kind::Hello,
            Request::Load { .. } => Kind::Load,
            Request::Call { .. } => Kind::Call,
            Request::Reset => Kind::Reset,
            Request::MemInfo { .. } => Kind::MemInfo,
            Request::Ack => Kind::Ack,
            Request::Interrupt => Kind::Interrupt,
            Request::Ping => Kind::Ping,
            Request::Patch => Kind::Patch,
            Request::Swap { .. } => Kind::Swap,
            Request::Resume => Kind::Resume,
            Request::Peek { .. } => Kind::Peek,
            Request::Events => Kind::Events,
        }
    }

    /// The frame carrying this request. A LOAD with more than [`MAX_LOAD_CHUNK`] bytes gives an
    /// oversized frame, which [`encode_frame`](crate::encode_frame) refuses.
    pub fn encode(&self, seq: u8) -> Frame {
        let payload = match self {
            Request::Hello { version, host } => Writer::with_capacity(6).u16(*version).u32(*host),
            Request::Load { addr, bytes } => Writer::with_capacity(4 + bytes.len())
                .u32(*addr)
                .bytes(bytes),
            Request::Call { entry, loads } => {
                let len = 4 + loads.iter().map(Segment::encoded_len).sum::<usize>();
                let mut w = Writer::with_capacity(len).u32(*entry);
                for segment in loads {
                    w = match segment {
                        Segment::Bytes { addr, bytes } => {
                            w.u32(*addr).u16(bytes.len() as u16).bytes(bytes)
                        }
                        Segment::Zeros { addr, len } => w.u32(*addr).u16(*len | SEGMENT_ZEROS),
                    };
                }
                w
            }
            // Without collection the payload stays empty, as devices before the flag expect.
            Request::MemInfo { collect: true } => {
                Writer::with_capacity(1).u8(bs_abi::MEMINFO_COLLECT)
            }
            Request::Swap {
                addr,
                expected,
                new,
            } => Writer::with_capacity(12)
                .u32(*addr)
                .u32(*expected)
                .u32(*new),
            Request::Peek { addr, len } => Writer::with_capacity(6).u32(*addr).u16(*len),
            Request::Reset
            | Request::MemInfo { collect: false }
            | Request::Ack
            | Request::Interrupt
            | Request::Ping
            | Request::Patch
            | Request::Resume
            | Request::Events => Writer::with_capacity(0),
        };
        Frame::new(self.kind(), seq, payload.0)
    }

    /// The request in a frame.
    pub fn decode(frame: &Frame) -> Result<Request, DecodeError> {
        let kind = known_kind(frame)?;
        let p = &frame.payload[..];
        Ok(match kind {
            Kind::Hello => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(bs_abi::HELLO_LEN))?;
                Request::Hello {
                    version: r.u16(),
                    host: r.u32(),
                }
            }
            Kind::Load => {
                let mut r = Reader::new(kind, p, ExpectedLen::AtLeast(4))?;
                Request::Load {
                    addr: r.u32(),
                    bytes: r.rest().to_vec(),
                }
            }
            Kind::Call => {
                let mut r = Reader::new(kind, p, ExpectedLen::AtLeast(4))?;
                let entry = r.u32();
                let mut rest = r.rest();
                let mut loads = Vec::new();
                while !rest.is_empty() {
                    let at = p.len() - rest.len();
                    let mut r = Reader::new(kind, rest, ExpectedLen::AtLeast(SEGMENT_HEADER_LEN))
                        .map_err(|_| bad_segment(kind, p.len(), at + SEGMENT_HEADER_LEN))?;
                    let addr = r.u32();
                    let head = r.u16();
                    let len = usize::from(head & !SEGMENT_ZEROS);
                    if head & SEGMENT_ZEROS != 0 {
                        loads.push(Segment::Zeros {
                            addr,
                            len: len as u16,
                        });
                    } else {
                        let body = r.rest();
                        if body.len() < len {
                            return Err(bad_segment(kind, p.len(), at + SEGMENT_HEADER_LEN + len));
                        }
                        loads.push(Segment::Bytes {
                            addr,
                            bytes: body[..len].to_vec(),
                        });
                    }
                    rest = &rest
                        [SEGMENT_HEADER_LEN + if head & SEGMENT_ZEROS != 0 { 0 } else { len }..];
                }
                Request::Call { entry, loads }
            }
            Kind::Reset => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Reset
            }
            Kind::MemInfo if p.is_empty() => Request::MemInfo { collect: false },
            Kind::MemInfo => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(1))?;
                Request::MemInfo {
                    collect: r.u8() & bs_abi::MEMINFO_COLLECT != 0,
                }
            }
            Kind::Ack => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Ack
            }
            Kind::Interrupt => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Interrupt
            }
            Kind::Ping => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Ping
            }
            Kind::Patch => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Patch
            }
            Kind::Swap => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(12))?;
                Request::Swap {
                    addr: r.u32(),
                    expected: r.u32(),
                    new: r.u32(),
                }
            }
            Kind::Resume => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Resume
            }
            Kind::Peek => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(6))?;
                Request::Peek {
                    addr: r.u32(),
                    len: r.u16(),
                }
            }
            Kind::Events => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Request::Events
            }
            Kind::HelloReply
            | Kind::Ok
            | Kind::Output
            | Kind::Result
            | Kind::Error
            | Kind::MemInfoReply
            | Kind::DeviceAck
            | Kind::Pong
            | Kind::Profile
            | Kind::Paused
            | Kind::PeekReply
            | Kind::EventsReply => return Err(DecodeError::NotARequest { kind }),
        })
    }
}

impl Reply {
    /// The message kind.
    pub const fn kind(&self) -> Kind {
        match self {
            Reply::HelloReply(_) => Kind::HelloReply,
            Reply::Ok { .. } => Kind::Ok,
            Reply::Output { .. } => Kind::Output,
            Reply::Result { .. } => Kind::Result,
            Reply::Error(_) => Kind::Error,
            Reply::MemInfo(_) => Kind::MemInfoReply,
            Reply::DeviceAck { .. } => Kind::DeviceAck,
            Reply::Pong => Kind::Pong,
            Reply::Profile { .. } => Kind::Profile,
            Reply::Paused => Kind::Paused,
            Reply::PeekReply { .. } => Kind::PeekReply,
            Reply::Events(_) => Kind::EventsReply,
        }
    }

    /// The frame carrying this reply, sent with sequence number `seq` in answer to the request
    /// sent with `reply_to` (for DEVICE_ACK: `seq` is the acknowledged request's and `reply_to`
    /// is 0). An OUTPUT with more than `MAX_PAYLOAD - 1` bytes of text gives an oversized frame,
    /// which [`encode_frame`](crate::encode_frame) refuses.
    pub fn encode(&self, seq: u8, reply_to: u8) -> Frame {
        let payload = match self {
            Reply::HelloReply(info) => Writer::with_capacity(DeviceInfo::ENCODED_LEN)
                .u16(info.version)
                .u8(info.ptr_size)
                .u8(info.arch.code())
                .u32(info.session_id)
                .bytes(&info.build_id)
                .u32(info.code.base)
                .u32(info.code.size)
                .u32(info.data.base)
                .u32(info.data.size)
                .u32(info.heap.base)
                .u32(info.heap.size)
                .u16(info.max_payload)
                .auth(info.auth.as_ref()),
            Reply::Ok { kind } => Writer::with_capacity(1).u8(*kind),
            Reply::Output { stream, text } => Writer::with_capacity(1 + text.len())
                .u8(*stream)
                .bytes(text),
            Reply::Result { micros, flags } => Writer::with_capacity(5).u32(*micros).u8(*flags),
            Reply::Error(e) => Writer::with_capacity(18)
                .u16(e.code)
                .u32(e.site)
                .u32(e.address)
                .u32(e.detail1)
                .u32(e.detail2),
            Reply::MemInfo(m) => Writer::with_capacity(MemInfo::ENCODED_LEN)
                .u32(m.heap_size)
                .u32(m.heap_used)
                .u32(m.heap_free)
                .u32(m.live_blocks)
                .u32(m.code_used)
                .u32(m.data_used),
            Reply::DeviceAck { session_id } => Writer::with_capacity(4).u32(*session_id),
            Reply::Pong | Reply::Paused => Writer::with_capacity(0),
            Reply::Profile { record, row, sig } => {
                // The count is a byte: a longer signature gives a count that disagrees with the
                // payload, which decoding refuses.
                let mut w = Writer::with_capacity(6 + 2 * sig.len())
                    .u32(*record)
                    .u8(*row)
                    .u8(sig.len() as u8);
                for code in sig {
                    w = w.u16(*code);
                }
                w
            }
            Reply::PeekReply { bytes } => Writer::with_capacity(bytes.len()).bytes(bytes),
            Reply::Events(e) => {
                let mut w = Writer::with_capacity(10)
                    .u8(e.flags)
                    .u8(e.timers)
                    .u32(e.dropped_events)
                    .u32(e.dropped_bytes);
                for record in &e.records {
                    w = match record {
                        EventRecord::Stdout(t) => w.u8(0).u16(t.len() as u16).bytes(t),
                        EventRecord::Stderr(t) => w.u8(1).u16(t.len() as u16).bytes(t),
                        EventRecord::Error(d) => w
                            .u8(2)
                            .u16(18)
                            .u16(d.code)
                            .u32(d.site)
                            .u32(d.address)
                            .u32(d.detail1)
                            .u32(d.detail2),
                    };
                }
                w
            }
        };
        Frame::reply(self.kind(), seq, reply_to, payload.0)
    }

    /// The reply in a frame.
    pub fn decode(frame: &Frame) -> Result<Reply, DecodeError> {
        let kind = known_kind(frame)?;
        let p = &frame.payload[..];
        Ok(match kind {
            Kind::HelloReply => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(DeviceInfo::ENCODED_LEN))?;
                Reply::HelloReply(DeviceInfo {
                    version: r.u16(),
                    ptr_size: r.u8(),
                    arch: Arch::from_u8(r.u8()),
                    session_id: r.u32(),
                    build_id: r.array(),
                    code: r.region(),
                    data: r.region(),
                    heap: r.region(),
                    max_payload: r.u16(),
                    auth: r.auth(),
                })
            }
            Kind::Ok => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(1))?;
                Reply::Ok { kind: r.u8() }
            }
            Kind::Output => {
                let mut r = Reader::new(kind, p, ExpectedLen::AtLeast(1))?;
                Reply::Output {
                    stream: r.u8(),
                    text: r.rest().to_vec(),
                }
            }
            Kind::Result => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(5))?;
                Reply::Result {
                    micros: r.u32(),
                    flags: r.u8(),
                }
            }
            Kind::Error => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(18))?;
                Reply::Error(DeviceError {
                    code: r.u16(),
                    site: r.u32(),
                    address: r.u32(),
                    detail1: r.u32(),
                    detail2: r.u32(),
                })
            }
            Kind::MemInfoReply => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(MemInfo::ENCODED_LEN))?;
                Reply::MemInfo(MemInfo {
                    heap_size: r.u32(),
                    heap_used: r.u32(),
                    heap_free: r.u32(),
                    live_blocks: r.u32(),
                    code_used: r.u32(),
                    data_used: r.u32(),
                })
            }
            Kind::DeviceAck => {
                let mut r = Reader::new(kind, p, ExpectedLen::Exactly(4))?;
                Reply::DeviceAck {
                    session_id: r.u32(),
                }
            }
            Kind::Pong => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Reply::Pong
            }
            Kind::Paused => {
                Reader::new(kind, p, ExpectedLen::Exactly(0))?;
                Reply::Paused
            }
            Kind::Profile => {
                let mut r = Reader::new(kind, p, ExpectedLen::AtLeast(6))?;
                let record = r.u32();
                let row = r.u8();
                let n = usize::from(r.u8());
                Reader::new(kind, p, ExpectedLen::Exactly(6 + 2 * n))?;
                Reply::Profile {
                    record,
                    row,
                    sig: (0..n).map(|_| r.u16()).collect(),
                }
            }
            Kind::PeekReply => Reply::PeekReply { bytes: p.to_vec() },
            Kind::EventsReply => Reply::Events(decode_events(kind, p)?),
            Kind::Hello
            | Kind::Load
            | Kind::Call
            | Kind::Reset
            | Kind::MemInfo
            | Kind::Ack
            | Kind::Interrupt
            | Kind::Ping
            | Kind::Patch
            | Kind::Swap
            | Kind::Resume
            | Kind::Peek
            | Kind::Events => {
                return Err(DecodeError::NotAReply { kind });
            }
        })
    }
}

/// EVENTS_REPLY's payload; a record that runs past the end, or an error record that is not 18
/// bytes long, or an unknown record kind, is a [`DecodeError::BadLength`] of the whole payload.
fn decode_events(kind: Kind, p: &[u8]) -> Result<EventsReport, DecodeError> {
    let mut r = Reader::new(kind, p, ExpectedLen::AtLeast(10))?;
    let mut report = EventsReport {
        flags: r.u8(),
        timers: r.u8(),
        dropped_events: r.u32(),
        dropped_bytes: r.u32(),
        records: Vec::new(),
    };
    let bad = || DecodeError::BadLength {
        kind,
        expected: ExpectedLen::AtLeast(10),
        actual: p.len(),
    };
    let mut at = 10;
    while at < p.len() {
        if p.len() - at < 3 {
            return Err(bad());
        }
        let record_kind = p[at];
        let len = usize::from(u16::from_le_bytes([p[at + 1], p[at + 2]]));
        let body = p.get(at + 3..at + 3 + len).ok_or_else(bad)?;
        report.records.push(match record_kind {
            0 => EventRecord::Stdout(body.to_vec()),
            1 => EventRecord::Stderr(body.to_vec()),
            2 if len == 18 => {
                let mut e = Reader::new(kind, body, ExpectedLen::Exactly(18))?;
                EventRecord::Error(DeviceError {
                    code: e.u16(),
                    site: e.u32(),
                    address: e.u32(),
                    detail1: e.u32(),
                    detail2: e.u32(),
                })
            }
            _ => return Err(bad()),
        });
        at += 3 + len;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Deframer, encode_frame};

    fn info() -> DeviceInfo {
        DeviceInfo {
            version: 1,
            ptr_size: 8,
            arch: Arch::X86_64,
            session_id: 0xDEAD_BEEF,
            build_id: *b"\x01\x02\x03\x04\xB5\x06\x07\x08",
            code: Region {
                base: 0x1000_0000,
                size: 0x10_0000,
            },
            data: Region {
                base: 0x2000_0000,
                size: 0x8_0000,
            },
            heap: Region {
                base: 0x3000_0000,
                size: 0x4_0000,
            },
            max_payload: 1024,
            auth: None,
        }
    }

    fn all_requests() -> Vec<Request> {
        vec![
            Request::Hello {
                version: 1,
                host: 7,
            },
            Request::Hello {
                version: 0xFFFF,
                host: 0xFFFF_FFFF,
            },
            Request::Load {
                addr: 0x1000_0040,
                bytes: (0..=255).collect(),
            },
            Request::Load {
                addr: 0,
                bytes: vec![],
            },
            Request::Load {
                addr: u32::MAX,
                bytes: vec![0xB5; MAX_LOAD_CHUNK],
            },
            Request::Call {
                entry: 0x1000_0080,
                loads: vec![],
            },
            Request::Call {
                entry: 0x1000_0081,
                loads: vec![
                    Segment::Bytes {
                        addr: 0x1000_0080,
                        bytes: vec![1, 2, 3, 0xB5],
                    },
                    Segment::Zeros {
                        addr: 0x2000_0000,
                        len: 0x7FFF,
                    },
                    Segment::Bytes {
                        addr: 0x2000_8000,
                        bytes: vec![],
                    },
                ],
            },
            Request::Reset,
            Request::MemInfo { collect: false },
            Request::MemInfo { collect: true },
            Request::Ack,
            Request::Interrupt,
            Request::Ping,
            Request::Patch,
            Request::Swap {
                addr: 0x2000_0010,
                expected: 0x1000_0040,
                new: 0x1000_0400,
            },
            Request::Swap {
                addr: u32::MAX,
                expected: 0,
                new: u32::MAX,
            },
            Request::Resume,
            Request::Peek {
                addr: 0x2000_0000,
                len: 4,
            },
            Request::Peek {
                addr: u32::MAX,
                len: MAX_PEEK as u16,
            },
            Request::Events,
        ]
    }

    fn all_replies() -> Vec<Reply> {
        vec![
            Reply::HelloReply(info()),
            Reply::HelloReply(DeviceInfo {
                arch: Arch::Thumb2,
                ptr_size: 4,
                ..info()
            }),
            Reply::HelloReply(DeviceInfo {
                arch: Arch::Unknown(77),
                ..info()
            }),
            Reply::HelloReply(DeviceInfo {
                auth: Some(DeviceAuth {
                    mode: 1,
                    key_id: KeyId([9, 8, 7, 6, 5, 4, 3, 2]),
                    nonce: [0xB5; 8],
                    last_counter: 0xFFFF_FFFE,
                }),
                ..info()
            }),
            Reply::Ok { kind: 0x02 },
            Reply::Output {
                stream: 0,
                text: b"hello\n".to_vec(),
            },
            Reply::Output {
                stream: 1,
                text: vec![],
            },
            Reply::Output {
                stream: 0,
                text: vec![b'x'; MAX_PAYLOAD - 1],
            },
            Reply::Result {
                micros: 123_456,
                flags: 0,
            },
            Reply::DeviceAck {
                session_id: 0x1234_5678,
            },
            Reply::Pong,
            Reply::Paused,
            Reply::Profile {
                record: 0x2000_0100,
                row: 2,
                sig: vec![bs_abi::SIG_INTEGER, 16, bs_abi::SIG_UNDEFINED],
            },
            Reply::Profile {
                record: 0x2000_0100,
                row: bs_abi::PROFILE_NO_ROW,
                sig: vec![],
            },
            Reply::Profile {
                record: u32::MAX,
                row: 0,
                sig: vec![0xFFFF; bs_abi::PROFILE_MAX_ARGS],
            },
            Reply::PeekReply { bytes: vec![] },
            Reply::Events(EventsReport::default()),
            Reply::Events(EventsReport {
                flags: 7,
                timers: 3,
                dropped_events: 5,
                dropped_bytes: 70_000,
                records: vec![
                    EventRecord::Stdout(b"1\n2\n".to_vec()),
                    EventRecord::Error(DeviceError {
                        code: 1,
                        site: 4,
                        address: 0,
                        detail1: 0,
                        detail2: 0,
                    }),
                    EventRecord::Stderr(vec![]),
                ],
            }),
            Reply::PeekReply {
                bytes: (0..=255).cycle().take(MAX_PEEK).collect(),
            },
            Reply::Error(DeviceError {
                code: 9,
                site: 42,
                address: 0,
                detail1: 10,
                detail2: 3,
            }),
            Reply::Error(DeviceError {
                code: 0xFFFF,
                site: u32::MAX,
                address: u32::MAX,
                detail1: u32::MAX,
                detail2: u32::MAX,
            }),
            Reply::MemInfo(MemInfo {
                heap_size: 65536,
                heap_used: 1000,
                heap_free: 64536,
                live_blocks: 12,
                code_used: 300,
                data_used: 40,
            }),
        ]
    }

    /// Message → frame → bytes → deframer → frame → message.
    fn through_the_wire(frame: &Frame) -> Frame {
        let bytes = encode_frame(frame).expect("fits");
        let mut d = Deframer::new();
        d.push(&bytes);
        let got = d.next_frame().expect("complete").expect("not corrupt");
        assert!(d.next_frame().is_none());
        got
    }

    #[test]
    fn every_request_round_trips() {
        let mut kinds = std::collections::HashSet::new();
        for (seq, req) in all_requests().into_iter().enumerate() {
            let frame = req.encode(seq as u8);
            assert_eq!(frame.kind, req.kind().code());
            assert_eq!(frame.seq, seq as u8);
            assert_eq!(frame.reply_to, 0);
            assert_eq!(Request::decode(&through_the_wire(&frame)), Ok(req.clone()));
            kinds.insert(req.kind());
        }
        assert_eq!(
            kinds.len(),
            Kind::ALL.iter().filter(|k| k.is_request()).count()
        );
    }

    #[test]
    fn every_reply_round_trips() {
        let mut kinds = std::collections::HashSet::new();
        for (seq, reply) in all_replies().into_iter().enumerate() {
            let frame = reply.encode(200 + seq as u8, seq as u8);
            assert_eq!(frame.kind, reply.kind().code());
            assert_eq!(frame.reply_to, seq as u8);
            assert_eq!(Reply::decode(&through_the_wire(&frame)), Ok(reply.clone()));
            kinds.insert(reply.kind());
        }
        assert_eq!(
            kinds.len(),
            Kind::ALL.iter().filter(|k| !k.is_request()).count()
        );
    }

    #[test]
    fn layouts_are_as_documented() {
        assert_eq!(
            Request::Hello {
                version: 1,
                host: 0x0403_0201
            }
            .encode(0)
            .payload,
            [1, 0, 1, 2, 3, 4]
        );
        assert_eq!(
            Request::Load {
                addr: 0x0403_0201,
                bytes: vec![9, 8]
            }
            .encode(0)
            .payload,
            [1, 2, 3, 4, 9, 8]
        );
        let hello = Reply::HelloReply(info()).encode(0, 0).payload;
        assert_eq!(hello.len(), DeviceInfo::ENCODED_LEN);
        assert_eq!(&hello[..4], &[1, 0, 8, 1]);
        assert_eq!(&hello[4..8], &0xDEAD_BEEFu32.to_le_bytes());
        assert_eq!(&hello[8..16], b"\x01\x02\x03\x04\xB5\x06\x07\x08");
        assert_eq!(&hello[16..20], &0x1000_0000u32.to_le_bytes());
        assert_eq!(&hello[40..42], &1024u16.to_le_bytes());
        let err = Reply::Error(DeviceError {
            code: 0x0102,
            site: 3,
            address: 4,
            detail1: 5,
            detail2: 6,
        })
        .encode(0, 0)
        .payload;
        assert_eq!(err, [2, 1, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0]);
        assert_eq!(
            Reply::Output {
                stream: 1,
                text: b"hi".to_vec()
            }
            .encode(0, 0)
            .payload,
            [1, b'h', b'i']
        );
    }

    #[test]
    fn every_wrong_length_is_a_decode_error() {
        let messages: Vec<Frame> = all_requests()
            .iter()
            .map(|r| r.encode(1))
            .chain(all_replies().iter().map(|r| r.encode(1, 1)))
            .collect();
        for good in messages {
            let kind = good.kind().unwrap();
            if kind == Kind::MemInfo {
                continue; // empty or one byte of flags: see meminfo_takes_no_byte_or_one
            }
            let variable = matches!(
                kind,
                Kind::Load
                    | Kind::Call
                    | Kind::Output
                    | Kind::PeekReply
                    | Kind::Profile
                    | Kind::EventsReply
            );
            let decode = |f: &Frame| {
                if kind.is_request() {
                    Request::decode(f).map(|_| ())
                } else {
                    Reply::decode(f).map(|_| ())
                }
            };
            // Every shorter payload below the fixed part, and one byte too long for fixed ones.
            let fixed = if variable {
                match kind {
                    Kind::Load | Kind::Call => 4,
                    Kind::Profile => 6,
                    Kind::PeekReply => 0,
                    Kind::EventsReply => 10,
                    _ => 1,
                }
            } else {
                good.payload.len()
            };
            for len in 0..fixed {
                let short = Frame {
                    payload: good.payload[..len].to_vec(),
                    ..good.clone()
                };
                assert!(
                    matches!(decode(&short), Err(DecodeError::BadLength { actual, .. }) if actual == len),
                    "{kind} with {len} bytes"
                );
            }
            if !variable {
                let mut long = good.clone();
                long.payload.push(0);
                assert!(
                    matches!(decode(&long), Err(DecodeError::BadLength { expected: ExpectedLen::Exactly(n), .. }) if n == fixed),
                    "{kind} one byte too long"
                );
            }
        }
    }

    #[test]
    fn events_records_must_fit_their_payload() {
        let good = Reply::Events(EventsReport {
            records: vec![EventRecord::Stdout(b"hi".to_vec())],
            ..EventsReport::default()
        })
        .encode(1, 1);
        for cut in 11..good.payload.len() {
            let short = Frame {
                payload: good.payload[..cut].to_vec(),
                ..good.clone()
            };
            assert!(Reply::decode(&short).is_err(), "cut at {cut}");
        }
        let mut unknown = good.clone();
        unknown.payload[10] = 3;
        assert!(Reply::decode(&unknown).is_err());
        let mut short_error = good;
        short_error.payload[10] = 2;
        assert!(Reply::decode(&short_error).is_err());
    }

    #[test]
    fn a_call_carries_its_segments_as_documented() {
        let call = Request::Call {
            entry: 0x0403_0201,
            loads: vec![
                Segment::Bytes {
                    addr: 0x1000_0000,
                    bytes: vec![9, 8],
                },
                Segment::Zeros {
                    addr: 0x2000_0010,
                    len: 5,
                },
            ],
        };
        let payload = call.encode(0).payload;
        assert_eq!(
            payload,
            [
                1, 2, 3, 4, // entry
                0, 0, 0, 0x10, 2, 0, 9, 8, // two bytes at 0x1000_0000
                0x10, 0, 0, 0x20, 5, 0x80, // five zeros at 0x2000_0010
            ]
        );
        // A segment cut short, in its header or its bytes, is refused.
        for len in [5, 9, 11, 17] {
            let frame = Frame::new(Kind::Call, 0, payload[..len].to_vec());
            assert!(
                matches!(
                    Request::decode(&frame),
                    Err(DecodeError::BadLength { actual, .. }) if actual == len
                ),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn zero_runs_become_zero_segments_where_that_is_shorter() {
        let bytes = |runs: &[(u8, usize)]| -> Vec<u8> {
            runs.iter()
                .flat_map(|&(b, n)| std::iter::repeat_n(b, n))
                .collect()
        };
        // In the middle a run must beat two headers, at an end one.
        let data = bytes(&[(0, 7), (1, 2), (0, 12), (2, 1), (0, 13), (3, 1), (0, 7)]);
        assert_eq!(
            Segment::split(0x100, &data),
            vec![
                Segment::Zeros {
                    addr: 0x100,
                    len: 7
                },
                Segment::Bytes {
                    addr: 0x107,
                    bytes: bytes(&[(1, 2), (0, 12), (2, 1)]),
                },
                Segment::Zeros {
                    addr: 0x116,
                    len: 13
                },
                Segment::Bytes {
                    addr: 0x123,
                    bytes: vec![3],
                },
                Segment::Zeros {
                    addr: 0x124,
                    len: 7
                },
            ]
        );
        // Short runs at the ends stay bytes; all zeros is one zero segment.
        assert_eq!(
            Segment::split(0x100, &[0, 0, 5, 0, 0, 0]),
            vec![Segment::Bytes {
                addr: 0x100,
                bytes: vec![0, 0, 5, 0, 0, 0]
            }]
        );
        assert_eq!(
            Segment::split(0x100, &[0; 4]),
            vec![Segment::Zeros {
                addr: 0x100,
                len: 4
            }]
        );
        assert_eq!(Segment::split(0x100, &[]), vec![]);
        assert_eq!(
            Segment::split(0, &vec![0; SEGMENT_MAX_LEN + 1]),
            vec![
                Segment::Zeros {
                    addr: 0,
                    len: SEGMENT_MAX_LEN as u16
                },
                Segment::Zeros {
                    addr: SEGMENT_MAX_LEN as u32,
                    len: 1
                },
            ]
        );
        // Every split writes the same bytes.
        for data in [data, bytes(&[(9, 40_000)]), bytes(&[(0, 30), (4, 1)])] {
            let mut written = vec![0xEE; data.len()];
            for segment in Segment::split(0, &data) {
                match segment {
                    Segment::Bytes { addr, bytes } => {
                        written[addr as usize..addr as usize + bytes.len()].copy_from_slice(&bytes)
                    }
                    Segment::Zeros { addr, len } => {
                        written[addr as usize..addr as usize + len as usize].fill(0)
                    }
                }
            }
            assert_eq!(written, data);
        }
    }

    #[test]
    fn profile_count_must_match_its_signature() {
        let good = Reply::Profile {
            record: 0x2000_0040,
            row: 1,
            sig: vec![bs_abi::SIG_FLOAT, bs_abi::SIG_BOOLEAN],
        }
        .encode(3, 4);
        assert_eq!(
            good.payload,
            [0x40, 0, 0, 0x20, 1, 2, 0xF2, 0xFF, 0xF3, 0xFF],
            "u32 record, u8 row, u8 count, u16 codes"
        );
        let mut long = good.clone();
        long.payload.push(0);
        assert_eq!(
            Reply::decode(&long),
            Err(DecodeError::BadLength {
                kind: Kind::Profile,
                expected: ExpectedLen::Exactly(10),
                actual: 11
            })
        );
        let mut short = good.clone();
        short.payload.pop();
        assert!(matches!(
            Reply::decode(&short),
            Err(DecodeError::BadLength { actual: 9, .. })
        ));
        let mut counted_more = good;
        counted_more.payload[5] = 3;
        assert!(Reply::decode(&counted_more).is_err());
        assert_eq!(
            patch_frame(0x42),
            Frame::new(Kind::Patch, 0x42, vec![]),
            "PATCH is empty and carries the CALL's seq"
        );
        assert_eq!(
            Request::Swap {
                addr: 0x0403_0201,
                expected: 5,
                new: 6
            }
            .encode(0)
            .payload,
            [1, 2, 3, 4, 5, 0, 0, 0, 6, 0, 0, 0]
        );
        assert_eq!(
            Request::Peek {
                addr: 0x0403_0201,
                len: 0x0102
            }
            .encode(0)
            .payload,
            [1, 2, 3, 4, 2, 1]
        );
    }

    #[test]
    fn meminfo_takes_no_byte_or_one() {
        let frame = |payload: Vec<u8>| Frame::new(Kind::MemInfo, 1, payload);
        assert_eq!(
            Request::decode(&frame(vec![])).unwrap(),
            Request::MemInfo { collect: false }
        );
        assert_eq!(
            Request::decode(&frame(vec![bs_abi::MEMINFO_COLLECT])).unwrap(),
            Request::MemInfo { collect: true }
        );
        assert!(matches!(
            Request::decode(&frame(vec![1, 0])),
            Err(DecodeError::BadLength { actual: 2, .. })
        ));
    }

    #[test]
    fn short_payload_errors_name_the_problem() {
        let f = Frame::new(Kind::HelloReply, 0, vec![1, 0, 8]);
        let e = Reply::decode(&f).unwrap_err();
        assert_eq!(
            e,
            DecodeError::BadLength {
                kind: Kind::HelloReply,
                expected: ExpectedLen::Exactly(63),
                actual: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "HELLO_REPLY payload of 3 bytes, expected exactly 63 bytes"
        );
        let e = Request::decode(&Frame::new(Kind::Load, 0, vec![1, 2])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LOAD payload of 2 bytes, expected at least 4 bytes"
        );
    }

    #[test]
    fn wrong_direction_and_unknown_kinds() {
        let req = Request::Reset.encode(0);
        assert_eq!(
            Reply::decode(&req),
            Err(DecodeError::NotAReply { kind: Kind::Reset })
        );
        let reply = Reply::Ok { kind: 4 }.encode(0, 0);
        assert_eq!(
            Request::decode(&reply),
            Err(DecodeError::NotARequest { kind: Kind::Ok })
        );
        let unknown = Frame {
            kind: 0x42,
            seq: 0,
            reply_to: 0,
            payload: vec![],
        };
        assert_eq!(
            Request::decode(&unknown),
            Err(DecodeError::UnknownKind { kind: 0x42 })
        );
        assert_eq!(
            Reply::decode(&unknown),
            Err(DecodeError::UnknownKind { kind: 0x42 })
        );
    }

    #[test]
    fn region_contains() {
        let r = Region {
            base: 0x1000,
            size: 0x100,
        };
        assert!(r.contains(0x1000, 0x100));
        assert!(r.contains(0x10FF, 1));
        assert!(r.contains(0x1100, 0));
        assert!(!r.contains(0x10FF, 2));
        assert!(!r.contains(0x0FFF, 1));
        assert!(!r.contains(0x1101, 0));
        assert!(!r.contains(u32::MAX, u32::MAX));
        let top = Region {
            base: 0xFFFF_FF00,
            size: 0x100,
        };
        assert_eq!(top.end(), 1 << 32);
        assert!(top.contains(0xFFFF_FFFF, 1));
        assert!(!top.contains(0xFFFF_FFFF, 2));
        assert_eq!(r.to_string(), "0x00001000..0x00001100 (256 bytes)");
    }

    #[test]
    fn arch_codes() {
        for code in 0..=255u8 {
            assert_eq!(Arch::from_u8(code).code(), code);
        }
        assert_eq!(Arch::from(1), Arch::X86_64);
        assert_eq!(Arch::from(2), Arch::Thumb2);
        assert_eq!(Arch::Thumb2.to_string(), "Thumb-2");
    }
}
