//! session-file: where an account's data centres are and the auth key to
//! use on each (format "tgtakeout-session" version 1, docs/session-file.md).
//! One crate because two programs share the format: fakedc writes these
//! files, tgtakeout reads them (and will write them after `login`); neither
//! program depends on the other.
//!
//! Auth keys are as good as a password, so this module
//! - refuses a file that users other than its owner may read or write, and
//!   says how to fix that (`chmod 600 FILE`);
//! - never quotes the file in an error (serde_json's messages can echo the
//!   input; only line and column are reported);
//! - holds keys as [`AuthKey`], whose `Debug` is redacted and which has no
//!   `Display`, so a key cannot end up in a log by accident;
//! - writes files with mode 0600, atomically (temp file + rename), so a key
//!   is never readable by others, not even for an instant.

use std::fmt;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The `format` every session file declares.
pub const FORMAT: &str = "tgtakeout-session";
/// The only `version` this build reads and writes.
pub const VERSION: u32 = 1;
/// No session file is anywhere near this big; refuse before reading more.
const MAX_FILE_SIZE: u64 = 1 << 20;

/// A loaded, validated session file.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionFile {
    /// The data centre the account lives on; always one of `dcs` in a file
    /// this module loaded.
    pub home_dc: i32,
    pub dcs: Vec<DcEntry>,
    /// The signed-in user, when known (informational).
    pub user_id: Option<i64>,
    /// The api_id of the app that signed in (`tgtakeout login`), so later
    /// runs connect as the same app. Not a secret; the api_hash is never
    /// stored (only sign-in needs it).
    pub api_id: Option<i32>,
}

/// One data centre: its IPv4 address and port, and the auth key for it.
#[derive(Clone, PartialEq, Eq)]
pub struct DcEntry {
    pub id: i32,
    pub ip: Ipv4Addr,
    pub port: u16,
    /// None when no key exists for this dc yet.
    pub auth_key: Option<AuthKey>,
}

/// A 256-byte MTProto auth key. Its `Debug` prints `<redacted>`, and it
/// has no `Display`: the bytes only leave through [`AuthKey::expose`],
/// which is spelled out so it is easy to audit.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthKey(Box<[u8; 256]>);

impl AuthKey {
    pub fn from_bytes(bytes: [u8; 256]) -> Self {
        AuthKey(Box::new(bytes))
    }

    /// The key bytes. Only for handing the key to the MTProto layer; never
    /// print or log them.
    pub fn expose(&self) -> &[u8; 256] {
        &self.0
    }

    fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 256];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self::from_bytes(bytes))
    }
}

impl fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthKey(<redacted>)")
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
            .field("api_id", &self.api_id)
            .finish()
    }
}

impl DcEntry {
    pub fn addr(&self) -> SocketAddrV4 {
        SocketAddrV4::new(self.ip, self.port)
    }
}

/// Why a session file could not be loaded or saved. The messages are meant
/// for the user as they are, and never contain the file's content.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot read the session file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the session file {} can be read or changed by other users of this computer (its permissions are {mode:03o}). \
         It holds the keys to your Telegram account, as good as a password, so tgtakeout will not use it until it is \
         private to you. Fix it with: chmod 600 {}",
        path.display(),
        shell_quote(path)
    )]
    NotPrivate { path: PathBuf, mode: u32 },
    #[error("{} is not a usable tgtakeout session file: {reason}", path.display())]
    Invalid { path: PathBuf, reason: String },
    #[error("cannot write the session file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SessionError {
    pub fn path(&self) -> &Path {
        match self {
            SessionError::Read { path, .. }
            | SessionError::NotPrivate { path, .. }
            | SessionError::Invalid { path, .. }
            | SessionError::Write { path, .. } => path,
        }
    }
}

/// The file as JSON. Private and without `Debug`: it holds keys as text.
#[derive(Serialize, Deserialize)]
struct RawFile {
    format: String,
    version: u32,
    home_dc: i32,
    dcs: Vec<RawDc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_id: Option<i32>,
}

#[derive(Serialize, Deserialize)]
struct RawDc {
    id: i32,
    ip: String,
    port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auth_key: Option<String>,
}

