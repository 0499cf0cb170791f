//! Firms: production Y = A E^alpha (1 + density/density_ref)^gamma, R&D at a subsidised user cost,
//! a knowledge stock K, Poisson innovation raising productivity, Gibrat-like shocks, labour demand
//! posted as vacancies by tier, cash, and exit. One firm's month depends only on its own state and
//! on month-wide fields, so firms step in parallel.

use crate::agents::MAX_TIERS;
use crate::policy::Ledger;
use crate::rng::{Purpose, Stream};
use crate::scenario::Scenario;
use crate::world::Cell;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Origin {
    Incumbent = 0,
    Spinoff = 1,
    Startup = 2,
    Relocated = 3,
}

impl Origin {
    pub const ALL: [Origin; 4] = [Origin::Incumbent, Origin::Spinoff, Origin::Startup, Origin::Relocated];
    pub fn name(self) -> &'static str {
        match self {
            Origin::Incumbent => "incumbent",
            Origin::Spinoff => "spinoff",
            Origin::Startup => "startup",
            Origin::Relocated => "relocated",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Firm {
    /// Index in the [`FirmTable`]; firms are never removed (dead ones are tombstones).
    pub id: u32,
    pub sector: u8,
    pub origin: Origin,
    pub alive: bool,
    pub cell: Cell,
    pub birth_month: u32,
    /// Month of exit, `u32::MAX` while alive.
    pub death_month: u32,
    /// Workers by tier (agents), recounted monthly.
    pub workers: [u32; MAX_TIERS],
    pub vacancies: [u32; MAX_TIERS],
    pub layoffs: [u32; MAX_TIERS],
    /// Per-tier rounding offsets in [0, 1), so small firms hire every tier in expectation.
    pub offsets: [f32; MAX_TIERS],
    /// Desired headcount (agents), adjusted partially toward the profit-maximising level.
    pub desired: f64,
    /// Total factor productivity A.
    pub productivity: f64,
    /// R&D knowledge stock K, yuan.
    pub knowledge: f64,
    /// Patents (depreciating count): the firm's emission into the spillover field.
    pub patent_stock: f64,
    pub wage_premium: f32,
    pub cash: f64,
    pub negative_months: u32,
    pub subsidy_ytd: f64,
    // This month's flows.
    pub output: f64,
    pub rd: f64,
    pub subsidy: f64,
    pub patents: u32,
}

/// The firms: their records, and beside them compact columns of what the passes over the agents
/// read of their employer (the workplace cell and the wage premium, both fixed at creation).
/// Firms are only added through [`FirmTable::add`], which keeps the columns in step; they never
/// move and are never removed, so an id is an index into all three.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FirmTable {
    pub records: Vec<Firm>,
    pub cells: Vec<Cell>,
    pub premia: Vec<f32>,
}

impl FirmTable {
    /// Adds a planned firm (next id, its workplace columns, the month's births); returns its id.
    pub fn add(&mut self, mut firm: Firm, ledger: &mut Ledger) -> u32 {
        let id = self.records.len() as u32;
        firm.id = id;
        self.cells.push(firm.cell);
        self.premia.push(firm.wage_premium);
        ledger.firm_births[firm.origin] += 1;
        self.records.push(firm);
        id
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The tier mix of firm jobs (shares summing to 1: each tier's share of talent outside research)
/// and the efficiency units of a person of each tier.
#[derive(Clone, Debug, PartialEq)]
pub struct JobMix {
    pub tier_mix: Vec<f64>,
    pub tier_productivity: Vec<f64>,
}

impl JobMix {
    pub fn new(s: &Scenario) -> JobMix {
        let mix_raw: Vec<f64> = s.talent.tiers.iter().map(|t| t.share * (1.0 - t.research_share)).collect();
        let mix_sum: f64 = mix_raw.iter().sum::<f64>().max(1e-12);
        JobMix {
            tier_mix: mix_raw.iter().map(|m| m / mix_sum).collect(),
            tier_productivity: s.talent.tiers.iter().map(|t| t.productivity).collect(),
        }
    }

    /// Efficiency units per person of the mix.
    pub fn efficiency_per_person(&self) -> f64 {
        self.tier_mix.iter().zip(&self.tier_productivity).map(|(m, p)| m * p).sum()
    }
}

/// Month-wide inputs of the firm step.
pub struct FirmContext<'a> {
    pub s: &'a Scenario,
    pub seed: u64,
    pub month: u32,
    /// Tier wage index, yuan per month.
    pub wage: &'a [f64],
    /// Tier mix of firm jobs (sums to 1).
    pub mix: &'a [f64],
    /// Efficiency units per person by tier.
    pub tier_productivity: &'a [f64],
    /// Jobs per km² by cell.
    pub density: &'a [f32],
    /// Normalised spillover index by cell.
    pub spillover: &'a [f32],
    /// Market rent relative to the base rent, by cell.
    pub rent_index: &'a [f32],
    pub district: &'a [i16],
    /// R&D subsidy rate by sector and district (+1 for outside), this month.
    pub rd_rate: &'a (dyn Fn(usize, i16) -> f64 + Sync),
    /// Compute-centre boost by sector and district.
    pub compute: &'a (dyn Fn(usize, i16) -> f64 + Sync),
}

impl Firm {
    pub fn headcount(&self) -> u32 {
        self.workers.iter().sum()
    }

    /// Efficiency units of labour in people.
    pub fn efficiency(&self, scale: f64, prod: &[f64]) -> f64 {
        self.workers.iter().zip(prod).map(|(&w, &p)| w as f64 * p).sum::<f64>() * scale
    }

    /// Cost of one efficiency unit a month at this firm (wages and office rent).
    pub fn unit_cost(&self, ctx: &FirmContext) -> f64 {
        let office = ctx.s.firms.office_rent_per_worker * ctx.rent_index[self.cell as usize] as f64;
        unit_cost(ctx.wage, ctx.mix, ctx.tier_productivity, self.wage_premium as f64, office)
    }

    pub fn agglomeration(&self, ctx: &FirmContext) -> f64 {
        agglomeration(ctx.density[self.cell as usize], &ctx.s.firms)
    }

    /// One month of the firm: produce, spend on R&D, innovate, grow or shrink, post vacancies,
    /// and possibly exit.
    pub fn step(&mut self, ctx: &FirmContext) {
        self.output = 0.0;
        self.rd = 0.0;
        self.subsidy = 0.0;
        self.patents = 0;
        self.layoffs = [0; MAX_TIERS];
        self.vacancies = [0; MAX_TIERS];
        if !self.alive {
            return;
        }
        let s = ctx.s;
        let f = &s.firms;
        let sector = &s.sectors[self.sector as usize];
        let scale = s.agent_scale;
        let mut rng = Stream::new(ctx.seed, Purpose::FirmGrowth, self.id as u64, ctx.month);
        if ctx.month % 12 == 0 {
            self.subsidy_ytd = 0.0;
        }
        let district = ctx.district[self.cell as usize];
        let eff = self.efficiency(scale, ctx.tier_productivity);
        let agg = self.agglomeration(ctx);
        let kf = rd_factor(self.knowledge, f.rd_output_elasticity);
        let y = if eff > 0.0 { self.productivity * sector.productivity * kf * eff.powf(f.alpha) * agg } else { 0.0 };
        let wage_bill: f64 =
            self.workers[..ctx.wage.len()].iter().enumerate().map(|(t, &w)| w as f64 * ctx.wage[t]).sum::<f64>()
                * scale
                * self.wage_premium as f64;
        let office =
            self.headcount() as f64 * scale * f.office_rent_per_worker * ctx.rent_index[self.cell as usize] as f64;
        // R&D at the subsidised user cost: rho_eff = rho (1 - s)^(-eps).
        let rate = (ctx.rd_rate)(self.sector as usize, district);
        let rho_eff = (sector.rd_intensity * (1.0 - rate).powf(-f.rd_elasticity)).min(0.5);
        let rd = rho_eff * y;
        let cap_left = (s.rd.cap - self.subsidy_ytd).max(0.0);
        let subsidy = (rate * rd).min(cap_left);
        self.subsidy_ytd += subsidy;
        self.cash += y - wage_bill - office - rd + subsidy;
        self.knowledge = (1.0 - f.rd_depreciation / 12.0) * self.knowledge + rd;
        // Innovation ~ Poisson(lambda0 (K / 1e6)^beta (1 + sigma S) (1 + compute)).
        let mut irng = Stream::new(ctx.seed, Purpose::FirmInnovation, self.id as u64, ctx.month);
        let lambda = f.innovation_rate
            * (self.knowledge / 1.0e6).powf(f.patent_elasticity)
            * (1.0 + f.spillover_effect * ctx.spillover[self.cell as usize] as f64)
            * (1.0 + (ctx.compute)(self.sector as usize, district));
        let patents = irng.poisson(lambda) as u32;
        if patents > 0 {
            // An innovation improves one line of a firm's products: the larger the knowledge
            // stock, the smaller the share of the firm one patent lifts, so the expected growth
            // lambda * step does not rise with size (Gibrat).
            let step = f.innovation_step * (1.0e6 / self.knowledge.max(1.0e6)).powf(f.patent_elasticity);
            self.productivity *= (1.0 + step).powi(patents as i32);
        }
        self.patent_stock = self.patent_stock * (1.0 - f.rd_depreciation / 12.0) + patents as f64;
        // Gibrat-like shock whose size falls with firm size (sd ~ size^-0.2).
        let sd = f.growth_sd * ((eff.max(1.0) / 10.0).powf(-0.2)).clamp(0.3, 2.0);
        self.productivity *= (sd * rng.normal() - 0.5 * sd * sd).exp();
        self.output = y;
        self.rd = rd;
        self.subsidy = subsidy;
        self.patents = patents;

        // Labour demand: partial adjustment toward the profit-maximising efficiency units.
        let c = self.unit_cost(ctx);
        let target_eff = (f.alpha * self.productivity * sector.productivity * kf * agg / c).powf(1.0 / (1.0 - f.alpha));
        let per_agent: f64 = ctx.mix.iter().zip(ctx.tier_productivity).map(|(m, p)| m * p).sum::<f64>() * scale;
        let target = target_eff / per_agent.max(1e-9);
        let step = f.max_hiring_step * self.desired + 1.0;
        self.desired += (target - self.desired).clamp(-step, step);
        // Desired size cannot run far ahead of the firm it has: hiring is limited to
        // `max_hiring_step` of the headcount (plus one agent) a month.
        let head = self.headcount() as f64;
        self.desired = self.desired.min(head * (1.0 + 3.0 * f.max_hiring_step) + 2.0);
        if self.cash < 0.0 {
            self.negative_months += 1;
            self.desired = self.desired.min(self.headcount() as f64 * 0.9);
        } else {
            self.negative_months = 0;
        }
        self.desired = self.desired.max(0.0);
        // Exit: persistent losses or the start-up hazard, which falls with age.
        // Incumbents were founded before the run: they count as past three hazard decay times.
        let head_start = if self.origin == Origin::Incumbent { 3.0 * f.hazard_decay_months } else { 0.0 };
        let age = ctx.month.saturating_sub(self.birth_month) as f64 + head_start;
        let hazard = f.startup_hazard * (-age / f.hazard_decay_months).exp();
        let mut xrng = Stream::new(ctx.seed, Purpose::FirmExit, self.id as u64, ctx.month);
        if self.negative_months >= f.exit_after_months || xrng.chance(hazard) {
            self.alive = false;
            self.desired = 0.0;
            self.layoffs = self.workers;
            return;
        }
        for t in 0..ctx.mix.len() {
            let want = (self.desired * ctx.mix[t] + self.offsets[t] as f64).floor().max(0.0) as u32;
            let have = self.workers[t];
            if want > have {
                let cap = (have as f64 * f.max_hiring_step).ceil() as u32 + 1;
                self.vacancies[t] = (want - have).min(cap);
            } else if have > want + 1 || (self.cash < 0.0 && have > want) {
                self.layoffs[t] = have - want;
            }
        }
    }
}

/// Output factor of R&D capital: (1 + K / 1 million yuan)^elasticity.
#[inline]
pub fn rd_factor(knowledge: f64, elasticity: f64) -> f64 {
    (1.0 + knowledge.max(0.0) / 1.0e6).powf(elasticity)
}

/// Cost of one efficiency unit of labour a month: tier wages times the firm's premium plus office
/// rent per worker, over the tier mix of firm jobs.
pub fn unit_cost(wage: &[f64], mix: &[f64], tier_productivity: &[f64], premium: f64, office: f64) -> f64 {
    let mut cost = 0.0;
    let mut eff = 0.0;
    for t in 0..mix.len() {
        cost += mix[t] * (wage[t] * premium + office);
        eff += mix[t] * tier_productivity[t];
    }
    cost / eff.max(1e-9)
}

/// Agglomeration factor (1 + density / density_ref)^gamma of a cell with `density` jobs per km².
pub fn agglomeration(density: f32, f: &crate::scenario::FirmParams) -> f64 {
    (1.0 + density as f64 / f.density_ref).powf(f.gamma)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, firm, Kit};

    /// One month of `f` in the kit's corridor with an R&D subsidy rate `rate`.
    fn step(kit: &Kit, f: &mut Firm, rate: f64) {
        let rd_rate = |_: usize, _: i16| rate;
        let compute = |_: usize, _: i16| 0.0;
        let ctx = FirmContext {
            s: &kit.s,
            seed: 1,
            month: kit.month,
            wage: &kit.prices.wage,
            mix: &kit.jobs.tier_mix,
            tier_productivity: &kit.jobs.tier_productivity,
            density: &kit.fields.density,
            spillover: &kit.fields.spillover,
            rent_index: &kit.prices.rent_index,
            district: &kit.world.district,
            rd_rate: &rd_rate,
            compute: &compute,
        };
        f.step(&ctx);
    }

    fn kit() -> Kit {
        let mut kit = Kit::new();
        kit.s.firms.startup_hazard = 0.0;
        kit.s.firms.growth_sd = 0.0;
        kit
    }

    #[test]
    fn rd_follows_output_at_the_subsidised_user_cost_and_builds_the_knowledge_stock() {
        let mut kit = kit();
        kit.s.rd.cap = 1.0e12;
        kit.month = 1; // the year's subsidies are counted from January
        let mut f = firm(0, cell(2, 2));
        f.workers[1] = 10;
        f.productivity = 1.0e5;
        f.knowledge = 1.0e6;
        f.cash = 1.0e9;
        let rho = kit.s.sectors[0].rd_intensity;
        let (eps, delta) = (kit.s.firms.rd_elasticity, kit.s.firms.rd_depreciation);
        step(&kit, &mut f, 0.0);
        assert!(f.output > 0.0);
        assert!((f.rd - rho * f.output).abs() < 1e-6 * f.rd);
        assert_eq!(f.subsidy, 0.0);
        let k1 = f.knowledge;
        assert!((k1 - ((1.0 - delta / 12.0) * 1.0e6 + f.rd)).abs() < 1e-6);
        // A subsidy of a quarter lowers the user cost: R&D intensity rho (1 - s)^-eps.
        step(&kit, &mut f, 0.25);
        assert!((f.rd / f.output - rho * 0.75f64.powf(-eps)).abs() < 1e-9);
        assert!((f.subsidy - 0.25 * f.rd).abs() < 1e-6);
        // The cap limits the payment over the year.
        kit.s.rd.cap = f.subsidy_ytd + 1.0;
        step(&kit, &mut f, 0.25);
        assert!((f.subsidy - 1.0).abs() < 1e-9, "{}", f.subsidy);
    }

    #[test]
    fn a_firm_that_loses_money_for_too_long_exits_and_lays_everyone_off() {
        let kit = kit();
        let mut f = firm(0, cell(2, 2));
        f.workers = [2, 3, 0, 0, 0, 0];
        f.cash = -1.0e12;
        f.negative_months = kit.s.firms.exit_after_months - 1;
        step(&kit, &mut f, 0.0);
        assert!(!f.alive);
        assert_eq!(f.layoffs, f.workers);
        // A dead firm does nothing more.
        step(&kit, &mut f, 0.0);
        assert_eq!((f.output, f.rd, f.patents), (0.0, 0.0, 0));
        assert_eq!(f.vacancies, [0; MAX_TIERS]);
    }

    #[test]
    fn a_growing_firm_posts_vacancies_by_tier_mix_at_most_the_hiring_step() {
        let kit = kit();
        let mut f = firm(0, cell(2, 2));
        f.workers = [10, 40, 0, 0, 0, 0];
        f.productivity = 1.0e6; // far above what its size pays for
        f.desired = 50.0;
        f.cash = 1.0e9;
        step(&kit, &mut f, 0.0);
        let cap = |have: u32| (have as f64 * kit.s.firms.max_hiring_step).ceil() as u32 + 1;
        assert!(f.vacancies[0] > 0 && f.vacancies[1] > 0, "{:?}", f.vacancies);
        assert!(f.vacancies[0] <= cap(10) && f.vacancies[1] <= cap(40), "{:?}", f.vacancies);
        assert_eq!(f.layoffs, [0; MAX_TIERS]);
    }
}
