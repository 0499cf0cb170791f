//! Talent: households with one earner, by tier and sector skill. Each month they search for jobs,
//! choose homes, may leave, arrive, age and found firms (one module per mechanism).

pub mod arrivals;
pub mod entrepreneurship;
pub mod job_search;
pub mod leaving;
pub mod life_course;
pub mod residence;

use crate::agents::school::Schools;
use crate::policy::Policy;
use crate::prices::{Prices, MONTHS_PER_YEAR};
use crate::scenario::Scenario;
use crate::world::{Cell, World};

/// `home` of a household living in the first outside zone; zone `z` is `OUTSIDE - z` (see
/// [`zone_home`]). Homes at or above [`FIRST_ZONE_HOME`] are outside the corridor.
pub const OUTSIDE: Cell = Cell::MAX;
/// Most outside zones a scenario may define.
pub const MAX_ZONES: usize = 64;
/// The smallest `home` that stands for an outside zone.
pub const FIRST_ZONE_HOME: Cell = Cell::MAX - (MAX_ZONES as Cell - 1);
/// `employer` of a person without a job.
pub const NO_JOB: u32 = u32::MAX;
/// Bit set in `employer` for lab jobs (the rest is the lab index); otherwise a firm index.
pub const LAB_BIT: u32 = 1 << 31;

/// The outside zone a home stands for, None for a cell of the corridor.
#[inline]
pub fn zone_of(home: Cell) -> Option<usize> {
    (home >= FIRST_ZONE_HOME).then(|| (Cell::MAX - home) as usize)
}

/// The `home` of a household living in outside zone `z`.
#[inline]
pub fn zone_home(z: usize) -> Cell {
    Cell::MAX - z as Cell
}

/// Whether a home is a cell of the corridor.
#[inline]
pub fn in_corridor(home: Cell) -> bool {
    home < FIRST_ZONE_HOME
}

/// School age in months, fixed by the Compulsory Education Law of the PRC (1986, revised 2006):
/// six years of primary school from age 6, then three years of junior middle school.
pub const PRIMARY_FROM_MONTHS: i16 = 72;
pub const MIDDLE_FROM_MONTHS: i16 = 144;
pub const SCHOOL_END_MONTHS: i16 = 180;

/// How a household holds its home.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Tenure {
    Outside = 0,
    Market = 1,
    TalentUnit = 2,
    Shared = 3,
    Owner = 4,
}

impl Tenure {
    /// The housing stock the household occupies (owners live in market-type units).
    pub fn stock(self) -> Option<usize> {
        match self {
            Tenure::Outside => None,
            Tenure::Market | Tenure::Owner => Some(0),
            Tenure::TalentUnit => Some(1),
            Tenure::Shared => Some(2),
        }
    }
    /// Owners in full or in part (shared ownership).
    pub fn owns(self) -> bool {
        matches!(self, Tenure::Owner | Tenure::Shared)
    }
}

pub const FLAG_RESEARCHER: u8 = 1;
/// The child's school placement is beyond its home district's seats (`schools.overflow_*`).
pub const FLAG_OVERFLOW: u8 = 2;
pub const FLAG_COORDINATED: u8 = 4;
pub const FLAG_JOB_CHANGED: u8 = 8;
pub const FLAG_SUBSIDISED: u8 = 16;
/// The relocation bonus has been paid (on the first job in the corridor).
pub const FLAG_BONUS_PAID: u8 = 32;

/// One talent agent: a household with one earner (standing for `agent_scale` households).
/// Plain data, 32 bytes. The wage is not stored: it is the tier's wage index times the
/// employer's premium ([`Utility::wage`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Talent {
    /// Stable id: streams of random numbers are keyed by it.
    pub id: u32,
    /// One-way commute from home to work (or to the nearest hub without a job), minutes, kept up
    /// to date wherever the home or the job changes (all are recomputed when a line opens).
    pub commute: f32,
    /// A cell of the corridor, or an outside zone ([`zone_of`]).
    pub home: Cell,
    pub employer: u32,
    pub age_months: u16,
    /// Age of the household's child in months, -1 without a child.
    pub child_age_months: i16,
    pub months_unemployed: u16,
    pub months_in_corridor: u16,
    /// Month + 1 when the household joined the talent-housing waiting list, 0 if not on it.
    pub waitlist_since: u16,
    pub tier: u8,
    pub sector: u8,
    pub tenure: Tenure,
    pub flags: u8,
    /// District of the child's school (its seat, or its overflow placement), -1 without one
    /// (children living outside the corridor go to their zone's schools).
    pub seat_district: i8,
    /// School level of the seat: 0 primary, 1 middle.
    pub seat_level: u8,
}

