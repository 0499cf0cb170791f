//! Firms: production Y = A E^alpha (1 + density of the other firms / density_ref)^gamma, R&D at a
//! subsidised user cost with the subsidy's cap as a kink, a knowledge stock K, Poisson innovation
//! on product lines, Gibrat-like shocks, labour demand posted as vacancies by tier, cash, and exit.
//! One firm's month depends only on its own state and on month-wide fields, so firms step in
//! parallel.
//!
//! A firm agent is a super-individual (Scheffer, Baveco, DeAngelis, Rose & van Nes 1995, Oikos
//! 74): it stands for `multiplicity` identical firms. Its workers are agents (each `agent_scale`
//! people) shared evenly among its firms; its state (productivity, knowledge, cash) is that of one
//! of them; its month's flows (output, R&D, subsidy, patents) are the totals of all of them.

use crate::agents::MAX_TIERS;
use crate::policy::Ledger;
use crate::rng::{Purpose, Stream};
use crate::scenario::Scenario;
use crate::world::Cell;

/// Size of a firm that is its own agent: firms that start with fewer agents than this are
/// grouped into super-individuals of `round(agent_scale)` firms, so that a firm's size moves in
/// steps of one person (a representation choice, not behaviour: expectations do not depend on it).
pub const SINGLETON_AGENTS: f64 = 10.0;

/// Knowledge per product line at which `innovation_rate` is measured, yuan.
pub const KNOWLEDGE_REF: f64 = 1.0e6;

/// Efficiency units at which `growth_sd` is measured.
pub const VOLATILITY_REF: f64 = 10.0;

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
    /// Firms born in the corridor (start-ups and spin-offs): the cohorts of the survival KPIs.
    pub fn is_new_firm(self) -> bool {
        matches!(self, Origin::Spinoff | Origin::Startup)
    }
}

