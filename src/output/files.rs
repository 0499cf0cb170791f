//! The files that one part of corridor writes and another reads (docs/OUTPUTS.md), as serde
//! types. The writers (run folders, `compare`, `sweep`, `merge`) build these values and serialize
//! them; the chart and report readers and the test fixtures use the same types, so a key that is
//! renamed or missing is an error that names the file and the key.
//!
//! A value that is not a number is written the same way everywhere: `null` in JSON, an empty
//! field in CSV; readers take both back as NaN.
//!
//! JSON files are written with their keys in sorted order (as [`serde_json::Value`] keeps them),
//! whatever the order of the fields below.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fmt_num;
use crate::experiment::calibrate::CalibrationSpec;
use crate::experiment::runs::Shard;
use crate::experiment::spec::SweepSpec;
use crate::scenario::LabKind;

// ---------------------------------------------------------------- run folder

/// `world.json`: the map of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorldJson {
    pub width: usize,
    pub height: usize,
    pub cell_km: f64,
    pub start_year: i32,
    pub districts: Vec<DistrictJson>,
    pub hubs: Vec<HubJson>,
    pub transit_lines: Vec<TransitLineJson>,
    pub labs: Vec<LabJson>,
    pub tiers: Vec<String>,
    pub sectors: Vec<String>,
    /// Policy levers (the `cost_<lever>` columns), as [`crate::policy::Lever::name`] gives them.
    pub levers: Vec<String>,
    /// Chinese names, aligned with `tiers`, `sectors` and `levers` (empty where not given).
    pub tiers_zh: Vec<String>,
    pub sectors_zh: Vec<String>,
    pub levers_zh: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictJson {
    /// The value of the district's cells in `layers/district.csv`.
    pub id: usize,
    pub name: String,
    pub name_zh: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HubJson {
    pub name: String,
    pub name_zh: String,
    pub x: f64,
    pub y: f64,
    pub radius_km: f64,
    /// A free label (`science_city`, `town_centre`, ...).
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TransitLineJson {
    pub name: String,
    pub name_zh: String,
    /// Station positions `[x, y]` in cells.
    pub stations: Vec<[f64; 2]>,
    /// The first year the line runs (possibly before the run starts).
    pub open_year: i32,
    /// Whether the line is a lever (`transit.new_lines`) rather than part of today's network.
    pub new: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabJson {
    pub name: String,
    pub name_zh: String,
    pub x: f64,
    pub y: f64,
    pub kind: LabKind,
    pub open_year: i32,
}

/// `summary.json`: final-year KPIs, yearly series and provenance of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryJson {
    pub scenario: String,
    pub title: String,
    pub title_zh: String,
    pub start_year: i32,
    pub years: u32,
    pub seed: u64,
    /// The command-line arguments by which the run differs from its plain scenario (`--set ...`,
    /// `--years N`, `--seed N`); empty for a plain run (and in folders of earlier versions).
    #[serde(default)]
    pub overrides: Vec<String>,
    #[serde(deserialize_with = "nan::one")]
    pub agent_scale: f64,
    /// KPI names shown in tables and reports.
    pub headline: Vec<String>,
    /// KPI -> value in the last simulated year.
    #[serde(deserialize_with = "nan::map")]
    pub final_year: BTreeMap<String, f64>,
    pub yearly: YearlyJson,
    pub provenance: ProvenanceJson,
    /// Present when the folder holds the median of several replications (`run --reps N`):
    /// then `seed` is the median run's, and its files are the folder's files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<ReplicationsJson>,
}

/// The replications of `run --reps N`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplicationsJson {
    /// The seed the replication seeds derive from (`--seed`, or the scenario's).
    pub base_seed: u64,
    /// Seed of replication i ([`crate::experiment::seeds::replication_seed`]).
    pub seeds: Vec<u64>,
    /// The replication whose files the folder holds (the median run).
    pub median: usize,
    /// The quantiles of the bands in `bands.csv` and the charts (5th and 95th percentile).
    pub band: [f64; 2],
}

/// One row of `bands.csv` (`run --reps N`): a KPI's monthly value over the replications, the
/// median and the band of [`ReplicationsJson::band`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    pub kpi: String,
    /// As in `timeseries.csv`: 0 is January of the first year.
    pub month: u32,
    #[serde(with = "csv_num")]
    pub low: f64,
    #[serde(with = "csv_num")]
    pub median: f64,
    #[serde(with = "csv_num")]
    pub high: f64,
}

