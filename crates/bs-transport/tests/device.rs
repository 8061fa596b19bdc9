//! Tests of the [`Device`] client against a fake device written in Rust: a thread that speaks the
//! protocol over an in-memory link, with per-test behaviour for the requests it receives. The
//! fake acknowledges every request (after its behaviour ran) and never waits for the host's
//! acknowledgements; the real runtime's side of the reliable link is tested end to end with the
//! fault-injecting link (crates/bs-session/tests/lossy.rs).

use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bs_transport::bs_protocol::{
    Arch, Deframer, DeviceError, DeviceInfo, ErrorCode, EventRecord, EventsReport, Frame, Kind,
    MemInfo, PROTOCOL_VERSION, Region, Reply, Request, encode_frame,
};
use bs_transport::{
    CallEvents, CallOutcome, Device, Link, LinkError, MemLink, Patch, PatchResult, ProfileReport,
    Swap, SwapResult,
};

const TIMEOUT: Duration = Duration::from_secs(5);

fn info() -> DeviceInfo {
    DeviceInfo {
        version: PROTOCOL_VERSION,
        ptr_size: 8,
        arch: Arch::X86_64,
        session_id: 7,
        build_id: *b"fakedev1",
        code: Region {
            base: 0x1000_0000,
            size: 0x1_0000,
        },
        data: Region {
            base: 0x2000_0000,
            size: 0x1_0000,
        },
        heap: Region {
            base: 0x3000_0000,
            size: 0x1_0000,
        },
        max_payload: 1024,
        auth: None,
    }
}

fn error(code: ErrorCode, address: u32, detail1: u32) -> DeviceError {
    DeviceError {
        code: code.code(),
        site: 0,
        address,
        detail1,
        detail2: 0,
    }
}

/// The device end of the link, as seen by a behaviour.
struct Port {
    link: MemLink,
    /// The sequence number of the last frame the fake sent.
    tx_seq: u8,
    /// The session id its acknowledgements carry.
    session: u32,
    /// What the device saw, shared with the test (updated before any reply is sent).
    log: Arc<Mutex<Log>>,
}

impl Port {
    /// Sends `reply` to the request sent with `seq`, as a new frame.
    fn reply(&mut self, seq: u8, reply: Reply) {
        self.tx_seq = self.tx_seq.wrapping_add(1);
        self.raw(&encode_frame(&reply.encode(self.tx_seq, seq)).unwrap());
    }
    /// Sends `reply` again with the sequence number of the last frame (a repetition).
    fn repeat(&mut self, seq: u8, reply: Reply) {
        self.raw(&encode_frame(&reply.encode(self.tx_seq, seq)).unwrap());
    }
    fn ack(&mut self, seq: u8) {
        let ack = Reply::DeviceAck {
            session_id: self.session,
        };
        self.raw(&encode_frame(&ack.encode(seq, 0)).unwrap());
    }
    fn raw(&mut self, bytes: &[u8]) {
        // The host may be gone already at the end of a test.
        let _ = self.link.send(bytes);
    }
}

/// What the fake device does after handling a request.
enum Flow {
    Continue,
    /// Drop the link (the device "dies").
    Close,
    /// Behave as if the request never arrived: no acknowledgement, not logged as the last one.
    Lost,
}

/// What a standard device replies.
fn standard(port: &mut Port, seq: u8, request: &Request) -> Flow {
    let info = info();
    match request {
        Request::Hello { version, .. } if *version == PROTOCOL_VERSION => {
            let session_id = port.session;
            port.reply(seq, Reply::HelloReply(DeviceInfo { session_id, ..info }))
        }
        Request::Hello { .. } => port.reply(
            seq,
            Reply::Error(error(ErrorCode::BadVersion, 0, u32::from(PROTOCOL_VERSION))),
        ),
        Request::Load { addr, bytes } => {
            let len = bytes.len() as u32;
            if info.code.contains(*addr, len) || info.data.contains(*addr, len) {
                port.log.lock().unwrap().loads.push((*addr, bytes.clone()));
                port.reply(
                    seq,
                    Reply::Ok {
                        kind: Kind::Load.code(),
                    },
                );
            } else {
                port.reply(seq, Reply::Error(error(ErrorCode::LoadRange, *addr, len)));
            }
        }
        Request::Call { .. } => {
            port.reply(
                seq,
                Reply::Output {
                    stream: 0,
                    text: b"hello\n".to_vec(),
                },
            );
            port.reply(
                seq,
                Reply::Result {
                    micros: 42,
                    flags: 0,
                },
            );
        }
        Request::Reset => {
            port.log.lock().unwrap().loads.clear();
            port.reply(
                seq,
                Reply::Ok {
                    kind: Kind::Reset.code(),
                },
            );
        }
        Request::Ack => panic!("acknowledgements are not requests"),
        // Its calls end at once: an interrupt, a ping or a patch comes too late.
        Request::Interrupt | Request::Ping | Request::Patch => {}
        Request::Swap { .. } => port.reply(
            seq,
            Reply::Ok {
                kind: Kind::Swap.code(),
            },
        ),
        Request::Peek { addr, len } => port.reply(
            seq,
            Reply::PeekReply {
                bytes: (0..*len)
                    .map(|i| addr.wrapping_add(u32::from(i)) as u8)
                    .collect(),
            },
        ),
        Request::Events => port.reply(
            seq,
            Reply::Events(EventsReport {
                flags: 1,
                timers: 2,
                dropped_events: 0,
                dropped_bytes: 0,
                records: vec![EventRecord::Stdout(b"tick\n".to_vec())],
            }),
        ),
        // Not paused: refused, as the runtime does.
        Request::Resume => port.reply(
            seq,
            Reply::Error(error(
                ErrorCode::BadMessage,
                0,
                u32::from(Kind::Resume.code()),
            )),
        ),
        Request::MemInfo { .. } => {
            let code_used = port
                .log
                .lock()
                .unwrap()
                .loads
                .iter()
                .map(|(_, b)| b.len() as u32)
                .sum();
            port.reply(
                seq,
                Reply::MemInfo(MemInfo {
                    heap_size: 0x1_0000,
                    heap_used: 16,
                    heap_free: 0x1_0000 - 16,
                    live_blocks: 1,
                    code_used,
                    data_used: 0,
                }),
            );
        }
    }
    Flow::Continue
}

