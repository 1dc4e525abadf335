//! Histories: which message ids each peer has, and where their content comes
//! from.
//!
//! A generated history keeps only its ids (4 bytes a message) and rebuilds a
//! message on demand from (seed, slot, id); the few messages that must be
//! exact (fixtures, edits, appends) live in `overrides`. A history loaded from
//! JSON keeps every message. That split is what lets a million-message world
//! live in a few tens of MB.

use std::collections::{BTreeMap, HashMap};

use super::model::{Message, Peer};
use super::rng::mix;

/// Dates of a generated history: strictly increasing with the id, because
/// each id owns its own `step`-second window and the jitter stays inside it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeline {
    pub start: i64,
    pub step: i64,
    pub salt: u64,
}

impl Timeline {
    pub fn date(&self, id: i32) -> i32 {
        let jitter = (mix(self.salt ^ id as u64) % self.step as u64) as i64;
        (self.start + id as i64 * self.step + jitter) as i32
    }
}

#[derive(Clone)]
pub(crate) enum Content {
    /// Every message, in the order of `ids`.
    Explicit(Vec<Message>),
    Generated {
        timeline: Timeline,
        overrides: BTreeMap<i32, Message>,
    },
}

#[derive(Clone)]
pub(crate) struct History {
    pub peer: Peer,
    pub ids: Vec<i32>,
    pub content: Content,
}

/// All histories, addressed by slot (their creation order, which is also the
/// order they are written to JSON, so a loaded world gets the same slots).
#[derive(Clone, Default)]
pub(crate) struct Histories {
    pub list: Vec<History>,
    by_peer: HashMap<Peer, u32>,
    /// Common-box id -> slot, sorted by id. 8 bytes a message; kept flat
    /// because ids of different peers interleave finely.
    common: Vec<(i32, u32)>,
}

impl Histories {
    pub fn slot(&self, peer: Peer) -> Option<u32> {
        self.by_peer.get(&peer).copied()
    }

    pub fn get(&self, peer: Peer) -> Option<&History> {
        self.slot(peer).map(|s| &self.list[s as usize])
    }

    pub fn add(&mut self, peer: Peer, content: Content) -> u32 {
        debug_assert!(!self.by_peer.contains_key(&peer));
        let slot = self.list.len() as u32;
        self.list.push(History {
            peer,
            ids: Vec::new(),
            content,
        });
        self.by_peer.insert(peer, slot);
        slot
    }

    /// Appends an id to a history. Common-box ids must come in increasing
    /// account-wide order (callers guarantee it), so the index stays sorted.
    pub fn push_id(&mut self, slot: u32, id: i32) {
        let h = &mut self.list[slot as usize];
        debug_assert!(h.ids.last().is_none_or(|&last| last < id));
        h.ids.push(id);
        if h.peer.in_common_box() {
            debug_assert!(self.common.last().is_none_or(|&(last, _)| last < id));
            self.common.push((id, slot));
        }
    }

    /// Rebuilds the common-box index from the histories; for loaded worlds,
    /// whose histories arrive one peer at a time. Returns a duplicated id.
    pub fn rebuild_common(&mut self) -> Result<(), i32> {
        let mut common: Vec<(i32, u32)> = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, h)| h.peer.in_common_box())
            .flat_map(|(slot, h)| h.ids.iter().map(move |&id| (id, slot as u32)))
            .collect();
        common.sort_unstable();
        if let Some(w) = common.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(w[0].0);
        }
        self.common = common;
        Ok(())
    }

    pub fn common_slot(&self, id: i32) -> Option<u32> {
        self.common
            .binary_search_by_key(&id, |&(i, _)| i)
            .ok()
            .map(|i| self.common[i].1)
    }

    pub fn max_common_id(&self) -> i32 {
        self.common.last().map_or(0, |&(id, _)| id)
    }
}
