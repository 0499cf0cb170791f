//! Charts and reports: files exist, decode, have the right size, are not blank, put data
//! where they should, and the report inlines every chart.
//!
//! Fixtures are written by the helpers below into a fresh folder under Cargo's test temp dir: run
//! folders by the model and the run-folder writer (a run of the tiny corridor), compare and sweep
//! folders from synthetic values through the same file types and writers the binary uses.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use corridor::chart::{
    self, line_chart_to_png, map_canvas_size, render_dir, ChartError, ChartOptions, Lang, LineChart, Series,
};
use corridor::experiment::{DesignKind, Parameter, SweepSpec};
use corridor::output::{
    csv_bytes, csv_rows, fmt_num, json_bytes, point_column, run_files, CompareJson, CompareRow, EffectRow, Provenance,
    ScenarioTitle, SummaryJson, SweepJson, TornadoRow, WorldJson, POINT_STATS,
};
use corridor::report::write_report;

// ---------------------------------------------------------------- fixtures

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("charts-{}-{n}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Deterministic noise in -1..1.
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 2_000_001) as f64 / 1_000_000.0 - 1.0
    }
}

const LAYERS: [&str; 5] = ["talent_density", "firm_density", "rent", "spillover", "patents"];
/// The tiny corridor's grid and first year (scenarios/tiny.toml).
const TINY_GRID: (usize, usize) = (24, 10);
const START: i32 = 2022;
/// Labs of the tiny corridor (named in a key under each map).
const TINY_LABS: usize = 2;

/// A run folder written as the binary writes it: `scenario` run for `years` years with seed 42,
/// so world.json, summary.json and every CSV file are what the model gives.
fn write_run_of(dir: &Path, scenario: &str, years: u32) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded =
        corridor::scenario::load(&root.join(scenario), &[format!("years={years}")]).unwrap_or_else(|e| panic!("{e}"));
    let result = corridor::run(&loaded.scenario, 42);
    let prov =
        Provenance { scenario_files: vec![scenario.into()], threads: 1, wall_seconds: 1.5, ..Default::default() };
    for (rel, bytes) in run_files(&result, &prov) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

/// The tiny corridor run for `years` years from 2022.
fn write_run(dir: &Path, years: u32) {
    write_run_of(dir, "scenarios/tiny.toml", years);
}

fn read_typed<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const CMP_KPIS: [&str; 5] = ["talent", "patents", "mean_rent", "rent_to_income", "children_seated_elsewhere"];

/// A compare folder of three scenarios, five replications and four years of synthetic values.
fn write_compare(dir: &Path) {
    let scenarios = ["baseline", "housing_push", "talent_push"];
    let info = CompareJson {
        posterior: None,
        base: "baseline".into(),
        variants: vec!["housing_push".into(), "talent_push".into()],
        reps: 5,
        seed: 7,
        replication_seeds: vec![1, 2, 3, 4, 5],
        scenario_hashes: vec![],
        kpis: CMP_KPIS.iter().map(|k| k.to_string()).collect(),
        headline: corridor::output::headline_names().iter().map(|k| k.to_string()).collect(),
        start_year: 2025,
        years: 4,
        discount_rate: 0.08,
        titles: scenarios
            .iter()
            .map(|s| ScenarioTitle { label: s.to_string(), title: String::new(), title_zh: String::new() })
            .collect(),
    };
    fs::write(dir.join("compare.json"), json_bytes(&info)).unwrap();
    let mut noise = Noise(12345);
    let level = |kpi: &str, s: usize, t: f64| -> f64 {
        let lift = [0.0, 0.03, 0.07][s];
        match kpi {
            "talent" => 80000.0 * (1.0 + 0.08 * t) * (1.0 + lift),
            "patents" => 1500.0 * (1.0 + 0.1 * t) * (1.0 + lift * 1.5),
            "mean_rent" => 3200.0 * (1.0 + 0.05 * t) * (1.0 - lift * 0.8),
            "rent_to_income" => 0.30 + 0.01 * t - lift * 0.1,
            _ => 1200.0 * (1.0 + 0.1 * t) * (1.0 - lift * 3.0),
        }
    };
    let mut rows = Vec::new();
    let mut finals: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); CMP_KPIS.len()]; 3];
    for (si, s) in scenarios.iter().enumerate() {
        for rep in 0..5 {
            for y in 0..4 {
                for (ki, k) in CMP_KPIS.iter().enumerate() {
                    let value = level(k, si, y as f64) * (1.0 + 0.01 * noise.next());
                    rows.push(CompareRow {
                        scenario: s.to_string(),
                        replication: rep,
                        year: 2025 + y,
                        kpi: k.to_string(),
                        value,
                    });
                    if y == 3 {
                        finals[si][ki].push(value);
                    }
                }
            }
        }
    }
    fs::write(dir.join("compare.csv"), csv_rows(&rows)).unwrap();
    let mut effects = Vec::new();
    for si in 1..3 {
        for (ki, k) in CMP_KPIS.iter().enumerate() {
            let bm = finals[0][ki].iter().sum::<f64>() / 5.0;
            let vm = finals[si][ki].iter().sum::<f64>() / 5.0;
            let d = vm - bm;
            let half = 0.012 * bm.abs();
            let cost = 1.0e8 * si as f64;
            effects.push(EffectRow {
                variant: scenarios[si].into(),
                kpi: k.to_string(),
                base_mean: bm,
                variant_mean: vm,
                diff_mean: d,
                diff_ci_low: d - half,
                diff_ci_high: d + half,
                rel_change: d / bm,
                basis: "sum".into(),
                run_base_mean: 4.0 * bm,
                run_diff_mean: 4.0 * d,
                run_diff_ci_low: 4.0 * (d - half),
                run_diff_ci_high: 4.0 * (d + half),
                run_diff_pv: 3.5 * d,
                public_cost_diff: cost,
                public_cost_diff_pv: 0.9 * cost,
                cost_per_unit: cost / (4.0 * d),
                cost_per_unit_pv: 0.9 * cost / (3.5 * d),
                cost_note: String::new(),
            });
        }
    }
    fs::write(dir.join("effects.csv"), csv_rows(&effects)).unwrap();
    fs::write(dir.join("effects.md"), "| variant |\n|---|\n").unwrap();
}

