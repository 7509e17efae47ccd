//! Everything a notebook needs: `use d2l::prelude::*;`.
//!
//! ```
//! use d2l::prelude::*;
//! let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
//! init::zeros_(&net[0].bias()?)?;
//! # Ok::<(), d2l::Error>(())
//! ```

pub use crate::nn::functional as F;
pub use crate::nn::init;
pub use crate::nn::{
    Identity, LazyLinear, Linear, Module, ModuleExt, ReLU, Sequential, Sigmoid, Tanh,
};
pub use crate::optim::SGD;
pub use crate::py::{py, type_of};
pub use crate::shortcuts::{ParamShortcuts, fraction};
pub use crate::{
    Error, Parameter, Result, Size, StateDict, Tensor, manual_seed, rand, randn, sequential,
};
