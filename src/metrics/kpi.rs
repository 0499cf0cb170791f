//! The monthly measurement: one pass over the households and one over the firms gather the
//! month's [`Measures`], from which every column of the KPI registry takes its value; each
//! December the spatial layers. Everything here only reads the state.

use rayon::prelude::*;

use super::layers::LayerSnapshot;
use super::registry::{self, Aggregate, Column};
use crate::accounts::Accounts;
use crate::agents::expectations::SUM_CHUNK;
use crate::agents::firm::Origin;
use crate::agents::housing::MARKET;
use crate::agents::talent::{in_corridor, zone_of, Tenure, FLAG_COORDINATED, FLAG_OVERFLOW, LAB_BIT};
use crate::engine::Sim;
use crate::policy::Ledger;
use crate::scenario::Scenario;

/// The monthly KPI rows of a run and its yearly layers.
#[derive(Clone, Default)]
pub struct Recorder {
    /// Column names, in the registry's order for the scenario.
    pub columns: Vec<String>,
    pub kinds: Vec<Aggregate>,
    pub rows: Vec<Vec<f64>>,
    pub layers: Vec<LayerSnapshot>,
    entries: Vec<Column<'static>>,
}

impl Recorder {
    pub fn new(s: &Scenario) -> Recorder {
        let cols = registry::columns(s);
        Recorder {
            kinds: cols.iter().map(|c| c.1.aggregate()).collect(),
            entries: cols.iter().map(|c| c.1).collect(),
            columns: cols.into_iter().map(|c| c.0).collect(),
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
        let m = Measures::of(sim, month);
        self.rows.push(self.entries.iter().map(|c| c.value(&m)).collect());
        if month % 12 == 11 {
            self.layers.push(snapshot(sim, sim.scenario.start_year + (month / 12) as i32));
        }
    }
}

/// Sums over the households (per chunk, then combined in chunk order: the same for any number
/// of threads), in agents.
#[derive(Clone, Default)]
pub struct TalentSums {
    pub employed: f64,
    pub commute: f64,
    /// Employed within `output.jobs_housing_min` minutes of work, and over 45 and 60 minutes.
    pub near: f64,
    pub over_45: f64,
    pub over_60: f64,
    /// Wages at the start year's wage level.
    pub wage: f64,
    /// Sum of housing cost over income of the renters, and the renters.
    pub rent_share: f64,
    pub renters: f64,
    pub outside: f64,
    /// Employed households living outside the corridor.
    pub outside_employed: f64,
    /// Households living in the corridor, and those that own their home (in full or shared).
    pub residents: f64,
    pub owners: f64,
    pub waitlist: f64,
    /// Children of school age: at a school of the district (or outside zone) where they live, in
    /// another district by coordination, placed beyond their district's seats.
    pub school_age: f64,
    pub seated_home: f64,
    pub coordinated: f64,
    pub overflow: f64,
    /// Sum of the extra school trip of the children at a school elsewhere, and of the quality of
    /// every child's school.
    pub extra_trip: f64,
    pub quality: f64,
    pub by_tier: Vec<f64>,
    pub wage_by_tier: Vec<f64>,
    pub emp_by_tier: Vec<f64>,
    pub emp_by_sector: Vec<f64>,
    pub elsewhere_by_district: Vec<f64>,
    /// Households living in each outside zone.
    pub by_zone: Vec<f64>,
}

impl TalentSums {
    fn add(&mut self, o: &TalentSums) {
        for (x, y) in [
            (&mut self.employed, o.employed),
            (&mut self.commute, o.commute),
            (&mut self.near, o.near),
            (&mut self.over_45, o.over_45),
            (&mut self.over_60, o.over_60),
            (&mut self.wage, o.wage),
            (&mut self.rent_share, o.rent_share),
            (&mut self.renters, o.renters),
            (&mut self.outside, o.outside),
            (&mut self.outside_employed, o.outside_employed),
            (&mut self.residents, o.residents),
            (&mut self.owners, o.owners),
            (&mut self.waitlist, o.waitlist),
            (&mut self.school_age, o.school_age),
            (&mut self.seated_home, o.seated_home),
            (&mut self.coordinated, o.coordinated),
            (&mut self.overflow, o.overflow),
            (&mut self.extra_trip, o.extra_trip),
            (&mut self.quality, o.quality),
        ] {
            *x += y;
        }
        for (a, b) in [
            (&mut self.by_tier, &o.by_tier),
            (&mut self.wage_by_tier, &o.wage_by_tier),
            (&mut self.emp_by_tier, &o.emp_by_tier),
            (&mut self.emp_by_sector, &o.emp_by_sector),
            (&mut self.elsewhere_by_district, &o.elsewhere_by_district),
            (&mut self.by_zone, &o.by_zone),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }
}

/// A firm's output, R&D, sector and, if alive, its origin and open vacancies.
type FirmRow = (f64, f64, u8, Option<(Origin, u32)>);

/// What the month's KPIs are computed from (agent counts unless named otherwise; `scale`
/// turns agents into people).
pub struct Measures<'a> {
    pub scale: f64,
    pub agents: f64,
    pub talent: TalentSums,
    pub ledger: &'a Ledger,
    pub accounts: &'a Accounts,
    /// The real wage trend (wages are summed at the start year's level).
    pub trend: f64,
    /// Households (agent units) that wanted a home in the corridor this month and found none.
    pub shortage: f64,
    pub firms: f64,
    pub firms_by_sector: Vec<f64>,
    pub by_origin: [f64; 4],
    pub output: f64,
    pub output_by_sector: Vec<f64>,
    pub firm_rd: f64,
    pub lab_rd: f64,
    pub vacancies: f64,
    pub lab_patents: f64,
    pub firm_patents: f64,
    /// Market rent times market units, and market units (corridor and per district).
    pub rent_sum: f64,
    pub rent_units: f64,
    pub district_rent: Vec<(f64, f64)>,
    pub median_rent: f64,
    pub units: f64,
    pub vacant_units: f64,
    pub stock_units: [f64; 3],
    pub pipeline: f64,
    pub seats: f64,
    pub mean_commute: f64,
}

impl<'a> Measures<'a> {
    /// The measures of the month `month`, just stepped.
    pub fn of(sim: &'a Sim, month: u32) -> Measures<'a> {
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
            elsewhere_by_district: vec![0.0; nd],
            by_zone: vec![0.0; sim.world.zones.len()],
            ..TalentSums::default()
        };
        let sc = &s.schools;
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
                    if in_corridor(t.home) {
                        a.residents += 1.0;
                        if t.tenure.owns() {
                            a.owners += 1.0;
                        }
                    } else {
                        a.outside += 1.0;
                        if let Some(z) = zone_of(t.home) {
                            a.by_zone[z] += 1.0;
                        }
                        if t.employed() {
                            a.outside_employed += 1.0;
                        }
                    }
                    if t.waitlist_since > 0 {
                        a.waitlist += 1.0;
                    }
                    if let Some(level) = t.school_level() {
                        a.school_age += 1.0;
                        if let Some(z) = zone_of(t.home) {
                            a.seated_home += 1.0;
                            a.quality += sim.world.zones[z].school_quality;
                        } else if t.seat_district >= 0 {
                            let d = t.seat_district as usize;
                            if t.flags & FLAG_OVERFLOW != 0 {
                                a.overflow += 1.0;
                                a.extra_trip += sc.overflow_trip_min;
                                a.quality += sc.overflow_quality;
                                a.elsewhere_by_district[d] += 1.0;
                            } else {
                                a.quality += sim.schools.quality[d][level as usize];
                                if t.flags & FLAG_COORDINATED != 0 {
                                    a.coordinated += 1.0;
                                    a.extra_trip += sc.coordinated_trip_min;
                                    let home = sim.world.district[t.home as usize];
                                    if home >= 0 {
                                        a.elsewhere_by_district[home as usize] += 1.0;
                                    }
                                } else {
                                    a.seated_home += 1.0;
                                }
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
                        if c > 45.0 {
                            a.over_45 += 1.0;
                        }
                        if c > 60.0 {
                            a.over_60 += 1.0;
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
        let mean_commute = if ts.employed > 0.0 { ts.commute / ts.employed } else { 0.0 };
        // Firm accounts are at the start year's wage level: the trend makes them yuan of the
        // start year.
        let trend = sim.prices.trend;
        output *= trend;
        firm_rd *= trend;
        output_by_sector.iter_mut().for_each(|x| *x *= trend);
        Measures {
            scale,
            agents: n,
            talent: ts,
            ledger: flows,
            accounts: &sim.accounts,
            trend,
            shortage: h.shortage,
            firms,
            firms_by_sector,
            by_origin,
            output,
            output_by_sector,
            firm_rd,
            lab_rd,
            vacancies,
            lab_patents,
            firm_patents,
            rent_sum,
            rent_units,
            district_rent: d_rent,
            median_rent: median,
            units,
            vacant_units: vacant,
            stock_units,
            pipeline,
            seats,
            mean_commute,
        }
    }
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
