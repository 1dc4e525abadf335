//! Shared by fakedc's integration tests: start a fakedc in-process on
//! 127.0.0.1:0 and connect the real grammers client to it from the session
//! file fakedc writes.
#![allow(dead_code)]

use std::net::{SocketAddrV4, SocketAddrV6};
use std::sync::Arc;

use fakedc::session_file::SessionFile;
use fakedc::world::{Peer, World, WorldParams};
use fakedc::{Config, FakeDc};
use grammers_client::{Client, tl};
use grammers_client::session::SessionData;
use grammers_client::session::storages::MemorySession;
use grammers_client::session::types::DcOption;
use grammers_mtsender::{ConnectionParams, InvocationError, NoRetries, RpcError, SenderPool, SenderPoolHandle};
use tokio::task::JoinHandle;

pub const API_ID: i32 = 1;

pub fn small_world(seed: u64) -> World {
    World::generate(&WorldParams::preset("small", seed).unwrap())
}

pub async fn start(world: World) -> FakeDc {
    start_with(Config::default(), world).await
}

/// [`start`] with a configuration of the test's own (still on 127.0.0.1:0
/// unless the test changes `listen`).
pub async fn start_with(config: Config, world: World) -> FakeDc {
    FakeDc::start(config, world).await.expect("fakedc starts")
}

/// A grammers client that knows only fakedc's loopback dcs (no real
/// Telegram address is left in its session, so nothing can leak out).
pub fn client(session: &SessionFile) -> (Client, JoinHandle<()>) {
    let pool = SenderPool::new(Arc::new(MemorySession::from(session_data(session))), API_ID);
    let client = Client::new(pool.handle);
    let runner = tokio::spawn(pool.runner.run());
    (client, runner)
}

/// A client that never retries: every FLOOD_WAIT, I/O error and 500 comes
/// back to the caller exactly as fakedc sent it (the default policy sleeps
/// through FLOOD_WAIT ≤ 60 s and retries I/O errors). Use [`invoke_exact`]
/// with it, so a dropped connection is replaced deterministically.
pub fn client_no_retries(session: &SessionFile) -> ExactClient {
    let params = ConnectionParams { retry_policy: Box::new(NoRetries), ..Default::default() };
    let pool = SenderPool::with_configuration(Arc::new(MemorySession::from(session_data(session))), API_ID, params);
    let handle = pool.handle.thin.clone();
    let client = Client::new(pool.handle);
    let runner = tokio::spawn(pool.runner.run());
    ExactClient { client, handle, home_dc: session.home_dc, _runner: runner }
}

pub struct ExactClient {
    pub client: Client,
    pub handle: SenderPoolHandle,
    pub home_dc: i32,
    _runner: JoinHandle<()>,
}

impl ExactClient {
    /// Invokes once. After an I/O error (fakedc dropped the connection) the
    /// dead connection is discarded before anything else is sent, so the
    /// next request always opens a new one (without this, a request sent
    /// the instant after the drop can race the pool noticing it).
    pub async fn invoke<R: tl::RemoteCall>(&self, request: &R) -> Result<R::Return, InvocationError> {
        let result = self.client.invoke(request).await;
        if matches!(result, Err(InvocationError::Io(_) | InvocationError::Dropped(_))) {
            self.handle.disconnect_from_dc(self.home_dc);
        }
        result
    }
}

/// What became of one request, as a test compares them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The connection was closed unanswered.
    Dropped,
    /// An RPC error: code and name as Telegram sent it (grammers' trailing
    /// number put back, e.g. FLOOD_WAIT_5).
    Rpc(i32, String),
}

pub fn outcome<T>(result: &Result<T, InvocationError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(InvocationError::Io(_) | InvocationError::Dropped(_)) => Outcome::Dropped,
        Err(InvocationError::Rpc(e)) => Outcome::Rpc(
            e.code,
            match e.value {
                Some(v) => format!("{}_{v}", e.name),
                None => e.name.clone(),
            },
        ),
        Err(e) => panic!("unexpected error kind: {e:?}"),
    }
}

/// The RPC error of a result that must have failed with one.
#[track_caller]
pub fn rpc_error<T: std::fmt::Debug>(result: Result<T, InvocationError>) -> RpcError {
    match result {
        Err(InvocationError::Rpc(e)) => e,
        other => panic!("expected an RPC error, got {other:?}"),
    }
}

