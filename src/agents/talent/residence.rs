//! Residential choice. Talent units go first, through a waiting list in a deterministic order
//! (application month, then id). Then movers (renters at the base move rate, owners at theirs,
//! households living outside the corridor when they look, and always when rent exceeds
//! `max_rent_share` of income, a new job brings a long commute, or a child of school age is at a
//! school elsewhere) choose among staying, k sampled vacant units (to rent, or to buy when their
//! savings pay the down payment), shared-ownership units where eligible, and the outside zones,
//! by multinomial logit. Proposals are parallel; units are taken in agent order. A mover whose
//! best option was a unit that was no longer free when its turn came is demand the market did not
//! meet: it is counted in the cell (and, when it found no home in the corridor, in the shortage),
//! and rents follow it ([`Housing::update_rents`]).

use std::cmp::Ordering;

use rayon::prelude::*;

use super::{in_corridor, zone_home, zone_of, Talent, Tenure, Utility, FLAG_JOB_CHANGED};
use crate::agents::housing::{Housing, MARKET, SHARED, TALENT};
use crate::policy::Policy;
use crate::rng::{GumbelDraw, Purpose, Stream};
use crate::world::Cell;

/// The month's residential choice: the talent-unit waiting list, then movers. `residents` (per
/// cell) and the housing occupancy follow every move; the demand turned away is counted in
/// `housing.unmet` and `housing.shortage`.
pub fn run(agents: &mut [Talent], housing: &mut Housing, residents: &mut [u32], util: &Utility, seed: u64) {
    housing.reset_demand();
    let listed = update_waitlist(agents, housing, util);
    allocate_talent_units(agents, housing, residents, &listed, util, seed);
    choose_homes(agents, housing, residents, util, seed);
}

fn shared_eligible(policy: &Policy, t: &Talent) -> bool {
    Policy::in_mask(&policy.shared_unit_tiers, t.tier as usize) && t.employed()
}

/// Whether a household applies for a talent unit: the programme has units (built or being
/// built), the household is of an eligible tier, employed, renting (in the market or outside the
/// corridor) and pays more than `apply_rent_share` of its income for housing.
pub fn applies(util: &Utility, t: &Talent, programme: bool) -> bool {
    programme
        && Policy::in_mask(&util.policy.talent_unit_tiers, t.tier as usize)
        && t.employed()
        && matches!(t.tenure, Tenure::Market | Tenure::Outside)
        && util.housing_cost(t.home, t.tenure) - util.rent_subsidy(t, t.home)
            > util.s.housing.talent_units.apply_rent_share * util.income(t)
}

/// Offers a month for `vacant` vacant talent units (`offers_per_unit` each).
fn offers(util: &Utility, vacant: usize) -> u64 {
    (util.s.housing.talent_units.offers_per_unit * vacant as f64).ceil() as u64
}

