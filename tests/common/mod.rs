//! What the tests share: reading the parity fixtures (`tests/fixtures/*.json`, written by the
//! scripts in `tools/parity/` from the real PyTorch), the generator's lock, the chapter's tied net.
#![allow(dead_code)] // each test uses the accessors it needs

use serde_json::Value;

/// Reads `tests/fixtures/<name>` with `serde_json`'s `float_roundtrip`, so every float is the
/// exact value Python wrote.
pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"))
}

/// Typed access to a fixture; a panic names the missing key or shows the value that does not
/// have the expected type.
pub trait Fixture {
    fn field(&self, key: &str) -> &Value;
    fn arr(&self) -> &[Value];
    fn str(&self) -> &str;
    fn bool(&self) -> bool;
    fn f64(&self) -> f64;
    /// An integer, exact over the whole `i64` range.
    fn i64(&self) -> i64;
    fn u64(&self) -> u64;

    fn usize(&self) -> usize {
        self.u64() as usize
    }

    fn usizes(&self) -> Vec<usize> {
        self.arr().iter().map(Fixture::usize).collect()
    }

    fn f64s(&self) -> Vec<f64> {
        self.arr().iter().map(Fixture::f64).collect()
    }
}

impl Fixture for Value {
    fn field(&self, key: &str) -> &Value {
        self.get(key)
            .unwrap_or_else(|| panic!("no key {key:?} in {}", brief(self)))
    }

    fn arr(&self) -> &[Value] {
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

    fn f64(&self) -> f64 {
        self.as_f64()
            .unwrap_or_else(|| panic!("not a number: {}", brief(self)))
    }

    fn i64(&self) -> i64 {
        self.as_i64()
            .unwrap_or_else(|| panic!("not an i64: {}", brief(self)))
    }

    fn u64(&self) -> u64 {
        self.as_u64()
            .unwrap_or_else(|| panic!("not a u64: {}", brief(self)))
    }
}

/// For messages: an object's name, op, step and seed with its keys, or a value's first text.
pub fn brief(v: &Value) -> String {
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

/// The generator is one per process and tests run on several threads: a test that seeds it
/// holds this lock for as long as it draws.
pub fn seed_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Compares d2l's answer with PyTorch's recorded one (`outcome(...)` in tools/parity): both
/// accept, or both refuse with the same exception class and text. The text is the fixture's
/// `text` where it has one (a `KeyError`'s own words, which `str()` would quote), else its
/// `message`. Returns the accepted value, for the caller's further checks.
pub fn same_outcome<'a, T>(what: &str, got: &'a d2l::Result<T>, want: &Value) -> Option<&'a T> {
    match got {
        Ok(v) => {
            assert!(
                want.field("accepted").bool(),
                "{what}: PyTorch refuses it: {}",
                want.field("message").str()
            );
            Some(v)
        }
        Err(e) => {
            assert!(
                !want.field("accepted").bool(),
                "{what}: PyTorch accepts it ({}), here: {e}",
                brief(want)
            );
            let text = want.get("text").unwrap_or_else(|| want.field("message"));
            assert_eq!(e.to_string(), text.str(), "{what}");
            assert_eq!(
                e.kind().python_name(),
                want.field("error").str(),
                "{what}: class"
            );
            None
        }
    }
}

/// The chapter's tied net (notebook 4): `Linear(4, 8), ReLU, shared, ReLU, shared, ReLU,
/// Linear(8, 1)`, and the shared `Linear(8, 8)` itself.
pub fn tied_net() -> d2l::Result<(d2l::prelude::Linear, d2l::prelude::Sequential)> {
    use d2l::prelude::*;
    let shared = Linear::new(8, 8)?;
    let net = sequential![
        Linear::new(4, 8)?,
        ReLU(),
        shared.clone(),
        ReLU(),
        shared.clone(),
        ReLU(),
        Linear::new(8, 1)?
    ];
    Ok((shared, net))
}
