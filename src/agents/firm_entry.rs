//! Firm entry and the firm-side levers: spin-offs from lab patents, relocations into the corridor
//! drawn by subsidies and the talent pool, start-ups (called from entrepreneurship), challenge
//! grants. A new firm picks a cell by logit on office rent, spillover and access to talent.
//!
//! Entry counts real firms: a birth of a firm too small to be its own agent (see
//! [`multiplicity_for`]) becomes, with probability 1 / m, an agent of m such firms, so that the
//! expected number of firms born does not depend on `agent_scale`.

use crate::agents::expectations::Expectations;
use crate::agents::firm::{agglomeration, multiplicity_for, unit_cost, Firm, FirmTable, JobMix, Origin};
use crate::agents::lab::Lab;
use crate::agents::MAX_TIERS;
use crate::policy::{Ledger, Lever, Policy};
use crate::prices::Prices;
use crate::rng::{Purpose, Stream};
use crate::scenario::Scenario;
use crate::world::{Cell, Fields, World};

/// What a new firm reads when it plans its location and size: month-wide fields only, so that
/// many firms can be planned in parallel.
#[derive(Clone, Copy)]
pub struct EntryContext<'a> {
    pub s: &'a Scenario,
    pub seed: u64,
    pub month: u32,
    pub world: &'a World,
    pub prices: &'a Prices,
    /// Job density, spillover and residents per cell.
    pub fields: &'a Fields,
    pub jobs: &'a JobMix,
}

/// What draws firms from outside into the corridor this month.
pub struct Pull<'a> {
    pub policy: &'a Policy,
    /// Talent agents in the corridor now.
    pub talent: usize,
    pub expectations: &'a Expectations,
}

/// What a new firm is: its sector and origin, where it may locate (a cell and a radius in km, or
/// anywhere by office land), its size in people per firm and how many identical firms it stands
/// for.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub sector: usize,
    pub origin: Origin,
    pub near: Option<(Cell, f64)>,
    pub people: f64,
    pub multiplicity: u32,
}

/// Whether a birth of one real firm of `people` becomes an agent this time (with probability
/// 1 / m for agents of m firms), and the multiplicity if so.
fn thinned(people: f64, scale: f64, u: f64) -> Option<u32> {
    let m = multiplicity_for(people, scale);
    (u * (m as f64) < 1.0).then_some(m)
}

