//! Losses and functions without parameters (`torch.nn.functional`).

use crate::{Result, Tensor, bail};

/// The mean squared error `mean((input - target)²)`, like `F.mse_loss`.
///
/// ```
/// use d2l::prelude::*;
/// let loss = d2l::nn::functional::mse_loss(&Tensor::new(&[1f32, 3.0])?, &Tensor::new(&[0f32, 1.0])?)?;
/// assert_eq!(loss.item()?, 2.5);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn mse_loss(input: &Tensor, target: &Tensor) -> Result<Tensor> {
    if input.dims() != target.dims() {
        bail!(
            "mse_loss: the input shape {} and the target shape {} differ",
            input.shape(),
            target.shape()
        );
    }
    let d = input.as_candle().broadcast_sub(target.as_candle())?;
    Ok(Tensor::derived(d.sqr()?.mean_all()?, "MseLossBackward0"))
}

/// `max(x, 0)` elementwise.
///
/// ```
/// let y = d2l::nn::functional::relu(&d2l::Tensor::new(&[-2f32])?)?;
/// assert_eq!(y.to_vec()?, vec![0.0]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn relu(x: &Tensor) -> Result<Tensor> {
    x.relu()
}
