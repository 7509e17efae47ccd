//! The theoretical densities [`Density`] drawn over histograms.

use crate::error::{Error, Result};
use std::fmt;
use std::sync::Arc;

/// Number of straight pieces a density curve is drawn with.
pub(super) const CURVE_PIECES: usize = 200;

/// A theoretical probability density to draw over a histogram.
///
/// The curve is scaled to the histogram: at `x` it shows the count a bin of the histogram's
/// width would hold on average, `n * bin_width * pdf(x)`.
///
/// ```
/// use d2l::plot::{Density, Hist};
/// let w = d2l::rng::Generator::new(0).normal_f32(500, 0.0, 0.01);
/// let fig = Hist::new(&w, "normal_(std=0.01)").density(Density::normal(0.0, 0.01)).plot()?;
/// assert!(fig.svg().contains("N(0, 0.01²)"));
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone)]
pub struct Density {
    kind: Kind,
    /// The legend text, when not the default one.
    name: Option<String>,
}

#[derive(Clone)]
enum Kind {
    Normal {
        mean: f64,
        std: f64,
    },
    Uniform {
        a: f64,
        b: f64,
    },
    Custom {
        label: String,
        pdf: Arc<dyn Fn(f64) -> f64 + Send + Sync>,
    },
}

impl Density {
    /// The normal density N(`mean`, `std`²), as drawn by `nn.init.normal_(mean, std)`.
    ///
    /// ```
    /// let d = d2l::plot::Density::normal(0.0, 0.01);
    /// assert_eq!(d.label(), "N(0, 0.01²)");
    /// let long = d2l::plot::Density::normal(0.0, 0.07216878364870322);
    /// assert_eq!(long.label(), "N(0, 0.07217²)");
    /// ```
    pub fn normal(mean: f64, std: f64) -> Self {
        Density {
            kind: Kind::Normal { mean, std },
            name: None,
        }
    }

    /// The uniform density on [`a`, `b`], as drawn by `nn.init.uniform_(a, b)`.
    ///
    /// ```
    /// let d = d2l::plot::Density::uniform(-1.0, 1.0);
    /// assert_eq!(d.label(), "U(-1, 1)");
    /// ```
    pub fn uniform(a: f64, b: f64) -> Self {
        Density {
            kind: Kind::Uniform { a, b },
            name: None,
        }
    }

