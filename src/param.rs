//! `Parameter`: a learnable tensor, its gradient, and in-place writes.

use crate::autograd::GradSink;
use crate::error::{Result, bail};
use crate::size::Size;
use crate::tensor::Tensor;
use candle_core::{DType, Var, scalar::Scalar};
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard};

pub(crate) const UNINIT_SHAPE: &str = "Can't access the shape of an uninitialized parameter or buffer. \
This error usually happens in `load_state_dict` when trying to load an uninitialized parameter \
into an initialized one. Call `forward` to initialize the parameters before accessing their \
attributes.";
const UNINIT_USE: &str = "This error happens when you are using a `LazyModule` or explicitly \
manipulating `torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call \
`forward` with a dummy batch to initialize the parameters before calling torch functions";

/// PyTorch's error for using a parameter without a value in `what` (the function PyTorch
/// names, such as `<method 'numel' of 'torch._C.TensorBase' objects>`).
pub(crate) fn uninit_use(what: &str) -> String {
    format!("Attempted to use an uninitialized parameter in {what}. {UNINIT_USE}")
}

fn tensor_method(name: &str) -> String {
    uninit_use(&format!(
        "<method '{name}' of 'torch._C.TensorBase' objects>"
    ))
}

pub(crate) struct ParamInner {
    pub(crate) value: RwLock<Option<Var>>,
    pub(crate) grad: RwLock<Option<candle_core::Tensor>>,
}

/// A learnable tensor: a value that autograd tracks, plus the gradient of the last
/// `backward()` calls (like `torch.nn.Parameter` with its `.data` and `.grad`).
///
/// Cloning a `Parameter` gives another handle to the **same** parameter, as assigning a Python
/// variable does: a write through one handle is seen through every other, and
/// [`Parameter::same_as`] tells whether two handles are one object. Use
/// [`Parameter::deep_copy`] for an independent copy.
///
/// ```
/// use d2l::prelude::*;
/// let p = Parameter::new(Tensor::new(&[0.1968f32])?)?;
/// assert_eq!(p.to_string(), "Parameter containing:\ntensor([0.1968], requires_grad=True)");
/// assert_eq!(p.data()?.to_string(), "tensor([0.1968])");
/// assert!(p.grad().is_none());
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone)]
pub struct Parameter {
    pub(crate) inner: Arc<ParamInner>,
}

