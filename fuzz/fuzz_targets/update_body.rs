//! Fuzz target `update_body`: calls `dash_protocol::fuzzing::update_body`, which the corpus replay test also calls on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dash_protocol::fuzzing::update_body(data);
});
