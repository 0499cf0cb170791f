//! Labs: universities, provincial and national labs, big science facilities and new-type R&D
//! institutes. Each employs researchers (talent), produces patents and papers as
//! Poisson(a_kind researchers^theta (1 + facility_bonus)) a month, accumulates knowledge that feeds
//! the spillover field, and transfers technology: each patent becomes a spin-off with probability
//! `spinoff_rate` (raised by incubators near the lab) or is licensed to a firm of its sector near
//! the lab, improving one of its product lines.

use crate::agents::firm::Firm;
use crate::agents::MAX_TIERS;
use crate::policy::{Ledger, Policy};
use crate::rng::{Purpose, Stream};
use crate::scenario::{LabKind, LabSpec, Scenario};
use crate::world::{Cell, World};

#[derive(Clone, Debug, PartialEq)]
pub struct Lab {
    pub name: String,
    pub kind: LabKind,
    pub cell: Cell,
    pub x: f64,
    pub y: f64,
    pub sector: u8,
    pub budget_per_year: f64,
    pub open_month: i64,
    pub upgrade_month: Option<(i64, LabKind)>,
    /// Added by the `labs.new` lever (its budget and capex are public cost).
    pub is_new: bool,
    pub capex: f64,
    /// Months of construction before opening, over which capex is spent (new labs).
    pub build_months: i64,
    /// Knowledge stock in patent equivalents (depreciating).
    pub knowledge: f64,
    /// Researchers by tier (agents), recounted monthly.
    pub researchers: [u32; MAX_TIERS],
    /// Research vacancies by tier (agents).
    pub vacancies: [u32; MAX_TIERS],
    pub layoffs: [u32; MAX_TIERS],
}

impl Lab {
    pub fn from_spec(s: &Scenario, world: &World, spec: &LabSpec, is_new: bool) -> Lab {
        let sector = s.sectors.iter().position(|x| x.name == spec.sector).unwrap_or(0) as u8;
        let to_month = |y: i32| (y as i64 - s.start_year as i64) * 12;
        Lab {
            name: spec.name.clone(),
            kind: spec.kind,
            cell: world.cell_at(spec.x, spec.y),
            x: spec.x,
            y: spec.y,
            sector,
            budget_per_year: spec.budget_per_year,
            open_month: to_month(spec.open_year),
            upgrade_month: match (spec.upgrade_year, spec.upgrade_kind) {
                (y, Some(k)) if y > 0 => Some((to_month(y), k)),
                _ => None,
            },
            is_new,
            capex: spec.capex,
            build_months: spec.build_years as i64 * 12,
            knowledge: 0.0,
            researchers: [0; MAX_TIERS],
            vacancies: [0; MAX_TIERS],
            layoffs: [0; MAX_TIERS],
        }
    }

    pub fn is_open(&self, month: u32) -> bool {
        month as i64 >= self.open_month
    }

    pub fn kind_at(&self, month: u32) -> LabKind {
        match self.upgrade_month {
            Some((m, k)) if month as i64 >= m => k,
            _ => self.kind,
        }
    }

    pub fn researcher_agents(&self) -> u32 {
        self.researchers.iter().sum()
    }

    /// Expected patents and papers this month.
    pub fn expected_output(&self, s: &Scenario, month: u32) -> f64 {
        if !self.is_open(month) {
            return 0.0;
        }
        let kind = s.labs.kinds.get(self.kind_at(month));
        let people = self.researcher_agents() as f64 * s.agent_scale;
        kind.output_rate * people.powf(s.labs.theta) * (1.0 + kind.facility_bonus)
    }

    /// Researchers (people) the budget pays for.
    pub fn desired_researchers(&self, s: &Scenario, month: u32, budget_multiplier: f64) -> f64 {
        if !self.is_open(month) {
            return 0.0;
        }
        let kind = s.labs.kinds.get(self.kind_at(month));
        self.budget_per_year * budget_multiplier / kind.cost_per_researcher
    }
}

