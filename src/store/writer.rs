//! Group commit: one thread owns the database's write connection and commits
//! the work of many concurrent writers together, with one fsync per group.
//!
//! Each write is a closure over the transaction ([`Db::write`](super::Db::write)).
//! The writer takes every closure waiting in its queue, opens one
//! `BEGIN IMMEDIATE` transaction, runs each closure in its own savepoint (an
//! error rolls back that closure's changes only), commits, and only then
//! answers each caller: an acknowledged write is on disk (`synchronous=FULL`),
//! and a write that was not acknowledged was either committed whole or not at
//! all. Closures run one at a time, in arrival order, as they did when each
//! took SQLite's write lock in turn.
//!
//! Overload is answered at once rather than by waiting: a full queue, or a
//! write that waited longer than [`MAX_QUEUE_WAIT`] before its turn, is
//! refused with [`StoreError::Busy`] (the API's 503 with `Retry-After`)
//! without having run.

use std::{
    cell::Cell,
    collections::VecDeque,
    marker::PhantomData,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::mpsc::{self, Receiver, SyncSender, TrySendError},
    time::{Duration, Instant},
};

use super::{
    checkpointer::Checkpointer,
    sql::{Connection, PgConn, PgManager, Transaction},
    StoreError,
};
use prometheus_client::metrics::counter::Counter;

/// Writes that may wait for their turn; one more is refused as busy.
pub const QUEUE_CAPACITY: usize = 1024;

/// Closures committed together at most (a bound on the first one's wait).
const MAX_GROUP: usize = 256;

/// A write that waited this long for its turn is refused without running: its
/// caller has an answer within seconds rather than a request that hangs.
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// What the writer tells a caller whose write did not run or did not commit
/// because of load.
pub const BUSY: &str = "The database is busy. Try again in a moment.";

thread_local! {
    /// True on the writer thread: a write from inside a write would wait for
    /// itself forever, so it is refused instead.
    static ON_WRITER: Cell<bool> = const { Cell::new(false) };
}

/// The writer's counters, shown on `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct WriterStats {
    /// Writes committed (closures that returned `Ok`).
    pub writes: Counter,
    /// Groups committed (one fsync each).
    pub groups: Counter,
    /// Writes refused as busy (queue full, waited too long, lock held elsewhere).
    pub busy: Counter,
}

impl WriterStats {
    /// Adds the counters to the `/metrics` registry.
    pub fn register(&self, metrics: &crate::metrics::Metrics) {
        metrics.register_counter(
            "db_writes",
            "Writes committed by the single database writer",
            self.writes.clone(),
        );
        metrics.register_counter(
            "db_write_groups",
            "Groups of writes committed together (one fsync each)",
            self.groups.clone(),
        );
        metrics.register_counter(
            "db_busy",
            "Writes refused as busy by the database writer (answered 503 with Retry-After)",
            self.busy.clone(),
        );
    }
}

/// How to answer a caller once its group's fate is known.
type Deliver = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// One caller's write, waiting in the queue.
trait Work: Send {
    /// Runs the closure: whether its savepoint is kept, and its answer.
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> (bool, Deliver);
    /// Answers the caller with `err` without running the closure.
    fn refuse(self: Box<Self>, err: StoreError);
}

struct Pending<T, F, A> {
    f: F,
    answer: A,
    result: PhantomData<fn() -> T>,
}

impl<T, F, A> Work for Pending<T, F, A>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send,
    A: FnOnce(Result<T, StoreError>) + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> (bool, Deliver) {
        let Pending { f, answer, .. } = *self;
        // What the closure queued to run later is sent before it counts as
        // done: its error is this write's.
        let out = f(tx).and_then(|v| tx.flush_later().map(|()| v).map_err(StoreError::from));
        let kept = out.is_ok();
        let deliver: Deliver = Box::new(move |commit| {
            answer(match commit {
                Ok(()) => out,
                Err(e) => out.and(Err(e.retold())),
            })
        });
        (kept, deliver)
    }

    fn refuse(self: Box<Self>, err: StoreError) {
        (self.answer)(Err(err))
    }
}

struct Job {
    work: Box<dyn Work>,
    queued_at: Instant,
}

/// The sending side of the writer's queue.
pub(super) struct Writer {
    queue: SyncSender<Job>,
    pub(super) stats: WriterStats,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("stats", &self.stats)
            .finish()
    }
}