/// The yearly table of `summary.json`, column by column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearlyJson {
    pub years: Vec<i32>,
    #[serde(deserialize_with = "nan::map_of_seqs")]
    pub kpis: BTreeMap<String, Vec<f64>>,
}

/// Where a run came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvenanceJson {
    /// The scenario file and the files it extends, in load order.
    pub scenario_files: Vec<String>,
    /// `--set` arguments, in order.
    pub sets: Vec<String>,
    /// [`crate::scenario::scenario_hash`] of the resolved scenario.
    pub scenario_hash: String,
    pub crate_version: String,
    pub git_revision: Option<String>,
    #[serde(deserialize_with = "nan::one")]
    pub wall_seconds: f64,
    pub threads: usize,
    /// Every key of the scenario as it ran, as TOML.
    pub resolved_scenario: String,
}

// ---------------------------------------------------------------- microdata

/// The firm and talent panels of `corridor run --microdata` (`firms.csv`, `talent.csv`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Microdata {
    /// Tier names: the `workers_<tier>` columns of `firms.csv`.
    pub tiers: Vec<String>,
    pub firms: Vec<FirmYear>,
    pub talent: Vec<TalentRow>,
}

/// A row of `firms.csv`: a firm agent in a year it was alive. An agent stands for `firms`
/// identical firms; amounts are the totals of all of them (divide by `firms` for one firm's).
#[derive(Clone, Debug, PartialEq)]
pub struct FirmYear {
    pub firm: u32,
    pub year: i32,
    pub sector: String,
    pub origin: String,
    pub x: u32,
    pub y: u32,
    /// District name, empty outside the districts.
    pub district: String,
    /// Month of birth (0 = January of the start year; incumbents 0).
    pub birth_month: u32,
    /// Month of exit, None while alive.
    pub death_month: Option<u32>,
    /// Identical firms the agent stands for.
    pub firms: u32,
    /// Workers by tier in December (people; 0 after exit).
    pub workers: Vec<f64>,
    /// Output and R&D over the year, yuan.
    pub output: f64,
    pub rd: f64,
    /// Knowledge stock in December (or at exit), yuan.
    pub knowledge: f64,
    /// Total factor productivity of one of its firms in December (or at exit).
    pub productivity: f64,
    /// Patents over the year.
    pub patents: u32,
    /// Longest run of months so far in which the firm wanted to grow faster than the hiring
    /// limit allows.
    pub longest_hiring_cap_months: u32,
}

const FIRM_HEAD: [&str; 10] =
    ["firm", "year", "sector", "origin", "x", "y", "district", "birth_month", "death_month", "firms"];
const FIRM_TAIL: [&str; 6] = ["output", "rd", "knowledge", "productivity", "patents", "longest_hiring_cap_months"];

/// `firms.csv`: a header with one `workers_<tier>` column per tier, then one row per firm-year.
pub fn firm_panel_csv(tiers: &[String], rows: &[FirmYear]) -> Vec<u8> {
    let header: Vec<String> = FIRM_HEAD
        .iter()
        .map(|c| c.to_string())
        .chain(tiers.iter().map(|t| format!("workers_{t}")))
        .chain(FIRM_TAIL.iter().map(|c| c.to_string()))
        .collect();
    let body = rows.iter().map(|r| {
        let mut v = vec![
            r.firm.to_string(),
            r.year.to_string(),
            r.sector.clone(),
            r.origin.clone(),
            r.x.to_string(),
            r.y.to_string(),
            r.district.clone(),
            r.birth_month.to_string(),
            r.death_month.map(|m| m.to_string()).unwrap_or_default(),
            r.firms.to_string(),
        ];
        v.extend(r.workers.iter().map(|&w| fmt_num(w)));
        v.extend([
            fmt_num(r.output),
            fmt_num(r.rd),
            fmt_num(r.knowledge),
            fmt_num(r.productivity),
            r.patents.to_string(),
            r.longest_hiring_cap_months.to_string(),
        ]);
        v
    });
    csv_bytes(std::iter::once(header).chain(body))
}

