//! Compare charts. The main view is the paired difference (variant − baseline): one headline
//! chart of final-year relative changes with their intervals, and per KPI the difference over the
//! years with its 95% t interval. Level trajectories per scenario come after, their bands said
//! to be per-scenario intervals (which may overlap where the paired difference is significant).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{draw_text, draw_title, fit_text, font, text_size, write_figure, Area, DrawErr, Figure};
use super::data::{read_compare_values, read_json, read_rows, CompareValues};
use super::format::{fmt_num, nice_axis};
use super::i18n::{kpi, pretty, tr, Freq, UnitKind};
use super::legend::{draw_legend_rows, LegendItem, Swatch};
use super::lines::{min_max, LineChart, LineFigure, Series, XAxis};
use super::palette::{okabe_ito, BASELINE, GRID, INK, MUTED};
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::experiment::stats::summarize;
use crate::metrics::registry::describe;
use crate::output::{CompareJson, EffectRow};
use crate::report::numbers;

/// Render the charts of a compare folder.
pub(crate) fn render_compare(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let info: CompareJson = read_json(&dir.join("compare.json"))?;
    let values = read_compare_values(&dir.join("compare.csv"))?;
    let effects_path = dir.join("effects.csv");
    let effects: Vec<EffectRow> = if effects_path.is_file() { read_rows(&effects_path)? } else { Vec::new() };
    let lang = opts.lang;
    let scenarios = scenario_order(&info, &values);
    let kpis = kpi_order(&info, &values);
    let size = (opts.width, opts.height);
    let mut rendered = Vec::new();
    let mut push = |fig_title: String, section, files: (std::path::PathBuf, std::path::PathBuf)| {
        rendered.push(RenderedChart { png: files.0, svg: files.1, title: fig_title, section })
    };
    let final_year = values.values().flat_map(|s| s.values().flat_map(|y| y.keys().copied())).max();
    let headline: Vec<&String> = kpis.iter().filter(|k| effects.iter().any(|e| &e.kpi == *k)).collect();
    if !headline.is_empty() {
        let fig = HeadlineFigure::new(&info, &headline, &effects, &scenarios, final_year, lang, opts.width);
        push(fig.title(), Section::Headline, write_figure(&fig, out, "headline_effects")?);
    }
    for (stem, chart) in difference_charts(&info, &values, &scenarios, &kpis, lang) {
        let fig = LineFigure { chart: &chart, lang, size };
        push(chart.title.clone(), Section::Differences, write_figure(&fig, out, &stem)?);
    }
    for (stem, chart) in level_charts(&info, &values, &scenarios, &kpis, lang) {
        let fig = LineFigure { chart: &chart, lang, size };
        push(chart.title.clone(), Section::Trajectories, write_figure(&fig, out, &stem)?);
    }
    Ok(rendered)
}

/// Baseline first, then the variants in compare.json order, then anything else found.
pub(crate) fn scenario_order(info: &CompareJson, values: &CompareValues) -> Vec<String> {
    let mut order = vec![info.base.clone()];
    for v in &info.variants {
        if !order.contains(v) {
            order.push(v.clone());
        }
    }
    for s in values.values().flat_map(|m| m.keys()) {
        if !order.contains(s) {
            order.push(s.clone());
        }
    }
    order
}

fn kpi_order(info: &CompareJson, values: &CompareValues) -> Vec<String> {
    if info.kpis.is_empty() {
        values.keys().cloned().collect()
    } else {
        info.kpis.clone()
    }
}

/// A scenario's name for readers: its title (Chinese title in Chinese) without a leading
/// "What if: ", else its label made readable.
pub(crate) fn scenario_name(info: &CompareJson, label: &str, lang: Lang) -> String {
    let t = info.titles.iter().find(|t| t.label == label);
    let title = t.map(|t| if lang == Lang::Zh && !t.title_zh.is_empty() { &t.title_zh } else { &t.title });
    match title.filter(|s| !s.trim().is_empty()) {
        Some(s) => short_title(s),
        None => pretty(label),
    }
}

/// "What if: higher R&D subsidy" → "Higher R&D subsidy"; "情景:提高研发补助" → "提高研发补助".
fn short_title(title: &str) -> String {
    for prefix in ["What if: ", "What if:", "情景:", "情景："] {
        if let Some(rest) = title.strip_prefix(prefix) {
            let mut c = rest.trim().chars();
            return c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect());
        }
    }
    title.to_string()
}