fn write_points(dir: &Path, params: &[&str], pts: &[Vec<f64>], kpis: &[&str], f: impl Fn(&[f64], &str) -> f64) {
    let mut head = vec!["point".to_string()];
    head.extend(params.iter().map(|p| p.to_string()));
    for k in kpis {
        head.extend(POINT_STATS.iter().map(|s| point_column(k, s)));
    }
    head.push("n".into());
    let mut records = vec![head];
    for (i, p) in pts.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(p.iter().map(|v| fmt_num(*v)));
        for k in kpis {
            let m = f(p, k);
            let sd = 0.02 * m.abs();
            row.extend([m, sd, m - 1.2 * sd, m + 1.2 * sd].iter().map(|v| fmt_num(*v)));
        }
        row.push("5".into());
        records.push(row);
    }
    fs::write(dir.join("points.csv"), csv_bytes(records)).unwrap();
}

fn sweep_kpi(p: &[f64], k: &str) -> f64 {
    let a = p.first().copied().unwrap_or(0.0);
    let b = p.get(1).copied().unwrap_or(0.0);
    match k {
        "talent" => 90000.0 + 20000.0 * a.min(2.0) + 0.4 * b,
        _ => 3400.0 - 300.0 * a + 0.01 * b,
    }
}

fn parameter(path: &str, values: Option<Vec<f64>>, range: Option<(f64, f64)>, baseline: f64) -> Parameter {
    Parameter {
        path: path.into(),
        values,
        min: range.map(|r| r.0),
        max: range.map(|r| r.1),
        steps: None,
        baseline: Some(baseline),
        integer: false,
    }
}

fn write_sweep_json(dir: &Path, name: &str, design: DesignKind, parameters: Vec<Parameter>, points: usize) {
    let replications = if parameters.len() == 1 { 5 } else { 3 };
    let spec = SweepSpec {
        name: name.into(),
        base: "../tiny.toml".into(),
        design,
        samples: None,
        trajectories: None,
        levels: None,
        replications,
        seed: 1,
        common_seeds: true,
        years: None,
        set: vec![],
        kpis: vec!["talent".into(), "mean_rent".into()],
        parameters,
    };
    let info = SweepJson { spec, points, runs: points as u64 * replications as u64, shard: None };
    fs::write(dir.join("sweep.json"), json_bytes(&info)).unwrap();
}

