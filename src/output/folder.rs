//! Output folders that never lose data. A folder is written under a hidden temporary name beside
//! its target and renamed into place only when complete, and it replaces what is there only if
//! that is a finished corridor output folder of the same kind holding nothing corridor did not
//! write; a finished folder of a *different* run, compare or sweep is replaced only with `force`.
//!
//! A folder's kind and identity come from its marker, the file written last: `summary.json` for a
//! run (scenario hash and seed), `compare.json` for a compare and `sweep.json` for a sweep (their
//! whole content), `calibration.json` for a calibration (its targets file, stopping rules aside). A
//! sweep folder that has `runs.csv` but no `sweep.json` is a sweep in progress, a calibration
//! folder with `calibration.csv` (or a shard's rows) but no `calibration.json` a calibration in
//! progress.

use std::path::{Path, PathBuf};

use super::atomic_write;

/// The kinds of output folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Compare,
    Sweep,
    Calibration,
}

impl Kind {
    /// The file whose presence marks a finished folder of this kind.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Run => "summary.json",
            Kind::Compare => "compare.json",
            Kind::Sweep => "sweep.json",
            Kind::Calibration => "calibration.json",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Compare => "compare",
            Kind::Sweep => "sweep",
            Kind::Calibration => "calibration",
        }
    }
    /// Every name corridor writes at the top of a folder of this kind.
    fn own_names(self) -> &'static [&'static str] {
        match self {
            Kind::Run => &[
                "timeseries.csv",
                "yearly.csv",
                "world.json",
                "summary.json",
                "layers",
                "replications.csv",
                "bands.csv",
                "firms.csv",
                "talent.csv",
            ],
            Kind::Compare => &[
                "compare.csv",
                "effects.csv",
                "costs.csv",
                "effects.md",
                "compare.json",
                "effects_posterior.csv",
                "effects_posterior.md",
                "posterior_draws.csv",
            ],
            Kind::Sweep => &["runs.csv", "points.csv", "tornado.csv", "morris.csv", "sobol.csv", "sweep.json"],
            Kind::Calibration => &[
                "calibration.csv",
                "posterior.csv",
                "generations.csv",
                "fit.csv",
                "fit.md",
                "calibrated.toml",
                "calibration.json",
            ],
        }
    }
    fn owns(self, name: &str) -> bool {
        self.own_names().contains(&name)
            || ["charts", "report.html", "charts-zh", "report.zh.html"].contains(&name)
            || is_temporary(name)
            || (self == Kind::Calibration && is_shard_rows(name))
    }
    /// The rows file whose presence without the marker means a folder in progress (under its
    /// temporary name too: a shard may be creating it).
    fn in_progress(self, name: &str) -> bool {
        let name = name.rsplit_once(".tmp-").filter(|_| is_temporary(name)).map_or(name, |(rows, _)| rows);
        match self {
            Kind::Sweep => name == "runs.csv",
            Kind::Calibration => name == "calibration.csv" || is_shard_rows(name),
            Kind::Run | Kind::Compare => false,
        }
    }
    /// The command that finishes a folder of this kind in progress.
    fn resume_command(self) -> &'static str {
        match self {
            Kind::Calibration => "corridor calibrate --resume",
            _ => "corridor sweep --resume",
        }
    }
    /// What tells two folders of this kind apart (for messages).
    fn identified_by(self) -> &'static str {
        match self {
            Kind::Run => "scenario or seed",
            Kind::Compare => "set of scenarios or settings",
            Kind::Sweep => "sweep file or shard",
            Kind::Calibration => "targets file",
        }
    }
    /// What `--resume` does to a finished folder of this kind.
    fn resume_does(self) -> &'static str {
        match self {
            Kind::Calibration => "rewrite its files from its rows (and go on where raised stopping rules allow)",
            _ => "redraw it (nothing is rerun)",
        }
    }
}

