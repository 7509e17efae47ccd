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
    match layer.forward(&x) {
        Ok(y) => {
            assert!(case.field("accepted").bool(), "{what}: PyTorch rejects it");
            assert_eq!(
                y.dims(),
                case.field("output_shape").usizes(),
                "{what}: output shape"
            );
        }
        Err(e) => {
            assert!(
                !case.field("accepted").bool(),
                "{what}: PyTorch accepts it, here: {e}"
            );
            assert_eq!(e.to_string(), case.field("message").str(), "{what}");
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
