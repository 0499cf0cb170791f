//! Entrepreneurship: an employed person founds a firm with the tier's `founding_rate`, raised near
//! incubators and by the failure-tolerance lever. The founder leaves the old job and becomes the
//! first worker of the new firm, which locates near the founder's workplace. The draws are taken
//! in the life-course pass over the households (nothing in between changes jobs).

use super::{commute_min, work_cell, Talent, Utility, FLAG_JOB_CHANGED};
use rayon::prelude::*;

use crate::agents::firm::{Firm, FirmTable, Origin};
use crate::agents::firm_entry::{self, EntryContext};
use crate::policy::{Ledger, Lever, Policy};
use crate::rng::{Purpose, Stream};

/// Who founds a firm this month. The draw comes first: a person whose draw is above the highest
/// possible rate (the largest incubator boost) is out without looking up the workplace.
pub struct FoundingOdds<'a> {
    util: &'a Utility<'a>,
    seed: u64,
    mult: f64,
    max_boost: f64,
}

impl<'a> FoundingOdds<'a> {
    pub fn new(util: &'a Utility<'a>, seed: u64) -> FoundingOdds<'a> {
        let mult = util.policy.founding_multiplier(util.s);
        let max_boost = util.policy.incubator_boost.iter().fold(0.0f32, |a, &b| a.max(b)) as f64;
        FoundingOdds { util, seed, mult, max_boost }
    }

    /// Whether the employed person `t` founds a firm this month (the tier's founding rate, raised
    /// near incubators and by the failure-tolerance lever).
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

/// The founders (agent indices, in agent order, drawn by [`FoundingOdds`] in the life-course pass)
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
    let ft = &s.talent.failure_tolerance;
    let tolerance_on = policy.active(ft.start_year, ft.end_year) && ft.founding_boost > 0.0;
    let cost_each = ft.cost_per_startup;
    // Each founder's firm is planned in parallel (a plan reads only month-wide fields and the
    // founder's own stream); firms are then added and founders moved in agent order.
    let plans: Vec<Option<(Firm, f32)>> = {
        let firm_cells = &firms.cells;
        founders
            .par_iter()
            .map(|&i| {
                let t = &agents[i as usize];
                let work = work_cell(t, firm_cells, &ctx.world.lab_cells)?;
                let people = s.agent_scale;
                let firm = firm_entry::plan(
                    ctx,
                    t.sector as usize,
                    Origin::Startup,
                    Some((work, 3.0)),
                    people * 3.0,
                    t.id as u64,
                )?;
                let commute = commute_min(s, ctx.world, ctx.month, t.home, Some(firm.cell)) as f32;
                Some((firm, commute))
            })
            .collect()
    };
    for (&i, plan) in founders.iter().zip(plans) {
        let Some((firm, commute)) = plan else { continue };
        let firm = firms.add(firm, ledger);
        let t = &mut agents[i as usize];
        t.employer = firm;
        t.commute = commute;
        t.set(FLAG_JOB_CHANGED, true);
        if tolerance_on {
            ledger.cost[Lever::FailureTolerance] += cost_each;
        }
    }
}