/// The rows a calibration shard streams (`calibration.shard-I-of-N.csv`).
pub fn is_shard_rows(name: &str) -> bool {
    name.strip_prefix("calibration.shard-").and_then(|r| r.strip_suffix(".csv")).is_some_and(|r| {
        r.split_once("-of-")
            .is_some_and(|(i, n)| [i, n].iter().all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit())))
    })
}

/// A temporary file of [`atomic_write`] left by an interrupted write (`NAME.tmp-PID`).
fn is_temporary(name: &str) -> bool {
    name.rsplit_once(".tmp-").is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// What is at an output path.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    Nothing,
    /// An empty folder: nothing to lose.
    Empty,
    /// A file (or anything that is not a folder).
    NotAFolder,
    /// A finished corridor folder; `foreign` lists entries corridor did not write.
    Finished {
        kind: Kind,
        identity: String,
        label: String,
        foreign: Vec<String>,
    },
    /// A sweep or calibration whose runs are not all done (its rows without its marker).
    InProgress {
        kind: Kind,
        foreign: Vec<String>,
    },
    /// A folder corridor did not write: some of its entries.
    Foreign {
        entries: Vec<String>,
    },
}

/// Why a folder was not written. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: is a file, not a folder; corridor writes only into folders it made: choose another --out")]
    NotAFolder { path: PathBuf },
    #[error(
        "{path}: is not a corridor output folder (it holds {entries}); corridor replaces only folders it wrote: choose another --out"
    )]
    Foreign { path: PathBuf, entries: String },
    #[error("{path}: holds a finished corridor {found} folder, not a {want} folder: choose another --out")]
    OtherKind { path: PathBuf, found: &'static str, want: &'static str },
    #[error(
        "{path}: holds a finished {kind} of another {what} ({label}); pass --force to replace it, or choose another --out"
    )]
    DifferentRun { path: PathBuf, kind: &'static str, what: &'static str, label: String },
    #[error(
        "{path}: holds files corridor did not write ({entries}) beside its {kind} output; move them away or choose another --out"
    )]
    ForeignFiles { path: PathBuf, kind: &'static str, entries: String },
    #[error(
        "{path}: holds an unfinished {kind} (its rows without {marker}): finish it with `{command}`, or choose another --out"
    )]
    InProgress { path: PathBuf, kind: &'static str, marker: &'static str, command: &'static str },
    #[error("{path}: holds this {kind}, finished; pass --resume to {resume_does} or --force to run it again")]
    Finished { path: PathBuf, kind: &'static str, resume_does: &'static str },
}

impl FolderError {
    fn in_progress(path: PathBuf, kind: Kind) -> FolderError {
        FolderError::InProgress { path, kind: kind.as_str(), marker: kind.marker(), command: kind.resume_command() }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io { path: path.to_path_buf(), source }
}

/// Some entries of a folder, for messages: `a.txt, data/ and 3 more`.
fn list(entries: &[String]) -> String {
    let shown: Vec<&str> = entries.iter().take(4).map(String::as_str).collect();
    match entries.len() {
        0 => "nothing".into(),
        n if n <= 4 => shown.join(", "),
        n => format!("{} and {} more", shown.join(", "), n - 4),
    }
}

/// The identity of a finished folder from its marker's bytes: a run's scenario hash and seed,
/// or a compare's or sweep's whole marker. `None` if the marker is not corridor's.
pub fn identity(kind: Kind, marker: &[u8]) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_slice(marker).ok()?;
    match kind {
        Kind::Run => {
            let hash = v.get("provenance")?.get("scenario_hash")?.as_str()?;
            let name = v.get("scenario").and_then(|s| s.as_str()).unwrap_or("?");
            // A folder of `run --reps N` holds the median run: it is named by the base seed.
            if let Some(r) = v.get("replications").filter(|r| !r.is_null()) {
                let seed = r.get("base_seed")?.as_u64()?;
                let n = r.get("seeds")?.as_array()?.len() as u32;
                let label = format!("scenario `{name}`, hash {hash}, {n} replications from seed {seed}");
                return Some((run_identity(hash, seed, n), label));
            }
            let seed = v.get("seed")?.as_u64()?;
            Some((run_identity(hash, seed, 1), format!("scenario `{name}`, hash {hash}, seed {seed}")))
        }
        Kind::Compare => {
            let base = v.get("base")?.as_str()?.to_string();
            let reps = v.get("reps")?.as_u64()?;
            let variants: Vec<&str> = v.get("variants")?.as_array()?.iter().filter_map(|x| x.as_str()).collect();
            Some((v.to_string(), format!("{base} vs {}, {reps} replications", variants.join(", "))))
        }
        Kind::Sweep => {
            let name = v.get("name")?.as_str()?.to_string();
            let runs = v.get("runs")?.as_u64()?;
            v.get("design")?;
            Some((v.to_string(), format!("sweep `{name}`, {runs} runs")))
        }
        Kind::Calibration => {
            let mut spec = v.get("spec")?.clone();
            let name = spec.get("name")?.as_str()?.to_string();
            // Stopping rules decide only how far the same sequence of generations goes: raising
            // them and resuming continues the same calibration.
            let abc = spec.get_mut("abc")?.as_object_mut()?;
            for k in ["tolerance", "min_acceptance", "max_generations", "max_simulations"] {
                abc.remove(k);
            }
            let runs = v.get("runs").and_then(|r| r.as_u64()).map_or(String::new(), |r| format!(", {r} runs"));
            Some((spec.to_string(), format!("calibration `{name}`{runs}")))
        }
    }
}

