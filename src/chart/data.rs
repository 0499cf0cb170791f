//! Reading the files of an output folder (CSV and JSON), with errors that name the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::ChartError;

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

/// Split one CSV line into fields; double quotes may enclose a field (with `""` for a quote).
fn split_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_start => {
                quoted = true;
                at_start = false;
            }
            (true, '"') => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    quoted = false;
                }
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut cur).trim().to_string());
                at_start = true;
            }
            (_, c) => {
                cur.push(c);
                if !c.is_whitespace() {
                    at_start = false;
                }
            }
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(cur.trim().to_string());
    Ok(fields)
}

/// A CSV file with a header: rows keep their line numbers for error messages.
#[derive(Debug, Clone)]
pub(crate) struct Csv {
    pub path: PathBuf,
    pub header: Vec<String>,
    /// `(line number, fields)`; every row has as many fields as the header.
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Csv {
    pub fn read(path: &Path) -> Result<Csv, ChartError> {
        let text = read_text(path)?;
        Csv::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Csv, ChartError> {
        let err = |line: usize, message: String| ChartError::Csv { path: path.to_path_buf(), line, message };
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}')))
            .filter(|(_, l)| !l.trim().is_empty());
        let (hline, htext) = lines.next().ok_or_else(|| err(1, "empty file, expected a header row".into()))?;
        let header = split_line(htext).map_err(|m| err(hline, m))?;
        if header.iter().any(|h| h.is_empty()) {
            return Err(err(hline, "empty column name in header".into()));
        }
        let mut rows = Vec::new();
        for (n, l) in lines {
            let fields = split_line(l).map_err(|m| err(n, m))?;
            if fields.len() != header.len() {
                return Err(err(
                    n,
                    format!("expected {} fields as in the header, found {}", header.len(), fields.len()),
                ));
            }
            rows.push((n, fields));
        }
        Ok(Csv { path: path.to_path_buf(), header, rows })
    }

    /// Index of a column, or an error naming the file and the column.
    pub fn column(&self, name: &str) -> Result<usize, ChartError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| ChartError::Csv {
            path: self.path.clone(),
            line: 1,
            message: format!("missing column `{name}`"),
        })
    }

    /// Parse a field as a number (empty, `NA` and `NaN` give NaN).
    pub fn number(&self, line: usize, field: &str, column: &str) -> Result<f64, ChartError> {
        parse_number(field).ok_or_else(|| ChartError::Csv {
            path: self.path.clone(),
            line,
            message: format!("column `{column}`: `{field}` is not a number"),
        })
    }
}

