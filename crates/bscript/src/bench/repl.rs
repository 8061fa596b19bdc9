//! `bench repl`: types distinct one-line inputs into a live session and reports the median and
//! 90th percentile of each stage of an input (parse+check, C generation, C compiler, link,
//! transfer, run) and of the whole, and the bytes each input moved over the link (with
//! `--link-rate`, a link paced to a UART's rate).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use bs_session::{Outcome, Timings};
use serde_json::json;

use super::report::{self, Header, rounded};
use crate::{Cli, start_session};

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

/// What one input moved over the link.
struct Traffic {
    sent: u64,
    received: u64,
    frames_sent: u64,
}

impl Traffic {
    /// The difference of two readings of the link's counts (a restarted device starts them
    /// afresh: then the later reading alone).
    fn between(before: &bs_session::LinkStats, after: &bs_session::LinkStats) -> Traffic {
        let restarted = after.bytes_sent < before.bytes_sent;
        let base = if restarted {
            bs_session::LinkStats::default()
        } else {
            *before
        };
        Traffic {
            sent: after.bytes_sent - base.bytes_sent,
            received: after.bytes_received - base.bytes_received,
            frames_sent: after.frames_sent - base.frames_sent,
        }
    }
}

/// The rows of the bytes table.
/// A row of the traffic table: the label, the JSON key and the count.
type TrafficRow = (&'static str, &'static str, fn(&Traffic) -> u64);

const TRAFFIC: &[TrafficRow] = &[
    ("bytes sent (host → device)", "bytes_sent", |t| t.sent),
    ("bytes received (device → host)", "bytes_received", |t| {
        t.received
    }),
    ("bytes both ways", "bytes", |t| t.sent + t.received),
    ("frames sent", "frames_sent", |t| t.frames_sent),
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub fn run(cli: &Cli, count: usize, out_dir: &Path) -> anyhow::Result<ExitCode> {
    if count < 4 {
        bail!("--count must be at least 4");
    }
    let Ok(mut session) = start_session(cli) else {
        return Ok(ExitCode::from(crate::EXIT_DEVICE));
    };
    let mut timings = Vec::with_capacity(count);
    let mut traffic = Vec::with_capacity(count);
    let mut output = Vec::new();
    for i in 0..count {
        let input = repl_input(i);
        let before = session.link_stats();
        let (outcome, t) = session.eval(&format!("<input {}>", i + 1), &input, &mut |_, b| {
            output.extend_from_slice(b)
        });
        if !matches!(outcome, Outcome::Ok) {
            bail!("input {} failed: `{input}`: {outcome:?}", i + 1);
        }
        timings.push(t);
        traffic.push(Traffic::between(&before, &session.link_stats()));
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

    let mut byte_rows = Vec::new();
    for (name, key, get) in TRAFFIC {
        let mut n: Vec<f64> = traffic.iter().map(|t| get(t) as f64).collect();
        n.sort_by(f64::total_cmp);
        let mean = n.iter().sum::<f64>() / n.len() as f64;
        byte_rows.push((*name, *key, percentile(&n, 0.5), percentile(&n, 0.9), mean));
    }

    let header = Header::now();
    let target = session.target().to_string();
    let rate = cli.link_rate;
    let link = match rate {
        Some(baud) => format!(
            "paced to a UART at {baud} baud (10 bits a byte: {:.0} bytes/s each way)",
            f64::from(baud) / 10.0
        ),
        None => "unpaced (the device's own link at full speed)".to_string(),
    };

    let mut md = String::new();
    let _ = writeln!(md, "# REPL latency on the `{target}` device\n");
    md.push_str(&header.markdown());
    let _ = writeln!(md, "- link: {link}");
    // The C compiler's time, and a device emulator's answers, grow with what else the machine
    // runs.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    if let Some(load) = &load {
        let _ = writeln!(md, "- load average at the end (1, 5, 15 min): {load}");
    }
    let _ = writeln!(
        md,
        "- inputs: {count} distinct one-line inputs (declarations, functions, calls, loops)\n"
    );
    let _ = writeln!(md, "| stage | p50 (ms) | p90 (ms) | mean (ms) |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (name, p50, p90, mean) in &rows {
        let _ = writeln!(md, "| {name} | {p50:.2} | {p90:.2} | {mean:.2} |");
    }
    let _ = writeln!(
        md,
        "\nWhat each input moved over the link (whole frames: requests, their repetitions, \
         acknowledgements and replies):\n"
    );
    let _ = writeln!(md, "| per input | p50 | p90 | mean |");
    let _ = writeln!(md, "|---|---:|---:|---:|");
    for (name, _, p50, p90, mean) in &byte_rows {
        let _ = writeln!(md, "| {name} | {p50:.0} | {p90:.0} | {mean:.1} |");
    }

    let stages: serde_json::Map<String, serde_json::Value> = rows
        .iter()
        .map(|(name, p50, p90, mean)| {
            let ms = json!({
                "p50": rounded(*p50, 3),
                "p90": rounded(*p90, 3),
                "mean": rounded(*mean, 3),
            });
            (name.to_string(), ms)
        })
        .collect();
    let bytes: serde_json::Map<String, serde_json::Value> = byte_rows
        .iter()
        .map(|(_, key, p50, p90, mean)| {
            let n = json!({
                "p50": rounded(*p50, 0),
                "p90": rounded(*p90, 0),
                "mean": rounded(*mean, 1),
            });
            (key.to_string(), n)
        })
        .collect();
    let json = json!({
        "benchmark": "repl",
        "target": target,
        "date": header.date,
        // This report has always written double quotes in these two as single quotes.
        "machine": header.machine.replace('"', "'"),
        "command": header.command.replace('"', "'"),
        "inputs": count,
        "link_rate_baud": rate,
        "load_average": load,
        "stages_ms": stages,
        "per_input": bytes,
    });
    let stem = match rate {
        Some(baud) => format!("repl-{target}-{baud}"),
        None => format!("repl-{target}"),
    };
    report::write(out_dir, &stem, "repl", &md, &json)?;
    Ok(ExitCode::SUCCESS)
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
