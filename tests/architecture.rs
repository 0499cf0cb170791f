//! Invariants of the layout that ARCHITECTURE.md states and a test can check.

mod common;

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn sources(under: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&common::root().join(under), &mut files);
    files.sort();
    files.into_iter().map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap())).collect()
}

#[test]
fn mechanisms_do_not_know_the_engine() {
    // A mechanism borrows what it touches: nothing under src/agents/ (nor the metrics, which
    // only observe) reaches for the whole simulation state.
    let mut found = Vec::new();
    for dir in ["src/agents", "src/policy", "src/world", "src/prices.rs", "src/research_market.rs"] {
        let path = common::root().join(dir);
        let files =
            if path.is_dir() { sources(dir) } else { vec![(dir.to_string(), std::fs::read_to_string(path).unwrap())] };
        for (name, text) in files {
            for (i, line) in text.lines().enumerate() {
                if line.contains("crate::engine") || line.contains("engine::Sim") {
                    found.push(format!("{name}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "mechanisms import the engine:\n{}", found.join("\n"));
}

#[test]
fn no_state_is_taken_out_of_its_owner_to_please_the_borrow_checker() {
    let mut found = Vec::new();
    for (name, text) in sources("src/agents").into_iter().chain(sources("src/metrics")) {
        for (i, line) in text.lines().enumerate() {
            if line.contains("mem::take") || line.contains("scenario.clone()") {
                found.push(format!("{name}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "state taken or cloned:\n{}", found.join("\n"));
}
