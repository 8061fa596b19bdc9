//! `bscript board list`, `bscript board info`, and `--port`: a session with a device that is
//! already running on a serial port (here QEMU with its UART on a pseudo-terminal, as a board
//! would be on /dev/ttyACM0). The QEMU tests are skipped, with a message, when
//! `qemu-system-arm` or `arm-none-eabi-gcc` is not installed; QEMU is killed at the end of each.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const QEMU_TARGET: &str = "qemu-mps2-an385";

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// QEMU running the target's runtime image with its UART on a pseudo-terminal; killed on drop.
struct PtyQemu {
    child: Child,
    pty: String,
}

impl PtyQemu {
    fn start() -> Option<PtyQemu> {
        PtyQemu::start_target(QEMU_TARGET)
    }

    /// QEMU as the target's port table entry describes its machine.
    fn start_target(target: &str) -> Option<PtyQemu> {
        for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
            if !common::installed(tool) {
                eprintln!("skipped: {tool} is not installed");
                return None;
            }
        }
        let image = bs_session::board::runtime_image(target, &Default::default())
            .expect("the runtime image builds");
        let port = bs_toolchain::port(target).expect("a known target");
        let bs_toolchain::Launch::Qemu(machine) = port.launch else {
            panic!("{target} does not run in QEMU");
        };
        let mut child = Command::new(machine.program)
            .args(["-M", machine.machine, "-cpu", machine.cpu, "-kernel"])
            .arg(&image)
            .args([
                "-nographic",
                "-monitor",
                "none",
                "-semihosting-config",
                "enable=on,target=native",
                "-serial",
                "pty",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("QEMU starts");
        let (tx, rx) = mpsc::channel();
        let streams: [Option<Box<dyn Read + Send>>; 2] = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ];
        for stream in streams.into_iter().flatten() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut qemu = PtyQemu {
            child,
            pty: String::new(),
        };
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
            if let Some(rest) = line.split("redirected to ").nth(1) {
                qemu.pty = rest.split_whitespace().next().unwrap_or("").to_owned();
                break;
            }
        }
        assert!(
            qemu.pty.starts_with("/dev/"),
            "QEMU did not name its pseudo-terminal"
        );
        Some(qemu)
    }
}

impl Drop for PtyQemu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn board_list_shows_the_targets_and_their_budgets() {
    let (code, out, err) = run(&["board", "list"]);
    assert_eq!(code, 0, "{err}");
    for word in [
        "targets:",
        "host",
        QEMU_TARGET,
        "heap 32 KiB",
        "serial ports:",
    ] {
        assert!(out.contains(word), "board list lacks {word}:\n{out}");
    }
}

