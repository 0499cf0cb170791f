//! Loading a scenario: read the file and its `extends` chain, merge, apply `--set`, deserialize,
//! read CSV layers, validate. Every failure is a located [`ScenarioError`].

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::error::{Origin, ScenarioError};
use super::locate::{line_col, span_of};
use super::types::{LayerKind, Scenario};
use super::validate;

/// One file of the `extends` chain, kept so that errors can be located in it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// A resolved scenario with the sources it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub scenario: Scenario,
    /// Base first, the named file last.
    pub sources: Vec<SourceFile>,
    /// The `--set` arguments applied, in order.
    pub sets: Vec<String>,
}

/// Loads `path`, resolves `extends`, applies `sets` (`PATH=VALUE`) and validates.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded, ScenarioError> {
    Base::read(path)?.load(sets)
}

/// A scenario file and its `extends` chain, read and merged once: for loading many variants of
/// it (the points of a sweep) without reading and parsing the files again.
#[derive(Clone, Debug)]
pub struct Base {
    sources: Vec<SourceFile>,
    merged: Table,
}

impl Base {
    pub fn read(path: &Path) -> Result<Base, ScenarioError> {
        let sources = read_chain(path)?;
        let mut merged = Table::new();
        for src in &sources {
            let table = parse_file(src)?;
            merge_tables(&mut merged, table);
        }
        merged.remove("extends");
        default_name(&mut merged, sources.last());
        Ok(Base { sources, merged })
    }

    /// The scenario with `sets` (`PATH=VALUE`) applied, its layers read, validated.
    pub fn load(&self, sets: &[String]) -> Result<Loaded, ScenarioError> {
        let mut merged = self.merged.clone();
        let touched = apply_sets(&mut merged, sets)?;
        let scenario = deserialize_merged(merged, &touched, &self.sources)?;
        let mut loaded = Loaded { scenario, sources: self.sources.clone(), sets: sets.to_vec() };
        // Validated first: the grid's size bounds what reading the layers allocates.
        validate::validate(&loaded)?;
        read_layers(&mut loaded)?;
        Ok(loaded)
    }
}

/// Loads scenario text that has no file (for tests and the library API); `extends` is not allowed.
pub fn load_str(text: &str, name: &str, sets: &[String]) -> Result<Loaded, ScenarioError> {
    let src = SourceFile { path: PathBuf::from(name), text: text.to_string() };
    let mut table = parse_file(&src)?;
    if table.contains_key("extends") {
        return Err(ScenarioError::Invalid {
            origin: locate(&src, &["extends".into()]),
            field: "extends".into(),
            message: "`extends` needs a scenario file; use corridor::scenario::load".into(),
        });
    }
    default_name(&mut table, Some(&src));
    let touched = apply_sets(&mut table, sets)?;
    let sources = vec![src];
    let scenario = deserialize_merged(table, &touched, &sources)?;
    let loaded = Loaded { scenario, sources, sets: sets.to_vec() };
    validate::validate(&loaded)?;
    Ok(loaded)
}

/// A scenario whose own file has no `name` is named after the file (`what-if/rd.toml` -> `rd`), so
/// that a what-if never inherits its base's name and output folder.
fn default_name(merged: &mut Table, named_file: Option<&SourceFile>) {
    let Some(src) = named_file else { return };
    let sets_name = toml::from_str::<Table>(&src.text).is_ok_and(|t| t.contains_key("name"));
    if !sets_name {
        let stem = src.path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        merged.insert("name".into(), Value::String(stem));
    }
}

/// What a TOML file is, judged by its top-level keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Scenario,
    /// A sweep file (`corridor sweep`): it has `base`, `design` or `parameters`.
    Sweep,
    /// A targets file (`corridor calibrate`): it has `targets`.
    Targets,
}

impl FileKind {
    pub fn of(text: &str) -> FileKind {
        match toml::from_str::<Table>(text) {
            Ok(t) if t.contains_key("targets") => FileKind::Targets,
            Ok(t) if ["base", "design", "parameters"].iter().any(|k| t.contains_key(*k)) => FileKind::Sweep,
            _ => FileKind::Scenario,
        }
    }
}

