//! The ERROR message's fields, with short human messages for them. The error codes themselves
//! (`docs/protocol.md`, section 4) are [`ErrorCode`], from bs-abi's table.

pub use bs_abi::ErrorCode;

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
                format!("outside the code and data regions ({d1} bytes at 0x{address:08x})")
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
            ErrorCode::Timers => format!("too many timers (the device has {d1})"),
            ErrorCode::NoSession => format!(
                "the device was reset and knows no session (request kind 0x{d1:02x} refused)"
            ),
            ErrorCode::Interrupted => "interrupted".to_owned(),
            ErrorCode::SwapMismatch => {
                format!("the word at 0x{address:08x} held 0x{d1:08x}, not the value expected there")
            }
            ErrorCode::Auth => {
                let kind = match crate::Kind::from_u8(d2 as u8) {
                    Some(kind) => kind.to_string(),
                    None => format!("kind 0x{d2:02x}"),
                };
                match bs_abi::AuthRefusal::from_code(d1) {
                    Some(bs_abi::AuthRefusal::Replayed) => format!(
                        "{kind} refused: a replayed request (its counter {address} is not above \
                         the last one the device ran)"
                    ),
                    Some(reason) => format!("{kind} refused: {}", reason.description()),
                    None => format!("{kind} refused: not authenticated (reason {d1})"),
                }
            }
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
    fn summaries_and_conversions() {
        // The numbers themselves are bs-abi's, checked against bs.h there.
        assert_eq!(ErrorCode::from(3u16), ErrorCode::StackOverflow);
        assert_eq!(ErrorCode::TypeError.c_name(), Some("TYPE"));
        assert_eq!(
            ErrorCode::NoSession.summary(),
            "no session (the device was reset)"
        );
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
            "outside the code and data regions (16 bytes at 0x20000000)"
        );
        assert_eq!(
            err(ErrorCode::SwapMismatch, 0x2000_0010, 0x1000_0040, 0).message(),
            "the word at 0x20000010 held 0x10000040, not the value expected there"
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
