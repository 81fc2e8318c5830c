//! Keeps the customer search index in few segments. FTS5 writes a segment
//! per committed write (with group commit, per request) and merges them level
//! by level, so any run of writes leaves a dozen or two, and a search seeks
//! each trigram in every one of them. Measured at 100,000 customers: 19
//! segments after 3,000 single creates, or 12 after ~85,000 creates in group
//! commits, made a search's queries about twice as costly as one segment.
//!
//! Every few seconds this worker reads the index's shape and merges it back
//! into one segment in short steps, each its own write, so an API write
//! queues behind at most one step. A merge rewrites the whole index (about
//! 8,300 leaf pages, 34 MB, at 100,000 customers; ~0.5 s of writes), so it is
//! paid for by the writes that fragmented the index: it waits until FTS5's
//! write counter (about one per indexed insert or edit) has moved by the
//! index's pages / [`PAGES_PER_WRITE`] (about 520 creates or edits at 100,000
//! customers, 25 at 5,000). And it waits for the writes to calm down
//! (at most [`QUIET_WRITES`] in the last interval): merging during a burst
//! would make the burst's writes wait behind its steps, and redo the merge
//! the burst keeps undoing.

use std::time::Duration;

use super::{stopped, StopSignal};
use crate::store::{
    customers::{self, SearchIndexShape},
    Db, StoreError,
};

/// How often the index's shape is read.
const CHECK_EVERY: Duration = Duration::from_secs(10);

/// Segments tolerated whatever the writes.
const FEW_SEGMENTS: i64 = 4;

/// Pages of merge each write may cost, amortised.
const PAGES_PER_WRITE: u64 = 16;

/// Writes to the index in the last interval below which it counts as quiet.
const QUIET_WRITES: u64 = 20;

/// Segments that start a merge when the write counter cannot be read.
const MANY_SEGMENTS: i64 = 16;

/// Pages of merge work per write: ~5-10 ms on this machine.
const STEP_PAGES: i64 = 100;

/// An upper bound on the steps of one check's merge (500,000 pages, far
/// beyond any ISP's index): a merge cut short goes on at the next check.
const MAX_STEPS: usize = 5_000;

/// Whether an index of this shape is worth merging into one segment now,
/// given the write counter at the last merge (`None`: none since start) and
/// at the last check (`None`: this is the first).
pub fn worth_merging(
    shape: SearchIndexShape,
    merged_at: Option<u64>,
    checked_at: Option<u64>,
) -> bool {
    if shape.segments <= FEW_SEGMENTS {
        return false;
    }
    let Some(writes) = shape.writes else {
        return shape.segments > MANY_SEGMENTS;
    };
    let quiet = checked_at.is_some_and(|c| writes.saturating_sub(c) <= QUIET_WRITES);
    if !quiet {
        return false;
    }
    // A counter below the last merge's was reset (the index rebuilt).
    let since = match merged_at {
        Some(at) if at <= writes => writes - at,
        _ => writes,
    };
    let pages = u64::try_from(shape.pages).unwrap_or(0);
    since.saturating_mul(PAGES_PER_WRITE) >= pages
}

/// The merger's memory: the write counter at its last merge and check.
#[derive(Debug, Default)]
pub struct Upkeep {
    merged_at: Option<u64>,
    checked_at: Option<u64>,
}

impl Upkeep {
    /// Reads the index's shape and merges it into one segment when that is
    /// worth it ([`worth_merging`]), stopping early when `stop` says so
    /// (FTS5 keeps a merge cut short and the next one goes on from it).
    /// Returns the steps taken (0: nothing).
    pub fn run_once(&mut self, db: &Db, stop: &dyn Fn() -> bool) -> Result<usize, StoreError> {
        let shape = db.read(customers::search_index_shape)?;
        let checked_at = std::mem::replace(&mut self.checked_at, shape.writes);
        if !worth_merging(shape, self.merged_at, checked_at) {
            return Ok(0);
        }
        let mut steps = 0;
        while steps < MAX_STEPS && !stop() {
            let start = steps == 0;
            steps += 1;
            if !db.write(move |tx| customers::merge_search_index(tx, STEP_PAGES, start))? {
                // One segment: paid for until the counter moves on.
                self.merged_at = shape.writes;
                break;
            }
        }
        Ok(steps)
    }
}

