//! The simulation state and the month. The state is split into owners with one job each; the
//! month ([`Sim::step_observed`]) is the schedule: it lists every phase in order and hands each
//! mechanism exactly the parts of the state it reads and writes.

use rayon::prelude::*;

use crate::agents::expectations::Expectations;
use crate::agents::firm::{rd_and_subsidy, FirmContext, FirmTable, JobMix};
use crate::agents::housing::{self, Housing};
use crate::agents::lab::{self, Lab};
use crate::agents::school::Schools;
use crate::agents::talent::{self, in_corridor, Population, LAB_BIT, NO_JOB};
use crate::agents::{firm_entry, knowledge, par_count, MAX_TIERS};
use crate::policy::{Ledger, Lever, Policy};
use crate::prices::{Prices, Tightness};
use crate::scenario::Scenario;
use crate::world::{Fields, World};

/// The whole state of a run. Plain data: vectors of agents indexed by position or id.
#[derive(Clone, Debug, PartialEq)]
pub struct Sim {
    pub scenario: Scenario,
    pub seed: u64,
    /// Months since January of `start_year`.
    pub month: u32,
    /// The static map: grid, districts, hubs, lab sites, land, amenity, travel times.
    pub world: World,
    /// The levers in force this month and where they apply.
    pub policy: Policy,
    /// Wage index per tier, market rents and the rent index.
    pub prices: Prices,
    /// Per-cell fields: job density, knowledge spillover, residents, patents this year.
    pub fields: Fields,
    /// The talent households.
    pub talent: Population,
    /// Firm records with the compact columns (workplace cell, wage premium) beside them.
    pub firms: FirmTable,
    /// The tier mix of firm jobs and the efficiency of each tier.
    pub jobs: JobMix,
    pub labs: Vec<Lab>,
    pub housing: Housing,
    pub schools: Schools,
    /// This month's flows and public costs by lever.
    pub ledger: Ledger,
    /// What agents expect from what they saw: last month's mean commute, the initial stock.
    pub expectations: Expectations,
    /// Present values of the levers' costs and receipts so far, and the assets they hold.
    pub accounts: crate::accounts::Accounts,
}

/// The view a household has of the corridor this month (see [`talent::Utility`]), borrowed
/// field by field so that the mechanisms can change other parts of the state beside it.
macro_rules! household_view {
    ($sim:expr) => {
        crate::agents::talent::Utility {
            s: &$sim.scenario,
            month: $sim.month,
            world: &$sim.world,
            prices: &$sim.prices,
            firm_cells: &$sim.firms.cells,
            firm_premia: &$sim.firms.premia,
            policy: &$sim.policy,
            schools: &$sim.schools,
        }
    };
}

pub(crate) use household_view;

/// The view a new firm has when it plans where to locate and how large to start.
macro_rules! entry_view {
    ($sim:expr) => {
        crate::agents::firm_entry::EntryContext {
            s: &$sim.scenario,
            seed: $sim.seed,
            month: $sim.month,
            world: &$sim.world,
            prices: &$sim.prices,
            fields: &$sim.fields,
            jobs: &$sim.jobs,
        }
    };
}

