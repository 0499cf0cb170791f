//! `corridor sweep`: runs a sweep file's design over rayon threads, streaming one `runs.csv` line
//! per finished run, then writes the sorted `runs.csv`, `points.csv`, `tornado.csv` (one at a
//! time), `morris.csv` (Morris) and, last, `sweep.json` (its presence marks a finished folder).
//!
//! Interruptions: every row is appended with a single write of a complete line, so Ctrl-C (the
//! default SIGINT handler ends the process), `kill -9` or a crash leaves complete rows and at most
//! one torn last line. `--resume` drops the torn line, checks every row belongs to this sweep,
//! and runs only the missing run ids. The file is synced to disk at most once a second, so a power
//! loss can lose up to a second of rows, which `--resume` then reruns.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::progress::Progress;
use super::Failure;
use corridor::experiment::design::Design;
use corridor::experiment::runs::{self, RunKey, RunRow, Shard};
use corridor::experiment::spec::{self, DesignKind, SweepError, SweepFile, SweepSpec};
use corridor::experiment::{sobol, summary};
use corridor::output::folder::{self, Claim, Kind};
use corridor::output::{atomic_write, csv_rows, headline_names, json_bytes};
use corridor::scenario::{Scenario, ScenarioError};

#[derive(clap::Args)]
pub struct SweepArgs {
    /// Sweep file (TOML).
    pub sweep: PathBuf,
    /// Output folder (default: output/sweep-<name>, with -shard-I-of-N for a shard).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Continue an interrupted sweep in the output folder: run only the missing runs.
    #[arg(long)]
    pub resume: bool,
    /// Start again over a finished sweep folder (of this or another sweep).
    #[arg(long)]
    pub force: bool,
    /// Run one of N disjoint slices of the runs (run_id % N == I), e.g. 0/4; join with `merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

/// A sweep ready to run: the resolved spec, its points and every point's scenario.
struct Prepared {
    spec: SweepSpec,
    design: Design,
    scenarios: Vec<Scenario>,
}

pub fn run(args: SweepArgs) -> Result<(), Failure> {
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::ALL,
    };
    let text =
        std::fs::read_to_string(&args.sweep).map_err(|source| SweepError::Read { file: args.sweep.clone(), source })?;
    let file = spec::parse(&args.sweep, &text)?;
    let pool = super::thread_pool(args.threads)?;
    let prep = prepare(&file, pool.current_num_threads())?;
    let (spec, design) = (&prep.spec, &prep.design);
    let out = args.out.clone().unwrap_or_else(|| {
        let mut name = format!("sweep-{}", spec.name);
        if shard.count > 1 {
            name.push_str(&format!("-shard-{}-of-{}", shard.index, shard.count));
        }
        PathBuf::from("output").join(name)
    });
    let keys: Vec<RunKey> = runs::run_keys(spec, design).into_iter().filter(|k| shard.contains(k.run_id)).collect();
    let runs_path = out.join("runs.csv");
    let shard_info = (shard.count > 1).then_some(shard);
    let marker = json_bytes(&summary::sweep_json(spec, design, shard_info));
    let identity = folder::identity(Kind::Sweep, &marker).map(|(i, _)| i).unwrap_or_default();
    let claim = Claim { kind: Kind::Sweep, identity, force: args.force, finishing: true };
    let fresh = folder::may_start(&out, &claim, args.resume)?;
    let done = open_runs_file(&out, spec, design, &keys, shard, args.resume, fresh)?;
    let todo: Vec<RunKey> = keys.iter().copied().filter(|k| !done.contains(&k.run_id)).collect();
    if !args.quiet {
        eprintln!(
            "corridor sweep {}: {} design, {} points x {} replications = {} runs{}; {} to run on {} threads",
            spec.name,
            design.kind.as_str(),
            design.points.len(),
            spec.replications,
            design.points.len() as u64 * spec.replications as u64,
            if shard.count > 1 {
                format!(" (shard {}/{}: {})", shard.index, shard.count, keys.len())
            } else {
                String::new()
            },
            todo.len(),
            pool.current_num_threads()
        );
    }
    let start = Instant::now();
    let sink = Mutex::new(RowSink::open(&runs_path)?);
    let progress = Progress::new(todo.len() as u64, "runs", &format!("sweep {}", spec.name), args.quiet);
    pool.install(|| {
        todo.par_iter().try_for_each(|key| -> Result<(), Failure> {
            let result = corridor::run(&prep.scenarios[key.point as usize], key.seed);
            let kpis: Vec<f64> = spec.kpis.iter().map(|k| result.final_year(k).unwrap_or(f64::NAN)).collect();
            let line = runs::row_line(key, &design.points[key.point as usize].values, &kpis);
            sink.lock()
                .map_err(|_| Failure("a worker thread panicked".into()))?
                .push(&line)
                .map_err(|e| Failure(format!("{}: {e}", runs_path.display())))?;
            progress.inc(1);
            Ok(())
        })
    })?;
    progress.finish();
    drop(sink);
    let rows = read_rows(&runs_path, spec)?;
    let expected: HashSet<u64> = keys.iter().map(|k| k.run_id).collect();
    let missing = expected.iter().filter(|id| !rows.iter().any(|r| r.run_id == **id)).count();
    if missing > 0 {
        return Err(Failure(format!("{}: {missing} runs are missing after the sweep", runs_path.display())));
    }
    // The finished folder is assembled beside the one in progress, charts and report drawn in it,
    // and moved into place whole: `sweep.json` never exists without them. A shard holds part of
    // the design, so only whole sweeps draw charts.
    let files = finish_files(spec, design, &rows, shard_info);
    let flags = super::chart::ChartFlags { no_charts: args.charts.no_charts || shard_info.is_some(), ..args.charts };
    super::chart::write_folder(&out, &files, &claim, flags)?;
    if !args.quiet {
        let secs = start.elapsed().as_secs_f64();
        println!(
            "wrote {} ({} runs, {} new, {:.1} runs/s)",
            out.display(),
            rows.len(),
            todo.len(),
            todo.len() as f64 / secs.max(1e-9)
        );
    }
    Ok(())
}