/// Reads `firms.csv` back: the tier names of its `workers_<tier>` columns and its rows.
pub fn read_firm_panel(bytes: &[u8]) -> Result<(Vec<String>, Vec<FirmYear>), String> {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().map_err(|e| e.to_string())?.clone();
    let names: Vec<&str> = header.iter().collect();
    let tiers_at = FIRM_HEAD.len()..names.len().saturating_sub(FIRM_TAIL.len());
    if names.len() < FIRM_HEAD.len() + FIRM_TAIL.len()
        || names[..FIRM_HEAD.len()] != FIRM_HEAD
        || names[tiers_at.end..] != FIRM_TAIL
    {
        return Err(format!("firms.csv: unexpected header {names:?}"));
    }
    let tiers: Vec<String> =
        names[tiers_at.clone()].iter().map(|n| n.strip_prefix("workers_").unwrap_or(n).to_string()).collect();
    let mut rows = Vec::new();
    for (line, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let at = |i: usize| rec.get(i).unwrap_or("");
        let bad = |i: usize| format!("firms.csv, row {}: column `{}` holds {:?}", line + 2, names[i], at(i));
        let num = |i: usize| at(i).parse::<f64>().map_err(|_| bad(i));
        let int = |i: usize| at(i).parse::<u32>().map_err(|_| bad(i));
        let t = tiers_at.end;
        rows.push(FirmYear {
            firm: int(0)?,
            year: at(1).parse().map_err(|_| bad(1))?,
            sector: at(2).to_string(),
            origin: at(3).to_string(),
            x: int(4)?,
            y: int(5)?,
            district: at(6).to_string(),
            birth_month: int(7)?,
            death_month: if at(8).is_empty() { None } else { Some(int(8)?) },
            firms: int(9)?,
            workers: tiers_at.clone().map(num).collect::<Result<_, _>>()?,
            output: num(t)?,
            rd: num(t + 1)?,
            knowledge: num(t + 2)?,
            productivity: num(t + 3)?,
            patents: int(t + 4)?,
            longest_hiring_cap_months: int(t + 5)?,
        });
    }
    Ok((tiers, rows))
}

/// A row of `talent.csv`: a talent agent at the end of the run, standing for `households`
/// households.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TalentRow {
    pub id: u32,
    pub tier: String,
    pub age: f64,
    /// `firm`, `lab` or `none`.
    pub employer_kind: String,
    /// Firm id (the `firm` of `firms.csv`) or lab index (in `world.json`'s `labs`); empty without
    /// a job.
    pub employer: Option<u32>,
    /// Home cell; empty for households living outside the corridor.
    pub home_x: Option<u32>,
    pub home_y: Option<u32>,
    /// `outside`, `market`, `talent_unit`, `shared` or `owner`.
    pub tenure: String,
    /// Monthly wage, yuan (0 without a job).
    pub wage: f64,
    /// One-way commute, minutes.
    pub commute_min: f64,
    /// Age of the child in years; empty without a child.
    pub child_age: Option<f64>,
    pub months_in_corridor: u32,
    pub households: f64,
}

/// `talent.csv`.
pub fn talent_csv(rows: &[TalentRow]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        w.serialize(r).expect("a CSV record writes into memory");
    }
    into_bytes(w)
}

/// `firms.csv` and `talent.csv` of a run's microdata.
pub fn microdata_files(m: &Microdata) -> Vec<(String, Vec<u8>)> {
    vec![("firms.csv".into(), firm_panel_csv(&m.tiers, &m.firms)), ("talent.csv".into(), talent_csv(&m.talent))]
}

// ---------------------------------------------------------------- compare folder

/// `compare.json`: what a comparison ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareJson {
    pub base: String,
    pub variants: Vec<String>,
    pub reps: u32,
    pub seed: u64,
    /// The seed of replication i, the same for every scenario (common random numbers).
    pub replication_seeds: Vec<u64>,
    /// The hash of each resolved scenario, base first (what tells two compares apart).
    #[serde(default)]
    pub scenario_hashes: Vec<String>,
    /// The headline KPIs that charts and reports show (the CSV files hold every KPI).
    pub kpis: Vec<String>,
    /// The headline KPI list of this version, whether or not the scenarios have them all.
    pub headline: Vec<String>,
    pub start_year: i32,
    pub years: u32,
    /// With `--posterior`: the posterior.csv drawn from and a hash of its bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posterior: Option<String>,
    /// The base scenario's `output.discount_rate`: present values discount year `start_year + t`
    /// by (1 + rate)^t.
    #[serde(deserialize_with = "nan::one")]
    pub discount_rate: f64,
    /// Titles of the base and the variants, in that order (the label where a scenario has none).
    pub titles: Vec<ScenarioTitle>,
}

/// A scenario's label in the compare files and its titles for charts and reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioTitle {
    pub label: String,
    pub title: String,
    pub title_zh: String,
}

