//! Variance-based (Sobol) sensitivity: Saltelli's sampling scheme on an Owen-scrambled Sobol
//! sequence, first-order indices by the Saltelli et al. (2010) estimator, total-effect indices by
//! Jansen's (1999) estimator, and percentile bootstrap intervals over the base samples.
//!
//! With k parameters and N base samples the design has N (k + 2) points: for each sample j the
//! rows j of the matrices A and B (the first and last k dimensions of a 2k-dimensional Sobol
//! sequence), then row j of A with column i taken from B, for each i (the matrix A_B^(i)). The
//! estimators use only the mean of each point over its replications, so replications reduce the
//! simulation noise in the indices as in every other design.
//!
//! Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola, S. (2010).
//! Variance based sensitivity analysis of model output. Computer Physics Communications 181,
//! 259-270 (table 2, estimators (b) for S_i and (f) for S_Ti).

use super::design::{Design, Point, Role};
use super::runs::RunRow;
use super::seeds::design_seed;
use super::spec::{Parameter, SweepSpec};
use super::summary::point_summaries;
use crate::output::SobolRow;
use crate::rng::{Purpose, Stream};

/// Which matrix of Saltelli's scheme a point is a row of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matrix {
    A,
    B,
    /// A with the column of parameter `i` taken from B.
    AB(usize),
}

/// Resamples of the bootstrap intervals.
pub const BOOTSTRAP: usize = 1000;

/// The largest number of base samples (the length of the scrambled sequence).
pub const MAX_SAMPLES: u32 = 1 << 16;

/// The largest number of parameters (the sequence has 256 dimensions, two per parameter).
pub const MAX_PARAMETERS: usize = (sobol_burley::NUM_DIMENSIONS / 2) as usize;

/// The limits of a Sobol design: (field, message) of the first it breaks.
pub fn check(spec: &SweepSpec) -> Result<(), (&'static str, String)> {
    let n = spec.samples.unwrap_or(0);
    if !(2..=MAX_SAMPLES).contains(&n) {
        return Err(("samples", format!("design `sobol` needs 2 <= samples <= {MAX_SAMPLES} (a power of 2 is best)")));
    }
    if spec.parameters.len() > MAX_PARAMETERS {
        return Err(("parameters", format!("design `sobol` takes at most {MAX_PARAMETERS} parameters")));
    }
    Ok(())
}

/// The points of a Sobol design, sample by sample: A, B, then A_B^(1..k). `scale(j, u)` maps a
/// unit value to parameter j's range (as written to files).
pub fn saltelli(ps: &[Parameter], n: usize, seed: u64, scale: impl Fn(&Parameter, f64) -> f64) -> Vec<Point> {
    let k = ps.len();
    let scramble = design_seed(seed) as u32;
    let mut points = Vec::with_capacity(n * (k + 2));
    for j in 0..n {
        let row = |offset: usize| -> Vec<f64> {
            ps.iter()
                .enumerate()
                .map(|(i, p)| scale(p, sobol_burley::sample(j as u32, (offset + i) as u32, scramble) as f64))
                .collect()
        };
        let (a, b) = (row(0), row(k));
        points.push(Point { values: a.clone(), role: Role::Saltelli { sample: j, matrix: Matrix::A } });
        points.push(Point { values: b.clone(), role: Role::Saltelli { sample: j, matrix: Matrix::B } });
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(Point { values: ab, role: Role::Saltelli { sample: j, matrix: Matrix::AB(i) } });
        }
    }
    points
}

/// A Sobol sample's model values: f(A_j), f(B_j) and f(A_B^(i)_j) for each parameter i.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub a: f64,
    pub b: f64,
    pub ab: Vec<f64>,
}

/// The samples of a design from a value per point (NaN where missing); a sample with any value
/// missing is left out.
pub fn samples(points: &[Point], k: usize, value: impl Fn(usize) -> f64) -> Vec<Sample> {
    let mut out: Vec<Option<Sample>> = Vec::new();
    for (idx, pt) in points.iter().enumerate() {
        let Role::Saltelli { sample, matrix } = pt.role else { continue };
        if out.len() <= sample {
            out.resize(sample + 1, None);
        }
        let s = out[sample].get_or_insert_with(|| Sample { a: f64::NAN, b: f64::NAN, ab: vec![f64::NAN; k] });
        match matrix {
            Matrix::A => s.a = value(idx),
            Matrix::B => s.b = value(idx),
            Matrix::AB(i) => s.ab[i] = value(idx),
        }
    }
    out.into_iter()
        .flatten()
        .filter(|s| s.a.is_finite() && s.b.is_finite() && s.ab.iter().all(|v| v.is_finite()))
        .collect()
}

/// First-order and total-effect indices of parameter `i` from the samples picked by `idx`.
fn indices(ss: &[Sample], idx: &[usize], i: usize) -> (f64, f64) {
    let n = idx.len() as f64;
    let mean = idx.iter().map(|&j| ss[j].a + ss[j].b).sum::<f64>() / (2.0 * n);
    let var = idx.iter().map(|&j| (ss[j].a - mean).powi(2) + (ss[j].b - mean).powi(2)).sum::<f64>() / (2.0 * n);
    if var.is_nan() || var <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    // Centring f(B) leaves the estimator's expectation (E[f(A_B) - f(A)] = 0) and lowers its variance.
    let first = idx.iter().map(|&j| (ss[j].b - mean) * (ss[j].ab[i] - ss[j].a)).sum::<f64>() / n / var;
    let total = idx.iter().map(|&j| (ss[j].a - ss[j].ab[i]).powi(2)).sum::<f64>() / (2.0 * n) / var;
    (first, total)
}