/// Sweep over one parameter, a 4x3 grid, or a one-at-a-time design with a tornado table.
fn write_sweep(dir: &Path, kind: &str) {
    let kpis = ["talent", "mean_rent"];
    let (elasticity, subsidy, build) = ("housing.supply_elasticity", "talent.subsidy_yuan", "schools.build_rate");
    match kind {
        "one" => {
            let values = vec![0.2, 0.4, 0.6, 0.8, 1.0];
            let pts: Vec<Vec<f64>> = values.iter().map(|v| vec![*v]).collect();
            write_sweep_json(
                dir,
                "elasticity",
                DesignKind::Grid,
                vec![parameter(elasticity, Some(values), None, 0.6)],
                5,
            );
            write_points(dir, &[elasticity], &pts, &kpis, sweep_kpi);
        }
        "grid" => {
            let params = vec![
                parameter(elasticity, Some(vec![0.3, 0.6, 0.9, 1.2]), None, 0.6),
                parameter(subsidy, Some(vec![0.0, 5000.0, 10000.0]), None, 5000.0),
            ];
            write_sweep_json(dir, "subsidy-by-elasticity", DesignKind::Grid, params, 12);
            let mut pts = Vec::new();
            for a in [0.3, 0.6, 0.9, 1.2] {
                for b in [0.0, 5000.0, 10000.0] {
                    pts.push(vec![a, b]);
                }
            }
            write_points(dir, &[elasticity, subsidy], &pts, &kpis, sweep_kpi);
        }
        _ => {
            let ranges = [(0.3, 1.2), (0.0, 20000.0), (0.5, 2.0)];
            let base = [0.6, 5000.0, 1.0];
            let params = [elasticity, subsidy, build];
            let specs = (0..3).map(|i| parameter(params[i], None, Some(ranges[i]), base[i])).collect();
            write_sweep_json(dir, "oat", DesignKind::Oat, specs, 7);
            let pts = vec![
                vec![0.6, 5000.0, 1.0],
                vec![0.3, 5000.0, 1.0],
                vec![1.2, 5000.0, 1.0],
                vec![0.6, 0.0, 1.0],
                vec![0.6, 20000.0, 1.0],
                vec![0.6, 5000.0, 0.5],
                vec![0.6, 5000.0, 2.0],
            ];
            write_points(dir, &params, &pts, &kpis, sweep_kpi);
            let mut rows = Vec::new();
            for k in kpis {
                for (i, p) in params.iter().enumerate() {
                    let (low, high) = ranges[i];
                    let mut pl = base;
                    pl[i] = low;
                    let mut ph = base;
                    ph[i] = high;
                    let kpi_base = sweep_kpi(&base, k);
                    let bump = if i == 2 { 0.002 * kpi_base } else { 0.0 };
                    rows.push(TornadoRow {
                        parameter: p.to_string(),
                        kpi: k.into(),
                        low,
                        high,
                        kpi_low: sweep_kpi(&pl, k) - bump,
                        kpi_high: sweep_kpi(&ph, k) + bump,
                        kpi_base,
                    });
                }
            }
            fs::write(dir.join("tornado.csv"), csv_rows(&rows)).unwrap();
        }
    }
}

// ---------------------------------------------------------------- image checks

struct Image {
    w: u32,
    h: u32,
    /// RGB triples.
    px: Vec<[u8; 3]>,
}

fn decode_png(bytes: &[u8]) -> Image {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    let ch = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px = buf[..info.buffer_size()]
        .chunks(ch)
        .map(|c| if ch >= 3 { [c[0], c[1], c[2]] } else { [c[0], c[0], c[0]] })
        .collect();
    Image { w: info.width, h: info.height, px }
}

fn luminance_variance(img: &Image) -> f64 {
    let n = img.px.len() as f64;
    let lum: Vec<f64> =
        img.px.iter().map(|p| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64).collect();
    let m = lum.iter().sum::<f64>() / n;
    lum.iter().map(|l| (l - m) * (l - m)).sum::<f64>() / n
}

/// Assert a chart's PNG decodes with the expected size and is not blank, and its SVG twin
/// is an SVG document.
fn check_chart(png_path: &Path, expected: (u32, u32)) {
    let bytes = fs::read(png_path).unwrap_or_else(|e| panic!("{}: {e}", png_path.display()));
    let img = decode_png(&bytes);
    assert_eq!((img.w, img.h), expected, "{}", png_path.display());
    let var = luminance_variance(&img);
    assert!(var > 100.0, "{} looks blank (variance {var:.1})", png_path.display());
    let svg = fs::read_to_string(png_path.with_extension("svg")).unwrap();
    assert!(svg.trim_start().starts_with("<svg"), "{} is not SVG", png_path.display());
    assert!(svg.trim_end().ends_with("</svg>"));
    no_temporaries(png_path.parent().unwrap());
}

/// No temporary file (`<name>.tmp-<pid>`) is left in `dir`.
fn no_temporaries(dir: &Path) {
    for e in fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "{name} left in {}", dir.display());
    }
}

fn opts(lang: Lang) -> ChartOptions {
    ChartOptions { lang, width: 960, height: 600 }
}

