//! State shared by the whole process, even across evcxr cells.
//!
//! Under evcxr every cell is compiled into its own shared library that links its own copy of
//! this crate, so an ordinary `static` starts afresh in every cell. The few pieces of state that
//! must outlive a cell (the random generator, the list of live parameters) are leaked once and
//! their address is published in an environment variable; every later copy of the crate reads
//! the variable and finds the same value.

use std::sync::{Mutex, OnceLock};

static INIT_LOCK: Mutex<()> = Mutex::new(());

/// Returns the process-wide value named `name`, creating it with `init` the first time.
///
/// `slot` caches the address for this copy of the crate. The key includes the crate version
/// and the size of `T`, so that a copy built from other sources never reads a foreign value.
pub(crate) fn process_global<T: Send + Sync + 'static>(
    slot: &'static OnceLock<usize>,
    name: &str,
    init: impl FnOnce() -> T,
) -> &'static T {
    let addr = *slot.get_or_init(|| {
        let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let key = format!(
            "D2L_GLOBAL_{}_{}_{}_{}",
            name,
            env!("CARGO_PKG_VERSION").replace('.', "_"),
            std::mem::size_of::<T>(),
            std::process::id()
        );
        if let Some(addr) = std::env::var(&key)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            return addr;
        }
        let leaked: &'static T = Box::leak(Box::new(init()));
        let addr = leaked as *const T as usize;
        // SAFETY: this runs once per process and key, under INIT_LOCK, before the value is used;
        // the crate reads the environment only through `std::env`, which takes std's own lock.
        unsafe { std::env::set_var(&key, addr.to_string()) };
        addr
    });
    // SAFETY: `addr` is the address of a `T` leaked by `Box::leak` in this process (by this
    // copy of the crate or by an identical one, as the key guarantees); it is never freed.
    unsafe { &*(addr as *const T) }
}
