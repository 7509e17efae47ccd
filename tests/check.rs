//! `d2l::check::predict`, the grading of "predict, then run" cells: a right and a wrong
//! prediction for the question notebook 4 asks.

mod common;

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

/// The options of notebook 3's "find the bug from the histogram" exercise.
const BUG_OPTIONS: [(char, &str); 4] = [
    ('A', "抽样的区间不对：不是从 U(-10, 10) 中抽取的"),
    ('B', "保留的条件不对：w ≤ -5 的那一段也被置零了"),
    ('C', "置零的阈值不对：不是 |w| < 5"),
    ('D', "没有错：和正确的 my_init 一样"),
];
const BUG_HINT: &str = "对照前面正确的直方图：左右两段平顶都还在吗？0 处那根柱子现在有多高？";

/// Notebook 3's subtly wrong `my_init`: the keep condition lost its `abs()`.
fn buggy_init(m: &dyn Module) -> Result<()> {
    if m.is::<Linear>() {
        let w = m.weight()?;
        init::uniform_(&w, -10.0, 10.0)?;
        w.update_(|v| v.mul(&v.ge(5.0)?))?;
    }
    Ok(())
}

#[test]
fn the_histogram_bug_is_what_the_right_answer_says_and_is_graded_both_ways() -> Result<()> {
    use d2l::check::choice;
    // What the histogram shows: no negative values left, three quarters at zero.
    let big = Linear::new(64, 256)?;
    buggy_init(&big)?;
    let values = big.weight()?.values_f32()?;
    assert_eq!(fraction(&values, |v| v < 0.0), 0.0);
    assert!((fraction(&values, |v| v == 0.0) - 0.75).abs() < 0.02);
    assert!((fraction(&values, |v| v >= 5.0) - 0.25).abs() < 0.02);
    assert_eq!(fraction(&values, |v| v > 0.0 && v < 5.0), 0.0);
    let question = "这个 my_init 错在哪里";
    let right = choice(question, "B", 'B', &BUG_OPTIONS, BUG_HINT);
    assert!(right.correct());
    assert_eq!(
        right.to_string(),
        "✓ 回答正确：这个 my_init 错在哪里 → B. 保留的条件不对：w ≤ -5 的那一段也被置零了"
    );
    assert!(choice(question, " b ", 'B', &BUG_OPTIONS, BUG_HINT).correct());
    for wrong in ["A", "c", "D"] {
        let v = choice(question, wrong, 'B', &BUG_OPTIONS, BUG_HINT);
        assert!(!v.correct(), "{wrong}");
        assert!(v.to_string().starts_with("✗ 再想想"), "{v}");
        assert!(v.to_string().ends_with(&format!("提示：{BUG_HINT}")), "{v}");
        assert!(
            !v.to_string().contains("B."),
            "a wrong answer is not told the right one: {v}"
        );
    }
    let unknown = choice(question, "E", 'B', &BUG_OPTIONS, BUG_HINT);
    assert!(!unknown.correct());
    assert!(unknown.to_string().contains("A、B、C、D"), "{unknown}");
    Ok(())
}

#[test]
fn the_notebook_predictions_are_graded_both_ways() -> Result<()> {
    use d2l::check::predict;
    // nb1: the shape of net[2].weight.
    let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    let shape = net[2].weight()?.shape()?.to_vec();
    assert!(
        predict(
            "net[2].weight 的形状",
            vec![1, 8],
            shape.clone(),
            "输出数 × 输入数"
        )
        .correct()
    );
    let wrong = predict("net[2].weight 的形状", vec![8, 1], shape, "输出数 × 输入数");
    assert!(!wrong.correct() && wrong.to_string().ends_with("提示：输出数 × 输入数"));
    // nb4: named_parameters of the tied net.
    let (_, tied) = common::tied_net()?;
    let entries = tied.named_parameters().len();
    assert!(
        predict(
            "named_parameters 的项数",
            6usize,
            entries,
            "同一个参数只列一次"
        )
        .correct()
    );
    assert!(
        !predict(
            "named_parameters 的项数",
            8usize,
            entries,
            "同一个参数只列一次"
        )
        .correct()
    );
    // nb4: the shared gradient of the 1-D tied example (w = 2, b = 1, x = 1, loss f(x) - y).
    let layer = Linear::new(1, 1)?;
    init::constant_(&layer.weight()?, 2.0)?;
    init::constant_(&layer.bias()?, 1.0)?;
    let net1 = sequential![layer.clone(), layer.clone()];
    let x = Tensor::new(&[1f32])?;
    net1.forward(&x)?.sub(&Tensor::new(&[3f32])?)?.backward()?;
    let grads = (layer.weight()?.grad_item()?, layer.bias()?.grad_item()?);
    assert!(predict("梯度", (5.0, 3.0), grads, "两次使用各贡献一份").correct());
    let wrong = predict("梯度", (3.0, 1.0), grads, "两次使用各贡献一份");
    assert!(!wrong.correct());
    assert!(
        wrong
            .to_string()
            .contains("(5.0, 3.0)（你的预测是 (3.0, 1.0)）"),
        "{wrong}"
    );
    Ok(())
}
