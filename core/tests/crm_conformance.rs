//! The CRM connector conformance suite on the in-memory connector.

use std::sync::Arc;

use wacrm::crm::{CrmConnector, MemoryConnector};

wacrm::crm_connector_conformance_tests!(async {
    Arc::new(MemoryConnector::new()) as Arc<dyn CrmConnector>
});
