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

/// A place's name in the language: `name_zh` in Chinese when present, else the scenario's
/// `title`, else the slug in title case ("future_sci_tech_city" → "Future Sci Tech City").
pub(crate) fn place_name(name: &str, name_zh: Option<&str>, title: Option<&str>, lang: Lang) -> String {
    match (lang, name_zh, title) {
        (Lang::Zh, Some(zh), _) if !zh.trim().is_empty() => zh.to_string(),
        (_, _, Some(t)) if !t.trim().is_empty() => t.to_string(),
        _ => title_case(name),
    }
}

/// A slug in title case; names that are not lower-case snake case are kept as they are.
pub(crate) fn title_case(snake: &str) -> String {
    if snake.chars().any(|c| c.is_uppercase() || c == ' ') {
        return snake.to_string();
    }
    let words: Vec<String> = snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "rd" => "R&D".to_string(),
            "of" | "and" | "the" => w.to_string(),
            _ => {
                let mut c = w.chars();
                c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
            }
        })
        .collect();
    words.join(" ")
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
    Households,
    Children,
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
    Count,
    Index,
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
            UnitKind::Minutes | UnitKind::Rent | UnitKind::Index => Scale::ONE,
            _ => Scale::for_max(max_abs, lang),
        }
    }

    /// Unit text for an axis, e.g. "million yuan per month" or "万元/月".
    pub fn text(&self, lang: Lang, scale: Scale) -> String {
        let (en, zh) = match self.kind {
            UnitKind::People => ("people", "人"),
            UnitKind::Households => ("households", "户"),
            UnitKind::Children => ("children", "人"),
            UnitKind::Firms => ("firms", "家"),
            UnitKind::Patents => ("patents", "件"),
            UnitKind::Jobs => ("jobs", "个"),
            UnitKind::Dwellings => ("dwellings", "套"),
            UnitKind::Seats => ("seats", "个"),
            UnitKind::Yuan => ("yuan", "元"),
            UnitKind::Rent => ("yuan per dwelling per month", "元/套/月"),
            UnitKind::Share => return "%".to_string(),
            UnitKind::Minutes => ("minutes", "分钟"),
            UnitKind::Count => ("count", "个"),
            UnitKind::Index => ("index", "指数"),
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

/// Label and unit of a KPI column, from the KPI registry. `freq` says whether flows are per
/// month (timeseries.csv) or per year (yearly.csv, compare and sweep results).
pub(crate) fn kpi(name: &str, freq: Freq, lang: Lang) -> Kpi {
    use crate::metrics::registry::{describe, Aggregate, Described, Unit as U};
    let Some(d) = describe(name) else {
        return Kpi { label: pretty(name), unit: Unit { kind: UnitKind::Count, per: None } };
    };
    let per = if d.aggregate() == Aggregate::Flow { Some(freq) } else { None };
    let (kind, per) = match d.unit() {
        U::People => (UnitKind::People, per),
        U::Households => (UnitKind::Households, per),
        U::Children => (UnitKind::Children, per),
        U::Firms => (UnitKind::Firms, per),
        U::Patents => (UnitKind::Patents, per),
        U::Jobs => (UnitKind::Jobs, per),
        U::Dwellings => (UnitKind::Dwellings, per),
        U::Seats => (UnitKind::Seats, per),
        U::Yuan => (UnitKind::Yuan, per),
        U::YuanPerMonth => (UnitKind::Yuan, Some(Freq::Month)),
        U::Rent => (UnitKind::Rent, None),
        U::Share => (UnitKind::Share, None),
        U::Minutes => (UnitKind::Minutes, None),
        U::Index => (UnitKind::Index, None),
        U::Growth => (UnitKind::Share, None),
    };
    let label = match (&d, lang) {
        (Described::Single(k), Lang::En) => k.en.to_string(),
        (Described::Single(k), Lang::Zh) => k.zh.to_string(),
        (Described::Member(f, member), Lang::En) => format!("{}: {}", f.en, pretty(member)),
        (Described::Member(f, member), Lang::Zh) => format!("{}：{}", f.zh, pretty(member)),
    };
    Kpi { label, unit: Unit { kind, per } }
}

/// Short names of the scenario keys that sweeps usually vary (by schema pattern), English and
/// Chinese; other keys are named by their meaning in the schema.
const PARAMETER_NAMES: &[(&str, &str, &str)] = &[
    ("rd.subsidy_rate", "R&D subsidy rate", "研发补贴率"),
    ("rd.cap", "R&D subsidy cap per firm", "研发补贴上限"),
    ("rd.fund_per_year", "R&D subsidy fund per year", "研发补贴专项资金"),
    ("rd.challenge_grants.budget_per_year", "Challenge-grant budget", "揭榜挂帅年度预算"),
    ("housing.talent_units.units_per_year", "Talent units started per year", "人才住房年开工量"),
    ("housing.shared_ownership_units.units_per_year", "Shared-ownership units started per year", "共有产权房年开工量"),
    ("housing.land_quota.units_per_year", "Market units allowed per year", "商品住房年用地指标"),
    ("schools.new_seats.*.primary_per_year", "New primary seats per year", "每年新增小学学位"),
    ("schools.new_seats.*.middle_per_year", "New middle-school seats per year", "每年新增初中学位"),
    ("schools.coordination.quota", "Enrolment coordination quota", "招生统筹比例"),
    ("talent.subsidy.relocation_bonus", "Relocation bonus", "安家补贴"),
    ("talent.subsidy.rent_subsidy", "Rent subsidy per month", "每月租房补贴"),
    ("talent.friction.reduction", "Cut in migration friction", "迁移摩擦降幅"),
    ("talent.failure_tolerance.founding_boost", "Rise of founding rates", "创业率提升"),
    ("incubators.capacity", "Incubator places", "孵化器容量"),
    ("digital.compute_centre.boost", "Compute-centre boost", "算力中心提升幅度"),
    ("labs.budget.multiplier", "Lab budget multiplier", "实验室经费倍数"),
];

/// A scenario key as a chart axis: its name, unit and whether it is a share (shown in %).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parameter {
    pub name: String,
    pub unit: String,
    pub share: bool,
}

impl Parameter {
    /// "R&D subsidy rate (%)".
    pub fn axis_label(&self, lang: Lang) -> String {
        with_unit(&self.name, &self.unit, lang)
    }
    /// A value as the axis shows it (shares in percent).
    pub fn value(&self, v: f64) -> f64 {
        if self.share {
            v * 100.0
        } else {
            v
        }
    }
}

/// A unit of the schema in the language.
fn schema_unit(unit: &str, lang: Lang) -> String {
    let zh = match unit {
        "yuan" => "元",
        "yuan/year" | "yuan per year" => "元/年",
        "yuan/month" => "元/月",
        "units/year" => "套/年",
        "seats/year" => "个/年",
        "seats" => "个",
        "units" => "套",
        "places" => "个",
        "km" => "公里",
        "minutes" => "分钟",
        "years" => "年",
        "year" => "年",
        "months" => "个月",
        "people" => "人",
        _ => "",
    };
    match lang {
        Lang::Zh if !zh.is_empty() => zh.to_string(),
        _ => unit.to_string(),
    }
}

/// The axis name and unit of a swept scenario key, from the schema.
pub(crate) fn parameter(path: &str, lang: Lang) -> Parameter {
    let Some(key) = crate::scenario::schema::key_of(path) else {
        return Parameter { name: path.to_string(), unit: String::new(), share: false };
    };
    let share = key.unit == "share" || key.range == crate::scenario::schema::Range::Share;
    let named = PARAMETER_NAMES.iter().find(|(p, _, _)| *p == key.path);
    let name = match (named, lang) {
        (Some((_, en, _)), Lang::En) => en.to_string(),
        (Some((_, _, zh)), Lang::Zh) => zh.to_string(),
        (None, _) => {
            let mut c = key.meaning.chars();
            c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        }
    };
    let unit = if share { "%".to_string() } else { schema_unit(key.unit, lang) };
    Parameter { name, unit, share }
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
        assert_eq!(place_name("West", Some(""), None, Lang::Zh), "West");
        assert_eq!(place_name("future_sci_tech_city", Some("未来科技城"), None, Lang::En), "Future Sci Tech City");
        assert_eq!(place_name("linan", None, Some("Lin'an"), Lang::En), "Lin'an");
        assert_eq!(place_name("linan", Some("临安区"), Some("Lin'an"), Lang::Zh), "临安区");
        let p = parameter("rd.subsidy_rate", Lang::En);
        assert_eq!((p.axis_label(Lang::En), p.value(0.25)), ("R&D subsidy rate (%)".to_string(), 25.0));
        let p = parameter("schools.new_seats.sweep_seats.primary_per_year", Lang::Zh);
        assert_eq!(p.axis_label(Lang::Zh), "每年新增小学学位 (个/年)");
        assert_eq!(parameter("no.such.key", Lang::En).name, "no.such.key");
    }
}