/// What the labs read in their month.
pub struct LabContext<'a> {
    pub s: &'a Scenario,
    pub seed: u64,
    pub month: u32,
    pub world: &'a World,
    /// Budget multiplier and incubator boosts.
    pub policy: &'a Policy,
}

/// The labs' month: hiring targets from budgets, output, knowledge, and technology transfer
/// (licences raise the productivity of a firm of the lab's sector near the lab). Patents are
/// added to the year's patents per cell and to the ledger. Returns the labs whose patents become
/// spin-off firms this month (lab indices, one entry per spin-off, in lab order).
pub fn step_labs(
    labs: &mut [Lab],
    firms: &mut [Firm],
    firm_cells: &[Cell],
    ctx: &LabContext,
    patents_by_cell: &mut [f32],
    ledger: &mut Ledger,
) -> Vec<u32> {
    let s = ctx.s;
    let month = ctx.month;
    let mult = ctx.policy.lab_budget_multiplier(s);
    let tiers = s.talent.tiers.len();
    // Research jobs by tier follow the tiers' research shares.
    let weights: Vec<f64> = s.talent.tiers.iter().map(|t| t.share * t.research_share).collect();
    let total: f64 = weights.iter().sum::<f64>().max(1e-12);
    let mut index: Option<FirmIndex> = None;
    let delta = s.labs.knowledge_depreciation / 12.0;
    let mut spinoffs = Vec::new();
    let prod: Vec<f64> = s.talent.tiers.iter().map(|t| t.productivity).collect();
    for (li, lab) in labs.iter_mut().enumerate() {
        lab.vacancies = [0; MAX_TIERS];
        lab.layoffs = [0; MAX_TIERS];
        if !lab.is_open(month) {
            continue;
        }
        let desired_agents = lab.desired_researchers(s, month, mult) / s.agent_scale;
        for t in 0..tiers {
            let want = (desired_agents * weights[t] / total).round() as u32;
            let have = lab.researchers[t];
            if want > have {
                // At most `hiring_step` of the target plus `hiring_step_people` a month.
                let cap = (want as f64 * s.labs.hiring_step + s.labs.hiring_step_people / s.agent_scale).ceil().max(1.0)
                    as u32;
                lab.vacancies[t] = (want - have).min(cap);
            } else if have > want + 1 {
                lab.layoffs[t] = have - want;
            }
        }
        let mut rng = Stream::new(ctx.seed, Purpose::LabOutput, li as u64, month);
        let patents = rng.poisson_u32(lab.expected_output(s, month));
        lab.knowledge = lab.knowledge * (1.0 - delta) + patents as f64;
        if patents == 0 {
            continue;
        }
        ledger.lab_patents = ledger.lab_patents.saturating_add(patents);
        patents_by_cell[lab.cell as usize] += patents as f32;
        let boost = ctx.policy.incubator_boost[lab.cell as usize] as f64;
        let p_spin = (s.labs.spinoff_rate * (1.0 + boost)).min(1.0);
        let mut trng = Stream::new(ctx.seed, Purpose::TechTransfer, li as u64, month);
        let (cell, sector) = (lab.cell, lab.sector);
        // The lab's candidate licensees are found once a month (firms do not move or die within
        // the labs' step); each licensed patent then draws one of them.
        let mut licensees: Option<Licensees> = None;
        for _ in 0..patents {
            if trng.chance(p_spin) {
                spinoffs.push(li as u32);
            } else {
                let found = licensees.get_or_insert_with(|| {
                    let idx = index.get_or_insert_with(|| FirmIndex::build(firms, firm_cells, ctx.world.cells()));
                    let reach = (s.labs.licence_reach_factor * s.labs.spillover_km / ctx.world.cell_km).ceil() as i64;
                    idx.licensees(firms, ctx.world, cell, sector, reach)
                });
                if let Some(f) = found.draw(&mut trng) {
                    let firm = &mut firms[f as usize];
                    let lines = firm.lines(s, &prod);
                    firm.improve_line(s.labs.licence_gain, lines, 1.0);
                }
            }
        }
    }
    spinoffs
}

