//! Benchmarks of the model (divan): `cargo bench`. Throughput is reported in talent-agent-months.
//! The full city-scale table (10^5 to 3x10^6 agents, 20 years, peak memory) is `corridor bench`.

use divan::counter::ItemsCount;
use divan::Bencher;

fn main() {
    divan::main();
}

fn scenario(path: &str, sets: &[&str]) -> corridor::scenario::Scenario {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    corridor::scenario::load(path.as_ref(), &sets).unwrap_or_else(|e| panic!("{e}")).scenario
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

/// The tiny corridor, a whole 10-year run: what one sweep run costs.
#[divan::bench(args = [1, 2], sample_count = 20)]
fn tiny_run(bencher: Bencher, threads: usize) {
    let s = scenario("scenarios/tiny.toml", &[]);
    let pool = pool(threads);
    bencher.bench_local(|| pool.install(|| corridor::run(&s, 1)));
}

/// The default corridor scaled to 100 000 talent agents (one person each), one year.
#[divan::bench(args = [1, 2], sample_count = 5)]
fn default_100k_one_year(bencher: Bencher, threads: usize) {
    let base = scenario("scenarios/hangzhou-west.toml", &["years=1"]);
    let s = corridor::scenario::scaled(&base, 100_000.0, 1.0);
    let pool = pool(threads);
    bencher.counter(ItemsCount::new(100_000u64 * 12)).bench_local(|| pool.install(|| corridor::run(&s, 1)));
}
