//! "The agent answered" kept on the conversation, so it survives a restart:
//! `first_response_at` (set once) and `last_human_reply_at` (automation pauses
//! after it). The scheduler calls [`record_human_reply`] when a message written
//! by a person is accepted; [`super::AssignmentService::mark_responded`] does
//! the same for replies sent elsewhere.

use crate::ids::ConversationId;
use crate::store::{Conversation, Stores};
use crate::time::Millis;

/// Record a human reply on conversation `id` at `now`; `false` when it does not exist.
pub async fn record_human_reply(
    stores: &Stores,
    id: &ConversationId,
    now: Millis,
) -> crate::Result<bool> {
    let Some(mut c) = stores.conversations.get(id).await? else {
        return Ok(false);
    };
    c.first_response_at.get_or_insert(now);
    c.last_human_reply_at = Some(c.last_human_reply_at.map_or(now, |t| t.max(now)));
    c.last_outbound_at = Some(c.last_outbound_at.map_or(now, |t| t.max(now)));
    stores.conversations.update(&c).await?;
    Ok(true)
}

/// Whether a person answered since the conversation's current assignment
/// (the SLA clock of that assignment stopped).
pub fn answered_since_assignment(c: &Conversation) -> bool {
    let since = c.assigned_at.unwrap_or(c.opened_at);
    c.last_human_reply_at.is_some_and(|t| t >= since)
        || c.first_response_at.is_some_and(|t| t >= since)
}
