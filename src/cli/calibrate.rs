//! `corridor calibrate`: fits a targets file's parameters by ABC-SMC (docs/CALIBRATION.md). Each
//! generation's parameter sets run over rayon threads and stream one line each to
//! `calibration.csv`; when a generation is complete the sampler picks the next one from the rows
//! as written. At the end: the sorted `calibration.csv`, `posterior.csv`, `generations.csv`,
//! `fit.csv`, `fit.md`, `calibrated.toml` and, last, `calibration.json` (a finished folder), then
//! charts and `report.html`.
//!
//! Interruptions: as for `sweep`, every row is one write of a complete line; `--resume` drops a
//! torn last line, checks that every row is the one this targets file draws (same generation,
//! particle, seed and values), and runs only what is missing.
//!
//! Shards (`--shard I/N`, all N processes on one shared folder): shard I runs the particles with
//! `particle % N == I` of each generation and streams them to `calibration.shard-I-of-N.csv`;
//! before the next generation it waits until the other shards' rows of this one are in the
//! folder (every shard then draws the same next generation). Shard 0 writes the results. A
//! process without `--shard` and with `--resume` reads every shard's rows and finishes the rest.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::progress::Progress;
use super::sweep::RowSink;
use super::Failure;
use corridor::experiment::calibrate::rows::{self, Row};
use corridor::experiment::calibrate::{fit, targets, CalibrationSpec, Proposal, Sampler, TargetsFile, METHOD};
use corridor::experiment::runs::Shard;
use corridor::experiment::spec::SweepError;
use corridor::output::folder::{self, Claim, Kind};
use corridor::output::{atomic_write, csv_rows, fmt_exact, json_bytes, posterior_csv, BestJson, CalibrationJson};

#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// Targets file (TOML): targets, parameters with priors, sampler settings.
    pub targets: PathBuf,
    /// Output folder (default: output/calibrate-<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Continue an interrupted calibration in the output folder (or rewrite a finished one's
    /// files from its rows).
    #[arg(long)]
    pub resume: bool,
    /// Start again over a calibration folder (finished or not, of this or another targets file).
    #[arg(long)]
    pub force: bool,
    /// Run one of N processes sharing the output folder (particle % N == I), e.g. 0/4.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

/// A targets file ready to run: the base scenario's path, the fixed overrides and the resolved
/// base scenario.
struct Prepared {
    spec: CalibrationSpec,
    base_path: PathBuf,
    fixed: Vec<String>,
    resolved: toml::Value,
}

impl Prepared {
    /// The `--set` arguments of a parameter set.
    fn sets(&self, values: &[f64]) -> Vec<String> {
        let mut sets = self.fixed.clone();
        sets.extend(self.spec.parameters.iter().zip(values).map(|(p, v)| format!("{}={}", p.path, fmt_exact(*v))));
        sets
    }

    fn valid(&self, values: &[f64]) -> bool {
        corridor::scenario::load(&self.base_path, &self.sets(values)).is_ok()
    }

    /// Runs a proposal's replications; its `calibration.csv` line.
    fn evaluate(&self, p: &Proposal) -> Result<String, Failure> {
        let loaded = corridor::scenario::load(&self.base_path, &self.sets(&p.values))?;
        let runs: Vec<corridor::RunResult> = p.seeds.iter().map(|&s| corridor::run(&loaded.scenario, s)).collect();
        Ok(rows::row_line(&self.spec, p, &rows::statistics(&self.spec, &runs)))
    }
}

