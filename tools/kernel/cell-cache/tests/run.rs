//! The wrapper as cargo runs it, with a stand-in for rustc (a shell script that counts its runs,
//! writes a library and a dependency list naming its folder, prints, and exits with
//! `FAKE_STATUS`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const FAKE_RUSTC: &str = r#"#!/bin/sh
echo run >> "$FAKE_RUNS"
out=""; src=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out-dir) out="$2"; shift ;;
    *.rs) src="$1" ;;
  esac
  shift
done
cat "$src" > "$out/libctx.so"
echo "$out/libctx.so: $PWD/$src" > "$out/ctx.d"
echo "compiled in $PWD" >&2
echo "out"
exit "${FAKE_STATUS:-0}"
"#;

struct Setup {
    base: PathBuf,
    rustc: PathBuf,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let base = std::env::temp_dir().join(format!("d2l-cell-run-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(&base).unwrap();
        let rustc = base.join("rustc");
        fs::write(&rustc, FAKE_RUSTC).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&rustc, fs::Permissions::from_mode(0o755)).unwrap();
        Setup { base, rustc }
    }

    /// A build folder with `src/lib.rs` holding `code` and a dependency file.
    fn folder(&self, name: &str, code: &str) -> PathBuf {
        let folder = self.base.join(name);
        fs::create_dir_all(folder.join("src")).unwrap();
        fs::create_dir_all(folder.join("out")).unwrap();
        fs::write(folder.join("src/lib.rs"), code).unwrap();
        folder
    }

    /// Runs the wrapper in `folder` with the caches `caches`: (exit code, stdout, stderr).
    fn compile(
        &self,
        folder: &Path,
        caches: &str,
        status: i32,
        dep: &Path,
    ) -> (i32, String, String) {
        let out = folder.join("out");
        let output = Command::new(env!("CARGO_BIN_EXE_d2l-cell-cache"))
            .arg(&self.rustc)
            .args([
                "--crate-name",
                "ctx",
                "src/lib.rs",
                "-C",
                "metadata=abc",
                "--out-dir",
            ])
            .arg(&out)
            .arg("--extern")
            .arg(format!("d2l={}", dep.display()))
            .current_dir(folder)
            .env("D2L_CELL_CACHE", caches)
            .env("FAKE_RUNS", self.base.join("runs"))
            .env("FAKE_STATUS", status.to_string())
            .output()
            .unwrap();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (
            output.status.code().unwrap(),
            text(output.stdout),
            text(output.stderr),
        )
    }

    fn runs(&self) -> usize {
        fs::read_to_string(self.base.join("runs"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}

#[test]
fn a_compile_is_replayed_in_another_folder_with_its_paths() {
    let s = Setup::new("replay");
    let dep = s.base.join("libd2l.rlib");
    fs::write(&dep, "d2l").unwrap();
    let cache = s.base.join("cache").display().to_string();
    let (a, b) = (
        s.folder("slot-0", "fn a() {}"),
        s.folder("slot-1", "fn a() {}"),
    );
    let first = s.compile(&a, &cache, 0, &dep);
    assert_eq!(
        first,
        (0, "out\n".into(), format!("compiled in {}\n", a.display()))
    );
    let second = s.compile(&b, &cache, 0, &dep);
    assert_eq!(s.runs(), 1, "the second compile is replayed");
    assert_eq!(
        second,
        (0, "out\n".into(), format!("compiled in {}\n", b.display()))
    );
    assert_eq!(
        fs::read_to_string(b.join("out/libctx.so")).unwrap(),
        "fn a() {}"
    );
    let deps = fs::read_to_string(b.join("out/ctx.d")).unwrap();
    assert_eq!(
        deps,
        format!(
            "{}/out/libctx.so: {}/src/lib.rs\n",
            b.display(),
            b.display()
        )
    );
}

#[test]
fn what_the_compile_depends_on_makes_another_key() {
    let s = Setup::new("keys");
    let dep = s.base.join("libd2l.rlib");
    fs::write(&dep, "d2l").unwrap();
    let cache = s.base.join("cache").display().to_string();
    let a = s.folder("slot-0", "fn a() {}");
    s.compile(&a, &cache, 0, &dep);
    fs::write(a.join("src/lib.rs"), "fn b() {}").unwrap();
    s.compile(&a, &cache, 0, &dep);
    assert_eq!(s.runs(), 2, "another source");
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&dep, "d2l, rebuilt").unwrap();
    s.compile(&a, &cache, 0, &dep);
    assert_eq!(s.runs(), 3, "a rebuilt dependency");
    s.compile(&a, &cache, 0, &dep);
    assert_eq!(s.runs(), 3, "the same again");
}

#[test]
fn failed_compiles_are_kept_and_crashes_are_not() {
    let s = Setup::new("failures");
    let dep = s.base.join("libd2l.rlib");
    fs::write(&dep, "d2l").unwrap();
    let cache = s.base.join("cache").display().to_string();
    let a = s.folder("slot-0", "fn a( {}");
    assert_eq!(s.compile(&a, &cache, 1, &dep).0, 1);
    assert_eq!(s.compile(&a, &cache, 0, &dep).0, 1, "the error is replayed");
    assert_eq!(s.runs(), 1);
    let b = s.folder("slot-1", "fn crash() {}");
    assert_eq!(s.compile(&b, &cache, 101, &dep).0, 101);
    assert_eq!(s.compile(&b, &cache, 0, &dep).0, 0, "a crash was not kept");
    assert_eq!(s.runs(), 3);
}

#[test]
fn a_cache_that_cannot_be_written_is_only_read() {
    let s = Setup::new("readonly");
    let dep = s.base.join("libd2l.rlib");
    fs::write(&dep, "d2l").unwrap();
    let (own, shared) = (s.base.join("own"), s.base.join("shared"));
    let a = s.folder("slot-0", "fn a() {}");
    s.compile(&a, &shared.display().to_string(), 0, &dep);
    // Not a folder at all: storing in it fails, as in a folder a student may not write.
    fs::write(&own, "").unwrap();
    let both = format!("{}:{}", own.display(), shared.display());
    s.compile(&a, &both, 0, &dep);
    assert_eq!(s.runs(), 1, "found in the second folder");
    fs::write(a.join("src/lib.rs"), "fn edited() {}").unwrap();
    assert_eq!(s.compile(&a, &both, 0, &dep).0, 0);
    let entries = fs::read_dir(&shared).unwrap().count();
    assert_eq!(
        entries, 2,
        "the new compile went into the folder that could be written"
    );
    assert_eq!(s.runs(), 2);
}

#[test]
fn without_a_cache_rustc_just_runs() {
    let s = Setup::new("off");
    let dep = s.base.join("libd2l.rlib");
    fs::write(&dep, "d2l").unwrap();
    let a = s.folder("slot-0", "fn a() {}");
    s.compile(&a, "", 0, &dep);
    s.compile(&a, "", 0, &dep);
    assert_eq!(s.runs(), 2);
}
