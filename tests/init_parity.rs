//! Replays the initialisations recorded from the real PyTorch in `tests/fixtures/init.json`
//! (written by `tools/parity/init_fixtures.py`) and compares the values: uniform-based ones
//! (and the positions of `sparse_`'s zeros, `eye_`, `dirac_`, `constant_`) exactly,
//! normal-based ones within 1e-6, `orthogonal_` (a float64 QR here, float32 LAPACK there)
//! within 1e-5. Also `nn.Linear(4, 8)`'s default init, and the chapter's MLP with its input,
//! output and custom initialisations (`init_normal`, `init_constant`, `init_xavier`/`init_42`,
//! `my_init`) applied in turn through `apply`.

use d2l::nn::init::{self, FanMode, KaimingOptions};
use d2l::prelude::*;
use serde_json::Value;
use std::sync::Mutex;

/// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());

const NORMAL_TOL: f64 = 1e-6;
const ORTHOGONAL_TOL: f64 = 1e-5;

// ---------------------------------------------------------------------------------------------
// Reading the fixture.

mod common;
use common::Fixture;

fn fixtures() -> Value {
    common::load("init.json")
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
fn replay(case: &Value) -> (Vec<f64>, Compare) {
    let op = case.field("op").str();
    let shape = case.field("shape").usizes();
    let args = case.field("args");
    let arg = |k: &str| args.field(k).f64();
    let p = Parameter::new(Tensor::zeros(shape).unwrap()).unwrap();
    let kaiming = || KaimingOptions {
        a: arg("a"),
        mode: args.field("mode").str().parse::<FanMode>().unwrap(),
        nonlinearity: args.field("nonlinearity").str(),
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
            init::xavier_uniform_with_(&p, arg("gain")).unwrap();
            Compare::Exact
        }
        "xavier_normal_" => {
            init::xavier_normal_with_(&p, arg("gain")).unwrap();
            normal
        }
        "kaiming_uniform_" => {
            init::kaiming_uniform_with_(&p, kaiming()).unwrap();
            Compare::Exact
        }
        "kaiming_normal_" => {
            init::kaiming_normal_with_(&p, kaiming()).unwrap();
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
            init::dirac_(&p, args.field("groups").u64() as usize).unwrap();
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

fn describe(seed: u64, case: &Value) -> String {
    format!(
        "seed {seed}: {}{:?}",
        case.field("op").str(),
        case.field("shape").usizes()
    )
}

/// Replays the "fresh" cases of the ops in `ops` (each right after its own seed).
fn check_fresh(ops: &[&str]) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fx.field("fresh").arr() {
        if !ops.contains(&case.field("op").str()) {
            continue;
        }
        let seed = case.field("seed").u64();
        manual_seed(seed);
        let (ours, compare) = replay(case);
        checked += 1;
        if let Some(m) = mismatch(&ours, &case.field("values").f64s(), compare) {
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
    for chain in fx.field("chains").arr() {
        let seed = chain.field("seed").u64();
        manual_seed(seed);
        for case in chain.field("ops").arr() {
            let (ours, compare) = replay(case);
            if let Some(m) = mismatch(&ours, &case.field("values").f64s(), compare) {
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
    for case in fx.field("linear").arr() {
        let seed = case.field("seed").u64();
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
        assert_eq!(w, case.field("weight").f64s(), "seed {seed}: weight");
        assert_eq!(b, case.field("bias").f64s(), "seed {seed}: bias");
    }
}

#[test]
fn chapter_mlp_matches_pytorch() {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fx = fixtures();
    let mlp = fx.field("mlp");
    manual_seed(mlp.field("seed").u64());
    let net = sequential![
        Linear::new(4, 8).unwrap(),
        ReLU(),
        Linear::new(8, 1).unwrap()
    ];
    let x = rand((2, 4)).unwrap();
    let to64 = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
    assert_eq!(to64(x.to_vec().unwrap()), mlp.field("X").f64s(), "X");
    let ours = net.named_parameters();
    let theirs = mlp.field("params").arr();
    assert_eq!(ours.len(), theirs.len());
    for ((name, p), t) in ours.iter().zip(theirs) {
        assert_eq!(name, t.field("name").str());
        assert_eq!(p.shape().unwrap().0, t.field("shape").usizes(), "{name}");
        assert_eq!(
            to64(p.values_f32().unwrap()),
            t.field("values").f64s(),
            "{name}"
        );
    }
    let y = to64(net.forward(&x).unwrap().to_vec().unwrap());
    let expected = mlp.field("output").f64s();
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
    let mlp = fx.field("mlp");
    manual_seed(mlp.field("seed").u64());
    let net = sequential![
        Linear::new(4, 8).unwrap(),
        ReLU(),
        Linear::new(8, 1).unwrap()
    ];
    rand((2, 4)).unwrap();
    let to64 = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
    for step in mlp.field("custom_inits").arr() {
        let name = step.field("step").str();
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
                    w.update_(|w| w.mul(&w.abs()?.ge(5.0)?))?;
                }
                Ok(())
            }),
            other => panic!("no replay for {other}"),
        }
        .unwrap();
        let theirs = step.field("params").arr();
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
