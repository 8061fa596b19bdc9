//! Run-time error codes (`docs/protocol.md`, section 4) and the ERROR message's fields, with short
//! human messages for them. The numbers match `BS_ERR_*` in the runtime's `bs.h`.

use std::fmt;

/// An error code from an ERROR message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 1: integer division or remainder by zero.
    DivZero,
    /// 2: the heap is exhausted (d1 = bytes requested).
    OutOfMemory,
    /// 3: the native stack is exhausted.
    StackOverflow,
    /// 4: a memory or instruction fault (address = fault address, d1 = signal or fault kind).
    Fault,
    /// 5: a LOAD outside the code and data regions (address, d1 = length).
    LoadRange,
    /// 6: HELLO with an unsupported protocol version (d1 = the device's version).
    BadVersion,
    /// 7: unknown kind or malformed payload (d1 = kind).
    BadMessage,
    /// 8: CALL to an address outside the code region (address = entry).
    CallRange,
    /// 9: array index out of range (d1 = index, d2 = length).
    IndexRange,
    /// 10: a failed run-time type conversion (d1 = what was expected).
    TypeError,
    /// 11: a request other than HELLO before the first HELLO since the device started: the
    /// device was reset and knows nothing of the session.
    NoSession,
    /// A code this host does not know.
    Unknown(u16),
}

impl ErrorCode {
    /// Every known code, in numeric order.
    pub const KNOWN: [ErrorCode; 11] = [
        ErrorCode::DivZero,
        ErrorCode::OutOfMemory,
        ErrorCode::StackOverflow,
        ErrorCode::Fault,
        ErrorCode::LoadRange,
        ErrorCode::BadVersion,
        ErrorCode::BadMessage,
        ErrorCode::CallRange,
        ErrorCode::IndexRange,
        ErrorCode::TypeError,
        ErrorCode::NoSession,
    ];

    /// The code for a number; unknown numbers give [`ErrorCode::Unknown`].
    pub const fn from_u16(code: u16) -> ErrorCode {
        match code {
            1 => ErrorCode::DivZero,
            2 => ErrorCode::OutOfMemory,
            3 => ErrorCode::StackOverflow,
            4 => ErrorCode::Fault,
            5 => ErrorCode::LoadRange,
            6 => ErrorCode::BadVersion,
            7 => ErrorCode::BadMessage,
            8 => ErrorCode::CallRange,
            9 => ErrorCode::IndexRange,
            10 => ErrorCode::TypeError,
            11 => ErrorCode::NoSession,
            other => ErrorCode::Unknown(other),
        }
    }

    /// The number on the wire.
    pub const fn code(self) -> u16 {
        match self {
            ErrorCode::DivZero => 1,
            ErrorCode::OutOfMemory => 2,
            ErrorCode::StackOverflow => 3,
            ErrorCode::Fault => 4,
            ErrorCode::LoadRange => 5,
            ErrorCode::BadVersion => 6,
            ErrorCode::BadMessage => 7,
            ErrorCode::CallRange => 8,
            ErrorCode::IndexRange => 9,
            ErrorCode::TypeError => 10,
            ErrorCode::NoSession => 11,
            ErrorCode::Unknown(code) => code,
        }
    }

    /// The C name without its prefix (`BS_ERR_<name>` in `bs.h`); `None` for unknown codes.
    pub const fn c_name(self) -> Option<&'static str> {
        Some(match self {
            ErrorCode::DivZero => "DIV_ZERO",
            ErrorCode::OutOfMemory => "OUT_OF_MEMORY",
            ErrorCode::StackOverflow => "STACK_OVERFLOW",
            ErrorCode::Fault => "FAULT",
            ErrorCode::LoadRange => "LOAD_RANGE",
            ErrorCode::BadVersion => "BAD_VERSION",
            ErrorCode::BadMessage => "BAD_MESSAGE",
            ErrorCode::CallRange => "CALL_RANGE",
            ErrorCode::IndexRange => "INDEX_RANGE",
            ErrorCode::TypeError => "TYPE",
            ErrorCode::NoSession => "NO_SESSION",
            ErrorCode::Unknown(_) => return None,
        })
    }

    /// A short description of the error without its details, e.g. "division by zero".
    pub const fn summary(self) -> &'static str {
        match self {
            ErrorCode::DivZero => "division by zero",
            ErrorCode::OutOfMemory => "out of memory",
            ErrorCode::StackOverflow => "stack overflow",
            ErrorCode::Fault => "memory fault",
            ErrorCode::LoadRange => "load outside the code and data regions",
            ErrorCode::BadVersion => "unsupported protocol version",
            ErrorCode::BadMessage => "malformed or unknown message",
            ErrorCode::CallRange => "call outside the code region",
            ErrorCode::IndexRange => "array index out of range",
            ErrorCode::TypeError => "type error",
            ErrorCode::NoSession => "no session (the device was reset)",
            ErrorCode::Unknown(_) => "unknown error",
        }
    }
}

