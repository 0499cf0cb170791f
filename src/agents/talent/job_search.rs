//! Job search. Layoffs first; then the unemployed, and the employed with probability
//! `on_job_search`, sample k vacancies of their tier and sector skill (researchers mostly from labs)
//! and rank them by wage minus the value of commuting time from their home. Proposals are made in
//! parallel; vacancies are then filled one by one in agent order.

use rayon::prelude::*;

use super::{Talent, Utility, FLAG_JOB_CHANGED, FLAG_RESEARCHER, LAB_BIT, NO_JOB};
use crate::engine::Sim;
use crate::rng::{Purpose, Stream};

/// A vacancy slot: one job at an employer.
#[derive(Clone, Copy, Debug)]
struct Slot {
    employer: u32,
    cell: u32,
    premium: f32,
}

/// Monthly cost of commuting as money: value_of_time x hourly wage x hours commuted.
#[inline]
pub fn commute_cost(s: &crate::scenario::Scenario, wage: f64, commute_min: f64) -> f64 {
    // hourly wage = wage / (days * 8); hours = 2 * commute / 60 * days.
    s.talent.value_of_time * wage * commute_min / 240.0
}

pub fn run(sim: &mut Sim) {
    layoffs(sim);
    let tiers = sim.tiers();
    let sectors = sim.sectors();
    // Counts for the wage index, then refresh wages of the employed.
    let seekers = crate::engine::par_count(&sim.talent, tiers, |t, acc| {
        if !t.employed() {
            acc[t.tier as usize] += 1;
        }
    });
    let mut vacancies = vec![0u32; tiers];
    for f in sim.firms.iter().filter(|f| f.alive) {
        for t in 0..tiers {
            vacancies[t] += f.vacancies[t];
        }
    }
    for l in &sim.labs {
        for t in 0..tiers {
            vacancies[t] += l.vacancies[t];
        }
    }
    sim.labour.seekers = seekers;
    sim.labour.vacancies = vacancies;
    sim.labour.update_wages(sim.scenario.talent.wage_adjustment);
    refresh_wages(sim);

    // Vacancy slots by bucket: (tier, sector) for firms, (tier, research) for labs.
    let nb = tiers * (sectors + 1);
    let bucket = |tier: usize, sector: usize| tier * (sectors + 1) + sector;
    let mut slots: Vec<Vec<Slot>> = vec![Vec::new(); nb];
    for f in sim.firms.iter().filter(|f| f.alive) {
        for t in 0..tiers {
            for _ in 0..f.vacancies[t] {
                slots[bucket(t, f.sector as usize)].push(Slot { employer: f.id, cell: f.cell, premium: f.wage_premium });
            }
        }
    }
    for (i, l) in sim.labs.iter().enumerate() {
        for t in 0..tiers {
            for _ in 0..l.vacancies[t] {
                slots[bucket(t, sectors)].push(Slot { employer: LAB_BIT | i as u32, cell: l.cell, premium: 1.0 });
            }
        }
    }
    if slots.iter().all(Vec::is_empty) {
        for t in sim.talent.iter_mut().filter(|t| !t.employed()) {
            t.months_unemployed = t.months_unemployed.saturating_add(1);
        }
        return;
    }

    let s = &sim.scenario;
    let k = s.talent.job_candidates as usize;
    let seed = sim.seed;
    let month = sim.month;
    let util = Utility { sim };
    let wage_index = &sim.labour.wage;
    // Proposals: (agent index, ranked candidates as (slot bucket, slot index, score)).
    let proposals: Vec<(usize, Vec<(u32, u32, f32)>)> = sim
        .talent
        .par_iter()
        .enumerate()
        .with_min_len(1024)
        .filter_map(|(i, t)| {
            let mut rng = Stream::new(seed, Purpose::JobSearch, t.id as u64, month);
            let searching = !t.employed() || rng.chance(s.talent.on_job_search);
            if !searching {
                return None;
            }
            let tier = t.tier as usize;
            let research = t.has(FLAG_RESEARCHER) && rng.chance(0.7);
            let mut b = if research { bucket(tier, sectors) } else { bucket(tier, t.sector as usize) };
            if slots[b].is_empty() && !t.employed() && t.months_unemployed >= 2 {
                // Long spells widen the search to any sector of the tier.
                b = bucket(tier, rng.below(sectors + 1));
            }
            let pool = &slots[b];
            if pool.is_empty() {
                return None;
            }
            let current = if t.employed() {
                t.wage as f64 - commute_cost(s, t.wage as f64, util.commute(t.home, util.work_cell(t)))
            } else {
                f64::NEG_INFINITY
            };
            let mut cands: Vec<(u32, u32, f32)> = Vec::with_capacity(k);
            for _ in 0..k {
                let j = rng.below(pool.len());
                let slot = pool[j];
                if t.employed() && slot.employer == t.employer {
                    continue;
                }
                let wage = wage_index[tier] * slot.premium as f64;
                let commute = util.commute(t.home, Some(slot.cell));
                let score = wage - commute_cost(s, wage, commute);
                // On-the-job search needs a 5 % gain to switch.
                if score > current * 1.05 {
                    cands.push((b as u32, j as u32, score as f32));
                }
            }
            if cands.is_empty() {
                return None;
            }
            cands.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
            Some((i, cands))
        })
        .collect();

    // Resolution in agent order: take the best candidate whose employer still has the vacancy.
    let mut hired = vec![false; sim.talent.len()];
    for (i, cands) in proposals {
        let tier = sim.talent[i].tier as usize;
        for (b, j, _) in cands {
            let slot = slots[b as usize][j as usize];
            let open = if slot.employer & LAB_BIT != 0 {
                &mut sim.labs[(slot.employer & !LAB_BIT) as usize].vacancies[tier]
            } else {
                &mut sim.firms[slot.employer as usize].vacancies[tier]
            };
            if *open == 0 {
                continue;
            }
            *open -= 1;
            let commute = Utility { sim }.commute(sim.talent[i].home, Some(slot.cell)) as f32;
            let t = &mut sim.talent[i];
            t.employer = slot.employer;
            t.commute = commute;
            t.wage = (sim.labour.wage[tier] * slot.premium as f64) as f32;
            t.months_unemployed = 0;
            t.set(FLAG_JOB_CHANGED, true);
            hired[i] = true;
            sim.flows.job_changes += 1;
            break;
        }
    }
    sim.talent.par_iter_mut().zip(hired.par_iter()).with_min_len(8192).for_each(|(t, &h)| {
        if !t.employed() && !h {
            t.months_unemployed = t.months_unemployed.saturating_add(1);
        }
    });
}

