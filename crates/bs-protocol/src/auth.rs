//! Authenticated requests (`docs/protocol.md`, section 6). A paired device runs only requests
//! whose kind carries [`AUTH_FLAG`] and whose payload ends with a trailer: a u32 counter that
//! grows with every request and the first [`AUTH_MAC_LEN`] bytes of an HMAC-SHA-256 with the
//! pairing [`Key`] over the frame's header, the device's nonce (from HELLO_REPLY, chosen anew at
//! every start of the device; not in the frame), the body and the counter. [`seal`] makes such a
//! frame; [`open`] checks one as the device does.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::{Frame, HEADER_LEN, MAGIC};

pub use bs_abi::{
    AUTH_FLAG, AUTH_KEY_ID_LEN, AUTH_KEY_LEN, AUTH_MAC_LEN, AUTH_MODE_HMAC_SHA256, AUTH_NONCE_LEN,
    AUTH_TRAILER_LEN, AuthRefusal,
};

type HmacSha256 = Hmac<Sha256>;

/// A pairing key: 32 secret bytes. Its `Debug` shows only its [id](Key::id).
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; AUTH_KEY_LEN]);

/// Which key a device holds: derived from the key by a one-way function, so it may be shown,
/// written into project files and sent in HELLO_REPLY.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeyId(pub [u8; AUTH_KEY_ID_LEN]);

/// Text that is not a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key is 64 hexadecimal digits; {0}")]
pub struct BadKeyText(String);

impl Key {
    /// The key with these bytes.
    pub const fn from_bytes(bytes: [u8; AUTH_KEY_LEN]) -> Key {
        Key(bytes)
    }

    /// The key's bytes.
    pub const fn bytes(&self) -> &[u8; AUTH_KEY_LEN] {
        &self.0
    }

    /// The key's id: the first bytes of HMAC-SHA-256(key, "BlueScript key id").
    pub fn id(&self) -> KeyId {
        let mut id = [0u8; AUTH_KEY_ID_LEN];
        id.copy_from_slice(&hmac(&self.0, &[b"BlueScript key id"])[..AUTH_KEY_ID_LEN]);
        KeyId(id)
    }

    /// The key as lowercase hexadecimal digits (how key files hold it).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A key from its hexadecimal digits (surrounding white space is ignored).
    pub fn from_hex(text: &str) -> Result<Key, BadKeyText> {
        let text = text.trim();
        let digits = text.as_bytes();
        if digits.len() != 2 * AUTH_KEY_LEN {
            return Err(BadKeyText(format!("found {} characters", digits.len())));
        }
        let mut key = [0u8; AUTH_KEY_LEN];
        for (i, pair) in digits.chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(|_| BadKeyText("not ASCII".into()))?;
            key[i] = u8::from_str_radix(pair, 16)
                .map_err(|_| BadKeyText(format!("`{pair}` is not a hexadecimal byte")))?;
        }
        Ok(Key(key))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(id {})", self.id())
    }
}

