//! The glossary every report ends with: each KPI shown, with its unit, how its yearly value is
//! formed and its definition, all from the KPI registry; then the statistical terms used.

use super::html::{esc, table, Cell};
use crate::chart::i18n::{kpi, tr, Freq};
use crate::chart::Lang;
use crate::metrics::registry::{describe, Aggregate};
use crate::scenario::Scenario;

/// How a yearly value is formed, in the language.
fn yearly(a: Aggregate, lang: Lang) -> &'static str {
    match a {
        Aggregate::Flow => tr(lang, "sum over the year", "全年合计"),
        Aggregate::Stock => tr(lang, "December value", "12月数值"),
        Aggregate::Rate | Aggregate::Price => tr(lang, "mean over the year's months", "月度平均"),
    }
}

/// A KPI's definition with the scenario's values filled in where it names a key.
fn definition(name: &str, scenario: Option<&Scenario>) -> String {
    let d = describe(name).map(|d| d.definition()).unwrap_or_default();
    match scenario {
        Some(s) => d.replace(
            "`output.jobs_housing_min` minutes",
            &format!(
                "{} minutes (`output.jobs_housing_min`)",
                super::numbers::est(s.output.jobs_housing_min, f64::NAN)
            ),
        ),
        None => d.replace("`output.jobs_housing_min` minutes", "`output.jobs_housing_min` minutes (30 by default)"),
    }
}

/// The glossary section for the KPIs `names` (those the registry knows), and the terms.
pub(super) fn section(names: &[String], lang: Lang, scenario: Option<&Scenario>) -> String {
    let mut rows = Vec::new();
    for n in names {
        let Some(d) = describe(n) else { continue };
        let k = kpi(n, Freq::Year, lang);
        let unit = k.unit.text(lang, crate::chart::format::Scale::ONE);
        rows.push(vec![
            Cell::text(k.label),
            Cell::text(format!("{unit}; {}", yearly(d.aggregate(), lang))),
            Cell::text(format!("{} (`{n}`)", definition(n, scenario))),
        ]);
    }
    let mut h = format!("<h2>{}</h2>\n", esc(tr(lang, "Glossary", "术语表")));
    if lang == Lang::Zh {
        h.push_str(&format!("<p class=\"note\">{}</p>\n", esc("指标定义来自指标注册表 (英文原文)。")));
    }
    let header =
        [tr(lang, "Indicator", "指标"), tr(lang, "Unit; yearly value", "单位；年度值"), tr(lang, "Definition", "定义")];
    h.push_str(&table(&header, &rows));
    let terms: [(&str, &str, &str, &str); 6] = [
        (
            "One run",
            "A single random draw of the model (one seed). Another seed gives another draw; replications show the spread.",
            "单次运行",
            "模型的一次随机抽样 (一个随机种子)；换一个种子结果不同，重复模拟才能显示离散程度。",
        ),
        (
            "90% band",
            "Around a median of replications: the 5th to 95th percentile of the replications, year by year (linear interpolation between order statistics; with few replications close to their range).",
            "90% 区间带",
            "重复模拟中位数周围：各年重复模拟结果的第 5 至第 95 百分位 (顺序统计量线性插值；重复次数少时接近极差)。",
        ),
        (
            "95% interval",
            "The 95% t confidence interval of a mean: of a scenario's mean, or of the mean paired difference between a variant and the baseline under common random numbers (replication i of each scenario shares a seed).",
            "95% 置信区间",
            "均值的 95% t 置信区间：情景均值的区间，或在共同随机数下 (各情景第 i 次重复使用同一种子) 方案与基准配对差值均值的区间。",
        ),
        (
            "Person-years",
            "A stock summed over the years of the run (its December values): 1 000 more people for 10 years are 10 000 person-years; likewise firm-years, child-years.",
            "人年",
            "存量 (各年12月数值) 在全期的累计：多 1 000 人持续 10 年即 10 000 人年；企业年、儿童人年同理。",
        ),
        (
            "Present value",
            "Each year's amount divided by (1 + r)^t, t years after the first year, with r the discount rate `output.discount_rate`.",
            "现值",
            "各年数额除以 (1 + r)^t (t 为距首年的年数，r 为折现率 `output.discount_rate`)。",
        ),
        (
            "Percentage points",
            "The difference of two percentages (30 % to 32 % is +2 percentage points).",
            "百分点",
            "两个百分比之差 (30% 到 32% 为 +2 个百分点)。",
        ),
    ];
    let trows: Vec<Vec<Cell>> = terms
        .iter()
        .map(|(en, den, zh, dzh)| vec![Cell::text(tr(lang, en, zh)), Cell::text(tr(lang, den, dzh))])
        .collect();
    h.push_str(&table(&[tr(lang, "Term", "术语"), tr(lang, "Meaning", "含义")], &trows));
    h
}
