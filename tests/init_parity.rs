//! Replays the initialisations recorded from the real PyTorch in `tests/fixtures/init.json`
//! (written by `tools/parity/init_fixtures.py`) and compares the values: uniform-based ones
//! (and the positions of `sparse_`'s zeros, `eye_`, `dirac_`, `constant_`) exactly,
//! normal-based ones within 1e-6, `orthogonal_` (a float64 QR here, float32 LAPACK there)
//! within 1e-5. Also `nn.Linear(4, 8)`'s default init, and the chapter's MLP with its input,
//! output and custom initialisations (`init_normal`, `init_constant`, `init_xavier`/`init_42`,
//! `my_init`) applied in turn through `apply`.

use d2l::nn::init::{self, FanMode, KaimingOptions};
use d2l::prelude::*;
use std::sync::Mutex;

/// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());

const NORMAL_TOL: f64 = 1e-6;
const ORTHOGONAL_TOL: f64 = 1e-5;

// ---------------------------------------------------------------------------------------------
// A small JSON reader (the crate has no JSON dependency; the fixture has no true, false or
// null). Numbers keep their text so that they
// parse exactly with Rust's correctly rounded `parse`.

#[derive(Debug)]
enum Json {
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) {
        self.skip_ws();
        assert_eq!(
            self.s[self.i] as char, c as char,
            "JSON: at byte {}",
            self.i
        );
        self.i += 1;
    }

    fn value(&mut self) -> Json {
        self.skip_ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.skip_ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(fields);
                }
                loop {
                    self.skip_ws();
                    let key = match self.value() {
                        Json::Str(k) => k,
                        other => panic!("JSON: key {other:?}"),
                    };
                    self.expect(b':');
                    fields.push((key, self.value()));
                    self.skip_ws();
                    self.i += 1;
                    match self.s[self.i - 1] {
                        b',' => continue,
                        b'}' => return Json::Obj(fields),
                        c => panic!("JSON: unexpected {:?}", c as char),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(items);
                }
                loop {
                    items.push(self.value());
                    self.skip_ws();
                    self.i += 1;
                    match self.s[self.i - 1] {
                        b',' => continue,
                        b']' => return Json::Arr(items),
                        c => panic!("JSON: unexpected {:?}", c as char),
                    }
                }
            }
            b'"' => {
                self.i += 1;
                let mut out = String::new();
                while self.s[self.i] != b'"' {
                    if self.s[self.i] == b'\\' {
                        self.i += 1;
                        out.push(match self.s[self.i] {
                            b'n' => '\n',
                            b't' => '\t',
                            c => c as char,
                        });
                    } else {
                        out.push(self.s[self.i] as char);
                    }
                    self.i += 1;
                }
                self.i += 1;
                Json::Str(out)
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                Json::Num(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
            }
        }
    }
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut r = Reader {
            s: text.as_bytes(),
            i: 0,
        };
        let v = r.value();
        r.skip_ws();
        assert_eq!(r.i, text.len(), "JSON: trailing text");
        v
    }
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(f) => &f.iter().find(|(k, _)| k == key).expect(key).1,
            other => panic!("not an object: {other:?}"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            other => panic!("not an array: {other:?}"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
    fn f64(&self) -> f64 {
        match self {
            Json::Num(n) => n.parse().expect("number"),
            other => panic!("not a number: {other:?}"),
        }
    }
    fn usizes(&self) -> Vec<usize> {
        self.arr().iter().map(|x| x.f64() as usize).collect()
    }
    fn f64s(&self) -> Vec<f64> {
        self.arr().iter().map(Json::f64).collect()
    }
}

fn fixtures() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/init.json");
    Json::parse(&std::fs::read_to_string(path).expect("read the fixture"))
}

// ---------------------------------------------------------------------------------------------
// Replaying one recorded call.

#[derive(Clone, Copy, PartialEq, Debug)]
enum Compare {
    Exact,
    Within(f64),
    /// Exact zeros at the same positions, the rest within the tolerance.
    SparseWithin(f64),
}

