//! Every mistake `d2l::nn::init` reports, replayed from `tests/fixtures/errors.json` (recorded
//! from PyTorch by `tools/parity/error_fixtures.py`): the class and the message, the parameter
//! left unchanged, and the generator left untouched (PyTorch checks before it draws). Also the
//! no-ops on tensors without elements.

use d2l::nn::init::{self, FanMode, KaimingOptions};
use d2l::{Parameter, Result, Tensor, manual_seed};
use serde_json::Value;
use std::sync::Mutex;

mod common;
use common::Fixture;

/// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());

/// A parameter of this shape holding 0.5, 1.5, 2.5, ...
fn param(shape: &[usize]) -> Parameter {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|i| i as f32 + 0.5).collect();
    Parameter::new(Tensor::from_vec(v, shape.to_vec()).unwrap()).unwrap()
}

/// The next few uniform draws of the global generator.
fn next_draws() -> Vec<f32> {
    d2l::rng::with_global(|g| g.uniform_f32(4, 0.0, 1.0))
}

fn number(v: &Value) -> f64 {
    match v.as_str() {
        Some("nan") => f64::NAN,
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        _ => v.f64(),
    }
}

/// The recorded call on `p`, in d2l's spelling.
fn call(op: &str, p: &Parameter, args: &Value) -> Result<()> {
    let f = |k: &str| number(args.field(k));
    let has = |k: &str| args.get(k).is_some();
    let kaiming = || -> Result<KaimingOptions<'_>> {
        let mut o = KaimingOptions::default();
        if let Some(m) = args.get("mode") {
            o.mode = m.str().parse::<FanMode>()?;
        }
        if let Some(n) = args.get("nonlinearity") {
            o.nonlinearity = n.str();
        }
        Ok(o)
    };
    match op {
        "eye_" => init::eye_(p),
        "sparse_" => init::sparse_(p, f("sparsity"), f("std")),
        "dirac_" => init::dirac_(p, args.field("groups").usize()),
        "orthogonal_" => init::orthogonal_(p, f("gain")),
        "uniform_" => init::uniform_(p, f("a"), f("b")),
        "normal_" => init::normal_(p, f("mean"), f("std")),
        "trunc_normal_" => init::trunc_normal_(p, f("mean"), f("std"), f("a"), f("b")),
        "constant_" => init::constant_(p, f("val")),
        "xavier_uniform_" if has("gain") => init::xavier_uniform_with_(p, f("gain")),
        "xavier_uniform_" => init::xavier_uniform_(p),
        "xavier_normal_" if has("gain") => init::xavier_normal_with_(p, f("gain")),
        "xavier_normal_" => init::xavier_normal_(p),
        "kaiming_uniform_" if args.as_object().unwrap().is_empty() => init::kaiming_uniform_(p),
        "kaiming_uniform_" => init::kaiming_uniform_with_(p, kaiming()?),
        "kaiming_normal_" if args.as_object().unwrap().is_empty() => init::kaiming_normal_(p),
        "kaiming_normal_" => init::kaiming_normal_with_(p, kaiming()?),
        "_calculate_fan_in_and_fan_out" => init::calculate_fan_in_and_fan_out(p).map(|_| ()),
        "calculate_gain" => {
            init::calculate_gain(args.field("nonlinearity").str(), None).map(|_| ())
        }
        other => panic!("no d2l spelling for nn.init.{other}"),
    }
}

