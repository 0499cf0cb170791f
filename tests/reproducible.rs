//! The same scenario and seed give the same bytes, with 1 or 2 threads and across runs.

mod common;
use common::{corridor_bin, read, temp_dir, tiny};
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
