//! Housing: typed unit stocks per cell (market, talent, shared-ownership), market rents that
//! follow demand over supply, and a construction pipeline of projects started by developers and
//! by policy.
//!
//! Stocks are counted in agent units: one unit houses one talent agent, i.e. `agent_scale` real
//! households.

use crate::policy::{Lever, PerLever};
use crate::prices::MONTHS_PER_YEAR;
use crate::rng::{Purpose, Stream};
use crate::scenario::{PolicyHousingLever, Scenario};
use crate::world::{Cell, World};

pub const MARKET: usize = 0;
pub const TALENT: usize = 1;
pub const SHARED: usize = 2;

/// A housing project in the pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub stock: usize,
    pub cell: Cell,
    /// Units in agent units.
    pub units: u32,
    pub start_month: u32,
    pub completion_month: u32,
}

/// Policy units completed in one month: the public asset they are (see [`Housing::asset_value`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyCohort {
    pub stock: usize,
    pub completion_month: u32,
    pub units: u32,
}

/// The housing stock: units and occupancy by type and cell, land, the construction pipeline, and
/// the month's demand that found no unit. Market rents are prices
/// ([`crate::prices::Prices::rent`]); they change in [`Housing::update_rents`].
#[derive(Clone, Debug, PartialEq)]
pub struct Housing {
    /// Units per stock type and cell (agent units).
    pub units: [Vec<u32>; 3],
    /// Occupied units per stock type and cell.
    pub occupied: [Vec<u32>; 3],
    /// Land for housing per cell, agent units.
    pub capacity: Vec<u32>,
    pub projects: Vec<Project>,
    /// Units completed this month (agent units).
    pub completed: u32,
    /// This month's households (agent units) that wanted a market unit of the cell most and did
    /// not get one (see `talent::residence`).
    pub unmet: Vec<f32>,
    /// This month's households (agent units) that wanted a home in the corridor and found none.
    pub shortage: f64,
    /// Talent and shared-ownership units completed, by month.
    pub policy_built: Vec<PolicyCohort>,
}

impl Housing {
    /// The initial stock, drawn (stochastic rounding to agent units) from the run's seed.
    pub fn new(s: &Scenario, world: &World, seed: u64) -> Housing {
        let n = world.cells();
        let scale = s.agent_scale;
        let mut market = vec![0u32; n];
        let mut capacity = vec![0u32; n];
        let mut rng = Stream::new(seed, Purpose::Init, 1, 0);
        for c in 0..n {
            capacity[c] = stochastic_round(world.housing_capacity[c] as f64 / scale, &mut rng);
            market[c] = stochastic_round(world.initial_housing[c] as f64 / scale, &mut rng).min(capacity[c]);
        }
        Housing {
            units: [market, vec![0; n], vec![0; n]],
            occupied: [vec![0; n], vec![0; n], vec![0; n]],
            capacity,
            projects: Vec::new(),
            completed: 0,
            unmet: vec![0.0; n],
            shortage: 0.0,
            policy_built: Vec::new(),
        }
    }

    /// A new month of residential choice: no demand has been turned away yet.
    pub fn reset_demand(&mut self) {
        self.unmet.iter_mut().for_each(|x| *x = 0.0);
        self.shortage = 0.0;
    }

    /// Value of the public asset the policy units are in `month`, yuan by lever: each unit's
    /// cost, written off linearly over `building_life_years` from its completion.
    pub fn asset_value(&self, s: &Scenario, month: u32) -> PerLever<f64> {
        let mut v = PerLever::default();
        let life = s.housing.building_life_years * MONTHS_PER_YEAR;
        for c in &self.policy_built {
            let lever = policy_lever(s, c.stock);
            let age = month.saturating_sub(c.completion_month) as f64;
            v[lever_of(c.stock)] += c.units as f64 * s.agent_scale * lever.cost_per_unit * (1.0 - age / life).max(0.0);
        }
        v
    }

    /// Cells of the grid.
    pub fn cells(&self) -> usize {
        self.capacity.len()
    }

    pub fn vacant(&self, stock: usize, c: usize) -> u32 {
        self.units[stock][c].saturating_sub(self.occupied[stock][c])
    }

    /// Vacant units of a stock over all cells.
    pub fn vacant_units(&self, stock: usize) -> u64 {
        (0..self.cells()).map(|c| self.vacant(stock, c) as u64).sum()
    }

