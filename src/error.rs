//! The crate's error type.

use std::fmt;

/// Every fallible call in `d2l` returns this `Result`.
///
/// ```
/// use d2l::prelude::*;
/// fn build() -> d2l::Result<Linear> { Linear::new(4, 8) }
/// assert!(build().is_ok());
/// ```
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong. Messages follow PyTorch's wording where PyTorch has one.
///
/// ```
/// use d2l::prelude::*;
/// let err = d2l::nn::init::calculate_gain("swish", None).unwrap_err();
/// assert_eq!(err.to_string(), "Unsupported nonlinearity swish");
/// ```
#[derive(Debug)]
pub enum Error {
    /// An error raised by candle.
    Candle(candle_core::Error),
    /// A mistake in how the API was called (a wrong shape, an unknown name, ...).
    Msg(String),
    /// Reading or writing a file failed.
    Io(std::io::Error),
}

impl Error {
    /// An error with the given message.
    ///
    /// ```
    /// let e = d2l::Error::msg("index 9 is out of range");
    /// assert_eq!(e.to_string(), "index 9 is out of range");
    /// ```
    pub fn msg(m: impl Into<String>) -> Self {
        Error::Msg(m.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Candle(e) => write!(f, "{e}"),
            Error::Msg(m) => f.write_str(m),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

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

/// Returns early with an [`Error::Msg`] built like `format!`.
#[macro_export]
#[doc(hidden)]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::Error::Msg(format!($($arg)*))) };
}
