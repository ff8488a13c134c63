//! Fuzz target `cache_codec`: calls `dash_cache::fuzzing::cache_value`, which the corpus replay test also calls on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dash_cache::fuzzing::cache_value(data);
});
