//! Run maps: one grid layer for one year, with district borders, transit, labs and hubs.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{bold, draw_text, draw_title, font, text_size, write_figure, Area, DrawErr, Figure};
use super::data::{read_world, Grid};
use super::format::{nice_axis, Axis};
use super::i18n::{place_name, pretty, tr};
use super::legend::{draw_colour_bar, draw_hub, draw_lab, draw_legend_rows, draw_station, LegendItem, Swatch};
use super::lines::min_max;
use super::palette::{okabe_ito, viridis, INK, MUTED, NO_DATA};
use super::timeseries::scenario_title;
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::output::WorldJson;

const TITLE_H: i32 = 72;
const LEGEND_H: i32 = 70;
const PAD: i32 = 24;
const BAR_COL: i32 = 190;
const MIN_BAR_H: i32 = 150;

/// Colour of labs on maps (Okabe-Ito orange).
const LAB: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Transit line colours: Okabe-Ito hues that stand out on viridis.
const LINE_COLOURS: [usize; 5] = [1, 4, 6, 0, 5];

/// Where the grid goes on the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    cell: f64,
    x0: f64,
    y0: f64,
    map_w: f64,
    map_h: f64,
    body_h: f64,
    canvas: (u32, u32),
}

/// Height of a row of the lab key under the legend.
const KEY_ROW: i32 = 24;
/// Labs per row of the key.
const KEY_PER_ROW: usize = 3;

fn key_rows(labs: usize) -> i32 {
    labs.div_ceil(KEY_PER_ROW) as i32
}

fn layout(grid_w: usize, grid_h: usize, labs: usize, opts: &ChartOptions) -> Layout {
    let (gw, gh) = (grid_w.max(1) as f64, grid_h.max(1) as f64);
    let avail_w = (opts.width as i32 - 2 * PAD - BAR_COL).max(100) as f64;
    let key_h = KEY_ROW * key_rows(labs);
    let avail_h = (opts.height as i32 - TITLE_H - LEGEND_H - key_h - PAD).max(60) as f64;
    let cell = (avail_w / gw).min(avail_h / gh).max(0.25);
    let (map_w, map_h) = (cell * gw, cell * gh);
    let body_h = map_h.ceil().max(MIN_BAR_H as f64 + 40.0);
    let height = (TITLE_H as f64 + body_h + (LEGEND_H + key_h) as f64 + 12.0).min(opts.height as f64);
    Layout {
        cell,
        x0: PAD as f64 + ((avail_w - map_w) / 2.0).floor(),
        y0: TITLE_H as f64 + ((body_h - map_h) / 2.0).floor(),
        map_w,
        map_h,
        body_h,
        canvas: (opts.width, height as u32),
    }
}

/// Canvas size of a map of a `grid_w` x `grid_h` grid with `labs` labs (named in a key under the
/// map): the options' width, and a height that keeps cells square (at most the options' height).
pub fn map_canvas_size(grid_w: usize, grid_h: usize, labs: usize, opts: &ChartOptions) -> (u32, u32) {
    layout(grid_w, grid_h, labs, opts).canvas
}

/// Patents per cell are heavy-tailed (lab cells hold most): the colour follows log10(1 + value).
fn log_scale(v: f64) -> f64 {
    (1.0 + v.max(0.0)).log10()
}

/// A colour axis on the log scale: ticks at 0, 1, 2, 5, 10, 20, 50, ... up to the maximum, placed
/// at log10(1 + tick), with their labels.
fn log_axis(max: f64) -> (Axis, Vec<String>) {
    let mut ticks = vec![0.0];
    let mut t = 1.0;
    while t <= max.max(1.0) * 1.0001 && ticks.len() < 40 {
        for m in [1.0, 2.0, 5.0] {
            if m * t <= max.max(1.0) * 1.0001 {
                ticks.push(m * t);
            }
        }
        t *= 10.0;
    }
    let top = *ticks.last().unwrap_or(&1.0);
    let hi = log_scale(max.max(top));
    let labels = ticks.iter().map(|v| super::format::fmt_short(*v)).collect();
    (Axis { lo: 0.0, hi, step: 1.0, ticks: ticks.into_iter().map(log_scale).collect() }, labels)
}

