//! Callback dependencies: a component id and one of its props.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::{ComponentId, ProtocolError};

/// Whether a dependency is an Input, a State or an Output of a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependencyKind {
    /// Fires the callback when it changes.
    Input,
    /// Read when the callback fires, never fires it.
    State,
    /// Written by the callback.
    Output,
}

/// One `(id, property)` pair of a callback.
///
/// ```
/// use dash_protocol::Dependency;
/// let d = Dependency::new("city", "value");
/// assert_eq!(d.key(), "city.value");
/// assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"id":"city","property":"value"}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// The component id (may hold wildcards).
    pub id: ComponentId,
    /// The prop name.
    pub property: String,
    /// Missing component yields `null` instead of an error.
    pub allow_optional: bool,
    /// Outputs only: another callback may write the same prop.
    pub allow_duplicate: bool,
}

impl Dependency {
    /// A dependency on `property` of the component `id`.
    pub fn new(id: impl Into<ComponentId>, property: impl Into<String>) -> Self {
        Dependency {
            id: id.into(),
            property: property.into(),
            allow_optional: false,
            allow_duplicate: false,
        }
    }

    /// `<idstr>.<prop>`, the form used in `changedPropIds` and output keys.
    pub fn key(&self) -> String {
        format!("{}.{}", self.id, self.property)
    }

    /// Checks the id and the prop name.
    pub fn validate(&self) -> Result<(), ProtocolError> {
        self.id.validate()?;
        let bad = |reason: &str| ProtocolError::InvalidProperty {
            id: self.id.to_string(),
            property: self.property.clone(),
            reason: reason.to_owned(),
        };
        if self.property.is_empty() {
            return Err(bad("a property name must not be empty"));
        }
        if self.property.contains('.') || self.property.contains('@') {
            return Err(bad("a property name must not contain '.' or '@'"));
        }
        Ok(())
    }
}

impl Serialize for Dependency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = if self.allow_optional { 3 } else { 2 };
        let mut m = s.serialize_map(Some(n))?;
        m.serialize_entry("id", &self.id.to_string())?;
        m.serialize_entry("property", &self.property)?;
        if self.allow_optional {
            m.serialize_entry("allow_optional", &true)?;
        }
        m.end()
    }
}
