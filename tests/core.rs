//! The parameter model of the chapter: access, nesting, printing, apply, in-place writes,
//! tying, gradients, lazy layers.

mod common;

use d2l::prelude::*;
use std::sync::Mutex;

// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());
fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn mlp() -> Result<Sequential> {
    Ok(sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?])
}

fn block1() -> Result<Sequential> {
    Ok(sequential![
        Linear::new(4, 8)?,
        ReLU(),
        Linear::new(8, 4)?,
        ReLU()
    ])
}

fn block2() -> Result<Sequential> {
    let mut net = Sequential::new();
    for i in 0..4 {
        net.add_module(format!("block {i}"), block1()?)?;
    }
    Ok(net)
}

const RGNET: &str = "Sequential(
  (0): Sequential(
    (block 0): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
    (block 1): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
    (block 2): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
    (block 3): Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=4, bias=True)
      (3): ReLU()
    )
  )
  (1): Linear(in_features=4, out_features=1, bias=True)
)";

#[test]
fn forward_shapes_and_indexing() -> Result<()> {
    let _g = lock();
    let net = mlp()?;
    let x = rand((2, 4))?;
    let y = net.forward(&x)?;
    assert_eq!(y.shape(), [2, 1]);
    assert_eq!(y.grad_fn(), Some("AddmmBackward0"));
    assert!(net[0].is::<Linear>());
    assert!(net[1].is::<ReLU>());
    assert!(net.get(3).is_none());
    assert!(net.get_signed(-1).is_some_and(|m| m.is::<Linear>()));
    assert!(net.get_signed(-3).is_some_and(|m| m.is::<Linear>()));
    assert!(net.get_signed(-4).is_none());
    assert!(net.last().is_some_and(|m| m.is::<Linear>()));
    Ok(())
}

#[test]
fn state_dict_prints_like_ordered_dict() -> Result<()> {
    let net = mlp()?;
    net[2].weight()?.set_data_(&Tensor::new(&[[
        -0.1328f32, 0.0236, 0.2590, 0.2789, 0.3122, 0.0892, -0.2700, -0.0821,
    ]])?)?;
    net[2].bias()?.set_data_(&Tensor::new(&[0.2761f32])?)?;
    assert_eq!(
        net[2].state_dict().to_string(),
        "OrderedDict([('weight', tensor([[-0.1328,  0.0236,  0.2590,  0.2789,  0.3122,  0.0892, -0.2700, -0.0821]])), ('bias', tensor([0.2761]))])"
    );
    assert_eq!(net.state_dict()["2.bias"].to_string(), "tensor([0.2761])");
    assert_eq!(
        net.state_dict().keys().collect::<Vec<_>>(),
        ["0.weight", "0.bias", "2.weight", "2.bias"]
    );
    Ok(())
}

#[test]
fn parameter_display_data_and_grad() -> Result<()> {
    let net = mlp()?;
    let bias = net[2].bias()?;
    bias.set_data_(&Tensor::new(&[0.1968f32])?)?;
    assert_eq!(
        bias.to_string(),
        "Parameter containing:\ntensor([0.1968], requires_grad=True)"
    );
    assert_eq!(bias.data()?.to_string(), "tensor([0.1968])");
    assert!(net[2].weight()?.grad().is_none());
    Ok(())
}

#[test]
fn named_parameters_order_and_sizes() -> Result<()> {
    let net = mlp()?;
    let one: Vec<String> = net[0]
        .named_parameters()
        .iter()
        .map(|(n, p)| format!("('{n}', {})", p.shape().unwrap()))
        .collect();
    assert_eq!(
        one.join(" "),
        "('weight', torch.Size([8, 4])) ('bias', torch.Size([8]))"
    );
    let all: Vec<String> = net
        .named_parameters()
        .iter()
        .map(|(n, p)| format!("('{n}', {})", p.shape().unwrap()))
        .collect();
    assert_eq!(
        all.join(" "),
        "('0.weight', torch.Size([8, 4])) ('0.bias', torch.Size([8])) ('2.weight', torch.Size([1, 8])) ('2.bias', torch.Size([1]))"
    );
    assert_eq!(net.parameters().len(), 4);
    Ok(())
}

