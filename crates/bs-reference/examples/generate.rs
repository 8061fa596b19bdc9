//! Prints the random program of a seed and what the reference evaluator expects from it:
//! `cargo run -p bs-reference --example generate -- SEED [out|src]` (default: both).

use bs_reference::{GenConfig, Status, generate, pretty, run};
use proptest::test_runner::{RngAlgorithm, TestRng};

fn main() {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let what = args.next().unwrap_or_default();
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let p = generate(&mut rng, &GenConfig::default());
    if what != "out" {
        print!("{}", pretty::program(&p));
    }
    if what != "src" {
        let out = run(&p);
        if what.is_empty() {
            println!("----- expected output -----");
        }
        print!("{}", out.stdout);
        if out.status != Status::Success {
            eprintln!("status: {:?}", out.status);
        }
    }
}
