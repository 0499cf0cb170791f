//! Paired effects of a variant against the base under common random numbers: in the final year,
//! and added up over the run with the public cost it took (cost-effectiveness).
//!
//! Over the run, flows are summed, stocks are summed as unit-years (December values, e.g.
//! person-years) and rates and prices are averaged ([`Cumulation`]). Present values discount the
//! value of year `start + t` by (1 + r)^t, with r the base scenario's `output.discount_rate`, for
//! costs and effects alike (the usual practice of cost-effectiveness analysis). A cost per unit of
//! effect is given only where the run's effect is significant (its 95% paired interval excludes
//! zero) and goes the way the lever intends ([`crate::metrics::registry::intended`]), and the
//! variant costs more than the base; otherwise [`CostNote`] says why not.

use super::stats::{summarize, Summary};
use crate::metrics::registry::{describe, intended, Cumulation};
use crate::output::{CostNote, CostRow, EffectRow};
use crate::policy::Lever;

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
    /// A KPI's yearly values.
    pub fn series(&self, kpi: &str) -> Option<Vec<f64>> {
        let c = self.column(kpi)?;
        Some(self.yearly.iter().map(|r| r[c]).collect())
    }
    /// A KPI summed over every year of the run (for `public_cost`: the cumulative cost).
    pub fn total(&self, kpi: &str) -> Option<f64> {
        Some(self.series(kpi)?.iter().sum())
    }
    /// A KPI over the run on `basis`, each year weighted by `weights` (1, or discount factors).
    fn over_run(&self, kpi: &str, basis: Cumulation, weights: &[f64]) -> Option<f64> {
        Some(basis.of_years(&self.series(kpi)?, weights))
    }
}

/// The KPI that holds public spending (yuan per year in the yearly table).
pub const COST_KPI: &str = "public_cost";

/// Discount factors 1 / (1 + rate)^t for the `n` years of a run.
pub fn discount_factors(n: usize, rate: f64) -> Vec<f64> {
    (0..n).map(|t| (1.0 + rate).powi(-(t as i32))).collect()
}

/// The paired differences `variant[i] - base[i]` of a per-run quantity, and the base values.
fn paired(base: &[RepRun], variant: &[RepRun], f: impl Fn(&RepRun) -> Option<f64>) -> Option<(Vec<f64>, Vec<f64>)> {
    let n = base.len().min(variant.len());
    let pairs: Option<Vec<(f64, f64)>> = (0..n).map(|i| Some((f(&base[i])?, f(&variant[i])?))).collect();
    let pairs = pairs.filter(|p| !p.is_empty())?;
    Some((pairs.iter().map(|p| p.0).collect(), pairs.iter().map(|p| p.1 - p.0).collect()))
}

fn mean(xs: &[f64]) -> f64 {
    summarize(xs).mean
}

/// Why `kpi` gets no cost per unit, given the run's effect and the extra cost (None: it gets one).
pub fn cost_note(kpi: &str, basis: Cumulation, effect: &Summary, extra_cost: f64) -> Option<CostNote> {
    if kpi == COST_KPI || kpi.starts_with("cost_") {
        return Some(CostNote::IsCost);
    }
    if basis == Cumulation::Mean {
        return Some(CostNote::NotAdditive);
    }
    let Some(sense) = intended(kpi) else {
        return Some(CostNote::NoDirection);
    };
    let excludes_zero = effect.ci_low > 0.0 || effect.ci_high < 0.0;
    if !excludes_zero {
        // Also when there is one replication: the interval is NaN and excludes nothing.
        return Some(CostNote::NotSignificant);
    }
    if effect.mean * sense.sign() <= 0.0 {
        return Some(CostNote::OppositeSign);
    }
    if extra_cost.is_nan() || extra_cost <= 0.0 {
        return Some(CostNote::NoExtraCost);
    }
    None
}

