//! `bench soak`: a long scripted session of the kinds of input a person types all day
//! (definitions, redefinitions, calls, compile and run-time errors, memory exhaustion,
//! allocation-heavy code, endless loops stopped by an interrupt, now and then a `.reset`), sampling the host's and the device's memory
//! as it goes. The live state of the script is bounded, so nothing it measures may keep growing:
//! the report gives each figure's trend and fails when one grows from the middle of the run to
//! its end.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::bail;
use bs_session::{Outcome, Session};
use serde_json::json;

use super::report::{self, Header, rounded};
use crate::Cli;

/// Names the script redefines over and over.
const FUNCTIONS: usize = 10;
/// Inputs in one round of the script ([`soak_input`]).
const ROUND: usize = 22;

/// How long an endless input of the script runs before the soak interrupts it, as Ctrl-C would.
const INTERRUPT_AFTER: Duration = Duration::from_millis(30);

/// Whether input `i` of the script runs until it is interrupted: a loop of arithmetic on a
/// global (stopped in compiled code) and one that allocates (stopped in the runtime, too).
fn is_endless(i: usize) -> bool {
    matches!(i % ROUND, 16 | 17)
}

/// The inputs that set the script up: globals, a class, helpers. They run at the start and
/// again after every `.reset`.
fn prelude() -> Vec<String> {
    let mut inputs = vec![
        "class SoakPoint { x: integer; y: integer; constructor(x: integer, y: integer) { this.x = x; this.y = y } sum(): integer { return this.x + this.y } }".to_string(),
        "function soakStrings(n: integer): integer { let a: string[] = []; for (let j = 0; j < n; j++) { a.push('s' + j) } return a.length }".to_string(),
        "function soakPoints(n: integer): integer { let t = 0; for (let j = 0; j < n; j++) { t += new SoakPoint(j, 1).sum() } return t }".to_string(),
        "function soakUntyped(a, b) { return a + b }".to_string(),
    ];
    for k in 0..FUNCTIONS {
        inputs.push(format!("let sg{k}: integer = {k}"));
        inputs.push(format!(
            "function sf{k}(x: integer): integer {{ return x + {k} }}"
        ));
    }
    inputs
}

/// The `i`-th input of the script after the prelude. `heap` is the device's heap size: one input
/// in each round asks for more than that.
fn soak_input(i: usize, heap: u32) -> String {
    let k = (i / ROUND) % FUNCTIONS;
    match i % ROUND {
        0 => format!(
            "function sf{k}(x: integer): integer {{ return x * {} + {k} }}",
            i % 97
        ),
        1 => format!("print(sf{k}({i}))"),
        2 => format!("sg{k} = (sg{k} + sf{k}(2)) % 100000"),
        3 => format!("let broken: integer = 'text {i}'"),
        4 => format!("print([1, 2, 3][{}])", 3 + i % 5),
        5 => format!("print(soakStrings({}))", 50 + i % 50),
        6 => format!("print(soakUntyped({i}, 'x') + soakUntyped({i}, 1))"),
        7 => format!("print('soak ' + {i} + ': ' + sg{k})"),
        8 => format!("print(soakPoints({}))", 20 + i % 30),
        9 => format!("let tooBig = new Array<integer>({}, 0)", heap / 2),
        10 => format!("print(sg{k} / (sg{k} - sg{k}))"),
        11 => format!("print(undefinedName{i})"),
        12 => format!(
            "for (let j = 0; j < {}; j++) {{ sg{k} = (sg{k} + j) % 1000 }} print(sg{k})",
            i % 200
        ),
        13 => {
            "{ let s = 'a'; for (let j = 0; j < 6; j++) { s = s + s } print(s.length) }".to_string()
        }
        14 => format!("function sf{k}(x: integer): string {{ return 'no' }}"),
        15 => format!("print(soakUntyped(sg{k}, undefined))"),
        16 => format!("while (true) {{ sg{k} = (sg{k} + 1) % 1000 }}"),
        17 => "{ let a: string[] = []; while (true) { a.push('item ' + a.length); if (a.length > 500) { a = [] } } }".to_string(),
        _ => format!("print(sg{k} + {i})"),
    }
}

/// One sample of the figures the soak watches.
#[derive(Clone, Copy, Default)]
struct Sample {
    inputs: usize,
    seconds: f64,
    host_rss_kib: u64,
    device_rss_kib: u64,
    heap_used: u32,
    heap_blocks: u32,
    code_used: u64,
    data_used: u64,
    work_files: u64,
    names: usize,
    /// Median time of an input since the last sample, in milliseconds.
    p50_ms: f64,
}

