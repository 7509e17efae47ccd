//! Layers and blocks (`torch.nn`).

mod activation;
pub mod derive;
pub mod functional;
mod identity;
pub mod init;
mod lazy;
mod linear;
mod module;
mod sequential;

pub use activation::{Identity, ReLU, Sigmoid, Tanh};
/// `#[derive(Module)]`: see [`derive`].
pub use d2l_derive::Module;
pub use identity::{DeepCopyMemo, ModuleId};
pub use lazy::LazyLinear;
pub use linear::Linear;
pub use module::{Module, ModuleBase, ModuleExt};
pub use sequential::Sequential;
