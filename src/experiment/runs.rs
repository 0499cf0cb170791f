//! Runs of a sweep: identities (run id, point, replication, seed), shards, and the rows of
//! `runs.csv` as text, including reading back a file cut short by an interruption.

use super::design::Design;
use super::seeds::sweep_seed;
use super::spec::SweepSpec;
use crate::output::{csv_line, fmt_num};

/// One run's identity. `run_id = point * replications + replication`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunKey {
    pub run_id: u64,
    pub point: u64,
    pub replication: u32,
    pub seed: u64,
}

/// Every run of a sweep, by run id.
pub fn run_keys(spec: &SweepSpec, design: &Design) -> Vec<RunKey> {
    let reps = spec.replications as u64;
    (0..design.points.len() as u64 * reps)
        .map(|run_id| {
            let point = run_id / reps;
            let replication = (run_id % reps) as u32;
            RunKey { run_id, point, replication, seed: sweep_seed(spec.seed, point, replication, spec.common_seeds) }
        })
        .collect()
}

/// One of `count` disjoint slices of the run ids: those with `run_id % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` (0 <= I < N).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
    pub fn contains(&self, run_id: u64) -> bool {
        run_id % self.count == self.index
    }
}

/// The header of `runs.csv` (with its newline).
pub fn header(spec: &SweepSpec) -> String {
    csv_line(header_fields(spec))
}

fn header_fields(spec: &SweepSpec) -> Vec<String> {
    let mut cols = vec!["run_id".to_string(), "point".into(), "replication".into(), "seed".into()];
    cols.extend(spec.parameters.iter().map(|p| p.path.clone()));
    cols.extend(spec.kpis.iter().cloned());
    cols
}

/// The identity columns and parameter values of a run: the start of its row (no newline).
pub fn row_prefix(key: &RunKey, values: &[f64]) -> String {
    without_newline(csv_line(prefix_fields(key, values)))
}

fn prefix_fields(key: &RunKey, values: &[f64]) -> Vec<String> {
    let ids = [key.run_id, key.point, key.replication as u64, key.seed].map(|v| v.to_string());
    ids.into_iter().chain(values.iter().map(|v| fmt_num(*v))).collect()
}

/// A complete `runs.csv` line (with its newline) for a finished run.
pub fn row_line(key: &RunKey, values: &[f64], kpis: &[f64]) -> String {
    let mut fields = prefix_fields(key, values);
    fields.extend(kpis.iter().map(|v| fmt_num(*v)));
    csv_line(fields)
}

fn without_newline(mut line: String) -> String {
    line.truncate(line.trim_end_matches('\n').len());
    line
}

/// A row read back from `runs.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    pub run_id: u64,
    pub point: u64,
    pub replication: u32,
    /// The whole line without its newline (rows are rewritten as they were read).
    pub line: String,
    pub params: Vec<f64>,
    /// Final-year KPI values (NaN where empty).
    pub kpis: Vec<f64>,
}

/// The rows of a `runs.csv` text. A last line without a newline (torn by an interruption) is
/// dropped; `torn` says whether there was one. Any other malformed line is an error.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<RunRow>,
    pub torn: bool,
}

/// Reads `runs.csv` text written for `spec`; the header must match.
pub fn parse_runs(spec: &SweepSpec, text: &str) -> Result<Parsed, String> {
    let want = header_fields(spec);
    let n_params = spec.parameters.len();
    let (records, torn) = complete_records(text)?;
    let mut rows = Vec::new();
    for (i, record) in records.into_iter().enumerate() {
        let line_no = record.position().map_or(i as u64 + 1, |p| p.line());
        let bad = |what: &str| format!("line {line_no}: {what}");
        let line = without_newline(csv_line(&record));
        if i == 0 {
            if record.iter().ne(want.iter()) {
                return Err(format!("its header is `{line}`, but this sweep writes `{}`", csv_line(&want).trim_end()));
            }
            continue;
        }
        if record.len() != want.len() {
            return Err(bad(&format!("{} fields, expected {}", record.len(), want.len())));
        }
        let num = |s: &str| -> Result<f64, String> {
            crate::output::csv_num::parse(s).ok_or_else(|| bad(&format!("`{s}` is not a number")))
        };
        let fields: Vec<&str> = record.iter().collect();
        rows.push(RunRow {
            run_id: fields[0].parse().map_err(|_| bad("bad run_id"))?,
            point: fields[1].parse().map_err(|_| bad("bad point"))?,
            replication: fields[2].parse().map_err(|_| bad("bad replication"))?,
            line,
            params: fields[4..4 + n_params].iter().map(|s| num(s)).collect::<Result<_, _>>()?,
            kpis: fields[4 + n_params..].iter().map(|s| num(s)).collect::<Result<_, _>>()?,
        });
    }
    Ok(Parsed { rows, torn })
}

/// The CSV records of a file of streamed rows, header first, without a last line cut short by an
/// interruption (`torn` says whether there was one).
pub fn complete_records(text: &str) -> Result<(Vec<csv::StringRecord>, bool), String> {
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(complete.as_bytes());
    let records = reader.records().collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    Ok((records, complete.len() < text.len()))
}

/// Sorts rows by run id and removes exact duplicates; two different rows for one run id are an
/// error (they come from different sweeps).
pub fn sort_dedup(mut rows: Vec<RunRow>) -> Result<Vec<RunRow>, String> {
    rows.sort_by_key(|r| r.run_id);
    let mut out: Vec<RunRow> = Vec::with_capacity(rows.len());
    for r in rows {
        match out.last() {
            Some(last) if last.run_id == r.run_id => {
                if last.line != r.line {
                    return Err(format!("run {} has two different rows:\n  {}\n  {}", r.run_id, last.line, r.line));
                }
            }
            _ => out.push(r),
        }
    }
    Ok(out)
}

/// The whole `runs.csv` text for sorted rows.
pub fn runs_text(spec: &SweepSpec, rows: &[RunRow]) -> String {
    let mut s = header(spec);
    for r in rows {
        s.push_str(&r.line);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::spec::{DesignKind, Parameter};

    fn spec() -> SweepSpec {
        SweepSpec {
            name: "t".into(),
            base: "b.toml".into(),
            design: DesignKind::Grid,
            samples: None,
            trajectories: None,
            levels: None,
            replications: 2,
            seed: 1,
            common_seeds: true,
            years: None,
            set: vec![],
            kpis: vec!["k".into()],
            parameters: vec![Parameter {
                path: "a".into(),
                values: Some(vec![1.0, 2.0]),
                min: None,
                max: None,
                steps: None,
                baseline: None,
                integer: false,
            }],
        }
    }

    #[test]
    fn torn_last_line_is_dropped() {
        let s = spec();
        let text = format!("{}0,0,0,5,1,3.5\n1,0,1,6,1,", header(&s));
        let p = parse_runs(&s, &text).unwrap();
        assert!(p.torn);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].kpis, vec![3.5]);
    }

    #[test]
    fn shards_partition_run_ids() {
        let sh = Shard::parse("1/3").unwrap();
        assert!(sh.contains(4) && !sh.contains(3));
        assert!(Shard::parse("3/3").is_err() && Shard::parse("x").is_err());
    }
}
