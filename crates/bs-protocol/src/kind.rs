//! Message kinds (`docs/protocol.md`, section 3): [`Kind`] lives in bs-abi's table, next to the
//! other numbers host and device share. Host → device requests have the high bit clear, device →
//! host replies have it set; `name()` gives the C name without its prefix (`BS_MSG_<NAME>`).

pub use bs_abi::{Kind, UnknownKind};

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