/// The 2.5 % and 97.5 % points of a sample (NaNs dropped), by linear interpolation.
fn interval(mut xs: Vec<f64>) -> (f64, f64) {
    xs.retain(|x| x.is_finite());
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    xs.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = p * (xs.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo])
    };
    (q(0.025), q(0.975))
}

/// The indices of every parameter for one output, with bootstrap intervals drawn from the
/// stream `(seed, output)`: one [`SobolRow`] per parameter (`kpi` left for the caller).
pub fn analyse(ss: &[Sample], params: &[String], seed: u64, output: u64) -> Vec<SobolRow> {
    let all: Vec<usize> = (0..ss.len()).collect();
    let mut boot: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(BOOTSTRAP); params.len()];
    if !ss.is_empty() {
        let mut s = Stream::new(design_seed(seed), Purpose::Sweep, 2_000_000 + output, 0);
        let mut idx = vec![0; ss.len()];
        for _ in 0..BOOTSTRAP {
            for x in idx.iter_mut() {
                *x = s.below(ss.len());
            }
            for (i, b) in boot.iter_mut().enumerate() {
                b.push(indices(ss, &idx, i));
            }
        }
    }
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (first, total) = if ss.is_empty() { (f64::NAN, f64::NAN) } else { indices(ss, &all, i) };
            let (first_low, first_high) = interval(boot[i].iter().map(|b| b.0).collect());
            let (total_low, total_high) = interval(boot[i].iter().map(|b| b.1).collect());
            SobolRow {
                parameter: p.clone(),
                kpi: String::new(),
                first_order: first,
                first_order_low: first_low,
                first_order_high: first_high,
                total,
                total_low,
                total_high,
                samples: ss.len(),
            }
        })
        .collect()
}

/// The rows of `sobol.csv`, KPI by KPI, from each point's mean over its replications.
pub fn sobol_rows(spec: &SweepSpec, design: &Design, rows: &[RunRow]) -> Vec<SobolRow> {
    let means = point_summaries(spec, rows);
    let names: Vec<String> = spec.parameters.iter().map(|p| p.path.clone()).collect();
    let mut out = Vec::new();
    for (k, kpi) in spec.kpis.iter().enumerate() {
        let ss = samples(&design.points, names.len(), |i| means.get(&(i as u64)).map_or(f64::NAN, |s| s[k].mean));
        out.extend(analyse(&ss, &names, spec.seed, k as u64).into_iter().map(|r| SobolRow { kpi: kpi.clone(), ..r }));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;
    use crate::experiment::design::Design;
    use crate::experiment::spec::{DesignKind, SweepSpec};

    fn param(path: &str) -> Parameter {
        Parameter {
            path: path.into(),
            values: None,
            min: Some(-PI),
            max: Some(PI),
            steps: None,
            baseline: None,
            integer: false,
        }
    }

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// The Ishigami function's indices (Saltelli et al. 2010, a = 7, b = 0.1): the design and the
    /// estimators the sweeps use find each within its bootstrap interval.
    #[test]
    fn ishigami_indices_lie_within_their_bootstrap_intervals() {
        let (a, b) = (7.0, 0.1);
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        let first = [v1 / v, v2 / v, 0.0];
        let total = [(v1 + v13) / v, v2 / v, v13 / v];
        for seed in [1, 2, 3] {
            let spec = SweepSpec {
                name: "ishigami".into(),
                base: "-".into(),
                design: DesignKind::Sobol,
                samples: Some(4096),
                trajectories: None,
                levels: None,
                replications: 1,
                seed,
                common_seeds: true,
                years: None,
                set: vec![],
                kpis: vec!["y".into()],
                parameters: vec![param("x1"), param("x2"), param("x3")],
            };
            let design = Design::build(&spec).unwrap();
            assert_eq!(design.points.len(), 4096 * 5);
            let ys: Vec<f64> = design.points.iter().map(|p| ishigami(&p.values)).collect();
            let ss = samples(&design.points, 3, |i| ys[i]);
            assert_eq!(ss.len(), 4096);
            let names: Vec<String> = spec.parameters.iter().map(|p| p.path.clone()).collect();
            for (i, r) in analyse(&ss, &names, seed, 0).iter().enumerate() {
                assert!(r.first_order_low <= first[i] && first[i] <= r.first_order_high, "seed {seed}: S{i} {r:?}");
                assert!(r.total_low <= total[i] && total[i] <= r.total_high, "seed {seed}: ST{i} {r:?}");
                assert!(r.first_order_high - r.first_order_low < 0.2 && r.total_high - r.total_low < 0.2, "{r:?}");
            }
        }
    }

    #[test]
    fn a_constant_output_has_no_indices_and_a_missing_point_drops_its_sample() {
        let ps = [param("x1"), param("x2")];
        let points = saltelli(&ps, 8, 1, |p, u| p.min.unwrap() + (p.max.unwrap() - p.min.unwrap()) * u);
        assert_eq!(points.len(), 8 * 4);
        assert!(points.iter().all(|p| p.values.iter().all(|v| (-PI..PI).contains(v))));
        let ss = samples(&points, 2, |i| if i == 5 { f64::NAN } else { 1.0 });
        assert_eq!(ss.len(), 7);
        let rows = analyse(&ss, &["x1".into(), "x2".into()], 1, 0);
        assert!(rows.iter().all(|r| r.first_order.is_nan() && r.total.is_nan() && r.samples == 7));
    }
}
