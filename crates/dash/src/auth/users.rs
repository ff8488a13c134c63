//! Who may sign in: user records with argon2 password hashes, read from a
//! users file or an environment variable, and the password check.
//!
//! The users file has one record per line:
//!
//! ```text
//! # comments and blank lines are ignored
//! alice:$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//! bob:$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>:admins,finance
//! ```
//!
//! `name:<argon2 PHC string>`, optionally followed by `:` and a
//! comma-separated list of groups. A PHC string has no `:`, so the fields
//! split unambiguously. Make a line with [`hash_password`] (the `login`
//! example prints one: `echo -n secret | login --hash-password alice`).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, Params};

use crate::Error;

/// A signed-in user, as callbacks and layouts see it
/// ([`CallbackContext::user`](crate::CallbackContext::user),
/// [`LayoutContext::user`](crate::LayoutContext::user)).
///
/// ```
/// let user = dash::auth::User::new("alice", ["admins"]);
/// assert_eq!(user.name(), "alice");
/// assert!(user.in_group("admins") && !user.in_group("finance"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    name: String,
    groups: Vec<String>,
}

impl User {
    /// A user with this name and groups.
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        groups: impl IntoIterator<Item = S>,
    ) -> Self {
        User {
            name: name.into(),
            groups: groups.into_iter().map(Into::into).collect(),
        }
    }

    /// The user name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The groups the users file gives the user.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

struct Record {
    hash: String,
    groups: Vec<String>,
}

/// The users who may sign in. Cheap to clone. Its `Debug` output lists the
/// names, never a hash.
///
/// ```
/// use dash::auth::{hash_password, Users};
///
/// let text = format!("# the team\nalice:{}:admins\n", hash_password("s3cret"));
/// let users = Users::parse(&text).unwrap();
/// assert_eq!(users.verify("alice", "s3cret").unwrap().groups(), ["admins"]);
/// assert!(users.verify("alice", "wrong").is_none());
/// assert!(users.verify("mallory", "s3cret").is_none());
/// ```
#[derive(Clone)]
pub struct Users {
    inner: Arc<Inner>,
}

struct Inner {
    records: HashMap<String, Record>,
    /// Verified for unknown names, so that the time taken does not tell
    /// which names exist (same parameters as the first record).
    dummy: String,
}

impl fmt::Debug for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.inner.records.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Users").field("names", &names).finish()
    }
}

