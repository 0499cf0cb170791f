//! The public cost of a run: yearly bars stacked by lever, and the cumulative cost as a line on a
//! second axis (with replications: medians, and the cumulative cost's 90% band).

use plotters::prelude::*;

use super::canvas::{draw_title, font, text_size, Area, DrawErr, Figure};
use super::format::{fmt_num, nice_axis, year_ticks, Scale};
use super::i18n::{tr, with_unit};
use super::legend::{draw_legend, legend_width, LegendItem, Swatch};
use super::lines::TickAxis;
use super::palette::{okabe_ito, GRID, INK, MUTED};
use super::{ChartOptions, Lang};
use crate::experiment::stats::median_band;
use crate::output::WorldJson;
use crate::report::Replicated;

pub(crate) struct CostFigure {
    years: Vec<i32>,
    /// (label, colour, yearly median cost) of each lever that costs something.
    levers: Vec<(String, RGBColor, Vec<f64>)>,
    /// Cumulative total by year: (low, median, high) over replications.
    cumulative: Vec<(f64, f64, f64)>,
    subtitle: String,
    replicated: bool,
    lang: Lang,
    size: (u32, u32),
}

impl CostFigure {
    /// The figure of a run's yearly `cost_<lever>` columns; `None` without any cost column.
    pub fn new(rep: &Replicated, world: &WorldJson, scenario: Option<&str>, opts: &ChartOptions) -> Option<CostFigure> {
        let lang = opts.lang;
        let n = rep.years.len();
        let mut levers = Vec::new();
        for (i, name) in world.levers.iter().enumerate() {
            let Some(c) = rep.column(&format!("cost_{name}")) else { continue };
            let yearly: Vec<f64> = (0..n).map(|y| median_band(&rep.values(c, y)).1).collect();
            if yearly.iter().all(|v| !v.is_finite() || *v == 0.0) {
                continue;
            }
            let label = match (lang, world.levers_zh.get(i)) {
                (Lang::Zh, Some(z)) if !z.is_empty() => z.clone(),
                _ => crate::policy::Lever::ALL
                    .iter()
                    .find(|l| l.name() == name)
                    .map_or_else(|| super::i18n::pretty(name), |l| l.label().to_string()),
            };
            levers.push((label, okabe_ito(levers.len()), yearly));
        }
        let total = rep.column("public_cost")?;
        let cumulative: Vec<(f64, f64, f64)> = (0..n)
            .map(|y| {
                let sums: Vec<f64> =
                    rep.runs.iter().map(|r| r.iter().take(y + 1).map(|row| row[total]).sum()).collect();
                median_band(&sums)
            })
            .collect();
        let what = if rep.replicated() {
            tr(lang, "medians of the replications, band: 5th–95th percentile", "重复模拟中位数，阴影：第 5–95 百分位")
        } else {
            tr(lang, "one run", "单次运行")
        };
        let subtitle = match scenario {
            Some(s) => format!("{s} · {what}"),
            None => what.to_string(),
        };
        Some(CostFigure {
            years: rep.years.clone(),
            levers,
            cumulative,
            subtitle,
            replicated: rep.replicated(),
            lang,
            size: (opts.width, opts.height),
        })
    }

    pub fn title(&self) -> String {
        tr(self.lang, "Public cost by lever each year, and cumulative", "各政策工具年度公共支出及累计").to_string()
    }
}

