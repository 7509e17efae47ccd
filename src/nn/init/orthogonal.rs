//! `orthogonal_`: a random (semi-)orthogonal matrix, from the QR decomposition of a normal
//! draw, as PyTorch computes it.

use super::*;
use rayon::prelude::*;

/// Fills the parameter with a random (semi-)orthogonal matrix times `gain` (Saxe et al., 2013).
/// A parameter with more than 2 dimensions is treated as the matrix `rows × (numel / rows)`.
///
/// The matrix W satisfies `W Wᵀ = gain² I` when it has no more rows than columns, and
/// `Wᵀ W = gain² I` otherwise. It is drawn as PyTorch draws it: a `rows × cols` matrix of
/// N(0, 1) values (transposed if it is wide), its QR decomposition, and Q with each column
/// multiplied by the sign of the matching diagonal entry of R, which makes the result uniform
/// over orthogonal matrices. The QR is a Householder one computed in float64; on a large
/// matrix it uses all CPU cores (rayon's pool, `RAYON_NUM_THREADS`), with a result that does not
/// depend on how many there are.
///
/// Fewer than 2 dimensions is an error: `Only tensors with 2 or more dimensions are supported`.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((2, 3))?)?;
/// init::orthogonal_(&w, 1.0)?;
/// let v = w.values_f32()?;
/// let dot = |i: usize, j: usize| (0..3).map(|k| v[i * 3 + k] * v[j * 3 + k]).sum::<f32>();
/// assert!((dot(0, 0) - 1.0).abs() < 1e-6 && (dot(1, 1) - 1.0).abs() < 1e-6);
/// assert!(dot(0, 1).abs() < 1e-6);
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn orthogonal_(p: &Parameter, gain: f64) -> Result<()> {
    let (dims, is_f64) = shape_and_f64(p)?;
    if dims.len() < 2 {
        bail!(
            ValueError,
            "Only tensors with 2 or more dimensions are supported"
        );
    }
    let numel: usize = dims.iter().product();
    if numel == 0 {
        return Ok(());
    }
    let rows = dims[0];
    let cols = numel / rows;
    let flat: Vec<f64> = crate::rng::with_global(|g| {
        if is_f64 {
            g.normal_f64(numel, 0.0, 1.0)
        } else {
            g.normal_f32(numel, 0.0, 1.0)
                .into_iter()
                .map(f64::from)
                .collect()
        }
    });
    // Factor the tall matrix, stored column after column: that is the draw itself when it is
    // wide (the tall matrix is its transpose), and the draw's transpose otherwise. Q comes
    // back column after column, which for a wide draw is already the row-major result.
    let q = if rows < cols {
        signed_q(flat, cols, rows)
    } else {
        let tall = transpose(&flat, rows, cols);
        drop(flat);
        transpose(&signed_q(tall, rows, cols), cols, rows)
    };
    let values = if is_f64 {
        Values::F64(q.into_iter().map(|x| x * gain).collect())
    } else {
        let gain = gain as f32;
        Values::F32(q.into_iter().map(|x| x as f32 * gain).collect())
    };
    write(p, &dims, values)
}

/// The transpose of a row-major `m × n` matrix, copied tile by tile so that reads and writes
/// both stay within a few cache lines.
fn transpose(a: &[f64], m: usize, n: usize) -> Vec<f64> {
    const TILE: usize = 32;
    let mut t = vec![0.0; m * n];
    for i0 in (0..m).step_by(TILE) {
        for j0 in (0..n).step_by(TILE) {
            for i in i0..(i0 + TILE).min(m) {
                for j in j0..(j0 + TILE).min(n) {
                    t[j * m + i] = a[i * n + j];
                }
            }
        }
    }
    t
}

/// PyTorch's sign: -1, 0 or 1.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Householder reflections are applied to the other columns this many at a time.
const QR_BLOCK: usize = 16;

