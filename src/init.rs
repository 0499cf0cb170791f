//! The corridor at the start: firms sized from a Zipf law and placed on office land, labs from the
//! scenario, talent by tier with jobs filling firm and lab positions and homes chosen by the same
//! logit as later moves among sampled vacant units and the outside zones, children seated in
//! their home district as far as seats go and placed beyond them otherwise.

use rayon::prelude::*;

use crate::agents::expectations::Expectations;
use crate::agents::firm::{multiplicity_for, Firm, FirmTable, JobMix, Origin};
use crate::agents::firm_entry::Plan;
use crate::agents::housing::{initial_rents, stochastic_round, Housing, MARKET};
use crate::agents::lab::Lab;
use crate::agents::school::Schools;
use crate::agents::talent::residence::VacancySampler;
use crate::agents::talent::{
    self, arrivals, zone_home, Population, Talent, Tenure, Utility, FLAG_RESEARCHER, LAB_BIT, NO_JOB, OUTSIDE,
};
use crate::agents::{firm_entry, pick_weighted};
use crate::engine::{entry_view, household_view, Sim};
use crate::policy::{Ledger, Policy};
use crate::prices::Prices;
use crate::rng::{Purpose, Stream};
use crate::scenario::Scenario;
use crate::world::{Cell, Fields, World};

pub fn build(s: &Scenario, seed: u64) -> Sim {
    let world = World::build(s);
    let policy = Policy::new(s, &world);
    let housing = Housing::new(s, &world, seed);
    let prices =
        Prices::new(s.talent.tiers.iter().map(|t| t.wage).collect(), initial_rents(s, &world), s.housing.base_rent);
    let schools = Schools::new(s);
    let mut labs: Vec<Lab> = s.labs.sites.iter().map(|l| Lab::from_spec(s, &world, l, false)).collect();
    labs.extend(s.labs.new.iter().map(|l| Lab::from_spec(s, &world, l, true)));
    let share_sum: f64 = s.talent.tiers.iter().map(|t| t.share).sum();
    let n = world.cells();
    let initial_talent = (s.talent.initial / s.agent_scale).round();
    let mut sim = Sim {
        scenario: s.clone(),
        seed,
        month: 0,
        world,
        policy,
        prices,
        fields: Fields::new(n),
        talent: Population::default(),
        firms: FirmTable::default(),
        jobs: JobMix::new(s),
        labs,
        housing,
        schools,
        ledger: Ledger::new(s.talent.tiers.len(), s.sectors.len()),
        expectations: Expectations::new(initial_talent),
        accounts: crate::accounts::Accounts::default(),
    };
    let n_talent = initial_talent as usize;
    // Lab researchers at the start (people), so that firm jobs fill the rest.
    let researchers: f64 = sim.labs.iter().map(|l| l.desired_researchers(s, 0, 1.0)).sum();
    let jobs = n_talent as f64 * s.agent_scale * s.firms.initial_employment - researchers;
    build_firms(&mut sim, jobs.max(0.0));
    build_talent(&mut sim, n_talent, share_sum);
    sim.recount();
    sim.schools.assign_home(&mut sim.talent.agents, &sim.world);
    sim.recount();
    // Lab knowledge stocks at their steady state (firms' are set when they are planned).
    for l in &mut sim.labs {
        let out = l.expected_output(s, 0);
        l.knowledge = out * 12.0 / s.labs.knowledge_depreciation.max(0.01);
    }
    // The firms added at the start are no births of the first month.
    sim.ledger = Ledger::new(s.talent.tiers.len(), s.sectors.len());
    // Arrivals of the first month expect the commutes of the start.
    sim.expectations.observe_commutes(&sim.talent.agents, sim.world.zones.len());
    sim
}

/// The sector of each incumbent, `sizes` largest first: each goes to the sector furthest below
/// its `firm_share` of the jobs handed out so far, itself included (the lowest index on a tie).
/// Every sector then holds its share of the jobs of the largest k firms, for every k, within one
/// firm's size, and so of the firms where sizes are alike. Drawn at random instead, the sector of
/// the few largest firms would be a lottery (in the default corridor a 3.3 % sector drawing the
/// largest firm would need nearly three times the talent its `talent_share` gives it), and which
/// sectors hold the largest firms is part of the initial corridor, an input like the sizes.
pub(crate) fn sectors_by_share(sizes: &[f64], shares: &[f64]) -> Vec<usize> {
    let total: f64 = shares.iter().sum();
    let mut jobs = vec![0.0; shares.len()];
    let mut handed = 0.0;
    sizes
        .iter()
        .map(|&size| {
            handed += size;
            let below = |s: usize| shares[s] / total * handed - jobs[s];
            let sector = (0..shares.len()).fold(0, |best, s| if below(s) > below(best) { s } else { best });
            jobs[sector] += size;
            sector
        })
        .collect()
}

