//! Progress on the terminal: bars when stderr is a terminal, plain log
//! lines otherwise, nothing with --quiet.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use takeout::progress::{Event, Progress};

pub struct Display {
    bar: Option<ProgressBar>,
    plain: bool,
    messages: AtomicU64,
    started: Instant,
    last_line: Mutex<Instant>,
    /// The file stage: files and bytes planned, done so far, and when it began.
    files: Mutex<FileProgress>,
}

#[derive(Default)]
struct FileProgress {
    files: u64,
    files_done: u64,
    bytes: u64,
    bytes_done: u64,
    started: Option<Instant>,
}

impl Display {
    pub fn new(quiet: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let b = ProgressBar::new(0);
            b.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} chats  {msg}  ETA {eta}")
                    .expect("valid template"),
            );
            b
        });
        Display {
            bar,
            plain: !quiet && !terminal,
            messages: AtomicU64::new(0),
            started: Instant::now(),
            last_line: Mutex::new(Instant::now()),
            files: Mutex::new(FileProgress::default()),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    fn rate(&self) -> String {
        let n = self.messages.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        format!("{n} messages, {:.0}/s", n as f64 / secs)
    }
}

impl Progress for Display {
    fn event(&self, e: Event) {
        match e {
            Event::Stage(s) => {
                if let Some(b) = &self.bar {
                    b.set_message(s.to_string());
                } else if self.plain {
                    eprintln!("tgtakeout: {s}");
                }
            }
            Event::ChatsPlanned { chats } => {
                if let Some(b) = &self.bar {
                    b.set_length(chats as u64);
                } else if self.plain {
                    eprintln!("tgtakeout: {chats} chats to fetch");
                }
            }
            Event::ChatDone { name, messages } => {
                if let Some(b) = &self.bar {
                    b.inc(1);
                    b.set_message(self.rate());
                } else if self.plain {
                    eprintln!("tgtakeout: chat done: {name} ({messages} new messages; {})", self.rate());
                }
            }
            Event::Messages(n) => {
                self.messages.fetch_add(n, Ordering::Relaxed);
                if let Some(b) = &self.bar {
                    b.set_message(self.rate());
                } else if self.plain {
                    let mut last = self.last_line.lock().unwrap();
                    if last.elapsed().as_secs() >= 5 {
                        *last = Instant::now();
                        eprintln!("tgtakeout: {}", self.rate());
                    }
                }
            }
            Event::FloodWait { seconds } => self.note(&format!("Telegram asked to slow down: waiting {seconds} s")),
            Event::Retry { reason } => self.note(&format!("retrying after: {reason}")),
            Event::TakeoutRenewed => self.note("the takeout session was replaced; started a new one and continuing"),
            Event::DelayCountdown { seconds } => self.note(&format!("export can start in {}", takeout::error::human_duration(seconds))),
            Event::FilesPlanned { files, bytes } => self.files_planned(files, bytes),
            Event::FileBytes(n) => self.file_bytes(n),
            Event::FileDone { .. } => self.file_done(),
            Event::FileUnavailable { path, reason } => self.note(&format!("file unavailable: {path}: {reason}")),
        }
    }
}

impl Display {
    fn files_planned(&self, files: u64, bytes: u64) {
        *self.files.lock().unwrap() = FileProgress { files, bytes, started: Some(Instant::now()), ..FileProgress::default() };
        if let Some(b) = &self.bar {
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec}  {msg}  ETA {eta}",
                )
                .expect("valid template"),
            );
            b.set_length(bytes);
            b.set_position(0);
            b.set_message(format!("0/{files} files"));
        } else if self.plain {
            eprintln!("tgtakeout: {files} files to fetch, {}", mib(bytes));
        }
    }

    fn file_bytes(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
        let line = {
            let mut f = self.files.lock().unwrap();
            f.bytes_done += n;
            self.plain.then(|| self.files_line(&f))
        };
        if let Some(line) = line {
            let mut last = self.last_line.lock().unwrap();
            if last.elapsed().as_secs() >= 5 {
                *last = Instant::now();
                eprintln!("tgtakeout: {line}");
            }
        }
    }

    fn file_done(&self) {
        let mut f = self.files.lock().unwrap();
        f.files_done += 1;
        if let Some(b) = &self.bar {
            b.set_message(format!("{}/{} files", f.files_done, f.files));
        }
    }

    /// "files 3/10, 12.0/40.0 MiB, 6.1 MiB/s, ETA 5 s" for plain output.
    fn files_line(&self, f: &FileProgress) -> String {
        let secs = f.started.map_or(0.0, |s| s.elapsed().as_secs_f64()).max(0.001);
        let rate = f.bytes_done as f64 / secs;
        let eta = if rate > 0.0 { (f.bytes.saturating_sub(f.bytes_done) as f64 / rate) as u64 } else { 0 };
        format!(
            "files {}/{}, {}/{}, {}/s, ETA {}",
            f.files_done,
            f.files,
            mib(f.bytes_done),
            mib(f.bytes),
            mib(rate as u64),
            takeout::error::human_duration(eta)
        )
    }

    fn note(&self, text: &str) {
        if let Some(b) = &self.bar {
            b.println(format!("tgtakeout: {text}"));
        } else if self.plain {
            eprintln!("tgtakeout: {text}");
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}
