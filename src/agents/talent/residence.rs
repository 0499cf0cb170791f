//! Residential choice. Talent units go first, through a waiting list in a deterministic order
//! (application month, then id). Then movers (the base move rate, households living outside, rent
//! above `max_rent_share` of income, a new job with a long commute, a child of school age without
//! a seat) sample k cells with vacant units they may use and choose by multinomial logit, staying
//! put being one of the options. Proposals are parallel; units are taken in agent order.

use rayon::prelude::*;

use super::{Talent, Tenure, Utility, FLAG_JOB_CHANGED, OUTSIDE};
use crate::agents::housing::{Housing, MARKET, SHARED, TALENT};
use crate::policy::Policy;
use crate::rng::{Purpose, Stream};
use crate::world::Cell;

/// The month's residential choice: the talent-unit waiting list, then movers. `residents` (per
/// cell) and the housing occupancy follow every move.
pub fn run(agents: &mut [Talent], housing: &mut Housing, residents: &mut [u32], util: &Utility, seed: u64) {
    let listed = update_waitlist(agents, housing, util.policy, util.month);
    allocate_talent_units(agents, housing, residents, &listed, util, seed);
    choose_homes(agents, housing, residents, util, seed);
}

fn shared_eligible(policy: &Policy, t: &Talent) -> bool {
    Policy::in_mask(&policy.shared_unit_tiers, t.tier as usize) && t.employed()
}

/// Each vacant talent unit is offered to at most this many households a month; a household that
/// declines (its current home is better) keeps its place on the list.
const OFFERS_PER_UNIT: usize = 10;

/// Eligible employed households outside talent units join the list; others leave it.
/// Returns, when there is a vacant talent unit to offer this month (none otherwise), the front of
/// the list in agent order as (application month, index): the households that can receive one of
/// this month's offers, since at most `OFFERS_PER_UNIT` households per vacant unit are asked. The
/// list is ordered by application month, then agent order, so the front is every household of the
/// months before a cutoff month and the first ones, in agent order, of the cutoff month.
pub fn update_waitlist(agents: &mut [Talent], housing: &Housing, policy: &Policy, month: u32) -> Vec<(u16, u32)> {
    let any_units = housing.units[TALENT].iter().any(|&u| u > 0) || housing.projects.iter().any(|p| p.stock == TALENT);
    let since = (month + 1).min(u16::MAX as u32) as u16;
    let vacant_units = housing.vacant_units(TALENT) as usize;
    let offer = vacant_units > 0;
    let mask = &policy.talent_unit_tiers;
    // One pass in fixed chunks updates the list and counts each chunk's households by
    // application month.
    const CHUNK: usize = 1 << 14;
    let months = since as usize + 1;
    let by_chunk: Vec<Vec<u32>> = agents
        .par_chunks_mut(CHUNK)
        .map(|chunk| {
            let mut by_month = if offer { vec![0u32; months] } else { Vec::new() };
            for t in chunk {
                let eligible = any_units
                    && Policy::in_mask(mask, t.tier as usize)
                    && t.employed()
                    && t.tenure != Tenure::TalentUnit
                    && t.tenure != Tenure::Owner;
                // Written only when it changes: most agents' records stay clean in the cache.
                if !eligible {
                    if t.waitlist_since != 0 {
                        t.waitlist_since = 0;
                    }
                } else if t.waitlist_since == 0 {
                    t.waitlist_since = since;
                }
                if offer && t.waitlist_since > 0 {
                    by_month[t.waitlist_since as usize] += 1;
                }
            }
            by_month
        })
        .collect();
    if !offer {
        return Vec::new();
    }
    // The cutoff month, and how many of its households are needed after the earlier months'.
    let offers = (OFFERS_PER_UNIT * vacant_units) as u64;
    let mut by_month = vec![0u64; months];
    for h in &by_chunk {
        for (x, &y) in by_month.iter_mut().zip(h) {
            *x += y as u64;
        }
    }
    let (mut cutoff, mut need) = (since as usize, u64::MAX);
    let mut before = 0;
    for (m, &n) in by_month.iter().enumerate() {
        if before + n >= offers {
            (cutoff, need) = (m, offers - before);
            break;
        }
        before += n;
    }
    // What each chunk contributes: its households of earlier months, and of the cutoff month as
    // many as are still needed in agent order.
    let quotas: Vec<(u64, u64)> = by_chunk
        .iter()
        .map(|h| {
            let earlier: u64 = h[..cutoff].iter().map(|&x| x as u64).sum();
            let at_cutoff = (h[cutoff] as u64).min(need);
            need -= at_cutoff;
            (earlier, at_cutoff)
        })
        .collect();
    let cutoff = cutoff as u16;
    let parts: Vec<Vec<(u16, u32)>> = agents
        .par_chunks(CHUNK)
        .zip(quotas)
        .enumerate()
        .map(|(k, (chunk, (earlier, at_cutoff)))| {
            let mut listed = Vec::new();
            if earlier + at_cutoff == 0 {
                return listed;
            }
            let mut left = at_cutoff;
            for (j, t) in chunk.iter().enumerate() {
                let m = t.waitlist_since;
                if m == 0 || m > cutoff {
                    continue;
                }
                if m == cutoff {
                    if left == 0 {
                        continue;
                    }
                    left -= 1;
                }
                listed.push((m, (k * CHUNK + j) as u32));
            }
            listed
        })
        .collect();
    parts.concat()
}

