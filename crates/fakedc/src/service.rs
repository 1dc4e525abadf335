//! The bridge from mtproto-server to the methods: peels the takeout
//! wrappers (invokeWithTakeout, invokeWithMessagesRange) that carry
//! Telegram business meaning, counts every request, routes it, and turns
//! the outcome into a reply. Protocol wrappers (invokeWithLayer,
//! initConnection, invokeWithoutUpdates) were already peeled by
//! mtproto-server.

use std::sync::Arc;

use grammers_tl_types as tl;
use mtproto_server::{CallContext, Handler, Reply};

use crate::dc::DcState;
use crate::error::RpcErr;
use crate::faults::Verdict;
use crate::methods::{self, Call};
use crate::tl::FileRefOf;

const INVOKE_WITH_TAKEOUT: u32 = 0xaca9fd2e;
const INVOKE_WITH_MESSAGES_RANGE: u32 = 0x365275f2;
const INVOKE_WITHOUT_UPDATES: u32 = 0xbf9459b7;
const MESSAGE_RANGE: u32 = 0x0ae30253;
/// upload.file: file bytes do not compress, so they are never gzipped.
const UPLOAD_FILE: u32 = 0x096a18d5;

pub struct Service {
    state: Arc<DcState>,
}

impl Service {
    pub fn new(state: Arc<DcState>) -> Self {
        Service { state }
    }

    fn handle(&self, ctx: &CallContext, body: &[u8]) -> Result<Vec<u8>, RpcErr> {
        let dc = &*self.state;
        let mut rest = body;
        let mut takeout = None;
        let mut range = None;
        let id = loop {
            let id = read_u32(rest, 0)?;
            match id {
                INVOKE_WITH_TAKEOUT => {
                    let takeout_id = read_u64(rest, 4)? as i64;
                    takeout = Some(dc.takeouts.get(takeout_id)?);
                    rest = &rest[12..];
                }
                INVOKE_WITH_MESSAGES_RANGE => {
                    if read_u32(rest, 4)? != MESSAGE_RANGE {
                        return Err(RpcErr::bad_request("INPUT_REQUEST_INVALID"));
                    }
                    range = Some((read_u32(rest, 8)? as i32, read_u32(rest, 12)? as i32));
                    rest = &rest[16..];
                }
                // Telethon wraps takeout requests again: invokeWithoutUpdates(invokeWithTakeout(..)).
                INVOKE_WITHOUT_UPDATES => rest = &rest[4..],
                _ => break id,
            }
        };
        let name = tl::name_for_id(id);
        let world = dc.world.read().unwrap_or_else(|p| p.into_inner());
        let now = dc.clock.now();
        let issue = |of: FileRefOf| match of {
            FileRefOf::Photo(id) | FileRefOf::Document(id) => dc.filerefs.issue(id, now),
        };
        let call = Call { dc, world: &world, ctx, user_id: dc.user_of(ctx.auth_key_id), takeout, range, file_reference: &issue };
        match methods::dispatch(&call, id, rest) {
            Some(result) => result,
            None => {
                // Known TL names that fakedc has no handler for, and ids no
                // layer knows, both get an answer rather than silence.
                if name == "unknown" {
                    tracing::warn!("unknown method constructor {id:#010x}");
                    Err(RpcErr::bad_request(&format!("INPUT_METHOD_INVALID_{id}")))
                } else {
                    tracing::warn!("fakedc does not implement {name}");
                    Err(RpcErr::bad_request("METHOD_NOT_IMPLEMENTED_BY_FAKEDC"))
                }
            }
        }
    }
}

impl Handler for Service {
    async fn call(&self, ctx: CallContext, body: Vec<u8>) -> Reply {
        let faults = &self.state.faults;
        // Every request received counts, whatever becomes of it (served,
        // refused, failed or dropped by a fault): each takeout wrapper and
        // the method inside.
        let method = innermost_name(&body, |wrapper| self.state.stats.request(wrapper));
        self.state.stats.request(method);
        let verdict = faults.verdict(method);
        if verdict == Verdict::Drop {
            tracing::info!(conn = ctx.conn_id, method, "fault: dropping the connection");
            return Reply::Drop;
        }
        if verdict == Verdict::Stall {
            tracing::info!(conn = ctx.conn_id, method, "fault: never answering this request");
            self.state.stats.request("stalled");
            // Aborted with its connection (or at shutdown).
            std::future::pending::<()>().await;
        }
        // Every answer is delayed, injected errors included.
        let latency = faults.latency();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        if let Verdict::Fail(e) = verdict {
            tracing::info!(conn = ctx.conn_id, method, error = %e, "fault: failing the request");
            self.state.stats.error(&e.name);
            return Reply::error(e.code, e.name);
        }
        if faults.takeout_invalidation_due() && self.state.takeouts.invalidate_current() {
            tracing::info!("fault: invalidated the live takeout session");
        }
        match self.handle(&ctx, &body) {
            Ok(bytes) => {
                self.state.stats.served(bytes.len());
                if bytes.get(..4) == Some(&UPLOAD_FILE.to_le_bytes()) {
                    let hold = faults.bandwidth_delay(bytes.len());
                    if !hold.is_zero() {
                        tokio::time::sleep(hold).await;
                    }
                    Reply::ok_raw(bytes)
                } else {
                    Reply::ok(bytes)
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "answering with an error");
                self.state.stats.error(&e.name);
                Reply::error(e.code, e.name)
            }
        }
    }
}

/// The TL name of the method inside any takeout wrappers (for counters,
/// flood classes and logs), calling `wrapper` with the name of each takeout
/// wrapper on the way; cheap, no parsing beyond the wrappers' fixed sizes.
fn innermost_name(body: &[u8], mut wrapper: impl FnMut(&'static str)) -> &'static str {
    let mut rest = body;
    loop {
        let Ok(id) = read_u32(rest, 0) else { return "unknown" };
        let skip = match id {
            INVOKE_WITH_TAKEOUT => {
                wrapper("invokeWithTakeout");
                12
            }
            INVOKE_WITH_MESSAGES_RANGE => {
                wrapper("invokeWithMessagesRange");
                16
            }
            INVOKE_WITHOUT_UPDATES => 4,
            _ => return tl::name_for_id(id),
        };
        match rest.get(skip..) {
            Some(r) => rest = r,
            None => return "unknown",
        }
    }
}

fn read_u32(b: &[u8], at: usize) -> Result<u32, RpcErr> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes(s.try_into().unwrap()))
        .ok_or_else(|| RpcErr::bad_request("INPUT_REQUEST_TOO_SHORT"))
}

fn read_u64(b: &[u8], at: usize) -> Result<u64, RpcErr> {
    b.get(at..at + 8)
        .map(|s| u64::from_le_bytes(s.try_into().unwrap()))
        .ok_or_else(|| RpcErr::bad_request("INPUT_REQUEST_TOO_SHORT"))
}
