//! Parameter initialisation: the whole `torch.nn.init` catalogue.
//!
//! Every function writes new values into a [`Parameter`] **in place**, so every handle to that
//! parameter (a clone, the same layer used twice in a network, the entry of
//! `named_parameters`) sees them, exactly as PyTorch's `nn.init.*_` functions change the tensor
//! they are given. The random ones draw from the global generator that
//! [`manual_seed`](crate::manual_seed) seeds, in PyTorch's order and by PyTorch's method, so
//! after the same seed they give PyTorch's numbers (CPU, float32): bit for bit for the
//! uniform-based ones and `sparse_`'s zeros, to float32 rounding for the normal-based ones, and
//! to about 1e-7 for `orthogonal_`, whose QR decomposition is computed here in float64.
//! Arguments are checked as PyTorch checks them, before anything is drawn: a mistake is an
//! error with PyTorch's message that leaves the parameter (and the generator) unchanged.
//!
//! | function | values | PyTorch |
//! |---|---|---|
//! | [`uniform_`]`(p, a, b)` | U(a, b) | `uniform_(t, a, b)` |
//! | [`normal_`]`(p, mean, std)` | N(mean, std²) | `normal_(t, mean, std)` |
//! | [`trunc_normal_`]`(p, mean, std, a, b)` | N(mean, std²) restricted to [a, b] | `trunc_normal_(t, mean, std, a, b)` |
//! | [`constant_`]`(p, val)`, [`ones_`], [`zeros_`] | a constant | `constant_`, `ones_`, `zeros_` |
//! | [`eye_`]`(p)` | the identity matrix | `eye_(t)` |
//! | [`dirac_`]`(p, groups)` | the identity convolution kernel | `dirac_(t, groups)` |
//! | [`xavier_uniform_`]`(p)`, [`xavier_uniform_with`]`(p, gain)` | U(-a, a), a = gain·√(6 / (fan_in + fan_out)) | `xavier_uniform_(t, gain)` |
//! | [`xavier_normal_`]`(p)`, [`xavier_normal_with`]`(p, gain)` | N(0, std²), std = gain·√(2 / (fan_in + fan_out)) | `xavier_normal_(t, gain)` |
//! | [`kaiming_uniform_`]`(p)`, [`kaiming_uniform_with`]`(p, opts)` | U(-b, b), b = gain·√(3 / fan) | `kaiming_uniform_(t, a, mode, nonlinearity)` |
//! | [`kaiming_normal_`]`(p)`, [`kaiming_normal_with`]`(p, opts)` | N(0, std²), std = gain / √fan | `kaiming_normal_(t, a, mode, nonlinearity)` |
//! | [`orthogonal_`]`(p, gain)` | a (semi-)orthogonal matrix times gain | `orthogonal_(t, gain)` |
//! | [`sparse_`]`(p, sparsity, std)` | N(0, std²) with a fraction of each column zeroed | `sparse_(t, sparsity, std)` |
//!
//! plus [`calculate_gain`] and [`calculate_fan_in_and_fan_out`].
//!
//! # Arguments and PyTorch's defaults
//!
//! Rust has no default arguments, so the rule is:
//!
//! * `xavier_*` and `kaiming_*`, which are usually called with the tensor alone, have a short
//!   form that uses PyTorch's defaults (`xavier_uniform_(&w)` is gain 1;
//!   `kaiming_uniform_(&w)` is `a = 0`, `mode = "fan_in"`, `nonlinearity = "leaky_relu"`) and a
//!   `_with` form for the rest: `xavier_uniform_with(&w, gain)`,
//!   `kaiming_uniform_with(&w, KaimingOptions { .. })`, where [`KaimingOptions`] implements
//!   `Default` with PyTorch's defaults.
//! * Every other function takes all of PyTorch's arguments, in PyTorch's order. PyTorch's
//!   defaults, to write out when you want them: `uniform_(p, 0.0, 1.0)`,
//!   `normal_(p, 0.0, 1.0)`, `trunc_normal_(p, 0.0, 1.0, -2.0, 2.0)`, `dirac_(p, 1)`,
//!   `orthogonal_(p, 1.0)`, `sparse_(p, sparsity, 0.01)`.
//!
//! PyTorch's optional `generator=` argument is not offered: the draws always come from the
//! global generator.
//!
//! # Zero-element tensors
//!
//! Initialising a tensor without elements changes nothing, as in PyTorch. The dimension checks
//! still apply first, as they do in PyTorch (`eye_` on a 3-D tensor is an error even if it is
//! empty), with PyTorch's two quirks: `kaiming_*` return before looking at the shape at all
//! and print PyTorch's warning `Initializing zero-element tensors is a no-op` to stderr, and
//! `xavier_*` on a tensor whose fan-in and fan-out are both 0 (like `[0, 0]`) fail with
//! Python's `float division by zero`.
//!
//! # A custom initialisation with `apply`
//!
//! The book's `my_init` fills each `Linear` weight from U(-10, 10) and then zeroes every value
//! whose magnitude is below 5 (`w *= w.abs() >= 5`; a boolean mask multiplies as 0/1):
//!
//! ```
//! use d2l::prelude::*;
//! manual_seed(0);
//! let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
//! net.apply(|m| {
//!     if m.is::<Linear>() {
//!         let w = m.weight()?;
//!         println!("Init weight {}", w.shape()?);
//!         init::uniform_(&w, -10.0, 10.0)?;
//!         w.update(|w| w.mul(&w.abs()?.ge(5.0)?))?;
//!     }
//!     Ok(())
//! })?;
//! let w = net[0].weight()?.values_f32()?;
//! assert!(w.iter().all(|&x| x == 0.0 || (5.0..=10.0).contains(&x.abs())));
//! assert!(w.iter().any(|&x| x == 0.0) && w.iter().any(|&x| x != 0.0));
//! # Ok::<(), d2l::Error>(())
//! ```

