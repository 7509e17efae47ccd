//! The `Module` trait (what a layer is) and `ModuleExt` (what PyTorch lets you ask of one).

use super::identity::{self, DeepCopyMemo, ModuleId};
use crate::error::{Error, Result, bail};
use crate::param::Parameter;
use crate::state::{IncompatibleKeys, StateDict};
use crate::tensor::Tensor;
use std::any::Any;
use std::collections::HashSet;
use std::fmt;
use std::ops::Index;

/// A layer or a block of layers, like `torch.nn.Module`.
///
/// `#[derive(Module)]` writes the impl from a struct's fields (see [`crate::nn::derive`]). By
/// hand: implement `forward`, and list what the module holds: its own parameters
/// ([`Module::own_parameters`]) and its sub-modules ([`Module::submodules`]), in the order PyTorch
/// would register them. Everything else (`named_parameters`, `state_dict`, `apply`, printing, ...)
/// comes from [`ModuleExt`].
///
/// ```
/// use d2l::prelude::*;
///
/// struct NestMLP { net: Sequential, linear: Linear }
///
/// impl Module for NestMLP {
///     fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
///         self.linear.forward(&self.net.forward(x)?)
///     }
///     fn submodules(&self) -> Vec<(&str, &dyn Module)> {
///         vec![("net", &self.net), ("linear", &self.linear)]
///     }
/// }
///
/// let model = NestMLP {
///     net: sequential![Linear::new(20, 64)?, ReLU(), Linear::new(64, 32)?, ReLU()],
///     linear: Linear::new(32, 16)?,
/// };
/// let names: Vec<String> = model.named_parameters().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(names, ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
///                    "linear.weight", "linear.bias"]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub trait Module: ModuleBase + Send + Sync + 'static {
    /// Computes the output for the input `x`.
    fn forward(&self, x: &Tensor) -> Result<Tensor>;

    /// The parameters this module owns directly (not those of its sub-modules), with their
    /// names. They come before the sub-modules' parameters, as in PyTorch.
    fn own_parameters(&self) -> Vec<(&str, &Parameter)> {
        Vec::new()
    }

    /// The direct sub-modules with their names, in registration order.
    fn submodules(&self) -> Vec<(&str, &dyn Module)> {
        Vec::new()
    }

    /// The class name printed in the module tree; by default the Rust type's name.
    fn type_name(&self) -> String {
        let full = std::any::type_name::<Self>();
        let base = full.split('<').next().unwrap_or(full);
        base.rsplit("::").next().unwrap_or(base).to_string()
    }

    /// The text between the parentheses of the module's line, like PyTorch's `extra_repr`.
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// This module's identity, if it carries one: clones share it and a deep copy gets a new
    /// one, so that a clone put in two places is one module, as one Python object is (see
    /// [`crate::nn::ModuleId`]). The built-in modules carry one. Without it a module is
    /// identified by its address while a tree is walked.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let a = Linear::new(2, 2)?;
    /// assert_eq!(a.module_id(), a.clone().module_id());
    /// assert_ne!(a.module_id(), a.deep_copy()?.module_id());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn module_id(&self) -> Option<ModuleId> {
        None
    }

    /// An independent copy with fresh parameters of the same values, if the module supports it
    /// (the built-in layers and `Sequential` do). `memo` records what this copy has copied so
    /// far: a module or parameter reached twice is copied once and stays shared in the copy.
    fn deep_copy_module(&self, memo: &mut DeepCopyMemo) -> Result<Box<dyn Module>> {
        let _ = memo;
        bail!("deep_copy is not supported by {}", self.type_name())
    }
}

/// Casts to `dyn Any` and `dyn Module`; implemented for every module automatically.
pub trait ModuleBase {
    /// This module as `&dyn Any`, for downcasting.
    fn as_any(&self) -> &dyn Any;
    /// This module as `&dyn Module`.
    fn as_module(&self) -> &dyn Module;
}

impl<T: Module> ModuleBase for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_module(&self) -> &dyn Module {
        self
    }
}

fn apply_rec(m: &dyn Module, f: &mut dyn FnMut(&dyn Module) -> Result<()>) -> Result<()> {
    // Like PyTorch: each module's children (a child reached twice at this level once), then the
    // module itself. As in PyTorch, a module found again at another level is visited again.
    for child in m.children() {
        apply_rec(child, f)?;
    }
    f(m)
}

