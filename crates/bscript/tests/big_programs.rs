//! Big programs compile and run: `bscript bench compile` at 2,000 lines runs a program of each
//! shape (globals, one-line functions, small classes, one long function) end to end on the host
//! device and fails unless each prints what its arithmetic says; at that size a long top level
//! is split into chunks and the unit's C into parts compiled in parallel. And a program with
//! many classes runs in a data region too small for their tables, which go to the code region.

use std::path::Path;

mod common;

#[test]
fn a_program_of_each_shape_at_2000_lines_runs_and_prints_the_right_thing() {
    let out_dir = std::env::temp_dir().join(format!("bscript-big-{}", std::process::id()));
    let out = common::bscript(
        &common::workspace_root(),
        &[
            "bench",
            "compile",
            "--sizes",
            "2000",
            "--out",
            &out_dir.to_string_lossy(),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench compile failed:\n{stdout}\n{stderr}"
    );
    let json = std::fs::read_to_string(out_dir.join("compile-host.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = report["results"].as_array().unwrap();
    let shapes: Vec<&str> = rows.iter().map(|r| r["shape"].as_str().unwrap()).collect();
    assert_eq!(
        shapes,
        ["globals", "functions", "classes", "long-function"],
        "{json}"
    );
    for r in rows {
        assert!(r["lines"].as_u64().unwrap().abs_diff(2000) <= 5, "{r}");
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// 600 classes need about 96 KB of tables on x86-64 (a descriptor of 13 words, its vtable,
/// reference bitmap and member tables); with a data region of 64 KB they fit only because the
/// tables are placed in the code region.
#[test]
fn many_classes_do_not_fill_the_data_region() {
    let dir = std::env::temp_dir().join(format!("bscript-classes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("classes.bs");
    let mut source = String::new();
    let k = 600;
    for i in 0..k {
        source.push_str(&format!(
            "class C{i} {{\n  x: integer\n  constructor(x: integer) {{ this.x = x + {i} }}\n  get(): integer {{ return this.x * 2 }}\n}}\n"
        ));
    }
    source.push_str(&format!(
        "print(new C0(1).get() + new C{}(2).get())\n",
        k - 1
    ));
    std::fs::write(&file, &source).unwrap();
    let out = common::bscript(
        Path::new(&dir),
        &["--memory", "data=64K", "run", "classes.bs"],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // C0(1).get() = 2, C599(2).get() = (2 + 599) * 2 = 1202.
    assert_eq!(stdout, "1204\n", "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A unit big enough to be compiled in parts: a fault in a function of one part is still
/// reported at its statement (each part's bodies keep the lines of the whole C file, from
/// which the session maps code addresses to statements). The function is placed first and
/// last, so that one of the two copies of the program has it in a part without the entry.
#[test]
fn faults_in_a_unit_compiled_in_parts_are_located() {
    let dir = std::env::temp_dir().join(format!("bscript-parts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deep = "function deep(n: integer): integer {\n  return deep(n + 1) + 1\n}\n";
    let mut filler = String::new();
    for i in 0..3000 {
        filler.push_str(&format!(
            "function f{i}(x: integer): integer {{ return x * 3 + {i} }}\n"
        ));
    }
    let tail = "print(f2999(1))\nprint(deep(1))\n";
    for (name, source, line) in [
        ("first.bs", format!("{deep}{filler}{tail}"), 2),
        ("last.bs", format!("{filler}{deep}{tail}"), 3002),
    ] {
        std::fs::write(dir.join(name), &source).unwrap();
        let out = common::bscript(
            Path::new(&dir),
            &["--error-format", "short", "run", name],
            None,
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stdout, "3002\n", "{name}: {stderr}");
        assert!(
            stderr.contains("stack overflow") && stderr.contains(&format!("{name}:{line}:")),
            "{name}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
