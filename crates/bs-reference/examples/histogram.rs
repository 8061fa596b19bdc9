//! How many of N generated programs use each feature (no compiler involved):
//! `cargo run -p bs-reference --example histogram -- N [FLAG…]`, where the flags turn on the
//! generator's optional features: `narrow-globals`, `early-return`, `narrow-end`,
//! `for-capture`, `any-inc-dec`, `closure-narrowing`.

use std::collections::BTreeMap;

use bs_reference::{GenConfig, features, generate};
use proptest::test_runner::{RngAlgorithm, TestRng};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut cfg = GenConfig::default();
    for flag in args {
        match flag.as_str() {
            "narrow-globals" => cfg.narrow_globals = true,
            "early-return" => cfg.early_return = true,
            "narrow-end" => cfg.narrow_end = true,
            "for-capture" => cfg.for_capture = true,
            "any-inc-dec" => cfg.any_inc_dec = true,
            "closure-narrowing" => cfg.closure_narrowing = true,
            other => panic!("unknown flag {other}"),
        }
    }
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for seed in 0..n {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
        let p = generate(&mut rng, &cfg);
        for f in features::of(&p) {
            *counts.entry(f).or_default() += 1;
        }
    }
    println!("{n} programs; programs using each feature:");
    for (f, c) in counts {
        println!("{c:7}  {f}");
    }
}
