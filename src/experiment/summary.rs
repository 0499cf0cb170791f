//! Summaries of sweep runs: `points.csv`, `tornado.csv`, `morris.csv` and `sweep.json` as text,
//! computed only from the rows of `runs.csv` (so a merged sweep equals a single-machine one).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::design::{levels_of, Design, Role};
use super::runs::RunRow;
use super::spec::DesignKind;
use super::spec::SweepSpec;
use super::stats::{summarize, Summary};
use crate::output::fmt_num;

/// Per point: the summary of every KPI over its replications.
pub fn point_summaries(spec: &SweepSpec, rows: &[RunRow]) -> BTreeMap<u64, Vec<Summary>> {
    let mut by_point: BTreeMap<u64, Vec<&RunRow>> = BTreeMap::new();
    for r in rows {
        by_point.entry(r.point).or_default().push(r);
    }
    by_point
        .into_iter()
        .map(|(p, rs)| {
            let sums = (0..spec.kpis.len())
                .map(|k| summarize(&rs.iter().map(|r| r.kpis[k]).filter(|v| v.is_finite()).collect::<Vec<_>>()))
                .collect();
            (p, sums)
        })
        .collect()
}

/// `points.csv`: `point,<parameters>,<kpi>_mean,<kpi>_sd,<kpi>_ci_low,<kpi>_ci_high...,n`.
pub fn points_csv(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> String {
    let mut out = String::from("point");
    for p in &spec.parameters {
        out.push(',');
        out.push_str(&p.path);
    }
    for k in &spec.kpis {
        out.push_str(&format!(",{k}_mean,{k}_sd,{k}_ci_low,{k}_ci_high"));
    }
    out.push_str(",n\n");
    let counts = rows.iter().fold(BTreeMap::<u64, usize>::new(), |mut m, r| {
        *m.entry(r.point).or_default() += 1;
        m
    });
    for (point, sums) in point_summaries(spec, rows) {
        let Some(pt) = design.points.get(point as usize) else {
            continue;
        };
        let mut cells = vec![point.to_string()];
        cells.extend(pt.values.iter().map(|v| fmt_num(*v)));
        for s in &sums {
            cells.extend([s.mean, s.sd, s.ci_low, s.ci_high].iter().map(|v| fmt_num(*v)));
        }
        cells.push(counts.get(&point).copied().unwrap_or(0).to_string());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// `tornado.csv` (one-at-a-time designs): for each parameter and KPI, the KPI mean at the
/// parameter's lowest and highest value, the others at baseline.
pub fn tornado_csv(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> String {
    let sums = point_summaries(spec, rows);
    let mean = |point: usize, k: usize| sums.get(&(point as u64)).map(|s| s[k].mean).unwrap_or(f64::NAN);
    let mut out = String::from("parameter,kpi,low,high,kpi_low,kpi_high,kpi_base\n");
    let Some(base) = design.points.iter().position(|p| p.role == Role::Baseline) else {
        return out;
    };
    for (j, p) in spec.parameters.iter().enumerate() {
        let moved: Vec<usize> = design
            .points
            .iter()
            .enumerate()
            .filter(|(_, pt)| pt.role == Role::Moved { param: j })
            .map(|(i, _)| i)
            .collect();
        let (Some(&lo), Some(&hi)) = (
            moved.iter().min_by(|a, b| design.points[**a].values[j].total_cmp(&design.points[**b].values[j])),
            moved.iter().max_by(|a, b| design.points[**a].values[j].total_cmp(&design.points[**b].values[j])),
        ) else {
            continue;
        };
        for (k, kpi) in spec.kpis.iter().enumerate() {
            let cells = [
                p.path.clone(),
                kpi.clone(),
                fmt_num(design.points[lo].values[j]),
                fmt_num(design.points[hi].values[j]),
                fmt_num(mean(lo, k)),
                fmt_num(mean(hi, k)),
                fmt_num(mean(base, k)),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// `morris.csv` (Morris designs): elementary effects per parameter and KPI, in KPI units per
/// unit of the parameter's range: `mu` (mean), `mu_star` (mean absolute), `sigma` (sd), `n`.
pub fn morris_csv(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> String {
    let sums = point_summaries(spec, rows);
    let mean = |point: usize, k: usize| sums.get(&(point as u64)).map(|s| s[k].mean).unwrap_or(f64::NAN);
    let mut out = String::from("parameter,kpi,mu,mu_star,sigma,n\n");
    for (j, p) in spec.parameters.iter().enumerate() {
        for (k, kpi) in spec.kpis.iter().enumerate() {
            let ee: Vec<f64> = design
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, pt)| match pt.role {
                    Role::Step { param, delta, .. } if param == j && i > 0 => {
                        Some((mean(i, k) - mean(i - 1, k)) / delta)
                    }
                    _ => None,
                })
                .filter(|v| v.is_finite())
                .collect();
            let s = summarize(&ee);
            let abs: Vec<f64> = ee.iter().map(|v| v.abs()).collect();
            let cells = [
                p.path.clone(),
                kpi.clone(),
                fmt_num(s.mean),
                fmt_num(summarize(&abs).mean),
                fmt_num(s.sd),
                ee.len().to_string(),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// `sweep.json`: the resolved sweep (every key of the sweep file, baselines filled in), the
/// number of points and runs, and the shard when the folder holds only one.
pub fn sweep_json(spec: &SweepSpec, design: &Design, shard: Option<(u64, u64)>) -> String {
    let mut v = serde_json::to_value(spec).unwrap_or_else(|_| json!({}));
    if let Value::Object(m) = &mut v {
        m.insert("design".into(), json!(design.kind.as_str()));
        // Grid and one-at-a-time ranges as the values they expand to (for charts).
        if matches!(design.kind, DesignKind::Grid | DesignKind::Oat) {
            if let Some(Value::Array(ps)) = m.get_mut("parameters") {
                for (p, jp) in spec.parameters.iter().zip(ps.iter_mut()) {
                    if let (None, Value::Object(o)) = (&p.values, jp) {
                        o.insert("values".into(), json!(levels_of(p, 2)));
                    }
                }
            }
        }
        m.insert("points".into(), json!(design.points.len()));
        m.insert("runs".into(), json!(design.points.len() as u64 * spec.replications as u64));
        if let Some((i, n)) = shard {
            m.insert("shard".into(), json!({"index": i, "count": n}));
        }
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads back the sweep of a `sweep.json` (for `corridor merge`) and its shard, if any.
pub fn spec_from_json(text: &str) -> Result<(SweepSpec, Option<(u64, u64)>), String> {
    let mut v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let m = v.as_object_mut().ok_or("not a JSON object")?;
    let shard = m.remove("shard").and_then(|s| Some((s.get("index")?.as_u64()?, s.get("count")?.as_u64()?)));
    m.remove("points");
    m.remove("runs");
    let spec = serde_json::from_value(v).map_err(|e| e.to_string())?;
    Ok((spec, shard))
}
