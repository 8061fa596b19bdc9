//! [`Device`]: the host side of the protocol over a [`Link`]: the HELLO handshake, chunked LOADs,
//! CALLs that stream OUTPUT before their RESULT or ERROR, RESET and MEMINFO. Every request gets
//! the next sequence number and every reply must echo it.

use std::time::{Duration, Instant};

use bs_protocol::{
    Deframer, DeviceError, DeviceInfo, ErrorCode, Frame, Kind, MAX_PAYLOAD, MemInfo,
    PROTOCOL_VERSION, Reply, Request, encode_frame,
};

use crate::{Link, LinkError};

/// The default time a device has to answer HELLO, LOAD, RESET and MEMINFO (and to finish a frame
/// it has started sending).
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one `recv` waits when there is no deadline (it returns early when bytes arrive).
const IDLE_POLL: Duration = Duration::from_secs(1);

/// How a CALL ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The code returned normally after `micros` microseconds.
    Finished {
        /// Run time reported by the device.
        micros: u32,
    },
    /// The code stopped with a run-time error (division by zero, out of memory, a fault, …).
    Failed(DeviceError),
}

/// The framed request/reply channel under a [`Device`].
struct Channel<L: Link> {
    link: L,
    deframer: Deframer,
    seq: u8,
    reply_timeout: Duration,
    buf: Vec<u8>,
}

impl<L: Link> Channel<L> {
    fn io_error(&self, e: std::io::Error) -> LinkError {
        LinkError::from_io(self.link.describe(), e)
    }

    /// Sends `request` with the next sequence number, which it returns.
    fn send(&mut self, request: &Request) -> Result<u8, LinkError> {
        self.seq = self.seq.wrapping_add(1);
        let bytes =
            encode_frame(&request.encode(self.seq)).map_err(|e| LinkError::InvalidRequest {
                detail: e.to_string(),
            })?;
        self.link.send(&bytes).map_err(|e| self.io_error(e))?;
        Ok(self.seq)
    }

    /// Waits for the reply to `request` (sent with `seq`): `timeout` bounds the whole wait
    /// (`None` = no limit), and a frame the device has started must be finished within the
    /// reply timeout. `expecting` names the awaited reply for messages.
    fn receive(
        &mut self,
        request: Kind,
        seq: u8,
        timeout: Option<Duration>,
        expecting: &str,
    ) -> Result<Reply, LinkError> {
        let started = Instant::now();
        let deadline = timeout.map(|t| started + t);
        // When the deframer holds part of a frame: since when nothing more arrived.
        let mut stalled_since: Option<Instant> = None;
        loop {
            match self.deframer.next_frame() {
                Some(Ok(frame)) => return self.check(frame, request, seq),
                Some(Err(e)) => {
                    return Err(LinkError::Protocol {
                        detail: format!(
                            "corrupt frame from {} while waiting for {expecting} to {request} \
                             (seq {seq}): {e}",
                            self.link.describe()
                        ),
                    });
                }
                None => {}
            }

            let now = Instant::now();
            let mut wait = IDLE_POLL;
            if let Some(deadline) = deadline {
                if now >= deadline {
                    return Err(LinkError::Timeout {
                        waiting_for: format!(
                            "{expecting} to {request} (seq {seq}) from {} for {:?}",
                            self.link.describe(),
                            deadline - started
                        ),
                    });
                }
                wait = wait.min(deadline - now);
            }
            if self.deframer.buffered() > 0 {
                let since = *stalled_since.get_or_insert(now);
                let stall_deadline = since + self.reply_timeout;
                if now >= stall_deadline {
                    return Err(LinkError::Protocol {
                        detail: format!(
                            "{} stopped in the middle of a frame ({} bytes received, then \
                             nothing for {:?}) while sending {expecting} to {request} (seq {seq})",
                            self.link.describe(),
                            self.deframer.buffered(),
                            self.reply_timeout
                        ),
                    });
                }
                wait = wait.min(stall_deadline - now);
            }

            let n = self
                .link
                .recv(&mut self.buf, wait)
                .map_err(|e| LinkError::from_io(self.link.describe(), e))?;
            if n > 0 {
                self.deframer.push(&self.buf[..n]);
                stalled_since = None;
            }
        }
    }