impl Talent {
    #[inline]
    pub fn employed(&self) -> bool {
        self.employer != NO_JOB
    }
    #[inline]
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
    #[inline]
    pub fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
    /// School level the child needs now: Some(0) primary (6-11), Some(1) middle (12-14).
    #[inline]
    pub fn school_level(&self) -> Option<u8> {
        match self.child_age_months {
            PRIMARY_FROM_MONTHS..MIDDLE_FROM_MONTHS => Some(0),
            MIDDLE_FROM_MONTHS..SCHOOL_END_MONTHS => Some(1),
            _ => None,
        }
    }
    #[inline]
    pub fn has_child(&self) -> bool {
        self.child_age_months >= 0
    }
    /// A child of school age at a school outside its home district (by coordination or beyond
    /// the district's seats).
    #[inline]
    pub fn seated_elsewhere(&self) -> bool {
        self.seat_district >= 0 && self.flags & (FLAG_COORDINATED | FLAG_OVERFLOW) != 0
    }
    pub fn age_years(&self) -> f64 {
        self.age_months as f64 / MONTHS_PER_YEAR
    }
}

/// The households of the corridor, kept in id order (ids only grow: arrivals are appended).
#[derive(Clone, Debug, Default)]
pub struct Population {
    pub agents: Vec<Talent>,
    /// A second buffer, reused each month when leavers are removed (its contents are scratch).
    pub spare: Vec<Talent>,
    /// The id the next arrival gets.
    pub next_id: u32,
}

impl PartialEq for Population {
    fn eq(&self, o: &Population) -> bool {
        self.agents == o.agents && self.next_id == o.next_id
    }
}

/// What a household sees of the corridor this month, and what it would pay and how it would fare
/// in a cell or an outside zone: the pieces of the logit utility
/// U = b_inc ln(max(income - housing cost + subsidy, m income)) - b_time commute + b_amen amenity
///     + [child] (b_school school quality - b_time extra school trip).
#[derive(Clone, Copy)]
pub struct Utility<'a> {
    pub s: &'a Scenario,
    pub month: u32,
    pub world: &'a World,
    /// Wage index per tier, the wage trend and market rents.
    pub prices: &'a Prices,
    /// The workplace cell and the wage premium of each firm.
    pub firm_cells: &'a [Cell],
    pub firm_premia: &'a [f32],
    /// The levers in force (rent subsidies).
    pub policy: &'a Policy,
    /// School quality and availability per district.
    pub schools: &'a Schools,
}

