//! Replays the module trees recorded from the real PyTorch in `tests/fixtures/modules.json`
//! (written by `tools/parity/module_fixtures.py`): trees in which one object is reached more
//! than once (a block added twice, one `ReLU` between every layer, blocks whose only parameters
//! are tied, a block at two depths, ...). Each further use of a variable is a clone here, as it
//! is the same object there. Compared exactly: the names and types `named_modules`,
//! `named_children`, `modules` and `children` report, `named_parameters` and the `state_dict`
//! keys, the printed tree, which places of the tree are one module (`same_as`) in the tree and
//! in its `deep_copy`, the order `apply` visits modules in, and for seeds 0, 42 and 2³¹−1 every
//! value after construction and after an `apply` that draws once per visit.

use d2l::nn::init;
use d2l::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

mod common;
use common::Fixture;

/// The generator is global and cargo runs tests in parallel.
static LOCK: Mutex<()> = Mutex::new(());

#[derive(Clone)]
enum Obj {
    Linear(Linear),
    ReLU(ReLU),
    Tanh(Tanh),
    Sigmoid(Sigmoid),
    Identity(Identity),
    Seq(Sequential),
}

impl Obj {
    fn push_into(&self, seq: &mut Sequential) {
        match self.clone() {
            Obj::Linear(m) => seq.push(m),
            Obj::ReLU(m) => seq.push(m),
            Obj::Tanh(m) => seq.push(m),
            Obj::Sigmoid(m) => seq.push(m),
            Obj::Identity(m) => seq.push(m),
            Obj::Seq(m) => seq.push(m),
        }
    }

    fn add_into(&self, seq: &mut Sequential, name: &str) -> d2l::Result<()> {
        match self.clone() {
            Obj::Linear(m) => seq.add_module(name, m),
            Obj::ReLU(m) => seq.add_module(name, m),
            Obj::Tanh(m) => seq.add_module(name, m),
            Obj::Sigmoid(m) => seq.add_module(name, m),
            Obj::Identity(m) => seq.add_module(name, m),
            Obj::Seq(m) => seq.add_module(name, m),
        }
    }
}

/// Makes the definitions in order (a `Linear` draws its default init as it is made) and returns
/// the last one, the network.
fn build(defs: &Value) -> Sequential {
    let mut env: HashMap<String, Obj> = HashMap::new();
    let mut last = None;
    for def in defs.arr() {
        let (var, spec) = (def.arr()[0].str(), def.arr()[1].arr());
        let obj = match spec[0].str() {
            "Linear" => Obj::Linear(
                Linear::with_bias(spec[1].usize(), spec[2].usize(), spec[3].bool()).unwrap(),
            ),
            "ReLU" => Obj::ReLU(ReLU()),
            "Tanh" => Obj::Tanh(Tanh()),
            "Sigmoid" => Obj::Sigmoid(Sigmoid()),
            "Identity" => Obj::Identity(Identity()),
            "Sequential" => {
                let mut seq = Sequential::new();
                for v in spec[1].arr() {
                    env[v.str()].push_into(&mut seq);
                }
                Obj::Seq(seq)
            }
            "Named" => {
                let mut seq = Sequential::new();
                for pair in spec[1].arr() {
                    let (name, v) = (pair.arr()[0].str(), pair.arr()[1].str());
                    env[v].add_into(&mut seq, name).unwrap();
                }
                Obj::Seq(seq)
            }
            other => panic!("unknown definition {other}"),
        };
        env.insert(var.to_string(), obj.clone());
        last = Some(obj);
    }
    match last {
        Some(Obj::Seq(net)) => net,
        _ => panic!("the last definition must be a Sequential"),
    }
}

/// Every place of the tree (PyTorch's `named_modules(remove_duplicate=False)`), with, for each,
/// the index of the first place holding the same module.
fn places(net: &dyn Module) -> (Vec<String>, Vec<usize>) {
    fn walk<'a>(m: &'a dyn Module, prefix: String, out: &mut Vec<(String, &'a dyn Module)>) {
        out.push((prefix.clone(), m));
        for (name, child) in m.submodules() {
            let full = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            walk(child, full, out);
        }
    }
    let mut all = Vec::new();
    walk(net, String::new(), &mut all);
    let same = (0..all.len())
        .map(|i| (0..=i).find(|&j| all[j].1.same_as(all[i].1)).unwrap())
        .collect();
    (all.into_iter().map(|(n, _)| n).collect(), same)
}