    /// Decodes a reply frame and checks its sequence number.
    fn check(&self, frame: Frame, request: Kind, seq: u8) -> Result<Reply, LinkError> {
        let reply = Reply::decode(&frame).map_err(|e| LinkError::Protocol {
            detail: format!(
                "undecodable reply to {request} (seq {seq}) from {}: {e}",
                self.link.describe()
            ),
        })?;
        if frame.seq != seq {
            return Err(LinkError::Protocol {
                detail: format!(
                    "{} replied {} with seq {} to {request} sent with seq {seq}",
                    self.link.describe(),
                    reply.kind(),
                    frame.seq
                ),
            });
        }
        Ok(reply)
    }

    /// The error for a reply that makes no sense for `request`.
    fn unexpected(&self, reply: &Reply, request: Kind, expecting: &str) -> LinkError {
        LinkError::Protocol {
            detail: format!(
                "{} replied {} to {request}, expected {expecting}",
                self.link.describe(),
                reply.kind()
            ),
        }
    }

    /// Sends a request that must be acknowledged with OK.
    fn request_ok(&mut self, request: &Request) -> Result<(), LinkError> {
        let kind = request.kind();
        let seq = self.send(request)?;
        match self.receive(kind, seq, Some(self.reply_timeout), "OK")? {
            Reply::Ok { kind: acked } if acked == kind.code() => Ok(()),
            Reply::Ok { kind: acked } => Err(LinkError::Protocol {
                detail: format!(
                    "{} acknowledged kind 0x{acked:02x} in its reply to {kind} (seq {seq})",
                    self.link.describe()
                ),
            }),
            Reply::Error(error) => Err(LinkError::Refused {
                request: kind,
                error,
            }),
            other => Err(self.unexpected(&other, kind, "OK")),
        }
    }

    /// HELLO: checks the version and returns the device's description.
    fn hello(&mut self) -> Result<DeviceInfo, LinkError> {
        let seq = self.send(&Request::Hello {
            version: PROTOCOL_VERSION,
        })?;
        let expecting = "HELLO_REPLY";
        match self.receive(Kind::Hello, seq, Some(self.reply_timeout), expecting)? {
            Reply::HelloReply(info) if info.version != PROTOCOL_VERSION => {
                Err(LinkError::BadVersion {
                    device: info.version,
                    host: PROTOCOL_VERSION,
                })
            }
            Reply::HelloReply(info) => {
                if usize::from(info.max_payload) <= 4 {
                    return Err(LinkError::Protocol {
                        detail: format!(
                            "{} accepts payloads of at most {} bytes: too small for LOAD",
                            self.link.describe(),
                            info.max_payload
                        ),
                    });
                }
                Ok(info)
            }
            Reply::Error(e) if e.error_code() == ErrorCode::BadVersion => {
                Err(LinkError::BadVersion {
                    device: u16::try_from(e.detail1).unwrap_or(u16::MAX),
                    host: PROTOCOL_VERSION,
                })
            }
            Reply::Error(error) => Err(LinkError::Refused {
                request: Kind::Hello,
                error,
            }),
            other => Err(self.unexpected(&other, Kind::Hello, expecting)),
        }
    }
}

/// A connected device: the client side of the protocol.
///
/// Requests are answered one at a time. HELLO, LOAD, RESET and MEMINFO replies must come within
/// the [reply timeout](Device::set_reply_timeout); a CALL may run as long as it likes unless a
/// [call timeout](Device::set_call_timeout) is set. Version 1 of the protocol has no
/// retransmission, so a corrupt frame from the device is an error.
pub struct Device<L: Link> {
    channel: Channel<L>,
    info: DeviceInfo,
    call_timeout: Option<Duration>,
}

impl<L: Link> Device<L> {
    /// Says HELLO over `link` and checks the device's protocol version. `reply_timeout` bounds
    /// the wait for this and every later non-CALL reply.
    pub fn connect(link: L, reply_timeout: Duration) -> Result<(Device<L>, DeviceInfo), LinkError> {
        let mut channel = Channel {
            link,
            deframer: Deframer::new(),
            seq: 0,
            reply_timeout,
            buf: vec![0; 4096],
        };
        let info = channel.hello()?;
        let device = Device {
            channel,
            info,
            call_timeout: None,
        };
        Ok((device, info))
    }

    /// What the device said in its last HELLO_REPLY.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Says HELLO again (e.g. to learn the new session id after [`reset`](Device::reset)).
    pub fn hello(&mut self) -> Result<DeviceInfo, LinkError> {
        self.info = self.channel.hello()?;
        Ok(self.info)
    }

