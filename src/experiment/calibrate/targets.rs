//! Targets files: what a calibration fits (statistics of a run with their observed values and
//! uncertainties), the parameters it fits (`--set` paths with priors) and the sampler's settings;
//! the TOML schema, parsing with located errors, and checks of the values (docs/CALIBRATION.md).
//!
//! ```toml
//! base = "../tiny.toml"          # scenario, relative to this file
//! seed = 1
//! years = 3                      # optional: years to simulate
//!
//! [[targets]]
//! kpi = "talent"                 # a column of yearly.csv (district families: rent_<district>)
//! year = 2024                    # or from = 2023, to = 2024: the mean over those years
//! over = "employed"              # optional: the ratio kpi / over (a share)
//! observed = 10500.0
//! sd = 300.0                     # or interval = [9900.0, 11100.0] (a 95 % interval)
//! source = "Statistical yearbook 2024, table 3-1"
//!
//! [[parameters]]
//! path = "talent.tiers.skilled.inflow"
//! prior = "uniform"              # uniform | log_uniform (min, max) | normal (mean, sd; min, max)
//! min = 200.0
//! max = 900.0
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::prior::{Prior, PriorKind};
use crate::experiment::spec::{deserialize, locate, of_another_kind, SweepError, MAX_RUNS};
use crate::scenario::{FileKind, Scenario};
use crate::RunResult;

/// One observed statistic of the corridor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The target's name (a column of `calibration.csv`); default: from the statistic, e.g.
    /// `talent_2024` or `firm_patents_over_patents_2023_2025`.
    #[serde(default)]
    pub name: String,
    /// A KPI column (`corridor schema --outputs`).
    pub kpi: String,
    /// A second KPI: the target is the ratio kpi / over (summed over the years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over: Option<String>,
    /// The calendar year of the statistic ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// ... or the first and last year of a mean over years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i32>,
    pub observed: f64,
    /// The observation's standard deviation ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// ... or a 95 % interval [low, high], taken as sd = (high - low) / 3.92.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
    /// Where the observed value comes from.
    #[serde(default)]
    pub source: String,
    /// The target's weight in the distance.
    #[serde(default = "one")]
    pub weight: f64,
    /// Keep the target out of the fit and report it as an out-of-sample check.
    #[serde(default)]
    pub holdout: bool,
}

fn one() -> f64 {
    1.0
}

impl Target {
    /// The first and last year of the statistic.
    pub fn years(&self) -> (i32, i32) {
        match (self.year, self.from, self.to) {
            (Some(y), _, _) => (y, y),
            (None, Some(a), Some(b)) => (a, b),
            _ => (i32::MIN, i32::MIN),
        }
    }

    /// "2024" or "2023-2025".
    pub fn years_text(&self) -> String {
        match self.years() {
            (a, b) if a == b => a.to_string(),
            (a, b) => format!("{a}-{b}"),
        }
    }

    /// The observation's standard deviation.
    pub fn observed_sd(&self) -> f64 {
        match (self.sd, self.interval) {
            (Some(sd), _) => sd,
            (None, Some([lo, hi])) => (hi - lo) / (2.0 * 1.959963984540054),
            _ => f64::NAN,
        }
    }

    fn default_name(&self) -> String {
        let mut n = self.kpi.clone();
        if let Some(over) = &self.over {
            n.push_str(&format!("_over_{over}"));
        }
        n.push('_');
        n.push_str(&self.years_text().replace('-', "_"));
        n
    }

    /// The statistic in a run: the KPI's mean over the years (a ratio of sums with `over`); NaN
    /// where a year or column is missing or the denominator is zero.
    pub fn value(&self, r: &RunResult) -> f64 {
        let (a, b) = self.years();
        let sum = |kpi: &str| -> f64 {
            let vals: Option<Vec<f64>> = (a..=b).map(|y| r.year_value(kpi, y)).collect();
            vals.map_or(f64::NAN, |v| v.iter().sum())
        };
        let num = sum(&self.kpi);
        match &self.over {
            Some(over) => {
                let den = sum(over);
                if den == 0.0 {
                    f64::NAN
                } else {
                    num / den
                }
            }
            None => num / (b - a + 1) as f64,
        }
    }
}

/// One fitted parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitParameter {
    /// A `--set` path of the base scenario.
    pub path: String,
    pub prior: PriorKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

impl FitParameter {
    pub fn prior(&self) -> Prior {
        Prior::new(self.prior, self.min, self.max, self.mean, self.sd)
    }
}

