//! An experiment of `make bench` (tools/bench/probe): evcxr compiles a cell that ends in an
//! expression first as `(expr).evcxr_display();`, and only when that fails to compile as
//! `{:?}` formatting; so most cells are compiled twice. With this trait in scope the first
//! compile succeeds, and the output is the same text/plain that evcxr's fallback sends.
//!
//! ```
//! use notebook_display::ShowInNotebook;
//! (1 + 1).evcxr_display(); // prints the evcxr text/plain block for "2"
//! ```

/// `evcxr_display` for every `Debug` value, sending what evcxr's `{:?}` fallback sends.
pub trait ShowInNotebook {
    /// Prints the value's `Debug` text as evcxr's text/plain content block.
    fn evcxr_display(&self);
}

impl<T: std::fmt::Debug + ?Sized> ShowInNotebook for T {
    fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self:?}\nEVCXR_END_CONTENT");
    }
}
