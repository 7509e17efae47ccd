//! Random numbers drawn exactly as PyTorch draws them on the CPU.
//!
//! After `d2l::manual_seed(s)` the draws of this module are the ones `torch.manual_seed(s)`
//! gives on a CPU: `torch.rand`, `torch.randn`, `uniform_`, `normal_`, `torch.randperm` and
//! `nn.init.trunc_normal_` return the same numbers, in the same order, with the same state
//! carried from one call to the next. They were checked against PyTorch 2.15 on an x86-64
//! CPU, where they agree bit for bit (`tests/rng_parity.rs` replays the recorded draws).
//!
//! # How PyTorch draws
//!
//! * **Engine.** A 32-bit Mersenne Twister (MT19937). `manual_seed(seed)` initialises it
//!   from the low 32 bits of `seed` (the whole 64-bit value is kept and reported by
//!   `initial_seed`), and forgets any cached normal sample.
//! * **Raw words.** `random()` is one 32-bit output; `random64()` joins two outputs, the
//!   first one as the high half.
//! * **Uniform.** A float32 takes the low 24 bits of one `random()`, a float64 the low 53
//!   bits of one `random64()`; the bits, scaled by 2⁻²⁴ (2⁻⁵³), give `x` in [0, 1), and the
//!   value is `x * (to - from) + from` in the tensor's own precision, with the multiply and
//!   add fused (one rounding). A result that rounds up to `to` is replaced by `from`, so the
//!   range stays [from, to).
//! * **Normal, 16 elements or more** (contiguous tensors). First the whole tensor is filled
//!   with uniforms in [0, 1). Then each block of 16 is turned into normals by Box–Muller:
//!   for `j` in 0..8, `u1 = 1 - data[j]`, `u2 = data[j + 8]`, `r = sqrt(-2 ln u1)`,
//!   `θ = 2π u2`, `data[j] = r cos θ · std + mean`, `data[j + 8] = r sin θ · std + mean`.
//!   If the length is not a multiple of 16, the last 16 elements are drawn again with 16
//!   fresh uniforms and transformed once more. Float64 tensors use the C library's `log`,
//!   `sin`, `cos`; float32 tensors use PyTorch's own vectorised float32 `ln`/`sincos`
//!   (Cephes polynomials), reproduced here operation for operation.
//! * **Normal, fewer than 16 elements.** Each element is one float64 Box–Muller sample:
//!   two float64 uniforms `u1`, `u2` (two `random64()` each), `r = sqrt(-2 ln(1 - u2))`,
//!   `θ = 2π u1`; the element is `r cos θ · std + mean`, and `r sin θ` is kept in the
//!   generator and returned by the next small-tensor normal draw (of any dtype), until a
//!   reseed clears it. The large-tensor path neither uses nor clears that cached sample.
//! * **randperm(n).** Fill `0..n`, then for `i` in `0..n-1` swap element `i` with element
//!   `i + random() % (n - i)`.
//! * **trunc_normal_.** See [`Generator::trunc_normal_f32`].
//!
//! These are the numbers of PyTorch on x86-64 CPUs with AVX2, which covers nearly every
//! x86-64 machine in use. Elsewhere (ARM, or `ATEN_CPU_CAPABILITY=default`) PyTorch computes
//! the float32 normals of 16 elements or more with the C library's `logf`/`sinf`/`cosf`
//! and fuses no multiply-adds: there about a third of those normals differ from these in
//! the last bits (by at most a few 1e-6), and a uniform draw whose range is not a power of
//! two can differ in its last bit.
//!
//! Everything else in `nn.init` is built on these: `uniform_`, `kaiming_uniform_` and
//! `xavier_uniform_` are one `uniform_(-bound, bound)`, `normal_`, `kaiming_normal_` and
//! `xavier_normal_` are one `normal_(0, std)`, each with the bound or std computed from the
//! fan-in/fan-out.
//!
//! # One generator for the whole process
//!
//! [`manual_seed`] and [`with_global`] use a single generator, like PyTorch's default CPU
//! generator. Under evcxr (the Jupyter kernel the notebooks run on) every cell is compiled
//! into its own library with its own copy of this crate, so an ordinary `static` would start
//! afresh in every cell and a seed set in one cell would be lost in the next. The generator
//! therefore lives in process-wide storage shared by all copies of the crate.
//!
//! A generator that was never seeded starts from seed 67280421310721, the seed a fresh
//! `torch.Generator()` has. (PyTorch seeds its *default* generator from the operating
//! system's entropy at start-up, so unseeded PyTorch draws differ from run to run; here they
//! are reproducible.)
//!
//! ```
//! d2l::manual_seed(0);
//! let x = d2l::rng::with_global(|g| g.uniform_f32(3, 0.0, 1.0));
//! // torch.manual_seed(0); torch.rand(3)
//! assert_eq!(x, [0.49625658988952637f32, 0.7682217955589294, 0.08847743272781372]);
//! ```

