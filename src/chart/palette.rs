//! Colour-blind-safe colours: Okabe-Ito for categories, viridis for sequential values.

use plotters::style::RGBColor;

/// Okabe-Ito palette, ordered for lines on white (yellow last: it is pale on white).
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The `i`-th categorical colour (cycles after eight).
pub fn okabe_ito(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// Colour for the baseline scenario: near-black, distinct from the categorical colours.
pub(crate) const BASELINE: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Text and axis colour.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text.
pub(crate) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
/// Cells with no data (outside the corridor).
pub(crate) const NO_DATA: RGBColor = RGBColor(0xD9, 0xD9, 0xD9);

/// Viridis at 11 evenly spaced stops (#440154, #482475, ... #fde725).
const VIRIDIS: [(u8, u8, u8); 11] = [
    (68, 1, 84),
    (72, 36, 117),
    (65, 68, 135),
    (53, 95, 141),
    (42, 120, 142),
    (33, 145, 140),
    (34, 168, 132),
    (68, 191, 112),
    (122, 209, 81),
    (189, 223, 38),
    (253, 231, 37),
];

/// Viridis colour for `t` in 0..=1 (clamped; NaN gives the low end), linearly interpolated.
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on `c` should be white (dark background) rather than black.
pub(crate) fn is_dark(c: RGBColor) -> bool {
    let lum = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    lum < 140.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_and_middle() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(0x21, 0x91, 0x8c));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }
}
