//! Replays `tests/fixtures/notebooks.json` (written by `tools/parity/notebook_fixtures.py` from
//! the real PyTorch): the numbers the notebooks print and say are PyTorch's. Each test runs one
//! notebook's steps in the notebook's order (so the generator's stream is the notebook's) and
//! compares what it prints with what PyTorch printed for the same code: tensors and parameters
//! as text, training losses to four decimals, fractions exactly.

use d2l::prelude::*;
use serde_json::Value;

mod common;
use common::Fixture;

fn fixture(notebook: &str) -> Value {
    common::load("notebooks.json").field(notebook).clone()
}

fn same_text(got: impl std::fmt::Display, want: &Value, what: &str) {
    assert_eq!(got.to_string(), want.str(), "{what}");
}

fn linear_only(f: impl Fn(&dyn Module) -> Result<()>) -> impl Fn(&dyn Module) -> Result<()> {
    move |m| if m.is::<Linear>() { f(m) } else { Ok(()) }
}

/// How many of a layer output's columns are zero for every input row (units that are off).
fn dead_units(h: &Tensor) -> Result<usize> {
    let (rows, cols) = (h.shape()[0], h.shape()[1]);
    let v = h.to_vec()?;
    Ok((0..cols)
        .filter(|&c| (0..rows).all(|r| v[r * cols + c] == 0.0))
        .count())
}

#[test]
fn parameter_access() -> Result<()> {
    let _seed = common::seed_lock();
    let want = fixture("1-parameter-access");
    manual_seed(0);
    let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    let x = rand((2, 4))?;
    same_text(&x, want.field("X"), "X");
    same_text(net.forward(&x)?, want.field("net(X)"), "net(X)");
    same_text(
        net[2].state_dict(),
        want.field("net[2].state_dict()"),
        "state_dict",
    );
    same_text(net[2].bias()?, want.field("net[2].bias"), "net[2].bias");
    let block1 = || -> Result<Sequential> {
        Ok(sequential![
            Linear::new(4, 8)?,
            ReLU(),
            Linear::new(8, 4)?,
            ReLU()
        ])
    };
    let mut blocks = Sequential::new();
    for i in 0..4 {
        blocks.add_module(format!("block {i}"), block1()?)?;
    }
    let rgnet = sequential![blocks, Linear::new(4, 1)?];
    same_text(rgnet.forward(&x)?, want.field("rgnet(X)"), "rgnet(X)");
    let mut h = x.clone();
    let mut dead = Vec::new();
    for i in 0..4 {
        h = rgnet[0][i].forward(&h)?;
        dead.push(dead_units(&h)?);
    }
    assert_eq!(
        dead,
        want.field("dead units").usizes(),
        "dead units after each block"
    );
    same_text(
        rgnet[0][1][0].bias()?.data()?,
        want.field("rgnet[0][1][0].bias.data"),
        "rgnet[0][1][0].bias",
    );
    Ok(())
}

#[test]
fn initialization() -> Result<()> {
    let _seed = common::seed_lock();
    let want = fixture("2-initialization");
    manual_seed(0);
    let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    let x = rand((2, 4))?;
    same_text(net.forward(&x)?, want.field("net(X)"), "net(X)");
    manual_seed(1);
    let layer = Linear::new(4, 8)?;
    manual_seed(1);
    let (w, b) = (
        Parameter::new(Tensor::zeros((8, 4))?)?,
        Parameter::new(Tensor::zeros(8)?)?,
    );
    let sqrt5 = init::KaimingOptions {
        a: 5f64.sqrt(),
        ..Default::default()
    };
    init::kaiming_uniform_with_(&w, sqrt5)?;
    init::uniform_(&b, -0.5, 0.5)?;
    let equal = [
        layer.weight()?.data()?.equal(&w.data()?),
        layer.bias()?.data()?.equal(&b.data()?),
    ];
    let recorded: Vec<bool> = want
        .field("default init is kaiming_uniform_ then uniform_")
        .arr()
        .iter()
        .map(Fixture::bool)
        .collect();
    assert_eq!(equal.to_vec(), recorded, "default init");
    Linear::new(256, 256)?;
    net.apply(linear_only(|m| {
        init::normal_(&m.weight()?, 0.0, 0.01)?;
        init::zeros_(&m.bias()?)
    }))?;
    let normal = want.field("init_normal").arr();
    same_text(
        net[0].weight()?.data()?.i(0)?,
        &normal[0],
        "init_normal weight",
    );
    same_text(net[0].bias()?.data()?.i(0)?, &normal[1], "init_normal bias");
    net.apply(linear_only(|m| {
        init::constant_(&m.weight()?, 1.0)?;
        init::zeros_(&m.bias()?)
    }))?;
    net[0].apply(linear_only(|m| init::xavier_uniform_(&m.weight()?)))?;
    net[2].apply(linear_only(|m| init::constant_(&m.weight()?, 42.0)))?;
    same_text(
        net[0].weight()?.data()?.i(0)?,
        want.field("init_xavier"),
        "init_xavier",
    );
    Ok(())
}

