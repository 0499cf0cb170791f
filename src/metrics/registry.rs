//! The KPI registry: one entry per KPI with its name, unit, how it aggregates to a year, English
//! and Chinese labels, a one-line definition, whether it is a headline, and how its value is
//! computed from the month's measures. The recorder, the yearly aggregation, charts, reports and
//! docs/OUTPUTS.md all read it; a KPI exists only here. Families of KPIs (one per tier, sector,
//! firm origin, lever or district) are written once with a placeholder for the member.
//!
//! The spatial layers have their own registry ([`LAYERS`]); levers are [`crate::policy::Lever`].

use super::kpi::Measures;
use crate::agents::firm::Origin;
use crate::policy::Lever;
use crate::scenario::Scenario;

/// How a monthly KPI becomes a yearly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// A count of events or a money flow: summed over the year's months.
    Flow,
    /// A stock: its value in December.
    Stock,
    /// A rate, share or mean over agents: averaged over the year's months.
    Rate,
    /// A price: averaged over the year's months.
    Price,
}

impl Aggregate {
    /// The yearly value of a year's monthly values.
    pub fn of_year(self, months: &[f64]) -> f64 {
        match self {
            Aggregate::Flow => months.iter().sum(),
            Aggregate::Stock => months.last().copied().unwrap_or(0.0),
            Aggregate::Rate | Aggregate::Price => months.iter().sum::<f64>() / months.len() as f64,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Flow => "flow",
            Aggregate::Stock => "stock",
            Aggregate::Rate => "rate",
            Aggregate::Price => "price",
        }
    }

    /// How the yearly value is formed, for the docs.
    pub fn yearly(self) -> &'static str {
        match self {
            Aggregate::Flow => "sum over the year",
            Aggregate::Stock => "December",
            Aggregate::Rate | Aggregate::Price => "mean over the year's months",
        }
    }
}

/// What a KPI counts. Flows ([`Aggregate::Flow`]) are per month in `timeseries.csv` and per
/// year in `yearly.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    People,
    Households,
    Children,
    Firms,
    Patents,
    Jobs,
    Dwellings,
    Seats,
    Yuan,
    /// Yuan per month whatever the file's time base (wages).
    YuanPerMonth,
    /// Yuan per dwelling per month (rents).
    Rent,
    /// A fraction in [0, 1] (shown as a percentage).
    Share,
    Minutes,
    /// A dimensionless statistic (an exponent, a Gini coefficient).
    Index,
    /// A growth rate in the DHS form (change over the mean of the two levels), in [-2, 2].
    Growth,
}

impl Unit {
    /// The unit in words, English and Chinese.
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Unit::People => ("people", "人"),
            Unit::Households => ("households", "户"),
            Unit::Children => ("children", "人"),
            Unit::Firms => ("firms", "家"),
            Unit::Patents => ("patents", "件"),
            Unit::Jobs => ("jobs", "个"),
            Unit::Dwellings => ("dwellings", "套"),
            Unit::Seats => ("seats", "个"),
            Unit::Yuan => ("yuan", "元"),
            Unit::YuanPerMonth => ("yuan per month", "元/月"),
            Unit::Rent => ("yuan per dwelling per month", "元/套/月"),
            Unit::Share => ("share (0-1)", "比例"),
            Unit::Minutes => ("minutes", "分钟"),
            Unit::Index => ("index, dimensionless", "指数"),
            Unit::Growth => ("growth rate (-2 to 2)", "增长率"),
        }
    }
}

impl Unit {
    /// The natural bounds of a level in this unit, `(low, high)`: a share lies in [0, 1]; counts,
    /// rents, minutes and money cannot be negative (every yuan KPI is a gross amount: output,
    /// R&D, wages, public cost). Differences between scenarios have no such bounds.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Unit::Share => (0.0, 1.0),
            Unit::Growth => (-2.0, 2.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    /// The unit of a stock summed over the years of a run ("person-years"), English and Chinese;
    /// `None` for units whose sum over years means nothing (prices, shares, minutes).
    pub fn years_text(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Unit::People => ("person-years", "人年"),
            Unit::Households => ("household-years", "户年"),
            Unit::Children => ("child-years", "人年"),
            Unit::Firms => ("firm-years", "家年"),
            Unit::Patents => ("patent-years", "件年"),
            Unit::Jobs => ("job-years", "个年"),
            Unit::Dwellings => ("dwelling-years", "套年"),
            Unit::Seats => ("seat-years", "个年"),
            Unit::Yuan | Unit::YuanPerMonth | Unit::Rent | Unit::Share | Unit::Minutes | Unit::Index | Unit::Growth => {
                return None
            }
        })
    }
}

/// Which way a KPI should move for a lever to count as working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    /// More is better (talent, jobs, firms, patents, output, R&D, seats, housing, wages).
    More,
    /// Less is better (departures, unemployment, unseated children, waiting, rent, commute, cost).
    Less,
}

impl Sense {
    /// +1 for [`Sense::More`], -1 for [`Sense::Less`].
    pub fn sign(self) -> f64 {
        match self {
            Sense::More => 1.0,
            Sense::Less => -1.0,
        }
    }
}

