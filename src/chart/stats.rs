//! Small statistics helpers: means, standard deviations, Student-t intervals.

/// Mean of the finite values, or `None` when there are none.
pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    let (sum, n) = values.iter().filter(|v| v.is_finite()).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Sample standard deviation of the finite values (`None` for fewer than two).
pub(crate) fn sd(values: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 2 {
        return None;
    }
    let m = mean(&finite)?;
    let ss: f64 = finite.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (finite.len() - 1) as f64).sqrt())
}

/// Two-sided 95% Student-t quantile (0.975) for `df` degrees of freedom.
pub(crate) fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    // Beyond 30, interpolate linearly in 1/df between tabulated points.
    const TAIL: [(f64, f64); 4] = [(30.0, 2.042), (40.0, 2.021), (60.0, 2.000), (120.0, 1.980)];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let x = 1.0 / df as f64;
            for w in TAIL.windows(2) {
                let (d0, t0) = w[0];
                let (d1, t1) = w[1];
                if (df as f64) <= d1 {
                    let (x0, x1) = (1.0 / d0, 1.0 / d1);
                    return t0 + (t1 - t0) * (x - x0) / (x1 - x0);
                }
            }
            // Between 120 and infinity (1/df = 0, t = 1.960).
            let x0 = 1.0 / 120.0;
            1.960 + (1.980 - 1.960) * x / x0
        }
    }
}

/// Mean and 95% t-interval of the finite values: `(mean, low, high)`; with one value the
/// interval collapses onto the mean.
pub(crate) fn mean_ci(values: &[f64]) -> Option<(f64, f64, f64)> {
    let m = mean(values)?;
    let n = values.iter().filter(|v| v.is_finite()).count();
    match sd(values) {
        Some(s) => {
            let half = t975(n - 1) * s / (n as f64).sqrt();
            Some((m, m - half, m + half))
        }
        None => Some((m, m, m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert!((t975(4) - 2.776).abs() < 1e-9);
        assert!((t975(50) - 2.009).abs() < 0.01);
        assert!((t975(100_000) - 1.960).abs() < 0.001);
    }

    #[test]
    fn interval() {
        let (m, lo, hi) = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(m, 3.0);
        let half = 2.776 * (2.5f64).sqrt() / 5f64.sqrt();
        assert!((hi - m - half).abs() < 1e-9 && (m - lo - half).abs() < 1e-9);
        assert_eq!(mean_ci(&[f64::NAN]), None);
    }
}
