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

pub use args::{ArgError, ArgSource, CallbackArg};
pub use context::{CallbackContext, Triggered};
pub use error::{CallbackError, PreventUpdate};
pub use handler::{AsyncCallback, ErasedHandlerPublic, SyncCallback};
pub use output::{Fallible, IntoCallbackResult, NoUpdate, Plain, ReturnError, Update};
pub use spec::{Callback, Input, Output, State};

pub(crate) use dispatch::{
    call_error, check_request, dispatch, fill_response, panic_text, return_error, CallEnvironment,
    DispatchError,
};
pub(crate) use handler::{CallFuture, ErasedHandler};
pub(crate) use placement::blocking_section;
pub(crate) use registry::{CallbackRegistry, RegisteredCallback};
