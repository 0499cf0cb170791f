//! A figure of labelled rows, each with one estimate and interval per series (a bar from zero or
//! a dot, with a whisker): Sobol indices per parameter, calibration targets observed and fitted.

use plotters::prelude::*;

use super::canvas::{draw_title, fit_text, font, text_size, Area, DrawErr, Figure};
use super::format::{fmt_num, nice_axis};
use super::legend::{draw_legend, legend_width, LegendItem, Swatch};
use super::lines::{min_max, TickAxis};
use super::palette::{okabe_ito, GRID, INK, MUTED};
use super::Lang;

/// How a series' estimates are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mark {
    /// A bar from zero to the estimate.
    Bar,
    /// A dot at the estimate.
    Dot,
}

/// One series: its legend label, colour and mark.
#[derive(Clone, Debug)]
pub(crate) struct IntervalSeries {
    pub label: String,
    pub color: RGBColor,
    pub mark: Mark,
}

impl IntervalSeries {
    pub fn new(label: impl Into<String>, i: usize, mark: Mark) -> Self {
        IntervalSeries { label: label.into(), color: okabe_ito(i), mark }
    }
}

/// One row: its label and, per series, (estimate, low, high) (NaN draws nothing).
#[derive(Clone, Debug)]
pub(crate) struct IntervalRow {
    pub label: String,
    pub values: Vec<(f64, f64, f64)>,
}

pub(crate) struct IntervalFigure {
    pub title: String,
    pub subtitle: String,
    pub x_label: String,
    pub series: Vec<IntervalSeries>,
    /// Rows from the top.
    pub rows: Vec<IntervalRow>,
    /// A vertical reference line and its legend label.
    pub vline: Option<(f64, String)>,
    /// Always show this range of x (e.g. 0..1 for indices).
    pub x_range: Option<(f64, f64)>,
    /// Draw values outside this range at its ends (poorly estimated intervals stay readable).
    pub clip: Option<(f64, f64)>,
    pub lang: Lang,
    pub size: (u32, u32),
}

impl Figure for IntervalFigure {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let top = draw_title(root, lang, &self.title, Some(&self.subtitle))?;
        let clip = |v: f64| match self.clip {
            Some((lo, hi)) if v.is_finite() => v.clamp(lo, hi),
            _ => v,
        };
        let rows: Vec<Vec<(f64, f64, f64)>> =
            self.rows.iter().map(|r| r.values.iter().map(|v| (clip(v.0), clip(v.1), clip(v.2))).collect()).collect();
        let mut vals: Vec<f64> = rows.iter().flat_map(|r| r.iter().flat_map(|v| [v.0, v.1, v.2])).collect();
        if self.series.iter().any(|s| s.mark == Mark::Bar) {
            vals.push(0.0);
        }
        vals.extend(self.x_range.iter().flat_map(|r| [r.0, r.1]));
        vals.extend(self.vline.iter().map(|v| v.0));
        let (lo, hi) = min_max(&vals).unwrap_or((0.0, 1.0));
        let axis = nice_axis(lo, hi, false, 6);
        let dec = axis.decimals();
        let mut items: Vec<LegendItem> =
            self.series.iter().map(|s| LegendItem::new(s.label.clone(), Swatch::Fill(s.color))).collect();
        if let Some((_, label)) = &self.vline {
            items.push(LegendItem::new(label.clone(), Swatch::Line(INK)));
        }
        let (w, _) = root.dim_in_pixel();
        let lw = legend_width(&items, None, lang, 300);
        let (_, body) = root.split_vertically(top);
        let (plot, side) = body.split_horizontally(w.saturating_sub(lw + 24));
        let lstyle = font(lang, 13.0);
        let n = self.rows.len().max(1);
        let labels: Vec<String> =
            self.rows.iter().map(|r| fit_text(&r.label, &lstyle, (w as f64 * 0.3) as u32)).collect();
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
            .x_desc(self.x_label.as_str())
            .draw()?;
        let k = self.series.len().max(1) as f64;
        let slot = 0.7 / k;
        for (i, row) in rows.iter().enumerate() {
            let y0 = (n - 1 - i) as f64;
            for (s, (series, &(v, l, h))) in self.series.iter().zip(row).enumerate() {
                let y = y0 + 0.35 - slot * (s as f64 + 0.5);
                let c = series.color;
                if v.is_finite() {
                    match series.mark {
                        Mark::Bar => {
                            chart.draw_series(std::iter::once(Rectangle::new(
                                [(v.min(0.0), y - slot * 0.4), (v.max(0.0), y + slot * 0.4)],
                                c.mix(0.75).filled(),
                            )))?;
                        }
                        Mark::Dot => {
                            chart.draw_series(std::iter::once(Circle::new((v, y), 6, c.filled())))?;
                        }
                    }
                }
                if l.is_finite() && h.is_finite() {
                    let whisker = if series.mark == Mark::Bar { INK } else { c };
                    let cap = slot * 0.25;
                    for path in
                        [vec![(l, y), (h, y)], vec![(l, y - cap), (l, y + cap)], vec![(h, y - cap), (h, y + cap)]]
                    {
                        chart.draw_series(std::iter::once(PathElement::new(path, whisker.stroke_width(2))))?;
                    }
                }
            }
        }
        if let Some((x, _)) = self.vline {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, -0.6), (x, n as f64 - 0.4)],
                INK.stroke_width(2),
            )))?;
        }
        draw_legend(&side, (0, 10), lw, &items, None, lang)?;
        Ok(())
    }
}
