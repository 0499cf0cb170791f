//! Rendering a figure to PNG and SVG, atomic file writes, and small text helpers.

use std::fs;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};

use super::fonts::{family, raster_text_shift};
use super::palette::INK;
use super::{ChartError, Lang};

/// A drawing area of any backend.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// A drawing failure, with the backend's message.
#[derive(Debug)]
pub(crate) struct DrawErr(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawErr {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawErr(e.to_string())
    }
}

/// Something that can be drawn onto a canvas of its own size.
pub(crate) trait Figure {
    /// Canvas size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draw onto the whole canvas.
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> Result<(), DrawErr>;
}

/// Render to PNG bytes (RGB, 8 bits).
pub(crate) fn render_png<F: Figure>(fig: &F) -> Result<Vec<u8>, DrawErr> {
    let (w, h) = fig.size();
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let backend = TextFix(BitMapBackend::with_buffer(&mut buf, (w, h)));
        let root = backend.into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()?;
    }
    encode_png(&buf, w, h).map_err(|e| DrawErr(format!("PNG encoder: {e}")))
}

/// Encode an RGB buffer as PNG.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

/// Render to an SVG document.
pub(crate) fn render_svg<F: Figure>(fig: &F) -> Result<String, DrawErr> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, fig.size()).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// Write `bytes` to `path` atomically ([`crate::output::atomic_write`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ChartError> {
    crate::output::atomic_write(path, bytes).map_err(|e| ChartError::Write { path: path.to_path_buf(), source: e })
}

/// Render a figure as `out_dir/stem.png` and `out_dir/stem.svg`.
pub(crate) fn write_figure<F: Figure>(fig: &F, out_dir: &Path, stem: &str) -> Result<(PathBuf, PathBuf), ChartError> {
    fs::create_dir_all(out_dir).map_err(|e| ChartError::Write { path: out_dir.to_path_buf(), source: e })?;
    let draw_err = |e: DrawErr| ChartError::Draw { chart: stem.to_string(), message: e.0 };
    let png = render_png(fig).map_err(draw_err)?;
    let svg = render_svg(fig).map_err(draw_err)?;
    let png_path = out_dir.join(format!("{stem}.png"));
    let svg_path = out_dir.join(format!("{stem}.svg"));
    write_atomic(&png_path, &png)?;
    write_atomic(&svg_path, svg.as_bytes())?;
    Ok((png_path, svg_path))
}

/// A text style in the language's font.
pub(crate) fn font(lang: Lang, size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(family(lang)), size, FontStyle::Normal).color(&INK)
}

/// A bold text style in the language's font.
pub(crate) fn bold(lang: Lang, size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(family(lang)), size, FontStyle::Bold).color(&INK)
}

/// Width and height of `text` in `style`, without a canvas.
pub(crate) fn text_size(text: &str, style: &TextStyle) -> (u32, u32) {
    style.font.box_size(text).unwrap_or((text.chars().count() as u32 * 8, 12))
}

/// Shorten `text` with "…" until it fits `max_w` pixels.
pub(crate) fn fit_text(text: &str, style: &TextStyle, max_w: u32) -> String {
    if text_size(text, style).0 <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if text_size(&s, style).0 <= max_w {
            return s;
        }
    }
    "…".to_string()
}

/// Draw `text` with its anchor at `pos`.
pub(crate) fn draw_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    pos: (i32, i32),
    style: &TextStyle,
    h: HPos,
    v: VPos,
) -> Result<(), DrawErr> {
    if text.is_empty() {
        return Ok(());
    }
    area.draw(&Text::new(text, pos, style.pos(Pos::new(h, v))))?;
    Ok(())
}

/// Draw a figure title (bold) and optional subtitle at the top left; returns the height used.
pub(crate) fn draw_title<DB: DrawingBackend>(
    area: &Area<DB>,
    lang: Lang,
    title: &str,
    subtitle: Option<&str>,
) -> Result<i32, DrawErr> {
    let (w, _) = area.dim_in_pixel();
    let tstyle = bold(lang, 24.0);
    let title = fit_text(title, &tstyle, w.saturating_sub(40));
    draw_text(area, &title, (20, 14), &tstyle, HPos::Left, VPos::Top)?;
    if lang == Lang::Zh {
        // The CJK font has no bold face: embolden by overprinting one pixel to the right.
        draw_text(area, &title, (21, 14), &tstyle, HPos::Left, VPos::Top)?;
    }
    match subtitle {
        Some(s) if !s.is_empty() => {
            let sstyle = font(lang, 15.0).color(&super::palette::MUTED);
            let s = fit_text(s, &sstyle, w.saturating_sub(40));
            draw_text(area, &s, (20, 46), &sstyle, HPos::Left, VPos::Top)?;
            Ok(72)
        }
        _ => Ok(50),
    }
}

/// Wraps the bitmap backend to place ab_glyph raster text where its layout box says (see
/// [`raster_text_shift`]); everything else is passed through unchanged.
struct TextFix<B>(B);

impl<B: DrawingBackend> DrawingBackend for TextFix<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let shift = (style.size() * raster_text_shift(style.family().as_str())).round() as i32;
        let (dx, dy) = style.transform().transform(0, shift);
        self.0.draw_text(text, style, (pos.0 + dx, pos.1 + dy))
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.0.estimate_text_size(text, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }
}
