//! Leaving the corridor: p_exit = p_base + (p_max - p_base) * logistic(alpha * (U_outside -
//! U_current - threshold)), and always at retirement age or after `max_unemployed_months` without
//! a job.
//! With p_max = 1 and threshold = 0 this is MODEL.md's formula; the two extra parameters keep
//! monthly exit rates in the range observed for mobile talent when utilities are close.

use rayon::prelude::*;

use super::{logistic, Utility, OUTSIDE};
use crate::engine::Sim;
use crate::rng::{Purpose, Stream};

pub fn run(sim: &mut Sim) {
    let seed = sim.seed;
    let month = sim.month;
    let leaves: Vec<bool> = {
        let sim_ref: &Sim = sim;
        let s = &sim_ref.scenario.talent;
        let util = Utility { sim: sim_ref };
        let retire = (s.retirement_age * 12.0) as u16;
        let outside: Vec<[f64; 2]> =
            (0..sim_ref.tiers()).map(|t| [util.outside(t, false), util.outside(t, true)]).collect();
        sim_ref
            .talent
            .par_iter()
            .with_min_len(2048)
            .map(|t| {
                if t.age_months >= retire || t.months_unemployed as u32 >= s.max_unemployed_months {
                    return true;
                }
                // The draw comes first: p never exceeds max(p_base, p_max), so above that bound the
                // utility need not be computed (the decision is the same).
                let u = Stream::new(seed, Purpose::Leaving, t.id as u64, month).uniform();
                if u >= s.exit.p_base.max(s.exit.p_max) {
                    return false;
                }
                let u_out = outside[t.tier as usize][t.has_child() as usize];
                let gap = u_out - util.current(t) - s.exit.threshold;
                let p = s.exit.p_base + (s.exit.p_max - s.exit.p_base).max(0.0) * logistic(s.exit.alpha * gap);
                u < p
            })
            .collect()
    };
    let mut i = 0;
    let flows = &mut sim.flows;
    let housing = &mut sim.housing;
    let residents = &mut sim.residents;
    sim.talent.retain(|t| {
        let go = leaves[i];
        i += 1;
        if go {
            flows.departures[t.tier as usize] += 1;
            if t.has_child() {
                flows.family_departures += 1;
            }
            if t.home != OUTSIDE {
                if let Some(stock) = t.tenure.stock() {
                    let o = &mut housing.occupied[stock][t.home as usize];
                    *o = o.saturating_sub(1);
                }
                residents[t.home as usize] = residents[t.home as usize].saturating_sub(1);
            }
        }
        !go
    });
}
