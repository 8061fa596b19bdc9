//! Packages for hardware as a user meets them: C per port in a package (`ports/<port>/`), the
//! packages that come with bscript (`gpio`) imported without installing them, and
//! `bscript project install gpio` copying one into a project, where the copy then wins.

mod common;

use std::path::{Path, PathBuf};

fn scratch(test: &str) -> PathBuf {
    common::scratch("hw", test)
}

/// Runs bscript in `dir`: (exit status, standard output, standard error).
fn bscript(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::bscript_in(dir, args)
}

fn write(path: &Path, text: &str) {
    common::write_file(path, text)
}

const PROJECT: &str = r#"{ "projectName": "app", "boardName": "host", "entryFile": "./src/index.bs", "srcDir": "./src", "dependencies": {} }"#;

#[test]
fn a_packages_c_for_other_ports_is_not_compiled() {
    let base = scratch("ports");
    let package = base.join("board");
    write(
        &package.join("bsconfig.json"),
        r#"{ "projectName": "board", "entryFile": "./src/index.bs", "srcDir": "./src" }"#,
    );
    write(
        &package.join("src/index.bs"),
        "export function which(): integer { let r = 0; code`extern int32_t board_which(void); extern int32_t board_common(void); ${r} = board_which() * 10 + board_common();`; return r }\n",
    );
    write(
        &package.join("src/common.c"),
        "#include <stdint.h>\nint32_t board_common(void) { return 7; }\n",
    );
    // Both define the same function: compiled together, they would not link.
    write(
        &package.join("src/ports/host/which.c"),
        "#include <stdint.h>\nint32_t board_which(void) { return 1; }\n",
    );
    write(
        &package.join("src/ports/qemu-mps2-an385/which.c"),
        "#include <stdint.h>\nint32_t board_which(void) { return 2; }\n",
    );
    // C that would not even compile, for a port that does not exist.
    write(
        &package.join("src/ports/elsewhere/broken.c"),
        "this is not C\n",
    );
    let app = base.join("app");
    write(&app.join("bsconfig.json"), PROJECT);
    write(
        &app.join("src/index.bs"),
        "import { which } from 'board'\nprint(which())\n",
    );
    let (code, _, err) = bscript(&app, &["project", "install", package.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    for (target, expected) in [("host", "17\n"), ("qemu-mps2-an385", "27\n")] {
        let (code, out, err) = bscript(&app, &["--target", target, "run"]);
        assert_eq!((code, out.as_str()), (0, expected), "{target}: {err}");
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn gpio_comes_with_bscript_and_an_installed_copy_wins() {
    let base = scratch("bundled");
    let program = "import { Pin, OUTPUT } from 'gpio'\nconst led = new Pin(1, OUTPUT)\nled.write(1)\nprint(led.read())\n";
    // Outside any project.
    write(&base.join("plain/blink.bs"), program);
    let (code, out, err) = bscript(&base.join("plain"), &["run", "blink.bs"]);
    assert_eq!((code, out.as_str()), (0, "1\n"), "{err}");
    let (code, _, err) = bscript(&base.join("plain"), &["check", "blink.bs"]);
    assert_eq!(code, 0, "{err}");
    // A name that is neither installed nor bundled says so.
    write(
        &base.join("plain/none.bs"),
        "import { x } from 'nosuchpackage'\n",
    );
    let (code, _, err) = bscript(&base.join("plain"), &["run", "none.bs"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nosuchpackage"), "{err}");

    // Installed by its name into a project, recorded, and edited there: the copy is used.
    let app = base.join("app");
    write(&app.join("bsconfig.json"), PROJECT);
    write(&app.join("src/index.bs"), program);
    let (code, out, err) = bscript(&app, &["project", "install", "gpio"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed gpio"), "{out}");
    let config = std::fs::read_to_string(app.join("bsconfig.json")).unwrap();
    assert!(config.contains(r#""gpio": "gpio""#), "{config}");
    let index = app.join("packages/gpio/src/index.bs");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(
        &index,
        text.replace("    return level\n", "    return level + 40\n"),
    )
    .unwrap();
    let (code, out, err) = bscript(&app, &["run"]);
    assert_eq!((code, out.as_str()), (0, "41\n"), "{err}");
    // `project install` with no argument puts a missing bundled dependency back.
    std::fs::remove_dir_all(app.join("packages/gpio")).unwrap();
    let (code, _, err) = bscript(&app, &["project", "install"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = bscript(&app, &["run"]);
    assert_eq!((code, out.as_str()), (0, "1\n"), "{err}");
    let _ = std::fs::remove_dir_all(&base);
}