    /// The time the device has for non-CALL replies.
    pub fn reply_timeout(&self) -> Duration {
        self.channel.reply_timeout
    }

    /// Sets the time the device has for non-CALL replies (and to finish a started frame).
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.channel.reply_timeout = timeout;
    }

    /// The limit on a whole CALL, if any.
    pub fn call_timeout(&self) -> Option<Duration> {
        self.call_timeout
    }

    /// Limits how long a CALL may take to finish; `None` (the default) waits forever.
    pub fn set_call_timeout(&mut self, timeout: Option<Duration>) {
        self.call_timeout = timeout;
    }

    /// The most bytes one LOAD frame carries for this device.
    pub fn load_chunk_size(&self) -> usize {
        usize::from(self.info.max_payload).min(MAX_PAYLOAD) - 4
    }

    /// Copies `bytes` to `addr` on the device, in as many LOAD frames as needed, each of which
    /// must be acknowledged. Nothing is sent for empty `bytes`.
    pub fn load(&mut self, addr: u32, bytes: &[u8]) -> Result<(), LinkError> {
        if u64::from(addr) + bytes.len() as u64 > 1 << 32 {
            return Err(LinkError::InvalidRequest {
                detail: format!(
                    "a load of {} bytes at 0x{addr:08x} passes the end of the 32-bit address space",
                    bytes.len()
                ),
            });
        }
        let mut at = addr;
        for chunk in bytes.chunks(self.load_chunk_size()) {
            self.channel.request_ok(&Request::Load {
                addr: at,
                bytes: chunk.to_vec(),
            })?;
            // Cannot overflow past the last chunk's end, checked above; wraps to 0 only after it.
            at = at.wrapping_add(chunk.len() as u32);
        }
        Ok(())
    }

    /// Runs the code at `entry`. Program output is passed to `on_output(stream, text)` as it
    /// arrives (stream 0 = standard output, 1 = standard error). A run-time error in the program
    /// is [`CallOutcome::Failed`], not an `Err`.
    pub fn call(
        &mut self,
        entry: u32,
        on_output: &mut dyn FnMut(u8, &[u8]),
    ) -> Result<CallOutcome, LinkError> {
        let seq = self.channel.send(&Request::Call { entry })?;
        let started = Instant::now();
        let expecting = "OUTPUT, RESULT or ERROR";
        loop {
            let remaining = self
                .call_timeout
                .map(|t| t.saturating_sub(started.elapsed()));
            match self
                .channel
                .receive(Kind::Call, seq, remaining, expecting)?
            {
                Reply::Output { stream, text } => on_output(stream, &text),
                Reply::Result { micros } => return Ok(CallOutcome::Finished { micros }),
                Reply::Error(error) => return Ok(CallOutcome::Failed(error)),
                other => return Err(self.channel.unexpected(&other, Kind::Call, expecting)),
            }
        }
    }

    /// Clears the device's heap, code and data. The device picks a new session id; call
    /// [`hello`](Device::hello) to learn it.
    pub fn reset(&mut self) -> Result<(), LinkError> {
        self.channel.request_ok(&Request::Reset)
    }

    /// The device's memory usage.
    pub fn meminfo(&mut self) -> Result<MemInfo, LinkError> {
        let seq = self.channel.send(&Request::MemInfo)?;
        let expecting = "MEMINFO_REPLY";
        let timeout = Some(self.channel.reply_timeout);
        match self
            .channel
            .receive(Kind::MemInfo, seq, timeout, expecting)?
        {
            Reply::MemInfo(info) => Ok(info),
            Reply::Error(error) => Err(LinkError::Refused {
                request: Kind::MemInfo,
                error,
            }),
            other => Err(self.channel.unexpected(&other, Kind::MemInfo, expecting)),
        }
    }

    /// The link, e.g. to ask a [`ProcessLink`](crate::ProcessLink) for its exit status.
    pub fn link(&self) -> &L {
        &self.channel.link
    }

    /// The link, mutably.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.channel.link
    }

    /// Gives the link back.
    pub fn into_link(self) -> L {
        self.channel.link
    }

    /// What the link is connected to.
    pub fn describe(&self) -> String {
        self.channel.link.describe()
    }
}

impl<L: Link> std::fmt::Debug for Device<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("link", &self.channel.link.describe())
            .field("info", &self.info)
            .field("seq", &self.channel.seq)
            .field("reply_timeout", &self.channel.reply_timeout)
            .field("call_timeout", &self.call_timeout)
            .finish()
    }
}
