//! Normalize what people type to E.164 and WhatsApp ids.
//!
//! cargo run -p wacrm-examples --example phone_normalize

fn main() {
    for (input, region) in [
        ("090-1234-5678", Some("JP")),
        ("(852) 9123 4567", Some("HK")),
        ("+55 11 9 8765-4321", None),
        ("０９０－１２３４－５６７８", Some("JP")),
        ("+52 55 1234 5678", None),
        ("call me on +44 7400 123456", None),
        ("12", Some("JP")),
    ] {
        match wacrm::phone::parse(input, region) {
            Ok(p) => {
                let wa: Vec<String> = wacrm::phone::wa_id_candidates(&p.e164)
                    .into_iter()
                    .map(String::from)
                    .collect();
                println!(
                    "{input:28} → {} {} {} valid={} wa_id candidates {wa:?}",
                    p.e164,
                    p.region,
                    p.number_type.as_str(),
                    p.valid
                );
            }
            Err(e) => println!("{input:28} → error {}: {e}", e.reason()),
        }
    }
}
