//! `d2l::Tensor`: a candle tensor that prints the way PyTorch prints.
//!
//! It wraps [`candle_core::Tensor`] and dereferences to it, so every candle method is at hand.
//! The methods defined here return `d2l::Tensor` again and remember what PyTorch would show
//! after the values: `grad_fn=<AddmmBackward0>` for a result that autograd tracks, or
//! `requires_grad=True` for a parameter's own tensor. Comparisons give boolean tensors that
//! print `True`/`False`.

use crate::fmt::{ReprOptions, tensor_repr};
use crate::{Result, Size};
use candle_core::{DType, Device, IndexOp, NdArray, Shape};
use std::fmt;
use std::ops::Deref;

/// A tensor with PyTorch's printing. Cheap to clone (the storage is shared).
///
/// ```
/// use d2l::Tensor;
/// let t = Tensor::new(&[[1f32, 2.0], [3.0, 4.5]])?;
/// assert_eq!(t.to_string(), "tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]])");
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone)]
pub struct Tensor {
    inner: candle_core::Tensor,
    grad_fn: Option<&'static str>,
    is_bool: bool,
}

/// The right-hand side of an arithmetic or comparison op: a tensor or a number.
///
/// ```
/// use d2l::{Tensor, tensor::Rhs};
/// let r: Rhs = 2.0.into();
/// assert!(matches!(r, Rhs::Scalar(_)));
/// ```
pub enum Rhs<'a> {
    /// Another tensor (broadcast against the left-hand side).
    Tensor(&'a Tensor),
    /// A number.
    Scalar(f64),
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
        Rhs::Scalar(v as f64)
    }
}

