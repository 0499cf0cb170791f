//! The run report and the terminal summary of `corridor run`. Both say plainly whether they show
//! one random draw (and which command gives bands) or the median of replications with a 90% band.

use std::path::Path;

use super::html::{esc, facts, table, Cell};
use super::numbers::{est, half_width, kpi_diff, kpi_value, pct, scale_for};
use super::{chart_section, fact_number, folder_name, glossary, levers, note};
use crate::chart::data::{read_json, read_rows, Table};
use crate::chart::format::Scale;
use crate::chart::i18n::{kpi, tr, Freq, Kpi, UnitKind};
use crate::chart::{ChartError, Lang, RenderedChart, Section};
use crate::experiment::stats::median_band;
use crate::output::{headline_names, CompareRow, SummaryJson};
use crate::scenario::Scenario;
use crate::RunResult;

/// The yearly values of every replication of a run folder (one replication for a plain run).
#[derive(Clone, Debug)]
pub struct Replicated {
    pub years: Vec<i32>,
    pub columns: Vec<String>,
    /// `runs[r][y][c]`: replication r, year y, column c.
    pub runs: Vec<Vec<Vec<f64>>>,
    /// Seeds of the replications; `median` is the one whose files the folder holds.
    pub seeds: Vec<u64>,
    pub median: usize,
}

impl Replicated {
    /// From the runs themselves (`median`: the median run's index).
    pub fn from_results(results: &[RunResult], median: usize) -> Replicated {
        let r0 = &results[median.min(results.len() - 1)];
        Replicated {
            years: r0.years.clone(),
            columns: r0.columns.clone(),
            runs: results.iter().map(|r| r.yearly.clone()).collect(),
            seeds: results.iter().map(|r| r.seed).collect(),
            median,
        }
    }

    /// From a run folder: `replications.csv` where there is one, else `yearly.csv`.
    pub(crate) fn read(dir: &Path, summary: Option<&SummaryJson>) -> Result<Option<Replicated>, ChartError> {
        let reps = summary.and_then(|s| s.replications.as_ref());
        let path = dir.join("replications.csv");
        if let (Some(info), true) = (reps, path.is_file()) {
            let rows: Vec<CompareRow> = read_rows(&path)?;
            let mut years: Vec<i32> = rows.iter().map(|r| r.year).collect();
            years.sort_unstable();
            years.dedup();
            let mut columns: Vec<String> = Vec::new();
            for r in &rows {
                if r.replication == 0 && r.year == years[0] {
                    columns.push(r.kpi.clone());
                }
            }
            let n = info.seeds.len();
            let mut runs = vec![vec![vec![f64::NAN; columns.len()]; years.len()]; n];
            let col = |k: &str| columns.iter().position(|c| c == k);
            for r in &rows {
                let (Some(y), Some(c)) = (years.iter().position(|&y| y == r.year), col(&r.kpi)) else { continue };
                if let Some(run) = runs.get_mut(r.replication as usize) {
                    run[y][c] = r.value;
                }
            }
            return Ok(Some(Replicated { years, columns, runs, seeds: info.seeds.clone(), median: info.median }));
        }
        let path = dir.join("yearly.csv");
        if !path.is_file() {
            return Ok(None);
        }
        let t = Table::read(&path)?;
        let years: Vec<i32> = t.require("year")?.iter().map(|y| *y as i32).collect();
        let columns: Vec<String> = t.columns.iter().filter(|c| *c != "year").cloned().collect();
        let run: Vec<Vec<f64>> =
            (0..years.len()).map(|y| columns.iter().map(|c| t.get(c).map_or(f64::NAN, |v| v[y])).collect()).collect();
        let seed = summary.map_or(0, |s| s.seed);
        Ok(Some(Replicated { years, columns, runs: vec![run], seeds: vec![seed], median: 0 }))
    }

