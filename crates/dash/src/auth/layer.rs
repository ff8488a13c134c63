//! The auth layer around the app's router: who the request's user is, the
//! access rule of its path, and the answers when it is refused (401, 403,
//! a redirect to the form). In login page mode it also serves the form,
//! `/logout` and the public pages itself.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::basic::{credentials, Remembered};
use super::login::{escape, form_html, safe_next};
use super::login_session::{self as login, Lifetimes, CSRF_COOKIE, LOGIN_COOKIE};
use super::throttle::Throttle;
use super::{Access, Auth, BasicAuth, LoginPage, User};
use crate::services::Services;
use crate::session::{AppSecret, Sessions};

/// The failed sign-in text on the form.
pub(crate) const INVALID: &str = "Invalid username or password";
/// The largest sign-in form body read.
const FORM_LIMIT: usize = 16 * 1024;

enum Mode {
    Basic {
        config: BasicAuth,
        remembered: Remembered,
    },
    Login {
        config: Box<LoginPage>,
        landing: String,
        life: Lifetimes,
    },
}

pub(crate) struct AuthState {
    mode: Mode,
    sessions: Arc<Sessions>,
    services: Arc<Services>,
    /// The Dash routes prefix (`/app/`): `/app` is served as `/app/`.
    dash_prefix: String,
    throttle: Throttle,
    page_access: Option<PageAccess>,
}

/// The access rule of the page a (normalised) request path loads, if it
/// loads a page that has one (`Page::access`).
pub(crate) type PageAccess = Arc<dyn Fn(&str) -> Option<Access> + Send + Sync>;

/// Puts the auth layer around `router`.
pub(crate) fn wrap(
    auth: Auth,
    router: axum::Router,
    sessions: &Arc<Sessions>,
    services: &Arc<Services>,
    dash_prefix: &str,
    page_access: Option<PageAccess>,
) -> axum::Router {
    // Probes reach the health route without a user (it reports the cache
    // backend's state only), unless the app's rules say otherwise.
    let health = format!("{dash_prefix}_dash-health");
    let (mode, limit) =
        match auth {
            Auth::Basic(mut config) => {
                config.rules.add_fallback(health, Access::Public);
                let limit = config.limit;
                let remembered = Remembered::new(config.remember, config.remember_entries);
                (Mode::Basic { config, remembered }, limit)
            }
            Auth::Login(mut config) => {
                config.rules.add_fallback(health, Access::Public);
                let limit = config.limit;
                let landing = config.landing.clone().unwrap_or_else(|| {
                    match dash_prefix.trim_end_matches('/') {
                        "" => "/".to_owned(),
                        p => p.to_owned(),
                    }
                });
                for path in [config.login_path.clone(), config.logout_path.clone()] {
                    config.rules.add(path, false, Access::Public);
                }
                let life = Lifetimes {
                    idle: config.idle,
                    absolute: config.absolute,
                    refresh: config.refresh_interval(),
                };
                (
                    Mode::Login {
                        config: Box::new(config),
                        landing,
                        life,
                    },
                    limit,
                )
            }
        };
    let users = match &mode {
        Mode::Basic { config, .. } => &config.users,
        Mode::Login { config, .. } => &config.users,
    };
    if users.is_empty() {
        tracing::warn!("the users file lists nobody: no one can sign in");
    }
    let state = Arc::new(AuthState {
        mode,
        sessions: sessions.clone(),
        services: services.clone(),
        dash_prefix: dash_prefix.to_owned(),
        throttle: Throttle::new(limit),
        page_access,
    });
    axum::Router::new()
        .fallback_service(router)
        .layer(axum::middleware::from_fn_with_state(state, guard))
}

impl AuthState {
    fn secret(&self) -> &AppSecret {
        self.sessions.secret()
    }

    fn backend(&self) -> Option<Arc<dyn dash_cache::CacheBackend>> {
        self.services.cache().ok().map(|c| c.backend().clone())
    }
}

