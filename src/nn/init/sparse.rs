//! `sparse_`: a normal draw with a fixed share of each column set to zero (Martens, 2010).

use super::*;

/// Fills a 2-D parameter as a sparse matrix (Martens, 2010): every element from N(0, std²),
/// then in each column `ceil(sparsity · rows)` randomly chosen elements set to 0.
///
/// The draws are PyTorch's: one normal fill of the whole matrix, then, for each column in
/// turn, a random permutation of the rows whose first `ceil(sparsity · rows)` entries are
/// zeroed. Other ranks are an error: `Only tensors with 2 dimensions are supported`.
///
/// ```
/// use d2l::{nn::init, Parameter, Tensor};
/// let w = Parameter::new(Tensor::zeros((10, 3))?)?;
/// init::sparse_(&w, 0.25, 0.01)?;
/// let v = w.values_f32()?;
/// for col in 0..3 {
///     let zeros = (0..10).filter(|r| v[r * 3 + col] == 0.0).count();
///     assert_eq!(zeros, 3); // ceil(0.25 · 10)
/// }
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn sparse_(p: &Parameter, sparsity: f64, std: f64) -> Result<()> {
    let (dims, is_f64) = shape_and_f64(p)?;
    if dims.len() != 2 {
        bail!(ValueError, "Only tensors with 2 dimensions are supported");
    }
    let (rows, cols) = (dims[0], dims[1]);
    let zeros = sparsity * rows as f64;
    if zeros.is_nan() {
        bail!(ValueError, "cannot convert float NaN to integer");
    }
    if zeros.is_infinite() {
        bail!(OverflowError, "cannot convert float infinity to integer");
    }
    // Python's row_indices[:num_zeros]: a negative count leaves off that many from the end.
    let num_zeros = zeros.ceil();
    let num_zeros = if num_zeros >= 0.0 {
        (num_zeros as usize).min(rows)
    } else {
        rows.saturating_sub((-num_zeros) as usize)
    };
    crate::rng::check_normal(std)?;
    let n = rows * cols;
    let (mut values, perms) = crate::rng::with_global(|g| {
        let values = if is_f64 {
            Values::F64(g.normal_f64(n, 0.0, std))
        } else {
            Values::F32(g.normal_f32(n, 0.0, std))
        };
        let perms: Vec<Vec<i64>> = (0..cols).map(|_| g.randperm(rows)).collect();
        (values, perms)
    });
    for (col, perm) in perms.iter().enumerate() {
        for &row in &perm[..num_zeros] {
            let i = row as usize * cols + col;
            match &mut values {
                Values::F32(v) => v[i] = 0.0,
                Values::F64(v) => v[i] = 0.0,
            }
        }
    }
    write(p, &dims, values)
}
