//! Reading the files of an output folder (CSV and JSON), with errors that name the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::ChartError;
use crate::output::{csv_num, CompareRow, WorldJson};

/// Read a whole text file; a missing file is [`ChartError::MissingFile`].
pub(crate) fn read_text(path: &Path) -> Result<String, ChartError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| ChartError::Invalid { path: path.to_path_buf(), message: "not UTF-8 text".into() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ChartError::MissingFile { path: path.to_path_buf() }),
        Err(e) => Err(ChartError::Read { path: path.to_path_buf(), source: e }),
    }
}

/// Read and deserialize a JSON file.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ChartError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| ChartError::Json { path: path.to_path_buf(), source: e })
}

/// A CSV reader over text: fields trimmed, every record as long as the first unless `flexible`.
fn csv_reader(text: &str, has_headers: bool, flexible: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(flexible)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

/// A CSV error as [`ChartError::Csv`], naming the column (and the bad field of `record`) where
/// there is one.
fn csv_error(
    path: &Path,
    e: &csv::Error,
    header: Option<&csv::StringRecord>,
    record: Option<&csv::StringRecord>,
) -> ChartError {
    let line = e.position().or(record.and_then(|r| r.position())).map_or(1, |p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match (err.field(), header) {
            (Some(i), Some(h)) => {
                let column = h.get(i as usize).unwrap_or("?");
                match (err.kind(), record.and_then(|r| r.get(i as usize))) {
                    (
                        csv::DeserializeErrorKind::ParseFloat(_) | csv::DeserializeErrorKind::ParseInt(_),
                        Some(field),
                    ) => format!("column `{column}`: `{field}` is not a number"),
                    (kind, _) => format!("column `{column}`: {kind}"),
                }
            }
            _ => err.kind().to_string(),
        },
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("expected {expected_len} fields as in the header, found {len}")
        }
        _ => e.to_string(),
    };
    ChartError::Csv { path: path.to_path_buf(), line, message }
}

/// The header of a CSV file; an empty file or an empty column name is an error.
fn read_header(path: &Path, reader: &mut csv::Reader<&[u8]>) -> Result<csv::StringRecord, ChartError> {
    let header = reader.headers().map_err(|e| csv_error(path, &e, None, None))?.clone();
    let err = |message: &str| ChartError::Csv { path: path.to_path_buf(), line: 1, message: message.into() };
    if header.is_empty() {
        return Err(err("empty file, expected a header row"));
    }
    if header.iter().any(str::is_empty) {
        return Err(err("empty column name in header"));
    }
    Ok(header)
}

/// The rows of a CSV file of typed rows ([`crate::output::files`]): a missing column or a bad
/// field is an error naming the file, the line and the column.
pub(crate) fn read_rows<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, ChartError> {
    let text = read_text(path)?;
    let mut reader = csv_reader(&text, true, false);
    let header = read_header(path, &mut reader)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &e, Some(&header), None))?;
        rows.push(record.deserialize(Some(&header)).map_err(|e| csv_error(path, &e, Some(&header), Some(&record)))?);
    }
    Ok(rows)
}

/// A field as a number (empty is NaN), or an error naming the file, line and column.
fn number(path: &Path, line: u64, field: &str, column: &str) -> Result<f64, ChartError> {
    csv_num::parse(field).ok_or_else(|| ChartError::Csv {
        path: path.to_path_buf(),
        line: line as usize,
        message: format!("column `{column}`: `{field}` is not a number"),
    })
}

/// A CSV file whose fields are all numbers, stored column by column.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub path: PathBuf,
    pub columns: Vec<String>,
    pub data: Vec<Vec<f64>>,
}

impl Table {
    pub fn read(path: &Path) -> Result<Table, ChartError> {
        let text = read_text(path)?;
        let mut reader = csv_reader(&text, true, false);
        let header = read_header(path, &mut reader)?;
        let mut data = vec![Vec::new(); header.len()];
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(path, &e, Some(&header), None))?;
            let line = record.position().map_or(0, |p| p.line());
            for (i, f) in record.iter().enumerate() {
                data[i].push(number(path, line, f, &header[i])?);
            }
        }
        Ok(Table { path: path.to_path_buf(), columns: header.iter().map(str::to_string).collect(), data })
    }

    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.columns.iter().position(|c| c == name).map(|i| self.data[i].as_slice())
    }

    pub fn require(&self, name: &str) -> Result<&[f64], ChartError> {
        self.get(name).ok_or_else(|| ChartError::Csv {
            path: self.path.clone(),
            line: 1,
            message: format!("missing column `{name}`"),
        })
    }
}

/// A grid of cells (`layers/*.csv`): `height` rows of `width` numbers, row 0 is north.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub width: usize,
    pub height: usize,
    pub values: Vec<f64>,
}

