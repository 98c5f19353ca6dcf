//! The CRM connector conformance suite on the HubSpot connector, against the
//! stand-in over real HTTP.

use std::sync::Arc;

use wacrm::crm::{CrmConnector, HubSpotConfig, HubSpotConnector};
use wacrm_crm_standin::{Standin, StandinConfig};

async fn connector() -> Arc<dyn CrmConnector> {
    let s = Standin::start(StandinConfig {
        token: "t0k".into(),
        requests_per_10s: 1000,
        search_per_s: 50,
        ..Default::default()
    })
    .await
    .expect("stand-in starts");
    let mut cfg = HubSpotConfig::new("t0k").base_url(s.url()).properties(vec![
        "firstname".into(),
        "city".into(),
        "wacrm_id".into(),
    ]);
    cfg.requests_per_10s = 1000;
    cfg.search_per_s = 50;
    // The server lives for the rest of the test.
    std::mem::forget(s);
    Arc::new(HubSpotConnector::new(cfg).expect("connector"))
}

wacrm::crm_connector_conformance_tests!(connector());