impl Tensor {
    /// A float32 CPU tensor from a Rust array, like `torch.tensor([...])`.
    ///
    /// Float64 input is stored as float32, PyTorch's default dtype.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[1.0, 2.0])?;
    /// assert_eq!(t.to_string(), "tensor([1., 2.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new<A: NdArray>(array: A) -> Result<Self> {
        crate::ids::sync();
        let t = candle_core::Tensor::new(array, &Device::Cpu)?;
        let t = if t.dtype() == DType::F64 {
            t.to_dtype(DType::F32)?
        } else {
            t
        };
        Ok(t.into())
    }

    /// A float32 tensor from a flat vector and a shape.
    ///
    /// ```
    /// let t = d2l::Tensor::from_vec(vec![1f32, 2., 3., 4.], (2, 2))?;
    /// assert_eq!(t.shape().to_string(), "torch.Size([2, 2])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn from_vec<S: Into<Shape>>(data: Vec<f32>, shape: S) -> Result<Self> {
        crate::ids::sync();
        Ok(candle_core::Tensor::from_vec(data, shape, &Device::Cpu)?.into())
    }

    /// A tensor of zeros (float32).
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::zeros(2)?.to_string(), "tensor([0., 0.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn zeros<S: Into<Shape>>(shape: S) -> Result<Self> {
        crate::ids::sync();
        Ok(candle_core::Tensor::zeros(shape, DType::F32, &Device::Cpu)?.into())
    }

    /// A tensor of ones (float32).
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::ones((1, 2))?.to_string(), "tensor([[1., 1.]])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn ones<S: Into<Shape>>(shape: S) -> Result<Self> {
        crate::ids::sync();
        Ok(candle_core::Tensor::ones(shape, DType::F32, &Device::Cpu)?.into())
    }

    /// A float32 tensor filled with `value`.
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::full(42.0, 2)?.to_string(), "tensor([42., 42.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn full<S: Into<Shape>>(value: f64, shape: S) -> Result<Self> {
        crate::ids::sync();
        let t = candle_core::Tensor::full(value as f32, shape, &Device::Cpu)?;
        Ok(t.into())
    }

    /// The candle tensor inside.
    ///
    /// ```
    /// let t = d2l::Tensor::ones(3)?;
    /// assert_eq!(t.as_candle().dims(), &[3]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn as_candle(&self) -> &candle_core::Tensor {
        self.c()
    }

    /// Unwraps the candle tensor.
    ///
    /// ```
    /// let c: candle_core::Tensor = d2l::Tensor::ones(3)?.into_candle();
    /// assert_eq!(c.dims(), &[3]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn into_candle(self) -> candle_core::Tensor {
        self.inner
    }

    /// The inner tensor, after making sure this copy of candle hands out fresh ids
    /// (see `ids.rs`).
    fn c(&self) -> &candle_core::Tensor {
        crate::ids::sync();
        &self.inner
    }

    /// Wraps a result that autograd tracks, naming its backward node as PyTorch does.
    pub(crate) fn derived(t: candle_core::Tensor, grad_fn: &'static str) -> Self {
        crate::ids::observe(&t);
        let grad_fn = if t.track_op() && !t.is_variable() {
            Some(grad_fn)
        } else {
            None
        };
        Tensor {
            inner: t,
            grad_fn,
            is_bool: false,
        }
    }

    fn boolean(t: candle_core::Tensor) -> Self {
        Tensor {
            inner: t,
            grad_fn: None,
            is_bool: true,
        }
    }

    /// The shape, printed as `torch.Size([...])`.
    ///
    /// ```
    /// let x = d2l::Tensor::zeros((2, 4))?;
    /// assert_eq!(x.shape(), [2, 4]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn shape(&self) -> Size {
        Size(self.inner.dims().to_vec())
    }

    /// True for the boolean result of a comparison.
    ///
    /// ```
    /// let t = d2l::Tensor::ones(2)?;
    /// assert!(t.eq(&t)?.is_bool());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn is_bool(&self) -> bool {
        self.is_bool
    }

    /// The name of the autograd node that made this tensor, as PyTorch's `grad_fn` shows it.
    ///
    /// ```
    /// let t = d2l::Tensor::ones(2)?;
    /// assert_eq!(t.grad_fn(), None);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn grad_fn(&self) -> Option<&'static str> {
        self.grad_fn
    }

    /// Whether this is a leaf that requires a gradient (a parameter's own tensor).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(2)?)?;
    /// assert!(p.tensor()?.requires_grad());
    /// assert!(!p.data()?.requires_grad());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn requires_grad(&self) -> bool {
        self.inner.is_variable() || self.grad_fn.is_some()
    }

    /// Indexing like PyTorch's `t[0]`, `t[:2]`, `t[0, 1]` (candle's `IndexOp`: `t.i(0)`,
    /// `t.i(..2)`, `t.i((0, 1))`).
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[[1f32, 2.], [3., 4.]])?;
    /// assert_eq!(t.i(1)?.to_string(), "tensor([3., 4.])");
    /// assert_eq!(t.i((.., 0))?.to_string(), "tensor([1., 3.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn i<I>(&self, index: I) -> Result<Tensor>
    where
        candle_core::Tensor: IndexOp<I>,
    {
        let out = self.c().i(index)?;
        let name = if out.rank() < self.inner.rank() {
            "SelectBackward0"
        } else {
            "SliceBackward0"
        };
        let mut t = Tensor::derived(out, name);
        t.is_bool = self.is_bool;
        Ok(t)
    }

    fn rhs_tensor(&self, rhs: Rhs<'_>) -> Result<candle_core::Tensor> {
        let dtype = self.c().dtype();
        Ok(match rhs {
            Rhs::Tensor(t) if t.inner.dtype() == dtype => t.inner.clone(),
            Rhs::Tensor(t) => t.inner.to_dtype(dtype)?,
            Rhs::Scalar(v) => candle_core::Tensor::new(v, self.inner.device())?.to_dtype(dtype)?,
        })
    }

    fn lhs_for(&self, rhs: &Rhs<'_>) -> Result<candle_core::Tensor> {
        // A boolean mask on the left is promoted to the other side's float type.
        match rhs {
            Rhs::Tensor(t) if self.is_bool && !t.is_bool => {
                Ok(self.c().to_dtype(t.inner.dtype())?)
            }
            Rhs::Scalar(_) if self.is_bool => Ok(self.c().to_dtype(DType::F32)?),
            _ => Ok(self.c().clone()),
        }
    }

    fn binary(
        &self,
        rhs: Rhs<'_>,
        op: fn(
            &candle_core::Tensor,
            &candle_core::Tensor,
        ) -> candle_core::Result<candle_core::Tensor>,
        name: &'static str,
    ) -> Result<Tensor> {
        let lhs = Tensor {
            inner: self.lhs_for(&rhs)?,
            grad_fn: None,
            is_bool: false,
        };
        let r = lhs.rhs_tensor(rhs)?;
        Ok(Tensor::derived(op(&lhs.inner, &r)?, name))
    }

    fn compare(&self, rhs: Rhs<'_>, cmp: candle_core::op::CmpOp) -> Result<Tensor> {
        let r = self.rhs_tensor(rhs)?;
        let (l, r) = (self.c().detach(), r.detach());
        let shape = l.shape().broadcast_shape_binary_op(r.shape(), "cmp")?;
        Ok(Tensor::boolean(
            l.broadcast_as(&shape)?.cmp(&r.broadcast_as(&shape)?, cmp)?,
        ))
    }

    /// Elementwise `self + rhs`, broadcasting like PyTorch.
    ///
    /// ```
    /// let t = d2l::Tensor::ones(2)?;
    /// assert_eq!(t.add(1.0)?.to_string(), "tensor([2., 2.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn add<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.binary(
            rhs.into(),
            candle_core::Tensor::broadcast_add,
            "AddBackward0",
        )
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
        self.binary(
            rhs.into(),
            candle_core::Tensor::broadcast_sub,
            "SubBackward0",
        )
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
        self.binary(
            rhs.into(),
            candle_core::Tensor::broadcast_mul,
            "MulBackward0",
        )
    }

    /// Elementwise `self / rhs`.
    ///
    /// ```
    /// let t = d2l::Tensor::full(3.0, 1)?;
    /// assert_eq!(t.div(2.0)?.to_string(), "tensor([1.5000])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn div<'a>(&self, rhs: impl Into<Rhs<'a>>) -> Result<Tensor> {
        self.binary(
            rhs.into(),
            candle_core::Tensor::broadcast_div,
            "DivBackward0",
        )
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
        Ok(Tensor::derived(self.c().abs()?, "AbsBackward0"))
    }

    /// `max(x, 0)` elementwise.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[-1f32, 2.0])?;
    /// assert_eq!(t.relu()?.to_string(), "tensor([0., 2.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn relu(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().relu()?, "ReluBackward0"))
    }

    /// Elementwise square.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[3f32])?;
    /// assert_eq!(t.square()?.to_string(), "tensor([9.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn square(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().sqr()?, "PowBackward0"))
    }

    /// Matrix product (`@`), for 2-D tensors.
    ///
    /// ```
    /// let a = d2l::Tensor::new(&[[1f32, 2.]])?;
    /// let b = d2l::Tensor::new(&[[3f32], [4.]])?;
    /// assert_eq!(a.matmul(&b)?.to_string(), "tensor([[11.]])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().matmul(&rhs.inner)?, "MmBackward0"))
    }

    /// The transpose of a 2-D tensor.
    ///
    /// ```
    /// let a = d2l::Tensor::new(&[[1f32, 2.]])?;
    /// assert_eq!(a.t()?.shape(), [2, 1]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn t(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().t()?, "TBackward0"))
    }

    /// The same values in another shape.
    ///
    /// ```
    /// let a = d2l::Tensor::zeros(6)?;
    /// assert_eq!(a.reshape((2, 3))?.shape(), [2, 3]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn reshape<S: Into<Shape>>(&self, shape: S) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().reshape(shape)?, "ViewBackward0"))
    }

    /// The sum of all elements, a 0-d tensor.
    ///
    /// ```
    /// let t = d2l::Tensor::ones((2, 2))?;
    /// assert_eq!(t.sum()?.to_string(), "tensor(4.)");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn sum(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().sum_all()?, "SumBackward0"))
    }

    /// The mean of all elements, a 0-d tensor.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[1f32, 2.0])?;
    /// assert_eq!(t.mean()?.to_string(), "tensor(1.5000)");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn mean(&self) -> Result<Tensor> {
        Ok(Tensor::derived(self.c().mean_all()?, "MeanBackward0"))
    }

    /// The Euclidean (Frobenius) norm of all elements, as a number.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[3f32, 4.0])?;
    /// assert_eq!(t.norm()?, 5.0);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn norm(&self) -> Result<f64> {
        let v = self.to_vec()?;
        Ok(v.iter()
            .map(|x| (*x as f64) * (*x as f64))
            .sum::<f64>()
            .sqrt())
    }

    /// The value of a one-element tensor, like `.item()`.
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::full(2.5, 1)?.item()?, 2.5);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn item(&self) -> Result<f64> {
        let n = self.inner.elem_count();
        if n != 1 {
            crate::bail!("a Tensor with {n} elements cannot be converted to Scalar");
        }
        Ok(self
            .inner
            .flatten_all()?
            .to_dtype(DType::F64)?
            .to_vec1::<f64>()?[0])
    }

    /// All values, flattened in row-major order, as `f32`.
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[[1f32, 2.], [3., 4.]])?;
    /// assert_eq!(t.to_vec()?, vec![1.0, 2.0, 3.0, 4.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn to_vec(&self) -> Result<Vec<f32>> {
        Ok(self
            .inner
            .flatten_all()?
            .to_dtype(DType::F32)?
            .to_vec1::<f32>()?)
    }

    /// Same shape and same values, like `torch.equal`.
    ///
    /// ```
    /// let a = d2l::Tensor::ones(2)?;
    /// assert!(a.equal(&d2l::Tensor::ones(2)?));
    /// assert!(!a.equal(&d2l::Tensor::zeros(2)?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn equal(&self, other: &Tensor) -> bool {
        self.inner.dims() == other.inner.dims()
            && matches!((self.to_vec(), other.to_vec()), (Ok(a), Ok(b)) if a == b)
    }

    /// The same values, cut off from autograd (PyTorch's `.detach()` / `.data`).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(1)?)?;
    /// assert_eq!(p.tensor()?.detach().to_string(), "tensor([1.])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn detach(&self) -> Tensor {
        Tensor {
            inner: self.c().detach(),
            grad_fn: None,
            is_bool: self.is_bool,
        }
    }

    /// Computes the gradient of this scalar with respect to every parameter it depends on and
    /// adds it to each parameter's `.grad()`, like `loss.backward()`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let p = Parameter::new(Tensor::new(&[2f32])?)?;
    /// let loss = p.tensor()?.square()?.sum()?;
    /// loss.backward()?;
    /// assert_eq!(p.grad().unwrap().to_vec()?, vec![4.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn backward(&self) -> Result<()> {
        crate::autograd::backward(self)
    }

    /// The PyTorch `repr` text, with extra suffixes.
    pub(crate) fn repr_with(&self, extra: &[&str]) -> String {
        let mut suffixes: Vec<String> = Vec::new();
        if let Some(g) = self.grad_fn {
            suffixes.push(format!("grad_fn=<{g}>"));
        } else if self.inner.is_variable() {
            suffixes.push("requires_grad=True".into());
        }
        suffixes.extend(extra.iter().map(|s| s.to_string()));
        tensor_repr(
            &self.inner,
            &ReprOptions {
                is_bool: self.is_bool,
                suffixes,
            },
        )
    }
}

