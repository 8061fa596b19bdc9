//! The packages that come with bscript: the repository's `packages/` folder (`gpio`, `pwm`),
//! embedded in the binary by `build.rs`. They are unpacked once into the cache folder
//! (`packages-HASH/` in bs-toolchain's `cache_dir`, named by a hash of their files, so that a
//! new bscript unpacks its own) and then act like installed packages: an import of a name that
//! no package installed in the project has resolves to the bundled package of that name, and
//! `bscript project install NAME` copies it into the project, to be edited or pinned.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;

include!(concat!(env!("OUT_DIR"), "/bundled_files.rs"));

/// The names of the bundled packages, sorted.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BUNDLED_FILES
        .iter()
        .filter_map(|(path, _)| path.split_once('/').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The folder holding the unpacked bundled packages (one folder each), unpacking them first
/// if this bscript has not done so yet.
pub fn folder() -> anyhow::Result<PathBuf> {
    let dir = bs_toolchain::cache_dir().join(format!("packages-{BUNDLED_HASH:016x}"));
    if dir.is_dir() {
        return Ok(dir);
    }
    // Unpacked beside it and renamed, so that a folder that exists is complete.
    let staging = dir.with_extension(format!("unpacking-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    for (rel, bytes) in BUNDLED_FILES {
        let path = staging.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Err(e) = std::fs::rename(&staging, &dir) {
        let _ = std::fs::remove_dir_all(&staging);
        // Another bscript unpacked them at the same time.
        if !dir.is_dir() {
            return Err(e).with_context(|| format!("cannot create {}", dir.display()));
        }
    }
    Ok(dir)
}

/// The folder of the bundled package `name`, or `None` when no package of that name comes
/// with bscript (or the cache folder cannot be written).
pub fn package_dir(name: &str) -> Option<PathBuf> {
    if !names().contains(&name) {
        return None;
    }
    folder().ok().map(|d| d.join(name))
}

/// The bundled packages as import roots, by name (empty when they cannot be unpacked: their
/// imports then say that no such package is installed).
pub fn packages() -> HashMap<String, bs_session::Package> {
    let Ok(dir) = folder() else {
        return HashMap::new();
    };
    names()
        .into_iter()
        .filter_map(|name| {
            let package = crate::project::package_at(&dir.join(name)).ok()?;
            Some((name.to_string(), package))
        })
        .collect()
}
