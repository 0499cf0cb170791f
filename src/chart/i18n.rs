//! Labels and units in English and Chinese.

use super::format::Scale;
use super::Lang;

/// Pick the string for the language.
pub(crate) fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// "talent_subsidy" → "Talent subsidy", "rd_subsidy" → "R&D subsidy"; names that are not
/// lower-case snake case are kept as they are.
pub(crate) fn pretty(snake: &str) -> String {
    if snake.chars().any(|c| c.is_uppercase() || c == ' ') {
        return snake.to_string();
    }
    let words: Vec<String> = snake
        .split('_')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| match w {
            "rd" => "R&D".to_string(),
            "ai" | "ip" | "it" | "ict" | "ev" => w.to_uppercase(),
            _ if i == 0 => {
                let mut c = w.chars();
                c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
            }
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

/// A place's name in the language: `name_zh` in Chinese when present, `name` otherwise.
pub(crate) fn place_name(name: &str, name_zh: Option<&str>, lang: Lang) -> String {
    match (lang, name_zh) {
        (Lang::Zh, Some(zh)) if !zh.trim().is_empty() => zh.to_string(),
        _ => pretty(name),
    }
}

/// "Label (unit)" with the language's brackets.
pub(crate) fn with_unit(label: &str, unit: &str, lang: Lang) -> String {
    if unit.is_empty() {
        return label.to_string();
    }
    match lang {
        Lang::En => format!("{label} ({unit})"),
        // Full-width brackets render with uneven gaps in the bundled CJK font.
        Lang::Zh => format!("{label} ({unit})"),
    }
}

/// Time base of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freq {
    Month,
    Year,
}

/// What a KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    People,
    Firms,
    Patents,
    Jobs,
    Dwellings,
    Seats,
    Yuan,
    /// Rent: yuan per dwelling (always per month).
    Rent,
    /// A fraction shown as a percentage.
    Share,
    Minutes,
    Ratio,
    Count,
}

/// A KPI's unit: what it counts and, for flows, per month or per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    pub kind: UnitKind,
    pub per: Option<Freq>,
}

impl Unit {
    /// Values are divided by this before display (a share becomes a percentage).
    pub fn scale_for(&self, max_abs: f64, lang: Lang) -> Scale {
        match self.kind {
            UnitKind::Share => Scale { factor: 0.01, en: "", zh: "" },
            UnitKind::Minutes | UnitKind::Ratio | UnitKind::Rent => Scale::ONE,
            _ => Scale::for_max(max_abs, lang),
        }
    }

    /// Unit text for an axis, e.g. "million yuan per month" or "万元/月".
    pub fn text(&self, lang: Lang, scale: Scale) -> String {
        let (en, zh) = match self.kind {
            UnitKind::People => ("people", "人"),
            UnitKind::Firms => ("firms", "家"),
            UnitKind::Patents => ("patents", "件"),
            UnitKind::Jobs => ("jobs", "个"),
            UnitKind::Dwellings => ("dwellings", "套"),
            UnitKind::Seats => ("seats", "个"),
            UnitKind::Yuan => ("yuan", "元"),
            UnitKind::Rent => ("yuan per dwelling per month", "元/套/月"),
            UnitKind::Share => return "%".to_string(),
            UnitKind::Minutes => ("minutes", "分钟"),
            UnitKind::Ratio => ("ratio", "比值"),
            UnitKind::Count => ("count", "个"),
        };
        let per = match (self.per, lang) {
            (None, _) => "",
            (Some(Freq::Month), Lang::En) => " per month",
            (Some(Freq::Year), Lang::En) => " per year",
            (Some(Freq::Month), Lang::Zh) => "/月",
            (Some(Freq::Year), Lang::Zh) => "/年",
        };
        match lang {
            Lang::En if scale.en.is_empty() => format!("{en}{per}"),
            Lang::En => format!("{} {en}{per}", scale.en),
            Lang::Zh => format!("{}{zh}{per}", scale.zh),
        }
    }
}

/// A KPI's display label and unit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kpi {
    pub label: String,
    pub unit: Unit,
}

impl Kpi {
    /// Axis label with scale, e.g. "Public cost (million yuan per month)".
    pub fn axis_label(&self, lang: Lang, scale: Scale) -> String {
        with_unit(&self.label, &self.unit.text(lang, scale), lang)
    }
}

