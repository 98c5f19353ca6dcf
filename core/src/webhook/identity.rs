//! Which contact a customer is. WhatsApp writes one account's id in more than
//! one way (Brazil's ninth digit, Mexico's `521`, Argentina's `9`), a user may
//! write by BSUID or username only, and numbers and user ids change: the
//! contact is found through all of these, learns what a webhook reveals, and
//! keeps identifiers it outgrew as history in its attributes
//! (`previous_wa_ids`, `previous_e164s`, `previous_user_ids`).

use crate::ids::{Bsuid, ContactId, E164, WaId};
use crate::phone;
use crate::store::{Contact, ContactFilter, INVALID_ATTRIBUTE_PREFIX, PageRequest, Stores};

/// Attribute holding a username-only user's `@username`.
pub(super) const USERNAME: &str = "username";

/// What a webhook says about a customer.
#[derive(Clone, Copy, Default)]
pub(crate) struct Identity<'a> {
    /// wa_id, as written by the webhook.
    pub wa_id: Option<&'a str>,
    /// Business-scoped user id.
    pub bsuid: Option<&'a str>,
    /// Username.
    pub username: Option<&'a str>,
    /// Profile name.
    pub name: Option<&'a str>,
}

/// The E.164 a wa_id stands for, and every wa_id the same account may be
/// written as (the one seen first).
fn variants(wa_id: &str) -> (Option<E164>, Vec<String>) {
    let e164 = WaId::try_from(wa_id)
        .ok()
        .and_then(|w| phone::e164_from_wa_id(&w).ok());
    let mut all = vec![wa_id.to_string()];
    if let Some(e) = &e164 {
        for w in phone::wa_id_candidates(e) {
            if !all.iter().any(|a| a == w.as_str()) {
                all.push(w.into());
            }
        }
    }
    (e164, all)
}

/// `value` as a validated identifier. One that fails validation is kept in
/// the contact's `invalid_<field>` attribute (so nothing a webhook said is
/// lost) and the field is left alone.
pub(crate) fn checked<T: for<'a> TryFrom<&'a str>>(
    c: &mut Contact,
    field: &str,
    value: &str,
) -> Option<T> {
    match T::try_from(value) {
        Ok(v) => Some(v),
        Err(_) => {
            tracing::warn!(contact = %c.id, field, "webhook identifier fails validation; kept as an attribute");
            remember(c, &format!("{INVALID_ATTRIBUTE_PREFIX}{field}"), value);
            None
        }
    }
}

/// A contact known under another BSUID is another person (numbers are
/// recycled): never matched by phone.
fn same_person(c: &Contact, bsuid: Option<&str>) -> bool {
    match (c.bsuid.as_deref(), bsuid) {
        (Some(known), Some(seen)) => known == seen,
        _ => true,
    }
}

