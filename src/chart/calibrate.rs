//! Charts of a calibration folder: the posterior of each parameter (weighted histograms over the
//! prior's range) and of each pair, every target observed and under the posterior, and the
//! distance by generation.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{bold, draw_text, draw_title, fit_text, font, write_figure, Area, DrawErr, Figure};
use super::data::{read_json, read_rows, read_text};
use super::format::{fmt_num, nice_axis};
use super::i18n::tr;
use super::intervals::{IntervalFigure, IntervalRow, IntervalSeries, Mark};
use super::lines::{LineChart, LineFigure, Series, TickAxis, XAxis};
use super::palette::{okabe_ito, GRID, INK, MUTED};
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::output::{read_posterior, CalibrationJson, FitRow, GenerationRow, PosteriorSample};

/// Render the charts of a calibration folder.
pub(crate) fn render_calibration(
    dir: &Path,
    out: &Path,
    opts: &ChartOptions,
) -> Result<Vec<RenderedChart>, ChartError> {
    let info: CalibrationJson = read_json(&dir.join("calibration.json"))?;
    let path = dir.join("posterior.csv");
    let (names, samples) =
        read_posterior(&read_text(&path)?).map_err(|message| ChartError::Invalid { path: path.clone(), message })?;
    let fits: Vec<FitRow> = read_rows(&dir.join("fit.csv"))?;
    let generations: Vec<GenerationRow> = read_rows(&dir.join("generations.csv"))?;
    let (lang, size) = (opts.lang, (opts.width, opts.height));
    let ranges: Vec<(f64, f64)> = info
        .spec
        .parameters
        .iter()
        .map(|p| {
            let prior = p.prior();
            (prior.value(prior.quantile(0.001)), prior.value(prior.quantile(0.999)))
        })
        .collect();
    let post = Posterior { names: &names, samples: &samples, ranges: &ranges, medians: &info.posterior };
    let mut charts = Vec::new();
    let mut push =
        |title: String, (png, svg)| charts.push(RenderedChart { png, svg, title, section: Section::Calibration });
    let fig = Marginals { post: &post, lang, size };
    push(fig.title(), write_figure(&fig, out, "posterior_marginals")?);
    if names.len() >= 2 {
        let fig = Pairs { post: &post, lang, size: (size.0, size.0.min(1400) * 3 / 4) };
        push(fig.title(), write_figure(&fig, out, "posterior_pairs")?);
    }
    let fig = fit_figure(&fits, lang, size);
    push(fig.title.clone(), write_figure(&fig, out, "fit")?);
    let chart = distance_chart(&generations, lang);
    push(chart.title.clone(), write_figure(&LineFigure { chart: &chart, lang, size }, out, "distance_by_generation")?);
    Ok(charts)
}

/// The posterior sample and what the charts draw around it.
struct Posterior<'a> {
    names: &'a [String],
    samples: &'a [PosteriorSample],
    /// Each parameter's prior range (0.1 % to 99.9 %).
    ranges: &'a [(f64, f64)],
    medians: &'a [crate::output::ParameterFit],
}

const BINS: usize = 20;

impl Posterior<'_> {
    /// Weighted shares of the sample in BINS equal bins of parameter `d`'s prior range.
    fn histogram(&self, d: usize) -> Vec<f64> {
        let (lo, hi) = self.ranges[d];
        let mut bins = vec![0.0; BINS];
        for s in self.samples {
            let f = (s.values[d] - lo) / (hi - lo);
            if f.is_finite() {
                bins[((f * BINS as f64).floor().max(0.0) as usize).min(BINS - 1)] += s.weight;
            }
        }
        bins
    }
}

/// A grid of `n` panels, about as wide as high.
fn panels<DB: DrawingBackend>(area: &Area<DB>, n: usize) -> Vec<Area<DB>> {
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let rows = n.div_ceil(cols).max(1);
    area.split_evenly((rows, cols)).into_iter().take(n).collect()
}

