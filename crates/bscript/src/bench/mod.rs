//! `bscript bench …`: measurements of bscript itself, written to `benchmarks/results/` with the
//! machine, the command and the date.
//!
//! The commands (this file) call the runners — [`repl`], [`compile`], [`link`], [`events`], and [`suite`] for the
//! program suites (with [`peers`] for the other systems and [`program`] for the programs
//! themselves) — which fill in their tables ([`table`]) and write them through [`report`].

mod compile;
mod events;
mod link;
mod peers;
mod program;
mod repl;
mod report;
mod soak;
mod suite;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::Cli;

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
    /// Compile time by program size: generated programs of several shapes and sizes, stage by
    /// stage.
    Compile {
        /// Program sizes in lines, comma-separated (default 1000,2000,5000,10000,20000).
        #[arg(long, value_delimiter = ',')]
        sizes: Vec<usize>,
        /// Each shape once at 200 lines (a quick check that every shape compiles and runs).
        #[arg(long)]
        tiny: bool,
        /// Folder for the results (Markdown and JSON).
        #[arg(long, default_value = "benchmarks/results")]
        out: PathBuf,
    },
    /// The Are We Fast Yet programs on every installed system: a table of times and ratios.
    Awfy(suite::SuiteArgs),
    /// The DSP kernels (CRC-32, FFT, FIR, IIR, SHA-256) on every installed system.
    Dsp(suite::SuiteArgs),
    /// The same scripted session over a clean and over faulty links: the transcripts must agree.
    Link {
        /// Number of inputs of the script.
        #[arg(long, default_value_t = 1000)]
        inputs: usize,
        /// The faults of a faulty run; repeat the option for runs at several rates.
        #[arg(
            long,
            value_name = "FAULTS",
            default_value = "drop=5%,corrupt=5%,duplicate=1%,seed=1"
        )]
        faults: Vec<bs_session::FaultRates>,
        /// Runs per `--faults`, with the seeds SEED, SEED+1, …
        #[arg(long, default_value_t = 1)]
        seeds: u64,
        /// Folder for the results (Markdown and JSON).
        #[arg(long, default_value = "benchmarks/results")]
        out: PathBuf,
    },
    /// Timers on the device: accuracy of an interval over many periods, and the latency from a
    /// timer's due time to its callback (`benchmarks/results/events-TARGET.md`).
    Events {
        /// 10 periods and 10 samples instead of 100 and 50 (a quick check).
        #[arg(long)]
        tiny: bool,
        /// Folder for the results (Markdown and JSON).
        #[arg(long, default_value = "benchmarks/results")]
        out: PathBuf,
    },
    /// A long session of every kind of input, sampling host and device memory: nothing may grow.
    Soak {
        /// Number of inputs (after a short set-up).
        #[arg(long, default_value_t = 10_000)]
        inputs: usize,
        /// Take a sample of the figures every this many inputs.
        #[arg(long, default_value_t = 250)]
        sample: usize,
        /// `.reset` the device (and run the set-up again) every this many inputs; 0: never.
        #[arg(long, default_value_t = 0)]
        reset_every: usize,
        /// Folder for the results (Markdown and JSON).
        #[arg(long, default_value = "benchmarks/results")]
        out: PathBuf,
    },
}

pub fn run(cli: &Cli, what: &BenchCommand) -> anyhow::Result<ExitCode> {
    match what {
        BenchCommand::Repl { count, out } => repl::run(cli, *count, out),
        BenchCommand::Compile { sizes, tiny, out } => compile::run(cli, sizes, *tiny, out),
        BenchCommand::Awfy(args) => suite::run(cli, program::Suite::Awfy, args),
        BenchCommand::Dsp(args) => suite::run(cli, program::Suite::Dsp, args),
        BenchCommand::Link {
            inputs,
            faults,
            seeds,
            out,
        } => link::run(cli, *inputs, faults, *seeds, out),
        BenchCommand::Events { tiny, out } => events::run(cli, *tiny, out),
        BenchCommand::Soak {
            inputs,
            sample,
            reset_every,
            out,
        } => soak::run(cli, *inputs, *sample, *reset_every, out),
    }
}