impl Writer {
    /// Starts the writer thread on `conn`. The thread ends when the last
    /// [`Writer`] handle is dropped and its queue is empty.
    /// `checkpoint` is a second connection to the same database, for the
    /// WAL checkpoints ([`Checkpointer`]).
    pub(super) fn start(
        conn: rusqlite::Connection,
        checkpoint: rusqlite::Connection,
    ) -> Result<Self, StoreError> {
        conn.pragma_update(
            None,
            "wal_autocheckpoint",
            super::checkpointer::WRITER_AUTOCHECKPOINT,
        )?;
        let checkpointer = Checkpointer::start(checkpoint)?;
        Self::with_limits(
            WriteConn::Sqlite(conn),
            Some(checkpointer),
            QUEUE_CAPACITY,
            MAX_QUEUE_WAIT,
        )
    }

    /// Starts the writer thread of a PostgreSQL database: its own connection
    /// (opened again after a failover), each group one transaction that
    /// first takes the cluster-wide write lock, so that writes of all nodes
    /// run one after another as they do on one SQLite file.
    pub(super) fn start_pg(manager: PgManager) -> Result<Self, StoreError> {
        let conn = manager.connect()?;
        Self::with_limits(
            WriteConn::Pg {
                manager: Box::new(manager),
                conn: Some(Box::new(conn)),
            },
            None,
            QUEUE_CAPACITY,
            MAX_QUEUE_WAIT,
        )
    }

    fn with_limits(
        conn: WriteConn,
        checkpointer: Option<Checkpointer>,
        capacity: usize,
        max_wait: Duration,
    ) -> Result<Self, StoreError> {
        let (queue, jobs) = mpsc::sync_channel(capacity);
        let stats = WriterStats::default();
        let thread_stats = stats.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || {
                ON_WRITER.with(|w| w.set(true));
                run(conn, checkpointer, jobs, max_wait, &thread_stats);
            })?;
        Ok(Self { queue, stats })
    }

    /// Queues `f`; `answer` receives its result after its group commits (or
    /// the reason it did not run). Refused at once when the queue is full.
    pub(super) fn submit<T, F, A>(&self, f: F, answer: A) -> Result<(), StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
        A: FnOnce(Result<T, StoreError>) + Send + 'static,
    {
        if ON_WRITER.with(Cell::get) {
            return Err(StoreError::Task(
                "a write was started from inside another write".into(),
            ));
        }
        let job = Job {
            work: Box::new(Pending {
                f,
                answer,
                result: PhantomData,
            }),
            queued_at: Instant::now(),
        };
        match self.queue.try_send(job) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.stats.busy.inc();
                Err(StoreError::Busy(BUSY.into()))
            }
            Err(TrySendError::Disconnected(_)) => {
                Err(StoreError::Task("the database writer has stopped".into()))
            }
        }
    }
}

/// The writer's own connection.
enum WriteConn {
    Sqlite(rusqlite::Connection),
    Pg {
        manager: Box<PgManager>,
        conn: Option<Box<PgConn>>,
    },
}

/// The advisory lock every PostgreSQL write transaction takes first (the
/// bytes of "ispbills"): the cluster's writes run one group at a time.
pub(super) const PG_WRITE_LOCK: i64 = 0x6973_7062_696c_6c73;

impl WriteConn {
    /// Begins a group's transaction, runs `then` in it (in the same round
    /// trip on PostgreSQL) and answers the connection it runs on.
    fn begin(&mut self, then: &str) -> Result<Connection<'_>, StoreError> {
        match self {
            WriteConn::Sqlite(c) => {
                if let Err(e) = c.execute_batch(&format!("BEGIN IMMEDIATE; {then}")) {
                    if !c.is_autocommit() {
                        let _ = c.execute_batch("ROLLBACK");
                    }
                    return Err(e.into());
                }
                Ok(Connection::sqlite(c))
            }
            WriteConn::Pg { manager, conn } => {
                if conn.as_ref().is_none_or(|c| c.is_closed()) {
                    *conn = None;
                    *conn = Some(Box::new(manager.connect()?));
                }
                let Some(c) = conn.as_ref() else {
                    return Err(StoreError::Busy(BUSY.into()));
                };
                let begun = Connection::pg(c).execute_batch(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({PG_WRITE_LOCK}); {then}"
                ));
                match begun {
                    Ok(()) => Ok(Connection::pg(c)),
                    Err(e) => {
                        let _ = Connection::pg(c).execute_batch("ROLLBACK");
                        Err(e.into())
                    }
                }
            }
        }
    }
}