/// A histogram of parameter `d` in a panel, with the median and the 95 % interval.
fn draw_histogram<DB: DrawingBackend>(
    panel: &Area<DB>,
    post: &Posterior,
    d: usize,
    title: Option<&str>,
    lang: Lang,
) -> Result<(), DrawErr> {
    let (lo, hi) = post.ranges[d];
    let bins = post.histogram(d);
    let top = bins.iter().copied().fold(0.0, f64::max).max(1e-9);
    let (pw, _) = panel.dim_in_pixel();
    let plot = match title {
        Some(t) => {
            let tstyle = bold(lang, 14.0);
            draw_text(panel, &fit_text(t, &tstyle, pw.saturating_sub(20)), (10, 6), &tstyle, HPos::Left, VPos::Top)?;
            panel.split_vertically(26).1
        }
        None => panel.clone(),
    };
    let xaxis = nice_axis(lo, hi, false, ((pw as usize) / 120).clamp(2, 5));
    let yaxis = nice_axis(0.0, top * 1.05, true, 4);
    let lstyle = font(lang, 12.0);
    let mut chart = ChartBuilder::on(&plot)
        .margin_right(14)
        .margin_left(4)
        .x_label_area_size(28)
        .y_label_area_size(40)
        .build_cartesian_2d(
            TickAxis::new(lo, hi, xaxis.ticks.clone()),
            TickAxis::new(0.0, yaxis.hi, yaxis.ticks.clone()),
        )?;
    let (xdec, ydec) = (xaxis.decimals(), yaxis.decimals());
    let xf = |v: &f64| fmt_num(*v, xdec);
    let yf = |v: &f64| fmt_num(*v, ydec);
    chart
        .configure_mesh()
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .label_style(lstyle)
        .draw()?;
    if let Some(m) = post.medians.get(d) {
        if m.low.is_finite() && m.high.is_finite() {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(m.low, 0.0), (m.high, yaxis.hi)],
                okabe_ito(0).mix(0.12).filled(),
            )))?;
        }
    }
    let w = (hi - lo) / BINS as f64;
    for (i, b) in bins.iter().enumerate() {
        let x0 = lo + i as f64 * w;
        chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + w, *b)], okabe_ito(0).filled())))?;
    }
    if let Some(m) = post.medians.get(d).map(|m| m.median).filter(|m| m.is_finite()) {
        chart.draw_series(std::iter::once(PathElement::new(vec![(m, 0.0), (m, yaxis.hi)], INK.stroke_width(2))))?;
    }
    Ok(())
}

struct Marginals<'a> {
    post: &'a Posterior<'a>,
    lang: Lang,
    size: (u32, u32),
}

impl Marginals<'_> {
    fn title(&self) -> String {
        tr(self.lang, "Posterior of each parameter", "各参数的后验分布").to_string()
    }
}

impl Figure for Marginals<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let sub = tr(
            lang,
            "Weighted share of the posterior sample over each prior's range; line: median, shade: 95% interval",
            "后验样本在先验范围内的加权占比；竖线：中位数，阴影：95% 区间",
        );
        let top = draw_title(root, lang, &self.title(), Some(sub))?;
        let (_, body) = root.split_vertically(top);
        for (d, panel) in panels(&body.margin(0, 10, 10, 10), self.post.names.len()).iter().enumerate() {
            draw_histogram(panel, self.post, d, Some(&self.post.names[d]), lang)?;
        }
        Ok(())
    }
}

struct Pairs<'a> {
    post: &'a Posterior<'a>,
    lang: Lang,
    size: (u32, u32),
}

impl Pairs<'_> {
    fn title(&self) -> String {
        tr(self.lang, "Posterior of each pair of parameters", "参数两两之间的后验分布").to_string()
    }
}