impl Grid {
    /// Read a headerless grid; when `shape` is given the grid must have it.
    pub fn read(path: &Path, shape: Option<(usize, usize)>) -> Result<Grid, ChartError> {
        let text = read_text(path)?;
        let err =
            |line: u64, message: String| ChartError::Csv { path: path.to_path_buf(), line: line as usize, message };
        let mut values = Vec::new();
        let mut width = None;
        let mut height = 0;
        for record in csv_reader(&text, false, true).records() {
            let record = record.map_err(|e| csv_error(path, &e, None, None))?;
            let n = record.position().map_or(0, |p| p.line());
            for f in &record {
                values.push(csv_num::parse(f).ok_or_else(|| err(n, format!("`{f}` is not a number")))?);
            }
            match width {
                None => width = Some(record.len()),
                Some(w) if w != record.len() => {
                    return Err(err(n, format!("expected {w} values as in line 1, found {}", record.len())))
                }
                Some(_) => {}
            }
            height += 1;
        }
        let width = width.ok_or_else(|| err(1, "empty grid".into()))?;
        if let Some((w, h)) = shape {
            if (w, h) != (width, height) {
                return Err(ChartError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("grid is {width}x{height} cells, world.json says {w}x{h}"),
                });
            }
        }
        Ok(Grid { width, height, values })
    }

    pub fn at(&self, x: usize, y: usize) -> f64 {
        self.values.get(y * self.width + x).copied().unwrap_or(f64::NAN)
    }
}

/// `world.json`, with a usable grid.
pub(crate) fn read_world(path: &Path) -> Result<WorldJson, ChartError> {
    let w: WorldJson = read_json(path)?;
    let bad = |message: String| ChartError::Invalid { path: path.to_path_buf(), message };
    if w.width == 0 || w.height == 0 || w.width > 4000 || w.height > 4000 {
        return Err(bad(format!("unusable grid size {}x{}", w.width, w.height)));
    }
    if !(w.cell_km.is_finite() && w.cell_km > 0.0) {
        return Err(bad(format!("cell_km must be positive, found {}", w.cell_km)));
    }
    Ok(w)
}

/// `compare.csv` grouped as KPI → scenario → year → values by replication.
pub(crate) type CompareValues = BTreeMap<String, BTreeMap<String, BTreeMap<i32, Vec<f64>>>>;

pub(crate) fn read_compare_values(path: &Path) -> Result<CompareValues, ChartError> {
    let mut out: CompareValues = BTreeMap::new();
    for r in read_rows::<CompareRow>(path)? {
        // Replication i at index i (NaN where one is missing), so that scenarios pair up.
        let reps = out.entry(r.kpi).or_default().entry(r.scenario).or_default().entry(r.year).or_default();
        let i = r.replication as usize;
        if i >= 100_000 {
            return Err(ChartError::Invalid {
                path: path.to_path_buf(),
                message: format!("replication {i} is beyond any comparison corridor writes"),
            });
        }
        if reps.len() <= i {
            reps.resize(i + 1, f64::NAN);
        }
        reps[i] = r.value;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::TornadoRow;

    fn scratch(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("corridor-data-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn csv_fields_and_errors() {
        let p = scratch("t.csv", "a,b\n1,\"2\"\n,3\n");
        let t = Table::read(&p).unwrap();
        assert_eq!(t.get("b").unwrap(), &[2.0, 3.0]);
        assert!(t.get("a").unwrap()[1].is_nan(), "an empty field is NaN");
        let p = scratch("short.csv", "a,b\n1,2\n3\n");
        let e = Table::read(&p).unwrap_err().to_string();
        assert!(e.ends_with("short.csv:3: expected 2 fields as in the header, found 1"), "{e}");
        let p = scratch("word.csv", "a,b\n1,2\n3,x\n");
        let e = Table::read(&p).unwrap_err().to_string();
        assert!(e.ends_with("word.csv:3: column `b`: `x` is not a number"), "{e}");
    }

    #[test]
    fn typed_rows_name_the_missing_column_and_the_bad_field() {
        let p = scratch("tornado.csv", "parameter,kpi,low,high,kpi_low,kpi_base\nx,y,1,2,3,4\n");
        let e = read_rows::<TornadoRow>(&p).unwrap_err().to_string();
        assert!(e.contains("tornado.csv:2") && e.contains("missing field `kpi_high`"), "{e}");
        let p = scratch("compare.csv", "scenario,replication,year,kpi,value\n\"a, b\",0,2022,talent,x\n");
        let e = read_rows::<CompareRow>(&p).unwrap_err().to_string();
        assert!(e.contains("compare.csv:2: column `value`: `x` is not a number"), "{e}");
    }
}
