//! Command-line options: clap definitions and their translation into the
//! engine's ExportOptions.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use takeout::options::{Category, ExportOptions, Flags, MediaKind, Selector};

#[derive(Parser)]
#[command(name = "tgtakeout", version, about = "Take your data out of Telegram: a fast, resumable export of your whole account")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// No progress display; only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print the final summary as JSON on stdout (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Export the account into DIR (store.sqlite); run again to resume or top up.
    Export(ExportArgs),
    /// A full export from a built-in fake Telegram (fakedc) with a sample account.
    Demo(DemoArgs),
    /// Write result.json and/or the HTML archive again from an existing store (no network).
    Render(RenderArgs),
    /// Sign in to Telegram (phone, code, two-step password) and write the session file.
    Login(crate::login_cmd::LoginArgs),
    /// Show who the session is signed in as.
    Whoami(crate::session_cmd::SessionArgs),
    /// Sign out (ends the session on Telegram) and delete the session file.
    Logout(crate::session_cmd::SessionArgs),
}

/// What to render after an export, or with `tgtakeout render`.
#[derive(Args, Clone)]
pub struct FormatArgs {
    /// Output formats, comma-separated: json (Telegram Desktop's result.json), html (browsable
    /// archive), or none.
    #[arg(long, default_value = "json,html")]
    pub format: String,
    /// Write dates in UTC instead of local time. Telegram Desktop writes local time without an
    /// offset, which is ambiguous once the file leaves this machine; date_unixtime is always exact.
    #[arg(long)]
    pub utc: bool,
}

