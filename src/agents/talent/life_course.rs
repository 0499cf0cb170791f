//! Life course: ageing, a first child with a monthly probability at ages 25-40, children leaving
//! school age at 15 (giving up their seat); time in the corridor; rent subsidies paid.

use rayon::prelude::*;

use super::{Utility, FLAG_COORDINATED};
use crate::engine::Sim;
use crate::policy::Lever;
use crate::rng::{Purpose, Stream};

pub fn run(sim: &mut Sim) {
    let seed = sim.seed;
    let month = sim.month;
    let rate = sim.scenario.talent.child_rate;
    let mut talent = std::mem::take(&mut sim.talent);
    // One pass: the rent subsidy for the month just lived is booked, then the household ages.
    // Subsidies are summed over fixed-size chunks in chunk order: the same float result for any
    // number of threads.
    let parts: Vec<f64> = {
        let util = Utility { sim };
        talent
            .par_chunks_mut(8192)
            .map(|chunk| {
                let mut paid = 0.0;
                for t in chunk {
                    paid += util.rent_subsidy(t, t.home);
                    age(t, seed, month, rate);
                }
                paid
            })
            .collect()
    };
    sim.talent = talent;
    let paid: f64 = parts.iter().sum();
    sim.flows.cost[Lever::TalentSubsidy as usize] += paid * sim.scenario.agent_scale;
}

fn age(t: &mut super::Talent, seed: u64, month: u32, child_rate: f64) {
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
