//! Sweep charts: a response line for one parameter, heatmaps for two-parameter grids,
//! tornado charts for one-at-a-time designs, and scatter panels otherwise.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{bold, draw_text, draw_title, fit_text, font, text_size, write_figure, Area, DrawErr, Figure};
use super::data::{read_json, read_rows, Table};
use super::format::{fmt_num, fmt_short, nice_axis, Axis};
use super::i18n::{kpi, parameter, tr, Freq, Kpi};
use super::legend::{draw_colour_bar, draw_legend, legend_width, LegendItem, Swatch};
use super::lines::{min_max, LineChart, LineFigure, Series, TickAxis, XAxis};
use super::palette::{is_dark, okabe_ito, viridis, GRID, INK, MUTED, NO_DATA};
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::experiment::DesignKind;
use crate::output::{point_column, SweepJson, TornadoRow};

/// Render the charts of a sweep folder.
pub(crate) fn render_sweep(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let info: SweepJson = read_json(&dir.join("sweep.json"))?;
    let points = Table::read(&dir.join("points.csv"))?;
    let tornado_path = dir.join("tornado.csv");
    let tornado: Vec<TornadoRow> = if tornado_path.is_file() { read_rows(&tornado_path)? } else { Vec::new() };
    let lang = opts.lang;
    let size = (opts.width, opts.height);
    let kpis = kpi_names(&info, &points);
    let params: Vec<String> = info.spec.parameters.iter().map(|p| p.path.clone()).collect();
    for p in &params {
        points.require(p)?;
    }
    // Replications per point as the data hold them (a shard or a merge may hold fewer than the
    // sweep file asks for).
    let reps = replications_text(&points).unwrap_or_else(|| info.spec.replications.to_string());
    let reps = reps.as_str();
    let contrasts = baseline_contrasts(dir, &info, &points, &kpis)?;
    let mut rendered = Vec::new();
    let mut push = |title: String, r: (std::path::PathBuf, std::path::PathBuf)| {
        rendered.push(RenderedChart { png: r.0, svg: r.1, title, section: Section::Sweep })
    };
    if params.len() == 1 {
        let baseline = info.spec.parameters[0].baseline;
        for name in &kpis {
            let Some(chart) = response_chart(&points, &params[0], name, baseline, reps, lang) else {
                continue;
            };
            let stem = format!("sweep_{name}");
            let fig = LineFigure { chart: &chart, lang, size };
            push(chart.title.clone(), write_figure(&fig, out, &stem)?);
        }
    } else if params.len() == 2 && info.spec.design == DesignKind::Grid {
        let baseline = (info.spec.parameters[0].baseline, info.spec.parameters[1].baseline);
        for name in &kpis {
            let marks = contrasts.as_ref().map(|c| c.not_distinguishable(name));
            let Some(fig) = Heatmap::new(&points, (&params[0], &params[1]), name, (baseline, marks), reps, lang, size)
            else {
                continue;
            };
            let stem = format!("heatmap_{name}");
            let title = fig.title.clone();
            push(title, write_figure(&fig, out, &stem)?);
        }
    } else if params.len() >= 2 && tornado.is_empty() {
        for name in &kpis {
            let fig = Scatter { points: &points, params: &params, kpi: name, reps, lang, size };
            if points.get(&point_column(name, "mean")).is_none() {
                continue;
            }
            let stem = format!("scatter_{name}");
            push(fig.title(), write_figure(&fig, out, &stem)?);
        }
    }
    let mut tornado_kpis: Vec<String> = kpis.iter().filter(|k| tornado.iter().any(|t| &t.kpi == *k)).cloned().collect();
    for t in &tornado {
        if !tornado_kpis.contains(&t.kpi) {
            tornado_kpis.push(t.kpi.clone());
        }
    }
    for name in &tornado_kpis {
        let rows: Vec<&TornadoRow> = tornado.iter().filter(|t| &t.kpi == name).collect();
        let fig = Tornado { rows, kpi: name, lang, size };
        let stem = format!("tornado_{name}");
        push(fig.title(), write_figure(&fig, out, &stem)?);
    }
    rendered.extend(super::sensitivity::render_sobol(dir, out, opts)?);
    Ok(rendered)
}

