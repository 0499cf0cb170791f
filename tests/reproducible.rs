//! The same scenario and seed give the same bytes, with 1 or 2 threads and across runs.

mod common;
use common::{corridor_bin, read, root, temp_dir, tiny};
use corridor::output::{run_files, Provenance};

fn files_with_threads(threads: usize, seed: u64) -> Vec<(String, Vec<u8>)> {
    let s = tiny(&[
        "talent.subsidy.tiers=['high']",
        "talent.subsidy.rent_subsidy=1500.0",
        "incubators.capacity=300.0",
        "housing.talent_units.units_per_year=200.0",
    ]);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let r = pool.install(|| corridor::run(&s, seed));
    // Provenance (wall time, threads) is the only thing allowed to differ.
    run_files(&r, &Provenance::default())
}

#[test]
fn one_and_two_threads_give_identical_files() {
    for seed in [3, 4] {
        let a = files_with_threads(1, seed);
        let b = files_with_threads(2, seed);
        assert_eq!(a.len(), b.len());
        for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
            assert_eq!(na, nb);
            assert!(ba == bb, "{na} differs between 1 and 2 threads (seed {seed})");
        }
        let c = files_with_threads(2, seed);
        assert!(b == c, "two runs with the same seed differ");
    }
    assert!(files_with_threads(2, 3) != files_with_threads(2, 4), "different seeds should differ");
}

#[test]
fn the_binary_writes_the_same_bytes_with_1_and_2_threads() {
    let dir = temp_dir("threads");
    for t in ["1", "2"] {
        let out = dir.join(format!("t{t}"));
        let st = std::process::Command::new(corridor_bin())
            .args(["run", "scenarios/tiny.toml", "--quiet", "--threads", t, "--out"])
            .arg(&out)
            .current_dir(common::root())
            .status()
            .unwrap();
        assert!(st.success());
    }
    for f in ["timeseries.csv", "yearly.csv", "world.json", "layers/rent_2031.csv", "layers/patents_2026.csv"] {
        assert!(read(&dir.join("t1").join(f)) == read(&dir.join("t2").join(f)), "{f} differs");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The default corridor at 120 000 agents for a year: every chunked pass over the agents (chunks
/// of 8 192 to 65 536) then splits into several chunks, as at city scale.
fn city_scale_run(threads: usize) -> (Vec<(String, Vec<u8>)>, corridor::engine::Sim) {
    let loaded = corridor::scenario::load(&root().join("scenarios/hangzhou-west.toml"), &["years=1".to_string()])
        .unwrap_or_else(|e| panic!("{e}"));
    let s = corridor::scenario::scaled(&loaded.scenario, 120_000.0, 1.0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let files = run_files(&corridor::run(&s, 5), &Provenance::default());
        let mut sim = corridor::engine::Sim::new(&s, 5);
        for _ in 0..6 {
            sim.step();
        }
        (files, sim)
    })
}

#[test]
fn a_city_scale_run_gives_identical_files_with_1_and_2_threads() {
    let (a, sim_a) = city_scale_run(1);
    let (b, sim_b) = city_scale_run(2);
    assert!(sim_a.talent.agents.len() > 100_000, "{} agents", sim_a.talent.agents.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between 1 and 2 threads at city scale");
    }
    // The agents themselves, field by field, after six months.
    let key = |t: &corridor::agents::talent::Talent| {
        (t.id, t.home, t.employer, t.commute.to_bits(), t.tenure, t.flags, t.waitlist_since, t.seat_district)
    };
    assert_eq!(sim_a.talent.agents.len(), sim_b.talent.agents.len());
    assert!(
        sim_a.talent.agents.iter().map(key).eq(sim_b.talent.agents.iter().map(key)),
        "agents differ between 1 and 2 threads"
    );
    // The whole state agrees.
    assert!(sim_a == sim_b, "the state differs between 1 and 2 threads");
    // The compact workplace columns agree with the firm records.
    for sim in [&sim_a, &sim_b] {
        let firms = &sim.firms;
        assert_eq!(firms.cells.len(), firms.records.len());
        assert!(firms.records.iter().zip(&firms.cells).all(|(f, &c)| f.cell == c));
        assert!(firms.records.iter().zip(&firms.premia).all(|(f, &p)| f.wage_premium == p));
    }
}

#[test]
fn recording_observes_without_changing_the_model() {
    // A run stepped with the recorder and one stepped without it end in the same state.
    let s = tiny(&["years=3", "talent.subsidy.tiers=['high']", "talent.subsidy.rent_subsidy=1500.0"]);
    let mut observed = corridor::engine::Sim::new(&s, 9);
    let mut unobserved = observed.clone();
    let mut recorder = corridor::metrics::Recorder::new(&s);
    for _ in 0..s.months() {
        observed.step();
        recorder.record(&observed);
        unobserved.step();
    }
    assert_eq!(recorder.rows.len(), s.months() as usize);
    assert_eq!(recorder.layers.len(), 3);
    assert!(observed == unobserved, "recording changed the model's state");
}
