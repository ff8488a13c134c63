//! Access rules: which requests need which user, by path or path prefix.

use super::User;

/// Who may use a path.
///
/// ```
/// use dash::auth::{Access, User};
///
/// let alice = User::new("alice", ["admins"]);
/// let bob = User::new("bob", Vec::<String>::new());
/// assert!(Access::Public.allows(None));
/// assert!(!Access::SignedIn.allows(None) && Access::SignedIn.allows(Some(&bob)));
/// assert!(Access::groups(["admins"]).allows(Some(&alice)));
/// assert!(!Access::groups(["admins"]).allows(Some(&bob)));
/// assert!(Access::users(["bob"]).allows(Some(&bob)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Only these user names.
    Users(Vec<String>),
    /// Users in at least one of these groups.
    Groups(Vec<String>),
}

impl Access {
    /// [`Access::Users`] from any strings.
    pub fn users<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        Access::Users(names.into_iter().map(Into::into).collect())
    }

    /// [`Access::Groups`] from any strings.
    pub fn groups<S: Into<String>>(groups: impl IntoIterator<Item = S>) -> Self {
        Access::Groups(groups.into_iter().map(Into::into).collect())
    }

    /// Whether `user` (`None`: nobody signed in) may use the path.
    pub fn allows(&self, user: Option<&User>) -> bool {
        match (self, user) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Users(names), Some(u)) => names.iter().any(|n| n == u.name()),
            (Access::Groups(groups), Some(u)) => groups.iter().any(|g| u.in_group(g)),
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    path: String,
    prefix: bool,
    access: Access,
}

impl Rule {
    /// How specific the match is (longer wins; an exact path beats a
    /// prefix of the same length), or `None`.
    fn matches(&self, path: &str) -> Option<usize> {
        if !self.prefix {
            return (path == self.path).then_some(usize::MAX);
        }
        let base = self.path.trim_end_matches('/');
        let inside = path == base
            || base.is_empty()
            || (path.starts_with(base) && path.as_bytes().get(base.len()) == Some(&b'/'));
        inside.then_some(base.len())
    }
}

/// The rules of an auth mode; a path no rule matches gets the default
/// ([`Access::SignedIn`] unless changed).
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    rules: Vec<Rule>,
    default: Access,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            rules: Vec::new(),
            default: Access::SignedIn,
        }
    }
}

impl Rules {
    pub(crate) fn add(&mut self, path: impl Into<String>, prefix: bool, access: Access) {
        self.rules.push(Rule {
            path: path.into(),
            prefix,
            access,
        });
    }

    /// A rule the app's own rules for the same path override (they come
    /// later, and among equals the last added wins).
    pub(crate) fn add_fallback(&mut self, path: impl Into<String>, access: Access) {
        self.rules.insert(
            0,
            Rule {
                path: path.into(),
                prefix: false,
                access,
            },
        );
    }

    pub(crate) fn set_default(&mut self, access: Access) {
        self.default = access;
    }

    /// The access of `path`: its most specific rule's (exact paths first,
    /// then the longest prefix; among equals the last added), else the
    /// default.
    pub(crate) fn access(&self, path: &str) -> &Access {
        let mut best: Option<(usize, &Rule)> = None;
        for rule in &self.rules {
            if let Some(score) = rule.matches(path) {
                if best.is_none_or(|(b, _)| score >= b) {
                    best = Some((score, rule));
                }
            }
        }
        best.map_or(&self.default, |(_, r)| &r.access)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// dash-auth's `test_gp002_check_groups`, the `one_of` cases (its
    /// default; `Access::Groups` is "in at least one"), plus no user.
    #[test]
    fn gp002_check_groups() {
        let user = User::new("a.b@mail.com", ["default"]);
        assert!(Access::groups(["default"]).allows(Some(&user)));
        assert!(!Access::groups(["other"]).allows(Some(&user)));
        assert!(Access::groups(["default", "other"]).allows(Some(&user)));
        assert!(!Access::groups(["default"]).allows(None));
    }

    #[test]
    fn the_most_specific_rule_wins_and_prefixes_stop_at_segments() {
        let mut rules = Rules::default();
        rules.add("/", false, Access::Public);
        rules.add("/app/", true, Access::SignedIn);
        rules.add("/app/admin", true, Access::groups(["admins"]));
        rules.add("/app/admin/open", false, Access::Public);
        assert_eq!(rules.access("/"), &Access::Public);
        assert_eq!(rules.access("/app"), &Access::SignedIn);
        assert_eq!(rules.access("/app/_dash-layout"), &Access::SignedIn);
        assert_eq!(rules.access("/app/admin"), &Access::groups(["admins"]));
        assert_eq!(rules.access("/app/admin/x"), &Access::groups(["admins"]));
        assert_eq!(rules.access("/app/administrator"), &Access::SignedIn);
        assert_eq!(rules.access("/app/admin/open"), &Access::Public);
        assert_eq!(rules.access("/elsewhere"), &Access::SignedIn);
        rules.set_default(Access::Public);
        assert_eq!(rules.access("/elsewhere"), &Access::Public);
        rules.add_fallback("/app/_dash-health", Access::Public);
        assert_eq!(rules.access("/app/_dash-health"), &Access::Public);
        rules.add("/app/_dash-health", false, Access::SignedIn);
        assert_eq!(
            rules.access("/app/_dash-health"),
            &Access::SignedIn,
            "the app's rule wins"
        );
    }
}
