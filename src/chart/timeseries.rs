//! Run charts: KPIs over time from `timeseries.csv` (x axis in years).

use std::path::Path;

use super::canvas::write_figure;
use super::data::{read_json, read_world, Table};
use super::i18n::{kpi, tr, with_unit, Freq, Unit, UnitKind};
use super::lines::{min_max, LineChart, LineFigure, Series, XAxis};
use super::palette::okabe_ito;
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::output::{SummaryJson, WorldJson};

/// Render the KPI time series of a run folder into `out`.
pub(crate) fn render_run(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let world = read_world(&dir.join("world.json"))?;
    let ts = Table::read(&dir.join("timeseries.csv"))?;
    let scenario = scenario_title(dir, opts.lang)?;
    let charts = run_charts(&world, &ts, scenario.as_deref(), opts.lang)?;
    let mut rendered = Vec::with_capacity(charts.len());
    for (stem, chart) in &charts {
        let fig = LineFigure { chart, lang: opts.lang, size: (opts.width, opts.height) };
        let (png, svg) = write_figure(&fig, out, stem)?;
        rendered.push(RenderedChart { png, svg, title: chart.title.clone(), section: Section::TimeSeries });
    }
    Ok(rendered)
}

/// The scenario's title from `summary.json` when the file is there (`title_zh` first in Chinese).
pub(crate) fn scenario_title(dir: &Path, lang: Lang) -> Result<Option<String>, ChartError> {
    let path = dir.join("summary.json");
    if !path.is_file() {
        return Ok(None);
    }
    let s: SummaryJson = read_json(&path)?;
    let titles = if lang == Lang::Zh { vec![s.title_zh, s.title, s.scenario] } else { vec![s.title, s.scenario] };
    Ok(titles.into_iter().find(|t| !t.is_empty()))
}

/// Fractional calendar years of the rows: `month / 12 + start_year`.
fn years(world: &WorldJson, ts: &Table) -> Result<Vec<f64>, ChartError> {
    Ok(ts.require("month")?.iter().map(|m| world.start_year as f64 + m / 12.0).collect())
}

struct Spec<'a> {
    stem: &'a str,
    title: String,
    quantity: String,
    unit: Unit,
    /// (column, legend label, colour)
    columns: Vec<(String, String, Option<usize>)>,
    stacked: bool,
    legend_title: Option<String>,
}

