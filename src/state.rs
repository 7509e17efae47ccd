//! `state_dict`: parameters by name, loading them back, and safetensors files.

use crate::error::{Error, ErrorKind, Result, bail};
use crate::param::Parameter;
use crate::tensor::Tensor;
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Index;
use std::path::Path;

/// An ordered map from dotted parameter names to values, like the `OrderedDict` that PyTorch's
/// `state_dict()` returns, and printed the same way.
///
/// ```
/// use d2l::prelude::*;
/// let mut sd = StateDict::new();
/// sd.insert("bias", Tensor::new(&[0.1968f32])?);
/// assert_eq!(sd.to_string(), "OrderedDict([('bias', tensor([0.1968]))])");
/// assert_eq!(sd["bias"].shape(), [1]);
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct StateDict {
    entries: IndexMap<String, Tensor>,
    /// Keys of a lazy layer's parameters before its first forward: they hold an empty tensor
    /// (as PyTorch's `UninitializedParameter` has no data) and print as
    /// `<UninitializedParameter>`.
    uninitialized: HashSet<String>,
}

impl StateDict {
    /// An empty state dict; it prints as Python prints an empty `OrderedDict`.
    ///
    /// ```
    /// let sd = d2l::StateDict::new();
    /// assert!(sd.is_empty());
    /// assert_eq!(sd.to_string(), "OrderedDict()");
    /// ```
    pub fn new() -> Self {
        StateDict::default()
    }

    /// Inserts or replaces a value (a replaced key keeps its position).
    ///
    /// ```
    /// let mut sd = d2l::StateDict::new();
    /// sd.insert("w", d2l::Tensor::ones(1)?);
    /// sd.insert("w", d2l::Tensor::zeros(1)?);
    /// assert_eq!(sd.len(), 1);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: Tensor) {
        let key = key.into();
        self.uninitialized.remove(&key);
        // A key already there keeps its position, as in an OrderedDict.
        self.entries.insert(key, value);
    }

    /// Appends the entry of a parameter that has no value yet, holding what its `data()` is
    /// (an empty tensor).
    pub(crate) fn insert_uninitialized(&mut self, key: String, empty: Tensor) {
        self.uninitialized.insert(key.clone());
        self.entries.insert(key, empty);
    }

    /// Whether `key` is a lazy layer's parameter that has no value yet (its entry prints as
    /// `<UninitializedParameter>` and holds an empty tensor).
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let sd = LazyLinear::new(8).state_dict();
    /// assert!(sd.is_uninitialized("weight"));
    /// assert_eq!(sd.to_string(),
    ///     "OrderedDict([('weight', <UninitializedParameter>), ('bias', <UninitializedParameter>)])");
    /// ```
    pub fn is_uninitialized(&self, key: &str) -> bool {
        self.uninitialized.contains(key)
    }

    /// The value for `key`, if present.
    ///
    /// ```
    /// let sd = d2l::StateDict::new();
    /// assert!(sd.get("0.weight").is_none());
    /// ```
    pub fn get(&self, key: &str) -> Option<&Tensor> {
        self.entries.get(key)
    }

    /// Removes and returns the value for `key`.
    ///
    /// ```
    /// let mut sd = d2l::StateDict::new();
    /// sd.insert("w", d2l::Tensor::ones(1)?);
    /// assert!(sd.remove("w").is_some() && sd.is_empty());
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<Tensor> {
        let value = self.entries.shift_remove(key)?;
        self.uninitialized.remove(key);
        Some(value)
    }

    /// The keys, in order.
    ///
    /// ```
    /// let mut sd = d2l::StateDict::new();
    /// sd.insert("a", d2l::Tensor::ones(1)?);
    /// assert_eq!(sd.keys().collect::<Vec<_>>(), ["a"]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The entries, in order.
    ///
    /// ```
    /// let mut sd = d2l::StateDict::new();
    /// sd.insert("a", d2l::Tensor::ones(1)?);
    /// for (k, v) in sd.iter() { assert_eq!((k, v.shape()), ("a", d2l::Size::from(vec![1]))); }
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of entries.
    ///
    /// ```
    /// assert_eq!(d2l::StateDict::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    ///
    /// ```
    /// assert!(d2l::StateDict::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Index<&str> for StateDict {
    type Output = Tensor;
    /// Panics like Python's `KeyError` when the key is absent; use `get` for an `Option`.
    fn index(&self, key: &str) -> &Tensor {
        match self.get(key) {
            Some(t) => t,
            None => panic!("KeyError: '{key}'"),
        }
    }
}

