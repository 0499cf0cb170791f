//! The simulation state and the month, in one place: the order of steps below is the model.

use rayon::prelude::*;

use crate::agents::firm::{Firm, FirmContext};
use crate::agents::housing::{self, Housing};
use crate::agents::lab::Lab;
use crate::agents::school::Schools;
use crate::agents::talent::{self, Talent, LAB_BIT, NO_JOB, OUTSIDE};
use crate::agents::{firm_entry, lab, MAX_TIERS};
use crate::labour::Labour;
use crate::metrics::Recorder;
use crate::policy::{Lever, Policy};
use crate::scenario::Scenario;
use crate::world::{spillover_field, Cell, World};

/// Counters of the current month's flows (reset every month).
#[derive(Clone, Debug, Default)]
pub struct Flows {
    pub arrivals: Vec<u32>,
    pub departures: Vec<u32>,
    pub family_departures: u32,
    pub firm_births: [u32; 4],
    pub firm_deaths: u32,
    pub lab_patents: u32,
    pub firm_patents_by_sector: Vec<u32>,
    pub cost: [f64; 14],
    pub job_changes: u32,
    pub moves: u32,
    /// Challenge grants spent on R&D this month (yuan).
    pub grant_rd: f64,
}

/// The whole state of a run. Plain data: vectors of agents indexed by position or id.
#[derive(Clone)]
pub struct Sim {
    pub scenario: Scenario,
    pub seed: u64,
    /// Months since January of `start_year`.
    pub month: u32,
    pub world: World,
    pub policy: Policy,
    pub talent: Vec<Talent>,
    /// A second buffer for the talent agents, reused each month when leavers are removed.
    pub talent_spare: Vec<Talent>,
    pub next_talent_id: u32,
    pub firms: Vec<Firm>,
    /// The cell of each firm (firms never move): a compact copy of `firms[i].cell` for the passes
    /// over the agents, which look up workplaces.
    pub firm_cells: Vec<Cell>,
    /// The wage premium of each firm (fixed at creation), beside `firm_cells`: a worker's wage is
    /// the tier's wage index times the premium of the employer.
    pub firm_premia: Vec<f32>,
    pub labs: Vec<Lab>,
    pub housing: Housing,
    pub schools: Schools,
    pub labour: Labour,
    /// Normalised spillover index per cell (1 = the initial job-weighted mean).
    pub spillover: Vec<f32>,
    pub spillover_norm: f64,
    /// Jobs per km² per cell.
    pub density: Vec<f32>,
    /// Talent agents living in each cell.
    pub residents: Vec<u32>,
    /// Market rent relative to the base rent, per cell.
    pub rent_index: Vec<f32>,
    /// Cumulative office capacity over cells (location sampling).
    pub office_cum: Vec<f64>,
    /// Patents this year per cell (labs and firms).
    pub patents_by_cell: Vec<f32>,
    pub flows: Flows,
    /// Lab patents that become spin-off firms this month (lab indices).
    pub pending_spinoffs: Vec<u32>,
    /// Mean commute of employed talent last month (arrivals' expectation).
    pub last_mean_commute: f64,
    /// Tier mix of firm jobs and efficiency units per person by tier.
    pub tier_mix: Vec<f64>,
    pub tier_productivity: Vec<f64>,
    pub recorder: Recorder,
}

impl Sim {
    pub fn new(scenario: &Scenario, seed: u64) -> Sim {
        crate::init::build(scenario, seed)
    }

    pub fn tiers(&self) -> usize {
        self.scenario.talent.tiers.len()
    }
    pub fn sectors(&self) -> usize {
        self.scenario.sectors.len()
    }
    pub fn year(&self) -> i32 {
        self.scenario.start_year + (self.month / 12) as i32
    }
    pub fn month_of_year(&self) -> u32 {
        self.month % 12 + 1
    }

    /// One month of the corridor.
    pub fn step(&mut self) {
        self.step_observed(&mut |_| {});
    }

