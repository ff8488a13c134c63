//! dcc.Store storage types side by side (memory, session, local), the
//! hidden-div variant, `clear_data` and `modified_timestamp`. Used by the
//! browser tests of persistence across reloads, tabs and browsers.
//!
//! `cargo run --example store_persistence`

use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What the stores hold.
#[derive(Debug, Serialize, Deserialize)]
struct Note {
    text: String,
    clicks: u64,
}

fn show(note: Option<Note>) -> String {
    match note {
        Some(n) => format!("{} ({} clicks)", n.text, n.clicks),
        None => "empty".to_owned(),
    }
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Store persistence");
    app.layout(
        html::Div::new().children((
            dcc::Input::new().id("text").value("hello"),
            html::Button::new()
                .id("write")
                .children("Write")
                .n_clicks(0),
            html::Button::new()
                .id("clear")
                .children("Clear local")
                .n_clicks(0),
            dcc::Store::new().id("store-memory").storage_type("memory"),
            dcc::Store::new()
                .id("store-session")
                .storage_type("session"),
            dcc::Store::new().id("store-local").storage_type("local"),
            html::Div::new()
                .id("hidden-div")
                .style(json!({"display": "none"})),
            html::Div::new().id("show-memory"),
            html::Div::new().id("show-session"),
            html::Div::new().id("show-local"),
            html::Div::new().id("show-hidden"),
            html::Div::new().id("local-timestamp"),
        )),
    );
    app.callback(
        Callback::new()
            .output(("store-memory", "data"))
            .output(("store-session", "data"))
            .output(("store-local", "data"))
            .output(("hidden-div", "children"))
            .input(("write", "n_clicks"))
            .state(("text", "value"))
            .prevent_initial_call(true),
        |clicks: u64, text: String| -> Result<(Note, Note, Note, String), CallbackError> {
            let note = || Note {
                text: text.clone(),
                clicks,
            };
            let hidden = serde_json::to_string(&note())?;
            Ok((note(), note(), note(), hidden))
        },
    );
    app.callback(
        Callback::new()
            .output(("store-local", "clear_data"))
            .input(("clear", "n_clicks"))
            .prevent_initial_call(true),
        |_: u64| true,
    );
    for kind in ["memory", "session", "local"] {
        app.callback(
            Callback::new()
                .output((format!("show-{kind}"), "children"))
                .input((format!("store-{kind}"), "data")),
            move |note: Option<Note>| format!("{kind}: {}", show(note)),
        );
    }
    app.callback(
        Callback::new()
            .output(("show-hidden", "children"))
            .input(("hidden-div", "children")),
        |json: Option<String>| -> Result<String, CallbackError> {
            let note: Option<Note> = json.as_deref().map(serde_json::from_str).transpose()?;
            Ok(format!("hidden: {}", show(note)))
        },
    );
    app.callback(
        Callback::new()
            .output(("local-timestamp", "children"))
            .input(("store-local", "modified_timestamp")),
        |ts: Option<i64>| {
            format!(
                "local modified: {}",
                if ts.unwrap_or(-1) > 0 { "yes" } else { "no" }
            )
        },
    );
    app.run()
}
