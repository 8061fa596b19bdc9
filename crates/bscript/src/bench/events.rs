//! `bscript bench events`: how well timers keep time on the device, and how long a due callback
//! waits before it runs. Both are measured on the device with its microsecond clock
//! (`time.now()`), by programs whose callbacks print what they measured; the host fetches that
//! output as `bscript run` does ([`Session::poll_events`]). On QEMU the guest's clock counts
//! instructions (`-icount shift=0`).
//!
//! - Accuracy: an interval of `PERIOD` ms over `PERIODS` periods, stopped by a timeout half a
//!   period after the last one is due: the ticks observed against those expected, and the spread
//!   of `time.now()` between consecutive ticks.
//! - Latency: `SAMPLES` timeouts of 7 ms one after the other, each set by the last one's
//!   callback: the time from when each was due to when its callback started.
//! - Posting: `SAMPLES` calls of `bs_event_post` (the drivers' C API) from inline C, each
//!   followed by `time.delay(2)`, which runs the callback: the time from the post to the
//!   callback's start.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bs_session::{Outcome, Session};

use super::report;
use crate::Cli;

const ACCURACY: &str = include_str!("events/accuracy.bs");
const LATENCY: &str = include_str!("events/latency.bs");
const POST: &str = include_str!("events/post.bs");
const PERIOD_MS: u32 = 20;

pub fn run(cli: &Cli, tiny: bool, out: &Path) -> anyhow::Result<ExitCode> {
    let options = bs_session::SessionOptions {
        qemu_icount: true,
        ..crate::session_options(cli)
    };
    let mut session = Session::start(&options).context("the device does not start")?;
    let periods = if tiny { 10 } else { 100 };
    let samples = if tiny { 10 } else { 50 };
    let accuracy = measure(
        &mut session,
        "accuracy.bs",
        &ACCURACY
            .replace("PERIODS", &periods.to_string())
            .replace("PERIOD", &PERIOD_MS.to_string()),
    )?;
    let latency = measure(
        &mut session,
        "latency.bs",
        &LATENCY.replace("SAMPLES", &samples.to_string()),
    )?;
    let post = measure(
        &mut session,
        "post.bs",
        &POST.replace("SAMPLES", &samples.to_string()),
    )?;
    let get = |m: &BTreeMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(f64::NAN);
    let header = report::Header::now();
    let target = &cli.target;
    let clock = if target == "host" {
        "the host's monotonic clock"
    } else {
        "QEMU's instruction counter (-icount shift=0: 1 µs is 1000 instructions)"
    };
    let mut md = format!("# Timers and events on `{target}`\n\n{}", header.markdown());
    md.push_str(&format!(
        "- device clock: {clock}\n\n## Accuracy: an interval of {PERIOD_MS} ms over {periods} periods\n\n\
         | ticks observed | expected | window (ms) | first tick at (ms) | mean gap (ms) | min gap | max gap | sd of gaps |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | {} | {periods} | {:.3} | {:.3} | {:.4} | {:.3} | {:.3} | {:.3} |\n\n",
        get(&accuracy, "ticks"),
        get(&accuracy, "window_ms"),
        get(&accuracy, "first_ms"),
        get(&accuracy, "gap_mean_ms"),
        get(&accuracy, "gap_min_ms"),
        get(&accuracy, "gap_max_ms"),
        get(&accuracy, "gap_var_ms2").max(0.0).sqrt(),
    ));
    md.push_str(&format!(
        "## Latency: from a timeout's due time to its callback ({samples} timeouts of 7 ms)\n\n\
         | min (ms) | median | 90th percentile | max |\n|---:|---:|---:|---:|\n\
         | {:.3} | {:.3} | {:.3} | {:.3} |\n",
        get(&latency, "latency_min_ms"),
        get(&latency, "latency_median_ms"),
        get(&latency, "latency_p90_ms"),
        get(&latency, "latency_max_ms"),
    ));
    md.push_str(&format!(
        "\n## Posting: from `bs_event_post` to the callback, inside `time.delay` ({samples} posts)\n\n\
         | callbacks run | min (ms) | mean | max |\n|---:|---:|---:|---:|\n\
         | {} | {:.3} | {:.4} | {:.3} |\n",
        get(&post, "post_count"),
        get(&post, "post_min_ms"),
        get(&post, "post_mean_ms"),
        get(&post, "post_max_ms"),
    ));
    if target != "host" {
        md.push_str(
            "\nOn a Cortex-M the clock interrupt (SysTick, every 10 ms) queues due timers, and the \
             idle device sleeps (WFI) until an interrupt: a callback waits up to one tick after it \
             is due, so gaps between ticks vary by up to 10 ms, but the ticks do not drift (each \
             period starts where the last was due).\n",
        );
    }
    let json = serde_json::json!({
        "target": target,
        "date": header.date,
        "machine": header.machine,
        "period_ms": PERIOD_MS,
        "periods": periods,
        "accuracy": accuracy,
        "latency_samples": samples,
        "latency": latency,
        "post": post,
    });
    report::write(out, &format!("events-{target}"), "events", &md, &json)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `source` and polls the device until no timer remains (at most 60 s); returns the
/// `name value` lines its callbacks printed.
fn measure(
    session: &mut Session,
    name: &str,
    source: &str,
) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut text = Vec::new();
    let (outcome, _) = session.eval(name, source, &mut |_, b| text.extend_from_slice(b));
    if !matches!(outcome, Outcome::Ok) {
        bail!("{name} failed: {outcome:?}");
    }
    let start = Instant::now();
    while session.events_active() {
        let poll = session.poll_events(&mut |_, b| text.extend_from_slice(b));
        if let Some(e) = poll.errors.first() {
            bail!("a callback of {name} failed: {e:?}");
        }
        if start.elapsed() > Duration::from_secs(60) {
            bail!("{name}: its timers still run after 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = String::from_utf8_lossy(&text);
    let values: BTreeMap<String, f64> = text
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect();
    if values.is_empty() {
        bail!("{name} printed nothing to measure: {text:?}");
    }
    Ok(values)
}
