//! Misbehaving on purpose, so that retry and resume are tested against the
//! faults real Telegram throws: latency, flood limits (FLOOD_WAIT_X),
//! dropped connections, 500 INTERNAL, takeout sessions invalidated mid-run,
//! a bandwidth cap (file references that expire live in `filerefs`).
//!
//! Every fault is reproducible: counters, or draws from a generator seeded
//! by the server's seed, in request order. With one client sending one
//! request at a time, the same seed gives the same sequence of faults.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::RpcErr;
use crate::world::rng::Rng;

/// What to inject. The default injects nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultConfig {
    /// Added to every answer: a simulated round trip.
    pub latency: Duration,
    /// Requests per second allowed per method class (history, dialogs,
    /// files, other), with a burst of the same size; beyond that,
    /// FLOOD_WAIT_X with the real seconds until a request is allowed.
    pub flood_per_sec: Option<f64>,
    /// Drop the connection instead of answering every Nth request.
    pub drop_every: Option<u64>,
    /// Drop the connection with this probability per request.
    pub drop_probability: f64,
    /// Answer 500 INTERNAL with this probability per request.
    pub internal_error_probability: f64,
    /// Invalidate the live takeout session once, after this many requests.
    pub invalidate_takeout_after: Option<u64>,
    /// Bytes per second for file parts, summed over all connections.
    pub bandwidth: Option<u64>,
    /// Never answer every Nth upload.getFile (counted over getFile
    /// requests only): a stalled part, as a stuck Telegram connection
    /// gives. The connection stays up; only that request goes unanswered.
    pub stall_files_every: Option<u64>,
}

/// What the service does with one request before running it.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Serve,
    Drop,
    Fail(RpcErr),
    /// Never answer (the request is held until the connection closes).
    Stall,
}

pub struct Faults {
    config: Mutex<FaultConfig>,
    /// Close the connection instead of answering the next N requests (tests).
    drop_next: AtomicU32,
    requests: AtomicU64,
    file_requests: AtomicU64,
    rng: Mutex<Rng>,
    buckets: Mutex<HashMap<&'static str, Bucket>>,
    takeout_invalidated: Mutex<bool>,
    bandwidth_next_free: Mutex<Instant>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Faults {
    pub fn new(config: FaultConfig, seed: u64) -> Self {
        Faults {
            config: Mutex::new(config),
            drop_next: AtomicU32::new(0),
            requests: AtomicU64::new(0),
            file_requests: AtomicU64::new(0),
            rng: Mutex::new(Rng::derive(&[seed, 0xfa_0175])),
            buckets: Mutex::new(HashMap::new()),
            takeout_invalidated: Mutex::new(false),
            bandwidth_next_free: Mutex::new(Instant::now()),
        }
    }

    pub fn config(&self) -> FaultConfig {
        self.config.lock().unwrap().clone()
    }

    /// Replaces the configuration while serving (tests switch faults on and off).
    pub fn set_config(&self, config: FaultConfig) {
        *self.config.lock().unwrap() = config;
        self.buckets.lock().unwrap().clear();
        *self.takeout_invalidated.lock().unwrap() = false;
        self.requests.store(0, Ordering::SeqCst);
        self.file_requests.store(0, Ordering::SeqCst);
    }

    pub fn drop_next(&self, n: u32) {
        self.drop_next.store(n, Ordering::SeqCst);
    }

    /// Decides the fate of one request of `method` (a TL name).
    pub fn verdict(&self, method: &str) -> Verdict {
        if self.drop_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            return Verdict::Drop;
        }
        let cfg = self.config.lock().unwrap().clone();
        let n = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        if cfg.drop_every.is_some_and(|every| every > 0 && n % every == 0) {
            return Verdict::Drop;
        }
        if method == "upload.getFile" {
            let f = self.file_requests.fetch_add(1, Ordering::SeqCst) + 1;
            if cfg.stall_files_every.is_some_and(|every| every > 0 && f % every == 0) {
                return Verdict::Stall;
            }
        }
        // Draw both numbers every time so the sequence does not depend on
        // which faults are switched on.
        let (d, e) = {
            let mut r = self.rng.lock().unwrap();
            (unit(r.next_u64()), unit(r.next_u64()))
        };
        if d < cfg.drop_probability {
            return Verdict::Drop;
        }
        if e < cfg.internal_error_probability {
            return Verdict::Fail(RpcErr::new(500, "INTERNAL"));
        }
        if let Some(rate) = cfg.flood_per_sec {
            if let Some(wait) = self.take_token(class_of(method), rate) {
                return Verdict::Fail(RpcErr::new(420, format!("FLOOD_WAIT_{wait}")));
            }
        }
        Verdict::Serve
    }

