//! Every mistake `d2l::nn::init` reports: the message (PyTorch's, recorded from PyTorch 2.15),
//! the parameter left unchanged, and the generator left untouched (PyTorch checks before it
//! draws). Also the no-ops on tensors without elements.

use d2l::nn::init::{self, FanMode, KaimingOptions};
use d2l::{Parameter, Result, Tensor, manual_seed};
use std::sync::Mutex;

/// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());

const ONLY_2D: &str = "Only tensors with 2 dimensions are supported";
const ONLY_3_4_5D: &str = "Only tensors with 3, 4, or 5 dimensions are supported";
const NO_FANS: &str =
    "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions";
const ONLY_2D_OR_MORE: &str = "Only tensors with 2 or more dimensions are supported";

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

/// `f` on a parameter of `shape` must fail with exactly `message`, leave the parameter as it
/// was, and draw nothing from the generator.
fn assert_error(shape: &[usize], message: &str, f: impl Fn(&Parameter) -> Result<()>) {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(0);
    let untouched = next_draws();

    let p = param(shape);
    let alias = p.clone();
    let before = p.values_f32().unwrap();
    manual_seed(0);
    let err = f(&p).expect_err(&format!("{message}: the call succeeded on {shape:?}"));
    assert_eq!(err.to_string(), message, "on {shape:?}");
    assert_eq!(p.shape().unwrap().0, shape);
    assert_eq!(
        alias.values_f32().unwrap(),
        before,
        "{message}: the parameter changed"
    );
    assert_eq!(next_draws(), untouched, "{message}: the generator moved");
}

#[test]
fn eye_needs_2_dimensions() {
    assert_error(&[2, 3, 4], ONLY_2D, init::eye_);
    assert_error(&[3], ONLY_2D, init::eye_);
    assert_error(&[], ONLY_2D, init::eye_);
}

#[test]
fn sparse_needs_2_dimensions() {
    assert_error(&[6], ONLY_2D, |p| init::sparse_(p, 0.5, 0.01));
    assert_error(&[3, 3, 3], ONLY_2D, |p| init::sparse_(p, 0.1, 0.01));
}

#[test]
fn sparse_sparsity_must_convert_to_an_integer() {
    assert_error(&[4, 3], "cannot convert float NaN to integer", |p| {
        init::sparse_(p, f64::NAN, 0.01)
    });
    assert_error(&[4, 3], "cannot convert float infinity to integer", |p| {
        init::sparse_(p, f64::INFINITY, 0.01)
    });
}

#[test]
fn sparse_std_must_not_be_negative() {
    assert_error(
        &[4, 3],
        "normal expects std >= 0.0, but found std -1",
        |p| init::sparse_(p, 0.5, -1.0),
    );
}

#[test]
fn dirac_needs_3_to_5_dimensions() {
    assert_error(&[3, 3], ONLY_3_4_5D, |p| init::dirac_(p, 1));
    assert_error(&[2, 2, 1, 1, 1, 1], ONLY_3_4_5D, |p| init::dirac_(p, 1));
    assert_error(&[4], ONLY_3_4_5D, |p| init::dirac_(p, 1));
}

#[test]
fn dirac_groups_must_divide_dim_0() {
    assert_error(&[4, 3, 3], "dim 0 must be divisible by groups", |p| {
        init::dirac_(p, 3)
    });
    assert_error(&[6, 2, 3, 3], "dim 0 must be divisible by groups", |p| {
        init::dirac_(p, 4)
    });
    assert_error(&[4, 3, 3], "integer modulo by zero", |p| init::dirac_(p, 0));
}

#[test]
fn xavier_and_kaiming_need_2_dimensions() {
    for shape in [&[5][..], &[]] {
        assert_error(shape, NO_FANS, init::xavier_uniform_);
        assert_error(shape, NO_FANS, |p| init::xavier_uniform_with(p, 2.0));
        assert_error(shape, NO_FANS, init::xavier_normal_);
        assert_error(shape, NO_FANS, |p| init::xavier_normal_with(p, 2.0));
        assert_error(shape, NO_FANS, init::kaiming_uniform_);
        assert_error(shape, NO_FANS, init::kaiming_normal_);
        let opts = KaimingOptions {
            mode: FanMode::FanOut,
            nonlinearity: "relu",
            ..Default::default()
        };
        assert_error(shape, NO_FANS, |p| init::kaiming_uniform_with(p, opts));
        assert_error(shape, NO_FANS, |p| init::kaiming_normal_with(p, opts));
        assert_error(shape, NO_FANS, |p| {
            init::calculate_fan_in_and_fan_out(p).map(|_| ())
        });
    }
}

#[test]
fn kaiming_checks_the_fan_before_the_nonlinearity() {
    let opts = KaimingOptions {
        nonlinearity: "swish",
        ..Default::default()
    };
    assert_error(&[5], NO_FANS, |p| init::kaiming_uniform_with(p, opts));
}

