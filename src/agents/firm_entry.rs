//! Firm entry and the firm-side levers: spin-offs from lab patents, relocations into the corridor
//! drawn by subsidies and the talent pool, start-ups (called from entrepreneurship), challenge
//! grants. A new firm picks a cell by logit on office rent, spillover and access to talent.

use crate::agents::firm::{agglomeration, unit_cost, Firm, Origin};
use crate::agents::{pick_weighted, MAX_TIERS};
use crate::engine::Sim;
use crate::policy::Lever;
use crate::rng::{Purpose, Stream};
use crate::world::Cell;

/// Location logit weights (assumptions): office rent (log), spillover (log 1 + S), resident
/// talent nearby (log 1 + people / 1000), and crowding of office land.
const LOC_RENT: f64 = 1.0;
const LOC_SPILLOVER: f64 = 1.0;
const LOC_TALENT: f64 = 0.5;
const LOC_CROWDING: f64 = 2.0;

/// Spin-offs and relocations of the month, in a fixed order.
pub fn enter(sim: &mut Sim) {
    let spinoffs = std::mem::take(&mut sim.pending_spinoffs);
    for (k, lab) in spinoffs.into_iter().enumerate() {
        let l = &sim.labs[lab as usize];
        let (cell, sector) = (l.cell, l.sector as usize);
        let size = sim.scenario.firms.min_size;
        let key = (1u64 << 40) | ((lab as u64) << 20) | k as u64;
        if let Some(f) = plan(sim, sector, Origin::Spinoff, Some((cell, 2.0)), size, key).map(|f| add(sim, f)) {
            let firm = &mut sim.firms[f as usize];
            firm.knowledge = 1.0e6;
            firm.patent_stock = 1.0;
        }
    }
    let s = sim.scenario.clone();
    let rate = if sim.policy.active(s.rd.start_year, s.rd.end_year) { s.rd.subsidy_rate } else { 0.0 };
    let pull = (1.0 - rate).powf(-s.firms.rd_elasticity);
    let talent_ratio = (sim.talent.len() as f64 / sim.recorder.initial_talent.max(1.0)).max(0.0).sqrt();
    let mut rng = Stream::new(sim.seed, Purpose::FirmEntry, 0, sim.month);
    let n = rng.poisson(s.firms.relocation_rate * pull * talent_ratio);
    let firm_shares: Vec<f64> = s.sectors.iter().map(|x| x.firm_share).collect();
    for k in 0..n {
        let sector = pick_weighted(&firm_shares, rng.uniform());
        // Relocating firms are established: Pareto sizes from twice the smallest firm.
        let min = 2.0 * s.firms.min_size;
        let size = (min * rng.uniform().max(1e-9).powf(-1.0 / s.firms.size_exponent)).min(2000.0);
        let key = (2u64 << 40) | ((sim.month as u64) << 20) | k;
        if let Some(firm) = plan(sim, sector, Origin::Relocated, None, size, key) {
            add(sim, firm);
        }
    }
}

/// A new firm of `sector` sized for `size_people`, located near `near` (cell, radius km) or
/// anywhere; None when no cell has office land. It depends only on month-wide fields and its own
/// stream (keyed by `key`), so many can be planned in parallel; [`add`] adds it and sets its `id`.
pub fn plan(
    sim: &Sim,
    sector: usize,
    origin: Origin,
    near: Option<(Cell, f64)>,
    size_people: f64,
    key: u64,
) -> Option<Firm> {
    let mut rng = Stream::new(sim.seed, Purpose::FirmLocation, key, sim.month);
    let cell = choose_cell(sim, near, &mut rng)?;
    let s = &sim.scenario;
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
        birth_month: sim.month,
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
    let eff_per_person: f64 = sim.tier_mix.iter().zip(&sim.tier_productivity).map(|(m, p)| m * p).sum();
    let eff = size_people * eff_per_person;
    let a = productivity_for(sim, &firm, eff) * (0.15 * rng.normal()).exp();
    firm.productivity = a;
    firm.desired = size_people / s.agent_scale;
    let wage_bill: f64 = sim.tier_mix.iter().zip(&sim.labour.wage).map(|(m, w)| m * w).sum::<f64>() * size_people;
    firm.cash = f.start_cash_months * wage_bill;
    Some(firm)
}

/// Adds a planned firm (next id, its workplace columns, the month's births); returns its id.
pub fn add(sim: &mut Sim, mut firm: Firm) -> u32 {
    let id = sim.firms.len() as u32;
    firm.id = id;
    sim.firm_cells.push(firm.cell);
    sim.firm_premia.push(firm.wage_premium);
    sim.flows.firm_births[firm.origin as usize] += 1;
    sim.firms.push(firm);
    id
}

/// A such that `eff` efficiency units is the firm's profit-maximising size at today's prices.
pub fn productivity_for(sim: &Sim, firm: &Firm, eff: f64) -> f64 {
    let s = &sim.scenario;
    let f = &s.firms;
    let office = f.office_rent_per_worker * sim.rent_index[firm.cell as usize] as f64;
    let c = unit_cost(&sim.labour.wage, &sim.tier_mix, &sim.tier_productivity, firm.wage_premium as f64, office);
    let agg = agglomeration(sim.density[firm.cell as usize], f);
    let kf = crate::agents::firm::rd_factor(firm.knowledge, f.rd_output_elasticity);
    c * eff.max(1.0).powf(1.0 - f.alpha) / (f.alpha * agg * kf * s.sectors[firm.sector as usize].productivity)
}

fn choose_cell(sim: &Sim, near: Option<(Cell, f64)>, rng: &mut Stream) -> Option<Cell> {
    let w = &sim.world;
    let k = sim.scenario.firms.location_candidates as usize;
    let scale = sim.scenario.agent_scale;
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
                let total = sim.office_cum.last().copied().unwrap_or(0.0);
                if total <= 0.0 {
                    return None;
                }
                let r = rng.uniform() * total;
                sim.office_cum.partition_point(|&x| x <= r).min(w.cells() - 1) as Cell
            }
        };
        let cap = w.office_capacity[c as usize] as f64;
        if cap <= 0.0 {
            continue;
        }
        let jobs = sim.density[c as usize] as f64 * km2;
        let talent_near = sim.residents[c as usize] as f64 * scale;
        let u = -LOC_RENT * (sim.rent_index[c as usize] as f64).max(0.05).ln()
            + LOC_SPILLOVER * (1.0 + sim.spillover[c as usize] as f64).ln()
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
pub fn challenge_grants(sim: &mut Sim) {
    let cg = sim.scenario.rd.challenge_grants.clone();
    if !sim.policy.active(cg.start_year, cg.end_year) || cg.budget_per_year <= 0.0 {
        return;
    }
    let mask = sim.policy.challenge_sectors.clone();
    let mut eligible: Vec<(f64, u32)> = sim
        .firms
        .iter()
        .filter(|f| f.alive && crate::policy::Policy::in_mask(&mask, f.sector as usize))
        .map(|f| (f.knowledge, f.id))
        .collect();
    eligible.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let winners = (cg.winners as usize).min(eligible.len());
    if winners == 0 {
        return;
    }
    let grant = cg.budget_per_year / winners as f64;
    for &(_, id) in &eligible[..winners] {
        let f = &mut sim.firms[id as usize];
        f.knowledge += grant;
        f.cash += grant;
    }
    sim.flows.cost[Lever::ChallengeGrants as usize] += cg.budget_per_year;
    sim.flows.grant_rd += cg.budget_per_year;
}
