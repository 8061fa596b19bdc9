//! `bench compile`: how compile time grows with a program's size. Generates programs of several
//! shapes (many globals, many one-line functions, many small classes, one long function) at
//! several sizes in lines, runs each end to end in a fresh session, checks what it prints, and
//! reports the time of each stage (check, C generation, C compiler, link) and of the whole.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::bail;
use bs_session::{Outcome, Timings};
use serde_json::json;

use super::report::{self, Header, rounded};
use crate::{Cli, start_session};

/// The sizes in lines that `bench compile` runs by default.
pub const DEFAULT_SIZES: &[usize] = &[1000, 2000, 5000, 10000, 20000];

/// The size of `--tiny`: each shape once, small, as CI runs it.
pub const TINY_SIZE: usize = 200;

/// A shape of generated program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `let gN: integer = gM * 3 + N` lines: a long top level of stores to globals.
    Globals,
    /// One-line functions `function fN(x: integer): integer { return x * 3 + N }`.
    Functions,
    /// Small classes of five lines: a field, a constructor and a method.
    Classes,
    /// One function whose body has a statement per line.
    LongFunction,
}

pub const SHAPES: &[Shape] = &[
    Shape::Globals,
    Shape::Functions,
    Shape::Classes,
    Shape::LongFunction,
];

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Globals => "globals",
            Shape::Functions => "functions",
            Shape::Classes => "classes",
            Shape::LongFunction => "long-function",
        }
    }
}

/// A program of `shape` with about `lines` lines (at least 10), and what it prints (its typed
/// arithmetic wraps at 32 bits).
pub fn program(shape: Shape, lines: usize) -> (String, String) {
    let lines = lines.max(10);
    let mut out = String::with_capacity(lines * 48);
    let expected = match shape {
        Shape::Globals => {
            let _ = writeln!(out, "let g0: integer = 1");
            let mut g: i32 = 1;
            for i in 1..lines - 1 {
                let _ = writeln!(out, "let g{i}: integer = g{} * 3 + {i}", i - 1);
                g = g.wrapping_mul(3).wrapping_add(i as i32);
            }
            let _ = writeln!(out, "print(g{})", lines - 2);
            g
        }
        Shape::Functions => {
            for i in 0..lines - 1 {
                let _ = writeln!(
                    out,
                    "function f{i}(x: integer): integer {{ return x * 3 + {i} }}"
                );
            }
            let _ = writeln!(out, "print(f0(1) + f{}(2))", lines - 2);
            3 + 6 + (lines as i32 - 2)
        }
        Shape::Classes => {
            let k = (lines - 1) / 5;
            for i in 0..k {
                let _ = writeln!(out, "class C{i} {{\n  x: integer");
                let _ = writeln!(
                    out,
                    "  constructor(x: integer) {{ this.x = x + {i} }}\n  get(): integer {{ return this.x * 2 }}\n}}"
                );
            }
            let _ = writeln!(out, "print(new C0(1).get() + new C{}(2).get())", k - 1);
            2 + 2 * (k as i32 + 1)
        }
        Shape::LongFunction => {
            let _ = writeln!(out, "function long(n: integer): integer {{\n  let s = n");
            let mut s: i32 = 1;
            for i in 0..lines - 5 {
                let _ = writeln!(out, "  s = s * 3 + {i}");
                s = s.wrapping_mul(3).wrapping_add(i as i32);
            }
            let _ = writeln!(out, "  return s\n}}\nprint(long(1))");
            s
        }
    };
    // `print` boxes an integer, which keeps 30 bits (the language specification, "Numbers").
    (out, format!("{}\n", (expected << 2) >> 2))
}

/// One program's measurement.
struct Row {
    shape: Shape,
    lines: usize,
    t: Timings,
    /// The whole `eval`, as the user waits for it.
    wall: Duration,
    /// Processor time of the C compiler (and merging), summed over its processes: unlike
    /// wall-clock times, independent of other load on the machine and of parallelism.
    cc_cpu: Duration,
}

/// Processor time (user and system) of this process's children that have been waited for:
/// fields 16 and 17 of `/proc/self/stat`, in clock ticks (100 per second on Linux). The C
/// compilers are such children; the device's process is not waited for until the session ends.
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(13)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

