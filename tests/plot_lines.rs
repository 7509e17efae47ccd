//! Checks the SVG of `d2l::plot`'s line charts by parsing it with an XML parser and reading the
//! drawn curves back: one point per step, marked series dashed, logarithmic axes, errors.

mod svg;

use d2l::plot::{Lines, Series, lines};
use svg::*;

#[test]
fn line_series_have_one_point_per_step_and_marked_ones_are_dashed() {
    let loss: Vec<f32> = (0..40).map(|i| 2.0 / (1.0 + i as f32)).collect();
    let grad: Vec<f32> = (0..25).map(|i| 0.5 + 0.01 * i as f32).collect();
    let tied: Vec<f32> = (0..40).map(|i| 1.0 + (i as f32 * 0.3).sin()).collect();
    let series = [
        Series::new("loss", &loss),
        Series::new("layer 0 grad norm", &grad),
        Series::new("layer 2 (tied)", &tied).marked(),
    ];
    let fig = lines("training", "step", "norm", &series).unwrap();
    let doc = parse(&fig);
    for s in [
        "training",
        "step",
        "norm",
        "loss",
        "layer 0 grad norm",
        "layer 2 (tied)",
    ] {
        assert!(has_text(&doc, s), "missing text {s:?}");
    }
    let x = axis_map(&x_ticks(&doc));
    let y = axis_map(&y_ticks(&doc));
    for (s, colour) in series.iter().zip(LINE_COLOURS).filter(|(s, _)| !s.marked) {
        let lines = polylines(&doc, colour);
        // The curve and its legend sample.
        assert_eq!(lines.len(), 2, "{}", s.name);
        let pts = &lines[0];
        assert_eq!(pts.len(), s.values.len(), "{}", s.name);
        for (i, (p, &v)) in pts.iter().zip(&s.values).enumerate() {
            assert!(
                close(p.0, x(i as f64), 1.5),
                "{} step {i}: x {}",
                s.name,
                p.0
            );
            assert!(
                close(p.1, y(f64::from(v)), 1.5),
                "{} step {i}: y {}",
                s.name,
                p.1
            );
        }
    }
    // The marked series is drawn with plotters' dashed series: runs of short polylines, every
    // point of which lies on the curve through the values, and a dashed legend sample beside
    // its name.
    let (tied, colour) = (&series[2], LINE_COLOURS[2]);
    let label = texts(&doc).into_iter().find(|t| t.s == tied.name).unwrap();
    let in_legend = |d: &Vec<(f64, f64)>| {
        d.iter()
            .all(|p| p.0 < label.x && p.0 > label.x - 45.0 && (p.1 - label.y).abs() < 15.0)
    };
    let dashes: Vec<Vec<(f64, f64)>> = elements(&doc, "polyline")
        .iter()
        .filter(|n| n.attribute("stroke") == Some(colour))
        .map(points)
        .collect();
    let (legend, curve): (Vec<_>, Vec<_>) = dashes.into_iter().partition(in_legend);
    assert!(legend.len() >= 2, "legend sample: {legend:?}");
    assert!(curve.len() >= 10, "{} dashes", curve.len());
    // The curve through the values; a dash's points are rounded to whole pixels, so each must
    // lie within a pixel and a half of one of its segments.
    let knots: Vec<(f64, f64)> = (0..tied.values.len())
        .map(|i| (x(i as f64), y(f64::from(tied.values[i]))))
        .collect();
    let on_curve = |p: &(f64, f64)| {
        knots.windows(2).any(|w| {
            let ((ax, ay), (bx, by)) = (w[0], w[1]);
            let (dx, dy) = (bx - ax, by - ay);
            let t = (((p.0 - ax) * dx + (p.1 - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            (p.0 - ax - t * dx).hypot(p.1 - ay - t * dy) <= 1.5
        })
    };
    for d in &curve {
        assert!(d.iter().all(on_curve), "a dash off the curve: {d:?}");
    }
    // From the first step to the last, with gaps: drawn and left out in the ratio 9 : 5.
    let first = curve
        .iter()
        .flatten()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min);
    let last = curve
        .iter()
        .flatten()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(
        close(first, x(0.0), 1.5) && close(last, x(39.0), 14.0),
        "{first} {last}"
    );
    let length = |d: &Vec<(f64, f64)>| {
        d.windows(2)
            .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
            .sum::<f64>()
    };
    let drawn: f64 = curve.iter().map(length).sum();
    let whole: f64 = (0..39)
        .map(|i| {
            let (a, b) = (f64::from(tied.values[i]), f64::from(tied.values[i + 1]));
            (x(i as f64 + 1.0) - x(i as f64)).hypot(y(b) - y(a))
        })
        .sum();
    assert!(
        (drawn / whole - 9.0 / 14.0).abs() < 0.1,
        "{drawn} of {whole}"
    );
    // Only plotters' own dashes: no stroke-dasharray, and the marked series is thicker.
    assert!(
        elements(&doc, "polyline")
            .iter()
            .all(|n| n.attribute("stroke-dasharray").is_none())
    );
    let width = |c: &str| {
        elements(&doc, "polyline")
            .iter()
            .find(|n| n.attribute("stroke") == Some(c))
            .map(|n| num(n, "stroke-width"))
            .unwrap()
    };
    assert!(width(LINE_COLOURS[2]) > width(LINE_COLOURS[0]));
}

#[test]
fn log_scale_places_values_by_their_logarithm() {
    let v: Vec<f32> = (0..30).map(|i| 10f32.powf(-(i as f32) / 10.0)).collect();
    let fig = Lines::new("decay")
        .log_y()
        .series(Series::new("loss", &v))
        .plot()
        .unwrap();
    let doc = parse(&fig);
    let pts = &polylines(&doc, LINE_COLOURS[0])[0];
    assert_eq!(pts.len(), 30);
    // Equal ratios, equal distances: the curve is a straight line.
    let dy = (pts[29].1 - pts[0].1) / 29.0;
    assert!(dy > 0.0);
    for w in pts.windows(2) {
        assert!(close(w[1].1 - w[0].1, dy, 1.5), "{pts:?}");
    }
    // Labels at 1, 2 and 5 times powers of ten, placed logarithmically.
    let ticks = y_ticks(&doc);
    let labels: Vec<f64> = ticks.iter().map(|t| t.0).collect();
    assert!(
        labels.contains(&0.2) && labels.contains(&0.5) && labels.contains(&1.0),
        "{labels:?}"
    );
    let at = |v: f64| ticks.iter().find(|t| t.0 == v).unwrap().1;
    assert!(close(
        at(0.2) - at(1.0),
        (at(0.2) - at(0.5)) * 5f64.ln() / 2.5f64.ln(),
        1.5
    ));
    // Values 10^(-k/10) step by a tenth of a decade: 1 -> 0.2 is 0.699 decades.
    assert!(close(at(0.2) - at(1.0), 6.99 * dy, 2.0));
}

#[test]
fn line_errors_name_the_series_and_step() {
    let e = lines("t", "x", "y", &[Series::new("loss", &[1.0, 0.5, f32::NAN])]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot plot \"t\": series \"loss\" is NaN at step 2"
    );
    let e = lines("t", "x", "y", &[Series::new("g", &[1.0, f32::INFINITY])]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot plot \"t\": series \"g\" is inf at step 1"
    );
    let e = lines("t", "x", "y", &[]).unwrap_err();
    assert_eq!(e.to_string(), "cannot plot \"t\": no series to draw");
    let e = lines("t", "x", "y", &[Series::new("empty", &[])]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot plot \"t\": series \"empty\" has no values"
    );
    let e = Lines::new("t")
        .log_y()
        .series(Series::new("g", &[1.0, -2.0]))
        .plot()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot plot \"t\": series \"g\" is -2 at step 1, which a logarithmic y axis cannot show"
    );
}

#[test]
fn short_and_flat_series_still_draw() {
    // One step: a one-point polyline (the legend sample has two).
    let fig = lines("t", "x", "y", &[Series::new("s", &[3.0])]).unwrap();
    assert!(
        polylines(&parse(&fig), LINE_COLOURS[0])
            .iter()
            .any(|p| p.len() == 1)
    );
    for values in [&[0.0f32, 0.0, 0.0][..], &[1e-20, 1.0, 1e20], &[-7.5; 3]] {
        let fig = lines("t", "x", "y", &[Series::new("s", values)]).unwrap();
        assert_eq!(
            polylines(&parse(&fig), LINE_COLOURS[0])[0].len(),
            3,
            "{values:?}"
        );
    }
    let fig = Lines::new("t")
        .log_y()
        .series(Series::new("s", &[5.0; 3]))
        .plot()
        .unwrap();
    assert_eq!(polylines(&parse(&fig), LINE_COLOURS[0])[0].len(), 3);
}
