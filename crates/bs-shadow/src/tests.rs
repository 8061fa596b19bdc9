//! Unit tests of the shadow machine: placements stay inside their regions and honour alignment,
//! abort and drop roll back, commit publishes symbols (with history), discarded units keep their
//! memory, and the queries find units by id, name and address.

use std::collections::HashMap;

use bs_link::{Arch, PlaceError, Placer, RegionKind, RuntimeImage, SymbolResolver};

use crate::*;

const CODE: Region = Region::new(0x1000_0000, 0x1000);
const DATA: Region = Region::new(0x2000_0003, 0x800); // deliberately misaligned base
const HEAP: Region = Region::new(0x3000_0000, 0x10000);

fn runtime() -> RuntimeImage {
    RuntimeImage {
        symbols: HashMap::from([
            ("bs_print".to_owned(), 0x40_1000),
            ("shared".to_owned(), 0x40_2000),
        ]),
        build_id: [1, 2, 3, 4, 5, 6, 7, 8],
        arch: Arch::X86_64,
    }
}

fn shadow() -> Shadow {
    Shadow::new(
        MemoryMap {
            code: CODE,
            data: DATA,
            heap: HEAP,
        },
        runtime(),
    )
}

fn record(id: u32, symbols: &[(&str, u64)]) -> UnitRecord {
    UnitRecord {
        id,
        name: format!("<repl:{id}>"),
        source: format!("// unit {id}"),
        symbols: symbols.iter().map(|&(n, a)| (n.to_owned(), a)).collect(),
        entry: None,
    }
}

#[test]
fn placements_bump_and_align() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    assert_eq!(txn.place(RegionKind::Code, 10, 16).unwrap(), 0x1000_0000);
    assert_eq!(txn.place(RegionKind::Code, 4, 16).unwrap(), 0x1000_0010);
    assert_eq!(txn.place(RegionKind::Data, 1, 1).unwrap(), 0x2000_0003);
    assert_eq!(txn.place(RegionKind::Data, 8, 8).unwrap(), 0x2000_0008);
    assert_eq!(txn.placements().len(), 4);
    txn.commit(record(1, &[])).unwrap();
    let usage = s.usage();
    // Alignment padding counts as free (a later placement may use it).
    assert_eq!(usage.code_used, 10 + 4);
    assert_eq!(usage.data_used, 1 + 8);
    assert_eq!(usage.code_size, CODE.size);
    assert_eq!(usage.data_size, DATA.size);
}

/// A unit placed in a transaction nested in an open one (a specialised copy placed while the
/// unit that profiled it runs) commits on its own and stays when the outer one is given back.
#[test]
fn a_nested_unit_outlives_the_outer_transaction() {
    let mut s = shadow();
    let mut outer = s.begin_unit(1);
    let a = outer.place(RegionKind::Code, 16, 16).unwrap();
    let mut nested = outer.nested(2);
    let b = nested.place(RegionKind::Code, 16, 16).unwrap();
    assert!(b >= a + 16, "the nested unit's code overlaps the outer's");
    nested.commit(record(2, &[("copy", b)])).unwrap();
    assert_eq!(outer.resolve("copy"), Some(b));
    outer.abort();
    assert_eq!(s.symbol("copy"), Some(b));
    assert!(s.unit(2).is_some() && s.unit(1).is_none());
    assert_eq!(s.usage().code_used, 16);
    // The outer unit's range is free again, below the nested one.
    let mut again = s.begin_unit(3);
    assert_eq!(again.place(RegionKind::Code, 16, 16).unwrap(), a);
}