    pub fn total_units(&self, c: usize) -> u32 {
        self.units[0][c] + self.units[1][c] + self.units[2][c]
    }

    /// Median market rent over market units (each unit counts once); None without market units.
    pub fn median_market_rent(&self, rent: &[f32]) -> Option<f64> {
        let mut rents: Vec<(f32, u32)> =
            rent.iter().zip(&self.units[MARKET]).filter(|(_, &u)| u > 0).map(|(&r, &u)| (r, u)).collect();
        rents.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: u64 = rents.iter().map(|r| r.1 as u64).sum();
        let mut acc = 0u64;
        for (r, u) in rents {
            acc += u as u64;
            if acc * 2 >= total {
                return Some(r as f64);
            }
        }
        None
    }

    /// Units in the pipeline per cell.
    pub fn pipeline_by_cell(&self, n: usize) -> Vec<u32> {
        let mut p = vec![0u32; n];
        for pr in &self.projects {
            p[pr.cell as usize] += pr.units;
        }
        p
    }

    /// Completes the projects due this month.
    pub fn complete_projects(&mut self, month: u32) {
        self.completed = 0;
        let mut keep = Vec::with_capacity(self.projects.len());
        let mut policy = [0u32; 3];
        for p in self.projects.drain(..) {
            if p.completion_month <= month {
                self.units[p.stock][p.cell as usize] += p.units;
                self.completed += p.units;
                policy[p.stock] += p.units;
            } else {
                keep.push(p);
            }
        }
        self.projects = keep;
        for stock in [TALENT, SHARED] {
            if policy[stock] > 0 {
                self.policy_built.push(PolicyCohort { stock, completion_month: month, units: policy[stock] });
            }
        }
    }

    /// Where rents change: r <- r clip((D / S)^lambda, min^(1/12), max^(1/12)), with demand D the
    /// occupied market units plus the month's households that wanted the cell and did not get
    /// one, and supply S the market units at the natural vacancy, units (1 - v*). UrbanSim's
    /// supply-and-demand step multiplies prices by clip(D / S, 0.75, 1.25) once a simulated year
    /// (Waddell 2002; `urbansim.models.supplydemand`); here lambda = 1/12 spreads that over the
    /// months. Cells with fewer than `rent_min_units` market units follow their district's D / S.
    /// No rent falls below `min_rent` times the wage trend `trend` (a unit's operating cost).
    pub fn update_rents(&self, s: &Scenario, world: &World, trend: f64, rent: &mut [f32]) {
        let h = &s.housing;
        let nd = world.districts.len() + 1;
        let mut d_units = vec![0.0f64; nd];
        let mut d_demand = vec![0.0f64; nd];
        let demand = |c: usize| self.occupied[MARKET][c] as f64 + self.unmet[c] as f64;
        for c in 0..world.cells() {
            let d = (world.district[c] + 1) as usize;
            d_units[d] += self.units[MARKET][c] as f64;
            d_demand[d] += demand(c);
        }
        let occupancy = 1.0 - h.natural_vacancy;
        let (lo, hi) = (h.rent_change_min.powf(1.0 / MONTHS_PER_YEAR), h.rent_change_max.powf(1.0 / MONTHS_PER_YEAR));
        let floor = h.min_rent * trend;
        for c in 0..world.cells() {
            let u = self.units[MARKET][c] as f64;
            let (dem, units) = if u >= h.rent_min_units && u > 0.0 {
                (demand(c), u)
            } else {
                let d = (world.district[c] + 1) as usize;
                (d_demand[d], d_units[d])
            };
            let ratio = if units > 0.0 && occupancy > 0.0 { dem / (units * occupancy) } else { 1.0 };
            let change = ratio.powf(h.rent_lambda).clamp(lo, hi);
            let next = rent[c] as f64 * change;
            rent[c] = if next < floor { floor } else { next } as f32;
        }
    }

