//! CRM field mapping and sync (C8) as a binding holds them: a mapping loaded
//! from TOML (refused with its line and reason), applied to a contact in both
//! directions, and a sync engine against HubSpot CRM v3 (any base URL, such
//! as the in-process stand-in) with typed reports, health and discrepancies.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use wacrm::crm::engine::conflict::{Incoming, Outgoing, incoming_empty, outgoing};
use wacrm::crm::transform::apply_from_crm;
use wacrm::crm::{
    Direction, FieldMap, HealthSnapshot, HubSpotConfig, HubSpotConnector, Mapping, NullPolicy,
    Owner, PullReport, PushReport, SyncEngine, SyncOptions, SyncReport,
};
use wacrm::store::{Contact, Discrepancy};
use wacrm::{Error, Result};

use crate::Stores;
use crate::problem::line_problem;

/// The one definition of [`MappingField`]'s fields, applied to the attributes
/// given: this crate derives serde on it, and the Swift binding declares the
/// same record to uniffi from it (`mapping_field_record!(#[uniffi::remote(Record)])`),
/// so the field list is never written twice.
#[macro_export]
macro_rules! mapping_field_record {
    ($(#[$meta:meta])*) => {
        /// One mapped field as a binding shows it (the mapping file's words).
        $(#[$meta])*
        pub struct MappingField {
            /// `first_name`, `email`, `attr:NAME`, ...
            pub local: String,
            /// The CRM property.
            pub crm: String,
            /// `to_crm`, `from_crm` or `both`.
            pub direction: String,
            /// `local`, `crm` or `latest`.
            pub owner: String,
            /// Transforms in order (`e164`, `trim`, `date:FORMAT`, `map:NAME`, ...).
            pub transform: Vec<String>,
            /// Used when the source is empty.
            pub default: Option<String>,
            /// The record is refused without it.
            pub required: bool,
            /// `unset` (leave the other side alone) or `clear`.
            pub null: String,
        }
    };
}

mapping_field_record!(#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]);

/// A loaded mapping: identity rules and fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingInfo {
    /// The unique CRM property holding the wacrm contact id.
    pub crm_id_property: String,
    /// Fallback matching fields, in order.
    pub fallback: Vec<String>,
    /// The mapped fields.
    pub fields: Vec<MappingField>,
    /// Names of the `[maps.NAME]` tables.
    pub maps: Vec<String>,
}

/// Why a mapping file is refused: the line and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingProblem {
    /// 1-based line of the offending entry.
    pub line: u32,
    /// What is wrong.
    pub reason: String,
}

fn field_info(f: &FieldMap) -> MappingField {
    MappingField {
        local: f.local.to_string(),
        crm: f.crm.clone(),
        direction: match f.direction {
            Direction::ToCrm => "to_crm",
            Direction::FromCrm => "from_crm",
            Direction::Both => "both",
        }
        .into(),
        owner: match f.owner {
            Owner::Local => "local",
            Owner::Crm => "crm",
            Owner::Latest => "latest",
        }
        .into(),
        transform: f.transform.iter().map(ToString::to_string).collect(),
        default: f.default.clone(),
        required: f.required,
        null: match f.null {
            NullPolicy::Unset => "unset",
            NullPolicy::Clear => "clear",
        }
        .into(),
    }
}

/// A field mapping between contacts and CRM properties.
#[derive(Clone, Debug)]
pub struct CrmMapping(Arc<Mapping>);

impl CrmMapping {
    /// Parse a mapping file's text; a bad file is a `CONFIG` error naming the line.
    pub fn parse(text: &str) -> Result<CrmMapping> {
        Ok(CrmMapping(Arc::new(Mapping::from_toml(text)?)))
    }

    /// Read and parse a mapping file.
    pub fn load(path: &str) -> Result<CrmMapping> {
        Ok(CrmMapping(Arc::new(Mapping::from_file(path)?)))
    }

    /// Validate a mapping file's text: `None` when it loads, otherwise the
    /// line and reason it is refused with.
    pub fn check(text: &str) -> Option<MappingProblem> {
        let Err(e) = Mapping::from_toml(text) else {
            return None;
        };
        let (line, reason) = line_problem(&e.details().message, "mapping line ");
        Some(MappingProblem { line, reason })
    }

    /// Identity rules and fields.
    pub fn info(&self) -> MappingInfo {
        MappingInfo {
            crm_id_property: self.0.identity.crm_id_property.clone(),
            fallback: self
                .0
                .identity
                .fallback
                .iter()
                .map(ToString::to_string)
                .collect(),
            fields: self.0.fields.iter().map(field_info).collect(),
            maps: self.0.maps.keys().cloned().collect(),
        }
    }

    /// The CRM properties a push would write for `contact`: defaults,
    /// transforms and the null policy applied (`""` clears; an `unset` empty
    /// field is absent), plus the identity property holding the contact id.
    pub fn to_crm(&self, contact: &Contact) -> Result<BTreeMap<String, String>> {
        let m = &self.0;
        let mut out = BTreeMap::new();
        for f in m.fields.iter().filter(|f| f.direction.pushes()) {
            match outgoing(f, contact, &m.maps)
                .map_err(|e| Error::validation(&f.crm, e.to_string()))?
            {
                Outgoing::Value(v) => {
                    out.insert(f.crm.clone(), v);
                }
                Outgoing::Clear => {
                    out.insert(f.crm.clone(), String::new());
                }
                Outgoing::Unset => {}
            }
        }
        out.insert(
            m.identity.crm_id_property.clone(),
            contact.id.as_str().to_string(),
        );
        Ok(out)
    }

    /// `contact` with the CRM `properties` a pull would apply: transforms
    /// reversed, defaults and the null policy for empty values; properties
    /// the mapping does not pull are ignored.
    pub fn from_crm(
        &self,
        mut contact: Contact,
        properties: BTreeMap<String, String>,
    ) -> Result<Contact> {
        let m = &self.0;
        for f in m.fields.iter().filter(|f| f.direction.pulls()) {
            let Some(v) = properties.get(&f.crm) else {
                continue;
            };
            if v.is_empty() {
                match incoming_empty(f) {
                    Incoming::Set(d) => f.local.set(&mut contact, Some(d))?,
                    Incoming::Clear => f.local.set(&mut contact, None)?,
                    Incoming::Keep => {}
                }
            } else {
                let local = apply_from_crm(&f.transform, v, &m.maps)
                    .map_err(|e| Error::validation(&f.crm, e.to_string()))?;
                f.local.set(&mut contact, Some(local))?;
            }
        }
        Ok(contact)
    }
}

/// How to reach HubSpot; only `token` is required.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HubSpotSettings {
    /// Access token (never logged).
    pub token: String,
    /// API root (HubSpot's public API when absent; a stand-in's URL in tests).
    pub base_url: Option<String>,
    /// The name sync state is kept under (`hubspot` when absent).
    pub name: Option<String>,
    /// Inputs per batch call (HubSpot: at most 100).
    pub batch_size: Option<u32>,
}

