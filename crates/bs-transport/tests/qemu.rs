//! The dynamic compiler's device side on `qemu-mps2-an385` (a Cortex-M3 under QEMU, spoken to
//! over its UART on a loopback TCP socket): the same unit as `tests/runtime.rs`, in Thumb-2
//! assembly (assembled by `arm-none-eabi-as`), reports a profile and loops through a function
//! slot until a patch, installed while the call runs, ends the loop. There PATCH is seen by the
//! UART's receive interrupt and the pause reads the link through the port's ring. Skipped, with
//! a message, without QEMU or the Arm tools.

#![cfg(target_os = "linux")]

use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::OwnedFd;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bs_transport::{
    CallEvents, CallOutcome, Device, Patch, PatchResult, ProfileReport, Swap, SwapResult, TcpLink,
};

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// QEMU, killed when the test ends.
struct Qemu(Child);

impl Drop for Qemu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Assembles Thumb-2 `source` and returns the bytes of its text.
fn assemble(source: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("bs-transport-qemu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (s, o, bin) = (dir.join("unit.s"), dir.join("unit.o"), dir.join("unit.bin"));
    std::fs::write(&s, source).unwrap();
    let ok = Command::new("arm-none-eabi-as")
        .args(["-mcpu=cortex-m3", "-mthumb", "-o"])
        .arg(&o)
        .arg(&s)
        .status()
        .unwrap();
    assert!(ok.success(), "the unit assembles");
    let ok = Command::new("arm-none-eabi-objcopy")
        .args(["-O", "binary", "-j", ".text"])
        .arg(&o)
        .arg(&bin)
        .status()
        .unwrap();
    assert!(ok.success());
    let bytes = std::fs::read(&bin).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

struct Events {
    profiles: Vec<ProfileReport>,
    to_give: Option<Patch>,
    patched: Vec<(Patch, PatchResult)>,
}

impl CallEvents for Events {
    fn output(&mut self, _stream: u8, _text: &[u8]) {}
    fn profile(&mut self, report: ProfileReport) {
        self.profiles.push(report);
    }
    fn patch(&mut self) -> Option<Patch> {
        if self.profiles.is_empty() {
            None
        } else {
            self.to_give.take()
        }
    }
    fn patched(&mut self, patch: Patch, result: PatchResult) {
        self.patched.push((patch, result));
    }
}

#[test]
fn a_patch_is_installed_in_the_middle_of_a_call_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-as", "arm-none-eabi-gcc"] {
        if !installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let port = bs_toolchain::port("qemu-mps2-an385").expect("the port");
    let bs_toolchain::Launch::Qemu(machine) = port.launch else {
        panic!("a QEMU port");
    };
    let build = bs_toolchain::ensure_runtime(port).expect("the runtime builds");
    let elf = std::fs::read(&build.image).unwrap();
    let image = bs_link::read_runtime_elf(&elf).expect("a runtime image");
    let sym = |name: &str| image.symbol(name).unwrap_or_else(|| panic!("{name}"));

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let child = Command::new(machine.program)
        .args(["-M", machine.machine, "-cpu", machine.cpu, "-kernel"])
        .arg(&build.image)
        .args([
            "-nographic",
            "-monitor",
            "none",
            "-semihosting-config",
            "enable=on,target=native",
            "-chardev",
            "socket,id=link,fd=0,server=on,wait=on,nodelay=on",
            "-serial",
            "chardev:link",
        ])
        .stdin(Stdio::from(OwnedFd::from(listener)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("QEMU starts");
    let _qemu = Qemu(child);
    let link = TcpLink::connect(addr, Duration::from_secs(10)).expect("QEMU's UART");
    let (mut device, info) = Device::connect(link, Duration::from_secs(10)).expect("HELLO");

    let (c, d) = (info.code.base, info.data.base);
    let (slot, counter, done_flag, record) = (d, d + 8, d + 12, d + 16);
    let (count, done) = (c + 0x80, c + 0x100);
    let source = format!(
        "    .syntax unified
    .thumb
    .text
    .equ RECORD, {record:#x}
    .equ REPORT, {report:#x}
    .equ WANTED, {wanted:#x}
    .equ PATCH_POINT, {point:#x}
    .equ SLOT, {slot:#x}
    .equ COUNTER, {counter:#x}
    .equ DONE_FLAG, {done_flag:#x}
entry:
    push {{r4, lr}}
    ldr r0, =RECORD
    movs r1, #1
    ldr r3, =REPORT
    blx r3
1:  ldr r0, =WANTED
    ldrb r0, [r0]
    cmp r0, #0
    beq 2f
    ldr r3, =PATCH_POINT
    blx r3
2:  ldr r0, =SLOT
    ldr r0, [r0]
    blx r0
    ldr r0, =DONE_FLAG
    ldr r0, [r0]
    cmp r0, #0
    beq 1b
    pop {{r4, pc}}
    .ltorg
    .org 0x80
count:
    ldr r0, =COUNTER
    ldr r1, [r0]
    adds r1, #1
    str r1, [r0]
    bx lr
    .ltorg
    .org 0x100
done:
    ldr r0, =DONE_FLAG
    movs r1, #1
    str r1, [r0]
    bx lr
    .ltorg
",
        report = sym("bs_runtime_profile_report"),
        wanted = sym("bs_patch_wanted"),
        point = sym("bs_runtime_patch_point"),
    );
    let bytes = assemble(&source);
    let (code, done_code) = (bytes[..0x100].to_vec(), bytes[0x100..].to_vec());
    device.load(c, &code).expect("code");

    // Thumb function addresses carry bit 0.
    let mut data = vec![0u8; 16 + 76];
    data[..4].copy_from_slice(&(count | 1).to_le_bytes());
    let r = &mut data[16..];
    r[4] = bs_abi::PROFILE_REPORTED;
    r[5] = 2;
    r[6] = 1;
    r[7] = 2;
    let sig1 = 12 + 2 * bs_abi::PROFILE_MAX_ARGS;
    r[sig1..sig1 + 2].copy_from_slice(&bs_abi::SIG_FLOAT.to_le_bytes());
    r[sig1 + 2..sig1 + 4].copy_from_slice(&bs_abi::SIG_UNDEFINED.to_le_bytes());

    let patch = Patch {
        loads: vec![(done, done_code.clone())],
        swaps: vec![Swap {
            addr: slot,
            expected: count | 1,
            new: done | 1,
        }],
    };
    for _ in 0..3 {
        device.load(slot, &data).expect("data");
        let mut events = Events {
            profiles: Vec::new(),
            to_give: Some(patch.clone()),
            patched: Vec::new(),
        };
        let outcome = device.call_with(c | 1, &mut events).expect("the call");
        assert!(
            matches!(outcome, CallOutcome::Finished { .. }),
            "{outcome:?}"
        );
        assert_eq!(
            events.profiles,
            [ProfileReport {
                record,
                row: Some(1),
                sig: vec![bs_abi::SIG_FLOAT, bs_abi::SIG_UNDEFINED],
            }]
        );
        assert_eq!(
            events.patched,
            [(
                patch.clone(),
                PatchResult::Installed(vec![SwapResult::Swapped])
            )]
        );
        assert_eq!(device.peek(done_flag, 4).unwrap(), 1u32.to_le_bytes());
        assert_eq!(device.peek(done, done_code.len()).unwrap(), done_code);
    }
}
