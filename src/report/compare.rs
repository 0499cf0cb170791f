//! The compare report, and the effects table that `effects.md` and the terminal show. The page
//! answers first: the headline effects chart and a short table (effect, interval, relative
//! change, effect over the run, cost per unit where meaningful), then the public cost by lever,
//! the effects over time, the levels of each scenario, and the full table folded away.

use std::path::Path;

use super::html::{esc, facts, fitted_table, table, Cell};
use super::numbers::{diff_unit, half_width, interval, kpi_diff, kpi_value, pct, scale_for, signed, yuan};
use super::{figures, glossary};
use crate::chart::compare::scenario_name;
use crate::chart::data::{read_json, read_rows};
use crate::chart::i18n::{kpi, tr, Freq, Unit, UnitKind};
use crate::chart::{ChartError, Lang, RenderedChart, Section};
use crate::metrics::registry::{describe, Cumulation, Unit as RegUnit};
use crate::output::{CompareJson, CostNote, CostRow, EffectRow, PosteriorEffectRow};
use crate::policy::Lever;

/// The cells of one effect for readers, as both the Markdown and the HTML tables show them.
struct Cells {
    label: String,
    unit: String,
    base: String,
    variant: String,
    effect: String,
    ci: String,
    change: String,
    run_effect: String,
    run_ci: String,
    run_unit: String,
    cost: String,
}

/// The first and last year of a comparison.
fn horizon(info: &CompareJson) -> (i32, i32) {
    (info.start_year, info.start_year + info.years as i32 - 1)
}

fn basis_of(e: &EffectRow) -> Cumulation {
    match e.basis.as_str() {
        "sum" => Cumulation::Sum,
        "stock_years" => Cumulation::StockYears,
        _ => Cumulation::Mean,
    }
}

/// What one unit of a KPI is called after "per" ("patent", "person-year"; "件", "人年").
fn per_unit(name: &str, basis: Cumulation, lang: Lang) -> String {
    let Some(d) = describe(name) else { return String::new() };
    let u = d.unit();
    let (en, zh) = match u {
        RegUnit::People => ("person", "人"),
        RegUnit::Households => ("household", "户"),
        RegUnit::Children => ("child", "人"),
        RegUnit::Firms => ("firm", "家"),
        RegUnit::Patents => ("patent", "件"),
        RegUnit::Jobs => ("job", "个"),
        RegUnit::Dwellings => ("dwelling", "套"),
        RegUnit::Seats => ("seat", "个"),
        _ => ("yuan", "元"),
    };
    match (basis, lang) {
        (Cumulation::StockYears, Lang::En) => format!("{en}-year"),
        (Cumulation::StockYears, Lang::Zh) => format!("{zh}年"),
        (_, Lang::En) => en.to_string(),
        (_, Lang::Zh) => zh.to_string(),
    }
}

/// The unit of an effect over the run, with its scale word.
fn run_unit(name: &str, basis: Cumulation, scale: crate::chart::format::Scale, lang: Lang) -> String {
    let k = kpi(name, Freq::Year, lang);
    match basis {
        Cumulation::Sum => Unit { per: None, ..k.unit }.text(lang, scale),
        Cumulation::StockYears => {
            let (en, zh) = describe(name).and_then(|d| d.unit().years_text()).unwrap_or(("unit-years", "单位·年"));
            match lang {
                Lang::En if scale.en.is_empty() => en.to_string(),
                Lang::En => format!("{} {en}", scale.en),
                Lang::Zh => format!("{}{zh}", scale.zh),
            }
        }
        Cumulation::Mean => diff_unit(&k, scale, lang),
    }
}

/// How the run's effect adds up, in words.
pub(crate) fn basis_text(basis: Cumulation, (a, b): (i32, i32), lang: Lang) -> String {
    match (basis, lang) {
        (Cumulation::Sum, Lang::En) => format!("sum over {a}–{b}"),
        (Cumulation::StockYears, Lang::En) => format!("December stocks summed over {a}–{b}"),
        (Cumulation::Mean, Lang::En) => format!("mean of {a}–{b}"),
        (Cumulation::Sum, Lang::Zh) => format!("{a}–{b}年合计"),
        (Cumulation::StockYears, Lang::Zh) => format!("{a}–{b}年各年12月存量之和"),
        (Cumulation::Mean, Lang::Zh) => format!("{a}–{b}年均值"),
    }
}

