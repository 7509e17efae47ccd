//! Walking the module tree: `named_parameters`, `parameters`, `state_dict`, `apply` and
//! `named_modules` on `Sequential` of N blocks `Sequential(Linear(4, 4), ReLU())`, for N = 100,
//! 1000 and 10000 (the goal: linear in N, under 1 ms for 1000 blocks). Building the net is timed
//! too, since every new parameter is registered for `backward()`.
//!
//! Run alone: `cargo bench --bench tree -- --warm-up-time 1 --measurement-time 2`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use d2l::prelude::*;
use std::hint::black_box;

fn nested(blocks: usize) -> Sequential {
    let mut net = Sequential::new();
    for _ in 0..blocks {
        net.push(sequential![Linear::new(4, 4).unwrap(), ReLU()]);
    }
    net
}

fn bench_tree(c: &mut Criterion) {
    // Building a net registers each new parameter in the process-wide list that `backward()`
    // scans (timed first, while no other net is alive).
    let mut group = c.benchmark_group("tree/build");
    group.sample_size(10);
    for n in [100usize, 1000, 10000] {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| black_box(nested(n)))
        });
    }
    group.finish();

    let sizes = [100usize, 1000, 10000];
    let nets: Vec<Sequential> = sizes.iter().map(|&n| nested(n)).collect();

    let mut group = c.benchmark_group("tree");
    group.sample_size(20);
    for (&n, net) in sizes.iter().zip(&nets) {
        group.bench_with_input(BenchmarkId::new("named_parameters", n), net, |b, net| {
            b.iter(|| black_box(net.named_parameters()))
        });
        group.bench_with_input(BenchmarkId::new("parameters", n), net, |b, net| {
            b.iter(|| black_box(net.parameters()))
        });
        group.bench_with_input(BenchmarkId::new("state_dict", n), net, |b, net| {
            b.iter(|| black_box(net.state_dict()))
        });
        group.bench_with_input(BenchmarkId::new("apply", n), net, |b, net| {
            b.iter(|| {
                let mut linears = 0usize;
                net.apply(|m| {
                    if m.is::<Linear>() {
                        linears += 1;
                    }
                    Ok(())
                })
                .unwrap();
                black_box(linears)
            })
        });
        group.bench_with_input(BenchmarkId::new("named_modules", n), net, |b, net| {
            b.iter(|| black_box(net.named_modules().len()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_tree);
criterion_main!(benches);
