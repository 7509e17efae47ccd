//! Random numbers: a seeded generator and `manual_seed`.
//!
//! (Placeholder implementation: the draws are not yet PyTorch's.)

use crate::global::process_global;
use std::sync::{Mutex, OnceLock};

/// A Mersenne Twister random generator.
///
/// ```
/// let mut g = d2l::rng::Generator::new(0);
/// let a = g.uniform_f32(3, 0.0, 1.0);
/// assert_eq!(a.len(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Generator {
    mt: rand_mt::Mt,
    seed: u64,
}

impl Generator {
    /// A generator seeded with `seed`.
    ///
    /// ```
    /// let g = d2l::rng::Generator::new(42);
    /// assert_eq!(g.initial_seed(), 42);
    /// ```
    pub fn new(seed: u64) -> Self {
        Generator {
            mt: rand_mt::Mt::new(seed as u32),
            seed,
        }
    }

    /// Re-seeds the generator.
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(1);
    /// g.manual_seed(2);
    /// assert_eq!(g.initial_seed(), 2);
    /// ```
    pub fn manual_seed(&mut self, seed: u64) {
        *self = Generator::new(seed);
    }

    /// The seed last given.
    ///
    /// ```
    /// assert_eq!(d2l::rng::Generator::new(7).initial_seed(), 7);
    /// ```
    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    /// `n` float32 values from U(from, to).
    ///
    /// ```
    /// let v = d2l::rng::Generator::new(0).uniform_f32(100, -1.0, 1.0);
    /// assert!(v.iter().all(|x| (-1.0..1.0).contains(x)));
    /// ```
    pub fn uniform_f32(&mut self, n: usize, from: f64, to: f64) -> Vec<f32> {
        (0..n)
            .map(|_| {
                let u = (self.mt.next_u32() & ((1 << 24) - 1)) as f32 * (1.0 / (1u32 << 24) as f32);
                (u * (to - from) as f32) + from as f32
            })
            .collect()
    }

    /// `n` float32 values from N(mean, std²).
    ///
    /// ```
    /// let v = d2l::rng::Generator::new(0).normal_f32(1000, 0.0, 1.0);
    /// let mean: f32 = v.iter().sum::<f32>() / 1000.0;
    /// assert!(mean.abs() < 0.2);
    /// ```
    pub fn normal_f32(&mut self, n: usize, mean: f64, std: f64) -> Vec<f32> {
        (0..n)
            .map(|_| {
                let u1 = (self.mt.next_u32() as f64 + 1.0) / 4294967297.0;
                let u2 = self.mt.next_u32() as f64 / 4294967296.0;
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                (mean + std * z) as f32
            })
            .collect()
    }
}

static GLOBAL: OnceLock<usize> = OnceLock::new();

fn global() -> &'static Mutex<Generator> {
    process_global(&GLOBAL, "RNG", || {
        Mutex::new(Generator::new(67280421310721))
    })
}

/// Runs `f` with the global generator, the one `manual_seed` seeds.
///
/// ```
/// let v = d2l::rng::with_global(|g| g.uniform_f32(2, 0.0, 1.0));
/// assert_eq!(v.len(), 2);
/// ```
pub fn with_global<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    let mut g = global().lock().unwrap_or_else(|e| e.into_inner());
    f(&mut g)
}

/// Seeds the global generator, like `torch.manual_seed`.
///
/// ```
/// d2l::manual_seed(0);
/// let a = d2l::rng::with_global(|g| g.uniform_f32(1, 0.0, 1.0));
/// d2l::manual_seed(0);
/// let b = d2l::rng::with_global(|g| g.uniform_f32(1, 0.0, 1.0));
/// assert_eq!(a, b);
/// ```
pub fn manual_seed(seed: u64) {
    with_global(|g| g.manual_seed(seed));
}