    pub fn column(&self, kpi: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == kpi)
    }

    /// A KPI in year index `y` of every replication.
    pub fn values(&self, c: usize, y: usize) -> Vec<f64> {
        self.runs.iter().filter_map(|r| r.get(y).map(|row| row[c])).collect()
    }

    /// A KPI summed over the run in every replication, each year weighted (1, or a discount factor).
    pub fn totals(&self, c: usize, weights: &[f64]) -> Vec<f64> {
        self.runs.iter().map(|r| r.iter().zip(weights).map(|(row, w)| row[c] * w).sum()).collect()
    }

    pub fn replicated(&self) -> bool {
        self.runs.len() > 1
    }
}

/// A value, or with replications "median [low, high]", rounded as the band supports.
fn shown(k: &Kpi, values: &[f64], scale: Scale) -> String {
    let (lo, med, hi) = median_band(values);
    if values.len() < 2 || lo == hi {
        return kpi_value(k, med, f64::NAN, scale);
    }
    let half = half_width(lo, hi);
    format!("{} [{}, {}]", kpi_value(k, med, half, scale), kpi_value(k, lo, half, scale), kpi_value(k, hi, half, scale))
}

/// Change from the first to the last year (of the medians): relative, percentage points for shares.
fn change(k: &Kpi, first: &[f64], last: &[f64]) -> String {
    let (a, b) = (median_band(first).1, median_band(last).1);
    if !(a.is_finite() && b.is_finite()) {
        return "–".into();
    }
    if k.unit.kind == UnitKind::Share {
        return format!("{} pp", kpi_diff(k, b - a, f64::NAN, Scale::ONE));
    }
    if a == 0.0 {
        return "–".into();
    }
    pct((b - a) / a.abs(), f64::NAN)
}

/// One headline row: label, unit, the cells of the years shown, and the change.
type HeadlineRow = (String, String, Vec<String>, String);

/// The headline rows for the first, middle and last year.
fn headline_rows(rep: &Replicated, lang: Lang) -> (Vec<i32>, Vec<HeadlineRow>) {
    let n = rep.years.len();
    let mut picks = vec![0, n / 2, n.saturating_sub(1)];
    picks.dedup();
    let mut rows = Vec::new();
    for name in headline_names() {
        let Some(c) = rep.column(name) else { continue };
        let k = kpi(name, Freq::Year, lang);
        let cells: Vec<Vec<f64>> = picks.iter().map(|&y| rep.values(c, y)).collect();
        let all: Vec<f64> = cells.iter().flatten().copied().collect();
        let scale = scale_for(&k, &all, lang);
        let unit = if k.unit.kind == UnitKind::Share { "%".to_string() } else { k.unit.text(lang, scale) };
        let shown: Vec<String> = cells.iter().map(|v| shown(&k, v, scale)).collect();
        rows.push((k.label.clone(), unit, shown, change(&k, &cells[0], &cells[cells.len() - 1])));
    }
    (picks.iter().map(|&i| rep.years[i]).collect(), rows)
}

/// The command that gives bands for a run.
pub(crate) fn bands_command(summary: Option<&SummaryJson>) -> String {
    let Some(s) = summary else { return "corridor run SCENARIO --reps 10".into() };
    let file = s.provenance.scenario_files.first().cloned().unwrap_or_else(|| "SCENARIO".into());
    let mut cmd = format!("corridor run {file}");
    for set in &s.provenance.sets {
        cmd.push_str(&format!(" --set {set}"));
    }
    cmd.push_str(&format!(" --seed {} --reps 10", s.replications.as_ref().map_or(s.seed, |r| r.base_seed)));
    cmd
}

/// What the numbers are: one draw, or a median of replications.
fn draw_note(rep: &Replicated, command: &str, lang: Lang) -> String {
    let seed = rep.seeds.get(rep.median).copied().unwrap_or(0);
    if !rep.replicated() {
        return match lang {
            Lang::En => format!(
                "This is one random draw of the model (seed {seed}): another seed gives another path, and one run is no forecast. For medians with a 90% band over replications run: {command}"
            ),
            Lang::Zh => format!("这是模型的一次随机抽样 (随机种子 {seed})：换一个种子结果不同，单次运行不是预测。如需重复模拟的中位数及 90% 区间带，请运行：{command}"),
        };
    }
    let n = rep.runs.len();
    match lang {
        Lang::En => format!(
            "Medians of {n} replications with a 90% band (5th to 95th percentile). Maps and the folder's files are the median run: replication {} of {n}, seed {seed}.",
            rep.median + 1
        ),
        Lang::Zh => format!("{n} 次重复模拟的中位数及 90% 区间带 (第 5 至第 95 百分位)。地图及文件来自中位运行：第 {} 次 (共 {n} 次)，随机种子 {seed}。", rep.median + 1),
    }
}

