//! Histograms: [`hist`], [`hist_grid`] and the [`Hist`] builder with an optional [`Density`].

use super::density::Density;
use super::{
    Area, DESC_SIZE, FONT, Figure, PALETTE, TICK_SIZE, TITLE_SIZE, draw_err, render, tick_formatter,
};
use crate::error::{Error, Result};
use plotters::prelude::*;

/// The automatic rule never makes more bins than this.
const MAX_AUTO_BINS: usize = 100;
/// A bin count asked for explicitly may not exceed this.
const MAX_BINS: usize = 10_000;
/// Size of a figure with one histogram, and of one panel in a grid.
const SINGLE_SIZE: (u32, u32) = (640, 400);
const PANEL_SIZE: (u32, u32) = (420, 300);

/// A histogram to draw, with options. [`hist`] is the short form of `Hist::new(..).plot()`.
///
/// The x axis is labelled 数值 (value) and the y axis 个数 (count), the bars' legend says
/// 样本（n 个） (n samples); [`Hist::axes`] and [`Hist::legend`] change them. Unless [`Hist::bins`] says otherwise,
/// the number of bins follows numpy's `bins="auto"` rule (roughly the smaller bin width of the
/// Freedman–Diaconis and Sturges rules), capped at 100 bins. Like numpy, data whose values are
/// all equal get one bin from `v - 0.5` to `v + 0.5` (wider when `|v|` exceeds 500000).
///
/// ```
/// use d2l::plot::Hist;
/// let fig = Hist::new(&[0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0], "seven values").bins(3).plot()?;
/// assert!(fig.svg().contains("seven values"));
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Hist {
    title: String,
    values: Vec<f32>,
    bins: Option<usize>,
    density: Option<Density>,
    x_label: String,
    y_label: String,
    /// The bars' legend text; `{n}` stands for the number of values.
    legend: String,
    /// The counted and shown x range, when not the data's own.
    range: Option<(f64, f64)>,
    /// The top of the y axis, when bars above it are cut off and labelled.
    y_max: Option<f64>,
}