/// The cost per unit cell: "2.21 million yuan per patent (PV at 8 %: 1.93 million yuan)", or why
/// there is none.
fn cost_cell(info: &CompareJson, e: &EffectRow, lang: Lang) -> String {
    if let Some(note) = CostNote::from_code(&e.cost_note) {
        let (en, zh) = note.text();
        return tr(lang, en, zh).to_string();
    }
    if !e.cost_per_unit.is_finite() {
        return "–".into();
    }
    // The ratio's interval: the cost over the ends of the effect's interval.
    let (lo, hi) = (e.public_cost_diff / e.run_diff_ci_high, e.public_cost_diff / e.run_diff_ci_low);
    let half = half_width(lo, hi);
    let unit = per_unit(&e.kpi, basis_of(e), lang);
    let rate = super::numbers::rate(info.discount_rate);
    let pv = yuan(e.cost_per_unit_pv, half * e.cost_per_unit_pv / e.cost_per_unit, lang);
    match lang {
        Lang::En => format!("{} per {unit} (present value at {rate}: {pv})", yuan(e.cost_per_unit, half, lang)),
        Lang::Zh => format!("{}/{unit} (按 {rate} 折现：{pv})", yuan(e.cost_per_unit, half, lang)),
    }
}

fn cells(info: &CompareJson, e: &EffectRow, lang: Lang) -> Cells {
    let k = kpi(&e.kpi, Freq::Year, lang);
    let half = half_width(e.diff_ci_low, e.diff_ci_high);
    let scale = scale_for(&k, &[e.base_mean, e.variant_mean], lang);
    let dscale = scale_for(&k, &[e.diff_mean, e.diff_ci_low, e.diff_ci_high], lang);
    let share = k.unit.kind == UnitKind::Share;
    let ci = |lo: f64, hi: f64, f: f64| {
        if share {
            interval(lo * 100.0, hi * 100.0)
        } else {
            interval(lo / f, hi / f)
        }
    };
    let basis = basis_of(e);
    let run_half = half_width(e.run_diff_ci_low, e.run_diff_ci_high);
    let rscale = scale_for(&k, &[e.run_diff_mean, e.run_diff_ci_low, e.run_diff_ci_high], lang);
    let run_effect = if basis == Cumulation::Mean {
        kpi_diff(&k, e.run_diff_mean, run_half, rscale)
    } else {
        signed(e.run_diff_mean / rscale.factor, run_half / rscale.factor)
    };
    let run_ci = if basis == Cumulation::Mean {
        ci(e.run_diff_ci_low, e.run_diff_ci_high, rscale.factor)
    } else {
        interval(e.run_diff_ci_low / rscale.factor, e.run_diff_ci_high / rscale.factor)
    };
    Cells {
        label: k.label.clone(),
        unit: if share { "%".into() } else { k.unit.text(lang, scale) },
        base: kpi_value(&k, e.base_mean, half, scale),
        variant: kpi_value(&k, e.variant_mean, half, scale),
        effect: format!("{} {}", kpi_diff(&k, e.diff_mean, half, dscale), diff_unit(&k, dscale, lang)),
        ci: ci(e.diff_ci_low, e.diff_ci_high, dscale.factor),
        change: pct(e.rel_change, half / e.base_mean.abs()),
        run_effect: format!("{run_effect} {}", run_unit(&e.kpi, basis, rscale, lang)),
        run_ci,
        run_unit: basis_text(basis, horizon(info), lang),
        cost: cost_cell(info, e, lang),
    }
}

/// The headline rows of a variant, in headline order.
fn headline_rows<'a>(info: &CompareJson, effects: &'a [EffectRow], variant: &str) -> Vec<&'a EffectRow> {
    info.kpis.iter().filter_map(|k| effects.iter().find(|e| &e.kpi == k && e.variant == variant)).collect()
}

