//! WAL checkpoints off the write path. SQLite's own automatic checkpoint runs
//! inside the commit that crosses the threshold: the writer thread would copy
//! (and fsync) thousands of pages while every queued write waits, a
//! stall of tens of milliseconds every second under load. Instead the writer
//! nudges this thread after its commits, and it runs a `PASSIVE` checkpoint
//! on its own connection, which never blocks the writer or the readers. The
//! writer keeps a far larger automatic threshold as a backstop, should the
//! checkpoints fall behind.

use std::{
    sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender},
    time::{Duration, Instant},
};

use rusqlite::Connection;

/// The writer's own automatic checkpoint, in WAL pages (about 64 MiB): only
/// reached when the checkpoint thread falls behind.
pub(super) const WRITER_AUTOCHECKPOINT: u32 = 16_384;

/// How often, at most, the writer asks for a checkpoint.
const NUDGE_EVERY: Duration = Duration::from_millis(100);

/// The handle the writer nudges; the thread ends when it is dropped.
pub(super) struct Checkpointer {
    nudge: SyncSender<()>,
    last: Instant,
}

impl Checkpointer {
    /// Starts the checkpoint thread on its own connection to the database.
    pub(super) fn start(conn: Connection) -> std::io::Result<Self> {
        let (nudge, nudges) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("db-checkpoint".into())
            .spawn(move || run(&conn, &nudges))?;
        Ok(Self {
            nudge,
            last: Instant::now(),
        })
    }

    /// Called after each commit: asks for a checkpoint at most every
    /// [`NUDGE_EVERY`]; never waits (a checkpoint already asked for is enough).
    pub(super) fn after_commit(&mut self) {
        if self.last.elapsed() >= NUDGE_EVERY {
            self.last = Instant::now();
            let _ = self.nudge.try_send(());
        }
    }
}

/// After the last nudge, one more checkpoint this much later: the writes of
/// a burst's last [`NUDGE_EVERY`] nudge nobody, and a WAL fully copied lets
/// readers skip it.
const TRAILING: Duration = Duration::from_millis(250);

fn run(conn: &Connection, nudges: &Receiver<()>) {
    while nudges.recv().is_ok() {
        checkpoint(conn);
        loop {
            match nudges.recv_timeout(TRAILING) {
                Ok(()) => checkpoint(conn),
                Err(RecvTimeoutError::Timeout) => {
                    checkpoint(conn);
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

fn checkpoint(conn: &Connection) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "WAL checkpoint failed");
    }
}
