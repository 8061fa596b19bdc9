//! The dynamic compiler's device side end to end (`docs/dynamic.md`): [`Device::call_with`]
//! against the real host runtime process, which runs a small x86-64 unit written here byte by
//! byte. Its entry sends a PROFILE (`bs_runtime_profile_report`), then loops: it calls the
//! function whose address a data word (a function slot) holds, and calls
//! `bs_runtime_patch_point` when `bs_patch_wanted` is set. The first function counts; the
//! second one, which only a patch loads, ends the loop. So the call ends only if a patch was
//! installed while it ran: code loaded, the slot swapped, the call resumed. Also over a link
//! that loses, damages, repeats and delays frames, and with an INTERRUPT while the device is
//! paused; and, by hand, which requests a paused device serves and which it refuses.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bs_transport::bs_protocol::auth::{AuthRefusal, Key};
use bs_transport::bs_protocol::{
    Deframer, DeviceInfo, ErrorCode, Frame, Kind, PROTOCOL_VERSION, Reply, Request, encode_frame,
};
use bs_transport::{
    CallEvents, CallOutcome, Device, FaultLink, FaultRates, Link, LinkError, Patch, PatchResult,
    ProcessLink, ProfileReport, Swap, SwapResult,
};

/// Where things are, and the unit's bytes.
struct Unit {
    /// The unit's entry: reports, then loops until the slot's function says done.
    entry: u32,
    /// An entry that pauses (without PATCH) again and again, for ever.
    pause_entry: u32,
    /// An entry that pauses once (without PATCH) and returns.
    pause_once: u32,
    /// Counts (the slot's first value).
    count: u32,
    /// Ends the loop (loaded by the patch).
    done: u32,
    done_code: Vec<u8>,
    code: Vec<u8>,
    /// The function slot (8 bytes), the counter, the done flag, the profile record.
    slot: u32,
    counter: u32,
    done_flag: u32,
    record: u32,
    data: Vec<u8>,
}

/// x86-64 machine code, placed at `base`.
struct Asm {
    base: u32,
    bytes: Vec<u8>,
}