fn stems(paths: &[PathBuf], ext: &str) -> Vec<String> {
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

// ---------------------------------------------------------------- tests

#[test]
fn run_charts_exist_decode_and_are_not_blank() {
    let dir = scratch("run");
    write_run(&dir, 3);
    let o = opts(Lang::En);
    let files = render_dir(&dir, &o).unwrap();
    let pngs = stems(&files, "png");
    assert_eq!(pngs.len(), stems(&files, "svg").len());
    for expected in [
        "ts_talent_by_tier",
        "ts_firms_by_sector",
        "ts_patents",
        "ts_rd_intensity",
        "ts_rent",
        "ts_rent_to_income",
        "ts_commute",
        "ts_school_places",
        "ts_firm_size_tail",
        "ts_startup_survival",
        "ts_firm_concentration",
        "ts_spatial_concentration",
        "ts_public_cost",
    ] {
        assert!(pngs.iter().any(|s| s == expected), "missing {expected} in {pngs:?}");
    }
    for layer in LAYERS {
        for year in [START, START + 2] {
            let stem = format!("map_{layer}_{year}");
            assert!(pngs.contains(&stem), "missing {stem}");
        }
        assert!(!pngs.contains(&format!("map_{layer}_{}", START + 1)), "only first and last year");
    }
    let map_size = map_canvas_size(TINY_GRID.0, TINY_GRID.1, TINY_LABS, &o);
    assert_eq!(map_size.0, o.width);
    assert!(map_size.1 <= o.height);
    for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
        assert!(p.starts_with(dir.join("charts")));
        let name = p.file_name().unwrap().to_string_lossy();
        let size = if name.starts_with("map_") { map_size } else { (o.width, o.height) };
        check_chart(p, size);
    }
}

#[test]
fn maps_keep_cells_square_for_a_wide_grid() {
    let o = ChartOptions::default();
    let (w, h) = map_canvas_size(80, 24, 10, &o);
    assert_eq!(w, 1200);
    assert!(h < 750 && h > 300, "a wide grid gives a wide figure, got {w}x{h}");
}

#[test]
fn chinese_labels_render() {
    let dir = scratch("run-zh");
    write_run(&dir, 2);
    let o = opts(Lang::Zh);
    let files = render_dir(&dir, &o).unwrap();
    assert!(files.len() >= 2 * (9 + 10));
    for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")).take(3) {
        let name = p.file_name().unwrap().to_string_lossy();
        let size = if name.starts_with("map_") {
            map_canvas_size(TINY_GRID.0, TINY_GRID.1, TINY_LABS, &o)
        } else {
            (o.width, o.height)
        };
        check_chart(p, size);
    }
    let svg = fs::read_to_string(dir.join("charts-zh/ts_talent_by_tier.svg")).unwrap();
    assert!(svg.contains("各层级人才数量"), "Chinese title in SVG");
    assert!(svg.contains("WenQuanYi Micro Hei"));
    let map = fs::read_to_string(dir.join(format!("charts-zh/map_rent_{START}.svg"))).unwrap();
    assert!(map.contains("科学城") && map.contains("西区"), "name_zh used on maps");
}

#[test]
fn compare_charts() {
    let dir = scratch("compare");
    write_compare(&dir);
    let o = opts(Lang::En);
    let files = render_dir(&dir, &o).unwrap();
    let pngs = stems(&files, "png");
    for k in CMP_KPIS {
        assert!(pngs.contains(&format!("compare_{k}")), "{pngs:?}");
    }
    assert!(pngs.contains(&"headline_effects".to_string()));
    for k in CMP_KPIS {
        assert!(pngs.contains(&format!("diff_{k}")), "a paired-difference chart of {k}");
    }
    for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
        if p.file_stem().is_some_and(|s| s == "headline_effects") {
            // One row per KPI: its own height.
            let img = decode_png(&fs::read(p).unwrap());
            assert!(img.w == o.width && img.h >= 320 && luminance_variance(&img) > 100.0);
            continue;
        }
        check_chart(p, (o.width, o.height));
    }
    // Level bands never cross the KPI's natural bound.
    let svg = fs::read_to_string(dir.join("charts/compare_children_seated_elsewhere.svg")).unwrap();
    assert!(!svg.contains(">−"), "no negative ticks on the axis of a count");
}

#[test]
fn sweep_charts() {
    let o = opts(Lang::En);
    for (kind, expected) in [
        ("one", vec!["sweep_talent", "sweep_mean_rent"]),
        ("grid", vec!["heatmap_talent", "heatmap_mean_rent"]),
        ("oat", vec!["tornado_talent", "tornado_mean_rent"]),
    ] {
        let dir = scratch(&format!("sweep-{kind}"));
        write_sweep(&dir, kind);
        let files = render_dir(&dir, &o).unwrap();
        let pngs = stems(&files, "png");
        assert_eq!(pngs, expected, "{kind}");
        for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
            check_chart(p, (o.width, o.height));
        }
    }
}

