//! Training curves: [`lines`], the [`Lines`] builder and its [`Series`].

use super::{
    Area, DESC_SIZE, FONT, Figure, PALETTE, TICK_SIZE, TITLE_SIZE, draw_err, render, tick_formatter,
};
use crate::error::{Error, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Size of a line chart.
const SIZE: (u32, u32) = (640, 400);
/// Stroke widths of ordinary and of marked series.
const WIDTH: u32 = 2;
const MARKED_WIDTH: u32 = 3;
/// A marked series' dashes and the gaps between them, in pixels (plotters' dashed series).
const DASH: (u32, u32) = (9, 5);

/// One curve of a line chart: a value per step, step 0 first.
///
/// A marked series is drawn thicker and dashed, to single it out. For instance the gradient
/// norm of layers that share (tie) one parameter: they all see the same summed gradient, so
/// name them e.g. `"layer 2 (tied)"` and mark them.
///
/// ```
/// use d2l::plot::Series;
/// let s = Series::new("layer 2 (tied)", &[0.9, 0.7, 0.6]).marked();
/// assert!(s.marked);
/// assert_eq!(s.values.len(), 3);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub name: String,
    /// One value per step.
    pub values: Vec<f32>,
    /// Drawn thicker and dashed when true.
    pub marked: bool,
}

impl Series {
    /// An unmarked series.
    ///
    /// ```
    /// let s = d2l::plot::Series::new("loss", &[2.3, 1.1, 0.7]);
    /// assert_eq!((s.name.as_str(), s.marked), ("loss", false));
    /// ```
    pub fn new(name: &str, values: &[f32]) -> Self {
        Series {
            name: name.to_string(),
            values: values.to_vec(),
            marked: false,
        }
    }

    /// The same series, marked: drawn thicker and dashed.
    ///
    /// ```
    /// assert!(d2l::plot::Series::new("shared (tied)", &[1.0]).marked().marked);
    /// ```
    pub fn marked(mut self) -> Self {
        self.marked = true;
        self
    }
}

/// A line chart to draw, with options. [`lines`] is the short form.
///
/// Step `i` of every series is drawn at x = `i`. Colours follow matplotlib's default cycle, in
/// the order the series were added. Plotting fails if there is no series, if a series has no
/// values, if a value is NaN or infinite (the message names the series and the step), or, on a
/// logarithmic axis, if a value is not positive.
///
/// ```
/// use d2l::plot::{Lines, Series};
/// let loss: Vec<f32> = (0..50).map(|i| 2.0 * (-0.1 * i as f32).exp()).collect();
/// let fig = Lines::new("training loss")
///     .x_label("epoch")
///     .y_label("loss")
///     .log_y()
///     .series(Series::new("train", &loss))
///     .plot()?;
/// assert!(fig.svg().contains("training loss"));
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Lines {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series>,
    log_y: bool,
}

