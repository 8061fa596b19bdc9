//! The shadow machine driving the real linker, as the host session does: units compiled with the
//! system gcc are linked inside transactions, a later unit uses an earlier one's symbols, and a
//! unit that fails to link gives its memory back.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use bs_link::{Arch, LinkError, RegionKind, RuntimeImage, link_object, link_object_with};
use bs_shadow::{MemoryMap, Region, Shadow, UnitRecord};

fn compile(source: &str) -> Vec<u8> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "bs-shadow-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join("unit.c");
    let o = dir.join("unit.o");
    std::fs::write(&c, source).unwrap();
    let out = Command::new("gcc")
        .args([
            "-c",
            "-O2",
            "-fno-pic",
            "-fno-pie",
            "-mcmodel=small",
            "-fno-asynchronous-unwind-tables",
            "-fno-stack-protector",
            "-fcf-protection=none",
        ])
        .arg(&c)
        .arg("-o")
        .arg(&o)
        .output()
        .expect("run gcc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&o).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    bytes
}

fn shadow() -> Shadow {
    let runtime = RuntimeImage {
        symbols: HashMap::from([("bs_print".to_owned(), 0x40_1000)]),
        build_id: [0; 8],
        arch: Arch::X86_64,
    };
    Shadow::new(
        MemoryMap {
            code: Region::new(0x1000_0000, 0x1_0000),
            data: Region::new(0x2000_0000, 0x1_0000),
            heap: Region::new(0x3000_0000, 0x1_0000),
        },
        runtime,
    )
}

fn record(id: u32, symbols: Vec<(String, u64)>) -> UnitRecord {
    UnitRecord {
        id,
        name: format!("<repl:{id}>"),
        source: String::new(),
        symbols,
        entry: None,
    }
}

#[test]
fn units_link_through_the_shadow() {
    let mut shadow = shadow();

    let unit1 = {
        let mut txn = shadow.begin_unit(1);
        let obj = compile(
            "extern void bs_print(const char *);\n\
             int counter = 1;\n\
             int bump(void) { bs_print(\"bump\"); return ++counter; }\n",
        );
        let unit = link_object_with(&obj, Arch::X86_64, &mut txn).expect("link 1");
        for chunk in &unit.chunks {
            let region = txn.shadow().map().region(chunk.kind);
            assert!(region.contains_range(chunk.addr, chunk.bytes.len() as u64));
        }
        txn.commit(record(1, unit.symbols.clone())).unwrap();
        unit
    };
    assert_eq!(shadow.symbol("bump"), unit1.symbol("bump"));
    assert_eq!(
        shadow
            .find_unit_by_address(unit1.symbol("counter").unwrap())
            .unwrap()
            .id(),
        1
    );
    let after_one = shadow.usage();
    assert_eq!(after_one.code_used, unit1.code_size);
    assert_eq!(after_one.data_used, unit1.data_size);

    // A unit that needs an undefined symbol: the transaction is dropped and rolls back.
    {
        let mut txn = shadow.begin_unit(2);
        let obj = compile(
            "extern int missing(void);\nint f(void) { return missing() + bump(); }\nextern int bump(void);\n",
        );
        let err = link_object_with(&obj, Arch::X86_64, &mut txn).unwrap_err();
        assert!(
            matches!(err, LinkError::Undefined { ref symbols } if symbols.len() == 1 && symbols[0].symbol == "missing")
        );
    }
    assert_eq!(shadow.usage(), after_one);

    // A later unit calls bump and redefines counter.
    let mut txn = shadow.begin_unit(3);
    let obj = compile(
        "extern int bump(void);\n\
         int counter = 100;\n\
         int run(void) { return bump() + counter; }\n",
    );
    // The transaction as placer, with a resolver built on a snapshot of its symbols (the way to
    // add symbols of one's own); link_object_with covers the plain case.
    let resolver = shadow_resolver(&txn);
    let unit3 = link_object(&obj, Arch::X86_64, &mut txn, &resolver).expect("link 3");
    let code = unit3.chunk(RegionKind::Code).unwrap();
    assert!(code.addr >= 0x1000_0000 + unit1.code_size);
    // The call to bump reaches unit 1's bump.
    let call = (0..code.bytes.len() - 5)
        .find(|&i| code.bytes[i] == 0xe8)
        .expect("a call");
    let disp = i32::from_le_bytes(code.bytes[call + 1..call + 5].try_into().unwrap());
    let target = (code.addr + call as u64 + 5) as i64 + i64::from(disp);
    assert_eq!(target as u64, unit1.symbol("bump").unwrap());
    txn.commit(record(3, unit3.symbols.clone())).unwrap();

    assert_eq!(shadow.symbol("counter"), unit3.symbol("counter"));
    assert_eq!(shadow.symbol_history("counter").len(), 2);
    assert_eq!(shadow.units().len(), 2);
}

/// The symbols the transaction resolves, as a map: the runtime's, then committed units' in commit
/// order (so later definitions win).
fn shadow_resolver(txn: &bs_shadow::UnitTxn<'_>) -> HashMap<String, u64> {
    let shadow = txn.shadow();
    let mut symbols = shadow.runtime().symbols.clone();
    for unit in shadow.units() {
        for (name, addr) in &unit.record.symbols {
            symbols.insert(name.clone(), *addr);
        }
    }
    symbols
}
