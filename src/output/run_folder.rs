//! The files of a run folder (see docs/OUTPUTS.md); [`super::folder`] writes them.

use super::files::*;
use super::fmt_num;
use crate::experiment::replicate::median_result;
use crate::experiment::stats::{median_band, BAND};
use crate::metrics::registry::headline_names;
use crate::metrics::LAYER_NAMES;
use crate::policy::Lever;
use crate::RunResult;

/// Where a run came from, for `summary.json`.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    pub scenario_files: Vec<String>,
    pub sets: Vec<String>,
    /// The command-line arguments by which the run differs from its plain scenario
    /// (`--set ...`, `--years N`, `--seed N`); empty for a plain run.
    pub overrides: Vec<String>,
    pub git_revision: Option<String>,
    pub wall_seconds: f64,
    pub threads: usize,
}

/// Every file of a run folder as (relative path, bytes), in a fixed order.
pub fn run_files(r: &RunResult, prov: &Provenance) -> Vec<(String, Vec<u8>)> {
    run_files_with(r, prov, None)
}

/// The folder of `run --reps N`: the files of the median run ([`median_result`]), whose `summary.json` names the replications, then
/// `replications.csv` (every replication's yearly values, as `compare.csv` rows) and `bands.csv`
/// (each KPI's monthly median and 5th-95th percentile band over the replications).
pub fn replicated_files(results: &[RunResult], base_seed: u64, prov: &Provenance) -> Vec<(String, Vec<u8>)> {
    let median = median_result(results);
    let info =
        ReplicationsJson { base_seed, seeds: results.iter().map(|r| r.seed).collect(), median, band: [BAND.0, BAND.1] };
    let mut files = run_files_with(&results[median], prov, Some(info));
    let summary = files.pop().expect("a run folder ends with summary.json");
    let mut rows = Vec::new();
    for (i, r) in results.iter().enumerate() {
        for (&year, row) in r.years.iter().zip(&r.yearly) {
            for (kpi, &value) in r.columns.iter().zip(row) {
                let (scenario, kpi) = (r.scenario.name.clone(), kpi.clone());
                rows.push(CompareRow { scenario, replication: i as u32, year, kpi, value });
            }
        }
    }
    files.push(("replications.csv".into(), csv_rows(&rows)));
    let r0 = &results[median];
    let mut bands = Vec::with_capacity(r0.columns.len() * r0.monthly.len());
    for (c, kpi) in r0.columns.iter().enumerate() {
        for m in 0..r0.monthly.len() {
            let values: Vec<f64> = results.iter().filter_map(|r| r.monthly.get(m).map(|row| row[c])).collect();
            let (low, median, high) = median_band(&values);
            bands.push(BandRow { kpi: kpi.clone(), month: m as u32, low, median, high });
        }
    }
    files.push(("bands.csv".into(), csv_rows(&bands)));
    files.push(summary);
    files
}

fn run_files_with(r: &RunResult, prov: &Provenance, replications: Option<ReplicationsJson>) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let s = &r.scenario;
    let header_with = |first: &[&str]| -> Vec<String> {
        first.iter().map(|c| c.to_string()).chain(r.columns.iter().cloned()).collect()
    };
    let numbers = |row: &[f64]| row.iter().map(|&x| fmt_num(x)).collect::<Vec<_>>();
    // timeseries.csv
    let rows = r.monthly.iter().enumerate().map(|(m, row)| {
        let mut v = vec![m.to_string(), (s.start_year + m as i32 / 12).to_string(), (m % 12 + 1).to_string()];
        v.extend(numbers(row));
        v
    });
    let header = header_with(&["month", "year", "month_of_year"]);
    files.push(("timeseries.csv".into(), csv_bytes(std::iter::once(header).chain(rows))));
    // yearly.csv
    let rows = r.years.iter().zip(&r.yearly).map(|(y, row)| [vec![y.to_string()], numbers(row)].concat());
    let header = header_with(&["year"]);
    files.push(("yearly.csv".into(), csv_bytes(std::iter::once(header).chain(rows))));
    // world.json
    files.push(("world.json".into(), json_bytes(&world_json(r))));
    // layers
    let w = r.world.width;
    let grid = |cell: &dyn Fn(usize) -> String| {
        csv_bytes((0..r.world.height).map(|y| (0..w).map(|x| cell(y * w + x)).collect::<Vec<_>>()))
    };
    files.push(("layers/district.csv".into(), grid(&|i| r.world.district[i].to_string())));
    for snap in &r.layers {
        for (name, layer) in LAYER_NAMES.iter().zip(&snap.layers) {
            files.push((format!("layers/{}_{}.csv", name, snap.year), grid(&|i| fmt_num(layer[i] as f64))));
        }
    }
    // summary.json (last, so that its presence marks a complete folder)
    let mut summary = summary_json(r, prov);
    summary.replications = replications;
    files.push(("summary.json".into(), json_bytes(&summary)));
    files
}