/// The terminal summary of a run (English): headline KPIs in the first, middle and last year with
/// units, percentages and, with replications, medians and 90% bands; then what the numbers are.
pub fn terminal_summary(rep: &Replicated, command: &str) -> String {
    let (years, rows) = headline_rows(rep, Lang::En);
    let width = if rep.replicated() { 30 } else { 14 };
    let mut s = format!("{:<30}{:<28}", "Indicator", "Unit");
    for y in &years {
        s.push_str(&format!("{:>width$}", y));
    }
    s.push_str(&format!("{:>12}\n", "change"));
    for (label, unit, cells, ch) in rows {
        s.push_str(&format!("{:<30}{:<28}", truncate(&label, 29), truncate(&unit, 27)));
        for c in cells {
            s.push_str(&format!("{:>width$}", c));
        }
        s.push_str(&format!("{:>12}\n", ch));
    }
    s.push_str(&draw_note(rep, command, Lang::En));
    s.push('\n');
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}

/// The resolved scenario of a run folder, when its `summary.json` holds one this version reads.
pub(crate) fn resolved(summary: Option<&SummaryJson>) -> Option<Scenario> {
    toml::from_str(&summary?.provenance.resolved_scenario).ok()
}

/// [`resolved`] of a summary that is there.
pub(crate) fn resolved_scenario(summary: &SummaryJson) -> Option<Scenario> {
    resolved(Some(summary))
}

/// The run page: title and body.
pub(super) fn page(dir: &Path, lang: Lang, charts: &[RenderedChart]) -> Result<(String, String), ChartError> {
    let summary_path = dir.join("summary.json");
    let summary: Option<SummaryJson> = if summary_path.is_file() { Some(read_json(&summary_path)?) } else { None };
    let mut title = summary
        .as_ref()
        .and_then(|s| {
            let zh = (lang == Lang::Zh).then(|| s.title_zh.clone());
            [zh, Some(s.title.clone()), Some(s.scenario.clone())].into_iter().flatten().find(|t| !t.is_empty())
        })
        .unwrap_or_else(|| folder_name(dir));
    // A run changed on the command line is not its scenario's plain run: say so in the title.
    let overrides = summary.as_ref().map(|s| s.overrides.join(" ")).unwrap_or_default();
    if !overrides.is_empty() {
        title = format!("{title} ({overrides})");
    }
    let mut body = format!("<h1>{}</h1>\n", esc(&title));
    body.push_str(&format!("<p class=\"lede\">{}</p>\n", esc(tr(lang, "Simulation run report", "模拟运行报告"))));
    let rep = Replicated::read(dir, summary.as_ref())?;
    if let Some(rep) = &rep {
        body.push_str(&format!(
            "<p class=\"draw\">{}</p>\n",
            esc(&draw_note(rep, &bands_command(summary.as_ref()), lang))
        ));
        body.push_str(&headline_table(rep, lang));
    } else {
        body.push_str(&note(tr(lang, "yearly.csv not found.", "未找到 yearly.csv。")));
    }
    let scenario = resolved(summary.as_ref());
    if let (Some(s), Some(rep)) = (&scenario, &rep) {
        body.push_str(&levers::section(s, rep, lang));
    }
    body.push_str(&chart_section(charts, Section::TimeSeries, lang)?);
    body.push_str(&chart_section(charts, Section::Maps, lang)?);
    let mut shown: Vec<String> = headline_names().iter().map(|k| k.to_string()).collect();
    // The KPIs of the charts beyond the headline ones.
    for extra in [
        "lab_patents",
        "firm_patents",
        "median_rent",
        "children_seated",
        "firm_size_tail",
        "firm_size_tail_new",
        "startup_survival_2y",
        "startup_survival_4y",
        "largest_firm_share",
        "top1_firm_share",
        "patent_gini",
        "job_gini",
        "output_gini",
    ] {
        shown.push(extra.to_string());
    }
    body.push_str(&glossary::section(&shown, lang, scenario.as_ref()));
    if let Some(s) = &summary {
        body.push_str(&facts_section(s, lang));
    }
    Ok((title, body))
}