impl Utility<'_> {
    /// Monthly wage of an employed person at the start year's wage level: the tier's wage index
    /// times the employer's premium (1 at labs), rounded to f32 like the other per-agent money
    /// amounts; 0 without a job. Firms pay it and job seekers compare it; the real wage is this
    /// times the trend ([`Utility::income`]).
    #[inline]
    pub fn wage(&self, t: &Talent) -> f64 {
        wage(&self.prices.wage, self.firm_premia, t)
    }

    /// Monthly income in yuan of the start year: the wage times the trend, or for the unemployed
    /// `unemployed_income_share` of the tier's.
    pub fn income(&self, t: &Talent) -> f64 {
        let at_start_level = if t.employed() {
            self.wage(t)
        } else {
            self.s.talent.unemployed_income_share * self.prices.wage[t.tier as usize]
        };
        at_start_level * self.prices.trend
    }

    /// Price of a market unit in a cell (the price-to-rent ratio times its rent).
    #[inline]
    pub fn price(&self, cell: Cell) -> f64 {
        self.prices.rent[cell as usize] as f64 * self.s.housing.price_to_rent_months
    }

    /// Monthly housing cost of a tenure in a cell or an outside zone, before any rent subsidy.
    pub fn housing_cost(&self, home: Cell, tenure: Tenure) -> f64 {
        if let Some(z) = zone_of(home) {
            return self.world.zones[z].rent * self.prices.trend;
        }
        let rent = self.prices.rent[home as usize] as f64;
        let h = &self.s.housing;
        match tenure {
            Tenure::Outside | Tenure::Market => rent,
            Tenure::TalentUnit => rent * h.talent_units.rent_share,
            Tenure::Shared => self.price(home) * h.shared_cost_share,
            Tenure::Owner => self.price(home) * h.owner_user_cost / MONTHS_PER_YEAR,
        }
    }

    /// Savings of a household: `saving_rate` of its income for every year since
    /// `career_start_age`.
    pub fn savings(&self, t: &Talent) -> f64 {
        self.savings_of(t, self.income(t))
    }

    /// [`Utility::savings`] from the household's income, when it is known.
    #[inline]
    fn savings_of(&self, t: &Talent, income: f64) -> f64 {
        let s = &self.s.talent;
        s.saving_rate * MONTHS_PER_YEAR * income * (t.age_years() - s.career_start_age).max(0.0)
    }

    /// Whether the household can buy a market unit in `cell`: it has a job and its savings pay
    /// the down payment.
    pub fn can_buy(&self, t: &Talent, cell: Cell) -> bool {
        self.chooser(t).can_buy(cell)
    }

    /// Workplace cell, if employed.
    #[inline]
    pub fn work_cell(&self, t: &Talent) -> Option<Cell> {
        work_cell(t, self.firm_cells, &self.world.lab_cells)
    }

    /// One-way commute in minutes from a home (a cell or an outside zone) to the workplace;
    /// without a job, to the nearest hub.
    #[inline]
    pub fn commute(&self, home: Cell, work: Option<Cell>) -> f64 {
        commute_min(self.s, self.world, self.month, home, work)
    }

    /// Rent subsidy the household receives this month.
    pub fn rent_subsidy(&self, t: &Talent, home: Cell) -> f64 {
        if !t.has(FLAG_SUBSIDISED) || !in_corridor(home) {
            return 0.0;
        }
        let l = &self.s.talent.subsidy;
        let p = self.policy;
        if (t.months_in_corridor as u32) >= l.rent_months || !p.active(l.start_year, l.end_year) {
            return 0.0;
        }
        if !p.in_districts(&p.talent_subsidy_districts, self.world.district[home as usize]) {
            return 0.0;
        }
        l.rent_subsidy
    }

    /// School quality and extra one-way school trip (minutes) the household's child would have
    /// living in `home`: its present school while the household stays in the district it holds it
    /// from, otherwise what the district (or outside zone) offers a newcomer.
    pub fn school(&self, t: &Talent, home: Cell) -> (f64, f64) {
        let sc = &self.s.schools;
        let Some(d) = self.home_district(home) else {
            return match zone_of(home) {
                Some(z) => (self.world.zones[z].school_quality, 0.0),
                None => (sc.overflow_quality, sc.overflow_trip_min),
            };
        };
        if t.seat_district >= 0 {
            let seat = t.seat_district as usize;
            let stays = home == t.home || (seat == d && !t.seated_elsewhere());
            if stays {
                if t.has(FLAG_OVERFLOW) {
                    return (sc.overflow_quality, sc.overflow_trip_min);
                }
                let q = self.schools.quality[seat][t.seat_level as usize];
                let trip = if t.has(FLAG_COORDINATED) { sc.coordinated_trip_min } else { 0.0 };
                return (q, trip);
            }
        }
        self.schools.prospect(d, sc)
    }

    /// The district of a corridor home (None outside the corridor or outside every district).
    #[inline]
    fn home_district(&self, home: Cell) -> Option<usize> {
        if !in_corridor(home) {
            return None;
        }
        let d = self.world.district[home as usize];
        (d >= 0).then_some(d as usize)
    }

    /// Amenity of a home (a cell or an outside zone).
    #[inline]
    pub fn amenity(&self, home: Cell) -> f64 {
        match zone_of(home) {
            Some(z) => self.world.zones[z].amenity,
            None => self.world.amenity[home as usize] as f64,
        }
    }

    /// ln of income after housing, at least `min_net_income_share` of income (and 1 yuan).
    #[inline]
    pub fn log_net_income(&self, income: f64, cost: f64) -> f64 {
        self.net_income(income, cost).ln()
    }

    /// Income after housing, at least `min_net_income_share` of income and 1 yuan.
    #[inline]
    pub fn net_income(&self, income: f64, cost: f64) -> f64 {
        (income - cost).max(self.s.talent.utility.min_net_income_share * income).max(1.0)
    }

    /// Full utility of living in `home` under `tenure` with the household's current job.
    pub fn of(&self, t: &Talent, home: Cell, tenure: Tenure, work: Option<Cell>) -> f64 {
        self.with_commute(t, home, tenure, self.commute(home, work))
    }

    /// Full utility with a known commute (minutes).
    pub fn with_commute(&self, t: &Talent, home: Cell, tenure: Tenure, commute: f64) -> f64 {
        self.chooser(t).with_commute(home, tenure, commute)
    }

    /// The household's view of its options, with what does not depend on the option computed
    /// once (a mover weighs many).
    pub fn chooser<'b>(&'b self, t: &'b Talent) -> Chooser<'b> {
        let l = &self.s.talent.subsidy;
        let subsidy = if t.has(FLAG_SUBSIDISED)
            && (t.months_in_corridor as u32) < l.rent_months
            && self.policy.active(l.start_year, l.end_year)
        {
            l.rent_subsidy
        } else {
            0.0
        };
        let income = self.income(t);
        let savings = self.savings_of(t, income);
        Chooser { util: self, t, work: self.work_cell(t), income, subsidy, savings }
    }

    /// Utility of the household where it lives now (uses the cached commute).
    pub fn current(&self, t: &Talent) -> f64 {
        self.with_commute(t, t.home, t.tenure, t.commute as f64)
    }

    /// U_outside for a tier: the same household elsewhere (outside the corridor's labour
    /// market), at the tier's outside wage, which grows with the wage trend.
    pub fn outside(&self, tier: usize, child: bool) -> f64 {
        let s = &self.s.talent;
        let u = &s.utility;
        let o = &s.outside;
        let wage = s.tiers[tier].wage * s.tiers[tier].outside_wage_ratio * self.prices.trend;
        let mut v = u.beta_income * (wage * (1.0 - o.rent_share)).max(1.0).ln() - u.beta_time * o.commute_min
            + u.beta_amenity * o.amenity;
        if child {
            v += u.beta_school * o.school_access;
        }
        v
    }
}

