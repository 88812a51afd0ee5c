//! `harness bisect`: between a good and a bad toolchain, the first release (or nightly)
//! where the selected cases change, in the manner of cargo-bisect-rustc. The candidates
//! are the stable releases `1.A.0 ..= 1.B.0` between two stable versions, or the nightly
//! dates between two `nightly-YYYY-MM-DD`; they are installed with rustup on demand
//! (minimal profile plus the Arm64EC target) unless only installed ones may be used.

use crate::error::{Error, Result};
use crate::model::Version;
use crate::toolchain::rustup;
use std::collections::BTreeMap;
use std::time::Duration;

/// The release a channel name (`stable`, `beta`) stands for here, from
/// `rustup run NAME rustc -V` (under the rustup lock: the proxy may install the toolchain).
pub fn resolve(name: &str) -> String {
    if stable(name).is_some() || nightly(name).is_some() {
        return name.to_string();
    }
    let Ok(out) = rustup::run(&["run", name, "rustc", "-V"], Duration::from_secs(60)) else {
        return name.to_string();
    };
    out.stdout
        .split_whitespace()
        .nth(1)
        .filter(|v| stable(v).is_some())
        .map(str::to_string)
        .unwrap_or_else(|| name.to_string())
}

/// The toolchains strictly between `good` and `bad`, in order from good to bad.
pub fn candidates(good: &str, bad: &str) -> Result<Vec<String>> {
    if let (Some(g), Some(b)) = (stable(good), stable(bad)) {
        let (lo, hi, rev) = if g <= b { (g, b, false) } else { (b, g, true) };
        let mut v: Vec<String> =
            (lo.minor + 1..hi.minor).map(|m| format!("{}.{m}.0", lo.major)).collect();
        if rev {
            v.reverse();
        }
        return Ok(v);
    }
    if let (Some(g), Some(b)) = (nightly(good), nightly(bad)) {
        let (lo, hi, rev) = if g <= b { (g, b, false) } else { (b, g, true) };
        let mut v: Vec<String> = (lo + 1..hi).map(|d| format!("nightly-{}", date_of(d))).collect();
        if rev {
            v.reverse();
        }
        return Ok(v);
    }
    Err(Error::msg(format!(
        "cannot walk from `{good}` to `{bad}`: give two stable releases (1.85.0, 1.95.0) or two dated nightlies (nightly-2026-01-01)"
    )))
}

fn stable(s: &str) -> Option<Version> {
    let v = Version::parse(s)?;
    (s.matches('.').count() >= 1).then_some(v)
}

/// Days since 1970-01-01 of `nightly-YYYY-MM-DD`.
fn nightly(s: &str) -> Option<i64> {
    let d = s.strip_prefix("nightly-")?;
    let mut p = d.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (p.next()??, p.next()??, p.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil (proleptic Gregorian).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn date_of(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether rustup has the toolchain.
pub fn installed(name: &str) -> bool {
    let Ok(r) = rustup::run(&["toolchain", "list"], Duration::from_secs(60)) else {
        return false;
    };
    r.stdout.lines().any(|l| {
        l.split_whitespace().next().is_some_and(|t| t == name || t.starts_with(&format!("{name}-")))
    })
}

/// Install a toolchain with the Arm64EC target (minimal profile), saying so on stderr.
pub fn install(name: &str) -> Result<()> {
    if rustup::find().is_none() {
        return Err(Error::msg("rustup not found: bisect installs toolchains with it"));
    }
    eprintln!("harness: installing toolchain {name} (minimal, with arm64ec-pc-windows-msvc)...");
    let args = [
        "toolchain",
        "install",
        name,
        "--profile",
        "minimal",
        "--target",
        "arm64ec-pc-windows-msvc",
    ];
    rustup::run_ok(&args, Duration::from_secs(900)).map(drop)
}

/// One probed toolchain: each selected case's status.
pub type Outcome = BTreeMap<String, String>;

/// The result of a bisection.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Found {
    /// The last toolchain that behaves like `good`.
    pub last_good: String,
    /// The first toolchain that behaves like `bad`, and how its cases differ from good's.
    pub first_bad: String,
    pub changes: Vec<String>,
    /// Every toolchain probed, with its outcome.
    pub probed: Vec<(String, Outcome)>,
}

/// Binary search over `good, candidates..., bad` with `probe` giving each toolchain's
/// outcome; assumes one change point, as cargo-bisect-rustc does.
pub fn search(
    good: &str,
    bad: &str,
    candidates: &[String],
    mut probe: impl FnMut(&str) -> Result<Outcome>,
) -> Result<Found> {
    let mut all: Vec<String> = vec![good.to_string()];
    all.extend(candidates.iter().cloned());
    all.push(bad.to_string());
    let mut probed = Vec::new();
    let good_out = probe(good)?;
    probed.push((good.to_string(), good_out.clone()));
    let bad_out = probe(bad)?;
    probed.push((bad.to_string(), bad_out.clone()));
    if bad_out == good_out {
        return Err(Error::msg(format!(
            "`{good}` and `{bad}` give the same result for the selected cases: nothing to bisect"
        )));
    }
    let (mut lo, mut hi) = (0usize, all.len() - 1);
    let mut hi_out = bad_out;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let out = probe(&all[mid])?;
        probed.push((all[mid].clone(), out.clone()));
        if out == good_out {
            lo = mid;
        } else {
            hi = mid;
            hi_out = out;
        }
    }
    let changes = hi_out
        .iter()
        .filter(|(k, v)| good_out.get(*k) != Some(*v))
        .map(|(k, v)| {
            format!("{k}: {} -> {v}", good_out.get(k).map(String::as_str).unwrap_or("missing"))
        })
        .collect();
    Ok(Found { last_good: all[lo].clone(), first_bad: all[hi].clone(), changes, probed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_lists() {
        assert_eq!(candidates("1.85.0", "1.88.0").unwrap(), ["1.86.0", "1.87.0"]);
        assert_eq!(candidates("1.88.0", "1.85.0").unwrap(), ["1.87.0", "1.86.0"]);
        assert_eq!(
            candidates("nightly-2026-02-27", "nightly-2026-03-02").unwrap(),
            ["nightly-2026-02-28", "nightly-2026-03-01"]
        );
        assert!(candidates("stable", "1.85.0").is_err());
    }

    #[test]
    fn search_finds_the_change_point() {
        let names: Vec<String> = (86..95).map(|m| format!("1.{m}.0")).collect();
        let probe = |t: &str| -> Result<Outcome> {
            let minor: u32 = t.split('.').nth(1).unwrap().parse().unwrap();
            let s = if minor >= 91 { "failed" } else { "passed" };
            Ok([("a::b".to_string(), s.to_string())].into_iter().collect())
        };
        let f = search("1.85.0", "1.95.0", &names, probe).unwrap();
        assert_eq!((f.last_good.as_str(), f.first_bad.as_str()), ("1.90.0", "1.91.0"));
        assert_eq!(f.changes, ["a::b: passed -> failed"]);
        assert!(f.probed.len() <= 2 + 4, "binary: {:?}", f.probed.len());
        assert!(search("1.85.0", "1.86.0", &[], |_| Ok(Outcome::new())).is_err());
    }
}