/// True when the engine ended the transaction by itself (SQLite rolls back
/// the whole transaction on some I/O errors).
fn transaction_lost(conn: &Connection<'_>) -> bool {
    conn.as_sqlite().is_some_and(|c| c.is_autocommit())
}

fn run(
    mut conn: WriteConn,
    mut checkpointer: Option<Checkpointer>,
    jobs: Receiver<Job>,
    max_wait: Duration,
    stats: &WriterStats,
) {
    while let Ok(first) = jobs.recv() {
        let mut group = VecDeque::from([first]);
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push_back(job),
                Err(_) => break,
            }
        }
        while !group.is_empty() {
            commit_group(&mut conn, &mut group, max_wait, stats);
        }
        if let Some(c) = checkpointer.as_mut() {
            c.after_commit();
        }
    }
}

/// What ends a job's savepoint: kept or rolled back.
const KEEP: &str = "RELEASE job";
const UNDO: &str = "ROLLBACK TO job; RELEASE job";

/// Runs and commits the jobs at the front of `group`. Normally that is all of
/// them; if the transaction itself is lost midway (SQLite rolls back the whole
/// transaction on some I/O errors), the jobs that ran are answered with the
/// error and the rest stay in `group` for a fresh transaction.
///
/// Each job runs in its own savepoint. The statement ending one job's
/// savepoint goes together with the one opening the next (the first with
/// `BEGIN`, the last with `COMMIT`), and on PostgreSQL both go with the next
/// job's first statement ([`Connection::defer_batch`]): there every statement
/// is a round trip, and the writer's time is mostly round trips. A failure of
/// those savepoint statements is then the next job's error, and the group
/// does not commit.
fn commit_group(
    conn: &mut WriteConn,
    group: &mut VecDeque<Job>,
    max_wait: Duration,
    stats: &WriterStats,
) {
    let tx = match conn.begin("SAVEPOINT job") {
        Ok(c) => Transaction::on(c),
        Err(err) => {
            for job in group.drain(..) {
                if err.is_busy() {
                    stats.busy.inc();
                }
                job.work.refuse(err.retold());
            }
            return;
        }
    };
    let mut ran: Vec<(bool, Deliver)> = Vec::with_capacity(group.len());
    let mut lost: Option<StoreError> = None;
    // How the open savepoint ends: `None` while it is fresh (nothing ran in it).
    let mut end: Option<&str> = None;
    while let Some(job) = group.pop_front() {
        if job.queued_at.elapsed() > max_wait {
            stats.busy.inc();
            job.work.refuse(StoreError::Busy(BUSY.into()));
            continue;
        }
        if let Some(end) = end.take() {
            if let Err(e) = tx.defer_batch(&format!("{end}; SAVEPOINT job")) {
                group.push_front(job);
                lost = Some(e.into());
                break;
            }
        }
        // A panicking closure drops its answer unsent: its caller sees the
        // write fail; its changes are rolled back below like an error's.
        let outcome = catch_unwind(AssertUnwindSafe(|| job.work.run(&tx))).ok();
        let kept = outcome.as_ref().is_some_and(|(kept, _)| *kept);
        if let Some(o) = outcome {
            ran.push(o);
        }
        if !kept {
            tx.forget_later();
        }
        end = Some(if kept { KEEP } else { UNDO });
        if tx.deferred_failed() {
            // The savepoint statements sent with this job's first statement
            // failed: the savepoints are not where the writer counts them.
            lost = Some(StoreError::Task(
                "a savepoint of the write transaction failed".into(),
            ));
            break;
        }
        if transaction_lost(&tx) {
            lost = Some(StoreError::Task(
                "the write transaction was rolled back by the database".into(),
            ));
            break;
        }
    }
    let committed = match lost {
        Some(e) => {
            tx.forget_deferred();
            let _ = tx.execute_batch("ROLLBACK");
            Err(e)
        }
        None => tx
            .execute_batch(&format!("{}; COMMIT", end.unwrap_or(KEEP)))
            .map_err(|e| {
                tx.forget_deferred();
                let _ = tx.execute_batch("ROLLBACK");
                StoreError::from(e)
            }),
    };
    if let Err(e) = &committed {
        tracing::error!(error = %e, writes = ran.len(), "a group of writes did not commit");
        if e.is_busy() {
            stats.busy.inc_by(ran.len() as u64);
        }
    } else {
        stats.groups.inc();
        stats
            .writes
            .inc_by(ran.iter().filter(|(kept, _)| *kept).count() as u64);
    }
    for (_, deliver) in ran {
        deliver(committed.as_ref().map(|_| ()));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{mpsc::channel, Arc, Barrier};

    use super::*;

    fn writer(capacity: usize, max_wait: Duration) -> (tempfile::TempDir, Writer) {
        let dir = tempfile::TempDir::new().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("w.db")).unwrap();
        super::super::db::apply_pragmas(&conn).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
            .unwrap();
        (
            dir,
            Writer::with_limits(WriteConn::Sqlite(conn), None, capacity, max_wait).unwrap(),
        )
    }

    fn values(dir: &tempfile::TempDir) -> Vec<i64> {
        let conn = rusqlite::Connection::open(dir.path().join("w.db")).unwrap();
        let mut stmt = conn.prepare("SELECT v FROM t ORDER BY v").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn insert(v: i64) -> impl FnOnce(&Transaction<'_>) -> Result<i64, StoreError> {
        move |tx| {
            tx.exec("INSERT INTO t (v) VALUES (?1)", [v])?;
            Ok(v)
        }
    }

    /// Holds the writer until the returned sender is used (or dropped).
    fn stall(w: &Writer) -> std::sync::mpsc::Sender<()> {
        let (go, wait) = channel::<()>();
        let (started, running) = channel();
        w.submit(
            move |_| {
                started.send(()).unwrap();
                let _ = wait.recv();
                Ok(())
            },
            |_: Result<(), StoreError>| {},
        )
        .unwrap();
        running.recv().unwrap();
        go
    }

    #[test]
    fn queued_writes_commit_together_and_each_error_rolls_back_only_its_own() {
        let (dir, w) = writer(64, MAX_QUEUE_WAIT);
        let go = stall(&w);
        let (answers, got) = channel();
        for v in [1, 2, 2, 3] {
            let answers = answers.clone();
            // The second 2 breaks the UNIQUE rule inside the shared transaction.
            w.submit(insert(v), move |r| {
                answers.send(r.map_err(|e| e.to_string())).unwrap()
            })
            .unwrap();
        }
        let answers2 = answers.clone();
        w.submit(
            |tx| {
                tx.exec("INSERT INTO t (v) VALUES (10)", [])?;
                Err::<(), _>(StoreError::Conflict("changed my mind".into()))
            },
            move |r| {
                answers2
                    .send(r.map(|_| 0).map_err(|e| e.to_string()))
                    .unwrap()
            },
        )
        .unwrap();
        drop(answers);
        go.send(()).unwrap();
        let answers: Vec<_> = got.iter().collect();
        assert_eq!(answers.len(), 5);
        assert_eq!(answers[0], Ok(1));
        assert_eq!(answers[1], Ok(2));
        assert!(answers[2].as_ref().is_err_and(|e| e.contains("UNIQUE")));
        assert_eq!(answers[3], Ok(3));
        assert_eq!(answers[4], Err("changed my mind".into()));
        assert_eq!(values(&dir), [1, 2, 3]);
        // The stall and the five waiting writes: two groups, two fsyncs.
        assert_eq!(w.stats.groups.get(), 2);
        assert_eq!(w.stats.writes.get(), 4);
    }

    #[test]
    fn a_panicking_write_fails_alone_and_the_writer_goes_on() {
        // The panic hook may take seconds to print a backtrace (a cold debug
        // binary's symbols) while the writer waits: the writes behind the
        // panicking one must not be refused for having waited.
        let (dir, w) = writer(64, Duration::from_secs(120));
        let go = stall(&w);
        let (answers, got) = channel();
        let a = answers.clone();
        w.submit(insert(1), move |r| a.send(r.is_ok()).unwrap())
            .unwrap();
        let a = answers.clone();
        w.submit(
            |tx: &Transaction<'_>| -> Result<(), StoreError> {
                tx.exec("INSERT INTO t (v) VALUES (5)", [])?;
                panic!("a bug in a write")
            },
            move |r| a.send(r.is_ok()).unwrap(),
        )
        .unwrap();
        let a = answers.clone();
        w.submit(insert(2), move |r| a.send(r.is_ok()).unwrap())
            .unwrap();
        drop(answers);
        go.send(()).unwrap();
        // The panicking write's answer was dropped unsent: two answers.
        assert_eq!(got.iter().collect::<Vec<_>>(), [true, true]);
        assert_eq!(values(&dir), [1, 2]);
    }

    #[test]
    fn a_full_queue_and_a_long_wait_are_refused_as_busy_without_running() {
        let (dir, w) = writer(2, Duration::from_millis(50));
        let go = stall(&w);
        let (answers, got) = channel();
        for v in [1, 2] {
            let a = answers.clone();
            w.submit(insert(v), move |r| {
                a.send(r.map_err(|e| e.is_busy())).unwrap()
            })
            .unwrap();
        }
        let refused = w.submit(insert(3), |_| {}).unwrap_err();
        assert!(refused.is_busy(), "{refused}");
        std::thread::sleep(Duration::from_millis(100));
        drop(answers);
        go.send(()).unwrap();
        assert_eq!(got.iter().collect::<Vec<_>>(), [Err(true), Err(true)]);
        assert!(values(&dir).is_empty());
        assert_eq!(w.stats.busy.get(), 3);
    }

    #[test]
    fn a_write_from_inside_a_write_is_refused_not_deadlocked() {
        let (_dir, w) = writer(8, MAX_QUEUE_WAIT);
        let w = Arc::new(w);
        let inner = w.clone();
        let (answer, got) = channel();
        w.submit(
            move |_| {
                let nested = inner.submit(|_| Ok(()), |_: Result<(), StoreError>| {});
                Ok(nested.is_err())
            },
            move |r| answer.send(r.unwrap()).unwrap(),
        )
        .unwrap();
        assert!(got.recv().unwrap());
    }

    #[test]
    fn many_threads_writing_at_once_share_fsyncs() {
        let (dir, w) = writer(QUEUE_CAPACITY, MAX_QUEUE_WAIT);
        let w = Arc::new(w);
        let start = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|t| {
                let (w, start) = (w.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    for n in 0..25 {
                        let (tx, rx) = std::sync::mpsc::sync_channel(1);
                        w.submit(insert(t * 100 + n), move |r| tx.send(r).unwrap())
                            .unwrap();
                        rx.recv().unwrap().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(values(&dir).len(), 400);
        assert_eq!(w.stats.writes.get(), 400);
    }

    /// A writer with its checkpoint thread on a fresh database of one table,
    /// and the number of pages in the database file (not the WAL).
    fn checkpointed_writer() -> (tempfile::TempDir, Writer, impl Fn() -> u64) {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("c.db");
        let open = || {
            let conn = rusqlite::Connection::open(&path).unwrap();
            super::super::db::apply_pragmas(&conn).unwrap();
            conn
        };
        let conn = open();
        conn.execute_batch("CREATE TABLE b (v BLOB NOT NULL)")
            .unwrap();
        let w = Writer::start(conn, open()).unwrap();
        (dir, w, move || {
            std::fs::metadata(&path).unwrap().len() / 4096
        })
    }

    /// Writes `rows` rows of about a page each, and waits for the commit.
    fn write_pages(w: &Writer, rows: usize) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        w.submit(
            move |tx: &Transaction<'_>| {
                for _ in 0..rows {
                    tx.exec("INSERT INTO b (v) VALUES (zeroblob(4000))", [])?;
                }
                Ok(())
            },
            move |r| tx.send(r).unwrap(),
        )
        .unwrap();
        rx.recv().unwrap().unwrap();
    }

    fn wait_for(pages: impl Fn() -> u64, at_least: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(10);
        while pages() < at_least && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        pages()
    }

    #[test]
    fn the_checkpoint_thread_copies_the_wal_into_the_database_file() {
        let (_dir, w, pages) = checkpointed_writer();
        let before = pages();
        // About 400 pages of rows, far under the writer's own threshold:
        // only the checkpoint thread can move them into the database file.
        for _ in 0..8 {
            write_pages(&w, 50);
            std::thread::sleep(Duration::from_millis(40));
        }
        let now = wait_for(&pages, before + 300);
        assert!(
            now >= before + 300,
            "the database file has {now} pages ({before} before about 400 pages of writes)"
        );
    }

    #[test]
    fn the_last_writes_of_a_burst_are_checkpointed_too() {
        let (_dir, w, pages) = checkpointed_writer();
        std::thread::sleep(Duration::from_millis(150));
        // The first write nudges the checkpoint thread; the second comes
        // within the nudge interval and nudges nobody.
        write_pages(&w, 20);
        write_pages(&w, 300);
        let now = wait_for(&pages, 300);
        assert!(
            now >= 300,
            "the database file has {now} pages after about 320 pages of writes"
        );
    }
}