/// The sentence that says what the cost per unit is and when it is shown.
fn cost_rule(info: &CompareJson, lang: Lang) -> String {
    let (a, b) = horizon(info);
    let rate = super::numbers::rate(info.discount_rate);
    match lang {
        Lang::En => format!(
            "Cost per unit: the extra public cost over {a}–{b} (mean of the paired differences of `public_cost`, summed over the years) divided by the effect over {a}–{b} (flows summed, stocks as unit-years of December stocks; rates and prices have none). The present value discounts both year by year to {a} at {rate} a year (`output.discount_rate`). It is shown only where the effect's 95% interval excludes zero and goes the way the lever intends (more talent, jobs, firms, patents, output, seats; fewer children schooled away from home, less rent, commute, waiting and cost), and the variant costs more; otherwise the cell says why."
        ),
        Lang::Zh => format!(
            "单位效果成本：{a}–{b}年额外公共支出 (`public_cost` 配对差值逐年合计的均值) 除以{a}–{b}年的效果 (流量合计，存量按各年12月存量累计为“人年”等；比率和价格不计)。现值按每年 {rate} (`output.discount_rate`) 将成本与效果逐年折现至{a}年。仅当效果的 95% 置信区间不含零、方向符合政策目标 (人才、就业、企业、专利、产出、学位增加；未获学位儿童、租金、通勤、轮候和成本减少) 且方案成本更高时显示，否则注明原因。"
        ),
    }
}

/// `effects.md` and the terminal table (English): per variant, the headline effects with their
/// intervals, the effect over the run and the cost per unit, then the public cost by lever.
pub fn effects_markdown(info: &CompareJson, effects: &[EffectRow], costs: &[CostRow]) -> String {
    let lang = Lang::En;
    let (a, b) = horizon(info);
    let base = scenario_name(info, &info.base, lang);
    let mut s = String::new();
    for v in &info.variants {
        s.push_str(&format!(
            "## {} against {base}\n\n{} paired replications (common random numbers); intervals: 95% t intervals of the mean paired difference (variant − baseline).\n\n",
            scenario_name(info, v, lang),
            info.reps
        ));
        s.push_str(&format!(
            "| KPI | effect in {b} | 95% interval | change | effect over {a}–{b} | 95% interval | basis | cost per unit |\n"
        ));
        s.push_str("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n");
        for e in headline_rows(info, effects, v) {
            let c = cells(info, e, lang);
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                c.label, c.effect, c.ci, c.change, c.run_effect, c.run_ci, c.run_unit, c.cost
            ));
        }
        s.push('\n');
        let rows: Vec<&CostRow> = costs.iter().filter(|c| &c.variant == v).collect();
        if !rows.is_empty() {
            s.push_str(&format!(
                "Public cost over {a}–{b}, variant − baseline (present value at {}):\n\n",
                super::numbers::rate(info.discount_rate)
            ));
            for c in rows {
                let half = half_width(c.diff_ci_low, c.diff_ci_high);
                s.push_str(&format!(
                    "- {}: {} (PV {})\n",
                    lever_name(&c.lever, lang),
                    signed_yuan(c.diff_mean, half, lang),
                    signed_yuan(c.diff_pv, half, lang)
                ));
            }
            s.push('\n');
        }
    }
    s.push_str(&cost_rule(info, lang));
    s.push('\n');
    s
}

fn signed_yuan(v: f64, half: f64, lang: Lang) -> String {
    let t = yuan(v, half, lang);
    if v > 0.0 {
        format!("+{t}")
    } else {
        t
    }
}

/// A lever's name for readers (`total` is every lever).
pub(crate) fn lever_name(name: &str, lang: Lang) -> String {
    match Lever::ALL.iter().find(|l| l.name() == name) {
        Some(l) => tr(lang, l.label(), l.name_zh()).to_string(),
        None if name == "total" => tr(lang, "All levers", "全部政策工具").to_string(),
        None => crate::chart::i18n::pretty(name),
    }
}

