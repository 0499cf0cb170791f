//! The fuzzed loader: mutations of the committed corpus (tests/data/fuzz/: scenarios, sweeps,
//! CSV layers and `--set` arguments) are given to `corridor check --first-month`, which loads,
//! validates and, when a scenario is accepted, builds its corridor and simulates one month. Every
//! case must end with exit code 0 or 2 (never a panic's 101, never an abort or a signal) within a
//! time bound. And a property test: scenarios with 1-8 tiers and 1-130 districts run or are
//! refused, never panic.
//!
//! `CORRIDOR_FUZZ_SECONDS` sets how long the mutation loop runs (default 10; CI runs 60) and
//! `CORRIDOR_FUZZ_SEED` its seed (default 1). A failing case is written to
//! `target/fuzz-failures/` with the command that reproduces it.

mod common;
use common::{generated_scenario, root, run_with_deadline, temp_dir};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest a single case may take. Cases are held to a 2 GB memory estimate
/// (`CORRIDOR_MEMORY_LIMIT`), so an accepted case is at most a few seconds of work.
const CASE_SECONDS: u64 = 60;

/// SplitMix64: the test's own random numbers (the model's come from `corridor::rng`).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Values that sit on or past the edges of what the model's types and ranges hold.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "0.5",
    "-0.0",
    "1e-300",
    "3",
    "6",
    "7",
    "8",
    "127",
    "128",
    "255",
    "256",
    "1000",
    "65535",
    "65536",
    "1e6",
    "4e9",
    "4294967295",
    "4294967296",
    "2147483648",
    "9223372036854775807",
    "1e12",
    "1e15",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "1900",
    "2200",
    "2023",
    "2021",
    "0.01",
    "0.99",
    "1.0000001",
];

const STRINGS: &[&str] = &[
    "",
    "../../x",
    "/abs",
    "a/b",
    ".",
    "..",
    ".hidden",
    "west",
    "east",
    "high",
    "skilled",
    "digital",
    "life_health",
    "science_town",
    "east_centre",
    "line_1",
    "bio_lab",
    "town_university",
    "national_lab",
    "university",
    "amenity",
    "district",
    "manhattan",
    "grid",
    "lhs",
    "random",
    "oat",
    "morris",
    "名字",
    "x y",
    "a\\u0000b",
    "scenario-tiny.toml",
    "nope.toml",
    "layer-district.csv",
    "rd.subsidy_rate",
    "talent.tiers.high.inflow",
    "years",
];

/// Lines inserted at random: sections, array elements and keys that stretch the limits.
const SNIPPETS: &[&str] = &[
    "[[talent.tiers]]\nname = \"extra\"\nshare = 0.1\ninflow = 10.0",
    "[[districts]]\nname = \"extra\"\nx0 = 0\ny0 = 0\nx1 = 3\ny1 = 3",
    "[[sectors]]\nname = \"extra\"\ntalent_share = 0.1",
    "[[hubs]]\nname = \"extra\"\nx = 1.0\ny = 1.0",
    "[[labs.sites]]\nname = \"extra\"\nx = 2.0\ny = 2.0\nupgrade_year = 2023\nupgrade_kind = \"big_facility\"",
    "[[transit.new_lines]]\nname = \"extra\"\nopen_year = 2023\nstations = [[0.0, 0.0], [23.9, 9.9]]",
    "[[schools.new_seats]]\nname = \"extra\"\ndistrict = \"east\"\nprimary_per_year = 1e7",
    "[grid]\nlayers = [{ layer = \"office_capacity\", file = \"layer-amenity.csv\" }]",
    "years = 200",
    "years = 0",
    "agent_scale = 0.01",
    "extends = \"nope.toml\"",
    "extends = \"scenario-tiny.toml\"",
    "design = \"oat\"",
    "design = \"lhs\"",
    "samples = 4000000000",
    "replications = 0",
    "[[parameters]]\npath = \"firms.initial\"\nmin = 0.0\nmax = 1e9\nsteps = 3",
    "[[parameters]]\npath = \"nope.nothing\"\nvalues = [1.0]",
    "stations = [[1.0, 2.0, 3.0]]",
    "x0 = 4294967295",
];

