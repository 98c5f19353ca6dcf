//! C10: analytics. First-response time, handle time, open/resolved counts and
//! load per agent and team, campaign funnels, failures by Graph error code,
//! an hour-of-week histogram, hot words and anomaly flags — computed either
//! incrementally from events ([`Engine`]) or recomputed from any store over a
//! range and a time zone ([`recompute`]). Both paths give the same [`Report`];
//! a property test holds them to it.
//!
//! The definitions (the contract; see the README's `## Analytics`):
//! - A **thread** is one business number and one customer (the stored
//!   contact, which carries the wa_id or BSUID).
//! - A **conversation start** is an inbound message when the thread had no
//!   message in either direction during the 24 hours before it (a gap of
//!   exactly 24 h starts a new conversation).
//! - **First-response time** runs from a start to the first outbound message
//!   of the thread sent after it; automated messages are skipped unless
//!   `include_automated`. A start with no response before the range end is
//!   counted in `unanswered`. Percentiles are nearest-rank.
//! - An outbound message's **sent time** is the earliest of its record time
//!   and its status times (a message known only from status webhooks has only
//!   those).
//! - **Funnel** stages are cumulative per campaign message: `sent` ⊇
//!   `delivered` ⊇ `read` (a `read` without `delivered` counts as delivered);
//!   `failed` counts failed ones (also counted as sent when they had a `sent`
//!   status). `replied` counts recipients with an inbound message after a
//!   campaign message's sent time (the same webhook second counts) and at
//!   most 72 h after it.
//! - **Sync health** (C8) is not derived from events: one row per CRM
//!   mapping from the health its sync engine saved in the sync state store,
//!   with its parked pushes and discrepancies, as they stand when the report
//!   is made (not limited to the range). [`recompute`] reads it; the
//!   incremental [`Engine`] reports the rows it is given.

mod anomaly;
mod clock;
mod engine;
mod frt;
mod html;
mod index;
mod model;
mod names;
mod recompute;
mod report;
mod rows;
mod scan;
mod stats;
mod sync;
mod words;

pub use engine::{Engine, PathCounts};
pub use html::render_html;
pub use model::{
    COMPLAINT_TAG, ConversationFact, Event, MessageFact, ReportConfig, StatusEvent, StatusFact,
    is_automated, message_fact, sent_time,
};
pub use recompute::{recompute, report_from_facts};
pub use report::{
    AgentRow, Anomaly, FailureRow, FrtStats, FunnelRow, RangeInfo, Report, WordCount,
};
pub use rows::render_csv;
pub use stats::nearest_rank;
pub use sync::{RejectionCount, SyncHealthRow, TOP_REJECTIONS, sync_health};
pub use words::tokens;
