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
    /// People of each firm record (all its firms) at the end of the last December; empty
    /// before the first.
    december_people: Vec<f64>,
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
            december_people: Vec::new(),
        }
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Measures the month just stepped (`sim.month` has moved on to the next one) and, after a
    /// December, the spatial layers. It only reads the state.
    pub fn record(&mut self, sim: &Sim) {
        let month = sim.month.checked_sub(1).expect("a month is recorded after it was stepped");
        let mut m = Measures::of(sim, month);
        if month % 12 == 11 {
            let now = people_at_month_end(sim);
            m.firm_stats.startup_growth = startup_growth(&sim.firms.records, &self.december_people, &now, month);
            self.december_people = now;
            self.layers.push(snapshot(sim, sim.scenario.start_year + (month / 12) as i32));
        }
        self.rows.push(self.entries.iter().map(|c| c.value(&m)).collect());
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

/// The counts of [`TalentSums`] over a chunk of households, in integers.
#[derive(Default)]
struct Counts {
    employed: u32,
    near: u32,
    over_45: u32,
    over_60: u32,
    renters: u32,
    outside: u32,
    outside_employed: u32,
    residents: u32,
    owners: u32,
    waitlist: u32,
    school_age: u32,
    seated_home: u32,
    coordinated: u32,
    overflow: u32,
    by_tier: Vec<u32>,
    emp_by_tier: Vec<u32>,
    emp_by_sector: Vec<u32>,
    elsewhere_by_district: Vec<u32>,
    by_zone: Vec<u32>,
}

impl Counts {
    /// Zero counts with the lengths of `like`'s tables.
    fn new(like: &TalentSums) -> Counts {
        let zeros = |v: &Vec<f64>| vec![0u32; v.len()];
        Counts {
            by_tier: zeros(&like.by_tier),
            emp_by_tier: zeros(&like.emp_by_tier),
            emp_by_sector: zeros(&like.emp_by_sector),
            elsewhere_by_district: zeros(&like.elsewhere_by_district),
            by_zone: zeros(&like.by_zone),
            ..Counts::default()
        }
    }

    /// Writes the counts into `sums` (whose counts are zero).
    fn into(self, sums: &mut TalentSums) {
        for (x, y) in [
            (&mut sums.employed, self.employed),
            (&mut sums.near, self.near),
            (&mut sums.over_45, self.over_45),
            (&mut sums.over_60, self.over_60),
            (&mut sums.renters, self.renters),
            (&mut sums.outside, self.outside),
            (&mut sums.outside_employed, self.outside_employed),
            (&mut sums.residents, self.residents),
            (&mut sums.owners, self.owners),
            (&mut sums.waitlist, self.waitlist),
            (&mut sums.school_age, self.school_age),
            (&mut sums.seated_home, self.seated_home),
            (&mut sums.coordinated, self.coordinated),
            (&mut sums.overflow, self.overflow),
        ] {
            *x = y as f64;
        }
        for (a, b) in [
            (&mut sums.by_tier, &self.by_tier),
            (&mut sums.emp_by_tier, &self.emp_by_tier),
            (&mut sums.emp_by_sector, &self.emp_by_sector),
            (&mut sums.elsewhere_by_district, &self.elsewhere_by_district),
            (&mut sums.by_zone, &self.by_zone),
        ] {
            for (x, &y) in a.iter_mut().zip(b) {
                *x = y as f64;
            }
        }
    }
}

/// What the KPIs read of a firm record.
#[derive(Clone, Copy)]
struct FirmRow {
    output: f64,
    rd: f64,
    sector: u8,
    origin: Origin,
    alive: bool,
    multiplicity: u32,
    /// People of one of its firms.
    people: f64,
    vacancies: u32,
    cell: u32,
    birth: u32,
    death: u32,
    patents_ytd: u32,
}

/// The firm side's distribution KPIs of a month (see the registry for their definitions).
#[derive(Clone, Debug, Default)]
pub struct FirmStats {
    pub empty_firms: f64,
    pub survival_2y: f64,
    pub survival_4y: f64,
    /// Set by the recorder in December (it needs last December's people); NaN otherwise.
    pub startup_growth: f64,
    pub tail: f64,
    pub tail_new: f64,
    pub largest_share: f64,
    pub top1_share: f64,
    pub patent_gini: f64,
    pub job_gini: f64,
    pub output_gini: f64,
}

/// Share of the new firms (start-ups and spin-offs) born in the 12 months up to `age` months ago
/// that lived at least `age` months, weighted by the firms each agent stands for; NaN without
/// such a cohort.
fn survival(rows: &[FirmRow], month: u32, age: u32) -> f64 {
    let Some(last) = month.checked_sub(age) else { return f64::NAN };
    let first = last.saturating_sub(11);
    let (mut born, mut lived) = (0.0, 0.0);
    for r in rows.iter().filter(|r| r.origin.is_new_firm() && (first..=last).contains(&r.birth)) {
        born += r.multiplicity as f64;
        if r.alive || r.death - r.birth >= age {
            lived += r.multiplicity as f64;
        }
    }
    if born > 0.0 {
        lived / born
    } else {
        f64::NAN
    }
}

/// People of each firm record (all its firms) at the end of the month, counted from the
/// households (as `firms.csv` counts them): the records' own counts are those of the month's
/// start.
fn people_at_month_end(sim: &Sim) -> Vec<f64> {
    use crate::agents::talent::{LAB_BIT, NO_JOB};
    let counts = crate::agents::par_count(&sim.talent.agents, sim.firms.records.len(), |t, acc| {
        if t.employer != NO_JOB && t.employer & LAB_BIT == 0 {
            acc[t.employer as usize] += 1;
        }
    });
    counts.iter().map(|&n| n as f64 * sim.scenario.agent_scale).collect()
}

/// In December (`month`), the employment growth Σ (E − E₀) / Σ ½ (E + E₀) of the new firms
/// (start-ups and spin-offs) born in the previous calendar year and alive now: E their people
/// `now`, E₀ theirs `before`, at the end of the December of their birth year (all of an agent's
/// firms; 0 for a record that did not exist then). NaN before such a cohort exists.
fn startup_growth(firms: &[crate::agents::firm::Firm], before: &[f64], now: &[f64], month: u32) -> f64 {
    if month % 12 != 11 || month < 23 {
        return f64::NAN;
    }
    let born = month - 23..=month - 12;
    let (mut change, mut mean) = (0.0, 0.0);
    for f in firms.iter().filter(|f| f.alive && f.origin.is_new_firm() && born.contains(&f.birth_month)) {
        let (e0, e1) = (before.get(f.id as usize).copied().unwrap_or(0.0), now[f.id as usize]);
        change += e1 - e0;
        mean += 0.5 * (e0 + e1);
    }
    if mean > 0.0 {
        change / mean
    } else {
        f64::NAN
    }
}

/// The Hill estimate of the Pareto exponent of the upper tail of firm sizes: the top 10 % of the
/// firms with at least one person, each (size, firms) weighted by its firms; NaN with fewer than
/// 5 firms in the tail, and NaN when the tail has no spread (every firm in it as large as the
/// threshold, as when the firms born in the run are all start-ups of the same size): the mean log
/// excess over the threshold is then zero, and it is summed term by term so that it is exactly
/// zero rather than a rounding residue whose inverse would read as an exponent.
pub fn hill_tail(mut sizes: Vec<(f64, f64)>) -> f64 {
    sizes.retain(|s| s.0 >= 1.0);
    sizes.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total: f64 = sizes.iter().map(|s| s.1).sum();
    let k = (0.1 * total).floor();
    if k < 5.0 {
        return f64::NAN;
    }
    // The tail's k firms (weight, size) and the size of the (k + 1)-th firm (the threshold).
    let mut tail: Vec<(f64, f64)> = Vec::new();
    let (mut taken, mut threshold) = (0.0, f64::NAN);
    for &(size, w) in &sizes {
        if taken >= k {
            threshold = size;
            break;
        }
        let use_w = w.min(k - taken);
        tail.push((use_w, size));
        taken += use_w;
        if use_w < w {
            threshold = size;
            break;
        }
    }
    if threshold.is_nan() || threshold <= 0.0 {
        return f64::NAN;
    }
    let log_threshold = threshold.ln();
    let h = tail.iter().map(|&(w, size)| w * (size.ln() - log_threshold)).sum::<f64>() / k;
    if h > 0.0 {
        1.0 / h
    } else {
        f64::NAN
    }
}

/// Gini coefficient of non-negative values (0 when they are all zero).
pub fn gini(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let sum: f64 = v.iter().sum();
    if n == 0.0 || sum <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = v.iter().enumerate().map(|(i, x)| (i as f64 + 1.0) * x).sum();
    2.0 * weighted / (n * sum) - (n + 1.0) / n
}

impl FirmStats {
    fn of(rows: &[FirmRow], month: u32, cells: usize) -> FirmStats {
        let alive: Vec<&FirmRow> = rows.iter().filter(|r| r.alive).collect();
        let sizes = |new_only: bool| -> Vec<(f64, f64)> {
            alive
                .iter()
                .filter(|r| !new_only || r.origin != Origin::Incumbent)
                .map(|r| (r.people, r.multiplicity as f64))
                .collect()
        };
        let jobs: f64 = alive.iter().map(|r| r.people * r.multiplicity as f64).sum();
        let firms: f64 = alive.iter().map(|r| r.multiplicity as f64).sum();
        // The top 1 % of firms by size (weighted) and the largest.
        let mut by_size = sizes(false);
        by_size.sort_by(|a, b| b.0.total_cmp(&a.0));
        let top_n = (0.01 * firms).ceil();
        let (mut taken, mut top) = (0.0, 0.0);
        for &(size, w) in &by_size {
            let use_w = w.min(top_n - taken);
            if use_w <= 0.0 {
                break;
            }
            top += use_w * size;
            taken += use_w;
        }
        let largest = by_size.first().map(|s| s.0).unwrap_or(0.0);
        let (mut patents, mut job_cells, mut output) = (vec![0.0; cells], vec![0.0; cells], vec![0.0; cells]);
        for r in rows {
            patents[r.cell as usize] += r.patents_ytd as f64;
            output[r.cell as usize] += r.output;
            if r.alive {
                job_cells[r.cell as usize] += r.people * r.multiplicity as f64;
            }
        }
        let div = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        FirmStats {
            // Firms born this month have not been recounted yet.
            empty_firms: alive
                .iter()
                .filter(|r| r.people <= 0.0 && (r.birth < month || r.origin == Origin::Incumbent))
                .map(|r| r.multiplicity as f64)
                .sum(),
            survival_2y: survival(rows, month, 24),
            survival_4y: survival(rows, month, 48),
            startup_growth: f64::NAN,
            tail: hill_tail(by_size.clone()),
            tail_new: hill_tail(sizes(true)),
            largest_share: div(largest, jobs),
            top1_share: div(top, jobs),
            patent_gini: gini(&patents),
            job_gini: gini(&job_cells),
            output_gini: gini(&output),
        }
    }
}

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
    pub firm_stats: FirmStats,
    pub firms_by_sector: Vec<f64>,
    pub by_origin: [f64; 4],
    pub output: f64,
    pub output_by_sector: Vec<f64>,
    pub firm_rd: f64,
    pub lab_rd: f64,
    /// The R&D price index that the month's R&D demand set (firms pay it next month).
    pub rd_price: f64,
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
                // Households are counted in integers and amounts summed in agent order; a count
                // is the same number as a sum of ones in f64 (exact below 2^53).
                let mut n = Counts::new(&empty);
                let mut a = empty.clone();
                for t in chunk {
                    n.by_tier[t.tier as usize] += 1;
                    let corridor = in_corridor(t.home);
                    let employed = t.employed();
                    n.residents += corridor as u32;
                    n.owners += (corridor && t.tenure.owns()) as u32;
                    n.outside += !corridor as u32;
                    n.outside_employed += (!corridor && employed) as u32;
                    n.waitlist += (t.waitlist_since > 0) as u32;
                    if let Some(z) = zone_of(t.home) {
                        n.by_zone[z] += 1;
                    }
                    if let Some(level) = t.school_level() {
                        n.school_age += 1;
                        if let Some(z) = zone_of(t.home) {
                            n.seated_home += 1;
                            a.quality += sim.world.zones[z].school_quality;
                        } else if t.seat_district >= 0 {
                            let d = t.seat_district as usize;
                            if t.flags & FLAG_OVERFLOW != 0 {
                                n.overflow += 1;
                                a.extra_trip += sc.overflow_trip_min;
                                a.quality += sc.overflow_quality;
                                n.elsewhere_by_district[d] += 1;
                            } else {
                                a.quality += sim.schools.quality[d][level as usize];
                                if t.flags & FLAG_COORDINATED != 0 {
                                    n.coordinated += 1;
                                    a.extra_trip += sc.coordinated_trip_min;
                                    let home = sim.world.district[t.home as usize];
                                    if home >= 0 {
                                        n.elsewhere_by_district[home as usize] += 1;
                                    }
                                } else {
                                    n.seated_home += 1;
                                }
                            }
                        }
                    }
                    if matches!(t.tenure, Tenure::Market | Tenure::TalentUnit | Tenure::Shared | Tenure::Outside) {
                        let inc = util.income(t).max(1.0);
                        let cost = util.housing_cost(t.home, t.tenure) - util.rent_subsidy(t, t.home);
                        a.rent_share += cost.max(0.0) / inc;
                        n.renters += 1;
                    }
                    if employed {
                        n.employed += 1;
                        let wage = util.wage(t);
                        a.wage += wage;
                        a.wage_by_tier[t.tier as usize] += wage;
                        n.emp_by_tier[t.tier as usize] += 1;
                        let c = t.commute as f64;
                        a.commute += c;
                        n.near += (c <= jh) as u32;
                        n.over_45 += (c > 45.0) as u32;
                        n.over_60 += (c > 60.0) as u32;
                        if t.employer & LAB_BIT == 0 {
                            n.emp_by_sector[firm_sector[t.employer as usize] as usize] += 1;
                        }
                    }
                }
                n.into(&mut a);
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
            .map(|f| FirmRow {
                output: f.output,
                rd: f.rd,
                sector: f.sector,
                origin: f.origin,
                alive: f.alive,
                multiplicity: f.multiplicity,
                people: f.people(scale),
                vacancies: f.vacancies.iter().sum::<u32>(),
                cell: f.cell,
                birth: f.birth_month,
                death: f.death_month,
                patents_ytd: f.patents_ytd,
            })
            .collect();
        for r in &firm_rows {
            output += r.output;
            output_by_sector[r.sector as usize] += r.output;
            firm_rd += r.rd;
            if r.alive {
                let m = r.multiplicity as f64;
                firms += m;
                firms_by_sector[r.sector as usize] += m;
                by_origin[r.origin as usize] += m;
                vacancies += r.vacancies as f64;
            }
        }
        let firm_stats = FirmStats::of(&firm_rows, month, cells);
        let mult = sim.policy.lab_budget_multiplier(s);
        let mut lab_rd = 0.0;
        for l in &sim.labs {
            vacancies += l.vacancies.iter().sum::<u32>() as f64;
            if l.is_open(month) {
                // The budget in force, as labs hire and the accounts book it.
                lab_rd += l.budget_per_year * mult / 12.0;
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
        let rd_price = sim.prices.research.price;
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
            firm_stats,
            firms_by_sector,
            by_origin,
            output,
            output_by_sector,
            firm_rd,
            lab_rd,
            rd_price,
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
        firm_density[f.cell as usize] += (f.multiplicity as f64 / km2) as f32;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_up_growth_counts_the_survivors_of_last_years_cohort_against_last_december() {
        use crate::agents::firm::Origin;
        use crate::agents::testkit::firm;
        let new = |id: u32, origin: Origin, birth: u32, alive: bool| {
            let mut f = firm(0, 0);
            (f.id, f.origin, f.birth_month, f.alive) = (id, origin, birth, alive);
            f
        };
        let firms = vec![
            new(0, Origin::Startup, 5, true),   // 2 -> 3
            new(1, Origin::Spinoff, 11, true),  // born in December with nobody yet: 0 -> 4
            new(2, Origin::Startup, 5, false),  // dead: out
            new(3, Origin::Incumbent, 0, true), // not new: out
            new(4, Origin::Startup, 13, true),  // born this year: out
            new(5, Origin::Relocated, 6, true), // not born in the corridor: out
        ];
        let before = [2.0, 0.0, 9.0, 50.0];
        let now = [3.0, 4.0, 0.0, 10.0, 7.0, 30.0];
        let g = startup_growth(&firms, &before, &now, 23);
        assert!((g - 5.0 / 4.5).abs() < 1e-12, "{g}");
        assert!(startup_growth(&firms, &before, &now, 22).is_nan(), "only in December");
        assert!(startup_growth(&firms, &[], &now, 11).is_nan(), "no cohort in the first year");
    }

    #[test]
    fn gini_of_equal_and_concentrated_values() {
        assert_eq!(gini(&[2.0, 2.0, 2.0, 2.0]), 0.0);
        assert!((gini(&[0.0, 0.0, 0.0, 5.0]) - 0.75).abs() < 1e-12);
        assert_eq!(gini(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn the_hill_estimate_recovers_a_pareto_exponent_with_weights() {
        // Quantiles of a Pareto law of exponent 1.2, once as 20 000 firms and once as 2 000
        // agents of 10 identical firms.
        let size = |i: f64, n: f64| (n / i).powf(1.0 / 1.2);
        let singles: Vec<(f64, f64)> = (1..=20_000).map(|i| (size(i as f64, 20_000.0), 1.0)).collect();
        let grouped: Vec<(f64, f64)> = (1..=2_000).map(|i| (size(i as f64, 2_000.0), 10.0)).collect();
        let (a, b) = (hill_tail(singles), hill_tail(grouped));
        assert!((a - 1.2).abs() < 0.05, "{a}");
        assert!((b - 1.2).abs() < 0.1, "{b}");
        assert!(hill_tail(vec![(5.0, 1.0); 10]).is_nan(), "too few firms");
    }

    #[test]
    fn the_hill_estimate_of_a_tail_without_spread_is_undefined() {
        // Every firm of the same size (the first months of a run, when the firms born in it are
        // all start-ups): no exponent, not the inverse of a rounding residue.
        for size in [3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 23.0] {
            for (agents, m) in [(400, 1.0), (57, 3.0), (213, 7.0), (1000, 0.5)] {
                let h = hill_tail(vec![(size, m); agents]);
                assert!(h.is_nan(), "size {size}, {agents} x {m}: {h}");
            }
        }
        // A tail with spread still has one.
        let mut v = vec![(5.0, 1.0); 90];
        v.extend((0..10).map(|i| (10.0 + i as f64, 1.0)));
        assert!(hill_tail(v).is_finite());
    }
}