/// The incumbents: `firms.initial` sizes from a Pareto law (the largest at most
/// `initial_max_share` of the jobs), scaled to the jobs to fill, sectors by
/// [`sectors_by_share`]. Firms large enough to be their
/// own agent are; the others are grouped, by sector and in order of size, into agents of
/// round(agent_scale) firms of their mean size (see `firm::multiplicity_for`).
fn build_firms(sim: &mut Sim, jobs_people: f64) {
    let s = &sim.scenario;
    let f = &s.firms;
    let count = f.initial.round() as usize;
    if count == 0 {
        return;
    }
    let firm_shares: Vec<f64> = s.sectors.iter().map(|x| x.firm_share).collect();
    // The quantiles of the Pareto law (the initial distribution is an input: seeds differ by where
    // the firms are and what happens to them, not by the draw of the largest sizes).
    let mut sizes: Vec<f64> =
        (0..count).map(|i| f.min_size * ((i as f64 + 0.5) / count as f64).powf(-1.0 / f.size_exponent)).collect();
    let cap = (jobs_people * f.initial_max_share).max(f.min_size);
    sizes.iter_mut().for_each(|x| *x = x.min(cap));
    let total: f64 = sizes.iter().sum();
    let k = if total > 0.0 { jobs_people / total } else { 0.0 };
    let sectors = sectors_by_share(&sizes, &firm_shares);
    // (sector, people per firm, firms) of each agent.
    let mut agents: Vec<(usize, f64, u32)> = Vec::new();
    let mut small: Vec<(usize, f64)> = Vec::new();
    for (&size, &sector) in sizes.iter().zip(&sectors) {
        let people = size * k;
        if multiplicity_for(people, s.agent_scale) == 1 {
            agents.push((sector, people, 1));
        } else {
            small.push((sector, people));
        }
    }
    small.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let group = s.agent_scale.round().max(1.0) as usize;
    for chunk in small.chunk_by(|a, b| a.0 == b.0) {
        for g in chunk.chunks(group) {
            let mean = g.iter().map(|x| x.1).sum::<f64>() / g.len() as f64;
            agents.push((g[0].0, mean, g.len() as u32));
        }
    }
    // Planned in parallel (each firm has its own stream), added in order.
    let plans: Vec<Option<Firm>> = {
        let ctx = entry_view!(sim);
        agents
            .par_iter()
            .enumerate()
            .map(|(i, &(sector, people, multiplicity))| {
                let plan = Plan { sector, origin: Origin::Incumbent, near: None, people, multiplicity };
                firm_entry::plan(&ctx, &plan, i as u64)
            })
            .collect()
    };
    for mut firm in plans.into_iter().flatten() {
        firm.birth_month = 0;
        firm.vacancies = [0; crate::agents::MAX_TIERS];
        sim.firms.add(firm, &mut sim.ledger);
    }
}

