//! Checks the SVG that `d2l::plot` produces by parsing it with an XML parser and reading the
//! drawn elements back: bars, curves, tick labels and titles.
//! Line charts: tests/plot_lines.rs; the readers both use: tests/svg/mod.rs.

mod svg;

use d2l::plot::{Density, Hist, Series, hist, hist_grid, lines};
use d2l::rng::Generator;
use svg::*;

#[test]
fn one_bar_per_non_empty_bin_with_heights_proportional_to_counts() {
    // Bins of width 1 on [0, 9]: counts 2, 1, 0, 0, 3, 0, 0, 0, 1 (9 is in the last, closed bin).
    let fig = Hist::new(&[0.0, 0.0, 1.0, 4.0, 4.0, 4.0, 9.0], "seven")
        .bins(9)
        .plot()
        .unwrap();
    let doc = parse(&fig);
    let mut b = bars(&doc);
    b.sort_by(|p, q| p.0.total_cmp(&q.0));
    assert_eq!(b.len(), 4);
    // Each bar reaches its count on the axis the y tick labels describe.
    let y = axis_map(&y_ticks(&doc));
    for (bar, count) in b.iter().zip([2.0, 1.0, 3.0, 1.0]) {
        assert!(
            close(bar.1, y(count), 1.5),
            "{bar:?} for count {count} (at {})",
            y(count)
        );
        assert!(
            close(bar.1 + bar.3, y(0.0), 1.5),
            "{bar:?} does not start at 0"
        );
    }
    // The bars stand where the x tick labels say: bin i covers [i, i + 1].
    let x = axis_map(&x_ticks(&doc));
    for (bar, left) in b.iter().zip([0.0, 1.0, 4.0, 8.0]) {
        assert!(
            close(bar.0, x(left), 1.5),
            "bar at {} for value {left} (at {})",
            bar.0,
            x(left)
        );
        assert!(close(bar.0 + bar.2, x(left + 1.0), 1.5));
    }
}

#[test]
fn automatic_bins_follow_numpy_auto() {
    // numpy.histogram_bin_edges(numpy.arange(100), "auto") has 9 edges: 8 bins, all non-empty
    // (derived by hand in the unit tests of the binning rule).
    let v: Vec<f32> = (0..100).map(|i| i as f32).collect();
    let doc_fig = hist(&v, "0..100").unwrap();
    assert_eq!(bars(&parse(&doc_fig)).len(), 8);
}

#[test]
fn x_tick_labels_span_the_data() {
    let v = Generator::new(3).normal_f32(1000, 0.0, 0.01);
    let (min, max) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| {
        (lo.min(f64::from(x)), hi.max(f64::from(x)))
    });
    let fig = hist(&v, "normal").unwrap();
    let doc = parse(&fig);
    let ticks = x_ticks(&doc);
    assert!(ticks.len() >= 4, "only {} x tick labels", ticks.len());
    // Evenly spaced, increasing, one step apart; the data lies within one step of the labels.
    let step = ticks[1].0 - ticks[0].0;
    assert!(step > 0.0);
    for w in ticks.windows(2) {
        assert!(
            close(w[1].0 - w[0].0, step, step * 1e-6),
            "uneven ticks {ticks:?}"
        );
    }
    let (first, last) = (ticks[0].0, ticks[ticks.len() - 1].0);
    assert!(
        first - step < min && first < min + step,
        "first tick {first}, data min {min}"
    );
    assert!(
        last + step > max && last > max - step,
        "last tick {last}, data max {max}"
    );
    // The bars cover exactly [min, max] on that axis.
    let x = axis_map(&ticks);
    let b = bars(&doc);
    let left = b.iter().map(|b| b.0).fold(f64::MAX, f64::min);
    let right = b.iter().map(|b| b.0 + b.2).fold(f64::MIN, f64::max);
    assert!(close(left, x(min), 1.5), "left {left} vs {}", x(min));
    assert!(close(right, x(max), 1.5), "right {right} vs {}", x(max));
}

#[test]
fn title_and_axis_names_are_text() {
    let fig = hist(&[1.0, 2.0, 2.5], "net[0].weight").unwrap();
    let doc = parse(&fig);
    for s in ["net[0].weight", "数值", "个数"] {
        assert!(has_text(&doc, s), "missing text {s:?}");
    }
    let root = doc.root_element();
    assert_eq!((num(&root, "width"), num(&root, "height")), (640.0, 400.0));
    // A white background covers the whole figure.
    let bg = &elements(&doc, "rect")[0];
    assert_eq!(bg.attribute("fill"), Some("#FFFFFF"));
    assert_eq!((num(bg, "width"), num(bg, "height")), (640.0, 400.0));
}

#[test]
fn special_characters_in_titles_survive() {
    let title = "参数 <w & b> \"x\"";
    let fig = hist(&[1.0, 2.0], title).unwrap();
    assert!(has_text(&parse(&fig), title));
}