/// A household weighing homes: its income, rent subsidy, savings and workplace, computed once.
pub struct Chooser<'a> {
    pub util: &'a Utility<'a>,
    pub t: &'a Talent,
    pub work: Option<Cell>,
    pub income: f64,
    /// The rent subsidy it would receive in a district where the lever applies.
    subsidy: f64,
    savings: f64,
}

impl Chooser<'_> {
    /// Utility with a known commute (minutes).
    pub fn with_commute(&self, home: Cell, tenure: Tenure, commute: f64) -> f64 {
        self.place(home, commute) + self.housing(home, tenure)
    }

    /// The part of the utility of a home that does not depend on the tenure: commute, amenity
    /// and school.
    pub fn place(&self, home: Cell, commute: f64) -> f64 {
        let util = self.util;
        let u = &util.s.talent.utility;
        let mut v = -u.beta_time * commute + u.beta_amenity * util.amenity(home);
        if self.t.has_child() {
            let (quality, trip) = util.school(self.t, home);
            v += u.beta_school * quality - u.beta_time * trip;
        }
        v
    }

    /// The part that does: `beta_income` times the log of income after the housing cost.
    fn housing(&self, home: Cell, tenure: Tenure) -> f64 {
        self.util.s.talent.utility.beta_income * self.net_income(home, tenure).ln()
    }

    /// Income after the housing cost (less any rent subsidy), at least `min_net_income_share` of
    /// income and 1 yuan: what the utility takes the logarithm of ([`Utility::log_net_income`]).
    #[inline]
    pub fn net_income(&self, home: Cell, tenure: Tenure) -> f64 {
        let util = self.util;
        let subsidy = if self.subsidy > 0.0
            && in_corridor(home)
            && util.policy.in_districts(&util.policy.talent_subsidy_districts, util.world.district[home as usize])
        {
            self.subsidy
        } else {
            0.0
        };
        let cost = util.housing_cost(home, tenure) - subsidy;
        util.net_income(self.income, cost)
    }

    /// Whether the household can buy a market unit in `cell`: it has a job and its savings pay
    /// the down payment.
    #[inline]
    pub fn can_buy(&self, cell: Cell) -> bool {
        self.t.employed() && self.savings >= self.util.s.housing.down_payment * self.util.price(cell)
    }
}

