//! The cache of big units' objects between runs: a program that did not change compiles to the
//! same C, and running it again takes its object from here instead of running the C compiler
//! for seconds. Entries are named by a hash of the compiler, its arguments (flags, the runtime's
//! include folder, which carries the build id, file names) and the C text; units with inline C
//! are never cached (a header it includes may change without its text changing), nor small
//! units (a REPL input compiles in milliseconds). The folder keeps the most recently used
//! [`MAX_ENTRIES`] objects.

use std::fs;
use std::path::{Path, PathBuf};

/// Units with less C than this are compiled every time.
const MIN_SOURCE_BYTES: usize = 64 * 1024;

/// The most objects the cache keeps.
const MAX_ENTRIES: usize = 32;

/// The cache folder: `objects/` in the toolchain's cache folder.
pub(crate) fn dir() -> PathBuf {
    crate::cache_dir().join("objects")
}

/// The name of the entry for compiling `sources` with `cc` and `args` (one list of arguments
/// per source), or `None` when such a unit is not cached.
pub(crate) fn key(cc: &str, args: &[&[String]], sources: &[&str]) -> Option<String> {
    let size: usize = sources.iter().map(|s| s.len()).sum();
    if size < MIN_SOURCE_BYTES || sources.iter().any(|s| s.contains(INLINE_C_MARK)) {
        return None;
    }
    // Two FNV-1a hashes with different offsets: 128 bits, so that different units practically
    // never share a name.
    let mut a = 0xcbf2_9ce4_8422_2325u64;
    let mut b = 0x6c62_272e_07bb_0142u64;
    let mut feed = |bytes: &[u8]| {
        crate::fnv1a(&mut a, bytes);
        crate::fnv1a(&mut b, bytes);
        crate::fnv1a(&mut a, &[0]);
        crate::fnv1a(&mut b, &[1]);
    };
    feed(cc.as_bytes());
    for list in args {
        for arg in list.iter() {
            feed(arg.as_bytes());
        }
        feed(b"--");
    }
    for s in sources {
        feed(s.as_bytes());
    }
    Some(format!("{a:016x}{b:016x}.o"))
}

/// How bs-cgen names inline C in `#line` directives (`bs_cgen::INLINE_C_FILE`).
const INLINE_C_MARK: &str = "\"bs-inline-c@";

/// The cached object named `key`, if there is one (marked as just used).
pub(crate) fn get(dir: &Path, key: &str) -> Option<Vec<u8>> {
    let path = dir.join(key);
    let bytes = fs::read(&path).ok()?;
    // Touch it, so that eviction keeps it.
    let _ = fs::File::options()
        .append(true)
        .open(&path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    Some(bytes)
}

/// Keeps `object` under `key` (written to a temporary name and renamed, so that another
/// session never reads half a file), then removes the least recently used entries over
/// [`MAX_ENTRIES`]. Failures only cost a later compilation.
pub(crate) fn put(dir: &Path, key: &str, object: &[u8]) {
    if fs::create_dir_all(dir).is_err() {
        return;
    }
    let temp = dir.join(format!("{key}.{}.tmp", std::process::id()));
    if fs::write(&temp, object).is_err() || fs::rename(&temp, dir.join(key)).is_err() {
        let _ = fs::remove_file(&temp);
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut objects: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".o"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if objects.len() > MAX_ENTRIES {
        objects.sort();
        for (_, path) in &objects[..objects.len() - MAX_ENTRIES] {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_units_and_inline_c_are_not_cached() {
        let args = vec!["-O2".to_string()];
        let big = "int x;\n".repeat(MIN_SOURCE_BYTES / 7 + 1);
        assert!(key("gcc", &[&args], &["int x;"]).is_none());
        assert!(key("gcc", &[&args], &[&big]).is_some());
        let inline = format!("{big}#line 1 \"bs-inline-c@12\"\n");
        assert!(key("gcc", &[&args], &[&inline]).is_none());
    }

    #[test]
    fn the_key_depends_on_compiler_arguments_and_text() {
        let big = "int x;\n".repeat(MIN_SOURCE_BYTES / 7 + 1);
        let other = format!("{big}int y;\n");
        let o2 = vec!["-O2".to_string()];
        let os = vec!["-Os".to_string()];
        let k = key("gcc", &[&o2], &[&big]);
        assert_eq!(k, key("gcc", &[&o2], &[&big]));
        assert_ne!(k, key("gcc", &[&os], &[&big]));
        assert_ne!(k, key("arm-none-eabi-gcc", &[&o2], &[&big]));
        assert_ne!(k, key("gcc", &[&o2], &[&other]));
    }

    #[test]
    fn the_cache_keeps_the_most_recent_entries() {
        let dir = std::env::temp_dir().join(format!("bscript-objects-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for i in 0..MAX_ENTRIES + 3 {
            put(&dir, &format!("{i:04}.o"), &[i as u8]);
            // Modification times must differ for the order to be known.
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(get(&dir, "0000.o"), None);
        assert_eq!(
            get(&dir, &format!("{:04}.o", MAX_ENTRIES + 2)),
            Some(vec![(MAX_ENTRIES + 2) as u8])
        );
        assert_eq!(fs::read_dir(&dir).unwrap().count(), MAX_ENTRIES);
        let _ = fs::remove_dir_all(&dir);
    }
}
