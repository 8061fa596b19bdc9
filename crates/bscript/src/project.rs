//! Projects: a folder with a `bsconfig.json` (section 9.2 of the language specification), a
//! source folder and an entry file. `bscript project create NAME` makes one; `bscript run`
//! and `bscript check` without a file take the project of the current folder.
//!
//! Packages: `bscript project install PATH-OR-GIT-URL` copies (a folder) or clones (a git URL,
//! optionally `#tag-or-branch`) a package — a folder with its own `bsconfig.json`, source
//! folder and entry file — into the project's `packages/NAME/` (NAME is the package's
//! `projectName`) and records it under `dependencies` in bsconfig.json; the packages it
//! depends on are installed beside it. `import … from 'NAME'` is its entry file,
//! `'NAME/sub/mod'` the file `sub/mod.bs` of its source folder.

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
        /// The board the project is for (`bscript board list` shows them).
        #[arg(long, default_value = "host")]
        board: String,
    },
    /// Install a package into the project of this folder: a folder (PATH) is copied, a git
    /// repository (URL, optionally followed by `#TAG-OR-BRANCH`) is cloned, into
    /// `packages/NAME/`, and it is recorded in bsconfig.json's `dependencies`. Without an
    /// argument, installs every dependency that bsconfig.json lists and `packages/` lacks.
    Install {
        /// A package folder, or a git URL (`https://…`, `file://…`, `git@…`).
        source: Option<String>,
    },
}

/// The folder installed packages go to, in a project's folder.
pub const PACKAGES_DIR: &str = "packages";

/// What `bscript run` and `bscript check` need of a project.
pub struct Project {
    pub entry: PathBuf,
    /// Where its imports are looked for: its source folder and installed packages.
    pub roots: bs_session::ModuleRoots,
}

/// Runs a `project` command. Its failures are the user's (a bad name, an existing folder, a
/// package that cannot be installed): reported here, with exit status 1.
pub fn run(what: &ProjectCommand) -> anyhow::Result<ExitCode> {
    let result = match what {
        ProjectCommand::Create { name, board } => create(Path::new(name), name, board),
        ProjectCommand::Install { source } => install_command(Path::new("."), source.as_deref()),
    };
    result.or_else(|e| {
        eprintln!("bscript: {e:#}");
        Ok(ExitCode::from(1))
    })
}

/// The names of the known boards (targets), for messages.
pub fn known_boards() -> String {
    bs_session::board::targets()
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses a board that is not one of the known targets.
pub fn check_board(board: &str, whose: &str) -> anyhow::Result<()> {
    if !bs_session::board::targets().iter().any(|t| t.name == board) {
        bail!(
            "{whose}: unknown board `{board}`; the known boards are: {}",
            known_boards()
        );
    }
    Ok(())
}

fn create(dir: &Path, name: &str, board: &str) -> anyhow::Result<ExitCode> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        bail!("a project name is a plain folder name, not `{name}`");
    }
    check_board(board, "--board")?;
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
    let board = text_field(&config, &config_path, "boardName", "host")?;
    check_board(&board, &format!("{}: `boardName`", config_path.display()))?;
    let src_dir = tidy(&dir.join(text_field(&config, &config_path, "srcDir", ".")?));
    let entry = tidy(&dir.join(text_field(
        &config,
        &config_path,
        "entryFile",
        "./index.bs",
    )?));
    let packages = packages(dir, &config, &config_path)?;
    let c_dirs = c_dirs(&src_dir, &packages);
    let roots = bs_session::ModuleRoots {
        src_dir,
        packages,
        c_dirs,
        bundled: crate::bundled::packages(),
    };
    Ok(Project { entry, roots })
}

/// The folders whose `.c` files a project's sessions compile and link: its source folder, then
/// its packages' (by name).
fn c_dirs(
    src_dir: &Path,
    packages: &std::collections::HashMap<String, bs_session::Package>,
) -> Vec<PathBuf> {
    let mut names: Vec<&String> = packages.keys().collect();
    names.sort();
    std::iter::once(src_dir.to_path_buf())
        .chain(names.into_iter().map(|n| tidy(&packages[n].src_dir)))
        .collect()
}

/// A path without its `.` components (`././src/index.bs` is `src/index.bs`), for messages.
fn tidy(path: &Path) -> PathBuf {
    let tidy: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if tidy.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tidy
    }
}

/// A string field of a bsconfig.json, or its default.
fn text_field(
    config: &serde_json::Value,
    path: &Path,
    name: &str,
    default: &str,
) -> anyhow::Result<String> {
    match config.get(name) {
        None => Ok(default.to_string()),
        Some(serde_json::Value::String(s)) => Ok(s.clone()),
        Some(_) => bail!("{}: `{name}` must be a string", path.display()),
    }
}

