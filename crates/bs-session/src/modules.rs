//! Modules: finding the file an import names, loading each module once (its imports first,
//! depth first, in import order), and giving every module a namespace of its own.
//!
//! The main module (a program file, or the REPL's inputs) declares its names in the session's
//! environment; every other module is checked in an environment of its own
//! ([`Env::for_module`]) that holds only what it imports, and its declarations are kept with
//! the module ([`ModuleInfo::globals`]) for its importers. The symbols of its variables and
//! functions carry the module's namespace ([`Env::qualify`]), and its classes and enums get
//! qualified names in types once it has run ([`Renamer`]), so two modules may declare the
//! same name.
//!
//! The walk is the same whether the units run on a device ([`crate::Session`]) or are only
//! checked ([`check_program`]); [`UnitHost`] is what differs.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use bs_frontend::{Diagnostic, Env, Global, ModuleInfo, Span};

use crate::{Outcome, OutputSink, Stage, Timings};

/// An installed package: where its sources are and which file `import … from 'NAME'` means.
#[derive(Clone, Debug)]
pub struct Package {
    /// The package's source folder (its `srcDir`); `NAME/sub/mod` is `sub/mod.bs` in it.
    pub src_dir: PathBuf,
    /// Its entry file (its `entryFile`).
    pub entry: PathBuf,
}

/// Where a program's imports are looked for.
#[derive(Clone, Debug, Default)]
pub struct ModuleRoots {
    /// The program's source folder: relative imports of the program's own modules must stay
    /// inside it.
    pub src_dir: PathBuf,
    /// The packages installed in the program's project, by name.
    pub packages: HashMap<String, Package>,
    /// The folders whose `.c` files are compiled and linked into the session before the
    /// program runs (a project's source folder and its packages'); empty outside a project.
    pub c_dirs: Vec<PathBuf>,
    /// The packages that come with bscript (`gpio`, …), by name: an import of a name that no
    /// installed package has resolves to one of these. A bundled package's C files (under its
    /// source folder) are linked into the session when one of its modules is first imported,
    /// not before the program runs, so that programs that do not use it do not carry it.
    pub bundled: HashMap<String, Package>,
}

impl ModuleRoots {
    /// Roots for a program in `src_dir` with no packages.
    pub fn new(src_dir: impl Into<PathBuf>) -> ModuleRoots {
        ModuleRoots {
            src_dir: src_dir.into(),
            packages: HashMap::new(),
            c_dirs: Vec::new(),
            bundled: HashMap::new(),
        }
    }
}

/// The modules a session has loaded, by canonical path.
#[derive(Default)]
pub(crate) struct ModuleTable {
    loaded: HashMap<PathBuf, ModuleInfo>,
    next_namespace: u32,
}

impl ModuleTable {
    pub(crate) fn clear(&mut self) {
        self.loaded.clear();
    }
}

/// One unit to check (and run): its namespace (`None`: the main module), the modules it may
/// import by the paths it names them with, and the names it imports (with what they are).
#[derive(Default)]
pub(crate) struct UnitJob {
    pub namespace: Option<String>,
    pub modules: HashMap<String, ModuleInfo>,
    pub imports: Vec<(String, Global)>,
    /// The unit's folder, for the quoted includes of its inline C.
    pub dir: Option<PathBuf>,
}

/// What runs a unit: a session (check, compile, run on the device) or the checker alone.
pub(crate) trait UnitHost {
    fn modules(&mut self) -> &mut ModuleTable;
    /// Checks (and runs) one unit. On success, what it declared (names, exports, and, for a
    /// module, its declarations for its importers).
    fn unit(
        &mut self,
        name: &str,
        source: &str,
        job: UnitJob,
        out: &mut OutputSink<'_>,
    ) -> (Outcome, Timings, Option<ModuleInfo>);

    /// Links the C files under `dir`, the source folder of the bundled package `name`, into
    /// the session unless they are linked already: before the package's first module runs.
    fn link_package_c(&mut self, _name: &str, _dir: &Path) -> Result<Timings, Outcome> {
        Ok(Timings::default())
    }
}

