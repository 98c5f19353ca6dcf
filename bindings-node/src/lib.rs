//! Node binding of wacrm: translation only. Every operation lives in
//! `wacrm-bindings-common`; this crate turns JS objects into the core's types
//! and the core's results into JS objects (napi's `serde_json::Value`
//! conversion, no JSON text in between). The TypeScript shape of every value
//! is declared once in `types.d.ts`, which the generated `binding.d.ts`
//! imports as `T`. Failures reject with a JS `Error` carrying the core's
//! `ErrorDetails` as properties; `index.js` only gives it its subclass.

pub mod access;
mod assignment;
mod automation;
mod client;
mod convert;
mod crm;
// `pub`: its #[napi] functions are registered when the addon loads, never called from Rust.
pub mod free;
mod sandbox;
mod scheduler;
mod stores;

pub use access::{NativeConsole, NativeSession};
pub use assignment::NativeAssignment;
pub use automation::{NativeAutomation, NativeRules};
pub use client::NativeClient;
pub use crm::{NativeCrmStandin, NativeCrmSync, NativeMapping};
pub use sandbox::NativeSandbox;
pub use scheduler::NativeScheduler;
pub use stores::NativeStores;
