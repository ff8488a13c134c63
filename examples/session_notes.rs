//! A notebook per browser session, kept on the server: each saved note goes
//! into this session's own server-side cache, and the list shown is read
//! back from there, in whichever worker process answers. Another browser has
//! its own notebook. The page holds only the public session handle.
//!
//! `cargo run --release --example session_notes -- --workers 2`

use dash::prelude::*;

/// The notes saved so far by this session.
fn notes(ctx: &CallbackContext) -> Result<Vec<String>, CallbackError> {
    Ok(ctx.session_cache()?.get("notes").unwrap_or_default())
}

fn check_handle(ctx: &CallbackContext, handle: Option<String>) -> Result<(), CallbackError> {
    if handle.is_none() || handle != ctx.session_handle() {
        return Err(CallbackError::msg(
            "the session-handle store does not match this browser's session",
        ));
    }
    Ok(())
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("A notebook per session");
    app.layout_fn_with(|page: &LayoutContext| {
        html::Div::new().children((
            html::H2::new().children("A notebook per session, on the server"),
            dcc::Store::new()
                .id("session-handle")
                .data(page.session_handle()),
            dcc::Input::new().id("note").type_("text").value(""),
            html::Button::new().id("save").children("Save").n_clicks(0),
            html::Div::new().id("saved"),
            html::Ul::new().id("notes"),
        ))
    });
    app.callback(
        Callback::new()
            .output(("saved", "children"))
            .input(("save", "n_clicks"))
            .state(("note", "value"))
            .state(("session-handle", "data"))
            .prevent_initial_call(true),
        |ctx: CallbackContext,
         _clicks: Option<u64>,
         note: Option<String>,
         handle: Option<String>|
         -> Result<String, CallbackError> {
            check_handle(&ctx, handle)?;
            let note = note.filter(|n| !n.trim().is_empty()).ok_or(PreventUpdate)?;
            let mut all = notes(&ctx)?;
            all.push(note);
            ctx.session_cache()?.set("notes", &all, None)?;
            Ok(format!("{} notes saved", all.len()))
        },
    );
    app.callback(
        Callback::new()
            .output(("notes", "children"))
            .input(("saved", "children"))
            .state(("session-handle", "data")),
        |ctx: CallbackContext,
         _saved: Option<String>,
         handle: Option<String>|
         -> Result<Vec<html::Li>, CallbackError> {
            check_handle(&ctx, handle)?;
            Ok(notes(&ctx)?
                .into_iter()
                .map(|n| html::Li::new().children(n))
                .collect())
        },
    );
    app.run()
}
