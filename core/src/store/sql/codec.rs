//! Document encoding: JSON in a TEXT column, optionally zstd-compressed.

use super::*;

/// Marker of a zstd-compressed document (base64 inside a TEXT column).
pub(super) const ZSTD_PREFIX: &str = "zstd:";

pub(super) fn compress_doc(doc: String) -> StoreResult<String> {
    use base64::Engine as _;
    let packed = zstd::bulk::compress(doc.as_bytes(), 3).map_err(|e| StoreError::Backend {
        message: format!("zstd: {e}"),
        retryable: false,
    })?;
    Ok(format!(
        "{ZSTD_PREFIX}{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(packed)
    ))
}

pub(super) fn expand_doc<'a>(doc: &'a str, key: &str) -> StoreResult<std::borrow::Cow<'a, str>> {
    use base64::Engine as _;
    let Some(b64) = doc.strip_prefix(ZSTD_PREFIX) else {
        return Ok(std::borrow::Cow::Borrowed(doc));
    };
    let corrupt = |m: String| StoreError::Corrupt {
        key: key.to_string(),
        message: m,
    };
    let packed = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(b64)
        .map_err(|e| corrupt(e.to_string()))?;
    let raw = zstd::stream::decode_all(&packed[..]).map_err(|e| corrupt(e.to_string()))?;
    String::from_utf8(raw)
        .map(std::borrow::Cow::Owned)
        .map_err(|e| corrupt(e.to_string()))
}

pub(crate) fn enc<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt {
        key: "encode".into(),
        message: e.to_string(),
    })
}

pub(crate) fn dec<T: DeserializeOwned>(row: &AnyRow, key: &str) -> StoreResult<T> {
    let doc: String = row.try_get("doc").map_err(backend_err)?;
    dec_doc(&doc, key)
}

/// A stored document (expanded when compressed) decoded.
pub(super) fn dec_doc<T: DeserializeOwned>(doc: &str, key: &str) -> StoreResult<T> {
    let doc = expand_doc(doc, key)?;
    serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt {
        key: key.to_string(),
        message: e.to_string(),
    })
}

pub(crate) fn dec_rows<T: DeserializeOwned>(rows: &[AnyRow], table: &str) -> StoreResult<Vec<T>> {
    rows.iter()
        .map(|r| {
            let id: String = r.try_get(0).unwrap_or_default();
            dec(r, &format!("{table}/{id}"))
        })
        .collect()
}
