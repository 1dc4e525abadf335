//! Which referenced files are downloaded, and why the others are not:
//! files off, a media kind not selected, or larger than the maximum size.
//! A skipped file is recorded with its reason, never silently dropped.

use crate::options::{ExportOptions, MediaKind};
use crate::store_files::SkipReason;

use super::plan::Candidate;

/// None: download it; Some: why not.
pub fn decide(c: &Candidate, o: &ExportOptions) -> Option<SkipReason> {
    if !o.flags.files {
        return Some(SkipReason::FilesOff);
    }
    let selected = match c.kind {
        // Their sections decide (no section, nothing stored to refer to them).
        MediaKind::ProfilePhoto => o.profile_photos,
        MediaKind::Story => o.stories,
        kind => o.media.contains(&kind),
    };
    if !selected {
        return Some(SkipReason::Kind);
    }
    // The limit itself is allowed, as Telegram's file_max_size is
    // (a file of exactly file_max_size bytes is served).
    if c.size > o.flags.file_max_size {
        return Some(SkipReason::Size);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::plan::{Location, Name};
    use crate::options::Flags;

    fn candidate(kind: MediaKind, size: i64) -> Candidate {
        Candidate {
            slot: "file",
            kind,
            location: Location::Document { id: 1, access_hash: 2, file_reference: vec![], thumb: String::new() },
            dc: 2,
            size,
            name: Name::Given("a".into()),
            date: 0,
        }
    }

    #[test]
    fn boundaries_and_reasons() {
        let mut o = ExportOptions::from_flags(Flags { files: true, file_max_size: 100, ..Flags::default() });
        o.media = [MediaKind::VideoFile].into();
        assert_eq!(decide(&candidate(MediaKind::VideoFile, 99), &o), None);
        assert_eq!(decide(&candidate(MediaKind::VideoFile, 100), &o), None);
        assert_eq!(decide(&candidate(MediaKind::VideoFile, 101), &o), Some(SkipReason::Size));
        assert_eq!(decide(&candidate(MediaKind::Photo, 1), &o), Some(SkipReason::Kind));
        assert_eq!(decide(&candidate(MediaKind::ProfilePhoto, 1), &o), None);
        o.flags.files = false;
        assert_eq!(decide(&candidate(MediaKind::VideoFile, 1), &o), Some(SkipReason::FilesOff));
    }
}
