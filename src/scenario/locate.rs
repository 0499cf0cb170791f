//! Where a field is in a TOML text: the one locator of scenario files and sweep files, so that
//! every error can name `file:line:column`.

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|s| s.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Byte offset of the key (or array element) at a field path: tables by key, array elements by
/// index or by their `name`. `None` when the text does not set that path.
pub fn span_of<S: AsRef<str>>(text: &str, segs: &[S]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut start = doc.span().start;
    let mut table: Option<&DeTable> = Some(doc.get_ref());
    let mut value: Option<&DeValue> = None;
    for seg in segs {
        let seg = seg.as_ref();
        if let Some(t) = table {
            let (k, v) = t.iter().find(|(k, _)| k.get_ref().as_ref() == seg)?;
            start = k.span().start;
            value = Some(v.get_ref());
        } else if let Some(DeValue::Array(a)) = value {
            let item = match seg.parse::<usize>() {
                Ok(i) => a.get(i)?,
                Err(_) => a.iter().find(|x| match x.get_ref() {
                    DeValue::Table(t) => t.iter().any(|(k, v)| {
                        k.get_ref().as_ref() == "name" && matches!(v.get_ref(), DeValue::String(s) if s.as_ref() == seg)
                    }),
                    _ => false,
                })?,
            };
            start = item.span().start;
            value = Some(item.get_ref());
        } else {
            return None;
        }
        table = match value {
            Some(DeValue::Table(t)) => Some(t),
            _ => None,
        };
    }
    Some(start)
}

/// Line and column of a field path, or of its innermost parent that the text sets.
pub fn nearest<S: AsRef<str>>(text: &str, segs: &[S]) -> Option<(usize, usize)> {
    (1..=segs.len()).rev().find_map(|cut| span_of(text, &segs[..cut])).map(|offset| line_col(text, offset))
}

/// The segments of a dotted field path as serde_path_to_error prints it (`a.b[0].c` or `a.b.0.c`).
pub fn segments(field: &str) -> Vec<String> {
    field
        .replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty() && *s != "?")
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a = 1\n[[hubs]]\nname = \"x\"\nr = 2\n[[hubs]]\nname = \"y\"\nr = 3\n";

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("a\nbc\n", 3), (2, 2));
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("é", 1), (1, 1));
    }

    #[test]
    fn array_elements_by_index_and_by_name() {
        assert_eq!(nearest(TEXT, &["hubs", "1", "r"]), Some((7, 1)));
        assert_eq!(nearest(TEXT, &["hubs", "x", "r"]), Some((4, 1)));
        // Falls back to the innermost parent that is set.
        assert_eq!(nearest(TEXT, &["hubs", "y", "missing"]), Some((5, 1)));
        assert_eq!(nearest(TEXT, &["nothing"]), None);
    }

    #[test]
    fn serde_paths_become_segments() {
        assert_eq!(segments("transit.lines[0].stations[1]"), ["transit", "lines", "0", "stations", "1"]);
        assert_eq!(segments("parameters.0.path"), ["parameters", "0", "path"]);
    }
}
