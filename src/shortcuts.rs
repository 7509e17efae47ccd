//! Small shortcuts that let a notebook line say one idea: the names of a model's parameters,
//! their shapes and how many numbers they hold, whether two parameters hold equal numbers, a gradient as a number, the share
//! of values that pass a test. Each one is what a short Python expression says, and each
//! spells out a chain of `?`, `map` and `collect` that would otherwise hide the idea.
//!
//! ```
//! use d2l::prelude::*;
//! let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
//! assert_eq!(net.param_names(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
//! assert_eq!(net.state_dict().key_names(), net.param_names());
//! # Ok::<(), d2l::Error>(())
//! ```

use crate::error::{Error, ErrorKind, Result};
use crate::nn::{Module, ModuleExt};
use crate::param::Parameter;
use crate::size::Size;
use crate::state::StateDict;

/// Lists and counts of a model's parameters, for every module (`use d2l::prelude::*` brings it
/// in).
///
/// ```
/// use d2l::prelude::*;
/// let net = sequential![Linear::new(4, 8)?, ReLU()];
/// assert_eq!(net[0].param_names(), ["weight", "bias"]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub trait ParamShortcuts: Module {
    /// The names of [`ModuleExt::named_parameters`], in its order (a tied parameter once):
    /// Python's `[name for name, _ in net.named_parameters()]`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let shared = Linear::new(8, 8)?;
    /// let net = sequential![shared.clone(), ReLU(), shared.clone()];
    /// assert_eq!(net.param_names(), ["0.weight", "0.bias"]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn param_names(&self) -> Vec<String> {
        self.named_parameters()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// Each parameter's name with its shape: Python's
    /// `[(name, param.shape) for name, param in net.named_parameters()]`. An uninitialized
    /// parameter (a lazy layer before its first forward) is PyTorch's error.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?];
    /// assert_eq!(
    ///     py(&net.named_shapes()?).to_string(),
    ///     "[('0.weight', torch.Size([8, 4])), ('0.bias', torch.Size([8]))]"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn named_shapes(&self) -> Result<Vec<(String, Size)>> {
        self.named_parameters()
            .into_iter()
            .map(|(name, p)| Ok((name, p.shape()?)))
            .collect()
    }

    /// How many numbers the model learns: Python's `sum(p.numel() for p in net.parameters())`.
    /// A tied parameter counts once, as `parameters()` lists it once.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let shared = Linear::new(8, 8)?;
    /// let net = sequential![Linear::new(4, 8)?, shared.clone(), shared.clone()];
    /// assert_eq!(net.num_parameters()?, (4 * 8 + 8) + (8 * 8 + 8));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn num_parameters(&self) -> Result<usize> {
        self.parameters().iter().map(Parameter::numel).sum()
    }
}

impl<M: Module + ?Sized> ParamShortcuts for M {}

impl StateDict {
    /// The keys as owned strings, in order: Python's `list(sd.keys())`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let sd = Linear::new(2, 1)?.state_dict();
    /// assert_eq!(py(&sd.key_names()).to_string(), "['weight', 'bias']");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn key_names(&self) -> Vec<String> {
        self.keys().map(String::from).collect()
    }

    /// How many numbers the entries hold together: Python's
    /// `sum(t.numel() for t in sd.values())`. A tied parameter counts under each of its keys.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let shared = Linear::new(8, 8)?;
    /// let net = sequential![shared.clone(), shared.clone()];
    /// assert_eq!(net.state_dict().numel(), 2 * (8 * 8 + 8));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn numel(&self) -> usize {
        self.iter().map(|(_, t)| t.numel()).sum()
    }
}

impl Parameter {
    /// Whether the two parameters hold the same shape and the same numbers (PyTorch's
    /// `torch.equal(p, q)`); unlike [`Parameter::same_as`] it does not ask whether they are
    /// one object. A parameter without a value equals nothing.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::ones(2)?)?;
    /// let copy = p.deep_copy()?;
    /// assert!(p.equal(&copy) && !p.same_as(&copy));
    /// copy.fill_(3.0)?;
    /// assert!(!p.equal(&copy));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn equal(&self, other: &Parameter) -> bool {
        match (self.data(), other.data()) {
            (Ok(a), Ok(b)) => a.equal(&b),
            _ => false,
        }
    }

    /// The gradient of a one-element parameter as a number: Python's `p.grad.item()`. Before
    /// any `backward()` there is no gradient, and this is an error (Python's
    /// `'NoneType' object has no attribute 'item'`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let w = Parameter::new(Tensor::new(&[2f32])?)?;
    /// assert!(w.grad_item().is_err());
    /// w.tensor()?.mul(3.0)?.sum()?.backward()?;
    /// assert_eq!(w.grad_item()?, 3.0);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn grad_item(&self) -> Result<f64> {
        match self.grad() {
            Some(g) => g.item(),
            None => Err(Error::new(
                ErrorKind::AttributeError,
                "'NoneType' object has no attribute 'item'".to_string(),
            )),
        }
    }
}

/// The share of `values` for which `test` holds, between 0 and 1: Python's
/// `(w >= 5).float().mean()` for `fraction(&values, |v| v >= 5.0)`. An empty list gives NaN,
/// as the mean of nothing does in PyTorch.
///
/// ```
/// let values = [-7.0f32, 0.0, 0.0, 6.0];
/// assert_eq!(d2l::shortcuts::fraction(&values, |v| v == 0.0), 0.5);
/// assert!(d2l::shortcuts::fraction(&[], |v| v > 0.0).is_nan());
/// ```
pub fn fraction(values: &[f32], test: impl Fn(f32) -> bool) -> f64 {
    values.iter().filter(|v| test(**v)).count() as f64 / values.len() as f64
}
