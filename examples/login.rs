//! The on_disk_share app (same ids and callbacks) behind the login page
//! mode (docs/login.md).
//!
//! - `/`: public, served by the login layer: an `h1#title` `Welcome` and a
//!   link to `/login`.
//! - `/login`: the form (inputs `username`, `password`, button `login`);
//!   a failed attempt shows `Invalid username or password` (401); a
//!   success goes to `/app`.
//! - `/app` (the Dash app, mounted with `url_base_pathname("/app/")`) and
//!   all its routes need a signed-in user: a page load without one is sent
//!   to `/login`, `_dash-layout`, `_dash-dependencies` and
//!   `_dash-update-component` answer 401 JSON. The page shows
//!   `div#whoami` `Signed in as <user>` and a link to `/logout`, which
//!   ends the sign-in on every worker.
//!
//! Users come from the file named by `DASH_USERS_FILE`, one
//! `user:<argon2 PHC hash>` per line. Make a line with
//! `echo -n 'password' | login --hash-password alice >> users.txt`.
//! `DASH_LOGIN_IDLE_SECS` and `DASH_LOGIN_MAX_SECS` change the idle and
//! absolute timeouts (default 30 minutes and 12 hours).
//!
//! `DASH_USERS_FILE=users.txt cargo run --release --example login -- --workers 2`

use std::io::Read;
use std::time::Duration;

use dash::auth::{LoginPage, Users};
use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const FRUITS: [&str; 4] = ["apples", "oranges", "figs", "pineapples"];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Dataset {
    fruit: String,
    computation_id: String,
    x: Vec<u32>,
    y: Vec<f64>,
}

fn expensive_ms() -> u64 {
    std::env::var("EXPENSIVE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// The expensive step: a slow query, here a sleep and a deterministic series.
fn compute(fruit: &str) -> Dataset {
    std::thread::sleep(Duration::from_millis(expensive_ms()));
    let seed = fruit
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let x: Vec<u32> = (0..200).collect();
    let y = x
        .iter()
        .map(|&i| {
            let level = (seed % 17) as f64 + f64::from(i) * 0.1;
            let wave = ((f64::from(i) + seed as f64) * 0.3).sin() * 3.0;
            ((level + wave) * 100.0).round() / 100.0
        })
        .collect();
    Dataset {
        fruit: fruit.to_owned(),
        computation_id: uuid::Uuid::new_v4().to_string(),
        x,
        y,
    }
}

/// `global_store(fruit)`, memoized for an hour across users, workers and hosts.
fn global_store(ctx: &CallbackContext, fruit: &str) -> Result<Dataset, CallbackError> {
    Ok(ctx.cache()?.memoize(
        "global_store",
        fruit,
        Some(Duration::from_secs(3600)),
        || compute(fruit),
    )?)
}

fn figure(i: usize, data: &Dataset) -> Value {
    let kinds = ["scatter", "bar", "scatter", "histogram"];
    let trace = match kinds[i - 1] {
        "histogram" => json!({"type": "histogram", "x": data.y}),
        "bar" => json!({"type": "bar", "x": data.x, "y": data.y}),
        _ => {
            json!({"type": "scatter", "mode": if i == 1 { "lines" } else { "markers" }, "x": data.x, "y": data.y})
        }
    };
    json!({
        "data": [trace],
        "layout": {"title": {"text": format!("graph-{i}: {} (computation {})", data.fruit, data.computation_id)},
                   "margin": {"t": 60}}
    })
}

fn main() -> Result<(), dash::Error> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--hash-password") {
        return print_users_line(args.next());
    }
    let users = Users::from_env_file("DASH_USERS_FILE")?;
    let mut login = LoginPage::new(users)
        .public_page("/", WELCOME)
        .landing("/app");
    if let Some(idle) = seconds("DASH_LOGIN_IDLE_SECS") {
        login = login.idle_timeout(idle);
    }
    if let Some(max) = seconds("DASH_LOGIN_MAX_SECS") {
        login = login.absolute_timeout(max);
    }
    let mut app = Dash::new()
        .title("Caching and signaling")
        .url_base_pathname("/app/")
        .auth(login);
    app.layout_fn_with(|page: &LayoutContext| {
        let name = page.user().map(|u| u.name().to_owned()).unwrap_or_default();
        html::Div::new().children((
            html::Div::new()
                .id("whoami")
                .children(format!("Signed in as {name}")),
            html::A::new()
                .id("logout")
                .href("/logout")
                .children("Sign out"),
            html::H2::new().children("Sharing data on the server: caching and signaling"),
            dcc::Dropdown::new()
                .id("dropdown")
                .options(FRUITS)
                .value("apples")
                .clearable(false),
            dcc::Store::new().id("signal"),
            html::Div::new()
                .style(json!({"display": "grid", "gridTemplateColumns": "1fr 1fr"}))
                .children((
                    dcc::Graph::new().id("graph-1"),
                    dcc::Graph::new().id("graph-2"),
                    dcc::Graph::new().id("graph-3"),
                    dcc::Graph::new().id("graph-4"),
                )),
        ))
    });
    app.callback(
        Callback::new()
            .output(("signal", "data"))
            .input(("dropdown", "value")),
        |ctx: CallbackContext, fruit: Option<String>| -> Result<String, CallbackError> {
            let fruit = fruit.ok_or(PreventUpdate)?;
            global_store(&ctx, &fruit)?;
            Ok(fruit)
        },
    );
    for i in 1..=4usize {
        app.callback(
            Callback::new()
                .output((format!("graph-{i}"), "figure"))
                .input(("signal", "data")),
            move |ctx: CallbackContext, fruit: Option<String>| -> Result<Value, CallbackError> {
                let fruit = fruit.ok_or(PreventUpdate)?;
                Ok(figure(i, &global_store(&ctx, &fruit)?))
            },
        );
    }
    app.run()
}

const WELCOME: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Welcome</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1 id="title">Welcome</h1>
<p><a id="login-link" href="/login">Sign in</a> to see the shared graphs.</p>
</body></html>
"#;

fn seconds(var: &str) -> Option<Duration> {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64)
}

/// `login --hash-password NAME`: reads the password from stdin (one line,
/// without its newline) and prints `NAME:<argon2id hash>` for the users
/// file.
fn print_users_line(name: Option<String>) -> Result<(), dash::Error> {
    let Some(name) = name.filter(|n| !n.is_empty() && !n.contains([':', ' ', ','])) else {
        eprintln!("usage: echo -n PASSWORD | login --hash-password NAME");
        std::process::exit(2);
    };
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.strip_suffix('\n').unwrap_or(&password);
    let password = password.strip_suffix('\r').unwrap_or(password);
    println!("{name}:{}", dash::auth::hash_password(password));
    Ok(())
}
