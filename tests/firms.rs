//! Behavioural tests of the firm side over five seeds: results that do not depend on
//! `agent_scale`, few firms without workers, start-up survival near its benchmark, the
//! geography of innovation, and the sectors' shares of the initial jobs.

mod common;
use common::{root, tiny, SEEDS};
use corridor::scenario::Scenario;
use corridor::RunResult;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn se(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt() / (v.len() as f64).sqrt()
}

fn total(r: &RunResult, kpi: &str) -> f64 {
    r.years.iter().map(|&y| r.year_value(kpi, y).unwrap()).sum()
}

/// The default corridor (10 people an agent) for `years`.
fn default_corridor(years: u32, sets: &[&str]) -> Scenario {
    let mut all = vec![format!("years={years}")];
    all.extend(sets.iter().map(|s| s.to_string()));
    corridor::scenario::load(&root().join("scenarios/hangzhou-west.toml"), &all)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

#[test]
fn results_do_not_depend_on_agent_scale() {
    // The tiny corridor at 2.5, 5 and 10 people an agent: the same talent, firms, start-ups,
    // patents, output and rents within sampling error (three standard errors of the difference
    // of the means over five seeds, and a floor of 3 % for what the representation leaves).
    let kpis: [(&str, bool); 6] = [
        ("talent", true),
        ("firms", true),
        ("startups", false),
        ("firm_patents", false),
        ("output", false),
        ("mean_rent", true),
    ];
    let scales = [2.5, 5.0, 10.0];
    let mut values = vec![vec![Vec::new(); kpis.len()]; scales.len()];
    for (si, scale) in scales.iter().enumerate() {
        let s = tiny(&[&format!("agent_scale={scale}")]);
        for seed in SEEDS {
            let r = corridor::run(&s, seed);
            for (k, (kpi, stock)) in kpis.iter().enumerate() {
                values[si][k].push(if *stock { r.final_year(kpi).unwrap() } else { total(&r, kpi) });
            }
        }
    }
    for (k, (kpi, _)) in kpis.iter().enumerate() {
        for a in 0..scales.len() {
            for b in a + 1..scales.len() {
                let (va, vb) = (&values[a][k], &values[b][k]);
                let diff = (mean(va) - mean(vb)).abs();
                let allowed = 3.0 * (se(va).powi(2) + se(vb).powi(2)).sqrt() + 0.03 * mean(vb).abs();
                assert!(
                    diff <= allowed,
                    "{kpi}: {:.1} at agent_scale {} vs {:.1} at {} (allowed difference {allowed:.1})",
                    mean(va),
                    scales[a],
                    mean(vb),
                    scales[b]
                );
            }
        }
    }
}

#[test]
fn firms_without_workers_stay_rare_and_start_ups_survive_as_in_the_benchmark() {
    // The default corridor: under 2 % of firms employ nobody in any month. Start-ups and
    // spin-offs alive after 2 years: within 10 points of the BLS figure (66 %, Knaup 2005). After
    // 4 years the model keeps more than the BLS 44 % (docs/MODEL.md section 8): the test asks
    // that survival falls with age and lies between the BLS figure and the Chinese registry's
    // (SAIC 2013: exit rates of 1.6, 6.3, 9.5 and about 8 % in the first four years, so about
    // 77 % alive at 4 years). No hazard is set to hit them: the hazard is a minor term.
    let s = default_corridor(8, &[]);
    let (mut two, mut four) = (Vec::new(), Vec::new());
    for seed in SEEDS {
        let r = corridor::run(&s, seed);
        let empty = r.series("empty_firm_share").unwrap();
        let worst = empty.iter().cloned().fold(0.0, f64::max);
        assert!(worst < 0.02, "seed {seed}: {:.2} % of firms without workers", 100.0 * worst);
        let years = |kpi: &str| -> Vec<f64> {
            r.years.iter().map(|&y| r.year_value(kpi, y).unwrap()).filter(|v| v.is_finite()).collect()
        };
        two.push(mean(&years("startup_survival_2y")));
        four.push(mean(&years("startup_survival_4y")));
    }
    assert!((mean(&two) - 0.66).abs() < 0.10, "2-year survival {:.3} ({two:?})", mean(&two));
    let (two_mean, four_mean) = (mean(&two), mean(&four));
    assert!(four_mean < two_mean - 0.05, "4-year survival {four_mean:.3} vs 2-year {two_mean:.3}");
    assert!(four_mean > 0.44 && four_mean < 0.77, "4-year survival {four_mean:.3} ({four:?})");
}

#[test]
fn a_wider_spread_of_entrants_productivity_cuts_their_survival_and_lets_the_best_grow_bigger() {
    // One selection sets both (docs/MODEL.md section 8 (2)): entrants learn their productivity
    // and the bad ones exit, so a wider spread (`firms.entry_productivity_sd`) means more early
    // exits and larger firms among the good ones. The tiny corridor over five seeds: 2-year
    // survival (mean of the yearly cohorts) lower in every seed, and the firms born in the run
    // alive at the end larger in their top tenth, on average over the seeds.
    let options = corridor::RunOptions { microdata: true };
    let measure = |spread: f64| -> (Vec<f64>, f64) {
        let s = tiny(&[&format!("firms.entry_productivity_sd={spread}")]);
        let (mut survival, mut top) = (Vec::new(), Vec::new());
        for seed in SEEDS {
            let r = corridor::run_with(&s, seed, options, &mut |_, _| {});
            let v: Vec<f64> = r
                .years
                .iter()
                .map(|&y| r.year_value("startup_survival_2y", y).unwrap())
                .filter(|v| v.is_finite())
                .collect();
            survival.push(mean(&v));
            let panel = r.microdata.as_ref().unwrap();
            let last = *r.years.last().unwrap();
            let mut sizes: Vec<f64> = Vec::new();
            for row in
                panel.firms.iter().filter(|f| f.year == last && f.death_month.is_none() && f.origin != "incumbent")
            {
                let people = row.workers.iter().sum::<f64>() / row.firms as f64;
                sizes.extend(std::iter::repeat_n(people, row.firms as usize));
            }
            sizes.sort_by(f64::total_cmp);
            top.push(mean(&sizes[sizes.len() * 9 / 10..]));
        }
        (survival, mean(&top))
    };
    let (narrow, wide) = (measure(0.25), measure(0.55));
    for (i, (a, b)) in narrow.0.iter().zip(&wide.0).enumerate() {
        assert!(b < a, "seed {}: 2-year survival {b:.3} with the wide spread against {a:.3}", SEEDS[i]);
    }
    assert!(
        wide.1 > narrow.1,
        "top tenth of the firms born in the run: {:.1} people with the wide spread against {:.1}",
        wide.1,
        narrow.1
    );
}

/// Distance in km from a cell to the nearest lab.
fn lab_km(s: &Scenario, x: u32, y: u32) -> f64 {
    s.labs
        .sites
        .iter()
        .map(|l| ((x as f64 + 0.5 - l.x).powi(2) + (y as f64 + 0.5 - l.y).powi(2)).sqrt() * s.grid.cell_km)
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn patents_per_worker_fall_with_distance_from_labs_and_concentrate_more_than_jobs() {
    let s = tiny(&[]);
    let options = corridor::RunOptions { microdata: true };
    for seed in SEEDS {
        let r = corridor::run_with(&s, seed, options, &mut |_, _| {});
        let panel = r.microdata.as_ref().unwrap();
        let (mut near, mut far) = ((0.0, 0.0), (0.0, 0.0));
        for row in &panel.firms {
            let d = lab_km(&s, row.x, row.y);
            let workers: f64 = row.workers.iter().sum();
            let slot = if d <= 1.5 {
                &mut near
            } else if d >= 3.0 {
                &mut far
            } else {
                continue;
            };
            slot.0 += row.patents as f64;
            slot.1 += workers;
        }
        let (pn, pf) = (near.0 / near.1, far.0 / far.1);
        assert!(pn > pf, "seed {seed}: patents per worker-year near labs {pn:.4} vs far {pf:.4}");
        let (pg, jg) = (r.mean_over_years("patent_gini").unwrap(), r.mean_over_years("job_gini").unwrap());
        assert!(pg > jg, "seed {seed}: Gini of patents across cells {pg:.3} vs jobs {jg:.3}");
    }
}

#[test]
fn the_researchers_market_bids_up_the_rd_price_and_cuts_the_real_response_to_a_subsidy() {
    // Goolsbee (1998): a subsidy raises R&D demand, the R&D price rises with it, so the patents
    // it buys are fewer than at a fixed price, and patents per public yuan fall with the rate.
    // The tiny corridor over five seeds, 10 years.
    let run = |sets: &[&str]| -> Vec<RunResult> {
        let mut all = vec!["years=10"];
        all.extend_from_slice(sets);
        let s = tiny(&all);
        SEEDS.iter().map(|&seed| corridor::run(&s, seed)).collect()
    };
    let fixed = "firms.researcher_wage_elasticity=0";
    let [none, half, most, half_fixed] = [
        run(&["rd.subsidy_rate=0.0"]),
        run(&["rd.subsidy_rate=0.4"]),
        run(&["rd.subsidy_rate=0.8"]),
        run(&["rd.subsidy_rate=0.4", fixed]),
    ];
    let none_fixed = run(&["rd.subsidy_rate=0.0", fixed]);
    let price = |rs: &[RunResult]| mean(&rs.iter().map(|r| r.final_year("rd_price").unwrap()).collect::<Vec<_>>());
    let patents = |rs: &[RunResult]| mean(&rs.iter().map(|r| total(r, "firm_patents")).collect::<Vec<_>>());
    let cost = |rs: &[RunResult]| mean(&rs.iter().map(|r| total(r, "cost_rd_subsidy")).collect::<Vec<_>>());
    assert!(
        price(&half) > price(&none) && price(&most) > price(&half),
        "R&D price {} {} {}",
        price(&none),
        price(&half),
        price(&most)
    );
    assert!(none_fixed.iter().all(|r| r.final_year("rd_price") == Some(1.0)));
    let gain = patents(&half) - patents(&none);
    let gain_fixed = patents(&half_fixed) - patents(&none_fixed);
    assert!(
        gain > 0.0 && gain < gain_fixed,
        "patents from the subsidy: {gain:.0} with the market, {gain_fixed:.0} at a fixed price"
    );
    let per_yuan_low = gain / cost(&half);
    let per_yuan_high = (patents(&most) - patents(&half)) / (cost(&most) - cost(&half));
    assert!(per_yuan_high < per_yuan_low, "patents per marginal yuan {per_yuan_low:.3e} then {per_yuan_high:.3e}");
}

#[test]
fn a_fund_short_of_the_claims_is_spent_to_the_yuan_and_stops_the_response_to_a_higher_rate() {
    // `rd.fund_per_year` (the decision's 专项资金): claims beyond the fund are paid pro rata, so
    // the public cost is the fund in every year it binds, and a higher rate on the same fund buys
    // (about) nothing: the rate the firms see is what the fund affords. The tiny corridor over
    // five seeds, 10 years; unrationed, the subsidy costs 63-160 million yuan a year at 0.3.
    let fund = 50.0e6;
    let run = |sets: &[&str]| -> Vec<RunResult> {
        let s = tiny(sets);
        SEEDS.iter().map(|&seed| corridor::run(&s, seed)).collect()
    };
    let funded = format!("rd.fund_per_year={fund}");
    let [low, high, low_funded, high_funded] = [
        run(&["rd.subsidy_rate=0.3"]),
        run(&["rd.subsidy_rate=0.6"]),
        run(&["rd.subsidy_rate=0.3", &funded]),
        run(&["rd.subsidy_rate=0.6", &funded]),
    ];
    for r in low_funded.iter().chain(&high_funded) {
        for &y in &r.years {
            let cost = r.year_value("cost_rd_subsidy", y).unwrap();
            assert!(cost <= fund * (1.0 + 1e-9), "{y}: the subsidy cost {cost:.0} yuan, over the fund");
            assert!(cost >= fund * (1.0 - 1e-6), "{y}: {cost:.0} yuan paid of a fund the claims exceed");
        }
    }
    let patents = |rs: &[RunResult]| mean(&rs.iter().map(|r| total(r, "firm_patents")).collect::<Vec<_>>());
    let unlimited = patents(&high) - patents(&low);
    let funded_gain = patents(&high_funded) - patents(&low_funded);
    assert!(unlimited > 0.0, "without a fund a higher rate buys patents: {unlimited:.0}");
    assert!(
        funded_gain < 0.25 * unlimited,
        "patents from 0.3 to 0.6: {funded_gain:.0} on a fund of {fund:.0} a year against {unlimited:.0} without"
    );
    assert!(patents(&low_funded) < patents(&low), "a fund short of the claims buys fewer patents");
}

#[test]
fn a_subsidy_for_one_sector_crowds_out_the_rd_of_the_others_through_the_rd_price() {
    // Goolsbee (1998): a subsidy to one sector's R&D raises researchers' pay for every sector, so
    // the other sectors' patents gain less (or lose) than at a fixed R&D price. The tiny corridor
    // over five seeds, 10 years, with the subsidy for the first sector only.
    let others = |sets: &[&str]| -> f64 {
        let mut all = vec!["rd.sectors=[\"digital\"]"];
        all.extend_from_slice(sets);
        let s = tiny(&all);
        let names: Vec<String> = s.sectors.iter().skip(1).map(|x| format!("patents_{}", x.name)).collect();
        SEEDS
            .iter()
            .map(|&seed| {
                let r = corridor::run(&s, seed);
                names.iter().map(|k| total(&r, k)).sum::<f64>()
            })
            .sum()
    };
    let fixed = "firms.researcher_wage_elasticity=0";
    let with_market = others(&["rd.subsidy_rate=0.5"]) / others(&["rd.subsidy_rate=0.0"]);
    let at_fixed_price = others(&["rd.subsidy_rate=0.5", fixed]) / others(&["rd.subsidy_rate=0.0", fixed]);
    assert!(
        with_market < at_fixed_price,
        "the other sectors' patents change by {:+.1} % with the researchers' market, {:+.1} % at a fixed R&D price",
        100.0 * (with_market - 1.0),
        100.0 * (at_fixed_price - 1.0)
    );
}

/// Exit rates of the start-ups and spin-offs in their first and second year of life (firms
/// born at least two years before the end, weighted by the firms an agent stands for).
fn hazards_in_the_first_two_years(r: &RunResult) -> [f64; 2] {
    let panel = r.microdata.as_ref().unwrap();
    let months = 12 * r.years.len() as u32;
    let mut last = std::collections::BTreeMap::new();
    for row in &panel.firms {
        if row.origin == "startup" || row.origin == "spinoff" {
            last.insert(row.firm, row);
        }
    }
    let (mut exits, mut at_risk) = ([0.0; 2], [0.0; 2]);
    for row in last.values().filter(|row| row.birth_month + 24 <= months) {
        for age in 0..2 {
            let start = row.birth_month + 12 * age as u32;
            if row.death_month.is_some_and(|d| d < start) {
                break;
            }
            at_risk[age] += row.firms as f64;
            if row.death_month.is_some_and(|d| d < start + 12) {
                exits[age] += row.firms as f64;
            }
        }
    }
    [exits[0] / at_risk[0], exits[1] / at_risk[1]]
}

#[test]
fn new_firms_that_learn_their_productivity_exit_most_in_their_second_year() {
    // Jovanovic (1982) learning: a new firm plans with its belief about its productivity and
    // learns the truth from its output, so the poor draws leave when their beliefs have fallen,
    // not at once: over the five seeds together the exit rate rises from the first year of life
    // to the second (the hump of Bruederl & Schuessler 1990, ASQ 35; the Chinese registry's
    // peaks in the third, SAIC 2013), and in each seed the second year's exits relative to the
    // first's are higher than when a firm knows its draw at once (`learning_half_months` = 0),
    // which makes the first year's the highest. The tiny corridor (about 700 new firms a seed, so
    // a seed's two rates differ by noise of about 0.02).
    let options = corridor::RunOptions { microdata: true };
    let hazards = |sets: &[&str]| -> Vec<[f64; 2]> {
        let s = tiny(sets);
        SEEDS
            .iter()
            .map(|&seed| hazards_in_the_first_two_years(&corridor::run_with(&s, seed, options, &mut |_, _| {})))
            .collect()
    };
    let (learning, knowing) = (hazards(&[]), hazards(&["firms.learning_half_months=0"]));
    let pooled = |h: &[[f64; 2]], year: usize| mean(&h.iter().map(|x| x[year]).collect::<Vec<_>>());
    assert!(pooled(&learning, 1) > pooled(&learning, 0), "learning: exit rates {learning:?}");
    assert!(pooled(&knowing, 0) > pooled(&knowing, 1), "knowing: exit rates {knowing:?}");
    for ((l, k), seed) in learning.iter().zip(&knowing).zip(SEEDS) {
        assert!(l[1] / l[0] > k[1] / k[0], "seed {seed}: second over first year {l:?} learning vs {k:?} knowing");
    }
}

#[test]
fn the_feedback_from_patents_to_spillovers_to_patents_stays_bounded() {
    // Twice the innovation rate, step and spillover effect and a labour share of 0.85, for 20
    // years: with linear returns to the local knowledge stock (`spillover_returns = 1`) patents
    // raise spillovers that raise patents faster and faster until output overflows; with the
    // default's diminishing returns the growth of firm patents slows down instead (the last six
    // years grow less than the first six) and output stays finite. Each of five seeds.
    let sets = [
        "years=20",
        "firms.innovation_rate=0.04",
        "firms.innovation_step=0.02",
        "firms.spillover_effect=1.0",
        "firms.alpha=0.85",
    ];
    for seed in SEEDS {
        let r = corridor::run(&tiny(&sets), seed);
        let patents = r.series("firm_patents").unwrap();
        let year = |y: usize| patents[12 * y..12 * (y + 1)].iter().sum::<f64>();
        let (first, last) = (year(6) / year(0), year(19) / year(13));
        assert!(last < first, "seed {seed}: patents grew {first:.2}-fold in 2022-28 and {last:.2}-fold in 2035-41");
        assert!(r.series("output").unwrap().iter().all(|v| v.is_finite()), "seed {seed}: output overflowed");
    }
}

#[test]
fn every_sector_starts_with_its_share_of_the_jobs_and_the_largest_firm_in_the_largest_sector() {
    // A small sector (5 % of firms and talent) on the tiny corridor, whose largest firm holds 15 %
    // of the jobs: drawn firm by firm, the sectors of the few largest firms were a lottery that
    // gave the small sector 1.3-5.8 % of the filled jobs over these seeds (a mean of 3.1 %).
    // Assigned by share, it holds its 5 % within a quarter of it in every seed (only the initial
    // state is built, so twenty seeds are cheap), and the largest firm is in the large sector.
    let s = tiny(&[
        "sectors.digital.firm_share=0.95",
        "sectors.digital.talent_share=0.95",
        "sectors.life_health.firm_share=0.05",
        "sectors.life_health.talent_share=0.05",
    ]);
    for seed in 1..=20 {
        let sim = corridor::engine::Sim::new(&s, seed);
        let firms = &sim.firms.records;
        let mut jobs = [0.0f64; 2];
        for f in firms {
            jobs[f.sector as usize] += f.headcount() as f64;
        }
        let small = jobs[1] / (jobs[0] + jobs[1]);
        assert!((small - 0.05).abs() <= 0.25 * 0.05, "seed {seed}: the 5 % sector holds {small:.4} of the filled jobs");
        let largest = firms.iter().max_by_key(|f| f.headcount()).unwrap();
        assert_eq!(largest.sector, 0, "seed {seed}: the largest firm is in the 5 % sector");
    }
}

/// Standard deviation of a sample (over n).
fn spread(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
}

/// Skewness of a sample.
fn skewness(v: &[f64]) -> f64 {
    let (m, sd) = (mean(v), spread(v));
    v.iter().map(|x| ((x - m) / sd).powi(3)).sum::<f64>() / v.len() as f64
}

#[test]
fn a_cohort_of_new_firms_is_right_skewed_at_birth_and_grows_towards_lognormal_not_by_selection() {
    // Cabral & Mata (2003, AER 93(4)): the log sizes of a cohort of new firms are right-skewed at
    // birth and evolve towards a lognormal, and selection accounts for very little of it. The
    // default corridor over ten years, five seeds: the start-ups, spin-offs and relocations born
    // in 2022-2024, their log size in the December of their birth year and, for those alive at
    // the end, in 2031. In every seed the cohort is right-skewed at birth; its survivors were no
    // less skewed at birth than the whole cohort on average (what exits is not the right tail),
    // and by 2031 they are less skewed and more spread than they were at birth. The fall comes
    // from learning (docs/MODEL.md section 8 (2)): with `firms.learning_half_months` = 0 the
    // survivors' skewness rises in seed 11 and their spread falls in seed 22.
    let s = default_corridor(10, &[]);
    let options = corridor::RunOptions { microdata: true };
    let mut gap_at_birth = Vec::new();
    for seed in SEEDS {
        let r = corridor::run_with(&s, seed, options, &mut |_, _| {});
        let panel = r.microdata.as_ref().unwrap();
        let last = *r.years.last().unwrap();
        let start = r.years[0];
        let one = |row: &corridor::output::FirmYear| row.workers.iter().sum::<f64>() / row.firms as f64;
        let birth_year = |row: &corridor::output::FirmYear| start + (row.birth_month / 12) as i32;
        // Each firm's size in its birth year and at the end (when alive), weighted by `firms`.
        // (In firm order, so that the sums below are the same from run to run.)
        let mut at_birth: std::collections::BTreeMap<u32, (f64, u32)> = std::collections::BTreeMap::new();
        let mut at_end: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
        for row in panel.firms.iter().filter(|f| f.origin != "incumbent" && birth_year(f) <= start + 2) {
            if row.year == birth_year(row) && one(row) >= 1.0 {
                at_birth.insert(row.firm, (one(row).ln(), row.firms));
            }
            if row.year == last && row.death_month.is_none() && one(row) >= 1.0 {
                at_end.insert(row.firm, one(row).ln());
            }
        }
        let (mut cohort, mut survivors_then, mut survivors_now) = (Vec::new(), Vec::new(), Vec::new());
        for (firm, &(size, m)) in &at_birth {
            cohort.extend(std::iter::repeat_n(size, m as usize));
            if let Some(&now) = at_end.get(firm) {
                survivors_then.extend(std::iter::repeat_n(size, m as usize));
                survivors_now.extend(std::iter::repeat_n(now, m as usize));
            }
        }
        assert!(survivors_now.len() > 1000, "seed {seed}: {} survivors", survivors_now.len());
        let (born, then, now) = (skewness(&cohort), skewness(&survivors_then), skewness(&survivors_now));
        assert!(born > 0.3, "seed {seed}: the cohort's log sizes at birth have skewness {born:.2}");
        assert!(now < then, "seed {seed}: the survivors' skewness {now:.2} at the end against {then:.2} at birth");
        let (sd_then, sd_now) = (spread(&survivors_then), spread(&survivors_now));
        assert!(
            sd_now > sd_then,
            "seed {seed}: the survivors' log-size sd {sd_now:.2} at the end against {sd_then:.2}"
        );
        gap_at_birth.push(then - born);
    }
    assert!(mean(&gap_at_birth) >= 0.0, "survivors less skewed at birth than their cohorts: {gap_at_birth:?}");
}
