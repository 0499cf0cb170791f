//! Behavioural tests: each states a direction the model could violate and checks it over five
//! seeds on the tiny corridor (paired: the same seed for base and variant).

mod common;
use common::{tiny, SEEDS};
use corridor::run;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn more_housing_supply_lowers_rent_and_raises_retention() {
    let base = tiny(&[]);
    let more = tiny(&["housing.land_quota.units_per_year=4000"]);
    let (mut talent_b, mut talent_m) = (Vec::new(), Vec::new());
    let (mut dep_b, mut dep_m) = (Vec::new(), Vec::new());
    for seed in SEEDS {
        let (b, m) = (run(&base, seed), run(&more, seed));
        let rent_b = b.mean_over_years("mean_rent").unwrap();
        let rent_m = m.mean_over_years("mean_rent").unwrap();
        assert!(rent_m < rent_b, "seed {seed}: mean rent {rent_m} with more housing vs {rent_b}");
        // Retention: departures per head over the run.
        let ret = |r: &corridor::RunResult| {
            let dep: f64 = r.years.iter().map(|&y| r.year_value("talent_departures", y).unwrap()).sum();
            let stock = r.mean_over_years("talent").unwrap();
            dep / stock
        };
        dep_b.push(ret(&b));
        dep_m.push(ret(&m));
        talent_b.push(b.mean_over_years("talent").unwrap());
        talent_m.push(m.mean_over_years("talent").unwrap());
    }
    // Retention and the stock are noisier than rents: their direction is checked over the five
    // seeds together.
    assert!(mean(&dep_m) < mean(&dep_b), "departure rate {} with more housing vs {}", mean(&dep_m), mean(&dep_b));
    assert!(
        mean(&talent_m) > mean(&talent_b),
        "talent stock {} with more housing vs {}",
        mean(&talent_m),
        mean(&talent_b)
    );
}

#[test]
fn more_school_seats_lower_children_at_school_elsewhere_and_family_departures() {
    let base = tiny(&[]);
    let seats = [
        "schools.new_seats=[{name='west', district='west', primary_per_year=300.0, middle_per_year=150.0}, {name='east', district='east', primary_per_year=300.0, middle_per_year=150.0}]",
    ];
    let more = tiny(&seats);
    let (mut fam_b, mut fam_m) = (Vec::new(), Vec::new());
    // Twenty seeds: the effect on family exits is small against the spread of one run.
    for seed in (1..=20).map(|k| 11 * k) {
        let (b, m) = (run(&base, seed), run(&more, seed));
        let un_b = b.mean_over_years("children_seated_elsewhere").unwrap();
        let un_m = m.mean_over_years("children_seated_elsewhere").unwrap();
        assert!(un_m < un_b, "seed {seed}: children at a school elsewhere {un_m} with more seats vs {un_b}");
        let fd = |r: &corridor::RunResult| {
            r.years.iter().map(|&y| r.year_value("family_departures", y).unwrap()).sum::<f64>()
                / r.mean_over_years("talent").unwrap()
        };
        fam_b.push(fd(&b));
        fam_m.push(fd(&m));
    }
    // Every child is assigned a school, so a seat at home is worth only the quality and trip over
    // a placement elsewhere: the effect on family exits is small against the seeds' spread (about
    // -1.5 % of the rate, two standard errors at twenty seeds) and is checked over the twenty
    // seeds together (docs/MODEL.md section 8).
    assert!(mean(&fam_m) < mean(&fam_b), "family departure rate {} with more seats vs {}", mean(&fam_m), mean(&fam_b));
}

#[test]
fn higher_rd_subsidy_raises_rd_spend_and_patents() {
    let base = tiny(&["rd.subsidy_rate=0.0"]);
    let more = tiny(&["rd.subsidy_rate=0.4"]);
    for seed in SEEDS {
        let (b, m) = (run(&base, seed), run(&more, seed));
        let total =
            |r: &corridor::RunResult, k: &str| r.years.iter().map(|&y| r.year_value(k, y).unwrap()).sum::<f64>();
        assert!(total(&m, "firm_rd_spend") > total(&b, "firm_rd_spend"), "seed {seed}: R&D spend");
        assert!(
            total(&m, "firm_patents") > total(&b, "firm_patents"),
            "seed {seed}: patents {} vs {}",
            total(&m, "firm_patents"),
            total(&b, "firm_patents")
        );
        assert!(total(&m, "cost_rd_subsidy") > 0.0 && total(&b, "cost_rd_subsidy") == 0.0);
    }
}

