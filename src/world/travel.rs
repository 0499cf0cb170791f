//! Travel times in O(lines) per pair of cells: road time from the distance and transit time via
//! the nearest stations, with no cell-by-cell matrix.

use crate::scenario::{DistanceMetric, Scenario, TransitLineSpec};

use super::Cell;

pub const MINUTES_PER_HOUR: f64 = 60.0;

/// A transit line with, for every cell, its nearest station and the access time to it.
#[derive(Clone, Debug, PartialEq)]
pub struct TransitLine {
    pub name: String,
    pub name_zh: String,
    pub stations: Vec<[f64; 2]>,
    /// Month (since the start of the run) from which the line runs; may be negative.
    pub open_month: i64,
    pub kmh: f64,
    /// Distance along the line to each station, km.
    along_km: Vec<f64>,
    /// Per cell: nearest station index.
    nearest: Vec<u16>,
    /// Per cell: minutes to reach the nearest station (access or egress).
    access_min: Vec<f32>,
    pub is_new: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Travel {
    pub metric: DistanceMetric,
    pub cell_km: f64,
    pub road_kmh: f64,
    pub wait_min: f64,
    /// Minutes added to every road trip for parking and walking (`grid.road_terminal_min`).
    pub terminal_min: f64,
    pub lines: Vec<TransitLine>,
    /// Per cell: its column and row (exact in f32), read instead of dividing by the width.
    xy: Vec<[f32; 2]>,
    /// Per cell, for every line in turn: its nearest station and the access minutes, the lines'
    /// own tables interleaved so that a commute reads one stretch of memory per cell.
    stops: Vec<Stop>,
}

/// A cell's nearest station on a line and the minutes to reach it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Stop {
    station: u16,
    access_min: f32,
}

impl Travel {
    pub fn build(s: &Scenario, w: usize, h: usize) -> Travel {
        let mut lines = Vec::new();
        for (spec, is_new) in
            s.transit.lines.iter().map(|l| (l, false)).chain(s.transit.new_lines.iter().map(|l| (l, true)))
        {
            lines.push(build_line(s, spec, is_new, w, h));
        }
        Travel {
            metric: s.grid.distance,
            cell_km: s.grid.cell_km,
            road_kmh: s.grid.road_kmh,
            wait_min: s.transit.wait_min,
            terminal_min: s.grid.road_terminal_min,
            xy: (0..w * h).map(|c| [(c % w) as f32, (c / w) as f32]).collect(),
            stops: (0..w * h)
                .flat_map(|c| lines.iter().map(move |l| Stop { station: l.nearest[c], access_min: l.access_min[c] }))
                .collect(),
            lines,
        }
    }

    #[inline]
    pub fn road_min(&self, a: Cell, b: Cell, w: usize) -> f64 {
        debug_assert_eq!(self.xy[a as usize][1] as usize * w + self.xy[a as usize][0] as usize, a as usize);
        let ([ax, ay], [bx, by]) = (self.xy[a as usize].map(f64::from), self.xy[b as usize].map(f64::from));
        let (dx, dy) = ((ax - bx).abs(), (ay - by).abs());
        let cells = match self.metric {
            DistanceMetric::Euclidean => (dx * dx + dy * dy).sqrt(),
            DistanceMetric::Manhattan => dx + dy,
        };
        self.road_of_cells(cells)
    }

    /// Road minutes over a distance in cells: half a cell more for the trips within the origin
    /// and destination cells, and the terminal minutes of parking and walking.
    #[inline]
    pub fn road_of_cells(&self, cells: f64) -> f64 {
        (cells + 0.5) * self.cell_km / self.road_kmh * MINUTES_PER_HOUR + self.terminal_min
    }

    /// Road minutes from a point (cell coordinates, possibly off the grid) to a cell.
    pub fn road_from_point_min(&self, x: f64, y: f64, b: Cell, w: usize) -> f64 {
        let (bx, by) = ((b as usize % w) as f64 + 0.5, (b as usize / w) as f64 + 0.5);
        let (dx, dy) = ((x - bx).abs(), (y - by).abs());
        let cells = match self.metric {
            DistanceMetric::Euclidean => (dx * dx + dy * dy).sqrt(),
            DistanceMetric::Manhattan => dx + dy,
        };
        self.road_of_cells(cells)
    }

    /// Minutes by line `l` from its station `from` (boarding there) to cell `b`: the wait, the
    /// ride and the egress from the station nearest `b`; None when that is the same station.
    pub fn ride_from_station_min(&self, l: usize, from: usize, b: Cell) -> Option<f64> {
        let line = &self.lines[l];
        let to = line.nearest[b as usize] as usize;
        (to != from).then(|| {
            self.wait_min
                + (line.along_km[from] - line.along_km[to]).abs() / line.kmh * MINUTES_PER_HOUR
                + line.access_min[b as usize] as f64
        })
    }

    #[inline]
    pub fn commute_min(&self, a: Cell, b: Cell, month: u32, w: usize) -> f64 {
        let mut best = self.road_min(a, b, w);
        let n = self.lines.len();
        let (at_a, at_b) = (&self.stops[a as usize * n..][..n], &self.stops[b as usize * n..][..n]);
        for ((l, from), to) in self.lines.iter().zip(at_a).zip(at_b) {
            if (month as i64) < l.open_month {
                continue;
            }
            let sa = from.station as usize;
            let sb = to.station as usize;
            if sa == sb {
                continue;
            }
            let t = from.access_min as f64
                + self.wait_min
                + (l.along_km[sa] - l.along_km[sb]).abs() / l.kmh * MINUTES_PER_HOUR
                + to.access_min as f64;
            if t < best {
                best = t;
            }
        }
        best
    }
}

impl TransitLine {
    /// The station nearest a point in cell coordinates.
    pub fn nearest_station(&self, x: f64, y: f64) -> usize {
        let mut best = (f64::INFINITY, 0usize);
        for (i, st) in self.stations.iter().enumerate() {
            let d = (x - st[0]).powi(2) + (y - st[1]).powi(2);
            if d < best.0 {
                best = (d, i);
            }
        }
        best.1
    }
}

fn build_line(s: &Scenario, spec: &TransitLineSpec, is_new: bool, w: usize, h: usize) -> TransitLine {
    let ck = s.grid.cell_km;
    let mut along = vec![0.0];
    for i in 1..spec.stations.len() {
        let (a, b) = (spec.stations[i - 1], spec.stations[i]);
        let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt() * ck;
        along.push(along[i - 1] + d);
    }
    let mut nearest = vec![0u16; w * h];
    let mut access = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
            let mut best = (f64::INFINITY, 0usize);
            for (i, st) in spec.stations.iter().enumerate() {
                let d = ((px - st[0]).powi(2) + (py - st[1]).powi(2)).sqrt() * ck;
                if d < best.0 {
                    best = (d, i);
                }
            }
            nearest[y * w + x] = best.1 as u16;
            access[y * w + x] = (best.0 / s.transit.access_kmh * MINUTES_PER_HOUR) as f32;
        }
    }
    TransitLine {
        name: spec.name.clone(),
        name_zh: spec.name_zh.clone(),
        stations: spec.stations.clone(),
        open_month: (spec.open_year as i64 - s.start_year as i64) * 12,
        kmh: spec.kmh,
        along_km: along,
        nearest,
        access_min: access,
        is_new,
    }
}