/// The sampler's settings (`[abc]`): adaptive population Monte Carlo ABC (docs/CALIBRATION.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AbcSettings {
    /// Particles per generation (N).
    pub particles: u32,
    /// The share of the particles kept each generation (alpha); the others are replaced.
    pub keep: f64,
    /// Stop once every kept particle is this close to the targets (the distance is an RMS
    /// z-score, so 1 is the targets' own uncertainty); 0 goes on until another rule stops.
    pub tolerance: f64,
    /// Stop when fewer than this share of a generation's new particles beat the last tolerance.
    pub min_acceptance: f64,
    /// Stop after this many generations (the prior sample is generation 0).
    pub max_generations: u32,
    /// Stop before a generation would take the simulations past this budget.
    pub max_simulations: u64,
    /// Runs (seeds) per particle; its statistics are their means.
    pub replications: u32,
}

impl Default for AbcSettings {
    fn default() -> Self {
        AbcSettings {
            particles: 200,
            keep: 0.5,
            tolerance: 1.0,
            min_acceptance: 0.05,
            max_generations: 20,
            max_simulations: 4000,
            replications: 1,
        }
    }
}

impl AbcSettings {
    /// Particles kept from one generation to the next (N alpha, at least 2).
    pub fn kept(&self) -> usize {
        ((self.particles as f64 * self.keep).floor() as usize).max(2)
    }
    /// New particles in each generation after the first.
    pub fn replaced(&self) -> usize {
        self.particles as usize - self.kept()
    }
}

/// A targets file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSpec {
    #[serde(default)]
    pub name: String,
    /// The base scenario, relative to the targets file.
    pub base: String,
    #[serde(default)]
    pub seed: u64,
    /// Years to simulate (default: the base scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// Fixed overrides applied before the parameters (PATH=VALUE), e.g. a coarser agent_scale.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    #[serde(default)]
    pub abc: AbcSettings,
    pub targets: Vec<Target>,
    pub parameters: Vec<FitParameter>,
}

impl CalibrationSpec {
    /// The targets in the fit (not hold-outs).
    pub fn in_sample(&self) -> impl Iterator<Item = (usize, &Target)> {
        self.targets.iter().enumerate().filter(|(_, t)| !t.holdout)
    }
}

/// A bad targets file.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    #[error("{file}: cannot read targets file: {source}")]
    Read { file: PathBuf, source: std::io::Error },
    /// Malformed TOML, a bad value, or a base scenario that does not load, located in the file.
    #[error(transparent)]
    Located(#[from] SweepError),
}

/// A parsed targets file and its text (for locating later errors).
#[derive(Clone, Debug)]
pub struct TargetsFile {
    pub path: PathBuf,
    pub text: String,
    pub spec: CalibrationSpec,
}

impl TargetsFile {
    /// `file:line:column` of a field (dotted path, array elements by index).
    pub fn locate(&self, field: &str) -> String {
        locate(&self.path, &self.text, field)
    }
    /// The base scenario's path.
    pub fn base_path(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new("")).join(&self.spec.base)
    }
    pub fn invalid(&self, field: &str, message: impl Into<String>) -> TargetsError {
        SweepError::Invalid { location: self.locate(field), field: field.to_string(), message: message.into() }.into()
    }
}

/// Reads, parses and checks a targets file.
pub fn read(path: &Path) -> Result<TargetsFile, TargetsError> {
    let text = std::fs::read_to_string(path).map_err(|source| TargetsError::Read { file: path.into(), source })?;
    parse(path, &text)
}

/// Parses and checks a targets file's text (`path` names it in errors and defaults the name).
pub fn parse(path: &Path, text: &str) -> Result<TargetsFile, TargetsError> {
    let spec: CalibrationSpec =
        deserialize(path, text).map_err(|e| of_another_kind(e, path, text, FileKind::Targets))?;
    let mut file = TargetsFile { path: path.to_path_buf(), text: text.to_string(), spec };
    if file.spec.name.is_empty() {
        file.spec.name =
            path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "calibration".into());
    }
    for t in file.spec.targets.iter_mut().filter(|t| t.name.is_empty()) {
        t.name = t.default_name();
    }
    check(&file)?;
    Ok(file)
}

/// Column names of `calibration.csv` before the parameters.
pub const ROW_COLUMNS: [&str; 4] = ["generation", "particle", "seed", "distance"];

