//! # wacrm
//!
//! The engine a WhatsApp Business "cloud control" console is built from: a typed
//! Cloud API client, webhooks, phone identity, a send scheduler that respects every
//! Meta limit, conversation assignment, contacts and dedupe, CRM sync, automation,
//! analytics and storage adapters.
//!
//! Every module owns one capability and talks to the others through public types.
#![deny(missing_docs)]

pub mod access;
pub mod analytics;
pub mod assignment;
pub mod automation;
pub mod client;
pub mod contacts;
pub mod crm;
pub mod error;
pub mod ids;
mod mem;
pub mod metrics;
pub mod phone;
pub mod scheduler;
pub mod store;
pub mod time;
pub mod webhook;

pub use error::{Error, ErrorDetails, ErrorKind, GraphError, Result, RetryAdvice};
pub use ids::*;
pub use time::{Clock, ManualClock, SharedClock, SystemClock};
