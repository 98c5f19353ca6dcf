//! The durable send loop: every message is an outbox item with an idempotency
//! key; a worker claims (leases) items, applies policies and limits, sends
//! through the client and completes, defers, retries or parks each one.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::limits::RateLimiter;
use super::policy::{Decision, PolicyEngine, SendContext};
use super::reconcile::{self, ReconcileConfig, Verdict};
use super::template_holds::{TEMPLATE_HOLD_RECHECK, TemplateHolds};
use super::tier::TierGate;
use crate::client::{CloudApiClient, OutboundMessage, SendOptions};
use crate::error::ErrorKind;
use crate::ids::{IdempotencyKey, MessageId, PhoneNumberId, Recipient};
use crate::store::{
    Category, Direction, Enqueued, Lane, LeasedItem, MessageRecord, MessageStatus, OutboxItem,
    OutboxState, Stores,
};
use crate::time::{Millis, SharedClock};

/// How many items ahead of its turn a claimed item's limiter entries are
/// asked for (see `run_once`); the scheduler bench decides the same way.
const HINT_AHEAD: usize = 16;

/// A message to schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// Unique per logical message (e.g. `campaign-7:+8190...`): enqueuing twice never sends twice.
    pub idempotency_key: IdempotencyKey,
    /// Sender.
    pub phone_number_id: PhoneNumberId,
    /// Recipient (E.164 / wa_id / BSUID), serialized as the plain string.
    pub recipient: Recipient,
    /// The message.
    pub message: OutboundMessage,
    /// Category (pricing and policies).
    pub category: Category,
    /// Priority lane.
    pub lane: Lane,
    /// Campaign.
    pub campaign_id: Option<String>,
    /// Not before (epoch ms; 0 = now).
    pub not_before: Millis,
    /// Event a notification is about.
    pub event_key: Option<String>,
    /// A promotion.
    pub promotion: bool,
    /// Sent by automation.
    pub automated: bool,
}

impl OutgoingMessage {
    /// A message with defaults: utility lane notification, no campaign.
    pub fn new(
        key: impl Into<String>,
        from: &PhoneNumberId,
        to: impl Into<Recipient>,
        message: OutboundMessage,
        category: Category,
    ) -> Self {
        let lane = match category {
            Category::Marketing => Lane::Marketing,
            Category::Service => Lane::Reply,
            _ => Lane::Notification,
        };
        OutgoingMessage {
            idempotency_key: IdempotencyKey::new(key),
            phone_number_id: from.clone(),
            recipient: to.into(),
            message,
            category,
            lane,
            campaign_id: None,
            not_before: 0,
            event_key: None,
            promotion: false,
            automated: true,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    message: OutboundMessage,
    event_key: Option<String>,
    promotion: bool,
    automated: bool,
}

/// Scheduler settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SchedulerConfig {
    /// Worker name (lease owner).
    pub worker_id: String,
    /// Lease length.
    pub lease: Duration,
    /// Items claimed per round.
    pub batch: usize,
    /// Retries of transient failures before parking (Meta's guidance: a couple).
    pub transient_retries: u32,
    /// Retries of throttling answers (130429 / 131056) before parking.
    pub throttle_retries: u32,
    /// Longest a worker waits in place for a number's token before deferring.
    pub max_inline_wait: Duration,
    /// How sends with an unknown outcome are proved before any resend.
    pub reconcile: ReconcileConfig,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            worker_id: format!("worker-{}", std::process::id()),
            lease: Duration::from_secs(60),
            batch: 64,
            transient_retries: 2,
            throttle_retries: 20,
            max_inline_wait: Duration::from_secs(2),
            reconcile: ReconcileConfig::default(),
        }
    }
}

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoundReport {
    /// Items claimed.
    pub claimed: usize,
    /// Sent.
    pub sent: usize,
    /// Deferred by a policy or limit.
    pub deferred: usize,
    /// Retried later after an error.
    pub retried: usize,
    /// Parked.
    pub parked: usize,
    /// Sends with an unknown outcome proved accepted by a status webhook
    /// (completed as sent, not sent again).
    pub reconciled: usize,
    /// Sends with an unknown outcome sent again after the wait found no evidence.
    pub resent: usize,
    /// Answers lost (dropped, timed out, 5xx): the item waits for evidence.
    pub unknown_outcomes: usize,
}

