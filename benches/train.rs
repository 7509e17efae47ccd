//! One training step (forward, MSE loss, `zero_grad`, `backward`, SGD step) of
//! - exercise 3's MLP with a shared layer: Linear(3, 4), ReLU(), shared Linear(4, 4) twice with
//!   ReLU(), Linear(4, 3); batch 1;
//! - a classroom MLP 784-256-256-10 with ReLU(); batch 256;
//!
//! with d2l and with the same model written in raw candle (candle-nn's `Linear`, `mse` and
//! `SGD`). `make bench` runs it with `RAYON_NUM_THREADS=1` and `=2` (candle's matmul threads)
//! and compares with PyTorch. The tied step is also timed while a large net (20000 other
//! parameters) is alive, since `backward()` visits every live parameter of the process.
//!
//! Run alone: `cargo bench --bench train -- --warm-up-time 1 --measurement-time 2`.

use candle_core::{DType, Device};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use criterion::{Criterion, criterion_group, criterion_main};
use d2l::prelude::*;
use std::hint::black_box;

fn threads() -> String {
    std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "default".to_string())
}

fn tied_mlp() -> Sequential {
    let shared = Linear::new(4, 4).unwrap();
    sequential![
        Linear::new(3, 4).unwrap(),
        ReLU(),
        shared.clone(),
        ReLU(),
        shared,
        ReLU(),
        Linear::new(4, 3).unwrap()
    ]
}

fn classroom_mlp() -> Sequential {
    sequential![
        Linear::new(784, 256).unwrap(),
        ReLU(),
        Linear::new(256, 256).unwrap(),
        ReLU(),
        Linear::new(256, 10).unwrap()
    ]
}

fn d2l_step(net: &Sequential, opt: &mut SGD, x: &Tensor, y: &Tensor) {
    let loss = F::mse_loss(&net.forward(x).unwrap(), y).unwrap();
    opt.zero_grad();
    loss.backward().unwrap();
    opt.step().unwrap();
    black_box(loss);
}

/// The same models in raw candle: candle-nn layers, loss and optimizer.
struct CandleMlp {
    layers: Vec<candle_nn::Linear>,
    /// Index into `layers` for each Linear of the forward pass (ReLU() between them).
    order: Vec<usize>,
    opt: candle_nn::SGD,
}

impl CandleMlp {
    fn new(widths: &[(usize, usize)], order: Vec<usize>) -> Self {
        let map = VarMap::new();
        let vb = VarBuilder::from_varmap(&map, DType::F32, &Device::Cpu);
        let layers = widths
            .iter()
            .enumerate()
            .map(|(i, &(i_n, o_n))| candle_nn::linear(i_n, o_n, vb.pp(i.to_string())).unwrap())
            .collect();
        let opt = candle_nn::SGD::new(map.all_vars(), 0.01).unwrap();
        CandleMlp { layers, order, opt }
    }

    fn step(&mut self, x: &candle_core::Tensor, y: &candle_core::Tensor) {
        use candle_core::Module as _;
        let mut h = x.clone();
        for (k, &i) in self.order.iter().enumerate() {
            h = self.layers[i].forward(&h).unwrap();
            if k + 1 < self.order.len() {
                h = h.relu().unwrap();
            }
        }
        let loss = candle_nn::loss::mse(&h, y).unwrap();
        self.opt.backward_step(&loss).unwrap();
        black_box(loss);
    }
}

fn bench_train(c: &mut Criterion) {
    let t = threads();
    let mut group = c.benchmark_group(format!("train/threads={t}"));
    group.sample_size(30);

    manual_seed(0);
    let (x, y) = (randn((1, 3)).unwrap(), randn((1, 3)).unwrap());
    let net = tied_mlp();
    let mut opt = SGD::new(net.parameters(), 0.01).unwrap();
    group.bench_function("tied MLP, batch 1: d2l", |b| {
        b.iter(|| d2l_step(&net, &mut opt, &x, &y))
    });
    let mut cnet = CandleMlp::new(&[(3, 4), (4, 4), (4, 3)], vec![0, 1, 1, 2]);
    group.bench_function("tied MLP, batch 1: raw candle", |b| {
        b.iter(|| cnet.step(x.candle(), y.candle()))
    });

    let (xb, yb) = (randn((256, 784)).unwrap(), randn((256, 10)).unwrap());
    let big = classroom_mlp();
    let mut big_opt = SGD::new(big.parameters(), 0.01).unwrap();
    group.bench_function("MLP 784-256-256-10, batch 256: d2l", |b| {
        b.iter(|| d2l_step(&big, &mut big_opt, &xb, &yb))
    });
    let mut cbig = CandleMlp::new(&[(784, 256), (256, 256), (256, 10)], vec![0, 1, 2]);
    group.bench_function("MLP 784-256-256-10, batch 256: raw candle", |b| {
        b.iter(|| cbig.step(xb.candle(), yb.candle()))
    });

    // `backward()` looks up every live parameter of the process in candle's gradient store.
    let mut crowd = Sequential::new();
    for _ in 0..10000 {
        crowd.push(Linear::new(4, 4).unwrap());
    }
    group.bench_function(
        "tied MLP, batch 1: d2l, with 20000 other live parameters",
        |b| b.iter(|| d2l_step(&net, &mut opt, &x, &y)),
    );
    drop(crowd);
    group.finish();
}

criterion_group!(benches, bench_train);
criterion_main!(benches);
