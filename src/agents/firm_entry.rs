//! Firm entry and the firm-side levers: spin-offs from lab patents, relocations into the corridor
//! drawn by subsidies and the talent pool, start-ups (called from entrepreneurship), challenge
//! grants. A new firm picks a cell by logit on office rent, spillover and access to talent.

use crate::agents::expectations::Expectations;
use crate::agents::firm::{agglomeration, unit_cost, Firm, FirmTable, JobMix, Origin};
use crate::agents::lab::Lab;
use crate::agents::{pick_weighted, MAX_TIERS};
use crate::policy::{Ledger, Lever, Policy};
use crate::prices::Prices;
use crate::rng::{Purpose, Stream};
use crate::scenario::Scenario;
use crate::world::{Cell, Fields, World};

/// Location logit weights (assumptions): office rent (log), spillover (log 1 + S), resident
/// talent nearby (log 1 + people / 1000), and crowding of office land.
const LOC_RENT: f64 = 1.0;
const LOC_SPILLOVER: f64 = 1.0;
const LOC_TALENT: f64 = 0.5;
const LOC_CROWDING: f64 = 2.0;

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
    for (k, &lab) in spinoffs.iter().enumerate() {
        let l = &labs[lab as usize];
        let (cell, sector) = (l.cell, l.sector as usize);
        let size = s.firms.min_size;
        let key = (1u64 << 40) | ((lab as u64) << 20) | k as u64;
        if let Some(mut firm) = plan(ctx, sector, Origin::Spinoff, Some((cell, 2.0)), size, key) {
            firm.knowledge = 1.0e6;
            firm.patent_stock = 1.0;
            firms.add(firm, ledger);
        }
    }
    let rate = if pull.policy.active(s.rd.start_year, s.rd.end_year) { s.rd.subsidy_rate } else { 0.0 };
    let attraction = (1.0 - rate).powf(-s.firms.rd_elasticity);
    let talent_ratio = (pull.talent as f64 / pull.expectations.initial_talent.max(1.0)).max(0.0).sqrt();
    let mut rng = Stream::new(ctx.seed, Purpose::FirmEntry, 0, ctx.month);
    let n = rng.poisson(s.firms.relocation_rate * attraction * talent_ratio);
    let firm_shares: Vec<f64> = s.sectors.iter().map(|x| x.firm_share).collect();
    for k in 0..n {
        let sector = pick_weighted(&firm_shares, rng.uniform());
        // Relocating firms are established: Pareto sizes from twice the smallest firm.
        let min = 2.0 * s.firms.min_size;
        let size = rng.pareto(min, s.firms.size_exponent).min(2000.0);
        let key = (2u64 << 40) | ((ctx.month as u64) << 20) | k;
        if let Some(firm) = plan(ctx, sector, Origin::Relocated, None, size, key) {
            firms.add(firm, ledger);
        }
    }
}

/// A new firm of `sector` sized for `size_people`, located near `near` (cell, radius km) or
/// anywhere; None when no cell has office land. It depends only on month-wide fields and its own
/// stream (keyed by `key`), so many can be planned in parallel; [`FirmTable::add`] adds it and
/// sets its `id`.
pub fn plan(
    ctx: &EntryContext,
    sector: usize,
    origin: Origin,
    near: Option<(Cell, f64)>,
    size_people: f64,
    key: u64,
) -> Option<Firm> {
    let mut rng = Stream::new(ctx.seed, Purpose::FirmLocation, key, ctx.month);
    let cell = choose_cell(ctx, near, &mut rng)?;
    let s = ctx.s;
    let f = &s.firms;
    let mut offsets = [0f32; MAX_TIERS];
    for o in offsets.iter_mut() {
        *o = rng.uniform() as f32;
    }
    let premium = (0.1 * rng.normal()).exp().clamp(0.75, 1.35) as f32;
    let mut firm = Firm {
        id: u32::MAX,
        sector: sector as u8,
        origin,
        alive: true,
        cell,
        birth_month: ctx.month,
        death_month: u32::MAX,
        workers: [0; MAX_TIERS],
        vacancies: [0; MAX_TIERS],
        layoffs: [0; MAX_TIERS],
        offsets,
        desired: 0.0,
        productivity: 1.0,
        knowledge: 0.0,
        patent_stock: 0.0,
        wage_premium: premium,
        cash: 0.0,
        negative_months: 0,
        subsidy_ytd: 0.0,
        output: 0.0,
        rd: 0.0,
        subsidy: 0.0,
        patents: 0,
    };
    let eff = size_people * ctx.jobs.efficiency_per_person();
    let a = productivity_for(ctx, &firm, eff) * (0.15 * rng.normal()).exp();
    firm.productivity = a;
    firm.desired = size_people / s.agent_scale;
    let wage = &ctx.prices.wage;
    let wage_bill: f64 = ctx.jobs.tier_mix.iter().zip(wage).map(|(m, w)| m * w).sum::<f64>() * size_people;
    firm.cash = f.start_cash_months * wage_bill;
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
    let kf = crate::agents::firm::rd_factor(firm.knowledge, f.rd_output_elasticity);
    c * eff.max(1.0).powf(1.0 - f.alpha) / (f.alpha * agg * kf * s.sectors[firm.sector as usize].productivity)
}

