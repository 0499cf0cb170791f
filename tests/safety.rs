//! Output folders never lose data: corridor replaces only its own finished folders of the same
//! kind (a different run only with --force), names folders so that runs, compares and what-ifs do
//! not overwrite each other, and leaves the earlier folder intact when it is killed while writing.

mod common;
use common::{corridor_bin, read, root, snapshot, temp_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn corridor_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(corridor_bin()).args(args).current_dir(cwd).output().unwrap()
}

fn tiny() -> String {
    root().join("scenarios/tiny.toml").display().to_string()
}

fn refused(o: &Output, must_contain: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "expected a refusal (exit 2): {err}");
    assert!(!err.contains("panicked"), "{err}");
    for m in must_contain {
        assert!(err.contains(m), "error lacks `{m}`:\n{err}");
    }
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    v.sort();
    v
}

#[test]
fn an_existing_folder_that_is_not_corridor_output_is_left_alone() {
    let d = temp_dir("foreign");
    let data = d.join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("thesis.tex"), "years of work").unwrap();
    std::fs::write(data.join("sub/results.csv"), "1,2,3\n").unwrap();
    let before = snapshot(&data);
    let o = corridor_in(&d, &["run", &tiny(), "--years", "1", "--no-charts", "-q", "--out", "data"]);
    refused(&o, &["data", "not a corridor output folder", "thesis.tex"]);
    assert_eq!(snapshot(&data), before);
    assert_eq!(names(&d), ["data"], "nothing written beside it");
    // The same for a compare and a sweep.
    let o = corridor_in(&d, &["compare", &tiny(), &tiny(), "--reps", "1", "--years", "1", "-q", "--out", "data"]);
    refused(&o, &["not a corridor output folder"]);
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    let o = corridor_in(&d, &["sweep", sweep.to_str().unwrap(), "-q", "--out", "data"]);
    refused(&o, &["not a corridor output folder"]);
    assert_eq!(snapshot(&data), before);
    assert_eq!(names(&d), ["data"]);
}

#[test]
fn an_existing_file_as_out_is_an_error_that_changes_nothing() {
    let d = temp_dir("file");
    std::fs::write(d.join("notes"), "mine").unwrap();
    for cmd in [
        vec!["run", &tiny(), "--years", "1", "--no-charts", "-q", "--out", "notes"],
        vec!["compare", &tiny(), &tiny(), "--reps", "1", "--years", "1", "-q", "--out", "notes"],
    ] {
        let cmd: Vec<&str> = cmd.iter().map(|s| &**s).collect();
        refused(&corridor_in(&d, &cmd), &["notes", "is a file"]);
        assert_eq!(std::fs::read_to_string(d.join("notes")).unwrap(), "mine");
        assert_eq!(names(&d), ["notes"], "no hidden copy or temporary folder: {:?}", names(&d));
    }
}

#[test]
fn names_that_would_leave_output_are_located_errors() {
    let d = temp_dir("names");
    std::fs::create_dir_all(d.join("output/earlier")).unwrap();
    std::fs::write(d.join("output/earlier/summary.txt"), "an earlier result").unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/tiny.toml")).unwrap();
    for name in ["", "../../x", "/tmp/abs", ".hidden", "a/b"] {
        let file = d.join("bad-name.toml");
        std::fs::write(&file, text.replace("name = \"tiny\"", &format!("name = {name:?}"))).unwrap();
        let o = corridor_in(&d, &["run", file.to_str().unwrap(), "--years", "1", "--no-charts", "-q"]);
        refused(&o, &["bad-name.toml:4:1", "field `name`", "not empty"]);
        assert_eq!(names(&d), ["bad-name.toml", "output"], "name {name:?}");
        assert_eq!(names(&d.join("output")), ["earlier"], "name {name:?}");
        assert_eq!(std::fs::read_to_string(d.join("output/earlier/summary.txt")).unwrap(), "an earlier result");
    }
    // A name given by --set is checked the same way.
    let o = corridor_in(&d, &["run", &tiny(), "--set", "name=..", "--no-charts", "-q"]);
    refused(&o, &["--set name=..", "field `name`"]);
    assert!(!Path::new("/tmp/abs").join("summary.json").exists());
}