/// Q of the reduced QR decomposition of the `m × n` matrix `a` (m ≥ n), stored column after
/// column, by Householder reflections, with column j multiplied by sign(R[j, j]). Q is
/// returned column after column too.
///
/// Every loop runs down a column, over contiguous memory. Each column goes through its own
/// fixed sequence of floating-point operations whichever thread handles it, so the result
/// does not depend on the number of threads.
fn signed_q(mut a: Vec<f64>, m: usize, n: usize) -> Vec<f64> {
    // Reflection k maps column k (from row k down) onto a multiple of the k-th unit vector;
    // it is I - 2 v vᵀ with a unit vector v that is zero above row k, or the identity (v = 0)
    // when that part of column k is already zero.
    let mut blocks: Vec<Block> = Vec::with_capacity(n.div_ceil(QR_BLOCK));
    let mut r_diag = vec![0.0; n];
    for k0 in (0..n).step_by(QR_BLOCK) {
        let k1 = (k0 + QR_BLOCK).min(n);
        let mut block = Block::new(m - k0);
        // Columns k0..k1: each gets this block's earlier reflections, then yields its own.
        for k in k0..k1 {
            let i = k - k0;
            let x = &mut a[k * m + k0..(k + 1) * m];
            for l in 0..i {
                reflect(x, l, block.v(l));
            }
            let x = &x[i..];
            let norm = dot(x, x).sqrt();
            if norm == 0.0 {
                continue;
            }
            // Reflect onto alpha = -sign(x₀)·‖x‖ to avoid cancellation in v₀ = x₀ - alpha;
            // alpha is R[k, k].
            let alpha = if x[0] > 0.0 { -norm } else { norm };
            let v = block.v_mut(i);
            v.copy_from_slice(x);
            v[0] -= alpha;
            let v_norm = dot(v, v).sqrt();
            v.iter_mut().for_each(|x| *x /= v_norm);
            r_diag[k] = alpha;
        }
        block.finish();
        // The block, first reflection to last, to every later column.
        let work = (n - k1) * (m - k0) * QR_BLOCK;
        for_each_column(&mut a[k1 * m..], m, work, |col| block.apply(col, false));
        blocks.push(block);
    }
    // Q = H₀ H₁ … Hₙ₋₁ applied to the first n columns of the identity. Hₖ leaves eⱼ alone
    // for k > j, so column j is H₀ … Hⱼ eⱼ: blocks from the last one down, each applied last
    // reflection first to the columns it reaches. The block's own columns k0..k1 see only
    // the reflections up to their own.
    drop(a);
    let mut q = vec![0.0; m * n];
    for j in 0..n {
        q[j * m + j] = 1.0;
    }
    for (b, block) in blocks.iter().enumerate().rev() {
        let k0 = b * QR_BLOCK;
        let k1 = (k0 + QR_BLOCK).min(n);
        let (own, later) = q[k0 * m..].split_at_mut((k1 - k0) * m);
        for (i, col) in own.chunks_exact_mut(m).enumerate() {
            for l in (0..=i).rev() {
                reflect(&mut col[k0..], l, block.v(l));
            }
        }
        let work = (n - k1) * (m - k0) * QR_BLOCK;
        for_each_column(later, m, work, |col| block.apply(col, true));
    }
    for (col, d) in q.chunks_exact_mut(m).zip(&r_diag) {
        let s = sign(*d);
        col.iter_mut().for_each(|x| *x *= s);
    }
    q
}

/// `QR_BLOCK` consecutive reflections k0, k0 + 1, …, acting on the last `rows` rows (rows
/// k0..) of columns.
struct Block {
    rows: usize,
    /// The vectors, `rows` values each; vector i is zero above its row i, and all zero for
    /// the identity (and past the last column of the matrix).
    v: Vec<f64>,
    /// The same vectors row after row: `QR_BLOCK` values per row.
    vt: Vec<f64>,
    /// gram[i][l] = vᵢ · vₗ for l < i.
    gram: [[f64; QR_BLOCK]; QR_BLOCK],
}

impl Block {
    fn new(rows: usize) -> Self {
        Self {
            rows,
            v: vec![0.0; rows * QR_BLOCK],
            vt: Vec::new(),
            gram: [[0.0; QR_BLOCK]; QR_BLOCK],
        }
    }

    /// Vector i, whole.
    fn col(&self, i: usize) -> &[f64] {
        &self.v[i * self.rows..(i + 1) * self.rows]
    }