/// Households that apply ([`applies`]) join the list with their month; others leave it.
/// Returns, when there is a vacant talent unit to offer this month (none otherwise), the front of
/// the list in agent order as (application month, index): the households that can receive one of
/// this month's offers, since at most `offers_per_unit` households per vacant unit are asked. The
/// list is ordered by application month, then agent order, so the front is every household of the
/// months before a cutoff month and the first ones, in agent order, of the cutoff month.
pub fn update_waitlist(agents: &mut [Talent], housing: &Housing, util: &Utility) -> Vec<(u16, u32)> {
    let programme = housing.units[TALENT].iter().any(|&u| u > 0) || housing.projects.iter().any(|p| p.stock == TALENT);
    let since = (util.month + 1).min(u16::MAX as u32) as u16;
    let vacant_units = housing.vacant_units(TALENT) as usize;
    let offer = vacant_units > 0;
    // One pass in fixed chunks updates the list and counts each chunk's households by
    // application month.
    const CHUNK: usize = 1 << 14;
    let months = since as usize + 1;
    let by_chunk: Vec<Vec<u32>> = agents
        .par_chunks_mut(CHUNK)
        .map(|chunk| {
            let mut by_month = if offer { vec![0u32; months] } else { Vec::new() };
            for t in chunk {
                let on = applies(util, t, programme);
                // Written only when it changes: most agents' records stay clean in the cache.
                if !on {
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
    let offers = offers(util, vacant_units);
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
/// takes the best of up to `home_candidates` sampled vacant cells when it beats its current home.
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
    let mut offers_left = offers(util, housing.vacant_units(TALENT) as usize);
    let k = util.s.talent.home_candidates as usize;
    for i in queue {
        if vacant_cells.is_empty() || offers_left == 0 {
            break;
        }
        offers_left -= 1;
        let (best, current) = {
            let t = &agents[i];
            let work = util.work_cell(t);
            let mut rng = Stream::new(seed, Purpose::TalentOffer, t.id as u64, util.month);
            let scale = util.s.talent.utility.taste_scale;
            let mut best: Option<(f64, usize)> = None;
            let all = vacant_cells.len() <= k;
            for j in 0..vacant_cells.len().min(k) {
                let c = if all { vacant_cells[j] } else { vacant_cells[rng.below(vacant_cells.len())] };
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

/// Moves a household into a unit or an outside zone, releasing the old home.
pub fn move_to(
    t: &mut Talent,
    housing: &mut Housing,
    residents: &mut [u32],
    home: Cell,
    tenure: Tenure,
    util: &Utility,
) {
    let commute = util.commute(home, util.work_cell(t)) as f32;
    if in_corridor(t.home) {
        if let Some(stock) = t.tenure.stock() {
            let o = &mut housing.occupied[stock][t.home as usize];
            *o = o.saturating_sub(1);
        }
        residents[t.home as usize] = residents[t.home as usize].saturating_sub(1);
    }
    t.home = home;
    t.tenure = if in_corridor(home) { tenure } else { Tenure::Outside };
    t.commute = commute;
    if in_corridor(home) {
        if let Some(stock) = tenure.stock() {
            housing.occupied[stock][home as usize] += 1;
        }
        residents[home as usize] += 1;
    }
}

/// Cumulative vacant units over the cells that have any, for sampling a vacant unit uniformly.
/// The unit drawn lies in the first cell whose cumulative count exceeds the draw, which is never
/// an empty cell, so empty cells (most of the grid is undeveloped) are left out of the table. A
/// guide table (Chen and Asau) gives, for each of as many equal slices of the draw's range as
/// there are entries, the first entry the draw can land in, so a draw scans an entry or two
/// instead of a binary search (the cell drawn is the same).
pub struct VacancySampler {
    cum: Vec<u64>,
    /// The cell of each entry of `cum`.
    cell: Vec<Cell>,
    guide: Vec<u32>,
    /// Slices per unit: `guide.len() / total`.
    per_unit: f64,
}

impl VacancySampler {
    pub fn new(housing: &Housing, stock: usize) -> VacancySampler {
        VacancySampler::from_counts((0..housing.cells()).map(|c| housing.vacant(stock, c) as u64))
    }

    /// A sampler over cells with these vacant units.
    pub fn from_counts(vacant: impl Iterator<Item = u64>) -> VacancySampler {
        let (mut cum, mut cell) = (Vec::new(), Vec::new());
        let mut acc = 0u64;
        for (c, v) in vacant.enumerate() {
            if v > 0 {
                acc += v;
                cum.push(acc);
                cell.push(c as Cell);
            }
        }
        let slices = cum.len();
        let guide = (0..slices)
            .map(|g| {
                // The smallest draw r with slice(r) = g is ceil(g * total / slices).
                let lo = (g as u128 * acc as u128).div_ceil(slices as u128) as u64;
                cum.partition_point(|&x| x <= lo) as u32
            })
            .collect::<Vec<u32>>();
        let per_unit = if acc == 0 { 0.0 } else { guide.len() as f64 / acc as f64 };
        VacancySampler { cum, cell, guide, per_unit }
    }
    pub fn total(&self) -> u64 {
        *self.cum.last().unwrap_or(&0)
    }
    /// A guide slice at or below the one draw `r` falls in (floor(r slices / total), less one
    /// for rounding): a float multiplication instead of an integer division. The walk from a
    /// lower slice's guide entry ends at the same entry.
    #[inline]
    fn slice_at_most(&self, r: u64) -> usize {
        ((r as f64 * self.per_unit) as usize).saturating_sub(1)
    }
    pub fn sample(&self, rng: &mut Stream) -> Option<Cell> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let r = (rng.uniform() * total as f64) as u64;
        // First entry whose cumulative count exceeds r.
        let last = self.cum.len() - 1;
        let mut e = (self.guide[self.slice_at_most(r).min(self.guide.len() - 1)] as usize).min(last);
        while e < last && self.cum[e] <= r {
            e += 1;
        }
        Some(self.cell[e])
    }
}

/// Whether a household looks for a home this month, and how many households it stands for in
/// the demand count: one when it must move or moves for its own reasons (renters at `move_rate`,
/// owners at `owner_move_rate`), and 1 / `outside_move_rate` when it lives outside the corridor
/// and looks (the households outside like it that do not look this month: a Horvitz-Thompson
/// weight).
#[inline]
fn wants_to_move(util: &Utility, t: &Talent, rng: &mut Stream) -> Option<f64> {
    let s = &util.s.talent;
    let rate = match t.tenure {
        Tenure::Outside => s.outside_move_rate,
        Tenure::Market | Tenure::TalentUnit => s.move_rate,
        Tenure::Owner | Tenure::Shared => s.owner_move_rate,
    };
    // Always one draw, so the candidates' draws do not depend on which reason applied.
    let draw = rng.uniform();
    if t.tenure == Tenure::Market {
        let cost = util.housing_cost(t.home, t.tenure) - util.rent_subsidy(t, t.home);
        if cost > s.max_rent_share * util.income(t) {
            return Some(1.0);
        }
    }
    if t.has(FLAG_JOB_CHANGED) && util.commute(t.home, util.work_cell(t)) > s.max_commute_min {
        return Some(1.0);
    }
    // A child at a school elsewhere: when it reaches school age or middle school, and in
    // October, after the September enrolment.
    if t.seated_elsewhere()
        && (matches!(t.child_age_months, super::PRIMARY_FROM_MONTHS | super::MIDDLE_FROM_MONTHS)
            || util.month % 12 == 9)
    {
        return Some(1.0);
    }
    if draw < rate {
        return Some(if t.tenure == Tenure::Outside { 1.0 / rate } else { 1.0 });
    }
    None
}

/// A market unit a mover drew: its place utility and its net incomes to rent and, where the
/// household can buy, to own.
struct Seen {
    cell: Cell,
    place: f64,
    rent: Net,
    buy: Option<Net>,
}

/// The net income of an option and, once computed, its systematic utility.
struct Net {
    income: f64,
    utility: Option<f64>,
}

impl Net {
    fn new(income: f64) -> Net {
        Net { income, utility: None }
    }

    /// place + beta_income ln(net income), as [`super::Chooser::with_commute`] computes it.
    fn utility(&mut self, place: f64, beta: f64) -> f64 {
        *self.utility.get_or_insert_with(|| place + beta * self.income.ln())
    }
}

/// An upper bound of a mover's utility of an option without its two logarithms: ln y is at most
/// ln y0 + (y - y0) / y0 (the tangent of a concave function, at the net income y0 of staying),
/// and the taste draw at most [`GumbelDraw::at_most`]. Requires beta_income >= 0 and
/// taste_scale > 0 (the schema's ranges).
struct Bound {
    beta: f64,
    taste: f64,
    stay: f64,
    y0: f64,
    ln_y0: f64,
}

impl Bound {
    fn new(beta: f64, taste: f64, stay: f64, y0: f64) -> Bound {
        let y0 = y0.max(1.0);
        Bound { beta, taste, stay, y0, ln_y0: y0.ln() }
    }

    /// False only when an option of place utility `place`, net income `y` and taste draw `g`
    /// cannot beat staying.
    #[inline]
    fn may_beat(&self, place: f64, y: f64, g: GumbelDraw) -> bool {
        let housing = self.beta * (self.ln_y0 + (y - self.y0) / self.y0);
        let taste = self.taste * g.at_most();
        // The margin covers the rounding of the bound and of the utility (relative errors near
        // 1e-16 of the terms).
        let margin = 1e-9 * (1.0 + place.abs() + housing.abs() + taste.abs() + self.stay.abs());
        // NaN is not ruled out: its option is weighed in full (and never beats staying).
        !matches!((place + housing + taste + margin).partial_cmp(&self.stay), Some(Ordering::Less | Ordering::Equal))
    }
}

/// The movers of a stretch of agents: each one's index, how many households it stands for and
/// where its options, best first, lie in `ranked`.
#[derive(Default)]
struct Proposals {
    movers: Vec<(usize, f64, std::ops::Range<usize>)>,
    ranked: Vec<(Cell, Tenure)>,
}

/// Movers rank, by logit utility with a taste shock (in parallel): staying, k sampled vacant
/// market units (to rent, or to buy where their savings pay the down payment; a renter may also
/// buy its own unit), shared-ownership units where eligible, `demand_samples` units drawn from the
/// whole market stock (vacant or not: where they would live), and every outside zone. Units are
/// then taken in agent order; an option taken by an earlier mover is demand turned away.
pub fn choose_homes(agents: &mut [Talent], housing: &mut Housing, residents: &mut [u32], util: &Utility, seed: u64) {
    let market = VacancySampler::new(housing, MARKET);
    let shared = VacancySampler::new(housing, SHARED);
    let stock = VacancySampler::from_counts(housing.units[MARKET].iter().map(|&u| u as u64));
    let month = util.month;
    let k = util.s.talent.home_candidates as usize;
    let wishes = util.s.housing.demand_samples as usize;
    let zones = util.world.zones.len();
    let taste = util.s.talent.utility.taste_scale;
    let beta = util.s.talent.utility.beta_income;
    // A mover's options better than staying, best first, are left in `options` (`seen` is
    // scratch); returns how many households it stands for, None when it does not look or stays.
    let propose = |t: &Talent, options: &mut Vec<(f64, Cell, Tenure)>, seen: &mut Vec<Seen>| -> Option<f64> {
        let mut rng = Stream::new(seed, Purpose::Residence, t.id as u64, month);
        let weight = wants_to_move(util, t, &mut rng)?;
        let me = util.chooser(t);
        let stay = me.with_commute(t.home, t.tenure, t.commute as f64) + taste * rng.gumbel();
        // Only the options better than staying matter: staying is always possible. An option
        // is weighed in full (two logarithms: of its net income and of its taste draw) only
        // where a bound without them says it may beat staying; the others cannot, so the
        // choice is the same as weighing all in full.
        let bound = Bound::new(beta, taste, stay, me.net_income(t.home, t.tenure));
        options.clear();
        let mut consider = |place: f64, net: &mut Net, g: GumbelDraw, c: Cell, tenure: Tenure| {
            if !bound.may_beat(place, net.income, g) {
                return;
            }
            let v = net.utility(place, beta) + taste * g.value();
            if v > stay {
                options.push((v, c, tenure));
            }
        };
        // Samples are drawn with replacement, so a cell often comes up twice: its
        // systematic utilities are computed once and each draw gets its own taste shocks.
        seen.clear();
        let mut market_unit =
            |c: Cell, rng: &mut Stream, consider: &mut dyn FnMut(f64, &mut Net, GumbelDraw, Cell, Tenure)| {
                let at = match seen.iter().position(|x| x.cell == c) {
                    Some(at) => at,
                    None => {
                        seen.push(Seen {
                            cell: c,
                            place: me.place(c, util.commute(c, me.work)),
                            rent: Net::new(me.net_income(c, Tenure::Market)),
                            buy: me.can_buy(c).then(|| Net::new(me.net_income(c, Tenure::Owner))),
                        });
                        seen.len() - 1
                    }
                };
                let x = &mut seen[at];
                consider(x.place, &mut x.rent, rng.gumbel_draw(), c, Tenure::Market);
                if let Some(buy) = &mut x.buy {
                    consider(x.place, buy, rng.gumbel_draw(), c, Tenure::Owner);
                }
            };
        for _ in 0..k {
            if let Some(c) = market.sample(&mut rng) {
                market_unit(c, &mut rng, &mut consider);
            }
        }
        for _ in 0..wishes {
            if let Some(c) = stock.sample(&mut rng) {
                market_unit(c, &mut rng, &mut consider);
            }
        }
        if t.tenure == Tenure::Market && me.can_buy(t.home) {
            let place = me.place(t.home, t.commute as f64);
            let mut own = Net::new(me.net_income(t.home, Tenure::Owner));
            consider(place, &mut own, rng.gumbel_draw(), t.home, Tenure::Owner);
        }
        if shared.total() > 0 && shared_eligible(util.policy, t) {
            for _ in 0..k {
                if let Some(c) = shared.sample(&mut rng) {
                    let place = me.place(c, util.commute(c, me.work));
                    let mut unit = Net::new(me.net_income(c, Tenure::Shared));
                    consider(place, &mut unit, rng.gumbel_draw(), c, Tenure::Shared);
                }
            }
        }
        for z in 0..zones {
            let home = zone_home(z);
            if home != t.home {
                let place = me.place(home, util.commute(home, me.work));
                let mut zone = Net::new(me.net_income(home, Tenure::Outside));
                consider(place, &mut zone, rng.gumbel_draw(), home, Tenure::Outside);
            }
        }
        if options.is_empty() {
            return None;
        }
        options.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        Some(weight)
    };
    // Proposals of fixed stretches of agents, each stretch's options in one list (no allocation
    // per mover), settled below in agent order.
    const CHUNK: usize = 1 << 12;
    let parts: Vec<Proposals> = agents
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| {
            let mut part = Proposals::default();
            let (mut options, mut seen) = (Vec::new(), Vec::new());
            for (j, t) in chunk.iter().enumerate() {
                if let Some(weight) = propose(t, &mut options, &mut seen) {
                    let start = part.ranked.len();
                    part.ranked.extend(options.iter().map(|o| (o.1, o.2)));
                    part.movers.push((k * CHUNK + j, weight, start..part.ranked.len()));
                }
            }
            part
        })
        .collect();
    for part in &parts {
        for (i, weight, at) in &part.movers {
            settle(agents, housing, residents, util, *i, *weight, &part.ranked[at.clone()]);
        }
    }
}

/// A mover takes the first of its ranked options still free (a unit taken by an earlier mover is
/// demand turned away, counted in the first such cell and, while it lives outside, in the
/// shortage).
fn settle(
    agents: &mut [Talent],
    housing: &mut Housing,
    residents: &mut [u32],
    util: &Utility,
    i: usize,
    weight: f64,
    ranked: &[(Cell, Tenure)],
) {
    let mut turned_away: Option<Cell> = None;
    for &(c, tenure) in ranked {
        let t = &agents[i];
        if c == t.home {
            agents[i].tenure = tenure; // a renter buys the unit it lives in
            break;
        }
        if zone_of(c).is_some() {
            move_to(&mut agents[i], housing, residents, c, tenure, util);
            break;
        }
        let stock = tenure.stock().unwrap_or(MARKET);
        if housing.vacant(stock, c as usize) == 0 {
            if stock == MARKET && turned_away.is_none() {
                turned_away = Some(c);
            }
            continue;
        }
        move_to(&mut agents[i], housing, residents, c, tenure, util);
        break;
    }
    if let Some(c) = turned_away {
        housing.unmet[c as usize] += weight as f32;
        if !in_corridor(agents[i].home) {
            housing.shortage += weight;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_the_bound_rules_out_never_beats_staying() {
        // Utilities over wide ranges of place, net income and taste draws, near and far from
        // staying: wherever the bound says no, the option's utility computed in full is no better.
        let mut rng = Stream::new(5, Purpose::Residence, 1, 0);
        let (mut ruled_out, mut n) = (0, 0);
        for _ in 0..200_000 {
            let beta = [0.0, 0.6, 1.0, 2.5][rng.below(4)];
            let taste = [1e-3, 0.07, 1.0][rng.below(3)];
            let y0 = (10.0f64).powf(4.0 * rng.uniform());
            let stay = beta * y0.ln() + 3.0 * (rng.uniform() - 0.5) + taste * rng.gumbel();
            let place = 3.0 * (rng.uniform() - 0.5);
            let y = (y0 * 3.0 * rng.uniform()).max(1.0);
            let g = rng.gumbel_draw();
            let bound = Bound::new(beta, taste, stay, y0);
            let v = Net::new(y).utility(place, beta) + taste * g.value();
            n += 1;
            if !bound.may_beat(place, y, g) {
                ruled_out += 1;
                assert!(v <= stay, "ruled out {v} > stay {stay}");
            }
        }
        assert!(ruled_out > n / 4, "the bound rules out {ruled_out} of {n}");
    }

    #[test]
    fn the_guide_table_draws_the_cell_a_binary_search_would() {
        // Uneven counts with runs of empty cells, at the start, in the middle and at the end.
        let counts: Vec<u64> = (0..500u64).map(|c| if c % 7 < 3 || c > 480 { 0 } else { (c * 37) % 23 }).collect();
        let sampler = VacancySampler::from_counts(counts.iter().copied());
        // The binary search below runs over the cumulative counts of all cells, empty ones included.
        let all: Vec<u64> = counts
            .iter()
            .scan(0, |acc, &v| {
                *acc += v;
                Some(*acc)
            })
            .collect();
        let mut draws = Stream::new(1, Purpose::Residence, 0, 0);
        let mut check = Stream::new(1, Purpose::Residence, 0, 0);
        for _ in 0..20_000 {
            let c = sampler.sample(&mut draws).unwrap() as usize;
            let r = (check.uniform() * sampler.total() as f64) as u64;
            let expected = all.partition_point(|&x| x <= r).min(counts.len() - 1);
            assert_eq!(c, expected);
            assert!(counts[c] > 0, "drew an empty cell");
        }
        assert!(VacancySampler::from_counts([0u64, 0, 0].into_iter()).sample(&mut draws).is_none());
    }
}

#[cfg(test)]
mod waitlist_and_moves {
    use super::*;
    use crate::agents::talent::{NO_JOB, OUTSIDE};
    use crate::agents::testkit::{cell, household, Kit};

    fn kit() -> Kit {
        let mut kit = Kit::new();
        kit.s.talent.utility.taste_scale = 0.0;
        kit.s.talent.move_rate = 0.0;
        kit
    }

    #[test]
    fn rent_burdened_eligible_households_join_the_waiting_list_and_others_leave_it() {
        let mut kit = kit();
        let f = kit.firm(0, cell(1, 1));
        kit.housing.units[TALENT][cell(2, 2) as usize] = 1;
        let (dear, cheap) = (cell(1, 2), cell(3, 3));
        // A skilled wage of 15 000: a rent of 6 000 is 40 % of it, above the 30 % that makes a
        // household apply; 3 000 is below.
        kit.prices.rent[dear as usize] = 6000.0;
        kit.prices.rent[cheap as usize] = 3000.0;
        let mut agents: Vec<Talent> = (0..5).map(|i| household(i, 1, dear)).collect();
        for t in &mut agents {
            t.employer = f;
        }
        agents[1].tenure = Tenure::Owner;
        agents[2].waitlist_since = 3; // applied in month 2
        agents[3].waitlist_since = 3;
        agents[3].employer = NO_JOB; // unemployed now: leaves the list
        agents[4].home = cheap; // not rent-burdened: does not apply
        kit.month = 5;
        let listed = update_waitlist(&mut agents, &kit.housing, &kit.util());
        let since: Vec<u16> = agents.iter().map(|t| t.waitlist_since).collect();
        assert_eq!(
            since,
            vec![6, 0, 3, 0, 0],
            "owners, the unemployed and those who are not rent-burdened are not on the list; applicants keep their month"
        );
        // One vacant unit: at most ten offers, here to both applicants, earliest application first.
        assert_eq!(listed, vec![(6, 0), (3, 2)]);
        // Without a programme (no talent units built or being built) nobody applies.
        kit.housing.units[TALENT][cell(2, 2) as usize] = 0;
        assert!(update_waitlist(&mut agents, &kit.housing, &kit.util()).is_empty());
        assert!(agents.iter().all(|t| t.waitlist_since == 0));
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
    fn two_movers_for_one_unit_are_settled_in_agent_order_and_the_second_is_demand_turned_away() {
        let mut kit = kit();
        // Dear outside: households living there want in; half of them look each month.
        kit.world.zones[0].rent = 8000.0;
        kit.s.talent.outside_move_rate = 0.5;
        kit.s.housing.demand_samples = 0;
        let c = cell(4, 2);
        let mut housing = kit.housing.clone();
        housing.units[MARKET][c as usize] = 1;
        // A seed whose first draws make both look this month (the draw `wants_to_move` takes).
        let looks = |seed: u64, id: u64| Stream::new(seed, Purpose::Residence, id, kit.month).uniform() < 0.5;
        let seed = (0..).find(|&seed| looks(seed, 0) && looks(seed, 1)).unwrap();
        let mut agents = vec![household(0, 1, OUTSIDE), household(1, 1, OUTSIDE)];
        let mut residents = vec![0u32; kit.world.cells()];
        choose_homes(&mut agents, &mut housing, &mut residents, &kit.util(), seed);
        assert_eq!(agents[0].home, c);
        assert_eq!(agents[0].tenure, Tenure::Market);
        assert_eq!(agents[1].home, OUTSIDE, "the unit was taken");
        assert_eq!((housing.occupied[MARKET][c as usize], residents[c as usize]), (1, 1));
        // The second stands for the two households outside like it (one looks in two).
        assert_eq!(housing.unmet[c as usize], 2.0);
        assert_eq!(housing.shortage, 2.0);
    }

    #[test]
    fn a_household_with_savings_for_the_down_payment_may_buy_and_a_young_one_rents() {
        let mut kit = kit();
        // Owning costs less than renting: the user cost is half of the rent.
        kit.s.housing.owner_user_cost = 0.5 * 12.0 / kit.s.housing.price_to_rent_months;
        kit.s.talent.outside_move_rate = 1.0;
        kit.world.zones[0].rent = 1.0e5;
        let f = kit.firm(0, cell(4, 1));
        let (a, b) = (cell(4, 2), cell(5, 2));
        let mut housing = kit.housing.clone();
        housing.units[MARKET][a as usize] = 1;
        housing.units[MARKET][b as usize] = 1;
        // A top earner aged 55 has saved 0.3 x 30 000 x 12 x 33 yuan, enough for 30 % of 600
        // rents; a skilled one aged 23 has not.
        let mut agents = vec![household(0, 0, OUTSIDE), household(1, 1, OUTSIDE)];
        agents[0].age_months = 55 * 12;
        agents[1].age_months = 23 * 12;
        for t in &mut agents {
            t.employer = f;
        }
        let util = kit.util();
        assert!(util.can_buy(&agents[0], a) && !util.can_buy(&agents[1], a));
        let mut residents = vec![0u32; kit.world.cells()];
        choose_homes(&mut agents, &mut housing, &mut residents, &kit.util(), 3);
        assert_eq!(agents[0].tenure, Tenure::Owner);
        assert_eq!(agents[1].tenure, Tenure::Market);
        assert_eq!(housing.occupied[MARKET][a as usize] + housing.occupied[MARKET][b as usize], 2);
    }

    #[test]
    fn a_rent_burdened_renter_moves_out_to_a_zone_when_the_corridor_is_dear() {
        let mut kit = kit();
        let f = kit.firm(0, cell(0, 1));
        let home = cell(1, 1);
        kit.prices.rent = vec![9000.0; kit.world.cells()];
        kit.world.zones[0].rent = 2000.0;
        let mut housing = kit.housing.clone();
        housing.units[MARKET][home as usize] = 1;
        housing.occupied[MARKET][home as usize] = 1;
        let mut residents = vec![0u32; kit.world.cells()];
        residents[home as usize] = 1;
        // A skilled renter pays 9 000 of 15 000: over `max_rent_share`, it must look.
        let mut agents = vec![household(0, 1, home)];
        agents[0].employer = f;
        choose_homes(&mut agents, &mut housing, &mut residents, &kit.util(), 3);
        assert_eq!((agents[0].home, agents[0].tenure), (OUTSIDE, Tenure::Outside));
        assert_eq!((housing.occupied[MARKET][home as usize], residents[home as usize]), (0, 0));
        assert!(agents[0].commute as f64 > kit.util().commute(home, Some(cell(0, 1))), "a longer commute");
    }
}