    /// Any density, given as a function of `x`, named `label` in the legend.
    ///
    /// The function must give finite, non-negative values; plotting fails otherwise.
    ///
    /// ```
    /// use d2l::plot::{Density, Hist};
    /// let laplace = Density::custom("laplace(0, 1)", |x: f64| 0.5 * (-x.abs()).exp());
    /// let fig = Hist::new(&[-1.0, 0.0, 0.5, 2.0], "samples").density(laplace).plot()?;
    /// assert!(fig.svg().contains("laplace(0, 1)"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn custom(label: &str, pdf: impl Fn(f64) -> f64 + Send + Sync + 'static) -> Self {
        Density {
            kind: Kind::Custom {
                label: label.to_string(),
                pdf: Arc::new(pdf),
            },
            name: None,
        }
    }

    /// The same density, named `label` in the legend instead of its formula (for a legend in
    /// the notebook's language, say).
    ///
    /// ```
    /// let d = d2l::plot::Density::normal(0.0, 1.0).named("标准正态分布");
    /// assert_eq!(d.label(), "标准正态分布");
    /// ```
    pub fn named(mut self, label: &str) -> Self {
        self.name = Some(label.to_string());
        self
    }

    /// The name shown in the legend.
    ///
    /// ```
    /// assert_eq!(d2l::plot::Density::custom("my pdf", |_| 1.0).label(), "my pdf");
    /// ```
    pub fn label(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match &self.kind {
            Kind::Normal { mean, std } => {
                format!("N({}, {}²)", short(*mean), short(*std))
            }
            Kind::Uniform { a, b } => format!("U({}, {})", short(*a), short(*b)),
            Kind::Custom { label, .. } => label.clone(),
        }
    }

    /// Checks the parameters.
    fn check(&self) -> Result<()> {
        match self.kind {
            Kind::Normal { mean, std } if !(mean.is_finite() && std.is_finite() && std > 0.0) => {
                Err(Error::msg(format!(
                    "density {}: mean must be finite and std positive and finite",
                    self.label()
                )))
            }
            Kind::Uniform { a, b } if !(a.is_finite() && b.is_finite() && a < b) => {
                Err(Error::msg(format!(
                    "density {}: a and b must be finite with a < b",
                    self.label()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The points of the curve `scale * pdf(x)` over `lo..=hi`.
    pub(super) fn curve(&self, lo: f64, hi: f64, scale: f64) -> Result<Vec<(f64, f64)>> {
        self.check()?;
        let xs = (0..=CURVE_PIECES).map(|i| lo + (hi - lo) * i as f64 / CURVE_PIECES as f64);
        match &self.kind {
            Kind::Normal { mean, std } => {
                let c = scale / (std * (2.0 * std::f64::consts::PI).sqrt());
                Ok(xs
                    .map(|x| (x, c * (-0.5 * ((x - mean) / std).powi(2)).exp()))
                    .collect())
            }
            // Drawn exactly: flat at 0, a vertical step up at a, flat, a step down at b.
            Kind::Uniform { a, b } => {
                let (a, b) = (*a, *b);
                if b <= lo || a >= hi {
                    return Ok(vec![(lo, 0.0), (hi, 0.0)]);
                }
                let h = scale / (b - a);
                let mut pts = Vec::with_capacity(6);
                if a > lo {
                    pts.extend([(lo, 0.0), (a, 0.0)]);
                }
                pts.extend([(a.max(lo), h), (b.min(hi), h)]);
                if b < hi {
                    pts.extend([(b, 0.0), (hi, 0.0)]);
                }
                Ok(pts)
            }
            Kind::Custom { label, pdf } => xs
                .map(|x| {
                    let p = pdf(x);
                    if p.is_finite() && p >= 0.0 {
                        Ok((x, scale * p))
                    } else {
                        Err(Error::msg(format!(
                            "density {label} is {p} at x = {x}; a density must be finite and \
                             non-negative"
                        )))
                    }
                })
                .collect(),
        }
    }
}

impl fmt::Debug for Density {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Density({})", self.label())
    }
}

/// A number with at most 4 significant digits, for legends (`0.07216878` → `0.07217`).
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_curve_peaks_at_the_expected_count() {
        // 100 values, bins of width 0.5: at the mean a bin holds 100 * 0.5 / sqrt(2 pi) = 19.95.
        let pts = Density::normal(0.0, 1.0)
            .curve(-1.0, 1.0, 100.0 * 0.5)
            .unwrap();
        let peak = pts.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!((peak - 19.947114).abs() < 1e-5, "{peak}");
        assert_eq!(pts.len(), CURVE_PIECES + 1);
    }

    #[test]
    fn uniform_curve_is_an_exact_step() {
        let pts = Density::uniform(0.0, 2.0).curve(-1.0, 3.0, 10.0).unwrap();
        assert_eq!(
            pts,
            vec![
                (-1.0, 0.0),
                (0.0, 0.0),
                (0.0, 5.0),
                (2.0, 5.0),
                (2.0, 0.0),
                (3.0, 0.0)
            ]
        );
    }

    #[test]
    fn bad_densities_are_errors() {
        assert!(Density::normal(0.0, 0.0).curve(0.0, 1.0, 1.0).is_err());
        assert!(Density::uniform(1.0, 1.0).curve(0.0, 1.0, 1.0).is_err());
        let e = Density::custom("log", f64::ln)
            .curve(-1.0, 1.0, 1.0)
            .unwrap_err();
        assert!(
            e.to_string().starts_with("density log is NaN at x = -1"),
            "{e}"
        );
    }
}
