//! The export's connection to Telegram: every request wrapped in
//! invokeWithTakeout (and invokeWithMessagesRange where Telegram requires
//! it), with our own retry policy — flood waits of any length are slept
//! out, dropped connections and 5xx answers retried with backoff, an
//! invalidated takeout renewed — and adaptive concurrency.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use grammers_tl_types as tl;

use crate::api::{Api, ApiError};
use crate::error::ExportError;
use crate::limiter::Limiter;
use crate::options::Flags;
use crate::progress::{Event, Progress};

const INVOKE_WITH_TAKEOUT: u32 = 0xaca9fd2e;
const INVOKE_WITH_MESSAGES_RANGE: u32 = 0x365275f2;
const MESSAGE_RANGE: u32 = 0x0ae30253;
/// Network errors and 5xx answers in a row before giving up on a request.
const MAX_ATTEMPTS: u32 = 12;

pub struct Client<A> {
    api: A,
    flags: Flags,
    takeout: RwLock<Option<i64>>,
    renewing: tokio::sync::Mutex<()>,
    pub limiter: Limiter,
    progress: Arc<dyn Progress>,
}

impl<A: Api> Client<A> {
    pub fn new(api: A, flags: Flags, concurrency: usize, progress: Arc<dyn Progress>) -> Self {
        Client {
            api,
            flags,
            takeout: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(()),
            limiter: Limiter::new(concurrency),
            progress,
        }
    }

    /// A request outside the takeout session (only users.getUsers(self) is sent so).
    pub async fn plain<R: tl::RemoteCall>(&self, req: &R) -> Result<R::Return, ExportError> {
        let body = tl::Serializable::to_bytes(req);
        let bytes = self.send(|_| body.clone()).await?;
        decode::<R>(&bytes)
    }

    /// account.initTakeoutSession. A delay is returned as
    /// [`ExportError::TakeoutDelay`] for the caller to explain or wait out.
    pub async fn start_takeout(&self) -> Result<i64, ExportError> {
        let f = &self.flags;
        let req = tl::functions::account::InitTakeoutSession {
            contacts: f.contacts,
            message_users: f.message_users,
            message_chats: f.message_chats,
            message_megagroups: f.message_megagroups,
            message_channels: f.message_channels,
            files: f.files,
            file_max_size: f.files.then_some(f.file_max_size),
        };
        let body = tl::Serializable::to_bytes(&req);
        match self.send(|_| body.clone()).await {
            Ok(bytes) => {
                let tl::enums::account::Takeout::Takeout(t) = decode::<tl::functions::account::InitTakeoutSession>(&bytes)?;
                *self.takeout.write().unwrap() = Some(t.id);
                Ok(t.id)
            }
            Err(ExportError::Api(ApiError::Rpc { name, value: Some(secs), .. })) if name == "TAKEOUT_INIT_DELAY" => {
                Err(ExportError::TakeoutDelay { seconds: secs as u64 })
            }
            Err(e) => Err(e),
        }
    }

    pub fn takeout_id(&self) -> Option<i64> {
        *self.takeout.read().unwrap()
    }

    /// A request inside the takeout session, optionally inside a message range.
    pub async fn call<R: tl::RemoteCall>(&self, req: &R, range: Option<(i32, i32)>) -> Result<R::Return, ExportError> {
        let inner = tl::Serializable::to_bytes(req);
        let bytes = self.send(|takeout| wrap(takeout, range, &inner)).await?;
        decode::<R>(&bytes)
    }

    pub async fn finish(&self, success: bool) -> Result<(), ExportError> {
        self.call(&tl::functions::account::FinishTakeoutSession { success }, None).await.map(|_| ())
    }

    /// upload.getFile inside the takeout session, on data centre `dc` (None:
    /// the home dc), with its own limiter (files have their own flood
    /// class, so their concurrency adapts apart from the history's), and a
    /// stall timeout: grammers has no read timeout, so a request the server
    /// never answers would otherwise hang its file forever; a timed-out
    /// request is retried like a dropped connection. FILE_MIGRATE_X,
    /// FILE_REFERENCE_EXPIRED and other 4xx answers come back to the caller.
    pub async fn get_file(
        &self,
        dc: Option<i32>,
        req: &tl::functions::upload::GetFile,
        limiter: &Limiter,
        stall: Duration,
    ) -> Result<tl::enums::upload::File, ExportError> {
        let inner = tl::Serializable::to_bytes(req);
        let bytes = self.send_via(dc, limiter, Some(stall), |takeout| wrap(takeout, None, &inner)).await?;
        decode::<tl::functions::upload::GetFile>(&bytes)
    }

