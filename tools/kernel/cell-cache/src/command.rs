//! The rustc command line cargo hands the wrapper, read as far as the cache needs it.
//!
//! Cargo runs `RUSTC_WORKSPACE_WRAPPER rustc ARGS...` for the kernel's cell crate. The cache
//! needs the crate's one source file, its output folder, the files of the crates it links
//! (`--extern name=path`), and `-C metadata=...`, which is replaced by one fixed value (see
//! [`RustcCall::fix_metadata`]).
//!
//! ```
//! use d2l_cell_cache::command::RustcCall;
//! let argv = ["rustc", "--crate-name", "ctx", "src/lib.rs", "--out-dir", "/b/deps",
//!             "-C", "metadata=1a2b", "--extern", "d2l=/b/deps/libd2l-9.rlib"];
//! let mut call = RustcCall::parse(argv.iter().map(|a| a.to_string()).collect()).unwrap();
//! assert_eq!(call.input.to_str(), Some("src/lib.rs"));
//! assert_eq!(call.externs, ["/b/deps/libd2l-9.rlib"]);
//! call.fix_metadata();
//! assert!(call.args.contains(&"metadata=d2l-cells".to_string()));
//! ```

use std::path::PathBuf;

/// What every cached compile of a cell is given as `-C metadata`.
///
/// Cargo derives a crate's metadata from the path of its package, so each kernel's build folder
/// would give the cell crate its own. The metadata goes into the crate's identity (the `TypeId`
/// of a struct a cell defines, by which evcxr finds a stored variable again), so a library
/// compiled in one folder and a cell compiled in another would not agree on a type defined in
/// both. One fixed value makes every folder's compiles the same crate.
pub const FIXED_METADATA: &str = "metadata=d2l-cells";

/// rustc's options that take their value as the next argument.
const WITH_VALUE: &[&str] = &[
    "--crate-name",
    "--crate-type",
    "--out-dir",
    "--extern",
    "--cfg",
    "--check-cfg",
    "--target",
    "--cap-lints",
    "--edition",
    "--emit",
    "--error-format",
    "--json",
    "--print",
    "--sysroot",
    "--explain",
    "--remap-path-prefix",
    "--diagnostic-width",
    "--codegen",
    "-C",
    "-L",
    "-l",
    "-Z",
    "-A",
    "-W",
    "-D",
    "-F",
    "-o",
];

/// One rustc invocation: the compiler and its arguments, and what the cache reads from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustcCall {
    /// The compiler cargo would run (the first argument cargo gives the wrapper).
    pub rustc: PathBuf,
    /// Its arguments, in order.
    pub args: Vec<String>,
    /// `--crate-name`.
    pub crate_name: String,
    /// The one source file (a positional `*.rs` argument).
    pub input: PathBuf,
    /// `--out-dir`, where rustc writes what it emits.
    pub out_dir: PathBuf,
    /// The files of `--extern name=path`, in order.
    pub externs: Vec<String>,
}

impl RustcCall {
    /// Reads `argv` (`rustc ARGS...`); `None` when it is not a compile the cache can keep
    /// (no crate name, no output folder, not exactly one source file).
    ///
    /// ```
    /// use d2l_cell_cache::command::RustcCall;
    /// let version = vec!["rustc".to_string(), "-vV".to_string()];
    /// assert!(RustcCall::parse(version).is_none());
    /// ```
    pub fn parse(argv: Vec<String>) -> Option<Self> {
        let mut argv = argv.into_iter();
        let rustc = PathBuf::from(argv.next()?);
        let args: Vec<String> = argv.collect();
        let (mut crate_name, mut out_dir, mut inputs, mut externs) = (None, None, vec![], vec![]);
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_str();
            let takes_value = WITH_VALUE.contains(&arg);
            let value = if takes_value {
                args.get(i + 1).map(String::as_str)
            } else {
                None
            };
            match (arg, value) {
                ("--crate-name", Some(v)) => crate_name = Some(v.to_string()),
                ("--out-dir", Some(v)) => out_dir = Some(PathBuf::from(v)),
                ("--extern", Some(v)) => {
                    if let Some((_, path)) = v.split_once('=') {
                        externs.push(path.to_string());
                    }
                }
                _ if !takes_value && !arg.starts_with('-') && arg.ends_with(".rs") => {
                    inputs.push(PathBuf::from(arg))
                }
                _ => {}
            }
            i += if takes_value { 2 } else { 1 };
        }
        let [input] = <[PathBuf; 1]>::try_from(inputs).ok()?;
        Some(RustcCall {
            rustc,
            args,
            crate_name: crate_name?,
            input,
            out_dir: out_dir?,
            externs,
        })
    }

    /// Replaces the value of `-C metadata=...` (or `-Cmetadata=...`) with [`FIXED_METADATA`].
    ///
    /// ```
    /// use d2l_cell_cache::command::RustcCall;
    /// let argv = ["rustc", "--crate-name", "ctx", "--out-dir", "o", "-Cmetadata=77", "a.rs"];
    /// let mut call = RustcCall::parse(argv.iter().map(|a| a.to_string()).collect()).unwrap();
    /// call.fix_metadata();
    /// assert_eq!(call.args[4], "-Cmetadata=d2l-cells");
    /// ```
    pub fn fix_metadata(&mut self) {
        for i in 0..self.args.len() {
            if self.args[i].starts_with("metadata=") && i > 0 && self.args[i - 1] == "-C" {
                self.args[i] = FIXED_METADATA.to_string();
            } else if self.args[i].starts_with("-Cmetadata=") {
                self.args[i] = format!("-C{FIXED_METADATA}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(args: &[&str]) -> Option<RustcCall> {
        RustcCall::parse(args.iter().map(|a| a.to_string()).collect())
    }

    #[test]
    fn values_are_not_taken_for_the_source_file() {
        let c = call(&[
            "rustc",
            "--crate-name",
            "x.rs",
            "--out-dir",
            "o",
            "-C",
            "a.rs",
            "b.rs",
        ]);
        assert_eq!(c.unwrap().input, PathBuf::from("b.rs"));
    }

    #[test]
    fn two_source_files_or_none_are_not_kept() {
        assert!(
            call(&[
                "rustc",
                "--crate-name",
                "c",
                "--out-dir",
                "o",
                "a.rs",
                "b.rs"
            ])
            .is_none()
        );
        assert!(call(&["rustc", "--crate-name", "c", "--out-dir", "o"]).is_none());
        assert!(call(&["rustc", "--crate-name", "c", "a.rs"]).is_none());
    }

    #[test]
    fn metadata_elsewhere_is_left_alone() {
        let mut c = call(&[
            "rustc",
            "--crate-name",
            "c",
            "--out-dir",
            "o",
            "a.rs",
            "--cfg",
            "metadata=\"x\"",
        ])
        .unwrap();
        c.fix_metadata();
        assert_eq!(c.args.last().unwrap(), "metadata=\"x\"");
    }
}
