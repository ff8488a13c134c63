//! Callback functions of any arity, sync or async, erased to one type.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::args::{ArgError, ArgSource, CallbackArg};
use super::one_pass::{one_pass_for, OnePass};
use super::output::{IntoCallbackResult, ReturnError, Returned};

/// A failed call before or after the function ran.
pub(crate) enum CallError {
    Arg(ArgError),
    Return(ReturnError),
}

pub(crate) type CallFuture = Pin<Box<dyn Future<Output = Result<Returned, ReturnError>> + Send>>;
type SyncFn = dyn Fn(&ArgSource<'_>) -> Result<Returned, CallError> + Send + Sync;
type AsyncFn = dyn Fn(&ArgSource<'_>) -> Result<CallFuture, CallError> + Send + Sync;

/// A registered function with its type erased, and the parser that reads
/// a large request for it in one pass (`one_pass`).
#[derive(Clone)]
pub(crate) enum ErasedHandler {
    Sync(Arc<SyncFn>, OnePass),
    Async(Arc<AsyncFn>, OnePass),
    /// Runs in the browser: the server never calls it.
    Clientside,
}

impl ErasedHandler {
    /// The function's one-pass parser (none for a clientside callback).
    pub(crate) fn one_pass(&self) -> Option<&OnePass> {
        match self {
            ErasedHandler::Sync(_, parse) | ErasedHandler::Async(_, parse) => Some(parse),
            ErasedHandler::Clientside => None,
        }
    }
}

/// A function usable as a synchronous callback: `Fn(A1, .., An) -> R`
/// where each `Ai` is a [`CallbackArg`] and `R` an [`IntoCallbackResult`].
/// It runs on a blocking thread, off the async executor.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid Dash callback",
    note = "a callback is a `Fn` whose arguments implement `serde::Deserialize` (or are `CallbackContext`) and whose return value implements `Serialize` or is a `Result` of one"
)]
pub trait SyncCallback<M>: Send + Sync + 'static {
    /// Number of Input and State slots the arguments consume.
    fn slots(&self) -> usize;
    #[doc(hidden)]
    fn into_erased(self) -> ErasedHandlerPublic;
}

/// A function usable as an async callback: `Fn(A1, .., An) -> impl Future<Output = R>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid async Dash callback",
    note = "an async callback is a `Fn` returning a `Send` future whose output implements `Serialize` or is a `Result` of one"
)]
pub trait AsyncCallback<M>: Send + Sync + 'static {
    /// Number of Input and State slots the arguments consume.
    fn slots(&self) -> usize;
    #[doc(hidden)]
    fn into_erased(self) -> ErasedHandlerPublic;
}

/// Opaque wrapper so the erased handler can leave the traits.
#[doc(hidden)]
pub struct ErasedHandlerPublic(pub(crate) ErasedHandler);

macro_rules! impl_handlers {
    ($($a:ident),*) => {
        super::one_pass::impl_tuple_decoder!($($a),*);

        impl<F, R, RM, $($a,)*> SyncCallback<(RM, $($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: IntoCallbackResult<RM>,
            $($a: CallbackArg,)*
        {
            fn slots(&self) -> usize {
                0 $(+ $a::SLOTS)*
            }

            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn into_erased(self) -> ErasedHandlerPublic {
                ErasedHandlerPublic(ErasedHandler::Sync(Arc::new(move |src: &ArgSource<'_>| {
                    let mut next = 0usize;
                    $(let $a = $a::extract(src, &mut next).map_err(CallError::Arg)?;)*
                    (self)($($a),*).into_callback_result(src.output_plan.as_deref()).map_err(CallError::Return)
                }), one_pass_for::<($($a,)*)>()))
            }
        }

        impl<F, Fut, R, RM, $($a,)*> AsyncCallback<(RM, $($a,)*)> for F
        where
            F: Fn($($a),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoCallbackResult<RM>,
            $($a: CallbackArg,)*
        {
            fn slots(&self) -> usize {
                0 $(+ $a::SLOTS)*
            }

            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn into_erased(self) -> ErasedHandlerPublic {
                ErasedHandlerPublic(ErasedHandler::Async(Arc::new(move |src: &ArgSource<'_>| {
                    let mut next = 0usize;
                    $(let $a = $a::extract(src, &mut next).map_err(CallError::Arg)?;)*
                    let fut = (self)($($a),*);
                    let plan = src.output_plan.clone();
                    let boxed: CallFuture = Box::pin(async move { fut.await.into_callback_result(plan.as_deref()) });
                    Ok(boxed)
                }), one_pass_for::<($($a,)*)>()))
            }
        }
    };
}

impl_handlers!();
impl_handlers!(A1);
impl_handlers!(A1, A2);
impl_handlers!(A1, A2, A3);
impl_handlers!(A1, A2, A3, A4);
impl_handlers!(A1, A2, A3, A4, A5);
impl_handlers!(A1, A2, A3, A4, A5, A6);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15);
impl_handlers!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16);