/// Effects (the rows of `effects.csv`) of `variant` against `base` for every KPI of `kpis` that
/// both have. `base[i]` and `variant[i]` must be replication `i` with the same seed.
pub fn effects(
    variant_name: &str,
    kpis: &[String],
    base: &[RepRun],
    variant: &[RepRun],
    discount_rate: f64,
) -> Vec<EffectRow> {
    let years = base.first().map_or(0, |r| r.years.len());
    let ones = vec![1.0; years];
    let pv = discount_factors(years, discount_rate);
    let cost = |w: &[f64]| {
        paired(base, variant, |r| r.over_run(COST_KPI, Cumulation::Sum, w)).map_or(f64::NAN, |(_, d)| mean(&d))
    };
    let (public_cost_diff, public_cost_diff_pv) = (cost(&ones), cost(&pv));
    let mut out = Vec::new();
    for kpi in kpis {
        let Some((b, d)) = paired(base, variant, |r| r.final_year(kpi)) else { continue };
        let basis = describe(kpi).map_or(Cumulation::Mean, |k| Cumulation::of(k.aggregate()));
        let Some((run_b, run_d)) = paired(base, variant, |r| r.over_run(kpi, basis, &ones)) else { continue };
        let run_d_pv = match basis {
            Cumulation::Mean => f64::NAN,
            _ => paired(base, variant, |r| r.over_run(kpi, basis, &pv)).map_or(f64::NAN, |(_, d)| mean(&d)),
        };
        let base_mean = mean(&b);
        let diff = summarize(&d);
        let run = summarize(&run_d);
        let note = cost_note(kpi, basis, &run, public_cost_diff);
        let (cost_per_unit, cost_per_unit_pv) = match note {
            None => (public_cost_diff / run.mean, public_cost_diff_pv / run_d_pv),
            Some(_) => (f64::NAN, f64::NAN),
        };
        out.push(EffectRow {
            variant: variant_name.to_string(),
            kpi: kpi.clone(),
            base_mean,
            variant_mean: base_mean + diff.mean,
            diff_mean: diff.mean,
            diff_ci_low: diff.ci_low,
            diff_ci_high: diff.ci_high,
            rel_change: if base_mean != 0.0 { diff.mean / base_mean } else { f64::NAN },
            basis: basis.name().to_string(),
            run_base_mean: mean(&run_b),
            run_diff_mean: run.mean,
            run_diff_ci_low: run.ci_low,
            run_diff_ci_high: run.ci_high,
            run_diff_pv: run_d_pv,
            public_cost_diff,
            public_cost_diff_pv,
            cost_per_unit,
            cost_per_unit_pv,
            cost_note: note.map_or(String::new(), |n| n.code().to_string()),
        });
    }
    out
}

