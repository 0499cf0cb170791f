//! Charts and reports: files exist, decode, have the right size, are not blank, put data
//! where they should, and the report inlines every chart.
//!
//! Fixtures (a 12x6 run over three years, a compare folder, three sweep folders) are written
//! by the helpers below into a fresh folder under Cargo's test temp dir.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use corridor::chart::{
    self, line_chart_to_png, map_canvas_size, render_dir, ChartError, ChartOptions, Lang, LineChart, Series,
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

const TIERS: [&str; 3] = ["junior", "senior", "star"];
const SECTORS: [&str; 3] = ["digital", "biomed", "advanced_manufacturing"];
const LEVERS: [&str; 3] = ["talent_subsidy", "housing", "schools"];
const LAYERS: [&str; 5] = ["talent_density", "firm_density", "rent", "spillover", "patents"];

/// A synthetic run folder: `w` x `h` grid, `years` years from 2025.
fn write_run(dir: &Path, w: usize, h: usize, years: usize) {
    let start = 2025;
    let (fw, fh) = (w as f64, h as f64);
    let world = serde_json::json!({
        "width": w, "height": h, "cell_km": 0.5, "start_year": start,
        "districts": [
            {"id": 0, "name": "Xihu", "name_zh": "西湖区"},
            {"id": 1, "name": "Yuhang", "name_zh": "余杭区"},
            {"id": 2, "name": "Lin'an", "name_zh": "临安区"}
        ],
        "hubs": [
            {"name": "Zijingang", "name_zh": "紫金港", "x": fw * 0.2, "y": fh * 0.45, "radius_km": 1.5, "kind": "university"},
            {"name": "Future Sci-Tech City", "name_zh": "未来科技城", "x": fw * 0.5, "y": fh * 0.55, "radius_km": 2.0, "kind": "cluster"},
            {"name": "Qingshan Lake", "name_zh": "青山湖", "x": fw * 0.82, "y": fh * 0.4, "radius_km": 1.5, "kind": "cluster"}
        ],
        "transit_lines": [
            {"name": "Metro Line 3", "name_zh": "地铁3号线", "stations": [[0.5, fh * 0.6], [fw * 0.3, fh * 0.5], [fw * 0.5, fh * 0.62], [fw * 0.7, fh * 0.5]], "open_year": null},
            {"name": "Metro Line 19", "name_zh": "地铁19号线", "stations": [[fw * 0.1, fh * 0.2], [fw * 0.45, fh * 0.3], [fw * 0.9, fh * 0.25]], "open_year": start + 1}
        ],
        "labs": [
            {"name": "Zhijiang Lab", "name_zh": "之江实验室", "x": fw * 0.62, "y": fh * 0.75, "kind": "national", "open_year": start},
            {"name": "Westlake Lab", "name_zh": "西湖实验室", "x": fw * 0.3, "y": fh * 0.75, "kind": "provincial", "open_year": start + years as i32 - 1}
        ],
        "tiers": TIERS, "sectors": SECTORS, "levers": LEVERS
    });
    fs::write(dir.join("world.json"), serde_json::to_string_pretty(&world).unwrap()).unwrap();

    // Districts: thirds from west to east, with the north-west and south-east corners outside.
    let layers = dir.join("layers");
    fs::create_dir_all(&layers).unwrap();
    let district = |x: usize, y: usize| -> i64 {
        if (x + y < 2) || (x + 2 >= w && y + 1 >= h) {
            -1
        } else {
            ((x * 3) / w).min(2) as i64
        }
    };
    let mut d = String::new();
    for y in 0..h {
        let row: Vec<String> = (0..w).map(|x| district(x, y).to_string()).collect();
        writeln!(d, "{}", row.join(",")).unwrap();
    }
    fs::write(layers.join("district.csv"), d).unwrap();
    let hubs = [(fw * 0.2, fh * 0.45), (fw * 0.5, fh * 0.55), (fw * 0.82, fh * 0.4)];
    for (li, layer) in LAYERS.iter().enumerate() {
        for yi in 0..years {
            let growth = 1.0 + 0.15 * yi as f64;
            let mut g = String::new();
            for y in 0..h {
                let row: Vec<String> = (0..w)
                    .map(|x| {
                        let near: f64 = hubs
                            .iter()
                            .map(|(hx, hy)| {
                                let d2 = ((x as f64 + 0.5 - hx) / fw * 8.0).powi(2)
                                    + ((y as f64 + 0.5 - hy) / fh * 4.0).powi(2);
                                (-d2).exp()
                            })
                            .sum();
                        let v = match li {
                            0 => 4000.0 * near * growth,
                            1 => 60.0 * near * growth,
                            2 => 2500.0 + 1800.0 * near * growth,
                            3 => near * growth,
                            _ => (12.0 * near * growth).round(),
                        };
                        if district(x, y) < 0 {
                            "0".to_string()
                        } else {
                            format!("{v:.3}")
                        }
                    })
                    .collect();
                writeln!(g, "{}", row.join(",")).unwrap();
            }
            fs::write(layers.join(format!("{layer}_{}.csv", start as usize + yi)), g).unwrap();
        }
    }

    // Time series.
    let mut cols: Vec<String> = ["month", "year", "month_of_year"].iter().map(|s| s.to_string()).collect();
    let base = [
        "talent",
        "firms",
        "patents",
        "lab_patents",
        "firm_patents",
        "rd_intensity",
        "mean_rent",
        "median_rent",
        "rent_to_income",
        "mean_commute_min",
        "children_seated",
        "children_unseated",
        "public_cost",
        "school_seats",
    ];
    cols.extend(base.iter().map(|s| s.to_string()));
    cols.extend(TIERS.iter().map(|t| format!("talent_{t}")));
    cols.extend(SECTORS.iter().map(|s| format!("firms_{s}")));
    cols.extend(LEVERS.iter().map(|l| format!("cost_{l}")));
    let mut noise = Noise(0x9E3779B97F4A7C15);
    let mut ts = cols.join(",") + "\n";
    let mut yearly_rows: Vec<Vec<f64>> = Vec::new();
    for m in 0..years * 12 {
        let t = m as f64 / 12.0;
        let talent_tiers = [60000.0 * (1.0 + 0.08 * t), 18000.0 * (1.0 + 0.12 * t), 900.0 * (1.0 + 0.2 * t)];
        let firms_sec = [2400.0 + 300.0 * t, 800.0 + 150.0 * t, 1100.0 + 40.0 * t];
        let costs = [2.0e7 + 1.0e6 * t, 3.5e7 + 4.0e6 * t, 1.2e7 + 2.0e6 * t];
        let lab = 40.0 + 6.0 * t + 5.0 * noise.next();
        let firm = 90.0 + 18.0 * t + 8.0 * noise.next();
        let rent = 3200.0 + 180.0 * t + 20.0 * noise.next();
        let children = 9000.0 + 900.0 * t;
        let seated = (7800.0 + 500.0 * t).min(children);
        let vals = [
            talent_tiers.iter().sum::<f64>(),
            firms_sec.iter().sum::<f64>(),
            lab + firm,
            lab,
            firm,
            0.031 + 0.004 * t + 0.001 * noise.next(),
            rent,
            rent * 0.93,
            0.29 + 0.015 * t,
            38.0 - 1.5 * t + 0.4 * noise.next(),
            seated,
            children - seated,
            costs.iter().sum::<f64>(),
            7800.0 + 500.0 * t,
        ];
        let mut row = vec![m as f64, (start + (m / 12) as i32) as f64, (m % 12 + 1) as f64];
        row.extend(vals);
        row.extend(talent_tiers);
        row.extend(firms_sec);
        row.extend(costs);
        let text: Vec<String> = row.iter().map(|v| format!("{v:.4}")).collect();
        ts.push_str(&text.join(","));
        ts.push('\n');
        if m % 12 == 11 {
            let mut y = row.clone();
            y.remove(0);
            y.remove(1);
            yearly_rows.push(y);
        }
    }
    fs::write(dir.join("timeseries.csv"), ts).unwrap();
    let mut ycols = cols.clone();
    ycols.remove(0);
    ycols.remove(1);
    let mut yearly = ycols.join(",") + "\n";
    for r in &yearly_rows {
        let text: Vec<String> = r.iter().map(|v| format!("{v:.4}")).collect();
        yearly.push_str(&text.join(","));
        yearly.push('\n');
    }
    fs::write(dir.join("yearly.csv"), yearly).unwrap();
    let summary = serde_json::json!({
        "scenario": "baseline", "title": "City West corridor: baseline", "start_year": start,
        "years": years, "seed": 42, "agent_scale": 0.1,
        "final_year": {"talent": 120000.0},
        "headline": ["talent", "firms", "patents", "rd_intensity", "mean_rent", "rent_to_income", "mean_commute_min", "children_unseated", "public_cost"],
        "provenance": {"scenario_toml": "[scenario]\nname = \"baseline\"\n", "hash": "3f2a9c0d", "crate_version": "0.1.0", "git_revision": null, "wall_seconds": 1.5, "threads": 2}
    });
    fs::write(dir.join("summary.json"), serde_json::to_string_pretty(&summary).unwrap()).unwrap();
}

