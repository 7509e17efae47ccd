//! Memory of tied against untied parameters (exercise 4), measured two ways:
//! - through the crate's API: the distinct storages behind `parameters()` (two parameters that
//!   share a storage count once), their sizes summed;
//! - through the process: the growth of the resident set (VmRSS) while 1000 such nets are
//!   allocated and kept alive, divided by 1000.
//!
//! Prints one JSON object per line; `make bench` (tools/bench) collects them.
//! Run alone: `cargo bench --bench memory`.

use d2l::prelude::*;
use std::collections::HashSet;

/// Exercise 3's MLP: Linear(3, 4), ReLU(), Linear(4, 4) used twice (or two of them), ReLU(),
/// Linear(4, 3).
fn small_mlp(tied: bool) -> Result<Sequential> {
    let hidden = Linear::new(4, 4)?;
    let second = if tied {
        hidden.clone()
    } else {
        Linear::new(4, 4)?
    };
    Ok(sequential![
        Linear::new(3, 4)?,
        ReLU(),
        hidden,
        ReLU(),
        second,
        ReLU(),
        Linear::new(4, 3)?
    ])
}

/// Exercise 4's deep MLP of the notebook: 784→256, eight 256→256 layers (one layer used eight
/// times, or eight layers), 256→10.
fn deep_mlp(tied: bool) -> Result<Sequential> {
    let layer = Linear::new(256, 256)?;
    let mut net = sequential![Linear::new(784, 256)?, ReLU()];
    for _ in 0..8 {
        let hidden = if tied {
            layer.clone()
        } else {
            Linear::new(256, 256)?
        };
        net = net.append(hidden).append(ReLU());
    }
    Ok(net.append(Linear::new(256, 10)?))
}

/// Bytes of the distinct storages behind the net's parameters.
fn storage_bytes(net: &Sequential) -> Result<usize> {
    let mut seen = HashSet::new();
    let mut bytes = 0;
    for p in net.parameters() {
        let data = p.data()?;
        let (storage, _) = data.candle().storage_and_layout();
        let key = &*storage as *const candle_core::Storage as usize;
        if seen.insert(key) {
            let n = match &*storage {
                candle_core::Storage::Cpu(s) => s.as_slice::<f32>().map(|v| v.len() * 4)?,
                _ => 0,
            };
            bytes += n;
        }
    }
    Ok(bytes)
}

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// One case, in a process of its own (so that memory freed by an earlier case, which the
/// allocator keeps, cannot hide this one's growth).
fn measure(
    name: &str,
    make: fn(bool) -> Result<Sequential>,
    tied: bool,
    copies: usize,
) -> Result<()> {
    let one = make(tied)?;
    let api_bytes = storage_bytes(&one)?;
    let numel: usize = one
        .parameters()
        .iter()
        .map(|p| p.numel())
        .sum::<Result<usize>>()?;
    let sd = one.state_dict();
    let state_dict_numel: usize = sd.iter().map(|(_, t)| t.numel()).sum();
    let before = rss_bytes();
    let nets: Vec<Sequential> = (0..copies).map(|_| make(tied)).collect::<Result<_>>()?;
    let after = rss_bytes();
    let delta = after.saturating_sub(before);
    println!(
        "{{\"net\": \"{name}\", \"tied\": {tied}, \"parameters_numel\": {numel}, \
         \"unique_storage_bytes\": {api_bytes}, \"state_dict_entries\": {}, \
         \"state_dict_numel\": {state_dict_numel}, \"copies\": {copies}, \
         \"rss_delta_bytes\": {delta}, \"rss_bytes_per_net\": {:.0}}}",
        sd.len(),
        delta as f64 / copies as f64
    );
    drop(nets);
    Ok(())
}

const CASE_ENV: &str = "D2L_BENCH_MEMORY_CASE";

fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; a name filter (as for the criterion benches) skips this.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filter.is_empty() && !filter.iter().any(|f| "memory".contains(f.as_str())) {
        return Ok(());
    }
    if let Ok(case) = std::env::var(CASE_ENV) {
        let tied = case.ends_with(":tied");
        return if case.starts_with("small") {
            measure("exercise 3 MLP (3-4-4-4-3)", small_mlp, tied, 1000)
        } else {
            measure("exercise 4 deep MLP (784-256x9-10)", deep_mlp, tied, 100)
        };
    }
    let exe = std::env::current_exe()?;
    for case in ["small:untied", "small:tied", "deep:untied", "deep:tied"] {
        let status = std::process::Command::new(&exe)
            .env(CASE_ENV, case)
            .status()?;
        if !status.success() {
            return Err(Error::msg(format!("memory case {case} failed: {status}")));
        }
    }
    Ok(())
}
