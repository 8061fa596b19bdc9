//! [`SerialLink`]: a device on a serial port, such as a board's USB UART or a QEMU started with
//! `-serial pty`. The port is read on a background thread (through its own file handle, with a
//! short read timeout so that the thread notices when the link is dropped) so that `recv` can
//! time out like the other links.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::Link;
use crate::link::{ChunkQueue, Received, is_closed};

/// The baud rate of [`SerialLink::open`] when none is given: what the boards' runtimes use.
pub const DEFAULT_BAUD: u32 = 115_200;

/// How long one read of the reader thread waits before it checks whether to stop.
const READ_POLL: Duration = Duration::from_millis(50);

/// How long a write may wait for room in the port's output buffer: a slow UART drains a LOAD
/// frame in well under a second.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A link over a serial port (8 data bits, no parity, one stop bit, no flow control).
///
/// Nothing tells a serial port that the device went away: a board that stopped answering is
/// seen as a reply timeout. A port that disappears (a USB adapter unplugged, the pseudo-terminal
/// of a QEMU that exited) makes `recv` and `send` fail with `BrokenPipe`, an error that
/// [`Device`](crate::Device) reports as a closed link. Dropping the link closes the port.
pub struct SerialLink {
    port: Box<dyn serialport::SerialPort>,
    rx: ChunkQueue,
    /// How the reader thread ended: `None` when it was told to stop.
    ended: Arc<Mutex<Option<io::Error>>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    description: String,
    baud: u32,
}

impl std::fmt::Debug for SerialLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialLink")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl SerialLink {
    /// Opens the serial port `path` (e.g. `/dev/ttyACM0`, `/dev/pts/3`) at `baud` bits per
    /// second, 8N1, and discards whatever the port had buffered before.
    pub fn open(path: &str, baud: u32) -> io::Result<SerialLink> {
        let description = format!("serial port {path} at {baud} baud");
        let fail = |e: serialport::Error| {
            let e = io::Error::from(e);
            io::Error::new(e.kind(), format!("cannot open {description}: {e}"))
        };
        let port = serialport::new(path, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(WRITE_TIMEOUT)
            .open()
            .map_err(fail)?;
        // Bytes of an earlier session would only confuse the handshake.
        let _ = port.clear(serialport::ClearBuffer::All);
        let mut reading = port.try_clone().map_err(fail)?;
        reading.set_timeout(READ_POLL).map_err(fail)?;

        let ended = Arc::new(Mutex::new(None));
        let ended_by_reader = Arc::clone(&ended);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_reader = Arc::clone(&stop);
        let (tx, rx) = mpsc::channel();
        let reader = thread::Builder::new()
            .name("bs-device-serial".to_owned())
            .spawn(move || {
                let mut buf = vec![0u8; 4096];
                while !stop_reader.load(Ordering::Relaxed) {
                    match reading.read(&mut buf) {
                        Ok(0) => {}
                        Ok(n) => {
                            if tx.send(buf[..n].to_vec()).is_err() {
                                break;
                            }
                        }
                        Err(e)
                            if matches!(
                                e.kind(),
                                io::ErrorKind::TimedOut
                                    | io::ErrorKind::WouldBlock
                                    | io::ErrorKind::Interrupted
                            ) => {}
                        Err(e) => {
                            *ended_by_reader
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner) = Some(e);
                            break;
                        }
                    }
                }
            })?;
        Ok(SerialLink {
            port,
            rx: ChunkQueue::new(rx),
            ended,
            stop,
            reader: Some(reader),
            description,
            baud,
        })
    }

    /// The error for a port that went away: always a "closed" kind, with the cause.
    fn gone(&self, cause: &io::Error) -> io::Error {
        let kind = if is_closed(cause.kind()) {
            cause.kind()
        } else {
            io::ErrorKind::BrokenPipe
        };
        io::Error::new(
            kind,
            format!(
                "{} is gone (the device or its adapter went away): {cause}",
                self.description
            ),
        )
    }
}

impl Link for SerialLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.port.write_all(bytes).and_then(|()| self.port.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Err(io::Error::new(
                e.kind(),
                format!(
                    "cannot send to {}: the device did not take the bytes within {} s",
                    self.description,
                    WRITE_TIMEOUT.as_secs()
                ),
            )),
            Err(e) => Err(self.gone(&e)),
        }
    }

    /// Twice the time the longest frame takes on the wire (10 bits per byte), and a margin for
    /// the device to answer.
    fn retransmit_timeout(&self) -> Duration {
        crate::paced::line_retransmit_timeout(crate::DEFAULT_RETRANSMIT_TIMEOUT, self.baud)
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        match self.rx.recv(buf, timeout) {
            Received::Bytes(n) => Ok(n),
            Received::Disconnected => {
                let cause = self
                    .ended
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                    .unwrap_or_else(|| io::Error::other("its reader stopped"));
                let error = self.gone(&cause);
                // Keep the cause for the next call.
                *self.ended.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(io::Error::new(cause.kind(), cause.to_string()));
                Err(error)
            }
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

impl Drop for SerialLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The serial ports the system has, by path (e.g. `/dev/ttyUSB0`), with what is known of each
/// (`USB 2e8a:000a Raspberry Pi Pico`), sorted by path. An empty list when there are none or they
/// cannot be listed.
pub fn serial_ports() -> Vec<(String, String)> {
    let mut ports: Vec<(String, String)> = serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let what = match p.port_type {
                serialport::SerialPortType::UsbPort(usb) => {
                    let mut s = format!("USB {:04x}:{:04x}", usb.vid, usb.pid);
                    for part in [usb.manufacturer, usb.product].into_iter().flatten() {
                        s.push(' ');
                        s.push_str(&part);
                    }
                    s
                }
                serialport::SerialPortType::PciPort => "PCI".to_owned(),
                serialport::SerialPortType::BluetoothPort => "Bluetooth".to_owned(),
                serialport::SerialPortType::Unknown => "unknown".to_owned(),
            };
            (p.port_name, what)
        })
        .collect();
    ports.sort();
    ports
}
