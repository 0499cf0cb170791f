//! Talent: households with one earner, by tier and sector skill. Each month they search for jobs,
//! choose homes, may leave, arrive, age and found firms (one module per mechanism).

pub mod arrivals;
pub mod entrepreneurship;
pub mod job_search;
pub mod leaving;
pub mod life_course;
pub mod residence;

use crate::engine::Sim;
use crate::world::Cell;

/// `home` of a household living outside the corridor (a long-distance commuter).
pub const OUTSIDE: Cell = Cell::MAX;
/// `employer` of a person without a job.
pub const NO_JOB: u32 = u32::MAX;
/// Bit set in `employer` for lab jobs (the rest is the lab index); otherwise a firm index.
pub const LAB_BIT: u32 = 1 << 31;

/// How a household holds its home.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
#[derive(Clone, Debug)]
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

/// What a household would pay and how it would fare in a cell: the pieces of the logit utility
/// U = b_inc ln(income - housing cost) - b_time commute + b_amen amenity + b_school child access
///     - penalty unseated.
pub struct Utility<'a> {
    pub sim: &'a Sim,
}

impl Utility<'_> {
    /// Monthly wage of an employed person: the tier's wage index times the employer's premium
    /// (1 at labs), in yuan (rounded to f32 like the other per-agent money amounts); 0 without a
    /// job.
    #[inline]
    pub fn wage(&self, t: &Talent) -> f64 {
        wage(&self.sim.labour.wage, &self.sim.firm_premia, t)
    }

    /// Income used in utility: the wage, or for the unemployed the expected wage of the tier.
    pub fn income(&self, t: &Talent) -> f64 {
        if t.employed() {
            self.wage(t)
        } else {
            0.6 * self.sim.labour.wage[t.tier as usize]
        }
    }

    /// Monthly housing cost of a tenure in a cell, before any rent subsidy.
    pub fn housing_cost(&self, cell: Cell, tenure: Tenure) -> f64 {
        let sim = self.sim;
        match tenure {
            Tenure::Outside => sim.scenario.grid.outside_rent,
            Tenure::Market => sim.housing.rent[cell as usize] as f64,
            Tenure::TalentUnit => sim.housing.rent[cell as usize] as f64 * sim.scenario.housing.talent_units.rent_share,
            Tenure::Shared => {
                let h = &sim.scenario.housing;
                sim.housing.rent[cell as usize] as f64 * h.price_to_rent_months * h.shared_cost_share
            }
            // Owners carry the cost of their capital, about half of a market rent.
            Tenure::Owner => 0.5 * sim.housing.rent[cell as usize] as f64,
        }
    }

    /// Workplace cell, if employed.
    pub fn work_cell(&self, t: &Talent) -> Option<Cell> {
        if !t.employed() {
            None
        } else if t.employer & LAB_BIT != 0 {
            Some(self.sim.labs[(t.employer & !LAB_BIT) as usize].cell)
        } else {
            Some(self.sim.firm_cells[t.employer as usize])
        }
    }

    /// One-way commute in minutes from a home (or from outside) to the workplace; without a job,
    /// to the nearest hub.
    pub fn commute(&self, home: Cell, work: Option<Cell>) -> f64 {
        let sim = self.sim;
        if home == OUTSIDE {
            return sim.scenario.grid.outside_commute_min;
        }
        match work {
            Some(w) => sim.world.commute_min(home, w, sim.month),
            None => sim.world.distance_to_nearest_hub_km(home) / sim.scenario.grid.road_kmh * 60.0 + 5.0,
        }
    }

    /// Rent subsidy the household receives this month.
    pub fn rent_subsidy(&self, t: &Talent, home: Cell) -> f64 {
        let sim = self.sim;
        if !t.has(FLAG_SUBSIDISED) || home == OUTSIDE {
            return 0.0;
        }
        let l = &sim.scenario.talent.subsidy;
        if (t.months_in_corridor as u32) >= l.rent_months || !sim.policy.active(l.start_year, l.end_year) {
            return 0.0;
        }
        if !sim.policy.in_districts(&sim.policy.talent_subsidy_districts, sim.world.district[home as usize]) {
            return 0.0;
        }
        l.rent_subsidy
    }

    /// School access of a household living in `home` (1 when its child holds a seat of good quality).
    pub fn school_access(&self, t: &Talent, home: Cell) -> f64 {
        let sim = self.sim;
        if t.seat_district >= 0 {
            let q = sim.schools.quality[t.seat_district as usize][t.seat_level as usize];
            return if t.has(FLAG_COORDINATED) { q * 0.8 } else { q };
        }
        if home == OUTSIDE {
            return sim.scenario.talent.outside.school_access;
        }
        let d = sim.world.district[home as usize];
        if d < 0 {
            return 0.0;
        }
        sim.schools.access[d as usize]
    }

    /// Full utility of living in `home` under `tenure` with the household's current job.
    pub fn of(&self, t: &Talent, home: Cell, tenure: Tenure, work: Option<Cell>) -> f64 {
        self.with_commute(t, home, tenure, self.commute(home, work))
    }

    /// Full utility with a known commute (minutes).
    pub fn with_commute(&self, t: &Talent, home: Cell, tenure: Tenure, commute: f64) -> f64 {
        let sim = self.sim;
        let u = &sim.scenario.talent.utility;
        let income = self.income(t);
        let cost = self.housing_cost(home, tenure) - self.rent_subsidy(t, home);
        let net = (income - cost).max(0.1 * income).max(1.0);
        let amenity = if home == OUTSIDE {
            sim.scenario.talent.outside.amenity * 0.8
        } else {
            sim.world.amenity[home as usize] as f64
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
        let commute = if t.commute >= 0.0 { t.commute as f64 } else { self.commute(t.home, self.work_cell(t)) };
        self.with_commute(t, t.home, t.tenure, commute)
    }

    /// U_outside for a tier: the same household elsewhere, at the tier's outside wage.
    pub fn outside(&self, tier: usize, child: bool) -> f64 {
        let sim = self.sim;
        let s = &sim.scenario.talent;
        let u = &s.utility;
        let o = &s.outside;
        let years = sim.month as f64 / 12.0;
        let wage = s.tiers[tier].wage * s.tiers[tier].outside_wage_ratio * (1.0 + o.wage_growth).powf(years);
        let mut v = u.beta_income * (wage * (1.0 - o.rent_share)).max(1.0).ln() - u.beta_time * o.commute_min
            + u.beta_amenity * o.amenity;
        if child {
            v += u.beta_school * o.school_access;
        }
        v
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

/// Recomputes cached commutes marked stale (negative), or all of them when `all` (at the start
/// and in the month a transit line opens).
pub fn refresh_commutes(sim: &mut Sim, all: bool) {
    use rayon::prelude::*;
    let mut talent = std::mem::take(&mut sim.talent);
    {
        let util = Utility { sim };
        talent.par_iter_mut().with_min_len(4096).for_each(|t| {
            if all || t.commute < 0.0 {
                t.commute = util.commute(t.home, util.work_cell(t)) as f32;
            }
        });
    }
    sim.talent = talent;
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_talent_agent_stays_small() {
        // A million agents must fit in memory many times over (the speed issue budgets 600 bytes
        // per agent all included); the agent itself is a few dozen bytes.
        assert!(std::mem::size_of::<super::Talent>() <= 32, "{}", std::mem::size_of::<super::Talent>());
    }
}
