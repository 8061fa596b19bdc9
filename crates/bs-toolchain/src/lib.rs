//! The toolchain driver: builds the device runtime image of a port from the C sources embedded
//! in this crate (once, into a cache keyed by their hash), and compiles each unit's C file into
//! a relocatable ELF object with the port's C compiler. Every external command goes through
//! [`run_tool`], which keeps the command line and its duration for diagnostics and benchmarks.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod config;
mod keyed;
mod layout;
mod libraries;
mod objects;
mod size;

pub use config::{port_config_value, port_config_value_with};
pub use keyed::{ensure_keyed_image, image_key_id, with_key};
pub use layout::{LayoutLimits, MemoryLayout};
pub use size::{ImageSize, image_size};

include!(concat!(env!("OUT_DIR"), "/runtime_files.rs"));

/// Errors of the toolchain driver.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    #[error("cannot run `{program}`: {source} (is it installed? scripts/setup.sh installs it)")]
    Spawn { program: String, source: io::Error },
    #[error("building the {port} runtime failed:\n{stderr}")]
    RuntimeBuild { port: String, stderr: String },
    #[error(
        "the {port} runtime does not fit its memory budget: {excess} ({size}); the budget is set \
         in runtime/ports/{port}/bs_port_config.h"
    )]
    OverBudget {
        port: String,
        excess: String,
        size: ImageSize,
    },
    #[error("{message}")]
    Layout { message: String },
    #[error("the C compiler rejected the generated code (a bug in bscript):\n{stderr}")]
    Compile { stderr: String },
    #[error("the C library for units: {message}")]
    Library { message: String },
    /// A C file of the project that the C compiler rejected; `stderr` names it by the path it
    /// was given.
    #[error("the C compiler rejected {}:\n{stderr}", path.display())]
    CFile { path: PathBuf, stderr: String },
    #[error("cannot link the project's C files together: {message}")]
    MergeCFiles { message: String },
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

fn io_err<'p>(
    action: &'static str,
    path: &'p Path,
) -> impl FnOnce(io::Error) -> ToolchainError + 'p {
    move |source| ToolchainError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// What the driver needs to know about a port of the runtime.
#[derive(Clone, Debug)]
pub struct Port {
    /// The port's folder under runtime/ports/, and the target's name.
    pub name: &'static str,
    /// The C compiler.
    pub cc: &'static str,
    /// Flags for building the runtime image (sources and output are added). They run in a folder
    /// holding `core/` and `ports/NAME/`, so a linker script is named relative to it.
    pub runtime_flags: &'static [&'static str],
    /// Libraries linked into the runtime image.
    pub runtime_libs: &'static [&'static str],
    /// Flags for compiling one unit to a relocatable object.
    pub unit_flags: &'static [&'static str],
    /// Static libraries (names for the C compiler's `-print-file-name`, searched in this order)
    /// whose members a unit may need beyond what the runtime image defines: they are merged
    /// into the unit (`libraries.rs`). Empty when the runtime image exports the C library itself.
    pub unit_libraries: &'static [&'static str],
    /// Whether the image carries a memory budget (the absolute symbols of [`ImageSize`]) that
    /// the build checks; the build fails when the image exceeds it.
    pub memory_budget: bool,
    /// How far a [`MemoryLayout`] may change the port's stack and regions; `None` when they are
    /// fixed.
    pub layout: Option<LayoutLimits>,
    /// How a device of this port starts.
    pub launch: Launch,
    /// How the runtime image is written to a real board (`bscript board flash`); `None` when
    /// the port has no board to write to.
    pub flash: Option<BoardFlash>,
}

/// How a port's runtime image goes onto a board's flash with the tools Debian ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardFlash {
    /// Where the image starts in the board's flash.
    pub address: u32,
    /// `binutils` objcopy of the port's toolchain, which turns the ELF image into the raw
    /// binary that `st-flash` and `dfu-util` write.
    pub objcopy: &'static str,
    /// OpenOCD's configuration file of the chip (`target/….cfg`).
    pub openocd_target: &'static str,
    /// Whether the chip's ROM bootloader speaks USB DFU (BOOT0 high at reset), for `dfu-util`.
    pub dfu: bool,
}

/// How a device starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Launch {
    /// The runtime image is a program of this machine, spoken to over its standard streams.
    Process,
    /// The runtime image runs in a QEMU system emulator, spoken to over a UART on a TCP socket.
    Qemu(QemuMachine),
}

/// A QEMU machine that runs a port's runtime image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QemuMachine {
    /// The emulator (`qemu-system-arm`).
    pub program: &'static str,
    /// The value of `-M`.
    pub machine: &'static str,
    /// The value of `-cpu`.
    pub cpu: &'static str,
}

/// Flags added after a port's unit flags to optimise a unit for size instead of speed.
pub const SIZE_FLAGS: &[&str] = &["-Os"];