use crate::rng::Generator;
use crate::{Error, Parameter, Result, bail};
use candle_core::{DType, Device};
use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// Plumbing: reading the parameter's shape and type, writing values back.

/// The values of one initialisation, in the parameter's own precision.
enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Shape of the parameter and whether it stores float64 (otherwise float32).
fn shape_and_f64(p: &Parameter) -> Result<(Vec<usize>, bool)> {
    let dims = p.shape()?.0;
    let is_f64 = p.data()?.dtype() == DType::F64;
    Ok((dims, is_f64))
}

fn write(p: &Parameter, dims: &[usize], values: Values) -> Result<()> {
    let t = match values {
        Values::F32(v) => candle_core::Tensor::from_vec(v, dims, &Device::Cpu)?,
        Values::F64(v) => candle_core::Tensor::from_vec(v, dims, &Device::Cpu)?,
    };
    p.set_data(&t.into())
}

/// Writes values computed in float64 (exact for the constants of `eye_`/`dirac_`).
fn write_f64(p: &Parameter, dims: &[usize], values: Vec<f64>) -> Result<()> {
    write(p, dims, Values::F64(values))
}

/// One random fill of the whole parameter: `f32` or `f64` is called, matching its dtype, with
/// the global generator and the number of elements.
fn fill_random(
    p: &Parameter,
    f32_draw: impl FnOnce(&mut Generator, usize) -> Vec<f32>,
    f64_draw: impl FnOnce(&mut Generator, usize) -> Vec<f64>,
) -> Result<()> {
    let (dims, is_f64) = shape_and_f64(p)?;
    let n = dims.iter().product();
    let values = crate::rng::with_global(|g| {
        if is_f64 {
            Values::F64(f64_draw(g, n))
        } else {
            Values::F32(f32_draw(g, n))
        }
    });
    write(p, &dims, values)
}

/// PyTorch's `tensor.uniform_(a, b)` on the whole parameter, with its argument checks.
fn draw_uniform(p: &Parameter, a: f64, b: f64) -> Result<()> {
    let (_, is_f64) = shape_and_f64(p)?;
    if is_f64 {
        crate::rng::check_uniform_f64(a, b)?;
    } else {
        crate::rng::check_uniform_f32(a, b)?;
    }
    fill_random(
        p,
        |g, n| g.uniform_f32(n, a, b),
        |g, n| g.uniform_f64(n, a, b),
    )
}

/// PyTorch's `tensor.normal_(mean, std)` on the whole parameter, with its argument check.
fn draw_normal(p: &Parameter, mean: f64, std: f64) -> Result<()> {
    crate::rng::check_normal(std)?;
    fill_random(
        p,
        |g, n| g.normal_f32(n, mean, std),
        |g, n| g.normal_f64(n, mean, std),
    )
}

fn user_warning(message: &str) {
    eprintln!("UserWarning: {message}");
}

// ---------------------------------------------------------------------------------------------
// Gains and fans.

