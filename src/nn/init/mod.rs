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
//! | [`xavier_uniform_`]`(p)`, [`xavier_uniform_with_`]`(p, gain)` | U(-a, a), a = gain·√(6 / (fan_in + fan_out)) | `xavier_uniform_(t, gain)` |
//! | [`xavier_normal_`]`(p)`, [`xavier_normal_with_`]`(p, gain)` | N(0, std²), std = gain·√(2 / (fan_in + fan_out)) | `xavier_normal_(t, gain)` |
//! | [`kaiming_uniform_`]`(p)`, [`kaiming_uniform_with_`]`(p, opts)` | U(-b, b), b = gain·√(3 / fan) | `kaiming_uniform_(t, a, mode, nonlinearity)` |
//! | [`kaiming_normal_`]`(p)`, [`kaiming_normal_with_`]`(p, opts)` | N(0, std²), std = gain / √fan | `kaiming_normal_(t, a, mode, nonlinearity)` |
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
//!   `_with` form for the rest: `xavier_uniform_with_(&w, gain)`,
//!   `kaiming_uniform_with_(&w, KaimingOptions { .. })`, where [`KaimingOptions`] implements
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
//!         w.update_(|w| w.mul(&w.abs()?.ge(5.0)?))?;
//!     }
//!     Ok(())
//! })?;
//! let w = net[0].weight()?.values_f32()?;
//! assert!(w.iter().all(|&x| x == 0.0 || (5.0..=10.0).contains(&x.abs())));
//! assert!(w.iter().any(|&x| x == 0.0) && w.iter().any(|&x| x != 0.0));
//! # Ok::<(), d2l::Error>(())
//! ```

use crate::error::{Error, Result, bail};
use crate::param::Parameter;
use crate::rng::Generator;
use candle_core::{DType, Device};
use std::fmt;
use std::str::FromStr;

mod orthogonal;
mod scaled;
mod sparse;

pub use orthogonal::orthogonal_;
pub use scaled::{
    KaimingOptions, kaiming_normal_, kaiming_normal_with_, kaiming_uniform_, kaiming_uniform_with_,
    xavier_normal_, xavier_normal_with_, xavier_uniform_, xavier_uniform_with_,
};
pub use sparse::sparse_;

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
    let is_f64 = p.data()?.candle().dtype() == DType::F64;
    Ok((dims, is_f64))
}

fn write(p: &Parameter, dims: &[usize], values: Values) -> Result<()> {
    let t = match values {
        Values::F32(v) => candle_core::Tensor::from_vec(v, dims, &Device::Cpu)?,
        Values::F64(v) => candle_core::Tensor::from_vec(v, dims, &Device::Cpu)?,
    };
    p.set_data_(&t.into())
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