#[test]
fn constant_data_gives_one_bar_around_the_value() {
    let fig = hist(&[42.0; 10], "all 42").unwrap();
    let doc = parse(&fig);
    let b = bars(&doc);
    assert_eq!(b.len(), 1);
    // numpy's convention: one bin from 41.5 to 42.5.
    let x = axis_map(&x_ticks(&doc));
    assert!(close(b[0].0, x(41.5), 1.5) && close(b[0].0 + b[0].2, x(42.5), 1.5));
    let y = axis_map(&y_ticks(&doc));
    assert!(close(b[0].1, y(10.0), 1.5));
}

#[test]
fn a_single_value_gives_one_bar() {
    let fig = hist(&[-0.25], "one").unwrap();
    let doc = parse(&fig);
    assert_eq!(bars(&doc).len(), 1);
    let ticks = x_ticks(&doc);
    assert!(
        ticks[0].0 < -0.25 && ticks[ticks.len() - 1].0 > -0.25,
        "{ticks:?}"
    );
}

#[test]
fn non_finite_or_missing_values_are_errors() {
    let e = hist(&[1.0, f32::NAN, 2.0, f32::INFINITY], "w").unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot plot histogram \"w\": 2 of 4 values are not finite (NaN or infinity)"
    );
    let e = hist(&[], "w").unwrap_err();
    assert_eq!(e.to_string(), "cannot plot histogram \"w\": no values");
    let e = Hist::new(&[1.0], "w").bins(0).plot().unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot plot histogram \"w\": bins must be positive, got 0"
    );
    // In a grid, the bad panel is named.
    let e = hist_grid(&[("ok", &[1.0]), ("bad", &[f32::NEG_INFINITY])]).unwrap_err();
    assert!(
        e.to_string().starts_with("cannot plot histogram \"bad\""),
        "{e}"
    );
    assert!(hist_grid(&[]).is_err());
}

#[test]
fn extreme_values_do_not_break_the_figure() {
    let cases: [&[f32]; 6] = [
        &[f32::MAX, -f32::MAX],
        &[f32::MAX; 3],
        &[0.0, 1e-45],
        &[1e9, 1e9 + 64.0],
        &[-3e38, 0.0, 1.0],
        &[1e-30, 2e-30, 2e-30],
    ];
    for v in cases {
        let fig = hist(v, "extreme").unwrap();
        let doc = parse(&fig);
        assert!(!bars(&doc).is_empty(), "{v:?}");
    }
}

#[test]
fn density_curve_is_scaled_to_counts() {
    let v = Generator::new(1).normal_f32(1000, 0.0, 1.0);
    let (min, max) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| {
        (lo.min(f64::from(x)), hi.max(f64::from(x)))
    });
    let bins = 20;
    let fig = Hist::new(&v, "normal")
        .bins(bins)
        .density(Density::normal(0.0, 1.0))
        .plot()
        .unwrap();
    let doc = parse(&fig);
    let curve = &polylines(&doc, CURVE)[0];
    assert_eq!(curve.len(), 201);
    // At its peak the curve shows n * bin width * pdf(0) = 1000 * w / sqrt(2 pi).
    let w = (max - min) / bins as f64;
    let peak = 1000.0 * w / (2.0 * std::f64::consts::PI).sqrt();
    let y = axis_map(&y_ticks(&doc));
    let top = curve.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    assert!(
        close(top, y(peak), 1.5),
        "curve top at {top}, expected {}",
        y(peak)
    );
    // ... at x = 0.
    let x = axis_map(&x_ticks(&doc));
    let at_top = curve.iter().find(|p| p.1 == top).unwrap();
    assert!(
        close(at_top.0, x(0.0), 6.0),
        "peak at {} instead of {}",
        at_top.0,
        x(0.0)
    );
    assert!(has_text(&doc, "N(0, 1²)") && has_text(&doc, "样本（1000 个）"));
}

#[test]
fn uniform_density_is_a_flat_step() {
    let v = Generator::new(2).uniform_f32(400, -1.0, 1.0);
    let fig = Hist::new(&v, "u")
        .bins(8)
        .density(Density::uniform(-1.0, 1.0))
        .plot()
        .unwrap();
    let doc = parse(&fig);
    let curve = &polylines(&doc, CURVE)[0];
    assert_eq!(curve.len(), 6);
    let x = axis_map(&x_ticks(&doc));
    assert!(close(curve[1].0, x(-1.0), 1.5) && close(curve[4].0, x(1.0), 1.5));
    assert_eq!(curve[2].1, curve[3].1);
}

#[test]
fn bad_density_parameters_are_errors() {
    let e = Hist::new(&[1.0, 2.0], "w")
        .density(Density::normal(0.0, -1.0))
        .plot()
        .unwrap_err();
    assert!(e.to_string().contains("std positive"), "{e}");
    let e = Hist::new(&[1.0, 2.0], "w")
        .density(Density::uniform(1.0, -1.0))
        .plot()
        .unwrap_err();
    assert!(e.to_string().contains("a < b"), "{e}");
}