/// The stored contact `id` names: by BSUID, then by any written form of the
/// wa_id or of its E.164, then by username.
pub(crate) async fn find(stores: &Stores, id: &Identity<'_>) -> crate::Result<Option<Contact>> {
    let s = &stores.contacts;
    if let Some(u) = id.bsuid
        && let Some(c) = s.find_by_bsuid(u).await?
    {
        return Ok(Some(c));
    }
    if let Some(w) = id.wa_id {
        let (e164, all) = variants(w);
        for v in &all {
            if let Some(c) = s.find_by_wa_id(v).await?
                && same_person(&c, id.bsuid)
            {
                return Ok(Some(c));
            }
        }
        // Contacts imported by phone, canonical or as typed.
        let typed = all.iter().map(|v| format!("+{v}"));
        for e in e164.map(String::from).into_iter().chain(typed) {
            if let Some(c) = s.find_by_e164(&e).await?
                && same_person(&c, id.bsuid)
            {
                return Ok(Some(c));
            }
        }
    }
    if let Some(name) = id.username {
        let filter = ContactFilter {
            attributes: [(USERNAME.to_string(), serde_json::json!(name))].into(),
            ..Default::default()
        };
        let page = s
            .list(
                &filter,
                &PageRequest {
                    limit: 2,
                    after: None,
                },
            )
            .await?;
        if let Some(c) = page.items.into_iter().find(|c| same_person(c, id.bsuid)) {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// Add `value` to the history list `key` of `c` (once).
pub(crate) fn remember(c: &mut Contact, key: &str, value: &str) {
    let list = c
        .attributes
        .entry(key.to_string())
        .or_insert_with(|| serde_json::json!([]));
    if !list.is_array() {
        *list = serde_json::json!([list.clone()]);
    }
    if let Some(items) = list.as_array_mut()
        && !items.iter().any(|x| x == value)
    {
        items.push(serde_json::json!(value));
    }
}

/// Learn what `id` reveals about `c`; whether anything changed.
pub(super) fn learn(c: &mut Contact, id: &Identity<'_>) -> bool {
    let before = c.clone();
    if let Some(w) = id.wa_id
        && let Some(w) = checked::<WaId>(c, "wa_id", w)
    {
        // The form WhatsApp writes now is the account's wa_id; a form seen
        // before (or guessed from the phone) is kept as history.
        if let Some(old) = c.wa_id.replace(w.clone())
            && old != w
        {
            remember(c, "previous_wa_ids", &old);
        }
        if c.e164.is_none() {
            c.e164 = variants(&w).0;
        }
    }
    if c.bsuid.is_none()
        && let Some(u) = id.bsuid
    {
        c.bsuid = checked::<Bsuid>(c, "bsuid", u);
    }
    if let Some(u) = id.username
        && c.attributes.get(USERNAME).and_then(|v| v.as_str()) != Some(u)
    {
        c.attributes
            .insert(USERNAME.to_string(), serde_json::json!(u));
    }
    if c.name.is_none() {
        c.name = id.name.map(str::to_string);
    }
    *c != before
}

/// A new contact for `id`; `fallback` keys it when the webhook names no one.
pub(super) fn new_contact(id: &Identity<'_>, fallback: &str) -> Contact {
    let key = id.wa_id.or(id.bsuid).or(id.username).unwrap_or(fallback);
    let mut c = Contact {
        id: ContactId::new(format!("wa:{key}")),
        ..Default::default()
    };
    learn(&mut c, id);
    c
}

/// `user_changed_number`: `c` now writes as `new_wa_id`. A contact already
/// made for the new number (its messages arrived first) is merged in, so one
/// person keeps one contact and every conversation.
pub(super) async fn changed_number(
    stores: &Stores,
    c: Contact,
    new_wa_id: &str,
) -> crate::Result<Contact> {
    let s = &stores.contacts;
    let mut c = c;
    let other = find(
        stores,
        &Identity {
            wa_id: Some(new_wa_id),
            ..Default::default()
        },
    )
    .await?;
    if let Some(other) = other.filter(|o| o.id != c.id) {
        c = s.merge(&c.id, &other.id).await?;
    }
    let (e164, _) = variants(new_wa_id);
    if let Some(new) = checked::<WaId>(&mut c, "wa_id", new_wa_id)
        && let Some(old) = c.wa_id.replace(new)
        && old != new_wa_id
    {
        remember(&mut c, "previous_wa_ids", &old);
    }
    if let Some(new) = e164
        && let Some(old) = c.e164.replace(new.clone())
        && old != new
    {
        remember(&mut c, "previous_e164s", &old);
    }
    Ok(s.upsert(&c, Some(c.version)).await?)
}

/// `user_changed_user_id`: `c` now has BSUID `new_user_id`.
pub(super) async fn changed_user_id(
    stores: &Stores,
    c: Contact,
    new_user_id: &str,
) -> crate::Result<Contact> {
    let s = &stores.contacts;
    let mut c = c;
    if let Some(other) = s.find_by_bsuid(new_user_id).await?
        && other.id != c.id
    {
        c = s.merge(&c.id, &other.id).await?;
    }
    if let Some(new) = checked::<Bsuid>(&mut c, "bsuid", new_user_id)
        && let Some(old) = c.bsuid.replace(new)
        && old != new_user_id
    {
        remember(&mut c, "previous_user_ids", &old);
    }
    Ok(s.upsert(&c, Some(c.version)).await?)
}