#[test]
fn board_info_on_the_host_device() {
    let (code, out, err) = run(&["board", "info"]);
    assert_eq!(code, 0, "{err}");
    let version = format!("protocol version: {}", bs_protocol::PROTOCOL_VERSION);
    for word in [
        version.as_str(),
        "runtime build id: ",
        "session id: 0x",
        "architecture: x86-64",
        "code region: 0x",
        "data region: 0x",
        "heap region: 0x",
        "heap: 0 of ",
        "code: 0 of ",
    ] {
        assert!(out.contains(word), "board info lacks {word}:\n{out}");
    }
    let id = out
        .lines()
        .find_map(|l| l.strip_prefix("runtime build id: "))
        .unwrap();
    assert!(
        id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
}

#[test]
fn memory_sets_the_regions_of_the_host_device() {
    let (code, out, err) = run(&["--memory", "heap=3M,code=512K", "board", "info"]);
    assert_eq!(code, 0, "{err}");
    for word in ["(512 KiB)", "data region: 0x", "(3072 KiB)"] {
        assert!(out.contains(word), "board info lacks {word}:\n{out}");
    }
    // What cannot be built is refused before anything starts, with the reason.
    for (layout, reason) in [
        ("stack=64K", "stack of the host device cannot be changed"),
        ("code=8M", "at most 4096K"),
        ("heap=1.5M", "whole number"),
        ("rom=4K", "stack, code, data or heap"),
        ("stack=4K", "the stack must be at least 5K"),
    ] {
        let (code, _, err) = run(&["--memory", layout, "board", "info"]);
        assert_ne!(code, 0, "--memory {layout} was accepted");
        assert!(err.contains(reason), "--memory {layout}: {err}");
    }
}

/// 200 arrays of 100 integers, all alive at the end: about 82 KB of heap.
const BIG_PROGRAM: &str = "\
const rows = new Array<integer[]>(200, [])
for (let i = 0; i < 200; i++) {
  const row = new Array<integer>(100, 0)
  for (let j = 0; j < 100; j++) row[j] = i * j
  rows[i] = row
}
let sum = 0
for (let i = 0; i < 200; i++) for (let j = 0; j < 100; j++) sum += rows[i][j]
print(sum)
";

#[test]
fn memory_gives_a_qemu_board_a_larger_heap() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("bscript-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.bs");
    std::fs::write(&file, BIG_PROGRAM).unwrap();
    let file = file.to_str().unwrap();
    let (code, _, err) = run(&["--target", QEMU_TARGET, "run", file]);
    assert_ne!(code, 0, "82 KB fit the default 32 KB heap?");
    assert!(err.contains("memory exhausted"), "{err}");
    let (code, out, err) = run(&[
        "--target",
        QEMU_TARGET,
        "--memory",
        "heap=256K",
        "run",
        file,
    ]);
    assert_eq!((code, out.as_str()), (0, "98505000\n"), "{err}");
    let (code, _, err) = run(&[
        "--target",
        QEMU_TARGET,
        "--memory",
        "heap=8M",
        "board",
        "info",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("at most 4068K"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The smallest stack `--memory` accepts runs `print(1)` and a few nested calls on QEMU.
#[test]
fn the_smallest_stack_runs_a_small_program_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("bscript-stack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("nested.bs");
    std::fs::write(
        &file,
        "print(1)\n\
         function a(x: integer): integer { return x + 1 }\n\
         function b(x: integer): integer { return a(x) * 2 }\n\
         function c(x: integer): integer { return b(x) + a(x) }\n\
         print('n=' + c(3))\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (code, out, err) = run(&["--target", QEMU_TARGET, "--memory", "stack=5K", "run", file]);
    assert_eq!((code, out.as_str()), (0, "1\nn=12\n"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn baud_needs_a_port() {
    let (code, _, err) = run(&["--baud", "9600", "board", "info"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--port"), "{err}");
}

#[test]
fn a_missing_serial_port_is_a_device_failure() {
    let (code, _, err) = run(&["--port", "/dev/bscript-no-such-port", "board", "info"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("/dev/bscript-no-such-port"), "{err}");
}

#[test]
fn run_on_a_device_on_a_serial_port() {
    let Some(qemu) = PtyQemu::start() else { return };
    let dir = std::env::temp_dir().join(format!("bscript-board-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("answer.bs");
    std::fs::write(&file, "print(6 * 7)\n").unwrap();
    let file = file.to_str().unwrap();

    let (code, out, err) = run(&["--target", QEMU_TARGET, "--port", &qemu.pty, "run", file]);
    assert_eq!((code, out.as_str()), (0, "42\n"), "{err}");

    // The same device again, for another session: board info sees it fresh.
    let (code, out, err) = run(&[
        "--target",
        QEMU_TARGET,
        "--port",
        &qemu.pty,
        "board",
        "info",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("architecture: Thumb-2"), "{out}");
    assert!(out.contains(&qemu.pty), "{out}");

    // The host links against the host runtime: the handshake refuses the QEMU device.
    let (code, _, err) = run(&["--target", "host", "--port", &qemu.pty, "run", file]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("build id"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_on_an_stm32f405_on_a_serial_port() {
    let Some(qemu) = PtyQemu::start_target("stm32f405") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("bscript-board-f4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("float.bs");
    std::fs::write(&file, "let x: float = 1.5\nprint(x * 4.0)\n").unwrap();
    let file = file.to_str().unwrap();
    let (code, out, err) = run(&["--target", "stm32f405", "--port", &qemu.pty, "run", file]);
    assert_eq!((code, out.as_str()), (0, "6.000000\n"), "{err}");
    // The Cortex-M3's image is another build: the handshake refuses the device.
    let (code, _, err) = run(&["--target", QEMU_TARGET, "--port", &qemu.pty, "run", file]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("build id"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder holding only the ARM compiler and objcopy (as links), for a PATH on which no
/// flashing tool is found whatever this computer has installed.
fn path_without_flash_tools(dir: &std::path::Path) -> Option<String> {
    std::fs::create_dir_all(dir).unwrap();
    for tool in ["arm-none-eabi-gcc", "arm-none-eabi-objcopy"] {
        let found = std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())?;
        let link = dir.join(tool);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(found, link).unwrap();
    }
    Some(dir.display().to_string())
}

#[test]
fn board_flash_without_a_tool_says_what_to_install_and_run() {
    if !common::installed("arm-none-eabi-gcc") {
        eprintln!("skipped: arm-none-eabi-gcc is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("bscript-flash-{}", std::process::id()));
    let Some(path) = path_without_flash_tools(&dir.join("bin")) else {
        eprintln!("skipped: arm-none-eabi-objcopy is not installed");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(["--target", "stm32f405", "board", "flash"])
        .current_dir(&dir)
        .env("PATH", &path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.contains("no flashing tool is installed"), "{stdout}");
    // The raw binary it made, and the exact command lines, address included.
    let bin = stdout
        .lines()
        .find_map(|l| l.strip_prefix("raw binary for address 0x08000000: "))
        .and_then(|l| l.split(" (").next())
        .expect("the binary's path")
        .to_owned();
    let bytes = std::fs::read(&bin).expect("the raw binary exists");
    assert!(
        bytes.len() > 4096 && bytes.len() <= 36 * 1024,
        "{}",
        bytes.len()
    );
    // Its first words are the reset vector: the stack top in SRAM, a Thumb address in flash.
    let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    assert_eq!(word(0) & 0xFFF0_0000, 0x2000_0000, "{:08x}", word(0));
    assert_eq!(word(4) & 0xFFF0_0001, 0x0800_0001, "{:08x}", word(4));
    for line in [
        "sudo apt-get install stlink-tools".to_owned(),
        format!("st-flash --reset write {bin} 0x08000000"),
        "sudo apt-get install dfu-util".to_owned(),
        format!("dfu-util -a 0 -s 0x08000000:leave -D {bin}"),
        "sudo apt-get install openocd".to_owned(),
        "openocd -f interface/stlink.cfg -f target/stm32f4x.cfg -c 'program ".to_owned(),
    ] {
        assert!(stdout.contains(&line), "{line} missing in:\n{stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // A target without a board to flash says so.
    let (code, _, err) = run(&["--target", QEMU_TARGET, "board", "flash"]);
    assert_ne!(code, 0, "{err}");
    assert!(
        err.contains(
            "the qemu-mps2-an385 target has no board to flash (targets with one: stm32f405)"
        ),
        "{err}"
    );
}
