//! Subcommands. Argument parsing in two stages: clap's raw flags, then resolved settings.

mod bench;
mod calibrate;
mod chart;
mod compare;
mod merge;
mod run;
mod sweep;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "corridor",
    version,
    about = "Agent-based simulator of innovation corridors: labs, firms, talent, housing and schools under policy levers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write its output folder.
    Run(run::RunArgs),
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<std::path::PathBuf>,
        /// Override a value: PATH=VALUE (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Print the scenario key reference (docs/SCENARIO.md) as Markdown; with --outputs, the
    /// KPI, layer and lever tables of docs/OUTPUTS.md.
    Schema {
        /// Print the output columns (the KPI registry) instead of the scenario keys.
        #[arg(long)]
        outputs: bool,
    },
    /// Redraw the charts and report.html of an output folder (run, compare or sweep) without rerunning.
    Chart(chart::ChartArgs),
    /// Measure speed and memory of the default model at 10^5 to 3x10^6 talent agents.
    Bench(bench::BenchArgs),
    /// Compare a base scenario with variants under common random numbers.
    Compare(compare::CompareArgs),
    /// Run a parameter sweep file (grid, lhs, random, oat, morris).
    Sweep(sweep::SweepArgs),
    /// Join the folders of sweep shards into one sweep folder.
    Merge(merge::MergeArgs),
    /// Fit parameters to observed targets by ABC-SMC (docs/CALIBRATION.md).
    Calibrate(calibrate::CalibrateArgs),
}

/// A failure to report: the message, and the exit code.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Chart(args) => chart::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Check { scenarios, sets } => check(&scenarios, &sets),
        Command::Schema { outputs: false } => {
            print!("{}", corridor::scenario::schema::markdown());
            Ok(())
        }
        Command::Schema { outputs: true } => {
            print!("{}", corridor::metrics::registry::markdown());
            Ok(())
        }
    };
    match result {
        Ok(()) => 0,
        Err(Failure(msg)) => {
            eprintln!("error: {msg}");
            2
        }
    }
}

fn check(paths: &[std::path::PathBuf], sets: &[String]) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for p in paths {
        match corridor::scenario::load(p, sets) {
            Ok(l) => println!(
                "ok: {} ({}, {} years from {})",
                p.display(),
                l.scenario.name,
                l.scenario.years,
                l.scenario.start_year
            ),
            Err(e) => {
                eprintln!("error: {e}");
                failed.push(p.display().to_string());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!("{} of {} scenarios are invalid", failed.len(), paths.len())))
    }
}

/// `--set` arguments with `--years N` appended as `years=N` (so it is validated like any key).
pub fn sets_with_years(sets: &[String], years: Option<u32>) -> Vec<String> {
    let mut all = sets.to_vec();
    all.extend(years.map(|y| format!("years={y}")));
    all
}

/// The rayon pool for `--threads N` (all cores when absent). Results do not depend on it.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    Ok(rayon::ThreadPoolBuilder::new().num_threads(threads.unwrap_or(0)).build()?)
}
