//! `World::generate`: a synthetic account from a seed and size knobs.
//!
//! Steps: people and chats (fixtures, then filler), a plan per history (how
//! many messages, which exact fixture messages at its head and tail, when in
//! the account's life it is active), ids (the common box interleaves private
//! chats and basic groups on one account-wide sequence; channels count on
//! their own), dates from ids, and finally the fixture messages themselves,
//! which may refer to ids and dates anywhere in the world.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::content::{self, blank, tag};
use super::fixtures::{self, Fx};
use super::history::{Content, Histories, Timeline};
use super::model::*;
use super::rng::{Rng, hash};
use super::{Knobs, World};

/// 2020-01-01T00:00:00Z: the account's first day.
pub const BASE_DATE: i64 = 1_577_836_800;
/// 2025-07-01T00:00:00Z: generated messages end here, leaving half a year
/// before 2026 for messages appended by tests.
pub const END_DATE: i64 = 1_751_328_000;

/// Size knobs of a generated world.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldParams {
    pub seed: u64,
    /// Users with a private history, besides the fixtures.
    pub private_chats: usize,
    /// Basic groups, supergroups and channels besides the fixtures.
    pub groups: usize,
    pub supergroups: usize,
    pub channels: usize,
    /// Average filler messages per history (fixture histories included); each
    /// history gets 0.5x..1.5x of it, the total is exact.
    pub messages_per_chat: usize,
    /// Fraction (0..=1) of filler messages that carry a photo or document.
    pub media_share: f64,
    /// Filler document sizes are drawn up to this; photos stay smaller.
    pub max_file_size: u64,
}

impl Default for WorldParams {
    fn default() -> WorldParams {
        WorldParams::preset("small", 0).expect("the small preset exists")
    }
}

impl WorldParams {
    /// "small" (about 1,000 messages, files up to 256 KiB), "medium" (about
    /// 100,000, files up to 4 MiB), "large" (over 1,000,000, files up to 16 MiB),
    /// "files" (the files benchmark: about 1,000 downloadable files, most
    /// messages carrying one, documents log-uniform up to 50 MiB).
    pub fn preset(name: &str, seed: u64) -> Option<WorldParams> {
        let (
            private_chats,
            groups,
            supergroups,
            channels,
            messages_per_chat,
            media_share,
            max_file_size,
        ) = match name {
            "small" => (6, 2, 2, 2, 30, 0.3, 256 << 10),
            "medium" => (40, 10, 15, 15, 1_000, 0.2, 4 << 20),
            "large" => (150, 30, 60, 60, 3_200, 0.15, 16 << 20),
            "files" => (4, 1, 2, 2, 46, 0.95, 50 << 20),
            _ => return None,
        };
        Some(WorldParams {
            seed,
            private_chats,
            groups,
            supergroups,
            channels,
            messages_per_chat,
            media_share,
            max_file_size,
        })
    }
}

/// Builds one fixture message once every id and date in the world is known.
pub(crate) type Template = Box<dyn Fn(&Resolve, &mut Message)>;

/// When a channel's history starts.
#[derive(Clone, Copy)]
pub(crate) enum Start {
    /// Per mille of the way from BASE_DATE to END_DATE.
    PerMille(u32),
    /// Right after the last message of a (common-box) history: a supergroup
    /// continues the basic group it was migrated from.
    After(Peer),
}

pub(crate) struct Plan {
    pub peer: Peer,
    pub head: Vec<Template>,
    pub tail: Vec<Template>,
    pub filler: usize,
    /// Common box: the part of the account's life (per mille) in which this
    /// chat's messages fall.
    pub span: (u32, u32),
    pub start: Start,
}

impl Plan {
    fn len(&self) -> usize {
        self.head.len() + self.filler + self.tail.len()
    }
}

pub(crate) struct Gen<'p> {
    pub p: &'p WorldParams,
    pub seed: u64,
    pub rng: Rng,
    taken_ids: HashSet<i64>,
    taken_names: HashSet<String>,
    pub users: Vec<User>,
    pub chats: Vec<Chat>,
    /// Filler users, in creation order.
    pub pool: Vec<i64>,
    /// Pool users who are neither bots nor deleted.
    ordinary: HashSet<i64>,
    pub plans: Vec<Plan>,
    plan_of: HashMap<Peer, usize>,
}

/// What fixture templates see: every id and date of the world.
pub(crate) struct Resolve<'a> {
    pub seed: u64,
    pub me: i64,
    hist: &'a Histories,
}

