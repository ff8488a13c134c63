//! `Page::access` for the auth layer (direct loads) and the router
//! (navigation in the browser).

use std::sync::Arc;

use dash_protocol::Component;

use super::container::strip_requests_prefix;
use super::served::ServedPages;
use crate::auth::{Access, PageAccess, User};

/// The text shown in the page container where a page the user may not see
/// would be.
pub const FORBIDDEN_TEXT: &str = "403 - Forbidden";

/// The text shown there when the page needs a signed-in user.
pub const SIGN_IN_TEXT: &str = "401 - Sign in to see this page";

/// The auth layer's view of the pages' rules: the rule of the page a path
/// loads (not Dash's own routes or the assets); `None` when no page has
/// one.
pub(crate) fn page_access(served: &ServedPages, assets_url_path: &str) -> Option<PageAccess> {
    if !served.registry.pages.iter().any(|p| p.access.is_some()) {
        return None;
    }
    let registry = served.registry.clone();
    let prefix = served.routes_prefix.clone();
    let assets = format!("{}/", assets_url_path.trim_matches('/'));
    Some(Arc::new(move |path: &str| -> Option<Access> {
        let app_path = strip_requests_prefix(&prefix, path)?;
        let inner = app_path.trim_start_matches('/');
        if inner.split('/').any(|s| s.starts_with('_')) || inner.starts_with(&assets) {
            return None;
        }
        registry
            .resolve(app_path)
            .and_then(|(page, _)| page.access.clone())
    }))
}

/// What the router shows instead of a page `user` may not see: `None` if
/// the page has no rule or allows the user.
pub(crate) fn refused_layout(
    access: Option<&Access>,
    user: Option<&User>,
) -> Option<(Component, String)> {
    let access = access?;
    if access.allows(user) {
        return None;
    }
    let text = if user.is_some() {
        FORBIDDEN_TEXT
    } else {
        SIGN_IN_TEXT
    };
    let layout = dash_components::html::H1::new()
        .id("title")
        .children(text)
        .into();
    Some((layout, text.to_owned()))
}
