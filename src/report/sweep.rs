//! The sweep report: parameters named from the schema with their units (percent for shares),
//! the charts, and a table of every point's numbers.

use std::path::Path;

use super::html::{esc, facts, fitted_table, table, Cell};
use super::numbers::{est, half_width, kpi_value, scale_for};
use super::{chart_section, fact_number, folder_name, glossary};
use crate::chart::data::{read_json, Table};
use crate::chart::i18n::{kpi, parameter, tr, Freq, UnitKind};
use crate::chart::{ChartError, Lang, RenderedChart, Section};
use crate::output::{point_column, SweepJson};

pub(super) fn page(dir: &Path, lang: Lang, charts: &[RenderedChart]) -> Result<(String, String), ChartError> {
    let info: SweepJson = read_json(&dir.join("sweep.json"))?;
    let spec = &info.spec;
    let points_path = dir.join("points.csv");
    let points = if points_path.is_file() { Some(Table::read(&points_path)?) } else { None };
    let name = if spec.name.is_empty() { folder_name(dir) } else { spec.name.clone() };
    let params: Vec<_> = spec.parameters.iter().map(|p| parameter(&p.path, lang)).collect();
    let title = match lang {
        Lang::En => {
            format!("Parameter sweep: {}", params.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(" × "))
        }
        Lang::Zh => format!("参数扫描：{}", params.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(" × ")),
    };
    let mut body = format!("<h1>{}</h1>\n", esc(&title));
    let reps = points
        .as_ref()
        .and_then(crate::chart::sweep::replications_text)
        .unwrap_or_else(|| spec.replications.to_string());
    let l = |en: &'static str, zh: &'static str| tr(lang, en, zh).to_string();
    let mut rows = vec![
        (l("Sweep", "扫描"), name),
        (l("Base scenario", "基准情景"), spec.base.clone()),
        (l("Design", "设计方法"), spec.design.as_str().to_string()),
        (l("Replications per point (in the data)", "每个参数点的重复次数 (按数据)"), reps),
        (l("Points", "参数点数"), info.points.to_string()),
    ];
    if let Some(sh) = info.shard {
        rows.push((l("Shard", "分片"), format!("{}/{}", sh.index, sh.count)));
    }
    body.push_str(&facts(&rows));
    let prows: Vec<Vec<Cell>> = spec
        .parameters
        .iter()
        .zip(&params)
        .map(|(p, label)| {
            let show = |x: f64| est(label.value(x), f64::NAN);
            let range = match (&p.values, p.min, p.max) {
                (Some(v), _, _) => v.iter().map(|x| show(*x)).collect::<Vec<_>>().join(", "),
                (None, Some(a), Some(b)) => format!("{} … {}", show(a), show(b)),
                _ => "–".into(),
            };
            vec![
                Cell::text(label.name.clone()),
                Cell::text(format!("`{}`", p.path)),
                Cell::text(label.unit.clone()),
                Cell::text(range),
                Cell::num(p.baseline.map(show).unwrap_or_else(|| "–".into())),
            ]
        })
        .collect();
    let header = [
        tr(lang, "Parameter", "参数"),
        tr(lang, "Key", "配置键"),
        tr(lang, "Unit", "单位"),
        tr(lang, "Values or range", "取值或范围"),
        tr(lang, "Baseline", "基准值"),
    ];
    body.push_str(&table(&header, &prows));
    body.push_str(&chart_section(charts, Section::Sweep, lang)?);
    if let Some(points) = &points {
        body.push_str(&numbers_table(&info, points, &params, lang));
    }
    body.push_str(&glossary::section(&spec.kpis, lang, None));
    Ok((title, body))
}

/// Every point: its parameter values and each KPI's final-year mean with its 95% interval.
fn numbers_table(info: &SweepJson, points: &Table, params: &[crate::chart::i18n::Parameter], lang: Lang) -> String {
    let spec = &info.spec;
    let n_rows = points.data.first().map_or(0, Vec::len);
    let mut header: Vec<String> = params.iter().map(|p| p.axis_label(lang)).collect();
    let kpis: Vec<_> = spec.kpis.iter().filter(|k| points.get(&point_column(k, "mean")).is_some()).collect();
    let mut scales = Vec::new();
    for k in &kpis {
        let info = kpi(k, Freq::Year, lang);
        let means = points.get(&point_column(k, "mean")).unwrap_or(&[]);
        let scale = scale_for(&info, means, lang);
        let unit = if info.unit.kind == UnitKind::Share { "%".to_string() } else { info.unit.text(lang, scale) };
        header.push(format!("{} ({unit})", info.label));
        scales.push((info, scale));
    }
    header.push(tr(lang, "Replications", "重复次数").to_string());
    let mut rows = Vec::new();
    for i in 0..n_rows {
        let mut row: Vec<Cell> = spec
            .parameters
            .iter()
            .zip(params)
            .map(|(p, label)| Cell::num(points.get(&p.path).map_or("–".into(), |v| est(label.value(v[i]), f64::NAN))))
            .collect();
        for (k, (info, scale)) in kpis.iter().zip(&scales) {
            let col = |s: &str| points.get(&point_column(k, s)).map_or(f64::NAN, |v| v[i]);
            let (m, lo, hi) = (col("mean"), col("ci_low"), col("ci_high"));
            let half = half_width(lo, hi);
            let text = if half.is_finite() {
                format!(
                    "{} [{}, {}]",
                    kpi_value(info, m, half, *scale),
                    kpi_value(info, lo, half, *scale),
                    kpi_value(info, hi, half, *scale)
                )
            } else {
                kpi_value(info, m, f64::NAN, *scale)
            };
            row.push(Cell::num(text));
        }
        row.push(Cell::num(points.get("n").map_or("–".into(), |v| fact_number(v[i]))));
        rows.push(row);
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let summary = match lang {
        Lang::En => format!("The numbers: final-year mean [95% interval] at each of the {n_rows} points"),
        Lang::Zh => format!("数值表：{n_rows} 个参数点的末年均值 [95% 置信区间]"),
    };
    format!("<h2>{}</h2>\n<div class=\"wide\">{}</div>\n", esc(&summary), fitted_table(&header, &rows))
}