/// Build every run chart that the table has columns for, as `(file stem, chart)`.
pub(crate) fn run_charts(
    world: &WorldJson,
    ts: &Table,
    scenario: Option<&str>,
    lang: Lang,
) -> Result<Vec<(String, LineChart)>, ChartError> {
    let xs = years(world, ts)?;
    let k = |name: &str| kpi(name, Freq::Month, lang);
    // Labels: the Chinese name in Chinese charts where the scenario gives one.
    let group = |prefix: &str, names: &[String], zh: &[String]| -> Vec<(String, String, Option<usize>)> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let label = match (lang, zh.get(i)) {
                    (Lang::Zh, Some(z)) if !z.is_empty() => z.clone(),
                    _ => super::i18n::pretty(n),
                };
                (format!("{prefix}{n}"), label, None)
            })
            .collect()
    };
    let single = |name: &str| vec![(name.to_string(), k(name).label, None)];
    let t = |en: &'static str, zh: &'static str| tr(lang, en, zh).to_string();

    let mut specs = vec![
        Spec {
            stem: "ts_talent_by_tier",
            title: t("Talent by tier", "各层级人才数量"),
            quantity: t("Talent", "人才"),
            unit: k("talent").unit,
            columns: if world.tiers.is_empty() {
                single("talent")
            } else {
                group("talent_", &world.tiers, &world.tiers_zh)
            },
            stacked: false,
            legend_title: Some(t("Tier", "层级")),
        },
        Spec {
            stem: "ts_firms_by_sector",
            title: t("Firms by sector", "各行业企业数量"),
            quantity: t("Firms", "企业"),
            unit: k("firms").unit,
            columns: if world.sectors.is_empty() {
                single("firms")
            } else {
                group("firms_", &world.sectors, &world.sectors_zh)
            },
            stacked: false,
            legend_title: Some(t("Sector", "行业")),
        },
        Spec {
            stem: "ts_patents",
            title: t("Patents granted: labs vs firms", "专利授权：实验室与企业"),
            quantity: t("Patents", "专利"),
            unit: k("patents").unit,
            columns: vec![
                ("lab_patents".into(), t("Labs", "实验室"), None),
                ("firm_patents".into(), t("Firms", "企业"), None),
            ],
            stacked: false,
            legend_title: None,
        },
        Spec {
            stem: "ts_rd_intensity",
            title: t("R&D intensity (R&D spending / output)", "研发强度 (研发支出/产出)"),
            quantity: k("rd_intensity").label,
            unit: k("rd_intensity").unit,
            columns: single("rd_intensity"),
            stacked: false,
            legend_title: None,
        },
        Spec {
            stem: "ts_rent",
            title: t("Market rent", "市场租金"),
            quantity: t("Rent", "租金"),
            unit: k("mean_rent").unit,
            columns: vec![
                ("mean_rent".into(), t("Mean", "平均值"), None),
                ("median_rent".into(), t("Median", "中位数"), None),
            ],
            stacked: false,
            legend_title: None,
        },
        Spec {
            stem: "ts_rent_to_income",
            title: t("Rent-to-income ratio", "租金收入比"),
            quantity: k("rent_to_income").label,
            unit: k("rent_to_income").unit,
            columns: single("rent_to_income"),
            stacked: false,
            legend_title: None,
        },
        Spec {
            stem: "ts_commute",
            title: t("Mean commute time", "平均通勤时间"),
            quantity: t("Commute", "通勤时间"),
            unit: k("mean_commute_min").unit,
            columns: single("mean_commute_min"),
            stacked: false,
            legend_title: None,
        },
        Spec {
            stem: "ts_school_places",
            title: t("Children at school: at home and elsewhere", "儿童入学情况：就近与异地"),
            quantity: t("Children", "儿童"),
            unit: k("children_seated_home").unit,
            columns: vec![
                ("children_seated_home".into(), t("At home", "就近入学"), Some(2)),
                ("children_coordinated".into(), t("By coordination", "统筹入学"), Some(3)),
                ("children_overflow".into(), t("Beyond the seats", "超额安置"), Some(1)),
            ],
            stacked: true,
            legend_title: None,
        },
    ];
    // Levers that cost nothing over the whole run are left out of the stack and its legend.
    let cost_cols: Vec<_> = group("cost_", &world.levers, &world.levers_zh)
        .into_iter()
        .filter(|c| ts.get(&c.0).is_some_and(|v| v.iter().any(|x| x.is_finite() && *x != 0.0)))
        .collect();
    let has_levers = !cost_cols.is_empty();
    specs.push(Spec {
        stem: "ts_public_cost",
        title: if has_levers {
            t("Public cost by policy lever", "各政策工具公共支出")
        } else {
            t("Public cost", "公共支出")
        },
        quantity: t("Public cost", "公共支出"),
        unit: k("public_cost").unit,
        columns: if has_levers { cost_cols } else { single("public_cost") },
        stacked: has_levers,
        legend_title: has_levers.then(|| t("Lever", "政策工具")),
    });

    let subtitle = {
        let freq = tr(lang, "monthly values", "月度数据");
        Some(match scenario {
            Some(s) => format!("{s} · {freq}"),
            None => freq.to_string(),
        })
    };
    let mut out = Vec::new();
    for spec in specs {
        let mut series = Vec::new();
        for (i, (col, label, color)) in spec.columns.iter().enumerate() {
            if let Some(values) = ts.get(col) {
                let mut s = Series::new(label.clone(), xs.iter().copied().zip(values.iter().copied()).collect());
                s.color = Some(okabe_ito(color.unwrap_or(i)));
                series.push(s);
            }
        }
        if series.is_empty() {
            continue;
        }
        let max_abs = if spec.stacked {
            (0..xs.len())
                .map(|i| series.iter().map(|s| s.points[i].1.abs()).filter(|v| v.is_finite()).sum::<f64>())
                .fold(0.0, f64::max)
        } else {
            let all: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.1.abs())).collect();
            min_max(&all).map_or(0.0, |m| m.1)
        };
        let scale = spec.unit.scale_for(max_abs, lang);
        let mut chart = LineChart::new(
            spec.title,
            tr(lang, "Year", "年份"),
            with_unit(&spec.quantity, &spec.unit.text(lang, scale), lang),
        );
        chart.subtitle = subtitle.clone();
        chart.x_axis = XAxis::Years;
        chart.y_divisor = scale.factor;
        chart.stacked = spec.stacked;
        chart.y_from_zero = !matches!(spec.unit.kind, UnitKind::Minutes | UnitKind::Rent);
        chart.legend_title = if series.len() > 1 { spec.legend_title } else { None };
        chart.series = series;
        out.push((spec.stem.to_string(), chart));
    }
    Ok(out)
}
