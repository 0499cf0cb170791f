//! The levers in force in a run, as a committee reads them: amounts, years, scope, what their
//! public cost counts, and that cost summed over the run, undiscounted and discounted.

use super::html::{esc, fitted_table, Cell};
use super::numbers::{est, yuan};
use super::run::Replicated;
use crate::chart::i18n::tr;
use crate::chart::Lang;
use crate::experiment::effects::discount_factors;
use crate::experiment::stats::median_band;
use crate::policy::Lever;
use crate::scenario::Scenario;

/// A lever's settings: amounts (label, value), first and last year, scope.
struct Setting {
    amounts: Vec<String>,
    years: (i32, i32),
    scope: String,
}

fn money(v: f64, lang: Lang) -> String {
    yuan(v, f64::NAN, lang)
}

fn share(v: f64) -> String {
    format!("{} %", est(v * 100.0, f64::NAN))
}

fn num(v: f64) -> String {
    est(v, f64::NAN)
}

/// A district's or hub's display name: its Chinese name in a zh report, else its `title`, else
/// the name in title case; other names (tiers, sectors) as written.
fn place(s: &Scenario, name: &str, lang: Lang) -> String {
    let places = s.districts.iter().map(|d| (&d.name, &d.title, &d.name_zh));
    let found = places.chain(s.hubs.iter().map(|h| (&h.name, &h.title, &h.name_zh))).find(|(n, ..)| *n == name);
    match found {
        Some((_, _, zh)) if lang == Lang::Zh && !zh.is_empty() => zh.clone(),
        Some((_, title, _)) if !title.is_empty() => title.clone(),
        Some(_) => crate::chart::i18n::title_case(name),
        None => name.to_string(),
    }
}

/// "everywhere" for an empty list, else the names.
fn scope(s: &Scenario, parts: &[(&'static str, &'static str, &[String])], lang: Lang) -> String {
    let listed: Vec<String> = parts
        .iter()
        .filter(|(_, _, names)| !names.is_empty())
        .map(|(en, zh, names)| {
            let names: Vec<String> = names.iter().map(|n| place(s, n, lang)).collect();
            format!("{}: {}", tr(lang, en, zh), names.join(", "))
        })
        .collect();
    if listed.is_empty() {
        tr(lang, "whole corridor, all eligible", "全走廊").to_string()
    } else {
        listed.join("; ")
    }
}

