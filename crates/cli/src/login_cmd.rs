//! `tgtakeout login`: sign in with a phone number, the login code and the
//! two-step password, and write the session file (0600). Answers are
//! prompted on the terminal (the password without echo), or read line by
//! line from files or stdin for scripts and tests. The code and the
//! password are never printed, logged or put into an error.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;
use takeout_telegram::{ClientOptions, LoginError, SessionFile, SignIn, TelegramApi, telegram_session};

use crate::args::Cli;
use crate::{EXIT_BAD_INPUT, Failure, bad_input};

/// How many wrong codes or passwords before giving up.
const ATTEMPTS: usize = 5;

#[derive(Args)]
pub struct LoginArgs {
    /// Where to write the session file (default: tgtakeout's data directory; see `tgtakeout whoami`).
    /// An existing file that is not signed in yet (e.g. from `fakedc serve --unauthorized`) is used
    /// for its data centres and keys.
    #[arg(long)]
    pub session: Option<PathBuf>,
    /// Your app's api_id, from https://my.telegram.org → API development tools.
    #[arg(long, env = "TG_API_ID")]
    pub api_id: Option<i32>,
    /// Your app's api_hash (same page). Only sign-in needs it; it is not stored.
    #[arg(long, env = "TG_API_HASH", hide_env_values = true)]
    pub api_hash: Option<String>,
    /// Phone number in international format, e.g. +15551234567 (asked when missing).
    #[arg(long)]
    pub phone: Option<String>,
    /// Read the login code from this file instead of asking (one attempt per line; `-` for stdin).
    #[arg(long, value_name = "FILE")]
    pub code_file: Option<PathBuf>,
    /// Read the two-step verification password from this file instead of asking (one attempt per
    /// line; `-` for stdin). Keep such a file private.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Bots cannot export: refused (here for a clear message).
    #[arg(long, hide = true)]
    pub bot_token: Option<String>,
}

const API_HELP: &str = "tgtakeout needs your own API id and hash to sign in to Telegram:\n  \
     1. open https://my.telegram.org and sign in with your phone number,\n  \
     2. choose \"API development tools\" and create an application (any name),\n  \
     3. pass the api_id and api_hash shown there with --api-id and --api-hash,\n     \
     or set TG_API_ID and TG_API_HASH in the environment.";

const BOT_REFUSED: &str = "bot accounts cannot be exported: Telegram refuses account.initTakeoutSession to bots \
     (BOT_METHOD_INVALID). Sign in with the phone number of a user account instead.";

/// The session file's place when --session is not given.
pub fn default_session_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "tgtakeout")
        .ok_or_else(|| anyhow!("cannot find your home directory for the session file; pass --session FILE"))?;
    Ok(dirs.data_dir().join("session.json"))
}

/// `--session`, or the default place.
pub fn session_path(given: &Option<PathBuf>) -> Result<PathBuf, Failure> {
    match given {
        Some(p) => Ok(p.clone()),
        None => default_session_path().map_err(bad_input),
    }
}

/// Creates the session's directory, private to this user when it is new.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// A bot token looks like 123456789:AAE… (digits, a colon, a long secret).
fn looks_like_bot_token(s: &str) -> bool {
    let Some((id, secret)) = s.trim().split_once(':') else { return false };
    !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) && secret.len() >= 20
}

/// Where answers come from: a file (one answer per line), stdin (a line
/// at a time, so several answers can share it), or the terminal.
enum Source {
    File(std::io::Lines<std::io::BufReader<std::fs::File>>),
    Stdin,
    Terminal,
}

struct Answers {
    source: Source,
    what: &'static str,
    secret: bool,
}

impl Answers {
    fn new(file: &Option<PathBuf>, what: &'static str, secret: bool) -> anyhow::Result<Answers> {
        let source = match file {
            Some(p) if p.as_os_str() == "-" => Source::Stdin,
            Some(p) => {
                let f = std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
                Source::File(std::io::BufReader::new(f).lines())
            }
            // No terminal to ask: read stdin (a script pipes the answers in).
            None if !std::io::stdin().is_terminal() => Source::Stdin,
            None => Source::Terminal,
        };
        Ok(Answers { source, what, secret })
    }