/// Runs the recorded call on a fresh zero parameter and returns its values and how they must
/// match PyTorch's.
fn replay(case: &Json) -> (Vec<f64>, Compare) {
    let op = case.get("op").str();
    let shape = case.get("shape").usizes();
    let args = case.get("args");
    let arg = |k: &str| args.get(k).f64();
    let p = Parameter::new(Tensor::zeros(shape).unwrap()).unwrap();
    let kaiming = || KaimingOptions {
        a: arg("a"),
        mode: args.get("mode").str().parse::<FanMode>().unwrap(),
        nonlinearity: args.get("nonlinearity").str(),
    };
    let normal = Compare::Within(NORMAL_TOL);
    let compare = match op {
        "uniform_" => {
            init::uniform_(&p, arg("a"), arg("b")).unwrap();
            Compare::Exact
        }
        "normal_" => {
            init::normal_(&p, arg("mean"), arg("std")).unwrap();
            normal
        }
        "xavier_uniform_" => {
            init::xavier_uniform_with(&p, arg("gain")).unwrap();
            Compare::Exact
        }
        "xavier_normal_" => {
            init::xavier_normal_with(&p, arg("gain")).unwrap();
            normal
        }
        "kaiming_uniform_" => {
            init::kaiming_uniform_with(&p, kaiming()).unwrap();
            Compare::Exact
        }
        "kaiming_normal_" => {
            init::kaiming_normal_with(&p, kaiming()).unwrap();
            normal
        }
        "trunc_normal_" => {
            init::trunc_normal_(&p, arg("mean"), arg("std"), arg("a"), arg("b")).unwrap();
            normal
        }
        "sparse_" => {
            init::sparse_(&p, arg("sparsity"), arg("std")).unwrap();
            Compare::SparseWithin(NORMAL_TOL)
        }
        "orthogonal_" => {
            init::orthogonal_(&p, arg("gain")).unwrap();
            Compare::Within(ORTHOGONAL_TOL)
        }
        "eye_" => {
            init::eye_(&p).unwrap();
            Compare::Exact
        }
        "dirac_" => {
            init::dirac_(&p, arg("groups") as usize).unwrap();
            Compare::Exact
        }
        "constant_" => {
            init::constant_(&p, arg("val")).unwrap();
            Compare::Exact
        }
        other => panic!("no replay for {other}"),
    };
    let values = p.values_f32().unwrap().into_iter().map(f64::from).collect();
    (values, compare)
}

/// The first mismatch between ours and PyTorch's, as a message.
fn mismatch(ours: &[f64], torch: &[f64], compare: Compare) -> Option<String> {
    if ours.len() != torch.len() {
        return Some(format!(
            "{} values, PyTorch has {}",
            ours.len(),
            torch.len()
        ));
    }
    for (i, (&o, &t)) in ours.iter().zip(torch).enumerate() {
        let ok = match compare {
            Compare::Exact => o == t,
            Compare::Within(tol) => (o - t).abs() <= tol,
            Compare::SparseWithin(tol) => (o == 0.0) == (t == 0.0) && (o - t).abs() <= tol,
        };
        if !ok {
            return Some(format!("element {i}: ours {o}, PyTorch {t} ({compare:?})"));
        }
    }
    None
}

fn describe(seed: u64, case: &Json) -> String {
    format!(
        "seed {seed}: {}{:?}",
        case.get("op").str(),
        case.get("shape").usizes()
    )
}

/// Replays the "fresh" cases of the ops in `ops` (each right after its own seed).
fn check_fresh(ops: &[&str]) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fx.get("fresh").arr() {
        if !ops.contains(&case.get("op").str()) {
            continue;
        }
        let seed = case.get("seed").f64() as u64;
        manual_seed(seed);
        let (ours, compare) = replay(case);
        checked += 1;
        if let Some(m) = mismatch(&ours, &case.get("values").f64s(), compare) {
            failures.push(format!("{}: {m}", describe(seed, case)));
        }
    }
    assert!(checked > 0, "no fixture cases for {ops:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn uniform_matches_pytorch() {
    check_fresh(&["uniform_"]);
}

#[test]
fn normal_matches_pytorch_below_and_from_16_elements() {
    check_fresh(&["normal_"]);
}

#[test]
fn xavier_matches_pytorch() {
    check_fresh(&["xavier_uniform_", "xavier_normal_"]);
}

#[test]
fn kaiming_matches_pytorch() {
    check_fresh(&["kaiming_uniform_", "kaiming_normal_"]);
}

#[test]
fn trunc_normal_matches_pytorch() {
    check_fresh(&["trunc_normal_"]);
}

#[test]
fn sparse_matches_pytorch() {
    check_fresh(&["sparse_"]);
}

#[test]
fn orthogonal_matches_pytorch() {
    check_fresh(&["orthogonal_"]);
}

#[test]
fn deterministic_inits_match_pytorch() {
    check_fresh(&["eye_", "dirac_", "constant_"]);
}

