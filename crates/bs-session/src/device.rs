//! The session's handle on its device: starts it (the runtime as a child process for the `host`
//! port, QEMU running the runtime image for an emulated board), checks the handshake against the
//! runtime image the host links with, and restarts the device after it died. A device on a serial
//! port (a board) is not started but attached to, and cannot be restarted.

mod qemu;

use std::path::PathBuf;
use std::time::Duration;

use bs_link::RuntimeImage;
use bs_protocol::auth::Key;
use bs_protocol::{DeviceInfo, MemInfo};
use bs_toolchain::Launch;
use bs_transport::{
    CallOutcome, Device, FaultLink, FaultRates, FaultStats, Interrupter, Link, LinkError,
    PacedLink, ProcessLink, SerialLink,
};
use std::sync::{Arc, Mutex, PoisonError};

use qemu::QemuLink;
pub use qemu::find_program;

/// The names of every target, for messages.
fn known_targets() -> String {
    bs_toolchain::PORTS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a session could not start, or why the device failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown target `{0}` (known targets: {targets})", targets = known_targets())]
    UnknownTarget(String),
    #[error(transparent)]
    Toolchain(#[from] bs_toolchain::ToolchainError),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the device runtime {program}: {source}")]
    Spawn {
        program: PathBuf,
        source: std::io::Error,
    },
    #[error("{source}")]
    Serial {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the device on serial port {path} cannot be restarted by bscript; reset or power-cycle \
         the board (or restart its QEMU), then start bscript again"
    )]
    NoRestart { path: String },
    #[error("the runtime image is unusable: {0}")]
    Image(#[from] bs_link::RuntimeError),
    #[error(
        "the device runs a runtime built from other sources (build id {device}) than the image \
         the host links against (build id {host}); rebuild or restart the device with this \
         version of bscript"
    )]
    BuildIdMismatch { device: String, host: String },
    #[error(transparent)]
    Link(#[from] LinkError),
}

fn hex(id: &[u8; 8]) -> String {
    format!("{:016x}", u64::from_le_bytes(*id))
}

/// What is done to the device's link on purpose: faults injected into its frames (to test the
/// reliable link), and pacing to a UART's rate (to measure as a board on a serial line would).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkShaping {
    /// Lose, damage, repeat and delay frames at these rates.
    pub faults: Option<FaultRates>,
    /// Move the bytes of both directions no faster than a UART at this many baud (10 bits a
    /// byte).
    pub rate: Option<u32>,
}

/// The link's shaping, with the counts the injected faults share across restarts.
#[derive(Clone, Debug)]
struct Shaping {
    faults: Option<(FaultRates, Arc<Mutex<FaultStats>>)>,
    rate: Option<u32>,
}

impl Shaping {
    fn new(shaping: LinkShaping) -> Shaping {
        Shaping {
            faults: shaping.faults.map(|rates| (rates, Arc::default())),
            rate: shaping.rate,
        }
    }

    /// Paces `link` when a rate is asked for, then injects faults into the frames on it.
    fn apply(&self, link: Box<dyn Link>) -> Box<dyn Link> {
        let link: Box<dyn Link> = match self.rate {
            None => link,
            Some(baud) => Box::new(PacedLink::new(link, baud)),
        };
        match &self.faults {
            None => link,
            Some((rates, shared)) => {
                Box::new(FaultLink::with_stats(link, *rates, Arc::clone(shared)))
            }
        }
    }
}

/// Where a device came from.
#[derive(Clone, Debug)]
enum Origin {
    /// Started by the session, as the port says.
    Started(Launch),
    /// Already running on this serial port.
    Serial { path: String },
}

/// A running device and how to start it again.
pub struct DeviceHandle {
    device: Device<Box<dyn Link>>,
    info: DeviceInfo,
    origin: Origin,
    program: PathBuf,
    reply_timeout: Duration,
    build_id: [u8; 8],
    pid: u32,
    /// What is done to the link: faults (and what they did so far) and pacing.
    shaping: Shaping,
    /// QEMU counts instructions for its clock (`-icount shift=0`).
    icount: bool,
    /// Stops the running CALL; the same for every device the handle starts.
    interrupter: Interrupter,
    /// Every CALL that runs longer is interrupted.
    call_time_limit: Option<Duration>,
    /// The pairing key requests are authenticated with, if the project has one.
    key: Option<Key>,
}