/// KPIs from sweep.json, or every `<kpi>_mean` column of points.csv.
fn kpi_names(info: &SweepJson, points: &Table) -> Vec<String> {
    if !info.spec.kpis.is_empty() {
        return info.spec.kpis.clone();
    }
    points.columns.iter().filter_map(|c| c.strip_suffix("_mean").map(str::to_string)).collect()
}

/// "2", or "2–4" when points hold different numbers of replications.
pub(crate) fn replications_text(points: &Table) -> Option<String> {
    let n = points.get("n")?;
    let (lo, hi) = min_max(n)?;
    Some(if lo == hi { fmt_short(lo) } else { format!("{}–{}", fmt_short(lo), fmt_short(hi)) })
}

/// For each point and KPI, whether its mean is distinguishable from the baseline point's: the
/// 95% interval of the difference (paired by replication under common seeds) excludes zero.
pub(crate) struct Contrasts {
    kpis: Vec<String>,
    /// point -> per KPI: the difference's interval excludes zero.
    clear: std::collections::BTreeMap<u64, Vec<bool>>,
    pub baseline_point: u64,
}

impl Contrasts {
    /// The points of a KPI whose difference from the baseline is not clear.
    fn not_distinguishable(&self, kpi: &str) -> Vec<u64> {
        let Some(k) = self.kpis.iter().position(|x| x == kpi) else { return Vec::new() };
        self.clear.iter().filter(|(p, c)| **p != self.baseline_point && !c[k]).map(|(p, _)| *p).collect()
    }
}

/// The contrasts of every point with the baseline point, from `runs.csv` (none when the folder has
/// no `runs.csv` or the design has no point at every parameter's baseline).
fn baseline_contrasts(
    dir: &Path,
    info: &SweepJson,
    points: &Table,
    kpis: &[String],
) -> Result<Option<Contrasts>, ChartError> {
    let path = dir.join("runs.csv");
    let (Some(ids), true) = (points.get("point"), path.is_file()) else { return Ok(None) };
    let at_baseline = |i: usize| {
        info.spec.parameters.iter().all(|p| {
            let v = points.get(&p.path).map_or(f64::NAN, |c| c[i]);
            p.baseline.is_some_and(|b| (b - v).abs() <= 1e-9 * b.abs().max(1.0))
        })
    };
    let Some(row) = (0..ids.len()).find(|&i| at_baseline(i)) else { return Ok(None) };
    let text = super::data::read_text(&path)?;
    let rows = crate::experiment::runs::parse_runs(&info.spec, &text)
        .map_err(|message| ChartError::Invalid { path: path.clone(), message })?
        .rows;
    let base = ids[row] as u64;
    let mut clear = std::collections::BTreeMap::new();
    for &p in ids {
        let p = p as u64;
        let per: Vec<bool> = (0..kpis.len())
            .map(|k| {
                let k = info.spec.kpis.iter().position(|x| *x == kpis[k]).unwrap_or(usize::MAX);
                let s = crate::experiment::summary::contrast(&rows, base, p, k, info.spec.common_seeds);
                s.ci_low > 0.0 || s.ci_high < 0.0
            })
            .collect();
        clear.insert(p, per);
    }
    Ok(Some(Contrasts { kpis: kpis.to_vec(), clear, baseline_point: base }))
}

fn subtitle(reps: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Final-year mean over {reps} replications per point"),
        Lang::Zh => format!("每个参数点 {reps} 次重复模拟的末年均值"),
    }
}

