//! Parameter uncertainty in what-ifs (`corridor compare --posterior DIR`): one parameter set per
//! replication drawn by weight from a calibration's posterior sample, the same draw for the base
//! and every variant (common random numbers extended to parameters), and each effect's interval
//! over those draws beside the seed-only interval at the posterior median (docs/CALIBRATION.md).

use super::calibrate::fit::weighted_quantile;
use super::effects::RepRun;
use super::stats::summarize;
use crate::output::{fmt_exact, PosteriorEffectRow, PosteriorSample};
use crate::rng::{Purpose, Stream};

/// A calibration's posterior sample, checked: parameter paths and weighted parameter sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    pub parameters: Vec<String>,
    pub samples: Vec<PosteriorSample>,
    /// Cumulative weights, summed in the file's order (a draw never depends on scheduling).
    cumulative: Vec<f64>,
}

/// Why a posterior sample cannot be drawn from: a message naming the row or column.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PosteriorError(pub String);

impl Posterior {
    /// Checks that every row has a value per parameter and a finite weight >= 0, and that the
    /// weights do not all vanish. Rows are numbered as lines of `posterior.csv` (header = 1).
    pub fn new(parameters: Vec<String>, samples: Vec<PosteriorSample>) -> Result<Posterior, PosteriorError> {
        if samples.is_empty() {
            return Err(PosteriorError("holds no parameter sets".into()));
        }
        let mut cumulative = Vec::with_capacity(samples.len());
        let mut total = 0.0;
        for (i, s) in samples.iter().enumerate() {
            let line = i + 2;
            if s.values.len() != parameters.len() {
                return Err(PosteriorError(format!(
                    "line {line}: {} values for {} parameters",
                    s.values.len(),
                    parameters.len()
                )));
            }
            if !(s.weight.is_finite() && s.weight >= 0.0) {
                return Err(PosteriorError(format!("line {line}: column `weight`: must be a number >= 0")));
            }
            if let Some(j) = s.values.iter().position(|v| !v.is_finite()) {
                return Err(PosteriorError(format!(
                    "line {line}: column `{}`: must be a finite number",
                    parameters[j]
                )));
            }
            total += s.weight;
            cumulative.push(total);
        }
        if total <= 0.0 {
            return Err(PosteriorError("column `weight`: the weights sum to 0".into()));
        }
        Ok(Posterior { parameters, samples, cumulative })
    }

    /// The parameter set of replication `r` (an index into `samples`): drawn by weight from the
    /// stream (compare seed, posterior draw, r), so it depends only on the seed and the file.
    pub fn draw(&self, seed: u64, r: u32) -> usize {
        let total = self.cumulative[self.cumulative.len() - 1];
        let u = Stream::new(seed, Purpose::PosteriorDraw, r as u64, 0).uniform() * total;
        self.cumulative.iter().position(|&c| c > u).unwrap_or(self.samples.len() - 1)
    }

    /// Each parameter's weighted median (the values `calibrated.toml` sets).
    pub fn medians(&self) -> Vec<f64> {
        let w: Vec<f64> = self.samples.iter().map(|s| s.weight).collect();
        (0..self.parameters.len())
            .map(|j| {
                let v: Vec<f64> = self.samples.iter().map(|s| s.values[j]).collect();
                weighted_quantile(&v, &w, 0.5)
            })
            .collect()
    }

    /// The `--set` arguments of a parameter set (numbers exactly as in the file).
    pub fn sets(&self, values: &[f64]) -> Vec<String> {
        self.parameters.iter().zip(values).map(|(p, v)| format!("{p}={}", fmt_exact(*v))).collect()
    }
}

/// The 95 % interval of a sample: its 2.5 % and 97.5 % points (NaN below two values).
fn spread(xs: &[f64]) -> (f64, f64) {
    if xs.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let w = vec![1.0; xs.len()];
    (weighted_quantile(xs, &w, 0.025), weighted_quantile(xs, &w, 0.975))
}