fn strings(v: &Value) -> Vec<String> {
    v.arr().iter().map(|s| s.str().to_string()).collect()
}

fn check_values(net: &Sequential, expected: &Value, what: &str) {
    let sd = net.state_dict();
    // (serde_json's map is sorted by key; the order is compared through `state_dict_keys`.)
    let mut keys: Vec<&str> = sd.keys().collect();
    keys.sort();
    let want = expected.as_object().expect("values by key");
    assert_eq!(
        keys,
        want.keys().map(String::as_str).collect::<Vec<_>>(),
        "{what}: keys"
    );
    for (k, vals) in want {
        let got: Vec<f64> = sd[k.as_str()]
            .to_vec()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect();
        assert_eq!(got, vals.f64s(), "{what}: {k}");
    }
}

fn replay(case: &Value) {
    let title = case.field("title").str();
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(0);
    let net = build(case.field("defs"));

    let named: Vec<Vec<String>> = net
        .named_modules()
        .into_iter()
        .map(|(n, m)| vec![n, m.type_name()])
        .collect();
    let want: Vec<Vec<String>> = case
        .field("named_modules")
        .arr()
        .iter()
        .map(strings)
        .collect();
    assert_eq!(named, want, "{title}: named_modules");
    let children: Vec<&str> = net.named_children().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        children,
        strings(case.field("named_children")),
        "{title}: named_children"
    );
    assert_eq!(
        net.modules().len(),
        case.field("modules").usize(),
        "{title}: modules"
    );
    assert_eq!(
        net.children().len(),
        case.field("children").usize(),
        "{title}: children"
    );
    let params: Vec<String> = net.named_parameters().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        params,
        strings(case.field("named_parameters")),
        "{title}: named_parameters"
    );
    let sd_keys: Vec<String> = net.state_dict().keys().map(str::to_string).collect();
    assert_eq!(
        sd_keys,
        strings(case.field("state_dict_keys")),
        "{title}: state_dict keys"
    );
    assert_eq!(
        net.to_string(),
        case.field("repr").str(),
        "{title}: print(net)"
    );

    let (names, same) = places(&net);
    assert_eq!(names, strings(case.field("places")), "{title}: places");
    assert_eq!(
        same,
        case.field("same").usizes(),
        "{title}: same_as in the tree"
    );
    let copy = net.deep_copy().unwrap();
    let (copy_names, copy_same) = places(&copy);
    assert_eq!(copy_names, names, "{title}: places of the deep copy");
    assert_eq!(
        copy_same,
        case.field("deep_copy_same").usizes(),
        "{title}: same_as in the copy"
    );
    for ((_, a), (_, b)) in copy.named_modules().iter().zip(net.named_modules().iter()) {
        assert!(
            !a.same_as(*b),
            "{title}: the deep copy shares a module with the original"
        );
    }

    let mut order = Vec::new();
    net.apply(|m| {
        order.push(m.type_name());
        Ok(())
    })
    .unwrap();
    assert_eq!(
        order,
        strings(case.field("apply_order")),
        "{title}: apply order"
    );

    for run in case.field("seeds").arr() {
        let seed = run.field("seed").u64();
        manual_seed(seed);
        let net = build(case.field("defs"));
        check_values(
            &net,
            run.field("initial"),
            &format!("{title}, seed {seed}, made"),
        );
        let mut visits = 0.0;
        net.apply(|m| {
            if m.is::<Linear>() {
                visits += 1.0;
                init::uniform_(&m.weight()?, -0.5, 0.5)?;
                if let Ok(b) = m.bias() {
                    init::constant_(&b, visits)?;
                }
            }
            Ok(())
        })
        .unwrap();
        check_values(
            &net,
            run.field("after_apply"),
            &format!("{title}, seed {seed}, apply"),
        );
    }
}

#[test]
fn module_trees_with_shared_objects_walk_print_copy_and_draw_as_in_pytorch() {
    let doc = common::load("modules.json");
    let cases = doc.field("cases").arr();
    assert!(cases.len() >= 10, "the fixture holds {} cases", cases.len());
    for case in cases {
        replay(case);
    }
}
