//! [`TelegramApi`]: the engine's [`Api`] over grammers sender pools.
//!
//! Each pool is one grammers `SenderPool`: a runner task that owns at most
//! one TCP connection per data centre, opened on the first request to that
//! dc (so constructing a `TelegramApi` does no network I/O). For
//! parallelism over several connections, `connections` pools are made and
//! requests go round-robin across them.
//!
//! What grammers does and does not do for us here:
//! - Requests are sent with `SenderPoolHandle::raw_invoke_in_dc`, which
//!   bypasses grammers' retry loop entirely (the pools are also configured
//!   with `NoRetries`): every FLOOD_WAIT, dropped connection and 5xx comes
//!   back once, and the engine's own retry policy decides.
//! - Nothing follows *_MIGRATE; a request goes to the dc it is sent to
//!   (sign-in, in [`crate::login`], follows PHONE/USER/NETWORK_MIGRATE).
//! - A request to a dc other than the home one that answers 401
//!   AUTH_KEY_UNREGISTERED (that dc's key is not signed in yet) carries the
//!   sign-in over, as Telegram requires — auth.exportAuthorization on the
//!   home dc, auth.importAuthorization on that dc — and is sent again, once.
//! - A dc with no key gets one from grammers' own DH exchange on the first
//!   request there (real Telegram only: fakedc cannot run it); the new key
//!   is in [`TelegramApi::session_file`] for the caller to save.
//! - A dropped connection fails every request pending on it; the next
//!   request to that dc opens a new one. We ask the pool to forget the dead
//!   connection at once (once per connection, however many requests saw it
//!   fail), or a request sent in the instant before the pool notices would
//!   be handed to the dead connection and fail too.
//! - If a runner task ever stops (grammers panics on some protocol
//!   violations), the next request starts a fresh pool.
//! - The pool's session is a `MemorySession` holding only the session
//!   file's dcs, never the Telegram addresses grammers ships as defaults.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddrV6;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use grammers_mtsender::{
    ConnectionParams, InvocationError, NoRetries, RpcError, SenderPool, SenderPoolHandle,
};
use grammers_session::{Session, SessionData};
use grammers_session::storages::MemorySession;
use grammers_session::types::DcOption;
use takeout::api::{Api, ApiError};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::session::SessionFile;

/// How to connect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// The application's api_id (<https://core.telegram.org/myapp>), sent in
    /// initConnection on every new connection.
    pub api_id: i32,
    /// Independent connections (grammers sender pools) per dc that
    /// requests are spread over; 0 counts as 1.
    pub connections: usize,
}

impl ClientOptions {
    /// One connection.
    pub fn new(api_id: i32) -> Self {
        ClientOptions {
            api_id,
            connections: 1,
        }
    }
}

/// Why [`TelegramApi::connect`] could not set up.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("TelegramApi::connect needs a running tokio runtime (call it from async code)")]
    NoRuntime,
    #[error("the session's home dc {0} is not among its dcs")]
    NoHomeDc(i32),
}

/// A connection to Telegram (or fakedc) for the account of a session file.
/// Dropping it stops its runner tasks and closes its connections.
pub struct TelegramApi {
    /// The home dc (changes only when sign-in is sent to another dc, by
    /// *_MIGRATE) and the session's keys, readable after this is gone.
    watch: SessionWatch,
    pools: Vec<Pool>,
    next: AtomicUsize,
    /// Held while carrying the sign-in to another dc, so concurrent
    /// requests that all got 401 there do it once.
    authorizing: tokio::sync::Mutex<()>,
    /// Bumped after each sign-in carried to a dc: a request that failed
    /// before the bump just retries.
    authorized: AtomicU64,
}

/// What every (re)started pool is built from. No `Debug`: grammers'
/// `DcOption` derives one that prints the auth key.
struct Setup {
    api_id: i32,
    home_dc: i32,
    dcs: Vec<DcOption>,
    runtime: Handle,
    /// Every pool's grammers session: grammers stores the keys it creates there.
    sessions: Mutex<Vec<Arc<MemorySession>>>,
}

struct Pool {
    index: usize,
    setup: Arc<Setup>,
    running: Mutex<Running>,
}

