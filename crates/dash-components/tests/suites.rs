//! The generated builders of the third-party suites (features `dbc`,
//! `dag`, `dmc`): every component of each wheel has a builder, props are
//! typed from the metadata, and the props that hold components are
//! declared in `children_props` as Python Dash declares them.

#![cfg(any(feature = "dbc", feature = "dag", feature = "dmc"))]

use serde_json::{json, Value};

#[allow(dead_code)]
fn props(c: impl serde::Serialize) -> Value {
    serde_json::to_value(c).unwrap()["props"].clone()
}

#[cfg(feature = "dbc")]
mod dbc {
    use super::*;
    use dash_components::{children_props, dbc, html};

    #[test]
    fn every_component_of_the_wheel_has_a_builder() {
        // dash_bootstrap_components/_components/__init__.py of 2.0.4.
        assert_eq!(dbc::COMPONENT_NAMES.len(), 66);
        for name in [
            "Accordion",
            "Alert",
            "Button",
            "Container",
            "Tabs",
            "Tab",
            "Tooltip",
        ] {
            assert!(dbc::COMPONENT_NAMES.contains(&name), "{name}");
        }
        assert_eq!(dbc::NAMESPACE, "dash_bootstrap_components");
        let b = dbc::Button::new().into_component();
        assert_eq!(
            (b.namespace(), b.type_name()),
            ("dash_bootstrap_components", "Button")
        );
    }

    #[test]
    fn python_names_become_snake_case_setters() {
        let b = dbc::Button::new()
            .id("go")
            .color("primary")
            .n_clicks(0)
            .outline(true)
            .class_name("me-2")
            .children("Go");
        assert_eq!(
            props(&b),
            json!({"id": "go", "color": "primary", "n_clicks": 0, "outline": true,
                   "class_name": "me-2", "children": "Go"})
        );
        let a = dbc::Alert::new()
            .is_open(true)
            .dismissable(true)
            .duration(3000);
        assert_eq!(
            props(&a),
            json!({"is_open": true, "dismissable": true, "duration": 3000})
        );
    }

    #[test]
    fn component_valued_props_are_declared_and_take_components() {
        let cp = children_props();
        let dbc_cp = &cp["dash_bootstrap_components"];
        assert_eq!(dbc_cp.as_object().unwrap().len(), 66);
        assert_eq!(dbc_cp["Checkbox"], json!(["label"]));
        assert_eq!(dbc_cp["DropdownMenu"], json!(["label"]));
        assert_eq!(dbc_cp["Checklist"], json!(["options[].label"]));
        assert_eq!(dbc_cp["NavbarSimple"], json!(["brand"]));
        assert_eq!(dbc_cp["Toast"], json!(["header"]));
        assert_eq!(dbc_cp["Button"], json!([]));
        let menu = dbc::DropdownMenu::new().label(html::B::new().children("Menu"));
        assert_eq!(props(&menu)["label"]["type"], "B");
    }

    #[test]
    fn themes_and_icons_are_local_files() {
        assert_eq!(dbc::themes::BOOTSTRAP.path, "dist/css/bootstrap.min.css");
        assert_eq!(dbc::themes::GRID.path, "dist/css/bootstrap-grid.min.css");
        assert_eq!(dbc::icons::BOOTSTRAP.path, "font/bootstrap-icons.min.css");
    }
}

#[cfg(feature = "dag")]
mod dag {
    use super::*;
    use dash_components::{children_props, dag};