/// Colour of a scenario: dark grey for the baseline, Okabe-Ito for the variants.
pub(crate) fn scenario_colour(scenarios: &[String], name: &str) -> RGBColor {
    match scenarios.iter().position(|s| s == name) {
        Some(0) | None => BASELINE,
        Some(i) => okabe_ito(i - 1),
    }
}

/// The natural bounds of a KPI's level, and of a difference of two levels.
pub(crate) fn level_bounds(name: &str) -> (f64, f64) {
    describe(name).map_or((f64::NEG_INFINITY, f64::INFINITY), |d| d.bounds())
}

fn diff_bounds(name: &str) -> (f64, f64) {
    let (lo, hi) = level_bounds(name);
    (lo - hi, hi - lo)
}

/// A band `(x, low, high)` clipped at `bounds`.
pub(crate) fn clip(band: &mut [(f64, f64, f64)], (lo, hi): (f64, f64)) {
    for b in band.iter_mut() {
        b.1 = b.1.clamp(lo, hi);
        b.2 = b.2.clamp(lo, hi);
    }
}

/// Mean and 95% t interval of the finite values: `(mean, low, high)`; with one value the
/// interval collapses onto the mean.
fn mean_ci(values: &[f64]) -> Option<(f64, f64, f64)> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let s = summarize(&finite);
    match s.n {
        0 => None,
        1 => Some((s.mean, s.mean, s.mean)),
        _ => Some((s.mean, s.ci_low, s.ci_high)),
    }
}

fn replications(values: &CompareValues) -> usize {
    values.values().flat_map(|s| s.values().flat_map(|y| y.values().map(Vec::len))).max().unwrap_or(0)
}

/// The chart of one KPI with a line per series, years on x, the y axis from zero.
fn kpi_chart(name: &str, title: String, subtitle: String, series: Vec<Series>, lang: Lang, diff: bool) -> LineChart {
    let k = kpi(name, Freq::Year, lang);
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1.abs()).chain(s.band.iter().map(|b| b.1.abs().max(b.2.abs()))))
        .collect();
    let scale = k.unit.scale_for(min_max(&all).map_or(0.0, |m| m.1), lang);
    let y_label = if diff && k.unit.kind == UnitKind::Share {
        super::i18n::with_unit(&k.label, tr(lang, "percentage points", "百分点"), lang)
    } else {
        k.axis_label(lang, scale)
    };
    let mut chart = LineChart::new(title, tr(lang, "Year", "年份"), y_label);
    chart.subtitle = Some(subtitle);
    chart.x_axis = XAxis::Years;
    chart.y_divisor = scale.factor;
    chart.y_from_zero = true;
    chart.legend_title = Some(tr(lang, "Scenario", "情景").to_string());
    chart.series = series;
    chart
}

/// Per KPI, the paired difference of each variant from the baseline over the years.
fn difference_charts(
    info: &CompareJson,
    values: &CompareValues,
    scenarios: &[String],
    kpis: &[String],
    lang: Lang,
) -> Vec<(String, LineChart)> {
    let reps = replications(values);
    let mut out = Vec::new();
    for name in kpis {
        let Some(per) = values.get(name) else { continue };
        let Some(base) = per.get(&info.base) else { continue };
        let mut series = Vec::new();
        for v in scenarios.iter().skip(1) {
            let Some(var) = per.get(v) else { continue };
            let (mut points, mut band) = (Vec::new(), Vec::new());
            for (&y, b) in base {
                let Some(vv) = var.get(&y) else { continue };
                let d: Vec<f64> = b.iter().zip(vv).map(|(b, v)| v - b).collect();
                if let Some((m, lo, hi)) = mean_ci(&d) {
                    points.push((y as f64, m));
                    band.push((y as f64, lo, hi));
                }
            }
            clip(&mut band, diff_bounds(name));
            let mut s = Series::new(scenario_name(info, v, lang), points);
            s.band = if reps > 1 { band } else { Vec::new() };
            s.color = Some(scenario_colour(scenarios, v));
            s.markers = true;
            series.push(s);
        }
        if series.is_empty() {
            continue;
        }
        let k = kpi(name, Freq::Year, lang);
        let title = match lang {
            Lang::En => format!("{}: difference from the baseline", k.label),
            Lang::Zh => format!("{}：与基准情景之差", k.label),
        };
        let subtitle = match lang {
            Lang::En => format!(
                "Mean of the paired differences (variant − baseline) over {reps} replications; band: 95% t interval of that mean"
            ),
            Lang::Zh => format!("{reps} 次配对重复模拟的差值均值 (方案 − 基准)；阴影：该均值的 95% t 置信区间"),
        };
        let mut chart = kpi_chart(name, title, subtitle, series, lang, true);
        chart.band_label =
            (reps > 1).then(|| tr(lang, "95% interval of the difference", "差值 95% 置信区间").to_string());
        chart.hline = Some((0.0, tr(lang, "No difference", "无差异").to_string()));
        out.push((format!("diff_{name}"), chart));
    }
    out
}