#[test]
fn a_changed_run_gets_its_own_folder_and_says_so() {
    let d = temp_dir("changed");
    ok(&corridor_in(&d, &["run", &tiny(), "--years", "2", "--no-charts", "-q"]));
    // `--years 2` differs from the scenario's 10 years: its own folder, not output/tiny.
    let first = names(&d.join("output"));
    assert_eq!(first.len(), 1);
    assert!(first[0].starts_with("tiny+") && first[0].len() == "tiny+".len() + 8, "{first:?}");
    let baseline_dir = d.join("output").join(&first[0]);
    let baseline = snapshot(&baseline_dir);
    ok(&corridor_in(&d, &["run", &tiny(), "--years", "2", "--set", "rd.subsidy_rate=0.3", "-q"]));
    let both = names(&d.join("output"));
    assert_eq!(both.len(), 2, "{both:?}");
    assert_eq!(snapshot(&baseline_dir), baseline, "the first run is untouched");
    let variant = d.join("output").join(both.iter().find(|n| **n != first[0]).unwrap());
    let summary: serde_json::Value = serde_json::from_slice(&read(&variant.join("summary.json"))).unwrap();
    assert_eq!(summary["overrides"], serde_json::json!(["--set rd.subsidy_rate=0.3", "--years 2"]));
    let report = std::fs::read_to_string(variant.join("report.html")).unwrap();
    let h1 = report.split("<h1>").nth(1).unwrap().split("</h1>").next().unwrap();
    assert!(h1.contains("--set rd.subsidy_rate=0.3") && h1.contains("--years 2"), "title: {h1}");
    // The same run again finds the same folder; a plain run goes to output/tiny.
    ok(&corridor_in(&d, &["run", &tiny(), "--years", "2", "--set", "rd.subsidy_rate=0.3", "--no-charts", "-q"]));
    assert_eq!(names(&d.join("output")).len(), 2);
    ok(&corridor_in(&d, &["run", &tiny(), "--years", "10", "--seed", "7", "--no-charts", "-q"]));
    assert!(names(&d.join("output")).contains(&"tiny".to_string()), "{:?}", names(&d.join("output")));
    let plain: serde_json::Value = serde_json::from_slice(&read(&d.join("output/tiny/summary.json"))).unwrap();
    assert_eq!(
        plain["overrides"],
        serde_json::json!(["--years 10"]),
        "the arguments are listed even when they change nothing"
    );
}

#[test]
fn replacing_a_finished_run_of_another_scenario_needs_force() {
    let d = temp_dir("force");
    ok(&corridor_in(&d, &["run", &tiny(), "--years", "1", "--no-charts", "-q", "--out", "r"]));
    let before = snapshot(&d.join("r"));
    let o = corridor_in(&d, &["run", &tiny(), "--years", "1", "--seed", "3", "--no-charts", "-q", "--out", "r"]);
    refused(&o, &["r: holds a finished run of another scenario or seed", "seed 7", "--force"]);
    assert_eq!(snapshot(&d.join("r")), before);
    ok(&corridor_in(
        &d,
        &["run", &tiny(), "--years", "1", "--seed", "3", "--no-charts", "-q", "--out", "r", "--force"],
    ));
    let summary: serde_json::Value = serde_json::from_slice(&read(&d.join("r/summary.json"))).unwrap();
    assert_eq!(summary["seed"], 3);
    // A folder of another kind is never replaced, with or without --force.
    let o =
        corridor_in(&d, &["compare", &tiny(), &tiny(), "--reps", "1", "--years", "1", "-q", "--out", "r", "--force"]);
    refused(&o, &["holds a finished corridor run folder, not a compare folder"]);
    assert_eq!(names(&d), ["r"]);
}

