//! Embeds the packages that come with bscript (the repository's `packages/` folder: `gpio`,
//! …) into the binary, so that `import … from 'gpio'` works wherever bscript runs.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect(&path, root, out);
        } else {
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
    let packages = manifest
        .join("../../packages")
        .canonicalize()
        .expect("packages/ exists");
    let mut files = Vec::new();
    collect(&packages, &packages, &mut files);
    // FNV-1a over names and contents: the folder the packages are unpacked to is named by it.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut code = String::from(
        "/// Every file of the bundled packages: path relative to packages/, contents.\npub static BUNDLED_FILES: &[(&str, &[u8])] = &[\n",
    );
    for (rel, path) in &files {
        let bytes = fs::read(path).unwrap();
        for b in rel.bytes().chain([0]).chain(bytes.iter().copied()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    code.push_str(&format!(
        "/// A hash of every bundled file's name and contents.\npub const BUNDLED_HASH: u64 = 0x{hash:016x};\n"
    ));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("bundled_files.rs");
    fs::write(out, code).unwrap();
    println!("cargo:rerun-if-changed={}", packages.display());
    for (_, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        if let Some(parent) = path.parent() {
            println!("cargo:rerun-if-changed={}", parent.display());
        }
    }
}
