//! The device refuses a LOAD that does not lie wholly inside its code region or its data region,
//! and a CALL of an address outside its code region (docs/protocol.md, section 3), on the real
//! host runtime process and on `qemu-mps2-an385` (skipped, with a message, without QEMU or the
//! Arm compiler). Loads at the very edges of both regions are taken; a refused request changes
//! nothing, and the device goes on answering. The same holds for the segments a CALL carries.

use std::time::Duration;

use bs_protocol::{ErrorCode, Kind, MemInfo};
use bs_session::{DeviceHandle, SessionError};
use bs_transport::{CallOutcome, LinkError};

fn start(target: &str) -> Option<(DeviceHandle, bs_protocol::DeviceInfo)> {
    let port = bs_toolchain::port(target).expect("known target");
    if target != "host" {
        for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
            if bs_session::find_program(tool).is_none() {
                eprintln!("skipped: {tool} is not installed");
                return None;
            }
        }
    }
    let runtime = bs_toolchain::ensure_runtime(port).expect("the runtime builds");
    let elf = std::fs::read(&runtime.image).expect("the runtime image");
    let image = bs_link::read_runtime_elf(&elf).expect("a runtime image");
    let started = DeviceHandle::start(
        port.launch,
        runtime.image.clone(),
        Duration::from_secs(10),
        &image,
        bs_session::LinkShaping::default(),
        false,
        None,
    );
    Some(started.expect("the device starts"))
}

/// The device's error code for a refused LOAD.
fn load_refused(device: &mut DeviceHandle, addr: u32, len: usize) -> ErrorCode {
    match device.load(addr, &vec![0xA5; len]) {
        Err(SessionError::Link(LinkError::Refused { request, error })) => {
            assert_eq!(request, Kind::Load);
            error.error_code()
        }
        other => panic!("LOAD of {len} bytes at 0x{addr:08x} was not refused: {other:?}"),
    }
}

fn call_refused(device: &mut DeviceHandle, entry: u32) -> ErrorCode {
    match device.call(entry, &mut |_, _| {}) {
        Ok(CallOutcome::Failed(error)) => error.error_code(),
        Err(SessionError::Link(LinkError::Refused { error, .. })) => error.error_code(),
        other => panic!("CALL of 0x{entry:08x} was not refused: {other:?}"),
    }
}

fn check(target: &str) {
    let Some((mut device, info)) = start(target) else {
        return;
    };
    let (code, data, heap) = (info.code, info.data, info.heap);
    let code_end = code.base + code.size;
    let data_end = data.base + data.size;
    let before: MemInfo = device.meminfo(false).expect("MEMINFO");

    // Around the edges of both regions: a load is taken only when it lies wholly inside one of
    // them (on some ports data follows code directly; a load across that border is refused too).
    let inside = |r: &bs_protocol::Region, addr: u32, len: usize| {
        u64::from(addr) >= u64::from(r.base)
            && u64::from(addr) + len as u64 <= u64::from(r.base) + u64::from(r.size)
    };
    let candidates: Vec<(u32, usize)> = vec![
        (0, 4),
        (code.base - 1, 2),
        (code.base - 4, 4),
        (code_end - 2, 4),
        (code_end, 1),
        (data.base - 1, 2),
        (data_end - 1, 2),
        (data_end, 4),
        (heap.base, 4),
        (heap.base + heap.size - 4, 4),
        (0xFFFF_FFF0, 16),
    ];
    let mut refused = 0;
    for (addr, len) in candidates {
        if inside(&code, addr, len) || inside(&data, addr, len) {
            continue;
        }
        assert_eq!(load_refused(&mut device, addr, len), ErrorCode::LoadRange);
        refused += 1;
    }
    assert!(refused >= 8, "only {refused} loads were outside");
    let after = device.meminfo(false).expect("MEMINFO after refused loads");
    assert_eq!(
        (after.code_used, after.data_used),
        (before.code_used, before.data_used),
        "a refused LOAD moved the high-water marks"
    );

    // The edges themselves are inside.
    device
        .load(code.base, &[0; 4])
        .expect("LOAD at the start of code");
    device
        .load(code_end - 4, &[0; 4])
        .expect("LOAD at the end of code");
    device
        .load(data.base, &[0; 4])
        .expect("LOAD at the start of data");
    device
        .load(data_end - 4, &[0; 4])
        .expect("LOAD at the end of data");
    let loaded = device.meminfo(false).expect("MEMINFO after loads");
    assert_eq!((loaded.code_used, loaded.data_used), (code.size, data.size));

    for entry in [
        0,
        code.base - 1,
        code_end,
        code_end + 1,
        data.base,
        data_end - 4,
        heap.base,
        0xFFFF_FFFF,
    ] {
        assert_eq!(
            call_refused(&mut device, entry),
            ErrorCode::CallRange,
            "CALL 0x{entry:08x}"
        );
    }
    device.meminfo(false).expect("the device still answers");

    // A CALL's segments: one outside the regions refuses the CALL before anything is written.
    device.load(data.base, &[0xAA; 24]).expect("LOAD of data");
    let segments_refused = |device: &mut DeviceHandle, loads: &[(u32, &[u8])]| match device
        .load_and_call(loads, code.base, &mut OutputOnly)
    {
        Ok(CallOutcome::Failed(error)) => error.error_code(),
        other => panic!("a CALL with segments {loads:x?} was not refused: {other:?}"),
    };
    let inside: &[u8] = &[1, 2, 3, 4];
    for outside in [(heap.base, &[5u8; 4][..]), (data_end - 2, &[0u8; 8][..])] {
        assert_eq!(
            segments_refused(&mut device, &[(data.base, inside), outside]),
            ErrorCode::LoadRange
        );
    }
    assert_eq!(device.peek(data.base, 4).expect("PEEK"), [0xAA; 4]);
    // Bytes and zeros both land, and then the call runs (code that returns at once).
    let (ret, entry): (&[u8], u32) = if target == "host" {
        (&[0xC3], code.base) // ret
    } else {
        (&[0x70, 0x47], code.base | 1) // bx lr
    };
    let outcome = device
        .load_and_call(
            &[
                (code.base, ret),
                (data.base, &[7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ],
            entry,
            &mut OutputOnly,
        )
        .expect("the CALL with segments");
    assert!(
        matches!(outcome, CallOutcome::Finished { .. }),
        "{outcome:?}"
    );
    let mut expected = vec![7];
    expected.extend([0; 15]);
    expected.extend([0xAA; 8]);
    assert_eq!(device.peek(data.base, 24).expect("PEEK"), expected);
}

/// Call events that drop the output.
struct OutputOnly;

impl bs_transport::CallEvents for OutputOnly {
    fn output(&mut self, _: u8, _: &[u8]) {}
    fn profile(&mut self, _: bs_transport::ProfileReport) {}
    fn patch(&mut self) -> Option<bs_transport::Patch> {
        None
    }
    fn patched(&mut self, _: bs_transport::Patch, _: bs_transport::PatchResult) {}
}

#[test]
fn host_device_refuses_loads_and_calls_outside_its_regions() {
    check("host");
}

#[test]
fn qemu_device_refuses_loads_and_calls_outside_its_regions() {
    check("qemu-mps2-an385");
}