fn build_talent(sim: &mut Sim, n: usize, share_sum: f64) {
    let s = &sim.scenario;
    let tiers = s.talent.tiers.len();
    let sectors = s.sectors.len();
    let talent_shares: Vec<f64> = s.sectors.iter().map(|x| x.talent_share).collect();
    // Job positions by bucket (tier, sector) for firms, (tier, research) for labs.
    let bucket = |tier: usize, sector: usize| tier * (sectors + 1) + sector;
    let mut slots: Vec<Vec<u32>> = vec![Vec::new(); tiers * (sectors + 1)];
    for firm in &sim.firms.records {
        for t in 0..tiers {
            let want = (firm.desired * sim.jobs.tier_mix[t] + firm.offsets[t] as f64).floor() as u32;
            for _ in 0..want {
                slots[bucket(t, firm.sector as usize)].push(firm.id);
            }
        }
    }
    let weights: Vec<f64> = s.talent.tiers.iter().map(|t| t.share * t.research_share).collect();
    let wsum: f64 = weights.iter().sum::<f64>().max(1e-12);
    let mut rng = Stream::new(sim.seed, Purpose::InitTalent, 0, 0);
    for (li, lab) in sim.labs.iter().enumerate() {
        let agents = lab.desired_researchers(s, 0, 1.0) / s.agent_scale;
        for t in 0..tiers {
            let want = stochastic_round(agents * weights[t] / wsum, &mut rng);
            for _ in 0..want {
                slots[bucket(t, sectors)].push(LAB_BIT | li as u32);
            }
        }
    }
    for b in slots.iter_mut() {
        for i in (1..b.len()).rev() {
            let j = rng.below(i + 1);
            b.swap(i, j);
        }
    }
    let ts = &s.talent;
    let retire = s.talent.retirement_age - 1.0;
    let age_min = s.talent.arrival.age_min;
    let mut cum = 0.0;
    let cum_shares: Vec<f64> = s
        .talent
        .tiers
        .iter()
        .map(|t| {
            cum += t.share / share_sum;
            cum
        })
        .collect();
    for i in 0..n {
        let mut tr = Stream::new(sim.seed, Purpose::InitTalent, i as u64 + 1, 0);
        let pos = (i as f64 + 0.5) / n as f64;
        let tier = cum_shares.iter().position(|&c| pos < c).unwrap_or(tiers - 1);
        let sector = pick_weighted(&talent_shares, tr.uniform());
        let age = age_min + (retire - age_min) * tr.uniform();
        let child = arrivals::child_age(s, age, &mut tr);
        let researcher = tr.chance(s.talent.tiers[tier].research_share);
        let b = if researcher { bucket(tier, sectors) } else { bucket(tier, sector) };
        let employer = slots[b]
            .pop()
            .or_else(|| if researcher { slots[bucket(tier, sector)].pop() } else { None })
            .unwrap_or(NO_JOB);
        sim.talent.agents.push(Talent {
            id: i as u32,
            commute: -1.0,
            home: OUTSIDE,
            employer,
            age_months: (age * crate::prices::MONTHS_PER_YEAR) as u16,
            child_age_months: child,
            months_unemployed: 0,
            months_in_corridor: (ts.initial_months_min + (ts.initial_months_max - ts.initial_months_min) * tr.uniform())
                as u16,
            waitlist_since: 0,
            tier: tier as u8,
            sector: sector as u8,
            tenure: Tenure::Outside,
            flags: if researcher { FLAG_RESEARCHER } else { 0 },
            seat_district: -1,
            seat_level: 0,
        });
    }
    sim.talent.next_id = n as u32;
    sim.recount();
    // Homes: each household picks the best of k sampled vacant units and the outside zones by the
    // residential logit, in agent order, units filling as they go (the sampler is rebuilt in
    // `SAMPLER_ROUNDS` rounds, a computational setting).
    const SAMPLER_ROUNDS: usize = 20;
    let rebuild = (n / SAMPLER_ROUNDS).max(1);
    let seed = sim.seed;
    let seed_of = |i: usize| Stream::new(seed, Purpose::Init, i as u64 + 10, 1);
    let util = household_view!(sim);
    let agents = &mut sim.talent.agents;
    let housing = &mut sim.housing;
    let residents = &mut sim.fields.residents;
    for start in (0..n).step_by(rebuild) {
        let round = start..(start + rebuild).min(n);
        let sampler = VacancySampler::new(housing, MARKET);
        // Each household's choice, computed in parallel as if every sampled unit were still
        // vacant when its turn comes; it stands whenever that is so, and is redone otherwise.
        // On one thread the choices are made in turn directly (the same result).
        let k = util.s.talent.home_candidates as usize;
        let mut sampled = vec![OUTSIDE; round.len() * k];
        let speculate = rayon::current_num_threads() > 1;
        let guesses: Vec<Home> = if !speculate {
            vec![Home::Zone(0); round.len()]
        } else {
            let agents: &[Talent] = agents;
            sampled
                .par_chunks_mut(k.max(1))
                .zip(round.clone().into_par_iter())
                .with_min_len(256)
                .map(|(cells, i)| choose_first_home(&util, &agents[i], seed_of(i), &sampler, cells, |_| true))
                .collect()
        };
        for ((i, guess), cells) in round.zip(guesses).zip(sampled.chunks_mut(k.max(1))) {
            let stands =
                speculate && cells.iter().all(|&c| !talent::in_corridor(c) || housing.vacant(MARKET, c as usize) > 0);
            let home = if stands {
                guess
            } else {
                choose_first_home(&util, &agents[i], seed_of(i), &sampler, cells, |c| {
                    housing.vacant(MARKET, c as usize) > 0
                })
            };
            let t = &mut agents[i];
            match home {
                Home::Unit(c, owner) => {
                    t.home = c;
                    t.tenure = if owner { Tenure::Owner } else { Tenure::Market };
                    housing.occupied[MARKET][c as usize] += 1;
                    residents[c as usize] += 1;
                }
                Home::Zone(z) => {
                    t.home = zone_home(z);
                    t.tenure = Tenure::Outside;
                }
            }
        }
    }
    talent::refresh_commutes(agents, &util);
}

