//! The reliable link under fire: `bscript bench link` runs a scripted session over a clean link
//! and again over a link that loses, damages, repeats and delays frames, and fails unless both
//! transcripts are identical. Here at a small size on the host device and on qemu-mps2-an385
//! (skipped, with a message, without QEMU); the full size (1,000 inputs) is a benchmark.

mod common;

fn lossy_session(target: &str, inputs: usize, seed: u32) {
    let out_dir =
        std::env::temp_dir().join(format!("bscript-lossy-{target}-{}", std::process::id()));
    let faults = format!("drop=5%,corrupt=5%,duplicate=1%,delay=2%,max-delay=80ms,seed={seed}");
    let inputs = inputs.to_string();
    let out = common::bscript(
        &common::workspace_root(),
        &[
            "--target",
            target,
            "bench",
            "link",
            "--inputs",
            &inputs,
            "--faults",
            &faults,
            "--out",
            &out_dir.to_string_lossy(),
        ],
        None,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench link failed on {target}:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("transcripts: identical"),
        "the transcripts differ on {target}:\n{stdout}\n{stderr}"
    );
    // Faults really happened and the link layer really repaired them.
    let json = std::fs::read_to_string(out_dir.join(format!("link-{target}.json"))).unwrap();
    let number = |key: &str| -> u64 {
        let at = json.find(&format!("\"{key}\": ")).expect(key) + key.len() + 4;
        json[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(number("dropped") > 0 && number("corrupted") > 0, "{json}");
    assert!(number("retransmissions") > 0, "{json}");
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_faulty_link_gives_the_same_transcript_on_the_host_device() {
    lossy_session("host", 100, 11);
}

#[test]
fn a_faulty_link_gives_the_same_transcript_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    lossy_session("qemu-mps2-an385", 40, 12);
}
