//! Takeout sessions as Telegram keeps them: one live session per account,
//! a new init invalidates the previous id, an optional security delay
//! before the first init succeeds, and a record of how each one finished
//! (tests read it to prove the exporter said success=true, or did not).

use std::sync::Mutex;

use serde::Serialize;

use crate::clock::Clock;
use crate::error::RpcErr;
use crate::world::rng::hash;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TakeoutFlags {
    pub contacts: bool,
    pub message_users: bool,
    pub message_chats: bool,
    pub message_megagroups: bool,
    pub message_channels: bool,
    pub files: bool,
    /// Only with `files` (they share flag bit 5 in TL).
    pub file_max_size: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TakeoutRecord {
    pub id: i64,
    pub flags: TakeoutFlags,
    /// Unix seconds (fakedc's clock).
    pub started: i64,
    /// None while open; Some(success) once finishTakeoutSession was called.
    pub finished: Option<bool>,
    /// A newer init replaced it (or a fault invalidated it).
    pub invalidated: bool,
}

pub struct Takeouts {
    state: Mutex<State>,
    /// Seconds between the first init request and the moment inits succeed.
    delay_secs: i64,
}

struct State {
    records: Vec<TakeoutRecord>,
    /// When the owner was first asked (the delay counts from there).
    first_request: Option<i64>,
    next_id: i64,
}

impl Takeouts {
    pub fn new(delay_secs: u64, seed: u64) -> Self {
        Takeouts {
            state: Mutex::new(State {
                records: Vec::new(),
                first_request: None,
                // Ids look random to a client but are reproducible per seed.
                next_id: (hash(&[seed, 0x7a6b_0ea0]) >> 2) as i64 | 1 << 40,
            }),
            delay_secs: delay_secs as i64,
        }
    }

    /// account.initTakeoutSession: either a fresh id (invalidating the old
    /// one) or TAKEOUT_INIT_DELAY_X with the seconds still to wait.
    pub fn init(&self, flags: TakeoutFlags, clock: &Clock) -> Result<i64, RpcErr> {
        let now = clock.now();
        let mut st = self.state.lock().unwrap();
        let first = *st.first_request.get_or_insert(now);
        let left = first + self.delay_secs - now;
        if left > 0 {
            return Err(RpcErr::new(420, format!("TAKEOUT_INIT_DELAY_{left}")));
        }
        for r in st.records.iter_mut().filter(|r| r.finished.is_none()) {
            r.invalidated = true;
        }
        let id = st.next_id;
        st.next_id += 1 + (hash(&[id as u64]) & 0xffff) as i64;
        st.records.push(TakeoutRecord { id, flags, started: now, finished: None, invalidated: false });
        Ok(id)
    }

    /// The live session with this id, or TAKEOUT_INVALID.
    pub fn get(&self, id: i64) -> Result<TakeoutRecord, RpcErr> {
        let st = self.state.lock().unwrap();
        st.records
            .iter()
            .find(|r| r.id == id && !r.invalidated && r.finished.is_none())
            .cloned()
            .ok_or_else(|| RpcErr::new(400, "TAKEOUT_INVALID"))
    }

    pub fn finish(&self, id: i64, success: bool) -> Result<(), RpcErr> {
        let mut st = self.state.lock().unwrap();
        let rec = st
            .records
            .iter_mut()
            .find(|r| r.id == id && !r.invalidated && r.finished.is_none())
            .ok_or_else(|| RpcErr::new(400, "TAKEOUT_INVALID"))?;
        rec.finished = Some(success);
        tracing::info!(takeout_id = id, success, "takeout session finished");
        Ok(())
    }

    /// Invalidates the live session, as Telegram does when the owner
    /// cancels it from another device (fault injection).
    pub fn invalidate_current(&self) -> bool {
        let mut st = self.state.lock().unwrap();
        let mut any = false;
        for r in st.records.iter_mut().filter(|r| r.finished.is_none() && !r.invalidated) {
            r.invalidated = true;
            any = true;
        }
        any
    }

    pub fn records(&self) -> Vec<TakeoutRecord> {
        self.state.lock().unwrap().records.clone()
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_counts_down_then_new_init_invalidates_old() {
        let clock = Clock::default();
        let t = Takeouts::new(100, 1);
        let e = t.init(TakeoutFlags::default(), &clock).unwrap_err();
        assert_eq!(e.name, "TAKEOUT_INIT_DELAY_100");
        clock.advance(40);
        assert_eq!(t.init(TakeoutFlags::default(), &clock).unwrap_err().name, "TAKEOUT_INIT_DELAY_60");
        clock.advance(60);
        let a = t.init(TakeoutFlags::default(), &clock).unwrap();
        assert!(t.get(a).is_ok());
        let b = t.init(TakeoutFlags::default(), &clock).unwrap();
        assert_ne!(a, b);
        assert_eq!(t.get(a).unwrap_err().name, "TAKEOUT_INVALID");
        t.finish(b, true).unwrap();
        assert_eq!(t.records()[1].finished, Some(true));
        assert!(t.get(b).is_err());
    }
}
