//! A page as the renderer is one: its session cookie, its `end_id`, and
//! the background protocol's requests (protocol notes §7).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One page load: the cookie and `end_id` it got.
#[derive(Clone)]
pub struct Page {
    pub base: String,
    pub cookie: String,
    pub end_id: String,
    client: reqwest::Client,
}

/// A job's handles, from the first answer.
#[derive(Clone, Debug)]
pub struct Job {
    pub cache_key: String,
    pub job: String,
    pub first: Value,
}

/// The answers of one run, poll by poll.
#[derive(Debug, Default)]
pub struct Run {
    pub answers: Vec<(u16, Value)>,
}

impl Run {
    /// Every value a prop took, in order, from `progress` and `sideUpdate`.
    pub fn values(&self, id: &str, prop: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for (_, a) in &self.answers {
            if let Some(v) = a["sideUpdate"][id].get(prop) {
                out.push(v.clone());
            }
            if let Some(v) = a["progress"].get(format!("{id}.{prop}")) {
                out.push(v.clone());
            }
        }
        out
    }

    /// The last answer.
    pub fn last(&self) -> &(u16, Value) {
        self.answers.last().expect("at least one answer")
    }

    /// The result of `id.prop` in the final answer.
    pub fn result(&self, id: &str, prop: &str) -> Value {
        self.last().1["response"][id][prop].clone()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl Page {
    /// Loads the page: a new session (or `cookie`'s) and a new `end_id`.
    pub async fn open_with(base: &str, cookie: Option<&str>) -> Page {
        let client = client();
        let mut req = client.get(format!("{base}/"));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let r = req.send().await.unwrap();
        let set = r
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
        let html = r.text().await.unwrap();
        let at = html.find("\"end_id\":\"").expect("the page has an end_id") + 10;
        let end_id = html[at..html[at..].find('"').unwrap() + at].to_owned();
        Page {
            base: base.to_owned(),
            cookie: set.or(cookie.map(str::to_owned)).expect("a session cookie"),
            end_id,
            client,
        }
    }

    pub async fn open(base: &str) -> Page {
        Page::open_with(base, None).await
    }

    /// Another page load of the same session.
    pub async fn reload(&self) -> Page {
        Page::open_with(&self.base, Some(&self.cookie)).await
    }

    /// POSTs `body` with `query` (after `endId`).
    pub async fn post(&self, query: &str, body: &Value) -> (u16, Value) {
        let mut url = format!("{}/_dash-update-component?endId={}", self.base, self.end_id);
        if !query.is_empty() {
            url.push('&');
            url.push_str(query);
        }
        self.post_url(&url, body).await
    }

    pub async fn post_url(&self, url: &str, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(url)
            .header("cookie", &self.cookie)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Fires a background callback; panics unless it answers with handles.
    pub async fn start(&self, body: &Value, query: &str) -> Job {
        let (status, first) = self.post(query, body).await;
        assert_eq!(status, 200, "start: {first}");
        Job {
            cache_key: first["cacheKey"].as_str().expect("cacheKey").to_owned(),
            job: first["job"].as_str().expect("job").to_owned(),
            first,
        }
    }

    /// One poll, with the values blanked as the renderer blanks them.
    pub async fn poll(&self, job: &Job, body: &Value) -> (u16, Value) {
        self.post(
            &format!("cacheKey={}&job={}", job.cache_key, job.job),
            &blank(body),
        )
        .await
    }

    /// Polls every `every` until an answer ends the job (a `response`, or
    /// any status but 200), at most `limit`.
    pub async fn run(&self, job: &Job, body: &Value, every: Duration, limit: Duration) -> Run {
        let mut run = Run::default();
        let deadline = Instant::now() + limit;
        loop {
            assert!(Instant::now() < deadline, "the job did not end: {run:?}");
            tokio::time::sleep(every).await;
            let (status, answer) = self.poll(job, body).await;
            let done = status != 200 || answer.get("response").is_some();
            run.answers.push((status, answer));
            if done {
                return run;
            }
        }
    }

    /// `_dash-metrics` as text.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/_dash-metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

/// The value of `name{...scope="all"}` in metrics text.
pub fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(&format!("{name}{{")) && l.contains("scope=\"all\""))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from the metrics:\n{text}"))
}

/// The request body with each top-level input and state value set to
/// null, as the renderer polls.
pub fn blank(body: &Value) -> Value {
    let mut b = body.clone();
    for field in ["inputs", "state"] {
        if let Some(items) = b.get_mut(field).and_then(Value::as_array_mut) {
            for item in items {
                if item.is_object() {
                    item["value"] = Value::Null;
                }
            }
        }
    }
    b
}

/// The body the renderer sends for a single-output callback.
pub fn body(output: &str, out_id: Value, prop: &str, inputs: Value) -> Value {
    json!({
        "output": output,
        "outputs": {"id": out_id, "property": prop},
        "inputs": inputs,
        "changedPropIds": [],
        "parsedChangedPropsIds": [],
    })
}

/// Waits until `check` holds, polling every 20 ms, at most `limit`.
pub async fn eventually<F: std::future::Future<Output = bool>>(
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