    /// True exactly once, when the request count passes the configured
    /// threshold (requests 1..=N are served as usual, N+1 is the first to
    /// meet an invalidated session): the service then invalidates the live
    /// takeout session.
    pub fn takeout_invalidation_due(&self) -> bool {
        let Some(after) = self.config.lock().unwrap().invalidate_takeout_after else { return false };
        if self.requests.load(Ordering::SeqCst) <= after {
            return false;
        }
        let mut done = self.takeout_invalidated.lock().unwrap();
        !std::mem::replace(&mut *done, true)
    }

    pub fn latency(&self) -> Duration {
        self.config.lock().unwrap().latency
    }

    /// How long to hold a file part of `bytes` so the total rate stays
    /// under the cap (parts queue behind each other).
    pub fn bandwidth_delay(&self, bytes: usize) -> Duration {
        let Some(rate) = self.config.lock().unwrap().bandwidth.filter(|r| *r > 0) else { return Duration::ZERO };
        let cost = Duration::from_secs_f64(bytes as f64 / rate as f64);
        let mut free = self.bandwidth_next_free.lock().unwrap();
        let now = Instant::now();
        let start = (*free).max(now);
        *free = start + cost;
        *free - now
    }

    /// Seconds to wait, or None when a token was available.
    fn take_token(&self, class: &'static str, rate: f64) -> Option<u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        let b = buckets.entry(class).or_insert(Bucket { tokens: rate.max(1.0), at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(rate.max(1.0));
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            None
        } else {
            Some(((1.0 - b.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// Telegram limits methods by kind; so does fakedc.
fn class_of(method: &str) -> &'static str {
    match method {
        "messages.getHistory" | "messages.search" | "messages.getMessages" | "channels.getMessages" => "history",
        "messages.getDialogs" | "channels.getLeftChannels" => "dialogs",
        "upload.getFile" => "files",
        _ => "other",
    }
}


fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cfg: FaultConfig, seed: u64, n: usize) -> Vec<String> {
        let f = Faults::new(cfg, seed);
        (0..n).map(|_| format!("{:?}", f.verdict("users.getUsers"))).collect()
    }

    #[test]
    fn seeded_faults_reproduce() {
        let cfg = FaultConfig { drop_probability: 0.1, internal_error_probability: 0.2, ..FaultConfig::default() };
        let a = run(cfg.clone(), 7, 200);
        assert_eq!(a, run(cfg.clone(), 7, 200));
        assert_ne!(a, run(cfg, 8, 200));
        let drops = a.iter().filter(|v| *v == "Drop").count();
        assert!((5..=40).contains(&drops), "about 10% of 200: {drops}");
    }

    #[test]
    fn drop_every_n() {
        let v = run(FaultConfig { drop_every: Some(3), ..FaultConfig::default() }, 1, 9);
        let drops: Vec<usize> = v.iter().enumerate().filter(|(_, v)| *v == "Drop").map(|(i, _)| i + 1).collect();
        assert_eq!(drops, vec![3, 6, 9]);
    }

    #[test]
    fn flood_bucket_answers_real_wait() {
        let f = Faults::new(FaultConfig { flood_per_sec: Some(0.1), ..FaultConfig::default() }, 1);
        assert_eq!(f.verdict("messages.getHistory"), Verdict::Serve);
        assert_eq!(f.verdict("messages.getHistory"), Verdict::Fail(RpcErr::new(420, "FLOOD_WAIT_10")));
        // Another class has its own bucket.
        assert_eq!(f.verdict("upload.getFile"), Verdict::Serve);
    }

    #[test]
    fn stall_every_nth_file_request() {
        let f = Faults::new(FaultConfig { stall_files_every: Some(2), ..FaultConfig::default() }, 1);
        assert_eq!(f.verdict("messages.getHistory"), Verdict::Serve, "only getFile counts");
        assert_eq!(f.verdict("upload.getFile"), Verdict::Serve);
        assert_eq!(f.verdict("upload.getFile"), Verdict::Stall);
        assert_eq!(f.verdict("upload.getFile"), Verdict::Serve);
    }

    #[test]
    fn takeout_invalidation_fires_once() {
        let f = Faults::new(FaultConfig { invalidate_takeout_after: Some(2), ..FaultConfig::default() }, 1);
        f.verdict("x");
        assert!(!f.takeout_invalidation_due());
        f.verdict("x");
        assert!(!f.takeout_invalidation_due(), "the first two requests are served");
        f.verdict("x");
        assert!(f.takeout_invalidation_due(), "the third meets an invalidated session");
        f.verdict("x");
        assert!(!f.takeout_invalidation_due());
    }
}
