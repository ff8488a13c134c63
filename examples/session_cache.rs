//! Per-session data on the server: each browser session gets its own
//! expensive result, computed once and reused by every callback of that
//! session, in any worker process. Another browser gets its own.
//!
//! The session lives in the signed `dash_session` cookie, which page
//! scripts cannot read (see docs/sharing-data.md). The layout function puts
//! the session's public handle, not its id, in the dcc.Store `session-id`;
//! callbacks check it against their own session's handle.
//!
//! `cargo run --release --example session_cache -- --workers 2`

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dash::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    time: String,
    value: String,
}

fn expensive_ms() -> u64 {
    std::env::var("EXPENSIVE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// UTC time as `YYYY-MM-DD HH:MM:SS`.
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The expensive step for one session.
fn make_dataframe() -> Vec<Row> {
    std::thread::sleep(Duration::from_millis(expensive_ms()));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    [(15, "a"), (10, "b"), (5, "a"), (0, "c")]
        .iter()
        .map(|(ago, v)| Row {
            time: utc(now - ago),
            value: (*v).to_owned(),
        })
        .collect()
}

/// `get_dataframe(session)`, memoized in this session's own cache.
fn get_dataframe(ctx: &CallbackContext, handle: &str) -> Result<Vec<Row>, CallbackError> {
    if ctx.session_handle().as_deref() != Some(handle) {
        return Err(CallbackError::msg(
            "the session-id store does not match this browser's session",
        ));
    }
    Ok(ctx
        .session_cache()?
        .memoize("get_dataframe", &(), None, make_dataframe)?)
}

fn csv(rows: &[Row]) -> String {
    let mut out = String::from("time,value\n");
    for r in rows {
        out.push_str(&format!("{},{}\n", r.time, r.value));
    }
    out
}

fn output(
    label: &str,
    ctx: &CallbackContext,
    clicks: Option<u64>,
    session: Option<String>,
) -> Result<html::Div, CallbackError> {
    let session = session.ok_or(PreventUpdate)?;
    let rows = get_dataframe(ctx, &session)?;
    Ok(html::Div::new().children((
        format!(
            "{label} - Button has been clicked {} times",
            clicks.unwrap_or(0)
        ),
        html::Pre::new().children(csv(&rows)),
    )))
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Per-session data on the server");
    app.layout_fn_with(|page: &LayoutContext| {
        html::Div::new().children((
            html::H2::new().children("Per-session data on the server"),
            dcc::Store::new()
                .id("session-id")
                .data(page.session_handle()),
            html::Button::new()
                .id("get-data-button")
                .children("Get data")
                .n_clicks(0),
            html::Div::new().id("output-1"),
            html::Div::new().id("output-2"),
        ))
    });
    for (n, label) in [(1, "Output 1"), (2, "Output 2")] {
        app.callback(
            Callback::new()
                .output((format!("output-{n}"), "children"))
                .input(("get-data-button", "n_clicks"))
                .input(("session-id", "data")),
            move |ctx: CallbackContext, clicks: Option<u64>, session: Option<String>| {
                output(label, &ctx, clicks, session)
            },
        );
    }
    app.run()
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00");
        assert_eq!(super::utc(1_700_000_000), "2023-11-14 22:13:20");
    }
}