fn pixel(img: &Image, (x, y): (i32, i32)) -> [u8; 3] {
    img.px[(y as u32 * img.w + x as u32) as usize]
}

/// Whether a pixel within `r` of `p` has colour `c` (within a small tolerance).
fn near_colour(img: &Image, p: (i32, i32), r: i32, c: [u8; 3]) -> bool {
    (-r..=r).any(|dy| {
        (-r..=r).any(|dx| {
            let q = pixel(img, (p.0 + dx, p.1 + dy));
            q.iter().zip(c).all(|(a, b)| (*a as i32 - b as i32).abs() <= 12)
        })
    })
}

#[test]
fn a_known_series_lands_where_expected() {
    let mut chart = LineChart::new("Known lines", "Year", "Value (units)");
    chart.series = vec![
        Series::new("flat", (2020..=2030).map(|y| (y as f64, 30.0)).collect()),
        Series::new("rising", (2020..=2030).map(|y| (y as f64, 5.0 * (y - 2020) as f64)).collect()),
    ];
    let o = ChartOptions::default();
    let r = line_chart_to_png(&chart, &o).unwrap();
    let img = decode_png(&r.png);
    assert_eq!((img.w, img.h), (1200, 750));
    let f = r.frame;
    assert_eq!(f.x_range, (2020.0, 2030.0));
    assert_eq!(f.y_range, (0.0, 50.0));
    let blue = [0x00, 0x72, 0xB2];
    let vermillion = [0xD5, 0x5E, 0x00];
    // On the lines.
    for x in [2021.5, 2025.0, 2029.0] {
        assert!(near_colour(&img, f.to_pixel(x, 30.0), 2, blue), "flat line at {x}");
        assert!(near_colour(&img, f.to_pixel(x, 5.0 * (x - 2020.0)), 2, vermillion), "rising line at {x}");
    }
    // Off the lines: nothing of either colour nearby.
    for (x, y) in [(2025.0, 15.0), (2022.0, 42.0), (2028.0, 10.0)] {
        let p = f.to_pixel(x, y);
        assert!(!near_colour(&img, p, 4, blue) && !near_colour(&img, p, 4, vermillion), "({x}, {y}) should be empty");
    }
    // The plot frame lies inside the canvas, left-to-right and bottom-to-top.
    assert!(f.x_px.0 > 60 && f.x_px.1 < 1200 && f.x_px.0 < f.x_px.1);
    assert!(f.y_px.0 > f.y_px.1 && f.y_px.1 > 40);
}

#[test]
fn report_inlines_every_chart() {
    let dir = scratch("report");
    write_run(&dir, 3);
    let summary: SummaryJson = read_typed(&dir.join("summary.json"));
    let path = write_report(&dir, &opts(Lang::En)).unwrap();
    assert_eq!(path, dir.join("report.html"));
    let html = fs::read_to_string(&path).unwrap();
    let n_png = fs::read_dir(dir.join("charts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "png"))
        .count();
    assert!(n_png >= 19);
    assert_eq!(html.matches("<img").count(), n_png);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), n_png);
    let hash = summary.provenance.scenario_hash.as_str();
    for needle in ["Tiny test corridor", hash, "42", "2022", "2023", "2024", "Headline indicators"] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "no external resources");
    no_temporaries(&dir);

    let cmp = scratch("report-compare");
    write_compare(&cmp);
    let path = write_report(&cmp, &opts(Lang::Zh)).unwrap();
    assert_eq!(path, cmp.join("report.zh.html"), "the Chinese report sits beside the English one");
    let html = fs::read_to_string(path).unwrap();
    assert_eq!(html.matches("<img").count(), 2 * CMP_KPIS.len() + 1, "headline, differences, levels");
    assert!(html.contains("Housing push"));
    assert!(html.contains("核心效果"), "headline effects heading");
    assert!(html.contains("术语表") && html.contains("@font-face"), "glossary and embedded font");
    let first_img = html.find("<img").unwrap();
    assert!(html[..first_img].matches("<table").count() == 0, "the headline chart comes before any table");
}