/// The recommended gain for a nonlinearity: the factor by which an initialisation scales its
/// standard deviation so that signals keep their size through that nonlinearity.
///
/// | `nonlinearity` | gain |
/// |---|---|
/// | `"linear"`, `"conv1d"`, `"conv2d"`, `"conv3d"`, `"conv_transpose1d"`, `"conv_transpose2d"`, `"conv_transpose3d"`, `"sigmoid"` | 1 |
/// | `"tanh"` | 5/3 |
/// | `"relu"` | √2 |
/// | `"leaky_relu"` | √(2 / (1 + slope²)), where `param` is the negative slope (default 0.01) |
/// | `"selu"` | 3/4 |
///
/// `param` is used by `"leaky_relu"` only. Any other name is an error
/// (`Unsupported nonlinearity {name}`); names are case-sensitive, as in PyTorch.
///
/// ```
/// use d2l::nn::init::calculate_gain;
/// assert_eq!(calculate_gain("tanh", None)?, 5.0 / 3.0);
/// assert_eq!(calculate_gain("relu", None)?, 2f64.sqrt());
/// assert_eq!(calculate_gain("leaky_relu", Some(10.0))?, 0.14071950894605836);
/// assert_eq!(calculate_gain("swish", None).unwrap_err().to_string(), "Unsupported nonlinearity swish");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn calculate_gain(nonlinearity: &str, param: Option<f64>) -> Result<f64> {
    Ok(match nonlinearity {
        "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d"
        | "conv_transpose3d" | "sigmoid" => 1.0,
        "tanh" => 5.0 / 3.0,
        "relu" => 2f64.sqrt(),
        "leaky_relu" => {
            let slope = param.unwrap_or(0.01);
            (2.0 / (1.0 + slope * slope)).sqrt()
        }
        "selu" => 3.0 / 4.0,
        _ => bail!(ValueError, "Unsupported nonlinearity {nonlinearity}"),
    })
}

fn fans(dims: &[usize]) -> Result<(usize, usize)> {
    if dims.len() < 2 {
        bail!(
            ValueError,
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        );
    }
    let receptive_field: usize = dims[2..].iter().product();
    Ok((dims[1] * receptive_field, dims[0] * receptive_field))
}

/// `(fan_in, fan_out)` of a weight: for shape `[out, in, k1, k2, ...]`,
/// `fan_in = in·k1·k2·…` and `fan_out = out·k1·k2·…` (a `Linear` weight `[out, in]` has
/// `fan_in = in`). Fewer than 2 dimensions is an error, as in PyTorch.
///
/// ```
/// use d2l::{nn::init::calculate_fan_in_and_fan_out, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// assert_eq!(calculate_fan_in_and_fan_out(&w)?, (4, 8));
/// let conv = Parameter::new(Tensor::zeros((16, 3, 5, 5))?)?;
/// assert_eq!(calculate_fan_in_and_fan_out(&conv)?, (75, 400));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn calculate_fan_in_and_fan_out(p: &Parameter) -> Result<(usize, usize)> {
    fans(&p.shape()?)
}

/// Which fan the Kaiming initialisations divide by: `FanIn` (the default) keeps the variance
/// of the activations in the forward pass, `FanOut` that of the gradients in the backward pass.
///
/// It parses from PyTorch's strings, ignoring case:
///
/// ```
/// use d2l::nn::init::FanMode;
/// assert_eq!("fan_out".parse::<FanMode>()?, FanMode::FanOut);
/// assert_eq!("FAN_IN".parse::<FanMode>()?, FanMode::FanIn);
/// assert_eq!(FanMode::default(), FanMode::FanIn);
/// assert_eq!(FanMode::FanOut.to_string(), "fan_out");
/// assert_eq!("fan_avg".parse::<FanMode>().unwrap_err().to_string(),
///            "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']");
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FanMode {
    /// Divide by the number of inputs of a unit (`"fan_in"`).
    #[default]
    FanIn,
    /// Divide by the number of outputs of a unit (`"fan_out"`).
    FanOut,
}

impl FromStr for FanMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let mode = s.to_lowercase();
        match mode.as_str() {
            "fan_in" => Ok(FanMode::FanIn),
            "fan_out" => Ok(FanMode::FanOut),
            _ => bail!(
                ValueError,
                "Mode {mode} not supported, please use one of ['fan_in', 'fan_out']"
            ),
        }
    }
}

impl fmt::Display for FanMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FanMode::FanIn => "fan_in",
            FanMode::FanOut => "fan_out",
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Plain distributions and constants.

/// Fills the parameter with independent draws from the uniform distribution U(a, b): every
/// value in [a, b) is equally likely.
///
/// As in PyTorch, `a > b` is an error and the bounds must be finite numbers of the
/// parameter's precision.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// d2l::manual_seed(0);
/// let w = Parameter::new(Tensor::zeros((2, 4))?)?;
/// init::uniform_(&w, -10.0, 10.0)?;
/// assert!(w.values_f32()?.iter().all(|x| (-10.0..10.0).contains(x)));
/// assert_eq!(init::uniform_(&w, 5.0, 3.0).unwrap_err().to_string(),
///            "uniform_ expects to return a [from, to) range, but found from=5 > to=3");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn uniform_(p: &Parameter, a: f64, b: f64) -> Result<()> {
    draw_uniform(p, a, b)
}

/// Fills the parameter with independent draws from the normal distribution N(mean, std²),
/// the bell curve centred on `mean` whose standard deviation is `std`.
///
/// A negative `std` is an error, as in PyTorch.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// d2l::manual_seed(0);
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::normal_(&w, 0.0, 0.01)?;
/// assert!(w.values_f32()?.iter().all(|x| x.abs() < 0.1));
/// assert_eq!(init::normal_(&w, 0.0, -1.0).unwrap_err().to_string(),
///            "normal expects std >= 0.0, but found std -1");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn normal_(p: &Parameter, mean: f64, std: f64) -> Result<()> {
    draw_normal(p, mean, std)
}

