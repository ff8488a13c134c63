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
}
