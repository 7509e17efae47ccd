//! The crate's error type: PyTorch's message, and the class of exception PyTorch raises for the
//! same mistake ([`ErrorKind`]), so that a program can tell mistakes apart the way a Python
//! `except IndexError:` does.

use std::fmt;

/// Every fallible call in `d2l` returns this `Result`.
///
/// ```
/// use d2l::prelude::*;
/// fn build() -> d2l::Result<Linear> { Linear::new(4, 8) }
/// assert!(build().is_ok());
/// ```
pub type Result<T> = std::result::Result<T, Error>;

/// The Python exception class PyTorch raises for a mistake.
///
/// ```
/// use d2l::ErrorKind;
/// let e = d2l::nn::init::calculate_gain("swish", None).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::ValueError);
/// assert_eq!(e.kind().to_string(), "ValueError");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `RuntimeError`: shapes, dtypes, autograd, loading (PyTorch's most common class).
    RuntimeError,
    /// `ValueError`: a value out of its allowed range, an uninitialised parameter.
    ValueError,
    /// `IndexError`: an index out of range.
    IndexError,
    /// `KeyError`: a name that cannot be used as a key.
    KeyError,
    /// `AttributeError`: a module without the attribute asked for.
    AttributeError,
    /// `TypeError`: an operation the value's type does not support.
    TypeError,
    /// `NotImplementedError`: an operation PyTorch does not define for this dtype.
    NotImplementedError,
    /// `ZeroDivisionError`.
    ZeroDivisionError,
    /// `OverflowError`.
    OverflowError,
    /// `FileNotFoundError`.
    FileNotFoundError,
    /// `OSError`: any other failure to read or write a file.
    OSError,
    /// `SafetensorError`: bytes that are not a safetensors file (the safetensors library's
    /// class).
    SafetensorError,
}

impl ErrorKind {
    /// The class name, as Python prints it.
    ///
    /// ```
    /// assert_eq!(d2l::ErrorKind::IndexError.python_name(), "IndexError");
    /// ```
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::RuntimeError => "RuntimeError",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::IndexError => "IndexError",
            ErrorKind::KeyError => "KeyError",
            ErrorKind::AttributeError => "AttributeError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::NotImplementedError => "NotImplementedError",
            ErrorKind::ZeroDivisionError => "ZeroDivisionError",
            ErrorKind::OverflowError => "OverflowError",
            ErrorKind::FileNotFoundError => "FileNotFoundError",
            ErrorKind::OSError => "OSError",
            ErrorKind::SafetensorError => "SafetensorError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python_name())
    }
}

/// What went wrong. Messages follow PyTorch's wording where PyTorch has one, and
/// [`Error::kind`] is the exception class PyTorch raises.
///
/// ```
/// use d2l::prelude::*;
/// let err = d2l::nn::init::calculate_gain("swish", None).unwrap_err();
/// assert_eq!(err.to_string(), "Unsupported nonlinearity swish");
/// // The alternate form is Python's last traceback line (the `rust` kernel shows errors so):
/// assert_eq!(format!("{err:#}"), "ValueError: Unsupported nonlinearity swish");
/// ```
#[derive(Debug)]
pub enum Error {
    /// An error raised by candle (for PyTorch, a `RuntimeError`).
    Candle(candle_core::Error),
    /// A mistake in how the API was called, with PyTorch's class and message.
    Raised(ErrorKind, String),
    /// Reading or writing a file failed.
    Io(std::io::Error),
    /// A mistake with PyTorch's class and message, caused by a lower-level error (the I/O or
    /// safetensors error beneath a failed load), which [`source`](std::error::Error::source)
    /// returns.
    Caused(ErrorKind, String, Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// A `RuntimeError` with the given message.
    ///
    /// ```
    /// let e = d2l::Error::msg("index 9 is out of range");
    /// assert_eq!(e.to_string(), "index 9 is out of range");
    /// assert_eq!(e.kind(), d2l::ErrorKind::RuntimeError);
    /// ```
    pub fn msg(m: impl Into<String>) -> Self {
        Error::Raised(ErrorKind::RuntimeError, m.into())
    }

    /// An error of the given kind.
    ///
    /// ```
    /// use d2l::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::KeyError, "'w'");
    /// assert_eq!((e.kind(), e.to_string()), (ErrorKind::KeyError, "'w'".to_string()));
    /// ```
    pub fn new(kind: ErrorKind, m: impl Into<String>) -> Self {
        Error::Raised(kind, m.into())
    }

    /// An error of the given kind, caused by `source`.
    ///
    /// ```
    /// use std::error::Error as _;
    /// use d2l::{Error, ErrorKind};
    /// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
    /// let e = Error::caused(ErrorKind::FileNotFoundError, "No such file or directory: w", io);
    /// assert_eq!(e.to_string(), "No such file or directory: w");
    /// assert_eq!(e.source().unwrap().to_string(), "gone");
    /// ```
    pub fn caused(
        kind: ErrorKind,
        m: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Caused(kind, m.into(), Box::new(source))
    }

    /// The class of exception PyTorch raises for this mistake.
    ///
    /// ```
    /// use d2l::prelude::*;
    /// let e = Tensor::ones(3)?.i(5).unwrap_err();
    /// assert_eq!(e.kind(), d2l::ErrorKind::IndexError);
    /// # Ok::<(), d2l::Error>(())
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Candle(_) => ErrorKind::RuntimeError,
            Error::Raised(kind, _) | Error::Caused(kind, ..) => *kind,
            Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::FileNotFoundError
            }
            Error::Io(_) => ErrorKind::OSError,
        }
    }
}

/// `{}` is the message, as Python's `str(e)`; `{:#}` puts the class before it, as the last line
/// of a Python traceback does (`RuntimeError: ...`).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{}: ", self.kind())?;
        }
        match self {
            Error::Candle(e) => write!(f, "{e}"),
            Error::Raised(_, m) | Error::Caused(_, m, _) => f.write_str(m),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The candle, I/O or safetensors error underneath, if there is one.
///
/// ```
/// use std::error::Error as _;
/// let e = d2l::Error::from(std::io::Error::other("disk full"));
/// assert_eq!(e.source().unwrap().to_string(), "disk full");
/// assert!(d2l::Error::msg("x").source().is_none());
/// ```
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Candle(e) => Some(e),
            Error::Io(e) => Some(e),
            Error::Caused(.., source) => Some(source.as_ref()),
            Error::Raised(..) => None,
        }
    }
}

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Candle(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Returns early with an [`Error`] built like `format!`: a `RuntimeError`, or the kind named
/// first (`bail!(ValueError, "...")`).
macro_rules! bail {
    ($kind:ident, $fmt:literal $($arg:tt)*) => {
        return Err($crate::error::Error::new(
            $crate::error::ErrorKind::$kind,
            format!($fmt $($arg)*),
        ))
    };
    ($($arg:tt)*) => { return Err($crate::error::Error::msg(format!($($arg)*))) };
}
pub(crate) use bail;
