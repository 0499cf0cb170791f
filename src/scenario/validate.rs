//! Validation of a resolved scenario: ranges from the key table, then the cross-references and
//! geometry that a range cannot express (hubs on the grid, known tier names, levers within the run).

use toml::Value;

use super::error::{Origin, ScenarioError};
use super::load::{locate_in, Loaded};
use super::schema;
use super::types::Scenario;

/// A path into the scenario; array elements by index.
type Path = Vec<String>;

pub fn validate(loaded: &Loaded) -> Result<(), ScenarioError> {
    let value = Value::try_from(&loaded.scenario).map_err(|e| ScenarioError::Invalid {
        origin: origin(loaded, &[]),
        field: String::new(),
        message: format!("cannot represent the scenario: {e}"),
    })?;
    check_ranges(loaded, &value, &mut Vec::new(), &mut Vec::new())?;
    check_semantics(loaded)
}

/// Origin of a path: the last `--set` that touched it, or the file that set it.
pub(super) fn origin(loaded: &Loaded, path: &[String]) -> Origin {
    let named = named_path(&loaded.scenario, path);
    for arg in loaded.sets.iter().rev() {
        let p = arg.split('=').next().unwrap_or("").trim();
        if p == named || p == path.join(".") {
            return Origin::Set { arg: arg.clone() };
        }
    }
    let named: Vec<String> = named.split('.').map(str::to_string).collect();
    if named.len() == path.len() {
        locate_in(&loaded.sources, &named)
    } else {
        locate_in(&loaded.sources, path)
    }
}

