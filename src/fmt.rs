//! PyTorch-style printing of tensors: the exact text of `repr(t)` in PyTorch 2.x.
//!
//! The rules are PyTorch's default print options:
//!
//! * precision 4, lines of at most 80 characters, continuation lines indented to line up
//!   under the first `[`;
//! * one formatter for the whole tensor, chosen from the values it shows: integer-valued
//!   floats print as `1.`, other floats in fixed notation (`0.5000`), and scientific
//!   notation (`1.0000e-05`) when the largest and smallest non-zero magnitudes differ by more
//!   than a factor 1000, the largest exceeds `1e8` or the smallest is below `1e-4`;
//! * every element is right-aligned to the width of the widest one;
//! * tensors with more than 1000 elements are summarised: only the first and last 3 entries
//!   of each long dimension are shown, with `...` in between;
//! * the dtype is named after the values unless it is `float32`, `int64` or `bool`, and the
//!   caller's suffixes (`requires_grad=True`, `grad_fn=<...>`) follow it, each moving to a new
//!   line when it would push the last line past 80 characters.
//!
//! ```
//! use candle_core::{Device, Tensor};
//! use d2l::fmt::{tensor_repr, ReprOptions};
//!
//! let t = Tensor::new(&[[0.5f32, -1.25], [3.0, 100.0]], &Device::Cpu).unwrap();
//! assert_eq!(
//!     tensor_repr(&t, &ReprOptions::default()),
//!     "tensor([[  0.5000,  -1.2500],\n        [  3.0000, 100.0000]])"
//! );
//! ```

use crate::pyfloat::{exponent_str, non_finite_str};
use candle_core::{DType, DeviceLocation, Tensor};

pub use crate::pyfloat::float_repr;

/// Digits after the decimal point (PyTorch's `precision`).
const PRECISION: usize = 4;
/// More elements than this and the tensor is summarised (PyTorch's `threshold`).
const THRESHOLD: usize = 1000;
/// Entries kept at each end of a summarised dimension (PyTorch's `edgeitems`).
const EDGEITEMS: usize = 3;
/// Target line width (PyTorch's `linewidth`).
const LINEWIDTH: usize = 80;
/// What every printed tensor starts with; its length is the indentation of later lines.
const PREFIX: &str = "tensor(";

/// How to print a tensor beyond its values.
///
/// ```
/// use d2l::fmt::ReprOptions;
///
/// let o = ReprOptions::default();
/// assert!(!o.is_bool && o.suffixes.is_empty());
///
/// let grad = ReprOptions { is_bool: false, suffixes: vec!["requires_grad=True".into()] };
/// assert_eq!(grad.suffixes.len(), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReprOptions {
    /// The tensor holds booleans (candle stores them as `u8`): print `True`/`False` and no
    /// dtype suffix (except for an empty tensor, where PyTorch writes `dtype=torch.bool`).
    pub is_bool: bool,
    /// Extra suffixes such as `requires_grad=True` or `grad_fn=<AddmmBackward0>`, already
    /// formatted; they are printed after the dtype suffix, in this order.
    pub suffixes: Vec<String>,
}

