//! `#[derive(Module)]` gives the same module as the hand-written impl: the same names in
//! `named_parameters`, `state_dict` and `named_modules`, the same printed tree, the same
//! `apply` order, and the field attributes (`skip`, `name`, `id`) do what they say.

use d2l::nn::ModuleId;
use d2l::prelude::*;

#[derive(Module)]
struct NestMLP {
    net: Sequential,
    linear: Linear,
}

impl NestMLP {
    fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
        self.linear.forward(&self.net.forward(x)?)
    }
}

struct HandNestMLP {
    net: Sequential,
    linear: Linear,
}

impl Module for HandNestMLP {
    fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
        self.linear.forward(&self.net.forward(x)?)
    }
    fn submodules(&self) -> Vec<(&str, &dyn Module)> {
        vec![("net", &self.net), ("linear", &self.linear)]
    }
    fn type_name(&self) -> String {
        "NestMLP".into()
    }
}

fn parts() -> (Sequential, Linear) {
    (
        sequential![
            Linear::new(20, 64).unwrap(),
            ReLU(),
            Linear::new(64, 32).unwrap(),
            ReLU()
        ],
        Linear::new(32, 16).unwrap(),
    )
}

fn names(m: &dyn Module) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        m.named_parameters().into_iter().map(|(n, _)| n).collect(),
        m.state_dict().keys().map(String::from).collect(),
        m.named_modules().into_iter().map(|(n, _)| n).collect(),
    )
}

#[test]
fn derived_and_hand_written_modules_agree() -> d2l::Result<()> {
    let (net, linear) = parts();
    let derived = NestMLP {
        net: net.clone(),
        linear: linear.clone(),
    };
    let hand = HandNestMLP { net, linear };
    assert_eq!(names(&derived), names(&hand));
    assert_eq!(derived.to_string(), hand.repr());
    let x = rand((2, 20))?;
    assert!(derived.forward(&x)?.equal(&hand.forward(&x)?));
    let mut order = (Vec::new(), Vec::new());
    derived.apply(|m| {
        order.0.push(m.type_name());
        Ok(())
    })?;
    hand.apply(|m| {
        order.1.push(m.type_name());
        Ok(())
    })?;
    assert_eq!(order.0, order.1);
    // Through `dyn Module` (as inside a Sequential) the derived impl runs the struct's forward.
    let boxed: &dyn Module = &derived;
    assert_eq!(boxed.forward(&x)?.shape(), [2, 16]);
    Ok(())
}

#[derive(Module, Clone)]
#[module(name = "Tied")]
struct Tied {
    #[module(id)]
    id: ModuleId,
    #[module(name = "0")]
    first: Linear,
    scale: Parameter,
    extra: Option<Linear>,
    missing: Option<Parameter>,
    #[module(skip)]
    width: usize,
}

impl Tied {
    fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
        self.first.forward(x)?.mul(&self.scale.tensor()?)
    }
}

#[test]
fn field_attributes_name_skip_and_identify() -> d2l::Result<()> {
    let t = Tied {
        id: ModuleId::new(),
        first: Linear::new(2, 2)?,
        scale: Parameter::new(Tensor::ones(1)?)?,
        extra: Some(Linear::new(2, 1)?),
        missing: None,
        width: 2,
    };
    assert_eq!(t.width, 2);
    let (params, keys, modules) = names(&t);
    assert_eq!(
        params,
        ["scale", "0.weight", "0.bias", "extra.weight", "extra.bias"]
    );
    assert_eq!(keys, params);
    assert_eq!(modules, ["", "0", "extra"]);
    assert!(t.to_string().starts_with("Tied(\n  (0): Linear"));
    // A clone is the same module (it carries the id), in a Sequential too.
    let net = sequential![t.clone(), t.clone()];
    assert!(net[0].same_as(&net[1]));
    assert_eq!(net.named_modules().len(), 4);
    assert_eq!(t.forward(&Tensor::ones((1, 2))?)?.shape(), [1, 2]);
    Ok(())
}

#[derive(Module)]
struct Pair(Linear, Linear);

impl Pair {
    fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
        self.1.forward(&self.0.forward(x)?)
    }
}

#[derive(Module)]
struct Wrap<M: Module> {
    inner: M,
}

impl<M: Module> Wrap<M> {
    fn forward(&self, x: &Tensor) -> d2l::Result<Tensor> {
        self.inner.forward(x)
    }
}

#[test]
fn tuple_and_generic_structs() -> d2l::Result<()> {
    let p = Pair(Linear::new(3, 2)?, Linear::new(2, 1)?);
    assert_eq!(names(&p).0, ["0.weight", "0.bias", "1.weight", "1.bias"]);
    assert_eq!(p.forward(&Tensor::ones((1, 3))?)?.shape(), [1, 1]);
    let w = Wrap {
        inner: Linear::new(3, 2)?,
    };
    assert_eq!(names(&w).0, ["inner.weight", "inner.bias"]);
    assert_eq!(w.type_name(), "Wrap");
    Ok(())
}