    /// Vector i from its row i down (where it can be non-zero).
    fn v(&self, i: usize) -> &[f64] {
        &self.col(i)[i..]
    }

    fn v_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.v[i * self.rows + i..(i + 1) * self.rows]
    }

    /// Fills `vt` and `gram` once the vectors are final.
    fn finish(&mut self) {
        self.vt = transpose(&self.v, QR_BLOCK, self.rows);
        for i in 0..QR_BLOCK {
            for l in 0..i {
                self.gram[i][l] = dot(self.col(i), self.col(l));
            }
        }
    }

    /// Applies the reflections, first to last (last to first when `reverse`), to the last
    /// `rows` rows of the column `col`.
    ///
    /// With cᵢ = 2 vᵢ · (x after the reflections before i), the result is x minus the sum of
    /// the cᵢ vᵢ, and cᵢ = 2 (vᵢ · x - Σ cₗ vᵢ · vₗ) over those earlier l. So one pass over x
    /// takes all the dot products vᵢ · x, and a second one subtracts the cᵢ vᵢ, four at a time.
    fn apply(&self, col: &mut [f64], reverse: bool) {
        let first_row = col.len() - self.rows;
        let x = &mut col[first_row..];
        let mut c = [0.0; QR_BLOCK];
        let (vt, _) = self.vt.as_chunks::<QR_BLOCK>();
        for (row, xr) in vt.iter().zip(x.iter()) {
            for i in 0..QR_BLOCK {
                c[i] += xr * row[i];
            }
        }
        // The t-th reflection applied is number nth(t).
        let nth = |t: usize| if reverse { QR_BLOCK - 1 - t } else { t };
        for t in 0..QR_BLOCK {
            let i = nth(t);
            let earlier = (0..t).map(nth);
            let s = earlier.fold(c[i], |s, l| s - c[l] * self.gram[i.max(l)][i.min(l)]);
            c[i] = 2.0 * s;
        }
        for g in (0..QR_BLOCK).step_by(4) {
            let [v0, v1, v2, v3] = [g, g + 1, g + 2, g + 3].map(|i| self.col(i));
            for ((((x, v0), v1), v2), v3) in x.iter_mut().zip(v0).zip(v1).zip(v2).zip(v3) {
                *x = *x - c[g] * v0 - c[g + 1] * v1 - c[g + 2] * v2 - c[g + 3] * v3;
            }
        }
    }
}

/// Applies I - 2 v vᵀ (v living in rows k..) to one column.
fn reflect(col: &mut [f64], k: usize, v: &[f64]) {
    let x = &mut col[k..];
    let d = 2.0 * dot(v, x);
    for (xi, vi) in x.iter_mut().zip(v) {
        *xi -= d * vi;
    }
}

/// The dot product of two slices of equal length, summed in 8 independent lanes so that it
/// vectorises.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (ca, ra) = a.as_chunks::<8>();
    let (cb, rb) = b[..a.len()].as_chunks::<8>();
    let mut acc = [0.0; 8];
    for (x, y) in ca.iter().zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    let half: [f64; 4] = std::array::from_fn(|l| acc[l] + acc[l + 4]);
    ((half[0] + half[2]) + (half[1] + half[3])) + tail
}

/// Multiply-adds worth a task of their own (smaller shares cost more to hand out than they save).
const TASK_WORK: usize = 1 << 20;

/// Calls `f` on every column of `cols` (columns of `m` rows, one after another), sharing them
/// between rayon's threads when there are `work` multiply-adds to share. Each column is
/// handled by one call of `f`, whichever thread runs it, so the result does not depend on the
/// number of threads.
fn for_each_column<F: Fn(&mut [f64]) + Sync>(cols: &mut [f64], m: usize, work: usize, f: F) {
    let count = cols.len() / m;
    if work < 2 * TASK_WORK || count < 2 {
        cols.chunks_exact_mut(m).for_each(&f);
        return;
    }
    // At least TASK_WORK multiply-adds per task.
    let min_columns = TASK_WORK.div_ceil(work / count).max(1);
    cols.par_chunks_exact_mut(m)
        .with_min_len(min_columns)
        .for_each(&f);
}
