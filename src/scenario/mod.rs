//! Scenarios: the TOML schema, loading with `extends` and `--set`, and validation.

mod error;
pub mod footprint;
mod load;
pub mod locate;
mod scale;
pub mod schema;
mod types;
mod validate;

pub use error::{Origin, ScenarioError};
pub use footprint::{check_footprint, Footprint};
pub use load::{apply_set, load, load_str, locate_in, merge_tables, Base, FileKind, Loaded, SourceFile};
pub use locate::line_col;
pub use scale::scaled;
pub use types::*;
pub use validate::{limits, named_path};

/// The scenario as TOML text, with every key resolved (provenance and hashing).
pub fn to_toml(s: &Scenario) -> String {
    toml::to_string(s).unwrap_or_default()
}

/// A stable 64-bit hash of the resolved scenario, as 16 hex digits.
pub fn scenario_hash(s: &Scenario) -> String {
    let text = to_toml(s);
    let words: Vec<u64> = text
        .as_bytes()
        .chunks(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(b)
        })
        .collect();
    format!("{:016x}", crate::rng::hash_words(&words) ^ text.len() as u64)
}

/// The defaults as a TOML value, with one default element in every array of tables (for docs).
pub fn defaults_value() -> toml::Value {
    let mut s = Scenario::default();
    s.grid.layers.push(LayerFile { layer: LayerKind::Amenity, file: String::new(), values: Vec::new() });
    s.districts.push(DistrictSpec::default());
    s.hubs.push(HubSpec::default());
    s.transit.lines.push(TransitLineSpec::default());
    s.transit.new_lines.push(TransitLineSpec::default());
    s.sectors.push(SectorSpec::default());
    s.talent.tiers.push(TierSpec::default());
    s.schools.new_seats.push(NewSeatsLever::default());
    s.labs.sites.push(LabSpec { upgrade_kind: Some(LabKind::NationalLab), ..LabSpec::default() });
    s.labs.new.push(LabSpec { upgrade_kind: Some(LabKind::NationalLab), ..LabSpec::default() });
    let mut v = toml::Value::try_from(&s).expect("the default scenario is representable");
    // Display titles are left out of files when empty; the docs list them with that default.
    for path in [
        &["districts"][..],
        &["hubs"],
        &["transit", "lines"],
        &["transit", "new_lines"],
        &["labs", "sites"],
        &["labs", "new"],
    ] {
        let mut cur = &mut v;
        for seg in path {
            cur = &mut cur[*seg];
        }
        if let Some(toml::Value::Table(t)) = cur.as_array_mut().and_then(|a| a.first_mut()) {
            t.insert("title".into(), toml::Value::String(String::new()));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, c) in t {
                    path.push(k.clone());
                    leaves(c, path, out);
                    path.pop();
                }
            }
            toml::Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_table()) => {
                path.push("*".into());
                leaves(&a[0], path, out);
                path.pop();
            }
            _ => out.push(path.join(".")),
        }
    }

    #[test]
    fn every_key_is_documented_and_every_documented_key_exists() {
        let mut out = Vec::new();
        leaves(&defaults_value(), &mut Vec::new(), &mut out);
        let mut missing = Vec::new();
        for p in &out {
            let pat = if p.starts_with("labs.kinds.") {
                format!("labs.kinds.*.{}", p.rsplit('.').next().unwrap())
            } else {
                p.clone()
            };
            if schema::find(&pat).is_none() {
                missing.push(pat);
            }
        }
        assert!(missing.is_empty(), "keys missing from schema::KEYS: {missing:?}");
        for k in schema::KEYS {
            let known = out.iter().any(|p| {
                let pat = if p.starts_with("labs.kinds.") {
                    format!("labs.kinds.*.{}", p.rsplit('.').next().unwrap())
                } else {
                    p.clone()
                };
                pat == k.path || pat.starts_with(&format!("{}.", k.path))
            }) || k.path == "extends"
                || k.path == "grid.layers"
                // Optional, with no default to show.
                || k.path == "rd.fund_per_year";
            assert!(known, "schema key {} is not a scenario key", k.path);
        }
    }
}
