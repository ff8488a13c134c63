//! Session and secret settings: the `Dash` builder methods and their
//! environment variables.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use crate::{Dash, Error};

/// Default idle lifetime: a session unused for 30 minutes ends.
pub(crate) const DEFAULT_IDLE: Duration = Duration::from_secs(30 * 60);

/// Default absolute lifetime: 24 hours from the first page load, however
/// busy. Longer than a working day, so a dashboard left open all day keeps
/// its session and server data; short enough that a copied cookie stops
/// working by the next day even if it is used all the time.
pub(crate) const DEFAULT_ABSOLUTE: Duration = Duration::from_secs(24 * 3600);

/// As set on the builder; the environment fills what is unset.
#[derive(Clone)]
pub(crate) struct SessionSettings {
    pub secret_key: Option<String>,
    pub previous_keys: Vec<String>,
    pub idle: Duration,
    pub absolute: Duration,
    pub secure_cookies: Option<bool>,
    pub trusted_proxies: Option<Vec<String>>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            secret_key: None,
            previous_keys: Vec::new(),
            idle: DEFAULT_IDLE,
            absolute: DEFAULT_ABSOLUTE,
            secure_cookies: None,
            trusted_proxies: None,
        }
    }
}

impl fmt::Debug for SessionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionSettings")
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<set>"))
            .field("previous_keys", &self.previous_keys.len())
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .field("secure_cookies", &self.secure_cookies)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// Peers whose `X-Forwarded-Proto` is believed.
#[derive(Debug, Clone)]
pub(crate) enum TrustedProxies {
    All,
    Nets(Vec<IpNet>),
}

impl TrustedProxies {
    /// Loopback only, as gunicorn's `forwarded_allow_ips` default.
    fn loopback() -> Self {
        TrustedProxies::Nets(vec![
            "127.0.0.0/8".parse().expect("valid"),
            "::1/128".parse().expect("valid"),
        ])
    }

    /// `*`, addresses and CIDR networks.
    pub(crate) fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, Error> {
        let mut nets = Vec::new();
        for item in items.iter().map(|s| s.as_ref().trim()) {
            match item {
                "" => {}
                "*" => return Ok(TrustedProxies::All),
                _ => nets.push(
                    item.parse::<IpNet>()
                        .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                        .map_err(|_| Error::InvalidSetting {
                            name: "DASH_TRUSTED_PROXIES".into(),
                            reason: format!(
                                "{item:?} is not an IP address, a network such as 10.0.0.0/8, or *"
                            ),
                        })?,
                ),
            }
        }
        Ok(TrustedProxies::Nets(nets))
    }

    pub(crate) fn trusts(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        match self {
            TrustedProxies::All => true,
            TrustedProxies::Nets(nets) => nets.iter().any(|n| n.contains(&peer)),
        }
    }
}

/// The settings in force, environment applied.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub idle: Duration,
    pub absolute: Duration,
    pub secure_cookies: Option<bool>,
    pub trusted_proxies: TrustedProxies,
    /// How often a used session's record is written to extend its life.
    pub touch_every: Duration,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl SessionSettings {
    /// The configured key, else `DASH_SECRET_KEY`.
    pub(crate) fn secret_key(&self) -> Option<String> {
        self.secret_key.clone().or_else(|| env("DASH_SECRET_KEY"))
    }

    /// The builder's previous keys and `DASH_SECRET_KEY_FALLBACKS`
    /// (comma-separated).
    pub(crate) fn previous_keys(&self) -> Vec<String> {
        let mut keys = self.previous_keys.clone();
        if let Some(list) = env("DASH_SECRET_KEY_FALLBACKS") {
            keys.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned),
            );
        }
        keys
    }

    pub(crate) fn resolve(&self) -> Result<Resolved, Error> {
        if self.idle.is_zero() || self.absolute.is_zero() {
            return Err(Error::InvalidSetting {
                name: "session lifetime".into(),
                reason: "the idle and absolute session lifetimes must be longer than zero".into(),
            });
        }
        let secure_cookies = match self.secure_cookies {
            Some(s) => Some(s),
            None => match env("DASH_SECURE_COOKIES") {
                None => None,
                Some(v) => Some(parse_flag(&v).ok_or_else(|| Error::InvalidSetting {
                    name: "DASH_SECURE_COOKIES".into(),
                    reason: format!("{v:?} is not 1/0/true/false"),
                })?),
            },
        };
        let trusted_proxies = match &self.trusted_proxies {
            Some(list) => TrustedProxies::parse(list)?,
            None => match env("DASH_TRUSTED_PROXIES") {
                Some(list) => TrustedProxies::parse(&list.split(',').collect::<Vec<_>>())?,
                None => TrustedProxies::loopback(),
            },
        };
        Ok(Resolved {
            idle: self.idle,
            absolute: self.absolute,
            secure_cookies,
            trusted_proxies,
            touch_every: (self.idle / 8).min(Duration::from_secs(60)),
        })
    }
}