#[derive(Args)]
pub struct RenderArgs {
    /// Directory to write into (result.json, index.html, chats/...).
    #[arg(long, short, default_value = "tgtakeout-export")]
    pub out: PathBuf,
    /// The store to read; default OUT/store.sqlite.
    #[arg(long)]
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub render: FormatArgs,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Where to put the export.
    #[arg(long, default_value = "tgtakeout-demo")]
    pub out: PathBuf,
    /// Sample account size: small, medium or large.
    #[arg(long, default_value = "small")]
    pub world: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub render: FormatArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CategoryArg {
    PersonalChats,
    BotChats,
    PrivateGroups,
    PublicGroups,
    PrivateChannels,
    PublicChannels,
}

impl From<CategoryArg> for Category {
    fn from(c: CategoryArg) -> Category {
        match c {
            CategoryArg::PersonalChats => Category::PersonalChats,
            CategoryArg::BotChats => Category::BotChats,
            CategoryArg::PrivateGroups => Category::PrivateGroups,
            CategoryArg::PublicGroups => Category::PublicGroups,
            CategoryArg::PrivateChannels => Category::PrivateChannels,
            CategoryArg::PublicChannels => Category::PublicChannels,
        }
    }
}

/// Telegram Desktop's "Types of media".
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MediaArg {
    /// Photos.
    Photo,
    /// Video files.
    Video,
    /// Voice messages.
    Voice,
    /// Video messages (round).
    Round,
    Sticker,
    /// GIFs (animations).
    Gif,
    /// Every other file (documents, music, archives, ...).
    File,
    /// All of the above.
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlagArg {
    /// contacts: contacts and saved phone contacts.
    Contacts,
    /// message_users: private chats, bots, Saved Messages.
    MessageUsers,
    /// message_chats: basic (legacy) groups.
    MessageChats,
    /// message_megagroups: supergroups.
    MessageMegagroups,
    /// message_channels: channels.
    MessageChannels,
    /// files: media, profile photos, stories (up to --max-file-size).
    Files,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Session file (from `tgtakeout login`, or `fakedc serve --session-out`); default: the one
    /// `tgtakeout login` writes. Must be private (mode 0600).
    #[arg(long)]
    pub session: Option<PathBuf>,
    /// Output directory; the store is DIR/store.sqlite.
    #[arg(long, short, default_value = "tgtakeout-export")]
    pub out: PathBuf,
    #[command(flatten)]
    pub render: FormatArgs,
    /// Chat kinds to export, as Telegram Desktop offers them (repeat or comma-separate). Sets the takeout
    /// flags exactly as Telegram Desktop does: personal/bot chats → message_users; private groups →
    /// message_chats + message_megagroups; public groups → message_megagroups; channels → message_channels.
    /// Default: personal-chats,private-groups (Telegram Desktop's default).
    #[arg(long = "chats", value_enum, value_delimiter = ',')]
    pub categories: Vec<CategoryArg>,
    /// Every chat kind.
    #[arg(long, conflicts_with = "categories")]
    pub all_chats: bool,
    /// Export only your own messages from these kinds (uses messages.search from yourself). Left chats
    /// are always exported this way, and so are public groups and public channels unless
    /// --full-public-chats is given (Telegram Desktop's default).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only_my_messages: Vec<CategoryArg>,
    /// Export every message of public groups and public channels, not only your own.
    #[arg(long)]
    pub full_public_chats: bool,
    /// Set the account.initTakeoutSession flags directly instead of from --chats (every chat whose kind a
    /// flag allows is exported). Example: --takeout-flags message-users,contacts
    #[arg(long, value_enum, value_delimiter = ',', conflicts_with_all = ["categories", "all_chats"])]
    pub takeout_flags: Option<Vec<FlagArg>>,
    /// Do not export contacts (clears the contacts flag).
    #[arg(long)]
    pub no_contacts: bool,
    /// Do not export files (clears the files flag).
    #[arg(long)]
    pub no_files: bool,
    /// Largest file to export (file_max_size), e.g. 8MB, 1.5GB, 4000MB. Units are powers of 1024, as
    /// Telegram shows sizes. Default 8MB, as Telegram Desktop; at most 4000MB.
    #[arg(long, value_parser = parse_size, default_value = "8MB")]
    pub max_file_size: i64,
    /// Media kinds whose files are exported, as Telegram Desktop offers them (repeat or
    /// comma-separate): photo, video, voice, round, sticker, gif, file, or all. Default: photo
    /// (Telegram Desktop's default). Profile photos and stories follow --no-profile-photos and
    /// --no-stories. Files of other kinds, or over --max-file-size, are listed as skipped.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub media: Vec<MediaArg>,
    /// Most files downloaded at once (small files one request each, big ones in several
    /// parallel parts; how many run at once also follows --parallel-requests).
    #[arg(long, default_value_t = 64)]
    pub parallel_files: usize,
    /// upload.getFile requests in flight over all files at most (halved on every flood
    /// wait, raised back after successes).
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub parallel_requests: usize,
    /// Seconds without an answer before a file part is asked for again.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub stall_timeout: f64,
    /// Connections per data centre that requests are spread over.
    #[arg(long, default_value_t = 1)]
    pub connections: usize,
    /// Also export active sessions and web sessions.
    #[arg(long)]
    pub sessions: bool,
    #[arg(long)]
    pub no_personal_info: bool,
    #[arg(long)]
    pub no_profile_photos: bool,
    #[arg(long)]
    pub no_stories: bool,
    /// Skip chats you left.
    #[arg(long)]
    pub no_left_chats: bool,
    /// Only these chats: id, peer key (user123, chat123, channel123), @username or exact name. Repeatable.
    #[arg(long = "chat", value_name = "CHAT")]
    pub include: Vec<String>,
    /// Never these chats (same forms as --chat). Repeatable.
    #[arg(long = "exclude-chat", value_name = "CHAT")]
    pub exclude: Vec<String>,
    /// Only messages from this date on (YYYY-MM-DD, UTC, or unix seconds). Works for the whole account.
    #[arg(long, value_parser = parse_date)]
    pub since: Option<i32>,
    /// Only messages up to this date (YYYY-MM-DD means the end of that day, UTC, or unix seconds).
    #[arg(long, value_parser = parse_date_end)]
    pub until: Option<i32>,
    /// When Telegram asks to wait before the export may start (TAKEOUT_INIT_DELAY), wait with a
    /// countdown instead of exiting with code 3.
    #[arg(long)]
    pub wait: bool,
    /// Also re-check messages already exported for edits. Each stored page of 100 costs one small
    /// request (Telegram answers "not modified" when nothing changed); changed pages are stored again.
    #[arg(long)]
    pub refresh_edits: bool,
    /// Chats fetched at once (lowered automatically under flood waits).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Your app's API id (my.telegram.org); default: the one the session signed in with (any value
    /// works with fakedc).
    #[arg(long, env = "TG_API_ID")]
    pub api_id: Option<i32>,
}

impl ExportArgs {
    pub fn options(&self) -> ExportOptions {
        let mut only_mine: BTreeSet<Category> = self.only_my_messages.iter().map(|c| (*c).into()).collect();
        if self.takeout_flags.is_none() && !self.full_public_chats {
            // Telegram Desktop's "full chats" are personal, bot, private group
            // and private channel chats; from public ones it takes your messages.
            only_mine.extend([Category::PublicGroups, Category::PublicChannels]);
        }
        let mut o = if let Some(flags) = &self.takeout_flags {
            let has = |f| flags.contains(&f);
            let mut o = ExportOptions::from_flags(Flags {
                contacts: has(FlagArg::Contacts),
                message_users: has(FlagArg::MessageUsers),
                message_chats: has(FlagArg::MessageChats),
                message_megagroups: has(FlagArg::MessageMegagroups),
                message_channels: has(FlagArg::MessageChannels),
                files: has(FlagArg::Files),
                file_max_size: self.max_file_size,
            });
            o.only_mine = only_mine.iter().flat_map(|c| c.chat_types().iter().copied()).collect();
            o
        } else {
            let categories: BTreeSet<Category> = if self.all_chats {
                [
                    Category::PersonalChats,
                    Category::BotChats,
                    Category::PrivateGroups,
                    Category::PublicGroups,
                    Category::PrivateChannels,
                    Category::PublicChannels,
                ]
                .into()
            } else if self.categories.is_empty() {
                [Category::PersonalChats, Category::PrivateGroups].into()
            } else {
                self.categories.iter().map(|c| (*c).into()).collect()
            };
            ExportOptions::from_categories(&categories, &only_mine, !self.no_contacts, !self.no_files, self.max_file_size)
        };
        if self.no_contacts {
            o.flags.contacts = false;
        }
        if self.no_files {
            o.flags.files = false;
        }
        o.sessions = self.sessions;
        o.personal_info = !self.no_personal_info;
        o.profile_photos = !self.no_profile_photos;
        o.stories = !self.no_stories;
        o.left_chats = !self.no_left_chats;
        o.include = self.include.iter().map(|s| Selector::parse(s)).collect();
        o.exclude = self.exclude.iter().map(|s| Selector::parse(s)).collect();
        o.since = self.since;
        o.until = self.until;
        o.concurrency = self.concurrency.max(1);
        o.refresh_edits = self.refresh_edits;
        if !self.media.is_empty() {
            o.media = self
                .media
                .iter()
                .flat_map(|m| match m {
                    MediaArg::Photo => vec![MediaKind::Photo],
                    MediaArg::Video => vec![MediaKind::VideoFile],
                    MediaArg::Voice => vec![MediaKind::VoiceMessage],
                    MediaArg::Round => vec![MediaKind::RoundVideoMessage],
                    MediaArg::Sticker => vec![MediaKind::Sticker],
                    MediaArg::Gif => vec![MediaKind::Animation],
                    MediaArg::File => vec![MediaKind::File],
                    MediaArg::All => MediaKind::MESSAGE_KINDS.to_vec(),
                })
                .collect();
        }
        o.file_options.parallel_files = self.parallel_files.max(1);
        o.file_options.parallel_requests = self.parallel_requests.max(1);
        o.file_options.stall_timeout_secs = self.stall_timeout.max(0.1);
        o.file_options.connections = self.connections.max(1);
        o
    }
}

pub fn parse_size(s: &str) -> Result<i64, String> {
    let t = s.trim().to_ascii_uppercase();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("{s:?} is not a size (examples: 500KB, 8MB, 1.5GB)"))?;
    let mult: f64 = match unit.trim() {
        "" | "B" => 1.0,
        "K" | "KB" | "KIB" => 1024.0,
        "M" | "MB" | "MIB" => 1024.0 * 1024.0,
        "G" | "GB" | "GIB" => 1024.0 * 1024.0 * 1024.0,
        u => return Err(format!("unknown unit {u:?} in {s:?} (use B, KB, MB or GB)")),
    };
    let bytes = (n * mult).round() as i64;
    if bytes <= 0 {
        return Err(format!("{s:?}: the size must be more than zero"));
    }
    if bytes > 4000 * 1024 * 1024 {
        return Err(format!("{s:?} is more than Telegram's largest file, 4000MB"));
    }
    Ok(bytes)
}

fn parse_date(s: &str) -> Result<i32, String> {
    parse_day(s, false)
}

fn parse_date_end(s: &str) -> Result<i32, String> {
    parse_day(s, true)
}

fn parse_day(s: &str, end_of_day: bool) -> Result<i32, String> {
    if let Ok(secs) = s.parse::<i32>() {
        return Ok(secs);
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD) or unix seconds"))?;
    let t = if end_of_day { d.and_hms_opt(23, 59, 59) } else { d.and_hms_opt(0, 0, 0) }.expect("valid time");
    i32::try_from(t.and_utc().timestamp()).map_err(|_| format!("{s:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8MB"), Ok(8 << 20));
        assert_eq!(parse_size("1.5GB"), Ok(1610612736));
        assert_eq!(parse_size("500kb"), Ok(500 << 10));
        assert_eq!(parse_size("4000MB"), Ok(4000 << 20));
        assert!(parse_size("4001MB").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5XB").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2020-01-01"), Ok(1577836800));
        assert_eq!(parse_date_end("2020-01-01"), Ok(1577836800 + 86399));
        assert!(parse_date("yesterday").is_err());
    }
}

