//! Watches the `auth_epoch` counter, which triggers move whenever a token's
//! standing may have changed (a client rotated, deleted or re-scoped, a token or
//! family revoked, a user disabled). Each move invalidates the token cache, so
//! changes made outside this process (the `ispbills client ...` commands) reach
//! running requests within a poll interval; changes made by this process
//! invalidate the cache themselves, at once.

use std::{sync::Arc, time::Duration};

use super::{stopped, StopSignal};
use crate::{
    auth::cache::AuthCache,
    store::{auth_tokens, Db},
};

pub const POLL_EVERY: Duration = Duration::from_millis(200);

pub async fn worker(db: Db, cache: Arc<AuthCache>, mut stop: StopSignal) {
    let read = |db: Db| async move {
        tokio::task::spawn_blocking(move || db.read(auth_tokens::auth_epoch))
            .await
            .ok()
            .and_then(Result::ok)
    };
    let mut last = read(db.clone()).await;
    let mut tick = tokio::time::interval(POLL_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = read(db.clone()).await;
                if now != last {
                    cache.invalidate();
                    last = now;
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}
