//! `corridor sweep` and `corridor merge` as separate processes on the tiny sweep
//! (scenarios/sweeps/tiny.toml: 16 runs of 5 years).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TINY: &str = "scenarios/sweeps/tiny.toml";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corridor"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("corridor-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn sweep(file: &str, out: &Path, extra: &[&str]) {
    let o = bin().args(["sweep", file, "--quiet", "--out"]).arg(out).args(extra).output().unwrap();
    assert!(o.status.success(), "sweep {extra:?} failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The reference result of the tiny sweep, computed once per test binary.
fn reference() -> &'static Path {
    static REF: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    REF.get_or_init(|| {
        let out = tmp("reference");
        sweep(TINY, &out, &["--threads", "1"]);
        out
    })
}

#[test]
fn runs_do_not_depend_on_thread_count() {
    let out = tmp("threads2");
    sweep(TINY, &out, &["--threads", "2"]);
    let want = read(reference().join("runs.csv"));
    assert_eq!(want.lines().count(), 17);
    assert_eq!(read(out.join("runs.csv")), want);
    assert_eq!(read(out.join("points.csv")), read(reference().join("points.csv")));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn merged_shards_equal_a_single_run() {
    let base = tmp("shards");
    let dirs: Vec<PathBuf> = (0..3).map(|i| base.join(format!("s{i}"))).collect();
    let children: Vec<_> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            bin()
                .args(["sweep", TINY, "--quiet", "--threads", "1", "--shard", &format!("{i}/3"), "--out"])
                .arg(d)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let merged = base.join("merged");
    let st = bin().args(["merge", "--quiet", "--out"]).arg(&merged).args(&dirs).status().unwrap();
    assert!(st.success());
    for f in ["runs.csv", "points.csv", "sweep.json"] {
        assert_eq!(read(merged.join(f)), read(reference().join(f)), "{f}");
    }
    // A missing shard is an error, not a smaller result.
    let st = bin()
        .args(["merge", "--quiet", "--out"])
        .arg(base.join("bad"))
        .args(&dirs[..2])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!st.success());
    assert!(!base.join("bad").exists());
    // A shard folder that is not there is named as missing, before anything is read.
    let o = bin().args(["merge", "--quiet", "--out"]).arg(base.join("bad")).arg(base.join("s9")).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("s9: does not exist"), "{err}");
    assert!(!base.join("bad").exists());
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn resume_after_a_torn_partial_file_gives_the_same_rows() {
    let out = tmp("torn");
    std::fs::create_dir_all(&out).unwrap();
    let full = read(reference().join("runs.csv"));
    let lines: Vec<&str> = full.lines().collect();
    // The header, rows finished out of order, and half of a row cut by the interruption.
    let partial =
        format!("{}\n{}\n{}\n{}\n{}", lines[0], lines[5], lines[2], lines[9], &lines[12][..lines[12].len() / 2]);
    std::fs::write(out.join("runs.csv"), partial).unwrap();
    // Without --resume an unfinished folder is refused.
    let o = bin().args(["sweep", TINY, "--quiet", "--out"]).arg(&out).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
    sweep(TINY, &out, &["--resume", "--threads", "2"]);
    assert_eq!(read(out.join("runs.csv")), full);
    assert_eq!(read(out.join("points.csv")), read(reference().join("points.csv")));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn resume_after_kill_gives_the_same_rows() {
    let out = tmp("killed");
    let mut child = bin().args(["sweep", TINY, "--quiet", "--threads", "1", "--out"]).arg(&out).spawn().unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        let rows = std::fs::read_to_string(out.join("runs.csv")).map(|t| t.lines().count()).unwrap_or(0);
        if rows >= 4 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    sweep(TINY, &out, &["--resume"]);
    assert_eq!(read(out.join("runs.csv")), read(reference().join("runs.csv")));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn bad_sweep_file_is_located_and_leaves_no_folder() {
    let out = tmp("bad");
    let o = bin().args(["sweep", "tests/data/exp_bad_sweep.toml", "--out"]).arg(&out).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("exp_bad_sweep.toml:7:1: field `parameters.0.valuez`"), "{err}");
    assert!(!out.exists());
    let o = bin().args(["sweep", "tests/data/exp_bad_path_sweep.toml", "--out"]).arg(&out).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("exp_bad_path_sweep.toml:7:1: field `parameters.0.path`") && err.contains("rd.subsidy_rat"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn one_at_a_time_writes_a_tornado() {
    let out = tmp("oat");
    sweep("tests/data/exp_oat_sweep.toml", &out, &[]);
    let t = read(out.join("tornado.csv"));
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "parameter,kpi,low,high,kpi_low,kpi_high,kpi_base");
    assert_eq!(lines.len(), 1 + 2 * 2);
    assert!(lines[1].starts_with("rd.subsidy_rate,patents,0,0.4,"));
    assert_eq!(read(out.join("runs.csv")).lines().count(), 1 + 5 * 2);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_sobol_sweep_gives_identical_output_for_1_and_2_threads() {
    let file = "scenarios/sweeps/tiny-sobol.toml";
    let (one, two) = (tmp("sobol1"), tmp("sobol2"));
    sweep(file, &one, &["--threads", "1"]);
    sweep(file, &two, &["--threads", "2", "--no-charts"]);
    for f in ["runs.csv", "points.csv", "sobol.csv", "sweep.json"] {
        assert_eq!(read(one.join(f)), read(two.join(f)), "{f}");
    }
    assert_eq!(read(one.join("runs.csv")).lines().count(), 1 + 8 * 4 * 2);
    let rows: Vec<corridor::output::SobolRow> =
        csv::Reader::from_path(one.join("sobol.csv")).unwrap().deserialize().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 2 * 2);
    for r in &rows {
        assert_eq!(r.samples, 8, "{r:?}");
        assert!(r.total.is_finite() && r.total_low <= r.total_high, "{r:?}");
    }
    // The rent level drives the mean rent far more than the inflow of skilled talent does.
    let total = |p: &str| rows.iter().find(|r| r.kpi == "mean_rent" && r.parameter == p).unwrap().total;
    assert!(total("housing.base_rent") > total("talent.tiers.skilled.inflow"), "{rows:?}");
    assert!(one.join("charts/sobol_mean_rent.png").is_file());
    std::fs::remove_dir_all(&one).unwrap();
    std::fs::remove_dir_all(&two).unwrap();
}

#[test]
fn a_shard_s_charts_state_its_replication_count() {
    // Shard 0 of 2 holds the even run ids: replications 0 and 2 of each of the 4 points.
    let out = tmp("shard-charts");
    sweep(TINY, &out, &["--shard", "0/2"]);
    let o = bin().arg("chart").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = read(out.join("charts/heatmap_talent.svg"));
    assert!(svg.contains("over 2 replications per point"), "the data hold 2 replications per point");
    assert!(!svg.contains("4 replications"), "not the sweep file's 4");
    let html = read(out.join("report.html"));
    assert!(html.contains("R&amp;D subsidy rate") && html.contains("The numbers"), "labels and a numbers table");
    std::fs::remove_dir_all(&out).unwrap();
}