/// The `host` port: a Linux process that behaves like a microcontroller.
pub const HOST: Port = Port {
    name: "host",
    cc: "gcc",
    runtime_flags: &[
        "-std=c11",
        "-O2",
        "-g",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-D_GNU_SOURCE",
        "-static",
        "-no-pie",
        "-fno-pie",
        "-fno-stack-protector",
        "-fcf-protection=none",
    ],
    runtime_libs: &["-lm"],
    unit_flags: &[
        "-std=gnu11",
        "-O2",
        // Line tables only (not loaded onto the device): bs-link reads them so that run-time
        // errors located by a code address name their source line.
        "-g1",
        "-fwrapv",
        "-fno-pic",
        "-fno-pie",
        "-mcmodel=small",
        "-fno-stack-protector",
        "-fcf-protection=none",
        "-fno-asynchronous-unwind-tables",
        "-fno-common",
        // Inline C that calls a function no header declared would get `int f()` and garbage
        // (e.g. `pow` when the `#include <math.h>` was in another REPL input).
        "-Werror=implicit-function-declaration",
        // Hosted, so that inline C's sqrtf and friends are builtins (instructions), and without
        // errno so that they need no libm call.
        "-fno-math-errno",
        // Keeps GCC from folding 0.0f - x into -x, which is wrong for x == 0 (the sign of zero).
        "-frounding-math",
        // Keeps endless recursion a stack overflow (an error at its source line) rather than
        // letting GCC turn a recursive call it can see into an endless loop.
        "-fno-optimize-sibling-calls",
        // Keeps GCC from turning a loop into a call of memset or memcpy (units reach glibc's
        // through the port's table of exports, bs_port_exports; short loops stay inline).
        "-fno-tree-loop-distribute-patterns",
        // The chunks of a long top level without loops run once: unoptimised code costs the
        // C compiler a tenth of -O2's time there, and the host has room for its size (bs-cgen,
        // `top_level_chunks`).
        "-DBS_ONCE_OPTIMIZE=\"O0\"",
        "-pipe",
    ],
    // The host runtime exports its C library functions itself (runtime/ports/host/exports.c):
    // glibc's static archives need indirect functions and thread-local storage.
    unit_libraries: &[],
    memory_budget: false,
    // The regions are mapped at fixed addresses (bs_port_config.h): the code region ends where
    // the data region starts, 4 MiB on, the data region 4 MiB further where the heap starts, and
    // the heap must end before the next place the regions may move to, 256 MiB on. The stack is
    // the main thread's.
    layout: Some(LayoutLimits {
        ram_kib: 256 * 1024,
        reserved: &[],
        max_kib: [Some(0), Some(4 * 1024), Some(4 * 1024), Some(248 * 1024)],
    }),
    launch: Launch::Process,
    flash: None,
};

/// The `qemu-mps2-an385` port: a Cortex-M3 (Thumb-2, no FPU) on QEMU's MPS2 AN385 board, with
/// the memory budget of a small microcontroller (runtime/ports/qemu-mps2-an385/bs_port_config.h).
/// The image is linked with the port's linker script against newlib-nano; its `exports.ld` forces
/// in the libgcc and libc helpers that compiled units call (soft float, division, `memcpy`, …).
pub const QEMU_MPS2_AN385: Port = Port {
    name: "qemu-mps2-an385",
    cc: "arm-none-eabi-gcc",
    runtime_flags: &[
        "-std=c11",
        "-Os",
        "-g",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-mcpu=cortex-m3",
        "-mthumb",
        "-mfloat-abi=soft",
        "-fno-common",
        "-specs=nano.specs",
        "-nostartfiles",
        "-Lports/qemu-mps2-an385",
        "-Tlink.ld",
        // Drops library code nothing uses; link.ld keeps all of the runtime's own (its C API).
        "-Wl,--gc-sections",
    ],
    runtime_libs: &["-lm"],
    unit_flags: &[
        "-std=gnu11",
        "-O2",
        // Line tables only (not loaded onto the device): bs-link reads them so that run-time
        // errors located by a code address name their source line.
        "-g1",
        "-fwrapv",
        "-mcpu=cortex-m3",
        "-mthumb",
        "-mfloat-abi=soft",
        "-fno-pic",
        "-fno-common",
        // Inline C that calls a function no header declared would get `int f()` and garbage
        // (e.g. `pow` when the `#include <math.h>` was in another REPL input).
        "-Werror=implicit-function-declaration",
        "-fno-math-errno",
        // Keeps GCC from folding 0.0f - x into -x, which is wrong for x == 0 (the sign of zero).
        "-frounding-math",
        // Keeps endless recursion a stack overflow (an error at its source line) rather than
        // letting GCC turn a recursive call it can see into an endless loop.
        "-fno-optimize-sibling-calls",
        "-ffreestanding",
        "-fno-unwind-tables",
        "-fno-asynchronous-unwind-tables",
        "-pipe",
    ],
    // Newlib-nano and libgcc, as the runtime image: what the image lacks (double-precision
    // math, `pow`, the double-precision soft-float helpers) comes with the unit that needs it.
    unit_libraries: &["libm.a", "libc_nano.a", "libgcc.a"],
    memory_budget: true,
    // The board's 4 MiB of SRAM, less the fault handlers' stack and the runtime's variables
    // (bs_port_config.h; the variables grow with the collector's mark stack when the heap is
    // large, so they are taken at their largest).
    layout: Some(LayoutLimits {
        ram_kib: 4096,
        reserved: &["BS_PORT_HANDLER_STACK_KIB", "BS_PORT_STATIC_KIB"],
        max_kib: [None; 4],
    }),
    launch: Launch::Qemu(QemuMachine {
        program: "qemu-system-arm",
        machine: "mps2-an385",
        cpu: "cortex-m3",
    }),
    // An FPGA board image, loaded by its own configuration files rather than flashed.
    flash: None,
};