/// A run's identity: its scenario hash and seed, and the number of replications when more than one.
pub fn run_identity(scenario_hash: &str, seed: u64, reps: u32) -> String {
    if reps > 1 {
        format!("{scenario_hash}:{seed}x{reps}")
    } else {
        format!("{scenario_hash}:{seed}")
    }
}

/// Looks at what is at `dir`.
pub fn inspect(dir: &Path) -> Result<Found, FolderError> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(io(dir)(e)),
    };
    if !meta.is_dir() {
        return Ok(Found::NotAFolder);
    }
    let mut entries: Vec<String> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let mut name = e.file_name().to_string_lossy().to_string();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            name.push('/');
        }
        entries.push(name);
    }
    entries.sort();
    if entries.is_empty() {
        return Ok(Found::Empty);
    }
    let foreign_to = |kind: Kind| -> Vec<String> {
        entries.iter().filter(|n| !kind.owns(n.trim_end_matches('/'))).cloned().collect()
    };
    for kind in [Kind::Run, Kind::Compare, Kind::Sweep, Kind::Calibration] {
        let Ok(marker) = std::fs::read(dir.join(kind.marker())) else { continue };
        if let Some((identity, label)) = identity(kind, &marker) {
            return Ok(Found::Finished { kind, identity, label, foreign: foreign_to(kind) });
        }
    }
    for kind in [Kind::Sweep, Kind::Calibration] {
        if entries.iter().any(|n| kind.in_progress(n)) {
            return Ok(Found::InProgress { kind, foreign: foreign_to(kind) });
        }
    }
    Ok(Found::Foreign { entries })
}

/// What a command is about to write: a folder of `kind` whose marker will hold `marker`.
#[derive(Clone, Debug)]
pub struct Claim {
    pub kind: Kind,
    /// The identity of the folder to be written (see [`identity`]).
    pub identity: String,
    /// The user's explicit word to replace a finished folder of a different run.
    pub force: bool,
    /// A sweep or calibration finishing its own folder in progress.
    pub finishing: bool,
}

impl Claim {
    /// The claim of a folder whose files are `files` (the marker among them).
    pub fn of_files(kind: Kind, files: &[(String, Vec<u8>)], force: bool) -> Claim {
        let marker = files.iter().find(|(n, _)| n == kind.marker()).map(|(_, b)| b.as_slice()).unwrap_or_default();
        let identity = identity(kind, marker).map(|(i, _)| i).unwrap_or_default();
        Claim { kind, identity, force, finishing: false }
    }
}

