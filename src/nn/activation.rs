//! Activation layers: `ReLU`, `Sigmoid`, `Tanh`, `Identity`.
//!
//! Each is made as in PyTorch, `ReLU()` for `nn.ReLU()`. A layer without parameters is still a
//! module object of its own: a clone is the same module (PyTorch's one `relu` object placed
//! twice), a second `ReLU()` is another.

use super::identity::{DeepCopyMemo, ModuleId};
use super::module::Module;
use crate::error::Result;
use crate::tensor::Tensor;

macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, $ctor_doc:literal, |$x:ident| $forward:expr) => {
        $(#[$doc])*
        #[derive(Clone, Default)]
        pub struct $name {
            id: ModuleId,
        }

        #[doc = $ctor_doc]
        #[allow(non_snake_case)]
        pub fn $name() -> $name {
            $name::default()
        }

        impl Module for $name {
            fn forward(&self, $x: &Tensor) -> Result<Tensor> {
                $forward
            }
            fn module_id(&self) -> Option<ModuleId> {
                Some(self.id.clone())
            }
            fn deep_copy_module(&self, memo: &mut DeepCopyMemo) -> Result<Box<dyn Module>> {
                let copy = memo.once(self, |_| Ok($name::default()))?;
                Ok(Box::new(copy))
            }
        }

        crate::impl_module_display!($name);
    };
}

activation!(
    /// `max(x, 0)` elementwise, like `torch.nn.ReLU`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let y = ReLU().forward(&Tensor::new(&[-1f32, 2.0])?)?;
    /// assert_eq!(y.to_vec()?, vec![0.0, 2.0]);
    /// assert_eq!(ReLU().to_string(), "ReLU()");
    /// # Ok::<(), d2l::Error>(())
    /// ```
    ReLU,
    "A new `ReLU` layer (PyTorch's `nn.ReLU()`).\n\n```\nlet relu = d2l::nn::ReLU();\nassert_eq!(relu.to_string(), \"ReLU()\");\n```",
    |x| x.relu()
);

activation!(
    /// `1 / (1 + e^{-x})` elementwise, like `torch.nn.Sigmoid`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let y = Sigmoid().forward(&Tensor::zeros(1)?)?;
    /// assert_eq!(y.to_vec()?, vec![0.5]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    Sigmoid,
    "A new `Sigmoid` layer (PyTorch's `nn.Sigmoid()`).\n\n```\nlet s = d2l::nn::Sigmoid();\nassert_eq!(s.to_string(), \"Sigmoid()\");\n```",
    |x| {
        let y = candle_nn::ops::sigmoid(x.candle())?;
        Ok(Tensor::derived(y, "SigmoidBackward0", &[x]))
    }
);

activation!(
    /// `tanh(x)` elementwise, like `torch.nn.Tanh`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let y = Tanh().forward(&Tensor::zeros(1)?)?;
    /// assert_eq!(y.to_vec()?, vec![0.0]);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    Tanh,
    "A new `Tanh` layer (PyTorch's `nn.Tanh()`).\n\n```\nlet t = d2l::nn::Tanh();\nassert_eq!(t.to_string(), \"Tanh()\");\n```",
    |x| Ok(Tensor::derived(x.candle().tanh()?, "TanhBackward0", &[x]))
);

activation!(
    /// Returns its input, like `torch.nn.Identity`.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let x = Tensor::ones(2)?;
    /// assert!(Identity().forward(&x)?.equal(&x));
    /// # Ok::<(), d2l::Error>(())
    /// ```
    Identity,
    "A new `Identity` layer (PyTorch's `nn.Identity()`).\n\n```\nlet i = d2l::nn::Identity();\nassert_eq!(i.to_string(), \"Identity()\");\n```",
    |x| Ok(x.clone())
);
