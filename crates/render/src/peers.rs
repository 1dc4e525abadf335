//! Names of users and chats, loaded once from the store (their number does
//! not grow with the number of messages), and the chat list to render:
//! dialogs in order, left chats after them, basic groups that were
//! upgraded folded into their supergroup as Telegram Desktop does.

use std::collections::HashMap;

use takeout::Store;
use takeout::store::StoreError;

#[derive(Clone, Debug, Default)]
pub struct UserInfo {
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub phone: Option<String>,
    pub bot: bool,
    pub is_self: bool,
    /// name(), computed once at load (it is looked up for every message).
    pub display: String,
}

impl UserInfo {
    /// "First Last" (Telegram Desktop's ContactInfo::name).
    pub fn name(&self) -> String {
        match (self.first_name.is_empty(), self.last_name.is_empty()) {
            (true, _) => self.last_name.clone(),
            (false, true) => self.first_name.clone(),
            (false, false) => format!("{} {}", self.first_name, self.last_name),
        }
    }
}

#[derive(Default)]
pub struct Peers {
    pub users: HashMap<i64, UserInfo>,
    pub chats: HashMap<i64, takeout::store::ChatRow>,
    pub self_id: Option<i64>,
}

impl Peers {
    pub fn load(store: &Store) -> Result<Peers, StoreError> {
        let mut p = Peers::default();
        for u in store.users()? {
            if u.is_self {
                p.self_id = Some(u.id);
            }
            p.users.insert(
                u.id,
                {
                    let mut info = UserInfo { first_name: u.first_name, last_name: u.last_name, username: u.username, phone: u.phone, bot: u.bot, is_self: u.is_self, display: String::new() };
                    info.display = info.name();
                    info
                },
            );
        }
        for mut c in store.chats()? {
            c.raw = Vec::new();
            p.chats.insert(c.id, c);
        }
        Ok(p)
    }

    /// The display name of a peer key ("user1", "chat2", "channel3"); empty
    /// when unknown (written as null, as Telegram Desktop does).
    pub fn name(&self, key: &str) -> &str {
        match split_key(key) {
            Some(("user", id)) => self.users.get(&id).map(|u| u.display.as_str()).unwrap_or(""),
            Some((_, id)) => self.chats.get(&id).map(|c| c.title.as_str()).unwrap_or(""),
            None => "",
        }
    }

    pub fn user_name(&self, id: i64) -> &str {
        self.users.get(&id).map(|u| u.display.as_str()).unwrap_or("")
    }
}

/// ("user", 123) from "user123".
pub fn split_key(key: &str) -> Option<(&str, i64)> {
    for prefix in ["user", "chat", "channel"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            if let Ok(id) = rest.parse() {
                return Some((prefix, id));
            }
        }
    }
    None
}

/// One chat of the output: its dialog, and the basic group whose history
/// precedes it when it is an upgraded supergroup.
#[derive(Clone, Debug)]
pub struct ChatEntry {
    pub peer: String,
    pub kind: String,
    pub name: String,
    pub left: bool,
    /// The basic group this supergroup was upgraded from, when exported.
    pub migrated_from: Option<String>,
    /// Folder under the output directory: "chats/chat_01".
    pub folder: String,
}

/// Telegram Desktop shifts the upgraded group's message ids by this much
/// so they sort before the supergroup's own.
pub const MIGRATED_ID_SHIFT: i64 = -1_000_000_000;

/// The Replies service user and the verification codes user (Telegram
/// Desktop's isReplies / isVerifyCodes).
pub const REPLIES_PEER: &str = "user1271266957";
pub const VERIFY_CODES_PEER: &str = "user489000";

pub fn chat_list(store: &Store, peers: &Peers) -> Result<Vec<ChatEntry>, StoreError> {
    let dialogs = store.dialogs()?;
    let present: std::collections::HashSet<&str> = dialogs.iter().map(|d| d.peer.as_str()).collect();
    // chatN -> channelM when the group was upgraded and the supergroup is exported too.
    let mut folded: HashMap<String, String> = HashMap::new();
    for d in &dialogs {
        if let Some(("chat", id)) = split_key(&d.peer) {
            if let Some(to) = peers.chats.get(&id).and_then(|c| c.migrated_to) {
                let target = format!("channel{to}");
                if present.contains(target.as_str()) {
                    folded.insert(target, d.peer.clone());
                }
            }
        }
    }
    let folded_sources: std::collections::HashSet<String> = folded.values().cloned().collect();
    let mut out: Vec<ChatEntry> = Vec::new();
    // Chats first, then left chats (Telegram Desktop's two lists), each in dialog order.
    for left in [false, true] {
        for d in dialogs.iter().filter(|d| d.left == left) {
            if folded_sources.contains(&d.peer) {
                continue;
            }
            // Telegram Desktop types two service users' chats apart.
            let kind = match (d.peer.as_str(), d.kind.as_str()) {
                (REPLIES_PEER, "personal_chat" | "bot_chat") => "replies".to_string(),
                (VERIFY_CODES_PEER, "personal_chat" | "bot_chat") => "verification_codes".to_string(),
                _ => d.kind.clone(),
            };
            out.push(ChatEntry {
                peer: d.peer.clone(),
                kind,
                name: d.name.clone(),
                left: d.left,
                migrated_from: folded.get(&d.peer).cloned(),
                folder: String::new(),
            });
        }
    }
    // chats/chat_01 ... with as many digits as the count needs (Telegram
    // Desktop's FinalizeDialogsInfo).
    let digits = out.len().saturating_sub(1).to_string().len();
    for (i, c) in out.iter_mut().enumerate() {
        c.folder = format!("chats/chat_{:0digits$}", i + 1);
    }
    Ok(out)
}
