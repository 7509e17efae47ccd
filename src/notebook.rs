//! Showing a cell's last value in a Jupyter notebook, with one compile instead of two.
//!
//! When a cell ends in an expression, the evcxr kernel first compiles the cell with a call to
//! the value's `evcxr_display` method. Only if that fails does it compile the cell again, this
//! time printing the value with `{:?}`. Most values (tensors, parameters, numbers, `Result`s)
//! have no such method, so nearly every cell that shows a value was compiled twice, and the
//! failed attempt cost about 0.7 s per cell.
//!
//! [`ShowInNotebook`] gives every `Debug` value an `evcxr_display` method that sends exactly
//! what evcxr's fallback sends, so a cell is compiled once and its output does not change.
//! It is in [`crate::prelude`]. A type with its own `evcxr_display` (a plot
//! [`Figure`](crate::plot::Figure)) keeps it: an inherent method wins over a trait method.

/// An `evcxr_display` for every `Debug` value: the value formatted with `{:?}` as a
/// `text/plain` output, the same output evcxr produces on its own, but without the second
/// compile evcxr needs to produce it (see the [module docs](self)).
///
/// Because the value is shown through this method, evcxr's `:fmt` and `:types` settings no
/// longer apply to `Debug` values while the prelude is in scope; print with
/// `println!("{x:#?}")` to choose another format.
///
/// ```
/// use d2l::prelude::*;
/// let x = Tensor::new(&[1f32, 2.0])?;
/// x.evcxr_display(); // prints the block the notebook shows: tensor([1., 2.])
/// assert_eq!(format!("{x:?}"), "tensor([1., 2.])");
/// # Ok::<(), d2l::Error>(())
/// ```
pub trait ShowInNotebook {
    /// Prints the value between evcxr's `EVCXR_BEGIN_CONTENT text/plain` and
    /// `EVCXR_END_CONTENT` markers, formatted with `{:?}`.
    fn evcxr_display(&self);
}

impl<T: std::fmt::Debug + ?Sized> ShowInNotebook for T {
    fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self:?}\nEVCXR_END_CONTENT");
    }
}
