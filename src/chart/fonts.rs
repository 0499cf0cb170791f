//! Bundled fonts, registered once with plotters' ab_glyph text renderer.

use std::sync::{Mutex, Once};

use plotters::style::{register_font, FontStyle};

use super::{ChartError, Lang};

pub(crate) static DEJAVU: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans.ttf"));
static DEJAVU_BOLD: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/DejaVuSans-Bold.ttf"));
/// WenQuanYi Micro Hei, a TrueType collection: ab_glyph reads face 0 (the proportional face).
pub(crate) static WQY: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/fonts/wqy-microhei.ttc"));

/// Family name of the Latin font (also the name written into SVG files).
pub(crate) const LATIN: &str = "DejaVu Sans";
/// Family name of the CJK font (also the name written into SVG files).
pub(crate) const CJK: &str = "WenQuanYi Micro Hei";

static INIT: Once = Once::new();
static RESULT: Mutex<Option<String>> = Mutex::new(None);

/// Register the bundled fonts with plotters. Idempotent and thread-safe; every chart function
/// calls it, so callers need not, but a CLI may call it early to fail fast.
pub fn register_fonts() -> Result<(), ChartError> {
    INIT.call_once(|| {
        let fonts: [(&str, FontStyle, &'static [u8]); 6] = [
            (LATIN, FontStyle::Normal, DEJAVU),
            (LATIN, FontStyle::Bold, DEJAVU_BOLD),
            // plotters falls back to "sans-serif" in a few defaults; make it the Latin font.
            ("sans-serif", FontStyle::Normal, DEJAVU),
            ("sans-serif", FontStyle::Bold, DEJAVU_BOLD),
            (CJK, FontStyle::Normal, WQY),
            (CJK, FontStyle::Bold, WQY),
        ];
        for (family, style, bytes) in fonts {
            if register_font(family, style, bytes).is_err() {
                if let Ok(mut r) = RESULT.lock() {
                    *r = Some(format!("cannot load bundled font {family}"));
                }
                return;
            }
        }
    });
    match RESULT.lock() {
        Ok(r) => match r.as_ref() {
            Some(msg) => Err(ChartError::Draw { chart: "fonts".into(), message: msg.clone() }),
            None => Ok(()),
        },
        Err(_) => Err(ChartError::Draw { chart: "fonts".into(), message: "font registry lock poisoned".into() }),
    }
}

/// The font family for a language.
pub(crate) fn family(lang: Lang) -> &'static str {
    match lang {
        Lang::En => LATIN,
        Lang::Zh => CJK,
    }
}

/// Downward shift (in font sizes) that puts ab_glyph's bitmap text where its layout box says.
///
/// plotters' ab_glyph renderer draws the baseline half a font size below the anchor while its
/// layout box is only `size / 1.24` tall, so raster text sits visibly high; SVG text is
/// positioned by the viewer and needs no shift.
pub(crate) fn raster_text_shift(family: &str) -> f64 {
    if family == CJK {
        0.14
    } else {
        0.16
    }
}