impl Lines {
    /// An empty chart titled `title`, with axes named 步数 (step) and 数值 (value).
    ///
    /// ```
    /// use d2l::plot::{Lines, Series};
    /// let fig = Lines::new("t").series(Series::new("a", &[1.0, 2.0])).plot()?;
    /// assert!(fig.svg().contains("步数") && fig.svg().contains("数值"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new(title: &str) -> Self {
        Lines {
            title: title.to_string(),
            x_label: "步数".to_string(),
            y_label: "数值".to_string(),
            series: Vec::new(),
            log_y: false,
        }
    }

    /// Names the x axis.
    ///
    /// ```
    /// use d2l::plot::{Lines, Series};
    /// let fig = Lines::new("t").x_label("epoch").series(Series::new("a", &[1.0, 2.0])).plot()?;
    /// assert!(fig.svg().contains("epoch"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn x_label(mut self, label: &str) -> Self {
        self.x_label = label.to_string();
        self
    }

    /// Names the y axis.
    ///
    /// ```
    /// use d2l::plot::{Lines, Series};
    /// let fig = Lines::new("t").y_label("loss").series(Series::new("a", &[1.0, 2.0])).plot()?;
    /// assert!(fig.svg().contains("loss"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn y_label(mut self, label: &str) -> Self {
        self.y_label = label.to_string();
        self
    }

    /// Adds a curve.
    ///
    /// ```
    /// use d2l::plot::{Lines, Series};
    /// let fig = Lines::new("t")
    ///     .series(Series::new("first", &[1.0, 2.0]))
    ///     .series(Series::new("second", &[2.0, 1.0]))
    ///     .plot()?;
    /// assert!(fig.svg().contains("first") && fig.svg().contains("second"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Uses a logarithmic y axis; every value must then be positive.
    ///
    /// ```
    /// use d2l::plot::{Lines, Series};
    /// let chart = Lines::new("t").log_y().series(Series::new("a", &[1.0, 0.0]));
    /// let err = chart.plot().unwrap_err();
    /// assert!(err.to_string().contains("series \"a\" is 0 at step 1"));
    /// ```
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    /// Draws the chart as a 640x400 figure with a legend.
    ///
    /// ```
    /// use d2l::plot::{Lines, Series};
    /// let err = Lines::new("diverged").series(Series::new("loss", &[1.0, f32::NAN])).plot();
    /// assert_eq!(
    ///     err.unwrap_err().to_string(),
    ///     "cannot plot \"diverged\": series \"loss\" is NaN at step 1"
    /// );
    /// ```
    pub fn plot(&self) -> Result<Figure> {
        let fail = |why: String| Error::msg(format!("cannot plot {:?}: {why}", self.title));
        if self.series.is_empty() {
            return Err(fail("no series to draw".into()));
        }
        let (mut lo, mut hi, mut steps) = (f64::INFINITY, f64::NEG_INFINITY, 0);
        for s in &self.series {
            if s.values.is_empty() {
                return Err(fail(format!("series {:?} has no values", s.name)));
            }
            for (step, &v) in s.values.iter().enumerate() {
                if !v.is_finite() || (self.log_y && v <= 0.0) {
                    let why = if v.is_finite() {
                        ", which a logarithmic y axis cannot show"
                    } else {
                        ""
                    };
                    return Err(fail(format!(
                        "series {:?} is {v} at step {step}{why}",
                        s.name
                    )));
                }
                lo = lo.min(f64::from(v));
                hi = hi.max(f64::from(v));
            }
            steps = steps.max(s.values.len());
        }
        let last = i32::try_from(steps - 1)
            .map_err(|_| fail(format!("too many steps ({steps})")))?
            .max(1);
        Ok(if self.log_y {
            let (l, h) = if lo == hi {
                (lo / 2.0, hi * 2.0)
            } else {
                let pad = (hi / lo).powf(0.05);
                (lo / pad, hi * pad)
            };
            let to_frac = |v: f64| (v / l).ln() / (h / l).ln();
            let corner = self.legend_corner(last, to_frac);
            let y = (l..h).log_scale().with_key_points(log_key_points(l, h));
            render(SIZE, |area| self.draw(area, last, y, 0, &log_tick, corner))?
        } else {
            let pad = if lo == hi {
                if lo == 0.0 { 1.0 } else { 0.1 * lo.abs() }
            } else {
                0.05 * (hi - lo)
            };
            let (l, h) = (lo - pad, hi + pad);
            let corner = self.legend_corner(last, |v| (v - l) / (h - l));
            render(SIZE, |area| {
                self.draw(area, last, l..h, 8, &tick_formatter(h - l), corner)
            })?
        })
    }

    /// The corner of the plot whose legend-sized box holds the fewest points of the curves;
    /// `to_frac` maps a value to its height in the plot, 0 at the bottom and 1 at the top.
    fn legend_corner(&self, last: i32, to_frac: impl Fn(f64) -> f64) -> SeriesLabelPosition {
        // The plot is about 550 x 300 pixels; a legend row is about 18 pixels high and its
        // width is the glyph plus about 6.5 pixels per character.
        let chars = self
            .series
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        let w = ((54.0 + 6.5 * chars as f64) / 550.0).min(1.0);
        let h = ((12.0 + 18.0 * self.series.len() as f64) / 300.0).min(1.0);
        let mut points = Vec::new();
        for s in &self.series {
            let ys: Vec<f64> = s.values.iter().map(|&v| to_frac(f64::from(v))).collect();
            for (i, pair) in ys.windows(2).enumerate() {
                // Ten points along each segment, so that sparse curves count too.
                for k in 0..10 {
                    let t = f64::from(k) / 10.0;
                    points.push((
                        (i as f64 + t) / f64::from(last),
                        pair[0] + (pair[1] - pair[0]) * t,
                    ));
                }
            }
            if let Some(&y) = ys.last() {
                points.push(((ys.len() - 1) as f64 / f64::from(last), y));
            }
        }
        let in_box = |right: bool, upper: bool| {
            points
                .iter()
                .filter(|(x, y)| {
                    (if right { *x >= 1.0 - w } else { *x <= w })
                        && (if upper { *y >= 1.0 - h } else { *y <= h })
                })
                .count()
        };
        let corners = [
            (SeriesLabelPosition::UpperRight, in_box(true, true)),
            (SeriesLabelPosition::UpperLeft, in_box(false, true)),
            (SeriesLabelPosition::LowerRight, in_box(true, false)),
            (SeriesLabelPosition::LowerLeft, in_box(false, false)),
        ];
        // The first of the emptiest corners.
        let best = corners.iter().map(|c| c.1).min().unwrap_or(0);
        corners
            .into_iter()
            .find(|c| c.1 == best)
            .map_or(SeriesLabelPosition::UpperRight, |c| c.0)
    }

    fn draw<Y>(
        &self,
        area: &Area<'_>,
        last: i32,
        y: Y,
        y_ticks: usize,
        y_fmt: &dyn Fn(&f64) -> String,
        legend: SeriesLabelPosition,
    ) -> Result<()>
    where
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, TITLE_SIZE))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(65)
            .build_cartesian_2d(0..last, y)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, TICK_SIZE))
            .x_labels(10)
            .y_labels(y_ticks)
            .light_line_style(TRANSPARENT)
            .y_label_formatter(y_fmt)
            .draw()
            .map_err(draw_err)?;
        for (i, s) in self.series.iter().enumerate() {
            let points: Vec<(i32, f64)> = s
                .values
                .iter()
                .enumerate()
                .map(|(x, &v)| (x as i32, f64::from(v)))
                .collect();
            let colour = PALETTE[i % PALETTE.len()];
            let drawn = if s.marked {
                let style = colour.stroke_width(MARKED_WIDTH);
                chart
                    .draw_series(DashedLineSeries::new(points, DASH.0, DASH.1, style))
                    .map_err(draw_err)?
                    .legend(move |(x, y)| {
                        DashedPathElement::new(vec![(x, y), (x + 24, y)], DASH.0, DASH.1, style)
                    })
            } else {
                let style = colour.stroke_width(WIDTH);
                chart
                    .draw_series(std::iter::once(PathElement::new(points, style)))
                    .map_err(draw_err)?
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style))
            };
            drawn.label(s.name.as_str());
        }
        chart
            .configure_series_labels()
            .position(legend)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, TICK_SIZE))
            .draw()
            .map_err(draw_err)?;
        Ok(())
    }
}

