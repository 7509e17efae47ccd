//! Optimisers (`torch.optim`).

use crate::error::{Result, bail};
use crate::param::Parameter;

/// Stochastic gradient descent: `p ← p − lr · p.grad` for every parameter that has a gradient,
/// like `torch.optim.SGD` without momentum.
///
/// ```
/// use d2l::prelude::*;
/// let p = Parameter::new(Tensor::new(&[2f32])?)?;
/// let mut opt = SGD::new(vec![p.clone()], 0.1)?;
/// p.tensor()?.square()?.sum()?.backward()?;   // d(p²)/dp = 4
/// opt.step()?;
/// assert!((p.data()?.item()? - 1.6).abs() < 1e-6);
/// # Ok::<(), d2l::Error>(())
/// ```
pub struct SGD {
    params: Vec<Parameter>,
    lr: f64,
}

impl SGD {
    /// An optimiser over `params` with learning rate `lr`. A parameter listed twice is kept once.
    /// As in PyTorch, a negative learning rate and an empty parameter list are errors.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(2, 1)?];
    /// let opt = SGD::new(net.parameters(), 0.03)?;
    /// assert_eq!(opt.lr(), 0.03);
    /// assert_eq!(SGD::new(net.parameters(), -1.0).unwrap_err().to_string(),
    ///            "Invalid learning rate: -1.0");
    /// assert_eq!(SGD::new(vec![], 0.1).unwrap_err().to_string(),
    ///            "optimizer got an empty parameter list");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn new(params: Vec<Parameter>, lr: f64) -> Result<Self> {
        if lr < 0.0 {
            bail!(
                ValueError,
                "Invalid learning rate: {}",
                crate::fmt::float_repr(lr)
            );
        }
        if params.is_empty() {
            bail!(ValueError, "optimizer got an empty parameter list");
        }
        let mut unique: Vec<Parameter> = Vec::new();
        for p in params {
            if !unique.iter().any(|q| q.same_as(&p)) {
                unique.push(p);
            }
        }
        Ok(SGD { params: unique, lr })
    }

    /// The learning rate.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(1)?)?;
    /// assert_eq!(d2l::optim::SGD::new(vec![p], 0.5)?.lr(), 0.5);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Takes one step along the negative gradient.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(1)?)?;
    /// let mut opt = d2l::optim::SGD::new(vec![p], 0.1)?;
    /// opt.step()?; // no gradient yet: nothing changes
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn step(&mut self) -> Result<()> {
        for p in &self.params {
            if let Some(g) = p.grad() {
                let lr = self.lr;
                p.update_(|w| w.sub(&g.mul(lr)?))?;
            }
        }
        Ok(())
    }

    /// Sets every gradient to `None`.
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(1)?)?;
    /// let mut opt = d2l::optim::SGD::new(vec![p], 0.1)?;
    /// opt.zero_grad();
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn zero_grad(&mut self) {
        for p in &self.params {
            p.zero_grad();
        }
    }
}

impl std::fmt::Display for SGD {
    /// As PyTorch prints an `SGD` with its defaults (this one has no momentum, dampening, weight
    /// decay or Nesterov step: exactly those defaults).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(1)?)?;
    /// let text = d2l::optim::SGD::new(vec![p], 1e-5)?.to_string();
    /// assert!(text.starts_with("SGD (\nParameter Group 0\n") && text.contains("    lr: 1e-05\n"));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lr = crate::fmt::float_repr(self.lr);
        write!(
            f,
            "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    \
             foreach: None\n    fused: None\n    lr: {lr}\n    maximize: False\n    \
             momentum: 0\n    nesterov: False\n    weight_decay: 0\n)"
        )
    }
}

impl std::fmt::Debug for SGD {
    /// The same text as `{}` (what a notebook cell ending in an optimiser shows).
    ///
    /// ```
    /// let p = d2l::Parameter::new(d2l::Tensor::zeros(1)?)?;
    /// let opt = d2l::optim::SGD::new(vec![p], 0.1)?;
    /// assert_eq!(format!("{opt:?}"), opt.to_string());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
