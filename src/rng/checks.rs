//! The argument checks PyTorch makes before it draws (`uniform_`'s range, `normal_`'s std,
//! `trunc_normal_`'s bounds), with its messages, numbers written as C++ streams write them.

use super::special::norm_cdf;

/// Formats a float64 the way C++ streams do by default (six significant digits, `%g`
/// style), which is how PyTorch writes numbers into its error messages.
pub(crate) fn cpp_double(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let strip = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", strip(mantissa), sign, exp.abs())
    } else {
        let decimals = (5 - exp) as usize;
        strip(&format!("{x:.decimals$}"))
    }
}

fn check_uniform(
    from: f64,
    to: f64,
    lowest: f64,
    max: f64,
    dtype: &str,
) -> crate::error::Result<()> {
    for (value, name) in [(from, "from"), (to, "to")] {
        if !(value >= lowest && value <= max) {
            return Err(crate::error::Error::msg(format!(
                "{name} is out of bounds for {dtype}"
            )));
        }
    }
    if from > to {
        return Err(crate::error::Error::msg(format!(
            "uniform_ expects to return a [from, to) range, but found from={} > to={}",
            cpp_double(from),
            cpp_double(to)
        )));
    }
    if to - from > max {
        let name = if dtype == "float" { "Float" } else { "Double" };
        return Err(crate::error::Error::msg(format!(
            "uniform_ expects to-from <= std::numeric_limits<{name}>::max(), but found to={} \
             and from={} which result in to-from to exceed the limit",
            cpp_double(to),
            cpp_double(from)
        )));
    }
    Ok(())
}

/// The checks `uniform_(from, to)` makes on a float32 tensor, with PyTorch's messages.
///
/// Both bounds must be finite float32 numbers, `from <= to`, and `to - from` must not
/// overflow float32.
///
/// ```
/// use d2l::rng::check_uniform_f32;
/// assert!(check_uniform_f32(-1.0, 1.0).is_ok());
/// let err = check_uniform_f32(5.0, 3.0).unwrap_err();
/// assert_eq!(err.to_string(), "uniform_ expects to return a [from, to) range, but found from=5 > to=3");
/// assert_eq!(check_uniform_f32(0.0, f64::INFINITY).unwrap_err().to_string(), "to is out of bounds for float");
/// ```
pub fn check_uniform_f32(from: f64, to: f64) -> crate::error::Result<()> {
    let max = f64::from(f32::MAX);
    check_uniform(from, to, -max, max, "float")
}

/// The checks `uniform_(from, to)` makes on a float64 tensor, with PyTorch's messages.
///
/// ```
/// use d2l::rng::check_uniform_f64;
/// assert!(check_uniform_f64(-1.0, 1.0).is_ok());
/// assert!(check_uniform_f64(1.0, -1.0).is_err());
/// assert_eq!(check_uniform_f64(f64::NAN, 1.0).unwrap_err().to_string(), "from is out of bounds for double");
/// ```
pub fn check_uniform_f64(from: f64, to: f64) -> crate::error::Result<()> {
    check_uniform(from, to, f64::MIN, f64::MAX, "double")
}

/// The check `normal_(mean, std)` makes, with PyTorch's message: `std >= 0`.
///
/// ```
/// use d2l::rng::check_normal;
/// assert!(check_normal(0.0).is_ok());
/// assert_eq!(check_normal(-1.0).unwrap_err().to_string(), "normal expects std >= 0.0, but found std -1");
/// ```
pub fn check_normal(std: f64) -> crate::error::Result<()> {
    if std >= 0.0 {
        Ok(())
    } else {
        Err(crate::error::Error::msg(format!(
            "normal expects std >= 0.0, but found std {}",
            cpp_double(std)
        )))
    }
}

/// The errors `nn.init.trunc_normal_(t, mean, std, a, b)` raises on a float32 tensor.
///
/// `std == 0` fails as PyTorch's Python code does (a division by zero); otherwise the
/// arguments go to `normal_` or `uniform_(a, b)` depending on the branch taken (see
/// [`Generator::trunc_normal_f32`]), and their checks apply.
///
/// ```
/// use d2l::rng::check_trunc_normal;
/// assert!(check_trunc_normal(0.0, 1.0, -2.0, 2.0).is_ok());
/// assert_eq!(check_trunc_normal(0.0, 0.0, -2.0, 2.0).unwrap_err().to_string(), "float division by zero");
/// assert_eq!(
///     check_trunc_normal(0.0, 1.0, 2.0, -2.0).unwrap_err().to_string(),
///     "uniform_ expects to return a [from, to) range, but found from=2 > to=-2"
/// );
/// ```
pub fn check_trunc_normal(mean: f64, std: f64, a: f64, b: f64) -> crate::error::Result<()> {
    if std == 0.0 {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::ZeroDivisionError,
            "float division by zero",
        ));
    }
    let p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std);
    if p > 0.3 {
        check_normal(std)
    } else {
        check_uniform_f32(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpp_double_matches_stream_formatting() {
        assert_eq!(cpp_double(5.0), "5");
        assert_eq!(cpp_double(-0.001), "-0.001");
        assert_eq!(cpp_double(1234567.0), "1.23457e+06");
        assert_eq!(cpp_double(1e-5), "1e-05");
        assert_eq!(cpp_double(3e38), "3e+38");
        assert_eq!(cpp_double(2.5), "2.5");
        assert_eq!(cpp_double(f64::NAN), "nan");
    }
}