/// Offers vacant talent units down the waiting list (application month, then id); a household
/// takes the best of up to 16 sampled vacant cells when it beats its current home.
pub fn allocate_talent_units(
    agents: &mut [Talent],
    housing: &mut Housing,
    residents: &mut [u32],
    listed: &[(u16, u32)],
    util: &Utility,
    seed: u64,
) {
    let n = housing.cells();
    let mut vacant_cells: Vec<usize> = (0..n).filter(|&c| housing.vacant(TALENT, c) > 0).collect();
    if vacant_cells.is_empty() {
        return;
    }
    // Order (application month, id) by buckets of months: agents are in id order already.
    let max_since = listed.iter().map(|x| x.0).max().unwrap_or(0) as usize;
    let mut start = vec![0usize; max_since + 2];
    for &(m, _) in listed {
        start[m as usize + 1] += 1;
    }
    for m in 0..=max_since {
        start[m + 1] += start[m];
    }
    let mut queue = vec![0usize; listed.len()];
    for &(m, i) in listed {
        queue[start[m as usize]] = i as usize;
        start[m as usize] += 1;
    }
    let vacant_units = housing.vacant_units(TALENT) as usize;
    let mut offers_left = OFFERS_PER_UNIT * vacant_units;
    for i in queue {
        if vacant_cells.is_empty() || offers_left == 0 {
            break;
        }
        offers_left -= 1;
        let (best, current) = {
            let t = &agents[i];
            let work = util.work_cell(t);
            let mut rng = Stream::new(seed, Purpose::Residence, t.id as u64 ^ 0x5A5A_0000_0000, util.month);
            let scale = util.s.talent.utility.taste_scale;
            let mut best: Option<(f64, usize)> = None;
            let tries = vacant_cells.len().min(16);
            for j in 0..tries {
                let c = if vacant_cells.len() <= 16 {
                    vacant_cells[j]
                } else {
                    vacant_cells[rng.below(vacant_cells.len())]
                };
                let u = util.of(t, c as Cell, Tenure::TalentUnit, work) + scale * rng.gumbel();
                if best.is_none_or(|b| u > b.0) {
                    best = Some((u, c));
                }
            }
            (best, util.current(t))
        };
        let Some((u, c)) = best else { continue };
        if u < current {
            continue;
        }
        move_to(&mut agents[i], housing, residents, c as Cell, Tenure::TalentUnit, util);
        agents[i].waitlist_since = 0;
        if housing.vacant(TALENT, c) == 0 {
            vacant_cells.retain(|&x| x != c);
        }
    }
}