/// The firms a lab can license a patent to this month.
pub enum Licensees {
    /// Firms of the lab's sector within reach, with weight exp(-distance / reach), and the sum of
    /// the weights.
    Near { cands: Vec<(u32, f64)>, total: f64 },
    /// None within reach: the nearest firm of the sector, if any.
    Nearest(Option<u32>),
}

impl Licensees {
    /// One licensee, drawn with probability proportional to its weight.
    pub fn draw(&self, rng: &mut Stream) -> Option<u32> {
        match self {
            Licensees::Nearest(f) => *f,
            Licensees::Near { cands, total } => {
                let mut r = rng.uniform() * total;
                for (id, wgt) in cands {
                    if r < *wgt {
                        return Some(*id);
                    }
                    r -= wgt;
                }
                cands.last().map(|c| c.0)
            }
        }
    }
}

/// Alive firms by cell (compressed rows), for nearest-firm searches in rings around a cell.
pub struct FirmIndex {
    start: Vec<u32>,
    ids: Vec<u32>,
}

impl FirmIndex {
    pub fn build(firms: &[Firm], firm_cells: &[Cell], cells: usize) -> FirmIndex {
        use rayon::prelude::*;
        // Which firms are alive, read from the records in parallel; the rest uses compact columns.
        let alive: Vec<bool> = firms.par_iter().with_min_len(1024).map(|f| f.alive).collect();
        let alive_cells =
            || firm_cells.iter().zip(&alive).enumerate().filter(|(_, (_, &a))| a).map(|(id, (&c, _))| (id, c));
        let mut count = vec![0u32; cells + 1];
        for (_, c) in alive_cells() {
            count[c as usize + 1] += 1;
        }
        for c in 0..cells {
            count[c + 1] += count[c];
        }
        let mut fill = count.clone();
        let mut ids = vec![0u32; *count.last().unwrap_or(&0) as usize];
        for (id, c) in alive_cells() {
            ids[fill[c as usize] as usize] = id as u32;
            fill[c as usize] += 1;
        }
        FirmIndex { start: count, ids }
    }

    /// Candidate licensees for a patent of a lab at `cell`: the firms of `sector` within `reach`
    /// cells, weighted exp(-distance / reach) (so licences spread over the nearby firms instead of
    /// all going to one); the nearest firm of the sector when none is within reach.
    pub fn licensees(&self, firms: &[Firm], world: &World, cell: Cell, sector: u8, reach: i64) -> Licensees {
        let (cx, cy) = world.xy(cell);
        let (w, h) = (world.width as i64, world.height as i64);
        let mut cands: Vec<(u32, f64)> = Vec::new();
        let mut total = 0.0;
        for y in (cy as i64 - reach).max(0)..=(cy as i64 + reach).min(h - 1) {
            for x in (cx as i64 - reach).max(0)..=(cx as i64 + reach).min(w - 1) {
                let c = (y * w + x) as usize;
                let d = (((x - cx as i64).pow(2) + (y - cy as i64).pow(2)) as f64).sqrt();
                let wgt = (-d / reach.max(1) as f64).exp();
                for &id in &self.ids[self.start[c] as usize..self.start[c + 1] as usize] {
                    if firms[id as usize].sector == sector {
                        total += wgt;
                        cands.push((id, wgt));
                    }
                }
            }
        }
        if cands.is_empty() {
            return Licensees::Nearest(self.nearest(firms, world, cell, sector));
        }
        Licensees::Near { cands, total }
    }