use std::f64::consts::{SQRT_2, TAU};

/// The seed of a generator nobody has seeded: the seed of a fresh `torch.Generator()`.
///
/// ```
/// let g = d2l::rng::Generator::default();
/// assert_eq!(g.initial_seed(), d2l::rng::DEFAULT_SEED);
/// assert_eq!(d2l::rng::DEFAULT_SEED, 67280421310721);
/// ```
pub const DEFAULT_SEED: u64 = 67280421310721;

/// A random generator that draws like PyTorch's CPU generator.
///
/// It holds a Mersenne Twister, the seed it was given and the second sample of the last
/// small-tensor Box–Muller pair (see the [module docs](self)). Cloning it forks the stream:
/// the clone draws the same numbers as the original.
///
/// ```
/// let mut g = d2l::rng::Generator::new(0);
/// let a = g.uniform_f32(3, 0.0, 1.0);
/// // g = torch.Generator().manual_seed(0); torch.rand(3, generator=g)
/// assert_eq!(a, [0.49625658988952637f32, 0.7682217955589294, 0.08847743272781372]);
/// ```
#[derive(Clone, Debug)]
pub struct Generator {
    mt: rand_mt::Mt,
    seed: u64,
    next_normal: Option<f64>,
}

impl Default for Generator {
    /// A generator seeded with [`DEFAULT_SEED`], like `torch.Generator()`.
    ///
    /// ```
    /// let mut a = d2l::rng::Generator::default();
    /// let mut b = d2l::rng::Generator::new(d2l::rng::DEFAULT_SEED);
    /// assert_eq!(a.random_u32(), b.random_u32());
    /// ```
    fn default() -> Self {
        Generator::new(DEFAULT_SEED)
    }
}

impl Generator {
    /// A generator seeded with `seed`, like `torch.Generator().manual_seed(seed)`.
    ///
    /// Only the low 32 bits of `seed` reach the Mersenne Twister, as in PyTorch; the whole
    /// value is kept for [`initial_seed`](Self::initial_seed).
    ///
    /// ```
    /// use d2l::rng::Generator;
    /// let g = Generator::new(42);
    /// assert_eq!(g.initial_seed(), 42);
    /// // Seeds that agree in their low 32 bits draw the same numbers.
    /// let a = Generator::new(7).uniform_f32(4, 0.0, 1.0);
    /// let b = Generator::new((1 << 32) + 7).uniform_f32(4, 0.0, 1.0);
    /// assert_eq!(a, b);
    /// ```
    pub fn new(seed: u64) -> Self {
        Generator {
            // Truncation intended: PyTorch keeps `seed & 0xffffffff` as the first state word.
            mt: rand_mt::Mt::new(seed as u32),
            seed,
            next_normal: None,
        }
    }

    /// Re-seeds the generator, like `Generator.manual_seed(seed)`: the stream restarts and
    /// any cached normal sample is dropped.
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(1);
    /// let first = g.normal_f32(1, 0.0, 1.0);
    /// g.manual_seed(1);
    /// assert_eq!(g.initial_seed(), 1);
    /// assert_eq!(g.normal_f32(1, 0.0, 1.0), first);
    /// ```
    pub fn manual_seed(&mut self, seed: u64) {
        *self = Generator::new(seed);
    }

