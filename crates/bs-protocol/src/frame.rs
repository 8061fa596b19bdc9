//! Frames on the wire (`docs/protocol.md`, sections 1 and 2): [`encode_frame`] writes one, and a
//! [`Deframer`] recovers frames from a byte stream that arrives in arbitrary pieces, skipping
//! garbage and resynchronising after corrupt frames on the next magic byte.

use std::fmt;

use crate::{CRC_LEN, HEADER_LEN, Kind, MAGIC, MAX_PAYLOAD, UnknownKind, crc32};

/// One frame: the header fields and the payload (magic, length and CRC are implied).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The message kind byte ([`Kind`] when it is a known one).
    pub kind: u8,
    /// The sender's sequence number of this frame (for ACK frames: the acknowledged frame's).
    pub seq: u8,
    /// In a device → host reply: the sequence number of the request it answers; else 0.
    pub reply_to: u8,
    /// The message body, at most [`MAX_PAYLOAD`] bytes.
    pub payload: Vec<u8>,
}

impl Frame {
    /// A frame of a known kind that answers no request (reply-to 0).
    pub fn new(kind: Kind, seq: u8, payload: Vec<u8>) -> Frame {
        Frame::reply(kind, seq, 0, payload)
    }

    /// A frame of a known kind answering the request sent with sequence number `reply_to`.
    pub fn reply(kind: Kind, seq: u8, reply_to: u8, payload: Vec<u8>) -> Frame {
        Frame {
            kind: kind.code(),
            seq,
            reply_to,
            payload,
        }
    }

    /// The frame's kind, if it is a known one.
    pub fn kind(&self) -> Result<Kind, UnknownKind> {
        Kind::try_from(self.kind)
    }

    /// The number of bytes [`encode_frame`] produces for this frame.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + self.payload.len() + CRC_LEN
    }
}

/// A frame that cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The payload is longer than [`MAX_PAYLOAD`]; the caller must split it.
    #[error("payload of {len} bytes for message kind 0x{kind:02x} exceeds the maximum of {max}")]
    PayloadTooLarge {
        /// The frame's kind byte.
        kind: u8,
        /// The payload length that was asked for.
        len: usize,
        /// [`MAX_PAYLOAD`].
        max: usize,
    },
}

/// Encodes a frame: header, payload and CRC.
pub fn encode_frame(frame: &Frame) -> Result<Vec<u8>, EncodeError> {
    let len = frame.payload.len();
    if len > MAX_PAYLOAD {
        return Err(EncodeError::PayloadTooLarge {
            kind: frame.kind,
            len,
            max: MAX_PAYLOAD,
        });
    }
    let mut out = Vec::with_capacity(frame.encoded_len());
    out.push(MAGIC);
    out.push(frame.kind);
    out.push(frame.seq);
    out.push(frame.reply_to);
    // `len` <= MAX_PAYLOAD < 65536, so it fits.
    out.extend_from_slice(&(len as u16).to_le_bytes());
    out.extend_from_slice(&frame.payload);
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Why a frame was judged corrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// The header's length field is larger than [`MAX_PAYLOAD`].
    LengthTooLarge {
        /// The length field as read.
        len: u16,
    },
    /// The CRC at the end of the frame does not match its header and payload.
    CrcMismatch {
        /// The kind byte as read (possibly itself corrupt).
        kind: u8,
        /// The seq byte as read.
        seq: u8,
        /// The length field as read.
        len: u16,
        /// The CRC computed over the received header and payload.
        computed: u32,
        /// The CRC the frame carried.
        received: u32,
    },
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Corruption::LengthTooLarge { len } => {
                write!(
                    f,
                    "length field {len} exceeds the maximum payload of {MAX_PAYLOAD}"
                )
            }
            Corruption::CrcMismatch {
                kind,
                seq,
                len,
                computed,
                received,
            } => write!(
                f,
                "CRC mismatch in frame of kind 0x{kind:02x}, seq {seq}, length {len}: \
                 computed 0x{computed:08x}, received 0x{received:08x}"
            ),
        }
    }
}