/// Per KPI, each scenario's mean over the years with the 95% t interval of that mean.
fn level_charts(
    info: &CompareJson,
    values: &CompareValues,
    scenarios: &[String],
    kpis: &[String],
    lang: Lang,
) -> Vec<(String, LineChart)> {
    let reps = replications(values);
    let mut out = Vec::new();
    for name in kpis {
        let Some(per) = values.get(name) else { continue };
        let mut series = Vec::new();
        for s in scenarios {
            let Some(years) = per.get(s) else { continue };
            let (mut points, mut band) = (Vec::new(), Vec::new());
            for (&y, vals) in years {
                if let Some((m, lo, hi)) = mean_ci(vals) {
                    points.push((y as f64, m));
                    band.push((y as f64, lo, hi));
                }
            }
            clip(&mut band, level_bounds(name));
            let label = if *s == info.base {
                format!("{} ({})", scenario_name(info, s, lang), tr(lang, "baseline", "基准"))
            } else {
                scenario_name(info, s, lang)
            };
            let mut ser = Series::new(label, points);
            ser.band = if reps > 1 { band } else { Vec::new() };
            ser.color = Some(scenario_colour(scenarios, s));
            ser.markers = true;
            series.push(ser);
        }
        if series.is_empty() {
            continue;
        }
        let subtitle = match lang {
            Lang::En => format!(
                "Mean of {reps} replications per scenario; band: 95% t interval of each scenario's mean (bands may overlap where the paired difference is clear)"
            ),
            Lang::Zh => format!("每个情景 {reps} 次重复模拟的均值；阴影：各情景均值的 95% t 置信区间 (配对差值显著时阴影也可能重叠)"),
        };
        let mut chart = kpi_chart(name, kpi(name, Freq::Year, lang).label, subtitle, series, lang, false);
        chart.band_label =
            (reps > 1).then(|| tr(lang, "95% interval of each mean", "各情景均值 95% 置信区间").to_string());
        out.push((format!("compare_{name}"), chart));
    }
    out
}

/// One row of the headline chart: a KPI's final-year relative change for one variant.
struct HeadRow {
    kpi: String,
    variant: String,
    rel: f64,
    rel_low: f64,
    rel_high: f64,
    /// The absolute difference, for a baseline of zero (no relative change).
    absolute: String,
}

/// Final-year relative changes of the headline KPIs with their intervals, all variants in one
/// chart (the first thing a compare report shows).
struct HeadlineFigure {
    rows: Vec<HeadRow>,
    kpis: Vec<String>,
    variants: Vec<(String, String, RGBColor)>,
    final_year: Option<i32>,
    lang: Lang,
    size: (u32, u32),
}

const ROW_H: i32 = 24;
const GROUP_GAP: i32 = 10;

impl HeadlineFigure {
    fn new(
        info: &CompareJson,
        kpis: &[&String],
        effects: &[EffectRow],
        scenarios: &[String],
        final_year: Option<i32>,
        lang: Lang,
        width: u32,
    ) -> HeadlineFigure {
        let variants: Vec<(String, String, RGBColor)> = scenarios
            .iter()
            .skip(1)
            .filter(|v| effects.iter().any(|e| &e.variant == *v))
            .map(|v| (v.clone(), scenario_name(info, v, lang), scenario_colour(scenarios, v)))
            .collect();
        let mut rows = Vec::new();
        for k in kpis {
            for (v, _, _) in &variants {
                if let Some(e) = effects.iter().find(|e| &e.kpi == *k && &e.variant == v) {
                    let b = e.base_mean.abs();
                    let rel = |x: f64| if b > 0.0 { x / b } else { f64::NAN };
                    let kp = kpi(k, Freq::Year, lang);
                    let half = numbers::half_width(e.diff_ci_low, e.diff_ci_high);
                    let scale = numbers::scale_for(&kp, &[e.diff_mean], lang);
                    let absolute = match lang {
                        Lang::En => format!(
                            "{} {} (baseline 0)",
                            numbers::kpi_diff(&kp, e.diff_mean, half, scale),
                            numbers::diff_unit(&kp, scale, lang)
                        ),
                        Lang::Zh => format!(
                            "{} {} (基准为 0)",
                            numbers::kpi_diff(&kp, e.diff_mean, half, scale),
                            numbers::diff_unit(&kp, scale, lang)
                        ),
                    };
                    rows.push(HeadRow {
                        kpi: (*k).clone(),
                        variant: v.clone(),
                        rel: rel(e.diff_mean),
                        rel_low: rel(e.diff_ci_low),
                        rel_high: rel(e.diff_ci_high),
                        absolute,
                    });
                }
            }
        }
        let kpis: Vec<String> = kpis.iter().map(|k| (*k).clone()).collect();
        let legend = if variants.len() > 1 { 30 } else { 0 };
        let h = 72 + legend + rows.len() as i32 * ROW_H + kpis.len() as i32 * GROUP_GAP + 64;
        HeadlineFigure { rows, kpis, variants, final_year, lang, size: (width, h.max(320) as u32) }
    }

