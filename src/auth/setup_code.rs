//! The first-run setup code: while no staff user exists, the panel creates the
//! first admin only for someone who shows this code, which is printed in the
//! server log at start and by `ispbills admin setup-code` — so reaching the port
//! is not enough to take the box. Kept in `<data_dir>/setup-code` (0600) so the
//! server and the command agree; removed once the first admin exists.

use std::{fs::OpenOptions, io, io::Write, path::Path};

use super::secrets::constant_time_eq;

pub const SETUP_CODE_FILE: &str = "setup-code";
/// Letters and digits that cannot be mistaken for one another when read aloud.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn generate() -> io::Result<String> {
    let mut out = String::new();
    let mut buf = [0u8; 64];
    while out.len() < 12 {
        getrandom::fill(&mut buf).map_err(io::Error::other)?;
        for b in buf {
            // Rejection sampling keeps every symbol equally likely.
            if usize::from(b) < 256 - 256 % ALPHABET.len() && out.len() < 12 {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(format!("{}-{}-{}", &out[..4], &out[4..8], &out[8..]))
}

/// The data dir's setup code, created (0600) when there is none.
pub fn load_or_create(data_dir: &Path) -> io::Result<String> {
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join(SETUP_CODE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(code) if normalise(&code).len() == 12 => return Ok(code.trim().to_string()),
        Ok(_) => std::fs::remove_file(&path)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let code = generate()?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut f) => {
            f.write_all(code.as_bytes())?;
            f.sync_all()?;
            Ok(code)
        }
        // Another process wrote one first: use it.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => load_or_create(data_dir),
        Err(e) => Err(e),
    }
}

/// True when `given` is the data dir's code (case, spaces and dashes ignored).
pub fn matches(data_dir: &Path, given: &str) -> bool {
    match std::fs::read_to_string(data_dir.join(SETUP_CODE_FILE)) {
        Ok(code) => {
            let (a, b) = (normalise(&code), normalise(given));
            a.len() == 12 && constant_time_eq(a.as_bytes(), b.as_bytes())
        }
        Err(_) => false,
    }
}

/// Forgets the code (the first admin exists).
pub fn remove(data_dir: &Path) -> io::Result<()> {
    match std::fs::remove_file(data_dir.join(SETUP_CODE_FILE)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_matched_loosely() {
        let dir = tempfile::tempdir().unwrap();
        let code = load_or_create(dir.path()).unwrap();
        assert_eq!(code.len(), 14);
        assert_eq!(load_or_create(dir.path()).unwrap(), code);
        assert!(matches(dir.path(), &code));
        assert!(matches(dir.path(), &code.to_lowercase().replace('-', " ")));
        assert!(!matches(dir.path(), "AAAA-AAAA-AAAA"));
        assert!(!matches(dir.path(), ""));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SETUP_CODE_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        remove(dir.path()).unwrap();
        assert!(!matches(dir.path(), &code));
        assert_ne!(load_or_create(dir.path()).unwrap(), code);
    }
}