pub fn run(args: CalibrateArgs) -> Result<(), Failure> {
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::ALL,
    };
    let file = targets::read(&args.targets)?;
    let pool = super::thread_pool(args.threads)?;
    let prep = prepare(&file, pool.current_num_threads())?;
    let spec = &prep.spec;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("calibrate-{}", spec.name)));
    let own = out.join(own_file(shard));
    // The folder's identity is its targets file, known before any run: refuse a folder now.
    let identity = folder::identity(Kind::Calibration, &json_bytes(&serde_json::json!({ "spec": spec })))
        .map(|(i, _)| i)
        .unwrap_or_default();
    let claim = Claim { kind: Kind::Calibration, identity, force: args.force, finishing: true };
    let fresh = folder::may_start(&out, &claim, args.resume)?;
    open_folder(&out, &own, shard, args.resume, fresh)?;
    prepare_own_file(&own, spec)?;
    let mut store = Store::default();
    store.read(&out, spec)?;
    let say = |msg: String| {
        if !args.quiet {
            eprintln!("{msg}");
        }
    };
    say(format!(
        "corridor calibrate {}: {} parameters, {} targets ({} in the fit); {} particles a generation, {} kept; on {} threads{}",
        spec.name,
        spec.parameters.len(),
        spec.targets.len(),
        spec.in_sample().count(),
        spec.abc.particles,
        spec.abc.kept(),
        pool.current_num_threads(),
        if shard.count > 1 { format!(" (shard {}/{})", shard.index, shard.count) } else { String::new() }
    ));
    let start = Instant::now();
    let mut sampler = Sampler::new(spec);
    let sink = Mutex::new(RowSink::open(&own)?);
    let mut new_runs = 0u64;
    loop {
        let proposals = pool.install(|| sampler.propose(&|v| prep.valid(v)))?;
        if proposals.is_empty() {
            break;
        }
        let g = sampler.generation();
        for p in &proposals {
            if let Some(row) = store.rows.get(&(g, p.particle)) {
                if !row.line.starts_with(&rows::prefix(p)) {
                    return Err(Failure(format!(
                        "{}: cannot resume: the row of generation {g}, particle {} is not the one this targets file draws (different file or seed?); remove the folder or use another --out",
                        out.display(),
                        p.particle
                    )));
                }
            }
        }
        let todo: Vec<&Proposal> = proposals
            .iter()
            .filter(|p| shard.contains(p.particle as u64) && !store.rows.contains_key(&(g, p.particle)))
            .collect();
        let bar = Progress::new(
            todo.len() as u64,
            "parameter sets",
            &format!("calibrate {}, generation {g}", spec.name),
            args.quiet,
        );
        let written = Mutex::new(Vec::with_capacity(todo.len()));
        pool.install(|| {
            todo.par_iter().try_for_each(|p| -> Result<(), Failure> {
                let line = prep.evaluate(p)?;
                let poisoned = || Failure("a worker thread panicked".into());
                sink.lock()
                    .map_err(|_| poisoned())?
                    .push(&line)
                    .map_err(|e| Failure(format!("{}: {e}", own.display())))?;
                written.lock().map_err(|_| poisoned())?.push(line);
                bar.inc(1);
                Ok(())
            })
        })?;
        bar.finish();
        new_runs += todo.len() as u64 * spec.abc.replications as u64;
        let text = format!("{}{}", rows::header(spec), written.into_inner().unwrap_or_default().concat());
        let (new, _) = rows::parse_rows(spec, &text).map_err(|e| Failure(format!("{}: {e}", own.display())))?;
        store.merge(new, &own)?;
        wait_for_shards(&mut store, &out, spec, &proposals, shard, &say)?;
        let evaluated = proposals.iter().map(|p| store.rows[&(g, p.particle)].evaluated.clone()).collect();
        sampler.close(evaluated);
        if let Some(h) = sampler.history.last() {
            say(format!(
                "generation {g}: {} parameter sets; tolerance {:.4}, acceptance {}, effective sample size {:.1}, closest {:.4}",
                h.evaluated,
                h.epsilon,
                if h.acceptance.is_nan() { "-".into() } else { format!("{:.2}", h.acceptance) },
                h.ess,
                h.distance_min
            ));
        }
    }
    drop(sink);
    let stopped = sampler.stopped.map_or("it stopped", |s| s.describe());
    say(format!("stopped: {stopped}"));
    if shard.index != 0 {
        say(format!(
            "shard {}/{} is done; shard 0 writes the results into {}",
            shard.index,
            shard.count,
            out.display()
        ));
        return Ok(());
    }
    // The finished folder is assembled beside the one in progress, charts and report drawn in it,
    // and moved into place whole: `calibration.json` never exists without them.
    let files = finish_files(&prep, &sampler, &store, &out)?;
    super::chart::write_folder(&out, &files, &claim, args.charts)?;
    if !args.quiet {
        let secs = start.elapsed().as_secs_f64();
        println!(
            "wrote {} ({} generations, {} runs, {} new, {:.1} runs/s)",
            out.display(),
            sampler.history.len(),
            sampler.runs(),
            new_runs,
            new_runs as f64 / secs.max(1e-9)
        );
    }
    Ok(())
}