impl Resolve<'_> {
    /// The id of the `index`-th message of a history.
    pub fn id(&self, peer: Peer, index: usize) -> i32 {
        self.hist.get(peer).expect("fixture history exists").ids[index]
    }

    /// The id of a history's last message.
    pub fn last(&self, peer: Peer) -> i32 {
        *self
            .hist
            .get(peer)
            .and_then(|h| h.ids.last())
            .expect("fixture history has messages")
    }

    pub fn date(&self, peer: Peer, id: i32) -> i32 {
        match &self.hist.get(peer).expect("fixture history exists").content {
            Content::Generated { timeline, .. } => timeline.date(id),
            Content::Explicit(_) => unreachable!("generated worlds have generated histories"),
        }
    }

    pub fn slot(&self, peer: Peer) -> u32 {
        self.hist.slot(peer).expect("fixture history exists")
    }

    pub fn rng(&self, m: &Message) -> Rng {
        Rng::derive(&[
            self.seed,
            tag::FIXTURE,
            self.slot(m.peer) as u64,
            m.id as u64,
        ])
    }

    /// Ids of a message's own media, poll or the like.
    pub fn media_id(&self, what: u64, m: &Message) -> i64 {
        content::media_id(self.seed, what, self.slot(m.peer), m.id)
    }

    pub fn photo(&self, m: &Message, letters: &[&str]) -> Media {
        let id = self.media_id(tag::PHOTO, m);
        Media::Photo(content::photo(
            self.seed,
            id,
            m.date,
            letters,
            u64::MAX,
            &mut self.rng(m),
        ))
    }

    pub fn document(&self, m: &Message, kind: DocumentKind, size: u64) -> Document {
        let id = self.media_id(tag::DOCUMENT, m);
        content::document(self.seed, id, m.date, kind, size, &mut self.rng(m))
    }

    /// Sets the sender (and `out` when it is the account itself).
    pub fn from(&self, m: &mut Message, user: i64) {
        m.from = Some(Peer::User(user));
        m.out = user == self.me;
    }

    pub fn say(&self, m: &mut Message, user: i64, text: &str) {
        self.from(m, user);
        m.text = text.to_string();
    }
}