impl RoundReport {
    fn add(&mut self, r: &RoundReport) {
        self.claimed += r.claimed;
        self.sent += r.sent;
        self.deferred += r.deferred;
        self.retried += r.retried;
        self.parked += r.parked;
        self.reconciled += r.reconciled;
        self.resent += r.resent;
        self.unknown_outcomes += r.unknown_outcomes;
    }
}

/// The callback data of an item's send: its campaign plus its reconciliation token.
fn reconcile_callback(item: &OutboxItem) -> String {
    let campaign = item.campaign_id.as_deref().filter(|c| !c.is_empty());
    crate::client::callback::encode(campaign, &item.id)
}

/// A claimed item that passed the policies and the tier.
struct Ready {
    item: OutboxItem,
    lease: crate::store::LeaseToken,
    payload: Payload,
    ctx: SendContext,
    conv: Option<crate::store::Conversation>,
    /// The recipient's contact, so the stored message joins its thread even
    /// without an open conversation (campaigns).
    contact_id: Option<crate::ids::ContactId>,
}

/// A send the API accepted, waiting for its run's completion.
struct Accepted {
    ready: Ready,
    id: MessageId,
    answered: Option<crate::client::SentContact>,
}

/// The send scheduler.
pub struct Scheduler {
    stores: Stores,
    client: CloudApiClient,
    limiter: Arc<dyn RateLimiter>,
    tier: Arc<dyn TierGate>,
    policies: Arc<PolicyEngine>,
    clock: SharedClock,
    cfg: SchedulerConfig,
    holds: Arc<TemplateHolds>,
    content: Vec<Arc<dyn super::content::ContentPolicy>>,
}

fn content_hash(m: &OutboundMessage) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(m).unwrap_or_default().hash(&mut h);
    h.finish()
}

impl Scheduler {
    /// Build a scheduler.
    pub fn new(
        stores: Stores,
        client: CloudApiClient,
        limiter: Arc<dyn RateLimiter>,
        tier: Arc<dyn TierGate>,
        policies: Arc<PolicyEngine>,
        clock: SharedClock,
        cfg: SchedulerConfig,
    ) -> Self {
        // Every outbox transition the scheduler makes is counted (see `metrics`).
        let mut stores = stores;
        stores.outbox = Arc::new(crate::metrics::MeteredOutbox::new(stores.outbox));
        Scheduler {
            stores,
            client,
            limiter,
            tier,
            policies,
            clock,
            cfg,
            holds: Arc::new(TemplateHolds::new()),
            content: Vec::new(),
        }
    }

    /// Share `holds` (give the same to `WebhookProcessor::with_template_holds`
    /// so template status webhooks hold and release items).
    pub fn with_template_holds(mut self, holds: Arc<TemplateHolds>) -> Self {
        self.holds = holds;
        self
    }

    /// Check every outgoing message's text with `policy` (for instance the
    /// automation `SensitiveFilter`): an item it objects to is parked with
    /// its reason instead of being sent.
    pub fn with_content_policy(mut self, policy: Arc<dyn super::content::ContentPolicy>) -> Self {
        self.content.push(policy);
        self
    }

    /// The templates this scheduler holds items of.
    pub fn template_holds(&self) -> Arc<TemplateHolds> {
        self.holds.clone()
    }

