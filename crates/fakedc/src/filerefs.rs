//! File references, issued statelessly: 4 bytes of issue time and 8 bytes
//! of a keyed hash over (media id, issue time). A reference is valid for
//! the media it was issued for; with an expiry set, it goes stale after
//! that many seconds and upload.getFile answers FILE_REFERENCE_EXPIRED
//! until the client fetches the message again and gets a fresh one — the
//! cycle real Telegram forces on exporters.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::error::RpcErr;
use crate::world::rng::hash;

pub struct FileRefs {
    secret: u64,
    /// Seconds a reference stays valid; 0: forever.
    ttl: AtomicI64,
}

impl FileRefs {
    pub fn new(seed: u64) -> Self {
        FileRefs { secret: hash(&[seed, 0xf11e_4ef5]), ttl: AtomicI64::new(0) }
    }

    pub fn set_ttl(&self, secs: i64) {
        self.ttl.store(secs.max(0), Ordering::Relaxed);
    }

    pub fn issue(&self, media_id: i64, now: i64) -> Vec<u8> {
        let t = now as u32;
        let mut out = t.to_le_bytes().to_vec();
        out.extend_from_slice(&self.mac(media_id, t).to_le_bytes());
        out
    }

    pub fn check(&self, media_id: i64, reference: &[u8], now: i64) -> Result<(), RpcErr> {
        let invalid = || RpcErr::bad_request("FILE_REFERENCE_INVALID");
        if reference.len() != 12 {
            return Err(if reference.is_empty() { RpcErr::bad_request("FILE_REFERENCE_EMPTY") } else { invalid() });
        }
        let t = u32::from_le_bytes(reference[..4].try_into().unwrap());
        let mac = u64::from_le_bytes(reference[4..].try_into().unwrap());
        if mac != self.mac(media_id, t) {
            return Err(invalid());
        }
        let ttl = self.ttl.load(Ordering::Relaxed);
        if ttl > 0 && now - t as i64 >= ttl {
            return Err(RpcErr::bad_request("FILE_REFERENCE_EXPIRED"));
        }
        Ok(())
    }

    fn mac(&self, media_id: i64, t: u32) -> u64 {
        hash(&[self.secret, media_id as u64, t as u64])
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_verify_and_expire() {
        let r = FileRefs::new(1);
        let fr = r.issue(42, 1000);
        assert!(r.check(42, &fr, 5000).is_ok(), "no expiry by default");
        assert_eq!(r.check(43, &fr, 1000).unwrap_err().name, "FILE_REFERENCE_INVALID");
        assert_eq!(r.check(42, &[], 1000).unwrap_err().name, "FILE_REFERENCE_EMPTY");
        r.set_ttl(60);
        assert!(r.check(42, &fr, 1059).is_ok());
        assert_eq!(r.check(42, &fr, 1060).unwrap_err().name, "FILE_REFERENCE_EXPIRED");
        assert!(r.check(42, &r.issue(42, 1060), 1060).is_ok(), "a fresh one works again");
    }
}
