//! Space: the grid of cells with districts, hubs, land capacities and amenity; travel times; the
//! knowledge spillover field.

mod fields;
mod spillover;
mod travel;

pub use fields::Fields;
pub use spillover::spillover_field;
pub use travel::{TransitLine, Travel};

use crate::scenario::{HubSpec, LayerKind, Scenario};

/// Index of a cell: `y * width + x`.
pub type Cell = u32;

/// A named district with its cells counted.
#[derive(Clone, Debug, PartialEq)]
pub struct District {
    pub name: String,
    pub name_zh: String,
    pub cells: usize,
}

/// The static map of the corridor (transit lines open over time; see [`Travel`]).
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub width: usize,
    pub height: usize,
    pub cell_km: f64,
    /// District id per cell; -1 is outside every district.
    pub district: Vec<i16>,
    pub amenity: Vec<f32>,
    /// Land for housing, in real units.
    pub housing_capacity: Vec<f32>,
    /// Initial housing stock, in real units.
    pub initial_housing: Vec<f32>,
    /// Land for office jobs, in people.
    pub office_capacity: Vec<f32>,
    /// Office capacity summed over cells in cell order (for drawing a cell by office land).
    pub office_cum: Vec<f64>,
    /// Distance to the nearest hub, km (a large number without hubs).
    pub hub_km: Vec<f32>,
    pub districts: Vec<District>,
    pub hubs: Vec<HubSpec>,
    /// The cell of each lab site, existing sites first, then the labs of the `labs.new` lever.
    pub lab_cells: Vec<Cell>,
    pub travel: Travel,
}

impl World {
    pub fn build(s: &Scenario) -> World {
        let g = &s.grid;
        let (w, h) = (g.width as usize, g.height as usize);
        let n = w * h;
        let mut district = vec![-1i16; n];
        for (i, d) in s.districts.iter().enumerate() {
            for y in d.y0..=d.y1 {
                for x in d.x0..=d.x1 {
                    district[y as usize * w + x as usize] = i as i16;
                }
            }
        }
        let hubs = s.hubs.clone();
        let mut amenity = vec![0f32; n];
        let mut housing_capacity = vec![0f32; n];
        let mut office_capacity = vec![0f32; n];
        for y in 0..h {
            for x in 0..w {
                let c = y * w + x;
                let (mut am, mut hw, mut ow) = (g.base_amenity, 0.08, 0.02);
                for hb in &s.hubs {
                    let dx = (x as f64 + 0.5 - hb.x) * g.cell_km;
                    let dy = (y as f64 + 0.5 - hb.y) * g.cell_km;
                    let d2 = (dx * dx + dy * dy) / (hb.radius_km * hb.radius_km);
                    let k = (-d2).exp();
                    am += hb.amenity * k;
                    hw += hb.housing * k;
                    ow += hb.office * k;
                }
                amenity[c] = am.clamp(0.0, 1.0) as f32;
                housing_capacity[c] = (g.housing_capacity * hw.min(1.5)) as f32;
                office_capacity[c] = (g.office_capacity * ow.min(1.5)) as f32;
            }
        }
        let mut initial_housing: Vec<f32> =
            housing_capacity.iter().map(|&c| c * g.initial_housing_fill as f32).collect();
        for layer in &g.layers {
            let vals = &layer.values;
            if vals.len() != n {
                continue;
            }
            for c in 0..n {
                let v = vals[c];
                match layer.layer {
                    LayerKind::Amenity => amenity[c] = v.clamp(0.0, 1.0) as f32,
                    LayerKind::HousingCapacity => housing_capacity[c] = v.max(0.0) as f32,
                    LayerKind::OfficeCapacity => office_capacity[c] = v.max(0.0) as f32,
                    LayerKind::InitialHousing => initial_housing[c] = v.max(0.0) as f32,
                    LayerKind::District => {
                        district[c] = if v >= 0.0 && (v as usize) < s.districts.len() { v as i16 } else { -1 }
                    }
                }
            }
        }
        for c in 0..n {
            initial_housing[c] = initial_housing[c].min(housing_capacity[c]);
        }
        let districts = s
            .districts
            .iter()
            .enumerate()
            .map(|(i, d)| District {
                name: d.name.clone(),
                name_zh: d.name_zh.clone(),
                cells: district.iter().filter(|&&x| x == i as i16).count(),
            })
            .collect();
        let travel = Travel::build(s, w, h);
        let hub_km = (0..n)
            .map(|c| {
                let (x, y) = ((c % w) as f64 + 0.5, (c / w) as f64 + 0.5);
                s.hubs
                    .iter()
                    .map(|hb| ((x - hb.x).powi(2) + (y - hb.y).powi(2)).sqrt() * g.cell_km)
                    .fold(1.0e4, f64::min) as f32
            })
            .collect();
        let office_cum = office_capacity
            .iter()
            .scan(0.0, |acc, &c| {
                *acc += c as f64;
                Some(*acc)
            })
            .collect();
        let mut world = World {
            width: w,
            height: h,
            cell_km: g.cell_km,
            district,
            amenity,
            housing_capacity,
            initial_housing,
            office_capacity,
            office_cum,
            hub_km,
            districts,
            hubs,
            lab_cells: Vec::new(),
            travel,
        };
        world.lab_cells = s.labs.sites.iter().chain(&s.labs.new).map(|l| world.cell_at(l.x, l.y)).collect();
        world
    }

    pub fn cells(&self) -> usize {
        self.width * self.height
    }

    #[inline]
    pub fn xy(&self, c: Cell) -> (usize, usize) {
        (c as usize % self.width, c as usize / self.width)
    }

    /// The cell holding point (x, y), clamped to the grid.
    pub fn cell_at(&self, x: f64, y: f64) -> Cell {
        let cx = (x.floor().max(0.0) as usize).min(self.width - 1);
        let cy = (y.floor().max(0.0) as usize).min(self.height - 1);
        (cy * self.width + cx) as Cell
    }

    /// Distance from a cell centre to a point in cell coordinates, km.
    pub fn distance_to_point_km(&self, a: Cell, x: f64, y: f64) -> f64 {
        let (ax, ay) = self.xy(a);
        let dx = ax as f64 + 0.5 - x;
        let dy = ay as f64 + 0.5 - y;
        (dx * dx + dy * dy).sqrt() * self.cell_km
    }

    /// Door-to-door commute, minutes one way, by the faster of road and open transit.
    #[inline]
    pub fn commute_min(&self, a: Cell, b: Cell, month: u32) -> f64 {
        self.travel.commute_min(a, b, month, self.width)
    }

    /// Distance from a cell to the nearest hub, km (infinite without hubs).
    pub fn distance_to_nearest_hub_km(&self, c: Cell) -> f64 {
        self.hub_km[c as usize] as f64
    }
}