fn read_chain(path: &Path) -> Result<Vec<SourceFile>, ScenarioError> {
    let mut chain: Vec<SourceFile> = Vec::new();
    let mut next = Some((path.to_path_buf(), None::<Origin>));
    while let Some((p, from)) = next.take() {
        let canon = std::fs::canonicalize(&p).ok();
        if let Some(c) = &canon {
            if chain.iter().any(|s| std::fs::canonicalize(&s.path).ok().as_ref() == Some(c)) {
                let mut names: Vec<String> = chain.iter().map(|s| s.path.display().to_string()).collect();
                names.push(p.display().to_string());
                return Err(ScenarioError::ExtendsCycle {
                    origin: from.unwrap_or(Origin::File { file: p.clone(), line: None, column: None }),
                    chain: names.join(" -> "),
                });
            }
        }
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) => {
                return Err(match from {
                    None => ScenarioError::Read { file: p, source: e },
                    Some(origin) => ScenarioError::ExtendsMissing { origin, target: p, reason: e.to_string() },
                })
            }
        };
        let src = SourceFile { path: p.clone(), text };
        let table = parse_file(&src)?;
        if let Some(ext) = table.get("extends") {
            let origin = locate(&src, &["extends".into()]);
            let Some(rel) = ext.as_str() else {
                return Err(ScenarioError::Invalid {
                    origin,
                    field: "extends".into(),
                    message: "must be a string: the path of another scenario file".into(),
                });
            };
            let base_dir = p.parent().unwrap_or(Path::new("."));
            next = Some((base_dir.join(rel), Some(origin)));
        }
        chain.push(src);
    }
    chain.reverse();
    Ok(chain)
}

/// Parses one file and checks it against the schema on its own (every key has a default, so a
/// partial file is a valid scenario): unknown keys and wrong types are reported with the parser's
/// line and column.
fn parse_file(src: &SourceFile) -> Result<Table, ScenarioError> {
    let table: Table = toml::from_str(&src.text).map_err(|e| toml_error(src, &e, ""))?;
    let de = toml::de::Deserializer::parse(&src.text).map_err(|e| toml_error(src, &e, ""))?;
    let checked: Result<Scenario, serde_path_to_error::Error<toml::de::Error>> = serde_path_to_error::deserialize(de);
    if checked.is_err() && FileKind::of(&src.text) == FileKind::Sweep {
        let key = ["base", "design", "parameters"].into_iter().find(|k| table.contains_key(*k)).unwrap_or("base");
        return Err(ScenarioError::Invalid {
            origin: locate(src, &[key.to_string()]),
            field: key.into(),
            message: format!(
                "this is a sweep file (it has `{key}`), not a scenario: run it with `corridor sweep {}`",
                src.path.display()
            ),
        });
    }
    if let Err(e) = checked {
        let path = e.path().to_string();
        return Err(toml_error(src, e.inner(), &path));
    }
    Ok(table)
}