/// KPIs and families (by prefix) where more is better.
const MORE: &[&str] = &[
    "talent",
    "talent_arrivals",
    "employed",
    "firms",
    "firm_births",
    "spinoffs",
    "startups",
    "relocations",
    "patents",
    "lab_patents",
    "firm_patents",
    "rd_spend",
    "firm_rd_spend",
    "output",
    "rd_intensity",
    "rd_price",
    "mean_wage",
    "housing_units",
    "talent_units",
    "shared_ownership_units",
    "jobs_housing_balance",
    "school_seats",
    "children_seated_home",
    "talent_",
    "arrivals_",
    "wage_",
    "firms_",
    "employed_",
    "patents_",
    "output_",
];
/// KPIs and families (by prefix) where less is better.
const LESS: &[&str] = &[
    "talent_departures",
    "family_departures",
    "unemployed",
    "firm_deaths",
    "mean_rent",
    "median_rent",
    "rent_to_income",
    "living_outside",
    "talent_waitlist",
    "mean_commute_min",
    "children_overflow",
    "children_seated_elsewhere",
    "public_cost",
    "departures_",
    "cost_",
    "seated_elsewhere_",
    "rent_",
];

/// The direction a lever intends for a column (KPI name or family member), as this registry states
/// it in [`MORE`] and [`LESS`]; `None` where it depends on the question (vacancies, the housing
/// pipeline, the vacancy rate, firms by origin) or the column is unknown. Reports show a cost per
/// unit of effect only for columns with a direction, and only when the effect goes that way.
pub fn intended(name: &str) -> Option<Sense> {
    let key = match describe(name)? {
        Described::Single(k) => k.name,
        Described::Member(f, _) => f.prefix,
    };
    if MORE.contains(&key) {
        Some(Sense::More)
    } else if LESS.contains(&key) {
        Some(Sense::Less)
    } else {
        None
    }
}

/// How an effect is added up over the years of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cumulation {
    /// Flows: the yearly values summed (patents over the run).
    Sum,
    /// Stocks: the December values summed, in unit-years (person-years).
    StockYears,
    /// Rates and prices: the mean of the yearly values (no cost per unit).
    Mean,
}

impl Cumulation {
    /// The basis for an aggregation.
    pub fn of(aggregate: Aggregate) -> Cumulation {
        match aggregate {
            Aggregate::Flow => Cumulation::Sum,
            Aggregate::Stock => Cumulation::StockYears,
            Aggregate::Rate | Aggregate::Price => Cumulation::Mean,
        }
    }

    /// The name written to files (`sum`, `stock_years`, `mean`).
    pub fn name(self) -> &'static str {
        match self {
            Cumulation::Sum => "sum",
            Cumulation::StockYears => "stock_years",
            Cumulation::Mean => "mean",
        }
    }

    /// The cumulative value of yearly values (`weights[i]` multiplies year i: 1 undiscounted, a
    /// discount factor for present values).
    pub fn of_years(self, values: &[f64], weights: &[f64]) -> f64 {
        let sum: f64 = values.iter().zip(weights).map(|(v, w)| v * w).sum();
        match self {
            Cumulation::Sum | Cumulation::StockYears => sum,
            Cumulation::Mean => sum / weights.iter().sum::<f64>(),
        }
    }
}

/// One KPI: a column of `timeseries.csv` and `yearly.csv`.
pub struct Kpi {
    pub name: &'static str,
    pub unit: Unit,
    pub aggregate: Aggregate,
    pub en: &'static str,
    pub zh: &'static str,
    pub definition: &'static str,
    /// Position among the headline KPIs (shown first in tables and reports), if one.
    pub headline: Option<u8>,
    value: fn(&Measures) -> f64,
}

/// What a family of KPIs ranges over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Over {
    Tier,
    Sector,
    Origin,
    Lever,
    District,
    Zone,
}

impl Over {
    pub fn name(self) -> &'static str {
        match self {
            Over::Tier => "tier",
            Over::Sector => "sector",
            Over::Origin => "origin",
            Over::Lever => "lever",
            Over::District => "district",
            Over::Zone => "zone",
        }
    }

    /// The members' names in a scenario (lower-case snake case, as in the column names).
    pub fn members(self, s: &Scenario) -> Vec<String> {
        match self {
            Over::Tier => s.talent.tiers.iter().map(|t| snake(&t.name)).collect(),
            Over::Sector => s.sectors.iter().map(|x| snake(&x.name)).collect(),
            Over::Origin => Origin::ALL.iter().map(|o| o.name().to_string()).collect(),
            Over::Lever => Lever::ALL.iter().map(|l| l.name().to_string()).collect(),
            Over::District => s.districts.iter().map(|d| snake(&d.name)).collect(),
            Over::Zone => s.grid.outside_zones.iter().map(|z| snake(&z.name)).collect(),
        }
    }
}

/// A family of KPIs, one per member: the column is `prefix` followed by the member's name.
pub struct Family {
    pub prefix: &'static str,
    pub unit: Unit,
    pub aggregate: Aggregate,
    /// Labels of the family; a column's label adds the member (e.g. "Talent: top").
    pub en: &'static str,
    pub zh: &'static str,
    /// Definition, with `{}` standing for the member.
    pub definition: &'static str,
    value: fn(&Measures, usize) -> f64,
}

/// Families that range over the same members, expanded member by member (for each tier:
/// `talent_<tier>`, `arrivals_<tier>`, ...).
pub struct Group {
    pub over: Over,
    pub families: &'static [Family],
}

