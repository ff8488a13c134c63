use thiserror::Error;

/// Everything that can be wrong with protocol data: a malformed id, a
/// malformed request body, an output string that does not parse.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A component id is not usable (empty, contains `.` or `{`, ...).
    #[error("invalid component id {id:?}: {reason}")]
    InvalidId {
        /// The id as given.
        id: String,
        /// Why it was refused.
        reason: String,
    },
    /// A property name is not usable.
    #[error("invalid property name {property:?} of component {id}: {reason}")]
    InvalidProperty {
        /// The id of the component.
        id: String,
        /// The property as given.
        property: String,
        /// Why it was refused.
        reason: String,
    },
    /// A request body does not have the expected shape.
    #[error("malformed callback request: {0}")]
    MalformedRequest(String),
    /// A well-formed request body that does not fit the callback it names:
    /// a list where one object is expected, too few or too many entries, an
    /// output that is not one of the callback's.
    #[error("{field}{} does not fit the callback: expected {expected}, found {found}",
        .dependency.as_ref().map(|d| format!(" (for {d})")).unwrap_or_default())]
    RequestShape {
        /// Where in the body, e.g. `outputs[1]` or `inputs[0]`.
        field: String,
        /// `<id>.<prop>` of the declared Output, Input or State, if one.
        dependency: Option<String>,
        /// What the callback's declaration calls for.
        expected: String,
        /// What the request has (ids and props cut to a bounded length).
        found: String,
    },
}
