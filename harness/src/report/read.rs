//! Reading a report back: `report.json`, or the `.jsonl` a run leaves behind (complete or
//! cut short), into the records it was written from. Errors name the file, and the line of
//! a JSONL record.

use super::{CaseRecord, Header};
use crate::error::Error;
use serde::Deserialize;
use std::path::Path;

/// What a report holds: its header (a JSONL cut before its first line has none) and its
/// case records, in file order.
#[derive(Clone, Debug, Default)]
pub struct Records {
    pub header: Option<Header>,
    pub cases: Vec<CaseRecord>,
}

/// `report.json` as stored; its summary is recomputed by whoever needs one.
#[derive(Deserialize)]
struct Stored {
    #[serde(default)]
    header: Option<Header>,
    #[serde(default)]
    cases: Option<Vec<CaseRecord>>,
}

/// The header and case records of `report.json` or a `.jsonl` report.
pub fn read_records(path: &Path) -> Result<Records, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "read the report", &e))?;
    let mut records = if path.extension().is_some_and(|e| e == "jsonl") {
        read_lines(path, &text)?
    } else {
        read_whole(path, &text)?
    };
    for c in &mut records.cases {
        settle_key(c);
    }
    Ok(records)
}

fn read_whole(path: &Path, text: &str) -> Result<Records, Error> {
    let stored: Stored = serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "not a harness report",
            _ => "not a JSON report",
        };
        Error::at(path, e.line(), e.column(), format!("{what}: {e}"))
    })?;
    let cases = stored.cases.ok_or_else(|| {
        Error::at_file(
            path,
            "not a harness report: no `cases` array (expected report.json of `harness run`)",
        )
    })?;
    Ok(Records { header: stored.header, cases })
}

/// The `type` of a JSONL record.
#[derive(Deserialize)]
struct Typed {
    #[serde(rename = "type")]
    record_type: Option<String>,
}

fn read_lines(path: &Path, text: &str) -> Result<Records, Error> {
    let mut out = Records::default();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |e: serde_json::Error, what: &str| {
            Error::at(path, i + 1, e.column(), format!("{what}: {e}"))
        };
        let typed: Typed = serde_json::from_str(line).map_err(|e| at(e, "not a JSON record"))?;
        match typed.record_type.as_deref() {
            Some("header") => {
                out.header =
                    Some(serde_json::from_str(line).map_err(|e| at(e, "not a header record"))?)
            }
            Some("case") => {
                out.cases.push(serde_json::from_str(line).map_err(|e| at(e, "not a case record"))?)
            }
            _ => return Err(Error::at(path, i + 1, 1, "a record of unknown type")),
        }
    }
    Ok(out)
}

/// A key's third part reads as a revision (see [`crate::model::CaseKey`]'s parser); the
/// record's own fields say when it is a pairing.
fn settle_key(c: &mut CaseRecord) {
    let k = &mut c.key;
    if k.pairing.is_none() && c.revision.is_none() && c.pairing.is_some() {
        k.pairing = k.revision.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CaseKey;

    #[test]
    fn a_three_part_key_is_a_revision_or_a_pairing_as_the_record_says() {
        let dir = std::env::temp_dir().join(format!("harness-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.jsonl");
        let lines = [
            r#"{"type":"case","key":"s::c::host","pairing":"host","status":"passed"}"#,
            r#"{"type":"case","key":"s::c::r1","revision":"r1","status":"passed"}"#,
            r#"{"type":"case","key":"s::c::r1::wine","revision":"r1","pairing":"wine","status":"passed"}"#,
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        let r = read_records(&path).unwrap();
        let parts = |k: &CaseKey| (k.revision.clone(), k.pairing.clone());
        let got: Vec<_> = r.cases.iter().map(|c| parts(&c.key)).collect();
        let s = |v: &str| Some(v.to_string());
        assert_eq!(got, [(None, s("host")), (s("r1"), None), (s("r1"), s("wine"))]);
        assert!(r.header.is_none());
        for bad in ["a", "a::", "::b", "a::b::c::d::e"] {
            assert!(CaseKey::parse(bad).is_none(), "{bad}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