const CMP_KPIS: [&str; 5] = ["talent", "patents", "mean_rent", "rent_to_income", "children_unseated"];

fn write_compare(dir: &Path) {
    let scenarios = ["baseline", "housing_push", "talent_push"];
    let info = serde_json::json!({
        "base": "baseline", "variants": ["housing_push", "talent_push"], "reps": 5, "seed": 7,
        "kpis": CMP_KPIS, "start_year": 2025, "years": 4
    });
    fs::write(dir.join("compare.json"), info.to_string()).unwrap();
    let mut noise = Noise(12345);
    let mut csv = String::from("scenario,replication,year,kpi,value\n");
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
    let mut finals: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); CMP_KPIS.len()]; 3];
    for (si, s) in scenarios.iter().enumerate() {
        for rep in 0..5 {
            for y in 0..4 {
                for (ki, k) in CMP_KPIS.iter().enumerate() {
                    let v = level(k, si, y as f64) * (1.0 + 0.01 * noise.next());
                    writeln!(csv, "{s},{rep},{},{k},{v:.5}", 2025 + y).unwrap();
                    if y == 3 {
                        finals[si][ki].push(v);
                    }
                }
            }
        }
    }
    fs::write(dir.join("compare.csv"), csv).unwrap();
    let mut eff = String::from("variant,kpi,base_mean,variant_mean,diff_mean,diff_ci_low,diff_ci_high,rel_change,public_cost_diff,cost_per_unit\n");
    for si in 1..3 {
        for (ki, k) in CMP_KPIS.iter().enumerate() {
            let bm = finals[0][ki].iter().sum::<f64>() / 5.0;
            let vm = finals[si][ki].iter().sum::<f64>() / 5.0;
            let d = vm - bm;
            let half = 0.012 * bm.abs();
            let cost = 1.0e8 * si as f64;
            writeln!(
                eff,
                "{},{k},{bm},{vm},{d},{},{},{},{cost},{}",
                scenarios[si],
                d - half,
                d + half,
                d / bm,
                cost / d
            )
            .unwrap();
        }
    }
    fs::write(dir.join("effects.csv"), eff).unwrap();
    fs::write(dir.join("effects.md"), "| variant |\n|---|\n").unwrap();
}

