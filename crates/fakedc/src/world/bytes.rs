//! File contents: derived, never stored.
//!
//! A file's bytes are the output stream of SplitMix64 seeded with
//! [`file_seed`], each 64-bit output written little-endian. Any range can be
//! computed without the bytes before it, so the server serves an arbitrary
//! `upload.getFile` offset in O(len), and a test (or an independent tool, see
//! docs/world-format.md) can check a download without fakedc.

use super::FileKey;
use super::rng::{GOLDEN, hash, mix};

/// The seed of one file: `hash([world_seed, kind, id, size_letter])` with kind
/// 1 = photo size, 2 = document, 3 = document thumbnail, and size_letter the
/// letter's code point (0 for a document's main file).
pub fn file_seed(world_seed: u64, key: &FileKey) -> u64 {
    let (kind, id, letter) = match *key {
        FileKey::Photo { id, size } => (1, id, size as u64),
        FileKey::Document { id } => (2, id, 0),
        FileKey::DocumentThumb { id, size } => (3, id, size as u64),
    };
    hash(&[world_seed, kind, id as u64, letter])
}

/// The `index`-th 8-byte word of a file: SplitMix64's output number index+1.
#[inline(always)]
fn word(file_seed: u64, index: u64) -> [u8; 8] {
    mix(file_seed.wrapping_add(index.wrapping_add(1).wrapping_mul(GOLDEN))).to_le_bytes()
}

/// Writes bytes `offset .. offset + buf.len()` of the file into `buf`.
pub fn fill(file_seed: u64, offset: u64, buf: &mut [u8]) {
    let mut index = offset / 8;
    let skip = (offset % 8) as usize;
    let mut rest = buf;
    if skip != 0 {
        let w = word(file_seed, index);
        let n = (8 - skip).min(rest.len());
        rest[..n].copy_from_slice(&w[skip..skip + n]);
        rest = &mut rest[n..];
        index += 1;
    }
    let mut chunks = rest.chunks_exact_mut(8);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&word(file_seed, index));
        index += 1;
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let n = tail.len();
        tail.copy_from_slice(&word(file_seed, index)[..n]);
    }
}

/// Bytes `offset .. offset + len` of the file.
pub fn bytes(file_seed: u64, offset: u64, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    fill(file_seed, offset, &mut buf);
    buf
}

/// Bytes of a world's file. Not clipped: the caller knows the file's size.
pub fn file_bytes(world_seed: u64, key: &FileKey, offset: u64, len: usize) -> Vec<u8> {
    bytes(file_seed(world_seed, key), offset, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_offset_matches_the_whole_file() {
        let seed = file_seed(7, &FileKey::Document { id: 123 });
        let whole = bytes(seed, 0, 4096);
        for offset in [0usize, 1, 3, 7, 8, 9, 15, 16, 17, 1000, 4000] {
            for len in [0usize, 1, 2, 5, 8, 9, 17, 64, 95] {
                if offset + len > whole.len() {
                    continue;
                }
                assert_eq!(
                    bytes(seed, offset as u64, len),
                    &whole[offset..offset + len],
                    "offset {offset} len {len}"
                );
            }
        }
    }

    #[test]
    fn files_differ() {
        let a = file_seed(1, &FileKey::Photo { id: 5, size: 'x' });
        let b = file_seed(1, &FileKey::Photo { id: 5, size: 'y' });
        let c = file_seed(2, &FileKey::Photo { id: 5, size: 'x' });
        let d = file_seed(1, &FileKey::DocumentThumb { id: 5, size: 'x' });
        assert!(a != b && a != c && a != d);
        assert_ne!(bytes(a, 0, 32), bytes(b, 0, 32));
    }

    /// Values computed by the Python reference in docs/world-format.md; if
    /// this fails, every saved download checksum is wrong.
    #[test]
    fn matches_the_python_reference() {
        let hex = |b: Vec<u8>| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let doc = file_seed(42, &FileKey::Document { id: 5001 });
        assert_eq!(doc, 0x35de_ad5d_fbd3_750c);
        assert_eq!(hex(bytes(doc, 0, 16)), "ee66871765926baef0f6f330747f7848");
        assert_eq!(hex(bytes(doc, 1_000_003, 5)), "7a50178ebb");
        let photo = file_seed(42, &FileKey::Photo { id: -7, size: 'x' });
        assert_eq!(photo, 0xe6be_1d85_1423_ceac);
        assert_eq!(hex(bytes(photo, 5, 11)), "782f3cdf985a35dac0efc9");
    }

    /// The documented definition, spelled out the slow way.
    #[test]
    fn matches_the_documented_definition() {
        let seed: u64 = 0x1234_5678_9ABC_DEF0;
        let mut state = seed;
        let mut expected = Vec::new();
        for _ in 0..4 {
            state = state.wrapping_add(GOLDEN);
            expected.extend_from_slice(&mix(state).to_le_bytes());
        }
        assert_eq!(bytes(seed, 0, 32), expected);
    }
}