/// The environment a unit is checked in: `None` when it is the main module's environment
/// itself (no imports), else a copy with the imported modules and names. An imported variable
/// is read-only for the importer; an imported name that the main module already declares
/// otherwise is an error (returned beside, to be reported with the unit's other errors).
pub(crate) fn unit_env(
    main: &Env,
    job: &UnitJob,
    import_spans: &HashMap<String, Span>,
) -> (Option<Env>, Vec<Diagnostic>) {
    if job.namespace.is_none() && job.modules.is_empty() {
        return (None, Vec::new());
    }
    let mut env = match &job.namespace {
        None => main.clone(),
        Some(ns) => main.for_module(ns),
    };
    env.modules = job.modules.clone();
    let mut errors = Vec::new();
    for (name, global) in &job.imports {
        match env.get(name) {
            Some(existing) if existing == global => {}
            Some(_) => {
                let span = import_spans.get(name).copied().unwrap_or_default();
                errors.push(bs_frontend::diag::already_declared(span, name));
            }
            None => env.insert(name.clone(), global.clone()),
        }
    }
    (Some(env), errors)
}

/// The errors of a unit's check with those of its imports (`extra`), in source order.
pub(crate) fn with_import_errors<T>(
    checked: Result<T, Vec<Diagnostic>>,
    extra: &[Diagnostic],
) -> Result<T, Vec<Diagnostic>> {
    match checked {
        Ok(_) | Err(_) if extra.is_empty() => checked,
        Ok(_) => Err(extra.to_vec()),
        Err(mut d) => {
            d.extend(extra.iter().cloned());
            d.sort_by_key(|d| d.span.start);
            Err(d)
        }
    }
}

/// The commit of a unit that ran (or checked, without a device): for the main module, what it
/// declared and imported enters the session's environment `main`; another module keeps its
/// declarations in the returned [`ModuleInfo`] (for its importers), and only its classes and
/// enums enter `main`, under their qualified names ([`Renamer`]). Array types and property
/// names always enter `main`.
pub(crate) fn commit(main: &mut Env, checked: &bs_frontend::Checked, job: &UnitJob) -> ModuleInfo {
    let mut globals = Vec::new();
    let Some(ns) = &job.namespace else {
        for (n, g) in job.imports.iter().chain(&checked.declared) {
            main.insert(n.clone(), g.clone());
        }
        for (id, ty, _) in &checked.unit.array_classes {
            main.insert_array_class(ty.clone(), *id);
        }
        for (name, id) in &checked.unit.names {
            main.insert_name(name.clone(), *id);
        }
        return ModuleInfo {
            name: String::new(),
            declared: checked.declared.iter().map(|(n, _)| n.clone()).collect(),
            exported: checked.exported.clone(),
            globals,
        };
    };
    // A module's classes and enums get their qualified names in types from now on, and enter
    // the session's environment under them; the module keeps every name it declared, under
    // the name its importers use.
    let renamed = Renamer::of(ns, &checked.declared);
    for (n, g) in &checked.declared {
        let g = renamed.global(g);
        if let Some(q) = renamed.qualified(n, &g) {
            main.insert(q, g.clone());
        }
        globals.push((n.clone(), g));
    }
    for (id, ty, _) in &checked.unit.array_classes {
        main.insert_array_class(renamed.ty(ty), *id);
    }
    for (name, id) in &checked.unit.names {
        main.insert_name(name.clone(), *id);
    }
    ModuleInfo {
        name: String::new(),
        declared: checked.declared.iter().map(|(n, _)| n.clone()).collect(),
        exported: checked.exported.clone(),
        globals,
    }
}

/// Gives the classes and enums a module declared their qualified names (`NAMESPACE:Name`)
/// in types, once the module has run: its own code was compiled with the plain names, which
/// it alone could see; every later unit sees the qualified ones, so that two modules' classes
/// of the same name are two types. Symbols are left as they are (they are C names already).
pub(crate) struct Renamer {
    namespace: String,
    types: std::collections::HashSet<String>,
}

impl Renamer {
    pub(crate) fn of(namespace: &str, declared: &[(String, Global)]) -> Renamer {
        Renamer {
            namespace: namespace.to_string(),
            types: declared
                .iter()
                .filter(|(_, g)| matches!(g, Global::Class(_) | Global::Enum { .. }))
                .map(|(n, _)| n.clone())
                .collect(),
        }
    }

    fn name(&self, n: &str) -> String {
        if self.types.contains(n) {
            format!("{}:{n}", self.namespace)
        } else {
            n.to_string()
        }
    }

    /// The key a class or enum enters the session's environment under (`None` for others).
    fn qualified(&self, name: &str, g: &Global) -> Option<String> {
        matches!(g, Global::Class(_) | Global::Enum { .. }).then(|| self.name(name))
    }

