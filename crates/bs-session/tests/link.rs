//! The device's end of the reliable link, on the real host runtime process, driven frame by frame
//! (docs/protocol.md, section 2) where the [`Device`](bs_transport::Device) client would hide the
//! timing: a request whose bytes come slowly, and late copies of old requests.

use std::time::{Duration, Instant};

use bs_transport::bs_protocol::{
    Deframer, Frame, Kind, PROTOCOL_VERSION, Reply, Request, encode_frame,
};
use bs_transport::{Link, ProcessLink};

/// A host runtime process and a frame reader on its output.
struct Raw {
    link: ProcessLink,
    deframer: Deframer,
}

impl Raw {
    fn start() -> Raw {
        let runtime = bs_toolchain::ensure_runtime(&bs_toolchain::HOST).expect("host runtime");
        Raw {
            link: ProcessLink::spawn(&runtime.image, [] as [&str; 0]).expect("spawn"),
            deframer: Deframer::new(),
        }
    }

    fn send(&mut self, frame: &Frame) {
        self.link.send(&encode_frame(frame).unwrap()).unwrap();
    }

    /// The next intact frame from the device, or `None` after `wait`.
    fn next(&mut self, wait: Duration) -> Option<Frame> {
        let until = Instant::now() + wait;
        let mut buf = [0u8; 2048];
        loop {
            if let Some(frame) = self.deframer.next_frame() {
                return Some(frame.expect("the device sends intact frames over a pipe"));
            }
            let now = Instant::now();
            if now >= until {
                return None;
            }
            let n = self.link.recv(&mut buf, until - now).unwrap();
            self.deframer.push(&buf[..n]);
        }
    }

    /// Waits for a frame of `kind` (skipping others), within `wait`.
    fn expect(&mut self, kind: Kind, wait: Duration) -> Frame {
        let until = Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.next(left) {
                Some(f) if f.kind == kind.code() => return f,
                Some(_) => {}
                None => panic!("no {kind} from the device within {wait:?}"),
            }
        }
    }

    /// Says HELLO (seq 1) and acknowledges the reply; returns the data region's base.
    fn hello(&mut self) -> u32 {
        let hello = Request::Hello {
            version: PROTOCOL_VERSION,
            host: 0x5EED_0001,
        };
        self.send(&hello.encode(1));
        let reply = self.expect(Kind::HelloReply, Duration::from_secs(5));
        self.send(&Request::Ack.encode(reply.seq));
        match Reply::decode(&reply).unwrap() {
            Reply::HelloReply(info) => info.data.base,
            other => panic!("{other:?}"),
        }
    }
}

/// A frame whose bytes come 2 ms apart, starting 35 ms into the device's 50 ms wait for the
/// acknowledgement of a reply, ends after that wait: the device must still read it to the end
/// (a frame is given up only after a 20 ms pause between its bytes) and answer it.
#[test]
fn a_request_that_straddles_the_end_of_an_acknowledgement_wait_is_answered() {
    let mut raw = Raw::start();
    let data = raw.hello();
    // A reply the host does not acknowledge: the device waits 50 ms, then sends it again.
    raw.send(&Request::MemInfo { collect: false }.encode(2));
    raw.expect(Kind::MemInfoReply, Duration::from_secs(5));
    let sent_at = Instant::now();
    // The next request, a byte every 2 ms from 35 ms on: about 26 bytes, so it ends near 90 ms.
    let load = Request::Load {
        addr: data,
        bytes: vec![7; 16],
    };
    let bytes = encode_frame(&load.encode(3)).unwrap();
    std::thread::sleep(Duration::from_millis(35).saturating_sub(sent_at.elapsed()));
    for b in &bytes {
        raw.link.send(&[*b]).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(
        sent_at.elapsed() > Duration::from_millis(55),
        "the frame did not straddle the end of the wait ({:?})",
        sent_at.elapsed()
    );
    // The device acknowledges the LOAD and carries it out (repetitions of the MEMINFO reply may
    // come first).
    let until = Instant::now() + Duration::from_secs(3);
    let mut acked = false;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let Some(f) = raw.next(left) else {
            panic!("the slowly sent LOAD was not answered (acknowledged: {acked})");
        };
        if f.kind == Kind::DeviceAck.code() && f.seq == 3 {
            acked = true;
        }
        if f.kind == Kind::Ok.code() && f.reply_to == 3 {
            assert!(acked, "OK came before the LOAD's DEVICE_ACK");
            break;
        }
    }
}

/// A late copy of an old request (a frame held back on the way) is acknowledged but neither
/// carried out again nor taken for news: the request after it, repeated, is still a repetition.
#[test]
fn a_late_copy_of_an_old_request_is_not_carried_out_again() {
    let mut raw = Raw::start();
    let data = raw.hello();
    let ok_count = |raw: &mut Raw, seq: u8| {
        let mut oks = 0;
        while let Some(f) = raw.next(Duration::from_millis(300)) {
            if f.kind != Kind::DeviceAck.code() {
                raw.send(&Request::Ack.encode(f.seq));
                if f.reply_to == seq {
                    oks += 1;
                }
            }
        }
        oks
    };
    let load = |at: u32| Request::Load {
        addr: at,
        bytes: vec![1, 2, 3, 4],
    };
    raw.send(&load(data).encode(2));
    assert_eq!(ok_count(&mut raw, 2), 1);
    raw.send(&load(data + 4).encode(3));
    assert_eq!(ok_count(&mut raw, 3), 1);
    // The late copy of request 2, then a repetition of request 3 (its DEVICE_ACK was lost).
    raw.send(&load(data).encode(2));
    assert_eq!(ok_count(&mut raw, 2), 0, "a late request was carried out");
    raw.send(&load(data + 4).encode(3));
    assert_eq!(
        ok_count(&mut raw, 3),
        0,
        "a repeated request was carried out"
    );
    // A late copy of the HELLO is not answered either.
    let hello = Request::Hello {
        version: PROTOCOL_VERSION,
        host: 0x5EED_0001,
    };
    raw.send(&hello.encode(1));
    assert_eq!(ok_count(&mut raw, 1), 0, "a late HELLO was answered");
    // Another host's HELLO starts afresh, whatever its seq.
    let other = Request::Hello {
        version: PROTOCOL_VERSION,
        host: 0x5EED_0002,
    };
    raw.send(&other.encode(2));
    assert_eq!(
        ok_count(&mut raw, 2),
        1,
        "a new host's HELLO was not answered"
    );
}
