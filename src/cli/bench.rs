//! `corridor bench`: speed and memory of the default model at several population sizes, on 1 and
//! 2 threads. Each measurement runs in a child process of its own so that its peak memory is its
//! own. Benchmarks are never part of the test suite.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use super::Failure;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Scenario to scale (people, firms, land, seats and programmes scale alike).
    #[arg(long, default_value = "scenarios/hangzhou-west.toml")]
    pub scenario: PathBuf,
    /// Talent agents (one person each), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000,3000000")]
    pub agents: Vec<u64>,
    /// Thread counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub threads: Vec<usize>,
    /// Years to simulate.
    #[arg(long, default_value_t = 20)]
    pub years: u32,
    /// Internal: run one measurement in this process and print it as JSON.
    #[arg(long, hide = true)]
    pub one: bool,
}

struct Measure {
    agents: u64,
    threads: usize,
    init_s: f64,
    run_s: f64,
    agent_months: f64,
    peak_bytes: u64,
}

pub fn run(args: BenchArgs) -> Result<(), Failure> {
    if let Some(n) = args.agents.iter().find(|&&n| n == 0) {
        return Err(Failure(format!("--agents {n}: a measurement needs at least one talent agent")));
    }
    for &t in &args.threads {
        // The same bounds as every command's --threads.
        super::thread_pool(Some(t))?;
    }
    if args.one {
        return one(&args);
    }
    // The scenario and --years are checked once here, not in every measurement's process.
    corridor::scenario::load(&args.scenario, &[format!("years={}", args.years)])
        .map_err(|e| super::blame_years_flag(e, &[], Some(args.years)))?;
    let exe = std::env::current_exe()?;
    println!(
        "corridor bench: {} scaled to {:?} talent agents, {} years, threads {:?}",
        args.scenario.display(),
        args.agents,
        args.years,
        args.threads
    );
    println!(
        "machine: {} logical CPUs; {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        cpu_model()
    );
    println!(
        "{:>10} {:>7} {:>9} {:>10} {:>16} {:>12} {:>14}",
        "agents", "threads", "init s", "run s", "agent-months/s", "peak MB", "bytes/agent"
    );
    let mut results: Vec<Measure> = Vec::new();
    for &n in &args.agents {
        for &t in &args.threads {
            let out = Command::new(&exe)
                .args([
                    "bench",
                    "--one",
                    "--years",
                    &args.years.to_string(),
                    "--agents",
                    &n.to_string(),
                    "--threads",
                    &t.to_string(),
                    "--scenario",
                ])
                .arg(&args.scenario)
                .output()?;
            if !out.status.success() {
                return Err(Failure(format!(
                    "measurement of {n} agents on {t} threads failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            let m = Measure {
                agents: n,
                threads: t,
                init_s: v["init_s"].as_f64().unwrap_or(0.0),
                run_s: v["run_s"].as_f64().unwrap_or(0.0),
                agent_months: v["agent_months"].as_f64().unwrap_or(0.0),
                peak_bytes: v["peak_bytes"].as_u64().unwrap_or(0),
            };
            println!(
                "{:>10} {:>7} {:>9.2} {:>10.2} {:>16.3e} {:>12.0} {:>14.0}",
                m.agents,
                m.threads,
                m.init_s,
                m.run_s,
                m.agent_months / m.run_s.max(1e-9),
                m.peak_bytes as f64 / 1e6,
                m.peak_bytes as f64 / m.agents as f64
            );
            results.push(m);
        }
    }
    println!();
    for &n in &args.agents {
        let time = |t: usize| results.iter().find(|m| m.agents == n && m.threads == t).map(|m| m.init_s + m.run_s);
        if let (Some(a), Some(b)) = (time(1), time(2)) {
            println!("{n:>10} agents: {:.2} s on 1 thread, {:.2} s on 2 threads, speed-up {:.2}x", a, b, a / b);
        }
    }
    Ok(())
}

fn one(args: &BenchArgs) -> Result<(), Failure> {
    let n = *args.agents.first().unwrap_or(&100_000);
    let t = *args.threads.first().unwrap_or(&1);
    let loaded = corridor::scenario::load(&args.scenario, &[format!("years={}", args.years)])?;
    let s = corridor::scenario::scaled(&loaded.scenario, n as f64, 1.0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build()?;
    let (init_s, run_s, agent_months) = pool.install(|| {
        let start = Instant::now();
        let mut sim = corridor::engine::Sim::new(&s, s.seed);
        let mut recorder = corridor::metrics::Recorder::new(&s);
        let init = start.elapsed().as_secs_f64();
        let mut agent_months = 0.0;
        let run_start = Instant::now();
        for _ in 0..s.months() {
            agent_months += sim.talent.agents.len() as f64;
            sim.step();
            recorder.record(&sim);
        }
        (init, run_start.elapsed().as_secs_f64(), agent_months)
    });
    println!(
        "{}",
        serde_json::json!({"agents": n, "threads": t, "init_s": init_s, "run_s": run_s, "agent_months": agent_months, "peak_bytes": peak_rss_bytes()})
    );
    Ok(())
}

/// Peak resident memory of this process (VmHWM), in bytes; 0 where /proc is absent.
fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into())
}
