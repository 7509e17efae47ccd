//! Replays `tests/fixtures/files.json` (written by `tools/parity/file_fixtures.py` with the
//! safetensors library and PyTorch): loading a missing file or bytes that are not a safetensors
//! file gives the library's own error text, and saving a lazy layer's state dict before its first
//! forward is PyTorch's error (whose text names a memory address, which is left out here).

use d2l::prelude::*;
use serde_json::Value;

mod common;
use common::Fixture;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn without_address(s: &str) -> String {
    s.replace(" at 0x...", "")
}

#[test]
fn loading_a_bad_file_answers_as_safetensors_does() {
    let doc = common::load("files.json");
    let dir = std::env::temp_dir().join(format!("d2l-file-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = doc.field("load").arr();
    assert!(cases.len() >= 8);
    for (i, case) in cases.iter().enumerate() {
        let title = case.field("title").str();
        let path = dir.join(format!("case{i}.safetensors"));
        match case.field("bytes") {
            Value::Null => {}
            hex => std::fs::write(&path, unhex(hex.str())).unwrap(),
        }
        assert!(
            !case.field("accepted").bool(),
            "{title}: accepted by safetensors"
        );
        // The recorded answer, with the path this run used.
        let mut want = case.clone();
        want["message"] = case
            .field("message")
            .str()
            .replace("{path}", &path.display().to_string())
            .into();
        let got = d2l::state::load_safetensors(&path);
        assert!(common::same_outcome(title, &got, &want).is_none());
        // A module loading the same file is left as it was.
        let net = sequential![Linear::new(2, 2).unwrap()];
        let before = net.state_dict().to_string();
        assert!(net.load_safetensors(&path).is_err());
        assert_eq!(
            net.state_dict().to_string(),
            before,
            "{title}: state changed"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn saving_a_lazy_layer_before_its_forward_is_refused() {
    let doc = common::load("files.json");
    let want = doc.field("save_uninitialized");
    let path = std::env::temp_dir().join(format!("d2l-lazy-{}.safetensors", std::process::id()));
    assert!(!want.field("accepted").bool());
    let mut want = want.clone();
    want["message"] = without_address(want.field("message").str()).into();
    let got = LazyLinear::new(3).save_safetensors(&path);
    assert!(common::same_outcome("save", &got, &want).is_none());
    assert!(!path.exists(), "nothing is written");
}
