//! Shared by fakedc's integration tests: start a fakedc in-process on
//! 127.0.0.1:0 and connect the real grammers client to it from the session
//! file fakedc writes.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddrV4, SocketAddrV6};
use std::sync::Arc;

use fakedc::session_file::SessionFile;
use fakedc::world::{World, WorldParams};
use fakedc::{Config, FakeDc};
use grammers_client::Client;
use grammers_client::session::SessionData;
use grammers_client::session::storages::MemorySession;
use grammers_client::session::types::DcOption;
use grammers_mtsender::SenderPool;
use tokio::task::JoinHandle;

pub const API_ID: i32 = 1;

pub fn small_world(seed: u64) -> World {
    World::generate(&WorldParams::preset("small", seed).unwrap())
}

pub async fn start(world: World) -> FakeDc {
    FakeDc::start(Config::default(), world).await.expect("fakedc starts")
}

/// A grammers client that knows only fakedc's loopback dcs (no real
/// Telegram address is left in its session, so nothing can leak out).
pub fn client(session: &SessionFile) -> (Client, JoinHandle<()>) {
    let mut data = SessionData::default();
    data.dc_options.clear();
    for dc in &session.dcs {
        let ip: Ipv4Addr = dc.ip.parse().unwrap();
        data.dc_options.insert(
            dc.id,
            DcOption {
                id: dc.id,
                ipv4: SocketAddrV4::new(ip, dc.port),
                ipv6: SocketAddrV6::new(ip.to_ipv6_mapped(), dc.port, 0, 0),
                auth_key: dc.auth_key_bytes(),
            },
        );
    }
    data.home_dc = session.home_dc;
    let pool = SenderPool::new(Arc::new(MemorySession::from(data)), API_ID);
    let client = Client::new(pool.handle);
    let runner = tokio::spawn(pool.runner.run());
    (client, runner)
}
