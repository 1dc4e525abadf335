//! `fakedc`: serve a synthetic Telegram account on loopback.
//! Thin front over the library: parse flags, start, wait for a signal, stop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use fakedc::faults::FaultConfig;
use fakedc::world::{World, WorldParams};
use fakedc::{Config, FakeDc};

#[derive(Parser)]
#[command(name = "fakedc", version, about = "A Telegram-compatible data centre on loopback, serving a synthetic account")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a world until SIGINT or SIGTERM.
    Serve(ServeArgs),
    /// Write a generated world as a JSON world file (docs/world-format.md).
    World {
        /// small, medium, large or files.
        #[arg(long, default_value = "small")]
        preset: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the JSON.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// A preset (small: ~1k messages, medium: ~100k, large: ~1M, files: ~1,000 files up to 50 MiB) or the path of a JSON world file.
    #[arg(long, default_value = "small")]
    world: String,
    /// Seed of the generated world and of everything random the server does.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Address of the home dc. Port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Write the session file here (mode 0600): dc addresses and a
    /// pre-provisioned, signed-in auth key, as `tgtakeout --session` reads it.
    #[arg(long)]
    session_out: Option<PathBuf>,
    /// With --session-out: keys that are signed in nowhere yet, starting at
    /// dc 2 (when served), for `tgtakeout login --session FILE`.
    #[arg(long, requires = "session_out")]
    unauthorized: bool,
    /// Data centres to serve, each on its own loopback port (e.g. 1,2,3,4,5).
    /// Files on a served dc other than the one asked answer 303 FILE_MIGRATE_X.
    #[arg(long, value_delimiter = ',', default_value = "2")]
    dcs: Vec<i32>,
    /// The dc the account lives on (one of --dcs); sign-in elsewhere answers
    /// PHONE_MIGRATE_X / USER_MIGRATE_X. Default: 2 when served, else the first.
    #[arg(long)]
    home_dc: Option<i32>,
    /// The login code auth.signIn accepts (logged at info level: a test server).
    #[arg(long, default_value = "12345")]
    login_code: String,
    /// Seconds before the first account.initTakeoutSession succeeds; until
    /// then it answers 420 TAKEOUT_INIT_DELAY_X with the seconds left.
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    takeout_delay: u64,
    /// Common-box message ids per range of messages.getSplitRanges (fewer
    /// ids than this in the account: one range).
    #[arg(long, default_value_t = 20_000, value_name = "IDS")]
    split_size: i32,
    /// Fault: milliseconds added to every answer (a simulated round trip).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms: u64,
    /// Fault: requests per second allowed per method class (history,
    /// dialogs, files, other) before answering 420 FLOOD_WAIT_X with the
    /// real seconds to wait.
    #[arg(long, value_name = "RATE")]
    flood_per_sec: Option<f64>,
    /// Fault: drop the connection instead of answering every Nth request.
    #[arg(long, value_name = "N")]
    drop_every: Option<u64>,
    /// Fault: drop the connection with this probability per request (seeded by --seed).
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    drop_probability: f64,
    /// Fault: answer 500 INTERNAL with this probability per request (seeded by --seed).
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    internal_error_probability: f64,
    /// Fault: invalidate the live takeout session once, after N requests
    /// (the client then gets 400 TAKEOUT_INVALID).
    #[arg(long, value_name = "N")]
    invalidate_takeout_after: Option<u64>,
    /// Fault: file references expire this many seconds after they were
    /// issued (FILE_REFERENCE_EXPIRED until the message is fetched again).
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    file_reference_ttl: i64,
    /// Fault: cap on file bytes served per second, over all connections.
    #[arg(long, value_name = "BYTES")]
    bandwidth: Option<u64>,
    /// Fault: never answer every Nth upload.getFile (a stalled part).
    #[arg(long, value_name = "N")]
    stall_files_every: Option<u64>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fakedc: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::World { preset, seed, out } => {
            let params = WorldParams::preset(&preset, seed)
                .with_context(|| format!("unknown preset {preset:?} (small, medium, large or files)"))?;
            let world = World::generate(&params);
            world.save(&out)?;
            println!("wrote {} ({} messages)", out.display(), world.message_count());
            Ok(())
        }
        Command::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let world = match WorldParams::preset(&args.world, args.seed) {
        Some(params) => World::generate(&params),
        None => World::load(std::path::Path::new(&args.world))
            .with_context(|| format!("--world {:?} is neither a preset (small, medium, large, files) nor a readable world file", args.world))?,
    };
    let summary = describe(&world);
    let faults = FaultConfig {
        latency: std::time::Duration::from_millis(args.latency_ms),
        flood_per_sec: args.flood_per_sec,
        drop_every: args.drop_every,
        drop_probability: args.drop_probability,
        internal_error_probability: args.internal_error_probability,
        invalidate_takeout_after: args.invalidate_takeout_after,
        bandwidth: args.bandwidth,
        stall_files_every: args.stall_files_every,
    };
    let home_dc = args.home_dc.unwrap_or(if args.dcs.contains(&2) { 2 } else { args.dcs[0] });
    let config = Config {
        listen: args.listen,
        dcs: args.dcs.clone(),
        home_dc,
        login_code: args.login_code.clone(),
        takeout_delay_secs: args.takeout_delay,
        seed: args.seed,
        split_size: args.split_size,
        faults,
        file_reference_ttl: args.file_reference_ttl,
        ..Config::default()
    };
    let dc = FakeDc::start(config, world).await?;
    println!("fakedc listening on {} (dc {})", dc.addr(), dc.state().home_dc);
    println!("world: {summary}");
    if let Some(path) = &args.session_out {
        let file = if args.unauthorized { dc.unauthorized_session_file() } else { dc.session_file() };
        file.save(path)?;
        for (id, addr) in dc.state().dc_addrs() {
            println!("dc {id} on {addr}");
        }
        let next = if args.unauthorized { "login" } else { "export" };
        println!("session file: {} (use it with: tgtakeout {next} --session {})", path.display(), path.display());
    } else {
        println!("no --session-out given: pass one to let a client connect");
    }
    wait_for_signal().await;
    let stats = dc.stats();
    dc.shutdown().await;
    println!("stopped. requests: {}", stats.total_requests());
    for (method, n) in &stats.requests {
        println!("  {n:>8}  {method}");
    }
    for (name, n) in &stats.errors {
        println!("  {n:>8}  error {name}");
    }
    println!("  {:>8}  bytes served ({} in file parts)", stats.bytes_served, stats.file_bytes_served);
    Ok(())
}

fn describe(world: &World) -> String {
    let me = world.self_user();
    format!(
        "{} users, {} chats, {} dialogs, {} messages; signed in as {} {} (id {})",
        world.users.len(),
        world.chats.len(),
        world.dialogs().len(),
        world.message_count(),
        me.first_name,
        me.username.as_deref().map(|u| format!("@{u}")).unwrap_or_default(),
        me.id
    )
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
