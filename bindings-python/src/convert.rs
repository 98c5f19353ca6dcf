//! Values cross as Python objects, never JSON text: the core's serde types
//! become dicts, lists and scalars (`pythonize`) and come back the same way.
//! The `wacrm` package turns those into its typed classes.

use pyo3::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bridge::to_py_err;

/// A core value as plain Python objects.
pub fn to_py<T: Serialize + ?Sized>(py: Python<'_>, v: &T) -> PyResult<Py<PyAny>> {
    pythonize::pythonize(py, v).map(Bound::unbind).map_err(|e| {
        to_py_err(
            py,
            &wacrm::Error::Decode {
                message: format!("to Python: {e}"),
                raw: String::new(),
            },
        )
    })
}

/// A core value from Python objects; a shape the core does not accept is a
/// `ValidationError` naming `field`.
pub fn from_py<T: DeserializeOwned>(field: &str, obj: &Bound<'_, PyAny>) -> PyResult<T> {
    pythonize::depythonize(obj)
        .map_err(|e| to_py_err(obj.py(), &wacrm::Error::validation(field, e.to_string())))
}

/// `from_py` of an optional argument; `None` gives the type's default.
pub fn from_py_or_default<T: DeserializeOwned + Default>(
    field: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<T> {
    match obj {
        Some(o) if !o.is_none() => from_py(field, o),
        _ => Ok(T::default()),
    }
}
