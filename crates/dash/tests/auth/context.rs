//! The signed-in user where callbacks run beyond the update route: API
//! endpoints and background jobs, which also need the sign-in.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::*;

/// A background callback whose job reports the signed-in user.
fn background_app() -> Dash {
    let mut app = Dash::new()
        .cache_url("memory://")
        .secret_key(KEY)
        .url_base_pathname("/app/")
        .auth(login_page());
    app.layout(html::Div::new().children((
        html::Button::new().id("run"),
        html::Div::new().id("job-out"),
    )));
    app.callback(
        Callback::new()
            .output(("job-out", "children"))
            .input(("run", "n_clicks"))
            .prevent_initial_call(true)
            .background(),
        |ctx: CallbackContext, _n: Option<u32>| {
            format!(
                "job for {}",
                ctx.user().map(|u| u.name()).unwrap_or("nobody")
            )
        },
    );
    app
}

#[tokio::test]
async fn a_background_job_sees_the_signed_in_user() {
    let site = Site::new(background_app()).await;
    let (_, login) = site.sign_in("bob", "bob-pw", None).await;
    let login = login.unwrap();
    // The page: a session cookie and the page load's end_id.
    let page = site.get("/app/", Some(&login), true).await;
    assert_eq!(page.status, 200);
    let session = format!("dash_session={}", page.cookie("dash_session").unwrap());
    let cookies = format!("{login}; {session}");
    let at = page.body.find("\"end_id\":\"").expect("an end_id") + 10;
    let end_id = &page.body[at..at + page.body[at..].find('"').unwrap()];
    let body = json!({"output": "job-out.children", "outputs": {"id": "job-out", "property": "children"},
                      "inputs": [{"id": "run", "property": "n_clicks", "value": 1}],
                      "changedPropIds": ["run.n_clicks"]});
    let post = |query: String, cookie: String| {
        let r = site
            .client
            .post(format!(
                "{}/app/_dash-update-component?endId={end_id}{query}",
                site.base
            ))
            .header("cookie", cookie)
            .json(&body);
        async move { Answer::of(r.send().await.unwrap()).await }
    };
    // Without the sign-in cookie the job is not even started.
    let refused = post(String::new(), session.clone()).await;
    assert_eq!(refused.status, 401);
    assert!(!refused.body.contains("cacheKey"), "{}", refused.body);
    let first = post(String::new(), cookies.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let first: Value = serde_json::from_str(&first.body).unwrap();
    let query = format!(
        "&cacheKey={}&job={}",
        first["cacheKey"].as_str().unwrap(),
        first["job"].as_str().unwrap()
    );
    // Polls need the sign-in too.
    assert_eq!(post(query.clone(), session.clone()).await.status, 401);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let a = post(query.clone(), cookies.clone()).await;
        assert_eq!(a.status, 200, "{}", a.body);
        let v: Value = serde_json::from_str(&a.body).unwrap();
        if let Some(out) = v.get("response") {
            assert_eq!(out["job-out"]["children"], "job for bob");
            break;
        }
        assert!(Instant::now() < deadline, "the job did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn api_endpoints_need_a_user_and_see_it() {
    let site = Site::new(app(login_page())).await;
    let call = |cookie: Option<String>| {
        let mut r = site
            .client
            .post(format!("{}/app/api/whoami", site.base))
            .header("content-type", "application/json")
            .body(r#"{"api-in": 1}"#);
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        async move { Answer::of(r.send().await.unwrap()).await }
    };
    let a = call(None).await;
    assert_eq!(a.status, 401);
    a.has_no_app_data();
    let (_, cookie) = site.sign_in("bob", "bob-pw", None).await;
    let a = call(cookie).await;
    assert_eq!((a.status, a.body.as_str()), (200, "\"bob\""));
}