    /// One month, calling `mark(phase)` after each phase (profilers time the phases with it).
    pub fn step_observed(&mut self, mark: &mut dyn FnMut(&'static str)) {
        self.flows = Flows {
            arrivals: vec![0; self.tiers()],
            departures: vec![0; self.tiers()],
            firm_patents_by_sector: vec![0; self.sectors()],
            ..Flows::default()
        };
        self.policy.set_month(&self.scenario, &self.world, self.month);
        self.recount();
        // Commutes are cached per household and updated where homes and jobs change; a new
        // transit line changes them all.
        if self.world.travel.lines.iter().any(|l| l.open_month == self.month as i64) {
            talent::refresh_commutes(self, true);
        }
        mark("recount");

        // Housing supply: completions, and in January new projects.
        self.housing.complete_projects(self.month);
        if self.month_of_year() == 1 {
            self.start_housing_projects();
            firm_entry::challenge_grants(self);
        }
        mark("housing supply");
        // Labs produce and transfer technology; the spillover field follows.
        lab::step_labs(self);
        self.update_spillover();
        mark("labs and spillover");
        // Firms produce, do R&D, innovate and post vacancies; new firms enter.
        self.step_firms();
        firm_entry::enter(self);
        mark("firms");
        // Talent: jobs, homes, leaving, arrivals, life course, schools, founding.
        talent::job_search::run(self);
        mark("job search");
        talent::residence::run(self);
        mark("residential choice");
        talent::leaving::run(self);
        mark("leaving");
        talent::arrivals::run(self);
        mark("arrivals");
        // One pass over the households ages them and takes the school census and the founding
        // draws; schools seat children, then the founders start their firms.
        let month_end = talent::life_course::run(self);
        self.schools_month(month_end.census);
        mark("life course and schools");
        talent::entrepreneurship::found_firms(self, month_end.founders);
        mark("entrepreneurship");
        // Prices and the public accounts.
        self.recurring_costs();
        self.housing.update_rents(&self.scenario, &self.world);
        let base = self.scenario.housing.base_rent;
        for (ri, &r) in self.rent_index.iter_mut().zip(&self.housing.rent) {
            *ri = (r as f64 / base) as f32;
        }
        mark("rents and costs");
        let rec = std::mem::take(&mut self.recorder);
        self.recorder = rec.record(self);
        mark("metrics");
        self.month += 1;
    }

    /// Derives the counts that agents imply: workers per employer, occupancy per cell, seats per
    /// district, residents and job density per cell. Deterministic (integer counts).
    pub fn recount(&mut self) {
        // One pass over the agents into one flat table of integer counts:
        // [workers (firm x tier) | researchers (lab x tier) | residents (cell) | occupied (stock x cell)
        //  | school seats and waiting children (see Schools::count)].
        let cells = self.world.cells();
        let w0 = 0;
        let r0 = self.firms.len() * MAX_TIERS;
        let c0 = r0 + self.labs.len() * MAX_TIERS;
        let o0 = c0 + cells;
        let s0 = o0 + 3 * cells;
        let len = s0 + self.schools.count_len();
        let world = &self.world;
        let counts = par_count(&self.talent, len, |t, acc| {
            if t.employer != NO_JOB {
                if t.employer & LAB_BIT != 0 {
                    acc[r0 + (t.employer & !LAB_BIT) as usize * MAX_TIERS + t.tier as usize] += 1;
                } else {
                    acc[w0 + t.employer as usize * MAX_TIERS + t.tier as usize] += 1;
                }
            }
            if t.home != OUTSIDE {
                acc[c0 + t.home as usize] += 1;
                if let Some(stock) = t.tenure.stock() {
                    acc[o0 + stock * cells + t.home as usize] += 1;
                }
            }
            Schools::count(t, world, &mut acc[s0..]);
        });
        self.schools.apply_counts(&counts[s0..]);
        let km2 = self.world.cell_km * self.world.cell_km;
        let scale = self.scenario.agent_scale;
        // Workers per firm in parallel, with each alive firm's jobs per km² for the density below.
        let firm_density: Vec<Option<f32>> = self
            .firms
            .par_iter_mut()
            .zip(counts[w0..r0].par_chunks(MAX_TIERS))
            .with_min_len(2048)
            .map(|(f, workers)| {
                f.workers.copy_from_slice(workers);
                f.alive.then(|| (f.headcount() as f64 * scale / km2) as f32)
            })
            .collect();
        for (i, l) in self.labs.iter_mut().enumerate() {
            l.researchers.copy_from_slice(&counts[r0 + i * MAX_TIERS..r0 + (i + 1) * MAX_TIERS]);
        }
        self.residents.copy_from_slice(&counts[c0..c0 + cells]);
        for k in 0..3 {
            self.housing.occupied[k].copy_from_slice(&counts[o0 + k * cells..o0 + (k + 1) * cells]);
        }
        // Density adds up in firm order (the same float sums for any number of threads).
        self.density.iter_mut().for_each(|x| *x = 0.0);
        for (&cell, d) in self.firm_cells.iter().zip(&firm_density) {
            if let Some(d) = d {
                self.density[cell as usize] += d;
            }
        }
        for l in &self.labs {
            self.density[l.cell as usize] += (l.researcher_agents() as f64 * scale / km2) as f32;
        }
    }

    fn start_housing_projects(&mut self) {
        let (m, y) = (self.month, self.year());
        let s = &self.scenario;
        self.housing.start_market_projects(s, &self.world, m, y);
        for (lever, stock) in
            [(&s.housing.talent_units, housing::TALENT), (&s.housing.shared_ownership_units, housing::SHARED)]
        {
            let units = self.housing.start_policy_projects(s, &self.world, lever, stock, m, y);
            self.flows.cost[housing::lever_of(stock) as usize] += units as f64 * s.agent_scale * lever.cost_per_unit;
        }
    }

    /// S(c) from lab knowledge and firm patent stocks, normalised by its initial job-weighted mean.
    pub fn update_spillover(&mut self) {
        let n = self.world.cells();
        let mut e = vec![0.0f64; n];
        let w = self.scenario.labs.lab_spillover_weight;
        for l in &self.labs {
            if l.is_open(self.month) {
                e[l.cell as usize] += w * l.knowledge;
            }
        }
        // Firms' patent stocks gathered in parallel, added in firm order.
        let stocks: Vec<Option<f64>> =
            self.firms.par_iter().with_min_len(1024).map(|f| f.alive.then_some(f.patent_stock)).collect();
        for (stock, &cell) in stocks.iter().zip(&self.firm_cells) {
            if let Some(k) = stock {
                e[cell as usize] += k;
            }
        }
        spillover_field(
            &mut e,
            self.world.width,
            self.world.height,
            self.world.cell_km,
            self.scenario.labs.spillover_km,
        );
        if self.spillover_norm <= 0.0 {
            let (mut num, mut den) = (0.0, 0.0);
            for c in 0..n {
                num += e[c] * self.density[c] as f64;
                den += self.density[c] as f64;
            }
            self.spillover_norm = if num > 0.0 && den > 0.0 { num / den } else { 1.0 };
        }
        for c in 0..n {
            self.spillover[c] = (e[c] / self.spillover_norm) as f32;
        }
    }

    fn step_firms(&mut self) {
        let s = &self.scenario;
        let policy = &self.policy;
        let rd_rate = |sector: usize, d: i16| policy.rd_rate(s, sector, d);
        let compute = |sector: usize, d: i16| policy.compute_boost(s, s.sectors[sector].digital, d);
        let ctx = FirmContext {
            s,
            seed: self.seed,
            month: self.month,
            wage: &self.labour.wage,
            mix: &self.tier_mix,
            tier_productivity: &self.tier_productivity,
            density: &self.density,
            spillover: &self.spillover,
            rent_index: &self.rent_index,
            district: &self.world.district,
            rd_rate: &rd_rate,
            compute: &compute,
        };
        // Firms step in parallel and report (subsidy, patents, sector, died this month).
        let month = self.month;
        let reports: Vec<(f64, u32, u8, bool)> = self
            .firms
            .par_iter_mut()
            .with_min_len(256)
            .map(|f| {
                f.step(&ctx);
                let died = !f.alive && f.death_month == u32::MAX;
                if died {
                    f.death_month = month;
                }
                (f.subsidy, f.patents, f.sector, died)
            })
            .collect();
        // Collected in firm order (fixed-order float sums).
        let mut subsidy = 0.0;
        for (&(paid, patents, sector, died), &cell) in reports.iter().zip(&self.firm_cells) {
            subsidy += paid;
            if patents > 0 {
                self.flows.firm_patents_by_sector[sector as usize] += patents;
                self.patents_by_cell[cell as usize] += patents as f32;
            }
            if died {
                self.flows.firm_deaths += 1;
            }
        }
        self.flows.cost[Lever::RdSubsidy as usize] += subsidy;
    }

    /// Schools: enrolment in September; other months, children who reach school age or move take
    /// free seats in their home district (from the census of the life-course pass).
    fn schools_month(&mut self, census: crate::agents::school::Census) {
        let s = &self.scenario;
        if self.month_of_year() == 9 {
            let year = self.year();
            self.schools.open_new_seats(s, year, &mut self.flows.cost);
            let co = &s.schools.coordination;
            let quota = if self.policy.active(co.start_year, co.end_year) { co.quota } else { 0.0 };
            self.schools.enrol(s, &mut self.talent, &self.world, quota);
        } else {
            self.schools.apply_counts(&census.counts);
            self.schools.seat_waiting(&mut self.talent, &self.world, &census.waiting);
        }
    }

    /// Costs that accrue every month while a lever is on.
    fn recurring_costs(&mut self) {
        let s = &self.scenario;
        let p = &self.policy;
        let scale = s.agent_scale;
        let cost = &mut self.flows.cost;
        // Talent units: the rent discount forgone on occupied units.
        let share = 1.0 - s.housing.talent_units.rent_share;
        let mut forgone = 0.0;
        for c in 0..self.world.cells() {
            let occ = self.housing.occupied[housing::TALENT][c];
            if occ > 0 {
                forgone += occ as f64 * self.housing.rent[c] as f64 * share;
            }
        }
        cost[Lever::TalentHousing as usize] += forgone * scale;
        let ops: f64 = s.schools.new_seats.iter().map(|l| l.operating_cost_per_seat_year).fold(0.0, f64::max);
        cost[Lever::SchoolSeats as usize] += self.schools.lever_seats * scale * ops / 12.0;
        let co = &s.schools.coordination;
        if p.active(co.start_year, co.end_year) {
            cost[Lever::SchoolCoordination as usize] +=
                self.schools.coordinated as f64 * scale * co.cost_per_pupil_year / 12.0;
        }
        let f = &s.talent.friction;
        if p.active(f.start_year, f.end_year) && f.reduction > 0.0 {
            cost[Lever::MigrationServices as usize] += f.cost_per_year / 12.0;
        }
        cost[Lever::Incubators as usize] += p.incubator_places(s) * s.incubators.cost_per_place_year / 12.0;
        let cc = &s.digital.compute_centre;
        if p.active(cc.start_year, cc.end_year) && cc.boost > 0.0 {
            cost[Lever::ComputeCentre as usize] += cc.cost_per_year / 12.0;
        }
        for l in &self.world.travel.lines {
            if !l.is_new {
                continue;
            }
            let spec = s.transit.new_lines.iter().find(|x| x.name == l.name);
            let Some(spec) = spec else { continue };
            let m = self.month as i64;
            let build_start = l.open_month - spec.build_years as i64 * 12;
            if m >= build_start && m < l.open_month {
                cost[Lever::Transit as usize] += spec.capex / (spec.build_years as f64 * 12.0);
            } else if m >= l.open_month {
                cost[Lever::Transit as usize] += spec.operating_cost_per_year / 12.0;
            }
        }
        let mult = p.lab_budget_multiplier(s);
        for l in &self.labs {
            let m = self.month as i64;
            if l.is_new {
                if m >= l.open_month - 36 && m < l.open_month {
                    cost[Lever::NewLabs as usize] += l.capex / 36.0;
                } else if m >= l.open_month {
                    cost[Lever::NewLabs as usize] += l.budget_per_year * mult / 12.0;
                }
            } else if l.is_open(self.month) && mult != 1.0 {
                cost[Lever::LabBudget as usize] += l.budget_per_year * (mult - 1.0) / 12.0;
            }
        }
    }
}

/// Integer counts over the agents in parallel: `f` adds an agent into a table of `len` counts.
/// Each worker counts into its own table and the tables are added up; integer sums do not depend
/// on how the agents were split, so the result is the same for any number of threads.
pub fn par_count<F>(talent: &[Talent], len: usize, f: F) -> Vec<u32>
where
    F: Fn(&Talent, &mut [u32]) + Sync,
{
    // One table per thread (a table per rayon split would zero and add far more memory when the
    // table is large, as with a hundred thousand firms x tiers).
    let parts = rayon::current_num_threads().max(1);
    let chunk = talent.len().div_ceil(parts).max(1);
    let mut tables: Vec<Vec<u32>> = talent
        .par_chunks(chunk)
        .map(|agents| {
            let mut acc = vec![0u32; len];
            for t in agents {
                f(t, &mut acc);
            }
            acc
        })
        .collect();
    if tables.len() <= 1 {
        return tables.pop().unwrap_or_else(|| vec![0u32; len]);
    }
    const SLICE: usize = 1 << 14;
    let mut sum = vec![0u32; len];
    sum.par_chunks_mut(SLICE).enumerate().for_each(|(k, out)| {
        let range = k * SLICE..k * SLICE + out.len();
        for table in &tables {
            for (x, y) in out.iter_mut().zip(&table[range.clone()]) {
                *x += y;
            }
        }
    });
    sum
}
