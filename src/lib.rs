//! corridor: an agent-based simulator of innovation corridors.
//!
//! The library is pure: a [`scenario::Scenario`] and a seed go in, a [`RunResult`] comes out.
//! It knows nothing about output files, clocks or terminals (it reads scenario files only when
//! asked to load one); the `corridor` binary does those.
//!
//! Features: `cli` (default) builds the binary and implies `charts`, which adds the `chart` and
//! `report` modules (plotters, png). With `default-features = false` the crate is the model, the
//! experiments and the output-file types only.
//!
//! ```no_run
//! let loaded = corridor::scenario::load("scenarios/tiny.toml".as_ref(), &[]).unwrap();
//! let result = corridor::run(&loaded.scenario, 7);
//! println!("patents in the last year: {}", result.final_year("patents").unwrap());
//! ```

// Index loops over parallel per-cell and per-tier arrays read more clearly than zipped iterators.
#![allow(clippy::needless_range_loop)]

mod accounts;
pub mod agents;
#[cfg(feature = "charts")]
pub mod chart;
pub mod engine;
pub mod experiment;
mod init;
pub mod metrics;
pub mod output;
pub mod policy;
pub mod prices;
#[cfg(feature = "charts")]
pub mod report;
pub mod research_market;
pub mod rng;
pub mod scenario;
pub mod world;

use metrics::{Aggregate, LayerSnapshot, Recorder};
use scenario::Scenario;
use world::World;

/// Everything a run produces.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub scenario: Scenario,
    pub seed: u64,
    /// KPI names (columns of the monthly and yearly tables).
    pub columns: Vec<String>,
    pub kinds: Vec<Aggregate>,
    /// One row per month.
    pub monthly: Vec<Vec<f64>>,
    pub years: Vec<i32>,
    /// One row per year: flows summed, stocks in December, means of rates and prices.
    pub yearly: Vec<Vec<f64>>,
    /// Spatial layers each December.
    pub layers: Vec<LayerSnapshot>,
    /// The map (districts, hubs, lines, labs).
    pub world: World,
    /// The firm and talent panels, when [`RunOptions::microdata`] asked for them.
    pub microdata: Option<output::Microdata>,
}

/// What a run collects beside its KPI tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The firm panel (every firm in every year it lived) and the final population.
    pub microdata: bool,
}

impl RunResult {
    pub fn column(&self, kpi: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == kpi)
    }
    /// A KPI in the last simulated year.
    pub fn final_year(&self, kpi: &str) -> Option<f64> {
        let c = self.column(kpi)?;
        self.yearly.last().map(|r| r[c])
    }
    /// A KPI in a calendar year.
    pub fn year_value(&self, kpi: &str, year: i32) -> Option<f64> {
        let c = self.column(kpi)?;
        let i = self.years.iter().position(|&y| y == year)?;
        Some(self.yearly[i][c])
    }
    /// A KPI's monthly series.
    pub fn series(&self, kpi: &str) -> Option<Vec<f64>> {
        let c = self.column(kpi)?;
        Some(self.monthly.iter().map(|r| r[c]).collect())
    }
    /// Mean of a KPI's yearly values over all years.
    pub fn mean_over_years(&self, kpi: &str) -> Option<f64> {
        let c = self.column(kpi)?;
        if self.yearly.is_empty() {
            return None;
        }
        Some(self.yearly.iter().map(|r| r[c]).sum::<f64>() / self.yearly.len() as f64)
    }
}

/// Runs a scenario with a seed.
pub fn run(scenario: &Scenario, seed: u64) -> RunResult {
    run_with_progress(scenario, seed, &mut |_, _| {})
}

/// Runs a scenario, calling `progress(months_done, months_total)` after each month.
pub fn run_with_progress(scenario: &Scenario, seed: u64, progress: &mut dyn FnMut(u32, u32)) -> RunResult {
    run_with(scenario, seed, RunOptions::default(), progress)
}

/// Runs a scenario with options, calling `progress(months_done, months_total)` after each month.
pub fn run_with(scenario: &Scenario, seed: u64, options: RunOptions, progress: &mut dyn FnMut(u32, u32)) -> RunResult {
    let mut sim = engine::Sim::new(scenario, seed);
    let mut recorder = Recorder::new(scenario);
    let mut panel = options.microdata.then(metrics::Panel::default);
    let months = scenario.months();
    for m in 0..months {
        sim.step();
        recorder.record(&sim);
        if let Some(p) = panel.as_mut() {
            p.record(&sim);
        }
        progress(m + 1, months);
    }
    let microdata = panel.map(|p| p.finish(&sim));
    finish(sim, recorder, microdata)
}

fn finish(sim: engine::Sim, rec: Recorder, microdata: Option<output::Microdata>) -> RunResult {
    let start = sim.scenario.start_year;
    let mut years = Vec::new();
    let mut yearly = Vec::new();
    for (yi, chunk) in rec.rows.chunks(12).enumerate() {
        let row = rec
            .kinds
            .iter()
            .enumerate()
            .map(|(c, kind)| kind.of_year(&chunk.iter().map(|r| r[c]).collect::<Vec<_>>()))
            .collect();
        years.push(start + yi as i32);
        yearly.push(row);
    }
    RunResult {
        scenario: sim.scenario,
        seed: sim.seed,
        columns: rec.columns,
        kinds: rec.kinds,
        monthly: rec.rows,
        years,
        yearly,
        layers: rec.layers,
        world: sim.world,
        microdata,
    }
}
