//! `corridor run`: load, simulate with a progress bar, write the folder atomically, print a table.

use std::path::PathBuf;
use std::time::Instant;

use super::progress::Progress;
use super::Failure;
use corridor::experiment::replicate::median_result;
use corridor::experiment::seeds::replication_seed;
use corridor::output::folder::{Claim, Kind};
use corridor::output::{replicated_files, run_files, Provenance};
use corridor::report::{terminal_summary, Replicated};

#[derive(clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Years to simulate (default: the scenario's `years`).
    #[arg(long)]
    pub years: Option<u32>,
    /// Output folder (default: output/<scenario name>, or output/<name>+<hash> for a run changed
    /// by --set, --seed or --years).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace a finished run folder of a different scenario or seed.
    #[arg(long)]
    pub force: bool,
    /// Override a value: PATH=VALUE, e.g. rd.subsidy_rate=0.3 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Replications: run N seeds derived from the seed, chart medians with 90% bands, and keep the
    /// median run's files and maps (1: one run with the seed itself).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub reps: u32,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the firm panel (firms.csv) and the final population (talent.csv).
    #[arg(long)]
    pub microdata: bool,
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let sets = super::sets_with_years(&args.sets, args.years);
    let loaded = corridor::scenario::load(&args.scenario, &sets)
        .map_err(|e| super::blame_years_flag(e, &args.sets, args.years))?;
    let (limit, limit_what) = super::memory_limit();
    corridor::scenario::check_footprint(&loaded, 1, limit, &limit_what)?;
    let s = loaded.scenario.clone();
    let seed = args.seed.unwrap_or(s.seed);
    let reps = args.reps;
    let overrides = overrides(&args, s.seed);
    let out = match &args.out {
        Some(o) => o.clone(),
        None => PathBuf::from("output").join(folder_name(&args, &s, seed)),
    };
    // Refuse an output folder before spending the run's time, not after.
    let identity = corridor::output::folder::run_identity(&corridor::scenario::scenario_hash(&s), seed, reps);
    let claim = Claim { kind: Kind::Run, identity, force: args.force, finishing: false };
    corridor::output::folder::check(&out, &claim)?;
    let pool = super::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    if !args.quiet {
        let draws = if reps > 1 { format!("{reps} replications from seed {seed}") } else { format!("seed {seed}") };
        eprintln!(
            "corridor {}: {} ({} years from {}, {draws}, {} threads){}",
            env!("CARGO_PKG_VERSION"),
            s.name,
            s.years,
            s.start_year,
            threads,
            if overrides.is_empty() { String::new() } else { format!(" with {}", overrides.join(" ")) }
        );
    }
    let months = s.months() as u64 * reps as u64;
    let progress = Progress::new(months, "months", &format!("run {}", s.name), args.quiet);
    let start = Instant::now();
    let options = corridor::RunOptions { microdata: args.microdata };
    let results: Vec<corridor::RunResult> = if reps == 1 {
        vec![pool.install(|| corridor::run_with(&s, seed, options, &mut |m, _| progress.set(m as u64)))]
    } else {
        use rayon::prelude::*;
        pool.install(|| {
            (0..reps)
                .into_par_iter()
                .map(|i| corridor::run_with_progress(&s, replication_seed(seed, i), &mut |_, _| progress.inc(1)))
                .collect()
        })
    };
    progress.finish();
    let prov = Provenance {
        scenario_files: loaded.sources.iter().map(|f| f.path.display().to_string()).collect(),
        sets: loaded.sets.clone(),
        overrides,
        git_revision: git_revision(),
        wall_seconds: start.elapsed().as_secs_f64(),
        threads,
    };
    let (mut files, median) = if reps == 1 {
        (run_files(&results[0], &prov), 0)
    } else {
        (replicated_files(&results, seed, &prov), median_result(&results))
    };
    // The microdata of the run the folder's files show. With --reps only the median run's is
    // written: rather than record a panel for every replication, that run is made again with the
    // panel on (a run is a pure function of scenario and seed, so it is the same run).
    let microdata = match &results[median].microdata {
        Some(m) => Some(std::borrow::Cow::Borrowed(m)),
        None if args.microdata => {
            let again = pool.install(|| corridor::run_with(&s, results[median].seed, options, &mut |_, _| {}));
            again.microdata.map(std::borrow::Cow::Owned)
        }
        None => None,
    };
    // Before summary.json, whose presence marks a complete folder.
    if let Some(m) = &microdata {
        let at = files.len().saturating_sub(1);
        files.splice(at..at, corridor::output::microdata_files(m));
    }
    let charts = super::chart::write_folder(&out, &files, &claim, args.charts)?;
    if !args.quiet {
        let mut command = format!("corridor run {}", args.scenario.display());
        for set in &args.sets {
            command.push_str(&format!(" --set {set}"));
        }
        if let Some(y) = args.years {
            command.push_str(&format!(" --years {y}"));
        }
        command.push_str(&format!(" --seed {seed} --reps 10"));
        print!("{}", terminal_summary(&Replicated::from_results(&results, median), &command));
        let drawn = if args.charts.no_charts { String::new() } else { format!(", {charts} charts and a report") };
        println!("wrote {} ({} files{drawn}) in {:.2} s", out.display(), files.len(), start.elapsed().as_secs_f64());
    }
    Ok(())
}

/// The arguments by which a run differs from its plain scenario, as typed.
fn overrides(args: &RunArgs, scenario_seed: u64) -> Vec<String> {
    let mut o: Vec<String> = args.sets.iter().map(|s| format!("--set {s}")).collect();
    o.extend(args.years.map(|y| format!("--years {y}")));
    o.extend(args.seed.filter(|&s| s != scenario_seed).map(|s| format!("--seed {s}")));
    o.extend((args.reps > 1).then(|| format!("--reps {}", args.reps)));
    o
}

/// `<name>` for the plain scenario and seed; `<name>+<8 hex digits>` for a run that differs from
/// it (the digits hash the resolved scenario, the seed and the replications, so the same run finds
/// the same folder).
fn folder_name(args: &RunArgs, s: &corridor::scenario::Scenario, seed: u64) -> String {
    let hash = corridor::scenario::scenario_hash(s);
    let plain = corridor::scenario::load(&args.scenario, &[]).ok().map(|l| l.scenario);
    if args.reps == 1 && plain.is_some_and(|p| corridor::scenario::scenario_hash(&p) == hash && p.seed == seed) {
        return s.name.clone();
    }
    let draws = if args.reps == 1 { seed } else { corridor::rng::hash_words(&[seed, args.reps as u64]) };
    format!("{}+{}", s.name, short_hash(&hash, draws))
}

/// Eight hex digits of a scenario hash and a seed.
pub fn short_hash(scenario_hash: &str, seed: u64) -> String {
    let h = u64::from_str_radix(scenario_hash, 16).unwrap_or(0);
    format!("{:08x}", corridor::rng::hash_words(&[h, seed]) >> 32)
}

fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
