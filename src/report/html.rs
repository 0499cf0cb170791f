//! Minimal HTML building: escaping, tables and the page shell with inline CSS.

use crate::chart::Lang;

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text in which `code` in backticks (as the Markdown files and the registry write it)
/// is set as code.
pub fn prose(s: &str) -> String {
    let mut h = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            h.push_str(&format!("<code>{part}</code>"));
        } else {
            h.push_str(part);
        }
    }
    h
}

/// A table cell: text (escaped) and whether it is numeric (right-aligned).
pub struct Cell {
    pub text: String,
    pub numeric: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), numeric: false }
    }
    pub fn num(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), numeric: true }
    }
}

/// An HTML table with a header row.
pub fn table(header: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut h = String::from("<table>\n<thead><tr>");
    for (i, c) in header.iter().enumerate() {
        // Align a header like its column.
        let numeric = rows.first().and_then(|r| r.get(i)).is_some_and(|c| c.numeric);
        let class = if numeric { " class=\"num\"" } else { "" };
        h.push_str(&format!("<th{class}>{}</th>", esc(c)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for c in row {
            let class = if c.numeric { " class=\"num\"" } else { "" };
            h.push_str(&format!("<td{class}>{}</td>", prose(&c.text)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// A table as wide as the page, its columns sharing the width and long cells wrapping, for tables
/// with many or long columns.
pub fn fitted_table(header: &[&str], rows: &[Vec<Cell>]) -> String {
    table(header, rows).replacen("<table>", "<table class=\"full\">", 1)
}

/// A two-column key/value table.
pub fn facts(rows: &[(String, String)]) -> String {
    let mut h = String::from("<table class=\"facts\">\n<tbody>\n");
    for (k, v) in rows {
        h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), esc(v)));
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f2; color: #222; font: 15px/1.5 "Corridor Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 32px 28px 48px; background: #fff; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid #0072B2; }
p.lede { color: #555; margin: 0 0 20px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { padding: 5px 10px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
table.full { width: 100%; table-layout: fixed; font-size: 12px; }
table.full td, table.full th { padding: 4px 5px; overflow-wrap: anywhere; white-space: normal; }
div.wide { max-width: 100%; overflow-x: auto; }
p.draw { background: #fff6e0; border-left: 4px solid #E69F00; padding: 8px 12px; }
details > summary { cursor: pointer; font-weight: 600; margin: 24px 0 8px; }
h3 { font-size: 17px; margin: 24px 0 8px; }
thead th { background: #eef3f7; border-bottom: 2px solid #b9c8d4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { background: none; font-weight: 600; color: #444; width: 14em; }
figure { margin: 18px 0 28px; page-break-inside: avoid; break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { color: #555; font-size: 13px; margin-top: 6px; }
details pre { background: #f7f7f7; padding: 10px; overflow-x: auto; font-size: 12px; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
.note { color: #777; font-style: italic; }
code, pre { font-family: monospace, "Corridor Sans"; } /* the embedded face covers what a system monospace lacks (Chinese) */
code { font-size: 0.92em; background: #f3f3f1; padding: 0 3px; font-style: normal; }
@media print { body { background: #fff; } main { padding: 0; } h2 { page-break-after: avoid; } }
"#;

/// Wrap a body in a complete, self-contained page, with subsets of the bundled fonts for every
/// character it shows embedded ([`super::fonts`]).
pub fn page(lang: Lang, title: &str, body: &str) -> String {
    let code = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let title = esc(title);
    let mut chars = super::fonts::page_chars(body);
    chars.extend(super::fonts::page_chars(&title));
    let (faces, _) = super::fonts::font_faces(&chars);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{faces}{CSS}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("<a href=\"x\">R&D</a>"), "&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt;");
        assert_eq!(
            prose("rate `output.discount_rate` & <b>"),
            "rate <code>output.discount_rate</code> &amp; &lt;b&gt;"
        );
    }
}