/// Reads the session as it is now (home dc, addresses, keys grammers
/// created) from a [`TelegramApi`], also after it was handed to the engine
/// or dropped. Cheap to clone.
#[derive(Clone)]
pub struct SessionWatch {
    home_dc: Arc<AtomicI32>,
    /// The session file the client was made from.
    base: Arc<SessionFile>,
    setup: Arc<Setup>,
}

struct Running {
    handle: SenderPoolHandle,
    runner: JoinHandle<()>,
    /// Bumped whenever the runner is replaced.
    generation: u64,
    /// Per dc, bumped whenever we drop that dc's connection; tells the
    /// requests that failed on one connection apart from those sent after it
    /// was replaced.
    epochs: HashMap<i32, u64>,
}

/// What one request needs from its pool, taken without holding the lock
/// across the await.
struct Ticket {
    handle: SenderPoolHandle,
    generation: u64,
    epoch: u64,
}

impl TelegramApi {
    /// Sets up `options.connections` sender pools for the session's dcs and
    /// spawns their runners on the current tokio runtime. No network I/O
    /// happens here: each pool connects to a dc on its first request there.
    pub fn connect(
        session: &SessionFile,
        options: ClientOptions,
    ) -> Result<TelegramApi, ConnectError> {
        let runtime = Handle::try_current().map_err(|_| ConnectError::NoRuntime)?;
        if session.dc(session.home_dc).is_none() {
            return Err(ConnectError::NoHomeDc(session.home_dc));
        }
        let dcs = session
            .dcs
            .iter()
            .map(|dc| DcOption {
                id: dc.id,
                ipv4: dc.addr(),
                ipv6: SocketAddrV6::new(dc.ip.to_ipv6_mapped(), dc.port, 0, 0),
                auth_key: dc.auth_key.as_ref().map(|k| *k.expose()),
            })
            .collect();
        let setup = Arc::new(Setup {
            api_id: options.api_id,
            home_dc: session.home_dc,
            dcs,
            runtime,
            sessions: Mutex::new(Vec::new()),
        });
        let count = options.connections.max(1);
        let pools = (0..count)
            .map(|index| {
                let (handle, runner) = setup.spawn();
                Pool {
                    index,
                    setup: Arc::clone(&setup),
                    running: Mutex::new(Running {
                        handle,
                        runner,
                        generation: 0,
                        epochs: HashMap::new(),
                    }),
                }
            })
            .collect();
        tracing::debug!(
            home_dc = session.home_dc,
            connections = count,
            "telegram client set up"
        );
        Ok(TelegramApi {
            watch: SessionWatch {
                home_dc: Arc::new(AtomicI32::new(session.home_dc)),
                base: Arc::new(session.clone()),
                setup: Arc::clone(&setup),
            },
            pools,
            next: AtomicUsize::new(0),
            authorizing: tokio::sync::Mutex::new(()),
            authorized: AtomicU64::new(0),
        })
    }

    pub fn home_dc(&self) -> i32 {
        self.watch.home_dc.load(Ordering::Relaxed)
    }

    /// Makes `dc` the home dc (sign-in was told to go there).
    pub(crate) fn set_home_dc(&self, dc: i32) {
        self.watch.home_dc.store(dc, Ordering::Relaxed);
    }

    /// See [`SessionWatch::session_file`].
    pub fn session_file(&self) -> SessionFile {
        self.watch.session_file()
    }

    /// A handle that reads the session later (e.g. after an export, to
    /// save keys grammers created during it).
    pub fn watch(&self) -> SessionWatch {
        self.watch.clone()
    }

    /// How many sender pools (connections per dc) requests are spread over.
    pub fn connections(&self) -> usize {
        self.pools.len()
    }

    /// One request to `dc`; on another dc than the home one, a first 401
    /// AUTH_KEY_UNREGISTERED carries the sign-in over and sends it again.
    pub(crate) async fn call(&self, dc: i32, body: Vec<u8>) -> Result<Vec<u8>, ApiError> {
        if dc == self.home_dc() {
            return self.call_once(dc, body).await;
        }
        let seen = self.authorized.load(Ordering::Acquire);
        match self.call_once(dc, body.clone()).await {
            Err(ApiError::Rpc { code: 401, name, .. }) if name == "AUTH_KEY_UNREGISTERED" => {
                self.authorize(dc, seen).await?;
                self.call_once(dc, body).await
            }
            other => other,
        }
    }

