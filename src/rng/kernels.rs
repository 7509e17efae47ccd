//! The element-wise loops of the float32 draws: the uniform's `x · (to - from) + from`, and
//! the Box–Muller transform with the float32 logarithm, sine and cosine PyTorch's normal
//! sampler uses on x86-64 CPUs.
//!
//! The logarithm, sine and cosine are the Cephes single-precision polynomials as vectorised in PyTorch's
//! `avx_mathfun.h`, reproduced operation for operation so that the roundings agree. PyTorch's
//! compiler fuses a multiplication into the addition that consumes it (one rounding instead
//! of two) wherever it can; `mul_add` marks exactly those places.
//!
//! The code is written without branches (every `if` is a select), so that the compiler can
//! run the eight lanes of a block side by side. `mul_add` is only fast where the CPU has a
//! fused multiply-add instruction and the code is compiled for it, so on x86-64 CPUs with FMA
//! and AVX2 (checked at run time) the blocks run through a copy compiled for those features.
//! Both copies compute the same numbers: a fused multiply-add is exactly rounded either way.

use std::f32::consts::{FRAC_1_SQRT_2, TAU};

/// Maps each `x` in [0, 1) of `data` to `x · (to - from) + from` (one rounding), and a result
/// equal to `to` to `from`.
pub(super) fn affine(data: &mut [f32], from: f32, to: f32) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has both features the function is compiled for (checked above).
        unsafe { affine_fma(data, from, to) };
        return;
    }
    affine_lanes(data, from, to);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn affine_fma(data: &mut [f32], from: f32, to: f32) {
    affine_lanes(data, from, to);
}

#[inline(always)]
fn affine_lanes(data: &mut [f32], from: f32, to: f32) {
    let range = to - from;
    for x in data {
        let v = x.mul_add(range, from);
        *x = if v == to { from } else { v };
    }
}

/// Turns each whole block of 16 uniforms in [0, 1) of `data` into 16 normals from
/// N(mean, std²): for `j` in 0..8, `r = √(-2 ln(1 - d[j]))`, `θ = 2π d[j + 8]`,
/// `d[j] = r cos θ · std + mean`, `d[j + 8] = r sin θ · std + mean`. A partial block at the
/// end is left as it is.
pub(super) fn box_muller_blocks(data: &mut [f32], mean: f32, std: f32) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has both features the function is compiled for (checked above).
        unsafe { box_muller_blocks_fma(data, mean, std) };
        return;
    }
    blocks(data, mean, std);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn box_muller_blocks_fma(data: &mut [f32], mean: f32, std: f32) {
    blocks(data, mean, std);
}

#[inline(always)]
fn blocks(data: &mut [f32], mean: f32, std: f32) {
    for block in data.chunks_exact_mut(16) {
        let (first, second) = block.split_at_mut(8);
        for (a, b) in first.iter_mut().zip(second.iter_mut()) {
            let radius = (-2.0 * ln(1.0 - *a)).sqrt();
            let (sin, cos) = sin_cos(TAU * *b);
            *a = (radius * cos).mul_add(std, mean);
            *b = (radius * sin).mul_add(std, mean);
        }
    }
}

/// ln(x) for normal positive x: x = m·2^e with m in [√½, √2), then a degree-8 polynomial in
/// m - 1 and ln 2 split in two parts. NaN for x ≤ 0 and NaN.
#[inline(always)]
pub(super) fn ln(x: f32) -> f32 {
    const P: [f64; 9] = [
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    ];
    const LN2_LO: f32 = -2.121_944_4e-4;
    const LN2_HI: f32 = 0.693_359_4;
    let invalid = x.is_nan() || x <= 0.0;
    let bits = x.max(f32::MIN_POSITIVE).to_bits();
    // Mantissa in [0.5, 1) and the matching exponent.
    let m = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
    let e = ((bits >> 23) as i32 - 0x7f) as f32 + 1.0;
    let small = m < FRAC_1_SQRT_2;
    let e = if small { e - 1.0 } else { e };
    let x = m - 1.0;
    let x = if small { x + m } else { x };
    let z = x * x;
    let mut y = P[0] as f32;
    for &p in &P[1..] {
        y = y.mul_add(x, p as f32);
    }
    y = (y * x).mul_add(z, e * LN2_LO);
    y = (-z).mul_add(0.5, y);
    let result = e.mul_add(LN2_HI, x + y);
    if invalid { f32::NAN } else { result }
}

/// (sin x, cos x) for 0 ≤ x < 8192: reduce by multiples of π/4 (π/4 split in three parts),
/// then one polynomial for sine and one for cosine, swapped and signed by octant.
#[inline(always)]
pub(super) fn sin_cos(x: f32) -> (f32, f32) {
    const DP: [f64; 3] = [
        -0.78515625,
        -2.418_756_484_985_351_6e-4,
        -3.774_894_977_445_941e-8,
    ];
    const SIN: [f64; 3] = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1];
    const COS: [f64; 3] = [
        2.443315711809948e-5,
        -1.388731625493765e-3,
        4.166664568298827e-2,
    ];
    const FOUR_OVER_PI: f64 = 1.27323954473516;
    // The constants are float32 roundings of these float64 values, as in the C source.
    let (dp, sin_c, cos_c) = (
        DP.map(|c| c as f32),
        SIN.map(|c| c as f32),
        COS.map(|c| c as f32),
    );
    let negative = x.is_sign_negative();
    let x = x.abs();
    // The octant, rounded up to even.
    let j = (((x * FOUR_OVER_PI as f32) as i32) + 1) & !1;
    let y = j as f32;
    let x = y.mul_add(dp[2], y.mul_add(dp[1], y.mul_add(dp[0], x)));
    let z = x * x;
    let c = cos_c[0].mul_add(z, cos_c[1]).mul_add(z, cos_c[2]) * z;
    let cos_poly = c.mul_add(z, -(z * 0.5)) + 1.0;
    let sin_poly = (sin_c[0].mul_add(z, sin_c[1]).mul_add(z, sin_c[2]) * z).mul_add(x, x);
    let swap = j & 2 != 0;
    let (sin, cos) = (
        if swap { cos_poly } else { sin_poly },
        if swap { sin_poly } else { cos_poly },
    );
    let sin_negative = negative ^ (j & 4 != 0);
    let cos_negative = (j - 2) & 4 == 0;
    (
        if sin_negative { -sin } else { sin },
        if cos_negative { -cos } else { cos },
    )
}