/// Workplace cell of `t`, if employed: its firm's cell or its lab's.
#[inline]
pub fn work_cell(t: &Talent, firm_cells: &[Cell], lab_cells: &[Cell]) -> Option<Cell> {
    if !t.employed() {
        None
    } else if t.employer & LAB_BIT != 0 {
        Some(lab_cells[(t.employer & !LAB_BIT) as usize])
    } else {
        Some(firm_cells[t.employer as usize])
    }
}

/// One-way commute in minutes in `month` from a home (a cell or an outside zone) to a workplace;
/// without a job, to the nearest hub by road. (The scenario is not needed: the world holds the
/// travel settings.)
#[inline]
pub fn commute_min(_s: &Scenario, world: &World, month: u32, home: Cell, work: Option<Cell>) -> f64 {
    match (zone_of(home), work) {
        (Some(z), Some(w)) => world.zone_commute_min(z, w, month),
        (Some(z), None) => world.zones[z].hub_min,
        (None, Some(w)) => world.commute_min(home, w, month),
        (None, None) => world.travel.road_of_cells(world.distance_to_nearest_hub_km(home) / world.cell_km),
    }
}

/// The wage of `t` from the tier wage index and the firms' premia (see [`Utility::wage`]).
#[inline]
pub fn wage(wage_index: &[f64], firm_premia: &[f32], t: &Talent) -> f64 {
    if !t.employed() {
        return 0.0;
    }
    let premium = if t.employer & LAB_BIT != 0 { 1.0 } else { firm_premia[t.employer as usize] as f64 };
    (wage_index[t.tier as usize] * premium) as f32 as f64
}

#[inline]
pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Applies `f` to the listed agents (indices ascending, each at most once, with a value each) in
/// parallel, chunk by chunk: how sequential decisions (hires, layoffs) are written to the agents.
pub fn update_listed<T: Sync>(talent: &mut [Talent], listed: &[(u32, T)], f: impl Fn(&mut Talent, &T) + Sync) {
    use rayon::prelude::*;
    const CHUNK: usize = 1 << 14;
    if listed.is_empty() {
        return;
    }
    talent.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| {
        let start = k * CHUNK;
        let lo = listed.partition_point(|x| (x.0 as usize) < start);
        let hi = listed.partition_point(|x| (x.0 as usize) < start + chunk.len());
        for (i, value) in &listed[lo..hi] {
            f(&mut chunk[*i as usize - start], value);
        }
    });
}

/// Recomputes every cached commute (at the start, and in the month a transit line opens).
pub fn refresh_commutes(agents: &mut [Talent], util: &Utility) {
    use rayon::prelude::*;
    agents.par_iter_mut().with_min_len(4096).for_each(|t| {
        t.commute = util.commute(t.home, util.work_cell(t)) as f32;
    });
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A household of tier 0 without a job, a home or a child.
    pub fn agent(id: u32) -> Talent {
        Talent {
            id,
            commute: 0.0,
            home: OUTSIDE,
            employer: NO_JOB,
            age_months: 0,
            child_age_months: -1,
            months_unemployed: 0,
            months_in_corridor: 0,
            waitlist_since: 0,
            tier: 0,
            sector: 0,
            tenure: Tenure::Outside,
            flags: 0,
            seat_district: -1,
            seat_level: 0,
        }
    }

    #[test]
    fn a_talent_agent_stays_small() {
        // A million agents must fit in memory many times over (the speed issue budgets 600 bytes
        // per agent all included); the agent itself is a few dozen bytes.
        assert!(std::mem::size_of::<super::Talent>() <= 32, "{}", std::mem::size_of::<super::Talent>());
    }
}