    /// auth.exportAuthorization on the home dc, auth.importAuthorization
    /// on `dc` (unless another request did it since `seen`).
    async fn authorize(&self, dc: i32, seen: u64) -> Result<(), ApiError> {
        use grammers_tl_types::{Deserializable, Serializable, enums, functions};
        let _one_at_a_time = self.authorizing.lock().await;
        if self.authorized.load(Ordering::Acquire) != seen {
            return Ok(());
        }
        let home = self.home_dc();
        tracing::debug!(dc, home, "signing in on dc {dc} with an authorization exported from dc {home}");
        let answer = self.call_once(home, functions::auth::ExportAuthorization { dc_id: dc }.to_bytes()).await?;
        let enums::auth::ExportedAuthorization::Authorization(x) =
            enums::auth::ExportedAuthorization::from_bytes(&answer).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.call_once(dc, functions::auth::ImportAuthorization { id: x.id, bytes: x.bytes }.to_bytes()).await?;
        self.authorized.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    async fn call_once(&self, dc: i32, body: Vec<u8>) -> Result<Vec<u8>, ApiError> {
        // grammers asserts this inside the runner, where a panic would take
        // every request of the pool down with it.
        assert!(
            body.len() >= 4,
            "a request body starts with its 4-byte constructor id"
        );
        let pool = &self.pools[self.next.fetch_add(1, Ordering::Relaxed) % self.pools.len()];
        let ticket = pool.ticket(dc);
        match ticket.handle.raw_invoke_in_dc(dc, body).await {
            Ok(answer) => Ok(answer),
            Err(e) => {
                if matches!(
                    e,
                    InvocationError::Io(_)
                        | InvocationError::Transport(_)
                        | InvocationError::Dropped(_)
                ) {
                    pool.connection_lost(dc, &ticket);
                }
                Err(map_error(e, dc))
            }
        }
    }
}

impl Api for TelegramApi {
    async fn invoke_raw(&self, body: Vec<u8>) -> Result<Vec<u8>, ApiError> {
        self.call(self.home_dc(), body).await
    }

    async fn invoke_raw_in_dc(&self, dc: i32, body: Vec<u8>) -> Result<Vec<u8>, ApiError> {
        self.call(dc, body).await
    }
}

impl Drop for TelegramApi {
    fn drop(&mut self) {
        for pool in &self.pools {
            // The runner closes its connections and ends; requests still
            // pending get InvocationError::Dropped.
            pool.lock().handle.quit();
        }
    }
}

impl fmt::Debug for TelegramApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramApi")
            .field("home_dc", &self.home_dc())
            .field("connections", &self.pools.len())
            .finish()
    }
}

/// A session for real Telegram that has no key yet: Telegram's production
/// data centres as grammers ships them, dc 2 to start with (sign-in follows
/// PHONE_MIGRATE to the account's dc). grammers creates each key by its DH
/// exchange on the first connection.
pub fn telegram_session() -> SessionFile {
    let data = SessionData::default();
    let mut dcs: Vec<crate::session::DcEntry> = data
        .dc_options
        .values()
        .map(|o| crate::session::DcEntry { id: o.id, ip: *o.ipv4.ip(), port: o.ipv4.port(), auth_key: None })
        .collect();
    dcs.sort_by_key(|d| d.id);
    SessionFile { home_dc: data.home_dc, dcs, user_id: None, api_id: None }
}

impl SessionWatch {
    /// The session as it is now: the home dc, and every dc's address and
    /// key, including keys grammers created by its own DH exchange (real
    /// Telegram only; fakedc's keys never change). `user_id` and `api_id`
    /// are kept from the file the client was made from.
    pub fn session_file(&self) -> SessionFile {
        let mut file = (*self.base).clone();
        file.home_dc = self.home_dc.load(Ordering::Relaxed);
        let sessions = self.setup.sessions.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut ids: Vec<i32> = file.dcs.iter().map(|d| d.id).collect();
        ids.extend(1..=5);
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            // The first pool that knows a key for this dc.
            let options: Vec<DcOption> = sessions.iter().filter_map(|s| s.dc_option(id).ok().flatten()).collect();
            let Some(opt) = options.iter().find(|o| o.auth_key.is_some()).or(options.first()) else { continue };
            if opt.ipv4.ip().is_unspecified() {
                continue;
            }
            let entry = crate::session::DcEntry {
                id,
                ip: *opt.ipv4.ip(),
                port: opt.ipv4.port(),
                auth_key: opt.auth_key.map(crate::session::AuthKey::from_bytes),
            };
            match file.dcs.iter_mut().find(|d| d.id == id) {
                Some(d) => *d = entry,
                None => file.dcs.push(entry),
            }
        }
        file.dcs.sort_by_key(|d| d.id);
        file
    }

    /// Whether the session differs from the file the client was made from
    /// (a new key, a new home dc): then it is worth saving.
    pub fn changed(&self) -> bool {
        self.session_file() != *self.base
    }
}

