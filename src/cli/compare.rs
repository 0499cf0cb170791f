//! `corridor compare`: a base and variants run with the same replication seeds (common random
//! numbers), paired effects with 95% intervals, written as one folder (docs/OUTPUTS.md).

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::sweep::progress_bar;
use super::Failure;
use corridor::experiment::effects::{costs, effects, RepRun};
use corridor::experiment::seeds::replication_seed;
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
    /// Output folder (default: output/compare-<base name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Years to simulate (default: each scenario's `years`).
    #[arg(long)]
    pub years: Option<u32>,
    /// Override a value in every scenario: PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

struct Named {
    label: String,
    scenario: corridor::scenario::Scenario,
}

pub fn run(args: CompareArgs) -> Result<(), Failure> {
    if args.reps == 0 {
        return Err(Failure("--reps must be at least 1".into()));
    }
    let sets = super::sets_with_years(&args.sets, args.years);
    let scenarios = load_all(&args.base, &args.variants, &sets)?;
    let base = &scenarios[0].scenario;
    let seed = args.seed.unwrap_or(base.seed);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("output").join(format!("compare-{}", base.name)));
    let pool = super::thread_pool(args.threads)?;
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
    let bar = progress_bar(jobs.len() as u64, "runs", args.quiet);
    let runs: Vec<RepRun> = pool.install(|| {
        jobs.par_iter()
            .map(|&(s, r)| {
                let result = corridor::run(&scenarios[s].scenario, replication_seed(seed, r));
                bar.inc(1);
                RepRun::from_result(&result)
            })
            .collect()
    });
    bar.finish_and_clear();
    let reps = args.reps as usize;
    let per: Vec<&[RepRun]> = runs.chunks(reps).collect();
    let kpis = per[0][0].columns.clone();
    let rate = base.output.discount_rate;
    let variants = scenarios[1..].iter().enumerate();
    let all: Vec<EffectRow> =
        variants.clone().flat_map(|(v, s)| effects(&s.label, &kpis, per[0], per[v + 1], rate)).collect();
    let cost_rows: Vec<CostRow> = variants.flat_map(|(v, s)| costs(&s.label, per[0], per[v + 1], rate)).collect();
    // compare.json lists the headline KPIs that charts and reports show; the CSV files hold all.
    let charted: Vec<String> =
        headline_names().iter().filter(|k| kpis.iter().any(|c| c == *k)).map(|k| k.to_string()).collect();
    let info = compare_json(&scenarios, args.reps, seed, charted);
    let table = corridor::report::effects_markdown(&info, &all, &cost_rows);
    let files = vec![
        ("compare.csv".to_string(), csv_rows(&compare_rows(&scenarios, &per))),
        ("effects.csv".to_string(), csv_rows(&all)),
        ("costs.csv".to_string(), csv_rows(&cost_rows)),
        ("effects.md".to_string(), table.clone().into_bytes()),
        ("compare.json".to_string(), json_bytes(&info)),
    ];
    super::chart::write_folder(&out, &files, args.charts)?;
    if !args.quiet {
        print!("{table}");
        println!("wrote {} in {:.2} s", out.display(), start.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Loads every scenario; labels are scenario names, made unique with the file name or a number.
fn load_all(base: &Path, variants: &[PathBuf], sets: &[String]) -> Result<Vec<Named>, Failure> {
    let mut out: Vec<Named> = Vec::new();
    for p in std::iter::once(base).chain(variants.iter().map(PathBuf::as_path)) {
        let scenario = corridor::scenario::load(p, sets)?.scenario;
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
        out.push(Named { label, scenario });
    }
    Ok(out)
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
        kpis,
        headline: headline_names().iter().map(|k| k.to_string()).collect(),
        start_year: base.start_year,
        years: base.years,
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
