//! Entrepreneurship: an employed person founds a firm with the tier's `founding_rate`, raised near
//! incubators and by the failure-tolerance lever. The founder leaves the old job and becomes the
//! first worker of the new firm, which locates near the founder's workplace. The draws are taken
//! in the life-course pass over the households (nothing in between changes jobs).

use super::{Talent, Utility, FLAG_JOB_CHANGED};
use rayon::prelude::*;

use crate::agents::firm::{Firm, Origin};
use crate::agents::firm_entry;
use crate::engine::Sim;
use crate::policy::Lever;
use crate::rng::{Purpose, Stream};

/// Who founds a firm this month. The draw comes first: a person whose draw is above the highest
/// possible rate (the largest incubator boost) is out without looking up the workplace.
pub struct FoundingOdds<'a> {
    sim: &'a Sim,
    mult: f64,
    max_boost: f64,
}

impl<'a> FoundingOdds<'a> {
    pub fn new(sim: &'a Sim) -> FoundingOdds<'a> {
        let mult = sim.policy.founding_multiplier(&sim.scenario);
        let max_boost = sim.policy.incubator_boost.iter().fold(0.0f32, |a, &b| a.max(b)) as f64;
        FoundingOdds { sim, mult, max_boost }
    }

    /// Whether the employed person `t` founds a firm this month (the tier's founding rate, raised
    /// near incubators and by the failure-tolerance lever).
    #[inline]
    pub fn founds(&self, t: &Talent) -> bool {
        let sim = self.sim;
        let rate = sim.scenario.talent.tiers[t.tier as usize].founding_rate;
        if rate <= 0.0 || !t.employed() {
            return false;
        }
        let u = Stream::new(sim.seed, Purpose::Founding, t.id as u64, sim.month).uniform();
        if u >= rate * self.mult * (1.0 + self.max_boost) {
            return false;
        }
        let Some(cell) = (Utility { sim }).work_cell(t) else { return false };
        u < rate * self.mult * (1.0 + sim.policy.incubator_boost[cell as usize] as f64)
    }
}

/// The founders (agent indices, in agent order, drawn by [`FoundingOdds`] in the life-course pass)
/// leave their jobs for new firms.
pub fn found_firms(sim: &mut Sim, founders: Vec<u32>) {
    let ft = &sim.scenario.talent.failure_tolerance;
    let tolerance_on = sim.policy.active(ft.start_year, ft.end_year) && ft.founding_boost > 0.0;
    let cost_each = ft.cost_per_startup;
    // Each founder's firm is planned in parallel (a plan reads only month-wide fields and the
    // founder's own stream); firms are then added and founders moved in agent order.
    let plans: Vec<Option<Firm>> = {
        let sim_ref: &Sim = sim;
        let util = Utility { sim: sim_ref };
        founders
            .par_iter()
            .map(|&i| {
                let t = &sim_ref.talent[i as usize];
                let work = util.work_cell(t)?;
                let people = sim_ref.scenario.agent_scale;
                firm_entry::plan(
                    sim_ref,
                    t.sector as usize,
                    Origin::Startup,
                    Some((work, 3.0)),
                    people * 3.0,
                    t.id as u64,
                )
            })
            .collect()
    };
    for (i, plan) in founders.into_iter().map(|i| i as usize).zip(plans) {
        let Some(firm) = plan else { continue };
        let cell = firm.cell;
        let firm = firm_entry::add(sim, firm);
        let commute = Utility { sim }.commute(sim.talent[i].home, Some(cell)) as f32;
        let t = &mut sim.talent[i];
        t.employer = firm;
        t.commute = commute;
        t.set(FLAG_JOB_CHANGED, true);
        if tolerance_on {
            sim.flows.cost[Lever::FailureTolerance as usize] += cost_each;
        }
    }
}
