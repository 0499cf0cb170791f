//! `corridor compare` as a separate process on the tiny corridor.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corridor"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("corridor-compare-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The rows of a CSV file as column name -> field.
fn csv_maps(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.deserialize().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// effects.csv as (variant, kpi) -> columns by name.
fn effects(dir: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("effects.csv")).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "variant,kpi,base_mean,variant_mean,diff_mean,diff_ci_low,diff_ci_high,rel_change,basis,run_base_mean,run_diff_mean,run_diff_ci_low,run_diff_ci_high,run_diff_pv,public_cost_diff,public_cost_diff_pv,cost_per_unit,cost_per_unit_pv,cost_note"
    );
    csv_maps(&dir.join("effects.csv"))
}

#[test]
fn identical_variant_has_zero_effect_and_zero_width_interval() {
    let out = tmp("same");
    let st = bin()
        .args([
            "compare",
            "scenarios/tiny.toml",
            "scenarios/tiny.toml",
            "--reps",
            "3",
            "--years",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let rows = effects(&out);
    assert!(rows.len() > 20);
    for r in &rows {
        if r["base_mean"].is_empty() {
            // A KPI without a value in these years (start-up survival before a cohort is two years
            // old): no effect either.
            assert_eq!((r["diff_mean"].as_str(), r["variant_mean"].as_str()), ("", ""), "{r:?}");
            continue;
        }
        assert_eq!(r["diff_mean"], "0", "{r:?}");
        assert_eq!(r["diff_ci_low"], "0", "{r:?}");
        assert_eq!(r["diff_ci_high"], "0", "{r:?}");
        assert_eq!(r["cost_per_unit"], "", "{r:?}");
        assert_ne!(r["cost_note"], "", "{r:?}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(json["reps"], 3);
    assert_eq!(json["variants"].as_array().unwrap().len(), 1);
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(csv.starts_with("scenario,replication,year,kpi,value\n"));
    let md = std::fs::read_to_string(out.join("effects.md")).unwrap();
    assert!(md.contains("| Patents granted |") && md.contains("not significant"), "{md}");
    // costs.csv is corridor's own: the same compare replaces its folder without --force.
    assert!(out.join("costs.csv").is_file());
    let st = bin()
        .args(["compare", "scenarios/tiny.toml", "scenarios/tiny.toml", "--reps", "3", "--years", "2", "--quiet"])
        .args(["--no-charts", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success(), "the same compare again");
    std::fs::remove_dir_all(&out).unwrap();
}

/// Student's t 0.975 quantile for 3 degrees of freedom (4 replications).
const T3: f64 = 3.1824;

#[test]
fn cost_per_unit_is_the_run_s_extra_cost_over_the_run_s_effect_computed_by_hand() {
    let out = tmp("subsidy");
    let st = bin()
        .args([
            "compare",
            "scenarios/tiny.toml",
            "tests/data/exp_tiny_subsidy.toml",
            "--reps",
            "4",
            "--years",
            "4",
            "--threads",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    // By hand from compare.csv: per replication, patents and public cost summed over the 4 years,
    // and their present values at 8 % a year (the default `output.discount_rate`).
    let rows = csv_maps(&out.join("compare.csv"));
    let total = |scenario: &str, kpi: &str, rep: u32, rate: f64| -> f64 {
        rows.iter()
            .filter(|r| r["scenario"] == scenario && r["kpi"] == kpi && r["replication"] == rep.to_string())
            .map(|r| r["value"].parse::<f64>().unwrap() / (1.0 + rate).powi(r["year"].parse::<i32>().unwrap() - 2022))
            .sum()
    };
    let diffs = |kpi: &str, rate: f64| -> Vec<f64> {
        (0..4).map(|i| total("tiny_subsidy", kpi, i, rate) - total("tiny", kpi, i, rate)).collect()
    };
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let d = diffs("patents", 0.0);
    let m = mean(&d);
    let sd = (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 3.0).sqrt();
    let (lo, hi) = (m - T3 * sd / 2.0, m + T3 * sd / 2.0);
    let cost = mean(&diffs("public_cost", 0.0));
    let (cost_pv, effect_pv) = (mean(&diffs("public_cost", 0.08)), mean(&diffs("patents", 0.08)));
    assert!(cost > 0.0, "the subsidy costs money");

    let effects = effects(&out);
    let e = effects.iter().find(|r| r["kpi"] == "patents").unwrap();
    let num = |k: &str| e[k].parse::<f64>().unwrap_or(f64::NAN);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    assert_eq!(e["basis"], "sum", "patents are a flow: summed over the run");
    assert!(close(num("run_diff_mean"), m), "{} vs {m}", e["run_diff_mean"]);
    assert!(close(num("run_diff_ci_low"), lo) && close(num("run_diff_ci_high"), hi));
    assert!(close(num("public_cost_diff"), cost) && close(num("public_cost_diff_pv"), cost_pv));
    assert!(close(num("run_diff_pv"), effect_pv));
    if lo > 0.0 {
        assert_eq!(e["cost_note"], "");
        assert!(close(num("cost_per_unit"), cost / m), "yuan per extra patent over the run");
        assert!(close(num("cost_per_unit_pv"), cost_pv / effect_pv));
    } else {
        assert_eq!(e["cost_note"], if hi < 0.0 { "opposite_sign" } else { "not_significant" });
        assert_eq!(e["cost_per_unit"], "");
    }
    // The final-year difference is reported apart and is not what the cost is divided by.
    assert!(e["diff_mean"] != e["run_diff_mean"]);
    // A cost has no price; per-lever costs add up to the total.
    let cost_row = effects.iter().find(|r| r["kpi"] == "public_cost").unwrap();
    assert_eq!(cost_row["cost_note"], "is_cost");
    let costs = csv_maps(&out.join("costs.csv"));
    let by = |lever: &str| costs.iter().find(|r| r["lever"] == lever).map(|r| r["diff_mean"].parse::<f64>().unwrap());
    let levers: f64 =
        costs.iter().filter(|r| r["lever"] != "total").map(|r| r["diff_mean"].parse::<f64>().unwrap()).sum();
    assert!(close(by("total").unwrap(), cost) && close(levers, cost));
    assert!(by("rd_subsidy").unwrap() > 0.0);
    let md = std::fs::read_to_string(out.join("effects.md")).unwrap();
    assert!(md.contains("sum over 2022–2025") && md.contains("present value at 8 %"), "{md}");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_label_with_a_comma_and_quotes_stays_one_field() {
    let out = tmp("comma");
    let dir = tmp("comma-scenarios");
    std::fs::create_dir_all(&dir).unwrap();
    let label = "tiny, \"bold\" subsidy";
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny.toml");
    let variant = dir.join("variant.toml");
    let text = format!("extends = {:?}\nname = {:?}\n[rd]\nsubsidy_rate = 0.3\n", tiny.display().to_string(), label);
    std::fs::write(&variant, text).unwrap();
    let o = bin()
        .args(["compare", "scenarios/tiny.toml"])
        .arg(&variant)
        .args(["--reps", "2", "--years", "2", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = csv_maps(&out.join("compare.csv"));
    assert!(rows.iter().any(|r| r["scenario"] == label), "the label is one field of compare.csv");
    assert!(rows.iter().all(|r| r["scenario"] == label || r["scenario"] == "tiny"));
    assert!(effects(&out).iter().all(|r| r["variant"] == label));
    assert!(out.join("charts/headline_effects.png").is_file(), "the charts read the quoted label back");
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_variant_fails_without_a_folder() {
    let out = tmp("bad");
    let o = bin()
        .args(["compare", "scenarios/tiny.toml", "tests/data/unknown_key.toml", "--reps", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_key.toml:"));
    assert!(!out.exists());
}
