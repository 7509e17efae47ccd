//! Python's `repr(float)`: the text PyTorch's messages use for a number (`-1.0`, `1e-05`).
//!
//! Python writes the shortest digits that read back as the same double (as Rust does), then
//! positional notation when the decimal exponent `e` is in `-4 <= e < 16` (always with a
//! fractional part: `-1.0`), and scientific notation otherwise, with a sign and at least two
//! exponent digits (`1e-05`, `1e+16`). The non-finite names and the exponent part are the same
//! in every Python float format, so the tensor printer (`crate::fmt`) uses them too.

/// `repr(x)` for a Python float.
///
/// ```
/// use d2l::fmt::float_repr;
/// assert_eq!(float_repr(-1.0), "-1.0");
/// assert_eq!(float_repr(1e-5), "1e-05");
/// assert_eq!(float_repr(-1e16), "-1e+16");
/// assert_eq!(float_repr(1e15), "1000000000000000.0");
/// assert_eq!(float_repr(f64::NEG_INFINITY), "-inf");
/// assert_eq!(float_repr(f64::NAN), "nan");
/// ```
pub fn float_repr(x: f64) -> String {
    if !x.is_finite() {
        return non_finite_str(x);
    }
    // `{:e}` gives the shortest round-trip digits: "-1.5e-7", "1e16", "0e0".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let (int, frac) = if point <= 0 {
            (
                "0".to_string(),
                format!("{}{digits}", "0".repeat((-point) as usize)),
            )
        } else if point as usize >= digits.len() {
            let pad = "0".repeat(point as usize - digits.len());
            (format!("{digits}{pad}"), String::new())
        } else {
            let (a, b) = digits.split_at(point as usize);
            (a.to_string(), b.to_string())
        };
        let frac = if frac.is_empty() {
            "0".to_string()
        } else {
            frac
        };
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}{mantissa}{}", exponent_str(exp))
    }
}

/// Python's text for `nan`, `inf` and `-inf` in any float format.
pub(crate) fn non_finite_str(x: f64) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

/// Python's exponent part: `e`, a sign, at least two digits (`e-05`, `e+16`, `e+100`).
pub(crate) fn exponent_str(exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("e{sign}{:02}", exp.unsigned_abs())
}

#[cfg(test)]
mod tests {
    use super::float_repr;

    #[test]
    fn positional_and_scientific_forms_are_pythons() {
        for (x, want) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (-123456.75, "-123456.75"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (-9.5367431640625e-07, "-9.5367431640625e-07"),
            (-3e-300, "-3e-300"),
            (1e22, "1e+22"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (100.0, "100.0"),
        ] {
            assert_eq!(float_repr(x), want, "{x:e}");
        }
    }
}