/// The compare page: title and body.
pub(super) fn page(dir: &Path, lang: Lang, charts: &[RenderedChart]) -> Result<(String, String), ChartError> {
    let info: CompareJson = read_json(&dir.join("compare.json"))?;
    let effects: Vec<EffectRow> = read_optional(&dir.join("effects.csv"))?;
    let costs: Vec<CostRow> = read_optional(&dir.join("costs.csv"))?;
    let base = scenario_name(&info, &info.base, lang);
    let variants: Vec<String> = info.variants.iter().map(|v| scenario_name(&info, v, lang)).collect();
    let (a, b) = horizon(&info);
    let title = match lang {
        Lang::En => format!("{} compared with {base}", variants.join(", ")),
        Lang::Zh => format!("{} 与 {base} 比较", variants.join("、")),
    };
    let mut body = format!("<h1>{}</h1>\n", esc(&title));
    let lede = match lang {
        Lang::En => format!(
            "{} paired replications per scenario (common random numbers), {a}–{b}. Effects are variant − baseline; intervals are 95% t intervals of the mean paired difference.",
            info.reps
        ),
        Lang::Zh => format!("每个情景 {} 次配对重复模拟 (共同随机数)，{a}–{b}年。效果为方案 − 基准；区间为配对差值均值的 95% t 置信区间。", info.reps),
    };
    body.push_str(&format!("<p class=\"lede\">{}</p>\n", esc(&lede)));
    body.push_str(&figures(charts, Section::Headline)?);
    for (v, name) in info.variants.iter().zip(&variants) {
        let rows = headline_rows(&info, &effects, v);
        if rows.is_empty() {
            continue;
        }
        let h = match lang {
            Lang::En => format!("Headline effects: {name}"),
            Lang::Zh => format!("核心效果：{name}"),
        };
        body.push_str(&format!("<h2>{}</h2>\n", esc(&h)));
        let trows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|e| {
                let c = cells(&info, e, lang);
                vec![
                    Cell::text(c.label),
                    Cell::num(c.effect),
                    Cell::num(c.ci),
                    Cell::num(c.change),
                    Cell::num(format!("{} {}", c.run_effect, c.run_ci)),
                    Cell::text(c.run_unit),
                    Cell::text(c.cost),
                ]
            })
            .collect();
        let effect_h = match lang {
            Lang::En => format!("Effect in {b}"),
            Lang::Zh => format!("{b}年效果"),
        };
        let run_h = match lang {
            Lang::En => format!("Effect over {a}–{b} [95% interval]"),
            Lang::Zh => format!("{a}–{b}年效果 [95% 区间]"),
        };
        let header = [
            tr(lang, "Indicator", "指标"),
            &effect_h,
            tr(lang, "95% interval", "95% 置信区间"),
            tr(lang, "Relative change", "相对变化"),
            &run_h,
            tr(lang, "Basis", "累计方式"),
            tr(lang, "Public cost per unit of the effect over the run", "单位效果公共成本 (全期)"),
        ];
        body.push_str(&table(&header, &trows));
        body.push_str(&super::note(&cost_rule(&info, lang)));
        body.push_str(&cost_table(&info, &costs, v, lang));
    }
    let posterior: Vec<PosteriorEffectRow> = read_optional(&dir.join("effects_posterior.csv"))?;
    if !posterior.is_empty() {
        body.push_str(&posterior_section(&info, &posterior, &variants, lang));
    }
    let diff = figures(charts, Section::Differences)?;
    if !diff.is_empty() {
        body.push_str(&format!("<h2>{}</h2>\n{diff}", esc(Section::Differences.heading(lang))));
    }
    let levels = figures(charts, Section::Trajectories)?;
    if !levels.is_empty() {
        body.push_str(&format!(
            "<details><summary>{}</summary>\n{levels}</details>\n",
            esc(tr(
                lang,
                "Levels of each scenario (bands: each scenario's own interval, not the difference's)",
                "各情景水平 (阴影为各情景自身的区间，而非差值区间)"
            ))
        ));
    }
    if !effects.is_empty() {
        body.push_str(&full_table(&info, &effects, lang));
    }
    body.push_str(&glossary::section(&info.kpis, lang, None));
    body.push_str(&format!("<h2>{}</h2>\n", esc(tr(lang, "Design", "比较设置"))));
    let l = |en: &'static str, zh: &'static str| tr(lang, en, zh).to_string();
    let rows = vec![
        (l("Baseline", "基准情景"), format!("{base} ({})", info.base)),
        (
            l("Variants", "方案"),
            info.variants.iter().zip(&variants).map(|(v, n)| format!("{n} ({v})")).collect::<Vec<_>>().join(", "),
        ),
        (l("Replications per scenario", "每个情景的重复次数"), info.reps.to_string()),
        (l("Seed", "随机种子"), info.seed.to_string()),
        (l("Years", "模拟年份"), format!("{a}–{b} ({})", info.years)),
        (l("Discount rate", "折现率"), super::numbers::rate(info.discount_rate)),
    ];
    body.push_str(&facts(&rows));
    Ok((title, body))
}