fn write_points(dir: &Path, params: &[&str], pts: &[Vec<f64>], kpis: &[&str], f: impl Fn(&[f64], &str) -> f64) {
    let mut head = vec!["point".to_string()];
    head.extend(params.iter().map(|p| p.to_string()));
    for k in kpis {
        for s in ["mean", "sd", "ci_low", "ci_high"] {
            head.push(format!("{k}_{s}"));
        }
    }
    head.push("n".into());
    let mut csv = head.join(",") + "\n";
    for (i, p) in pts.iter().enumerate() {
        let mut row = vec![i.to_string()];
        row.extend(p.iter().map(|v| v.to_string()));
        for k in kpis {
            let m = f(p, k);
            let sd = 0.02 * m.abs();
            row.extend([m, sd, m - 1.2 * sd, m + 1.2 * sd].iter().map(|v| format!("{v:.4}")));
        }
        row.push("5".into());
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    fs::write(dir.join("points.csv"), csv).unwrap();
}

fn sweep_kpi(p: &[f64], k: &str) -> f64 {
    let a = p.first().copied().unwrap_or(0.0);
    let b = p.get(1).copied().unwrap_or(0.0);
    match k {
        "talent" => 90000.0 + 20000.0 * a.min(2.0) + 0.4 * b,
        _ => 3400.0 - 300.0 * a + 0.01 * b,
    }
}

/// Sweep over one parameter, a 4x3 grid, or a one-at-a-time design with a tornado table.
fn write_sweep(dir: &Path, kind: &str) {
    let kpis = ["talent", "mean_rent"];
    match kind {
        "one" => {
            let info = serde_json::json!({"name": "elasticity", "base": "baseline", "design": "grid",
                "parameters": [{"path": "housing.supply_elasticity", "values": [0.2, 0.4, 0.6, 0.8, 1.0], "baseline": 0.6}],
                "replications": 5, "kpis": kpis, "points": 5});
            fs::write(dir.join("sweep.json"), info.to_string()).unwrap();
            let pts: Vec<Vec<f64>> = [0.2, 0.4, 0.6, 0.8, 1.0].iter().map(|v| vec![*v]).collect();
            write_points(dir, &["housing.supply_elasticity"], &pts, &kpis, sweep_kpi);
        }
        "grid" => {
            let info = serde_json::json!({"name": "subsidy-by-elasticity", "base": "baseline", "design": "grid",
                "parameters": [
                    {"path": "housing.supply_elasticity", "values": [0.3, 0.6, 0.9, 1.2], "baseline": 0.6},
                    {"path": "talent.subsidy_yuan", "values": [0, 5000, 10000], "baseline": 5000}],
                "replications": 3, "kpis": kpis, "points": 12});
            fs::write(dir.join("sweep.json"), info.to_string()).unwrap();
            let mut pts = Vec::new();
            for a in [0.3, 0.6, 0.9, 1.2] {
                for b in [0.0, 5000.0, 10000.0] {
                    pts.push(vec![a, b]);
                }
            }
            write_points(dir, &["housing.supply_elasticity", "talent.subsidy_yuan"], &pts, &kpis, sweep_kpi);
        }
        _ => {
            let params = ["housing.supply_elasticity", "talent.subsidy_yuan", "schools.build_rate"];
            let info = serde_json::json!({"name": "oat", "base": "baseline", "design": "oat",
                "parameters": [
                    {"path": params[0], "min": 0.3, "max": 1.2, "baseline": 0.6},
                    {"path": params[1], "min": 0.0, "max": 20000.0, "baseline": 5000.0},
                    {"path": params[2], "min": 0.5, "max": 2.0, "baseline": 1.0}],
                "replications": 3, "kpis": kpis, "points": 7});
            fs::write(dir.join("sweep.json"), info.to_string()).unwrap();
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
            let mut t = String::from("parameter,kpi,low,high,kpi_low,kpi_high,kpi_base\n");
            let base = [0.6, 5000.0, 1.0];
            let ranges = [(0.3, 1.2), (0.0, 20000.0), (0.5, 2.0)];
            for k in kpis {
                for (i, p) in params.iter().enumerate() {
                    let (lo, hi) = ranges[i];
                    let mut pl = base;
                    pl[i] = lo;
                    let mut ph = base;
                    ph[i] = hi;
                    let kb = sweep_kpi(&base, k);
                    let bump = if i == 2 { 0.002 * kb } else { 0.0 };
                    writeln!(t, "{p},{k},{lo},{hi},{},{},{kb}", sweep_kpi(&pl, k) - bump, sweep_kpi(&ph, k) + bump)
                        .unwrap();
                }
            }
            fs::write(dir.join("tornado.csv"), t).unwrap();
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
    assert!(!png_path.with_extension("png.tmp").exists());
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
    write_run(&dir, 12, 6, 3);
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
        "ts_public_cost",
    ] {
        assert!(pngs.iter().any(|s| s == expected), "missing {expected} in {pngs:?}");
    }
    for layer in LAYERS {
        for year in [2025, 2027] {
            let stem = format!("map_{layer}_{year}");
            assert!(pngs.contains(&stem), "missing {stem}");
        }
        assert!(!pngs.contains(&format!("map_{layer}_2026")), "only first and last year");
    }
    let map_size = map_canvas_size(12, 6, &o);
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
    let (w, h) = map_canvas_size(80, 24, &o);
    assert_eq!(w, 1200);
    assert!(h < 750 && h > 300, "a wide grid gives a wide figure, got {w}x{h}");
}

#[test]
fn chinese_labels_render() {
    let dir = scratch("run-zh");
    write_run(&dir, 12, 6, 2);
    let o = opts(Lang::Zh);
    let files = render_dir(&dir, &o).unwrap();
    assert!(files.len() >= 2 * (9 + 10));
    for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")).take(3) {
        let name = p.file_name().unwrap().to_string_lossy();
        let size = if name.starts_with("map_") { map_canvas_size(12, 6, &o) } else { (o.width, o.height) };
        check_chart(p, size);
    }
    let svg = fs::read_to_string(dir.join("charts/ts_talent_by_tier.svg")).unwrap();
    assert!(svg.contains("各层级人才数量"), "Chinese title in SVG");
    assert!(svg.contains("WenQuanYi Micro Hei"));
    let map = fs::read_to_string(dir.join("charts/map_rent_2025.svg")).unwrap();
    assert!(map.contains("紫金港") && map.contains("西湖区"), "name_zh used on maps");
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
    assert!(pngs.contains(&"effects".to_string()));
    for p in files.iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
        check_chart(p, (o.width, o.height));
    }
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
    write_run(&dir, 12, 6, 3);
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
    for needle in ["City West corridor: baseline", "3f2a9c0d", "42", "2025", "2026", "2027", "Headline indicators"] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "no external resources");
    assert!(!dir.join("report.html.tmp").exists());

    let cmp = scratch("report-compare");
    write_compare(&cmp);
    let html = fs::read_to_string(write_report(&cmp, &opts(Lang::Zh)).unwrap()).unwrap();
    assert_eq!(html.matches("<img").count(), CMP_KPIS.len() + 1);
    assert!(html.contains("housing_push") || html.contains("Housing push"));
    assert!(html.contains("末年效果"), "effects table heading");
}

