//! The results of `bench awfy` / `bench dsp`: what each system did with each program, the ratio
//! columns that matter, and the report made of them (a Markdown table and its JSON).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::program::Suite;
use super::report::{Header, rounded};

/// A system that runs the programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum System {
    /// BlueScript, typed, on the chosen device.
    Typed,
    /// BlueScript, untyped (annotations removed where the language allows), on the chosen device,
    /// with the dynamic compiler.
    Untyped,
    /// The same untyped programs with the dynamic compiler off (`--no-dynamic`).
    UntypedNoDynamic,
    /// C: gcc -O2 on the host device; arm-none-eabi-gcc -O2 bare-metal under QEMU for
    /// qemu-mps2-an385.
    C,
    /// MicroPython's unix port (`micropython`).
    Micropython,
    /// CPython (`python3`), for scale.
    Cpython,
    /// Duktape (`duk`), an embedded JavaScript interpreter, on JavaScript made from the typed
    /// BlueScript program by bs-jsgen.
    Duktape,
    /// Node.js (`node`), a JIT, on the same JavaScript, for reference.
    Node,
}

impl System {
    pub fn label(self) -> &'static str {
        match self {
            System::Typed => "BlueScript typed",
            System::Untyped => "BlueScript untyped",
            System::UntypedNoDynamic => "BlueScript untyped --no-dynamic",
            System::C => "C",
            System::Micropython => "MicroPython",
            System::Cpython => "CPython",
            System::Duktape => "duktape",
            System::Node => "node",
        }
    }

    fn key(self) -> &'static str {
        match self {
            System::Typed => "typed",
            System::Untyped => "untyped",
            System::UntypedNoDynamic => "untyped-no-dynamic",
            System::C => "c",
            System::Micropython => "micropython",
            System::Cpython => "cpython",
            System::Duktape => "duktape",
            System::Node => "node",
        }
    }

    /// A JavaScript engine: timed from outside (two runs of different lengths).
    pub fn is_javascript(self) -> bool {
        matches!(self, System::Duktape | System::Node)
    }

    pub const ALL: [System; 8] = [
        System::Typed,
        System::Untyped,
        System::UntypedNoDynamic,
        System::C,
        System::Micropython,
        System::Cpython,
        System::Duktape,
        System::Node,
    ];
}

/// What one system did with one program.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Microseconds per iteration (the median), and the iterations of one measured run.
    Time { us: f64, iterations: u64 },
    /// The system is not installed, or the program has no version for it.
    Absent(String),
    /// It ran and failed: a wrong result, an error, a crash.
    Failed(String),
}

/// One program's results.
pub struct Row {
    pub name: String,
    pub cells: BTreeMap<System, Cell>,
    /// Instructions per iteration (callgrind), where counted.
    pub instructions: BTreeMap<System, f64>,
}

/// A ratio column: `num / den` per program, and its geometric mean.
struct Ratio {
    title: &'static str,
    key: &'static str,
    num: System,
    den: System,
}

const RATIOS: &[Ratio] = &[
    Ratio {
        title: "BlueScript ÷ C",
        key: "typed_over_c",
        num: System::Typed,
        den: System::C,
    },
    Ratio {
        title: "MicroPython ÷ BlueScript",
        key: "micropython_over_typed",
        num: System::Micropython,
        den: System::Typed,
    },
    Ratio {
        title: "CPython ÷ BlueScript",
        key: "cpython_over_typed",
        num: System::Cpython,
        den: System::Typed,
    },
    Ratio {
        title: "duktape ÷ BlueScript",
        key: "duktape_over_typed",
        num: System::Duktape,
        den: System::Typed,
    },
    Ratio {
        title: "untyped ÷ typed",
        key: "untyped_over_typed",
        num: System::Untyped,
        den: System::Typed,
    },
    Ratio {
        title: "--no-dynamic ÷ dynamic (untyped)",
        key: "nodynamic_over_dynamic",
        num: System::UntypedNoDynamic,
        den: System::Untyped,
    },
    Ratio {
        title: "MicroPython ÷ BlueScript untyped",
        key: "micropython_over_untyped",
        num: System::Micropython,
        den: System::Untyped,
    },
];