impl Hist {
    /// A histogram of `values` titled `title`.
    ///
    /// ```
    /// let fig = d2l::plot::Hist::new(&[1.0, 2.0], "two values").plot()?;
    /// assert!(fig.svg().contains("two values"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new(values: &[f32], title: &str) -> Self {
        Hist {
            title: title.to_string(),
            values: values.to_vec(),
            bins: None,
            density: None,
            x_label: "数值".to_string(),
            y_label: "个数".to_string(),
            legend: "样本（{n} 个）".to_string(),
            range: None,
            y_max: None,
        }
    }

    /// Names the axes (by default 数值 and 个数).
    ///
    /// ```
    /// let fig = d2l::plot::Hist::new(&[1.0, 2.0], "t").axes("权重", "个数").plot()?;
    /// assert!(fig.svg().contains("权重") && fig.svg().contains("个数"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn axes(mut self, x_label: &str, y_label: &str) -> Self {
        self.x_label = x_label.to_string();
        self.y_label = y_label.to_string();
        self
    }

    /// The legend text of the bars (by default "样本（{n} 个）"); `{n}` is replaced by the
    /// number of values. The legend is drawn when there is a density or a cut-off bar.
    ///
    /// ```
    /// use d2l::plot::{Density, Hist};
    /// let h = Hist::new(&[0.1, 0.5, 0.9], "t").legend("样本（{n} 个）");
    /// let fig = h.density(Density::uniform(0.0, 1.0)).plot()?;
    /// assert!(fig.svg().contains("样本（3 个）"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn legend(mut self, text: &str) -> Self {
        self.legend = text.to_string();
        self
    }

    /// Counts and shows only `lo..=hi` (values outside are left out, as numpy's `range` does),
    /// so that histograms side by side can share one x axis and one bin width.
    ///
    /// ```
    /// use d2l::plot::Hist;
    /// assert!(Hist::new(&[0.2, 0.4], "t").range(-1.0, 1.0).plot().is_ok());
    /// assert!(Hist::new(&[0.2, 0.4], "t").range(1.0, 1.0).plot().is_err());
    /// ```
    pub fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }

    /// Ends the y axis at `top`: a bar that is taller is cut off there and labelled with its
    /// count, so that one tall bar (a mass at a single value) does not flatten the rest.
    ///
    /// ```
    /// use d2l::plot::Hist;
    /// let mut v = vec![0.0f32; 900];
    /// v.extend((0..100).map(|i| 1.0 + i as f32 / 100.0));
    /// let fig = Hist::new(&v, "t").bins(20).y_max(40.0).plot()?;
    /// assert!(fig.svg().contains("900"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn y_max(mut self, top: f64) -> Self {
        self.y_max = Some(top);
        self
    }

    /// Uses `bins` equal-width bins between the smallest and the largest value.
    ///
    /// ```
    /// use d2l::plot::Hist;
    /// assert!(Hist::new(&[1.0, 2.0], "ok").bins(4).plot().is_ok());
    /// assert!(Hist::new(&[1.0, 2.0], "no bins").bins(0).plot().is_err());
    /// ```
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = Some(bins);
        self
    }

    /// Draws `density` over the bars, scaled to counts, and adds a legend.
    ///
    /// ```
    /// use d2l::plot::{Density, Hist};
    /// let u = d2l::rng::Generator::new(0).uniform_f32(200, -1.0, 1.0);
    /// let fig = Hist::new(&u, "uniform_(-1, 1)").density(Density::uniform(-1.0, 1.0)).plot()?;
    /// assert!(fig.svg().contains("U(-1, 1)"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn density(mut self, density: Density) -> Self {
        self.density = Some(density);
        self
    }

    /// Draws the histogram as a 640x400 figure.
    ///
    /// Fails if there are no values, if a value is NaN or infinite, if the bin count is 0
    /// (or above 10000), or if the density's parameters are invalid.
    ///
    /// ```
    /// use d2l::plot::Hist;
    /// let err = Hist::new(&[1.0, f32::NAN], "w").plot().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "cannot plot histogram \"w\": 1 of 2 values are not finite (NaN or infinity)"
    /// );
    /// ```
    pub fn plot(&self) -> Result<Figure> {
        let panel = Panel::new(self)?;
        render(SINGLE_SIZE, |area| panel.draw(area))
    }

    /// Draws several histograms in one figure, side by side: one row for up to three panels,
    /// a 2x2 grid for four, rows of three beyond that.
    ///
    /// ```
    /// use d2l::plot::{Density, Hist};
    /// let mut g = d2l::rng::Generator::new(0);
    /// let fig = Hist::grid(&[
    ///     Hist::new(&g.normal_f32(300, 0.0, 1.0), "panel A").density(Density::normal(0.0, 1.0)),
    ///     Hist::new(&g.uniform_f32(300, 0.0, 1.0), "panel B").density(Density::uniform(0.0, 1.0)),
    /// ])?;
    /// assert!(fig.svg().contains("panel A") && fig.svg().contains("panel B"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn grid(panels: &[Hist]) -> Result<Figure> {
        let prepared = panels.iter().map(Panel::new).collect::<Result<Vec<_>>>()?;
        let n = prepared.len();
        if n == 0 {
            return Err(Error::msg(
                "cannot plot a histogram grid without histograms",
            ));
        }
        if n == 1 {
            return render(SINGLE_SIZE, |area| prepared[0].draw(area));
        }
        let cols = if n == 4 { 2 } else { n.min(3) };
        let rows = n.div_ceil(cols);
        let size = (PANEL_SIZE.0 * cols as u32, PANEL_SIZE.1 * rows as u32);
        render(size, |area| {
            for (panel, cell) in prepared.iter().zip(area.split_evenly((rows, cols))) {
                panel.draw(&cell)?;
            }
            Ok(())
        })
    }
}

