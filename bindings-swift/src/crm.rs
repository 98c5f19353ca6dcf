//! CRM field mapping and sync (C8): mappings, the HubSpot sync engine and the
//! in-process HubSpot stand-in, with reports and discrepancies as records.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use wacrm::crm::{PullReport, PushReport, SyncReport};
use wacrm::store::{Contact, Discrepancy};
use wacrm_bindings_common::{
    self as common, HubSpotSettings, MappingField, MappingInfo, MappingProblem, StandinRecord,
    StandinStats,
};

use crate::WacrmError;
use crate::runtime::{on_runtime, runtime};
use crate::store::Stores;
use crate::values::Json;

/// CRM properties by name.
pub type Properties = BTreeMap<String, String>;

uniffi::custom_type!(Properties, HashMap<String, String>, {
    remote,
    lower: |v| v.into_iter().collect(),
    try_lift: |v| Ok(v.into_iter().collect()),
});

// The field list lives in bindings-common; declared to uniffi from there.
wacrm_bindings_common::mapping_field_record!(#[uniffi::remote(Record)]);

#[uniffi::remote(Record)]
pub struct MappingInfo {
    pub crm_id_property: String,
    pub fallback: Vec<String>,
    pub fields: Vec<MappingField>,
    pub maps: Vec<String>,
}

/// Why a mapping file is refused: the line and the reason.
#[uniffi::remote(Record)]
pub struct MappingProblem {
    pub line: u32,
    pub reason: String,
}

/// How to reach HubSpot; only `token` is required.
#[uniffi::remote(Record)]
pub struct HubSpotSettings {
    pub token: String,
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    #[uniffi(default = None)]
    pub name: Option<String>,
    #[uniffi(default = None)]
    pub batch_size: Option<u32>,
}

#[uniffi::remote(Record)]
pub struct PushReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub parked: u64,
    pub retries: u64,
    pub scheduled: u64,
    pub requests: u64,
    pub rate_limited: u64,
}

#[uniffi::remote(Record)]
pub struct PullReport {
    pub fetched: u64,
    pub applied: u64,
    pub created: u64,
    pub conflicts: u64,
    pub discrepancies: u64,
}

#[uniffi::remote(Record)]
pub struct SyncReport {
    pub pull: PullReport,
    pub push: PushReport,
}

/// A field changed on both sides: both values and which won.
#[uniffi::remote(Record)]
pub struct Discrepancy {
    pub id: String,
    pub connector: String,
    pub key: String,
    pub field: String,
    pub local: Json,
    pub remote: Json,
    pub resolution: String,
    pub at: i64,
}

#[uniffi::remote(Record)]
pub struct StandinRecord {
    pub id: String,
    pub properties: Properties,
}

#[uniffi::remote(Record)]
pub struct StandinStats {
    pub requests: u64,
    pub over_limit: u64,
    pub faults: u64,
    pub records: u64,
}

/// Health of one field.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct FieldHealth {
    pub attempts: u64,
    pub successes: u64,
    pub errors: u64,
}

/// Attempts, successes, rejections by code, latency and lag, per field.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct HealthSnapshot {
    pub attempts: u64,
    pub successes: u64,
    pub rejections: HashMap<String, u64>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub lag_p50_ms: Option<f64>,
    pub lag_p99_ms: Option<f64>,
    pub fields: HashMap<String, FieldHealth>,
}

impl From<wacrm::crm::HealthSnapshot> for HealthSnapshot {
    fn from(h: wacrm::crm::HealthSnapshot) -> Self {
        HealthSnapshot {
            attempts: h.attempts,
            successes: h.successes,
            rejections: h.rejections.into_iter().collect(),
            latency_p50_ms: h.latency_p50_ms,
            latency_p99_ms: h.latency_p99_ms,
            lag_p50_ms: h.lag_p50_ms,
            lag_p99_ms: h.lag_p99_ms,
            fields: h
                .fields
                .into_iter()
                .map(|(k, f)| {
                    let f = FieldHealth {
                        attempts: f.attempts,
                        successes: f.successes,
                        errors: f.errors,
                    };
                    (k, f)
                })
                .collect(),
        }
    }
}

