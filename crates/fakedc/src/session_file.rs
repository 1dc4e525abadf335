//! The session file: what a client needs to reach fakedc (or Telegram) and
//! the auth keys it already holds. fakedc writes it with `--session-out`;
//! `tgtakeout --session` reads it as it is. Format: docs/session-file.md.
//!
//! The auth keys are secrets: the file is written 0600 and `Debug` on these
//! types never prints key bytes.

use std::fmt;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "tgtakeout-session";
pub const VERSION: u32 = 1;

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionFile {
    /// Always [`FORMAT`]; lets a reader reject an unrelated JSON file clearly.
    pub format: String,
    pub version: u32,
    /// The data centre the account lives on.
    pub home_dc: i32,
    pub dcs: Vec<DcEntry>,
    /// The signed-in user, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DcEntry {
    pub id: i32,
    /// IPv4 address, e.g. "127.0.0.1".
    pub ip: String,
    pub port: u16,
    /// 256-byte auth key for this dc as 512 hex digits, if one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_key: Option<String>,
}

impl DcEntry {
    /// The key bytes, or None when there is no key or it is not 256 bytes of hex.
    pub fn auth_key_bytes(&self) -> Option<[u8; 256]> {
        let bytes = hex::decode(self.auth_key.as_deref()?).ok()?;
        bytes.try_into().ok()
    }
}

impl fmt::Debug for DcEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DcEntry")
            .field("id", &self.id)
            .field("ip", &self.ip)
            .field("port", &self.port)
            .field("auth_key", &self.auth_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl fmt::Debug for SessionFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionFile")
            .field("home_dc", &self.home_dc)
            .field("dcs", &self.dcs)
            .field("user_id", &self.user_id)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SessionFileError {
    #[error("cannot write session file {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("cannot read session file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not a tgtakeout session file: {reason}")]
    Invalid { path: String, reason: String },
}

impl SessionFile {
    pub fn dc(&self, id: i32) -> Option<&DcEntry> {
        self.dcs.iter().find(|d| d.id == id)
    }

    /// Writes the file atomically (temp file + rename) with mode 0600, so
    /// the key is never readable by others, not even for an instant.
    pub fn write(&self, path: &Path) -> Result<(), SessionFileError> {
        let err = |source| SessionFileError::Write { path: path.display().to_string(), source };
        let json = serde_json::to_vec_pretty(self).expect("session file serializes");
        let tmp = path.with_extension("tmp-session");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&tmp).map_err(err)?;
        #[cfg(unix)]
        {
            // The mode above only applies to new files; a leftover tmp file keeps its mode.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(err)?;
        }
        file.write_all(&json).map_err(err)?;
        file.write_all(b"\n").map_err(err)?;
        file.sync_all().map_err(err)?;
        std::fs::rename(&tmp, path).map_err(err)
    }

    /// Parses and validates; does not check permissions (the caller decides
    /// how strict to be).
    pub fn read(path: &Path) -> Result<SessionFile, SessionFileError> {
        let p = path.display().to_string();
        let data = std::fs::read(path).map_err(|source| SessionFileError::Read { path: p.clone(), source })?;
        Self::parse(&data).map_err(|reason| SessionFileError::Invalid { path: p, reason })
    }

    pub fn parse(data: &[u8]) -> Result<SessionFile, String> {
        // serde_json's messages may quote the input; the input holds a key, so
        // report only the position.
        let file: SessionFile = serde_json::from_slice(data).map_err(|e| {
            format!("not valid session JSON (line {}, column {})", e.line(), e.column())
        })?;
        if file.format != FORMAT {
            return Err(format!("\"format\" is not \"{FORMAT}\""));
        }
        if file.version != VERSION {
            return Err(format!("version {} is not supported (this build reads {VERSION})", file.version));
        }
        if file.dc(file.home_dc).is_none() {
            return Err(format!("home_dc {} is not among \"dcs\"", file.home_dc));
        }
        for dc in &file.dcs {
            if dc.auth_key.is_some() && dc.auth_key_bytes().is_none() {
                return Err(format!("the auth_key of dc {} is not 512 hex digits", dc.id));
            }
            if dc.ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(format!("the ip of dc {} is not an IPv4 address", dc.id));
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SessionFile {
        SessionFile {
            format: FORMAT.into(),
            version: VERSION,
            home_dc: 2,
            dcs: vec![DcEntry { id: 2, ip: "127.0.0.1".into(), port: 4000, auth_key: Some("ab".repeat(256)) }],
            user_id: Some(7),
        }
    }

    #[test]
    fn round_trip_and_mode() {
        let dir = std::env::temp_dir().join(format!("fakedc-sf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.json");
        sample().write(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(SessionFile::read(&path).unwrap() == sample());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_redacts_key() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("abab"), "{text}");
    }

    #[test]
    fn rejects_bad_files() {
        assert!(SessionFile::parse(b"{").unwrap_err().contains("line"));
        let mut s = sample();
        s.home_dc = 3;
        assert!(SessionFile::parse(&serde_json::to_vec(&s).unwrap()).unwrap_err().contains("home_dc"));
        let mut s = sample();
        s.dcs[0].auth_key = Some("zz".into());
        assert!(SessionFile::parse(&serde_json::to_vec(&s).unwrap()).unwrap_err().contains("hex"));
    }
}