#[test]
fn grids_hold_every_panel() {
    let mut g = Generator::new(0);
    let data: Vec<Vec<f32>> = (0..4).map(|_| g.normal_f32(200, 0.0, 1.0)).collect();
    let panels: Vec<(&str, &[f32])> = ["a", "b", "c", "d"]
        .iter()
        .zip(&data)
        .map(|(t, d)| (*t, d.as_slice()))
        .collect();
    for n in 1..=4 {
        let fig = hist_grid(&panels[..n]).unwrap();
        let doc = parse(&fig);
        for (t, _) in &panels[..n] {
            assert!(has_text(&doc, t), "panel {t} missing from a grid of {n}");
        }
        assert_eq!(texts(&doc).iter().filter(|t| t.s == "个数").count(), n);
        let root = doc.root_element();
        let size = (num(&root, "width"), num(&root, "height"));
        let expected = match n {
            1 => (640.0, 400.0),
            2 => (840.0, 300.0),
            3 => (1260.0, 300.0),
            _ => (840.0, 600.0),
        };
        assert_eq!(size, expected, "grid of {n}");
    }
}

#[test]
fn same_input_same_svg() {
    let v = Generator::new(5).normal_f32(300, 0.0, 0.5);
    let a = Hist::new(&v, "w")
        .density(Density::normal(0.0, 0.5))
        .plot()
        .unwrap();
    let b = Hist::new(&v, "w")
        .density(Density::normal(0.0, 0.5))
        .plot()
        .unwrap();
    assert_eq!(a.svg(), b.svg());
    let s = [
        Series::new("loss", &v[..50]),
        Series::new("g", &v[50..90]).marked(),
    ];
    assert_eq!(
        lines("t", "x", "y", &s).unwrap(),
        lines("t", "x", "y", &s).unwrap()
    );
    let mut w = v.clone();
    w[0] += 1.0;
    assert_ne!(hist(&w, "w").unwrap(), hist(&v, "w").unwrap());
}

#[test]
fn save_svg_writes_the_text() {
    let fig = hist(&[1.0, 2.0, 3.0], "saved").unwrap();
    let dir = std::env::temp_dir().join(format!("d2l_plot_test_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("h.svg");
    fig.save_svg(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fig.svg());
    assert!(fig.save_svg(dir.join("missing").join("h.svg")).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bar_above_y_max_is_cut_and_labelled_with_its_count() {
    let mut v = vec![0.0f32; 900];
    v.extend((0..100).map(|i| 1.0 + i as f32 / 100.0));
    let fig = Hist::new(&v, "mass at zero")
        .bins(20)
        .y_max(40.0)
        .plot()
        .unwrap();
    let doc = parse(&fig);
    assert!(has_text(&doc, "↑ 900"), "the cut bar's count is written");
    let heights: Vec<f64> = bars(&doc).iter().map(|b| b.3).collect();
    let tallest = heights.iter().copied().fold(0.0, f64::max);
    // The cut bar reaches the top of the axis, the others (10 values each) a quarter of it.
    let flat = heights
        .iter()
        .copied()
        .filter(|h| *h < tallest)
        .fold(0.0, f64::max);
    assert!(
        close(flat / tallest, 10.0 / 40.0, 0.02),
        "{flat} / {tallest}"
    );
    let uncut = Hist::new(&v, "mass at zero").bins(20).plot().unwrap();
    assert!(!has_text(&parse(&uncut), "↑ 900"));
}

#[test]
fn a_shared_x_range_gives_every_panel_the_same_ticks() {
    let mut g = Generator::new(0);
    let (narrow, wide) = (g.normal_f32(500, 0.0, 0.1), g.normal_f32(500, 0.0, 1.0));
    let fig = Hist::grid_shared_x(&[
        Hist::new(&narrow, "narrow")
            .bins(30)
            .density(Density::normal(0.0, 0.1)),
        Hist::new(&wide, "wide")
            .bins(30)
            .density(Density::normal(0.0, 1.0)),
    ])
    .unwrap();
    let doc = parse(&fig);
    let labels: Vec<String> = texts(&doc)
        .into_iter()
        .filter(|t| t.anchor == "middle" && t.s.parse::<f64>().is_ok())
        .map(|t| t.s)
        .collect();
    let half = labels.len() / 2;
    assert!(half > 2 && labels[..half] == labels[half..], "{labels:?}");
    // Values outside a range are left out of the counts (and the legend's n).
    let hist = Hist::new(&[0.1, 0.2, 5.0], "t")
        .range(0.0, 1.0)
        .legend("n={n}");
    let fig = hist.density(Density::uniform(0.0, 1.0)).plot().unwrap();
    let doc = parse(&fig);
    assert!(has_text(&doc, "n=2"));
    assert!(Hist::new(&[5.0], "t").range(0.0, 1.0).plot().is_err());
}
