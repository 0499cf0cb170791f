//! Legends (outside the plot area, on a white box) and colour bars.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{draw_text, fit_text, font, text_size, Area, DrawErr};
use super::format::{fmt_num, Axis};
use super::palette::{viridis, GRID, INK, MUTED};
use super::Lang;

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Swatch {
    /// A line in the colour.
    Line(RGBColor),
    /// A line over a shaded band (mean and interval).
    Band(RGBColor),
    /// A filled box.
    Fill(RGBColor),
    /// A filled triangle with a dark outline.
    Triangle(RGBColor),
    /// A short dashed vertical line.
    Dashed(RGBColor),
    /// A map hub: white disc, dark ring and centre dot.
    Hub,
    /// A map border: white line with a dark casing.
    Border,
    /// A transit line: coloured line with a white casing and a station dot.
    Transit(RGBColor),
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, swatch: Swatch) -> Self {
        LegendItem { label: label.into(), swatch }
    }
}

const ROW: i32 = 24;
const SW: i32 = 28;
const PAD: i32 = 10;
const FONT: f64 = 14.0;

/// Width needed by a vertical legend (capped at `max_w`).
pub(crate) fn legend_width(items: &[LegendItem], title: Option<&str>, lang: Lang, max_w: u32) -> u32 {
    let style = font(lang, FONT);
    let label_w = items
        .iter()
        .map(|i| text_size(&i.label, &style).0)
        .chain(title.map(|t| text_size(t, &super::canvas::bold(lang, FONT)).0.saturating_sub(SW as u32 + 8)))
        .max()
        .unwrap_or(0);
    (label_w + (SW + 8 + 2 * PAD) as u32).min(max_w)
}

/// Draw a vertical legend with its top-left corner at `(x, y)`, `w` pixels wide.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    w: u32,
    items: &[LegendItem],
    title: Option<&str>,
    lang: Lang,
) -> Result<(), DrawErr> {
    if items.is_empty() {
        return Ok(());
    }
    let style = font(lang, FONT);
    let head = title.map_or(0, |_| ROW);
    let h = head + items.len() as i32 * ROW + PAD;
    area.draw(&Rectangle::new([(x, y), (x + w as i32, y + h)], WHITE.mix(0.92).filled()))?;
    area.draw(&Rectangle::new([(x, y), (x + w as i32, y + h)], GRID.stroke_width(1)))?;
    if let Some(t) = title {
        let b = super::canvas::bold(lang, FONT);
        let t = fit_text(t, &b, w.saturating_sub(2 * PAD as u32));
        draw_text(area, &t, (x + PAD, y + PAD / 2 + ROW / 2), &b, HPos::Left, VPos::Center)?;
    }
    let label_w = w.saturating_sub((SW + 8 + 2 * PAD) as u32);
    for (i, item) in items.iter().enumerate() {
        let cy = y + PAD / 2 + head + i as i32 * ROW + ROW / 2;
        draw_swatch(area, item.swatch, (x + PAD, cy))?;
        let label = fit_text(&item.label, &style, label_w);
        draw_text(area, &label, (x + PAD + SW + 8, cy), &style, HPos::Left, VPos::Center)?;
    }
    Ok(())
}

/// Draw a legend in rows from `(x, y)`, wrapping at `max_w`; returns the number of rows.
pub(crate) fn draw_legend_rows<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    max_w: u32,
    items: &[LegendItem],
    lang: Lang,
    max_rows: usize,
) -> Result<usize, DrawErr> {
    let style = font(lang, FONT);
    let (mut cx, mut row) = (x, 0usize);
    for item in items {
        let label = fit_text(&item.label, &style, max_w / 2);
        let w = SW + 6 + text_size(&label, &style).0 as i32 + 22;
        if cx > x && cx + w > x + max_w as i32 {
            row += 1;
            cx = x;
        }
        if row >= max_rows {
            return Ok(max_rows);
        }
        let cy = y + row as i32 * ROW + ROW / 2;
        draw_swatch(area, item.swatch, (cx, cy))?;
        draw_text(area, &label, (cx + SW + 6, cy), &style, HPos::Left, VPos::Center)?;
        cx += w;
    }
    Ok(row + 1)
}