/// Dotted path with array elements shown by name where they have one.
pub fn named_path(s: &Scenario, path: &[String]) -> String {
    let Ok(root) = Value::try_from(s) else { return path.join(".") };
    let mut cur = &root;
    let mut out: Vec<String> = Vec::new();
    for seg in path {
        let next = match cur {
            Value::Table(t) => t.get(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        let shown = match (cur, next) {
            (Value::Array(_), Some(v)) => {
                v.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()).unwrap_or(seg).to_string()
            }
            _ => seg.clone(),
        };
        out.push(shown);
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    out.join(".")
}

fn check_ranges(loaded: &Loaded, v: &Value, path: &mut Path, pattern: &mut Vec<String>) -> Result<(), ScenarioError> {
    match v {
        Value::Table(t) => {
            for (k, child) in t {
                path.push(k.clone());
                pattern.push(k.clone());
                check_ranges(loaded, child, path, pattern)?;
                path.pop();
                pattern.pop();
            }
        }
        Value::Array(a) if a.iter().all(Value::is_table) => {
            for (i, child) in a.iter().enumerate() {
                path.push(i.to_string());
                pattern.push("*".into());
                check_ranges(loaded, child, path, pattern)?;
                path.pop();
                pattern.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                if let Value::Float(x) = child {
                    if !x.is_finite() {
                        path.push(i.to_string());
                        let err = ScenarioError::Invalid {
                            origin: origin(loaded, path),
                            field: named_path(&loaded.scenario, path),
                            message: format!("{x} is not a finite number"),
                        };
                        path.pop();
                        return Err(err);
                    }
                } else if child.is_array() {
                    path.push(i.to_string());
                    pattern.push("*".into());
                    check_ranges(loaded, child, path, pattern)?;
                    path.pop();
                    pattern.pop();
                }
            }
        }
        Value::Integer(_) | Value::Float(_) => {
            let x = match v {
                Value::Integer(i) => *i as f64,
                Value::Float(f) => *f,
                _ => unreachable!(),
            };
            let pat = pattern.join(".");
            // Lab kinds share one entry.
            let pat = if pat.starts_with("labs.kinds.") {
                format!("labs.kinds.*.{}", pat.rsplit('.').next().unwrap_or(""))
            } else {
                pat
            };
            if let Some(key) = schema::find(&pat) {
                if !key.range.allows(x) {
                    return Err(ScenarioError::Invalid {
                        origin: origin(loaded, path),
                        field: named_path(&loaded.scenario, path),
                        message: format!(
                            "value {} is out of range; allowed: {}{}",
                            show(x),
                            key.range.describe(),
                            unit(key.unit)
                        ),
                    });
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A number as people read it: large and tiny ones in scientific notation.
fn show(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn unit(u: &str) -> String {
    if u.is_empty() {
        String::new()
    } else {
        format!(" ({u})")
    }
}

struct Checker<'a> {
    loaded: &'a Loaded,
}

impl Checker<'_> {
    fn fail(&self, path: &[&str], message: String) -> ScenarioError {
        let p: Path = path.iter().map(|s| s.to_string()).collect();
        ScenarioError::Invalid {
            origin: origin(self.loaded, &p),
            field: named_path(&self.loaded.scenario, &p),
            message,
        }
    }

    fn names_in(&self, path: &[&str], names: &[String], known: &[&str], what: &str) -> Result<(), ScenarioError> {
        for n in names {
            if !known.contains(&n.as_str()) {
                return Err(self.fail(path, format!("unknown {what} `{n}`; known: {}", known.join(", "))));
            }
        }
        Ok(())
    }

    fn on_grid(&self, path: &[&str], x: f64, y: f64) -> Result<(), ScenarioError> {
        let g = &self.loaded.scenario.grid;
        let inside = (0.0..g.width as f64).contains(&x) && (0.0..g.height as f64).contains(&y);
        if !inside {
            return Err(self.fail(
                path,
                format!("point ({x}, {y}) is off the grid; allowed x in 0..{} and y in 0..{}", g.width, g.height),
            ));
        }
        Ok(())
    }

    /// A lever with an effect must start within the run.
    fn period(&self, path: &[&str], start: i32, end: i32, active: bool) -> Result<(), ScenarioError> {
        let s = &self.loaded.scenario;
        let mut p: Vec<&str> = path.to_vec();
        if start > end {
            p.push("end_year");
            return Err(self.fail(&p, format!("end_year {end} is before start_year {start}")));
        }
        if active && start > s.end_year() {
            p.push("start_year");
            return Err(self.fail(
                &p,
                format!(
                    "the lever starts in {start}, after the run ends in {} (start_year {} + {} years)",
                    s.end_year(),
                    s.start_year,
                    s.years
                ),
            ));
        }
        Ok(())
    }
}

fn unique(names: impl Iterator<Item = String>) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    names.into_iter().find(|n| !seen.insert(n.clone()))
}

fn check_semantics(loaded: &Loaded) -> Result<(), ScenarioError> {
    let s = &loaded.scenario;
    let c = Checker { loaded };
    let g = &s.grid;
    check_name(&c, &s.name)?;
    if (g.width as u64) * (g.height as u64) > limits::CELLS {
        return Err(c.fail(&["grid", "width"], format!("the grid has more than {} cells", limits::CELLS)));
    }
    check_counts(&c, s)?;
    if s.sectors.is_empty() {
        return Err(c.fail(
            &["sectors"],
            "a scenario needs at least one [[sectors]] element (the one key without a default; see docs/SCENARIO.md)"
                .into(),
        ));
    }
    if s.talent.tiers.is_empty() {
        return Err(c.fail(
            &["talent", "tiers"],
            "a scenario needs at least one [[talent.tiers]] element (see docs/SCENARIO.md)".into(),
        ));
    }
    if s.talent.arrival.age_min > s.talent.arrival.age_max {
        return Err(c.fail(&["talent", "arrival", "age_min"], "age_min is above age_max".into()));
    }
    if s.talent.arrival.age_max >= s.talent.retirement_age {
        return Err(c.fail(&["talent", "arrival", "age_max"], "age_max must be below talent.retirement_age".into()));
    }
    for (what, names, path) in [
        ("district", s.districts.iter().map(|d| d.name.clone()).collect::<Vec<_>>(), "districts"),
        ("hub", s.hubs.iter().map(|d| d.name.clone()).collect(), "hubs"),
        ("sector", s.sectors.iter().map(|d| d.name.clone()).collect(), "sectors"),
    ] {
        if let Some(i) = names.iter().position(|n| n.is_empty()) {
            return Err(c.fail(&[path, &i.to_string(), "name"], format!("every {what} needs a name")));
        }
        if let Some(d) = unique(names.into_iter()) {
            return Err(c.fail(&[path], format!("two {what}s are named `{d}`")));
        }
    }
    if let Some(d) = unique(s.talent.tiers.iter().map(|t| t.name.clone())) {
        return Err(c.fail(&["talent", "tiers"], format!("two tiers are named `{d}`")));
    }
    // Each output column is named once: a tier, sector or district name must not turn a family
    // column into the name of another (a tier `arrivals` would give a second `talent_arrivals`).
    if let Some((column, over, index)) = crate::metrics::registry::duplicate_columns(s).into_iter().next() {
        use crate::metrics::registry::Over;
        let path: Vec<String> = match over {
            Over::Tier => vec!["talent".into(), "tiers".into(), index.to_string(), "name".into()],
            Over::Sector => vec!["sectors".into(), index.to_string(), "name".into()],
            Over::District => vec!["districts".into(), index.to_string(), "name".into()],
            Over::Origin | Over::Lever => vec!["name".into()],
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        return Err(c.fail(
            &path,
            format!("this name makes a second output column `{column}`: choose a name that gives no KPI name twice"),
        ));
    }
    if s.talent.tiers.iter().map(|t| t.share).sum::<f64>() <= 0.0 {
        return Err(c.fail(&["talent", "tiers"], "tier shares sum to zero".into()));
    }
    if s.sectors.iter().map(|t| t.talent_share).sum::<f64>() <= 0.0 {
        return Err(c.fail(&["sectors"], "sector talent shares sum to zero".into()));
    }
    if s.sectors.iter().map(|t| t.firm_share).sum::<f64>() <= 0.0 {
        return Err(c.fail(&["sectors"], "sector firm shares sum to zero".into()));
    }
    let districts: Vec<&str> = s.districts.iter().map(|d| d.name.as_str()).collect();
    let hubs: Vec<&str> = s.hubs.iter().map(|d| d.name.as_str()).collect();
    let sectors: Vec<&str> = s.sectors.iter().map(|d| d.name.as_str()).collect();
    let tiers: Vec<&str> = s.talent.tiers.iter().map(|d| d.name.as_str()).collect();

    for (i, d) in s.districts.iter().enumerate() {
        let i = i.to_string();
        if d.x0 > d.x1 || d.y0 > d.y1 {
            return Err(
                c.fail(&["districts", &i, "x1"], "the rectangle is empty: x0 <= x1 and y0 <= y1 are needed".into())
            );
        }
        if d.x1 >= g.width || d.y1 >= g.height {
            return Err(c.fail(
                &["districts", &i, "x1"],
                format!(
                    "the rectangle reaches off the grid; allowed x up to {} and y up to {}",
                    g.width - 1,
                    g.height - 1
                ),
            ));
        }
    }
    for (i, h) in s.hubs.iter().enumerate() {
        let is = i.to_string();
        c.on_grid(&["hubs", &is, "x"], h.x, h.y)?;
    }
    for (field, lines, lever) in [("lines", &s.transit.lines, false), ("new_lines", &s.transit.new_lines, true)] {
        for (i, l) in lines.iter().enumerate() {
            let is = i.to_string();
            if l.stations.len() < 2 {
                return Err(c.fail(&["transit", field, &is, "stations"], "a line needs at least 2 stations".into()));
            }
            for st in &l.stations {
                c.on_grid(&["transit", field, &is, "stations"], st[0], st[1])?;
            }
            if lever {
                c.period(&["transit", field, &is], l.open_year, l.open_year, true)?;
            }
        }
    }
    for (field, labs, lever) in [("sites", &s.labs.sites, false), ("new", &s.labs.new, true)] {
        for (i, l) in labs.iter().enumerate() {
            let is = i.to_string();
            c.on_grid(&["labs", field, &is, "x"], l.x, l.y)?;
            if !l.sector.is_empty() {
                c.names_in(&["labs", field, &is, "sector"], std::slice::from_ref(&l.sector), &sectors, "sector")?;
            }
            if lever && l.open_year > s.end_year() {
                return Err(c.fail(
                    &["labs", field, &is, "open_year"],
                    format!("the lab opens in {}, after the run ends in {}", l.open_year, s.end_year()),
                ));
            }
            if l.upgrade_year != 0 && l.upgrade_year < l.open_year {
                return Err(c.fail(
                    &["labs", field, &is, "upgrade_year"],
                    format!("the lab is upgraded in {}, before it opens in {}", l.upgrade_year, l.open_year),
                ));
            }
            if l.upgrade_year != 0 && l.upgrade_kind.is_none() {
                return Err(c.fail(
                    &["labs", field, &is, "upgrade_kind"],
                    "upgrade_year is set but upgrade_kind is missing".into(),
                ));
            }
        }
    }
    check_unique_names(&c, s)?;
    check_overlaps(&c, s)?;
    // Levers.
    let ts = &s.talent.subsidy;
    c.names_in(&["talent", "subsidy", "tiers"], &ts.tiers, &tiers, "tier")?;
    c.names_in(&["talent", "subsidy", "districts"], &ts.districts, &districts, "district")?;
    c.period(&["talent", "subsidy"], ts.start_year, ts.end_year, ts.relocation_bonus > 0.0 || ts.rent_subsidy > 0.0)?;
    let f = &s.talent.friction;
    c.period(&["talent", "friction"], f.start_year, f.end_year, f.reduction > 0.0)?;
    let ft = &s.talent.failure_tolerance;
    c.period(&["talent", "failure_tolerance"], ft.start_year, ft.end_year, ft.founding_boost > 0.0)?;
    let lq = &s.housing.land_quota;
    c.period(&["housing", "land_quota"], lq.start_year, lq.end_year, false)?;
    for (field, l) in
        [("talent_units", &s.housing.talent_units), ("shared_ownership_units", &s.housing.shared_ownership_units)]
    {
        c.names_in(&["housing", field, "near_hubs"], &l.near_hubs, &hubs, "hub")?;
        c.names_in(&["housing", field, "districts"], &l.districts, &districts, "district")?;
        c.names_in(&["housing", field, "eligible_tiers"], &l.eligible_tiers, &tiers, "tier")?;
        c.period(&["housing", field], l.start_year, l.end_year, l.units_per_year > 0.0)?;
    }
    for (i, n) in s.schools.new_seats.iter().enumerate() {
        let is = i.to_string();
        c.names_in(
            &["schools", "new_seats", &is, "district"],
            std::slice::from_ref(&n.district),
            &districts,
            "district",
        )?;
        c.period(
            &["schools", "new_seats", &is],
            n.start_year,
            n.end_year,
            n.primary_per_year + n.middle_per_year > 0.0,
        )?;
    }
    let co = &s.schools.coordination;
    c.period(&["schools", "coordination"], co.start_year, co.end_year, co.quota > 0.0)?;
    c.names_in(&["rd", "sectors"], &s.rd.sectors, &sectors, "sector")?;
    c.names_in(&["rd", "districts"], &s.rd.districts, &districts, "district")?;
    c.period(&["rd"], s.rd.start_year, s.rd.end_year, s.rd.subsidy_rate > 0.0)?;
    let cg = &s.rd.challenge_grants;
    c.names_in(&["rd", "challenge_grants", "sectors"], &cg.sectors, &sectors, "sector")?;
    c.period(&["rd", "challenge_grants"], cg.start_year, cg.end_year, cg.budget_per_year > 0.0)?;
    let inc = &s.incubators;
    c.names_in(&["incubators", "hubs"], &inc.hubs, &hubs, "hub")?;
    c.period(&["incubators"], inc.start_year, inc.end_year, inc.capacity > 0.0)?;
    if inc.capacity > 0.0 && s.hubs.is_empty() {
        return Err(c.fail(&["incubators", "capacity"], "incubators need at least one hub".into()));
    }
    let cc = &s.digital.compute_centre;
    c.names_in(&["digital", "compute_centre", "districts"], &cc.districts, &districts, "district")?;
    c.period(&["digital", "compute_centre"], cc.start_year, cc.end_year, cc.boost > 0.0)?;
    let lb = &s.labs.budget;
    c.period(&["labs", "budget"], lb.start_year, lb.end_year, lb.multiplier != 1.0)?;
    Ok(())
}

/// A name is the folder name under `output/`: it must stay inside that folder.
fn check_name(c: &Checker, name: &str) -> Result<(), ScenarioError> {
    let rule = "a name names the output folder output/<name>/: not empty, at most 100 characters, \
                no `/`, `\\`, `:` or control characters, and not starting with `.`";
    let bad = name.is_empty()
        || name.chars().count() > 100
        || name.starts_with('.')
        || name.chars().any(|ch| matches!(ch, '/' | '\\' | ':') || ch.is_control());
    if bad {
        return Err(c.fail(&["name"], format!("`{name}` is not allowed: {rule}")));
    }
    Ok(())
}

/// Counts the state can hold (fixed-size arrays and narrow integer types in the model), and the
/// lengths of arrays that size the work.
fn check_counts(c: &Checker, s: &Scenario) -> Result<(), ScenarioError> {
    let n_lines = s.transit.lines.len() + s.transit.new_lines.len();
    let n_labs = s.labs.sites.len() + s.labs.new.len();
    let counts: [(&[&str], usize, usize, &str); 8] = [
        (
            &["talent", "tiers"],
            s.talent.tiers.len(),
            limits::TIERS,
            "talent tiers (firms keep worker counts for at most this many tiers)",
        ),
        (
            &["districts"],
            s.districts.len(),
            limits::DISTRICTS,
            "districts (a school seat stores its district in 8 bits)",
        ),
        (&["sectors"], s.sectors.len(), limits::SECTORS, "sectors (a firm or person stores its sector in 8 bits)"),
        (&["hubs"], s.hubs.len(), limits::HUBS, "hubs (every cell weighs every hub)"),
        (
            &["transit", "lines"],
            n_lines,
            limits::LINES,
            "transit lines and new lines together (every trip looks at every line)",
        ),
        (&["labs", "sites"], n_labs, limits::LABS, "labs (sites and new labs together)"),
        (&["schools", "new_seats"], s.schools.new_seats.len(), limits::PROGRAMMES, "seat programmes"),
        (&["grid", "layers"], s.grid.layers.len(), limits::LAYERS, "layer files"),
    ];
    for (path, n, max, what) in counts {
        if n > max {
            return Err(c.fail(path, format!("{n} {what}; at most {max} are allowed")));
        }
    }
    for (field, lines) in [("lines", &s.transit.lines), ("new_lines", &s.transit.new_lines)] {
        for (i, l) in lines.iter().enumerate() {
            if l.stations.len() > limits::STATIONS {
                return Err(c.fail(
                    &["transit", field, &i.to_string(), "stations"],
                    format!(
                        "{} stations; a line may have at most {} (cells store their nearest station in 16 bits)",
                        l.stations.len(),
                        limits::STATIONS
                    ),
                ));
            }
        }
    }
    let f = super::footprint::Footprint::of(s);
    let ids = [
        (
            f.agents_max,
            u32::MAX as f64,
            f.agents_key,
            "talent agents (every potential migrant arriving)",
            "talent agents have 32-bit ids",
        ),
        (f.firms_max, limits::FIRMS as f64, f.firms_key, "firms", "firm ids are 31-bit"),
    ];
    for (n, max, key, what, why) in ids {
        if n.is_nan() || n >= max {
            let path: Vec<&str> = key.split('.').collect();
            return Err(
                c.fail(&path, format!("the run could create up to {n:.3e} {what}; at most {max:.3e} fit ({why})"))
            );
        }
    }
    let cells = s.grid.width as u64 * s.grid.height as u64;
    let stations: u64 = s.transit.lines.iter().chain(&s.transit.new_lines).map(|l| l.stations.len() as u64).sum();
    for (path, n, what) in
        [(&["hubs"][..], s.hubs.len() as u64, "hubs"), (&["transit", "lines"][..], stations, "stations")]
    {
        if cells * n > limits::CELL_PAIRS {
            return Err(c.fail(
                path,
                format!(
                    "{cells} cells x {n} {what} = {} cell-{what} pairs to build the map from; at most {} are allowed",
                    cells * n,
                    limits::CELL_PAIRS
                ),
            ));
        }
    }
    Ok(())
}

/// Arrays that merge by name (and are addressed by name in `--set` and sweeps) need unique names.
fn check_unique_names(c: &Checker, s: &Scenario) -> Result<(), ScenarioError> {
    let lists: [(&[&str], Vec<&str>); 3] = [
        (&["transit", "lines"], s.transit.lines.iter().chain(&s.transit.new_lines).map(|l| l.name.as_str()).collect()),
        (&["labs", "sites"], s.labs.sites.iter().chain(&s.labs.new).map(|l| l.name.as_str()).collect()),
        (&["schools", "new_seats"], s.schools.new_seats.iter().map(|l| l.name.as_str()).collect()),
    ];
    for (path, names) in lists {
        if let Some(d) = unique(names.into_iter().filter(|n| !n.is_empty()).map(str::to_string)) {
            let what = path.join(".");
            return Err(c.fail(
                path,
                format!("two elements of `{what}` are named `{d}`: names must be unique (they merge and are addressed by name)"),
            ));
        }
    }
    Ok(())
}

/// District rectangles may not share cells (a cell belongs to one district).
fn check_overlaps(c: &Checker, s: &Scenario) -> Result<(), ScenarioError> {
    for (j, b) in s.districts.iter().enumerate() {
        for a in &s.districts[..j] {
            if a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1 {
                return Err(c.fail(
                    &["districts", &j.to_string(), "x0"],
                    format!(
                        "district `{}` (x {}..={}, y {}..={}) overlaps district `{}` (x {}..={}, y {}..={}); \
                         a cell belongs to one district",
                        b.name, b.x0, b.x1, b.y0, b.y1, a.name, a.x0, a.x1, a.y0, a.y1
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What the state can hold and the largest arrays that size the work.
pub mod limits {
    /// Talent tiers: firms keep `[u32; MAX_TIERS]` worker counts.
    pub const TIERS: usize = crate::agents::MAX_TIERS;
    /// Districts: a school seat's district is an `i8`.
    pub const DISTRICTS: usize = i8::MAX as usize;
    /// Sectors: sectors are stored as `u8`.
    pub const SECTORS: usize = u8::MAX as usize;
    /// Stations of one line: cells store their nearest station as `u16`.
    pub const STATIONS: usize = u16::MAX as usize;
    pub const CELLS: u64 = 4_000_000;
    pub const HUBS: usize = 1_000;
    pub const LINES: usize = 1_000;
    pub const LABS: usize = 100_000;
    pub const PROGRAMMES: usize = 10_000;
    pub const LAYERS: usize = 64;
    /// Firm records: a job's employer is a firm index below the lab bit (`talent::LAB_BIT`).
    pub const FIRMS: u64 = crate::agents::talent::LAB_BIT as u64;
    /// Cells times hubs, and cells times stations: the work of building the map.
    pub const CELL_PAIRS: u64 = 400_000_000;
}
