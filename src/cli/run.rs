//! `corridor run`: load, simulate with a progress bar, write the folder atomically, print a table.

use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::Failure;
use corridor::experiment::replicate::median_result;
use corridor::experiment::seeds::replication_seed;
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
    /// Output folder (default: output/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
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
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let sets = super::sets_with_years(&args.sets, args.years);
    let loaded = corridor::scenario::load(&args.scenario, &sets)?;
    let s = loaded.scenario.clone();
    let seed = args.seed.unwrap_or(s.seed);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&s.name));
    let pool = super::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let reps = args.reps;
    if !args.quiet {
        let draws = if reps > 1 { format!("{reps} replications from seed {seed}") } else { format!("seed {seed}") };
        eprintln!(
            "corridor {}: {} ({} years from {}, {draws}, {} threads)",
            env!("CARGO_PKG_VERSION"),
            s.name,
            s.years,
            s.start_year,
            threads
        );
    }
    let months = s.months() as u64 * reps as u64;
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(months) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} months  {elapsed} elapsed, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let results: Vec<corridor::RunResult> = if reps == 1 {
        vec![pool.install(|| corridor::run_with_progress(&s, seed, &mut |m, _| bar.set_position(m as u64)))]
    } else {
        use rayon::prelude::*;
        pool.install(|| {
            (0..reps)
                .into_par_iter()
                .map(|i| corridor::run_with_progress(&s, replication_seed(seed, i), &mut |_, _| bar.inc(1)))
                .collect()
        })
    };
    bar.finish_and_clear();
    let prov = Provenance {
        scenario_files: loaded.sources.iter().map(|f| f.path.display().to_string()).collect(),
        sets: loaded.sets.clone(),
        git_revision: git_revision(),
        wall_seconds: start.elapsed().as_secs_f64(),
        threads,
    };
    let (files, median) = if reps == 1 {
        (run_files(&results[0], &prov), 0)
    } else {
        (replicated_files(&results, seed, &prov), median_result(&results))
    };
    let charts = super::chart::write_folder(&out, &files, args.charts)?;
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

fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