impl DeviceHandle {
    /// Starts the device as `launch` says, running the runtime image `program`.
    pub fn start(
        launch: Launch,
        program: PathBuf,
        reply_timeout: Duration,
        image: &RuntimeImage,
        shaping: LinkShaping,
        icount: bool,
        key: Option<Key>,
    ) -> Result<(DeviceHandle, DeviceInfo), SessionError> {
        let shaping = Shaping::new(shaping);
        let (mut device, info, pid) = connect(
            launch,
            &program,
            reply_timeout,
            &image.build_id,
            &shaping,
            icount,
            &key,
        )?;
        let interrupter = Interrupter::new();
        device.set_interrupter(interrupter.clone());
        let handle = DeviceHandle {
            device,
            info,
            origin: Origin::Started(launch),
            program,
            reply_timeout,
            build_id: image.build_id,
            pid,
            shaping,
            icount,
            interrupter,
            call_time_limit: None,
            key,
        };
        Ok((handle, info))
    }

    /// Connects to a device that already runs the runtime `image` on the serial port `path`.
    pub fn attach(
        path: &str,
        baud: u32,
        reply_timeout: Duration,
        image: &RuntimeImage,
        shaping: LinkShaping,
        key: Option<Key>,
    ) -> Result<(DeviceHandle, DeviceInfo), SessionError> {
        let link = SerialLink::open(path, baud).map_err(|source| SessionError::Serial {
            path: path.to_owned(),
            source,
        })?;
        let shaping = Shaping::new(shaping);
        let link = shaping.apply(Box::new(link));
        let (mut device, info) = handshake(link, reply_timeout, &image.build_id, &key)?;
        let interrupter = Interrupter::new();
        device.set_interrupter(interrupter.clone());
        let handle = DeviceHandle {
            device,
            info,
            origin: Origin::Serial {
                path: path.to_owned(),
            },
            program: PathBuf::new(),
            reply_timeout,
            build_id: image.build_id,
            pid: 0,
            shaping,
            icount: false,
            interrupter,
            call_time_limit: None,
            key,
        };
        Ok((handle, info))
    }

