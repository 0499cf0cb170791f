//! A calibration folder's report: what was fitted, how the sampler ended, every
//! target observed and under the posterior, and each parameter's posterior.

use std::path::Path;

use super::html::{esc, facts, table, Cell};
use crate::chart::data::{read_json, read_rows};
use crate::chart::format::{fmt_auto, fmt_num};
use crate::chart::i18n::tr;
use crate::chart::{ChartError, Lang, RenderedChart, Section};
use crate::output::{CalibrationJson, FitRow};

pub(super) fn page(dir: &Path, lang: Lang, charts: &[RenderedChart]) -> Result<(String, String), ChartError> {
    let info: CalibrationJson = read_json(&dir.join("calibration.json"))?;
    let fits: Vec<FitRow> = read_rows(&dir.join("fit.csv"))?;
    let spec = &info.spec;
    let title = match lang {
        Lang::En => format!("Calibration: {}", spec.name),
        Lang::Zh => format!("参数校准：{}", spec.name),
    };
    let l = |en: &'static str, zh: &'static str| tr(lang, en, zh).to_string();
    let mut body = format!("<h1>{}</h1>\n", esc(&title));
    body.push_str(&facts(&[
        (l("Base scenario", "基准情景"), spec.base.clone()),
        (l("Method", "方法"), info.method.clone()),
        (
            l("Particles per generation, kept", "每代粒子数／保留数"),
            format!("{} / {}", spec.abc.particles, spec.abc.kept()),
        ),
        (l("Generations", "代数"), info.generations.to_string()),
        (l("Simulations", "模拟次数"), info.runs.to_string()),
        (l("Stopped because", "停止原因"), info.stopped.clone()),
        (l("calibrated.toml sets", "calibrated.toml 取值"), info.calibrated_value.clone()),
    ]));
    body.push_str(&format!("<h2>{}</h2>\n", esc(tr(lang, "Targets", "校准目标"))));
    let rows: Vec<Vec<Cell>> = fits
        .iter()
        .map(|f| {
            vec![
                Cell::text(f.target.clone()),
                Cell::text(f.years.clone()),
                Cell::num(format!("{} ± {}", fmt_auto(f.observed), fmt_auto(f.observed_sd))),
                Cell::num(format!("{} ± {}", fmt_auto(f.model_mean), fmt_auto(f.model_sd))),
                Cell::num(fmt_num(f.z, 2)),
                Cell::text(if f.sample == "out" { l("hold-out", "样本外") } else { l("in the fit", "样本内") }),
                Cell::text(f.source.clone()),
            ]
        })
        .collect();
    let header = [
        tr(lang, "Target", "目标"),
        tr(lang, "Years", "年份"),
        tr(lang, "Observed ± sd", "观测值 ± 标准差"),
        tr(lang, "Model ± sd (posterior)", "模型 ± 标准差（后验）"),
        tr(lang, "z", "z 值"),
        tr(lang, "Sample", "样本"),
        tr(lang, "Source", "来源"),
    ];
    body.push_str(&table(&header, &rows));
    body.push_str(&format!("<h2>{}</h2>\n", esc(tr(lang, "Parameters", "参数"))));
    let rows: Vec<Vec<Cell>> = info
        .posterior
        .iter()
        .map(|p| {
            vec![
                Cell::text(p.parameter.clone()),
                Cell::text(p.prior.clone()),
                Cell::num(fmt_auto(p.median)),
                Cell::num(format!("{} ± {}", fmt_auto(p.mean), fmt_auto(p.sd))),
                Cell::num(format!("{} … {}", fmt_auto(p.low), fmt_auto(p.high))),
            ]
        })
        .collect();
    let header = [
        tr(lang, "Parameter", "参数"),
        tr(lang, "Prior", "先验"),
        tr(lang, "Median", "中位数"),
        tr(lang, "Mean ± sd", "均值 ± 标准差"),
        tr(lang, "95% interval", "95% 区间"),
    ];
    body.push_str(&table(&header, &rows));
    body.push_str(&super::chart_section(charts, Section::Calibration, lang)?);
    Ok((title, body))
}