/// How many identical firms an agent founded for firms of `people` each stands for: one when
/// such a firm fills at least [`SINGLETON_AGENTS`] agents, else `round(agent_scale)` (at least 1).
pub fn multiplicity_for(people: f64, agent_scale: f64) -> u32 {
    if people / agent_scale >= SINGLETON_AGENTS {
        1
    } else {
        agent_scale.round().max(1.0) as u32
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
    /// Identical firms this agent stands for (fixed at birth; they exit together).
    pub multiplicity: u32,
    /// Workers by tier (agents, of all its firms together), recounted monthly.
    pub workers: [u32; MAX_TIERS],
    pub vacancies: [u32; MAX_TIERS],
    pub layoffs: [u32; MAX_TIERS],
    /// Per-tier rounding offsets in [0, 1), so small firms hire every tier in expectation.
    pub offsets: [f32; MAX_TIERS],
    /// Desired headcount (agents, of all its firms), adjusted partially toward the
    /// profit-maximising level.
    pub desired: f64,
    /// Total factor productivity A of each of its firms.
    pub productivity: f64,
    /// What a new firm does not yet know about its productivity (Jovanovic 1982): its belief's
    /// mean of log A less the true log A. Zero for established firms and once learnt.
    pub belief_gap: f64,
    /// R&D knowledge stock K of each firm, yuan.
    pub knowledge: f64,
    /// Patents of each firm (depreciating count): its emission into the spillover field.
    pub patent_stock: f64,
    pub wage_premium: f32,
    /// Cash of each firm, yuan.
    pub cash: f64,
    /// Months in a row in which the firm would lose money even at its profit-maximising size.
    pub loss_months: u32,
    /// Months in a row without workers.
    pub empty_months: u32,
    /// Months in a row in which the firm wanted to grow faster than `max_hiring_step` allows,
    /// and the longest such run of its life.
    pub cap_months: u32,
    pub longest_cap_months: u32,
    /// Subsidy received by each firm this year.
    pub subsidy_ytd: f64,
    /// Patents of all its firms this year.
    pub patents_ytd: u32,
    // This month's flows, totals of all its firms.
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
        ledger.firm_births[firm.origin] += firm.multiplicity;
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
    /// Jobs per km² by cell (of every employer).
    pub density: &'a [f32],
    /// Area of a cell, km².
    pub cell_km2: f64,
    /// Normalised spillover index by cell.
    pub spillover: &'a [f32],
    /// Market rent relative to the base rent, by cell.
    pub rent_index: &'a [f32],
    pub district: &'a [i16],
    /// R&D subsidy rate by sector and district (+1 for outside), this month.
    pub rd_rate: &'a (dyn Fn(usize, i16) -> f64 + Sync),
    /// Compute-centre boost by sector and district.
    pub compute: &'a (dyn Fn(usize, i16) -> f64 + Sync),
    /// The R&D price index (cost of a unit of real R&D relative to the start).
    pub rd_price: f64,
    /// The largest R&D subsidy a firm is paid in a year at this month's pro-rata ratio
    /// (`rd.cap` when the programme pays every claim).
    pub rd_cap: f64,
}

/// The R&D spending (yuan a month) of a firm with output `y` facing a subsidy `rate` whose
/// yearly payment is capped at `cap`, when a unit of real R&D costs `price` (the R&D price
/// index): real R&D responds to the user cost price (1 − rate) with elasticity `rd_elasticity`,
/// so spending is ρ y price^(1 − e) (1 − rate)^(−e). The marginal subsidy is `rate` up to the R&D
/// at which the cap binds (a kink in the user cost) and zero above it. The firm does the
/// subsidised optimum below the kink, the unsubsidised optimum above it, and bunches at the kink
/// in between (monthly R&D; the kink is the cap over 12 months of R&D).
pub fn rd_choice(y: f64, rho: f64, rate: f64, cap: f64, price: f64, f: &crate::scenario::FirmParams) -> f64 {
    let rho = rho * price.powf(1.0 - f.rd_elasticity);
    let unsubsidised = rho.min(f.max_rd_intensity) * y;
    if rate <= 0.0 {
        return unsubsidised;
    }
    let subsidised = (rho * (1.0 - rate).powf(-f.rd_elasticity)).min(f.max_rd_intensity) * y;
    let kink = cap / (12.0 * rate);
    if subsidised <= kink {
        subsidised
    } else if unsubsidised >= kink {
        unsubsidised
    } else {
        kink
    }
}

/// A firm's R&D this month and the subsidy paid on it: [`rd_choice`] at the `rate` and `cap` in
/// force, paid up to what is left of the cap after `paid_ytd` this year.
pub fn rd_and_subsidy(
    y: f64,
    rho: f64,
    rate: f64,
    cap: f64,
    paid_ytd: f64,
    price: f64,
    f: &crate::scenario::FirmParams,
) -> (f64, f64) {
    let rd = rd_choice(y, rho, rate, cap, price, f);
    (rd, (rate * rd).min((cap - paid_ytd).max(0.0)))
}

impl Firm {
    pub fn headcount(&self) -> u32 {
        self.workers.iter().sum()
    }

    /// The productivity the firm plans with in `month`: the certainty equivalent of its belief
    /// about A (see [`Learning`]); its true A for established firms.
    pub fn believed_productivity(&self, month: u32, f: &crate::scenario::FirmParams) -> f64 {
        match Learning::of(self, month, f) {
            Some(l) => self.productivity * (self.belief_gap + l.certainty_equivalent_shift(f)).exp(),
            None => self.productivity,
        }
    }

    /// The output this month of one of its firms (yuan), before it steps: what its R&D and its
    /// subsidy claim are made from.
    pub fn output_now(&self, ctx: &FirmContext) -> f64 {
        let eff = self.efficiency(ctx.s.agent_scale, ctx.tier_productivity);
        self.output_of_one(eff, self.agglomeration(ctx), ctx)
    }

    /// Y = A · (sector productivity) · E^alpha · agglomeration, for one of its firms.
    fn output_of_one(&self, eff: f64, agg: f64, ctx: &FirmContext) -> f64 {
        let sector = &ctx.s.sectors[self.sector as usize];
        if eff > 0.0 {
            self.productivity * sector.productivity * eff.powf(ctx.s.firms.alpha) * agg
        } else {
            0.0
        }
    }

    /// The R&D spending of all its firms this month had no subsidy been in force (from the
    /// month's output, at the R&D price `price`).
    pub fn unsubsidised_rd(&self, s: &crate::scenario::Scenario, price: f64) -> f64 {
        rd_choice(self.output, s.sectors[self.sector as usize].rd_intensity, 0.0, 0.0, price, &s.firms)
    }

    /// People of one of its firms per agent of its workers.
    #[inline]
    pub fn people_per_agent(&self, scale: f64) -> f64 {
        scale / self.multiplicity.max(1) as f64
    }

    /// People employed by one of its firms.
    pub fn people(&self, scale: f64) -> f64 {
        self.headcount() as f64 * self.people_per_agent(scale)
    }

    /// Efficiency units of labour of one of its firms (people times tier productivity).
    pub fn efficiency(&self, scale: f64, prod: &[f64]) -> f64 {
        self.workers.iter().zip(prod).map(|(&w, &p)| w as f64 * p).sum::<f64>() * self.people_per_agent(scale)
    }

    /// Product lines of one of its firms: max(1, E / `line_size`).
    pub fn lines(&self, s: &Scenario, prod: &[f64]) -> f64 {
        (self.efficiency(s.agent_scale, prod) / s.firms.line_size).max(1.0)
    }

    /// Cost of one efficiency unit a month at this firm (wages and office rent).
    pub fn unit_cost(&self, ctx: &FirmContext) -> f64 {
        let office = ctx.s.firms.office_rent_per_worker * ctx.rent_index[self.cell as usize] as f64;
        unit_cost(ctx.wage, ctx.mix, ctx.tier_productivity, self.wage_premium as f64, office)
    }

    /// Agglomeration from the job density of the cell less the firm's own jobs.
    pub fn agglomeration(&self, ctx: &FirmContext) -> f64 {
        let own = self.people(ctx.s.agent_scale) / ctx.cell_km2;
        agglomeration((ctx.density[self.cell as usize] as f64 - own).max(0.0) as f32, &ctx.s.firms)
    }

    /// Raises the productivity of one product line of one of its firms by `gain` (an innovation
    /// or a licence): each firm's A by gain / lines, shared over its `multiplicity` firms.
    pub fn improve_line(&mut self, gain: f64, lines: f64, count: f64) {
        let m = self.multiplicity.max(1) as f64;
        self.productivity *= (1.0 + gain / lines).powf(count / m);
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
        if ctx.month % 12 == 0 {
            self.subsidy_ytd = 0.0;
            self.patents_ytd = 0;
        }
        if !self.alive {
            return;
        }
        let s = ctx.s;
        let f = &s.firms;
        let sector = &s.sectors[self.sector as usize];
        let scale = s.agent_scale;
        let m = self.multiplicity.max(1) as f64;
        let ppa = self.people_per_agent(scale);
        let mut rng = Stream::new(ctx.seed, Purpose::FirmGrowth, self.id as u64, ctx.month);
        let district = ctx.district[self.cell as usize];
        // One of its firms: efficiency units, output, costs.
        let eff = self.efficiency(scale, ctx.tier_productivity);
        let agg = self.agglomeration(ctx);
        let y = self.output_of_one(eff, agg, ctx);
        let wage_bill: f64 =
            self.workers[..ctx.wage.len()].iter().enumerate().map(|(t, &w)| w as f64 * ctx.wage[t]).sum::<f64>()
                * ppa
                * self.wage_premium as f64;
        let office = self.people(scale) * f.office_rent_per_worker * ctx.rent_index[self.cell as usize] as f64;
        // R&D at the subsidised user cost, with the cap as a kink.
        let rate = (ctx.rd_rate)(self.sector as usize, district);
        let (rd, subsidy) = rd_and_subsidy(y, sector.rd_intensity, rate, ctx.rd_cap, self.subsidy_ytd, ctx.rd_price, f);
        let cap_left = (ctx.rd_cap - self.subsidy_ytd).max(0.0);
        self.subsidy_ytd += subsidy;
        // Cash: profits are kept up to the reserve and paid out above it; losses run it down.
        let costs = wage_bill + office + f.fixed_cost;
        let profit = y - costs - rd + subsidy;
        let reserve = f.start_cash_months * costs;
        self.cash = if profit > 0.0 { (self.cash + profit).min(reserve.max(self.cash)) } else { self.cash + profit };
        // Knowledge grows by the real R&D the spending buys at the R&D price.
        self.knowledge = (1.0 - f.rd_depreciation / 12.0) * self.knowledge + rd / ctx.rd_price;
        // Innovation on product lines (Klette & Kortum 2004): a firm of n lines innovates at
        // lambda0 n (K / n / K_ref)^beta (1 + sigma S^phi) (1 + compute), each innovation raising
        // one line's productivity by g. Its firms' innovations are drawn together.
        let spill = ctx.spillover[self.cell as usize] as f64;
        let (lambda, lines) =
            innovation_rate(f, eff, self.knowledge, spill, (ctx.compute)(self.sector as usize, district));
        let mut irng = Stream::new(ctx.seed, Purpose::FirmInnovation, self.id as u64, ctx.month);
        let patents = irng.poisson_u32(lambda * m);
        if patents > 0 {
            self.improve_line(f.innovation_step, lines, patents as f64);
        }
        self.patent_stock = self.patent_stock * (1.0 - f.rd_depreciation / 12.0) + patents as f64 / m;
        // Gibrat-like shock whose size falls with firm size (sd ~ size^-exponent).
        let sd = f.growth_sd * (eff.max(1.0) / VOLATILITY_REF).powf(-f.growth_sd_size_exponent);
        self.productivity *= (sd * rng.normal() - 0.5 * sd * sd).exp();
        self.output = y * m;
        self.rd = rd * m;
        self.subsidy = subsidy * m;
        self.patents = patents;
        self.patents_ytd = self.patents_ytd.saturating_add(patents);

        // Labour demand: partial adjustment toward the profit-maximising size, in agents of all
        // its firms (one person of each of its firms is m / scale agents).
        let c = self.unit_cost(ctx);
        let believed = self.believed_productivity(ctx.month, f);
        let target_eff = (f.alpha * believed * sector.productivity * agg / c).powf(1.0 / (1.0 - f.alpha));
        let per_person: f64 = ctx.mix.iter().zip(ctx.tier_productivity).map(|(m, p)| m * p).sum::<f64>();
        let person = 1.0 / ppa;
        let target = target_eff / per_person.max(1e-9) * person;
        let step = f.max_hiring_step * self.desired + f.hiring_step_people * person;
        if target - self.desired > step {
            self.cap_months += 1;
            self.longest_cap_months = self.longest_cap_months.max(self.cap_months);
        } else {
            self.cap_months = 0;
        }
        self.desired += (target - self.desired).clamp(-step, step);
        let head = self.headcount();
        // Viability: the profit it would make at its profit-maximising size, where wages and
        // office cost alpha of output (Hopenhayn 1992: below the zero-profit productivity it
        // exits). Losses while it adjusts its size do not count.
        let y_star = c * target_eff / f.alpha;
        let rd_star = rd_choice(y_star, sector.rd_intensity, rate, ctx.rd_cap, ctx.rd_price, f);
        let best = (1.0 - f.alpha) * y_star - rd_star + (rate * rd_star).min(cap_left) - f.fixed_cost;
        self.loss_months = if best < 0.0 { self.loss_months + 1 } else { 0 };
        self.desired = self.desired.max(0.0);
        self.empty_months = if head == 0 { self.empty_months + 1 } else { 0 };
        // Exit: losses for too long (its productivity no longer covers the costs at the market's
        // wages and rents), no workers for too long, or the start-up hazard of firms born in the
        // run, which falls with age.
        let hazard = if self.origin == Origin::Incumbent {
            0.0
        } else {
            let age = ctx.month.saturating_sub(self.birth_month) as f64;
            f.startup_hazard * (-age / f.hazard_decay_months).exp()
        };
        let mut xrng = Stream::new(ctx.seed, Purpose::FirmExit, self.id as u64, ctx.month);
        // A firm without workers that wants less than one person closes at once.
        let closes = head == 0 && self.desired < person;
        if closes
            || self.loss_months >= f.exit_after_months
            || self.empty_months >= f.exit_empty_months
            || xrng.chance(hazard)
        {
            self.exit();
            return;
        }
        self.post_vacancies(ctx.mix, f.max_hiring_step, f.hiring_step_people * person, profit < 0.0);
        // This month's output is a signal of its productivity: the belief moves toward the truth.
        if let Some(l) = Learning::of(self, ctx.month, f) {
            let mut lrng = Stream::new(ctx.seed, Purpose::FirmLearning, self.id as u64, ctx.month);
            self.belief_gap = l.update(self.belief_gap, lrng.normal(), f);
        }
    }

    /// The firm (all its firms) exits: everyone is laid off.
    pub fn exit(&mut self) {
        self.alive = false;
        self.desired = 0.0;
        self.vacancies = [0; MAX_TIERS];
        self.layoffs = self.workers;
    }

    /// Vacancies per tier toward the desired headcount, at most `step` of the tier's workers plus
    /// `extra` agents a month (`hiring_step_people` people of each of its firms); layoffs above it (beyond a band of one agent,
    /// none while the firm is `losing` money).
    pub fn post_vacancies(&mut self, mix: &[f64], step: f64, extra: f64, losing: bool) {
        for t in 0..mix.len() {
            let want = (self.desired * mix[t] + self.offsets[t] as f64).floor().max(0.0) as u32;
            let have = self.workers[t];
            if want > have {
                let cap = (have as f64 * step + extra).ceil() as u32;
                self.vacancies[t] = (want - have).min(cap.max(1));
            } else if have > want + 1 || (losing && have > want) {
                self.layoffs[t] = have - want;
            }
        }
    }
}

/// Learning about entry productivity (Jovanovic 1982, in the Gaussian form of Arkolakis,
/// Papageorgiou & Timoshenko 2018, RED 27): a new firm's log productivity deviates by
/// theta ~ N(mu, sigma^2) from the level of its planned size (sigma = `entry_productivity_sd`,
/// mu = -sigma^2 / (2 (1 - alpha)), so that the mean planned size is the plan). It does not know
/// theta: it starts from the prior and each month observes theta plus noise of variance
/// h sigma^2 (h = `learning_half_months`), so that after n signals the belief's variance is
/// v_n = sigma^2 h / (h + n): halved after h months. It plans (size, viability) with the
/// certainty equivalent of A^(1/(1-alpha)), i.e. the belief's mean of log A plus
/// v_n / (2 (1 - alpha)). Only the belief's error (mean less truth) is stored: it starts at
/// mu - theta and moves as g' = g (h + n) / (h + n + 1) + sigma sqrt(h) z / (h + n + 1), z ~ N(0, 1),
/// which has variance v_(n+1) when g has variance v_n. Other changes of A (shocks, innovations,
/// licences) are observed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Learning {
    /// Signals observed before this month (one a month of operation since the first).
    pub signals: f64,
}

