//! The KPI table: column names, how each aggregates to a year, and the monthly measurement.

use rayon::prelude::*;

use super::layers::LayerSnapshot;
use crate::agents::expectations::SUM_CHUNK;
use crate::agents::firm::Origin;
use crate::agents::housing::{MARKET, SHARED, TALENT};
use crate::agents::talent::{Tenure, LAB_BIT, OUTSIDE};
use crate::engine::Sim;
use crate::policy::Lever;
use crate::scenario::Scenario;

/// How a monthly KPI becomes a yearly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// Summed over the year (counts of events, money flows).
    Flow,
    /// Value in December (stocks).
    Stock,
    /// Mean over the year's months (prices, rates, shares).
    Mean,
}

#[derive(Clone, Debug, Default)]
pub struct Recorder {
    pub columns: Vec<String>,
    pub kinds: Vec<Aggregate>,
    pub rows: Vec<Vec<f64>>,
    pub layers: Vec<LayerSnapshot>,
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

impl Recorder {
    pub fn new(s: &Scenario) -> Recorder {
        use Aggregate::*;
        let mut cols: Vec<(String, Aggregate)> = [
            ("talent", Stock),
            ("talent_arrivals", Flow),
            ("talent_departures", Flow),
            ("family_departures", Flow),
            ("employed", Stock),
            ("unemployed", Stock),
            ("vacancies", Stock),
            ("firms", Stock),
            ("firm_births", Flow),
            ("firm_deaths", Flow),
            ("spinoffs", Flow),
            ("startups", Flow),
            ("relocations", Flow),
            ("patents", Flow),
            ("lab_patents", Flow),
            ("firm_patents", Flow),
            ("rd_spend", Flow),
            ("firm_rd_spend", Flow),
            ("output", Flow),
            ("rd_intensity", Mean),
            ("mean_wage", Mean),
            ("mean_rent", Mean),
            ("median_rent", Mean),
            ("rent_to_income", Mean),
            ("vacancy_rate", Mean),
            ("housing_units", Stock),
            ("talent_units", Stock),
            ("shared_ownership_units", Stock),
            ("housing_pipeline", Stock),
            ("living_outside", Stock),
            ("talent_waitlist", Stock),
            ("mean_commute_min", Mean),
            ("jobs_housing_balance", Mean),
            ("school_seats", Stock),
            ("children_seated", Stock),
            ("children_unseated", Stock),
            ("public_cost", Flow),
        ]
        .iter()
        .map(|(n, k)| (n.to_string(), *k))
        .collect();
        for t in &s.talent.tiers {
            let n = snake(&t.name);
            cols.push((format!("talent_{n}"), Stock));
            cols.push((format!("arrivals_{n}"), Flow));
            cols.push((format!("departures_{n}"), Flow));
            cols.push((format!("wage_{n}"), Mean));
        }
        for sec in &s.sectors {
            let n = snake(&sec.name);
            cols.push((format!("firms_{n}"), Stock));
            cols.push((format!("employed_{n}"), Stock));
            cols.push((format!("patents_{n}"), Flow));
            cols.push((format!("output_{n}"), Flow));
        }
        for o in Origin::ALL {
            cols.push((format!("origin_{}", o.name()), Stock));
        }
        for l in Lever::ALL {
            cols.push((format!("cost_{}", l.name()), Flow));
        }
        for d in &s.districts {
            let n = snake(&d.name);
            cols.push((format!("unseated_{n}"), Stock));
            cols.push((format!("rent_{n}"), Mean));
        }
        Recorder {
            columns: cols.iter().map(|c| c.0.clone()).collect(),
            kinds: cols.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
            layers: Vec::new(),
        }
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Measures the month just stepped (`sim.month` has moved on to the next one) and, after a
    /// December, the spatial layers. It only reads the state.
    pub fn record(&mut self, sim: &Sim) {
        let month = sim.month.checked_sub(1).expect("a month is recorded after it was stepped");
        let row = measure(sim, month);
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
        if month % 12 == 11 {
            self.layers.push(snapshot(sim, sim.scenario.start_year + (month / 12) as i32));
        }
    }
}

/// Per-chunk partial sums over talent, combined in chunk order (thread-count independent).
#[derive(Clone, Default)]
struct TalentSums {
    employed: f64,
    commute: f64,
    near: f64,
    wage: f64,
    rent_share: f64,
    renters: f64,
    outside: f64,
    waitlist: f64,
    seated: f64,
    unseated: f64,
    by_tier: Vec<f64>,
    wage_by_tier: Vec<f64>,
    emp_by_tier: Vec<f64>,
    emp_by_sector: Vec<f64>,
    unseated_by_district: Vec<f64>,
}

impl TalentSums {
    fn add(&mut self, o: &TalentSums) {
        self.employed += o.employed;
        self.commute += o.commute;
        self.near += o.near;
        self.wage += o.wage;
        self.rent_share += o.rent_share;
        self.renters += o.renters;
        self.outside += o.outside;
        self.waitlist += o.waitlist;
        self.seated += o.seated;
        self.unseated += o.unseated;
        for (a, b) in [
            (&mut self.by_tier, &o.by_tier),
            (&mut self.wage_by_tier, &o.wage_by_tier),
            (&mut self.emp_by_tier, &o.emp_by_tier),
            (&mut self.emp_by_sector, &o.emp_by_sector),
            (&mut self.unseated_by_district, &o.unseated_by_district),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
}

/// A firm's output, R&D, sector and, if alive, its origin and open vacancies.
type FirmRow = (f64, f64, u8, Option<(Origin, u32)>);

fn measure(sim: &Sim, month: u32) -> Vec<f64> {
    let s = &sim.scenario;
    let scale = s.agent_scale;
    let tiers = s.talent.tiers.len();
    let sectors = s.sectors.len();
    let nd = s.districts.len();
    let jh = s.output.jobs_housing_min;
    let util = crate::engine::household_view!(sim);
    let empty = TalentSums {
        by_tier: vec![0.0; tiers],
        wage_by_tier: vec![0.0; tiers],
        emp_by_tier: vec![0.0; tiers],
        emp_by_sector: vec![0.0; sectors],
        unseated_by_district: vec![0.0; nd],
        ..TalentSums::default()
    };
    // Firm sectors in a compact table: the pass reads one for every employed agent.
    let firm_sector: Vec<u8> = sim.firms.records.iter().map(|f| f.sector).collect();
    let partials: Vec<TalentSums> = sim
        .talent
        .agents
        .par_chunks(SUM_CHUNK)
        .map(|chunk| {
            let mut a = empty.clone();
            for t in chunk {
                a.by_tier[t.tier as usize] += 1.0;
                if t.home == OUTSIDE {
                    a.outside += 1.0;
                }
                if t.waitlist_since > 0 {
                    a.waitlist += 1.0;
                }
                if t.seat_district >= 0 {
                    a.seated += 1.0;
                } else if t.school_level().is_some() {
                    a.unseated += 1.0;
                    if t.home != OUTSIDE {
                        let d = sim.world.district[t.home as usize];
                        if d >= 0 {
                            a.unseated_by_district[d as usize] += 1.0;
                        }
                    }
                }
                if matches!(t.tenure, Tenure::Market | Tenure::TalentUnit | Tenure::Shared | Tenure::Outside) {
                    let inc = util.income(t).max(1.0);
                    let cost = util.housing_cost(t.home, t.tenure) - util.rent_subsidy(t, t.home);
                    a.rent_share += cost.max(0.0) / inc;
                    a.renters += 1.0;
                }
                if t.employed() {
                    a.employed += 1.0;
                    let wage = util.wage(t);
                    a.wage += wage;
                    a.wage_by_tier[t.tier as usize] += wage;
                    a.emp_by_tier[t.tier as usize] += 1.0;
                    let c = t.commute as f64;
                    a.commute += c;
                    if c <= jh {
                        a.near += 1.0;
                    }
                    if t.employer & LAB_BIT == 0 {
                        a.emp_by_sector[firm_sector[t.employer as usize] as usize] += 1.0;
                    }
                }
            }
            a
        })
        .collect();
    let mut ts = empty.clone();
    for p in &partials {
        ts.add(p);
    }
    let n = sim.talent.agents.len() as f64;
    let flows = &sim.ledger;
    let h = &sim.housing;
    let rent = &sim.prices.rent;
    let cells = sim.world.cells();

    let mut firms = 0.0;
    let mut output = 0.0;
    let mut firm_rd = 0.0;
    let mut vacancies = 0.0;
    let mut firms_by_sector = vec![0.0; sectors];
    let mut output_by_sector = vec![0.0; sectors];
    let mut by_origin = [0.0; 4];
    // What the firm records hold, gathered in parallel; summed in firm order below.
    let firm_rows: Vec<FirmRow> = sim
        .firms
        .records
        .par_iter()
        .with_min_len(1024)
        .map(|f| (f.output, f.rd, f.sector, f.alive.then(|| (f.origin, f.vacancies.iter().sum::<u32>()))))
        .collect();
    for &(out, rd, sector, alive) in &firm_rows {
        output += out;
        output_by_sector[sector as usize] += out;
        firm_rd += rd;
        if let Some((origin, open)) = alive {
            firms += 1.0;
            firms_by_sector[sector as usize] += 1.0;
            by_origin[origin as usize] += 1.0;
            vacancies += open as f64;
        }
    }
    let mult = sim.policy.lab_budget_multiplier(s);
    let mut lab_rd = 0.0;
    for l in &sim.labs {
        vacancies += l.vacancies.iter().sum::<u32>() as f64;
        if l.is_open(month) {
            lab_rd += l.budget_per_year * if l.is_new { 1.0 } else { mult } / 12.0;
        }
    }
    // Rents: unit-weighted mean and median of market rents; per district means.
    let (mut rent_sum, mut rent_units) = (0.0, 0.0);
    let mut d_rent = vec![(0.0, 0.0); nd];
    let (mut units, mut vacant) = (0.0, 0.0);
    let mut stock_units = [0.0; 3];
    for c in 0..cells {
        let u = h.units[MARKET][c];
        for (k, su) in stock_units.iter_mut().enumerate() {
            *su += h.units[k][c] as f64;
            units += h.units[k][c] as f64;
            vacant += h.vacant(k, c) as f64;
        }
        if u > 0 {
            rent_sum += rent[c] as f64 * u as f64;
            rent_units += u as f64;
            let d = sim.world.district[c];
            if d >= 0 {
                d_rent[d as usize].0 += rent[c] as f64 * u as f64;
                d_rent[d as usize].1 += u as f64;
            }
        }
    }
    let median = h.median_market_rent(rent).unwrap_or(0.0);
    let pipeline: f64 = h.projects.iter().map(|p| p.units as f64).sum();
    let seats: f64 = sim.schools.seats.iter().map(|x| x[0].floor() + x[1].floor()).sum();
    let lab_patents = flows.lab_patents as f64;
    let firm_patents: f64 = flows.firm_patents_by_sector.iter().map(|&x| x as f64).sum();
    let public_cost: f64 = flows.public_cost();
    let mean_commute = if ts.employed > 0.0 { ts.commute / ts.employed } else { 0.0 };
    let rd_spend = firm_rd + lab_rd + flows.grant_rd;
    let div = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };

    let mut row = vec![
        n * scale,
        flows.arrivals.iter().sum::<u32>() as f64 * scale,
        flows.departures.iter().sum::<u32>() as f64 * scale,
        flows.family_departures as f64 * scale,
        ts.employed * scale,
        (n - ts.employed) * scale,
        vacancies * scale,
        firms,
        flows.firm_births.values().sum::<u32>() as f64,
        flows.firm_deaths as f64,
        flows.firm_births[Origin::Spinoff] as f64,
        flows.firm_births[Origin::Startup] as f64,
        flows.firm_births[Origin::Relocated] as f64,
        lab_patents + firm_patents,
        lab_patents,
        firm_patents,
        rd_spend,
        firm_rd,
        output,
        div(rd_spend, output),
        div(ts.wage, ts.employed),
        div(rent_sum, rent_units),
        median,
        div(ts.rent_share, ts.renters),
        div(vacant, units),
        units * scale,
        stock_units[TALENT] * scale,
        stock_units[SHARED] * scale,
        pipeline * scale,
        ts.outside * scale,
        ts.waitlist * scale,
        mean_commute,
        div(ts.near, ts.employed),
        seats * scale,
        ts.seated * scale,
        ts.unseated * scale,
        public_cost,
    ];
    for t in 0..tiers {
        row.push(ts.by_tier[t] * scale);
        row.push(flows.arrivals[t] as f64 * scale);
        row.push(flows.departures[t] as f64 * scale);
        row.push(div(ts.wage_by_tier[t], ts.emp_by_tier[t]));
    }
    for sec in 0..sectors {
        row.push(firms_by_sector[sec]);
        row.push(ts.emp_by_sector[sec] * scale);
        row.push(flows.firm_patents_by_sector[sec] as f64);
        row.push(output_by_sector[sec]);
    }
    for o in by_origin {
        row.push(o);
    }
    for &c in flows.cost.values() {
        row.push(c);
    }
    for d in 0..nd {
        row.push(ts.unseated_by_district[d] * scale);
        row.push(div(d_rent[d].0, d_rent[d].1));
    }
    row
}

/// The layers of the year that just ended.
fn snapshot(sim: &Sim, year: i32) -> LayerSnapshot {
    let n = sim.world.cells();
    let km2 = sim.world.cell_km * sim.world.cell_km;
    let scale = sim.scenario.agent_scale;
    let mut firm_density = vec![0f32; n];
    for f in sim.firms.records.iter().filter(|f| f.alive) {
        firm_density[f.cell as usize] += (1.0 / km2) as f32;
    }
    LayerSnapshot {
        year,
        layers: [
            sim.fields.residents.iter().map(|&r| (r as f64 * scale / km2) as f32).collect(),
            firm_density,
            sim.prices.rent.clone(),
            sim.fields.spillover.clone(),
            sim.fields.patents.clone(),
        ],
    }
}