/// Moves a household into a unit, releasing the old one.
pub fn move_to(
    t: &mut Talent,
    housing: &mut Housing,
    residents: &mut [u32],
    cell: Cell,
    tenure: Tenure,
    util: &Utility,
) {
    let commute = util.commute(cell, util.work_cell(t)) as f32;
    if t.home != OUTSIDE {
        if let Some(stock) = t.tenure.stock() {
            let o = &mut housing.occupied[stock][t.home as usize];
            *o = o.saturating_sub(1);
        }
        residents[t.home as usize] = residents[t.home as usize].saturating_sub(1);
    }
    t.home = cell;
    t.tenure = tenure;
    t.commute = commute;
    if cell != OUTSIDE {
        if let Some(stock) = tenure.stock() {
            housing.occupied[stock][cell as usize] += 1;
        }
        residents[cell as usize] += 1;
    }
}

/// Cumulative vacant units over cells, for sampling a vacant unit uniformly. A guide table
/// (Chen and Asau) gives, for each of `cells` equal slices of the draw's range, the first cell the
/// draw can land in, so a draw scans a cell or two instead of a binary search over all cells (the
/// cell drawn is the same).
pub struct VacancySampler {
    cum: Vec<u64>,
    guide: Vec<u32>,
}

impl VacancySampler {
    pub fn new(housing: &Housing, stock: usize) -> VacancySampler {
        VacancySampler::from_counts((0..housing.cells()).map(|c| housing.vacant(stock, c) as u64))
    }

    /// A sampler over cells with these vacant units.
    pub fn from_counts(vacant: impl Iterator<Item = u64>) -> VacancySampler {
        let mut cum: Vec<u64> = Vec::new();
        let mut acc = 0u64;
        for v in vacant {
            acc += v;
            cum.push(acc);
        }
        let slices = cum.len().max(1);
        let guide = if acc == 0 {
            Vec::new()
        } else {
            (0..slices)
                .map(|g| {
                    // The smallest draw r with slice(r) = g is ceil(g * total / slices).
                    let lo = (g as u128 * acc as u128).div_ceil(slices as u128) as u64;
                    cum.partition_point(|&x| x <= lo) as u32
                })
                .collect()
        };
        VacancySampler { cum, guide }
    }
    pub fn total(&self) -> u64 {
        *self.cum.last().unwrap_or(&0)
    }
    fn slice(&self, r: u64) -> usize {
        let n = self.guide.len() as u64;
        // In 64 bits when the product fits (always, for realistic counts): a 128-bit division is
        // a slow library call.
        match r.checked_mul(n) {
            Some(x) => (x / self.total()) as usize,
            None => (r as u128 * n as u128 / self.total() as u128) as usize,
        }
    }
    pub fn sample(&self, rng: &mut Stream) -> Option<Cell> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let r = (rng.uniform() * total as f64) as u64;
        // First cell whose cumulative count exceeds r.
        let last = self.cum.len() - 1;
        let mut c = (self.guide[self.slice(r).min(self.guide.len() - 1)] as usize).min(last);
        while c < last && self.cum[c] <= r {
            c += 1;
        }
        Some(c as Cell)
    }
}

/// Why a household moves this month.
#[inline]
fn wants_to_move(util: &Utility, t: &Talent, rng: &mut Stream) -> bool {
    let s = &util.s.talent;
    let rate = match t.tenure {
        Tenure::Market => s.move_rate,
        _ => s.move_rate * 0.3,
    };
    // Always one draw, so the candidates' draws do not depend on which reason applied.
    let draw = rng.uniform();
    if t.home == OUTSIDE || draw < rate {
        return true;
    }
    if t.tenure == Tenure::Market {
        let cost = util.housing_cost(t.home, t.tenure) - util.rent_subsidy(t, t.home);
        if cost > s.max_rent_share * util.income(t) {
            return true;
        }
    }
    if t.has(FLAG_JOB_CHANGED) && util.commute(t.home, util.work_cell(t)) > s.max_commute_min {
        return true;
    }
    // A child without a seat: when it reaches school age (6, or 12 for middle school), and in
    // October, after the September enrolment has left it without a seat.
    t.unseated() && (matches!(t.child_age_months, 72 | 144) || util.month % 12 == 9)
}

