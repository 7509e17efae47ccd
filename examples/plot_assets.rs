//! Writes the example figures in `docs/assets/`:
//!
//! - `hist_normal.svg`: 1000 values drawn like `nn.init.normal_(w, mean=0, std=0.01)`, with
//!   the normal density drawn over the histogram;
//! - `training_curves.svg`: the loss and the gradient norms while training the chapter's
//!   network with a shared layer, `Linear(4, 8), ReLU, shared, ReLU, shared, ReLU, Linear(8, 1)`
//!   where `shared = Linear(8, 8)` is used twice. The network is written out by hand in plain
//!   Rust below, so that the figure depends on nothing but the random generator.
//!
//! Run with `cargo run --example plot_assets`; the output is the same on every run.

use d2l::plot::{Density, Hist, Lines, Series};
use d2l::rng::Generator;
use std::path::Path;

fn main() -> d2l::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("assets");
    std::fs::create_dir_all(&dir)?;

    let w = Generator::new(0).normal_f32(1000, 0.0, 0.01);
    Hist::new(&w, "nn.init.normal_(w, mean=0, std=0.01), 1000 values")
        .density(Density::normal(0.0, 0.01))
        .plot()?
        .save_svg(dir.join("hist_normal.svg"))?;

    let curves = train_shared_mlp(100);
    let mut chart = Lines::new("Training a network with a shared layer")
        .x_label("step")
        .y_label("loss / gradient norm")
        .log_y();
    for (name, values, tied) in curves {
        let s = Series::new(name, &values);
        chart = chart.series(if tied { s.marked() } else { s });
    }
    chart.plot()?.save_svg(dir.join("training_curves.svg"))?;
    println!("wrote {}", dir.display());
    Ok(())
}

/// A linear layer `y = W x + b` with its gradients.
struct Linear {
    w: Vec<f32>,
    b: Vec<f32>,
    gw: Vec<f32>,
    gb: Vec<f32>,
    inputs: usize,
}

impl Linear {
    /// PyTorch's default initialisation range: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    fn new(inputs: usize, outputs: usize, g: &mut Generator) -> Self {
        let k = 1.0 / (inputs as f64).sqrt();
        Linear {
            w: g.uniform_f32(inputs * outputs, -k, k),
            b: g.uniform_f32(outputs, -k, k),
            gw: vec![0.0; inputs * outputs],
            gb: vec![0.0; outputs],
            inputs,
        }
    }

    fn forward(&self, x: &[f32]) -> Vec<f32> {
        let rows = self.w.chunks(self.inputs);
        rows.zip(&self.b)
            .map(|(row, b)| b + row.iter().zip(x).map(|(w, x)| w * x).sum::<f32>())
            .collect()
    }

    /// Adds this sample's gradients (for input `x` and output gradient `dy`) and returns the
    /// gradient with respect to `x`.
    fn backward(&mut self, x: &[f32], dy: &[f32]) -> Vec<f32> {
        let mut dx = vec![0.0; self.inputs];
        for (o, &d) in dy.iter().enumerate() {
            self.gb[o] += d;
            for i in 0..self.inputs {
                self.gw[o * self.inputs + i] += d * x[i];
                dx[i] += d * self.w[o * self.inputs + i];
            }
        }
        dx
    }

    fn grad_norm(&self) -> f32 {
        self.gw
            .iter()
            .chain(&self.gb)
            .map(|g| g * g)
            .sum::<f32>()
            .sqrt()
    }

    fn step(&mut self, lr: f32) {
        for (p, g) in self
            .w
            .iter_mut()
            .zip(&mut self.gw)
            .chain(self.b.iter_mut().zip(&mut self.gb))
        {
            *p -= lr * *g;
            *g = 0.0;
        }
    }
}

fn relu(v: Vec<f32>) -> Vec<f32> {
    v.into_iter().map(|x| x.max(0.0)).collect()
}

/// Zeroes the gradient where the ReLU output `y` was zero.
fn relu_back(y: &[f32], dy: Vec<f32>) -> Vec<f32> {
    y.iter()
        .zip(dy)
        .map(|(&y, d)| if y > 0.0 { d } else { 0.0 })
        .collect()
}

/// Full-batch gradient descent on y = sum(x) / 2 for 64 samples; returns the curves to plot as
/// (name, one value per step, tied).
fn train_shared_mlp(steps: usize) -> Vec<(&'static str, Vec<f32>, bool)> {
    let mut g = Generator::new(1);
    let (mut first, mut shared, mut last) = (
        Linear::new(4, 8, &mut g),
        Linear::new(8, 8, &mut g),
        Linear::new(8, 1, &mut g),
    );
    let n = 64;
    let xs = g.normal_f32(n * 4, 0.0, 1.0);
    let ys: Vec<f32> = xs.chunks(4).map(|x| x.iter().sum::<f32>() / 2.0).collect();
    let mut curves = vec![
        ("loss (MSE)", vec![], false),
        ("grad norm net[0]", vec![], false),
        ("grad norm net[2] = net[4] (tied)", vec![], true),
        ("grad norm net[6]", vec![], false),
    ];
    for _ in 0..steps {
        let mut loss = 0.0;
        for (x, &y) in xs.chunks(4).zip(&ys) {
            let h1 = relu(first.forward(x));
            let h2 = relu(shared.forward(&h1));
            let h3 = relu(shared.forward(&h2));
            let out = last.forward(&h3)[0];
            loss += (out - y) * (out - y) / n as f32;
            // Backward: the shared layer collects the gradients of both of its uses.
            let d3 = relu_back(&h3, last.backward(&h3, &[2.0 * (out - y) / n as f32]));
            let d2 = relu_back(&h2, shared.backward(&h2, &d3));
            let d1 = relu_back(&h1, shared.backward(&h1, &d2));
            first.backward(x, &d1);
        }
        let values = [
            loss,
            first.grad_norm(),
            shared.grad_norm(),
            last.grad_norm(),
        ];
        for (curve, v) in curves.iter_mut().zip(values) {
            curve.1.push(v);
        }
        for layer in [&mut first, &mut shared, &mut last] {
            layer.step(0.05);
        }
    }
    curves
}