impl From<candle_core::Tensor> for Tensor {
    fn from(t: candle_core::Tensor) -> Self {
        crate::ids::observe(&t);
        Tensor {
            inner: t,
            grad_fn: None,
            is_bool: false,
        }
    }
}

impl From<Tensor> for candle_core::Tensor {
    fn from(t: Tensor) -> Self {
        t.inner
    }
}

impl Deref for Tensor {
    type Target = candle_core::Tensor;
    fn deref(&self) -> &candle_core::Tensor {
        self.c()
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr_with(&[]))
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr_with(&[]))
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

/// A float32 tensor of the given shape with values from U(0, 1), like `torch.rand`.
///
/// It draws from the global generator that [`crate::manual_seed`] seeds.
///
/// ```
/// d2l::manual_seed(0);
/// let x = d2l::rand((2, 4))?;
/// assert_eq!(x.shape(), [2, 4]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn rand<S: Into<Shape>>(shape: S) -> Result<Tensor> {
    let shape: Shape = shape.into();
    let v = crate::rng::with_global(|g| g.uniform_f32(shape.elem_count(), 0.0, 1.0));
    Tensor::from_vec(v, shape)
}

/// A float32 tensor with values from N(0, 1), like `torch.randn`.
///
/// ```
/// d2l::manual_seed(0);
/// let x = d2l::randn((3, 5))?;
/// assert_eq!(x.shape(), [3, 5]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn randn<S: Into<Shape>>(shape: S) -> Result<Tensor> {
    let shape: Shape = shape.into();
    let v = crate::rng::with_global(|g| g.normal_f32(shape.elem_count(), 0.0, 1.0));
    Tensor::from_vec(v, shape)
}