/// What the fake device saw: every request with its seq, and its LOADs.
#[derive(Debug, Default)]
struct Log {
    requests: Vec<(u8, Request)>,
    loads: Vec<(u32, Vec<u8>)>,
}

/// Starts a fake device with `behaviour`; returns the host end of the link and the log.
fn fake_device<B>(mut behaviour: B) -> (MemLink, Arc<Mutex<Log>>, JoinHandle<()>)
where
    B: FnMut(&mut Port, u8, &Request) -> Flow + Send + 'static,
{
    let (host, device) = MemLink::pair();
    let log = Arc::new(Mutex::new(Log::default()));
    let log2 = Arc::clone(&log);
    let handle = thread::spawn(move || {
        let mut port = Port {
            link: device,
            tx_seq: 0,
            session: info().session_id,
            log: log2,
        };
        let mut deframer = Deframer::new();
        let mut buf = [0u8; 2048];
        let mut last: Option<u8> = None;
        loop {
            let n = match port.link.recv(&mut buf, Duration::from_millis(20)) {
                Ok(n) => n,
                Err(_) => return, // the host closed the link
            };
            deframer.push(&buf[..n]);
            while let Some(frame) = deframer.next_frame() {
                let frame = frame.expect("the host sends good frames");
                let request = Request::decode(&frame).expect("the host sends valid requests");
                if request == Request::Ack {
                    continue;
                }
                if matches!(request, Request::Interrupt | Request::Ping | Request::Patch) {
                    // Not requests: seen while a call runs, never acknowledged.
                    port.log
                        .lock()
                        .unwrap()
                        .requests
                        .push((frame.seq, request.clone()));
                    if let Flow::Close = behaviour(&mut port, frame.seq, &request) {
                        return;
                    }
                    continue;
                }
                if last == Some(frame.seq) && request.kind() != Kind::Hello {
                    port.ack(frame.seq); // a repetition: acknowledged, not carried out again
                    continue;
                }
                port.log
                    .lock()
                    .unwrap()
                    .requests
                    .push((frame.seq, request.clone()));
                match behaviour(&mut port, frame.seq, &request) {
                    Flow::Close => return,
                    Flow::Lost => continue,
                    Flow::Continue => {}
                }
                last = Some(frame.seq);
                port.ack(frame.seq);
            }
        }
    });
    (host, log, handle)
}

/// Calls the entry at 0x1000_0000 and collects its output (of every stream) in order.
fn call_collecting(device: &mut Device<MemLink>) -> (CallOutcome, Vec<u8>) {
    let mut out = Vec::new();
    let outcome = device
        .call(0x1000_0000, &mut |_, t| out.extend_from_slice(t))
        .unwrap();
    (outcome, out)
}

fn connect_standard() -> (Device<MemLink>, Arc<Mutex<Log>>) {
    let (link, log, _) = fake_device(standard);
    let (device, _) = Device::connect(link, TIMEOUT).expect("handshake");
    (device, log)
}

#[test]
fn connect_returns_device_info() {
    let (link, log, _) = fake_device(standard);
    let (device, got) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(got, info());
    assert_eq!(*device.info(), info());
    let requests: Vec<Request> = log
        .lock()
        .unwrap()
        .requests
        .iter()
        .map(|r| r.1.clone())
        .collect();
    assert!(
        matches!(
            requests[..],
            [Request::Hello { version, .. }] if version == PROTOCOL_VERSION
        ),
        "{requests:?}"
    );
    assert!(device.describe().contains("in-memory"));
}

#[test]
fn garbage_before_the_reply_is_ignored() {
    let (link, _, _) = fake_device(|port, seq, req| {
        port.raw(b"boot: fake runtime v1\r\n\0\0");
        standard(port, seq, req)
    });
    let (_, got) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(got, info());
}

#[test]
fn newer_device_version_in_hello_reply_is_bad_version() {
    let (link, _, _) = fake_device(|port, seq, _| {
        port.reply(
            seq,
            Reply::HelloReply(DeviceInfo {
                version: PROTOCOL_VERSION + 1,
                ..info()
            }),
        );
        Flow::Continue
    });
    let err = Device::connect(link, TIMEOUT).unwrap_err();
    assert!(
        matches!(err, LinkError::BadVersion { device, host } if device == PROTOCOL_VERSION + 1 && host == PROTOCOL_VERSION),
        "{err:?}"
    );
    let newer = format!("version {}", PROTOCOL_VERSION + 1);
    assert!(err.to_string().contains(&newer), "{err}");
}

#[test]
fn bad_version_error_reply_is_bad_version() {
    let (link, _, _) = fake_device(|port, seq, _| {
        port.reply(seq, Reply::Error(error(ErrorCode::BadVersion, 0, 3)));
        Flow::Continue
    });
    let err = Device::connect(link, TIMEOUT).unwrap_err();
    assert!(
        matches!(err, LinkError::BadVersion { device: 3, host } if host == PROTOCOL_VERSION),
        "{err:?}"
    );
}

