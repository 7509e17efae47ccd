//! Replays `tests/fixtures/tensor_ops.json` (written by `tools/parity/tensor_fixtures.py` from
//! the real PyTorch): elementwise arithmetic with broadcasting and type promotion, `matmul` on
//! 0-d to 4-d operands, `reshape`, `t`, `item`, indexing, `sum`, `mean`, `from_vec` and
//! `mse_loss`. A case PyTorch accepts must print exactly as PyTorch printed it (values, dtype
//! and all) with the same `grad_fn`; a case PyTorch refuses must be an `Err` with its text.

use d2l::prelude::*;
use d2l::tensor::Rhs;
use serde_json::Value;

mod common;
use common::Fixture;

/// Element k of the left operand is (k + 1) / 2, of the right one (k + 2) / 4 (k + 1 and
/// k + 2 for int64), as the fixture script makes them.
fn operand(shape: &[usize], dtype: &str, right: bool) -> Tensor {
    let n: usize = shape.iter().product();
    let dev = candle_core::Device::Cpu;
    let ks = (0..n).map(|k| k as f64 + if right { 2.0 } else { 1.0 });
    let t = match dtype {
        "int64" => candle_core::Tensor::from_vec(ks.map(|k| k as i64).collect(), shape, &dev),
        _ => {
            let div = if right { 4.0 } else { 2.0 };
            let v = candle_core::Tensor::from_vec(
                ks.map(|k| k / div).collect::<Vec<f64>>(),
                shape,
                &dev,
            );
            match dtype {
                "float64" => v,
                "float32" => v.and_then(|v| v.to_dtype(candle_core::DType::F32)),
                other => panic!("dtype {other}"),
            }
        }
    };
    Tensor::from(t.unwrap())
}

fn lhs(case: &Value) -> Tensor {
    operand(
        &case.field("lhs").usizes(),
        case.field("lhs_dtype").str(),
        false,
    )
}

fn rhs(case: &Value) -> Tensor {
    let dtype = case.get("rhs_dtype").map_or("float32", |d| d.str());
    operand(&case.field("rhs").usizes(), dtype, true)
}

/// The same values as a parameter's tensor, which requires grad.
fn tracked(t: &Tensor) -> Tensor {
    Parameter::new(t.clone()).unwrap().tensor().unwrap()
}

/// Where the case records one, the `grad_fn` of `f` on `a` as a tensor that requires grad.
fn tracked_grad_fn(
    case: &Value,
    a: &Tensor,
    f: impl Fn(&Tensor) -> d2l::Result<Tensor>,
) -> Option<Option<String>> {
    case.get("grad_fn").map(|_| {
        f(&tracked(a))
            .ok()
            .and_then(|t| t.grad_fn().map(String::from))
    })
}

fn check(what: &str, case: &Value, got: d2l::Result<String>, grad_fn: Option<Option<String>>) {
    if let Some(text) = common::same_outcome(what, &got, case) {
        assert_eq!(text, case.field("repr").str(), "{what}");
        if let Some(g) = grad_fn {
            let want = case.field("grad_fn").as_str().map(String::from);
            assert_eq!(g, want, "{what}: grad_fn");
        }
    }
}

fn binary(op: &str, a: &Tensor, rhs: Rhs<'_>) -> d2l::Result<Tensor> {
    match op {
        "add" => a.add(rhs),
        "sub" => a.sub(rhs),
        "mul" => a.mul(rhs),
        "div" => a.div(rhs),
        other => panic!("op {other}"),
    }
}

fn scalar_rhs(v: &Value) -> Rhs<'static> {
    match v.as_i64() {
        Some(i) => Rhs::Int(i),
        None => Rhs::Scalar(v.f64()),
    }
}

#[test]
fn arithmetic_broadcasts_and_promotes_like_pytorch() {
    let doc = common::load("tensor_ops.json");
    let cases = doc.field("binary").arr();
    assert!(cases.len() > 100);
    for case in cases {
        let op = case.field("op").str();
        let a = lhs(case);
        if let Some(s) = case.get("scalar") {
            let what = format!(
                "{op} {:?} {} with {s}",
                a.shape(),
                case.field("lhs_dtype").str()
            );
            check(
                &what,
                case,
                binary(op, &a, scalar_rhs(s)).map(|t| t.to_string()),
                None,
            );
            continue;
        }
        let b = rhs(case);
        let what = format!(
            "{op} {:?} {} with {:?} {}",
            a.shape(),
            case.field("lhs_dtype").str(),
            b.shape(),
            case.field("rhs_dtype").str()
        );
        let grad = tracked_grad_fn(case, &a, |t| binary(op, t, Rhs::Tensor(&b)));
        check(
            &what,
            case,
            binary(op, &a, Rhs::Tensor(&b)).map(|t| t.to_string()),
            grad,
        );
    }
}

#[test]
fn matmul_follows_torch_matmul() {
    let doc = common::load("tensor_ops.json");
    for case in doc.field("matmul").arr() {
        let (a, b) = (lhs(case), rhs(case));
        let what = format!(
            "{:?} {} @ {:?} {}",
            a.shape(),
            case.field("lhs_dtype").str(),
            b.shape(),
            case.field("rhs_dtype").str()
        );
        let grad = tracked_grad_fn(case, &a, |t| t.matmul(&b));
        check(&what, case, a.matmul(&b).map(|t| t.to_string()), grad);
    }
}

#[test]
fn shapes_reductions_and_indexing_follow_pytorch() {
    let doc = common::load("tensor_ops.json");
    for case in doc.field("shape").arr() {
        let op = case.field("op").str();
        let run = |f: &dyn Fn(&Tensor) -> d2l::Result<Tensor>| -> (d2l::Result<String>, Option<Option<String>>) {
            let a = lhs(case);
            let grad = tracked_grad_fn(case, &a, f);
            (f(&a).map(|t| t.to_string()), grad)
        };
        let (got, grad) = match op {
            "reshape" => {
                let shape = case.field("shape").usizes();
                run(&move |a| a.reshape(shape.clone()))
            }
            "t" => run(&|a| a.t()),
            "sum" => run(&|a| a.sum()),
            "mean" => run(&|a| a.mean()),
            "select" => {
                let i = case.field("index").usize();
                run(&move |a| a.i(i))
            }
            "slice" => {
                let stop = case.field("stop").usize();
                run(&move |a| a.i(..stop))
            }
            "item" => {
                // Python's repr of the float .item() returns.
                let got = lhs(case).item().map(d2l::fmt::float_repr);
                (got, None)
            }
            "from_vec" => {
                let n = case.field("len").usize();
                let data: Vec<f32> = (0..n).map(|k| (k as f32 + 1.0) / 2.0).collect();
                (
                    Tensor::from_vec(data, case.field("shape").usizes()).map(|t| t.to_string()),
                    None,
                )
            }
            "mse_loss" => {
                let b = rhs(case);
                run(&move |a| d2l::nn::functional::mse_loss(a, &b))
            }
            other => panic!("op {other}"),
        };
        let what = format!("{op} {case}");
        check(&what, case, got, grad);
    }
}
