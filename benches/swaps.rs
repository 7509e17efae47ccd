//! What the dependency swaps (plotters' dashed series, serde_json's key order) touch that the
//! other benches do not: a line chart with a marked (dashed) series, and a state dict saved to
//! and loaded from a safetensors file (the key order kept in its metadata). `orthogonal_`, the
//! third swap, has its own bench.
//!
//! Run alone: `cargo bench --bench swaps -- --warm-up-time 1 --measurement-time 3`.

use criterion::{Criterion, criterion_group, criterion_main};
use d2l::plot::{Series, lines};
use d2l::prelude::*;
use std::hint::black_box;

fn bench_plot(c: &mut Criterion) {
    let steps = 200;
    let loss: Vec<f32> = (0..steps).map(|i| 2.0 / (1.0 + i as f32)).collect();
    let grad: Vec<f32> = (0..steps).map(|i| 1.0 + (i as f32 * 0.1).sin()).collect();
    let series = [
        Series::new("loss", &loss),
        Series::new("layer 2 (tied)", &grad).marked(),
    ];
    c.bench_function("plot/lines, 2 series of 200 steps, one marked", |b| {
        b.iter(|| black_box(lines("training", "step", "value", &series).unwrap()))
    });
}

fn bench_safetensors(c: &mut Criterion) {
    let mut net = Sequential::new();
    for _ in 0..1000 {
        net.push(sequential![Linear::new(4, 4).unwrap(), ReLU()]);
    }
    let path = std::env::temp_dir().join(format!("d2l-bench-{}.safetensors", std::process::id()));
    let mut group = c.benchmark_group("safetensors, 1000 blocks (2000 keys)");
    group.sample_size(20);
    group.bench_function("save", |b| b.iter(|| net.save_safetensors(&path).unwrap()));
    net.save_safetensors(&path).unwrap();
    group.bench_function("load", |b| {
        b.iter(|| black_box(d2l::state::load_safetensors(&path).unwrap()))
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench_plot, bench_safetensors);
criterion_main!(benches);
