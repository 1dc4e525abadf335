//! `tgtakeout export`: open the session and the store, run the engine,
//! turn its outcome into a summary and an exit code.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use takeout::{ExportError, ExportOptions, Store, Summary};
use takeout_telegram::{ClientOptions, SessionFile, TelegramApi};

use crate::args::{Cli, ExportArgs};
use crate::display::Display;
use crate::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_MUST_WAIT, Failure, bad_input};

pub async fn run(cli: &Cli, args: &ExportArgs) -> Result<(), Failure> {
    let session_path = crate::login_cmd::session_path(&args.session)?;
    let session = SessionFile::load(&session_path).map_err(bad_input)?;
    let api_id = args.api_id.or(session.api_id).unwrap_or(1);
    let options = args.options();
    let formats = crate::render_cmd::formats(&args.render).map_err(bad_input)?;
    let summary = export_with(&session, &args.out, &options, api_id, args.wait, cli.quiet).await;
    // Keys grammers created for dcs that had none (real Telegram) are kept for the next run.
    crate::session_cmd::save_new_keys(&session_path);
    let summary = summary?;
    report(cli, &summary, &args.out);
    crate::render_cmd::render_into(cli, &args.out, &args.out.join("store.sqlite"), &formats, args.render.utc)?;
    Ok(())
}

pub async fn export_with(
    session: &SessionFile,
    out: &Path,
    options: &ExportOptions,
    api_id: i32,
    wait: bool,
    quiet: bool,
) -> Result<Summary, Failure> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output directory {}", out.display()))
        .map_err(bad_input)?;
    let store_path = out.join("store.sqlite");
    loop {
        let store = Store::open(&store_path).map_err(bad_input)?;
        let api = TelegramApi::connect(session, ClientOptions { api_id, connections: options.file_options.connections.max(1) }).map_err(bad_input)?;
        crate::session_cmd::watch(api.watch());
        let display = Arc::new(Display::new(quiet));
        let interrupted = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let result = takeout::export_until(api, store, options, display.clone(), interrupted).await;
        display.finish();
        match result {
            Ok((summary, _store)) => return Ok(summary),
            Err(e @ ExportError::TakeoutDelay { seconds }) => {
                let at = chrono::Local::now() + chrono::Duration::seconds(seconds as i64);
                // Remember it: the next run can say when without asking Telegram first.
                if let Ok(mut s) = Store::open(&store_path) {
                    let _ = s.set_meta("takeout_ready_at", &at.timestamp().to_string());
                }
                if !wait {
                    return Err(Failure {
                        code: EXIT_MUST_WAIT,
                        error: anyhow::anyhow!(
                            "{e}.\nIt becomes possible on {} (local time). Run the same command again then, or add --wait to wait here.",
                            at.format("%Y-%m-%d %H:%M:%S")
                        ),
                    });
                }
                countdown(seconds, &display).await;
            }
            Err(e @ (ExportError::NoMatch(_) | ExportError::Store(_) | ExportError::Bot)) => return Err(bad_input(e)),
            Err(e @ ExportError::Interrupted) => return Err(Failure { code: EXIT_INTERRUPTED, error: e.into() }),
            Err(e) => return Err(Failure { code: EXIT_FAILED, error: anyhow::anyhow!("{e}. What was exported so far is kept; run the same command again to continue.") }),
        }
    }
}

async fn countdown(seconds: u64, display: &Display) {
    use takeout::progress::{Event, Progress};
    let mut left = seconds;
    while left > 0 {
        display.event(Event::DelayCountdown { seconds: left });
        let step = left.min(if left > 3600 { 600 } else if left > 60 { 30 } else { 1 });
        tokio::time::sleep(Duration::from_secs(step)).await;
        left -= step;
    }
}

pub fn report(cli: &Cli, s: &Summary, out: &Path) {
    if cli.json {
        println!("{}", serde_json::to_string_pretty(s).expect("summary serializes"));
        return;
    }
    if cli.quiet {
        return;
    }
    println!("Exported into {} in {:.2} s:", out.join("store.sqlite").display(), s.seconds);
    for (kind, n) in &s.chats {
        println!("  {:>6} {kind} chats, {} new messages", n, s.messages.get(kind).copied().unwrap_or(0));
    }
    println!("  {:>6} new messages in all", s.messages_total);
    println!("  {:>6} contacts, {} saved phone contacts", s.contacts, s.saved_contacts);
    println!("  {:>6} profile photos, {} stories, {} sessions", s.profile_photos, s.stories, s.sessions);
    let f = &s.files;
    println!("  {:>6} files fetched ({:.1} MiB), {} linked to a file fetched once", f.downloaded, f.bytes as f64 / (1 << 20) as f64, f.linked);
    for (reason, n) in &f.skipped {
        let why = match reason.as_str() {
            "files_off" => "files were not exported",
            "kind" => "media kind not selected (--media)",
            "size" => "larger than --max-file-size",
            other => other,
        };
        println!("  {n:>6} files skipped: {why}");
    }
    if f.unavailable > 0 {
        println!("  {:>6} files Telegram could not give (noted in the store)", f.unavailable);
    }
    for sk in &s.skipped {
        println!("  skipped {}: {}", sk.chat, sk.reason);
    }
}