/// One mutation of `text`.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut t = text.to_string();
    for _ in 0..1 + rng.below(3) {
        t = match rng.below(9) {
            0 | 1 => replace_token(rng, &t, true),
            2 => replace_token(rng, &t, false),
            3 => {
                let mut lines: Vec<&str> = t.lines().collect();
                if !lines.is_empty() {
                    lines.remove(rng.below(lines.len()));
                }
                lines.join("\n")
            }
            4 => {
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                let at = rng.below(lines.len() + 1);
                lines.insert(at, rng.pick(SNIPPETS).to_string());
                lines.join("\n")
            }
            5 => {
                let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
                if lines.len() > 1 {
                    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                    let l = lines[a].clone();
                    lines.insert(b, l);
                }
                lines.join("\n")
            }
            6 => {
                let cut = rng.below(t.len() + 1);
                let cut = (0..=cut).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
                t[..cut].to_string()
            }
            7 => {
                let mut bytes = t.into_bytes();
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    let alphabet = b"[]{}=,.\"'#\n 0123456789-+eE_abc";
                    bytes[i] = alphabet[rng.below(alphabet.len())];
                }
                String::from_utf8_lossy(&bytes).to_string()
            }
            _ => {
                // Repeat an array element (duplicate names, more tiers or districts).
                match t.find("[[") {
                    Some(start) => {
                        let rest = &t[start + 2..];
                        let end = rest.find("\n[").map(|e| start + 2 + e + 1).unwrap_or(t.len());
                        let block = t[start..end].to_string();
                        let n = 1 + rng.below(8);
                        format!("{t}\n{}", block.repeat(n))
                    }
                    None => t,
                }
            }
        };
    }
    t
}

/// Replaces one number (or string literal) of the text with an interesting one.
fn replace_token(rng: &mut Rng, t: &str, number: bool) -> String {
    let b = t.as_bytes();
    let spans: Vec<(usize, usize)> = if number {
        let mut v = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_') {
                let s = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
                let mut e = i;
                while e < b.len() && (b[e].is_ascii_digit() || b"._eE+-".contains(&b[e])) {
                    e += 1;
                }
                v.push((s, e));
                i = e;
            } else {
                i += 1;
            }
        }
        v
    } else {
        let quotes: Vec<usize> = b.iter().enumerate().filter(|(_, &c)| c == b'"').map(|(i, _)| i).collect();
        quotes.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0] + 1, c[1])).collect()
    };
    if spans.is_empty() {
        return t.to_string();
    }
    let (s, e) = *rng.pick(&spans);
    let new = if number { rng.pick(NUMBERS).to_string() } else { rng.pick(STRINGS).to_string() };
    format!("{}{}{}", &t[..s], new, &t[e..])
}

/// A `--set` of a schema key to an edge of its allowed range (accepted values that stretch the
/// model: where aborts and hangs hide).
fn edge_set(rng: &mut Rng) -> String {
    use corridor::scenario::schema::{Range, KEYS};
    let numeric: Vec<_> = KEYS.iter().filter(|k| k.range != Range::Text).collect();
    let key = rng.pick(&numeric);
    let index = ["0", "1", "high", "skilled", "west", "east", "science_town", "line_1", "bio_lab", "university"];
    let path: Vec<String> =
        key.path.split('.').map(|s| if s == "*" { rng.pick(&index).to_string() } else { s.to_string() }).collect();
    let path = path
        .join(".")
        .replace("labs.kinds.0.", "labs.kinds.university.")
        .replace("labs.kinds.1.", "labs.kinds.national_lab.");
    let (lo, hi) = match key.range {
        Range::Between(lo, hi) => (lo, hi),
        Range::Share => (0.0, 1.0),
        Range::NonNeg => (0.0, 1e6),
        Range::Positive => (1e-6, 1e6),
        _ => (-1e6, 1e6),
    };
    let v = match rng.below(5) {
        0 => lo,
        1 => hi,
        2 => lo + (hi - lo) * 0.001,
        3 => hi * 0.1,
        _ => lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0),
    };
    let integer = path.ends_with("width")
        || path.ends_with("height")
        || path.contains("year")
        || path.ends_with("months")
        || path.ends_with("candidates")
        || path.ends_with("winners")
        || path.ends_with("seed")
        || path.ends_with("x0")
        || path.ends_with("x1")
        || path.ends_with("y0")
        || path.ends_with("y1")
        || path == "years";
    if integer {
        format!("{path}={}", v.round() as i64)
    } else {
        format!("{path}={v:e}")
    }
}