#[test]
fn a_run_report_says_it_is_one_draw_and_lists_definitions() {
    let dir = scratch("one-draw");
    write_run(&dir, 2);
    let html = fs::read_to_string(write_report(&dir, &opts(Lang::En)).unwrap()).unwrap();
    assert!(html.contains("one random draw of the model (seed 42)"), "one draw said plainly");
    assert!(html.contains("--reps 10"), "the command that gives bands");
    assert!(html.contains("Glossary") && html.contains("Share of the employed whose one-way commute"));
    // The firm side's charts are in the report, and their KPIs in the glossary.
    for (chart, defined) in [
        ("ts_firm_size_tail", "Firm-size tail exponent"),
        ("ts_startup_survival", "Start-up survival at 4 years"),
        ("ts_firm_concentration", "Workers of the largest firm over all firm workers"),
        ("ts_spatial_concentration", "Concentration of firm patents across cells"),
    ] {
        assert!(dir.join(format!("charts/{chart}.png")).is_file(), "{chart}");
        assert!(html.contains(defined), "the glossary defines {defined}");
    }
    assert!(html.contains("Levers in force"));
    let svg = fs::read_to_string(dir.join("charts/ts_rent.svg")).unwrap();
    assert!(svg.contains("one random draw (seed 42)"), "charts say it too");
}

/// Chromium, or `None` (and a message) where it is not installed; under CI its absence fails.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        return Some(path);
    }
    // CI installs Chromium (.ci/run sets CI=true): there a missing browser is a failure, not a
    // reason to pass.
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(!ci, "CI expected Chromium at {} (installed by .ci/run) and it is absent", path.display());
    eprintln!("skipped: chromium not installed ({})", path.display());
    None
}

/// Runs headless Chromium on `page` with only DejaVu Sans as a system font (a machine without
/// Chinese fonts), with `extra` arguments; returns its standard output.
fn headless(chromium: &Path, dir: &Path, page: &Path, extra: &[String]) -> String {
    let fonts = dir.join("latin-only");
    fs::create_dir_all(&fonts).unwrap();
    fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/DejaVuSans.ttf"), fonts.join("DejaVuSans.ttf"))
        .unwrap();
    let conf = dir.join("fonts.conf");
    let conf_text = format!(
        "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
        fonts.display(),
        dir.join("fc-cache").display()
    );
    fs::write(&conf, conf_text).unwrap();
    let profile = dir.join(format!("profile-{}", COUNTER.fetch_add(1, Ordering::SeqCst)));
    fs::create_dir_all(&profile).unwrap();
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().cloned());
    args.push(format!("file://{}", page.display()));
    let out = Command::new(chromium).args(&args).env("FONTCONFIG_FILE", &conf).output().expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_chinese_report_renders_its_embedded_font_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = scratch("chromium");
    write_compare(&dir);
    let report = write_report(&dir, &opts(Lang::Zh)).unwrap();
    let html = fs::read_to_string(&report).unwrap();
    // A copy with a probe: the embedded face is loaded and Chinese text measures non-empty in it.
    let probe = r#"<script>
document.fonts.ready.then(async () => {
  const faces = []; document.fonts.forEach(f => faces.push(f.family + ':' + f.status));
  const text = '未获学位儿童 核心效果';
  const loaded = await document.fonts.load('16px "Corridor Sans"', text).then(l => l.length, () => 0);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '16px "Corridor Sans"';
  const width = ctx.measureText(text).width;
  const r = 'faces=' + faces.join(',') + ';loaded=' + loaded + ';check=' + document.fonts.check('16px "Corridor Sans"', text) + ';width=' + width;
  const p = document.createElement('pre'); p.id = 'probe'; p.textContent = r; document.body.appendChild(p);
});
</script>"#;
    let probed = dir.join("probe.html");
    fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let dom = headless(&chromium, &dir, &probed, &["--virtual-time-budget=10000".into(), "--dump-dom".into()]);
    let result = dom.split("<pre id=\"probe\">").nth(1).and_then(|r| r.split('<').next()).unwrap_or("");
    assert!(result.contains("faces=Corridor Sans:loaded"), "the embedded font did not load: {result:?}");
    assert!(result.contains(";loaded=1;check=true;"), "{result:?}");
    let width: f64 = result.rsplit("width=").next().and_then(|w| w.parse().ok()).unwrap_or(0.0);
    assert!(width > 50.0, "Chinese text measured {width} px in the embedded font");
    // And the page itself renders (not blank).
    let shot = dir.join("screenshot.png");
    headless(&chromium, &dir, &report, &[format!("--screenshot={}", shot.display()), "--window-size=1200,1600".into()]);
    let img = decode_png(&fs::read(&shot).unwrap());
    assert_eq!((img.w, img.h), (1200, 1600));
    assert!(luminance_variance(&img) > 100.0, "screenshot looks blank");
}