/// Spin-offs of the month's lab patents and relocations from outside, in a fixed order.
pub fn enter(
    spinoffs: &[u32],
    labs: &[Lab],
    ctx: &EntryContext,
    pull: Pull,
    firms: &mut FirmTable,
    ledger: &mut Ledger,
) {
    let s = ctx.s;
    let f = &s.firms;
    for (k, &lab) in spinoffs.iter().enumerate() {
        let l = &labs[lab as usize];
        let key = (1u64 << 40) | ((lab as u64) << 20) | k as u64;
        let u = Stream::new(ctx.seed, Purpose::FirmEntry, key, ctx.month).uniform();
        let Some(m) = thinned(f.spinoff_size, s.agent_scale, u) else { continue };
        let plan = Plan {
            sector: l.sector as usize,
            origin: Origin::Spinoff,
            near: Some((l.cell, f.spinoff_radius_km)),
            people: f.spinoff_size,
            multiplicity: m,
        };
        if let Some(mut firm) = self::plan(ctx, &plan, key) {
            // It carries the lab's patent.
            firm.patent_stock += 1.0;
            firms.add(firm, ledger);
        }
    }
    // Relocations by sector. The R&D subsidy draws a firm by the rise of the R&D it would do in
    // the corridor (the kinked user cost: nothing above the cap), where it is paid to its sector,
    // weighted by office land: potential relocations at the largest pull, each kept with its own
    // pull over the largest.
    let talent_ratio =
        (pull.talent as f64 / pull.expectations.initial_talent.max(1.0)).max(0.0).powf(f.relocation_talent_elasticity);
    let land = subsidised_land(s, ctx.world, pull.policy);
    let mut rng = Stream::new(ctx.seed, Purpose::FirmEntry, 0, ctx.month);
    let share_sum: f64 = s.sectors.iter().map(|x| x.firm_share).sum::<f64>().max(1e-12);
    let jobs = ctx.jobs;
    let unit = unit_cost(&ctx.prices.wage, &jobs.tier_mix, &jobs.tier_productivity, 1.0, f.office_rent_per_worker);
    let rd_price = ctx.prices.research.price;
    let mut k = 0u64;
    for (sector, spec) in s.sectors.iter().enumerate() {
        let (share, rate) = land[sector];
        let rho = spec.rd_intensity;
        let uncapped = crate::agents::firm::rd_choice(1.0, rho, rate, f64::INFINITY, rd_price, f)
            / crate::agents::firm::rd_choice(1.0, rho, 0.0, 0.0, rd_price, f).max(1e-12);
        let max_pull = share * uncapped + (1.0 - share);
        let n = rng.poisson(f.relocation_rate * spec.firm_share / share_sum * max_pull * talent_ratio);
        for _ in 0..n {
            // Relocating firms are established: Pareto sizes.
            let people = rng.pareto(f.relocation_min_size, f.size_exponent).min(f.relocation_max_size);
            let key = (2u64 << 40) | ((ctx.month as u64) << 20) | k;
            k += 1;
            let y = unit * people * jobs.efficiency_per_person() / f.alpha;
            let base = crate::agents::firm::rd_choice(y, rho, 0.0, 0.0, rd_price, f).max(1e-12);
            let pull = share * crate::agents::firm::rd_choice(y, rho, rate, pull.policy.rd_cap(s), rd_price, f) / base
                + (1.0 - share);
            let kept = rng.uniform() * max_pull < pull;
            let thin = rng.uniform();
            let Some(m) = thinned(people, s.agent_scale, thin).filter(|_| kept) else { continue };
            let plan = Plan { sector, origin: Origin::Relocated, near: None, people, multiplicity: m };
            if let Some(firm) = self::plan(ctx, &plan, key) {
                firms.add(firm, ledger);
            }
        }
    }
}

/// For each sector, the share of the office land where the R&D subsidy is paid to it, and the
/// rate paid there (0 where it is paid nowhere).
pub fn subsidised_land(s: &Scenario, world: &World, policy: &Policy) -> Vec<(f64, f64)> {
    (0..s.sectors.len())
        .map(|sector| {
            let (mut paid, mut land, mut rate) = (0.0, 0.0, 0.0f64);
            for (c, &cap) in world.office_capacity.iter().enumerate() {
                if cap > 0.0 {
                    let r = policy.rd_rate(s, sector, world.district[c]);
                    land += cap as f64;
                    if r > 0.0 {
                        paid += cap as f64;
                        rate = rate.max(r);
                    }
                }
            }
            (if land > 0.0 { paid / land } else { 0.0 }, rate)
        })
        .collect()
}