/// Every parameter below `m` with its dotted name, at each place it is reached: own parameters
/// first, then each sub-module's, depth first (the order and the keys of `state_dict`).
fn all_params(m: &dyn Module) -> Vec<(String, Parameter)> {
    // One buffer holds the dotted path of the current module; each level appends its name
    // and cuts it off again, so a name is formatted once, when a parameter is reached.
    fn walk(m: &dyn Module, path: &mut String, out: &mut Vec<(String, Parameter)>) {
        let len = path.len();
        for (name, p) in m.own_parameters() {
            push_name(path, name);
            out.push((path.clone(), p.clone()));
            path.truncate(len);
        }
        for (name, child) in m.submodules() {
            push_name(path, name);
            walk(child, path, out);
            path.truncate(len);
        }
    }
    let mut out = Vec::new();
    walk(m, &mut String::new(), &mut out);
    out
}

/// Appends `.name` to a dotted path (`name` alone to the empty path).
fn push_name(path: &mut String, name: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
}

fn add_indent(s: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    let mut lines = s.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    lines.fold(first, |acc, l| format!("{acc}\n{pad}{l}"))
}

fn repr(m: &dyn Module) -> String {
    let extra = m.extra_repr();
    let extra_lines: Vec<String> = if extra.is_empty() {
        Vec::new()
    } else {
        extra.split('\n').map(String::from).collect()
    };
    let child_lines: Vec<String> = m
        .submodules()
        .into_iter()
        .map(|(name, c)| format!("({name}): {}", add_indent(&repr(c), 2)))
        .collect();
    let mut s = format!("{}(", m.type_name());
    if extra_lines.len() == 1 && child_lines.is_empty() {
        s.push_str(&extra_lines[0]);
    } else if !extra_lines.is_empty() || !child_lines.is_empty() {
        let lines: Vec<String> = extra_lines.into_iter().chain(child_lines).collect();
        s.push_str("\n  ");
        s.push_str(&lines.join("\n  "));
        s.push('\n');
    }
    s.push(')');
    s
}