/// Loads the base scenario with the fixed overrides, checks the targets against its columns and
/// years, that `threads` concurrent runs fit in memory, and that every parameter path takes a
/// value of its prior; errors are located in the targets file.
fn prepare(file: &TargetsFile, threads: usize) -> Result<Prepared, Failure> {
    let spec = file.spec.clone();
    let fixed = super::sets_with_years(&spec.set, spec.years);
    let base_path = file.base_path();
    let located = |field: String, source| -> targets::TargetsError {
        SweepError::Scenario { location: file.locate(&field), field, source: Box::new(source) }.into()
    };
    let field = if spec.set.is_empty() { "base" } else { "set" };
    let base = corridor::scenario::load(&base_path, &fixed).map_err(|e| located(field.into(), e))?;
    let (limit, limit_what) = super::memory_limit();
    corridor::scenario::check_footprint(&base, threads, limit, &limit_what).map_err(|e| located(field.into(), e))?;
    let columns = corridor::metrics::Recorder::new(&base.scenario).columns;
    targets::check_against(file, &base.scenario, &columns)?;
    let resolved = toml::Value::try_from(&base.scenario).map_err(|e| Failure(e.to_string()))?;
    let prep = Prepared { spec, base_path, fixed, resolved };
    for (i, p) in prep.spec.parameters.iter().enumerate() {
        let prior = p.prior();
        let mut sets = prep.fixed.clone();
        sets.push(format!("{}={}", p.path, fmt_exact(prior.value(prior.quantile(0.5)))));
        corridor::scenario::load(&prep.base_path, &sets).map_err(|e| located(format!("parameters.{i}.path"), e))?;
    }
    Ok(prep)
}

/// Validates a targets file as `corridor calibrate` would before running; says what it holds.
pub fn check_file(path: &Path, text: &str) -> Result<String, Failure> {
    let file = targets::parse(path, text)?;
    let prep = prepare(&file, super::cpus())?;
    let s = &prep.spec;
    Ok(format!(
        "targets {}: {} parameters, {} targets ({} in the fit), up to {} runs of {}",
        s.name,
        s.parameters.len(),
        s.targets.len(),
        s.in_sample().count(),
        s.abc.max_simulations,
        file.base_path().display()
    ))
}

fn own_file(shard: Shard) -> String {
    if shard.count > 1 {
        format!("calibration.shard-{}-of-{}.csv", shard.index, shard.count)
    } else {
        "calibration.csv".into()
    }
}

/// The files of streamed rows in a folder: `calibration.csv` and any shard's.
fn row_files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                    name == "calibration.csv" || (name.starts_with("calibration.shard-") && name.ends_with(".csv"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Readies the output folder that [`folder::may_start`] allowed. Afresh (`fresh`): the results
/// and the rows of an earlier calibration go (a shard removes only its own rows and the merged
/// `calibration.csv`: the other shards' may be this calibration's). Otherwise rows in the folder
/// are continued only with `--resume` (a shard may join the others' rows without it); a finished
/// folder being resumed loses its `calibration.json` until it is finished again.
fn open_folder(out: &Path, own: &Path, shard: Shard, resume: bool, fresh: bool) -> Result<(), Failure> {
    let io = |p: &Path, e: std::io::Error| Failure(format!("{}: {e}", p.display()));
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let remove = |p: &Path| match std::fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(p, e)),
        _ => Ok(()),
    };
    let others_only = shard.count > 1 && !own.exists();
    if !fresh && !resume && !row_files(out).is_empty() && !others_only {
        return Err(Failure(format!(
            "{}: holds an unfinished calibration: pass --resume to finish it, or --force to start again",
            out.display()
        )));
    }
    remove(&out.join("calibration.json"))?;
    if fresh {
        let mut gone: Vec<PathBuf> = ["posterior.csv", "generations.csv", "fit.csv", "fit.md", "calibrated.toml"]
            .iter()
            .map(|n| out.join(n))
            .collect();
        if shard.count > 1 {
            gone.extend([out.join("calibration.csv"), own.to_path_buf()]);
        } else {
            gone.extend(row_files(out));
        }
        for p in &gone {
            remove(p)?;
        }
    }
    Ok(())
}

/// This process's rows file: created with its header, or cut back to its last complete line.
fn prepare_own_file(own: &Path, spec: &CalibrationSpec) -> Result<(), Failure> {
    let io = |e: std::io::Error| Failure(format!("{}: {e}", own.display()));
    let text = match std::fs::read(own) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).to_string(),
        Err(_) => String::new(),
    };
    let keep = text.rfind('\n').map_or(0, |i| i + 1);
    if keep == 0 {
        return atomic_write(own, rows::header(spec).as_bytes()).map_err(io);
    }
    if keep < text.len() {
        let f = OpenOptions::new().write(true).open(own).map_err(io)?;
        f.set_len(keep as u64).and_then(|_| f.sync_all()).map_err(io)?;
    }
    Ok(())
}

/// The rows in the folder, by (generation, particle).
#[derive(Default)]
struct Store {
    rows: BTreeMap<(u32, u32), Row>,
}

