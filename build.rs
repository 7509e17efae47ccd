//! Gives the crate a fingerprint of the sources it was built from and of the compiler that
//! built them (`D2L_SOURCE_DIGEST`), which `src/global.rs` uses to tell two different builds
//! of d2l loaded in one process apart: the same sources built by another rustc may lay out
//! std's types (a `Mutex`, a `HashMap`) differently.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    // No `rerun-if-env-changed=RUSTC`: cargo already reruns this script for another compiler
    // (its fingerprint holds rustc's version), while RUSTC's value is only where that compiler
    // was found (rustup's folder for root, the class's shared copy for a student), which must
    // not rebuild d2l in every student's kernel.
    println!("cargo:rerun-if-changed=src");
    let mut paths = Vec::new();
    files(Path::new("src"), &mut paths);
    paths.sort();
    let mut h = DefaultHasher::new();
    for p in &paths {
        p.to_string_lossy().hash(&mut h);
        std::fs::read(p).unwrap_or_default().hash(&mut h);
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    version.hash(&mut h);
    println!("cargo:rustc-env=D2L_SOURCE_DIGEST={:016x}", h.finish());
}