/// A deterministic pseudo-random sequence for the stress test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn placements_never_leave_their_regions() {
    let mut s = shadow();
    let mut rng = Lcg(42);
    let mut all: Vec<Placement> = Vec::new();
    let mut full = [false; 2];
    let mut id = 0;
    while !(full[0] && full[1]) {
        id += 1;
        let mut txn = s.begin_unit(id);
        for kind in RegionKind::ALL {
            let size = 1 + rng.next() % 200;
            let align = 1 << (rng.next() % 7);
            let before = txn.shadow().usage();
            match txn.place(kind, size, align) {
                Ok(addr) => {
                    let region = txn.shadow().map().region(kind);
                    assert!(region.contains_range(addr, size), "{addr:#x}+{size}");
                    assert_eq!(addr % align, 0);
                }
                Err(PlaceError::RegionFull {
                    region,
                    requested,
                    align: a,
                    free,
                }) => {
                    assert_eq!((region, requested, a), (kind, size, align));
                    let (used, total) = match kind {
                        RegionKind::Code => (before.code_used, before.code_size),
                        RegionKind::Data => (before.data_used, before.data_size),
                    };
                    assert_eq!(free, total - used);
                    // Nothing was allocated by the failed request.
                    assert_eq!(txn.shadow().usage(), before);
                    full[kind as usize] = true;
                }
                Err(e) => panic!("{e}"),
            }
        }
        let placements = txn.placements().to_vec();
        if rng.next().is_multiple_of(4) {
            txn.abort();
        } else {
            txn.commit(record(id, &[])).unwrap();
            all.extend(placements);
        }
    }
    // Committed placements are disjoint and inside their regions.
    for (i, a) in all.iter().enumerate() {
        assert!(s.map().region(a.kind).contains_range(a.addr, a.size));
        for b in &all[i + 1..] {
            let disjoint =
                a.kind != b.kind || a.addr + a.size <= b.addr || b.addr + b.size <= a.addr;
            assert!(disjoint, "{a:?} overlaps {b:?}");
        }
    }
    let usage = s.usage();
    assert!(usage.code_used <= usage.code_size && usage.data_used <= usage.data_size);
}

#[test]
fn device_full_names_region_request_and_free_bytes() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    txn.place(RegionKind::Code, 0xff0, 1).unwrap();
    let err = txn.place(RegionKind::Code, 0x20, 4).unwrap_err();
    assert_eq!(
        err,
        PlaceError::RegionFull {
            region: RegionKind::Code,
            requested: 0x20,
            align: 4,
            free: 0x10,
        }
    );
    let message = err.to_string();
    assert!(message.contains("code") && message.contains("32") && message.contains("16"));
    // Exactly the rest fits; alignment padding counts against it.
    assert!(txn.place(RegionKind::Code, 0x10, 32).is_err());
    assert_eq!(txn.place(RegionKind::Code, 0x10, 16).unwrap(), 0x1000_0ff0);
    assert!(txn.place(RegionKind::Code, 1, 1).is_err());
    // Overflowing requests are refused, not wrapped.
    assert!(txn.place(RegionKind::Data, u64::MAX, 1).is_err());
    assert!(matches!(
        txn.place(RegionKind::Data, 1, 3),
        Err(PlaceError::BadAlignment { align: 3, .. })
    ));
}

#[test]
fn abort_and_drop_roll_back() {
    let mut s = shadow();
    let mut first = s.begin_unit(1);
    first.place(RegionKind::Code, 0x40, 16).unwrap();
    first.commit(record(1, &[("kept", 0x1000_0000)])).unwrap();
    let before = s.usage();

    let mut txn = s.begin_unit(2);
    let a = txn.place(RegionKind::Code, 0x100, 16).unwrap();
    txn.place(RegionKind::Data, 0x100, 8).unwrap();
    txn.abort();
    assert_eq!(s.usage(), before);
    assert!(s.unit(2).is_none());

    {
        let mut txn = s.begin_unit(2);
        assert_eq!(txn.place(RegionKind::Code, 0x100, 16).unwrap(), a);
        // dropped without commit
    }
    assert_eq!(s.usage(), before);

    let mut txn = s.begin_unit(2);
    assert_eq!(txn.place(RegionKind::Code, 0x100, 16).unwrap(), a);
    txn.commit(record(2, &[])).unwrap();
    assert_eq!(s.usage().code_used, before.code_used + 0x100);
    assert_eq!(s.symbol("kept"), Some(0x1000_0000));
}