#[test]
fn custom_init() -> Result<()> {
    let _seed = common::seed_lock();
    let want = fixture("3-custom-init");
    manual_seed(0);
    let net = sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?];
    net.forward(&rand((2, 4))?)?;
    let my_init = linear_only(|m| {
        let w = m.weight()?;
        init::uniform_(&w, -10.0, 10.0)?;
        w.update_(|v| v.mul(&v.abs()?.ge(5.0)?))
    });
    net.apply(&my_init)?;
    same_text(
        net[0].weight()?.i(..2)?,
        want.field("net[0].weight[:2]"),
        "my_init",
    );
    let big = Linear::new(64, 256)?;
    my_init(&big)?;
    let v = big.weight()?.values_f32()?;
    let share = |f: fn(f32) -> bool| v.iter().filter(|x| f(**x)).count() as f64 / v.len() as f64;
    let got = vec![
        share(|x| x >= 5.0),
        share(|x| x == 0.0),
        share(|x| x <= -5.0),
    ];
    assert_eq!(got, want.field("fractions").f64s(), "fractions");
    let w = net[0].weight()?;
    w.add_(1.0)?;
    w.set_at_(&[0, 0], 42.0)?;
    same_text(
        w.data()?.i(0)?,
        want.field("net[0].weight.data[0]"),
        "written directly",
    );
    net[2].weight()?.update_(|v| v.mul(0.1))?;
    same_text(
        net[2].weight()?.data()?,
        want.field("net[2].weight.data"),
        "scaled",
    );
    Ok(())
}

#[test]
fn tied_parameters() -> Result<()> {
    let _seed = common::seed_lock();
    let want = fixture("4-tied-parameters");
    manual_seed(0);
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
    let x = rand((2, 4))?;
    same_text(net.forward(&x)?, want.field("net(X)"), "net(X)");
    Ok(())
}

fn tied_mlp() -> Result<Sequential> {
    let shared_fc = Linear::new(4, 4)?;
    Ok(sequential![
        Linear::new(3, 4)?,
        ReLU(),
        shared_fc.clone(),
        ReLU(),
        shared_fc.clone(),
        ReLU(),
        Linear::new(4, 3)?
    ])
}

#[test]
fn exercises_with_training() -> Result<()> {
    let _seed = common::seed_lock();
    let want = fixture("5-exercises");
    manual_seed(0);
    let net = sequential![Linear::new(20, 64)?, ReLU(), Linear::new(64, 32)?, ReLU()];
    let linear = Linear::new(32, 16)?;
    linear.forward(&net.forward(&rand((2, 20))?)?)?;
    same_text(
        net[2].bias()?.data()?.i(..4)?,
        want.field("model.net[2].bias.data[:4]"),
        "NestMLP",
    );
    let w = Parameter::new(Tensor::zeros((256, 128))?)?;
    init::uniform_(&w, -0.1, 0.1)?;
    init::normal_(&w, 0.0, 0.05)?;
    init::trunc_normal_(&w, 0.0, 0.1, -0.1, 0.1)?;
    init::xavier_uniform_(&w)?;
    init::xavier_normal_(&w)?;
    init::kaiming_uniform_(&w)?;
    init::kaiming_normal_(&w)?;
    init::kaiming_uniform_with_(
        &w,
        init::KaimingOptions {
            a: 5f64.sqrt(),
            ..Default::default()
        },
    )?;
    init::sparse_(&w, 0.9, 0.01)?;

    let mlp = tied_mlp()?;
    let xs = randn((32, 3))?;
    let ys = xs.matmul(&randn((3, 3))?)?;
    let mut optimizer = SGD::new(mlp.parameters(), 0.05)?;
    for (epoch, want) in want.field("two epochs").arr().iter().enumerate() {
        let loss = F::mse_loss(&mlp.forward(&xs)?, &ys)?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        same_text(
            format!("{:.4}", loss.item()?),
            want.field("loss"),
            "epoch loss",
        );
        let params = mlp.named_parameters();
        let recorded = want.field("params").arr();
        assert_eq!(params.len(), recorded.len(), "epoch {epoch}: parameters");
        for ((name, p), r) in params.iter().zip(recorded) {
            let r = r.arr();
            assert_eq!(name, r[0].str(), "epoch {epoch}: names");
            same_text(
                p.data()?.i(..2)?,
                &r[1],
                &format!("epoch {epoch}: {name} data"),
            );
            let grad = p.grad().expect("a gradient after backward");
            same_text(grad.i(..2)?, &r[2], &format!("epoch {epoch}: {name} grad"));
        }
    }

    let (mlp, xs) = (tied_mlp()?, randn((32, 3))?);
    let ys = xs.matmul(&randn((3, 3))?)?;
    let mirror = sequential![
        Linear::new(3, 4)?,
        ReLU(),
        Linear::new(4, 4)?,
        ReLU(),
        Linear::new(4, 4)?,
        ReLU(),
        Linear::new(4, 3)?
    ];
    let mut optimizer = SGD::new(mlp.parameters(), 0.05)?;
    let mut losses = Vec::new();
    for _ in 0..100 {
        mirror.load_state_dict(&mlp.state_dict(), true)?;
        mirror.zero_grad();
        F::mse_loss(&mirror.forward(&xs)?, &ys)?.backward()?;
        optimizer.zero_grad();
        let loss = F::mse_loss(&mlp.forward(&xs)?, &ys)?;
        loss.backward()?;
        losses.push(format!("{:.4}", loss.item()?));
        optimizer.step()?;
    }
    let recorded: Vec<&str> = want
        .field("100 steps: losses")
        .arr()
        .iter()
        .map(Fixture::str)
        .collect();
    assert_eq!(losses, recorded, "losses of the 100 steps");
    Ok(())
}
