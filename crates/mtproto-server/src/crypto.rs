//! MTProto 2.0 message encryption, both directions.
//!
//! grammers-crypto only encrypts as a client and decrypts as a client (its
//! `Side` is private), so the key derivation is written here from the
//! specification (<https://core.telegram.org/mtproto/description>); only the
//! AES-IGE block mode is reused from grammers-crypto.
//!
//! `x` selects the direction: [`FROM_CLIENT`] (0) for messages the client
//! sends, [`TO_CLIENT`] (8) for messages the server sends. The server uses
//! `decrypt_from_client` and `encrypt_to_client`; the other two functions
//! are the client's half, for tests and tools.
//!
//! An encrypted payload is `auth_key_id:8 | msg_key:16 | AES-IGE(plaintext)`
//! where the plaintext carries 12..=1024 bytes of random padding and is a
//! multiple of 16 bytes long.

use std::fmt;

use grammers_crypto::aes::{ige_decrypt, ige_encrypt};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::random;

/// `x` for messages from the client to the server.
pub const FROM_CLIENT: usize = 0;
/// `x` for messages from the server to the client.
pub const TO_CLIENT: usize = 8;

/// auth_key_id + msg_key.
pub const HEADER_LEN: usize = 8 + 16;

/// A pre-provisioned 256-byte auth key.
///
/// Debug and Display show only the id: the key bytes never reach a log.
#[derive(Clone)]
pub struct AuthKey {
    key: [u8; 256],
    id: u64,
}

impl AuthKey {
    pub fn new(bytes: [u8; 256]) -> Self {
        let sha: [u8; 20] = Sha1::digest(bytes).into();
        let id = u64::from_le_bytes(sha[12..20].try_into().unwrap());
        Self { key: bytes, id }
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 256];
        random::fill(&mut bytes);
        Self::new(bytes)
    }

    /// sha1(key)[12..20], little-endian: what the client puts in front of
    /// every encrypted message.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The raw key, for writing a client's session file. Never log it.
    pub fn bytes(&self) -> &[u8; 256] {
        &self.key
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthKey(id={:016x})", self.id)
    }
}

impl fmt::Display for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.id)
    }
}

impl PartialEq for AuthKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for AuthKey {}

/// aes_key and aes_iv for one message (MTProto 2.0 KDF).
pub fn derive_aes(key: &AuthKey, msg_key: &[u8; 16], x: usize) -> ([u8; 32], [u8; 32]) {
    debug_assert!(x == FROM_CLIENT || x == TO_CLIENT);
    let k = &key.key;
    let a: [u8; 32] = Sha256::new()
        .chain_update(msg_key)
        .chain_update(&k[x..x + 36])
        .finalize()
        .into();
    let b: [u8; 32] = Sha256::new()
        .chain_update(&k[40 + x..40 + x + 36])
        .chain_update(msg_key)
        .finalize()
        .into();

    let mut aes_key = [0u8; 32];
    aes_key[..8].copy_from_slice(&a[..8]);
    aes_key[8..24].copy_from_slice(&b[8..24]);
    aes_key[24..].copy_from_slice(&a[24..]);

    let mut aes_iv = [0u8; 32];
    aes_iv[..8].copy_from_slice(&b[..8]);
    aes_iv[8..24].copy_from_slice(&a[8..24]);
    aes_iv[24..].copy_from_slice(&b[24..]);
    (aes_key, aes_iv)
}

/// msg_key = sha256(auth_key[88+x .. 120+x] ++ plaintext)[8..24], the
/// plaintext including its padding.
pub fn msg_key(key: &AuthKey, plaintext: &[u8], x: usize) -> [u8; 16] {
    let large: [u8; 32] = Sha256::new()
        .chain_update(&key.key[88 + x..120 + x])
        .chain_update(plaintext)
        .finalize()
        .into();
    large[8..24].try_into().unwrap()
}

/// Padding for a plaintext of `len` bytes: the smallest of 12..=27 that
/// makes the total a multiple of 16 (any 12..=1024 would do; shorter is
/// less to hash and encrypt).
pub fn padding_len(len: usize) -> usize {
    12 + (16 - (len + 12) % 16) % 16
}