fn draw_swatch<DB: DrawingBackend>(area: &Area<DB>, swatch: Swatch, (x, cy): (i32, i32)) -> Result<(), DrawErr> {
    match swatch {
        Swatch::Line(c) => {
            area.draw(&PathElement::new(vec![(x, cy), (x + SW, cy)], c.stroke_width(3)))?;
        }
        Swatch::Band(c) => {
            area.draw(&Rectangle::new([(x, cy - 7), (x + SW, cy + 7)], c.mix(0.2).filled()))?;
            area.draw(&PathElement::new(vec![(x, cy), (x + SW, cy)], c.stroke_width(3)))?;
        }
        Swatch::Fill(c) => {
            area.draw(&Rectangle::new([(x + 2, cy - 7), (x + SW - 2, cy + 7)], c.filled()))?;
            area.draw(&Rectangle::new([(x + 2, cy - 7), (x + SW - 2, cy + 7)], INK.mix(0.4).stroke_width(1)))?;
        }
        Swatch::Triangle(c) => draw_lab(area, (x + SW / 2, cy), c)?,
        Swatch::Hub => draw_hub(area, (x + SW / 2, cy))?,
        Swatch::Border => {
            area.draw(&PathElement::new(vec![(x, cy), (x + SW, cy)], INK.stroke_width(4)))?;
            area.draw(&PathElement::new(vec![(x, cy), (x + SW, cy)], WHITE.stroke_width(2)))?;
        }
        Swatch::Transit(c) => {
            area.draw(&PathElement::new(vec![(x, cy), (x + SW, cy)], c.stroke_width(4)))?;
            draw_station(area, (x + SW / 2, cy), c)?;
        }
        Swatch::Dashed(c) => {
            for k in 0..3 {
                let y0 = cy - 9 + k * 7;
                area.draw(&PathElement::new(vec![(x + SW / 2, y0), (x + SW / 2, y0 + 4)], c.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// A vertical viridis colour bar: the bar occupies `(x, y)`..`(x + 18, y + h)`, ticks and
/// their labels go to its right (`tick_labels`, or the tick values divided by `divisor`), the
/// `label` (quantity and unit) above it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_colour_bar<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    h: i32,
    axis: &Axis,
    divisor: f64,
    tick_labels: Option<&[String]>,
    label: &str,
    label_w: u32,
    lang: Lang,
) -> Result<(), DrawErr> {
    const BW: i32 = 18;
    let h = h.max(20);
    let lstyle = font(lang, 13.0).color(&MUTED);
    let lines = wrap(label, &lstyle, label_w, 2);
    for (i, l) in lines.iter().enumerate() {
        let ly = y - 8 - (lines.len() - 1 - i) as i32 * 17;
        draw_text(area, l, (x, ly), &lstyle, HPos::Left, VPos::Bottom)?;
    }
    let steps = (h / 2).max(1);
    for s in 0..steps {
        let t = 1.0 - (s as f64 + 0.5) / steps as f64;
        let y0 = y + s * h / steps;
        let y1 = y + (s + 1) * h / steps;
        area.draw(&Rectangle::new([(x, y0), (x + BW, y1)], viridis(t).filled()))?;
    }
    area.draw(&Rectangle::new([(x, y), (x + BW, y + h)], INK.mix(0.6).stroke_width(1)))?;
    let span = axis.hi - axis.lo;
    if span <= 0.0 {
        return Ok(());
    }
    let tstyle = font(lang, 13.0);
    let dec = super::format::decimals_for(axis.step / divisor);
    for (i, &t) in axis.ticks.iter().enumerate() {
        let f = (t - axis.lo) / span;
        if !(-1e-9..=1.0 + 1e-9).contains(&f) {
            continue;
        }
        let ty = y + h - (f * h as f64).round() as i32;
        area.draw(&PathElement::new(vec![(x + BW, ty), (x + BW + 5, ty)], INK.stroke_width(1)))?;
        let text = match tick_labels.and_then(|l| l.get(i)) {
            Some(l) => l.clone(),
            None => fmt_num(t / divisor, dec),
        };
        draw_text(area, &text, (x + BW + 8, ty), &tstyle, HPos::Left, VPos::Center)?;
    }
    Ok(())
}

/// Break `text` at spaces (or anywhere for CJK) into at most `max_lines` lines of `max_w`.
pub(crate) fn wrap(text: &str, style: &TextStyle, max_w: u32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let tokens: Vec<String> = if text.contains(' ') {
        text.split(' ').map(str::to_string).collect()
    } else {
        text.chars().map(|c| c.to_string()).collect()
    };
    let sep = if text.contains(' ') { " " } else { "" };
    for tok in tokens {
        let cand = if cur.is_empty() { tok.clone() } else { format!("{cur}{sep}{tok}") };
        if text_size(&cand, style).0 <= max_w || cur.is_empty() {
            cur = cand;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = tok;
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(sep);
        lines.truncate(max_lines - 1);
        lines.push(fit_text(&rest, style, max_w));
    }
    lines
}

/// A hub marker centred at `p`.
pub(crate) fn draw_hub<DB: DrawingBackend>(area: &Area<DB>, p: (i32, i32)) -> Result<(), DrawErr> {
    area.draw(&Circle::new(p, 8, WHITE.filled()))?;
    area.draw(&Circle::new(p, 8, INK.stroke_width(2)))?;
    area.draw(&Circle::new(p, 3, INK.filled()))?;
    Ok(())
}

/// A transit station centred at `p`.
pub(crate) fn draw_station<DB: DrawingBackend>(area: &Area<DB>, p: (i32, i32), c: RGBColor) -> Result<(), DrawErr> {
    area.draw(&Circle::new(p, 4, WHITE.filled()))?;
    area.draw(&Circle::new(p, 4, c.stroke_width(2)))?;
    Ok(())
}

/// A lab marker (triangle) centred at `p`.
pub(crate) fn draw_lab<DB: DrawingBackend>(area: &Area<DB>, (mx, cy): (i32, i32), c: RGBColor) -> Result<(), DrawErr> {
    let s = 7;
    let pts = vec![(mx, cy - s), (mx + s, cy + s - 1), (mx - s, cy + s - 1)];
    area.draw(&Polygon::new(pts.clone(), c.filled()))?;
    let mut closed = pts;
    closed.push((mx, cy - s));
    area.draw(&PathElement::new(closed, INK.stroke_width(2)))?;
    Ok(())
}
