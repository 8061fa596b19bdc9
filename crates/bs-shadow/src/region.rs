//! The device's memory map as the device reports it in HELLO_REPLY: three regions, of which the
//! shadow machine allocates in two (code and data; the heap belongs to the device's allocator).

use bs_link::RegionKind;

/// A range of device addresses, `base .. base + size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    /// The first address.
    pub base: u64,
    /// Its length in bytes.
    pub size: u64,
}

impl Region {
    /// The region `base .. base + size`.
    pub const fn new(base: u64, size: u64) -> Region {
        Region { base, size }
    }

    /// One past the last address (saturating at `u64::MAX`).
    pub const fn end(&self) -> u64 {
        self.base.saturating_add(self.size)
    }

    /// True if `addr` lies in the region.
    pub const fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr < self.end()
    }

    /// True if all of `addr .. addr + len` lies in the region (an empty range at the end counts).
    pub const fn contains_range(&self, addr: u64, len: u64) -> bool {
        match addr.checked_add(len) {
            Some(end) => addr >= self.base && end <= self.end(),
            None => false,
        }
    }
}

/// Where the device's regions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryMap {
    /// Executable memory for units' code.
    pub code: Region,
    /// Memory for units' data (`.rodata`, `.data`, `.bss`).
    pub data: Region,
    /// The runtime's garbage-collected heap (not allocated by the host).
    pub heap: Region,
}

impl MemoryMap {
    /// The region units' sections of `kind` go to.
    pub const fn region(&self, kind: RegionKind) -> Region {
        match kind {
            RegionKind::Code => self.code,
            RegionKind::Data => self.data,
        }
    }
}

/// How much of the code and data regions units occupy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Bytes of the code region allocated (alignment padding between placements is free).
    pub code_used: u64,
    /// Size of the code region.
    pub code_size: u64,
    /// Bytes of the data region allocated (alignment padding between placements is free).
    pub data_used: u64,
    /// Size of the data region.
    pub data_size: u64,
}

impl Usage {
    /// Free bytes at the end of the code region.
    pub const fn code_free(&self) -> u64 {
        self.code_size.saturating_sub(self.code_used)
    }

    /// Free bytes at the end of the data region.
    pub const fn data_free(&self) -> u64 {
        self.data_size.saturating_sub(self.data_used)
    }
}

/// A range of a region given to one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placement {
    /// The region.
    pub kind: RegionKind,
    /// The first address.
    pub addr: u64,
    /// Its length in bytes.
    pub size: u64,
}

impl Placement {
    /// True if `addr` lies in the placement.
    pub const fn contains(&self, addr: u64) -> bool {
        addr >= self.addr && addr - self.addr < self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_bounds() {
        let r = Region::new(0x1000, 0x100);
        assert_eq!(r.end(), 0x1100);
        assert!(r.contains(0x1000) && r.contains(0x10ff));
        assert!(!r.contains(0xfff) && !r.contains(0x1100));
        assert!(r.contains_range(0x1000, 0x100));
        assert!(r.contains_range(0x1100, 0));
        assert!(!r.contains_range(0x1001, 0x100));
        assert!(!r.contains_range(u64::MAX, 2));
        let top = Region::new(u64::MAX - 1, 10);
        assert_eq!(top.end(), u64::MAX);
    }

    #[test]
    fn placement_contains() {
        let p = Placement {
            kind: RegionKind::Code,
            addr: 16,
            size: 4,
        };
        assert!(p.contains(16) && p.contains(19));
        assert!(!p.contains(20) && !p.contains(15));
    }

    #[test]
    fn usage_free() {
        let u = Usage {
            code_used: 10,
            code_size: 100,
            data_used: 0,
            data_size: 50,
        };
        assert_eq!((u.code_free(), u.data_free()), (90, 50));
    }
}
