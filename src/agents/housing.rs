//! Housing: typed unit stocks per cell (market, talent, shared-ownership), vacancy-driven market
//! rents, and a construction pipeline of projects started by developers and by policy.
//!
//! Stocks are counted in agent units: one unit houses one talent agent, i.e. `agent_scale` real
//! households.

use crate::policy::Lever;
use crate::rng::{Purpose, Stream};
use crate::scenario::{PolicyHousingLever, Scenario};
use crate::world::{Cell, World};

pub const MARKET: usize = 0;
pub const TALENT: usize = 1;
pub const SHARED: usize = 2;
pub const STOCK_NAMES: [&str; 3] = ["market", "talent", "shared_ownership"];

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

/// The housing stock: units and occupancy by type and cell, land, and the construction pipeline.
/// Market rents are prices ([`crate::prices::Prices::rent`]); they change in [`Housing::update_rents`].
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
}

impl Housing {
    pub fn new(s: &Scenario, world: &World) -> Housing {
        let n = world.cells();
        let scale = s.agent_scale;
        let mut market = vec![0u32; n];
        let mut capacity = vec![0u32; n];
        let mut rng = Stream::new(s.seed, Purpose::Init, 1, 0);
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
        }
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
        for p in self.projects.drain(..) {
            if p.completion_month <= month {
                self.units[p.stock][p.cell as usize] += p.units;
                self.completed += p.units;
            } else {
                keep.push(p);
            }
        }
        self.projects = keep;
    }

    /// Where rents change: r(t+1) = r(t) exp(lambda (v* - v)), clamped to +-max_rent_step; cells
    /// with fewer than 3 market units follow their district's vacancy.
    pub fn update_rents(&self, s: &Scenario, world: &World, rent: &mut [f32]) {
        let h = &s.housing;
        let nd = world.districts.len() + 1;
        let mut du = vec![0u64; nd];
        let mut dv = vec![0u64; nd];
        for c in 0..world.cells() {
            let d = (world.district[c] + 1) as usize;
            du[d] += self.units[MARKET][c] as u64;
            dv[d] += self.vacant(MARKET, c) as u64;
        }
        let step = h.max_rent_step;
        for c in 0..world.cells() {
            let u = self.units[MARKET][c];
            let v = if u >= 3 {
                self.vacant(MARKET, c) as f64 / u as f64
            } else {
                let d = (world.district[c] + 1) as usize;
                if du[d] == 0 {
                    h.natural_vacancy
                } else {
                    dv[d] as f64 / du[d] as f64
                }
            };
            let change = (h.rent_lambda * (h.natural_vacancy - v)).clamp(-step, step);
            rent[c] = (rent[c] as f64 * change.exp()) as f32;
        }
    }

    /// January: developers start market projects where price / cost beats the hurdle, best
    /// ratio first, up to the land left and the year's land quota.
    pub fn start_market_projects(&mut self, s: &Scenario, world: &World, rent: &[f32], month: u32, year: i32) -> u32 {
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
            let ratio = rent[c] as f64 * h.price_to_rent_months / h.construction_cost;
            if ratio <= h.developer_hurdle {
                continue;
            }
            let u = self.units[MARKET][c];
            let vac = if u > 0 { self.vacant(MARKET, c) as f64 / u as f64 } else { 0.0 };
            let d = (world.district[c] + 1) as usize;
            let dvac = if du[d] > 0 { dv[d] as f64 / du[d] as f64 } else { 0.0 };
            if vac > 2.0 * h.natural_vacancy || dvac > 1.5 * h.natural_vacancy {
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
        let hubs: Vec<usize> = if lever.near_hubs.is_empty() {
            vec![usize::MAX]
        } else {
            lever.near_hubs.iter().filter_map(|name| world.hubs.iter().position(|h| &h.name == name)).collect()
        };
        let districts: Vec<i16> = lever
            .districts
            .iter()
            .filter_map(|name| world.districts.iter().position(|d| &d.name == name).map(|i| i as i16))
            .collect();
        let mut turn = 0;
        let mut failures = 0;
        while left > 0 && failures < hubs.len() {
            let hub = hubs[turn % hubs.len()];
            turn += 1;
            let mut best: Option<(f64, usize, u32)> = None;
            for c in 0..n {
                if !districts.is_empty() && !districts.contains(&world.district[c]) {
                    continue;
                }
                let land = self.capacity[c].saturating_sub(self.total_units(c) + pipeline[c]);
                if land == 0 {
                    continue;
                }
                let score = if hub == usize::MAX {
                    land as f64
                } else {
                    let h = &world.hubs[hub];
                    let d = world.distance_to_point_km(c as Cell, h.x, h.y);
                    if d > 2.5 * h.radius_km.max(1.0) {
                        continue;
                    }
                    land as f64 * (-d / h.radius_km.max(0.5)).exp()
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
                    started += u;
                    pipeline[c] += u;
                    self.projects.push(Project {
                        stock,
                        cell: c as Cell,
                        units: u,
                        start_month: month,
                        completion_month: month + s.housing.build_lag_months,
                    });
                }
                None => failures += 1,
            }
        }
        started
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

    #[test]
    fn rents_rise_below_the_natural_vacancy_fall_above_it_and_move_at_most_the_step() {
        let kit = Kit::new();
        let h = &kit.s.housing;
        let mut housing = kit.housing.clone();
        let (tight, slack, crash) = (cell(1, 1), cell(2, 1), cell(3, 1));
        for (c, occupied) in [(tight, 99), (slack, 80), (crash, 0)] {
            housing.units[MARKET][c as usize] = 100;
            housing.occupied[MARKET][c as usize] = occupied;
        }
        let mut rent = vec![1000.0f32; kit.world.cells()];
        housing.update_rents(&kit.s, &kit.world, &mut rent);
        let expect =
            |v: f64| 1000.0 * (h.rent_lambda * (h.natural_vacancy - v)).clamp(-h.max_rent_step, h.max_rent_step).exp();
        assert!((rent[tight as usize] as f64 - expect(0.01)).abs() < 1e-3);
        assert!(rent[tight as usize] > 1000.0);
        assert!((rent[slack as usize] as f64 - expect(0.20)).abs() < 1e-3);
        assert!(rent[slack as usize] < 1000.0);
        assert!((rent[crash as usize] as f64 - 1000.0 * (-h.max_rent_step).exp()).abs() < 1e-3, "clamped");
        // A cell with fewer than three market units follows its district's vacancy (west: the
        // three cells above, 121 of 300 vacant).
        let small = cell(0, 3);
        assert!((rent[small as usize] as f64 - expect(121.0 / 300.0)).abs() < 1e-3);
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
