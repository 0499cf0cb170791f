//! Summaries of sweep runs: `points.csv`, the rows of `tornado.csv` and `morris.csv`, and
//! `sweep.json`, computed only from the rows of `runs.csv` (so a merged sweep equals a
//! single-machine one).

use std::collections::BTreeMap;

use super::design::{levels_of, Design, Role};
use super::runs::{RunRow, Shard};
use super::spec::DesignKind;
use super::spec::SweepSpec;
use super::stats::{summarize, Summary};
use crate::output::{csv_bytes, fmt_num, point_column, MorrisRow, SweepJson, TornadoRow, POINT_STATS};

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

/// The difference of KPI `k`'s final-year mean at `point` from its mean at `baseline`, with its
/// 95% t interval: paired by replication when the sweep uses common seeds (replication r of every
/// point shares a seed), else Welch's interval with the smaller sample's degrees of freedom
/// (conservative). A KPI index out of range gives NaN.
pub fn contrast(rows: &[RunRow], baseline: u64, point: u64, k: usize, paired: bool) -> Summary {
    let of = |p: u64| -> BTreeMap<u32, f64> {
        rows.iter()
            .filter(|r| r.point == p)
            .filter_map(|r| r.kpis.get(k).filter(|v| v.is_finite()).map(|v| (r.replication, *v)))
            .collect()
    };
    let (b, v) = (of(baseline), of(point));
    if paired {
        let d: Vec<f64> = v.iter().filter_map(|(r, x)| b.get(r).map(|y| x - y)).collect();
        return summarize(&d);
    }
    let (sb, sv) =
        (summarize(&b.values().copied().collect::<Vec<_>>()), summarize(&v.values().copied().collect::<Vec<_>>()));
    let se = (sb.sd * sb.sd / sb.n as f64 + sv.sd * sv.sd / sv.n as f64).sqrt();
    let half = super::stats::t975(sb.n.min(sv.n).saturating_sub(1)) * se;
    let mean = sv.mean - sb.mean;
    Summary { n: sb.n.min(sv.n), mean, sd: f64::NAN, ci_low: mean - half, ci_high: mean + half }
}

/// `points.csv`: `point,<parameters>,<kpi>_mean,<kpi>_sd,<kpi>_ci_low,<kpi>_ci_high...,n`.
pub fn points_csv(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> Vec<u8> {
    let mut header = vec!["point".to_string()];
    header.extend(spec.parameters.iter().map(|p| p.path.clone()));
    for k in &spec.kpis {
        header.extend(POINT_STATS.iter().map(|stat| point_column(k, stat)));
    }
    header.push("n".into());
    let counts = rows.iter().fold(BTreeMap::<u64, usize>::new(), |mut m, r| {
        *m.entry(r.point).or_default() += 1;
        m
    });
    let lines = point_summaries(spec, rows).into_iter().filter_map(|(point, sums)| {
        let pt = design.points.get(point as usize)?;
        let mut cells = vec![point.to_string()];
        cells.extend(pt.values.iter().map(|v| fmt_num(*v)));
        for s in &sums {
            cells.extend([s.mean, s.sd, s.ci_low, s.ci_high].iter().map(|v| fmt_num(*v)));
        }
        cells.push(counts.get(&point).copied().unwrap_or(0).to_string());
        Some(cells)
    });
    csv_bytes(std::iter::once(header).chain(lines))
}

/// The rows of `tornado.csv` (one-at-a-time designs): for each parameter and KPI, the KPI mean
/// at the parameter's lowest and highest value, the others at baseline.
pub fn tornado_rows(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> Vec<TornadoRow> {
    let sums = point_summaries(spec, rows);
    let mean = |point: usize, k: usize| sums.get(&(point as u64)).map(|s| s[k].mean).unwrap_or(f64::NAN);
    let mut out = Vec::new();
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
            out.push(TornadoRow {
                parameter: p.path.clone(),
                kpi: kpi.clone(),
                low: design.points[lo].values[j],
                high: design.points[hi].values[j],
                kpi_low: mean(lo, k),
                kpi_high: mean(hi, k),
                kpi_base: mean(base, k),
            });
        }
    }
    out
}

/// The rows of `morris.csv` (Morris designs): elementary effects per parameter and KPI, in KPI
/// units per unit of the parameter's range.
pub fn morris_rows(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> Vec<MorrisRow> {
    let sums = point_summaries(spec, rows);
    let mean = |point: usize, k: usize| sums.get(&(point as u64)).map(|s| s[k].mean).unwrap_or(f64::NAN);
    let mut out = Vec::new();
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
            out.push(MorrisRow {
                parameter: p.path.clone(),
                kpi: kpi.clone(),
                mu: s.mean,
                mu_star: summarize(&abs).mean,
                sigma: s.sd,
                n: ee.len(),
            });
        }
    }
    out
}

/// `sweep.json`: the resolved sweep with grid and one-at-a-time ranges as the values they expand
/// to (for charts), the number of points and runs, and the shard when the folder holds only one.
pub fn sweep_json(spec: &SweepSpec, design: &Design, shard: Option<Shard>) -> SweepJson {
    let mut spec = spec.clone();
    spec.design = design.kind;
    if matches!(design.kind, DesignKind::Grid | DesignKind::Oat) {
        for p in spec.parameters.iter_mut().filter(|p| p.values.is_none()) {
            p.values = Some(levels_of(p, 2));
        }
    }
    let points = design.points.len();
    SweepJson { runs: points as u64 * spec.replications as u64, points, spec, shard }
}