    fn title(&self) -> String {
        let one = (self.variants.len() == 1).then(|| self.variants[0].1.clone());
        match (self.lang, self.final_year, one) {
            (Lang::En, Some(y), Some(v)) => format!("{v}: effects in {y}"),
            (Lang::En, Some(y), None) => format!("Effects in {y} versus the baseline"),
            (Lang::En, None, _) => "Effects versus the baseline".into(),
            (Lang::Zh, Some(y), Some(v)) => format!("{v}：{y}年的效果"),
            (Lang::Zh, Some(y), None) => format!("{y}年相对基准情景的效果"),
            (Lang::Zh, None, _) => "相对基准情景的效果".into(),
        }
    }
}

impl Figure for HeadlineFigure {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let sub = tr(
            lang,
            "Change of the final-year mean relative to the baseline, with the 95% t interval of the paired difference; filled: the interval excludes zero",
            "末年均值相对基准的变化及配对差值的 95% t 置信区间；实心：区间不含零",
        );
        let mut top = draw_title(root, lang, &self.title(), Some(sub))?;
        let (w, _) = root.dim_in_pixel();
        if self.variants.len() > 1 {
            let items: Vec<LegendItem> =
                self.variants.iter().map(|(_, n, c)| LegendItem::new(n.clone(), Swatch::Line(*c))).collect();
            draw_legend_rows(root, (20, top), w.saturating_sub(40), &items, lang, 1)?;
            top += 30;
        }
        let lstyle = font(lang, 14.0);
        let labels: Vec<String> = self
            .kpis
            .iter()
            .map(|k| fit_text(&kpi(k, Freq::Year, lang).label, &lstyle, (w as f64 * 0.24) as u32))
            .collect();
        let label_w = labels.iter().map(|l| text_size(l, &lstyle).0).max().unwrap_or(60) as i32 + 30;
        let value_w = 260;
        let vals: Vec<f64> =
            self.rows.iter().flat_map(|r| [r.rel, r.rel_low, r.rel_high]).map(|v| v * 100.0).chain([0.0]).collect();
        let (lo, hi) = min_max(&vals).unwrap_or((-1.0, 1.0));
        let axis = nice_axis(lo, hi, true, 8);
        let dec = axis.decimals();
        let (_, body) = root.split_vertically(top);
        let (bw, _) = body.dim_in_pixel();
        let plot = body.margin(4, 0, label_w as u32, value_w);
        let (pw, ph) = plot.dim_in_pixel();
        let x_of = |v: f64| ((v - axis.lo) / (axis.hi - axis.lo) * pw as f64).round() as i32;
        let plot_h = ph as i32 - 50;
        // Grid lines and ticks.
        for &t in &axis.ticks {
            let x = x_of(t);
            plot.draw(&PathElement::new(vec![(x, 0), (x, plot_h)], GRID.stroke_width(1)))?;
            draw_text(&plot, &fmt_num(t, dec), (x, plot_h + 6), &font(lang, 13.0), HPos::Center, VPos::Top)?;
        }
        let desc = tr(lang, "Relative change (%)", "相对变化 (%)");
        draw_text(&plot, desc, (pw as i32 / 2, plot_h + 28), &font(lang, 14.0), HPos::Center, VPos::Top)?;
        let x0 = x_of(0.0);
        plot.draw(&PathElement::new(vec![(x0, 0), (x0, plot_h)], INK.stroke_width(1)))?;
        // Rows, grouped by KPI.
        let small = font(lang, 13.0);
        let mut y = 4;
        for (k, label) in self.kpis.iter().zip(&labels) {
            let rows: Vec<&HeadRow> = self.rows.iter().filter(|r| &r.kpi == k).collect();
            let group_h = rows.len() as i32 * ROW_H;
            draw_text(&body, label, (label_w - 16, 4 + y + group_h / 2), &lstyle, HPos::Right, VPos::Center)?;
            for r in rows {
                let cy = y + ROW_H / 2;
                let c = self.variants.iter().find(|v| v.0 == r.variant).map_or(BASELINE, |v| v.2);
                if r.rel_low.is_finite() && r.rel_high.is_finite() {
                    let (a, b) = (x_of(r.rel_low * 100.0), x_of(r.rel_high * 100.0));
                    plot.draw(&PathElement::new(vec![(a, cy), (b, cy)], c.stroke_width(2)))?;
                    for x in [a, b] {
                        plot.draw(&PathElement::new(vec![(x, cy - 5), (x, cy + 5)], c.stroke_width(2)))?;
                    }
                }
                if r.rel.is_finite() {
                    let p = (x_of(r.rel * 100.0), cy);
                    let clear = r.rel_low > 0.0 || r.rel_high < 0.0;
                    plot.draw(&Circle::new(p, 6, WHITE.filled()))?;
                    plot.draw(&Circle::new(p, 6, if clear { c.filled() } else { c.stroke_width(2) }))?;
                }
                let text = headline_value(r);
                let tx = bw as i32 - value_w + 12;
                draw_text(&body, &text, (tx, 4 + cy), &small.color(&MUTED), HPos::Left, VPos::Center)?;
                y += ROW_H;
            }
            y += GROUP_GAP;
        }
        Ok(())
    }
}

