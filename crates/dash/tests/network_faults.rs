//! What crosses a network: two hosts (network namespaces, `ip netns`) share
//! a Redis in a third, over veth pairs. Host A starts an expensive
//! computation, host B asks for the same value and waits on A's lease; then
//! A is cut off from Redis (the Redis end of its link goes down). B takes
//! the lease over and computes, and keeps serving; A answers its requests
//! without the cache and its `_dash-health` says so; once the link is back,
//! A reads what B stored. Runs the built `on_disk_share` example; needs
//! root, iproute2, curl and redis-server (scripts/test.sh installs them).

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;

fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("ip (iproute2)");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Three namespaces and two links: A <-> R and B <-> R; removed on drop
/// (after the processes in them were stopped).
struct Network {
    tag: String,
    children: Vec<Child>,
}

impl Network {
    fn ns(&self, host: &str) -> String {
        format!("dash{host}{}", self.tag)
    }

    /// The Redis-side end of a host's link.
    fn far_end(&self, host: &str) -> String {
        format!("r{host}{}", self.tag)
    }

    fn new() -> Network {
        let tag = format!("{}", std::process::id() % 100_000);
        let net = Network {
            tag,
            children: Vec::new(),
        };
        for host in ["A", "B", "R"] {
            ip(&["netns", "add", &net.ns(host)]);
            ip(&["-n", &net.ns(host), "link", "set", "lo", "up"]);
        }
        for (host, subnet) in [("A", 1), ("B", 2)] {
            let near = format!("h{host}{}", net.tag);
            let far = net.far_end(host);
            ip(&["link", "add", &near, "type", "veth", "peer", "name", &far]);
            ip(&["link", "set", &near, "netns", &net.ns(host)]);
            ip(&["link", "set", &far, "netns", &net.ns("R")]);
            let host_addr = format!("10.201.{subnet}.2/24");
            let redis_addr = format!("10.201.{subnet}.1/24");
            ip(&["-n", &net.ns(host), "addr", "add", &host_addr, "dev", &near]);
            ip(&["-n", &net.ns(host), "link", "set", &near, "up"]);
            ip(&["-n", &net.ns("R"), "addr", "add", &redis_addr, "dev", &far]);
            ip(&["-n", &net.ns("R"), "link", "set", &far, "up"]);
        }
        net
    }

    fn spawn(&mut self, host: &str, program: &str, args: &[&str], envs: &[(&str, String)]) {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.ns(host), program])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        self.children.push(cmd.spawn().unwrap());
    }

    /// An HTTP request made from inside a host's namespace (curl).
    fn curl(&self, host: &str, path: &str, body: Option<&Value>) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args([
            "netns",
            "exec",
            &self.ns(host),
            "curl",
            "-s",
            "--max-time",
            "60",
        ])
        .args(["-w", "\n%{http_code}"]);
        if let Some(b) = body {
            cmd.args([
                "-H",
                "Content-Type: application/json",
                "--data",
                &b.to_string(),
            ]);
        }
        cmd.arg(format!("http://127.0.0.1:8050{path}"));
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        cmd
    }

    fn request(&self, host: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        parse(self.curl(host, path, body).output().unwrap())
    }

    fn wait_health(&self, host: &str, want: u16) {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let (status, body) = self.request(host, "/_dash-health", None);
            if status == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "host {host}: health stayed {status}: {body}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for host in ["A", "B", "R"] {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(host)])
                .status();
        }
    }
}

