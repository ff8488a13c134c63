//! Fuzz target `component_id`: calls `dash_protocol::fuzzing::component_id`, which the corpus replay test also calls on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dash_protocol::fuzzing::component_id(data);
});