#[test]
fn report_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        // CI installs Chromium (.ci/run sets CI=true): there a missing browser is a failure, not
        // a reason to pass.
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(!ci, "CI expected Chromium at /usr/bin/chromium (installed by .ci/run) and it is absent");
        eprintln!("skipped: chromium not installed (/usr/bin/chromium)");
        return;
    }
    let dir = scratch("chromium");
    write_sweep(&dir, "grid");
    let report = write_report(&dir, &opts(Lang::En)).unwrap();
    let shot = dir.join("screenshot.png");
    let profile = dir.join("profile");
    fs::create_dir_all(&profile).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,2000",
            &format!("file://{}", report.display()),
        ])
        .output()
        .expect("run chromium");
    assert!(shot.is_file(), "no screenshot; chromium said: {}", String::from_utf8_lossy(&out.stderr));
    let img = decode_png(&fs::read(&shot).unwrap());
    assert_eq!((img.w, img.h), (1200, 2000));
    assert!(luminance_variance(&img) > 100.0, "screenshot looks blank");
}

#[test]
fn missing_timeseries_is_named() {
    let dir = scratch("missing");
    write_run(&dir, 12, 6, 2);
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
    write_run(&dir, 12, 6, 1);
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
    write_run(&run, 12, 6, 1);
    fs::write(run.join("layers/rent_2025.csv"), "1,2,3\n4,5,6\n").unwrap();
    let err = render_dir(&run, &opts(Lang::En)).unwrap_err().to_string();
    assert!(err.contains("rent_2025.csv"), "{err}");

    // Not an output folder at all; bad options.
    let empty = scratch("empty");
    assert!(matches!(render_dir(&empty, &opts(Lang::En)), Err(ChartError::UnknownFolder { .. })));
    let tiny = ChartOptions { lang: Lang::En, width: 10, height: 10 };
    assert!(matches!(render_dir(&run, &tiny), Err(ChartError::Options(_))));
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
    write_run(&dir, 12, 6, 1);
    let nan_row = ["NaN"; 12].join(",");
    fs::write(dir.join("layers/rent_2025.csv"), vec![nan_row; 6].join("\n")).unwrap();
    fs::write(dir.join("timeseries.csv"), "month,year,month_of_year,talent\n").unwrap();
    let files = render_dir(&dir, &opts(Lang::En)).unwrap();
    assert!(!files.is_empty());
    chart::register_fonts().unwrap();

    // The smallest accepted canvas, in both languages, with long names.
    let small = scratch("small");
    write_run(&small, 30, 9, 2);
    let world = fs::read_to_string(small.join("world.json")).unwrap();
    fs::write(small.join("world.json"), world.replace("Future Sci-Tech City", &"Future Sci-Tech City ".repeat(8)))
        .unwrap();
    for lang in [Lang::En, Lang::Zh] {
        let (w, h) = ChartOptions::MIN_SIZE;
        let o = ChartOptions { lang, width: w, height: h };
        for p in render_dir(&small, &o).unwrap().iter().filter(|p| p.extension().is_some_and(|e| e == "png")) {
            let name = p.file_name().unwrap().to_string_lossy();
            let size = if name.starts_with("map_") { map_canvas_size(30, 9, &o) } else { (w, h) };
            check_chart(p, size);
        }
    }
    let cmp = scratch("small-compare");
    write_compare(&cmp);
    let (w, h) = ChartOptions::MIN_SIZE;
    render_dir(&cmp, &ChartOptions { lang: Lang::Zh, width: w, height: h }).unwrap();
}

/// Writes sample folders (80x24 run, compare, sweeps) with charts and reports to
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
        write_run(&run, 80, 24, 10);
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
