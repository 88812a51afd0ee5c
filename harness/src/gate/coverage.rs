//! Judging less is a regression: where the candidate leaves more subjects of a rule
//! unjudged than the baseline on the same case (or a rule that judged something on the
//! baseline judges nothing), its "clean" means less, even when both sides pass.

use crate::check::coverage::Coverage;

/// Per rule that judges less on the candidate: a detail line with both sides' counts and
/// the candidate's reasons. Empty when it judges as much.
pub fn judged_less(baseline: &Coverage, candidate: &Coverage) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (rule, b) in &baseline.0 {
        let (cj, cn) = candidate.of(rule);
        let (bj, bn) = (b.judged, b.not_judged.len());
        let worse = cn > bn || (bj > 0 && cj == 0);
        if !worse {
            continue;
        }
        let why = candidate
            .gaps()
            .into_iter()
            .find(|g| g.starts_with(&format!("{rule}: ")))
            .and_then(|g| {
                g.split_once(" not judged (").map(|(_, w)| w.trim_end_matches(')').to_string())
            })
            .unwrap_or_default();
        let mut line = format!(
            "{rule}: baseline {bj} judged, {bn} not judged; candidate {cj} judged, {cn} not judged"
        );
        if !why.is_empty() {
            line.push_str(&format!(" ({why})"));
        }
        out.push((rule.clone(), line));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::check::coverage::{Coverage, Subject};
    use crate::gate::coverage::judged_less;

    #[test]
    fn more_unjudged_or_nothing_judged_is_less() {
        let mut b = Coverage::default();
        b.judged("thunk.code", 6);
        b.judged("reg.reserved", 3);
        let mut c = Coverage::default();
        c.judged("thunk.code", 6);
        c.not_judged("thunk.code", Subject::Thunk, "$iexit_thunk$cdecl$v$v", "a helper call");
        c.judged("reg.reserved", 0);
        let less = judged_less(&b, &c);
        let rules: Vec<&str> = less.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(rules, ["reg.reserved", "thunk.code"]);
        assert!(
            less[1].1.ends_with("candidate 6 judged, 1 not judged (1: a helper call)"),
            "{less:?}"
        );
        // The same coverage, or more judged, is not less.
        assert!(judged_less(&b, &b).is_empty());
        assert!(judged_less(&c, &b).is_empty());
    }
}