/// A figure of [`Sample`] the report judges.
struct Figure {
    name: &'static str,
    unit: &'static str,
    get: fn(&Sample) -> f64,
    /// Growth from the middle of the run to its end that still counts as flat: a fraction of
    /// the middle value and an absolute amount.
    slack: (f64, f64),
}

const FIGURES: &[Figure] = &[
    Figure {
        name: "host RSS (bscript)",
        unit: "KiB",
        get: |s| s.host_rss_kib as f64,
        slack: (0.10, 2048.0),
    },
    Figure {
        name: "device process RSS",
        unit: "KiB",
        get: |s| s.device_rss_kib as f64,
        slack: (0.10, 2048.0),
    },
    Figure {
        name: "device heap in use",
        unit: "bytes",
        get: |s| s.heap_used as f64,
        slack: (0.10, 4096.0),
    },
    Figure {
        name: "code region in use",
        unit: "bytes",
        get: |s| s.code_used as f64,
        slack: (0.05, 1024.0),
    },
    Figure {
        name: "data region in use",
        unit: "bytes",
        get: |s| s.data_used as f64,
        slack: (0.05, 512.0),
    },
    Figure {
        name: "files in the work folder",
        unit: "files",
        get: |s| s.work_files as f64,
        slack: (0.0, 2.0),
    },
    Figure {
        name: "declared names",
        unit: "names",
        get: |s| s.names as f64,
        slack: (0.0, 0.0),
    },
    Figure {
        name: "p50 time of an input",
        unit: "ms",
        get: |s| s.p50_ms,
        slack: (0.5, 5.0),
    },
];

/// Resident memory of process `pid` in KiB (0 when it cannot be read).
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn count_files(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// Runs `input` as the `n`-th input of the session: its outcome and its time.
fn eval(session: &mut Session, n: usize, input: &str) -> (Outcome, Duration) {
    let (outcome, timings) = session.eval(&format!("<soak {n}>"), input, &mut |_, _| {});
    (outcome, timings.total())
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// What kind of outcome each input had, for the report.
#[derive(Default)]
struct Tally {
    ok: usize,
    compile_errors: usize,
    runtime_errors: usize,
    device_errors: usize,
    other: usize,
    resets: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::CompileError(_) => self.compile_errors += 1,
            Outcome::RuntimeError(_) => self.runtime_errors += 1,
            Outcome::DeviceError { .. } => self.device_errors += 1,
            _ => self.other += 1,
        }
    }
}

/// Whether input `i` of the script is expected to succeed (the others are compile errors:
/// 3, 11, 14, run-time errors: 4, 9, 10, 15, and the interrupted loops 16, 17).
fn expected_ok(i: usize) -> bool {
    !matches!(i % ROUND, 3 | 4 | 9 | 10 | 11 | 14 | 15 | 16 | 17)
}

/// Whether `outcome` is what input `i` should give: success, or the kind of failure expected of
/// it (an endless loop must end with the run-time error `interrupted`).
fn as_expected(i: usize, outcome: &Outcome) -> bool {
    match outcome {
        Outcome::Ok => expected_ok(i),
        Outcome::RuntimeError(f) if is_endless(i) => f.message.starts_with("interrupted"),
        Outcome::CompileError(_) | Outcome::RuntimeError(_) => !expected_ok(i) && !is_endless(i),
        _ => false,
    }
}