/// Fills the parameter from the truncated normal distribution: N(mean, std²) conditioned on
/// lying in [a, b], i.e. its density is the normal density on [a, b], rescaled to integrate to
/// 1, and 0 outside. (PyTorch's default bounds are a = -2, b = 2.)
///
/// The sampling is PyTorch's: when [a, b] holds more than 30% of the normal's mass, values are
/// drawn from N(mean, std²) and those outside [a, b] drawn again; otherwise proposals from
/// U(a, b) are accepted with probability proportional to the normal density. A `mean` more
/// than 2 `std` outside [a, b] prints PyTorch's warning; `std = 0` fails like PyTorch's
/// division by zero. On a float64 parameter the values are drawn in float32 precision.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// d2l::manual_seed(0);
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::trunc_normal_(&w, 0.0, 1.0, -2.0, 2.0)?;
/// assert!(w.values_f32()?.iter().all(|x| (-2.0..=2.0).contains(x)));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn trunc_normal_(p: &Parameter, mean: f64, std: f64, a: f64, b: f64) -> Result<()> {
    p.shape()?;
    if mean < a - 2.0 * std || mean > b + 2.0 * std {
        user_warning(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. \
             The distribution of values may be incorrect.",
        );
    }
    crate::rng::check_trunc_normal(mean, std, a, b)?;
    fill_random(
        p,
        |g, n| g.trunc_normal_f32(n, mean, std, a, b),
        |g, n| {
            g.trunc_normal_f32(n, mean, std, a, b)
                .into_iter()
                .map(f64::from)
                .collect()
        },
    )
}

/// Sets every element to `val`.
///
/// A finite `val` too large for a float32 parameter is an error, as in PyTorch.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((2, 2))?)?;
/// init::constant_(&w, 42.0)?;
/// assert_eq!(w.values_f32()?, [42.0; 4]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn constant_(p: &Parameter, val: f64) -> Result<()> {
    let (_, is_f64) = shape_and_f64(p)?;
    let max = f64::from(f32::MAX);
    if !is_f64 && val.is_finite() && !(-max..=max).contains(&val) {
        bail!("value cannot be converted to type float without overflow");
    }
    p.fill_(val)
}

/// Sets every element to 1.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros(3)?)?;
/// init::ones_(&w)?;
/// assert_eq!(w.values_f32()?, [1.0; 3]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn ones_(p: &Parameter) -> Result<()> {
    p.fill_(1.0)
}

/// Sets every element to 0.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let b = Parameter::new(Tensor::ones(3)?)?;
/// init::zeros_(&b)?;
/// assert_eq!(b.values_f32()?, [0.0; 3]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn zeros_(p: &Parameter) -> Result<()> {
    p.fill_(0.0)
}

/// Fills a 2-D parameter with the identity matrix: 1 where the row index equals the column
/// index, 0 elsewhere (a non-square matrix gets min(rows, cols) ones). A `Linear` layer with
/// this weight passes as many of its inputs through unchanged as it can.
///
/// Other ranks are an error: `Only tensors with 2 dimensions are supported`.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((2, 3))?)?;
/// init::eye_(&w)?;
/// assert_eq!(w.values_f32()?, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn eye_(p: &Parameter) -> Result<()> {
    let dims = p.shape()?.0;
    if dims.len() != 2 {
        bail!(ValueError, "Only tensors with 2 dimensions are supported");
    }
    let (rows, cols) = (dims[0], dims[1]);
    let mut v = vec![0.0; rows * cols];
    for i in 0..rows.min(cols) {
        v[i * cols + i] = 1.0;
    }
    write_f64(p, &dims, v)
}

