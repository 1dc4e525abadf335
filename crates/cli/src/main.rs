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
mod demo;
mod display;
mod export_cmd;
mod login_cmd;
mod session_cmd;
mod render_cmd;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

pub(crate) const EXIT_FAILED: u8 = 1;
pub(crate) const EXIT_BAD_INPUT: u8 = 2;
pub(crate) const EXIT_MUST_WAIT: u8 = 3;
/// 128 + SIGINT, as shells report a Ctrl-C.
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// An error with the exit code it deserves.
pub(crate) struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure { code: EXIT_FAILED, error: e.into() }
    }
}

pub(crate) fn bad_input(e: impl Into<anyhow::Error>) -> Failure {
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
        Command::Export(args) => export_cmd::run(&cli, args).await,
        Command::Demo(args) => demo::run(&cli, args).await,
        Command::Render(args) => render_cmd::run(&cli, args),
        Command::Login(args) => login_cmd::run(&cli, args).await,
        Command::Whoami(args) => session_cmd::whoami(&cli, args).await,
        Command::Logout(args) => session_cmd::logout(&cli, args).await,
    }
}