impl Asm {
    fn at(&self) -> u32 {
        self.base + self.bytes.len() as u32
    }
    fn put(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
    fn u32(&mut self, v: u32) {
        self.put(&v.to_le_bytes());
    }
    /// `call target` (E8 rel32).
    fn call(&mut self, target: u64) {
        let next = i64::from(self.at()) + 5;
        let rel = i32::try_from(target as i64 - next).expect("within 2 GB");
        self.put(&[0xE8]);
        self.put(&rel.to_le_bytes());
    }
    fn pad_to(&mut self, addr: u32) {
        while self.at() < addr {
            self.put(&[0xCC]);
        }
    }
}

fn unit(info: &DeviceInfo, patch_wanted: u64, report: u64, patch_point: u64) -> Unit {
    let (c, d) = (info.code.base, info.data.base);
    let (slot, counter, done_flag, record) = (d, d + 8, d + 12, d + 16);
    let (count, done, pause_entry, pause_once) = (c + 0x80, c + 0x100, c + 0x180, c + 0x1C0);
    let wanted = u32::try_from(patch_wanted).expect("the runtime lies below 4 GB");
    let mut a = Asm {
        base: c,
        bytes: Vec::new(),
    };
    a.put(&[0x53]); // push rbx (aligns the stack for the calls)
    a.put(&[0xBF]); // mov edi, record
    a.u32(record);
    a.put(&[0xBE]); // mov esi, 1 (the row)
    a.u32(1);
    a.call(report);
    let top = a.at();
    a.put(&[0x0F, 0xB6, 0x04, 0x25]); // movzx eax, byte [bs_patch_wanted]
    a.u32(wanted);
    a.put(&[0x85, 0xC0, 0x74, 0x05]); // test eax, eax; jz past the call
    a.call(patch_point);
    a.put(&[0x48, 0x8B, 0x04, 0x25]); // mov rax, [slot]
    a.u32(slot);
    a.put(&[0xFF, 0xD0]); // call rax
    a.put(&[0x8B, 0x04, 0x25]); // mov eax, [done_flag]
    a.u32(done_flag);
    a.put(&[0x85, 0xC0, 0x0F, 0x84]); // test eax, eax; jz top
    let rel = i64::from(top) - (i64::from(a.at()) + 4);
    a.put(&(rel as i32).to_le_bytes());
    a.put(&[0x5B, 0xC3]); // pop rbx; ret
    a.pad_to(count);
    a.put(&[0xFF, 0x04, 0x25]); // inc dword [counter]
    a.u32(counter);
    a.put(&[0xC3]);
    a.pad_to(pause_entry);
    a.put(&[0x53]);
    let again = a.at();
    a.call(patch_point);
    let rel = i64::from(again) - (i64::from(a.at()) + 2);
    a.put(&[0xEB, rel as i8 as u8]); // jmp again
    a.pad_to(pause_once);
    a.put(&[0x53]);
    a.call(patch_point);
    a.put(&[0x5B, 0xC3]);

    let mut done_code = vec![0xC7, 0x04, 0x25]; // mov dword [done_flag], 1
    done_code.extend_from_slice(&done_flag.to_le_bytes());
    done_code.extend_from_slice(&1u32.to_le_bytes());
    done_code.push(0xC3);

    let mut data = vec![0u8; 16 + 76];
    data[..8].copy_from_slice(&u64::from(count).to_le_bytes());
    // The profile record (bs_profile): countdown, state REPORTED, nargs 2, needed 1, rows 2,
    // seen, then sig[row][arg]: row 1 holds (integer, class 16).
    let r = &mut data[16..];
    r[4] = bs_abi::PROFILE_REPORTED;
    r[5] = 2;
    r[6] = 1;
    r[7] = 2;
    let sig1 = 12 + 2 * bs_abi::PROFILE_MAX_ARGS;
    r[sig1..sig1 + 2].copy_from_slice(&bs_abi::SIG_INTEGER.to_le_bytes());
    r[sig1 + 2..sig1 + 4].copy_from_slice(&16u16.to_le_bytes());
    Unit {
        entry: c,
        pause_entry,
        pause_once,
        count,
        done,
        done_code,
        code: a.bytes,
        slot,
        counter,
        done_flag,
        record,
        data,
    }
}

/// The host runtime's image and the addresses the unit needs.
fn runtime() -> (std::path::PathBuf, [u64; 3]) {
    let port = bs_toolchain::port("host").expect("the host port");
    let build = bs_toolchain::ensure_runtime(port).expect("the host runtime builds");
    let elf = std::fs::read(&build.image).expect("the runtime image");
    let image = bs_link::read_runtime_elf(&elf).expect("a runtime image");
    let sym = |name: &str| image.symbol(name).unwrap_or_else(|| panic!("{name}"));
    (
        build.image.clone(),
        [
            sym("bs_patch_wanted"),
            sym("bs_runtime_profile_report"),
            sym("bs_runtime_patch_point"),
        ],
    )
}

fn start<L: Link>(wrap: impl FnOnce(ProcessLink) -> L) -> (Device<L>, Unit) {
    start_image(wrap, None, None)
}

/// Starts the runtime (the image keyed with `device_key`, if given) and talks to it with
/// `host_key`.
fn start_image<L: Link>(
    wrap: impl FnOnce(ProcessLink) -> L,
    device_key: Option<&Key>,
    host_key: Option<Key>,
) -> (Device<L>, Unit) {
    let (mut image, [wanted, report, point]) = runtime();
    if let Some(key) = device_key {
        let build = bs_toolchain::ensure_runtime(&bs_toolchain::HOST).expect("the runtime");
        image = bs_toolchain::ensure_keyed_image(&build, key.bytes(), &key.id().0)
            .expect("the keyed image is made");
    }
    let paired_host = host_key.is_some();
    let link = ProcessLink::spawn(&image, std::iter::empty::<&str>()).expect("the runtime starts");
    let (mut device, info) =
        Device::connect_with_key(wrap(link), Duration::from_secs(10), host_key).expect("HELLO");
    let unit = unit(&info, wanted, report, point);
    if device_key.is_some() && !paired_host {
        return (device, unit); // it cannot load
    }
    device.load(info.code.base, &unit.code).expect("code");
    (device, unit)
}

/// Sets the data afresh: the slot at the counting function, counter and flag 0.
fn reset_data<L: Link>(device: &mut Device<L>, unit: &Unit) {
    device.load(unit.slot, &unit.data).expect("data");
}

#[derive(Default)]
struct Events {
    output: Vec<u8>,
    profiles: Vec<ProfileReport>,
    to_give: Option<Patch>,
    patched: Vec<(Patch, PatchResult)>,
}

impl CallEvents for Events {
    fn output(&mut self, _stream: u8, text: &[u8]) {
        self.output.extend_from_slice(text);
    }
    fn profile(&mut self, report: ProfileReport) {
        self.profiles.push(report);
    }
    fn patch(&mut self) -> Option<Patch> {
        if self.profiles.is_empty() {
            return None;
        }
        self.to_give.take()
    }
    fn patched(&mut self, patch: Patch, result: PatchResult) {
        self.patched.push((patch, result));
    }
}

fn the_patch(unit: &Unit) -> Patch {
    Patch {
        loads: vec![(unit.done, unit.done_code.clone())],
        swaps: vec![Swap {
            addr: unit.slot,
            expected: unit.count,
            new: unit.done,
        }],
    }
}

/// Runs the unit with its patch, and checks that it was installed while it ran.
fn patched_call<L: Link>(device: &mut Device<L>, unit: &Unit) {
    reset_data(device, unit);
    assert_eq!(device.peek(unit.counter, 8).unwrap(), [0; 8]);
    let mut events = Events {
        to_give: Some(the_patch(unit)),
        ..Events::default()
    };
    let started = Instant::now();
    let outcome = device.call_with(unit.entry, &mut events).expect("the call");
    assert!(
        matches!(outcome, CallOutcome::Finished { .. }),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(
        events.profiles,
        [ProfileReport {
            record: unit.record,
            row: Some(1),
            sig: vec![bs_abi::SIG_INTEGER, 16],
        }]
    );
    assert_eq!(
        events.patched,
        [(
            the_patch(unit),
            PatchResult::Installed(vec![SwapResult::Swapped])
        )]
    );
    // The new function ended the loop (the counting one ran until the patch came, which may
    // be before the first round: PATCH can come while PROFILE waits for its acknowledgement).
    assert_eq!(device.peek(unit.done_flag, 4).unwrap(), 1u32.to_le_bytes());
    assert_eq!(
        device.peek(unit.done, unit.done_code.len()).unwrap(),
        unit.done_code
    );
}

#[test]
fn a_patch_is_installed_in_the_middle_of_a_call() {
    let (mut device, unit) = start(|l| l);
    patched_call(&mut device, &unit);
    // Once more: the device is ready for the next one.
    patched_call(&mut device, &unit);

    // Between calls: SWAP with the old value finds the new one and writes nothing.
    let swap = Swap {
        addr: unit.slot,
        expected: unit.count,
        new: 0,
    };
    assert_eq!(
        device.swap(&swap).unwrap(),
        SwapResult::Mismatch { found: unit.done }
    );
    let back = Swap {
        expected: unit.done,
        new: unit.count,
        ..swap
    };
    assert_eq!(device.swap(&back).unwrap(), SwapResult::Swapped);
    assert_eq!(
        device.peek(unit.slot, 8).unwrap(),
        u64::from(unit.count).to_le_bytes()
    );
    // A word outside the data region, or not aligned, is refused; so is a PEEK outside the
    // code and data regions.
    for addr in [unit.slot + 2, unit.entry, 4] {
        match device.swap(&Swap { addr, ..swap }) {
            Err(LinkError::Refused { request, error }) => {
                assert_eq!(request, Kind::Swap);
                assert_eq!(error.error_code(), ErrorCode::LoadRange);
                assert_eq!(error.address, addr);
            }
            other => panic!("SWAP at 0x{addr:08x}: {other:?}"),
        }
    }
    let info = *device.info();
    match device.peek(info.heap.base, 4) {
        Err(LinkError::Refused { request, error }) => {
            assert_eq!(request, Kind::Peek);
            assert_eq!(error.error_code(), ErrorCode::LoadRange);
        }
        other => panic!("PEEK in the heap: {other:?}"),
    }
    // A PEEK over a whole chunk and more, across code bytes.
    let entry_len = (unit.count - unit.entry) as usize;
    assert_eq!(
        device.peek(info.code.base, entry_len).unwrap(),
        unit.code[..entry_len]
    );
    let big = device.peek(info.data.base, 3000).unwrap();
    // The profile record, as loaded.
    assert_eq!(&big[16..unit.data.len()], &unit.data[16..]);
}

#[test]
fn an_interrupt_stops_a_paused_call() {
    let (mut device, unit) = start(|l| l);
    reset_data(&mut device, &unit);
    // This entry pauses again and again without PATCH: the host installs the patch at the
    // first pause and resumes the others at once, and an INTERRUPT comes while the device
    // spends most of its time paused.
    let interrupter = device.interrupter().clone();
    let asker = interrupter.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        asker.interrupt();
    });
    let mut patch = the_patch(&unit);
    patch.loads = (0..40)
        .map(|i| (unit.done + 0x400 + i * 0x400, vec![0xCC; 0x400]))
        .chain(patch.loads)
        .collect();
    let mut events = Events {
        profiles: vec![ProfileReport {
            record: 0,
            row: None,
            sig: vec![],
        }],
        to_give: Some(patch.clone()),
        ..Events::default()
    };
    let started = Instant::now();
    let outcome = device
        .call_with(unit.pause_entry, &mut events)
        .expect("the call");
    match outcome {
        CallOutcome::Failed(e) => assert_eq!(e.error_code(), ErrorCode::Interrupted),
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(!interrupter.is_requested());
    assert_eq!(
        events.patched,
        [(patch, PatchResult::Installed(vec![SwapResult::Swapped]))]
    );
    assert_eq!(
        device.peek(unit.done, unit.done_code.len()).unwrap(),
        unit.done_code
    );
    // The link is not wedged: the next call runs.
    patched_call(&mut device, &unit);
}

#[test]
fn patches_survive_a_lossy_link() {
    let stats = Arc::new(Mutex::new(Default::default()));
    let rates = FaultRates {
        drop: 0.05,
        corrupt: 0.05,
        duplicate: 0.05,
        delay: 0.05,
        max_delay: Duration::from_millis(30),
        seed: 7,
    };
    let stats2 = Arc::clone(&stats);
    let (mut device, unit) = start(move |l| FaultLink::with_stats(l, rates, stats2));
    for _ in 0..8 {
        patched_call(&mut device, &unit);
    }
    let faults = *stats.lock().unwrap();
    eprintln!("faults: {faults:?}; link: {:?}", device.stats());
    assert!(
        faults.dropped > 0 && faults.corrupted > 0 && faults.duplicated > 0 && faults.delayed > 0
    );
    assert!(device.stats().retransmissions > 0, "the link lost frames");
}

#[test]
fn a_paired_device_authenticates_the_new_requests() {
    let key = Key::from_bytes(core::array::from_fn(|i| 0x5A ^ i as u8));
    let (mut device, unit) = start_image(|l| l, Some(&key), Some(key.clone()));
    assert!(device.info().auth.is_some(), "the keyed image is paired");
    // LOAD, SWAP, PEEK and RESUME while paused, SWAP and PEEK between calls: all authenticated.
    patched_call(&mut device, &unit);
    patched_call(&mut device, &unit);

    // A host without the key is refused, for the new requests as for the others.
    let (mut stranger, unit) = start_image(|l| l, Some(&key), None);
    let swap = Swap {
        addr: unit.slot,
        expected: 0,
        new: 1,
    };
    match stranger.swap(&swap) {
        Err(LinkError::Unauthorized {
            request, refusal, ..
        }) => {
            assert_eq!(request, Kind::Swap);
            assert_eq!(refusal, Some(AuthRefusal::Missing));
        }
        other => panic!("{other:?}"),
    }
    match stranger.peek(unit.slot, 4) {
        Err(LinkError::Unauthorized { request, .. }) => assert_eq!(request, Kind::Peek),
        other => panic!("{other:?}"),
    }
}

/// The protocol by hand, for what the client never sends: requests a paused device refuses.
struct Raw {
    link: ProcessLink,
    deframer: Deframer,
    seq: u8,
}

impl Raw {
    /// Sends `request` with the next seq; returns that seq.
    fn send(&mut self, request: &Request) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        let bytes = encode_frame(&request.encode(self.seq)).unwrap();
        self.link.send(&bytes).unwrap();
        self.seq
    }
    /// Sends a frame as it is.
    fn send_frame(&mut self, frame: &Frame) {
        self.link.send(&encode_frame(frame).unwrap()).unwrap();
    }
    /// The next reply (acknowledged), skipping DEVICE_ACKs.
    fn reply(&mut self) -> Frame {
        self.next_within(Duration::from_secs(10), false)
            .expect("a reply")
    }
    /// The next frame within `wait`: a reply (acknowledged), or with `acks`, a DEVICE_ACK too.
    fn next_within(&mut self, wait: Duration, acks: bool) -> Option<Frame> {
        let deadline = Instant::now() + wait;
        let mut buf = [0u8; 2048];
        loop {
            while let Some(frame) = self.deframer.next_frame() {
                let frame = frame.expect("a clean pipe");
                if frame.kind == Kind::DeviceAck.code() {
                    if acks {
                        return Some(frame);
                    }
                    continue;
                }
                let ack = encode_frame(&Request::Ack.encode(frame.seq)).unwrap();
                self.link.send(&ack).unwrap();
                return Some(frame);
            }
            if Instant::now() >= deadline {
                return None;
            }
            let n = self.link.recv(&mut buf, Duration::from_millis(20)).unwrap();
            self.deframer.push(&buf[..n]);
        }
    }
    /// Sends `request` and returns its reply, which must answer it.
    fn ask(&mut self, request: &Request) -> Reply {
        let seq = self.send(request);
        let frame = self.reply();
        assert_eq!(frame.reply_to, seq, "{request:?}");
        Reply::decode(&frame).unwrap()
    }
}