/// Fills a convolution weight (3-, 4- or 5-D: `[out, in, k...]`) with the Dirac delta, the
/// kernel of the identity convolution: all zeros except a single 1 at the centre of the kernel
/// (index `k / 2` along each kernel axis) that links output channel `g·(out/groups) + d` to
/// input channel `d`, for each group `g` and each `d < min(out/groups, in)`. A convolution with
/// this weight copies as many input channels as it can to its output.
///
/// Errors, as in PyTorch: another rank (`Only tensors with 3, 4, or 5 dimensions are
/// supported`) and a `groups` that does not divide `out` (`dim 0 must be divisible by
/// groups`).
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((2, 2, 3))?)?;
/// init::dirac_(&w, 1)?;
/// assert_eq!(w.values_f32()?, [0.0, 1.0, 0.0,  0.0, 0.0, 0.0,
///                              0.0, 0.0, 0.0,  0.0, 1.0, 0.0]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn dirac_(p: &Parameter, groups: usize) -> Result<()> {
    let dims = p.shape()?.0;
    if !(3..=5).contains(&dims.len()) {
        bail!(
            ValueError,
            "Only tensors with 3, 4, or 5 dimensions are supported"
        );
    }
    if groups == 0 {
        bail!(ZeroDivisionError, "integer modulo by zero");
    }
    if dims[0] % groups != 0 {
        bail!(ValueError, "dim 0 must be divisible by groups");
    }
    let out_per_group = dims[0] / groups;
    let min_dim = out_per_group.min(dims[1]);
    let mut v = vec![0.0; dims.iter().product()];
    for g in 0..groups {
        for d in 0..min_dim {
            // Row-major offset of [g·out_per_group + d, d, k1/2, k2/2, ...].
            let mut index = vec![g * out_per_group + d, d];
            index.extend(dims[2..].iter().map(|k| k / 2));
            let flat = index.iter().zip(&dims).fold(0, |acc, (i, n)| acc * n + i);
            v[flat] = 1.0;
        }
    }
    write_f64(p, &dims, v)
}

// ---------------------------------------------------------------------------------------------
// Xavier (Glorot).

/// Xavier (Glorot) uniform with gain 1: U(-a, a) with `a = √(6 / (fan_in + fan_out))`. See
/// [`xavier_uniform_with`].
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
    xavier_uniform_with(p, 1.0)
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
/// init::xavier_uniform_with(&w, gain)?;
/// let a = gain as f32 * (6.0f32 / 12.0).sqrt();
/// assert!(w.values_f32()?.iter().all(|x| x.abs() <= a));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_uniform_with(p: &Parameter, gain: f64) -> Result<()> {
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
/// [`xavier_normal_with`].
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::xavier_normal_(&w)?;
/// assert!(w.values_f32()?.iter().any(|&x| x != 0.0));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_normal_(p: &Parameter) -> Result<()> {
    xavier_normal_with(p, 1.0)
}

/// Xavier (Glorot) normal: N(0, std²) with `std = gain · √(2 / (fan_in + fan_out))`, the
/// same variance as [`xavier_uniform_with`] from a bell curve instead of a flat one.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::xavier_normal_with(&w, 0.5)?;
/// assert!(w.values_f32()?.iter().any(|&x| x != 0.0));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn xavier_normal_with(p: &Parameter, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = fans(&p.shape()?)?;
    let std = gain * xavier_scale(fan_in, fan_out)?;
    draw_normal(p, 0.0, std)
}

// ---------------------------------------------------------------------------------------------
// Kaiming (He).

/// The optional arguments of [`kaiming_uniform_with`] and [`kaiming_normal_with`].
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
/// U(-b, b) with `b = √2 · √(3 / fan_in) = √(6 / fan_in)`. See [`kaiming_uniform_with`].
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
    kaiming_uniform_with(p, KaimingOptions::default())
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
/// init::kaiming_uniform_with(&w, KaimingOptions { a: 5f64.sqrt(), ..Default::default() })?;
/// assert!(w.values_f32()?.iter().all(|x| x.abs() <= 0.5)); // 1/√4
/// let opts = KaimingOptions { mode: FanMode::FanOut, nonlinearity: "relu", ..Default::default() };
/// init::kaiming_uniform_with(&w, opts)?;
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_uniform_with(p: &Parameter, opts: KaimingOptions<'_>) -> Result<()> {
    match kaiming_std(p, &opts)? {
        Some(std) => {
            let bound = 3f64.sqrt() * std;
            draw_uniform(p, -bound, bound)
        }
        None => Ok(()),
    }
}

/// Kaiming (He) normal with PyTorch's defaults (`a = 0`, fan-in, `"leaky_relu"`):
/// N(0, std²) with `std = √2 / √fan_in`. See [`kaiming_normal_with`].
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// init::kaiming_normal_(&w)?;
/// assert!(w.values_f32()?.iter().any(|&x| x != 0.0));
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_normal_(p: &Parameter) -> Result<()> {
    kaiming_normal_with(p, KaimingOptions::default())
}