/// The text of `repr(t)` (equal to `str(t)`) in PyTorch: `tensor([...])` with its suffixes.
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use d2l::fmt::{tensor_repr, ReprOptions};
///
/// let dev = Device::Cpu;
/// let plain = ReprOptions::default();
/// let t = Tensor::new(&[1f32, 2.0], &dev).unwrap();
/// assert_eq!(tensor_repr(&t, &plain), "tensor([1., 2.])");
///
/// let t = Tensor::new(&[1e-5f64, 1.0], &dev).unwrap();
/// assert_eq!(tensor_repr(&t, &plain), "tensor([1.0000e-05, 1.0000e+00], dtype=torch.float64)");
///
/// let mask = Tensor::new(&[1u8, 0], &dev).unwrap();
/// let boolean = ReprOptions { is_bool: true, suffixes: vec![] };
/// assert_eq!(tensor_repr(&mask, &boolean), "tensor([ True, False])");
///
/// let w = Tensor::zeros((0, 3), DType::F32, &dev).unwrap();
/// assert_eq!(tensor_repr(&w, &plain), "tensor([], size=(0, 3))");
///
/// let b = Tensor::new(0.5f32, &dev).unwrap();
/// let grad = ReprOptions { is_bool: false, suffixes: vec!["requires_grad=True".into()] };
/// assert_eq!(tensor_repr(&b, &grad), "tensor(0.5000, requires_grad=True)");
/// ```
pub fn tensor_repr(t: &Tensor, opts: &ReprOptions) -> String {
    let dims = t.dims();
    let numel: usize = dims.iter().product();
    let dtype = format!("dtype={}", dtype_name(t.dtype(), opts.is_bool));
    let size = format!("size={}", tuple_repr(dims));
    let mut suffixes: Vec<String> = device_suffix(t).into_iter().collect();
    let values = if numel == 0 {
        None
    } else {
        // Values candle cannot convert (its 4- and 6-bit float types and float8 e8m0) are
        // printed the way PyTorch prints a tensor whose data it cannot show.
        read_values(t, opts.is_bool).ok()
    };
    let body = match values {
        Some(values) => {
            if !opts.is_bool && !matches!(t.dtype(), DType::F32 | DType::I64) {
                suffixes.push(dtype);
            }
            Layout::new(dims, &values).body()
        }
        None => {
            // An empty tensor shows its shape unless it is `(0,)`; with no values to tell
            // integers from floats, its dtype appears unless it is the default float32.
            if numel != 0 || dims.len() != 1 {
                suffixes.push(size);
            }
            if opts.is_bool || t.dtype() != DType::F32 {
                suffixes.push(dtype);
            }
            if numel == 0 { "[]" } else { "..." }.to_string()
        }
    };
    suffixes.extend(opts.suffixes.iter().cloned());
    add_suffixes(format!("{PREFIX}{body}"), &suffixes)
}

/// The text PyTorch prints for a shape: `torch.Size([8, 4])`.
///
/// ```
/// assert_eq!(d2l::fmt::size_repr(&[8, 4]), "torch.Size([8, 4])");
/// assert_eq!(d2l::fmt::size_repr(&[]), "torch.Size([])");
/// ```
pub fn size_repr(dims: &[usize]) -> String {
    let dims: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("torch.Size([{}])", dims.join(", "))
}

