//! Subcommands. Argument parsing in two stages: clap's raw flags, then resolved settings.

mod bench;
mod calibrate;
mod chart;
mod compare;
mod merge;
mod posterior;
mod progress;
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
    /// Validate scenario, sweep and targets files without running them.
    Check {
        /// Scenario, sweep or targets files (the kind is told from the keys).
        #[arg(required = true)]
        scenarios: Vec<std::path::PathBuf>,
        /// Override a value of every scenario: PATH=VALUE (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Also build each scenario's corridor and simulate its first month (catches what only
        /// shows at initialisation).
        #[arg(long)]
        first_month: bool,
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
        Command::Check { scenarios, sets, first_month } => check(&scenarios, &sets, first_month),
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

fn check(paths: &[std::path::PathBuf], sets: &[String], first_month: bool) -> Result<(), Failure> {
    let mut failed = 0;
    for p in paths {
        match check_one(p, sets, first_month) {
            Ok(what) => println!("ok: {} ({what})", p.display()),
            Err(Failure(e)) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure(format!("{failed} of {} files are invalid", paths.len())))
    }
}

/// Validates one scenario, sweep or targets file as `run`, `sweep` or `calibrate` would before
/// starting; says what it was.
fn check_one(p: &std::path::Path, sets: &[String], first_month: bool) -> Result<String, Failure> {
    use corridor::scenario::FileKind;
    let text = std::fs::read_to_string(p)
        .map_err(|source| corridor::scenario::ScenarioError::Read { file: p.into(), source })?;
    let kind = FileKind::of(&text);
    if kind != FileKind::Scenario && !sets.is_empty() {
        let what = if kind == FileKind::Sweep { "a sweep" } else { "a targets" };
        return Err(Failure(format!(
            "{}: is {what} file; --set applies to scenarios (use the file's `set`)",
            p.display()
        )));
    }
    match kind {
        FileKind::Sweep => return sweep::check_file(p, &text),
        FileKind::Targets => return calibrate::check_file(p, &text),
        FileKind::Scenario => {}
    }
    let l = corridor::scenario::load(p, sets)?;
    let (limit, what) = memory_limit();
    corridor::scenario::check_footprint(&l, 1, limit, &what)?;
    let s = &l.scenario;
    if first_month {
        let mut sim = corridor::engine::Sim::new(s, s.seed);
        sim.step();
    }
    Ok(format!("scenario {}, {} years from {}", s.name, s.years, s.start_year))
}
/// `--set` arguments with `--years N` appended as `years=N` (so it is validated like any key;
/// [`blame_years_flag`] reports its errors as the flag's).
pub fn sets_with_years(sets: &[String], years: Option<u32>) -> Vec<String> {
    let mut all = sets.to_vec();
    all.extend(years.map(|y| format!("years={y}")));
    all
}

/// A scenario error at the `years=N` that `--years N` became ([`sets_with_years`]) names the flag
/// the user typed, not a `--set` they did not (unless they typed that too); others pass unchanged.
pub fn blame_years_flag(e: corridor::scenario::ScenarioError, sets: &[String], years: Option<u32>) -> Failure {
    let message = e.to_string();
    match years {
        Some(y)
            if e.set_arg() == Some(format!("years={y}").as_str())
                && !sets.iter().any(|s| s.trim() == format!("years={y}")) =>
        {
            Failure(message.replacen(&format!("--set years={y}"), &format!("--years {y}"), 1))
        }
        _ => Failure(message),
    }
}

/// Logical CPUs this process may use (the affinity mask, so a Slurm task sees its own CPUs).
pub fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// The largest `--threads`: more threads than this only slow a run down.
pub fn max_threads() -> usize {
    4 * cpus()
}

/// The rayon pool for `--threads N` (all CPUs when absent), N from 1 to [`max_threads`]. Results
/// do not depend on it.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Failure> {
    let n = match threads {
        None => cpus(),
        Some(n) if (1..=max_threads()).contains(&n) => n,
        Some(n) => {
            return Err(Failure(format!(
                "--threads {n}: must be between 1 and {} (4 x the {} logical CPUs this process may use); leave it out to use all {}",
                max_threads(),
                cpus(),
                cpus()
            )))
        }
    };
    Ok(rayon::ThreadPoolBuilder::new().num_threads(n).build()?)
}

/// The memory a run may use: the machine's physical memory, or the cgroup limit of this job
/// (Slurm, containers) when lower, or `CORRIDOR_MEMORY_LIMIT` (bytes, or with K, M, G or T) when
/// lower still; with a description for errors. Unknown outside Linux without the variable.
pub fn memory_limit() -> (f64, String) {
    let bytes = corridor::scenario::footprint::bytes_text;
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        let line = t.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024.0)
    });
    let cgroup = cgroup_memory_limit();
    let stated = std::env::var("CORRIDOR_MEMORY_LIMIT").ok().and_then(|v| parse_bytes(&v));
    let mut limit = (f64::INFINITY, "an unknown memory limit".to_string());
    for (b, what) in [
        (total, format!("this machine's {} of memory", bytes(total.unwrap_or(0.0)))),
        (cgroup, format!("the {} memory limit of this job (cgroup)", bytes(cgroup.unwrap_or(0.0)))),
        (stated, format!("CORRIDOR_MEMORY_LIMIT ({})", bytes(stated.unwrap_or(0.0)))),
    ] {
        if let Some(b) = b.filter(|&b| b < limit.0) {
            limit = (b, what);
        }
    }
    limit
}

/// The memory limit of this process's cgroup and its ancestors (v2 `memory.max`, or v1
/// `memory.limit_in_bytes`), the lowest one; `None` when unlimited or unknown.
fn cgroup_memory_limit() -> Option<f64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut lowest: Option<f64> = None;
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (root, file) = match controllers {
            "" => ("/sys/fs/cgroup", "memory.max"),
            c if c.split(',').any(|x| x == "memory") => ("/sys/fs/cgroup/memory", "memory.limit_in_bytes"),
            _ => continue,
        };
        let mut dir = std::path::PathBuf::from(root).join(path.trim_start_matches('/'));
        loop {
            let limit = std::fs::read_to_string(dir.join(file)).ok().and_then(|t| t.trim().parse::<f64>().ok());
            // "max" (v2) does not parse; v1 writes unlimited as a number near 2^63.
            if let Some(b) = limit.filter(|&b| b < 1e18) {
                lowest = Some(lowest.map_or(b, |l: f64| l.min(b)));
            }
            if dir.as_os_str() == root || !dir.pop() {
                break;
            }
        }
    }
    lowest
}

/// `2e9`, `512M`, `8G`: bytes.
fn parse_bytes(v: &str) -> Option<f64> {
    let v = v.trim();
    let (num, mult) = match v.char_indices().last()? {
        (i, 'K' | 'k') => (&v[..i], 1e3),
        (i, 'M' | 'm') => (&v[..i], 1e6),
        (i, 'G' | 'g') => (&v[..i], 1e9),
        (i, 'T' | 't') => (&v[..i], 1e12),
        _ => (v, 1.0),
    };
    num.trim().parse::<f64>().ok().map(|n| n * mult).filter(|b| b.is_finite() && *b > 0.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn memory_limits_read_with_units() {
        assert_eq!(super::parse_bytes("2G"), Some(2e9));
        assert_eq!(super::parse_bytes("512m"), Some(5.12e8));
        assert_eq!(super::parse_bytes("1e9"), Some(1e9));
        assert_eq!(super::parse_bytes("lots"), None);
        assert_eq!(super::parse_bytes("-1G"), None);
    }
}