impl Figure for CostFigure {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr> {
        let lang = self.lang;
        let top = draw_title(root, lang, &self.title(), Some(&self.subtitle))?;
        let (w, _) = root.dim_in_pixel();
        let line = RGBColor(0x22, 0x22, 0x22);
        let mut items: Vec<LegendItem> =
            self.levers.iter().rev().map(|(l, c, _)| LegendItem::new(l.clone(), Swatch::Fill(*c))).collect();
        items.push(LegendItem::new(tr(lang, "Cumulative (right axis)", "累计 (右轴)"), Swatch::Line(line)));
        if self.replicated {
            items.push(LegendItem::new(tr(lang, "90% band of the cumulative", "累计 90% 区间带"), Swatch::Band(line)));
        }
        let lw = legend_width(&items, Some(tr(lang, "Lever", "政策工具")), lang, (w as f64 * 0.28) as u32);
        let (_, body) = root.split_vertically(top);
        let (plot, side) = body.split_horizontally(w.saturating_sub(lw + 24));
        let n = self.years.len();
        let stack: Vec<f64> =
            (0..n).map(|y| self.levers.iter().map(|l| l.2[y]).filter(|v| v.is_finite()).sum()).collect();
        let ymax = stack.iter().copied().fold(0.0, f64::max);
        let cmax = self.cumulative.iter().map(|c| c.2).filter(|v| v.is_finite()).fold(0.0, f64::max);
        let s1 = Scale::for_max(ymax, lang);
        let s2 = Scale::for_max(cmax, lang);
        let a1 = nice_axis(0.0, ymax / s1.factor, true, 6);
        let a2 = nice_axis(0.0, cmax / s2.factor, true, 6);
        let (x0, x1) = (
            self.years.first().copied().unwrap_or(0) as f64 - 0.6,
            self.years.last().copied().unwrap_or(1) as f64 + 0.6,
        );
        let lstyle = font(lang, 14.0);
        let label_w = |a: &super::format::Axis| {
            a.ticks.iter().map(|t| text_size(&fmt_num(*t, a.decimals()), &lstyle).0).max().unwrap_or(20)
        };
        let unit = |s: Scale| match lang {
            Lang::En if s.en.is_empty() => "yuan".to_string(),
            Lang::En => format!("{} yuan", s.en),
            Lang::Zh => format!("{}元", s.zh),
        };
        let per_year = match lang {
            Lang::En => format!("{} per year", unit(s1)),
            Lang::Zh => format!("{}/年", unit(s1)),
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_top(10)
            .margin_right(8)
            .margin_left(16)
            .margin_bottom(8)
            .x_label_area_size(58)
            .y_label_area_size(label_w(&a1) + 44)
            .right_y_label_area_size(label_w(&a2) + 44)
            .build_cartesian_2d(
                TickAxis::new(x0, x1, year_ticks(x0, x1)),
                TickAxis::new(a1.lo, a1.hi, a1.ticks.clone()),
            )?
            .set_secondary_coord(TickAxis::new(x0, x1, Vec::new()), TickAxis::new(a2.lo, a2.hi, a2.ticks.clone()));
        let (d1, d2) = (a1.decimals(), a2.decimals());
        let xfmt = |v: &f64| format!("{v:.0}");
        let y1fmt = |v: &f64| fmt_num(*v, d1);
        let y2fmt = |v: &f64| fmt_num(*v, d2);
        let y1 = with_unit(tr(lang, "Public cost", "公共支出"), &per_year, lang);
        let y2 = with_unit(tr(lang, "Cumulative public cost", "累计公共支出"), &unit(s2), lang);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(MUTED.stroke_width(1))
            .x_label_formatter(&xfmt)
            .y_label_formatter(&y1fmt)
            .label_style(lstyle.clone())
            .axis_desc_style(font(lang, 15.0))
            .x_desc(tr(lang, "Year", "年份"))
            .y_desc(y1.as_str())
            .draw()?;
        chart
            .configure_secondary_axes()
            .axis_style(MUTED.stroke_width(1))
            .y_label_formatter(&y2fmt)
            .label_style(lstyle.clone())
            .axis_desc_style(font(lang, 15.0))
            .y_desc(y2.as_str())
            .draw()?;
        for (y, &year) in self.years.iter().enumerate() {
            let x = year as f64;
            let mut base = 0.0;
            for (_, c, v) in &self.levers {
                let h = if v[y].is_finite() { v[y] / s1.factor } else { 0.0 };
                if h > 0.0 {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.38, base), (x + 0.38, base + h)],
                        c.filled(),
                    )))?;
                }
                base += h;
            }
        }
        let pts: Vec<(f64, f64)> =
            self.years.iter().zip(&self.cumulative).map(|(&y, c)| (y as f64, c.1 / s2.factor)).collect();
        if self.replicated {
            let mut poly: Vec<(f64, f64)> =
                self.years.iter().zip(&self.cumulative).map(|(&y, c)| (y as f64, c.2 / s2.factor)).collect();
            poly.extend(
                self.years.iter().zip(&self.cumulative).rev().map(|(&y, c)| (y as f64, c.0.max(0.0) / s2.factor)),
            );
            chart.draw_secondary_series(std::iter::once(Polygon::new(poly, line.mix(0.15).filled())))?;
        }
        chart.draw_secondary_series(LineSeries::new(pts.iter().copied(), line.stroke_width(3)))?;
        chart.draw_secondary_series(pts.iter().map(|&p| Circle::new(p, 3, INK.filled())))?;
        draw_legend(&side, (0, 10), lw, &items, Some(tr(lang, "Lever", "政策工具")), lang)?;
        Ok(())
    }
}