/// Kaiming (He) normal: N(0, std²) with `std = gain / √fan`, where
/// `gain = calculate_gain(nonlinearity, a)` and `fan` is the fan-in or the fan-out (`mode`).
///
/// ```
/// use d2l::nn::init::{self, FanMode, KaimingOptions};
/// use d2l::{Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((8, 4))?)?;
/// let opts = KaimingOptions { mode: FanMode::FanOut, nonlinearity: "relu", ..Default::default() };
/// init::kaiming_normal_with(&w, opts)?;
/// let err = init::kaiming_normal_with(&w, KaimingOptions { nonlinearity: "gelu", ..opts });
/// assert_eq!(err.unwrap_err().to_string(), "Unsupported nonlinearity gelu");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn kaiming_normal_with(p: &Parameter, opts: KaimingOptions<'_>) -> Result<()> {
    match kaiming_std(p, &opts)? {
        Some(std) => draw_normal(p, 0.0, std),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Orthogonal and sparse.

/// Fills the parameter with a random (semi-)orthogonal matrix times `gain` (Saxe et al., 2013).
/// A parameter with more than 2 dimensions is treated as the matrix `rows × (numel / rows)`.
///
/// The matrix W satisfies `W Wᵀ = gain² I` when it has no more rows than columns, and
/// `Wᵀ W = gain² I` otherwise. It is drawn as PyTorch draws it: a `rows × cols` matrix of
/// N(0, 1) values (transposed if it is wide), its QR decomposition, and Q with each column
/// multiplied by the sign of the matching diagonal entry of R, which makes the result uniform
/// over orthogonal matrices. The QR is a Householder one computed in float64; on a large
/// matrix it uses all CPU cores, with a result that does not depend on how many there are.
///
/// Fewer than 2 dimensions is an error: `Only tensors with 2 or more dimensions are supported`.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((2, 3))?)?;
/// init::orthogonal_(&w, 1.0)?;
/// let v = w.values_f32()?;
/// let dot = |i: usize, j: usize| (0..3).map(|k| v[i * 3 + k] * v[j * 3 + k]).sum::<f32>();
/// assert!((dot(0, 0) - 1.0).abs() < 1e-6 && (dot(1, 1) - 1.0).abs() < 1e-6);
/// assert!(dot(0, 1).abs() < 1e-6);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn orthogonal_(p: &Parameter, gain: f64) -> Result<()> {
    let (dims, is_f64) = shape_and_f64(p)?;
    if dims.len() < 2 {
        bail!(
            ValueError,
            "Only tensors with 2 or more dimensions are supported"
        );
    }
    let numel: usize = dims.iter().product();
    if numel == 0 {
        return Ok(());
    }
    let rows = dims[0];
    let cols = numel / rows;
    let flat: Vec<f64> = crate::rng::with_global(|g| {
        if is_f64 {
            g.normal_f64(numel, 0.0, 1.0)
        } else {
            g.normal_f32(numel, 0.0, 1.0)
                .into_iter()
                .map(f64::from)
                .collect()
        }
    });
    // Factor the tall matrix, stored column after column: that is the draw itself when it is
    // wide (the tall matrix is its transpose), and the draw's transpose otherwise. Q comes
    // back column after column, which for a wide draw is already the row-major result.
    let q = if rows < cols {
        signed_q(flat, cols, rows)
    } else {
        let tall = transpose(&flat, rows, cols);
        drop(flat);
        transpose(&signed_q(tall, rows, cols), cols, rows)
    };
    let values = if is_f64 {
        Values::F64(q.into_iter().map(|x| x * gain).collect())
    } else {
        let gain = gain as f32;
        Values::F32(q.into_iter().map(|x| x as f32 * gain).collect())
    };
    write(p, &dims, values)
}

/// The transpose of a row-major `m × n` matrix, copied tile by tile so that reads and writes
/// both stay within a few cache lines.
fn transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    const TILE: usize = 32;
    let mut t = vec![0.0; m * n];
    for i0 in (0..m).step_by(TILE) {
        for j0 in (0..n).step_by(TILE) {
            for i in i0..(i0 + TILE).min(m) {
                for j in j0..(j0 + TILE).min(n) {
                    t[j * m + i] = a[i * n + j];
                }
            }
        }
    }
    t
}

/// PyTorch's sign: -1, 0 or 1.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Householder reflections are applied to the other columns this many at a time.
const QR_BLOCK: usize = 16;

