//! `corridor compare --posterior` on the tiny corridor with a small posterior sample
//! (tests/data/posterior_tiny/posterior.csv): both intervals for every headline effect, the same
//! parameter draw for the base and the variant, and the same bytes for any thread count.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

use common::{read, root, temp_dir};
use corridor::output::{headline_names, PosteriorEffectRow};

const POSTERIOR: &str = "tests/data/posterior_tiny";

fn compare(out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["compare", "scenarios/tiny.toml", "tests/data/exp_tiny_subsidy.toml", "--reps", "6", "--years", "2"])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .current_dir(root())
        .output()
        .unwrap()
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    csv::Reader::from_path(path).unwrap().deserialize().collect::<Result<_, _>>().unwrap()
}

#[test]
fn posterior_draws_are_shared_reported_beside_the_seed_interval_and_thread_independent() {
    let dir = temp_dir("posterior");
    let (one, two) = (dir.join("one"), dir.join("two"));
    for (out, threads) in [(&one, "1"), (&two, "2")] {
        let o = compare(out, &["--posterior", POSTERIOR, "--threads", threads]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for f in ["compare.csv", "effects.csv", "effects_posterior.csv", "effects_posterior.md", "posterior_draws.csv"] {
        assert_eq!(read(&one.join(f)), read(&two.join(f)), "{f} differs between 1 and 2 threads");
    }
    // Both intervals for every headline effect, in the CSV and in the table.
    let effects: Vec<PosteriorEffectRow> = csv::Reader::from_path(one.join("effects_posterior.csv"))
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    let md = String::from_utf8(read(&one.join("effects_posterior.md"))).unwrap();
    let columns: Vec<String> = rows(&one.join("compare.csv")).iter().map(|r| r["kpi"].clone()).collect();
    let headline: Vec<&str> = headline_names().iter().copied().filter(|k| columns.iter().any(|c| c == k)).collect();
    assert!(headline.len() >= 5, "{headline:?}");
    for kpi in &headline {
        let e = effects.iter().find(|e| e.kpi == *kpi).unwrap_or_else(|| panic!("no posterior effect for {kpi}"));
        assert_eq!(e.variant, "tiny_subsidy");
        assert_eq!(e.draws, 6);
        for v in [e.seed_ci_low, e.seed_ci_high, e.combined_low, e.combined_high] {
            assert!(v.is_finite(), "{e:?}");
        }
        assert!(e.seed_ci_low <= e.seed_diff_mean && e.seed_diff_mean <= e.seed_ci_high, "{e:?}");
        assert!(e.combined_low <= e.diff_mean && e.diff_mean <= e.combined_high, "{e:?}");
        assert_eq!(e.robust, e.combined_low > 0.0 || e.combined_high < 0.0, "{e:?}");
        assert!(md.lines().any(|l| l.starts_with(&format!("| tiny_subsidy | {kpi} | "))), "{kpi} not in\n{md}");
    }
    // The seed-only effects of effects.csv are those at the posterior median.
    let seed_only = rows(&one.join("effects.csv"));
    let patents = seed_only.iter().find(|r| r["kpi"] == "patents").unwrap();
    let e = effects.iter().find(|e| e.kpi == "patents").unwrap();
    assert_eq!(patents["diff_mean"].parse::<f64>().unwrap(), e.seed_diff_mean);
    // Replication r of the base and of the variant ran with the same parameter set and seed, read
    // back from each run's scenario; the draws differ between replications.
    let draws = rows(&one.join("posterior_draws.csv"));
    assert_eq!(draws.len(), 12);
    let key = |r: &HashMap<String, String>| {
        ["seed", "generation", "particle", "housing.base_rent", "talent.tiers.skilled.inflow"].map(|c| r[c].clone())
    };
    for r in 0..6 {
        let of = |s: &str| draws.iter().find(|d| d["scenario"] == s && d["replication"] == r.to_string()).unwrap();
        assert_eq!(key(of("tiny")), key(of("tiny_subsidy")), "replication {r}");
    }
    let distinct: std::collections::BTreeSet<String> = draws.iter().map(|d| d["particle"].clone()).collect();
    assert!(distinct.len() >= 2, "every replication drew the same set: {distinct:?}");
    // The report shows the same effects: one row per headline KPI in its own section.
    let redraw = Command::new(env!("CARGO_BIN_EXE_corridor")).arg("chart").arg(&one).output().unwrap();
    assert!(redraw.status.success(), "{}", String::from_utf8_lossy(&redraw.stderr));
    let html = String::from_utf8(read(&one.join("report.html"))).unwrap();
    let section =
        html.split("<h2>Effects under parameter uncertainty</h2>").nth(1).expect("no posterior section in report.html");
    let section = section.split("<h2>").next().unwrap();
    assert_eq!(section.matches("<tr><td>").count(), headline.len(), "{section}");
    let robust = effects.iter().filter(|e| e.robust && headline.contains(&e.kpi.as_str())).count();
    assert_eq!(section.matches("<td>robust</td>").count(), robust, "{section}");
    // Without --posterior the same compare has no posterior files.
    let plain = dir.join("plain");
    assert!(compare(&plain, &[]).status.success());
    assert!(!plain.join("effects_posterior.csv").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_posteriors_are_refused_with_nothing_written() {
    let dir = temp_dir("posterior-bad");
    let out = dir.join("out");
    let o = compare(&out, &["--posterior", "tests/data"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("tests/data/posterior.csv"), "{o:?}");
    // A variant that sets a calibrated parameter itself would be overridden by the draws.
    let variant = dir.join("rent.toml");
    let base = root().join("scenarios/tiny.toml");
    std::fs::write(&variant, format!("extends = {:?}\nname = \"rent\"\n[housing]\nbase_rent = 9000.0\n", base))
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["compare", "scenarios/tiny.toml"])
        .arg(&variant)
        .args(["--reps", "2", "--years", "1", "--quiet", "--no-charts", "--posterior", POSTERIOR, "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("variant `rent` sets `housing.base_rent`"), "{err}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