/// A new firm as planned; None when no cell has office land. It depends only on month-wide
/// fields and its own stream (keyed by `key`), so many can be planned in parallel;
/// [`FirmTable::add`] adds it and sets its `id`. It is sized for `people` per firm at today's
/// prices and posts the vacancies of that size; established firms (all but start-ups) hold the
/// knowledge and patent stocks of their size's steady state.
pub fn plan(ctx: &EntryContext, plan: &Plan, key: u64) -> Option<Firm> {
    let mut rng = Stream::new(ctx.seed, Purpose::FirmLocation, key, ctx.month);
    let cell = choose_cell(ctx, plan.sector, plan.near, &mut rng)?;
    let s = ctx.s;
    let f = &s.firms;
    let mut offsets = [0f32; MAX_TIERS];
    for o in offsets.iter_mut() {
        *o = rng.uniform() as f32;
    }
    let premium = (f.wage_premium_sd * rng.normal().clamp(-3.0, 3.0)).exp() as f32;
    let m = plan.multiplicity.max(1);
    let mut firm = Firm {
        id: u32::MAX,
        sector: plan.sector as u8,
        origin: plan.origin,
        alive: true,
        cell,
        birth_month: ctx.month,
        death_month: u32::MAX,
        multiplicity: m,
        workers: [0; MAX_TIERS],
        vacancies: [0; MAX_TIERS],
        layoffs: [0; MAX_TIERS],
        offsets,
        desired: 0.0,
        productivity: 1.0,
        belief_gap: 0.0,
        knowledge: 0.0,
        patent_stock: 0.0,
        wage_premium: premium,
        cash: 0.0,
        loss_months: 0,
        empty_months: 0,
        cap_months: 0,
        longest_cap_months: 0,
        subsidy_ytd: 0.0,
        patents_ytd: 0,
        output: 0.0,
        rd: 0.0,
        subsidy: 0.0,
        patents: 0,
    };
    let eff = plan.people * ctx.jobs.efficiency_per_person();
    let a = productivity_for(ctx, &firm, eff);
    // Entry productivity is uncertain (Jovanovic 1982): lognormal around the level of the planned
    // size, with the mean of the size it implies (size ~ A^(1/(1-alpha))) equal to the plan.
    // Incumbents and relocating firms are established at their size. The draw is truncated at
    // 3 sd.
    let sd = if plan.origin.is_new_firm() { f.entry_productivity_sd } else { 0.0 };
    let k = 1.0 / (1.0 - f.alpha);
    let z = rng.normal().clamp(-3.0, 3.0);
    firm.productivity = a * (sd * z - 0.5 * k * sd * sd).exp();
    if f.learning_half_months > 0.0 {
        // It does not know its draw yet: it believes the prior mean (crate::agents::firm::Learning).
        firm.belief_gap = -sd * z;
    }
    let person = m as f64 / s.agent_scale;
    firm.desired = plan.people * person;
    let wage = &ctx.prices.wage;
    let jobs = ctx.jobs;
    let wage_bill: f64 = jobs.tier_mix.iter().zip(wage).map(|(m, w)| m * w).sum::<f64>() * plan.people * premium as f64;
    let office = plan.people * f.office_rent_per_worker * ctx.prices.rent_index[cell as usize] as f64;
    firm.cash = f.start_cash_months * (wage_bill + office + f.fixed_cost);
    if plan.origin != Origin::Startup {
        // Established: knowledge and patents at the steady state of today's R&D at this size.
        let sector = &s.sectors[plan.sector];
        let y =
            a * sector.productivity * eff.max(1.0).powf(f.alpha) * agglomeration(ctx.fields.density[cell as usize], f);
        let delta = f.rd_depreciation.max(0.01);
        firm.knowledge = sector.rd_intensity.min(f.max_rd_intensity) * y * 12.0 / delta;
        let (lambda, _) = crate::agents::firm::innovation_rate(f, eff, firm.knowledge, 0.0, 0.0);
        firm.patent_stock = lambda * 12.0 / delta;
    }
    // The planned size is posted at once (the hiring limit applies from the next month on).
    for (t, &mix) in jobs.tier_mix.iter().enumerate() {
        firm.vacancies[t] = (firm.desired * mix + firm.offsets[t] as f64).floor().max(0.0) as u32;
    }
    Some(firm)
}

/// A such that `eff` efficiency units is the firm's profit-maximising size at today's prices.
pub fn productivity_for(ctx: &EntryContext, firm: &Firm, eff: f64) -> f64 {
    let s = ctx.s;
    let f = &s.firms;
    let office = f.office_rent_per_worker * ctx.prices.rent_index[firm.cell as usize] as f64;
    let jobs = ctx.jobs;
    let c = unit_cost(&ctx.prices.wage, &jobs.tier_mix, &jobs.tier_productivity, firm.wage_premium as f64, office);
    let agg = agglomeration(ctx.fields.density[firm.cell as usize], f);
    c * eff.max(1.0).powf(1.0 - f.alpha) / (f.alpha * agg * s.sectors[firm.sector as usize].productivity)
}

