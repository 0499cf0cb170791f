//! Sweep files: the TOML schema, parsing with located errors, and checks of the values.
//!
//! ```toml
//! name = "rd-subsidy"          # optional; default: the file name without extension
//! base = "../tiny.toml"        # scenario, relative to the sweep file
//! design = "grid"              # grid | lhs | random | oat | morris | sobol
//! samples = 20                 # lhs, random: number of points; sobol: base samples
//! replications = 3
//! seed = 42
//! kpis = ["patents", "talent"] # final-year KPIs to keep (default: the headline KPIs)
//!
//! [[parameters]]
//! path = "rd.subsidy_rate"     # a --set path
//! values = [0.0, 0.1, 0.2]     # or min/max (and steps for grid, oat)
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::scenario::{FileKind, ScenarioError};

/// How the points of a sweep are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Every combination of the parameters' values.
    Grid,
    /// Latin hypercube: `samples` points, each parameter's range cut in `samples` strata.
    Lhs,
    /// `samples` independent uniform points.
    Random,
    /// One at a time: the baseline point, then each parameter over its values, others at baseline.
    Oat,
    /// Morris elementary effects: `trajectories` paths of k+1 points on a `levels` grid.
    Morris,
    /// Sobol indices: Saltelli's `samples` (k+2) points on a scrambled Sobol sequence.
    Sobol,
}

impl DesignKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DesignKind::Grid => "grid",
            DesignKind::Lhs => "lhs",
            DesignKind::Random => "random",
            DesignKind::Oat => "oat",
            DesignKind::Morris => "morris",
            DesignKind::Sobol => "sobol",
        }
    }
}

/// One swept parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Dotted scenario path, as for `--set`.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Evenly spaced values from min to max (grid, oat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u32>,
    /// The value in the base scenario (read from it when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// Round sampled values to whole numbers (for count parameters).
    #[serde(default)]
    pub integer: bool,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

/// A sweep file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    #[serde(default)]
    pub name: String,
    /// The base scenario, relative to the sweep file.
    pub base: String,
    pub design: DesignKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trajectories: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<u32>,
    #[serde(default = "one")]
    pub replications: u32,
    #[serde(default)]
    pub seed: u64,
    /// Common random numbers: replication r of every point uses the same seed.
    #[serde(default = "yes")]
    pub common_seeds: bool,
    /// Years to simulate (default: the base scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// Fixed overrides applied to every point before the parameters (PATH=VALUE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// Final-year KPIs kept per run (default: the headline KPIs).
    #[serde(default)]
    pub kpis: Vec<String>,
    pub parameters: Vec<Parameter>,
}

/// A bad sweep file, located in it.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{file}: cannot read sweep file: {source}")]
    Read { file: PathBuf, source: std::io::Error },
    /// Malformed TOML, an unknown key or a wrong type.
    #[error("{location}: field `{field}`: {message}")]
    Parse { location: String, field: String, message: String },
    /// A value that parsed but is not allowed.
    #[error("{location}: field `{field}`: {message}")]
    Invalid { location: String, field: String, message: String },
    /// The base scenario does not load with a point's values.
    #[error("{location}: field `{field}`: {source}")]
    Scenario { location: String, field: String, source: Box<ScenarioError> },
}

/// A parsed sweep file and the text it came from (for locating later errors).
#[derive(Clone, Debug)]
pub struct SweepFile {
    pub path: PathBuf,
    pub text: String,
    pub spec: SweepSpec,
}

impl SweepFile {
    /// `file:line:column` of a field (dotted path, array elements by index), or the file name.
    pub fn locate(&self, field: &str) -> String {
        locate(&self.path, &self.text, field)
    }
    /// The base scenario's path.
    pub fn base_path(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new("")).join(&self.spec.base)
    }
    pub fn invalid(&self, field: &str, message: impl Into<String>) -> SweepError {
        SweepError::Invalid { location: self.locate(field), field: field.to_string(), message: message.into() }
    }
}

/// Parses and checks a sweep file's text (`path` names it in errors and defaults the name).
pub fn parse(path: &Path, text: &str) -> Result<SweepFile, SweepError> {
    let spec: SweepSpec = deserialize(path, text).map_err(|e| of_another_kind(e, path, text, FileKind::Sweep))?;
    let mut file = SweepFile { path: path.to_path_buf(), text: text.to_string(), spec };
    if file.spec.name.is_empty() {
        file.spec.name = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "sweep".into());
    }
    check(&file)?;
    Ok(file)
}

/// Deserializes the text of a TOML file (a sweep or targets file); malformed TOML, an unknown
/// key or a wrong type is a [`SweepError::Parse`] located in the file and naming the field.
pub fn deserialize<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, SweepError> {
    let de = toml::de::Deserializer::parse(text).map_err(|e| parse_error(path, text, &e, String::new()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        // serde_path_to_error writes array elements as `a[0].b`; fields here are `a.0.b`.
        let field = e.path().to_string().replace('[', ".").replace(']', "");
        parse_error(path, text, e.inner(), if field == "?" || field == "." { String::new() } else { field })
    })
}

