//! What `#[derive(Module)]` builds on: how one field of a struct contributes to the module.
//!
//! The derive (crate `d2l-derive`, used as `d2l::Module`) turns every field not marked
//! `#[module(skip)]` into a call of [`ModuleField::collect`]. A module field adds a sub-module,
//! a `Parameter` field one of the module's own parameters, an `Option` of either adds its value
//! when there is one. Any other type does not implement the trait, so a field that is neither
//! a module nor a parameter must be marked: it cannot be left out of `named_parameters`,
//! `state_dict` or the optimiser without anyone noticing.
//!
//! ```
//! use d2l::prelude::*;
//!
//! #[derive(Module)]
//! struct Scaled {
//!     layer: Linear,
//!     scale: Parameter,
//!     #[module(skip)]
//!     note: &'static str,
//! }
//!
//! impl Scaled {
//!     fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
//!         self.layer.forward(x)?.mul(&self.scale.tensor()?)
//!     }
//! }
//!
//! let m = Scaled { layer: Linear::new(2, 2)?, scale: Parameter::new(Tensor::ones(1)?)?, note: "" };
//! let names: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["scale", "layer.weight", "layer.bias"]);
//! assert_eq!(m.to_string(), "Scaled(\n  (layer): Linear(in_features=2, out_features=2, bias=True)\n)");
//! assert_eq!(m.forward(&Tensor::ones((1, 2))?)?.shape(), [1, 2]);
//! # Ok::<(), d2l::Error>(())
//! ```
//!
//! A field that holds neither a module nor a parameter, left unmarked, does not compile:
//!
//! ```compile_fail,E0277
//! use d2l::prelude::*;
//! #[derive(Module)]
//! struct Forgot { layer: Linear, width: usize }
//! impl Forgot {
//!     fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> { self.layer.forward(x) }
//! }
//! ```
//!
//! Nor does a struct without a `forward` of its own (instead of a `forward` that calls itself):
//!
//! ```compile_fail,E0034
//! use d2l::prelude::*;
//! #[derive(Module)]
//! struct NoForward { layer: Linear }
//! ```

use super::module::Module;
use crate::param::Parameter;

/// One field of a `#[derive(Module)]` struct: what it adds to the module.
///
/// ```
/// use d2l::nn::derive::ModuleField;
/// use d2l::prelude::*;
/// let layer = Linear::new(2, 2)?;
/// let (mut params, mut subs) = (Vec::new(), Vec::new());
/// layer.collect("fc", &mut params, &mut subs);
/// assert_eq!((params.len(), subs.len()), (0, 1));
/// # Ok::<(), d2l::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither a module nor a parameter",
    label = "#[derive(Module)] does not know what this field holds",
    note = "mark a field that holds neither with `#[module(skip)]`"
)]
pub trait ModuleField {
    /// Adds this field, under `name`, to the module's own parameters or to its sub-modules.
    fn collect<'a>(
        &'a self,
        name: &'a str,
        params: &mut Vec<(&'a str, &'a Parameter)>,
        submodules: &mut Vec<(&'a str, &'a dyn Module)>,
    );
}

impl<M: Module> ModuleField for M {
    fn collect<'a>(
        &'a self,
        name: &'a str,
        _: &mut Vec<(&'a str, &'a Parameter)>,
        submodules: &mut Vec<(&'a str, &'a dyn Module)>,
    ) {
        submodules.push((name, self));
    }
}

impl ModuleField for Parameter {
    fn collect<'a>(
        &'a self,
        name: &'a str,
        params: &mut Vec<(&'a str, &'a Parameter)>,
        _: &mut Vec<(&'a str, &'a dyn Module)>,
    ) {
        params.push((name, self));
    }
}

impl<T: ModuleField> ModuleField for Option<T> {
    fn collect<'a>(
        &'a self,
        name: &'a str,
        params: &mut Vec<(&'a str, &'a Parameter)>,
        submodules: &mut Vec<(&'a str, &'a dyn Module)>,
    ) {
        if let Some(v) = self {
            v.collect(name, params, submodules);
        }
    }
}