/// Many initialisations in a row from one seed: the generator's state (including the cached
/// second sample of small normal draws) must carry over as in PyTorch.
#[test]
fn chains_of_inits_match_pytorch() {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    let mut failures = Vec::new();
    for chain in fx.get("chains").arr() {
        let seed = chain.get("seed").f64() as u64;
        manual_seed(seed);
        for case in chain.get("ops").arr() {
            let (ours, compare) = replay(case);
            if let Some(m) = mismatch(&ours, &case.get("values").f64s(), compare) {
                failures.push(format!("chain {}: {m}", describe(seed, case)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn linear_default_init_matches_pytorch() {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    for case in fx.get("linear").arr() {
        let seed = case.get("seed").f64() as u64;
        manual_seed(seed);
        let layer = Linear::new(4, 8).unwrap();
        let w: Vec<f64> = layer
            .weight()
            .unwrap()
            .values_f32()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect();
        let b: Vec<f64> = layer
            .bias()
            .unwrap()
            .values_f32()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect();
        assert_eq!(w, case.get("weight").f64s(), "seed {seed}: weight");
        assert_eq!(b, case.get("bias").f64s(), "seed {seed}: bias");
    }
}

#[test]
fn chapter_mlp_matches_pytorch() {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    let mlp = fx.get("mlp");
    manual_seed(mlp.get("seed").f64() as u64);
    let net = sequential![Linear::new(4, 8).unwrap(), ReLU, Linear::new(8, 1).unwrap()];
    let x = rand((2, 4)).unwrap();
    let to64 = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
    assert_eq!(to64(x.to_vec().unwrap()), mlp.get("X").f64s(), "X");
    let ours = net.named_parameters();
    let theirs = mlp.get("params").arr();
    assert_eq!(ours.len(), theirs.len());
    for ((name, p), t) in ours.iter().zip(theirs) {
        assert_eq!(name, t.get("name").str());
        assert_eq!(p.shape().unwrap().0, t.get("shape").usizes(), "{name}");
        assert_eq!(
            to64(p.values_f32().unwrap()),
            t.get("values").f64s(),
            "{name}"
        );
    }
    let y = to64(net.forward(&x).unwrap().to_vec().unwrap());
    let expected = mlp.get("output").f64s();
    assert_eq!(y.len(), expected.len());
    for (o, t) in y.iter().zip(&expected) {
        assert!(
            (o - t).abs() <= NORMAL_TOL,
            "net(X): ours {y:?}, PyTorch {expected:?}"
        );
    }
}

/// The chapter's custom initialisations, applied one after another to its MLP with `apply`.
#[test]
fn chapter_custom_inits_match_pytorch() {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    let mlp = fx.get("mlp");
    manual_seed(mlp.get("seed").f64() as u64);
    let net = sequential![Linear::new(4, 8).unwrap(), ReLU, Linear::new(8, 1).unwrap()];
    rand((2, 4)).unwrap();
    let to64 = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
    for step in mlp.get("custom_inits").arr() {
        let name = step.get("step").str();
        match name {
            "init_normal" => net.apply(|m| {
                if m.is::<Linear>() {
                    init::normal_(&m.weight()?, 0.0, 0.01)?;
                    init::zeros_(&m.bias()?)?;
                }
                Ok(())
            }),
            "init_constant" => net.apply(|m| {
                if m.is::<Linear>() {
                    init::constant_(&m.weight()?, 1.0)?;
                    init::zeros_(&m.bias()?)?;
                }
                Ok(())
            }),
            "init_xavier, init_42" => net[0]
                .apply(|m| {
                    if m.is::<Linear>() {
                        init::xavier_uniform_(&m.weight()?)?;
                    }
                    Ok(())
                })
                .and_then(|_| {
                    net[2].apply(|m| {
                        if m.is::<Linear>() {
                            init::constant_(&m.weight()?, 42.0)?;
                        }
                        Ok(())
                    })
                }),
            "my_init" => net.apply(|m| {
                if m.is::<Linear>() {
                    let w = m.weight()?;
                    init::uniform_(&w, -10.0, 10.0)?;
                    w.update(|w| w.mul(&w.abs()?.ge(5.0)?))?;
                }
                Ok(())
            }),
            other => panic!("no replay for {other}"),
        }
        .unwrap();
        let theirs = step.get("params").arr();
        for ((pname, p), t) in net.named_parameters().iter().zip(theirs) {
            let ours = to64(p.values_f32().unwrap());
            let m = mismatch(&ours, &t.f64s(), Compare::Within(NORMAL_TOL));
            assert!(
                m.is_none(),
                "after {name}, {pname}: {}",
                m.unwrap_or_default()
            );
            if name != "init_normal" {
                assert_eq!(ours, t.f64s(), "after {name}, {pname}: not bit for bit");
            }
        }
    }
}