/// A `--set` argument: a corpus line or a schema key, with a mutated path or value.
fn mutate_set(rng: &mut Rng, sets: &[String]) -> String {
    if rng.below(2) == 0 {
        return edge_set(rng);
    }
    let (path, value) = if rng.below(2) == 0 {
        let line = rng.pick(sets);
        let (p, v) = line.split_once('=').unwrap_or((line, ""));
        (p.to_string(), v.to_string())
    } else {
        let key = rng.pick(corridor::scenario::schema::KEYS);
        let index = ["0", "1", "2", "high", "west", "science_town", "line_1", "bio_lab", "9"];
        let p = key.path.split('.').map(|s| if s == "*" { rng.pick(&index).to_string() } else { s.to_string() });
        (p.collect::<Vec<_>>().join("."), "1".to_string())
    };
    let value = match rng.below(4) {
        0 => rng.pick(NUMBERS).to_string(),
        1 => rng.pick(STRINGS).to_string(),
        2 => format!("[{}, {}]", rng.pick(NUMBERS), rng.pick(NUMBERS)),
        _ => value,
    };
    let path = if rng.below(8) == 0 { replace_token(rng, &path, true) + ".x" } else { path };
    if rng.below(16) == 0 {
        path
    } else {
        format!("{path}={value}")
    }
}

struct Corpus {
    files: Vec<(String, String)>,
    sets: Vec<String>,
}

