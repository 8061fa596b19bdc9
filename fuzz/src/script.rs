//! The scripted device of the `host_frames` target: a [`Link`] whose far end is the fuzz input.
//!
//! Each time the host reads, the next step of the script says what arrives:
//!
//! | step % 8 | what the device sends |
//! |---|---|
//! | 0 | DEVICE_ACK of the host's last frame (with the session id) |
//! | 1 | a reply to the host's last request: a device kind chosen by the next byte, with the payload length that kind needs (bytes from the script) |
//! | 2 | any frame: kind, seq, reply-to and a payload from the script, with a valid CRC |
//! | 3 | raw bytes from the script |
//! | 4 | nothing in time (the read returns 0) |
//! | 5 | the last frame again |
//! | 6 | the last frame with one byte changed |
//! | 7 | what a good device sends: DEVICE_ACK and the right reply (to a CALL, by the step's higher bits: a line of output and RESULT, RESULT, or ERROR) |
//!
//! When the script ends the link closes. The host's frames are taken apart as they are sent: each
//! must be an intact frame holding a request that decodes.

use std::io;
use std::time::Duration;

use bs_protocol::{Deframer, Frame, Kind, PROTOCOL_VERSION, Request, encode_frame};
use bs_transport::{Device, Link};

const SESSION: u32 = 0x5e55_1011;

struct Script<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Script<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let end = (self.pos + n).min(self.data.len());
        let out = self.data[self.pos..end].to_vec();
        self.pos = end;
        out
    }
}

struct ScriptLink<'a> {
    script: Script<'a>,
    /// What the host sent, taken apart.
    sent: Deframer,
    /// The host's last frame (seq, kind), and its last request.
    last_frame: Option<(u8, u8)>,
    last_request: Option<(u8, u8)>,
    device_seq: u8,
    last_sent: Vec<u8>,
    /// Bytes "on the wire" that the host has not read yet.
    pending: Vec<u8>,
}

impl ScriptLink<'_> {
    fn frame(&mut self, kind: u8, reply_to: u8, payload: Vec<u8>) -> Vec<u8> {
        self.device_seq = self.device_seq.wrapping_add(1);
        let frame = Frame {
            kind,
            seq: self.device_seq,
            reply_to,
            payload,
        };
        encode_frame(&frame).unwrap_or_default()
    }

    fn ack(&mut self) -> Vec<u8> {
        let (seq, _) = self.last_frame.unwrap_or((0, 0));
        let frame = Frame {
            kind: Kind::DeviceAck.code(),
            seq,
            reply_to: 0,
            payload: SESSION.to_le_bytes().to_vec(),
        };
        encode_frame(&frame).unwrap_or_default()
    }

    /// A reply of kind `which` to the last request: from a good device (`good`), or with a
    /// payload from the script of the length that kind has.
    fn reply(&mut self, which: u8, good: bool) -> Vec<u8> {
        let (seq, req_kind) = self.last_request.unwrap_or((0, 0));
        let (kind, len) = match which % 7 {
            0 => (Kind::HelloReply, bs_protocol::DeviceInfo::ENCODED_LEN),
            1 => (Kind::Ok, 1),
            2 if good => (Kind::Output, 6),
            2 => (Kind::Output, usize::from(self.script.byte().unwrap_or(0))),
            3 => (Kind::Result, 5),
            4 => (Kind::Error, 18),
            5 => (Kind::MemInfoReply, 24),
            _ => (Kind::DeviceAck, 4),
        };
        let payload = if good {
            good_payload(kind, req_kind, len)
        } else {
            let mut payload = self.script.bytes(len);
            payload.resize(len, 0);
            if kind == Kind::HelloReply {
                payload[0..2].copy_from_slice(&PROTOCOL_VERSION.to_le_bytes());
            }
            payload
        };
        self.frame(kind.code(), seq, payload)
    }

    /// The bytes of the next step, or `None` when the script has ended.
    fn step(&mut self) -> Option<Vec<u8>> {
        let op = self.script.byte()?;
        let bytes = match op % 8 {
            0 => self.ack(),
            1 => {
                let which = self.script.byte()?;
                self.reply(which, false)
            }
            2 => {
                let kind = self.script.byte()?;
                let reply_to = self.script.byte()?;
                let len = usize::from(self.script.byte()?) * 5;
                let payload = self.script.bytes(len);
                self.frame(kind, reply_to, payload)
            }
            3 => {
                let len = usize::from(self.script.byte()?);
                self.script.bytes(len)
            }
            4 => Vec::new(),
            5 => self.last_sent.clone(),
            6 => {
                let mut bytes = self.last_sent.clone();
                let at = usize::from(self.script.byte()?);
                let x = self.script.byte()?;
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] ^= x | 1;
                }
                bytes
            }
            _ => {
                // A CALL ends with RESULT (after a line of output, or none) or ERROR.
                let replies: &[u8] = match self.last_request.map(|(_, k)| Kind::try_from(k)) {
                    Some(Ok(Kind::Hello)) => &[0],
                    Some(Ok(Kind::MemInfo)) => &[5],
                    Some(Ok(Kind::Call)) => [&[2, 3][..], &[3], &[4]][usize::from(op >> 3) % 3],
                    _ => &[1],
                };
                let mut bytes = self.ack();
                for &which in replies {
                    bytes.extend(self.reply(which, true));
                }
                bytes
            }
        };
        if op % 8 != 5 && op % 8 != 6 && !bytes.is_empty() {
            self.last_sent = bytes.clone();
        }
        Some(bytes)
    }
}