impl fmt::Display for StateDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Python prints an empty OrderedDict without the list: `OrderedDict()`.
        if self.entries.is_empty() {
            return f.write_str("OrderedDict()");
        }
        let items: Vec<String> = self
            .entries
            .iter()
            .map(|(k, v)| {
                if self.uninitialized.contains(k) {
                    format!("('{k}', <UninitializedParameter>)")
                } else {
                    format!("('{k}', {v})")
                }
            })
            .collect();
        write!(f, "OrderedDict([{}])", items.join(", "))
    }
}

impl fmt::Debug for StateDict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What a non-strict `load_state_dict` could not match, like PyTorch's `_IncompatibleKeys`.
///
/// ```
/// use d2l::prelude::*;
/// let net = sequential![Linear::new(2, 2)?];
/// let keys = net.load_state_dict(&StateDict::new(), false)?;
/// assert_eq!(keys.missing_keys, ["0.weight", "0.bias"]);
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IncompatibleKeys {
    /// Parameters of the module that the state dict does not have.
    pub missing_keys: Vec<String>,
    /// Keys of the state dict that the module does not have.
    pub unexpected_keys: Vec<String>,
}

/// As PyTorch prints the value `load_state_dict` returns.
///
/// ```
/// use d2l::prelude::*;
/// let net = sequential![Linear::new(2, 2)?];
/// assert_eq!(net.load_state_dict(&net.state_dict(), true)?.to_string(),
///            "<All keys matched successfully>");
/// assert_eq!(net.load_state_dict(&StateDict::new(), false)?.to_string(),
///            "_IncompatibleKeys(missing_keys=['0.weight', '0.bias'], unexpected_keys=[])");
/// # Ok::<(), d2l::Error>(())
/// ```
impl fmt::Display for IncompatibleKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.missing_keys.is_empty() && self.unexpected_keys.is_empty() {
            return f.write_str("<All keys matched successfully>");
        }
        let list = |v: &[String]| {
            let items: Vec<String> = v.iter().map(|k| format!("'{k}'")).collect();
            format!("[{}]", items.join(", "))
        };
        write!(
            f,
            "_IncompatibleKeys(missing_keys={}, unexpected_keys={})",
            list(&self.missing_keys),
            list(&self.unexpected_keys)
        )
    }
}