/// The public cost of every lever that costs something in either scenario, then `total`, summed
/// over the run (the rows of `costs.csv`).
pub fn costs(variant_name: &str, base: &[RepRun], variant: &[RepRun], discount_rate: f64) -> Vec<CostRow> {
    let years = base.first().map_or(0, |r| r.years.len());
    let ones = vec![1.0; years];
    let pv = discount_factors(years, discount_rate);
    let columns = Lever::ALL.iter().map(|l| (l.name().to_string(), format!("cost_{}", l.name())));
    let mut out = Vec::new();
    for (lever, column) in columns.chain(std::iter::once(("total".to_string(), COST_KPI.to_string()))) {
        let total = |runs: &[RepRun]| mean(&runs.iter().filter_map(|r| r.total(&column)).collect::<Vec<_>>());
        let (b, v) = (total(base), total(variant));
        if lever != "total" && !(b != 0.0 || v != 0.0) {
            continue;
        }
        let Some((_, d)) = paired(base, variant, |r| r.over_run(&column, Cumulation::Sum, &ones)) else { continue };
        let diff = summarize(&d);
        let diff_pv =
            paired(base, variant, |r| r.over_run(&column, Cumulation::Sum, &pv)).map_or(f64::NAN, |p| mean(&p.1));
        out.push(CostRow {
            variant: variant_name.to_string(),
            lever,
            base_total: b,
            variant_total: v,
            diff_mean: diff.mean,
            diff_ci_low: diff.ci_low,
            diff_ci_high: diff.ci_high,
            diff_pv,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-year run: patents (a flow), talent (a stock), mean rent (a price), public cost.
    fn rep(patents: [f64; 2], talent: [f64; 2], rent: [f64; 2], cost: [f64; 2]) -> RepRun {
        RepRun {
            columns: vec!["patents".into(), "talent".into(), "mean_rent".into(), "public_cost".into()],
            years: vec![2022, 2023],
            yearly: (0..2).map(|y| vec![patents[y], talent[y], rent[y], cost[y]]).collect(),
        }
    }

    fn kpis() -> Vec<String> {
        ["patents", "talent", "mean_rent", "public_cost"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn identical_runs_have_zero_effect_and_no_cost_per_unit() {
        let b =
            vec![rep([1.0, 10.0], [5.0; 2], [3.0; 2], [1.0, 2.0]), rep([1.0, 12.0], [5.0; 2], [3.0; 2], [1.0, 2.0])];
        let e = effects("same", &kpis(), &b, &b.clone(), 0.08);
        assert_eq!(e[0].diff_mean, 0.0);
        assert_eq!(e[0].diff_ci_low, e[0].diff_ci_high);
        assert!(e[0].cost_per_unit.is_nan());
        assert_eq!(e[0].cost_note, "not_significant");
    }

    #[test]
    fn cost_per_unit_divides_the_run_s_cost_by_the_run_s_effect() {
        // Patents: +2 and +3 (then +2 and +5) extra in the two years of two replications, so the
        // run's effects are 4 and 8 (mean 6); the cost is 100 a year more in every replication.
        let b = vec![
            rep([10.0, 10.0], [100.0, 100.0], [3.0; 2], [0.0; 2]),
            rep([12.0, 12.0], [100.0, 100.0], [3.0; 2], [0.0; 2]),
        ];
        let v = vec![
            rep([12.0, 12.0], [101.0, 103.0], [3.5; 2], [100.0; 2]),
            rep([15.0, 17.0], [102.0, 104.0], [3.5; 2], [100.0; 2]),
        ];
        let e = effects("v", &kpis(), &b, &v, 0.1);
        let patents = &e[0];
        assert_eq!((patents.basis.as_str(), patents.run_diff_mean), ("sum", 6.0));
        assert_eq!(patents.diff_mean, 3.5, "the final year alone");
        assert_eq!(patents.public_cost_diff, 200.0);
        // 95% t interval with 1 degree of freedom: 6 ± 12.7062 · sd / √2, sd = √8: includes zero.
        let half = 12.7062 * 8f64.sqrt() / 2f64.sqrt();
        assert!((patents.run_diff_ci_low - (6.0 - half)).abs() < 1e-9);
        assert_eq!(patents.cost_note, "not_significant");
        assert!(patents.cost_per_unit.is_nan());
        // Talent: +4 and +6 person-years, interval 5 ± 12.7062 · √2 / √2: not significant either.
        let talent = &e[1];
        assert_eq!((talent.basis.as_str(), talent.run_diff_mean), ("stock_years", 5.0));
        assert!(talent.run_diff_ci_low < 0.0, "two replications give a wide interval");
        // With a tighter spread the same mean is significant and gets a price.
        let v2 = vec![v[0].clone(), rep([15.0, 17.0], [101.0, 103.5], [3.5; 2], [100.0; 2])];
        let talent = &effects("v", &kpis(), &b, &v2, 0.1)[1];
        assert!(talent.run_diff_ci_low > 0.0, "{talent:?}");
        assert_eq!(talent.cost_note, "");
        assert!((talent.cost_per_unit - 200.0 / talent.run_diff_mean).abs() < 1e-12);
        // Present values: cost 100 + 100/1.1; effect (1 + 3/1.1 + 1 + 3.5/1.1) / 2.
        let pv_cost = 100.0 + 100.0 / 1.1;
        let pv_effect = (1.0 + 3.0 / 1.1 + 1.0 + 3.5 / 1.1) / 2.0;
        assert!((talent.public_cost_diff_pv - pv_cost).abs() < 1e-9);
        assert!((talent.cost_per_unit_pv - pv_cost / pv_effect).abs() < 1e-9);
        // A price has no cost per unit; nor has the cost itself.
        let e = effects("v", &kpis(), &b, &v2, 0.1);
        assert_eq!((e[2].basis.as_str(), e[2].cost_note.as_str()), ("mean", "not_additive"));
        assert_eq!(e[3].cost_note, "is_cost");
    }

    #[test]
    fn an_effect_against_the_intent_or_without_extra_cost_has_no_price() {
        let significant = Summary { n: 5, mean: -3.0, sd: 1.0, ci_low: -4.0, ci_high: -2.0 };
        assert_eq!(cost_note("patents", Cumulation::Sum, &significant, 10.0), Some(CostNote::OppositeSign));
        assert_eq!(cost_note("children_unseated", Cumulation::StockYears, &significant, 10.0), None);
        assert_eq!(
            cost_note("children_unseated", Cumulation::StockYears, &significant, -10.0),
            Some(CostNote::NoExtraCost)
        );
        assert_eq!(cost_note("vacancies", Cumulation::StockYears, &significant, 10.0), Some(CostNote::NoDirection));
    }

    #[test]
    fn costs_by_lever_list_the_levers_that_cost_something() {
        let mut b = rep([1.0; 2], [1.0; 2], [1.0; 2], [10.0, 10.0]);
        b.columns.push("cost_rd_subsidy".into());
        b.columns.push("cost_transit".into());
        for row in &mut b.yearly {
            row.extend([10.0, 0.0]);
        }
        let mut v = b.clone();
        for row in &mut v.yearly {
            row[3] = 30.0;
            row[4] = 30.0;
        }
        let rows = costs("v", &[b.clone(), b], &[v.clone(), v], 0.0);
        let names: Vec<&str> = rows.iter().map(|r| r.lever.as_str()).collect();
        assert_eq!(names, ["rd_subsidy", "total"]);
        assert_eq!((rows[0].base_total, rows[0].variant_total, rows[0].diff_mean), (20.0, 60.0, 40.0));
        assert_eq!(rows[1].diff_pv, 40.0);
    }
}