pub async fn worker(db: Db, mut stop: StopSignal) {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    // After a long merge, the next check comes a full interval later (not
    // at once, which would see "quiet" between two reads milliseconds apart).
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut upkeep = Some(Upkeep::default());
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let (db, halt) = (db.clone(), stop.clone());
                let Some(mut held) = upkeep.take() else { break };
                let done = tokio::task::spawn_blocking(move || {
                    let steps = held.run_once(&db, &|| *halt.borrow());
                    (held, steps)
                });
                match done.await {
                    Ok((held, steps)) => {
                        upkeep = Some(held);
                        match steps {
                            Ok(0) => {}
                            Ok(steps) => tracing::info!(steps, "search index merged"),
                            Err(e) => tracing::warn!(error = %e, "search index merge failed"),
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "search index merge task failed");
                        upkeep = Some(Upkeep::default());
                    }
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::{worth_merging, Upkeep, FEW_SEGMENTS};
    use crate::{
        domain::visibility::Visibility,
        store::{
            customers::{self, CustomerFilter, NewCustomer},
            Db,
        },
    };

    fn search(db: &Db, term: &str) -> Vec<i64> {
        let filter = CustomerFilter {
            search: Some(term.into()),
            ..CustomerFilter::default()
        };
        db.read(|c| customers::list(c, &filter, Visibility::ALL, 1000, 0))
            .unwrap()
            .0
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    #[test]
    fn a_burst_of_single_creates_is_merged_back_into_one_segment() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(dir.path(), 2).unwrap();
        // One write, but each create in its own savepoint, as group commit
        // runs a burst of requests: FTS5 flushes a segment at each.
        db.write(|tx| {
            for i in 0..120 {
                tx.execute_batch("SAVEPOINT one")?;
                let new = NewCustomer {
                    name: if i % 3 == 0 {
                        format!("Rafiq Ahmed {i}")
                    } else {
                        format!("Karim Islam {i}")
                    },
                    phone: format!("0171{i:07}"),
                    connection_type: "pppoe".into(),
                    ..NewCustomer::default()
                };
                customers::create(tx, &new, time::OffsetDateTime::UNIX_EPOCH)?;
                tx.execute_batch("RELEASE one")?;
            }
            Ok(())
        })
        .unwrap();
        let shape = db.read(customers::search_index_shape).unwrap();
        assert!(shape.segments > FEW_SEGMENTS, "{shape:?}");
        assert!(worth_merging(shape, None, shape.writes), "{shape:?}");
        let (rafiq, phone) = (search(&db, "afiq"), search(&db, "000011"));
        assert_eq!(rafiq.len(), 40);
        assert!(!phone.is_empty() && phone.len() < 120);

        // The first check only notes the write counter: it cannot tell
        // whether the writes have calmed down.
        let mut upkeep = Upkeep::default();
        let go_on = || false;
        assert_eq!(upkeep.run_once(&db, &go_on).unwrap(), 0);
        // Told to stop: no step.
        assert_eq!(upkeep.run_once(&db, &|| true).unwrap(), 0);
        let steps = upkeep.run_once(&db, &go_on).unwrap();
        assert!(steps >= 1);
        let merged = db.read(customers::search_index_shape).unwrap();
        assert_eq!(merged.segments, 1);
        // A merge writes no segment of its own.
        assert_eq!(merged.writes, shape.writes);
        // The same answers from the merged index.
        assert_eq!(search(&db, "afiq"), rafiq);
        assert_eq!(search(&db, "000011"), phone);
        // Nothing more to do until the next burst.
        assert_eq!(upkeep.run_once(&db, &go_on).unwrap(), 0);
    }
}

#[cfg(test)]
mod shape_tests {
    use super::worth_merging;
    use crate::store::customers::SearchIndexShape;

    fn shape(segments: i64, writes: Option<u64>, pages: i64) -> SearchIndexShape {
        SearchIndexShape {
            segments,
            writes,
            pages,
        }
    }

    #[test]
    fn a_merge_waits_for_enough_writes_to_pay_for_it_and_for_quiet() {
        // An index of 16,835 pages, merged last at 100,000 writes; the last
        // check 10 writes ago.
        let at = Some(100_000);
        let quiet = |w: u64| Some(w - 10);
        assert!(!worth_merging(
            shape(19, Some(101_000), 16_835),
            at,
            quiet(101_000)
        ));
        assert!(worth_merging(
            shape(19, Some(101_053), 16_835),
            at,
            quiet(101_053)
        ));
        // A burst of creates: not while it goes on, once it has calmed down.
        let burst = shape(12, Some(185_939), 19_457);
        assert!(!worth_merging(burst, at, Some(185_939 - 21)));
        assert!(!worth_merging(burst, at, Some(120_000)));
        assert!(worth_merging(burst, at, Some(185_939 - 20)));
        assert!(worth_merging(burst, at, Some(185_939)));
        // The first check after start cannot tell.
        assert!(!worth_merging(burst, at, None));
        // Few segments are left alone whatever the writes.
        assert!(!worth_merging(
            shape(4, Some(185_939), 19_457),
            at,
            Some(185_939)
        ));
        // No merge since start: the writes count from zero.
        assert!(worth_merging(
            shape(5, Some(2_000), 16_835),
            None,
            Some(2_000)
        ));
        // The counter unreadable: only many segments.
        assert!(!worth_merging(shape(16, None, 100), at, None));
        assert!(worth_merging(shape(17, None, 100), at, None));
        // A counter below the last merge's (the index rebuilt) counts anew.
        assert!(worth_merging(
            shape(5, Some(2_000), 16_835),
            at,
            Some(2_000)
        ));
        assert!(!worth_merging(
            shape(5, Some(1_000), 16_835),
            at,
            Some(1_000)
        ));
        // An empty index.
        assert!(!worth_merging(shape(0, Some(0), 0), None, Some(0)));
    }
}