/// One row of `compare.csv`: a yearly value of one KPI in one replication of one scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    pub scenario: String,
    pub replication: u32,
    pub year: i32,
    pub kpi: String,
    #[serde(with = "csv_num")]
    pub value: f64,
}

/// One row of `effects.csv`: the effect of a variant on one KPI, from paired replications (common
/// random numbers): in the final year, and added up over the run with the public cost it took.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EffectRow {
    pub variant: String,
    pub kpi: String,
    /// Final-year means of the base and the variant.
    #[serde(with = "csv_num")]
    pub base_mean: f64,
    #[serde(with = "csv_num")]
    pub variant_mean: f64,
    /// Final year: mean of the paired differences (variant - base) and their 95% t interval.
    #[serde(with = "csv_num")]
    pub diff_mean: f64,
    #[serde(with = "csv_num")]
    pub diff_ci_low: f64,
    #[serde(with = "csv_num")]
    pub diff_ci_high: f64,
    /// Final year: diff mean / base mean (NaN when the base mean is 0).
    #[serde(with = "csv_num")]
    pub rel_change: f64,
    /// How the effect over the run adds up the yearly values: `sum` (flows: the run's total),
    /// `stock_years` (stocks: December values summed, in unit-years such as person-years) or
    /// `mean` (rates and prices: the mean of the yearly values).
    pub basis: String,
    /// Over the run, on that basis: the base's mean, and the paired difference with its 95% t
    /// interval.
    #[serde(with = "csv_num")]
    pub run_base_mean: f64,
    #[serde(with = "csv_num")]
    pub run_diff_mean: f64,
    #[serde(with = "csv_num")]
    pub run_diff_ci_low: f64,
    #[serde(with = "csv_num")]
    pub run_diff_ci_high: f64,
    /// The run's difference with each year discounted to the first year at `compare.json`'s
    /// `discount_rate` (NaN for the `mean` basis).
    #[serde(with = "csv_num")]
    pub run_diff_pv: f64,
    /// Mean over replications of the public cost difference summed over the run (yuan), and its
    /// present value at the discount rate.
    #[serde(with = "csv_num")]
    pub public_cost_diff: f64,
    #[serde(with = "csv_num")]
    pub public_cost_diff_pv: f64,
    /// Yuan per unit of the run's effect (public_cost_diff / run_diff_mean) and the ratio of the
    /// present values; NaN unless `cost_note` is empty.
    #[serde(with = "csv_num")]
    pub cost_per_unit: f64,
    #[serde(with = "csv_num")]
    pub cost_per_unit_pv: f64,
    /// Why there is no cost per unit (empty when there is one): see [`CostNote`].
    pub cost_note: String,
}

/// Why an effect has no cost per unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostNote {
    /// The interval of the run's effect includes zero (or there is one replication).
    NotSignificant,
    /// The effect is significant but goes against the direction the lever intends.
    OppositeSign,
    /// The registry states no intended direction for this KPI.
    NoDirection,
    /// A rate or price: its mean over the run is not a quantity to buy.
    NotAdditive,
    /// The variant costs no more than the base (no price per unit).
    NoExtraCost,
    /// The KPI is itself a public cost.
    IsCost,
}

impl CostNote {
    pub const ALL: [CostNote; 6] = [
        CostNote::NotSignificant,
        CostNote::OppositeSign,
        CostNote::NoDirection,
        CostNote::NotAdditive,
        CostNote::NoExtraCost,
        CostNote::IsCost,
    ];

    /// The code written to `effects.csv`.
    pub fn code(self) -> &'static str {
        match self {
            CostNote::NotSignificant => "not_significant",
            CostNote::OppositeSign => "opposite_sign",
            CostNote::NoDirection => "no_direction",
            CostNote::NotAdditive => "not_additive",
            CostNote::NoExtraCost => "no_extra_cost",
            CostNote::IsCost => "is_cost",
        }
    }

    pub fn from_code(code: &str) -> Option<CostNote> {
        CostNote::ALL.into_iter().find(|n| n.code() == code)
    }

    /// What a reader sees instead of a number, English and Chinese.
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            CostNote::NotSignificant => ("not significant", "不显著"),
            CostNote::OppositeSign => ("effect opposite to intent", "效果与目标相反"),
            CostNote::NoDirection => ("no intended direction", "无既定方向"),
            CostNote::NotAdditive => ("not a quantity", "非数量指标"),
            CostNote::NoExtraCost => ("no extra cost", "无额外成本"),
            CostNote::IsCost => ("is a cost", "本身为成本"),
        }
    }
}