/// The `stm32f405` port: an STM32F405 (Cortex-M4F: Thumb-2 with a single-precision FPU, floats
/// passed in FPU registers), run under QEMU's `netduinoplus2` machine over USART1, or on a board
/// (runtime/ports/stm32f405/README.md). The memory budget is the Cortex-M3 port's, within the
/// chip's 1 MiB of flash and 128 KiB of SRAM.
pub const STM32F405: Port = Port {
    name: "stm32f405",
    cc: "arm-none-eabi-gcc",
    runtime_flags: &[
        "-std=c11",
        "-Os",
        "-g",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-mcpu=cortex-m4",
        "-mthumb",
        "-mfloat-abi=hard",
        "-mfpu=fpv4-sp-d16",
        // No fused multiply-add (vfma): each float operation rounds to binary32 as on every
        // other device.
        "-ffp-contract=off",
        "-fno-common",
        "-specs=nano.specs",
        "-nostartfiles",
        "-Lports/stm32f405",
        "-Tlink.ld",
        "-Wl,--gc-sections",
    ],
    runtime_libs: &["-lm"],
    unit_flags: &[
        "-std=gnu11",
        "-O2",
        "-g1",
        "-fwrapv",
        // The runtime's ABI: float arguments and results in s0..s15.
        "-mcpu=cortex-m4",
        "-mthumb",
        "-mfloat-abi=hard",
        "-mfpu=fpv4-sp-d16",
        // GCC would fuse a * b + c into one vfma, rounded once: results would differ from the
        // other devices' (Mandelbrot's iteration counts do).
        "-ffp-contract=off",
        "-fno-pic",
        "-fno-common",
        "-Werror=implicit-function-declaration",
        // sqrtf and fabsf become FPU instructions.
        "-fno-math-errno",
        "-frounding-math",
        "-fno-optimize-sibling-calls",
        "-ffreestanding",
        "-fno-unwind-tables",
        "-fno-asynchronous-unwind-tables",
        "-pipe",
    ],
    // The same libraries as QEMU_MPS2_AN385's, from the compiler's hard-float multilib
    // (thumb/v7e-m+fp/hard), which the unit flags select.
    unit_libraries: &["libm.a", "libc_nano.a", "libgcc.a"],
    memory_budget: true,
    // The chip's 128 KiB of SRAM (SRAM1 and SRAM2, contiguous), less the handlers' stack and the
    // runtime's variables.
    layout: Some(LayoutLimits {
        ram_kib: 128,
        reserved: &["BS_PORT_HANDLER_STACK_KIB", "BS_PORT_STATIC_KIB"],
        max_kib: [None; 4],
    }),
    launch: Launch::Qemu(QemuMachine {
        program: "qemu-system-arm",
        machine: "netduinoplus2",
        cpu: "cortex-m4",
    }),
    flash: Some(BoardFlash {
        address: 0x0800_0000,
        objcopy: "arm-none-eabi-objcopy",
        openocd_target: "target/stm32f4x.cfg",
        dfu: true,
    }),
};

/// Every port, the default (`host`) first.
pub const PORTS: &[&Port] = &[&HOST, &QEMU_MPS2_AN385, &STM32F405];

/// Looks a port up by its target name.
pub fn port(target: &str) -> Option<&'static Port> {
    PORTS.iter().copied().find(|p| p.name == target)
}

/// A command that ran, for logs and benchmarks.
#[derive(Clone, Debug)]
pub struct ToolRun {
    pub command: String,
    pub duration: Duration,
    pub status: Option<i32>,
}

/// The stack the tools are given (GCC's parser recurses once per nesting level of the C it
/// reads: the default 8 MiB lasts for about 15,000 levels, fewer than a program may nest).
const TOOL_STACK: u64 = 1 << 30;