pub(crate) use entry_view;

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

    /// One month of the corridor.
    pub fn step(&mut self) {
        self.step_observed(&mut |_| {});
    }

    /// One month, calling `mark(phase)` after each phase (profilers time the phases with it).
    /// The order of the phases below is the model.
    pub fn step_observed(&mut self, mark: &mut dyn FnMut(&'static str)) {
        let (month, seed) = (self.month, self.seed);
        let january = month % 12 == 0;

        // The calendar: a new ledger, the levers in force, in January a new year of patents by
        // cell; the counts the agents imply (workers, occupancy, seats, residents, density).
        self.ledger = Ledger::new(self.tiers(), self.sectors());
        self.policy.set_month(&self.scenario, &self.world, month);
        self.prices.set_trend(month, self.scenario.talent.wage_growth);
        self.prices.refresh_rent_index(self.scenario.housing.base_rent);
        if january {
            self.fields.new_year();
        }
        self.recount();
        // Commutes are cached per household and updated where homes and jobs change; a new
        // transit line changes them all.
        if self.world.travel.lines.iter().any(|l| l.open_month == month as i64) {
            talent::refresh_commutes(&mut self.talent.agents, &household_view!(self));
        }
        mark("recount");

        // Housing supply: completions, and in January new projects; challenge grants.
        self.housing.complete_projects(month);
        if january {
            let s = &self.scenario;
            self.housing.start_market_projects(
                s,
                &self.world,
                &self.prices.rent,
                self.prices.trend,
                month,
                self.year(),
            );
            for (lever, stock) in
                [(&s.housing.talent_units, housing::TALENT), (&s.housing.shared_ownership_units, housing::SHARED)]
            {
                let units = self.housing.start_policy_projects(s, &self.world, lever, stock, month, self.year());
                self.ledger.cost[housing::lever_of(stock)] += units as f64 * s.agent_scale * lever.cost_per_unit;
            }
            firm_entry::challenge_grants(&mut self.firms.records, s, &self.policy, &mut self.ledger);
        }
        mark("housing supply");

        // Labs hire, produce and transfer technology; the spillover field follows.
        let spinoffs = lab::step_labs(
            &mut self.labs,
            &mut self.firms.records,
            &self.firms.cells,
            &lab::LabContext { s: &self.scenario, seed, month, world: &self.world, policy: &self.policy },
            &mut self.fields.patents,
            &mut self.ledger,
        );
        knowledge::update_spillover(&mut self.fields, &self.labs, &self.firms, &self.scenario, &self.world, month);
        mark("labs and spillover");

        // Firms produce, do R&D, innovate and post vacancies; spin-offs and relocations enter.
        self.step_firms();
        firm_entry::enter(
            &spinoffs,
            &self.labs,
            &entry_view!(self),
            firm_entry::Pull {
                policy: &self.policy,
                talent: self.talent.agents.len(),
                expectations: &self.expectations,
            },
            &mut self.firms,
            &mut self.ledger,
        );
        mark("firms");

        // The labour market: layoffs, then vacancies posted, wages follow tightness, and job
        // seekers are matched to vacancies.
        let seekers = talent::job_search::layoffs(
            &mut self.talent.agents,
            &mut self.firms.records,
            &mut self.labs,
            &household_view!(self),
        );
        let board = talent::job_search::VacancyBoard::post(&self.firms, &self.labs, self.tiers(), self.sectors());
        self.prices.tightness = Tightness { vacancies: board.vacancies_by_tier(), seekers };
        self.prices.update_wages(self.scenario.talent.wage_adjustment);
        let mut board = board;
        let outcome = talent::job_search::search(&mut self.talent.agents, &mut board, &household_view!(self), seed);
        board.write_back(&mut self.firms.records, &mut self.labs);
        mark("job search");
        // Founders (drawn in the search pass) leave their jobs for their start-ups, before
        // residential choice looks at who changed jobs.
        talent::entrepreneurship::found_firms(
            &mut self.talent.agents,
            &outcome.founders,
            &entry_view!(self),
            &self.policy,
            &mut self.firms,
            &mut self.ledger,
        );
        mark("entrepreneurship");

        // Homes: talent units by the waiting list, then movers choose by logit.
        talent::residence::run(
            &mut self.talent.agents,
            &mut self.housing,
            &mut self.fields.residents,
            &household_view!(self),
            seed,
        );
        mark("residential choice");
        talent::leaving::run(
            &mut self.talent,
            &mut self.housing,
            &mut self.fields.residents,
            &mut self.ledger,
            &household_view!(self),
            seed,
        );
        mark("leaving");
        talent::arrivals::run(
            &mut self.talent,
            &talent::arrivals::Outlook::of(
                &self.scenario,
                &self.housing,
                &self.prices,
                &self.schools,
                &self.fields,
                &self.world,
            ),
            &self.expectations,
            &household_view!(self),
            seed,
            &mut self.ledger,
        );
        mark("arrivals");

        // One pass over the households ages them and takes the school census; schools seat
        // children.
        let month_end =
            talent::life_course::run(&mut self.talent.agents, &household_view!(self), seed, &mut self.ledger);
        self.schools_month(month_end.census);
        mark("life course and schools");

        // Prices and the public accounts: recurring costs and receipts of the levers, rents follow
        // demand over supply, the month's accounts are closed.
        crate::accounts::Recurring {
            s: &self.scenario,
            policy: &self.policy,
            world: &self.world,
            month,
            housing: &self.housing,
            rent: &self.prices.rent,
            schools: &self.schools,
            labs: &self.labs,
        }
        .book(&mut self.ledger);
        self.housing.update_rents(&self.scenario, &self.world, self.prices.trend, &mut self.prices.rent);
        self.prices.refresh_rent_index(self.scenario.housing.base_rent);
        self.accounts.close_month(&self.scenario, &self.ledger, &self.housing, month);
        mark("rents and costs");

        // What agents will expect next month.
        self.expectations.observe_commutes(&self.talent.agents, self.world.zones.len());
        mark("expectations");
        self.month += 1;
    }

    /// Derives the counts that agents imply: workers per employer, occupancy per cell, seats per
    /// district, residents and job density per cell. Deterministic (integer counts).
    pub fn recount(&mut self) {
        // One pass over the agents into one flat table of integer counts:
        // [workers (firm x tier) | researchers (lab x tier) | residents (cell) | occupied (stock x cell)
        //  | school seats and waiting children (see Schools::count) | talent (tier)].
        let cells = self.world.cells();
        let w0 = 0;
        let r0 = self.firms.records.len() * MAX_TIERS;
        let c0 = r0 + self.labs.len() * MAX_TIERS;
        let o0 = c0 + cells;
        let s0 = o0 + 3 * cells;
        let t0 = s0 + self.schools.count_len();
        let len = t0 + MAX_TIERS;
        let counts = par_count(&self.talent.agents, len, |t, acc| {
            if t.employer != NO_JOB {
                if t.employer & LAB_BIT != 0 {
                    acc[r0 + (t.employer & !LAB_BIT) as usize * MAX_TIERS + t.tier as usize] += 1;
                } else {
                    acc[w0 + t.employer as usize * MAX_TIERS + t.tier as usize] += 1;
                }
            }
            if in_corridor(t.home) {
                acc[c0 + t.home as usize] += 1;
                if let Some(stock) = t.tenure.stock() {
                    acc[o0 + stock * cells + t.home as usize] += 1;
                }
            }
            Schools::count(t, &mut acc[s0..t0]);
            acc[t0 + t.tier as usize] += 1;
        });
        self.schools.apply_counts(&counts[s0..t0]);
        let km2 = self.world.cell_km * self.world.cell_km;
        let scale = self.scenario.agent_scale;
        // The research-capable people the researchers' market draws on.
        self.prices.research.capable = (self.scenario.talent.tiers.iter())
            .zip(&counts[t0..])
            .map(|(tier, &n)| tier.research_share * n as f64 * scale)
            .sum();
        // Workers per firm in parallel, with each alive firm's jobs per km² for the density below.
        let firm_density: Vec<Option<f32>> = self
            .firms
            .records
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
        let fields = &mut self.fields;
        fields.residents.copy_from_slice(&counts[c0..c0 + cells]);
        for k in 0..3 {
            self.housing.occupied[k].copy_from_slice(&counts[o0 + k * cells..o0 + (k + 1) * cells]);
        }
        // Density adds up in firm order (the same float sums for any number of threads).
        fields.density.iter_mut().for_each(|x| *x = 0.0);
        for (&cell, d) in self.firms.cells.iter().zip(&firm_density) {
            if let Some(d) = d {
                fields.density[cell as usize] += d;
            }
        }
        for l in &self.labs {
            fields.density[l.cell as usize] += (l.researcher_agents() as f64 * scale / km2) as f32;
        }
    }

    /// Firms step in parallel; their subsidies, patents and exits are booked in firm order.
    fn step_firms(&mut self) {
        self.policy.rd_ratio = 1.0;
        if let Some(fund) = self.scenario.rd.fund_per_year {
            self.policy.rd_ratio = self.rd_fund_share(fund);
        }
        // Firms step in parallel and report (subsidy, R&D, patents, sector, firms that died this
        // month). The records are taken out while the context borrows the rest of the state.
        let month = self.month;
        let mut records = std::mem::take(&mut self.firms.records);
        let reports: Vec<(f64, f64, u32, u8, u32)> = {
            let (s, policy) = (&self.scenario, &self.policy);
            let rd_rate = |sector: usize, d: i16| policy.rd_rate(s, sector, d);
            let compute = |sector: usize, d: i16| policy.compute_boost(s, s.sectors[sector].digital, d);
            let ctx = self.firm_context(&rd_rate, &compute, policy.rd_cap(s));
            records
                .par_iter_mut()
                .with_min_len(256)
                .map(|f| {
                    f.step(&ctx);
                    let died = !f.alive && f.death_month == u32::MAX;
                    if died {
                        f.death_month = month;
                    }
                    (f.subsidy, f.rd, f.patents, f.sector, if died { f.multiplicity } else { 0 })
                })
                .collect()
        };
        self.firms.records = records;
        let s = &self.scenario;
        // Collected in firm order (fixed-order float sums).
        let (mut subsidy, mut rd) = (0.0, 0.0);
        for (&(paid, spent, patents, sector, died), &cell) in reports.iter().zip(&self.firms.cells) {
            subsidy += paid;
            rd += spent;
            if patents > 0 {
                let count = &mut self.ledger.firm_patents_by_sector[sector as usize];
                *count = count.saturating_add(patents);
                self.fields.patents[cell as usize] += patents as f32;
            }
            self.ledger.firm_deaths += died;
        }
        // Firm accounts are at the start year's wage level: the trend makes them yuan of the start year.
        self.ledger.cost[Lever::RdSubsidy] += subsidy * self.prices.trend;
        // The month's R&D bids for researchers: next month's R&D price. In the first month the
        // firms' R&D without subsidy sizes the researchers' pool.
        let price = self.prices.research.price;
        let unsubsidised = if self.prices.research.pool_per_capable > 0.0 {
            0.0
        } else {
            self.firms.records.iter().filter(|f| f.alive).map(|f| f.unsubsidised_rd(s, price) / price).sum()
        };
        self.prices.research.clear(rd / price, unsubsidised, &s.firms);
    }

    /// The month-wide inputs of the firm step, with the R&D rate, compute boost and R&D cap in
    /// force.
    fn firm_context<'a>(
        &'a self,
        rd_rate: &'a (dyn Fn(usize, i16) -> f64 + Sync),
        compute: &'a (dyn Fn(usize, i16) -> f64 + Sync),
        rd_cap: f64,
    ) -> FirmContext<'a> {
        FirmContext {
            s: &self.scenario,
            seed: self.seed,
            month: self.month,
            wage: &self.prices.wage,
            mix: &self.jobs.tier_mix,
            tier_productivity: &self.jobs.tier_productivity,
            density: &self.fields.density,
            cell_km2: self.world.cell_km * self.world.cell_km,
            spillover: &self.fields.spillover,
            rent_index: &self.prices.rent_index,
            district: &self.world.district,
            rd_rate,
            compute,
            rd_price: self.prices.research.price,
            rd_cap,
        }
    }

    /// The share of its claims the R&D subsidy programme pays this month with `fund` a year
    /// ([`crate::policy::pro_rata_share`]): the firms' claims at share q are what they would be
    /// paid planning at rate q·s and cap q·cap, from each firm's output this month, in firm order,
    /// computed as the firm step computes them, so that what the firms are paid is at most a
    /// twelfth of the fund (in yuan of the start year).
    fn rd_fund_share(&self, fund: f64) -> f64 {
        let s = &self.scenario;
        let policy = &self.policy;
        let no_rate = |_: usize, _: i16| 0.0;
        let ctx = self.firm_context(&no_rate, &no_rate, s.rd.cap);
        let january = self.month % 12 == 0;
        // (output of one firm, R&D intensity, claimed rate, paid so far this year, firms).
        let claims: Vec<(f64, f64, f64, f64, f64)> = self
            .firms
            .records
            .par_iter()
            .with_min_len(256)
            .filter(|f| f.alive)
            .map(|f| {
                let district = self.world.district[f.cell as usize];
                let rate = policy.rd_claim_rate(s, f.sector as usize, district);
                let ytd = if january { 0.0 } else { f.subsidy_ytd };
                let rho = s.sectors[f.sector as usize].rd_intensity;
                (f.output_now(&ctx), rho, rate, ytd, f.multiplicity.max(1) as f64)
            })
            .filter(|c| c.2 > 0.0)
            .collect();
        if claims.is_empty() {
            return 1.0;
        }
        let price = self.prices.research.price;
        let paid = |q: f64| -> f64 {
            let cap = s.rd.cap * q;
            claims
                .iter()
                .map(|&(y, rho, rate, ytd, m)| rd_and_subsidy(y, rho, rate * q, cap, ytd, price, &s.firms).1 * m)
                .sum()
        };
        crate::policy::pro_rata_share(fund / 12.0 / self.prices.trend, paid)
    }

    /// Schools: enrolment in September; other months, children who reach school age or move take
    /// free seats in their home district (from the census of the life-course pass).
    fn schools_month(&mut self, census: crate::agents::school::Census) {
        let s = &self.scenario;
        if self.month % 12 == 8 {
            let year = self.year();
            self.schools.open_new_seats(s, year, &mut self.ledger.cost);
            let co = &s.schools.coordination;
            let quota = if self.policy.active(co.start_year, co.end_year) { co.quota } else { 0.0 };
            self.schools.enrol(&mut self.talent.agents, &self.world, quota);
        } else {
            self.schools.apply_counts(&census.counts);
            self.schools.seat_waiting(&mut self.talent.agents, &self.world, &census.waiting);
        }
    }
}