fn refused(reply: Reply, code: ErrorCode, what: &str) {
    match reply {
        Reply::Error(e) => assert_eq!(e.error_code(), code, "{what}: {e:?}"),
        other => panic!("{what}: {other:?}"),
    }
}

#[test]
fn a_paused_device_serves_only_the_requests_of_a_patch() {
    let (image, [wanted, report, point]) = runtime();
    let mut raw = Raw {
        link: ProcessLink::spawn(&image, std::iter::empty::<&str>()).unwrap(),
        deframer: Deframer::new(),
        seq: 0,
    };
    let info = match raw.ask(&Request::Hello {
        version: PROTOCOL_VERSION,
        host: 0x1234_5678,
    }) {
        Reply::HelloReply(info) => info,
        other => panic!("{other:?}"),
    };
    let unit = unit(&info, wanted, report, point);
    let load = |addr: u32, bytes: &[u8]| Request::Load {
        addr,
        bytes: bytes.to_vec(),
    };
    assert!(matches!(
        raw.ask(&load(info.code.base, &unit.code)),
        Reply::Ok { .. }
    ));
    assert!(matches!(
        raw.ask(&load(unit.slot, &unit.data)),
        Reply::Ok { .. }
    ));
    // Not paused: RESUME is refused.
    refused(
        raw.ask(&Request::Resume),
        ErrorCode::BadMessage,
        "RESUME between calls",
    );

    let call = raw.send(&Request::Call {
        entry: unit.pause_once,
        loads: vec![],
    });
    let paused = raw.reply();
    assert_eq!(paused.reply_to, call);
    assert_eq!(Reply::decode(&paused), Ok(Reply::Paused));
    // While paused: no CALL, HELLO or RESET.
    let again = Request::Call {
        entry: unit.entry,
        loads: vec![],
    };
    refused(raw.ask(&again), ErrorCode::BadMessage, "CALL while paused");
    let hello = Request::Hello {
        version: PROTOCOL_VERSION,
        host: 0x1234_5678,
    };
    refused(raw.ask(&hello), ErrorCode::BadMessage, "HELLO while paused");
    refused(
        raw.ask(&Request::Reset),
        ErrorCode::BadMessage,
        "RESET while paused",
    );
    // LOAD, SWAP, PEEK and MEMINFO (with a collection, which scans the paused call's stack).
    assert!(matches!(
        raw.ask(&load(unit.done, &unit.done_code)),
        Reply::Ok { .. }
    ));
    let swap = Request::Swap {
        addr: unit.slot,
        expected: unit.count,
        new: unit.done,
    };
    assert!(matches!(raw.ask(&swap), Reply::Ok { kind } if kind == Kind::Swap.code()));
    match raw.ask(&swap) {
        Reply::Error(e) => {
            assert_eq!(e.error_code(), ErrorCode::SwapMismatch);
            assert_eq!((e.address, e.detail1), (unit.slot, unit.done));
        }
        other => panic!("{other:?}"),
    }
    let peek = Request::Peek {
        addr: unit.done,
        len: unit.done_code.len() as u16,
    };
    assert_eq!(
        raw.ask(&peek),
        Reply::PeekReply {
            bytes: unit.done_code.clone()
        }
    );
    let too_long = Request::Peek {
        addr: info.data.base,
        len: info.max_payload - 3,
    };
    refused(
        raw.ask(&too_long),
        ErrorCode::BadMessage,
        "PEEK longer than a reply",
    );
    assert!(matches!(
        raw.ask(&Request::MemInfo { collect: true }),
        Reply::MemInfo(_)
    ));
    // RESUME: OK, then the call goes on and ends.
    let resume = raw.send(&Request::Resume);
    let ok = raw.reply();
    assert_eq!(ok.reply_to, resume);
    assert_eq!(
        Reply::decode(&ok),
        Ok(Reply::Ok {
            kind: Kind::Resume.code()
        })
    );
    let end = raw.reply();
    assert_eq!(end.reply_to, call);
    assert!(matches!(Reply::decode(&end), Ok(Reply::Result { .. })));
    refused(
        raw.ask(&Request::Resume),
        ErrorCode::BadMessage,
        "RESUME after the call",
    );
}