fn world_json(r: &RunResult) -> WorldJson {
    let s = &r.scenario;
    let w = &r.world;
    WorldJson {
        width: w.width,
        height: w.height,
        cell_km: w.cell_km,
        start_year: s.start_year,
        districts: w
            .districts
            .iter()
            .enumerate()
            .map(|(id, d)| DistrictJson { id, name: d.name.clone(), name_zh: d.name_zh.clone() })
            .collect(),
        hubs: w
            .hubs
            .iter()
            .map(|h| HubJson {
                name: h.name.clone(),
                name_zh: h.name_zh.clone(),
                x: h.x,
                y: h.y,
                radius_km: h.radius_km,
                kind: h.kind.clone(),
            })
            .collect(),
        transit_lines: w
            .travel
            .lines
            .iter()
            .map(|l| TransitLineJson {
                name: l.name.clone(),
                name_zh: l.name_zh.clone(),
                stations: l.stations.clone(),
                open_year: s.start_year + l.open_month.div_euclid(12) as i32,
                new: l.is_new,
            })
            .collect(),
        labs: s
            .labs
            .sites
            .iter()
            .chain(&s.labs.new)
            .map(|l| LabJson {
                name: l.name.clone(),
                name_zh: l.name_zh.clone(),
                x: l.x,
                y: l.y,
                kind: l.kind,
                open_year: l.open_year,
            })
            .collect(),
        tiers: s.talent.tiers.iter().map(|t| t.name.clone()).collect(),
        sectors: s.sectors.iter().map(|t| t.name.clone()).collect(),
        levers: Lever::ALL.iter().map(|l| l.name().to_string()).collect(),
        tiers_zh: s.talent.tiers.iter().map(|t| t.name_zh.clone()).collect(),
        sectors_zh: s.sectors.iter().map(|t| t.name_zh.clone()).collect(),
        levers_zh: Lever::ALL.iter().map(|l| l.name_zh().to_string()).collect(),
    }
}

fn summary_json(r: &RunResult, prov: &Provenance) -> SummaryJson {
    let s = &r.scenario;
    let final_year = match r.yearly.last() {
        Some(last) => r.columns.iter().cloned().zip(last.iter().map(|&v| round(v))).collect(),
        None => Default::default(),
    };
    let kpis = r
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| (name.clone(), r.yearly.iter().map(|row| round(row[c])).collect()))
        .collect();
    SummaryJson {
        scenario: s.name.clone(),
        title: s.title.clone(),
        title_zh: s.title_zh.clone(),
        start_year: s.start_year,
        years: s.years,
        seed: r.seed,
        overrides: prov.overrides.clone(),
        agent_scale: s.agent_scale,
        headline: headline_names().iter().map(|k| k.to_string()).collect(),
        final_year,
        yearly: YearlyJson { years: r.years.clone(), kpis },
        provenance: ProvenanceJson {
            scenario_files: prov.scenario_files.clone(),
            sets: prov.sets.clone(),
            scenario_hash: crate::scenario::scenario_hash(s),
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            git_revision: prov.git_revision.clone(),
            wall_seconds: (prov.wall_seconds * 1000.0).round() / 1000.0,
            threads: prov.threads,
            resolved_scenario: crate::scenario::to_toml(s),
        },
        replications: None,
    }
}

/// Six decimals, so that summary.json is compact; a non-finite value stays so (written `null`).
fn round(v: f64) -> f64 {
    if v.is_finite() {
        (v * 1e6).round() / 1e6
    } else {
        v
    }
}