impl Store {
    /// Reads every rows file of the folder (another shard's torn last line is left for later).
    fn read(&mut self, out: &Path, spec: &CalibrationSpec) -> Result<(), Failure> {
        for path in row_files(out) {
            let text = std::fs::read(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
            let text = String::from_utf8_lossy(&text);
            let (rows, _) = rows::parse_rows(spec, &text)
                .map_err(|e| Failure(format!("{}: cannot resume: {e}", path.display())))?;
            self.merge(rows, &path)?;
        }
        Ok(())
    }

    /// Adds rows; a second, different row for one particle is an error.
    fn merge(&mut self, rows: Vec<Row>, from: &Path) -> Result<(), Failure> {
        for row in rows {
            let key = (row.evaluated.generation, row.evaluated.particle);
            match self.rows.get(&key) {
                Some(old) if old.line != row.line => {
                    return Err(Failure(format!(
                        "{}: generation {}, particle {} has two different rows:\n  {}\n  {}",
                        from.display(),
                        key.0,
                        key.1,
                        old.line,
                        row.line
                    )))
                }
                Some(_) => {}
                None => {
                    self.rows.insert(key, row);
                }
            }
        }
        Ok(())
    }
}

/// Waits until every proposal of the generation has its row (only shards wait: the others'
/// rows come from their files).
fn wait_for_shards(
    store: &mut Store,
    out: &Path,
    spec: &CalibrationSpec,
    proposals: &[Proposal],
    shard: Shard,
    say: &dyn Fn(String),
) -> Result<(), Failure> {
    let missing = |s: &Store| proposals.iter().filter(|p| !s.rows.contains_key(&(p.generation, p.particle))).count();
    let mut told = false;
    while missing(store) > 0 {
        if shard.count == 1 {
            return Err(Failure(format!(
                "{}: {} rows are missing after the generation",
                out.display(),
                missing(store)
            )));
        }
        if !told {
            say(format!(
                "waiting for {} rows of generation {} from the other shards (calibration.shard-*-of-{}.csv in {})",
                missing(store),
                proposals[0].generation,
                shard.count,
                out.display()
            ));
            told = true;
        }
        std::thread::sleep(Duration::from_millis(500));
        store.read(out, spec)?;
    }
    Ok(())
}

/// The result files, `calibration.json` last.
fn finish_files(prep: &Prepared, s: &Sampler, store: &Store, out: &Path) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let spec = &prep.spec;
    let mut csv = rows::header(spec);
    let used = s.history.len() as u32;
    for row in store.rows.values().filter(|r| r.evaluated.generation < used) {
        csv.push_str(&row.line);
        csv.push('\n');
    }
    let params = fit::parameter_fits(s, spec);
    let fits = fit::fit_rows(s, spec);
    let stopped = s.stopped.map_or("it stopped", |x| x.describe()).to_string();
    let names: Vec<String> = spec.parameters.iter().map(|p| p.path.clone()).collect();
    let best = s.population().first().map_or_else(BestJson::default, |e| BestJson {
        generation: e.generation,
        particle: e.particle,
        distance: e.distance,
        values: e.values.clone(),
    });
    let base = relative_path(out, &prep.base_path);
    let calibrated = fit::calibrated_toml(spec, &base, &prep.resolved, &params)?;
    let json = CalibrationJson {
        spec: spec.clone(),
        method: METHOD.into(),
        generations: s.history.len(),
        runs: s.runs(),
        stopped: stopped.clone(),
        posterior: params.clone(),
        best,
        calibrated_value: "posterior median".into(),
    };
    Ok(vec![
        ("calibration.csv".into(), csv.into_bytes()),
        ("posterior.csv".into(), posterior_csv(&names, &fit::posterior(s))),
        ("generations.csv".into(), csv_rows(&fit::generation_rows(s))),
        ("fit.csv".into(), csv_rows(&fits)),
        ("fit.md".into(), fit::fit_markdown(spec, &fits, &params, &stopped).into_bytes()),
        ("calibrated.toml".into(), calibrated.into_bytes()),
        ("calibration.json".into(), json_bytes(&json)),
    ])
}

/// `target` relative to the folder `dir` (both made absolute), with `/` separators; the
/// absolute path where there is no relative one.
fn relative_path(dir: &Path, target: &Path) -> String {
    let (Ok(dir), Ok(target)) = (std::fs::canonicalize(dir), std::fs::canonicalize(target)) else {
        return target.display().to_string();
    };
    let (a, b): (Vec<_>, Vec<_>) = (dir.components().collect(), target.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Only the root in common: an absolute path says more than a climb to it.
    if common <= 1 {
        return target.display().to_string();
    }
    let ups = std::iter::repeat_n("..".to_string(), a.len() - common);
    let downs = b[common..].iter().map(|c| c.as_os_str().to_string_lossy().to_string());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}
