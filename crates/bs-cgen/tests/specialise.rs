//! Specialised copies (docs/dynamic.md) compiled and run: for each case, a program's generic
//! unit and a specialised unit of one of its functions are turned into C, compiled by gcc with
//! the runtime's core (the copy's unit with `-Wall -Wextra -Werror`) and a driver that calls the
//! function through its slot (the generic body) and through the guard with the same boxed
//! arguments. The two must print the same, return the same value and stop with the same error;
//! the guard must take the copy for arguments of the observed types and fall back for others.
//! `BS_SPECIALISE_KEEP=1` keeps each case's C files and program (the test prints where);
//! `BS_SPECIALISE_WHY=1` prints why the sweep over the test programs refused each copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use bs_frontend::{Counters, Env, SpecialiseRequest, Symbol, Type};

/// One function to specialise and the argument tuples to call it with (C expressions of boxed
/// values), each marked with whether the guard's checks pass for it.
struct Case {
    name: &'static str,
    source: &'static str,
    function: &'static str,
    observed: Vec<Option<Type>>,
    calls: Vec<(&'static str, bool)>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace")
}

/// Declares what a checked unit declares in `env`, as the session does after it ran.
fn commit(env: &mut Env, checked: &bs_frontend::Checked) {
    for (name, global) in &checked.declared {
        env.insert(name.clone(), global.clone());
    }
    for (id, ty, _) in &checked.unit.array_classes {
        env.insert_array_class(ty.clone(), *id);
    }
    for (name, id) in &checked.unit.names {
        env.insert_name(name.clone(), *id);
    }
}

/// The generic unit's C and the specialised unit's C.
fn units(case: &Case) -> (String, String, bs_frontend::ir::Unit) {
    let mut env = Env::new();
    let mut counters = Counters::default();
    // Profiled, as with the dynamic compiler on: the slots of untyped functions hold their
    // profiling wrappers (which never report here: the test has no host to report to).
    let options = bs_frontend::CheckOptions {
        profile: Some(bs_frontend::ProfileThresholds {
            calls: i32::MAX as u32,
            signature: 1,
        }),
    };
    let checked = bs_frontend::check_unit_with(case.source, &env, 1, &mut counters, &options)
        .unwrap_or_else(|d| panic!("{}: the program does not check: {d:?}", case.name));
    commit(&mut env, &checked);
    let generic = bs_cgen::emit_unit(&checked.unit);
    let req = SpecialiseRequest {
        source: case.source,
        name: case.function,
        generic_unit: 1,
        version: 1,
        params: case.observed.clone(),
        fallback: Symbol::FnBody {
            name: case.function.to_string(),
            unit: 1,
        },
    };
    let unit = bs_frontend::specialise(&req, &env, 2, &mut counters)
        .unwrap_or_else(|d| panic!("{}: not specialised: {d:?}", case.name));
    let shared: Vec<String> = generic
        .lines()
        .filter_map(|l| l.strip_prefix("BS_STRING_LITERAL_SHARED("))
        .filter_map(|l| l.split(',').next())
        .map(str::to_string)
        .collect();
    let copy = bs_cgen::emit_unit_sharing(&unit, &|s| shared.iter().any(|x| x == s));
    (generic, copy, unit)
}

/// The driver: runs both units' entries, then each call through the slot and through the guard.
/// `redefine`: C text at file scope and a statement run after the units' entries (to point a
/// slot at another body, as a redefinition does).
fn driver(case: &Case, unit: &bs_frontend::ir::Unit, redefine: (&str, &str)) -> String {
    let guard = &unit.guards[0];
    let n = guard.slot_sig.params.len();
    let params = vec!["bs_value"; n].join(", ");
    let ret_any = guard.slot_sig.ret == Type::Any;
    assert!(
        ret_any || guard.slot_sig.ret == Type::Void,
        "the driver handles functions returning any or void"
    );
    let ret = if ret_any { "bs_value" } else { "void" };
    let slot = bs_cgen::c_symbol(&Symbol::FnSlot {
        name: case.function.to_string(),
    });
    let guard_name = bs_cgen::c_symbol(&guard.symbol);
    let failures = bs_cgen::c_symbol(&guard.failures);
    let args: Vec<String> = (0..n).map(|k| format!("A[{k}]")).collect();
    let args = args.join(", ");
    let store = if ret_any { "R = " } else { "" };
    let mut calls = String::new();
    for (k, (tuple, passes)) in case.calls.iter().enumerate() {
        calls.push_str(&format!(
            "    {{ bs_value t[] = {{{tuple}}}; compare({k}, t, {}); }}\n",
            u8::from(*passes)
        ));
    }
    format!(
        r#"#include <stdio.h>
#include <string.h>
#include "bs.h"
#include "bs_heap.h"
#include "bs_string.h"
#include "test_support.h"
void bs_unit_1(void);
void bs_unit_2(void);
extern {ret} (*{slot})({params});
{ret} {guard_name}({params});
extern uint32_t {failures};
void bs_class_reset(void);
{redefine_decls}

static bs_value A[{n}], R;
static int through_guard;
static void call(void) {{
    R = BS_NULL;
    if (through_guard)
        {store}{guard_name}({args});
    else
        {store}{slot}({args});
}}

/* The call's printed text, then its result or error. */
static void run(int guard, char *out, size_t size) {{
    through_guard = guard;
    int stopped = test_call(call);
    const char *printed = test_take_output(0);
    if (stopped)
        snprintf(out, size, "%s| error %u %u %u", printed, test_error.code, test_error.detail1,
                 bs_is_ref(test_error.detail2) ? 0 : test_error.detail2);
    else if (bs_string_is(R))
        snprintf(out, size, "%s| string %s", printed, ((bs_string *)bs_ptr(R))->bytes);
    else
        snprintf(out, size, "%s| word %08x", printed, (unsigned)R);
}}

static void compare(int k, const bs_value *tuple, int passes) {{
    static char generic[4096], special[4096];
    memcpy(A, tuple, sizeof A);
    run(0, generic, sizeof generic);
    uint32_t before = {failures};
    run(1, special, sizeof special);
    int failed = {failures} != before;
    printf("call %d: %s\n", k, generic);
    CHECK(strcmp(generic, special) == 0, "call %d: generic '%s', specialised '%s'", k, generic, special);
    CHECK(failed == !passes, "call %d: the guard %s", k, failed ? "failed" : "passed");
}}

int main(void) {{
    static uint64_t heap[1 << 14];
    bs_heap_init(heap, sizeof heap);
    bs_string_init();
    bs_class_reset();
    CHECK(test_call(bs_unit_1) == 0, "unit 1 stopped");
    CHECK(test_call(bs_unit_2) == 0, "unit 2 stopped");
    test_take_output(0);
    {redefine_stmt}
{calls}    return test_finish("{name}");
}}
"#,
        name = case.name,
        redefine_decls = redefine.0,
        redefine_stmt = redefine.1,
    )
}

fn run_case(case: &Case) {
    run_case_redefining(case, 0, ("", ""));
}

/// [`run_case`], checking that the copy inlines `inlined` functions and running `redefine` (see
/// [`driver`]) before the calls.
fn run_case_redefining(case: &Case, inlined: usize, redefine: (&str, &str)) {
    let (generic, copy, unit) = units(case);
    assert_eq!(
        unit.inlined.len(),
        inlined,
        "{}: functions inlined: {:?}",
        case.name,
        unit.inlined.iter().map(|c| &c.symbol).collect::<Vec<_>>()
    );
    // The inlined bodies have run-time check sites of their own, at their spans in the source.
    let mut numbers: Vec<u32> = unit.sites.iter().map(|(n, _)| *n).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        unit.sites.len(),
        "{}: a site twice",
        case.name
    );
    for c in &unit.inlined {
        let Symbol::InlineCopy { name, .. } = &c.symbol else {
            panic!("{}: {:?} is not an inline copy", case.name, c.symbol);
        };
        let start = case.source.find(&format!("function {name}(")).unwrap() as u32;
        let end = start + case.source[start as usize..].find("\n}").unwrap() as u32;
        let mut own = Vec::new();
        for s in &c.func.body {
            s.walk(&mut |w| {
                if let bs_frontend::ir::Walked::Expr(e) = w {
                    own.push(e.span);
                }
            });
        }
        assert!(
            own.iter().all(|sp| sp.start >= start && sp.end <= end),
            "{}: {name}'s copy has spans outside its text",
            case.name
        );
        if name == "div" {
            assert!(
                unit.sites
                    .iter()
                    .any(|(_, sp)| sp.start >= start && sp.end <= end),
                "{}: no site in div",
                case.name
            );
        }
    }
    let dir = std::env::temp_dir().join(format!(
        "bs-specialise-{}-{}",
        std::process::id(),
        case.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("unit1.c"), &generic).unwrap();
    std::fs::write(dir.join("unit2.c"), &copy).unwrap();
    std::fs::write(dir.join("driver.c"), driver(case, &unit, redefine)).unwrap();
    let root = root();
    let core = root.join("runtime/core");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&core)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    sources.sort();
    let include = [
        format!("-I{}", core.display()),
        format!("-I{}", root.join("runtime/ports/host").display()),
        format!("-I{}", root.join("runtime/tests").display()),
    ];
    let common = [
        "-O2",
        "-fwrapv",
        "-D_GNU_SOURCE",
        "-static",
        "-no-pie",
        "-fno-pie",
        "-fno-stack-protector",
        "-fcf-protection=none",
        "-Wall",
        "-Wextra",
        "-Werror",
    ];
    let exe = dir.join("run");
    let out = Command::new("gcc")
        .args(["-std=gnu11"])
        .args(common)
        .args(&include)
        .args(&sources)
        .arg(root.join("runtime/tests/test_support.c"))
        .arg(dir.join("unit1.c"))
        .arg(dir.join("unit2.c"))
        .arg(dir.join("driver.c"))
        .arg("-o")
        .arg(&exe)
        .arg("-lm")
        .output()
        .expect("gcc runs");
    assert!(
        out.status.success(),
        "{}: gcc failed:\n{}\n--- unit2.c:\n{copy}",
        case.name,
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().expect("the test program runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "{}: the specialised copy differs:\n{stdout}{stderr}\n--- unit2.c:\n{copy}",
        case.name
    );
    if std::env::var("BS_SPECIALISE_KEEP").is_ok_and(|v| v == "1") {
        eprintln!("{}: kept in {}", case.name, dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn int() -> Option<Type> {
    Some(Type::Integer)
}
fn float() -> Option<Type> {
    Some(Type::Float)
}

#[test]
fn integers_wrap_at_30_bits_as_in_the_generic_body() {
    run_case(&Case {
        name: "int_wrap",
        source: "function f(a, b) {\n  let s = a * b;\n  s += a;\n  let t = s;\n  t++;\n  print(t, a / b, a % b, -a, a - b);\n  print(s / 7, s % 1000, s < 0, t > 0, s * 0.5);\n  return s * 2;\n}\n",
        function: "f",
        observed: vec![int(), int()],
        calls: vec![
            ("bs_box_int(3), bs_box_int(4)", true),
            ("bs_box_int(536870911), bs_box_int(3)", true),
            ("bs_box_int(-536870912), bs_box_int(-1)", true),
            ("bs_box_int(65536), bs_box_int(65536)", true),
            ("bs_box_int(536870911), bs_box_int(1)", true),
            ("bs_box_int(268435456), bs_box_int(1)", true),
            ("bs_box_int(7), bs_box_int(0)", true),
            ("bs_box_float(1.5f), bs_box_int(2)", false),
            ("bs_box_int(2), BS_TRUE", false),
        ],
    });
}

#[test]
fn floats_keep_the_boxed_exponent_as_in_the_generic_body() {
    run_case(&Case {
        name: "float_box",
        source: "function g(x, y) {\n  let z = x * y;\n  if (z) print('truthy');\n  print(z, z == 0, z != 0.0, x + 1e-35, x < 1e-38, -z);\n  z -= 1;\n  ++z;\n  return z / 3;\n}\n",
        function: "g",
        observed: vec![float(), float()],
        calls: vec![
            ("bs_box_float(1.5f), bs_box_float(2.25f)", true),
            ("bs_box_float(1e-20f), bs_box_float(1e-20f)", true),
            ("bs_box_float(3e-10f), bs_box_float(-1e-25f)", true),
            ("bs_box_float(1e5f), bs_box_float(1e5f)", true),
            ("bs_box_float(-0.0f), bs_box_float(5.0f)", true),
            ("bs_box_float(0.0f / 0.0f), bs_box_float(1.0f)", true),
            ("bs_box_int(1), bs_box_float(1.0f)", false),
        ],
    });
}

#[test]
fn integers_and_floats_mixed_as_in_the_generic_body() {
    run_case(&Case {
        name: "mixed",
        source: "function h(a, b) {\n  print(a == b, a < b, a + b, a * b, a / b);\n  let n = 1000000000;\n  print(n + a, n * a, (n + a) / 3, n * a < 0);\n  return a - b;\n}\n",
        function: "h",
        observed: vec![int(), float()],
        calls: vec![
            ("bs_box_int(1), bs_box_float(1.0f)", true),
            ("bs_box_int(536870911), bs_box_float(0.5f)", true),
            ("bs_box_int(-3), bs_box_float(0.0f)", true),
            ("bs_box_int(7), bs_box_float(1e-36f)", true),
            ("bs_box_float(1.0f), bs_box_float(1.0f)", false),
        ],
    });
}

#[test]
fn recursion_calls_the_copy() {
    run_case(&Case {
        name: "recursion",
        source: "function fib(n) {\n  if (n < 2) return n;\n  return fib(n - 1) + fib(n - 2);\n}\nfunction sum(a, n) {\n  let s = 0;\n  for (let i = 0; i < n; i++) {\n    s = s + a[i] * 65536;\n  }\n  return s;\n}\n",
        function: "fib",
        observed: vec![int()],
        calls: vec![
            ("bs_box_int(10)", true),
            ("bs_box_int(1)", true),
            ("bs_box_float(3.0f)", false),
        ],
    });
}

#[test]
fn recursion_of_other_types_falls_back() {
    run_case(&Case {
        name: "recurse_other",
        source: "function f(n) {\n  if (n > 10) return n;\n  print(n);\n  return f(n + 2.5);\n}\n",
        function: "f",
        observed: vec![int()],
        calls: vec![
            ("bs_box_int(3)", true),
            ("bs_box_int(11)", true),
            ("bs_box_float(3.0f)", false),
        ],
    });
}

/// `bs_round_boxed_float` (bs.h) equals boxing and unboxing, over a spread of bit patterns and
/// every exponent's edges.
#[test]
fn rounding_as_a_boxed_float_equals_boxing() {
    let root = root();
    let dir = std::env::temp_dir().join(format!("bs-specialise-{}-round", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let c = r#"#include <stdio.h>
#include <string.h>
#include "bs.h"
static int same(uint32_t u) {
    union bs_float_bits b;
    b.u = u;
    union bs_float_bits x, y;
    x.f = bs_round_boxed_float(b.f);
    y.f = bs_unbox_float(bs_box_float(b.f));
    if (x.u == y.u || (x.f != x.f && y.f != y.f))
        return 1;
    printf("0x%08x: 0x%08x, boxed 0x%08x\n", u, x.u, y.u);
    return 0;
}
int main(void) {
    int bad = 0;
    for (uint64_t u = 0; u <= 0xFFFFFFFFu; u += 4099)
        bad += !same((uint32_t)u);
    for (uint32_t e = 0; e < 256; e++)
        for (uint32_t s = 0; s < 2; s++) {
            uint32_t base = (s << 31) | (e << 23);
            bad += !same(base) + !same(base | 1u) + !same(base | 0x7FFFFFu) + !same(base | 0x400001u);
        }
    return bad != 0;
}
"#;
    std::fs::write(dir.join("round.c"), c).unwrap();
    let exe = dir.join("round");
    let out = Command::new("gcc")
        .args(["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror"])
        .arg(format!("-I{}", root.join("runtime/core").display()))
        .arg(format!("-I{}", root.join("runtime/ports/host").display()))
        .arg(dir.join("round.c"))
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("gcc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().expect("runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn booleans_truthiness_and_loops() {
    run_case(&Case {
        name: "truthy_loop",
        source: "function t(flag, x, n) {\n  let s = n - n;\n  let i = s;\n  while (i < n) {\n    s += i * i;\n    i++;\n  }\n  if (flag && x) return s;\n  return x ? s + 1 : -s;\n}\n",
        function: "t",
        observed: vec![Some(Type::Boolean), float(), int()],
        calls: vec![
            ("BS_TRUE, bs_box_float(0.5f), bs_box_int(10)", true),
            ("BS_TRUE, bs_box_float(-0.0f), bs_box_int(70000)", true),
            ("BS_FALSE, bs_box_float(0.0f), bs_box_int(50000)", true),
            ("BS_FALSE, bs_box_float(0.0f / 0.0f), bs_box_int(3)", true),
            ("bs_box_int(1), bs_box_float(1.0f), bs_box_int(3)", false),
        ],
    });
}

#[test]
fn strings_and_unused_parameters() {
    run_case(&Case {
        name: "strings",
        source: "function u(a, b, s) {\n  let unused = a;\n  return s + b + s.length;\n}\n",
        function: "u",
        observed: vec![int(), float(), Some(Type::String)],
        calls: vec![
            (
                "bs_box_int(1), bs_box_float(1e-33f), bs_string_new(\"ab\", 2)",
                true,
            ),
            (
                "bs_box_int(1), bs_box_float(2.5f), bs_string_new(\"\", 0)",
                true,
            ),
            ("bs_box_int(1), bs_box_float(2.5f), bs_box_int(3)", false),
        ],
    });
}

/// Every untyped top-level function of the programs under `tests/` and `benchmarks/` (the
/// untyped benchmarks among them), specialised for integers and for floats: `specialise` answers (a unit or diagnostics inside the source, never a panic),
/// and every copy's C, with the functions it inlines, compiles with `-Wall -Wextra -Werror`.
#[test]
fn untyped_functions_of_the_test_programs_specialise_or_are_refused_cleanly() {
    let root = root();
    let dir = std::env::temp_dir().join(format!("bs-specialise-{}-sweep", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut programs = Vec::new();
    let mut folders = vec![root.join("tests"), root.join("benchmarks")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "bs") {
                programs.push(path);
            }
        }
    }
    programs.sort();
    let (mut made, mut refused, mut inlining) = (0, 0, 0);
    let mut c_files = Vec::new();
    for path in &programs {
        let source = std::fs::read_to_string(path).unwrap();
        let mut env = Env::new();
        let mut counters = Counters::default();
        let Ok(checked) = bs_frontend::check_unit(&source, &env, 1, &mut counters) else {
            continue;
        };
        commit(&mut env, &checked);
        for (name, global) in &checked.declared {
            let bs_frontend::Global::Func { sig, .. } = global else {
                continue;
            };
            if !sig.params.contains(&Type::Any) {
                continue;
            }
            for observed in [Type::Integer, Type::Float] {
                let params = sig
                    .params
                    .iter()
                    .map(|p| (*p == Type::Any).then(|| observed.clone()))
                    .collect();
                let req = SpecialiseRequest {
                    source: &source,
                    name,
                    generic_unit: 1,
                    version: 1,
                    params,
                    fallback: Symbol::FnBody {
                        name: name.clone(),
                        unit: 1,
                    },
                };
                let mut c = counters;
                match bs_frontend::specialise(&req, &env, 2, &mut c) {
                    Ok(unit) => {
                        made += 1;
                        inlining += usize::from(!unit.inlined.is_empty());
                        let file = dir.join(format!("u{}.c", c_files.len()));
                        std::fs::write(&file, bs_cgen::emit_unit(&unit)).unwrap();
                        c_files.push((file, format!("{} {name} {observed}", path.display())));
                    }
                    Err(diags) => {
                        refused += 1;
                        if std::env::var("BS_SPECIALISE_WHY").is_ok() {
                            eprintln!("{} {name} {observed}: {}", path.display(), diags[0].message);
                        }
                        for d in diags {
                            assert!(
                                d.span.end as usize <= source.len(),
                                "{}: {name}: a span outside the source: {d:?}",
                                path.display()
                            );
                        }
                    }
                }
            }
        }
    }
    eprintln!("{made} copies made ({inlining} inlining functions), {refused} refused");
    assert!(made > 20, "only {made} copies made");
    // sha256's compress inlines rotr, among others.
    assert!(inlining > 0, "no copy inlines a function");
    for (file, what) in &c_files {
        let out = Command::new("gcc")
            .args([
                "-std=gnu11",
                "-O1",
                "-fwrapv",
                "-Wall",
                "-Wextra",
                "-Werror",
            ])
            // The programs' own `x == x` (a NaN test in untyped code) is no fault of the copy.
            .arg("-Wno-tautological-compare")
            .arg(format!("-I{}", root.join("runtime/core").display()))
            .arg(format!("-I{}", root.join("runtime/ports/host").display()))
            .args(["-c", "-o", "/dev/null"])
            .arg(file)
            .output()
            .expect("gcc runs");
        assert!(
            out.status.success(),
            "{what}: the copy's C does not compile:\n{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(file).unwrap()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn arrow_functions_of_the_copy_follow_the_same_rules() {
    run_case(&Case {
        name: "arrows",
        source: "function k(a, b) {\n  let s = a;\n  const mul = (x: integer) => {\n    s = s * x;\n    return s / 3;\n  };\n  print(mul(b), mul(b));\n  return s;\n}\n",
        function: "k",
        observed: vec![int(), int()],
        calls: vec![
            ("bs_box_int(5), bs_box_int(7)", true),
            ("bs_box_int(536870911), bs_box_int(65536)", true),
            ("bs_box_int(-300000), bs_box_int(40000)", true),
        ],
    });
}

/// The functions a copy inlines: small typed functions of the same source. Their run-time errors
/// stop the copy as they stop the generic body, and a call goes through the slot once it holds
/// another body (a redefinition).
const INLINING: &str = "function div(n: integer, d: integer) {\n  return n / d;\n}\nfunction rotl(x: integer, k: integer) {\n  return (x << k) | (x >>> (32 - k));\n}\nfunction f(n, d) {\n  let s = n - n;\n  for (let i = 1; i < 4; i++) {\n    s = s + div(n, d - i) + rotl(n, i) % 1000;\n    print(s);\n  }\n  return s;\n}\n";

fn inlining_case(name: &'static str) -> Case {
    Case {
        name,
        source: INLINING,
        function: "f",
        observed: vec![int(), int()],
        calls: vec![
            ("bs_box_int(100), bs_box_int(10)", true),
            ("bs_box_int(-536870912), bs_box_int(7)", true),
            ("bs_box_int(5), bs_box_int(2)", true),
            ("bs_box_float(5.0f), bs_box_int(2)", false),
        ],
    }
}

#[test]
fn small_functions_of_the_source_are_inlined() {
    run_case_redefining(&inlining_case("inlined"), 2, ("", ""));
}

#[test]
fn an_inlined_function_redefined_is_called_through_its_slot() {
    run_case_redefining(
        &inlining_case("inlined_redefined"),
        2,
        (
            "extern int32_t (*bs_fp_div)(int32_t, int32_t);\nstatic int32_t other_div(int32_t n, int32_t d) { return n * 3 + d; }",
            "bs_fp_div = other_div;",
        ),
    );
}

/// Small untyped functions of the same source whose body is one `return` that the copy calls
/// get local copies checked with the argument types the copy passes them (`any` where it passes
/// `any`), which compute what their generic bodies compute on boxed values: integers wrap at 30
/// bits, floats keep the boxed exponent, a division by zero stops them the same way. `twice`
/// (two statements) is not inlined.
const UNTYPED_CALLEES: &str = "function mul(x, y) {\n  return (x * y) / 4 + 1;\n}\nfunction half(v) {\n  return v * 0.5 * 1000000000000000.0;\n}\nfunction quot(a, b) {\n  return a / b;\n}\nfunction twice(x) {\n  const y = x + x;\n  return y;\n}\nfunction f(n, d, e) {\n  let s = mul(n, d);\n  for (let i = 1; i < 4; i++) {\n    s = s + quot(n, d - i);\n    print(s, half(d), mul(d, i), mul(n, e), twice(d));\n  }\n  return s;\n}\n";

fn untyped_callees_case(name: &'static str, observed: Option<Type>) -> Case {
    let calls = if observed == int() {
        vec![
            ("bs_box_int(100), bs_box_int(10), bs_box_int(3)", true),
            // 30-bit wraps in mul and quot's operands.
            (
                "bs_box_int(536870911), bs_box_int(65536), bs_box_int(-536870912)",
                true,
            ),
            (
                "bs_box_int(-300000), bs_box_int(40000), bs_box_float(2.5f)",
                true,
            ),
            // A division by zero in the inlined quot (d - 2 == 0).
            ("bs_box_int(5), bs_box_int(2), bs_box_int(1)", true),
            ("bs_box_float(5.0f), bs_box_int(2), bs_box_int(1)", false),
        ]
    } else {
        vec![
            (
                "bs_box_float(100.5f), bs_box_float(10.25f), bs_box_float(3.0f)",
                true,
            ),
            // Below 2^-30 a boxed float loses precision; at 2^32 and above it is infinite.
            (
                "bs_box_float(3e-10f), bs_box_float(7e-10f), bs_box_float(1e-5f)",
                true,
            ),
            (
                "bs_box_float(1e-20f), bs_box_float(5e-10f), bs_box_int(3)",
                true,
            ),
            (
                "bs_box_float(7e-12f), bs_box_float(1.3e-15f), bs_box_float(1e-16f)",
                true,
            ),
            (
                "bs_box_float(3e9f), bs_box_float(65536.5f), bs_box_float(-2e5f)",
                true,
            ),
            (
                "bs_box_float(-0.0f), bs_box_float(2.0f), bs_box_float(0.0f)",
                true,
            ),
            ("bs_box_int(5), bs_box_float(2.0f), bs_box_int(1)", false),
        ]
    };
    Case {
        name,
        source: UNTYPED_CALLEES,
        function: "f",
        observed: vec![observed.clone(), observed, None],
        calls,
    }
}

#[test]
fn small_untyped_functions_of_the_source_are_inlined_with_integers() {
    run_case_redefining(
        &untyped_callees_case("untyped_callees_int", int()),
        3,
        ("", ""),
    );
}

#[test]
fn small_untyped_functions_of_the_source_are_inlined_with_floats() {
    run_case_redefining(
        &untyped_callees_case("untyped_callees_float", float()),
        3,
        ("", ""),
    );
}

#[test]
fn an_inlined_untyped_function_redefined_is_called_through_its_slot() {
    run_case_redefining(
        &untyped_callees_case("untyped_callees_redefined", int()),
        3,
        (
            "extern bs_value (*bs_fp_mul)(bs_value, bs_value);\nstatic bs_value other_mul(bs_value x, bs_value y) { (void)y; return x; }",
            "bs_fp_mul = other_mul;",
        ),
    );
}

/// The local copies take the argument types of the copy's calls; `mul(n, e)` passes `e`, a
/// parameter the guard does not check, so it stays `any` there.
#[test]
fn untyped_callees_take_the_argument_types_of_the_calls() {
    let (_, copy, unit) = units(&untyped_callees_case("untyped_callees_types", int()));
    let sigs: Vec<String> = unit
        .inlined
        .iter()
        .map(|c| format!("{:?} {:?}", c.symbol, c.local_sig.params))
        .collect();
    assert_eq!(unit.inlined.len(), 3, "{sigs:?}");
    for c in &unit.inlined {
        assert!(c.wrapper.is_some(), "{sigs:?}");
        assert!(
            c.local_sig.params.iter().all(|t| *t == Type::Integer),
            "{sigs:?}"
        );
    }
    // `mul(d, i)` calls the local copy; `mul(n, e)` (integer, any) goes through the slot, as
    // does `twice(d)`.
    assert!(
        copy.contains(
            "bs_fp_mul == bs_f_mul_1 || bs_fp_mul == bs_pw_mul_1, 1) ? bs_box_int(bs_fl_mul_1_1("
        ),
        "{copy}"
    );
    assert!(copy.contains("bs_fp_mul(bs_box_int(l0_n), l2_e)"), "{copy}");
    assert!(!copy.contains("bs_fl_mul_1_1(l0_n, l2_e)"), "{copy}");
    assert!(copy.contains("bs_fp_twice("), "{copy}");
    assert!(!copy.contains("bs_fl_twice"), "{copy}");
}
