//! Compare charts: per-KPI trajectories per scenario with 95% bands, and effects versus the
//! baseline with confidence whiskers.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{bold, draw_text, draw_title, fit_text, font, text_size, write_figure, Area, DrawErr, Figure};
use super::data::{read_compare_values, read_json, read_rows, CompareValues};
use super::format::{fmt_num, nice_axis};
use super::i18n::{kpi, pretty, tr, with_unit, Freq, UnitKind};
use super::lines::{min_max, LineChart, LineFigure, Series, TickAxis, XAxis};
use super::palette::{okabe_ito, BASELINE, GRID, INK, MUTED};
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::experiment::stats::summarize;
use crate::output::{CompareJson, EffectRow};

/// KPI panels per effects figure.
const PANELS_PER_PAGE: usize = 6;

/// Render the charts of a compare folder.
pub(crate) fn render_compare(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let info: CompareJson = read_json(&dir.join("compare.json"))?;
    let values = read_compare_values(&dir.join("compare.csv"))?;
    let effects_path = dir.join("effects.csv");
    let effects: Vec<EffectRow> = if effects_path.is_file() { read_rows(&effects_path)? } else { Vec::new() };
    let lang = opts.lang;
    let scenarios = scenario_order(&info, &values);
    let kpis = kpi_order(&info, &values);
    let mut rendered = Vec::new();
    for (stem, chart) in trajectory_charts(&info, &values, &scenarios, &kpis, lang) {
        let fig = LineFigure { chart: &chart, lang, size: (opts.width, opts.height) };
        let (png, svg) = write_figure(&fig, out, &stem)?;
        rendered.push(RenderedChart { png, svg, title: chart.title.clone(), section: Section::Trajectories });
    }
    let final_year = values.values().flat_map(|s| s.values().flat_map(|y| y.keys().copied())).max();
    let effect_kpis: Vec<String> = kpis
        .iter()
        .filter(|k| effects.iter().any(|e| &e.kpi == *k))
        .cloned()
        .chain(effects.iter().map(|e| e.kpi.clone()).filter(|k| !kpis.contains(k)).fold(Vec::new(), |mut v, k| {
            if !v.contains(&k) {
                v.push(k);
            }
            v
        }))
        .collect();
    let pages: Vec<&[String]> = effect_kpis.chunks(PANELS_PER_PAGE).collect();
    for (i, page) in pages.iter().enumerate() {
        let fig = EffectsFigure {
            base: &info.base,
            kpis: page,
            effects: &effects,
            scenarios: &scenarios,
            final_year,
            page: (i + 1, pages.len()),
            lang,
            size: (opts.width, opts.height),
        };
        let stem = if pages.len() == 1 { "effects".to_string() } else { format!("effects_{}", i + 1) };
        let (png, svg) = write_figure(&fig, out, &stem)?;
        rendered.push(RenderedChart { png, svg, title: fig.title(), section: Section::Effects });
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

/// Colour of a scenario: dark grey for the baseline, Okabe-Ito for the variants.
pub(crate) fn scenario_colour(scenarios: &[String], name: &str) -> RGBColor {
    match scenarios.iter().position(|s| s == name) {
        Some(0) | None => BASELINE,
        Some(i) => okabe_ito(i - 1),
    }
}

fn trajectory_charts(
    info: &CompareJson,
    values: &CompareValues,
    scenarios: &[String],
    kpis: &[String],
    lang: Lang,
) -> Vec<(String, LineChart)> {
    let mut out = Vec::new();
    for name in kpis {
        let Some(per_scenario) = values.get(name) else {
            continue;
        };
        let k = kpi(name, Freq::Year, lang);
        let mut series = Vec::new();
        let mut reps = 0usize;
        for s in scenarios {
            let Some(years) = per_scenario.get(s) else {
                continue;
            };
            let mut points = Vec::new();
            let mut band = Vec::new();
            for (&y, vals) in years {
                reps = reps.max(vals.iter().filter(|v| v.is_finite()).count());
                if let Some((m, lo, hi)) = mean_ci(vals) {
                    points.push((y as f64, m));
                    band.push((y as f64, lo, hi));
                }
            }
            let label = if *s == info.base {
                match lang {
                    Lang::En => format!("{} (baseline)", pretty(s)),
                    Lang::Zh => format!("{} (基准)", pretty(s)),
                }
            } else {
                pretty(s)
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
        let all: Vec<f64> = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1.abs()).chain(s.band.iter().map(|b| b.2.abs())))
            .collect();
        let scale = k.unit.scale_for(min_max(&all).map_or(0.0, |m| m.1), lang);
        let mut chart = LineChart::new(k.label.clone(), tr(lang, "Year", "年份"), k.axis_label(lang, scale));
        chart.subtitle = Some(match lang {
            Lang::En => format!("Mean over {reps} replications per scenario, shaded: 95% confidence interval (t)"),
            Lang::Zh => format!("每个情景 {reps} 次重复模拟的均值，阴影为 95% 置信区间 (t 分布)"),
        });
        chart.x_axis = XAxis::Years;
        chart.y_divisor = scale.factor;
        // Scenarios differ by a few percent: zoom in rather than start at zero.
        chart.y_from_zero = false;
        chart.legend_title = Some(tr(lang, "Scenario", "情景").to_string());
        chart.band_label = (reps > 1).then(|| tr(lang, "95% CI", "95% 置信区间").to_string());
        chart.series = series;
        out.push((format!("compare_{name}"), chart));
    }
    out
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

struct EffectsFigure<'a> {
    base: &'a str,
    kpis: &'a [String],
    effects: &'a [EffectRow],
    scenarios: &'a [String],
    final_year: Option<i32>,
    page: (usize, usize),
    lang: Lang,
    size: (u32, u32),
}

impl EffectsFigure<'_> {
    fn title(&self) -> String {
        let base = pretty(self.base);
        let mut t = match (self.lang, self.final_year) {
            (Lang::En, Some(y)) => format!("Effects versus baseline “{base}”, {y}"),
            (Lang::En, None) => format!("Effects versus baseline “{base}”"),
            (Lang::Zh, Some(y)) => format!("{y}年相对基准情景 {base} 的效果"),
            (Lang::Zh, None) => format!("相对基准情景 {base} 的效果"),
        };
        if self.page.1 > 1 {
            t.push_str(&format!(" ({}/{})", self.page.0, self.page.1));
        }
        t
    }
}

impl Figure for EffectsFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let sub = tr(
            lang,
            "Difference of final-year means (variant − baseline) with 95% confidence interval; labels: relative change",
            "末年均值之差 (方案 − 基准) 及 95% 置信区间；标注为相对变化",
        );
        let top = draw_title(root, lang, &self.title(), Some(sub))?;
        let (_, body) = root.split_vertically(top);
        let n = self.kpis.len().max(1);
        let cols = match n {
            1 => 1,
            2..=4 => 2,
            _ => 3,
        };
        let rows = n.div_ceil(cols);
        let panels = body.margin(0, 10, 10, 10).split_evenly((rows, cols));
        for (name, panel) in self.kpis.iter().zip(panels.iter()) {
            let rows: Vec<&EffectRow> = self
                .scenarios
                .iter()
                .skip(1)
                .filter_map(|v| self.effects.iter().find(|e| &e.kpi == name && &e.variant == v))
                .chain(self.effects.iter().filter(|e| &e.kpi == name && !self.scenarios.contains(&e.variant)))
                .collect();
            self.draw_panel(panel, name, &rows)?;
        }
        Ok(())
    }
}

