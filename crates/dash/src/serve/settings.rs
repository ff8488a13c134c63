//! The serving limits: what the app set, else the environment, else the
//! defaults below (each says why).

use std::time::Duration;

use super::security_headers::SecurityHeaders;
use crate::Error;

const MIB: usize = 1 << 20;

/// Default largest request body: 128 MiB (see `Dash::max_body_bytes`).
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 128 * MIB;
/// Default budget of request bodies in flight per process: 512 MiB, four
/// near-limit bodies or fifty 10 MB stores at once. A request costs about
/// 2.5 times its body at its peak (the body, the values decoded from it,
/// the answer), so a full budget is about 1.3 GB per process.
pub(crate) const DEFAULT_BODY_BUDGET_BYTES: usize = 512 * MIB;
/// Default time for a request head to arrive: 15 s. Browsers send a head
/// in one packet; a slow mobile link needs a few seconds, a slowloris
/// client holding connections open needs more.
pub(crate) const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(15);
/// Default time an idle keep-alive connection stays open: 75 s, longer
/// than the 60 s idle timeouts of nginx's upstream keep-alive and of AWS
/// load balancers, so a proxy never sends a request on a connection this
/// server is closing.
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(75);
/// Default cap of open connections per process: 4096 (a browser tab holds
/// up to 6), lowered to fit the descriptor limit.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default drain time on stop: 30 s, gunicorn's `graceful_timeout`.
pub(crate) const DEFAULT_GRACEFUL_TIMEOUT: Duration = Duration::from_secs(30);

/// What the app set through its builder methods.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServeSettings {
    pub max_body_bytes: Option<usize>,
    pub body_budget_bytes: Option<usize>,
    pub header_timeout: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    pub max_connections: Option<usize>,
    pub graceful_timeout: Option<Duration>,
    pub frame_ancestors: Option<Vec<String>>,
}

/// The limits in force.
#[derive(Debug, Clone)]
pub(crate) struct ServeLimits {
    pub max_body_bytes: usize,
    pub body_budget_bytes: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub graceful_timeout: Duration,
    pub security_headers: SecurityHeaders,
}

impl ServeSettings {
    /// The limits: the app's values, else `DASH_MAX_BODY_BYTES`,
    /// `DASH_BODY_BUDGET_BYTES`, `DASH_HEADER_TIMEOUT`, `DASH_IDLE_TIMEOUT`,
    /// `DASH_MAX_CONNECTIONS`, `DASH_GRACEFUL_TIMEOUT`,
    /// `DASH_FRAME_ANCESTORS`, else the defaults.
    pub(crate) fn resolve(&self) -> Result<ServeLimits, Error> {
        let max_body_bytes = pick(self.max_body_bytes, "DASH_MAX_BODY_BYTES", parse_bytes)?
            .unwrap_or(DEFAULT_MAX_BODY_BYTES);
        let budget = pick(
            self.body_budget_bytes,
            "DASH_BODY_BUDGET_BYTES",
            parse_bytes,
        )?
        .unwrap_or(DEFAULT_BODY_BUDGET_BYTES);
        let frame_ancestors = match &self.frame_ancestors {
            Some(list) => Some(list.clone()),
            None => env("DASH_FRAME_ANCESTORS")
                .map(|v| v.split_whitespace().map(str::to_owned).collect()),
        };
        Ok(ServeLimits {
            max_body_bytes,
            // A body the per-request limit allows must fit the budget.
            body_budget_bytes: budget.max(max_body_bytes),
            header_timeout: pick(self.header_timeout, "DASH_HEADER_TIMEOUT", parse_duration)?
                .unwrap_or(DEFAULT_HEADER_TIMEOUT),
            idle_timeout: pick(self.idle_timeout, "DASH_IDLE_TIMEOUT", parse_duration)?
                .unwrap_or(DEFAULT_IDLE_TIMEOUT),
            max_connections: pick(self.max_connections, "DASH_MAX_CONNECTIONS", parse_count)?
                .unwrap_or(DEFAULT_MAX_CONNECTIONS),
            graceful_timeout: pick(
                self.graceful_timeout,
                "DASH_GRACEFUL_TIMEOUT",
                parse_duration,
            )?
            .unwrap_or(DEFAULT_GRACEFUL_TIMEOUT),
            security_headers: SecurityHeaders::new(frame_ancestors.as_deref())?,
        })
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The app's value, else the environment variable's, parsed.
fn pick<T>(set: Option<T>, name: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, Error> {
    if set.is_some() {
        return Ok(set);
    }
    match env(name) {
        None => Ok(None),
        Some(text) => parse(text.trim())
            .map(Some)
            .ok_or_else(|| Error::InvalidSetting {
                name: name.into(),
                reason: format!("{text:?} is not a valid value"),
            }),
    }
}

/// `1048576`, `512K`, `128MiB`, `1G` (binary units).
fn parse_bytes(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(digits_end);
    let number: usize = number.parse().ok()?;
    let shift = match unit.trim() {
        "" | "b" => 0,
        "k" | "kib" | "kb" => 10,
        "m" | "mib" | "mb" => 20,
        "g" | "gib" | "gb" => 30,
        _ => return None,
    };
    number.checked_mul(1 << shift).filter(|&n| n > 0)
}

/// Seconds (`30`, `0.5`, `30s`) or milliseconds (`500ms`).
fn parse_duration(text: &str) -> Option<Duration> {
    let lower = text.to_ascii_lowercase();
    let (number, scale) = match lower.strip_suffix("ms") {
        Some(n) => (n, 1e-3),
        None => (lower.strip_suffix('s').unwrap_or(&lower), 1.0),
    };
    let seconds: f64 = number.trim().parse().ok()?;
    (seconds.is_finite() && seconds > 0.0)
        .then(|| Duration::from_secs_f64(seconds * scale))
        .filter(|d| *d <= Duration::from_secs(86_400))
}

fn parse_count(text: &str) -> Option<usize> {
    text.parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse_bytes("1048576"), Some(MIB));
        assert_eq!(parse_bytes("128MiB"), Some(128 * MIB));
        assert_eq!(parse_bytes("512k"), Some(512 << 10));
        assert_eq!(parse_bytes("1 G"), Some(1 << 30));
        assert_eq!(parse_bytes("0"), None);
        assert_eq!(parse_bytes("12 parsecs"), None);
        assert_eq!(parse_duration("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("-1"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_count("0"), None);
    }

    #[test]
    fn defaults_and_the_budget_fits_one_largest_body() {
        let limits = ServeSettings::default().resolve().unwrap();
        assert_eq!(limits.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        let big = ServeSettings {
            max_body_bytes: Some(1 << 30),
            body_budget_bytes: Some(MIB),
            ..ServeSettings::default()
        };
        assert_eq!(big.resolve().unwrap().body_budget_bytes, 1 << 30);
    }
}
