//! Replays `tests/fixtures/errors.json` (written by `tools/parity/error_fixtures.py` from the real
//! PyTorch): for each mistake PyTorch's exception text, compared exactly with the `Err` d2l
//! returns; a case PyTorch accepts must be accepted with the same output shape.
//! Family covered: `Linear(4, 3)` with and without a bias on inputs of every rank (0-d to 4-d)
//! and of zero size, of the right and the wrong width.

use d2l::prelude::*;
use serde_json::Value;

mod common;
use common::Fixture;

fn replay_linear(case: &Value) {
    let bias = case.field("bias").bool();
    let shape = case.field("input_shape").usizes();
    let layer = Linear::with_bias(
        case.field("in_features").usize(),
        case.field("out_features").usize(),
        bias,
    )
    .unwrap();
    let x = Tensor::zeros(shape.clone()).unwrap();
    let what = format!("Linear(4, 3, bias={bias}) on {shape:?}");
    let before = layer.state_dict();
    let y = layer.forward(&x);
    match common::same_outcome(&what, &y, case) {
        Some(y) => assert_eq!(
            y.shape().to_vec(),
            case.field("output_shape").usizes(),
            "{what}: output shape"
        ),
        None => {
            for (k, v) in before.iter() {
                assert!(layer.state_dict()[k].equal(v), "{what}: {k} changed");
            }
        }
    }
}

#[test]
fn linear_forward_errors_are_pytorchs_texts() {
    let doc = common::load("errors.json");
    let cases = doc.field("linear_forward").arr();
    assert!(cases.len() >= 20, "the fixture holds {} cases", cases.len());
    for case in cases {
        replay_linear(case);
    }
}

/// The text a panic carried.
fn panic_text(f: impl FnOnce() + std::panic::UnwindSafe) -> Option<String> {
    let payload = std::panic::catch_unwind(f).err()?;
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
}

/// Names in a `Sequential`: `add_module`'s checks and attribute errors are `Err`s with PyTorch's
/// class and text; `net[9]` and `state_dict()["9.weight"]` panic as Python's uncaught
/// `IndexError` / `KeyError` reads (`<class>: <message>`), and each has a form that does not
/// panic (`get`, `get_signed`, `child`, `StateDict::get`).
#[test]
fn module_name_and_index_mistakes_are_pytorchs() {
    let doc = common::load("errors.json");
    let net = || {
        manual_seed(0);
        sequential![
            Linear::new(4, 8).unwrap(),
            ReLU(),
            Linear::new(8, 1).unwrap()
        ]
    };
    for case in doc.field("modules").arr() {
        let call = case.field("call").str();
        let accepted = case.field("accepted").bool();
        let uncaught = || {
            format!(
                "{}: {}",
                case.field("error").str(),
                case.field("message").str()
            )
        };
        let recorded = |r: d2l::Result<()>| {
            common::same_outcome(call, &r, case);
        };
        match call {
            "add_module('')" => recorded(net().add_module("", ReLU())),
            "add_module('a.b')" => recorded(net().add_module("a.b", ReLU())),
            "add_module('x')" => recorded(net().add_module("x", ReLU())),
            "net[9]" | "net[3]" => {
                let i: usize = call[4..5].parse().unwrap();
                let n = net();
                assert!(n.get(i).is_none());
                assert_eq!(
                    panic_text(|| {
                        let _ = &net()[i];
                    }),
                    Some(uncaught()),
                    "{call}"
                );
                // The same through a `dyn Module`.
                let nested = || sequential![net()];
                assert_eq!(
                    panic_text(|| {
                        let _ = &nested()[0][i];
                    }),
                    Some(uncaught()),
                    "{call}"
                );
            }
            "net[-4]" => assert!(net().get_signed(-4).is_none() && !accepted),
            "net[-1]" => assert!(net().get_signed(-1).is_some() && accepted),
            "net.foo" => {
                assert!(net().child("foo").is_none());
                assert_eq!(
                    panic_text(|| {
                        let _ = &net()["foo"];
                    }),
                    Some(uncaught()),
                    "{call}"
                );
            }
            "net[1].weight" => recorded(net()[1].weight().map(|_| ())),
            "net[0].foo" => {
                let n = net();
                assert!(n[0].child("foo").is_none());
                assert_eq!(
                    panic_text(|| {
                        let _ = &net()[0]["foo"];
                    }),
                    Some(uncaught()),
                    "{call}"
                );
            }
            "state_dict()['9.weight']" => {
                assert!(net().state_dict().get("9.weight").is_none());
                assert_eq!(
                    panic_text(|| drop(net().state_dict()["9.weight"].clone())),
                    Some(uncaught()),
                    "{call}"
                );
            }
            other => panic!("no d2l spelling for {other}"),
        }
    }
}