fn toml_error(src: &SourceFile, e: &toml::de::Error, field: &str) -> ScenarioError {
    let (line, column) = match e.span() {
        Some(span) => {
            let (l, c) = line_col(&src.text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let message = e.message().trim().to_string();
    let message = if field.is_empty() || field == "." { message } else { format!("field `{field}`: {message}") };
    ScenarioError::Parse { origin: Origin::File { file: src.path.clone(), line, column }, message }
}

/// Merges `over` into `base`: tables recursively, arrays of named tables element by element
/// (same `name` overrides, new names append), everything else replaced.
pub fn merge_tables(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge_tables(b, o),
            (Some(Value::Array(b)), Value::Array(o)) if is_named_array(b) && is_named_array(&o) => {
                for item in o {
                    let name = item.get("name").and_then(Value::as_str).map(str::to_string);
                    let pos = b.iter().position(|x| x.get("name").and_then(Value::as_str) == name.as_deref());
                    match (pos, item) {
                        (Some(i), Value::Table(t)) => {
                            if let Value::Table(bt) = &mut b[i] {
                                merge_tables(bt, t);
                            }
                        }
                        (_, item) => b.push(item),
                    }
                }
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn is_named_array(a: &[Value]) -> bool {
    !a.is_empty() && a.iter().all(|x| x.get("name").and_then(Value::as_str).is_some())
}

/// Applies one `PATH=VALUE` to the merged table. Array elements are addressed by index or by
/// their `name`; VALUE is read as TOML (a bare word is taken as a string).
pub fn apply_set(root: &mut Table, arg: &str) -> Result<(), ScenarioError> {
    let bad = |message: String| ScenarioError::BadSet { arg: arg.to_string(), message };
    let Some((path, raw)) = arg.split_once('=') else {
        return Err(bad("expected PATH=VALUE, e.g. rd.subsidy_rate=0.3".into()));
    };
    let path = path.trim();
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(bad("the path is empty or has an empty segment".into()));
    }
    if path.contains(['[', ']']) {
        // `sectors[1].firm_share` would otherwise make a new top-level key `sectors[1]`, whose
        // error could not be traced back to this argument.
        let dotted = path.replace('[', ".").replace(']', "").replace("..", ".");
        return Err(bad(format!(
            "array elements are addressed with dots, by index from 0 or by `name`, not brackets: `{dotted}`"
        )));
    }
    let value = parse_value(raw.trim());
    let segs: Vec<&str> = path.split('.').collect();
    let mut root_val = Value::Table(std::mem::take(root));
    let result = set_in(&mut root_val, &segs, value).map_err(bad);
    if let Value::Table(t) = root_val {
        *root = t;
    }
    result
}

fn set_in(root: &mut Value, segs: &[&str], value: Value) -> Result<(), String> {
    let mut cur = root;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match cur {
            Value::Table(t) => {
                if last {
                    t.insert(seg.to_string(), value);
                    return Ok(());
                }
                cur = t.entry(seg.to_string()).or_insert_with(|| Value::Table(Table::new()));
            }
            Value::Array(a) => {
                let idx = match seg.parse::<usize>() {
                    Ok(n) if n < a.len() => n,
                    Ok(n) => return Err(format!("index {n} is past the end ({} elements)", a.len())),
                    Err(_) => {
                        let names: Vec<&str> = a.iter().filter_map(|x| x.get("name").and_then(Value::as_str)).collect();
                        match names.iter().position(|n| n == seg) {
                            Some(p) => p,
                            None => {
                                return Err(format!(
                                    "no element named `{seg}` in `{}`; known: {}",
                                    segs[..i].join("."),
                                    if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
                                ))
                            }
                        }
                    }
                };
                if last {
                    a[idx] = value;
                    return Ok(());
                }
                cur = &mut a[idx];
            }
            _ => return Err(format!("`{}` is a single value, not a table", segs[..i].join("."))),
        }
    }
    Ok(())
}

fn parse_value(raw: &str) -> Value {
    match toml::from_str::<Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").unwrap_or(Value::String(raw.to_string())),
        Err(_) => Value::String(raw.to_string()),
    }
}

/// Applies the `PATH=VALUE` arguments in order and returns each with the path it touched, array
/// elements by index (as serde reports them), resolved before the argument is applied: a set that
/// replaces a named element (`hubs.yuncheng=3`) leaves no name to find it by afterwards.
fn apply_sets(table: &mut Table, sets: &[String]) -> Result<Vec<(String, Vec<String>)>, ScenarioError> {
    let mut touched = Vec::with_capacity(sets.len());
    for arg in sets {
        let path = arg.split('=').next().unwrap_or("").trim();
        let at = index_path(table, &path.split('.').collect::<Vec<_>>());
        apply_set(table, arg)?;
        touched.push((arg.clone(), at));
    }
    Ok(touched)
}

/// The scenario of the merged table; an error at a path a `--set` touched (`touched`, from
/// [`apply_sets`]) is that argument's, any other is located in the files.
fn deserialize_merged(
    merged: Table,
    touched: &[(String, Vec<String>)],
    sources: &[SourceFile],
) -> Result<Scenario, ScenarioError> {
    let de = Value::Table(merged);
    let result: Result<Scenario, serde_path_to_error::Error<toml::de::Error>> = serde_path_to_error::deserialize(de);
    result.map_err(|e| {
        let path = e.path().to_string();
        let segs = super::locate::segments(&path);
        let message = format!("field `{path}`: {}", e.inner().message().trim());
        let prefix = |a: &[String], b: &[String]| a.iter().zip(b).all(|(x, y)| x == y);
        match touched.iter().rev().find(|(_, p)| prefix(p, &segs) || prefix(&segs, p)) {
            Some((arg, _)) => ScenarioError::BadSet { arg: arg.clone(), message },
            // Every file passed on its own, so the fault is in what they make together.
            None => ScenarioError::Parse { origin: locate_in(sources, &segs), message },
        }
    })
}

/// A dotted path with array elements named by `name` turned into indices.
fn index_path(root: &Table, segs: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = Some(root);
    let mut array: Option<&Vec<Value>> = None;
    for seg in segs {
        let next = if let Some(a) = array.take() {
            let i = seg
                .parse::<usize>()
                .ok()
                .or_else(|| a.iter().position(|x| x.get("name").and_then(Value::as_str) == Some(seg)));
            out.push(i.map(|i| i.to_string()).unwrap_or_else(|| seg.to_string()));
            i.and_then(|i| a.get(i))
        } else {
            out.push(seg.to_string());
            cur.and_then(|t| t.get(*seg))
        };
        cur = None;
        match next {
            Some(Value::Table(t)) => cur = Some(t),
            Some(Value::Array(a)) => array = Some(a),
            _ => {}
        }
    }
    out
}

fn read_layers(loaded: &mut Loaded) -> Result<(), ScenarioError> {
    let w = loaded.scenario.grid.width as usize;
    let h = loaded.scenario.grid.height as usize;
    let n_layers = loaded.scenario.grid.layers.len();
    for i in 0..n_layers {
        let rel = loaded.scenario.grid.layers[i].file.clone();
        let kind = loaded.scenario.grid.layers[i].layer;
        let districts = loaded.scenario.districts.len();
        let path = vec!["grid".to_string(), "layers".to_string(), i.to_string(), "file".to_string()];
        let origin = locate_in(&loaded.sources, &path);
        let scenario_file = match &origin {
            Origin::File { file, .. } => file.clone(),
            Origin::Set { .. } => loaded.sources.last().map(|s| s.path.clone()).unwrap_or_default(),
        };
        let dir = scenario_file.parent().map(Path::to_path_buf).unwrap_or_default();
        let layer_path = dir.join(&rel);
        let err =
            |message: String| ScenarioError::Layer { file: scenario_file.clone(), layer: layer_path.clone(), message };
        let text = std::fs::read_to_string(&layer_path).map_err(|e| err(format!("cannot read: {e}")))?;
        let mut values = Vec::with_capacity(w * h);
        let mut rows = 0;
        for (ln, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let mut count = 0;
            for (col, field) in line.split(',').enumerate() {
                let v: f64 = field.trim().parse().map_err(|_| {
                    err(format!("line {}, column {}: `{}` is not a number", ln + 1, col + 1, field.trim()))
                })?;
                if let Err(allowed) = layer_value_allowed(kind, v, districts) {
                    return Err(err(format!(
                        "line {}, column {}: {} is not allowed in a `{}` layer; allowed: {allowed}",
                        ln + 1,
                        col + 1,
                        field.trim(),
                        kind.as_str()
                    )));
                }
                values.push(v);
                count += 1;
            }
            if count != w {
                return Err(err(format!("line {}: {count} values, expected grid.width = {w}", ln + 1)));
            }
            rows += 1;
        }
        if rows != h {
            return Err(err(format!("{rows} rows, expected grid.height = {h}")));
        }
        loaded.scenario.grid.layers[i].values = values;
    }
    Ok(())
}

/// Whether a cell value fits its layer: finite, in the range of the scenario key the layer
/// replaces, and for districts a district index or -1 (outside every district).
fn layer_value_allowed(kind: LayerKind, v: f64, districts: usize) -> Result<(), String> {
    let key = match kind {
        LayerKind::Amenity => "grid.base_amenity",
        LayerKind::HousingCapacity | LayerKind::InitialHousing => "grid.housing_capacity",
        LayerKind::OfficeCapacity => "grid.office_capacity",
        LayerKind::District => {
            let ok = v.fract() == 0.0 && v >= -1.0 && v < districts as f64;
            return if ok {
                Ok(())
            } else {
                Err(format!("-1 (no district) or a district index 0 to {}", districts as f64 - 1.0))
            };
        }
    };
    let range = super::schema::find(key).map(|k| k.range).unwrap_or(super::schema::Range::Any);
    if range.allows(v) {
        Ok(())
    } else {
        Err(range.describe())
    }
}

/// Where a field path (segments, array elements by index into the merged scenario) was set last.
pub fn locate_in(sources: &[SourceFile], path: &[String]) -> Origin {
    for src in sources.iter().rev() {
        if let Some(o) = try_locate(src, path) {
            return o;
        }
    }
    // Fall back to the innermost parent that any file sets, then to the named file.
    for cut in (1..path.len()).rev() {
        for src in sources.iter().rev() {
            if let Some(o) = try_locate(src, &path[..cut]) {
                return o;
            }
        }
    }
    match sources.last() {
        Some(src) => Origin::File { file: src.path.clone(), line: None, column: None },
        None => Origin::File { file: PathBuf::from("<scenario>"), line: None, column: None },
    }
}

fn locate(src: &SourceFile, path: &[String]) -> Origin {
    try_locate(src, path).unwrap_or(Origin::File { file: src.path.clone(), line: None, column: None })
}

fn try_locate(src: &SourceFile, path: &[String]) -> Option<Origin> {
    let (line, column) = line_col(&src.text, span_of(&src.text, path)?);
    Some(Origin::File { file: src.path.clone(), line: Some(line), column: Some(column) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_arrays_merge_by_name() {
        let mut base: Table = toml::from_str("[[hubs]]\nname='a'\nx=1\n[[hubs]]\nname='b'\nx=2\n").unwrap();
        let over: Table = toml::from_str("[[hubs]]\nname='b'\nx=5\n[[hubs]]\nname='c'\nx=7\n").unwrap();
        merge_tables(&mut base, over);
        let hubs = base["hubs"].as_array().unwrap();
        assert_eq!(hubs.len(), 3);
        assert_eq!(hubs[1]["x"].as_integer(), Some(5));
        assert_eq!(hubs[2]["name"].as_str(), Some("c"));
    }

    #[test]
    fn set_addresses_tables_and_named_elements() {
        let mut t: Table = toml::from_str("[rd]\nsubsidy_rate=0.1\n[[hubs]]\nname='a'\nx=1.0\n").unwrap();
        apply_set(&mut t, "rd.subsidy_rate=0.3").unwrap();
        apply_set(&mut t, "hubs.a.x=4.5").unwrap();
        apply_set(&mut t, "hubs.0.kind=station").unwrap();
        assert_eq!(t["rd"]["subsidy_rate"].as_float(), Some(0.3));
        assert_eq!(t["hubs"][0]["x"].as_float(), Some(4.5));
        assert_eq!(t["hubs"][0]["kind"].as_str(), Some("station"));
        assert!(apply_set(&mut t, "hubs.zzz.x=1").is_err());
        assert!(apply_set(&mut t, "rd.subsidy_rate").is_err());
        assert!(apply_set(&mut t, "rd.subsidy_rate.x=1").is_err());
        let brackets = apply_set(&mut t, "hubs[0].x=1").unwrap_err().to_string();
        assert!(brackets.contains("hubs[0].x=1") && brackets.contains("`hubs.0.x`"), "{brackets}");
        assert!(!t.contains_key("hubs[0]"));
    }
}
