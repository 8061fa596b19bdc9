//! Authenticated requests with the real host device (`docs/protocol.md`, section 6): a keyed
//! runtime image runs the requests of a host with its key, and refuses, each with its reason, a
//! host without a key, a host with another key, a replayed frame (also one recorded before the
//! device restarted); a host with a key refuses nothing but is refused by an unpaired device.
//! Frames are recorded on their way to the device and sent again by hand, as a stranger on the
//! link would.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bs_protocol::auth::{AuthRefusal, Key};
use bs_protocol::{
    Deframer, ErrorCode, Frame, Kind, PROTOCOL_VERSION, Reply, Request, encode_frame,
};
use bs_session::{Outcome, Session, SessionOptions};
use bs_transport::{CallOutcome, Device, Link, LinkError, ProcessLink};

const TIMEOUT: Duration = Duration::from_secs(10);

fn key(byte: u8) -> Key {
    Key::from_bytes(core::array::from_fn(|i| byte.wrapping_add(i as u8)))
}

/// The plain host runtime image and the one keyed with `key`.
fn images(key: &Key) -> (std::path::PathBuf, std::path::PathBuf) {
    let runtime = bs_toolchain::ensure_runtime(&bs_toolchain::HOST).expect("the runtime builds");
    let keyed = bs_toolchain::ensure_keyed_image(&runtime, key.bytes(), &key.id().0)
        .expect("the keyed image is made");
    (runtime.image, keyed)
}

fn spawn(image: &std::path::Path) -> ProcessLink {
    ProcessLink::spawn(image, std::iter::empty::<&str>()).expect("the runtime starts")
}

/// A link that keeps a copy of every frame sent through it.
struct Recording<L: Link> {
    inner: L,
    sent: Arc<Mutex<Deframer>>,
}

impl<L: Link> Link for Recording<L> {
    fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.sent.lock().unwrap().push(bytes);
        self.inner.send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> std::io::Result<usize> {
        self.inner.recv(buf, timeout)
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}

fn recorded(sent: &Arc<Mutex<Deframer>>) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut deframer = sent.lock().unwrap();
    while let Some(frame) = deframer.next_frame() {
        frames.push(frame.expect("the host sends intact frames"));
    }
    frames
}

/// Sends `frame` as is and returns the device's first reply to it (acknowledging replies as a
/// host does); `None` when only its DEVICE_ACK comes (the device took it for a repetition).
fn send_raw(link: &mut impl Link, frame: &Frame) -> Option<Reply> {
    link.send(&encode_frame(frame).unwrap()).unwrap();
    let mut deframer = Deframer::new();
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < deadline {
        let n = link.recv(&mut buf, Duration::from_millis(50)).unwrap();
        deframer.push(&buf[..n]);
        while let Some(Ok(reply)) = deframer.next_frame() {
            let decoded = Reply::decode(&reply).unwrap();
            if let Reply::DeviceAck { .. } = decoded {
                continue;
            }
            link.send(&encode_frame(&Request::Ack.encode(reply.seq)).unwrap())
                .unwrap();
            if reply.reply_to == frame.seq {
                return Some(decoded);
            }
        }
    }
    None
}

fn auth_refusal(reply: Option<Reply>) -> AuthRefusal {
    match reply {
        Some(Reply::Error(e)) if e.error_code() == ErrorCode::Auth => {
            AuthRefusal::from_code(e.detail1).expect("a known reason")
        }
        other => panic!("expected ERROR AUTH, got {other:?}"),
    }
}