impl Learning {
    /// The learning state of `firm` in `month`: none for established firms, when learning is
    /// instant (`learning_half_months` = 0) or there is nothing to learn.
    pub fn of(firm: &Firm, month: u32, f: &crate::scenario::FirmParams) -> Option<Learning> {
        if !firm.origin.is_new_firm() || f.learning_half_months <= 0.0 || f.entry_productivity_sd <= 0.0 {
            return None;
        }
        // A firm steps first in the month after its birth.
        Some(Learning { signals: month.saturating_sub(firm.birth_month).saturating_sub(1) as f64 })
    }

    /// Variance of the belief about log productivity after this many signals.
    pub fn variance(&self, f: &crate::scenario::FirmParams) -> f64 {
        let h = f.learning_half_months;
        f.entry_productivity_sd.powi(2) * h / (h + self.signals)
    }

    /// Shift from the belief's mean of log A to the certainty equivalent it plans with.
    pub fn certainty_equivalent_shift(&self, f: &crate::scenario::FirmParams) -> f64 {
        0.5 * self.variance(f) / (1.0 - f.alpha)
    }

    /// The belief's error after one more signal with standard normal noise `z`.
    pub fn update(&self, gap: f64, z: f64, f: &crate::scenario::FirmParams) -> f64 {
        let (h, n) = (f.learning_half_months, self.signals);
        (gap * (h + n) + f.entry_productivity_sd * h.sqrt() * z) / (h + n + 1.0)
    }
}