/// Sessions and the app secret.
impl Dash {
    /// The app secret that signs session cookies (and other signed values),
    /// at least 32 bytes; unset, `DASH_SECRET_KEY` decides, else a random
    /// key made once and kept in the cache backend (shared by every worker
    /// and host, kept across restarts).
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.services.session.secret_key = Some(key.into());
        self
    }

    /// A secret being rotated out: values it signed are still accepted (and
    /// session cookies are signed again with the current key) while it is
    /// configured. Also `DASH_SECRET_KEY_FALLBACKS` (comma-separated), as
    /// Flask's `SECRET_KEY_FALLBACKS`.
    pub fn previous_secret_key(mut self, key: impl Into<String>) -> Self {
        self.services.session.previous_keys.push(key.into());
        self
    }

    /// How long a session lives without use (default 30 minutes): its
    /// cookie stops being accepted and its server data expires.
    pub fn session_idle_timeout(mut self, idle: Duration) -> Self {
        self.services.session.idle = idle;
        self
    }

    /// How long a session lives at most, counted from its first page load
    /// however busy it is (default 24 hours).
    pub fn session_max_lifetime(mut self, lifetime: Duration) -> Self {
        self.services.session.absolute = lifetime;
        self
    }

    /// `Some(true)`: the session cookie is always `Secure` (sent over HTTPS
    /// only); `Some(false)`: never. `None` (the default; also
    /// `DASH_SECURE_COOKIES`): `Secure` when a trusted proxy says the
    /// browser used HTTPS (`X-Forwarded-Proto: https`).
    pub fn secure_cookies(mut self, secure: Option<bool>) -> Self {
        self.services.session.secure_cookies = secure;
        self
    }

    /// The peers whose `X-Forwarded-Proto` header is believed: IP
    /// addresses, networks (`10.0.0.0/8`) or `*` for any. Default: loopback
    /// only, as gunicorn's `forwarded_allow_ips`; also
    /// `DASH_TRUSTED_PROXIES` (comma-separated).
    pub fn trusted_proxies<S: Into<String>>(
        mut self,
        proxies: impl IntoIterator<Item = S>,
    ) -> Self {
        self.services.session.trusted_proxies = Some(proxies.into_iter().map(Into::into).collect());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_parse_and_match() {
        let l = TrustedProxies::loopback();
        assert!(l.trusts("127.0.0.1".parse().unwrap()));
        assert!(l.trusts("::ffff:127.0.0.1".parse().unwrap()), "IPv4-mapped");
        assert!(l.trusts("::1".parse().unwrap()));
        assert!(!l.trusts("10.1.2.3".parse().unwrap()));
        let n = TrustedProxies::parse(&["10.0.0.0/8", " 192.168.1.5 "]).unwrap();
        assert!(n.trusts("10.9.9.9".parse().unwrap()));
        assert!(n.trusts("192.168.1.5".parse().unwrap()));
        assert!(!n.trusts("192.168.1.6".parse().unwrap()));
        assert!(TrustedProxies::parse(&["*"])
            .unwrap()
            .trusts("8.8.8.8".parse().unwrap()));
        let e = TrustedProxies::parse(&["10.0.0.0/99"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("10.0.0.0/99"), "{e}");
    }

    #[test]
    fn debug_hides_keys() {
        let s = SessionSettings {
            secret_key: Some("a-very-secret-key-of-32-bytes-or-more".into()),
            previous_keys: vec!["another-secret-key-of-32-bytes-or-more".into()],
            ..SessionSettings::default()
        };
        let d = format!("{s:?}");
        assert!(!d.contains("secret-key"), "{d}");
    }
}
