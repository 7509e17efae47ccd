//! The special functions the generator and the init checks need, computed as PyTorch computes
//! them: `erf`, `erfinv` (float32) and the standard normal CDF.

use std::f64::consts::{PI, SQRT_2};

/// The standard normal CDF, as `trunc_normal_` computes it: `(1 + erf(x / √2)) / 2`.
pub(crate) fn norm_cdf(x: f64) -> f64 {
    (1.0 + erf(x / SQRT_2)) / 2.0
}

/// The error function erf(x), the C library's function (which PyTorch calls and Rust's
/// standard library does not expose), from the `libm` crate: musl's implementation, which
/// agrees with glibc's to within one unit in the last place (exactly on 890 of the 904
/// values `tests/rng_parity.rs` checks).
///
/// ```
/// use d2l::rng::erf;
/// assert_eq!(erf(0.0), 0.0);
/// assert!((erf(1.0) - 0.8427007929497149).abs() < 1e-15); // math.erf(1.0)
/// assert!((erf(-3.0) + 0.9999779095030014).abs() < 1e-15); // math.erf(-3.0)
/// ```
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// PyTorch's float32 inverse error function (`torch.erfinv` on a float32 CPU tensor).
///
/// The same recipe as PyTorch's: a rational first guess (one form for |y| ≤ 0.7, another
/// beyond) and two Newton steps, all in float32. It returns ±∞ at ±1 and NaN outside
/// [-1, 1]. The Newton steps need float32 `erf`, which PyTorch takes from the C library;
/// here it is [`erf`] rounded to float32. The two can differ in their last bit, which
/// moves the result by about one unit in its last place (more as |y| nears 1, where the
/// inverse grows steep).
///
/// ```
/// use d2l::rng::erfinv_f32;
/// assert_eq!(erfinv_f32(0.0), 0.0);
/// assert_eq!(erfinv_f32(1.0), f32::INFINITY);
/// assert!(erfinv_f32(1.5).is_nan());
/// assert!((erfinv_f32(0.5) - 0.4769362762044699).abs() < 1e-7); // torch.erfinv(0.5)
/// ```
pub fn erfinv_f32(y: f32) -> f32 {
    // float32 roundings of these float64 values, as in the C source.
    const A: [f64; 4] = [0.886226899, -1.645349621, 0.914624893, -0.140543331];
    const B: [f64; 4] = [-2.118377725, 1.442710462, -0.329097515, 0.012229801];
    const C: [f64; 4] = [-1.970840454, -1.624906493, 3.429567803, 1.641345311];
    const D: [f64; 2] = [3.543889200, 1.637067800];
    let (a, b, c, d) = (
        A.map(|v| v as f32),
        B.map(|v| v as f32),
        C.map(|v| v as f32),
        D.map(|v| v as f32),
    );
    let y_abs = y.abs();
    if y_abs > 1.0 || y.is_nan() {
        return f32::NAN;
    }
    if y_abs == 1.0 {
        return f32::INFINITY.copysign(y);
    }
    let mut x = if y_abs <= 0.7 {
        let z = y * y;
        let num = a[3].mul_add(z, a[2]).mul_add(z, a[1]).mul_add(z, a[0]);
        let dem = b[3].mul_add(z, b[2]).mul_add(z, b[1]);
        let dem = dem.mul_add(z, b[0]).mul_add(z, 1.0);
        y * num / dem
    } else {
        let z = (-((1.0 - y_abs) / 2.0).ln()).sqrt();
        let num = c[3].mul_add(z, c[2]).mul_add(z, c[1]).mul_add(z, c[0]);
        let dem = d[1].mul_add(z, d[0]).mul_add(z, 1.0);
        num.copysign(y) / dem
    };
    let two_over_sqrt_pi = 2.0 * (1.0 / PI.sqrt()) as f32;
    for _ in 0..2 {
        let erf_x = erf(f64::from(x)) as f32;
        x -= (erf_x - y) / (two_over_sqrt_pi * (-x * x).exp());
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_odd_and_monotone() {
        let mut prev = -1.0;
        for i in -800..=800 {
            let x = f64::from(i) / 100.0;
            let e = erf(x);
            assert_eq!(e, -erf(-x));
            assert!(e >= prev && e.abs() <= 1.0, "x = {x}");
            prev = e;
        }
    }

    #[test]
    fn erfinv_inverts_erf() {
        for i in -99..=99 {
            let y = i as f32 / 100.0;
            let x = erfinv_f32(y);
            assert!((erf(f64::from(x)) as f32 - y).abs() < 2e-7, "y = {y}");
        }
    }
}
