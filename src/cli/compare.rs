//! `corridor compare`: a base and variants run with the same replication seeds (common random
//! numbers), paired effects with 95% intervals, written as one folder (docs/OUTPUTS.md).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::progress::Progress;
use super::Failure;
use corridor::experiment::effects::{costs, effects, RepRun};
use corridor::experiment::seeds::replication_seed;
use corridor::output::folder::{Claim, Kind};
use corridor::output::{
    csv_rows, headline_names, json_bytes, CompareJson, CompareRow, CostRow, EffectRow, ScenarioTitle,
};

#[derive(clap::Args)]
pub struct CompareArgs {
    /// The base scenario (TOML).
    pub base: PathBuf,
    /// Variant scenarios compared with the base.
    #[arg(required = true)]
    pub variants: Vec<PathBuf>,
    /// Replications per scenario (replication i of every scenario uses the same seed).
    #[arg(long, default_value_t = 10)]
    pub reps: u32,
    /// Base seed of the replication seeds (default: the base scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/compare-<base>-vs-<variants>, with +<hash> when --set,
    /// --years or --seed change the scenarios).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace a finished compare folder of other scenarios or settings.
    #[arg(long)]
    pub force: bool,
    /// Years to simulate (default: each scenario's `years`).
    #[arg(long)]
    pub years: Option<u32>,
    /// Override a value in every scenario: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// A `corridor calibrate` folder: replication i of every scenario also runs with a parameter
    /// set drawn from its posterior.csv, and the compare itself at the posterior median.
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

struct Named {
    label: String,
    path: PathBuf,
    scenario: corridor::scenario::Scenario,
}

/// Most replications per scenario.
const MAX_REPS: u32 = 100_000;

pub fn run(args: CompareArgs) -> Result<(), Failure> {
    if !(1..=MAX_REPS).contains(&args.reps) {
        return Err(Failure(format!("--reps {}: must be between 1 and {MAX_REPS}", args.reps)));
    }
    let pool = super::thread_pool(args.threads)?;
    let user_sets = super::sets_with_years(&args.sets, args.years);
    let posterior = args.posterior.as_deref().map(super::posterior::read).transpose()?;
    let mut sets = user_sets.clone();
    sets.extend(posterior.iter().flat_map(|p| p.median_sets()));
    let scenarios = load_all(&args.base, &args.variants, &sets, pool.current_num_threads())
        .map_err(|e| super::blame_years_flag(e, &args.sets, args.years))?;
    comparable(&scenarios)?;
    let files_of: Vec<(String, PathBuf)> = scenarios.iter().map(|n| (n.label.clone(), n.path.clone())).collect();
    if let Some(p) = &posterior {
        p.check(&files_of, &user_sets)?;
    }
    let seed = args.seed.unwrap_or(scenarios[0].scenario.seed);
    let drawn = posterior.as_ref().map(|p| p.load(&files_of, &user_sets, seed, args.reps, &pool)).transpose()?;
    let base = &scenarios[0].scenario;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(folder_name(&args, &scenarios, seed)));
    // compare.json is known before the runs: refuse an output folder now, not after them.
    let columns = corridor::metrics::Recorder::new(base).columns;
    let charted: Vec<String> =
        headline_names().iter().filter(|k| columns.iter().any(|c| c == *k)).map(|k| k.to_string()).collect();
    let mut info = compare_json(&scenarios, args.reps, seed, charted);
    info.posterior = posterior.as_ref().map(|p| format!("{} {}", p.file.display(), p.hash));
    let marker = json_bytes(&info);
    let claim = Claim::of_files(Kind::Compare, &[("compare.json".into(), marker.clone())], args.force);
    corridor::output::folder::check(&out, &claim)?;
    if !args.quiet {
        eprintln!(
            "corridor compare: {} vs {} ({} replications, seed {}, {} threads)",
            scenarios[0].label,
            scenarios[1..].iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", "),
            args.reps,
            seed,
            pool.current_num_threads()
        );
    }
    let start = Instant::now();
    let jobs: Vec<(usize, u32)> = (0..scenarios.len()).flat_map(|s| (0..args.reps).map(move |r| (s, r))).collect();
    let progress = Progress::new(jobs.len() as u64, "runs", &format!("compare {}", scenarios[0].label), args.quiet);
    let runs: Vec<RepRun> = pool.install(|| {
        jobs.par_iter()
            .map(|&(s, r)| {
                let result = corridor::run(&scenarios[s].scenario, replication_seed(seed, r));
                progress.inc(1);
                RepRun::from_result(&result)
            })
            .collect()
    });
    progress.finish();
    let reps = args.reps as usize;
    let per: Vec<&[RepRun]> = runs.chunks(reps).collect();
    let kpis = per[0][0].columns.clone();
    let rate = base.output.discount_rate;
    let variants = scenarios[1..].iter().enumerate();
    let all: Vec<EffectRow> =
        variants.clone().flat_map(|(v, s)| effects(&s.label, &kpis, per[0], per[v + 1], rate)).collect();
    let cost_rows: Vec<CostRow> = variants.flat_map(|(v, s)| costs(&s.label, per[0], per[v + 1], rate)).collect();
    // compare.json lists the headline KPIs that charts and reports show; the CSV files hold all.
    debug_assert_eq!(kpis, columns);
    let table = corridor::report::effects_markdown(&info, &all, &cost_rows);
    let mut files = vec![
        ("compare.csv".to_string(), csv_rows(&compare_rows(&scenarios, &per))),
        ("effects.csv".to_string(), csv_rows(&all)),
        ("costs.csv".to_string(), csv_rows(&cost_rows)),
        ("effects.md".to_string(), table.clone().into_bytes()),
        ("compare.json".to_string(), marker),
    ];
    if let (Some(p), Some(drawn)) = (&posterior, drawn) {
        files.extend(p.run(drawn, &files_of, &per, seed, args.reps, &pool, args.quiet)?);
    }
    super::chart::write_folder(&out, &files, &claim, args.charts)?;
    if !args.quiet {
        print!("{table}");
        if let Some((_, md)) = files.iter().find(|(n, _)| n == "effects_posterior.md") {
            print!("\n{}", String::from_utf8_lossy(md));
        }
        println!("wrote {} in {:.2} s", out.display(), start.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Loads every scenario (refusing one whose `threads` concurrent runs would not fit in memory);
/// labels are scenario names, made unique with the file name or a number.
/// Loads the base and the variants; a scenario error is returned as it is, for the caller to
/// word, and a run too large for memory as a failure.
fn load_all(
    base: &Path,
    variants: &[PathBuf],
    sets: &[String],
    threads: usize,
) -> Result<Vec<Named>, corridor::scenario::ScenarioError> {
    let mut out: Vec<Named> = Vec::new();
    let (limit, limit_what) = super::memory_limit();
    for p in std::iter::once(base).chain(variants.iter().map(PathBuf::as_path)) {
        let loaded = corridor::scenario::load(p, sets)?;
        corridor::scenario::check_footprint(&loaded, threads, limit, &limit_what)?;
        let scenario = loaded.scenario;
        let mut label = scenario.name.clone();
        if out.iter().any(|n| n.label == label) {
            label = p.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        }
        let stem = label.clone();
        let mut k = 2;
        while label.is_empty() || out.iter().any(|n| n.label == label) {
            label = format!("{stem}-{k}");
            k += 1;
        }
        out.push(Named { label, path: p.to_path_buf(), scenario });
    }
    Ok(out)
}

/// Paired differences need the same calendar and the same map: every variant must start in the
/// base's year, run as long, and have the base's grid and districts.
fn comparable(scenarios: &[Named]) -> Result<(), Failure> {
    let b = &scenarios[0];
    let describe = |n: &Named| {
        let s = &n.scenario;
        format!(
            "{} ({}: {} years from {}, a {}x{} grid of {} km cells, districts {})",
            n.path.display(),
            n.label,
            s.years,
            s.start_year,
            s.grid.width,
            s.grid.height,
            s.grid.cell_km,
            s.districts.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
        )
    };
    for v in &scenarios[1..] {
        let (bs, vs) = (&b.scenario, &v.scenario);
        let differs = if vs.start_year != bs.start_year {
            "start years differ"
        } else if vs.years != bs.years {
            "lengths differ (pass --years N to run every scenario for N years)"
        } else if (vs.grid.width, vs.grid.height, vs.grid.cell_km) != (bs.grid.width, bs.grid.height, bs.grid.cell_km) {
            "grids differ (they are different corridors)"
        } else if vs.districts.iter().map(|d| &d.name).ne(bs.districts.iter().map(|d| &d.name)) {
            "districts differ (they are different corridors)"
        } else {
            continue;
        };
        return Err(Failure(format!(
            "cannot compare {} with {}: their {differs}; a compare pairs the same years on the same map",
            describe(v),
            describe(b)
        )));
    }
    Ok(())
}

/// `compare-<base>-vs-<variant>-<variant>`, with `+<hash>` when --set, --years or --seed change
/// the scenarios; long lists of variants are cut and hashed.
fn folder_name(args: &CompareArgs, scenarios: &[Named], seed: u64) -> String {
    let labels: Vec<&str> = scenarios.iter().map(|n| n.label.as_str()).collect();
    let mut name = format!("compare-{}-vs-{}", labels[0], labels[1..].join("-"));
    let words: Vec<u64> = scenarios
        .iter()
        .map(|n| u64::from_str_radix(&corridor::scenario::scenario_hash(&n.scenario), 16).unwrap_or(0))
        .collect();
    let all = format!("{:016x}", corridor::rng::hash_words(&words));
    if name.chars().count() > 120 {
        name = format!("{}+{}", name.chars().take(100).collect::<String>(), super::run::short_hash(&all, 0));
    }
    let changed = !args.sets.is_empty()
        || args.years.is_some()
        || args.seed.is_some_and(|s| s != scenarios[0].scenario.seed)
        || args.posterior.is_some();
    if changed {
        name = format!("{name}+{}", super::run::short_hash(&all, seed));
    }
    name
}

/// The yearly value of every KPI in every replication of every scenario.
fn compare_rows(scenarios: &[Named], per: &[&[RepRun]]) -> Vec<CompareRow> {
    let mut rows = Vec::new();
    for (s, reps) in scenarios.iter().zip(per) {
        for (r, run) in reps.iter().enumerate() {
            for (&year, row) in run.years.iter().zip(&run.yearly) {
                for (kpi, &value) in run.columns.iter().zip(row) {
                    rows.push(CompareRow {
                        scenario: s.label.clone(),
                        replication: r as u32,
                        year,
                        kpi: kpi.clone(),
                        value,
                    });
                }
            }
        }
    }
    rows
}

fn compare_json(scenarios: &[Named], reps: u32, seed: u64, kpis: Vec<String>) -> CompareJson {
    let base = &scenarios[0].scenario;
    CompareJson {
        base: scenarios[0].label.clone(),
        variants: scenarios[1..].iter().map(|s| s.label.clone()).collect(),
        reps,
        seed,
        replication_seeds: (0..reps).map(|r| replication_seed(seed, r)).collect(),
        scenario_hashes: scenarios.iter().map(|s| corridor::scenario::scenario_hash(&s.scenario)).collect(),
        kpis,
        headline: headline_names().iter().map(|k| k.to_string()).collect(),
        start_year: base.start_year,
        years: base.years,
        posterior: None,
        discount_rate: base.output.discount_rate,
        // A variant that sets no title of its own inherits the base's through `extends`: then
        // its label names it.
        titles: scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let own = |t: &String, b: &String| if i > 0 && t == b { String::new() } else { t.clone() };
                ScenarioTitle {
                    label: s.label.clone(),
                    title: own(&s.scenario.title, &base.title),
                    title_zh: own(&s.scenario.title_zh, &base.title_zh),
                }
            })
            .collect(),
    }
}