/// `compare --posterior`: each variant's headline effects at the posterior median with their
/// seed-only interval, beside the effect over parameter draws and the range that adds what the
/// calibration leaves uncertain (effects_posterior.csv).
fn posterior_section(info: &CompareJson, rows: &[PosteriorEffectRow], names: &[String], lang: Lang) -> String {
    let (_, b) = horizon(info);
    let mut out =
        format!("<h2>{}</h2>\n", esc(tr(lang, "Effects under parameter uncertainty", "参数不确定性下的效果")));
    let draws = rows.first().map_or(0, |r| r.draws);
    let lede = match lang {
        Lang::En => format!(
            "Effects in {b}: at the posterior median of the calibrated parameters with the seed-only 95% interval, and over {draws} paired replications that each draw a parameter set from the posterior, with the 2.5–97.5% range of their paired differences. Robust: that range excludes zero, so the sign holds across what the calibration leaves uncertain."
        ),
        Lang::Zh => format!(
            "{b}年效果：校准参数取后验中位数时的效果及仅含随机种子的 95% 区间；以及 {draws} 次各自从后验抽取参数的配对重复模拟的效果及其配对差值的 2.5–97.5% 范围。稳健：该范围不含零，即在校准留下的不确定性内效果方向不变。"
        ),
    };
    out.push_str(&super::note(&lede));
    for (v, name) in info.variants.iter().zip(names) {
        let trows: Vec<Vec<Cell>> = info
            .kpis
            .iter()
            .filter_map(|k| rows.iter().find(|e| &e.kpi == k && &e.variant == v))
            .map(|e| {
                let k = kpi(&e.kpi, Freq::Year, lang);
                let all =
                    [e.seed_diff_mean, e.seed_ci_low, e.seed_ci_high, e.diff_mean, e.combined_low, e.combined_high];
                let scale = scale_for(&k, &all, lang);
                let share = k.unit.kind == UnitKind::Share;
                let range = |lo: f64, hi: f64| {
                    if share {
                        interval(lo * 100.0, hi * 100.0)
                    } else {
                        interval(lo / scale.factor, hi / scale.factor)
                    }
                };
                let seed_half = half_width(e.seed_ci_low, e.seed_ci_high);
                let all_half = half_width(e.combined_low, e.combined_high);
                vec![
                    Cell::text(k.label.clone()),
                    Cell::num(format!(
                        "{} {}",
                        kpi_diff(&k, e.seed_diff_mean, seed_half, scale),
                        diff_unit(&k, scale, lang)
                    )),
                    Cell::num(range(e.seed_ci_low, e.seed_ci_high)),
                    Cell::num(kpi_diff(&k, e.diff_mean, all_half, scale)),
                    Cell::num(range(e.combined_low, e.combined_high)),
                    Cell::text(if e.robust { tr(lang, "robust", "稳健") } else { "–" }.to_string()),
                ]
            })
            .collect();
        if trows.is_empty() {
            continue;
        }
        out.push_str(&format!("<h3>{}</h3>\n", esc(name)));
        let header = [
            tr(lang, "Indicator", "指标"),
            tr(lang, "Effect at the posterior median", "后验中位数下的效果"),
            tr(lang, "Seeds only, 95% interval", "仅随机种子 95% 区间"),
            tr(lang, "Effect over parameter draws", "参数抽样下的效果"),
            tr(lang, "Parameters and seeds, 95% range", "参数与随机种子 95% 范围"),
            tr(lang, "Sign", "方向"),
        ];
        out.push_str(&table(&header, &trows));
    }
    out
}

