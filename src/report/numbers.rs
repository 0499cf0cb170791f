//! Numbers for readers: estimates rounded to the precision their interval supports, quantities
//! with their unit and scale word ("2.2 million yuan", "220 万元"), percentages.

use crate::chart::format::{fmt_auto, fmt_num, Scale};
use crate::chart::i18n::{Kpi, UnitKind};
use crate::chart::Lang;

/// The rounding step an interval of half-width `half` supports: the place of the half-width's
/// second significant digit (±1 234 rounds to tens, ±0.263 to hundredths). `None` without an
/// interval (NaN or zero width).
pub fn step(half: f64) -> Option<f64> {
    let h = half.abs();
    (h.is_finite() && h > 0.0).then(|| 10f64.powi(h.log10().floor() as i32 - 1))
}

/// `v` rounded to `step` with the decimals that shows, thousands separators and a real minus.
fn rounded(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10()).round().max(0.0) as usize };
    let r = (v / step).round() * step;
    fmt_num(if r == 0.0 { 0.0 } else { r }, decimals)
}

/// An estimate with the precision its interval's half-width `half` supports (about four
/// significant digits when there is no interval).
pub fn est(v: f64, half: f64) -> String {
    match step(half) {
        Some(s) if v.is_finite() => rounded(v, s),
        _ => fmt_auto(v),
    }
}

/// [`est`] with a sign for positive values (differences).
pub fn signed(v: f64, half: f64) -> String {
    let s = est(v, half);
    if v > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// The half-width of an interval, NaN when either end is missing.
pub fn half_width(low: f64, high: f64) -> f64 {
    (high - low).abs() / 2.0
}

/// "[low, high]" rounded like the estimate.
pub fn interval(low: f64, high: f64) -> String {
    if !(low.is_finite() && high.is_finite()) {
        return "–".into();
    }
    let h = half_width(low, high);
    format!("[{}, {}]", est(low, h), est(high, h))
}

/// The scale that keeps the numbers of a quantity short, for the largest of `values`.
pub fn scale_for(kpi: &Kpi, values: &[f64], lang: Lang) -> Scale {
    let max_abs = values.iter().filter(|v| v.is_finite()).fold(0.0f64, |a, v| a.max(v.abs()));
    kpi.unit.scale_for(max_abs, lang)
}

/// A KPI value for a reader: shares as percentages, others in the KPI's unit and `scale`,
/// rounded as the interval half-width `half` (same unit as `v`) supports.
pub fn kpi_value(kpi: &Kpi, v: f64, half: f64, scale: Scale) -> String {
    if kpi.unit.kind == UnitKind::Share {
        est(v * 100.0, half * 100.0)
    } else {
        est(v / scale.factor, half / scale.factor)
    }
}

/// A difference of KPI values: shares in percentage points, with a sign.
pub fn kpi_diff(kpi: &Kpi, v: f64, half: f64, scale: Scale) -> String {
    if kpi.unit.kind == UnitKind::Share {
        signed(v * 100.0, half * 100.0)
    } else {
        signed(v / scale.factor, half / scale.factor)
    }
}

/// The unit of a difference as [`kpi_diff`] prints it (percentage points for shares).
pub fn diff_unit(kpi: &Kpi, scale: Scale, lang: Lang) -> String {
    if kpi.unit.kind == UnitKind::Share {
        crate::chart::i18n::tr(lang, "percentage points", "百分点").into()
    } else {
        kpi.unit.text(lang, scale)
    }
}

/// An amount of money with its scale word: "2.2 million yuan", "2.2 亿元" (`half`: its
/// interval's half-width, NaN for none).
pub fn yuan(v: f64, half: f64, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = Scale::for_max(v.abs(), lang);
    let n = est(v / s.factor, half / s.factor);
    match lang {
        Lang::En if s.en.is_empty() => format!("{n} yuan"),
        Lang::En => format!("{n} {} yuan", s.en),
        Lang::Zh => format!("{n} {}元", s.zh),
    }
}

/// A rate (a share) in percent as a reader writes it: "8 %", "2.5 %".
pub fn rate(r: f64) -> String {
    format!("{} %", crate::chart::format::fmt_short(r * 100.0))
}

/// A relative change in percent with the precision of its interval (`rel_half`: the interval's
/// half-width as a share of the base).
pub fn pct(rel: f64, rel_half: f64) -> String {
    if !rel.is_finite() {
        return "–".into();
    }
    if !rel_half.is_finite() {
        // No interval: one decimal.
        let v = rel * 100.0;
        let s = fmt_num(v, 1);
        return if v > 0.0 && s != "0.0" { format!("+{s} %") } else { format!("{s} %") };
    }
    format!("{} %", signed(rel * 100.0, rel_half * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_follows_the_interval() {
        assert_eq!(est(25.3, 0.263), "25.30");
        assert_eq!(signed(0.263, 0.1), "+0.26");
        assert_eq!(est(11_671.0, 1_200.0), "11,700");
        assert_eq!(est(11_808.0, 1_200.0), "11,800");
        assert_eq!(est(-2.0, 0.04), "−2.000");
        assert_eq!(est(1234.5678, f64::NAN), "1,235");
        assert_eq!(interval(-41_620.0, 24_128.0), "[−42,000, 24,000]");
        assert_eq!(pct(0.0098, 0.0004), "+0.980 %");
        assert_eq!(pct(0.0103, 0.0004), "+1.030 %");
        assert_eq!(yuan(2.2e6, 1.5e5, Lang::En), "2.20 million yuan");
        assert_eq!(yuan(2.2e6, f64::NAN, Lang::Zh), "220.0 万元");
        assert_eq!(signed(0.0001, 0.5), "0.00");
    }
}
