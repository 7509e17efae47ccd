//! The cache's folders and their entries: finding one, replaying it, storing a new one.
//!
//! An entry is a folder `<cache>/<key>` holding what rustc did: `status` (its exit code),
//! `stdout` and `stderr` (cargo reads rustc's JSON diagnostics from them),
//! and `files/`, the files rustc wrote into its output folder (the cell's library and its
//! dependency list). Texts are stored with the build folder written as
//! [`FOLDER`](crate::key::FOLDER) and replayed with the folder of the compile that hits them.
//! Entries are written whole into a temporary folder and renamed into place, so a reader never
//! sees half of one, and two kernels storing the same entry at once keep one of them.
//!
//! ```
//! use d2l_cell_cache::store::{Outcome, find, store};
//! let files = ["libctx.so".to_string()];
//! let base = std::env::temp_dir().join(format!("d2l-store-doc-{}", std::process::id()));
//! let (cache, out) = (base.join("cache"), base.join("out"));
//! std::fs::create_dir_all(&out).unwrap();
//! std::fs::write(out.join("libctx.so"), b"\x7fELF").unwrap();
//! let done = Outcome { status: 0, stdout: vec![], stderr: vec![] };
//! assert!(store(&[cache.clone()], "k1", &done, (&out, &files), &base));
//! assert!(find(&[cache.clone()], "k1").is_some());
//! assert!(find(&[cache], "k2").is_none());
//! std::fs::remove_dir_all(&base).unwrap();
//! ```

use crate::key::{from_folder_terms, in_folder_terms};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a compile gave back: its exit code and its two outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// rustc's exit code (0: compiled, 1: errors in the code).
    pub status: i32,
    /// What it wrote to stdout.
    pub stdout: Vec<u8>,
    /// What it wrote to stderr: with cargo, JSON diagnostics.
    pub stderr: Vec<u8>,
}

/// The entry for `key` in the first of `caches` that has it.
pub fn find(caches: &[PathBuf], key: &str) -> Option<PathBuf> {
    caches
        .iter()
        .map(|c| c.join(key))
        .find(|e| e.join("status").is_file())
}

/// The files of crate `crate_name` in `out_dir` written since `since` (what a compile of it
/// wrote there: `lib<crate>.so`, `<crate>.d`, ...).
///
/// ```
/// use d2l_cell_cache::store::written_since;
/// let out = std::env::temp_dir().join(format!("d2l-written-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&out).unwrap();
/// let since = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
/// for name in ["libctx.so", "ctx.d", "libother.so"] {
///     std::fs::write(out.join(name), b"").unwrap();
/// }
/// let mut names = written_since(&out, "ctx", since).unwrap();
/// names.sort();
/// assert_eq!(names, ["ctx.d", "libctx.so"]);
/// std::fs::remove_dir_all(&out).unwrap();
/// ```
pub fn written_since(
    out_dir: &Path,
    crate_name: &str,
    since: SystemTime,
) -> io::Result<Vec<String>> {
    let mut names = vec![];
    for file in fs::read_dir(out_dir)? {
        let file = file?;
        let Ok(name) = file.file_name().into_string() else {
            continue;
        };
        let stem = name.strip_prefix("lib").unwrap_or(&name);
        let ours = stem
            .strip_prefix(crate_name)
            .is_some_and(|r| r.starts_with(['.', '-']));
        let meta = file.metadata()?;
        if ours && meta.is_file() && meta.modified()? >= since {
            names.push(name);
        }
    }
    Ok(names)
}

