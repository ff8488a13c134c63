//! Fuzz target `asset_path`: calls `dash_assets::fuzzing::asset_path`, which the corpus replay test also calls on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dash_assets::fuzzing::asset_path(data);
});