/// The settings of a lever when the scenario turns it on (`None` when it is off).
fn setting(s: &Scenario, lever: Lever, lang: Lang) -> Option<Setting> {
    let t = |en: &'static str, zh: &'static str| tr(lang, en, zh);
    let h = &s.housing;
    Some(match lever {
        Lever::TalentHousing | Lever::SharedOwnership => {
            let l = if lever == Lever::TalentHousing { &h.talent_units } else { &h.shared_ownership_units };
            if l.units_per_year <= 0.0 {
                return None;
            }
            let mut amounts = vec![
                format!("{} {}", num(l.units_per_year), t("units a year", "套/年")),
                format!("{} {}", money(l.cost_per_unit, lang), t("per unit", "每套")),
            ];
            if lever == Lever::TalentHousing {
                amounts.push(format!("{} {}", t("rent at", "租金为市场租金的"), share(l.rent_share)));
            }
            Setting {
                amounts,
                years: (l.start_year, l.end_year),
                scope: scope(
                    s,
                    &[
                        ("districts", "区", &l.districts),
                        ("near hubs", "临近枢纽", &l.near_hubs),
                        ("tiers", "人才层级", &l.eligible_tiers),
                    ],
                    lang,
                ),
            }
        }
        Lever::SchoolSeats => {
            let on: Vec<_> =
                s.schools.new_seats.iter().filter(|p| p.primary_per_year + p.middle_per_year > 0.0).collect();
            if on.is_empty() {
                return None;
            }
            let amounts = on
                .iter()
                .map(|p| {
                    format!(
                        "{}: {} {} + {} {}, {} {}",
                        p.district,
                        num(p.primary_per_year),
                        t("primary", "小学"),
                        num(p.middle_per_year),
                        t("middle seats a year", "初中学位/年"),
                        money(p.cost_per_seat, lang),
                        t("per seat", "每个学位")
                    )
                })
                .collect();
            let years = (on.iter().map(|p| p.start_year).min()?, on.iter().map(|p| p.end_year).max()?);
            let districts: Vec<String> = on.iter().map(|p| p.district.clone()).collect();
            Setting { amounts, years, scope: scope(s, &[("districts", "区", &districts)], lang) }
        }
        Lever::SchoolCoordination => {
            let c = &s.schools.coordination;
            if c.quota <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("{} {}", share(c.quota), t("of spare seats opened", "的空余学位开放")),
                    format!("{} {}", money(c.cost_per_pupil_year, lang), t("per pupil a year", "每生每年")),
                ],
                years: (c.start_year, c.end_year),
                scope: scope(s, &[], lang),
            }
        }
        Lever::RdSubsidy => {
            let r = &s.rd;
            if r.subsidy_rate <= 0.0 {
                return None;
            }
            Setting {
                amounts: [
                    format!("{} {}", share(r.subsidy_rate), t("of R&D spend", "的研发支出")),
                    format!("{} {}", t("at most", "上限"), money(r.cap, lang))
                        + tr(lang, " per firm a year", "/企业/年"),
                ]
                .into_iter()
                .chain(r.fund_per_year.map(|fund| {
                    format!("{} {}", t("fund", "专项资金"), money(fund, lang))
                        + tr(lang, " a year, claims beyond it paid pro rata", "/年,超出按比例核减")
                }))
                .collect(),
                years: (r.start_year, r.end_year),
                scope: scope(s, &[("sectors", "行业", &r.sectors), ("districts", "区", &r.districts)], lang),
            }
        }
        Lever::ChallengeGrants => {
            let g = &s.rd.challenge_grants;
            if g.budget_per_year <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("{} {}", money(g.budget_per_year, lang), t("a year", "/年")),
                    format!("{} {}", g.winners, t("winners a year", "个项目/年")),
                ],
                years: (g.start_year, g.end_year),
                scope: scope(s, &[("sectors", "行业", &g.sectors)], lang),
            }
        }
        Lever::TalentSubsidy => {
            let l = &s.talent.subsidy;
            if l.relocation_bonus <= 0.0 && l.rent_subsidy <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("{} {}", money(l.relocation_bonus, lang), t("relocation bonus", "安家补贴")),
                    format!(
                        "{} {} {} {}",
                        money(l.rent_subsidy, lang),
                        t("a month rent subsidy for", "/月租房补贴，共"),
                        l.rent_months,
                        t("months", "个月")
                    ),
                ],
                years: (l.start_year, l.end_year),
                scope: scope(s, &[("tiers", "人才层级", &l.tiers), ("districts", "区", &l.districts)], lang),
            }
        }
        Lever::MigrationServices => {
            let f = &s.talent.friction;
            if f.reduction <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("{} {}", share(f.reduction), t("lower migration friction", "迁移摩擦降低")),
                    format!("{} {}", money(f.cost_per_year, lang), t("a year", "/年")),
                ],
                years: (f.start_year, f.end_year),
                scope: scope(s, &[], lang),
            }
        }
        Lever::FailureTolerance => {
            let f = &s.talent.failure_tolerance;
            if f.founding_boost <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("+{} {}", share(f.founding_boost), t("founding rate", "创业率")),
                    format!("{} {}", money(f.cost_per_startup, lang), t("per start-up", "每家初创企业")),
                ],
                years: (f.start_year, f.end_year),
                scope: scope(s, &[], lang),
            }
        }
        Lever::Incubators => {
            let i = &s.incubators;
            if i.capacity <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("{} {}", num(i.capacity), t("places", "个孵化位")),
                    format!("{} {}", money(i.cost_per_place_year, lang), t("per place a year", "每位每年")),
                ],
                years: (i.start_year, i.end_year),
                scope: scope(s, &[("hubs", "枢纽", &i.hubs)], lang),
            }
        }
        Lever::Transit => {
            let lines = &s.transit.new_lines;
            if lines.is_empty() {
                return None;
            }
            let amounts = lines
                .iter()
                .map(|l| {
                    format!(
                        "{} ({} {}): {} {}",
                        l.name,
                        t("opens", "开通"),
                        l.open_year,
                        money(l.capex, lang),
                        t("capital cost", "建设投资")
                    )
                })
                .collect();
            let start = lines.iter().map(|l| l.open_year - l.build_years as i32).min()?;
            Setting { amounts, years: (start, s.end_year()), scope: scope(s, &[], lang) }
        }
        Lever::NewLabs => {
            let labs = &s.labs.new;
            if labs.is_empty() {
                return None;
            }
            let amounts = labs
                .iter()
                .map(|l| {
                    format!(
                        "{} ({}, {} {}): {} {}, {} {}",
                        l.name,
                        l.kind.as_str(),
                        t("opens", "开放"),
                        l.open_year,
                        money(l.capex, lang),
                        t("capital cost", "建设投资"),
                        money(l.budget_per_year, lang),
                        t("a year", "/年")
                    )
                })
                .collect();
            let start = labs.iter().map(|l| l.open_year - 3).min()?;
            Setting { amounts, years: (start, s.end_year()), scope: scope(s, &[], lang) }
        }
        Lever::LabBudget => {
            let b = &s.labs.budget;
            if (b.multiplier - 1.0).abs() < 1e-12 {
                return None;
            }
            Setting {
                amounts: vec![format!("{} × {}", t("lab budgets", "实验室经费"), num(b.multiplier))],
                years: (b.start_year, b.end_year),
                scope: scope(s, &[], lang),
            }
        }
        Lever::ComputeCentre => {
            let c = &s.digital.compute_centre;
            if c.boost <= 0.0 && c.cost_per_year <= 0.0 {
                return None;
            }
            Setting {
                amounts: vec![
                    format!("+{} {}", share(c.boost), t("digital innovation rate", "数字产业创新率")),
                    format!("{} {}", money(c.cost_per_year, lang), t("a year", "/年")),
                ],
                years: (c.start_year, c.end_year),
                scope: scope(s, &[("districts", "区", &c.districts)], lang),
            }
        }
    })
}

