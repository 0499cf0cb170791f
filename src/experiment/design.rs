//! Designs: the parameter points of a sweep, in a fixed order (the point index is part of every
//! run's identity, so the order must never depend on anything but the sweep file).

use super::seeds::design_seed;
use super::spec::{DesignKind, Parameter, SweepSpec};
use crate::output::fmt_num;
use crate::rng::{Purpose, Stream};

/// What a point is for, where the design gives it a role.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Role {
    /// A grid, Latin hypercube or random point.
    Sample,
    /// One-at-a-time: every parameter at its baseline.
    Baseline,
    /// One-at-a-time: parameter `param` moved, the others at baseline.
    Moved { param: usize },
    /// Morris: the start of a trajectory.
    TrajectoryStart { trajectory: usize },
    /// Morris: parameter `param` moved by `delta` (in units of its range) from the previous point.
    Step { trajectory: usize, param: usize, delta: f64 },
    /// Sobol: row `sample` of one of Saltelli's matrices.
    Saltelli { sample: usize, matrix: super::sobol::Matrix },
}

/// One parameter point: a value per parameter, in the order of the sweep file.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub values: Vec<f64>,
    pub role: Role,
}

/// The points of a sweep.
#[derive(Clone, Debug)]
pub struct Design {
    pub kind: DesignKind,
    pub points: Vec<Point>,
}

impl Design {
    /// Builds the points. One-at-a-time designs need every parameter's `baseline`: the error
    /// names the index of a parameter that has none.
    pub fn build(spec: &SweepSpec) -> Result<Design, usize> {
        let ps = &spec.parameters;
        let points = match spec.design {
            DesignKind::Grid => grid(ps),
            DesignKind::Lhs => lhs(ps, spec.samples.unwrap_or(1) as usize, spec.seed),
            DesignKind::Random => random(ps, spec.samples.unwrap_or(1) as usize, spec.seed),
            DesignKind::Oat => oat(ps)?,
            DesignKind::Morris => {
                morris(ps, spec.trajectories.unwrap_or(10) as usize, spec.levels.unwrap_or(4) as usize, spec.seed)
            }
            DesignKind::Sobol => super::sobol::saltelli(ps, spec.samples.unwrap_or(1) as usize, spec.seed, scale),
        };
        Ok(Design { kind: spec.design, points })
    }

    /// The `--set` arguments of point `i`.
    pub fn sets(&self, spec: &SweepSpec, i: usize) -> Vec<String> {
        spec.parameters.iter().zip(&self.points[i].values).map(|(p, v)| format!("{}={}", p.path, fmt_num(*v))).collect()
    }
}

/// A value as it is written to files (so a value read back equals the one used).
fn clean(p: &Parameter, v: f64) -> f64 {
    let v = if p.integer { v.round() } else { v };
    fmt_num(v).parse().unwrap_or(v)
}

/// The listed values, or `steps` evenly spaced values from min to max (`default_steps` if unset).
pub fn levels_of(p: &Parameter, default_steps: u32) -> Vec<f64> {
    if let Some(vs) = &p.values {
        return vs.iter().map(|&v| clean(p, v)).collect();
    }
    let (lo, hi) = (p.min.unwrap_or(0.0), p.max.unwrap_or(0.0));
    let n = p.steps.unwrap_or(default_steps).max(1);
    if n == 1 {
        return vec![clean(p, lo)];
    }
    (0..n).map(|i| clean(p, lo + (hi - lo) * i as f64 / (n - 1) as f64)).collect()
}

fn scale(p: &Parameter, u: f64) -> f64 {
    let (lo, hi) = (p.min.unwrap_or(0.0), p.max.unwrap_or(0.0));
    clean(p, lo + (hi - lo) * u)
}

/// Every combination; the first parameter varies slowest.
fn grid(ps: &[Parameter]) -> Vec<Point> {
    let lists: Vec<Vec<f64>> = ps.iter().map(|p| levels_of(p, 2)).collect();
    let mut points = vec![Vec::new()];
    for list in &lists {
        points =
            points.into_iter().flat_map(|pre| list.iter().map(move |&v| [pre.clone(), vec![v]].concat())).collect();
    }
    points.into_iter().map(|values| Point { values, role: Role::Sample }).collect()
}

fn stream(seed: u64, id: u64) -> Stream {
    Stream::new(design_seed(seed), Purpose::Sweep, id, 0)
}

