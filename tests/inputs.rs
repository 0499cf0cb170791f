//! Inputs the validator used to accept: values the state cannot hold, values that hang or
//! abort, values that are accepted but wrong, and errors reported at the wrong place. Each gives a
//! located error with exit code 2, quickly, and never a panic or an abort.

mod common;
use common::{generated_scenario, root, run_with_deadline, temp_dir};
use std::path::{Path, PathBuf};

fn tiny_text() -> String {
    std::fs::read_to_string(root().join("scenarios/tiny.toml")).unwrap()
}

/// Writes `text` as `dir/name` and returns the path as a string.
fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// The tiny scenario with `from` replaced by `to` (which must occur), written to a file.
fn tiny_with(dir: &Path, name: &str, from: &str, to: &str) -> String {
    let t = tiny_text();
    assert!(t.contains(from), "tiny.toml lacks {from:?}");
    write(dir, name, &t.replacen(from, to, 1))
}

/// `corridor ARGS` must refuse with exit code 2 within 30 s, naming every string.
fn refuses(args: &[&str], must_contain: &[&str]) -> String {
    let o = run_with_deadline(args, &root(), 30).unwrap_or_else(|| panic!("{args:?} did not finish in 30 s"));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{args:?} (exit {:?}): {err}", o.status.code());
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    for m in must_contain {
        assert!(err.contains(m), "{args:?}: error lacks `{m}`:\n{err}");
    }
    err
}

