//! fakedc's clock: real time plus an offset tests can advance, so time-based
//! rules (the takeout init delay, expiring file references) are tested
//! without sleeping and without timing luck.

use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Default, Debug)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// Unix seconds.
    pub fn now(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.offset.load(Ordering::Relaxed)
    }
    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::Relaxed);
    }
}