async fn guard(State(state): State<Arc<AuthState>>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut resign_cookie = None;
    let user = match &state.mode {
        Mode::Basic { config, remembered } => {
            let peer = peer(&request);
            match basic_user(&state, config, remembered, request.headers(), peer).await {
                Ok(user) => user,
                Err(refused) => return refused,
            }
        }
        Mode::Login {
            config,
            landing,
            life,
        } => {
            if path == config.login_path {
                return login_route(&state, config, landing, *life, request).await;
            }
            if path == config.logout_path {
                return logout(&state, config, request).await;
            }
            if let Some((_, html)) = config.public_pages.iter().find(|(p, _)| *p == path) {
                if matches!(*request.method(), Method::GET | Method::HEAD) {
                    return html_response(StatusCode::OK, html.clone());
                }
            }
            match signed_in(&state, request.headers()).await {
                Some((user, resign)) => {
                    if let Some(id) = resign {
                        let secure = state.sessions.cookie_secure(&request);
                        resign_cookie = login::set_cookie(
                            LOGIN_COOKIE,
                            login::cookie_value(state.secret(), id),
                            "/",
                            secure,
                            false,
                        );
                    }
                    Some(user)
                }
                None => None,
            }
        }
    };
    let rule_path = normalized(&path);
    let access = match &state.mode {
        Mode::Basic { config, .. } => config.rules.access(&rule_path),
        Mode::Login { config, .. } => config.rules.access(&rule_path),
    };
    let is_get = matches!(*request.method(), Method::GET | Method::HEAD);
    let page_allows = !is_get
        || state
            .page_access
            .as_ref()
            .and_then(|of| of(&rule_path))
            .is_none_or(|a| a.allows(user.as_ref()));
    if !access.allows(user.as_ref()) || !page_allows {
        return refuse(&state, &request, user.is_some());
    }
    if let Some(user) = user {
        request.extensions_mut().insert(user);
    }
    // `/app` is the Dash app at `/app/`.
    if state.dash_prefix.len() > 1 && path == state.dash_prefix.trim_end_matches('/') {
        let rewritten = match request.uri().query() {
            Some(q) => format!("{}?{q}", state.dash_prefix),
            None => state.dash_prefix.clone(),
        };
        if let Ok(uri) = rewritten.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    let mut response = next.run(request).await;
    add_cookie(&mut response, resign_cookie);
    response
}

/// The path rules are matched against: dot segments resolved (also
/// `%2e%2e`, as browsers do) and percent-escapes decoded, so that
/// `/app/%61dmin` or `/app/x/../admin` meet the rule of `/app/admin`.
fn normalized(path: &str) -> String {
    let resolved = url::Url::parse("http://rules.invalid/")
        .and_then(|base| base.join(path))
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| path.to_owned());
    percent_encoding::percent_decode_str(&resolved)
        .decode_utf8_lossy()
        .into_owned()
}

/// A browser loading a page (a GET of HTML outside the Dash routes).
fn is_page(request: &Request) -> bool {
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.uri().path().split('/').any(|s| s.starts_with('_'))
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

fn refuse(state: &AuthState, request: &Request, signed_in: bool) -> Response {
    if signed_in {
        tracing::info!(path = %dash_protocol::excerpt(request.uri().path(), 160), "forbidden for the signed-in user");
        if is_page(request) {
            return html_response(
                StatusCode::FORBIDDEN,
                "<!DOCTYPE html><title>Forbidden</title><h1 id=\"title\">Forbidden</h1><p>Your account may not open this page.</p>".into(),
            );
        }
        return json_error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the signed-in user may not use this path",
        );
    }
    match &state.mode {
        Mode::Basic { config, .. } => {
            let mut r = json_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this path needs a user name and password (HTTP basic auth)",
            );
            let challenge = format!("Basic realm=\"{}\", charset=\"UTF-8\"", config.realm);
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            r
        }
        Mode::Login { config, .. } if is_page(request) => {
            let target = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let mut location = config.login_path.clone();
            if safe_next(&target).is_some() {
                location.push_str("?next=");
                location.extend(url::form_urlencoded::byte_serialize(target.as_bytes()));
            }
            redirect(&location)
        }
        Mode::Login { .. } => json_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in first: this path needs a signed-in user",
        ),
    }
}

fn peer(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The basic auth user of the request, `Ok(None)` without valid
/// credentials, `Err(429)` while their user or peer is throttled.
async fn basic_user(
    state: &AuthState,
    config: &BasicAuth,
    remembered: &Remembered,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<Option<User>, Response> {
    let Some((given, header)) = credentials(headers) else {
        return Ok(None);
    };
    if let Some(user) = remembered.get(header) {
        return Ok(Some(user));
    }
    if let Some(wait) = state.throttle.blocked(&given.name, peer) {
        return Err(too_many(wait, None));
    }
    let header = header.to_vec();
    let users = config.users.clone();
    let name = given.name.clone();
    let verified = tokio::task::spawn_blocking(move || users.verify(&given.name, &given.password))
        .await
        .ok()
        .flatten();
    match verified {
        Some(user) => {
            state.throttle.succeeded(&name);
            remembered.put(&header, user.clone());
            Ok(Some(user))
        }
        None => {
            state.throttle.failed(&name, peer);
            tracing::warn!(user = %dash_protocol::excerpt(&name, 64), "basic auth failed");
            Ok(None)
        }
    }
}

/// The user of the request's live sign-in, if any, and its id when the
/// cookie was signed with a previous key of the app secret.
async fn signed_in(
    state: &AuthState,
    headers: &HeaderMap,
) -> Option<(User, Option<login::LoginId>)> {
    let Mode::Login { config, life, .. } = &state.mode else {
        return None;
    };
    let (id, verified) = login::read_cookie_key(state.secret(), headers)?;
    let resign = (verified == crate::session::Verified::Previous).then_some(id);
    let backend = state.backend()?;
    let life = *life;
    let checked = tokio::task::spawn_blocking(move || login::check(&*backend, id, &life)).await;
    match checked {
        Ok(Ok(Some(name))) => config.users.lookup(&name).map(|u| (u, resign)),
        Ok(Ok(None)) => None,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "cannot read a sign-in from the cache backend; treated as signed out");
            None
        }
        Err(_) => None,
    }
}

