//! `corridor compare --posterior DIR`: reads a calibration's `posterior.csv`, runs one drawn
//! parameter set per replication for the base and every variant (the same draw and seed for all),
//! and writes `effects_posterior.csv`, `effects_posterior.md` and `posterior_draws.csv` beside
//! the compare's own files (docs/CALIBRATION.md). The compare itself runs at the posterior
//! median ([`Drawn::median_sets`]), which gives the seed-only intervals.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::progress::Progress;
use super::sweep::number_at;
use super::Failure;
use corridor::experiment::effects::RepRun;
use corridor::experiment::posterior::{posterior_effects, Posterior};
use corridor::experiment::seeds::replication_seed;
use corridor::output::{csv_bytes, csv_rows, fmt_exact, headline_names, read_posterior, PosteriorEffectRow};
use corridor::scenario::Scenario;

/// Every scenario of a compare for every replication, with its drawn parameter set: scenario s,
/// replication r at `s * reps + r`, with the values at the parameter paths.
pub struct DrawnScenarios {
    draws: Vec<usize>,
    loaded: Vec<(Scenario, Vec<f64>)>,
}

/// A calibration's posterior, read from its folder.
pub struct Drawn {
    /// `DIR/posterior.csv`, for messages.
    pub file: PathBuf,
    pub posterior: Posterior,
    /// A hash of the file's bytes (the compare's identity).
    pub hash: String,
}

