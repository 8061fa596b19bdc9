//! The reliable link under fire: `bscript bench link` runs a scripted session over a clean link
//! and again over a link that loses, damages, repeats and delays frames, and fails unless both
//! transcripts are identical. Here at a small size on the host device, on qemu-mps2-an385 and stm32f405
//! (skipped, with a message, without QEMU); the full size (1,000 inputs) is a benchmark.

mod common;

fn lossy_session(target: &str, inputs: usize, faults: &str) {
    let out_dir = std::env::temp_dir().join(format!(
        "bscript-lossy-{target}-{}-{inputs}",
        std::process::id()
    ));
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
            faults,
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
    // "transcripts identical to the clean run's: N of M": every faulty run must match.
    let counts = stdout
        .split("transcripts identical to the clean run's: ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .and_then(|line| line.split_once(" of "))
        .map(|(same, all)| (same.trim().to_string(), all.trim().to_string()));
    assert!(
        matches!(&counts, Some((same, all)) if same == all && same != "0"),
        "the transcripts differ on {target} ({counts:?}):\n{stdout}\n{stderr}"
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
    lossy_session(
        "host",
        100,
        "drop=5%,corrupt=5%,duplicate=1%,delay=2%,max-delay=80ms,seed=11",
    );
}

#[test]
fn a_faulty_link_gives_the_same_transcript_on_qemu() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    lossy_session(
        "qemu-mps2-an385",
        40,
        "drop=5%,corrupt=5%,duplicate=1%,delay=2%,max-delay=80ms,seed=12",
    );
}

#[test]
fn a_faulty_link_gives_the_same_transcript_on_stm32f405() {
    for tool in ["qemu-system-arm", "arm-none-eabi-gcc"] {
        if !common::installed(tool) {
            eprintln!("skipped: {tool} is not installed");
            return;
        }
    }
    lossy_session(
        "stm32f405",
        40,
        "drop=5%,corrupt=5%,duplicate=1%,delay=2%,max-delay=80ms,seed=12",
    );
}

/// Seed 777 once made the faulty half stall, or give up waiting for an OK, when late copies of
/// old requests were carried out again by the device.
#[test]
fn seed_777_neither_stalls_nor_gives_up() {
    lossy_session(
        "host",
        100,
        "drop=5%,corrupt=5%,duplicate=1%,delay=2%,seed=777",
    );
}

/// With half the frames held up, late acknowledgements (one carrying the session id from before
/// the HELLO) and late replies come all the time: none may be taken for a reset, and no output
/// may be lost.
#[test]
fn late_frames_are_not_taken_for_a_reset() {
    let dir = std::env::temp_dir().join(format!("bscript-lossy-delay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.bs");
    std::fs::write(&input, "print(1)\nprint(2)\nprint(3)\n").unwrap();
    for seed in ["777", "1", "2"] {
        let faults = format!("delay=50%,seed={seed}");
        let out = common::bscript(
            &common::workspace_root(),
            &["--inject-faults", &faults, "repl"],
            Some(&input),
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "seed {seed}:\n{stdout}\n{stderr}");
        assert_eq!(stdout.trim(), "1\n2\n3", "seed {seed}:\n{stderr}");
        assert!(!stderr.contains("reset"), "seed {seed}:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
