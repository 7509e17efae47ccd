//! `matmul` (`@`) with PyTorch's rules for 1-D, 2-D and batched operands, and `t()`.
//!
//! `a @ b` is a dot product for two vectors, a matrix-vector product for a matrix and a
//! vector, a matrix product for two matrices; a vector on the left is a row, on the right a
//! column, and that dimension is dropped from the result. With more than two dimensions the
//! leading ones are batch dimensions and broadcast. Shape mistakes give the message of the
//! PyTorch kernel that would have refused them (`dot`, `mv`, `mm`, `bmm`).

use super::Tensor;
use super::arith::broadcast_shape;
use crate::error::{Result, bail};
use candle_core::DType;

/// The C++ type name PyTorch prints in matmul's dtype error.
fn c_type(d: DType) -> &'static str {
    match d {
        DType::F32 => "float",
        DType::F64 => "double",
        DType::I64 => "long int",
        DType::U8 => "unsigned char",
        DType::U32 => "unsigned int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        _ => "unknown",
    }
}

/// PyTorch's refusal of a matrix product of two dtypes (`mm`, `matmul`, a `Linear` without
/// bias).
pub(crate) fn check_mm_dtypes(a: DType, b: DType) -> Result<()> {
    if a != b {
        bail!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            c_type(a),
            c_type(b)
        );
    }
    Ok(())
}

impl Tensor {
    /// Matrix product (`@`), following `torch.matmul`.
    ///
    /// ```
    /// let a = d2l::Tensor::new(&[[1f32, 2.]])?;
    /// let b = d2l::Tensor::new(&[[3f32], [4.]])?;
    /// assert_eq!(a.matmul(&b)?.to_string(), "tensor([[11.]])");
    /// let v = d2l::Tensor::new(&[1f32, 1.])?;
    /// assert_eq!(v.matmul(&v)?.to_string(), "tensor(2.)");
    /// assert_eq!(
    ///     a.matmul(&a).unwrap_err().to_string(),
    ///     "mm: mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2)"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn matmul(&self, rhs: &Tensor) -> Result<Tensor> {
        let (a, b) = (self.c(), &rhs.inner);
        let (da, db) = (a.dims().to_vec(), b.dims().to_vec());
        let (ra, rb) = (da.len(), db.len());
        if ra == 0 || rb == 0 {
            bail!("both arguments to matmul need to be at least 1D, but they are {ra}D and {rb}D");
        }
        check_mm_dtypes(a.dtype(), b.dtype())?;
        let (m, k1) = if ra == 1 {
            (1, da[0])
        } else {
            (da[ra - 2], da[ra - 1])
        };
        let (k2, n) = if rb == 1 {
            (db[0], 1)
        } else {
            (db[rb - 2], db[rb - 1])
        };
        let rows: usize = da[..ra - 1].iter().product();
        if k1 != k2 {
            match (ra, rb) {
                (1, 1) => bail!(
                    "inconsistent tensor size, expected tensor [{k1}] and src [{k2}] to have the \
                     same number of elements, but got {k1} and {k2} elements respectively"
                ),
                (_, 1) => bail!("size mismatch, got input ({rows}), mat ({rows}x{k1}), vec ({k2})"),
                (_, 2) => bail!(
                    "mm: mat1 and mat2 shapes cannot be multiplied ({rows}x{k1} and {k2}x{n})"
                ),
                _ => {}
            }
        }
        let name = match (ra, rb) {
            (1, 1) => "DotBackward0",
            (2, 1) => "MvBackward0",
            (1, 2) => "SqueezeBackward4",
            (2, 2) => "MmBackward0",
            (_, 1 | 2) => "UnsafeViewBackward0",
            (1, _) => "UnsafeViewBackward0",
            (2, _) => "CloneBackward0",
            _ if da[..ra - 2].iter().product::<usize>() == 1
                && db[..rb - 2].iter().product::<usize>() > 1 =>
            {
                "CloneBackward0"
            }
            _ => "UnsafeViewBackward0",
        };
        // As matrices: a vector on the left is a row, on the right a column.
        let a3 = if ra == 1 { a.unsqueeze(0)? } else { a.clone() };
        let b3 = if rb == 1 { b.unsqueeze(1)? } else { b.clone() };
        let batch_a = &a3.dims()[..a3.rank() - 2];
        let batch_b = &b3.dims()[..b3.rank() - 2];
        let batch = broadcast_shape(batch_a, batch_b)?;
        let count: usize = batch.iter().product();
        if k1 != k2 {
            bail!(
                "Expected size for first two dimensions of batch2 tensor to be: [{count}, {k1}] \
                 but got: [{count}, {k2}]."
            );
        }
        let shape_a: Vec<usize> = batch.iter().copied().chain([m, k1]).collect();
        let shape_b: Vec<usize> = batch.iter().copied().chain([k2, n]).collect();
        let a3 = a3
            .broadcast_as(shape_a)?
            .contiguous()?
            .reshape((count, m, k1))?;
        let b3 = b3
            .broadcast_as(shape_b)?
            .contiguous()?
            .reshape((count, k2, n))?;
        let y = if a3.dtype().is_float() {
            a3.matmul(&b3)?
        } else {
            // candle multiplies floats only; integers go through float64 (exact below 2^53).
            let f = |t: &candle_core::Tensor| t.to_dtype(DType::F64);
            f(&a3)?.matmul(&f(&b3)?)?.round()?.to_dtype(a3.dtype())?
        };
        let mut out: Vec<usize> = batch.clone();
        if ra > 1 {
            out.push(m);
        }
        if rb > 1 {
            out.push(n);
        }
        Ok(Tensor::derived(y.reshape(out)?, name, &[self, rhs]))
    }

    /// The transpose of a tensor of at most two dimensions (a vector or a 0-d tensor is its
    /// own transpose), like `t.t()`.
    ///
    /// ```
    /// let a = d2l::Tensor::new(&[[1f32, 2.]])?;
    /// assert_eq!(a.t()?.shape(), [2, 1]);
    /// assert_eq!(
    ///     d2l::Tensor::zeros((2, 3, 4))?.t().unwrap_err().to_string(),
    ///     "t() expects a tensor with <= 2 dimensions, but self is 3D"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn t(&self) -> Result<Tensor> {
        let x = self.c();
        let y = match x.rank() {
            0 | 1 => x.clone().reshape(x.dims())?,
            2 => x.t()?,
            r => bail!("t() expects a tensor with <= 2 dimensions, but self is {r}D"),
        };
        Ok(Tensor::derived(y, "TBackward0", &[self]))
    }
}
