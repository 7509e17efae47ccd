//! Elementwise arithmetic and comparisons, with PyTorch's broadcasting and type promotion.
//!
//! Broadcasting aligns shapes from the right; two sizes agree when they are equal or one of
//! them is 1. The result's dtype follows `torch.result_type`: a float beats an integer, the
//! wider float wins, a tensor with dimensions outranks a 0-d tensor, which outranks a Rust
//! number (so `int_tensor + 1.5` is float32 and `float64_tensor + 2` stays float64), and true
//! division of integers gives float32.

use super::Tensor;
use crate::error::{Result, bail};
use candle_core::DType;

/// The right-hand side of an arithmetic or comparison op: a tensor or a number.
///
/// ```
/// use d2l::{Tensor, tensor::Rhs};
/// let r: Rhs = 2.0.into();
/// assert!(matches!(r, Rhs::Scalar(_)));
/// let r: Rhs = 2.into();
/// assert!(matches!(r, Rhs::Int(2)));
/// ```
pub enum Rhs<'a> {
    /// Another tensor (broadcast against the left-hand side).
    Tensor(&'a Tensor),
    /// A floating-point number (Python's `float`).
    Scalar(f64),
    /// An integer (Python's `int`): an integer tensor stays an integer tensor.
    Int(i64),
}

impl<'a> From<&'a Tensor> for Rhs<'a> {
    fn from(t: &'a Tensor) -> Self {
        Rhs::Tensor(t)
    }
}
impl From<f64> for Rhs<'_> {
    fn from(v: f64) -> Self {
        Rhs::Scalar(v)
    }
}
impl From<f32> for Rhs<'_> {
    fn from(v: f32) -> Self {
        Rhs::Scalar(v as f64)
    }
}
impl From<i32> for Rhs<'_> {
    fn from(v: i32) -> Self {
        Rhs::Int(v as i64)
    }
}
impl From<i64> for Rhs<'_> {
    fn from(v: i64) -> Self {
        Rhs::Int(v)
    }
}

/// bool < integer < float, PyTorch's promotion categories.
fn category(dtype: DType, is_bool: bool) -> u8 {
    if is_bool {
        0
    } else if dtype.is_float() {
        2
    } else {
        1
    }
}

/// The wider of two dtypes of one category.
fn wider(a: DType, b: DType) -> DType {
    let rank = |d: DType| match d {
        DType::U8 => 0,
        DType::U32 => 1,
        DType::I64 => 2,
        DType::F16 | DType::BF16 => 3,
        DType::F32 => 4,
        DType::F64 => 5,
        _ => 4,
    };
    match (a, b) {
        // float16 with bfloat16 has no exact common type narrower than float32.
        (DType::F16, DType::BF16) | (DType::BF16, DType::F16) => DType::F32,
        _ if rank(b) > rank(a) => b,
        _ => a,
    }
}

/// One operand as `torch.result_type` sees it: its dtype, whether it is a boolean mask, and
/// its priority (2: a tensor with dimensions, 1: a 0-d tensor, 0: a number).
#[derive(Clone, Copy)]
struct Operand {
    dtype: DType,
    is_bool: bool,
    priority: u8,
}

fn operand(t: &Tensor) -> Operand {
    Operand {
        dtype: t.inner.dtype(),
        is_bool: t.is_bool,
        priority: if t.inner.rank() == 0 { 1 } else { 2 },
    }
}

/// PyTorch's result dtype of a binary op, and whether the result is boolean.
fn result_type(a: Operand, b: Operand) -> (DType, bool) {
    let (hi, lo) = if b.priority > a.priority {
        (b, a)
    } else {
        (a, b)
    };
    if hi.priority == lo.priority {
        let (ca, cb) = (category(a.dtype, a.is_bool), category(b.dtype, b.is_bool));
        return match ca.cmp(&cb) {
            std::cmp::Ordering::Less => (b.dtype, b.is_bool),
            std::cmp::Ordering::Greater => (a.dtype, a.is_bool),
            std::cmp::Ordering::Equal => (wider(a.dtype, b.dtype), a.is_bool && b.is_bool),
        };
    }
    if category(lo.dtype, lo.is_bool) <= category(hi.dtype, hi.is_bool) {
        return (hi.dtype, hi.is_bool);
    }
    // A lower-priority operand of a higher category decides the category: a 0-d tensor
    // brings its own dtype, a number PyTorch's default (float32 or int64).
    let dtype = match (lo.priority, category(lo.dtype, lo.is_bool)) {
        (0, 2) => DType::F32,
        (0, _) => DType::I64,
        _ => lo.dtype,
    };
    (dtype, false)
}