/// PyTorch's module methods, available on every [`Module`] (including `dyn Module`, so
/// `net[2].state_dict()` works).
///
/// ```
/// use d2l::prelude::*;
/// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
/// let shapes: Vec<String> = net.named_parameters().iter()
///     .map(|(n, p)| format!("({n:?}, {})", p.shape().unwrap())).collect();
/// assert_eq!(shapes[0], "(\"0.weight\", torch.Size([8, 4]))");
/// assert_eq!(net.state_dict()["2.bias"].shape(), [1]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub trait ModuleExt: Module {
    /// Every parameter with its dotted name, own parameters first, then each sub-module's,
    /// depth first. A parameter reached twice (a tied layer) is listed once.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    /// let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn named_parameters(&self) -> Vec<(String, Parameter)> {
        // PyTorch's way: each distinct module once (named_modules), then each parameter once.
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (prefix, m) in self.named_modules() {
            for (name, p) in m.own_parameters() {
                if seen.insert(p.addr()) {
                    let mut full = prefix.clone();
                    push_name(&mut full, name);
                    out.push((full, p.clone()));
                }
            }
        }
        out
    }

    /// Every parameter, in the order of [`ModuleExt::named_parameters`].
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    /// assert_eq!(net.parameters().len(), 4);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn parameters(&self) -> Vec<Parameter> {
        self.named_parameters()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// The parameter with this name, dotted for a sub-module's (`"0.weight"`). The error uses
    /// PyTorch's wording: `'ReLU' object has no attribute 'weight'`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    /// assert_eq!(net.param("2.bias")?.shape()?, [1]);
    /// assert_eq!(net[1].param("weight").unwrap_err().to_string(),
    ///            "'ReLU' object has no attribute 'weight'");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn param(&self, name: &str) -> Result<Parameter> {
        match all_params(self.as_module())
            .into_iter()
            .find(|(n, _)| n == name)
        {
            Some((_, p)) => Ok(p),
            None => Err(Error::new(
                crate::error::ErrorKind::AttributeError,
                format!("'{}' object has no attribute '{name}'", self.type_name()),
            )),
        }
    }

    /// The parameter named `weight` (PyTorch's `layer.weight`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert_eq!(net[0].weight()?.shape()?, [8, 4]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn weight(&self) -> Result<Parameter> {
        self.param("weight")
    }

    /// The parameter named `bias` (PyTorch's `layer.bias`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?];
    /// assert_eq!(net[0].bias()?.shape()?, [8]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn bias(&self) -> Result<Parameter> {
        self.param("bias")
    }

    /// The direct sub-modules with their names (a layer used twice is listed once).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// let names: Vec<&str> = net.named_children().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["0", "1"]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn named_children(&self) -> Vec<(&str, &dyn Module)> {
        let mut seen = HashSet::new();
        self.submodules()
            .into_iter()
            .filter(|(_, m)| identity::key(*m).is_none_or(|k| seen.insert(k)))
            .collect()
    }

    /// The direct sub-modules.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert_eq!(net.children().len(), 2);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn children(&self) -> Vec<&dyn Module> {
        self.named_children().into_iter().map(|(_, m)| m).collect()
    }

    /// This module and every module below it, with dotted names (`""` for this one), parents
    /// before children, as PyTorch lists them.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// let names: Vec<String> = net.named_modules().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["", "0", "1"]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn named_modules(&self) -> Vec<(String, &dyn Module)> {
        fn pre<'a>(
            m: &'a dyn Module,
            prefix: String,
            seen: &mut HashSet<identity::Key>,
            out: &mut Vec<(String, &'a dyn Module)>,
        ) {
            if identity::key(m).is_some_and(|key| !seen.insert(key)) {
                return;
            }
            out.push((prefix.clone(), m));
            for (name, child) in m.submodules() {
                let mut full = prefix.clone();
                push_name(&mut full, name);
                pre(child, full, seen, out);
            }
        }
        let mut out = Vec::new();
        pre(
            self.as_module(),
            String::new(),
            &mut HashSet::new(),
            &mut out,
        );
        out
    }

    /// This module and every module below it.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert_eq!(net.modules().len(), 3);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn modules(&self) -> Vec<&dyn Module> {
        self.named_modules().into_iter().map(|(_, m)| m).collect()
    }

    /// Calls `f` on every sub-module (depth first) and then on this module, like PyTorch's
    /// `apply`. `f` can test the type with `m.downcast_ref::<Linear>()` and can fail; the first
    /// error stops the walk. A layer used twice is visited once.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    /// net.apply(|m| {
    ///     if m.is::<Linear>() {
    ///         init::zeros_(&m.weight()?)?;
    ///     }
    ///     Ok(())
    /// })?;
    /// assert_eq!(net[2].weight()?.data()?.sum()?.item()?, 0.0);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn apply<F: FnMut(&dyn Module) -> Result<()>>(&self, mut f: F) -> Result<()> {
        apply_rec(self.as_module(), &mut f)
    }

    /// Every parameter's value by dotted name (detached copies of the views), in PyTorch's
    /// order. Unlike `named_parameters`, a tied parameter appears under each of its names.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    /// let sd = net.state_dict();
    /// assert_eq!(sd.keys().collect::<Vec<_>>(), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn state_dict(&self) -> StateDict {
        let mut sd = StateDict::new();
        for (name, p) in all_params(self.as_module()) {
            // `data()` is the value, or the empty tensor of a parameter that has none yet.
            let Ok(t) = p.data() else { continue };
            if p.is_initialized() {
                sd.insert(name, t);
            } else {
                sd.insert_uninitialized(name, t);
            }
        }
        sd
    }

    /// Copies values from `state` into this module's parameters, like PyTorch's
    /// `load_state_dict`. With `strict`, missing and unexpected keys are errors; a shape
    /// mismatch is always one. The message follows PyTorch's. Nothing changes unless everything
    /// can be loaded.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let a = sequential![Linear::new(4, 8)?];
    /// let b = sequential![Linear::new(4, 8)?];
    /// b.load_state_dict(&a.state_dict(), true)?;
    /// assert!(b[0].weight()?.data()?.equal(&a[0].weight()?.data()?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn load_state_dict(&self, state: &StateDict, strict: bool) -> Result<IncompatibleKeys> {
        let all = all_params(self.as_module());
        crate::state::load_into(&self.type_name(), &all, state, strict)
    }

    /// Sets every parameter's gradient to `None`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(2, 1)?];
    /// net.forward(&Tensor::ones((1, 2))?)?.sum()?.backward()?;
    /// net.zero_grad();
    /// assert!(net[0].weight()?.grad().is_none());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// The module tree as PyTorch's `print(net)` shows it.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert_eq!(net.repr(), "Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n)");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn repr(&self) -> String {
        repr(self.as_module())
    }

    /// Whether this module is of type `T` (PyTorch's `type(m) == T`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert!(net[0].is::<Linear>() && !net[1].is::<Linear>());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn is<T: Module>(&self) -> bool {
        self.as_any().is::<T>()
    }

    /// This module as a `T`, if it is one.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert_eq!(net[0].downcast_ref::<Linear>().map(|l| l.out_features()), Some(8));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn downcast_ref<T: Module>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }

    /// Whether this and `other` are the same module, as Python's `a is b` tells: a clone is
    /// the same module, a deep copy is not.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let shared = Linear::new(8, 8)?;
    /// let net = sequential![shared.clone(), ReLU(), shared.clone(), Linear::new(8, 1)?];
    /// assert!(net[0].same_as(&net[2]) && net[0].same_as(&shared));
    /// assert!(!net[2].same_as(&net[3]) && !shared.same_as(&shared.deep_copy()?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn same_as(&self, other: &dyn Module) -> bool {
        identity::same(self.as_module(), other)
    }

    /// The `i`-th sub-module, if there is one.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU()];
    /// assert!(net.get(1).is_some() && net.get(9).is_none());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn get(&self, i: usize) -> Option<&dyn Module> {
        self.submodules().into_iter().nth(i).map(|(_, m)| m)
    }

    /// The sub-module at a signed position: `-1` is the last, as in PyTorch's `net[-1]`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    /// assert_eq!(net.get_signed(-1).map(|m| m.type_name()), Some("Linear".to_string()));
    /// assert!(net.get_signed(-4).is_none());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn get_signed(&self, i: isize) -> Option<&dyn Module> {
        let subs = self.submodules();
        let n = subs.len() as isize;
        let j = if i < 0 { n + i } else { i };
        if (0..n).contains(&j) {
            subs.into_iter().nth(j as usize).map(|(_, m)| m)
        } else {
            None
        }
    }

    /// The sub-module with this name (`rgnet[0].child("block 1")`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let mut net = Sequential::new();
    /// net.add_module("block 0", sequential![ReLU()])?;
    /// assert!(net.child("block 0").is_some());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn child(&self, name: &str) -> Option<&dyn Module> {
        self.submodules()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m)
    }

    /// Saves the state dict to a safetensors file.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(4, 8)?];
    /// let path = std::env::temp_dir().join("d2l-doc-save.safetensors");
    /// net.save_safetensors(&path)?;
    /// net.load_safetensors(&path)?;
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn save_safetensors<P: AsRef<std::path::Path>>(&self, path: P) -> Result<()> {
        crate::state::save_safetensors(&self.state_dict(), path)
    }

    /// Loads parameters from a safetensors file (strictly: every key must match).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let a = sequential![Linear::new(4, 8)?];
    /// let path = std::env::temp_dir().join("d2l-doc-load.safetensors");
    /// a.save_safetensors(&path)?;
    /// let b = sequential![Linear::new(4, 8)?];
    /// b.load_safetensors(&path)?;
    /// assert!(b[0].bias()?.data()?.equal(&a[0].bias()?.data()?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    fn load_safetensors<P: AsRef<std::path::Path>>(&self, path: P) -> Result<IncompatibleKeys> {
        let sd = crate::state::load_safetensors(path)?;
        self.load_state_dict(&sd, true)
    }
}

