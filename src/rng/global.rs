//! The one generator of the process, like PyTorch's default CPU generator, shared by every
//! copy of the crate that evcxr loads (see `crate::global`).

use super::Generator;
use crate::global::process_global;
use std::sync::{Mutex, OnceLock};

static GLOBAL: OnceLock<usize> = OnceLock::new();

fn global() -> &'static Mutex<Generator> {
    process_global(&GLOBAL, "RNG", || Mutex::new(Generator::default()))
}

/// Runs `f` with the global generator, the one [`manual_seed`] seeds (PyTorch's default
/// CPU generator). The generator is locked while `f` runs, so `f` must not call
/// `with_global` or `manual_seed` itself.
///
/// ```
/// d2l::manual_seed(0);
/// let a = d2l::rng::with_global(|g| g.uniform_f32(2, 0.0, 1.0));
/// let b = d2l::rng::with_global(|g| g.uniform_f32(1, 0.0, 1.0));
/// // torch.manual_seed(0); torch.rand(2); torch.rand(1)
/// assert_eq!(a, [0.49625658988952637f32, 0.7682217955589294]);
/// assert_eq!(b, [0.08847743272781372f32]);
/// ```
pub fn with_global<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut g = global().lock().unwrap_or_else(|e| e.into_inner());
    f(&mut g)
}

/// Seeds the global generator, like `torch.manual_seed(seed)`.
///
/// ```
/// d2l::manual_seed(0);
/// let a = d2l::rng::with_global(|g| g.normal_f32(1, 0.0, 1.0));
/// d2l::manual_seed(0);
/// let b = d2l::rng::with_global(|g| g.normal_f32(1, 0.0, 1.0));
/// assert_eq!(a, b);
/// assert_eq!(a, [1.5409960746765137f32]); // torch.manual_seed(0); torch.randn(1)
/// ```
pub fn manual_seed(seed: u64) {
    with_global(|g| g.manual_seed(seed));
}

/// The seed of the global generator, like `torch.initial_seed()`.
///
/// ```
/// d2l::manual_seed(123);
/// assert_eq!(d2l::rng::initial_seed(), 123);
/// ```
pub fn initial_seed() -> u64 {
    with_global(|g| g.initial_seed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_state_carries_across_calls() {
        // Other tests in this binary may use the global generator at the same time, so a
        // run can be disturbed; it must succeed undisturbed at least once. If the state did
        // not carry over from one call to the next, no attempt could succeed.
        let whole = Generator::new(77).uniform_f32(6, 0.0, 1.0);
        let carried = (0..50).any(|_| {
            manual_seed(77);
            let first = with_global(|g| g.uniform_f32(3, 0.0, 1.0));
            let second = with_global(|g| g.uniform_f32(3, 0.0, 1.0));
            first == whole[..3] && second == whole[3..]
        });
        assert!(carried);
    }
}