/// Display names of places from the resolved scenario's `title` keys (name → title).
fn place_titles(dir: &Path) -> Result<HashMap<String, String>, ChartError> {
    let path = dir.join("summary.json");
    let mut out = HashMap::new();
    if !path.is_file() {
        return Ok(out);
    }
    let summary: crate::output::SummaryJson = super::data::read_json(&path)?;
    let Some(s) = crate::report::resolved_scenario(&summary) else { return Ok(out) };
    let named = s
        .districts
        .iter()
        .map(|d| (&d.name, &d.title))
        .chain(s.hubs.iter().map(|h| (&h.name, &h.title)))
        .chain(s.transit.lines.iter().chain(&s.transit.new_lines).map(|l| (&l.name, &l.title)))
        .chain(s.labs.sites.iter().chain(&s.labs.new).map(|l| (&l.name, &l.title)));
    for (name, title) in named {
        if !title.is_empty() {
            out.insert(name.clone(), title.clone());
        }
    }
    Ok(out)
}

/// Label and unit of a layer, from the layer registry.
fn layer_info(layer: &str, lang: Lang) -> (String, String) {
    match crate::metrics::registry::LAYERS.iter().find(|l| l.name == layer) {
        Some(l) => (tr(lang, l.en, l.zh).to_string(), tr(lang, l.unit_en, l.unit_zh).to_string()),
        None => (pretty(layer), String::new()),
    }
}

/// Layers found in `layers/`: layer name → years present.
fn find_layers(dir: &Path) -> Result<BTreeMap<String, Vec<i32>>, ChartError> {
    let mut out: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(ChartError::Read { path: dir.to_path_buf(), source: e }),
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        let Some((layer, year)) = stem.rsplit_once('_') else {
            continue;
        };
        if let Ok(year) = year.parse::<i32>() {
            if !layer.is_empty() {
                out.entry(layer.to_string()).or_default().push(year);
            }
        }
    }
    for years in out.values_mut() {
        years.sort_unstable();
        years.dedup();
    }
    Ok(out)
}

/// Render maps of every layer in `layers/` for its first and last year.
pub(crate) fn render_maps(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let layers_dir = dir.join("layers");
    let found = find_layers(&layers_dir)?;
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let world = read_world(&dir.join("world.json"))?;
    let shape = Some((world.width, world.height));
    let district_path = layers_dir.join("district.csv");
    let district = if district_path.is_file() { Some(Grid::read(&district_path, shape)?) } else { None };
    let scenario = scenario_title(dir, opts.lang)?;
    let titles = place_titles(dir)?;
    let mut order: Vec<&String> = found.keys().collect();
    order.sort_by_key(|l| {
        (
            crate::metrics::LAYER_NAMES.iter().position(|k| k == l).unwrap_or(crate::metrics::LAYER_NAMES.len()),
            (*l).clone(),
        )
    });
    let mut rendered = Vec::new();
    for layer in order {
        let years = &found[layer];
        let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
            continue;
        };
        let wanted: Vec<i32> = if first == last { vec![first] } else { vec![first, last] };
        let mut grids = Vec::new();
        for &y in &wanted {
            let path = layers_dir.join(format!("{layer}_{y}.csv"));
            grids.push((y, Grid::read(&path, shape)?));
        }
        // One colour scale for both years so the maps compare.
        let inside = |i: usize| district.as_ref().is_none_or(|d| d.values.get(i).is_some_and(|v| *v >= 0.0));
        let values: Vec<f64> = grids
            .iter()
            .flat_map(|(_, g)| g.values.iter().enumerate().filter(|(i, _)| inside(*i)).map(|(_, v)| *v))
            .collect();
        let (lo, hi) = min_max(&values).unwrap_or((0.0, 1.0));
        let log = layer == "patents";
        let (axis, tick_labels) =
            if log { log_axis(hi) } else { (nice_axis(lo, hi, layer != "rent" && lo >= 0.0, 5), Vec::new()) };
        let (label, mut unit) = layer_info(layer, opts.lang);
        if log {
            unit.push_str(tr(opts.lang, ", log scale", "，对数刻度"));
        }
        for (year, grid) in &grids {
            let fig = MapFigure {
                world: &world,
                district: district.as_ref(),
                grid,
                year: *year,
                axis: &axis,
                tick_labels: &tick_labels,
                log,
                label: &label,
                unit: &unit,
                scenario: scenario.as_deref(),
                titles: &titles,
                lang: opts.lang,
                layout: layout(world.width, world.height, world.labs.len(), opts),
            };
            let stem = format!("map_{layer}_{year}");
            let (png, svg) = write_figure(&fig, out, &stem)?;
            rendered.push(RenderedChart { png, svg, title: fig.title(), section: Section::Maps });
        }
    }
    Ok(rendered)
}