/// A file that does not parse as the `wanted` kind and is, by its top-level keys, another kind
/// (a scenario given to `corridor sweep`, say) is told so, with the command that takes it; the
/// error stays where the parser found it. Any other error passes unchanged.
pub fn of_another_kind(e: SweepError, path: &Path, text: &str, wanted: FileKind) -> SweepError {
    let SweepError::Parse { location, field, .. } = &e else { return e };
    let kind = FileKind::of(text);
    if kind == wanted || toml::from_str::<toml::Table>(text).is_err() {
        return e;
    }
    let wanted_is = match wanted {
        FileKind::Sweep => "a sweep file (one has `base` and `[[parameters]]`)",
        FileKind::Targets => "a targets file (one has `base` and `[[targets]]`)",
        FileKind::Scenario => "a scenario",
    };
    let (it_is, command) = match kind {
        FileKind::Scenario => ("a scenario", "run"),
        FileKind::Sweep => ("a sweep file", "sweep"),
        FileKind::Targets => ("a targets file", "calibrate"),
    };
    let message = format!("this is {it_is}, not {wanted_is}: run it with `corridor {command} {}`", path.display());
    SweepError::Invalid { location: location.clone(), field: field.clone(), message }
}

fn parse_error(path: &Path, text: &str, e: &toml::de::Error, field: String) -> SweepError {
    let location = match e.span() {
        Some(span) => {
            let (l, c) = crate::scenario::locate::line_col(text, span.start);
            format!("{}:{}:{}", path.display(), l, c)
        }
        None if !field.is_empty() => locate(path, text, &field),
        None => path.display().to_string(),
    };
    let message = e.message().trim().to_string();
    // serde names the missing or unknown key in the message; make it the field too.
    let field = if field.is_empty() { key_in_message(&message).unwrap_or_default() } else { field };
    SweepError::Parse { location, field, message }
}

fn key_in_message(m: &str) -> Option<String> {
    let start = m.find('`')? + 1;
    let len = m[start..].find('`')?;
    Some(m[start..start + len].to_string())
}

/// Most points of a design, and most runs of a sweep (points x replications).
pub const MAX_POINTS: u64 = 100_000;
pub const MAX_RUNS: u64 = 10_000_000;
/// Most swept parameters.
pub const MAX_PARAMETERS: usize = 1_000;

/// The number of points a design will have, and the sweep field that sets it (computed without
/// building the design; saturates instead of overflowing).
pub fn point_count(s: &SweepSpec) -> (u64, String) {
    let levels =
        |p: &Parameter| p.values.as_ref().map(|v| v.len() as u64).unwrap_or(p.steps.unwrap_or(2).max(1) as u64);
    let widest = || {
        let j = (0..s.parameters.len()).max_by_key(|&j| levels(&s.parameters[j])).unwrap_or(0);
        let key = if s.parameters.get(j).is_some_and(|p| p.values.is_some()) { "values" } else { "steps" };
        format!("parameters.{j}.{key}")
    };
    match s.design {
        DesignKind::Grid => (s.parameters.iter().map(levels).fold(1u64, u64::saturating_mul), widest()),
        DesignKind::Oat => (s.parameters.iter().map(levels).fold(1u64, u64::saturating_add), widest()),
        DesignKind::Lhs | DesignKind::Random => (s.samples.unwrap_or(1) as u64, "samples".into()),
        DesignKind::Morris => {
            ((s.trajectories.unwrap_or(10) as u64).saturating_mul(s.parameters.len() as u64 + 1), "trajectories".into())
        }
        // Saltelli's scheme: N (k + 2) points.
        DesignKind::Sobol => {
            ((s.samples.unwrap_or(1) as u64).saturating_mul(s.parameters.len() as u64 + 2), "samples".into())
        }
    }
}

