//! End-to-end: `corridor run` writes a complete folder; bad input gives a located error, a
//! non-zero exit, no panic and no output folder (interrupted runs: tests/safety.rs).

mod common;
use common::{corridor_bin, root, temp_dir};
use std::process::Command;

fn corridor(args: &[&str]) -> std::process::Output {
    Command::new(corridor_bin()).args(args).current_dir(root()).output().unwrap()
}

#[test]
fn run_writes_every_output_file() {
    let dir = temp_dir("run");
    let out = dir.join("tiny");
    let o = corridor(&["run", "scenarios/tiny.toml", "--years", "3", "--seed", "5", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Talent") && stdout.contains("2022") && stdout.contains("2024"), "table: {stdout}");
    assert!(stdout.contains("people") && stdout.contains("%"), "units and percentages: {stdout}");
    assert!(stdout.contains("one random draw") && stdout.contains("--reps 10"), "one draw said plainly: {stdout}");
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let header = ts.lines().next().unwrap();
    for col in [
        "month",
        "talent",
        "talent_arrivals",
        "talent_departures",
        "employed",
        "vacancies",
        "firms",
        "firm_births",
        "firm_deaths",
        "patents",
        "rd_spend",
        "output",
        "rd_intensity",
        "mean_rent",
        "rent_to_income",
        "vacancy_rate",
        "talent_waitlist",
        "mean_commute_min",
        "jobs_housing_balance",
        "children_seated_home",
        "children_seated_elsewhere",
        "outside_commuters",
        "housing_shortage",
        "ownership_share",
        "commute_over_45_min",
        "public_cost",
        "talent_high",
        "firms_digital",
        "cost_rd_subsidy",
    ] {
        assert!(header.split(',').any(|c| c == col), "missing column {col}");
    }
    assert_eq!(ts.lines().count(), 1 + 36);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 5);
    assert!(summary["final_year"]["talent"].as_f64().unwrap() > 0.0);
    assert_eq!(summary["provenance"]["scenario_hash"].as_str().unwrap().len(), 16);
    assert!(summary["provenance"]["resolved_scenario"].as_str().unwrap().contains("years = 3"));
    for layer in ["district", "talent_density_2022", "firm_density_2024", "rent_2024", "spillover_2023", "patents_2024"]
    {
        let text = std::fs::read_to_string(out.join("layers").join(format!("{layer}.csv"))).unwrap();
        assert_eq!(text.lines().count(), 10, "{layer}");
        assert_eq!(text.lines().next().unwrap().split(',').count(), 24, "{layer}");
    }
    let world: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("world.json")).unwrap()).unwrap();
    assert_eq!(world["hubs"].as_array().unwrap().len(), 2);
    // No temporary files or folders are left behind.
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    assert_eq!(names, vec!["tiny".to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_with_replications_draws_medians_with_bands_and_keeps_the_median_run() {
    let dir = temp_dir("reps");
    let out = dir.join("tiny");
    let o = corridor(&[
        "run",
        "scenarios/tiny.toml",
        "--years",
        "2",
        "--seed",
        "5",
        "--reps",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Medians of 3 replications") && stdout.contains(" ["), "bands in the table: {stdout}");
    let summary: corridor::output::SummaryJson =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let reps = summary.replications.expect("summary.json names the replications");
    assert_eq!(reps.seeds.len(), 3);
    assert_eq!(reps.base_seed, 5);
    assert_eq!(summary.seed, reps.seeds[reps.median], "the folder holds the median run");
    for i in 0..3u32 {
        assert_eq!(reps.seeds[i as usize], corridor::experiment::seeds::replication_seed(5, i));
    }
    // Every KPI has a monthly median and band, the band around the median, within the bounds.
    let bands = std::fs::read_to_string(out.join("bands.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(bands.as_bytes());
    let mut n = 0;
    for r in rows.deserialize::<corridor::output::BandRow>() {
        let r = r.unwrap();
        n += 1;
        // A KPI with no value yet in any replication (start-up survival before the first cohort
        // is two years old) has no band: all three are empty together.
        if r.median.is_nan() {
            assert!(r.low.is_nan() && r.high.is_nan(), "{r:?}");
            continue;
        }
        assert!(r.low <= r.median + 1e-9 && r.median <= r.high + 1e-9, "{r:?}");
        if r.kpi == "children_overflow" || r.kpi == "rent_to_income" {
            assert!(r.low >= 0.0, "{r:?}");
        }
    }
    assert!(n > 24 * 30, "{n} band rows");
    // The charts draw bands and say what they are; the report says so too.
    let svg = std::fs::read_to_string(out.join("charts/ts_talent_by_tier.svg")).unwrap();
    assert!(svg.contains("medians of 3 replications") && svg.contains("90% band of replications"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Medians of 3 replications") && html.contains(&format!("seed {}", summary.seed)));
    // The median run's files are those of a plain run with its seed.
    let plain = dir.join("plain");
    let seed = summary.seed.to_string();
    let o = corridor(&[
        "run",
        "scenarios/tiny.toml",
        "--years",
        "2",
        "--seed",
        &seed,
        "--no-charts",
        "-q",
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    for f in ["timeseries.csv", "yearly.csv", "world.json"] {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), std::fs::read(plain.join(f)).unwrap(), "{f}");
    }
    // The same replicated run again replaces its own folder (bands.csv and replications.csv are
    // corridor's); the plain run of the median seed is a different run and needs --force.
    let again = |target: &std::path::Path, reps: &str| {
        let args = ["run", "scenarios/tiny.toml", "--years", "2", "--seed", "5", "--reps", reps, "--no-charts", "-q"];
        corridor(&[&args[..], &["--out", target.to_str().unwrap()]].concat())
    };
    let o = again(&out, "3");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!again(&plain, "3").status.success(), "a replicated run over a plain run's folder needs --force");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chart_in_chinese_writes_beside_the_english_charts() {
    let dir = temp_dir("zh");
    let out = dir.join("tiny");
    let o = corridor(&["run", "scenarios/tiny.toml", "--years", "1", "--out", out.to_str().unwrap()]);
    assert!(o.status.success());
    let english = std::fs::read(out.join("report.html")).unwrap();
    let o = corridor(&["chart", out.to_str().unwrap(), "--lang", "zh"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), english, "the English report is kept");
    let zh = std::fs::read_to_string(out.join("report.zh.html")).unwrap();
    // The Chinese title, with the command-line change that makes this run not the plain scenario.
    let title = "小型测试走廊 (--years 1)";
    assert!(zh.contains(&format!("<title>{title}</title>")) && zh.contains(&format!("<h1>{title}</h1>")), "zh title");
    assert!(out.join("charts/ts_rent.png").is_file() && out.join("charts-zh/ts_rent.png").is_file());
    let map = std::fs::read_to_string(out.join("charts-zh/map_rent_2022.svg")).unwrap();
    assert!(map.contains("公里") && !map.contains(" km<"), "the scale bar in Chinese");
    // The Chinese charts and report are corridor's own: the same run replaces the folder.
    let o =
        corridor(&["run", "scenarios/tiny.toml", "--years", "1", "--no-charts", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs a bad input and checks the error names what it must.
fn rejects(args: &[&str], must_contain: &[&str]) {
    let dir = temp_dir("bad");
    let out = dir.join("out");
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--out", out.to_str().unwrap()]);
    let o = corridor(&full);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{args:?} should fail");
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    for m in must_contain {
        assert!(err.contains(m), "{args:?}: error lacks `{m}`:\n{err}");
    }
    assert!(!out.exists(), "{args:?} wrote an output folder");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "{args:?} left files behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_toml() {
    rejects(&["run", "tests/data/malformed.toml"], &["tests/data/malformed.toml:2:6", "expected `]`"]);
}

#[test]
fn unknown_key() {
    rejects(
        &["run", "tests/data/unknown_key.toml"],
        &["unknown_key.toml:4:1", "`grid.hieght`", "expected one of", "`height`"],
    );
}

#[test]
fn wrong_type() {
    rejects(&["run", "tests/data/wrong_type.toml"], &["wrong_type.toml:3:11", "`talent.initial`", "expected f64"]);
}

#[test]
fn negative_count() {
    rejects(
        &["run", "tests/data/negative_count.toml"],
        &["negative_count.toml:4:1", "`firms.initial`", "allowed: 0 to"],
    );
}

#[test]
fn share_out_of_range() {
    rejects(
        &["run", "tests/data/share_out_of_range.toml"],
        &["share_out_of_range.toml:4:1", "`housing.natural_vacancy`", "0 to 1"],
    );
}

#[test]
fn hub_off_the_grid() {
    rejects(
        &["run", "tests/data/hub_off_grid.toml"],
        &["hub_off_grid.toml:5:1", "`hubs.east_centre.x`", "off the grid"],
    );
}

#[test]
fn lever_after_the_run_ends() {
    rejects(
        &["run", "tests/data/lever_after_end.toml"],
        &["lever_after_end.toml:5:1", "`rd.start_year`", "after the run ends in 2031"],
    );
    // The same lever is fine when the run is long enough...
    let o = corridor(&["check", "tests/data/lever_after_end.toml", "--set", "years=40"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // ...and --years can shorten a run so that a lever falls outside it.
    rejects(
        &["run", "scenarios/tiny.toml", "--years", "2", "--set", "rd.subsidy_rate=0.1", "--set", "rd.start_year=2025"],
        &["--set rd.start_year=2025", "after the run ends in 2023"],
    );
}

#[test]
fn missing_extends_file() {
    rejects(
        &["run", "tests/data/missing_extends.toml"],
        &["missing_extends.toml:1:1", "no-such-file.toml", "cannot be read"],
    );
}

#[test]
fn cycle_of_extends() {
    rejects(&["run", "tests/data/cycle_a.toml"], &["cycle_b.toml:1:1", "cycle", "cycle_a.toml -> "]);
}

#[test]
fn bad_set_paths_and_values() {
    rejects(
        &["run", "scenarios/tiny.toml", "--set", "rd.subsdy_rate=0.2"],
        &["--set rd.subsdy_rate=0.2", "unknown field `subsdy_rate`", "`subsidy_rate`"],
    );
    rejects(
        &["run", "scenarios/tiny.toml", "--set", "hubs.nowhere.x=3"],
        &["--set hubs.nowhere.x=3", "no element named `nowhere`", "science_town"],
    );
    rejects(&["run", "scenarios/tiny.toml", "--set", "rd.subsidy_rate"], &["--set rd.subsidy_rate", "PATH=VALUE"]);
    rejects(
        &["run", "scenarios/tiny.toml", "--set", "rd.subsidy_rate=1.5"],
        &["--set rd.subsidy_rate=1.5", "`rd.subsidy_rate`", "out of range"],
    );
    rejects(
        &["run", "scenarios/tiny.toml", "--set", "rd.subsidy_rate=high"],
        &["--set rd.subsidy_rate=high", "invalid type"],
    );
}

#[test]
fn missing_scenario_file() {
    rejects(&["run", "scenarios/nope.toml"], &["scenarios/nope.toml", "cannot read"]);
}

#[test]
fn check_validates_without_running() {
    let o = corridor(&["check", "scenarios/tiny.toml"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok: scenarios/tiny.toml"));
    let o = corridor(&["check", "scenarios/tiny.toml", "tests/data/unknown_key.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn scenario_docs_are_up_to_date() {
    let o = corridor(&["schema"]);
    let docs = std::fs::read_to_string(root().join("docs/SCENARIO.md")).unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout) == docs,
        "docs/SCENARIO.md is stale: run `cargo run -- schema > docs/SCENARIO.md`"
    );
}

#[test]
fn a_csv_layer_overrides_the_map_cell_by_cell() {
    let loaded = corridor::scenario::load(&root().join("tests/data/with_layer.toml"), &[]).unwrap();
    let world = corridor::world::World::build(&loaded.scenario);
    assert!((world.amenity[3] - 0.9).abs() < 1e-6 && (world.amenity[10] - 0.1).abs() < 1e-6);
    assert!((world.amenity[9 * 24 + 2] - 0.9).abs() < 1e-6);
    rejects(
        &["run", "tests/data/with_bad_layer.toml"],
        &["with_bad_layer.toml", "bad_layer.csv", "line 1", "expected grid.width = 24"],
    );
}

#[test]
fn every_shipped_scenario_and_what_if_is_valid() {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["scenarios", "scenarios/what-if"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 15, "scenarios and what-ifs: {}", files.len());
    for f in files {
        if let Err(e) = corridor::scenario::load(&f, &[]) {
            panic!("{e}");
        }
    }
}

#[test]
fn progress_lines_when_stderr_is_not_a_terminal() {
    // Under Slurm, nohup or CI, stderr is a file: a plain line every few seconds (here 0.1 s).
    let dir = temp_dir("progress");
    let cases: [(&[&str], &str); 3] = [
        (&["sweep", "scenarios/sweeps/tiny.toml", "--threads", "1", "--no-charts"], "sweep tiny: "),
        (
            &["compare", "scenarios/tiny.toml", "scenarios/tiny.toml", "--reps", "4", "--threads", "1", "--no-charts"],
            "compare tiny: ",
        ),
        (
            &["run", "scenarios/hangzhou-west.toml", "--years", "3", "--threads", "1", "--no-charts"],
            "run hangzhou-west: ",
        ),
    ];
    for (i, (args, what)) in cases.iter().enumerate() {
        let out = dir.join(i.to_string());
        let o = Command::new(corridor_bin())
            .args(*args)
            .args(["--out", out.to_str().unwrap()])
            .env("CORRIDOR_PROGRESS_SECONDS", "0.1")
            .current_dir(root())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with(what)).collect();
        assert!(!lines.is_empty(), "{args:?}: no progress line in:\n{err}");
        let unit = if args[0] == "run" { "months" } else { "runs" };
        for l in &lines {
            assert!(
                l.contains(&format!(" {unit} (")) && l.contains(&format!("{unit}/s")) && l.ends_with(" left"),
                "{l}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_name_that_would_give_a_kpi_column_twice_is_rejected() {
    rejects(
        &["run", "tests/data/kpi_name_clash.toml"],
        &["kpi_name_clash.toml:6:", "talent.tiers.arrivals.name", "talent_arrivals"],
    );
}

#[test]
fn microdata_panels_add_up_to_the_kpi_totals() {
    let dir = temp_dir("microdata");
    let out = dir.join("tiny");
    let args = [
        "run",
        "scenarios/tiny.toml",
        "--years",
        "4",
        "--seed",
        "3",
        "--quiet",
        "--no-charts",
        "--microdata",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = corridor(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (tiers, firms) = corridor::output::read_firm_panel(&std::fs::read(out.join("firms.csv")).unwrap()).unwrap();
    assert_eq!(tiers, ["high", "skilled"]);
    let mut yearly = csv::Reader::from_path(out.join("yearly.csv")).unwrap();
    let header = yearly.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    let close = |a: f64, b: f64, what: &str, year: i32| {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{year}: {what} of the panel {a} vs the KPI {b}");
    };
    let mut years = 0;
    for rec in yearly.records() {
        let rec = rec.unwrap();
        let kpi = |name: &str| rec[col(name)].parse::<f64>().unwrap();
        let year: i32 = rec[0].parse().unwrap();
        let rows: Vec<_> = firms.iter().filter(|r| r.year == year).collect();
        let alive = rows.iter().filter(|r| r.death_month.is_none());
        close(alive.map(|r| r.firms as f64).sum(), kpi("firms"), "firms", year);
        let workers: f64 = rows.iter().map(|r| r.workers.iter().sum::<f64>()).sum();
        close(workers, kpi("employed_digital") + kpi("employed_life_health"), "workers", year);
        close(rows.iter().map(|r| r.patents as f64).sum(), kpi("firm_patents"), "patents", year);
        close(rows.iter().map(|r| r.rd).sum(), kpi("firm_rd_spend"), "R&D", year);
        years += 1;
    }
    assert_eq!(years, 4);
    // The final population: one row per agent, standing for agent_scale households.
    let mut talent = csv::Reader::from_path(out.join("talent.csv")).unwrap();
    let rows: Vec<corridor::output::TalentRow> = talent.deserialize().map(|r| r.unwrap()).collect();
    let households: f64 = rows.iter().map(|r| r.households).sum();
    let ts = std::fs::read_to_string(out.join("yearly.csv")).unwrap();
    let last: Vec<&str> = ts.lines().last().unwrap().split(',').collect();
    close(households, last[col("talent")].parse().unwrap(), "talent", 2025);
    assert!(rows.iter().any(|r| r.employer_kind == "firm") && rows.iter().any(|r| r.employer_kind == "lab"));
    // The microdata files are corridor's own: the same run again replaces the folder.
    let panel = std::fs::read(out.join("firms.csv")).unwrap();
    let again = corridor(&args);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert_eq!(std::fs::read(out.join("firms.csv")).unwrap(), panel);
    let _ = std::fs::remove_dir_all(&dir);
}