impl Setup {
    /// A new sender pool knowing only the session file's dcs, and its
    /// runner task.
    fn spawn(&self) -> (SenderPoolHandle, JoinHandle<()>) {
        let data = SessionData {
            // Only ours: the default holds Telegram's real addresses.
            dc_options: self.dcs.iter().map(|dc| (dc.id, dc.clone())).collect(),
            home_dc: self.home_dc,
            ..SessionData::default()
        };
        let session = Arc::new(MemorySession::from(data));
        let params = ConnectionParams {
            retry_policy: Box::new(NoRetries),
            app_version: concat!("tgtakeout ", env!("CARGO_PKG_VERSION")).to_string(),
            ..ConnectionParams::default()
        };
        let SenderPool {
            runner,
            handle,
            updates,
        } = SenderPool::with_configuration(Arc::clone(&session), self.api_id, params);
        // We never read updates; with the receiver gone, the connections
        // stop forwarding them instead of filling a channel.
        drop(updates);
        let runner = self.runtime.spawn(runner.run());
        self.sessions.lock().unwrap_or_else(|e| e.into_inner()).push(session);
        (handle.thin, runner)
    }
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, Running> {
        // Nothing panics while holding it; if something did, the state is still whole.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn ticket(&self, dc: i32) -> Ticket {
        let mut running = self.lock();
        if running.runner.is_finished() {
            tracing::warn!(
                pool = self.index,
                "a connection pool stopped unexpectedly; starting a new one"
            );
            let (handle, runner) = self.setup.spawn();
            running.handle = handle;
            running.runner = runner;
            running.generation += 1;
            running.epochs.clear();
        }
        Ticket {
            handle: running.handle.clone(),
            generation: running.generation,
            epoch: running.epochs.get(&dc).copied().unwrap_or(0),
        }
    }

    /// A request sent with `ticket` saw its connection to `dc` fail: make
    /// the pool drop that connection now, unless another request that
    /// failed on it already did.
    fn connection_lost(&self, dc: i32, ticket: &Ticket) {
        let mut running = self.lock();
        if running.generation != ticket.generation {
            return;
        }
        let epoch = running.epochs.entry(dc).or_insert(0);
        if *epoch != ticket.epoch {
            return;
        }
        *epoch += 1;
        tracing::debug!(
            pool = self.index,
            dc,
            "connection lost; the next request opens a new one"
        );
        running.handle.disconnect_from_dc(dc);
    }
}