/// The `dependencies` of a bsconfig.json: package name → where it came from.
fn dependencies(config: &serde_json::Value, path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    match config.get("dependencies") {
        None => Ok(Vec::new()),
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(name, v)| match v {
                serde_json::Value::String(s) => Ok((name.clone(), s.clone())),
                _ => bail!(
                    "{}: dependency `{name}` must be a string (a git URL or a folder)",
                    path.display()
                ),
            })
            .collect(),
        Some(_) => bail!(
            "{}: `dependencies` must be an object (package name → git URL)",
            path.display()
        ),
    }
}

/// The installed packages of the project in `dir`: its dependencies found in `packages/`, and
/// theirs (installed beside them).
fn packages(
    dir: &Path,
    config: &serde_json::Value,
    path: &Path,
) -> anyhow::Result<std::collections::HashMap<String, bs_session::Package>> {
    let mut out = std::collections::HashMap::new();
    let mut wanted: Vec<String> = dependencies(config, path)?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    while let Some(name) = wanted.pop() {
        if out.contains_key(&name) {
            continue;
        }
        let package_dir = dir.join(PACKAGES_DIR).join(&name);
        let package_config = package_dir.join("bsconfig.json");
        let Ok(text) = std::fs::read_to_string(&package_config) else {
            continue; // not installed: its imports say so
        };
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", package_config.display()))?;
        wanted.extend(
            dependencies(&value, &package_config)?
                .into_iter()
                .map(|(n, _)| n),
        );
        out.insert(name, package_of(&package_dir, &value, &package_config)?);
    }
    Ok(out)
}

