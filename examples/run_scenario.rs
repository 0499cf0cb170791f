//! Runs a scenario through the library API and reads KPIs, without writing any file.
//!
//! cargo run --release --example run_scenario -- scenarios/tiny.toml rd.subsidy_rate=0.3

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "scenarios/tiny.toml".to_string());
    let sets: Vec<String> = args.collect();
    let loaded = match corridor::scenario::load(path.as_ref(), &sets) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let s = &loaded.scenario;
    let result = corridor::run(s, s.seed);
    let last = *result.years.last().expect("at least one year");
    println!("{} ({} to {}, seed {})", s.title, s.start_year, last, s.seed);
    for kpi in [
        "talent",
        "firms",
        "patents",
        "rd_intensity",
        "mean_rent",
        "mean_commute_min",
        "children_seated_elsewhere",
        "public_cost",
    ] {
        let first = result.year_value(kpi, s.start_year).unwrap_or(f64::NAN);
        let end = result.final_year(kpi).unwrap_or(f64::NAN);
        println!("{kpi:>20}: {first:>16.3} -> {end:>16.3}");
    }
}
