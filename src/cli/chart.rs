//! `corridor chart DIR`: redraw charts and the report from an existing output folder, and the
//! helper other commands use to draw theirs.

use std::path::{Path, PathBuf};

use super::Failure;
use corridor::chart::{ChartOptions, Lang};
use corridor::output::folder::{write_folder_with, Claim};

#[derive(Clone, Copy, Debug, clap::ValueEnum, Default)]
pub enum LangArg {
    #[default]
    En,
    Zh,
}

#[derive(clap::Args)]
pub struct ChartArgs {
    /// An output folder written by `run`, `compare` or `sweep`.
    pub dir: PathBuf,
    /// Language of titles, labels and place names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

pub fn options(lang: LangArg) -> ChartOptions {
    ChartOptions {
        lang: match lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        },
        ..ChartOptions::default()
    }
}

/// Draws the charts and report.html of `dir`; returns the number of charts.
pub fn draw(dir: &Path, lang: LangArg) -> Result<usize, Failure> {
    let opts = options(lang);
    let charts = corridor::chart::render_dir_detailed(dir, &opts)?;
    corridor::report::write_report_with(dir, &opts, &charts)?;
    Ok(charts.len())
}

pub fn run(args: ChartArgs) -> Result<(), Failure> {
    if !args.dir.is_dir() {
        return Err(Failure(format!("{}: not an output folder", args.dir.display())));
    }
    let n = draw(&args.dir, args.lang)?;
    let report = corridor::report::report_name(options(args.lang).lang);
    println!("drew {n} charts and {}", args.dir.join(report).display());
    Ok(())
}

/// Chart options of every command that writes an output folder.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct ChartFlags {
    /// Skip charts and report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Language of chart titles, labels and place names.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
}

/// Writes an output folder atomically, its charts and report drawn in the staged folder before it
/// is moved into place; `claim` says what may be replaced. Returns the number of charts.
pub fn write_folder(
    out: &Path,
    files: &[(String, Vec<u8>)],
    claim: &Claim,
    flags: ChartFlags,
) -> Result<usize, Failure> {
    let mut drawn: Result<usize, Failure> = Ok(0);
    write_folder_with(out, files, claim, |tmp| {
        if !flags.no_charts {
            drawn = draw(tmp, flags.lang);
        }
        Ok(())
    })?;
    drawn.map_err(|Failure(e)| Failure(format!("{}: the data was written but the charts failed: {e}", out.display())))
}