/// The package in folder `package_dir` (with its `bsconfig.json`).
pub fn package_at(package_dir: &Path) -> anyhow::Result<bs_session::Package> {
    let package_config = package_dir.join("bsconfig.json");
    let text = std::fs::read_to_string(&package_config)
        .with_context(|| format!("cannot read {}", package_config.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", package_config.display()))?;
    package_of(package_dir, &value, &package_config)
}

/// The package in `package_dir` whose bsconfig.json (at `path`) holds `config`.
fn package_of(
    package_dir: &Path,
    config: &serde_json::Value,
    path: &Path,
) -> anyhow::Result<bs_session::Package> {
    let src_dir = package_dir.join(text_field(config, path, "srcDir", ".")?);
    let entry = package_dir.join(text_field(config, path, "entryFile", "./index.bs")?);
    Ok(bs_session::Package { src_dir, entry })
}

/// The board that the project in `dir` (if there is one) names with `boardName`; an error when
/// it names an unknown one. `Ok(None)` when there is no project.
pub fn board_of(dir: &Path) -> anyhow::Result<Option<String>> {
    let Some(config) = read_config(dir)? else {
        return Ok(None);
    };
    let Some(board) = config.value.get("boardName") else {
        return Ok(None);
    };
    let Some(board) = board.as_str() else {
        bail!("{}: `boardName` must be a string", config.path.display());
    };
    check_board(board, &format!("{}: `boardName`", config.path.display()))?;
    Ok(Some(board.to_string()))
}

/// The import roots of a program outside a project's entry: its folder `src_dir`, and the
/// packages of the project in the working folder if there is one. When the program is in that
/// project's folder (a REPL in it, `bscript run src/main.bs`), the project's C files and its
/// packages' are linked as for its entry; outside a project there are none.
pub fn roots_for(src_dir: PathBuf) -> bs_session::ModuleRoots {
    let config = read_config(Path::new(".")).ok().flatten();
    let packages = config
        .as_ref()
        .and_then(|c| packages(Path::new("."), &c.value, &c.path).ok())
        .unwrap_or_default();
    let in_project = |config: &Config| {
        let project = Path::new(".").canonicalize().ok()?;
        let program = if src_dir.as_os_str().is_empty() {
            project.clone()
        } else {
            src_dir.canonicalize().ok()?
        };
        if !program.starts_with(project) {
            return None;
        }
        let dir = text_field(&config.value, &config.path, "srcDir", ".").ok()?;
        Some(tidy(&Path::new(".").join(dir)))
    };
    let c_dirs = match config.as_ref().and_then(in_project) {
        Some(project_src) => c_dirs(&project_src, &packages),
        None => Vec::new(),
    };
    bs_session::ModuleRoots {
        src_dir,
        packages,
        c_dirs,
        bundled: crate::bundled::packages(),
    }
}

/// Whether `source` names a git repository to clone rather than a folder to copy.
fn is_git_url(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@") || source.ends_with(".git")
}

/// `bscript project install [SOURCE]`.
fn install_command(project: &Path, source: Option<&str>) -> anyhow::Result<ExitCode> {
    let Some(mut config) = read_config(project)? else {
        bail!(
            "`bscript project install` installs a package into a project, and there is no \
             project here ({} missing)",
            project.join("bsconfig.json").display()
        );
    };
    match source {
        Some(source) => {
            let name = install(project, source)?;
            let Some(object) = config.value.as_object_mut() else {
                bail!("{} does not hold a JSON object", config.path.display());
            };
            let deps = object
                .entry("dependencies")
                .or_insert_with(|| serde_json::json!({}));
            let Some(deps) = deps.as_object_mut() else {
                bail!(
                    "{}: `dependencies` must be an object",
                    config.path.display()
                );
            };
            deps.insert(name.clone(), serde_json::Value::String(recorded(source)));
            std::fs::write(
                &config.path,
                serde_json::to_string_pretty(&config.value)? + "\n",
            )
            .with_context(|| format!("cannot write {}", config.path.display()))?;
            println!(
                "installed {name} in {}",
                project.join(PACKAGES_DIR).join(&name).display()
            );
        }
        None => {
            for (name, source) in dependencies(&config.value, &config.path)? {
                if !project.join(PACKAGES_DIR).join(&name).exists() {
                    let got = install(project, &source)?;
                    if got != name {
                        bail!(
                            "dependency `{name}` ({source}) is a package named `{got}`; \
                             correct its name in {}",
                            config.path.display()
                        );
                    }
                    println!("installed {name}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How a package's source is recorded in `dependencies`: a git URL as given, a folder as an
/// absolute path (so that it means the same folder from anywhere).
fn recorded(source: &str) -> String {
    if is_git_url(source) {
        return source.to_string();
    }
    std::fs::canonicalize(source)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| source.to_string())
}

/// Installs the package at `source` (and the packages it depends on that are not installed)
/// into the project in `project`; returns its name. An installed package of the same name is
/// replaced.
fn install(project: &Path, source: &str) -> anyhow::Result<String> {
    let packages = project.join(PACKAGES_DIR);
    std::fs::create_dir_all(&packages)
        .with_context(|| format!("cannot create {}", packages.display()))?;
    // Fetched into a folder of its own first: the name is in its bsconfig.json.
    let staging = packages.join(format!(".installing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let fetched = fetch(source, &staging);
    let named = fetched.and_then(|()| {
        let config = read_config(&staging)?.with_context(|| {
            format!("{source} is not a BlueScript package: it has no bsconfig.json")
        })?;
        let name = config
            .value
            .get("projectName")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .with_context(|| format!("{}: `projectName` is missing", config.path.display()))?;
        if name.is_empty()
            || name.starts_with('.')
            || name.contains(['/', '\\'])
            || name.contains(char::is_whitespace)
        {
            bail!("{source}: `{name}` is not a usable package name (`projectName`)");
        }
        Ok((name, dependencies(&config.value, &config.path)?))
    });
    let (name, deps) = match named {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let target = packages.join(&name);
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
    }
    std::fs::rename(&staging, &target)
        .with_context(|| format!("cannot move the package to {}", target.display()))?;
    for (dep, dep_source) in deps {
        if !packages.join(&dep).exists() {
            install(project, &dep_source)
                .with_context(|| format!("installing {dep}, which {name} depends on"))?;
        }
    }
    Ok(name)
}

/// Copies the folder `source`, or clones the git repository `source` (`URL#REF` checks out
/// REF), into `to`; a clone's `.git` is removed, so the package is plain files.
fn fetch(source: &str, to: &Path) -> anyhow::Result<()> {
    if is_git_url(source) {
        let (url, reference) = match source.rsplit_once('#') {
            Some((url, r)) if !r.is_empty() => (url, Some(r)),
            _ => (source, None),
        };
        let mut git = std::process::Command::new("git");
        git.args(["clone", "--quiet", "--depth", "1"]);
        if let Some(r) = reference {
            git.args(["--branch", r]);
        }
        git.arg("--").arg(url).arg(to);
        let out = git
            .output()
            .context("cannot run git to clone the package (is git installed?)")?;
        if !out.status.success() {
            bail!(
                "git cannot clone {source}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        std::fs::remove_dir_all(to.join(".git"))
            .with_context(|| format!("cannot remove {}", to.join(".git").display()))?;
        return Ok(());
    }
    let from = Path::new(source);
    if !from.is_dir() {
        // A package that comes with bscript, by its name.
        if let Some(bundled) = crate::bundled::package_dir(source) {
            return copy_tree(&bundled, to);
        }
        bail!(
            "{source} is neither a package folder, nor a git URL, nor a package that comes with \
             bscript ({})",
            crate::bundled::names().join(", ")
        );
    }
    copy_tree(from, to)
}

/// Copies a folder, leaving out `.git` and `packages` (a package's own installed packages).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if name == ".git" || name == PACKAGES_DIR {
            continue;
        }
        let kind = entry.file_type()?;
        let dest = to.join(&name);
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &dest)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
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
