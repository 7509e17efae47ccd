//! Rust values printed as Python prints them: [`py`] wraps a value so that `{}` (and a
//! notebook cell ending in it) shows Python's `repr`, and [`type_of`] gives a parameter's
//! type line as `print(type(p))` does.
//!
//! The crate's own types already print as PyTorch's do. What Rust prints its own way are
//! booleans (`true`), `Option`s (`Some(...)`), strings in lists (`"0.weight"`) and tuples; a
//! cell that wants the book's exact output wraps them:
//!
//! ```
//! use d2l::prelude::*;
//! assert_eq!(py(true).to_string(), "True");
//! assert_eq!(py(None::<Tensor>).to_string(), "None");
//! let names = vec![("0.weight".to_string(), Size::from(vec![8, 4]))];
//! assert_eq!(py(&names).to_string(), "[('0.weight', torch.Size([8, 4]))]");
//! ```

use crate::param::Parameter;
use crate::size::Size;
use crate::state::StateDict;
use crate::tensor::Tensor;
use std::fmt;

/// A value that has a Python `repr`: what Python prints for the value it stands for.
///
/// ```
/// use d2l::py::PyRepr;
/// assert_eq!(false.py_repr(), "False");
/// assert_eq!((1usize, "a").py_repr(), "(1, 'a')");
/// ```
pub trait PyRepr {
    /// Python's `repr` of the value.
    fn py_repr(&self) -> String;
}

impl PyRepr for bool {
    fn py_repr(&self) -> String {
        if *self { "True" } else { "False" }.to_string()
    }
}

impl PyRepr for str {
    /// Single quotes, as Python writes a string without single quotes in it (double quotes
    /// when it has one and no double quote), backslash and quote escaped otherwise.
    fn py_repr(&self) -> String {
        let quote = if self.contains('\'') && !self.contains('"') {
            '"'
        } else {
            '\''
        };
        let mut out = String::from(quote);
        for c in self.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c == quote => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out.push(quote);
        out
    }
}

impl PyRepr for String {
    fn py_repr(&self) -> String {
        self.as_str().py_repr()
    }
}

macro_rules! repr_as_display {
    ($($t:ty),*) => {$(
        impl PyRepr for $t {
            fn py_repr(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
repr_as_display!(
    usize, u32, u64, i32, i64, Tensor, Parameter, Size, StateDict
);

impl PyRepr for f64 {
    fn py_repr(&self) -> String {
        crate::pyfloat::float_repr(*self)
    }
}

impl PyRepr for f32 {
    /// The value as a Python float (a double): `0.1f32` is `0.10000000149011612`.
    fn py_repr(&self) -> String {
        crate::pyfloat::float_repr(f64::from(*self))
    }
}

impl<T: PyRepr + ?Sized> PyRepr for &T {
    fn py_repr(&self) -> String {
        (**self).py_repr()
    }
}

impl<T: PyRepr> PyRepr for Option<T> {
    fn py_repr(&self) -> String {
        match self {
            Some(v) => v.py_repr(),
            None => "None".to_string(),
        }
    }
}

impl<T: PyRepr> PyRepr for [T] {
    fn py_repr(&self) -> String {
        let items: Vec<String> = self.iter().map(PyRepr::py_repr).collect();
        format!("[{}]", items.join(", "))
    }
}

impl<T: PyRepr> PyRepr for Vec<T> {
    fn py_repr(&self) -> String {
        self.as_slice().py_repr()
    }
}

impl<T: PyRepr, const N: usize> PyRepr for [T; N] {
    fn py_repr(&self) -> String {
        self.as_slice().py_repr()
    }
}

impl<A: PyRepr, B: PyRepr> PyRepr for (A, B) {
    fn py_repr(&self) -> String {
        format!("({}, {})", self.0.py_repr(), self.1.py_repr())
    }
}

impl<A: PyRepr, B: PyRepr, C: PyRepr> PyRepr for (A, B, C) {
    fn py_repr(&self) -> String {
        format!(
            "({}, {}, {})",
            self.0.py_repr(),
            self.1.py_repr(),
            self.2.py_repr()
        )
    }
}

/// A value shown as Python shows it; made by [`py`].
///
/// ```
/// let shown = d2l::py::py((true, false));
/// assert_eq!(format!("{shown}"), "(True, False)");
/// ```
pub struct Py<T>(pub T);

/// Wraps `value` so that it prints (with `{}` or `{:?}`, and as a notebook cell's last value)
/// as Python prints it: `True`, `None`, `['a', 'b']`, `(1, 2)`.
///
/// ```
/// use d2l::prelude::*;
/// let p = Parameter::new(Tensor::zeros(2)?)?;
/// assert_eq!(py(p.grad().is_none()).to_string(), "True");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn py<T: PyRepr>(value: T) -> Py<T> {
    Py(value)
}

impl<T: PyRepr> fmt::Display for Py<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.py_repr())
    }
}

impl<T: PyRepr> fmt::Debug for Py<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.py_repr())
    }
}