fn accepts(args: &[&str]) -> String {
    let o = run_with_deadline(args, &root(), 60).unwrap_or_else(|| panic!("{args:?} did not finish in 60 s"));
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn more_tiers_districts_or_sectors_than_the_state_holds_are_refused() {
    let d = temp_dir("limits");
    let max = corridor::agents::MAX_TIERS;
    let ok = write(&d, "ok.toml", &generated_scenario(max, 127));
    accepts(&["check", "--first-month", &ok]);
    let seven = write(&d, "seven.toml", &generated_scenario(max + 1, 3));
    let must = ["seven.toml:", "`talent.tiers`", "7 talent tiers", "at most 6"];
    refuses(&["check", &seven], &must);
    refuses(&["run", &seven, "--out", d.join("o").to_str().unwrap()], &must);
    let many = write(&d, "many.toml", &generated_scenario(2, 128));
    refuses(&["run", &many, "--out", d.join("o").to_str().unwrap()], &["many.toml:", "128 districts", "at most 127"]);
    let mut sectors = tiny_text();
    for i in 0..254 {
        sectors.push_str(&format!("[[sectors]]\nname = \"s{i}\"\n"));
    }
    let sectors = write(&d, "sectors.toml", &sectors);
    refuses(&["check", &sectors], &["sectors.toml:", "256 sectors", "at most 255"]);
    assert!(!d.join("o").exists());
}

#[test]
fn values_that_hang_or_abort_are_refused_quickly() {
    let tiny = root().join("scenarios/tiny.toml");
    let tiny = tiny.to_str().unwrap();
    for (sets, field) in [
        (&["talent.initial=1e12", "agent_scale=0.01"][..], "`talent.initial`"),
        (&["firms.initial=1e10"][..], "`firms.initial`"),
        (&["talent.tiers.high.inflow=1e12"][..], "`talent.tiers.high.inflow`"),
        (&["firms.relocation_rate=1e308"][..], "`firms.relocation_rate`"),
        (&["labs.sites.town_university.budget_per_year=1e300"][..], "budget_per_year"),
    ] {
        let mut args = vec!["run", tiny, "--no-charts", "-q", "--out", "/nonexistent/never"];
        for s in sets {
            args.extend(["--set", s]);
        }
        refuses(&args, &[&format!("--set {}", sets[0]), field]);
    }
}

#[test]
fn a_run_that_would_not_fit_in_memory_names_the_estimate_and_the_limit() {
    let tiny = root().join("scenarios/tiny.toml");
    let args = ["check", tiny.to_str().unwrap(), "--set", "talent.initial=1e9", "--set", "agent_scale=0.25"];
    let must = ["--set talent.initial=1e9", "the run is too large", "of memory", "4.00e9 talent agents", "more than"];
    // Against the machine's memory (or this job's cgroup limit)...
    let o = std::process::Command::new(common::corridor_bin())
        .args(args)
        .env_remove("CORRIDOR_MEMORY_LIMIT")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(must.iter().all(|m| err.contains(m)), "{err}");
    assert!(err.contains("this machine's") || err.contains("memory limit of this job"), "{err}");
    // ...or a stated limit: 2 GB refuses what fits in the machine.
    refuses(&args, &must);
    refuses(
        &["check", tiny.to_str().unwrap(), "--set", "talent.initial=1e8"],
        &["--set talent.initial=1e8", "about 3.9 GB", "more than CORRIDOR_MEMORY_LIMIT (2.0 GB)"],
    );
    // In a sweep, at the parameter that makes a point too large.
    let d = temp_dir("mem-sweep");
    let sweep = format!(
        "base = {:?}\ndesign = \"grid\"\nset = [\"agent_scale=0.25\"]\n[[parameters]]\npath = \"talent.initial\"\nvalues = [1e4, 1e9]\n",
        tiny.display().to_string()
    );
    let f = write(&d, "big.toml", &sweep);
    refuses(
        &["sweep", &f, "--threads", "1", "--out", d.join("o").to_str().unwrap()],
        &["big.toml:5:1: field `parameters.0.path`", "the run is too large"],
    );
    assert!(!d.join("o").exists());
}

#[test]
fn sweeps_too_large_to_run_are_located() {
    let d = temp_dir("sweep-size");
    let base = root().join("scenarios/tiny.toml").display().to_string();
    let head = format!("base = {base:?}\n");
    let param = "[[parameters]]\npath = \"rd.subsidy_rate\"\nmin = 0.0\nmax = 0.5\n";
    for (name, body, field) in [
        ("steps", format!("design = \"grid\"\n{param}steps = 4000000000\n"), "parameters.0.steps"),
        ("reps", format!("design = \"grid\"\nreplications = 4000000000\n{param}steps = 2\n"), "replications"),
        ("samples", format!("design = \"lhs\"\nsamples = 4000000000\n{param}"), "samples"),
        (
            "grid3",
            format!(
                "design = \"grid\"\n{param}steps = 2000\n[[parameters]]\npath = \"rd.cap\"\nmin = 0.0\nmax = 1.0\nsteps = 2000\n\
                 [[parameters]]\npath = \"firms.min_size\"\nmin = 1.0\nmax = 9.0\nsteps = 2000\n"
            ),
            "parameters.",
        ),
    ] {
        let f = write(&d, &format!("{name}.toml"), &format!("{head}{body}"));
        for cmd in ["sweep", "check"] {
            refuses(&[cmd, &f], &[&format!("{name}.toml:"), field, "at most"]);
        }
    }
    // `years = 0` is reported at `years`, not at `base`.
    let f = write(&d, "years.toml", &format!("{head}design = \"grid\"\nyears = 0\n{param}steps = 2\n"));
    refuses(&["check", &f], &["years.toml:3:1: field `years`"]);
    let f = write(&d, "years500.toml", &format!("{head}design = \"grid\"\nyears = 500\n{param}steps = 2\n"));
    refuses(&["check", &f], &["years500.toml:3:1: field `years`", "1 to 200"]);
}

#[test]
fn thread_counts_must_be_between_one_and_the_stated_maximum() {
    let tiny = root().join("scenarios/tiny.toml");
    let tiny = tiny.to_str().unwrap();
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    for n in ["0", "100000", "1000"] {
        refuses(
            &["run", tiny, "--threads", n, "--out", "/nonexistent/x"],
            &[&format!("--threads {n}"), "between 1 and"],
        );
        refuses(&["sweep", sweep.to_str().unwrap(), "--threads", n, "--out", "/nonexistent/x"], &["between 1 and"]);
        refuses(&["compare", tiny, tiny, "--threads", n, "--out", "/nonexistent/x"], &["between 1 and"]);
        refuses(&["bench", "--scenario", tiny, "--agents", "1000", "--threads", n], &[&format!("--threads {n}")]);
    }
    // bench checks its other values before it measures anything.
    refuses(&["bench", "--scenario", tiny, "--agents", "1000,0"], &["--agents 0", "at least one"]);
    refuses(&["bench", "--scenario", tiny, "--agents", "1000", "--years", "0"], &["--years 0: field `years`"]);
}

#[test]
fn non_finite_and_out_of_range_values_are_refused_where_they_are() {
    let d = temp_dir("nan");
    let f = tiny_with(&d, "station.toml", "[[2.0, 5.0], [6.0, 5.0]", "[[nan, 5.0], [6.0, 5.0]");
    refuses(&["check", &f], &["station.toml:93:", "transit.lines.line_1.stations.0.0", "not a finite number"]);
    let f = tiny_with(&d, "inf.toml", "cell_km = 0.5", "cell_km = inf");
    refuses(&["check", &f], &["inf.toml:15:1", "`grid.cell_km`", "out of range"]);
    let f = tiny_with(&d, "nanrent.toml", "base_rent = 4500.0", "base_rent = nan");
    refuses(&["check", &f], &["nanrent.toml:", "`housing.base_rent`"]);
}

/// A scenario extending tiny with one layer file of `cells` (10 rows of 24 values).
fn with_layer(d: &Path, kind: &str, bad: &str) -> String {
    let mut rows = vec![vec!["0".to_string(); 24]; 10];
    rows[2][3] = bad.to_string();
    let csv: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    std::fs::write(d.join(format!("{kind}.csv")), csv).unwrap();
    let tiny = root().join("scenarios/tiny.toml");
    write(
        d,
        &format!("layer-{kind}.toml"),
        &format!(
            "extends = {:?}\n[grid]\nlayers = [{{ layer = \"{kind}\", file = \"{kind}.csv\" }}]\n",
            tiny.display().to_string()
        ),
    )
}

#[test]
fn layer_cells_must_be_finite_and_in_range() {
    let d = temp_dir("layers");
    for (kind, bad, allowed) in [
        ("amenity", "NaN", "0 to 1"),
        ("amenity", "inf", "0 to 1"),
        ("amenity", "1.5", "0 to 1"),
        ("housing_capacity", "-3", "0 to"),
        ("office_capacity", "inf", "0 to"),
        ("initial_housing", "-1", "0 to"),
        ("district", "2", "-1 (no district) or a district index 0 to 1"),
        ("district", "0.5", "district index"),
        ("district", "-2", "district index"),
    ] {
        let f = with_layer(&d, kind, bad);
        refuses(
            &["run", &f, "--out", d.join("o").to_str().unwrap()],
            &[&format!("{kind}.csv"), "line 3, column 4", allowed],
        );
    }
    assert!(!d.join("o").exists());
    // In range, a district layer is fine.
    let f = with_layer(&d, "district", "1");
    accepts(&["check", &f]);
}

#[test]
fn duplicate_names_overlaps_and_year_orderings_are_refused() {
    let d = temp_dir("semantics");
    let t = tiny_text();
    let lab = "[[labs.sites]]\nname = \"bio_lab\"\nkind = \"university\"\nx = 3.0\ny = 3.0\n";
    let f = write(&d, "labs.toml", &format!("{t}{lab}"));
    refuses(&["check", &f], &["labs.toml:", "`labs.sites`", "named `bio_lab`"]);
    let line = "[[transit.new_lines]]\nname = \"line_1\"\nopen_year = 2025\nstations = [[1.0, 1.0], [3.0, 3.0]]\n";
    let f = write(&d, "lines.toml", &format!("{t}{line}"));
    refuses(&["check", &f], &["lines.toml:", "named `line_1`"]);
    let seats = "[[schools.new_seats]]\nname = \"p\"\ndistrict = \"west\"\nstart_year = 2023\nend_year = 2024\nprimary_per_year = 10.0\n";
    let f = write(&d, "seats.toml", &format!("{t}{seats}{seats}"));
    refuses(&["check", &f], &["seats.toml:", "`schools.new_seats`", "named `p`"]);
    let zone = "[[grid.outside_zones]]\nname = \"east_city\"\nx = 40.0\ny = 5.0\n";
    let f = write(&d, "zones.toml", &format!("{t}{zone}"));
    refuses(&["check", &f], &["zones.toml:23:1", "grid.outside_zones.east_city.name"]);
    let zone = "[[grid.outside_zones]]\nname = \"far\"\nx = 40.0\ny = 5.0\nlines = [\"line_9\"]\n";
    let f = write(&d, "zone_line.toml", &format!("{t}{zone}"));
    refuses(&["check", &f], &["zone_line.toml:", "grid.outside_zones", "unknown transit line `line_9`"]);
    let f = tiny_with(&d, "overlap.toml", "x0 = 12", "x0 = 10");
    refuses(&["check", &f], &["overlap.toml:56:1", "`districts.east.x0`", "overlaps district `west`"]);
    let f = tiny_with(
        &d,
        "upgrade.toml",
        "open_year = 2010\n",
        "open_year = 2010\nupgrade_year = 2005\nupgrade_kind = \"national_lab\"\n",
    );
    refuses(&["check", &f], &["upgrade.toml:", "`labs.sites.bio_lab.upgrade_year`", "before it opens in 2010"]);
}

#[test]
fn compare_refuses_scenarios_that_do_not_pair() {
    let d = temp_dir("pairs");
    let tiny = root().join("scenarios/tiny.toml").display().to_string();
    let short = write(&d, "short.toml", &format!("extends = {tiny:?}\nyears = 5\n"));
    let late = write(&d, "late.toml", &format!("extends = {tiny:?}\nstart_year = 2026\n"));
    let hz = root().join("scenarios/hangzhou-west.toml").display().to_string();
    let out = d.join("o").display().to_string();
    refuses(
        &["compare", &tiny, &short, "--reps", "1", "--out", &out],
        &["short.toml", "5 years", "tiny.toml", "10 years", "lengths differ"],
    );
    refuses(
        &["compare", &tiny, &late, "--reps", "1", "--out", &out],
        &["late.toml", "from 2026", "from 2022", "start years differ"],
    );
    refuses(
        &["compare", &tiny, &hz, "--reps", "1", "--years", "1", "--out", &out],
        &["hangzhou-west.toml", "80x24", "24x10", "grids differ"],
    );
    assert!(!d.join("o").exists());
}

#[test]
fn errors_are_located_at_their_own_field_and_file() {
    let d = temp_dir("located");
    // A station with three coordinates, no --set given: located in the file.
    let f = tiny_with(&d, "three.toml", "[[2.0, 5.0], [6.0", "[[2.0, 5.0, 1.0], [6.0");
    let err = refuses(&["check", &f], &["three.toml:93:", "stations"]);
    assert!(!err.contains("--set"), "{err}");
    // With an unrelated --set, still the file.
    let err = refuses(&["check", &f, "--set", "rd.subsidy_rate=0.2"], &["three.toml:93:"]);
    assert!(!err.contains("--set"), "{err}");
    // A sweep file given to `run` says what it is.
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    refuses(&["run", sweep.to_str().unwrap()], &["sweeps/tiny.toml:", "this is a sweep file", "corridor sweep"]);
    // `check` takes sweep files and scenarios and says which each is.
    let out = accepts(&["check", sweep.to_str().unwrap(), root().join("scenarios/tiny.toml").to_str().unwrap()]);
    assert!(out.contains("(sweep tiny: grid design, 4 points x 4 replications = 16 runs"), "{out}");
    assert!(out.contains("(scenario tiny, 10 years from 2022)"), "{out}");
    let bad = root().join("tests/data/exp_bad_path_sweep.toml");
    refuses(&["check", bad.to_str().unwrap()], &["exp_bad_path_sweep.toml:7:1: field `parameters.0.path`"]);
}

#[test]
fn a_file_given_to_the_wrong_command_is_named_with_the_command_that_takes_it() {
    let path = |rel: &str| root().join(rel).to_str().unwrap().to_string();
    let (scenario, sweep, targets) = (
        path("scenarios/tiny.toml"),
        path("scenarios/sweeps/tiny.toml"),
        path("scenarios/calibration/tiny-targets.toml"),
    );
    for (command, file, it_is, right) in [
        ("sweep", &scenario, "this is a scenario, not a sweep file", "corridor run"),
        ("calibrate", &scenario, "this is a scenario, not a targets file", "corridor run"),
        ("calibrate", &sweep, "this is a sweep file, not a targets file", "corridor sweep"),
        ("sweep", &targets, "this is a targets file, not a sweep file", "corridor calibrate"),
    ] {
        let err = refuses(&[command, file], &[it_is, &format!("{right} {file}")]);
        assert!(err.contains(&format!("{file}:")), "located in the file: {err}");
    }
}

#[test]
fn a_faulty_set_is_blamed_on_itself_not_on_the_file() {
    let tiny = root().join("scenarios/tiny.toml");
    let tiny = tiny.to_str().unwrap();
    // Replacing a named element with a value of the wrong type: the element has no name left to
    // find it by, and the error was once located at the element's line in the file.
    let err = refuses(&["check", tiny, "--set", "hubs.science_town=3"], &["--set hubs.science_town=3", "HubSpec"]);
    assert!(!err.contains("tiny.toml:"), "{err}");
    // Brackets, a natural guess, would make a new top-level key: refused with the dotted form.
    let err = refuses(
        &["check", tiny, "--set", "sectors[0].firm_share=0.5"],
        &["--set sectors[0].firm_share=0.5", "not brackets", "`sectors.0.firm_share`"],
    );
    assert!(!err.contains("tiny.toml:"), "{err}");
    // `--years N` is checked as the key `years`, but the error names the flag the user typed.
    let out = std::env::temp_dir().join("corridor-inputs-years-flag");
    let out = out.to_str().unwrap();
    for (command, years) in [(vec!["run", tiny], "0"), (vec!["compare", tiny, tiny], "900")] {
        let args: Vec<&str> = command.into_iter().chain(["--years", years, "--out", out]).collect();
        let err = refuses(&args, &[&format!("--years {years}: field `years`"), "allowed: 1 to 200"]);
        assert!(!err.contains("--set"), "{err}");
    }
    assert!(!std::path::Path::new(out).exists());
}

#[test]
fn the_empty_file_rule_and_the_docs_agree() {
    let d = temp_dir("empty");
    let f = write(&d, "empty.toml", "");
    refuses(&["check", &f], &["empty.toml", "`sectors`", "at least one [[sectors]]"]);
    let docs = std::fs::read_to_string(root().join("docs/SCENARIO.md")).unwrap();
    assert!(docs.contains("except that a scenario needs at least one `[[sectors]]` and one `[[talent.tiers]]`"));
    assert!(docs.contains("an empty file is not a scenario"));
    // Those two are all it needs.
    let min = write(&d, "minimal.toml", "[[sectors]]\nname = \"a\"\n[[talent.tiers]]\nname = \"t\"\n");
    let out = accepts(&["check", "--first-month", &min]);
    assert!(out.contains("scenario minimal"), "{out}");
}

#[test]
fn every_shipped_file_passes_check_with_its_first_month() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["scenarios", "scenarios/what-if", "scenarios/sweeps"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    let mut args = vec!["check".to_string(), "--first-month".into()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = accepts(&args);
    assert_eq!(out.lines().filter(|l| l.starts_with("ok: ")).count(), files.len(), "{out}");
}
