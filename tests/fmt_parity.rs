//! `d2l::fmt::tensor_repr` against the text real PyTorch printed for the same tensors.
//!
//! `tests/fixtures/fmt.json` is written by `tools/parity/fmt_fixtures.py`: for each case the
//! tensor's flat values, shape, dtype, whether it is boolean, the autograd suffixes PyTorch
//! appended, and the exact `repr(t)`. Every case is rebuilt as a candle tensor and its text
//! must match byte for byte.

use candle_core::{DType, Device, Tensor};
use d2l::fmt::{ReprOptions, tensor_repr};
use serde_json::Value;

mod common;
use common::Fixture;

/// A value as a float; non-finite values and negative zero are stored as strings.
fn float(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            "-0.0" => -0.0,
            other => panic!("unexpected value {other}"),
        },
        other => other.f64(),
    }
}

fn fixture() -> Value {
    common::load("fmt.json")
}

/// Rebuilds the tensor of one fixture case in candle; booleans become `u8`.
fn build(case: &Value) -> (Tensor, ReprOptions) {
    let dev = Device::Cpu;
    let shape: Vec<usize> = case
        .field("shape")
        .arr()
        .iter()
        .map(Fixture::usize)
        .collect();
    let values = case.field("values").arr();
    let floats = || values.iter().map(float).collect::<Vec<f64>>();
    let ints = || values.iter().map(Fixture::i64).collect::<Vec<i64>>();
    let dtype = case.field("dtype").str();
    let t = match dtype {
        "float32" => {
            let v: Vec<f32> = floats().into_iter().map(|x| x as f32).collect();
            Tensor::from_vec(v, shape.as_slice(), &dev)
        }
        "float64" => Tensor::from_vec(floats(), shape.as_slice(), &dev),
        // The recorded values are exactly representable in these narrower types.
        "float16" | "bfloat16" | "float8_e4m3fn" => {
            let target = match dtype {
                "float16" => DType::F16,
                "bfloat16" => DType::BF16,
                _ => DType::F8E4M3,
            };
            Tensor::from_vec(floats(), shape.as_slice(), &dev).and_then(|t| t.to_dtype(target))
        }
        "int64" => Tensor::from_vec(ints(), shape.as_slice(), &dev),
        "int32" => {
            let v: Vec<i32> = ints().into_iter().map(|x| x as i32).collect();
            Tensor::from_vec(v, shape.as_slice(), &dev)
        }
        "int16" => {
            let v: Vec<i16> = ints().into_iter().map(|x| x as i16).collect();
            Tensor::from_vec(v, shape.as_slice(), &dev)
        }
        "uint32" => {
            let v: Vec<u32> = ints().into_iter().map(|x| x as u32).collect();
            Tensor::from_vec(v, shape.as_slice(), &dev)
        }
        "uint8" | "bool" => {
            let v: Vec<u8> = ints().into_iter().map(|x| x as u8).collect();
            Tensor::from_vec(v, shape.as_slice(), &dev)
        }
        other => panic!("no candle dtype for torch.{other}"),
    }
    .unwrap();
    let opts = ReprOptions {
        is_bool: case.field("is_bool").bool(),
        suffixes: case
            .field("suffixes")
            .arr()
            .iter()
            .map(|s| s.str().to_string())
            .collect(),
    };
    (t, opts)
}

#[test]
fn every_fixture_case_prints_exactly_as_pytorch() {
    let fixture = fixture();
    let cases = fixture.field("cases").arr();
    assert!(cases.len() >= 100, "fixture has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let (t, opts) = build(case);
        let expected = case.field("expected").str();
        let got = tensor_repr(&t, &opts);
        if got != expected {
            failures.push(format!(
                "case {}:\n--- PyTorch ---\n{expected}\n--- d2l ---\n{got}",
                case.field("name").str()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn fixture_covers_the_required_kinds_of_tensor() {
    let fixture = fixture();
    let cases = fixture.field("cases").arr();
    let expected: Vec<&str> = cases.iter().map(|c| c.field("expected").str()).collect();
    let any = |pred: &dyn Fn(&str) -> bool| expected.iter().any(|e| pred(e));
    assert!(any(&|e| e.contains("e-05")), "scientific notation");
    assert!(any(&|e| e.contains("nan")), "nan");
    assert!(any(&|e| e.contains("-inf")), "inf");
    assert!(any(&|e| e.contains("-0.,")), "negative zero");
    assert!(any(&|e| e.contains("...")), "summarised");
    assert!(any(&|e| e.contains("]],\n\n")), "3-D blocks");
    assert!(any(&|e| e.contains("]]],\n\n\n")), "4-D blocks");
    assert!(any(&|e| e.contains("size=(0, 3)")), "empty with a shape");
    assert!(any(&|e| e.contains(" True")), "booleans");
    assert!(any(&|e| e.contains("dtype=torch.uint8")), "uint8");
    assert!(
        any(&|e| e.contains(",\n       grad_fn=<AddmmBackward0>)")),
        "wrapped grad_fn"
    );
    assert!(
        any(&|e| e.contains(",\n       requires_grad=True)")),
        "wrapped requires_grad"
    );
    assert!(
        any(&|e| e.contains(",\n       dtype=torch.float64")),
        "wrapped dtype"
    );
    assert!(
        any(&|e| e.contains("dtype=torch.float64, requires_grad=True")),
        "suffix order"
    );
}
