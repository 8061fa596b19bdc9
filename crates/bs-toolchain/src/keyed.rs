//! Keyed runtime images: a copy of a built image whose settings block (`bs_auth_settings` in
//! `runtime/core/bs_auth.c`) holds a pairing key, the image of a device that runs only
//! authenticated requests (`docs/protocol.md`, section 6). Only the bytes of that block differ
//! from the plain image, so the code, the symbol addresses and the build id are the same and the
//! host links against either.

use std::fs;
use std::path::{Path, PathBuf};

use object::read::elf::{ElfFile32, ElfFile64};
use object::{Object, ObjectSection, ObjectSymbol};

use crate::{RuntimeBuild, ToolchainError, io_err};

/// The settings block's symbol and layout (offsets as in bs_auth.c).
const SETTINGS_SYMBOL: &str = "bs_auth_settings";
const MAGIC: &[u8; 4] = b"BSK1";
const PAIRED_AT: usize = 4;
const KEY_ID_AT: usize = 8;
const KEY_AT: usize = 16;
const SETTINGS_LEN: usize = KEY_AT + 32;

/// Where the settings block lies in the ELF file: its file offset.
fn settings_offset(elf: &[u8]) -> Result<usize, String> {
    fn find<'d, O: Object<'d>>(file: &O) -> Result<usize, String> {
        let symbol = file
            .symbols()
            .find(|s| s.name() == Ok(SETTINGS_SYMBOL))
            .ok_or_else(|| format!("the image has no symbol {SETTINGS_SYMBOL}"))?;
        if symbol.size() != SETTINGS_LEN as u64 {
            return Err(format!(
                "{SETTINGS_SYMBOL} is {} bytes, not {SETTINGS_LEN}",
                symbol.size()
            ));
        }
        let index = symbol
            .section_index()
            .ok_or_else(|| format!("{SETTINGS_SYMBOL} lies in no section"))?;
        let section = file.section_by_index(index).map_err(|e| e.to_string())?;
        let (file_start, file_len) = section
            .file_range()
            .ok_or_else(|| format!("the section of {SETTINGS_SYMBOL} has no bytes in the file"))?;
        let within = symbol
            .address()
            .checked_sub(section.address())
            .filter(|w| w + SETTINGS_LEN as u64 <= file_len)
            .ok_or_else(|| format!("{SETTINGS_SYMBOL} lies outside its section"))?;
        usize::try_from(file_start + within).map_err(|e| e.to_string())
    }
    match elf.get(4) {
        Some(2) => find(&ElfFile64::<object::LittleEndian>::parse(elf).map_err(|e| e.to_string())?),
        _ => find(&ElfFile32::<object::LittleEndian>::parse(elf).map_err(|e| e.to_string())?),
    }
}

/// The bytes of `elf` with `key` (and its id) written into the settings block.
pub fn with_key(elf: &[u8], key: &[u8; 32], key_id: &[u8; 8]) -> Result<Vec<u8>, String> {
    let at = settings_offset(elf)?;
    let mut out = elf.to_vec();
    let block = &mut out[at..at + SETTINGS_LEN];
    if &block[..4] != MAGIC {
        return Err(format!(
            "{SETTINGS_SYMBOL} does not start with its magic bytes"
        ));
    }
    block[PAIRED_AT] = 1;
    block[KEY_ID_AT..KEY_AT].copy_from_slice(key_id);
    block[KEY_AT..].copy_from_slice(key);
    Ok(out)
}

/// The key id a runtime image holds, if it is keyed.
pub fn image_key_id(elf: &[u8]) -> Result<Option<[u8; 8]>, String> {
    let at = settings_offset(elf)?;
    let block = &elf[at..at + SETTINGS_LEN];
    Ok((block[PAIRED_AT] == 1).then(|| {
        let mut id = [0u8; 8];
        id.copy_from_slice(&block[KEY_ID_AT..KEY_AT]);
        id
    }))
}

/// The keyed copy of `runtime`'s image for `key`, made unless it exists: `keyed-<key id>/bs-runtime`
/// beside the plain image, readable by its owner only (it holds the key).
pub fn ensure_keyed_image(
    runtime: &RuntimeBuild,
    key: &[u8; 32],
    key_id: &[u8; 8],
) -> Result<PathBuf, ToolchainError> {
    let id: String = key_id.iter().map(|b| format!("{b:02x}")).collect();
    let base = runtime.image.parent().unwrap_or(Path::new("."));
    let dir = base.join(format!("keyed-{id}"));
    let image = dir.join("bs-runtime");
    if image.is_file() {
        return Ok(image);
    }
    let plain = fs::read(&runtime.image).map_err(io_err("cannot read", &runtime.image))?;
    let keyed = with_key(&plain, key, key_id).map_err(|e| ToolchainError::RuntimeBuild {
        port: runtime.image.display().to_string(),
        stderr: format!("cannot write the key into the runtime image: {e}"),
    })?;
    fs::create_dir_all(&dir).map_err(io_err("cannot create", &dir))?;
    let tmp = dir.join(format!("bs-runtime.{}.tmp", std::process::id()));
    write_private(&tmp, &keyed)?;
    fs::rename(&tmp, &image).map_err(io_err("cannot write", &image))?;
    Ok(image)
}

/// Writes a file only its owner may read (and run: the host port's image is a program).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ToolchainError> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o700);
    }
    let mut file = options.open(path).map_err(io_err("cannot create", path))?;
    file.write_all(bytes).map_err(io_err("cannot write", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keyed_image_differs_from_the_plain_one_only_in_its_settings_block() {
        let runtime = crate::ensure_runtime(&crate::HOST).expect("the host runtime builds");
        let plain = fs::read(&runtime.image).unwrap();
        assert_eq!(image_key_id(&plain), Ok(None));
        let key = [0x5Au8; 32];
        let id = [1, 2, 3, 4, 5, 6, 7, 8];
        let keyed = with_key(&plain, &key, &id).unwrap();
        assert_eq!(image_key_id(&keyed), Ok(Some(id)));
        assert_eq!(keyed.len(), plain.len());
        let at = settings_offset(&plain).unwrap();
        let differ: Vec<usize> = (0..plain.len()).filter(|&i| plain[i] != keyed[i]).collect();
        assert!(!differ.is_empty());
        assert!(
            differ.iter().all(|&i| (at..at + SETTINGS_LEN).contains(&i)),
            "bytes outside the settings block changed"
        );
        assert_eq!(&keyed[at + KEY_AT..at + SETTINGS_LEN], &key);
        // Not an image of ours: said so, no panic.
        assert!(with_key(b"\x7fELF", &key, &id).is_err());
    }
}