/// A column of a run's tables: a KPI, or a member of a family.
#[derive(Clone, Copy)]
pub enum Column<'a> {
    Single(&'a Kpi),
    Member { family: &'a Family, over: Over, index: usize },
}

impl Column<'_> {
    pub fn aggregate(&self) -> Aggregate {
        match self {
            Column::Single(k) => k.aggregate,
            Column::Member { family, .. } => family.aggregate,
        }
    }
    pub fn unit(&self) -> Unit {
        match self {
            Column::Single(k) => k.unit,
            Column::Member { family, .. } => family.unit,
        }
    }
    /// The column's value this month.
    pub fn value(&self, m: &Measures) -> f64 {
        match self {
            Column::Single(k) => (k.value)(m),
            Column::Member { family, index, .. } => (family.value)(m, *index),
        }
    }
}

use Aggregate::{Flow, Price, Rate, Stock};
use Unit::*;

macro_rules! kpi {
    ($name:literal, $unit:expr, $agg:expr, $en:literal, $zh:literal, $def:literal, $head:expr, $value:expr) => {
        Kpi {
            name: $name,
            unit: $unit,
            aggregate: $agg,
            en: $en,
            zh: $zh,
            definition: $def,
            headline: $head,
            value: $value,
        }
    };
}

macro_rules! family {
    ($prefix:literal, $unit:expr, $agg:expr, $en:literal, $zh:literal, $def:literal, $value:expr) => {
        Family { prefix: $prefix, unit: $unit, aggregate: $agg, en: $en, zh: $zh, definition: $def, value: $value }
    };
}

