//! `Linear`: the fully connected layer `y = x Wᵀ + b`.

use super::identity::{DeepCopyMemo, ModuleId};
use super::module::Module;
use crate::error::{Result, bail};
use crate::param::Parameter;
use crate::tensor::Tensor;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A fully connected layer, `y = x Wᵀ + b`, like `torch.nn.Linear`. `W` has shape
/// `[out_features, in_features]`.
///
/// The default initialisation is PyTorch's: `W ~ U(-1/√in, 1/√in)` (which is
/// `kaiming_uniform_(W, a=√5)`), then `b ~ U(-1/√in, 1/√in)`, drawn in that order from the
/// global generator. A clone is the same layer (the same parameters, `same_as` is true): put
/// clones in two places of a network to tie them.
///
/// ```
/// use d2l::prelude::*;
/// let layer = Linear::new(4, 8)?;
/// assert_eq!(layer.to_string(), "Linear(in_features=4, out_features=8, bias=True)");
/// assert_eq!(layer.weight()?.shape()?, [8, 4]);
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone)]
pub struct Linear {
    id: ModuleId,
    weight: Parameter,
    bias: Option<Parameter>,
    // Shared between clones, so that a lazy layer used twice learns its width once.
    in_features: Arc<AtomicUsize>,
    out_features: usize,
    // True while the layer is still a `LazyLinear` (until its first forward, even when a
    // loaded state dict has already given it values, as in PyTorch).
    lazy: Arc<AtomicBool>,
}