/// Resolves defaults (KPIs, baselines), builds the design and loads every point's scenario; a
/// bad parameter path or value is the scenario loader's error, located in the sweep file. Refuses
/// a sweep whose points, or whose `threads` concurrent runs, would not fit in memory.
fn prepare(file: &SweepFile, threads: usize) -> Result<Prepared, Failure> {
    let mut spec = file.spec.clone();
    let fixed = super::sets_with_years(&spec.set, spec.years);
    let base_path = file.base_path();
    let located = |source: ScenarioError| {
        let field = sweep_field(&file.spec, &source);
        SweepError::Scenario { location: file.locate(&field), field, source: Box::new(source) }
    };
    let template = corridor::scenario::Base::read(&base_path).map_err(located)?;
    let base = template.load(&fixed).map_err(located)?;
    let (limit, limit_what) = super::memory_limit();
    let (points, design_field) = spec::point_count(&spec);
    // Every point's resolved scenario is held in memory (about four times its TOML text).
    let per_point = 4.0 * corridor::scenario::to_toml(&base.scenario).len() as f64 + 1024.0;
    let held = points as f64 * per_point;
    if held > limit {
        return Err(file
            .invalid(
                &design_field,
                format!(
                    "the sweep's {points} points would hold about {} of scenarios in memory, more than {limit_what}",
                    corridor::scenario::footprint::bytes_text(held)
                ),
            )
            .into());
    }
    let columns = corridor::metrics::Recorder::new(&base.scenario).columns;
    if spec.kpis.is_empty() {
        spec.kpis = headline_names().iter().map(|s| s.to_string()).filter(|k| columns.contains(k)).collect();
    }
    for (i, k) in spec.kpis.iter().enumerate() {
        if !columns.contains(k) {
            return Err(file
                .invalid(&format!("kpis.{i}"), format!("unknown KPI `{k}`; known: {}", columns.join(", ")))
                .into());
        }
    }
    let resolved = toml::Value::try_from(&base.scenario).ok();
    for p in spec.parameters.iter_mut() {
        if p.baseline.is_none() {
            p.baseline = resolved.as_ref().and_then(|v| number_at(v, &p.path));
        }
    }
    let design = Design::build(&spec).map_err(|j| {
        file.invalid(
            &format!("parameters.{j}.path"),
            format!(
                "one-at-a-time needs a baseline: `{}` is not a number in the base scenario; give `baseline`",
                spec.parameters[j].path
            ),
        )
    })?;
    let scenarios = (0..design.points.len())
        .into_par_iter()
        .map(|i| {
            let mut sets = fixed.clone();
            sets.extend(design.sets(&spec, i));
            let loaded = template.load(&sets).map_err(located)?;
            corridor::scenario::check_footprint(&loaded, threads, limit, &limit_what).map_err(located)?;
            Ok(loaded.scenario)
        })
        .collect::<Result<Vec<_>, SweepError>>()?;
    Ok(Prepared { spec, design, scenarios })
}

