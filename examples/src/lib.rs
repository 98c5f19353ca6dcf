//! Shared helpers for the examples: a sandbox and a client pointed at it.

use wacrm::client::CloudApiClient;
use wacrm_sandbox::{Sandbox, SandboxConfig, SandboxHandle};

/// Start a sandbox (or use `WACRM_BASE_URL`/`WACRM_ACCESS_TOKEN` when both are set) and a client for it.
pub async fn sandbox_and_client(
    cfg: SandboxConfig,
) -> (Option<SandboxHandle>, CloudApiClient, String) {
    if let (Ok(url), Ok(token)) = (
        std::env::var("WACRM_BASE_URL"),
        std::env::var("WACRM_ACCESS_TOKEN"),
    ) {
        let number =
            std::env::var("WACRM_PHONE_NUMBER_ID").unwrap_or_else(|_| "106540352242922".into());
        let c = CloudApiClient::builder()
            .access_token(token)
            .base_url(url)
            .build()
            .expect("client");
        return (None, c, number);
    }
    let h = Sandbox::start(cfg.phone_number("106540352242922"))
        .await
        .expect("sandbox");
    let c = CloudApiClient::builder()
        .access_token(h.access_token())
        .base_url(h.base_url())
        .build()
        .expect("client");
    (Some(h), c, "106540352242922".into())
}