impl Parameter {
    /// A parameter holding a copy of `value` (stored as float32 unless it is float64).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros((8, 4))?)?;
    /// assert_eq!(p.shape()?.to_string(), "torch.Size([8, 4])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new(value: Tensor) -> Result<Self> {
        let p = Parameter::uninitialized();
        p.materialize(&value)?;
        Ok(p)
    }

    /// A parameter without a value yet, as a lazy layer holds before its first forward pass.
    ///
    /// ```
    /// let p = d2l::Parameter::uninitialized();
    /// assert!(!p.is_initialized());
    /// assert!(p.shape().is_err());
    /// ```
    pub fn uninitialized() -> Self {
        Parameter {
            inner: Arc::new(ParamInner {
                value: RwLock::new(None),
                grad: RwLock::new(None),
            }),
        }
    }

    /// Gives an uninitialized parameter its first value (what a lazy layer does on its first
    /// forward pass). Fails if it already has one.
    ///
    /// ```
    /// let p = d2l::Parameter::uninitialized();
    /// p.materialize(&d2l::Tensor::ones(3)?)?;
    /// assert_eq!(p.shape()?, [3]);
    /// assert!(p.materialize(&d2l::Tensor::ones(3)?).is_err());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn materialize(&self, value: &Tensor) -> Result<()> {
        let mut slot = self.inner.value.write().unwrap_or_else(|e| e.into_inner());
        if slot.is_some() {
            bail!("materialize: the parameter is already initialized");
        }
        let t = value.candle().detach();
        let t = match t.dtype() {
            DType::F32 | DType::F64 => t,
            _ => t.to_dtype(DType::F32)?,
        };
        // A fresh, contiguous copy: the parameter owns its storage.
        let var = Var::from_tensor(&t.copy()?)?;
        crate::ids::observe(var.as_tensor());
        let id = var.as_tensor().id();
        *slot = Some(var);
        drop(slot);
        crate::autograd::register(id, &self.inner);
        Ok(())
    }

    /// Whether the parameter has a value (false only for a lazy layer before its first forward).
    ///
    /// ```
    /// assert!(d2l::Parameter::new(d2l::Tensor::ones(1)?)?.is_initialized());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn is_initialized(&self) -> bool {
        self.read().is_some()
    }

    fn read(&self) -> RwLockReadGuard<'_, Option<Var>> {
        crate::ids::sync();
        self.inner.value.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The variable, or PyTorch's error naming `method`, the tensor method PyTorch would have
    /// refused.
    pub(crate) fn var(&self, method: &str) -> Result<Var> {
        match self.read().as_ref() {
            Some(v) => Ok(v.clone()),
            None => bail!(ValueError, "{}", tensor_method(method)),
        }
    }

    /// The tensor that autograd tracks: use it in a forward computation. It prints with
    /// `requires_grad=True`, and results computed from it carry a `grad_fn`.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::new(&[1f32, 2.0])?)?;
    /// assert_eq!(p.tensor()?.i(..1)?.to_string(), "tensor([1.], grad_fn=<SliceBackward0>)");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn tensor(&self) -> Result<Tensor> {
        // Using the value in an operation: PyTorch names the operation; `linear` is a layer's.
        match self.read().as_ref() {
            Some(v) => Ok(v.as_tensor().clone().into()),
            None => bail!(ValueError, "{}", uninit_use("<built-in function linear>")),
        }
    }

    /// The value, detached from autograd (PyTorch's `param.data`). It shares storage with the
    /// parameter; to change the parameter use the in-place methods below.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::new(&[0.5f32])?)?;
    /// assert_eq!(p.data()?.to_string(), "tensor([0.5000])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn data(&self) -> Result<Tensor> {
        match self.read().as_ref() {
            Some(v) => Ok(v.as_detached_tensor().into()),
            // PyTorch's UninitializedParameter holds an empty tensor.
            None => Tensor::zeros(0),
        }
    }

    /// Indexing of the tracked tensor, like `net[0].weight[:2]` in PyTorch.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros((3, 2))?)?;
    /// assert_eq!(p.i(..2)?.shape(), [2, 2]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn i(&self, index: impl crate::tensor::TensorIndex) -> Result<Tensor> {
        self.tensor()?.i(index)
    }

    /// The shape, printed as `torch.Size([...])`. An error before a lazy layer's first forward.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros((1, 8))?)?;
    /// assert_eq!(p.shape()?.to_string(), "torch.Size([1, 8])");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn shape(&self) -> Result<Size> {
        match self.read().as_ref() {
            Some(v) => Ok(Size(v.dims().to_vec())),
            None => bail!("{UNINIT_SHAPE}"),
        }
    }

    /// The number of elements; before a lazy layer's first forward, PyTorch's error.
    ///
    /// ```
    /// assert_eq!(d2l::Parameter::new(d2l::Tensor::zeros((8, 4))?)?.numel()?, 32);
    /// assert!(d2l::Parameter::uninitialized().numel().is_err());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn numel(&self) -> Result<usize> {
        match self.read().as_ref() {
            Some(v) => Ok(v.elem_count()),
            None => bail!(ValueError, "{}", tensor_method("numel")),
        }
    }

    /// The gradient accumulated by `backward()` calls, or `None` before any (or after
    /// `zero_grad`).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(1)?)?;
    /// assert!(p.grad().is_none());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn grad(&self) -> Option<Tensor> {
        self.inner
            .grad
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|g| g.clone().into())
    }

    /// Forgets the gradient (PyTorch's `zero_grad(set_to_none=True)`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let p = Parameter::new(Tensor::ones(1)?)?;
    /// p.tensor()?.sum()?.backward()?;
    /// assert!(p.grad().is_some());
    /// p.zero_grad();
    /// assert!(p.grad().is_none());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn zero_grad(&self) {
        *self.inner.grad.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether two handles are the same parameter object (Python's `is`).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(1)?)?;
    /// assert!(p.same_as(&p.clone()));
    /// assert!(!p.same_as(&p.deep_copy()?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn same_as(&self, other: &Parameter) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The parameter's identity as a number (equal for handles that are `same_as`).
    pub(crate) fn addr(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// An independent parameter with the same value (and no gradient).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(2)?)?;
    /// let q = p.deep_copy()?;
    /// q.fill_(5.0)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![1.0, 1.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn deep_copy(&self) -> Result<Parameter> {
        match self.read().as_ref() {
            Some(v) => Parameter::new(v.as_detached_tensor().into()),
            None => Ok(Parameter::uninitialized()),
        }
    }

    /// Replaces the value in place with `value`, which must have the same shape (PyTorch's
    /// `param.data.copy_(value)`). On a shape mismatch nothing changes.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(2)?)?;
    /// p.set_data_(&d2l::Tensor::new(&[1f32, 2.0])?)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![1.0, 2.0]);
    /// assert!(p.set_data_(&d2l::Tensor::zeros(3)?).is_err());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn set_data_(&self, value: &Tensor) -> Result<()> {
        let var = self.var("copy_")?;
        if var.dims() != value.candle().dims() {
            bail!(
                "shape mismatch: cannot copy a tensor of shape {} into a parameter of shape {}",
                value.shape(),
                Size(var.dims().to_vec())
            );
        }
        let src = value.candle().detach().to_dtype(var.dtype())?;
        // `Var::set` refuses a source that shares the parameter's own storage.
        let src = if src.is_contiguous() && !shares_storage(&var, &src) {
            src
        } else {
            src.copy()?
        };
        var.set(&src)?;
        Ok(())
    }

    /// Replaces the value with `f(current value)`, in place; `f` must keep the shape.
    /// `p.update_(|w| w + 1.0)` is PyTorch's `p.data[:] += 1`.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::new(&[1f32, 2.0])?)?;
    /// p.update_(|w| w * 10.0)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![10.0, 20.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn update_(&self, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<()> {
        let new = f(&self.data()?)?;
        self.set_data_(&new)
    }

    /// Adds `v` to every element in place (`param.data += v`).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(2)?)?;
    /// p.add_(1.0)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![1.0, 1.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn add_(&self, v: f64) -> Result<()> {
        self.update_(|w| w.add(v))
    }

    /// Multiplies every element by `v` in place (`param.data *= v`).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(2)?)?;
    /// p.mul_(3.0)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![3.0, 3.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn mul_(&self, v: f64) -> Result<()> {
        self.update_(|w| w.mul(v))
    }

    /// Sets every element to `v` in place (`param.data.fill_(v)`).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(2)?)?;
    /// p.fill_(42.0)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![42.0, 42.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn fill_(&self, v: f64) -> Result<()> {
        let var = self.var("fill_")?;
        var.as_tensor().const_set(scalar(v, var.dtype()))?;
        Ok(())
    }

    /// Sets one element in place: `p.set_at_(&[0, 0], 42.0)` is PyTorch's `p.data[0, 0] = 42`.
    /// A wrong number of indices or an index out of range is an error and changes nothing.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros((2, 2))?)?;
    /// p.set_at_(&[0, 1], 42.0)?;
    /// assert_eq!(p.data()?.to_vec()?, vec![0.0, 42.0, 0.0, 0.0]);
    /// assert_eq!(p.set_at_(&[2, 0], 1.0).unwrap_err().to_string(),
    ///            "index 2 is out of bounds for dimension 0 with size 2");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn set_at_(&self, index: &[usize], v: f64) -> Result<()> {
        let var = self.var("__setitem__")?;
        let dims = var.dims();
        if index.len() != dims.len() {
            bail!(
                IndexError,
                "expected {} indices for a tensor of shape {}, got {}",
                dims.len(),
                Size(dims.to_vec()),
                index.len()
            );
        }
        for (d, (&i, &n)) in index.iter().zip(dims).enumerate() {
            if i >= n {
                bail!(
                    IndexError,
                    "index {i} is out of bounds for dimension {d} with size {n}"
                );
            }
        }
        // A one-element view of the parameter's own storage, written in place.
        let mut cell = var.as_tensor().clone();
        for (d, &i) in index.iter().enumerate() {
            cell = cell.narrow(d, i, 1)?;
        }
        cell.const_set(scalar(v, var.dtype()))?;
        Ok(())
    }

    /// All values as `f32`, flattened (handy for plots and statistics).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones((2, 2))?)?;
    /// assert_eq!(p.values_f32()?.len(), 4);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn values_f32(&self) -> Result<Vec<f32>> {
        self.data()?.to_vec()
    }

    /// A histogram of the values, shown inline when it is a notebook cell's last value.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::rand((8, 4))?)?;
    /// let fig = p.hist("net[0].weight")?;
    /// assert!(fig.svg().contains("net[0].weight"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn hist(&self, title: &str) -> Result<crate::plot::Figure> {
        crate::plot::hist(&self.values_f32()?, title)
    }
}

impl GradSink for ParamInner {
    fn accumulate_grad(&self, g: &candle_core::Tensor) -> Result<()> {
        let mut slot = self.grad.write().unwrap_or_else(|e| e.into_inner());
        let new = match slot.as_ref() {
            Some(old) => (old + g)?,
            None => g.detach().copy()?,
        };
        crate::ids::observe(&new);
        *slot = Some(new);
        Ok(())
    }
}

/// `v` rounded to the parameter's dtype (float32 or float64), for candle's in-place fills.
fn scalar(v: f64, dtype: DType) -> Scalar {
    match dtype {
        DType::F64 => Scalar::F64(v),
        _ => Scalar::F32(v as f32),
    }
}

fn shares_storage(var: &Var, t: &candle_core::Tensor) -> bool {
    // A detached view of the parameter has the same id only if it is the parameter itself;
    // compare data pointers through the storage instead.
    let (a, _) = var.storage_and_layout();
    let (b, _) = t.storage_and_layout();
    std::ptr::eq(&*a as *const _, &*b as *const _)
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tensor() {
            Ok(t) => write!(f, "Parameter containing:\n{t}"),
            Err(_) => f.write_str("<UninitializedParameter>"),
        }
    }
}

impl fmt::Debug for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
