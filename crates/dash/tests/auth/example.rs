//! The built `login` example as real processes: a malformed users file
//! stops it, logout on one worker or host is seen by the others (two
//! workers and a second host sharing one SQLite file), and its debug log
//! holds no password, hash, cookie or login id.

use std::time::{Duration, Instant};

use super::{client, support, Site};
use dash::auth::{hash_password, Users};

#[test]
fn malformed_users_file_lines_stop_the_start_naming_the_line() {
    let dir = std::env::temp_dir().join(format!("dash-auth-users-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.txt");
    let hash = hash_password("pw");
    std::fs::write(&file, format!("# ok\nalice:{hash}\nbob {hash}\n")).unwrap();
    let e = Users::from_file(&file).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("users.txt"), "{e}");
    assert!(!e.contains(&hash[10..]), "the hash is not echoed: {e}");
    // The login example refuses to start with it, and says why.
    let out = std::process::Command::new(support::example("login"))
        .env("DASH_USERS_FILE", &file)
        .env("DASH_CACHE_URL", "memory://")
        .env("PORT", support::free_port().to_string())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("line 3"), "{said}");
    assert!(!said.contains(&hash[10..]), "{said}");
    let e = Users::from_env_file("DASH_AUTH_TEST_UNSET_VARIABLE")
        .unwrap_err()
        .to_string();
    assert!(e.contains("DASH_AUTH_TEST_UNSET_VARIABLE"), "{e}");
}

/// The login example's users file with alice.
fn example_users(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-auth-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.txt");
    // The line the example's own helper prints.
    let mut child = std::process::Command::new(support::example("login"))
        .args(["--hash-password", "alice"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"alice-pw\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.starts_with("alice:$argon2id$"), "{line}");
    assert!(Users::parse(&line)
        .unwrap()
        .verify("alice", "alice-pw")
        .is_some());
    std::fs::write(&file, line).unwrap();
    file.display().to_string()
}

fn fresh_client() -> reqwest::Client {
    // A new connection per request: the kernel spreads them over workers.
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn login_example_logout_on_one_worker_or_host_holds_on_the_others() {
    let users = example_users("workers");
    let url = support::temp_sqlite("auth-workers");
    let env = [
        ("DASH_USERS_FILE", users),
        ("DASH_CACHE_URL", url),
        ("EXPENSIVE_MS", "10".to_owned()),
    ];
    let workers = support::Server::start("login", &env, &["--workers", "2"]).await;
    assert_eq!(workers.children().len(), 2, "two worker processes");
    let second_host = support::Server::start("login", &env, &[]).await;
    let site = Site {
        base: workers.url(""),
        client: fresh_client(),
    };
    let host = Site {
        base: second_host.url(""),
        client: fresh_client(),
    };
    let (a, cookie) = site.sign_in("alice", "alice-pw", None).await;
    assert_eq!((a.status, a.header("location")), (303, Some("/app")));
    let mut cookie = cookie.unwrap();
    for _ in 0..12 {
        assert_eq!(site.layout_status(Some(&cookie)).await, 200);
    }
    assert_eq!(
        host.layout_status(Some(&cookie)).await,
        200,
        "the other host"
    );
    // Logout on one, refused on the other: first on the other host, then
    // on whichever worker the connection reaches; each time every worker
    // (a new connection per request, spread by the kernel) refuses it.
    for (out, other) in [(&host, &site), (&site, &host)] {
        assert_eq!(out.get("/logout", Some(&cookie), false).await.status, 303);
        for _ in 0..12 {
            assert_eq!(site.layout_status(Some(&cookie)).await, 401);
        }
        assert_eq!(other.layout_status(Some(&cookie)).await, 401);
        let (_, again) = site.sign_in("alice", "alice-pw", None).await;
        cookie = again.unwrap();
        assert_eq!(host.layout_status(Some(&cookie)).await, 200);
        assert_eq!(site.layout_status(Some(&cookie)).await, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debug_log_holds_no_password_hash_cookie_or_login_id() {
    let users = example_users("log");
    let hash = std::fs::read_to_string(&users).unwrap();
    let hash = hash.trim().split_once(':').unwrap().1.to_owned();
    let dir = std::env::temp_dir().join(format!("dash-auth-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log_path = dir.join("server.log");
    let port = support::free_port();
    let mut child = std::process::Command::new(support::example("login"))
        .env("DASH_USERS_FILE", &users)
        .env("DASH_CACHE_URL", support::temp_sqlite("auth-log"))
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .env("RUST_LOG", "debug")
        .stdout(std::fs::File::create(&log_path).unwrap())
        .stderr(std::fs::File::create(dir.join("server.err")).unwrap())
        .spawn()
        .unwrap();
    let site = Site {
        base: format!("http://127.0.0.1:{port}"),
        client: client(),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(format!("{}/", site.base)).await.is_err() {
        assert!(Instant::now() < deadline, "the example did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        site.sign_in("alice", "wrong-password-xyz", None)
            .await
            .0
            .status,
        401
    );
    let (_, cookie) = site.sign_in("alice", "alice-pw", None).await;
    let cookie = cookie.unwrap();
    assert_eq!(site.layout_status(Some(&cookie)).await, 200);
    assert_eq!(site.get("/logout", Some(&cookie), false).await.status, 303);
    let _ = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).unwrap()
        + &std::fs::read_to_string(dir.join("server.err")).unwrap();
    assert!(log.contains("signed in"), "the log is captured: {log}");
    let value = cookie.trim_start_matches("dash_login=");
    let id = value.split('.').next().unwrap();
    for secret in ["alice-pw", "wrong-password-xyz", &hash[20..], value, id] {
        assert!(!log.contains(secret), "the log holds {secret}");
    }
}