/// Whether `claim` may write `dir`: an error that says what is there, or `Ok` with nothing changed.
pub fn check(dir: &Path, claim: &Claim) -> Result<(), FolderError> {
    let path = dir.to_path_buf();
    let foreign_files = |foreign: &[String]| {
        if foreign.is_empty() {
            Ok(())
        } else {
            Err(FolderError::ForeignFiles { path: path.clone(), kind: claim.kind.as_str(), entries: list(foreign) })
        }
    };
    match inspect(dir)? {
        Found::Nothing | Found::Empty => Ok(()),
        Found::NotAFolder => Err(FolderError::NotAFolder { path }),
        Found::Foreign { entries } => Err(FolderError::Foreign { path, entries: list(&entries) }),
        Found::InProgress { kind, foreign } => {
            if claim.kind == kind && claim.finishing {
                foreign_files(&foreign)
            } else {
                Err(FolderError::in_progress(path, kind))
            }
        }
        Found::Finished { kind, identity, label, foreign } => {
            if kind != claim.kind {
                return Err(FolderError::OtherKind { path, found: kind.as_str(), want: claim.kind.as_str() });
            }
            foreign_files(&foreign)?;
            if identity == claim.identity || claim.force || claim.finishing {
                Ok(())
            } else {
                Err(FolderError::DifferentRun { path, kind: kind.as_str(), what: kind.identified_by(), label })
            }
        }
    }
}

/// Whether a sweep or calibration (`claim`, its `force` the user's word) may start at `dir`, and
/// whether it starts afresh there: a new or empty folder; its kind's folder in progress (afresh
/// only with `--force`; the command refuses it without `--resume`); or a finished folder of its
/// kind — the same one with `resume` (nothing left to run) or with `force` (run again), another
/// only with `force`. Anything else is refused with nothing changed.
pub fn may_start(dir: &Path, claim: &Claim, resume: bool) -> Result<bool, FolderError> {
    let path = dir.to_path_buf();
    let want = claim.kind;
    let foreign_files = |foreign: &[String]| {
        if foreign.is_empty() {
            Ok(())
        } else {
            Err(FolderError::ForeignFiles { path: path.clone(), kind: want.as_str(), entries: list(foreign) })
        }
    };
    match inspect(dir)? {
        Found::Nothing | Found::Empty => Ok(true),
        Found::NotAFolder => Err(FolderError::NotAFolder { path }),
        Found::Foreign { entries } => Err(FolderError::Foreign { path, entries: list(&entries) }),
        Found::Finished { kind, .. } if kind != want => {
            Err(FolderError::OtherKind { path, found: kind.as_str(), want: want.as_str() })
        }
        Found::Finished { identity, label, foreign, kind } => {
            foreign_files(&foreign)?;
            if claim.force {
                Ok(true)
            } else if identity != claim.identity {
                Err(FolderError::DifferentRun { path, kind: kind.as_str(), what: kind.identified_by(), label })
            } else if resume {
                Ok(false)
            } else {
                Err(FolderError::Finished { path, kind: kind.as_str(), resume_does: kind.resume_does() })
            }
        }
        Found::InProgress { kind, .. } if kind != want => Err(FolderError::in_progress(path, kind)),
        Found::InProgress { foreign, .. } => {
            foreign_files(&foreign)?;
            Ok(claim.force)
        }
    }
}

/// Writes the folder `dir` (a run's, by default) from `files`; see [`write_folder_with`].
pub fn write_run_folder(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), FolderError> {
    write_folder_with(dir, files, &Claim::of_files(Kind::Run, files, false), |_| Ok(()))
}

