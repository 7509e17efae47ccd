//! Statistical checks of `d2l::nn::init`, in the manner of PyTorch's own init tests: every
//! random initialisation is run on tensors of 30 to 50 elements per side (1, 2 and 4
//! dimensions where the function allows them), for several seeds, and its values must pass a
//! one-sample Kolmogorov–Smirnov test against the exact distribution the function promises,
//! at p > 1e-4. The target distributions (their means, standard deviations and bounds) are
//! computed here from the shapes, independently of the library's formulas.
//!
//! Also: orthogonality of `orthogonal_`, `dirac_` as an identity convolution, the zeros of
//! `sparse_`, `calculate_gain`'s values, and determinism under `manual_seed`.

use d2l::nn::init::{self, FanMode, KaimingOptions};
use d2l::{Parameter, Result, Tensor, manual_seed};
use std::f64::consts::{FRAC_2_SQRT_PI, SQRT_2};
use std::sync::Mutex;

/// The generator is global and cargo runs tests in parallel: every test that seeds holds this.
static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const SEEDS: [u64; 3] = [0, 7, 2024];

/// The Kolmogorov distribution's upper quantile for p = 1e-4: `D·√n` above it rejects.
const KS_CRITICAL: f64 = 2.2253;

// ---------------------------------------------------------------------------------------------
// Distribution functions.

/// erf(x): its Maclaurin series up to |x| = 2, then 1 - erfc.
fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < 0.0 {
        return -erf(-x);
    }
    if x > 2.0 {
        return 1.0 - erfc(x);
    }
    // erf(x) = 2/√π · Σ (-1)ⁿ x^(2n+1) / (n! (2n + 1))
    let (mut term, mut sum) = (x, x);
    let mut n = 0.0;
    loop {
        n += 1.0;
        term *= -x * x / n;
        let add = term / (2.0 * n + 1.0);
        sum += add;
        if add.abs() <= 1e-17 * sum.abs() {
            break;
        }
    }
    FRAC_2_SQRT_PI * sum
}

/// erfc(x) = 1 - erf(x): for x > 2 by its continued fraction
/// erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))), which has converged to
/// double precision after 80 levels from x = 2 on; elsewhere from erf.
fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x <= 2.0 {
        return 1.0 - erf(x);
    }
    let mut f = x;
    for k in (1..=80).rev() {
        f = x + f64::from(k) / 2.0 / f;
    }
    (-x * x).exp() * FRAC_2_SQRT_PI / 2.0 / f
}

/// Φ((x - mean) / std), the N(mean, std²) distribution function.
fn normal_cdf(x: f64, mean: f64, std: f64) -> f64 {
    0.5 * erfc(-(x - mean) / (std * SQRT_2))
}

fn uniform_cdf(x: f64, a: f64, b: f64) -> f64 {
    ((x - a) / (b - a)).clamp(0.0, 1.0)
}

