//! Run charts: KPIs over time from `timeseries.csv` (x axis in years), or with replications
//! (`run --reps N`) their monthly medians with a 90% band from `bands.csv`; the public cost as
//! yearly bars by lever with the cumulative cost.

use std::collections::BTreeMap;
use std::path::Path;

use super::canvas::write_figure;
use super::compare::{clip, level_bounds};
use super::costs::CostFigure;
use super::data::{read_json, read_rows, read_world, Table};
use super::i18n::{kpi, tr, with_unit, Freq, Unit};
use super::lines::{min_max, LineChart, LineFigure, Series, XAxis};
use super::palette::okabe_ito;
use super::{ChartError, ChartOptions, Lang, RenderedChart, Section};
use crate::output::{BandRow, SummaryJson, WorldJson};

/// Monthly medians and bands of every KPI: name -> (low, median, high) by month.
pub(crate) type Bands = BTreeMap<String, Vec<(f64, f64, f64)>>;

/// `bands.csv` of a replicated run, if the folder has one.
fn read_bands(dir: &Path) -> Result<Option<Bands>, ChartError> {
    let path = dir.join("bands.csv");
    if !path.is_file() {
        return Ok(None);
    }
    let mut out: Bands = BTreeMap::new();
    for r in read_rows::<BandRow>(&path)? {
        let v = out.entry(r.kpi).or_default();
        let m = r.month as usize;
        if m >= 100_000 {
            return Err(ChartError::Invalid { path: path.clone(), message: format!("month {m} is out of range") });
        }
        if v.len() <= m {
            v.resize(m + 1, (f64::NAN, f64::NAN, f64::NAN));
        }
        v[m] = (r.low, r.median, r.high);
    }
    Ok(Some(out))
}

/// What a run's charts show: one draw (seed) or medians of replications.
pub(crate) fn draws_text(summary: Option<&SummaryJson>, lang: Lang) -> String {
    match (summary.and_then(|s| s.replications.as_ref()), summary) {
        (Some(r), _) => match lang {
            Lang::En => format!("medians of {} replications, band: 5th–95th percentile", r.seeds.len()),
            Lang::Zh => format!("{} 次重复模拟的中位数，阴影：第 5–95 百分位", r.seeds.len()),
        },
        (None, Some(s)) => match lang {
            Lang::En => format!("one random draw (seed {}), no band: see --reps", s.seed),
            Lang::Zh => format!("一次随机抽样 (种子 {})，无区间带：见 --reps", s.seed),
        },
        (None, None) => tr(lang, "one random draw", "一次随机抽样").to_string(),
    }
}

