//! `bscript board pair` as a user runs it: a project is paired with its device, runs and its
//! REPL work as before, the key stays out of the project, and a host without the key or with
//! another one is refused with a message that says what to do. On the host device always, and
//! on qemu-mps2-an385 when QEMU and its compiler are installed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A scratch folder with a configuration folder of its own (where keys go), removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("bs-pairing-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("config")).unwrap();
        Scratch { dir }
    }

    /// Runs bscript in `cwd` with this scratch's configuration folder and `input` on stdin.
    fn bscript(&self, cwd: &Path, args: &[&str], input: &str) -> (i32, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bscript"));
        cmd.args(args)
            .current_dir(cwd)
            .env("XDG_CONFIG_HOME", self.dir.join("config"));
        let stdin = self.dir.join("stdin.txt");
        std::fs::write(&stdin, input).unwrap();
        cmd.stdin(Stdio::from(std::fs::File::open(&stdin).unwrap()));
        let out = common::output_within(cmd, Duration::from_secs(120));
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A new project `name` in this scratch folder.
    fn project(&self, name: &str) -> PathBuf {
        let (code, _, err) = self.bscript(&self.dir, &["project", "create", name], "");
        assert_eq!(code, 0, "{err}");
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The keyed image that `board pair` reported.
fn keyed_image(pair_output: &str) -> String {
    pair_output
        .lines()
        .find_map(|l| {
            l.split_once("runtime image with the key: ")
                .map(|(_, p)| p.to_owned())
        })
        .unwrap_or_else(|| panic!("no image in:\n{pair_output}"))
}

fn pair_and_use(target: &str) {
    let scratch = Scratch::new(target);
    let project = scratch.project("demo");
    let t = ["--target", target];
    let args = |rest: &[&'static str]| [&t[..], rest].concat();

    let (code, out, err) = scratch.bscript(&project, &args(&["board", "pair"]), "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("made key "), "{out}");
    assert!(out.contains("checked: the device holds key"), "{out}");
    let image = keyed_image(&out);

    // The project names the key's id; the key itself is in the configuration folder, private.
    let config = std::fs::read_to_string(project.join("bsconfig.json")).unwrap();
    let keys = scratch.dir.join("config/bscript/keys");
    let key_file = std::fs::read_dir(&keys)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let key_hex = std::fs::read_to_string(&key_file).unwrap();
    let id = key_file.file_stem().unwrap().to_string_lossy().into_owned();
    assert!(config.contains(&format!("\"keyId\": \"{id}\"")), "{config}");
    assert!(
        !config.contains(key_hex.trim()),
        "the key is in bsconfig.json"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the key file is readable by others: {mode:o}"
        );
    }

    // Pairing again keeps the key.
    let (code, out, err) = scratch.bscript(&project, &args(&["board", "pair"]), "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("this project's key is {id}")),
        "{out}"
    );

    // A paired session: run, the REPL, board info.
    let (code, out, err) = scratch.bscript(&project, &args(&["run"]), "");
    assert_eq!((code, out.as_str()), (0, "Hello, BlueScript!\n"), "{err}");
    let input =
        "let base = 40\nfunction add(x: integer): integer { return x + base }\nprint(add(2))\n";
    let (code, out, err) = scratch.bscript(&project, &args(&["repl"]), input);
    assert_eq!((code, out.as_str()), (0, "42\n"), "{err}");
    let (code, out, err) = scratch.bscript(&project, &args(&["board", "info"]), "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("pairing: paired with key {id}")),
        "{out}"
    );

    // A host without the key (outside the project) is refused by the paired device.
    let program = scratch.dir.join("one.bs");
    std::fs::write(&program, "print(1)\n").unwrap();
    let program = program.to_str().unwrap();
    let with_image = |rest: &[&'static str]| {
        let mut a: Vec<&str> = args(rest);
        a.extend(["--runtime-exe", image.as_str(), program]);
        a
    };
    let (code, out, err) = scratch.bscript(&scratch.dir, &with_image(&["run"]), "");
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("this host has no key"), "{err}");
    assert!(err.contains("bscript board pair"), "{err}");

    // Another project's key: a wrong key.
    let other = scratch.project("other");
    let (code, out, err) = scratch.bscript(&other, &args(&["board", "pair"]), "");
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = scratch.bscript(&other, &with_image(&["run"]), "");
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("wrong key"), "{err}");
    assert!(err.contains(&id), "{err}");

    // The key missing on this computer: said before anything starts.
    std::fs::remove_file(&key_file).unwrap();
    let (code, out, err) = scratch.bscript(&project, &args(&["run"]), "");
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("the key is not on this computer"), "{err}");
    assert!(err.contains("--new-key"), "{err}");
}

#[test]
fn pair_a_project_with_the_host_device() {
    pair_and_use("host");
}

#[test]
fn pair_a_project_with_a_qemu_board() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    pair_and_use("qemu-mps2-an385");
}

#[test]
fn pair_needs_a_project() {
    let scratch = Scratch::new("none");
    let (code, out, err) = scratch.bscript(&scratch.dir, &["board", "pair"], "");
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("no project here"), "{err}");
    assert!(err.contains("bscript project create"), "{err}");
}