/// Raises this process's soft stack limit (which the tools it starts inherit) to `TOOL_STACK`,
/// or to the hard limit when that is lower. Done once; where it cannot be done, the tools keep
/// the limit they would have had.
fn raise_stack_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok((soft, hard)) = rlimit::Resource::STACK.get() {
            let want = TOOL_STACK.min(hard);
            if soft < want {
                let _ = rlimit::Resource::STACK.set(want, hard);
            }
        }
    });
}

/// Runs an external tool to completion, capturing its output.
pub fn run_tool(
    program: &str,
    args: &[String],
    cwd: &Path,
) -> Result<(std::process::Output, ToolRun), ToolchainError> {
    raise_stack_limit();
    let start = Instant::now();
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| ToolchainError::Spawn {
            program: program.to_string(),
            source,
        })?;
    let run = ToolRun {
        command: format!("{program} {}", args.join(" ")),
        duration: start.elapsed(),
        status: output.status.code(),
    };
    Ok((output, run))
}

/// The folder where runtime images and work files live: `$BSCRIPT_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/bscript`, else `~/.cache/bscript`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("BSCRIPT_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("bscript");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache/bscript");
    }
    std::env::temp_dir().join("bscript-cache")
}

/// FNV-1a, 64 bits: a stable hash for build ids (not for security).
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= b as u64;
        *hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

/// The build id of a port's runtime: a hash of its sources and of the flags that build it.
pub fn build_id(port: &Port) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for (path, bytes) in port_files(port) {
        fnv1a(&mut h, path.as_bytes());
        fnv1a(&mut h, &[0]);
        fnv1a(&mut h, bytes);
        fnv1a(&mut h, &[0]);
    }
    for f in port
        .runtime_flags
        .iter()
        .chain(port.runtime_libs)
        .chain(std::iter::once(&port.cc))
    {
        fnv1a(&mut h, f.as_bytes());
        fnv1a(&mut h, &[0]);
    }
    h
}

fn port_files(port: &Port) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    let own = format!("ports/{}/", port.name);
    RUNTIME_FILES
        .iter()
        .copied()
        .filter(move |(p, _)| p.starts_with("core/") || p.starts_with(&own))
}

/// The text of the port's `bs_port_config.h` (its memory layout and budget), from the runtime
/// sources embedded in this crate.
pub fn port_config(port: &Port) -> Option<&'static str> {
    let path = format!("ports/{}/bs_port_config.h", port.name);
    RUNTIME_FILES
        .iter()
        .find(|(p, _)| *p == path)
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
}

/// A built runtime image of one port.
#[derive(Clone, Debug)]
pub struct RuntimeBuild {
    /// The runtime executable (an ELF file; for the host port, the program to start).
    pub image: PathBuf,
    /// The folder holding `bs.h`, for compiling units.
    pub include_dir: PathBuf,
    pub build_id: u64,
    /// The image's flash and RAM use, for ports with a [memory budget](Port::memory_budget).
    pub size: Option<ImageSize>,
}

/// Reads the size of a port's image and checks it against the port's budget.
fn check_size(port: &Port, image: &Path) -> Result<Option<ImageSize>, ToolchainError> {
    if !port.memory_budget {
        return Ok(None);
    }
    let bytes = fs::read(image).map_err(io_err("cannot read", image))?;
    let size = image_size(&bytes).map_err(|e| ToolchainError::RuntimeBuild {
        port: port.name.to_string(),
        stderr: format!("cannot read the memory use of {}: {e}", image.display()),
    })?;
    match size.excess() {
        Some(excess) => Err(ToolchainError::OverBudget {
            port: port.name.to_string(),
            excess,
            size,
        }),
        None => Ok(Some(size)),
    }
}

/// Builds the port's runtime image unless the cache holds it already.
pub fn ensure_runtime(port: &Port) -> Result<RuntimeBuild, ToolchainError> {
    ensure_runtime_variant(port, &Variant::default())
}

/// A variant of a port's runtime image, built with extra switches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variant {
    /// Collect garbage at every allocation and check the heap after each collection
    /// (`BS_GC_STRESS`): slow, for testing the collector.
    pub gc_stress: bool,
    /// Sizes of the stack and the regions other than the port's defaults.
    pub memory: MemoryLayout,
}

impl Variant {
    fn defines(&self) -> Vec<String> {
        let mut d = Vec::new();
        if self.gc_stress {
            d.push("-DBS_GC_STRESS=1".to_string());
        }
        d.extend(self.memory.defines());
        d
    }
}

