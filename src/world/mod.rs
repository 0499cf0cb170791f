//! Space: the grid of cells with districts, hubs, land capacities and amenity; travel times; the
//! knowledge spillover field.

mod fields;
mod spillover;
mod travel;

pub use fields::Fields;
pub use spillover::spillover_field;
pub use travel::{TransitLine, Travel, MINUTES_PER_HOUR};

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

/// A place outside the corridor where households live and commute in from (`grid.outside_zones`).
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideZone {
    pub name: String,
    pub name_zh: String,
    /// Centre, cell coordinates (off the grid).
    pub x: f64,
    pub y: f64,
    /// Rent of a dwelling at the start year's prices.
    pub rent: f64,
    pub amenity: f64,
    pub school_quality: f64,
    /// Minutes from a home in the zone to the station where it boards each of its lines.
    pub station_min: f64,
    /// The lines that reach the zone: (index in `Travel::lines`, boarding station).
    pub links: Vec<(usize, usize)>,
    /// Road minutes to the nearest hub (the commute counted for a person without a job).
    pub hub_min: f64,
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
    /// The commuter belt: places outside the corridor (at least one).
    pub zones: Vec<OutsideZone>,
    /// Door-to-door minutes from each zone to each cell, computed once per set of open lines.
    pub zone_minutes: ZoneMinutes,
}

/// The most memory the table of zone commutes may take; a larger map computes them on demand.
pub const ZONE_TABLE_MAX_BYTES: usize = 16 << 20;

/// [`World::zone_commute_min`] for every zone and cell, one table per period in which the same
/// transit lines reaching the zones are open (a line's opening starts a period). The values are
/// those the computation gives, so looking them up changes no result.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ZoneMinutes {
    /// The months at which a period after the first starts, ascending.
    starts: Vec<i64>,
    /// Minutes by period, zone and cell; empty when the table would exceed
    /// [`ZONE_TABLE_MAX_BYTES`].
    minutes: Vec<f64>,
    zones: usize,
    cells: usize,
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
                let (mut am, mut hw, mut ow) = (g.base_amenity, g.base_housing_land, g.base_office_land);
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
                housing_capacity[c] = (g.housing_capacity * hw.min(g.max_land_factor)) as f32;
                office_capacity[c] = (g.office_capacity * ow.min(g.max_land_factor)) as f32;
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
        let zones = s
            .grid
            .outside_zones
            .iter()
            .map(|z| {
                let links = z
                    .lines
                    .iter()
                    .filter_map(|name| travel.lines.iter().position(|l| &l.name == name))
                    .map(|l| (l, travel.lines[l].nearest_station(z.x, z.y)))
                    .collect();
                let hub_cells = s
                    .hubs
                    .iter()
                    .map(|hb| ((z.x - hb.x).powi(2) + (z.y - hb.y).powi(2)).sqrt())
                    .fold(f64::INFINITY, f64::min);
                OutsideZone {
                    name: z.name.clone(),
                    name_zh: z.name_zh.clone(),
                    x: z.x,
                    y: z.y,
                    rent: z.rent,
                    amenity: z.amenity,
                    school_quality: z.school_quality,
                    station_min: z.station_min,
                    links,
                    hub_min: if hub_cells.is_finite() { travel.road_of_cells(hub_cells) } else { travel.terminal_min },
                }
            })
            .collect();
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
            zones,
            zone_minutes: ZoneMinutes::default(),
        };
        world.lab_cells = s.labs.sites.iter().chain(&s.labs.new).map(|l| world.cell_at(l.x, l.y)).collect();
        world.zone_minutes = ZoneMinutes::build(&world);
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

    /// Door-to-door commute from outside zone `z` to cell `b`, minutes one way: by road, or by
    /// an open line that reaches the zone (the minutes to its boarding station, then the ride).
    #[inline]
    pub fn zone_commute_min(&self, z: usize, b: Cell, month: u32) -> f64 {
        match self.zone_minutes.get(z, b, month) {
            Some(minutes) => minutes,
            None => self.zone_commute_computed(z, b, month),
        }
    }

    /// [`World::zone_commute_min`] computed from the roads and lines.
    fn zone_commute_computed(&self, z: usize, b: Cell, month: u32) -> f64 {
        let zone = &self.zones[z];
        let mut best = self.travel.road_from_point_min(zone.x, zone.y, b, self.width);
        for &(l, station) in &zone.links {
            if (month as i64) < self.travel.lines[l].open_month {
                continue;
            }
            if let Some(ride) = self.travel.ride_from_station_min(l, station, b) {
                best = best.min(zone.station_min + ride);
            }
        }
        best
    }

    /// Distance from a cell to the nearest hub, km (infinite without hubs).
    pub fn distance_to_nearest_hub_km(&self, c: Cell) -> f64 {
        self.hub_km[c as usize] as f64
    }
}

impl ZoneMinutes {
    /// The table of `world`'s zones (its own `zone_minutes` is not read).
    fn build(world: &World) -> ZoneMinutes {
        let (zones, cells) = (world.zones.len(), world.cells());
        // Lines reaching a zone that open after the first month start a period.
        let mut starts: Vec<i64> = world
            .zones
            .iter()
            .flat_map(|z| z.links.iter().map(|&(l, _)| world.travel.lines[l].open_month))
            .filter(|&m| m > 0 && m <= u32::MAX as i64)
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let periods = starts.len() + 1;
        if periods.saturating_mul(zones).saturating_mul(cells).saturating_mul(8) > ZONE_TABLE_MAX_BYTES {
            return ZoneMinutes { starts, minutes: Vec::new(), zones, cells };
        }
        let mut minutes = Vec::with_capacity(periods * zones * cells);
        for p in 0..periods {
            let month = if p == 0 { 0 } else { starts[p - 1] as u32 };
            for z in 0..zones {
                minutes.extend((0..cells).map(|b| world.zone_commute_computed(z, b as Cell, month)));
            }
        }
        ZoneMinutes { starts, minutes, zones, cells }
    }

    /// The minutes from zone `z` to cell `b` in `month`, if the table holds them.
    #[inline]
    fn get(&self, z: usize, b: Cell, month: u32) -> Option<f64> {
        if self.minutes.is_empty() {
            return None;
        }
        let period = self.starts.partition_point(|&m| m <= month as i64);
        self.minutes.get((period * self.zones + z) * self.cells + b as usize).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tiny corridor with its line opening in its third year: the table's minutes are the
    /// computed ones for every zone, cell and month, before, at and after the opening.
    #[test]
    fn zone_minutes_are_the_computed_ones_in_every_period() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tiny.toml");
        let sets = vec!["transit.lines.line_1.open_year=2024".to_string()];
        let s = crate::scenario::load(&path, &sets).unwrap().scenario;
        let world = World::build(&s);
        assert_eq!(world.zone_minutes.starts, vec![24], "one period starts when the line opens");
        assert!(!world.zone_minutes.minutes.is_empty());
        let mut opened = 0;
        for month in [0, 23, 24, 25, 119] {
            for z in 0..world.zones.len() {
                for b in 0..world.cells() as Cell {
                    let computed = world.zone_commute_computed(z, b, month);
                    assert_eq!(world.zone_commute_min(z, b, month).to_bits(), computed.to_bits(), "{z} {b} {month}");
                    opened += (month >= 24 && computed < world.zone_commute_computed(z, b, 0)) as usize;
                }
            }
        }
        assert!(opened > 0, "the opening shortens some commutes");
    }
}
