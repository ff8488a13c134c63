//! Callbacks: declaration ([`Callback`]), typed functions, and the registry
//! that validates them and answers `_dash-update-component`.

mod app_defaults;
mod args;
mod clientside;
mod context;
mod dispatch;
mod error;
mod handler;
mod on_error;
mod output;
mod placement;
mod registry;
mod spec;

pub use args::{ArgError, ArgSource, CallbackArg};
pub use clientside::{ClientsideCode, ClientsideFunction};
pub use context::{CallbackContext, Triggered};
pub use error::{CallbackError, PreventUpdate};
pub use handler::{AsyncCallback, ErasedHandlerPublic, SyncCallback};
pub use on_error::ErrorHandler;
pub use output::{Fallible, IntoCallbackResult, NoUpdate, Plain, ReturnError, Update};
pub use spec::{Callback, InitialCall, Input, Output, State};

pub(crate) use dispatch::{dispatch, CallEnvironment, DispatchError};
pub(crate) use registry::CallbackRegistry;