impl Figure for Pairs<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let k = self.post.names.len().min(6);
        let sub = tr(
            lang,
            "Below the diagonal: the posterior sample (darker: more weight); on it: each parameter's histogram",
            "对角线以下：后验样本（颜色越深权重越大）；对角线：各参数直方图",
        );
        let top = draw_title(root, lang, &self.title(), Some(sub))?;
        let (_, body) = root.split_vertically(top);
        let cells = body.margin(0, 10, 10, 10).split_evenly((k, k));
        let wmax = self.post.samples.iter().map(|s| s.weight).fold(0.0, f64::max).max(1e-12);
        let lstyle = font(lang, 11.0);
        for a in 0..k {
            for b in 0..k {
                let cell = &cells[a * k + b];
                if a == b {
                    draw_histogram(cell, self.post, a, Some(&self.post.names[a]), lang)?;
                } else if b < a {
                    let ((xlo, xhi), (ylo, yhi)) = (self.post.ranges[b], self.post.ranges[a]);
                    let mut chart = ChartBuilder::on(cell)
                        .margin_right(14)
                        .margin_left(4)
                        .x_label_area_size(if a == k - 1 { 24 } else { 4 })
                        .y_label_area_size(if b == 0 { 40 } else { 4 })
                        .build_cartesian_2d(
                            TickAxis::new(xlo, xhi, nice_axis(xlo, xhi, false, 3).ticks),
                            TickAxis::new(ylo, yhi, nice_axis(ylo, yhi, false, 3).ticks),
                        )?;
                    let (xd, yd) = (nice_axis(xlo, xhi, false, 3).decimals(), nice_axis(ylo, yhi, false, 3).decimals());
                    let xf = |v: &f64| if a == k - 1 { fmt_num(*v, xd) } else { String::new() };
                    let yf = |v: &f64| if b == 0 { fmt_num(*v, yd) } else { String::new() };
                    chart
                        .configure_mesh()
                        .bold_line_style(GRID.stroke_width(1))
                        .light_line_style(TRANSPARENT)
                        .axis_style(MUTED.stroke_width(1))
                        .x_label_formatter(&xf)
                        .y_label_formatter(&yf)
                        .label_style(lstyle.clone())
                        .draw()?;
                    for s in self.post.samples {
                        let alpha = 0.25 + 0.75 * s.weight / wmax;
                        chart.draw_series(std::iter::once(Circle::new(
                            (s.values[b], s.values[a]),
                            3,
                            okabe_ito(0).mix(alpha).filled(),
                        )))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Every target on one scale: (value - observed) / observed sd, observed ± 2 sd around 0, the
/// model's mean ± 2 sd under the posterior.
fn fit_figure(fits: &[FitRow], lang: Lang, size: (u32, u32)) -> IntervalFigure {
    let rows = fits
        .iter()
        .map(|f| {
            let m = f.model_sd / f.observed_sd;
            let label = if f.sample == "out" {
                format!("{} ({})", f.target, tr(lang, "hold-out", "样本外"))
            } else {
                f.target.clone()
            };
            IntervalRow { label, values: vec![(0.0, -2.0, 2.0), (f.z, f.z - 2.0 * m, f.z + 2.0 * m)] }
        })
        .collect();
    IntervalFigure {
        title: tr(lang, "Targets: observed and under the posterior", "校准目标：观测值与后验模拟值").to_string(),
        subtitle: tr(
            lang,
            "Each target in units of its observed sd; bars: ± 2 sd of the observation and of the model under the posterior",
            "以各目标观测标准差为单位；误差线：观测值与后验模拟值的 ± 2 个标准差",
        )
        .to_string(),
        x_label: tr(lang, "(value − observed) / observed sd", "（数值 − 观测值）/ 观测标准差").to_string(),
        series: vec![
            IntervalSeries::new(tr(lang, "Observed ± 2 sd", "观测值 ± 2 sd"), 6, Mark::Dot),
            IntervalSeries::new(tr(lang, "Model ± 2 sd", "模型 ± 2 sd"), 1, Mark::Dot),
        ],
        rows,
        vline: None,
        x_range: Some((-3.0, 3.0)),
        clip: Some((-12.0, 12.0)),
        lang,
        size,
    }
}

/// The tolerance, the kept particles' median distance and the closest distance, by generation.
fn distance_chart(gens: &[GenerationRow], lang: Lang) -> LineChart {
    let mut chart = LineChart::new(
        tr(lang, "Distance to the targets by generation", "各代与校准目标的距离"),
        tr(lang, "Generation", "代"),
        tr(lang, "Distance (RMS z-score)", "距离（均方根 z 值）"),
    );
    chart.subtitle = Some(
        tr(
            lang,
            "The kept particles: largest (the tolerance), median and smallest distance",
            "保留粒子的最大（容差）、中位与最小距离",
        )
        .to_string(),
    );
    chart.x_axis = XAxis::Numeric;
    let line = |label: &str, i: usize, f: &dyn Fn(&GenerationRow) -> f64| {
        let mut s = Series::new(label, gens.iter().map(|g| (g.generation as f64, f(g))).collect());
        s.markers = true;
        s.color = Some(okabe_ito(i));
        s
    };
    chart.series = vec![
        line(tr(lang, "Tolerance", "容差"), 1, &|g| g.epsilon),
        line(tr(lang, "Median", "中位数"), 0, &|g| g.distance_median),
        line(tr(lang, "Closest", "最小"), 2, &|g| g.distance_min),
    ];
    chart
}
