//! Typed builders for every component of Dash's html, dcc and dash_table
//! packages, generated from their `metadata.json` (see `xtask`).
//!
//! Each builder starts empty (unset props are never sent, so the
//! components' own defaults apply) and has one setter per prop, named in
//! snake_case (`className` is `class_name`; Rust keywords get a trailing
//! `_`, as in `type_`).
//!
//! ```
//! use dash_components::{dcc, html};
//!
//! let layout = html::Div::new().id("page").class_name("wide").children((
//!     dcc::Input::new().id("in").value("hi").type_("text"),
//!     html::Div::new().id("out").data_attr("role", "echo"),
//! ));
//! let json = serde_json::to_value(&layout).unwrap();
//! assert_eq!(json["props"]["className"], "wide");
//! assert_eq!(json["props"]["children"][0]["namespace"], "dash_core_components");
//! assert_eq!(json["props"]["children"][1]["props"]["data-role"], "echo");
//! ```

mod generated;

pub use generated::children_props;
pub use generated::{dash_table, dcc, html};

use dash_protocol::Component;
use serde_json::Value;

fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// What every generated builder has: `new`, `Default`, `prop`,
/// `into_component`, conversions into `Component` and `Children`, `Serialize`.
#[macro_export]
#[doc(hidden)]
macro_rules! builder_common {
    ($name:ident, $namespace:expr) => {
        impl $name {
            /// The component with no props set.
            pub fn new() -> Self {
                $name(dash_protocol::Component::new($namespace, stringify!($name)))
            }

            /// Sets any prop by its JS name.
            pub fn prop(mut self, name: &str, value: impl serde::Serialize) -> Self {
                self.0.set_prop(name, value);
                self
            }

            /// The generic component.
            pub fn into_component(self) -> dash_protocol::Component {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<$name> for dash_protocol::Component {
            fn from(c: $name) -> Self {
                c.0
            }
        }

        impl From<$name> for dash_protocol::Children {
            fn from(c: $name) -> Self {
                dash_protocol::Children::from(c.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }
    };
}

/// `data-*` and `aria-*` attributes, for components that declare them.
#[macro_export]
#[doc(hidden)]
macro_rules! builder_wildcards {
    ($name:ident) => {
        impl $name {
            /// Sets the attribute `data-<name>`.
            pub fn data_attr(mut self, name: &str, value: impl serde::Serialize) -> Self {
                self.0.set_prop(format!("data-{name}"), value);
                self
            }

            /// Sets the attribute `aria-<name>`.
            pub fn aria_attr(mut self, name: &str, value: impl serde::Serialize) -> Self {
                self.0.set_prop(format!("aria-{name}"), value);
                self
            }
        }
    };
}

/// Any component as a generic [`Component`].
pub fn component(c: impl Into<Component>) -> Component {
    c.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_match_the_wheel() {
        assert_eq!(html::COMPONENT_NAMES.len(), 125);
        assert_eq!(dcc::COMPONENT_NAMES.len(), 26);
        assert_eq!(dash_table::COMPONENT_NAMES, ["DataTable"]);
    }

    #[test]
    fn layout_serializes_exactly() {
        let c = html::Div::new().id("x").class_name("c").children((
            html::Span::new().children("a"),
            1,
            "b",
        ));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"type":"Div","namespace":"dash_html_components","props":{"id":"x","className":"c","children":[{"type":"Span","namespace":"dash_html_components","props":{"children":"a"}},1,"b"]}}"#
        );
    }

    #[test]
    fn keyword_setters_and_wildcards() {
        let i = dcc::Input::new().type_("number").debounce(true);
        assert_eq!(
            to_value(&i)["props"],
            json!({"type": "number", "debounce": true})
        );
        let a = html::Audio::new().loop_(true).aria_attr("label", "x");
        assert_eq!(
            to_value(&a)["props"],
            json!({"loop": true, "aria-label": "x"})
        );
        let t = dash_table::DataTable::new()
            .data(vec![json!({"a": 1})])
            .page_size(10);
        assert_eq!(
            to_value(&t)["props"],
            json!({"data": [{"a": 1}], "page_size": 10})
        );
    }

    #[test]
    fn children_props_are_the_node_valued_props() {
        let cp = children_props();
        assert_eq!(cp["dash_core_components"]["Tab"], json!(["label"]));
        assert_eq!(
            cp["dash_core_components"]["Loading"],
            json!(["custom_spinner"])
        );
        assert_eq!(
            cp["dash_core_components"]["Clipboard"],
            json!(["copied_children"])
        );
        assert_eq!(cp["dash_html_components"]["Div"], json!([]));
        let non_empty: usize = cp
            .as_object()
            .unwrap()
            .values()
            .flat_map(|p| p.as_object().unwrap().values())
            .filter(|v| !v.as_array().unwrap().is_empty())
            .count();
        assert_eq!(non_empty, 3);
    }
}
