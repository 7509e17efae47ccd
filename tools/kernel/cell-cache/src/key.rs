//! The key of a compile: everything its result depends on, hashed.
//!
//! key = SHA-256 of, in order: the cache's format version; the compiler's path, size and
//! modification time; every argument, with the build folder written as [`FOLDER`]; the source
//! file's text; and each linked crate's file path (as written), size and modification time.
//!
//! Kernels build in folders of their own (`.cache/evcxr/slot-N`), filled from one template with
//! the compiled dependencies shared as hard links, so a crate's file has the same size and time
//! in every folder, and a compile done in one folder has the key of the same compile in another.
//! A rebuilt dependency (a change to d2l's sources, another toolchain) gets a new modification
//! time and so new keys.
//!
//! ```
//! use d2l_cell_cache::key::in_folder_terms;
//! assert_eq!(in_folder_terms("/c/slot-1/target/deps", "/c/slot-1"), "@@D2L_CELL_FOLDER@@/target/deps");
//! assert_eq!(in_folder_terms("/c/slot-10/x", "/c/slot-1"), "/c/slot-10/x");
//! ```

use crate::command::RustcCall;
use sha2::{Digest, Sha256};
use std::fs;
use std::io;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// How the build folder (the compile's working directory) is written in keys and in the cache's
/// stored texts, so that an entry made in one folder can be replayed in another.
pub const FOLDER: &str = "@@D2L_CELL_FOLDER@@";

/// The version of what the cache stores; a change makes every older entry a miss.
const FORMAT: &str = "d2l-cell-cache 1";

/// `text` with the build folder `folder` (and every path under it) written as [`FOLDER`].
pub fn in_folder_terms(text: &str, folder: &str) -> String {
    replace_folder(text, folder, FOLDER)
}

/// The reverse of [`in_folder_terms`]: [`FOLDER`] written as the build folder `folder`.
///
/// ```
/// use d2l_cell_cache::key::{in_folder_terms, from_folder_terms};
/// let t = in_folder_terms("/a/slot-2/src/lib.rs: /a/slot-2", "/a/slot-2");
/// assert_eq!(from_folder_terms(&t, "/b/slot-0"), "/b/slot-0/src/lib.rs: /b/slot-0");
/// ```
pub fn from_folder_terms(text: &str, folder: &str) -> String {
    text.replace(FOLDER, folder)
}

/// Replaces `from` where it is a whole path or the start of one (followed by `/`, a quote, a
/// space, or the end), not where it is the start of a longer name.
fn replace_folder(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let after = &rest[at + from.len()..];
        let whole = after.is_empty() || after.starts_with(['/', '"', ' ', '\n', ':', '\'', '\\']);
        out.push_str(&rest[..at]);
        out.push_str(if whole { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A file's size and modification time (nanoseconds since the epoch) as key text.
fn stamp(path: &Path) -> io::Result<String> {
    let meta = fs::metadata(path)?;
    let time = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_err(io::Error::other)?;
    Ok(format!("{} {}", meta.len(), time.as_nanos()))
}

/// The key of compiling `call` in the build folder `folder` (its working directory), as 64 hex
/// digits; an error when a file it depends on cannot be read (then the compile is not cached).
///
/// ```
/// use d2l_cell_cache::{command::RustcCall, key::cache_key};
/// let dir = std::env::temp_dir().join(format!("d2l-key-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("lib.rs"), "fn main() {}").unwrap();
/// let rustc = std::env::current_exe().unwrap();
/// let argv = vec![rustc.display().to_string(), "--crate-name".into(), "ctx".into(),
///                 "lib.rs".into(), "--out-dir".into(), dir.join("o").display().to_string()];
/// let call = RustcCall::parse(argv).unwrap();
/// let key = cache_key(&call, &dir).unwrap();
/// assert_eq!(key.len(), 64);
/// assert_eq!(key, cache_key(&call, &dir).unwrap());
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn cache_key(call: &RustcCall, folder: &Path) -> io::Result<String> {
    let folder_text = folder
        .to_str()
        .ok_or_else(|| io::Error::other("a non-UTF-8 folder"))?;
    let mut hash = Sha256::new();
    let mut part = |label: &str, text: &[u8]| {
        hash.update(label.as_bytes());
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text);
    };
    part("format", FORMAT.as_bytes());
    part("rustc", call.rustc.to_string_lossy().as_bytes());
    part("rustc-stamp", stamp(&call.rustc)?.as_bytes());
    for arg in &call.args {
        part("arg", in_folder_terms(arg, folder_text).as_bytes());
    }
    part("source", &fs::read(folder.join(&call.input))?);
    for path in &call.externs {
        part("extern", in_folder_terms(path, folder_text).as_bytes());
        part("extern-stamp", stamp(&folder.join(path))?.as_bytes());
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_replaced_only_as_a_whole_path() {
        let f = "/x/slot-1";
        assert_eq!(
            in_folder_terms("-L dependency=/x/slot-1/t", f),
            format!("-L dependency={FOLDER}/t")
        );
        assert_eq!(in_folder_terms("\"/x/slot-1\"", f), format!("\"{FOLDER}\""));
        assert_eq!(in_folder_terms("/x/slot-12", f), "/x/slot-12");
        assert_eq!(in_folder_terms("/x/slot-1", f), FOLDER);
    }
}