/// Where a household lives at the start: a market unit (owned or rented) or an outside zone.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Home {
    Unit(Cell, bool),
    Zone(usize),
}

/// A household samples k market units (recorded in `sampled`, unused slots left as OUTSIDE) with
/// its stream `tr` and takes the best by the residential logit among those that `vacant` says are
/// free (a sampled unit that is not free gets no taste draw) and the outside zones. A household
/// housed in the corridor owns with probability `initial_owner_share`.
fn choose_first_home(
    util: &Utility,
    t: &Talent,
    mut tr: Stream,
    sampler: &VacancySampler,
    sampled: &mut [Cell],
    vacant: impl Fn(Cell) -> bool,
) -> Home {
    let s = util.s;
    let work = util.work_cell(t);
    let taste = s.talent.utility.taste_scale;
    let mut best: Option<(f64, Home)> = None;
    for slot in sampled.iter_mut().take(s.talent.home_candidates as usize) {
        let Some(c) = sampler.sample(&mut tr) else { break };
        *slot = c;
        if !vacant(c) {
            continue;
        }
        let u = util.of(t, c, Tenure::Market, work) + taste * tr.gumbel();
        if best.is_none_or(|b| u > b.0) {
            best = Some((u, Home::Unit(c, false)));
        }
    }
    for z in 0..util.world.zones.len() {
        let u = util.of(t, zone_home(z), Tenure::Outside, work) + taste * tr.gumbel();
        if best.is_none_or(|b| u > b.0) {
            best = Some((u, Home::Zone(z)));
        }
    }
    match best {
        Some((_, Home::Unit(c, _))) => Home::Unit(c, tr.chance(s.talent.initial_owner_share)),
        Some((_, home)) => home,
        None => Home::Zone(0),
    }
}

#[cfg(test)]
mod tests {
    use super::sectors_by_share;

    #[test]
    fn every_sector_holds_its_share_of_the_largest_firms_jobs_within_one_firm() {
        // A Zipf law's quantiles, largest first, over the default's four sector shares.
        let n = 5000;
        let sizes: Vec<f64> = (0..n).map(|i| 5.0 * ((i as f64 + 0.5) / n as f64).powf(-1.0 / 1.05)).collect();
        let shares = [0.877, 0.033, 0.022, 0.068];
        let sectors = sectors_by_share(&sizes, &shares);
        assert_eq!(sectors[0], 0, "the largest firm goes to the largest sector");
        let (mut jobs, mut firms) = ([0.0; 4], [0usize; 4]);
        let mut handed = 0.0;
        for (k, (&size, &s)) in sizes.iter().zip(&sectors).enumerate() {
            jobs[s] += size;
            firms[s] += 1;
            handed += size;
            for (j, share) in shares.iter().enumerate() {
                let gap = (jobs[j] - share * handed).abs();
                assert!(gap <= sizes[0] + 1e-9, "after {} firms sector {j}: {} jobs of {handed}", k + 1, jobs[j]);
            }
        }
        // Sizes are alike below the top, so the firm counts follow the shares too.
        for (j, share) in shares.iter().enumerate() {
            let got = firms[j] as f64 / n as f64;
            assert!((got - share).abs() < 0.2 * share, "sector {j}: {got} of the firms");
        }
    }

    #[test]
    fn a_sector_with_no_share_gets_no_firm_and_shares_need_not_sum_to_one() {
        let sizes = [900.0, 400.0, 100.0, 50.0, 50.0, 20.0, 10.0, 10.0];
        let sectors = sectors_by_share(&sizes, &[2.0, 0.0, 2.0]);
        assert!(sectors.iter().all(|&s| s != 1), "{sectors:?}");
        assert_eq!(sectors[..2], [0, 2]);
    }
}
