//! `d2l::fmt::tensor_repr` against the text real PyTorch printed for the same tensors.
//!
//! `tests/fixtures/fmt.json` is written by `tools/parity/fmt_fixtures.py`: for each case the
//! tensor's flat values, shape, dtype, whether it is boolean, the autograd suffixes PyTorch
//! appended, and the exact `repr(t)`. Every case is rebuilt as a candle tensor and its text
//! must match byte for byte.

use candle_core::{DType, Device, Tensor};
use d2l::fmt::{ReprOptions, tensor_repr};
use serde_json::Value;

const FIXTURE: &str = include_str!("fixtures/fmt.json");

/// Typed access to the fixture; a panic names the missing key or shows the value that
/// does not have the expected type.
trait Fixture {
    fn field(&self, key: &str) -> &Value;
    fn array(&self) -> &[Value];
    fn str(&self) -> &str;
    fn bool(&self) -> bool;
    fn usize(&self) -> usize;
    fn f64(&self) -> f64;
    fn i64(&self) -> i64;
}

impl Fixture for Value {
    fn field(&self, key: &str) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no key {key:?} in {}", brief(self)))
    }

    fn array(&self) -> &[Value] {
        self.as_array()
            .unwrap_or_else(|| panic!("not an array: {}", brief(self)))
    }

    fn str(&self) -> &str {
        self.as_str()
            .unwrap_or_else(|| panic!("not a string: {}", brief(self)))
    }

    fn bool(&self) -> bool {
        self.as_bool()
            .unwrap_or_else(|| panic!("not a boolean: {}", brief(self)))
    }

    fn usize(&self) -> usize {
        self.as_u64()
            .unwrap_or_else(|| panic!("not a u64: {}", brief(self))) as usize
    }

    /// A value as a float; non-finite values and negative zero are stored as strings.
    fn f64(&self) -> f64 {
        match self {
            Value::String(s) => match s.as_str() {
                "nan" => f64::NAN,
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "-0.0" => -0.0,
                other => panic!("unexpected value {other}"),
            },
            other => other
                .as_f64()
                .unwrap_or_else(|| panic!("not a number: {}", brief(other))),
        }
    }

    /// An integer, exact over the whole `i64` range.
    fn i64(&self) -> i64 {
        self.as_i64()
            .unwrap_or_else(|| panic!("not an i64: {}", brief(self)))
    }
}

/// For messages: an object's name, op, step and seed with its keys, or a value's first text.
fn brief(v: &Value) -> String {
    match v {
        Value::Object(fields) => {
            let label: Vec<String> = ["name", "op", "step", "seed"]
                .iter()
                .filter_map(|k| Some(format!("{k}={}", fields.get(*k)?)))
                .collect();
            let keys: Vec<&String> = fields.keys().collect();
            format!("{{{}}} (keys {keys:?})", label.join(", "))
        }
        other => other.to_string().chars().take(80).collect(),
    }
}

/// The fixture, read with `serde_json`'s `float_roundtrip`, so every float is the exact
/// value written by Python.
fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("tests/fixtures/fmt.json is not valid JSON")
}

/// Rebuilds the tensor of one fixture case in candle; booleans become `u8`.
fn build(case: &Value) -> (Tensor, ReprOptions) {
    let dev = Device::Cpu;
    let shape: Vec<usize> = case
        .field("shape")
        .array()
        .iter()
        .map(Fixture::usize)
        .collect();
    let values = case.field("values").array();
    let floats = || values.iter().map(Fixture::f64).collect::<Vec<f64>>();
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
            .array()
            .iter()
            .map(|s| s.str().to_string())
            .collect(),
    };
    (t, opts)
}

#[test]
fn every_fixture_case_prints_exactly_as_pytorch() {
    let fixture = fixture();
    let cases = fixture.field("cases").array();
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
    let cases = fixture.field("cases").array();
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