#[test]
fn commit_publishes_symbols_units_first() {
    let mut s = shadow();
    assert_eq!(s.symbol("shared"), Some(0x40_2000), "runtime symbol");
    assert_eq!(s.symbol("nothing"), None);

    let mut txn = s.begin_unit(1);
    txn.place(RegionKind::Code, 0x20, 16).unwrap();
    assert_eq!(txn.resolve("bs_print"), Some(0x40_1000));
    assert_eq!(txn.resolve("f"), None, "not committed yet");
    txn.commit(record(1, &[("f", 0x1000_0000), ("shared", 0x1000_0010)]))
        .unwrap();
    assert_eq!(s.symbol("f"), Some(0x1000_0000));
    assert_eq!(
        s.symbol("shared"),
        Some(0x1000_0010),
        "units before the runtime"
    );
    assert_eq!(s.resolve("bs_print"), Some(0x40_1000));

    // A later definition replaces the earlier one and keeps the history.
    let mut txn = s.begin_unit(2);
    txn.place(RegionKind::Code, 0x20, 16).unwrap();
    assert_eq!(txn.resolve("f"), Some(0x1000_0000));
    txn.commit(record(2, &[("f", 0x1000_0020)])).unwrap();
    assert_eq!(s.symbol("f"), Some(0x1000_0020));
    assert_eq!(
        s.symbol_history("f"),
        [
            SymbolDef {
                addr: 0x1000_0000,
                unit: 1
            },
            SymbolDef {
                addr: 0x1000_0020,
                unit: 2
            },
        ]
    );
    assert_eq!(s.unit_symbol("f").unwrap().unit, 2);
    assert!(s.symbol_history("bs_print").is_empty());

    assert_eq!(s.units().len(), 2);
    assert_eq!(s.unit(1).unwrap().record.name, "<repl:1>");
    assert_eq!(s.unit(2).unwrap().placements.len(), 1);
}

#[test]
fn discarded_units_keep_memory_but_not_symbols() {
    let mut s = shadow();
    let mut txn = s.begin_unit(7);
    let code = txn.place(RegionKind::Code, 0x30, 16).unwrap();
    let data = txn.place(RegionKind::Data, 0x10, 4).unwrap();
    txn.keep_memory_but_discard();
    assert_eq!(s.usage().code_used, 0x30);
    assert!(s.unit(7).is_none());
    assert!(s.units().is_empty());
    assert_eq!(s.find_discarded_by_address(code + 5).unwrap().id, 7);
    assert_eq!(s.find_discarded_by_address(data).unwrap().id, 7);
    assert!(s.find_unit_by_address(code).is_none());

    // The next unit goes after the kept memory.
    let mut txn = s.begin_unit(8);
    assert_eq!(txn.place(RegionKind::Code, 0x10, 16).unwrap(), code + 0x30);
    txn.commit(record(8, &[])).unwrap();
}

#[test]
fn bad_commits_keep_memory() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    txn.place(RegionKind::Code, 0x10, 1).unwrap();
    assert_eq!(
        txn.commit(record(2, &[("x", 1)])),
        Err(CommitError::IdMismatch { txn: 1, record: 2 })
    );
    assert_eq!(s.usage().code_used, 0x10);
    assert_eq!(s.symbol("x"), None);

    let mut txn = s.begin_unit(3);
    txn.place(RegionKind::Code, 0x10, 1).unwrap();
    txn.commit(record(3, &[])).unwrap();
    let mut txn = s.begin_unit(3);
    txn.place(RegionKind::Code, 0x10, 1).unwrap();
    assert_eq!(
        txn.commit(record(3, &[])),
        Err(CommitError::DuplicateUnit { id: 3 })
    );
    assert_eq!(s.usage().code_used, 0x30);
    assert_eq!(s.discarded().len(), 2);
}