/// Every KPI, in the order of the columns.
pub static KPIS: &[Kpi] = &[
    kpi!("talent", People, Stock, "Talent", "人才总量",
        "Earners of the talent households in the corridor's labour market (living in the corridor or commuting in from outside), at month end.",
        Some(1), |m| m.agents * m.scale),
    kpi!("talent_arrivals", People, Flow, "Talent arrivals", "人才流入",
        "Households that came to the corridor (they start as job seekers living outside until they find a home).",
        None, |m| m.ledger.arrivals.iter().sum::<u32>() as f64 * m.scale),
    kpi!("talent_departures", People, Flow, "Talent departures", "人才流出",
        "Households that left the corridor: by the exit logit, after the longest unemployment spell, or at retirement age.",
        None, |m| m.ledger.departures.iter().sum::<u32>() as f64 * m.scale),
    kpi!("family_departures", Households, Flow, "Departures of households with a child", "有子女家庭流出",
        "Departing households that have a child (of any age up to 15).",
        None, |m| m.ledger.family_departures as f64 * m.scale),
    kpi!("employed", People, Stock, "Employed", "就业人数",
        "Talent with a job at a firm or a lab, at month end.",
        Some(2), |m| m.talent.employed * m.scale),
    kpi!("unemployed", People, Stock, "Unemployed", "待业人数",
        "Talent without a job, at month end.",
        None, |m| (m.agents - m.talent.employed) * m.scale),
    kpi!("vacancies", Jobs, Stock, "Vacancies", "岗位空缺",
        "Vacancies of firms and labs left open after the month's job search.",
        None, |m| m.vacancies * m.scale),
    kpi!("firms", Firms, Stock, "Firms", "企业数",
        "Firms alive at month end (a firm agent counts the identical firms it stands for).",
        Some(3), |m| m.firms),
    kpi!("firm_births", Firms, Flow, "Firm births", "新设企业",
        "New firms: spin-offs, start-ups and relocations into the corridor.",
        None, |m| m.ledger.firm_births.values().sum::<u32>() as f64),
    kpi!("firm_deaths", Firms, Flow, "Firm exits", "退出企业",
        "Firms that exited (losses even at the best size for `firms.exit_after_months`, no workers for `firms.exit_empty_months`, or the start-up hazard).",
        None, |m| m.ledger.firm_deaths as f64),
    kpi!("spinoffs", Firms, Flow, "Spin-offs", "衍生企业",
        "Firms spun off from lab patents.",
        None, |m| m.ledger.firm_births[Origin::Spinoff] as f64),
    kpi!("startups", Firms, Flow, "Start-ups", "初创企业",
        "Firms founded by employed talent.",
        None, |m| m.ledger.firm_births[Origin::Startup] as f64),
    kpi!("relocations", Firms, Flow, "Relocations", "企业迁入",
        "Established firms that moved into the corridor.",
        None, |m| m.ledger.firm_births[Origin::Relocated] as f64),
    kpi!("startup_survival_2y", Share, Stock, "Start-up survival at 2 years", "新创企业两年存活率",
        "Share of the firms born in the corridor (start-ups and spin-offs) in the 12 months up to 24 months ago that lived at least 24 months; in December, the cohort born two calendar years earlier. Empty before a cohort exists.",
        None, |m| m.firm_stats.survival_2y),
    kpi!("startup_survival_4y", Share, Stock, "Start-up survival at 4 years", "新创企业四年存活率",
        "As `startup_survival_2y`, at 48 months.",
        None, |m| m.firm_stats.survival_4y),
    kpi!("startup_growth", Growth, Stock, "Employment growth of surviving start-ups", "存活新创企业就业增长率",
        "In December: the employment growth Σ(E − E₀) / Σ ½(E + E₀) of the firms born in the corridor (start-ups and spin-offs) in the previous calendar year and alive now, E₀ their people in the December of their birth year (the growth of one-year-old firms in the Business Dynamics Statistics). Empty in other months and before such a cohort exists.",
        None, |m| m.firm_stats.startup_growth),
    kpi!("firm_size_tail", Index, Stock, "Firm-size tail exponent", "企业规模尾部指数",
        "Pareto exponent of firm sizes (people) by the Hill estimator over the largest 10 % of the firms with workers (Zipf: about 1); empty when those firms are all as large as the next one (no spread to estimate it from).",
        None, |m| m.firm_stats.tail),
    kpi!("firm_size_tail_new", Index, Stock, "Firm-size tail exponent, firms born in the run", "新企业规模尾部指数",
        "As `firm_size_tail`, over the firms born during the run (spin-offs, start-ups, relocations); empty with fewer than 50 such firms with workers, or while they are all of one size (the first months of a small corridor).",
        None, |m| m.firm_stats.tail_new),
    kpi!("largest_firm_share", Share, Stock, "Largest firm's share of firm jobs", "最大企业就业占比",
        "Workers of the largest firm over all firm workers.",
        None, |m| m.firm_stats.largest_share),
    kpi!("top1_firm_share", Share, Stock, "Top 1 % firms' share of firm jobs", "前1%企业就业占比",
        "Workers of the largest 1 % of firms over all firm workers.",
        None, |m| m.firm_stats.top1_share),
    kpi!("empty_firm_share", Share, Stock, "Firms without workers", "无员工企业占比",
        "Share of the firms alive at month end that employ nobody.",
        None, |m| div(m.firm_stats.empty_firms, m.firms)),
    kpi!("patent_gini", Index, Stock, "Concentration of firm patents across cells", "企业专利空间基尼系数",
        "Gini coefficient across the grid's cells of the firm patents granted so far in the year (December: the year's).",
        None, |m| m.firm_stats.patent_gini),
    kpi!("job_gini", Index, Stock, "Concentration of firm jobs across cells", "企业就业空间基尼系数",
        "Gini coefficient across the grid's cells of the workers of the firms alive at month end.",
        None, |m| m.firm_stats.job_gini),
    kpi!("output_gini", Index, Stock, "Concentration of output across cells", "产出空间基尼系数",
        "Gini coefficient across the grid's cells of the month's firm output.",
        None, |m| m.firm_stats.output_gini),
    kpi!("patents", Patents, Flow, "Patents granted", "专利授权",
        "Patents of labs and firms.",
        Some(4), |m| m.lab_patents + m.firm_patents),
    kpi!("lab_patents", Patents, Flow, "Lab patents", "实验室专利",
        "Patents and papers of universities, labs, big facilities and R&D institutes.",
        None, |m| m.lab_patents),
    kpi!("firm_patents", Patents, Flow, "Firm patents", "企业专利",
        "Innovations of firms (each raises the firm's productivity).",
        None, |m| m.firm_patents),
    kpi!("rd_spend", Yuan, Flow, "R&D spending", "研发支出",
        "R&D of firms, lab budgets in force (times the `labs.budget` multiplier, new labs included) and challenge grants spent on R&D.",
        None, |m| m.firm_rd + m.lab_rd + m.ledger.grant_rd),
    kpi!("firm_rd_spend", Yuan, Flow, "Firm R&D spending", "企业研发支出",
        "R&D spending of firms (subsidised part included).",
        None, |m| m.firm_rd),
    kpi!("output", Yuan, Flow, "Output", "产出",
        "Value added of firms.",
        Some(6), |m| m.output),
    kpi!("rd_intensity", Share, Rate, "R&D intensity", "研发强度",
        "R&D spending over firm output in the month.",
        Some(5), |m| div(m.firm_rd + m.lab_rd + m.ledger.grant_rd, m.output)),
    kpi!("rd_price", Index, Price, "R&D price index", "研发价格指数",
        "Cost of a unit of real R&D relative to the start, at the start year's wage level, as the month's firm R&D demand sets it (firms pay it the next month): researchers' pay bid up by R&D demand (1 without the researchers' market).",
        None, |m| m.rd_price),
    kpi!("mean_wage", YuanPerMonth, Price, "Mean wage", "平均工资",
        "Mean monthly wage of the employed (tier wage index times the employer's premium times the real wage trend), yuan of the start year.",
        None, |m| div(m.talent.wage, m.talent.employed) * m.trend),
    kpi!("mean_rent", Rent, Price, "Mean rent", "平均租金",
        "Mean market rent over market units (each unit weighs once).",
        Some(7), |m| div(m.rent_sum, m.rent_units)),
    kpi!("median_rent", Rent, Price, "Median rent", "租金中位数",
        "Median market rent over market units.",
        None, |m| m.median_rent),
    kpi!("rent_to_income", Share, Rate, "Rent-to-income ratio", "租金收入比",
        "Mean over renting households (market, talent and shared-ownership units, and those living outside) of housing cost net of rent subsidies over income.",
        Some(8), |m| div(m.talent.rent_share, m.talent.renters)),
    kpi!("vacancy_rate", Share, Rate, "Vacancy rate", "空置率",
        "Vacant units over all units (market, talent, shared ownership).",
        None, |m| div(m.vacant_units, m.units)),
    kpi!("housing_units", Dwellings, Stock, "Housing units", "住房存量",
        "Completed dwellings of every type.",
        None, |m| m.units * m.scale),
    kpi!("talent_units", Dwellings, Stock, "Talent housing units", "人才住房",
        "Completed talent (affordable) units.",
        None, |m| m.stock_units[1] * m.scale),
    kpi!("shared_ownership_units", Dwellings, Stock, "Shared-ownership units", "共有产权房",
        "Completed shared-ownership units.",
        None, |m| m.stock_units[2] * m.scale),
    kpi!("housing_pipeline", Dwellings, Stock, "Housing pipeline", "在建住房",
        "Dwellings under construction (market and policy projects).",
        None, |m| m.pipeline * m.scale),
    kpi!("living_outside", Households, Stock, "Living outside", "居住在走廊外",
        "Households of the corridor's labour market living in an outside zone (with or without a job).",
        None, |m| m.talent.outside * m.scale),
    kpi!("outside_commuters", People, Stock, "Outside commuters", "走廊外通勤者",
        "Employed talent living in an outside zone: the long-distance commuters into the corridor.",
        None, |m| m.talent.outside_employed * m.scale),
    kpi!("housing_shortage", Households, Rate, "Housing shortage", "住房缺口",
        "Households that wanted a home in the corridor in the month and found none (their best choice was a unit taken by an earlier mover; outside households that look stand for those that do not look that month).",
        None, |m| m.shortage * m.scale),
    kpi!("ownership_share", Share, Rate, "Home-ownership share", "住房自有率",
        "Households that own their home (in full or in shared ownership) over households living in the corridor.",
        None, |m| div(m.talent.owners, m.talent.residents)),
    kpi!("commute_over_45_min", Share, Rate, "Commutes over 45 minutes", "通勤超45分钟比例",
        "Share of the employed (in the corridor and outside) whose one-way commute exceeds 45 minutes (the CAUPD report's threshold).",
        None, |m| div(m.talent.over_45, m.talent.employed)),
    kpi!("commute_over_60_min", Share, Rate, "Commutes over 60 minutes", "通勤超60分钟比例",
        "Share of the employed whose one-way commute exceeds 60 minutes (extreme commuting in the CAUPD report).",
        None, |m| div(m.talent.over_60, m.talent.employed)),
    kpi!("talent_waitlist", Households, Stock, "Talent housing waitlist", "人才住房轮候",
        "Households that applied for a talent unit and wait: of an eligible tier, employed, renting (in the corridor or outside) and paying more than `housing.talent_units.apply_rent_share` of income for housing, while the programme has units built or being built.",
        None, |m| m.talent.waitlist * m.scale),
    kpi!("mean_commute_min", Minutes, Rate, "Mean commute", "平均通勤时间",
        "Mean one-way commute of everyone employed in the corridor (living in it or outside), minutes.",
        Some(9), |m| m.mean_commute),
    kpi!("jobs_housing_balance", Share, Rate, "Jobs-housing balance", "职住平衡",
        "Share of the employed whose one-way commute is at most `output.jobs_housing_min` minutes.",
        Some(10), |m| div(m.talent.near, m.talent.employed)),
    kpi!("school_seats", Seats, Stock, "School seats", "学位供给",
        "Primary and middle school seats of the corridor's districts.",
        None, |m| m.seats * m.scale),
    kpi!("children_seated_home", Children, Stock, "Children at a school at home", "就近入学儿童",
        "Children of school age (6-14) at a school of the district they live in (or of their outside zone).",
        None, |m| m.talent.seated_home * m.scale),
    kpi!("children_seated_elsewhere", Children, Stock, "Children at a school elsewhere", "异地入学儿童",
        "Children of school age living in the corridor at a school outside their home district's seats: in another district by coordination, or placed beyond the district's seats (every child is assigned a school).",
        Some(11), |m| (m.talent.coordinated + m.talent.overflow) * m.scale),
    kpi!("children_overflow", Children, Stock, "Children placed beyond the seats", "超额安置儿童",
        "Children of school age placed beyond their home district's seats (a distant school or a larger class, `schools.overflow_*`).",
        None, |m| m.talent.overflow * m.scale),
    kpi!("children_coordinated", Children, Stock, "Children seated by coordination", "统筹入学儿童",
        "Children of school age at a seat of another district opened by enrolment coordination.",
        None, |m| m.talent.coordinated * m.scale),
    kpi!("school_extra_trip_min", Minutes, Rate, "Extra school trip", "异地就学额外通勤",
        "Mean extra one-way school trip of the children at a school elsewhere, minutes.",
        None, |m| div(m.talent.extra_trip, m.talent.coordinated + m.talent.overflow)),
    kpi!("school_quality", Share, Rate, "School quality", "学校质量",
        "Mean quality (0-1) of the schools of the children of school age.",
        None, |m| div(m.talent.quality, m.talent.school_age)),
    kpi!("public_cost", Yuan, Flow, "Public cost", "公共支出",
        "Public cost of all levers, gross (the cost_<lever> columns summed).",
        Some(12), |m| m.ledger.public_cost()),
    kpi!("public_receipts", Yuan, Flow, "Public receipts", "公共收入",
        "What the levers' programmes take back (the receipts_<lever> columns summed).",
        None, |m| m.ledger.public_receipts()),
    kpi!("pv_net_public_cost", Yuan, Stock, "Present value of net public cost", "公共净支出现值",
        "Present value at the start of the run (at `output.discount_rate`) of gross cost less receipts so far, less the present value of the assets the programmes hold (the pv_net_cost_<lever> columns summed).",
        None, |m| Lever::ALL.iter().map(|&l| m.accounts.pv_net(l)).sum()),
];