    pub(crate) fn ty(&self, t: &bs_frontend::Type) -> bs_frontend::Type {
        use bs_frontend::Type;
        match t {
            Type::Class(n) => Type::Class(self.name(n)),
            Type::Enum(n) => Type::Enum(self.name(n)),
            Type::Array(e) => Type::Array(Box::new(self.ty(e))),
            Type::Nullable(e) => Type::Nullable(Box::new(self.ty(e))),
            Type::Function(sig) => Type::Function(Box::new(self.sig(sig))),
            other => other.clone(),
        }
    }

    fn sig(&self, s: &bs_frontend::FnSig) -> bs_frontend::FnSig {
        bs_frontend::FnSig {
            params: s.params.iter().map(|t| self.ty(t)).collect(),
            ret: self.ty(&s.ret),
        }
    }

    fn global(&self, g: &Global) -> Global {
        use bs_frontend::env::{FieldInfo, MethodInfo, StaticMember};
        match g {
            Global::Var {
                ty,
                mutable,
                symbol,
            } => Global::Var {
                ty: self.ty(ty),
                mutable: *mutable,
                symbol: symbol.clone(),
            },
            Global::Func { sig, slot, body } => Global::Func {
                sig: self.sig(sig),
                slot: slot.clone(),
                body: body.clone(),
            },
            Global::Enum { name, members } => Global::Enum {
                name: self.name(name),
                members: members.clone(),
            },
            Global::Class(c) => {
                let mut c = c.clone();
                c.name = self.name(&c.name);
                c.superclass = c.superclass.as_deref().map(|s| self.name(s));
                c.fields = c
                    .fields
                    .iter()
                    .map(|f| FieldInfo {
                        ty: self.ty(&f.ty),
                        ..f.clone()
                    })
                    .collect();
                c.methods = c
                    .methods
                    .iter()
                    .map(|m| MethodInfo {
                        sig: self.sig(&m.sig),
                        ..m.clone()
                    })
                    .collect();
                c.ctor = c.ctor.iter().map(|t| self.ty(t)).collect();
                c.statics = c
                    .statics
                    .iter()
                    .map(|(n, m)| {
                        let m = match m {
                            StaticMember::Field { ty, symbol } => StaticMember::Field {
                                ty: self.ty(ty),
                                symbol: symbol.clone(),
                            },
                            StaticMember::Method { sig, symbol } => StaticMember::Method {
                                sig: self.sig(sig),
                                symbol: symbol.clone(),
                            },
                        };
                        (n.clone(), m)
                    })
                    .collect();
                Global::Class(c)
            }
        }
    }
}

/// Where an import `spec`, written in a file of folder `dir` whose module root is `root`,
/// leads: the file (as named in messages), its canonical path and its own module root.
#[cfg(test)]
fn resolve(
    spec: &str,
    span: Span,
    dir: &Path,
    root: &Path,
    roots: &ModuleRoots,
) -> Result<(PathBuf, PathBuf, PathBuf), Diagnostic> {
    resolve_with_package(spec, span, dir, root, roots).map(|r| r.0)
}

/// An installed or bundled package that an import resolved to: its name and source folder,
/// and whether it is bundled (its C files are then linked when it is first imported).
struct ResolvedPackage {
    name: String,
    src_dir: PathBuf,
    bundled: bool,
}

