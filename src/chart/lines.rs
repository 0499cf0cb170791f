//! A line chart with optional shaded intervals, stacking, markers and a reference line; the
//! building block of the time series, trajectory and one-parameter sweep charts.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{draw_text, draw_title, font, render_png, text_size, Area, DrawErr, Figure};
use super::format::{fmt_num, nice_axis, year_ticks};
use super::legend::{draw_legend, legend_width, LegendItem, Swatch};
use super::palette::{okabe_ito, GRID, INK, MUTED};
use super::{fonts, ChartError, ChartOptions, Lang};

/// What the x axis shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    /// Calendar years (fractional for months); ticks fall on whole years.
    Years,
    /// Plain numbers (e.g. a parameter value).
    Numeric,
}

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// `(x, y)` points; non-finite values break the line.
    pub points: Vec<(f64, f64)>,
    /// Optional shaded interval `(x, low, high)` drawn under the line.
    pub band: Vec<(f64, f64, f64)>,
    /// Colour; `None` takes the next Okabe-Ito colour.
    pub color: Option<RGBColor>,
    /// Draw a dot at every point.
    pub markers: bool,
}

impl Series {
    /// A plain line.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series { label: label.into(), points, band: Vec::new(), color: None, markers: false }
    }
}

/// A complete line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title (bold, top left).
    pub title: String,
    /// Optional second line under the title.
    pub subtitle: Option<String>,
    /// x axis label with unit.
    pub x_label: String,
    /// y axis label with unit (after division by `y_divisor`).
    pub y_label: String,
    /// Kind of x axis.
    pub x_axis: XAxis,
    /// y values are divided by this before plotting (e.g. 1e6 for "million", 0.01 for %).
    pub y_divisor: f64,
    /// The lines.
    pub series: Vec<Series>,
    /// Stack the series as filled areas (they must share x values).
    pub stacked: bool,
    /// Include zero in the y range.
    pub y_from_zero: bool,
    /// A dashed vertical reference line at x with a legend label.
    pub vline: Option<(f64, String)>,
    /// A solid horizontal reference line at y (undivided) with a legend label (e.g. zero
    /// difference).
    pub hline: Option<(f64, String)>,
    /// Heading of the legend box.
    pub legend_title: Option<String>,
    /// Label for the shaded bands in the legend (e.g. "95% CI").
    pub band_label: Option<String>,
}

impl LineChart {
    /// A chart with a years axis and no series.
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Self {
        LineChart {
            title: title.into(),
            subtitle: None,
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_axis: XAxis::Years,
            y_divisor: 1.0,
            series: Vec::new(),
            stacked: false,
            y_from_zero: true,
            vline: None,
            hline: None,
            legend_title: None,
            band_label: None,
        }
    }
}

/// Where the plot area is and how data map to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotFrame {
    /// Pixel x of the left and right ends of the x range.
    pub x_px: (i32, i32),
    /// Pixel y of the bottom and top ends of the y range.
    pub y_px: (i32, i32),
    /// Data x range.
    pub x_range: (f64, f64),
    /// Plotted y range (after division by `y_divisor`).
    pub y_range: (f64, f64),
    /// Divisor applied to y values.
    pub y_divisor: f64,
}

impl PlotFrame {
    /// Pixel position of a data point (`y` undivided).
    pub fn to_pixel(&self, x: f64, y: f64) -> (i32, i32) {
        let fx = (x - self.x_range.0) / (self.x_range.1 - self.x_range.0);
        let fy = (y / self.y_divisor - self.y_range.0) / (self.y_range.1 - self.y_range.0);
        (
            (self.x_px.0 as f64 + fx * (self.x_px.1 - self.x_px.0) as f64).round() as i32,
            (self.y_px.0 as f64 + fy * (self.y_px.1 - self.y_px.0) as f64).round() as i32,
        )
    }
}

/// A PNG rendered in memory.
#[derive(Debug, Clone)]
pub struct RenderedPng {
    /// The encoded PNG file.
    pub png: Vec<u8>,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// The plot's pixel mapping.
    pub frame: PlotFrame,
}

/// Render a line chart to PNG bytes and report where its data land (for tests and callers
/// who annotate).
pub fn line_chart_to_png(chart: &LineChart, opts: &ChartOptions) -> Result<RenderedPng, ChartError> {
    opts.validate()?;
    fonts::register_fonts()?;
    let fig = LineFigure { chart, lang: opts.lang, size: (opts.width, opts.height) };
    let err = |e: DrawErr| ChartError::Draw { chart: chart.title.clone(), message: e.0 };
    // Draw once more on a throwaway SVG to learn the frame (cheap, same layout).
    let mut svg = String::new();
    let frame = {
        let root = SVGBackend::with_string(&mut svg, fig.size).into_drawing_area();
        draw_line_chart(&root, chart, opts.lang).map_err(err)?
    };
    let png = render_png(&fig).map_err(err)?;
    Ok(RenderedPng { png, size: fig.size, frame })
}

/// A line chart as a [`Figure`].
pub(crate) struct LineFigure<'a> {
    pub chart: &'a LineChart,
    pub lang: Lang,
    pub size: (u32, u32),
}

