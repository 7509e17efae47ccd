//! Showing a cell's last value in a Jupyter notebook with one compile instead of two.
//!
//! When a cell ends in an expression, the evcxr kernel first compiles the cell with a call to
//! the value's `evcxr_display` method. Only if that fails does it compile the cell again, this
//! time printing the value with `{:?}`. So a cell that shows a value with no such method is
//! compiled twice, and the failed attempt costs a good part of a second.
//!
//! The crate's own types that notebooks show — tensors, parameters, sizes, state dicts and the
//! built-in modules — have an `evcxr_display` method that sends exactly what evcxr's fallback
//! would send, so their cells compile once and look the same. (Plot figures have their own,
//! which sends SVG.)
//!
//! Other values (numbers, tuples, `Vec`s, `Option`s) still take evcxr's fallback. A trait with
//! `evcxr_display` for every `Debug` type would cover them too, but a library must not ship
//! one: in a kernel that loads the library without importing the trait, rustc's error for the
//! missing method then suggests importing it, and evcxr reports that error instead of falling
//! back, so `vec![1, 2, 3]` as a cell's last line would fail.

use crate::nn::{Identity, Linear, ReLU, Sequential, Sigmoid, Tanh};
use crate::param::Parameter;
use crate::size::Size;
use crate::state::StateDict;
use crate::tensor::Tensor;

/// Prints `value` formatted with `{:?}` between evcxr's `EVCXR_BEGIN_CONTENT text/plain` and
/// `EVCXR_END_CONTENT` markers: the block evcxr itself prints for a value it shows with `{:?}`.
fn show<T: std::fmt::Debug + ?Sized>(value: &T) {
    println!("{}", text_plain(value));
}

fn text_plain<T: std::fmt::Debug + ?Sized>(value: &T) -> String {
    format!("EVCXR_BEGIN_CONTENT text/plain\n{value:?}\nEVCXR_END_CONTENT")
}

/// Gives each type an inherent `evcxr_display` that shows it as `{:?}` does; the string after
/// `=>` is the example value of its doc comment.
macro_rules! shown_with_debug {
    ($($t:ident => $example:literal),* $(,)?) => {$(
        impl $t {
            #[doc = concat!(
                "Shows the value as a notebook cell's result. evcxr calls this when a cell ends ",
                "in a `", stringify!($t), "`; it prints the `{:?}` form (the same as `{}`), as ",
                "evcxr's own fallback does, but without the second compile the fallback costs.\n\n",
                "```\n",
                "use d2l::prelude::*;\n",
                "let value = ", $example, ";\n",
                "value.evcxr_display(); // what a notebook shows for it\n",
                "# Ok::<(), d2l::Error>(())\n",
                "```"
            )]
            pub fn evcxr_display(&self) {
                show(self);
            }
        }
    )*};
}

shown_with_debug!(
    Tensor => "Tensor::new(&[1f32, 2.0])?",
    Parameter => "Parameter::new(Tensor::ones(2)?)?",
    Size => "Tensor::zeros((2, 3))?.shape()",
    StateDict => "Linear::new(2, 1)?.state_dict()",
    Sequential => "sequential![Linear::new(4, 8)?, ReLU()]",
    Linear => "Linear::new(4, 8)?",
    ReLU => "ReLU()",
    Sigmoid => "Sigmoid()",
    Tanh => "Tanh()",
    Identity => "Identity()",
);

#[cfg(test)]
mod tests {
    use super::text_plain;

    #[test]
    fn the_block_is_evcxrs_text_plain_block() {
        let t = crate::tensor::Tensor::new(&[1f32, 2.0]).unwrap();
        assert_eq!(
            text_plain(&t),
            "EVCXR_BEGIN_CONTENT text/plain\ntensor([1., 2.])\nEVCXR_END_CONTENT"
        );
    }
}