    /// What the device is connected through, for messages.
    pub fn describe(&self) -> String {
        self.device.link().describe()
    }

    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Interrupts every CALL that runs longer than `limit` (on this device and those that
    /// replace it).
    pub fn set_call_time_limit(&mut self, limit: Option<Duration>) {
        self.call_time_limit = limit;
        self.device.set_call_time_limit(limit);
    }

    /// The time limit, if the last CALL was interrupted because it reached it.
    pub fn timed_out(&self) -> Option<Duration> {
        self.call_time_limit
            .filter(|_| self.device.last_call_timed_out())
    }

    /// The request that stops the running CALL (it stays the same across restarts).
    pub fn interrupter(&self) -> &Interrupter {
        &self.interrupter
    }

    pub fn load(&mut self, addr: u32, bytes: &[u8]) -> Result<(), SessionError> {
        Ok(self.device.load(addr, bytes)?)
    }

    pub fn call(
        &mut self,
        entry: u32,
        out: &mut dyn FnMut(u8, &[u8]),
    ) -> Result<CallOutcome, SessionError> {
        Ok(self.device.call(entry, out)?)
    }

    /// Writes `loads` (address and bytes each) and runs the code at `entry`, passing output,
    /// profiles and patches through `events`; the bytes travel in the CALL as far as they fit.
    pub fn load_and_call(
        &mut self,
        loads: &[(u32, &[u8])],
        entry: u32,
        events: &mut dyn bs_transport::CallEvents,
    ) -> Result<CallOutcome, SessionError> {
        Ok(self.device.load_and_call(loads, entry, events)?)
    }

    /// Runs the code at `entry`, passing output, profiles and patches through `events`.
    pub fn call_with(
        &mut self,
        entry: u32,
        events: &mut dyn bs_transport::CallEvents,
    ) -> Result<CallOutcome, SessionError> {
        Ok(self.device.call_with(entry, events)?)
    }

    /// Writes a word of the data region if it holds what `swap` expects.
    pub fn swap(
        &mut self,
        swap: &bs_transport::Swap,
    ) -> Result<bs_transport::SwapResult, SessionError> {
        Ok(self.device.swap(swap)?)
    }

    /// Reads `len` bytes of the device's code or data region.
    pub fn peek(&mut self, addr: u32, len: usize) -> Result<Vec<u8>, SessionError> {
        Ok(self.device.peek(addr, len)?)
    }

    pub fn meminfo(&mut self, collect: bool) -> Result<MemInfo, SessionError> {
        Ok(self.device.meminfo(collect)?)
    }

    /// Fetches the device's event records (EVENTS).
    pub fn events(&mut self) -> Result<bs_protocol::EventsReport, SessionError> {
        Ok(self.device.events()?)
    }

    /// The flags of the last RESULT (`bs_abi::EVENTS_*`).
    pub fn last_result_flags(&self) -> u8 {
        self.device.last_result_flags()
    }

    /// Clears the device's heap, code and data (RESET) and shakes hands again.
    pub fn reset(&mut self) -> Result<DeviceInfo, SessionError> {
        self.device.reset()?;
        let info = self.device.hello()?;
        self.info = info;
        Ok(info)
    }

    /// The process id of the device: the runtime of the host device, or QEMU; 0 for a device on
    /// a serial port.
    pub fn process_id(&self) -> u32 {
        self.pid
    }

    /// Starts a new session with a device that was reset (it runs, but lost everything): says
    /// HELLO again and checks it still runs the same runtime.
    pub fn resume(&mut self) -> Result<DeviceInfo, SessionError> {
        let info = self.device.hello()?;
        check_build_id(&info, &self.build_id)?;
        self.info = info;
        Ok(info)
    }

    /// What the reliable link had to do so far (since the device was last started).
    pub fn link_stats(&self) -> bs_transport::LinkStats {
        self.device.stats()
    }

    /// What the injected faults did so far, if faults are injected.
    pub fn fault_stats(&self) -> Option<FaultStats> {
        self.shaping
            .faults
            .as_ref()
            .map(|(_, s)| *s.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Stops the device and starts a fresh one; a device on a serial port cannot be restarted.
    pub fn restart(&mut self) -> Result<DeviceInfo, SessionError> {
        let launch = match &self.origin {
            Origin::Started(launch) => *launch,
            Origin::Serial { path, .. } => {
                return Err(SessionError::NoRestart { path: path.clone() });
            }
        };
        // The old device (its process: the runtime or QEMU) is killed when it is replaced.
        let (mut device, info, pid) = connect(
            launch,
            &self.program,
            self.reply_timeout,
            &self.build_id,
            &self.shaping,
            self.icount,
            &self.key,
        )?;
        // A request made for the call that failed is no request for the fresh device.
        self.interrupter.clear();
        device.set_interrupter(self.interrupter.clone());
        device.set_call_time_limit(self.call_time_limit);
        self.device = device;
        self.pid = pid;
        self.info = info;
        Ok(info)
    }
}

/// A device after the handshake, its description and its process id.
type Connected = (Device<Box<dyn Link>>, DeviceInfo, u32);

fn connect(
    launch: Launch,
    program: &PathBuf,
    reply_timeout: Duration,
    build_id: &[u8; 8],
    shaping: &Shaping,
    icount: bool,
    key: &Option<Key>,
) -> Result<Connected, SessionError> {
    let spawn_error = |source| SessionError::Spawn {
        program: program.clone(),
        source,
    };
    let (link, pid): (Box<dyn Link>, u32) = match launch {
        Launch::Process => {
            let link =
                ProcessLink::spawn(program, std::iter::empty::<&str>()).map_err(spawn_error)?;
            let pid = link.pid();
            (Box::new(link), pid)
        }
        Launch::Qemu(machine) => {
            let link = QemuLink::start(&machine, program, icount).map_err(spawn_error)?;
            let pid = link.pid();
            (Box::new(link), pid)
        }
    };
    let (device, info) = handshake(shaping.apply(link), reply_timeout, build_id, key)?;
    Ok((device, info, pid))
}

/// Says HELLO over `link` and checks that the device runs the runtime of `build_id`.
fn handshake(
    link: Box<dyn Link>,
    reply_timeout: Duration,
    build_id: &[u8; 8],
    key: &Option<Key>,
) -> Result<(Device<Box<dyn Link>>, DeviceInfo), SessionError> {
    let (mut device, info) = Device::connect_with_key(link, reply_timeout, key.clone())?;
    check_build_id(&info, build_id)?;
    // Where a key is involved on either side, one authenticated request now tells whether the
    // device runs this host's requests, before any input is compiled for it.
    if key.is_some() || info.auth.is_some() {
        device.meminfo(false)?;
    }
    Ok((device, info))
}

fn check_build_id(info: &DeviceInfo, build_id: &[u8; 8]) -> Result<(), SessionError> {
    if info.build_id != *build_id {
        return Err(SessionError::BuildIdMismatch {
            device: hex(&info.build_id),
            host: hex(build_id),
        });
    }
    Ok(())
}