/// Asserts an RPC error by code and full name (FLOOD_WAIT_5 style names
/// are compared with grammers' split-off value put back).
#[track_caller]
pub fn assert_rpc<T: std::fmt::Debug>(result: Result<T, InvocationError>, code: i32, name: &str) {
    let got = outcome(&result);
    assert_eq!(got, Outcome::Rpc(code, name.to_string()), "{result:?}");
}

/// account.initTakeoutSession with every flag and the given size limit.
pub fn takeout_all(file_max_size: i64) -> tl::functions::account::InitTakeoutSession {
    tl::functions::account::InitTakeoutSession {
        contacts: true,
        message_users: true,
        message_chats: true,
        message_megagroups: true,
        message_channels: true,
        files: true,
        file_max_size: Some(file_max_size),
    }
}

pub fn takeout_id(t: tl::enums::account::Takeout) -> i64 {
    let tl::enums::account::Takeout::Takeout(t) = t;
    t.id
}

/// `invokeWithTakeout(id, query)`.
pub fn in_takeout<X: tl::RemoteCall>(takeout_id: i64, query: X) -> tl::functions::InvokeWithTakeout<X> {
    tl::functions::InvokeWithTakeout { takeout_id, query }
}

/// `invokeWithTakeout(id, invokeWithMessagesRange(min..=max, query))`.
pub fn in_range<X: tl::RemoteCall>(
    takeout_id: i64,
    (min_id, max_id): (i32, i32),
    query: X,
) -> tl::functions::InvokeWithTakeout<tl::functions::InvokeWithMessagesRange<X>> {
    in_takeout(
        takeout_id,
        tl::functions::InvokeWithMessagesRange { range: tl::types::MessageRange { min_id, max_id }.into(), query },
    )
}

/// The InputPeer a client would build for a world peer (ids and access
/// hashes straight from the world).
pub fn input_peer(world: &World, peer: Peer) -> tl::enums::InputPeer {
    match peer {
        Peer::User(id) if id == world.self_id => tl::enums::InputPeer::PeerSelf,
        Peer::User(id) => {
            tl::types::InputPeerUser { user_id: id, access_hash: world.user(id).expect("user exists").access_hash }.into()
        }
        Peer::Chat(id) => tl::types::InputPeerChat { chat_id: id }.into(),
        Peer::Channel(id) => tl::types::InputPeerChannel {
            channel_id: id,
            access_hash: world.chat(id).expect("channel exists").access_hash,
        }
        .into(),
    }
}

pub fn input_channel(world: &World, id: i64) -> tl::enums::InputChannel {
    tl::types::InputChannel { channel_id: id, access_hash: world.chat(id).expect("channel exists").access_hash }.into()
}

/// messages.getHistory with every paging field zero but the limit.
pub fn get_history(peer: tl::enums::InputPeer, limit: i32) -> tl::functions::messages::GetHistory {
    tl::functions::messages::GetHistory {
        peer,
        offset_id: 0,
        offset_date: 0,
        add_offset: 0,
        limit,
        max_id: 0,
        min_id: 0,
        hash: 0,
    }
}

/// The messages of any messages.Messages answer (empty for notModified).
pub fn messages_of(m: &tl::enums::messages::Messages) -> &[tl::enums::Message] {
    use tl::enums::messages::Messages as M;
    match m {
        M::Messages(m) => &m.messages,
        M::Slice(m) => &m.messages,
        M::ChannelMessages(m) => &m.messages,
        M::NotModified(_) => &[],
    }
}

pub fn ids_of(m: &tl::enums::messages::Messages) -> Vec<i32> {
    messages_of(m).iter().map(|m| m.id()).collect()
}

fn session_data(session: &SessionFile) -> SessionData {
    let mut data = SessionData::default();
    data.dc_options.clear();
    for dc in &session.dcs {
        let ip = dc.ip;
        data.dc_options.insert(
            dc.id,
            DcOption {
                id: dc.id,
                ipv4: SocketAddrV4::new(ip, dc.port),
                ipv6: SocketAddrV6::new(ip.to_ipv6_mapped(), dc.port, 0, 0),
                auth_key: dc.auth_key.as_ref().map(|k| *k.expose()),
            },
        );
    }
    data.home_dc = session.home_dc;
    data
}
