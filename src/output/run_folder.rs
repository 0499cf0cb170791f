//! The files of a run folder (see docs/OUTPUTS.md); [`super::folder`] writes them.

use serde_json::{json, Map, Value};

use super::{csv_table, fmt_num};
use crate::metrics::LAYER_NAMES;
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

/// Headline KPIs shown in tables and reports.
pub const HEADLINE: [&str; 12] = [
    "talent",
    "employed",
    "firms",
    "patents",
    "rd_intensity",
    "output",
    "mean_rent",
    "rent_to_income",
    "mean_commute_min",
    "jobs_housing_balance",
    "children_unseated",
    "public_cost",
];

/// Every file of a run folder as (relative path, bytes), in a fixed order.
pub fn run_files(r: &RunResult, prov: &Provenance) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let s = &r.scenario;
    // timeseries.csv
    let mut header = vec!["month".to_string(), "year".to_string(), "month_of_year".to_string()];
    header.extend(r.columns.iter().cloned());
    let rows = r.monthly.iter().enumerate().map(|(m, row)| {
        let mut v = vec![m.to_string(), (s.start_year + m as i32 / 12).to_string(), (m % 12 + 1).to_string()];
        v.extend(row.iter().map(|&x| fmt_num(x)));
        v
    });
    files.push(("timeseries.csv".into(), csv_table(&header, rows).into_bytes()));
    // yearly.csv
    let mut header = vec!["year".to_string()];
    header.extend(r.columns.iter().cloned());
    let rows = r.years.iter().zip(&r.yearly).map(|(y, row)| {
        let mut v = vec![y.to_string()];
        v.extend(row.iter().map(|&x| fmt_num(x)));
        v
    });
    files.push(("yearly.csv".into(), csv_table(&header, rows).into_bytes()));
    // world.json
    files.push(("world.json".into(), pretty(&world_json(r))));
    // layers
    let w = r.world.width;
    let mut district = String::new();
    for y in 0..r.world.height {
        let line: Vec<String> = (0..w).map(|x| r.world.district[y * w + x].to_string()).collect();
        district.push_str(&line.join(","));
        district.push('\n');
    }
    files.push(("layers/district.csv".into(), district.into_bytes()));
    for snap in &r.layers {
        for (name, grid) in LAYER_NAMES.iter().zip(&snap.layers) {
            let mut text = String::new();
            for y in 0..r.world.height {
                let line: Vec<String> = (0..w).map(|x| fmt_num(grid[y * w + x] as f64)).collect();
                text.push_str(&line.join(","));
                text.push('\n');
            }
            files.push((format!("layers/{}_{}.csv", name, snap.year), text.into_bytes()));
        }
    }
    // summary.json (last, so that its presence marks a complete folder)
    files.push(("summary.json".into(), pretty(&summary_json(r, prov))));
    files
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

fn world_json(r: &RunResult) -> Value {
    let s = &r.scenario;
    let w = &r.world;
    json!({
        "width": w.width,
        "height": w.height,
        "cell_km": w.cell_km,
        "start_year": s.start_year,
        "districts": w.districts.iter().enumerate().map(|(i, d)| json!({"id": i, "name": d.name, "name_zh": d.name_zh})).collect::<Vec<_>>(),
        "hubs": w.hubs.iter().map(|h| json!({"name": h.name, "name_zh": h.name_zh, "x": h.x, "y": h.y, "radius_km": h.radius_km, "kind": h.kind})).collect::<Vec<_>>(),
        "transit_lines": w.travel.lines.iter().map(|l| json!({
            "name": l.name, "name_zh": l.name_zh,
            "stations": l.stations.iter().map(|p| json!([p[0], p[1]])).collect::<Vec<_>>(),
            "open_year": s.start_year + (l.open_month.div_euclid(12)) as i32,
            "new": l.is_new,
        })).collect::<Vec<_>>(),
        "labs": s.labs.sites.iter().chain(&s.labs.new).map(|l| json!({"name": l.name, "name_zh": l.name_zh, "x": l.x, "y": l.y, "kind": l.kind.as_str(), "open_year": l.open_year})).collect::<Vec<_>>(),
        "tiers": s.talent.tiers.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "sectors": s.sectors.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "levers": crate::policy::Lever::ALL.iter().map(|l| l.name()).collect::<Vec<_>>(),
        "tiers_zh": s.talent.tiers.iter().map(|t| t.name_zh.clone()).collect::<Vec<_>>(),
        "sectors_zh": s.sectors.iter().map(|t| t.name_zh.clone()).collect::<Vec<_>>(),
        "levers_zh": crate::policy::Lever::ALL.iter().map(|l| l.name_zh()).collect::<Vec<_>>(),
    })
}

fn summary_json(r: &RunResult, prov: &Provenance) -> Value {
    let s = &r.scenario;
    let mut final_year = Map::new();
    if let Some(last) = r.yearly.last() {
        for (c, v) in r.columns.iter().zip(last) {
            final_year.insert(c.clone(), json!(round(*v)));
        }
    }
    let mut yearly = Map::new();
    for (c, name) in r.columns.iter().enumerate() {
        yearly.insert(name.clone(), json!(r.yearly.iter().map(|row| round(row[c])).collect::<Vec<_>>()));
    }
    let resolved = crate::scenario::to_toml(s);
    json!({
        "scenario": s.name,
        "title": s.title,
        "title_zh": s.title_zh,
        "start_year": s.start_year,
        "years": s.years,
        "seed": r.seed,
        "overrides": prov.overrides,
        "agent_scale": s.agent_scale,
        "headline": HEADLINE,
        "final_year": final_year,
        "yearly": {"years": r.years, "kpis": yearly},
        "provenance": {
            "scenario_files": prov.scenario_files,
            "sets": prov.sets,
            "scenario_hash": crate::scenario::scenario_hash(s),
            "crate_version": env!("CARGO_PKG_VERSION"),
            "git_revision": prov.git_revision,
            "wall_seconds": (prov.wall_seconds * 1000.0).round() / 1000.0,
            "threads": prov.threads,
            "resolved_scenario": resolved,
        },
    })
}

fn round(v: f64) -> f64 {
    if v.is_finite() {
        (v * 1e6).round() / 1e6
    } else {
        0.0
    }
}