fn html_response(status: StatusCode, html: String) -> Response {
    let mut r = Response::new(Body::from(html));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn json_error(status: StatusCode, error: &str, message: &str) -> Response {
    let mut r = crate::routes::json_response(
        status,
        json!({"error": error, "message": message}).to_string(),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn redirect(location: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::SEE_OTHER;
    // Every location here is ASCII (checked paths or the app's own);
    // anything else goes to the site's root rather than nowhere.
    let value = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    r.headers_mut().insert(header::LOCATION, value);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn too_many(wait: std::time::Duration, form: Option<String>) -> Response {
    let seconds = wait.as_secs().max(1);
    let message = format!("Too many failed attempts; try again in {seconds} s");
    let mut r = match form {
        Some(html) => html_response(StatusCode::TOO_MANY_REQUESTS, html),
        None => json_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", &message),
    };
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    r
}

fn add_cookie(r: &mut Response, cookie: Option<HeaderValue>) {
    if let Some(c) = cookie {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
}

/// `GET` the form, `POST` a sign-in.
async fn login_route(
    state: &AuthState,
    config: &LoginPage,
    landing: &str,
    life: Lifetimes,
    request: Request,
) -> Response {
    let secure = state.sessions.cookie_secure(&request);
    let secret = state.secret();
    // The same token for every form of this browser (several tabs work);
    // a new one when it has none.
    let (csrf_field, new_cookie) = match login::csrf_field(secret, request.headers()) {
        Some(field) => (field, None),
        None => {
            let (token, field) = login::new_csrf(secret);
            let cookie = login::set_cookie(CSRF_COOKIE, token, &config.login_path, secure, false);
            (field, cookie)
        }
    };
    let form = |next: Option<&str>, error: Option<&str>| {
        form_html(&config.title, &config.login_path, &csrf_field, next, error)
    };
    let answer = |status: StatusCode, html: String| {
        let mut r = html_response(status, html);
        add_cookie(&mut r, new_cookie.clone());
        r
    };
    match *request.method() {
        Method::GET | Method::HEAD => {
            let next = request.uri().query().and_then(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "next")
                    .map(|(_, v)| v.into_owned())
            });
            let next = next.as_deref().and_then(safe_next);
            return answer(StatusCode::OK, form(next, None));
        }
        Method::POST => {}
        _ => {
            return json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "use GET or POST",
            )
        }
    }
    let peer = peer(&request);
    let (parts, body) = request.into_parts();
    if !same_origin(&parts.headers) {
        tracing::warn!("sign-in form posted from another origin");
        return answer(
            StatusCode::FORBIDDEN,
            form(
                None,
                Some("This sign-in came from another site; use this page's form"),
            ),
        );
    }
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "bad_body",
            "the sign-in form is larger than 16 KiB",
        );
    };
    let mut fields = Form::default();
    for (k, v) in url::form_urlencoded::parse(&bytes) {
        match &*k {
            "username" => fields.username = v.into_owned(),
            "password" => fields.password = v.into_owned(),
            "csrf" => fields.csrf = v.into_owned(),
            "next" => fields.next = v.into_owned(),
            _ => {}
        }
    }
    let next = safe_next(&fields.next).map(str::to_owned);
    if !login::csrf_holds(secret, &parts.headers, &fields.csrf) {
        // A stale form, or a post this site's form did not make: a fresh
        // form with a fresh token.
        let (token, field) = login::new_csrf(secret);
        let mut r = html_response(
            StatusCode::FORBIDDEN,
            form_html(
                &config.title,
                &config.login_path,
                &field,
                next.as_deref(),
                Some("The sign-in form expired; please sign in again"),
            ),
        );
        add_cookie(
            &mut r,
            login::set_cookie(CSRF_COOKIE, token, &config.login_path, secure, false),
        );
        return r;
    }
    if let Some(wait) = state.throttle.blocked(&fields.username, peer) {
        let text = format!(
            "Too many failed attempts; try again in {} s",
            wait.as_secs().max(1)
        );
        let mut r = too_many(wait, Some(form(next.as_deref(), Some(&text))));
        add_cookie(&mut r, new_cookie.clone());
        return r;
    }
    let users = config.users.clone();
    let (name, password) = (
        fields.username.clone(),
        std::mem::take(&mut fields.password),
    );
    let verified = tokio::task::spawn_blocking(move || users.verify(&name, &password))
        .await
        .ok()
        .flatten();
    let Some(user) = verified else {
        state.throttle.failed(&fields.username, peer);
        tracing::warn!(user = %dash_protocol::excerpt(&fields.username, 64), "sign-in failed");
        return answer(
            StatusCode::UNAUTHORIZED,
            form(next.as_deref(), Some(INVALID)),
        );
    };
    state.throttle.succeeded(user.name());
    let Some(backend) = state.backend() else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            form(
                next.as_deref(),
                Some("Signing in is not possible right now; try again later"),
            ),
        );
    };
    let old = login::read_cookie(secret, &parts.headers);
    let name = user.name().to_owned();
    let (sessions, cookies) = (state.sessions.clone(), cookie_headers(&parts.headers));
    let started = tokio::task::spawn_blocking(move || {
        if let Some(old) = old {
            login::end(&*backend, old)?;
        }
        let ended = sessions.end_browser_session(&cookies)?;
        Ok::<_, dash_cache::CacheError>((login::start(&*backend, &name, &life)?, ended))
    })
    .await;
    let (id, ended_session) = match started {
        Ok(Ok(started)) => started,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot write a sign-in to the cache backend");
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                form(
                    next.as_deref(),
                    Some("Signing in is not possible right now; try again later"),
                ),
            );
        }
        Err(_) => {
            return answer(
                StatusCode::SERVICE_UNAVAILABLE,
                form(
                    next.as_deref(),
                    Some("Signing in is not possible right now; try again later"),
                ),
            )
        }
    };
    tracing::info!(user = %dash_protocol::excerpt(user.name(), 64), "signed in");
    let mut r = redirect(next.as_deref().unwrap_or(landing));
    add_cookie(
        &mut r,
        login::set_cookie(
            LOGIN_COOKIE,
            login::cookie_value(secret, id),
            "/",
            secure,
            false,
        ),
    );
    add_cookie(
        &mut r,
        login::set_cookie(CSRF_COOKIE, String::new(), &config.login_path, secure, true),
    );
    add_cookie(&mut r, ended_session);
    r
}

