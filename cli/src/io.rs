//! Files in and out, token encodings (binary, hex, base64), stdout that never panics, and time.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;

use crate::fail::{CliError, CliResult};

/// Largest input file read (tokens, keys, JSON): far above any real token, and a bound on what a
/// mistaken path (a disk image, /dev/zero) can make the tool read.
pub(crate) const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Writes formatted text to stdout. A closed pipe (`ecnpp inspect t | head -1`) or a full disk
/// is ignored here rather than turned into a panic, as `println!` would.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::io::write_stdout(::std::format_args!($($arg)*))
    };
}

/// As [`out!`], with a newline.
macro_rules! outln {
    () => { $crate::io::write_stdout(::std::format_args!("\n")) };
    ($($arg:tt)*) => {{
        $crate::io::write_stdout(::std::format_args!($($arg)*));
        $crate::io::write_stdout(::std::format_args!("\n"));
    }};
}

pub(crate) use {out, outln};

/// The body of [`out!`].
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    let _ignored = io::stdout().lock().write_fmt(args);
}

/// Writes raw bytes to stdout (a token with `-o -`).
pub(crate) fn write_stdout_bytes(bytes: &[u8]) {
    let mut lock = io::stdout().lock();
    let _ignored = lock.write_all(bytes).and_then(|()| lock.flush());
}

/// Display name of a path in messages: as the user gave it.
pub(crate) fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Reads a whole file (or stdin for `-`), bounded by [`MAX_INPUT`].
pub(crate) fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    let name = shown(path);
    let mut buf = Vec::new();
    let result = if path.as_os_str() == "-" {
        io::stdin().lock().take(MAX_INPUT + 1).read_to_end(&mut buf)
    } else {
        match fs::File::open(path) {
            Ok(f) => {
                if f.metadata().is_ok_and(|m| m.is_dir()) {
                    return Err(CliError::usage(format!(
                        "{name}: is a directory, not a file"
                    )));
                }
                f.take(MAX_INPUT + 1).read_to_end(&mut buf)
            }
            Err(e) => {
                return Err(CliError::usage(format!(
                    "{name}: cannot open: {}",
                    io_reason(&e)
                )));
            }
        }
    };
    result.map_err(|e| CliError::usage(format!("{name}: cannot read: {}", io_reason(&e))))?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > MAX_INPUT {
        return Err(CliError::usage(format!(
            "{name}: larger than {} MiB, which is not a token, key or JSON file ecnpp reads",
            MAX_INPUT / (1024 * 1024)
        )));
    }
    Ok(buf)
}

/// Reads a UTF-8 text file (keys, JSON).
pub(crate) fn read_text(path: &Path) -> CliResult<String> {
    let bytes = read_file(path)?;
    String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{}: is not UTF-8 text", shown(path))))
}

/// The OS error without the "(os error 2)" suffix.
pub(crate) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        io::ErrorKind::AlreadyExists => "already exists (--force overwrites)".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_string()
        }
    }
}

/// How a token file was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Raw CBOR bytes.
    Binary,
    /// Hexadecimal text.
    Hex,
    /// Base64 (standard or URL-safe, padded or not).
    Base64,
}

impl Encoding {
    /// Its name in messages.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Binary => "binary",
            Self::Hex => "hex",
            Self::Base64 => "base64",
        }
    }
}

/// Decodes a token file: binary CBOR as it is; text that is entirely hex or base64 (whitespace
/// ignored) decoded. A COSE_Sign1 starts with byte 0xd2 (or 0x84 untagged), never printable, so
/// binary and text cannot be confused.
pub(crate) fn decode_token_bytes(raw: Vec<u8>) -> (Vec<u8>, Encoding) {
    let printable = !raw.is_empty()
        && raw
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if !printable {
        return (raw, Encoding::Binary);
    }
    let compact: String = raw
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|&b| char::from(b))
        .collect();
    let hex_text = compact
        .strip_prefix("0x")
        .or_else(|| compact.strip_prefix("0X"))
        .unwrap_or(&compact);
    if let Ok(bytes) = hex::decode(hex_text) {
        return (bytes, Encoding::Hex);
    }
    for engine in [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        if let Ok(bytes) = engine.decode(&compact) {
            return (bytes, Encoding::Base64);
        }
    }
    (raw, Encoding::Binary)
}

/// Reads and decodes a token file.
pub(crate) fn read_token(path: &Path) -> CliResult<(Vec<u8>, Encoding)> {
    let raw = read_file(path)?;
    if raw.is_empty() {
        return Err(CliError::usage(format!("{}: is empty", shown(path))));
    }
    Ok(decode_token_bytes(raw))
}

/// Parses a hex argument (`--nonce`), spaces and a 0x prefix allowed.
pub(crate) fn parse_hex_arg(what: &str, text: &str) -> CliResult<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let body = compact
        .strip_prefix("0x")
        .or_else(|| compact.strip_prefix("0X"))
        .unwrap_or(&compact);
    hex::decode(body).map_err(|e| CliError::usage(format!("{what}: not hex: {e}")))
}

/// Who may read a file the tool creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// A secret (a private key): mode 0600, owner only, whatever the umask.
    Secret,
    /// A public key: mode 0644, readable by all, whatever the umask.
    Public,
    /// Anything else (tokens): the process's default (0666 less the umask).
    Default,
}