/// Reads `DIR/posterior.csv`; errors name the file, and the line or column.
pub fn read(dir: &Path) -> Result<Drawn, Failure> {
    let file = dir.join("posterior.csv");
    let bytes = std::fs::read(&file).map_err(|e| {
        Failure(format!("{}: {e}; --posterior takes a folder written by `corridor calibrate`", file.display()))
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let (parameters, samples) = read_posterior(&text).map_err(|e| Failure(format!("{}: {e}", file.display())))?;
    let posterior = Posterior::new(parameters, samples).map_err(|e| Failure(format!("{}: {e}", file.display())))?;
    let words: Vec<u64> = bytes.chunks(8).map(|c| c.iter().fold(0u64, |w, &b| (w << 8) | b as u64)).collect();
    let hash = format!("{:016x}", corridor::rng::hash_words(&words) ^ bytes.len() as u64);
    Ok(Drawn { file, posterior, hash })
}

impl Drawn {
    /// The `--set` arguments of the posterior median (the seed-only runs).
    pub fn median_sets(&self) -> Vec<String> {
        self.posterior.sets(&self.posterior.medians())
    }

    /// Refuses a variant that sets a calibrated parameter itself (the draws would override its
    /// lever) and a parameter path the scenarios do not have. `scenarios` are (label, file).
    pub fn check(&self, scenarios: &[(String, PathBuf)], sets: &[String]) -> Result<(), Failure> {
        let values = |path: &Path| -> Result<toml::Value, Failure> {
            let loaded = corridor::scenario::load(path, sets)?;
            toml::Value::try_from(&loaded.scenario).map_err(|e| Failure(e.to_string()))
        };
        let base = values(&scenarios[0].1)?;
        for (j, p) in self.posterior.parameters.iter().enumerate() {
            let Some(b) = number_at(&base, p) else {
                return Err(Failure(format!(
                    "{}:1:{}: column `{p}`: not a number in the base scenario {}",
                    self.file.display(),
                    column(j),
                    scenarios[0].1.display()
                )));
            };
            for (label, path) in &scenarios[1..] {
                let v = number_at(&values(path)?, p);
                if v != Some(b) {
                    return Err(Failure(format!(
                        "{}: variant `{label}` sets `{p}` ({}, the base {}), a parameter of the posterior {}: its draws would override the variant; compare variants that differ in other keys",
                        path.display(),
                        v.map_or("none".into(), fmt_exact),
                        fmt_exact(b),
                        self.file.display()
                    )));
                }
            }
        }
        Ok(())
    }

    /// Loads replication `r` of every scenario with the parameter set drawn for `r` (before any
    /// run, so a draw that does not give a valid scenario stops the compare at once), with the
    /// values each scenario holds at the parameter paths.
    pub fn load(
        &self,
        scenarios: &[(String, PathBuf)],
        sets: &[String],
        seed: u64,
        reps: u32,
        pool: &rayon::ThreadPool,
    ) -> Result<DrawnScenarios, Failure> {
        let p = &self.posterior;
        let draws: Vec<usize> = (0..reps).map(|r| p.draw(seed, r)).collect();
        let jobs: Vec<(usize, u32)> = (0..scenarios.len()).flat_map(|s| (0..reps).map(move |r| (s, r))).collect();
        let loaded = pool.install(|| {
            jobs.par_iter()
                .map(|&(s, r)| -> Result<(Scenario, Vec<f64>), Failure> {
                    let mut all = sets.to_vec();
                    all.extend(p.sets(&p.samples[draws[r as usize]].values));
                    let loaded = corridor::scenario::load(&scenarios[s].1, &all).map_err(|e| {
                        Failure(format!(
                            "{}: line {} (drawn for replication {r}) does not give a valid scenario: {e}",
                            self.file.display(),
                            draws[r as usize] + 2
                        ))
                    })?;
                    // The values the run will use, read back from its resolved scenario.
                    let resolved = toml::Value::try_from(&loaded.scenario).map_err(|e| Failure(e.to_string()))?;
                    let used = p.parameters.iter().map(|q| number_at(&resolved, q).unwrap_or(f64::NAN)).collect();
                    Ok((loaded.scenario, used))
                })
                .collect::<Result<Vec<_>, Failure>>()
        })?;
        Ok(DrawnScenarios { draws, loaded })
    }

    /// Runs the drawn scenarios (replication r with the seed of r) and returns the posterior
    /// files: effects against the seed-only runs `seed_runs` (per scenario, base first) and the
    /// draw each run used.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        drawn: DrawnScenarios,
        scenarios: &[(String, PathBuf)],
        seed_runs: &[&[RepRun]],
        seed: u64,
        reps: u32,
        pool: &rayon::ThreadPool,
        quiet: bool,
    ) -> Result<Vec<(String, Vec<u8>)>, Failure> {
        let p = &self.posterior;
        let DrawnScenarios { draws, loaded } = drawn;
        let progress = Progress::new(loaded.len() as u64, "runs", "posterior draws", quiet);
        let done: Vec<(RepRun, Vec<f64>)> = pool.install(|| {
            loaded
                .into_par_iter()
                .enumerate()
                .map(|(i, (scenario, used))| {
                    let result = corridor::run(&scenario, replication_seed(seed, i as u32 % reps));
                    progress.inc(1);
                    (RepRun::from_result(&result), used)
                })
                .collect()
        });
        progress.finish();
        let per: Vec<&[(RepRun, Vec<f64>)]> = done.chunks(reps as usize).collect();
        let runs: Vec<Vec<RepRun>> = per.iter().map(|c| c.iter().map(|(run, _)| run.clone()).collect()).collect();
        let kpis = runs[0][0].columns.clone();
        let effects: Vec<PosteriorEffectRow> = scenarios[1..]
            .iter()
            .enumerate()
            .flat_map(|(v, (label, _))| {
                posterior_effects(label, &kpis, seed_runs[0], seed_runs[v + 1], &runs[0], &runs[v + 1])
            })
            .collect();
        let mut header: Vec<String> =
            ["scenario", "replication", "seed", "generation", "particle"].iter().map(|s| s.to_string()).collect();
        header.extend(p.parameters.iter().cloned());
        let rows = per.iter().zip(scenarios).flat_map(|(c, (label, _))| {
            c.iter().enumerate().map(|(r, (_, used))| {
                let sample = &p.samples[draws[r]];
                let mut row = vec![
                    label.clone(),
                    r.to_string(),
                    replication_seed(seed, r as u32).to_string(),
                    sample.generation.to_string(),
                    sample.particle.to_string(),
                ];
                row.extend(used.iter().map(|v| fmt_exact(*v)));
                row
            })
        });
        let draws_csv = csv_bytes(std::iter::once(header).chain(rows));
        Ok(vec![
            ("effects_posterior.csv".into(), csv_rows(&effects)),
            ("effects_posterior.md".into(), self.markdown(&scenarios[0].0, &effects, reps).into_bytes()),
            ("posterior_draws.csv".into(), draws_csv),
        ])
    }

    /// The headline effects with both intervals; robust effects marked.
    fn markdown(&self, base: &str, rows: &[PosteriorEffectRow], reps: u32) -> String {
        let p = &self.posterior;
        let medians = p.medians();
        let mut s = format!(
            "Final-year effects against `{base}` under parameter uncertainty ({reps} paired replications, each with a parameter set drawn from {} of {} sets; seed-only: {reps} paired replications at the posterior median {})\n\n",
            self.file.display(),
            p.samples.len(),
            p.parameters.iter().zip(&medians).map(|(q, m)| format!("{q} = {}", sig(*m))).collect::<Vec<_>>().join(", ")
        );
        s.push_str("| variant | KPI | difference at median | seed-only 95% CI | difference over draws | parameters + seeds 95% | robust |\n");
        s.push_str("| --- | --- | ---: | --- | ---: | --- | --- |\n");
        for e in rows.iter().filter(|e| headline_names().contains(&e.kpi.as_str())) {
            s.push_str(&format!(
                "| {} | {} | {} | [{}, {}] | {} | [{}, {}] | {} |\n",
                e.variant,
                e.kpi,
                sig(e.seed_diff_mean),
                sig(e.seed_ci_low),
                sig(e.seed_ci_high),
                sig(e.diff_mean),
                sig(e.combined_low),
                sig(e.combined_high),
                if e.robust { "robust" } else { "–" }
            ));
        }
        s.push_str(
            "\nrobust: the interval over parameter draws and seeds excludes 0, so the sign of the effect holds across what the calibration leaves uncertain.\n",
        );
        s
    }
}

/// The 1-based column of parameter `j` in `posterior.csv`.
fn column(j: usize) -> usize {
    corridor::output::POSTERIOR_COLUMNS.len() + j + 1
}

fn sig(v: f64) -> String {
    corridor::experiment::calibrate::fit::sig4(v)
}
