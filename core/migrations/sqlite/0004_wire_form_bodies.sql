-- Outbound message bodies and outbox messages move to Meta's wire form
-- ({"type": "text", "text": {...}}, the shape inbound bodies already have).
-- Documents may be zstd-compressed, so SQL cannot rewrite them: this marks the
-- rewrite as pending and the library performs it in Rust right after migrating.
INSERT INTO wacrm_meta (key, value) VALUES ('wire_form_bodies', 'pending');