    /// The seed last given, like `Generator.initial_seed()`.
    ///
    /// ```
    /// assert_eq!(d2l::rng::Generator::new(7).initial_seed(), 7);
    /// ```
    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    /// One raw 32-bit word from the Mersenne Twister (PyTorch's `random()`).
    ///
    /// ```
    /// // The first output of MT19937 seeded with 5489 is 3499211612.
    /// assert_eq!(d2l::rng::Generator::new(5489).random_u32(), 3499211612);
    /// ```
    pub fn random_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// One raw 64-bit word: two 32-bit words, the first one as the high half (PyTorch's
    /// `random64()`).
    ///
    /// ```
    /// let mut a = d2l::rng::Generator::new(3);
    /// let mut b = a.clone();
    /// let hi = u64::from(b.random_u32());
    /// let lo = u64::from(b.random_u32());
    /// assert_eq!(a.random_u64(), (hi << 32) | lo);
    /// ```
    pub fn random_u64(&mut self) -> u64 {
        let hi = u64::from(self.mt.next_u32());
        let lo = u64::from(self.mt.next_u32());
        (hi << 32) | lo
    }

    /// One float32 in [0, 1): the low 24 bits of a 32-bit word, scaled by 2⁻²⁴.
    fn unit_f32(&mut self) -> f32 {
        let bits = self.random_u32() & ((1 << 24) - 1);
        bits as f32 * (1.0 / (1u32 << 24) as f32)
    }