fn response_chart(
    points: &Table,
    param: &str,
    name: &str,
    baseline: Option<f64>,
    reps: &str,
    lang: Lang,
) -> Option<LineChart> {
    let xs = points.get(param)?;
    let mean = points.get(&point_column(name, "mean"))?;
    let lo = points.get(&point_column(name, "ci_low"));
    let hi = points.get(&point_column(name, "ci_high"));
    let mut idx: Vec<usize> = (0..xs.len()).filter(|&i| xs[i].is_finite()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let k = kpi(name, Freq::Year, lang);
    let p = parameter(param, lang);
    let pts: Vec<(f64, f64)> = idx.iter().map(|&i| (p.value(xs[i]), mean[i])).collect();
    let mut band: Vec<(f64, f64, f64)> = match (lo, hi) {
        (Some(lo), Some(hi)) => idx.iter().map(|&i| (p.value(xs[i]), lo[i], hi[i])).collect(),
        _ => Vec::new(),
    };
    super::compare::clip(&mut band, super::compare::level_bounds(name));
    let all: Vec<f64> = pts.iter().map(|p| p.1.abs()).chain(band.iter().map(|b| b.2.abs())).collect();
    let scale = k.unit.scale_for(min_max(&all).map_or(0.0, |m| m.1), lang);
    let title = match lang {
        Lang::En => format!("{} by {}", k.label, lower_first(&p.name)),
        Lang::Zh => format!("{}随{}的变化", k.label, p.name),
    };
    let mut chart = LineChart::new(title, p.axis_label(lang), k.axis_label(lang, scale));
    chart.subtitle = Some(subtitle(reps, lang));
    chart.x_axis = XAxis::Numeric;
    chart.y_divisor = scale.factor;
    chart.y_from_zero = true;
    let mut s = Series::new(tr(lang, "Mean", "均值"), pts);
    s.band = band;
    s.markers = true;
    s.color = Some(okabe_ito(0));
    chart.band_label = Some(tr(lang, "95% CI", "95% 置信区间").to_string());
    chart.series = vec![s];
    chart.vline = baseline.map(|b| (p.value(b), tr(lang, "Baseline value", "基准取值").to_string()));
    Some(chart)
}

/// Distinct finite values, sorted.
fn levels(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0));
    v
}

fn level_index(levels: &[f64], v: f64) -> Option<usize> {
    levels.iter().position(|l| (l - v).abs() <= 1e-9 * l.abs().max(v.abs()).max(1.0))
}

/// Tick labels for parameter levels.
fn level_labels(levels: &[f64]) -> Vec<String> {
    levels.iter().map(|v| fmt_short(*v)).collect()
}

struct Heatmap {
    title: String,
    subtitle: String,
    x_name: String,
    y_name: String,
    x_levels: Vec<f64>,
    y_levels: Vec<f64>,
    /// Mean per (x level, y level), NaN when missing.
    cells: Vec<Vec<f64>>,
    baseline: (Option<usize>, Option<usize>),
    /// Cells (x level, y level) whose mean is not distinguishable from the baseline point's;
    /// `None` when no contrast was possible.
    same: Option<Vec<(usize, usize)>>,
    /// Half-widths of the cells' intervals, for rounding the annotations.
    half: Vec<Vec<f64>>,
    kpi: Kpi,
    lang: Lang,
    size: (u32, u32),
}

/// The baseline values of a heatmap's two parameters, where the sweep file states them.
type Baseline = (Option<f64>, Option<f64>);

