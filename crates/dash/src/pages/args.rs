//! What a page's layout function is told: the path, the path template's
//! variables, the query string and the page load's [`LayoutContext`].

use crate::LayoutContext;

/// The arguments of a page's layout function (Python passes the path
/// variables and query values as keyword arguments).
///
/// ```
/// use dash::pages::PageArgs;
/// let args = PageArgs::for_path("/report/42", &[("report_id", "42")], "?tab=a&tab=b&x=1");
/// assert_eq!(args.var("report_id"), Some("42"));
/// assert_eq!(args.query("tab"), Some("a"));
/// assert_eq!(args.query_all("tab"), vec!["a", "b"]);
/// assert_eq!(args.get("x"), Some("1"));
/// assert_eq!(args.path(), "/report/42");
/// ```
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    path: String,
    variables: Vec<(String, String)>,
    query: Vec<(String, String)>,
    routing: Vec<(String, serde_json::Value)>,
    context: LayoutContext,
}

impl PageArgs {
    pub(crate) fn new(
        path: String,
        variables: Vec<(String, String)>,
        search: &str,
        context: LayoutContext,
    ) -> Self {
        PageArgs {
            path,
            variables,
            query: parse_query(search),
            routing: Vec::new(),
            context,
        }
    }

    /// With the values of the app's routing inputs and states.
    pub(crate) fn with_routing(mut self, routing: Vec<(String, serde_json::Value)>) -> Self {
        self.routing = routing;
        self
    }

    /// Arguments for a given path, variables and query string (`?a=1`),
    /// e.g. to call a layout function in a test.
    pub fn for_path(path: &str, variables: &[(&str, &str)], search: &str) -> Self {
        PageArgs::new(
            path.to_owned(),
            variables
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            search,
            LayoutContext::default(),
        )
    }

    /// The path the browser asked for, without the requests prefix
    /// (always starts with `/`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A path template variable (`<report_id>` → `var("report_id")`),
    /// percent-decoded.
    pub fn var(&self, name: &str) -> Option<&str> {
        find(&self.variables, name)
    }

    /// Every path template variable, in template order.
    pub fn variables(&self) -> &[(String, String)] {
        &self.variables
    }

    /// The first value of a query string parameter (`?city=Lima`).
    pub fn query(&self, name: &str) -> Option<&str> {
        find(&self.query, name)
    }

    /// Every value of a query string parameter, in order.
    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every query string pair, in order (blank values kept, as Python's
    /// `parse_qs(keep_blank_values=True)`).
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// A keyword argument as Python's layout function gets it: a query
    /// value, else a path variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.query(name).or_else(|| self.var(name))
    }

    /// The value of a routing input or state by its name (Python's
    /// `routing_callback_inputs` keyword arguments; see
    /// [`Dash::routing_callback_input`](crate::Dash::routing_callback_input));
    /// `None` outside the router (the served HTML, the check at start).
    pub fn routing(&self, name: &str) -> Option<&serde_json::Value> {
        self.routing.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The page load's facts (the session's public handle).
    pub fn context(&self) -> &LayoutContext {
        &self.context
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `?a=1&b=` → pairs (Python's `_parse_query_string`: nothing unless it
/// starts with `?`).
fn parse_query(search: &str) -> Vec<(String, String)> {
    match search.strip_prefix('?') {
        Some(q) => url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_parsed_as_python_does() {
        let a = PageArgs::for_path("/", &[], "?velocity=10&empty=&sp=a+b%26");
        assert_eq!(a.query("velocity"), Some("10"));
        assert_eq!(a.query("empty"), Some(""));
        assert_eq!(a.query("sp"), Some("a b&"));
        assert!(PageArgs::for_path("/", &[], "velocity=10")
            .query_pairs()
            .is_empty());
        assert!(PageArgs::for_path("/", &[], "?%ZZ=%")
            .query("%ZZ")
            .is_some());
    }
}