#[test]
fn find_unit_by_address() {
    let mut s = shadow();
    let mut ranges = Vec::new();
    for id in 1..=3 {
        let mut txn = s.begin_unit(id);
        let c = txn
            .place(RegionKind::Code, 0x20 * u64::from(id), 16)
            .unwrap();
        let d = txn.place(RegionKind::Data, 0x8, 8).unwrap();
        ranges.push((id, c, d));
        txn.commit(record(id, &[])).unwrap();
    }
    for &(id, c, d) in &ranges {
        assert_eq!(s.find_unit_by_address(c).unwrap().id(), id);
        assert_eq!(
            s.find_unit_by_address(c + 0x20 * u64::from(id) - 1)
                .unwrap()
                .id(),
            id
        );
        assert_eq!(s.find_unit_by_address(d + 7).unwrap().id(), id);
    }
    assert!(s.find_unit_by_address(0x40_1000).is_none());
    assert!(s.find_unit_by_address(CODE.end()).is_none());
    assert!(s.find_unit_by_address(HEAP.base).is_none());
}

#[test]
fn reset_forgets_everything() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    txn.place(RegionKind::Code, 0x100, 16).unwrap();
    txn.place(RegionKind::Data, 0x100, 16).unwrap();
    txn.commit(record(1, &[("f", 0x1000_0000), ("shared", 0x1000_0000)]))
        .unwrap();
    let mut txn = s.begin_unit(2);
    txn.place(RegionKind::Code, 0x100, 16).unwrap();
    txn.keep_memory_but_discard();

    s.reset();
    assert_eq!(s.usage().code_used, 0);
    assert_eq!(s.usage().data_used, 0);
    assert!(s.units().is_empty() && s.discarded().is_empty());
    assert_eq!(s.symbol("f"), None);
    assert_eq!(s.symbol("shared"), Some(0x40_2000), "the runtime stays");
    let mut txn = s.begin_unit(1);
    assert_eq!(txn.place(RegionKind::Code, 4, 4).unwrap(), CODE.base);
    txn.commit(record(1, &[])).unwrap();
}

#[test]
fn released_code_is_reused_first_fit_and_merged() {
    let mut s = shadow();
    // Three units of code, 0x100 bytes each, and some data.
    for id in 1..=3 {
        let mut txn = s.begin_unit(id);
        txn.place(RegionKind::Code, 0x100, 16).unwrap();
        txn.place(RegionKind::Data, 8, 4).unwrap();
        txn.commit(record(id, &[])).unwrap();
    }
    assert_eq!(s.usage().code_used, 0x300);
    // Freeing the middle unit leaves a hole; its data stays.
    assert_eq!(s.release_code(2), 0x100);
    assert_eq!(s.release_code(2), 0, "a unit's code is freed once");
    assert_eq!(s.usage().code_used, 0x200);
    assert!(s.find_unit_by_address(0x1000_0100).is_none());
    assert!(
        s.unit(2)
            .unwrap()
            .contains(s.unit(2).unwrap().placements[0].addr)
    );
    // A smaller unit goes into the hole, aligned; a larger one does not fit there.
    let mut txn = s.begin_unit(4);
    assert_eq!(txn.place(RegionKind::Code, 0x40, 32).unwrap(), 0x1000_0100);
    assert_eq!(txn.place(RegionKind::Code, 0x100, 16).unwrap(), 0x1000_0300);
    txn.commit(record(4, &[])).unwrap();
    assert_eq!(s.usage().code_used, 0x340);
    // Freeing the last units gives their bytes back to the bump pointer, merged with the
    // rest of the hole.
    s.release_code(4);
    s.release_code(3);
    assert_eq!(s.usage().code_used, 0x100);
    let mut txn = s.begin_unit(5);
    assert_eq!(txn.place(RegionKind::Code, 0x200, 16).unwrap(), 0x1000_0100);
    txn.commit(record(5, &[])).unwrap();
}