impl<'p> Gen<'p> {
    fn new(p: &'p WorldParams) -> Gen<'p> {
        Gen {
            p,
            seed: p.seed,
            rng: Rng::derive(&[p.seed, tag::PEOPLE]),
            taken_ids: HashSet::new(),
            taken_names: HashSet::new(),
            users: Vec::new(),
            chats: Vec::new(),
            pool: Vec::new(),
            ordinary: HashSet::new(),
            plans: Vec::new(),
            plan_of: HashMap::new(),
        }
    }

    /// A fresh id in `lo..=hi`, unique among all users and chats so that no
    /// two peers share a number even across kinds.
    fn fresh_id(&mut self, lo: i64, hi: i64) -> i64 {
        loop {
            let id = self.rng.range(lo, hi);
            if self.taken_ids.insert(id) {
                return id;
            }
        }
    }

    /// `base` if free, else `base` with a number (before a "_bot" suffix,
    /// which bot usernames must keep). Case-insensitive, as Telegram's are.
    fn claim_username(&mut self, base: &str) -> String {
        let base = base.to_ascii_lowercase();
        let (mut stem, suffix) = match base.strip_suffix("_bot") {
            Some(stem) => (stem.to_string(), "_bot"),
            None => (base.clone(), ""),
        };
        while stem.len() + suffix.len() < 5 {
            stem.push('0');
        }
        stem.truncate(28 - suffix.len());
        let mut n = 1;
        loop {
            let candidate = if n == 1 {
                format!("{stem}{suffix}")
            } else {
                format!("{stem}{n}{suffix}")
            };
            if self.taken_names.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    pub fn user(
        &mut self,
        first: &str,
        last: &str,
        username: Option<&str>,
        phone: Option<&str>,
    ) -> &mut User {
        let id = self.fresh_id(1_000_000_000, 7_999_999_999);
        let username = username.map(|u| self.claim_username(u));
        let dc_id = self.rng.range(1, 5) as i32;
        self.users.push(User {
            id,
            access_hash: content::access_hash(self.seed, tag::USER, id),
            first_name: first.to_string(),
            last_name: last.to_string(),
            username,
            phone: phone.map(str::to_string),
            bot: false,
            deleted: false,
            contact: false,
            mutual_contact: false,
            about: String::new(),
            dc_id,
        });
        self.users.last_mut().unwrap()
    }

    pub fn chat(
        &mut self,
        kind: ChatKind,
        title: &str,
        username: Option<&str>,
        members: Vec<i64>,
    ) -> &mut Chat {
        let id = match kind {
            ChatKind::Group => self.fresh_id(100_000_000, 999_999_999),
            _ => self.fresh_id(1_000_000_000, 1_999_999_999),
        };
        let username = username.map(|u| self.claim_username(u));
        let access_hash = match kind {
            ChatKind::Group => 0,
            _ => content::access_hash(self.seed, tag::CHANNEL, id),
        };
        self.chats.push(Chat {
            id,
            kind,
            access_hash,
            title: title.to_string(),
            username,
            date: BASE_DATE as i32,
            creator: false,
            left: false,
            migrated_to: None,
            migrated_from: None,
            forum: false,
            topics: Vec::new(),
            members,
            about: String::new(),
        });
        self.chats.last_mut().unwrap()
    }

    pub fn chat_mut(&mut self, id: i64) -> &mut Chat {
        self.chats
            .iter_mut()
            .find(|c| c.id == id)
            .expect("chat exists")
    }

    pub fn plan(&mut self, peer: Peer, span: (u32, u32), start: Start) {
        debug_assert!(span.0 < span.1 && span.1 <= 1000);
        self.plan_of.insert(peer, self.plans.len());
        self.plans.push(Plan {
            peer,
            head: Vec::new(),
            tail: Vec::new(),
            filler: 0,
            span,
            start,
        });
    }

    pub fn head(&mut self, peer: Peer, t: impl Fn(&Resolve, &mut Message) + 'static) {
        let i = self.plan_of[&peer];
        self.plans[i].head.push(Box::new(t));
    }

    pub fn tail(&mut self, peer: Peer, t: impl Fn(&Resolve, &mut Message) + 'static) {
        let i = self.plan_of[&peer];
        self.plans[i].tail.push(Box::new(t));
    }

    /// Filler users: ordinary people, a few bots and deleted accounts.
    fn pool_users(&mut self) {
        let n = self.p.private_chats + 16;
        for i in 0..n {
            let first = self.rng.choose(content::FIRST_NAMES);
            let last = self.rng.choose(content::LAST_NAMES);
            let roll = self.rng.below(100);
            let id = if roll < 6 {
                let word = content::ascii_slug(self.rng.choose(content::TITLE_WORDS), "helper");
                let u = self.user(
                    &format!("{} Bot", content::capitalize(&word)),
                    "",
                    Some(&format!("{word}_bot")),
                    None,
                );
                u.bot = true;
                u.about = "I answer commands. Try /help.".into();
                u.id
            } else if roll < 10 {
                let u = self.user("", "", None, None);
                u.deleted = true;
                u.id
            } else {
                let username = self.rng.chance(0.6).then(|| {
                    let f = content::ascii_slug(first, "user");
                    let l = content::ascii_slug(last, "");
                    if l.is_empty() {
                        format!("{f}_{i}")
                    } else {
                        format!("{f}_{l}")
                    }
                });
                let contact = self.rng.chance(0.35);
                let mutual = contact && self.rng.chance(0.6);
                let phone = (contact || self.rng.chance(0.2))
                    .then(|| format!("1555{:07}", self.rng.below(10_000_000)));
                let u = self.user(first, last, username.as_deref(), phone.as_deref());
                u.contact = contact;
                u.mutual_contact = mutual;
                let id = u.id;
                self.ordinary.insert(id);
                id
            };
            self.pool.push(id);
        }
    }

    /// `n` distinct members drawn from the fixture people and the pool's
    /// ordinary users (no bots, no deleted accounts).
    fn members(&mut self, fx: &Fx, n: usize) -> Vec<i64> {
        let candidates: Vec<i64> = [fx.alice, fx.bob, fx.carol, fx.dave, fx.erin]
            .into_iter()
            .chain(
                self.pool
                    .iter()
                    .copied()
                    .filter(|id| self.ordinary.contains(id)),
            )
            .collect();
        let mut out: Vec<i64> = Vec::with_capacity(n);
        while out.len() < n.min(candidates.len()) {
            let id = self.rng.choose(&candidates);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    fn random_title(&mut self) -> String {
        let a = self.rng.choose(content::TITLE_WORDS);
        let b = self.rng.choose(content::TITLE_NOUNS);
        format!("{a} {b}")
    }

    fn random_span(&mut self) -> (u32, u32) {
        let lo = self.rng.below(600) as u32;
        let hi = lo + 200 + self.rng.below((1000 - lo - 200) as u64 + 1) as u32;
        (lo, hi)
    }

    /// Filler chats: private chats with pool users, and groups, supergroups
    /// and channels with a creation message at their head.
    fn extra_chats(&mut self, fx: &Fx) {
        let me = fx.me;
        for i in 0..self.p.private_chats.min(self.pool.len()) {
            let span = self.random_span();
            self.plan(Peer::User(self.pool[i]), span, Start::PerMille(0));
        }
        for _ in 0..self.p.groups {
            let title = self.random_title();
            let n = self.rng.range(3, 8) as usize;
            let mut members = vec![me];
            members.extend(self.members(fx, n));
            let creator = if self.rng.chance(0.5) { me } else { members[1] };
            let chat = self.chat(ChatKind::Group, &title, None, members.clone());
            chat.creator = creator == me;
            let peer = chat.peer();
            let span = self.random_span();
            self.plan(peer, span, Start::PerMille(0));
            let users: Vec<i64> = members.into_iter().filter(|&u| u != creator).collect();
            self.head(peer, move |r, m| {
                r.from(m, creator);
                m.action = Some(Action::ChatCreate {
                    title: title.clone(),
                    users: users.clone(),
                });
            });
        }
        for kind in [ChatKind::Supergroup, ChatKind::Channel] {
            let count = if kind == ChatKind::Supergroup {
                self.p.supergroups
            } else {
                self.p.channels
            };
            for _ in 0..count {
                let title = self.random_title();
                let public = self.rng.chance(0.5);
                let username = public.then(|| {
                    format!(
                        "{}_{}",
                        content::ascii_slug(&title, "chat"),
                        self.rng.below(1000)
                    )
                });
                let creator_is_me =
                    self.rng
                        .chance(if kind == ChatKind::Channel { 0.25 } else { 0.2 });
                let members = if kind == ChatKind::Channel {
                    vec![me]
                } else {
                    let n = self.rng.range(4, 12) as usize;
                    let mut m = vec![me];
                    m.extend(self.members(fx, n));
                    m
                };
                let creator = if creator_is_me || kind == ChatKind::Channel {
                    me
                } else {
                    members[1]
                };
                let chat = self.chat(kind, &title, username.as_deref(), members);
                chat.creator = creator_is_me;
                let peer = chat.peer();
                let start = self.rng.below(600) as u32;
                self.plan(peer, (0, 1000), Start::PerMille(start));
                let broadcast = kind == ChatKind::Channel;
                self.head(peer, move |r, m| {
                    if broadcast {
                        m.out = creator_is_me;
                    } else {
                        r.from(m, creator);
                    }
                    m.action = Some(Action::ChannelCreate {
                        title: title.clone(),
                    });
                });
            }
        }
    }

    /// Spreads `plans.len() * messages_per_chat` filler messages over the
    /// histories, 0.5x..1.5x each, exactly (integer arithmetic only).
    fn distribute_filler(&mut self) {
        let n = self.plans.len();
        let total = (n * self.p.messages_per_chat) as u128;
        let mut rng = Rng::derive(&[self.seed, tag::COUNTS]);
        let weights: Vec<u128> = (0..n).map(|_| 500 + rng.below(1001) as u128).collect();
        let sum: u128 = weights.iter().sum();
        let mut given = 0;
        for (plan, w) in self.plans.iter_mut().zip(&weights) {
            plan.filler = (total * w / sum) as usize;
            given += plan.filler;
        }
        for plan in self.plans.iter_mut().take(total as usize - given) {
            plan.filler += 1;
        }
    }

    /// Gives every planned message an id and every history a timeline.
    fn assign_ids(&self) -> Histories {
        let mut hist = Histories::default();
        let placeholder = Timeline {
            start: BASE_DATE,
            step: 1,
            salt: 0,
        };
        for plan in &self.plans {
            hist.add(
                plan.peer,
                Content::Generated {
                    timeline: placeholder,
                    overrides: BTreeMap::new(),
                },
            );
        }

        // Common box: every message gets a random position inside its chat's
        // span; sorting the positions interleaves the chats like real life.
        let total: usize = self
            .plans
            .iter()
            .filter(|p| p.peer.in_common_box())
            .map(Plan::len)
            .sum();
        let mut keys: Vec<u64> = Vec::with_capacity(total);
        for (slot, plan) in self.plans.iter().enumerate() {
            if !plan.peer.in_common_box() {
                continue;
            }
            let mut rng = Rng::derive(&[self.seed, tag::POSITIONS, slot as u64]);
            let lo = ((plan.span.0 as u64) << 32) / 1000;
            let hi = ((plan.span.1 as u64) << 32) / 1000;
            keys.extend((0..plan.len()).map(|_| ((lo + rng.below(hi - lo)) << 32) | slot as u64));
        }
        keys.sort_unstable();
        let mut gaps = Rng::derive(&[self.seed, tag::GAPS, u64::MAX]);
        let mut id = 0;
        for key in keys {
            id += 1 + gap(&mut gaps);
            hist.push_id(key as u32, id);
        }
        let common = Timeline {
            start: BASE_DATE,
            step: ((END_DATE - BASE_DATE) / (id as i64 + 1)).max(1),
            salt: hash(&[self.seed, tag::TIMELINE, u64::MAX]),
        };

        for (slot, plan) in self.plans.iter().enumerate() {
            let slot = slot as u32;
            let timeline = if plan.peer.in_common_box() {
                common
            } else {
                let mut gaps = Rng::derive(&[self.seed, tag::GAPS, slot as u64]);
                let mut id = 0;
                for i in 0..plan.len() {
                    id += 1 + if i == 0 { 0 } else { gap(&mut gaps) };
                    hist.push_id(slot, id);
                }
                let start = match plan.start {
                    Start::PerMille(pm) => {
                        BASE_DATE
                            + (END_DATE - BASE_DATE) * pm as i64 / 1000
                            + gaps.below(86_400) as i64
                    }
                    Start::After(peer) => {
                        let last = *hist
                            .get(peer)
                            .and_then(|h| h.ids.last())
                            .expect("migrated group has messages");
                        common.date(last) as i64
                    }
                };
                Timeline {
                    start,
                    step: ((END_DATE - start) / (id as i64 + 1)).max(1),
                    salt: hash(&[self.seed, tag::TIMELINE, slot as u64]),
                }
            };
            if let Content::Generated { timeline: t, .. } = &mut hist.list[slot as usize].content {
                *t = timeline;
            }
        }
        hist
    }

    /// Runs the fixture templates and stores their messages as overrides;
    /// then dates the chats from their histories.
    fn materialize(&mut self, hist: &mut Histories, fx: &Fx) {
        let mut made: Vec<(usize, Message)> = Vec::new();
        {
            let r = Resolve {
                seed: self.seed,
                me: fx.me,
                hist,
            };
            for (slot, plan) in self.plans.iter().enumerate() {
                let ids = &hist.list[slot].ids;
                let tail_from = ids.len() - plan.tail.len();
                let indexed = plan.head.iter().enumerate().chain(
                    plan.tail
                        .iter()
                        .enumerate()
                        .map(|(j, t)| (tail_from + j, t)),
                );
                for (index, template) in indexed {
                    let id = ids[index];
                    let mut m = blank(plan.peer, id, r.date(plan.peer, id));
                    template(&r, &mut m);
                    made.push((slot, m));
                }
            }
            for chat in &mut self.chats {
                let Some(h) = hist.get(chat.peer()) else {
                    continue;
                };
                let Content::Generated { timeline, .. } = &h.content else {
                    continue;
                };
                chat.date = match (chat.kind, h.ids.first()) {
                    (ChatKind::Group, Some(&first)) => timeline.date(first),
                    _ => timeline.start as i32,
                };
            }
            fixtures::topics(&r, fx, &mut self.chats);
        }
        for (slot, m) in made {
            if let Content::Generated { overrides, .. } = &mut hist.list[slot].content {
                overrides.insert(m.id, m);
            }
        }
    }
}

/// Deleted messages leave holes in id sequences; clients must cope.
fn gap(rng: &mut Rng) -> i32 {
    if rng.chance(0.02) {
        1 + rng.below(3) as i32
    } else {
        0
    }
}

impl World {
    /// Generates the world for `params`: the same params always give the
    /// same world, byte for byte in JSON.
    pub fn generate(params: &WorldParams) -> World {
        let mut g = Gen::new(params);
        let mut fx = fixtures::people(&mut g);
        g.pool_users();
        fixtures::chats(&mut g, &mut fx);
        fixtures::plans(&mut g, &fx);
        g.extra_chats(&fx);
        g.distribute_filler();
        let mut hist = g.assign_ids();
        g.materialize(&mut hist, &fx);
        let account = fixtures::account(&g, &fx);
        let mut world = World {
            seed: params.seed,
            self_id: fx.me,
            password: Some(fixtures::PASSWORD.to_string()),
            users: g.users,
            chats: g.chats,
            saved_contacts: account.saved_contacts,
            top_peers: account.top_peers,
            authorizations: account.authorizations,
            web_authorizations: account.web_authorizations,
            profile_photos: account.profile_photos,
            stories: account.stories,
            hist,
            knobs: Knobs {
                media_share: params.media_share,
                max_file_size: params.max_file_size,
            },
            index: Default::default(),
        };
        world.reindex();
        world
    }
}