#[test]
fn nested_blocks_print_exactly_like_pytorch() -> Result<()> {
    let rgnet = sequential![block2()?, Linear::new(4, 1)?];
    assert_eq!(rgnet.to_string(), RGNET);
    assert_eq!(format!("{:?}", rgnet), RGNET);
    assert_eq!(rgnet[0][1][0].bias()?.shape()?, [8]);
    assert_eq!(rgnet[0]["block 1"][0].type_name(), "Linear");
    let names: Vec<String> = rgnet
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names[0], "0.block 0.0.weight");
    assert_eq!(names.len(), 4 * 4 + 2);
    let y = rgnet.forward(&rand((2, 4))?)?;
    assert_eq!(y.shape(), [2, 1]);
    Ok(())
}

#[test]
fn modules_and_children() -> Result<()> {
    let rgnet = sequential![block2()?, Linear::new(4, 1)?];
    let mods: Vec<String> = rgnet.named_modules().into_iter().map(|(n, _)| n).collect();
    assert_eq!(mods[..4], ["", "0", "0.block 0", "0.block 0.0"]);
    assert_eq!(mods.len(), 1 + 1 + 4 * 5 + 1);
    assert_eq!(rgnet.modules().len(), mods.len());
    let kids: Vec<&str> = rgnet[0]
        .named_children()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(kids, ["block 0", "block 1", "block 2", "block 3"]);
    assert_eq!(rgnet.children().len(), 2);
    Ok(())
}

struct NestMLP {
    net: Sequential,
    linear: Linear,
}

impl Module for NestMLP {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.linear.forward(&self.net.forward(x)?)
    }
    fn submodules(&self) -> Vec<(&str, &dyn Module)> {
        vec![("net", &self.net), ("linear", &self.linear)]
    }
}
d2l::impl_module_display!(NestMLP);

struct Scaled {
    scale: Parameter,
    inner: Linear,
}

impl Module for Scaled {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.inner.forward(x)?.mul(&self.scale.tensor()?)
    }
    fn own_parameters(&self) -> Vec<(&str, &Parameter)> {
        vec![("scale", &self.scale)]
    }
    fn submodules(&self) -> Vec<(&str, &dyn Module)> {
        vec![("inner", &self.inner)]
    }
}

#[test]
fn custom_modules_plug_in() -> Result<()> {
    let model = NestMLP {
        net: sequential![Linear::new(20, 64)?, ReLU(), Linear::new(64, 32)?, ReLU()],
        linear: Linear::new(32, 16)?,
    };
    let names: Vec<String> = model
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "net.0.weight",
            "net.0.bias",
            "net.2.weight",
            "net.2.bias",
            "linear.weight",
            "linear.bias"
        ]
    );
    assert_eq!(
        model.to_string(),
        "NestMLP(\n  (net): Sequential(\n    (0): Linear(in_features=20, out_features=64, bias=True)\n    (1): ReLU()\n    (2): Linear(in_features=64, out_features=32, bias=True)\n    (3): ReLU()\n  )\n  (linear): Linear(in_features=32, out_features=16, bias=True)\n)"
    );
    assert_eq!(model.forward(&Tensor::ones((3, 20))?)?.shape(), [3, 16]);
    // Type tests by downcast, also inside a bigger net.
    let outer = sequential![model, ReLU()];
    assert!(outer[0].is::<NestMLP>());
    assert!(
        outer[0]
            .downcast_ref::<NestMLP>()
            .is_some_and(|m| m.linear.out_features() == 16)
    );
    let mut seen = Vec::new();
    outer.apply(|m| {
        seen.push(m.type_name());
        Ok(())
    })?;
    assert_eq!(
        seen,
        [
            "Linear",
            "ReLU",
            "Linear",
            "ReLU",
            "Sequential",
            "Linear",
            "NestMLP",
            "ReLU",
            "Sequential"
        ]
    );
    // Own parameters come before children's.
    let s = Scaled {
        scale: Parameter::new(Tensor::ones(1)?)?,
        inner: Linear::new(2, 2)?,
    };
    let names: Vec<String> = s.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["scale", "inner.weight", "inner.bias"]);
    let sd = s.state_dict();
    let s2 = Scaled {
        scale: Parameter::new(Tensor::zeros(1)?)?,
        inner: Linear::new(2, 2)?,
    };
    s2.load_state_dict(&sd, true)?;
    assert_eq!(s2.scale.data()?.item()?, 1.0);
    Ok(())
}