    /// One float64 in [0, 1): the low 53 bits of a 64-bit word, scaled by 2⁻⁵³.
    fn unit_f64(&mut self) -> f64 {
        let bits = self.random_u64() & ((1 << 53) - 1);
        bits as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `n` float32 values from U(from, to): exactly `torch.empty(n).uniform_(from, to)`.
    ///
    /// `from` and `to` are first rounded to float32 and the arithmetic is float32, as in
    /// PyTorch. The bounds are not checked (PyTorch refuses `from > to`); see
    /// [`check_uniform_f32`] for its checks and messages.
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(42);
    /// let v = g.uniform_f32(4, -3.0, 5.0);
    /// // torch.manual_seed(42); torch.empty(4).uniform_(-3, 5)
    /// assert_eq!(v, [4.058154106140137f32, 4.320031642913818, 0.06291007995605469, 4.674445152282715]);
    /// ```
    pub fn uniform_f32(&mut self, n: usize, from: f64, to: f64) -> Vec<f32> {
        let mut data: Vec<f32> = (0..n).map(|_| self.unit_f32()).collect();
        // PyTorch's x86-64 build fuses the multiply-add; so do we.
        kernels::affine(&mut data, from as f32, to as f32);
        data
    }

    /// `n` float64 values from U(from, to): exactly
    /// `torch.empty(n, dtype=torch.float64).uniform_(from, to)`.
    ///
    /// Each value uses one 64-bit word (two 32-bit words).
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(0);
    /// // torch.manual_seed(0); torch.rand(2, dtype=torch.float64)
    /// assert_eq!(g.uniform_f64(2, 0.0, 1.0), [0.9700530018065531, 0.707819864399788]);
    /// ```
    pub fn uniform_f64(&mut self, n: usize, from: f64, to: f64) -> Vec<f64> {
        let range = to - from;
        (0..n)
            .map(|_| {
                let v = self.unit_f64().mul_add(range, from);
                if v == to { from } else { v }
            })
            .collect()
    }

    /// One standard normal sample of the small-tensor path: float64 Box–Muller that keeps
    /// the second sample of each pair for the next call.
    fn small_normal(&mut self) -> f64 {
        if let Some(z) = self.next_normal.take() {
            return z;
        }
        let u1 = self.unit_f64();
        let u2 = self.unit_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = TAU * u1;
        self.next_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// `n` float32 values from N(mean, std²): exactly `torch.empty(n).normal_(mean, std)`.
    ///
    /// Below 16 elements each value is a float64 Box–Muller sample rounded to float32 (and
    /// the unused half of a pair waits in the generator for the next small draw); from 16
    /// elements on, the tensor is filled with uniforms and transformed in float32 blocks of
    /// 16 with PyTorch's float32 `ln`/`sincos`. The module docs give the details. `std`
    /// is not checked (PyTorch refuses a negative one); see [`check_normal`].
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(0);
    /// // torch.manual_seed(0); torch.randn(3)
    /// assert_eq!(g.normal_f32(3, 0.0, 1.0), [1.5409960746765137f32, -0.293428897857666, -2.1787893772125244]);
    ///
    /// let mut g = d2l::rng::Generator::new(0);
    /// let v = g.normal_f32(20, 0.0, 1.0);
    /// // torch.manual_seed(0); torch.randn(20)[:3]
    /// assert_eq!(v[..3], [-1.1258398294448853f32, -1.152360200881958, -0.2505785822868347]);
    /// ```
    pub fn normal_f32(&mut self, n: usize, mean: f64, std: f64) -> Vec<f32> {
        if n < 16 {
            return (0..n)
                .map(|_| self.small_normal().mul_add(std, mean) as f32)
                .collect();
        }
        let mut data = vec![0f32; n];
        let (mean, std) = (mean as f32, std as f32);
        let blocks = |d: &mut [f32]| kernels::box_muller_blocks(d, mean, std);
        self.fill_blocks(&mut data, |g| g.unit_f32(), blocks);
        data
    }

    /// `n` float64 values from N(mean, std²): exactly
    /// `torch.empty(n, dtype=torch.float64).normal_(mean, std)`.
    ///
    /// Same two paths as [`normal_f32`](Self::normal_f32), computed in float64.
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(0);
    /// g.uniform_f64(2, 0.0, 1.0);
    /// // torch.manual_seed(0); torch.rand(2, dtype=torch.float64);
    /// // torch.randn(2, dtype=torch.float64)
    /// let v = g.normal_f64(2, 0.0, 1.0);
    /// assert!((v[0] - -2.1787893820745574).abs() < 1e-12);
    /// assert!((v[1] - 0.5684312772806678).abs() < 1e-12);
    /// ```
    pub fn normal_f64(&mut self, n: usize, mean: f64, std: f64) -> Vec<f64> {
        if n < 16 {
            return (0..n)
                .map(|_| self.small_normal().mul_add(std, mean))
                .collect();
        }
        let mut data = vec![0f64; n];
        let blocks = |d: &mut [f64]| {
            for b in d.chunks_exact_mut(16) {
                for j in 0..8 {
                    let u1 = 1.0 - b[j];
                    let u2 = b[j + 8];
                    let radius = (-2.0 * u1.ln()).sqrt();
                    let theta = TAU * u2;
                    b[j] = (radius * theta.cos()).mul_add(std, mean);
                    b[j + 8] = (radius * theta.sin()).mul_add(std, mean);
                }
            }
        };
        self.fill_blocks(&mut data, |g| g.unit_f64(), blocks);
        data
    }

    /// PyTorch's `normal_fill` for `data.len() >= 16`: uniforms everywhere, Box–Muller on
    /// each whole block of 16, then the last 16 elements redrawn and redone if the length
    /// is not a multiple of 16. `blocks` transforms a slice of whole blocks.
    ///
    /// PyTorch draws every uniform before it transforms the first block, but a block only
    /// uses the 16 uniforms drawn for it, so drawing and transforming a few thousand elements
    /// at a time, while they are in the cache, gives the same numbers in one pass over memory.
    fn fill_blocks<T: Copy>(
        &mut self,
        data: &mut [T],
        mut unit: impl FnMut(&mut Self) -> T,
        blocks: impl Fn(&mut [T]),
    ) {
        const CHUNK: usize = 16 * 128;
        let n = data.len();
        let whole = n - n % 16;
        for chunk in data[..whole].chunks_mut(CHUNK) {
            for x in chunk.iter_mut() {
                *x = unit(self);
            }
            blocks(chunk);
        }
        if whole < n {
            // The ragged end gets its uniforms as in PyTorch (they move the stream on), then
            // the last 16 elements are drawn afresh and transformed as one block.
            for x in data[whole..].iter_mut() {
                *x = unit(self);
            }
            let tail = &mut data[n - 16..];
            for x in tail.iter_mut() {
                *x = unit(self);
            }
            blocks(tail);
        }
    }

    /// A random permutation of `0..n`: exactly `torch.randperm(n)` (int64, CPU).
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(0);
    /// // torch.manual_seed(0); torch.randperm(5)
    /// assert_eq!(g.randperm(5), [4, 0, 1, 3, 2]);
    /// ```
    pub fn randperm(&mut self, n: usize) -> Vec<i64> {
        // PyTorch switches algorithm at this size; below it, the classic swap loop.
        if (n as u64) < u64::from(u32::MAX / 20) {
            let mut perm: Vec<i64> = (0..n as i64).collect();
            for i in 0..n.saturating_sub(1) {
                let z = (u64::from(self.random_u32()) % (n - i) as u64) as usize;
                perm.swap(i, i + z);
            }
            perm
        } else {
            // The "inside-out" shuffle with 64-bit words, for very large `n`.
            let mut perm = vec![0i64; n];
            for i in 0..n {
                let z = (self.random_u64() % (i as u64 + 1)) as usize;
                perm[i] = perm[z];
                perm[z] = i as i64;
            }
            perm
        }
    }

    /// `n` float32 values from N(mean, std²) truncated to [a, b]: exactly
    /// `torch.nn.init.trunc_normal_(torch.empty(n), mean, std, a, b)` as PyTorch does it
    /// since release 2.12, which samples by rejection:
    ///
    /// * If the mass `p` of N(mean, std²) inside [a, b] is above 0.3: draw
    ///   `normal_(mean, std)` for the whole tensor; while any value lies outside
    ///   [a, b] (bounds rounded to float32), draw a whole new `normal_(mean, std)` tensor
    ///   and take its values at those positions.
    /// * Otherwise: propose `uniform_(a, b)` and accept each value `x` when
    ///   `ln(u) <= -((x - mean) / std)² / 2 - peak` for a fresh `u` from `uniform_(0, 1)`
    ///   (`peak` being that exponent at the point of [a, b] nearest `mean`); rejected
    ///   positions get a new proposal and a new `u` (both drawn for the whole tensor)
    ///   until all are accepted.
    ///
    /// Older releases used the inverse CDF instead: see
    /// [`trunc_normal_erfinv_f32`](Self::trunc_normal_erfinv_f32). Arguments are not
    /// checked; [`check_trunc_normal`] reproduces PyTorch's errors. (With a tiny `p` the
    /// rejection loop, like PyTorch's, can run for a very long time.)
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(0);
    /// let v = g.trunc_normal_f32(1000, 0.0, 1.0, -2.0, 2.0);
    /// assert!(v.iter().all(|x| (-2.0..=2.0).contains(x)));
    /// // torch.manual_seed(0); nn.init.trunc_normal_(torch.empty(10))[:3]
    /// // (torch.randn(3) starts 1.5410, -0.2934, -2.1788: the third was outside and redrawn)
    /// let v = d2l::rng::Generator::new(0).trunc_normal_f32(10, 0.0, 1.0, -2.0, 2.0);
    /// assert_eq!(v[..3], [1.5409960746765137f32, -0.293428897857666, -0.8566746115684509]);
    /// ```
    pub fn trunc_normal_f32(&mut self, n: usize, mean: f64, std: f64, a: f64, b: f64) -> Vec<f32> {
        let p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std);
        if p > 0.3 {
            let (lo, hi) = (a as f32, b as f32);
            let outside = |v: f32| v < lo || v > hi;
            let mut result = self.normal_f32(n, mean, std);
            while result.iter().any(|&v| outside(v)) {
                let fresh = self.normal_f32(n, mean, std);
                for (r, f) in result.iter_mut().zip(fresh) {
                    if outside(*r) {
                        *r = f;
                    }
                }
            }
            return result;
        }
        let mode = a.max(mean.min(b));
        let log_peak = -0.5 * ((mode - mean) / std).powi(2);
        // The log-density relative to the peak, computed in float32 as PyTorch does.
        let (mean32, std32, peak32) = (mean as f32, std as f32, log_peak as f32);
        let log_pdf = |x: f32| {
            let t = (x - mean32) / std32;
            t * t * -0.5 - peak32
        };
        let mut result = self.uniform_f32(n, a, b);
        let accept = self.uniform_f32(n, 0.0, 1.0);
        let mut pending: Vec<bool> = result
            .iter()
            .zip(&accept)
            .map(|(&x, &u)| u.ln() > log_pdf(x))
            .collect();
        while pending.iter().any(|&p| p) {
            let proposal = self.uniform_f32(n, a, b);
            let accept = self.uniform_f32(n, 0.0, 1.0);
            for i in 0..n {
                if pending[i] {
                    result[i] = proposal[i];
                    pending[i] = accept[i].ln() > log_pdf(proposal[i]);
                }
            }
        }
        result
    }

    /// `n` float32 values of `nn.init.trunc_normal_` as PyTorch computed it up to release
    /// 2.11, by the inverse CDF:
    ///
    /// ```text
    /// l, u = Φ((a - mean) / std), Φ((b - mean) / std)
    /// t.uniform_(2l - 1, 2u - 1); t.erfinv_(); t.mul_(std * √2); t.add_(mean); t.clamp_(a, b)
    /// ```
    ///
    /// with float32 tensor arithmetic and PyTorch's float32 `erfinv` (see [`erfinv_f32`]).
    ///
    /// ```
    /// let mut g = d2l::rng::Generator::new(0);
    /// let v = g.trunc_normal_erfinv_f32(1000, 0.0, 1.0, -2.0, 2.0);
    /// assert!(v.iter().all(|x| (-2.0..=2.0).contains(x)));
    /// ```
    pub fn trunc_normal_erfinv_f32(
        &mut self,
        n: usize,
        mean: f64,
        std: f64,
        a: f64,
        b: f64,
    ) -> Vec<f32> {
        let l = norm_cdf((a - mean) / std);
        let u = norm_cdf((b - mean) / std);
        let (scale, shift) = ((std * SQRT_2) as f32, mean as f32);
        let (lo, hi) = (a as f32, b as f32);
        self.uniform_f32(n, 2.0 * l - 1.0, 2.0 * u - 1.0)
            .into_iter()
            .map(|y| {
                let v = erfinv_f32(y) * scale + shift;
                if v.is_nan() { v } else { v.max(lo).min(hi) }
            })
            .collect()
    }
}

mod checks;
mod global;
mod kernels;
mod special;

pub use checks::{check_normal, check_trunc_normal, check_uniform_f32, check_uniform_f64};
pub use global::{initial_seed, manual_seed, with_global};
use special::norm_cdf;
pub use special::{erf, erfinv_f32};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_values() {
        for seed in [0, 1, 42, (1 << 40) + 7] {
            let mut a = Generator::new(seed);
            let mut b = Generator::new(seed);
            assert_eq!(a.uniform_f32(50, -1.0, 1.0), b.uniform_f32(50, -1.0, 1.0));
            assert_eq!(a.normal_f32(7, 0.0, 1.0), b.normal_f32(7, 0.0, 1.0));
            assert_eq!(a.normal_f64(33, 0.0, 1.0), b.normal_f64(33, 0.0, 1.0));
            assert_eq!(a.randperm(20), b.randperm(20));
        }
    }

