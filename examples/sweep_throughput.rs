//! Sweep throughput: runs the tiny sweep (scenarios/sweeps/tiny.toml) on 1 and on 2 threads and
//! prints runs per second for each and the ratio. Not a test.
//!
//! cargo run --release --example sweep_throughput [-- SWEEP.toml]

use std::path::PathBuf;
use std::time::Instant;

use corridor::experiment::design::Design;
use corridor::experiment::runs::run_keys;
use corridor::experiment::spec;
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path =
        std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("scenarios/sweeps/tiny.toml"));
    let file = spec::parse(&path, &std::fs::read_to_string(&path)?)?;
    let spec = &file.spec;
    let design = Design::build(spec).map_err(|j| format!("parameter {j} needs a baseline"))?;
    let mut fixed = spec.set.clone();
    if let Some(y) = spec.years {
        fixed.push(format!("years={y}"));
    }
    let scenarios = (0..design.points.len())
        .map(|i| {
            let mut sets = fixed.clone();
            sets.extend(design.sets(spec, i));
            corridor::scenario::load(&file.base_path(), &sets).map(|l| l.scenario)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let keys = run_keys(spec, &design);
    let mut rates = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build()?;
        // Best of three, so that a busy machine disturbs the figures less.
        let mut secs = f64::INFINITY;
        let mut total = 0.0;
        for _ in 0..3 {
            let start = Instant::now();
            total = pool.install(|| {
                keys.par_iter()
                    .map(|k| corridor::run(&scenarios[k.point as usize], k.seed).final_year("talent").unwrap_or(0.0))
                    .sum::<f64>()
            });
            secs = secs.min(start.elapsed().as_secs_f64());
        }
        let rate = keys.len() as f64 / secs;
        println!(
            "{threads} thread(s): {} runs in {secs:.2} s (best of 3) = {rate:.1} runs/s (checksum {total})",
            keys.len()
        );
        rates.push(rate);
    }
    println!(
        "speed-up 2 vs 1 threads: {:.2}x (on {} cores)",
        rates[1] / rates[0],
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    Ok(())
}
