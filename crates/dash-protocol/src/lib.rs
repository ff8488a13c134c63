//! The Dash wire protocol as plain Rust types.
//!
//! This crate does no I/O. It describes what travels between the official
//! `dash-renderer` and a back end: components and their JSON form
//! ([`Component`], [`Children`]), component ids and pattern-matching
//! wildcards ([`ComponentId`]), callback dependencies ([`Dependency`]) and the
//! shapes of `_dash-update-component` requests and responses
//! ([`request`], [`response`]).
//!
//! ```
//! use dash_protocol::{Component, ComponentId};
//!
//! let div = Component::new("dash_html_components", "Div")
//!     .with_prop("id", ComponentId::from("greeting"))
//!     .with_prop("children", "Hello");
//! let json = serde_json::to_string(&div).unwrap();
//! assert_eq!(
//!     json,
//!     r#"{"type":"Div","namespace":"dash_html_components","props":{"id":"greeting","children":"Hello"}}"#
//! );
//! ```
#![deny(missing_docs)]

mod component;
mod dependency;
mod error;
mod excerpt;
#[doc(hidden)]
pub mod fuzzing;
mod id;
pub mod json;
pub mod request;
mod request_shape;
pub mod response;

pub use component::{Children, Component, Number};
pub use dependency::{Dependency, DependencyKind};
pub use error::ProtocolError;
pub use excerpt::{excerpt, ECHO_LIMIT};
pub use id::{ComponentId, IdValue, Wildcard};
pub use request_shape::CallbackShape;
