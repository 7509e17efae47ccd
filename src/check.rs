//! "Predict, then run" exercises: the reader writes a prediction in one cell, a later cell
//! compares it with what the code really gives and answers with a verdict and, when the
//! prediction is wrong, a hint.
//!
//! ```
//! use d2l::check::predict;
//! let verdict = predict("clone() 之后是同一个参数吗", true, true, "clone() 复制的是句柄");
//! assert!(verdict.correct());
//! assert_eq!(verdict.to_string(), "✓ 预测正确：clone() 之后是同一个参数吗 → True");
//! ```

use crate::py::PyRepr;
use std::fmt;

/// The outcome of comparing a prediction with the truth; prints as one line.
///
/// ```
/// let v = d2l::check::predict("1 + 1", 3usize, 2usize, "再算一遍");
/// assert!(!v.correct());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    correct: bool,
    text: String,
}

impl Verdict {
    /// Whether the prediction was right.
    ///
    /// ```
    /// assert!(d2l::check::predict("q", 1usize, 1usize, "h").correct());
    /// ```
    pub fn correct(&self) -> bool {
        self.correct
    }

    /// Shows the verdict as a notebook cell's result (evcxr calls this for a cell's last value).
    ///
    /// ```
    /// d2l::check::predict("q", true, false, "h").evcxr_display();
    /// ```
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT",
            self.text
        );
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Compares the reader's `prediction` for `question` with `actual`: a right prediction gets a
/// tick and the value, a wrong one the value, what was predicted and `hint`. Values are shown
/// as Python shows them (`True`, `None`, `[...]`).
///
/// ```
/// use d2l::check::predict;
/// let v = predict("deep_copy() 之后是同一个参数吗", true, false, "deep_copy() 复制数据");
/// assert_eq!(
///     v.to_string(),
///     "✗ 再想想：deep_copy() 之后是同一个参数吗 → False（你的预测是 True）。提示：deep_copy() 复制数据"
/// );
/// ```
pub fn predict<T: PartialEq + PyRepr>(
    question: &str,
    prediction: T,
    actual: T,
    hint: &str,
) -> Verdict {
    if prediction == actual {
        Verdict {
            correct: true,
            text: format!("✓ 预测正确：{question} → {}", actual.py_repr()),
        }
    } else {
        Verdict {
            correct: false,
            text: format!(
                "✗ 再想想：{question} → {}（你的预测是 {}）。提示：{hint}",
                actual.py_repr(),
                prediction.py_repr()
            ),
        }
    }
}