    /// Put a message in the outbox (validated first). A repeated key is a duplicate, never a second send.
    pub async fn enqueue(&self, m: &OutgoingMessage) -> crate::Result<Enqueued> {
        let item = self.item_of(m, self.clock.now_millis())?;
        let span = tracing::info_span!("outbox.enqueue", item_id = %item.id);
        Ok(tracing::Instrument::instrument(self.stores.outbox.enqueue(&item), span).await?)
    }

    /// Queue a campaign as its plan says: every message validated first (all
    /// or nothing), then laid out by the plan — daily batches when it passes
    /// the tier, pair pacing past the pair burst — and queued in a few
    /// multi-row writes. Returns the plan and one answer per message.
    pub async fn enqueue_campaign(
        &self,
        campaign_id: &str,
        messages: &[OutgoingMessage],
    ) -> crate::Result<(super::CampaignPlan, Vec<Enqueued>)> {
        for m in messages {
            m.message.validate()?;
        }
        let now = self.clock.now_millis();
        let limits = self.limiter.config().cloned().unwrap_or_default();
        let (plan, laid_out) = super::campaign_spread::plan_and_spread(
            messages,
            now,
            &limits,
            self.tier.cap(),
            self.tier.used(now).await,
        );
        let items = laid_out
            .into_iter()
            .map(|mut m| {
                m.campaign_id = Some(campaign_id.to_string());
                self.item_of(&m, now)
            })
            .collect::<crate::Result<Vec<_>>>()?;
        let span = tracing::info_span!(
            "outbox.enqueue_campaign",
            campaign_id,
            items = items.len(),
            days = plan.days
        );
        let queued =
            tracing::Instrument::instrument(self.stores.outbox.enqueue_many(&items), span).await?;
        Ok((plan, queued))
    }

    /// The outbox item of a message (validated).
    fn item_of(&self, m: &OutgoingMessage, now: Millis) -> crate::Result<OutboxItem> {
        m.message.validate()?;
        let payload = serde_json::to_value(Payload {
            message: m.message.clone(),
            event_key: m.event_key.clone(),
            promotion: m.promotion,
            automated: m.automated,
        })?;
        Ok(OutboxItem {
            id: format!("ob:{}", m.idempotency_key),
            idempotency_key: m.idempotency_key.clone(),
            phone_number_id: m.phone_number_id.clone(),
            recipient: m.recipient.clone(),
            payload,
            category: m.category,
            lane: m.lane,
            campaign_id: m.campaign_id.clone(),
            not_before: m.not_before.max(0),
            attempts: 0,
            state: OutboxState::Queued,
            last_error: None,
            history: Vec::new(),
            created_at: now,
            updated_at: now,
        })
    }

    /// Return leases of a crashed worker to the queue; call on start.
    pub async fn recover(&self) -> crate::Result<u64> {
        Ok(self
            .stores
            .outbox
            .release_expired(self.clock.now_millis())
            .await?)
    }

    /// Claim one batch and process it. The rate limiter decides a run of
    /// sends in one call (one Redis round trip for the Redis limiter); a run
    /// ends before a recipient repeats, so the policies still see each earlier
    /// send to that recipient.
    pub async fn run_once(&self) -> crate::Result<RoundReport> {
        let now = self.clock.now_millis();
        let items = self
            .stores
            .outbox
            .claim(
                &self.cfg.worker_id,
                now,
                self.cfg.lease.as_millis() as i64,
                self.cfg.batch,
            )
            .await?;
        let mut r = RoundReport {
            claimed: items.len(),
            ..Default::default()
        };
        // Each item's tier and pair entries start loading `HINT_AHEAD` items
        // before its turn, while the ones before it are decoded and decided
        // (hints only). Spread out rather than all at once: a burst of a
        // batch's hints can outrun what the CPU keeps in flight.
        let hint = |leased: &LeasedItem| {
            let item = &leased.item;
            self.tier.prefetch(&item.recipient);
            self.limiter
                .prefetch(item.phone_number_id.as_str(), &item.recipient);
        };
        let mut items = std::collections::VecDeque::from(items);
        items.iter().take(HINT_AHEAD).for_each(hint);
        let mut run: Vec<Ready> = Vec::new();
        while let Some(leased) = items.pop_front() {
            if let Some(next) = items.get(HINT_AHEAD - 1) {
                hint(next);
            }
            if run
                .iter()
                .any(|x| x.item.recipient == leased.item.recipient)
            {
                self.deliver_run(std::mem::take(&mut run), &mut r).await?;
            }
            if let Some(ready) = self.prepare(leased, &mut r).await? {
                run.push(ready);
            }
        }
        self.deliver_run(run, &mut r).await?;
        Ok(r)
    }