/// A problem found while reading frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A corrupt frame was dropped. The reader dropped its magic byte and the bytes after it up to
    /// the next magic byte that had been received (`skipped` in all, at least 1), and goes on
    /// reading from there.
    #[error("corrupt frame skipped ({reason}); {skipped} bytes discarded")]
    Corrupt {
        /// What was wrong with it.
        reason: Corruption,
        /// How many bytes were discarded to resynchronise.
        skipped: usize,
    },
}

/// Recovers frames from a byte stream (`docs/protocol.md`, section 2).
///
/// Feed received bytes with [`push`](Deframer::push) and take frames with
/// [`next_frame`](Deframer::next_frame) until it returns `None` (more bytes are needed). Bytes
/// before a magic byte are skipped silently and counted in
/// [`garbage_bytes`](Deframer::garbage_bytes); a corrupt frame is reported once as
/// [`FrameError::Corrupt`] and reading resumes at the next magic byte.
#[derive(Debug, Default, Clone)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Bytes of `buf` before `start` are consumed.
    start: usize,
    garbage: u64,
}

impl Deframer {
    /// An empty deframer.
    pub fn new() -> Deframer {
        Deframer::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete frame: `None` when more bytes are needed, `Some(Err(..))` when a corrupt
    /// frame was skipped (call again: good frames after it may already be buffered).
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        // Step 1: skip to the magic byte.
        let pending = &self.buf[self.start..];
        match pending.iter().position(|&b| b == MAGIC) {
            Some(at) => {
                self.garbage += at as u64;
                self.start += at;
            }
            None => {
                self.garbage += pending.len() as u64;
                self.buf.clear();
                self.start = 0;
                return None;
            }
        }
        let pending = &self.buf[self.start..];

        // Step 2: the header.
        if pending.len() < HEADER_LEN {
            return None;
        }
        let len = u16::from_le_bytes([pending[4], pending[5]]);
        if usize::from(len) > MAX_PAYLOAD {
            return Some(Err(self.resync(Corruption::LengthTooLarge { len })));
        }

        // Step 3: payload and CRC.
        let body_len = HEADER_LEN + usize::from(len);
        let total = body_len + CRC_LEN;
        if pending.len() < total {
            return None;
        }
        let computed = crc32(&pending[..body_len]);
        let received = u32::from_le_bytes([
            pending[body_len],
            pending[body_len + 1],
            pending[body_len + 2],
            pending[body_len + 3],
        ]);
        if computed != received {
            let reason = Corruption::CrcMismatch {
                kind: pending[1],
                seq: pending[2],
                len,
                computed,
                received,
            };
            return Some(Err(self.resync(reason)));
        }

        // Step 4: deliver.
        let frame = Frame {
            kind: pending[1],
            seq: pending[2],
            reply_to: pending[3],
            payload: pending[HEADER_LEN..body_len].to_vec(),
        };
        self.start += total;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        Some(Ok(frame))
    }

    /// Drops the magic byte at `start` and everything up to the next magic byte received so far.
    fn resync(&mut self, reason: Corruption) -> FrameError {
        let skipped = self.skip_to_next_magic();
        FrameError::Corrupt { reason, skipped }
    }

    /// Drops the byte at `start` and everything up to the next magic byte; returns how many.
    fn skip_to_next_magic(&mut self) -> usize {
        let after_magic = &self.buf[self.start + 1..];
        let skipped = 1 + after_magic
            .iter()
            .position(|&b| b == MAGIC)
            .unwrap_or(after_magic.len());
        self.start += skipped;
        skipped
    }