struct MapFigure<'a> {
    world: &'a WorldJson,
    district: Option<&'a Grid>,
    grid: &'a Grid,
    year: i32,
    axis: &'a Axis,
    /// Labels of the colour bar's ticks when they are not the tick values (log scale).
    tick_labels: &'a [String],
    /// Colour by log10(1 + value).
    log: bool,
    label: &'a str,
    unit: &'a str,
    scenario: Option<&'a str>,
    titles: &'a HashMap<String, String>,
    lang: Lang,
    layout: Layout,
}

type Rect = (i32, i32, i32, i32);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

impl MapFigure<'_> {
    fn title(&self) -> String {
        match self.lang {
            Lang::En => format!("{}, {}", self.label, self.year),
            Lang::Zh => format!("{}年{}", self.year, self.label),
        }
    }

    fn px(&self, x: f64, y: f64) -> (i32, i32) {
        let l = &self.layout;
        ((l.x0 + x * l.cell).round() as i32, (l.y0 + y * l.cell).round() as i32)
    }

    fn title_of(&self, name: &str) -> Option<&str> {
        self.titles.get(name).map(String::as_str)
    }

    fn is_open(open_year: i32, year: i32) -> bool {
        open_year <= year
    }

    fn district_id(&self, x: usize, y: usize) -> Option<i64> {
        self.district.map(|d| {
            let v = d.at(x, y);
            if v.is_finite() {
                v.round() as i64
            } else {
                -1
            }
        })
    }

    fn draw_cells<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let span = self.axis.hi - self.axis.lo;
        for y in 0..self.grid.height {
            for x in 0..self.grid.width {
                let outside = self.district_id(x, y).is_some_and(|d| d < 0);
                let v = self.grid.at(x, y);
                let v = if self.log { log_scale(v) } else { v };
                let colour = if outside || !v.is_finite() {
                    NO_DATA
                } else {
                    viridis(if span > 0.0 { (v - self.axis.lo) / span } else { 0.5 })
                };
                let a = self.px(x as f64, y as f64);
                let b = self.px(x as f64 + 1.0, y as f64 + 1.0);
                root.draw(&Rectangle::new([a, b], colour.filled()))?;
            }
        }
        Ok(())
    }

    fn draw_borders<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let mut segs: Vec<((i32, i32), (i32, i32))> = Vec::new();
        if self.district.is_some() {
            let (w, h) = (self.grid.width, self.grid.height);
            for y in 0..h {
                for x in 0..w {
                    let id = self.district_id(x, y);
                    if x + 1 < w && id != self.district_id(x + 1, y) {
                        let xe = x as f64 + 1.0;
                        segs.push((self.px(xe, y as f64), self.px(xe, y as f64 + 1.0)));
                    }
                    if y + 1 < h && id != self.district_id(x, y + 1) {
                        let ye = y as f64 + 1.0;
                        segs.push((self.px(x as f64, ye), self.px(x as f64 + 1.0, ye)));
                    }
                }
            }
        }
        for (a, b) in &segs {
            root.draw(&PathElement::new(vec![*a, *b], INK.stroke_width(4)))?;
        }
        for (a, b) in &segs {
            root.draw(&PathElement::new(vec![*a, *b], WHITE.stroke_width(2)))?;
        }
        let (gw, gh) = (self.grid.width as f64, self.grid.height as f64);
        root.draw(&Rectangle::new([self.px(0.0, 0.0), self.px(gw, gh)], MUTED.stroke_width(1)))?;
        Ok(())
    }

    /// The district's label position: the district cell nearest the middle of its top edge.
    fn district_anchor(&self, id: i64) -> Option<(f64, f64)> {
        let mut cells = Vec::new();
        for y in 0..self.grid.height {
            for x in 0..self.grid.width {
                if self.district_id(x, y) == Some(id) {
                    cells.push((x as f64 + 0.5, y as f64 + 0.5));
                }
            }
        }
        if cells.is_empty() {
            return None;
        }
        // Near the district's northern edge, above its centre: hubs usually sit mid-district.
        let n = cells.len() as f64;
        let cx = cells.iter().map(|c| c.0).sum::<f64>() / n;
        let top = cells.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        let cy = top + 0.5;
        cells.into_iter().min_by(|a, b| {
            let da = (a.0 - cx).powi(2) + (a.1 - cy).powi(2);
            let db = (b.0 - cx).powi(2) + (b.1 - cy).powi(2);
            da.total_cmp(&db)
        })
    }

    fn draw_overlays<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let mut taken: Vec<Rect> = Vec::new();
        // Transit lines (open by this year).
        for (i, line) in self.world.transit_lines.iter().enumerate() {
            if !Self::is_open(line.open_year, self.year) || line.stations.is_empty() {
                continue;
            }
            let c = okabe_ito(LINE_COLOURS[i % LINE_COLOURS.len()]);
            let pts: Vec<(i32, i32)> = line.stations.iter().map(|s| self.px(s[0], s[1])).collect();
            root.draw(&PathElement::new(pts.clone(), WHITE.stroke_width(7)))?;
            root.draw(&PathElement::new(pts.clone(), c.stroke_width(4)))?;
            for p in pts {
                draw_station(root, p, c)?;
            }
        }
        // Labs, numbered as in the key under the map.
        let nstyle = bold(lang, 12.0);
        for (i, lab) in self.world.labs.iter().enumerate() {
            if Self::is_open(lab.open_year, self.year) {
                let p = self.px(lab.x, lab.y);
                draw_lab(root, p, LAB)?;
                let q = (p.0 + 13, p.1 - 9);
                halo_text(root, &(i + 1).to_string(), q, &nstyle)?;
                taken.push((p.0 - 8, p.1 - 8, p.0 + 20, p.1 + 8));
            }
        }
        // Hubs (markers now, labels after the district names).
        let hubs: Vec<(i32, i32)> = self.world.hubs.iter().map(|h| self.px(h.x, h.y)).collect();
        for &p in &hubs {
            draw_hub(root, p)?;
            taken.push((p.0 - 9, p.1 - 9, p.0 + 9, p.1 + 9));
        }
        let map_rect = {
            let a = self.px(0.0, 0.0);
            let b = self.px(self.grid.width as f64, self.grid.height as f64);
            (a.0, a.1, b.0, b.1)
        };
        // District names, in a halo, where they do not collide.
        let dstyle = font(lang, 13.0).color(&INK);
        for d in &self.world.districts {
            let Some((x, y)) = self.district_anchor(d.id as i64) else {
                continue;
            };
            let name = place_name(&d.name, Some(&d.name_zh), self.title_of(&d.name), lang);
            let (tw, th) = text_size(&name, &dstyle);
            let p = self.px(x, y);
            let r =
                (p.0 - tw as i32 / 2 - 2, p.1 - th as i32 / 2 - 2, p.0 + tw as i32 / 2 + 2, p.1 + th as i32 / 2 + 2);
            if taken.iter().any(|t| overlaps(*t, r)) || r.0 < map_rect.0 || r.2 > map_rect.2 {
                continue;
            }
            halo_text(root, &name, p, &dstyle)?;
            taken.push(r);
        }
        // Hub labels on a white box: right, left, above or below the marker.
        let hstyle = bold(lang, 13.0);
        for (h, &p) in self.world.hubs.iter().zip(&hubs) {
            let name = place_name(&h.name, Some(&h.name_zh), self.title_of(&h.name), lang);
            let (tw, th) = text_size(&name, &hstyle);
            let (tw, th) = (tw as i32 + 8, th as i32 + 6);
            let cands = [
                (p.0 + 12, p.1 - th / 2),
                (p.0 - 12 - tw, p.1 - th / 2),
                (p.0 - tw / 2, p.1 - 12 - th),
                (p.0 - tw / 2, p.1 + 12),
            ];
            let rect = |c: (i32, i32)| (c.0, c.1, c.0 + tw, c.1 + th);
            let (cw, ch) = root.dim_in_pixel();
            let fits = |r: Rect| r.0 >= 2 && r.1 >= 2 && r.2 <= cw as i32 - 2 && r.3 <= ch as i32 - 2;
            let pick = cands
                .iter()
                .map(|&c| rect(c))
                .find(|&r| fits(r) && !taken.iter().any(|t| overlaps(*t, r)))
                .unwrap_or_else(|| rect(cands[0]));
            root.draw(&Rectangle::new([(pick.0, pick.1), (pick.2, pick.3)], WHITE.mix(0.88).filled()))?;
            root.draw(&Rectangle::new([(pick.0, pick.1), (pick.2, pick.3)], INK.mix(0.5).stroke_width(1)))?;
            draw_text(root, &name, (pick.0 + 4, (pick.1 + pick.3) / 2), &hstyle, HPos::Left, VPos::Center)?;
            taken.push(pick);
        }
        Ok(())
    }

    fn draw_legend<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let (w, _) = root.dim_in_pixel();
        let y = TITLE_H + self.layout.body_h.round() as i32 + 14;
        let mut items = Vec::new();
        if !self.world.hubs.is_empty() {
            items.push(LegendItem::new(tr(lang, "Hub", "枢纽"), Swatch::Hub));
        }
        if self.world.labs.iter().any(|l| Self::is_open(l.open_year, self.year)) {
            items.push(LegendItem::new(tr(lang, "Lab", "实验室"), Swatch::Triangle(LAB)));
        }
        if self.district.is_some() {
            items.push(LegendItem::new(tr(lang, "District border", "区界"), Swatch::Border));
        }
        let any_grey = (0..self.grid.height).any(|y| {
            (0..self.grid.width)
                .any(|x| self.district_id(x, y).is_some_and(|d| d < 0) || !self.grid.at(x, y).is_finite())
        });
        if any_grey {
            items.push(LegendItem::new(
                tr(lang, "Outside the corridor or no data", "走廊范围外或无数据"),
                Swatch::Fill(NO_DATA),
            ));
        }
        for (i, line) in self.world.transit_lines.iter().enumerate() {
            if Self::is_open(line.open_year, self.year) && !line.stations.is_empty() {
                let c = okabe_ito(LINE_COLOURS[i % LINE_COLOURS.len()]);
                let name = place_name(&line.name, Some(&line.name_zh), self.title_of(&line.name), lang);
                items.push(LegendItem::new(name, Swatch::Transit(c)));
            }
        }
        let scale_w = 190;
        let x = self.layout.x0.round() as i32;
        let row_w = (w as i32 - x - PAD - scale_w).max(100) as u32;
        draw_legend_rows(root, (x, y), row_w, &items, lang, 2)?;
        // The lab key: number and name of every lab (open or not yet open this year).
        let kstyle = font(lang, 13.0);
        let col_w = (w as i32 - x - PAD) / KEY_PER_ROW as i32;
        for (i, lab) in self.world.labs.iter().enumerate() {
            let (r, c) = ((i / KEY_PER_ROW) as i32, (i % KEY_PER_ROW) as i32);
            let (kx, ky) = (x + c * col_w, y + 2 * 24 + 6 + r * KEY_ROW + KEY_ROW / 2);
            let mut name = place_name(&lab.name, Some(&lab.name_zh), self.title_of(&lab.name), lang);
            if !Self::is_open(lab.open_year, self.year) {
                name = match lang {
                    Lang::En => format!("{name} (opens {})", lab.open_year),
                    Lang::Zh => format!("{name} ({}年开放)", lab.open_year),
                };
            }
            let text = super::canvas::fit_text(&format!("{} {name}", i + 1), &kstyle, (col_w - 30).max(40) as u32);
            draw_lab(root, (kx + 8, ky), LAB)?;
            draw_text(root, &text, (kx + 22, ky), &kstyle, HPos::Left, VPos::Center)?;
        }
        self.draw_scale_bar(root, (w as i32 - PAD - scale_w + 20, y + 12))
    }

    fn draw_scale_bar<DB: DrawingBackend>(&self, root: &Area<DB>, (x, y): (i32, i32)) -> Result<(), DrawErr> {
        let km_per_px = self.world.cell_km / self.layout.cell;
        let max_km = 120.0 * km_per_px;
        let Some(km) = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
            .into_iter()
            .rev()
            .find(|k| *k <= max_km)
        else {
            return Ok(());
        };
        let len = (km / km_per_px).round() as i32;
        root.draw(&Rectangle::new([(x, y - 3), (x + len, y + 3)], INK.filled()))?;
        root.draw(&Rectangle::new([(x + len / 2, y - 3), (x + len, y + 3)], WHITE.filled()))?;
        root.draw(&Rectangle::new([(x, y - 3), (x + len, y + 3)], INK.stroke_width(1)))?;
        let style = font(self.lang, 13.0);
        let label = format!("{} {}", super::format::fmt_short(km), tr(self.lang, "km", "公里"));
        draw_text(root, &label, (x + len + 8, y), &style, HPos::Left, VPos::Center)?;
        let north = tr(self.lang, "N ↑", "北 ↑");
        draw_text(root, north, (x, y + 24), &style, HPos::Left, VPos::Center)
    }
}

