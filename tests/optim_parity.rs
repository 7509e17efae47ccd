//! Replays `tests/fixtures/optim.json` (written by `tools/parity/optim_fixtures.py` from the real
//! PyTorch): which learning rates `SGD` accepts and how it then prints, the exact text of its
//! error for the others and for an empty parameter list, and for accepted rates one step on
//! `Linear(4, 3)` after seeds 0, 42 and 2³¹−1, compared within 1e-6 (one float32
//! multiply-subtract per value).

use d2l::prelude::*;
use serde_json::Value;
use std::sync::Mutex;

mod common;
use common::Fixture;

/// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());

/// The fixture writes each rate as Python's `repr`, which also names nan, inf and -0.0.
fn parse_lr(text: &str) -> f64 {
    match text {
        "nan" => f64::NAN,
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        t => t
            .parse()
            .unwrap_or_else(|e| panic!("learning rate {t}: {e}")),
    }
}

fn close(got: &[f32], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (f64::from(*g) - w).abs() <= 1e-6,
            "{what}[{i}]: {g} against {w}"
        );
    }
}

fn replay(case: &Value) {
    let text = case.field("lr").str();
    let lr = parse_lr(text);
    let p = Parameter::new(Tensor::zeros(1).unwrap()).unwrap();
    let made = SGD::new(vec![p.clone()], lr);
    match common::same_outcome(&format!("lr {text}"), &made, case) {
        Some(opt) => assert_eq!(
            opt.to_string(),
            case.field("repr").str(),
            "lr {text}: print(optimizer)"
        ),
        None => assert_eq!(
            p.data().unwrap().to_vec().unwrap(),
            [0.0],
            "lr {text}: nothing changed"
        ),
    }
    let Some(steps) = case.get("steps") else {
        return;
    };
    for run in steps.arr() {
        let seed = run.field("seed").u64();
        let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        manual_seed(seed);
        let net = Linear::new(4, 3).unwrap();
        let x = rand((2, 4)).unwrap();
        let mut opt = SGD::new(net.parameters(), lr).unwrap();
        net.forward(&x).unwrap().sum().unwrap().backward().unwrap();
        opt.step().unwrap();
        let what = format!("lr {text}, seed {seed}");
        let w = net.weight().unwrap().data().unwrap().to_vec().unwrap();
        close(&w, &run.field("weight").f64s(), &format!("{what}: weight"));
        let b = net.bias().unwrap().data().unwrap().to_vec().unwrap();
        close(&b, &run.field("bias").f64s(), &format!("{what}: bias"));
    }
}

#[test]
fn sgd_accepts_rejects_and_steps_as_pytorch_does() {
    let doc = common::load("optim.json");
    let cases = doc.field("cases").arr();
    assert!(cases.len() >= 20, "the fixture holds {} cases", cases.len());
    for case in cases {
        replay(case);
    }
}

#[test]
fn an_empty_parameter_list_is_pytorchs_error() {
    let doc = common::load("optim.json");
    let empty = doc.field("empty_params");
    assert!(!empty.field("accepted").bool());
    common::same_outcome("an empty list", &SGD::new(Vec::new(), 0.1), empty);
}