/// Encrypts in place. `buf[..24]` is overwritten with auth_key_id and
/// msg_key; `buf[24..]` is the padded plaintext.
///
/// # Panics
/// If `buf[24..]` is empty or not a multiple of 16 bytes.
pub fn seal_in_place(key: &AuthKey, x: usize, buf: &mut [u8]) {
    let (header, body) = buf.split_at_mut(HEADER_LEN);
    assert!(
        !body.is_empty() && body.len().is_multiple_of(16),
        "plaintext must be padded to 16 bytes"
    );
    let mk = msg_key(key, body, x);
    let (aes_key, aes_iv) = derive_aes(key, &mk, x);
    ige_encrypt(body, &aes_key, &aes_iv);
    header[..8].copy_from_slice(&key.id.to_le_bytes());
    header[8..].copy_from_slice(&mk);
}

/// Decrypts in place and verifies auth_key_id and msg_key. Returns the
/// plaintext (padding included).
pub fn open_in_place<'a>(key: &AuthKey, x: usize, buf: &'a mut [u8]) -> Result<&'a mut [u8]> {
    if buf.len() < HEADER_LEN + 16 || !(buf.len() - HEADER_LEN).is_multiple_of(16) {
        return Err(Error::BadCiphertextLength { len: buf.len() });
    }
    let got = auth_key_id(buf).unwrap_or_default();
    if got != key.id {
        return Err(Error::AuthKeyMismatch {
            expected: key.id,
            got,
        });
    }
    let (header, body) = buf.split_at_mut(HEADER_LEN);
    let mk: [u8; 16] = header[8..].try_into().unwrap();
    let (aes_key, aes_iv) = derive_aes(key, &mk, x);
    ige_decrypt(body, &aes_key, &aes_iv);
    let expected = msg_key(key, body, x);
    // Constant time, though a fake DC hardly needs it: cheap to get right.
    if expected.iter().zip(&mk).fold(0u8, |d, (a, b)| d | (a ^ b)) != 0 {
        return Err(Error::MsgKeyMismatch);
    }
    Ok(body)
}

/// The auth_key_id a payload starts with.
pub fn auth_key_id(payload: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(payload.get(..8)?.try_into().unwrap()))
}

/// Server side: opens a message from the client.
pub fn decrypt_from_client<'a>(key: &AuthKey, payload: &'a mut [u8]) -> Result<&'a mut [u8]> {
    open_in_place(key, FROM_CLIENT, payload)
}

/// Server side: encrypts `plaintext` (unpadded) for the client, with random
/// padding. The connection writer uses [`seal_in_place`] instead, to build
/// frames without copying.
pub fn encrypt_to_client(key: &AuthKey, plaintext: &[u8]) -> Vec<u8> {
    seal_padded(key, TO_CLIENT, plaintext)
}

/// Client side: encrypts `plaintext` (unpadded) for the server.
pub fn encrypt_from_client(key: &AuthKey, plaintext: &[u8]) -> Vec<u8> {
    seal_padded(key, FROM_CLIENT, plaintext)
}

/// Client side: opens a message from the server.
pub fn decrypt_to_client<'a>(key: &AuthKey, payload: &'a mut [u8]) -> Result<&'a mut [u8]> {
    open_in_place(key, TO_CLIENT, payload)
}

