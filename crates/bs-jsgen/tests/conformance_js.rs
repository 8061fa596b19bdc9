//! The conformance suite (`tests/conformance/`) through the JavaScript back end.
//!
//! - Every case with a `.out` and no `.err` is translated with `to_javascript`, run with `node`,
//!   and must print exactly its `.out`, write nothing to standard error and exit with status 0,
//!   unless it is in [`SKIP`] (with the reason).
//! - A handful of cases also run on duktape (`duk`).
//! - Cases with a `.err`: compile errors must be reported with the same text, and programs that
//!   stop with a run-time error must print the same output and the same error line.
//! - The Are We Fast Yet programs (`benchmarks/awfy/*.bs`, one iteration) must print
//!   `NAME: ok` on node and on duktape (a program the compiler rejects is skipped).
//!
//! A test whose engine is not installed prints why and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Cases with a `.out` (and no `.err`) that cannot run as JavaScript, with the reason.
const SKIP: &[(&str, &str)] = &[
    // Inline C (the `code` tag) has no JavaScript translation: to_javascript reports an error.
    ("native_code", "inline C (code tag)"),
    ("inline_c_embed_top_level", "inline C (code tag)"),
    ("inline_c_libc", "inline C (code tag)"),
    // The translation is of one file: imports are not followed.
    ("inline_c_include_relative", "imports a module"),
    ("mod_class_namespace", "imports modules"),
    ("mod_function_values", "imports modules"),
    ("mod_live_binding", "imports a module"),
    ("mod_namespace", "imports modules"),
    ("mod_import_type_specifier", "imports a module"),
    // Hardware packages: bundled with bscript, with C per port.
    ("gpio_blink", "imports a hardware package"),
    ("gpio_led", "imports a hardware package"),
    ("gpio_modes", "imports a hardware package"),
];

/// Cases with a `.err` whose error line differs in JavaScript, with the reason.
const SKIP_ERR: &[(&str, &str)] = &[
    // JavaScript's RangeError does not tell where the recursion was: the line has neither the
    // location nor the function's name.
    ("rt_stack_overflow", "stack overflow without location"),
    // The C compiler's error about inline C: JavaScript has no C compiler, and the translator
    // rejects inline C before any C is compiled.
    ("inline_c_error", "an error of the C compiler"),
    ("err_inline_c_undeclared", "an error of the C compiler"),
    // A link error of the device: C's standard output does not exist there.
    ("err_inline_c_stdio", "a link error of inline C"),
    // The translation is of one file: imports are not followed.
    ("err_mod_assign_import", "imports a module"),
    ("err_mod_import_conflict", "imports modules"),
    ("err_mod_private_class", "imports modules"),
    ("err_mod_private_name", "imports a module"),
    ("gpio_pwm", "imports a hardware package"),
    ("gpio_unavailable", "imports a hardware package"),
    // The device's heap is a few hundred KB; a JavaScript engine's is as large as the machine's
    // memory, so the program that exhausts the first runs to the end.
    ("rt_out_of_memory", "no device-sized heap"),
    ("rt_out_of_memory_in_function", "no device-sized heap"),
];

/// Cases that also run on duktape: floats in both output formats, strings as bytes, `any`,
/// arrays of every kind, classes, closures, enums and the specification's examples.
const DUKTAPE_CASES: &[&str] = &[
    "float_print_format",
    "float_in_string",
    "float_box_range",
    "str_length",
    "any_arith",
    "any_objects",
    "array_any_view",
    "builtin_uint8array",
    "class_inherit_dispatch",
    "closure_cells",
    "spec_print_formats",
    "int_overflow_wrap",
];

