//! `bscript bench …`: measurements of bscript itself, written to `benchmarks/results/` with the
//! machine, the command and the date.
//!
//! `bench repl` types distinct one-line inputs into a live session and reports the median and
//! 90th percentile of each stage of an input (parse+check, C generation, C compiler, link,
//! transfer, run) and of the whole.
//!
//! `bench link` runs one scripted session twice, over a clean link and over a link that loses,
//! damages, repeats and delays frames, and checks that both give the same transcript.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use bs_session::{Outcome, Timings};

use crate::{Cli, start_session};

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Latency of one REPL input, stage by stage.
    Repl {
        /// Number of inputs to type.
        #[arg(long, default_value_t = 200)]
        count: usize,
        /// Folder for the results (Markdown and JSON).
        #[arg(long, default_value = "benchmarks/results")]
        out: PathBuf,
    },
    /// The Are We Fast Yet programs on every installed system: a table of times and ratios.
    Awfy(crate::suite::SuiteArgs),
    /// The DSP kernels (CRC-32, FFT, FIR, IIR, SHA-256) on every installed system.
    Dsp(crate::suite::SuiteArgs),
    /// The same scripted session over a clean and a faulty link: the transcripts must agree.
    Link {
        /// Number of inputs of the script.
        #[arg(long, default_value_t = 1000)]
        inputs: usize,
        /// The faults of the second run.
        #[arg(
            long,
            value_name = "FAULTS",
            default_value = "drop=5%,corrupt=5%,duplicate=1%,seed=1"
        )]
        faults: bs_session::FaultRates,
        /// Folder for the results (Markdown and JSON).
        #[arg(long, default_value = "benchmarks/results")]
        out: PathBuf,
    },
}

pub fn run(cli: &Cli, what: &BenchCommand) -> anyhow::Result<ExitCode> {
    match what {
        BenchCommand::Repl { count, out } => repl(cli, *count, out),
        BenchCommand::Awfy(args) => crate::suite::run(cli, crate::suite::Suite::Awfy, args),
        BenchCommand::Dsp(args) => crate::suite::run(cli, crate::suite::Suite::Dsp, args),
        BenchCommand::Link {
            inputs,
            faults,
            out,
        } => link(cli, *inputs, *faults, out),
    }
}

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