/// The rows of a typed CSV file, none when the file is not there.
fn read_optional<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, ChartError> {
    if path.is_file() {
        read_rows(path)
    } else {
        Ok(Vec::new())
    }
}

/// The public cost of each lever over the run for a variant against the baseline.
fn cost_table(info: &CompareJson, costs: &[CostRow], variant: &str, lang: Lang) -> String {
    let rows: Vec<&CostRow> = costs.iter().filter(|c| c.variant == variant).collect();
    if rows.is_empty() {
        return String::new();
    }
    let (a, b) = horizon(info);
    let rate = super::numbers::rate(info.discount_rate);
    let trows: Vec<Vec<Cell>> = rows
        .iter()
        .map(|c| {
            let half = half_width(c.diff_ci_low, c.diff_ci_high);
            vec![
                Cell::text(lever_name(&c.lever, lang)),
                Cell::num(yuan(c.base_total, f64::NAN, lang)),
                Cell::num(yuan(c.variant_total, f64::NAN, lang)),
                Cell::num(signed_yuan(c.diff_mean, half, lang)),
                Cell::num(signed_yuan(c.diff_pv, half, lang)),
            ]
        })
        .collect();
    let (base_h, var_h, pv_h) = match lang {
        Lang::En => {
            (format!("Baseline, {a}–{b}"), format!("Variant, {a}–{b}"), format!("Difference, present value at {rate}"))
        }
        Lang::Zh => (format!("基准，{a}–{b}年"), format!("方案，{a}–{b}年"), format!("差值现值 (折现率 {rate})")),
    };
    let header = [tr(lang, "Public cost of", "公共支出"), &base_h, &var_h, tr(lang, "Difference", "差值"), &pv_h];
    format!(
        "<h3>{}</h3>\n{}",
        esc(tr(lang, "Public cost by lever, summed over the run", "各政策工具公共支出 (全期合计)")),
        table(&header, &trows)
    )
}

/// Every KPI of every variant, folded away, in a table that fits the page.
fn full_table(info: &CompareJson, effects: &[EffectRow], lang: Lang) -> String {
    let (_, b) = horizon(info);
    let mut sorted: Vec<&EffectRow> = effects.iter().collect();
    let rank = |list: &[String], x: &str| list.iter().position(|k| k == x).unwrap_or(list.len());
    sorted.sort_by_key(|e| (rank(&info.variants, &e.variant), rank(&info.kpis, &e.kpi)));
    let trows: Vec<Vec<Cell>> = sorted
        .iter()
        .map(|e| {
            let c = cells(info, e, lang);
            vec![
                Cell::text(scenario_name(info, &e.variant, lang)),
                Cell::text(c.label),
                Cell::text(c.unit),
                Cell::num(c.base),
                Cell::num(c.variant),
                Cell::num(format!("{} {}", c.effect, c.ci)),
                Cell::num(c.change),
                Cell::num(format!("{} {} ({})", c.run_effect, c.run_ci, c.run_unit)),
                Cell::text(c.cost),
            ]
        })
        .collect();
    let (bh, vh) = match lang {
        Lang::En => (format!("Baseline {b}"), format!("Variant {b}")),
        Lang::Zh => (format!("基准 {b}"), format!("方案 {b}")),
    };
    let header = [
        tr(lang, "Variant", "方案"),
        tr(lang, "Indicator", "指标"),
        tr(lang, "Unit", "单位"),
        &bh,
        &vh,
        tr(lang, "Difference [95% interval]", "差值 [95% 区间]"),
        tr(lang, "Change", "变化"),
        tr(lang, "Over the run [95% interval]", "全期 [95% 区间]"),
        tr(lang, "Cost per unit", "单位效果成本"),
    ];
    let summary = match lang {
        Lang::En => format!("All indicators ({} rows)", trows.len()),
        Lang::Zh => format!("全部指标 ({} 行)", trows.len()),
    };
    format!(
        "<details><summary>{}</summary>\n<div class=\"wide\">{}</div></details>\n",
        esc(&summary),
        fitted_table(&header, &trows)
    )
}