    /// The alive firm of `sector` nearest to `cell` (ring by ring; ties to the lower id).
    ///
    /// Each ring visits only its perimeter cells inside the grid, so a search that finds nothing
    /// costs one visit per cell, not one per cell and ring; a sector without a firm returns at once.
    pub fn nearest(&self, firms: &[Firm], world: &World, cell: Cell, sector: u8) -> Option<u32> {
        if !self.ids.iter().any(|&id| firms[id as usize].sector == sector) {
            return None;
        }
        let (cx, cy) = (world.xy(cell).0 as i64, world.xy(cell).1 as i64);
        let (w, h) = (world.width as i64, world.height as i64);
        // Beyond this ring every cell is off the grid.
        let max_r = cx.max(w - 1 - cx).max(cy).max(h - 1 - cy);
        let mut best: Option<(i64, u32)> = None;
        let visit = |x: i64, y: i64, best: &mut Option<(i64, u32)>| {
            let c = (y * w + x) as usize;
            for &id in &self.ids[self.start[c] as usize..self.start[c + 1] as usize] {
                if firms[id as usize].sector != sector {
                    continue;
                }
                let d2 = (x - cx).pow(2) + (y - cy).pow(2);
                if best.is_none_or(|(bd, bid)| d2 < bd || (d2 == bd && id < bid)) {
                    *best = Some((d2, id));
                }
            }
        };
        for r in 0..=max_r {
            if let Some((d2, _)) = best {
                if r * r > d2 {
                    break;
                }
            }
            if r == 0 {
                visit(cx, cy, &mut best);
                continue;
            }
            let (x0, x1) = ((cx - r).max(0), (cx + r).min(w - 1));
            // The top and bottom rows of the ring, corners included.
            for y in [cy - r, cy + r] {
                if (0..h).contains(&y) {
                    for x in x0..=x1 {
                        visit(x, y, &mut best);
                    }
                }
            }
            // The left and right columns, corners excluded.
            let (y0, y1) = ((cy - r + 1).max(0), (cy + r - 1).min(h - 1));
            for x in [cx - r, cx + r] {
                if (0..w).contains(&x) {
                    for y in y0..=y1 {
                        visit(x, y, &mut best);
                    }
                }
            }
        }
        best.map(|b| b.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, Kit};

    /// A kit with one university in the middle of the grid, of sector 0, with researchers
    /// [2, 8] by tier, and two firms beside it: one of its sector, one of the other.
    fn kit_with_lab() -> (Kit, u32, u32) {
        let mut kit = Kit::new();
        kit.s.labs.sites =
            vec![LabSpec { name: "u".into(), sector: "digital".into(), x: 4.5, y: 2.5, ..Default::default() }];
        let mut lab = Lab::from_spec(&kit.s, &kit.world, &kit.s.labs.sites[0], false);
        lab.researchers[..2].copy_from_slice(&[2, 8]);
        kit.labs = vec![lab];
        let same = kit.firm(0, cell(5, 2));
        let other = kit.firm(1, cell(3, 2));
        (kit, same, other)
    }

    fn step(kit: &mut Kit, months: u32) -> (Vec<u32>, Vec<f32>) {
        let mut spinoffs = Vec::new();
        let mut patents = vec![0.0f32; kit.world.cells()];
        for m in 0..months {
            let ctx = LabContext { s: &kit.s, seed: 3, month: m, world: &kit.world, policy: &kit.policy };
            spinoffs.extend(step_labs(
                &mut kit.labs,
                &mut kit.firms.records,
                &kit.firms.cells,
                &ctx,
                &mut patents,
                &mut kit.ledger,
            ));
        }
        (spinoffs, patents)
    }

    #[test]
    fn patents_follow_the_expected_output_and_count_in_the_lab_cell() {
        let (mut kit, _, _) = kit_with_lab();
        let expected = kit.labs[0].expected_output(&kit.s, 0);
        let kind = kit.s.labs.kinds.get(LabKind::University).clone();
        assert!((expected - kind.output_rate * 10f64.powf(kit.s.labs.theta)).abs() < 1e-12);
        let months = 400;
        step(&mut kit, months);
        let (n, mean) = (kit.ledger.lab_patents as f64, expected * months as f64);
        assert!((n - mean).abs() < 4.0 * mean.sqrt(), "{n} patents, expected {mean}");
        // The budget pays for budget / cost researchers; vacancies grow toward it by at most 10 %.
        let want = kit.s.labs.sites[0].budget_per_year / kind.cost_per_researcher;
        assert!((kit.labs[0].desired_researchers(&kit.s, 0, 1.0) - want).abs() < 1e-9);
        let v = kit.labs[0].vacancies;
        assert!(v[0] + v[1] > 0 && v[1] <= (want * 0.8 * 0.1).ceil() as u32 + 1, "{v:?}");
    }

    #[test]
    fn a_lab_hires_at_most_its_step_plus_the_people_allowance_a_month() {
        let vacancies = |people: f64| {
            let (mut kit, _, _) = kit_with_lab();
            kit.labs[0].researchers = [0; MAX_TIERS];
            kit.s.labs.hiring_step = 0.0;
            kit.s.labs.hiring_step_people = people * kit.s.agent_scale;
            step(&mut kit, 1);
            kit.labs[0].vacancies
        };
        // Without the share step, a tier's vacancies are the allowance (at least one agent).
        let three = vacancies(3.0);
        assert!(three.iter().all(|&v| v <= 3) && three.contains(&3), "{three:?}");
        let none = vacancies(0.0);
        assert!(none.iter().all(|&v| v <= 1) && none.contains(&1), "{none:?}");
    }

    #[test]
    fn patents_become_spin_offs_or_licences_to_a_firm_of_the_labs_sector() {
        let (mut kit, same, other) = kit_with_lab();
        kit.s.labs.spinoff_rate = 1.0;
        let (spinoffs, patents) = step(&mut kit, 120);
        let lab_cell = kit.labs[0].cell as usize;
        assert_eq!(spinoffs.len() as u32, kit.ledger.lab_patents, "every patent a spin-off");
        assert_eq!(patents[lab_cell], kit.ledger.lab_patents as f32);
        assert!(kit.firms.records.iter().all(|f| f.productivity == 1.0));

        let (mut kit, same_firm, _) = kit_with_lab();
        kit.s.labs.spinoff_rate = 0.0;
        let (spinoffs, _) = step(&mut kit, 120);
        assert!(spinoffs.is_empty());
        let licences = kit.ledger.lab_patents as i32;
        assert!(licences > 0);
        let gain = kit.s.labs.licence_gain;
        let p = kit.firms.records[same_firm as usize].productivity;
        assert!((p - (1.0 + gain).powi(licences)).abs() < 1e-9, "{p} after {licences} licences");
        assert_eq!(kit.firms.records[other as usize].productivity, 1.0, "not of the lab's sector");
        assert_eq!(same, same_firm);
    }

    /// The ring search finds what a scan of every firm finds (nearest, ties to the lower id) from
    /// every cell, with firms dead and alive, and nothing for a sector without a firm.
    #[test]
    fn nearest_firm_is_the_one_a_full_scan_finds() {
        let mut kit = Kit::new();
        let mut rng = Stream::new(11, Purpose::LabOutput, 0, 0);
        for _ in 0..9 {
            let c = (rng.uniform() * kit.world.cells() as f64) as Cell;
            let f = kit.firm((rng.uniform() * 2.0) as u8, c);
            kit.firms.records[f as usize].alive = rng.chance(0.7);
        }
        let index = FirmIndex::build(&kit.firms.records, &kit.firms.cells, kit.world.cells());
        for c in 0..kit.world.cells() as Cell {
            let (cx, cy) = kit.world.xy(c);
            for sector in 0..3u8 {
                let scan = kit
                    .firms
                    .records
                    .iter()
                    .zip(&kit.firms.cells)
                    .enumerate()
                    .filter(|(_, (f, _))| f.alive && f.sector == sector)
                    .map(|(id, (_, &fc))| {
                        let (x, y) = kit.world.xy(fc);
                        ((x as i64 - cx as i64).pow(2) + (y as i64 - cy as i64).pow(2), id as u32)
                    })
                    .min()
                    .map(|(_, id)| id);
                assert_eq!(index.nearest(&kit.firms.records, &kit.world, c, sector), scan, "cell {c}, sector {sector}");
            }
        }
    }
}