pub fn run(
    cli: &Cli,
    inputs: usize,
    sample_every: usize,
    reset_every: usize,
    out_dir: &Path,
) -> anyhow::Result<ExitCode> {
    if inputs < 4 * sample_every || sample_every == 0 {
        bail!("--inputs must be at least four times --sample (which must not be 0)");
    }
    let options = crate::session_options(cli);
    let mut session = Session::start(&options)
        .map_err(|e| anyhow::anyhow!("cannot start the {} device: {e}", cli.target))?;
    let heap = session.memory(false)?.0.heap_size;
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut surprises: Vec<String> = Vec::new();
    let mut n = 0;
    for input in prelude() {
        n += 1;
        let (outcome, _) = eval(&mut session, n, &input);
        if !matches!(outcome, Outcome::Ok) {
            bail!("the soak's set-up input `{input}` failed: {outcome:?}");
        }
    }
    let mut samples = Vec::new();
    let mut times = Vec::new();
    for i in 0..inputs {
        if reset_every > 0 && i > 0 && i % reset_every == 0 {
            session.reset()?;
            tally.resets += 1;
            for input in prelude() {
                n += 1;
                let (outcome, _) = eval(&mut session, n, &input);
                if !matches!(outcome, Outcome::Ok) {
                    bail!("the soak's set-up input `{input}` failed after a reset: {outcome:?}");
                }
            }
        }
        let input = soak_input(i, heap);
        n += 1;
        let timer = is_endless(i).then(|| {
            let interrupter = session.interrupter();
            std::thread::spawn(move || {
                std::thread::sleep(INTERRUPT_AFTER);
                interrupter.interrupt();
            })
        });
        let (outcome, time) = eval(&mut session, n, &input);
        if let Some(timer) = timer {
            let _ = timer.join();
        }
        times.push(time.as_secs_f64() * 1000.0);
        tally.add(&outcome);
        if !as_expected(i, &outcome) && surprises.len() < 20 {
            let what = crate::render::outcome(
                "<soak>",
                &input,
                &outcome,
                crate::render::ErrorFormat::Short,
                false,
            );
            surprises.push(format!("input {}: `{input}`: {}", i + 1, what.trim()));
        }
        if (i + 1) % sample_every == 0 {
            let (mem, usage) = session.memory(true)?;
            samples.push(Sample {
                inputs: i + 1,
                seconds: started.elapsed().as_secs_f64(),
                host_rss_kib: rss_kib(std::process::id()),
                device_rss_kib: match session.device_process_id() {
                    0 => 0,
                    pid => rss_kib(pid),
                },
                heap_used: mem.heap_used,
                heap_blocks: mem.live_blocks,
                code_used: usage.code_used,
                data_used: usage.data_used,
                work_files: count_files(session.work_dir()),
                names: session.declared_names(),
                p50_ms: median(&mut times),
            });
            times.clear();
            eprint!("\rbench soak: {}/{inputs} inputs", i + 1);
        }
    }
    eprintln!();
    report(
        cli,
        inputs,
        reset_every,
        &samples,
        &tally,
        &surprises,
        started.elapsed(),
        out_dir,
    )
}

/// The trend of one figure: its value at the first sample, the largest value in the middle
/// third, the largest in the last third, and whether it grew beyond the figure's slack.
struct Trend {
    first: f64,
    middle: f64,
    last: f64,
    grew: bool,
}