    /// Gives up on the incomplete frame at the front (its sender stopped in the middle of it, or
    /// its length field was damaged): drops its magic byte and everything up to the next magic
    /// byte received so far. Returns the number of bytes dropped (0 when nothing was buffered).
    pub fn drop_partial(&mut self) -> usize {
        if self.buffered() == 0 {
            return 0;
        }
        self.skip_to_next_magic()
    }

    /// Bytes received but not yet delivered: after `next_frame` returned `None`, the start of an
    /// incomplete frame (0 when the stream is between frames).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// How many bytes before a magic byte were skipped silently so far (not counting the bytes
    /// reported in [`FrameError::Corrupt`]).
    pub fn garbage_bytes(&self) -> u64 {
        self.garbage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: u8, seq: u8, payload: &[u8]) -> Frame {
        Frame {
            kind,
            seq,
            reply_to: 0,
            payload: payload.to_vec(),
        }
    }

    fn enc(f: &Frame) -> Vec<u8> {
        encode_frame(f).unwrap()
    }

    /// Pushes `bytes` and drains the deframer: the frames delivered and the errors reported.
    fn feed(d: &mut Deframer, bytes: &[u8]) -> (Vec<Frame>, Vec<FrameError>) {
        d.push(bytes);
        drain(d)
    }

    fn drain(d: &mut Deframer) -> (Vec<Frame>, Vec<FrameError>) {
        let (mut frames, mut errors) = (Vec::new(), Vec::new());
        while let Some(r) = d.next_frame() {
            match r {
                Ok(f) => frames.push(f),
                Err(e) => errors.push(e),
            }
        }
        (frames, errors)
    }

    #[test]
    fn layout_is_as_documented() {
        let bytes = enc(&frame(0x02, 7, &[0xAA, 0xBB, 0xCC]));
        assert_eq!(&bytes[..6], &[0xB5, 0x02, 7, 0, 3, 0]);
        assert_eq!(&bytes[6..9], &[0xAA, 0xBB, 0xCC]);
        assert_eq!(bytes[9..], crc32(&bytes[..9]).to_le_bytes());
        assert_eq!(bytes.len(), frame(0x02, 7, &[1, 2, 3]).encoded_len());
    }

    #[test]
    fn encode_rejects_oversized_payload() {
        let ok = frame(0x02, 0, &[0; MAX_PAYLOAD]);
        assert_eq!(enc(&ok).len(), crate::MAX_FRAME_LEN);
        let too_big = frame(0x02, 0, &[0; MAX_PAYLOAD + 1]);
        assert_eq!(
            encode_frame(&too_big),
            Err(EncodeError::PayloadTooLarge {
                kind: 0x02,
                len: MAX_PAYLOAD + 1,
                max: MAX_PAYLOAD
            })
        );
    }

    #[test]
    fn empty_and_full_payloads_round_trip() {
        for f in [frame(0x04, 0, &[]), frame(0x83, 255, &[0xB5; MAX_PAYLOAD])] {
            let mut d = Deframer::new();
            assert_eq!(feed(&mut d, &enc(&f)), (vec![f], vec![]));
            assert_eq!(d.buffered(), 0);
        }
    }