impl Hist {
    /// [`Hist::grid`] with one x range for all panels (from the smallest to the largest value
    /// of any of them, unless a panel has its own [`Hist::range`]): with the same number of
    /// bins, every panel then has the same bin width, so the shapes can be compared.
    ///
    /// ```
    /// use d2l::plot::Hist;
    /// let mut g = d2l::rng::Generator::new(0);
    /// let (narrow, wide) = (g.normal_f32(300, 0.0, 0.1), g.normal_f32(300, 0.0, 1.0));
    /// let fig = Hist::grid_shared_x(&[
    ///     Hist::new(&narrow, "std 0.1").bins(30),
    ///     Hist::new(&wide, "std 1").bins(30),
    /// ])?;
    /// assert!(fig.svg().contains("std 0.1"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn grid_shared_x(panels: &[Hist]) -> Result<Figure> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for h in panels {
            let (a, b) = match h.range {
                Some(r) => r,
                None => h
                    .values
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(f64::from(v)), b.max(f64::from(v)))
                    }),
            };
            (lo, hi) = (lo.min(a), hi.max(b));
        }
        let shared: Vec<Hist> = panels
            .iter()
            .map(|h| Hist {
                range: Some((lo, hi)),
                ..h.clone()
            })
            .collect();
        Hist::grid(&shared)
    }
}

/// A histogram of `values` with title `title`; see [`Hist`] for the bins and the errors.
///
/// ```
/// let w = d2l::rng::Generator::new(0).normal_f32(1000, 0.0, 0.01);
/// let fig = d2l::plot::hist(&w, "net[0].weight")?;
/// assert!(fig.svg().contains("net[0].weight"));
/// assert!(d2l::plot::hist(&[42.0; 5], "constant").is_ok());
/// assert!(d2l::plot::hist(&[], "empty").is_err());
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn hist(values: &[f32], title: &str) -> Result<Figure> {
    Hist::new(values, title).plot()
}

/// Several histograms in one figure, one `(title, values)` pair each; see [`Hist::grid`].
///
/// ```
/// let mut g = d2l::rng::Generator::new(0);
/// let (a, b) = (g.normal_f32(100, 0.0, 1.0), g.normal_f32(100, 0.0, 2.0));
/// let fig = d2l::plot::hist_grid(&[("std 1", &a), ("std 2", &b)])?;
/// assert!(fig.svg().contains("std 1") && fig.svg().contains("std 2"));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn hist_grid(panels: &[(&str, &[f32])]) -> Result<Figure> {
    let hists: Vec<Hist> = panels
        .iter()
        .map(|(title, values)| Hist::new(values, title))
        .collect();
    Hist::grid(&hists)
}

/// A histogram with its bins counted, ready to draw.
struct Panel<'h> {
    hist: &'h Hist,
    /// The first and the last bin edge.
    lo: f64,
    hi: f64,
    counts: Vec<usize>,
    curve: Option<Vec<(f64, f64)>>,
}

impl<'h> Panel<'h> {
    fn new(hist: &'h Hist) -> Result<Self> {
        let fail =
            |why: String| Error::msg(format!("cannot plot histogram {:?}: {why}", hist.title));
        let n = hist.values.len();
        if n == 0 {
            return Err(fail("no values".into()));
        }
        let bad = hist.values.iter().filter(|v| !v.is_finite()).count();
        if bad > 0 {
            return Err(fail(format!(
                "{bad} of {n} values are not finite (NaN or infinity)"
            )));
        }
        let mut sorted: Vec<f64> = hist.values.iter().map(|&v| f64::from(v)).collect();
        sorted.sort_by(f64::total_cmp);
        if let Some((a, b)) = hist.range {
            if !(a.is_finite() && b.is_finite() && a < b) {
                return Err(fail(format!(
                    "the range must be finite with lo < hi, got {a}..{b}"
                )));
            }
            sorted.retain(|v| (a..=b).contains(v));
            if sorted.is_empty() {
                return Err(fail(format!("no values in the range {a}..{b}")));
            }
        }
        let n = sorted.len();
        let (min, max) = match hist.range {
            Some(r) => r,
            None => (sorted[0], sorted[n - 1]),
        };
        // numpy's one bin from v - 0.5 to v + 0.5 for constant data, widened for |v| > 5e5 so
        // that the edges stay distinct from v.
        let half = 0.5f64.max(min.abs() * 1e-6);
        let (lo, hi) = if min == max {
            (min - half, max + half)
        } else {
            (min, max)
        };
        let bins = match hist.bins {
            Some(0) => return Err(fail("bins must be positive, got 0".into())),
            Some(b) if b > MAX_BINS => {
                return Err(fail(format!("bins must be at most {MAX_BINS}, got {b}")));
            }
            Some(b) => b,
            None => auto_bins(&sorted),
        };
        let mut counts = vec![0; bins];
        for &v in &sorted {
            let i = ((v - lo) / (hi - lo) * bins as f64) as usize;
            counts[i.min(bins - 1)] += 1;
        }
        let curve = match &hist.density {
            Some(d) => {
                let (x0, x1) = padded(lo, hi);
                Some(
                    d.curve(x0, x1, hist.values.len() as f64 * (hi - lo) / bins as f64)
                        .map_err(|e| fail(e.to_string()))?,
                )
            }
            None => None,
        };
        Ok(Panel {
            hist,
            lo,
            hi,
            counts,
            curve,
        })
    }