impl EffectsFigure<'_> {
    fn draw_panel<DB: DrawingBackend>(&self, area: &Area<DB>, name: &str, rows: &[&EffectRow]) -> Result<(), DrawErr> {
        let lang = self.lang;
        let (pw, _) = area.dim_in_pixel();
        let k = kpi(name, Freq::Year, lang);
        let tstyle = bold(lang, 15.0);
        draw_text(area, &fit_text(&k.label, &tstyle, pw.saturating_sub(20)), (10, 8), &tstyle, HPos::Left, VPos::Top)?;
        let (_, plot) = area.split_vertically(30);
        let vals: Vec<f64> =
            rows.iter().flat_map(|e| [e.diff_mean, e.diff_ci_low, e.diff_ci_high]).chain([0.0]).collect();
        let max_abs = vals.iter().filter(|v| v.is_finite()).fold(0.0f64, |a, v| a.max(v.abs()));
        let scale = k.unit.scale_for(max_abs, lang);
        let (lo, hi) = min_max(&vals).unwrap_or((-1.0, 1.0));
        // About one tick per 110 pixels of panel width.
        let target = ((pw as usize) / 110).clamp(2, 5);
        let axis = nice_axis(lo / scale.factor, hi / scale.factor, true, target);
        let dec = axis.decimals();
        let lstyle = font(lang, 13.0);
        let n = rows.len().max(1);
        let names: Vec<String> = rows.iter().map(|e| pretty(&e.variant)).collect();
        let max_name = (pw as f64 * 0.38) as u32;
        let names: Vec<String> = names.iter().map(|s| fit_text(s, &lstyle, max_name)).collect();
        let name_w = names.iter().map(|s| text_size(s, &lstyle).0).max().unwrap_or(40);
        // A difference of shares is in percentage points.
        let unit = if k.unit.kind == UnitKind::Share {
            tr(lang, "percentage points", "百分点").to_string()
        } else {
            k.unit.text(lang, scale)
        };
        let xdesc = with_unit(tr(lang, "Difference", "差值"), &unit, lang);
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(18)
            .margin_left(6)
            .margin_bottom(4)
            .x_label_area_size(46)
            .y_label_area_size(name_w + 14)
            .build_cartesian_2d(
                TickAxis::new(axis.lo, axis.hi, axis.ticks.clone()),
                TickAxis::new(-0.6, n as f64 - 0.4, (0..n).map(|i| i as f64).collect()),
            )?;
        let xfmt = |v: &f64| fmt_num(*v, dec);
        let yfmt = |v: &f64| {
            let i = v.round() as usize;
            names.get(n.saturating_sub(1).saturating_sub(i)).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(MUTED.stroke_width(1))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .label_style(lstyle.clone())
            .axis_desc_style(font(lang, 13.0))
            .x_desc(xdesc.as_str())
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.6), (0.0, n as f64 - 0.4)],
            INK.stroke_width(1),
        )))?;
        let f = scale.factor;
        let small = font(lang, 12.0).color(&MUTED);
        for (i, e) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let c = scenario_colour(self.scenarios, &e.variant);
            if e.diff_ci_low.is_finite() && e.diff_ci_high.is_finite() {
                let (l, h) = (e.diff_ci_low / f, e.diff_ci_high / f);
                chart.draw_series(std::iter::once(PathElement::new(vec![(l, y), (h, y)], c.stroke_width(2))))?;
                for x in [l, h] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, y - 0.08), (x, y + 0.08)],
                        c.stroke_width(2),
                    )))?;
                }
            }
            if e.diff_mean.is_finite() {
                let p = (e.diff_mean / f, y);
                chart.draw_series(std::iter::once(Circle::new(p, 6, c.filled())))?;
                if e.rel_change.is_finite() {
                    let pct = e.rel_change * 100.0;
                    let label = format!("{}{}%", if pct > 0.0 { "+" } else { "" }, fmt_num(pct, 1));
                    let anchor = small.pos(Pos::new(HPos::Center, VPos::Bottom));
                    chart.draw_series(std::iter::once(EmptyElement::at(p) + Text::new(label, (0, -14), anchor)))?;
                }
            }
        }
        Ok(())
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
}
