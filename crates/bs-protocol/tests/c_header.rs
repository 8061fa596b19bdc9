//! Checks that the C runtime's headers agree with the Rust tables: `BS_MSG_*`,
//! `BS_PROTOCOL_VERSION`, `BS_FRAME_MAGIC` and `BS_MAX_PAYLOAD` in `runtime/core/bs_protocol.h`,
//! and `BS_ERR_*` in `runtime/core/bs.h`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bs_protocol::{CRC_LEN, ErrorCode, HEADER_LEN, Kind, MAGIC, MAX_PAYLOAD, PROTOCOL_VERSION};

fn runtime_header(name: &str) -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../runtime/core")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => (path, text),
        Err(e) => panic!(
            "cannot read the C runtime header {} ({e}); the Rust protocol tables can only be \
             checked against it once it exists",
            path.display()
        ),
    }
}

/// Parses a C integer literal such as `0x01`, `1024`, `0xB5u` or `((uint8_t)0xB5)`.
fn parse_value(text: &str) -> Option<u64> {
    let text = text.split("/*").next()?.split("//").next()?;
    let numbers: Vec<u64> = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| {
            let t = t.trim_end_matches(['u', 'U', 'l', 'L']);
            match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => t.parse(),
            }
        })
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers[..] {
        [n] => Some(n),
        _ => None,
    }
}

/// Every `#define <prefix><NAME> <value>` in `text`, as NAME → value.
fn defines(path: &Path, text: &str, prefix: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (lineno, line) in text.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix("#") else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(after) = rest.strip_prefix(prefix) else {
            continue;
        };
        let (name, value) = after.split_once(char::is_whitespace).unwrap_or((after, ""));
        if name.contains('(') {
            continue; // a function-like macro
        }
        let value = parse_value(value).unwrap_or_else(|| {
            panic!(
                "{}:{}: cannot read the value of {prefix}{name}: {line:?}",
                path.display(),
                lineno + 1
            )
        });
        out.insert(name.to_owned(), value);
    }
    out
}

fn single(path: &Path, text: &str, name: &str) -> u64 {
    let found = defines(path, text, name);
    found
        .get("")
        .copied()
        .unwrap_or_else(|| panic!("{} has no `#define {name} <value>`", path.display()))
}

#[test]
fn c_header_matches_rust_table() {
    let (proto_path, proto) = runtime_header("bs_protocol.h");
    let (bs_path, bs) = runtime_header("bs.h");
    let mut problems = Vec::new();

    // Message kinds, both ways.
    let msgs = defines(&proto_path, &proto, "BS_MSG_");
    for kind in Kind::ALL {
        match msgs.get(kind.name()) {
            Some(&v) if v == u64::from(kind.code()) => {}
            Some(&v) => problems.push(format!(
                "BS_MSG_{} is 0x{v:02x} in C, 0x{:02x} in Rust",
                kind.name(),
                kind.code()
            )),
            None => problems.push(format!("BS_MSG_{} is missing from C", kind.name())),
        }
    }
    for (name, v) in &msgs {
        if !Kind::ALL.iter().any(|k| k.name() == name) {
            problems.push(format!(
                "BS_MSG_{name} (0x{v:02x}) is not in the Rust Kind table"
            ));
        }
    }

    // Constants.
    for (name, rust) in [
        ("BS_PROTOCOL_VERSION", u64::from(PROTOCOL_VERSION)),
        ("BS_FRAME_MAGIC", u64::from(MAGIC)),
        ("BS_MAX_PAYLOAD", MAX_PAYLOAD as u64),
    ] {
        let c = single(&proto_path, &proto, name);
        if c != rust {
            problems.push(format!("{name} is {c} in C, {rust} in Rust"));
        }
    }

    // Frame layout sizes, when the header spells them out.
    for (name, rust) in [
        ("BS_FRAME_HEADER_SIZE", HEADER_LEN as u64),
        ("BS_FRAME_CRC_SIZE", CRC_LEN as u64),
    ] {
        if let Some(&c) = defines(&proto_path, &proto, name).get("")
            && c != rust
        {
            problems.push(format!("{name} is {c} in C, {rust} in Rust"));
        }
    }

    // Error codes (in bs.h; bs_protocol.h may repeat them, then they must agree too).
    let mut errs = defines(&bs_path, &bs, "BS_ERR_");
    for (name, v) in defines(&proto_path, &proto, "BS_ERR_") {
        if let Some(&old) = errs.get(&name)
            && old != v
        {
            problems.push(format!(
                "BS_ERR_{name} is {old} in bs.h, {v} in bs_protocol.h"
            ));
        }
        errs.insert(name, v);
    }
    for code in ErrorCode::KNOWN {
        let name = code.c_name().expect("known codes have C names");
        match errs.get(name) {
            Some(&v) if v == u64::from(code.code()) => {}
            Some(&v) => problems.push(format!(
                "BS_ERR_{name} is {v} in C, {} in Rust",
                code.code()
            )),
            None => problems.push(format!("BS_ERR_{name} is missing from C")),
        }
    }
    for (name, v) in &errs {
        if !ErrorCode::KNOWN.iter().any(|c| c.c_name() == Some(name)) {
            problems.push(format!(
                "BS_ERR_{name} ({v}) is not in the Rust ErrorCode table"
            ));
        }
    }

    assert!(
        problems.is_empty(),
        "the C headers disagree with bs-protocol:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn value_parser() {
    assert_eq!(parse_value(" 0x01"), Some(1));
    assert_eq!(parse_value(" 1024 /* bytes */"), Some(1024));
    assert_eq!(parse_value(" 0xB5u"), Some(0xB5));
    assert_eq!(parse_value(" ((uint8_t)0xB5) // magic"), Some(0xB5));
    assert_eq!(parse_value(" (1 + 2)"), None);
    assert_eq!(parse_value(" FOO"), None);
}
