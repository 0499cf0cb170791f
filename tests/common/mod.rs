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

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_path_buf(), read(&p)));
            }
        }
    }
    out.sort();
    out
}

pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A scenario with `tiers` talent tiers and `districts` district rectangles (one column of cells
/// each, on a grid wide enough), everything else small: for tests of the state's limits.
pub fn generated_scenario(tiers: usize, districts: usize) -> String {
    let width = districts.max(4);
    let mut t = format!(
        "name = \"gen-{tiers}-{districts}\"\nyears = 1\nagent_scale = 5.0\n[grid]\nwidth = {width}\nheight = 6\n\
         [[hubs]]\nname = \"centre\"\nx = {}.0\ny = 3.0\nradius_km = 1.0\n\
         [[sectors]]\nname = \"digital\"\ntalent_share = 1.0\nfirm_share = 1.0\n\
         [talent]\ninitial = 2000.0\n[firms]\ninitial = 20.0\n",
        width / 2
    );
    for i in 0..tiers {
        t.push_str(&format!(
            "[[talent.tiers]]\nname = \"tier{i}\"\nshare = 1.0\nwage = {}.0\ninflow = 10.0\n",
            10_000 + 1_000 * i
        ));
    }
    for i in 0..districts {
        t.push_str(&format!(
            "[[districts]]\nname = \"d{i}\"\nx0 = {i}\ny0 = 0\nx1 = {i}\ny1 = 5\nprimary_seats = 10.0\n"
        ));
    }
    t
}

/// Runs the binary with a deadline and a 2 GB memory limit; `None` if it had to be killed.
pub fn run_with_deadline(args: &[&str], cwd: &Path, secs: u64) -> Option<std::process::Output> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(corridor_bin())
        .args(args)
        .current_dir(cwd)
        .env("CORRIDOR_MEMORY_LIMIT", "2G")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            b
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if start.elapsed() > std::time::Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let (stdout, stderr) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    status.map(|status| std::process::Output { status, stdout, stderr })
}
