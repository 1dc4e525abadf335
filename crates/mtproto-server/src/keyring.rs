//! The auth keys a server accepts, and what it remembers per key.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, RwLock};

use crate::crypto::AuthKey;

/// No layer seen yet. Real layers are small positive numbers.
const NO_LAYER: i32 = i32::MIN;

/// One provisioned key and its per-key state. Connections hold an `Arc` to
/// it so the hot path reads the layer without touching the ring's lock.
#[derive(Debug)]
pub struct KeyEntry {
    key: AuthKey,
    layer: AtomicI32,
}

impl KeyEntry {
    pub fn key(&self) -> &AuthKey {
        &self.key
    }

    pub fn layer(&self) -> Option<i32> {
        match self.layer.load(Ordering::Relaxed) {
            NO_LAYER => None,
            l => Some(l),
        }
    }

    pub fn set_layer(&self, layer: i32) {
        // i32::MIN would read back as "none"; no client sends it.
        if layer != NO_LAYER {
            self.layer.store(layer, Ordering::Relaxed);
        }
    }
}

/// The keys this server accepts, shared by all listeners (all dcs).
///
/// Also remembers the last `invokeWithLayer` layer per key: Telethon does
/// not resend initConnection after a reconnect, so the layer must outlive
/// the connection that announced it.
#[derive(Debug, Default)]
pub struct KeyRing {
    keys: RwLock<HashMap<u64, Arc<KeyEntry>>>,
}

impl KeyRing {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces, forgetting its layer) a key.
    pub fn insert(&self, key: AuthKey) {
        let entry = Arc::new(KeyEntry {
            layer: AtomicI32::new(NO_LAYER),
            key,
        });
        self.write().insert(entry.key.id(), entry);
    }

    pub fn contains(&self, id: u64) -> bool {
        self.read().contains_key(&id)
    }

    /// The last layer a client announced with this key.
    pub fn layer(&self, id: u64) -> Option<i32> {
        self.read().get(&id).and_then(|e| e.layer())
    }

    /// Records a layer for a key (no-op for an unknown key).
    pub fn set_layer(&self, id: u64, layer: i32) {
        if let Some(e) = self.read().get(&id) {
            e.set_layer(layer);
        }
    }

    /// The entry for a key, for a connection to keep.
    pub fn get(&self, id: u64) -> Option<Arc<KeyEntry>> {
        self.read().get(&id).cloned()
    }

    /// A poisoned lock only means another thread panicked mid-insert of a
    /// whole entry; the map itself is still consistent, so keep serving.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<u64, Arc<KeyEntry>>> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<u64, Arc<KeyEntry>>> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_contains_layer() {
        let ring = KeyRing::new();
        let key = AuthKey::new([3; 256]);
        let id = key.id();
        assert!(!ring.contains(id));
        ring.insert(key);
        assert!(ring.contains(id));
        assert_eq!(ring.layer(id), None);
        ring.set_layer(id, 230);
        assert_eq!(ring.layer(id), Some(230));
        let entry = ring.get(id).unwrap();
        entry.set_layer(229);
        assert_eq!(ring.layer(id), Some(229));
        // Unknown keys have no layer and setting one does nothing.
        ring.set_layer(id ^ 1, 1);
        assert_eq!(ring.layer(id ^ 1), None);
    }
}
