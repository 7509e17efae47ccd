//! state_dict, load_state_dict (errors, atomicity) and safetensors files.

mod common;

use d2l::prelude::*;

fn mlp() -> Result<Sequential> {
    Ok(sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 1)?])
}

fn values(net: &dyn Module) -> Vec<Vec<f32>> {
    net.parameters()
        .iter()
        .map(|p| p.data().unwrap().to_vec().unwrap())
        .collect()
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("d2l-test-{}-{name}", std::process::id()))
}

#[test]
fn load_copies_values_and_keeps_identity() -> Result<()> {
    let a = mlp()?;
    let b = mlp()?;
    let w_before = b[0].weight()?;
    let keys = b.load_state_dict(&a.state_dict(), true)?;
    assert_eq!(keys, Default::default());
    assert_eq!(values(&b), values(&a));
    // Loading writes in place: the parameter objects are the same.
    assert!(w_before.same_as(&b[0].weight()?));
    Ok(())
}

#[test]
fn strict_errors_are_worded_like_pytorch() -> Result<()> {
    let net = mlp()?;
    let before = values(&net);
    let mut sd = net.state_dict();
    sd.remove("0.bias");
    sd.insert("0.weight", Tensor::zeros((3, 3))?);
    sd.insert("extra", Tensor::zeros(1)?);
    let err = net.load_state_dict(&sd, true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Error(s) in loading state_dict for Sequential:\n\
         \tMissing key(s) in state_dict: \"0.bias\". \n\
         \tUnexpected key(s) in state_dict: \"extra\". \n\
         \tsize mismatch for 0.weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the shape in current model is torch.Size([8, 4])."
    );
    // Atomic: nothing changed, not even the entries that would have loaded.
    assert_eq!(values(&net), before);
    Ok(())
}

#[test]
fn non_strict_reports_keys_but_size_mismatch_still_fails() -> Result<()> {
    let net = mlp()?;
    let other = mlp()?;
    let mut sd = other.state_dict();
    sd.remove("2.bias");
    sd.insert("foo.bar", Tensor::zeros(2)?);
    let keys = net.load_state_dict(&sd, false)?;
    assert_eq!(keys.missing_keys, ["2.bias"]);
    assert_eq!(keys.unexpected_keys, ["foo.bar"]);
    assert_eq!(
        net[0].weight()?.data()?.to_vec()?,
        other[0].weight()?.data()?.to_vec()?
    );
    let mut bad = other.state_dict();
    bad.insert("2.weight", Tensor::zeros((8, 1))?);
    let before = values(&net);
    let err = net.load_state_dict(&bad, false).unwrap_err();
    assert!(
        err.to_string().contains("size mismatch for 2.weight"),
        "{err}"
    );
    assert_eq!(values(&net), before);
    Ok(())
}

#[test]
fn safetensors_round_trip() -> Result<()> {
    let a = mlp()?;
    let path = tmp("mlp.safetensors");
    a.save_safetensors(&path)?;
    let b = mlp()?;
    assert_ne!(values(&b), values(&a));
    b.load_safetensors(&path)?;
    assert_eq!(values(&b), values(&a));
    // A file for another architecture is refused and changes nothing.
    let c = sequential![Linear::new(4, 3)?];
    let before = values(&c);
    assert!(c.load_safetensors(&path).is_err());
    assert_eq!(values(&c), before);
    std::fs::remove_file(&path)?;
    assert!(b.load_safetensors(&path).is_err());
    Ok(())
}

#[test]
fn tied_parameters_survive_a_round_trip() -> Result<()> {
    let (_, a) = common::tied_net()?;
    let path = tmp("tied.safetensors");
    a.save_safetensors(&path)?;
    let (_, b) = common::tied_net()?;
    b.load_safetensors(&path)?;
    std::fs::remove_file(&path)?;
    assert!(b[2].weight()?.same_as(&b[4].weight()?));
    assert_eq!(values(&b), values(&a));
    b[2].weight()?.set_at_(&[0, 0], 100.0)?;
    assert_eq!(b[4].weight()?.data()?.i((0, 0))?.item()?, 100.0);
    Ok(())
}

