//! The data directory and the database files are private to the service's
//! user, whatever the umask of whoever starts the binary: directories 0700,
//! the database, its -wal/-shm and backups 0600 (SQLite gives -wal, -shm and
//! -journal the mode of the database file).

use std::{
    fs::{DirBuilder, OpenOptions, Permissions},
    io,
    os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt},
    path::Path,
};

/// Creates `dir` (and missing parents) 0700, and takes group and other
/// access away from it when it already existed.
pub fn dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    tighten(dir, 0o700);
    Ok(())
}

/// Creates `path` empty with mode 0600 when missing, else takes group and
/// other access away from it.
pub fn file(path: &Path) -> io::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            tighten(path, 0o600);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Like [`file`] for a file that may not exist: leaves a missing one missing.
pub fn existing_file(path: &Path) {
    if path.exists() {
        tighten(path, 0o600);
    }
}

/// Sets `mode` on `path` when it grants more; logs when it cannot (a file
/// of another owner), since the files stay usable.
fn tighten(path: &Path, mode: u32) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.permissions().mode() & 0o777 & !mode == 0 {
        return;
    }
    if let Err(e) = std::fs::set_permissions(path, Permissions::from_mode(mode)) {
        tracing::warn!(path = %path.display(), error = %e, "cannot make this private (mode {mode:o})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_existing_paths_end_up_private() {
        let root = tempfile::tempdir().unwrap();
        let d = root.path().join("a/b");
        let f = d.join("x.db");
        // Made private when new, and made private again when opened up.
        type Make = fn(&Path) -> io::Result<()>;
        let cases: [(&Path, Make, u32, u32); 2] =
            [(&d, dir, 0o700, 0o755), (&f, file, 0o600, 0o644)];
        for (path, make, private, open) in cases {
            make(path).unwrap();
            assert_eq!(mode(path), private);
            std::fs::set_permissions(path, Permissions::from_mode(open)).unwrap();
            make(path).unwrap();
            assert_eq!(mode(path), private);
        }
        let g = d.join("x.db-wal");
        existing_file(&g);
        assert!(!g.exists());
        std::fs::write(&g, b"").unwrap();
        std::fs::set_permissions(&g, Permissions::from_mode(0o664)).unwrap();
        existing_file(&g);
        assert_eq!(mode(&g), 0o600);
    }
}