fn refusal_of<T: std::fmt::Debug>(result: Result<T, LinkError>) -> (AuthRefusal, String) {
    match result {
        Err(e @ LinkError::Unauthorized { refusal, .. }) => {
            (refusal.expect("a known reason"), e.to_string())
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A `ret` instruction at the start of the code region: a function the device can call.
fn load_ret<L: Link>(device: &mut Device<L>) -> u32 {
    let entry = device.info().code.base;
    device.load(entry, &[0xC3]).expect("LOAD runs");
    entry
}

#[test]
fn a_paired_session_defines_calls_and_prints() {
    let options = SessionOptions {
        key: Some(key(1)),
        ..Default::default()
    };
    let mut session = Session::start(&options).expect("the keyed host device starts");
    assert_eq!(
        session.device_info().auth.map(|a| a.key_id),
        Some(key(1).id())
    );
    let mut out = Vec::new();
    for input in [
        "let base = 40",
        "function add(x: integer): integer { return x + base }",
        "print(add(2))",
        "print('paired')",
    ] {
        let (outcome, _) = session.eval("<test>", input, &mut |_, b| out.extend_from_slice(b));
        assert!(matches!(outcome, Outcome::Ok), "{input}: {outcome:?}");
    }
    assert_eq!(String::from_utf8_lossy(&out), "42\npaired\n");
}

#[test]
fn a_host_without_the_key_or_with_another_is_refused() {
    let (plain, keyed) = images(&key(2));

    // No key: HELLO is answered (it tells the key's id), every other request refused.
    let (mut device, info) = Device::connect(spawn(&keyed), TIMEOUT).unwrap();
    assert_eq!(info.auth.map(|a| a.key_id), Some(key(2).id()));
    let (refusal, message) = refusal_of(device.meminfo(false));
    assert_eq!(refusal, AuthRefusal::Missing);
    assert!(message.contains("this host has no key"), "{message}");
    assert!(message.contains("bscript board pair"), "{message}");
    let (refusal, _) = refusal_of(device.load(info.code.base, &[0xC3]));
    assert_eq!(refusal, AuthRefusal::Missing);
    let (refusal, _) = refusal_of(device.call(info.code.base, &mut |_, _| {}));
    assert_eq!(refusal, AuthRefusal::Missing);

    // Another key: the MAC does not verify.
    let (mut device, _) = Device::connect_with_key(spawn(&keyed), TIMEOUT, Some(key(3))).unwrap();
    let (refusal, message) = refusal_of(device.meminfo(false));
    assert_eq!(refusal, AuthRefusal::BadMac);
    assert!(message.contains("wrong key"), "{message}");
    assert!(message.contains(&key(2).id().to_string()), "{message}");
    assert!(message.contains(&key(3).id().to_string()), "{message}");

    // The right key, on the same image: everything runs.
    let (mut device, _) = Device::connect_with_key(spawn(&keyed), TIMEOUT, Some(key(2))).unwrap();
    let entry = load_ret(&mut device);
    let outcome = device.call(entry, &mut |_, _| {}).unwrap();
    assert!(
        matches!(outcome, CallOutcome::Finished { .. }),
        "{outcome:?}"
    );

    // A host with a key meets an unpaired device: refused, and told why.
    let (mut device, info) =
        Device::connect_with_key(spawn(&plain), TIMEOUT, Some(key(2))).unwrap();
    assert_eq!(info.auth, None);
    let (refusal, message) = refusal_of(device.meminfo(false));
    assert_eq!(refusal, AuthRefusal::NotPaired);
    assert!(message.contains("not paired"), "{message}");

    // And the unpaired device runs a host without a key as before.
    let (mut device, _) = Device::connect(spawn(&plain), TIMEOUT).unwrap();
    let entry = load_ret(&mut device);
    assert!(matches!(
        device.call(entry, &mut |_, _| {}).unwrap(),
        CallOutcome::Finished { .. }
    ));
}

/// Runs LOAD and CALL of a `ret` with `key` on a device started from `image`, recording the
/// frames; returns the device (still running) and the recorded LOAD and CALL.
fn record_load_and_call(
    image: &std::path::Path,
    key: &Key,
) -> (Device<Recording<ProcessLink>>, Frame, Frame) {
    let sent = Arc::new(Mutex::new(Deframer::new()));
    let link = Recording {
        inner: spawn(image),
        sent: Arc::clone(&sent),
    };
    let (mut device, _) = Device::connect_with_key(link, TIMEOUT, Some(key.clone())).unwrap();
    let entry = load_ret(&mut device);
    assert!(matches!(
        device.call(entry, &mut |_, _| {}).unwrap(),
        CallOutcome::Finished { .. }
    ));
    let frames = recorded(&sent);
    let find = |kind: Kind| {
        frames
            .iter()
            .rfind(|f| f.kind & !bs_protocol::auth::AUTH_FLAG == kind.code())
            .cloned()
            .unwrap_or_else(|| panic!("no {kind} was sent"))
    };
    let (load, call) = (find(Kind::Load), find(Kind::Call));
    assert_ne!(
        load.kind & bs_protocol::auth::AUTH_FLAG,
        0,
        "LOAD is authenticated"
    );
    (device, load, call)
}

/// A HELLO from a host id never seen: the device's link layer then takes the next request for
/// a new one whatever its seq, so the replayed frame reaches the auth check.
fn hello_from_a_stranger(link: &mut impl Link, seq: u8) {
    let hello = Request::Hello {
        version: PROTOCOL_VERSION,
        host: 0x5EED_0001,
    };
    match send_raw(link, &hello.encode(seq)) {
        Some(Reply::HelloReply(_)) => {}
        other => panic!("expected HELLO_REPLY, got {other:?}"),
    }
}

#[test]
fn a_replayed_frame_is_refused() {
    let k = key(4);
    let (_, keyed) = images(&k);
    let (device, load, call) = record_load_and_call(&keyed, &k);
    let mut link = device.into_link();
    hello_from_a_stranger(&mut link, load.seq.wrapping_sub(1));
    assert_eq!(
        auth_refusal(send_raw(&mut link, &load)),
        AuthRefusal::Replayed
    );
    assert_eq!(
        auth_refusal(send_raw(&mut link, &call)),
        AuthRefusal::Replayed
    );
    // Sent again at once with the same seq, a frame is a repetition to the link layer:
    // acknowledged, not carried out, no reply.
    assert_eq!(send_raw(&mut link, &call), None);
}

#[test]
fn a_frame_recorded_before_a_restart_is_refused_after_it() {
    let k = key(5);
    let (_, keyed) = images(&k);
    let (device, load, call) = record_load_and_call(&keyed, &k);
    drop(device); // the device is switched off
    let mut link = spawn(&keyed); // and on again: a new start, a new nonce
    // Before a HELLO the device knows no session at all.
    match send_raw(&mut link, &call) {
        Some(Reply::Error(e)) => assert_eq!(e.error_code(), ErrorCode::NoSession),
        other => panic!("expected ERROR NO_SESSION, got {other:?}"),
    }
    hello_from_a_stranger(&mut link, load.seq.wrapping_sub(1));
    // Their MACs cover the nonce of the earlier start (their counters alone would pass: the
    // device has run nothing since it started).
    assert_eq!(
        auth_refusal(send_raw(&mut link, &load)),
        AuthRefusal::BadMac
    );
    assert_eq!(
        auth_refusal(send_raw(&mut link, &call)),
        AuthRefusal::BadMac
    );
    // A host with the key still gets its requests run on that device.
    let (mut device, info) = Device::connect_with_key(link, TIMEOUT, Some(k)).unwrap();
    assert_eq!(info.auth.map(|a| a.last_counter), Some(0));
    let entry = load_ret(&mut device);
    assert!(matches!(
        device.call(entry, &mut |_, _| {}).unwrap(),
        CallOutcome::Finished { .. }
    ));
}

#[test]
fn an_altered_frame_is_refused_and_a_new_host_continues_the_count() {
    let k = key(6);
    let (_, keyed) = images(&k);
    let (device, load, _) = record_load_and_call(&keyed, &k);
    let mut link = device.into_link();
    hello_from_a_stranger(&mut link, load.seq.wrapping_sub(1));
    // The same LOAD with its address changed (a stranger's code elsewhere): the MAC fails.
    let mut altered = load.clone();
    altered.payload[0] ^= 0x10;
    assert_eq!(
        auth_refusal(send_raw(&mut link, &altered)),
        AuthRefusal::BadMac
    );
    // The MAC of a frame without one (the flag set by hand) cannot verify either.
    let mut stripped = load.clone();
    stripped.payload.truncate(4);
    stripped.seq = stripped.seq.wrapping_add(1);
    assert_eq!(
        auth_refusal(send_raw(&mut link, &stripped)),
        AuthRefusal::BadMac
    );
    // A new host with the key learns the last counter from HELLO_REPLY and goes on from there.
    let (mut device, info) = Device::connect_with_key(link, TIMEOUT, Some(k)).unwrap();
    assert!(info.auth.is_some_and(|a| a.last_counter >= 2), "{info:?}");
    load_ret(&mut device);
}