/// [`resolve`], and the package the import names, if any.
#[allow(clippy::type_complexity)]
fn resolve_with_package(
    spec: &str,
    span: Span,
    dir: &Path,
    root: &Path,
    roots: &ModuleRoots,
) -> Result<((PathBuf, PathBuf, PathBuf), Option<ResolvedPackage>), Diagnostic> {
    let with_extension = |mut file: PathBuf| {
        if file.extension().is_none_or(|e| e != "bs") {
            file.set_extension("bs");
        }
        file
    };
    // dir/./m → dir/m, for the names in messages.
    let tidy = |p: PathBuf| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    if spec.starts_with('.') {
        let file = with_extension(tidy(dir.join(spec)));
        let Ok(canonical) = file.canonicalize() else {
            return Err(bs_frontend::diag::module_not_found(span, spec));
        };
        if !canonical.starts_with(root) {
            return Err(bs_frontend::diag::module_outside_source(span, spec));
        }
        return Ok(((file, canonical, root.to_path_buf()), None));
    }
    let not_found = || bs_frontend::diag::module_not_found(span, spec);
    if spec.starts_with('/') || spec.is_empty() {
        return Err(not_found());
    }
    // A package: `NAME` is its entry file, `NAME/sub/mod` is `sub/mod.bs` in its source folder.
    let (package, rest) = spec.split_once('/').unwrap_or((spec, ""));
    let installed = roots.packages.get(package);
    let bundled = installed.is_none();
    let Some(p) = installed.or_else(|| roots.bundled.get(package)) else {
        let mut d = not_found();
        d.hint = Some(format!(
            "no package named `{package}` is installed in this project's `packages/` folder \
             (`bscript project install PATH-OR-GIT-URL` installs one; without an argument, it \
             installs the dependencies bsconfig.json lists)"
        ));
        return Err(d);
    };
    let package_root = p
        .src_dir
        .canonicalize()
        .unwrap_or_else(|_| p.src_dir.clone());
    let file = if rest.is_empty() {
        tidy(p.entry.clone())
    } else {
        with_extension(tidy(p.src_dir.join(rest)))
    };
    let Ok(canonical) = file.canonicalize() else {
        return Err(not_found());
    };
    if !canonical.starts_with(&package_root) {
        return Err(bs_frontend::diag::module_outside_source(span, spec));
    }
    let resolved = ResolvedPackage {
        name: package.to_string(),
        src_dir: p.src_dir.clone(),
        bundled,
    };
    Ok(((file, canonical, package_root), Some(resolved)))
}

