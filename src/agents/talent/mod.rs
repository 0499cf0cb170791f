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
use crate::prices::Prices;
use crate::scenario::Scenario;
use crate::world::{Cell, World};

/// `home` of a household living outside the corridor (a long-distance commuter).
pub const OUTSIDE: Cell = Cell::MAX;
/// `employer` of a person without a job.
pub const NO_JOB: u32 = u32::MAX;
/// Bit set in `employer` for lab jobs (the rest is the lab index); otherwise a firm index.
pub const LAB_BIT: u32 = 1 << 31;

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
}

pub const FLAG_RESEARCHER: u8 = 1;
pub const FLAG_SEATED: u8 = 2;
pub const FLAG_COORDINATED: u8 = 4;
pub const FLAG_JOB_CHANGED: u8 = 8;
pub const FLAG_SUBSIDISED: u8 = 16;

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
    /// District of the child's school seat, -1 without a seat.
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
            72..=143 => Some(0),
            144..=179 => Some(1),
            _ => None,
        }
    }
    #[inline]
    pub fn has_child(&self) -> bool {
        self.child_age_months >= 0
    }
    #[inline]
    pub fn unseated(&self) -> bool {
        self.school_level().is_some() && self.seat_district < 0
    }
    pub fn age_years(&self) -> f64 {
        self.age_months as f64 / 12.0
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
/// in a cell: the pieces of the logit utility
/// U = b_inc ln(income - housing cost) - b_time commute + b_amen amenity + b_school child access
///     - penalty unseated.
#[derive(Clone, Copy)]
pub struct Utility<'a> {
    pub s: &'a Scenario,
    pub month: u32,
    pub world: &'a World,
    /// Wage index per tier and market rents.
    pub prices: &'a Prices,
    /// The workplace cell and the wage premium of each firm.
    pub firm_cells: &'a [Cell],
    pub firm_premia: &'a [f32],
    /// The levers in force (rent subsidies).
    pub policy: &'a Policy,
    /// School quality and access per district.
    pub schools: &'a Schools,
}

impl Utility<'_> {
    /// Monthly wage of an employed person: the tier's wage index times the employer's premium
    /// (1 at labs), in yuan (rounded to f32 like the other per-agent money amounts); 0 without a
    /// job.
    #[inline]
    pub fn wage(&self, t: &Talent) -> f64 {
        wage(&self.prices.wage, self.firm_premia, t)
    }

    /// Income used in utility: the wage, or for the unemployed the expected wage of the tier.
    pub fn income(&self, t: &Talent) -> f64 {
        if t.employed() {
            self.wage(t)
        } else {
            0.6 * self.prices.wage[t.tier as usize]
        }
    }

    /// Monthly housing cost of a tenure in a cell, before any rent subsidy.
    pub fn housing_cost(&self, cell: Cell, tenure: Tenure) -> f64 {
        let rent = &self.prices.rent;
        let h = &self.s.housing;
        match tenure {
            Tenure::Outside => self.s.grid.outside_rent,
            Tenure::Market => rent[cell as usize] as f64,
            Tenure::TalentUnit => rent[cell as usize] as f64 * h.talent_units.rent_share,
            Tenure::Shared => rent[cell as usize] as f64 * h.price_to_rent_months * h.shared_cost_share,
            // Owners carry the cost of their capital, about half of a market rent.
            Tenure::Owner => 0.5 * rent[cell as usize] as f64,
        }
    }

    /// Workplace cell, if employed.
    #[inline]
    pub fn work_cell(&self, t: &Talent) -> Option<Cell> {
        work_cell(t, self.firm_cells, &self.world.lab_cells)
    }

    /// One-way commute in minutes from a home (or from outside) to the workplace; without a job,
    /// to the nearest hub.
    #[inline]
    pub fn commute(&self, home: Cell, work: Option<Cell>) -> f64 {
        commute_min(self.s, self.world, self.month, home, work)
    }

    /// Rent subsidy the household receives this month.
    pub fn rent_subsidy(&self, t: &Talent, home: Cell) -> f64 {
        if !t.has(FLAG_SUBSIDISED) || home == OUTSIDE {
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

    /// School access of a household living in `home` (1 when its child holds a seat of good quality).
    pub fn school_access(&self, t: &Talent, home: Cell) -> f64 {
        if t.seat_district >= 0 {
            let q = self.schools.quality[t.seat_district as usize][t.seat_level as usize];
            return if t.has(FLAG_COORDINATED) { q * 0.8 } else { q };
        }
        if home == OUTSIDE {
            return self.s.talent.outside.school_access;
        }
        let d = self.world.district[home as usize];
        if d < 0 {
            return 0.0;
        }
        self.schools.access[d as usize]
    }

    /// Full utility of living in `home` under `tenure` with the household's current job.
    pub fn of(&self, t: &Talent, home: Cell, tenure: Tenure, work: Option<Cell>) -> f64 {
        self.with_commute(t, home, tenure, self.commute(home, work))
    }

    /// Full utility with a known commute (minutes).
    pub fn with_commute(&self, t: &Talent, home: Cell, tenure: Tenure, commute: f64) -> f64 {
        let u = &self.s.talent.utility;
        let income = self.income(t);
        let cost = self.housing_cost(home, tenure) - self.rent_subsidy(t, home);
        let net = (income - cost).max(0.1 * income).max(1.0);
        let amenity = if home == OUTSIDE {
            self.s.talent.outside.amenity * 0.8
        } else {
            self.world.amenity[home as usize] as f64
        };
        let mut v = u.beta_income * net.ln() - u.beta_time * commute + u.beta_amenity * amenity;
        if t.has_child() {
            v += u.beta_school * self.school_access(t, home);
        }
        if t.unseated() {
            v -= u.school_penalty;
        }
        v
    }

    /// Utility of the household where it lives now (uses the cached commute).
    pub fn current(&self, t: &Talent) -> f64 {
        self.with_commute(t, t.home, t.tenure, t.commute as f64)
    }

    /// U_outside for a tier: the same household elsewhere, at the tier's outside wage.
    pub fn outside(&self, tier: usize, child: bool) -> f64 {
        let s = &self.s.talent;
        let u = &s.utility;
        let o = &s.outside;
        let years = self.month as f64 / 12.0;
        let wage = s.tiers[tier].wage * s.tiers[tier].outside_wage_ratio * (1.0 + o.wage_growth).powf(years);
        let mut v = u.beta_income * (wage * (1.0 - o.rent_share)).max(1.0).ln() - u.beta_time * o.commute_min
            + u.beta_amenity * o.amenity;
        if child {
            v += u.beta_school * o.school_access;
        }
        v
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

/// One-way commute in minutes in `month` from a home (or from outside) to a workplace; without a
/// job, to the nearest hub.
#[inline]
pub fn commute_min(s: &Scenario, world: &World, month: u32, home: Cell, work: Option<Cell>) -> f64 {
    if home == OUTSIDE {
        return s.grid.outside_commute_min;
    }
    match work {
        Some(w) => world.commute_min(home, w, month),
        None => world.distance_to_nearest_hub_km(home) / s.grid.road_kmh * 60.0 + 5.0,
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
