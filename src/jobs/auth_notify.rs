//! Changes to who may log in, made by another process (`ispbills user ...`,
//! `ispbills client rotate|delete`), take effect at once in a running server:
//! after committing, the command connects to the server's Unix socket
//! `<data_dir>/auth.sock` and waits until the server has dropped its cache of
//! checked tokens. The very next request is then checked against the
//! database. (The `auth_epoch` poll stays as a backstop: should the socket be
//! unreachable, the change is seen within its 200 ms.) Nothing is on the
//! request path.
//!
//! The socket is the server user's alone (mode 0600, in the data directory);
//! its only effect is a cache flush.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use super::{stopped, StopSignal};
use crate::auth::cache::AuthCache;

/// The socket's file name in the data directory.
pub const SOCKET_NAME: &str = "auth.sock";

const MESSAGE: &[u8] = b"auth-changed\n";
const ANSWER: &[u8] = b"ok\n";

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Serves the socket until `stop`; every connection flushes `cache` and is
/// answered `ok`.
#[cfg(unix)]
pub async fn listener(data_dir: PathBuf, cache: Arc<AuthCache>, mut stop: StopSignal) {
    use std::os::unix::fs::PermissionsExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let path = socket_path(&data_dir);
    // A socket left by a server that died; only one server runs per data dir.
    let _ = std::fs::remove_file(&path);
    let listener = match tokio::net::UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e,
                "cannot listen for auth changes; command-line changes are seen within 200 ms instead");
            return;
        }
    };
    if let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(path = %path.display(), error = %e, "cannot restrict the auth socket");
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((mut stream, _)) = accepted else { continue };
                let cache = cache.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 64];
                    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await;
                    if matches!(read, Ok(Ok(n)) if n > 0) {
                        cache.invalidate();
                        tracing::debug!("auth change notified: token cache dropped");
                        let _ = stream.write_all(ANSWER).await;
                    }
                });
            }
            _ = stopped(&mut stop) => break,
        }
    }
    let _ = std::fs::remove_file(&path);
}

#[cfg(not(unix))]
pub async fn listener(_data_dir: PathBuf, _cache: Arc<AuthCache>, _stop: StopSignal) {}

/// What telling the running server came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notified {
    /// A server was running and has dropped its cache.
    Done,
    /// No server is running on this data directory.
    NoServer,
    /// A server may be running but did not confirm (it notices within 200 ms).
    Failed(String),
}

/// Tells the server on `data_dir` (if any) that a token's standing changed, and
/// waits (up to 2 s) until it has acted. Blocking.
#[cfg(unix)]
pub fn notify(data_dir: &Path) -> Notified {
    use std::os::unix::net::UnixStream;

    let path = socket_path(data_dir);
    let mut stream = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Notified::NoServer
        }
        Err(e) => return Notified::Failed(e.to_string()),
    };
    let timeout = Some(Duration::from_secs(2));
    let _ = stream.set_read_timeout(timeout);
    let _ = stream.set_write_timeout(timeout);
    if let Err(e) = stream.write_all(MESSAGE) {
        return Notified::Failed(e.to_string());
    }
    let mut answer = [0u8; 8];
    match stream.read(&mut answer) {
        Ok(n) if answer[..n].starts_with(ANSWER) => Notified::Done,
        Ok(_) => Notified::Failed("no answer".into()),
        Err(e) => Notified::Failed(e.to_string()),
    }
}

#[cfg(not(unix))]
pub fn notify(_data_dir: &Path) -> Notified {
    Notified::Failed("not supported on this system".into())
}

/// [`notify`] for the command line: says on stderr when the server could not
/// be told.
pub fn notify_from_cli(data_dir: &Path) {
    if let Notified::Failed(why) = notify(data_dir) {
        let _ = writeln!(
            std::io::stderr(),
            "note: the running server did not confirm the change ({why}); it applies it within 200 ms"
        );
    }
}
