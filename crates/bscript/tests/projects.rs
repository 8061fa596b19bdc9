//! Projects as a user meets them: `project create`, `check` resolving imports as `run` does,
//! `boardName` as the default target, and packages installed with `project install` from a
//! folder and from a git repository (a local one, through a `file://` URL).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    common::scratch("projects", test)
}

/// Runs bscript in `dir`: (exit status, standard output, standard error).
fn bscript(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::bscript_in(dir, args)
}

fn write(path: &Path, text: &str) {
    common::write_file(path, text)
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@localhost"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn create_refuses_an_existing_folder_and_an_unknown_board_with_status_1() {
    let base = scratch("create");
    let (code, out, err) = bscript(&base, &["project", "create", "demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created project demo"), "{out}");
    let (code, _, err) = bscript(&base, &["project", "create", "demo"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("exists already"), "{err}");
    let (code, _, err) = bscript(&base, &["project", "create", "other", "--board", "esp32"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("unknown board `esp32`") && err.contains("host, qemu-mps2-an385"),
        "{err}"
    );
    assert!(!base.join("other").exists());
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn check_resolves_imports_as_run_does() {
    let base = scratch("check");
    assert_eq!(bscript(&base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    // The template: with no FILE, the project's entry; with a FILE, that file.
    assert_eq!(bscript(&dir, &["check"]), (0, String::new(), String::new()));
    assert_eq!(
        bscript(&dir, &["check", "src/index.bs"]),
        (0, String::new(), String::new())
    );
    assert_eq!(bscript(&dir, &["run"]).1, "Hello, BlueScript!\n");
    // An error in a module is reported in that module, by check and by run alike.
    write(
        &dir.join("src/greeting.bs"),
        "export function greet(who: string): string {\n  return 1\n}\n",
    );
    for command in [&["check"][..], &["run"]] {
        let mut args = vec!["--error-format", "short"];
        args.extend_from_slice(command);
        let (code, out, err) = bscript(&dir, &args);
        assert_eq!(code, 1, "{command:?}: {err}");
        assert_eq!(out, "");
        assert!(
            err.contains(
                "src/greeting.bs:2:10: error: Type 'integer' does not match type 'string'"
            ),
            "{command:?}: {err}"
        );
    }
    // Names a module does not export are unknown to its importer in check too.
    write(
        &dir.join("src/greeting.bs"),
        "let secret = 1\nexport function greet(who: string): string { return who }\n",
    );
    write(
        &dir.join("src/index.bs"),
        "import { greet } from './greeting'\nprint(greet('a') + secret)\n",
    );
    let (code, _, err) = bscript(&dir, &["--error-format", "short", "check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown name: secret"), "{err}");
    // Outside a project, check without a FILE says what is missing.
    let (code, _, err) = bscript(&base, &["check"]);
    assert_eq!(code, 1);
    assert!(err.contains("no project here"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn board_name_is_the_default_target() {
    let base = scratch("board");
    assert_eq!(bscript(&base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    let config = dir.join("bsconfig.json");
    let text = std::fs::read_to_string(&config).unwrap();
    write(
        &config,
        &text.replace(
            "\"boardName\": \"host\"",
            "\"boardName\": \"qemu-mps2-an385\"",
        ),
    );
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let (code, out, err) = bscript(&dir, &["board", "info"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("target: qemu-mps2-an385"), "{out}");
    // --target still wins.
    let (code, out, err) = bscript(&dir, &["--target", "host", "board", "info"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("target: host"), "{out}");
    // run uses it too: 400 KB of integers fit the host device's heap (1 MiB), not QEMU's
    // (32 KB).
    write(
        &dir.join("src/index.bs"),
        "let a = new Array<integer>(100000, 1)\nprint(a.length)\n",
    );
    let (code, out, _) = bscript(&dir, &["--target", "host", "run"]);
    assert_eq!((code, out.as_str()), (0, "100000\n"));
    let (code, out, err) = bscript(&dir, &["run"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("memory"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn an_unknown_board_name_is_refused_with_the_known_ones() {
    let base = scratch("unknown-board");
    assert_eq!(bscript(&base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    let config = dir.join("bsconfig.json");
    let text = std::fs::read_to_string(&config).unwrap();
    write(
        &config,
        &text.replace("\"boardName\": \"host\"", "\"boardName\": \"esp32\""),
    );
    let (code, out, err) = bscript(&dir, &["run"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(
        err.contains("unknown board `esp32`; the known boards are: host, qemu-mps2-an385"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&base);
}

/// A package named `mylib` in `dir`, a git repository with the tag `v1` on its first commit:
/// its entry imports a module of its own, and both have private names that the project
/// declares too.
fn make_package(dir: &Path) {
    write(
        &dir.join("bsconfig.json"),
        r#"{"projectName": "mylib", "boardName": "host", "srcDir": "./src", "entryFile": "./src/index.bs"}"#,
    );
    write(
        &dir.join("src/index.bs"),
        "import { twice } from './util/math'\nlet secret = 5\n\
         export function quad(n: integer): integer { return twice(twice(n)) + secret - 5 }\n",
    );
    write(
        &dir.join("src/util/math.bs"),
        "function helper(n: integer): integer { return n * 2 }\n\
         export function twice(n: integer): integer { return helper(n) }\n",
    );
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    git(dir, &["tag", "v1"]);
}

#[test]
fn packages_install_from_a_folder_and_from_a_git_url() {
    let base = scratch("install");
    let lib = base.join("lib");
    make_package(&lib);
    assert_eq!(bscript(&base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    write(
        &dir.join("src/index.bs"),
        "import { quad } from 'mylib'\nimport { twice } from 'mylib/util/math'\n\
         let secret = 'mine'\nfunction helper(): string { return secret }\n\
         print(quad(3))\nprint(twice(4))\nprint(helper())\n",
    );
    // Not installed yet: the import says so.
    let (code, _, err) = bscript(&dir, &["--error-format", "short", "run"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Cannot find a module mylib"), "{err}");

    // From a folder.
    let (code, out, err) = bscript(&dir, &["project", "install", lib.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed mylib"), "{out}");
    assert!(dir.join("packages/mylib/src/util/math.bs").is_file());
    assert!(!dir.join("packages/mylib/.git").exists());
    let config = std::fs::read_to_string(dir.join("bsconfig.json")).unwrap();
    assert!(config.contains("\"mylib\": \""), "{config}");
    let expected = (0, "12\n8\nmine\n".to_string(), String::new());
    assert_eq!(bscript(&dir, &["run"]), expected);
    assert_eq!(bscript(&dir, &["check"]).0, 0);
    // The same on the other targets: collecting at every allocation, and QEMU.
    assert_eq!(bscript(&dir, &["--gc-stress", "run"]), expected);
    if common::installed("qemu-system-arm") && common::installed("arm-none-eabi-gcc") {
        let qemu = ["--target", "qemu-mps2-an385", "run"];
        assert_eq!(bscript(&dir, &qemu), expected);
    } else {
        eprintln!("not run on QEMU: it is not installed");
    }

    // From a git URL with a tag; a later commit of the repository is not what gets installed.
    std::fs::remove_dir_all(dir.join("packages")).unwrap();
    write(
        &lib.join("src/index.bs"),
        "export let broken: integer = 'x'\n",
    );
    git(&lib, &["commit", "-q", "-a", "-m", "second"]);
    let url = format!("file://{}#v1", lib.display());
    let (code, _, err) = bscript(&dir, &["project", "install", &url]);
    assert_eq!(code, 0, "{err}");
    let config = std::fs::read_to_string(dir.join("bsconfig.json")).unwrap();
    assert!(config.contains(&url), "{config}");
    assert_eq!(bscript(&dir, &["run"]), expected);

    // Without an argument: what bsconfig.json lists and packages/ lacks.
    std::fs::remove_dir_all(dir.join("packages")).unwrap();
    let (code, _, err) = bscript(&dir, &["project", "install"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(bscript(&dir, &["run"]), expected);

    // A folder that is no package, and a repository that cannot be cloned.
    let (code, _, err) = bscript(&dir, &["project", "install", base.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not a BlueScript package"), "{err}");
    let missing = format!("file://{}", base.join("nowhere").display());
    let (code, _, err) = bscript(&dir, &["project", "install", &missing]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("git cannot clone"), "{err}");
    assert!(
        std::fs::read_dir(dir.join("packages"))
            .unwrap()
            .all(|e| e.unwrap().file_name() == "mylib"),
        "a failed install leaves nothing behind"
    );
    // Outside a project.
    let (code, _, err) = bscript(&base, &["project", "install", lib.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no project here"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_packages_dependencies_are_installed_beside_it_and_importable_by_it() {
    let base = scratch("deps");
    let lib = base.join("lib");
    make_package(&lib);
    let outer = base.join("outer");
    write(
        &outer.join("bsconfig.json"),
        &format!(
            r#"{{"projectName": "outer", "boardName": "host", "dependencies": {{"mylib": "{}"}}}}"#,
            lib.display()
        ),
    );
    write(
        &outer.join("index.bs"),
        "import { quad } from 'mylib'\nexport function oct(n: integer): integer { return quad(n) * 2 }\n",
    );
    assert_eq!(bscript(&base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    let (code, _, err) = bscript(&dir, &["project", "install", outer.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("packages/outer/index.bs").is_file());
    assert!(dir.join("packages/mylib/src/index.bs").is_file());
    // Only the package asked for is the project's own dependency.
    let config = std::fs::read_to_string(dir.join("bsconfig.json")).unwrap();
    assert!(
        config.contains("\"outer\"") && !config.contains("\"mylib\""),
        "{config}"
    );
    write(
        &dir.join("src/index.bs"),
        "import { oct } from 'outer'\nprint(oct(1))\n",
    );
    assert_eq!(
        bscript(&dir, &["run"]),
        (0, "8\n".to_string(), String::new())
    );
    assert_eq!(bscript(&dir, &["check"]).0, 0);
    let _ = std::fs::remove_dir_all(&base);
}

/// A project `demo` in `base` whose C files define `add3` (src/util.c, with a counter in the data
/// region), `add3_twice` (src/lib/more.c, calling util.c's function) and, in an installed
/// package `cpkg`, `pk_double`; its modules call them from inline C, declared there or through
/// a header beside them.
fn c_project(base: &Path) -> PathBuf {
    let pkg = base.join("cpkg");
    write(
        &pkg.join("bsconfig.json"),
        r#"{"projectName": "cpkg", "boardName": "host", "srcDir": "./src", "entryFile": "./src/index.bs"}"#,
    );
    write(
        &pkg.join("src/index.bs"),
        "export function double(n: integer): integer {\n  let r = 0\n  \
         code`extern int pk_double(int); ${r} = pk_double(${n});`\n  return r\n}\n",
    );
    write(
        &pkg.join("src/native/pk.c"),
        "int pk_double(int n) { return 2 * n; }\n",
    );
    assert_eq!(bscript(base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    let (code, _, err) = bscript(&dir, &["project", "install", pkg.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    write(
        &dir.join("src/util.c"),
        "#include \"util.h\"\nstatic int calls = 0;\n\
         int add3(int a, int b, int c) { calls++; return a + b + c; }\n\
         int add3_calls(void) { return calls; }\n",
    );
    write(
        &dir.join("src/util.h"),
        "int add3(int a, int b, int c);\nint add3_calls(void);\nint add3_twice(int a);\n",
    );
    write(
        &dir.join("src/lib/more.c"),
        "#include \"../util.h\"\nint add3_twice(int a) { return add3(a, a, a) * 2; }\n",
    );
    write(
        &dir.join("src/lib/m.bs"),
        "code`#include \"../util.h\"`\n\
         export function twice(a: integer): integer {\n  let r = 0\n  \
         code`${r} = add3_twice(${a});`\n  return r\n}\n",
    );
    write(
        &dir.join("src/index.bs"),
        "import { twice } from './lib/m'\nimport { double } from 'cpkg'\n\
         code`int add3(int a, int b, int c); int add3_calls(void);`\n\
         function sum(a: integer, b: integer, c: integer): integer {\n  let r = 0\n  \
         code`${r} = add3(${a}, ${b}, ${c});`\n  return r\n}\n\
         function calls(): integer {\n  let r = 0\n  code`${r} = add3_calls();`\n  return r\n}\n\
         print(sum(1, 2, 3))\nprint(twice(5))\nprint(double(21))\nprint(calls())\n",
    );
    dir
}

const C_PROJECT_OUTPUT: &str = "6\n30\n42\n2\n";

#[test]
fn a_projects_c_files_are_compiled_and_linked_on_the_host() {
    let base = scratch("c-files");
    let dir = c_project(&base);
    assert_eq!(
        bscript(&dir, &["run"]),
        (0, C_PROJECT_OUTPUT.to_string(), String::new())
    );
    // The entry given by name is in the project too.
    assert_eq!(
        bscript(&dir, &["run", "src/index.bs"]),
        (0, C_PROJECT_OUTPUT.to_string(), String::new())
    );
    // The REPL in the project's folder has them as well, and again after a reset of the device.
    let repl = "function s(): integer { let r = 0; code`extern int add3(int, int, int); \
                ${r} = add3(1, 2, 40);`; return r }\nprint(s())\n.reset\n\
                function s(): integer { let r = 0; code`extern int add3(int, int, int); \
                ${r} = add3(1, 2, 50);`; return r }\nprint(s())\n";
    let (code, out, err) = bscript_with_input(&dir, &["repl"], repl);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("43\n") && out.contains("53\n"), "{out}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_projects_c_files_are_compiled_and_linked_on_qemu_with_the_c_library() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    let base = scratch("c-files-qemu");
    let dir = c_project(&base);
    let qemu = ["--target", "qemu-mps2-an385", "run"];
    assert_eq!(
        bscript(&dir, &qemu),
        (0, C_PROJECT_OUTPUT.to_string(), String::new())
    );
    // sqrt in double precision is no instruction of the Cortex-M3: the C library's code comes
    // with the C files.
    write(
        &dir.join("src/root.c"),
        "#include <math.h>\ndouble root(double x) { return sqrt(x); }\n",
    );
    write(
        &dir.join("src/index.bs"),
        "function root(x: float): float {\n  let r = 0.0\n  \
         code`extern double root(double); ${r} = (float)root((double)${x});`\n  return r\n}\n\
         print(root(2.0))\nprint(root(144.0))\n",
    );
    assert_eq!(
        bscript(&dir, &qemu),
        (0, "1.414214\n12.000000\n".to_string(), String::new())
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_c_file_named_bs_or_rejected_by_the_compiler_is_an_error_at_its_place() {
    let base = scratch("c-errors");
    assert_eq!(bscript(&base, &["project", "create", "demo"]).0, 0);
    let dir = base.join("demo");
    write(&dir.join("src/index.bs"), "print('runs')\n");
    write(&dir.join("src/bs_x.c"), "int bs_x_value = 1;\n");
    let short = ["--error-format", "short", "run"];
    let (code, out, err) = bscript(&dir, &short);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert_eq!(
        err,
        "src/bs_x.c:1:1: error: the C file name `bs_x.c` is reserved: C files must not start \
         with `bs_`\n"
    );
    std::fs::remove_file(dir.join("src/bs_x.c")).unwrap();
    write(
        &dir.join("src/sub/bad.c"),
        "int good(void) { return 1; }\nint bad(void) {\n  return nope + 1;\n}\n",
    );
    let (code, out, err) = bscript(&dir, &short);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert_eq!(
        err,
        "src/sub/bad.c:3:10: error: 'nope' undeclared (first use in this function)\n"
    );
    // The rich form shows the line.
    let (code, _, err) = bscript(&dir, &["run"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("src/sub/bad.c:3:10") && err.contains("return nope + 1;"),
        "{err}"
    );
    // The REPL goes on, and compiles the files again with its next input until they compile.
    let mut repl = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(["--error-format", "short", "repl"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = repl.stdin.take().unwrap();
    let stderr = repl.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    use std::io::Write;
    stdin.write_all(b"print(1)\n").unwrap();
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the REPL reports the C error");
    assert!(first.starts_with("src/sub/bad.c:3:10: error:"), "{first}");
    write(&dir.join("src/sub/bad.c"), "int bad(void) { return 41; }\n");
    stdin
        .write_all(b"function b(): integer { let r = 0; code`extern int bad(void); ${r} = bad() + 1;`; return r }\nprint(b())\n")
        .unwrap();
    drop(stdin);
    let out = repl.wait_with_output().unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "42\n",
        "stderr: {rest:?}"
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn outside_a_project_c_files_beside_the_program_are_not_compiled() {
    let base = scratch("c-outside");
    write(&base.join("prog/main.bs"), "print('plain folder')\n");
    write(&base.join("prog/unrelated.c"), "this is no C\n");
    write(&base.join("prog/bs_also.c"), "int x;\n");
    assert_eq!(
        bscript(&base, &["run", "prog/main.bs"]),
        (0, "plain folder\n".to_string(), String::new())
    );
    let _ = std::fs::remove_dir_all(&base);
}

/// Runs bscript in `dir` with `input` on its standard input.
fn bscript_with_input(dir: &Path, args: &[&str], input: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_bscript"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
