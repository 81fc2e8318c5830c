//! The connection layer under poem: a cap on open connections, a header-read
//! timeout, a keep-alive idle timeout, the envelope on the HTTP parser's own
//! error answers, and the open-file limit.
//!
//! [`GuardedAcceptor`] wraps poem's TCP acceptor: every accepted connection is
//! registered and wrapped in a [`GuardedStream`], which watches the bytes going
//! both ways to know whether the connection is waiting for a request head
//! (idle: it may be closed to make room, and the head must arrive in time) or
//! serving one (never cut by this layer).
//!
//! At the cap a new connection first closes the oldest idle one; if none is
//! idle it is answered 503 with the envelope and closed, without holding up
//! the accept loop.

mod acceptor;
mod envelope;
pub mod metrics;
mod stream;

pub use acceptor::{GuardedAcceptor, Registry};
pub use stream::GuardedStream;

use std::time::Duration;

/// The connection layer's settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections at most.
    pub max_connections: usize,
    /// Time to send a whole request head (from accept, or from the first
    /// byte of each next request).
    pub header_read: Duration,
    /// Time an idle keep-alive connection is kept between requests.
    pub keepalive: Duration,
}

/// Raises the soft open-file limit to the hard limit; returns the soft limit
/// now in force (`u64::MAX` when unlimited).
pub fn raise_nofile_limit() -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let now = getrlimit(Resource::Nofile);
    if now.current != now.maximum {
        let raised = Rlimit {
            current: now.maximum,
            maximum: now.maximum,
        };
        if let Err(e) = setrlimit(Resource::Nofile, raised) {
            tracing::warn!(error = %e, "could not raise the open-file limit");
        }
    }
    nofile_limit()
}

/// The soft open-file limit in force (`u64::MAX` when unlimited).
pub fn nofile_limit() -> u64 {
    rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(u64::MAX)
}

/// The connection cap for a soft file limit: the limit less a reserve for
/// the database, key files, device sockets and outgoing requests (an eighth
/// of it, at least 64 and at most 1024), and never above `configured` when
/// that is not 0.
pub fn connection_cap(nofile: u64, configured: usize) -> usize {
    let nofile = usize::try_from(nofile.min(1 << 24)).unwrap_or(1 << 24);
    let reserve = (nofile / 8).clamp(64, 1024);
    let auto = nofile.saturating_sub(reserve).max(16);
    if configured == 0 {
        auto
    } else {
        configured.min(auto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_file_limit() {
        assert_eq!(connection_cap(1024, 0), 896);
        assert_eq!(connection_cap(65536, 0), 64512);
        assert_eq!(connection_cap(256, 0), 192);
        assert_eq!(connection_cap(40, 0), 16);
        assert_eq!(connection_cap(u64::MAX, 0), (1 << 24) - 1024);
        assert_eq!(connection_cap(1024, 100), 100);
        assert_eq!(
            connection_cap(1024, 5000),
            896,
            "a configured cap above the safe one is lowered"
        );
    }
}