/// Latin hypercube: each parameter's range in `n` equal strata, one point in each, strata paired
/// at random across parameters.
fn lhs(ps: &[Parameter], n: usize, seed: u64) -> Vec<Point> {
    let mut cols = Vec::with_capacity(ps.len());
    for (j, p) in ps.iter().enumerate() {
        let mut s = stream(seed, j as u64);
        let mut perm: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            perm.swap(i, s.below(i + 1));
        }
        cols.push(perm.iter().map(|&k| scale(p, (k as f64 + s.uniform()) / n as f64)).collect::<Vec<f64>>());
    }
    (0..n).map(|i| Point { values: cols.iter().map(|c| c[i]).collect(), role: Role::Sample }).collect()
}

fn random(ps: &[Parameter], n: usize, seed: u64) -> Vec<Point> {
    let mut s = stream(seed, 0);
    (0..n).map(|_| Point { values: ps.iter().map(|p| scale(p, s.uniform())).collect(), role: Role::Sample }).collect()
}

/// The baseline point, then each parameter over its values (default: min and max).
fn oat(ps: &[Parameter]) -> Result<Vec<Point>, usize> {
    let base: Vec<f64> =
        ps.iter().enumerate().map(|(j, p)| p.baseline.map(|b| clean(p, b)).ok_or(j)).collect::<Result<_, _>>()?;
    let mut points = vec![Point { values: base.clone(), role: Role::Baseline }];
    for (j, p) in ps.iter().enumerate() {
        for v in levels_of(p, 2) {
            let mut values = base.clone();
            values[j] = v;
            points.push(Point { values, role: Role::Moved { param: j } });
        }
    }
    Ok(points)
}

/// Morris trajectories on a grid of `levels` levels with the usual step levels/(2(levels-1)):
/// a random start, then each parameter moved once in random order (up where it fits, else down).
fn morris(ps: &[Parameter], trajectories: usize, levels: usize, seed: u64) -> Vec<Point> {
    let k = ps.len();
    let delta = levels as f64 / (2.0 * (levels as f64 - 1.0));
    let mut points = Vec::with_capacity(trajectories * (k + 1));
    for t in 0..trajectories {
        let mut s = stream(seed, 1_000_000 + t as u64);
        let mut x: Vec<f64> = (0..k).map(|_| s.below(levels) as f64 / (levels - 1) as f64).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, s.below(i + 1));
        }
        let values = |x: &[f64]| ps.iter().zip(x).map(|(p, &u)| scale(p, u)).collect::<Vec<f64>>();
        points.push(Point { values: values(&x), role: Role::TrajectoryStart { trajectory: t } });
        for &j in &order {
            let d = if x[j] + delta <= 1.0 + 1e-9 { delta } else { -delta };
            x[j] = (x[j] + d).clamp(0.0, 1.0);
            points.push(Point { values: values(&x), role: Role::Step { trajectory: t, param: j, delta: d } });
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(path: &str, min: f64, max: f64) -> Parameter {
        Parameter {
            path: path.into(),
            values: None,
            min: Some(min),
            max: Some(max),
            steps: Some(3),
            baseline: Some(min),
            integer: false,
        }
    }

    fn spec(design: DesignKind) -> SweepSpec {
        SweepSpec {
            name: "t".into(),
            base: "b.toml".into(),
            design,
            samples: Some(5),
            trajectories: Some(2),
            levels: Some(4),
            replications: 1,
            seed: 3,
            common_seeds: true,
            years: None,
            set: vec![],
            kpis: vec![],
            parameters: vec![param("a", 0.0, 1.0), param("b", 10.0, 20.0)],
        }
    }

    #[test]
    fn grid_is_a_product_first_slowest() {
        let d = Design::build(&spec(DesignKind::Grid)).unwrap();
        assert_eq!(d.points.len(), 9);
        assert_eq!(d.points[1].values, vec![0.0, 15.0]);
        assert_eq!(d.sets(&spec(DesignKind::Grid), 3), vec!["a=0.5".to_string(), "b=10".to_string()]);
    }

    #[test]
    fn lhs_puts_one_point_in_each_stratum() {
        let d = Design::build(&spec(DesignKind::Lhs)).unwrap();
        let mut strata: Vec<usize> = d.points.iter().map(|p| (p.values[0] * 5.0).floor() as usize).collect();
        strata.sort();
        assert_eq!(strata, vec![0, 1, 2, 3, 4]);
        assert_eq!(d.points, Design::build(&spec(DesignKind::Lhs)).unwrap().points);
    }

    #[test]
    fn oat_and_morris_shapes() {
        assert_eq!(Design::build(&spec(DesignKind::Oat)).unwrap().points.len(), 7);
        let m = Design::build(&spec(DesignKind::Morris)).unwrap();
        assert_eq!(m.points.len(), 6);
        assert!(m.points.iter().all(|p| (0.0..=1.0).contains(&p.values[0]) && (10.0..=20.0).contains(&p.values[1])));
    }
}