#[test]
fn apply_is_post_order_and_can_fail() -> Result<()> {
    let net = mlp()?;
    let mut order = Vec::new();
    net.apply(|m| {
        order.push(m.type_name());
        Ok(())
    })?;
    assert_eq!(order, ["Linear", "ReLU", "Linear", "Sequential"]);
    let err = net
        .apply(|m| {
            if m.is::<ReLU>() {
                Err(Error::msg("stop at ReLU"))
            } else {
                Ok(())
            }
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "stop at ReLU");
    // On a sub-block only.
    net[2].apply(|m| {
        if let Some(l) = m.downcast_ref::<Linear>() {
            init::constant_(&l.weight()?, 42.0)?;
        }
        Ok(())
    })?;
    assert_eq!(net[2].weight()?.data()?.to_vec()?, vec![42.0; 8]);
    assert_ne!(net[0].weight()?.data()?.to_vec()?, vec![42.0; 32]);
    Ok(())
}

#[test]
fn in_place_writes_are_seen_through_every_alias() -> Result<()> {
    let net = mlp()?;
    let w = net[0].weight()?;
    let alias = net.param("0.weight")?;
    let before = w.data()?.to_vec()?;
    w.add_(1.0)?; // data[:] += 1
    w.set_at_(&[0, 0], 42.0)?; // data[0, 0] = 42
    let after = alias.data()?.to_vec()?;
    assert_eq!(after[0], 42.0);
    for i in 1..32 {
        assert_eq!(after[i], before[i] + 1.0);
    }
    w.set_data_(&Tensor::zeros((8, 4))?)?;
    assert_eq!(net[0].weight()?.data()?.sum()?.item()?, 0.0);
    // A wrong shape is an error and changes nothing.
    let err = w.set_data_(&Tensor::ones((3, 3))?).unwrap_err();
    assert!(err.to_string().contains("[3, 3]"), "{err}");
    assert!(w.set_at_(&[0], 1.0).is_err());
    assert!(w.set_at_(&[8, 0], 1.0).is_err());
    assert_eq!(alias.data()?.sum()?.item()?, 0.0);
    // Slices carry PyTorch's grad_fn.
    assert_eq!(w.i(..2)?.grad_fn(), Some("SliceBackward0"));
    assert_eq!(w.i(0)?.grad_fn(), Some("SelectBackward0"));
    assert_eq!(w.data()?.i(0)?.grad_fn(), None);
    Ok(())
}

#[test]
fn tied_layers_share_one_parameter() -> Result<()> {
    let (_, net) = common::tied_net()?;
    net.forward(&rand((2, 4))?)?;
    assert!(net[2].weight()?.same_as(&net[4].weight()?));
    assert!(!net[0].weight()?.same_as(&net[2].weight()?));
    assert!(
        net[2]
            .weight()?
            .data()?
            .i(0)?
            .eq(&net[4].weight()?.data()?.i(0)?)?
            .to_vec()?
            .iter()
            .all(|&b| b == 1.0)
    );
    net[2].weight()?.set_at_(&[0, 0], 100.0)?;
    assert_eq!(net[4].weight()?.data()?.i((0, 0))?.item()?, 100.0);
    // Listed once, as in PyTorch.
    let names: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias"
        ]
    );
    // The state dict keeps every name.
    assert_eq!(net.state_dict().len(), 8);
    // A deep copy is independent but keeps the tie inside itself.
    let copy = net.deep_copy()?;
    assert!(!copy[2].weight()?.same_as(&net[2].weight()?));
    assert!(copy[2].weight()?.same_as(&copy[4].weight()?));
    Ok(())
}

fn scalar_linear(w: f32, b: f32) -> Result<Linear> {
    let l = Linear::new(1, 1)?;
    l.weight()?.set_data_(&Tensor::new(&[[w]])?)?;
    l.bias()?.set_data_(&Tensor::new(&[b])?)?;
    Ok(l)
}

