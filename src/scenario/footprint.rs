//! How much memory a run of a scenario can take, estimated before anything is allocated, so that
//! a run too large for the machine is refused with a located error instead of aborting.
//!
//! The estimate is an upper bound on the population: every potential migrant of every month
//! arrives and nobody leaves. Bytes per talent agent are measured (`corridor bench`: about 100 B
//! per agent at 10^6 agents over one year; the record is 32 B plus a spare buffer of the same size,
//! the rest is per-month scratch), with a margin for vacancy lists.
//! The machine's limit is the caller's business (the binary reads /proc/meminfo); the library
//! only compares.

use super::error::ScenarioError;
use super::load::Loaded;
use super::types::Scenario;

/// Measured bytes per talent agent at run time, with a margin for job-vacancy slots (24 B each,
/// at most one per worker).
pub const BYTES_PER_AGENT: f64 = 130.0;
/// A firm record and its columns, twice for scratch (measured: 406 B per firm at 10^7 firms).
pub const BYTES_PER_FIRM: f64 = 2.0 * (std::mem::size_of::<crate::agents::firm::Firm>() + 8) as f64;
/// State per cell: the map, housing stocks, fields, rents (about 150 B measured from the types).
pub const BYTES_PER_CELL: f64 = 160.0;
/// Per cell and transit line: the nearest station and its access time.
pub const BYTES_PER_CELL_LINE: f64 = 6.0;
/// Per cell and simulated year: five yearly layers (4 B each) and their CSV text (up to 12 B).
pub const BYTES_PER_CELL_YEAR: f64 = 80.0;
/// The program, its tables and libraries.
pub const BYTES_FIXED: f64 = 20.0e6;
/// A vacancy slot of the job market (one per open research vacancy).
pub const BYTES_PER_SLOT: f64 = 24.0;

/// The sizes that drive a run's memory, and their sum in bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Footprint {
    /// Talent agents at the start.
    pub agents_start: f64,
    /// Upper bound of talent agents during the run (every potential migrant arrives, none leaves).
    pub agents_max: f64,
    /// Upper bound of firm records (firms are never removed).
    pub firms_max: f64,
    pub cells: f64,
    /// Open research vacancies a month can post (budgets over the cost per researcher).
    pub lab_slots: f64,
    pub bytes: f64,
    /// The scenario key whose value dominates the estimate, for locating the error.
    pub dominant: String,
    /// The keys that drive `agents_max` and `firms_max`.
    pub agents_key: String,
    pub firms_key: String,
}

impl Footprint {
    pub fn of(s: &Scenario) -> Footprint {
        let months = s.months() as f64;
        let scale = s.agent_scale;
        let agents_start = s.talent.initial / scale;
        let inflow: f64 = s.talent.tiers.iter().map(|t| t.inflow).sum::<f64>() / scale;
        let agents_max = agents_start + inflow * months;
        // Founders: every agent of a tier that could be there founds at the tier's top rate.
        let boost = (1.0 + s.talent.failure_tolerance.founding_boost) * (1.0 + s.incubators.max_boost);
        let shares: f64 = s.talent.tiers.iter().map(|t| t.share).sum::<f64>().max(f64::MIN_POSITIVE);
        let founders: f64 = s
            .talent
            .tiers
            .iter()
            .map(|t| {
                let agents = agents_start * t.share / shares + t.inflow / scale * months;
                agents * (t.founding_rate * boost).min(1.0) * months
            })
            .sum();
        let relocations = s.firms.relocation_rate * months;
        let firms_max = s.firms.initial + relocations + founders;
        let cells = s.grid.width as f64 * s.grid.height as f64;
        let lines = (s.transit.lines.len() + s.transit.new_lines.len()) as f64;
        // The zone commute table: at most a period per line, 8 bytes per zone and cell, capped.
        let zones = s.grid.outside_zones.len() as f64;
        let zone_table = (cells * zones * (lines + 1.0) * 8.0).min(crate::world::ZONE_TABLE_MAX_BYTES as f64);
        let mult = s.labs.budget.multiplier.max(1.0);
        let lab_slots: f64 = s
            .labs
            .sites
            .iter()
            .chain(&s.labs.new)
            .map(|l| {
                let cost = [Some(l.kind), l.upgrade_kind]
                    .into_iter()
                    .flatten()
                    .map(|k| s.labs.kinds.get(k).cost_per_researcher)
                    .fold(f64::INFINITY, f64::min);
                l.budget_per_year * mult / cost / scale
            })
            .sum();
        // The tier with the largest value of a key, as a path.
        let tier_key = |key: &str, v: fn(&super::types::TierSpec) -> f64| {
            let i = (0..s.talent.tiers.len()).max_by(|&a, &b| v(&s.talent.tiers[a]).total_cmp(&v(&s.talent.tiers[b])));
            format!("talent.tiers.{}.{key}", i.unwrap_or(0))
        };
        let agents_key =
            if inflow * months > agents_start { tier_key("inflow", |t| t.inflow) } else { "talent.initial".into() };
        let firms_key = if relocations > s.firms.initial.max(founders) {
            "firms.relocation_rate".into()
        } else if founders > s.firms.initial {
            // Founders are a share of the people: blame the founding rate only when a person could
            // found more than one firm over the run, else what brings the people.
            let top = s.talent.tiers.iter().map(|t| t.founding_rate).fold(0.0, f64::max) * boost;
            if top * months > 1.0 {
                tier_key("founding_rate", |t| t.founding_rate)
            } else {
                agents_key.clone()
            }
        } else {
            "firms.initial".into()
        };
        let parts = [
            (agents_max * BYTES_PER_AGENT, agents_key.as_str()),
            (firms_max * BYTES_PER_FIRM, firms_key.as_str()),
            (
                cells * (BYTES_PER_CELL + lines * BYTES_PER_CELL_LINE + s.years as f64 * BYTES_PER_CELL_YEAR)
                    + zone_table,
                "grid.width",
            ),
            (lab_slots * BYTES_PER_SLOT, "labs.sites"),
        ];
        let bytes = BYTES_FIXED + parts.iter().map(|p| p.0).sum::<f64>();
        let dominant = parts.iter().fold(parts[0], |a, b| if b.0 > a.0 { *b } else { a }).1.to_string();
        Footprint { agents_start, agents_max, firms_max, cells, lab_slots, bytes, dominant, agents_key, firms_key }
    }

