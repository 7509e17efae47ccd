//! `init::orthogonal_` is a QR factorisation: O(n³) for an n×n matrix, seconds per call, too
//! slow for criterion's sampling. This times a few calls per size with a wall clock, growing
//! the size while one call stays under a budget, and prints one JSON object per size.
//! For a size over the budget it prints the time predicted from the largest measured size
//! (n³ scaling), marked `"measured": false`.
//!
//! Run alone: `cargo bench --bench orthogonal` (`D2L_BENCH_ORTHO_BUDGET_S` sets the budget of
//! one call in seconds; default 30).

use d2l::prelude::*;
use std::time::Instant;

fn main() -> Result<()> {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filter.is_empty() && !filter.iter().any(|f| "orthogonal".contains(f.as_str())) {
        return Ok(());
    }
    let budget: f64 = std::env::var("D2L_BENCH_ORTHO_BUDGET_S")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30.0);
    let mut last: Option<(usize, f64)> = None;
    for n in [256usize, 512, 1024, 2048, 4096] {
        if let Some((m, secs)) = last {
            let predicted = secs * (n as f64 / m as f64).powi(3);
            if predicted > budget {
                println!(
                    "{{\"n\": {n}, \"measured\": false, \"predicted_s\": {predicted:.2}, \
                     \"from_n\": {m}}}"
                );
                continue;
            }
        }
        let p = Parameter::new(Tensor::zeros((n, n))?)?;
        let reps = if n <= 512 { 5 } else { 3 };
        let mut times = Vec::new();
        for _ in 0..reps {
            let start = Instant::now();
            init::orthogonal_(&p, 1.0)?;
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{{\"n\": {n}, \"measured\": true, \"times_s\": {times:?}, \
             \"elements_per_s_median\": {:.0}}}",
            (n * n) as f64 / median
        );
        last = Some((n, median));
    }
    Ok(())
}
