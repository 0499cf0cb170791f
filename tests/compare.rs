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
        "variant,kpi,base_mean,variant_mean,diff_mean,diff_ci_low,diff_ci_high,rel_change,public_cost_diff,cost_per_unit"
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
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(json["reps"], 3);
    assert_eq!(json["variants"].as_array().unwrap().len(), 1);
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(csv.starts_with("scenario,replication,year,kpi,value\n"));
    assert!(std::fs::read_to_string(out.join("effects.md")).unwrap().contains("| patents |"));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn subsidy_variant_has_a_cost_per_patent() {
    let out = tmp("subsidy");
    let st = bin()
        .args([
            "compare",
            "scenarios/tiny.toml",
            "tests/data/exp_tiny_subsidy.toml",
            "--reps",
            "3",
            "--years",
            "3",
            "--threads",
            "2",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let rows = effects(&out);
    let cost = rows.iter().find(|r| r["kpi"] == "public_cost").unwrap();
    assert!(cost["diff_mean"].parse::<f64>().unwrap() > 0.0);
    let patents = rows.iter().find(|r| r["kpi"] == "patents").unwrap();
    assert_eq!(patents["variant"], "tiny_subsidy");
    let d: f64 = patents["diff_mean"].parse().unwrap();
    let (lo, hi): (f64, f64) = (patents["diff_ci_low"].parse().unwrap(), patents["diff_ci_high"].parse().unwrap());
    assert!(lo <= d && d <= hi);
    if d != 0.0 {
        let per: f64 = patents["cost_per_unit"].parse().unwrap();
        let total: f64 = patents["public_cost_diff"].parse().unwrap();
        assert!((per * d - total).abs() <= 1e-3 * total.abs().max(1.0));
    }
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
    assert!(out.join("charts/effects_1.png").is_file(), "the charts read the quoted label back");
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