/// Render the KPI time series of a run folder into `out`.
pub(crate) fn render_run(dir: &Path, out: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    let world = read_world(&dir.join("world.json"))?;
    let ts = Table::read(&dir.join("timeseries.csv"))?;
    let summary_path = dir.join("summary.json");
    let summary: Option<SummaryJson> = if summary_path.is_file() { Some(read_json(&summary_path)?) } else { None };
    let scenario = scenario_title(dir, opts.lang)?;
    let bands = read_bands(dir)?;
    let draws = draws_text(summary.as_ref(), opts.lang);
    let charts = run_charts(&world, &ts, bands.as_ref(), scenario.as_deref(), &draws, opts.lang)?;
    let mut rendered = Vec::with_capacity(charts.len() + 1);
    for (stem, chart) in &charts {
        let fig = LineFigure { chart, lang: opts.lang, size: (opts.width, opts.height) };
        let (png, svg) = write_figure(&fig, out, stem)?;
        rendered.push(RenderedChart { png, svg, title: chart.title.clone(), section: Section::TimeSeries });
    }
    if let Some(rep) = crate::report::Replicated::read(dir, summary.as_ref())? {
        let fig = CostFigure::new(&rep, &world, scenario.as_deref(), opts);
        if let Some(fig) = fig {
            let (png, svg) = write_figure(&fig, out, "ts_public_cost")?;
            rendered.push(RenderedChart { png, svg, title: fig.title(), section: Section::TimeSeries });
        }
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
    legend_title: Option<String>,
    /// A horizontal reference line (value, legend label).
    reference: Option<(f64, String)>,
}

/// Build every run chart that the table has columns for, as `(file stem, chart)`.
pub(crate) fn run_charts(
    world: &WorldJson,
    ts: &Table,
    bands: Option<&Bands>,
    scenario: Option<&str>,
    draws: &str,
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

    let specs = vec![
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
            legend_title: Some(t("Tier", "层级")),
            reference: None,
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
            legend_title: Some(t("Sector", "行业")),
            reference: None,
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
            legend_title: None,
            reference: None,
        },
        Spec {
            stem: "ts_rd_intensity",
            title: t("R&D intensity (R&D spending / output)", "研发强度 (研发支出/产出)"),
            quantity: k("rd_intensity").label,
            unit: k("rd_intensity").unit,
            columns: single("rd_intensity"),
            legend_title: None,
            reference: None,
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
            legend_title: None,
            reference: None,
        },
        Spec {
            stem: "ts_rent_to_income",
            title: t("Rent-to-income ratio", "租金收入比"),
            quantity: k("rent_to_income").label,
            unit: k("rent_to_income").unit,
            columns: single("rent_to_income"),
            legend_title: None,
            reference: None,
        },
        Spec {
            stem: "ts_commute",
            title: t("Mean commute time", "平均通勤时间"),
            quantity: t("Commute", "通勤时间"),
            unit: k("mean_commute_min").unit,
            columns: single("mean_commute_min"),
            legend_title: None,
            reference: None,
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
            legend_title: None,
            reference: None,
        },
        // The firm side (docs/MODEL.md section 8 says where the model meets these facts and where
        // it does not).
        Spec {
            stem: "ts_firm_size_tail",
            title: t("Firm sizes: tail exponent of the largest 10 % (Hill)", "企业规模：最大 10% 的尾部指数 (Hill)"),
            quantity: k("firm_size_tail").label,
            unit: k("firm_size_tail").unit,
            columns: vec![
                ("firm_size_tail".into(), t("All firms", "全部企业"), None),
                ("firm_size_tail_new".into(), t("Born in the run", "模拟期内新设企业"), None),
            ],
            legend_title: None,
            reference: Some((1.0, t("Zipf's law, exponent 1 (Axtell 2001)", "齐普夫定律，指数 1 (Axtell 2001)"))),
        },
        Spec {
            stem: "ts_startup_survival",
            title: t(
                "Start-up survival (US BLS: 66 % at 2 years, 44 % at 4)",
                "新创企业存活率 (美国劳工统计局：两年 66%，四年 44%)",
            ),
            quantity: t("Survival", "存活率"),
            unit: k("startup_survival_2y").unit,
            columns: vec![
                ("startup_survival_2y".into(), t("At 2 years", "两年"), None),
                ("startup_survival_4y".into(), t("At 4 years", "四年"), None),
            ],
            legend_title: None,
            reference: None,
        },
        Spec {
            stem: "ts_firm_concentration",
            title: t("Concentration of firm jobs", "企业就业集中度"),
            quantity: t("Share of firm jobs", "占企业就业比例"),
            unit: k("largest_firm_share").unit,
            columns: vec![
                ("top1_firm_share".into(), t("Largest 1 % of firms", "最大 1% 企业"), None),
                ("largest_firm_share".into(), t("Largest firm", "最大企业"), None),
            ],
            legend_title: None,
            reference: None,
        },
        Spec {
            stem: "ts_spatial_concentration",
            title: t(
                "Concentration across cells (Gini): patents, jobs, output",
                "空间集中度 (基尼系数)：专利、就业、产出",
            ),
            quantity: t("Gini", "基尼系数"),
            unit: k("patent_gini").unit,
            columns: vec![
                ("patent_gini".into(), t("Firm patents (so far in the year)", "企业专利 (年内累计)"), None),
                ("job_gini".into(), t("Firm jobs", "企业就业"), None),
                ("output_gini".into(), t("Output", "产出"), None),
            ],
            legend_title: None,
            reference: None,
        },
    ];
    let subtitle = {
        let freq = tr(lang, "monthly values", "月度数据");
        Some(match scenario {
            Some(s) => format!("{s} · {freq} · {draws}"),
            None => format!("{freq} · {draws}"),
        })
    };
    let mut out = Vec::new();
    for spec in specs {
        let mut series = Vec::new();
        for (i, (col, label, color)) in spec.columns.iter().enumerate() {
            let banded = bands.and_then(|b| b.get(col));
            if let Some(b) = banded {
                let mut s = Series::new(label.clone(), xs.iter().zip(b).map(|(&x, v)| (x, v.1)).collect());
                s.band = xs.iter().zip(b).map(|(&x, v)| (x, v.0, v.2)).collect();
                clip(&mut s.band, level_bounds(col));
                s.color = Some(okabe_ito(color.unwrap_or(i)));
                series.push(s);
            } else if let Some(values) = ts.get(col) {
                let mut s = Series::new(label.clone(), xs.iter().copied().zip(values.iter().copied()).collect());
                s.color = Some(okabe_ito(color.unwrap_or(i)));
                series.push(s);
            }
        }
        if series.is_empty() {
            continue;
        }
        let all: Vec<f64> = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1.abs()).chain(s.band.iter().map(|b| b.2.abs())))
            .collect();
        let max_abs = min_max(&all).map_or(0.0, |m| m.1);
        let scale = spec.unit.scale_for(max_abs, lang);
        let mut chart = LineChart::new(
            spec.title,
            tr(lang, "Year", "年份"),
            with_unit(&spec.quantity, &spec.unit.text(lang, scale), lang),
        );
        chart.subtitle = subtitle.clone();
        chart.x_axis = XAxis::Years;
        chart.y_divisor = scale.factor;
        // Level charts start at zero: a small change reads as small.
        chart.y_from_zero = true;
        chart.band_label =
            bands.is_some().then(|| tr(lang, "90% band of replications", "重复模拟 90% 区间带").to_string());
        chart.legend_title = if series.len() > 1 { spec.legend_title } else { None };
        chart.hline = spec.reference;
        chart.series = series;
        out.push((spec.stem.to_string(), chart));
    }
    Ok(out)
}
