//! Who an outbox item goes to, and what its send response teaches about them.
//! The recipient is resolved to a contact once, through every form a person's
//! identifiers take (E.164 as typed or canonical, wa_id quirks, BSUID); the
//! answer's `wa_id` and `user_id` are then stored on that contact by its id,
//! never by comparing phone strings again.

use crate::client::SentContact;
use crate::ids::{Bsuid, ContactId, WaId};
use crate::store::{Contact, Stores};
use crate::webhook::identity::{self, Identity};

/// The contact `recipient` (E.164, wa_id or BSUID, as the item names it) is.
pub(super) async fn recipient_contact(
    stores: &Stores,
    recipient: &str,
) -> crate::Result<Option<Contact>> {
    let contacts = &stores.contacts;
    // The common case first: the item names the contact's stored key exactly.
    if let Some(c) = contacts.find_by_e164(recipient).await? {
        return Ok(Some(c));
    }
    let digits: String = recipient.chars().filter(char::is_ascii_digit).collect();
    let phone_like = !digits.is_empty()
        && recipient
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '+' | ' ' | '-' | '(' | ')' | '.'));
    let id = if phone_like {
        Identity {
            wa_id: Some(&digits),
            ..Default::default()
        }
    } else {
        Identity {
            bsuid: Some(recipient),
            ..Default::default()
        }
    };
    identity::find(stores, &id).await
}

/// Store what the API answered about the recipient on contact `id`: the
/// canonical `wa_id` (the one it had moves to `previous_wa_ids`) and the
/// BSUID (`user_id`) when the contact has none yet (a different one means the
/// number changed hands and is left to the webhook's identity rules).
pub(super) async fn learn_from_send(
    stores: &Stores,
    id: &ContactId,
    answered: &SentContact,
) -> crate::Result<()> {
    if answered.wa_id.is_none() && answered.user_id.is_none() {
        return Ok(());
    }
    let Some(mut c) = stores.contacts.get(id).await? else {
        return Ok(());
    };
    let before = c.clone();
    if let Some(wa) = &answered.wa_id
        && let Some(wa) = identity::checked::<WaId>(&mut c, "wa_id", wa)
        && let Some(old) = c.wa_id.replace(wa.clone())
        && old != wa
    {
        identity::remember(&mut c, "previous_wa_ids", &old);
    }
    if c.bsuid.is_none()
        && let Some(u) = &answered.user_id
    {
        c.bsuid = identity::checked::<Bsuid>(&mut c, "bsuid", u);
    }
    if c != before {
        let v = c.version;
        // A concurrent edit wins; the answer is learned again on the next send.
        let _ = stores.contacts.upsert(&c, Some(v)).await;
    }
    Ok(())
}
