//! Callbacks: declaration ([`Callback`]), typed functions, and the registry
//! that validates them and answers `_dash-update-component`.

mod args;
mod context;
mod dispatch;
mod error;
mod handler;
mod output;
mod placement;
mod registry;
mod spec;

pub(crate) use args::server_store_arg;
pub use args::{ArgError, ArgSource, CallbackArg};
pub use context::{CallbackContext, Triggered};
pub use error::{CallbackError, PreventUpdate};
pub use handler::{AsyncCallback, ErasedHandlerPublic, SyncCallback};
pub use output::{
    Fallible, IntoCallbackResult, NoUpdate, OutputPlan, Plain, ReturnError, Returned, Update,
};
pub(crate) use output::{NO_UPDATE_JSON, NO_UPDATE_TEXT};
pub use spec::{Callback, Input, Output, State};

pub(crate) use dispatch::{dispatch, CallEnvironment, DispatchError};
pub(crate) use registry::CallbackRegistry;
