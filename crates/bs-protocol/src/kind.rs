//! The one table of message kinds (`docs/protocol.md`, section 3). Host → device requests have
//! the high bit clear, device → host replies have it set. `name()` gives the C name, so the
//! header check can compare `BS_MSG_<NAME>` with this table.

use std::fmt;

/// A message kind: the second byte of every frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Kind {
    /// Host → device: u16 protocol version.
    Hello = 0x01,
    /// Host → device: u32 address, then bytes to copy there.
    Load = 0x02,
    /// Host → device: u32 entry address.
    Call = 0x03,
    /// Host → device: clear heap, code and data; new session id.
    Reset = 0x04,
    /// Host → device: ask for heap and region usage.
    MemInfo = 0x05,
    /// Host → device: the device frame with this frame's seq arrived (empty payload).
    Ack = 0x06,
    /// Device → host: version, build id, session id, regions.
    HelloReply = 0x81,
    /// Device → host: u8 kind of the acknowledged request.
    Ok = 0x82,
    /// Device → host: u8 stream, then text.
    Output = 0x83,
    /// Device → host: u32 run time of a call in microseconds.
    Result = 0x84,
    /// Device → host: an error report.
    Error = 0x85,
    /// Device → host: heap and region usage.
    MemInfoReply = 0x86,
    /// Device → host: the host frame with this frame's seq arrived; u32 session id.
    DeviceAck = 0x87,
}

/// A byte that is not a known message kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown message kind 0x{0:02x}")]
pub struct UnknownKind(pub u8);

impl Kind {
    /// Every kind, requests first.
    pub const ALL: [Kind; 13] = [
        Kind::Hello,
        Kind::Load,
        Kind::Call,
        Kind::Reset,
        Kind::MemInfo,
        Kind::Ack,
        Kind::HelloReply,
        Kind::Ok,
        Kind::Output,
        Kind::Result,
        Kind::Error,
        Kind::MemInfoReply,
        Kind::DeviceAck,
    ];

    /// The byte on the wire.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The name used in the protocol document and the C header (`BS_MSG_<name>`).
    pub const fn name(self) -> &'static str {
        match self {
            Kind::Hello => "HELLO",
            Kind::Load => "LOAD",
            Kind::Call => "CALL",
            Kind::Reset => "RESET",
            Kind::MemInfo => "MEMINFO",
            Kind::Ack => "ACK",
            Kind::HelloReply => "HELLO_REPLY",
            Kind::Ok => "OK",
            Kind::Output => "OUTPUT",
            Kind::Result => "RESULT",
            Kind::Error => "ERROR",
            Kind::MemInfoReply => "MEMINFO_REPLY",
            Kind::DeviceAck => "DEVICE_ACK",
        }
    }

    /// True for host → device messages.
    pub const fn is_request(self) -> bool {
        (self as u8) & 0x80 == 0
    }

    /// The kind for a wire byte, if it is one.
    pub const fn from_u8(code: u8) -> Option<Kind> {
        Some(match code {
            0x01 => Kind::Hello,
            0x02 => Kind::Load,
            0x03 => Kind::Call,
            0x04 => Kind::Reset,
            0x05 => Kind::MemInfo,
            0x06 => Kind::Ack,
            0x81 => Kind::HelloReply,
            0x82 => Kind::Ok,
            0x83 => Kind::Output,
            0x84 => Kind::Result,
            0x85 => Kind::Error,
            0x86 => Kind::MemInfoReply,
            0x87 => Kind::DeviceAck,
            _ => return None,
        })
    }
}

impl TryFrom<u8> for Kind {
    type Error = UnknownKind;

    fn try_from(code: u8) -> Result<Kind, UnknownKind> {
        Kind::from_u8(code).ok_or(UnknownKind(code))
    }
}

impl From<Kind> for u8 {
    fn from(kind: Kind) -> u8 {
        kind.code()
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips_or_is_unknown() {
        let mut known = 0;
        for b in 0..=255u8 {
            match Kind::try_from(b) {
                Ok(kind) => {
                    assert_eq!(kind.code(), b);
                    assert_eq!(u8::from(kind), b);
                    known += 1;
                }
                Err(e) => assert_eq!(e, UnknownKind(b)),
            }
        }
        assert_eq!(known, Kind::ALL.len());
    }

    #[test]
    fn all_is_complete_and_directions_are_right() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_u8(kind.code()), Some(kind));
            assert_eq!(kind.is_request(), kind.code() < 0x80, "{kind}");
        }
        assert_eq!(Kind::MemInfoReply.name(), "MEMINFO_REPLY");
        assert_eq!(UnknownKind(0x7f).to_string(), "unknown message kind 0x7f");
    }
}