    fn draw(&self, area: &Area<'_>) -> Result<()> {
        let (x0, x1) = padded(self.lo, self.hi);
        let top_count = self.counts.iter().copied().max().unwrap_or(0) as f64;
        let top_curve = self.curve.iter().flatten().map(|p| p.1).fold(0.0, f64::max);
        let top = match self.hist.y_max {
            Some(m) => m,
            None => top_count.max(top_curve).max(1.0),
        };
        let cut = self.hist.y_max.is_some() && top_count > top;
        // With a legend, leave room above the bars for it (about 60 pixels of the plot's
        // height, which is the area less the caption, the margins and the x labels).
        let legend = self.curve.is_some() || cut;
        let y1 = if legend {
            let plot_height = (f64::from(area.dim_in_pixel().1) - 100.0).max(120.0);
            top / (1.0 - 60.0 / plot_height)
        } else {
            top * 1.08
        };
        let mut chart = ChartBuilder::on(area)
            .caption(&self.hist.title, (FONT, TITLE_SIZE))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(x0..x1, 0.0..y1)
            .map_err(draw_err)?;
        let count_label = |v: &f64| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_desc(&self.hist.x_label)
            .y_desc(&self.hist.y_label)
            .axis_desc_style((FONT, DESC_SIZE))
            .label_style((FONT, TICK_SIZE))
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&tick_formatter(x1 - x0))
            .y_label_formatter(&count_label)
            .draw()
            .map_err(draw_err)?;

