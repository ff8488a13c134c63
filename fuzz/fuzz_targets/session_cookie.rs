//! Fuzz target `session_cookie`: calls `dash::session::fuzzing::session_cookie`, which the corpus replay test also calls on stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dash::session::fuzzing::session_cookie(data);
});