    /// January: developers start market projects where price / cost beats the hurdle, best
    /// ratio first, up to the land left and the year's land quota. The construction cost grows
    /// with the wage trend `trend`.
    pub fn start_market_projects(
        &mut self,
        s: &Scenario,
        world: &World,
        rent: &[f32],
        trend: f64,
        month: u32,
        year: i32,
    ) -> u32 {
        let h = &s.housing;
        let lq = &h.land_quota;
        if year < lq.start_year || year > lq.end_year {
            return 0;
        }
        let mut quota = (lq.units_per_year / s.agent_scale).round() as u64;
        let n = world.cells();
        let pipeline = self.pipeline_by_cell(n);
        // Developers stay out of districts whose market vacancy is well above the natural rate.
        let nd = world.districts.len() + 1;
        let (mut du, mut dv) = (vec![0u64; nd], vec![0u64; nd]);
        for c in 0..n {
            let d = (world.district[c] + 1) as usize;
            du[d] += self.units[MARKET][c] as u64;
            dv[d] += self.vacant(MARKET, c) as u64;
        }
        let mut candidates: Vec<(f64, usize, u32)> = Vec::new();
        let max_units = (h.max_project_units / s.agent_scale).max(1.0);
        for c in 0..n {
            let built = self.total_units(c) + pipeline[c];
            let land = self.capacity[c].saturating_sub(built);
            if land == 0 {
                continue;
            }
            let ratio = rent[c] as f64 * h.price_to_rent_months / (h.construction_cost * trend);
            if ratio <= h.developer_hurdle {
                continue;
            }
            let u = self.units[MARKET][c];
            let vac = if u > 0 { self.vacant(MARKET, c) as f64 / u as f64 } else { 0.0 };
            let d = (world.district[c] + 1) as usize;
            let dvac = if du[d] > 0 { dv[d] as f64 / du[d] as f64 } else { 0.0 };
            if vac > h.developer_max_vacancy * h.natural_vacancy
                || dvac > h.developer_max_district_vacancy * h.natural_vacancy
            {
                continue;
            }
            let want = (max_units * ((ratio - h.developer_hurdle) / h.developer_hurdle).min(1.0)).ceil() as u32;
            let units = want.min(land);
            if units > 0 {
                candidates.push((ratio, c, units));
            }
        }
        // Best ratio first; ties by cell index (a total, deterministic order).
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut started = 0;
        for (_, c, units) in candidates {
            if quota == 0 {
                break;
            }
            let u = (units as u64).min(quota) as u32;
            quota -= u as u64;
            started += u;
            self.projects.push(Project {
                stock: MARKET,
                cell: c as Cell,
                units: u,
                start_month: month,
                completion_month: month + h.build_lag_months,
            });
        }
        started
    }

    /// January: policy projects (talent or shared-ownership units) placed near the named hubs in
    /// turn, on the cell with most land left within reach; returns units started (agent units).
    pub fn start_policy_projects(
        &mut self,
        s: &Scenario,
        world: &World,
        lever: &PolicyHousingLever,
        stock: usize,
        month: u32,
        year: i32,
    ) -> u32 {
        if year < lever.start_year || year > lever.end_year || lever.units_per_year <= 0.0 {
            return 0;
        }
        let n = world.cells();
        let mut left = (lever.units_per_year / s.agent_scale).round() as u32;
        let mut started = 0;
        let per_project = ((s.housing.max_project_units / s.agent_scale).round() as u32).max(1);
        let mut pipeline = self.pipeline_by_cell(n);
        let (hubs, districts) = lever_scope(lever, world);
        // Each hub's candidate cells (in the districts, within reach) by score land · exp(−d/r),
        // best first and then the lowest cell, as a scan of every cell would choose them. Land
        // only shrinks, so a heap entry can only overstate its cell's score: an entry is
        // rescored when it reaches the top, and the top whose score is current is the best.
        let eligible = |c: usize| districts.is_empty() || districts.contains(&world.district[c]);
        let weight = |hub: usize, c: usize| -> Option<f64> {
            if hub == usize::MAX {
                return Some(1.0);
            }
            let h = &world.hubs[hub];
            let d = world.distance_to_point_km(c as Cell, h.x, h.y);
            (d <= s.housing.policy_site_reach * h.radius_km).then(|| (-d / h.radius_km).exp())
        };
        let land_of = |housing: &Housing, pipeline: &[u32], c: usize| {
            housing.capacity[c].saturating_sub(housing.total_units(c) + pipeline[c])
        };
        let mut heaps: Vec<std::collections::BinaryHeap<SiteScore>> = hubs
            .iter()
            .map(|&hub| {
                (0..n)
                    .filter(|&c| eligible(c))
                    .filter_map(|c| {
                        let land = land_of(self, &pipeline, c);
                        let w = weight(hub, c)?;
                        (land > 0).then_some(SiteScore { score: land as f64 * w, cell: c, weight: w })
                    })
                    .collect()
            })
            .collect();
        let mut turn = 0;
        let mut failures = 0;
        while left > 0 && failures < hubs.len() {
            let k = turn % hubs.len();
            turn += 1;
            let mut best: Option<(usize, u32, f64)> = None;
            while let Some(top) = heaps[k].pop() {
                let land = land_of(self, &pipeline, top.cell);
                if land == 0 {
                    continue;
                }
                let score = land as f64 * top.weight;
                if score == top.score {
                    best = Some((top.cell, land, top.weight));
                    break;
                }
                heaps[k].push(SiteScore { score, ..top });
            }
            match best {
                Some((c, land, w)) => {
                    failures = 0;
                    let u = left.min(per_project).min(land);
                    left -= u;
                    started += u;
                    pipeline[c] += u;
                    self.projects.push(Project {
                        stock,
                        cell: c as Cell,
                        units: u,
                        start_month: month,
                        completion_month: month + s.housing.build_lag_months,
                    });
                    let land = land_of(self, &pipeline, c);
                    if land > 0 {
                        heaps[k].push(SiteScore { score: land as f64 * w, cell: c, weight: w });
                    }
                }
                None => failures += 1,
            }
        }
        started
    }
}

