//! The callback context section of the parity tour: Python's
//! `tests/integration/callbacks/test_callback_context.py` (`test_cbcx001`,
//! `test_cbcx002`, `test_cbcx007`, `test_cbcx008`), plus `args_grouping`,
//! `inputs_list` and the request facts.

use dash::prelude::*;
use serde_json::json;

const BUTTONS: [&str; 5] = ["btn-1", "btn-2", "btn-3", "btn-4", "btn-5"];

fn pmc_button() -> ComponentId {
    ComponentId::object([("type", "btn".into()), ("index", "myindex".into())])
}

/// The section's components.
pub fn layout() -> html::Div {
    html::Div::new().id("context").children((
        html::H3::new().children("The callback context"),
        dcc::Input::new().id("cbcx-input").value("ab"),
        html::Div::new().id("cbcx-output"),
        html::Div::new().children(
            BUTTONS
                .iter()
                .map(|b| html::Button::new().id(*b).children(*b).into())
                .collect::<Vec<Component>>(),
        ),
        html::Div::new().id("cbcx-clicked"),
        html::Div::new().id("cbcx-triggered-id"),
        html::Div::new().id("cbcx-grouping"),
        html::Button::new().id(pmc_button()).children("Click me"),
        html::Div::new().id("cbcx-pmc-output"),
        html::Div::new().id("cbcx-request"),
    ))
}

/// The section's callbacks.
pub fn callbacks(app: &mut Dash) {
    // cbcx001: a cookie set on the answer with ctx.response().
    app.callback(
        Callback::new()
            .output(("cbcx-output", "children"))
            .input(("cbcx-input", "value")),
        |ctx: CallbackContext, value: String| -> Result<String, CallbackError> {
            ctx.response().set_cookie(dash::cookie::Cookie::new(
                "dash_cookie",
                format!("{value} - cookie"),
            ))?;
            Ok(format!("{value} - output"))
        },
    );
    // cbcx002: the first triggered input and its value.
    let mut clicks = Callback::new().output(("cbcx-clicked", "children"));
    for b in BUTTONS {
        clicks = clicks.input((b, "n_clicks"));
    }
    app.callback(
        clicks,
        |ctx: CallbackContext,
         _: Option<u64>,
         _: Option<u64>,
         _: Option<u64>,
         _: Option<u64>,
         _: Option<u64>| {
            let Some(first) = ctx.triggered().into_iter().next() else {
                return Err(PreventUpdate.into());
            };
            let id = first
                .prop_id
                .split('.')
                .next()
                .unwrap_or_default()
                .to_owned();
            Ok::<_, CallbackError>(format!("Just clicked {id} for the {} time!", first.value))
        },
    );
    // cbcx007: triggered_prop_ids as a map and triggered_id; args_grouping.
    let mut ids = Callback::new()
        .output(("cbcx-triggered-id", "children"))
        .output(("cbcx-grouping", "children"));
    for b in BUTTONS {
        ids = ids.input((b, "n_clicks"));
    }
    app.callback(
        ids,
        |ctx: CallbackContext,
         _: Option<u64>,
         _: Option<u64>,
         _: Option<u64>,
         _: Option<u64>,
         _: Option<u64>| {
            let triggered = ctx.triggered_prop_ids_map();
            for b in BUTTONS {
                if triggered.values().any(|v| v == b) {
                    assert_eq!(ctx.triggered_id(), Some(ComponentId::from(b)));
                    let grouping: Vec<String> = ctx
                        .args_grouping()
                        .iter()
                        .flat_map(|g| g.entries().to_vec())
                        .map(|e| {
                            format!(
                                "{}={}{}",
                                e.str_id,
                                e.value,
                                if e.triggered { "*" } else { "" }
                            )
                        })
                        .collect();
                    let clicked = format!("Just clicked {b}");
                    let grouping =
                        format!("{} inputs: {}", ctx.inputs_list().len(), grouping.join(" "));
                    return Ok::<_, CallbackError>((clicked, grouping));
                }
            }
            Err(PreventUpdate.into())
        },
    );
    // cbcx008: a pattern-matching id in triggered_prop_ids and triggered_id.
    app.callback(
        Callback::new()
            .output(("cbcx-pmc-output", "children"))
            .input(Input::new(
                ComponentId::object([("type", "btn".into()), ("index", Wildcard::All.into())]),
                "n_clicks",
            )),
        |ctx: CallbackContext, _clicks: Vec<Option<u64>>| {
            let (_, id) = ctx.triggered_prop_ids_map().into_iter().next()?;
            assert_eq!(Some(&id), ctx.triggered_id().map(|t| json!(t)).as_ref());
            (id == json!(pmc_button())).then(|| id["index"].as_str().unwrap_or_default().to_owned())
        },
    );
    // The HTTP request behind the call; also served as a JSON route
    // (Dash 4's api_endpoint).
    app.callback(
        Callback::new()
            .output(("cbcx-request", "children"))
            .input(("cbcx-input", "value"))
            .api_endpoint("/api/request"),
        |ctx: CallbackContext, _: Option<String>| {
            format!(
                "path {} from {}",
                ctx.request_path(),
                ctx.remote_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_else(|| "?".into())
            )
        },
    );
}