/// The broadcast shape of `a` and `b`, or PyTorch's error naming the first dimension (from the
/// right) where they disagree.
pub(crate) fn broadcast_shape(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let da = if i < a.len() { a[a.len() - 1 - i] } else { 1 };
        let db = if i < b.len() { b[b.len() - 1 - i] } else { 1 };
        out[rank - 1 - i] = match (da, db) {
            _ if da == db => da,
            (1, _) => db,
            (_, 1) => da,
            _ => bail!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at \
                 non-singleton dimension {}",
                rank - 1 - i
            ),
        };
    }
    Ok(out)
}

impl Tensor {
    /// Both operands as candle tensors of the result's dtype, broadcast to one shape.
    fn promoted(
        &self,
        rhs: &Rhs<'_>,
        true_division: bool,
    ) -> Result<(candle_core::Tensor, candle_core::Tensor, bool)> {
        let lhs_op = operand(self);
        let rhs_op = match rhs {
            Rhs::Tensor(t) => operand(t),
            Rhs::Scalar(_) => Operand {
                dtype: DType::F64,
                is_bool: false,
                priority: 0,
            },
            Rhs::Int(_) => Operand {
                dtype: DType::I64,
                is_bool: false,
                priority: 0,
            },
        };
        let (mut dtype, mut is_bool) = result_type(lhs_op, rhs_op);
        if true_division && !dtype.is_float() {
            (dtype, is_bool) = (DType::F32, false);
        }
        let convert = |t: &candle_core::Tensor| -> Result<candle_core::Tensor> {
            Ok(if t.dtype() == dtype {
                t.clone()
            } else {
                t.to_dtype(dtype)?
            })
        };
        let l = convert(self.c())?;
        let r = match rhs {
            Rhs::Tensor(t) => convert(&t.inner)?,
            Rhs::Scalar(v) => candle_core::Tensor::new(*v, self.inner.device())?.to_dtype(dtype)?,
            Rhs::Int(v) => candle_core::Tensor::new(*v, self.inner.device())?.to_dtype(dtype)?,
        };
        let shape = broadcast_shape(l.dims(), r.dims())?;
        Ok((
            l.broadcast_as(shape.as_slice())?,
            r.broadcast_as(shape.as_slice())?,
            is_bool,
        ))
    }

    fn binary(
        &self,
        rhs: Rhs<'_>,
        op: fn(
            &candle_core::Tensor,
            &candle_core::Tensor,
        ) -> candle_core::Result<candle_core::Tensor>,
        name: &'static str,
        true_division: bool,
    ) -> Result<Tensor> {
        let (l, r, is_bool) = self.promoted(&rhs, true_division)?;
        let inputs: Vec<&Tensor> = match rhs {
            Rhs::Tensor(t) => vec![self, t],
            _ => vec![self],
        };
        let mut out = Tensor::derived(op(&l, &r)?, name, &inputs);
        out.is_bool = is_bool && !out.inner.dtype().is_float();
        Ok(out)
    }

    fn compare(&self, rhs: Rhs<'_>, cmp: candle_core::op::CmpOp) -> Result<Tensor> {
        let (l, r, _) = self.promoted(&rhs, false)?;
        Ok(Tensor::boolean(l.detach().cmp(&r.detach(), cmp)?))
    }

