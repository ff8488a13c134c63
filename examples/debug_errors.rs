//! A callback that fails on purpose, to see how errors reach the browser:
//! in debug mode (`--debug` or `DASH_DEBUG=1`) the dev-tools panel shows the
//! error and the callback; otherwise the server answers 500 and logs it.
//!
//! `cargo run --example debug_errors -- --debug`

use dash::prelude::*;

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Callback errors");
    app.layout(
        html::Div::new().children((
            html::Button::new().id("boom").children("Fail").n_clicks(0),
            html::Div::new().id("boom-out").children("not clicked"),
            html::Button::new()
                .id("panic")
                .children("Panic")
                .n_clicks(0),
            html::Div::new().id("panic-out"),
        )),
    );
    app.callback(
        Callback::new()
            .output(("boom-out", "children"))
            .input(("boom", "n_clicks"))
            .prevent_initial_call(true),
        |n: u64| -> Result<String, CallbackError> {
            if n >= 1 {
                return Err(CallbackError::msg("boom: intentional failure"));
            }
            Ok("fine".into())
        },
    );
    app.callback(
        Callback::new()
            .output(("panic-out", "children"))
            .input(("panic", "n_clicks"))
            .prevent_initial_call(true),
        |n: u64| -> String {
            assert!(n == 0, "panic: intentional panic after {n} clicks");
            "fine".into()
        },
    );
    app.run()
}