/// grammers' error as the engine's. Telegram's answers keep their code,
/// name and number; everything that means "no answer came" is Network.
fn map_error(e: InvocationError, dc: i32) -> ApiError {
    match e {
        InvocationError::Rpc(RpcError {
            code, name, value, ..
        }) => ApiError::Rpc { code, name, value },
        InvocationError::Io(e) => ApiError::Network(format!("connection to dc {dc} failed: {e}")),
        InvocationError::Transport(e) => {
            ApiError::Network(format!("connection to dc {dc} failed: {e}"))
        }
        InvocationError::Dropped(why) => ApiError::Network(format!(
            "connection to dc {dc} closed before the answer came ({why})"
        )),
        InvocationError::Deserialize(e) => ApiError::Decode(e.to_string()),
        InvocationError::InvalidDc => ApiError::Network(format!("no address is known for dc {dc}")),
        InvocationError::Session(e) => ApiError::Network(format!("session storage failed: {e}")),
        InvocationError::Authentication(e) => {
            ApiError::Network(format!("could not create an auth key for dc {dc}: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::DcEntry;
    use grammers_tl_types as tl;
    use std::net::Ipv4Addr;
    use std::time::Duration;

    #[test]
    fn rpc_errors_keep_code_name_and_number() {
        let e = InvocationError::Rpc(RpcError::from(tl::types::RpcError {
            error_code: 420,
            error_message: "FLOOD_WAIT_31".into(),
        }));
        assert_eq!(
            map_error(e, 2),
            ApiError::Rpc {
                code: 420,
                name: "FLOOD_WAIT".into(),
                value: Some(31)
            }
        );
        let e = InvocationError::Rpc(RpcError::from(tl::types::RpcError {
            error_code: 400,
            error_message: "TAKEOUT_INVALID".into(),
        }));
        assert_eq!(
            map_error(e, 2),
            ApiError::Rpc {
                code: 400,
                name: "TAKEOUT_INVALID".into(),
                value: None
            }
        );
    }

    #[test]
    fn no_answer_is_a_network_error_and_a_bad_answer_a_decode_error() {
        let io = InvocationError::Io(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "read 0 bytes",
        ));
        assert!(
            matches!(map_error(io, 2), ApiError::Network(t) if t.contains("dc 2") && t.contains("read 0 bytes"))
        );
        assert!(
            matches!(map_error(InvocationError::Dropped("gone"), 4), ApiError::Network(t) if t.contains("dc 4"))
        );
        assert!(
            matches!(map_error(InvocationError::InvalidDc, 5), ApiError::Network(t) if t.contains("dc 5"))
        );
        let bad = InvocationError::from(tl::deserialize::Error::UnexpectedEof);
        assert!(matches!(map_error(bad, 2), ApiError::Decode(_)));
    }

    fn session() -> SessionFile {
        // Port 9 on loopback: nothing listens, and these tests never send.
        SessionFile {
            home_dc: 2,
            dcs: vec![DcEntry {
                id: 2,
                ip: Ipv4Addr::LOCALHOST,
                port: 9,
                auth_key: None,
            }],
            user_id: None,
            api_id: None,
        }
    }

    #[test]
    fn connect_outside_a_runtime_is_an_error() {
        let e = TelegramApi::connect(&session(), ClientOptions::new(1)).unwrap_err();
        assert!(matches!(e, ConnectError::NoRuntime), "{e:?}");
    }

    #[tokio::test]
    async fn connect_checks_the_home_dc_and_counts_connections() {
        let mut s = session();
        s.home_dc = 4;
        assert!(matches!(
            TelegramApi::connect(&s, ClientOptions::new(1)),
            Err(ConnectError::NoHomeDc(4))
        ));
        let api = TelegramApi::connect(
            &session(),
            ClientOptions {
                api_id: 1,
                connections: 0,
            },
        )
        .unwrap();
        assert_eq!(api.connections(), 1);
        let api = TelegramApi::connect(
            &session(),
            ClientOptions {
                api_id: 1,
                connections: 3,
            },
        )
        .unwrap();
        assert_eq!((api.connections(), api.home_dc()), (3, 2));
    }

    #[tokio::test]
    async fn drop_stops_the_runners() {
        let api = TelegramApi::connect(
            &session(),
            ClientOptions {
                api_id: 1,
                connections: 2,
            },
        )
        .unwrap();
        let runners: Vec<_> = api
            .pools
            .iter()
            .map(|p| p.lock().runner.abort_handle())
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(runners.iter().all(|r| !r.is_finished()));
        drop(api);
        tokio::time::timeout(Duration::from_secs(5), async {
            while !runners.iter().all(|r| r.is_finished()) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("runners stop after drop");
    }

    #[tokio::test]
    async fn a_stopped_runner_is_replaced_on_the_next_request() {
        let api = TelegramApi::connect(&session(), ClientOptions::new(1)).unwrap();
        api.pools[0].lock().runner.abort();
        tokio::time::timeout(Duration::from_secs(5), async {
            while !api.pools[0].lock().runner.is_finished() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap();
        let ticket = api.pools[0].ticket(2);
        assert_eq!(ticket.generation, 1);
        assert!(!api.pools[0].lock().runner.is_finished());
    }
}

#[cfg(test)]
mod production_tests {
    /// The real-Telegram defaults are Telegram's five production dcs (no
    /// test servers), without keys, starting at dc 2.
    #[test]
    fn telegram_session_lists_the_five_production_dcs_without_keys() {
        let s = super::telegram_session();
        assert_eq!(s.dcs.iter().map(|d| d.id).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        assert_eq!(s.home_dc, 2);
        assert!(s.dcs.iter().all(|d| d.auth_key.is_none() && d.port == 443 && !d.ip.is_loopback()));
    }
}