/// Whether a stored file is text whose paths are rewritten (the dependency lists, `*.d`).
fn is_text(name: &str) -> bool {
    name.ends_with(".d")
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename.
fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("d2l-tmp-{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| drop(fs::remove_file(&tmp)))
}

/// Replays `entry` for a compile in `folder` writing into `out_dir`: its files copied there, its
/// outputs returned with the folder's paths.
pub fn replay(entry: &Path, out_dir: &Path, folder: &Path) -> io::Result<Outcome> {
    let folder = folder
        .to_str()
        .ok_or_else(|| io::Error::other("a non-UTF-8 folder"))?;
    let text = |name: &str| -> io::Result<Vec<u8>> {
        Ok(from_folder_terms(&fs::read_to_string(entry.join(name))?, folder).into_bytes())
    };
    let status = fs::read_to_string(entry.join("status"))?
        .trim()
        .parse()
        .map_err(io::Error::other)?;
    let (stdout, stderr) = (text("stdout")?, text("stderr")?);
    for file in fs::read_dir(entry.join("files"))? {
        let file = file?;
        let name = file.file_name();
        let bytes = if is_text(&name.to_string_lossy()) {
            from_folder_terms(&fs::read_to_string(file.path())?, folder).into_bytes()
        } else {
            fs::read(file.path())?
        };
        write_whole(&out_dir.join(&name), &bytes)?;
    }
    // Marks the entry as used (for `evict`); a read-only cache stays as it is.
    if let Ok(f) = fs::File::options().write(true).open(entry.join("status")) {
        let _ = f.set_modified(SystemTime::now());
    }
    Ok(Outcome {
        status,
        stdout,
        stderr,
    })
}

/// Stores what compiling in `folder` gave (its outcome, and the files `names` it wrote into
/// `out_dir`) under `key`, in the first of `caches` that can be written; false when none could
/// (read-only caches).
pub fn store(
    caches: &[PathBuf],
    key: &str,
    done: &Outcome,
    (out_dir, names): (&Path, &[String]),
    folder: &Path,
) -> bool {
    let Some(folder) = folder.to_str() else {
        return false;
    };
    caches
        .iter()
        .any(|cache| write_entry(cache, key, done, names, out_dir, folder).is_ok())
}

fn write_entry(
    cache: &Path,
    key: &str,
    done: &Outcome,
    names: &[String],
    out_dir: &Path,
    folder: &str,
) -> io::Result<()> {
    let entry = cache.join(key);
    if entry.exists() {
        return Ok(());
    }
    fs::create_dir_all(cache)?;
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(io::Error::other)?;
    let tmp = cache.join(format!(".tmp-{}-{}", std::process::id(), nanos.as_nanos()));
    let result = (|| {
        fs::create_dir_all(tmp.join("files"))?;
        let text = |bytes: &[u8]| in_folder_terms(&String::from_utf8_lossy(bytes), folder);
        fs::write(tmp.join("stdout"), text(&done.stdout))?;
        fs::write(tmp.join("stderr"), text(&done.stderr))?;
        for name in names {
            let (from, to) = (out_dir.join(name), tmp.join("files").join(name));
            if is_text(name) {
                fs::write(to, in_folder_terms(&fs::read_to_string(from)?, folder))?;
            } else {
                fs::copy(from, to)?;
            }
        }
        // `status` last: an entry is whole once it has one.
        fs::write(tmp.join("status"), done.status.to_string())?;
        fs::rename(&tmp, &entry)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        // Another kernel stored the same entry first: it is there all the same.
        if entry.join("status").is_file() {
            return Ok(());
        }
    }
    result
}

/// Removes the least recently used entries of `cache` until it holds at most `max_bytes`.
///
/// ```
/// use d2l_cell_cache::store::evict;
/// let cache = std::env::temp_dir().join(format!("d2l-evict-doc-{}", std::process::id()));
/// for key in ["a", "b"] {
///     std::fs::create_dir_all(cache.join(key).join("files")).unwrap();
///     std::fs::write(cache.join(key).join("status"), "0").unwrap();
///     std::fs::write(cache.join(key).join("files/lib"), vec![0u8; 1000]).unwrap();
///     std::thread::sleep(std::time::Duration::from_millis(20));
/// }
/// evict(&cache, 1500).unwrap();
/// assert!(!cache.join("a").exists() && cache.join("b").exists());
/// std::fs::remove_dir_all(&cache).unwrap();
/// ```
pub fn evict(cache: &Path, max_bytes: u64) -> io::Result<()> {
    let mut entries = vec![];
    let mut total = 0;
    for entry in fs::read_dir(cache)? {
        let path = entry?.path();
        let Ok(used) = fs::metadata(path.join("status")).and_then(|m| m.modified()) else {
            continue;
        };
        let size = folder_size(&path);
        total += size;
        entries.push((used, size, path));
    }
    entries.sort();
    for (_, size, path) in entries {
        if total <= max_bytes {
            break;
        }
        if fs::remove_dir_all(&path).is_ok() {
            total -= size;
        }
    }
    Ok(())
}

fn folder_size(path: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
