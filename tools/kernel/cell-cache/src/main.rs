//! `d2l-cell-cache RUSTC ARGS...`: cargo's `RUSTC_WORKSPACE_WRAPPER` for the kernel's cells (see
//! the library's documentation).

fn main() {
    std::process::exit(d2l_cell_cache::run(std::env::args_os().skip(1).collect()));
}