        let bins = self.counts.len();
        let edge = |i: usize| self.lo + (self.hi - self.lo) * i as f64 / bins as f64;
        let bars = self.counts.iter().enumerate().filter(|&(_, &c)| c > 0);
        let bar_style = ShapeStyle {
            color: PALETTE[0].to_rgba(),
            filled: true,
            stroke_width: 0,
        };
        let drawn = chart
            .draw_series(bars.clone().map(|(i, &c)| {
                Rectangle::new(
                    [(edge(i), 0.0), (edge(i + 1), (c as f64).min(top))],
                    bar_style,
                )
            }))
            .map_err(draw_err)?;
        let n = self.counts.iter().sum::<usize>().to_string();
        drawn.label(self.hist.legend.replace("{n}", &n));
        drawn.legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], bar_style));
        // Thin white outlines keep neighbouring bars apart.
        chart
            .draw_series(bars.map(|(i, &c)| {
                Rectangle::new(
                    [(edge(i), 0.0), (edge(i + 1), (c as f64).min(top))],
                    WHITE.stroke_width(1),
                )
            }))
            .map_err(draw_err)?;
        if cut {
            // A cut-off bar: a dark cap at the top of the axis and its true count beside it.
            let tall = self
                .counts
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c as f64 > top);
            for (i, &c) in tall {
                let cap = [(edge(i), top * 0.97), (edge(i + 1), top)];
                chart
                    .draw_series(std::iter::once(Rectangle::new(cap, BLACK.filled())))
                    .map_err(draw_err)?;
                let label = Text::new(
                    format!("↑ {c}"),
                    (edge(i + 1), top * 0.93),
                    (FONT, TICK_SIZE + 2).into_font().color(&BLACK),
                );
                chart
                    .draw_series(std::iter::once(label))
                    .map_err(draw_err)?;
            }
        }

        if let (Some(curve), Some(density)) = (&self.curve, &self.hist.density) {
            let style = PALETTE[3].stroke_width(2);
            chart
                .draw_series(std::iter::once(PathElement::new(curve.clone(), style)))
                .map_err(draw_err)?
                .label(density.label())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        }
        if legend {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font((FONT, TICK_SIZE))
                .draw()
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// The shown x range: the bins plus 5% on each side.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

/// numpy's `bins="auto"` rule (as in numpy 2.4): the Freedman–Diaconis width, but no narrower
/// than half the square-root-rule width, or the Sturges width if that is smaller; turned into a
/// bin count between 1 and 100.
fn auto_bins(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let ptp = sorted[n - 1] - sorted[0];
    if ptp == 0.0 {
        return 1;
    }
    let nf = n as f64;
    let sturges = ptp / (nf.log2() + 1.0);
    let half_sqrt = ptp / nf.sqrt() / 2.0;
    let iqr = percentile(sorted, 0.75) - percentile(sorted, 0.25);
    let fd = 2.0 * iqr / nf.cbrt();
    let width = fd.max(half_sqrt).min(sturges);
    ((ptp / width).ceil() as usize).clamp(1, MAX_AUTO_BINS)
}

/// The `q`-quantile of sorted data, interpolating linearly between order statistics (numpy's
/// default method).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    match sorted.get(i + 1) {
        Some(next) => sorted[i] + (next - sorted[i]) * frac,
        None => sorted[i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_bins_follow_numpy() {
        // 0, 1, ..., 99: IQR = 74.25 - 24.75 = 49.5, Freedman–Diaconis width 99 / 100^(1/3)
        // = 21.33 (above half the square-root width, 4.95), Sturges width
        // 99 / (log2(100) + 1) = 12.95; the smaller wins, ceil(99 / 12.95) = 8 bins.
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.25), 24.75);
        assert_eq!(percentile(&v, 0.75), 74.25);
        assert_eq!(auto_bins(&v), 8);
        // Five zeros and five ones: Freedman–Diaconis width 2 * 1 / 10^(1/3) = 0.93, Sturges
        // width 1 / (log2(10) + 1) = 0.23; the smaller wins, ceil(1 / 0.23) = 5 bins.
        let v: Vec<f64> = [0.0; 5].into_iter().chain([1.0; 5]).collect();
        assert_eq!(auto_bins(&v), 5);
        // IQR 0 (most values equal): Freedman–Diaconis gives width 0, raised to half the
        // square-root width 1 / sqrt(8) / 2 = 0.177, below Sturges 1 / 4; ceil(5.66) = 6 bins.
        let v = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        assert_eq!(auto_bins(&v), 6);
        assert_eq!(auto_bins(&[3.0]), 1);
        assert_eq!(auto_bins(&[3.0, 3.0]), 1);
    }

    #[test]
    fn counts_put_the_maximum_in_the_last_bin() {
        let h = Hist::new(&[0.0, 0.0, 1.0, 4.0, 4.0, 4.0, 9.0], "t").bins(9);
        let p = Panel::new(&h).unwrap();
        assert_eq!(p.counts, vec![2, 1, 0, 0, 3, 0, 0, 0, 1]);
        assert_eq!((p.lo, p.hi), (0.0, 9.0));
    }

    #[test]
    fn constant_data_gets_one_unit_bin() {
        let h = Hist::new(&[42.0; 7], "t");
        let p = Panel::new(&h).unwrap();
        assert_eq!(p.counts, vec![7]);
        assert_eq!((p.lo, p.hi), (41.5, 42.5));
    }
}