impl Heatmap {
    /// The heatmap of `name` over the two parameters; `marks` are the points not distinguishable
    /// from the baseline point (`None`: no point at the baseline values).
    fn new(
        points: &Table,
        (px, py): (&str, &str),
        name: &str,
        (baseline, marks): (Baseline, Option<Vec<u64>>),
        reps: &str,
        lang: Lang,
        size: (u32, u32),
    ) -> Option<Heatmap> {
        let (xs, ys) = (points.get(px)?, points.get(py)?);
        let mean = points.get(&point_column(name, "mean"))?;
        let (xl, yl) = (levels(xs), levels(ys));
        if xl.is_empty() || yl.is_empty() || xl.len() > 60 || yl.len() > 60 {
            return None;
        }
        let mut cells = vec![vec![f64::NAN; yl.len()]; xl.len()];
        let mut half = vec![vec![f64::NAN; yl.len()]; xl.len()];
        let (lo, hi) = (points.get(&point_column(name, "ci_low")), points.get(&point_column(name, "ci_high")));
        let ids = points.get("point");
        let mut same = marks.as_ref().map(|_| Vec::new());
        for i in 0..xs.len() {
            if let (Some(a), Some(b)) = (level_index(&xl, xs[i]), level_index(&yl, ys[i])) {
                cells[a][b] = mean[i];
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    half[a][b] = (hi[i] - lo[i]).abs() / 2.0;
                }
                let id = ids.map(|p| p[i] as u64);
                if let (Some(same), Some(marks), Some(id)) = (same.as_mut(), marks.as_ref(), id) {
                    if marks.contains(&id) {
                        same.push((a, b));
                    }
                }
            }
        }
        let k = kpi(name, Freq::Year, lang);
        let (ppx, ppy) = (parameter(px, lang), parameter(py, lang));
        let xl: Vec<f64> = xl.iter().map(|v| ppx.value(*v)).collect();
        let yl: Vec<f64> = yl.iter().map(|v| ppy.value(*v)).collect();
        let mut sub = subtitle(reps, lang);
        sub.push_str(match (&same, lang) {
            (Some(_), Lang::En) => {
                "; hatched: not distinguishable from the baseline point (95% interval of the difference includes 0)"
            }
            (Some(_), Lang::Zh) => "；斜线：与基准参数点无显著差异 (差值 95% 置信区间含 0)",
            (None, Lang::En) => "; no grid point at the baseline values, so cells are not compared with it",
            (None, Lang::Zh) => "；网格中没有基准取值点，未与基准比较",
        });
        Some(Heatmap {
            title: format!("{}: {} × {}", k.label, ppx.name, ppy.name),
            subtitle: sub,
            x_name: ppx.axis_label(lang),
            y_name: ppy.axis_label(lang),
            baseline: (
                baseline.0.and_then(|b| level_index(&xl, ppx.value(b))),
                baseline.1.and_then(|b| level_index(&yl, ppy.value(b))),
            ),
            same,
            half,
            x_levels: xl,
            y_levels: yl,
            cells,
            kpi: k,
            lang,
            size,
        })
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let top = draw_title(root, lang, &self.title, Some(&self.subtitle))?;
        let (w, _) = root.dim_in_pixel();
        let (_, body) = root.split_vertically(top);
        let (plot, side) = body.split_horizontally(w.saturating_sub(200));
        let vals: Vec<f64> = self.cells.iter().flatten().copied().collect();
        let max_abs = vals.iter().filter(|v| v.is_finite()).fold(0.0f64, |a, v| a.max(v.abs()));
        let scale = self.kpi.unit.scale_for(max_abs, lang);
        let (lo, hi) = min_max(&vals).unwrap_or((0.0, 1.0));
        let axis: Axis = nice_axis(lo, hi, false, 5);
        let (nx, ny) = (self.x_levels.len(), self.y_levels.len());
        let xlab = level_labels(&self.x_levels);
        let ylab = level_labels(&self.y_levels);
        let lstyle = font(lang, 14.0);
        let ylab_w = ylab.iter().map(|l| text_size(l, &lstyle).0).max().unwrap_or(20);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_left(16)
            .x_label_area_size(58)
            .y_label_area_size(ylab_w + 44)
            .build_cartesian_2d(
                TickAxis::new(-0.5, nx as f64 - 0.5, (0..nx).map(|i| i as f64).collect()),
                TickAxis::new(-0.5, ny as f64 - 0.5, (0..ny).map(|i| i as f64).collect()),
            )?;
        let xf = |v: &f64| xlab.get(v.round() as usize).cloned().unwrap_or_default();
        let yf = |v: &f64| ylab.get(v.round() as usize).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .disable_mesh()
            .axis_style(MUTED.stroke_width(1))
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style(lstyle.clone())
            .axis_desc_style(font(lang, 15.0))
            .x_desc(self.x_name.as_str())
            .y_desc(self.y_name.as_str())
            .draw()?;
        let span = axis.hi - axis.lo;
        let a = chart.backend_coord(&(0.0, 0.0));
        let b = chart.backend_coord(&(1.0, 1.0));
        let (cell_w, cell_h) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
        let annotate = cell_w >= 56 && cell_h >= 26;
        let dec = super::format::decimals_for(axis.step / scale.factor / 10.0).min(3);
        for (i, col) in self.cells.iter().enumerate() {
            for (j, &v) in col.iter().enumerate() {
                let (x, y) = (i as f64, j as f64);
                let c = if v.is_finite() && span > 0.0 {
                    viridis((v - axis.lo) / span)
                } else if v.is_finite() {
                    viridis(0.5)
                } else {
                    NO_DATA
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    c.filled(),
                )))?;
                if self.same.as_ref().is_some_and(|s| s.contains(&(i, j))) {
                    // Hatching: the cell's mean is within noise of the baseline point's.
                    for t in 0..6 {
                        let o = -0.5 + t as f64 * 0.2;
                        let a = (x + o, y - 0.5);
                        let b = (x + (o + 1.0).min(0.5), y - 0.5 + (0.5 - o).min(1.0));
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![a, b],
                            WHITE.mix(0.7).stroke_width(2),
                        )))?;
                    }
                }
                if annotate && v.is_finite() {
                    let tc = if is_dark(c) { WHITE } else { INK };
                    let style = font(lang, 13.0)
                        .color(&tc)
                        .pos(plotters::style::text_anchor::Pos::new(HPos::Center, VPos::Center));
                    // Rounded as the cell's interval supports.
                    let h = self.half[i][j] / scale.factor;
                    let text = if h.is_finite() {
                        crate::report::numbers::est(v / scale.factor, h)
                    } else {
                        fmt_num(v / scale.factor, dec)
                    };
                    chart.draw_series(std::iter::once(Text::new(text, (x, y), style)))?;
                }
            }
        }
        if let (Some(bx), Some(by)) = self.baseline {
            let (x, y) = (bx as f64, by as f64);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.48, y - 0.48), (x + 0.48, y + 0.48)],
                WHITE.stroke_width(3),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                INK.stroke_width(1),
            )))?;
        }
        let label = self.kpi.axis_label(lang, scale);
        let bar_h = (side.dim_in_pixel().1 as i32 - 150).max(80);
        draw_colour_bar(&side, (16, 70), bar_h, &axis, scale.factor, None, &label, 170, lang)?;
        if self.baseline.0.is_some() && self.baseline.1.is_some() {
            let mut items = vec![LegendItem::new(tr(lang, "Baseline point", "基准参数点"), Swatch::Border)];
            if self.same.is_some() {
                items.push(LegendItem::new(tr(lang, "Within noise of it", "与其无显著差异"), Swatch::Fill(MUTED)));
            }
            draw_legend(&side, (8, 70 + bar_h + 24), 180, &items, None, lang)?;
        }
        Ok(())
    }
}