    #[test]
    fn split_at_every_byte_boundary() {
        // Payload contains the magic byte, to be sure it does not confuse the reader.
        let f = frame(0x83, 42, b"hello \xB5 world");
        let bytes = enc(&f);
        for cut in 0..=bytes.len() {
            let mut d = Deframer::new();
            let (first, errs) = feed(&mut d, &bytes[..cut]);
            assert!(errs.is_empty(), "cut {cut}");
            if cut < bytes.len() {
                assert!(first.is_empty(), "cut {cut}: delivered early");
                assert_eq!(d.buffered(), cut);
            }
            let (second, errs) = feed(&mut d, &bytes[cut..]);
            assert!(errs.is_empty(), "cut {cut}");
            let all: Vec<Frame> = first.into_iter().chain(second).collect();
            assert_eq!(all, vec![f.clone()], "cut {cut}");
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let frames = [frame(0x01, 1, &[1, 0]), frame(0x81, 1, &[9; 42])];
        let stream: Vec<u8> = frames.iter().flat_map(enc).collect();
        let mut d = Deframer::new();
        let mut got = Vec::new();
        for b in stream {
            let (fs, errs) = feed(&mut d, &[b]);
            assert!(errs.is_empty());
            got.extend(fs);
        }
        assert_eq!(got, frames);
    }

    #[test]
    fn two_frames_in_one_push() {
        let a = frame(0x83, 1, b"out");
        let b = frame(0x84, 1, &[1, 2, 3, 4]);
        let mut stream = enc(&a);
        stream.extend(enc(&b));
        let mut d = Deframer::new();
        assert_eq!(feed(&mut d, &stream), (vec![a, b], vec![]));
    }

    /// Every single-bit flip anywhere in a frame makes it corrupt (or, for the magic byte,
    /// garbage); the good frames after it are all delivered. A flip in the length field can make
    /// the bad frame claim bytes of the good ones, so enough good frames follow to complete it.
    #[test]
    fn flipped_bit_anywhere_is_skipped() {
        let bad = frame(0x83, 3, b"corrupt me");
        let goods: Vec<Frame> = (0..100).map(|i| frame(0x84, i, &[i, 0, 0, 0])).collect();
        let good_bytes: Vec<u8> = goods.iter().flat_map(enc).collect();
        assert!(good_bytes.len() > crate::MAX_FRAME_LEN);
        let bad_bytes = enc(&bad);
        for byte in 0..bad_bytes.len() {
            for bit in 0..8 {
                let mut stream = bad_bytes.clone();
                stream[byte] ^= 1 << bit;
                stream.extend_from_slice(&good_bytes);
                let mut d = Deframer::new();
                let (frames, errors) = feed(&mut d, &stream);
                assert_eq!(frames, goods, "flip byte {byte} bit {bit}: {errors:?}");
                if byte == 0 {
                    // No magic: plain garbage, skipped silently.
                    assert!(errors.is_empty());
                    assert_eq!(d.garbage_bytes(), bad_bytes.len() as u64);
                } else {
                    assert!(
                        !errors.is_empty(),
                        "flip byte {byte} bit {bit} went unnoticed"
                    );
                }
            }
        }
    }

    #[test]
    fn flipped_bits_in_header_payload_and_crc_are_reported() {
        let bad = frame(0x83, 3, b"payload");
        let good = frame(0x82, 4, &[0x02]);
        let n = bad.encoded_len();
        // kind byte (header), a payload byte, a CRC byte.
        for (at, what) in [(1, "header"), (8, "payload"), (n - 2, "crc")] {
            let mut stream = enc(&bad);
            stream[at] ^= 0x04;
            stream.extend(enc(&good));
            let mut d = Deframer::new();
            let (frames, errors) = feed(&mut d, &stream);
            assert_eq!(frames, vec![good.clone()], "{what}");
            assert_eq!(errors.len(), 1, "{what}");
            let FrameError::Corrupt { reason, skipped } = errors[0];
            assert!(matches!(reason, Corruption::CrcMismatch { .. }), "{what}");
            // Everything of the bad frame is dropped, up to the good frame's magic.
            assert_eq!(skipped, n, "{what}");
        }
    }

    #[test]
    fn length_over_maximum_is_corrupt() {
        let good = frame(0x86, 9, &[0; 24]);
        let mut stream = vec![MAGIC, 0x83, 1, 0];
        stream.extend_from_slice(&1025u16.to_le_bytes());
        stream.extend_from_slice(b"junk");
        stream.extend(enc(&good));
        let mut d = Deframer::new();
        let (frames, errors) = feed(&mut d, &stream);
        assert_eq!(frames, vec![good]);
        assert_eq!(
            errors,
            vec![FrameError::Corrupt {
                reason: Corruption::LengthTooLarge { len: 1025 },
                skipped: 10
            }]
        );
    }

    #[test]
    fn length_over_maximum_is_detected_from_the_header_alone() {
        let mut d = Deframer::new();
        d.push(&[MAGIC, 0x83, 1, 0]);
        assert!(d.next_frame().is_none());
        d.push(&0xFFFFu16.to_le_bytes());
        assert!(matches!(
            d.next_frame(),
            Some(Err(FrameError::Corrupt {
                reason: Corruption::LengthTooLarge { len: 0xFFFF },
                skipped: 6
            }))
        ));
        assert!(d.next_frame().is_none());
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn truncated_frame_followed_by_good_one() {
        let cut = frame(0x83, 1, b"0123456789");
        let good = frame(0x83, 2, b"a longer frame that completes the truncated one");
        let mut stream = enc(&cut);
        stream.truncate(9);
        stream.extend(enc(&good));
        let mut d = Deframer::new();
        let (frames, errors) = feed(&mut d, &stream);
        assert_eq!(frames, vec![good]);
        assert_eq!(errors.len(), 1);
        let FrameError::Corrupt { skipped, .. } = errors[0];
        assert_eq!(skipped, 9);
    }

    #[test]
    fn truncated_frame_waits_then_resyncs_when_more_arrives() {
        // The truncated frame claims more bytes than the good one after it provides: nothing can
        // be decided until enough bytes arrive, then the good frames come through.
        let cut = frame(0x83, 1, &[7; 100]);
        let good = frame(0x82, 2, &[0x03]);
        let mut stream = enc(&cut);
        stream.truncate(50);
        stream.extend(enc(&good));
        let mut d = Deframer::new();
        assert_eq!(feed(&mut d, &stream), (vec![], vec![]));
        let more: Vec<u8> = (0..8).flat_map(|_| enc(&good)).collect();
        let (frames, errors) = feed(&mut d, &more);
        assert_eq!(frames.len(), 9);
        assert!(frames.iter().all(|f| *f == good));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn garbage_between_frames_is_skipped_and_counted() {
        let a = frame(0x83, 1, b"a");
        let b = frame(0x83, 2, b"b");
        let mut stream = b"boot log\r\n".to_vec();
        stream.extend(enc(&a));
        stream.extend_from_slice(&[0, 1, 2, 0xFF]);
        stream.extend(enc(&b));
        stream.extend_from_slice(b"tail");
        let mut d = Deframer::new();
        assert_eq!(feed(&mut d, &stream), (vec![a, b], vec![]));
        assert_eq!(d.garbage_bytes(), 10 + 4 + 4);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn garbage_containing_magic_is_reported_as_corrupt_and_skipped() {
        let good = frame(0x84, 5, &[1, 0, 0, 0]);
        // A stray magic followed by a header with a huge length.
        let mut stream = vec![0x00, MAGIC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];
        stream.extend(enc(&good));
        let mut d = Deframer::new();
        let (frames, errors) = feed(&mut d, &stream);
        assert_eq!(frames, vec![good]);
        assert_eq!(errors.len(), 1);
        assert_eq!(d.garbage_bytes(), 1);
    }

    #[test]
    fn stray_magic_inside_good_data_does_not_lose_frames() {
        // A lone magic byte right before a frame: its "header" is the good frame's first bytes.
        let good = frame(0x83, 1, b"text after a stray magic");
        let mut stream = vec![MAGIC];
        stream.extend(enc(&good));
        stream.extend(enc(&good));
        let mut d = Deframer::new();
        let (frames, errors) = feed(&mut d, &stream);
        assert_eq!(frames, vec![good.clone(), good]);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn error_messages_are_informative() {
        let e = FrameError::Corrupt {
            reason: Corruption::LengthTooLarge { len: 2000 },
            skipped: 3,
        };
        assert_eq!(
            e.to_string(),
            "corrupt frame skipped (length field 2000 exceeds the maximum payload of 1024); \
             3 bytes discarded"
        );
    }
}