/// Python's `str(tuple(shape))`: `(0, 3)`, `(5,)`, `()`.
fn tuple_repr(dims: &[usize]) -> String {
    match dims {
        [d] => format!("({d},)"),
        _ => {
            let dims: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// PyTorch's name for the dtype that matches a candle dtype.
fn dtype_name(dtype: DType, is_bool: bool) -> String {
    let name = match dtype {
        _ if is_bool => "torch.bool",
        DType::U8 => "torch.uint8",
        DType::U32 => "torch.uint32",
        DType::I16 => "torch.int16",
        DType::I32 => "torch.int32",
        DType::I64 => "torch.int64",
        DType::BF16 => "torch.bfloat16",
        DType::F16 => "torch.float16",
        DType::F32 => "torch.float32",
        DType::F64 => "torch.float64",
        DType::F8E4M3 => "torch.float8_e4m3fn",
        DType::F8E8M0 => "torch.float8_e8m0fnu",
        // No PyTorch counterpart: use candle's own name.
        other => return other.as_str().to_string(),
    };
    name.to_string()
}

/// PyTorch names the device of any tensor that is not on the CPU.
fn device_suffix(t: &Tensor) -> Option<String> {
    match t.device().location() {
        DeviceLocation::Cpu => None,
        DeviceLocation::Cuda { gpu_id } => Some(format!("device='cuda:{gpu_id}'")),
        DeviceLocation::Metal { gpu_id } => Some(format!("device='mps:{gpu_id}'")),
    }
}

/// Appends the suffixes and the closing parenthesis, wrapping as PyTorch's `_add_suffixes`.
///
/// PyTorch measures the last line as its length plus 2 (the `+ 1` in its formula applied to
/// the position of the last newline), and a suffix moves to a new line when that measure
/// plus `", "` and the suffix exceeds the line width.
fn add_suffixes(mut text: String, suffixes: &[String]) -> String {
    let indent = PREFIX.len();
    let last_line = match text.rfind('\n') {
        Some(pos) => &text[pos + 1..],
        None => text.as_str(),
    };
    let mut last_line_len = last_line.chars().count() + 2;
    for suffix in suffixes {
        let len = suffix.chars().count();
        if last_line_len + len + 2 > LINEWIDTH {
            text.push_str(",\n");
            text.push_str(&" ".repeat(indent));
            last_line_len = indent + len;
        } else {
            text.push_str(", ");
            last_line_len += len + 2;
        }
        text.push_str(suffix);
    }
    text.push(')');
    text
}

/// The elements of a tensor in row-major order, as Python would see them after `tolist()`.
enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<bool>),
}

fn read_values(t: &Tensor, is_bool: bool) -> candle_core::Result<Values> {
    let flat = t.flatten_all()?;
    let values = match t.dtype() {
        DType::U8 => Values::Int(flat.to_vec1::<u8>()?.into_iter().map(i64::from).collect()),
        DType::U32 => Values::Int(flat.to_vec1::<u32>()?.into_iter().map(i64::from).collect()),
        DType::I16 => Values::Int(flat.to_vec1::<i16>()?.into_iter().map(i64::from).collect()),
        DType::I32 => Values::Int(flat.to_vec1::<i32>()?.into_iter().map(i64::from).collect()),
        DType::I64 => Values::Int(flat.to_vec1::<i64>()?),
        DType::F64 => Values::Float(flat.to_vec1::<f64>()?),
        // The narrower floats widen exactly to f32 and then to f64, as Python's `float`
        // does. (Going through f32 also avoids candle 0.11.1's direct f8 -> f64 cast,
        // which overflows the stack.)
        _ => Values::Float(
            flat.to_dtype(DType::F32)?
                .to_vec1::<f32>()?
                .into_iter()
                .map(f64::from)
                .collect(),
        ),
    };
    Ok(match values {
        Values::Int(v) if is_bool => Values::Bool(v.into_iter().map(|x| x != 0).collect()),
        Values::Float(v) if is_bool => Values::Bool(v.into_iter().map(|x| x != 0.0).collect()),
        other => other,
    })
}

/// How every element is written, chosen once per tensor like PyTorch's `_Formatter`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Style {
    /// Integer and boolean dtypes: Python's `str` of the value.
    Plain,
    /// Floats that are all integers: `3.` (non-finite values get no dot).
    IntegerFloat,
    /// Floats in fixed notation with 4 decimals: `0.5000`.
    Fixed,
    /// Floats in scientific notation with 4 decimals: `1.0000e-05`.
    Scientific,
}

struct Formatter {
    style: Style,
    width: usize,
}

impl Formatter {
    /// Chooses the style and the column width from the elements that will be shown.
    fn new(values: &Values, shown: &[usize]) -> Self {
        let floats = match values {
            Values::Float(v) => v,
            _ => {
                let width = shown
                    .iter()
                    .map(|&i| plain(values, i).len())
                    .fold(1, usize::max);
                return Formatter {
                    style: Style::Plain,
                    width,
                };
            }
        };
        let nonzero_finite: Vec<f64> = shown
            .iter()
            .map(|&i| floats[i])
            .filter(|x| x.is_finite() && *x != 0.0)
            .collect();
        if nonzero_finite.is_empty() {
            return Formatter {
                style: Style::IntegerFloat,
                width: 1,
            };
        }
        let integral = nonzero_finite.iter().all(|x| *x == x.ceil());
        let max = nonzero_finite.iter().map(|x| x.abs()).fold(0.0, f64::max);
        let min = nonzero_finite
            .iter()
            .map(|x| x.abs())
            .fold(f64::INFINITY, f64::min);
        let scientific = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
        let style = match (scientific, integral) {
            (true, _) => Style::Scientific,
            (false, true) => Style::IntegerFloat,
            (false, false) => Style::Fixed,
        };
        let width = nonzero_finite
            .iter()
            .map(|&x| match style {
                // The dot is not part of the measured text, so PyTorch adds one for it.
                Style::IntegerFloat => format!("{x:.0}").len() + 1,
                Style::Scientific => scientific_str(x).len(),
                _ => format!("{x:.PRECISION$}").len(),
            })
            .fold(1, usize::max);
        Formatter { style, width }
    }