/// Label and unit of a KPI column. `freq` says whether flows are per month (timeseries.csv)
/// or per year (yearly.csv, compare and sweep results).
pub(crate) fn kpi(name: &str, freq: Freq, lang: Lang) -> Kpi {
    use UnitKind::*;
    let stock = |kind| Unit { kind, per: None };
    let flow = |kind| Unit { kind, per: Some(freq) };
    let fixed = |en: &str, zh: &str, unit: Unit| Kpi {
        label: match lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        },
        unit,
    };
    let month = Unit { kind: Yuan, per: Some(Freq::Month) };
    match name {
        "talent" => fixed("Talent", "人才总量", stock(People)),
        "talent_arrivals" => fixed("Talent arrivals", "人才流入", flow(People)),
        "talent_departures" => fixed("Talent departures", "人才流出", flow(People)),
        "family_departures" => fixed("Departures for family reasons", "因家庭原因流出", flow(People)),
        "employed" => fixed("Employed", "就业人数", stock(People)),
        "unemployed" => fixed("Unemployed", "待业人数", stock(People)),
        "vacancies" => fixed("Vacancies", "岗位空缺", stock(Jobs)),
        "firms" => fixed("Firms", "企业数", stock(Firms)),
        "firm_births" => fixed("Firm births", "新设企业", flow(Firms)),
        "firm_deaths" => fixed("Firm exits", "退出企业", flow(Firms)),
        "spinoffs" => fixed("Spin-offs", "衍生企业", flow(Firms)),
        "startups" => fixed("Start-ups", "初创企业", flow(Firms)),
        "relocations" => fixed("Relocations", "企业迁移", flow(Firms)),
        "patents" => fixed("Patents granted", "专利授权", flow(Patents)),
        "lab_patents" => fixed("Lab patents", "实验室专利", flow(Patents)),
        "firm_patents" => fixed("Firm patents", "企业专利", flow(Patents)),
        "rd_spend" => fixed("R&D spending", "研发支出", flow(Yuan)),
        "output" => fixed("Output", "产出", flow(Yuan)),
        "rd_intensity" => fixed("R&D intensity", "研发强度", stock(Share)),
        "mean_wage" => fixed("Mean wage", "平均工资", month),
        "mean_rent" => fixed("Mean rent", "平均租金", stock(Rent)),
        "median_rent" => fixed("Median rent", "租金中位数", stock(Rent)),
        "rent_to_income" => fixed("Rent-to-income ratio", "租金收入比", stock(Share)),
        "vacancy_rate" => fixed("Vacancy rate", "空置率", stock(Share)),
        "housing_units" => fixed("Housing units", "住房存量", stock(Dwellings)),
        "housing_pipeline" => fixed("Housing pipeline", "在建住房", stock(Dwellings)),
        "talent_waitlist" => fixed("Talent housing waitlist", "人才住房轮候", stock(People)),
        "mean_commute_min" => fixed("Mean commute", "平均通勤时间", stock(Minutes)),
        "jobs_housing_balance" => fixed("Jobs–housing balance", "职住平衡比", stock(Ratio)),
        "school_seats" => fixed("School seats", "学位供给", stock(Seats)),
        "children_seated" => fixed("Children with a school seat", "已入学儿童", stock(People)),
        "children_unseated" => fixed("Children without a seat", "未获学位儿童", stock(People)),
        "public_cost" => fixed("Public cost", "公共支出", flow(Yuan)),
        _ => grouped(name, freq, lang),
    }
}

fn grouped(name: &str, freq: Freq, lang: Lang) -> Kpi {
    use UnitKind::*;
    let flow = |kind| Unit { kind, per: Some(freq) };
    let stock = |kind| Unit { kind, per: None };
    // (prefix, English, Chinese, unit)
    let groups: [(&str, &str, &str, Unit); 11] = [
        ("talent_", "Talent", "人才", stock(People)),
        ("arrivals_", "Arrivals", "流入", flow(People)),
        ("departures_", "Departures", "流出", flow(People)),
        ("wage_", "Wage", "工资", Unit { kind: Yuan, per: Some(Freq::Month) }),
        ("firms_", "Firms", "企业", stock(Firms)),
        ("employed_", "Employed", "就业", stock(People)),
        ("patents_", "Patents", "专利", flow(Patents)),
        ("output_", "Output", "产出", flow(Yuan)),
        ("cost_", "Public cost", "公共支出", flow(Yuan)),
        ("unseated_", "Children without a seat", "未获学位儿童", stock(People)),
        ("rent_", "Rent", "租金", stock(Rent)),
    ];
    for (prefix, en, zh, unit) in groups {
        if let Some(rest) = name.strip_prefix(prefix) {
            if !rest.is_empty() {
                let label = match lang {
                    Lang::En => format!("{en}: {}", pretty(rest)),
                    Lang::Zh => format!("{zh}：{}", pretty(rest)),
                };
                return Kpi { label, unit };
            }
        }
    }
    Kpi { label: pretty(name), unit: stock(Count) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(pretty("talent_subsidy"), "Talent subsidy");
        assert_eq!(pretty("rd_subsidy"), "R&D subsidy");
        assert_eq!(pretty("line_1"), "Line 1");
        assert_eq!(pretty("Metro Line 3"), "Metro Line 3");
        let k = kpi("public_cost", Freq::Month, Lang::En);
        let s = k.unit.scale_for(3e7, Lang::En);
        assert_eq!(k.axis_label(Lang::En, s), "Public cost (million yuan per month)");
        let z = kpi("public_cost", Freq::Year, Lang::Zh);
        let s = z.unit.scale_for(3e7, Lang::Zh);
        assert_eq!(z.axis_label(Lang::Zh, s), "公共支出 (万元/年)");
        assert_eq!(kpi("cost_housing", Freq::Month, Lang::En).label, "Public cost: Housing");
        assert_eq!(kpi("talent_arrivals", Freq::Month, Lang::En).label, "Talent arrivals");
        assert_eq!(place_name("West", Some(""), Lang::Zh), "West");
    }
}
