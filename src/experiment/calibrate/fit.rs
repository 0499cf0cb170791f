//! What a finished calibration reports: the posterior sample with its weights, each parameter's
//! posterior summary, each target observed and under the posterior (`fit.csv`, `fit.md`), and the
//! scenario with the fitted values (`calibrated.toml`).

use toml::{Table, Value};

use super::abc::Sampler;
use super::targets::CalibrationSpec;
use crate::output::{FitRow, GenerationRow, ParameterFit, PosteriorSample};

/// The weighted q-quantile of values: the first value (in increasing order) at which the
/// cumulative weight reaches q.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut idx: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_finite()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let total: f64 = idx.iter().map(|&i| weights[i]).sum();
    let mut acc = 0.0;
    for &i in &idx {
        acc += weights[i];
        if acc >= q * total * (1.0 - 1e-12) {
            return values[i];
        }
    }
    idx.last().map_or(f64::NAN, |&i| values[i])
}

/// Weighted mean and standard deviation (finite values only).
pub fn weighted_mean_sd(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> =
        values.iter().zip(weights).filter(|(v, _)| v.is_finite()).map(|(v, w)| (*v, *w)).collect();
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    if pairs.is_empty() || total.is_nan() || total <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = pairs.iter().map(|(v, w)| v * w).sum::<f64>() / total;
    let var = pairs.iter().map(|(v, w)| w * (v - mean).powi(2)).sum::<f64>() / total;
    (mean, var.sqrt())
}

/// The final population with its normalised weights, closest first (`posterior.csv`).
pub fn posterior(s: &Sampler) -> Vec<PosteriorSample> {
    s.population()
        .iter()
        .zip(s.weights().iter().copied())
        .map(|(e, weight)| PosteriorSample {
            generation: e.generation,
            particle: e.particle,
            weight,
            distance: e.distance,
            values: e.values.clone(),
        })
        .collect()
}

/// Each parameter's posterior: weighted mean, sd, median and 95 % interval.
pub fn parameter_fits(s: &Sampler, spec: &CalibrationSpec) -> Vec<ParameterFit> {
    let post = posterior(s);
    let w: Vec<f64> = post.iter().map(|p| p.weight).collect();
    spec.parameters
        .iter()
        .zip(s.priors())
        .enumerate()
        .map(|(d, (p, prior))| {
            let v: Vec<f64> = post.iter().map(|x| x.values[d]).collect();
            let (mean, sd) = weighted_mean_sd(&v, &w);
            ParameterFit {
                parameter: p.path.clone(),
                prior: prior.describe(),
                mean,
                sd,
                median: weighted_quantile(&v, &w, 0.5),
                low: weighted_quantile(&v, &w, 0.025),
                high: weighted_quantile(&v, &w, 0.975),
            }
        })
        .collect()
}

/// Each target observed and under the posterior (the simulated statistics of the final
/// population, weighted: parameter and simulation uncertainty together).
pub fn fit_rows(s: &Sampler, spec: &CalibrationSpec) -> Vec<FitRow> {
    let (pop, w) = (s.population(), s.weights());
    spec.targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let v: Vec<f64> = pop.iter().map(|e| e.stats[i]).collect();
            let (model_mean, model_sd) = weighted_mean_sd(&v, w);
            let sd = t.observed_sd();
            FitRow {
                target: t.name.clone(),
                kpi: t.kpi.clone(),
                over: t.over.clone().unwrap_or_default(),
                years: t.years_text(),
                observed: t.observed,
                observed_sd: sd,
                model_mean,
                model_sd,
                z: (model_mean - t.observed) / sd,
                sample: if t.holdout { "out" } else { "in" }.into(),
                weight: t.weight,
                source: t.source.clone(),
            }
        })
        .collect()
}

/// The rows of `generations.csv`.
pub fn generation_rows(s: &Sampler) -> Vec<GenerationRow> {
    s.history
        .iter()
        .map(|h| GenerationRow {
            generation: h.generation,
            evaluated: h.evaluated,
            runs: h.runs,
            epsilon: h.epsilon,
            acceptance: h.acceptance,
            ess: h.ess,
            distance_min: h.distance_min,
            distance_median: h.distance_median,
        })
        .collect()
}

