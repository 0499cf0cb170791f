//! Runs the default scenario scaled to N talent agents at 1 person per agent, for profiling:
//! cargo run --release --example profile_run -- 1000000 20
fn main() {
    let mut a = std::env::args().skip(1);
    let agents: f64 = a.next().and_then(|x| x.parse().ok()).unwrap_or(1e6);
    let years: u32 = a.next().and_then(|x| x.parse().ok()).unwrap_or(2);
    let l = corridor::scenario::load("scenarios/hangzhou-west.toml".as_ref(), &[format!("years={years}")]).unwrap();
    let s = corridor::scenario::scaled(&l.scenario, agents, 1.0);
    let t = std::time::Instant::now();
    let mut sim = corridor::engine::Sim::new(&s, 1);
    eprintln!("init {:.2?}", t.elapsed());
    for _ in 0..s.months() {
        sim.step();
    }
    eprintln!("total {:.2?}, talent {}, firms {}", t.elapsed(), sim.talent.len(), sim.firms.len());
}
