//! Any bytes given to the object reader and the verifier: an error or findings, never a
//! panic, an overflow or a hang. Archives and COFF objects both go through.
#![no_main]

use harness::check::object::{self, Options};
use harness::inspect::{self, ObjectView, dump};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.o");
    if let Ok((views, _)) = inspect::object_views(path, data) {
        for v in views.into_iter().flatten() {
            let _ = object::verify(&v, &Options::default());
            let _ = dump::render(&v);
            let _ = v.summary();
        }
    }
    if let Ok(v) = ObjectView::parse("fuzz.o", data) {
        let _ = object::verify(&v, &Options::default());
    }
});