/// N(mean, std²) conditioned on [a, b].
fn trunc_normal_cdf(x: f64, mean: f64, std: f64, a: f64, b: f64) -> f64 {
    let (lo, hi) = (normal_cdf(a, mean, std), normal_cdf(b, mean, std));
    ((normal_cdf(x, mean, std) - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// `D·√n` of the one-sample Kolmogorov–Smirnov test: D is the largest distance between the
/// samples' empirical distribution function and `cdf`.
fn ks_statistic(samples: &[f32], cdf: impl Fn(f64) -> f64) -> f64 {
    let x = sorted(samples);
    let n = x.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < x.len() {
        // The empirical distribution function jumps from i/n to j/n at a run of equal values.
        let mut j = i + 1;
        while j < x.len() && x[j] == x[i] {
            j += 1;
        }
        let f = cdf(f64::from(x[i]));
        d = d.max(f - i as f64 / n).max(j as f64 / n - f);
        i = j;
    }
    d * n.sqrt()
}

/// The values in increasing order, by a two-pass radix sort on their bits mapped to unsigned
/// integers of the same order (much faster than a comparison sort in an unoptimised build).
fn sorted(samples: &[f32]) -> Vec<f32> {
    let key = |v: f32| {
        let b = v.to_bits();
        if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
    };
    let mut keys: Vec<u32> = samples.iter().map(|&v| key(v)).collect();
    let mut buf = vec![0u32; keys.len()];
    for shift in [0, 16] {
        let mut start = vec![0usize; 1 << 16];
        for &k in &keys {
            start[((k >> shift) & 0xffff) as usize] += 1;
        }
        let mut sum = 0;
        for s in start.iter_mut() {
            let c = *s;
            *s = sum;
            sum += c;
        }
        for &k in &keys {
            let b = ((k >> shift) & 0xffff) as usize;
            buf[start[b]] = k;
            start[b] += 1;
        }
        std::mem::swap(&mut keys, &mut buf);
    }
    let unkey = |k: u32| f32::from_bits(if k >> 31 == 1 { k & 0x7fff_ffff } else { !k });
    keys.into_iter().map(unkey).collect()
}

fn assert_fits(what: &str, samples: &[f32], cdf: impl Fn(f64) -> f64) {
    assert!(
        samples.len() >= 30,
        "{what}: only {} samples",
        samples.len()
    );
    let k = ks_statistic(samples, cdf);
    assert!(
        k < KS_CRITICAL,
        "{what}: KS statistic D·√n = {k:.4} >= {KS_CRITICAL} (p < 1e-4) over {} values",
        samples.len()
    );
}

fn assert_rejected(what: &str, samples: &[f32], cdf: impl Fn(f64) -> f64) {
    let k = ks_statistic(samples, cdf);
    assert!(
        k >= KS_CRITICAL,
        "{what}: the KS test should reject, but D·√n = {k:.4}"
    );
}

// ---------------------------------------------------------------------------------------------
// Shapes and parameters.

/// A test-local pseudo-random number in [0, 1) (SplitMix64), so that the shapes and arguments
/// vary with the seed without touching the generator under test.
fn mix(seed: u64, salt: u64) -> f64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A value in [lo, hi) that depends on the seed and the salt.
fn pick(seed: u64, salt: u64, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * mix(seed, salt)
}

/// Whether this is an optimised build, fast enough for every seed on the largest 4-D tensors.
const OPTIMISED: bool = !cfg!(debug_assertions);

/// A shape with `dims` sides of 30 to 50 elements each. In an unoptimised build (plain
/// `cargo test`) 4-D sides stay within 30 to 35, under 1.6 million elements, to keep the
/// suite quick; `cargo test --release` uses the whole range.
fn shape(seed: u64, dims: usize) -> Vec<usize> {
    let span = if dims >= 4 && !OPTIMISED { 6.0 } else { 21.0 };
    (0..dims)
        .map(|d| 30 + (mix(seed, 100 + (dims * 10 + d) as u64) * span) as usize)
        .collect()
}

/// The seeds for tensors of this rank: all of them, except for 4-D tensors in an unoptimised
/// build, which get the first one only.
fn seeds_for(dims: usize) -> &'static [u64] {
    if dims >= 4 && !OPTIMISED {
        &SEEDS[..1]
    } else {
        &SEEDS
    }
}

fn param(shape: &[usize]) -> Parameter {
    Parameter::new(Tensor::zeros(shape.to_vec()).unwrap()).unwrap()
}

fn fans(shape: &[usize]) -> (f64, f64) {
    let rf: usize = shape[2..].iter().product();
    ((shape[1] * rf) as f64, (shape[0] * rf) as f64)
}

/// Runs `init` on a fresh parameter of each shape (one per seed and rank) after seeding, and
/// hands the values to `check` with the shape.
fn for_each_case(
    ranks: &[usize],
    init: impl Fn(&Parameter, u64) -> Result<()>,
    check: impl Fn(u64, &[usize], &[f32]),
) {
    let _guard = lock();
    for &dims in ranks {
        for &seed in seeds_for(dims) {
            let shape = shape(seed, dims);
            let p = param(&shape);
            manual_seed(seed);
            init(&p, seed).unwrap();
            check(seed, &shape, &p.values_f32().unwrap());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The KS tool itself.

#[test]
fn erf_and_erfc_match_the_c_library() {
    // Python's math.erf / math.erfc (the C library's).
    let erfs = [
        (0.1, 0.1124629160182849),
        (0.5, 0.5204998778130465),
        (1.0, 0.8427007929497149),
        (1.9, 0.9927904292352575),
        (2.0, 0.9953222650189527),
        (2.1, 0.997020533343667),
        (3.0, 0.9999779095030014),
        (-1.5, -0.9661051464753108),
    ];
    for (x, want) in erfs {
        assert!((erf(x) - want).abs() < 1e-15, "erf({x}) = {}", erf(x));
    }
    assert_eq!(erf(0.0), 0.0);
    let erfcs = [
        (0.5, 0.4795001221869535),
        (2.0, 0.004677734981047265),
        (2.5, 0.0004069520174449589),
        (4.0, 1.541725790028002e-08),
        (6.0, 2.1519736712498916e-17),
        (10.0, 2.088487583762545e-45),
        (-1.0, 1.842700792949715),
    ];
    for (x, want) in erfcs {
        let rel = ((erfc(x) - want) / want).abs();
        assert!(rel < 1e-13, "erfc({x}) = {}, relative error {rel}", erfc(x));
    }
}

#[test]
fn ks_critical_value_is_the_1e_4_quantile() {
    // Kolmogorov's limit law: P(D·√n > t) = 2 Σₖ (-1)^(k-1) exp(-2 k² t²).
    let tail = |t: f64| {
        (1..100)
            .map(|k| {
                let k = f64::from(k);
                2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * t * t).exp()
            })
            .sum::<f64>()
    };
    let p = tail(KS_CRITICAL);
    assert!((p - 1e-4).abs() < 1e-6, "P(K > {KS_CRITICAL}) = {p}");
}

#[test]
fn ks_rejects_xavier_values_checked_against_a_wrong_bound() {
    // The correct bound is √(6 / (fan_in + fan_out)); √(6 / fan_in) is a classic slip.
    let _guard = lock();
    for &seed in &SEEDS {
        let shape = [40, 30];
        let (fan_in, fan_out) = fans(&shape);
        let p = param(&shape);
        manual_seed(seed);
        init::xavier_uniform_(&p).unwrap();
        let v = p.values_f32().unwrap();
        let right = (6.0 / (fan_in + fan_out)).sqrt();
        let wrong = (6.0 / fan_in).sqrt();
        assert_fits("xavier_uniform_, right bound", &v, |x| {
            uniform_cdf(x, -right, right)
        });
        assert_rejected("xavier_uniform_, bound √(6/fan_in)", &v, |x| {
            uniform_cdf(x, -wrong, wrong)
        });
    }
}

#[test]
fn ks_rejects_kaiming_values_checked_against_the_other_fan() {
    let _guard = lock();
    let shape = [50, 30];
    let (fan_in, fan_out) = fans(&shape);
    let p = param(&shape);
    manual_seed(3);
    let opts = KaimingOptions {
        mode: FanMode::FanOut,
        ..Default::default()
    };
    init::kaiming_normal_with_(&p, opts).unwrap();
    let v = p.values_f32().unwrap();
    assert_fits("kaiming_normal_ fan_out", &v, |x| {
        normal_cdf(x, 0.0, (2.0 / fan_out).sqrt())
    });
    assert_rejected("kaiming_normal_ fan_out checked as fan_in", &v, |x| {
        normal_cdf(x, 0.0, (2.0 / fan_in).sqrt())
    });
}

#[test]
fn ks_rejects_a_shifted_normal() {
    let _guard = lock();
    let p = param(&[40, 40]);
    manual_seed(11);
    init::normal_(&p, 0.0, 1.0).unwrap();
    let v = p.values_f32().unwrap();
    assert_fits("normal_(0, 1)", &v, |x| normal_cdf(x, 0.0, 1.0));
    assert_rejected("normal_(0, 1) checked as N(0.2, 1)", &v, |x| {
        normal_cdf(x, 0.2, 1.0)
    });
}

// ---------------------------------------------------------------------------------------------
// The distributions.

#[test]
fn uniform_follows_u_a_b() {
    let bounds = |seed: u64| {
        let a = pick(seed, 1, -3.0, 3.0);
        (a, a + pick(seed, 2, 1.0, 5.0))
    };
    for_each_case(
        &[1, 2, 4],
        |p, seed| {
            let (a, b) = bounds(seed);
            init::uniform_(p, a, b)
        },
        |seed, shape, v| {
            let (a, b) = bounds(seed);
            assert!(
                v.iter()
                    .all(|&x| f64::from(x) >= a as f32 as f64 && f64::from(x) < b)
            );
            assert_fits(&format!("uniform_({a}, {b}) on {shape:?}"), v, |x| {
                uniform_cdf(x, a, b)
            });
        },
    );
}

#[test]
fn normal_follows_n_mean_std() {
    let args = |seed: u64| (pick(seed, 3, -3.0, 3.0), pick(seed, 4, 1.0, 5.0));
    for_each_case(
        &[1, 2, 4],
        |p, seed| {
            let (mean, std) = args(seed);
            init::normal_(p, mean, std)
        },
        |seed, shape, v| {
            let (mean, std) = args(seed);
            assert_fits(&format!("normal_({mean}, {std}) on {shape:?}"), v, |x| {
                normal_cdf(x, mean, std)
            });
        },
    );
}

#[test]
fn normal_below_16_elements_follows_n_mean_std() {
    // Small tensors take PyTorch's other sampling path; pool many small draws.
    let _guard = lock();
    for &seed in &SEEDS {
        manual_seed(seed);
        let mut pooled = Vec::new();
        for _ in 0..200 {
            let p = param(&[3, 5]);
            init::normal_(&p, 1.0, 0.5).unwrap();
            pooled.extend(p.values_f32().unwrap());
        }
        assert_fits("normal_(1, 0.5) on [3, 5], pooled", &pooled, |x| {
            normal_cdf(x, 1.0, 0.5)
        });
    }
}

#[test]
fn trunc_normal_follows_the_truncated_normal() {
    // Intervals holding more than 30% of the normal's mass (sampled by redrawing normals
    // outside [a, b]) and narrow ones (sampled by accepting uniform proposals). Both methods
    // redraw the whole tensor each round, and the less mass [a, b] holds, the more rounds a
    // million-element tensor needs: apart from the first case, 4-D tensors are left to
    // optimised builds.
    let cases = [
        (0.0, 1.0, -2.0, 2.0),   // 95% of the mass
        (0.5, 2.0, -1.0, 1.0),   // 37%
        (-1.0, 0.5, -3.0, -1.2), // 34%
        (0.0, 1.0, 1.5, 3.0),    // 6.5%
        (-1.0, 0.5, -3.0, -1.6), // 12%
    ];
    for (i, (mean, std, a, b)) in cases.into_iter().enumerate() {
        let ranks: &[usize] = if i == 0 || OPTIMISED {
            &[1, 2, 4]
        } else {
            &[1, 2]
        };
        for_each_case(
            ranks,
            |p, _| init::trunc_normal_(p, mean, std, a, b),
            |_, shape, v| {
                assert!(v.iter().all(|&x| (a as f32..=b as f32).contains(&x)));
                let what = format!("trunc_normal_({mean}, {std}, {a}, {b}) on {shape:?}");
                assert_fits(&what, v, |x| trunc_normal_cdf(x, mean, std, a, b));
            },
        );
    }
}

#[test]
fn xavier_uniform_follows_its_bound() {
    for use_gain in [false, true] {
        let gain = |seed: u64| {
            if use_gain {
                pick(seed, 5, 1.0, 5.0)
            } else {
                1.0
            }
        };
        for_each_case(
            &[2, 4],
            |p, seed| {
                if use_gain {
                    init::xavier_uniform_with_(p, gain(seed))
                } else {
                    init::xavier_uniform_(p)
                }
            },
            |seed, shape, v| {
                let (fan_in, fan_out) = fans(shape);
                let bound = gain(seed) * (6.0 / (fan_in + fan_out)).sqrt();
                let what = format!("xavier_uniform_ gain {} on {shape:?}", gain(seed));
                assert_fits(&what, v, |x| uniform_cdf(x, -bound, bound));
            },
        );
    }
}

#[test]
fn xavier_normal_follows_its_std() {
    for use_gain in [false, true] {
        let gain = |seed: u64| {
            if use_gain {
                pick(seed, 6, 1.0, 5.0)
            } else {
                1.0
            }
        };
        for_each_case(
            &[2, 4],
            |p, seed| {
                if use_gain {
                    init::xavier_normal_with_(p, gain(seed))
                } else {
                    init::xavier_normal_(p)
                }
            },
            |seed, shape, v| {
                let (fan_in, fan_out) = fans(shape);
                let std = gain(seed) * (2.0 / (fan_in + fan_out)).sqrt();
                let what = format!("xavier_normal_ gain {} on {shape:?}", gain(seed));
                assert_fits(&what, v, |x| normal_cdf(x, 0.0, std));
            },
        );
    }
}

/// The Kaiming std for a leaky ReLU() of slope `a`: √(2 / ((1 + a²)·fan)).
fn kaiming_std(shape: &[usize], a: f64, mode: FanMode) -> f64 {
    let (fan_in, fan_out) = fans(shape);
    let fan = if mode == FanMode::FanIn {
        fan_in
    } else {
        fan_out
    };
    (2.0 / ((1.0 + a * a) * fan)).sqrt()
}

#[test]
fn kaiming_uniform_follows_its_bound() {
    for use_a in [false, true] {
        for mode in [FanMode::FanIn, FanMode::FanOut] {
            let a = |seed: u64| if use_a { pick(seed, 7, 0.1, 2.0) } else { 0.0 };
            for_each_case(
                &[2, 4],
                |p, seed| {
                    if !use_a && mode == FanMode::FanIn {
                        return init::kaiming_uniform_(p);
                    }
                    let opts = KaimingOptions {
                        a: a(seed),
                        mode,
                        ..Default::default()
                    };
                    init::kaiming_uniform_with_(p, opts)
                },
                |seed, shape, v| {
                    let bound = 3f64.sqrt() * kaiming_std(shape, a(seed), mode);
                    let what = format!("kaiming_uniform_ a {} {mode} on {shape:?}", a(seed));
                    assert_fits(&what, v, |x| uniform_cdf(x, -bound, bound));
                },
            );
        }
    }
}

#[test]
fn kaiming_normal_follows_its_std() {
    for use_a in [false, true] {
        for mode in [FanMode::FanIn, FanMode::FanOut] {
            let a = |seed: u64| if use_a { pick(seed, 8, 0.1, 2.0) } else { 0.0 };
            for_each_case(
                &[2, 4],
                |p, seed| {
                    if !use_a && mode == FanMode::FanIn {
                        return init::kaiming_normal_(p);
                    }
                    let opts = KaimingOptions {
                        a: a(seed),
                        mode,
                        ..Default::default()
                    };
                    init::kaiming_normal_with_(p, opts)
                },
                |seed, shape, v| {
                    let std = kaiming_std(shape, a(seed), mode);
                    let what = format!("kaiming_normal_ a {} {mode} on {shape:?}", a(seed));
                    assert_fits(&what, v, |x| normal_cdf(x, 0.0, std));
                },
            );
        }
    }
}

#[test]
fn sparse_non_zeros_follow_n_0_std() {
    let args = |seed: u64| (pick(seed, 9, 0.1, 0.5), pick(seed, 10, 0.01, 2.0));
    for_each_case(
        &[2],
        |p, seed| {
            let (sparsity, std) = args(seed);
            init::sparse_(p, sparsity, std)
        },
        |seed, shape, v| {
            let (sparsity, std) = args(seed);
            let non_zeros: Vec<f32> = v.iter().copied().filter(|&x| x != 0.0).collect();
            let what = format!("sparse_({sparsity}, {std}) non-zeros on {shape:?}");
            assert_fits(&what, &non_zeros, |x| normal_cdf(x, 0.0, std));
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Structure.

#[test]
fn sparse_zeroes_ceil_sparsity_rows_per_column() {
    let _guard = lock();
    // (rows, cols, sparsity, zeros per column). Outside [0, 1] PyTorch's count follows
    // Python's slice `perm[:ceil(sparsity·rows)]`: all rows above 1, and a negative count
    // leaves off that many rows from the end (zeros per column from PyTorch 2.15).
    let cases = [
        (10, 6, 0.3, 3),
        (7, 3, 0.5, 4),
        (33, 41, 0.1, 4),
        (5, 4, 0.0, 0),
        (5, 4, 1.0, 5),
        (4, 3, 1.5, 4),
        (4, 3, -0.1, 0),
        (4, 3, -0.5, 2),
        (4, 3, -3.0, 0),
    ];
    for (rows, cols, sparsity, want) in cases {
        let p = param(&[rows, cols]);
        manual_seed(5);
        init::sparse_(&p, sparsity, 1.0).unwrap();
        let v = p.values_f32().unwrap();
        for c in 0..cols {
            let zeros = (0..rows).filter(|r| v[r * cols + c] == 0.0).count();
            assert_eq!(
                zeros, want,
                "[{rows}, {cols}] sparsity {sparsity}, column {c}"
            );
        }
    }
}

/// `W Wᵀ` (rows ≤ cols) or `Wᵀ W` of the parameter seen as `rows × (numel / rows)`, in f64.
fn gram(v: &[f32], rows: usize) -> (Vec<f64>, usize) {
    let cols = v.len() / rows;
    let at = |i: usize, j: usize| f64::from(v[i * cols + j]);
    if rows <= cols {
        let g = (0..rows * rows)
            .map(|k| (0..cols).map(|t| at(k / rows, t) * at(k % rows, t)).sum())
            .collect();
        (g, rows)
    } else {
        let g = (0..cols * cols)
            .map(|k| (0..rows).map(|t| at(t, k / cols) * at(t, k % cols)).sum())
            .collect();
        (g, cols)
    }
}

#[test]
fn orthogonal_gives_orthonormal_rows_or_columns() {
    let _guard = lock();
    let shapes: [&[usize]; 4] = [&[3, 4], &[4, 3], &[20, 2, 3, 4], &[2, 3, 4, 5]];
    for &seed in &SEEDS {
        for shape in shapes {
            for gain in [1.0, 0.5, 2.0] {
                let p = param(shape);
                manual_seed(seed);
                init::orthogonal_(&p, gain).unwrap();
                let v = p.values_f32().unwrap();
                let (g, n) = gram(&v, shape[0]);
                for i in 0..n {
                    for j in 0..n {
                        let want = if i == j { gain * gain } else { 0.0 };
                        let got = g[i * n + j];
                        assert!(
                            (got - want).abs() <= 1e-6,
                            "seed {seed} {shape:?} gain {gain}: Gram[{i}, {j}] = {got}, want {want}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn orthogonal_is_not_always_the_same_matrix() {
    let _guard = lock();
    let p = param(&[4, 4]);
    manual_seed(0);
    init::orthogonal_(&p, 1.0).unwrap();
    let a = p.values_f32().unwrap();
    init::orthogonal_(&p, 1.0).unwrap();
    assert_ne!(a, p.values_f32().unwrap());
    // Not merely a signed permutation of the identity.
    assert!(
        a.iter()
            .filter(|x| x.abs() > 1e-3 && (x.abs() - 1.0).abs() > 1e-3)
            .count()
            > 4
    );
}

/// A direct N-d convolution (`spatial` = 1, 2 or 3 kernel axes), stride 1, zero padding
/// `k / 2` on each side, with `groups`, on a single sample `x` of shape `[in_ch, L...]`.
/// Returns the output for odd kernel sizes (same spatial size as the input).
fn conv(x: &[f64], x_dims: &[usize], w: &[f32], w_dims: &[usize], groups: usize) -> Vec<f64> {
    let (out_ch, in_per_group) = (w_dims[0], w_dims[1]);
    let out_per_group = out_ch / groups;
    let kernel = &w_dims[2..];
    let space = &x_dims[1..];
    let positions: usize = space.iter().product();
    let taps: usize = kernel.iter().product();
    let unflatten = |mut flat: usize, dims: &[usize]| {
        let mut idx = vec![0; dims.len()];
        for d in (0..dims.len()).rev() {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
        idx
    };
    let mut y = vec![0.0; out_ch * positions];
    for o in 0..out_ch {
        let g = o / out_per_group;
        for pos in 0..positions {
            let at = unflatten(pos, space);
            let mut acc = 0.0;
            for c in 0..in_per_group {
                let ic = g * in_per_group + c;
                for tap in 0..taps {
                    let k = unflatten(tap, kernel);
                    // Input coordinate at + k - k_size/2, if inside.
                    let mut flat = ic;
                    let mut inside = true;
                    for d in 0..space.len() {
                        let coord = at[d] as isize + k[d] as isize - (kernel[d] / 2) as isize;
                        if coord < 0 || coord >= space[d] as isize {
                            inside = false;
                            break;
                        }
                        flat = flat * space[d] + coord as usize;
                    }
                    if inside {
                        let wi = (o * in_per_group + c) * taps + tap;
                        acc += f64::from(w[wi]) * x[flat];
                    }
                }
            }
            y[o * positions + pos] = acc;
        }
    }
    y
}

#[test]
fn dirac_weight_makes_an_identity_convolution() {
    let _guard = lock();
    // (weight shape, groups, spatial size of the test input)
    let cases: [(&[usize], usize, &[usize]); 8] = [
        (&[4, 4, 3], 1, &[7]),
        (&[6, 4, 5], 1, &[6]),
        (&[4, 6, 3], 1, &[5]),
        (&[4, 2, 3], 2, &[7]),
        (&[3, 3, 3, 5], 1, &[4, 6]),
        (&[6, 2, 3, 3], 2, &[5, 5]),
        (&[2, 2, 3, 3, 3], 1, &[3, 4, 3]),
        (&[4, 1, 1, 3, 5], 2, &[2, 3, 4]),
    ];
    for (w_dims, groups, space) in cases {
        let p = param(w_dims);
        init::uniform_(&p, -1.0, 1.0).unwrap(); // dirac_ must clear what was there
        init::dirac_(&p, groups).unwrap();
        let w = p.values_f32().unwrap();
        let (out_ch, in_per_group) = (w_dims[0], w_dims[1]);
        let out_per_group = out_ch / groups;
        let kept = out_per_group.min(in_per_group);

        // Count and positions of the ones.
        assert_eq!(
            w.iter().filter(|&&x| x == 1.0).count(),
            groups * kept,
            "{w_dims:?}"
        );
        assert_eq!(w.iter().filter(|&&x| x != 0.0 && x != 1.0).count(), 0);
        let taps: usize = w_dims[2..].iter().product();
        let centre = w_dims[2..].iter().fold(0, |acc, &k| acc * k + k / 2);
        for g in 0..groups {
            for d in 0..kept {
                let o = g * out_per_group + d;
                assert_eq!(w[(o * in_per_group + d) * taps + centre], 1.0, "{w_dims:?}");
            }
        }

        // Output channel g·out_per_group + d copies input channel g·in_per_group + d.
        let in_ch = in_per_group * groups;
        let mut x_dims = vec![in_ch];
        x_dims.extend_from_slice(space);
        let positions: usize = space.iter().product();
        let x: Vec<f64> = (0..in_ch * positions)
            .map(|i| mix(9, i as u64) - 0.5)
            .collect();
        let y = conv(&x, &x_dims, &w, w_dims, groups);
        for o in 0..out_ch {
            let (g, d) = (o / out_per_group, o % out_per_group);
            for pos in 0..positions {
                let want = if d < kept {
                    x[(g * in_per_group + d) * positions + pos]
                } else {
                    0.0
                };
                assert_eq!(
                    y[o * positions + pos],
                    want,
                    "{w_dims:?} groups {groups}: out {o}"
                );
            }
        }
    }
}

#[test]
fn dirac_with_even_kernels_puts_the_one_at_k_over_2() {
    let p = param(&[2, 2, 4, 2]);
    init::dirac_(&p, 1).unwrap();
    let w = p.values_f32().unwrap();
    let ones: Vec<usize> = (0..w.len()).filter(|&i| w[i] == 1.0).collect();
    // [0, 0, 2, 1] and [1, 1, 2, 1] in a [2, 2, 4, 2] tensor.
    assert_eq!(ones, [5, 29]);
}

#[test]
fn eye_is_the_identity_matrix() {
    for (r, c) in [(3, 3), (2, 5), (5, 2)] {
        let p = param(&[r, c]);
        init::normal_(&p, 0.0, 1.0).unwrap();
        init::eye_(&p).unwrap();
        let v = p.values_f32().unwrap();
        for i in 0..r {
            for j in 0..c {
                assert_eq!(v[i * c + j], if i == j { 1.0 } else { 0.0 });
            }
        }
    }
}

#[test]
fn constants() {
    let p = param(&[2, 3]);
    init::constant_(&p, 0.3).unwrap();
    assert_eq!(p.values_f32().unwrap(), [0.3f32; 6]);
    init::ones_(&p).unwrap();
    assert_eq!(p.values_f32().unwrap(), [1.0f32; 6]);
    init::zeros_(&p).unwrap();
    assert_eq!(p.values_f32().unwrap(), [0.0f32; 6]);
}

// ---------------------------------------------------------------------------------------------
// Gains.

#[test]
fn calculate_gain_values() {
    // torch.nn.init.calculate_gain
    let cases: [(&str, Option<f64>, f64); 16] = [
        ("linear", None, 1.0),
        ("conv1d", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv3d", None, 1.0),
        ("conv_transpose1d", None, 1.0),
        ("conv_transpose2d", None, 1.0),
        ("conv_transpose3d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 1.6666666666666667),
        ("relu", None, SQRT_2), // 1.4142135623730951
        ("leaky_relu", None, 1.4141428569978354),
        ("leaky_relu", Some(0.0), SQRT_2),
        ("leaky_relu", Some(0.2), 1.3867504905630728),
        ("leaky_relu", Some(10.0), 0.14071950894605836),
        ("leaky_relu", Some(5f64.sqrt()), 0.5773502691896257),
        ("selu", None, 0.75),
    ];
    for (name, param, want) in cases {
        let got = init::calculate_gain(name, param).unwrap();
        assert!(
            (got - want).abs() < 1e-12,
            "{name} {param:?}: {got}, want {want}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Determinism.

type Init = fn(&Parameter) -> Result<()>;

fn random_inits() -> Vec<(&'static str, Init)> {
    vec![
        ("uniform_", |p| init::uniform_(p, -1.0, 1.0)),
        ("normal_", |p| init::normal_(p, 0.0, 1.0)),
        ("trunc_normal_", |p| {
            init::trunc_normal_(p, 0.0, 1.0, -2.0, 2.0)
        }),
        ("trunc_normal_ tail", |p| {
            init::trunc_normal_(p, 0.0, 1.0, 2.0, 3.0)
        }),
        ("xavier_uniform_", init::xavier_uniform_),
        ("xavier_normal_", init::xavier_normal_),
        ("kaiming_uniform_", init::kaiming_uniform_),
        ("kaiming_normal_", init::kaiming_normal_),
        ("orthogonal_", |p| init::orthogonal_(p, 1.0)),
        ("sparse_", |p| init::sparse_(p, 0.5, 1.0)),
    ]
}

#[test]
fn same_seed_same_values_different_seed_different_values() {
    let _guard = lock();
    for shape in [[3usize, 4], [6, 5]] {
        for (name, f) in random_inits() {
            let run = |seed: u64| {
                let p = param(&shape);
                manual_seed(seed);
                f(&p).unwrap();
                // A second call continues the stream: it must differ from the first.
                let first = p.values_f32().unwrap();
                f(&p).unwrap();
                (first, p.values_f32().unwrap())
            };
            let (a1, a2) = run(1);
            let (b1, b2) = run(1);
            let (c1, _) = run(2);
            assert_eq!(a1, b1, "{name} {shape:?}: same seed");
            assert_eq!(a2, b2, "{name} {shape:?}: same seed, second call");
            assert_ne!(a1, c1, "{name} {shape:?}: different seeds");
            assert_ne!(a1, a2, "{name} {shape:?}: consecutive calls");
        }
    }
}

#[test]
fn every_handle_sees_the_new_values() {
    let p = param(&[8, 4]);
    let alias = p.clone();
    init::kaiming_uniform_(&p).unwrap();
    assert_eq!(alias.values_f32().unwrap(), p.values_f32().unwrap());
    assert!(alias.values_f32().unwrap().iter().any(|&x| x != 0.0));
}

#[test]
fn float64_parameters_get_float64_draws() {
    let _guard = lock();
    let p = Parameter::new(
        Tensor::zeros((40, 30))
            .unwrap()
            .candle()
            .to_dtype(candle_core::DType::F64)
            .unwrap()
            .into(),
    )
    .unwrap();
    manual_seed(0);
    init::xavier_normal_(&p).unwrap();
    assert_eq!(p.data().unwrap().candle().dtype(), candle_core::DType::F64);
    let v: Vec<f64> = p
        .data()
        .unwrap()
        .candle()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    // Values that float32 cannot hold: the draw was made in float64.
    assert!(v.iter().any(|&x| x as f32 as f64 != x));
    let std = (2.0f64 / 70.0).sqrt();
    let as32: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    assert_fits("xavier_normal_ on float64", &as32, |x| {
        normal_cdf(x, 0.0, std)
    });
}