#[test]
fn a_new_transit_line_lowers_mean_commute() {
    // The tiny corridor without its metro and with peak-hour road speeds (15 km/h), and the same
    // with a metro along the hub axis opening in 2023.
    // The outside zones without the metro that is removed.
    let zones = "grid.outside_zones=[{name='east_city', x=34.0, y=5.0, rent=3400.0, amenity=0.5, school_quality=0.65}, {name='west_villages', x=-10.0, y=5.0, rent=2200.0, amenity=0.3, school_quality=0.5}]";
    let base = tiny(&["transit.lines=[]", "grid.road_kmh=15.0", zones]);
    let line = "transit.new_lines=[{name='line_1', open_year=2023, kmh=35.0, stations=[[2.0, 5.0], [6.0, 5.0], [12.0, 5.0], [18.0, 5.0], [22.0, 5.0]]}]";
    let more = tiny(&["transit.lines=[]", "grid.road_kmh=15.0", zones, line]);
    let (mut after_b, mut after_m) = (Vec::new(), Vec::new());
    for seed in SEEDS {
        let (b, m) = (run(&base, seed), run(&more, seed));
        assert_eq!(
            b.year_value("mean_commute_min", 2022),
            m.year_value("mean_commute_min", 2022),
            "identical before opening"
        );
        // The month the line opens: the same homes and jobs, shorter trips.
        let (sb, sm) = (b.series("mean_commute_min").unwrap(), m.series("mean_commute_min").unwrap());
        assert!(
            sm[12] < sb[12] - 0.5,
            "seed {seed}: commute in the opening month {} with the line vs {}",
            sm[12],
            sb[12]
        );
        let after = |r: &corridor::RunResult| {
            r.years.iter().filter(|&&y| y >= 2023).map(|&y| r.year_value("mean_commute_min", y).unwrap()).sum::<f64>()
        };
        after_b.push(after(&b));
        after_m.push(after(&m));
    }
    // Later, households re-sort along the line (some accept longer trips for cheaper homes);
    // over the five seeds the mean commute stays lower.
    assert!(
        mean(&after_m) < mean(&after_b),
        "commute over the years {} with the line vs {}",
        mean(&after_m),
        mean(&after_b)
    );
}

/// Distance in km from a cell centre to the nearest of some points (cell coordinates).
fn nearest_km(x: usize, y: usize, pts: &[(f64, f64)], cell_km: f64) -> f64 {
    pts.iter()
        .map(|(px, py)| ((x as f64 + 0.5 - px).powi(2) + (y as f64 + 0.5 - py).powi(2)).sqrt() * cell_km)
        .fold(f64::INFINITY, f64::min)
}

/// Mean final-year market rent within 1.5 km of a hub and beyond 3 km.
fn rent_near_and_far(s: &corridor::scenario::Scenario, r: &corridor::RunResult) -> (f64, f64) {
    let hubs: Vec<(f64, f64)> = s.hubs.iter().map(|h| (h.x, h.y)).collect();
    let last = &r.layers.last().unwrap().layers[2];
    let (w, h, km) = (r.world.width, r.world.height, r.world.cell_km);
    let (mut near, mut nn, mut far, mut nf) = (0.0, 0.0, 0.0, 0.0);
    for y in 0..h {
        for x in 0..w {
            let d = nearest_km(x, y, &hubs, km);
            let rent = last[y * w + x] as f64;
            if d <= 1.5 {
                near += rent;
                nn += 1.0;
            } else if d >= 3.0 {
                far += rent;
                nf += 1.0;
            }
        }
    }
    (near / nn, far / nf)
}

#[test]
fn rents_fall_with_distance_from_hubs() {
    // After ten years of moves, construction and vacancy-driven rents, the gradient holds.
    let s = tiny(&[]);
    for seed in SEEDS {
        let (near, far) = rent_near_and_far(&s, &run(&s, seed));
        assert!(near > far, "seed {seed}: rent near hubs {near:.0} vs far {far:.0}");
    }
}

#[test]
fn a_rent_gradient_emerges_from_flat_initial_rents() {
    // Flat initial rents: a gradient must come from the model's demand, not from the inputs.
    let s = tiny(&[
        "hubs.science_town.rent_premium=0.0",
        "hubs.east_centre.rent_premium=0.0",
        "housing.amenity_rent_premium=0.0",
    ]);
    let start = corridor::engine::Sim::new(&s, 1);
    let (lo, hi) = start.prices.rent.iter().fold((f32::MAX, f32::MIN), |(a, b), &r| (a.min(r), b.max(r)));
    assert!(hi - lo < 1.0, "initial rents must be flat in this test: {lo}..{hi}");
    let (mut near, mut far) = (Vec::new(), Vec::new());
    for seed in SEEDS {
        let (n, f) = rent_near_and_far(&s, &run(&s, seed));
        near.push(n);
        far.push(f);
    }
    // Weaker than with the scenario's premia, so checked over the five seeds together.
    assert!(mean(&near) > mean(&far) * 1.02, "rent near hubs {:.0} vs far {:.0}", mean(&near), mean(&far));
}