impl Access {
    /// The Unix mode set on the file, if any.
    const fn mode(self) -> Option<u32> {
        match self {
            Self::Secret => Some(0o600),
            Self::Public => Some(0o644),
            Self::Default => None,
        }
    }
}

/// True when something (a file, a directory, a symbolic link, even a dangling one) has this name.
fn taken(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Creates `path` anew (never following or replacing what is there: `create_new`), with the
/// mode of `access` set on the open file (so the umask does not change it and a secret is never
/// readable by others, not even for a moment), and writes `bytes`. On a non-Unix host the std
/// API sets no mode: the file gets the directory's default permissions.
fn create(path: &Path, bytes: &[u8], access: Access) -> CliResult<()> {
    let name = shown(path);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(mode) = access.mode() {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    let mut f = options
        .open(path)
        .map_err(|e| CliError::usage(format!("{name}: cannot create: {}", io_reason(&e))))?;
    let mut written = || -> io::Result<()> {
        #[cfg(unix)]
        if let Some(mode) = access.mode() {
            use std::os::unix::fs::PermissionsExt as _;
            // The mode given to open() is reduced by the umask; fchmod() is not.
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        f.write_all(bytes)?;
        f.flush()
    };
    written().map_err(|e| {
        // Not left half written.
        let _ignored = fs::remove_file(path);
        CliError::usage(format!("{name}: cannot write: {}", io_reason(&e)))
    })
}

/// Writes `bytes` to `path` (stdout for `-`). An existing file is replaced only with `force`;
/// secret files are created owner-only (0600).
pub(crate) fn write_file(path: &Path, bytes: &[u8], secret: bool, force: bool) -> CliResult<()> {
    if path.as_os_str() == "-" {
        write_stdout_bytes(bytes);
        return Ok(());
    }
    let access = if secret {
        Access::Secret
    } else {
        Access::Default
    };
    write_files(&[(path, bytes, access)], force)
}

/// Writes several files as one: all of them or none. Every name is checked before any file is
/// written, and an existing file is an error naming it (unless `force`, which removes it first,
/// so the new file gets its own mode). Files are created with `create_new`, so a file that
/// appears between the check and the write is not replaced either; if any write fails, the
/// files this call already wrote are removed again.
pub(crate) fn write_files(files: &[(&Path, &[u8], Access)], force: bool) -> CliResult<()> {
    if !force {
        let existing: Vec<String> = files
            .iter()
            .filter(|(p, _, _)| taken(p))
            .map(|(p, _, _)| shown(p))
            .collect();
        if let Some((first, others)) = existing.split_first() {
            let also = if others.is_empty() {
                String::new()
            } else {
                format!("; so does {}", others.join(", "))
            };
            return Err(CliError::usage(format!(
                "{first}: cannot create: already exists (--force overwrites){also}; \
                 nothing was written"
            )));
        }
    }
    for (i, (path, bytes, access)) in files.iter().enumerate() {
        let result = if force && taken(path) {
            fs::remove_file(path).map_err(|e| {
                CliError::usage(format!(
                    "{}: cannot replace: {}",
                    shown(path),
                    io_reason(&e)
                ))
            })
        } else {
            Ok(())
        }
        .and_then(|()| create(path, bytes, *access));
        if let Err(e) = result {
            for (done, _, _) in files.iter().take(i) {
                let _ignored = fs::remove_file(done);
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Seconds since the Unix epoch: `--now` when given, else the system clock.
pub(crate) fn now(override_now: Option<i64>) -> i64 {
    override_now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// `2026-09-21T13:46:40Z` for epoch seconds (proleptic Gregorian, UTC).
pub(crate) fn format_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe
        .saturating_add(era.saturating_mul(400))
        .saturating_add(i64::from(month <= 2));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A duration for people: `82 µs`, `1.4 ms`, `2.31 s`.
pub(crate) fn format_duration(d: std::time::Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else if us < 1e6 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// The first `n` bytes in hex, with an ellipsis when there are more.
pub(crate) fn hex_prefix(bytes: &[u8], n: usize) -> String {
    let shown = bytes.get(..n).unwrap_or(bytes);
    let mut s = hex::encode(shown);
    if bytes.len() > shown.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_encodings_are_detected() {
        let bin = vec![0xd2, 0x84, 0x43];
        assert_eq!(
            decode_token_bytes(bin.clone()),
            (bin.clone(), Encoding::Binary)
        );
        assert_eq!(
            decode_token_bytes(b"d2 84\n43\n".to_vec()),
            (bin.clone(), Encoding::Hex)
        );
        assert_eq!(
            decode_token_bytes(b"0oRD\n".to_vec()),
            (bin.clone(), Encoding::Base64)
        );
        assert_eq!(decode_token_bytes(b"0oRD".to_vec()).1, Encoding::Base64);
        assert_eq!(decode_token_bytes(b"!!".to_vec()).1, Encoding::Binary);
    }

    #[test]
    fn times_are_formatted() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(1_790_000_000), "2026-09-21T14:13:20Z");
        assert_eq!(format_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_time(-1), "1969-12-31T23:59:59Z");
    }
}
