//! `d2l::check::predict`, the grading of "predict, then run" cells: a right and a wrong
//! prediction for the question notebook 4 asks.

use d2l::prelude::*;

#[test]
fn a_prediction_is_graded_both_ways() -> Result<()> {
    use d2l::check::predict;
    let layer = Linear::new(2, 1)?;
    let handle = layer.clone();
    let truth = handle.weight()?.same_as(&layer.weight()?);
    let right = predict(
        "clone() 之后是同一个参数吗",
        true,
        truth,
        "clone() 复制的是句柄",
    );
    assert!(right.correct());
    assert_eq!(
        right.to_string(),
        "✓ 预测正确：clone() 之后是同一个参数吗 → True"
    );
    let wrong = predict(
        "clone() 之后是同一个参数吗",
        false,
        truth,
        "clone() 复制的是句柄",
    );
    assert!(!wrong.correct());
    assert!(wrong.to_string().starts_with("✗ 再想想"), "{wrong}");
    assert!(
        wrong.to_string().ends_with("提示：clone() 复制的是句柄"),
        "{wrong}"
    );
    Ok(())
}
