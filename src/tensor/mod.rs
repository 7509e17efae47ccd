//! `d2l::Tensor`: a candle tensor that prints the way PyTorch prints.
//!
//! It wraps [`candle_core::Tensor`] without dereferencing to it, so that a method a student
//! calls on a `d2l::Tensor` under a PyTorch name has PyTorch's meaning (candle's `sum` or
//! `mean` follow candle's rules, not PyTorch's, and must not be reachable by the same names).
//! The few methods without a PyTorch counterpart are Rust conveniences (`to_vec`, `is_bool`,
//! `i` for indexing); candle's tensor is one explicit step away, [`Tensor::candle`].
//! The methods defined here return `d2l::Tensor` again and remember what PyTorch would show
//! after the values: `grad_fn=<AddmmBackward0>` for a result that autograd tracks, or
//! `requires_grad=True` for a parameter's own tensor. Comparisons give boolean tensors that
//! print `True`/`False`.

use crate::fmt::{ReprOptions, tensor_repr};
use crate::graph::Node;

mod arith;
mod index;
pub(crate) mod linalg;
pub(crate) mod shape;
use crate::error::Result;
use crate::size::Size;
use candle_core::{DType, Device, NdArray, Shape};
use std::fmt;
use std::sync::Arc;

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
    /// The operation that made this tensor, when autograd tracks it (see `graph.rs`).
    node: Option<Arc<Node>>,
}

pub use arith::Rhs;
pub(crate) use arith::broadcast_shape;
pub use index::{IndexItem, IntoIndexItem, TensorIndex};

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
        let shape: Shape = shape.into();
        if data.len() != shape.elem_count() {
            // What `torch.tensor(data).reshape(shape)` says.
            crate::error::bail!(
                "shape '{}' is invalid for input of size {}",
                shape::bracketed(shape.dims()),
                data.len()
            );
        }
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

    /// The candle tensor inside, for candle's own methods (which keep candle's meaning, not
    /// PyTorch's).
    ///
    /// ```
    /// let t = d2l::Tensor::ones(3)?;
    /// assert_eq!(t.candle().dims(), &[3]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn candle(&self) -> &candle_core::Tensor {
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
    pub(crate) fn derived(
        t: candle_core::Tensor,
        grad_fn: &'static str,
        inputs: &[&Tensor],
    ) -> Self {
        crate::ids::observe(&t);
        let tracked = t.track_op() && !t.is_variable();
        Tensor {
            inner: t,
            grad_fn: tracked.then_some(grad_fn),
            is_bool: false,
            node: tracked.then(|| Node::new(grad_fn, inputs.iter().map(|i| i.node.as_ref()))),
        }
    }

    fn boolean(t: candle_core::Tensor) -> Self {
        Tensor {
            inner: t,
            grad_fn: None,
            is_bool: true,
            node: None,
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

    /// The number of elements, like `x.numel()`.
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::zeros((2, 4))?.numel(), 8);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn numel(&self) -> usize {
        self.inner.elem_count()
    }

    /// The number of dimensions, like `x.dim()` (`x.ndim`).
    ///
    /// ```
    /// assert_eq!(d2l::Tensor::zeros((2, 4))?.dim(), 2);
    /// assert_eq!(d2l::Tensor::new(1f32)?.dim(), 0);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.inner.rank()
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
            node: None,
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
    ///
    /// As in PyTorch, the pass frees what the graph saved for it: a second `backward()` through
    /// the same products is an error (it would add the same gradients again) unless the first
    /// one was [`Tensor::backward_retain_graph`].
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let p = Parameter::new(Tensor::new(&[2f32])?)?;
    /// let loss = p.tensor()?.square()?.sum()?;
    /// loss.backward()?;
    /// assert!(loss.backward().unwrap_err().to_string().starts_with("Trying to backward through the graph a second time"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn backward(&self) -> Result<()> {
        crate::autograd::backward(self.c(), self.node.as_ref(), false)
    }

    /// `loss.backward(retain_graph=True)`: like [`Tensor::backward`], keeping the graph so
    /// that it can be gone through again (each pass adds its gradients once more).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let p = Parameter::new(Tensor::new(&[2f32])?)?;
    /// let loss = p.tensor()?.square()?.sum()?;
    /// loss.backward_retain_graph()?;
    /// loss.backward()?;
    /// assert_eq!(p.grad().unwrap().to_vec()?, vec![8.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn backward_retain_graph(&self) -> Result<()> {
        crate::autograd::backward(self.c(), self.node.as_ref(), true)
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
            node: None,
        }
    }
}

impl From<Tensor> for candle_core::Tensor {
    fn from(t: Tensor) -> Self {
        t.inner
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
