//! Activation layers: `ReLU`, `Sigmoid`, `Tanh`, `Identity`.

use super::module::Module;
use crate::{Result, Tensor};

/// `max(x, 0)` elementwise, like `torch.nn.ReLU`.
///
/// ```
/// use d2l::prelude::*;
/// let y = ReLU.forward(&Tensor::new(&[-1f32, 2.0])?)?;
/// assert_eq!(y.to_vec()?, vec![0.0, 2.0]);
/// assert_eq!(ReLU.to_string(), "ReLU()");
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, Default)]
pub struct ReLU;

impl Module for ReLU {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.relu()
    }
    fn deep_copy_module(&self) -> Result<Box<dyn Module>> {
        Ok(Box::new(ReLU))
    }
}

/// `1 / (1 + e^{-x})` elementwise, like `torch.nn.Sigmoid`.
///
/// ```
/// use d2l::prelude::*;
/// let y = Sigmoid.forward(&Tensor::zeros(1)?)?;
/// assert_eq!(y.to_vec()?, vec![0.5]);
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, Default)]
pub struct Sigmoid;

impl Module for Sigmoid {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = candle_nn::ops::sigmoid(x.as_candle())?;
        Ok(Tensor::derived(y, "SigmoidBackward0"))
    }
    fn deep_copy_module(&self) -> Result<Box<dyn Module>> {
        Ok(Box::new(Sigmoid))
    }
}

/// `tanh(x)` elementwise, like `torch.nn.Tanh`.
///
/// ```
/// use d2l::prelude::*;
/// let y = Tanh.forward(&Tensor::zeros(1)?)?;
/// assert_eq!(y.to_vec()?, vec![0.0]);
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, Default)]
pub struct Tanh;

impl Module for Tanh {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(Tensor::derived(x.as_candle().tanh()?, "TanhBackward0"))
    }
    fn deep_copy_module(&self) -> Result<Box<dyn Module>> {
        Ok(Box::new(Tanh))
    }
}

/// Returns its input, like `torch.nn.Identity`.
///
/// ```
/// use d2l::prelude::*;
/// let x = Tensor::ones(2)?;
/// assert!(Identity.forward(&x)?.equal(&x));
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, Default)]
pub struct Identity;

impl Module for Identity {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.clone())
    }
    fn deep_copy_module(&self) -> Result<Box<dyn Module>> {
        Ok(Box::new(Identity))
    }
}

crate::impl_module_display!(ReLU, Sigmoid, Tanh, Identity);