/// A line chart of `series` with a title and axis names; see [`Lines`] for the details and the
/// errors.
///
/// ```
/// use d2l::plot::{lines, Series};
/// let loss = [2.3, 1.2, 0.8, 0.6, 0.5];
/// let grad = [1.5, 0.9, 0.5, 0.4, 0.3];
/// let fig = lines(
///     "training",
///     "step",
///     "value",
///     &[Series::new("loss", &loss), Series::new("layer 0 (tied)", &grad).marked()],
/// )?;
/// assert!(fig.svg().contains("layer 0 (tied)"));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn lines(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> Result<Figure> {
    Lines {
        title: title.to_string(),
        x_label: x_label.to_string(),
        y_label: y_label.to_string(),
        series: series.to_vec(),
        log_y: false,
    }
    .plot()
}

/// A label for a logarithmic-axis grid line: only at 1, 2 and 5 times a power of ten.
fn log_tick(v: &f64) -> String {
    // The small shift keeps 1e-5 computed as 9.999999999999999e-6 in its own decade.
    let exponent = (v.log10() + 1e-9).floor() as i32;
    let mantissa = v / 10f64.powi(exponent);
    if ![1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6) {
        String::new()
    } else if (-4..7).contains(&exponent) {
        format!("{:.*}", (-exponent).max(0) as usize, v)
    } else {
        format!("{v:.0e}")
    }
}

/// `m` times ten to the `d`, rounded once (so 3e-1 is 0.3, not 0.30000000000000004).
fn scale(m: f64, d: i32) -> f64 {
    if d >= 0 {
        m * 10f64.powi(d)
    } else {
        m / 10f64.powi(-d)
    }
}

/// Grid lines of a logarithmic axis from `lo` to `hi`: at 1, 2, ..., 9 times each power of ten
/// when the axis spans at most three and a half decades, otherwise at (every few) powers of ten.
fn log_key_points(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = last - first;
    let (mantissas, every): (&[f64], i32) = if (hi / lo).log10() <= 3.5 {
        (&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], 1)
    } else {
        (&[1.0], (decades + 7) / 8)
    };
    (first..=last)
        .filter(|d| (d - first) % every == 0)
        .flat_map(|d| mantissas.iter().map(move |m| scale(*m, d)))
        .filter(|v| (lo..=hi).contains(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_grid_lines_and_labels() {
        assert_eq!(
            log_key_points(0.15, 3.0),
            [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.0, 3.0]
        );
        let labels: Vec<String> = log_key_points(0.15, 3.0).iter().map(log_tick).collect();
        assert_eq!(labels, ["0.2", "", "", "0.5", "", "", "", "", "1", "2", ""]);
        // Eight decades: powers of ten only.
        assert_eq!(
            log_key_points(1e-6, 50.0),
            [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
        );
        assert_eq!(log_tick(&1e-5), "1e-5");
        assert_eq!(log_tick(&5e7), "5e7");
        assert_eq!(log_tick(&2000.0), "2000");
    }
}
