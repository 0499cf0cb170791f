//! `corridor run`: load, simulate with a progress bar, write the folder atomically, print a table.

use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::Failure;
use corridor::output::{fmt_num, run_files, Provenance};

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
    let loaded = corridor::scenario::load(&args.scenario, &sets)?;
    let s = loaded.scenario.clone();
    let seed = args.seed.unwrap_or(s.seed);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(&s.name));
    let pool = super::thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    if !args.quiet {
        eprintln!(
            "corridor {}: {} ({} years from {}, seed {}, {} threads)",
            env!("CARGO_PKG_VERSION"),
            s.name,
            s.years,
            s.start_year,
            seed,
            threads
        );
    }
    let bar = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(s.months() as u64) };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} months  {elapsed} elapsed, {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let options = corridor::RunOptions { microdata: args.microdata };
    let result = pool.install(|| corridor::run_with(&s, seed, options, &mut |m, _| bar.set_position(m as u64)));
    bar.finish_and_clear();
    let prov = Provenance {
        scenario_files: loaded.sources.iter().map(|f| f.path.display().to_string()).collect(),
        sets: loaded.sets.clone(),
        git_revision: git_revision(),
        wall_seconds: start.elapsed().as_secs_f64(),
        threads,
    };
    let mut files = run_files(&result, &prov);
    if let Some(m) = &result.microdata {
        // Before summary.json, whose presence marks a complete folder.
        let at = files.len().saturating_sub(1);
        files.splice(at..at, corridor::output::microdata_files(m));
    }
    let charts = super::chart::write_folder(&out, &files, args.charts)?;
    if !args.quiet {
        print_table(&result);
        let drawn = if args.charts.no_charts { String::new() } else { format!(", {charts} charts and report.html") };
        println!("wrote {} ({} files{drawn}) in {:.2} s", out.display(), files.len(), start.elapsed().as_secs_f64());
    }
    Ok(())
}

fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git").args(["rev-parse", "--short", "HEAD"]).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Headline KPIs at the start, middle and end of the run.
pub fn print_table(r: &corridor::RunResult) {
    let n = r.years.len();
    if n == 0 {
        return;
    }
    let mut picks = vec![0, n / 2, n - 1];
    picks.dedup();
    print!("{:<22}", "KPI");
    for &i in &picks {
        print!("{:>16}", r.years[i]);
    }
    println!();
    for kpi in corridor::output::headline_names() {
        let Some(c) = r.column(kpi) else { continue };
        print!("{:<22}", kpi);
        for &i in &picks {
            let v = r.yearly[i][c];
            let shown = if v.abs() >= 1e6 {
                format!("{:.3e}", v)
            } else if v.abs() < 10.0 {
                format!("{:.3}", v)
            } else {
                fmt_num(v.round())
            };
            print!("{:>16}", shown);
        }
        println!();
    }
}
