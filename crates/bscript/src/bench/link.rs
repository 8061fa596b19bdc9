//! `bench link`: runs one scripted session twice, over a clean link and over a link that loses,
//! damages, repeats and delays frames, and checks that both give the same transcript.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use serde_json::json;

use super::repl::repl_input;
use super::report::{self, Header, rounded};
use crate::Cli;

/// The `i`-th input of the link script: the REPL benchmark's inputs, and now and then a
/// run-time error, a compile error, output of several frames, or a class (code of several LOAD
/// frames).
pub fn link_input(i: usize) -> String {
    match i % 20 {
        7 => format!("print(v{} / (v{} - v{}))", i - 3, i - 3, i - 3),
        11 => format!("let broken{i}: integer = 'text {i}'"),
        13 => format!(
            "for (let k = 0; k < 40; k++) {{ print('line ' + k + ' of input {i}: ' + (k * {i})) }}"
        ),
        17 => {
            let methods: String = (0..24)
                .map(|m| {
                    format!("m{m}(x: integer): integer {{ return this.a * x + {m} + this.b }} ")
                })
                .collect();
            format!(
                "class C{i} {{ a: integer; b: integer; constructor(a: integer) {{ this.a = a; this.b = {i} }} {methods}}} print(new C{i}(3).m23(2))"
            )
        }
        _ => repl_input(i),
    }
}

/// The scripted session resets the device after this many inputs.
const RESET_EVERY: usize = 100;

/// A scripted session's transcript: each input, its output, and its errors in the short form.
struct Transcript {
    text: String,
    elapsed: Duration,
    link: bs_session::LinkStats,
    faults: Option<bs_session::FaultStats>,
}

fn scripted_session(
    cli: &Cli,
    faults: Option<bs_session::FaultRates>,
    inputs: usize,
    watchdog: &Watchdog,
) -> anyhow::Result<Transcript> {
    let options = bs_session::SessionOptions {
        faults,
        ..crate::session_options(cli)
    };
    let mut session = bs_session::Session::start(&options)
        .map_err(|e| anyhow::anyhow!("cannot start the {} device: {e}", cli.target))?;
    let label = match faults {
        Some(f) => format!("faults {f}"),
        None => "clean link".to_string(),
    };
    let started = std::time::Instant::now();
    let mut text = String::new();
    for i in 0..inputs {
        // A small device's code region fills up after a few hundred inputs: start afresh now
        // and then, as a user would (`.reset`); the first inputs after it refer to names that
        // are gone, which is part of the transcript too.
        if i > 0 && i % RESET_EVERY == 0 {
            let _ = writeln!(text, "> .reset");
            if let Err(e) = session.reset() {
                let _ = writeln!(text, "reset failed: {e}");
            }
        }
        let input = link_input(i);
        let name = format!("<input {}>", i + 1);
        let mut output = Vec::new();
        let (outcome, _) = session.eval(&name, &input, &mut |_, b| output.extend_from_slice(b));
        let _ = writeln!(text, "> {input}");
        text.push_str(&String::from_utf8_lossy(&output));
        text.push_str(&crate::render::outcome(
            &name,
            &input,
            &outcome,
            crate::render::ErrorFormat::Short,
            false,
        ));
        watchdog.tick();
        if (i + 1) % 50 == 0 || i + 1 == inputs {
            eprint!("\rbench link: {label}: {}/{inputs} inputs", i + 1);
        }
    }
    eprintln!();
    Ok(Transcript {
        text,
        elapsed: started.elapsed(),
        link: session.link_stats(),
        faults: session.fault_stats(),
    })
}

/// One faulty run of the script: its faults, whether its transcript matched the clean one, and
/// what it did.
struct FaultyRun {
    faults: bs_session::FaultRates,
    transcript: Transcript,
    same: bool,
}

/// How long a faulty session may go without finishing an input before the benchmark calls the
/// link stalled. A healthy link finishes each input within a few seconds even at high rates.
const STALL: Duration = Duration::from_secs(120);

/// Watches a run for stalls: when the progress counter has not moved for [`STALL`], says where
/// the run stood and ends the process (a stalled link never returns on its own).
struct Watchdog {
    progress: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::mpsc::Sender<()>,
}

impl Watchdog {
    fn start(label: String) -> Watchdog {
        use std::sync::atomic::Ordering;
        let progress = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let seen = progress.clone();
        std::thread::spawn(move || {
            let mut last = (0, std::time::Instant::now());
            loop {
                match stopped.recv_timeout(Duration::from_secs(1)) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                let now = seen.load(Ordering::Relaxed);
                if now != last.0 {
                    last = (now, std::time::Instant::now());
                } else if last.1.elapsed() >= STALL {
                    eprintln!(
                        "\nbench link: STALLED: {label}: no input finished for {} s after input {now}",
                        STALL.as_secs()
                    );
                    std::process::exit(1);
                }
            }
        });
        Watchdog { progress, stop }
    }

    fn tick(&self) {
        self.progress
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let _ = self.stop.send(());
    }
}

