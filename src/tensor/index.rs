//! Indexing: `t.i(1)`, `t.i(..2)`, `t.i((.., 0))`, like `t[1]`, `t[:2]`, `t[:, 0]`.
//!
//! As in PyTorch, an integer index must be inside its dimension (else `IndexError`'s text), a
//! slice is clamped to it (`t[:5]` of three elements is all three), and indices apply to
//! the leading dimensions from left to right.

use super::Tensor;
use crate::error::{Result, bail};
use std::ops::{Bound, RangeBounds};

/// One entry of an index: a position (which drops the dimension) or a range (which keeps it).
///
/// ```
/// use d2l::tensor::{IndexItem, TensorIndex};
/// assert_eq!((1, ..2).items(), vec![IndexItem::Select(1), IndexItem::Slice(0, Some(2))]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexItem {
    /// `t[i]`.
    Select(usize),
    /// `t[start:end]` (no end: to the end of the dimension).
    Slice(usize, Option<usize>),
}

/// What [`Tensor::i`] accepts: a `usize`, a range of `usize`, or a tuple of those.
///
/// ```
/// use d2l::tensor::TensorIndex;
/// assert_eq!((.., 0).items().len(), 2);
/// ```
pub trait TensorIndex {
    /// The index entries, one per leading dimension.
    fn items(self) -> Vec<IndexItem>;
}

/// One entry of a tuple index.
///
/// ```
/// use d2l::tensor::{IndexItem, IntoIndexItem};
/// assert_eq!((2..).into_item(), IndexItem::Slice(2, None));
/// ```
pub trait IntoIndexItem {
    /// This entry.
    fn into_item(self) -> IndexItem;
}

impl IntoIndexItem for usize {
    fn into_item(self) -> IndexItem {
        IndexItem::Select(self)
    }
}

fn slice_of(r: impl RangeBounds<usize>) -> IndexItem {
    let start = match r.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s + 1,
        Bound::Unbounded => 0,
    };
    let end = match r.end_bound() {
        Bound::Included(&e) => Some(e + 1),
        Bound::Excluded(&e) => Some(e),
        Bound::Unbounded => None,
    };
    IndexItem::Slice(start, end)
}

macro_rules! range_items {
    ($($t:ty),*) => {$(
        impl IntoIndexItem for $t {
            fn into_item(self) -> IndexItem {
                slice_of(self)
            }
        }
        impl TensorIndex for $t {
            fn items(self) -> Vec<IndexItem> {
                vec![slice_of(self)]
            }
        }
    )*};
}
range_items!(
    std::ops::Range<usize>,
    std::ops::RangeFrom<usize>,
    std::ops::RangeTo<usize>,
    std::ops::RangeFull,
    std::ops::RangeInclusive<usize>,
    std::ops::RangeToInclusive<usize>
);

impl TensorIndex for usize {
    fn items(self) -> Vec<IndexItem> {
        vec![IndexItem::Select(self)]
    }
}

macro_rules! tuple_items {
    ($($name:ident),+) => {
        impl<$($name: IntoIndexItem),+> TensorIndex for ($($name,)+) {
            #[allow(non_snake_case)]
            fn items(self) -> Vec<IndexItem> {
                let ($($name,)+) = self;
                vec![$($name.into_item()),+]
            }
        }
    };
}
tuple_items!(A);
tuple_items!(A, B);
tuple_items!(A, B, C);
tuple_items!(A, B, C, D);

impl Tensor {
    /// Indexing, like `t[1]`, `t[:2]`, `t[:, 0]` (written `t.i(1)`, `t.i(..2)`,
    /// `t.i((.., 0))`).
    ///
    /// ```
    /// let t = d2l::Tensor::new(&[[1f32, 2.], [3., 4.]])?;
    /// assert_eq!(t.i(1)?.to_string(), "tensor([3., 4.])");
    /// assert_eq!(t.i((.., 0))?.to_string(), "tensor([1., 3.])");
    /// assert_eq!(t.i(..5)?.shape(), [2, 2]);
    /// assert_eq!(
    ///     t.i(2).unwrap_err().to_string(),
    ///     "index 2 is out of bounds for dimension 0 with size 2"
    /// );
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn i(&self, index: impl TensorIndex) -> Result<Tensor> {
        let items = index.items();
        let dims = self.inner.dims().to_vec();
        if dims.is_empty() && !items.is_empty() {
            if matches!(items[0], IndexItem::Select(_)) {
                bail!(
                    IndexError,
                    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or \
                     `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
                );
            }
            bail!(IndexError, "too many indices for tensor of dimension 0");
        }
        if items.len() > dims.len() {
            bail!(
                IndexError,
                "too many indices for tensor of dimension {}",
                dims.len()
            );
        }
        // A lone slice (`t[:n]`) is always recorded; in a tuple a slice over the whole
        // dimension is skipped, as PyTorch does.
        let lone = items.len() == 1;
        let mut out = self.c().clone();
        let mut name = None;
        let mut dim = 0;
        for item in items {
            let size = out.dims()[dim];
            match item {
                IndexItem::Select(i) => {
                    if i >= size {
                        bail!(
                            IndexError,
                            "index {i} is out of bounds for dimension {dim} with size {size}"
                        );
                    }
                    out = out.narrow(dim, i, 1)?.squeeze(dim)?;
                    name = Some("SelectBackward0");
                }
                IndexItem::Slice(start, end) => {
                    let end = end.unwrap_or(size).min(size);
                    let start = start.min(end);
                    if lone || start != 0 || end != size {
                        out = out.narrow(dim, start, end - start)?;
                        name = Some("SliceBackward0");
                    }
                    dim += 1;
                }
            }
        }
        if out.id() == self.inner.id() {
            // candle returns the tensor itself for a slice over everything; autograd needs an
            // operation of its own.
            out = out.copy()?;
        }
        // `t[:, :]` is the same values under a new name.
        let mut t = Tensor::derived(out, name.unwrap_or("AliasBackward0"), &[self]);
        t.is_bool = self.is_bool;
        Ok(t)
    }
}
