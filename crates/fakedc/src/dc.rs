//! A running fakedc: the shared state every connection sees, and the
//! in-process API tests and `tgtakeout demo` use to start one, read its
//! counters, reshape its world and stop it.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use mtproto_server::{AuthKey, KeyRing, Server, ServerConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::faults::{FaultConfig, Faults};
use crate::filerefs::FileRefs;
use crate::service::Service;
use session_file::{DcEntry, SessionFile};
use crate::stats::{Counts, Stats};
use crate::takeout::{TakeoutRecord, Takeouts};
use crate::world::World;

/// How to start a fakedc.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address of the home dc's listener; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Data centres to serve, each on its own port of `listen`'s ip.
    pub dcs: Vec<i32>,
    pub home_dc: i32,
    /// Seconds the first account.initTakeoutSession must wait (TAKEOUT_INIT_DELAY_X).
    pub takeout_delay_secs: u64,
    /// Seeds everything random the server does (takeout ids, fault draws).
    pub seed: u64,
    /// Common-box message ids per messages.getSplitRanges range.
    pub split_size: i32,
    /// Misbehaviour to inject (none by default).
    pub faults: FaultConfig,
    /// Seconds a file reference stays valid (0: forever).
    pub file_reference_ttl: i64,
    /// The login code auth.signIn accepts (fakedc logs it at info level).
    pub login_code: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            dcs: vec![2],
            home_dc: 2,
            takeout_delay_secs: 0,
            seed: 1,
            split_size: 20_000,
            faults: FaultConfig::default(),
            file_reference_ttl: 0,
            login_code: "12345".into(),
        }
    }
}

/// What every request handler shares.
pub struct DcState {
    pub world: RwLock<World>,
    pub takeouts: Takeouts,
    pub stats: Stats,
    pub faults: Faults,
    pub filerefs: FileRefs,
    /// Common-box ids per messages.getSplitRanges range.
    pub split_size: i32,
    pub clock: Clock,
    pub home_dc: i32,
    /// Every dc of this fakedc and its address (also what help.getConfig lists).
    pub dc_addrs: OnceLock<Vec<(i32, SocketAddr)>>,
    /// auth_key_id -> the user signed in with that key (None: not signed in).
    pub auth: Mutex<HashMap<u64, Option<i64>>>,
    /// Login codes, password challenges and exported authorizations, per key.
    pub logins: crate::methods::auth::Logins,
}

impl DcState {
    pub fn dc_addrs(&self) -> &[(i32, SocketAddr)] {
        self.dc_addrs.get().map(Vec::as_slice).unwrap_or_default()
    }

    pub fn user_of(&self, auth_key_id: u64) -> Option<i64> {
        self.auth.lock().unwrap().get(&auth_key_id).copied().flatten()
    }
}

/// A fakedc serving on loopback until [`FakeDc::shutdown`] (or drop).
pub struct FakeDc {
    state: Arc<DcState>,
    keys: Vec<(i32, AuthKey)>,
    keyring: Arc<KeyRing>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the home dc {0} is not among the dcs to serve")]
    NoHomeDc(i32),
    #[error("{0} is not an IPv4 address; session files name dcs by IPv4 address (e.g. 127.0.0.1:0)")]
    NotIpv4(SocketAddr),
}