fn check(f: &TargetsFile) -> Result<(), TargetsError> {
    let s = &f.spec;
    let a = &s.abc;
    if a.particles < 4 || a.particles > 1 << 16 {
        return Err(f.invalid("abc.particles", "must be between 4 and 65536"));
    }
    if !(a.keep > 0.0 && a.keep < 1.0) || a.kept() >= a.particles as usize {
        return Err(
            f.invalid("abc.keep", "must be above 0 and below 1, keeping at least 2 particles and replacing one")
        );
    }
    if !(a.tolerance.is_finite() && a.tolerance >= 0.0) {
        return Err(f.invalid("abc.tolerance", "must be a number >= 0"));
    }
    if !(0.0..1.0).contains(&a.min_acceptance) {
        return Err(f.invalid("abc.min_acceptance", "must be in [0, 1)"));
    }
    if a.max_generations == 0 {
        return Err(f.invalid("abc.max_generations", "must be at least 1"));
    }
    if a.max_simulations < a.particles as u64 * a.replications as u64 || a.max_simulations > MAX_RUNS {
        return Err(f.invalid(
            "abc.max_simulations",
            format!("must be at least abc.particles times abc.replications, and at most {MAX_RUNS}"),
        ));
    }
    if a.replications == 0 {
        return Err(f.invalid("abc.replications", "must be at least 1"));
    }
    if s.targets.iter().all(|t| t.holdout) {
        return Err(f.invalid("targets", "a calibration needs at least one [[targets]] entry without holdout = true"));
    }
    if s.parameters.is_empty() {
        return Err(f.invalid("parameters", "a calibration needs at least one [[parameters]] entry"));
    }
    if s.parameters.len() > 64 {
        return Err(f.invalid("parameters", "at most 64 parameters"));
    }
    for (i, t) in s.targets.iter().enumerate() {
        let at = |k: &str| format!("targets.{i}.{k}");
        let taken = ROW_COLUMNS.contains(&t.name.as_str())
            || s.parameters.iter().any(|p| p.path == t.name)
            || s.targets[..i].iter().any(|u| u.name == t.name);
        if taken {
            let field = if t.name == t.default_name() { at("kpi") } else { at("name") };
            return Err(f.invalid(&field, format!("the name `{}` is taken; give each target its own `name`", t.name)));
        }
        match (t.year, t.from, t.to) {
            (Some(_), None, None) => {}
            (None, Some(a), Some(b)) if a <= b => {}
            (None, Some(a), Some(b)) => return Err(f.invalid(&at("from"), format!("from {a} is after to {b}"))),
            _ => return Err(f.invalid(&at("kpi"), "give `year`, or `from` and `to` (a mean over those years)")),
        }
        if !t.observed.is_finite() {
            return Err(f.invalid(&at("observed"), "must be a finite number"));
        }
        match (t.sd, t.interval) {
            (Some(sd), None) if sd.is_finite() && sd > 0.0 => {}
            (Some(_), None) => return Err(f.invalid(&at("sd"), "must be a positive number")),
            (None, Some([lo, hi])) if lo.is_finite() && hi.is_finite() && lo < hi => {}
            (None, Some(_)) => return Err(f.invalid(&at("interval"), "must be [low, high] with low < high")),
            _ => return Err(f.invalid(&at("observed"), "give the uncertainty: `sd` or `interval`, one of them")),
        }
        if !(t.weight.is_finite() && t.weight > 0.0) {
            return Err(f.invalid(&at("weight"), "must be a positive number"));
        }
    }
    for (i, p) in s.parameters.iter().enumerate() {
        if s.parameters[..i].iter().any(|q| q.path == p.path) {
            return Err(f.invalid(&format!("parameters.{i}.path"), format!("`{}` is fitted twice", p.path)));
        }
        if let Some(set) = s.set.iter().find(|a| a.split('=').next().map(str::trim) == Some(p.path.as_str())) {
            return Err(
                f.invalid(&format!("parameters.{i}.path"), format!("`{}` is also fixed by `set`: {set}", p.path))
            );
        }
        check_prior(p).map_err(|(k, m)| f.invalid(&format!("parameters.{i}.{k}"), m))?;
    }
    Ok(())
}

