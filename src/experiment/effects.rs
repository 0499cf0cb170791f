//! Paired effects of a variant against the base under common random numbers.

use super::stats::summarize;
use crate::output::EffectRow;

/// What a comparison keeps of one run: yearly KPI values (one row per year, columns named).
#[derive(Clone, Debug)]
pub struct RepRun {
    pub columns: Vec<String>,
    pub years: Vec<i32>,
    pub yearly: Vec<Vec<f64>>,
}

impl RepRun {
    pub fn from_result(r: &crate::RunResult) -> RepRun {
        RepRun { columns: r.columns.clone(), years: r.years.clone(), yearly: r.yearly.clone() }
    }
    pub fn column(&self, kpi: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == kpi)
    }
    pub fn final_year(&self, kpi: &str) -> Option<f64> {
        let c = self.column(kpi)?;
        self.yearly.last().map(|r| r[c])
    }
    /// A KPI summed over every year of the run (for `public_cost`: the cumulative cost).
    pub fn total(&self, kpi: &str) -> Option<f64> {
        let c = self.column(kpi)?;
        Some(self.yearly.iter().map(|r| r[c]).sum())
    }
}

/// The KPI that holds public spending (yuan per year in the yearly table).
pub const COST_KPI: &str = "public_cost";

/// Final-year effects (the rows of `effects.csv`) of `variant` against `base` for every KPI of
/// `kpis` that both have. `base[i]` and `variant[i]` must be replication `i` with the same seed.
pub fn effects(variant_name: &str, kpis: &[String], base: &[RepRun], variant: &[RepRun]) -> Vec<EffectRow> {
    let n = base.len().min(variant.len());
    let cost_diffs: Vec<f64> =
        (0..n).filter_map(|i| Some(variant[i].total(COST_KPI)? - base[i].total(COST_KPI)?)).collect();
    let public_cost_diff =
        if cost_diffs.is_empty() { f64::NAN } else { cost_diffs.iter().sum::<f64>() / cost_diffs.len() as f64 };
    let mut out = Vec::new();
    for kpi in kpis {
        let pairs: Option<Vec<(f64, f64)>> =
            (0..n).map(|i| Some((base[i].final_year(kpi)?, variant[i].final_year(kpi)?))).collect();
        let Some(pairs) = pairs else { continue };
        if pairs.is_empty() {
            continue;
        }
        let b: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let v: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let d: Vec<f64> = pairs.iter().map(|p| p.1 - p.0).collect();
        let base_mean = summarize(&b).mean;
        let diff = summarize(&d);
        let rel_change = if base_mean != 0.0 { diff.mean / base_mean } else { f64::NAN };
        let cost_per_unit = if diff.mean != 0.0 && kpi != COST_KPI && !kpi.starts_with("cost_") {
            public_cost_diff / diff.mean
        } else {
            f64::NAN
        };
        out.push(EffectRow {
            variant: variant_name.to_string(),
            kpi: kpi.clone(),
            base_mean,
            variant_mean: summarize(&v).mean,
            diff_mean: diff.mean,
            diff_ci_low: diff.ci_low,
            diff_ci_high: diff.ci_high,
            rel_change,
            public_cost_diff,
            cost_per_unit,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(patents: f64, cost: [f64; 2]) -> RepRun {
        RepRun {
            columns: vec!["patents".into(), "public_cost".into()],
            years: vec![2022, 2023],
            yearly: vec![vec![1.0, cost[0]], vec![patents, cost[1]]],
        }
    }

    #[test]
    fn identical_runs_have_zero_effect_and_no_cost_per_unit() {
        let b = vec![rep(10.0, [1.0, 2.0]), rep(12.0, [1.0, 2.0])];
        let e = effects("same", &["patents".into()], &b, &b.clone());
        assert_eq!(e[0].diff_mean, 0.0);
        assert_eq!(e[0].diff_ci_low, e[0].diff_ci_high);
        assert!(e[0].cost_per_unit.is_nan());
    }

    #[test]
    fn cost_per_unit_divides_cumulative_cost_by_final_effect() {
        let b = vec![rep(10.0, [0.0, 0.0]), rep(12.0, [0.0, 0.0])];
        let v = vec![rep(12.0, [100.0, 100.0]), rep(14.0, [100.0, 100.0])];
        let e = effects("v", &["patents".into()], &b, &v);
        assert_eq!(e[0].diff_mean, 2.0);
        assert_eq!(e[0].public_cost_diff, 200.0);
        assert_eq!(e[0].cost_per_unit, 100.0);
    }
}