/// One row of `costs.csv`: the public cost of a lever (or `total`, the `public_cost` KPI) summed
/// over the run, for the base and a variant, and the paired difference.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    pub variant: String,
    /// A lever name ([`crate::policy::Lever::name`]) or `total`.
    pub lever: String,
    /// Means over replications of the cost summed over the run (yuan).
    #[serde(with = "csv_num")]
    pub base_total: f64,
    #[serde(with = "csv_num")]
    pub variant_total: f64,
    /// The paired difference (variant - base) with its 95% t interval, and its present value.
    #[serde(with = "csv_num")]
    pub diff_mean: f64,
    #[serde(with = "csv_num")]
    pub diff_ci_low: f64,
    #[serde(with = "csv_num")]
    pub diff_ci_high: f64,
    #[serde(with = "csv_num")]
    pub diff_pv: f64,
}

// ---------------------------------------------------------------- sweep folder

/// `sweep.json`: the resolved sweep (every key of the sweep file, baselines filled in, grid and
/// one-at-a-time ranges as the values they expand to), the size of the design, and the shard when
/// the folder holds only one. Its presence marks a finished sweep folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepJson {
    #[serde(flatten)]
    pub spec: SweepSpec,
    pub points: usize,
    pub runs: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
}

/// The statistics of each KPI in `points.csv`, in column order: `<kpi>_mean`, `<kpi>_sd`, ...
pub const POINT_STATS: [&str; 4] = ["mean", "sd", "ci_low", "ci_high"];

/// The `points.csv` column of a statistic of a KPI (`stat` one of [`POINT_STATS`]).
pub fn point_column(kpi: &str, stat: &str) -> String {
    format!("{kpi}_{stat}")
}

/// One row of `tornado.csv` (one-at-a-time designs): the KPI mean with a parameter at its lowest
/// and highest value, the others at baseline, and at the baseline point.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TornadoRow {
    pub parameter: String,
    pub kpi: String,
    #[serde(with = "csv_num")]
    pub low: f64,
    #[serde(with = "csv_num")]
    pub high: f64,
    #[serde(with = "csv_num")]
    pub kpi_low: f64,
    #[serde(with = "csv_num")]
    pub kpi_high: f64,
    #[serde(with = "csv_num")]
    pub kpi_base: f64,
}

/// One row of `morris.csv`: elementary effects of a parameter on a KPI, in KPI units per unit of
/// the parameter's range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MorrisRow {
    pub parameter: String,
    pub kpi: String,
    /// Mean elementary effect.
    #[serde(with = "csv_num")]
    pub mu: f64,
    /// Mean absolute elementary effect.
    #[serde(with = "csv_num")]
    pub mu_star: f64,
    /// Standard deviation of the elementary effects.
    #[serde(with = "csv_num")]
    pub sigma: f64,
    /// Number of elementary effects.
    pub n: usize,
}

/// One row of `sobol.csv` (Sobol designs): the first-order and total-effect index of a parameter
/// on a KPI, each with a 95 % percentile bootstrap interval over the base samples.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SobolRow {
    pub parameter: String,
    pub kpi: String,
    /// S_i: the share of the KPI's variance due to the parameter alone (Saltelli et al. 2010).
    #[serde(with = "csv_num")]
    pub first_order: f64,
    #[serde(with = "csv_num")]
    pub first_order_low: f64,
    #[serde(with = "csv_num")]
    pub first_order_high: f64,
    /// S_Ti: the share due to the parameter with all its interactions (Jansen 1999).
    #[serde(with = "csv_num")]
    pub total: f64,
    #[serde(with = "csv_num")]
    pub total_low: f64,
    #[serde(with = "csv_num")]
    pub total_high: f64,
    /// Base samples used (those with every point's KPI finite).
    pub samples: usize,
}

// ---------------------------------------------------------------- calibration folder

/// `calibration.json`: the resolved targets file, how the sampler ended and the fitted
/// parameters. Its presence marks a finished calibration folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationJson {
    /// The targets file with defaults filled in (target names, sampler settings).
    pub spec: CalibrationSpec,
    /// The sampler, in words.
    pub method: String,
    pub generations: usize,
    /// Simulations run (parameter sets times replications).
    pub runs: u64,
    /// Why the sampler stopped.
    pub stopped: String,
    /// The posterior of each parameter, in the order of `spec.parameters`.
    pub posterior: Vec<ParameterFit>,
    /// The evaluated parameter set closest to the targets.
    pub best: BestJson,
    /// What `calibrated.toml` sets each parameter to ("posterior median").
    pub calibrated_value: String,
}

