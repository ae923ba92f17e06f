//! The layers of docs/ARCHITECTURE.md, checked on the source: which
//! module may name which, and how long a file may grow. A change that
//! makes the terminal UI reach into the command line, the application
//! layer print through a front end, or the pure core open a file fails
//! here, naming the file and the line.

use std::path::{Path, PathBuf};

/// Where a source file sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    /// Pure: format, crypto, vault, audit, import, export and helpers.
    Core,
    /// `store` and `os`: files, the terminal, the clock, randomness.
    Io,
    /// `session`: what every front end does with a vault.
    Application,
    Cli,
    Tui,
    /// `main.rs` and `lib.rs`: the dispatch and the module map.
    Root,
}

fn layer_of(rel: &Path) -> Layer {
    let first = rel
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or_default();
    match first.trim_end_matches(".rs") {
        "store" | "os" => Layer::Io,
        "session" => Layer::Application,
        "cli" => Layer::Cli,
        "tui" => Layer::Tui,
        "main" | "lib" => Layer::Root,
        _ => Layer::Core,
    }
}

/// The module paths a layer may not name (as `crate::X`, `baton::X` or
/// `super::…::X` reaching it).
fn forbidden(layer: Layer) -> &'static [&'static str] {
    match layer {
        Layer::Core => &["session", "cli", "tui", "store", "os"],
        Layer::Io => &["session", "cli", "tui"],
        Layer::Application => &["cli", "tui"],
        Layer::Cli => &["tui"],
        Layer::Tui => &["cli"],
        Layer::Root => &[],
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Whether `rel` holds tests only (a `tests.rs`, or under a `tests/`
/// folder).
fn is_test_file(rel: &Path) -> bool {
    rel.file_name().is_some_and(|n| n == "tests.rs")
        || rel.components().any(|c| c.as_os_str() == "tests")
}

/// The names `line` reaches through `crate::`, `baton::` or a `super::`
/// chain that climbs to the crate root (`depth` levels below it).
fn named_modules(line: &str, depth: usize) -> Vec<String> {
    let mut names = Vec::new();
    let code = line.split("//").next().unwrap_or_default();
    for prefix in ["crate::", "baton::"] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    if depth > 0 {
        let climb = "super::".repeat(depth);
        let mut rest = code;
        while let Some(i) = rest.find(&climb) {
            rest = &rest[i + climb.len()..];
            if rest.starts_with("super::") {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

#[test]
fn each_layer_names_only_the_layers_below_it() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut wrong = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).expect("under src");
        let layer = layer_of(rel);
        // `src/a/b.rs` is module a::b: two `super::` from it reach the root.
        let depth = rel.components().count() - usize::from(rel.ends_with("mod.rs"));
        let text = std::fs::read_to_string(path).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            for name in named_modules(line, depth) {
                if forbidden(layer).contains(&name.as_str()) {
                    wrong.push(format!(
                        "{}:{}: {layer:?} names {name}: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_source_file_outgrows_its_limit() {
    let root = src();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut long = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&root).expect("under src");
        let lines = std::fs::read_to_string(path)
            .expect("a source file")
            .lines()
            .count();
        let limit = if is_test_file(rel) { 2000 } else { 1200 };
        if lines > limit {
            long.push(format!("{}: {lines} lines (limit {limit})", rel.display()));
        }
    }
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut test_files = Vec::new();
    sources(&tests, &mut test_files);
    for path in &test_files {
        let lines = std::fs::read_to_string(path)
            .expect("a test file")
            .lines()
            .count();
        if lines > 2000 {
            long.push(format!("{}: {lines} lines (limit 2000)", path.display()));
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
}

/// The checker itself: it sees each way of naming a module.
#[test]
fn the_checker_sees_crate_baton_and_super_paths() {
    assert_eq!(named_modules("use crate::cli::args;", 0), ["cli"]);
    assert_eq!(named_modules("let x = baton::tui::start(c);", 0), ["tui"]);
    assert_eq!(named_modules("use super::super::cli::X;", 2), ["cli"]);
    assert!(named_modules("use super::keys;", 2).is_empty());
    assert!(named_modules("// crate::tui is mentioned in a comment", 0).is_empty());
    assert!(named_modules("let mycrate::tui = 1;", 0).is_empty());
    assert_eq!(layer_of(Path::new("tui/screen/main.rs")), Layer::Tui);
    assert_eq!(layer_of(Path::new("store.rs")), Layer::Io);
    assert_eq!(layer_of(Path::new("vault/seal.rs")), Layer::Core);
    assert!(is_test_file(Path::new("tui/tests/form.rs")));
    assert!(!is_test_file(Path::new("tui/screen/form.rs")));
}