fn check(f: &SweepFile) -> Result<(), SweepError> {
    let s = &f.spec;
    if s.parameters.is_empty() {
        return Err(f.invalid("parameters", "a sweep needs at least one [[parameters]] entry"));
    }
    if s.parameters.len() > MAX_PARAMETERS {
        return Err(f.invalid("parameters", format!("{} parameters; at most {MAX_PARAMETERS}", s.parameters.len())));
    }
    if s.years == Some(0) {
        return Err(f.invalid("years", "must be at least 1"));
    }
    if s.replications == 0 {
        return Err(f.invalid("replications", "must be at least 1"));
    }
    if matches!(s.design, DesignKind::Lhs | DesignKind::Random | DesignKind::Sobol) && s.samples.unwrap_or(0) == 0 {
        return Err(f.invalid("samples", format!("design `{}` needs samples >= 1", s.design.as_str())));
    }
    if s.design == DesignKind::Sobol {
        super::sobol::check(s).map_err(|(field, message)| f.invalid(field, message))?;
    }
    if s.design == DesignKind::Morris {
        if s.trajectories.unwrap_or(10) == 0 {
            return Err(f.invalid("trajectories", "must be at least 1"));
        }
        if s.levels.unwrap_or(4) < 2 || s.levels.unwrap_or(4) % 2 != 0 {
            return Err(f.invalid("levels", "must be an even number >= 2"));
        }
    }
    for (i, p) in s.parameters.iter().enumerate() {
        let at = |k: &str| format!("parameters.{i}.{k}");
        if s.parameters[..i].iter().any(|q| q.path == p.path) {
            return Err(f.invalid(&at("path"), format!("`{}` is swept twice", p.path)));
        }
        for (k, v) in [("min", p.min), ("max", p.max), ("baseline", p.baseline)] {
            if v.is_some_and(|x| !x.is_finite()) {
                return Err(f.invalid(&at(k), "must be a finite number"));
            }
        }
        if let Some(vs) = &p.values {
            if vs.is_empty() {
                return Err(f.invalid(&at("values"), "needs at least one value"));
            }
            if vs.iter().any(|x| !x.is_finite()) {
                return Err(f.invalid(&at("values"), "must be finite numbers"));
            }
            if p.min.is_some() || p.max.is_some() || p.steps.is_some() {
                return Err(f.invalid(&at("values"), "give either `values` or `min`/`max`/`steps`, not both"));
            }
        }
        let needs_range =
            matches!(s.design, DesignKind::Lhs | DesignKind::Random | DesignKind::Morris | DesignKind::Sobol);
        if p.values.is_none() || needs_range {
            let (Some(lo), Some(hi)) = (p.min, p.max) else {
                let what = if needs_range {
                    format!("design `{}` needs `min` and `max`", s.design.as_str())
                } else {
                    "needs `values` or `min` and `max`".into()
                };
                return Err(f.invalid(&at("path"), what));
            };
            if lo > hi {
                return Err(f.invalid(&at("min"), format!("min {lo} is above max {hi}")));
            }
        }
        if s.design == DesignKind::Grid && p.values.is_none() && p.steps.unwrap_or(0) == 0 {
            return Err(f.invalid(&at("path"), "a grid range needs `steps` (number of values, >= 1)"));
        }
    }
    if s.design == DesignKind::Morris && s.levels.unwrap_or(4) > 1000 {
        return Err(f.invalid("levels", "at most 1000"));
    }
    let (points, field) = point_count(s);
    if points > MAX_POINTS {
        return Err(f.invalid(
            &field,
            format!("the design would have {points} points; at most {MAX_POINTS} are allowed (use fewer steps, samples or trajectories)"),
        ));
    }
    let runs = points.saturating_mul(s.replications as u64);
    if runs > MAX_RUNS {
        let field = if s.replications > 1 { "replications".to_string() } else { field };
        return Err(f.invalid(
            &field,
            format!("{points} points x {} replications = {runs} runs; at most {MAX_RUNS} are allowed", s.replications),
        ));
    }
    Ok(())
}

/// `file:line:column` of a dotted field path in a TOML text (array elements by index or name);
/// falls back to the innermost located parent, then to the file name.
pub fn locate(path: &Path, text: &str, field: &str) -> String {
    match crate::scenario::locate::nearest(text, &crate::scenario::locate::segments(field)) {
        Some((l, c)) => format!("{}:{}:{}", path.display(), l, c),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str =
        "base = \"../tiny.toml\"\ndesign = \"grid\"\n[[parameters]]\npath = \"rd.subsidy_rate\"\nvalues = [0.0, 0.2]\n";

    #[test]
    fn parses_and_names_from_the_file() {
        let f = parse(Path::new("s/rd.toml"), OK).unwrap();
        assert_eq!(f.spec.name, "rd");
        assert_eq!(f.base_path(), Path::new("s/../tiny.toml"));
    }

    #[test]
    fn unknown_key_is_located() {
        let text = OK.replace("values", "valuez");
        let e = parse(Path::new("x.toml"), &text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:5:1: field `parameters.0.valuez`"), "{e}");
    }

    #[test]
    fn bad_range_is_located() {
        let text =
            "base = \"a.toml\"\ndesign = \"lhs\"\nsamples = 4\n[[parameters]]\npath = \"a.b\"\nmin = 3.0\nmax = 1.0\n";
        let e = parse(Path::new("x.toml"), text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:6:1: field `parameters.0.min`"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_field() {
        let text = OK.replace("design = \"grid\"", "design = \"grid\"\nreplications = \"two\"");
        let e = parse(Path::new("x.toml"), &text).unwrap_err().to_string();
        assert!(e.starts_with("x.toml:3:16: field `replications`"), "{e}");
    }
}