fn bad_line(source: &str, line: usize, reason: &str) -> Error {
    Error::InvalidSetting {
        name: source.to_owned(),
        reason: format!(
            "line {line}: {reason}; expected `user:<argon2 PHC hash>` or `user:<argon2 PHC hash>:group1,group2`"
        ),
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
}

impl Users {
    /// Reads records from `text` (the users file format, see the module
    /// documentation). A malformed line is an error naming its number;
    /// the error never quotes the line (it may hold a hash).
    pub fn parse(text: &str) -> Result<Users, Error> {
        Self::parse_from(text, "users")
    }

    fn parse_from(text: &str, source: &str) -> Result<Users, Error> {
        let mut records = HashMap::new();
        let mut first_params: Option<Params> = None;
        for (index, raw) in text.lines().enumerate() {
            let n = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split(':');
            let (name, hash) = match (fields.next(), fields.next()) {
                (Some(name), Some(hash)) => (name, hash),
                _ => return Err(bad_line(source, n, "no `:` after the user name")),
            };
            let groups = fields.next();
            if fields.next().is_some() {
                return Err(bad_line(source, n, "too many `:` fields"));
            }
            if !valid_name(name) {
                return Err(bad_line(
                    source,
                    n,
                    "the user name is empty or has spaces or commas",
                ));
            }
            let parsed = PasswordHash::new(hash)
                .map_err(|_| bad_line(source, n, "the hash is not a PHC string"))?;
            if !parsed.algorithm.as_str().starts_with("argon2") {
                return Err(bad_line(source, n, "the hash is not an argon2 hash"));
            }
            let params = Params::try_from(&parsed)
                .map_err(|_| bad_line(source, n, "the argon2 parameters are not valid"))?;
            if parsed.hash.is_none() || parsed.salt.is_none() {
                return Err(bad_line(source, n, "the hash has no salt or no output"));
            }
            let groups = match groups {
                None => Vec::new(),
                Some(list) => {
                    let groups: Vec<String> =
                        list.split(',').map(|g| g.trim().to_owned()).collect();
                    if groups.iter().any(|g| !valid_name(g)) {
                        return Err(bad_line(source, n, "a group name is empty or has spaces"));
                    }
                    groups
                }
            };
            if records.contains_key(name) {
                return Err(bad_line(
                    source,
                    n,
                    &format!("the user {name:?} is listed twice"),
                ));
            }
            first_params.get_or_insert(params);
            records.insert(
                name.to_owned(),
                Record {
                    hash: hash.to_owned(),
                    groups,
                },
            );
        }
        let dummy = hash_with(
            Argon2::new(
                argon2::Algorithm::Argon2id,
                argon2::Version::V0x13,
                first_params.unwrap_or_default(),
            ),
            "not a password anyone has",
        );
        Ok(Users {
            inner: Arc::new(Inner { records, dummy }),
        })
    }

    /// Reads the users file at `path`.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Users, Error> {
        let path = path.as_ref();
        let source = format!("users file {}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidSetting {
            name: source.clone(),
            reason: format!("cannot read it: {e}"),
        })?;
        Self::parse_from(&text, &source)
    }

    /// Reads the users file named by the environment variable `var`
    /// (e.g. `DASH_USERS_FILE`); unset or empty is an error.
    pub fn from_env_file(var: &str) -> Result<Users, Error> {
        match std::env::var(var) {
            Ok(path) if !path.trim().is_empty() => Self::from_file(path.trim()),
            _ => Err(Error::InvalidSetting {
                name: var.to_owned(),
                reason: "unset: name the users file (one `user:<argon2 PHC hash>` per line)".into(),
            }),
        }
    }

    /// Reads records from the value of the environment variable `var`
    /// itself (lines separated by newlines), e.g. for a secret store that
    /// injects variables rather than files.
    pub fn from_env(var: &str) -> Result<Users, Error> {
        match std::env::var(var) {
            Ok(text) if !text.trim().is_empty() => Self::parse_from(&text, var),
            _ => Err(Error::InvalidSetting {
                name: var.to_owned(),
                reason: "unset: give one `user:<argon2 PHC hash>` per line".into(),
            }),
        }
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.inner.records.len()
    }

    /// Whether there are none (nobody can sign in).
    pub fn is_empty(&self) -> bool {
        self.inner.records.is_empty()
    }

    /// The user if `password` is theirs. Slow on purpose (argon2: tens of
    /// milliseconds); an unknown name costs the same, so the time does not
    /// tell which names exist. Call it where blocking is allowed.
    pub fn verify(&self, name: &str, password: &str) -> Option<User> {
        let record = self.inner.records.get(name);
        let hash = record.map_or(self.inner.dummy.as_str(), |r| r.hash.as_str());
        let ok = PasswordHash::new(hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        match record {
            Some(r) if ok => Some(User {
                name: name.to_owned(),
                groups: r.groups.clone(),
            }),
            _ => None,
        }
    }

    /// The user with this name, without a password check (a signed-in
    /// session names its user; a user removed from the file is refused).
    pub(crate) fn lookup(&self, name: &str) -> Option<User> {
        self.inner.records.get(name).map(|r| User {
            name: name.to_owned(),
            groups: r.groups.clone(),
        })
    }
}

fn hash_with(argon2: Argon2<'_>, password: &str) -> String {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes are a valid salt");
    argon2
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with valid parameters hashes any password")
        .to_string()
}

/// An argon2id hash of `password` with a random salt, as a PHC string for
/// the users file (`name:<this>`). Argon2's default parameters (19 MiB,
/// two passes, one lane: OWASP's minimum).
///
/// ```
/// let hash = dash::auth::hash_password("s3cret");
/// assert!(hash.starts_with("$argon2id$"));
/// assert_ne!(hash, dash::auth::hash_password("s3cret"), "salted");
/// ```
pub fn hash_password(password: &str) -> String {
    hash_with(Argon2::default(), password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_lines_name_the_line_and_never_the_hash() {
        let good = hash_password("pw");
        let cases = [
            (format!("alice:{good}\nbob\n"), 2),
            ("\n# c\nalice:not-a-hash\n".to_string(), 3),
            (format!("alice:{good}\nalice:{good}\n"), 2),
            (format!("al ice:{good}\n"), 1),
            (format!("alice:{good}:a,,b\n"), 1),
            (format!("alice:{good}:g:extra\n"), 1),
            (":{good}\n".to_string(), 1),
            ("alice:$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA\n".to_string(), 1),
        ];
        for (text, line) in cases {
            let e = Users::parse(&text).unwrap_err().to_string();
            assert!(e.contains(&format!("line {line}:")), "{e}");
            assert!(
                !e.contains("$argon2") && !e.contains("pbkdf2"),
                "echoes the hash: {e}"
            );
        }
    }

    #[test]
    fn comments_blank_lines_and_groups_are_read() {
        let text = format!(
            "# team\n\n  alice:{}:admins, finance \nbob:{}\n",
            hash_password("a"),
            hash_password("b")
        );
        let users = Users::parse(&text).unwrap();
        assert_eq!(users.len(), 2);
        let alice = users.verify("alice", "a").unwrap();
        assert_eq!(alice.groups(), ["admins", "finance"]);
        assert!(users.verify("bob", "b").unwrap().groups().is_empty());
        assert!(users.verify("bob", "a").is_none());
        assert!(users.verify("carol", "a").is_none());
        let shown = format!("{users:?}");
        assert!(
            shown.contains("alice") && !shown.contains("argon2"),
            "{shown}"
        );
    }
}
