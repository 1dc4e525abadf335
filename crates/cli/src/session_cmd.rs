//! `tgtakeout whoami` (who the session is signed in as, nothing secret)
//! and `tgtakeout logout` (auth.logOut, then the session file is deleted).

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;
use takeout::api::ApiError;
use takeout_telegram::{ClientOptions, SessionFile, TelegramApi};

use crate::args::Cli;
use crate::login_cmd::session_path;
use crate::{EXIT_BAD_INPUT, Failure, bad_input};

#[derive(Args)]
pub struct SessionArgs {
    /// The session file (default: the one `tgtakeout login` writes).
    #[arg(long)]
    pub session: Option<PathBuf>,
    /// Your app's API id; default: the one the session signed in with.
    #[arg(long, env = "TG_API_ID")]
    pub api_id: Option<i32>,
}

fn not_signed_in(e: &ApiError) -> bool {
    matches!(e, ApiError::Rpc { code: 401, .. })
}

fn open(args: &SessionArgs) -> Result<(PathBuf, SessionFile, TelegramApi), Failure> {
    let path = session_path(&args.session)?;
    if !path.exists() {
        return Err(bad_input(anyhow!("there is no session file at {}: sign in with `tgtakeout login` first", path.display())));
    }
    let session = SessionFile::load(&path).map_err(bad_input)?;
    let api_id = args.api_id.or(session.api_id).unwrap_or(1);
    let api = TelegramApi::connect(&session, ClientOptions::new(api_id)).map_err(bad_input)?;
    Ok((path, session, api))
}

pub async fn whoami(cli: &Cli, args: &SessionArgs) -> Result<(), Failure> {
    let (path, session, api) = open(args)?;
    match api.me().await {
        Ok(me) => {
            if cli.json {
                let v = serde_json::json!({
                    "id": me.id, "first_name": me.first_name, "last_name": me.last_name,
                    "username": me.username, "phone": me.phone, "home_dc": session.home_dc,
                    "session": path.display().to_string(),
                });
                println!("{}", serde_json::to_string_pretty(&v).expect("serializes"));
            } else {
                println!("Signed in as {me}.");
                println!("Session {} (home data centre {}).", path.display(), session.home_dc);
            }
            Ok(())
        }
        Err(e) if not_signed_in(&e) => Err(Failure {
            code: EXIT_BAD_INPUT,
            error: anyhow!("the session {} is not signed in (Telegram says {e}); run `tgtakeout login`", path.display()),
        }),
        Err(e) => Err(anyhow!("cannot ask Telegram who is signed in: {e}").into()),
    }
}

pub async fn logout(cli: &Cli, args: &SessionArgs) -> Result<(), Failure> {
    let (path, _, api) = open(args)?;
    match api.log_out().await {
        Ok(()) => {}
        // Already signed out elsewhere (e.g. from Settings → Devices): nothing left to end.
        Err(e) if not_signed_in(&e) => {}
        Err(e) => {
            return Err(anyhow!(
                "cannot reach Telegram to sign out ({e}); the session file {} is kept. Run `tgtakeout logout` again, \
                 or end the session from Settings → Devices in a Telegram app and delete the file",
                path.display()
            )
            .into());
        }
    }
    drop(api);
    std::fs::remove_file(&path).map_err(|e| anyhow!("signed out, but cannot delete {}: {e}", path.display()))?;
    if !cli.quiet {
        println!("Signed out; deleted {}.", path.display());
    }
    Ok(())
}

/// The session of the last client `export` made, to save the keys grammers
/// created during the run (real Telegram: a dc's first connection makes
/// its key by DH). One per process: tgtakeout runs one export at a time.
static WATCH: std::sync::Mutex<Option<takeout_telegram::SessionWatch>> = std::sync::Mutex::new(None);

pub fn watch(w: takeout_telegram::SessionWatch) {
    *WATCH.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
}

/// Writes the session file again when the last client's session gained a
/// key; a failure is only a warning (the next run makes the key again).
pub fn save_new_keys(path: &std::path::Path) {
    let Some(w) = WATCH.lock().unwrap_or_else(|e| e.into_inner()).take() else { return };
    if w.changed() {
        if let Err(e) = w.session_file().save(path) {
            tracing::warn!("could not save the new keys to the session file: {e}");
        }
    }
}