#[test]
fn a_rolled_back_unit_gives_back_the_free_ranges_it_took() {
    let mut s = shadow();
    for id in 1..=2 {
        let mut txn = s.begin_unit(id);
        txn.place(RegionKind::Code, 0x100, 16).unwrap();
        txn.commit(record(id, &[])).unwrap();
    }
    s.release_code(1);
    let before = s.usage();
    {
        let mut txn = s.begin_unit(3);
        assert_eq!(txn.place(RegionKind::Code, 0x80, 16).unwrap(), 0x1000_0000);
        assert_eq!(txn.place(RegionKind::Code, 0x100, 16).unwrap(), 0x1000_0200);
        // Dropped: nothing reached the device.
    }
    assert_eq!(s.usage(), before);
    let mut txn = s.begin_unit(3);
    assert_eq!(txn.place(RegionKind::Code, 0x100, 16).unwrap(), 0x1000_0000);
}

#[test]
fn a_discarded_units_code_can_be_released() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    txn.place(RegionKind::Code, 0x40, 16).unwrap();
    txn.keep_memory_but_discard();
    assert_eq!(s.usage().code_used, 0x40);
    assert_eq!(s.release_code(1), 0x40);
    assert_eq!(s.usage().code_used, 0);
}

#[test]
fn part_of_a_units_data_can_be_released() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    let data = txn.place(RegionKind::Data, 0x30, 4).unwrap();
    txn.keep_memory_but_discard();
    // Its first and last 0x8 bytes stay (string literals, say); the rest goes.
    let keep = [(data + 0x28, 0x8), (data, 0x8)];
    assert_eq!(s.release_data(1, &keep), 0x20);
    assert_eq!(s.usage().data_used, 0x10);
    assert!(s.find_discarded_by_address(data).is_some());
    assert!(s.find_discarded_by_address(data + 0x10).is_none());
    assert!(s.find_discarded_by_address(data + 0x28).is_some());
    let mut txn = s.begin_unit(2);
    assert_eq!(txn.place(RegionKind::Data, 0x20, 4).unwrap(), data + 0x8);
    txn.commit(record(2, &[])).unwrap();
    // Keeping nothing frees it all.
    assert_eq!(s.release_data(1, &[]), 0x10);
    assert_eq!(s.usage().data_used, 0x20);
}

#[test]
fn a_retired_unit_keeps_only_the_symbols_of_what_is_left() {
    let mut s = shadow();
    let mut txn = s.begin_unit(1);
    let code = txn.place(RegionKind::Code, 0x20, 16).unwrap();
    let var = txn.place(RegionKind::Data, 0x8, 4).unwrap();
    let constant = txn.place(RegionKind::Data, 0x10, 4).unwrap();
    txn.commit(record(
        1,
        &[("bs_unit_1", code), ("bs_g_x", var), ("bs_k", constant)],
    ))
    .unwrap();
    s.release_code(1);
    s.release_data(1, &[(var, 0x8)]);
    assert!(s.retire(1));
    assert!(s.unit(1).is_none());
    assert_eq!(s.symbol("bs_g_x"), Some(var));
    assert_eq!(s.symbol("bs_unit_1"), None);
    assert_eq!(s.symbol("bs_k"), None);
    // What is left stays allocated: the next unit goes after it.
    assert_eq!(s.usage().data_used, 0x8);
    assert!(!s.retire(1));
    // A discarded unit's published symbols are treated alike.
    let mut txn = s.begin_unit(2);
    let lit = txn.place(RegionKind::Data, 0x8, 4).unwrap();
    txn.keep_memory_and_symbols(vec![("bs_lit_a".to_owned(), lit)]);
    s.release_data(2, &[(lit, 0x8)]);
    assert!(s.retire(2));
    assert_eq!(s.symbol("bs_lit_a"), Some(lit));
    assert!(s.discarded().is_empty());
}
