//! Progress of long commands on stderr: a bar when stderr is a terminal, otherwise (Slurm, nohup,
//! CI logs) a plain line every few seconds: done / total, rate and time left.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Seconds between plain progress lines (`CORRIDOR_PROGRESS_SECONDS` overrides; default 10).
fn interval() -> Duration {
    let secs = std::env::var("CORRIDOR_PROGRESS_SECONDS").ok().and_then(|v| v.parse::<f64>().ok());
    Duration::from_secs_f64(secs.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(10.0))
}

struct Lines {
    done: AtomicU64,
    stop: Mutex<bool>,
    wake: Condvar,
}

/// A progress display; `inc` and `set` may be called from any thread.
pub struct Progress {
    bar: ProgressBar,
    lines: Option<(Arc<Lines>, std::thread::JoinHandle<()>)>,
}

impl Progress {
    /// Progress over `total` units (e.g. "runs", "months") of `what` (e.g. "sweep rd").
    pub fn new(total: u64, unit: &str, what: &str, quiet: bool) -> Progress {
        if quiet {
            return Progress { bar: ProgressBar::hidden(), lines: None };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  {{elapsed}} elapsed, {{eta}} left");
            bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
            return Progress { bar, lines: None };
        }
        let shared = Arc::new(Lines { done: AtomicU64::new(0), stop: Mutex::new(false), wake: Condvar::new() });
        let (s, unit, what) = (shared.clone(), unit.to_string(), what.to_string());
        let every = interval();
        let handle = std::thread::spawn(move || {
            let start = Instant::now();
            let mut stop = s.stop.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                let (guard, _) = s.wake.wait_timeout(stop, every).unwrap_or_else(|e| e.into_inner());
                stop = guard;
                if *stop {
                    return;
                }
                eprintln!("{}", line(&what, s.done.load(Ordering::Relaxed), total, &unit, start.elapsed()));
            }
        });
        Progress { bar: ProgressBar::hidden(), lines: Some((shared, handle)) }
    }

    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if let Some((s, _)) = &self.lines {
            s.done.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub fn set(&self, pos: u64) {
        self.bar.set_position(pos);
        if let Some((s, _)) = &self.lines {
            s.done.store(pos, Ordering::Relaxed);
        }
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
        if let Some((s, handle)) = self.lines {
            *s.stop.lock().unwrap_or_else(|e| e.into_inner()) = true;
            s.wake.notify_all();
            let _ = handle.join();
        }
    }
}

/// `sweep rd: 120/400 runs (30%), 4.1 runs/s, 1m 8s left`.
pub fn line(what: &str, done: u64, total: u64, unit: &str, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = done as f64 / secs.max(1e-9);
    let pct = if total > 0 { 100.0 * done as f64 / total as f64 } else { 100.0 };
    let left = if done > 0 { duration(total.saturating_sub(done) as f64 / rate) } else { "unknown".into() };
    format!("{what}: {done}/{total} {unit} ({pct:.0}%), {rate:.3} {unit}/s, {} elapsed, {left} left", duration(secs))
}

fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        _ => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_says_done_total_rate_and_time_left() {
        let l = line("sweep x", 30, 120, "runs", Duration::from_secs(15));
        assert_eq!(l, "sweep x: 30/120 runs (25%), 2.000 runs/s, 15s elapsed, 45s left");
        assert!(line("run", 0, 12, "months", Duration::from_secs(1)).ends_with("unknown left"));
        assert_eq!(duration(3725.0), "1h 2m");
    }
}