impl<T: PyRepr> Py<T> {
    /// Shows the value as a notebook cell's result (evcxr calls this for a cell's last value),
    /// in Python's form.
    ///
    /// ```
    /// d2l::py::py(true).evcxr_display(); // prints the text/plain block with "True"
    /// ```
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT",
            self.0.py_repr()
        );
    }
}

/// A type PyTorch has a class for; [`type_of`] prints that class as `type(x)` does.
///
/// ```
/// use d2l::py::PyClass;
/// assert_eq!(d2l::Tensor::py_class(), "torch.Tensor");
/// ```
pub trait PyClass {
    /// The Python class this type stands for, with its module path.
    fn py_class() -> &'static str;
}

impl PyClass for Parameter {
    fn py_class() -> &'static str {
        "torch.nn.parameter.Parameter"
    }
}

impl PyClass for Tensor {
    fn py_class() -> &'static str {
        "torch.Tensor"
    }
}

impl PyClass for Size {
    fn py_class() -> &'static str {
        "torch.Size"
    }
}

/// `type(x)` as Python prints it, for the crate's types that stand for a PyTorch class.
///
/// ```
/// use d2l::prelude::*;
/// let b = Parameter::new(Tensor::zeros(1)?)?;
/// assert_eq!(type_of(&b).to_string(), "<class 'torch.nn.parameter.Parameter'>");
/// # Ok::<(), d2l::Error>(())
/// ```
pub fn type_of<T: PyClass>(_value: &T) -> PyType {
    PyType(T::py_class())
}

/// What [`type_of`] returns: prints as `<class '...'>`.
///
/// ```
/// let t = d2l::py::type_of(&d2l::Tensor::zeros(1)?);
/// assert_eq!(format!("{t:?}"), "<class 'torch.Tensor'>");
/// # Ok::<(), d2l::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PyType(&'static str);

impl fmt::Display for PyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<class '{}'>", self.0)
    }
}

impl fmt::Debug for PyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_python_quotes_them() {
        assert_eq!("a".py_repr(), "'a'");
        assert_eq!("it's".py_repr(), "\"it's\"");
        assert_eq!("a'b\"c".py_repr(), "'a\\'b\"c'");
        assert_eq!("back\\slash".py_repr(), "'back\\\\slash'");
        assert_eq!("line\n".py_repr(), "'line\\n'");
    }

    #[test]
    fn containers_nest() {
        let v = vec![(String::from("x"), Some(1usize)), (String::from("y"), None)];
        assert_eq!(v.py_repr(), "[('x', 1), ('y', None)]");
        assert_eq!(Vec::<bool>::new().py_repr(), "[]");
        assert_eq!(0.1f64.py_repr(), "0.1");
        assert_eq!(1.0f64.py_repr(), "1.0");
    }
}