#[test]
fn worked_example_tied_gradients_add_up() -> Result<()> {
    let x = Tensor::new(&[1f32])?;
    let y = Tensor::new(&[3f32])?;
    // Tied: the same layer twice.
    let shared = scalar_linear(2.0, 1.0)?;
    let net = sequential![shared.clone(), shared.clone()];
    let mut opt = SGD::new(net.parameters(), 0.1).unwrap();
    let loss = net.forward(&x)?.sub(&y)?;
    loss.backward()?;
    opt.step()?;
    assert!((net[0].weight()?.data()?.item()? - 1.5).abs() < 1e-6);
    assert!((net[1].bias()?.data()?.item()? - 0.7).abs() < 1e-6);
    // Untied: two layers with the same start.
    let net = sequential![scalar_linear(2.0, 1.0)?, scalar_linear(2.0, 1.0)?];
    let mut opt = SGD::new(net.parameters(), 0.1).unwrap();
    net.forward(&x)?.sub(&y)?.backward()?;
    opt.step()?;
    assert!((net[0].weight()?.data()?.item()? - 1.8).abs() < 1e-6);
    assert!((net[1].weight()?.data()?.item()? - 1.7).abs() < 1e-6);
    Ok(())
}

#[test]
fn tied_gradient_matches_finite_differences() -> Result<()> {
    let _g = lock();
    manual_seed(3);
    let shared = Linear::new(3, 3)?;
    let net = sequential![
        Linear::new(2, 3)?,
        Tanh(),
        shared.clone(),
        Tanh(),
        shared.clone(),
        Tanh(),
        Linear::new(3, 1)?
    ];
    let x = randn((4, 2))?;
    let loss_of = |net: &Sequential| -> Result<f64> { net.forward(&x)?.square()?.mean()?.item() };
    net.forward(&x)?.square()?.mean()?.backward()?;
    let w = net[2].weight()?;
    let grad = w.grad().unwrap().to_vec()?;
    // Central differences on the shared weight, in f64 via small steps on f32 values.
    let eps = 1e-2f64;
    for k in [0usize, 4, 8] {
        let (i, j) = (k / 3, k % 3);
        let orig = w.data()?.to_vec()?[k] as f64;
        w.set_at_(&[i, j], orig + eps)?;
        let up = loss_of(&net)?;
        w.set_at_(&[i, j], orig - eps)?;
        let down = loss_of(&net)?;
        w.set_at_(&[i, j], orig)?;
        let fd = (up - down) / (2.0 * eps);
        assert!(
            (fd - grad[k] as f64).abs() < 1e-3,
            "k={k}: fd {fd} vs autograd {}",
            grad[k]
        );
    }
    // And the tied gradient is the sum of the two uses: untie and compare.
    let a = shared.deep_copy()?;
    let b = shared.deep_copy()?;
    let untied = sequential![
        net[0].downcast_ref::<Linear>().unwrap().clone(),
        Tanh(),
        a.clone(),
        Tanh(),
        b.clone(),
        Tanh(),
        net[6].downcast_ref::<Linear>().unwrap().clone()
    ];
    net.zero_grad();
    untied.forward(&x)?.square()?.mean()?.backward()?;
    let sum = a
        .weight()?
        .grad()
        .unwrap()
        .add(&b.weight()?.grad().unwrap())?
        .to_vec()?;
    for (s, g) in sum.iter().zip(&grad) {
        assert!((s - g).abs() < 1e-6);
    }
    Ok(())
}

#[test]
fn gradients_accumulate_until_zero_grad() -> Result<()> {
    let l = scalar_linear(2.0, 1.0)?;
    let x = Tensor::new(&[[1f32]])?;
    l.forward(&x)?.sum()?.backward()?;
    l.forward(&x)?.sum()?.backward()?;
    assert_eq!(l.weight()?.grad().unwrap().to_vec()?, vec![2.0]);
    l.zero_grad();
    assert!(l.weight()?.grad().is_none());
    let mut opt = SGD::new(l.parameters(), 0.5).unwrap();
    l.forward(&x)?.sum()?.backward()?;
    opt.zero_grad();
    assert!(l.bias()?.grad().is_none());
    // A non-scalar loss is an error, as in PyTorch.
    let err = l.forward(&Tensor::ones((2, 1))?)?.backward().unwrap_err();
    assert_eq!(
        err.to_string(),
        "grad can be implicitly created only for scalar outputs"
    );
    Ok(())
}

