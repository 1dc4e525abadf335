//! Misbehaving on purpose, so that retry and resume are tested against the
//! faults real Telegram throws. Every fault is reproducible: counters, or
//! draws from a seeded generator, never wall-clock luck.

use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Default)]
pub struct Faults {
    /// Close the connection instead of answering the next N requests.
    drop_next: AtomicU32,
}

/// What the service does with one request before running it.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Serve,
    Drop,
}

impl Faults {
    pub fn drop_next(&self, n: u32) {
        self.drop_next.store(n, Ordering::SeqCst);
    }

    pub fn verdict(&self) -> Verdict {
        let took = self.drop_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if took.is_ok() { Verdict::Drop } else { Verdict::Serve }
    }
}