#[test]
fn state_dict_values_are_detached_views() -> Result<()> {
    let net = mlp()?;
    let sd = net.state_dict();
    assert_eq!(sd["0.weight"].grad_fn(), None);
    assert!(!sd["0.weight"].requires_grad());
    assert!(sd.get("9.weight").is_none());
    Ok(())
}

#[test]
fn safetensors_keeps_pytorch_key_order_and_rejects_garbage() -> Result<()> {
    let rg = sequential![
        sequential![Linear::new(4, 8)?, ReLU(), Linear::new(8, 4)?],
        Linear::new(4, 1)?
    ];
    let path = tmp("order.safetensors");
    rg.save_safetensors(&path)?;
    let sd = d2l::state::load_safetensors(&path)?;
    assert_eq!(
        sd.keys().collect::<Vec<_>>(),
        rg.state_dict().keys().collect::<Vec<_>>()
    );
    // Bad files and their texts: tests/file_parity.rs.
    std::fs::write(&path, b"not a safetensors file")?;
    assert!(d2l::state::load_safetensors(&path).is_err());
    std::fs::remove_file(&path)?;
    Ok(())
}

#[test]
fn parameterless_net_has_an_empty_state_dict() -> Result<()> {
    // How it prints is checked against PyTorch in tests/state_parity.rs.
    let net = sequential![ReLU()];
    let sd = net.state_dict();
    assert!(sd.is_empty());
    // Loading it back into the same net is accepted.
    net.load_state_dict(&sd, true)?;
    Ok(())
}

#[test]
fn safetensors_key_order_is_a_json_list_and_older_files_still_load() -> Result<()> {
    // Any key keeps its place, a newline in it too: the order is recorded as a JSON list.
    let mut sd = StateDict::new();
    for k in ["z", "a\nb", "m"] {
        sd.insert(k, Tensor::ones(1)?);
    }
    let path = tmp("json-order.safetensors");
    d2l::state::save_safetensors(&sd, &path)?;
    let back = d2l::state::load_safetensors(&path)?;
    assert_eq!(back.keys().collect::<Vec<_>>(), ["z", "a\nb", "m"]);
    // A file from an earlier version of the crate, the keys joined by newlines.
    let one = Tensor::ones(1)?.candle().clone();
    let data = vec![("z", one.clone()), ("a", one.clone()), ("m", one)];
    let meta = std::collections::HashMap::from([("d2l.key_order".to_string(), "z\na\nm".into())]);
    safetensors::serialize_to_file(data, Some(meta), &path).unwrap();
    let old = d2l::state::load_safetensors(&path)?;
    assert_eq!(old.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
    std::fs::remove_file(&path)?;
    Ok(())
}

#[test]
fn a_failed_load_keeps_the_error_beneath_as_its_source() -> Result<()> {
    use std::error::Error as _;
    let missing = tmp("never-written.safetensors");
    let _ = std::fs::remove_file(&missing);
    let e = d2l::state::load_safetensors(&missing).unwrap_err();
    assert_eq!(e.kind(), d2l::ErrorKind::FileNotFoundError);
    let io = e.source().expect("the I/O error beneath");
    assert_eq!(
        io.downcast_ref::<std::io::Error>().map(|io| io.kind()),
        Some(std::io::ErrorKind::NotFound)
    );
    let garbage = tmp("garbage.safetensors");
    std::fs::write(&garbage, b"not a safetensors file")?;
    let e = d2l::state::load_safetensors(&garbage).unwrap_err();
    std::fs::remove_file(&garbage)?;
    assert_eq!(e.kind(), d2l::ErrorKind::SafetensorError);
    assert!(
        e.to_string()
            .starts_with("Error while deserializing header: ")
    );
    let beneath = e.source().expect("the safetensors error beneath");
    assert!(beneath.is::<safetensors::SafeTensorError>(), "{beneath:?}");
    Ok(())
}