impl<M: Module + ?Sized> ModuleExt for M {}

impl Index<usize> for dyn Module {
    type Output = dyn Module;
    /// Panics like PyTorch's `IndexError` when out of range; use `get` for an `Option`.
    fn index(&self, i: usize) -> &dyn Module {
        match self.get(i) {
            Some(m) => m,
            None => panic!("IndexError: index {i} is out of range"),
        }
    }
}

impl Index<&str> for dyn Module {
    type Output = dyn Module;
    fn index(&self, name: &str) -> &dyn Module {
        match self.child(name) {
            Some(m) => m,
            None => panic!(
                "AttributeError: '{}' object has no attribute '{name}'",
                self.type_name()
            ),
        }
    }
}

impl fmt::Display for dyn Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl fmt::Debug for dyn Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

/// Makes a module type print its PyTorch tree with `{}` and `{:?}` (what a notebook cell shows).
///
/// ```
/// use d2l::prelude::*;
/// struct Scale;
/// impl Module for Scale {
///     fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> { x.mul(2.0) }
/// }
/// d2l::impl_module_display!(Scale);
/// assert_eq!(Scale.to_string(), "Scale()");
/// ```
#[macro_export]
macro_rules! impl_module_display {
    ($($t:ty),* $(,)?) => {$(
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::nn::ModuleExt::repr(self))
            }
        }
        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::nn::ModuleExt::repr(self))
            }
        }
    )*};
}
