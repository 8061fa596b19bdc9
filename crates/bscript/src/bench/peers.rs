//! The systems the suites compare BlueScript with: C (gcc on this computer, or bare-metal
//! arm-none-eabi-gcc under QEMU), MicroPython (the unix port, or the micro:bit's firmware under
//! QEMU), CPython, and the JavaScript engines duktape and node. Each run returns the
//! microseconds of the program's whole loop, or why it failed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use bs_session::find_program;

use super::program::{Program, bluescript_source, ok_line, sized_source};

/// What the other systems' runs need.
pub struct Peers {
    /// Scratch space for sized sources and executables.
    pub scratch: PathBuf,
    /// The benchmarks folder, and its C programs' folder.
    pub dir: PathBuf,
    pub c_dir: PathBuf,
    /// The device's stack and regions: the bare-metal C programs get the same heap and stack.
    pub memory: bs_session::MemoryLayout,
    /// The device is a process of this computer: C runs as a program of this computer;
    /// otherwise bare-metal under QEMU, like the device.
    pub native: bool,
    /// One iteration, one run: a check, not a measurement.
    pub tiny: bool,
    /// The QEMU machine of a device that is not a process (from the port table), for the
    /// bare-metal C programs.
    pub machine: Option<&'static str>,
}

/// The QEMU machines that `peers/c/baremetal` (its startup code and linker script) builds the C
/// programs for.
pub const BARE_METAL_MACHINES: &[&str] = &["mps2-an385"];

/// MicroPython: `micropython` on the PATH, else the one `scripts/setup.sh` puts in
/// `.venv-bench` (beside the benchmarks folder).
pub fn micropython(dir: &Path) -> Option<PathBuf> {
    find_program("micropython").or_else(|| {
        let venv = dir
            .parent()
            .unwrap_or(Path::new("."))
            .join(".venv-bench/bin/micropython");
        venv.is_file().then_some(venv)
    })
}

impl Peers {
    /// Whether the C programs run on this device's machine: natively, or bare-metal in QEMU.
    pub fn c_runs_here(&self) -> bool {
        self.native
            || self
                .machine
                .is_some_and(|m| BARE_METAL_MACHINES.contains(&m))
    }

    /// Compiles a C program for this computer with `iterations`.
    pub fn compile_c(&self, path: &Path, iterations: u64) -> Result<PathBuf, String> {
        let exe = self.scratch.join(format!(
            "{}-{iterations}",
            path.file_stem().unwrap_or_default().to_string_lossy()
        ));
        let cc = Command::new("gcc")
            .args(["-std=c11", "-O2", "-w", "-I"])
            .arg(&self.c_dir)
            .arg(format!("-DITERATIONS={iterations}"))
            .arg(path)
            .arg("-o")
            .arg(&exe)
            .arg("-lm")
            .output()
            .map_err(|e| format!("cannot run gcc: {e}"))?;
        if !cc.status.success() {
            return Err(format!(
                "gcc failed: {}",
                String::from_utf8_lossy(&cc.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            ));
        }
        Ok(exe)
    }

    /// Compiles and runs a C program with `iterations`; returns the µs it printed.
    pub fn c(&self, path: &Path, iterations: u64) -> Result<f64, String> {
        let output = if self.native {
            let exe = self.compile_c(path, iterations)?;
            Command::new(&exe)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?
        } else {
            let script = self.c_dir.join("baremetal/run.sh");
            if !script.is_file() {
                return Err(format!("{} is missing", script.display()));
            }
            let mut cmd = Command::new("bash");
            cmd.arg(&script).arg(path).arg(iterations.to_string());
            // The same heap and stack as the BlueScript device.
            if let Some(kib) = self.memory.heap_kib {
                cmd.env("HEAP_KB", kib.to_string());
            }
            if let Some(kib) = self.memory.stack_kib {
                cmd.env("STACK_KB", kib.to_string());
            }
            cmd.output()
                .map_err(|e| format!("cannot run {}: {e}", script.display()))?
        };
        let text = String::from_utf8_lossy(&output.stdout);
        let micros = ok_line(&text)?;
        if !output.status.success() {
            return Err(format!("exit status {}", output.status));
        }
        micros.ok_or_else(|| "the C program printed no time".to_string())
    }

    /// Runs a Python program with `iterations` under `interpreter`; returns the µs it printed.
    pub fn python(&self, interpreter: &Path, path: &Path, iterations: u64) -> Result<f64, String> {
        let text = sized_source(path, "iterations = ", iterations)?;
        let file = self.scratch.join(path.file_name().unwrap_or_default());
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
        let output = Command::new(interpreter)
            .arg(&file)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", interpreter.display()))?;
        let micros = ok_line(&String::from_utf8_lossy(&output.stdout)).map_err(|e| {
            let err = String::from_utf8_lossy(&output.stderr);
            match err.lines().last() {
                Some(last) => format!("{e} ({last})"),
                None => e,
            }
        })?;
        if !output.status.success() {
            return Err(format!("exit status {}", output.status));
        }
        micros.ok_or_else(|| "the program printed no time".to_string())
    }

    /// Translates the typed program to JavaScript with `iterations` and runs it on `engine`;
    /// returns the wall time of the whole process in µs (it checks its result like the others).
    pub fn javascript(&self, engine: &Path, path: &Path, iterations: u64) -> Result<f64, String> {
        let text = bluescript_source(path, iterations)?;
        let js = bs_jsgen::to_javascript(&text, &path.display().to_string())
            .map_err(|e| format!("cannot translate to JavaScript: {e}"))?;
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let file = self.scratch.join(format!("{stem}-{iterations}.js"));
        std::fs::write(&file, js).map_err(|e| format!("{}: {e}", file.display()))?;
        let started = Instant::now();
        let output = Command::new(engine)
            .arg(&file)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", engine.display()))?;
        let elapsed = started.elapsed().as_secs_f64() * 1e6;
        ok_line(&String::from_utf8_lossy(&output.stdout)).map_err(|e| {
            let err = String::from_utf8_lossy(&output.stderr);
            match err.lines().next() {
                Some(first) => format!("{e} ({first})"),
                None => e,
            }
        })?;
        if !output.status.success() {
            return Err(format!("exit status {}", output.status));
        }
        Ok(elapsed)
    }

    /// MicroPython for the Cortex-M column: Debian's firmware for the BBC micro:bit (a Cortex-M0
    /// with 16 KB of RAM) under QEMU with -icount, through `peers/python/microbit/run.sh`. Most
    /// programs do not fit it; that is reported as a missing cell with the reason, not a failure.
    pub fn microbit(&self, program: &Program, iterations: u64) -> Result<f64, String> {
        const FIRMWARE: &str = "/usr/share/firmware-microbit-micropython/firmware.hex";
        if self.tiny {
            return Err("not run with --tiny".into());
        }
        if !Path::new(FIRMWARE).is_file() || find_program("qemu-system-arm").is_none() {
            return Err("firmware-microbit-micropython is not installed".into());
        }
        let script = self.dir.join("peers/python/microbit/run.sh");
        let path = program.python.clone().ok_or("no Python version")?;
        let mut cmd = Command::new("sh");
        cmd.arg(&script).arg(&path).arg(iterations.to_string());
        let output = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        match ok_line(&text) {
            Ok(Some(us)) if output.status.success() => Ok(us),
            Ok(_) => Err("no time printed".into()),
            Err(e) => {
                let err = String::from_utf8_lossy(&output.stderr);
                let why = err
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or(&e)
                    .trim()
                    .to_string();
                Err(format!(
                    "does not run on the micro:bit's MicroPython: {why}"
                ))
            }
        }
    }
}