/// What a good device says: a HELLO_REPLY like the host port's, OK to the request, a line of
/// output, a run time, a division by zero, and memory use.
fn good_payload(kind: Kind, req_kind: u8, len: usize) -> Vec<u8> {
    let mut p = Vec::with_capacity(len);
    match kind {
        Kind::HelloReply => {
            p.extend(PROTOCOL_VERSION.to_le_bytes());
            p.extend([8, 1]);
            p.extend(SESSION.to_le_bytes());
            p.extend([0; 8]);
            for (base, size) in [
                (0x2000_0000u32, 0x10_0000u32),
                (0x2040_0000, 0x4_0000),
                (0x2080_0000, 0x10_0000),
            ] {
                p.extend(base.to_le_bytes());
                p.extend(size.to_le_bytes());
            }
            p.extend(1024u16.to_le_bytes());
            // The auth fields of an unpaired device: all zero.
            p.resize(bs_protocol::DeviceInfo::ENCODED_LEN, 0);
        }
        Kind::Ok => p.push(req_kind),
        Kind::Output => {
            p.push(0);
            p.extend(b"hello\n".iter().cycle().take(len));
        }
        Kind::Error => {
            p.extend(1u16.to_le_bytes());
            p.resize(18, 0);
        }
        Kind::DeviceAck => p.extend(SESSION.to_le_bytes()),
        _ => p.resize(len, 0),
    }
    p
}

impl Link for ScriptLink<'_> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.sent.push(bytes);
        while let Some(next) = self.sent.next_frame() {
            let frame = next.expect("the host sends intact frames");
            let request = Request::decode(&frame).expect("the host sends requests that decode");
            self.last_frame = Some((frame.seq, frame.kind));
            if request != Request::Ack {
                self.last_request = Some((frame.seq, frame.kind));
            }
        }
        assert_eq!(self.sent.buffered(), 0, "the host sends whole frames");
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], _timeout: Duration) -> io::Result<usize> {
        if self.pending.is_empty() {
            match self.step() {
                Some(bytes) => self.pending = bytes,
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the script has ended",
                    ));
                }
            }
        }
        let n = self.pending.len().min(buf.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }

    fn describe(&self) -> String {
        "scripted device".to_owned()
    }
}

/// Runs a short session (HELLO, LOAD, CALL, MEMINFO, RESET, HELLO, LOAD, CALL) against the
/// script; returns how many of its steps succeeded.
pub fn run(data: &[u8]) -> usize {
    let link = ScriptLink {
        script: Script { data, pos: 0 },
        sent: Deframer::new(),
        last_frame: None,
        last_request: None,
        device_seq: 0,
        last_sent: Vec::new(),
        pending: Vec::new(),
    };
    let Ok((mut device, info)) = Device::connect(link, Duration::from_secs(5)) else {
        return 0;
    };
    let code = vec![0x90u8; 1500];
    let base = info.code.base;
    let mut sink = |_stream: u8, _text: &[u8]| {};
    let _ = device.describe();
    let steps = [
        device.load(base, &code).is_ok(),
        device.call(base, &mut sink).is_ok(),
        device.meminfo(false).is_ok(),
        device.reset().is_ok(),
        device.hello().is_ok(),
        device.load(info.data.base, &code[..8]).is_ok(),
        device.call(base.wrapping_add(4), &mut sink).is_ok(),
    ];
    1 + steps.iter().filter(|ok| **ok).count()
}

#[cfg(test)]
mod tests {
    /// The scripts of a good device carry the whole session through: the fuzz target starts
    /// from there.
    #[test]
    fn a_good_device_completes_the_session() {
        assert_eq!(super::run(&[7; 40]), 8);
        let calls: Vec<u8> = [7, 7, 7, 7, 15, 7, 7, 7, 7, 7, 7, 7, 23, 7].repeat(2);
        assert_eq!(super::run(&calls), 8);
    }

    #[test]
    fn an_empty_script_is_a_closed_link() {
        assert_eq!(super::run(&[]), 0);
    }
}
