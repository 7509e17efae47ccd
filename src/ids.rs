//! Tensor ids that stay unique across evcxr cells.
//!
//! candle numbers every tensor from a counter that is a `static` inside candle-core, and its
//! backward pass tells tensors apart by that number. Under evcxr each cell links its own copy of
//! candle, so every cell's counter starts again at 1: a tensor made in cell 5 could get the id
//! of a parameter made in cell 2, and a backward pass that uses both would mix up their
//! gradients. So the crate keeps, process-wide, the highest id it has seen, and the first time a
//! new copy of the crate (a new cell) touches a tensor, it moves its own candle counter past that
//! mark before anything else is created.

use crate::global::process_global;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static SLOT: OnceLock<usize> = OnceLock::new();
// Per copy of the crate: whether this copy's candle counter has been moved past the mark.
static SYNCED: AtomicBool = AtomicBool::new(false);

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

/// Records that ids up to `t`'s have been handed out.
pub(crate) fn observe(t: &candle_core::Tensor) {
    high_mark().fetch_max(id_number(t), Ordering::Relaxed);
}

/// Makes sure this copy of candle hands out ids above every id seen so far. Cheap after the
/// first call in a copy.
pub(crate) fn sync() {
    if SYNCED.load(Ordering::Acquire) {
        return;
    }
    advance_past(high_mark().load(Ordering::Relaxed));
    SYNCED.store(true, Ordering::Release);
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
        SYNCED.store(false, Ordering::Release);
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
