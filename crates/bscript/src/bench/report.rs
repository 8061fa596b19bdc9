//! What every benchmark report shares: the header that says when, where and how it was made,
//! JSON numbers rounded as the tables show them, and writing the Markdown and JSON files.

use std::path::Path;

use anyhow::Context;

/// When, on what machine and by what command a report was made.
pub struct Header {
    /// `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// The processor, its cores and the kernel.
    pub machine: String,
    /// This process's command line.
    pub command: String,
}

impl Header {
    /// The header of a report made now, by this process.
    pub fn now() -> Header {
        Header {
            date: command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            machine: machine_description(),
            command: std::env::args().collect::<Vec<_>>().join(" "),
        }
    }

    /// The header's lines of a Markdown report (date, machine, command).
    pub fn markdown(&self) -> String {
        format!(
            "- date: {}\n- machine: {}\n- command: `{}`\n",
            self.date, self.machine, self.command
        )
    }
}

/// `value` rounded to `decimals` decimal places as the text formatting rounds it, for a JSON
/// number.
pub fn rounded(value: f64, decimals: usize) -> f64 {
    format!("{value:.decimals$}").parse().unwrap_or(value)
}

/// Writes `OUT/STEM.md` and `OUT/STEM.json`, prints the Markdown and says where both went.
pub fn write(
    out_dir: &Path,
    stem: &str,
    label: &str,
    md: &str,
    json: &serde_json::Value,
) -> anyhow::Result<()> {
    let (md_path, json_path) = write_files(out_dir, stem, md, json)?;
    print!("{md}");
    eprintln!(
        "bench {label}: results written to {} and {}",
        md_path.display(),
        json_path.display()
    );
    Ok(())
}

/// Writes `OUT/STEM.md` and `OUT/STEM.json` silently (a report still in progress), and
/// returns their paths.
pub fn write_files(
    out_dir: &Path,
    stem: &str,
    md: &str,
    json: &serde_json::Value,
) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    let mut json = serde_json::to_string_pretty(json).context("cannot format the JSON report")?;
    json.push('\n');
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let md_path = out_dir.join(format!("{stem}.md"));
    let json_path = out_dir.join(format!("{stem}.json"));
    std::fs::write(&md_path, md).with_context(|| format!("cannot write {}", md_path.display()))?;
    std::fs::write(&json_path, &json)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    Ok((md_path, json_path))
}

/// The standard output of a command, trimmed; empty when it cannot run.
pub fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn machine_description() -> String {
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