fn choose_cell(ctx: &EntryContext, near: Option<(Cell, f64)>, rng: &mut Stream) -> Option<Cell> {
    let w = ctx.world;
    let fields = ctx.fields;
    let k = ctx.s.firms.location_candidates as usize;
    let scale = ctx.s.agent_scale;
    let km2 = w.cell_km * w.cell_km;
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
        let u = -LOC_RENT * (ctx.prices.rent_index[c as usize] as f64).max(0.05).ln()
            + LOC_SPILLOVER * (1.0 + fields.spillover[c as usize] as f64).ln()
            + LOC_TALENT * (1.0 + talent_near / 1000.0).ln()
            - LOC_CROWDING * (jobs / cap).min(3.0)
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
    let winners = (cg.winners as usize).min(eligible.len());
    if winners == 0 {
        return;
    }
    let grant = cg.budget_per_year / winners as f64;
    for &(_, id) in &eligible[..winners] {
        let f = &mut firms[id as usize];
        f.knowledge += grant;
        f.cash += grant;
    }
    ledger.cost[Lever::ChallengeGrants] += cg.budget_per_year;
    ledger.grant_rd += cg.budget_per_year;
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
        for key in 0..50 {
            let f = plan(&ctx(&kit), 1, Origin::Startup, Some((centre, 1.0)), 15.0, key).unwrap();
            let ((x, y), (cx, cy)) = (kit.world.xy(f.cell), kit.world.xy(centre));
            assert!(x.abs_diff(cx) <= 1 && y.abs_diff(cy) <= 1, "key {key}: ({x}, {y})");
            assert_eq!((f.sector, f.origin, f.alive), (1, Origin::Startup, true));
            assert_eq!(f.desired, 15.0 / kit.s.agent_scale);
            assert!(f.cash > 0.0 && f.productivity > 0.0);
            assert!((0.75..=1.35).contains(&f.wage_premium));
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
            assert_eq!((f.origin, f.knowledge, f.patent_stock), (Origin::Spinoff, 1.0e6, 1.0));
            assert_eq!((firms.cells[id], firms.premia[id]), (f.cell, f.wage_premium), "columns in step");
            let ((x, y), (lx, ly)) = (kit.world.xy(f.cell), kit.world.xy(labs[0].cell));
            assert!(x.abs_diff(lx) <= 2 && y.abs_diff(ly) <= 2);
        }
    }

    #[test]
    fn relocations_respond_to_the_talent_pool() {
        let mut kit = Kit::new();
        kit.s.firms.relocation_rate = 20.0;
        let expectations = Expectations::new(100.0);
        let mut count = |talent: usize| {
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
        };
        let (base, quadruple) = (count(100), count(400));
        // Poisson(20) and Poisson(40) a month for five years: 1 200 and 2 400.
        assert!((1100..1300).contains(&base), "{base}");
        assert!((2250..2550).contains(&quadruple), "{quadruple}: the pull grows with the root of the talent ratio");
    }
}