/// Writes `files` into a temporary sibling of `dir`, calls `finish` on it (the binary draws
/// charts there), and only then moves it into place, replacing what [`check`] allows. On any
/// failure the temporary folder is removed and `dir` is as it was.
pub fn write_folder_with(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    claim: &Claim,
    finish: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), FolderError> {
    let parent =
        dir.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "run".into());
    if name == ".." || name == "." {
        return Err(FolderError::NotAFolder { path: dir.to_path_buf() });
    }
    recover(&parent, &name)?;
    check(dir, claim)?;
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = parent.join(format!(".{}.partial-{}", name, std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    let result = (|| {
        for (rel, bytes) in files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d).map_err(io(d))?;
            }
            atomic_write(&p, bytes).map_err(io(&p))?;
        }
        finish(&tmp).map_err(io(&tmp))?;
        // Check again: something may have appeared at `dir` while the folder was written.
        check(dir, claim)?;
        replace(dir, &tmp, &parent, &name)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Moves the finished `tmp` to `dir`; an existing `dir` (checked) is set aside first and removed
/// last, and put back if the move fails.
fn replace(dir: &Path, tmp: &Path, parent: &Path, name: &str) -> Result<(), FolderError> {
    if std::fs::symlink_metadata(dir).is_err() {
        return std::fs::rename(tmp, dir).map_err(io(dir));
    }
    let old = parent.join(format!(".{}.old-{}", name, std::process::id()));
    std::fs::rename(dir, &old).map_err(io(dir))?;
    if let Err(e) = std::fs::rename(tmp, dir) {
        let _ = std::fs::rename(&old, dir);
        return Err(io(dir)(e));
    }
    std::fs::remove_dir_all(&old).map_err(io(&old))
}

/// Cleans up after processes that were killed while writing `parent/name`: their temporary
/// folders are removed, and a finished folder they had set aside (`.name.old-PID`) is put back
/// if nothing replaced it, so a kill never hides a user's folder.
fn recover(parent: &Path, name: &str) -> Result<(), FolderError> {
    let Ok(entries) = std::fs::read_dir(parent) else { return Ok(()) };
    let dir = parent.join(name);
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().to_string();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else { continue };
        let (what, pid) = match rest.split_once('-') {
            Some((w @ ("partial" | "old"), pid)) => (w, pid),
            _ => continue,
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let p = e.path();
        if what == "old" && std::fs::symlink_metadata(&dir).is_err() {
            std::fs::rename(&p, &dir).map_err(io(&p))?;
        } else {
            std::fs::remove_dir_all(&p).map_err(io(&p))?;
        }
    }
    Ok(())
}

/// Whether a process is running (on Linux, from /proc; elsewhere every process is assumed alive,
/// so nothing is cleaned up).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("corridor-folder-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn run_files(hash: &str, seed: u64) -> Vec<(String, Vec<u8>)> {
        let summary =
            format!("{{\"scenario\": \"t\", \"seed\": {seed}, \"provenance\": {{\"scenario_hash\": \"{hash}\"}}}}");
        vec![("timeseries.csv".into(), b"month\n0\n".to_vec()), ("summary.json".into(), summary.into_bytes())]
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn a_failure_while_assembling_keeps_the_earlier_folder() {
        let d = scratch("fail");
        let out = d.join("run");
        write_run_folder(&out, &run_files("a", 1)).unwrap();
        let before = std::fs::read(out.join("summary.json")).unwrap();
        // The same run again, failing in the hook (where charts are drawn).
        let e = write_folder_with(
            &out,
            &run_files("a", 1),
            &Claim::of_files(Kind::Run, &run_files("a", 1), false),
            |tmp| {
                assert!(tmp.join("summary.json").is_file());
                Err(std::io::Error::other("injected"))
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("injected"), "{e}");
        assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
        assert_eq!(names(&d), ["run"], "no temporary folder is left");
    }

    #[test]
    fn only_finished_folders_of_the_same_run_are_replaced() {
        let d = scratch("replace");
        let out = d.join("run");
        write_run_folder(&out, &run_files("a", 1)).unwrap();
        write_run_folder(&out, &run_files("a", 1)).unwrap();
        let e = write_run_folder(&out, &run_files("b", 1)).unwrap_err().to_string();
        assert!(e.contains("another scenario or seed") && e.contains("--force"), "{e}");
        let forced = Claim::of_files(Kind::Run, &run_files("b", 1), true);
        write_folder_with(&out, &run_files("b", 1), &forced, |_| Ok(())).unwrap();
        assert!(String::from_utf8(std::fs::read(out.join("summary.json")).unwrap()).unwrap().contains("\"b\""));
        // A file of the user's beside the output is never deleted, even with force.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let e =
            write_folder_with(&out, &run_files("c", 1), &Claim::of_files(Kind::Run, &run_files("c", 1), true), |_| {
                Ok(())
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("notes.txt"), "{e}");
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn files_and_foreign_folders_are_refused() {
        let d = scratch("foreign");
        std::fs::write(d.join("file"), "x").unwrap();
        let e = write_run_folder(&d.join("file"), &run_files("a", 1)).unwrap_err().to_string();
        assert!(e.contains("is a file"), "{e}");
        assert_eq!(std::fs::read_to_string(d.join("file")).unwrap(), "x");
        std::fs::create_dir(d.join("data")).unwrap();
        std::fs::write(d.join("data/a.csv"), "1").unwrap();
        let e = write_run_folder(&d.join("data"), &run_files("a", 1)).unwrap_err().to_string();
        assert!(e.contains("not a corridor output folder") && e.contains("a.csv"), "{e}");
        assert_eq!(names(&d), ["data", "file"]);
    }

    #[test]
    fn a_folder_set_aside_by_a_killed_process_is_put_back() {
        let d = scratch("recover");
        write_run_folder(&d.join("run"), &run_files("a", 1)).unwrap();
        // As if a process (long gone) was killed between its two renames.
        let dead = u32::MAX - 1;
        std::fs::rename(d.join("run"), d.join(format!(".run.old-{dead}"))).unwrap();
        std::fs::create_dir(d.join(format!(".run.partial-{dead}"))).unwrap();
        recover(&d, "run").unwrap();
        assert_eq!(names(&d), ["run"]);
        assert!(d.join("run/summary.json").is_file());
    }

    #[test]
    fn markers_name_the_kind_and_identity() {
        let (id, label) = identity(Kind::Run, &run_files("h", 3)[1].1).unwrap();
        assert_eq!(id, "h:3");
        assert!(label.contains("seed 3"));
        assert!(identity(Kind::Run, b"{\"seed\": 1}").is_none());
        assert!(is_temporary("runs.csv.tmp-123") && !is_temporary("runs.csv.tmp-") && !is_temporary("a.csv"));
        // A calibration is the same one whatever its stopping rules.
        let cal = |gens: u32| {
            format!("{{\"spec\": {{\"name\": \"c\", \"seed\": 1, \"abc\": {{\"particles\": 8, \"max_generations\": {gens}}}}}, \"runs\": 5}}")
        };
        let (a, label) = identity(Kind::Calibration, cal(3).as_bytes()).unwrap();
        assert_eq!(a, identity(Kind::Calibration, cal(9).as_bytes()).unwrap().0);
        assert!(a.contains("particles") && label.contains("`c`"), "{a} {label}");
        assert!(is_shard_rows("calibration.shard-1-of-2.csv") && !is_shard_rows("calibration.shard-x-of-2.csv"));
    }

    #[test]
    fn a_calibration_in_progress_is_finished_only_by_itself() {
        let d = scratch("calibration");
        let out = d.join("cal");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("calibration.shard-0-of-2.csv"), "generation\n").unwrap();
        assert!(matches!(inspect(&out).unwrap(), Found::InProgress { kind: Kind::Calibration, .. }));
        let sweep = Claim { kind: Kind::Sweep, identity: String::new(), force: true, finishing: true };
        let e = check(&out, &sweep).unwrap_err().to_string();
        assert!(e.contains("unfinished calibration") && e.contains("corridor calibrate --resume"), "{e}");
        let own = Claim { kind: Kind::Calibration, identity: String::new(), force: false, finishing: true };
        check(&out, &own).unwrap();
    }
}
