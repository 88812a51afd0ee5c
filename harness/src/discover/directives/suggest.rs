//! "Did you mean …?": the known name nearest to a misspelled one, by edit distance.

/// The candidate closest to `word`, if it is close enough to be what was meant: at most a
/// third of the word's length in edits (and at least one edit allowed), ties to the first.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters, a swap of two neighbours counting as one edit (optimal
/// string alignment).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let names = ["compile-flags", "cflags", "crate-type", "tier"];
        assert_eq!(did_you_mean("compile-flag", names), Some("compile-flags"));
        assert_eq!(did_you_mean("crate_type", names), Some("crate-type"));
        assert_eq!(did_you_mean("teir", names), Some("tier"));
        assert_eq!(did_you_mean("banana", names), None);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("teir", "tier"), 1);
        assert_eq!(distance("", "ab"), 2);
    }
}
