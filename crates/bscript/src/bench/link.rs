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
) -> anyhow::Result<Transcript> {
    let options = bs_session::SessionOptions {
        faults,
        ..crate::session_options(cli)
    };
    let mut session = bs_session::Session::start(&options)
        .map_err(|e| anyhow::anyhow!("cannot start the {} device: {e}", cli.target))?;
    let label = if faults.is_some() { "faulty" } else { "clean" };
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
        if (i + 1) % 50 == 0 || i + 1 == inputs {
            eprint!("\rbench link: {label} link: {}/{inputs} inputs", i + 1);
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

pub fn run(
    cli: &Cli,
    inputs: usize,
    faults: bs_session::FaultRates,
    out_dir: &Path,
) -> anyhow::Result<ExitCode> {
    if inputs < 1 {
        bail!("--inputs must be at least 1");
    }
    let clean = scripted_session(cli, None, inputs)?;
    let faulty = scripted_session(cli, Some(faults), inputs)?;
    let same = clean.text == faulty.text;
    let target = cli.target.clone();
    let header = Header::now();
    let f = faulty.faults.unwrap_or_default();
    let (l, c) = (faulty.link, clean.link);

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# A scripted session over a faulty link, `{target}` device\n"
    );
    md.push_str(&header.markdown());
    let _ = writeln!(
        md,
        "- inputs: {inputs} (REPL benchmark inputs, run-time and compile errors, long output, classes of several LOAD frames; a reset every {RESET_EVERY} inputs)"
    );
    let _ = writeln!(md, "- faults: {faults}");
    let _ = writeln!(
        md,
        "- transcripts: {} ({} bytes)\n",
        if same { "identical" } else { "DIFFERENT" },
        clean.text.len()
    );
    let _ = writeln!(md, "| | clean link | faulty link |");
    let _ = writeln!(md, "|---|---:|---:|");
    let _ = writeln!(
        md,
        "| wall time (s) | {:.1} | {:.1} |",
        clean.elapsed.as_secs_f64(),
        faulty.elapsed.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "| frames through the fault injector | – | {} |",
        f.frames
    );
    let _ = writeln!(
        md,
        "| dropped / corrupted / duplicated / delayed | – | {} / {} / {} / {} |",
        f.dropped, f.corrupted, f.duplicated, f.delayed
    );
    let _ = writeln!(
        md,
        "| frames sent by the host | {} | {} |",
        c.frames_sent, l.frames_sent
    );
    let _ = writeln!(
        md,
        "| requests sent again | {} | {} |",
        c.retransmissions, l.retransmissions
    );
    let _ = writeln!(
        md,
        "| damaged frames skipped | {} | {} |",
        c.corrupt_frames, l.corrupt_frames
    );
    let _ = writeln!(
        md,
        "| repeated replies dropped | {} | {} |",
        c.duplicates, l.duplicates
    );
    let _ = writeln!(md, "| late replies dropped | {} | {} |", c.stale, l.stale);

    let json = json!({
        "benchmark": "link",
        "target": target,
        "date": header.date,
        // This report has always written double quotes in these two as single quotes.
        "machine": header.machine.replace('"', "'"),
        "command": header.command.replace('"', "'"),
        "inputs": inputs,
        "faults": faults.to_string(),
        "identical": same,
        "clean_seconds": rounded(clean.elapsed.as_secs_f64(), 3),
        "faulty_seconds": rounded(faulty.elapsed.as_secs_f64(), 3),
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
    });
    report::write(out_dir, &format!("link-{target}"), "link", &md, &json)?;
    if !same {
        let (a, b) = (clean.text.lines(), faulty.text.lines());
        for (n, (x, y)) in a.zip(b).enumerate() {
            if x != y {
                eprintln!(
                    "bench link: the transcripts differ at line {}:\n  clean:  {x}\n  faulty: {y}",
                    n + 1
                );
                break;
            }
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