/// The families, in the order of the columns after [`KPIS`].
pub static GROUPS: &[Group] = &[
    Group {
        over: Over::Tier,
        families: &[
            family!("talent_", People, Stock, "Talent", "人才", "Talent of tier `{}` at month end.", |m, t| m
                .talent
                .by_tier[t]
                * m.scale),
            family!("arrivals_", People, Flow, "Arrivals", "流入", "Arrivals of tier `{}`.", |m, t| m.ledger.arrivals
                [t]
                as f64
                * m.scale),
            family!("departures_", People, Flow, "Departures", "流出", "Departures of tier `{}`.", |m, t| m
                .ledger
                .departures[t]
                as f64
                * m.scale),
            family!(
                "wage_",
                YuanPerMonth,
                Price,
                "Wage",
                "工资",
                "Mean monthly wage of the employed of tier `{}`, yuan of the start year.",
                |m, t| div(m.talent.wage_by_tier[t], m.talent.emp_by_tier[t]) * m.trend
            ),
        ],
    },
    Group {
        over: Over::Sector,
        families: &[
            family!("firms_", Firms, Stock, "Firms", "企业", "Firms of sector `{}` alive at month end.", |m, k| m
                .firms_by_sector[k]),
            family!("employed_", People, Stock, "Employed", "就业", "Firm workers of sector `{}`.", |m, k| m
                .talent
                .emp_by_sector[k]
                * m.scale),
            family!("patents_", Patents, Flow, "Patents", "专利", "Firm patents of sector `{}`.", |m, k| m
                .ledger
                .firm_patents_by_sector[k]
                as f64),
            family!("output_", Yuan, Flow, "Output", "产出", "Value added of firms of sector `{}`.", |m, k| m
                .output_by_sector[k]),
        ],
    },
    Group {
        over: Over::Origin,
        families: &[family!(
            "origin_",
            Firms,
            Stock,
            "Firms by origin",
            "企业来源",
            "Firms alive at month end that began as `{}` (incumbent, spin-off, start-up or relocated).",
            |m, o| m.by_origin[o]
        )],
    },
    Group {
        over: Over::Lever,
        families: &[
            family!(
                "cost_",
                Yuan,
                Flow,
                "Public cost",
                "公共支出",
                "Public cost of the lever `{}`, gross (what the lever's cost account counts: see the lever table).",
                |m, l| m.ledger.cost[Lever::ALL[l]]
            ),
            family!(
                "receipts_",
                Yuan,
                Flow,
                "Public receipts",
                "公共收入",
                "What the programme of the lever `{}` takes back (rents, payments, clawed-back bonuses).",
                |m, l| m.ledger.receipts[Lever::ALL[l]]
            ),
            family!(
                "pv_net_cost_",
                Yuan,
                Stock,
                "Present value of net cost",
                "净支出现值",
                "Present value at the start of the run of the net cost of the lever `{}` so far: gross cost less receipts, less the present value of the assets its programme holds (policy housing at its written-down cost); in the last December, the lever's present value over the run.",
                |m, l| m.accounts.pv_net(Lever::ALL[l])
            ),
        ],
    },
    Group {
        over: Over::District,
        families: &[
            family!(
                "seated_elsewhere_",
                Children,
                Stock,
                "Children at a school elsewhere",
                "异地入学儿童",
                "Children of school age living in district `{}` at a school outside its seats (by coordination or placed beyond them).",
                |m, d| m.talent.elsewhere_by_district[d] * m.scale
            ),
            family!(
                "rent_",
                Rent,
                Price,
                "Rent",
                "租金",
                "Mean market rent over the market units of district `{}`.",
                |m, d| div(m.district_rent[d].0, m.district_rent[d].1)
            ),
        ],
    },
    Group {
        over: Over::Zone,
        families: &[family!(
            "living_in_",
            Households,
            Stock,
            "Households living in a zone",
            "居住在走廊外区域的家庭",
            "Households of the corridor's labour market living in the outside zone `{}`.",
            |m, z| m.talent.by_zone[z] * m.scale
        )],
    },
];

