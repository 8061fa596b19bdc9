//! The C library for units: when a unit refers to functions that neither the runtime image nor
//! earlier units define (`pow` in inline C, or a helper such as `__aeabi_d2f` that the C
//! compiler calls), the archive members that define them are taken from the port's libraries
//! ([`Port::unit_libraries`], found with the C compiler's `-print-file-name`) and merged into
//! the unit's object with a relocatable link (`cc -r`). The members' own references are
//! followed the same way, so the unit carries everything it needs that the device lacks; what
//! the device has (the runtime's `memcpy`, earlier units' symbols) is never copied. The merged
//! object is linked by bs-link like any unit: the C library's code lands in the unit's code
//! region and costs the runtime image nothing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol};

use crate::{Port, ToolchainError, io_err, run_tool};

/// One archive member chosen for a unit.
struct Member {
    /// `LIBRARY(MEMBER)`, for messages.
    name: String,
    bytes: Vec<u8>,
}

/// The port's unit libraries, read once per session.
pub(crate) struct Libraries {
    archives: Vec<(PathBuf, Vec<u8>)>,
}

impl Libraries {
    /// Finds and reads `port`'s unit libraries; a library the C compiler does not know is left
    /// out (its symbols then stay undefined, and the link error names them).
    pub(crate) fn load(port: &Port, work_dir: &Path) -> Libraries {
        let mut archives = Vec::new();
        for lib in port.unit_libraries {
            let mut args: Vec<String> = port.unit_flags.iter().map(|s| s.to_string()).collect();
            args.push(format!("-print-file-name={lib}"));
            let Ok((out, _)) = run_tool(port.cc, &args, work_dir) else {
                continue;
            };
            let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            // Without the library GCC prints the name back, not a path.
            if !out.status.success() || !path.is_absolute() {
                continue;
            }
            if let Ok(bytes) = fs::read(&path) {
                archives.push((path, bytes));
            }
        }
        Libraries { archives }
    }

    /// The members that define `needed` and, transitively, what those members need, skipping
    /// every symbol for which `available` holds (the runtime's and earlier units').
    fn select(
        &self,
        needed: &[String],
        available: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Member>, String> {
        // Which member defines each symbol: the first library in the port's order wins.
        let mut index: HashMap<&[u8], (usize, object::read::archive::ArchiveOffset)> =
            HashMap::new();
        let mut parsed = Vec::new();
        for (i, (path, bytes)) in self.archives.iter().enumerate() {
            let archive = ArchiveFile::parse(bytes.as_slice())
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if let Some(symbols) = archive
                .symbols()
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            {
                for sym in symbols {
                    let sym = sym.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    index.entry(sym.name()).or_insert((i, sym.offset()));
                }
            }
            parsed.push(archive);
        }

        // Each needed symbol with everything it needs; a symbol whose members need something
        // that nothing defines (stdio's system calls on a bare device) is not taken at all, so
        // that the link error names the function the unit called.
        let mut chosen: HashSet<(usize, u64)> = HashSet::new();
        let mut members = Vec::new();
        for root in needed {
            let mut queue: VecDeque<(String, bool)> = VecDeque::from([(root.clone(), false)]);
            let mut provided: HashSet<String> = HashSet::new();
            let mut mine: Vec<((usize, u64), Member)> = Vec::new();
            let mut complete = true;
            while let Some((name, weak)) = queue.pop_front() {
                if provided.contains(&name) || available(&name) {
                    continue;
                }
                let Some(&(lib, offset)) = index.get(name.as_bytes()) else {
                    complete &= weak;
                    continue;
                };
                if mine.iter().any(|(key, _)| *key == (lib, offset.0)) {
                    continue;
                }
                let (path, bytes) = &self.archives[lib];
                let member = parsed[lib]
                    .member(offset)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let data = member
                    .data(bytes.as_slice())
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let label = format!(
                    "{}({})",
                    path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into()
                    ),
                    String::from_utf8_lossy(member.name())
                );
                let file =
                    object::File::parse(data).map_err(|e| format!("cannot read {label}: {e}"))?;
                for sym in file.symbols() {
                    let Ok(sym_name) = sym.name() else { continue };
                    if sym.is_undefined() {
                        queue.push_back((sym_name.to_string(), sym.is_weak()));
                    } else if sym.is_global() {
                        provided.insert(sym_name.to_string());
                    }
                }
                mine.push((
                    (lib, offset.0),
                    Member {
                        name: label,
                        bytes: data.to_vec(),
                    },
                ));
            }
            if complete {
                for (key, member) in mine {
                    if chosen.insert(key) {
                        members.push(member);
                    }
                }
            }
        }
        Ok(members)
    }
}

impl crate::UnitCompiler {
    /// The unit `object` (the bytes [`compile`](crate::UnitCompiler::compile) returned) with
    /// the members of the port's C library that define the `needed` symbols merged in, or
    /// `None` when the libraries define none of them. `available` says which symbols the device
    /// has already (the runtime's, earlier units'): those are never taken from the libraries.
    pub fn with_libraries(
        &mut self,
        object: &[u8],
        needed: &[String],
        available: &dyn Fn(&str) -> bool,
    ) -> Result<Option<Vec<u8>>, ToolchainError> {
        if self.port.unit_libraries.is_empty() {
            return Ok(None);
        }
        if self.libraries.is_none() {
            self.libraries = Some(Libraries::load(self.port, &self.work_dir));
        }
        let libraries = self.libraries.as_ref().expect("just loaded");
        let members = libraries
            .select(needed, available)
            .map_err(|message| ToolchainError::Library { message })?;
        if members.is_empty() {
            return Ok(None);
        }
        let input = self.work_dir.join("unit-in.o");
        fs::write(&input, object).map_err(io_err("cannot write", &input))?;
        let mut args = vec![
            "-nostdlib".to_string(),
            "-r".to_string(),
            "-o".to_string(),
            "unit-lib.o".to_string(),
            "unit-in.o".to_string(),
        ];
        for (i, m) in members.iter().enumerate() {
            let file = format!("lib-{i}.o");
            let path = self.work_dir.join(&file);
            fs::write(&path, &m.bytes).map_err(io_err("cannot write", &path))?;
            args.push(file);
        }
        let (out, _) = run_tool(self.port.cc, &args, &self.work_dir)?;
        if !out.status.success() {
            let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
            return Err(ToolchainError::Library {
                message: format!(
                    "cannot merge {} into the unit: {}",
                    names.join(", "),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        let merged = self.work_dir.join("unit-lib.o");
        fs::read(&merged)
            .map(Some)
            .map_err(io_err("cannot read", &merged))
    }
}
