//! A unit's line table: which source line each code address came from, read from the object's
//! DWARF `.debug_line` (relocated to the addresses the unit was placed at) with `gimli`. The
//! debug sections themselves are never loaded onto the device.

use gimli::{AttributeValue, LittleEndian};

/// One row of a [`LineTable`]: the code from `address` up to the next row's address came from
/// line `line` (0: no line) of `files[file]`. A row with `end` set ends a sequence (the address
/// after its last instruction): nothing is known about the addresses after it until the next row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRow {
    pub address: u64,
    pub file: u32,
    pub line: u32,
    pub end: bool,
}

/// The line table of a linked unit, ordered by address; empty when the object has no
/// `.debug_line` (or one that cannot be read: the table is only an aid to error reports).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineTable {
    /// The file names rows refer to, as the compiler wrote them.
    pub files: Vec<String>,
    pub rows: Vec<LineRow>,
}

impl LineTable {
    /// Whether `addr` lies in one of the table's sequences.
    pub fn covers(&self, addr: u64) -> bool {
        self.row_index(addr).is_some()
    }

    /// The nearest row at or before `addr` in `addr`'s sequence that `accept` turns into a
    /// value, with `accept` given the row's file name and line (0: none); walking back over rows that it
    /// refuses (code of inlined functions from another file, say). `None` when `addr` lies in no
    /// sequence or no row of it before `addr` is accepted.
    pub fn find<T>(&self, addr: u64, mut accept: impl FnMut(&str, u32) -> Option<T>) -> Option<T> {
        let mut i = self.row_index(addr)?;
        loop {
            let row = self.rows[i];
            if row.end {
                return None;
            }
            let file = self.files.get(row.file as usize).map_or("", String::as_str);
            if let Some(found) = accept(file, row.line) {
                return Some(found);
            }
            i = i.checked_sub(1)?;
        }
    }

    /// The last row at or before `addr`, if it does not end a sequence.
    fn row_index(&self, addr: u64) -> Option<usize> {
        let after = self.rows.partition_point(|r| r.address <= addr);
        let i = after.checked_sub(1)?;
        (!self.rows[i].end).then_some(i)
    }
}

/// Reads the line programs in `debug_line` (already relocated), whose DWARF 5 file names may
/// point into `debug_line_str` and `debug_str`. `address_size` is the target's pointer size,
/// for line programs older than DWARF 5 whose headers do not give it.
pub(crate) fn read(
    debug_line: &[u8],
    debug_line_str: &[u8],
    debug_str: &[u8],
    address_size: u8,
) -> Result<LineTable, gimli::Error> {
    let line = gimli::DebugLine::new(debug_line, LittleEndian);
    let line_str = gimli::DebugLineStr::new(debug_line_str, LittleEndian);
    let strings = gimli::DebugStr::new(debug_str, LittleEndian);
    let mut table = LineTable::default();
    let mut offset = 0usize;
    while offset < debug_line.len() {
        let program = line.program(gimli::DebugLineOffset(offset), address_size, None, None)?;
        let header = program.header();
        let next =
            offset + header.unit_length() + header.encoding().format.initial_length_size() as usize;
        // This program's file indexes → indexes into `table.files`.
        let mut file_ids: Vec<u32> = Vec::new();
        for entry in header.file_names() {
            let name = match entry.path_name() {
                AttributeValue::String(s) => s.to_string_lossy().into_owned(),
                AttributeValue::DebugLineStrRef(o) => {
                    line_str.get_str(o)?.to_string_lossy().into_owned()
                }
                AttributeValue::DebugStrRef(o) => {
                    strings.get_str(o)?.to_string_lossy().into_owned()
                }
                _ => String::new(),
            };
            file_ids.push(table.files.len() as u32);
            table.files.push(name);
        }
        let version = header.version();
        let mut rows = program.rows();
        while let Some((_, row)) = rows.next_row()? {
            // DWARF 5 numbers files from 0, earlier versions from 1.
            let index = if version >= 5 {
                row.file_index() as usize
            } else {
                (row.file_index() as usize).wrapping_sub(1)
            };
            table.rows.push(LineRow {
                address: row.address(),
                file: file_ids.get(index).copied().unwrap_or(u32::MAX),
                line: row
                    .line()
                    .map_or(0, |l| u32::try_from(l.get()).unwrap_or(0)),
                end: row.end_sequence(),
            });
        }
        if next <= offset {
            break;
        }
        offset = next;
    }
    // Addresses ascending; where a sequence ends at the address another starts, the end first.
    table.rows.sort_by_key(|r| (r.address, !r.end));
    Ok(table)
}