    /// Run rounds until nothing is due before `horizon` (epoch ms) or `deadline` passes.
    pub async fn run_until_idle(
        &self,
        horizon: Millis,
        deadline: std::time::Instant,
    ) -> crate::Result<RoundReport> {
        let mut total = RoundReport::default();
        loop {
            let r = self.run_once().await?;
            total.add(&r);
            if r.claimed == 0 {
                let stats = self.stores.outbox.stats().await?;
                let waiting = stats.queued + stats.retry_later + stats.leased;
                let soon = self.next_due().await?.is_some_and(|t| t <= horizon);
                if (waiting == 0 && !soon) || std::time::Instant::now() > deadline {
                    return Ok(total);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    async fn next_due(&self) -> crate::Result<Option<Millis>> {
        let mut best: Option<Millis> = None;
        for state in crate::store::OutboxStateKind::WAITING {
            for i in self.stores.outbox.list_by_state(state, 10_000).await? {
                best = Some(best.map_or(i.not_before, |b: Millis| b.min(i.not_before)));
            }
        }
        Ok(best)
    }

    async fn context(
        &self,
        item: &OutboxItem,
        payload: &Payload,
    ) -> crate::Result<(
        SendContext,
        Option<crate::store::Conversation>,
        Option<crate::ids::ContactId>,
    )> {
        let contact = super::learn::recipient_contact(&self.stores, &item.recipient).await?;
        let conv = match &contact {
            Some(c) => {
                self.stores
                    .conversations
                    .open_for_contact(&c.id, &item.phone_number_id)
                    .await?
            }
            None => None,
        };
        Ok((
            SendContext {
                recipient: item.recipient.to_string(),
                time_zone: contact.as_ref().and_then(|c| c.time_zone.clone()),
                category: Some(item.category),
                is_template: payload.message.is_template(),
                is_promotion: payload.promotion,
                event_key: payload.event_key.clone(),
                content_hash: content_hash(&payload.message),
                automated: payload.automated,
                is_reply: item.lane == Lane::Reply,
                opted_in: contact.as_ref().is_some_and(|c| c.opted_in),
                opted_out: contact.as_ref().and_then(|c| c.opted_out.clone()),
                last_inbound_at: conv.as_ref().and_then(|c| c.last_inbound_at),
                last_human_reply_at: conv.as_ref().and_then(|c| c.last_human_reply_at),
            },
            conv,
            contact.map(|c| c.id),
        ))
    }

    /// Decode, look up the context, apply the policies and the tier: the
    /// item comes back when only the rate limits stand between it and a send.
    async fn prepare(
        &self,
        leased: LeasedItem,
        r: &mut RoundReport,
    ) -> crate::Result<Option<Ready>> {
        let LeasedItem { item, lease } = leased;
        let outbox = &self.stores.outbox;
        let payload: Payload = match serde_json::from_value(item.payload.clone()) {
            Ok(p) => p,
            Err(e) => {
                outbox
                    .park(&lease, &format!("payload does not decode: {e}"), None)
                    .await?;
                r.parked += 1;
                return Ok(None);
            }
        };
        let now = self.clock.now_millis();
        // Claimed before without a deferral: an earlier attempt may have been
        // accepted with its answer lost. Prove it before anything else.
        if item.attempts > 1 && self.cfg.reconcile.enabled {
            match reconcile::check(&self.stores, &self.cfg.reconcile, &item, now).await? {
                Verdict::Fresh => {}
                Verdict::Accepted(wamid) => {
                    let outcome = format!("reconciled:{wamid}");
                    reconcile::record_outcome(&self.stores, &item, &outcome).await?;
                    let (ctx, conv, contact_id) = self.context(&item, &payload).await?;
                    let ready = Ready {
                        item,
                        lease,
                        payload,
                        ctx,
                        conv,
                        contact_id,
                    };
                    self.accepted(ready, MessageId::new(wamid.clone()), None)
                        .await?;
                    r.reconciled += 1;
                    return Ok(None);
                }
                Verdict::Wait(until) => {
                    outbox.defer(&lease, until, reconcile::AWAITING).await?;
                    r.deferred += 1;
                    return Ok(None);
                }
                Verdict::Resend(n) => {
                    let outcome = format!("resent:{n}");
                    reconcile::record_outcome(&self.stores, &item, &outcome).await?;
                    reconcile::close_attempt(&self.stores, &item).await?;
                    r.resent += 1;
                }
                Verdict::Park(reason) => {
                    reconcile::record_outcome(&self.stores, &item, "parked").await?;
                    outbox.park(&lease, &reason, None).await?;
                    r.parked += 1;
                    return Ok(None);
                }
            }
        }
        if let OutboundMessage::Template(t) = &payload.message
            && let Some(reason) = self.holds.held(&t.name, &t.language)
        {
            let until = now + TEMPLATE_HOLD_RECHECK.as_millis() as Millis;
            outbox.defer(&lease, until, &reason).await?;
            r.deferred += 1;
            return Ok(None);
        }
        if let Some(reason) = super::content::objection(&self.content, &payload.message) {
            outbox.park(&lease, &reason, None).await?;
            r.parked += 1;
            return Ok(None);
        }
        let (ctx, conv, contact_id) = self.context(&item, &payload).await?;
        match super::policy_store::admit(&self.policies, &*self.stores.policy, &ctx, &item.id, now)
            .await?
        {
            Decision::Send => {}
            Decision::Defer { until, reason } => {
                outbox.defer(&lease, until, &reason.to_string()).await?;
                r.deferred += 1;
                return Ok(None);
            }
            Decision::Drop { reason } => {
                outbox
                    .park(&lease, &format!("policy: {reason}"), None)
                    .await?;
                r.parked += 1;
                return Ok(None);
            }
            Decision::Refuse { refusal } => {
                outbox.park(&lease, &refusal.to_string(), None).await?;
                r.parked += 1;
                return Ok(None);
            }
        }
        let in_window = ctx.last_inbound_at.is_some_and(|t| t > now - 86_400_000);
        if !in_window && let Err(until) = self.tier.admit(&item.recipient, now).await {
            let reason = format!(
                "messaging-limit tier of {} unique recipients per 24 h reached",
                self.tier.cap().unwrap_or(0)
            );
            super::policy_store::unreserve(&self.stores, &item).await?;
            outbox.defer(&lease, until, &reason).await?;
            r.deferred += 1;
            return Ok(None);
        }
        Ok(Some(Ready {
            item,
            lease,
            payload,
            ctx,
            conv,
            contact_id,
        }))
    }

    async fn deliver_run(&self, run: Vec<Ready>, r: &mut RoundReport) -> crate::Result<()> {
        if run.is_empty() {
            return Ok(());
        }
        let sends: Vec<(&str, &str)> = run
            .iter()
            .map(|x| (x.item.phone_number_id.as_str(), x.item.recipient.as_str()))
            .collect();
        let decided_at = std::time::Instant::now();
        let mut answers = self.limiter.try_acquire_many(&sends).await.into_iter();
        let mut accepted = Vec::new();
        let mut failed = None;
        for ready in run {
            // A limiter that answered fewer sends than asked: ask again for the rest.
            let answer = answers.next().unwrap_or(Err(Duration::ZERO));
            let ready_at = answer.err().map(|wait| decided_at + wait);
            match self.deliver(ready, ready_at, r).await {
                Ok(Some(a)) => accepted.push(a),
                Ok(None) => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        // Sends already accepted are completed even when a later one failed.
        self.accepted_many(accepted, r).await?;
        failed.map_or(Ok(()), Err)
    }

    /// Complete a run's accepted sends in one store round trip, then record
    /// each. A crash before the completion leaves the items leased with
    /// their attempts open: the next claim proves them by their status
    /// webhooks (`reconcile`) instead of sending again.
    async fn accepted_many(&self, run: Vec<Accepted>, r: &mut RoundReport) -> crate::Result<()> {
        if run.is_empty() {
            return Ok(());
        }
        let now = self.clock.now_millis();
        let done: Vec<_> = run
            .iter()
            .map(|a| (a.ready.lease.clone(), a.id.clone()))
            .collect();
        let held = self.stores.outbox.complete_many(&done, now).await?;
        let mut lost = None;
        for (a, held) in run.into_iter().zip(held) {
            if !held {
                // Another worker holds the item now; it proves the send
                // from the attempt record and completes it there.
                lost.get_or_insert(a.ready.item.id.clone());
                continue;
            }
            self.record_accepted(a.ready, a.id, a.answered, now).await?;
            r.sent += 1;
        }
        match lost {
            Some(id) => Err(crate::store::StoreError::LeaseLost(format!(
                "item {id} changed while it was completed"
            ))
            .into()),
            None => Ok(()),
        }
    }

    /// Wait for the limiter in place when it admits soon (`ready_at`, `None` =
    /// admitted); longer waits (pair pacing) become deferrals. Then send.
    async fn deliver(
        &self,
        ready: Ready,
        mut ready_at: Option<std::time::Instant>,
        r: &mut RoundReport,
    ) -> crate::Result<Option<Accepted>> {
        let Ready {
            item,
            lease,
            payload,
            ctx,
            conv,
            contact_id,
        } = ready;
        let outbox = &self.stores.outbox;
        let started = std::time::Instant::now();
        while let Some(at) = ready_at {
            let wait = at.saturating_duration_since(std::time::Instant::now());
            if started.elapsed() + wait > self.cfg.max_inline_wait {
                let until = self.clock.now_millis() + wait.as_millis() as Millis;
                super::policy_store::unreserve(&self.stores, &item).await?;
                outbox
                    .defer(
                        &lease,
                        until,
                        "rate limit (number throughput or pair pacing)",
                    )
                    .await?;
                r.deferred += 1;
                return Ok(None);
            }
            tokio::time::sleep_until(at.into()).await;
            ready_at = match self
                .limiter
                .try_acquire(item.phone_number_id.as_str(), &item.recipient)
                .await
            {
                Ok(()) => None,
                Err(wait) => Some(std::time::Instant::now() + wait),
            };
        }
        // A template held while this item waited for its token (an earlier
        // send of the batch answered 132015) is not sent to fail again.
        if let OutboundMessage::Template(t) = &payload.message
            && let Some(reason) = self.holds.held(&t.name, &t.language)
        {
            let until = self.clock.now_millis() + TEMPLATE_HOLD_RECHECK.as_millis() as Millis;
            super::policy_store::unreserve(&self.stores, &item).await?;
            outbox.defer(&lease, until, &reason).await?;
            r.deferred += 1;
            return Ok(None);
        }
        let opts = SendOptions {
            idempotency_key: Some(item.idempotency_key.clone()),
            // Comes back on every status webhook of the message: the campaign
            // (for analytics) and the item (to prove a lost answer).
            biz_opaque_callback_data: Some(reconcile_callback(&item)),
            ..Default::default()
        };
        let to = item.recipient.clone();
        let reconciling = self.cfg.reconcile.enabled;
        if reconciling {
            let now = self.clock.now_millis();
            if !reconcile::lease_allows_send(lease.until, self.cfg.lease, now) {
                // Too late to start: another worker may claim the item before
                // this send's attempt is recorded. Hand it back unsent.
                outbox
                    .defer(&lease, now, "lease ran out before the send")
                    .await?;
                r.deferred += 1;
                return Ok(None);
            }
            reconcile::open_attempt(&self.stores, &item, now).await?;
        }
        let span = tracing::info_span!("outbox.send", item_id = %item.id,
            phone_number_id = %item.phone_number_id, attempt = item.attempts);
        let asked = std::time::Instant::now();
        // Reconciling, the worker owns every resend: one HTTP attempt per send.
        let call = async {
            if reconciling {
                self.client
                    .send_once(&item.phone_number_id, &to, &payload.message, &opts)
                    .await
            } else {
                self.client
                    .send(&item.phone_number_id, &to, &payload.message, &opts)
                    .await
            }
        };
        let sent = tracing::Instrument::instrument(call, span).await;
        crate::metrics::api_answer(item.phone_number_id.as_str(), asked.elapsed(), sent.is_ok());
        let ready = Ready {
            item,
            lease,
            payload,
            ctx,
            conv,
            contact_id,
        };
        match sent {
            Ok(resp) => {
                let id = resp.message_id().cloned().unwrap_or_default();
                let answered = resp.contacts.into_iter().next();
                Ok(Some(Accepted {
                    ready,
                    id,
                    answered,
                }))
            }
            Err(e) => {
                self.on_error(&ready.item, &ready.lease, &ready.payload, e, r)
                    .await?;
                Ok(None)
            }
        }
    }

    /// The API accepted the item as `id` (answered, or proved by a status
    /// webhook): complete it, store the message, learn the wa_id and BSUID it
    /// answered with and count the send for the policies.
    async fn accepted(
        &self,
        ready: Ready,
        id: MessageId,
        answered: Option<crate::client::SentContact>,
    ) -> crate::Result<()> {
        let now = self.clock.now_millis();
        self.stores.outbox.complete(&ready.lease, &id, now).await?;
        self.record_accepted(ready, id, answered, now).await
    }

    /// Store the accepted (and completed) item's message, record a person's
    /// reply and learn what the API answered with.
    async fn record_accepted(
        &self,
        ready: Ready,
        id: MessageId,
        answered: Option<crate::client::SentContact>,
        now: Millis,
    ) -> crate::Result<()> {
        let Ready {
            item,
            payload,
            ctx,
            conv,
            contact_id,
            ..
        } = ready;
        let mut body = serde_json::to_value(&payload.message)?;
        if payload.automated
            && let Some(o) = body.as_object_mut()
        {
            // Analytics leaves automated messages out of first-response time.
            o.insert("automated".into(), serde_json::Value::Bool(true));
        }
        let rec = MessageRecord {
            id: id.clone(),
            phone_number_id: item.phone_number_id.clone(),
            conversation_id: conv.as_ref().map(|c| c.id.clone()),
            contact_id: conv.as_ref().map(|c| c.contact_id.clone()).or(contact_id),
            direction: Direction::Outbound,
            msg_type: payload.message.type_name().to_string(),
            body,
            status: Some(MessageStatus::Accepted),
            status_times: Default::default(),
            error: None,
            agent_id: None,
            campaign_id: item.campaign_id.clone(),
            created_at: now,
        };
        self.stores.messages.record_outbound(&rec).await?;
        // A person's message answers the customer: the core records it
        // (SLA clock, automation pause) whoever sent it.
        if !ctx.automated
            && let Some(c) = &conv
        {
            crate::assignment::record_human_reply(&self.stores, &c.id, now).await?;
        }
        // Learn the wa_id (MX/BR quirks) and BSUID the API answered with, on
        // the contact this item was resolved to.
        if let (Some(answered), Some(contact)) = (answered, &rec.contact_id) {
            super::learn::learn_from_send(&self.stores, contact, &answered).await?;
        }
        Ok(())
    }

    async fn on_error(
        &self,
        item: &OutboxItem,
        lease: &crate::store::LeaseToken,
        payload: &Payload,
        e: crate::Error,
        r: &mut RoundReport,
    ) -> crate::Result<()> {
        let outbox = &self.stores.outbox;
        let now = self.clock.now_millis();
        let details = e.details();
        if self.cfg.reconcile.enabled {
            if reconcile::is_unknown_outcome(&e) {
                // Maybe accepted: never resent before its status webhook is
                // awaited (the next claim checks, see `reconcile`).
                let poll = self.cfg.reconcile.poll.as_millis() as Millis;
                outbox
                    .retry_later(lease, now + poll.max(1), &details)
                    .await?;
                r.retried += 1;
                r.unknown_outcomes += 1;
                return Ok(());
            }
            // Answered with a refusal: nothing was accepted, retry without waiting.
            reconcile::close_attempt(&self.stores, item).await?;
        }
        // A transient or network failure may hide an accepted send: its
        // history record stays. Any other answer means it did not go out.
        if !matches!(e.kind(), ErrorKind::Transient | ErrorKind::Network) {
            super::policy_store::unreserve(&self.stores, item).await?;
        }
        // 132015 paused / 132016 disabled: hold the template (this item and
        // every other that uses it) until it is approved again.
        if let (Some(code @ (132015 | 132016)), OutboundMessage::Template(t)) =
            (details.graph_code, &payload.message)
        {
            let status = if code == 132015 { "PAUSED" } else { "DISABLED" };
            self.holds.set_status(&t.name, Some(&t.language), status);
            self.holds.save().await?;
            let reason = self
                .holds
                .held(&t.name, &t.language)
                .unwrap_or_else(|| status.to_string());
            let until = now + TEMPLATE_HOLD_RECHECK.as_millis() as Millis;
            outbox.defer(lease, until, &reason).await?;
            r.deferred += 1;
            return Ok(());
        }
        let wait = e.retry().after.unwrap_or(Duration::from_secs(1));
        match e.kind() {
            ErrorKind::RateLimited if item.attempts <= self.cfg.throttle_retries => {
                // Slow the whole number down, then retry after the suggested wait.
                self.limiter
                    .penalize_number(item.phone_number_id.as_str(), Duration::from_secs(10))
                    .await;
                outbox
                    .retry_later(lease, now + wait.as_millis() as Millis, &details)
                    .await?;
                r.retried += 1;
            }
            ErrorKind::PairRateLimited if item.attempts <= self.cfg.throttle_retries => {
                // Meta suggests backing off 4^n seconds for this recipient only.
                let n = item.attempts.saturating_sub(1).min(4);
                let backoff = Duration::from_secs(6 * 4u64.pow(n));
                self.limiter
                    .penalize_pair(item.phone_number_id.as_str(), &item.recipient, backoff)
                    .await;
                outbox
                    .retry_later(lease, now + backoff.as_millis() as Millis, &details)
                    .await?;
                r.retried += 1;
            }
            ErrorKind::Transient | ErrorKind::Network
                if item.attempts <= self.cfg.transient_retries =>
            {
                let backoff = wait.max(Duration::from_millis(200)) * 2u32.pow(item.attempts.min(6));
                outbox
                    .retry_later(lease, now + backoff.as_millis() as Millis, &details)
                    .await?;
                r.retried += 1;
            }
            _ => {
                let reason = match details.graph_code {
                    Some(c) => format!("{} (graph {c}): {}", details.code, details.message),
                    None => format!("{}: {}", details.code, details.message),
                };
                outbox.park(lease, &reason, Some(&details)).await?;
                r.parked += 1;
            }
        }
        Ok(())
    }
}