#[test]
fn missing_timeseries_is_named() {
    let dir = scratch("missing");
    write_run(&dir, 2);
    fs::remove_file(dir.join("timeseries.csv")).unwrap();
    let err = render_dir(&dir, &opts(Lang::En)).unwrap_err();
    assert!(matches!(err, ChartError::MissingFile { .. }), "{err:?}");
    assert!(err.to_string().contains("timeseries.csv"), "{err}");
    let err = write_report(&dir, &opts(Lang::En)).unwrap_err();
    assert!(err.to_string().contains("timeseries.csv"), "{err}");
}

#[test]
fn bad_input_gives_typed_errors() {
    // A bad number names the file and line.
    let dir = scratch("bad-row");
    write_run(&dir, 1);
    let ts = fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let mut lines: Vec<String> = ts.lines().map(str::to_string).collect();
    let fields: Vec<&str> = lines[2].split(',').collect();
    let mut broken: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    broken[4] = "twelve".into();
    lines[2] = broken.join(",");
    fs::write(dir.join("timeseries.csv"), lines.join("\n")).unwrap();
    let err = render_dir(&dir, &opts(Lang::En)).unwrap_err().to_string();
    assert!(err.contains("timeseries.csv:3") && err.contains("twelve"), "{err}");

    // A short row.
    fs::write(dir.join("timeseries.csv"), "month,year,month_of_year,talent\n0,2025,1,5\n1,2025\n").unwrap();
    let err = render_dir(&dir, &opts(Lang::En)).unwrap_err().to_string();
    assert!(err.contains("timeseries.csv:3"), "{err}");

    // Malformed JSON names the file.
    let cmp = scratch("bad-json");
    write_compare(&cmp);
    fs::write(cmp.join("compare.json"), "{\"base\": ").unwrap();
    let err = render_dir(&cmp, &opts(Lang::En)).unwrap_err();
    assert!(matches!(err, ChartError::Json { .. }) && err.to_string().contains("compare.json"), "{err}");

    // A layer of the wrong shape.
    let run = scratch("bad-grid");
    write_run(&run, 1);
    fs::write(run.join(format!("layers/rent_{START}.csv")), "1,2,3\n4,5,6\n").unwrap();
    let err = render_dir(&run, &opts(Lang::En)).unwrap_err().to_string();
    assert!(err.contains(&format!("rent_{START}.csv")), "{err}");

    // Not an output folder at all; bad options.
    let empty = scratch("empty");
    assert!(matches!(render_dir(&empty, &opts(Lang::En)), Err(ChartError::UnknownFolder { .. })));
    let tiny = ChartOptions { lang: Lang::En, width: 10, height: 10 };
    assert!(matches!(render_dir(&run, &tiny), Err(ChartError::Options(_))));
}

#[test]
fn a_missing_key_is_an_error_naming_the_file_and_the_key() {
    let dir = scratch("missing-key");
    write_run(&dir, 1);
    let mut world: serde_json::Value = read_typed(&dir.join("world.json"));
    world.as_object_mut().unwrap().remove("levers");
    fs::write(dir.join("world.json"), json_bytes(&world)).unwrap();
    let err = render_dir(&dir, &opts(Lang::En)).unwrap_err().to_string();
    assert!(err.contains("world.json") && err.contains("missing field `levers`"), "{err}");

    let cmp = scratch("renamed-column");
    write_compare(&cmp);
    let effects = fs::read_to_string(cmp.join("effects.csv")).unwrap();
    fs::write(cmp.join("effects.csv"), effects.replacen("cost_per_unit", "yuan_per_unit", 1)).unwrap();
    let err = render_dir(&cmp, &opts(Lang::En)).unwrap_err().to_string();
    assert!(err.contains("effects.csv") && err.contains("missing field `cost_per_unit`"), "{err}");
}

#[test]
fn not_a_number_is_null_in_json_and_empty_in_csv_and_reads_back() {
    let dir = scratch("nan");
    write_run(&dir, 2);
    let mut summary: SummaryJson = read_typed(&dir.join("summary.json"));
    summary.final_year.insert("rd_intensity".into(), f64::NAN);
    summary.yearly.kpis.get_mut("rd_intensity").unwrap()[0] = f64::INFINITY;
    fs::write(dir.join("summary.json"), json_bytes(&summary)).unwrap();
    let text = fs::read_to_string(dir.join("summary.json")).unwrap();
    assert!(text.contains("\"rd_intensity\": null") && !text.contains("NaN"), "null in JSON");
    let back: SummaryJson = read_typed(&dir.join("summary.json"));
    assert!(back.final_year["rd_intensity"].is_nan() && back.yearly.kpis["rd_intensity"][0].is_nan());
    // An empty field in the yearly table (what a NaN is in CSV) still gives a report.
    let yearly = fs::read_to_string(dir.join("yearly.csv")).unwrap();
    let col = yearly.lines().next().unwrap().split(',').position(|c| c == "rd_intensity").unwrap();
    let rows: Vec<Vec<String>> = yearly
        .lines()
        .enumerate()
        .map(|(i, l)| {
            l.split(',').enumerate().map(|(j, f)| if i > 0 && j == col { String::new() } else { f.into() }).collect()
        })
        .collect();
    fs::write(dir.join("yearly.csv"), csv_bytes(rows)).unwrap();
    let html = fs::read_to_string(write_report(&dir, &opts(Lang::En)).unwrap()).unwrap();
    assert!(html.contains("Headline indicators"));
}

