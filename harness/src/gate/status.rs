//! How the gate files a case whose status differs between the baseline and the candidate.
//! The outcome (pass or fail) and the declaration (an expected failure declared or not) are
//! kept apart: a change of declaration alone is neither a regression nor a fix.

use crate::model::Status;

/// Where a status change of a case both sides ran goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    NoLongerRun,
    NewlyRun,
    /// The case passes no more (or fails differently, or the declaration no longer covers it).
    Worse,
    /// The case fails no more.
    Better,
    /// Same outcome; the candidate declares a failure the baseline did not.
    NewlyDeclared,
    /// Same outcome (a pass); the baseline's stale declaration is gone.
    NoLongerDeclared,
}

/// The category of a status pair whose statuses differ. `Passed` and `Fixed` are passes
/// (`Fixed` with a stale declaration); the others but `Ignored` are failures, `ExpectedFailure`
/// a declared one.
pub fn change(bs: Status, cs: Status) -> Change {
    use Status::{Error, ExpectedFailure, Failed, Fixed, Ignored, Passed, Timeout};
    match (bs, cs) {
        (_, Ignored) => Change::NoLongerRun,
        (Ignored, _) => Change::NewlyRun,
        (Failed | Timeout | Error, ExpectedFailure) | (Passed, Fixed) => Change::NewlyDeclared,
        (Fixed, Passed) => Change::NoLongerDeclared,
        (Failed | Timeout | Error | ExpectedFailure, Passed | Fixed) => Change::Better,
        // Passed or fixed → any failure; expected → undeclared failure; one kind of
        // undeclared failure → another.
        _ => Change::Worse,
    }
}

/// The sentence of a status change; `reason` is the first line of the candidate's reason.
pub fn what(bs: Status, cs: Status, reason: &str) -> String {
    match (bs, cs) {
        (_, Status::Ignored) => {
            format!("ran on the baseline ({bs}), ignored on the candidate: {}", reason)
        }
        (Status::Ignored, _) => format!("ignored on the baseline, {cs} on the candidate"),
        (_, Status::ExpectedFailure) if bs.is_failure() && bs != Status::Fixed => format!(
            "{bs} on the baseline; the candidate declares the failure as expected: {}",
            reason
        ),
        (Status::Passed, Status::Fixed) => {
            "passed on both; the candidate declares a failure that does not happen".into()
        }
        (Status::Fixed, Status::Passed) => {
            "passed on both; the baseline's stale declaration is gone".into()
        }
        (Status::ExpectedFailure, Status::Fixed) => {
            "the declared failure is gone on the candidate".into()
        }
        (Status::ExpectedFailure, _) => {
            format!("an expected failure on the baseline, {cs} on the candidate: {}", reason)
        }
        (_, Status::Passed | Status::Fixed) => {
            format!("{bs} on the baseline, {cs} on the candidate")
        }
        _ => format!("{bs} on the baseline, {cs} on the candidate: {}", reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::{Error, ExpectedFailure, Failed, Fixed, Ignored, Passed, Timeout};

    const ALL: [Status; 7] = [Passed, Failed, Ignored, ExpectedFailure, Fixed, Timeout, Error];

    /// Every pair of different statuses, and where it goes.
    #[test]
    fn every_status_pair_has_its_category() {
        use Change::*;
        let want = |bs: Status, cs: Status| match (bs, cs) {
            (_, Ignored) => NoLongerRun,
            (Ignored, _) => NewlyRun,
            (Failed | Timeout | Error, ExpectedFailure) => NewlyDeclared,
            (Passed, Fixed) => NewlyDeclared,
            (Fixed, Passed) => NoLongerDeclared,
            (Failed | Timeout | Error | ExpectedFailure, Passed | Fixed) => Better,
            (Passed | Fixed, _) => Worse,
            (ExpectedFailure, Failed | Timeout | Error) => Worse,
            (Failed | Timeout | Error, Failed | Timeout | Error) => Worse,
            (bs, cs) => panic!("{bs} -> {cs} not in the table"),
        };
        for bs in ALL {
            for cs in ALL.into_iter().filter(|&cs| cs != bs) {
                assert_eq!(change(bs, cs), want(bs, cs), "{bs} -> {cs}");
            }
        }
    }

    #[test]
    fn the_declaration_changes_are_not_fixes_or_failures() {
        assert_eq!(change(Failed, ExpectedFailure), Change::NewlyDeclared);
        assert_eq!(change(Passed, Fixed), Change::NewlyDeclared);
        assert_eq!(change(Fixed, Passed), Change::NoLongerDeclared);
        // The declared bug is back where the baseline passed: worse, though declared.
        assert_eq!(change(Fixed, ExpectedFailure), Change::Worse);
        assert_eq!(change(Passed, ExpectedFailure), Change::Worse);
        // The declared failure is gone: better, though the stale declaration fails the run.
        assert_eq!(change(ExpectedFailure, Fixed), Change::Better);
        assert!(what(Failed, ExpectedFailure, "r").contains("declares the failure as expected"));
        assert_eq!(
            what(ExpectedFailure, Fixed, "r"),
            "the declared failure is gone on the candidate"
        );
    }
}