/// Text with a white halo, readable on any colour.
fn halo_text<DB: DrawingBackend>(root: &Area<DB>, text: &str, p: (i32, i32), style: &TextStyle) -> Result<(), DrawErr> {
    let halo = style.color(&WHITE);
    for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
        draw_text(root, text, (p.0 + dx, p.1 + dy), &halo, HPos::Center, VPos::Center)?;
    }
    draw_text(root, text, p, style, HPos::Center, VPos::Center)
}

impl Figure for MapFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.layout.canvas
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let km = super::format::fmt_short(self.world.cell_km);
        let cells = match self.lang {
            Lang::En => format!("grid cells of {km} km × {km} km"),
            Lang::Zh => format!("网格单元 {km} 公里 × {km} 公里"),
        };
        let subtitle = match self.scenario {
            Some(s) => format!("{s} · {cells}"),
            None => cells,
        };
        draw_title(root, self.lang, &self.title(), Some(&subtitle))?;
        self.draw_cells(root)?;
        self.draw_borders(root)?;
        self.draw_overlays(root)?;
        // Colour bar beside the map, with the unit above it.
        let l = &self.layout;
        let bar_h = l.body_h.round() as i32 - 40;
        let bx = (l.x0 + l.map_w).round() as i32 + 34;
        let by = TITLE_H + 40;
        let unit_label = if self.unit.is_empty() { self.label.to_string() } else { self.unit.to_string() };
        let labels = (!self.tick_labels.is_empty()).then_some(self.tick_labels);
        draw_colour_bar(root, (bx, by), bar_h, self.axis, 1.0, labels, &unit_label, (BAR_COL - 40) as u32, self.lang)?;
        self.draw_legend(root)
    }
}
