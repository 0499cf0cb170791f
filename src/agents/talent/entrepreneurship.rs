//! Entrepreneurship: an employed person founds a firm with the tier's `founding_rate`, raised near
//! incubators and by the failure-tolerance lever. The founder leaves the old job and becomes the
//! first worker of the new firm, which locates near the founder's workplace.

use rayon::prelude::*;

use super::{Utility, FLAG_JOB_CHANGED};
use crate::agents::firm::Origin;
use crate::agents::firm_entry;
use crate::engine::Sim;
use crate::policy::Lever;
use crate::rng::{Purpose, Stream};

pub fn run(sim: &mut Sim) {
    let seed = sim.seed;
    let month = sim.month;
    let mult = sim.policy.founding_multiplier(&sim.scenario);
    let max_boost = sim.policy.incubator_boost.iter().fold(0.0f32, |a, &b| a.max(b)) as f64;
    let founders: Vec<usize> = {
        let sim_ref: &Sim = sim;
        let util = Utility { sim: sim_ref };
        let tiers = &sim_ref.scenario.talent.tiers;
        sim_ref
            .talent
            .par_iter()
            .enumerate()
            .with_min_len(4096)
            .filter_map(|(i, t)| {
                let rate = tiers[t.tier as usize].founding_rate;
                if rate <= 0.0 || !t.employed() {
                    return None;
                }
                let u = Stream::new(seed, Purpose::Founding, t.id as u64, month).uniform();
                if u >= rate * mult * (1.0 + max_boost) {
                    return None;
                }
                let cell = util.work_cell(t)?;
                let p = rate * mult * (1.0 + sim_ref.policy.incubator_boost[cell as usize] as f64);
                (u < p).then_some(i)
            })
            .collect()
    };
    let ft = &sim.scenario.talent.failure_tolerance;
    let tolerance_on = sim.policy.active(ft.start_year, ft.end_year) && ft.founding_boost > 0.0;
    let cost_each = ft.cost_per_startup;
    for i in founders {
        let work = Utility { sim }.work_cell(&sim.talent[i]);
        let Some(work) = work else { continue };
        let sector = sim.talent[i].sector as usize;
        let id = sim.talent[i].id;
        let founder_people = sim.scenario.agent_scale;
        let firm = firm_entry::create(sim, sector, Origin::Startup, Some((work, 3.0)), founder_people * 3.0, id as u64);
        let Some(firm) = firm else { continue };
        let commute = Utility { sim }.commute(sim.talent[i].home, Some(sim.firms[firm as usize].cell)) as f32;
        let t = &mut sim.talent[i];
        t.employer = firm;
        t.commute = commute;
        t.set(FLAG_JOB_CHANGED, true);
        if tolerance_on {
            sim.flows.cost[Lever::FailureTolerance as usize] += cost_each;
        }
    }
}
