//! Talking to a BlueScript device: byte [`Link`]s and the protocol client [`Device`].
//!
//! A [`Link`] moves bytes to and from a device with a receive timeout: [`ProcessLink`] talks to
//! a child process over its standard input and output (the `host` device runtime), [`TcpLink`]
//! to a device behind a TCP connection (QEMU's UART), [`SerialLink`] to a device on a serial port
//! (a board, or QEMU with `-serial pty`), and [`MemLink`] is an in-memory pair for
//! tests; a [`FaultLink`] wraps any of them and loses, damages, repeats and delays
//! frames on purpose, and a [`PacedLink`] moves their bytes no faster than a UART at a given
//! baud rate. A [`Device`] speaks the protocol of `docs/protocol.md` over a link: the HELLO
//! handshake, chunked LOADs, CALLs with their output, profile reports and patches installed
//! while they run (`docs/dynamic.md`), SWAP, PEEK, RESET and MEMINFO. Every failure is a
//! [`LinkError`].

#![forbid(unsafe_code)]

mod device;
mod error;
mod fault;
mod link;
mod mem;
mod paced;
mod patch;
mod process;
mod serial;
mod tcp;

pub use device::{
    CallOutcome, DEFAULT_INTERRUPT_GRACE, DEFAULT_REPLY_TIMEOUT, Device, Interrupter, LinkStats,
};
pub use error::LinkError;
pub use fault::{FaultLink, FaultRates, FaultStats};
pub use link::{DEFAULT_RETRANSMIT_TIMEOUT, Link};
pub use mem::MemLink;
pub use paced::{BITS_PER_BYTE, PacedLink, line_time};
pub use patch::{CallEvents, Patch, PatchResult, ProfileReport, Swap, SwapResult};
pub use process::{ProcessLink, STDERR_TAIL_BYTES};
pub use serial::{DEFAULT_BAUD, SerialLink, serial_ports};
pub use tcp::TcpLink;

/// The protocol crate, re-exported so users of this one see the same types.
pub use bs_protocol;
