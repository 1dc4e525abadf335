//! Dates as result.json and the HTML pages print them. Telegram Desktop
//! writes local time without an offset ("2024-03-05T14:07:09"), which is
//! ambiguous once the file leaves the machine; `utc` writes the same shape
//! in UTC instead (documented in the README), and date_unixtime is always
//! there for tools that need an instant.

use chrono::{DateTime, Local, TimeZone, Utc};

#[derive(Clone, Copy, Debug)]
pub struct Dates {
    pub utc: bool,
}

impl Dates {
    fn with<R>(&self, unix: i64, f: impl Fn(&dyn Fmt) -> R) -> R {
        let utc = DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default();
        if self.utc { f(&utc) } else { f(&utc.with_timezone(&Local)) }
    }

    /// "YYYY-MM-DDTHH:MM:SS" (Qt::ISODate without an offset). Formatted by
    /// hand: it is written twice per message, and strftime parsing showed.
    pub fn iso(&self, unix: i64) -> String {
        use chrono::{Datelike, Timelike};
        let utc = DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default();
        let n = if self.utc { utc.naive_utc() } else { utc.with_timezone(&Local).naive_local() };
        let mut o = String::with_capacity(19);
        let two = |o: &mut String, v: u32| {
            o.push((b'0' + (v / 10) as u8) as char);
            o.push((b'0' + (v % 10) as u8) as char);
        };
        let y = n.year().clamp(0, 9999) as u32;
        two(&mut o, y / 100);
        two(&mut o, y % 100);
        o.push('-');
        two(&mut o, n.month());
        o.push('-');
        two(&mut o, n.day());
        o.push('T');
        two(&mut o, n.hour());
        o.push(':');
        two(&mut o, n.minute());
        o.push(':');
        two(&mut o, n.second());
        o
    }

    /// "DD.MM.YYYY HH:MM:SS", as Telegram Desktop's HTML titles show dates.
    pub fn long(&self, unix: i64) -> String {
        self.with(unix, |d| d.fmt("%d.%m.%Y %H:%M:%S"))
    }

    /// "HH:MM" for the time beside a message.
    pub fn time(&self, unix: i64) -> String {
        self.with(unix, |d| d.fmt("%H:%M"))
    }

    /// "5 March 2024" for the day separators.
    pub fn day(&self, unix: i64) -> String {
        self.with(unix, |d| d.fmt("%-d %B %Y"))
    }

    /// The calendar day (for detecting day changes).
    pub fn day_key(&self, unix: i64) -> String {
        self.with(unix, |d| d.fmt("%Y%m%d"))
    }

    /// "05-03-2024_14-07-09" as in Telegram Desktop's media file names.
    pub fn file_part(&self, unix: i64) -> String {
        self.with(unix, |d| d.fmt("%d-%m-%Y_%H-%M-%S"))
    }

    /// The zone the dates are written in, for the HTML footer.
    pub fn zone_note(&self) -> &'static str {
        if self.utc { "UTC" } else { "local time" }
    }
}

trait Fmt {
    fn fmt(&self, pattern: &str) -> String;
}

impl<Tz: TimeZone> Fmt for DateTime<Tz>
where
    Tz::Offset: std::fmt::Display,
{
    fn fmt(&self, pattern: &str) -> String {
        self.format(pattern).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_iso_has_no_offset() {
        let d = Dates { utc: true };
        assert_eq!(d.iso(1_709_647_629), "2024-03-05T14:07:09");
        assert_eq!(d.long(1_709_647_629), "05.03.2024 14:07:09");
        assert_eq!(d.day(1_709_647_629), "5 March 2024");
    }
}