/// Longest run of one program.
const TIMEOUT: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn conformance() -> PathBuf {
    repo().join("tests/conformance")
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bs-jsgen-{name}"));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Whether `engine` runs a JavaScript file.
fn engine_available(engine: &str) -> bool {
    static PROBES: AtomicUsize = AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, Ordering::SeqCst);
    let file = work_dir("probe").join(format!("probe-{engine}-{n}.js"));
    std::fs::write(&file, "var x = 1;\n").expect("a probe file");
    Command::new(engine)
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `engine file`, killing it after TIMEOUT.
fn run_js(engine: &str, file: &Path) -> Result<Output, String> {
    let mut child = Command::new(engine)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {engine}: {e}"))?;
    // Read the pipes on threads so that a program with much output cannot block.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{engine} ran longer than {TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for {engine}: {e}")),
        }
    };
    Ok(Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// Names of the cases with a `.bs` and a `.out`, sorted; `with_err` selects those that also
/// have a `.err` (true) or those without (false).
fn cases(with_err: bool) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(conformance()).expect("tests/conformance") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|e| e == "bs") {
            let name = path
                .file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            let has_err = path.with_extension("err").exists();
            let has_out = path.with_extension("out").exists();
            if has_err == with_err && (with_err || has_out) {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

/// Applies `check` to every item on a few threads; returns the failures' messages, in order.
fn run_parallel(
    items: &[String],
    check: impl Fn(&str) -> Result<(), String> + Sync,
) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(k) else { break };
                    if let Err(e) = check(item) {
                        failures.lock().expect("the failure list").push((k, e));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("the failure list");
    failures.sort();
    failures.into_iter().map(|(_, e)| e).collect()
}

/// Translates a conformance case and writes the program into `dir`.
fn translate_case(name: &str, dir: &Path) -> Result<PathBuf, String> {
    let bs = conformance().join(format!("{name}.bs"));
    let source = std::fs::read_to_string(&bs).map_err(|e| format!("{name}: {e}"))?;
    let js = bs_jsgen::to_javascript(&source, &format!("{name}.bs"))
        .map_err(|e| format!("{name}: not translated: {e}"))?;
    let file = dir.join(format!("{name}.js"));
    std::fs::write(&file, js).map_err(|e| format!("{name}: {e}"))?;
    Ok(file)
}

/// Runs a translated case on `engine` and compares its output with the `.out` file.
fn check_output(engine: &str, name: &str, dir: &Path) -> Result<(), String> {
    let file = translate_case(name, dir)?;
    let expected = std::fs::read(conformance().join(format!("{name}.out")))
        .map_err(|e| format!("{name}: {e}"))?;
    let out = run_js(engine, &file).map_err(|e| format!("{name}: {e}"))?;
    if out.stdout != expected {
        return Err(format!(
            "{name} ({engine}): output differs\n--- expected\n{}--- got\n{}--- stderr\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if !out.status.success() || !out.stderr.is_empty() {
        return Err(format!(
            "{name} ({engine}): {}; stderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

#[test]
fn conformance_cases_print_their_expected_output_on_node() {
    if !engine_available("node") {
        eprintln!("skipped: node is not installed");
        return;
    }
    let all = cases(false);
    let run: Vec<String> = all
        .iter()
        .filter(|c| !SKIP.iter().any(|(s, _)| s == c))
        .cloned()
        .collect();
    for (name, why) in SKIP {
        assert!(
            all.iter().any(|c| c == name),
            "the skip list names {name}, which is not a case with a .out"
        );
        eprintln!("skipped {name}: {why}");
    }
    let dir = work_dir("conformance");
    let failures = run_parallel(&run, |name| check_output("node", name, &dir));
    let passed = run.len() - failures.len();
    eprintln!(
        "conformance on node: {passed} passed, {} failed, {} skipped, of {} cases",
        failures.len(),
        SKIP.len(),
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        passed * 100 >= all.len() * 85,
        "only {passed} of {} cases pass",
        all.len()
    );
}

#[test]
fn skipped_cases_are_rejected_by_the_translator() {
    for (name, _) in SKIP {
        let source = std::fs::read_to_string(conformance().join(format!("{name}.bs")))
            .expect("the skipped case");
        assert!(
            bs_jsgen::to_javascript(&source, &format!("{name}.bs")).is_err(),
            "{name} translates now: remove it from the skip list"
        );
    }
}

#[test]
fn a_handful_of_cases_also_run_on_duktape() {
    if !engine_available("duk") {
        eprintln!("skipped: duktape (duk) is not installed");
        return;
    }
    let names: Vec<String> = DUKTAPE_CASES.iter().map(|s| s.to_string()).collect();
    let dir = work_dir("duktape");
    let failures = run_parallel(&names, |name| check_output("duk", name, &dir));
    assert!(
        failures.is_empty(),
        "{} case(s) failed on duktape:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn error_cases_report_the_same_errors() {
    if !engine_available("node") {
        eprintln!("skipped: node is not installed");
        return;
    }
    let run: Vec<String> = cases(true)
        .into_iter()
        .filter(|c| !SKIP_ERR.iter().any(|(s, _)| s == c))
        .collect();
    let dir = work_dir("errors");
    let failures = run_parallel(&run, |name| {
        let source = std::fs::read_to_string(conformance().join(format!("{name}.bs")))
            .map_err(|e| format!("{name}: {e}"))?;
        let expected_err = std::fs::read_to_string(conformance().join(format!("{name}.err")))
            .map_err(|e| format!("{name}: {e}"))?;
        let expected_out =
            std::fs::read(conformance().join(format!("{name}.out"))).unwrap_or_default();
        match bs_jsgen::to_javascript(&source, &format!("{name}.bs")) {
            Err(e) => {
                if format!("{e}\n") != expected_err {
                    return Err(format!(
                        "{name}: compile errors differ\n--- expected\n{expected_err}--- got\n{e}"
                    ));
                }
                Ok(())
            }
            Ok(js) => {
                let file = dir.join(format!("{name}.js"));
                std::fs::write(&file, js).map_err(|e| format!("{name}: {e}"))?;
                let out = run_js("node", &file).map_err(|e| format!("{name}: {e}"))?;
                let stderr = String::from_utf8_lossy(&out.stderr);
                if out.stdout != expected_out || stderr != expected_err {
                    return Err(format!(
                        "{name}: differs\n--- expected\n{}{expected_err}--- got\n{}{stderr}",
                        String::from_utf8_lossy(&expected_out),
                        String::from_utf8_lossy(&out.stdout)
                    ));
                }
                // A run-time error ends with a non-zero status (console.error alone does not).
                if expected_err.contains("runtime error:") && out.status.success() {
                    return Err(format!("{name}: exit status 0 after a run-time error"));
                }
                Ok(())
            }
        }
    });
    assert!(
        failures.is_empty(),
        "{} error case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn benchmarks_print_ok_on_node_and_duktape() {
    let engines: Vec<&str> = ["node", "duk"]
        .into_iter()
        .filter(|e| {
            let ok = engine_available(e);
            if !ok {
                eprintln!("skipped on {e}: not installed");
            }
            ok
        })
        .collect();
    if engines.is_empty() {
        return;
    }
    let mut programs: Vec<String> = std::fs::read_dir(repo().join("benchmarks/awfy"))
        .expect("benchmarks/awfy")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bs"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    programs.sort();
    assert!(!programs.is_empty(), "no benchmark programs found");
    let dir = work_dir("benchmarks");
    let failures = run_parallel(&programs, |path| {
        let name = Path::new(path)
            .file_stem()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let source = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
        // One iteration: duktape interprets.
        let source: String = source
            .lines()
            .map(|l| {
                if l.starts_with("const iterations = ") {
                    "const iterations = 1".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        // A program the compiler rejects is not this back end's concern (benchmarks may be
        // work in progress).
        let mut counters = bs_frontend::Counters::default();
        if bs_frontend::check_unit(&source, &bs_frontend::Env::new(), 1, &mut counters).is_err() {
            eprintln!("skipped {name}: it does not compile");
            return Ok(());
        }
        let js = bs_jsgen::to_javascript(&source, &format!("{name}.bs"))
            .map_err(|e| format!("{name}: not translated: {e}"))?;
        let file = dir.join(format!("{name}.js"));
        std::fs::write(&file, js).map_err(|e| format!("{name}: {e}"))?;
        for engine in &engines {
            let out = run_js(engine, &file).map_err(|e| format!("{name}: {e}"))?;
            let text = String::from_utf8_lossy(&out.stdout);
            let ok = text.lines().count() == 1 && text.ends_with(": ok\n");
            if !ok || !out.status.success() {
                return Err(format!(
                    "{name} on {engine}: {}{}",
                    text,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        Ok(())
    });
    assert!(
        failures.is_empty(),
        "{} benchmark(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
