//! Entrepreneurship: an employed person founds a firm with the tier's `founding_rate` a month,
//! raised near incubators and by the failure-tolerance lever. The founder leaves the old job and
//! becomes the first worker of the new firm, which locates near the founder's workplace.
//!
//! The rate is per person. An agent stands for `agent_scale` households and a start-up is an
//! agent of m = round(agent_scale) identical start-ups (see `firm::multiplicity_for`), so an
//! agent founds with probability rate · agent_scale / m: the expected start-ups per person a
//! month equal the founding rate whatever the scale. The draws are taken in the job-search pass
//! (founders do not search), so that founders change jobs before residential choice looks at
//! who did.

use super::{commute_min, work_cell, Talent, Utility, FLAG_JOB_CHANGED};
use rayon::prelude::*;

use crate::agents::firm::{multiplicity_for, Firm, FirmTable, Origin};
use crate::agents::firm_entry::{self, EntryContext, Plan};
use crate::policy::{Ledger, Lever, Policy};
use crate::rng::{Purpose, Stream};

/// Who founds a firm this month. The draw comes first: a person whose draw is above the highest
/// possible rate (the largest incubator boost) is out without looking up the workplace.
pub struct FoundingOdds<'a> {
    util: &'a Utility<'a>,
    seed: u64,
    /// The lever's multiplier times the people an agent stands for over the firms a start-up
    /// agent stands for.
    mult: f64,
    max_boost: f64,
}

impl<'a> FoundingOdds<'a> {
    pub fn new(util: &'a Utility<'a>, seed: u64) -> FoundingOdds<'a> {
        let s = util.s;
        let m = multiplicity_for(s.firms.startup_size, s.agent_scale) as f64;
        let mult = util.policy.founding_multiplier(s) * s.agent_scale / m;
        let max_boost = util.policy.incubator_boost.iter().fold(0.0f32, |a, &b| a.max(b)) as f64;
        FoundingOdds { util, seed, mult, max_boost }
    }

    /// Whether the employed agent `t` founds a firm this month (the tier's founding rate, raised
    /// near incubators and by the failure-tolerance lever, for the people the agent stands for).
    #[inline]
    pub fn founds(&self, t: &Talent) -> bool {
        let util = self.util;
        let rate = util.s.talent.tiers[t.tier as usize].founding_rate;
        if rate <= 0.0 || !t.employed() {
            return false;
        }
        let u = Stream::new(self.seed, Purpose::Founding, t.id as u64, util.month).uniform();
        if u >= rate * self.mult * (1.0 + self.max_boost) {
            return false;
        }
        let Some(cell) = util.work_cell(t) else { return false };
        u < rate * self.mult * (1.0 + util.policy.incubator_boost[cell as usize] as f64)
    }
}

/// The founders (agent indices, in agent order, drawn by [`FoundingOdds`] in the job-search pass)
/// leave their jobs for new firms, which locate near their old workplace.
pub fn found_firms(
    agents: &mut [Talent],
    founders: &[u32],
    ctx: &EntryContext,
    policy: &Policy,
    firms: &mut FirmTable,
    ledger: &mut Ledger,
) {
    let s = ctx.s;
    let f = &s.firms;
    let ft = &s.talent.failure_tolerance;
    let tolerance_on = policy.active(ft.start_year, ft.end_year) && ft.founding_boost > 0.0;
    let cost_each = ft.cost_per_startup;
    let m = multiplicity_for(f.startup_size, s.agent_scale);
    // Each founder's firm is planned in parallel (a plan reads only month-wide fields and the
    // founder's own stream); firms are then added and founders moved in agent order.
    let plans: Vec<Option<(Firm, f32)>> = {
        let firm_cells = &firms.cells;
        founders
            .par_iter()
            .map(|&i| {
                let t = &agents[i as usize];
                let work = work_cell(t, firm_cells, &ctx.world.lab_cells)?;
                let plan = Plan {
                    sector: t.sector as usize,
                    origin: Origin::Startup,
                    near: Some((work, f.startup_radius_km)),
                    people: f.startup_size,
                    multiplicity: m,
                };
                let mut firm = firm_entry::plan(ctx, &plan, t.id as u64)?;
                // The founder fills one of the planned jobs.
                let tier = t.tier as usize;
                firm.vacancies[tier] = firm.vacancies[tier].saturating_sub(1);
                let commute = commute_min(s, ctx.world, ctx.month, t.home, Some(firm.cell)) as f32;
                Some((firm, commute))
            })
            .collect()
    };
    for (&i, plan) in founders.iter().zip(plans) {
        let Some((firm, commute)) = plan else { continue };
        let m = firm.multiplicity;
        let firm = firms.add(firm, ledger);
        let t = &mut agents[i as usize];
        t.employer = firm;
        t.commute = commute;
        t.set(FLAG_JOB_CHANGED, true);
        if tolerance_on {
            ledger.cost[Lever::FailureTolerance] += cost_each * m as f64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, household, Kit};

    /// Start-ups per person a month at `scale` people per agent, from many founding draws.
    fn startups_per_person(scale: f64) -> f64 {
        let mut kit = Kit::new();
        kit.s.agent_scale = scale;
        kit.s.talent.tiers[1].founding_rate = 0.01;
        let f = kit.firm(0, cell(2, 2));
        let agents: Vec<Talent> = (0..20_000)
            .map(|i| {
                let mut t = household(i, 1, cell(1, 1));
                t.employer = f;
                t
            })
            .collect();
        let m = multiplicity_for(kit.s.firms.startup_size, scale) as f64;
        let mut firms = 0.0;
        for month in 0..5 {
            kit.month = month;
            let util = kit.util();
            let odds = FoundingOdds::new(&util, 3);
            firms += agents.iter().filter(|t| odds.founds(t)).count() as f64 * m;
        }
        firms / (agents.len() as f64 * scale * 5.0)
    }

    #[test]
    fn the_founding_rate_is_per_person_whatever_the_agent_scale() {
        for scale in [1.0, 2.5, 10.0] {
            let rate = startups_per_person(scale);
            assert!((rate - 0.01).abs() < 0.0015, "{rate} start-ups per person a month at scale {scale}");
        }
    }
}
