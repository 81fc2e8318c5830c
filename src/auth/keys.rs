//! The JWT signing key: 64 random bytes in `<data_dir>/jwt.key`, created at first
//! start with mode 0600 and reused afterwards.

use std::{
    fs::OpenOptions,
    io::{self, Write},
    path::Path,
};

use base64::{engine::general_purpose::STANDARD, Engine};

pub const JWT_KEY_FILE: &str = "jwt.key";
/// The key of recharge-card PIN hashes.
pub const PIN_KEY_FILE: &str = "pin.key";
const KEY_BYTES: usize = 64;

/// Secret key material for HS256.
#[derive(Clone)]
pub struct JwtKey(Vec<u8>);

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKey(..)")
    }
}

impl JwtKey {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// A key from given bytes (tests).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Reads the key file in `data_dir`, creating it (0600) when missing.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Self> {
        Self::load_or_create_named(data_dir, JWT_KEY_FILE)
    }

    /// Like [`JwtKey::load_or_create`] for another key file (`pin.key`, ...).
    pub fn load_or_create_named(data_dir: &Path, file: &str) -> io::Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let bytes = STANDARD.decode(text.trim()).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                if bytes.len() < 32 {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} holds fewer than 32 bytes", path.display()),
                    ));
                }
                Ok(Self(bytes))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut bytes = vec![0u8; KEY_BYTES];
                getrandom::fill(&mut bytes).map_err(io::Error::other)?;
                let mut options = OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(&path) {
                    Ok(mut file) => {
                        file.write_all(STANDARD.encode(&bytes).as_bytes())?;
                        file.write_all(b"\n")?;
                        file.sync_all()?;
                        Ok(Self(bytes))
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(data_dir)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_with_mode_0600_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = JwtKey::load_or_create(dir.path()).unwrap();
        let b = JwtKey::load_or_create(dir.path()).unwrap();
        assert_eq!(a.bytes(), b.bytes());
        assert_eq!(a.bytes().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(JWT_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