struct Tornado<'a> {
    rows: Vec<&'a TornadoRow>,
    kpi: &'a str,
    lang: Lang,
    size: (u32, u32),
}

const LOW: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const HIGH: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

impl Tornado<'_> {
    fn title(&self) -> String {
        let k = kpi(self.kpi, Freq::Year, self.lang);
        match self.lang {
            Lang::En => format!("Sensitivity of {}: one parameter at a time", lower_first(&k.label)),
            Lang::Zh => format!("{}的单参数敏感性", k.label),
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms such as "R&D" as they are.
        Some(f) if c.clone().next().is_some_and(|n| n.is_lowercase()) => f.to_lowercase().chain(c).collect(),
        _ => s.to_string(),
    }
}

impl Figure for Tornado<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let k = kpi(self.kpi, Freq::Year, lang);
        let sub = tr(
            lang,
            "Final-year KPI with each parameter at its low and high value, others at baseline; sorted by swing",
            "每次仅将一个参数取低值或高值、其余取基准值时的末年指标；按影响幅度排序",
        );
        let top = draw_title(root, lang, &self.title(), Some(sub))?;
        let mut rows = self.rows.clone();
        rows.sort_by(|a, b| {
            let sa = (a.kpi_high - a.kpi_low).abs();
            let sb = (b.kpi_high - b.kpi_low).abs();
            sb.total_cmp(&sa)
        });
        let base = rows.iter().map(|r| r.kpi_base).find(|v| v.is_finite()).unwrap_or(0.0);
        let vals: Vec<f64> = rows.iter().flat_map(|r| [r.kpi_low, r.kpi_high, r.kpi_base]).collect();
        let max_abs = vals.iter().filter(|v| v.is_finite()).fold(0.0f64, |a, v| a.max(v.abs()));
        let scale = k.unit.scale_for(max_abs, lang);
        let f = scale.factor;
        let (lo, hi) = min_max(&vals).unwrap_or((0.0, 1.0));
        let axis = nice_axis(lo / f, hi / f, false, 6);
        let dec = axis.decimals();
        let (w, _) = root.dim_in_pixel();
        let items = vec![
            LegendItem::new(tr(lang, "Parameter at low value", "参数取低值"), Swatch::Fill(LOW)),
            LegendItem::new(tr(lang, "Parameter at high value", "参数取高值"), Swatch::Fill(HIGH)),
            LegendItem::new(tr(lang, "Baseline", "基准"), Swatch::Line(INK)),
        ];
        let lw = legend_width(&items, None, lang, 260);
        let (_, body) = root.split_vertically(top);
        let (plot, side) = body.split_horizontally(w.saturating_sub(lw + 24));
        let lstyle = font(lang, 13.0);
        let n = rows.len().max(1);
        let labels: Vec<String> = rows
            .iter()
            .map(|r| {
                let p = parameter(&r.parameter, lang);
                format!("{} ({} → {} {})", p.name, fmt_short(p.value(r.low)), fmt_short(p.value(r.high)), p.unit)
            })
            .map(|s| fit_text(&s, &lstyle, (w as f64 * 0.35) as u32))
            .collect();
        let lab_w = labels.iter().map(|l| text_size(l, &lstyle).0).max().unwrap_or(40);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_left(16)
            .x_label_area_size(58)
            .y_label_area_size(lab_w + 16)
            .build_cartesian_2d(
                TickAxis::new(axis.lo, axis.hi, axis.ticks.clone()),
                TickAxis::new(-0.6, n as f64 - 0.4, (0..n).map(|i| i as f64).collect()),
            )?;
        let xf = |v: &f64| fmt_num(*v, dec);
        let yf =
            |v: &f64| labels.get(n.saturating_sub(1).saturating_sub(v.round() as usize)).cloned().unwrap_or_default();
        let xdesc = k.axis_label(lang, scale);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(MUTED.stroke_width(1))
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style(lstyle.clone())
            .axis_desc_style(font(lang, 15.0))
            .x_desc(xdesc.as_str())
            .draw()?;
        for (i, r) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (v, c) in [(r.kpi_low, LOW), (r.kpi_high, HIGH)] {
                if v.is_finite() {
                    let (a, b) = (base / f, v / f);
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(a.min(b), y - 0.32), (a.max(b), y + 0.32)],
                        c.filled(),
                    )))?;
                }
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(base / f, -0.6), (base / f, n as f64 - 0.4)],
            INK.stroke_width(2),
        )))?;
        draw_legend(&side, (0, 10), lw, &items, None, lang)?;
        Ok(())
    }
}