/// Every case of `errors.json`'s `init` family: PyTorch's exception class and text for each
/// mistake, and for a mistake the parameter left as it was and the generator untouched (PyTorch
/// checks before it draws); a call PyTorch accepts must be accepted.
#[test]
fn init_mistakes_are_pytorchs() {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let doc = common::load("errors.json");
    let cases = doc.field("init").arr();
    assert!(cases.len() > 60);
    for case in cases {
        let (op, args) = (case.field("op").str(), case.field("args"));
        let shape = case.field("shape").usizes();
        let what = format!("nn.init.{op} on {shape:?} with {args}");
        manual_seed(0);
        let untouched = next_draws();
        let p = param(&shape);
        let alias = p.clone();
        let before = p.values_f32().unwrap();
        manual_seed(0);
        if common::same_outcome(&what, &call(op, &p, args), case).is_none() {
            assert_eq!(p.shape().unwrap().0, shape);
            assert_eq!(
                alias.values_f32().unwrap(),
                before,
                "{what}: the parameter changed"
            );
            assert_eq!(next_draws(), untouched, "{what}: the generator moved");
        }
    }
}

#[test]
fn uninitialized_parameters_are_refused() {
    let p = Parameter::uninitialized();
    let err = init::uniform_(&p, 0.0, 1.0).unwrap_err().to_string();
    assert!(err.contains("uninitialized parameter"), "{err}");
    assert!(init::kaiming_uniform_(&p).is_err());
    assert!(init::zeros_(&p).is_err());
    assert!(!p.is_initialized());
}

// ---------------------------------------------------------------------------------------------
// Zero-element tensors.

type Init = fn(&Parameter) -> Result<()>;

/// `f` on an empty parameter of `shape` succeeds, keeps the shape, and draws nothing.
fn assert_no_op(shape: &[usize], name: &str, f: Init) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(0);
    let untouched = next_draws();
    let p = param(shape);
    manual_seed(0);
    f(&p).unwrap_or_else(|e| panic!("{name} on {shape:?}: {e}"));
    assert_eq!(p.shape().unwrap().0, shape, "{name}");
    assert!(p.values_f32().unwrap().is_empty());
    assert_eq!(
        next_draws(),
        untouched,
        "{name} on {shape:?}: the generator moved"
    );
}

#[test]
fn zero_element_tensors_are_left_alone() {
    let inits: Vec<(&str, &[usize], Init)> = vec![
        ("uniform_", &[0, 3], |p| init::uniform_(p, -1.0, 1.0)),
        ("normal_", &[0], |p| init::normal_(p, 0.0, 1.0)),
        ("trunc_normal_", &[2, 0], |p| {
            init::trunc_normal_(p, 0.0, 1.0, -2.0, 2.0)
        }),
        ("trunc_normal_ tail", &[0], |p| {
            init::trunc_normal_(p, 0.0, 1.0, 2.0, 3.0)
        }),
        ("constant_", &[0], |p| init::constant_(p, 3.0)),
        ("ones_", &[0, 2], init::ones_),
        ("zeros_", &[0], init::zeros_),
        ("eye_", &[0, 3], init::eye_),
        ("dirac_", &[0, 3, 3], |p| init::dirac_(p, 1)),
        ("xavier_uniform_", &[0, 3], init::xavier_uniform_),
        ("xavier_normal_", &[3, 0, 2], init::xavier_normal_),
        ("kaiming_uniform_", &[0, 4], init::kaiming_uniform_),
        ("kaiming_normal_", &[4, 0], init::kaiming_normal_),
        // PyTorch's Kaiming functions return before looking at the rank, the mode or the
        // nonlinearity.
        ("kaiming_uniform_ 1-D", &[0], init::kaiming_uniform_),
        ("kaiming_normal_ unknown nonlinearity", &[0], |p| {
            let opts = KaimingOptions {
                nonlinearity: "swish",
                ..Default::default()
            };
            init::kaiming_normal_with_(p, opts)
        }),
        ("orthogonal_", &[0, 3], |p| init::orthogonal_(p, 1.0)),
        ("orthogonal_ 3-D", &[2, 0, 3], |p| init::orthogonal_(p, 1.0)),
        ("sparse_ no rows", &[0, 3], |p| init::sparse_(p, 0.5, 0.01)),
        ("sparse_ no columns", &[3, 0], |p| {
            init::sparse_(p, 0.5, 0.01)
        }),
    ];
    for (name, shape, f) in inits {
        assert_no_op(shape, name, f);
    }
}
