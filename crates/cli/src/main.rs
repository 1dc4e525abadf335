//! `tgtakeout`: thin glue over the `takeout` engine — parse options, open
//! the session and the store, run, print a summary, choose the exit code.
//!
//! Exit codes: 0 done; 1 the export failed (Telegram or network, after
//! retries; what is already stored is kept); 2 bad input (options, session
//! file, output directory, a store from a newer version, a chat selector
//! that matches nothing); 3 Telegram asks to wait before the export may
//! start (TAKEOUT_INIT_DELAY; run again at the time shown, or use --wait);
//! 130 interrupted by Ctrl-C (the takeout session is closed without
//! success; everything stored is kept).

mod args;
mod display;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use takeout::{ExportError, ExportOptions, Store, Summary};
use takeout_telegram::{ClientOptions, SessionFile, TelegramApi};

use args::{Cli, Command, DemoArgs, ExportArgs};
use display::Display;

const EXIT_FAILED: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_MUST_WAIT: u8 = 3;
/// 128 + SIGINT, as shells report a Ctrl-C.
const EXIT_INTERRUPTED: u8 = 130;

/// An error with the exit code it deserves.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure { code: EXIT_FAILED, error: e.into() }
    }
}

fn bad_input(e: impl Into<anyhow::Error>) -> Failure {
    Failure { code: EXIT_BAD_INPUT, error: e.into() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("tgtakeout: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

fn init_logging(verbose: u8) {
    let level = ["warn", "info", "debug", "trace"][verbose.min(3) as usize];
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // grammers is chatty at info; our own crates get the chosen level.
        tracing_subscriber::EnvFilter::new(format!("warn,takeout={level},takeout_telegram={level},tgtakeout={level}"))
    });
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Export(args) => export_cmd(&cli, args).await,
        Command::Demo(args) => demo(&cli, args).await,
    }
}

async fn export_cmd(cli: &Cli, args: &ExportArgs) -> Result<(), Failure> {
    let session = SessionFile::load(&args.session).map_err(bad_input)?;
    let options = args.options();
    let summary = export_with(&session, &args.out, &options, args.api_id, args.wait, cli.quiet).await?;
    report(cli, &summary, &args.out);
    Ok(())
}

async fn export_with(
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
        let api = TelegramApi::connect(session, ClientOptions { api_id, connections: 1 }).map_err(bad_input)?;
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

fn report(cli: &Cli, s: &Summary, out: &Path) {
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
    for sk in &s.skipped {
        println!("  skipped {}: {}", sk.chat, sk.reason);
    }
}

async fn demo(cli: &Cli, args: &DemoArgs) -> Result<(), Failure> {
    use fakedc::world::{World, WorldParams};
    let params = WorldParams::preset(&args.world, args.seed)
        .with_context(|| format!("unknown --world {:?} (small, medium or large)", args.world))
        .map_err(bad_input)?;
    let world = World::generate(&params);
    let total = world.message_count();
    let dc = fakedc::FakeDc::start(fakedc::Config { seed: args.seed, ..fakedc::Config::default() }, world).await?;
    if !cli.quiet && !cli.json {
        println!("Started a fake Telegram (fakedc) on {} with a sample account of {total} messages.", dc.addr());
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))
        .map_err(bad_input)?;
    let session_path = args.out.join("demo.session.json");
    dc.session_file().save(&session_path)?;
    let session = SessionFile::load(&session_path).map_err(bad_input)?;
    let mut options = ExportOptions::from_flags(takeout::Flags {
        contacts: true,
        message_users: true,
        message_chats: true,
        message_megagroups: true,
        message_channels: true,
        files: true,
        file_max_size: 8 << 20,
    });
    options.sessions = true;
    let summary = export_with(&session, &args.out, &options, 1, false, cli.quiet).await?;
    report(cli, &summary, &args.out);
    let finished = dc.takeouts().last().and_then(|t| t.finished);
    dc.shutdown().await;
    if !cli.quiet && !cli.json {
        println!(
            "The takeout session was closed {}. Run `tgtakeout demo` again: it resumes from the store and fetches only what is new.",
            if finished == Some(true) { "successfully" } else { "without success" }
        );
    }
    Ok(())
}