/// Final-year effects of `variant` against `base` for every KPI both have, under parameter
/// uncertainty: `seed_*` are replications at the posterior median (replication i of both with
/// the same seed), `drawn_*` replications with a parameter set drawn from the posterior
/// (replication i of both with the same draw and seed). The seed interval is the 95 % t interval
/// of the mean paired difference at the median; the combined interval holds 95 % of the paired
/// differences over the draws (each carries a parameter set and a seed), which more replications
/// estimate better but do not narrow. An effect is robust when its combined interval excludes 0.
pub fn posterior_effects(
    variant: &str,
    kpis: &[String],
    seed_base: &[RepRun],
    seed_variant: &[RepRun],
    drawn_base: &[RepRun],
    drawn_variant: &[RepRun],
) -> Vec<PosteriorEffectRow> {
    let diffs = |b: &[RepRun], v: &[RepRun], kpi: &str| -> Option<Vec<f64>> {
        b.iter().zip(v).map(|(b, v)| Some(v.final_year(kpi)? - b.final_year(kpi)?)).collect()
    };
    let mut rows = Vec::new();
    for kpi in kpis {
        let (Some(seed), Some(drawn)) = (diffs(seed_base, seed_variant, kpi), diffs(drawn_base, drawn_variant, kpi))
        else {
            continue;
        };
        if seed.is_empty() || drawn.is_empty() {
            continue;
        }
        let s = summarize(&seed);
        let (low, high) = spread(&drawn);
        rows.push(PosteriorEffectRow {
            variant: variant.to_string(),
            kpi: kpi.clone(),
            seed_diff_mean: s.mean,
            seed_ci_low: s.ci_low,
            seed_ci_high: s.ci_high,
            diff_mean: summarize(&drawn).mean,
            combined_low: low,
            combined_high: high,
            robust: low > 0.0 || high < 0.0,
            draws: drawn.len() as u32,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(weight: f64, v: f64) -> PosteriorSample {
        PosteriorSample { generation: 1, particle: 0, weight, distance: 0.5, values: vec![v] }
    }

    fn rep(x: f64) -> RepRun {
        RepRun { columns: vec!["patents".into()], years: vec![2022], yearly: vec![vec![x]] }
    }

    #[test]
    fn draws_follow_the_weights_and_the_seed() {
        let p = Posterior::new(vec!["a.b".into()], vec![sample(0.1, 1.0), sample(0.0, 2.0), sample(0.9, 3.0)]).unwrap();
        let draws: Vec<usize> = (0..2000).map(|r| p.draw(7, r)).collect();
        assert!(!draws.contains(&1), "a zero weight is never drawn");
        let first = draws.iter().filter(|&&i| i == 0).count() as f64 / 2000.0;
        assert!((first - 0.1).abs() < 0.03, "share of the first set {first}");
        assert_eq!(draws, (0..2000).map(|r| p.draw(7, r)).collect::<Vec<_>>());
        assert_ne!(draws, (0..2000).map(|r| p.draw(8, r)).collect::<Vec<_>>());
        assert_eq!(p.medians(), vec![3.0]);
        assert_eq!(p.sets(&[0.25]), vec!["a.b=0.25"]);
    }

    #[test]
    fn bad_samples_are_named() {
        let e = Posterior::new(vec!["a".into()], vec![sample(0.5, 1.0), sample(f64::NAN, 1.0)]).unwrap_err();
        assert!(e.0.contains("line 3: column `weight`"), "{e}");
        assert!(Posterior::new(vec!["a".into()], vec![sample(0.0, 1.0)]).unwrap_err().0.contains("sum to 0"));
        assert!(Posterior::new(vec!["a".into()], vec![]).is_err());
    }

    #[test]
    fn an_effect_is_robust_only_when_every_draw_agrees_on_its_sign() {
        let base: Vec<RepRun> = (0..20).map(|_| rep(10.0)).collect();
        // At the median the effect is +1 in every replication: the seed interval is [1, 1].
        let at_median: Vec<RepRun> = (0..20).map(|_| rep(11.0)).collect();
        // Over the draws it is +1 for most parameter sets but negative for some.
        let mixed: Vec<RepRun> = (0..20).map(|i| rep(if i % 5 == 0 { 8.0 } else { 11.0 })).collect();
        let all_positive: Vec<RepRun> = (0..20).map(|i| rep(10.5 + i as f64 * 0.1)).collect();
        let k = ["patents".to_string()];
        let e = &posterior_effects("v", &k, &base, &at_median, &base, &mixed)[0];
        assert_eq!((e.seed_ci_low, e.seed_ci_high), (1.0, 1.0));
        assert!(e.combined_low < 0.0 && e.combined_high == 1.0 && !e.robust, "{e:?}");
        let e = &posterior_effects("v", &k, &base, &at_median, &base, &all_positive)[0];
        assert!(e.combined_low > 0.0 && e.robust && e.draws == 20, "{e:?}");
    }
}
