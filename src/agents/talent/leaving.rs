//! Leaving the corridor: p_exit = p_base + (p_max - p_base) * logistic(alpha * (U_outside -
//! U_current - threshold)), and always at retirement age or after `max_unemployed_months` without
//! a job.
//! With p_max = 1 and threshold = 0 this is the plain binary logit; the two extra parameters keep
//! monthly exit rates in the range observed for mobile talent when utilities are close. A leaver
//! who was paid the relocation bonus and leaves within the commitment repays `clawback_share` of
//! it.

use rayon::prelude::*;

use super::{in_corridor, logistic, Population, Talent, Utility, FLAG_BONUS_PAID};
use crate::agents::housing::Housing;
use crate::policy::{Ledger, Lever};
use crate::rng::{Purpose, Stream};

/// Who leaves this month leaves: departures are booked, their homes freed and the population
/// keeps its order.
pub fn run(
    population: &mut Population,
    housing: &mut Housing,
    residents: &mut [u32],
    ledger: &mut Ledger,
    util: &Utility,
    seed: u64,
) {
    let leavers = leavers(&population.agents, util, seed);
    let sub = &util.s.talent.subsidy;
    let clawback = sub.clawback_share * sub.relocation_bonus * util.s.agent_scale;
    // Departures are booked in agent order; then the stayers are copied, in parallel and in
    // order, into the spare buffer, which becomes the agents' vector.
    for &i in &leavers {
        let t = &population.agents[i as usize];
        ledger.departures[t.tier as usize] += 1;
        if t.has_child() {
            ledger.family_departures += 1;
        }
        if t.has(FLAG_BONUS_PAID) && (t.months_in_corridor as u32) < sub.commitment_months {
            ledger.receipts[Lever::TalentSubsidy] += clawback;
        }
        if in_corridor(t.home) {
            if let Some(stock) = t.tenure.stock() {
                let o = &mut housing.occupied[stock][t.home as usize];
                *o = o.saturating_sub(1);
            }
            residents[t.home as usize] = residents[t.home as usize].saturating_sub(1);
        }
    }
    remove_leavers(&mut population.agents, &mut population.spare, &leavers);
}

/// The households that leave this month (indices, in agent order).
pub fn leavers(agents: &[Talent], util: &Utility, seed: u64) -> Vec<u32> {
    let month = util.month;
    let s = &util.s.talent;
    let retire = (s.retirement_age * crate::prices::MONTHS_PER_YEAR) as u16;
    let outside: Vec<[f64; 2]> = (0..s.tiers.len()).map(|t| [util.outside(t, false), util.outside(t, true)]).collect();
    agents
        .par_iter()
        .enumerate()
        .with_min_len(2048)
        .filter_map(|(i, t)| {
            let leaves = if t.age_months >= retire || t.months_unemployed as u32 >= s.max_unemployed_months {
                true
            } else {
                // The draw comes first: p never exceeds max(p_base, p_max), so above that bound
                // the utility need not be computed (the decision is the same).
                let u = Stream::new(seed, Purpose::Leaving, t.id as u64, month).uniform();
                if u >= s.exit.p_base.max(s.exit.p_max) {
                    false
                } else {
                    let u_out = outside[t.tier as usize][t.has_child() as usize];
                    let gap = u_out - util.current(t) - s.exit.threshold;
                    let p = s.exit.p_base + (s.exit.p_max - s.exit.p_base).max(0.0) * logistic(s.exit.alpha * gap);
                    u < p
                }
            };
            leaves.then_some(i as u32)
        })
        .collect()
}