/// Loads `state` into the named parameters `params`, all or nothing.
pub(crate) fn load_into(
    module_name: &str,
    params: &[(String, Parameter)],
    state: &StateDict,
    strict: bool,
) -> Result<IncompatibleKeys> {
    let names: HashSet<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    let missing: Vec<String> = params
        .iter()
        .filter(|(n, _)| state.get(n).is_none())
        .map(|(n, _)| n.clone())
        .collect();
    let unexpected: Vec<String> = state
        .keys()
        .filter(|k| !names.contains(k))
        .map(String::from)
        .collect();
    let mut errors = Vec::new();
    let quote = |v: &[String]| {
        v.iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if strict && !missing.is_empty() {
        errors.push(format!(
            "Missing key(s) in state_dict: {}. ",
            quote(&missing)
        ));
    }
    if strict && !unexpected.is_empty() {
        errors.push(format!(
            "Unexpected key(s) in state_dict: {}. ",
            quote(&unexpected)
        ));
    }
    let mut writes = Vec::new();
    let mut first_values = Vec::new();
    for (name, p) in params {
        let Some(value) = state.get(name) else {
            continue;
        };
        if state.is_uninitialized(name) {
            if p.is_initialized() {
                // PyTorch raises this on its own, without the summary around it.
                bail!("{}", crate::param::UNINIT_SHAPE);
            }
            continue;
        }
        match p.shape() {
            Ok(shape) if shape.0 != value.candle().dims() => errors.push(format!(
                "size mismatch for {name}: copying a param with shape {} from checkpoint, the shape in current model is {}.",
                value.shape(),
                shape
            )),
            Ok(_) => writes.push((p, value)),
            // A lazy layer's parameter takes the checkpoint's value and shape, as in PyTorch.
            Err(_) => first_values.push((p, value)),
        }
    }
    if !errors.is_empty() {
        bail!(
            "Error(s) in loading state_dict for {module_name}:\n\t{}",
            errors.join("\n\t")
        );
    }
    for (p, value) in writes {
        p.set_data_(value)?;
    }
    for (p, value) in first_values {
        p.materialize(value)?;
    }
    Ok(IncompatibleKeys {
        missing_keys: missing,
        unexpected_keys: unexpected,
    })
}

/// The metadata key under which the file records PyTorch's key order, as a JSON list of the
/// keys (earlier versions of the crate joined them with newlines; such files still load).
const ORDER_KEY: &str = "d2l.key_order";

/// Writes a state dict to a safetensors file. Tied parameters are written under each name.
/// The key order is kept in the file's metadata, so loading gives the same order back.
///
/// ```
/// let mut sd = d2l::StateDict::new();
/// sd.insert("w", d2l::Tensor::ones((2, 2))?);
/// sd.insert("b", d2l::Tensor::zeros(2)?);
/// let path = std::env::temp_dir().join("d2l-doc-state.safetensors");
/// d2l::state::save_safetensors(&sd, &path)?;
/// let back = d2l::state::load_safetensors(&path)?;
/// assert_eq!(back.keys().collect::<Vec<_>>(), ["w", "b"]);
/// assert_eq!(back["w"].shape(), [2, 2]);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn save_safetensors<P: AsRef<Path>>(state: &StateDict, path: P) -> Result<()> {
    if !state.uninitialized.is_empty() {
        // PyTorch's text, which ends the function's name with its memory address.
        bail!(
            ValueError,
            "{}",
            crate::param::uninit_use("<function Tensor.storage>")
        );
    }
    let order: Vec<&str> = state.keys().collect();
    let order = serde_json::to_string(&order)
        .map_err(|e| Error::caused(ErrorKind::RuntimeError, e.to_string(), e))?;
    let meta = HashMap::from([(ORDER_KEY.to_string(), order)]);
    let data: Vec<(&str, candle_core::Tensor)> = state
        .iter()
        .map(|(k, v)| Ok((k, v.candle().contiguous()?)))
        .collect::<Result<_>>()?;
    safetensors::serialize_to_file(data, Some(meta), path.as_ref()).map_err(|e| {
        let m = format!("cannot write {}: {e}", path.as_ref().display());
        Error::caused(ErrorKind::RuntimeError, m, e)
    })
}

/// Reads a safetensors file into a state dict, in the order it was saved (files written
/// elsewhere, without that record, come in sorted key order).
///
/// ```
/// let path = std::env::temp_dir().join("d2l-doc-missing.safetensors");
/// let _ = std::fs::remove_file(&path);
/// assert!(d2l::state::load_safetensors(&path).is_err());
/// ```
pub fn load_safetensors<P: AsRef<Path>>(path: P) -> Result<StateDict> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        // The safetensors library's words for it.
        std::io::ErrorKind::NotFound => Error::caused(
            ErrorKind::FileNotFoundError,
            format!("No such file or directory: {}", path.display()),
            e,
        ),
        _ => Error::Io(e),
    })?;
    let bad = |e: safetensors::SafeTensorError| {
        Error::caused(
            ErrorKind::SafetensorError,
            format!("Error while deserializing header: {e}"),
            e,
        )
    };
    // The header, and that it covers the data exactly, checked with the library's own words
    // before candle reads the tensors.
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).map_err(bad)?;
    let map = candle_core::safetensors::load_buffer(&bytes, &candle_core::Device::Cpu)?;
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let recorded: Vec<String> = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get(ORDER_KEY))
        .map(|o| {
            serde_json::from_str(o).unwrap_or_else(|_| o.split('\n').map(String::from).collect())
        })
        .unwrap_or_default();
    if recorded.len() == keys.len() && recorded.iter().all(|k| map.contains_key(k)) {
        keys = recorded
            .iter()
            .filter_map(|k| map.get_key_value(k).map(|(k, _)| k))
            .collect();
    }
    let mut sd = StateDict::new();
    for k in keys {
        sd.insert(k.clone(), map[k].clone().into());
    }
    Ok(sd)
}
