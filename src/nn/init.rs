//! Parameter initialisation (`torch.nn.init`). (Being completed.)

use crate::{Parameter, Result, Tensor, bail};

/// The recommended gain for a nonlinearity.
///
/// ```
/// assert_eq!(d2l::nn::init::calculate_gain("tanh", None)?, 5.0 / 3.0);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn calculate_gain(nonlinearity: &str, param: Option<f64>) -> Result<f64> {
    Ok(match nonlinearity {
        "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d"
        | "conv_transpose3d" | "sigmoid" => 1.0,
        "tanh" => 5.0 / 3.0,
        "relu" => 2f64.sqrt(),
        "leaky_relu" => {
            let s = param.unwrap_or(0.01);
            (2.0 / (1.0 + s * s)).sqrt()
        }
        "selu" => 0.75,
        _ => bail!("Unsupported nonlinearity {nonlinearity}"),
    })
}

fn fill(p: &Parameter, f: impl FnOnce(usize) -> Vec<f32>) -> Result<()> {
    let shape = p.shape()?;
    let v = f(shape.numel());
    p.set_data(&Tensor::from_vec(v, shape.0)?)
}

/// Fills with values from U(a, b).
///
/// ```
/// let p = d2l::Parameter::new(d2l::Tensor::zeros(4)?)?;
/// d2l::nn::init::uniform_(&p, -10.0, 10.0)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn uniform_(p: &Parameter, a: f64, b: f64) -> Result<()> {
    fill(p, |n| crate::rng::with_global(|g| g.uniform_f32(n, a, b)))
}

/// Fills with values from N(mean, std²).
///
/// ```
/// let p = d2l::Parameter::new(d2l::Tensor::zeros(4)?)?;
/// d2l::nn::init::normal_(&p, 0.0, 0.01)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn normal_(p: &Parameter, mean: f64, std: f64) -> Result<()> {
    fill(p, |n| {
        crate::rng::with_global(|g| g.normal_f32(n, mean, std))
    })
}

/// Fills with `val`.
///
/// ```
/// let p = d2l::Parameter::new(d2l::Tensor::zeros(2)?)?;
/// d2l::nn::init::constant_(&p, 42.0)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn constant_(p: &Parameter, val: f64) -> Result<()> {
    p.fill_(val)
}

/// Fills with zeros.
///
/// ```
/// let p = d2l::Parameter::new(d2l::Tensor::ones(2)?)?;
/// d2l::nn::init::zeros_(&p)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn zeros_(p: &Parameter) -> Result<()> {
    p.fill_(0.0)
}

/// Xavier (Glorot) uniform init.
///
/// ```
/// let p = d2l::Parameter::new(d2l::Tensor::zeros((8, 4))?)?;
/// d2l::nn::init::xavier_uniform_(&p)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_uniform_(p: &Parameter) -> Result<()> {
    let s = p.shape()?;
    if s.len() < 2 {
        bail!("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    }
    let rf: usize = s[2..].iter().product();
    let (fan_in, fan_out) = (s[1] * rf, s[0] * rf);
    let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
    uniform_(p, -a, a)
}