/// Yearly growth of a KPI between two years (of its yearly values).
fn growth(r: &corridor::RunResult, kpi: &str, from: i32, to: i32) -> f64 {
    let (a, b) = (r.year_value(kpi, from).unwrap(), r.year_value(kpi, to).unwrap());
    (b / a).powf(1.0 / (to - from) as f64) - 1.0
}

#[test]
fn a_housing_shortage_raises_rents_faster_than_five_percent_a_year_and_shrinks() {
    // Demand shock: a tiny corridor whose stock houses a third of its talent at the start (the
    // rest lives outside and wants in: the outside zones are dear), no new building, no real
    // wage growth (rents move only with demand over supply).
    let short = tiny(&[
        "grid.initial_housing_fill=0.15",
        "housing.land_quota.units_per_year=0.0",
        "talent.wage_growth=0.0",
        "grid.outside_zones=[{name='far', x=-30.0, y=5.0, rent=6000.0, amenity=0.2, school_quality=0.4}]",
    ]);
    for seed in SEEDS {
        let r = run(&short, seed);
        let (first, later) =
            (r.year_value("housing_shortage", 2022).unwrap(), r.year_value("housing_shortage", 2025).unwrap());
        assert!(first > 0.0, "seed {seed}: a shortage at the start");
        let g = growth(&r, "mean_rent", 2022, 2024);
        assert!(g > 0.05, "seed {seed}: rents grow {g} a year in the shortage");
        assert!(later < first, "seed {seed}: the shortage falls from {first} to {later}");
    }
}

#[test]
fn the_shared_ownership_lever_raises_the_ownership_share() {
    let base = tiny(&[]);
    let lever = tiny(&[
        "housing.shared_ownership_units.units_per_year=600.0",
        "housing.shared_ownership_units.start_year=2022",
        "housing.shared_ownership_units.end_year=2031",
    ]);
    for seed in SEEDS {
        let (b, m) = (run(&base, seed), run(&lever, seed));
        let (ob, om) = (b.year_value("ownership_share", 2031).unwrap(), m.year_value("ownership_share", 2031).unwrap());
        assert!(om > ob + 0.01, "seed {seed}: ownership {om} with shared ownership vs {ob}");
    }
}

#[test]
fn enrolment_coordination_seats_children_where_another_district_has_spare_seats() {
    // The west has few seats, the east many to spare.
    let sets = ["districts=[{name='west', x0=0, y0=0, x1=11, y1=9, primary_seats=150.0, middle_seats=80.0, school_quality=0.6}, {name='east', x0=12, y0=0, x1=23, y1=9, primary_seats=1500.0, middle_seats=800.0, school_quality=0.7}]"];
    let base = tiny(&sets);
    let mut with = sets.to_vec();
    with.extend([
        "schools.coordination.quota=0.5",
        "schools.coordination.start_year=2022",
        "schools.coordination.end_year=2031",
    ]);
    let coordinated = tiny(&with);
    // Monthly means: coordination seats children each September; the December stock alone
    // misses the children who reach school age between Septembers.
    let monthly = |r: &corridor::RunResult, kpi: &str| mean(&r.series(kpi).unwrap());
    // Coordination also draws families to the short-seated district, which offsets part of its
    // effect, so a single seed can go the other way (2 of 20 did): ten seeds, in most of which,
    // and in their mean, fewer children are placed beyond the seats.
    let (mut over_b, mut over_c) = (Vec::new(), Vec::new());
    for seed in (1..=10).map(|k| 11 * k) {
        let (b, c) = (run(&base, seed), run(&coordinated, seed));
        assert_eq!(monthly(&b, "children_coordinated"), 0.0);
        assert!(monthly(&c, "children_coordinated") > 0.0, "seed {seed}: coordinated seats are used");
        over_b.push(monthly(&b, "children_overflow"));
        over_c.push(monthly(&c, "children_overflow"));
    }
    let fewer = over_b.iter().zip(&over_c).filter(|(b, c)| c < b).count();
    assert!(fewer >= 7, "children placed beyond the seats fell in {fewer} of 10 seeds: {over_c:?} vs {over_b:?}");
    assert!(mean(&over_c) < 0.95 * mean(&over_b), "{} vs {}", mean(&over_c), mean(&over_b));
}
