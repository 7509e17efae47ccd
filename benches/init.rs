//! Throughput of `d2l::nn::init` on 1024×1024 and 4096×4096 float32 parameters, next to the
//! limits that bound it: a plain fill of a buffer of the same size (memory bandwidth), candle's
//! own random fills, and the two halves of an init (drawing the numbers, writing them into the
//! parameter). `make bench` compares the results with PyTorch's `nn.init` (tools/bench).
//!
//! Run alone: `cargo bench --bench init -- --warm-up-time 1 --measurement-time 2`.

use candle_core::{CpuStorage, Device, InplaceOp1, Layout, Var};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use d2l::prelude::*;
use std::hint::black_box;

/// Fills a float32 storage in place from MT19937 exactly as `uniform_` draws (24-bit mantissa,
/// fused multiply-add), without the intermediate `Vec` and the copy into the parameter: what an
/// init written as a candle in-place op would cost.
struct InplaceUniform {
    seed: u32,
    from: f32,
    to: f32,
}

impl InplaceOp1 for InplaceUniform {
    fn name(&self) -> &'static str {
        "inplace-uniform"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("inplace-uniform: float32 only");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("inplace-uniform: contiguous only");
        };
        let mut mt = rand_mt::Mt::new(self.seed);
        let range = self.to - self.from;
        for x in &mut data[start..end] {
            let bits = mt.next_u32() & ((1 << 24) - 1);
            let v = (bits as f32 * (1.0 / (1u32 << 24) as f32)).mul_add(range, self.from);
            *x = if v == self.to { self.from } else { v };
        }
        Ok(())
    }
}

fn bench_size(c: &mut Criterion, n: usize) {
    let numel = n * n;
    let mut group = c.benchmark_group(format!("init/{n}x{n}"));
    group.throughput(Throughput::Elements(numel as u64));
    group.sample_size(if n >= 4096 { 10 } else { 30 });

    // The floor: writing the same number of float32s into an existing buffer.
    let mut buf = vec![0f32; numel];
    group.bench_function("plain fill of the buffer", |b| {
        b.iter(|| {
            buf.fill(black_box(0.5));
            black_box(&buf);
        })
    });

    let p = Parameter::new(Tensor::zeros((n, n)).unwrap()).unwrap();
    group.bench_function("constant_", |b| {
        b.iter(|| init::constant_(&p, 0.5).unwrap())
    });
    group.bench_function("uniform_", |b| {
        b.iter(|| init::uniform_(&p, -0.1, 0.1).unwrap())
    });
    group.bench_function("normal_", |b| {
        b.iter(|| init::normal_(&p, 0.0, 0.01).unwrap())
    });
    group.bench_function("xavier_uniform_", |b| {
        b.iter(|| init::xavier_uniform_(&p).unwrap())
    });
    group.bench_function("kaiming_uniform_", |b| {
        b.iter(|| init::kaiming_uniform_(&p).unwrap())
    });

    // Where the time of `uniform_` goes: drawing the numbers into a new Vec, then copying a
    // ready tensor into the parameter (`set_data_`, what every init ends with).
    group.bench_function(
        "part: draw uniform into a Vec (Generator::uniform_f32)",
        |b| b.iter(|| black_box(d2l::rng::with_global(|g| g.uniform_f32(numel, -0.1, 0.1)))),
    );
    group.bench_function(
        "part: draw normal into a Vec (Generator::normal_f32)",
        |b| b.iter(|| black_box(d2l::rng::with_global(|g| g.normal_f32(numel, 0.0, 0.01)))),
    );
    let ready = Tensor::full(0.25, (n, n)).unwrap();
    group.bench_function("part: Parameter::set_data_ of a ready tensor", |b| {
        b.iter(|| p.set_data_(&ready).unwrap())
    });

    // Raw candle on the same buffer size.
    let var = Var::zeros((n, n), candle_core::DType::F32, &Device::Cpu).unwrap();
    group.bench_function("candle: Tensor::rand (new tensor, candle's rng)", |b| {
        b.iter(|| black_box(candle_core::Tensor::rand(-0.1f32, 0.1, (n, n), &Device::Cpu).unwrap()))
    });
    group.bench_function("candle: Tensor::randn (new tensor, candle's rng)", |b| {
        b.iter(|| black_box(candle_core::Tensor::randn(0f32, 0.01, (n, n), &Device::Cpu).unwrap()))
    });
    let src = candle_core::Tensor::full(0.25f32, (n, n), &Device::Cpu).unwrap();
    group.bench_function("candle: Var::set (copy into the variable)", |b| {
        b.iter(|| var.set(&src).unwrap())
    });
    let mut seed = 0u32;
    group.bench_function(
        "candle: in-place MT19937 uniform (InplaceOp1, no Vec, no copy)",
        |b| {
            b.iter(|| {
                seed = seed.wrapping_add(1);
                var.as_tensor()
                    .inplace_op1(&InplaceUniform {
                        seed,
                        from: -0.1,
                        to: 0.1,
                    })
                    .unwrap()
            })
        },
    );

    group.bench_function("candle: Tensor::const_set (in place)", |b| {
        b.iter(|| var.as_tensor().const_set(0.5f32.into()).unwrap())
    });
    group.finish();

    // Writing one element (`net[2].weight()?.set_at_(&[0, 0], 100.0)` in the chapter) on the
    // same parameter: the crate rewrites the whole tensor; candle can write the element in
    // place through a one-element view.
    let mut group = c.benchmark_group(format!("set_one_element/{n}x{n}"));
    group.sample_size(if n >= 4096 { 10 } else { 30 });
    group.bench_function("Parameter::set_at_", |b| {
        b.iter(|| p.set_at_(&[0, 0], 42.0).unwrap())
    });
    group.bench_function("candle: const_set on a narrowed view", |b| {
        b.iter(|| {
            var.as_tensor()
                .narrow(0, 0, 1)
                .and_then(|t| t.narrow(1, 0, 1))
                .and_then(|t| t.const_set(42f32.into()))
                .unwrap()
        })
    });
    // orthogonal_ is timed by benches/orthogonal.rs: one call takes seconds.
    group.finish();
}

fn bench_init(c: &mut Criterion) {
    for n in [1024, 4096] {
        bench_size(c, n);
    }
}

criterion_group!(benches, bench_init);
criterion_main!(benches);