    /// Sends with the retry policy. `body` is rebuilt for each attempt, as
    /// the takeout id can change between them.
    async fn send(&self, body: impl Fn(Option<i64>) -> Vec<u8>) -> Result<Vec<u8>, ExportError> {
        self.send_via(None, &self.limiter, None, body).await
    }

    async fn send_via(
        &self,
        dc: Option<i32>,
        limiter: &Limiter,
        stall: Option<Duration>,
        body: impl Fn(Option<i64>) -> Vec<u8>,
    ) -> Result<Vec<u8>, ExportError> {
        let mut attempts = 0;
        loop {
            let takeout = self.takeout_id();
            let result = {
                let _slot = limiter.acquire().await;
                let call = async {
                    match dc {
                        Some(dc) => self.api.invoke_raw_in_dc(dc, body(takeout)).await,
                        None => self.api.invoke_raw(body(takeout)).await,
                    }
                };
                match stall {
                    Some(limit) => tokio::time::timeout(limit, call)
                        .await
                        .unwrap_or_else(|_| Err(ApiError::Network(format!("no answer in {:.1} s", limit.as_secs_f64())))),
                    None => call.await,
                }
            };
            match result {
                Ok(bytes) => {
                    limiter.success();
                    return Ok(bytes);
                }
                Err(ApiError::Rpc { code: 420, name, value }) if name == "FLOOD_WAIT" || name == "FLOOD_PREMIUM_WAIT" => {
                    let secs = value.unwrap_or(1).max(1);
                    limiter.flood();
                    self.progress.event(Event::FloodWait { seconds: secs });
                    tracing::info!(seconds = secs, "flood wait");
                    tokio::time::sleep(Duration::from_secs(secs as u64)).await;
                }
                Err(ApiError::Rpc { name, .. }) if name == "TAKEOUT_INVALID" && takeout.is_some() => {
                    self.renew(takeout).await?;
                }
                Err(e @ (ApiError::Network(_) | ApiError::Rpc { code: 500..=599, .. })) => {
                    attempts += 1;
                    if attempts >= MAX_ATTEMPTS {
                        return Err(ExportError::Api(e));
                    }
                    self.progress.event(Event::Retry { reason: e.to_string() });
                    tracing::info!(error = %e, attempts, "retrying");
                    // 100 ms doubling to 6.4 s: a reconnect is usually instant.
                    tokio::time::sleep(Duration::from_millis(100 << attempts.min(6))).await;
                }
                Err(e) => return Err(ExportError::Api(e)),
            }
        }
    }

    /// Opens a new takeout session after the old one was invalidated; many
    /// tasks may see TAKEOUT_INVALID at once, only the first renews.
    async fn renew(&self, stale: Option<i64>) -> Result<(), ExportError> {
        let _one = self.renewing.lock().await;
        if self.takeout_id() != stale {
            return Ok(());
        }
        tracing::warn!("takeout session was invalidated; starting a new one and continuing from the store");
        Box::pin(self.start_takeout()).await?;
        self.progress.event(Event::TakeoutRenewed);
        Ok(())
    }
}

fn wrap(takeout: Option<i64>, range: Option<(i32, i32)>, inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(inner.len() + 32);
    if let Some(id) = takeout {
        out.extend_from_slice(&INVOKE_WITH_TAKEOUT.to_le_bytes());
        out.extend_from_slice(&id.to_le_bytes());
    }
    if let Some((min, max)) = range {
        out.extend_from_slice(&INVOKE_WITH_MESSAGES_RANGE.to_le_bytes());
        out.extend_from_slice(&MESSAGE_RANGE.to_le_bytes());
        out.extend_from_slice(&min.to_le_bytes());
        out.extend_from_slice(&max.to_le_bytes());
    }
    out.extend_from_slice(inner);
    out
}

fn decode<R: tl::RemoteCall>(bytes: &[u8]) -> Result<R::Return, ExportError> {
    <R::Return as tl::Deserializable>::from_bytes(bytes).map_err(|e| ExportError::Api(ApiError::Decode(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_matches_the_tl_definitions() {
        let inner = tl::Serializable::to_bytes(&tl::functions::messages::GetSplitRanges {});
        let ours = wrap(Some(7), Some((1, 100)), &inner);
        let theirs = tl::Serializable::to_bytes(&tl::functions::InvokeWithTakeout {
            takeout_id: 7,
            query: tl::functions::InvokeWithMessagesRange {
                range: tl::types::MessageRange { min_id: 1, max_id: 100 }.into(),
                query: tl::functions::messages::GetSplitRanges {},
            },
        });
        assert_eq!(ours, theirs);
    }
}