/// The location logit of a new firm of `sector`: k cells sampled near its origin or by office
/// land, the best of -w_rent ln(rent index) + w_spill (rho_s / mean rho) ln(1 + S)
/// + w_talent ln(1 + resident talent / talent_scale) - w_crowd jobs / office land + Gumbel.
fn choose_cell(ctx: &EntryContext, sector: usize, near: Option<(Cell, f64)>, rng: &mut Stream) -> Option<Cell> {
    let w = ctx.world;
    let fields = ctx.fields;
    let s = ctx.s;
    let k = s.firms.location_candidates as usize;
    let lw = &s.firms.location;
    let scale = s.agent_scale;
    let km2 = w.cell_km * w.cell_km;
    // R&D-intensive sectors weigh spillovers more (Audretsch & Feldman 1996).
    let share_sum: f64 = s.sectors.iter().map(|x| x.firm_share).sum::<f64>().max(1e-12);
    let mean_rho: f64 = s.sectors.iter().map(|x| x.firm_share * x.rd_intensity).sum::<f64>() / share_sum;
    let spill_w = lw.spillover * s.sectors[sector].rd_intensity / mean_rho.max(1e-12);
    let mut best: Option<(f64, Cell)> = None;
    for _ in 0..k.max(1) {
        let c = match near {
            Some((centre, radius)) => {
                let (cx, cy) = w.xy(centre);
                let r = (radius / w.cell_km).ceil() as i64;
                let x = (cx as i64 + rng.below(2 * r as usize + 1) as i64 - r).clamp(0, w.width as i64 - 1);
                let y = (cy as i64 + rng.below(2 * r as usize + 1) as i64 - r).clamp(0, w.height as i64 - 1);
                (y as usize * w.width + x as usize) as Cell
            }
            None => {
                let total = w.office_cum.last().copied().unwrap_or(0.0);
                if total <= 0.0 {
                    return None;
                }
                let r = rng.uniform() * total;
                w.office_cum.partition_point(|&x| x <= r).min(w.cells() - 1) as Cell
            }
        };
        let cap = w.office_capacity[c as usize] as f64;
        if cap <= 0.0 {
            continue;
        }
        let jobs = fields.density[c as usize] as f64 * km2;
        let talent_near = fields.residents[c as usize] as f64 * scale;
        let u = -lw.rent * (ctx.prices.rent_index[c as usize] as f64).max(0.05).ln()
            + spill_w * (1.0 + fields.spillover[c as usize] as f64).ln()
            + lw.talent * (1.0 + talent_near / lw.talent_scale).ln()
            - lw.crowding * jobs / cap
            + rng.gumbel();
        if best.is_none_or(|b| u > b.0) {
            best = Some((u, c));
        }
    }
    best.map(|b| b.1).or(near.map(|n| n.0))
}

