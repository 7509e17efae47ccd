//! Layers and blocks (`torch.nn`).

mod activation;
pub mod functional;
mod identity;
pub mod init;
mod lazy;
mod linear;
mod module;
mod sequential;

pub use activation::{Identity, ReLU, Sigmoid, Tanh};
pub use identity::{DeepCopyMemo, ModuleId};
pub use lazy::LazyLinear;
pub use linear::Linear;
pub use module::{Module, ModuleBase, ModuleExt};
pub use sequential::Sequential;
