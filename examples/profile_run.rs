//! Runs the default scenario scaled to N talent agents at one person per agent and prints the
//! time of each phase of the month and of the recorder that measures it (which `corridor bench`
//! counts in its run time), for profiling:
//!   cargo run --release --example profile_run -- 1000000 2
//! (RAYON_NUM_THREADS sets the thread count).
use std::time::Instant;

fn main() {
    let mut a = std::env::args().skip(1);
    let agents: f64 = a.next().and_then(|x| x.parse().ok()).unwrap_or(1e6);
    let years: u32 = a.next().and_then(|x| x.parse().ok()).unwrap_or(2);
    let l = corridor::scenario::load("scenarios/hangzhou-west.toml".as_ref(), &[format!("years={years}")])
        .unwrap_or_else(|e| panic!("{e}"));
    let s = corridor::scenario::scaled(&l.scenario, agents, 1.0);
    let t = Instant::now();
    let mut sim = corridor::engine::Sim::new(&s, 1);
    let init = t.elapsed();
    let mut phases: Vec<(&'static str, f64)> = Vec::new();
    let mut recorder = corridor::metrics::Recorder::new(&s);
    let mut recording = 0.0;
    for _ in 0..s.months() {
        let mut last = Instant::now();
        sim.step_observed(&mut |name| {
            let now = Instant::now();
            let dt = (now - last).as_secs_f64();
            last = now;
            match phases.iter_mut().find(|p| p.0 == name) {
                Some(p) => p.1 += dt,
                None => phases.push((name, dt)),
            }
        });
        let r = Instant::now();
        recorder.record(&sim);
        recording += r.elapsed().as_secs_f64();
    }
    phases.push(("metrics (recorder)", recording));
    println!(
        "init {:.2} s; total {:.2} s; talent {}, firms {}",
        init.as_secs_f64(),
        t.elapsed().as_secs_f64(),
        sim.talent.agents.len(),
        sim.firms.len()
    );
    for (name, secs) in phases {
        println!("{name:>26}: {secs:6.2} s");
    }
}