struct Scatter<'a> {
    points: &'a Table,
    params: &'a [String],
    kpi: &'a str,
    reps: &'a str,
    lang: Lang,
    size: (u32, u32),
}

impl Scatter<'_> {
    fn title(&self) -> String {
        let k = kpi(self.kpi, Freq::Year, self.lang);
        match self.lang {
            Lang::En => format!("{} across the sampled parameters", k.label),
            Lang::Zh => format!("{}与各抽样参数的关系", k.label),
        }
    }
}

impl Figure for Scatter<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let top = draw_title(root, lang, &self.title(), Some(&subtitle(self.reps, lang)))?;
        let (_, body) = root.split_vertically(top);
        let params: Vec<&String> = self.params.iter().take(6).collect();
        let n = params.len().max(1);
        let cols = if n <= 2 {
            n
        } else if n <= 4 {
            2
        } else {
            3
        };
        let rows = n.div_ceil(cols);
        let panels = body.margin(0, 10, 10, 10).split_evenly((rows, cols));
        let k = kpi(self.kpi, Freq::Year, lang);
        let Some(mean) = self.points.get(&point_column(self.kpi, "mean")) else {
            return Ok(());
        };
        let lo = self.points.get(&point_column(self.kpi, "ci_low"));
        let hi = self.points.get(&point_column(self.kpi, "ci_high"));
        let max_abs = mean.iter().filter(|v| v.is_finite()).fold(0.0f64, |a, v| a.max(v.abs()));
        let scale = k.unit.scale_for(max_abs, lang);
        let f = scale.factor;
        let mut ys: Vec<f64> = mean.to_vec();
        if let (Some(lo), Some(hi)) = (lo, hi) {
            ys.extend(lo.iter().chain(hi.iter()));
        }
        let (ymin, ymax) = min_max(&ys).unwrap_or((0.0, 1.0));
        let yaxis = nice_axis(ymin / f, ymax / f, false, 5);
        let ydec = yaxis.decimals();
        let lstyle = font(lang, 13.0);
        let ylab_w = yaxis.ticks.iter().map(|t| text_size(&fmt_num(*t, ydec), &lstyle).0).max().unwrap_or(30);
        for (p, panel) in params.iter().zip(panels.iter()) {
            let Some(xs) = self.points.get(p) else {
                continue;
            };
            let (xmin, xmax) = min_max(xs).unwrap_or((0.0, 1.0));
            let (pw, _) = panel.dim_in_pixel();
            let xaxis = nice_axis(xmin, xmax, false, ((pw as usize) / 110).clamp(2, 5));
            let xdec = xaxis.decimals();
            let tstyle = bold(lang, 14.0);
            let label = parameter(p, lang).axis_label(lang);
            draw_text(
                panel,
                &fit_text(&label, &tstyle, pw.saturating_sub(20)),
                (10, 6),
                &tstyle,
                HPos::Left,
                VPos::Top,
            )?;
            let (_, plot) = panel.split_vertically(26);
            let mut chart = ChartBuilder::on(&plot)
                .margin_right(16)
                .margin_left(4)
                .x_label_area_size(30)
                .y_label_area_size(ylab_w + 12)
                .build_cartesian_2d(
                    TickAxis::new(xaxis.lo, xaxis.hi, xaxis.ticks.clone()),
                    TickAxis::new(yaxis.lo, yaxis.hi, yaxis.ticks.clone()),
                )?;
            let xf = |v: &f64| fmt_num(*v, xdec);
            let yf = |v: &f64| fmt_num(*v, ydec);
            chart
                .configure_mesh()
                .bold_line_style(GRID.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .axis_style(MUTED.stroke_width(1))
                .x_label_formatter(&xf)
                .y_label_formatter(&yf)
                .label_style(lstyle.clone())
                .draw()?;
            let c = okabe_ito(0);
            for i in 0..xs.len().min(mean.len()) {
                let (x, m) = (xs[i], mean[i] / f);
                if !(x.is_finite() && m.is_finite()) {
                    continue;
                }
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    let (l, h) = (lo[i] / f, hi[i] / f);
                    if l.is_finite() && h.is_finite() {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(x, l), (x, h)],
                            c.mix(0.5).stroke_width(1),
                        )))?;
                    }
                }
                chart.draw_series(std::iter::once(Circle::new((x, m), 4, c.filled())))?;
            }
        }
        let note = k.axis_label(lang, scale);
        let (w, h) = root.dim_in_pixel();
        let style = font(lang, 13.0).color(&MUTED);
        draw_text(
            root,
            &fit_text(&note, &style, w - 40),
            (w as i32 - 20, h as i32 - 6),
            &style,
            HPos::Right,
            VPos::Bottom,
        )
    }
}
