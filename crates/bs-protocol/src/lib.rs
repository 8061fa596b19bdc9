//! The BlueScript host–device wire format (`docs/protocol.md`), without any IO.
//!
//! Bytes on a link are [frames](Frame): a 6-byte header (magic, kind, seq, reply-to, length), a
//! payload of at most [`MAX_PAYLOAD`] bytes and a [CRC-32](crc32). [`encode_frame`] writes one;
//! a [`Deframer`] reads them back from a byte stream that may be split anywhere and may contain
//! garbage or corrupt frames. A frame's payload is a typed message: a [`Request`] from the host or
//! a [`Reply`] from the device; [`Kind`], [`ErrorCode`] and the constants below come from bs-abi,
//! the one table of host–device numbers, whose test checks them against the C runtime's
//! `bs_protocol.h` and `bs.h`.

#![forbid(unsafe_code)]

pub mod auth;
mod crc;
mod error_code;
mod frame;
mod kind;
mod message;

pub use crc::crc32;
pub use error_code::{DeviceError, ErrorCode};
pub use frame::{Corruption, Deframer, EncodeError, Frame, FrameError, encode_frame};
pub use kind::{Kind, UnknownKind};
pub use message::{
    Arch, DecodeError, DeviceAuth, DeviceInfo, EventRecord, EventsReport, ExpectedLen,
    MAX_LOAD_CHUNK, MAX_PEEK, MemInfo, Region, Reply, Request, SEGMENT_HEADER_LEN, SEGMENT_MAX_LEN,
    SEGMENT_ZEROS, Segment, patch_frame,
};

pub use bs_abi::{MAX_PAYLOAD, PROFILE_NO_ROW, PROTOCOL_VERSION};
/// The first byte of every frame.
pub const MAGIC: u8 = bs_abi::FRAME_MAGIC;
/// Bytes before the payload: magic, kind, seq, reply-to, u16 length.
pub const HEADER_LEN: usize = bs_abi::FRAME_HEADER_LEN;
/// Bytes after the payload: the CRC-32 of header and payload.
pub const CRC_LEN: usize = bs_abi::FRAME_CRC_LEN;
/// The largest encoded frame.
pub const MAX_FRAME_LEN: usize = HEADER_LEN + MAX_PAYLOAD + CRC_LEN;