/// Builds a variant of the port's runtime image unless the cache holds it already.
pub fn ensure_runtime_variant(
    port: &Port,
    variant: &Variant,
) -> Result<RuntimeBuild, ToolchainError> {
    variant
        .memory
        .check(port)
        .map_err(|message| ToolchainError::Layout { message })?;
    let defines = variant.defines();
    let mut id = build_id(port);
    for d in &defines {
        fnv1a(&mut id, d.as_bytes());
    }
    let root = cache_dir();
    let dir = root.join(format!("runtime-{}-{id:016x}", port.name));
    let image = dir.join("bs-runtime");
    let include_dir = dir.join("core");
    if image.is_file() {
        let size = check_size(port, &image)?;
        return Ok(RuntimeBuild {
            image,
            include_dir,
            build_id: id,
            size,
        });
    }
    fs::create_dir_all(&root).map_err(io_err("cannot create", &root))?;
    // Build in a private folder, then rename it into place: concurrent builds cannot clash.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = root.join(format!("tmp-{}-{}-{nanos}", port.name, std::process::id()));
    let mut sources = Vec::new();
    for (path, bytes) in port_files(port) {
        let dest = tmp.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(io_err("cannot create", parent))?;
        }
        fs::write(&dest, bytes).map_err(io_err("cannot write", &dest))?;
        if path.ends_with(".c") {
            sources.push(path.to_string());
        }
    }
    let mut args: Vec<String> = port.runtime_flags.iter().map(|s| s.to_string()).collect();
    args.push(format!("-DBS_BUILD_ID=0x{id:016x}ULL"));
    args.extend(defines.iter().map(|d| d.to_string()));
    args.push("-Icore".into());
    args.push(format!("-Iports/{}", port.name));
    args.extend(sources);
    args.push("-o".into());
    args.push("bs-runtime".into());
    args.extend(port.runtime_libs.iter().map(|s| s.to_string()));
    let (out, _) = run_tool(port.cc, &args, &tmp)?;
    if !out.status.success() {
        let _ = fs::remove_dir_all(&tmp);
        return Err(ToolchainError::RuntimeBuild {
            port: port.name.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let size = match check_size(port, &tmp.join("bs-runtime")) {
        Ok(size) => size,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    if fs::rename(&tmp, &dir).is_err() {
        // Someone else finished first; theirs is identical.
        let _ = fs::remove_dir_all(&tmp);
    }
    if !image.is_file() {
        return Err(ToolchainError::Io {
            action: "cannot find the built runtime",
            path: image,
            source: io::Error::from(io::ErrorKind::NotFound),
        });
    }
    Ok(RuntimeBuild {
        image,
        include_dir,
        build_id: id,
        size,
    })
}

/// Compiles units for one session in a work folder of its own, reused for every unit.
pub struct UnitCompiler {
    port: &'static Port,
    work_dir: PathBuf,
    include_dir: PathBuf,
    /// The last compiler run, for the latency benchmark.
    pub last_run: Option<ToolRun>,
    /// Keep the work folder when the compiler is dropped.
    pub keep_files: bool,
    /// The port's unit libraries, read when a unit first needs them.
    libraries: Option<libraries::Libraries>,
    /// The folder of the unit's source file, where quoted includes of its inline C are looked
    /// up (`-iquote`); `None` for the working folder (a REPL input).
    source_dir: Option<PathBuf>,
    /// Take big units' objects from the cache of earlier runs (`objects.rs`) and keep them
    /// there; on unless turned off (the compile benchmark measures the compiler).
    pub object_cache: bool,
}

impl UnitCompiler {
    pub fn new(
        port: &'static Port,
        runtime: &RuntimeBuild,
    ) -> Result<UnitCompiler, ToolchainError> {
        let base = cache_dir().join("work");
        fs::create_dir_all(&base).map_err(io_err("cannot create", &base))?;
        // Sessions that crashed left their folders behind: clear them out first.
        remove_stale_work_dirs(&base, STALE_GRACE);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let pid = std::process::id();
        let started = process_start_time(pid).unwrap_or(0);
        let work_dir = base.join(format!("{pid}-{started}-{nanos}"));
        fs::create_dir_all(&work_dir).map_err(io_err("cannot create", &work_dir))?;
        Ok(UnitCompiler {
            port,
            work_dir,
            include_dir: runtime.include_dir.clone(),
            last_run: None,
            keep_files: false,
            libraries: None,
            source_dir: None,
            object_cache: true,
        })
    }

    /// The folder holding the C file of the last unit.
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// Sets the folder of the next units' source file (`None`: the working folder), where
    /// `#include "…"` in their inline C is looked up, as it would be beside the source file.
    pub fn set_source_dir(&mut self, dir: Option<&Path>) {
        let cwd = std::env::current_dir().ok();
        self.source_dir = match (dir, cwd) {
            (Some(d), Some(cwd)) => Some(cwd.join(d)),
            (Some(d), None) => Some(d.to_path_buf()),
            (None, cwd) => cwd,
        };
    }

    /// Compiles C source text into the bytes of a relocatable ELF object.
    pub fn compile(&mut self, c_source: &str) -> Result<Vec<u8>, ToolchainError> {
        self.compile_with(c_source, &[])
    }

    /// Compiles the parts of a unit's C (`bs_cgen::emit_unit_parts`) at the same time, each
    /// by a C compiler of its own (files `unit-part-K.c`), and merges their objects into the
    /// unit's (`cc -r`). One part is compiled as [`UnitCompiler::compile`] does.
    pub fn compile_parts(&mut self, parts: &[String]) -> Result<Vec<u8>, ToolchainError> {
        if let [one] = parts {
            return self.compile(one);
        }
        let start = Instant::now();
        let jobs = parts
            .iter()
            .enumerate()
            .map(|(k, part)| self.job(&format!("unit-part-{k}"), part, &[]))
            .collect::<Result<Vec<_>, _>>()?;
        let sources: Vec<&str> = parts.iter().map(String::as_str).collect();
        let key = self.cache_key(&jobs.iter().collect::<Vec<_>>(), &sources);
        if let Some(object) = self.cached(key.as_deref()) {
            return Ok(object);
        }
        let objects: Vec<PathBuf> = jobs.iter().map(|job| job.object.clone()).collect();
        let running: Vec<_> = jobs
            .into_iter()
            .map(|job| std::thread::spawn(move || job.run()))
            .collect();
        let mut errors = Vec::new();
        for handle in running {
            match handle.join() {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => errors.push(e),
                Err(_) => errors.push(ToolchainError::Compile {
                    stderr: "the compiler's thread panicked".to_string(),
                }),
            }
        }
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        let mut args = vec![
            "-nostdlib".to_string(),
            "-r".to_string(),
            "-o".to_string(),
            "unit.o".to_string(),
        ];
        args.extend(objects.iter().map(|o| o.display().to_string()));
        let (out, merge) = run_tool(self.port.cc, &args, &self.work_dir)?;
        if !out.status.success() {
            return Err(ToolchainError::Compile {
                stderr: format!(
                    "merging the unit's parts failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        let merged = self.work_dir.join("unit.o");
        let object = fs::read(&merged).map_err(io_err("cannot read", &merged))?;
        if let Some(key) = &key {
            objects::put(&objects::dir(), key, &object);
        }
        self.last_run = Some(ToolRun {
            command: format!("{} parts in parallel, then {}", parts.len(), merge.command),
            duration: start.elapsed(),
            status: Some(0),
        });
        Ok(object)
    }

    /// Compiles a unit optimised for size (the port's [`SIZE_FLAGS`]), for when the code
    /// optimised for speed does not fit the device's code region.
    pub fn compile_small(&mut self, c_source: &str) -> Result<Vec<u8>, ToolchainError> {
        self.compile_with(c_source, SIZE_FLAGS)
    }

    fn compile_with(&mut self, c_source: &str, extra: &[&str]) -> Result<Vec<u8>, ToolchainError> {
        let job = self.job("unit", c_source, extra)?;
        let key = self.cache_key(&[&job], &[c_source]);
        if let Some(object) = self.cached(key.as_deref()) {
            return Ok(object);
        }
        let (object, run) = job.run()?;
        self.last_run = Some(run);
        if let Some(key) = &key {
            objects::put(&objects::dir(), key, &object);
        }
        Ok(object)
    }

    /// The name of the cached object of `jobs` compiling `sources`, when such units are cached.
    fn cache_key(&self, jobs: &[&CompileJob], sources: &[&str]) -> Option<String> {
        if !self.object_cache {
            return None;
        }
        let args: Vec<&[String]> = jobs.iter().map(|j| j.args.as_slice()).collect();
        objects::key(self.port.cc, &args, sources)
    }

    /// The object cached under `key`, if any (the last run then says it came from the cache).
    fn cached(&mut self, key: Option<&str>) -> Option<Vec<u8>> {
        let object = objects::get(&objects::dir(), key?)?;
        self.last_run = Some(ToolRun {
            command: "the object of an earlier run (object cache)".to_string(),
            duration: Duration::ZERO,
            status: Some(0),
        });
        Some(object)
    }

    /// The compilation of `c_source` into `NAME.o` in the work folder, ready to run.
    fn job(
        &self,
        name: &str,
        c_source: &str,
        extra: &[&str],
    ) -> Result<CompileJob, ToolchainError> {
        let c_file = format!("{name}.c");
        let o_file = format!("{name}.o");
        let c_path = self.work_dir.join(&c_file);
        fs::write(&c_path, c_source).map_err(io_err("cannot write", &c_path))?;
        let mut args: Vec<String> = self.port.unit_flags.iter().map(|s| s.to_string()).collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(format!("-I{}", self.include_dir.display()));
        let quote_dir = self
            .source_dir
            .clone()
            .or_else(|| std::env::current_dir().ok());
        if let Some(dir) = quote_dir {
            args.push("-iquote".to_string());
            args.push(dir.display().to_string());
        }
        args.extend(["-c".to_string(), c_file, "-o".to_string(), o_file.clone()]);
        Ok(CompileJob {
            cc: self.port.cc,
            args,
            work_dir: self.work_dir.clone(),
            object: self.work_dir.join(o_file),
        })
    }

    /// Starts compiling `c_source` on a thread of its own (files `NAME.c` and `NAME.o` in the
    /// work folder; `NAME` must differ from every other compilation running at the time), so
    /// that the caller can go on meanwhile: the dynamic compiler compiles while the device
    /// runs.
    pub fn compile_in_background(&self, name: &str, c_source: &str) -> BackgroundCompile {
        let job = self.job(name, c_source, &[]);
        let keep = self.keep_files;
        let files = [
            self.work_dir.join(format!("{name}.c")),
            self.work_dir.join(format!("{name}.o")),
        ];
        BackgroundCompile(std::thread::spawn(move || {
            let object = job.and_then(|job| job.run()).map(|(object, _)| object);
            if !keep {
                for file in &files {
                    let _ = fs::remove_file(file);
                }
            }
            object
        }))
    }
}

/// One run of the C compiler on a file of the work folder.
struct CompileJob {
    cc: &'static str,
    args: Vec<String>,
    work_dir: PathBuf,
    object: PathBuf,
}

impl CompileJob {
    fn run(self) -> Result<(Vec<u8>, ToolRun), ToolchainError> {
        let (out, run) = run_tool(self.cc, &self.args, &self.work_dir)?;
        if !out.status.success() {
            return Err(ToolchainError::Compile {
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        let object = fs::read(&self.object).map_err(io_err("cannot read", &self.object))?;
        Ok((object, run))
    }
}

/// A compilation started by [`UnitCompiler::compile_in_background`].
pub struct BackgroundCompile(std::thread::JoinHandle<Result<Vec<u8>, ToolchainError>>);

impl BackgroundCompile {
    /// Whether the compiler has finished.
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }

    /// The object (waits for the compiler if it has not finished).
    pub fn wait(self) -> Result<Vec<u8>, ToolchainError> {
        self.0.join().unwrap_or_else(|_| {
            Err(ToolchainError::Compile {
                stderr: "the compiler's thread panicked".to_string(),
            })
        })
    }
}

impl UnitCompiler {
    /// Compiles a C file of the project (its absolute `path`) as a unit's C is compiled, its
    /// quoted includes looked up beside it. Returns the bytes of a relocatable object; a file
    /// the compiler rejects is [`ToolchainError::CFile`], with the compiler's messages, which
    /// name the file by `path`.
    pub fn compile_c_file(&mut self, path: &Path, index: usize) -> Result<Vec<u8>, ToolchainError> {
        let object = format!("c-file-{index}.o");
        let o_path = self.work_dir.join(&object);
        let mut args: Vec<String> = self.port.unit_flags.iter().map(|s| s.to_string()).collect();
        args.push(format!("-I{}", self.include_dir.display()));
        if let Some(dir) = path.parent() {
            args.push("-iquote".to_string());
            args.push(dir.display().to_string());
        }
        args.extend([
            "-c".to_string(),
            path.display().to_string(),
            "-o".to_string(),
            object,
        ]);
        let (out, run) = run_tool(self.port.cc, &args, &self.work_dir)?;
        self.last_run = Some(run);
        if !out.status.success() {
            return Err(ToolchainError::CFile {
                path: path.to_path_buf(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        fs::read(&o_path).map_err(io_err("cannot read", &o_path))
    }

    /// The relocatable objects `objects` merged into one (`cc -r`), so that they may refer to
    /// each other in any order.
    pub fn merge_objects(&mut self, objects: &[Vec<u8>]) -> Result<Vec<u8>, ToolchainError> {
        if let [one] = objects {
            return Ok(one.clone());
        }
        let mut args = vec![
            "-nostdlib".to_string(),
            "-r".to_string(),
            "-o".to_string(),
            "c-files.o".to_string(),
        ];
        for (i, bytes) in objects.iter().enumerate() {
            let file = format!("c-merge-{i}.o");
            let path = self.work_dir.join(&file);
            fs::write(&path, bytes).map_err(io_err("cannot write", &path))?;
            args.push(file);
        }
        let (out, _) = run_tool(self.port.cc, &args, &self.work_dir)?;
        if !out.status.success() {
            return Err(ToolchainError::MergeCFiles {
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        let merged = self.work_dir.join("c-files.o");
        fs::read(&merged).map_err(io_err("cannot read", &merged))
    }
}

impl Drop for UnitCompiler {
    fn drop(&mut self) {
        if self.keep_files {
            // Kept on purpose (`--keep-c`): the marker keeps later sessions from clearing it out.
            let _ = fs::write(self.work_dir.join(KEEP_MARKER), "");
            return;
        }
        let _ = fs::remove_dir_all(&self.work_dir);
    }
}

/// A work folder younger than this is never removed as stale: its session may be starting.
pub const STALE_GRACE: Duration = Duration::from_secs(60);

/// The file that marks a work folder kept on purpose (`--keep-c`).
const KEEP_MARKER: &str = "KEPT";

/// When process `pid` started, in clock ticks after boot (field 22 of `/proc/PID/stat`), or
/// `None` when the process does not exist or the system has no `/proc`. With the process id it
/// names one process: a later process that reuses the id started later.
pub fn process_start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the session that made the work folder `name` (`PID-START-NANOS`, or `PID-NANOS` from
/// older versions) has ended. `None` when that cannot be told: then the folder stays.
fn work_dir_owner_gone(name: &str) -> Option<bool> {
    let mut parts = name.split('-');
    let pid: u32 = parts.next()?.parse().ok()?;
    let second: u64 = parts.next()?.parse().ok()?;
    let third = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let now = process_start_time(pid);
    Some(match (third, now) {
        (_, None) => true,
        // PID-START-NANOS: gone when the process with this id is another one (started at
        // another time). A start time of 0 means it was not known.
        (Some(_), Some(started)) => second != 0 && started != second,
        // PID-NANOS: a process with this id runs; it may be the owner.
        (None, Some(_)) => false,
    })
}

/// Removes the work folders in `base` whose session has ended without removing them (it
/// crashed or was killed) and that are older than `grace`. A live session's folder, a folder
/// kept on purpose (`--keep-c`) and anything whose owner cannot be told stay. Does nothing on
/// systems without `/proc`, where the owner cannot be told.
pub fn remove_stale_work_dirs(base: &Path, grace: Duration) {
    if process_start_time(std::process::id()).is_none() {
        return;
    }
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if work_dir_owner_gone(name) != Some(true) || path.join(KEEP_MARKER).exists() {
            continue;
        }
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok());
        if age.is_some_and(|age| age >= grace) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process id that never exists (above the largest `pid_max` Linux allows, 2^22).
    const DEAD_PID: u32 = 999_999_999;

    #[test]
    fn stale_work_folders_are_removed_and_live_ones_stay() {
        let own = std::process::id();
        let Some(started) = process_start_time(own) else {
            eprintln!("skipped: no /proc");
            return;
        };
        let base = std::env::temp_dir().join(format!("bscript-stale-test-{own}"));
        let _ = fs::remove_dir_all(&base);
        let make = |name: &str| {
            let dir = base.join(name);
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("unit.c"), "int x;\n").unwrap();
            dir
        };
        let dead = make(&format!("{DEAD_PID}-5-1"));
        let dead_old_format = make(&format!("{DEAD_PID}-1"));
        let reused = make(&format!("{own}-{}-1", started + 1));
        let live = make(&format!("{own}-{started}-1"));
        let live_old_format = make(&format!("{own}-1"));
        let kept = make(&format!("{DEAD_PID}-5-2"));
        fs::write(kept.join(KEEP_MARKER), "").unwrap();
        let other = make("not-a-work-folder");
        // Within the grace period, nothing goes.
        remove_stale_work_dirs(&base, Duration::from_secs(3600));
        assert!(dead.exists() && dead_old_format.exists() && reused.exists());
        remove_stale_work_dirs(&base, Duration::ZERO);
        for gone in [&dead, &dead_old_format, &reused] {
            assert!(!gone.exists(), "{} stayed", gone.display());
        }
        for stays in [&live, &live_old_format, &kept, &other] {
            assert!(stays.exists(), "{} was removed", stays.display());
        }
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn the_host_port_embeds_its_sources() {
        let files: Vec<_> = port_files(&HOST).map(|(p, _)| p).collect();
        assert!(files.contains(&"core/bs.h"), "{files:?}");
    }

    #[test]
    fn each_port_embeds_the_core_and_only_its_own_folder() {
        let files: Vec<_> = port_files(&QEMU_MPS2_AN385).map(|(p, _)| p).collect();
        for f in [
            "core/bs.h",
            "ports/qemu-mps2-an385/link.ld",
            "ports/qemu-mps2-an385/exports.ld",
            "ports/qemu-mps2-an385/bs_port_config.h",
        ] {
            assert!(files.contains(&f), "{f} missing from {files:?}");
        }
        assert!(
            !files.iter().any(|f| f.starts_with("ports/host/")),
            "{files:?}"
        );
        let host: Vec<_> = port_files(&HOST).map(|(p, _)| p).collect();
        assert!(!host.iter().any(|f| f.contains("qemu")), "{host:?}");
    }

    #[test]
    fn ports_are_found_by_their_target_name() {
        assert_eq!(port("host").map(|p| p.name), Some("host"));
        assert_eq!(
            port("qemu-mps2-an385").map(|p| p.launch),
            Some(QEMU_MPS2_AN385.launch)
        );
        assert!(port("esp32").is_none());
        assert_ne!(build_id(&HOST), build_id(&QEMU_MPS2_AN385));
    }

    #[test]
    fn the_build_id_depends_on_the_flags() {
        let mut other = HOST.clone();
        other.runtime_flags = &["-O0"];
        assert_ne!(build_id(&HOST), build_id(&other));
        assert_eq!(build_id(&HOST), build_id(&HOST.clone()));
    }
}
