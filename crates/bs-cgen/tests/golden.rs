//! Golden tests of the C back end: every `tests/cgen/NAME.bs` is checked by the front end as the
//! first unit of a fresh session and turned into C by [`bs_cgen::emit_unit`]; the C must equal
//! the snapshot `tests/cgen/NAME.c` byte for byte. No C compiler or device is involved.
//!
//! A case may hold several units, separated by lines `//// next unit`: each is checked in the
//! environment the ones before it declared (as units 1, 2, …), and the snapshot is the C of the
//! last. Cases named `profile_*` are checked with the dynamic compiler's profiling on (default
//! thresholds), the others with it off; for a `profile_*` case the runner also checks that
//! with profiling off the C is the same but for the profile records and wrappers.
//!
//! A case whose first line is `// specialise: f(integer, float[], -)` pins a specialised copy
//! instead (docs/dynamic.md): the snapshot is the C of the unit that `bs_frontend::specialise`
//! makes of function `f` with those observed parameter types (`-`: as declared), as unit 2, its
//! fallback the generic body of unit 1 (checked with profiling on).
//!
//! On a mismatch the test fails with a line diff of the snapshot and the generated C. With
//! `BSCRIPT_BLESS=1` in the environment the runner writes the generated C into the snapshots
//! instead (creating missing ones); review the change with `git diff tests/cgen`.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/cgen")
        .canonicalize()
        .expect("tests/cgen exists");
    let bless = std::env::var("BSCRIPT_BLESS").is_ok_and(|v| v == "1");
    let mut trials: Vec<Trial> = cases(&dir)
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || run_case(&path, bless))
        })
        .collect();
    trials.push(Trial::test(
        "runner::diff_shows_changes",
        diff_shows_changes,
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// The `.bs` files of `dir`, sorted by name.
fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bs"))
        .collect();
    v.sort();
    v
}

fn run_case(source_path: &Path, bless: bool) -> Result<(), Failed> {
    let source = std::fs::read_to_string(source_path)
        .map_err(|e| format!("cannot read {}: {e}", source_path.display()))?;
    let profiled = source_path
        .file_stem()
        .is_some_and(|s| s.to_string_lossy().starts_with("profile_"));
    let actual = generate(&source, profiled)?;
    if profiled {
        profiling_adds_only_wrappers(&source, &actual)?;
    }
    let snapshot = source_path.with_extension("c");
    let expected = std::fs::read_to_string(&snapshot).ok();
    if expected.as_deref() == Some(actual.as_str()) {
        return Ok(());
    }
    if bless {
        return std::fs::write(&snapshot, &actual)
            .map_err(|e| format!("cannot write {}: {e}", snapshot.display()).into());
    }
    Err(match expected {
        None => format!(
            "no snapshot {} (BSCRIPT_BLESS=1 creates it)",
            snapshot.display()
        ),
        Some(expected) => format!(
            "the generated C differs from {} (- snapshot, + generated; BSCRIPT_BLESS=1 \
             rewrites the snapshot):\n{}",
            snapshot.display(),
            line_diff(&expected, &actual)
        ),
    }
    .into())
}

/// The line that separates the units of a case.
const NEXT_UNIT: &str = "//// next unit";

/// The C of the last unit of `source` (units 1, 2, … of a fresh session, each checked in what
/// the ones before declared), or its compile errors; with `profiled`, checked with profiling on.
fn generate(source: &str, profiled: bool) -> Result<String, String> {
    if source.starts_with("// specialise: ") {
        return generate_specialised(source);
    }
    let options = bs_frontend::CheckOptions {
        profile: profiled.then(bs_frontend::ProfileThresholds::default),
    };
    let mut env = bs_frontend::Env::new();
    let mut counters = bs_frontend::Counters::default();
    let units: Vec<String> = split_units(source);
    let mut c = String::new();
    for (k, unit) in units.iter().enumerate() {
        let id = k as u32 + 1;
        let checked = bs_frontend::check_unit_with(unit, &env, id, &mut counters, &options)
            .map_err(|diags| {
                let lines: Vec<String> = diags
                    .iter()
                    .map(|d| {
                        let at = bs_frontend::line_col(unit, d.span.start);
                        format!("unit {id}: {}:{}: error: {}", at.line, at.column, d.message)
                    })
                    .collect();
                format!("the case does not compile:\n{}", lines.join("\n"))
            })?;
        c = bs_cgen::emit_unit(&checked.unit);
        for (name, global) in checked.declared {
            env.insert(name, global);
        }
        for (id, ty, _) in checked.unit.array_classes {
            env.insert_array_class(ty, id);
        }
        for (name, id) in checked.unit.names {
            env.insert_name(name, id);
        }
    }
    Ok(c)
}

/// The units of a case's source: the text between [`NEXT_UNIT`] lines.
fn split_units(source: &str) -> Vec<String> {
    let mut units = vec![String::new()];
    for line in source.split_inclusive('\n') {
        if line.trim_end() == NEXT_UNIT {
            units.push(String::new());
        } else {
            units.last_mut().expect("one unit at least").push_str(line);
        }
    }
    units
}

/// `C` less the profiled direct calls' middle choice, `bs_fp_f == bs_pw_f_1 ? bs_pw_f_1(…) : `,
/// which a unit without profiling does not have.
fn without_wrapper_calls(c: &str) -> String {
    let mut out = String::with_capacity(c.len());
    let mut rest = c;
    while let Some(at) = rest.find(" : bs_fp_") {
        let start = at + 3;
        let tail = &rest[start..];
        let Some(eq) = tail
            .find(" == bs_pw_")
            .filter(|&e| !tail[..e].contains(' '))
        else {
            out.push_str(&rest[..start]);
            rest = tail;
            continue;
        };
        // Skip `bs_fp_f == bs_pw_f_1 ? bs_pw_f_1(` … `) : `.
        let call = &tail[eq..];
        let open = call.find('(').expect("the wrapper's call");
        let mut depth = 0;
        let mut end = open;
        for (i, ch) in call[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str(&rest[..start]);
        rest = call[end..].strip_prefix(" : ").unwrap_or(&call[end..]);
    }
    out.push_str(rest);
    out
}

/// With profiling off, a profiled case's C is its C with profiling on less the profile records
/// and wrappers, and with the bodies in the slots instead of the wrappers: profiling changes
/// nothing else, and with it off nothing of it is left.
fn profiling_adds_only_wrappers(source: &str, profiled_c: &str) -> Result<(), String> {
    let plain = generate(source, false)?;
    if plain.contains("bs_profile") || plain.contains("bs_pw_") || plain.contains("bs_pr_") {
        return Err("with profiling off, the C still profiles".to_string());
    }
    if !profiled_c.contains("bs_profile_out(&") {
        return Err("with profiling on, no function is profiled".to_string());
    }
    // The lines after inline C get their numbers back with `#line`: those numbers move.
    let renumbered = |c: &str| -> String {
        c.split_inclusive('\n')
            .map(|l| {
                if l.starts_with("#line ") && l.trim_end().ends_with("\"unit.c\"") {
                    "#line N \"unit.c\"\n"
                } else {
                    l
                }
            })
            .collect()
    };
    let stripped: String = renumbered(profiled_c)
        .split_inclusive('\n')
        .filter(|l| !l.starts_with("bs_profile ") && !l.contains("bs_profile"))
        .collect::<String>();
    let stripped = without_wrapper_calls(&stripped).replace("bs_pw_", "bs_f_");
    let plain = renumbered(&plain);
    if stripped == plain {
        Ok(())
    } else {
        Err(format!(
            "with profiling off the C differs from the profiled C less its wrappers \
             (- profiled less wrappers, + profiling off):\n{}",
            line_diff(&stripped, &plain)
        ))
    }
}

/// The C of the specialised copy that the header of `source` asks for (its unit checked as unit
/// 1 of a fresh session, profiled), or its compile errors.
fn generate_specialised(source: &str) -> Result<String, String> {
    let mut env = bs_frontend::Env::new();
    let mut counters = bs_frontend::Counters::default();
    let errors = |diags: Vec<bs_frontend::Diagnostic>| {
        let lines: Vec<String> = diags
            .iter()
            .map(|d| {
                let at = bs_frontend::line_col(source, d.span.start);
                format!("{}:{}: error: {}", at.line, at.column, d.message)
            })
            .collect();
        format!("the case does not compile:\n{}", lines.join("\n"))
    };
    // As in a session with the dynamic compiler on: the source's untyped functions are profiled
    // (a copy compares their slots with their profiling wrappers).
    let options = bs_frontend::CheckOptions {
        profile: Some(bs_frontend::ProfileThresholds::default()),
    };
    let checked =
        bs_frontend::check_unit_with(source, &env, 1, &mut counters, &options).map_err(errors)?;
    let Some(header) = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// specialise: "))
    else {
        return Ok(bs_cgen::emit_unit(&checked.unit));
    };
    let (name, params) = header
        .trim()
        .strip_suffix(')')
        .and_then(|h| h.split_once('('))
        .ok_or("the header reads `// specialise: f(type, ...)`")?;
    let params: Vec<Option<bs_frontend::Type>> = params
        .split(',')
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| (p != "-").then(|| parse_type(p)))
        .collect();
    for (n, global) in &checked.declared {
        env.insert(n.clone(), global.clone());
    }
    for (id, ty, _) in &checked.unit.array_classes {
        env.insert_array_class(ty.clone(), *id);
    }
    for (n, id) in &checked.unit.names {
        env.insert_name(n.clone(), *id);
    }
    let request = bs_frontend::SpecialiseRequest {
        source,
        name,
        generic_unit: 1,
        version: 1,
        params,
        fallback: bs_frontend::Symbol::FnBody {
            name: name.to_string(),
            unit: 1,
        },
    };
    let unit = bs_frontend::specialise(&request, &env, 2, &mut counters).map_err(errors)?;
    Ok(bs_cgen::emit_unit(&unit))
}

/// A type of a `// specialise:` header: a built-in type's name or a class name, with `[]`s.
fn parse_type(text: &str) -> bs_frontend::Type {
    use bs_frontend::Type;
    if let Some(elem) = text.strip_suffix("[]") {
        return Type::Array(Box::new(parse_type(elem)));
    }
    match text {
        "any" => Type::Any,
        "integer" => Type::Integer,
        "float" => Type::Float,
        "boolean" => Type::Boolean,
        "string" => Type::String,
        "Uint8Array" => Type::Uint8Array,
        "FixedArray" => Type::FixedArray,
        other => Type::Class(other.to_string()),
    }
}

/// How many unchanged lines a hunk shows around each change.
const CONTEXT: usize = 3;

/// A unified-style diff of `expected` and `actual` by lines (longest common subsequence), in
/// hunks with [`CONTEXT`] unchanged lines around the changes.
fn line_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let ops = diff_ops(&old, &new);
    let mut out = String::new();
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&k| !matches!(ops[k], Op::Same(..)))
        .collect();
    let mut k = 0;
    while k < changed.len() {
        // One hunk: changes closer than twice the context merge.
        let start = changed[k].saturating_sub(CONTEXT);
        let mut last = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        k += 1;
        let end = (last + CONTEXT + 1).min(ops.len());
        let (old_line, new_line) = ops[start].lines();
        out.push_str(&format!(
            "@@ snapshot line {old_line}, generated line {new_line} @@\n"
        ));
        for op in &ops[start..end] {
            match op {
                Op::Same(i, _) => out.push_str(&format!("  {}\n", old[*i])),
                Op::Delete(i, _) => out.push_str(&format!("- {}\n", old[*i])),
                Op::Insert(_, j) => out.push_str(&format!("+ {}\n", new[*j])),
            }
        }
    }
    if out.is_empty() {
        out.push_str(
            "(the lines are the same: the difference is in line endings or a final newline)\n",
        );
    }
    out
}

/// One step of an edit script, with the positions (from 0) in the old and new lines it stands
/// at.
enum Op {
    Same(usize, usize),
    Delete(usize, usize),
    Insert(usize, usize),
}

impl Op {
    /// The 1-based line numbers in the old and new text where this step stands.
    fn lines(&self) -> (usize, usize) {
        let (Op::Same(i, j) | Op::Delete(i, j) | Op::Insert(i, j)) = self;
        (i + 1, j + 1)
    }
}

/// An edit script turning `old` into `new` that keeps a longest common subsequence of lines.
fn diff_ops(old: &[&str], new: &[&str]) -> Vec<Op> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: the length of a longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            ops.push(Op::Same(i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(Op::Delete(i, j));
            i += 1;
        } else {
            ops.push(Op::Insert(i, j));
            j += 1;
        }
    }
    ops
}

/// The runner's own check: a changed snapshot yields a diff naming the changed lines.
fn diff_shows_changes() -> Result<(), Failed> {
    let diff = line_diff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
    let want = "@@ snapshot line 1, generated line 1 @@\n  a\n- b\n+ B\n  c\n  d\n+ e\n";
    if diff == want {
        Ok(())
    } else {
        Err(format!("unexpected diff:\n{diff}").into())
    }
}