fn trend(samples: &[Sample], figure: &Figure) -> Trend {
    let values: Vec<f64> = samples.iter().map(figure.get).collect();
    let third = values.len() / 3;
    let max = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max);
    let early = max(&values[..third]);
    let middle = max(&values[third..2 * third]);
    let last = max(&values[2 * third..]);
    let (fraction, absolute) = figure.slack;
    // A jump at the end, or a steady climb: more than the absolute slack in each of the last
    // two thirds (a figure that keeps growing a little at every input passes the fraction
    // only late in a long run).
    let jumped = last > middle * (1.0 + fraction) + absolute;
    let climbs = last > middle + absolute && middle > early + absolute;
    Trend {
        first: values[0],
        middle,
        last,
        grew: jumped || climbs,
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    cli: &Cli,
    inputs: usize,
    reset_every: usize,
    samples: &[Sample],
    tally: &Tally,
    surprises: &[String],
    elapsed: Duration,
    out_dir: &Path,
) -> anyhow::Result<ExitCode> {
    let target = cli.target.clone();
    let header = Header::now();
    let trends: Vec<(&Figure, Trend)> = FIGURES.iter().map(|f| (f, trend(samples, f))).collect();
    let growing: Vec<&str> = trends
        .iter()
        .filter(|(_, t)| t.grew)
        .map(|(f, _)| f.name)
        .collect();

    let mut md = String::new();
    let _ = writeln!(md, "# Soak: a long session on the `{target}` device\n");
    md.push_str(&header.markdown());
    let _ = writeln!(
        md,
        "- inputs: {inputs} after a set-up of {} (redefinitions, calls, compile and run-time errors, memory exhaustion, allocation-heavy and untyped code, endless loops interrupted after {} ms){}",
        prelude().len(),
        INTERRUPT_AFTER.as_millis(),
        if reset_every > 0 {
            format!("; `.reset` and the set-up again every {reset_every} inputs")
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        md,
        "- outcomes: {} ok, {} compile errors, {} run-time errors, {} device errors, {} other; {} resets",
        tally.ok,
        tally.compile_errors,
        tally.runtime_errors,
        tally.device_errors,
        tally.other,
        tally.resets
    );
    let _ = writeln!(md, "- wall time: {:.1} s", elapsed.as_secs_f64());
    let _ = writeln!(
        md,
        "- verdict: {}\n",
        if growing.is_empty() && surprises.is_empty() {
            "nothing grew, every input gave the expected kind of outcome".to_string()
        } else if growing.is_empty() {
            format!(
                "nothing grew, but {} inputs gave an unexpected outcome",
                surprises.len()
            )
        } else {
            format!("GREW: {}", growing.join(", "))
        }
    );
    let _ = writeln!(
        md,
        "| figure | first sample | largest in the middle third | largest in the last third | grew |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---|");
    for (figure, t) in &trends {
        let _ = writeln!(
            md,
            "| {} ({}) | {:.1} | {:.1} | {:.1} | {} |",
            figure.name,
            figure.unit,
            t.first,
            t.middle,
            t.last,
            if t.grew { "**yes**" } else { "no" }
        );
    }
    let _ = writeln!(md, "\n## Samples\n");
    let _ = writeln!(
        md,
        "| inputs | time (s) | host RSS (KiB) | device RSS (KiB) | heap (bytes) | heap blocks | code (bytes) | data (bytes) | work files | names | p50 (ms) |"
    );
    let _ = writeln!(
        md,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for s in samples {
        let _ = writeln!(
            md,
            "| {} | {:.1} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            s.inputs,
            s.seconds,
            s.host_rss_kib,
            s.device_rss_kib,
            s.heap_used,
            s.heap_blocks,
            s.code_used,
            s.data_used,
            s.work_files,
            s.names,
            s.p50_ms
        );
    }
    if !surprises.is_empty() {
        let _ = writeln!(
            md,
            "\n## Unexpected outcomes (the first {})\n",
            surprises.len()
        );
        for s in surprises {
            let _ = writeln!(md, "- {s}");
        }
    }

    let json = json!({
        "benchmark": "soak",
        "target": target,
        "date": header.date,
        "machine": header.machine,
        "command": header.command,
        "inputs": inputs,
        "reset_every": reset_every,
        "seconds": rounded(elapsed.as_secs_f64(), 1),
        "outcomes": {
            "ok": tally.ok,
            "compile_errors": tally.compile_errors,
            "runtime_errors": tally.runtime_errors,
            "device_errors": tally.device_errors,
            "other": tally.other,
            "resets": tally.resets,
        },
        "unexpected": surprises,
        "growing": growing,
        "samples": samples.iter().map(|s| json!({
            "inputs": s.inputs,
            "seconds": rounded(s.seconds, 2),
            "host_rss_kib": s.host_rss_kib,
            "device_rss_kib": s.device_rss_kib,
            "heap_used": s.heap_used,
            "heap_blocks": s.heap_blocks,
            "code_used": s.code_used,
            "data_used": s.data_used,
            "work_files": s.work_files,
            "names": s.names,
            "p50_ms": rounded(s.p50_ms, 3),
        })).collect::<Vec<_>>(),
    });
    report::write(out_dir, &format!("soak-{target}"), "soak", &md, &json)?;
    if growing.is_empty() && surprises.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_holds_every_kind_of_input() {
        let round: Vec<String> = (0..ROUND).map(|i| soak_input(i, 1000)).collect();
        assert!(round.iter().any(|s| s.starts_with("function sf")));
        assert!(round.iter().any(|s| s.contains("new Array<integer>(500")));
        assert_eq!((0..ROUND).filter(|&i| !expected_ok(i)).count(), 9);
    }

    #[test]
    fn a_figure_that_keeps_rising_is_growth_and_a_flat_one_is_not() {
        let rising: Vec<Sample> = (0..30)
            .map(|i| Sample {
                code_used: 10_000 + 1_000 * i,
                ..Sample::default()
            })
            .collect();
        let flat: Vec<Sample> = (0..30)
            .map(|i| Sample {
                code_used: 10_000 + (i % 3) * 100,
                ..Sample::default()
            })
            .collect();
        let code = FIGURES
            .iter()
            .find(|f| f.name == "code region in use")
            .unwrap();
        assert!(trend(&rising, code).grew);
        assert!(!trend(&flat, code).grew);
        // QEMU's translation cache once grew 2.2 MiB every 1,000 inputs from 41 MiB: under the
        // fraction of the jump test, but a climb in every third.
        let slow: Vec<Sample> = (0..40)
            .map(|i| Sample {
                device_rss_kib: 41_000 + 560 * i,
                ..Sample::default()
            })
            .collect();
        let rss = FIGURES
            .iter()
            .find(|f| f.name == "device process RSS")
            .unwrap();
        assert!(trend(&slow, rss).grew);
        let settled: Vec<Sample> = (0..40)
            .map(|i| Sample {
                device_rss_kib: 41_000 + 200 * i.min(8),
                ..Sample::default()
            })
            .collect();
        assert!(!trend(&settled, rss).grew);
    }
}