fn geomean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

fn time_of(cells: &BTreeMap<System, Cell>, s: System) -> Option<f64> {
    match cells.get(&s) {
        Some(Cell::Time { us, .. }) => Some(*us),
        _ => None,
    }
}

fn format_us(us: f64) -> String {
    if us >= 100.0 {
        format!("{us:.0}")
    } else if us >= 10.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.2}")
    }
}

/// A whole suite's results and how they were taken.
pub struct Results<'a> {
    pub suite: Suite,
    pub target: &'a str,
    /// The device is a process of this computer (C is gcc's), not a board under QEMU.
    pub native: bool,
    /// The device's stack and regions.
    pub memory: bs_session::MemoryLayout,
    pub runs: usize,
    pub seconds: f64,
    pub tiny: bool,
    pub systems: &'a [System],
    pub table: &'a [Row],
    /// The wall time of the whole benchmark.
    pub elapsed: Duration,
}

impl Results<'_> {
    /// The report: its Markdown and its JSON.
    pub fn report(&self, header: &Header) -> (String, Value) {
        let (systems, table, target, memory) = (self.systems, self.table, self.target, self.memory);
        let ratios: Vec<&Ratio> = RATIOS
            .iter()
            .filter(|r| systems.contains(&r.num) && systems.contains(&r.den))
            .collect();
        let counted = table.iter().any(|r| !r.instructions.is_empty());

        let mut md = String::new();
        let _ = writeln!(
            md,
            "# `bench {}` on the `{target}` device\n",
            self.suite.folder()
        );
        md.push_str(&header.markdown());
        let _ = writeln!(
            md,
            "- method: microseconds per iteration, median of {} runs of about {} s each{}; \
             BlueScript times are the device's run time of the call (no compilation); untyped \
             BlueScript (both columns) is timed in steady state, after a warm-up run of the \
             whole program at 2 iterations in the same session (whose specialised copies are \
             installed before the timed run), as Are We Fast Yet measures JIT compilers; C {}; \
             ratios > 1 mean the second system is faster",
            self.runs,
            self.seconds,
            if self.tiny {
                " (tiny: two iterations, one run: not a measurement)"
            } else {
                ""
            },
            if self.native {
                "is gcc -O2"
            } else {
                "is arm-none-eabi-gcc -O2, bare-metal in the same QEMU machine where \
                 benchmarks/peers/c/baremetal builds for it; QEMU runs with -icount shift=0, so \
                 1 µs is 1000 instructions (not the board's time)"
            },
        );
        if !memory.is_default() {
            let _ = writeln!(
                md,
                "- device memory: {memory} (`--memory`; the C programs get the same heap and stack)"
            );
        }
        let _ = writeln!(
            md,
            "- wall time of the whole benchmark: {:.0} s\n",
            self.elapsed.as_secs_f64()
        );
        md.push_str("| program |");
        for s in systems {
            let _ = write!(md, " {} (µs) |", s.label());
        }
        for r in &ratios {
            let _ = write!(md, " {} |", r.title);
        }
        if counted {
            md.push_str(
                " BlueScript typed (instructions) | C (instructions) | BlueScript ÷ C (instructions) |",
            );
        }
        md.push_str("\n|---|");
        for _ in 0..systems.len() + ratios.len() + if counted { 3 } else { 0 } {
            md.push_str("---:|");
        }
        md.push('\n');
        let mut ratio_values: Vec<Vec<f64>> = vec![Vec::new(); ratios.len()];
        let mut instruction_ratios = Vec::new();
        let mut notes = Vec::new();
        for Row {
            name,
            cells,
            instructions,
        } in table
        {
            let _ = write!(md, "| {name} |");
            for s in systems {
                match cells.get(s) {
                    Some(Cell::Time { us, .. }) => {
                        let _ = write!(md, " {} |", format_us(*us));
                    }
                    Some(Cell::Absent(why)) => {
                        let _ = write!(md, " – |");
                        notes.push(format!("{name}, {}: {why}", s.label()));
                    }
                    Some(Cell::Failed(why)) => {
                        let _ = write!(md, " FAILED |");
                        notes.push(format!("{name}, {}: FAILED: {why}", s.label()));
                    }
                    None => md.push_str(" |"),
                }
            }
            for (i, r) in ratios.iter().enumerate() {
                match (time_of(cells, r.num), time_of(cells, r.den)) {
                    (Some(a), Some(b)) if b > 0.0 => {
                        ratio_values[i].push(a / b);
                        let _ = write!(md, " {:.2} |", a / b);
                    }
                    _ => md.push_str(" – |"),
                }
            }
            if counted {
                let typed = instructions.get(&System::Typed);
                let c = instructions.get(&System::C);
                for n in [typed, c] {
                    match n {
                        Some(n) => {
                            let _ = write!(md, " {:.0} |", n);
                        }
                        None => md.push_str(" – |"),
                    }
                }
                match (typed, c) {
                    (Some(a), Some(b)) if *b > 0.0 => {
                        instruction_ratios.push(a / b);
                        let _ = write!(md, " {:.2} |", a / b);
                    }
                    _ => md.push_str(" – |"),
                }
            }
            md.push('\n');
        }
        md.push_str("| **geometric mean** |");
        for _ in systems {
            md.push_str(" |");
        }
        let means: Vec<Option<f64>> = ratio_values.iter().map(|v| geomean(v)).collect();
        for (m, v) in means.iter().zip(&ratio_values) {
            match m {
                Some(m) => {
                    let _ = write!(md, " **{m:.2}** ({} programs) |", v.len());
                }
                None => md.push_str(" – |"),
            }
        }
        let instruction_mean = geomean(&instruction_ratios);
        if counted {
            md.push_str(" | |");
            match instruction_mean {
                Some(m) => {
                    let _ = write!(md, " **{m:.2}** ({} programs) |", instruction_ratios.len());
                }
                None => md.push_str(" – |"),
            }
        }
        md.push('\n');
        if !notes.is_empty() {
            md.push_str("\nMissing and failed cells:\n\n");
            for n in &notes {
                let _ = writeln!(md, "- {n}");
            }
        }

        let programs: Map<String, Value> = table
            .iter()
            .map(|row| (row.name.clone(), row_json(row)))
            .collect();
        let mut geometric_means: Map<String, Value> = ratios
            .iter()
            .zip(&means)
            .filter_map(|(r, m)| m.map(|m| (r.key.to_string(), json!(rounded(m, 4)))))
            .collect();
        if let Some(m) = instruction_mean {
            geometric_means.insert("typed_over_c_instructions".into(), json!(rounded(m, 4)));
        }
        let json = json!({
            "benchmark": self.suite.folder(),
            "target": target,
            "memory": memory.to_string(),
            "date": header.date,
            "machine": header.machine,
            "command": header.command,
            "runs": self.runs,
            "tiny": self.tiny,
            "programs": programs,
            "geometric_means": geometric_means,
        });
        (md, json)
    }
}

/// One program's cells (and instruction counts) in the JSON report.
fn row_json(row: &Row) -> Value {
    let mut fields: Map<String, Value> = row
        .cells
        .iter()
        .map(|(s, c)| {
            let cell = match c {
                Cell::Time { us, iterations } => json!({
                    "us_per_iteration": rounded(*us, 3),
                    "iterations": iterations,
                }),
                Cell::Absent(why) => json!({ "absent": why }),
                Cell::Failed(why) => json!({ "failed": why }),
            };
            (s.key().to_string(), cell)
        })
        .collect();
    if !row.instructions.is_empty() {
        let counts: Map<String, Value> = row
            .instructions
            .iter()
            .map(|(s, n)| (s.key().to_string(), json!(rounded(*n, 0) as u64)))
            .collect();
        fields.insert("instructions_per_iteration".into(), Value::Object(counts));
    }
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_mean_of_ratios() {
        let m = geomean(&[2.0, 8.0]).unwrap();
        assert!((m - 4.0).abs() < 1e-9);
        assert_eq!(geomean(&[]), None);
    }
}
