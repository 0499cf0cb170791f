//! Charts for the output folders described in `docs/OUTPUTS.md`.
//!
//! [`render_dir`] detects the kind of folder (run, compare or sweep) and writes every chart of
//! that kind into `dir/charts/` (`dir/charts-zh/` in Chinese) as PNG and SVG with the same stem.

mod calibrate;
mod canvas;
pub mod compare;
mod costs;
pub(crate) mod data;
pub(crate) mod fonts;
pub(crate) mod format;
pub(crate) mod i18n;
mod intervals;
mod legend;
mod lines;
pub mod maps;
mod palette;
mod sensitivity;
pub mod sweep;
pub mod timeseries;

use std::path::{Path, PathBuf};

pub use canvas::write_atomic;
pub use fonts::register_fonts;
pub use lines::{line_chart_to_png, LineChart, PlotFrame, RenderedPng, Series, XAxis};
pub use maps::map_canvas_size;

/// Language of titles, axis labels and place names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English labels with DejaVu Sans.
    #[default]
    En,
    /// Chinese labels (`name_zh` for places) with WenQuanYi Micro Hei.
    Zh,
}

/// How charts are drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    /// Language of the labels.
    pub lang: Lang,
    /// Width of every chart in pixels.
    pub width: u32,
    /// Height of every chart in pixels (maps may be shorter: their cells stay square).
    pub height: u32,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions { lang: Lang::En, width: 1200, height: 750 }
    }
}

impl ChartOptions {
    /// Smallest and largest accepted chart sizes in pixels.
    pub const MIN_SIZE: (u32, u32) = (480, 320);
    /// Largest accepted chart size in pixels.
    pub const MAX_SIZE: (u32, u32) = (8000, 8000);

    fn validate(&self) -> Result<(), ChartError> {
        let (w, h) = (self.width, self.height);
        if w < Self::MIN_SIZE.0 || h < Self::MIN_SIZE.1 || w > Self::MAX_SIZE.0 || h > Self::MAX_SIZE.1 {
            return Err(ChartError::Options(format!(
                "chart size {w}x{h} is outside {}x{} .. {}x{}",
                Self::MIN_SIZE.0,
                Self::MIN_SIZE.1,
                Self::MAX_SIZE.0,
                Self::MAX_SIZE.1
            )));
        }
        Ok(())
    }
}

/// Everything that can go wrong while reading an output folder or drawing its charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The folder is none of run, compare or sweep.
    #[error(
        "{path}: not a corridor output folder (expected timeseries.csv and world.json, compare.json, sweep.json or calibration.json)"
    )]
    UnknownFolder { path: PathBuf },
    /// A file the folder kind needs is not there.
    #[error("missing file {path}")]
    MissingFile { path: PathBuf },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSV file has a bad row or header (`line` counts from 1, the header).
    #[error("{path}:{line}: {message}")]
    Csv { path: PathBuf, line: usize, message: String },
    /// A JSON file does not parse, lacks a key or has a value of the wrong type.
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// A file parses but its content is inconsistent (e.g. a grid of the wrong shape).
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The chart options are unusable.
    #[error("invalid chart options: {0}")]
    Options(String),
    /// The drawing library failed (fonts, encoder).
    #[error("drawing {chart}: {message}")]
    Draw { chart: String, message: String },
}

/// The kind of output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// `corridor run`: `timeseries.csv` and `world.json`.
    Run,
    /// `corridor compare`: `compare.json`.
    Compare,
    /// `corridor sweep`: `sweep.json`.
    Sweep,
    /// `corridor calibrate`: `calibration.json`.
    Calibration,
}

/// Where a chart belongs in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// Run KPIs over time.
    TimeSeries,
    /// Run maps.
    Maps,
    /// Compare: the headline effects (final-year relative changes with intervals).
    Headline,
    /// Compare: paired differences from the baseline over the years.
    Differences,
    /// Compare: each scenario's level over the years.
    Trajectories,
    /// Sweep responses.
    Sweep,
    /// Calibration: posterior and fit.
    Calibration,
}

impl Section {
    /// Section heading in the given language.
    pub fn heading(self, lang: Lang) -> &'static str {
        use i18n::tr;
        match self {
            Section::TimeSeries => tr(lang, "Indicators over time", "指标走势"),
            Section::Maps => tr(lang, "Maps", "空间分布图"),
            Section::Headline => tr(lang, "Headline effects", "核心效果"),
            Section::Differences => tr(lang, "Effects over time", "效果随时间变化"),
            Section::Trajectories => tr(lang, "Levels of each scenario", "各情景水平"),
            Section::Sweep => tr(lang, "Parameter sweep", "参数扫描"),
            Section::Calibration => tr(lang, "Posterior and fit", "后验分布与拟合"),
        }
    }
}

/// One chart written to disk.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedChart {
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file (same stem).
    pub svg: PathBuf,
    /// The chart's title, in the chart's language.
    pub title: String,
    /// Report section.
    pub section: Section,
}

/// The folder of a language's charts inside an output folder: `charts/`, or `charts-zh/` in
/// Chinese (beside the English ones).
pub fn charts_dir_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "charts",
        Lang::Zh => "charts-zh",
    }
}

/// Detect the kind of output folder.
pub fn detect_kind(dir: &Path) -> Result<FolderKind, ChartError> {
    if !dir.is_dir() {
        return Err(ChartError::MissingFile { path: dir.to_path_buf() });
    }
    if dir.join("compare.json").is_file() {
        Ok(FolderKind::Compare)
    } else if dir.join("sweep.json").is_file() {
        Ok(FolderKind::Sweep)
    } else if dir.join("calibration.json").is_file() {
        Ok(FolderKind::Calibration)
    } else if ["timeseries.csv", "world.json", "summary.json", "yearly.csv"].iter().any(|f| dir.join(f).is_file()) {
        Ok(FolderKind::Run)
    } else {
        Err(ChartError::UnknownFolder { path: dir.to_path_buf() })
    }
}

/// Render every chart of the folder into `dir/charts/` (PNG and SVG) and return the paths
/// written, PNG then SVG for each chart.
pub fn render_dir(dir: &Path, opts: &ChartOptions) -> Result<Vec<PathBuf>, ChartError> {
    Ok(render_dir_detailed(dir, opts)?.into_iter().flat_map(|c| [c.png, c.svg]).collect())
}

/// Like [`render_dir`], with each chart's title and report section.
pub fn render_dir_detailed(dir: &Path, opts: &ChartOptions) -> Result<Vec<RenderedChart>, ChartError> {
    opts.validate()?;
    register_fonts()?;
    let kind = detect_kind(dir)?;
    let out = dir.join(charts_dir_name(opts.lang));
    match kind {
        FolderKind::Run => {
            let mut charts = timeseries::render_run(dir, &out, opts)?;
            charts.extend(maps::render_maps(dir, &out, opts)?);
            Ok(charts)
        }
        FolderKind::Compare => compare::render_compare(dir, &out, opts),
        FolderKind::Sweep => sweep::render_sweep(dir, &out, opts),
        FolderKind::Calibration => calibrate::render_calibration(dir, &out, opts),
    }
}