impl FakeDc {
    pub async fn start(config: Config, world: World) -> Result<FakeDc, StartError> {
        if !config.dcs.contains(&config.home_dc) {
            return Err(StartError::NoHomeDc(config.home_dc));
        }
        if !config.listen.is_ipv4() {
            return Err(StartError::NotIpv4(config.listen));
        }
        let keyring = Arc::new(KeyRing::new());
        let self_id = world.self_id;
        let mut auth = HashMap::new();
        let mut keys = Vec::new();
        let mut servers = Vec::new();
        for &dc in &config.dcs {
            let addr = if dc == config.home_dc { config.listen } else { SocketAddr::new(config.listen.ip(), 0) };
            // Pre-provisioned and already signed in: clients cannot run the
            // key exchange against us (see grammers-server-notes.md).
            let key = AuthKey::generate();
            auth.insert(key.id(), Some(self_id));
            keyring.insert(key.clone());
            keys.push((dc, key));
            servers.push((dc, addr));
        }
        let state = Arc::new(DcState {
            world: RwLock::new(world),
            takeouts: Takeouts::new(config.takeout_delay_secs, config.seed),
            stats: Stats::default(),
            faults: Faults::new(config.faults.clone(), config.seed),
            filerefs: {
                let refs = FileRefs::new(config.seed);
                refs.set_ttl(config.file_reference_ttl);
                refs
            },
            split_size: config.split_size,
            clock: Clock::default(),
            home_dc: config.home_dc,
            dc_addrs: OnceLock::new(),
            auth: Mutex::new(auth),
            logins: crate::methods::auth::Logins::new(config.login_code.clone()),
        });
        let service = Arc::new(Service::new(Arc::clone(&state)));
        let mut bound = Vec::new();
        for (dc, addr) in servers {
            let cfg = ServerConfig { dc_id: dc, ..ServerConfig::default() };
            let server = Server::bind(addr, cfg, Arc::clone(&keyring), Arc::clone(&service))
                .await
                .map_err(|source| StartError::Bind { addr, source })?;
            bound.push((dc, server));
        }
        // Requests can only arrive once `run` starts, so the addresses are
        // always known by the time a handler reads them.
        let _ = state.dc_addrs.set(bound.iter().map(|(dc, s)| (*dc, s.local_addr())).collect());
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        for (_, server) in bound {
            let mut stopped = stopped.clone();
            tasks.push(tokio::spawn(server.run(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })));
        }
        Ok(FakeDc { state, keys, keyring, stop, tasks })
    }

    /// The home dc's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr_of(self.state.home_dc).expect("home dc is served")
    }

    pub fn addr_of(&self, dc: i32) -> Option<SocketAddr> {
        self.state.dc_addrs().iter().find(|(id, _)| *id == dc).map(|(_, a)| *a)
    }

    /// What a client needs to connect: every dc's address and its key.
    pub fn session_file(&self) -> SessionFile {
        self.session_with(self.state.home_dc, &self.keys)
    }

    /// A session file for a client that still has to sign in (`tgtakeout
    /// login`): a fresh key for every dc, known to fakedc but signed in
    /// nowhere, and dc 2 as the starting dc when it is served, as Telegram
    /// clients start (sending the code there answers PHONE_MIGRATE_X when
    /// the account lives elsewhere).
    pub fn unauthorized_session_file(&self) -> SessionFile {
        let keys: Vec<(i32, AuthKey)> = self
            .keys
            .iter()
            .map(|(dc, _)| {
                let key = AuthKey::generate();
                self.state.auth.lock().unwrap().insert(key.id(), None);
                self.keyring.insert(key.clone());
                (*dc, key)
            })
            .collect();
        let start = if keys.iter().any(|(dc, _)| *dc == 2) { 2 } else { keys[0].0 };
        let mut file = self.session_with(start, &keys);
        file.user_id = None;
        file
    }

    /// The user the auth key with this id is signed in as, if any.
    pub fn signed_in_as(&self, auth_key_id: u64) -> Option<i64> {
        self.state.user_of(auth_key_id)
    }

    fn session_with(&self, home_dc: i32, keys: &[(i32, AuthKey)]) -> SessionFile {
        SessionFile {
            home_dc,
            dcs: keys
                .iter()
                .map(|(dc, key)| {
                    let addr = self.addr_of(*dc).expect("every key's dc is served");
                    let ip = match addr.ip() {
                        std::net::IpAddr::V4(ip) => ip,
                        std::net::IpAddr::V6(_) => unreachable!("start refuses IPv6 listen addresses"),
                    };
                    DcEntry { id: *dc, ip, port: addr.port(), auth_key: Some(session_file::AuthKey::from_bytes(*key.bytes())) }
                })
                .collect(),
            user_id: Some(self.state.world.read().unwrap().self_id),
            api_id: None,
        }
    }

    pub fn state(&self) -> &Arc<DcState> {
        &self.state
    }

    /// Switches injected faults while serving.
    pub fn set_faults(&self, faults: FaultConfig) {
        self.state.faults.set_config(faults);
    }

    /// Moves fakedc's clock forward (takeout delay, file reference expiry).
    pub fn advance_clock(&self, secs: i64) {
        self.state.clock.advance(secs);
    }

    pub fn stats(&self) -> Counts {
        self.state.stats.snapshot()
    }

    pub fn takeouts(&self) -> Vec<TakeoutRecord> {
        self.state.takeouts.records()
    }

    /// Changes the world while serving (e.g. new messages for an
    /// incremental export).
    pub fn with_world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        f(&mut self.state.world.write().unwrap())
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for FakeDc {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
