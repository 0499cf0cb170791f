//! Life course: ageing, a first child with a monthly probability at ages 25-40, children leaving
//! school age at 15 (giving up their seat); time in the corridor; rent subsidies paid. The pass
//! over the households also takes the school census (see `MonthEnd`).

use rayon::prelude::*;

use super::{Talent, Utility, FLAG_COORDINATED};
use crate::agents::expectations::SUM_CHUNK;
use crate::agents::school::{Census, Schools};
use crate::policy::{Ledger, Lever};
use crate::rng::{Purpose, Stream};

/// One chunk's share of the pass: rent subsidies paid, census counts, waiting children.
type ChunkTally = (f64, Vec<u32>, Vec<u32>);

/// What the life-course pass gathers for the rest of the month.
pub struct MonthEnd {
    /// The school census of the aged population.
    pub census: Census,
}

/// Ages every household and books the month's rent subsidies. The same pass over the agents
/// takes the school census of the month.
pub fn run(agents: &mut [Talent], util: &Utility, seed: u64, ledger: &mut Ledger) -> MonthEnd {
    let month = util.month;
    let rate = util.s.talent.child_rate;
    let census_len = util.schools.count_len();
    // One pass: the rent subsidy for the month just lived is booked, the household ages, the
    // school census counts it. Subsidies are summed over
    // fixed-size chunks in chunk order: the same float result for any number of threads.
    const CHUNK: usize = SUM_CHUNK;
    let parts: Vec<ChunkTally> = {
        let world = util.world;
        agents
            .par_chunks_mut(CHUNK)
            .enumerate()
            .map(|(k, chunk)| {
                let mut paid = 0.0;
                let mut counts = vec![0u32; census_len];
                let mut waiting = Vec::new();
                for (j, t) in chunk.iter_mut().enumerate() {
                    let i = (k * CHUNK + j) as u32;
                    paid += util.rent_subsidy(t, t.home);
                    age(t, seed, month, rate);
                    Schools::count(t, world, &mut counts);
                    if Schools::waits_at_home(t, world) {
                        waiting.push(i);
                    }
                }
                (paid, counts, waiting)
            })
            .collect()
    };
    let mut paid = 0.0;
    let mut census = Census { counts: vec![0; census_len], waiting: Vec::new() };
    for (p, counts, waiting) in parts {
        paid += p;
        for (x, y) in census.counts.iter_mut().zip(counts) {
            *x += y;
        }
        census.waiting.extend(waiting);
    }
    ledger.cost[Lever::TalentSubsidy] += paid * util.s.agent_scale;
    MonthEnd { census }
}

fn age(t: &mut Talent, seed: u64, month: u32, child_rate: f64) {
    t.age_months = t.age_months.saturating_add(1);
    t.months_in_corridor = t.months_in_corridor.saturating_add(1);
    if t.child_age_months >= 0 {
        t.child_age_months += 1;
        if t.child_age_months >= 180 {
            t.child_age_months = -1;
            t.seat_district = -1;
            t.flags &= !FLAG_COORDINATED;
        }
    } else if (300..=480).contains(&t.age_months)
        && Stream::new(seed, Purpose::LifeCourse, t.id as u64, month).chance(child_rate)
    {
        t.child_age_months = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, household, Kit};

    #[test]
    fn households_age_and_children_leave_school_age() {
        let mut kit = Kit::new();
        let f = kit.firm(0, cell(1, 1));
        let mut agents: Vec<Talent> = (0..3).map(|i| household(i, 1, cell(1, 1))).collect();
        agents[0].child_age_months = 179;
        agents[0].seat_district = 0;
        agents[0].seat_level = 1;
        agents[1].tier = 0;
        agents[1].employer = f;
        agents[2].tier = 0;
        let before: Vec<u16> = agents.iter().map(|t| t.age_months).collect();
        let mut ledger = kit.ledger.clone();
        let end = run(&mut agents, &kit.util(), 1, &mut ledger);
        assert!(agents.iter().zip(&before).all(|(t, &b)| t.age_months == b + 1 && t.months_in_corridor == 13));
        assert_eq!((agents[0].child_age_months, agents[0].seat_district), (-1, -1), "aged out: seat given up");
        assert!(end.census.waiting.is_empty());
    }
}