    /// One line for people: what drives the estimate.
    pub fn describe(&self) -> String {
        format!(
            "about {} of memory (up to {} talent agents: {} at the start plus every potential migrant; up to {} firms; {} cells)",
            bytes_text(self.bytes),
            count_text(self.agents_max),
            count_text(self.agents_start),
            count_text(self.firms_max),
            count_text(self.cells)
        )
    }
}

/// Refuses a scenario whose `copies` concurrent runs would not fit in `limit` bytes (`limit_what`
/// says where the limit comes from, e.g. "this machine's 24 GB"). The error is located at the key
/// that dominates the estimate.
pub fn check_footprint(loaded: &Loaded, copies: usize, limit: f64, limit_what: &str) -> Result<(), ScenarioError> {
    let f = Footprint::of(&loaded.scenario);
    let total = f.bytes * copies.max(1) as f64;
    if total.is_finite() && total <= limit {
        return Ok(());
    }
    let path: Vec<String> = f.dominant.split('.').map(str::to_string).collect();
    let runs = if copies > 1 {
        format!("{copies} runs at once (one per thread) need {}; each ", bytes_text(total))
    } else {
        String::new()
    };
    Err(ScenarioError::Invalid {
        origin: super::validate::origin(loaded, &path),
        field: super::validate::named_path(&loaded.scenario, &path),
        message: format!(
            "the run is too large: {runs}needs {}, more than {limit_what}; lower the value, raise agent_scale or use fewer threads",
            f.describe()
        ),
    })
}

/// Bytes as text: `1.5 GB`.
pub fn bytes_text(b: f64) -> String {
    if !b.is_finite() {
        return "an unbounded amount".into();
    }
    let (v, unit) = if b >= 1e12 {
        (b / 1e12, "TB")
    } else if b >= 1e9 {
        (b / 1e9, "GB")
    } else {
        (b / 1e6, "MB")
    };
    if v >= 1e4 {
        format!("{:.1e} {unit}", v)
    } else {
        format!("{v:.1} {unit}")
    }
}

fn count_text(n: f64) -> String {
    if !n.is_finite() {
        "unboundedly many".into()
    } else if n >= 1e6 {
        format!("{n:.2e}")
    } else {
        format!("{}", n.round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Scenario {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        super::super::load(&root.join("scenarios/tiny.toml"), &[]).unwrap().scenario
    }

    #[test]
    fn the_tiny_corridor_is_small_and_more_talent_is_larger() {
        let s = tiny();
        let f = Footprint::of(&s);
        assert!(f.bytes > BYTES_FIXED && f.bytes < 100e6, "{}", f.describe());
        let mut big = s.clone();
        big.talent.initial *= 1000.0;
        let g = Footprint::of(&big);
        assert!(g.bytes > 10.0 * f.bytes);
        assert_eq!(g.dominant, "talent.initial");
    }

    #[test]
    fn unbounded_values_are_refused() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let l = super::super::load(&root.join("scenarios/tiny.toml"), &["firms.initial=2e6".into()]).unwrap();
        let e = check_footprint(&l, 1, 5e8, "500 MB").unwrap_err().to_string();
        assert!(e.contains("--set firms.initial=2e6") && e.contains("more than 500 MB"), "{e}");
        assert!(check_footprint(&l, 1, 1e12, "1 TB").is_ok());
    }

    #[test]
    fn text_is_short() {
        assert_eq!(bytes_text(1.5e9), "1.5 GB");
        assert_eq!(bytes_text(2.0e16), "2.0e4 TB");
    }
}