impl From<u16> for ErrorCode {
    fn from(code: u16) -> ErrorCode {
        ErrorCode::from_u16(code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorCode::Unknown(code) => write!(f, "unknown error code {code}"),
            known => f.write_str(known.summary()),
        }
    }
}

/// The fields of an ERROR message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, thiserror::Error)]
#[error("{}", self.message())]
pub struct DeviceError {
    /// The error code ([`ErrorCode::from_u16`]).
    pub code: u16,
    /// The site number compiled code passed to the runtime; 0 when not from a check in code.
    pub site: u32,
    /// A code or data address where that makes sense, else 0.
    pub address: u32,
    /// First detail (meaning depends on the code).
    pub detail1: u32,
    /// Second detail (meaning depends on the code).
    pub detail2: u32,
}

impl DeviceError {
    /// The typed error code.
    pub const fn error_code(&self) -> ErrorCode {
        ErrorCode::from_u16(self.code)
    }

    /// A short human message with the details that matter for this code, e.g.
    /// "memory fault at address 0x00000010 (fault kind 11)".
    pub fn message(&self) -> String {
        let (address, d1, d2) = (self.address, self.detail1, self.detail2);
        match self.error_code() {
            ErrorCode::DivZero => "division by zero".to_owned(),
            ErrorCode::OutOfMemory => {
                format!("out of memory ({d1} bytes requested)")
            }
            ErrorCode::StackOverflow => "stack overflow".to_owned(),
            ErrorCode::Fault => {
                format!("memory fault at address 0x{address:08x} (fault kind {d1})")
            }
            ErrorCode::LoadRange => {
                format!("load outside the code and data regions ({d1} bytes at 0x{address:08x})")
            }
            ErrorCode::BadVersion => {
                format!("unsupported protocol version (the device speaks version {d1})")
            }
            ErrorCode::BadMessage => {
                format!("malformed or unknown message (kind 0x{d1:02x})")
            }
            ErrorCode::CallRange => {
                format!("call outside the code region (entry 0x{address:08x})")
            }
            ErrorCode::IndexRange => {
                // The index is a signed integer in the program.
                format!("array index {} out of range (length {d2})", d1 as i32)
            }
            ErrorCode::TypeError => format!("type error (expected type {d1})"),
            ErrorCode::NoSession => format!(
                "the device was reset and knows no session (request kind 0x{d1:02x} refused)"
            ),
            ErrorCode::Unknown(code) => {
                format!("unknown error code {code} (address 0x{address:08x}, details {d1}, {d2})")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (i, code) in ErrorCode::KNOWN.into_iter().enumerate() {
            assert_eq!(code.code() as usize, i + 1);
            assert_eq!(ErrorCode::from_u16(code.code()), code);
            assert!(code.c_name().is_some());
        }
        assert_eq!(ErrorCode::from_u16(0), ErrorCode::Unknown(0));
        assert_eq!(ErrorCode::from_u16(12), ErrorCode::Unknown(12));
        assert_eq!(ErrorCode::Unknown(300).code(), 300);
        assert_eq!(ErrorCode::from(3u16), ErrorCode::StackOverflow);
    }

    fn err(code: ErrorCode, address: u32, detail1: u32, detail2: u32) -> DeviceError {
        DeviceError {
            code: code.code(),
            site: 7,
            address,
            detail1,
            detail2,
        }
    }

    #[test]
    fn messages() {
        assert_eq!(
            err(ErrorCode::DivZero, 0, 0, 0).message(),
            "division by zero"
        );
        assert_eq!(
            err(ErrorCode::OutOfMemory, 0, 64, 0).message(),
            "out of memory (64 bytes requested)"
        );
        assert_eq!(
            err(ErrorCode::StackOverflow, 0, 0, 0).message(),
            "stack overflow"
        );
        assert_eq!(
            err(ErrorCode::Fault, 0x10, 11, 0).to_string(),
            "memory fault at address 0x00000010 (fault kind 11)"
        );
        assert_eq!(
            err(ErrorCode::LoadRange, 0x2000_0000, 16, 0).message(),
            "load outside the code and data regions (16 bytes at 0x20000000)"
        );
        assert_eq!(
            err(ErrorCode::IndexRange, 0, (-1i32) as u32, 3).message(),
            "array index -1 out of range (length 3)"
        );
        assert_eq!(
            err(ErrorCode::CallRange, 0x1234, 0, 0).message(),
            "call outside the code region (entry 0x00001234)"
        );
        assert!(
            err(ErrorCode::Unknown(99), 0, 0, 0)
                .message()
                .contains("99")
        );
        assert_eq!(ErrorCode::DivZero.to_string(), "division by zero");
        assert_eq!(ErrorCode::Unknown(42).to_string(), "unknown error code 42");
    }
}