#[test]
fn lazy_linear_learns_its_width() -> Result<()> {
    let net = sequential![LazyLinear::new(8), ReLU(), LazyLinear::new(1)];
    assert_eq!(
        net[0].to_string(),
        "LazyLinear(in_features=0, out_features=8, bias=True)"
    );
    let err = net[0].weight()?.shape().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Can't access the shape of an uninitialized parameter")
    );
    assert!(net[0].weight()?.numel().is_err());
    assert!(!net[0].is::<ReLU>());
    let y = net.forward(&rand((2, 4))?)?;
    assert_eq!(y.shape(), [2, 1]);
    assert_eq!(
        net[0].to_string(),
        "Linear(in_features=4, out_features=8, bias=True)"
    );
    let shapes: Vec<String> = net
        .named_parameters()
        .iter()
        .map(|(n, p)| format!("{n} {}", p.shape().unwrap()))
        .collect();
    assert_eq!(
        shapes,
        [
            "0.weight torch.Size([8, 4])",
            "0.bias torch.Size([8])",
            "2.weight torch.Size([1, 8])",
            "2.bias torch.Size([1])"
        ]
    );
    // A lazy layer used twice is initialised once.
    let shared = LazyLinear::new(8);
    let net = sequential![
        LazyLinear::new(8),
        ReLU(),
        shared.clone(),
        ReLU(),
        shared.clone()
    ];
    net.forward(&rand((2, 4))?)?;
    assert!(net[2].weight()?.same_as(&net[4].weight()?));
    Ok(())
}

#[test]
fn add_module_names_are_checked() -> Result<()> {
    // The texts of refused names: tests/error_parity.rs.
    let mut net = Sequential::new();
    assert!(net.add_module("", ReLU()).is_err());
    assert!(net.add_module("a.b", ReLU()).is_err());
    net.add_module("x", ReLU())?;
    net.add_module("x", Tanh())?;
    assert_eq!(net.len(), 1);
    assert!(net[0].is::<Tanh>());
    Ok(())
}

#[test]
fn gradients_reach_parameters_across_many_created_and_dropped() -> Result<()> {
    // Parameters made before and after thousands of short-lived ones (whose removal from the
    // process-wide table happens in sweeps) still receive their gradients, exactly once.
    let old = scalar_linear(3.0, 0.0)?;
    for _ in 0..3000 {
        drop(Parameter::new(Tensor::ones(2)?)?);
    }
    let keep: Vec<Parameter> = (0..100)
        .map(|_| Parameter::new(Tensor::ones(1)?))
        .collect::<Result<_>>()?;
    let new = scalar_linear(5.0, 0.0)?;
    let x = Tensor::new(&[[2f32]])?;
    let loss = old.forward(&new.forward(&x)?)?.sum()?; // 3 · (5 · x)
    loss.backward()?;
    assert_eq!(old.weight()?.grad().unwrap().to_vec()?, vec![10.0]); // 5 · x
    assert_eq!(new.weight()?.grad().unwrap().to_vec()?, vec![6.0]); // 3 · x
    assert!(keep.iter().all(|p| p.grad().is_none()));
    Ok(())
}

#[test]
fn in_place_writes_keep_dtype_and_touch_only_their_target() -> Result<()> {
    use candle_core::{DType, Device};
    let zeros = candle_core::Tensor::zeros((2, 3, 4), DType::F64, &Device::Cpu)?;
    let p = Parameter::new(Tensor::from(zeros))?;
    p.set_at_(&[1, 2, 3], 0.1)?;
    p.set_at_(&[0, 1, 0], -2.0)?;
    let v: Vec<f64> = p.data()?.candle().flatten_all()?.to_vec1()?;
    for (i, x) in v.iter().enumerate() {
        let want = match i {
            23 => 0.1, // 1·12 + 2·4 + 3, stored as float64 without rounding to float32
            4 => -2.0,
            _ => 0.0,
        };
        assert_eq!(*x, want, "element {i}");
    }
    p.fill_(1.0 / 3.0)?;
    let v: Vec<f64> = p.data()?.candle().flatten_all()?.to_vec1()?;
    assert!(v.iter().all(|&x| x == 1.0 / 3.0));
    let q = Parameter::new(Tensor::zeros(3)?)?;
    q.fill_(0.1)?;
    assert_eq!(q.values_f32()?, vec![0.1f32; 3]);
    let s = Parameter::new(Tensor::new(7f32)?)?;
    s.set_at_(&[], 1.5)?;
    assert_eq!(s.values_f32()?, vec![1.5]);
    Ok(())
}