    fn next(&mut self, prompt: &str) -> anyhow::Result<String> {
        let what = self.what;
        let answer = match &mut self.source {
            Source::File(lines) => match lines.next() {
                Some(line) => line.with_context(|| format!("cannot read the {what}"))?,
                None => return Err(anyhow!("no more input for the {what}")),
            },
            Source::Terminal if self.secret => rpassword::prompt_password(prompt).with_context(|| format!("cannot read the {what}"))?,
            Source::Terminal | Source::Stdin => {
                if matches!(self.source, Source::Terminal) {
                    eprint!("{prompt}");
                    std::io::stderr().flush().ok();
                }
                let mut s = String::new();
                if std::io::stdin().read_line(&mut s).with_context(|| format!("cannot read the {what}"))? == 0 {
                    return Err(anyhow!("no more input for the {what}"));
                }
                s
            }
        };
        Ok(answer.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn run(cli: &Cli, args: &LoginArgs) -> Result<(), Failure> {
    if args.bot_token.is_some() || args.phone.as_deref().is_some_and(looks_like_bot_token) {
        return Err(bad_input(anyhow!(BOT_REFUSED)));
    }
    let path = session_path(&args.session)?;
    let (Some(api_id), Some(api_hash)) = (args.api_id, args.api_hash.as_deref().filter(|h| !h.is_empty())) else {
        return Err(bad_input(anyhow!("no API id and hash given.\n{API_HELP}")));
    };
    // An existing file gives the dcs and keys to use (fakedc writes
    // not-yet-signed-in ones); otherwise Telegram's own dcs, keys made by DH.
    let start = if path.exists() { SessionFile::load(&path).map_err(bad_input)? } else { telegram_session() };
    let api = TelegramApi::connect(&start, ClientOptions::new(api_id)).map_err(bad_input)?;
    if start.dcs.iter().any(|d| d.auth_key.is_some()) {
        if let Ok(me) = api.me().await {
            println!("{} is already signed in as {me}. Run `tgtakeout logout` first to sign in again.", path.display());
            return Ok(());
        }
    }

    let phone = match &args.phone {
        Some(p) => p.clone(),
        None => Answers::new(&None, "phone number", false)
            .and_then(|mut a| a.next("Phone number (international format, e.g. +15551234567): "))
            .map_err(bad_input)?,
    };
    if looks_like_bot_token(&phone) {
        return Err(bad_input(anyhow!(BOT_REFUSED)));
    }
    let sent = api.send_code(&phone, api_id, api_hash).await.map_err(login_failure)?;
    if !cli.quiet {
        eprintln!("Telegram sent a login code to {}.", sent.via);
    }

    let mut codes = Answers::new(&args.code_file, "login code", false).map_err(bad_input)?;
    let mut signed = None;
    for attempt in 1..=ATTEMPTS {
        let code = codes.next("Login code: ").map_err(bad_input)?;
        match api.sign_in(&sent, &code).await {
            Ok(s) => {
                signed = Some(s);
                break;
            }
            Err(e @ (LoginError::CodeInvalid | LoginError::CodeEmpty)) if attempt < ATTEMPTS => {
                eprintln!("{}. Try again.", capitalize(&e.to_string()));
            }
            Err(e) => return Err(login_failure(e)),
        }
    }
    let user = match signed.expect("the loop signs in or returns") {
        SignIn::Done(user) => user,
        SignIn::PasswordNeeded => {
            if !cli.quiet {
                eprintln!("This account has two-step verification.");
            }
            let mut passwords = Answers::new(&args.password_file, "password", true).map_err(bad_input)?;
            let mut user = None;
            for attempt in 1..=ATTEMPTS {
                let password = passwords.next("Two-step verification password (not shown): ").map_err(bad_input)?;
                match api.check_password(password.as_bytes()).await {
                    Ok(u) => {
                        user = Some(u);
                        break;
                    }
                    Err(e @ LoginError::PasswordInvalid) if attempt < ATTEMPTS => {
                        eprintln!("{}. Try again.", capitalize(&e.to_string()));
                    }
                    Err(e) => return Err(login_failure(e)),
                }
            }
            user.expect("the loop signs in or returns")
        }
    };
    if user.bot {
        return Err(bad_input(anyhow!(BOT_REFUSED)));
    }

    let mut session = api.session_file();
    session.user_id = Some(user.id);
    session.api_id = Some(api_id);
    if let Some(dir) = path.parent() {
        create_private_dir(dir).with_context(|| format!("cannot create {}", dir.display())).map_err(bad_input)?;
    }
    session.save(&path).map_err(bad_input)?;
    println!("Signed in as {user}.");
    println!(
        "Session saved to {} (private to you: it gives access to your account; `tgtakeout logout` signs out and deletes it).",
        path.display()
    );
    Ok(())
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn login_failure(e: LoginError) -> Failure {
    let code = match e {
        LoginError::Api(_) | LoginError::FloodWait(_) | LoginError::TooManyMigrations => crate::EXIT_FAILED,
        _ => EXIT_BAD_INPUT,
    };
    Failure { code, error: anyhow!("sign-in failed: {e}") }
}

#[cfg(test)]
mod tests {
    use super::looks_like_bot_token;

    #[test]
    fn bot_tokens_are_told_apart_from_phone_numbers() {
        assert!(looks_like_bot_token("123456789:AAE1234567890abcdefghijklmnopqrstu"));
        assert!(!looks_like_bot_token("+15551234567"));
        assert!(!looks_like_bot_token("15551234567"));
        assert!(!looks_like_bot_token("12:short"));
    }
}