/// Checks (and runs) the unit `source` named `name` of folder `dir`, after the modules it
/// imports that the session has not loaded yet. `canonical` is its file's canonical path (for
/// cycle detection; `None` for standard input and REPL inputs), `namespace` its own (`None`
/// for the main module), `root` the folder its relative imports must stay in.
#[allow(clippy::too_many_arguments)]
pub(crate) fn load(
    host: &mut dyn UnitHost,
    name: &str,
    source: &str,
    dir: &Path,
    canonical: Option<PathBuf>,
    namespace: Option<String>,
    root: &Path,
    roots: &ModuleRoots,
    stack: &mut Vec<PathBuf>,
    out: &mut OutputSink<'_>,
) -> (Outcome, Timings, Option<ModuleInfo>) {
    let pushed = canonical.is_some();
    if let Some(c) = canonical {
        stack.push(c);
    }
    let result = load_imports_and_unit(host, name, source, dir, namespace, root, roots, stack, out);
    if pushed {
        stack.pop();
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn load_imports_and_unit(
    host: &mut dyn UnitHost,
    name: &str,
    source: &str,
    dir: &Path,
    namespace: Option<String>,
    root: &Path,
    roots: &ModuleRoots,
    stack: &mut Vec<PathBuf>,
    out: &mut OutputSink<'_>,
) -> (Outcome, Timings, Option<ModuleInfo>) {
    let mut job = UnitJob {
        namespace,
        dir: Some(dir.to_path_buf()),
        ..UnitJob::default()
    };
    let mut total = Timings::default();
    let mut wanted: HashMap<String, Vec<(String, Span)>> = HashMap::new();
    for (spec, names) in bs_frontend::check::imported_names(source) {
        wanted.entry(spec).or_default().extend(names);
    }
    let fail = |d: Diagnostic, t: Timings| (Outcome::CompileError(vec![d]), t, None);
    for (spec, span) in bs_frontend::import_sources(source) {
        let ((file, module_path, module_root), package) =
            match resolve_with_package(&spec, span, dir, root, roots) {
                Ok(r) => r,
                Err(d) => return fail(d, total),
            };
        if let Some(pos) = stack.iter().position(|p| *p == module_path) {
            let cycle: Vec<String> = stack[pos..]
                .iter()
                .chain([&module_path])
                .map(|p| p.display().to_string())
                .collect();
            return fail(
                bs_frontend::diag::import_cycle(span, &cycle.join(" -> ")),
                total,
            );
        }
        if !host.modules().loaded.contains_key(&module_path) {
            let mut module_name = file.display().to_string();
            if let Some(p) = package.filter(|p| p.bundled) {
                match host.link_package_c(&p.name, &p.src_dir) {
                    Ok(t) => total = total.add(&t),
                    Err(outcome) => return (outcome, total, None),
                }
                // A bundled package's files live in bscript's cache: named in messages by
                // the package and their path in its source folder.
                if let Ok(rel) = module_path.strip_prefix(&module_root) {
                    module_name = format!("{}/{}", p.name, rel.display());
                }
            }
            let module_source = match std::fs::read_to_string(&file) {
                Ok(s) => s,
                Err(e) => {
                    return (
                        Outcome::Internal {
                            stage: Stage::ParseCheck,
                            message: format!("cannot read {module_name}: {e}"),
                        },
                        total,
                        None,
                    );
                }
            };
            let table = host.modules();
            table.next_namespace += 1;
            let ns = format!("m{}", table.next_namespace);
            let module_dir = file.parent().unwrap_or(Path::new("."));
            let (outcome, t, info) = load(
                host,
                &module_name,
                &module_source,
                module_dir,
                Some(module_path.clone()),
                Some(ns),
                &module_root,
                roots,
                stack,
                out,
            );
            total = total.add(&t);
            let Some(info) = info.filter(|_| matches!(outcome, Outcome::Ok)) else {
                let outcome = match outcome {
                    Outcome::InModule { .. } => outcome,
                    other => Outcome::InModule {
                        file: module_name,
                        source: module_source,
                        outcome: Box::new(other),
                    },
                };
                return (outcome, total, None);
            };
            host.modules().loaded.insert(module_path.clone(), info);
        }
        let mut info = host.modules().loaded[&module_path].clone();
        info.name = spec.clone();
        // Once per module, however many declarations import from it.
        for (wanted, _) in wanted.remove(&spec).into_iter().flatten() {
            if let Some((n, g)) = info.globals.iter().find(|(n, _)| *n == wanted) {
                let g = match g {
                    // An importer reads an imported variable (a live binding) but cannot
                    // assign it.
                    Global::Var { ty, symbol, .. } => Global::Var {
                        ty: ty.clone(),
                        mutable: false,
                        symbol: symbol.clone(),
                    },
                    other => other.clone(),
                };
                job.imports.push((n.clone(), g));
            }
        }
        job.modules.insert(spec, info);
    }
    let (outcome, t, info) = host.unit(name, source, job, out);
    (outcome, total.add(&t), info)
}

/// The spans of the names a unit imports, for errors about them.
pub(crate) fn import_spans(source: &str) -> HashMap<String, Span> {
    bs_frontend::check::imported_names(source)
        .into_iter()
        .flat_map(|(_, names)| names)
        .collect()
}

/// Only checks units, with no device: what `bscript check` uses.
struct CheckOnly {
    env: Env,
    counters: bs_frontend::Counters,
    next_unit: u32,
    modules: ModuleTable,
}

impl UnitHost for CheckOnly {
    fn modules(&mut self) -> &mut ModuleTable {
        &mut self.modules
    }

    fn unit(
        &mut self,
        _name: &str,
        source: &str,
        job: UnitJob,
        _out: &mut OutputSink<'_>,
    ) -> (Outcome, Timings, Option<ModuleInfo>) {
        let (env, errors) = unit_env(&self.env, &job, &import_spans(source));
        let unit_id = self.next_unit;
        self.next_unit += 1;
        let checked = bs_frontend::check_unit(
            source,
            env.as_ref().unwrap_or(&self.env),
            unit_id,
            &mut self.counters,
        );
        let checked = with_import_errors(checked, &errors);
        match checked {
            Ok(checked) => {
                let info = commit(&mut self.env, &checked, &job);
                (Outcome::Ok, Timings::default(), Some(info))
            }
            Err(d) => (Outcome::CompileError(d), Timings::default(), None),
        }
    }
}

/// Checks a program and the modules it imports, as [`crate::Session::eval_program`] would
/// before running each, but with no device: `Outcome::Ok` or the first unit's errors
/// (`Outcome::InModule` for a module's).
pub fn check_program(
    name: &str,
    source: &str,
    path: Option<&Path>,
    roots: &ModuleRoots,
) -> Outcome {
    let mut host = CheckOnly {
        env: Env::new(),
        counters: bs_frontend::Counters::default(),
        next_unit: 1,
        modules: ModuleTable::default(),
    };
    let mut out = |_: u8, _: &[u8]| {};
    load_program(&mut host, name, source, path, roots, &mut out).0
}

/// Checks (and runs) a program, the main module, from file `path` (`None` for standard input),
/// after the modules it imports.
pub(crate) fn load_program(
    host: &mut dyn UnitHost,
    name: &str,
    source: &str,
    path: Option<&Path>,
    roots: &ModuleRoots,
    out: &mut OutputSink<'_>,
) -> (Outcome, Timings, Option<ModuleInfo>) {
    let (dir, root, own) = program_dirs(path, roots);
    load(
        host,
        name,
        source,
        &dir,
        own,
        None,
        &root,
        roots,
        &mut Vec::new(),
        out,
    )
}

/// The folder of a program's file (the working folder for standard input), its canonical
/// source root, and its own canonical path (for cycle detection).
fn program_dirs(path: Option<&Path>, roots: &ModuleRoots) -> (PathBuf, PathBuf, Option<PathBuf>) {
    let dir = match path.and_then(Path::parent) {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let root = roots
        .src_dir
        .canonicalize()
        .unwrap_or_else(|_| roots.src_dir.clone());
    let own = path.and_then(|p| p.canonicalize().ok());
    (dir, root, own)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project folder with `src/main.bs` and a package `lib` (entry `src/index.bs`, and
    /// `src/sub/m.bs`).
    fn project(name: &str) -> (PathBuf, ModuleRoots) {
        let dir = std::env::temp_dir().join(format!("bs-modules-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (file, text) in [
            ("src/main.bs", ""),
            ("secret.bs", ""),
            ("packages/lib/src/index.bs", ""),
            ("packages/lib/src/sub/m.bs", ""),
            ("packages/lib/outside.bs", ""),
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let lib = dir.join("packages/lib");
        let mut roots = ModuleRoots::new(dir.join("src"));
        roots.packages.insert(
            "lib".to_string(),
            Package {
                src_dir: lib.join("src"),
                entry: lib.join("src/index.bs"),
            },
        );
        (dir, roots)
    }

    #[test]
    fn packages_resolve_to_their_entry_and_source_folder_and_no_further() {
        let (dir, roots) = project("resolve");
        let src = dir.join("src").canonicalize().unwrap();
        let at = |spec: &str| resolve(spec, Span::default(), &src, &src, &roots);
        let lib_src = dir.join("packages/lib/src").canonicalize().unwrap();
        let (_, entry, root) = at("lib").unwrap();
        assert_eq!(entry, lib_src.join("index.bs"));
        assert_eq!(root, lib_src);
        assert_eq!(at("lib/sub/m").unwrap().1, lib_src.join("sub/m.bs"));
        assert_eq!(at("lib/sub/m.bs").unwrap().1, lib_src.join("sub/m.bs"));
        // Out of the package's source folder, out of the program's, absolute, unknown.
        for (spec, message) in [
            ("lib/../outside", "Source file must be under the source dir"),
            (
                "lib/../../../secret",
                "Source file must be under the source dir",
            ),
            ("../secret", "Source file must be under the source dir"),
            ("/etc/passwd", "Cannot find a module"),
            ("nolib", "Cannot find a module"),
            ("lib/missing", "Cannot find a module"),
        ] {
            let err = at(spec).expect_err(spec);
            assert!(err.message.starts_with(message), "{spec}: {}", err.message);
        }
        assert!(at("nolib").unwrap_err().hint.is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_modules_classes_are_renamed_in_every_type_but_shown_by_their_names() {
        use bs_frontend::{FnSig, Symbol, Type};
        let declared = vec![
            (
                "Kind".to_string(),
                Global::Enum {
                    name: "Kind".to_string(),
                    members: vec![("A".to_string(), 1)],
                },
            ),
            (
                "make".to_string(),
                Global::Func {
                    sig: FnSig {
                        params: vec![Type::Array(Box::new(Type::Enum("Kind".into())))],
                        ret: Type::Nullable(Box::new(Type::Class("Other".into()))),
                    },
                    slot: Symbol::FnSlot {
                        name: "m4:make".into(),
                    },
                    body: Symbol::FnBody {
                        name: "make".into(),
                        unit: 9,
                    },
                },
            ),
        ];
        let r = Renamer::of("m4", &declared);
        let Global::Func { sig, slot, .. } = r.global(&declared[1].1) else {
            panic!()
        };
        // Its own enum is renamed, a class it does not declare is not; symbols stay.
        assert_eq!(
            sig.params[0],
            Type::Array(Box::new(Type::Enum("m4:Kind".into())))
        );
        assert_eq!(
            sig.ret,
            Type::Nullable(Box::new(Type::Class("Other".into())))
        );
        assert_eq!(
            slot,
            Symbol::FnSlot {
                name: "m4:make".into()
            }
        );
        assert_eq!(sig.params[0].to_string(), "Kind[]");
        assert_eq!(
            r.qualified("Kind", &declared[0].1).as_deref(),
            Some("m4:Kind")
        );
        assert_eq!(r.qualified("make", &declared[1].1), None);
    }
}
