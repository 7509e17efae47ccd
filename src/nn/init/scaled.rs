//! Xavier (Glorot) and Kaiming (He) initialisation: a uniform or normal draw whose scale comes
//! from the parameter's fan-in and fan-out.

use super::*;

/// Xavier (Glorot) uniform with gain 1: U(-a, a) with `a = √(6 / (fan_in + fan_out))`. See
/// [`xavier_uniform_with_`].
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::xavier_uniform_(&w)?;
/// let a = (6.0f32 / 12.0).sqrt();
/// assert!(w.values_f32()?.iter().all(|x| x.abs() <= a));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_uniform_(p: &Parameter) -> Result<()> {
    xavier_uniform_with_(p, 1.0)
}

/// Xavier (Glorot) uniform: U(-a, a) with
/// `a = gain · √(6 / (fan_in + fan_out))` (Glorot & Bengio, 2010).
///
/// Choosing the variance `gain² · 2 / (fan_in + fan_out)` balances the variance of the
/// activations going forward and of the gradients going back; a uniform distribution on
/// (-a, a) has variance a²/3, hence the bound. The fans come from
/// [`calculate_fan_in_and_fan_out`], so the parameter needs at least 2 dimensions.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// let gain = init::calculate_gain("relu", None)?;
/// init::xavier_uniform_with_(&w, gain)?;
/// let a = gain as f32 * (6.0f32 / 12.0).sqrt();
/// assert!(w.values_f32()?.iter().all(|x| x.abs() <= a));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_uniform_with_(p: &Parameter, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = fans(&p.shape()?)?;
    let std = gain * xavier_scale(fan_in, fan_out)?;
    let a = 3f64.sqrt() * std;
    draw_uniform(p, -a, a)
}

/// √(2 / (fan_in + fan_out)), failing like Python when both fans are 0.
fn xavier_scale(fan_in: usize, fan_out: usize) -> Result<f64> {
    if fan_in + fan_out == 0 {
        bail!(ZeroDivisionError, "float division by zero");
    }
    Ok((2.0 / (fan_in + fan_out) as f64).sqrt())
}

/// Xavier (Glorot) normal with gain 1: N(0, std²) with `std = √(2 / (fan_in + fan_out))`. See
/// [`xavier_normal_with_`].
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::xavier_normal_(&w)?;
/// assert!(w.values_f32()?.iter().any(|&x| x != 0.0));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_normal_(p: &Parameter) -> Result<()> {
    xavier_normal_with_(p, 1.0)
}

/// Xavier (Glorot) normal: N(0, std²) with `std = gain · √(2 / (fan_in + fan_out))`, the
/// same variance as [`xavier_uniform_with_`] from a bell curve instead of a flat one.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::xavier_normal_with_(&w, 0.5)?;
/// assert!(w.values_f32()?.iter().any(|&x| x != 0.0));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_normal_with_(p: &Parameter, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = fans(&p.shape()?)?;
    let std = gain * xavier_scale(fan_in, fan_out)?;
    draw_normal(p, 0.0, std)
}

// ---------------------------------------------------------------------------------------------
// Kaiming (He).

/// The optional arguments of [`kaiming_uniform_with_`] and [`kaiming_normal_with_`].
/// `KaimingOptions::default()` is PyTorch's default: `a = 0`, `mode = FanIn`,
/// `nonlinearity = "leaky_relu"` (which, with `a = 0`, is the gain √2 of a ReLU).
///
/// ```
/// use d2l::nn::init::{FanMode, KaimingOptions};
/// let opts = KaimingOptions { mode: FanMode::FanOut, nonlinearity: "relu", ..Default::default() };
/// assert_eq!(opts.a, 0.0);
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KaimingOptions<'a> {
    /// The negative slope of the leaky ReLU that follows the layer (used with `"leaky_relu"`
    /// only).
    pub a: f64,
    /// Which fan to divide by.
    pub mode: FanMode,
    /// The nonlinearity's name, as for [`calculate_gain`].
    pub nonlinearity: &'a str,
}

