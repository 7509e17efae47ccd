//! What makes two places in a module tree *the same module*, as Python's `is` decides it.
//!
//! PyTorch memoises by object identity: `modules()`, `named_modules()`, `children()` and
//! `named_children()` report an object reached twice once, and `copy.deepcopy` copies it once,
//! so the copy is shared where the original was. In Rust a module is a value, so identity is
//! carried explicitly: every built-in module holds a [`ModuleId`], which `clone()` shares and
//! `deep_copy` replaces. A clone is therefore the same module (a second handle, like a second
//! Python name for one object), with or without parameters:
//!
//! ```
//! use d2l::prelude::*;
//! let relu = ReLU();
//! let net = sequential![Linear::new(4, 4)?, relu.clone(), Linear::new(4, 4)?, relu];
//! let names: Vec<String> = net.named_modules().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["", "0", "1", "2"]); // "3" is the ReLU of "1"
//! # Ok::<(), d2l::Error>(())
//! ```
//!
//! A module of your own gets the same behaviour by holding a `ModuleId` and returning it from
//! [`Module::module_id`](crate::nn::Module::module_id). Without one, a module is identified by
//! its address while the tree is borrowed: two places are the same module only if they are the
//! same value (a field reached twice through `submodules()`); a module without fields is never
//! taken for another.
//!
//! Identity is an `Arc` allocation, not a counter: a counter would be a `static`, and evcxr
//! gives every notebook cell a fresh copy of the crate's statics.

use super::module::Module;
use crate::param::Parameter;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A module's identity: clones share it, [`ModuleId::new`] makes a new one.
///
/// ```
/// use d2l::nn::ModuleId;
/// let a = ModuleId::new();
/// assert_eq!(a, a.clone());
/// assert_ne!(a, ModuleId::new());
/// ```
#[derive(Clone, Default)]
pub struct ModuleId(Arc<()>);

impl ModuleId {
    /// A new identity, equal to no other.
    ///
    /// ```
    /// assert_ne!(d2l::nn::ModuleId::new(), d2l::nn::ModuleId::new());
    /// ```
    pub fn new() -> Self {
        ModuleId(Arc::new(()))
    }

    fn addr(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Before a change through `&mut`: a value whose identity is shared with clones becomes a
    /// module of its own, since the clones do not see the change.
    pub(crate) fn unshare(&mut self) {
        if Arc::strong_count(&self.0) > 1 {
            *self = ModuleId::new();
        }
    }
}

impl PartialEq for ModuleId {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ModuleId {}

impl fmt::Debug for ModuleId {
    // No address: printed output stays the same from run to run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ModuleId")
    }
}

/// The key a tree walk remembers a module by; `None` for a field-less module without an id,
/// which is never the same as another.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Id(usize),
    Addr(usize, TypeId),
}

pub(crate) fn key(m: &dyn Module) -> Option<Key> {
    if let Some(id) = m.module_id() {
        return Some(Key::Id(id.addr()));
    }
    if std::mem::size_of_val(m) == 0 {
        return None;
    }
    let addr = m as *const dyn Module as *const u8 as usize;
    Some(Key::Addr(addr, m.as_any().type_id()))
}

/// Whether `a` and `b` are the same module (Python's `a is b`).
pub(crate) fn same(a: &dyn Module, b: &dyn Module) -> bool {
    key(a).is_some_and(|k| key(b) == Some(k))
}

/// What one `deep_copy` has copied so far, so that a module or parameter reached twice is
/// copied once and stays shared in the copy, as `copy.deepcopy` keeps it.
///
/// A module of your own passes it on to its fields in
/// [`Module::deep_copy_module`](crate::nn::Module::deep_copy_module):
///
/// ```
/// use d2l::prelude::*;
/// use d2l::nn::DeepCopyMemo;
///
/// #[derive(Clone)]
/// struct Twice { layer: Linear }
///
/// impl Module for Twice {
///     fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
///         self.layer.forward(&self.layer.forward(x)?)
///     }
///     fn submodules(&self) -> Vec<(&str, &dyn Module)> {
///         vec![("layer", &self.layer)]
///     }
///     fn deep_copy_module(&self, memo: &mut DeepCopyMemo) -> d2l::Result<Box<dyn Module>> {
///         Ok(Box::new(Twice { layer: self.layer.deep_copy_in(memo)? }))
///     }
/// }
///
/// let a = Twice { layer: Linear::new(2, 2)? };
/// let b = a.deep_copy_module(&mut DeepCopyMemo::new())?;
/// assert!(!b.param("layer.weight")?.same_as(&a.layer.weight()?));
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Default)]
pub struct DeepCopyMemo {
    modules: HashMap<(Key, TypeId), Box<dyn Any>>,
    params: HashMap<usize, Parameter>,
}

impl DeepCopyMemo {
    /// An empty memo, for one deep copy.
    ///
    /// ```
    /// let memo = d2l::nn::DeepCopyMemo::new();
    /// # drop(memo);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The copy of `m` as a `T`: the one made earlier in this deep copy, or a new one made by
    /// `make` and remembered.
    pub(crate) fn once<T: Clone + 'static>(
        &mut self,
        m: &dyn Module,
        make: impl FnOnce(&mut Self) -> crate::error::Result<T>,
    ) -> crate::error::Result<T> {
        let Some(k) = key(m) else {
            return make(self);
        };
        let slot = (k, TypeId::of::<T>());
        if let Some(c) = self.modules.get(&slot).and_then(|b| b.downcast_ref::<T>()) {
            return Ok(c.clone());
        }
        let c = make(self)?;
        self.modules.insert(slot, Box::new(c.clone()));
        Ok(c)
    }

    /// The copy of parameter `p` (made now, or earlier in this deep copy).
    pub(crate) fn param(&mut self, p: &Parameter) -> crate::error::Result<Parameter> {
        let k = p.addr();
        if let Some(c) = self.params.get(&k) {
            return Ok(c.clone());
        }
        let c = p.deep_copy()?;
        self.params.insert(k, c.clone());
        Ok(c)
    }
}
