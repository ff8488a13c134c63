//! Clientside callbacks on the wire: the dependency entry names the
//! function (inline code under the MD5 of its text, as Python), the page
//! defines inline functions after the front end, and the server refuses to
//! run one (400). Their behaviour in the browser is in e2e/parity_tour.test.js.

use dash::callback::ClientsideFunction;
use dash::prelude::*;
use serde_json::{json, Value};

const CODE: &str = "function(v) { return v + '!'; }";

async fn start() -> String {
    let mut app = Dash::new();
    app.layout(html::Div::new().children((
        dcc::Input::new().id("in").value("a"),
        html::Div::new().id("out"),
        html::Div::new().id("named"),
    )));
    app.clientside_callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        CODE,
    );
    app.clientside_callback(
        Callback::new()
            .output(("named", "children"))
            .input(("in", "value")),
        ClientsideFunction::new("ui", "shout"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn clientside_callbacks_are_declared_put_on_the_page_and_never_run_by_the_server() {
    let base = start().await;
    let deps: Value = reqwest::get(format!("{base}/_dash-dependencies"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // hashlib.sha256(CODE.encode()).hexdigest(), as Python Dash 4.4.1 names it.
    let sha = std::process::Command::new("python3")
        .args([
            "-c",
            &format!("import hashlib; print(hashlib.sha256({CODE:?}.encode()).hexdigest())"),
        ])
        .output()
        .unwrap();
    let sha = String::from_utf8(sha.stdout).unwrap().trim().to_owned();
    assert_eq!(sha.len(), 64);
    let inline = &deps[0]["clientside_function"];
    assert_eq!(inline["namespace"], "_dashprivate_clientside_funcs");
    assert_eq!(inline["function_name"], sha.as_str());
    assert_eq!(deps[0]["dynamic_creator"], json!(false));
    assert_eq!(
        deps[1]["clientside_function"],
        json!({"namespace": "ui", "function_name": "shout"})
    );
    let page = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let name = inline["function_name"].as_str().unwrap();
    let script = format!("    ns[\"{name}\"] = {CODE};\n}})();");
    let at = page.find(&script).expect("the inline function on the page");
    assert!(
        at > page.rfind("dash_table/bundle").unwrap(),
        "after the front end's scripts"
    );
    let body = json!({"output": "out.children", "outputs": {"id": "out", "property": "children"},
        "inputs": [{"id": "in", "property": "value", "value": "a"}], "changedPropIds": []});
    let r = reqwest::Client::new()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let answer: Value = r.json().await.unwrap();
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("runs in the browser"),
        "{answer}"
    );
}
