//! `torch.Size`: the shape of a tensor or parameter.

use std::fmt;
use std::ops::Deref;

/// A shape that prints as PyTorch prints `tensor.shape`: `torch.Size([8, 4])`.
///
/// ```
/// let s = d2l::Size::from(vec![8, 4]);
/// assert_eq!(s.to_string(), "torch.Size([8, 4])");
/// assert_eq!(s[0], 8);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Size(pub Vec<usize>);

impl Size {
    /// The number of elements a tensor of this shape holds.
    ///
    /// ```
    /// assert_eq!(d2l::Size::from(vec![8, 4]).numel(), 32);
    /// ```
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }
}

impl Deref for Size {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        &self.0
    }
}

impl From<Vec<usize>> for Size {
    fn from(v: Vec<usize>) -> Self {
        Size(v)
    }
}

impl From<&[usize]> for Size {
    fn from(v: &[usize]) -> Self {
        Size(v.to_vec())
    }
}

impl PartialEq<[usize]> for Size {
    fn eq(&self, other: &[usize]) -> bool {
        self.0 == other
    }
}

impl<const N: usize> PartialEq<[usize; N]> for Size {
    fn eq(&self, other: &[usize; N]) -> bool {
        self.0 == other
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self.0.iter().map(|d| d.to_string()).collect();
        write!(f, "torch.Size([{}])", dims.join(", "))
    }
}

impl fmt::Debug for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