/// The innovation rate of one firm with `eff` efficiency units and knowledge stock `knowledge`
/// (Klette & Kortum 2004): with n = max(1, E / line_size) product lines,
/// lambda = lambda0 n (K / n / K_ref)^beta (1 + sigma S^phi) (1 + compute), and each innovation raises
/// one line's productivity by g (the firm's A by g / n). At a given R&D intensity (knowledge per
/// line) the expected growth lambda g / n does not depend on size (Gibrat); at a given size
/// patents rise with knowledge with elasticity beta < 1 (diminishing returns). Returns (lambda, n);
/// no innovation without workers.
pub fn innovation_rate(
    f: &crate::scenario::FirmParams,
    eff: f64,
    knowledge: f64,
    spill: f64,
    compute: f64,
) -> (f64, f64) {
    let lines = (eff / f.line_size).max(1.0);
    if eff <= 0.0 {
        return (0.0, lines);
    }
    let lambda = f.innovation_rate
        * lines
        * (knowledge / lines / KNOWLEDGE_REF).powf(f.patent_elasticity)
        * (1.0 + f.spillover_effect * spill.max(0.0).powf(f.spillover_returns))
        * (1.0 + compute);
    (lambda, lines)
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

/// Agglomeration factor (1 + density / density_ref)^gamma of a cell with `density` jobs per km²
/// (of the other firms).
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
            cell_km2: kit.world.cell_km * kit.world.cell_km,
            spillover: &kit.fields.spillover,
            rent_index: &kit.prices.rent_index,
            district: &kit.world.district,
            rd_rate: &rd_rate,
            compute: &compute,
            rd_price: kit.prices.research.price,
            rd_cap: kit.s.rd.cap,
        };
        f.step(&ctx);
    }

    fn kit() -> Kit {
        let mut kit = Kit::new();
        kit.s.firms.startup_hazard = 0.0;
        kit.s.firms.growth_sd = 0.0;
        kit.s.firms.fixed_cost = 0.0;
        kit
    }

    #[test]
    fn the_belief_error_has_the_variance_of_the_belief_and_halves_after_the_half_life() {
        // Many firms' belief errors, started at the prior's (sd sigma) and moved by the update:
        // their variance after n signals is sigma^2 h / (h + n), the variance the firm plans
        // with, and it has halved after h signals. A wrong update (e.g. forgetting the
        // (h + n) / (h + n + 1) weight) fails this.
        let f = crate::scenario::FirmParams {
            entry_productivity_sd: 0.3,
            learning_half_months: 12.0,
            ..Default::default()
        };
        let draws = 40_000;
        let mut gaps: Vec<f64> = (0..draws)
            .map(|i| -f.entry_productivity_sd * Stream::new(7, Purpose::FirmLearning, i, 0).normal())
            .collect();
        for n in 0..36u32 {
            let l = Learning { signals: n as f64 };
            let var = gaps.iter().map(|g| g * g).sum::<f64>() / draws as f64;
            assert!((var / l.variance(&f) - 1.0).abs() < 0.03, "after {n} signals: {var} vs {}", l.variance(&f));
            for (i, g) in gaps.iter_mut().enumerate() {
                *g = l.update(*g, Stream::new(7, Purpose::FirmLearning, i as u64, n + 1).normal(), &f);
            }
        }
        let half = Learning { signals: 12.0 }.variance(&f) / Learning { signals: 0.0 }.variance(&f);
        assert!((half - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_new_firm_plans_with_its_belief_and_learns_its_productivity() {
        // A start-up whose true productivity is high: without learning it aims at its true
        // optimum at once; with learning it starts from the prior (the plan) and its desired
        // size rises toward the truth as the signals come in. Established firms know theirs.
        let mut kit = kit();
        kit.month = 1;
        let mut base = firm(0, cell(2, 2));
        base.origin = Origin::Startup;
        base.workers[1] = 3;
        base.desired = 3.0;
        base.productivity = 2.0e5;
        base.cash = 1.0e9;
        base.belief_gap = -0.3; // it believes A 26 % lower than it is
        let f = &kit.s.firms;
        let planned = base.believed_productivity(1, f);
        let shift = Learning::of(&base, 1, f).unwrap().certainty_equivalent_shift(f);
        assert!((planned / (2.0e5 * (-0.3 + shift).exp()) - 1.0).abs() < 1e-12);
        let mut established = base.clone();
        established.origin = Origin::Incumbent;
        assert_eq!(established.believed_productivity(1, f), 2.0e5);
        kit.s.firms.max_hiring_step = 1.0e6; // no hiring limit: the desired size is the target
        let (mut learning, mut knowing) = (base.clone(), base.clone());
        knowing.belief_gap = 0.0;
        kit.s.firms.learning_half_months = 0.0;
        step(&kit, &mut knowing, 0.0);
        kit.s.firms.learning_half_months = 12.0;
        let mut sizes = Vec::new();
        for month in 1..=60 {
            kit.month = month;
            step(&kit, &mut learning, 0.0);
            sizes.push(learning.desired);
        }
        assert!(sizes[0] < knowing.desired, "{} vs {}", sizes[0], knowing.desired);
        assert!(sizes[59] > sizes[0], "it learns it is better than it thought: {sizes:?}");
        assert!(learning.belief_gap.abs() < 0.3, "the error shrinks: {}", learning.belief_gap);
    }

    #[test]
    fn patent_counts_saturate_instead_of_wrapping() {
        // An absurd but allowed innovation rate: the month's draw and the year's count stay at
        // most u32::MAX (they wrapped, and overflowed with debug assertions, before).
        let mut kit = kit();
        kit.s.firms.innovation_rate = 1.0e12;
        kit.month = 1;
        let mut f = firm(0, cell(2, 2));
        f.workers[1] = 10;
        f.productivity = 1.0e5;
        f.knowledge = 1.0e9;
        f.cash = 1.0e9;
        step(&kit, &mut f, 0.0);
        assert_eq!(f.patents, u32::MAX);
        step(&kit, &mut f, 0.0);
        assert_eq!(f.patents_ytd, u32::MAX);
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
    fn the_capped_subsidy_is_a_kink_in_the_user_cost() {
        let f = crate::scenario::FirmParams { rd_elasticity: 1.0, ..Default::default() };
        let (y, rho, rate) = (1.0e6, 0.04, 0.5);
        let (unsub, sub) = (rho * y, rho * y / (1.0 - rate));
        // A cap far above: the subsidised optimum.
        assert!((rd_choice(y, rho, rate, 1.0e12, 1.0, &f) - sub).abs() < 1e-6);
        // The cap binds between the two optima: bunching at the kink, where the year's subsidy
        // just reaches the cap.
        let cap = 12.0 * rate * 0.5 * (unsub + sub);
        let kink = rd_choice(y, rho, rate, cap, 1.0, &f);
        assert!((kink - cap / (12.0 * rate)).abs() < 1e-6 && kink > unsub && kink < sub);
        // A cap below even the unsubsidised R&D: no marginal subsidy, the unsubsidised optimum.
        assert!((rd_choice(y, rho, rate, 12.0 * rate * 0.5 * unsub, 1.0, &f) - unsub).abs() < 1e-6);
        // More subsidy with a binding cap lowers the kink: the response stops at the cap.
        assert!(rd_choice(y, rho, 0.6, cap, 1.0, &f) < kink);
        assert_eq!(rd_choice(y, rho, 0.0, 0.0, 1.0, &f), unsub);
    }

    #[test]
    fn spending_follows_the_rd_price_with_the_user_cost_elasticity() {
        // Real R&D (spending over price) falls with the price at elasticity e; at e = 1 spending
        // in yuan does not move.
        let (y, rho) = (1.0e6, 0.04);
        for e in [0.5, 1.0, 2.0] {
            let f = crate::scenario::FirmParams { rd_elasticity: e, ..Default::default() };
            for rate in [0.0, 0.3] {
                let real = |p: f64| rd_choice(y, rho, rate, 1.0e12, p, &f) / p;
                let elasticity = (real(1.1) / real(1.0)).ln() / 1.1f64.ln();
                assert!((elasticity + e).abs() < 1e-9, "e {e} rate {rate}: {elasticity}");
            }
        }
    }

    #[test]
    fn spillovers_raise_innovation_with_diminishing_returns_to_the_local_knowledge_stock() {
        // 1 + sigma S^phi: at S = 1 the multiplier is 1 + sigma whatever phi; below phi = 1
        // each doubling of S adds less than the one before (so the patents-spillover-patents
        // loop has a fixed point); at phi = 1 it is linear.
        let f = crate::scenario::FirmParams { spillover_effect: 0.5, spillover_returns: 0.5, ..Default::default() };
        let rate = |f: &crate::scenario::FirmParams, s: f64| innovation_rate(f, 100.0, 2.0e7, s, 0.0).0;
        let none = rate(&f, 0.0);
        assert!((rate(&f, 1.0) / none - 1.5).abs() < 1e-12);
        let gains: Vec<f64> = [1.0, 2.0, 4.0, 8.0].windows(2).map(|w| rate(&f, w[1]) - rate(&f, w[0])).collect();
        assert!(gains[0] > 0.0 && gains[1] < gains[0] * 2.0 && gains[2] < gains[1] * 2.0, "{gains:?}");
        assert!((rate(&f, 4.0) / none - (1.0 + 0.5 * 2.0)).abs() < 1e-12);
        let linear = crate::scenario::FirmParams { spillover_returns: 1.0, ..f.clone() };
        assert!((rate(&linear, 4.0) / none - 3.0).abs() < 1e-12);
    }

    #[test]
    fn innovation_has_constant_returns_in_size_and_knowledge_and_diminishing_returns_in_knowledge() {
        let f = crate::scenario::FirmParams::default();
        let growth = |eff: f64, k: f64| {
            let (lambda, lines) = innovation_rate(&f, eff, k, 0.0, 0.0);
            lambda * f.innovation_step / lines
        };
        let (e, k) = (100.0, 2.0e7);
        let (l1, _) = innovation_rate(&f, e, k, 0.0, 0.0);
        let (l2, _) = innovation_rate(&f, 2.0 * e, 2.0 * k, 0.0, 0.0);
        assert!((l2 / l1 - 2.0).abs() < 1e-9, "patents proportional to size at a given intensity");
        assert!((growth(2.0 * e, 2.0 * k) / growth(e, k) - 1.0).abs() < 1e-9, "Gibrat");
        let ratio = growth(e, 2.0 * k) / growth(e, k);
        assert!((ratio - 2f64.powf(f.patent_elasticity)).abs() < 1e-9 && ratio < 2.0, "diminishing returns");
        assert_eq!(innovation_rate(&f, 0.0, k, 0.0, 0.0).0, 0.0, "no workers, no innovation");
    }

    #[test]
    fn a_firm_alone_in_its_cell_draws_no_agglomeration_from_its_own_jobs() {
        let kit = kit();
        let mut f = firm(0, cell(2, 2));
        f.workers[1] = 40;
        let agg = |f: &Firm, jobs: f32| {
            let mut density = kit.fields.density.clone();
            density[cell(2, 2) as usize] = jobs;
            let rd_rate = |_: usize, _: i16| 0.0;
            let compute = |_: usize, _: i16| 0.0;
            let ctx = FirmContext {
                s: &kit.s,
                seed: 1,
                month: 0,
                wage: &kit.prices.wage,
                mix: &kit.jobs.tier_mix,
                tier_productivity: &kit.jobs.tier_productivity,
                density: &density,
                cell_km2: 1.0,
                spillover: &kit.fields.spillover,
                rent_index: &kit.prices.rent_index,
                district: &kit.world.district,
                rd_rate: &rd_rate,
                compute: &compute,
                rd_price: kit.prices.research.price,
                rd_cap: kit.s.rd.cap,
            };
            f.agglomeration(&ctx)
        };
        assert_eq!(agg(&f, 40.0), 1.0, "its own 40 people on 1 km²");
        let reference = kit.s.firms.density_ref as f32;
        assert!((agg(&f, 40.0 + reference) - 2f64.powf(kit.s.firms.gamma)).abs() < 1e-6);
        // A super-individual of 4 firms: one of them employs a quarter of its people.
        f.multiplicity = 4;
        assert!(agg(&f, 40.0) > 1.0, "the other three firms are neighbours");
    }

    #[test]
    fn a_firm_that_loses_money_for_too_long_exits_and_lays_everyone_off() {
        let mut kit = kit();
        kit.s.firms.fixed_cost = 1.0e9;
        let mut f = firm(0, cell(2, 2));
        f.workers = [2, 3, 0, 0, 0, 0];
        f.loss_months = kit.s.firms.exit_after_months - 1;
        step(&kit, &mut f, 0.0);
        assert!(!f.alive);
        assert_eq!(f.layoffs, f.workers);
        // A dead firm does nothing more.
        step(&kit, &mut f, 0.0);
        assert_eq!((f.output, f.rd, f.patents), (0.0, 0.0, 0));
        assert_eq!(f.vacancies, [0; MAX_TIERS]);
    }

    #[test]
    fn a_firm_without_workers_for_too_long_exits() {
        let kit = kit();
        let mut f = firm(0, cell(2, 2));
        f.cash = 1.0e9;
        f.productivity = 1.0e6; // it wants to hire, but nobody comes
        f.desired = 10.0;
        for _ in 1..kit.s.firms.exit_empty_months {
            step(&kit, &mut f, 0.0);
            assert!(f.alive && f.vacancies.iter().sum::<u32>() > 0);
        }
        step(&kit, &mut f, 0.0);
        assert!(!f.alive, "empty for {} months", f.empty_months);
        // A firm without workers that wants nobody closes at once.
        let mut g = firm(0, cell(2, 2));
        g.cash = 1.0e9;
        step(&kit, &mut g, 0.0);
        assert!(!g.alive);
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
        assert_eq!(f.cap_months, 1, "it wanted to grow faster than the hiring step");
    }

    #[test]
    fn the_people_a_firm_may_add_beyond_the_hiring_step_are_a_key() {
        // A one-person firm far below its optimal size: its desired size and its vacancies grow by
        // max_hiring_step of its size plus hiring_step_people people a month.
        for extra in [1.0, 3.0] {
            let mut kit = kit();
            kit.s.firms.hiring_step_people = extra;
            let mut f = firm(0, cell(2, 2));
            f.workers = [0, 1, 0, 0, 0, 0];
            f.productivity = 1.0e6;
            f.desired = 1.0;
            f.cash = 1.0e9;
            step(&kit, &mut f, 0.0);
            let person = 1.0 / f.people_per_agent(kit.s.agent_scale);
            let grown = f.desired - 1.0;
            let allowed = kit.s.firms.max_hiring_step * 1.0 + extra * person;
            assert!((grown - allowed).abs() < 1e-9, "extra {extra}: grew {grown}, allowed {allowed}");
            assert_eq!(f.cap_months, 1);
        }
    }

    #[test]
    fn super_individuals_count_people_per_firm() {
        assert_eq!(multiplicity_for(3.0, 10.0), 10);
        assert_eq!(multiplicity_for(200.0, 10.0), 1);
        assert_eq!(multiplicity_for(3.0, 0.5), 1);
        assert_eq!(multiplicity_for(3.0, 2.5), 3);
        let mut f = firm(0, cell(1, 1));
        f.multiplicity = 10;
        f.workers[1] = 30;
        assert_eq!(f.people(10.0), 30.0, "30 agents of 10 people are 10 firms of 30");
        assert_eq!(f.people_per_agent(10.0), 1.0);
    }
}
