//! PyTorch-style printing of tensors.
//!
//! (Placeholder implementation.)

use candle_core::{DType, Tensor};

/// How to print a tensor beyond its values.
///
/// ```
/// let o = d2l::fmt::ReprOptions::default();
/// assert!(!o.is_bool && o.suffixes.is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReprOptions {
    /// The tensor holds booleans (candle stores them as `u8`): print `True`/`False`.
    pub is_bool: bool,
    /// Extra suffixes such as `requires_grad=True` or `grad_fn=<AddmmBackward0>`.
    pub suffixes: Vec<String>,
}

/// The text of `repr(t)` in PyTorch: `tensor([...])` with its suffixes.
///
/// ```
/// let t = candle_core::Tensor::new(&[1f32, 2.0], &candle_core::Device::Cpu).unwrap();
/// assert_eq!(d2l::fmt::tensor_repr(&t, &Default::default()), "tensor([1., 2.])");
/// ```
pub fn tensor_repr(t: &Tensor, opts: &ReprOptions) -> String {
    let v: Vec<f64> = t
        .flatten_all()
        .and_then(|x| x.to_dtype(DType::F64))
        .and_then(|x| x.to_vec1())
        .unwrap_or_default();
    let body: Vec<String> = v
        .iter()
        .map(|x| {
            if opts.is_bool {
                if *x != 0.0 {
                    "True".into()
                } else {
                    "False".into()
                }
            } else if x.fract() == 0.0 {
                format!("{x}.")
            } else {
                format!("{x:.4}")
            }
        })
        .collect();
    let mut s = if t.rank() == 0 {
        format!("tensor({}", body.join(", "))
    } else {
        format!("tensor([{}]", body.join(", "))
    };
    for suf in &opts.suffixes {
        s.push_str(", ");
        s.push_str(suf);
    }
    s.push(')');
    s
}