/// A number to four significant digits (at most six decimals), for reading.
pub fn sig4(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let mag = if v == 0.0 { 0 } else { v.abs().log10().floor() as i32 };
    let decimals = (3 - mag).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// `fit.md`: the targets and the parameters as Markdown tables.
pub fn fit_markdown(spec: &CalibrationSpec, fits: &[FitRow], params: &[ParameterFit], stopped: &str) -> String {
    let f = sig4;
    let mut md = format!("# Calibration: {}\n\n", spec.name);
    md.push_str(&format!(
        "Base scenario `{}`; {} targets ({} in the fit, {} hold-out); {} parameters. The sampler stopped because {stopped}.\n\n",
        spec.base,
        spec.targets.len(),
        spec.in_sample().count(),
        spec.targets.len() - spec.in_sample().count(),
        spec.parameters.len()
    ));
    md.push_str("## Targets\n\nModel: weighted mean ± sd of the statistic over the posterior sample. z = (model − observed) / observed sd.\n\n");
    md.push_str("| target | years | observed ± sd | model ± sd | z | sample | source |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for r in fits {
        let flag = if r.z.abs() > 2.0 { " ⚠" } else { "" };
        md.push_str(&format!(
            "| `{}` | {} | {} ± {} | {} ± {} | {}{flag} | {} | {} |\n",
            r.target,
            r.years,
            f(r.observed),
            f(r.observed_sd),
            f(r.model_mean),
            f(r.model_sd),
            f(r.z),
            if r.sample == "in" { "in" } else { "**hold-out**" },
            r.source.replace('|', "\\|")
        ));
    }
    md.push_str(
        "\n## Parameters\n\nPosterior over the final population (weighted); `calibrated.toml` sets the median.\n\n",
    );
    md.push_str("| parameter | prior | median | mean ± sd | 95 % interval |\n| --- | --- | --- | --- | --- |\n");
    for p in params {
        md.push_str(&format!(
            "| `{}` | {} | {} | {} ± {} | {} … {} |\n",
            p.parameter,
            p.prior,
            f(p.median),
            f(p.mean),
            f(p.sd),
            f(p.low),
            f(p.high)
        ));
    }
    md
}

/// `calibrated.toml`: a scenario that extends `base` (as written, relative to the folder) with
/// each parameter at its posterior median. `resolved` is the base scenario as a TOML value (for
/// the names of array elements addressed by index).
pub fn calibrated_toml(
    spec: &CalibrationSpec,
    base: &str,
    resolved: &Value,
    params: &[ParameterFit],
) -> Result<String, String> {
    let mut table = Table::new();
    for p in params {
        let segs: Vec<&str> = p.parameter.split('.').collect();
        set_path(&mut table, resolved, &segs, number(p.median))
            .map_err(|e| format!("{}: cannot write it as a scenario key: {e}", p.parameter))?;
    }
    let mut text = format!(
        "# Calibrated by `corridor calibrate` ({}): each fitted parameter at its posterior median.\n",
        spec.name
    );
    for p in params {
        text.push_str(&format!(
            "#   {} = {} (95 % interval {} … {}; prior {})\n",
            p.parameter,
            sig4(p.median),
            sig4(p.low),
            sig4(p.high),
            p.prior
        ));
    }
    if !spec.set.is_empty() {
        text.push_str(&format!("# The calibration also fixed (not set here): {}\n", spec.set.join(", ")));
    }
    text.push_str(&format!("extends = {}\n\n", Value::String(base.to_string())));
    text.push_str(&toml::to_string(&table).map_err(|e| e.to_string())?);
    Ok(text)
}

/// A number as `--set` would give it (a whole number as an integer).
fn number(v: f64) -> Value {
    let mut t: Table = toml::from_str(&format!("v = {}", crate::output::fmt_exact(v))).unwrap_or_default();
    t.remove("v").unwrap_or(Value::Float(v))
}

/// Sets a dotted path in `out`, following the structure of `base`: tables by key, arrays of named
/// tables by an element `{ name = ... }` (the name from the path or from the base element at
/// that index), other arrays as a whole copy of the base array.
fn set_path(out: &mut Table, base: &Value, segs: &[&str], value: Value) -> Result<(), String> {
    let (key, rest) = segs.split_first().ok_or("empty path")?;
    if rest.is_empty() {
        out.insert(key.to_string(), value);
        return Ok(());
    }
    let child = base.get(key).ok_or_else(|| format!("`{key}` is not a key of the base scenario"))?;
    match child {
        Value::Table(_) => {
            let entry = out.entry(key.to_string()).or_insert_with(|| Value::Table(Table::new()));
            let Value::Table(t) = entry else { return Err(format!("`{key}` is set twice")) };
            set_path(t, child, rest, value)
        }
        Value::Array(items) => {
            let (sel, rest2) = rest.split_first().ok_or("empty path")?;
            let pos = match sel.parse::<usize>() {
                Ok(i) if i < items.len() => i,
                Ok(i) => return Err(format!("index {i} is past the end of `{key}`")),
                Err(_) => items
                    .iter()
                    .position(|x| x.get("name").and_then(Value::as_str) == Some(*sel))
                    .ok_or_else(|| format!("no element named `{sel}` in `{key}`"))?,
            };
            let name = items[pos].get("name").and_then(Value::as_str);
            match name {
                Some(name) if !rest2.is_empty() => {
                    let entry = out.entry(key.to_string()).or_insert_with(|| Value::Array(Vec::new()));
                    let Value::Array(arr) = entry else { return Err(format!("`{key}` is set twice")) };
                    let at = match arr.iter().position(|x| x.get("name").and_then(Value::as_str) == Some(name)) {
                        Some(i) => i,
                        None => {
                            let mut t = Table::new();
                            t.insert("name".into(), Value::String(name.to_string()));
                            arr.push(Value::Table(t));
                            arr.len() - 1
                        }
                    };
                    let Value::Table(t) = &mut arr[at] else { return Err(format!("`{key}` is set twice")) };
                    set_path(t, &items[pos], rest2, value)
                }
                _ => {
                    let entry = out.entry(key.to_string()).or_insert_with(|| child.clone());
                    set_in_value(entry, rest, value)
                }
            }
        }
        _ => Err(format!("`{key}` is a single value, not a table")),
    }
}

/// Sets a path (keys or indices) inside a copied value.
fn set_in_value(v: &mut Value, segs: &[&str], value: Value) -> Result<(), String> {
    let Some((seg, rest)) = segs.split_first() else {
        *v = value;
        return Ok(());
    };
    let next = match v {
        Value::Table(t) => t.get_mut(*seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
        _ => None,
    };
    set_in_value(next.ok_or_else(|| format!("no `{seg}` in the base scenario"))?, rest, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_significant_digits() {
        assert_eq!(sig4(1234.567), "1235");
        assert_eq!(sig4(0.012345), "0.01235");
        assert_eq!(sig4(2.5), "2.5");
        assert_eq!(sig4(-0.00001), "-0.00001");
        assert_eq!(sig4(f64::NAN), "–");
    }

    #[test]
    fn weighted_quantiles_and_moments() {
        let v = [3.0, 1.0, 2.0, f64::NAN];
        let w = [0.25, 0.25, 0.5, 1.0];
        assert_eq!(weighted_quantile(&v, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&v, &w, 0.2), 1.0);
        assert_eq!(weighted_quantile(&v, &w, 0.975), 3.0);
        let (m, sd) = weighted_mean_sd(&v, &w);
        assert!((m - 2.0).abs() < 1e-12 && (sd - 0.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn paths_become_tables_and_named_elements() {
        let base: Value = toml::from_str(
            "[housing]\nbase_rent = 1.0\n[[hubs]]\nname = \"a\"\nx = 1.0\n[[hubs]]\nname = \"b\"\nx = 2.0\n\
             [[transit]]\nstations = [[1.0, 2.0]]\n",
        )
        .unwrap();
        let mut t = Table::new();
        set_path(&mut t, &base, &["housing", "base_rent"], Value::Float(2.5)).unwrap();
        set_path(&mut t, &base, &["hubs", "1", "x"], Value::Float(7.0)).unwrap();
        set_path(&mut t, &base, &["hubs", "b", "radius_km"], Value::Float(3.0)).unwrap();
        set_path(&mut t, &base, &["transit", "0", "stations", "0", "1"], Value::Float(9.0)).unwrap();
        let text = toml::to_string(&t).unwrap();
        let back: Table = toml::from_str(&text).unwrap();
        assert_eq!(back["housing"]["base_rent"].as_float(), Some(2.5));
        let hubs = back["hubs"].as_array().unwrap();
        assert_eq!(hubs.len(), 1);
        assert_eq!(hubs[0]["name"].as_str(), Some("b"));
        assert_eq!(hubs[0]["x"].as_float(), Some(7.0));
        assert_eq!(hubs[0]["radius_km"].as_float(), Some(3.0));
        assert_eq!(back["transit"][0]["stations"][0][1].as_float(), Some(9.0));
        assert!(set_path(&mut t, &base, &["nope", "x"], Value::Float(1.0)).is_err());
    }
}