pub fn run(cli: &Cli, sizes: &[usize], tiny: bool, out_dir: &Path) -> anyhow::Result<ExitCode> {
    let sizes: Vec<usize> = if tiny {
        vec![TINY_SIZE]
    } else if sizes.is_empty() {
        DEFAULT_SIZES.to_vec()
    } else {
        sizes.to_vec()
    };
    let mut rows = Vec::new();
    let mut target = cli.target.clone();
    for &shape in SHAPES {
        for &lines in &sizes {
            let (source, expected) = program(shape, lines);
            let real_lines = source.lines().count();
            eprint!("bench compile: {} {real_lines} lines… ", shape.name());
            // A fresh device for each program, so that each starts with empty regions.
            let Ok(mut session) = start_session(cli) else {
                return Ok(ExitCode::from(crate::EXIT_DEVICE));
            };
            target = session.target().to_string();
            session.no_object_cache();
            let mut output = Vec::new();
            let clock = Instant::now();
            let cpu = children_cpu();
            let name = format!("<{} {real_lines}>", shape.name());
            let (outcome, t) =
                session.eval(&name, &source, &mut |_, b| output.extend_from_slice(b));
            let wall = clock.elapsed();
            let cc_cpu = children_cpu().saturating_sub(cpu);
            if !matches!(outcome, Outcome::Ok) {
                eprintln!();
                bail!(
                    "the {} program of {real_lines} lines failed: {outcome:?}",
                    shape.name()
                );
            }
            let printed = String::from_utf8_lossy(&output);
            if printed != expected {
                eprintln!();
                bail!(
                    "the {} program of {real_lines} lines printed {printed:?}, not {expected:?}",
                    shape.name()
                );
            }
            eprintln!("{:.2} s", wall.as_secs_f64());
            rows.push(Row {
                shape,
                lines: real_lines,
                t,
                wall,
                cc_cpu,
            });
        }
    }

    let header = Header::now();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Compile time by program size on the `{target}` device\n"
    );
    md.push_str(&header.markdown());
    let _ = writeln!(
        md,
        "- programs: generated, one unit each, run end to end in a fresh session (check, C \
         generation, C compiler, link, transfer, run); `total` is the whole input as the user \
         waits for it; `C compiler CPU` is the processor time of the C compilers (summed over \
         the parts of a unit compiled in parallel; clock ticks of 10 ms), which other load on the \
         machine does not change\n"
    );
    let _ = writeln!(
        md,
        "| shape | lines | check (ms) | C generation (ms) | C compiler (ms) | C compiler CPU (ms) | link (ms) | total (ms) | total per 1,000 lines (ms) |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut json_rows = Vec::new();
    for r in &rows {
        let per_k = ms(r.wall) * 1000.0 / r.lines as f64;
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {:.1} | {:.1} |",
            r.shape.name(),
            r.lines,
            ms(r.t.parse_check),
            ms(r.t.cgen),
            ms(r.t.cc),
            ms(r.cc_cpu),
            ms(r.t.link),
            ms(r.wall),
            per_k
        );
        json_rows.push(json!({
            "shape": r.shape.name(),
            "lines": r.lines,
            "check_ms": rounded(ms(r.t.parse_check), 1),
            "cgen_ms": rounded(ms(r.t.cgen), 1),
            "cc_ms": rounded(ms(r.t.cc), 1),
            "cc_cpu_ms": rounded(ms(r.cc_cpu), 0),
            "link_ms": rounded(ms(r.t.link), 1),
            "transfer_ms": rounded(ms(r.t.transfer), 1),
            "run_ms": rounded(ms(r.t.run), 1),
            "total_ms": rounded(ms(r.wall), 1),
        }));
    }
    let json = json!({
        "benchmark": "compile",
        "target": target,
        "date": header.date,
        "machine": header.machine,
        "command": header.command,
        "results": json_rows,
    });
    report::write(out_dir, &format!("compile-{target}"), "compile", &md, &json)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_have_about_the_lines_asked_for() {
        for &shape in SHAPES {
            for lines in [200, 2000] {
                let (source, _) = program(shape, lines);
                let n = source.lines().count();
                assert!(n.abs_diff(lines) <= 5, "{} {lines}: {n}", shape.name());
            }
        }
    }

    #[test]
    fn expected_output_follows_the_wrapping_arithmetic() {
        // g0 = 1, g1 = 1 * 3 + 1 = 4, g2 = 4 * 3 + 2 = 14: printed is g(lines - 2).
        assert_eq!(program(Shape::Globals, 10).1, {
            let mut g: i32 = 1;
            for i in 1..9 {
                g = g * 3 + i;
            }
            format!("{}\n", (g << 2) >> 2)
        });
        assert_eq!(program(Shape::Functions, 10).1, "17\n");
        assert_eq!(program(Shape::Classes, 11).1, "8\n");
    }
}
