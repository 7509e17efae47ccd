//! `loss.backward()`: storing gradients into the parameters.
//!
//! candle's `backward` returns the gradients in a separate store keyed by tensor id. PyTorch
//! keeps each gradient on its parameter, so this module keeps a list of the live parameters and,
//! after candle's backward pass, adds each parameter's gradient to its `.grad()`. The list is
//! process-wide (see `global.rs`), so that a loss computed in one notebook cell reaches
//! parameters created in another.

use crate::global::process_global;
use crate::param::{ParamInner, Parameter};
use crate::{Result, Tensor, bail};
use std::sync::{Arc, Mutex, OnceLock, Weak};

static SLOT: OnceLock<usize> = OnceLock::new();

fn live() -> &'static Mutex<Vec<Weak<ParamInner>>> {
    process_global(&SLOT, "PARAMS", || Mutex::new(Vec::new()))
}

pub(crate) fn register(p: &Arc<ParamInner>) {
    let mut list = live().lock().unwrap_or_else(|e| e.into_inner());
    list.retain(|w| w.strong_count() > 0);
    list.push(Arc::downgrade(p));
}

pub(crate) fn backward(loss: &Tensor) -> Result<()> {
    if loss.elem_count() != 1 {
        bail!("grad can be implicitly created only for scalar outputs");
    }
    if !loss.as_candle().track_op() {
        bail!("element 0 of tensors does not require grad and does not have a grad_fn");
    }
    let grads = loss.as_candle().backward()?;
    let params: Vec<Arc<ParamInner>> = {
        let list = live().lock().unwrap_or_else(|e| e.into_inner());
        list.iter().filter_map(Weak::upgrade).collect()
    };
    for p in params {
        let var = p.value.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(var) = var
            && let Some(g) = grads.get(var.as_tensor())
        {
            Parameter::accumulate_grad(&p, g)?;
        }
    }
    Ok(())
}
