//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn tiny(sets: &[&str]) -> corridor::scenario::Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    corridor::scenario::load(&root().join("scenarios/tiny.toml"), &sets).unwrap_or_else(|e| panic!("{e}")).scenario
}

pub const SEEDS: [u64; 5] = [11, 22, 33, 44, 55];

/// A fresh empty temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("corridor-test-{}-{}-{}", name, std::process::id(), n));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[cfg(feature = "cli")]
pub fn corridor_bin() -> &'static str {
    env!("CARGO_BIN_EXE_corridor")
}

pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
