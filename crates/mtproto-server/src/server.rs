//! The listener: accepts connections and owns their tasks.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tracing::{debug, error, info, warn};

use crate::connection;
use crate::handler::Handler;
use crate::keyring::KeyRing;

/// Largest frame grammers can receive: its read buffer is 1 MiB + 8 KiB
/// and a larger frame makes it drop the connection. Every server frame is
/// kept below this.
pub const MAX_CLIENT_READ: usize = 1024 * 1024 + 8 * 1024;

/// Listener settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The dc this listener plays; passed to the handler in every
    /// [`crate::CallContext`].
    pub dc_id: i32,
    /// Results of at least this many bytes are gzip_packed when the handler
    /// allows it (and compression actually shrinks them). Default 1024.
    pub gzip_min: usize,
    /// Largest client frame accepted, transport overhead included; a
    /// larger one closes the connection. Default 2 MiB.
    pub max_frame: usize,
}

impl ServerConfig {
    /// Defaults for dc `dc_id`.
    pub fn new(dc_id: i32) -> Self {
        Self {
            dc_id,
            ..Self::default()
        }
    }
}

impl Default for ServerConfig {
    /// dc 2 (the home dc of a fresh grammers session), gzip from 1 KiB,
    /// frames up to 2 MiB.
    fn default() -> Self {
        Self {
            dc_id: 2,
            gzip_min: 1024,
            max_frame: 2 * 1024 * 1024,
        }
    }
}

/// What every connection of one listener shares.
pub(crate) struct Shared<H> {
    pub config: ServerConfig,
    pub keys: Arc<KeyRing>,
    pub handler: Arc<H>,
}

/// One MTProto listener (one fake dc).
pub struct Server<H: Handler> {
    listener: TcpListener,
    local_addr: SocketAddr,
    shared: Arc<Shared<H>>,
}

impl<H: Handler> Server<H> {
    /// Binds (e.g. `127.0.0.1:0`).
    pub async fn bind(
        addr: SocketAddr,
        config: ServerConfig,
        keys: Arc<KeyRing>,
        handler: Arc<H>,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        Ok(Self {
            listener,
            local_addr,
            shared: Arc::new(Shared {
                config,
                keys,
                handler,
            }),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Accept loop; returns when `shutdown` resolves, after closing the
    /// listener and aborting every connection (and the requests running on
    /// them).
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let Self {
            listener,
            local_addr,
            shared,
        } = self;
        info!(dc = shared.config.dc_id, %local_addr, "mtproto server listening");
        let mut conns = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        // Replies are single frames written whole; Nagle
                        // would only add latency.
                        if let Err(e) = stream.set_nodelay(true) {
                            debug!(%peer, error = %e, "set_nodelay failed");
                        }
                        conns.spawn(connection::serve(shared.clone(), stream, peer));
                    }
                    Err(e) => {
                        // Typically EMFILE: back off instead of spinning.
                        warn!(%local_addr, error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                },
                Some(done) = conns.join_next(), if !conns.is_empty() => {
                    match done {
                        Err(e) if e.is_panic() => {
                            error!(%local_addr, "connection task panicked: {e}");
                        }
                        _ => {}
                    }
                }
            }
        }
        drop(listener);
        conns.shutdown().await;
        info!(dc = shared.config.dc_id, %local_addr, "mtproto server stopped");
    }
}
