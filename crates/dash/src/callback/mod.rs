//! Callbacks: declaration ([`Callback`]), typed functions, and the registry
//! that validates them and answers `_dash-update-component`.

pub(crate) mod api_endpoint;
mod app_defaults;
mod args;
mod clientside;
mod context;
mod context_args;
mod dispatch;
mod error;
mod handler;
mod on_error;
pub(crate) mod one_pass;
mod output;
mod placement;
mod registry;
mod response;
mod spec;
pub(crate) mod synthetic;

pub(crate) use args::server_store_arg;
pub use args::{ArgError, ArgSource, CallbackArg};
pub use clientside::{ClientsideCode, ClientsideFunction};
pub use context::{CallbackContext, Triggered};
pub(crate) use context_args::RequestFacts;
pub use context_args::{ArgEntry, ArgGroup};
pub use error::{CallbackError, PreventUpdate};
pub use handler::{AsyncCallback, ErasedHandlerPublic, SyncCallback};
pub use on_error::ErrorHandler;
pub use output::{
    Fallible, IntoCallbackResult, NoUpdate, OutputPlan, Plain, ReturnError, Returned, Update,
};
pub(crate) use output::{NO_UPDATE_JSON, NO_UPDATE_TEXT};
pub use response::ResponseHeaders;
pub use spec::{Callback, InitialCall, Input, Output, State};

pub(crate) use dispatch::{
    call_error, check_request, commit, dispatch, fill_response, handled, output_plan, panic_text,
    return_error, wrong_count, CallEnvironment, DispatchError,
};
pub(crate) use handler::{CallError, CallFuture, ErasedHandler};
pub(crate) use placement::blocking_section;
pub(crate) use registry::{CallbackRegistry, RegisteredCallback};