impl SessionFile {
    pub fn dc(&self, id: i32) -> Option<&DcEntry> {
        self.dcs.iter().find(|d| d.id == id)
    }

    /// Reads and validates the file at `path`, refusing it (before reading
    /// a byte of it) when its permissions let anyone but its owner read or
    /// write it.
    pub fn load(path: &Path) -> Result<SessionFile, SessionError> {
        let read_err = |source| SessionError::Read {
            path: path.to_owned(),
            source,
        };
        let invalid = |reason: String| SessionError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        // Checked on the open file, so the file read is the file checked.
        let meta = file.metadata().map_err(read_err)?;
        if !meta.is_file() {
            return Err(invalid("it is not a regular file".into()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SessionError::NotPrivate {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(invalid(format!(
                "it is {} bytes long, far more than a session file can be",
                meta.len()
            )));
        }
        let mut data = Vec::with_capacity(meta.len() as usize);
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut data)
            .map_err(read_err)?;
        Self::parse(&data).map_err(invalid)
    }

    /// Parses and validates the JSON of a session file; does not look at
    /// permissions. The error never quotes `data`.
    pub fn parse(data: &[u8]) -> Result<SessionFile, String> {
        let raw: RawFile = serde_json::from_slice(data).map_err(|e| describe_json_error(&e))?;
        if raw.format != FORMAT {
            return Err(format!("its \"format\" is not \"{FORMAT}\""));
        }
        if raw.version != VERSION {
            return Err(format!(
                "its version {} is not supported (this build reads version {VERSION})",
                raw.version
            ));
        }
        let mut dcs: Vec<DcEntry> = Vec::with_capacity(raw.dcs.len());
        for dc in raw.dcs {
            if dcs.iter().any(|d| d.id == dc.id) {
                return Err(format!("dc {} is listed twice", dc.id));
            }
            let ip = dc
                .ip
                .parse::<Ipv4Addr>()
                .map_err(|_| format!("the ip of dc {} is not an IPv4 address", dc.id))?;
            let auth_key = match dc.auth_key.as_deref() {
                None => None,
                Some(text) => Some(AuthKey::from_hex(text).ok_or_else(|| {
                    format!("the auth_key of dc {} is not 512 hex digits", dc.id)
                })?),
            };
            dcs.push(DcEntry {
                id: dc.id,
                ip,
                port: dc.port,
                auth_key,
            });
        }
        let file = SessionFile {
            home_dc: raw.home_dc,
            dcs,
            user_id: raw.user_id,
            api_id: raw.api_id,
        };
        if file.dc(file.home_dc).is_none() {
            return Err(format!(
                "its home_dc {} is not among its \"dcs\"",
                file.home_dc
            ));
        }
        Ok(file)
    }

    /// The file's JSON (pretty, with a final newline), keys included.
    pub fn to_json(&self) -> Vec<u8> {
        let raw = RawFile {
            format: FORMAT.into(),
            version: VERSION,
            home_dc: self.home_dc,
            dcs: self
                .dcs
                .iter()
                .map(|d| RawDc {
                    id: d.id,
                    ip: d.ip.to_string(),
                    port: d.port,
                    auth_key: d.auth_key.as_ref().map(|k| hex::encode(k.expose())),
                })
                .collect(),
            user_id: self.user_id,
            api_id: self.api_id,
        };
        let mut json = serde_json::to_vec_pretty(&raw).expect("a session file serializes");
        json.push(b'\n');
        json
    }

    /// Writes the file atomically with mode 0600: a temp file (created
    /// 0600) in the same directory, synced, then renamed over `path`.
    pub fn save(&self, path: &Path) -> Result<(), SessionError> {
        let err = |source| SessionError::Write {
            path: path.to_owned(),
            source,
        };
        let name = path
            .file_name()
            .ok_or_else(|| err(std::io::Error::other("the path has no file name")))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = dir.join(tmp_name);
        let result =
            write_private(&tmp, &self.to_json()).and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(err(e));
        }
        // Make the rename itself durable; not every platform can sync a directory.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path)?;
    #[cfg(unix)]
    {
        // The mode above applies only to a new file; a leftover keeps its own.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(data)?;
    file.sync_all()
}

/// serde_json's own messages may quote the input (e.g. `invalid type:
/// string "…"`), and the input holds keys: say what kind of problem it is
/// and where, and name a field only when the name comes from our types.
fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("line {}, column {}", e.line(), e.column());
    match e.classify() {
        Category::Io => format!("it could not be read ({at})"),
        Category::Eof => format!("it ends too early, the JSON is cut short ({at})"),
        Category::Syntax => format!("it is not valid JSON ({at})"),
        Category::Data => {
            let text = e.to_string();
            const FIELDS: [&str; 10] = [
                "format", "version", "home_dc", "dcs", "user_id", "api_id", "id", "ip", "port", "auth_key",
            ];
            for prefix in ["missing field `", "duplicate field `"] {
                let field = text
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.split('`').next());
                if let Some(field) = field.filter(|f| FIELDS.contains(f)) {
                    return format!("{} `{field}` ({at})", prefix.trim_end_matches(" `"));
                }
            }
            format!("a value has the wrong type or is out of range ({at})")
        }
    }
}

/// `path` as one shell word, for the fix we print.
fn shell_quote(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> AuthKey {
        let mut b = [0u8; 256];
        for (i, x) in b.iter_mut().enumerate() {
            *x = (i as u8).wrapping_mul(31).wrapping_add(seed) | 0x80;
        }
        AuthKey::from_bytes(b)
    }

    fn sample() -> SessionFile {
        SessionFile {
            home_dc: 2,
            dcs: vec![
                DcEntry {
                    id: 2,
                    ip: Ipv4Addr::LOCALHOST,
                    port: 4000,
                    auth_key: Some(key(1)),
                },
                DcEntry {
                    id: 4,
                    ip: Ipv4Addr::new(127, 0, 0, 2),
                    port: 4001,
                    auth_key: None,
                },
            ],
            user_id: Some(7),
            api_id: Some(12345),
        }
    }

    fn hex_of(k: &AuthKey) -> String {
        hex::encode(k.expose())
    }

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(name: &str) -> Self {
            let d = std::env::temp_dir().join(format!(
                "takeout-telegram-session-{}-{name}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            TempDir(d)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn save_then_load_round_trips_with_mode_0600() {
        let dir = TempDir::new("roundtrip");
        let path = dir.0.join("s.json");
        sample().save(&path).unwrap();
        #[cfg(unix)]
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(SessionFile::load(&path).unwrap(), sample());
        // Saving over an existing file replaces it and leaves no temp file behind.
        let mut changed = sample();
        changed.user_id = None;
        changed.save(&path).unwrap();
        assert_eq!(SessionFile::load(&path).unwrap(), changed);
        let names: Vec<_> = std::fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s.json")]);
    }

    #[cfg(unix)]
    #[test]
    fn save_does_not_reuse_the_mode_of_a_leftover_temp_file() {
        let dir = TempDir::new("leftover");
        let path = dir.0.join("s.json");
        let tmp = dir.0.join(format!(".s.json.tmp-{}", std::process::id()));
        std::fs::write(&tmp, b"old").unwrap();
        chmod(&tmp, 0o666);
        sample().save(&path).unwrap();
        assert_eq!(mode_of(&path), 0o600);
    }

    #[test]
    fn the_json_is_the_documented_format() {
        let v: serde_json::Value = serde_json::from_slice(&sample().to_json()).unwrap();
        assert_eq!(v["format"], "tgtakeout-session");
        assert_eq!(v["version"], 1);
        assert_eq!(v["home_dc"], 2);
        assert_eq!(v["user_id"], 7);
        assert_eq!(v["api_id"], 12345);
        assert_eq!(v["dcs"][0]["ip"], "127.0.0.1");
        assert_eq!(v["dcs"][0]["port"], 4000);
        assert_eq!(v["dcs"][0]["auth_key"].as_str().unwrap().len(), 512);
        assert!(v["dcs"][1].get("auth_key").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_file_others_may_read_or_write_and_says_how_to_fix_it() {
        let dir = TempDir::new("modes");
        let path = dir.0.join("my session.json");
        sample().save(&path).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666] {
            chmod(&path, mode);
            let e = SessionFile::load(&path).unwrap_err();
            assert!(
                matches!(e, SessionError::NotPrivate { .. }),
                "{mode:o}: {e:?}"
            );
            let text = e.to_string();
            assert!(
                text.contains(&format!("chmod 600 '{}'", path.display())),
                "{text}"
            );
            assert!(text.contains(&format!("{mode:03o}")), "{text}");
        }
        for mode in [0o600, 0o400] {
            chmod(&path, mode);
            SessionFile::load(&path).unwrap();
        }
    }

    #[test]
    fn shell_quoting_of_the_fix() {
        assert_eq!(shell_quote(Path::new("/home/a/s.json")), "/home/a/s.json");
        assert_eq!(shell_quote(Path::new("a b")), "'a b'");
        assert_eq!(shell_quote(Path::new("it's")), "'it'\\''s'");
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let e = SessionFile::load(Path::new("/nonexistent/tgtakeout/s.json")).unwrap_err();
        assert!(matches!(e, SessionError::Read { .. }));
        assert!(
            e.to_string().contains("/nonexistent/tgtakeout/s.json"),
            "{e}"
        );
        assert_eq!(e.path(), Path::new("/nonexistent/tgtakeout/s.json"));
    }

    /// Every way to break the file gets its own plain reason, and no reason
    /// quotes a byte of the key.
    #[test]
    fn rejects_invalid_files_without_quoting_them() {
        let good = String::from_utf8(sample().to_json()).unwrap();
        let k = hex_of(&key(1));
        let cases: Vec<(String, &str)> = vec![
            (good[..good.len() / 2].to_string(), "cut short"),
            (good.replacen('{', "[", 1), "not valid JSON"),
            (good.replace("tgtakeout-session", "other"), "\"format\""),
            (
                good.replace("\"version\": 1", "\"version\": 2"),
                "version 2",
            ),
            (
                good.replace("\"home_dc\": 2", "\"home_dc\": 3"),
                "home_dc 3",
            ),
            (good.replace("127.0.0.1", "localhost"), "ip of dc 2"),
            (good.replace(&k[..2], "zz"), "auth_key of dc 2"),
            (good.replace(&k, &k[..510]), "auth_key of dc 2"),
            (
                good.replace("\"id\": 4", "\"id\": 2"),
                "dc 2 is listed twice",
            ),
            (
                good.replace("\"home_dc\": 2,", ""),
                "missing field `home_dc`",
            ),
            // A key where a number belongs: serde_json would quote it.
            (
                good.replace("\"port\": 4000", &format!("\"port\": \"{k}\"")),
                "wrong type",
            ),
            (
                good.replace("\"port\": 4000", "\"port\": 70000"),
                "wrong type",
            ),
            (
                good.replace(&format!("\"auth_key\": \"{k}\""), "\"auth_key\": 5"),
                "wrong type",
            ),
        ];
        for (text, want) in cases {
            let reason = SessionFile::parse(text.as_bytes()).unwrap_err();
            assert!(reason.contains(want), "want {want:?} in {reason:?}");
            for window in k.as_bytes().chunks(8) {
                assert!(
                    !reason.contains(std::str::from_utf8(window).unwrap()),
                    "{reason}"
                );
            }
        }
    }

    #[test]
    fn load_reports_an_invalid_file_with_its_path() {
        let dir = TempDir::new("invalid");
        let path = dir.0.join("s.json");
        sample().save(&path).unwrap();
        let mut data = std::fs::read(&path).unwrap();
        data.truncate(300);
        std::fs::write(&path, &data).unwrap();
        let e = SessionFile::load(&path).unwrap_err();
        assert!(matches!(e, SessionError::Invalid { .. }), "{e:?}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        assert!(SessionFile::load(&dir.0).is_err());
    }

    #[test]
    fn debug_never_shows_a_key() {
        let k = hex_of(&key(1));
        for text in [
            format!("{:?}", sample()),
            format!("{:#?}", sample()),
            format!("{:?}", key(1)),
        ] {
            assert!(text.contains("redacted"), "{text}");
            assert!(!text.contains(&k[..8]), "{text}");
            // Nor as decimal bytes, as a derived Debug of [u8; 256] would print them.
            assert!(
                !text.contains(&format!("{}, {}", key(1).expose()[0], key(1).expose()[1])),
                "{text}"
            );
        }
    }
}