/// A parameter's posterior: weighted over the final population (`posterior.csv`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParameterFit {
    pub parameter: String,
    /// The prior in words ("uniform 200 … 900").
    pub prior: String,
    #[serde(deserialize_with = "nan::one")]
    pub mean: f64,
    #[serde(deserialize_with = "nan::one")]
    pub sd: f64,
    #[serde(deserialize_with = "nan::one")]
    pub median: f64,
    /// The 2.5 % and 97.5 % points: a 95 % credible interval.
    #[serde(deserialize_with = "nan::one")]
    pub low: f64,
    #[serde(deserialize_with = "nan::one")]
    pub high: f64,
}

/// The closest parameter set: where it is in `calibration.csv` and its values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BestJson {
    pub generation: u32,
    pub particle: u32,
    #[serde(deserialize_with = "nan::one")]
    pub distance: f64,
    #[serde(deserialize_with = "nan::seq")]
    pub values: Vec<f64>,
}

/// One row of `generations.csv`: what one generation of the sampler did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationRow {
    pub generation: u32,
    /// Parameter sets evaluated in the generation.
    pub evaluated: usize,
    /// Simulations so far.
    pub runs: u64,
    /// The tolerance after the generation: the largest distance among the kept particles.
    #[serde(with = "csv_num")]
    pub epsilon: f64,
    /// Share of the generation's new particles closer than the previous tolerance.
    #[serde(with = "csv_num")]
    pub acceptance: f64,
    /// Effective sample size of the kept particles' weights.
    #[serde(with = "csv_num")]
    pub ess: f64,
    #[serde(with = "csv_num")]
    pub distance_min: f64,
    #[serde(with = "csv_num")]
    pub distance_median: f64,
}

/// One row of `fit.csv`: a target, observed and under the posterior.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FitRow {
    pub target: String,
    pub kpi: String,
    /// The denominator KPI of a ratio (empty otherwise).
    pub over: String,
    /// "2024" or "2023-2025" (a mean over years).
    pub years: String,
    #[serde(with = "csv_num")]
    pub observed: f64,
    #[serde(with = "csv_num")]
    pub observed_sd: f64,
    /// Weighted mean and sd of the simulated statistic over the posterior sample.
    #[serde(with = "csv_num")]
    pub model_mean: f64,
    #[serde(with = "csv_num")]
    pub model_sd: f64,
    /// (model mean - observed) / observed sd.
    #[serde(with = "csv_num")]
    pub z: f64,
    /// "in" (fitted) or "out" (hold-out).
    pub sample: String,
    #[serde(with = "csv_num")]
    pub weight: f64,
    pub source: String,
}

/// One row of `posterior.csv`: a particle of the final population and its normalised weight.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PosteriorSample {
    pub generation: u32,
    pub particle: u32,
    pub weight: f64,
    pub distance: f64,
    /// Parameter values, in the order of the header's parameter columns.
    pub values: Vec<f64>,
}

/// The fixed columns of `posterior.csv`, before one column per parameter path.
pub const POSTERIOR_COLUMNS: [&str; 4] = ["generation", "particle", "weight", "distance"];

/// `posterior.csv`: the header (fixed columns, then `parameters`) and one row per sample, every
/// number exactly as computed (a value read back is the value that was run).
pub fn posterior_csv(parameters: &[String], samples: &[PosteriorSample]) -> Vec<u8> {
    let header = POSTERIOR_COLUMNS.iter().map(|c| c.to_string()).chain(parameters.iter().cloned()).collect::<Vec<_>>();
    let rows = samples.iter().map(|s| {
        let mut r = vec![s.generation.to_string(), s.particle.to_string(), fmt_exact(s.weight), fmt_exact(s.distance)];
        r.extend(s.values.iter().map(|v| fmt_exact(*v)));
        r
    });
    csv_bytes(std::iter::once(header).chain(rows))
}

