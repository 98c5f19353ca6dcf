//! C9: automation. Keyword rules in any script matched in one Aho-Corasick
//! pass, business hours with the next opening time in the contact's language,
//! reply templates with variables and defaults, auto-tag counters, lifecycle
//! segments, no-reply timers, a sensitive-word filter for outgoing text,
//! "talk to a human" handoff in nine languages and loop protection.
//!
//! ```
//! # use wacrm::automation::*;
//! # use std::sync::Arc;
//! # tokio_test_block(async {
//! let rules = RuleSet::from_toml(r#"
//! [[rules]]
//! id = "shipping"
//! keywords = ["shipping", "frete", "配送"]
//! actions = [{ reply = 'Hi {{first_name|default:"there"}}, shipping takes 2 days.' }]
//! "#).unwrap();
//! let engine = Engine::new(rules, Arc::new(MemoryAutomationStore::new())).unwrap();
//! let ev = engine
//!     .evaluate(&MessageInput::inbound("5511999990000", "配送はいつ？", chrono::Utc::now()))
//!     .await
//!     .unwrap();
//! assert_eq!(ev.rules, ["shipping"]);
//! assert_eq!(ev.replies().next(), Some("Hi there, shipping takes 2 days."));
//! # });
//! # fn tokio_test_block<F: std::future::Future>(f: F) -> F::Output {
//! #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! ```

mod actions;
#[cfg(feature = "testing")]
pub mod conformance;
mod engine;
mod fold;
mod fold_table;
mod handoff;
mod hanzi;
mod hours;
mod i18n;
mod io;
mod lifecycle;
mod matcher;
mod parse;
mod rules;
mod ruleset;
mod sensitive;
mod state;
mod template;
mod timers;
mod wire;

#[cfg(test)]
mod tests;

pub use engine::Engine;
pub use fold::{fold, fold_into, is_spaceless};
pub use handoff::{BUILTIN as HANDOFF_PHRASES, HandoffDetector};
pub use hours::{BusinessHours, Interval, parse_day};
pub use i18n::{Lang, relative};
pub use io::{
    ActionOut, Evaluation, Flow, MessageInput, Origin, SegmentChange, Skipped, TimerFired,
};
pub use lifecycle::segments_for;
pub use matcher::{Entry, Hit, KeywordSet};
pub use rules::{
    Action, LifecycleConfig, Limits, MatchMode, Rule, StoreLocation, When, parse_duration,
};
pub use ruleset::{RuleSet, TimerRule};
pub use sensitive::SensitiveFilter;
pub use state::{AutomationStore, ContactState, ConversationState, MemoryAutomationStore, Timer};
pub use template::{Placeholder, RenderContext, Template, Var, distance_km, location_of, nearest};
pub use wire::{AutomationService, Handled, write_contact};
