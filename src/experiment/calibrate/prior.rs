//! Priors of the fitted parameters. The sampler works in each parameter's natural coordinate z:
//! the value itself for uniform and normal priors, its logarithm for log-uniform ones, so that
//! perturbation kernels are symmetric where the prior is flat. Densities are normalised (they
//! enter importance weights of particles drawn from different kernels).

use serde::{Deserialize, Serialize};

/// The shape of a prior.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorKind {
    /// Flat on [min, max].
    Uniform,
    /// Flat in the logarithm on [min, max], 0 < min.
    LogUniform,
    /// Normal with `mean` and `sd`, truncated to [min, max] where given.
    Normal,
}

impl PriorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PriorKind::Uniform => "uniform",
            PriorKind::LogUniform => "log_uniform",
            PriorKind::Normal => "normal",
        }
    }
}

/// A resolved prior in z coordinates (bounds infinite where there are none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prior {
    pub kind: PriorKind,
    /// Bounds of z.
    pub lo: f64,
    pub hi: f64,
    /// Normal: mean and sd (of the value, which is z).
    pub mean: f64,
    pub sd: f64,
}

impl Prior {
    /// A prior from the file's keys (already checked: see `targets::check_prior`).
    pub fn new(kind: PriorKind, min: Option<f64>, max: Option<f64>, mean: Option<f64>, sd: Option<f64>) -> Prior {
        let (lo, hi) = (min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY));
        match kind {
            PriorKind::LogUniform => Prior { kind, lo: lo.ln(), hi: hi.ln(), mean: f64::NAN, sd: f64::NAN },
            _ => Prior { kind, lo, hi, mean: mean.unwrap_or(f64::NAN), sd: sd.unwrap_or(f64::NAN) },
        }
    }

    /// z of a value.
    pub fn to_z(&self, value: f64) -> f64 {
        if self.kind == PriorKind::LogUniform {
            value.ln()
        } else {
            value
        }
    }

    /// The value of z.
    pub fn value(&self, z: f64) -> f64 {
        if self.kind == PriorKind::LogUniform {
            z.exp()
        } else {
            z
        }
    }

    pub fn contains(&self, z: f64) -> bool {
        z >= self.lo && z <= self.hi
    }

    /// The prior's mass of the normal between the bounds (1 without bounds).
    fn normal_mass(&self) -> f64 {
        normal_cdf((self.hi - self.mean) / self.sd) - normal_cdf((self.lo - self.mean) / self.sd)
    }

    /// Log density of z (negative infinity outside the support).
    pub fn log_density(&self, z: f64) -> f64 {
        if !self.contains(z) {
            return f64::NEG_INFINITY;
        }
        match self.kind {
            PriorKind::Uniform | PriorKind::LogUniform => -(self.hi - self.lo).ln(),
            PriorKind::Normal => {
                let t = (z - self.mean) / self.sd;
                -0.5 * t * t - (self.sd * (2.0 * std::f64::consts::PI).sqrt() * self.normal_mass()).ln()
            }
        }
    }

    /// z at the prior's quantile `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(1e-12, 1.0 - 1e-12);
        match self.kind {
            PriorKind::Uniform | PriorKind::LogUniform => self.lo + (self.hi - self.lo) * u,
            PriorKind::Normal => {
                let a = normal_cdf((self.lo - self.mean) / self.sd);
                let b = normal_cdf((self.hi - self.mean) / self.sd);
                (self.mean + self.sd * normal_quantile(a + (b - a) * u)).clamp(self.lo, self.hi)
            }
        }
    }

    /// A width of the prior in z (for jitter when particles collapse): the range, or 4 sd.
    pub fn width(&self) -> f64 {
        let w = self.hi - self.lo;
        if w.is_finite() {
            w
        } else {
            4.0 * self.sd
        }
    }

    /// The prior in words, for reports: "uniform 0.01 … 0.05".
    pub fn describe(&self) -> String {
        let f = crate::output::fmt_num;
        match self.kind {
            PriorKind::Uniform => format!("uniform {} … {}", f(self.lo), f(self.hi)),
            PriorKind::LogUniform => format!("log-uniform {} … {}", f(self.lo.exp()), f(self.hi.exp())),
            PriorKind::Normal => {
                let mut s = format!("normal({}, sd {})", f(self.mean), f(self.sd));
                if self.lo.is_finite() || self.hi.is_finite() {
                    let b = |v: f64| if v.is_finite() { f(v) } else { "∞".into() };
                    s.push_str(&format!(" on {} … {}", b(self.lo), b(self.hi)));
                }
                s
            }
        }
    }
}

/// The standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile: Acklam's rational approximation refined by one Halley step
/// (error below 1e-15 in (1e-300, 1 - 1e-16)).
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_quantile_inverts_the_distribution_function() {
        for p in [1e-10, 0.001, 0.02, 0.3, 0.5, 0.8, 0.99, 1.0 - 1e-9] {
            assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-14 * p.max(1e-3), "{p}");
        }
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
    }

    #[test]
    fn densities_integrate_to_one_and_quantiles_stay_in_the_support() {
        let priors = [
            Prior::new(PriorKind::Uniform, Some(2.0), Some(6.0), None, None),
            Prior::new(PriorKind::LogUniform, Some(0.01), Some(1.0), None, None),
            Prior::new(PriorKind::Normal, Some(0.0), None, Some(1.0), Some(2.0)),
        ];
        for p in priors {
            let (lo, hi) = (p.quantile(0.0), p.quantile(1.0));
            let n = 200_000;
            let h = (hi - lo) / n as f64;
            let mass: f64 = (0..n).map(|i| p.log_density(lo + (i as f64 + 0.5) * h).exp() * h).sum();
            assert!((mass - 1.0).abs() < 1e-3, "{p:?}: {mass}");
            assert!(p.contains(p.quantile(0.5)) && p.contains(lo) && p.contains(hi));
        }
        let lu = priors[1];
        assert!((lu.value(lu.quantile(0.5)) - 0.1).abs() < 1e-12);
    }
}