    /// The element at flat index `i`, right-aligned to the common width.
    fn format(&self, values: &Values, i: usize) -> String {
        let text = match (values, self.style) {
            (Values::Float(v), Style::Scientific) => scientific_str(v[i]),
            (Values::Float(v), Style::IntegerFloat) if v[i].is_finite() => format!("{:.0}.", v[i]),
            (Values::Float(v), Style::Fixed) if v[i].is_finite() => {
                format!("{:.PRECISION$}", v[i])
            }
            (Values::Float(v), _) => non_finite_str(v[i]),
            _ => plain(values, i),
        };
        format!(
            "{}{text}",
            " ".repeat(self.width.saturating_sub(text.len()))
        )
    }
}

/// Python's `str` of an integer or boolean element.
fn plain(values: &Values, i: usize) -> String {
    match values {
        Values::Int(v) => v[i].to_string(),
        Values::Bool(v) => if v[i] { "True" } else { "False" }.to_string(),
        Values::Float(v) => v[i].to_string(),
    }
}

/// Python's `"{:.4e}".format(x)`: like Rust's `{:.4e}` but with a signed exponent of at
/// least two digits (`1.0000e-05`, `2.5000e+10`).
fn scientific_str(x: f64) -> String {
    if !x.is_finite() {
        return non_finite_str(x);
    }
    let text = format!("{x:.PRECISION$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    format!("{mantissa}{}", exponent_str(exponent.parse().unwrap_or(0)))
}

/// The indices shown along a dimension of length `n`; `None` marks the `...` of a summary.
fn shown_rows(n: usize, summarize: bool) -> Vec<Option<usize>> {
    if summarize && n > 2 * EDGEITEMS {
        (0..EDGEITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGEITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    }
}

/// The shape of a non-empty tensor, its values, and the formatter chosen for them.
struct Layout<'a> {
    dims: &'a [usize],
    strides: Vec<usize>,
    values: &'a Values,
    summarize: bool,
    formatter: Formatter,
}

impl<'a> Layout<'a> {
    fn new(dims: &'a [usize], values: &'a Values) -> Self {
        let mut strides = vec![1; dims.len()];
        for k in (0..dims.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * dims[k + 1];
        }
        let summarize = dims.iter().product::<usize>() > THRESHOLD;
        let mut layout = Layout {
            dims,
            strides,
            values,
            summarize,
            formatter: Formatter {
                style: Style::Plain,
                width: 1,
            },
        };
        let mut shown = Vec::new();
        layout.collect_shown(0, 0, &mut shown);
        layout.formatter = Formatter::new(values, &shown);
        layout
    }

    /// The flat indices of every element that will be printed (PyTorch formats from these
    /// only, so hidden values of a summary do not affect the style or the width).
    fn collect_shown(&self, depth: usize, base: usize, out: &mut Vec<usize>) {
        if depth == self.dims.len() {
            out.push(base);
            return;
        }
        for row in shown_rows(self.dims[depth], self.summarize)
            .into_iter()
            .flatten()
        {
            self.collect_shown(depth + 1, base + row * self.strides[depth], out);
        }
    }

    /// The text between `tensor(` and the suffixes.
    fn body(&self) -> String {
        self.render(0, 0, PREFIX.len())
    }

    fn render(&self, depth: usize, base: usize, indent: usize) -> String {
        match self.dims.len() - depth {
            0 => self.formatter.format(self.values, base),
            1 => self.render_vector(depth, base, indent),
            rank => {
                let slices: Vec<String> = shown_rows(self.dims[depth], self.summarize)
                    .into_iter()
                    .map(|row| match row {
                        Some(r) => {
                            self.render(depth + 1, base + r * self.strides[depth], indent + 1)
                        }
                        None => "...".to_string(),
                    })
                    .collect();
                let separator = format!(",{}{}", "\n".repeat(rank - 1), " ".repeat(indent + 1));
                format!("[{}]", slices.join(&separator))
            }
        }
    }

    /// A 1-D row, wrapped so that each line holds as many elements as fit in the width.
    fn render_vector(&self, depth: usize, base: usize, indent: usize) -> String {
        let stride = self.strides[depth];
        let items: Vec<String> = shown_rows(self.dims[depth], self.summarize)
            .into_iter()
            .map(|row| match row {
                Some(r) => self.formatter.format(self.values, base + r * stride),
                None => " ...".to_string(),
            })
            .collect();
        // Each element takes its width plus ", "; at least one element per line.
        let per_line = (LINEWIDTH.saturating_sub(indent) / (self.formatter.width + 2)).max(1);
        let lines: Vec<String> = items.chunks(per_line).map(|c| c.join(", ")).collect();
        let separator = format!(",\n{}", " ".repeat(indent + 1));
        format!("[{}]", lines.join(&separator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn repr(t: &Tensor) -> String {
        tensor_repr(t, &ReprOptions::default())
    }

    fn with(suffixes: &[&str]) -> ReprOptions {
        ReprOptions {
            is_bool: false,
            suffixes: suffixes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn integer_valued_floats_get_a_trailing_dot() {
        let t = Tensor::new(&[[1f32, -2.0], [30.0, 0.0]], &Device::Cpu).unwrap();
        // Widest is "-2." / "30." (3 characters): every column is padded to 3.
        assert_eq!(repr(&t), "tensor([[ 1., -2.],\n        [30.,  0.]])");
    }

    #[test]
    fn fixed_notation_pads_to_the_widest_element() {
        let t = Tensor::new(&[0.5f32, -12.25, 3.0], &Device::Cpu).unwrap();
        assert_eq!(repr(&t), "tensor([  0.5000, -12.2500,   3.0000])");
    }

    #[test]
    fn scientific_when_magnitudes_span_more_than_1000() {
        let t = Tensor::new(&[0.001f64, 2.0], &Device::Cpu).unwrap();
        assert_eq!(
            repr(&t),
            "tensor([1.0000e-03, 2.0000e+00], dtype=torch.float64)"
        );
    }

    #[test]
    fn non_finite_values_do_not_choose_the_style() {
        let t = Tensor::new(&[f32::NAN, f32::INFINITY, 2.0, -0.0], &Device::Cpu).unwrap();
        assert_eq!(repr(&t), "tensor([nan, inf, 2., -0.])");
        let t = Tensor::new(&[f32::NEG_INFINITY, 0.25], &Device::Cpu).unwrap();
        assert_eq!(repr(&t), "tensor([  -inf, 0.2500])");
    }

    #[test]
    fn scalars_and_empty_tensors() {
        let dev = Device::Cpu;
        assert_eq!(repr(&Tensor::new(7i64, &dev).unwrap()), "tensor(7)");
        assert_eq!(repr(&Tensor::new(3f32, &dev).unwrap()), "tensor(3.)");
        let e = Tensor::zeros(0, DType::F32, &dev).unwrap();
        assert_eq!(repr(&e), "tensor([])");
        let e = Tensor::zeros((2, 0), DType::I64, &dev).unwrap();
        assert_eq!(repr(&e), "tensor([], size=(2, 0), dtype=torch.int64)");
    }

    #[test]
    fn integer_dtypes() {
        let t = Tensor::new(&[3u8, 255], &Device::Cpu).unwrap();
        assert_eq!(repr(&t), "tensor([  3, 255], dtype=torch.uint8)");
        let bool_opts = ReprOptions {
            is_bool: true,
            suffixes: vec![],
        };
        assert_eq!(tensor_repr(&t, &bool_opts), "tensor([True, True])");
    }

    #[test]
    fn three_dimensional_blocks_are_separated_by_a_blank_line() {
        let t = Tensor::arange(0i64, 8, &Device::Cpu)
            .unwrap()
            .reshape((2, 2, 2))
            .unwrap();
        assert_eq!(
            repr(&t),
            "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])"
        );
    }

    #[test]
    fn long_rows_wrap_under_the_first_bracket() {
        // 20 elements of width 2 take 4 characters each: (80 - 7) / 4 = 18 per line.
        let t = Tensor::arange(0i64, 20, &Device::Cpu).unwrap();
        let first: Vec<String> = (0..18).map(|i| format!("{i:2}")).collect();
        let expected = format!("tensor([{},\n        18, 19])", first.join(", "));
        assert_eq!(repr(&t), expected);
    }

    #[test]
    fn large_tensors_are_summarised() {
        let t = Tensor::arange(0i64, 1001, &Device::Cpu).unwrap();
        assert_eq!(
            repr(&t),
            "tensor([   0,    1,    2,  ...,  998,  999, 1000])"
        );
    }

    #[test]
    fn suffixes_follow_the_dtype_and_wrap_past_80_columns() {
        let t = Tensor::new(&[1f64, 2.0], &Device::Cpu).unwrap();
        assert_eq!(
            tensor_repr(&t, &with(&["requires_grad=True"])),
            "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"
        );
        // "tensor([1., 2.]" is 15 characters, measured as 15 + 2; a 61-character suffix
        // gives 17 + 2 + 61 = 80, which still fits, one more does not.
        let fits = "x".repeat(61);
        let t = Tensor::new(&[1f32, 2.0], &Device::Cpu).unwrap();
        assert_eq!(
            tensor_repr(&t, &with(&[&fits])),
            format!("tensor([1., 2.], {fits})")
        );
        let long = "x".repeat(62);
        assert_eq!(
            tensor_repr(&t, &with(&[&long])),
            format!("tensor([1., 2.],\n       {long})")
        );
    }

    #[test]
    fn non_contiguous_tensors_print_in_logical_order() {
        let t = Tensor::new(&[[1f32, 2.0, 3.0], [4.0, 5.0, 6.0]], &Device::Cpu).unwrap();
        assert_eq!(
            repr(&t.t().unwrap()),
            "tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])"
        );
        assert_eq!(
            repr(&t.narrow(1, 1, 2).unwrap()),
            "tensor([[2., 3.],\n        [5., 6.]])"
        );
    }

    #[test]
    fn unreadable_values_print_like_a_tensor_without_data() {
        // candle can store float8_e8m0fnu but cannot convert it to any other dtype.
        let t = Tensor::from_raw_buffer(&[127u8, 128], DType::F8E8M0, &[2], &Device::Cpu).unwrap();
        assert_eq!(
            tensor_repr(&t, &with(&["requires_grad=True"])),
            "tensor(..., size=(2,), dtype=torch.float8_e8m0fnu, requires_grad=True)"
        );
    }

    #[test]
    fn python_style_exponents() {
        assert_eq!(scientific_str(1e-5), "1.0000e-05");
        assert_eq!(scientific_str(-2.5e10), "-2.5000e+10");
        assert_eq!(scientific_str(1e100), "1.0000e+100");
        assert_eq!(scientific_str(0.0), "0.0000e+00");
    }

    #[test]
    fn shapes() {
        assert_eq!(size_repr(&[8, 4]), "torch.Size([8, 4])");
        assert_eq!(tuple_repr(&[5]), "(5,)");
        assert_eq!(tuple_repr(&[0, 3]), "(0, 3)");
    }
}
