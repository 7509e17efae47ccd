//! `LazyLinear`: a linear layer that learns its input width from the first batch.

use super::linear::Linear;

/// A linear layer whose input width is inferred at the first forward pass, like
/// `torch.nn.LazyLinear`. Before that its parameters are uninitialized: reading their value or
/// shape is an error, and it prints as `LazyLinear(in_features=0, ...)`. The first forward
/// creates them with the default init, after which it is an ordinary [`Linear`].
///
/// ```
/// use d2l::prelude::*;
/// let layer = LazyLinear::new(8);
/// assert_eq!(layer.to_string(), "LazyLinear(in_features=0, out_features=8, bias=True)");
/// assert!(layer.weight()?.shape().is_err());
/// layer.forward(&d2l::rand((2, 4))?)?;
/// assert_eq!(layer.to_string(), "Linear(in_features=4, out_features=8, bias=True)");
/// # Ok::<(), d2l::Error>(())
/// ```
pub struct LazyLinear;

impl LazyLinear {
    /// A lazy layer with `out_features` outputs and a bias.
    ///
    /// ```
    /// let layer = d2l::nn::LazyLinear::new(1);
    /// assert_eq!(layer.in_features(), 0);
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(out_features: usize) -> Linear {
        Linear::uninitialized(out_features, true)
    }

    /// A lazy layer with or without a bias.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let layer = LazyLinear::with_bias(3, false);
    /// assert_eq!(layer.parameters().len(), 1);
    /// ```
    pub fn with_bias(out_features: usize, bias: bool) -> Linear {
        Linear::uninitialized(out_features, bias)
    }
}
