//! Reshaping and reductions: `reshape`, `sum`, `mean`, `item`, with PyTorch's error texts.

use super::Tensor;
use crate::error::{Result, bail};
use candle_core::{DType, Shape};

/// `[5, 2]`: a shape as PyTorch writes it in its messages.
pub(crate) fn bracketed(dims: &[usize]) -> String {
    let inner: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("[{}]", inner.join(", "))
}

/// PyTorch's name of a dtype in messages such as `mean()`'s (`Long`, `Float`, ...).
pub(crate) fn scalar_type_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::I64 => "Long",
        DType::U8 => "Byte",
        DType::U32 => "UInt32",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        _ => "Unknown",
    }
}

impl Tensor {
    /// The same values in another shape.
    ///
    /// ```
    /// let a = d2l::Tensor::zeros(6)?;
    /// assert_eq!(a.reshape((2, 3))?.shape(), [2, 3]);
    /// assert_eq!(
    ///     a.reshape((5, 2)).unwrap_err().to_string(),
    ///     "shape '[5, 2]' is invalid for input of size 6"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn reshape<S: Into<Shape>>(&self, shape: S) -> Result<Tensor> {
        let shape: Shape = shape.into();
        let n = self.inner.elem_count();
        if shape.elem_count() != n {
            bail!(
                "shape '{}' is invalid for input of size {n}",
                bracketed(shape.dims())
            );
        }
        let x = self.c();
        let y = if x.is_contiguous() {
            x.reshape(shape)?
        } else {
            x.contiguous()?.reshape(shape)?
        };
        Ok(Tensor::derived(y, "ViewBackward0", &[self]))
    }

    /// The sum of all elements, a 0-d tensor (an integer tensor sums to an integer).
    ///
    /// ```
    /// let t = d2l::Tensor::ones((2, 2))?;
    /// assert_eq!(t.sum()?.to_string(), "tensor(4.)");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn sum(&self) -> Result<Tensor> {
        Ok(Tensor::derived(
            self.c().sum_all()?,
            "SumBackward0",
            &[self],
        ))
    }

    /// The mean of all elements, a 0-d tensor (`nan` for no elements). Only for floats, as in
    /// PyTorch.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[1f32, 2.0])?;
    /// assert_eq!(t.mean()?.to_string(), "tensor(1.5000)");
    /// assert!(d2l::Tensor::new(&[1i64])?.mean().is_err());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn mean(&self) -> Result<Tensor> {
        let x = self.c();
        if !x.dtype().is_float() {
            bail!(
                NotImplementedError,
                "mean(): could not infer output dtype. Input dtype must be either a floating \
                 point or complex dtype. Got: {}",
                scalar_type_name(x.dtype())
            );
        }
        let y = if x.elem_count() == 0 {
            // candle divides by zero elements its own way; PyTorch's 0/0 is nan.
            (x.sum_all()? * f64::NAN)?
        } else {
            x.mean_all()?
        };
        Ok(Tensor::derived(y, "MeanBackward0", &[self]))
    }

    /// The value of a one-element tensor, like `.item()`.
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::full(2.5, 1)?.item()?, 2.5);
    /// assert_eq!(
    ///     d2l::Tensor::ones(2)?.item().unwrap_err().to_string(),
    ///     "a Tensor with 2 elements cannot be converted to Scalar"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn item(&self) -> Result<f64> {
        let n = self.inner.elem_count();
        if n != 1 {
            bail!("a Tensor with {n} elements cannot be converted to Scalar");
        }
        Ok(self
            .inner
            .flatten_all()?
            .to_dtype(DType::F64)?
            .to_vec1::<f64>()?[0])
    }
}
