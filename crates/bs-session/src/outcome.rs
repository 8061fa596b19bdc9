//! What one input came to, and how long each stage took.

use std::time::Duration;

use bs_abi::{AccessError, ClassId, OpCode, TYPE_CLASS_BASE, TypeCode};
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
    /// LOAD frames sent on their own (the project's C files); a unit's bytes travel with the
    /// CALL that runs it and count in `run`.
    pub transfer: Duration,
    /// The call, as seen by the host (includes sending the unit's bytes, and output transfer).
    pub run: Duration,
    /// The call, as measured by the device.
    pub device_run: Duration,
}

impl Timings {
    /// Both timings' stages added up.
    pub fn add(&self, o: &Timings) -> Timings {
        Timings {
            parse_check: self.parse_check + o.parse_check,
            cgen: self.cgen + o.cgen,
            cc: self.cc + o.cc,
            link: self.link + o.link,
            transfer: self.transfer + o.transfer,
            run: self.run + o.run,
            device_run: self.device_run + o.device_run,
        }
    }

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
    /// A module that the program imports failed: the outcome is about that module's source.
    InModule {
        file: String,
        source: String,
        outcome: Box<Outcome>,
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
            Outcome::InModule { outcome, .. } => outcome.exit_code(),
        }
    }
}

/// The one-line reason of a run-time error. `class_name` names the program's class ids.
pub fn runtime_message(err: &DeviceError, class_name: &dyn Fn(u32) -> Option<String>) -> String {
    match ErrorCode::from_u16(err.code) {
        ErrorCode::DivZero => "division by zero".to_string(),
        ErrorCode::OutOfMemory => format!("memory exhausted (allocating {} bytes)", err.detail1),
        ErrorCode::StackOverflow => "stack overflow (too deep recursion)".to_string(),
        ErrorCode::Fault => format!("memory fault at address 0x{:08x}", err.address),
        ErrorCode::IndexRange => {
            format!(
                "array index out of range: {} (len: {})",
                err.detail1 as i32, err.detail2
            )
        }
        ErrorCode::TypeError => type_error_message(err.detail1, err.detail2, class_name),
        ErrorCode::Interrupted => "interrupted".to_string(),
        ErrorCode::NoPin => format!("pin {} is not available", err.detail1 as i32),
        _ => err.message(),
    }
}

/// The address in compiled code that an error's details point at, for the errors that carry one
/// (in `detail2`): the instruction that faulted, or for memory exhausted, which the runtime
/// reports with the return address of the call from compiled code, an address inside that call
/// instruction (on Thumb-2 a return address has bit 0 set). `None` for other errors, and when
/// the device knew no address (0).
pub fn code_address(err: &DeviceError) -> Option<u64> {
    let addr = u64::from(err.detail2);
    if addr == 0 {
        return None;
    }
    match ErrorCode::from_u16(err.code) {
        // The program counter of the instruction that stopped.
        ErrorCode::Fault | ErrorCode::StackOverflow | ErrorCode::Interrupted => Some(addr),
        // A return address: the call ends just before it.
        ErrorCode::OutOfMemory | ErrorCode::NoPin => Some((addr & !1) - 1),
        _ => None,
    }
}

/// `class_name` answers for property names too, at this offset (they have their own ids).
pub const PROPERTY_NAME_BASE: u32 = 0x4000_0000;

/// What a boxed word holds, as far as its tag tells.
fn describe_value(v: u32) -> &'static str {
    match v & 3 {
        0 => "an integer",
        1 => "a float",
        2 => "a boolean",
        _ if v == bs_abi::NULL => "undefined",
        _ => "an object",
    }
}

fn builtin_class_name(id: u32) -> Option<&'static str> {
    ClassId::from_code(id)?.type_name()
}

fn type_error_message(
    expected: u32,
    value: u32,
    class_name: &dyn Fn(u32) -> Option<String>,
) -> String {
    let found = describe_value(value);
    // Property access and calls through `any` (bs_dynamic.c): a code and a name id.
    let name = || {
        class_name(PROPERTY_NAME_BASE + (expected >> 8))
            .unwrap_or_else(|| format!("#{}", expected >> 8))
    };
    let access = AccessError::from_code(expected & 0xff).filter(|_| expected < TYPE_CLASS_BASE);
    match access {
        Some(AccessError::NoProperty) => {
            return format!("type error: no such property: {}", name());
        }
        Some(AccessError::NoMethod) => {
            return format!("type error: no such method: {}", name());
        }
        Some(AccessError::NotCallable) => {
            return format!("type error: not a function of this type: {found}");
        }
        Some(AccessError::ArgCount) => {
            return format!(
                "type error: wrong number of arguments for a call through any ({})",
                name()
            );
        }
        None => {}
    }
    if expected >= TYPE_CLASS_BASE {
        let id = expected - TYPE_CLASS_BASE;
        let name = builtin_class_name(id)
            .map(str::to_string)
            .or_else(|| class_name(id))
            .unwrap_or_else(|| format!("class #{id}"));
        return format!("type error: expected {name}, found {found}");
    }
    if expected & 0xff == TypeCode::Any.code() && expected >> 8 != 0 {
        let op = OpCode::from_code(expected >> 8).map_or("an operator", OpCode::description);
        return format!("type error: bad operand for {op}: {found}");
    }
    // A type code's description is the type's name.
    match TypeCode::from_code(expected) {
        Some(ty) => format!("type error: expected {}, found {found}", ty.description()),
        None => format!("type error: found {found}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_name_what_was_expected_and_found() {
        let none = |_: u32| None;
        assert_eq!(
            type_error_message(1, 3 | 0x1000, &none),
            "type error: expected integer, found an object"
        );
        assert_eq!(
            type_error_message(6 | (1 << 8), 2, &none),
            "type error: bad operand for +: a boolean"
        );
        let named = |id: u32| (id == 17).then(|| "Shape".to_string());
        assert_eq!(
            type_error_message(0x10000 + 17, 0, &named),
            "type error: expected Shape, found an integer"
        );
    }
}
