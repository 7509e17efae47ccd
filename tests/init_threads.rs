//! `orthogonal_` shares a large matrix's columns between rayon's threads; the numbers must not
//! depend on how many threads there are.

use d2l::nn::init;
use d2l::{Parameter, Tensor, manual_seed};

fn orthogonal_with_threads(threads: usize, n: usize) -> Vec<f32> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        manual_seed(0);
        let p = Parameter::new(Tensor::zeros((n, n)).unwrap()).unwrap();
        init::orthogonal_(&p, 1.0).unwrap();
        p.values_f32().unwrap()
    })
}

#[test]
fn orthogonal_gives_the_same_bits_on_one_thread_and_on_several() {
    // 384 columns: enough work per block of reflections that it is split into tasks.
    let one = orthogonal_with_threads(1, 384);
    let three = orthogonal_with_threads(3, 384);
    assert_eq!(one.len(), 384 * 384);
    assert!(
        one.iter()
            .zip(&three)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}
