//! `tgtakeout render`: result.json and the HTML archive from an existing
//! store, without touching Telegram; also run at the end of `export` and
//! `demo` with the formats chosen there.

use std::path::Path;

use anyhow::{Context, anyhow};
use takeout::Store;
use takeout_render::{Format, RenderOptions};

use crate::args::{Cli, FormatArgs, RenderArgs};
use crate::{Failure, bad_input};

/// Parses `--format` ("json,html", "none"); unknown names are bad input.
pub fn formats(args: &FormatArgs) -> anyhow::Result<Vec<Format>> {
    let mut out = Vec::new();
    for part in args.format.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if part.eq_ignore_ascii_case("none") {
            continue;
        }
        let f = Format::parse(part).ok_or_else(|| anyhow!("unknown --format {part:?} (json, html or none)"))?;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    Ok(out)
}

pub fn run(cli: &Cli, args: &RenderArgs) -> Result<(), Failure> {
    let formats = formats(&args.render).map_err(bad_input)?;
    let store = args.store.clone().unwrap_or_else(|| args.out.join("store.sqlite"));
    if !store.is_file() {
        return Err(bad_input(anyhow!("no store at {} (export first, or point --store at one)", store.display())));
    }
    render_into(cli, &args.out, &store, &formats, args.render.utc)
}

pub fn render_into(cli: &Cli, out: &Path, store_path: &Path, formats: &[Format], utc: bool) -> Result<(), Failure> {
    if formats.is_empty() {
        return Ok(());
    }
    let store = Store::open(store_path).map_err(bad_input)?;
    let started = std::time::Instant::now();
    let summary = takeout_render::render(&store, out, &RenderOptions { formats: formats.to_vec(), utc })
        .with_context(|| format!("rendering into {}", out.display()))?;
    if cli.json {
        if matches!(cli.command, crate::args::Command::Render(_)) {
            println!("{}", serde_json::to_string_pretty(&summary).expect("summary serializes"));
        }
    } else if !cli.quiet {
        let secs = started.elapsed().as_secs_f64();
        if let Some(n) = summary.json_messages {
            println!("Wrote {} ({n} messages in {} chats).", out.join("result.json").display(), summary.chats);
        }
        if let (Some(n), Some(p)) = (summary.html_messages, summary.html_pages) {
            println!("Wrote {} ({n} messages on {p} pages).", out.join("index.html").display());
        }
        println!("Rendered in {secs:.2} s.");
    }
    Ok(())
}