#[test]
fn unknown_nonlinearity() {
    for name in ["swish", "gelu", "ReLU", "Linear", ""] {
        let message = format!("Unsupported nonlinearity {name}");
        let err = init::calculate_gain(name, None).unwrap_err();
        assert_eq!(err.to_string(), message);
        let opts = KaimingOptions {
            nonlinearity: name,
            ..Default::default()
        };
        assert_error(&[3, 4], &message, |p| init::kaiming_uniform_with(p, opts));
        assert_error(&[3, 4], &message, |p| init::kaiming_normal_with(p, opts));
    }
}

#[test]
fn bad_mode_string() {
    for (mode, shown) in [("fan_avg", "fan_avg"), ("Fan_Avg", "fan_avg"), ("", "")] {
        let err = mode.parse::<FanMode>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("Mode {shown} not supported, please use one of ['fan_in', 'fan_out']")
        );
    }
    // PyTorch lowers the mode before it compares.
    assert_eq!("FAN_OUT".parse::<FanMode>().unwrap(), FanMode::FanOut);
    assert!(" fan_in".parse::<FanMode>().is_err());
}

#[test]
fn orthogonal_needs_2_dimensions() {
    assert_error(&[5], ONLY_2D_OR_MORE, |p| init::orthogonal_(p, 1.0));
    assert_error(&[], ONLY_2D_OR_MORE, |p| init::orthogonal_(p, 1.0));
}

#[test]
fn uniform_bounds_are_checked() {
    let range = "uniform_ expects to return a [from, to) range, but found";
    assert_error(&[3, 4], &format!("{range} from=5 > to=3"), |p| {
        init::uniform_(p, 5.0, 3.0)
    });
    assert_error(&[3, 4], &format!("{range} from=1e-07 > to=1e-08"), |p| {
        init::uniform_(p, 1e-7, 1e-8)
    });
    assert_error(&[3, 4], &format!("{range} from=1.23457e+08 > to=2"), |p| {
        init::uniform_(p, 123456789.0, 2.0)
    });
    assert_error(&[3, 4], "to is out of bounds for float", |p| {
        init::uniform_(p, -1.0, f64::INFINITY)
    });
    assert_error(&[3, 4], "from is out of bounds for float", |p| {
        init::uniform_(p, f64::NAN, 1.0)
    });
    assert_error(
        &[3, 4],
        "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 \
         and from=-3e+38 which result in to-from to exceed the limit",
        |p| init::uniform_(p, -3e38, 3e38),
    );
    // A negative gain gives a reversed range.
    assert_error(
        &[3, 4],
        &format!("{range} from=0.92582 > to=-0.92582"),
        |p| init::xavier_uniform_with(p, -1.0),
    );
    // Checked even when there is nothing to fill, as in PyTorch.
    assert_error(&[0, 3], &format!("{range} from=5 > to=3"), |p| {
        init::uniform_(p, 5.0, 3.0)
    });
}

#[test]
fn normal_std_is_checked() {
    assert_error(
        &[3, 4],
        "normal expects std >= 0.0, but found std -1",
        |p| init::normal_(p, 0.0, -1.0),
    );
    assert_error(
        &[3, 4],
        "normal expects std >= 0.0, but found std nan",
        |p| init::normal_(p, 0.0, f64::NAN),
    );
    assert_error(
        &[3, 4],
        "normal expects std >= 0.0, but found std -0.534522",
        |p| init::xavier_normal_with(p, -1.0),
    );
    assert_error(&[0], "normal expects std >= 0.0, but found std -1", |p| {
        init::normal_(p, 0.0, -1.0)
    });
}

#[test]
fn trunc_normal_arguments_are_checked() {
    assert_error(&[3, 4], "float division by zero", |p| {
        init::trunc_normal_(p, 0.0, 0.0, -2.0, 2.0)
    });
    assert_error(
        &[3, 4],
        "uniform_ expects to return a [from, to) range, but found from=2 > to=-2",
        |p| init::trunc_normal_(p, 0.0, 1.0, 2.0, -2.0),
    );
}

#[test]
fn constant_must_fit_in_float32() {
    assert_error(
        &[2],
        "value cannot be converted to type float without overflow",
        |p| init::constant_(p, 1e40),
    );
    // Infinity and NaN are values a float holds.
    let p = param(&[2]);
    init::constant_(&p, f64::INFINITY).unwrap();
    assert_eq!(p.values_f32().unwrap(), [f32::INFINITY; 2]);
}

#[test]
fn xavier_with_no_fans_at_all_divides_by_zero() {
    assert_error(&[0, 0], "float division by zero", init::xavier_uniform_);
    assert_error(&[0, 0], "float division by zero", init::xavier_normal_);
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
            init::kaiming_normal_with(p, opts)
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