#[cfg(test)]
mod default_tests {
    use clap::Parser;
    use takeout::options::ChatType;

    use super::{Cli, Command};

    fn options(args: &[&str]) -> takeout::ExportOptions {
        let cli = Cli::parse_from([&["tgtakeout", "export", "--session", "s"][..], args].concat());
        let Command::Export(e) = cli.command else { unreachable!() };
        e.options()
    }

    #[test]
    fn public_chats_default_to_only_mine_like_telegram_desktop() {
        let o = options(&["--all-chats"]);
        assert!(o.only_mine.contains(&ChatType::PublicSupergroup) && o.only_mine.contains(&ChatType::PublicChannel));
        assert!(!o.only_mine.contains(&ChatType::PrivateChannel) && !o.only_mine.contains(&ChatType::PersonalChat));
        let o = options(&["--all-chats", "--full-public-chats"]);
        assert!(o.only_mine.is_empty());
        // Telegram Desktop's default selection.
        let o = options(&[]);
        assert!(o.flags.message_users && o.flags.message_chats && o.flags.message_megagroups && !o.flags.message_channels);
        assert!(o.flags.contacts && o.flags.files && o.flags.file_max_size == 8 << 20);
        // Raw flags: exactly what was given.
        let o = options(&["--takeout-flags", "message-channels"]);
        assert!(o.flags.message_channels && !o.flags.message_users && !o.flags.contacts && !o.flags.files);
        assert!(o.only_mine.is_empty());
    }
}
