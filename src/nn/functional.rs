//! Losses and functions without parameters (`torch.nn.functional`).

use crate::error::Result;
use crate::tensor::Tensor;

/// The mean squared error `mean((input - target)²)`, like `F.mse_loss`.
///
/// ```
/// use d2l::prelude::*;
/// let loss = d2l::nn::functional::mse_loss(&Tensor::new(&[1f32, 3.0])?, &Tensor::new(&[0f32, 1.0])?)?;
/// assert_eq!(loss.item()?, 2.5);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn mse_loss(input: &Tensor, target: &Tensor) -> Result<Tensor> {
    if input.candle().dims() != target.candle().dims() {
        // PyTorch broadcasts the two (and warns that this is probably a mistake).
        crate::tensor::broadcast_shape(input.candle().dims(), target.candle().dims())?;
        eprintln!(
            "UserWarning: Using a target size ({}) that is different to the input size ({}). \
             This will likely lead to incorrect results due to broadcasting. Please ensure \
             they have the same size.",
            target.shape(),
            input.shape()
        );
    }
    let d = input.sub(target)?;
    let d = d.candle();
    let y = if d.elem_count() == 0 {
        (d.sum_all()? * f64::NAN)?
    } else {
        d.sqr()?.mean_all()?
    };
    Ok(Tensor::derived(y, "MseLossBackward0", &[input, target]))
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
