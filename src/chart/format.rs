//! Number formatting, tick selection and unit scaling.

use super::Lang;

/// A "nice" step (1, 2, 2.5 or 5 times a power of ten) giving about `target` intervals.
pub(crate) fn nice_step(span: f64, target: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// An axis range: bounds snapped to multiples of a nice step, and the ticks in between.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub step: f64,
    pub ticks: Vec<f64>,
}

impl Axis {
    /// Decimals needed to print the ticks.
    pub fn decimals(&self) -> usize {
        decimals_for(self.step)
    }
}

/// A nice axis covering `min..=max` (optionally including zero) with about `target` intervals.
/// Degenerate or non-finite input gives a sensible unit range.
pub(crate) fn nice_axis(min: f64, max: f64, include_zero: bool, target: usize) -> Axis {
    let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max { (min, max) } else { (0.0, 1.0) };
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo.abs() > 0.0 { lo.abs() * 0.1 } else { 1.0 };
        lo -= pad;
        hi += pad;
        if include_zero && min >= 0.0 {
            lo = lo.max(0.0);
        }
    }
    let step = nice_step(hi - lo, target);
    let lo_s = (lo / step).floor() * step;
    let hi_s = (hi / step).ceil() * step;
    let n = ((hi_s - lo_s) / step).round() as usize;
    let ticks = (0..=n.min(1000)).map(|i| clean(lo_s + i as f64 * step)).collect();
    Axis { lo: lo_s, hi: hi_s, step, ticks }
}

/// Integer-year ticks within `lo..=hi` (a step of 1, 2, 5 or 10 years, at most ~12 ticks).
pub(crate) fn year_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    let span = (hi - lo).max(1.0);
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0].into_iter().find(|s| span / s <= 12.0).unwrap_or(100.0);
    let first = (lo / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut t = first;
    while t <= hi + 1e-9 && ticks.len() < 200 {
        ticks.push(t);
        t += step;
    }
    ticks
}

fn clean(v: f64) -> f64 {
    // Remove floating noise such as 0.30000000000000004 and -0.0.
    let r = (v * 1e9).round() / 1e9;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Decimals needed to distinguish ticks `step` apart.
pub(crate) fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return if (step.fract()).abs() > 1e-9 && step < 10.0 { 1 } else { 0 };
    }
    let mut d = 0;
    let mut s = step;
    while d < 8 && (s - s.round()).abs() > 1e-9 {
        s *= 10.0;
        d += 1;
    }
    d
}

/// Format with `decimals` decimals and thousands separators; non-finite values print as "–".
pub(crate) fn fmt_num(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let neg = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if neg {
        out.push('−');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// Format a value for a table: about four significant digits, thousands separators.
pub(crate) fn fmt_auto(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    let d = if a == 0.0 || a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        // Enough decimals for three significant digits, at most six.
        ((-a.log10()).floor() as usize + 3).min(6)
    };
    fmt_num(v, d)
}

/// Like [`fmt_auto`] without trailing zeros after the decimal point ("0.5", "1.25", "2").
pub(crate) fn fmt_short(v: f64) -> String {
    let s = fmt_auto(v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Divisor for large values on an axis, with its name in each language.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scale {
    pub factor: f64,
    pub en: &'static str,
    pub zh: &'static str,
}

impl Scale {
    pub const ONE: Scale = Scale { factor: 1.0, en: "", zh: "" };

    /// The scale that keeps tick labels short for values up to `max_abs`.
    pub fn for_max(max_abs: f64, lang: Lang) -> Scale {
        if !max_abs.is_finite() {
            return Scale::ONE;
        }
        match lang {
            Lang::En if max_abs >= 1e9 => Scale { factor: 1e9, en: "billion", zh: "十亿" },
            Lang::En if max_abs >= 1e6 => Scale { factor: 1e6, en: "million", zh: "百万" },
            Lang::Zh if max_abs >= 1e8 => Scale { factor: 1e8, en: "100 million", zh: "亿" },
            Lang::Zh if max_abs >= 1e5 => Scale { factor: 1e4, en: "10 thousand", zh: "万" },
            _ => Scale::ONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(fmt_num(1234567.891, 2), "1,234,567.89");
        assert_eq!(fmt_num(-1234.0, 0), "−1,234");
        assert_eq!(fmt_num(-0.0001, 1), "0.0");
        assert_eq!(fmt_num(f64::NAN, 1), "–");
        assert_eq!(fmt_auto(0.01234), "0.0123");
        assert_eq!(fmt_short(0.5), "0.5");
        assert_eq!(fmt_short(1.2), "1.2");
        assert_eq!(fmt_short(20000.0), "20,000");
        assert_eq!(decimals_for(0.25), 2);
        assert_eq!(decimals_for(2.5), 1);
        assert_eq!(decimals_for(5.0), 0);
    }

    #[test]
    fn axes() {
        let a = nice_axis(3.0, 97.0, true, 5);
        assert_eq!((a.lo, a.hi), (0.0, 100.0));
        assert_eq!(a.ticks.len(), 6);
        let d = nice_axis(5.0, 5.0, false, 5);
        assert!(d.lo < 5.0 && d.hi > 5.0);
        let n = nice_axis(f64::NAN, f64::INFINITY, false, 5);
        assert_eq!((n.lo, n.hi), (0.0, 1.0));
        assert_eq!(year_ticks(2024.0, 2026.9), vec![2024.0, 2025.0, 2026.0]);
        assert_eq!(year_ticks(2024.0, 2050.0)[0], 2025.0);
    }
}
