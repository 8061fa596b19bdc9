//! Snapshot tests of rendered compile errors: every `tests/diagnostics/NAME.bs` is checked with
//! `bscript check` and its standard error (source excerpt, caret, label, hint) must equal the
//! snapshot in `tests/snapshots/`. After an intended change, rerun with `INSTA_UPDATE=always`
//! and review the diff of the snapshot files.

mod common;

use std::process::{Command, Stdio};

#[test]
fn rendered_diagnostics() {
    let dir = common::workspace_root().join("tests/diagnostics");
    insta::glob!(&dir, "*.bs", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let out = Command::new(env!("CARGO_BIN_EXE_bscript"))
            .args(["check", &name])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .env("NO_COLOR", "1")
            .output()
            .expect("bscript runs");
        assert_eq!(out.status.code(), Some(1), "{name} must fail to check");
        insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr));
    });
}
