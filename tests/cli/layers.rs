//! Layers point one way: no module of the library imports one that imports it back,
//! neither between the top-level modules nor inside `report/`. Read off the source's
//! `crate::…` and `super::…` paths, so a new circle fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A file's module path under `src/` (`report/sections/chart.rs` → report, sections, chart).
fn module_of(path: &Path, src: &Path) -> Vec<String> {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Every module path a file names (`crate::a::b`, `super::x`, `super::super::y`),
/// resolved from the file's own module, its tests left out.
fn references(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = Vec::new();
    let word = |s: &str| -> String { s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let tail = &rest[at + 7..];
        let first = word(tail);
        let second = tail.strip_prefix(&first).and_then(|t| t.strip_prefix("::")).map(word).unwrap_or_default();
        out.push([first, second].into_iter().filter(|w| !w.is_empty()).collect());
        rest = tail;
    }
    // `super::` climbs from the module a file defines (a `mod.rs` is its folder's).
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        let mut base: Vec<String> = module.to_vec();
        let mut tail = &rest[at..];
        while let Some(t) = tail.strip_prefix("super::") {
            base.pop();
            tail = t;
        }
        let name = word(tail);
        if !name.is_empty() {
            base.push(name);
            out.push(base);
        }
        rest = &rest[at + 7..];
    }
    out
}

/// The circles in a graph (its strongly connected parts of more than one node).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.keys().chain(edges.values().flatten()).collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for next in edges.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for n in &nodes {
        let mut circle: Vec<String> = nodes
            .iter()
            .filter(|m| reached[*n].contains(**m) && reached[*m].contains(*n))
            .map(|m| m.to_string())
            .collect();
        circle.sort();
        if circle.len() > 1 && !out.contains(&circle) {
            out.push(circle);
        }
    }
    out
}

/// The import graph at one level: the top-level modules (`within` empty), or the
/// modules directly inside `within`.
fn graph(within: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let src = crate::util::repo().join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let depth = within.len();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&file, &src);
        // The binary's files (main.rs, cli/) and the crate root are not layers.
        if module.first().is_none_or(|m| m == "main" || m == "lib" || m == "cli") {
            continue;
        }
        if module.len() <= depth || module[..depth] != within.iter().map(|w| w.to_string()).collect::<Vec<_>>()[..] {
            continue;
        }
        let from = module[depth].clone();
        let text = std::fs::read_to_string(&file).unwrap();
        for target in references(&text, &module) {
            if target.len() > depth && target[..depth] == module[..depth] && target[depth] != from {
                edges.entry(from.clone()).or_default().insert(target[depth].clone());
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let top = graph(&[]);
    assert!(top.contains_key("report") && top["report"].contains("aggregate"), "the graph was read: {top:?}");
    assert_eq!(circles(&top), Vec::<Vec<String>>::new(), "circles between top-level modules: {top:#?}");
    let report = graph(&["report"]);
    assert!(report.contains_key("sections"), "{report:?}");
    assert_eq!(circles(&report), Vec::<Vec<String>>::new(), "circles inside report/: {report:#?}");
    // The bottom layer imports nothing of the crate but itself.
    assert!(top.get("base").is_none_or(BTreeSet::is_empty), "base imports {:?}", top.get("base"));
}

/// The test finds a circle where there is one.
#[test]
fn a_circle_is_found() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in [("data", "indicator"), ("indicator", "value"), ("value", "data"), ("report", "data")] {
        edges.entry(a.to_string()).or_default().insert(b.to_string());
    }
    assert_eq!(circles(&edges), vec![vec!["data".to_string(), "indicator".to_string(), "value".to_string()]]);
    let module = vec!["report".to_string(), "sections".to_string(), "chart".to_string()];
    let refs = references("use super::super::need::Need;\nuse crate::aggregate::Dimension;", &module);
    assert!(refs.contains(&vec!["report".to_string(), "need".to_string()]), "{refs:?}");
    assert!(refs.contains(&vec!["aggregate".to_string(), "Dimension".to_string()]), "{refs:?}");
}