/// "+12.3 % [10.1, 14.5]" with the precision the interval supports.
fn headline_value(r: &HeadRow) -> String {
    if !r.rel.is_finite() {
        return r.absolute.clone();
    }
    let half = (r.rel_high - r.rel_low).abs() / 2.0 * 100.0;
    let dec = match crate::report::numbers::step(half) {
        Some(s) if s < 1.0 => (-s.log10()).round() as usize,
        Some(_) => 0,
        None => 1,
    };
    let sign = |v: f64| if v > 0.0 { "+" } else { "" };
    let m = r.rel * 100.0;
    if r.rel_low.is_finite() && r.rel_high.is_finite() {
        format!(
            "{}{} % [{}, {}]",
            sign(m),
            fmt_num(m, dec),
            fmt_num(r.rel_low * 100.0, dec),
            fmt_num(r.rel_high * 100.0, dec)
        )
    } else {
        format!("{}{} %", sign(m), fmt_num(m, dec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_of_the_finite_values() {
        let (m, lo, hi) = mean_ci(&[1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(m, 3.0);
        let half = 2.7764 * (2.5f64).sqrt() / 5f64.sqrt();
        assert!((hi - m - half).abs() < 1e-9 && (m - lo - half).abs() < 1e-9);
        assert_eq!(mean_ci(&[7.0]), Some((7.0, 7.0, 7.0)));
        assert_eq!(mean_ci(&[f64::NAN]), None);
    }

    #[test]
    fn a_band_never_crosses_the_kpi_s_bounds() {
        // Children without a seat near zero with a wide interval: the band stops at zero.
        let (m, lo, hi) = mean_ci(&[0.0, 0.0, 30.0]).unwrap();
        assert!(lo < 0.0, "the raw t interval crosses zero");
        let mut band = vec![(2030.0, lo, hi)];
        clip(&mut band, level_bounds("children_unseated"));
        assert_eq!(band[0].1, 0.0);
        assert!(m > 0.0 && band[0].2 == hi);
        let mut share = vec![(2030.0, -0.2, 1.3)];
        clip(&mut share, level_bounds("rent_to_income"));
        assert_eq!((share[0].1, share[0].2), (0.0, 1.0));
        let mut diff = vec![(2030.0, -1.5, 0.2)];
        clip(&mut diff, diff_bounds("rent_to_income"));
        assert_eq!(diff[0].1, -1.0);
    }

    #[test]
    fn titles_read_as_names() {
        assert_eq!(short_title("What if: higher R&D subsidy"), "Higher R&D subsidy");
        assert_eq!(short_title("情景:提高研发补助"), "提高研发补助");
        assert_eq!(short_title("Baseline"), "Baseline");
    }
}