/// Reads `posterior.csv`: the parameter paths and the samples.
pub fn read_posterior(text: &str) -> Result<(Vec<String>, Vec<PosteriorSample>), String> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    if header.len() <= POSTERIOR_COLUMNS.len() || header.iter().zip(POSTERIOR_COLUMNS).any(|(a, b)| a != b) {
        return Err(format!("the header must start with {} and name the parameters", POSTERIOR_COLUMNS.join(",")));
    }
    let parameters = header.iter().skip(POSTERIOR_COLUMNS.len()).map(str::to_string).collect();
    let mut samples = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| e.to_string())?;
        let line = r.position().map_or(0, |p| p.line());
        let num = |i: usize| csv_num::parse(&r[i]).ok_or_else(|| format!("line {line}: `{}` is not a number", &r[i]));
        let int = |i: usize| r[i].parse::<u32>().map_err(|_| format!("line {line}: `{}` is not a count", &r[i]));
        samples.push(PosteriorSample {
            generation: int(0)?,
            particle: int(1)?,
            weight: num(2)?,
            distance: num(3)?,
            values: (POSTERIOR_COLUMNS.len()..r.len()).map(num).collect::<Result<_, _>>()?,
        });
    }
    Ok((parameters, samples))
}

/// One row of `effects_posterior.csv` (`compare --posterior`): a variant's final-year effect on
/// one KPI with its seed-only interval at the posterior median and its interval over parameter
/// sets drawn from the posterior.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PosteriorEffectRow {
    pub variant: String,
    pub kpi: String,
    /// Mean paired difference at the posterior median and its 95 % t interval (seeds only).
    #[serde(with = "csv_num")]
    pub seed_diff_mean: f64,
    #[serde(with = "csv_num")]
    pub seed_ci_low: f64,
    #[serde(with = "csv_num")]
    pub seed_ci_high: f64,
    /// Mean paired difference over the posterior draws, and the 2.5 % and 97.5 % points of the
    /// paired differences (parameters and seeds).
    #[serde(with = "csv_num")]
    pub diff_mean: f64,
    #[serde(with = "csv_num")]
    pub combined_low: f64,
    #[serde(with = "csv_num")]
    pub combined_high: f64,
    /// The combined interval excludes 0.
    pub robust: bool,
    /// Replications with a parameter draw.
    pub draws: u32,
}

/// A number written so that it reads back as the same `f64`: integers without a fraction,
/// others in Rust's shortest round-trip form, infinities as `inf`/`-inf`, NaN as an empty field.
pub fn fmt_exact(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

// ---------------------------------------------------------------- writing

/// A JSON file's bytes: pretty-printed, keys sorted, a final newline, non-finite numbers `null`.
pub fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // The types of this module have string keys and no fallible Serialize impls.
    let value = serde_json::to_value(value).expect("output types serialize to JSON");
    let mut bytes = serde_json::to_vec_pretty(&value).expect("a JSON value serializes");
    bytes.push(b'\n');
    bytes
}

/// A CSV writer into memory: `\n` line ends, fields quoted only where they need it.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new())
}

fn into_bytes(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("flushing into memory cannot fail")
}

/// A CSV file's bytes from its records (the header, if any, is the first).
pub fn csv_bytes<R, F>(records: impl IntoIterator<Item = R>) -> Vec<u8>
where
    R: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut w = writer();
    for r in records {
        w.write_record(r).expect("a CSV record writes into memory");
    }
    into_bytes(w)
}

/// A CSV line (with its newline) of one record.
pub fn csv_line<F: AsRef<[u8]>>(record: impl IntoIterator<Item = F>) -> String {
    String::from_utf8_lossy(&csv_bytes([record])).into_owned()
}

/// A CSV file's bytes from typed rows, with a header of the field names (also without rows).
pub fn csv_rows<T: Serialize + Default>(rows: &[T]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    if rows.is_empty() {
        w.serialize(T::default()).expect("output rows serialize to CSV");
        let bytes = into_bytes(w);
        let header_end = bytes.iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| i + 1);
        return bytes[..header_end].to_vec();
    }
    for r in rows {
        w.serialize(r).expect("output rows serialize to CSV");
    }
    into_bytes(w)
}

// ---------------------------------------------------------------- not a number

/// CSV numbers: written by [`fmt_num`] (NaN as an empty field), read back with empty as NaN.
pub mod csv_num {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::fmt_num(*v))
    }

    /// The csv reader takes an empty field as `None` and reports a bad number with its column.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }

    /// A CSV field as a number: empty is NaN.
    pub fn parse(field: &str) -> Option<f64> {
        match field.trim() {
            "" => Some(f64::NAN),
            f => f.parse().ok(),
        }
    }
}