/// January: challenge grants ("揭榜挂帅") to the eligible firms with the largest knowledge stock.
pub fn challenge_grants(firms: &mut [Firm], s: &Scenario, policy: &Policy, ledger: &mut Ledger) {
    let cg = &s.rd.challenge_grants;
    if !policy.active(cg.start_year, cg.end_year) || cg.budget_per_year <= 0.0 {
        return;
    }
    let mask = &policy.challenge_sectors;
    let mut eligible: Vec<(f64, u32)> = firms
        .iter()
        .filter(|f| f.alive && Policy::in_mask(mask, f.sector as usize))
        .map(|f| (f.knowledge, f.id))
        .collect();
    eligible.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if cg.winners == 0 || eligible.is_empty() {
        return;
    }
    // The winners are the firms with the largest stocks: an agent of m firms wins for as many of
    // its firms as places are left (each of them gets its share of the grant on average).
    let firms_eligible: u32 = eligible.iter().map(|&(_, id)| firms[id as usize].multiplicity).sum();
    let places = cg.winners.min(firms_eligible).max(1);
    let grant = cg.budget_per_year / places as f64;
    let mut left = places;
    let mut paid = 0.0;
    for &(_, id) in &eligible {
        if left == 0 {
            break;
        }
        let f = &mut firms[id as usize];
        let won = f.multiplicity.min(left);
        left -= won;
        let each = grant * won as f64 / f.multiplicity as f64;
        f.knowledge += each;
        f.cash += each;
        paid += grant * won as f64;
    }
    ledger.cost[Lever::ChallengeGrants] += paid;
    ledger.grant_rd += paid;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, Kit};

    fn ctx(kit: &Kit) -> EntryContext<'_> {
        EntryContext {
            s: &kit.s,
            seed: 4,
            month: kit.month,
            world: &kit.world,
            prices: &kit.prices,
            fields: &kit.fields,
            jobs: &kit.jobs,
        }
    }

    #[test]
    fn a_new_firm_locates_within_its_radius_sized_for_its_people() {
        let kit = Kit::new();
        let centre = cell(4, 2);
        let sd = kit.s.firms.wage_premium_sd;
        for key in 0..50 {
            let plan =
                Plan { sector: 1, origin: Origin::Startup, near: Some((centre, 1.0)), people: 15.0, multiplicity: 2 };
            let f = super::plan(&ctx(&kit), &plan, key).unwrap();
            let ((x, y), (cx, cy)) = (kit.world.xy(f.cell), kit.world.xy(centre));
            assert!(x.abs_diff(cx) <= 1 && y.abs_diff(cy) <= 1, "key {key}: ({x}, {y})");
            assert_eq!((f.sector, f.origin, f.alive, f.multiplicity), (1, Origin::Startup, true, 2));
            assert_eq!(f.desired, 2.0 * 15.0 / kit.s.agent_scale, "two firms of 15 people");
            assert_eq!(f.vacancies.iter().sum::<u32>(), 30, "it posts its planned size at once");
            assert!(f.cash > 0.0 && f.productivity > 0.0);
            assert_eq!(f.knowledge, 0.0, "a start-up has no knowledge yet");
            let p = f.wage_premium as f64;
            assert!(p >= (-3.0 * sd).exp() - 1e-6 && p <= (3.0 * sd).exp() + 1e-6);
        }
    }

    #[test]
    fn spinoffs_enter_beside_their_lab_and_births_are_booked_by_origin() {
        let mut kit = Kit::new();
        kit.s.firms.relocation_rate = 0.0;
        kit.s.labs.sites = vec![crate::scenario::LabSpec { name: "u".into(), x: 1.5, y: 1.5, ..Default::default() }];
        let labs = vec![Lab::from_spec(&kit.s, &kit.world, &kit.s.labs.sites[0], false)];
        let (mut firms, mut ledger) = (FirmTable::default(), kit.ledger.clone());
        let expectations = Expectations::new(100.0);
        let pull = Pull { policy: &kit.policy, talent: 100, expectations: &expectations };
        enter(&[0, 0], &labs, &ctx(&kit), pull, &mut firms, &mut ledger);
        assert_eq!(firms.len(), 2);
        assert_eq!(ledger.firm_births[Origin::Spinoff], 2);
        assert_eq!(ledger.firm_births.values().sum::<u32>(), 2);
        for (id, f) in firms.records.iter().enumerate() {
            assert_eq!(f.id, id as u32);
            assert_eq!(f.origin, Origin::Spinoff);
            assert!(f.knowledge > 0.0 && f.patent_stock >= 1.0, "established, with the lab's patent");
            assert_eq!((firms.cells[id], firms.premia[id]), (f.cell, f.wage_premium), "columns in step");
            let ((x, y), (lx, ly)) = (kit.world.xy(f.cell), kit.world.xy(labs[0].cell));
            assert!(x.abs_diff(lx) <= 2 && y.abs_diff(ly) <= 2);
        }
    }

    #[test]
    fn small_births_are_thinned_into_super_individuals_without_changing_the_expected_count() {
        let mut kit = Kit::new();
        kit.s.agent_scale = 10.0;
        kit.s.firms.relocation_rate = 0.0;
        kit.s.labs.sites = vec![crate::scenario::LabSpec { name: "u".into(), x: 1.5, y: 1.5, ..Default::default() }];
        let labs = vec![Lab::from_spec(&kit.s, &kit.world, &kit.s.labs.sites[0], false)];
        let expectations = Expectations::new(100.0);
        let (mut firms, mut ledger) = (FirmTable::default(), kit.ledger.clone());
        for month in 0..200 {
            kit.month = month;
            let pull = Pull { policy: &kit.policy, talent: 100, expectations: &expectations };
            enter(&[0; 10], &labs, &ctx(&kit), pull, &mut firms, &mut ledger);
        }
        // 2 000 spin-offs of 5 people at 10 people an agent: agents of 10 firms, one in ten kept.
        assert!(firms.records.iter().all(|f| f.multiplicity == 10 && f.desired == 5.0));
        let born = ledger.firm_births[Origin::Spinoff] as f64;
        assert!((born - 2000.0).abs() < 4.0 * (200.0f64).sqrt() * 10.0, "{born} firms born of 2 000");
    }

    #[test]
    fn the_rd_subsidy_attracts_relocations_only_where_it_is_paid() {
        let mut kit = Kit::new();
        kit.s.rd.subsidy_rate = 0.5;
        kit.s.rd.sectors = vec!["digital".into()];
        kit.policy = Policy::new(&kit.s, &kit.world);
        assert_eq!(subsidised_land(&kit.s, &kit.world, &kit.policy), vec![(1.0, 0.5), (0.0, 0.0)]);
        kit.s.rd.sectors = vec![];
        kit.s.rd.districts = vec!["east".into()];
        kit.policy = Policy::new(&kit.s, &kit.world);
        let b = subsidised_land(&kit.s, &kit.world, &kit.policy);
        assert!(b[0].0 > 0.0 && b[0].0 < 1.0 && b[0] == b[1], "only the east's office land: {b:?}");
        // The pull counts the R&D the subsidy adds: a cap far below a firm's subsidy removes it.
        let count = |kit: &mut Kit, cap: f64| {
            kit.s.rd.cap = cap;
            kit.s.rd.districts = vec![];
            kit.s.firms.relocation_rate = 20.0;
            kit.policy = Policy::new(&kit.s, &kit.world);
            let expectations = Expectations::new(100.0);
            let mut n = 0;
            for month in 0..60 {
                kit.month = month;
                let pull = Pull { policy: &kit.policy, talent: 100, expectations: &expectations };
                let (mut firms, mut ledger) = (FirmTable::default(), kit.ledger.clone());
                enter(&[], &[], &ctx(kit), pull, &mut firms, &mut ledger);
                n += firms.len();
            }
            n
        };
        let (open, capped) = (count(&mut kit, 1.0e12), count(&mut kit, 1.0));
        assert!((2150..2650).contains(&open), "{open}: twice the base rate at a rate of 0.5");
        assert!((1100..1300).contains(&capped), "{capped}: the base rate when the cap leaves no marginal subsidy");
    }

    /// Relocations over five years at `relocation_rate` 20 a month and the elasticity given,
    /// with `talent` agents against 100 at the start (each month's births booked as relocations).
    fn relocations_in_five_years(elasticity: f64, talent: usize) -> usize {
        let mut kit = Kit::new();
        kit.s.firms.relocation_rate = 20.0;
        kit.s.firms.relocation_talent_elasticity = elasticity;
        let expectations = Expectations::new(100.0);
        let mut n = 0;
        for month in 0..60 {
            kit.month = month;
            let pull = Pull { policy: &kit.policy, talent, expectations: &expectations };
            let (mut firms, mut ledger) = (FirmTable::default(), kit.ledger.clone());
            enter(&[], &[], &ctx(&kit), pull, &mut firms, &mut ledger);
            assert_eq!(ledger.firm_births[Origin::Relocated] as usize, firms.len());
            n += firms.len();
        }
        n
    }

    #[test]
    fn relocations_respond_to_the_talent_pool() {
        let default = crate::scenario::FirmParams::default().relocation_talent_elasticity;
        let (base, quadruple) = (relocations_in_five_years(default, 100), relocations_in_five_years(default, 400));
        // Poisson(20) and Poisson(40) a month for five years: 1 200 and 2 400.
        assert!((1100..1300).contains(&base), "{base}");
        assert!((2250..2550).contains(&quadruple), "{quadruple}: the pull grows with the root of the talent ratio");
    }

    #[test]
    fn the_relocations_elasticity_to_talent_is_the_key() {
        // Elasticity 0: Poisson(20) a month whatever the talent (1 200 in five years); 1: four
        // times the talent, four times the relocations (4 800).
        let flat = relocations_in_five_years(0.0, 400);
        assert!((1100..1300).contains(&flat), "{flat}");
        let proportional = relocations_in_five_years(1.0, 400);
        assert!((4550..5050).contains(&proportional), "{proportional}");
    }
}
