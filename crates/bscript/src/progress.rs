//! A spinner on standard error while `bscript run` compiles a program that takes more than a
//! moment (a big program's C compiler may take seconds). It appears only when standard error is
//! a terminal and a unit has been compiling for half a second, and goes as soon as the unit is
//! compiled, before its code runs and writes anything.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a unit compiles before the spinner appears.
const DELAY: Duration = Duration::from_millis(500);

/// The spinner's thread; dropping it stops the spinner.
pub struct CompileProgress {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    spinner: Spinner,
}

/// The spinner while it is shown.
type Spinner = Arc<Mutex<Option<indicatif::ProgressBar>>>;

impl CompileProgress {
    /// Watches `compiling` (`Session::compiling_flag`) for the program `name`; does nothing when
    /// standard error is not a terminal.
    pub fn start(name: &str, compiling: Arc<AtomicBool>) -> CompileProgress {
        let spinner = Spinner::default();
        if !std::io::stderr().is_terminal() {
            return CompileProgress {
                stop: None,
                thread: None,
                spinner,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let name = name.to_string();
        let shown = spinner.clone();
        let thread = std::thread::spawn(move || watch(&name, &compiling, &stopped, &shown));
        CompileProgress {
            stop: Some(stop),
            thread: Some(thread),
            spinner,
        }
    }

    /// Takes the spinner off the terminal at once (before the program writes its output).
    pub fn clear(&self) {
        clear(&self.spinner);
    }
}

fn clear(spinner: &Spinner) {
    if let Some(bar) = spinner.lock().ok().and_then(|mut s| s.take()) {
        bar.finish_and_clear();
    }
}

fn watch(name: &str, compiling: &AtomicBool, stopped: &mpsc::Receiver<()>, spinner: &Spinner) {
    let mut since: Option<Instant> = None;
    // Until told to stop (or the sender is gone), looking every 50 ms.
    while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Duration::from_millis(50))
    {
        if compiling.load(Ordering::Relaxed) {
            let start = *since.get_or_insert_with(Instant::now);
            let Ok(mut shown) = spinner.lock() else {
                break;
            };
            // Looked at again under the lock: the output's `clear` must find what is shown.
            if shown.is_none() && start.elapsed() >= DELAY && compiling.load(Ordering::Relaxed) {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} compiling {msg} ({elapsed})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar.set_message(name.to_string());
                bar.enable_steady_tick(Duration::from_millis(100));
                *shown = Some(bar);
            }
        } else {
            since = None;
            clear(spinner);
        }
    }
    clear(spinner);
}

impl Drop for CompileProgress {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
