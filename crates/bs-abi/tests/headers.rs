//! Checks every entry of bs-abi's tables against the C runtime, by macro name: `runtime/core/bs.h`,
//! `bs_protocol.h` and `bs_dynamic.c`. A failure names the Rust entry and the C macro.

use std::path::PathBuf;

use bs_abi::{Defines, Header, entries, tables};

fn read(header: Header) -> Defines {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../runtime")
        .join(header.path());
    match std::fs::read_to_string(&path) {
        Ok(text) => Defines::parse(&text),
        Err(e) => panic!("cannot read the C runtime file {} ({e})", path.display()),
    }
}

#[test]
fn every_entry_matches_the_c_headers() {
    let headers: Vec<(Header, Defines)> = Header::ALL.into_iter().map(|h| (h, read(h))).collect();
    let defines = |h: Header| &headers.iter().find(|(k, _)| *k == h).expect("all").1;
    let mut problems = Vec::new();

    let all = entries();
    for entry in &all {
        let c = defines(entry.header);
        let path = format!("runtime/{}", entry.header.path());
        match (c.text(entry.c_macro), c.value(entry.c_macro)) {
            (_, Some(v)) if v == entry.value => {}
            (_, Some(v)) => problems.push(format!(
                "{}: {} is {v} in {}, but {} in Rust",
                entry.rust, entry.c_macro, path, entry.value
            )),
            (Some(text), None) => problems.push(format!(
                "{}: cannot read the value of {} in {}: {text:?}",
                entry.rust, entry.c_macro, path
            )),
            (None, None) => problems.push(format!(
                "{}: {} is missing from {}",
                entry.rust, entry.c_macro, path
            )),
        }
    }

    // Every macro with a table's prefix is in a table.
    for table in tables() {
        let (header, prefix) = (table.header, table.c_prefix);
        let c = defines(header);
        let path = format!("runtime/{}", header.path());
        let mut names: Vec<&str> = c.names().filter(|n| n.starts_with(prefix)).collect();
        names.sort_unstable();
        for name in names {
            if !all.iter().any(|e| e.c_macro == name && e.header == header) {
                problems.push(format!(
                    "{name} ({}) in {} is in no bs-abi table",
                    c.text(name).unwrap_or(""),
                    path
                ));
            }
        }
    }

    assert!(
        problems.is_empty(),
        "the C runtime disagrees with bs-abi's tables:\n  {}",
        problems.join("\n  ")
    );
}
