//! `corridor merge`: joins the folders of sweep shards into the folder one machine would write.

use std::path::{Path, PathBuf};

use super::sweep::{finish_files, read_rows};
use super::Failure;
use corridor::experiment::design::Design;
use corridor::experiment::runs;
use corridor::output::folder::{Claim, Kind};
use corridor::output::SweepJson;

#[derive(clap::Args)]
pub struct MergeArgs {
    /// Finished shard folders of one sweep (each with sweep.json and runs.csv).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder (not one of the shard folders, nor inside one).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace a finished sweep folder of another sweep.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub charts: super::chart::ChartFlags,
}

pub fn run(args: MergeArgs) -> Result<(), Failure> {
    let out = absolute(&args.out);
    for dir in &args.dirs {
        if !dir.is_dir() {
            let what = if dir.exists() { "is not a folder" } else { "does not exist" };
            return Err(Failure(format!("{}: {what}; merge takes the output folders of sweep shards", dir.display())));
        }
        let d = absolute(dir);
        if out.starts_with(&d) || d.starts_with(&out) {
            return Err(Failure(format!(
                "--out {}: is {} the input {}; merge writes a new folder beside its inputs",
                args.out.display(),
                if out == d {
                    "the same folder as"
                } else if out.starts_with(&d) {
                    "inside"
                } else {
                    "a folder around"
                },
                dir.display()
            )));
        }
    }
    let mut spec = None;
    let mut rows = Vec::new();
    for dir in &args.dirs {
        let json_path = dir.join("sweep.json");
        let text = std::fs::read_to_string(&json_path).map_err(|e| {
            Failure(format!("{}: {e} (is the shard finished? rerun it with --resume)", json_path.display()))
        })?;
        let s = serde_json::from_str::<SweepJson>(&text)
            .map_err(|e| Failure(format!("{}: {e}", json_path.display())))?
            .spec;
        match &spec {
            None => spec = Some(s),
            Some(first) if *first != s => {
                return Err(Failure(format!(
                    "{}: a different sweep than {}",
                    json_path.display(),
                    args.dirs[0].display()
                )));
            }
            Some(_) => {}
        }
        if let Some(s) = &spec {
            rows.extend(read_rows(&dir.join("runs.csv"), s)?);
        }
    }
    let Some(spec) = spec else {
        return Err(Failure("no folders to merge".into()));
    };
    let design =
        Design::build(&spec).map_err(|j| Failure(format!("parameter {} has no baseline", spec.parameters[j].path)))?;
    let rows = runs::sort_dedup(rows)?;
    let total = design.points.len() as u64 * spec.replications as u64;
    let ids_ok = rows.len() as u64 == total && rows.iter().enumerate().all(|(i, r)| r.run_id == i as u64);
    if !ids_ok {
        let have: std::collections::HashSet<u64> = rows.iter().map(|r| r.run_id).collect();
        let missing: Vec<String> = (0..total).filter(|i| !have.contains(i)).take(10).map(|i| i.to_string()).collect();
        return Err(Failure(format!(
            "the folders hold {} of {} runs; missing run ids include {} (a shard is absent?)",
            have.len(),
            total,
            missing.join(", ")
        )));
    }
    let files = finish_files(&spec, &design, &rows, None);
    super::chart::write_folder(&args.out, &files, &Claim::of_files(Kind::Sweep, &files, args.force), args.charts)?;
    if !args.quiet {
        println!("merged {} folders ({} runs) into {}", args.dirs.len(), rows.len(), args.out.display());
    }
    Ok(())
}

/// A path made absolute and cleaned of `.` and `..` without touching the file system beyond the
/// longest existing prefix (which is canonicalized, so symbolic links are seen through).
fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while std::fs::canonicalize(&existing).is_err() {
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = std::fs::canonicalize(&existing).unwrap_or(existing);
    for n in rest.into_iter().rev() {
        if n == ".." {
            out.pop();
        } else if n != "." {
            out.push(n);
        }
    }
    out
}