/// The years of a lever within the run ("2023–2041", or "2023–2041 (to 2100 in the file)").
fn years_text((a, b): (i32, i32), s: &Scenario, lang: Lang) -> String {
    let (first, last) = (s.start_year, s.end_year());
    let (x, y) = (a.max(first), b.min(last));
    if x > y {
        return tr(lang, "outside the run", "不在模拟期内").to_string();
    }
    format!("{x}–{y}")
}

/// The section of the run report: every lever the scenario turns on or that costs something.
pub(super) fn section(s: &Scenario, rep: &Replicated, lang: Lang) -> String {
    let n = rep.years.len();
    let ones = vec![1.0; n];
    let pv = discount_factors(n, s.output.discount_rate);
    let rate = super::numbers::rate(s.output.discount_rate);
    let mut rows = Vec::new();
    let mut total = (vec![0.0; rep.runs.len()], vec![0.0; rep.runs.len()]);
    for lever in Lever::ALL {
        let c = rep.column(&format!("cost_{}", lever.name()));
        let (cost, cost_pv) = match c {
            Some(c) => (rep.totals(c, &ones), rep.totals(c, &pv)),
            None => (vec![0.0], vec![0.0]),
        };
        for (i, (a, b)) in cost.iter().zip(&cost_pv).enumerate() {
            if i < total.0.len() {
                total.0[i] += a;
                total.1[i] += b;
            }
        }
        let set = setting(s, lever, lang);
        let costs_something = cost.iter().any(|v| *v != 0.0);
        if set.is_none() && !costs_something {
            continue;
        }
        let (amounts, years, scope) = match set {
            Some(st) => (st.amounts.join("; "), years_text(st.years, s, lang), st.scope),
            None => {
                (tr(lang, "(part of the baseline programme)", "(基准安排的一部分)").to_string(), "–".into(), "–".into())
            }
        };
        rows.push(vec![
            Cell::text(tr(lang, lever.label(), lever.name_zh())),
            Cell::text(amounts),
            Cell::text(years),
            Cell::text(scope),
            Cell::text(lever.cost_definition()),
            Cell::num(band_yuan(&cost, lang)),
            Cell::num(band_yuan(&cost_pv, lang)),
        ]);
    }
    let mut h = format!(
        "<h2>{}</h2>\n",
        esc(tr(lang, "Levers in force and their public cost", "实施中的政策工具及其公共支出"))
    );
    if rows.is_empty() {
        h.push_str(&super::note(tr(
            lang,
            "No lever is on and no lever costs anything.",
            "没有启用的政策工具，也没有公共支出。",
        )));
        return h;
    }
    rows.push(vec![
        Cell::text(tr(lang, "All levers", "全部政策工具")),
        Cell::text(""),
        Cell::text(""),
        Cell::text(""),
        Cell::text(""),
        Cell::num(band_yuan(&total.0, lang)),
        Cell::num(band_yuan(&total.1, lang)),
    ]);
    let (a, b) = (s.start_year, s.end_year());
    let (cost_h, pv_h) = match lang {
        Lang::En => (format!("Public cost {a}–{b}"), format!("Present value at {rate} a year")),
        Lang::Zh => (format!("{a}–{b}年公共支出"), format!("现值 (年折现率 {rate})")),
    };
    let header = [
        tr(lang, "Lever", "政策工具"),
        tr(lang, "Amounts", "力度"),
        tr(lang, "Years", "年份"),
        tr(lang, "Scope", "范围"),
        tr(lang, "Cost counted", "成本口径"),
        &cost_h,
        &pv_h,
    ];
    h.push_str(&fitted_table(&header, &rows));
    if rep.replicated() {
        h.push_str(&super::note(tr(
            lang,
            "Costs: medians over the replications [90% band].",
            "成本为重复模拟中位数 [90% 区间带]。",
        )));
    }
    h
}

/// Money summed over a run: one value, or median [band] over replications.
fn band_yuan(values: &[f64], lang: Lang) -> String {
    let (lo, med, hi) = median_band(values);
    if values.len() < 2 || (hi - lo).abs() == 0.0 {
        return yuan(med, f64::NAN, lang);
    }
    let half = (hi - lo) / 2.0;
    format!("{} [{}, {}]", yuan(med, half, lang), yuan(lo, half, lang), yuan(hi, half, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_in_a_lever_s_scope_read_as_display_names() {
        let s = crate::scenario::load(std::path::Path::new("scenarios/tiny.toml"), &[]).unwrap().scenario;
        assert_eq!(place(&s, "science_town", Lang::En), "Science Town");
        assert_eq!(place(&s, "science_town", Lang::Zh), "科学城");
        assert_eq!(place(&s, "west", Lang::En), "West");
        assert_eq!(place(&s, "high", Lang::En), "high", "a tier is not a place");
        let names = ["science_town".to_string(), "east_centre".to_string()];
        assert_eq!(scope(&s, &[("hubs", "枢纽", &names)], Lang::En), "hubs: Science Town, East Centre");
    }
}
