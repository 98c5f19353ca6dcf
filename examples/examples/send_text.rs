//! Send a text and a template. Runs against an in-process sandbox, or against
//! `WACRM_BASE_URL` + `WACRM_ACCESS_TOKEN` (+ `WACRM_PHONE_NUMBER_ID`) when set.
//!
//! cargo run -p wacrm-examples --example send_text

use wacrm::client::{OutboundMessage, SendOptions, Template, TemplateParam};
use wacrm::{PhoneNumberId, Recipient};

#[tokio::main]
async fn main() -> wacrm::Result<()> {
    let (sandbox, client, number) = wacrm_examples::sandbox_and_client(Default::default()).await;
    let from = PhoneNumberId::new(number);
    let to = Recipient::parse("+81 90-1234-5678");
    if let Some(s) = &sandbox {
        // Open the 24 h window so a free-form text is allowed.
        s.inbound(
            from.as_str(),
            "819012345678",
            "Hanako",
            serde_json::json!({"type": "text", "text": {"body": "hi"}}),
        )
        .expect("inbound");
    }
    let r = client
        .send_text(&from, &to, "こんにちは! Your order has shipped.")
        .await?;
    println!(
        "text accepted: {}",
        r.message_id().map(|m| m.as_str()).unwrap_or("-")
    );
    let t = Template::new("order_update", "en_US").body(vec![
        TemplateParam::text("Hanako"),
        TemplateParam::text("#4242"),
    ]);
    let r = client
        .send(
            &from,
            &to,
            &OutboundMessage::Template(t),
            &SendOptions::default(),
        )
        .await?;
    println!(
        "template accepted: {}",
        r.message_id().map(|m| m.as_str()).unwrap_or("-")
    );
    // A classified error: an unknown template.
    let bad = OutboundMessage::Template(Template::new("no_such_template", "en_US"));
    if let Err(e) = client.send(&from, &to, &bad, &SendOptions::default()).await {
        println!(
            "classified error: {} (graph {:?}, retryable {})",
            e.code(),
            e.graph().map(|g| g.code),
            e.retry().retryable
        );
    }
    Ok(())
}