impl Default for KaimingOptions<'_> {
    fn default() -> Self {
        KaimingOptions {
            a: 0.0,
            mode: FanMode::FanIn,
            nonlinearity: "leaky_relu",
        }
    }
}

/// The standard deviation gain / √fan of the Kaiming initialisations; `None` for an empty
/// parameter (a no-op, with PyTorch's warning).
fn kaiming_std(p: &Parameter, opts: &KaimingOptions<'_>) -> Result<Option<f64>> {
    let dims = p.shape()?.0;
    if dims.contains(&0) {
        user_warning("Initializing zero-element tensors is a no-op");
        return Ok(None);
    }
    let (fan_in, fan_out) = fans(&dims)?;
    let fan = match opts.mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    let gain = calculate_gain(opts.nonlinearity, Some(opts.a))?;
    Ok(Some(gain / (fan as f64).sqrt()))
}

/// Kaiming (He) uniform with PyTorch's defaults (`a = 0`, fan-in, `"leaky_relu"`):
/// U(-b, b) with `b = √2 · √(3 / fan_in) = √(6 / fan_in)`. See [`kaiming_uniform_with_`].
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::kaiming_uniform_(&w)?;
/// let b = (6.0f32 / 4.0).sqrt();
/// assert!(w.values_f32()?.iter().all(|x| x.abs() <= b));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_uniform_(p: &Parameter) -> Result<()> {
    kaiming_uniform_with_(p, KaimingOptions::default())
}

/// Kaiming (He) uniform: U(-b, b) with `b = gain · √(3 / fan)` (He et al., 2015), where
/// `gain = calculate_gain(nonlinearity, a)` and `fan` is the fan-in or the fan-out (`mode`).
///
/// The variance b²/3 = gain² / fan keeps the size of the signals through layers followed by
/// (leaky) ReLUs. `nn.Linear`'s own default is this with `a = √5`, which gives b = 1/√fan_in.
///
/// ```
/// use d2l::nn::init::{self, FanMode, KaimingOptions};
/// use d2l::{Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::kaiming_uniform_with_(&w, KaimingOptions { a: 5f64.sqrt(), ..Default::default() })?;
/// assert!(w.values_f32()?.iter().all(|x| x.abs() <= 0.5)); // 1/√4
/// let opts = KaimingOptions { mode: FanMode::FanOut, nonlinearity: "relu", ..Default::default() };
/// init::kaiming_uniform_with_(&w, opts)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_uniform_with_(p: &Parameter, opts: KaimingOptions<'_>) -> Result<()> {
    match kaiming_std(p, &opts)? {
        Some(std) => {
            let bound = 3f64.sqrt() * std;
            draw_uniform(p, -bound, bound)
        }
        None => Ok(()),
    }
}

/// Kaiming (He) normal with PyTorch's defaults (`a = 0`, fan-in, `"leaky_relu"`):
/// N(0, std²) with `std = √2 / √fan_in`. See [`kaiming_normal_with_`].
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::kaiming_normal_(&w)?;
/// assert!(w.values_f32()?.iter().any(|&x| x != 0.0));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_normal_(p: &Parameter) -> Result<()> {
    kaiming_normal_with_(p, KaimingOptions::default())
}

/// Kaiming (He) normal: N(0, std²) with `std = gain / √fan`, where
/// `gain = calculate_gain(nonlinearity, a)` and `fan` is the fan-in or the fan-out (`mode`).
///
/// ```
/// use d2l::nn::init::{self, FanMode, KaimingOptions};
/// use d2l::{Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// let opts = KaimingOptions { mode: FanMode::FanOut, nonlinearity: "relu", ..Default::default() };
/// init::kaiming_normal_with_(&w, opts)?;
/// let err = init::kaiming_normal_with_(&w, KaimingOptions { nonlinearity: "gelu", ..opts });
/// assert_eq!(err.unwrap_err().to_string(), "Unsupported nonlinearity gelu");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_normal_with_(p: &Parameter, opts: KaimingOptions<'_>) -> Result<()> {
    match kaiming_std(p, &opts)? {
        Some(std) => draw_normal(p, 0.0, std),
        None => Ok(()),
    }
}