/// Workers of firms that shrink or exit, and of labs over budget, lose their jobs (in agent order).
fn layoffs(sim: &mut Sim) {
    let any = sim.firms.iter().any(|f| f.layoffs.iter().any(|&x| x > 0)) || sim.labs.iter().any(|l| l.layoffs.iter().any(|&x| x > 0));
    if !any {
        return;
    }
    // Candidates (workers of employers with layoffs) in parallel, then in agent order.
    let candidates: Vec<usize> = {
        let (firms, labs) = (&sim.firms, &sim.labs);
        sim.talent
            .par_iter()
            .enumerate()
            .with_min_len(8192)
            .filter(|(_, t)| {
                t.employer != NO_JOB
                    && if t.employer & LAB_BIT != 0 {
                        labs[(t.employer & !LAB_BIT) as usize].layoffs[t.tier as usize] > 0
                    } else {
                        firms[t.employer as usize].layoffs[t.tier as usize] > 0
                    }
            })
            .map(|(i, _)| i)
            .collect()
    };
    for i in candidates {
        let commute = Utility { sim }.commute(sim.talent[i].home, None) as f32;
        let t = &mut sim.talent[i];
        let tier = t.tier as usize;
        let pending = if t.employer & LAB_BIT != 0 {
            &mut sim.labs[(t.employer & !LAB_BIT) as usize].layoffs[tier]
        } else {
            &mut sim.firms[t.employer as usize].layoffs[tier]
        };
        if *pending > 0 {
            *pending -= 1;
            t.employer = NO_JOB;
            t.commute = commute;
            t.months_unemployed = 0;
        }
    }
}

/// Wages of the employed follow the tier index times their employer's premium.
fn refresh_wages(sim: &mut Sim) {
    let wage = &sim.labour.wage;
    let firms = &sim.firms;
    sim.talent.par_iter_mut().with_min_len(4096).for_each(|t: &mut Talent| {
        t.set(FLAG_JOB_CHANGED, false);
        if t.employer == NO_JOB {
            return;
        }
        let premium = if t.employer & LAB_BIT != 0 { 1.0 } else { firms[t.employer as usize].wage_premium as f64 };
        t.wage = (wage[t.tier as usize] * premium) as f32;
    });
}
