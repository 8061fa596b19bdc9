//! [`LinkError`]: everything that can go wrong talking to a device.

use std::io;

use bs_protocol::auth::AuthRefusal;
use bs_protocol::{DeviceError, Kind};

/// A failure of the link or of the device's side of the protocol.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Reading from or writing to the link failed (not because the other end closed).
    #[error("I/O error on {link}: {source}")]
    Io {
        /// The link ([`Link::describe`](crate::Link::describe)).
        link: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// No reply came in time.
    #[error("timed out waiting for {waiting_for}")]
    Timeout {
        /// What was expected, from where and for how long.
        waiting_for: String,
    },
    /// The device went away (for a process: its exit status and the end of its standard error).
    #[error("the device is gone: {detail}")]
    Closed {
        /// What is known of why.
        detail: String,
    },
    /// The device started afresh (a reset button, a watchdog, QEMU's `system_reset`): its
    /// acknowledgement carried another session id, or it refused a request with NO_SESSION.
    /// Everything the session had loaded is gone; say HELLO to start a new one.
    #[error(
        "the device on {link} was reset ({}): everything loaded in this session is gone",
        reset_detail(*was, *now)
    )]
    DeviceReset {
        /// The link ([`Link::describe`](crate::Link::describe)).
        link: String,
        /// The session id the device had.
        was: Option<u32>,
        /// The session id it has now, when it said.
        now: Option<u32>,
    },
    /// The device stopped answering while a CALL ran: it did not stop the CALL in time after
    /// an INTERRUPT (code that disabled interrupts, a wedged device), or it sent nothing, not
    /// even PONG to PING, for too long (a broken link, a device that hangs).
    #[error("the device on {link} does not respond: {detail}")]
    Unresponsive {
        /// The link ([`Link::describe`](crate::Link::describe)).
        link: String,
        /// What it failed to do.
        detail: String,
    },
    /// The device broke the protocol: a corrupt frame, a reply that cannot be decoded, a wrong
    /// sequence number or an unexpected kind of reply.
    #[error("protocol error: {detail}")]
    Protocol {
        /// What was wrong.
        detail: String,
    },
    /// The device speaks another protocol version.
    #[error(
        "the device speaks protocol version {device} but this host speaks version {host}; \
         use a runtime built from the same BlueScript release"
    )]
    BadVersion {
        /// The device's version.
        device: u16,
        /// This host's version.
        host: u16,
    },
    /// The device answered a request (other than CALL) with an ERROR, e.g. LOAD_RANGE for a LOAD
    /// outside its regions.
    #[error("the device refused {request}: {error}")]
    Refused {
        /// The refused request.
        request: Kind,
        /// The device's report.
        error: DeviceError,
    },
    /// A paired device refused a request as not authenticated (`docs/protocol.md`, section 6):
    /// no MAC, a wrong key, a replayed frame; or a paired host met an unpaired device.
    #[error("the device refused {request}: {message}")]
    Unauthorized {
        /// The refused request.
        request: Kind,
        /// The device's reason, when it is one this host knows.
        refusal: Option<AuthRefusal>,
        /// What happened and what to do, with what the host knows of the keys.
        message: String,
    },
    /// The caller asked for something that cannot be sent (e.g. a LOAD past the end of the
    /// 32-bit address space).
    #[error("invalid request: {detail}")]
    InvalidRequest {
        /// What is wrong with it.
        detail: String,
    },
}

fn reset_detail(was: Option<u32>, now: Option<u32>) -> String {
    match (was, now) {
        (Some(was), Some(now)) => format!("session 0x{was:08x} became 0x{now:08x}"),
        (Some(was), None) => format!("session 0x{was:08x} is unknown to it"),
        _ => "it knows no session".to_owned(),
    }
}

impl LinkError {
    /// The error for an IO failure on `link`: `Closed` when the other end is gone, else `Io`.
    pub fn from_io(link: String, source: io::Error) -> LinkError {
        if crate::link::is_closed(source.kind()) {
            LinkError::Closed {
                detail: source.to_string(),
            }
        } else {
            LinkError::Io { link, source }
        }
    }
}
