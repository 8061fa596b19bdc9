//! Embeds the device runtime's C sources (runtime/core and runtime/ports/*) into the crate, so
//! that `bscript` can build a runtime image for a port wherever it runs.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, root, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("c" | "h" | "ld" | "s" | "S")
        ) {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let runtime = manifest
        .join("../../runtime")
        .canonicalize()
        .expect("runtime/ exists");
    let mut files = Vec::new();
    collect(&runtime.join("core"), &runtime, &mut files);
    collect(&runtime.join("ports"), &runtime, &mut files);
    let mut code = String::from(
        "/// Every runtime source file: path relative to runtime/, contents.\npub static RUNTIME_FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, path) in &files {
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("runtime_files.rs");
    fs::write(out, code).unwrap();
    println!("cargo:rerun-if-changed={}", runtime.join("core").display());
    println!("cargo:rerun-if-changed={}", runtime.join("ports").display());
    for (_, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