fn corpus() -> Corpus {
    let dir = root().join("tests/data/fuzz");
    let mut files = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.extension().is_some_and(|x| x == "toml" || x == "csv") {
            files.push((name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    files.sort();
    let sets = std::fs::read_to_string(dir.join("sets.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    Corpus { files, sets }
}

/// A copy of the corpus for one worker (mutated files refer to their neighbours by name).
fn workspace(c: &Corpus, name: &str) -> PathBuf {
    let d = temp_dir(name);
    for (n, text) in &c.files {
        std::fs::write(d.join(n), text).unwrap();
    }
    d
}

/// Runs one case (`Err` describes a failure: a panic, an abort or signal, or too long); `Ok(true)` if it was accepted (and its first month simulated).
fn run_case(dir: &Path, args: &[String]) -> Result<bool, String> {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let Some(o) = run_with_deadline(&a, dir, CASE_SECONDS) else {
        return Err(format!("took longer than {CASE_SECONDS} s"));
    };
    let err = String::from_utf8_lossy(&o.stderr);
    match o.status.code() {
        Some(0) => Ok(true),
        Some(2) if !err.contains("panicked") && err.starts_with("error: ") => Ok(false),
        code => Err(format!("exit {code:?} ({}): {err}", o.status)),
    }
}

/// Saves a failing case where it can be replayed; returns the message for the panic.
fn save_failure(dir: &Path, case: &str, args: &[String], why: &str) -> String {
    let keep = root().join("target/fuzz-failures").join(case);
    let _ = std::fs::create_dir_all(&keep);
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let _ = std::fs::copy(e.path(), keep.join(e.file_name()));
    }
    let cmd = format!("cd {} && corridor {}\n", keep.display(), args.join(" "));
    let _ = std::fs::write(keep.join("REPRODUCE"), &cmd);
    format!("{why}\nreproduce: {cmd}")
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn mutated_scenarios_sweeps_and_sets_never_panic_abort_or_hang() {
    let c = corpus();
    let seconds = env_u64("CORRIDOR_FUZZ_SECONDS", 10);
    let seed = env_u64("CORRIDOR_FUZZ_SEED", 1);
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let targets: Vec<String> = c.files.iter().filter(|(n, _)| n.ends_with(".toml")).map(|(n, _)| n.clone()).collect();
    // Per worker: cases, accepted, failures, and the slowest case (seconds, command).
    type Tally = (usize, usize, Vec<String>, (f64, String));
    let results: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (c, targets) = (&c, &targets);
                s.spawn(move || {
                    let dir = workspace(c, &format!("fuzz-{w}"));
                    let mut rng = Rng(seed.wrapping_mul(1_000_003).wrapping_add(w as u64));
                    let (mut cases, mut accepted, mut failures) = (0, 0, Vec::new());
                    let mut slowest = (0.0, String::new());
                    while Instant::now() < deadline && failures.is_empty() {
                        let target = rng.pick(targets).clone();
                        let original = &c.files.iter().find(|(n, _)| *n == target).unwrap().1;
                        let file = format!("case-{w}.toml");
                        // Half the cases keep the file and stretch it with --set (edges of the
                        // allowed ranges); half mutate the text.
                        let keep = rng.below(2) == 0;
                        let text = if keep { original.clone() } else { mutate(&mut rng, original) };
                        std::fs::write(dir.join(&file), text).unwrap();
                        // Sometimes a mutated layer file under a corpus name.
                        if rng.below(6) == 0 {
                            let layer = if rng.below(2) == 0 { "layer-amenity.csv" } else { "layer-district.csv" };
                            let csv = &c.files.iter().find(|(n, _)| n == layer).unwrap().1;
                            std::fs::write(dir.join(layer), mutate(&mut rng, csv)).unwrap();
                        }
                        let mut args = vec!["check".to_string(), "--first-month".into(), file];
                        if !target.starts_with("sweep") {
                            let n = if keep { 1 + rng.below(4) } else { rng.below(3) };
                            for _ in 0..n {
                                let set = if keep { edge_set(&mut rng) } else { mutate_set(&mut rng, &c.sets) };
                                args.extend(["--set".into(), set]);
                            }
                        }
                        let started = Instant::now();
                        let outcome = run_case(&dir, &args);
                        let took = started.elapsed().as_secs_f64();
                        if took > slowest.0 {
                            slowest = (took, format!("{target}: corridor {}", args.join(" ")));
                        }
                        match outcome {
                            Ok(ok) => accepted += ok as usize,
                            Err(why) => {
                                failures.push(save_failure(&dir, &format!("seed{seed}-w{w}-case{cases}"), &args, &why))
                            }
                        }
                        for (n, text) in c.files.iter().filter(|(n, _)| n.ends_with(".csv")) {
                            std::fs::write(dir.join(n), text).unwrap();
                        }
                        cases += 1;
                    }
                    let _ = std::fs::remove_dir_all(&dir);
                    (cases, accepted, failures, slowest)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let cases: usize = results.iter().map(|r| r.0).sum();
    let accepted: usize = results.iter().map(|r| r.1).sum();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.2).collect();
    eprintln!(
        "fuzz: {cases} cases ({accepted} accepted and simulated for a month) in {seconds} s on {workers} workers (seed {seed}), {} failures",
        failures.len()
    );
    if let Some((took, case)) = results.iter().map(|r| &r.3).max_by(|a, b| a.0.total_cmp(&b.0)) {
        eprintln!("fuzz: slowest case {took:.1} s of the {CASE_SECONDS} s allowed: {case}");
    }
    assert!(failures.is_empty(), "{}", failures.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n\n"));
    assert!(cases >= workers, "the fuzz loop ran no cases");
}

#[test]
fn scenarios_with_1_to_8_tiers_and_1_to_130_districts_run_or_are_refused() {
    let d = temp_dir("tiers-districts");
    let max_tiers = corridor::agents::MAX_TIERS;
    let max_districts = corridor::scenario::limits::DISTRICTS;
    let mut rng = Rng(7);
    let mut cases: Vec<(usize, usize)> = Vec::new();
    for t in [1, max_tiers, max_tiers + 1, 8] {
        for n in [1, max_districts, max_districts + 1, 130] {
            cases.push((t, n));
        }
    }
    cases.extend((0..16).map(|_| (1 + rng.below(8), 1 + rng.below(130))));
    for (tiers, districts) in cases {
        let f = d.join(format!("gen-{tiers}-{districts}.toml"));
        std::fs::write(&f, generated_scenario(tiers, districts)).unwrap();
        let out = d.join("out");
        let args = [
            "run",
            f.to_str().unwrap(),
            "--no-charts",
            "-q",
            "--threads",
            "2",
            "--force",
            "--out",
            out.to_str().unwrap(),
        ];
        let o = run_with_deadline(&args, &d, CASE_SECONDS)
            .unwrap_or_else(|| panic!("{tiers} tiers, {districts} districts: hung"));
        let err = String::from_utf8_lossy(&o.stderr);
        let fits = tiers <= max_tiers && districts <= max_districts;
        if fits {
            assert_eq!(o.status.code(), Some(0), "{tiers} tiers, {districts} districts: {err}");
        } else {
            assert_eq!(o.status.code(), Some(2), "{tiers} tiers, {districts} districts: {err}");
            let limit =
                if tiers > max_tiers { format!("at most {max_tiers}") } else { format!("at most {max_districts}") };
            assert!(err.contains(&limit) && err.contains(".toml:"), "{tiers} tiers, {districts} districts: {err}");
        }
    }
    let _ = std::fs::remove_dir_all(&d);
}