impl Figure for LineFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        draw_line_chart(root, self.chart, self.lang).map(|_| ())
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Cumulative sums of the series (for stacking), on the first series' x values.
fn stack(series: &[Series], div: f64) -> Vec<Vec<(f64, f64, f64)>> {
    let mut out = Vec::with_capacity(series.len());
    let xs: Vec<f64> = series.first().map_or(Vec::new(), |s| s.points.iter().map(|p| p.0).collect());
    let mut base = vec![0.0; xs.len()];
    for s in series {
        let mut layer = Vec::with_capacity(xs.len());
        for (i, &x) in xs.iter().enumerate() {
            let v = s.points.get(i).map_or(0.0, |p| finite(p.1 / div).unwrap_or(0.0));
            layer.push((x, base[i], base[i] + v));
            base[i] += v;
        }
        out.push(layer);
    }
    out
}

/// Draw the whole chart (title, plot, legend) onto `root`; returns the pixel mapping.
pub(crate) fn draw_line_chart<DB: DrawingBackend>(
    root: &Area<DB>,
    c: &LineChart,
    lang: Lang,
) -> Result<PlotFrame, DrawErr> {
    let (w, _) = root.dim_in_pixel();
    let top = draw_title(root, lang, &c.title, c.subtitle.as_deref())?;
    let div = if c.y_divisor.is_finite() && c.y_divisor != 0.0 { c.y_divisor } else { 1.0 };
    let colors: Vec<RGBColor> =
        c.series.iter().enumerate().map(|(i, s)| s.color.unwrap_or_else(|| okabe_ito(i))).collect();
    let stacked = if c.stacked { stack(&c.series, div) } else { Vec::new() };

    // Data extents.
    let mut xs: Vec<f64> = Vec::new();
    let mut ys: Vec<f64> = Vec::new();
    for s in &c.series {
        for &(x, y) in &s.points {
            if let (Some(x), Some(y)) = (finite(x), finite(y / div)) {
                xs.push(x);
                ys.push(y);
            }
        }
        for &(x, lo, hi) in &s.band {
            if finite(x).is_some() {
                ys.extend([lo / div, hi / div].into_iter().filter(|v| v.is_finite()));
            }
        }
    }
    for layer in &stacked {
        ys.extend(layer.iter().map(|p| p.2));
    }
    if let Some((x, _)) = &c.vline {
        xs.extend(finite(*x));
    }
    if let Some((y, _)) = &c.hline {
        ys.extend(finite(*y / div));
    }
    let (xmin, xmax) = min_max(&xs).unwrap_or((0.0, 1.0));
    let (ymin, ymax) = min_max(&ys).unwrap_or((0.0, 1.0));
    let yaxis = nice_axis(ymin, ymax, c.y_from_zero, 6);
    let (x0, x1, xticks, xdec) = match c.x_axis {
        XAxis::Years => {
            let (a, b) = if xmax - xmin < 1.0 { (xmin.floor(), (xmin.floor() + 1.0).max(xmax)) } else { (xmin, xmax) };
            (a, b, year_ticks(a, b), 0)
        }
        XAxis::Numeric => {
            // A margin beyond the outermost ticks, so that a point or reference line at either
            // end does not hide under an axis.
            let ax = nice_axis(xmin, xmax, false, 6);
            let d = ax.decimals();
            let pad = 0.04 * (ax.hi - ax.lo);
            (ax.lo - pad, ax.hi + pad, ax.ticks, d)
        }
    };
    let ydec = yaxis.decimals();

    // Legend items.
    let mut items: Vec<LegendItem> = c
        .series
        .iter()
        .zip(&colors)
        .filter(|(s, _)| !s.label.is_empty())
        .map(|(s, &col)| {
            let sw = if c.stacked {
                Swatch::Fill(col)
            } else if s.band.is_empty() || c.band_label.is_some() {
                Swatch::Line(col)
            } else {
                Swatch::Band(col)
            };
            LegendItem::new(s.label.clone(), sw)
        })
        .collect();
    if c.stacked {
        items.reverse(); // top layer first, as drawn
    }
    if let (Some(l), true) = (&c.band_label, c.series.iter().any(|s| !s.band.is_empty())) {
        items.push(LegendItem::new(l.clone(), Swatch::Band(MUTED)));
    }
    if let Some((_, l)) = &c.vline {
        items.push(LegendItem::new(l.clone(), Swatch::Dashed(INK)));
    }
    if let Some((_, l)) = &c.hline {
        items.push(LegendItem::new(l.clone(), Swatch::Line(INK)));
    }
    let show_legend = items.len() >= 2 || c.legend_title.is_some();
    let lw =
        if show_legend { legend_width(&items, c.legend_title.as_deref(), lang, (w as f64 * 0.3) as u32) } else { 0 };

    let (_, body) = root.split_vertically(top);
    let (plot, side) = body.split_horizontally(w.saturating_sub(if lw > 0 { lw + 24 } else { 0 }));
    let lstyle = font(lang, 14.0);
    let ylabels: Vec<String> = yaxis.ticks.iter().map(|v| fmt_num(*v, ydec)).collect();
    let ylab_w = ylabels.iter().map(|l| text_size(l, &lstyle).0).max().unwrap_or(20);
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(10)
        .margin_right(24)
        .margin_left(16)
        .margin_bottom(8)
        .x_label_area_size(58)
        .y_label_area_size(ylab_w + 44)
        .build_cartesian_2d(TickAxis::new(x0, x1, xticks), TickAxis::new(yaxis.lo, yaxis.hi, yaxis.ticks.clone()))?;
    let xfmt = |v: &f64| match c.x_axis {
        XAxis::Years => format!("{v:.0}"),
        XAxis::Numeric => fmt_num(*v, xdec),
    };
    let yfmt = |v: &f64| fmt_num(*v, ydec);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(MUTED.stroke_width(1))
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .label_style(lstyle.clone())
        .axis_desc_style(font(lang, 15.0))
        .x_desc(c.x_label.as_str())
        .y_desc(c.y_label.as_str())
        .draw()?;

    // Bands first, then stacked areas, then lines on top.
    for (s, &col) in c.series.iter().zip(&colors) {
        let band: Vec<(f64, f64, f64)> = s
            .band
            .iter()
            .filter(|b| b.0.is_finite() && b.1.is_finite() && b.2.is_finite())
            .map(|&(x, lo, hi)| (x, lo / div, hi / div))
            .collect();
        if band.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.2)).collect();
            poly.extend(band.iter().rev().map(|b| (b.0, b.1)));
            chart.draw_series(std::iter::once(Polygon::new(poly, col.mix(0.18).filled())))?;
        }
    }
    for (layer, &col) in stacked.iter().zip(&colors) {
        if layer.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = layer.iter().map(|p| (p.0, p.2)).collect();
            poly.extend(layer.iter().rev().map(|p| (p.0, p.1)));
            chart.draw_series(std::iter::once(Polygon::new(poly, col.mix(0.85).filled())))?;
            chart.draw_series(LineSeries::new(layer.iter().map(|p| (p.0, p.2)), WHITE.stroke_width(1)))?;
        }
    }
    if !c.stacked {
        for (s, &col) in c.series.iter().zip(&colors) {
            for seg in segments(&s.points, div) {
                // Dense monthly series read better with a thinner line.
                let width = if s.points.len() > 60 { 2 } else { 3 };
                chart.draw_series(LineSeries::new(seg.iter().copied(), col.stroke_width(width)))?;
                if s.markers {
                    chart.draw_series(seg.iter().map(|&p| Circle::new(p, 4, col.filled())))?;
                }
            }
        }
    }
    if let Some((x, _)) = &c.vline {
        if x.is_finite() {
            chart.draw_series(DashedLineSeries::new([(*x, yaxis.lo), (*x, yaxis.hi)], 8, 6, INK.stroke_width(2)))?;
        }
    }
    if let Some((y, _)) = &c.hline {
        if y.is_finite() {
            chart.draw_series(LineSeries::new([(x0, *y / div), (x1, *y / div)], INK.stroke_width(1)))?;
        }
    }
    let frame = {
        let a = chart.backend_coord(&(x0, yaxis.lo));
        let b = chart.backend_coord(&(x1, yaxis.hi));
        PlotFrame {
            x_px: (a.0, b.0),
            y_px: (a.1, b.1),
            x_range: (x0, x1),
            y_range: (yaxis.lo, yaxis.hi),
            y_divisor: div,
        }
    };
    if ys.is_empty() {
        let (cx, cy) = chart.backend_coord(&((x0 + x1) / 2.0, (yaxis.lo + yaxis.hi) / 2.0));
        let msg = super::i18n::tr(lang, "no data", "无数据");
        draw_text(root, msg, (cx, cy), &font(lang, 18.0).color(&MUTED), HPos::Center, VPos::Center)?;
    }
    if show_legend {
        draw_legend(&side, (0, 10), lw, &items, c.legend_title.as_deref(), lang)?;
    }
    Ok(frame)
}

/// Runs of consecutive finite points, with y divided.
fn segments(points: &[(f64, f64)], div: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for &(x, y) in points {
        let y = y / div;
        if x.is_finite() && y.is_finite() {
            cur.push((x, y));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Minimum and maximum of finite values.
pub(crate) fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    values.iter().filter(|v| v.is_finite()).fold(None, |acc, &v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((a.min(v), b.max(v))),
    })
}

/// A linear f64 axis whose ticks are exactly the given values (plotters' own f64 axis picks
/// its own ticks and cannot be formatted through the mesh without them).
#[derive(Debug, Clone)]
pub(crate) struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    pub fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo { (lo, hi) } else { (0.0, 1.0) };
        let ticks = ticks
            .into_iter()
            .filter(|t| t.is_finite() && *t >= lo - 1e-9 * (hi - lo) && *t <= hi + 1e-9 * (hi - lo))
            .collect();
        TickAxis { lo, hi, ticks }
    }
}

impl Ranged for TickAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = (value - self.lo) / (self.hi - self.lo);
        let f = if f.is_finite() { f.clamp(-10.0, 11.0) } else { 0.0 };
        limit.0 + (f * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}