#[test]
fn an_interrupt_ends_a_pause_and_the_end_waits_for_its_own_ack() {
    let (image, [wanted, report, point]) = runtime();
    let mut raw = Raw {
        link: ProcessLink::spawn(&image, std::iter::empty::<&str>()).unwrap(),
        deframer: Deframer::new(),
        seq: 0,
    };
    let info = match raw.ask(&Request::Hello {
        version: PROTOCOL_VERSION,
        host: 0x0BAD_CAFE,
    }) {
        Reply::HelloReply(info) => info,
        other => panic!("{other:?}"),
    };
    let unit = unit(&info, wanted, report, point);
    let code = Request::Load {
        addr: info.code.base,
        bytes: unit.code.clone(),
    };
    assert!(matches!(raw.ask(&code), Reply::Ok { .. }));
    let call = raw.send(&Request::Call {
        entry: unit.pause_once,
        loads: vec![],
    });
    assert_eq!(Reply::decode(&raw.reply()), Ok(Reply::Paused));
    // INTERRUPT, and at once the patch's next request, before the host could know that the
    // call ended. The device stops the call without RESUME.
    raw.send_frame(&Request::Interrupt.encode(call));
    raw.seq = raw.seq.wrapping_add(1);
    let meminfo = Request::MemInfo { collect: false }.encode(raw.seq);
    raw.send_frame(&meminfo);
    let end = raw.reply();
    assert_eq!(end.reply_to, call, "the call's end");
    match Reply::decode(&end) {
        Ok(Reply::Error(e)) => assert_eq!(e.error_code(), ErrorCode::Interrupted),
        other => panic!("{other:?}"),
    }
    // The request that came while the end waited for its ACK was not taken (not even
    // acknowledged), so the end was not taken as acknowledged by it.
    // (A repetition of the end, when this side was slow to acknowledge it, may come.)
    let until = Instant::now() + Duration::from_millis(300);
    while let Some(f) = raw.next_within(until.saturating_duration_since(Instant::now()), true) {
        let about_meminfo = f.seq == meminfo.seq || f.reply_to == meminfo.seq;
        assert!(f.reply_to == call || !about_meminfo, "{f:?}");
    }
    // Sent again, it is carried out.
    raw.send_frame(&meminfo);
    let reply = raw.reply();
    assert_eq!(reply.reply_to, meminfo.seq);
    assert!(matches!(Reply::decode(&reply), Ok(Reply::MemInfo(_))));
}