/// Movers sample k vacant units (and shared-ownership units where eligible), rank them with
/// staying by logit utility with a taste shock (in parallel), and take the best still vacant in
/// agent order.
pub fn choose_homes(agents: &mut [Talent], housing: &mut Housing, residents: &mut [u32], util: &Utility, seed: u64) {
    let market = VacancySampler::new(housing, MARKET);
    let shared = VacancySampler::new(housing, SHARED);
    if market.total() == 0 && shared.total() == 0 {
        return;
    }
    let month = util.month;
    let k = util.s.talent.home_candidates as usize;
    let taste = util.s.talent.utility.taste_scale;
    let proposals: Vec<(usize, Vec<(Cell, Tenure)>)> = {
        agents
            .par_iter()
            .enumerate()
            .with_min_len(1024)
            .filter_map(|(i, t)| {
                let mut rng = Stream::new(seed, Purpose::Residence, t.id as u64, month);
                if !wants_to_move(util, t, &mut rng) {
                    return None;
                }
                let work = util.work_cell(t);
                let mut options: Vec<(f64, Cell, Tenure)> = Vec::with_capacity(k + 2);
                let stay_tenure = if t.tenure == Tenure::Owner { Tenure::Owner } else { t.tenure };
                let stay = util.with_commute(t, t.home, stay_tenure, t.commute as f64) + taste * rng.gumbel();
                options.push((stay, t.home, stay_tenure));
                // Samples are drawn with replacement, so a cell often comes up twice: its
                // systematic utility is computed once and each draw gets its own taste shock.
                let mut seen: Vec<(Cell, Tenure, f64)> = Vec::with_capacity(k + 2);
                let mut systematic = |c: Cell, tenure: Tenure| -> f64 {
                    if let Some(x) = seen.iter().find(|x| x.0 == c && x.1 == tenure) {
                        return x.2;
                    }
                    let v = util.of(t, c, tenure, work);
                    seen.push((c, tenure, v));
                    v
                };
                for _ in 0..k {
                    if let Some(c) = market.sample(&mut rng) {
                        options.push((systematic(c, Tenure::Market) + taste * rng.gumbel(), c, Tenure::Market));
                    }
                }
                if shared.total() > 0 && shared_eligible(util.policy, t) {
                    for _ in 0..k.div_ceil(2) {
                        if let Some(c) = shared.sample(&mut rng) {
                            options.push((systematic(c, Tenure::Shared) + taste * rng.gumbel(), c, Tenure::Shared));
                        }
                    }
                }
                options.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let ranked: Vec<(Cell, Tenure)> = options.into_iter().map(|o| (o.1, o.2)).collect();
                Some((i, ranked))
            })
            .collect()
    };
    for (i, ranked) in proposals {
        for (c, tenure) in ranked {
            let t = &agents[i];
            if c == t.home && (tenure == t.tenure || c == OUTSIDE) {
                break; // staying is the best available option
            }
            if c == OUTSIDE {
                continue;
            }
            let stock = tenure.stock().unwrap_or(MARKET);
            if housing.vacant(stock, c as usize) == 0 {
                continue;
            }
            move_to(&mut agents[i], housing, residents, c, tenure, util);
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_table_draws_the_cell_a_binary_search_would() {
        // Uneven counts with runs of empty cells, at the start, in the middle and at the end.
        let counts: Vec<u64> = (0..500u64).map(|c| if c % 7 < 3 || c > 480 { 0 } else { (c * 37) % 23 }).collect();
        let sampler = VacancySampler::from_counts(counts.iter().copied());
        let mut draws = Stream::new(1, Purpose::Residence, 0, 0);
        let mut check = Stream::new(1, Purpose::Residence, 0, 0);
        for _ in 0..20_000 {
            let c = sampler.sample(&mut draws).unwrap() as usize;
            let r = (check.uniform() * sampler.total() as f64) as u64;
            let expected = sampler.cum.partition_point(|&x| x <= r).min(counts.len() - 1);
            assert_eq!(c, expected);
            assert!(counts[c] > 0, "drew an empty cell");
        }
        assert!(VacancySampler::from_counts([0u64, 0, 0].into_iter()).sample(&mut draws).is_none());
    }
}

#[cfg(test)]
mod waitlist_and_moves {
    use super::*;
    use crate::agents::testkit::{cell, household, Kit};

    fn kit() -> Kit {
        let mut kit = Kit::new();
        kit.s.talent.utility.taste_scale = 0.0;
        kit.s.talent.move_rate = 0.0;
        kit
    }

    #[test]
    fn employed_eligible_households_join_the_waiting_list_and_others_leave_it() {
        let mut kit = kit();
        let f = kit.firm(0, cell(1, 1));
        kit.housing.units[TALENT][cell(2, 2) as usize] = 1;
        let mut agents: Vec<Talent> = (0..4).map(|i| household(i, 1, cell(1, 2))).collect();
        for t in &mut agents[..3] {
            t.employer = f;
        }
        agents[1].tenure = Tenure::Owner;
        agents[2].waitlist_since = 3; // applied in month 2
        agents[3].waitlist_since = 3; // unemployed now: leaves the list
        kit.housing.occupied[MARKET][cell(1, 2) as usize] = 4;
        kit.month = 5;
        let listed = update_waitlist(&mut agents, &kit.housing, &kit.policy, kit.month);
        let since: Vec<u16> = agents.iter().map(|t| t.waitlist_since).collect();
        assert_eq!(
            since,
            vec![6, 0, 3, 0],
            "owners and the unemployed are not on the list; applicants keep their month"
        );
        // One vacant unit: at most ten offers, here to both applicants, earliest application first.
        assert_eq!(listed, vec![(6, 0), (3, 2)]);
    }

    #[test]
    fn talent_units_go_down_the_list_and_a_household_may_decline() {
        let mut kit = kit();
        // No rent discount: the unit is only worth it close to work.
        kit.s.housing.talent_units.rent_share = 1.0;
        let near = kit.firm(0, cell(0, 0));
        let far = kit.firm(0, cell(7, 3));
        let unit = cell(7, 2);
        kit.housing.units[TALENT][unit as usize] = 1;
        // Household 0 works next to its home in the far west: the unit in the east would add
        // an hour of commuting, and it declines. Household 1 works next to the unit.
        let mut agents = vec![household(0, 1, cell(0, 1)), household(1, 1, cell(0, 1))];
        agents[0].employer = near;
        agents[1].employer = far;
        let util = kit.util();
        for t in &mut agents {
            t.commute = util.commute(t.home, util.work_cell(t)) as f32;
        }
        kit.housing.units[MARKET][cell(0, 1) as usize] = 2;
        kit.housing.occupied[MARKET][cell(0, 1) as usize] = 2;
        let mut residents = vec![0u32; kit.world.cells()];
        residents[cell(0, 1) as usize] = 2;
        let listed = vec![(1u16, 0u32), (1, 1)];
        let (mut housing, util) = (kit.housing.clone(), kit.util());
        allocate_talent_units(&mut agents, &mut housing, &mut residents, &listed, &util, 1);
        assert_eq!((agents[0].home, agents[0].tenure), (cell(0, 1), Tenure::Market), "declined: stays");
        assert_eq!((agents[1].home, agents[1].tenure), (unit, Tenure::TalentUnit));
        assert_eq!(agents[1].waitlist_since, 0);
        assert_eq!(housing.occupied[TALENT][unit as usize], 1);
        assert_eq!(housing.occupied[MARKET][cell(0, 1) as usize], 1);
        assert_eq!((residents[cell(0, 1) as usize], residents[unit as usize]), (1, 1));
    }

    #[test]
    fn two_movers_for_one_unit_are_settled_in_agent_order() {
        let mut kit = kit();
        kit.s.grid.outside_rent = 8000.0;
        let c = cell(4, 2);
        let mut housing = kit.housing.clone();
        housing.units[MARKET][c as usize] = 1;
        // Households living outside always look for a home.
        let mut agents = vec![household(0, 1, OUTSIDE), household(1, 1, OUTSIDE)];
        let mut residents = vec![0u32; kit.world.cells()];
        choose_homes(&mut agents, &mut housing, &mut residents, &kit.util(), 3);
        assert_eq!(agents[0].home, c);
        assert_eq!(agents[0].tenure, Tenure::Market);
        assert_eq!(agents[1].home, OUTSIDE, "the unit was taken");
        assert_eq!((housing.occupied[MARKET][c as usize], residents[c as usize]), (1, 1));
    }
}