/// JSON numbers that may be `null` (serde_json writes a non-finite float so): read as NaN.
mod nan {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer};

    fn or_nan(v: Option<f64>) -> f64 {
        v.unwrap_or(f64::NAN)
    }

    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Option::<f64>::deserialize(d).map(or_nan)
    }

    pub fn seq<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<Option<f64>>::deserialize(d)?.into_iter().map(or_nan).collect())
    }

    pub fn map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
        let m = BTreeMap::<String, Option<f64>>::deserialize(d)?;
        Ok(m.into_iter().map(|(k, v)| (k, or_nan(v))).collect())
    }

    pub fn map_of_seqs<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Vec<f64>>, D::Error> {
        let m = BTreeMap::<String, Vec<Option<f64>>>::deserialize(d)?;
        Ok(m.into_iter().map(|(k, v)| (k, v.into_iter().map(or_nan).collect())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        let rows = [CompareRow {
            scenario: "rd, \"bold\"".into(),
            replication: 0,
            year: 2022,
            kpi: "patents".into(),
            value: 1.5,
        }];
        let text = String::from_utf8(csv_rows(&rows)).unwrap();
        assert_eq!(text, "scenario,replication,year,kpi,value\n\"rd, \"\"bold\"\"\",0,2022,patents,1.5\n");
        let back: Vec<CompareRow> =
            csv::Reader::from_reader(text.as_bytes()).deserialize().collect::<Result<_, _>>().unwrap();
        assert_eq!(back, rows);
    }

    #[test]
    fn exact_numbers_and_the_posterior_read_back_unchanged() {
        for v in [0.1 + 0.2, 1e-7, -3.0, 123456.789, 1e300, f64::INFINITY, f64::MIN_POSITIVE, 2f64.sqrt()] {
            assert_eq!(csv_num::parse(&fmt_exact(v)), Some(v), "{v}");
        }
        let params = vec!["a.b".to_string(), "c".to_string()];
        let samples =
            vec![PosteriorSample { generation: 3, particle: 7, weight: 0.3, distance: 1.25, values: vec![1e-7, 2.0] }];
        let text = String::from_utf8(posterior_csv(&params, &samples)).unwrap();
        assert_eq!(text, "generation,particle,weight,distance,a.b,c\n3,7,0.3,1.25,1e-7,2\n");
        assert_eq!(read_posterior(&text).unwrap(), (params, samples));
        assert!(read_posterior("generation,particle,weight\n").is_err());
    }

    #[test]
    fn a_header_is_written_without_rows() {
        let text = String::from_utf8(csv_rows::<TornadoRow>(&[])).unwrap();
        assert_eq!(text, "parameter,kpi,low,high,kpi_low,kpi_high,kpi_base\n");
    }

    #[test]
    fn not_a_number_is_null_in_json_and_empty_in_csv_and_reads_back_as_nan() {
        let row = EffectRow { variant: "v".into(), kpi: "k".into(), cost_per_unit: f64::NAN, ..Default::default() };
        let text = String::from_utf8(csv_rows(&[row])).unwrap();
        assert!(text.ends_with("\nv,k,0,0,0,0,0,0,,0,0,0,0,0,0,0,,0,\n"), "{text}");
        let back: EffectRow = csv::Reader::from_reader(text.as_bytes()).deserialize().next().unwrap().unwrap();
        assert!(back.cost_per_unit.is_nan() && back.base_mean == 0.0);

        let yearly = YearlyJson {
            years: vec![2022, 2023],
            kpis: [("rd_intensity".to_string(), vec![f64::NAN, 0.5])].into_iter().collect(),
        };
        let json = String::from_utf8(json_bytes(&yearly)).unwrap();
        assert!(json.contains("null") && !json.contains("NaN"), "{json}");
        let back: YearlyJson = serde_json::from_str(&json).unwrap();
        assert!(back.kpis["rd_intensity"][0].is_nan() && back.kpis["rd_intensity"][1] == 0.5);
    }

    #[test]
    fn a_missing_key_is_an_error_naming_it() {
        let e = serde_json::from_str::<Shard>("{\"index\": 1}").unwrap_err().to_string();
        assert!(e.contains("missing field `count`"), "{e}");
        let e = csv::Reader::from_reader("parameter,kpi,low\nx,y,1\n".as_bytes())
            .deserialize::<TornadoRow>()
            .next()
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing field `high`"), "{e}");
    }
}