    /// Elementwise `self + rhs`, broadcasting and promoting like PyTorch.
    ///
    /// ```
    /// let t = d2l::Tensor::ones(2)?;
    /// assert_eq!(t.add(1.0)?.to_string(), "tensor([2., 2.])");
    /// let n = d2l::Tensor::new(&[1i64, 2])?;
    /// assert_eq!(n.add(1)?.to_string(), "tensor([2, 3])");
    /// assert_eq!(n.add(0.5)?.to_string(), "tensor([1.5000, 2.5000])");
    /// assert_eq!(
    ///     t.add(&d2l::Tensor::ones(3)?).unwrap_err().to_string(),
    ///     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn add<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.binary(rhs.into(), candle_core::Tensor::add, "AddBackward0", false)
    }

    /// Elementwise `self - rhs`.
    ///
    /// ```
    /// let t = d2l::Tensor::ones(2)?;
    /// assert_eq!(t.sub(&t)?.to_string(), "tensor([0., 0.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn sub<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.binary(rhs.into(), candle_core::Tensor::sub, "SubBackward0", false)
    }

    /// Elementwise `self * rhs`. A boolean mask counts as 0/1, as in `w * (w.abs() >= 5)`.
    ///
    /// ```
    /// let w = d2l::Tensor::new(&[-7f32, 2.0, 6.0])?;
    /// let kept = w.mul(&w.abs()?.ge(5.0)?)?;
    /// assert_eq!(kept.to_vec()?, vec![-7.0, 0.0, 6.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn mul<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.binary(rhs.into(), candle_core::Tensor::mul, "MulBackward0", false)
    }

    /// Elementwise `self / rhs`: true division, so integers give float32, as in PyTorch.
    ///
    /// ```
    /// let t = d2l::Tensor::full(3.0, 1)?;
    /// assert_eq!(t.div(2.0)?.to_string(), "tensor([1.5000])");
    /// assert_eq!(d2l::Tensor::new(&[3i64])?.div(2)?.to_string(), "tensor([1.5000])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn div<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.binary(rhs.into(), candle_core::Tensor::div, "DivBackward0", true)
    }

    /// Elementwise `self == rhs`, a boolean tensor.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[1f32, 2.0])?;
    /// assert_eq!(t.eq(1.0)?.to_string(), "tensor([ True, False])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn eq<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.compare(rhs.into(), candle_core::op::CmpOp::Eq)
    }

    /// Elementwise `self != rhs`.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[1f32, 2.0])?;
    /// assert_eq!(t.ne(1.0)?.to_string(), "tensor([False,  True])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn ne<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.compare(rhs.into(), candle_core::op::CmpOp::Ne)
    }

    /// Elementwise `self >= rhs`.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[4f32, 5.0])?;
    /// assert_eq!(t.ge(5.0)?.to_string(), "tensor([False,  True])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn ge<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.compare(rhs.into(), candle_core::op::CmpOp::Ge)
    }

    /// Elementwise `self > rhs`.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[4f32, 5.0])?;
    /// assert_eq!(t.gt(4.0)?.to_string(), "tensor([False,  True])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn gt<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.compare(rhs.into(), candle_core::op::CmpOp::Gt)
    }

    /// Elementwise `self < rhs`.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[4f32, 5.0])?;
    /// assert_eq!(t.lt(5.0)?.to_string(), "tensor([ True, False])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn lt<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.compare(rhs.into(), candle_core::op::CmpOp::Lt)
    }

    /// Elementwise absolute value.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[-1.5f32])?;
    /// assert_eq!(t.abs()?.to_string(), "tensor([1.5000])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn abs(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().abs()?, "AbsBackward0", &[self]))
    }

    /// `max(x, 0)` elementwise.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[-1f32, 2.0])?;
    /// assert_eq!(t.relu()?.to_string(), "tensor([0., 2.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn relu(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().relu()?, "ReluBackward0", &[self]))
    }

    /// Elementwise square.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[3f32])?;
    /// assert_eq!(t.square()?.to_string(), "tensor([9.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn square(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().sqr()?, "PowBackward0", &[self]))
    }
}

macro_rules! std_op {
    ($trait:ident, $method:ident) => {
        impl<'a> std::ops::$trait<&'a Tensor> for &Tensor {
            type Output = Result<Tensor>;
            fn $method(self, rhs: &'a Tensor) -> Result<Tensor> {
                Tensor::$method(self, rhs)
            }
        }
        impl std::ops::$trait<f64> for &Tensor {
            type Output = Result<Tensor>;
            fn $method(self, rhs: f64) -> Result<Tensor> {
                Tensor::$method(self, rhs)
            }
        }
        impl std::ops::$trait<f64> for Tensor {
            type Output = Result<Tensor>;
            fn $method(self, rhs: f64) -> Result<Tensor> {
                Tensor::$method(&self, rhs)
            }
        }
        impl<'a> std::ops::$trait<&'a Tensor> for Tensor {
            type Output = Result<Tensor>;
            fn $method(self, rhs: &'a Tensor) -> Result<Tensor> {
                Tensor::$method(&self, rhs)
            }
        }
    };
}
std_op!(Add, add);
std_op!(Sub, sub);
std_op!(Mul, mul);
std_op!(Div, div);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_names_the_output_dimension() {
        assert_eq!(broadcast_shape(&[2, 1, 3], &[4, 3]).unwrap(), [2, 4, 3]);
        let e = broadcast_shape(&[2, 1, 3], &[4, 2])
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("(3) must match the size of tensor b (2) at non-singleton dimension 2")
        );
    }
}
