//! Components as the renderer reads them: `{"type", "namespace", "props"}`.

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::ComponentId;

/// A component of any suite: a namespace (the global the JS bundle
/// registers, e.g. `dash_html_components`), a type (`Div`) and the props the
/// app set. Props that were never set are not sent, so React defaults apply.
///
/// Generated builders (`html::Div`, `dcc::Graph`, ...) wrap this type; use it
/// directly for a third-party suite.
///
/// ```
/// use dash_protocol::Component;
/// let c = Component::new("my_suite", "Gauge").with_prop("value", 3);
/// assert_eq!(c.type_name(), "Gauge");
/// assert_eq!(c.prop("value"), Some(&serde_json::json!(3)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    namespace: String,
    type_name: String,
    props: Map<String, Value>,
}

impl Component {
    /// A component with no props.
    pub fn new(namespace: impl Into<String>, type_name: impl Into<String>) -> Self {
        Component {
            namespace: namespace.into(),
            type_name: type_name.into(),
            props: Map::new(),
        }
    }

    /// Sets a prop from any serializable value and returns the component.
    /// A value that cannot be serialized (a map with non-string keys) is
    /// stored as `null`.
    pub fn with_prop(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        self.set_prop(name, value);
        self
    }

    /// Sets a prop in place.
    pub fn set_prop(&mut self, name: impl Into<String>, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.props.insert(name.into(), value);
    }

    /// Sets a prop to an already built JSON value.
    pub fn set_prop_value(&mut self, name: impl Into<String>, value: Value) {
        self.props.insert(name.into(), value);
    }

    /// The JS namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The component type.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// One prop, if set.
    pub fn prop(&self, name: &str) -> Option<&Value> {
        self.props.get(name)
    }

    /// All props that were set.
    pub fn props(&self) -> &Map<String, Value> {
        &self.props
    }

    /// All props, to change or remove in place.
    pub fn props_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.props
    }

    /// The component's id, if it has a valid one.
    pub fn id(&self) -> Option<ComponentId> {
        self.props
            .get("id")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Component", 3)?;
        st.serialize_field("type", &self.type_name)?;
        st.serialize_field("namespace", &self.namespace)?;
        st.serialize_field("props", &self.props)?;
        st.end()
    }
}

/// A number for a numeric prop; non-finite floats become `null` (JSON has
/// no NaN) and integral values stay integers.
#[derive(Debug, Clone, PartialEq)]
pub struct Number(pub Value);

macro_rules! number_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self { Number(Value::Number(v.into())) }
        }
    )*};
}
number_from_int!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number(
            serde_json::Number::from_f64(v)
                .map(Value::Number)
                .unwrap_or(Value::Null),
        )
    }
}
impl From<f32> for Number {
    fn from(v: f32) -> Self {
        Number::from(f64::from(v))
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// What may stand as a component's `children` (or any other node prop): text,
/// numbers, components, and lists or tuples of those.
///
/// ```
/// use dash_protocol::{Children, Component};
/// let c: Children = ("Total: ", 42, Component::new("dash_html_components", "Br")).into();
/// assert_eq!(
///     serde_json::to_string(&c).unwrap(),
///     r#"["Total: ",42,{"type":"Br","namespace":"dash_html_components","props":{}}]"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Children(pub Value);

impl Children {
    /// No children (`null`).
    pub fn none() -> Self {
        Children(Value::Null)
    }

    /// The JSON value.
    pub fn into_value(self) -> Value {
        self.0
    }
}

impl Serialize for Children {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl From<Component> for Children {
    fn from(c: Component) -> Self {
        Children(component_value(c))
    }
}

fn component_value(c: Component) -> Value {
    let mut m = Map::with_capacity(3);
    m.insert("type".into(), Value::String(c.type_name));
    m.insert("namespace".into(), Value::String(c.namespace));
    m.insert("props".into(), Value::Object(c.props));
    Value::Object(m)
}

impl From<&str> for Children {
    fn from(v: &str) -> Self {
        Children(Value::String(v.to_owned()))
    }
}
impl From<String> for Children {
    fn from(v: String) -> Self {
        Children(Value::String(v))
    }
}
impl From<&String> for Children {
    fn from(v: &String) -> Self {
        Children(Value::String(v.clone()))
    }
}
impl From<bool> for Children {
    fn from(v: bool) -> Self {
        Children(Value::Bool(v))
    }
}
impl From<Number> for Children {
    fn from(v: Number) -> Self {
        Children(v.0)
    }
}
impl From<Value> for Children {
    fn from(v: Value) -> Self {
        Children(v)
    }
}
impl From<()> for Children {
    fn from(_: ()) -> Self {
        Children(Value::Null)
    }
}
macro_rules! children_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Children {
            fn from(v: $t) -> Self { Children(Number::from(v).0) }
        }
    )*};
}
children_from_number!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize, f32, f64);

impl<T: Into<Children>> From<Option<T>> for Children {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or_default()
    }
}

impl<T: Into<Children>> From<Vec<T>> for Children {
    fn from(v: Vec<T>) -> Self {
        Children(Value::Array(v.into_iter().map(|c| c.into().0).collect()))
    }
}

impl<T: Into<Children>, const N: usize> From<[T; N]> for Children {
    fn from(v: [T; N]) -> Self {
        Children(Value::Array(v.into_iter().map(|c| c.into().0).collect()))
    }
}

macro_rules! children_from_tuple {
    ($($name:ident),+) => {
        impl<$($name: Into<Children>),+> From<($($name,)+)> for Children {
            #[allow(non_snake_case)]
            fn from(($($name,)+): ($($name,)+)) -> Self {
                Children(Value::Array(vec![$($name.into().0),+]))
            }
        }
    };
}
children_from_tuple!(A);
children_from_tuple!(A, B);
children_from_tuple!(A, B, C);
children_from_tuple!(A, B, C, D);
children_from_tuple!(A, B, C, D, E);
children_from_tuple!(A, B, C, D, E, F);
children_from_tuple!(A, B, C, D, E, F, G);
children_from_tuple!(A, B, C, D, E, F, G, H);
children_from_tuple!(A, B, C, D, E, F, G, H, I);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z);
children_from_tuple!(
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A1
);
children_from_tuple!(
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A1, B1
);
children_from_tuple!(
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A1, B1, C1
);
children_from_tuple!(
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A1, B1, C1, D1
);
children_from_tuple!(
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A1, B1, C1, D1,
    E1
);
children_from_tuple!(
    A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, A1, B1, C1, D1,
    E1, F1
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_props_are_not_sent() {
        let c = Component::new("dash_core_components", "Input");
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"type":"Input","namespace":"dash_core_components","props":{}}"#
        );
    }

    #[test]
    fn non_finite_numbers_become_null() {
        assert_eq!(Number::from(f64::NAN).0, Value::Null);
        assert_eq!(Children::from(f64::INFINITY).0, Value::Null);
    }

    #[test]
    fn nested_children() {
        let inner = Component::new("dash_html_components", "Span").with_prop("children", "x");
        let c: Children = vec![Children::from(inner), "y".into()].into();
        assert_eq!(c.0[0]["props"]["children"], "x");
        assert_eq!(c.0[1], "y");
    }
}