    #[test]
    fn the_grid_has_a_typed_builder() {
        assert_eq!(dag::COMPONENT_NAMES, ["AgGrid"]);
        assert_eq!(dag::NAMESPACE, "dash_ag_grid");
        #[derive(serde::Serialize)]
        struct Car {
            make: &'static str,
            price: u32,
        }
        let g = dag::AgGrid::new()
            .id("grid")
            .row_data(vec![Car {
                make: "Ford",
                price: 1,
            }])
            .column_defs(vec![dag::ColumnDef::field("make").sortable(true)])
            .column_size("sizeToFit")
            .enable_enterprise_modules(false)
            .dash_grid_options(json!({"rowSelection": {"mode": "singleRow"}}));
        assert_eq!(
            props(&g),
            json!({"id": "grid", "rowData": [{"make": "Ford", "price": 1}],
                   "columnDefs": [{"field": "make", "sortable": true}],
                   "columnSize": "sizeToFit", "enableEnterpriseModules": false,
                   "dashGridOptions": {"rowSelection": {"mode": "singleRow"}}})
        );
        assert_eq!(children_props()["dash_ag_grid"], json!({"AgGrid": []}));
    }

    #[test]
    fn events_read_back_as_types() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Car {
            make: String,
            price: u32,
        }
        let rows: dag::SelectedRows<Car> =
            serde_json::from_value(json!([{"make": "Ford", "price": 3, "extra": true}])).unwrap();
        assert_eq!(
            rows.first(),
            Some(&Car {
                make: "Ford".into(),
                price: 3
            })
        );
        let none: dag::VirtualRowData<Car> = serde_json::from_value(Value::Null).unwrap();
        assert!(none.is_empty());
        let click: dag::CellClicked =
            serde_json::from_value(json!({"value": 3, "colId": "price", "rowIndex": 0})).unwrap();
        assert_eq!(click.value, json!(3));
        assert_eq!(click.row_id, None);
    }
}

#[cfg(feature = "dmc")]
mod dmc {
    use super::*;
    use dash_components::{children_props, dmc, html};

    #[test]
    fn every_component_of_the_wheel_has_a_builder() {
        // dash_mantine_components/_imports_.py of 2.8.1 (some listed twice).
        assert_eq!(dmc::COMPONENT_NAMES.len(), 186);
        for name in [
            "MantineProvider",
            "Slider",
            "Text",
            "Button",
            "Select",
            "AreaChart",
        ] {
            assert!(dmc::COMPONENT_NAMES.contains(&name), "{name}");
        }
        assert_eq!(dmc::NAMESPACE, "dash_mantine_components");
    }

    #[test]
    fn setters_follow_the_types() {
        let s = dmc::Slider::new()
            .id("slider")
            .min(0)
            .max(100)
            .value(50)
            .label_always_on(true)
            .updatemode("drag")
            .marks(json!([{"value": 20, "label": "20%"}]));
        assert_eq!(
            props(&s),
            json!({"id": "slider", "min": 0, "max": 100, "value": 50, "labelAlwaysOn": true,
                   "updatemode": "drag", "marks": [{"value": 20, "label": "20%"}]})
        );
        let t = dmc::Text::new().size("sm").c("blue").children("hi");
        assert_eq!(
            props(&t),
            json!({"size": "sm", "c": "blue", "children": "hi"})
        );
        let d = dmc::Text::new().data("role", "x").aria("label", "y");
        assert_eq!(props(&d), json!({"data-role": "x", "aria-label": "y"}));
    }

    #[test]
    fn component_valued_props_are_declared_and_take_components() {
        let cp = children_props();
        let dmc_cp = &cp["dash_mantine_components"];
        assert_eq!(dmc_cp.as_object().unwrap().len(), 186);
        assert_eq!(
            dmc_cp["Button"],
            json!(["leftSection", "rightSection", "loaderProps.children"])
        );
        assert_eq!(
            dmc_cp["Slider"],
            json!(["marks[].label", "label", "thumbChildren"])
        );
        assert_eq!(
            dmc_cp["TextInput"],
            json!([
                "label",
                "description",
                "error",
                "leftSection",
                "rightSection"
            ])
        );
        assert_eq!(dmc_cp["MantineProvider"], json!([]));
        let b = dmc::Button::new()
            .left_section(html::Span::new().children("+"))
            .children("Add");
        assert_eq!(props(&b)["leftSection"]["type"], "Span");
    }
}
