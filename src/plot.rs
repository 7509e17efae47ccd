//! Inline plots for notebooks: histograms of parameter values and training curves.
//!
//! Every function here returns a [`Figure`], a finished SVG document. In an evcxr notebook a
//! cell whose last value is a `Figure` shows the picture, because evcxr calls the figure's
//! [`Figure::evcxr_display`] method. Outside a notebook, [`Figure::save_svg`] writes the file
//! and [`Figure::svg`] gives the text.
//!
//! - [`hist`] draws one histogram, [`hist_grid`] several side by side (evcxr keeps only one
//!   picture per cell, so small multiples go into one figure). [`Hist`] adds options: a fixed
//!   number of bins and a theoretical [`Density`] drawn over the bars.
//! - [`lines`] draws training curves, one [`Series`] of values per line, with a legend;
//!   [`Lines`] adds a logarithmic y axis.
//!
//! Text is written as SVG `<text>` elements, so the viewer's own fonts draw it.
//!
//! ```
//! use d2l::plot;
//! let weights = d2l::rng::Generator::new(0).normal_f32(1000, 0.0, 0.01);
//! let fig = plot::hist(&weights, "weight of layer 0")?;
//! assert!(fig.svg().contains("weight of layer 0"));
//! # Ok::<(), d2l::Error>(())
//! ```

mod density;
mod hist;
mod lines;

pub use density::Density;
pub use hist::{Hist, hist, hist_grid};
pub use lines::{Lines, Series, lines};

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// A finished plot: an SVG document, shown inline by evcxr.
///
/// ```
/// let fig = d2l::plot::hist(&[1.0, 2.0, 2.0, 3.0], "four values")?;
/// assert!(fig.svg().starts_with("<svg"));
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    pub(crate) svg: String,
}

impl Figure {
    /// The SVG text of the figure.
    ///
    /// ```
    /// let fig = d2l::plot::hist(&[0.5, 1.5], "two values")?;
    /// assert!(fig.svg().trim_end().ends_with("</svg>"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Writes the SVG text to `path`.
    ///
    /// ```
    /// let fig = d2l::plot::hist(&[0.5, 1.5], "two values")?;
    /// let path = std::env::temp_dir().join("d2l_plot_save_svg_doc.svg");
    /// fig.save_svg(&path)?;
    /// assert_eq!(std::fs::read_to_string(&path)?, fig.svg());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn save_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        std::fs::write(path, &self.svg)?;
        Ok(())
    }

    /// Shows the figure in an evcxr notebook.
    ///
    /// evcxr calls this method on the value a cell ends with; it prints the SVG between the
    /// markers evcxr looks for on standard output.
    ///
    /// ```
    /// let fig = d2l::plot::hist(&[0.5, 1.5], "two values")?;
    /// fig.evcxr_display(); // prints "EVCXR_BEGIN_CONTENT image/svg+xml" and the SVG
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }

    /// What [`Figure::evcxr_display`] prints.
    fn evcxr_content(&self) -> String {
        format!(
            "EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT\n",
            self.svg.trim_end()
        )
    }
}

/// The font family of every label.
const FONT: &str = "sans-serif";
/// Font sizes (in plotters' units) of titles, axis names and tick labels.
const TITLE_SIZE: u32 = 20;
const DESC_SIZE: u32 = 15;
const TICK_SIZE: u32 = 12;

/// The ten colours of matplotlib's default cycle ("tab10"), used in that order.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

/// The area a chart is drawn on.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Turns a plotters failure into the crate's error.
fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::msg(format!("drawing the plot failed: {e}"))
}

/// Draws a `width` x `height` figure on a white background with `draw`.
fn render(size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> Result<()>) -> Result<Figure> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(Figure { svg })
}

/// A tick-label formatter for an axis spanning `span`: one digit finer than the tick spacing
/// needs, trailing zeros dropped, exactly "0" for a tick that is zero up to rounding, and
/// scientific notation for very large or very small numbers.
fn tick_formatter(span: f64) -> impl Fn(&f64) -> String {
    // Ticks are at least span / 20 apart.
    let step = span.abs() / 20.0;
    let decimals = if step > 0.0 && step.is_finite() {
        1 - step.log10().floor() as i32
    } else {
        6
    };
    move |v: &f64| {
        if v.abs() <= step * 1e-6 || *v == 0.0 {
            return "0".to_string();
        }
        let exponent = v.abs().log10().floor() as i32;
        if exponent < 7 && decimals <= 6 {
            trim_zeros(&format!("{:.*}", decimals.max(0) as usize, v))
        } else {
            let digits = (exponent + decimals).clamp(0, 16) as usize;
            let s = format!("{:.*e}", digits, v);
            match s.split_once('e') {
                Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa)),
                None => s,
            }
        }
    }
}

/// "0.0200" -> "0.02", "3.000" -> "3", "-0.0" -> "0"; numbers without a point stay as they are.
fn trim_zeros(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    let t = s.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evcxr_content_wraps_the_svg_in_markers() {
        let fig = Figure {
            svg: "<svg>\n</svg>\n".to_string(),
        };
        assert_eq!(
            fig.evcxr_content(),
            "EVCXR_BEGIN_CONTENT image/svg+xml\n<svg>\n</svg>\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn tick_labels_are_short_and_exact() {
        let f = tick_formatter(0.06);
        assert_eq!(f(&-0.03), "-0.03");
        assert_eq!(f(&0.020000000000000004), "0.02");
        assert_eq!(f(&1e-19), "0");
        let f = tick_formatter(500.0);
        assert_eq!(f(&200.0), "200");
        let f = tick_formatter(6e-8);
        assert_eq!(f(&2e-8), "2e-8");
        assert_eq!(f(&-2.5e-8), "-2.5e-8");
        let f = tick_formatter(6e38);
        assert_eq!(f(&(-1e38 * 3.0)), "-3e38");
        // A narrow axis far from zero keeps the digits that tell its ticks apart.
        let f = tick_formatter(60.0);
        assert_eq!(f(&1000000010.0), "1.00000001e9");
        assert_eq!(f(&999990.0), "999990");
        assert_eq!(trim_zeros("-0.000"), "0");
        assert_eq!(trim_zeros("100"), "100");
    }
}