fn parse_number(field: &str) -> Option<f64> {
    match field {
        "" | "NA" | "na" | "NaN" | "nan" | "null" => Some(f64::NAN),
        "true" => Some(1.0),
        "false" => Some(0.0),
        f => f.parse::<f64>().ok(),
    }
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
        let csv = Csv::read(path)?;
        let mut data = vec![Vec::with_capacity(csv.rows.len()); csv.header.len()];
        for (line, fields) in &csv.rows {
            for (i, f) in fields.iter().enumerate() {
                data[i].push(csv.number(*line, f, &csv.header[i])?);
            }
        }
        Ok(Table { path: csv.path, columns: csv.header, data })
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
        let err = |line: usize, message: String| ChartError::Csv { path: path.to_path_buf(), line, message };
        let mut values = Vec::new();
        let mut width = None;
        let mut height = 0;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let n = i + 1;
            let mut count = 0;
            for f in line.split(',') {
                let f = f.trim();
                values.push(parse_number(f).ok_or_else(|| err(n, format!("`{f}` is not a number")))?);
                count += 1;
            }
            match width {
                None => width = Some(count),
                Some(w) if w != count => {
                    return Err(err(n, format!("expected {w} values as in line 1, found {count}")))
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

/// `world.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct World {
    pub width: usize,
    pub height: usize,
    #[serde(default = "one")]
    pub cell_km: f64,
    #[serde(default)]
    pub start_year: Option<i32>,
    #[serde(default)]
    pub districts: Vec<District>,
    #[serde(default)]
    pub hubs: Vec<Hub>,
    #[serde(default)]
    pub transit_lines: Vec<TransitLine>,
    #[serde(default)]
    pub labs: Vec<Lab>,
    #[serde(default)]
    pub tiers: Vec<String>,
    #[serde(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    pub levers: Vec<String>,
    /// Chinese names, aligned with `tiers`, `sectors` and `levers` (empty where absent).
    #[serde(default)]
    pub tiers_zh: Vec<String>,
    #[serde(default)]
    pub sectors_zh: Vec<String>,
    #[serde(default)]
    pub levers_zh: Vec<String>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct District {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Hub {
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TransitLine {
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub stations: Vec<[f64; 2]>,
    #[serde(default)]
    pub open_year: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Lab {
    pub x: f64,
    pub y: f64,
    #[serde(default)]
    pub open_year: Option<i32>,
}

impl World {
    pub fn read(path: &Path) -> Result<World, ChartError> {
        let w: World = read_json(path)?;
        let bad = |message: String| ChartError::Invalid { path: path.to_path_buf(), message };
        if w.width == 0 || w.height == 0 || w.width > 4000 || w.height > 4000 {
            return Err(bad(format!("unusable grid size {}x{}", w.width, w.height)));
        }
        if !(w.cell_km.is_finite() && w.cell_km > 0.0) {
            return Err(bad(format!("cell_km must be positive, found {}", w.cell_km)));
        }
        Ok(w)
    }
}

/// `compare.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CompareInfo {
    pub base: String,
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    pub reps: Option<u64>,
    #[serde(default)]
    pub seed: Option<serde_json::Value>,
    #[serde(default)]
    pub kpis: Vec<String>,
    #[serde(default)]
    pub start_year: Option<i32>,
    #[serde(default)]
    pub years: Option<u64>,
}

/// `compare.csv` grouped as KPI → scenario → year → values over replications.
pub(crate) type CompareValues = BTreeMap<String, BTreeMap<String, BTreeMap<i32, Vec<f64>>>>;

pub(crate) fn read_compare_values(path: &Path) -> Result<CompareValues, ChartError> {
    let csv = Csv::read(path)?;
    let (si, yi, ki, vi) = (csv.column("scenario")?, csv.column("year")?, csv.column("kpi")?, csv.column("value")?);
    let mut out: CompareValues = BTreeMap::new();
    for (line, f) in &csv.rows {
        let year = csv.number(*line, &f[yi], "year")?;
        if !year.is_finite() || year.abs() > 1e6 {
            return Err(ChartError::Csv {
                path: csv.path.clone(),
                line: *line,
                message: format!("column `year`: `{}` is not a year", f[yi]),
            });
        }
        let value = csv.number(*line, &f[vi], "value")?;
        out.entry(f[ki].clone())
            .or_default()
            .entry(f[si].clone())
            .or_default()
            .entry(year.round() as i32)
            .or_default()
            .push(value);
    }
    Ok(out)
}

/// One row of `effects.csv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Effect {
    pub variant: String,
    pub kpi: String,
    pub base_mean: f64,
    pub variant_mean: f64,
    pub diff_mean: f64,
    pub diff_ci_low: f64,
    pub diff_ci_high: f64,
    pub rel_change: f64,
    pub public_cost_diff: f64,
    pub cost_per_unit: f64,
}

pub(crate) fn read_effects(path: &Path) -> Result<Vec<Effect>, ChartError> {
    let csv = Csv::read(path)?;
    let names = [
        "variant",
        "kpi",
        "base_mean",
        "variant_mean",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "rel_change",
        "public_cost_diff",
        "cost_per_unit",
    ];
    let mut idx = [0usize; 10];
    for (i, n) in names.iter().enumerate() {
        idx[i] = csv.column(n)?;
    }
    let mut out = Vec::with_capacity(csv.rows.len());
    for (line, f) in &csv.rows {
        let num = |i: usize| csv.number(*line, &f[idx[i]], names[i]);
        out.push(Effect {
            variant: f[idx[0]].clone(),
            kpi: f[idx[1]].clone(),
            base_mean: num(2)?,
            variant_mean: num(3)?,
            diff_mean: num(4)?,
            diff_ci_low: num(5)?,
            diff_ci_high: num(6)?,
            rel_change: num(7)?,
            public_cost_diff: num(8)?,
            cost_per_unit: num(9)?,
        });
    }
    Ok(out)
}

/// `sweep.json`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SweepInfo {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub base: String,
    #[serde(default)]
    pub design: String,
    #[serde(default)]
    pub parameters: Vec<SweepParam>,
    #[serde(default)]
    pub replications: Option<u64>,
    #[serde(default)]
    pub kpis: Vec<String>,
    #[serde(default)]
    pub points: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SweepParam {
    pub path: String,
    #[serde(default)]
    pub values: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub baseline: Option<serde_json::Value>,
}

impl SweepParam {
    pub fn baseline_number(&self) -> Option<f64> {
        self.baseline.as_ref().and_then(json_number)
    }
}

/// A JSON number or boolean as f64.
pub(crate) fn json_number(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// One row of `tornado.csv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TornadoRow {
    pub parameter: String,
    pub kpi: String,
    pub low: f64,
    pub high: f64,
    pub kpi_low: f64,
    pub kpi_high: f64,
    pub kpi_base: f64,
}

pub(crate) fn read_tornado(path: &Path) -> Result<Vec<TornadoRow>, ChartError> {
    let csv = Csv::read(path)?;
    let names = ["parameter", "kpi", "low", "high", "kpi_low", "kpi_high", "kpi_base"];
    let mut idx = [0usize; 7];
    for (i, n) in names.iter().enumerate() {
        idx[i] = csv.column(n)?;
    }
    let mut out = Vec::new();
    for (line, f) in &csv.rows {
        let num = |i: usize| csv.number(*line, &f[idx[i]], names[i]);
        out.push(TornadoRow {
            parameter: f[idx[0]].clone(),
            kpi: f[idx[1]].clone(),
            low: num(2)?,
            high: num(3)?,
            kpi_low: num(4)?,
            kpi_high: num(5)?,
            kpi_base: num(6)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines() {
        assert_eq!(split_line("a, \"b,c\" ,d").unwrap(), vec!["a", "b,c", "d"]);
        assert_eq!(split_line("\"x\"\"y\"").unwrap(), vec!["x\"y"]);
        assert!(split_line("\"open").is_err());
        let p = Path::new("t.csv");
        let e = Csv::parse(p, "a,b\n1,2\n3\n").unwrap_err().to_string();
        assert_eq!(e, "t.csv:3: expected 2 fields as in the header, found 1");
    }
}
