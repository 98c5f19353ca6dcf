//! Values across the boundary: JS objects in and out through serde, core
//! errors as JS `Error` objects with the `ErrorDetails` fields, and async
//! operations as promises that reject with those errors.

use std::future::Future;

use napi::bindgen_prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A core value as a JS object (the core's serde form).
pub(crate) fn to_js<T: Serialize>(v: &T) -> wacrm::Result<Value> {
    serde_json::to_value(v)
        .map_err(|e| wacrm::Error::Config(format!("result not representable: {e}")))
}

/// A JS object as a core value; a mismatch is a validation error naming `what`.
pub(crate) fn from_js<T: DeserializeOwned>(what: &str, v: Value) -> wacrm::Result<T> {
    serde_json::from_value(v).map_err(|e| wacrm::Error::validation(what, e.to_string()))
}

/// An optional JS object as a core value, its default when absent.
pub(crate) fn from_js_or_default<T: DeserializeOwned + Default>(
    what: &str,
    v: Option<Value>,
) -> wacrm::Result<T> {
    match v {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => from_js(what, v),
    }
}

/// An optional JS object as a core value; `None` when absent or null.
pub(crate) fn from_js_opt<T: DeserializeOwned>(
    what: &str,
    v: Option<Value>,
) -> wacrm::Result<Option<T>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => from_js(what, v).map(Some),
    }
}

fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn build_error(env: &Env, e: &wacrm::Error) -> Result<Error> {
    let details = e.details();
    let mut obj = env.create_error(Error::new(Status::GenericFailure, details.message.clone()))?;
    // Every ErrorDetails field becomes a property, camelCased (`graph_code` -> `graphCode`),
    // so a new field reaches JS without touching this code.
    if let Value::Object(fields) = to_js(&details).map_err(|e| Error::from_reason(e.to_string()))? {
        for (k, v) in fields {
            if k != "message" {
                obj.set_named_property(&camel(&k), v)?;
            }
        }
    }
    Ok(Error::from(obj.to_unknown()))
}

/// The JS error for a core error: an `Error` whose properties are its `ErrorDetails`.
pub(crate) fn js_error(env: &Env, e: &wacrm::Error) -> Error {
    build_error(env, e).unwrap_or_else(|other| other)
}

/// A core result on the JS thread: the value as a JS object, or a thrown `js_error`.
pub(crate) fn js_result<T: Serialize>(env: &Env, r: wacrm::Result<T>) -> Result<Value> {
    r.and_then(|v| to_js(&v)).map_err(|e| js_error(env, &e))
}

/// Run a core operation on the runtime; the promise resolves with its result as a JS
/// object or rejects with its `js_error`.
pub(crate) fn promise<'env, T, F>(env: &'env Env, fut: F) -> Result<PromiseRaw<'env, Value>>
where
    T: Serialize + Send + 'static,
    F: Future<Output = wacrm::Result<T>> + Send + 'static,
{
    env.spawn_future_with_callback(
        async move { Ok(fut.await.and_then(|v| to_js(&v))) },
        |env, r| r.map_err(|e| js_error(env, &e)),
    )
}

/// Block on a core future from a synchronous entry point (constructors).
pub(crate) fn wait<T>(env: &Env, fut: impl Future<Output = wacrm::Result<T>>) -> Result<T> {
    block_on(fut).map_err(|e| js_error(env, &e))
}
