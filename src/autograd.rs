//! `loss.backward()`: storing gradients into the parameters.
//!
//! candle's `backward` returns the gradients in a separate store keyed by tensor id. PyTorch
//! keeps each gradient on its parameter, so this module keeps a table from the id of each live
//! parameter's tensor to the parameter and, after candle's backward pass, adds the gradient of
//! every parameter found in the store to its `.grad()`. The work follows the graph of the loss,
//! not the number of parameters alive in the process. The table is process-wide (see
//! `global.rs`), so that a loss computed in one notebook cell reaches parameters created in
//! another.
//!
//! This module sits below both `tensor` and `param`: it knows a loss only as candle's tensor
//! and the graph node beside it, and a parameter only as a [`GradSink`], the one thing
//! `backward` needs of it. `param` registers its parameters here and `tensor` calls
//! [`backward`], so neither import circles back.

use crate::error::{Result, bail};
use crate::global::process_global;
use crate::graph::Node;
use candle_core::TensorId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

static SLOT: OnceLock<usize> = OnceLock::new();

/// What `backward` needs of a parameter: to add a gradient to the one it holds.
pub(crate) trait GradSink: Send + Sync {
    /// Adds `g` to the stored gradient (or stores it, when there is none yet).
    fn accumulate_grad(&self, g: &candle_core::Tensor) -> Result<()>;
}

#[derive(Default)]
struct Registry {
    by_id: HashMap<TensorId, Weak<dyn GradSink>>,
    /// The table's size after the last removal of dropped parameters: the next sweep waits
    /// until it has doubled, so that registering costs O(1) amortised.
    swept_len: usize,
}

fn registry() -> &'static Mutex<Registry> {
    process_global(&SLOT, "PARAM_TABLE", || Mutex::new(Registry::default()))
}

/// Records that `id` is the tensor of the parameter `p` (called once, when it gets its value;
/// later writes are in place and keep the id).
pub(crate) fn register<P: GradSink + 'static>(id: TensorId, p: &Arc<P>) {
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    if reg.by_id.len() >= 2 * reg.swept_len.max(32) {
        reg.by_id.retain(|_, w| w.strong_count() > 0);
        reg.swept_len = reg.by_id.len();
    }
    let p: Arc<dyn GradSink> = p.clone();
    reg.by_id.insert(id, Arc::downgrade(&p));
}

/// `loss.backward()` for the candle tensor `loss` and its graph node; with `retain_graph`
/// the graph can be gone through again.
pub(crate) fn backward(
    loss: &candle_core::Tensor,
    node: Option<&Arc<Node>>,
    retain_graph: bool,
) -> Result<()> {
    if loss.elem_count() != 1 {
        bail!("grad can be implicitly created only for scalar outputs");
    }
    if !loss.track_op() {
        bail!("element 0 of tensors does not require grad and does not have a grad_fn");
    }
    // The nodes that saved tensors for this pass: PyTorch's error if a pass already freed one.
    let saved = node.map(|n| n.saved()).transpose()?;
    let grads = loss.backward()?;
    if let (Some(saved), false) = (saved, retain_graph) {
        saved.free();
    }
    let params: Vec<(TensorId, Arc<dyn GradSink>)> = {
        let reg = registry().lock().unwrap_or_else(|e| e.into_inner());
        grads
            .get_ids()
            .filter_map(|id| Some((*id, reg.by_id.get(id)?.upgrade()?)))
            .collect()
    };
    for (id, p) in params {
        if let Some(g) = grads.get_id(id) {
            p.accumulate_grad(g)?;
        }
    }
    Ok(())
}
