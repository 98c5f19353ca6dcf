//! The policies against the shared history: the decision and the record of
//! the send are one atomic step in the store, so workers sharing the outbox
//! (and a restarted worker) see every send the others admitted.

use parking_lot::Mutex;

use super::policy::{Decision, PolicyEngine, SendContext};
use crate::store::PolicyHistoryStore;
use crate::time::Millis;

/// Decide about outbox item `item_id` at `now` against the history in
/// `store`; on [`Decision::Send`] the send is recorded there at once (a
/// reservation: call [`PolicyHistoryStore::forget_send`] if it then does not
/// go out). Deciding the same item again replaces its own record, so a retry
/// does not count against itself.
pub async fn admit(
    engine: &PolicyEngine,
    store: &dyn PolicyHistoryStore,
    c: &SendContext,
    item_id: &str,
    now: Millis,
) -> crate::Result<Decision> {
    let out = Mutex::new(Decision::Send);
    let entry = engine.entry(c, item_id, now);
    let since = now - engine.history_window();
    store
        .admit_send(&entry, since, &|history| {
            let d = engine.decide_with(c, history, now);
            let send = d == Decision::Send;
            *out.lock() = d;
            send
        })
        .await?;
    Ok(out.into_inner())
}

/// Drop the history record of an item that was admitted but did not go out
/// (deferred by a limit, held, refused by the API): it must not count against
/// the recipient's caps. Sends whose outcome is unknown keep their record.
pub(super) async fn unreserve(
    stores: &crate::store::Stores,
    item: &crate::store::OutboxItem,
) -> crate::Result<()> {
    stores.policy.forget_send(&item.recipient, &item.id).await?;
    Ok(())
}
