//! Replays the draws recorded from the real PyTorch in `tests/fixtures/rng.json`
//! (written by `tools/parity/rng_fixtures.py`) and compares: uniform draws and permutations
//! bit for bit, normal and truncated-normal draws within 1e-6.

use d2l::rng::{Generator, erf, erfinv_f32, with_global};
use serde_json::Value;

mod common;
use common::Fixture;

fn fixture() -> Value {
    common::load("rng.json")
}

const NORMAL_TOL: f64 = 1e-6;

fn num(op: &Value, key: &str) -> f64 {
    op.field(key).f64()
}

fn size(op: &Value) -> usize {
    op.field("n").u64() as usize
}

/// What one recorded operation produced, and how exactly it must match.
enum Draw {
    Exact(Vec<f64>),
    Close(Vec<f64>),
    Ints(Vec<i64>),
}

fn widen(v: Vec<f32>) -> Vec<f64> {
    v.into_iter().map(f64::from).collect()
}

/// Runs one recorded operation on `g`; `None` for a reseed.
fn replay(g: &mut Generator, op: &Value) -> Option<Draw> {
    let kind = op.field("op").str();
    let draw = match kind {
        "manual_seed" => {
            g.manual_seed(op.field("seed").u64());
            return None;
        }
        "uniform_f32" => Draw::Exact(widen(g.uniform_f32(
            size(op),
            num(op, "from"),
            num(op, "to"),
        ))),
        "uniform_f64" => Draw::Exact(g.uniform_f64(size(op), num(op, "from"), num(op, "to"))),
        "normal_f32" => Draw::Close(widen(g.normal_f32(
            size(op),
            num(op, "mean"),
            num(op, "std"),
        ))),
        "normal_f64" => Draw::Close(g.normal_f64(size(op), num(op, "mean"), num(op, "std"))),
        "randperm" => Draw::Ints(g.randperm(size(op))),
        "trunc_normal_f32" | "trunc_normal_erfinv_f32" => {
            let (mean, std) = (num(op, "mean"), num(op, "std"));
            let (a, b) = (num(op, "a"), num(op, "b"));
            let v = if kind == "trunc_normal_f32" {
                g.trunc_normal_f32(size(op), mean, std, a, b)
            } else {
                g.trunc_normal_erfinv_f32(size(op), mean, std, a, b)
            };
            Draw::Close(widen(v))
        }
        other => panic!("unknown op {other}"),
    };
    Some(draw)
}

/// Compares one draw with the record; returns the largest absolute difference (0 for
/// exact comparisons).
fn compare(case: &str, op: &Value, draw: Draw) -> f64 {
    let what = format!("{case}: {}", op.field("op").str());
    let values = op.field("values").arr();
    match draw {
        Draw::Exact(got) => {
            assert_eq!(got.len(), values.len(), "{what}");
            for (i, (g, w)) in got.iter().zip(values).enumerate() {
                let w = w.f64();
                assert!(
                    g.to_bits() == w.to_bits(),
                    "{what}[{i}]: got {g:?}, PyTorch {w:?}"
                );
            }
            0.0
        }
        Draw::Close(got) => {
            assert_eq!(got.len(), values.len(), "{what}");
            let mut worst = 0f64;
            for (i, (g, w)) in got.iter().zip(values).enumerate() {
                let w = w.f64();
                let diff = (g - w).abs();
                assert!(diff <= NORMAL_TOL, "{what}[{i}]: got {g:?}, PyTorch {w:?}");
                worst = worst.max(diff);
            }
            worst
        }
        Draw::Ints(got) => {
            let want: Vec<i64> = values.iter().map(Fixture::i64).collect();
            assert_eq!(got, want, "{what}");
            0.0
        }
    }
}

#[test]
fn draws_match_pytorch() {
    let data = fixture();
    let cases = data.field("cases").arr();
    assert!(cases.len() > 100, "fixture looks truncated");
    let (mut worst, mut ops) = (0f64, 0);
    for case in cases {
        let label = format!(
            "{} (seed {})",
            case.field("name").str(),
            case.field("seed").u64()
        );
        let mut g = Generator::new(case.field("seed").u64());
        for op in case.field("ops").arr() {
            if let Some(draw) = replay(&mut g, op) {
                worst = worst.max(compare(&label, op, draw));
                ops += 1;
            }
        }
    }
    eprintln!("{ops} draws compared; largest difference of a (truncated) normal: {worst:e}");
}

#[test]
fn the_global_generator_matches_pytorch_across_calls() {
    // The only test in this file that touches the global generator: every operation is a
    // separate `with_global` call, so the state must carry over between calls.
    let data = fixture();
    let mut sequences = 0;
    for case in data.field("cases").arr() {
        let ops = case.field("ops").arr();
        if ops.len() < 2 {
            continue;
        }
        d2l::manual_seed(case.field("seed").u64());
        for op in ops {
            if let Some(draw) = with_global(|g| replay(g, op)) {
                compare(case.field("name").str(), op, draw);
            }
        }
        sequences += 1;
    }
    assert!(
        sequences >= 20,
        "expected the sequence cases in the fixture"
    );
}

#[test]
fn erf_matches_the_c_library() {
    let data = fixture();
    for pair in data.field("erf").arr() {
        let (x, want) = (pair.arr()[0].f64(), pair.arr()[1].f64());
        let got = erf(x);
        // libm (musl's erf) and glibc agree to within one unit in the last place.
        let tol = f64::EPSILON * want.abs();
        assert!(
            (got - want).abs() <= tol,
            "erf({x}) = {got:?}, math.erf {want:?}"
        );
    }
}

#[test]
fn erfinv_matches_pytorch_float32() {
    // PyTorch's Newton steps use the C library's float32 erf; ours use float64 erf rounded
    // to float32. One unit of difference in erf(x) near y moves x by that unit times
    // dx/dy = √π/2 · exp(x²), so allow two units of x plus one unit of y carried through.
    let data = fixture();
    assert!(data.get("erfinv_f32").is_some());
    for pair in data.field("erfinv_f32").arr() {
        let (y, want) = (pair.arr()[0].f64(), pair.arr()[1].f64());
        let got = f64::from(erfinv_f32(y as f32));
        let ulp = |v: f64| f64::from(f32::EPSILON) * v.abs().max(f64::from(f32::MIN_POSITIVE));
        let slope = std::f64::consts::PI.sqrt() / 2.0 * (want * want).exp();
        let tol = 2.0 * ulp(want) + ulp(y) * slope;
        assert!(
            (got - want).abs() <= tol,
            "erfinv({y}) = {got:?}, torch {want:?}"
        );
    }
}
