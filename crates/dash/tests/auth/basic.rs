//! HTTP basic auth: the challenge, wrong and unknown credentials, then
//! the app's answers for valid ones (dash-auth's ba001 ported).

use serde_json::{json, Value};

use super::*;

/// dash-auth's `test_ba001_basic_auth_login_flow`, over HTTP: the app at
/// the root, refused without or with wrong credentials (dash-auth answers
/// 403 for `_dash-layout`; we answer 401 with the challenge on every
/// route), then each valid user (one password holds a `:`) gets the
/// callback's output.
#[tokio::test]
async fn ba001_basic_auth_login_flow() {
    let users = format!(
        "hello:{}\nhello2:{}\n",
        hash_password("world"),
        hash_password("wo:rld")
    );
    let mut app = Dash::new()
        .cache_url("memory://")
        .secret_key(KEY)
        .auth(BasicAuth::new(Users::parse(&users).unwrap()));
    app.layout(html::Div::new().children((
        dcc::Input::new().id("input").value("initial value"),
        html::Div::new().id("output"),
    )));
    app.callback(
        Callback::new()
            .output(("output", "children"))
            .input(("input", "value")),
        |v: Option<String>| v.unwrap_or_default(),
    );
    let site = Site::new(app).await;
    let basic = |user: &str, pw: &str| {
        use base64::Engine;
        let pair = format!("{user}:{pw}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    };
    let body = json!({"output": "output.children", "outputs": {"id": "output", "property": "children"},
                      "inputs": [{"id": "input", "property": "value", "value": "initial value"}],
                      "changedPropIds": []});
    for auth in [None, Some(basic("hello", "password"))] {
        for path in ["/", "/_dash-layout"] {
            let mut r = site.client.get(format!("{}{path}", site.base));
            if let Some(a) = &auth {
                r = r.header("authorization", a);
            }
            let a = Answer::of(r.send().await.unwrap()).await;
            assert_eq!(a.status, 401, "{path} {auth:?}");
            assert!(!a.body.contains("initial value"), "{}", a.body);
        }
    }
    for (user, pw) in [("hello", "world"), ("hello2", "wo:rld")] {
        let r = site
            .client
            .post(format!("{}/_dash-update-component", site.base))
            .header("authorization", basic(user, pw))
            .json(&body)
            .send()
            .await
            .unwrap();
        let a = Answer::of(r).await;
        assert_eq!(a.status, 200, "{user}");
        let v: Value = serde_json::from_str(&a.body).unwrap();
        assert_eq!(v["response"]["output"]["children"], "initial value");
    }
}

#[tokio::test]
async fn basic_auth_answers_401_with_a_challenge_then_200() {
    let basic = BasicAuth::new(users()).realm("Reports");
    let site = Site::new(app(basic)).await;
    let with = |user: &str, pw: &str| {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
        )
    };
    let get = |path: &'static str, auth: Option<String>| {
        let mut r = site.client.get(format!("{}{path}", site.base));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        async move { Answer::of(r.send().await.unwrap()).await }
    };
    for auth in [
        None,
        Some(with("alice", "wrong")),
        Some(with("mallory", "alice-pw")),
        Some("Basic !!".into()),
    ] {
        for path in ["/app/", "/app/_dash-layout", "/app/_dash-dependencies"] {
            let a = get(path, auth.clone()).await;
            assert_eq!(a.status, 401, "{path} {auth:?}");
            assert_eq!(
                a.header("www-authenticate"),
                Some("Basic realm=\"Reports\", charset=\"UTF-8\"")
            );
            a.has_no_app_data();
        }
    }
    // Twice: the second is answered from the remembered credentials.
    for _ in 0..2 {
        let a = get("/app/_dash-layout", Some(with("bob", "bob-pw"))).await;
        assert_eq!(a.status, 200);
        assert!(a.body.contains("Signed in as bob"));
    }
    let a = site
        .client
        .post(format!("{}/app/_dash-update-component", site.base))
        .header("authorization", with("alice", "alice-pw"))
        .json(&update_body("q"))
        .send()
        .await
        .unwrap();
    let a = Answer::of(a).await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("alice[\\\"admins\\\"]: q"), "{}", a.body);
    let a = site
        .client
        .post(format!("{}/app/_dash-update-component", site.base))
        .json(&update_body("q"))
        .send()
        .await
        .unwrap();
    let a = Answer::of(a).await;
    assert_eq!(a.status, 401);
    a.has_no_app_data();
}
