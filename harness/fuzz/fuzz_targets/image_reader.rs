//! Any bytes given to the linked-image reader and everything `harness verify IMAGE` and
//! `harness inspect IMAGE` do with them: load config, CHPE metadata and its tables (code
//! map, entry ranges, redirections, auxiliary IAT), exports and imports, the ARM64X
//! dynamic relocations and the EC view they give, both architectures' `.pdata`. An error
//! or findings, never a panic, an overflow or a hang.
#![no_main]

use harness::check::image::{self, Expect, Options};
use harness::inspect::image::ImageView;
use libfuzzer_sys::fuzz_target;

/// The kind of image expected, from the last byte (PE files end in padding, so mutations
/// there choose the rule set without disturbing the tables).
fn expect(data: &[u8]) -> Expect {
    match data.last().copied().unwrap_or(0) % 5 {
        0 => Expect::Arm64ecCode,
        1 => Expect::Arm64ec,
        2 => Expect::Arm64x,
        3 => Expect::X64,
        _ => Expect::Arm64,
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = ImageView::parse("fuzz.dll", data) {
        let _ = image::verify(&v, &Options::new(expect(data)));
        let _ = v.render();
        let _ = v.to_json();
    }
});