fn seal_padded(key: &AuthKey, x: usize, plaintext: &[u8]) -> Vec<u8> {
    let pad = padding_len(plaintext.len());
    let mut buf = vec![0u8; HEADER_LEN + plaintext.len() + pad];
    buf[HEADER_LEN..HEADER_LEN + plaintext.len()].copy_from_slice(plaintext);
    random::fill(&mut buf[HEADER_LEN + plaintext.len()..]);
    seal_in_place(key, x, &mut buf);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting_key() -> AuthKey {
        AuthKey::new(std::array::from_fn(|i| i as u8))
    }

    #[test]
    fn auth_key_id_matches_grammers() {
        // grammers-crypto's own test expects these key_id bytes for the
        // counting key (auth_key.rs, auth_key_id).
        let key = counting_key();
        assert_eq!(
            key.id().to_le_bytes(),
            [50, 209, 88, 110, 164, 87, 223, 200]
        );
    }

    #[test]
    fn debug_and_display_hide_the_key() {
        let key = AuthKey::new([0xab; 256]);
        let shown = format!("{key:?} {key}");
        assert!(!shown.to_lowercase().contains("abab"), "{shown}");
        assert!(shown.contains(&format!("{:016x}", key.id())));
    }

    #[test]
    fn derive_matches_grammers_client_and_server_vectors() {
        // grammers-crypto lib.rs tests calc_client_key / calc_server_key:
        // counting auth key, counting msg_key.
        let key = counting_key();
        let mk: [u8; 16] = std::array::from_fn(|i| i as u8);
        let client = derive_aes(&key, &mk, FROM_CLIENT);
        assert_eq!(
            client.0,
            [
                112, 78, 208, 156, 139, 65, 102, 138, 232, 249, 157, 36, 71, 56, 247, 29, 189, 220,
                68, 70, 155, 107, 189, 74, 168, 87, 61, 208, 66, 189, 5, 158
            ]
        );
        let server = derive_aes(&key, &mk, TO_CLIENT);
        assert_eq!(
            server.0,
            [
                33, 119, 37, 121, 155, 36, 88, 6, 69, 129, 116, 161, 252, 251, 200, 131, 144, 104,
                7, 177, 80, 51, 253, 208, 234, 43, 77, 105, 207, 156, 54, 78
            ]
        );
        assert_eq!(
            server.1,
            [
                102, 154, 101, 56, 145, 122, 79, 165, 108, 163, 35, 96, 164, 49, 201, 22, 11, 228,
                173, 136, 113, 64, 152, 13, 171, 145, 206, 123, 220, 71, 255, 188
            ]
        );
    }

    #[test]
    fn padding_is_12_to_27_and_aligns() {
        for len in 0..200 {
            let p = padding_len(len);
            assert!((12..=27).contains(&p), "{len}: {p}");
            assert_eq!((len + p) % 16, 0, "{len}");
        }
    }

    #[test]
    fn round_trip_both_directions() {
        let key = AuthKey::generate();
        let plain: Vec<u8> = (0..100u8).collect();
        let mut to_client = encrypt_to_client(&key, &plain);
        let opened = decrypt_to_client(&key, &mut to_client).unwrap();
        assert_eq!(&opened[..100], &plain[..]);

        let mut from_client = encrypt_from_client(&key, &plain);
        let opened = decrypt_from_client(&key, &mut from_client).unwrap();
        assert_eq!(&opened[..100], &plain[..]);
    }

    #[test]
    fn direction_matters() {
        // A server message replayed to the server must not verify.
        let key = AuthKey::generate();
        let mut sealed = encrypt_to_client(&key, &[7u8; 64]);
        assert!(matches!(
            decrypt_from_client(&key, &mut sealed),
            Err(Error::MsgKeyMismatch)
        ));
    }

    #[test]
    fn tampering_is_detected() {
        let key = AuthKey::generate();
        let sealed = encrypt_from_client(&key, &[1u8; 48]);
        for at in [8, 23, 24, 40, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[at] ^= 0x01;
            assert!(
                matches!(
                    decrypt_from_client(&key, &mut bad),
                    Err(Error::MsgKeyMismatch)
                ),
                "flip at {at}"
            );
        }
        let mut bad = sealed.clone();
        bad[0] ^= 1;
        assert!(matches!(
            decrypt_from_client(&key, &mut bad),
            Err(Error::AuthKeyMismatch { .. })
        ));
        let mut short = sealed[..sealed.len() - 4].to_vec();
        assert!(matches!(
            decrypt_from_client(&key, &mut short),
            Err(Error::BadCiphertextLength { .. })
        ));
        let other = AuthKey::generate();
        let mut ok = sealed.clone();
        assert!(matches!(
            decrypt_from_client(&other, &mut ok),
            Err(Error::AuthKeyMismatch { .. })
        ));
    }
}
