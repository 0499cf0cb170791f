//! The font a report embeds, so that it renders the same on a machine without any fonts: a subset
//! of the bundled WenQuanYi Micro Hei (it has the Latin, Chinese and symbol glyphs the reports use)
//! holding only the characters the page shows, as an `@font-face` rule with a data URI; bold text
//! is emboldened by the browser, as the font has no bold face. Subsetting is done by the
//! `font-subset` crate (which keeps the `cmap` table a browser needs; DejaVu Sans is not embedded
//! because the crate reads only OS/2 tables of version 2 or later, and the bundled DejaVu's is
//! version 1). The font ships as a TrueType collection, whose first face is copied out as a plain
//! font first ([`collection_face`]).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use font_subset::Font;

use super::base64;
use crate::chart::fonts::WQY;

/// The CSS family name of the embedded font (not a system font's, so no local font stands in).
pub const FAMILY: &str = "Corridor Sans";

/// Face `index` of a TrueType collection (`ttcf`) as a standalone font: the face's table
/// directory with the tables it points to copied after it.
fn collection_face(ttc: &[u8], index: usize) -> Option<Vec<u8>> {
    let u32_at = |o: usize| ttc.get(o..o + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let u16_at = |o: usize| ttc.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    if ttc.get(0..4)? != b"ttcf" || index >= u32_at(8)? as usize {
        return None;
    }
    let face = u32_at(12 + 4 * index)? as usize;
    let tables = u16_at(face + 4)? as usize;
    let mut out = ttc.get(face..face + 12 + 16 * tables)?.to_vec();
    let mut head = None;
    for t in 0..tables {
        let rec = face + 12 + 16 * t;
        let (offset, len) = (u32_at(rec + 8)? as usize, u32_at(rec + 12)? as usize);
        let mut data = ttc.get(offset..offset + len)?.to_vec();
        if ttc.get(rec..rec + 4)? == b"head" {
            // checkSumAdjustment, set below; table checksums count it as zero.
            data.get_mut(8..12)?.copy_from_slice(&[0; 4]);
            // fontDirectionHint: deprecated, "set to 2" by the specification (the subsetter
            // checks it; this font has 0).
            data.get_mut(48..50)?.copy_from_slice(&2u16.to_be_bytes());
            head = Some(out.len());
        }
        // Table checksums are recomputed: some collections carry stale ones.
        let at = 12 + 16 * t;
        out[at + 4..at + 8].copy_from_slice(&checksum(&data).to_be_bytes());
        let new_offset = out.len() as u32;
        out[at + 8..at + 12].copy_from_slice(&new_offset.to_be_bytes());
        out.extend_from_slice(&data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    // The whole-font checksum in `head` (checkSumAdjustment): 0xB1B0AFBA minus the font's sum.
    let adjust = head? + 8;
    let value = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    out[adjust..adjust + 4].copy_from_slice(&value.to_be_bytes());
    Some(out)
}

/// The OpenType checksum: the sum of big-endian 32-bit words, the last one zero-padded.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.chunks(4).fold(0u32, |acc, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(w))
    })
}

/// The CJK face, copied out of the collection once.
fn cjk_face() -> &'static [u8] {
    static FACE: OnceLock<Vec<u8>> = OnceLock::new();
    FACE.get_or_init(|| collection_face(WQY, 0).unwrap_or_default())
}

/// The characters a page shows: its text outside tags, the `<style>` block and entities decoded.
pub fn page_chars(html: &str) -> BTreeSet<char> {
    let mut text = String::with_capacity(html.len() / 4);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = if rest.starts_with("<style") {
            rest.find("</style>").map(|e| e + 8)
        } else {
            rest.find('>').map(|e| e + 1)
        };
        rest = &rest[end.unwrap_or(rest.len())..];
    }
    text.push_str(rest);
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let mut chars: BTreeSet<char> = text.chars().filter(|c| !c.is_control()).collect();
    // Digits, signs and brackets always: numbers are what reports are made of.
    chars.extend("0123456789+−-–.,%()[]: ".chars());
    chars
}

/// A subset as a data URI `@font-face` rule; nothing when no character is covered.
fn face_rule(font: &[u8], family: &str, weight: u16, chars: &BTreeSet<char>) -> Option<(String, usize)> {
    let font = Font::opentype(font).ok()?;
    let covered: BTreeSet<char> = chars.iter().copied().filter(|c| font.contains_char(*c)).collect();
    if covered.is_empty() {
        return None;
    }
    let bytes = font.subset(&covered).ok()?.to_opentype();
    let rule = format!(
        "@font-face {{ font-family: \"{family}\"; font-weight: {weight}; font-style: normal; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n",
        base64::encode(&bytes)
    );
    Some((rule, bytes.len()))
}

/// The `@font-face` rule for a page's characters, and the embedded font's size in bytes.
pub fn font_faces(chars: &BTreeSet<char>) -> (String, usize) {
    face_rule(cjk_face(), FAMILY, 400, chars).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_s_first_face_is_a_font_that_covers_chinese() {
        let face = collection_face(WQY, 0).expect("face 0 of the bundled collection");
        let font = Font::opentype(&face).expect("a standalone font");
        for c in "未获学位儿童专利授权".chars() {
            assert!(font.contains_char(c), "{c}");
        }
        assert!(collection_face(WQY, 9).is_none());
        assert!(collection_face(crate::chart::fonts::DEJAVU, 0).is_none(), "not a collection");
    }

    #[test]
    fn the_subsets_cover_every_character_of_the_page() {
        let html = "<html><style>body { x: y }</style><h1 title=\"属性\">核心指标 &amp; R&amp;D</h1><img src=\"data:zzz\"></html>";
        let chars = page_chars(html);
        assert!(chars.contains(&'核') && chars.contains(&'&') && !chars.contains(&'属') && !chars.contains(&'{'));
        let (css, size) = font_faces(&chars);
        assert_eq!(css.matches("@font-face").count(), 1);
        assert!(css.contains("font-family: \"Corridor Sans\""));
        assert!(size < 60_000, "a subset is small: {size} bytes");
        // Each subset, decoded back, maps every character it is meant for.
        let rest: Vec<char> = "核心指标".chars().collect();
        let face = cjk_face();
        let cjk = Font::opentype(face).unwrap().subset(&rest.iter().copied().collect()).unwrap().to_opentype();
        let back = Font::opentype(&cjk).unwrap();
        assert!(rest.iter().all(|c| back.contains_char(*c)));
    }
}