/// `nil` when `text` loads as a mapping, otherwise the line and reason.
#[uniffi::export]
pub fn mapping_check(text: String) -> Option<MappingProblem> {
    common::CrmMapping::check(&text)
}

/// A field mapping between contacts and CRM properties.
#[derive(uniffi::Object)]
pub struct Mapping {
    inner: common::CrmMapping,
}

#[uniffi::export]
impl Mapping {
    /// Parse a mapping file's text (`WacrmError.Config` naming the line when refused).
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Self>, WacrmError> {
        Ok(Arc::new(Mapping {
            inner: common::CrmMapping::parse(&text)?,
        }))
    }

    /// Read and parse a mapping file.
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<Self>, WacrmError> {
        Ok(Arc::new(Mapping {
            inner: common::CrmMapping::load(&path)?,
        }))
    }

    /// Identity rules and fields.
    pub fn info(&self) -> MappingInfo {
        self.inner.info()
    }

    /// The CRM properties a push would write (`""` clears; the identity property included).
    pub fn to_crm(&self, contact: Contact) -> Result<Properties, WacrmError> {
        Ok(self.inner.to_crm(&contact)?)
    }

    /// `contact` with the CRM `properties` a pull would apply.
    pub fn from_crm(
        &self,
        contact: Contact,
        properties: Properties,
    ) -> Result<Contact, WacrmError> {
        Ok(self.inner.from_crm(contact, properties)?)
    }
}

/// A sync engine between the stores' contacts and HubSpot.
#[derive(uniffi::Object)]
pub struct CrmSync {
    inner: common::CrmSync,
}

#[uniffi::export]
impl CrmSync {
    #[uniffi::constructor]
    pub fn new(
        stores: Arc<Stores>,
        mapping: Arc<Mapping>,
        settings: HubSpotSettings,
    ) -> Result<Arc<Self>, WacrmError> {
        let inner = common::CrmSync::hubspot(&stores.inner, &mapping.inner, settings)?;
        Ok(Arc::new(CrmSync { inner }))
    }

    /// Push local changes since the last push (every contact the first time).
    pub async fn push(&self) -> Result<PushReport, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.push().await }).await
    }

    /// Pull CRM changes since the stored cursor into contacts.
    pub async fn pull(&self) -> Result<PullReport, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.pull().await }).await
    }

    /// Pull, then push.
    pub async fn sync(&self) -> Result<SyncReport, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.sync().await }).await
    }

    /// Every discrepancy recorded (both values, the decision).
    pub async fn discrepancies(&self) -> Result<Vec<Discrepancy>, WacrmError> {
        let s = self.inner.clone();
        on_runtime(async move { s.discrepancies().await }).await
    }

    /// Attempts, successes, rejections by code, latency, per field.
    pub fn health(&self) -> HealthSnapshot {
        self.inner.health().into()
    }
}

/// A HubSpot CRM v3 stand-in on a free loopback port.
#[derive(uniffi::Object)]
pub struct CrmStandin {
    inner: common::CrmStandin,
}

#[uniffi::export]
impl CrmStandin {
    /// Start one accepting `token`.
    #[uniffi::constructor]
    pub fn new(token: String) -> Result<Arc<Self>, WacrmError> {
        let inner = runtime().block_on(common::CrmStandin::start(token))?;
        Ok(Arc::new(CrmStandin { inner }))
    }

    /// The `base_url` of a HubSpot sync.
    pub fn url(&self) -> String {
        self.inner.url()
    }

    /// Every contact it holds.
    pub fn records(&self) -> Vec<StandinRecord> {
        self.inner.records()
    }

    /// Change a record as a CRM user would (`""` clears); `nil` when absent.
    pub fn edit(&self, id: String, properties: Properties) -> Option<StandinRecord> {
        self.inner.edit(&id, properties)
    }

    /// Requests, refusals over the limit, faults, records.
    pub fn stats(&self) -> StandinStats {
        self.inner.stats()
    }
}
