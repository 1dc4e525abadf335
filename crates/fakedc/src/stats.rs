//! Inspection counters: requests by method, errors sent by name, bytes
//! served. Tests read them to prove what the client did (e.g. that an
//! incremental export fetched only what was new); `serve` prints them at
//! shutdown.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

#[derive(Default)]
pub struct Stats {
    inner: Mutex<Counts>,
    bytes_served: AtomicU64,
    file_bytes_served: AtomicU64,
}

/// A snapshot of the counters. Method names are TL names
/// ("users.getUsers"); wrapped requests count once per layer, under the
/// innermost method, plus the wrapper ("invokeWithTakeout").
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Counts {
    pub requests: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    pub bytes_served: u64,
    pub file_bytes_served: u64,
}

impl Counts {
    pub fn requests_of(&self, method: &str) -> u64 {
        self.requests.get(method).copied().unwrap_or(0)
    }
    pub fn errors_of(&self, name: &str) -> u64 {
        self.errors.get(name).copied().unwrap_or(0)
    }
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
}

impl Stats {
    pub fn request(&self, method: &str) {
        *self.inner.lock().unwrap().requests.entry(method.to_owned()).or_default() += 1;
    }
    pub fn error(&self, name: &str) {
        *self.inner.lock().unwrap().errors.entry(name.to_owned()).or_default() += 1;
    }
    pub fn served(&self, bytes: usize) {
        self.bytes_served.fetch_add(bytes as u64, Ordering::Relaxed);
    }
    pub fn file_served(&self, bytes: usize) {
        self.file_bytes_served.fetch_add(bytes as u64, Ordering::Relaxed);
    }
    pub fn snapshot(&self) -> Counts {
        let mut c = self.inner.lock().unwrap().clone();
        c.bytes_served = self.bytes_served.load(Ordering::Relaxed);
        c.file_bytes_served = self.file_bytes_served.load(Ordering::Relaxed);
        c
    }
    pub fn reset(&self) {
        *self.inner.lock().unwrap() = Counts::default();
        self.bytes_served.store(0, Ordering::Relaxed);
        self.file_bytes_served.store(0, Ordering::Relaxed);
    }
}