fn headline_table(rep: &Replicated, lang: Lang) -> String {
    let (years, rows) = headline_rows(rep, lang);
    let year_text: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let trows: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|(label, unit, cells, ch)| {
            let mut row = vec![Cell::text(label), Cell::text(unit)];
            row.extend(cells.into_iter().map(Cell::num));
            row.push(Cell::num(ch));
            row
        })
        .collect();
    let mut header = vec![tr(lang, "Indicator", "指标"), tr(lang, "Unit", "单位")];
    header.extend(year_text.iter().map(String::as_str));
    header.push(tr(lang, "Change, first to last year", "首末年变化"));
    let mut h = format!("<h2>{}</h2>\n", esc(tr(lang, "Headline indicators", "核心指标")));
    h.push_str(&table(&header, &trows));
    h.push_str(&note(if rep.replicated() {
        tr(
            lang,
            "Medians over the replications [90% band]; flows summed over the year, stocks at December, rates and prices averaged over the months; change of the medians.",
            "重复模拟中位数 [90% 区间带]；流量为全年合计，存量为 12 月数值，比率和价格为月度平均；变化按中位数计算。",
        )
    } else {
        tr(
            lang,
            "From yearly.csv: flows summed over the year, stocks at December, rates and prices averaged over the months.",
            "数据来自 yearly.csv：流量为全年合计，存量为 12 月数值，比率和价格为月度平均。",
        )
    }));
    h
}

fn facts_section(s: &SummaryJson, lang: Lang) -> String {
    let label = |en: &'static str, zh: &'static str| tr(lang, en, zh).to_string();
    let p = &s.provenance;
    let last = s.start_year as i64 + s.years as i64 - 1;
    let mut rows: Vec<(String, String)> = vec![
        (label("Scenario", "情景"), s.scenario.clone()),
        (
            label("Title", "标题"),
            if lang == Lang::Zh && !s.title_zh.is_empty() { s.title_zh.clone() } else { s.title.clone() },
        ),
        (label("Seed", "随机种子"), s.seed.to_string()),
        (
            label("Changed from the scenario by", "命令行覆盖"),
            if s.overrides.is_empty() { "–".into() } else { s.overrides.join(" ") },
        ),
    ];
    if let Some(r) = &s.replications {
        rows.push((
            label("Replications", "重复模拟"),
            format!("{} (seeds derived from {}; median run: replication {})", r.seeds.len(), r.base_seed, r.median + 1),
        ));
    }
    rows.extend([
        (label("Years", "模拟年份"), format!("{}–{last} ({})", s.start_year, s.years)),
        (label("Agent scale", "主体缩放比例"), fact_number(s.agent_scale)),
        (label("Crate version", "软件版本"), p.crate_version.clone()),
    ]);
    rows.extend(p.git_revision.clone().map(|g| (label("Git revision", "Git 版本"), g)));
    rows.extend([
        (label("Provenance hash", "来源哈希"), p.scenario_hash.clone()),
        (label("Threads", "线程数"), p.threads.to_string()),
        (label("Wall time (s)", "运行耗时（秒）"), est(p.wall_seconds, f64::NAN)),
    ]);
    let mut h = format!("<h2>{}</h2>\n", esc(tr(lang, "Scenario and provenance", "情景与来源")));
    h.push_str(&facts(&rows));
    h.push_str(&format!(
        "<details><summary>{}</summary><pre>{}</pre></details>\n",
        esc(tr(lang, "Resolved scenario (TOML)", "解析后的情景配置 (TOML)")),
        esc(&p.resolved_scenario)
    ));
    h
}
