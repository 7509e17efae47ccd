//! `d2l::fmt::tensor_repr` against the text real PyTorch printed for the same tensors.
//!
//! `tests/fixtures/fmt.json` is written by `tools/parity/fmt_fixtures.py`: for each case the
//! tensor's flat values, shape, dtype, whether it is boolean, the autograd suffixes PyTorch
//! appended, and the exact `repr(t)`. Every case is rebuilt as a candle tensor and its text
//! must match byte for byte.

use candle_core::{DType, Device, Tensor};
use d2l::fmt::{ReprOptions, tensor_repr};

const FIXTURE: &str = include_str!("fixtures/fmt.json");

/// Just enough JSON for the fixture file (objects, arrays, strings, numbers, booleans).
#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    /// The number's source text, so integers beyond 2^53 stay exact.
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("missing key {key}")),
            _ => panic!("not an object"),
        }
    }
    fn array(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            other => panic!("not an array: {other:?}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
    fn bool(&self) -> bool {
        match self {
            Json::Bool(b) => *b,
            other => panic!("not a boolean: {other:?}"),
        }
    }
    fn usize(&self) -> usize {
        match self {
            Json::Number(n) => n.parse().unwrap(),
            other => panic!("not a number: {other:?}"),
        }
    }
    /// A value as a float; non-finite values and negative zero are stored as strings.
    fn f64(&self) -> f64 {
        match self {
            Json::Number(n) => n.parse().unwrap(),
            Json::Str(s) => match s.as_str() {
                "nan" => f64::NAN,
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "-0.0" => -0.0,
                other => panic!("unexpected value {other}"),
            },
            other => panic!("not a number: {other:?}"),
        }
    }
    fn i64(&self) -> i64 {
        match self {
            Json::Number(n) => n.parse().unwrap(),
            other => panic!("not an integer: {other:?}"),
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.skip_ws();
        assert_eq!(
            self.bytes[self.pos], c,
            "expected {:?} at {}",
            c as char, self.pos
        );
        self.pos += 1;
    }
    fn value(&mut self) -> Json {
        self.skip_ws();
        match self.bytes[self.pos] {
            b'{' => {
                self.pos += 1;
                let mut fields = Vec::new();
                self.skip_ws();
                if self.bytes[self.pos] == b'}' {
                    self.pos += 1;
                    return Json::Object(fields);
                }
                loop {
                    self.skip_ws();
                    let key = self.string();
                    self.eat(b':');
                    fields.push((key, self.value()));
                    self.skip_ws();
                    self.pos += 1;
                    if self.bytes[self.pos - 1] == b'}' {
                        return Json::Object(fields);
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.bytes[self.pos] == b']' {
                    self.pos += 1;
                    return Json::Array(items);
                }
                loop {
                    items.push(self.value());
                    self.skip_ws();
                    self.pos += 1;
                    if self.bytes[self.pos - 1] == b']' {
                        return Json::Array(items);
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' => {
                self.pos += 4;
                Json::Bool(true)
            }
            b'f' => {
                self.pos += 5;
                Json::Bool(false)
            }
            b'n' => {
                self.pos += 4;
                Json::Null
            }
            _ => {
                let start = self.pos;
                while self.pos < self.bytes.len()
                    && matches!(
                        self.bytes[self.pos],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap();
                Json::Number(text.to_string())
            }
        }
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            let c = self.bytes[self.pos];
            self.pos += 1;
            match c {
                b'"' => return out,
                b'\\' => {
                    let e = self.bytes[self.pos];
                    self.pos += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'u' => {
                            let hex = std::str::from_utf8(&self.bytes[self.pos..self.pos + 4]);
                            let code = u32::from_str_radix(hex.unwrap(), 16).unwrap();
                            out.push(char::from_u32(code).unwrap());
                            self.pos += 4;
                        }
                        other => panic!("unsupported escape \\{}", other as char),
                    }
                }
                _ => {
                    // Multi-byte UTF-8 sequences are copied through byte by byte.
                    let start = self.pos - 1;
                    let mut end = self.pos;
                    while end < self.bytes.len() && (self.bytes[end] & 0xC0) == 0x80 {
                        end += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.bytes[start..end]).unwrap());
                    self.pos = end;
                }
            }
        }
    }
}

fn parse(text: &str) -> Json {
    Parser {
        bytes: text.as_bytes(),
        pos: 0,
    }
    .value()
}

/// Rebuilds the tensor of one fixture case in candle; booleans become `u8`.
fn build(case: &Json) -> (Tensor, ReprOptions) {
    let dev = Device::Cpu;
    let shape: Vec<usize> = case.get("shape").array().iter().map(Json::usize).collect();
    let values = case.get("values").array();
    let floats = || values.iter().map(Json::f64).collect::<Vec<f64>>();
    let ints = || values.iter().map(Json::i64).collect::<Vec<i64>>();
    let dtype = case.get("dtype").str();
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
        is_bool: case.get("is_bool").bool(),
        suffixes: case
            .get("suffixes")
            .array()
            .iter()
            .map(|s| s.str().to_string())
            .collect(),
    };
    (t, opts)
}

#[test]
fn every_fixture_case_prints_exactly_as_pytorch() {
    let fixture = parse(FIXTURE);
    let cases = fixture.get("cases").array();
    assert!(cases.len() >= 100, "fixture has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let (t, opts) = build(case);
        let expected = case.get("expected").str();
        let got = tensor_repr(&t, &opts);
        if got != expected {
            failures.push(format!(
                "case {}:\n--- PyTorch ---\n{expected}\n--- d2l ---\n{got}",
                case.get("name").str()
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
    let fixture = parse(FIXTURE);
    let cases = fixture.get("cases").array();
    let expected: Vec<&str> = cases.iter().map(|c| c.get("expected").str()).collect();
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
