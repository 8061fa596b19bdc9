//! What one input came to, and how long each stage took.

use std::time::Duration;

use bs_frontend::{Diagnostic, Span};
use bs_protocol::{DeviceError, ErrorCode};

/// The stages of one input, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    ParseCheck,
    CGen,
    CCompiler,
    Link,
    Transfer,
    Run,
}

/// Wall-clock time spent in each stage of one input.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub parse_check: Duration,
    pub cgen: Duration,
    pub cc: Duration,
    pub link: Duration,
    pub transfer: Duration,
    /// The call, as seen by the host (includes output transfer).
    pub run: Duration,
    /// The call, as measured by the device.
    pub device_run: Duration,
}

impl Timings {
    pub fn total(&self) -> Duration {
        self.parse_check + self.cgen + self.cc + self.link + self.transfer + self.run
    }
}

/// A place in a unit's source.
#[derive(Clone, Debug)]
pub struct Location {
    pub file: String,
    pub source: String,
    pub span: Span,
    pub line: u32,
    pub column: u32,
}

/// A run-time error, mapped back to the source.
#[derive(Clone, Debug)]
pub struct RuntimeFailure {
    pub message: String,
    /// What the location shows: the check that failed, or the function a fault happened in.
    pub label: &'static str,
    pub code: u16,
    pub location: Option<Location>,
}

/// How one input ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    Ok,
    CompileError(Vec<Diagnostic>),
    LinkError(String),
    RuntimeError(RuntimeFailure),
    /// The link broke or the device died; `restarted` tells whether a fresh device is running
    /// (with an empty session).
    DeviceError {
        message: String,
        restarted: bool,
    },
    /// A failure inside bscript itself (generated C that does not compile, …).
    Internal {
        stage: Stage,
        message: String,
    },
}

impl Outcome {
    /// The exit status of `bscript run` for this outcome: 0 success, 1 compile error,
    /// 2 run-time error, 3 device or link failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Ok => 0,
            Outcome::CompileError(_) | Outcome::Internal { .. } => 1,
            Outcome::RuntimeError(_) => 2,
            Outcome::LinkError(_) | Outcome::DeviceError { .. } => 3,
        }
    }
}

/// The one-line reason of a run-time error.
pub fn runtime_message(err: &DeviceError) -> String {
    match ErrorCode::from_u16(err.code) {
        ErrorCode::DivZero => "division by zero".to_string(),
        ErrorCode::OutOfMemory => "memory exhausted".to_string(),
        ErrorCode::StackOverflow => "stack overflow (too deep recursion)".to_string(),
        ErrorCode::Fault => format!("memory fault at address 0x{:08x}", err.address),
        ErrorCode::IndexRange => {
            format!(
                "array index out of range: {} (len: {})",
                err.detail1 as i32, err.detail2
            )
        }
        _ => err.message(),
    }
}