/// A prior's keys: (field, message) of the first fault.
fn check_prior(p: &FitParameter) -> Result<(), (&'static str, String)> {
    let finite = |k: &'static str, v: Option<f64>| match v {
        Some(x) if !x.is_finite() => Err((k, "must be a finite number".to_string())),
        _ => Ok(()),
    };
    for (k, v) in [("min", p.min), ("max", p.max), ("mean", p.mean), ("sd", p.sd)] {
        finite(k, v)?;
    }
    let name = p.prior.as_str();
    match p.prior {
        PriorKind::Uniform | PriorKind::LogUniform => {
            if p.mean.is_some() || p.sd.is_some() {
                let k = if p.mean.is_some() { "mean" } else { "sd" };
                return Err((k, format!("a {name} prior takes `min` and `max` only")));
            }
            let (Some(lo), Some(hi)) = (p.min, p.max) else {
                return Err(("prior", format!("a {name} prior needs `min` and `max`")));
            };
            if lo >= hi {
                return Err(("min", format!("min {lo} must be below max {hi}")));
            }
            if p.prior == PriorKind::LogUniform && lo <= 0.0 {
                return Err(("min", "a log_uniform prior needs min > 0".into()));
            }
        }
        PriorKind::Normal => {
            let (Some(_), Some(sd)) = (p.mean, p.sd) else {
                return Err(("prior", "a normal prior needs `mean` and `sd` (and may take `min`, `max`)".into()));
            };
            if sd <= 0.0 {
                return Err(("sd", "must be positive".into()));
            }
            if let (Some(lo), Some(hi)) = (p.min, p.max) {
                if lo >= hi {
                    return Err(("min", format!("min {lo} must be below max {hi}")));
                }
            }
            let prior = p.prior();
            let mass = super::prior::normal_cdf((prior.hi - prior.mean) / prior.sd)
                - super::prior::normal_cdf((prior.lo - prior.mean) / prior.sd);
            if mass.is_nan() || mass <= 1e-9 {
                return Err(("mean", "the bounds leave the normal prior no mass".into()));
            }
        }
    }
    Ok(())
}

/// Checks the targets against the base scenario: every KPI is a column of its runs and every
/// year is simulated. `columns` are the run's KPI columns.
pub fn check_against(f: &TargetsFile, scenario: &Scenario, columns: &[String]) -> Result<(), TargetsError> {
    let (first, last) = (scenario.start_year, scenario.start_year + scenario.years as i32 - 1);
    for (i, t) in f.spec.targets.iter().enumerate() {
        for (k, name) in std::iter::once(("kpi", &t.kpi)).chain(t.over.as_ref().map(|o| ("over", o))) {
            if !columns.contains(name) {
                return Err(f.invalid(
                    &format!("targets.{i}.{k}"),
                    format!("unknown KPI `{name}`; known: {}", columns.join(", ")),
                ));
            }
        }
        let (a, b) = t.years();
        if a < first || b > last {
            let k = if t.year.is_some() {
                "year"
            } else if a < first {
                "from"
            } else {
                "to"
            };
            return Err(f.invalid(
                &format!("targets.{i}.{k}"),
                format!("the runs simulate {first}-{last} (set `years` to run longer)"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "base = \"../tiny.toml\"\n\
        [[targets]]\nkpi = \"talent\"\nyear = 2024\nobserved = 100.0\nsd = 5.0\n\
        [[targets]]\nkpi = \"patents\"\nover = \"talent\"\nfrom = 2023\nto = 2024\nobserved = 0.1\ninterval = [0.05, 0.15]\nholdout = true\n\
        [[parameters]]\npath = \"housing.base_rent\"\nprior = \"log_uniform\"\nmin = 1000.0\nmax = 9000.0\n";

    #[test]
    fn parses_with_default_names_and_uncertainties() {
        let f = parse(Path::new("cal/t.toml"), OK).unwrap();
        assert_eq!(f.spec.name, "t");
        assert_eq!(f.spec.targets[0].name, "talent_2024");
        assert_eq!(f.spec.targets[1].name, "patents_over_talent_2023_2024");
        assert!((f.spec.targets[1].observed_sd() - 0.1 / 3.919927969).abs() < 1e-9);
        assert_eq!(f.spec.abc, AbcSettings::default());
        assert_eq!(f.base_path(), Path::new("cal/../tiny.toml"));
    }

    #[test]
    fn errors_name_the_line_the_field_and_what_is_allowed() {
        let cases = [
            (OK.replace("sd = 5.0", "sd = -5.0"), "x.toml:6:1: field `targets.0.sd`: must be a positive number"),
            (OK.replace("year = 2024\n", ""), "x.toml:3:1: field `targets.0.kpi`: give `year`"),
            (OK.replace("\"log_uniform\"", "\"gamma\""), "x.toml:17:9: field `parameters.0.prior`: unknown variant"),
            (
                OK.replace("min = 1000.0", "min = 0.0"),
                "x.toml:18:1: field `parameters.0.min`: a log_uniform prior needs",
            ),
            (
                OK.replace("sd = 5.0", "sd = 5.0\ninterval = [1.0, 2.0]"),
                "field `targets.0.observed`: give the uncertainty",
            ),
            (OK.replace("observed = 100.0", "observd = 100.0"), "x.toml:5:1: field `targets.0.observd`"),
            (format!("{OK}[abc]\nkeep = 1.5\n"), "x.toml:21:1: field `abc.keep`: must be above 0 and below 1"),
        ];
        for (text, want) in cases {
            let e = parse(Path::new("x.toml"), &text).unwrap_err().to_string();
            assert!(e.contains(want), "{e}\n  wanted: {want}");
        }
    }
}
