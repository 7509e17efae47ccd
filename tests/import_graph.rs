//! The crate's import graph: no circle between its top-level modules, and the internals import
//! each item from the module that defines it (`crate::tensor::Tensor`), not through the
//! re-exports of `lib.rs` (`crate::Tensor`), so that the imports say who uses what.
//!
//! The test reads the sources: every `crate::<module>` path outside comments, in `use` lines
//! and inline alike, is an edge from the file's top-level module to `<module>`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/nn/init/mod.rs` -> `nn`; `src/lib.rs` -> None (the root, which only re-exports).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// The lines of code, without line comments and doc comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|l| {
        let t = l.trim_start();
        if t.starts_with("//") {
            return None;
        }
        // A trailing comment; `//` inside a string literal is rare enough in src/ to ignore.
        Some(t.split(" //").next().unwrap_or(t))
    })
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every `crate::<name>` in `line` that is not a macro call (`crate::name!`), with what follows
/// it (`::`, `;`, `}`...). `crate::{A, B}` gives each of A and B.
fn crate_paths(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| is_ident(c) || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|&c| is_ident(c)).collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
            continue;
        }
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if !name.is_empty() && !rest[name.len()..].starts_with('!') {
            out.push(name);
        }
    }
    out
}

/// The names `lib.rs` re-exports with `pub use`.
fn root_reexports(lib: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in code_lines(lib).filter(|l| l.starts_with("pub use ")) {
        let body = line.trim_start_matches("pub use ").trim_end_matches(';');
        let items = match body.find('{') {
            Some(open) => body[open + 1..].trim_end_matches('}').to_string(),
            None => body.rsplit("::").next().unwrap().to_string(),
        };
        for item in items.split(',') {
            let item = item.trim();
            let name = item.rsplit(" as ").next().unwrap().trim();
            if !name.is_empty() {
                names.insert(name.to_string());
            }
        }
    }
    names
}

struct Graph {
    modules: BTreeSet<String>,
    edges: BTreeMap<String, BTreeSet<String>>,
    /// (file, name) for every `crate::Name` that goes through a `lib.rs` re-export.
    through_root: Vec<(String, String)>,
}

fn read_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_module(&src, f)).collect();
    let reexports = root_reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut through_root = Vec::new();
    for file in &files {
        let Some(from) = top_module(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for line in code_lines(&text) {
            for name in crate_paths(line) {
                if modules.contains(&name) {
                    if name != from {
                        edges.entry(from.clone()).or_default().insert(name);
                    }
                } else if reexports.contains(&name) {
                    let rel = file.strip_prefix(&src).unwrap().display().to_string();
                    through_root.push((rel, name));
                }
            }
        }
    }
    Graph {
        modules,
        edges,
        through_root,
    }
}

/// A circle of modules, if there is one (depth-first search).
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        m: &str,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for next in g.edges.get(m).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|s| s == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(g, next, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in &g.modules {
        if state.get(m.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(g, m, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_modules_import_each_other_without_a_circle() {
    let g = read_graph();
    // The test sees the modules it is about.
    for m in ["autograd", "param", "tensor", "nn", "state", "global"] {
        assert!(g.modules.contains(m), "no module {m} in src/");
    }
    assert!(g.edges["param"].contains("autograd"), "{:?}", g.edges);
    assert!(g.edges["tensor"].contains("autograd"), "{:?}", g.edges);
    if let Some(cycle) = find_cycle(&g) {
        panic!("import circle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_internals_import_by_path() {
    let g = read_graph();
    assert!(
        g.through_root.is_empty(),
        "imported through lib.rs's re-exports instead of the defining module: {:?}",
        g.through_root
    );
}

#[test]
fn the_checks_see_a_circle_and_a_root_import() {
    // The parser on made-up lines, so that a pass above is not a parser that sees nothing.
    assert_eq!(
        crate_paths("use crate::{Result, Tensor, bail}; crate::error::bail!(x); $crate::y"),
        ["Result", "Tensor", "bail", "error"]
    );
    assert_eq!(crate_paths("crate::ids::sync(); crate::bail!(x)"), ["ids"]);
    let mut g = Graph {
        modules: ["a", "b", "c"].map(String::from).into(),
        edges: BTreeMap::new(),
        through_root: Vec::new(),
    };
    g.edges.insert("a".into(), ["b".to_string()].into());
    g.edges.insert("b".into(), ["c".to_string()].into());
    assert_eq!(find_cycle(&g), None);
    g.edges.insert("c".into(), ["a".to_string()].into());
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    let names = root_reexports("pub use error::{Error, Result};\npub use param::Parameter;");
    assert_eq!(
        names,
        ["Error", "Parameter", "Result"].map(String::from).into()
    );
}
