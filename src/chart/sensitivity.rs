//! The chart of a Sobol sweep: first-order and total-effect indices of each parameter on a KPI,
//! with their bootstrap intervals (`sobol.csv`).

use std::path::Path;

use super::canvas::write_figure;
use super::data::read_rows;
use super::i18n::{kpi, tr, Freq};
use super::intervals::{IntervalFigure, IntervalRow, IntervalSeries, Mark};
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::output::SobolRow;

/// One chart per KPI of `sobol.csv`, if the folder has one.
pub(crate) fn render_sobol(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let path = dir.join("sobol.csv");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let rows: Vec<SobolRow> = read_rows(&path)?;
    let lang = opts.lang;
    let mut kpis: Vec<&str> = Vec::new();
    for r in &rows {
        if !kpis.contains(&r.kpi.as_str()) {
            kpis.push(&r.kpi);
        }
    }
    let mut charts = Vec::new();
    for name in kpis {
        let mut of_kpi: Vec<&SobolRow> = rows.iter().filter(|r| r.kpi == name).collect();
        of_kpi.sort_by(|a, b| b.total.total_cmp(&a.total));
        let label = kpi(name, Freq::Year, lang).label;
        let samples = of_kpi.first().map_or(0, |r| r.samples);
        let fig = IntervalFigure {
            title: match lang {
                Lang::En => format!("Sobol indices of {label}"),
                Lang::Zh => format!("{label}的 Sobol 敏感性指数"),
            },
            subtitle: match lang {
                Lang::En => {
                    format!("Share of the final-year variance; 95% bootstrap intervals over {samples} base samples")
                }
                Lang::Zh => format!("末年方差的占比；基于 {samples} 个基础样本的 95% 自助法区间"),
            },
            x_label: tr(lang, "Index (share of variance)", "指数（方差占比）").to_string(),
            series: vec![
                IntervalSeries::new(tr(lang, "First order (alone)", "一阶（单独）"), 0, Mark::Bar),
                IntervalSeries::new(tr(lang, "Total effect (with interactions)", "总效应（含交互）"), 1, Mark::Bar),
            ],
            rows: of_kpi
                .iter()
                .map(|r| IntervalRow {
                    label: r.parameter.clone(),
                    values: vec![
                        (r.first_order, r.first_order_low, r.first_order_high),
                        (r.total, r.total_low, r.total_high),
                    ],
                })
                .collect(),
            vline: None,
            x_range: Some((0.0, 1.0)),
            clip: Some((-0.25, 1.25)),
            lang,
            size: (opts.width, opts.height),
        };
        let (png, svg) = write_figure(&fig, out, &format!("sobol_{name}"))?;
        charts.push(RenderedChart { png, svg, title: fig.title.clone(), section: Section::Sweep });
    }
    Ok(charts)
}