fn link(
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
    let date = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let machine = machine_description();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let f = faulty.faults.unwrap_or_default();
    let (l, c) = (faulty.link, clean.link);

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# A scripted session over a faulty link, `{target}` device
"
    );
    let _ = writeln!(md, "- date: {date}");
    let _ = writeln!(md, "- machine: {machine}");
    let _ = writeln!(md, "- command: `{command}`");
    let _ = writeln!(
        md,
        "- inputs: {inputs} (REPL benchmark inputs, run-time and compile errors, long output, classes of several LOAD frames; a reset every {RESET_EVERY} inputs)"
    );
    let _ = writeln!(md, "- faults: {faults}");
    let _ = writeln!(
        md,
        "- transcripts: {} ({} bytes)
",
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

    let json = format!(
        "{{\n  \"benchmark\": \"link\",\n  \"target\": \"{target}\",\n  \"date\": \"{date}\",\n  \"machine\": \"{}\",\n  \"command\": \"{}\",\n  \"inputs\": {inputs},\n  \"faults\": \"{faults}\",\n  \"identical\": {same},\n  \"clean_seconds\": {:.3},\n  \"faulty_seconds\": {:.3},\n  \"injected\": {{ \"frames\": {}, \"dropped\": {}, \"corrupted\": {}, \"duplicated\": {}, \"delayed\": {} }},\n  \"host\": {{ \"frames_sent\": {}, \"retransmissions\": {}, \"corrupt_frames\": {}, \"duplicates\": {}, \"stale\": {} }}\n}}\n",
        machine.replace('"', "'"),
        command.replace('"', "'"),
        clean.elapsed.as_secs_f64(),
        faulty.elapsed.as_secs_f64(),
        f.frames,
        f.dropped,
        f.corrupted,
        f.duplicated,
        f.delayed,
        l.frames_sent,
        l.retransmissions,
        l.corrupt_frames,
        l.duplicates,
        l.stale,
    );
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let md_path = out_dir.join(format!("link-{target}.md"));
    let json_path = out_dir.join(format!("link-{target}.json"));
    std::fs::write(&md_path, &md).with_context(|| format!("cannot write {}", md_path.display()))?;
    std::fs::write(&json_path, &json)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    print!("{md}");
    eprintln!(
        "bench link: results written to {} and {}",
        md_path.display(),
        json_path.display()
    );
    if !same {
        let (a, b) = (clean.text.lines(), faulty.text.lines());
        for (n, (x, y)) in a.zip(b).enumerate() {
            if x != y {
                eprintln!(
                    "bench link: the transcripts differ at line {}:
  clean:  {x}
  faulty: {y}",
                    n + 1
                );
                break;
            }
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `i`-th input of the benchmark: declarations, function definitions, calls and loops, each
/// distinct from every other so that nothing could be cached.
pub fn repl_input(i: usize) -> String {
    match i % 4 {
        0 => format!("let v{i}: integer = {i} * 7 + 1"),
        1 => format!("function f{i}(x: integer): integer {{ return x * {i} + 3 }}"),
        2 => format!("print(f{}(v{}) + {i})", i - 1, i - 2),
        _ => format!(
            "for (let k = 0; k < {i}; k++) {{ v{} += k }} print('v{} = ' + v{})",
            i - 3,
            i - 3,
            i - 3
        ),
    }
}

struct Stage {
    name: &'static str,
    get: fn(&Timings) -> Duration,
}

const STAGES: &[Stage] = &[
    Stage {
        name: "parse+check",
        get: |t| t.parse_check,
    },
    Stage {
        name: "C generation",
        get: |t| t.cgen,
    },
    Stage {
        name: "C compiler",
        get: |t| t.cc,
    },
    Stage {
        name: "link",
        get: |t| t.link,
    },
    Stage {
        name: "transfer",
        get: |t| t.transfer,
    },
    Stage {
        name: "run",
        get: |t| t.run,
    },
    Stage {
        name: "total",
        get: |t| t.total(),
    },
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn repl(cli: &Cli, count: usize, out_dir: &Path) -> anyhow::Result<ExitCode> {
    if count < 4 {
        bail!("--count must be at least 4");
    }
    let Ok(mut session) = start_session(cli) else {
        return Ok(ExitCode::from(crate::EXIT_DEVICE));
    };
    let mut timings = Vec::with_capacity(count);
    let mut output = Vec::new();
    for i in 0..count {
        let input = repl_input(i);
        let (outcome, t) = session.eval(&format!("<input {}>", i + 1), &input, &mut |_, b| {
            output.extend_from_slice(b)
        });
        if !matches!(outcome, Outcome::Ok) {
            bail!("input {} failed: `{input}`: {outcome:?}", i + 1);
        }
        timings.push(t);
        if (i + 1) % 50 == 0 || i + 1 == count {
            eprint!("\rbench repl: {}/{count} inputs", i + 1);
        }
    }
    eprintln!();

    let mut rows = Vec::new();
    for stage in STAGES {
        let mut ms: Vec<f64> = timings
            .iter()
            .map(|t| (stage.get)(t).as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        let mean = ms.iter().sum::<f64>() / ms.len() as f64;
        rows.push((stage.name, percentile(&ms, 0.5), percentile(&ms, 0.9), mean));
    }

    let date = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let machine = machine_description();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let target = session.target().to_string();

    let mut md = String::new();
    let _ = writeln!(md, "# REPL latency on the `{target}` device\n");
    let _ = writeln!(md, "- date: {date}");
    let _ = writeln!(md, "- machine: {machine}");
    let _ = writeln!(md, "- command: `{command}`");
    let _ = writeln!(
        md,
        "- inputs: {count} distinct one-line inputs (declarations, functions, calls, loops)\n"
    );
    let _ = writeln!(md, "| stage | p50 (ms) | p90 (ms) | mean (ms) |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (name, p50, p90, mean) in &rows {
        let _ = writeln!(md, "| {name} | {p50:.2} | {p90:.2} | {mean:.2} |");
    }

    let mut json = String::from("{\n");
    let _ = writeln!(
        json,
        "  \"benchmark\": \"repl\",\n  \"target\": \"{target}\",\n  \"date\": \"{date}\","
    );
    let _ = writeln!(json, "  \"machine\": \"{}\",", machine.replace('"', "'"));
    let _ = writeln!(json, "  \"command\": \"{}\",", command.replace('"', "'"));
    let _ = writeln!(json, "  \"inputs\": {count},\n  \"stages_ms\": {{");
    for (i, (name, p50, p90, mean)) in rows.iter().enumerate() {
        let comma = if i + 1 < rows.len() { "," } else { "" };
        let _ = writeln!(
            json,
            "    \"{name}\": {{ \"p50\": {p50:.3}, \"p90\": {p90:.3}, \"mean\": {mean:.3} }}{comma}"
        );
    }
    json.push_str("  }\n}\n");

    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let md_path = out_dir.join(format!("repl-{target}.md"));
    let json_path = out_dir.join(format!("repl-{target}.json"));
    std::fs::write(&md_path, &md).with_context(|| format!("cannot write {}", md_path.display()))?;
    std::fs::write(&json_path, &json)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    print!("{md}");
    eprintln!(
        "bench repl: results written to {} and {}",
        md_path.display(),
        json_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

pub(crate) fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = command_output("uname", &["-sr"]);
    format!("{cpu}, {cores} cores, {kernel}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_distinct() {
        let inputs: std::collections::HashSet<String> = (0..200).map(repl_input).collect();
        assert_eq!(inputs.len(), 200);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&v, 0.5), 5.0);
        assert_eq!(percentile(&v, 0.9), 9.0);
    }
}
