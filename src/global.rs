//! State shared by the whole process, even across evcxr cells: the one place it lives.
//!
//! Under evcxr every cell is compiled into its own shared library that links its own copy of
//! this crate, so an ordinary `static` starts afresh in every cell. Three pieces of state must
//! outlive a cell, and all go through [`process_global`]:
//!
//! - `RNG` (`rng/global.rs`): the generator `manual_seed` seeds, so that a seed set in one cell
//!   governs the draws of the next;
//! - `PARAM_TABLE` (`autograd.rs`): which tensor belongs to which live parameter, so that a
//!   loss computed in one cell reaches parameters created in another;
//! - `TENSOR_IDS` (`ids.rs`): the highest tensor id any copy of candle has handed out, so that
//!   tensors from different cells never share an id in one backward pass.
//!
//! Each value is leaked once and its address published in an environment variable, with a
//! fingerprint of the build that made it: the crate version, a digest of its sources and of the
//! compiler's version (`build.rs`) and the value's type, size and alignment. A copy of the crate from the same
//! build finds the address and uses the value. A copy from another build (a kernel that loaded
//! an edited or another version of d2l) must not reinterpret memory laid out by different code:
//! it stops with a message that says to restart the kernel, rather than silently keeping two
//! generators.

use std::sync::{Mutex, OnceLock};

static INIT_LOCK: Mutex<()> = Mutex::new(());

/// What identifies the code that made a value of type `T`.
fn fingerprint<T>() -> String {
    format!(
        "{}+{}+{}+{}/{}",
        env!("CARGO_PKG_VERSION"),
        env!("D2L_SOURCE_DIGEST"),
        std::any::type_name::<T>(),
        std::mem::size_of::<T>(),
        std::mem::align_of::<T>()
    )
}

/// Returns the process-wide value named `name`, creating it with `init` the first time.
///
/// `slot` caches the address for this copy of the crate.
///
/// # Panics
///
/// If another build of d2l created the value in this process (see the module docs): the
/// kernel must be restarted.
pub(crate) fn process_global<T: Send + Sync + 'static>(
    slot: &'static OnceLock<usize>,
    name: &str,
    init: impl FnOnce() -> T,
) -> &'static T {
    let addr = *slot.get_or_init(|| {
        let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let key = format!("D2L_GLOBAL_{}_{}", name, std::process::id());
        let ours = fingerprint::<T>();
        if let Ok(published) = std::env::var(&key) {
            let (addr, theirs) = published.split_once(' ').unwrap_or((&published, ""));
            match addr.parse::<usize>() {
                Ok(addr) if theirs == ours => return addr,
                _ => panic!(
                    "this process already holds d2l's {name} from another build of d2l \
                     ({theirs}; this one is {ours}): two builds cannot share it. Restart the \
                     kernel, then load one version of d2l."
                ),
            }
        }
        let leaked: &'static T = Box::leak(Box::new(init()));
        let addr = leaked as *const T as usize;
        // SAFETY: this runs once per process and name, under INIT_LOCK, before the value is
        // used; the crate reads the environment only through `std::env`, which takes std's own
        // lock, and no other thread of a notebook kernel writes it.
        unsafe { std::env::set_var(&key, format!("{addr} {ours}")) };
        addr
    });
    // SAFETY: `addr` is the address of a `T` leaked by `Box::leak` in this process, by this copy
    // of the crate or by one built from the same sources with the same `T` (the fingerprint
    // guarantees it); it is never freed.
    unsafe { &*(addr as *const T) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_build_finds_its_value_again() {
        static A: OnceLock<usize> = OnceLock::new();
        static B: OnceLock<usize> = OnceLock::new();
        let a: &'static u64 = process_global(&A, "TEST_SAME", || 7);
        // A second copy of the crate has its own slot but finds the published value.
        let b: &'static u64 = process_global(&B, "TEST_SAME", || 8);
        assert!(std::ptr::eq(a, b));
        assert_eq!(*b, 7);
    }

    #[test]
    fn another_build_is_refused_with_a_clear_message() {
        let key = format!("D2L_GLOBAL_TEST_OTHER_{}", std::process::id());
        // SAFETY: a name no other test uses, written before anything reads it.
        unsafe { std::env::set_var(&key, "12345 0.0.1+0000+u64+8/8") };
        static C: OnceLock<usize> = OnceLock::new();
        let err = std::panic::catch_unwind(|| {
            process_global::<u64>(&C, "TEST_OTHER", || 1);
        })
        .unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(
            msg.contains("another build of d2l") && msg.contains("Restart the kernel"),
            "{msg}"
        );
    }

    #[test]
    fn the_same_name_with_another_layout_is_refused() {
        // A build whose value under this name has another type (a field added to the
        // registry, say) publishes another fingerprint, even with the same sources digest.
        static D: OnceLock<usize> = OnceLock::new();
        static E: OnceLock<usize> = OnceLock::new();
        let _: &'static u64 = process_global(&D, "TEST_LAYOUT", || 3);
        let err = std::panic::catch_unwind(|| {
            process_global::<(u64, u64)>(&E, "TEST_LAYOUT", || (1, 2));
        })
        .unwrap_err();
        let msg = err.downcast_ref::<String>().unwrap();
        assert!(
            msg.contains("TEST_LAYOUT") && msg.contains("(u64, u64)"),
            "{msg}"
        );
    }

    #[test]
    fn the_fingerprint_names_version_sources_and_layout() {
        let f = fingerprint::<u32>();
        assert!(f.starts_with(env!("CARGO_PKG_VERSION")), "{f}");
        assert!(f.contains(env!("D2L_SOURCE_DIGEST")), "{f}");
        assert!(f.ends_with("+u32+4/4"), "{f}");
    }
}