/// Where a policy programme builds: the indices of its hubs in turn (`usize::MAX` alone for
/// anywhere) and of its districts (empty for any).
fn lever_scope(lever: &PolicyHousingLever, world: &World) -> (Vec<usize>, Vec<i16>) {
    let hubs = if lever.near_hubs.is_empty() {
        vec![usize::MAX]
    } else {
        lever.near_hubs.iter().filter_map(|name| world.hubs.iter().position(|h| &h.name == name)).collect()
    };
    let districts = lever
        .districts
        .iter()
        .filter_map(|name| world.districts.iter().position(|d| &d.name == name).map(|i| i as i16))
        .collect();
    (hubs, districts)
}

/// A candidate site of a policy project: its score (land left times the hub's distance
/// weight), ordered by score and then by the lower cell first.
#[derive(Clone, Copy, Debug)]
struct SiteScore {
    score: f64,
    cell: usize,
    weight: f64,
}

impl PartialEq for SiteScore {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for SiteScore {}
impl PartialOrd for SiteScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SiteScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score.total_cmp(&other.score).then(other.cell.cmp(&self.cell))
    }
}

/// Market rents at the start: the base rent raised by amenity and by the hubs' rent premia.
pub fn initial_rents(s: &Scenario, world: &World) -> Vec<f32> {
    (0..world.cells())
        .map(|c| {
            let premium: f64 = s
                .hubs
                .iter()
                .map(|h| {
                    let d = world.distance_to_point_km(c as Cell, h.x, h.y);
                    h.rent_premium * (-(d / h.radius_km).powi(2)).exp()
                })
                .sum();
            (s.housing.base_rent * (1.0 + s.housing.amenity_rent_premium * world.amenity[c] as f64 + premium)) as f32
        })
        .collect()
}

/// The programme of a policy stock.
pub fn policy_lever(s: &Scenario, stock: usize) -> &PolicyHousingLever {
    if stock == TALENT {
        &s.housing.talent_units
    } else {
        &s.housing.shared_ownership_units
    }
}

/// The cost account of a policy stock.
pub fn lever_of(stock: usize) -> Lever {
    if stock == TALENT {
        Lever::TalentHousing
    } else {
        Lever::SharedOwnership
    }
}