/// Q of the reduced QR decomposition of the `m × n` matrix `a` (m ≥ n), stored column after
/// column, by Householder reflections, with column j multiplied by sign(R[j, j]). Q is
/// returned column after column too.
///
/// Every loop runs down a column, over contiguous memory. Each column goes through its own
/// fixed sequence of floating-point operations whichever thread handles it, so the result
/// does not depend on the number of threads.
fn signed_q(mut a: Vec<f64>, m: usize, n: usize) -> Vec<f64> {
    // Reflection k maps column k (from row k down) onto a multiple of the k-th unit vector;
    // it is I - 2 v vᵀ with a unit vector v that is zero above row k, or the identity (v = 0)
    // when that part of column k is already zero.
    let mut blocks: Vec<Block> = Vec::with_capacity(n.div_ceil(QR_BLOCK));
    let mut r_diag = vec![0.0; n];
    for k0 in (0..n).step_by(QR_BLOCK) {
        let k1 = (k0 + QR_BLOCK).min(n);
        let mut block = Block::new(m - k0);
        // Columns k0..k1: each gets this block's earlier reflections, then yields its own.
        for k in k0..k1 {
            let i = k - k0;
            let x = &mut a[k * m + k0..(k + 1) * m];
            for l in 0..i {
                reflect(x, l, block.v(l));
            }
            let x = &x[i..];
            let norm = dot(x, x).sqrt();
            if norm == 0.0 {
                continue;
            }
            // Reflect onto alpha = -sign(x₀)·‖x‖ to avoid cancellation in v₀ = x₀ - alpha;
            // alpha is R[k, k].
            let alpha = if x[0] > 0.0 { -norm } else { norm };
            let v = block.v_mut(i);
            v.copy_from_slice(x);
            v[0] -= alpha;
            let v_norm = dot(v, v).sqrt();
            v.iter_mut().for_each(|x| *x /= v_norm);
            r_diag[k] = alpha;
        }
        block.finish();
        // The block, first reflection to last, to every later column.
        let work = (n - k1) * (m - k0) * QR_BLOCK;
        for_each_column(&mut a[k1 * m..], m, work, |col| block.apply(col, false));
        blocks.push(block);
    }
    // Q = H₀ H₁ … Hₙ₋₁ applied to the first n columns of the identity. Hₖ leaves eⱼ alone
    // for k > j, so column j is H₀ … Hⱼ eⱼ: blocks from the last one down, each applied last
    // reflection first to the columns it reaches. The block's own columns k0..k1 see only
    // the reflections up to their own.
    drop(a);
    let mut q = vec![0.0; m * n];
    for j in 0..n {
        q[j * m + j] = 1.0;
    }
    for (b, block) in blocks.iter().enumerate().rev() {
        let k0 = b * QR_BLOCK;
        let k1 = (k0 + QR_BLOCK).min(n);
        let (own, later) = q[k0 * m..].split_at_mut((k1 - k0) * m);
        for (i, col) in own.chunks_exact_mut(m).enumerate() {
            for l in (0..=i).rev() {
                reflect(&mut col[k0..], l, block.v(l));
            }
        }
        let work = (n - k1) * (m - k0) * QR_BLOCK;
        for_each_column(later, m, work, |col| block.apply(col, true));
    }
    for (col, d) in q.chunks_exact_mut(m).zip(&r_diag) {
        let s = sign(*d);
        col.iter_mut().for_each(|x| *x *= s);
    }
    q
}

/// `QR_BLOCK` consecutive reflections k0, k0 + 1, …, acting on the last `rows` rows (rows
/// k0..) of columns.
struct Block {
    rows: usize,
    /// The vectors, `rows` values each; vector i is zero above its row i, and all zero for
    /// the identity (and past the last column of the matrix).
    v: Vec<f64>,
    /// The same vectors row after row: `QR_BLOCK` values per row.
    vt: Vec<f64>,
    /// gram[i][l] = vᵢ · vₗ for l < i.
    gram: [[f64; QR_BLOCK]; QR_BLOCK],
}

impl Block {
    fn new(rows: usize) -> Self {
        Self {
            rows,
            v: vec![0.0; rows * QR_BLOCK],
            vt: Vec::new(),
            gram: [[0.0; QR_BLOCK]; QR_BLOCK],
        }
    }

    /// Vector i, whole.
    fn col(&self, i: usize) -> &[f64] {
        &self.v[i * self.rows..(i + 1) * self.rows]
    }

    /// Vector i from its row i down (where it can be non-zero).
    fn v(&self, i: usize) -> &[f64] {
        &self.col(i)[i..]
    }

    fn v_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.v[i * self.rows + i..(i + 1) * self.rows]
    }

    /// Fills `vt` and `gram` once the vectors are final.
    fn finish(&mut self) {
        self.vt = transpose(&self.v, QR_BLOCK, self.rows);
        for i in 0..QR_BLOCK {
            for l in 0..i {
                self.gram[i][l] = dot(self.col(i), self.col(l));
            }
        }
    }

    /// Applies the reflections, first to last (last to first when `reverse`), to the last
    /// `rows` rows of the column `col`.
    ///
    /// With cᵢ = 2 vᵢ · (x after the reflections before i), the result is x minus the sum of
    /// the cᵢ vᵢ, and cᵢ = 2 (vᵢ · x - Σ cₗ vᵢ · vₗ) over those earlier l. So one pass over x
    /// takes all the dot products vᵢ · x, and a second one subtracts the cᵢ vᵢ, four at a time.
    fn apply(&self, col: &mut [f64], reverse: bool) {
        let first_row = col.len() - self.rows;
        let x = &mut col[first_row..];
        let mut c = [0.0; QR_BLOCK];
        let (vt, _) = self.vt.as_chunks::<QR_BLOCK>();
        for (row, xr) in vt.iter().zip(x.iter()) {
            for i in 0..QR_BLOCK {
                c[i] += xr * row[i];
            }
        }
        // The t-th reflection applied is number nth(t).
        let nth = |t: usize| if reverse { QR_BLOCK - 1 - t } else { t };
        for t in 0..QR_BLOCK {
            let i = nth(t);
            let earlier = (0..t).map(nth);
            let s = earlier.fold(c[i], |s, l| s - c[l] * self.gram[i.max(l)][i.min(l)]);
            c[i] = 2.0 * s;
        }
        for g in (0..QR_BLOCK).step_by(4) {
            let [v0, v1, v2, v3] = [g, g + 1, g + 2, g + 3].map(|i| self.col(i));
            for ((((x, v0), v1), v2), v3) in x.iter_mut().zip(v0).zip(v1).zip(v2).zip(v3) {
                *x = *x - c[g] * v0 - c[g + 1] * v1 - c[g + 2] * v2 - c[g + 3] * v3;
            }
        }
    }
}

