//! Projects: a folder with a `bsconfig.json` (section 9.2 of the language specification), a
//! source folder and an entry file. `bscript project create NAME` makes one; `bscript run`
//! without a file runs the project of the current folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use bs_protocol::auth::{Key, KeyId};

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

/// The folder that holds pairing keys: `$XDG_CONFIG_HOME/bscript/keys`, else
/// `~/.config/bscript/keys`. Keys live outside projects so that a project folder (and its
/// bsconfig.json, which names only the key's id) can be shared and committed without the secret.
pub fn key_dir() -> PathBuf {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(std::env::temp_dir);
    config.join("bscript/keys")
}

/// The file of the key with this id.
pub fn key_path(id: &KeyId) -> PathBuf {
    key_dir().join(format!("{id}.key"))
}

/// A project's configuration as JSON, and where it is.
struct Config {
    path: PathBuf,
    value: serde_json::Value,
}

fn read_config(dir: &Path) -> anyhow::Result<Option<Config>> {
    let path = dir.join("bsconfig.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    Ok(Some(Config { path, value }))
}

/// The key id that the project's `"pairing": {"keyId": …}` names, if any.
fn paired_key_id(config: &Config) -> anyhow::Result<Option<KeyId>> {
    let Some(pairing) = config.value.get("pairing") else {
        return Ok(None);
    };
    let id = pairing.get("keyId").and_then(|v| v.as_str());
    match id.and_then(KeyId::from_hex) {
        Some(id) => Ok(Some(id)),
        None => bail!(
            "{}: `pairing` needs `keyId`, the 16 hexadecimal digits of the key's id \
             (`bscript board pair` writes it)",
            config.path.display()
        ),
    }
}

/// Reads the key with this id from its file.
fn read_key(id: &KeyId) -> anyhow::Result<Option<Key>> {
    let path = key_path(id);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let key = Key::from_hex(&text).with_context(|| format!("{} holds no key", path.display()))?;
    if key.id() != *id {
        bail!(
            "{} holds the key with id {}, not {id}",
            path.display(),
            key.id()
        );
    }
    Ok(Some(key))
}

/// The pairing key of the project in `dir`, if it is paired (`bscript board pair`); an error
/// when it is paired but the key is not on this computer.
pub fn session_key(dir: &Path) -> anyhow::Result<Option<Key>> {
    let Some(config) = read_config(dir)? else {
        return Ok(None);
    };
    let Some(id) = paired_key_id(&config)? else {
        return Ok(None);
    };
    match read_key(&id)? {
        Some(key) => Ok(Some(key)),
        None => bail!(
            "this project is paired with key {id} ({}), but the key is not on this computer \
             ({} is missing): copy that file from the computer that paired the device, or run \
             `bscript board pair --new-key` to pair the device again with a new key",
            config.path.display(),
            key_path(&id).display()
        ),
    }
}

/// A project's pairing: its key, where the key is kept, and whether it was made just now.
pub struct Pairing {
    pub key: Key,
    pub key_file: PathBuf,
    pub config: PathBuf,
    pub created: bool,
}

/// Gives the project in `dir` a key, or finds the one it has (a new one with `new_key`): the key
/// goes into its own file in [`key_dir`] (readable by its owner only), its id into bsconfig.json.
pub fn pair(dir: &Path, new_key: bool) -> anyhow::Result<Pairing> {
    let Some(mut config) = read_config(dir)? else {
        bail!(
            "`bscript board pair` pairs a device with a project, and there is no project here \
             ({} missing): run it in a project's folder (`bscript project create NAME` makes one)",
            dir.join("bsconfig.json").display()
        );
    };
    if !new_key && let Some(id) = paired_key_id(&config)? {
        return match read_key(&id)? {
            Some(key) => Ok(Pairing {
                key,
                key_file: key_path(&id),
                config: config.path,
                created: false,
            }),
            None => bail!(
                "this project is paired with key {id}, but the key is not on this computer ({} \
                 is missing): copy that file from the computer that paired the device, or run \
                 `bscript board pair --new-key` to make a new key",
                key_path(&id).display()
            ),
        };
    }
    let key = new_random_key()?;
    let id = key.id();
    let key_file = key_path(&id);
    write_key_file(&key_file, &key)?;
    let Some(object) = config.value.as_object_mut() else {
        bail!("{} does not hold a JSON object", config.path.display());
    };
    object.insert(
        "pairing".to_string(),
        serde_json::json!({ "keyId": id.to_string() }),
    );
    std::fs::write(
        &config.path,
        serde_json::to_string_pretty(&config.value)? + "\n",
    )
    .with_context(|| format!("cannot write {}", config.path.display()))?;
    Ok(Pairing {
        key,
        key_file,
        config: config.path,
        created: true,
    })
}

/// 32 bytes from the operating system's random number generator.
fn new_random_key() -> anyhow::Result<Key> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read random bytes for a key from /dev/urandom")?;
    Ok(Key::from_bytes(bytes))
}

/// Writes a key file that only its owner may read, in a folder only its owner may enter.
fn write_key_file(path: &Path, key: &Key) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(format!("{}\n", key.to_hex()).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}