/// The request's `Cookie` headers.
fn cookie_headers(headers: &HeaderMap) -> Vec<HeaderValue> {
    headers.get_all(header::COOKIE).iter().cloned().collect()
}

#[derive(Default)]
struct Form {
    username: String,
    password: String,
    csrf: String,
    next: String,
}

/// A form post's `Origin` (when the browser sends one) is this site: its
/// host and port are the `Host` (or a proxy's `X-Forwarded-Host`).
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let authority = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    };
    [header::HOST.as_str(), "x-forwarded-host"]
        .iter()
        .filter_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .any(|h| {
            h.split(',')
                .next()
                .is_some_and(|h| h.trim().eq_ignore_ascii_case(&authority))
        })
}

/// Ends the request's sign-in everywhere and goes to the after-logout page.
async fn logout(state: &AuthState, config: &LoginPage, request: Request) -> Response {
    let secure = state.sessions.cookie_secure(&request);
    let mut ended_session = None;
    if let (Some(id), Some(backend)) = (
        login::read_cookie(state.secret(), request.headers()),
        state.backend(),
    ) {
        let (sessions, cookies) = (state.sessions.clone(), cookie_headers(request.headers()));
        let ended = tokio::task::spawn_blocking(move || {
            login::end(&*backend, id)?;
            sessions.end_browser_session(&cookies)
        })
        .await;
        if let Ok(Ok(removal)) = ended {
            ended_session = removal;
        } else {
            tracing::error!("cannot delete a sign-in from the cache backend");
            return html_response(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "<!DOCTYPE html><title>Sign out failed</title><h1 id=\"title\">Sign out failed</h1><p>Try again: <a href=\"{}\">sign out</a>.</p>",
                    escape(&config.logout_path)
                ),
            );
        }
    }
    let mut r = redirect(&config.after_logout);
    add_cookie(
        &mut r,
        login::set_cookie(LOGIN_COOKIE, String::new(), "/", secure, true),
    );
    add_cookie(&mut r, ended_session);
    r
}

#[cfg(test)]
mod tests {
    use super::normalized;

    #[test]
    fn rule_paths_are_resolved_and_decoded() {
        for (raw, want) in [
            ("/app/admin", "/app/admin"),
            ("/app/%61dmin", "/app/admin"),
            ("/app/x/../admin", "/app/admin"),
            ("/app/x/%2e%2e/admin", "/app/admin"),
            ("/app/./admin/", "/app/admin/"),
            ("/app/caf%C3%A9", "/app/café"),
        ] {
            assert_eq!(normalized(raw), want, "{raw}");
        }
    }
}
