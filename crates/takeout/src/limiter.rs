//! Adaptive concurrency: how many requests are in flight at once. A flood
//! wait halves the limit (Telegram is telling us we are too fast); a run of
//! successes raises it by one again, up to the ceiling. Additive increase,
//! multiplicative decrease, as TCP does, instead of a fixed sleep.

use std::sync::Mutex;

use tokio::sync::Notify;

pub struct Limiter {
    state: Mutex<State>,
    freed: Notify,
    max: usize,
}

struct State {
    limit: usize,
    in_flight: usize,
    successes: usize,
}

/// Holds one slot; dropping it frees the slot.
pub struct Permit<'a> {
    limiter: &'a Limiter,
}

impl Limiter {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Limiter { state: Mutex::new(State { limit: max, in_flight: 0, successes: 0 }), freed: Notify::new(), max }
    }

    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            let notified = self.freed.notified();
            {
                let mut s = self.state.lock().unwrap();
                if s.in_flight < s.limit {
                    s.in_flight += 1;
                    return Permit { limiter: self };
                }
            }
            notified.await;
        }
    }

    pub fn success(&self) {
        let mut s = self.state.lock().unwrap();
        s.successes += 1;
        if s.successes >= s.limit * 4 && s.limit < self.max {
            s.limit += 1;
            s.successes = 0;
            drop(s);
            self.freed.notify_waiters();
        }
    }

    pub fn flood(&self) {
        let mut s = self.state.lock().unwrap();
        s.limit = (s.limit / 2).max(1);
        s.successes = 0;
    }

    pub fn limit(&self) -> usize {
        self.state.lock().unwrap().limit
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.state.lock().unwrap().in_flight -= 1;
        self.limiter.freed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_flood_and_climbs_back() {
        let l = Limiter::new(8);
        l.flood();
        assert_eq!(l.limit(), 4);
        l.flood();
        l.flood();
        l.flood();
        assert_eq!(l.limit(), 1);
        for _ in 0..4 {
            l.success();
        }
        assert_eq!(l.limit(), 2);
    }

    #[tokio::test]
    async fn never_more_in_flight_than_the_limit() {
        let l = std::sync::Arc::new(Limiter::new(2));
        let a = l.acquire().await;
        let _b = l.acquire().await;
        let l2 = l.clone();
        let third = tokio::spawn(async move {
            let _c = l2.acquire().await;
        });
        tokio::task::yield_now().await;
        assert!(!third.is_finished());
        drop(a);
        third.await.unwrap();
    }
}
