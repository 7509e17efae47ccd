//! Tensor ids that stay unique across evcxr cells.
//!
//! candle numbers every tensor from a counter that is a `static` inside candle-core, and its
//! backward pass tells tensors apart by that number. Under evcxr each cell links its own copy of
//! candle (and of this crate), each with its own counter starting at 1, and code from an earlier
//! cell keeps running with its own copy (a layer made in cell 2 runs cell 2's `forward`, through
//! its vtable, when cell 9 calls it). Two tensors of one backward pass could then share an id,
//! and their gradients would be mixed up. So the crate keeps, process-wide, the highest id any
//! copy has handed out, and before a copy creates tensors it moves its own candle counter past
//! that mark if another copy has gone further.

use crate::global::process_global;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

static SLOT: OnceLock<usize> = OnceLock::new();
// Per copy of the crate: the highest id this copy is known to have handed out.
static LOCAL: AtomicUsize = AtomicUsize::new(0);

fn high_mark() -> &'static AtomicUsize {
    process_global(&SLOT, "TENSOR_IDS", || AtomicUsize::new(0))
}

/// Reads the number inside a `TensorId` (its derived `Hash` writes exactly that `usize`).
struct IdReader(usize);

impl Hasher for IdReader {
    fn finish(&self) -> u64 {
        self.0 as u64
    }
    fn write(&mut self, _: &[u8]) {}
    fn write_usize(&mut self, n: usize) {
        self.0 = n;
    }
}

/// The number candle gave `t`.
pub(crate) fn id_number(t: &candle_core::Tensor) -> usize {
    let mut r = IdReader(0);
    t.id().hash(&mut r);
    r.0
}

/// Records that ids up to `t`'s have been handed out (by the copy that made `t`).
pub(crate) fn observe(t: &candle_core::Tensor) {
    let n = id_number(t);
    LOCAL.fetch_max(n, Ordering::Relaxed);
    high_mark().fetch_max(n, Ordering::Relaxed);
}

/// Makes sure this copy of candle hands out ids above every id seen so far: two atomic loads
/// unless another copy has created tensors since this one last did.
pub(crate) fn sync() {
    let mark = high_mark().load(Ordering::Relaxed);
    if LOCAL.load(Ordering::Relaxed) < mark {
        advance_past(mark);
    }
}

/// Draws ids from this copy's counter until it is past `mark`. Detaching a variable makes a
/// new tensor (a new id) without copying any data.
fn advance_past(mark: usize) {
    let Ok(var) = candle_core::Var::zeros((), candle_core::DType::F32, &candle_core::Device::Cpu)
    else {
        return;
    };
    let mut current = id_number(var.as_tensor());
    while current <= mark {
        current = id_number(&var.as_tensor().detach());
    }
    LOCAL.fetch_max(current, Ordering::Relaxed);
    high_mark().fetch_max(current, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_copy_skips_the_ids_other_copies_used() {
        // Pretend another cell has handed out 1000 more ids than this copy has.
        let probe =
            candle_core::Tensor::zeros((), candle_core::DType::F32, &candle_core::Device::Cpu)
                .unwrap();
        let mark = id_number(&probe) + 1000;
        high_mark().fetch_max(mark, Ordering::Relaxed);
        sync();
        let next =
            candle_core::Tensor::zeros((), candle_core::DType::F32, &candle_core::Device::Cpu)
                .unwrap();
        assert!(id_number(&next) > mark);
        assert!(high_mark().load(Ordering::Relaxed) > mark);
    }

    #[test]
    fn id_numbers_are_candles_counter() {
        let dev = candle_core::Device::Cpu;
        let a = candle_core::Tensor::zeros(1, candle_core::DType::F32, &dev).unwrap();
        let b = candle_core::Tensor::zeros(1, candle_core::DType::F32, &dev).unwrap();
        assert!(id_number(&b) > id_number(&a));
        assert_eq!(
            format!("{:?}", a.id()),
            format!("TensorId({})", id_number(&a))
        );
    }
}