/// Rounds up or down with probability equal to the fraction, so totals are unbiased at any scale.
pub fn stochastic_round(x: f64, rng: &mut Stream) -> u32 {
    let f = x.floor();
    let extra = if rng.chance(x - f) { 1.0 } else { 0.0 };
    (f + extra).max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::testkit::{cell, Kit};

    /// The placement as a scan of every cell for every project (the rule the heaps implement).
    fn scan_policy_sites(
        housing: &Housing,
        s: &Scenario,
        world: &World,
        lever: &PolicyHousingLever,
    ) -> Vec<(Cell, u32)> {
        let n = world.cells();
        let mut left = (lever.units_per_year / s.agent_scale).round() as u32;
        let per_project = ((s.housing.max_project_units / s.agent_scale).round() as u32).max(1);
        let mut pipeline = housing.pipeline_by_cell(n);
        let (hubs, districts) = lever_scope(lever, world);
        let (mut placed, mut turn, mut failures) = (Vec::new(), 0, 0);
        while left > 0 && failures < hubs.len() {
            let hub = hubs[turn % hubs.len()];
            turn += 1;
            let mut best: Option<(f64, usize, u32)> = None;
            for c in 0..n {
                if !districts.is_empty() && !districts.contains(&world.district[c]) {
                    continue;
                }
                let land = housing.capacity[c].saturating_sub(housing.total_units(c) + pipeline[c]);
                if land == 0 {
                    continue;
                }
                let score = if hub == usize::MAX {
                    land as f64
                } else {
                    let h = &world.hubs[hub];
                    let d = world.distance_to_point_km(c as Cell, h.x, h.y);
                    if d > s.housing.policy_site_reach * h.radius_km {
                        continue;
                    }
                    land as f64 * (-d / h.radius_km).exp()
                };
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, c, land));
                }
            }
            match best {
                Some((_, c, land)) => {
                    failures = 0;
                    let u = left.min(per_project).min(land);
                    left -= u;
                    pipeline[c] += u;
                    placed.push((c as Cell, u));
                }
                None => failures += 1,
            }
        }
        placed
    }

    #[test]
    fn policy_projects_go_where_a_scan_of_every_cell_would_put_them() {
        // Uneven land with ties, cells already built and in the pipeline, two hubs in turn, one
        // hub, no hub, a district filter, and programmes that run out of land.
        let mut s = crate::agents::testkit::scenario();
        s.hubs.push(crate::scenario::HubSpec {
            name: "west".into(),
            x: 1.0,
            y: 1.0,
            radius_km: 1.5,
            ..Default::default()
        });
        s.housing.max_project_units = 7.0;
        s.housing.policy_site_reach = 2.0;
        let base = Kit::with(s.clone());
        let mut housing = base.housing.clone();
        for c in 0..base.world.cells() {
            housing.capacity[c] = [0, 12, 12, 30, 5, 12, 0, 25][c % 8] + (c as u32 % 3);
            housing.units[MARKET][c] = (c as u32 * 7) % 4;
        }
        housing.projects.push(Project { stock: TALENT, cell: 3, units: 6, start_month: 0, completion_month: 24 });
        let levers = [
            (vec!["centre", "west"], vec![], 60.0),
            (vec!["west"], vec![], 400.0),
            (vec![], vec![], 90.0),
            (vec!["centre", "west"], vec!["east"], 1000.0),
        ];
        for (hubs, districts, units) in levers {
            let lever = PolicyHousingLever {
                units_per_year: units,
                near_hubs: hubs.iter().map(|x| x.to_string()).collect(),
                districts: districts.iter().map(|x| x.to_string()).collect(),
                ..Default::default()
            };
            let expected = scan_policy_sites(&housing, &s, &base.world, &lever);
            let mut h = housing.clone();
            h.start_policy_projects(&s, &base.world, &lever, TALENT, 0, s.start_year);
            let placed: Vec<(Cell, u32)> =
                h.projects[housing.projects.len()..].iter().map(|p| (p.cell, p.units)).collect();
            assert!(!expected.is_empty());
            assert_eq!(placed, expected, "hubs {hubs:?}, districts {districts:?}, {units} units");
        }
    }

    #[test]
    fn the_initial_stock_is_drawn_from_the_run_seed() {
        // Fractional agent units per cell: stochastic rounding makes the stock a draw.
        let mut s = crate::agents::testkit::scenario();
        s.agent_scale = 7.0;
        s.seed = 1;
        let world = World::build(&s);
        let (one, two) = (Housing::new(&s, &world, 1), Housing::new(&s, &world, 2));
        assert_ne!(one.units[MARKET], two.units[MARKET], "--seed 1 and --seed 2 give different stocks");
        assert_eq!(one.units[MARKET], Housing::new(&s, &world, 1).units[MARKET], "the same seed, the same stock");
        s.seed = 2;
        assert_eq!(one.units[MARKET], Housing::new(&s, &world, 1).units[MARKET], "the scenario's seed key is not read");
    }

    #[test]
    fn no_rent_falls_below_the_operating_cost_grown_with_the_wage_trend() {
        // An empty cell: its rent falls at the yearly limit until it reaches `min_rent` times the
        // trend, and stays there (a landlord leaves the unit empty rather than let it for less).
        let mut kit = Kit::new();
        kit.s.housing.min_rent = 300.0;
        let mut housing = kit.housing.clone();
        let empty = cell(3, 1);
        housing.units[MARKET][empty as usize] = 100;
        let mut rent = vec![1000.0f32; kit.world.cells()];
        let trend = 1.1;
        for _ in 0..120 {
            housing.update_rents(&kit.s, &kit.world, trend, &mut rent);
        }
        assert!((rent[empty as usize] as f64 - 330.0).abs() < 1e-3, "{}", rent[empty as usize]);
        // Without a floor it keeps falling (ten years at 0.75 a year: 1000 * 0.75^10 = 56).
        kit.s.housing.min_rent = 0.0;
        let mut free = vec![1000.0f32; kit.world.cells()];
        for _ in 0..120 {
            housing.update_rents(&kit.s, &kit.world, trend, &mut free);
        }
        assert!(free[empty as usize] < 60.0, "{}", free[empty as usize]);
    }

    #[test]
    fn rents_follow_demand_over_supply_within_the_yearly_limits() {
        let kit = Kit::new();
        let h = &kit.s.housing;
        let mut housing = kit.housing.clone();
        let (tight, slack, crash, short) = (cell(1, 1), cell(2, 1), cell(3, 1), cell(1, 2));
        for (c, occupied, unmet) in [(tight, 99, 0.0), (slack, 80, 0.0), (crash, 0, 0.0), (short, 100, 12.0)] {
            housing.units[MARKET][c as usize] = 100;
            housing.occupied[MARKET][c as usize] = occupied;
            housing.unmet[c as usize] = unmet;
        }
        let mut rent = vec![1000.0f32; kit.world.cells()];
        housing.update_rents(&kit.s, &kit.world, 1.0, &mut rent);
        let (lo, hi) = (h.rent_change_min.powf(1.0 / 12.0), h.rent_change_max.powf(1.0 / 12.0));
        let expect =
            |demand: f64| 1000.0 * (demand / (100.0 * (1.0 - h.natural_vacancy))).powf(h.rent_lambda).clamp(lo, hi);
        assert!((rent[tight as usize] as f64 - expect(99.0)).abs() < 1e-3);
        assert!(rent[tight as usize] > 1000.0, "below the natural vacancy rents rise");
        assert!((rent[slack as usize] as f64 - expect(80.0)).abs() < 1e-3);
        assert!(rent[slack as usize] < 1000.0);
        assert!((rent[crash as usize] as f64 - 1000.0 * lo).abs() < 1e-3, "clipped");
        // Households that wanted the cell and did not get it count as demand: a shortage of 12 %
        // of the units raises the rent faster than 5 % a year.
        assert!((rent[short as usize] as f64 - expect(112.0)).abs() < 1e-3);
        assert!((rent[short as usize] as f64 / 1000.0).powi(12) > 1.05);
        // A cell with fewer than `rent_min_units` market units follows its district's demand
        // over supply (west: the four cells above, 291 demanded of 400 units).
        let small = cell(0, 3);
        assert!(
            (rent[small as usize] as f64 - 1000.0 * (291.0 / 380.0f64).powf(h.rent_lambda).clamp(lo, hi)).abs() < 1e-3
        );
    }

    #[test]
    fn the_median_rent_counts_each_market_unit_once() {
        let kit = Kit::new();
        let mut housing = kit.housing.clone();
        let mut rent = vec![0.0f32; kit.world.cells()];
        for (c, units, r) in [(cell(0, 0), 3, 100.0), (cell(1, 0), 1, 500.0), (cell(2, 0), 1, 900.0)] {
            housing.units[MARKET][c as usize] = units;
            rent[c as usize] = r;
        }
        assert_eq!(housing.median_market_rent(&rent), Some(100.0));
        assert_eq!(
            Housing { units: [vec![0; 32], vec![0; 32], vec![0; 32]], ..housing }.median_market_rent(&rent),
            None
        );
    }
}