/// The sweep field a scenario error comes from: a fixed `set` entry, `years`, a parameter, or
/// the base scenario itself.
fn sweep_field(spec: &SweepSpec, e: &ScenarioError) -> String {
    let Some(arg) = e.set_arg() else { return "base".into() };
    let path = arg.split('=').next().unwrap_or("").trim();
    if let Some(i) = spec.set.iter().position(|s| s == arg) {
        format!("set.{i}")
    } else if let Some(j) = spec.parameters.iter().position(|p| p.path == path) {
        format!("parameters.{j}.path")
    } else if path == "years" && spec.years.is_some() {
        "years".into()
    } else {
        "base".into()
    }
}

/// Validates a sweep file as `corridor sweep` would before running (every point's scenario
/// loaded); says what it holds.
pub fn check_file(path: &Path, text: &str) -> Result<String, Failure> {
    let file = spec::parse(path, text)?;
    let prep = prepare(&file, super::cpus())?;
    Ok(format!(
        "sweep {}: {} design, {} points x {} replications = {} runs of {}",
        prep.spec.name,
        prep.design.kind.as_str(),
        prep.design.points.len(),
        prep.spec.replications,
        prep.design.points.len() as u64 * prep.spec.replications as u64,
        file.base_path().display()
    ))
}

/// The number at a dotted path of a resolved scenario (array elements by name or index).
pub(super) fn number_at(root: &toml::Value, path: &str) -> Option<f64> {
    let mut cur = root;
    for seg in path.split('.') {
        cur = match cur {
            toml::Value::Table(t) => t.get(seg)?,
            toml::Value::Array(a) => match seg.parse::<usize>() {
                Ok(i) => a.get(i)?,
                Err(_) => a.iter().find(|x| x.get("name").and_then(toml::Value::as_str) == Some(seg))?,
            },
            _ => return None,
        };
    }
    match cur {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Prepares `runs.csv`: a fresh file with its header (`fresh`, see [`may_start`]), or (with
/// `--resume`) the rows already there, cut back to the last complete line. Returns the run ids
/// already done.
fn open_runs_file(
    out: &Path,
    spec: &SweepSpec,
    design: &Design,
    keys: &[RunKey],
    shard: Shard,
    resume: bool,
    fresh: bool,
) -> Result<HashSet<u64>, Failure> {
    let runs_path = out.join("runs.csv");
    let io = |p: &Path, e: std::io::Error| Failure(format!("{}: {e}", p.display()));
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let finished = out.join("sweep.json").exists();
    if !fresh && runs_path.exists() && (resume || !finished) {
        if !resume {
            return Err(Failure(format!(
                "{} holds an unfinished sweep: pass --resume to finish it, or remove the folder",
                out.display()
            )));
        }
        let text = std::fs::read(&runs_path).map_err(|e| io(&runs_path, e))?;
        let text = String::from_utf8_lossy(&text).to_string();
        let parsed = runs::parse_runs(spec, &text)
            .map_err(|e| Failure(format!("{}: cannot resume: {e}", runs_path.display())))?;
        let by_id: std::collections::HashMap<u64, &RunKey> = keys.iter().map(|k| (k.run_id, k)).collect();
        let mut done = HashSet::new();
        for r in &parsed.rows {
            let ok = by_id.get(&r.run_id).is_some_and(|k| {
                r.line.starts_with(&format!("{},", runs::row_prefix(k, &design.points[k.point as usize].values)))
            });
            if !ok {
                return Err(Failure(format!(
                    "{}: cannot resume: run {} does not belong to this sweep{} (different sweep file or seed?); remove the folder or use another --out",
                    runs_path.display(),
                    r.run_id,
                    if shard.count > 1 { format!(" shard {}/{}", shard.index, shard.count) } else { String::new() }
                )));
            }
            done.insert(r.run_id);
        }
        if text.is_empty() {
            std::fs::write(&runs_path, runs::header(spec)).map_err(|e| io(&runs_path, e))?;
        } else if parsed.torn {
            let keep = text.rfind('\n').map(|i| i + 1).unwrap_or(0) as u64;
            let f = OpenOptions::new().write(true).open(&runs_path).map_err(|e| io(&runs_path, e))?;
            f.set_len(keep).and_then(|_| f.sync_all()).map_err(|e| io(&runs_path, e))?;
            if keep == 0 {
                std::fs::write(&runs_path, runs::header(spec)).map_err(|e| io(&runs_path, e))?;
            }
        }
        if finished {
            let _ = std::fs::remove_file(out.join("sweep.json"));
        }
        return Ok(done);
    }
    for name in ["sweep.json", "points.csv", "tornado.csv", "morris.csv", "sobol.csv"] {
        let _ = std::fs::remove_file(out.join(name));
    }
    atomic_write(&runs_path, runs::header(spec).as_bytes()).map_err(|e| io(&runs_path, e))?;
    Ok(HashSet::new())
}

/// Appends complete lines to a rows file (`runs.csv`, `calibration.csv`), one write per line,
/// synced at most once a second.
pub(super) struct RowSink {
    file: std::fs::File,
    last_sync: Instant,
}

impl RowSink {
    pub(super) fn open(path: &Path) -> Result<RowSink, Failure> {
        let file =
            OpenOptions::new().append(true).open(path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        Ok(RowSink { file, last_sync: Instant::now() })
    }
    pub(super) fn push(&mut self, line: &str) -> std::io::Result<()> {
        self.file.write_all(line.as_bytes())?;
        if self.last_sync.elapsed() > Duration::from_secs(1) {
            self.file.sync_data()?;
            self.last_sync = Instant::now();
        }
        Ok(())
    }
}

impl Drop for RowSink {
    fn drop(&mut self) {
        let _ = self.file.sync_data();
    }
}

/// The rows of a `runs.csv`, sorted by run id, duplicates removed.
pub fn read_rows(path: &Path, spec: &SweepSpec) -> Result<Vec<RunRow>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let parsed = runs::parse_runs(spec, &text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    if parsed.torn {
        return Err(Failure(format!("{}: the last line is incomplete (interrupted sweep?)", path.display())));
    }
    runs::sort_dedup(parsed.rows).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

/// The files of a finished sweep folder, `sweep.json` last.
pub fn finish_files(
    spec: &SweepSpec,
    design: &Design,
    rows: &[RunRow],
    shard: Option<Shard>,
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("runs.csv".to_string(), runs::runs_text(spec, rows).into_bytes()),
        ("points.csv".to_string(), summary::points_csv(spec, design, rows)),
    ];
    match design.kind {
        DesignKind::Oat => files.push(("tornado.csv".into(), csv_rows(&summary::tornado_rows(spec, design, rows)))),
        DesignKind::Morris => files.push(("morris.csv".into(), csv_rows(&summary::morris_rows(spec, design, rows)))),
        DesignKind::Sobol => files.push(("sobol.csv".into(), csv_rows(&sobol::sobol_rows(spec, design, rows)))),
        _ => {}
    }
    files.push(("sweep.json".into(), json_bytes(&summary::sweep_json(spec, design, shard))));
    files
}