impl std::fmt::Debug for HubSpotSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubSpotSettings")
            .field("token", &"[redacted]")
            .field("base_url", &self.base_url)
            .field("name", &self.name)
            .finish()
    }
}

/// A sync engine between the stores' contacts and a CRM.
#[derive(Clone)]
pub struct CrmSync {
    engine: Arc<SyncEngine>,
    stores: wacrm::store::Stores,
}

impl CrmSync {
    /// Sync `stores` with HubSpot CRM v3 contacts through `mapping`.
    pub fn hubspot(
        stores: &Stores,
        mapping: &CrmMapping,
        settings: HubSpotSettings,
    ) -> Result<CrmSync> {
        if settings.token.is_empty() {
            return Err(Error::validation(
                "token",
                "a HubSpot access token is needed",
            ));
        }
        let mut cfg = HubSpotConfig::new(settings.token).properties(mapping.0.crm_properties());
        if let Some(u) = settings.base_url {
            cfg = cfg.base_url(u);
        }
        if let Some(b) = settings.batch_size {
            cfg.batch_size = b as usize;
        }
        let connector = Arc::new(HubSpotConnector::new(cfg)?);
        let opts = SyncOptions {
            name: settings.name.unwrap_or_else(|| "hubspot".into()),
            ..SyncOptions::default()
        };
        let engine = SyncEngine::new(connector, (*mapping.0).clone(), &stores.0).with_options(opts);
        Ok(CrmSync {
            engine: Arc::new(engine),
            stores: stores.0.clone(),
        })
    }

    /// Push local changes since the last push (every contact the first time).
    pub async fn push(&self) -> Result<PushReport> {
        self.engine.push().await
    }

    /// Pull CRM changes since the stored cursor into contacts.
    pub async fn pull(&self) -> Result<PullReport> {
        self.engine.pull().await
    }

    /// Pull, then push.
    pub async fn sync(&self) -> Result<SyncReport> {
        self.engine.sync().await
    }

    /// Attempts, successes, rejections by code, latency, per field.
    pub fn health(&self) -> HealthSnapshot {
        self.engine.health().snapshot()
    }

    /// Every discrepancy recorded under this engine's name (both values, the decision).
    pub async fn discrepancies(&self) -> Result<Vec<Discrepancy>> {
        Ok(self
            .stores
            .sync
            .list_discrepancies(self.engine.name())
            .await?)
    }
}

/// One contact held by the stand-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandinRecord {
    /// HubSpot's record id.
    pub id: String,
    /// Every property it holds.
    pub properties: BTreeMap<String, String>,
}

pub use wacrm_crm_standin::StandinStats;

fn record(v: serde_json::Value) -> StandinRecord {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    StandinRecord {
        id: v.get("id").map(text).unwrap_or_default(),
        properties: v
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.iter().map(|(k, v)| (k.clone(), text(v))).collect())
            .unwrap_or_default(),
    }
}

/// The HubSpot stand-in on a free loopback port, for tests and demos.
pub struct CrmStandin(wacrm_crm_standin::Standin);

impl CrmStandin {
    /// Start one accepting `token`. Call inside a tokio runtime.
    pub async fn start(token: String) -> Result<CrmStandin> {
        let cfg = wacrm_crm_standin::StandinConfig {
            token,
            ..Default::default()
        };
        wacrm_crm_standin::Standin::start(cfg)
            .await
            .map(CrmStandin)
            .map_err(|e| Error::Config(format!("CRM stand-in: {e}")))
    }

    /// `http://127.0.0.1:PORT`: the `base_url` of a HubSpot sync.
    pub fn url(&self) -> String {
        self.0.url()
    }

    /// Every contact it holds.
    pub fn records(&self) -> Vec<StandinRecord> {
        self.0.records().into_iter().map(record).collect()
    }

    /// Edit a contact as a CRM user would (an empty value clears); `None`
    /// when there is no such record.
    pub fn edit(&self, id: &str, properties: BTreeMap<String, String>) -> Option<StandinRecord> {
        let props: Vec<(&str, &str)> = properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.0.edit(id, &props).map(record)
    }

    /// Requests, refusals over the limit, faults, records.
    pub fn stats(&self) -> StandinStats {
        self.0.stats()
    }
}
