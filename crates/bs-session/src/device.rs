//! The session's handle on its device: starts the runtime process, checks the handshake against
//! the runtime image the host links with, and restarts the device after it died.

use std::path::PathBuf;
use std::time::Duration;

use bs_link::RuntimeImage;
use bs_protocol::{DeviceInfo, MemInfo};
use bs_transport::{CallOutcome, Device, Link, LinkError, ProcessLink};

/// Why a session could not start, or why the device failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("unknown target `{0}` (known targets: host)")]
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

/// A running device and how to start it again.
pub struct DeviceHandle {
    device: Device<Box<dyn Link>>,
    info: DeviceInfo,
    program: PathBuf,
    reply_timeout: Duration,
    build_id: [u8; 8],
    pid: u32,
}

impl DeviceHandle {
    pub fn start(
        program: PathBuf,
        reply_timeout: Duration,
        image: &RuntimeImage,
    ) -> Result<(DeviceHandle, DeviceInfo), SessionError> {
        let (device, info, pid) = connect(&program, reply_timeout, &image.build_id)?;
        let handle = DeviceHandle {
            device,
            info,
            program,
            reply_timeout,
            build_id: image.build_id,
            pid,
        };
        Ok((handle, info))
    }

    pub fn info(&self) -> &DeviceInfo {
        &self.info
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

    pub fn meminfo(&mut self) -> Result<MemInfo, SessionError> {
        Ok(self.device.meminfo()?)
    }

    /// The process id of the runtime (the host device is a process).
    pub fn process_id(&self) -> u32 {
        self.pid
    }

    /// Stops the device and starts a fresh one.
    pub fn restart(&mut self) -> Result<DeviceInfo, SessionError> {
        let (device, info, pid) = connect(&self.program, self.reply_timeout, &self.build_id)?;
        self.device = device;
        self.pid = pid;
        self.info = info;
        Ok(info)
    }
}

/// A device after the handshake, its description and its process id.
type Connected = (Device<Box<dyn Link>>, DeviceInfo, u32);

fn connect(
    program: &PathBuf,
    reply_timeout: Duration,
    build_id: &[u8; 8],
) -> Result<Connected, SessionError> {
    let link = ProcessLink::spawn(program, std::iter::empty::<&str>()).map_err(|source| {
        SessionError::Spawn {
            program: program.clone(),
            source,
        }
    })?;
    let pid = link.pid();
    let (device, info) = Device::connect(Box::new(link) as Box<dyn Link>, reply_timeout)?;
    if info.build_id != *build_id {
        return Err(SessionError::BuildIdMismatch {
            device: hex(&info.build_id),
            host: hex(build_id),
        });
    }
    Ok((device, info, pid))
}
