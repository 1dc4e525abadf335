//! `tgtakeout demo`: start fakedc in-process with a sample account and run
//! a full export against it.

use anyhow::Context;
use takeout::ExportOptions;
use takeout_telegram::SessionFile;

use crate::args::{Cli, DemoArgs};
use crate::export_cmd::{export_with, report};
use crate::{Failure, bad_input};

pub async fn run(cli: &Cli, args: &DemoArgs) -> Result<(), Failure> {
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
    let formats = crate::render_cmd::formats(&args.render).map_err(bad_input)?;
    let summary = export_with(&session, &args.out, &options, 1, false, cli.quiet).await?;
    report(cli, &summary, &args.out);
    crate::render_cmd::render_into(cli, &args.out, &args.out.join("store.sqlite"), &formats, args.render.utc)?;
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
