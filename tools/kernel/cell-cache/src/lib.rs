//! A compile cache for the cells of the `rust` kernel.
//!
//! evcxr compiles every cell into a small library (the crate `ctx`, about 2 MB) and loads it;
//! rustc and the linker are most of what a cell costs. The same cell, with the same earlier cells
//! before it and the same crates, compiles to the same library, so the kernel keeps what it
//! compiled: cargo runs this program as its `RUSTC_WORKSPACE_WRAPPER` (for the cell crate only,
//! never for the dependencies), which looks the compile up by its [key](key::cache_key) and
//! either replays the stored result (the files rustc wrote, what it printed, its exit code) or
//! runs rustc and stores what it did. Failed compiles are kept too: evcxr learns a cell's types
//! from the errors of a first attempt.
//!
//! `D2L_CELL_CACHE` lists the cache folders (separated by `:`): an entry is looked up in each, in
//! order, and a new one is stored in the first that can be written. `make setup` fills one with
//! the notebooks' cells; on a JupyterHub it is shared and read-only, and a student's edited cells
//! compile as before. `D2L_CELL_CACHE_MAX_MB` bounds the first folder (least recently used
//! entries go first). `D2L_CELL_CACHE_LOG` names a file to which each compile appends a line,
//! `hit KEY` or `miss KEY`. Without `D2L_CELL_CACHE` the wrapper only runs rustc.
//!
//! ```
//! // What cargo does for each cell (tools/kernel/evcxr-kernel sets the variables):
//! // D2L_CELL_CACHE=.cache/evcxr/cells RUSTC_WORKSPACE_WRAPPER=d2l-cell-cache cargo build
//! let code = d2l_cell_cache::run(vec!["rustc".into(), "--version".into()]);
//! assert_eq!(code, 0);
//! ```

pub mod command;
pub mod key;
pub mod store;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The cache folders named by `D2L_CELL_CACHE`.
fn cache_folders() -> Vec<PathBuf> {
    std::env::var_os("D2L_CELL_CACHE")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `rustc` with `args` as cargo asked, answering from the cache when it can; returns the
/// exit code to leave with.
pub fn run(argv: Vec<std::ffi::OsString>) -> i32 {
    let Some(rustc) = argv.first().cloned() else {
        eprintln!("usage: d2l-cell-cache RUSTC ARGS...");
        return 2;
    };
    let caches = cache_folders();
    let text: Option<Vec<String>> = argv.iter().map(|a| a.to_str().map(String::from)).collect();
    let call = text.and_then(command::RustcCall::parse);
    let (Some(mut call), false) = (call, caches.is_empty()) else {
        return passthrough(Command::new(rustc).args(&argv[1..]));
    };
    call.fix_metadata();
    let Ok(folder) = std::env::current_dir() else {
        return passthrough(Command::new(&call.rustc).args(&call.args));
    };
    let Ok(key) = key::cache_key(&call, &folder) else {
        return passthrough(Command::new(&call.rustc).args(&call.args));
    };
    if let Some(entry) = store::find(&caches, &key)
        && let Ok(done) = store::replay(&entry, &call.out_dir, &folder)
    {
        log("hit", &key);
        return emit(&done);
    }
    log("miss", &key);
    // A little before now: file times come from a coarser clock than `now`.
    let since = std::time::SystemTime::now() - std::time::Duration::from_millis(50);
    let Ok(output) = Command::new(&call.rustc)
        .args(&call.args)
        .stdin(Stdio::null())
        .output()
    else {
        return passthrough(Command::new(&call.rustc).args(&call.args));
    };
    let done = store::Outcome {
        status: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: output.stderr,
    };
    // 0: compiled; 1: errors in the cell. Anything else (a crash, a signal) is not kept.
    let written = store::written_since(&call.out_dir, &call.crate_name, since);
    if let (true, Ok(names)) = (matches!(done.status, 0 | 1), written)
        && store::store(&caches, &key, &done, (&call.out_dir, &names), &folder)
    {
        let max_mb = std::env::var("D2L_CELL_CACHE_MAX_MB")
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        if let (Some(max_mb), Some(first)) = (max_mb, caches.first()) {
            let _ = store::evict(first, max_mb << 20);
        }
    }
    emit(&done)
}

/// Appends `what key` to the file `D2L_CELL_CACHE_LOG` names, if it does.
fn log(what: &str, key: &str) {
    if let Some(path) = std::env::var_os("D2L_CELL_CACHE_LOG") {
        let file = std::fs::File::options()
            .create(true)
            .append(true)
            .open(path);
        if let Ok(mut file) = file {
            let _ = writeln!(file, "{what} {key}");
        }
    }
}

/// Writes a compile's outputs as rustc would have, and gives its exit code.
fn emit(done: &store::Outcome) -> i32 {
    let _ = std::io::stdout().write_all(&done.stdout);
    let _ = std::io::stderr().write_all(&done.stderr);
    done.status
}

/// Runs the command with this process's input and outputs; its exit code.
fn passthrough(command: &mut Command) -> i32 {
    match command.status() {
        Ok(status) => status.code().unwrap_or(-1),
        Err(error) => {
            eprintln!("d2l-cell-cache: cannot run rustc: {error}");
            1
        }
    }
}