/// Removes the agents at the indices `leavers` (ascending), keeping the order of the others. The
/// stayers are copied into `spare` in parallel, each fixed chunk of agents into its own stretch, as
/// runs between leavers; the two vectors are then swapped, so the old buffer is reused next month
/// instead of allocating a new one.
fn remove_leavers(talent: &mut Vec<Talent>, spare: &mut Vec<Talent>, leavers: &[u32]) {
    if leavers.is_empty() {
        return;
    }
    const CHUNK: usize = 1 << 14;
    let n = talent.len();
    let chunks = n.div_ceil(CHUNK);
    // The leavers of chunk k are leavers[bounds[k]..bounds[k + 1]].
    let bounds: Vec<usize> = (0..=chunks).map(|k| leavers.partition_point(|&i| (i as usize) < k * CHUNK)).collect();
    let total = n - leavers.len();
    spare.clear();
    spare.reserve(total);
    let mut stretches = Vec::with_capacity(chunks);
    let mut rest = &mut spare.spare_capacity_mut()[..total];
    for k in 0..chunks {
        let stay = CHUNK.min(n - k * CHUNK) - (bounds[k + 1] - bounds[k]);
        let (head, tail) = rest.split_at_mut(stay);
        stretches.push(head);
        rest = tail;
    }
    talent.par_chunks(CHUNK).zip(stretches).enumerate().for_each(|(k, (agents, out))| {
        let (mut from, mut to) = (0, 0);
        let ends = leavers[bounds[k]..bounds[k + 1]].iter().map(|&i| i as usize - k * CHUNK).chain([agents.len()]);
        for end in ends {
            let run = end - from;
            for (slot, t) in out[to..to + run].iter_mut().zip(&agents[from..end]) {
                slot.write(t.clone());
            }
            to += run;
            from = end + 1;
        }
    });
    // SAFETY: the stretches cover the first `total` slots of the spare capacity, and each was
    // written with one agent: a chunk's stretch is as long as the number of agents it keeps, and
    // the runs between its leavers fill it from start to end.
    unsafe { spare.set_len(total) };
    std::mem::swap(talent, spare);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::talent::tests::agent;

    #[test]
    fn retirement_and_long_unemployment_always_end_a_stay_and_free_the_home() {
        use crate::agents::testkit::{cell, household, Kit};
        let mut kit = Kit::new();
        // No exits by utility: only the two rules apply.
        kit.s.talent.exit.p_base = 0.0;
        kit.s.talent.exit.p_max = 0.0;
        let home = cell(2, 2);
        let mut agents: Vec<Talent> = (0..4).map(|i| household(i, (i % 2) as u8, home)).collect();
        agents[1].age_months = (kit.s.talent.retirement_age * 12.0) as u16;
        agents[1].set(FLAG_BONUS_PAID, true); // repays its bonus: it leaves within the commitment
        agents[1].months_in_corridor = 2;
        kit.s.talent.subsidy.relocation_bonus = 1000.0;
        agents[2].months_unemployed = kit.s.talent.max_unemployed_months as u16;
        agents[2].child_age_months = 30;
        let mut housing = kit.housing.clone();
        housing.units[0][home as usize] = 4;
        housing.occupied[0][home as usize] = 4;
        let mut residents = vec![0u32; kit.world.cells()];
        residents[home as usize] = 4;
        let mut population = Population { agents, spare: Vec::new(), next_id: 4 };
        let mut ledger = kit.ledger.clone();
        run(&mut population, &mut housing, &mut residents, &mut ledger, &kit.util(), 1);
        assert_eq!(population.agents.iter().map(|t| t.id).collect::<Vec<_>>(), vec![0, 3]);
        assert_eq!((housing.occupied[0][home as usize], residents[home as usize]), (2, 2));
        assert_eq!(ledger.departures, vec![1, 1], "departures are booked by tier");
        assert_eq!(ledger.family_departures, 1);
        assert_eq!(ledger.receipts[Lever::TalentSubsidy], 1000.0, "the bonus is clawed back");
        // The others stay, month after month.
        for month in 1..24 {
            kit.month = month;
            assert!(leavers(&population.agents, &kit.util(), 1).is_empty());
        }
    }

    #[test]
    fn leavers_are_removed_and_the_order_of_the_others_is_kept() {
        // Several chunks, leavers at chunk edges and a run of them across a boundary.
        let n = 3 * (1 << 14) + 77;
        let leaves: Vec<bool> =
            (0..n).map(|i| i % 7 == 3 || i == 0 || i == 32768 || (16380..16390).contains(&i) || i == n - 1).collect();
        let mut talent: Vec<Talent> = (0..n as u32).map(agent).collect();
        let mut spare = Vec::new();
        for round in 0..2 {
            let flags = &leaves[..talent.len()];
            let expected: Vec<u32> = talent.iter().zip(flags).filter(|(_, &go)| !go).map(|(t, _)| t.id).collect();
            let leavers: Vec<u32> = (0..flags.len() as u32).filter(|&i| flags[i as usize]).collect();
            remove_leavers(&mut talent, &mut spare, &leavers);
            assert_eq!(talent.iter().map(|t| t.id).collect::<Vec<_>>(), expected, "round {round}");
        }
        // Nobody leaves: nothing changes.
        let before: Vec<u32> = talent.iter().map(|t| t.id).collect();
        remove_leavers(&mut talent, &mut spare, &[]);
        assert_eq!(talent.iter().map(|t| t.id).collect::<Vec<_>>(), before);
    }
}