#[test]
fn compares_are_named_after_base_and_variants_and_do_not_replace_each_other() {
    let d = temp_dir("compares");
    let subsidy = root().join("tests/data/exp_tiny_subsidy.toml");
    let args = |variant: &str, reps: &str| {
        corridor_in(&d, &["compare", &tiny(), variant, "--reps", reps, "--years", "2", "--no-charts", "-q"])
    };
    ok(&args(subsidy.to_str().unwrap(), "2"));
    ok(&args(&tiny(), "2"));
    let made = names(&d.join("output"));
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(made.iter().any(|n| n.starts_with("compare-tiny-vs-tiny_subsidy+")), "{made:?}");
    assert!(made.iter().any(|n| n.starts_with("compare-tiny-vs-tiny-2+")), "{made:?}");
    // The same comparison with other settings would replace a finished one: only with --force.
    let dir = d.join("output").join(made.iter().find(|n| n.contains("subsidy")).unwrap());
    let before = snapshot(&dir);
    refused(&args(subsidy.to_str().unwrap(), "3"), &["holds a finished compare of another", "--force"]);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_what_if_without_a_name_does_not_write_over_its_base() {
    let d = temp_dir("whatif");
    std::fs::write(d.join("more-rd.toml"), format!("extends = {:?}\n[rd]\nsubsidy_rate = 0.2\n", tiny())).unwrap();
    ok(&corridor_in(&d, &["run", &tiny(), "--no-charts", "-q"]));
    let base = snapshot(&d.join("output/tiny"));
    ok(&corridor_in(&d, &["run", "more-rd.toml", "--no-charts", "-q"]));
    assert_eq!(names(&d.join("output")), ["more-rd", "tiny"]);
    assert_eq!(snapshot(&d.join("output/tiny")), base);
    let o = corridor_in(&d, &["check", "more-rd.toml"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("scenario more-rd"));
}

#[test]
fn merge_into_one_of_its_inputs_changes_nothing() {
    let d = temp_dir("merge");
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("s{i}");
        ok(&corridor_in(
            &d,
            &["sweep", sweep.to_str().unwrap(), "-q", "--threads", "1", "--shard", &shard, "--out", &out],
        ));
    }
    let before = snapshot(&d);
    for out in ["s0", "./s1", "s0/../s1/", "s0/merged"] {
        let o = corridor_in(&d, &["merge", "s0", "s1", "-q", "--out", out]);
        refused(&o, &["--out", "merge writes a new folder beside its inputs"]);
        assert_eq!(snapshot(&d), before, "--out {out}");
    }
    ok(&corridor_in(&d, &["merge", "s0", "s1", "-q", "--no-charts", "--out", "all"]));
    assert!(d.join("all/sweep.json").is_file());
}

#[test]
fn resume_into_a_folder_of_another_kind_changes_nothing() {
    let d = temp_dir("resume-kind");
    ok(&corridor_in(&d, &["run", &tiny(), "--years", "1", "--no-charts", "-q", "--out", "r"]));
    let before = snapshot(&d.join("r"));
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    let o = corridor_in(&d, &["sweep", sweep.to_str().unwrap(), "-q", "--resume", "--out", "r"]);
    refused(&o, &["holds a finished corridor run folder, not a sweep folder"]);
    let o = corridor_in(&d, &["sweep", sweep.to_str().unwrap(), "-q", "--resume", "--force", "--out", "r"]);
    refused(&o, &["not a sweep folder"]);
    assert_eq!(snapshot(&d.join("r")), before);
    assert_eq!(names(&d), ["r"]);
}

#[test]
fn a_finished_sweep_is_rerun_only_with_force() {
    let d = temp_dir("sweep-again");
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    let s = sweep.to_str().unwrap();
    ok(&corridor_in(&d, &["sweep", s, "-q", "--no-charts", "--out", "s"]));
    let before = snapshot(&d.join("s"));
    refused(&corridor_in(&d, &["sweep", s, "-q", "--out", "s"]), &["holds this sweep, finished", "--force"]);
    assert_eq!(snapshot(&d.join("s")), before);
    // --resume has nothing to run and leaves the same rows.
    let rows = read(&d.join("s/runs.csv"));
    ok(&corridor_in(&d, &["sweep", s, "-q", "--no-charts", "--resume", "--out", "s"]));
    assert_eq!(read(&d.join("s/runs.csv")), rows);
    // Another sweep (a shard of it) over the finished folder needs --force.
    let o = corridor_in(&d, &["sweep", s, "-q", "--shard", "0/2", "--out", "s"]);
    refused(&o, &["holds a finished sweep of another sweep file or shard", "--force"]);
    assert_eq!(snapshot(&d.join("s")), before);
}

/// Waits until `path` exists (or the child exits); true if it appeared.
fn wait_for(path: &Path, child: &mut std::process::Child) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if path.exists() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    false
}

