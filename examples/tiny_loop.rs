//! Runs the tiny corridor repeatedly on one thread (profiling the per-run overhead that sweeps pay).
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|x| x.parse().ok()).unwrap_or(20);
    let s = corridor::scenario::load("scenarios/tiny.toml".as_ref(), &[]).unwrap_or_else(|e| panic!("{e}")).scenario;
    let t = std::time::Instant::now();
    for i in 0..n {
        std::hint::black_box(corridor::run(&s, i as u64));
    }
    println!("{:.1} ms per run", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
}