#[test]
fn degenerate_data_does_not_panic() {
    // Constant, empty and non-finite series still render.
    let mut chart = LineChart::new("Degenerate", "Year", "Value");
    chart.series = vec![
        Series::new("constant", vec![(2025.0, 3.0), (2026.0, 3.0)]),
        Series::new("nan", vec![(2025.0, f64::NAN), (f64::INFINITY, 1.0)]),
        Series::new("empty", vec![]),
    ];
    let r = line_chart_to_png(&chart, &ChartOptions::default()).unwrap();
    assert!(luminance_variance(&decode_png(&r.png)) > 10.0);
    let empty = LineChart::new("Nothing", "Year", "Value");
    line_chart_to_png(&empty, &ChartOptions::default()).unwrap();

    // A run whose layers are all NaN and whose KPIs are empty.
    let dir = scratch("degenerate");
    write_run(&dir, 1);
    let nan_grid = vec![vec![fmt_num(f64::NAN); TINY_GRID.0]; TINY_GRID.1];
    fs::write(dir.join(format!("layers/rent_{START}.csv")), csv_bytes(nan_grid)).unwrap();
    fs::write(dir.join("timeseries.csv"), "month,year,month_of_year,talent\n").unwrap();
    let files = render_dir(&dir, &opts(Lang::En)).unwrap();
    assert!(!files.is_empty());
    chart::register_fonts().unwrap();

    // The smallest accepted canvas, in both languages, with long names.
    let small = scratch("small");
    write_run(&small, 2);
    let mut world: WorldJson = read_typed(&small.join("world.json"));
    world.hubs[0].name = "future_sci_tech_city_".repeat(8);
    fs::write(small.join("world.json"), json_bytes(&world)).unwrap();
    for lang in [Lang::En, Lang::Zh] {
        let (w, h) = ChartOptions::MIN_SIZE;
        let o = ChartOptions { lang, width: w, height: h };
        for p in render_dir(&small, &o).unwrap().iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
            let name = p.file_name().unwrap().to_string_lossy();
            let size = if name.starts_with("map_") {
                map_canvas_size(TINY_GRID.0, TINY_GRID.1, TINY_LABS, &o)
            } else {
                (w, h)
            };
            check_chart(p, size);
        }
    }
    let cmp = scratch("small-compare");
    write_compare(&cmp);
    let (w, h) = ChartOptions::MIN_SIZE;
    render_dir(&cmp, &ChartOptions { lang: Lang::Zh, width: w, height: h }).unwrap();
}

/// Writes sample folders (a 10-year run of the default corridor, compare, sweeps) with charts and reports to
/// `$CORRIDOR_CHART_DEMO` for a visual check: `cargo test --test charts demo -- --ignored`.
#[test]
#[ignore]
fn demo() {
    let root =
        PathBuf::from(std::env::var("CORRIDOR_CHART_DEMO").unwrap_or_else(|_| "/tmp/corridor-chart-demo".into()));
    for lang in [Lang::En, Lang::Zh] {
        let o = ChartOptions { lang, ..ChartOptions::default() };
        let tag = if lang == Lang::En { "en" } else { "zh" };
        let run = root.join(format!("run-{tag}"));
        let _ = fs::remove_dir_all(&run);
        fs::create_dir_all(&run).unwrap();
        write_run_of(&run, "scenarios/hangzhou-west.toml", 10);
        let t = std::time::Instant::now();
        write_report(&run, &o).unwrap();
        eprintln!("{tag} run report in {:?}", t.elapsed());
        let cmp = root.join(format!("compare-{tag}"));
        let _ = fs::remove_dir_all(&cmp);
        fs::create_dir_all(&cmp).unwrap();
        write_compare(&cmp);
        write_report(&cmp, &o).unwrap();
        for kind in ["one", "grid", "oat"] {
            let s = root.join(format!("sweep-{kind}-{tag}"));
            let _ = fs::remove_dir_all(&s);
            fs::create_dir_all(&s).unwrap();
            write_sweep(&s, kind);
            write_report(&s, &o).unwrap();
        }
    }
}