    #[test]
    fn different_seeds_differ() {
        let a = Generator::new(0).uniform_f32(10, 0.0, 1.0);
        let b = Generator::new(1).uniform_f32(10, 0.0, 1.0);
        assert_ne!(a, b);
        let a = Generator::new(0).normal_f32(20, 0.0, 1.0);
        let b = Generator::new(1).normal_f32(20, 0.0, 1.0);
        assert_ne!(a, b);
    }

    #[test]
    fn clone_forks_the_stream_and_the_cached_normal() {
        let mut a = Generator::new(5);
        a.normal_f32(1, 0.0, 1.0); // leaves a cached second sample
        let mut b = a.clone();
        assert_eq!(a.normal_f32(3, 0.0, 1.0), b.normal_f32(3, 0.0, 1.0));
    }

    #[test]
    fn cached_normal_is_the_sine_half() {
        // Two single draws use one Box–Muller pair: cos then sin of the same angle.
        let mut g = Generator::new(9);
        let x = g.normal_f64(1, 0.0, 1.0)[0];
        let y = g.normal_f64(1, 0.0, 1.0)[0];
        let mut h = Generator::new(9);
        let u1 = h.unit_f64();
        let u2 = h.unit_f64();
        let r = (-2.0 * (1.0 - u2).ln()).sqrt();
        assert!((x - r * (TAU * u1).cos()).abs() < 1e-12);
        assert!((y - r * (TAU * u1).sin()).abs() < 1e-12);
        // And the pair used exactly four 32-bit words.
        assert_eq!(g.random_u32(), h.random_u32());
    }

