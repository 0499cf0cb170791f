//! Life course: ageing, a first child with a monthly probability at ages 25-40, children leaving
//! school age at 15 (giving up their seat); time in the corridor; rent subsidies paid.

use rayon::prelude::*;

use super::{Utility, FLAG_COORDINATED};
use crate::engine::Sim;
use crate::policy::Lever;
use crate::rng::{Purpose, Stream};

pub fn run(sim: &mut Sim) {
    // Rent subsidies are paid for the month just lived (fixed-order sum).
    let paid: f64 = {
        let util = Utility { sim };
        // Fixed-size chunks summed in chunk order: the same float result for any thread count.
        let parts: Vec<f64> =
            sim.talent.par_chunks(8192).map(|c| c.iter().map(|t| util.rent_subsidy(t, t.home)).sum::<f64>()).collect();
        parts.iter().sum()
    };
    sim.flows.cost[Lever::TalentSubsidy as usize] += paid * sim.scenario.agent_scale;
    let seed = sim.seed;
    let month = sim.month;
    let rate = sim.scenario.talent.child_rate;
    sim.talent.par_iter_mut().with_min_len(4096).for_each(|t| {
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
            && Stream::new(seed, Purpose::LifeCourse, t.id as u64, month).chance(rate)
        {
            t.child_age_months = 0;
        }
    });
}