impl KeyId {
    /// The id from its hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<KeyId> {
        let digits = text.trim().as_bytes();
        if digits.len() != 2 * AUTH_KEY_ID_LEN {
            return None;
        }
        let mut id = [0u8; AUTH_KEY_ID_LEN];
        for (i, pair) in digits.chunks(2).enumerate() {
            id[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(KeyId(id))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length.
    let Ok(mut mac) = <HmacSha256 as KeyInit>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of every length")
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The MAC of an authenticated frame: over its header (with the flagged kind and the length of
/// the whole payload), the nonce and its payload up to the MAC (body and counter).
fn frame_mac(
    key: &Key,
    kind: u8,
    seq: u8,
    reply_to: u8,
    nonce: &[u8; AUTH_NONCE_LEN],
    signed: &[u8],
) -> [u8; AUTH_MAC_LEN] {
    let len = (signed.len() + AUTH_MAC_LEN) as u16;
    let [lo, hi] = len.to_le_bytes();
    let header: [u8; HEADER_LEN] = [MAGIC, kind, seq, reply_to, lo, hi];
    let full = hmac(&key.0, &[&header, nonce, signed]);
    let mut mac = [0u8; AUTH_MAC_LEN];
    mac.copy_from_slice(&full[..AUTH_MAC_LEN]);
    mac
}

/// `frame` as an authenticated request: its kind with [`AUTH_FLAG`], its payload followed by the
/// trailer (counter, MAC) for the device whose nonce is `nonce`.
pub fn seal(frame: &Frame, key: &Key, nonce: &[u8; AUTH_NONCE_LEN], counter: u32) -> Frame {
    let kind = frame.kind | AUTH_FLAG;
    let mut payload = Vec::with_capacity(frame.payload.len() + AUTH_TRAILER_LEN);
    payload.extend_from_slice(&frame.payload);
    payload.extend_from_slice(&counter.to_le_bytes());
    let mac = frame_mac(key, kind, frame.seq, frame.reply_to, nonce, &payload);
    payload.extend_from_slice(&mac);
    Frame {
        kind,
        seq: frame.seq,
        reply_to: frame.reply_to,
        payload,
    }
}

/// What [`open`] found in an authenticated frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The request as it was before [`seal`].
    pub frame: Frame,
    /// Its counter.
    pub counter: u32,
}

/// Checks an authenticated frame as a paired device does, against `key` and the device's
/// `nonce`, for a device whose last request ran with counter `last` (the order of the checks is
/// the device's: flag, MAC, counter).
pub fn open(
    frame: &Frame,
    key: &Key,
    nonce: &[u8; AUTH_NONCE_LEN],
    last: u32,
) -> Result<Opened, AuthRefusal> {
    if frame.kind & AUTH_FLAG == 0 {
        return Err(AuthRefusal::Missing);
    }
    let len = frame.payload.len();
    if len < AUTH_TRAILER_LEN {
        return Err(AuthRefusal::BadMac);
    }
    let (signed, mac) = frame.payload.split_at(len - AUTH_MAC_LEN);
    let want = frame_mac(key, frame.kind, frame.seq, frame.reply_to, nonce, signed);
    // Constant time: the difference of every byte is gathered before it is looked at.
    if want.iter().zip(mac).fold(0u8, |d, (a, b)| d | (a ^ b)) != 0 {
        return Err(AuthRefusal::BadMac);
    }
    let body = len - AUTH_TRAILER_LEN;
    let c = &frame.payload[body..body + 4];
    let counter = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    if counter <= last {
        return Err(AuthRefusal::Replayed);
    }
    Ok(Opened {
        frame: Frame {
            kind: frame.kind & !AUTH_FLAG,
            seq: frame.seq,
            reply_to: frame.reply_to,
            payload: frame.payload[..body].to_vec(),
        },
        counter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, Request};

    const KEY: Key = Key::from_bytes([7; AUTH_KEY_LEN]);
    const NONCE: [u8; AUTH_NONCE_LEN] = [1, 2, 3, 4, 5, 6, 7, 8];

    #[test]
    fn the_mac_is_rfc_2104_hmac_sha256_over_header_and_payload() {
        // RFC 4231, test case 2, through the same helper.
        assert_eq!(
            hex(&hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"])),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let frame = Request::Call {
            entry: 0x1234,
            loads: vec![],
        }
        .encode(9);
        let sealed = seal(&frame, &KEY, &NONCE, 5);
        assert_eq!(sealed.kind, Kind::Call.code() | AUTH_FLAG);
        assert_eq!(sealed.payload.len(), 4 + AUTH_TRAILER_LEN);
        let mut header = vec![MAGIC, sealed.kind, 9, 0];
        header.extend_from_slice(&(sealed.payload.len() as u16).to_le_bytes());
        let signed = &sealed.payload[..sealed.payload.len() - AUTH_MAC_LEN];
        assert_eq!(
            hmac(KEY.bytes(), &[&header, &NONCE, signed])[..AUTH_MAC_LEN],
            sealed.payload[sealed.payload.len() - AUTH_MAC_LEN..]
        );
    }

    #[test]
    fn open_undoes_seal_and_refuses_what_the_device_refuses() {
        let frame = Request::Load {
            addr: 0x100,
            bytes: vec![1, 2, 3],
        }
        .encode(3);
        let sealed = seal(&frame, &KEY, &NONCE, 10);
        let opened = open(&sealed, &KEY, &NONCE, 9).expect("valid");
        assert_eq!(opened.frame, frame);
        assert_eq!(opened.counter, 10);
        assert_eq!(open(&frame, &KEY, &NONCE, 0), Err(AuthRefusal::Missing));
        let other = Key::from_bytes([8; AUTH_KEY_LEN]);
        assert_eq!(open(&sealed, &other, &NONCE, 0), Err(AuthRefusal::BadMac));
        // Made for another start of the device (another nonce): the MAC does not verify.
        assert_eq!(open(&sealed, &KEY, &[0; 8], 0), Err(AuthRefusal::BadMac));
        assert_eq!(open(&sealed, &KEY, &NONCE, 10), Err(AuthRefusal::Replayed));
        // Any changed byte of header or payload breaks the MAC.
        for i in 0..sealed.payload.len() {
            let mut bad = sealed.clone();
            bad.payload[i] ^= 0x20;
            assert_eq!(
                open(&bad, &KEY, &NONCE, 0),
                Err(AuthRefusal::BadMac),
                "byte {i}"
            );
        }
        let mut bad = sealed.clone();
        bad.seq ^= 1;
        assert_eq!(open(&bad, &KEY, &NONCE, 0), Err(AuthRefusal::BadMac));
        let mut short = sealed;
        short.payload.truncate(AUTH_TRAILER_LEN - 1);
        assert_eq!(open(&short, &KEY, &NONCE, 0), Err(AuthRefusal::BadMac));
    }

    #[test]
    fn keys_and_ids_round_trip_through_text() {
        let key = Key::from_bytes(core::array::from_fn(|i| i as u8 * 7));
        assert_eq!(
            Key::from_hex(&format!(" {}\n", key.to_hex())),
            Ok(key.clone())
        );
        assert!(Key::from_hex("12").is_err());
        assert!(Key::from_hex(&"zz".repeat(32)).is_err());
        let id = key.id();
        assert_eq!(KeyId::from_hex(&id.to_string()), Some(id));
        assert_ne!(id, KEY.id());
        assert!(!format!("{key:?}").contains(&key.to_hex()));
    }
}