fn parse(out: Output) -> (u16, Value) {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    (
        code.trim().parse().unwrap_or(0),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn graph(fruit: &str) -> Value {
    json!({"output": "graph-1.figure", "outputs": {"id": "graph-1", "property": "figure"},
           "inputs": [{"id": "signal", "property": "data", "value": fruit}],
           "changedPropIds": ["signal.data"]})
}

fn computation(answer: &(u16, Value)) -> String {
    assert_eq!(answer.0, 200, "{}", answer.1);
    let title = answer.1["response"]["graph-1"]["figure"]["layout"]["title"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("a figure: {}", answer.1));
    title
        .rsplit("computation ")
        .next()
        .unwrap()
        .trim_end_matches(')')
        .to_owned()
}

#[test]
fn a_host_cut_off_from_redis_while_another_keeps_serving_and_takes_the_lease_over() {
    let mut net = Network::new();
    net.spawn(
        "R",
        "redis-server",
        &[
            "--bind",
            "10.201.1.1",
            "10.201.2.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            // Reached over the namespaces' own links, not loopback; nothing
            // outside them can reach these addresses.
            "--protected-mode",
            "no",
        ],
        &[],
    );
    let app = support::example("on_disk_share");
    let app = app.to_str().unwrap();
    for (host, subnet) in [("A", 1), ("B", 2)] {
        let redis_addr = format!("10.201.{subnet}.1");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !Command::new("ip")
            .args([
                "netns",
                "exec",
                &net.ns(host),
                "redis-cli",
                "-h",
                &redis_addr,
                "ping",
            ])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("PONG"))
        {
            assert!(Instant::now() < deadline, "Redis not reachable from {host}");
            std::thread::sleep(Duration::from_millis(50));
        }
        net.spawn(
            host,
            app,
            &[],
            &[
                ("HOST", "127.0.0.1".into()),
                ("PORT", "8050".into()),
                ("DASH_CACHE_URL", format!("redis://{redis_addr}:6379/0")),
                ("EXPENSIVE_MS", "3000".into()),
                ("DASH_CACHE_LEASE_MS", "1500".into()),
                ("RUST_LOG", "warn".into()),
            ],
        );
    }
    net.wait_health("A", 200);
    net.wait_health("B", 200);

    // A computes apples; B asks for the same and waits on A's lease.
    let a_apples = net
        .curl("A", "/_dash-update-component", Some(&graph("apples")))
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let b_apples = net
        .curl("B", "/_dash-update-component", Some(&graph("apples")))
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let cut = Instant::now();
    ip(&["-n", &net.ns("R"), "link", "set", &net.far_end("A"), "down"]);

    // B takes the lease over once A stops renewing it, and answers.
    let b_answer = parse(b_apples.wait_with_output().unwrap());
    let b_id = computation(&b_answer);
    println!("B answered apples {:?} after the cut", cut.elapsed());
    // A finishes its own computation and answers without the cache.
    let a_answer = parse(a_apples.wait_with_output().unwrap());
    let a_id = computation(&a_answer);
    assert_ne!(
        a_id, b_id,
        "A could not store its value: B computed its own"
    );
    println!("A answered apples {:?} after the cut", cut.elapsed());

    // While A is cut off: B serves from the cache, A computes without it.
    net.wait_health("A", 503);
    let (status, health_b) = net.request("B", "/_dash-health", None);
    assert_eq!(status, 200, "{health_b}");
    let figs1 = computation(&net.request("B", "/_dash-update-component", Some(&graph("figs"))));
    let figs2 = computation(&net.request("B", "/_dash-update-component", Some(&graph("figs"))));
    assert_eq!(figs1, figs2, "B caches as before");
    let kiwis = net.request("A", "/_dash-update-component", Some(&graph("kiwis")));
    computation(&kiwis);

    // The link comes back: A sees Redis again and reads what B stored.
    ip(&["-n", &net.ns("R"), "link", "set", &net.far_end("A"), "up"]);
    net.wait_health("A", 200);
    let again = computation(&net.request("A", "/_dash-update-component", Some(&graph("apples"))));
    assert_eq!(again, b_id, "A reads the value B stored");
    let figs_a = computation(&net.request("A", "/_dash-update-component", Some(&graph("figs"))));
    assert_eq!(figs_a, figs1);
}
