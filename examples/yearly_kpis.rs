//! Prints the yearly headline KPIs of a scenario (calibration aid):
//!   cargo run --release --example yearly_kpis -- scenarios/hangzhou-west.toml [PATH=VALUE ...]
fn main() {
    let path = std::env::args().nth(1).unwrap_or("scenarios/tiny.toml".into());
    let sets: Vec<String> = std::env::args().skip(2).collect();
    let loaded = corridor::scenario::load(path.as_ref(), &sets).unwrap_or_else(|e| panic!("{e}"));
    let t = std::time::Instant::now();
    let r = corridor::run(&loaded.scenario, loaded.scenario.seed);
    eprintln!("{:?}", t.elapsed());
    let show = [
        "talent",
        "talent_arrivals",
        "talent_departures",
        "employed",
        "unemployed",
        "vacancies",
        "firms",
        "firm_births",
        "firm_deaths",
        "patents",
        "lab_patents",
        "rd_intensity",
        "output",
        "mean_wage",
        "mean_rent",
        "rent_to_income",
        "vacancy_rate",
        "housing_units",
        "living_outside",
        "mean_commute_min",
        "jobs_housing_balance",
        "children_seated_home",
        "children_seated_elsewhere",
        "public_cost",
        "talent_waitlist",
        "housing_pipeline",
    ];
    print!("{:>6}", "year");
    for s in show {
        print!(" {:>12}", &s[..s.len().min(12)]);
    }
    println!();
    for (i, y) in r.years.iter().enumerate() {
        print!("{:>6}", y);
        for s in show {
            let c = r.column(s).unwrap();
            print!(" {:>12.4}", r.yearly[i][c]);
        }
        println!();
    }
}
