//! `image.dvrt`: an Arm64X image (ARM64 header with CHPE metadata) carries ARM64X dynamic
//! relocations that turn it into its EC view; applied, they must give an image whose
//! header says AMD64 and whose every other rule holds too (each EC-view finding is
//! reported under the same rule, for `<file> (EC view)`). The EC view is derived once: its
//! own view rules run on it, never this module again (bytes whose fixups change nothing
//! would otherwise give the same native view forever).

use super::{Expect, Options, Verdict, view_rules};
use crate::inspect::image::{ImageView, MACHINE_AMD64, ViewKind};

pub fn rules(v: &ImageView, opts: &Options, out: &mut Verdict) {
    if v.view != ViewKind::Arm64xNative {
        return;
    }
    out.count("image.dvrt", 1);
    let fixups = v.arm64x_fixups().count();
    if fixups == 0 {
        out.flag(
            v,
            "image.dvrt",
            None,
            "an Arm64X image with no ARM64X dynamic relocations: there is no EC view".into(),
        );
        return;
    }
    out.count("image.dvrt", fixups);
    let Some(bytes) = v.ec_view_bytes() else { return };
    let name = format!("{} (EC view)", v.name);
    let ec = match ImageView::parse(&name, &bytes) {
        Ok(ec) => ec,
        Err(e) => {
            out.flag(
                v,
                "image.dvrt",
                None,
                format!("the ARM64X relocations give an unreadable EC view: {e}"),
            );
            return;
        }
    };
    if ec.machine != MACHINE_AMD64 || ec.view != ViewKind::Arm64xEc {
        out.flag(v, "image.dvrt", None, format!(
            "with the ARM64X relocations applied the header machine is {:#06x} ({:?}), not AMD64 with CHPE metadata",
            ec.machine, ec.view
        ));
    }
    let ec_opts = Options { expect: Expect::Arm64ecCode, ..opts.clone() };
    view_rules(&ec, &ec_opts, out);
}