/// Applies I - 2 v vᵀ (v living in rows k..) to one column.
fn reflect(col: &mut [f64], k: usize, v: &[f64]) {
    let x = &mut col[k..];
    let d = 2.0 * dot(v, x);
    for (xi, vi) in x.iter_mut().zip(v) {
        *xi -= d * vi;
    }
}

/// The dot product of two slices of equal length, summed in 8 independent lanes so that it
/// vectorises.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b[..a.len()].as_chunks::<8>();
    let mut acc = [0.0; 8];
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    let half: [f64; 4] = std::array::from_fn(|l| acc[l] + acc[l + 4]);
    ((half[0] + half[2]) + (half[1] + half[3])) + tail
}

/// Multiply-adds worth a thread of their own.
const THREAD_WORK: usize = 1 << 20;

/// Calls `f` on every column of `cols` (columns of `m` rows, one after another), splitting
/// them between the available cores when there are `work` multiply-adds to share.
fn for_each_column<F: Fn(&mut [f64]) + Sync>(cols: &mut [f64], m: usize, work: usize, f: F) {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let count = cols.len() / m;
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |c| c.get()));
    let threads = cores.min(work / THREAD_WORK).min(count).max(1);
    let run = |cols: &mut [f64]| cols.chunks_exact_mut(m).for_each(&f);
    if threads == 1 {
        run(cols);
        return;
    }
    std::thread::scope(|s| {
        let mut parts = cols.chunks_mut(count.div_ceil(threads) * m);
        let first = parts.next();
        for part in parts {
            s.spawn(move || run(part));
        }
        if let Some(part) = first {
            run(part);
        }
    });
}

/// Fills a 2-D parameter as a sparse matrix (Martens, 2010): every element from N(0, std²),
/// then in each column `ceil(sparsity · rows)` randomly chosen elements set to 0.
///
/// The draws are PyTorch's: one normal fill of the whole matrix, then, for each column in
/// turn, a random permutation of the rows whose first `ceil(sparsity · rows)` entries are
/// zeroed. Other ranks are an error: `Only tensors with 2 dimensions are supported`.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((10, 3))?)?;
/// init::sparse_(&w, 0.25, 0.01)?;
/// let v = w.values_f32()?;
/// for col in 0..3 {
///     let zeros = (0..10).filter(|r| v[r * 3 + col] == 0.0).count();
///     assert_eq!(zeros, 3); // ceil(0.25 · 10)
/// }
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn sparse_(p: &Parameter, sparsity: f64, std: f64) -> Result<()> {
    let (dims, is_f64) = shape_and_f64(p)?;
    if dims.len() != 2 {
        bail!(ValueError, "Only tensors with 2 dimensions are supported");
    }
    let (rows, cols) = (dims[0], dims[1]);
    let zeros = sparsity * rows as f64;
    if zeros.is_nan() {
        bail!(ValueError, "cannot convert float NaN to integer");
    }
    if zeros.is_infinite() {
        bail!(OverflowError, "cannot convert float infinity to integer");
    }
    // Python's row_indices[:num_zeros]: a negative count leaves off that many from the end.
    let num_zeros = zeros.ceil();
    let num_zeros = if num_zeros >= 0.0 {
        (num_zeros as usize).min(rows)
    } else {
        rows.saturating_sub((-num_zeros) as usize)
    };
    crate::rng::check_normal(std)?;
    let n = rows * cols;
    let (mut values, perms) = crate::rng::with_global(|g| {
        let values = if is_f64 {
            Values::F64(g.normal_f64(n, 0.0, std))
        } else {
            Values::F32(g.normal_f32(n, 0.0, std))
        };
        let perms: Vec<Vec<i64>> = (0..cols).map(|_| g.randperm(rows)).collect();
        (values, perms)
    });
    for (col, perm) in perms.iter().enumerate() {
        for &row in &perm[..num_zeros] {
            let i = row as usize * cols + col;
            match &mut values {
                Values::F32(v) => v[i] = 0.0,
                Values::F64(v) => v[i] = 0.0,
            }
        }
    }
    write(p, &dims, values)
}