/// a / b, 0 when b is not positive.
fn div(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// A name in lower-case snake case ("Life & health" -> "life_health").
pub fn snake(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The columns of a scenario's tables with their names, in order.
pub fn columns(s: &Scenario) -> Vec<(String, Column<'static>)> {
    let mut cols: Vec<(String, Column<'static>)> =
        KPIS.iter().map(|k| (k.name.to_string(), Column::Single(k))).collect();
    for g in GROUPS {
        for (index, member) in g.over.members(s).iter().enumerate() {
            for family in g.families {
                cols.push((format!("{}{member}", family.prefix), Column::Member { family, over: g.over, index }));
            }
        }
    }
    cols
}

/// Column names that a scenario defines twice (a tier named `arrivals` gives a second
/// `talent_arrivals`), with the family and member that make the second one.
pub fn duplicate_columns(s: &Scenario) -> Vec<(String, Over, usize)> {
    let mut seen = std::collections::HashSet::new();
    let mut dups = Vec::new();
    for (name, col) in columns(s) {
        if !seen.insert(name.clone()) {
            match col {
                Column::Member { over, index, .. } => dups.push((name, over, index)),
                Column::Single(_) => dups.push((name, Over::Lever, usize::MAX)),
            }
        }
    }
    dups
}

/// The headline KPIs, in headline order.
pub fn headline() -> Vec<&'static Kpi> {
    let mut h: Vec<&Kpi> = KPIS.iter().filter(|k| k.headline.is_some()).collect();
    h.sort_by_key(|k| k.headline);
    h
}

/// The headline KPI names, in headline order.
pub fn headline_names() -> Vec<&'static str> {
    headline().into_iter().map(|k| k.name).collect()
}

/// What a column name stands for, without a scenario: a KPI by its name, or a family member by
/// its prefix (the member's name is returned as it stands in the column).
pub enum Described {
    Single(&'static Kpi),
    Member(&'static Family, String),
}

/// The registry entry of a column name, if any.
pub fn describe(name: &str) -> Option<Described> {
    if let Some(k) = KPIS.iter().find(|k| k.name == name) {
        return Some(Described::Single(k));
    }
    GROUPS.iter().flat_map(|g| g.families.iter()).find_map(|f| {
        name.strip_prefix(f.prefix).filter(|rest| !rest.is_empty()).map(|rest| Described::Member(f, rest.to_string()))
    })
}

impl Described {
    pub fn unit(&self) -> Unit {
        match self {
            Described::Single(k) => k.unit,
            Described::Member(f, _) => f.unit,
        }
    }
    pub fn aggregate(&self) -> Aggregate {
        match self {
            Described::Single(k) => k.aggregate,
            Described::Member(f, _) => f.aggregate,
        }
    }
    /// The natural bounds of the column's level ([`Unit::bounds`]).
    pub fn bounds(&self) -> (f64, f64) {
        self.unit().bounds()
    }
    /// English and Chinese labels (a member's label adds the member as it stands in the column).
    pub fn labels(&self) -> (String, String) {
        match self {
            Described::Single(k) => (k.en.to_string(), k.zh.to_string()),
            Described::Member(f, m) => (format!("{}: {m}", f.en), format!("{}：{m}", f.zh)),
        }
    }
    /// The definition, with the member filled in.
    pub fn definition(&self) -> String {
        match self {
            Described::Single(k) => k.definition.to_string(),
            Described::Member(f, member) => f.definition.replace("{}", member),
        }
    }
}

/// A spatial layer written each December (`layers/<name>_<year>.csv`).
pub struct Layer {
    pub name: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub unit_en: &'static str,
    pub unit_zh: &'static str,
    pub definition: &'static str,
}

/// The layers, in the order of [`super::LayerSnapshot::layers`].
pub static LAYERS: [Layer; 5] = [
    Layer {
        name: "talent_density",
        en: "Talent density",
        zh: "人才密度",
        unit_en: "people per km²",
        unit_zh: "人/平方公里",
        definition: "Talent living in the cell per km², in December.",
    },
    Layer {
        name: "firm_density",
        en: "Firm density",
        zh: "企业密度",
        unit_en: "firms per km²",
        unit_zh: "家/平方公里",
        definition: "Firms alive in the cell per km², in December.",
    },
    Layer {
        name: "rent",
        en: "Market rent",
        zh: "市场租金",
        unit_en: "yuan per dwelling per month",
        unit_zh: "元/套/月",
        definition: "Market rent of the cell in December.",
    },
    Layer {
        name: "spillover",
        en: "Knowledge spillover index",
        zh: "知识溢出指数",
        unit_en: "index, dimensionless",
        unit_zh: "指数，无量纲",
        definition: "Knowledge spillover field (1 = the first month's job-weighted mean), in December.",
    },
    Layer {
        name: "patents",
        en: "Patents granted",
        zh: "专利授权",
        unit_en: "patents per cell in the year",
        unit_zh: "件/格/年",
        definition: "Patents of the labs and firms in the cell over the year.",
    },
];

/// The layer names, in order.
pub const LAYER_NAMES: [&str; 5] = [LAYERS[0].name, LAYERS[1].name, LAYERS[2].name, LAYERS[3].name, LAYERS[4].name];

/// The KPI, layer and lever tables of docs/OUTPUTS.md, as Markdown.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("| KPI | unit | yearly value | definition |\n| --- | --- | --- | --- |\n");
    for k in KPIS {
        let head = if k.headline.is_some() { " (headline)" } else { "" };
        out.push_str(&format!(
            "| `{}`{head} | {} | {} | {} |\n",
            k.name,
            k.unit.text().0,
            k.aggregate.yearly(),
            k.definition
        ));
    }
    out.push_str("\nFamilies, one column per member (names in lower-case snake case, as in `world.json`):\n\n");
    out.push_str("| column | one per | unit | yearly value | definition |\n| --- | --- | --- | --- | --- |\n");
    for g in GROUPS {
        for f in g.families {
            out.push_str(&format!(
                "| `{}<{}>` | {} | {} | {} | {} |\n",
                f.prefix,
                g.over.name(),
                g.over.name(),
                f.unit.text().0,
                f.aggregate.yearly(),
                f.definition.replace("`{}`", &format!("`<{}>`", g.over.name()))
            ));
        }
    }
    out.push_str("\nLayers (`layers/<layer>_<year>.csv`):\n\n| layer | unit | definition |\n| --- | --- | --- |\n");
    for l in &LAYERS {
        out.push_str(&format!("| `{}` | {} | {} |\n", l.name, l.unit_en, l.definition));
    }
    out.push_str("\nLevers (`cost_<lever>` columns):\n\n| lever | name | public cost counted |\n| --- | --- | --- |\n");
    for l in Lever::ALL {
        out.push_str(&format!("| `{}` | {} ({}) | {} |\n", l.name(), l.label(), l.name_zh(), l.cost_definition()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_headlines_ranked_once() {
        let mut names: Vec<&str> = KPIS.iter().map(|k| k.name).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n, "a KPI name appears twice");
        let ranks: Vec<u8> = headline().iter().filter_map(|k| k.headline).collect();
        assert_eq!(ranks, (1..=ranks.len() as u8).collect::<Vec<_>>());
        assert!(KPIS.iter().all(|k| !k.definition.is_empty() && !k.zh.is_empty()));
    }

    #[test]
    fn every_column_is_described_by_its_own_entry() {
        let s = crate::scenario::Scenario {
            talent: crate::scenario::TalentParams {
                tiers: vec![crate::scenario::TierSpec { name: "Top".into(), ..Default::default() }],
                ..Default::default()
            },
            ..Default::default()
        };
        for (name, col) in columns(&s) {
            let d = describe(&name).unwrap_or_else(|| panic!("{name} is not described"));
            assert_eq!(d.unit(), col.unit(), "{name}");
            assert_eq!(d.aggregate(), col.aggregate(), "{name}");
        }
        assert!(columns(&s).iter().any(|(n, _)| n == "talent_top"));
    }

    #[test]
    fn a_tier_named_like_a_kpi_suffix_collides() {
        let tier = |name: &str| crate::scenario::TierSpec { name: name.into(), ..Default::default() };
        let mut s = crate::scenario::Scenario::default();
        s.talent.tiers = vec![tier("top"), tier("arrivals")];
        let dups = duplicate_columns(&s);
        assert_eq!(dups.len(), 1, "{:?}", dups.iter().map(|d| &d.0).collect::<Vec<_>>());
        assert_eq!(dups[0].0, "talent_arrivals");
        assert_eq!((dups[0].1, dups[0].2), (Over::Tier, 1));
        s.talent.tiers = vec![tier("top"), tier("high")];
        assert!(duplicate_columns(&s).is_empty());
    }

    #[test]
    fn docs_outputs_holds_the_registry() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OUTPUTS.md");
        let docs = std::fs::read_to_string(path).unwrap();
        let (start, end) = ("<!-- registry:start -->\n", "<!-- registry:end -->");
        let a = docs.find(start).expect("docs/OUTPUTS.md has no registry block") + start.len();
        let b = docs.find(end).expect("docs/OUTPUTS.md has no end of the registry block");
        assert!(
            docs[a..b] == markdown(),
            "docs/OUTPUTS.md is stale: replace its registry block by `cargo run -- schema --outputs`"
        );
    }

    #[test]
    fn every_headline_kpi_states_its_intended_direction() {
        for k in headline() {
            assert!(intended(k.name).is_some(), "{} has no intended direction", k.name);
        }
        assert_eq!(intended("patents"), Some(Sense::More));
        assert_eq!(intended("children_overflow"), Some(Sense::Less));
        assert_eq!(intended("talent_departures"), Some(Sense::Less), "an exact name beats a family prefix");
        assert_eq!(intended("talent_top"), Some(Sense::More));
        assert_eq!(intended("cost_rd_subsidy"), Some(Sense::Less));
        assert_eq!(intended("vacancies"), None);
        assert_eq!(intended("no_such_kpi"), None);
        for n in MORE.iter().chain(LESS) {
            assert!(describe(n).is_some() || n.ends_with('_'), "{n} is not a KPI");
        }
    }

    #[test]
    fn bounds_come_from_the_unit() {
        assert_eq!(describe("rent_to_income").unwrap().bounds(), (0.0, 1.0));
        assert_eq!(describe("children_overflow").unwrap().bounds(), (0.0, f64::INFINITY));
        assert_eq!(describe("cost_transit").unwrap().bounds().0, 0.0);
        assert_eq!(Cumulation::of(Aggregate::Stock).of_years(&[1.0, 2.0], &[1.0, 0.5]), 2.0);
        assert_eq!(Cumulation::of(Aggregate::Rate).of_years(&[1.0, 3.0], &[1.0, 1.0]), 2.0);
    }

    #[test]
    fn yearly_aggregation_by_kind() {
        let m = [1.0, 2.0, 6.0];
        assert_eq!(Flow.of_year(&m), 9.0);
        assert_eq!(Stock.of_year(&m), 6.0);
        assert_eq!(Rate.of_year(&m), 3.0);
        assert_eq!(Price.of_year(&m), 3.0);
    }
}