/// Kills `args` (writing `out` under `dir`) once its staged folder has a charts/ folder, i.e.
/// while it draws charts. True if the kill came while drawing; the process is gone either way.
fn kill_while_drawing(dir: &Path, out: &str, args: &[&str]) -> bool {
    let mut child = Command::new(corridor_bin()).args(args).current_dir(dir).spawn().unwrap();
    let staged = dir.join(format!(".{out}.partial-{}", child.id())).join("charts");
    let caught = wait_for(&staged, &mut child);
    let _ = child.kill();
    let _ = child.wait();
    // Still staged after the kill: it was not yet moved into place.
    caught && staged.parent().unwrap().exists()
}

#[test]
fn a_run_killed_while_drawing_charts_leaves_the_earlier_folder_intact() {
    let d = temp_dir("kill-run");
    let hz = root().join("scenarios/hangzhou-west.toml");
    let hz = hz.to_str().unwrap();
    let args = ["run", hz, "--years", "1", "-q", "--out", "r"];
    ok(&corridor_in(&d, &args));
    let earlier = snapshot(&d.join("r"));
    let mut caught = 0;
    for _ in 0..5 {
        if kill_while_drawing(&d, "r", &args) {
            caught += 1;
        }
        // Whatever the moment of the kill, `r` is a complete folder: the earlier one, or (if the
        // kill came after the rename) a complete new one.
        let now = snapshot(&d.join("r"));
        let files: Vec<&PathBuf> = now.iter().map(|(p, _)| p).collect();
        assert!(files.contains(&&PathBuf::from("summary.json")) && files.contains(&&PathBuf::from("report.html")));
        if now == earlier {
            // No other folder that looks finished appeared beside it.
            let visible: Vec<String> = names(&d).into_iter().filter(|n| !n.starts_with('.')).collect();
            assert_eq!(visible, ["r"]);
        }
        if caught > 0 {
            break;
        }
    }
    assert!(caught > 0, "never caught the run while it drew charts");
    assert_eq!(snapshot(&d.join("r")), earlier, "the killed run replaced the earlier folder");
    // The next run cleans up what the killed one left behind.
    ok(&corridor_in(&d, &["run", hz, "--years", "1", "-q", "--no-charts", "--out", "r"]));
    assert_eq!(names(&d), ["r"]);
}

#[test]
fn a_sweep_is_marked_finished_only_after_its_charts_and_report() {
    let d = temp_dir("kill-sweep");
    let sweep = root().join("scenarios/sweeps/tiny.toml");
    let s = sweep.to_str().unwrap();
    let mut caught = false;
    for _ in 0..5 {
        let _ = std::fs::remove_dir_all(d.join("s"));
        caught = kill_while_drawing(&d, "s", &["sweep", s, "-q", "--threads", "2", "--out", "s"]);
        if caught {
            break;
        }
    }
    assert!(caught, "never caught the sweep while it drew charts");
    assert!(d.join("s/runs.csv").is_file());
    assert!(!d.join("s/sweep.json").exists(), "a sweep killed while drawing charts looks finished");
    ok(&corridor_in(&d, &["sweep", s, "-q", "--resume", "--out", "s"]));
    for f in ["sweep.json", "report.html", "points.csv", "charts"] {
        assert!(d.join("s").join(f).exists(), "{f}");
    }
    assert_eq!(names(&d), ["s"]);
}
