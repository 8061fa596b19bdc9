//! Projects: a folder with a `bsconfig.json` (section 9.2 of the language specification), a
//! source folder and an entry file. `bscript project create NAME` makes one; `bscript run`
//! without a file runs the project of the current folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};

#[derive(clap::Subcommand, Debug)]
pub enum ProjectCommand {
    /// Make a new project in a new folder NAME.
    Create {
        /// The project's name (and folder).
        name: String,
        /// The board the project is for.
        #[arg(long, default_value = "host")]
        board: String,
    },
}

/// What `bscript run` needs of a project.
pub struct Project {
    pub entry: PathBuf,
    pub src_dir: PathBuf,
}

pub fn run(what: &ProjectCommand) -> anyhow::Result<ExitCode> {
    match what {
        ProjectCommand::Create { name, board } => create(Path::new(name), name, board),
    }
}

fn create(dir: &Path, name: &str, board: &str) -> anyhow::Result<ExitCode> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        bail!("a project name is a plain folder name, not `{name}`");
    }
    if dir.exists() {
        bail!("{} exists already", dir.display());
    }
    std::fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let config = serde_json::json!({
        "projectName": name,
        "boardName": board,
        "version": "1.0.0",
        "srcDir": "./src",
        "entryFile": "./src/index.bs",
        "dependencies": {},
    });
    std::fs::write(
        dir.join("bsconfig.json"),
        serde_json::to_string_pretty(&config)? + "\n",
    )?;
    std::fs::write(
        dir.join("src/index.bs"),
        "import { greet } from './greeting'\n\nprint(greet('BlueScript'))\n",
    )?;
    std::fs::write(
        dir.join("src/greeting.bs"),
        "export function greet(who: string): string {\n  return 'Hello, ' + who + '!'\n}\n",
    )?;
    println!(
        "created project {name} in {}; run it with: cd {name} && bscript run",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The project whose bsconfig.json is in `dir`.
pub fn find(dir: &Path) -> anyhow::Result<Project> {
    let config_path = dir.join("bsconfig.json");
    let text = std::fs::read_to_string(&config_path).with_context(|| {
        format!(
            "no program given and no project here ({} missing)",
            config_path.display()
        )
    })?;
    let config: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", config_path.display()))?;
    for field in ["projectName", "boardName"] {
        if !config.get(field).is_some_and(|v| v.is_string()) {
            bail!(
                "{} needs the field `{field}` (a string)",
                config_path.display()
            );
        }
    }
    let text_field = |name: &str, default: &str| -> anyhow::Result<String> {
        match config.get(name) {
            None => Ok(default.to_string()),
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(_) => bail!("{}: `{name}` must be a string", config_path.display()),
        }
    };
    let src_dir = dir.join(text_field("srcDir", ".")?);
    let entry = dir.join(text_field("entryFile", "./index.bs")?);
    Ok(Project { entry, src_dir })
}