pub fn run(
    cli: &Cli,
    inputs: usize,
    faults: &[bs_session::FaultRates],
    seeds: u64,
    out_dir: &Path,
) -> anyhow::Result<ExitCode> {
    if inputs < 1 || seeds < 1 {
        bail!("--inputs and --seeds must be at least 1");
    }
    let clean = scripted_session(cli, None, inputs, &Watchdog::start("clean link".into()))?;
    let mut runs = Vec::new();
    for rates in faults {
        for k in 0..seeds {
            let faults = bs_session::FaultRates {
                seed: rates.seed + k,
                ..*rates
            };
            let watchdog = Watchdog::start(format!("faults {faults}"));
            let transcript = scripted_session(cli, Some(faults), inputs, &watchdog)?;
            let same = transcript.text == clean.text;
            if !same {
                report_difference(&faults, &clean.text, &transcript.text);
            }
            runs.push(FaultyRun {
                faults,
                transcript,
                same,
            });
            // After every run, so that a long soak that is stopped keeps what it found.
            write_report(cli, inputs, &clean, &runs, out_dir, false)?;
        }
    }
    write_report(cli, inputs, &clean, &runs, out_dir, true)?;
    Ok(if runs.iter().all(|r| r.same) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn report_difference(faults: &bs_session::FaultRates, clean: &str, faulty: &str) {
    let (a, b) = (clean.lines(), faulty.lines());
    for (n, (x, y)) in a.zip(b).enumerate() {
        if x != y {
            eprintln!(
                "bench link: with faults {faults} the transcripts differ at line {}:\n  clean:  {x}\n  faulty: {y}",
                n + 1
            );
            return;
        }
    }
    eprintln!("bench link: with faults {faults} one transcript is a prefix of the other");
}

fn write_report(
    cli: &Cli,
    inputs: usize,
    clean: &Transcript,
    runs: &[FaultyRun],
    out_dir: &Path,
    finished: bool,
) -> anyhow::Result<()> {
    let target = cli.target.clone();
    let header = Header::now();
    let c = clean.link;
    let identical = runs.iter().filter(|r| r.same).count();

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# A scripted session over a faulty link, `{target}` device\n"
    );
    md.push_str(&header.markdown());
    let _ = writeln!(
        md,
        "- inputs: {inputs} per run (REPL benchmark inputs, run-time and compile errors, long output, classes of several LOAD frames; a reset every {RESET_EVERY} inputs)"
    );
    let _ = writeln!(
        md,
        "- faulty runs: {} ({} inputs in all), transcripts identical to the clean run's: {identical} of {}",
        runs.len(),
        runs.len() * inputs,
        runs.len()
    );
    let _ = writeln!(
        md,
        "- clean run: {:.1} s, {} frames sent, {} sent again ({} bytes of transcript)\n",
        clean.elapsed.as_secs_f64(),
        c.frames_sent,
        c.retransmissions,
        clean.text.len()
    );
    let _ = writeln!(
        md,
        "| faults | transcript | wall time (s) | frames through the injector | dropped / corrupted / duplicated / delayed | frames sent by the host | requests sent again | damaged frames skipped | repeated replies dropped | late replies dropped |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---|---:|---:|---:|---:|---:|");
    for r in runs {
        let f = r.transcript.faults.unwrap_or_default();
        let l = r.transcript.link;
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {} | {} / {} / {} / {} | {} | {} | {} | {} | {} |",
            r.faults,
            if r.same { "identical" } else { "**DIFFERENT**" },
            r.transcript.elapsed.as_secs_f64(),
            f.frames,
            f.dropped,
            f.corrupted,
            f.duplicated,
            f.delayed,
            l.frames_sent,
            l.retransmissions,
            l.corrupt_frames,
            l.duplicates,
            l.stale
        );
    }

    let json = json!({
        "benchmark": "link",
        "target": target,
        "date": header.date,
        // This report has always written double quotes in these two as single quotes.
        "machine": header.machine.replace('"', "'"),
        "command": header.command.replace('"', "'"),
        "inputs": inputs,
        "clean_seconds": rounded(clean.elapsed.as_secs_f64(), 3),
        "identical": identical == runs.len(),
        "runs": runs.iter().map(|r| {
            let f = r.transcript.faults.unwrap_or_default();
            let l = r.transcript.link;
            json!({
                "faults": r.faults.to_string(),
                "identical": r.same,
                "seconds": rounded(r.transcript.elapsed.as_secs_f64(), 3),
                "injected": {
                    "frames": f.frames,
                    "dropped": f.dropped,
                    "corrupted": f.corrupted,
                    "duplicated": f.duplicated,
                    "delayed": f.delayed,
                },
                "host": {
                    "frames_sent": l.frames_sent,
                    "retransmissions": l.retransmissions,
                    "corrupt_frames": l.corrupt_frames,
                    "duplicates": l.duplicates,
                    "stale": l.stale,
                },
            })
        }).collect::<Vec<_>>(),
    });
    let stem = format!("link-{target}");
    if finished {
        report::write(out_dir, &stem, "link", &md, &json)
    } else {
        report::write_files(out_dir, &stem, &md, &json).map(|_| ())
    }
}
