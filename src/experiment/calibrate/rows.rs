//! The rows of `calibration.csv`: one per evaluated parameter set, every number written exactly
//! ([`fmt_exact`]) so that the rows read back after an interruption drive the sampler exactly as
//! the values in memory would have; reading back a file cut short by an interruption.

use super::abc::{distance, Evaluated, Proposal};
use super::targets::{CalibrationSpec, ROW_COLUMNS};
use crate::experiment::runs::complete_records;
use crate::output::{csv_line, csv_num, fmt_exact};
use crate::RunResult;

/// The columns of `calibration.csv`: generation, particle, seed (of the first replication), the
/// parameter paths, distance, then the target names.
pub fn header_fields(spec: &CalibrationSpec) -> Vec<String> {
    let mut cols: Vec<String> = ROW_COLUMNS[..3].iter().map(|c| c.to_string()).collect();
    cols.extend(spec.parameters.iter().map(|p| p.path.clone()));
    cols.push(ROW_COLUMNS[3].into());
    cols.extend(spec.targets.iter().map(|t| t.name.clone()));
    cols
}

/// The header line (with its newline).
pub fn header(spec: &CalibrationSpec) -> String {
    csv_line(header_fields(spec))
}

fn prefix_fields(p: &Proposal) -> Vec<String> {
    let mut f = vec![p.generation.to_string(), p.particle.to_string(), p.seeds[0].to_string()];
    f.extend(p.values.iter().map(|v| fmt_exact(*v)));
    f
}

/// What a proposal's row starts with (its identity and parameter values), with the comma after.
pub fn prefix(p: &Proposal) -> String {
    let line = csv_line(prefix_fields(p));
    format!("{},", line.trim_end_matches('\n'))
}

/// The statistics of a parameter set: each target's statistic, the mean over its replications.
pub fn statistics(spec: &CalibrationSpec, runs: &[RunResult]) -> Vec<f64> {
    spec.targets.iter().map(|t| runs.iter().map(|r| t.value(r)).sum::<f64>() / runs.len() as f64).collect()
}

/// A complete row (with its newline) for a proposal's statistics.
pub fn row_line(spec: &CalibrationSpec, p: &Proposal, stats: &[f64]) -> String {
    let mut f = prefix_fields(p);
    f.push(fmt_exact(distance(spec, stats)));
    f.extend(stats.iter().map(|v| fmt_exact(*v)));
    csv_line(f)
}

/// A row read back, and its text (without the newline).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub evaluated: Evaluated,
    pub line: String,
}

/// The rows of a `calibration.csv` text written for `spec`; a last line without its newline
/// (torn by an interruption) is dropped and reported in the second value.
pub fn parse_rows(spec: &CalibrationSpec, text: &str) -> Result<(Vec<Row>, bool), String> {
    let want = header_fields(spec);
    let k = spec.parameters.len();
    let (records, torn) = complete_records(text)?;
    let mut rows = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let line_no = record.position().map_or(i as u64 + 1, |p| p.line());
        let bad = |what: String| format!("line {line_no}: {what}");
        if i == 0 {
            if record.iter().ne(want.iter()) {
                return Err(format!(
                    "its header is `{}`, but this calibration writes `{}`",
                    csv_line(record).trim_end(),
                    csv_line(&want).trim_end()
                ));
            }
            continue;
        }
        if record.len() != want.len() {
            return Err(bad(format!("{} fields, expected {}", record.len(), want.len())));
        }
        let f: Vec<&str> = record.iter().collect();
        let num = |s: &str| csv_num::parse(s).ok_or_else(|| bad(format!("`{s}` is not a number")));
        let int = |s: &str| s.parse::<u64>().map_err(|_| bad(format!("`{s}` is not a whole number")));
        let evaluated = Evaluated {
            generation: int(f[0])? as u32,
            particle: int(f[1])? as u32,
            seed: int(f[2])?,
            values: f[3..3 + k].iter().map(|s| num(s)).collect::<Result<_, _>>()?,
            distance: num(f[3 + k])?,
            stats: f[4 + k..].iter().map(|s| num(s)).collect::<Result<_, _>>()?,
        };
        let expected = distance(spec, &evaluated.stats);
        if evaluated.distance.to_bits() != expected.to_bits() {
            return Err(bad(format!(
                "distance {} where this targets file gives {} (were the observed values changed?)",
                fmt_exact(evaluated.distance),
                fmt_exact(expected)
            )));
        }
        rows.push(Row { evaluated, line: csv_line(record).trim_end_matches('\n').to_string() });
    }
    Ok((rows, torn))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_row_reads_back_as_written_and_a_torn_line_is_dropped() {
        let text = "base = \"b.toml\"\n[[targets]]\nkpi = \"talent\"\nyear = 2023\nobserved = 10.0\nsd = 1.0\n\
                    [[parameters]]\npath = \"x.y\"\nprior = \"uniform\"\nmin = 0.0\nmax = 1.0\n";
        let spec = super::super::targets::parse(Path::new("t.toml"), text).unwrap().spec;
        let p = Proposal { generation: 2, particle: 5, values: vec![1.0 / 3.0], seeds: vec![99] };
        let line = row_line(&spec, &p, &[12.5]);
        assert!(line.starts_with(&prefix(&p)));
        assert_eq!(line, "2,5,99,0.3333333333333333,2.5,12.5\n");
        let file = format!("{}{line}{}", header(&spec), &line[..7]);
        let (rows, torn) = parse_rows(&spec, &file).unwrap();
        assert!(torn);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].evaluated.values, p.values);
        assert_eq!(rows[0].evaluated.distance, 2.5);
        assert_eq!(format!("{}\n", rows[0].line), line);
        assert!(parse_rows(&spec, "generation,particle\n").is_err());
        let changed = file.replace(",2.5,12.5", ",2.4,12.5");
        assert!(parse_rows(&spec, &changed).unwrap_err().contains("observed values changed"));
    }
}
