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
        }
    }
}

impl Display {
    fn note(&self, text: &str) {
        if let Some(b) = &self.bar {
            b.println(format!("tgtakeout: {text}"));
        } else if self.plain {
            eprintln!("tgtakeout: {text}");
        }
    }
}
