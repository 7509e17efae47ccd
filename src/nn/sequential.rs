//! `Sequential`: layers applied one after another.

use super::identity::{DeepCopyMemo, ModuleId};
use super::module::{Module, ModuleExt};
use crate::error::{Result, bail};
use crate::tensor::Tensor;
use std::ops::Index;
use std::sync::Arc;

/// A chain of modules, like `torch.nn.Sequential`. Layers are named `"0"`, `"1"`, ... unless
/// added with [`Sequential::add_module`]. A clone is the same module (it shares the layers, and
/// so their parameters, and `same_as` is true) until one of the two is changed through `&mut`.
///
/// ```
/// use d2l::prelude::*;
/// d2l::manual_seed(0);
/// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
/// let x = d2l::rand((2, 4))?;
/// assert_eq!(net.forward(&x)?.shape(), [2, 1]);
/// assert_eq!(net[2].type_name(), "Linear");
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Sequential {
    id: ModuleId,
    layers: Vec<(String, Arc<dyn Module>)>,
}

impl Sequential {
    /// An empty `Sequential` (its forward returns the input unchanged).
    ///
    /// ```
    /// let net = d2l::nn::Sequential::new();
    /// assert!(net.is_empty());
    /// ```
    pub fn new() -> Self {
        Sequential {
            id: ModuleId::new(),
            layers: Vec::new(),
        }
    }

    /// Appends a layer named by its position and returns the `Sequential` (builder style).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = Sequential::new().append(Linear::new(4, 8)?).append(ReLU());
    /// assert_eq!(net.len(), 2);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn append<M: Module>(mut self, layer: M) -> Self {
        self.push(layer);
        self
    }

    /// Appends a layer named by its position.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let mut net = Sequential::new();
    /// net.push(ReLU());
    /// assert_eq!(net.named_children()[0].0, "0");
    /// ```
    pub fn push<M: Module>(&mut self, layer: M) {
        self.id.unshare();
        let name = self.layers.len().to_string();
        self.layers.push((name, Arc::new(layer)));
    }

    /// Adds a layer under a name, like PyTorch's `add_module`. A name already present is
    /// replaced in place. Names may not be empty or contain a dot.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let mut net = Sequential::new();
    /// for i in 0..2 {
    ///     net.add_module(format!("block {i}"), sequential![Linear::new(4, 4)?, ReLU()])?;
    /// }
    /// assert!(net.repr().contains("(block 1): Sequential("));
    /// assert!(net.add_module("a.b", ReLU()).is_err());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn add_module<M: Module>(&mut self, name: impl Into<String>, layer: M) -> Result<()> {
        let name = name.into();
        if name.is_empty() {
            bail!(KeyError, "module name can't be empty string \"\"");
        }
        if name.contains('.') {
            bail!(KeyError, "module name can't contain \".\", got: {name}");
        }
        self.id.unshare();
        let layer: Arc<dyn Module> = Arc::new(layer);
        match self.layers.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = layer,
            None => self.layers.push((name, layer)),
        }
        Ok(())
    }

    /// The number of layers.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// assert_eq!(sequential![ReLU(), ReLU()].len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether there are no layers.
    ///
    /// ```
    /// assert!(d2l::nn::Sequential::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The last layer (PyTorch's `net[-1]`).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![ReLU(), Linear::new(8, 1)?];
    /// assert!(net.last().unwrap().is::<Linear>());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn last(&self) -> Option<&dyn Module> {
        self.layers.last().map(|(_, m)| m.as_ref())
    }

    /// The layers with their names.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![ReLU(), ReLU()];
    /// assert_eq!(net.iter().count(), 2);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &dyn Module)> {
        self.layers.iter().map(|(n, m)| (n.as_str(), m.as_ref()))
    }

    /// A copy with new parameters holding the same values: nothing is shared with `self`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let net = sequential![Linear::new(2, 2)?];
    /// let copy = net.deep_copy()?;
    /// assert!(!copy[0].weight()?.same_as(&net[0].weight()?));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn deep_copy(&self) -> Result<Sequential> {
        self.deep_copy_in(&mut DeepCopyMemo::new())
    }

    /// The deep copy as part of a larger one: a layer or parameter `memo` has seen is not
    /// copied again but shared, so that what is shared in `self` stays shared in the copy.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// use d2l::nn::DeepCopyMemo;
    /// let shared = Linear::new(2, 2)?;
    /// let net = sequential![shared.clone(), ReLU(), shared];
    /// let copy = net.deep_copy_in(&mut DeepCopyMemo::new())?;
    /// assert!(copy[0].same_as(&copy[2]) && !copy[0].same_as(&net[0]));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn deep_copy_in(&self, memo: &mut DeepCopyMemo) -> Result<Sequential> {
        memo.once(self, |memo| {
            let mut layers = Vec::with_capacity(self.layers.len());
            for (name, m) in &self.layers {
                let copy: Arc<dyn Module> =
                    memo.once(m.as_ref(), |memo| Ok(Arc::from(m.deep_copy_module(memo)?)))?;
                layers.push((name.clone(), copy));
            }
            Ok(Sequential {
                id: ModuleId::new(),
                layers,
            })
        })
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut out = x.clone();
        for (_, m) in &self.layers {
            out = m.forward(&out)?;
        }
        Ok(out)
    }

    fn submodules(&self) -> Vec<(&str, &dyn Module)> {
        self.layers
            .iter()
            .map(|(n, m)| (n.as_str(), m.as_ref()))
            .collect()
    }

    fn module_id(&self) -> Option<ModuleId> {
        Some(self.id.clone())
    }

    fn deep_copy_module(&self, memo: &mut DeepCopyMemo) -> Result<Box<dyn Module>> {
        Ok(Box::new(self.deep_copy_in(memo)?))
    }
}

impl Index<usize> for Sequential {
    type Output = dyn Module;
    /// Panics with PyTorch's text (`index 9 is out of range`); use `get` for an `Option`.
    fn index(&self, i: usize) -> &dyn Module {
        match self.layers.get(i) {
            Some((_, m)) => m.as_ref(),
            None => panic!("IndexError: index {i} is out of range"),
        }
    }
}

impl Index<&str> for Sequential {
    type Output = dyn Module;
    fn index(&self, name: &str) -> &dyn Module {
        match self.child(name) {
            Some(m) => m,
            None => panic!("AttributeError: 'Sequential' object has no attribute '{name}'"),
        }
    }
}

crate::impl_module_display!(Sequential);

/// Builds a [`Sequential`] from layers, like `nn.Sequential(a, b, c)`.
///
/// ```
/// use d2l::prelude::*;
/// let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
/// assert_eq!(net.len(), 3);
/// # Ok::<(), d2l::Error>(())
/// ```
#[macro_export]
macro_rules! sequential {
    ($($layer:expr),* $(,)?) => {
        $crate::nn::Sequential::new()$(.append($layer))*
    };
}
