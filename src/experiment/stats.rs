//! Sample statistics: mean, standard deviation and a 95% t confidence interval.

/// Two-sided 95% quantiles of Student's t (the 0.975 quantile) for 1 to 30 degrees of freedom.
const T975: [f64; 30] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010, 2.1788, 2.1604, 2.1448,
    2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484,
    2.0452, 2.0423,
];

/// The 0.975 quantile of Student's t with `df` degrees of freedom (NaN for 0). Above 30 degrees
/// of freedom it uses the expansion z + (z³ + z)/(4 df) + (5z⁵ + 16z³ + 3z)/(96 df²), whose
/// error there is below 1e-4.
pub fn t975(df: usize) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df - 1],
        _ => {
            let z: f64 = 1.959964;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
        }
    }
}

/// Summary of a sample. `sd` and the interval are NaN below two observations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Mean, sample standard deviation and 95% t interval of the mean.
pub fn summarize(xs: &[f64]) -> Summary {
    let n = xs.len();
    if n == 0 {
        return Summary { n, mean: f64::NAN, sd: f64::NAN, ci_low: f64::NAN, ci_high: f64::NAN };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Summary { n, mean, sd: f64::NAN, ci_low: f64::NAN, ci_high: f64::NAN };
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let sd = var.max(0.0).sqrt();
    let half = t975(n - 1) * sd / (n as f64).sqrt();
    Summary { n, mean, sd, ci_low: mean - half, ci_high: mean + half }
}

/// The `p` quantile (0..=1) of the finite values, by linear interpolation between order
/// statistics (Hyndman and Fan's type 7, the default of R and NumPy); NaN for no values.
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let (i, f) = (h.floor() as usize, h - h.floor());
    if i + 1 < v.len() {
        v[i] + f * (v[i + 1] - v[i])
    } else {
        v[i]
    }
}

/// The central band of replications that reports draw around a median: 5th to 95th percentile.
pub const BAND: (f64, f64) = (0.05, 0.95);

/// Median and [`BAND`] of a sample: `(low, median, high)`.
pub fn median_band(values: &[f64]) -> (f64, f64, f64) {
    (quantile(values, BAND.0), quantile(values, 0.5), quantile(values, BAND.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_are_continuous_past_the_table() {
        assert!((t975(30) - 2.0423).abs() < 1e-4);
        assert!((t975(31) - 2.0395).abs() < 2e-4);
        assert!((t975(120) - 1.9799).abs() < 1e-4);
        assert!(t975(0).is_nan());
    }

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        let xs = [3.0, 1.0, 2.0, f64::NAN, 4.0];
        assert_eq!(quantile(&xs, 0.5), 2.5);
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert!((quantile(&xs, 0.05) - 1.15).abs() < 1e-12);
        assert_eq!(median_band(&[7.0]), (7.0, 7.0, 7.0));
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn constant_sample_has_zero_width() {
        let s = summarize(&[2.0, 2.0, 2.0]);
        assert_eq!((s.mean, s.sd, s.ci_low, s.ci_high), (2.0, 0.0, 2.0, 2.0));
        let s = summarize(&[1.0, 3.0]);
        assert!((s.ci_high - (2.0 + 12.7062)).abs() < 1e-9);
    }
}
