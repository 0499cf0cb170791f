//! `corridor calibrate` as a separate process on the tiny corridor: recovering known parameters,
//! resuming after a kill, and located errors in targets files; and the default scenario holding
//! the calibrated values of its targets file's parameters.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{root, snapshot, temp_dir, tiny};
use corridor::experiment::calibrate::targets;
use corridor::output::{read_posterior, CalibrationJson, FitRow};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_corridor"));
    c.current_dir(root());
    c
}

fn calibrate(file: &Path, out: &Path, extra: &[&str]) {
    let o = bin().arg("calibrate").arg(file).args(["--quiet", "--out"]).arg(out).args(extra).output().unwrap();
    assert!(o.status.success(), "calibrate {extra:?} failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The parameters and their true values; the priors are wide around them. The first year's
/// talent pins down the initial stock and the mean rent the rent level; the arrivals of skilled
/// talent say less about their inflow (they vary by some 20 % from seed to seed).
const TRUTH: [(&str, f64, &str); 3] = [
    ("talent.initial", 12000.0, "prior = \"uniform\"\nmin = 5000.0\nmax = 16000.0"),
    ("housing.base_rent", 5200.0, "prior = \"log_uniform\"\nmin = 1500.0\nmax = 12000.0"),
    ("talent.tiers.skilled.inflow", 650.0, "prior = \"uniform\"\nmin = 100.0\nmax = 1500.0"),
];

/// Targets simulated at the true parameters (the mean of three seeds of 2-year runs), each with
/// an sd near the seed-to-seed spread of one run of the tiny corridor.
const YEARS: &str = "from = 2022\nto = 2023";

fn targets_file(dir: &Path, seed: u64) -> PathBuf {
    let sets: Vec<String> = TRUTH.iter().map(|(p, v, _)| format!("{p}={v}")).chain(["years=2".into()]).collect();
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let scenario = tiny(&sets);
    let runs: Vec<corridor::RunResult> = [101, 102, 103].iter().map(|&s| corridor::run(&scenario, s)).collect();
    let base = root().join("scenarios/tiny.toml");
    let mut text =
        format!("base = {:?}\nseed = {seed}\nyears = 2\n[abc]\nparticles = 40\n\n", base.display().to_string());
    for (kpi, years, cv) in
        [("talent", "year = 2022", 0.05), ("mean_rent", YEARS, 0.03), ("arrivals_skilled", YEARS, 0.2)]
    {
        let stub = format!("base = \"b\"\n[[targets]]\nkpi = \"{kpi}\"\n{years}\nobserved = 1.0\nsd = 1.0\n[[parameters]]\npath = \"x\"\nprior = \"uniform\"\nmin = 0.0\nmax = 1.0\n");
        let t = &targets::parse(Path::new("stub.toml"), &stub).unwrap().spec.targets[0];
        let observed = runs.iter().map(|r| t.value(r)).sum::<f64>() / runs.len() as f64;
        text.push_str(&format!(
            "[[targets]]\nkpi = \"{kpi}\"\n{years}\nobserved = {observed}\nsd = {}\nsource = \"simulated at the true parameters\"\n\n",
            observed * cv
        ));
    }
    for (path, _, prior) in TRUTH {
        text.push_str(&format!("[[parameters]]\npath = \"{path}\"\n{prior}\n\n"));
    }
    let file = dir.join(format!("targets-{seed}.toml"));
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn the_posterior_covers_the_parameters_that_made_the_targets_for_several_calibrator_seeds() {
    let dir = temp_dir("calibrate-recover");
    for seed in [1, 2, 3] {
        let out = dir.join(format!("out-{seed}"));
        calibrate(&targets_file(&dir, seed), &out, &["--no-charts"]);
        let info: CalibrationJson = serde_json::from_str(&read(out.join("calibration.json"))).unwrap();
        for (p, (path, truth, _)) in info.posterior.iter().zip(TRUTH) {
            assert_eq!(p.parameter, path);
            assert!((p.mean - truth).abs() <= 3.0 * p.sd, "seed {seed}: {path} = {truth} is not within 3 sd of {p:?}");
        }
        // The data say something: the 95 % intervals of the initial stock and the rent level are
        // under half of their prior's central 95 % interval, the inflow's narrower than its prior's.
        // (With the household model of issue 11 the initial stock's share is 0.42 for calibrator
        // seed 1; it was under 0.4 before.)
        let share = |i: usize| {
            let prior = info.spec.parameters[i].prior();
            let q = |u: f64| prior.value(prior.quantile(u));
            (info.posterior[i].high - info.posterior[i].low) / (q(0.975) - q(0.025))
        };
        let gens: Vec<corridor::output::GenerationRow> = csv::Reader::from_path(out.join("generations.csv"))
            .unwrap()
            .deserialize()
            .collect::<Result<_, _>>()
            .unwrap();
        let ess = gens.last().map_or(0.0, |g| g.ess);
        eprintln!(
            "seed {seed}: {} runs, ess {ess:.1}; interval shares {:.3} {:.3} {:.3}",
            info.runs,
            share(0),
            share(1),
            share(2)
        );
        assert!(ess > 10.0, "seed {seed}: the weights collapsed on a few sets (effective sample size {ess})");
        assert!(share(0) < 0.5 && share(1) < 0.5 && share(2) < 1.0, "seed {seed}: {:?}", info.posterior);
        let fits: Vec<FitRow> =
            csv::Reader::from_path(out.join("fit.csv")).unwrap().deserialize().collect::<Result<_, _>>().unwrap();
        assert!(fits.iter().all(|f| f.z.abs() < 2.0 && f.sample == "in"), "{fits:?}");
        // calibrated.toml extends the base with the posterior medians.
        let cal = corridor::scenario::load(&out.join("calibrated.toml"), &[]).unwrap().scenario;
        let rent = info.posterior[1].median;
        assert!((cal.housing.base_rent - rent).abs() <= 1e-9 * rent, "{} vs {rent}", cal.housing.base_rent);
        let (_, samples) = read_posterior(&read(out.join("posterior.csv"))).unwrap();
        assert_eq!(samples.len(), 20);
        assert!((samples.iter().map(|s| s.weight).sum::<f64>() - 1.0).abs() < 1e-9);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

const RESUME: &str = "tests/data/cal_resume.toml";

/// The small calibration run once, uninterrupted, on one thread (shared by the tests below).
fn reference() -> &'static Path {
    static REF: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    REF.get_or_init(|| {
        let out = temp_dir("calibrate-reference").join("full");
        calibrate(&root().join(RESUME), &out, &["--threads", "1"]);
        out
    })
}

#[test]
fn a_killed_calibration_resumes_to_the_same_rows() {
    let file = root().join(RESUME);
    let full = reference();
    let dir = temp_dir("calibrate-resume");
    let cut = dir.join("cut");
    let want = read(full.join("calibration.csv"));
    assert_eq!(want.lines().count(), 1 + 20 + 3 * 10);
    let mut child =
        bin().arg("calibrate").arg(&file).args(["--quiet", "--threads", "2", "--out"]).arg(&cut).spawn().unwrap();
    let start = Instant::now();
    // Kill it in generation 1, after the prior sample.
    while start.elapsed() < Duration::from_secs(60) {
        let rows = std::fs::read_to_string(cut.join("calibration.csv")).map(|t| t.lines().count()).unwrap_or(0);
        if rows >= 1 + 20 + 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!cut.join("calibration.json").exists(), "the run finished before it was killed");
    // An unfinished folder needs --resume.
    let o = bin().arg("calibrate").arg(&file).args(["--quiet", "--out"]).arg(&cut).output().unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("--resume"));
    calibrate(&file, &cut, &["--resume", "--threads", "2"]);
    for f in ["calibration.csv", "posterior.csv", "generations.csv", "fit.csv", "calibrated.toml"] {
        assert_eq!(read(cut.join(f)), read(full.join(f)), "{f}");
    }
    assert!(full.join("charts/posterior_marginals.png").is_file() && full.join("report.html").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn refused(args: &[&str], out: &Path, must_contain: &[&str]) {
    let o = bin().arg("calibrate").args(args).args(["--quiet", "--no-charts", "--out"]).arg(out).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "expected a refusal: {err}");
    for m in must_contain {
        assert!(err.contains(m), "error lacks `{m}`: {err}");
    }
}

#[test]
fn a_finished_calibration_is_replaced_only_with_the_users_word() {
    let dir = temp_dir("calibrate-again");
    let file = root().join(RESUME).display().to_string();
    let out = dir.join("cal");
    calibrate(Path::new(&file), &out, &["--no-charts"]);
    let before = snapshot(&out);
    let rows = read(out.join("calibration.csv"));
    refused(&[&file], &out, &["holds this calibration, finished", "--resume", "--force"]);
    // Another targets file (another calibrator seed) over it needs --force.
    let other = dir.join("other.toml");
    let text = read(PathBuf::from(&file)).replace("seed = 4", "seed = 5").replace("../../scenarios", "SCEN");
    std::fs::write(&other, text.replace("SCEN", &root().join("scenarios").display().to_string())).unwrap();
    let other = other.display().to_string();
    refused(&[&other, "--resume"], &out, &["holds a finished calibration of another targets file", "--force"]);
    assert_eq!(snapshot(&out), before, "a refusal changes nothing");
    // --resume rewrites the same files from the rows; --force runs it again, to the same bytes.
    calibrate(Path::new(&file), &out, &["--no-charts", "--resume"]);
    assert_eq!(snapshot(&out), before);
    calibrate(Path::new(&other), &out, &["--no-charts", "--force"]);
    assert_ne!(read(out.join("calibration.csv")), rows);
    calibrate(Path::new(&file), &out, &["--no-charts", "--force"]);
    assert_eq!(snapshot(&out), before);
    // A file of the user's in the folder is never removed, even with --force.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    refused(&[&file, "--force"], &out, &["notes.txt"]);
    assert_eq!(read(out.join("notes.txt")), "mine");
    // A folder of another kind is not a calibration's.
    let run = dir.join("run");
    let o = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["run", "scenarios/tiny.toml", "--years", "1", "--no-charts", "-q", "--out"])
        .arg(&run)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success());
    refused(&[&file, "--force"], &run, &["holds a finished corridor run folder, not a calibration folder"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_validates_targets_files() {
    let o = bin().args(["check", RESUME, "scenarios/calibration/tiny-targets.toml"]).output().unwrap();
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(said.contains("targets cal_resume: 1 parameters, 2 targets (1 in the fit)"), "{said}");
    let o = bin().args(["check", "tests/data/cal_bad_kpi.toml"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cal_bad_kpi.toml:5:1: field `targets.0.kpi`"));
}

#[test]
fn shards_sharing_a_folder_give_the_rows_of_one_process() {
    let file = root().join(RESUME);
    let dir = temp_dir("calibrate-shards");
    let out = dir.join("shared");
    let children: Vec<_> = (0..2)
        .map(|i| {
            bin()
                .arg("calibrate")
                .arg(&file)
                .args(["--quiet", "--no-charts", "--threads", "1", "--shard", &format!("{i}/2"), "--out"])
                .arg(&out)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    for f in ["calibration.csv", "posterior.csv", "fit.csv"] {
        assert_eq!(read(out.join(f)), read(reference().join(f)), "{f}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_targets_files_are_located_and_leave_no_folder() {
    let dir = temp_dir("calibrate-bad");
    let out = dir.join("out");
    for (file, want) in [
        (
            "tests/data/cal_bad_kpi.toml",
            "cal_bad_kpi.toml:5:1: field `targets.0.kpi`: unknown KPI `mean_rnet`; known: talent,",
        ),
        ("tests/data/cal_bad_path.toml", "cal_bad_path.toml:11:1: field `parameters.0.path`: --set housing.base_rnet="),
    ] {
        let o = bin().args(["calibrate", file, "--out"]).arg(&out).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{err}");
        assert!(!out.exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The value at a `--set` path (array elements by index) of a scenario as JSON.
fn value_at(v: &serde_json::Value, path: &str) -> Option<f64> {
    let mut v = v;
    for part in path.split('.') {
        v = match part.parse::<usize>() {
            Ok(i) => v.get(i)?,
            Err(_) => v.get(part)?,
        };
    }
    v.as_f64()
}

#[test]
fn the_default_scenario_holds_the_calibrated_parameters_and_says_so() {
    // Every free parameter of the default corridor's targets file is set in the default
    // scenario on a line commented "calibrated" that points at the targets file, inside its
    // prior's range; and no other line claims to be calibrated by it.
    let file = root().join("scenarios/calibration/hangzhou-west-targets.toml");
    let spec = targets::read(&file).unwrap().spec;
    let scenario_path = root().join("scenarios/hangzhou-west.toml");
    let scenario = corridor::scenario::load(&scenario_path, &[]).unwrap().scenario;
    let json = serde_json::to_value(&scenario).unwrap();
    let mark = "calibrated (scenarios/calibration/hangzhou-west-targets.toml)";
    let mut marked: Vec<(String, f64)> = read(scenario_path)
        .lines()
        .filter(|l| l.contains(mark))
        .map(|l| {
            let (key, rest) = l.split_once('=').unwrap();
            let value = rest.split('#').next().unwrap().trim().parse::<f64>().unwrap();
            (key.trim().to_string(), value)
        })
        .collect();
    let mut expected: Vec<(String, f64)> = spec
        .parameters
        .iter()
        .map(|p| {
            let v = value_at(&json, &p.path).unwrap_or_else(|| panic!("{} is not a number in the default", p.path));
            let prior = p.prior();
            assert!(prior.contains(prior.to_z(v)), "{} = {v} lies outside its prior {:?}", p.path, prior);
            (p.path.rsplit('.').next().unwrap().to_string(), v)
        })
        .collect();
    let order = |a: &(String, f64), b: &(String, f64)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1));
    marked.sort_by(order);
    expected.sort_by(order);
    assert_eq!(marked, expected, "lines marked calibrated against the targets file's parameters");
}
