//! # d2l: parameter management, the PyTorch way, in Rust
//!
//! This crate accompanies the chapter 参数管理 (Parameter Management) of *Dive into Deep
//! Learning*. On top of [candle](https://github.com/huggingface/candle) it gives learners the
//! vocabulary the book uses: `Sequential` with indexing, `Parameter` with its value and gradient,
//! `named_parameters`, `state_dict`, `apply`, the whole `nn.init` catalogue, tied parameters,
//! `LazyLinear`, SGD, safetensors files and `manual_seed` — and everything prints the way
//! PyTorch prints it.
//!
//! ```
//! use d2l::prelude::*;
//! manual_seed(0);
//! let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
//! let x = rand((2, 4))?;
//! let y = net.forward(&x)?;
//! assert_eq!(y.shape(), [2, 1]);
//! println!("{}", net[2].state_dict());
//! # Ok::<(), d2l::Error>(())
//! ```

mod autograd;
pub mod check;
mod error;
pub mod fmt;
mod global;
mod graph;
mod ids;
pub mod nn;
mod notebook;
pub mod optim;
pub mod owners;
mod param;
pub mod plot;
pub mod prelude;
pub mod py;
mod pyfloat;
pub mod rng;
pub mod shortcuts;
mod size;
pub mod state;
pub mod tensor;

pub use error::{Error, ErrorKind, Result};
pub use nn::Module;
pub use param::Parameter;
pub use rng::manual_seed;
pub use size::Size;
pub use state::StateDict;
pub use tensor::{Tensor, rand, randn};