    #[test]
    fn large_normal_uses_n_plus_16_uniforms_when_ragged() {
        let mut g = Generator::new(3);
        g.normal_f32(17, 0.0, 1.0);
        let mut h = Generator::new(3);
        h.uniform_f32(17 + 16, 0.0, 1.0);
        assert_eq!(g.random_u32(), h.random_u32());
        let mut g = Generator::new(3);
        g.normal_f32(32, 0.0, 1.0);
        let mut h = Generator::new(3);
        h.uniform_f32(32, 0.0, 1.0);
        assert_eq!(g.random_u32(), h.random_u32());
    }

    #[test]
    fn empty_draws_consume_nothing() {
        let mut g = Generator::new(4);
        assert!(g.uniform_f32(0, 0.0, 1.0).is_empty());
        assert!(g.normal_f32(0, 0.0, 1.0).is_empty());
        assert!(g.randperm(0).is_empty());
        assert_eq!(g.randperm(1), [0]);
        assert_eq!(g.random_u32(), Generator::new(4).random_u32());
    }

    #[test]
    fn uniform_stays_below_the_upper_bound() {
        // A range so narrow that x * (to - from) + from rounds to `to` for large x.
        let (from, to) = (1.0f64, 1.0 + f64::from(f32::EPSILON));
        let v = Generator::new(0).uniform_f32(10_000, from, to);
        assert!(v.iter().all(|&x| x >= from as f32 && x < to as f32));
    }

    #[test]
    fn randperm_is_a_permutation() {
        let mut g = Generator::new(11);
        let mut p = g.randperm(1000);
        p.sort_unstable();
        assert_eq!(p, (0..1000).collect::<Vec<i64>>());
    }

    #[test]
    fn trunc_normal_respects_bounds_in_both_branches() {
        let mut g = Generator::new(2);
        let v = g.trunc_normal_f32(500, 1.0, 0.5, 0.0, 1.5);
        assert!(v.iter().all(|&x| (0.0..=1.5).contains(&x)));
        let v = g.trunc_normal_f32(500, 0.0, 1.0, 2.0, 3.0); // p < 0.3: uniform proposals
        assert!(v.iter().all(|&x| (2.0..=3.0).contains(&x)));
        let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / 500.0;
        // The mean of N(0,1) truncated to [2, 3] is about 2.32.
        assert!((mean - 2.32).abs() < 0.05, "{mean}");
    }
}