#[test]
fn load_is_split_into_acknowledged_chunks() {
    let (mut device, log) = connect_standard();
    assert_eq!(device.load_chunk_size(), 1020);
    let bytes: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    device.load(0x1000_0100, &bytes).unwrap();
    let log = log.lock().unwrap();
    let sizes: Vec<usize> = log.loads.iter().map(|(_, b)| b.len()).collect();
    assert_eq!(sizes, [1020, 1020, 960]);
    let addrs: Vec<u32> = log.loads.iter().map(|(a, _)| *a).collect();
    assert_eq!(addrs, [0x1000_0100, 0x1000_0100 + 1020, 0x1000_0100 + 2040]);
    let joined: Vec<u8> = log.loads.iter().flat_map(|(_, b)| b.clone()).collect();
    assert_eq!(joined, bytes);
}

#[test]
fn load_respects_a_small_device_payload() {
    let (link, log, _) = fake_device(|port, seq, req| match req {
        Request::Hello { .. } => {
            port.reply(
                seq,
                Reply::HelloReply(DeviceInfo {
                    max_payload: 64,
                    ..info()
                }),
            );
            Flow::Continue
        }
        Request::Load { bytes, .. } => {
            assert!(bytes.len() <= 60, "chunk of {} bytes", bytes.len());
            standard(port, seq, req)
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(device.load_chunk_size(), 60);
    let bytes: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    device.load(0x2000_0000, &bytes).unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log.loads.len(), 17);
    let joined: Vec<u8> = log.loads.iter().flat_map(|(_, b)| b.clone()).collect();
    assert_eq!(joined, bytes);
}

#[test]
fn empty_load_sends_nothing() {
    let (mut device, log) = connect_standard();
    device.load(0x1000_0000, &[]).unwrap();
    assert_eq!(log.lock().unwrap().requests.len(), 1);
}

#[test]
fn refused_load_is_reported_with_the_device_error() {
    let (mut device, log) = connect_standard();
    // The second chunk crosses the end of the code region.
    let start = 0x1000_0000 + 0x1_0000 - 1500;
    let err = device.load(start, &[0u8; 3000]).unwrap_err();
    match err {
        LinkError::Refused { request, error } => {
            assert_eq!(request, Kind::Load);
            assert_eq!(error.error_code(), ErrorCode::LoadRange);
            assert_eq!(error.address, start + 1020);
        }
        other => panic!("{other:?}"),
    }
    // It stopped at the refused chunk.
    assert_eq!(log.lock().unwrap().requests.len(), 3);
}

#[test]
fn load_past_the_address_space_is_invalid() {
    let (mut device, _) = connect_standard();
    let err = device.load(0xFFFF_FFF0, &[0u8; 32]).unwrap_err();
    assert!(matches!(err, LinkError::InvalidRequest { .. }), "{err:?}");
}

#[test]
fn events_are_fetched_and_result_flags_kept() {
    let (link, _, _) = fake_device(|port, seq, req| {
        if let Request::Call { .. } = req {
            port.reply(
                seq,
                Reply::Result {
                    micros: 1,
                    flags: 3,
                },
            );
            Flow::Continue
        } else {
            standard(port, seq, req)
        }
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(device.last_result_flags(), 0);
    let (outcome, _) = call_collecting(&mut device);
    assert_eq!(outcome, CallOutcome::Finished { micros: 1 });
    assert_eq!(device.last_result_flags(), 3);
    let report = device.events().expect("EVENTS is answered");
    assert_eq!(report.timers, 2);
    assert_eq!(
        report.records,
        vec![EventRecord::Stdout(b"tick\n".to_vec())]
    );
}

#[test]
fn call_delivers_outputs_in_order_before_the_result() {
    let (link, _, _) = fake_device(|port, seq, req| {
        if let Request::Call { entry, .. } = req {
            assert_eq!(*entry, 0x1000_0040);
            for (stream, text) in [(0, "one\n"), (1, "warning\n"), (0, "two\n")] {
                port.reply(
                    seq,
                    Reply::Output {
                        stream,
                        text: text.as_bytes().to_vec(),
                    },
                );
            }
            port.reply(
                seq,
                Reply::Result {
                    micros: 1234,
                    flags: 0,
                },
            );
            Flow::Continue
        } else {
            standard(port, seq, req)
        }
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let mut outputs = Vec::new();
    let outcome = device
        .call(0x1000_0040, &mut |stream, text| {
            outputs.push((stream, String::from_utf8_lossy(text).into_owned()))
        })
        .unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 1234 });
    assert_eq!(
        outputs,
        [
            (0, "one\n".to_owned()),
            (1, "warning\n".to_owned()),
            (0, "two\n".to_owned())
        ]
    );
}

#[test]
fn run_time_error_is_a_failed_call_not_an_error() {
    let (link, _, _) = fake_device(|port, seq, req| {
        if let Request::Call { .. } = req {
            port.reply(
                seq,
                Reply::Output {
                    stream: 0,
                    text: b"before\n".to_vec(),
                },
            );
            port.reply(
                seq,
                Reply::Error(DeviceError {
                    code: ErrorCode::DivZero.code(),
                    site: 12,
                    ..DeviceError::default()
                }),
            );
            Flow::Continue
        } else {
            standard(port, seq, req)
        }
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let mut seen = 0;
    let outcome = device.call(0x1000_0000, &mut |_, _| seen += 1).unwrap();
    assert_eq!(seen, 1);
    match outcome {
        CallOutcome::Failed(e) => {
            assert_eq!(e.error_code(), ErrorCode::DivZero);
            assert_eq!(e.site, 12);
        }
        other => panic!("{other:?}"),
    }
    // The session goes on.
    assert_eq!(
        device.call(0x1000_0000, &mut |_, _| {}).unwrap(),
        CallOutcome::Failed(DeviceError {
            code: 1,
            site: 12,
            ..DeviceError::default()
        })
    );
}

#[test]
fn a_long_call_has_no_timeout_by_default() {
    let (link, _, _) = fake_device(|port, seq, req| {
        if let Request::Call { .. } = req {
            thread::sleep(Duration::from_millis(400));
            port.reply(
                seq,
                Reply::Result {
                    micros: 400_000,
                    flags: 0,
                },
            );
            Flow::Continue
        } else {
            standard(port, seq, req)
        }
    });
    let (mut device, _) = Device::connect(link, Duration::from_millis(100)).unwrap();
    assert_eq!(device.call_timeout(), None);
    let outcome = device.call(0x1000_0000, &mut |_, _| {}).unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 400_000 });
}

#[test]
fn a_call_timeout_can_be_set() {
    let (link, _, _) = fake_device(|port, seq, req| {
        if let Request::Call { .. } = req {
            // Output keeps coming, but the call never finishes.
            for _ in 0..50 {
                port.reply(
                    seq,
                    Reply::Output {
                        stream: 0,
                        text: b".".to_vec(),
                    },
                );
                thread::sleep(Duration::from_millis(10));
            }
            Flow::Continue
        } else {
            standard(port, seq, req)
        }
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    device.set_call_timeout(Some(Duration::from_millis(150)));
    let started = Instant::now();
    let err = device.call(0x1000_0000, &mut |_, _| {}).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    match err {
        LinkError::Timeout { waiting_for } => {
            assert!(waiting_for.contains("CALL"), "{waiting_for}")
        }
        other => panic!("{other:?}"),
    }
}

/// A device whose calls run until INTERRUPT (when `stops`), answering PING (when `pongs`).
fn endless_calls(stops: bool, pongs: bool) -> (Device<MemLink>, Arc<Mutex<Log>>) {
    let (link, log, _) = fake_device(move |port, seq, req| match req {
        Request::Call { .. } => Flow::Continue,
        Request::Interrupt if stops => {
            port.reply(
                seq,
                Reply::Error(DeviceError {
                    code: ErrorCode::Interrupted.code(),
                    site: 0,
                    address: 0,
                    detail1: 0,
                    detail2: 0x1000_0004,
                }),
            );
            Flow::Continue
        }
        Request::Ping if pongs => {
            port.reply(seq, Reply::Pong);
            Flow::Continue
        }
        Request::Interrupt | Request::Ping => Flow::Continue,
        _ => standard(port, seq, req),
    });
    let (device, _) = Device::connect(link, TIMEOUT).unwrap();
    (device, log)
}

#[test]
fn an_interrupt_stops_a_call_and_is_then_forgotten() {
    let (mut device, log) = endless_calls(true, true);
    let interrupter = device.interrupter().clone();
    let asker = interrupter.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        asker.interrupt();
    });
    let started = Instant::now();
    let outcome = device.call(0x1000_0000, &mut |_, _| {}).unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));
    match outcome {
        CallOutcome::Failed(e) => assert_eq!(e.error_code(), ErrorCode::Interrupted),
        other => panic!("{other:?}"),
    }
    assert!(!interrupter.is_requested(), "the request was for that call");
    // INTERRUPT carries the seq of the call it stops.
    let log = log.lock().unwrap();
    let call = log
        .requests
        .iter()
        .find(|(_, r)| matches!(r, Request::Call { .. }))
        .unwrap()
        .0;
    assert!(log.requests.contains(&(call, Request::Interrupt)));
}

#[test]
fn a_call_time_limit_interrupts_it() {
    let (mut device, _) = endless_calls(true, true);
    device.set_call_time_limit(Some(Duration::from_millis(200)));
    let outcome = device.call(0x1000_0000, &mut |_, _| {}).unwrap();
    assert!(matches!(outcome, CallOutcome::Failed(e) if e.error_code() == ErrorCode::Interrupted));
    assert!(device.last_call_timed_out());
}

#[test]
fn a_device_that_does_not_stop_is_unresponsive() {
    let (mut device, _) = endless_calls(false, true);
    device.set_interrupt_grace(Duration::from_millis(300));
    device.interrupter().interrupt();
    let started = Instant::now();
    let err = device.call(0x1000_0000, &mut |_, _| {}).unwrap_err();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    match err {
        LinkError::Unresponsive { detail, .. } => {
            assert!(detail.contains("did not stop"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_device_that_falls_silent_during_a_call_is_unresponsive() {
    let (mut device, log) = endless_calls(false, false);
    let started = Instant::now();
    let err = device.call(0x1000_0000, &mut |_, _| {}).unwrap_err();
    let took = started.elapsed();
    // 4 s of silence with this reply timeout (5 s), then the pings were in vain.
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(5),
        "{took:?}"
    );
    match err {
        LinkError::Unresponsive { detail, .. } => {
            assert!(detail.contains("sent nothing"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    let pings = log
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|(_, r)| *r == Request::Ping)
        .count();
    assert!(pings >= 3, "{pings} pings");
}

#[test]
fn answered_pings_keep_a_long_call_going() {
    let started = Instant::now();
    let (link, _, _) = fake_device(move |port, seq, req| match req {
        Request::Call { .. } => Flow::Continue,
        // Longer than the silence limit: only the answers to PING keep the host waiting.
        Request::Ping if started.elapsed() > Duration::from_millis(5500) => {
            port.reply(
                seq,
                Reply::Result {
                    micros: 5_500_000,
                    flags: 0,
                },
            );
            Flow::Continue
        }
        Request::Ping => {
            port.reply(seq, Reply::Pong);
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let outcome = device.call(0x1000_0000, &mut |_, _| {}).unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 5_500_000 });
}

#[test]
fn reset_and_meminfo_and_sequence_numbers() {
    let (mut device, log) = connect_standard();
    device.load(0x1000_0000, &[1, 2, 3]).unwrap();
    let mem = device.meminfo(false).unwrap();
    assert_eq!(mem.code_used, 3);
    device.reset().unwrap();
    assert_eq!(device.meminfo(false).unwrap().code_used, 0);
    device.call(0x1000_0000, &mut |_, _| {}).unwrap();
    let again = device.hello().unwrap();
    assert_eq!(again, info());
    let seqs: Vec<u8> = log.lock().unwrap().requests.iter().map(|r| r.0).collect();
    assert_eq!(seqs.len(), 7);
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0].wrapping_add(1)),
        "{seqs:?}"
    );
}

#[test]
fn sequence_numbers_wrap_around() {
    let (mut device, log) = connect_standard();
    for _ in 0..300 {
        device.meminfo(false).unwrap();
    }
    let log = log.lock().unwrap();
    assert_eq!(log.requests.len(), 301);
    let first = log.requests[0].0;
    for (i, (seq, _)) in log.requests.iter().enumerate() {
        assert_eq!(*seq, first.wrapping_add(i as u8));
    }
    assert_eq!(device.stats().retransmissions, 0);
}

#[test]
fn a_reply_to_an_earlier_request_is_dropped() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } => {
            port.reply(seq.wrapping_sub(1), Reply::MemInfo(MemInfo::default()));
            standard(port, seq, req)
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(device.meminfo(false).unwrap().code_used, 0);
    assert_eq!(device.stats().stale, 1);
}

#[test]
fn stale_output_during_a_call_is_dropped() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            port.reply(
                seq.wrapping_sub(1),
                Reply::Output {
                    stream: 0,
                    text: b"stale".to_vec(),
                },
            );
            standard(port, seq, req)
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let (outcome, out) = call_collecting(&mut device);
    assert_eq!(outcome, CallOutcome::Finished { micros: 42 });
    assert_eq!(out, b"hello\n");
    assert_eq!(device.stats().stale, 1);
}

#[test]
fn a_repeated_reply_is_delivered_once() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            let output = Reply::Output {
                stream: 0,
                text: b"once\n".to_vec(),
            };
            port.reply(seq, output.clone());
            port.repeat(seq, output);
            port.reply(
                seq,
                Reply::Result {
                    micros: 3,
                    flags: 0,
                },
            );
            port.repeat(
                seq,
                Reply::Result {
                    micros: 3,
                    flags: 0,
                },
            );
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let (outcome, out) = call_collecting(&mut device);
    assert_eq!(outcome, CallOutcome::Finished { micros: 3 });
    assert_eq!(out, b"once\n");
    // The repeated RESULT arrives after the call ended: it is dropped while reading the next reply.
    assert_eq!(device.meminfo(false).unwrap().heap_used, 16);
    assert_eq!(device.stats().duplicates, 2);
}

#[test]
fn an_unacknowledged_request_is_sent_again() {
    let lost = Arc::new(Mutex::new(2));
    let lost2 = Arc::clone(&lost);
    let (link, log, _) = fake_device(move |port, seq, req| match req {
        Request::MemInfo { .. } if *lost2.lock().unwrap() > 0 => {
            *lost2.lock().unwrap() -= 1;
            Flow::Lost
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(device.meminfo(false).unwrap().heap_used, 16);
    assert_eq!(device.stats().retransmissions, 2);
    let seqs: Vec<u8> = log.lock().unwrap().requests.iter().map(|r| r.0).collect();
    assert_eq!(
        seqs.len(),
        4,
        "HELLO and three sendings of MEMINFO: {seqs:?}"
    );
    assert!(seqs[1] == seqs[2] && seqs[2] == seqs[3], "{seqs:?}");
}

#[test]
fn a_new_session_id_means_the_device_was_reset() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } => {
            port.session = 8; // as if it had restarted: its acknowledgement says so
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let err = device.meminfo(false).unwrap_err();
    assert!(
        matches!(
            err,
            LinkError::DeviceReset {
                was: Some(7),
                now: Some(8),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("was reset"), "{err}");
    // A new HELLO starts a new session with it.
    assert_eq!(device.hello().unwrap().session_id, 8);
    device.call(0x1000_0000, &mut |_, _| {}).unwrap();
}

#[test]
fn a_no_session_error_means_the_device_was_reset() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            let refused = error(ErrorCode::NoSession, 0, u32::from(Kind::Call.code()));
            port.reply(seq, Reply::Error(refused));
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let err = device.call(0x1000_0000, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(err, LinkError::DeviceReset { now: None, .. }),
        "{err:?}"
    );
}

#[test]
fn unexpected_kind_of_reply_is_a_protocol_error() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } => {
            port.reply(
                seq,
                Reply::Result {
                    micros: 5,
                    flags: 0,
                },
            );
            Flow::Continue
        }
        Request::Reset => {
            port.reply(
                seq,
                Reply::Ok {
                    kind: Kind::Load.code(),
                },
            );
            Flow::Continue
        }
        Request::Call { .. } => {
            port.reply(
                seq,
                Reply::Ok {
                    kind: Kind::Call.code(),
                },
            );
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    match device.meminfo(false).unwrap_err() {
        LinkError::Protocol { detail } => {
            assert!(detail.contains("RESULT to MEMINFO"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    match device.reset().unwrap_err() {
        LinkError::Protocol { detail } => assert!(detail.contains("0x02"), "{detail}"),
        other => panic!("{other:?}"),
    }
    let err = device.call(0x1000_0000, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, LinkError::Protocol { .. }), "{err:?}");
}

#[test]
fn undecodable_reply_is_a_protocol_error() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } => {
            let short = Frame::reply(Kind::MemInfoReply, 99, seq, vec![0; 10]);
            port.raw(&encode_frame(&short).unwrap());
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    match device.meminfo(false).unwrap_err() {
        LinkError::Protocol { detail } => assert!(detail.contains("10 bytes"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_reply_times_out() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } => Flow::Continue, // never answers
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    device.set_reply_timeout(Duration::from_millis(100));
    assert_eq!(device.reply_timeout(), Duration::from_millis(100));
    let started = Instant::now();
    let err = device.meminfo(false).unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    match err {
        LinkError::Timeout { waiting_for } => {
            assert!(waiting_for.contains("MEMINFO_REPLY"), "{waiting_for}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn silent_device_times_out_the_handshake() {
    let (link, _, _) = fake_device(|_, _, _| Flow::Continue);
    let err = Device::connect(link, Duration::from_millis(50)).unwrap_err();
    assert!(matches!(err, LinkError::Timeout { .. }), "{err:?}");
}

#[test]
fn a_frame_that_stops_half_way_is_given_up_and_its_repetition_taken() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            port.tx_seq = port.tx_seq.wrapping_add(1);
            let result = Reply::Result {
                micros: 1,
                flags: 0,
            }
            .encode(port.tx_seq, seq);
            let bytes = encode_frame(&result).unwrap();
            port.raw(&bytes[..5]);
            thread::sleep(Duration::from_millis(300));
            port.raw(&bytes);
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, Duration::from_millis(100)).unwrap();
    let outcome = device.call(0x1000_0000, &mut |_, _| {}).unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 1 });
    assert!(device.stats().corrupt_frames >= 1, "{:?}", device.stats());
}

/// A reply whose length field was damaged (it claims 512 bytes more) is followed only by a few
/// spaced repetitions, too few to make up that length: the host must give the damaged frame up
/// while it waits for the CALL's end in short slices (it polls for patches every 10 ms, less
/// than the pause after which a partial frame is given up), and then take a repetition.
#[test]
fn a_damaged_length_during_a_call_is_given_up_between_repetitions() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            port.tx_seq = port.tx_seq.wrapping_add(1);
            let good = encode_frame(
                &Reply::Result {
                    micros: 7,
                    flags: 0,
                }
                .encode(port.tx_seq, seq),
            )
            .unwrap();
            let mut bad = good.clone();
            bad[5] ^= 0x02;
            port.raw(&bad);
            for _ in 0..4 {
                thread::sleep(Duration::from_millis(150));
                port.raw(&good);
            }
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    // Without the give-up the call would wait for the rest of the damaged frame until this.
    device.set_call_timeout(Some(Duration::from_secs(3)));
    let mut events = Recorder::default();
    let outcome = device.call_with(0x1000_0000, &mut events).unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 7 });
    assert!(device.stats().corrupt_frames >= 1, "{:?}", device.stats());
    assert!(
        events.asked > 0,
        "the host polled for patches while it waited"
    );
}

#[test]
fn closed_link_is_reported_as_closed() {
    let (link, _, handle) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            port.reply(
                seq,
                Reply::Output {
                    stream: 0,
                    text: b"last words\n".to_vec(),
                },
            );
            Flow::Close
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let mut out = Vec::new();
    let err = device
        .call(0x1000_0000, &mut |_, t| out.extend_from_slice(t))
        .unwrap_err();
    assert_eq!(out, b"last words\n");
    assert!(matches!(err, LinkError::Closed { .. }), "{err:?}");
    handle.join().unwrap();
    // Sending to the dead device is also Closed.
    let err = device.meminfo(false).unwrap_err();
    assert!(matches!(err, LinkError::Closed { .. }), "{err:?}");
}

#[test]
fn a_corrupt_frame_is_skipped_and_its_repetition_taken() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } => {
            port.tx_seq = port.tx_seq.wrapping_add(1);
            let reply = Reply::MemInfo(MemInfo {
                heap_used: 99,
                ..MemInfo::default()
            });
            let good = encode_frame(&reply.encode(port.tx_seq, seq)).unwrap();
            let mut bad = good.clone();
            bad[10] ^= 0x01;
            port.raw(&bad);
            port.raw(&good);
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    assert_eq!(device.meminfo(false).unwrap().heap_used, 99);
    // At least the damaged frame. Resynchronising inside it can meet a byte that looks like a
    // frame's start and count that too; whether it does depends on how the bytes arrive.
    assert!(device.stats().corrupt_frames >= 1, "{:?}", device.stats());
}

#[test]
fn refused_meminfo_and_reset_carry_the_device_error() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::MemInfo { .. } | Request::Reset => {
            port.reply(
                seq,
                Reply::Error(error(
                    ErrorCode::BadMessage,
                    0,
                    u32::from(req.kind().code()),
                )),
            );
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let err = device.meminfo(false).unwrap_err();
    assert!(
        matches!(err, LinkError::Refused { request: Kind::MemInfo, error } if error.detail1 == 5),
        "{err:?}"
    );
    let err = device.reset().unwrap_err();
    assert!(
        matches!(
            err,
            LinkError::Refused {
                request: Kind::Reset,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("malformed"), "{err}");
}

#[test]
fn device_over_a_boxed_link() {
    let (link, _, _) = fake_device(standard);
    let boxed: Box<dyn Link> = Box::new(link);
    let (mut device, _) = Device::connect(boxed, TIMEOUT).unwrap();
    assert_eq!(
        device.call(0x1000_0000, &mut |_, _| {}).unwrap(),
        CallOutcome::Finished { micros: 42 }
    );
}

#[test]
fn hello_carries_the_same_random_host_id_every_time() {
    let (mut device, log) = connect_standard();
    device.hello().unwrap();
    let hosts: Vec<u32> = log
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter_map(|(_, r)| match r {
            Request::Hello { host, .. } => Some(*host),
            _ => None,
        })
        .collect();
    assert_eq!(hosts.len(), 2);
    assert_eq!(hosts[0], hosts[1], "one host, one id");
}

#[test]
fn a_late_acknowledgement_with_an_older_session_id_is_not_a_reset() {
    // The DEVICE_ACK of the first HELLO carries the session id the device had before that HELLO
    // chose a new one; held up on the way, it arrives during the next request.
    let seen = Arc::new(Mutex::new(0u8));
    let (link, _, _) = fake_device(move |port, seq, req| match req {
        Request::Hello { .. } => {
            *seen.lock().unwrap() = seq;
            standard(port, seq, req)
        }
        Request::Load { .. } => {
            let late = Reply::DeviceAck { session_id: 1 }.encode(*seen.lock().unwrap(), 0);
            port.raw(&encode_frame(&late).unwrap());
            standard(port, seq, req)
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    device.load(0x1000_0000, &[1, 2, 3]).unwrap();
    assert_eq!(device.meminfo(false).unwrap().heap_used, 16);
}

#[test]
fn a_late_copy_of_an_earlier_reply_to_the_same_call_is_dropped() {
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Call { .. } => {
            let first = Reply::Output {
                stream: 0,
                text: b"a".to_vec(),
            };
            port.reply(seq, first.clone());
            let first_seq = port.tx_seq;
            port.reply(
                seq,
                Reply::Output {
                    stream: 0,
                    text: b"b".to_vec(),
                },
            );
            // The first OUTPUT again, held up on the way: behind the last one taken.
            port.raw(&encode_frame(&first.encode(first_seq, seq)).unwrap());
            port.reply(
                seq,
                Reply::Result {
                    micros: 1,
                    flags: 0,
                },
            );
            Flow::Continue
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    let (outcome, out) = call_collecting(&mut device);
    assert_eq!(outcome, CallOutcome::Finished { micros: 1 });
    assert_eq!(out, b"ab");
    assert_eq!(device.stats().duplicates, 1);
}

#[test]
fn the_new_session_id_in_the_acknowledgement_of_a_repeated_reset_is_not_a_reset() {
    // The DEVICE_ACK of the first RESET was lost; the device reset and chose a new session id,
    // and acknowledges the repetition with it before its OK comes through.
    let (link, _, _) = fake_device(|port, seq, req| match req {
        Request::Reset => {
            port.session = 8;
            port.ack(seq);
            std::thread::sleep(Duration::from_millis(20));
            standard(port, seq, req)
        }
        _ => standard(port, seq, req),
    });
    let (mut device, _) = Device::connect(link, TIMEOUT).unwrap();
    device.reset().unwrap();
    assert_eq!(device.hello().unwrap().session_id, 8);
    assert_eq!(device.meminfo(false).unwrap().heap_used, 16);
}

/// What a test's [`CallEvents`] heard, and the patch it hands out once (after the first
/// profile report, or at once with `eager`).
#[derive(Default)]
struct Recorder {
    output: Vec<u8>,
    profiles: Vec<ProfileReport>,
    to_give: Option<Patch>,
    eager: bool,
    asked: usize,
    patched: Vec<(Patch, PatchResult)>,
}

impl CallEvents for Recorder {
    fn output(&mut self, _stream: u8, text: &[u8]) {
        self.output.extend_from_slice(text);
    }
    fn profile(&mut self, report: ProfileReport) {
        self.profiles.push(report);
    }
    fn patch(&mut self) -> Option<Patch> {
        self.asked += 1;
        if self.eager || !self.profiles.is_empty() {
            self.to_give.take()
        } else {
            None
        }
    }
    fn patched(&mut self, patch: Patch, result: PatchResult) {
        self.patched.push((patch, result));
    }
}

fn a_patch() -> Patch {
    Patch {
        loads: vec![
            (0x1000_0100, vec![0xC3; 3000]),
            (0x2000_0040, vec![1, 2, 3, 4]),
        ],
        swaps: vec![
            Swap {
                addr: 0x2000_0010,
                expected: 0x1000_0000,
                new: 0x1000_0100,
            },
            Swap {
                addr: 0x2000_0014,
                expected: 0x1000_0000,
                new: 0x1000_0100,
            },
        ],
    }
}

/// A device whose call reports a profile and then runs until it was paused for a patch and
/// resumed (or, with `pauses` false, for 300 ms, ignoring PATCH); the second swap finds
/// another value than expected.
fn patching_device(pauses: bool) -> (Device<MemLink>, Arc<Mutex<Log>>) {
    let mut call_seq = None;
    let mut paused = false;
    let (link, log, _) = fake_device(move |port, seq, req| {
        match req {
            // The calls after the first one are a standard device's.
            Request::Call { .. } if call_seq.is_none() => {
                call_seq = Some(seq);
                port.reply(
                    seq,
                    Reply::Output {
                        stream: 0,
                        text: b"before ".to_vec(),
                    },
                );
                port.reply(
                    seq,
                    Reply::Profile {
                        record: 0x2000_0100,
                        row: 0,
                        sig: vec![bs_transport::bs_protocol::PROFILE_NO_ROW.into(), 16],
                    },
                );
                if !pauses {
                    thread::sleep(Duration::from_millis(300));
                    port.reply(
                        seq,
                        Reply::Result {
                            micros: 300_000,
                            flags: 0,
                        },
                    );
                }
            }
            Request::Patch if pauses && Some(seq) == call_seq && !paused => {
                paused = true;
                port.reply(seq, Reply::Paused);
            }
            Request::Patch => {}
            Request::Swap { addr, .. } if *addr == 0x2000_0014 => port.reply(
                seq,
                Reply::Error(error(ErrorCode::SwapMismatch, *addr, 0x1000_0800)),
            ),
            Request::Resume if paused => {
                paused = false;
                port.reply(
                    seq,
                    Reply::Ok {
                        kind: Kind::Resume.code(),
                    },
                );
                // The call goes on: its next replies follow the patch's.
                let call = call_seq.expect("a call runs");
                port.ack(seq);
                port.reply(
                    call,
                    Reply::Output {
                        stream: 0,
                        text: b"after".to_vec(),
                    },
                );
                port.reply(
                    call,
                    Reply::Result {
                        micros: 7,
                        flags: 0,
                    },
                );
            }
            _ => return standard(port, seq, req),
        }
        Flow::Continue
    });
    let (device, _) = Device::connect(link, TIMEOUT).unwrap();
    (device, log)
}

#[test]
fn a_patch_is_installed_while_the_call_runs() {
    let (mut device, log) = patching_device(true);
    let mut events = Recorder {
        to_give: Some(a_patch()),
        ..Recorder::default()
    };
    let outcome = device.call_with(0x1000_0000, &mut events).unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 7 });
    assert_eq!(events.output, b"before after");
    assert_eq!(
        events.profiles,
        [ProfileReport {
            record: 0x2000_0100,
            row: Some(0),
            sig: vec![0xFF, 16],
        }]
    );
    assert_eq!(
        events.patched,
        [(
            a_patch(),
            PatchResult::Installed(vec![
                SwapResult::Swapped,
                SwapResult::Mismatch { found: 0x1000_0800 }
            ])
        )]
    );
    let log = log.lock().unwrap();
    let kinds: Vec<Kind> = log
        .requests
        .iter()
        .map(|(_, r)| r.kind())
        .filter(|k| *k != Kind::Hello)
        .collect();
    let patches = kinds.iter().filter(|k| **k == Kind::Patch).count();
    assert!(patches >= 1);
    let after: Vec<Kind> = kinds
        .iter()
        .copied()
        .filter(|k| *k != Kind::Patch)
        .collect();
    assert_eq!(
        after,
        [
            Kind::Call,
            Kind::Load,
            Kind::Load,
            Kind::Load,
            Kind::Load,
            Kind::Swap,
            Kind::Swap,
            Kind::Resume
        ],
        "the loads in chunks, the swaps, RESUME"
    );
    // PATCH carries the CALL's seq.
    let call = log
        .requests
        .iter()
        .find(|(_, r)| r.kind() == Kind::Call)
        .unwrap()
        .0;
    assert!(
        log.requests
            .iter()
            .filter(|(_, r)| *r == Request::Patch)
            .all(|(s, _)| *s == call)
    );
    assert_eq!(log.loads.concat_len(), 3004);
    drop(log);
    // The device goes on answering.
    assert_eq!(call_collecting(&mut device).1, b"hello\n");
}

trait ConcatLen {
    fn concat_len(&self) -> usize;
}

impl ConcatLen for Vec<(u32, Vec<u8>)> {
    fn concat_len(&self) -> usize {
        self.iter().map(|(_, b)| b.len()).sum()
    }
}

#[test]
fn a_patch_is_given_back_when_the_call_ends_first() {
    let (mut device, log) = patching_device(false);
    let mut events = Recorder {
        to_give: Some(a_patch()),
        eager: true,
        ..Recorder::default()
    };
    let outcome = device.call_with(0x1000_0000, &mut events).unwrap();
    assert_eq!(outcome, CallOutcome::Finished { micros: 300_000 });
    assert_eq!(events.patched, [(a_patch(), PatchResult::NotInstalled)]);
    // Asked until it gave one, then not while it was pending.
    assert_eq!(events.asked, 1);
    let log = log.lock().unwrap();
    let patches = log
        .requests
        .iter()
        .filter(|(_, r)| *r == Request::Patch)
        .count();
    // Repeated every retransmission timeout (50 ms here) for 300 ms.
    assert!((2..=12).contains(&patches), "{patches} PATCH frames");
    assert!(
        !log.requests
            .iter()
            .any(|(_, r)| matches!(r, Request::Load { .. }))
    );
}

#[test]
fn without_a_patch_nothing_is_sent_and_patch_is_asked_often() {
    let (mut device, log) = patching_device(false);
    let mut events = Recorder::default();
    let started = Instant::now();
    device.call_with(0x1000_0000, &mut events).unwrap();
    let elapsed = started.elapsed();
    // At least every 10 ms while the call ran (300 ms; a loaded machine may wake the host late).
    assert!(
        events.asked >= 10,
        "asked {} times in {elapsed:?}",
        events.asked
    );
    assert!(events.patched.is_empty());
    assert!(
        !log.lock()
            .unwrap()
            .requests
            .iter()
            .any(|(_, r)| *r == Request::Patch)
    );
}

#[test]
fn swap_and_peek_between_calls() {
    let (mut device, log) = connect_standard();
    let swap = Swap {
        addr: 0x2000_0000,
        expected: 1,
        new: 2,
    };
    assert_eq!(device.swap(&swap).unwrap(), SwapResult::Swapped);
    // Chunks of the device's payload less 4.
    let bytes = device.peek(0x2000_0000, 2500).unwrap();
    assert_eq!(bytes.len(), 2500);
    assert!(bytes.iter().enumerate().all(|(i, b)| *b == i as u8));
    let peeks: Vec<Request> = log
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|(_, r)| r.kind() == Kind::Peek)
        .map(|(_, r)| r.clone())
        .collect();
    assert_eq!(
        peeks,
        [
            Request::Peek {
                addr: 0x2000_0000,
                len: 1020
            },
            Request::Peek {
                addr: 0x2000_0000 + 1020,
                len: 1020
            },
            Request::Peek {
                addr: 0x2000_0000 + 2040,
                len: 460
            },
        ]
    );
    assert!(matches!(
        device.peek(u32::MAX, 2),
        Err(LinkError::InvalidRequest { .. })
    ));
    assert_eq!(device.peek(0x2000_0000, 0).unwrap(), Vec::<u8>::new());
}
