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

/// Grades a multiple-choice answer: `answer` is the letter the reader chose, `correct` the right
/// one, `options` the choices as `(letter, text)`. Case and spaces do not matter (`" b"` is
/// `B`). A right answer gets a tick and the option's text; a wrong one the text of the option
/// chosen and `hint` (not the right letter, so the reader can look again); a letter that is
/// not among the options says which letters there are.
///
/// ```
/// use d2l::check::choice;
/// let options = [('A', "抽样区间错了"), ('B', "保留条件错了")];
/// let right = choice("my_init 错在哪里", "b", 'B', &options, "看直方图的左半边");
/// assert!(right.correct());
/// assert_eq!(right.to_string(), "✓ 回答正确：my_init 错在哪里 → B. 保留条件错了");
/// let wrong = choice("my_init 错在哪里", "A", 'B', &options, "看直方图的左半边");
/// assert!(!wrong.correct());
/// assert_eq!(
///     wrong.to_string(),
///     "✗ 再想想：my_init 错在哪里（你选了 A. 抽样区间错了）。提示：看直方图的左半边"
/// );
/// assert!(choice("q", "Z", 'B', &options, "h").to_string().contains("A、B"));
/// ```
pub fn choice(
    question: &str,
    answer: &str,
    correct: char,
    options: &[(char, &str)],
    hint: &str,
) -> Verdict {
    let letter = answer.trim().to_uppercase();
    let chosen = options
        .iter()
        .find(|(c, _)| c.to_uppercase().to_string() == letter);
    match chosen {
        Some((c, text)) if c.eq_ignore_ascii_case(&correct) => Verdict {
            correct: true,
            text: format!("✓ 回答正确：{question} → {c}. {text}"),
        },
        Some((c, text)) => Verdict {
            correct: false,
            text: format!("✗ 再想想：{question}（你选了 {c}. {text}）。提示：{hint}"),
        },
        None => {
            let letters: Vec<String> = options.iter().map(|(c, _)| c.to_string()).collect();
            Verdict {
                correct: false,
                text: format!(
                    "✗ 没有这个选项：{:?}。请在 {} 中选一个字母。",
                    answer,
                    letters.join("、")
                ),
            }
        }
    }
}