impl Linear {
    /// A layer with a bias, initialised as PyTorch does.
    ///
    /// ```
    /// let layer = d2l::nn::Linear::new(8, 1)?;
    /// assert_eq!(layer.out_features(), 1);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new(in_features: usize, out_features: usize) -> Result<Self> {
        Self::with_bias(in_features, out_features, true)
    }

    /// A layer with or without a bias.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let layer = Linear::with_bias(4, 2, false)?;
    /// assert_eq!(layer.named_parameters().len(), 1);
    /// assert_eq!(layer.to_string(), "Linear(in_features=4, out_features=2, bias=False)");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn with_bias(in_features: usize, out_features: usize, bias: bool) -> Result<Self> {
        let layer = Self::uninitialized(out_features, bias);
        layer.materialize(in_features)?;
        layer.lazy.store(false, Ordering::SeqCst);
        Ok(layer)
    }

    /// A layer whose input width is not known yet (see [`crate::nn::LazyLinear`]).
    pub(crate) fn uninitialized(out_features: usize, bias: bool) -> Self {
        Linear {
            id: ModuleId::new(),
            weight: Parameter::uninitialized(),
            bias: bias.then(Parameter::uninitialized),
            in_features: Arc::new(AtomicUsize::new(0)),
            out_features,
            lazy: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Creates the parameters for `in_features` inputs with PyTorch's default init.
    fn materialize(&self, in_features: usize) -> Result<()> {
        let (w, b) = crate::rng::with_global(|g| {
            // kaiming_uniform_(a = √5) gives the bound gain·√(3/fan_in) = 1/√fan_in.
            let bound = if in_features > 0 {
                1.0 / (in_features as f64).sqrt()
            } else {
                0.0
            };
            // `0.0 - bound`, not `-bound`: with no inputs PyTorch's bound is the integer 0,
            // and U(0, 0) gives 0., never -0.
            let w = g.uniform_f32(self.out_features * in_features, 0.0 - bound, bound);
            let b = self
                .bias
                .as_ref()
                .map(|_| g.uniform_f32(self.out_features, 0.0 - bound, bound));
            (w, b)
        });
        self.weight
            .materialize(&Tensor::from_vec(w, (self.out_features, in_features))?)?;
        if let (Some(p), Some(b)) = (&self.bias, b) {
            p.materialize(&Tensor::from_vec(b, self.out_features)?)?;
        }
        self.in_features.store(in_features, Ordering::SeqCst);
        Ok(())
    }

    /// The input width (0 for a lazy layer before its first forward).
    ///
    /// ```
    /// assert_eq!(d2l::nn::Linear::new(4, 8)?.in_features(), 4);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn in_features(&self) -> usize {
        self.in_features.load(Ordering::SeqCst)
    }

    /// The output width.
    ///
    /// ```
    /// assert_eq!(d2l::nn::Linear::new(4, 8)?.out_features(), 8);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn out_features(&self) -> usize {
        self.out_features
    }

    /// Whether the parameters exist (false only for a lazy layer before its first forward).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// assert!(!LazyLinear::new(8).is_initialized());
    /// ```
    pub fn is_initialized(&self) -> bool {
        self.weight.is_initialized()
    }

    /// A copy with new parameters holding the same values.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let a = Linear::new(2, 2)?;
    /// let b = a.deep_copy()?;
    /// assert!(!a.weight()?.same_as(&b.weight()?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn deep_copy(&self) -> Result<Linear> {
        self.deep_copy_in(&mut DeepCopyMemo::new())
    }

    /// The deep copy as part of a larger one (see [`DeepCopyMemo`]): a layer or parameter
    /// copied earlier in the same copy is shared, not copied again.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// use d2l::nn::DeepCopyMemo;
    /// let a = Linear::new(2, 2)?;
    /// let mut memo = DeepCopyMemo::new();
    /// let (b, c) = (a.deep_copy_in(&mut memo)?, a.deep_copy_in(&mut memo)?);
    /// assert!(b.same_as(&c) && !b.same_as(&a));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn deep_copy_in(&self, memo: &mut DeepCopyMemo) -> Result<Linear> {
        memo.once(self, |memo| {
            Ok(Linear {
                id: ModuleId::new(),
                weight: memo.param(&self.weight)?,
                bias: self.bias.as_ref().map(|b| memo.param(b)).transpose()?,
                in_features: Arc::new(AtomicUsize::new(self.in_features())),
                out_features: self.out_features,
                lazy: Arc::new(AtomicBool::new(self.lazy.load(Ordering::SeqCst))),
            })
        })
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        if self.lazy.load(Ordering::SeqCst) {
            // PyTorch reads the width as `input.shape[-1]` before anything is drawn.
            let Some(&width) = x.candle().dims().last() else {
                bail!(IndexError, "tuple index out of range");
            };
            if self.weight.is_initialized() {
                // Values came from a state dict: the width is theirs.
                let loaded = self.weight.shape()?.0;
                self.in_features
                    .store(loaded.get(1).copied().unwrap_or(0), Ordering::SeqCst);
            } else {
                self.materialize(width)?;
            }
            self.lazy.store(false, Ordering::SeqCst);
        }
        let in_features = self.in_features();
        if x.candle().rank() == 0 {
            bail!("both arguments to linear need to be at least 1D, but they are 0D and 2D");
        }
        let width = x.candle().dims()[x.candle().rank() - 1];
        let w = self.weight.tensor()?;
        if x.candle().dtype() != w.candle().dtype() {
            if self.bias.is_none() {
                crate::tensor::linalg::check_mm_dtypes(x.candle().dtype(), w.candle().dtype())?;
            }
            use crate::tensor::shape::scalar_type_name;
            bail!(
                "mat1 and mat2 must have the same dtype, but got {} and {}",
                scalar_type_name(x.candle().dtype()),
                scalar_type_name(w.candle().dtype())
            );
        }
        if width != in_features {
            // PyTorch names the kernel that refused: addmm with a bias, mm without; the input
            // is seen as a matrix of (product of the leading dimensions) rows.
            let rows: usize = x.candle().dims()[..x.candle().rank() - 1].iter().product();
            let op = if self.bias.is_some() { "addmm" } else { "mm" };
            bail!(
                "{op}: mat1 and mat2 shapes cannot be multiplied ({rows}x{width} and {in_features}x{})",
                self.out_features
            );
        }
        let dims = x.candle().dims().to_vec();
        let x2 = x.candle().reshape(((), in_features))?;
        let mut y = x2.matmul(&w.candle().t()?)?;
        let mut inputs = vec![x, &w];
        let b;
        let name = if let Some(bias) = &self.bias {
            b = bias.tensor()?;
            y = y.broadcast_add(b.candle())?;
            inputs.push(&b);
            "AddmmBackward0"
        } else {
            "MmBackward0"
        };
        if dims.len() == 2 {
            return Ok(Tensor::derived(y, name, &inputs));
        }
        // PyTorch computes on the 2-D view and views the product back: that view is the
        // result's grad_fn, and the product (which saved its inputs) is behind it.
        let product = Tensor::derived(y.clone(), name, &inputs);
        let mut out_dims = dims;
        if let Some(last) = out_dims.last_mut() {
            *last = self.out_features;
        }
        let view = if self.bias.is_none() && x.candle().rank() == 1 {
            "SqueezeBackward4"
        } else {
            "UnsafeViewBackward0"
        };
        Ok(Tensor::derived(y.reshape(out_dims)?, view, &[&product]))
    }

    fn own_parameters(&self) -> Vec<(&str, &Parameter)> {
        let mut v = vec![("weight", &self.weight)];
        if let Some(b) = &self.bias {
            v.push(("bias", b));
        }
        v
    }

    fn type_name(&self) -> String {
        if self.lazy.load(Ordering::SeqCst) {
            "LazyLinear"
        } else {
            "Linear"
        }
        .to_string()
    }

    fn extra_repr(&self) -> String {
        let bias = if self.bias.is_some() { "True" } else { "False" };
        format!(
            "in_features={}, out_features={}, bias={bias}",
            self.in_features(),
            self.out_features
        )
    }

    fn module_id(&self) -> Option<ModuleId> {
        Some(self.id.clone())
    }

    fn deep_copy_module(&self, memo: &mut DeepCopyMemo) -> Result<Box<dyn Module>> {
        Ok(Box::new(self.deep_copy_in(memo)?))
    }
}

crate::impl_module_display!(Linear);
